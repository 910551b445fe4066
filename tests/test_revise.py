"""Revising the window's stories: a story of two events is split, one event in two stories merged."""

from __future__ import annotations

import pytest

from storyline.cluster.features import extract_features
from storyline.cluster.online import DocumentFrequencies, OnlineClusterer, story_id_for
from storyline.cluster.profile import StoryProfile
from storyline.cluster.revise import Merge, Split, _Links, _neighbours, apply_revisions, revisions
from storyline.settings import Settings

from .test_cluster import BACKGROUND, QUAKE_CHILE, QUAKE_CHILE_FOLLOW_UP, QUAKE_PERU, make_article

CHILE = story_id_for("chile-1")


# The shipped model's join probability: two reports of one quake link at about 0.2-0.3, a report
# of another quake at under 0.001.
REVISE_AT = 0.15


def _clusterer(revise_at: float | None = REVISE_AT) -> OnlineClusterer:
    clusterer = OnlineClusterer(
        Settings(db_url="sqlite://", story_revise_probability=revise_at), DocumentFrequencies()
    )
    for n, item in enumerate(BACKGROUND):
        clusterer.assign(f"bg-{n}", extract_features(make_article(f"bg-{n}", *item)))
    return clusterer


def _features(article_id: str, item: tuple[str, str, str]):
    return extract_features(make_article(article_id, *item))


def test_a_story_holding_two_quakes_is_split_and_the_larger_older_part_keeps_its_id() -> None:
    clusterer = _clusterer()
    articles = [
        _features("chile-1", QUAKE_CHILE), _features("chile-2", QUAKE_CHILE_FOLLOW_UP),
        _features("peru-1", QUAKE_PERU),
    ]  # fmt: skip
    for features in articles:  # as if online assignment had put the Peru quake in Chile's story
        clusterer.join(CHILE, features)
    planned = revisions(clusterer, [CHILE])
    assert planned == [Split(CHILE, story_id_for("peru-1#split"), ("peru-1",), planned[0].link)]
    assert planned[0].link < REVISE_AT
    apply_revisions(clusterer, planned, lambda story_id: articles)
    assert clusterer.profiles[CHILE].article_count == 2
    assert [m.article_id for m in clusterer.profiles[story_id_for("peru-1#split")].members] == ["peru-1"]
    assert revisions(clusterer, [CHILE, story_id_for("peru-1#split")]) == []  # nothing to undo


def test_one_quake_in_two_stories_is_merged_into_the_older() -> None:
    clusterer = _clusterer()
    clusterer.join(CHILE, _features("chile-1", QUAKE_CHILE))
    later = story_id_for("chile-2")
    clusterer.join(later, _features("chile-2", QUAKE_CHILE_FOLLOW_UP))
    planned = revisions(clusterer, [later])
    assert [(r.into, r.merged) for r in planned] == [(CHILE, later)]
    assert isinstance(planned[0], Merge) and planned[0].link >= REVISE_AT
    apply_revisions(clusterer, planned, lambda story_id: [])
    assert later not in clusterer.profiles and clusterer.profiles[CHILE].article_count == 2


def test_a_merge_link_that_stops_scoring_early_decides_as_the_full_mean() -> None:
    clusterer = _clusterer()
    for article_id, item in (("chile-1", QUAKE_CHILE), ("chile-2", QUAKE_CHILE_FOLLOW_UP), ("peru-1", QUAKE_PERU)):
        clusterer.join(story_id_for(article_id), _features(article_id, item))
    chile_1, chile_2, peru = (clusterer.profiles[story_id_for(i)].members for i in ("chile-1", "chile-2", "peru-1"))
    links = _Links(clusterer)
    same, apart = links.mean(chile_1, chile_2), links.mean(chile_1 + chile_2, peru)
    assert apart < REVISE_AT <= same
    for threshold in (0.0, apart, REVISE_AT, same, 0.99):
        assert links.mean_reaching(chile_1, chile_2, threshold) == (same if same >= threshold else None)
        assert links.mean_reaching(chile_1 + chile_2, peru, threshold) == (apart if apart >= threshold else None)


