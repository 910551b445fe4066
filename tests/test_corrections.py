"""A person's corrections: merge stories, move articles, and later clustering respects them."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from storyline.cli import app
from storyline.cluster.features import ArticleFeatures
from storyline.cluster.online import DocumentFrequencies, OnlineClusterer
from storyline.cluster.profile import StoryProfile
from storyline.cluster.weights import StoryWeights
from storyline.settings import Settings

from .test_pipeline import _write_corpus

runner = CliRunner(env={"COLUMNS": "240"})


def _ingest(tmp_path: Path, db: str) -> str:
    corpus = _write_corpus(tmp_path / "corpus")
    result = runner.invoke(app, ["ingest", str(corpus), "--db", db, "--date", "2022-03-07"])
    assert result.exit_code == 0, result.output
    return db


def _story_of(db: str, article_id: str) -> str:
    from storyline.store import Store

    return Store(db).article(article_id).story_id


def test_why_explains_joins_copies_and_new_stories(tmp_path: Path, db_url: str) -> None:
    db = _ingest(tmp_path, db_url)
    joined = runner.invoke(app, ["why", "bridge-2.md", "--db", db])
    assert joined.exit_code == 0
    assert "probability" in joined.output and "palacky" in joined.output.lower()
    assert "started a new story" in runner.invoke(app, ["why", "ferry.txt", "--db", db]).output
    copy = runner.invoke(app, ["why", "vw-17", "--db", db]).output
    assert "near-duplicate of: bridge-1.txt" in copy
    assert runner.invoke(app, ["why", "nope", "--db", db]).exit_code == 2


def test_merge_moves_everything_and_is_recorded(tmp_path: Path, db_url: str) -> None:
    db = _ingest(tmp_path, db_url)
    bridge, ferry = _story_of(db, "bridge-1.txt"), _story_of(db, "ferry.txt")
    result = runner.invoke(app, ["stories", "merge", bridge, ferry, "--db", db])
    assert result.exit_code == 0, result.output
    assert _story_of(db, "ferry.txt") == bridge
    listing = runner.invoke(app, ["stories", "--db", db]).output
    assert ferry not in listing and bridge in listing
    history = runner.invoke(app, ["stories", "history", bridge, "--db", db]).output
    assert f"absorbed  {ferry}" in history
    assert runner.invoke(app, ["stories", "merge", bridge, bridge, "--db", db]).exit_code == 2


def test_move_to_a_new_story_and_the_pair_stays_apart(tmp_path: Path, db_url: str) -> None:
    from storyline.pipeline import Ingestor
    from storyline.store import Store

    db = _ingest(tmp_path, db_url)
    bridge = _story_of(db, "bridge-2.md")
    result = runner.invoke(app, ["stories", "move", "bridge-2.md", "--new", "--db", db])
    assert result.exit_code == 0, result.output
    moved_to = _story_of(db, "bridge-2.md")
    assert moved_to != bridge and _story_of(db, "bridge-1.txt") == bridge
    store = Store(db)
    assert {s.article_count for s in store.stories()} == {2, 1}
    assert frozenset((bridge, moved_to)) in Ingestor(store, Settings(db_url=db)).clusterer.kept_apart
    assert "moved out" in runner.invoke(app, ["stories", "history", bridge, "--db", db]).output
    assert "moved by hand" in runner.invoke(app, ["why", "bridge-2.md", "--db", db]).output
    back = runner.invoke(app, ["stories", "move", "bridge-2.md", "--to", bridge, "--db", db])
    assert back.exit_code == 0 and _story_of(db, "bridge-2.md") == bridge
    assert runner.invoke(app, ["stories", "move", "bridge-2.md", "--db", db]).exit_code == 2


def _features(*words: str) -> ArticleFeatures:
    from collections import Counter

    return ArticleFeatures(
        terms=Counter(words), entities=Counter(), numbers=Counter(), dates=Counter(),
        day=None, day_guessed=False,
    )


def test_an_article_close_to_two_stories_merges_them_unless_a_person_kept_them_apart() -> None:
    weights = StoryWeights(("terms_cosine",), (0.0,), 0.0, 0.4, merge_threshold=0.45)
    settings = Settings(db_url="sqlite://")

    def clusterer() -> OnlineClusterer:
        c = OnlineClusterer(settings, DocumentFrequencies(), weights)
        c.probability = lambda features, profile, vectors=None: 0.5  # every story equally probable
        c.load([StoryProfile("a"), StoryProfile("b")])
        for story in ("a", "b"):
            c._fold(story, _features("bridge", "girder", "prague"))
        return c

    free = clusterer()
    assignment = free.assign("x", _features("bridge", "girder", "prague"))
    assert assignment.merged and set(free.profiles) == {assignment.story_id}
    apart = clusterer()
    apart.kept_apart = {frozenset(("a", "b"))}
    assert apart.assign("x", _features("bridge", "girder", "prague")).merged == ()
    assert set(apart.profiles) == {"a", "b"}
