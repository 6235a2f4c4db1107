"""sources.yaml validation (file:line: key: message), import, status and export through the CLI."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import distinct_text

from trends.cli import main
from trends.config import ConfigError, load_sources

REPO = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_sources_yaml_is_valid_and_marks_unverified_urls():
    config = load_sources(REPO / "sources.yaml")
    assert not config.errors and len(config.sources) >= 10
    web = [s for s in config.sources if s.kind != "dir"]
    assert all(not s.verified for s in web)
    assert any(s.kind == "page" and s.article_pattern for s in web)
    assert any(s.filter != "none" for s in web)
    assert "http" in config.defaults.user_agent and not config.defaults.allow_private_hosts


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        (
            "sources:\n  - id: a\n    kind: feed\n    url: https://x.org/f\n    colour: red\n",
            ":5: sources[0].colour: unknown key",
        ),
        (
            "sources:\n  - id: a\n    kind: feed\n    url: ftp://x.org/f\n",
            ":4: sources[0].url: not an http(s) URL",
        ),
        ("sources:\n  - id: a\n    kind: rss\n    url: https://x.org/f\n", ":3: sources[0].kind"),
        (
            "sources:\n  - id: a\n    kind: feed\n    url: https://x.org/f\n    tags: 5\n",
            ":5: sources[0].tags",
        ),
        (
            "sources:\n  - {id: a, kind: feed, url: 'https://x.org/1'}\n  - {id: a, kind: feed, url: 'https://x.org/2'}\n",
            ":3: sources[1].id: duplicate id 'a'",
        ),
        ("sources:\n  - id: a\n    kind: page\n", ":2: sources[0]: kind 'page' needs `url`"),
    ],
)
def test_bad_source_entries_name_file_line_and_key(tmp_path, yaml_text, expected):
    config = load_sources(write(tmp_path, yaml_text))
    assert len(config.errors) == 1
    assert str(tmp_path / "sources.yaml") + expected in config.errors[0]


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        ("defaults:\n  delay: soon\n", ":2: defaults.delay"),
        ("defaults:\n  delay: 1\n  delay: 2\n", ":3: delay: duplicate key"),
        ("sources:\n  - id: a\n   kind: feed\n", "sources.yaml:3: not valid YAML"),
        ("srcs: []\n", ":1: srcs: unknown key"),
    ],
)
def test_unusable_files_raise_one_line_errors(tmp_path, yaml_text, expected):
    with pytest.raises(ConfigError) as info:
        load_sources(write(tmp_path, yaml_text))
    assert expected in str(info.value) and "\n" not in str(info.value)


def test_init_writes_a_valid_commented_sources_yaml_and_never_overwrites(tmp_path):
    runner = CliRunner()
    folder = tmp_path / "new"
    result = runner.invoke(main, ["-w", str(folder), "status"])
    assert result.exit_code == 2 and "`trends init` writes a commented one" in result.output
    assert runner.invoke(main, ["-w", str(folder), "init"]).exit_code == 0
    config = load_sources(folder / "sources.yaml")
    assert not config.errors and len(config.sources) >= 10
    assert (folder / "sources.yaml").read_text(encoding="utf-8").startswith("# sources.yaml")
    (folder / "sources.yaml").write_text("sources: []  # mine\n", encoding="utf-8")
    again = runner.invoke(main, ["-w", str(folder), "init"])
    assert again.exit_code == 1 and "exists already" in again.output
    assert "# mine" in (folder / "sources.yaml").read_text(encoding="utf-8")


def test_status_on_empty_and_invalid_workspace(tmp_path):
    runner = CliRunner()
    write(tmp_path, "sources:\n  - {id: a, kind: feed, url: 'https://x.org/f'}\n")
    result = runner.invoke(main, ["--workspace", str(tmp_path), "status"])
    assert result.exit_code == 0 and "corpus: empty" in result.output
    assert "models: none yet (run `trends analyze`)" in result.output
    write(tmp_path, "sources:\n  - {id: a, kind: feed, url: 'https://x.org/f', bogus: 1}\n")
    result = runner.invoke(main, ["--workspace", str(tmp_path), "status"])
    assert result.exit_code == 2 and "sources[0].bogus: unknown key" in result.output


def test_status_table_shows_whole_source_ids_for_eight_quarters_in_80_columns(tmp_path):
    write(tmp_path, "sources: []\n")
    jsonl = tmp_path / "in.jsonl"
    rows = [
        {
            "title": f"Meldung {2 * i + k}",
            "text": distinct_text(2 * i + k),
            "published": f"{2024 + (i + 9) // 12}-{(i + 9) % 12 + 1:02d}-15",
            "source": name,
        }
        for i in range(24)
        for k, name in enumerate(("kommunal-digital-nrw", "kommunal-it"))
    ]
    jsonl.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(main, ["-w", str(tmp_path), "import", str(jsonl)]).exit_code == 0
    out = runner.invoke(main, ["-w", str(tmp_path), "status"], terminal_width=80).output
    assert "kommunal-digital-nrw" in out and "kommunal-it " in out and "Q4" in out


def test_import_a_csv_saved_by_german_excel(tmp_path):
    # semicolons, Windows-1252, dates as 01.03.2026: what "Speichern unter > CSV" gives
    write(tmp_path, "sources: []\n")
    rows = [
        "title;text;published;source",
        f"Bauantrag in Soest;{distinct_text(1)} Straße;01.03.2026;soest",
        f"E-Akte in Paderborn;{distinct_text(2)};2.4.2026;paderborn",
        f"Unklares Datum;{distinct_text(3)};31.02.2026;soest",
    ]
    path = tmp_path / "excel.csv"
    path.write_bytes("\r\n".join(rows).encode("cp1252"))
    runner = CliRunner()
    result = runner.invoke(main, ["-w", str(tmp_path), "import", str(path)])
    assert result.exit_code == 0, result.output
    docs = runner.invoke(main, ["-w", str(tmp_path), "export", "documents"]).output.splitlines()
    by_title = {d["title"]: d for d in map(json.loads, docs)}
    assert by_title["Bauantrag in Soest"]["published"] == "2026-03-01"
    assert by_title["Bauantrag in Soest"]["text"].endswith("Straße")
    assert by_title["E-Akte in Paderborn"]["published"] == "2026-04-02"
    assert by_title["Unklares Datum"]["published"] == ""  # stored undated, with a failure row
    status = runner.invoke(main, ["-w", str(tmp_path), "status"]).output
    assert "unparseable published date" in status


def test_a_csv_cell_longer_than_the_csv_default_cap_is_imported_whole_and_the_cap_kept(tmp_path):
    import csv

    write(tmp_path, "sources: []\n")
    long_text = (distinct_text(4) + " ") * 2000  # far beyond the csv module's 128 KiB per field
    assert len(long_text) > 2 * csv.field_size_limit()
    path = tmp_path / "long.csv"
    path.write_text(f'title,text,published\nLanger Bericht,"{long_text}",2026-03-01\n', "utf-8")
    cap = csv.field_size_limit()
    runner = CliRunner()
    result = runner.invoke(main, ["-w", str(tmp_path), "import", str(path)])
    assert result.exit_code == 0, result.output
    # the import raised the process-wide cap only while it parsed a row
    assert csv.field_size_limit() == cap
    docs = runner.invoke(main, ["-w", str(tmp_path), "export", "documents"]).output.splitlines()
    (doc,) = map(json.loads, docs)
    assert doc["text"] == long_text.strip()


def test_import_reads_german_column_names_and_names_a_header_it_cannot_use(tmp_path):
    write(tmp_path, "sources: []\n")
    good = tmp_path / "meldungen.csv"
    good.write_text(
        f"Titel;Inhalt;Datum;Quelle\nE-Akte in Werl;{distinct_text(6)};01.03.2026;werl\n"
        # a feed reader's export: the feed's own date format
        f"Aus dem Feed;{distinct_text(7)};Tue, 03 Mar 2026 10:00:00 +0100;feed\n",
        encoding="utf-8",
    )
    bad = tmp_path / "export.csv"
    bad.write_text("a,b,c\n1,2,3\n4,5,6\n7,8,9\n", encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(main, ["-w", str(tmp_path), "import", str(good), str(bad)]).exit_code == 0
    docs = [json.loads(x) for x in runner.invoke(main, ["-w", str(tmp_path), "export", "documents"]).output.splitlines()]  # fmt: skip
    assert sorted((d["title"], d["published"], d["source"]) for d in docs) == [
        ("Aus dem Feed", "2026-03-03", "feed"),
        ("E-Akte in Werl", "2026-03-01", "werl"),
    ]
    status = runner.invoke(main, ["-w", str(tmp_path), "status"]).output
    assert "no title or text column (found a, b, c)" in status
    assert "missing title and text" not in status  # one reason for the file, not one per row


def test_a_date_in_the_future_is_not_kept_and_analyze_says_what_is_missing(tmp_path):
    # "2062" for "2026": kept, its quarter would become the one analyze and report default to
    write(tmp_path, "sources: []\n")
    rows = [
        {"title": "Heute", "text": distinct_text(1), "published": "2026-08-01"},
        {"title": "Tippfehler", "text": distinct_text(2), "published": "2062-08-01"},
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(main, ["-w", str(tmp_path), "import", str(path)]).exit_code == 0
    docs = runner.invoke(main, ["-w", str(tmp_path), "export", "documents"]).output.splitlines()
    assert {d["title"]: d["published"] for d in map(json.loads, docs)} == {
        "Heute": "2026-08-01",
        "Tippfehler": "",
    }
    status = runner.invoke(main, ["-w", str(tmp_path), "status"]).output
    assert "published date in the future" in status
    # one dated article is too little for topics: a one-line reason, not a traceback
    result = runner.invoke(main, ["-w", str(tmp_path), "analyze"])
    assert result.exit_code == 1 and "only 1 dated article in the window" in result.output
    assert "Traceback" not in result.output


def test_analyze_of_texts_without_usable_words_is_a_clear_error(tmp_path):
    write(tmp_path, "sources: []\n")
    rows = [{"title": str(i), "text": f"{i}23 4{i}6", "published": f"2026-08-0{i}"} for i in (1, 2)]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(main, ["-w", str(tmp_path), "import", str(path)]).exit_code == 0
    result = runner.invoke(main, ["-w", str(tmp_path), "analyze"])
    assert result.exit_code == 1 and "no topics can be found in this window" in result.output


def test_a_damaged_or_locked_corpus_is_a_one_line_error(tmp_path, monkeypatch):
    import sqlite3

    from trends.corpus import Corpus

    write(tmp_path, "sources: []\n")
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "corpus.sqlite").write_bytes(b"\x13\x37 not sqlite " * 400)
    runner = CliRunner()
    for args in (["status"], ["search", "OZG"], ["analyze"]):
        result = runner.invoke(main, ["-w", str(tmp_path), *args])
        assert result.exit_code == 1 and "the corpus file cannot be read" in result.output, args

    def raising(message):
        def init(self, path):
            raise sqlite3.OperationalError(message)

        return init

    monkeypatch.setattr(Corpus, "__init__", raising("database is locked"))
    result = runner.invoke(main, ["-w", str(tmp_path), "status"])
    assert result.exit_code == 1 and "the corpus is locked" in result.output
    # a wrong query is a bug, not a user's problem: it keeps its traceback
    monkeypatch.setattr(Corpus, "__init__", raising("no such column: x"))
    result = runner.invoke(main, ["-w", str(tmp_path), "status"])
    assert isinstance(result.exception, sqlite3.OperationalError)


def test_csv_export_does_not_hand_a_spreadsheet_formulas(tmp_path):
    # titles come from the web: "=HYPERLINK(...)" must open as text, in CSV only (JSONL is data)
    write(tmp_path, "sources: []\n")
    rows = [
        {"title": '=HYPERLINK("http://evil.example","x")', "text": distinct_text(1)},
        {"title": "-Minus am Anfang", "text": distinct_text(2)},
        {"title": "Normal", "text": distinct_text(3)},
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(main, ["-w", str(tmp_path), "import", str(path)]).exit_code == 0
    out = runner.invoke(main, ["-w", str(tmp_path), "export", "documents", "--format", "csv"])
    titles = {r["title"] for r in csv.DictReader(io.StringIO(out.output))}
    assert titles == {'\'=HYPERLINK("http://evil.example","x")', "'-Minus am Anfang", "Normal"}
    out = runner.invoke(main, ["-w", str(tmp_path), "export", "documents"])
    assert '=HYPERLINK("http://evil.example","x")' in {
        json.loads(x)["title"] for x in out.output.splitlines()
    }


def test_excel_export_opens_in_german_excel():
    from trends.export import write_rows

    buf = io.StringIO()
    rows = [{"id": "a", "share": 0.25, "count": 3, "names": ["Soest", "Werl"], "title": "=1+1"}]
    assert write_rows(rows, "excel", buf) == 1
    text = buf.getvalue()
    assert text.startswith("\ufeffid;share;count;names;title")  # BOM: Excel reads UTF-8
    (row,) = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";")
    assert row == {"id": "a", "share": "0,25", "count": "3", "names": '["Soest", "Werl"]',
                   "title": "'=1+1"}  # fmt: skip


def test_import_jsonl_csv_and_folder_then_export(tmp_path, monkeypatch):
    monkeypatch.setenv("TRENDS_WORKSPACE", str(tmp_path))
    write(tmp_path, "sources: []\n")
    rows = [
        {
            "id": "a1",
            "title": "Erster Artikel",
            "text": distinct_text(1),
            "published": "2025-02-01",
            "source": "team",
        },
        {
            "title": "Zweiter",
            "text": distinct_text(2),
            "published": "2025-08-15",
            "url": "https://example.org/z?utm_source=x",
        },
        {"title": "Kopie", "text": distinct_text(1), "published": "2025-02-02"},
        {"title": "", "text": "kein Titel"},
    ]
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n{kaputt\n", encoding="utf-8"
    )
    csv_path = tmp_path / "in.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, ["title", "text", "published", "language"])
        writer.writeheader()
        writer.writerow(
            {
                "title": "Aus CSV",
                "text": distinct_text(3),
                "published": "2026-01-05",
                "language": "de",
            }
        )
        writer.writerow(
            {"title": "Datum kaputt", "text": distinct_text(4), "published": "Anfang Januar"}
        )
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "x.md").write_text("# Notiz aus Ordner\n" + distinct_text(5), encoding="utf-8")

    (folder / "scan.pdf").write_bytes(b"%PDF-1.4")  # in a folder: passed over
    pdf = tmp_path / "scan.pdf"  # named alone: a failure that says what import reads
    pdf.write_bytes(b"%PDF-1.4")

    runner = CliRunner()
    missing = str(tmp_path / "missing.jsonl")
    result = runner.invoke(
        main, ["import", str(jsonl), str(csv_path), str(folder), missing, str(pdf)]
    )
    assert result.exit_code == 0, result.output
    assert "total" in result.output

    result = runner.invoke(main, ["export", "documents", "--format", "jsonl"])
    docs = [json.loads(line) for line in result.output.splitlines()]
    titles = sorted(d["title"] for d in docs)
    assert titles == ["Aus CSV", "Datum kaputt", "Erster Artikel", "Notiz aus Ordner", "Zweiter"]
    first = next(d for d in docs if d["title"] == "Erster Artikel")
    assert first["id"] == "a1" and first["published"] == "2025-02-01" and first["source"] == "team"
    assert next(d for d in docs if d["title"] == "Datum kaputt")["published"] == ""

    result = runner.invoke(main, ["export", "documents", "--format", "csv"])
    table = list(csv.DictReader(io.StringIO(result.output)))
    assert len(table) == 5 and {
        "id",
        "url",
        "title",
        "published",
        "source",
        "language",
        "text",
        "topic_id",
        "topic_weight",
    } <= set(table[0])

    status = runner.invoke(main, ["status"])
    assert status.exit_code == 0
    for reason in (
        "invalid JSON line",
        "missing title",
        "unparseable published date, stored undated",
        "no such file or folder",
        "not .jsonl, .csv, .html, .htm, .md or .txt",
    ):
        assert reason in status.output

    again = runner.invoke(main, ["import", str(jsonl)])
    assert "total" in again.output
    docs2 = runner.invoke(main, ["export", "documents"]).output.splitlines()
    assert len(docs2) == 5  # re-import stores nothing twice


def test_every_command_explains_itself():
    runner = CliRunner()
    top = runner.invoke(main, ["--help"])
    assert top.exit_code == 0
    for command in main.commands:
        result = runner.invoke(main, [command, "--help"])
        assert result.exit_code == 0 and len(result.output.split()) > 15, command
