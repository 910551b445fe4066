"""The bundled sample corpus end to end: what `make demo` shows, pinned against its gold labels."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from storyline.evaluate.stories import score_clustering
from storyline.pipeline import ingest_paths
from storyline.settings import Settings
from storyline.store import Store

from .conftest import REPO, SAMPLE_CORPUS

LABELS = json.loads((REPO / "examples" / "labels" / "sample_stories.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    url = f"sqlite:///{tmp_path_factory.mktemp('sample') / 'sample.db'}"
    store = Store(url)
    summary = ingest_paths([SAMPLE_CORPUS], store, Settings(db_url=url))
    assert summary.failed == [] and summary.read == len(LABELS["stories"])
    return store


def test_every_labelled_article_is_stored_once_and_copies_are_linked(sample_store: Store) -> None:
    stored = {row.id: row for row in sample_store.iter_articles()}
    kinds = LABELS["duplicate_kinds"]
    for copy, original in LABELS["duplicates"].items():
        if kinds[copy] == "exact":
            assert copy not in stored and original in stored
        else:  # on the same day either may come first: the one read first counts as original
            assert original in (stored[copy].duplicate_of,) or stored[original].duplicate_of == copy
            assert stored[copy].story_id == stored[original].story_id
    assert set(stored) == {i for i in LABELS["stories"] if kinds.get(i) != "exact"}


def test_stories_match_the_gold_labels(sample_store: Store) -> None:
    gold = {k: v or f"none:{k}" for k, v in LABELS["stories"].items()}
    predicted = {row.id: row.story_id for row in sample_store.iter_articles()}
    scores = score_clustering(predicted, gold)
    assert scores.bcubed_f1 >= 0.80, scores  # measured 0.852
    nato = Counter(predicted[i] for i, story in LABELS["stories"].items() if story == "nato-no-troops" and i in predicted)
    story_id, count = nato.most_common(1)[0]
    assert count == sum(nato.values()), "the no-troops story is one story"
    members = Counter(gold[i] for i, s in predicted.items() if s == story_id)
    assert set(members) == {"nato-no-troops"}


def test_name_variants_resolve_to_one_person(sample_store: Store) -> None:
    for person in ("Jen Psaki", "Jens Stoltenberg", "Volodymyr Zelensky", "John Kirby"):
        entities = {sample_store.find_entities(variant, limit=1)[0].id for variant in LABELS["people"][person]}
        assert len(entities) == 1, (person, entities)


def test_the_no_troops_position_is_one_claim_repeated_and_confirmed(sample_store: Store) -> None:
    story_id = sample_store.article("wire/huaxia-2022-02-24-nato.txt").story_id
    claims = sample_store.claim_records([story_id])
    no_troops = [
        c for c in claims
        if {"repeated", "confirmed"} <= {v["kind"] for v in c["verdicts"]}
        and any("troops" in s["content"] and "Stoltenberg" in (s["speaker"] or "") for s in c["statements"])
    ]
    assert no_troops, [c["text"] for c in claims]
    dates = sorted(s["date"] for s in no_troops[0]["statements"] if s["date"] and s["date"][0].isdigit())
    assert dates[0].startswith("2022-01") and dates[-1].startswith("2022-02")
    assert len(no_troops[0]["outlets"]) >= 2


def test_statements_are_dated_and_point_into_the_text(sample_store: Store) -> None:
    for statement, article in sample_store.statements_of(story_id=sample_store.article("cd-20220124-017").story_id):
        assert article.text[statement.start : statement.end] == statement.content
        if article.date and article.date[0].isdigit():
            assert statement.said_on and statement.said_on_source in ("time expression", "article date")
