"""The `storyline` command as a user types it: ingest, stories, show, export, report, problems."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from typer.testing import CliRunner

from storyline.cli import app

from .test_pipeline import _write_corpus

runner = CliRunner(env={"COLUMNS": "240"})


def _db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


def test_ingest_prints_a_summary_and_exits_zero_on_clean_input(tmp_path: Path) -> None:
    corpus = _write_corpus(tmp_path / "corpus")
    result = runner.invoke(app, ["ingest", str(corpus), "--db", _db(tmp_path), "--date", "2022-03-07"])
    assert result.exit_code == 0, result.output
    assert "added" in result.output and "4" in result.output
    again = runner.invoke(app, ["ingest", str(corpus), "--db", _db(tmp_path)])
    assert again.exit_code == 0
    assert "already present" in again.output


def test_ingest_exits_non_zero_and_names_bad_files(tmp_path: Path) -> None:
    corpus = _write_corpus(tmp_path / "corpus")
    (corpus / "broken.jsonl").write_text('{"id": 1,\n', encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(corpus), "--db", _db(tmp_path)])
    assert result.exit_code == 1
    assert "broken.jsonl:1" in result.output and "broken JSON" in result.output
    problems = runner.invoke(app, ["problems", "--db", _db(tmp_path)])
    assert "broken.jsonl:1" in problems.output


def test_stories_show_export_and_report(tmp_path: Path) -> None:
    corpus = _write_corpus(tmp_path / "corpus")
    runner.invoke(app, ["ingest", str(corpus), "--db", _db(tmp_path), "--date", "2022-03-07"])
    listing = runner.invoke(app, ["stories", "--db", _db(tmp_path)])
    assert listing.exit_code == 0 and "bridge" in listing.output and "Ferry runs aground" in listing.output

    exported = runner.invoke(app, ["export", "stories", "--db", _db(tmp_path)])
    stories = [json.loads(line) for line in exported.output.splitlines()]
    bridge = next(s for s in stories if s["article_count"] == 3)
    assert sorted(bridge["article_ids"]) == ["bridge-1.txt", "bridge-2.md", "vw-17"]

    shown = runner.invoke(app, ["show", bridge["id"], "--db", _db(tmp_path)])
    assert shown.exit_code == 0 and "copy of" in shown.output
    assert runner.invoke(app, ["show", "nope", "--db", _db(tmp_path)]).exit_code == 2

    articles = runner.invoke(app, ["export", "articles", "--format", "csv", "--with-text", "--db", _db(tmp_path)])
    rows = list(csv.DictReader(io.StringIO(articles.output)))
    assert {"id", "source", "url", "date", "title", "lang", "story_id", "duplicate_of", "text"} <= set(rows[0])
    copy = next(r for r in rows if r["id"] == "vw-17")
    assert copy["story_id"] == bridge["id"] and copy["source"] == "Vltava Wire"
    assert "Vltava" in copy["text"]

    out = tmp_path / "report"
    reported = runner.invoke(app, ["report", "--db", _db(tmp_path), "--out", str(out)])
    assert reported.exit_code == 0
    index = (out / "index.html").read_text(encoding="utf-8")
    assert f"story-{bridge['id']}.html" in index
    page = (out / f"story-{bridge['id']}.html").read_text(encoding="utf-8")
    assert "<svg" in page and "Vltava Wire" in page


STRIKE_1 = """Crane operators strike for a third day at Valencia port

Harbour master Ana Ruiz said on Tuesday that 14 container ships were waiting outside the port as a
strike by crane operators entered its third day.

"We lose a day of trade for every day the cranes stand still," Ruiz told reporters.
"""
STRIKE_2 = """Valencia port strike ends after pay deal

The strike by crane operators at the port of Valencia ended on Thursday after the union accepted a
pay offer, harbour master Ana Ruis said.

Ruis said the 14 ships waiting outside the port would be unloaded by Sunday.
"""


def test_who_lists_a_persons_statements_under_one_name_in_date_order(tmp_path: Path) -> None:
    corpus = tmp_path / "strike"
    corpus.mkdir()
    (corpus / "strike-1.txt").write_text(STRIKE_1, encoding="utf-8")
    (corpus / "strike-2.txt").write_text(STRIKE_2, encoding="utf-8")
    runner.invoke(app, ["ingest", str(corpus / "strike-1.txt"), "--db", _db(tmp_path), "--date", "2022-03-08"])
    runner.invoke(app, ["ingest", str(corpus / "strike-2.txt"), "--db", _db(tmp_path), "--date", "2022-03-10"])
    result = runner.invoke(app, ["who", "ana ruis", "--db", _db(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "Ana Ruiz" in result.output and "Ana Ruis" in result.output
    assert result.output.index("2022-03-08") < result.output.index("2022-03-10")
    assert "We lose a day of trade" in result.output
    assert runner.invoke(app, ["who", "Nobody Atall", "--db", _db(tmp_path)]).exit_code == 2
    quotes = [json.loads(line) for line in runner.invoke(app, ["export", "quotes", "--db", _db(tmp_path)]).output.splitlines()]
    direct = next(q for q in quotes if q["direct"])
    assert direct["speaker_mention"] == "Ruiz" and direct["speaker"] in ("Ana Ruiz", "Ana Ruis")
    assert direct["said_on"] == "2022-03-08"
    text = json.loads(
        runner.invoke(app, ["export", "articles", "--with-text", "--db", _db(tmp_path)]).output.splitlines()[0]
    )["text"]
    assert text[direct["start"] : direct["end"]] == direct["content"]
