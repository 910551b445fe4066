"""Story-clustering scores: B-cubed and pairwise arithmetic, arrival order, the labelled file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from storyline.cli import app
from storyline.evaluate.stories import (
    MissingGold,
    Selection,
    arrival_order,
    bcubed,
    cross_lingual_pairwise,
    embedding_clusters,
    evaluate_stories,
    format_story_scores,
    load_records,
    pairwise,
    score_clustering,
)

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
    assert all(name in table for name in ("storyline", "tfidf avg-link", "e5 avg-link, oracle"))
    assert scores.as_dict()["methods"]["storyline"]["overall"]["pairwise_f1"] == scores.system.pairwise_f1
    assert scores.languages == {"en": 80}
    assert scores.methods["storyline"].cross_lingual is None  # one language: no such pairs


def _first_dev(path: Path, n: int) -> list[dict]:
    records = [json.loads(line) for line in path.open()]
    return [r for r in records if r["split"] == "dev"][:n]
