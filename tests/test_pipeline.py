"""The ingest pipeline end to end: stories out, nothing duplicated, nothing lost on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storyline.pipeline import Ingestor, ingest_paths
from storyline.read import read_paths
from storyline.settings import Settings
from storyline.store import Store

from .conftest import SEEDS

pytestmark = pytest.mark.both_backends

# Written for these tests: two events of the same kind a week apart, one syndicated copy.
BRIDGE_1 = """Engineers close Vltava bridge after cracks found in main span

Prague city engineers closed the Palacky bridge over the Vltava on Monday after an inspection found
cracks in two steel girders of the main span, the transport department said.

Trams between Smichov and the New Town were diverted, and the department said the bridge would stay
shut to all traffic for at least three weeks while the girders are assessed.

Deputy mayor Petra Novakova said the cracks were found during a routine check and that the city had
not seen any sign of movement in the structure.
"""
BRIDGE_2 = """Palacky bridge to stay closed into April, Prague transport chief says

The Palacky bridge in Prague will remain closed until at least April, transport chief Jan Dvorak
said on Thursday, after engineers confirmed that two cracked girders in the main span must be
replaced rather than repaired.

Deputy mayor Petra Novakova said replacement steel had been ordered from a mill in Ostrava and that
trams would keep using the diversion through Smichov.
"""
FERRY = """Ferry runs aground off Split, all 212 passengers safe

A passenger ferry ran aground near the island of Brac off Split on Saturday evening, and all 212
passengers and crew were taken safely to shore, the Croatian coast guard said.

