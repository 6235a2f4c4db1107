#!/usr/bin/env python
"""Every written stream at once: `eval_stream.py` on each, pooled figures, and two runs compared.

    python scripts/eval_streams.py --out DIR [--jobs 2]         # score every stream, keep all
    python scripts/eval_streams.py --out DIR --folds 2          # each read by a layer not
                                                                # trained on it
    python scripts/eval_streams.py --out DIR --folds 2 --layers OLD  # the same, with OLD's
                                                                # fold layers (no training)
    python scripts/eval_streams.py --summary DIR                # the pooled figures of a run
    python scripts/eval_streams.py --summary NEW --against OLD  # a change, stream by stream

The streams are those the protocol lets a stop look at (`protocol.TRAINING_STREAMS` and
`TEST_STREAMS`): the unseen judges are never among them. Each stream is scored in its own process
(`eval_stream.py FOLDER --keep DIR/ws_NAME --json DIR/NAME.json`, its printout in DIR/NAME.txt),
on its working part, as eval_stream does; the workspaces stay in DIR, so a later look at one
stream needs no new run, and the transfer lists of each stream's focus towns
(`suggest --peers all`, as `eval_transfer.py --corpus` scores them, without logging) are pooled
from them.

With `--folds K` the streams are dealt into K folds (by their order in the protocol); for each
fold `train_maturity.py --leave-out` writes DIR/layer_foldN.json, a maturity model whose
article layer never learned from that fold's streams, and those streams are scored with it
(`eval_stream.py --stage-model`). Anything the article layer decides (article and place
stages, and what rests on them) is judged this way: with the shipped layer every stream is
in-sample. About two minutes a fold for the training (four on a busy machine); `--layers OLD`
takes the layers of an earlier run instead, which is right only when neither the streams nor the
maturity model's training changed since (a change to topics, trends or relevance).

A change is kept only where the pooled figures rise by more than their spread: `--against`
prints, per figure, the pooled counts of both runs, the mean ± standard deviation over streams of
the per-stream difference in rate, and the streams whose counts changed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import protocol  # noqa: E402

# lower is better for these: their difference is read the other way round
LOWER_IS_BETTER = {"on_topic_lost"}


def streams() -> list[Path]:
    return [*protocol.TRAINING_STREAMS, *protocol.TEST_STREAMS]


def folds(k: int) -> list[list[Path]]:
    """The streams dealt into `k` folds in protocol order (neighbours, written in the same stop
    from like briefs, land in different folds)."""
    every = streams()
    return [every[i::k] for i in range(k)]


def train_without(names: list[str], model: Path) -> None:
    """A maturity model whose article layer never learned from the streams `names`."""
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "train_maturity.py"),
            "--leave-out",
            ",".join(names),
            "--out",
            str(model),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def score_all(out: Path, jobs: int, n_folds: int = 0, layers: Path | None = None) -> None:
    """eval_stream.py on every stream, `jobs` at a time; a failing stream is reported, not fatal.
    With `n_folds`, each fold's streams are read by a layer trained without them (or by the one
    of run `layers` for that fold)."""
    out.mkdir(parents=True, exist_ok=True)
    model_of: dict[str, Path] = {}
    for n, fold in enumerate(folds(n_folds) if n_folds > 1 else []):
        model = out / f"layer_fold{n}.json"
        if layers is not None:
            earlier = layers / model.name
            if not earlier.exists():
                raise SystemExit(f"{earlier}: no such layer (run --folds {n_folds} there first)")
            model.write_bytes(earlier.read_bytes())
        else:
            names = ", ".join(f.name for f in fold)
            print(f"fold {n}: training the article layer without {names}")
            train_without([f.name for f in fold], model)
        model_of.update((f.name, model) for f in fold)

    def one(folder: Path) -> tuple[str, int]:
        name = folder.name
        model = model_of.get(name)
        with (out / f"{name}.txt").open("w", encoding="utf-8") as fh:
            rc = subprocess.run(
                [
                    sys.executable,
                    str(ROOT / "scripts" / "eval_stream.py"),
                    str(folder),
                    "--keep",
                    str(out / f"ws_{name}"),
                    "--json",
                    str(out / f"{name}.json"),
                    *(["--stage-model", str(model)] if model else []),
                ],
                stdout=fh,
                stderr=subprocess.STDOUT,
            ).returncode
        print(f"{name}: {'done' if rc == 0 else f'FAILED (exit {rc}, see {out / name}.txt)'}")
        return name, rc

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        failed = [name for name, rc in pool.map(one, streams()) if rc]
    if failed:
        print(f"{len(failed)} stream(s) failed: {', '.join(failed)}", file=sys.stderr)


def read_run(out: Path) -> dict[str, dict[str, list[int]]]:
    """stream name -> figure -> [right, of], from the JSON files of a run."""
    runs = {}
    for folder in streams():
        path = out / f"{folder.name}.json"
        if path.exists():
            runs[folder.name] = json.loads(path.read_text(encoding="utf-8"))["figures"]
    if not runs:
        raise SystemExit(f"{out}: no stream figures (run with --out first)")
    return runs


def transfer(out: Path) -> dict[str, list[int]]:
    """The focus towns' lists pooled over the kept workspaces: list -> [tp, shown, expected]."""
    import eval_transfer

    from trends.config import Workspace
    from trends.demo.evaluate import TRANSFER_LISTS, score_lists
    from trends.transfer import Landscape

    pooled = {k: [0, 0, 0] for k in TRANSFER_LISTS}
    for folder in streams():
        ws_dir = out / f"ws_{folder.name}"
        if not ws_dir.exists():
            continue
        _, _, sets, spec = eval_transfer.load_external(folder)
        expected = eval_transfer.expected_lists(spec)
        ws = Workspace.resolve(ws_dir)
        # the model the stream was analysed for (eval_stream's --quarter), the workspace's only one
        shown = eval_transfer.shown_lists(ws, Landscape(ws), sets, expected)
        scores = {name: score_lists(lists, shown[name]) for name, lists in expected.items()}
        for k, counts in eval_transfer.pool(scores, expected).items():
            pooled[k] = [a + b for a, b in zip(pooled[k], counts, strict=True)]
    return pooled