def test_only_a_story_its_latest_report_would_link_as_a_thread_is_compared_for_a_merge() -> None:
    clusterer = _clusterer()
    for article_id, item in (("chile-1", QUAKE_CHILE), ("chile-2", QUAKE_CHILE_FOLLOW_UP), ("peru-1", QUAKE_PERU)):
        clusterer.join(story_id_for(article_id), _features(article_id, item))
    chile_2, peru = (clusterer.profiles[story_id_for(i)] for i in ("chile-2", "peru-1"))
    latest = peru.members[-1].features()
    assert CHILE in {p.story_id for p in clusterer._candidates(latest)}  # found by its words
    assert clusterer.probability(latest, clusterer.profiles[CHILE]) < 0.1  # but another event
    assert CHILE not in _neighbours(clusterer, peru.members, exclude={peru.story_id})
    assert _neighbours(clusterer, chile_2.members, exclude={chile_2.story_id})[0] == CHILE


def test_corrections_are_respected_and_no_threshold_means_no_revision() -> None:
    clusterer = _clusterer()
    for item_id, item in (("chile-1", QUAKE_CHILE), ("peru-1", QUAKE_PERU)):
        clusterer.join(CHILE, _features(item_id, item))
    assert revisions(clusterer, [CHILE], pinned=frozenset({CHILE})) == []  # a person put them together
    kept = _clusterer()
    kept.join(CHILE, _features("chile-1", QUAKE_CHILE))
    kept.join("s-later", _features("chile-2", QUAKE_CHILE_FOLLOW_UP))
    kept.kept_apart.add(frozenset((CHILE, "s-later")))  # a person moved them apart
    assert revisions(kept, ["s-later"]) == []
    never = _clusterer(revise_at=None)  # the shipped weights decide; none revise
    never.models = {kind: type(m)(m.features, m.coefficients, m.intercept, m.threshold) for kind, m in never.models.items()}
    never.join(CHILE, _features("chile-1", QUAKE_CHILE))
    never.join(CHILE, _features("peru-1", QUAKE_PERU))
    assert revisions(never, [CHILE]) == []


def test_members_across_languages_neither_hold_a_story_together_nor_split_it() -> None:
    from dataclasses import replace

    clusterer = _clusterer()
    english = [replace(_features(i, item), lang="en") for i, item in (("chile-1", QUAKE_CHILE), ("chile-2", QUAKE_CHILE_FOLLOW_UP))]
    spanish = replace(
        extract_features(make_article("cl-es", "Sismo en Valparaíso deja 9 muertos", "Un sismo de magnitud "
                                      "6,8 sacudió Valparaíso el lunes.", "2023-03-06")),
        lang="es",
    )  # fmt: skip
    for features in [*english, spanish]:
        clusterer.join(CHILE, features)
    assert revisions(clusterer, [CHILE]) == []


def test_a_member_keeps_what_a_revision_compares_through_the_store() -> None:
    profile = StoryProfile(CHILE)
    profile.add(_features("chile-1", QUAKE_CHILE))
    member = StoryProfile.from_bytes(CHILE, profile.to_bytes()).members[0]
    assert (member.article_id, member.day.isoformat(), member.headline_only) == ("chile-1", "2023-03-06", False)
    again = member.features()
    assert again.entities["@p:rojas"] == 1 and again.numbers["#214"] == 1
    assert again.dates == profile.members[0].features().dates


@pytest.mark.parametrize("revise_at", [0.1, 0.5])
def test_revisions_never_lose_or_duplicate_an_article(revise_at: float) -> None:
    clusterer = _clusterer(revise_at)
    items = [("chile-1", QUAKE_CHILE), ("peru-1", QUAKE_PERU), ("chile-2", QUAKE_CHILE_FOLLOW_UP)]
    features = {i: _features(i, item) for i, item in items}
    for article_id in features:
        clusterer.join(CHILE, features[article_id])
    planned = revisions(clusterer, [CHILE])
    apply_revisions(clusterer, planned, lambda story_id: list(features.values()))
    held = [m.article_id for p in clusterer.profiles.values() for m in p.members if not m.article_id.startswith("bg")]
    assert sorted(held) == sorted(features)


def _write_records(path, items: list[tuple[str, tuple[str, str, str]]]):
    import json

    path.write_text(
        "".join(
            json.dumps({"id": i, "title": t, "text": x, "date": d, "source": "Andes Wire"}) + "\n"
            for i, (t, x, d) in items
        ),
        encoding="utf-8",
    )
    return path


