"""The scripts every stop judges its changes with: eval_stream's figures as JSON, and
eval_streams' pooling and paired comparison (the figures themselves are measured, not asserted)."""

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _script(name: str):
    sys.path.insert(0, str(ROOT / "scripts"))
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(folder: Path, figures: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "one.json").write_text(json.dumps({"figures": figures["one"]}), encoding="utf-8")
    (folder / "two.json").write_text(json.dumps({"figures": figures["two"]}), encoding="utf-8")


def test_a_change_is_read_stream_by_stream_and_a_loss_counts_as_worse(
    tmp_path, monkeypatch, capsys
):
    streams = _script("eval_streams")
    monkeypatch.setattr(streams, "streams", lambda: [Path("one"), Path("two")])
    _run(
        tmp_path / "old",
        {
            "one": {"class": [8, 10], "on_topic_lost": [4, 100]},
            "two": {"class": [9, 10], "on_topic_lost": [2, 100]},
        },
    )
    _run(
        tmp_path / "new",
        {
            "one": {"class": [9, 10], "on_topic_lost": [2, 100]},
            "two": {"class": [9, 10], "on_topic_lost": [2, 100]},
        },
    )
    streams.summary(tmp_path / "new", tmp_path / "old")
    out = capsys.readouterr().out
    # pooled counts before and after, the mean gain a stream with its spread, what changed
    assert re.search(r"class\s+17 of 20\s+->\s+18 of 20\s+gain \+0\.0500 ± 0\.0707", out), out
    assert "one 8->9" in out and "two 9->9" not in out
    # fewer articles lost is a gain
    assert re.search(r"on_topic_lost\s+6 of 200\s+->\s+4 of 200\s+gain \+0\.0100 ± 0\.0141", out)


def test_a_run_without_figures_says_so(tmp_path, monkeypatch):
    streams = _script("eval_streams")
    monkeypatch.setattr(streams, "streams", lambda: [Path("one")])
    with pytest.raises(SystemExit, match="no stream figures"):
        streams.summary(tmp_path)


def test_folds_deal_every_stream_once_and_a_left_out_stream_is_not_learned_from():
    """`--folds`: each stream in exactly one fold, neighbours (written in the same stop) apart;
    the layer trained for a fold reads none of its streams."""
    streams = _script("eval_streams")
    train = _script("train_maturity")
    every = [p.name for p in streams.streams()]
    dealt = streams.folds(2)
    assert sorted(p.name for fold in dealt for p in fold) == sorted(every)
    assert all(
        (a in {p.name for p in dealt[0]}) != (b in {p.name for p in dealt[0]})
        for a, b in zip(every, every[1:])
    )
    left = [p.name for p in dealt[0]]
    sets = train.article_sets(leave_out=left)
    assert not set(left) & set(sets)
    assert {p.name for p in dealt[1]} <= set(sets) and "demo" in sets


def test_an_earlier_runs_fold_layers_are_read_instead_of_trained(tmp_path, monkeypatch):
    """`--layers OLD`: each fold's streams are read by OLD's layer for that fold, nothing is
    trained, and a run without such a layer is refused before anything is scored."""
    streams = _script("eval_streams")
    monkeypatch.setattr(streams, "streams", lambda: [Path("one"), Path("two")])
    monkeypatch.setattr(streams, "folds", lambda k: [[Path("one")], [Path("two")]])
    monkeypatch.setattr(streams, "train_without", lambda *a: pytest.fail("trained a layer"))
    used = {}

    def run(cmd, **kwargs):
        used[Path(cmd[2]).name] = Path(cmd[cmd.index("--stage-model") + 1]).read_text()
        return subprocess.CompletedProcess(cmd, 0)

    monkeypatch.setattr(streams.subprocess, "run", run)
    old = tmp_path / "old"
    old.mkdir()
    with pytest.raises(SystemExit, match="no such layer"):
        streams.score_all(tmp_path / "new", 1, 2, old)
    assert used == {}
    for n in (0, 1):
        (old / f"layer_fold{n}.json").write_text(f"layer {n}")
    streams.score_all(tmp_path / "new", 1, 2, old)
    assert used == {"one": "layer 0", "two": "layer 1"}


