"""Story-clustering scores: B-cubed and pairwise arithmetic, arrival order, the labelled file."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from storyline.cli import app
from storyline.cluster.weights import ARTICLE, HEADLINE, StoryWeights
from storyline.evaluate.stories import (
    CENTROID_BASELINE,
    EMBEDDING_BASELINE,
    EMBEDDING_ORACLE,
    SYSTEM,
    TFIDF_BASELINE,
    ClusterScores,
    FitCorpus,
    MethodScores,
    MissingGold,
    Selection,
    StoryScores,
    arrival_order,
    bcubed,
    centroid_clusters,
    cross_lingual_pairwise,
    embedding_clusters,
    evaluate_stories,
    format_story_scores,
    load_records,
    pairwise,
    pick_centroid_threshold,
    replay_scores,
    score_clustering,
    scores_of,
    tfidf_vectors,
)
from storyline.settings import Settings

from .conftest import needs_shared

# Gold: {a, b, c} and {d, e}. Predicted: {a, b} and {c, d, e}.
GOLD = {"a": "G1", "b": "G1", "c": "G1", "d": "G2", "e": "G2"}
SPLIT_WRONGLY = {"a": "P1", "b": "P1", "c": "P2", "d": "P2", "e": "P2"}


def test_bcubed_of_one_misplaced_item() -> None:
    # Precision per item: 1, 1, 1/3, 2/3, 2/3; recall per item: 2/3, 2/3, 1/3, 1, 1.
    p, r, f = bcubed(SPLIT_WRONGLY, GOLD)
    assert p == pytest.approx(11 / 15)
    assert r == pytest.approx(11 / 15)
    assert f == pytest.approx(11 / 15)


def test_pairwise_of_one_misplaced_item() -> None:
    # Predicted pairs ab, cd, ce, de; gold pairs ab, ac, bc, de; shared: ab and de.
    assert pairwise(SPLIT_WRONGLY, GOLD) == pytest.approx((0.5, 0.5, 0.5))


def test_all_singletons_have_full_bcubed_precision_and_no_pairs() -> None:
    singletons = {item: item for item in GOLD}
    p, r, f = bcubed(singletons, GOLD)
    assert (p, r) == pytest.approx((1.0, (3 * 1 / 3 + 2 * 1 / 2) / 5))
    assert f == pytest.approx(2 * 0.4 / 1.4)
    assert pairwise(singletons, GOLD) == (0.0, 0.0, 0.0)


def test_a_dropped_item_counts_as_its_own_story() -> None:
    everything_right_but_e = {k: v for k, v in GOLD.items() if k != "e"}
    scores = score_clustering(everything_right_but_e, GOLD)
    assert scores.bcubed_precision == 1.0
    assert scores.bcubed_recall == pytest.approx((3 * 1 + 2 * 1 / 2) / 5)
    assert scores.pairwise_recall == pytest.approx(3 / 4)
    assert (scores.predicted_stories, scores.gold_stories) == (3, 2)


def test_cross_lingual_pairwise_counts_only_pairs_in_two_languages() -> None:
    languages = {"a": "en", "b": "de", "c": "en", "d": "fr", "e": "fr"}
    # Gold cross-lingual pairs: ab, bc (story G1), de is same-language. Predicted {a,b}, {c,d,e}:
    # cross pairs ab, cd, ce; of these only ab is gold.
    p, r, f = cross_lingual_pairwise(SPLIT_WRONGLY, GOLD, languages)
    assert (p, r) == pytest.approx((1 / 3, 1 / 2))
    assert f == pytest.approx(0.4)
    assert cross_lingual_pairwise(GOLD, GOLD, languages) == pytest.approx((1.0, 1.0, 1.0))


def test_selections_name_a_split_or_a_date_range() -> None:
    selection = Selection.parse("data/og.jsonl:since=2021-07-16,before=2021-08-01")
    assert (selection.path, selection.since, selection.before) == (
        Path("data/og.jsonl"), "2021-07-16", "2021-08-01",
    )
    assert selection.keeps({"date": "2021-07-16T08:00:00Z"})
    assert not selection.keeps({"date": "2021-08-01"}) and not selection.keeps({"date": None})
    assert Selection.parse("ecb.jsonl:split=dev").keeps({"split": "dev"})
    assert Selection.parse("plain.jsonl") == Selection(Path("plain.jsonl"))
    with pytest.raises(ValueError, match="unknown condition"):
        Selection.parse("x.jsonl:lang=de")


# A JSON-lines file as `storyline ingest` reads it, with no `story` field: two reports of one
# ferry strike, a council vote, and a sign-up box that is no news at all.
HARBOUR_NEWS = [
    {
        "id": "gazette-0302-ferry", "date": "2022-03-02T07:10:00Z", "source": "Coastal Gazette",
        "title": "Ferry crews walk out, island crossings halted",
        "text": "Crews on the three island ferries stopped work at dawn on Wednesday over a pay "
        "offer they called insulting, leaving about 4,000 commuters without a crossing.",
    },
    {
        "id": "wire-0302-strike", "date": "2022-03-02T11:45:00Z", "source": "Harbour Wire",
        "title": "Island ferry strike strands commuters",
        "text": "No ferry left the mainland quay on Wednesday morning as crews struck over pay; "
        "the operator said talks would resume on Friday.",
    },
    {
        "id": "gazette-0304-budget", "date": "2022-03-04T18:00:00Z", "source": "Coastal Gazette",
        "title": "Council passes harbour budget by one vote",
        "text": "The town council approved the harbour dredging budget 11 to 10 on Friday "
        "evening after a four-hour debate.",
    },
    {
        "id": "gazette-signup", "source": "Coastal Gazette",
        "text": "Sign up for our morning newsletter. You can unsubscribe at any time.",
    },
]
HARBOUR_STORIES = {
    "gazette-0302-ferry": "ferry-strike", "wire-0302-strike": "ferry-strike",
    "gazette-0304-budget": "harbour-budget-vote", "gazette-signup": None,
}


def _harbour_files(folder: Path, stories: dict[str, str | None]) -> str:
    news = folder / "harbour.jsonl"
    news.write_text("".join(json.dumps(r) + "\n" for r in HARBOUR_NEWS), encoding="utf-8")
    labels = folder / "harbour_stories.json"
    labels.write_text(json.dumps({"stories": stories}), encoding="utf-8")
    return f"{news}:labels={labels}"


def test_a_jsonl_file_takes_its_gold_stories_from_a_labels_file(tmp_path: Path) -> None:
    selection = Selection.parse(_harbour_files(tmp_path, HARBOUR_STORIES))
    records = load_records(selection.path, selection=selection)
    assert {r["id"]: r["story"] for r in records} == {
        "gazette-0302-ferry": "ferry-strike", "wire-0302-strike": "ferry-strike",
        "gazette-0304-budget": "harbour-budget-vote", "gazette-signup": "none:gazette-signup",
    }
    assert records[1]["source"] == "Harbour Wire" and records[0]["date"].startswith("2022-03-02")
    later = Selection.parse(_harbour_files(tmp_path, HARBOUR_STORIES) + ",since=2022-03-03")
    assert [r["id"] for r in load_records(later.path, selection=later)] == ["gazette-0304-budget"]


def test_threads_in_the_labels_are_scored_beside_the_stories(tmp_path: Path) -> None:
    text = _harbour_files(tmp_path, HARBOUR_STORIES)
    labels = Path(text.partition(":labels=")[2])
    labels.write_text(
        json.dumps({"stories": HARBOUR_STORIES, "threads": {"harbour-dispute": ["ferry-strike", "harbour-budget-vote"]}}),
        encoding="utf-8",
    )
    selection = Selection.parse(text)
    records = load_records(selection.path, selection=selection)
    assert {r["id"]: r["thread"] for r in records} == {
        "gazette-0302-ferry": "harbour-dispute", "wire-0302-strike": "harbour-dispute",
        "gazette-0304-budget": "harbour-dispute", "gazette-signup": "none:gazette-signup",
    }
    predicted = {"gazette-0302-ferry": "s1", "wire-0302-strike": "s1", "gazette-0304-budget": "s2", "gazette-signup": "s3"}
    linked = scores_of(selection, records, predicted, [], {}, 1.0, threads={"s1": "s1", "s2": "s1", "s3": "s3"})
    assert linked.threads is not None and linked.threads.bcubed_f1 == 1.0
    apart = scores_of(selection, records, predicted, [], {}, 1.0, threads={})  # each story its own
    assert apart.threads is not None and apart.threads.bcubed_recall < 1.0
    assert "storyline threads" in format_story_scores(linked)
    unthreaded = load_records(selection.path, selection=Selection.parse(_harbour_files(tmp_path, HARBOUR_STORIES)))
    assert scores_of(selection, unthreaded, predicted, [], {}, 1.0, threads={}).threads is None


def test_labels_that_miss_articles_are_refused_naming_the_file_and_the_ids(tmp_path: Path) -> None:
    partial = {k: v for k, v in HARBOUR_STORIES.items() if k.startswith("gazette-03")}
    text = _harbour_files(tmp_path, partial)
    selection = Selection.parse(text)
    with pytest.raises(MissingGold, match="harbour_stories.json: no story for 2 article") as error:
        load_records(selection.path, selection=selection)
    assert "wire-0302-strike" in str(error.value) and "gazette-signup" in str(error.value)
    result = CliRunner(env={"COLUMNS": "240"}).invoke(app, ["eval", "stories", text])
    assert result.exit_code == 2
    assert "wire-0302-strike" in result.output and "Traceback" not in result.output


def test_python_dash_m_storyline_is_the_storyline_command() -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "storyline", "eval", "stories", "--help"],
        capture_output=True, text=True, env={**os.environ, "COLUMNS": "240"}, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Usage: storyline eval stories" in result.stdout and "PATH:labels=FILE" in result.stdout


def test_embedding_baseline_cuts_average_linkage_at_a_cosine_distance() -> None:
    import numpy as np

    vectors = np.array([[1.0, 0.0], [0.995, 0.0998], [0.0, 1.0]], dtype=np.float32)
    records = [{"id": "a"}, {"id": "b"}, {"id": "c"}]
    tight = embedding_clusters(records, vectors, 0.001)
    loose = embedding_clusters(records, vectors, 0.05)
    assert len(set(tight.values())) == 3
    assert loose["a"] == loose["b"] != loose["c"]


def test_arrival_order_puts_dated_first_by_date_and_ignores_file_order_of_undated() -> None:
    records = [
        {"id": "u1", "date": None},
        {"id": "late", "date": "2021-05-02"},
        {"id": "u2", "date": ""},
        {"id": "early", "date": "2021-05-01T08:00:00Z"},
        {"id": "u3"},
    ]
    ordered = [r["id"] for r in arrival_order(records)]
    assert ordered[:2] == ["early", "late"]
    assert sorted(ordered[2:]) == ["u1", "u2", "u3"]
    reordered = [r["id"] for r in arrival_order(list(reversed(records)))]
    assert reordered == ordered


@pytest.mark.shared_data
def test_ecbplus_subset_through_the_real_pipeline() -> None:
    path = needs_shared("stories", "ecbplus_traindev.jsonl")
    scores = evaluate_stories(path, limit=80, split="dev")
    assert scores.articles == 80
    assert scores.system.gold_stories == len({r["story"] for r in _first_dev(path, 80)})
    # Well above chance on a subset, and the baseline reproduces on the same records.
    assert scores.system.bcubed_f1 > 0.7
    assert scores.baseline.bcubed_f1 > 0.5
    table = format_story_scores(scores)
    names = ("storyline", "tfidf avg-link", "tfidf online centroid", "e5 avg-link, oracle")
    assert all(name in table for name in names)
    assert scores.as_dict()["methods"]["storyline"]["overall"]["pairwise_f1"] == scores.system.pairwise_f1
    assert scores.languages == {"en": 80}
    assert scores.methods["storyline"].cross_lingual is None  # one language: no such pairs


def _first_dev(path: Path, n: int) -> list[dict]:
    records = [json.loads(line) for line in path.open()]
    return [r for r in records if r["split"] == "dev"][:n]


# Two events told several times in close words, days interleaved, and one unrelated piece.
VALLEY_NEWS = [
    {
        "id": "bridge-1", "date": "2023-04-03", "story": "bridge",
        "title": "Footbridge over the Marrow river collapses in Ashby",
        "text": "A footbridge over the Marrow river in Ashby collapsed on Monday morning; two "
        "cyclists were pulled from the water and taken to hospital with minor injuries.",
    },
    {
        "id": "fire-1", "date": "2023-04-03", "story": "fire",
        "title": "Wildfire forces evacuation of Cold Ridge villages",
        "text": "Firefighters ordered the evacuation of three villages on Cold Ridge as a "
        "wildfire driven by strong winds spread through dry pine forest.",
    },
    {
        "id": "bridge-2", "date": "2023-04-04", "story": "bridge",
        "title": "Ashby footbridge collapse: cyclists rescued from the Marrow",
        "text": "Two cyclists were rescued from the Marrow river after the Ashby footbridge "
        "collapsed; engineers blamed corroded steel cables on the footbridge.",
    },
    {
        "id": "fire-2", "date": "2023-04-04", "story": "fire",
        "title": "Cold Ridge wildfire: villages evacuated as winds spread the fire",
        "text": "Strong winds spread the Cold Ridge wildfire through pine forest overnight and "
        "firefighters kept the three evacuated villages closed.",
    },
    {
        "id": "bake-1", "date": "2023-04-05", "story": "bakery",
        "title": "New sourdough bakery opens on the high street",
        "text": "A family-run bakery selling sourdough loaves and cinnamon buns opened its doors "
        "on the high street, with a queue out of the door by nine.",
    },
    {
        "id": "bridge-3", "date": "2023-04-05", "story": "bridge",
        "title": "Council to inspect every footbridge after Ashby collapse",
        "text": "After the footbridge collapse in Ashby that sent two cyclists into the Marrow "
        "river, the council will inspect every footbridge cable in the district.",
    },
    {
        "id": "fire-3", "date": "2023-04-06", "story": "fire",
        "title": "Evacuated Cold Ridge villagers wait as firefighters hold the wildfire line",
        "text": "Villagers evacuated from Cold Ridge waited in the school hall while "
        "firefighters held the wildfire at the edge of the pine forest despite strong winds.",
    },
]
VALLEY_GOLD = {r["id"]: r["story"] for r in VALLEY_NEWS}


def _naive_centroid_clusters(records: list[dict], threshold: float) -> dict[str, str]:
    """The online baseline written the slow obvious way: dense centroids, one cosine at a time."""
    import numpy as np

    ordered = arrival_order(records)
    vectors = tfidf_vectors(ordered).toarray()
    members: list[list[int]] = []
    story_of = {}
    for i, vector in enumerate(vectors):
        cosines = []
        for story in members:
            centroid = vectors[story].mean(axis=0)
            cosines.append(vector @ centroid / np.linalg.norm(centroid))
        if cosines and max(cosines) >= threshold:
            members[int(np.argmax(cosines))].append(i)
        else:
            members.append([i])
        story_of[ordered[i]["id"]] = next(n for n, m in enumerate(members) if i in m)
    return {item: f"c{n}" for item, n in story_of.items()}


def test_online_centroid_baseline_separates_two_events_and_a_distractor() -> None:
    clusters = centroid_clusters(VALLEY_NEWS, threshold=0.1)
    assert score_clustering(clusters, VALLEY_GOLD).bcubed_f1 == 1.0
    assert len(set(clusters.values())) == 3
    everything = centroid_clusters(VALLEY_NEWS, threshold=0.0)
    assert len(set(everything.values())) == 1
    nothing = centroid_clusters(VALLEY_NEWS, threshold=1.01)
    assert len(set(nothing.values())) == len(VALLEY_NEWS)


def test_online_centroid_baseline_is_the_exact_mean_centroid_cosine() -> None:
    # Not prose: 80 bags of words from five overlapping vocabularies, so that many choices turn
    # on small differences between centroids; the fast pass must make every one as the naive.
    import random

    rng = random.Random(7)
    records = [
        {
            "id": f"r{n}",
            "date": f"2023-05-{1 + n % 28:02d}",
            "text": " ".join(f"w{rng.randrange(8 * topic, 8 * topic + 20)}" for _ in range(12)),
        }
        for n, topic in enumerate(rng.randrange(5) for _ in range(80))
    ]
    for threshold in (0.05, 0.1, 0.15, 0.2, 0.3):
        fast = centroid_clusters(records, threshold)
        naive = _naive_centroid_clusters(records, threshold)
        assert 1 < len(set(fast.values())) < len(records)
        assert score_clustering(fast, naive).bcubed_f1 == 1.0, threshold


def test_threshold_picker_returns_the_grid_point_with_the_best_bcubed_f1() -> None:
    best, f1 = pick_centroid_threshold(VALLEY_NEWS, grid=(0.0, 0.1, 1.01))
    assert best == 0.1 and f1[0.1] == 1.0
    assert f1[0.0] < 1.0 and f1[1.01] < 1.0  # one story of everything; every article alone
    assert list(f1) == [0.0, 0.1, 1.01]


def _scores_with(f1: dict[str, float]) -> StoryScores:
    def method(value: float) -> MethodScores:
        return MethodScores(ClusterScores(value, value, value, value, value, value, 1, 1), None)

    return StoryScores("x", "all", 10, {name: method(v) for name, v in f1.items()}, 0, 1.0, {"en": 10})


def test_leave_one_corpus_out_holds_each_corpus_out_once_and_never_writes_the_shipped_weights(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import storyline.evaluate.stories as stories
    from storyline.cluster.learn import Corpus
    from storyline.cluster.weights import DEFAULT_WEIGHTS, load_weights

    shipped_bytes, shipped_mtime = DEFAULT_WEIGHTS.read_bytes(), DEFAULT_WEIGHTS.stat().st_mtime_ns
    paths = {}
    for name in ("crime", "titles", "wires"):
        paths[name] = tmp_path / f"{name}.jsonl"
        paths[name].write_text("", encoding="utf-8")
    analysed = []

    def fake_analyse(selection: Selection, settings: Settings) -> FitCorpus:
        analysed.append(selection.path.stem)
        kind = HEADLINE if selection.path.stem == "titles" else ARTICLE
        return FitCorpus(selection, kind, Corpus(selection.label, [], {}))

    fitted_on: list[tuple[str, ...]] = []

    def fake_fit(corpora: list[FitCorpus], settings: Settings, kinds) -> dict[str, StoryWeights]:
        # Each fold's models say which fold they are by their join threshold.
        fitted_on.append((tuple(c.selection.path.stem for c in corpora), tuple(sorted(kinds))))
        models = load_weights(settings.story_weights)
        return {k: replace(models[k], threshold=len(fitted_on) / 10) for k in kinds}

    used: dict[str, float] = {}
    system_f1 = {"crime": 0.9, "titles": 0.5, "wires": 0.95}

    def fake_replay(corpus: FitCorpus, models, settings: Settings) -> StoryScores:
        used[corpus.selection.path.stem] = models[ARTICLE].threshold
        return _scores_with({
            SYSTEM: system_f1[corpus.selection.path.stem], TFIDF_BASELINE: 0.8,
            CENTROID_BASELINE: 0.92, EMBEDDING_BASELINE: 0.45, EMBEDDING_ORACLE: 0.99,
        })

    monkeypatch.setattr(stories, "analyse_for_fit", fake_analyse)
    monkeypatch.setattr(stories, "fit_story_models", fake_fit)
    monkeypatch.setattr(stories, "replay_scores", fake_replay)
    folds = stories.leave_one_corpus_out([Selection(p) for p in paths.values()])

    shipped = load_weights()
    assert analysed == ["crime", "titles", "wires"]  # each corpus analysed once, for every fold
    # The held-out corpus's kind is refitted on the others of that kind; the other kind, not
    # fitted on the held-out corpus, stays as shipped. No headline corpus is left for "titles".
    assert fitted_on == [(("wires",), (ARTICLE,)), (("crime",), (ARTICLE,))]
    assert used == {"crime": 0.1, "titles": shipped[ARTICLE].threshold, "wires": 0.2}
    assert [fold.held_out for fold in folds] == ["crime [all]", "titles [all]", "wires [all]"]
    assert folds[0].refitted == {ARTICLE: ("wires [all]",)} and set(folds[0].kept) == {HEADLINE}
    assert not folds[1].refitted and set(folds[1].kept) == {ARTICLE, HEADLINE}
    assert DEFAULT_WEIGHTS.read_bytes() == shipped_bytes
    assert DEFAULT_WEIGHTS.stat().st_mtime_ns == shipped_mtime

    # One fold alone (folds shared out between processes) is the same fold, the same models.
    fitted_on.clear()
    corpora = [fake_analyse(Selection(p), Settings()) for p in paths.values()]
    alone = stories.folds(corpora, Settings(), held_out=["wires [all]"])
    assert [(f.held_out, f.refitted) for f in alone] == [("wires [all]", folds[2].refitted)]
    assert fitted_on == [(("crime",), (ARTICLE,))]

    table = stories.format_folds(folds)
    assert "crime [all]: article refitted on wires [all]; headline shipped" in table
    # The oracle is an upper bound, not a baseline to beat: never a loss.
    assert table.splitlines()[-1] == (
        "Storyline loses to tfidf avg-link on titles [all]; "
        "to tfidf online centroid on crime [all], titles [all]."
    )
    result = CliRunner(env={"COLUMNS": "240"}).invoke(
        app, ["eval", "stories", "--loco", str(paths["crime"]), str(paths["wires"])]
    )
    assert result.exit_code == 0, result.output
    assert "Storyline loses to tfidf online centroid on crime [all]." in result.output
    as_json = CliRunner().invoke(app, ["eval", "stories", "--loco", "--json", *map(str, paths.values())])
    assert as_json.exit_code == 0, as_json.output
    titles = json.loads(as_json.output)[1]
    assert titles["kept"] == {kind: list(names) for kind, names in folds[1].kept.items()}
    assert titles["scores"]["methods"][CENTROID_BASELINE]["overall"]["bcubed_f1"] == 0.92
    alone = CliRunner().invoke(app, ["eval", "stories", "--loco", str(paths["crime"])])
    both = CliRunner().invoke(app, ["eval", "stories", "--loco", "--fit", *map(str, paths.values())])
    assert (alone.exit_code, both.exit_code) == (2, 2)
    assert DEFAULT_WEIGHTS.read_bytes() == shipped_bytes


def test_a_held_out_corpus_is_replayed_through_the_clusterer_with_its_copies_in_their_stories(
    tmp_path: Path,
) -> None:
    from storyline.cluster.learn import Corpus
    from storyline.cluster.weights import load_weights
    from storyline.model import Article

    reports = {
        "quake-1": ("Strong quake shakes Valparaiso", "A magnitude 6.8 quake shook Valparaiso on Monday; "
                    "Mayor Rojas said 214 homes were damaged.", "2023-03-06", "quake"),
        "quake-2": ("Valparaiso counts quake damage", "Mayor Rojas said on Tuesday that 214 homes in "
                    "Valparaiso were damaged by Monday's 6.8 quake.", "2023-03-07", "quake"),
        "ferry-1": ("Ferry runs aground off Split", "A Jadrolinija ferry with 212 passengers ran aground "
                    "near Brac off Split on Saturday; Captain Horvat blamed the wind.", "2023-03-04", "ferry"),
    }
    path = tmp_path / "held_out.jsonl"
    rows = [{"id": i, "title": t, "text": x, "date": d, "story": g} for i, (t, x, d, g) in reports.items()]
    rows.append({**rows[0], "id": "quake-1-copy"})  # an exact copy the ingest did not store
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    articles = [
        Article(id=i, title=t, text=f"{t}\n\n{x}", origin=i, date=d, date_source="metadata")
        for i, (t, x, d, _) in sorted(reports.items(), key=lambda kv: kv[1][2])
    ]
    gold = {row["id"]: row["story"] for row in rows}
    selection = Selection(path)
    corpus = FitCorpus(selection, ARTICLE, Corpus(selection.label, articles, gold), (("quake-1-copy", "quake-1"),))
    scores = replay_scores(corpus, load_weights(), Settings())
    assert scores.articles == 4 and scores.dropped == 0
    assert set(scores.methods) >= {SYSTEM, TFIDF_BASELINE, CENTROID_BASELINE}
    system = scores.methods[SYSTEM].overall
    assert (system.gold_stories, system.bcubed_f1) == (2, 1.0)  # the copy counts in its original's story


def test_eval_stories_revises_at_the_mean_link_asked_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import storyline.evaluate.stories as stories

    data = tmp_path / "crime.jsonl"
    data.write_text("", encoding="utf-8")
    asked: list[float | None] = []

    def fake_evaluate(selection: Selection, settings: Settings) -> StoryScores:
        asked.append(settings.story_revise_probability)
        return _scores_with({SYSTEM: 0.9, TFIDF_BASELINE: 0.8, CENTROID_BASELINE: 0.7})

    monkeypatch.setattr(stories, "evaluate_stories", fake_evaluate)
    for extra in ([], ["--revise-at", "0.4"]):
        result = CliRunner(env={"COLUMNS": "240"}).invoke(app, ["eval", "stories", str(data), *extra])
        assert result.exit_code == 0, result.output
    assert asked == [None, 0.4]
