"""The store on both back-ends: full-text search behind one interface, counters and the ledger
written by several writers, input of any length, and a batch refused when the store moved on."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from storyline.pipeline import ingest_paths
from storyline.settings import Settings
from storyline.store import Batch, Store, StoreConflict
from storyline.store.schema import ArticleRow, SourceLineRow
from storyline.store.search import (
    MARK_END,
    MARK_START,
    article_match,
    ensure_search_index,
    has_search_index,
    query_terms,
    search_articles,
)
from tests.test_desk_api import IDS, build_desk_store

pytestmark = pytest.mark.both_backends


@pytest.fixture
def searchable(db_url: str) -> Store:
    """The desk's two stories (a Gdańsk dock strike, a Drava flood), with the search index on."""
    store = build_desk_store(db_url)
    assert ensure_search_index(store.engine)
    assert ensure_search_index(store.engine)  # idempotent
    yield store
    store.close()


def test_search_requires_every_word_and_ranks_titles_first(searchable: Store) -> None:
    with searchable.session() as session:
        assert has_search_index(session)
        hits, total = search_articles(session, "Gdańsk strike")
        assert total == 2
        # "strike" is in the second report's title, only in the text of the first
        assert [h.article_id for h in hits] == [IDS.strike_second, IDS.strike_copy]
        assert hits[0].rank <= hits[1].rank
        hits, total = search_articles(session, "sandbags osijek")
        assert (total, [h.article_id for h in hits]) == (1, [IDS.flood_first])
        assert f"{MARK_START}sandbags{MARK_END}" in hits[0].snippet.lower()


def test_search_stems_folds_accents_and_never_parses_operators(searchable: Store) -> None:
    with searchable.session() as session:
        assert search_articles(session, "gdansk")[1] == 3  # "Gdańsk" with its accent folded
        assert search_articles(session, "halting")[1] == search_articles(session, "halts")[1] >= 1
        for hostile in ('"night-shift" NEAR(bonus', "bonus* -strike", "strike' OR 1=1 --", "&|!():*"):
            words = " ".join(query_terms(hostile))  # what is searched: its words, all required
            assert search_articles(session, hostile)[1] == search_articles(session, words)[1]
        assert search_articles(session, "dockers OR sandbags")[1] == 0  # "OR" is a word
        assert search_articles(session, "the")[1] == 4  # every English article: "the" is indexed


def test_search_matches_articles_written_after_the_index(searchable: Store) -> None:
    with searchable.session.begin() as session:
        session.add(
            ArticleRow(
                id="late/ferry", title="Ferry aground off Split", text="All 212 passengers safe.",
                origin="fixture", content_hash="late",
            )
        )
    with searchable.session() as session:
        assert [h.article_id for h in search_articles(session, "ferry passengers")[0]] == ["late/ferry"]
        match = article_match(session, "ferry passengers")
        assert session.scalars(ArticleRow.__table__.select().where(match)).all() == ["late/ferry"]


def test_counting_the_same_articles_twice_counts_them_once(db_url: str) -> None:
    store = Store(db_url)
    lines = {"a1": Counter({("Wire", "share this"): 1}), "a2": Counter({("Wire", "share this"): 1})}
    store.count_lines(lines)
    store.count_lines({**lines, "a3": Counter({("Wire", "share this"): 1})})
    with store.session() as session:
        assert session.scalars(select(SourceLineRow.articles)).all() == [3]
    assert store.counted_article_ids(["a1", "a2", "a3", "a4"]) == {"a1", "a2", "a3"}


def test_a_batch_prepared_on_an_older_store_is_refused_and_writes_nothing(db_url: str) -> None:
    store = Store(db_url)
    version = store.save_batch(Batch(term_counts=Counter({"ferry": 1})))
    store.save_batch(Batch(term_counts=Counter({"ferry": 1})), prepared_on=version)
    with pytest.raises(StoreConflict):
        store.save_batch(Batch(term_counts=Counter({"ferry": 5})), prepared_on=version)
    assert store.term_frequencies(["ferry"]) == ({"ferry": 2}, 0)
    assert store.version() == version + 1


def test_input_of_any_length_is_stored(db_url: str, tmp_path: Path) -> None:
    """Ids, URLs, language tags and words longer than a VARCHAR would take, as real input has."""
    url = "https://example.org/" + "/".join(["very-long-path-segment"] * 120)
    word = "-".join(["Zusammenarbeit"] * 12)
    record = {
        "id": url, "title": "Ferry aground off Split", "url": url, "source": "Wire " * 80,
        "lang": "en-GB-oxendict", "date": "2022-03-05",
        "text": f"A ferry ran aground near Split on Saturday, the coast guard said. {word} ended.",
    }
    (tmp_path / "in.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    store = Store(db_url)
    summary = ingest_paths([tmp_path / "in.jsonl"], store, Settings(db_url=db_url))
    assert summary.added == 1 and not summary.failed
    assert store.article(url).lang == "en-GB-oxendict"


def test_writes_held_by_exclusive_commit_together_at_its_end(db_url: str) -> None:
    store, reader = Store(db_url), Store(db_url)
    with store.exclusive():
        version = store.save_batch(Batch(term_counts=Counter({"ferry": 1})), prepared_on=0)
        assert reader.term_frequencies(["ferry"]) == ({}, 0) and reader.version() == 0
    assert reader.term_frequencies(["ferry"])[0] == {"ferry": 1} and reader.version() == version == 1
    with pytest.raises(KeyboardInterrupt), store.exclusive():
        store.save_batch(Batch(term_counts=Counter({"ferry": 1})))
        raise KeyboardInterrupt
    assert reader.term_frequencies(["ferry"])[0] == {"ferry": 1} and reader.version() == 1