def test_eval_stream_refuses_a_missing_stage_model(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "eval_stream.py"),
            "--stage-model",
            str(tmp_path / "none.json"),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and "no such model file" in done.stderr


@pytest.mark.slow
def test_eval_stream_writes_the_figures_it_prints(tmp_path):
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "eval_stream.py"),
            str(ROOT / "tests" / "data" / "stream"),
            "--keep",
            str(tmp_path / "ws"),
            "--json",
            str(tmp_path / "stream.json"),
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    ).stdout
    figures = json.loads((tmp_path / "stream.json").read_text(encoding="utf-8"))["figures"]
    printed = {
        "known": r"known topics recovered \(F1 >= 0.6\): (\d+) of (\d+)",
        "class": r"trend class right \(recovered\): (\d+) of (\d+)",
        "off_topic_set_aside": r"off-topic set aside: (\d+) of (\d+)",
        "on_topic_lost": r"on-topic lost: (\d+) of (\d+)",
        "article_stage": r"article stage right \(article_stage\): (\d+) of (\d+)",
        "who": r"municipalities named by who \(recovered topics\): (\d+) of (\d+)",
    }
    for key, pattern in printed.items():
        match = re.search(pattern, out)
        assert match, (key, out)
        assert figures[key] == [int(match.group(1)), int(match.group(2))], key
    assert figures["new"][1] == 1  # the stream's one new topic


def test_a_judges_line_tells_what_it_found_and_what_it_read_wrong():
    """`eval_stream.py --judge`: the one scoring of an unseen stream is logged as one line that
    names the small topics and every class and stage read wrong (no hand-written summary)."""
    stream = _script("eval_stream")
    figures = {
        "known": [9, 10],
        "class": [8, 9],
        "stage": [9, 9],
        "every_quarter": [60, 67],
        "off_topic_set_aside": [30, 33],
        "on_topic_lost": [8, 110],
        "article_stage": [90, 102],
        "in_topic": [95, 102],
        "in_topic_english": [16, 19],
        "place_stage": [136, 162],
        "who": [29, 29],
        "who_stage": [25, 29],
    }

    def topic(tid, f1, cls, stage, subject):
        return {"truth": tid, "f1": f1, "class": cls, "stage": stage, "subject": subject}

    topics = [
        topic("T01", 0.97, ["stable", "stable"], ["standard", "standard"], "permits online"),
        topic("T02", 0.90, ["growing", "emerging"], ["rollout", "rollout"], "grants (Förderung)"),
        topic("T04", 0.50, ["new", "new"], ["pilot", "pilot"], "gully sensors, in streets"),
        topic("T05", 0.82, ["emerging", "emerging"], ["pilot", "pilot"], "AI on drone images"),
    ]
    line = stream.judge_line("stream29", "scored once, whole", figures, topics)
    assert line.startswith("stream29 (scored once, whole): topics 9 of 10 (")
    assert "the new topic, gully sensors, F1 0.50, read new" in line
    assert "the emerging topic, AI on drone images, F1 0.82, read emerging" in line
    assert "classes 8 of 9 (grants, growing, read emerging)" in line
    assert "stages 9 of 9," in line  # nothing read wrong: no parenthesis
    assert "off-topic set aside 30 of 33 (91%), on-topic lost 8 of 110 (7.3%)" in line


def test_eval_stream_logs_a_judges_line_for_the_working_part_only():
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "eval_stream.py"), "--judge", "x", "--lockbox"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and "--judge" in done.stderr


def test_the_word_model_check_asks_for_a_run_with_fold_layers(tmp_path):
    maturity_eval = _script("eval_maturity")
    with pytest.raises(SystemExit, match=r"layer_fold0\.json: no such layer"):
        maturity_eval.article_words(tmp_path, None)