def test_ingest_splits_a_stored_report_off_once_later_ones_show_two_events(tmp_path, db_url: str) -> None:
    from storyline.api import Storyline
    from storyline.pipeline import ingest_paths
    from storyline.store import Store

    # Every article joins the story it scores best with, so the Chile reports land in the Peru
    # quake's story; the revision at the end of their batch splits the Peru report off. With
    # names and embeddings the two Chile reports link at 1.0 and the Peru one at about 0.2.
    settings = Settings(db_url=db_url, story_join_probability=0.0, story_revise_probability=0.5)
    peru = _write_records(tmp_path / "peru.jsonl", [("peru-1", QUAKE_PERU)])
    chile = _write_records(tmp_path / "chile.jsonl", [("chile-1", QUAKE_CHILE), ("chile-2", QUAKE_CHILE_FOLLOW_UP)])
    store = Store(db_url)
    try:
        ingest_paths([peru], store, settings)
        first = store.article("peru-1").story_id
        ingest_paths([chile], store, settings)
        # the larger part keeps the story's id; the Peru report moves to a story of its own
        assert store.article("chile-1").story_id == store.article("chile-2").story_id == first
        moved_to = story_id_for("peru-1#split")
        assert store.article("peru-1").story_id == moved_to
        with Storyline(db_url, settings=settings) as storyline:
            history = [(e.action, e.detail) for e in storyline.history(first)]
            assert any(action == "split" and "peru-1" in detail for action, detail in history)
            assert [e.action for e in storyline.history(moved_to)] == ["created"]
            assert "split from" in storyline.why("peru-1").signals
            assert {s.id: s.article_count for s in storyline.stories()} == {first: 2, moved_to: 1}
            assert storyline.recluster() == (0, 0)  # the window agrees with itself now
        ingest_paths([peru, chile], store, settings)  # reading again changes nothing
        assert store.article("peru-1").story_id == moved_to
        with Storyline(db_url, settings=settings) as storyline:
            assert storyline.article_count() == 3 and len(storyline.stories()) == 2
    finally:
        store.close()


def test_a_report_split_off_again_gets_a_story_id_not_in_use() -> None:
    from storyline.cluster.revise import _new_story_id

    clusterer = _clusterer()
    assert _new_story_id(clusterer, "peru-1", []) == story_id_for("peru-1#split")
    clusterer.join(story_id_for("peru-1#split"), _features("peru-2", QUAKE_PERU))  # that part lives on
    assert _new_story_id(clusterer, "peru-1", []) == story_id_for("peru-1#split2")
    planned = [Split(CHILE, story_id_for("peru-1#split2"), ("peru-1",), 0.1)]
    assert _new_story_id(clusterer, "peru-1", planned) == story_id_for("peru-1#split3")


def test_recluster_on_demand_splits_what_ingest_left_together(tmp_path) -> None:
    from typer.testing import CliRunner

    from storyline.cli import app
    from storyline.pipeline import ingest_paths
    from storyline.store import Store

    db_url = f"sqlite:///{tmp_path / 'storyline.db'}"
    settings = Settings(db_url=db_url, story_join_probability=0.0)  # revisions off, as shipped
    records = [("chile-1", QUAKE_CHILE), ("chile-2", QUAKE_CHILE_FOLLOW_UP), ("peru-1", QUAKE_PERU)]
    store = Store(db_url)
    try:
        ingest_paths([_write_records(tmp_path / "quakes.jsonl", records)], store, settings)
        assert len({store.article(i).story_id for i, _ in records}) == 1
        result = CliRunner().invoke(app, ["stories", "recluster", "--at", "0.5", "--db", db_url])
        assert result.exit_code == 0, result.output
        assert "1 split, 0 merges" in result.output
        assert store.article("peru-1").story_id == story_id_for("peru-1#split")
        assert store.article("chile-2").story_id == store.article("chile-1").story_id == CHILE
        again = CliRunner().invoke(app, ["stories", "recluster", "--at", "0.5", "--db", db_url])
        assert "0 splits, 0 merges" in again.output
    finally:
        store.close()