def _rate(pair: list[int]) -> float:
    return pair[0] / pair[1] if pair[1] else 0.0


def summary(new: Path, old: Path | None = None) -> None:
    runs = read_run(new)
    before = read_run(old) if old else None
    keys = list(next(iter(runs.values())))
    print(f"{len(runs)} streams in {new}" + (f", against {old}" if old else ""))
    for key in keys:
        right = sum(f[key][0] for f in runs.values())
        of = sum(f[key][1] for f in runs.values())
        line = f"{key:20s} {right:>5d} of {of:<5d} ({right / max(1, of):.3f})"
        if before and all(key in before[s] for s in runs if s in before):
            common = [s for s in runs if s in before]
            b_right = sum(before[s][key][0] for s in common)
            b_of = sum(before[s][key][1] for s in common)
            sign = -1 if key in LOWER_IS_BETTER else 1
            diffs = [sign * (_rate(runs[s][key]) - _rate(before[s][key])) for s in common]
            spread = statistics.stdev(diffs) if len(diffs) > 1 else 0.0
            changed = [
                f"{s} {before[s][key][0]}->{runs[s][key][0]}"
                for s in common
                if before[s][key] != runs[s][key]
            ]
            line = (
                f"{key:20s} {b_right:>5d} of {b_of:<5d} -> {right:>5d} of {of:<5d} "
                f"gain {statistics.fmean(diffs):+.4f} ± {spread:.4f} a stream"
                + (f"; {', '.join(changed)}" if changed else "")
            )
        print(line)
    pooled = transfer(new)
    print(
        "transfer (focus towns, --peers all): "
        + "; ".join(
            f"{k} P {tp / max(1, shown):.3f} R {tp / max(1, exp):.3f} ({tp}/{shown}/{exp})"
            for k, (tp, shown, exp) in pooled.items()
            if exp
        )
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--out", type=Path, help="score every stream into this folder")
    ap.add_argument("--jobs", type=int, default=2, help="streams scored at once (default 2)")
    ap.add_argument(
        "--folds",
        type=int,
        default=0,
        help="with --out: read each stream with an article layer trained without its fold",
    )
    ap.add_argument(
        "--layers",
        type=Path,
        help="with --folds: the fold layers of this earlier run instead of training them",
    )
    ap.add_argument("--summary", type=Path, help="print the pooled figures of this run")
    ap.add_argument("--against", type=Path, help="with --summary: the run to compare with")
    args = ap.parse_args(argv)
    if not args.out and not args.summary:
        ap.error("give --out DIR (score) or --summary DIR (read a run)")
    if args.against and not args.summary:
        ap.error("--against needs --summary")
    if args.folds and not args.out:
        ap.error("--folds needs --out")
    if args.layers and not args.folds:
        ap.error("--layers needs --folds")
    if args.out:
        score_all(args.out, args.jobs, args.folds, args.layers)
    summary(args.summary or args.out, args.against)
    return 0


if __name__ == "__main__":
    sys.exit(main())
