"""Threads: the events of one storyline linked, so that a position restated at a later event
joins the claim it repeats, across stories."""

from __future__ import annotations

from dataclasses import replace

import pytest

from storyline.claims import ClaimInput, group_claims
from storyline.cluster.features import extract_features
from storyline.cluster.online import DocumentFrequencies, OnlineClusterer, story_id_for
from storyline.cluster.profile import StoryProfile
from storyline.settings import Settings
from storyline.store import Batch, Store

from .test_cluster import BACKGROUND, QUAKE_CHILE, QUAKE_CHILE_FOLLOW_UP, make_article


def _clusterer(**settings) -> OnlineClusterer:
    clusterer = OnlineClusterer(Settings(db_url="sqlite://", **settings), DocumentFrequencies())
    for n, item in enumerate(BACKGROUND):
        clusterer.assign(f"bg-{n}", extract_features(make_article(f"bg-{n}", *item)))
    return clusterer


def _link(probe: OnlineClusterer) -> float:
    """Return how probably the Chile follow-up joins the story of the first Chile report."""
    probe.assign("chile-1", extract_features(make_article("chile-1", *QUAKE_CHILE)))
    features = extract_features(make_article("chile-2", *QUAKE_CHILE_FOLLOW_UP))
    return probe.probability(features, probe.profiles[story_id_for("chile-1")])


@pytest.mark.parametrize(("thread_below", "linked"), [(True, True), (False, False)])
def test_a_new_story_joins_the_thread_of_its_closest_story_above_the_thread_probability(
    thread_below: bool, linked: bool
) -> None:
    link = _link(_clusterer())
    thread_at = link * 0.5 if thread_below else min(1.0, link * 1.5 + 1e-6)
    clusterer = _clusterer(story_join_probability=1.0, story_thread_probability=thread_at)
    first = clusterer.assign("chile-1", extract_features(make_article("chile-1", *QUAKE_CHILE)))
    later = clusterer.assign("chile-2", extract_features(make_article("chile-2", *QUAKE_CHILE_FOLLOW_UP)))
    assert later.created and later.story_id != first.story_id  # never joined: a story of its own
    thread = clusterer.profiles[later.story_id].thread
    assert (thread == first.story_id) is linked
    assert ("thread" in later.signals) is linked
    assert clusterer.profiles[first.story_id].thread == first.story_id


def test_a_merge_folds_the_merged_storys_thread_and_a_split_keeps_it() -> None:
    clusterer = OnlineClusterer(Settings(db_url="sqlite://"), DocumentFrequencies())
    clusterer.load([
        StoryProfile("jan"), StoryProfile("feb", thread_id="jan"),
        StoryProfile("mar"), StoryProfile("apr", thread_id="mar"),
    ])  # fmt: skip
    clusterer.merge("feb", "mar")  # one event in two stories: their storylines are one
    assert {s: p.thread for s, p in clusterer.profiles.items()} == {"jan": "jan", "feb": "jan", "apr": "jan"}
    assert dict(clusterer.merged_threads) == {"mar": "jan"}
    chile = [extract_features(make_article("chile-1", *QUAKE_CHILE))]
    clusterer.split("feb", "feb#split", keep=[], move=chile)
    assert clusterer.profiles["feb#split"].thread == "jan"


def _input(statement_id: str, story_id: str, thread_id: str, text: str, day: str, source: str) -> ClaimInput:
    return ClaimInput(
        statement_id, f"{statement_id}-article", story_id, source, "Jens Stoltenberg", text, day,
        thread_id=thread_id,
    )


JANUARY = _input("s1", "jan", "jan", "NATO has no plans to send combat troops to Ukraine.", "2022-01-25", "Baltic Wire")
INVASION_DAY = _input("s2", "feb", "jan", "NATO has no plans to send combat troops to Ukraine.", "2022-02-24", "Huaxia")


def test_a_statement_repeated_at_a_later_event_of_the_thread_joins_its_claim() -> None:
    [claim] = group_claims([JANUARY, INVASION_DAY])
    assert claim.thread_id == "jan" and {s.story_id for s in claim.statements} == {"jan", "feb"}
    assert {v.kind for v in claim.verdicts} >= {"repeated", "confirmed"}
    apart = group_claims([JANUARY, replace(INVASION_DAY, thread_id="feb")])  # two storylines
    assert sorted(c.thread_id for c in apart) == ["feb", "jan"]


@pytest.mark.both_backends
def test_the_store_folds_a_merged_thread_and_reads_claims_by_thread(store: Store) -> None:
    [claim] = group_claims([JANUARY, INVASION_DAY])
    store.save_batch(Batch(
        created_stories=["jan", "feb", "mar", "apr"],
        threads={"jan": "jan", "feb": "jan", "mar": "mar", "apr": "mar"},
        claims={"jan": [claim.to_record()]},
    ))  # fmt: skip
    assert [c["id"] for c in store.claim_records(["feb"])] == [claim.id]  # the thread's claims
    assert store.claim_records(["mar"]) == []
    store.save_batch(Batch(merges=[("feb", "mar")], threads={"feb": "jan"}))
    assert store.story_threads(["jan", "feb", "mar", "apr"]) == {"jan": "jan", "feb": "jan", "mar": "jan", "apr": "jan"}
    assert [c["id"] for c in store.claim_records(["apr"])] == [claim.id]