The coast guard said the vessel struck rocks in strong wind shortly after leaving port, and that
divers found a tear in its hull above the waterline.
"""


def _write_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "bridge-1.txt").write_text(BRIDGE_1, encoding="utf-8")
    (folder / "bridge-2.md").write_text(BRIDGE_2, encoding="utf-8")
    (folder / "ferry.txt").write_text(FERRY, encoding="utf-8")
    lines = BRIDGE_1.split("\n", 2)
    copy = lines[2].replace("the transport department said", "the department told Vltava Wire")
    records = [
        {"id": "vw-17", "title": lines[0], "text": copy, "date": "2022-03-07", "source": "Vltava Wire",
         "url": "https://vltavawire.example/prague/bridge?utm_source=newsletter"},
    ]
    (folder / "wire.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return folder


def _ingest(paths, settings: Settings, store: Store):
    return ingest_paths(paths, store, settings)


def test_articles_become_stories_with_copies_linked(tmp_path: Path, settings: Settings, store: Store) -> None:
    corpus = _write_corpus(tmp_path / "corpus")
    summary = _ingest([corpus], Settings(db_url=settings.db_url, default_date="2022-03-07"), store)
    assert (summary.read, summary.added, summary.near_duplicates) == (4, 4, 1)
    assert summary.failed == []
    stories = {s.id: s for s in store.stories()}
    story_of = {a.id: a.story_id for a in store.iter_articles()}
    assert story_of["bridge-1.txt"] == story_of["bridge-2.md"] == story_of["vw-17"]
    assert story_of["ferry.txt"] != story_of["bridge-1.txt"]
    assert len(stories) == 2
    copy = store.article("vw-17")
    assert copy.duplicate_of == "bridge-1.txt" or store.article("bridge-1.txt").duplicate_of == "vw-17"
    bridge = stories[story_of["bridge-1.txt"]]
    assert bridge.article_count == 3 and "bridge" in bridge.headline.lower()


def test_ingesting_again_adds_nothing(tmp_path: Path, settings: Settings, store: Store) -> None:
    corpus = _write_corpus(tmp_path / "corpus")
    _ingest([corpus], settings, store)
    before = [(a.id, a.story_id) for a in store.iter_articles()]
    again = _ingest([corpus], settings, store)
    assert (again.added, again.already_present) == (0, 4)
    assert [(a.id, a.story_id) for a in store.iter_articles()] == before


def test_same_text_under_another_name_or_tracking_url_is_stored_once(
    tmp_path: Path, settings: Settings, store: Store
) -> None:
    corpus = _write_corpus(tmp_path / "corpus")
    _ingest([corpus], settings, store)
    other = tmp_path / "other"
    other.mkdir()
    (other / "bridge-copy.txt").write_text(BRIDGE_1.replace("  ", " ").upper(), encoding="utf-8")
    (other / "same-url.jsonl").write_text(
        json.dumps({"id": "vw-17b", "title": "Bridge", "text": "A different rendering of the page.",
                    "url": "https://www.vltavawire.example/prague/bridge/?fbclid=zz"}) + "\n",
        encoding="utf-8",
    )
    summary = _ingest([other], settings, store)
    assert (summary.added, summary.duplicates) == (0, 2)
    assert store.count_articles() == 4


def test_bad_input_is_reported_and_the_rest_is_stored(tmp_path: Path, settings: Settings, store: Store) -> None:
    corpus = _write_corpus(tmp_path / "corpus")
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (corpus / "latin1.txt").write_bytes("Headline\n\nCaf\xe9".encode("latin-1"))
    (corpus / "menu.html").write_text("<html><body><nav>Home | News</nav></body></html>", encoding="utf-8")
    with (corpus / "wire.jsonl").open("a", encoding="utf-8") as handle:
        handle.write('{"id": "broken", "text": "no closing brace"\n')
    (corpus / "only-spam.txt").write_text("Win big\n\nBitcoin Trader\n\nLeave a Reply\n", encoding="utf-8")
    summary = _ingest([corpus], settings, store)
    assert summary.added == 4
    failed = {Path(p.origin.split(":")[0].split("#")[0]).name: p.reason for p in summary.failed}
    assert set(failed) == {"empty.txt", "binary.txt", "latin1.txt", "menu.html", "wire.jsonl", "only-spam.txt"}
    assert "empty" in failed["empty.txt"] and "binary" in failed["binary.txt"]
    assert "UTF-8" in failed["latin1.txt"] and "broken JSON" in failed["wire.jsonl"]
    assert "no text left after cleaning" in failed["only-spam.txt"]
    assert len(store.problems()) == 6


def test_an_interrupted_run_keeps_whole_batches_and_resumes(
    tmp_path: Path, settings: Settings, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = _write_corpus(tmp_path / "corpus")
    one_at_a_time = Settings(db_url=settings.db_url, batch_size=1)
    real_save = store.save_batch
    calls = {"n": 0}

    def failing_save(batch, **options):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real_save(batch, **options)

    monkeypatch.setattr(store, "save_batch", failing_save)
    with pytest.raises(KeyboardInterrupt):
        Ingestor(store, one_at_a_time).ingest(read_paths([corpus], one_at_a_time))
    assert store.count_articles() == 2
    monkeypatch.setattr(store, "save_batch", real_save)
    summary = Ingestor(store, one_at_a_time).ingest(read_paths([corpus], one_at_a_time))
    assert (summary.added, summary.already_present) == (2, 2)
    assert store.count_articles() == 4
    assert {s.article_count for s in store.stories()} == {3, 1}


def test_removed_lines_are_kept_for_audit(tmp_path: Path, settings: Settings, store: Store) -> None:
    corpus = _write_corpus(tmp_path / "corpus")
    (corpus / "ferry.txt").write_text(FERRY + "\nShare this article\n\nLeave a Reply\n", encoding="utf-8")
    _ingest([corpus], settings, store)
    removed = {(r.text, r.reason) for r in store.removed_lines("ferry.txt")}
    assert removed == {("Share this article", "share prompt"), ("Leave a Reply", "comment form")}
    assert "Leave a Reply" not in store.article("ferry.txt").text


@pytest.mark.skipif(not SEEDS.exists(), reason="the seed articles (../shared/seeds) are not present")
def test_the_seeds_make_one_story_with_spam_removed_and_paragraphs_kept(
    settings: Settings, store: Store
) -> None:
    summary = _ingest([SEEDS], settings, store)
    assert summary.added == 2 and summary.failed == []
    (story,) = store.stories()
    assert story.article_count == 2
    assert (story.first_date, story.last_date) == ("2022-01-25", "2022-02-24")
    for path in sorted(SEEDS.glob("*.txt")):
        article = store.article(path.name)
        removed = {r.text for r in store.removed_lines(path.name)}
        raw_lines = [line.strip() for line in path.read_text(encoding="utf-8").split("\n")[1:] if line.strip()]
        for line in raw_lines:
            if line in removed:
                continue
            start = line[:40].replace("«", '"').replace("’", "'")
            assert start in article.text, f"paragraph lost from {path.name}: {line[:60]}"
        assert "Bitcoin" not in article.text and "Leave a Reply" not in article.text
        assert "Responsible editor" not in article.text
    assert store.article("003_877551318361157e.txt").source == "Xinhua News Agency"


def test_an_ingestor_reads_again_what_another_writer_stored(tmp_path: Path, settings: Settings) -> None:
    """A long-running ingest (a watch) sees articles and stories another process stored meanwhile."""
    store = Store(settings.db_url)
    long_running = Ingestor(store, settings)
    long_running.ingest(read_paths([_write_ferry(tmp_path)], settings))  # its memory is warm now
    bridge = tmp_path / "bridge-1.txt"
    bridge.write_text(BRIDGE_1, encoding="utf-8")
    Ingestor(Store(settings.db_url), settings).ingest(read_paths([bridge], settings))
    lines = BRIDGE_1.split("\n", 2)
    copy = lines[2].replace("the transport department said", "the department told Vltava Wire")
    refiled = tmp_path / "bridge-refiled.txt"
    refiled.write_text(lines[0] + "\n\n" + copy, encoding="utf-8")
    summary = long_running.ingest(read_paths([refiled], settings))
    assert summary.near_duplicates == 1
    (article,) = store.load_articles_by_id(["bridge-refiled.txt"])
    assert article.duplicate_of == "bridge-1.txt"
    assert article.story_id == store.load_articles_by_id(["bridge-1.txt"])[0].story_id


def _write_ferry(folder: Path) -> Path:
    path = folder / "ferry.txt"
    path.write_text(FERRY, encoding="utf-8")
    return path
