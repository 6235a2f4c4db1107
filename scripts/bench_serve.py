"""Time every page of `trends serve` on the demo and on a synthetic 10k-article workspace.

    python scripts/bench_serve.py [--n 10000] [--rounds 20] [--clients 8] [--demo DIR]

Each workspace is analysed and its report written, then `trends serve` runs in its own process
(as a user starts it) and every page is fetched over HTTP: first one client alone (`--rounds`
requests per page: p50/p95), then `--clients` clients at once, each going through all pages
`--rounds` times (p50/p95 per page under load, errors, requests per second). The 10k corpus is
the one scripts/bench_scan.py and bench_analyze.py build. `--demo DIR` / `--big DIR` use
existing analysed workspaces (e.g. from `trends demo --out DIR`) instead of building them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from bench_analyze import build  # noqa: E402

from trends.analyze import AnalysisConfig, analyze  # noqa: E402
from trends.config import Workspace  # noqa: E402
from trends.report.build import write_report  # noqa: E402
from trends.scan import Views, scan  # noqa: E402

TODAY = dt.date(2026, 11, 22)


def demo_workspace(root: Path) -> Workspace:
    """The demo articles imported and analysed (what `trends demo` builds, without its website)."""
    from trends.collect.run import import_paths
    from trends.corpus import Corpus
    from trends.demo.site import import_rows

    rows = import_rows()
    root.mkdir(parents=True, exist_ok=True)
    jsonl = root / "demo.jsonl"
    jsonl.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    (root / "sources.yaml").write_text("sources: []\n", encoding="utf-8")
    with Corpus(root / "corpus" / "corpus.sqlite") as corpus:
        import_paths([jsonl], corpus)
    return Workspace.resolve(root)


def pages(ws: Workspace) -> list[str]:
    views = Views(ws)
    rows = scan(ws, limit=100)
    biggest = max(views.topics.values(), key=lambda t: t["size"])
    first = rows[0]["id"] if rows else biggest["id"]
    place = next(
        (m for r in views.by_topic(biggest["id"]) for m in r.get("municipalities", [])), "Soest"
    )
    paths = [
        "/",
        "/?all=1",
        "/?region=Kreis+Soest&all=1",
        f"/topics/{first}",
        f"/topics/{biggest['id']}",
        "/search?q=Parkausweis",
        "/search?q=LoRaWAN+Sensor&page=2",
        "/search?q=KI",
        f"/who?q={first}",
        f"/municipalities/{quote(place)}",
        f"/brief/{first}",
        "/reports/",
        "/api/scan",
        f"/api/topics/{biggest['id']}",
        "/api/search?q=Parkausweis",
        f"/api/who?q={first}",
        "/healthz",
    ]
    return list(dict.fromkeys(paths))  # the biggest topic may be the first emerging one


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(ws: Workspace) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "trends", "-w", str(ws.root), "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                return proc, base
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"the server did not start: {proc.stderr.read()[-2000:]}")


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def run(base: str, paths: list[str], rounds: int, clients: int) -> None:
    # alone: one client, `rounds` requests per page after one warm-up request
    alone: dict[str, list[float]] = {}
    with httpx.Client(base_url=base, timeout=60) as client:
        for path in paths:
            client.get(path)
            times = []
            for _ in range(rounds):
                t = time.perf_counter()
                response = client.get(path)
                times.append(time.perf_counter() - t)
                if response.status_code != 200:
                    print(f"  ! {path}: HTTP {response.status_code}")
            alone[path] = times
    # together: `clients` threads, each through all pages `rounds` times (start offsets differ)
    loaded: dict[str, list[float]] = {p: [] for p in paths}
    errors: list[str] = []
    lock = threading.Lock()

    def worker(k: int) -> None:
        with httpx.Client(base_url=base, timeout=60) as client:
            for r in range(rounds):
                for j in range(len(paths)):
                    path = paths[(j + k + r) % len(paths)]
                    t = time.perf_counter()
                    try:
                        status = client.get(path).status_code
                    except httpx.HTTPError as exc:
                        status = f"{type(exc).__name__}"
                    took = time.perf_counter() - t
                    with lock:
                        loaded[path].append(took)
                        if status != 200:
                            errors.append(f"{path}: {status}")

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    start = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - start
    total = sum(len(v) for v in loaded.values())
    print(f"  {'page':<44} {'alone p50':>9} {'p95':>7}   {clients} clients p50 {'p95':>7}")
    for path in paths:
        a, b = alone[path], loaded[path]
        print(
            f"  {path[:44]:<44} {1000 * statistics.median(a):7.0f}ms {1000 * pct(a, 0.95):5.0f}ms"
            f"   {1000 * statistics.median(b):13.0f}ms {1000 * pct(b, 0.95):5.0f}ms"
        )
    worst = max(pct(v, 0.95) for v in alone.values())
    print(
        f"  alone: slowest page p95 {1000 * worst:.0f} ms; {clients} clients: {total} requests in "
        f"{wall:.1f} s ({total / wall:.0f}/s), errors: {len(errors)}"
        + (f" (first: {errors[0]})" if errors else "")
    )


def bench(label: str, ws: Workspace, rounds: int, clients: int) -> None:
    proc, base = start_server(ws)
    try:
        print(f"{label}:")
        run(base, pages(ws), rounds, clients)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=10000, help="articles of the synthetic corpus")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--demo", type=Path, help="an existing, analysed demo workspace")
    parser.add_argument("--big", type=Path, help="an existing, analysed large workspace")
    args = parser.parse_args()
    print(f"trends serve on {os.cpu_count()} cores; times are per HTTP request, server warm")
    with tempfile.TemporaryDirectory() as tmp:
        if args.demo:
            demo = Workspace.resolve(args.demo)
        else:
            demo = demo_workspace(Path(tmp) / "demo")
            analyze(demo, AnalysisConfig(today=TODAY))
            write_report(demo)
        bench(f"demo ({demo.root})", demo, args.rounds, args.clients)
        if args.big:
            bench(f"large ({args.big})", Workspace.resolve(args.big), args.rounds, args.clients)
        elif args.n:
            root = Path(tmp) / "big"
            root.mkdir()
            build(root, args.n)
            big = Workspace.resolve(root)
            analyze(big, AnalysisConfig(today=TODAY))
            write_report(big)
            bench(f"{args.n} articles", big, args.rounds, args.clients)


if __name__ == "__main__":
    main()
