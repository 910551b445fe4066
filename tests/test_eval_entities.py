"""Entity-resolution evaluation: metric arithmetic, gold alignment, and a run on the shared data."""

from __future__ import annotations

from collections import Counter

import pytest

from storyline.evaluate.entities import (
    cluster_scores,
    evaluate_entities,
    format_entity_scores,
    locate_gold_token_span,
    name_head,
)

from .conftest import needs_shared


def test_perfect_clustering_scores_one() -> None:
    gold = {"a1": "X", "a2": "X", "b1": "Y"}
    scores = cluster_scores(gold, {"a1": 7, "a2": 7, "b1": 8})
    assert scores.b3_f1 == pytest.approx(1.0)
    assert scores.pair_f1 == pytest.approx(1.0)


def test_b_cubed_and_pairs_by_hand() -> None:
    # Gold: {a1 a2 a3} {b1 b2}; predicted: {a1 a2} {a3 b1 b2}.
    gold = {"a1": "A", "a2": "A", "a3": "A", "b1": "B", "b2": "B"}
    predicted = {"a1": 1, "a2": 1, "a3": 2, "b1": 2, "b2": 2}
    scores = cluster_scores(gold, predicted)
    # Precision per mention: a1 1, a2 1, a3 1/3, b1 2/3, b2 2/3 -> 11/15.
    assert scores.b3_precision == pytest.approx(11 / 15)
    # Recall per mention: a1 2/3, a2 2/3, a3 1/3, b1 1, b2 1 -> 11/15.
    assert scores.b3_recall == pytest.approx(11 / 15)
    # Pairs: predicted 1 + 3 = 4, gold 3 + 1 = 4, correct (a1,a2) and (b1,b2) = 2.
    assert scores.pair_precision == pytest.approx(0.5)
    assert scores.pair_recall == pytest.approx(0.5)


def test_unmatched_gold_mentions_are_singletons() -> None:
    gold = {"a1": "A", "a2": "A"}
    scores = cluster_scores(gold, {"a1": 1})
    assert scores.b3_precision == pytest.approx(1.0)
    assert scores.b3_recall == pytest.approx(0.5)
    assert scores.pair_recall == 0.0


def test_gold_tokens_are_found_in_detokenised_lines() -> None:
    line = 'Mayor Ruth Okafor, 54, told the Hallam Gazette she would "stay put," said Okafor.'
    # Gold tokens: Mayor Ruth Okafor , 54 , told the Hallam Gazette ... said Okafor .
    assert locate_gold_token_span(line, "Ruth Okafor", 1) == (6, 17)
    start, end = locate_gold_token_span(line, "Okafor", 20)
    assert line[start:end] == "Okafor" and start > 60
    assert locate_gold_token_span(line, 'stay put , "', 13) == (
        line.index("stay"),
        line.index(',"') + 2,
    )
    assert locate_gold_token_span(line, "Nobody", 0) is None


def test_proper_name_test_uses_corpus_capitalisation() -> None:
    casing = (Counter({"okafor": 5, "gazette": 3, "police": 1}), Counter({"police": 9, "mayor": 4}))
    assert name_head("Okafor's", casing) == (0, 6)
    assert name_head("the Hallam Gazette", casing) == (11, 18)
    assert name_head("Police", casing) is None
    assert name_head("she", casing) is None
    assert name_head("the mayor", casing) is None
    # A run of capitals makes a name even with a common head, except in a headline.
    assert name_head("Hallam Police", casing) == (7, 13)
    assert name_head("Hallam Police", casing, title_case=True) is None


@pytest.mark.shared_data
def test_ecbplus_dev_sample_beats_exact_string_baseline() -> None:
    data = needs_shared("entities", "ecbplus_entities_traindev.jsonl").parents[1]
    scores = evaluate_entities(data, split="dev", limit=40)
    assert scores.articles == 40 and scores.gold_mentions > 50
    rows = scores.rows
    assert rows["gold mentions"].b3_f1 > rows["gold mentions, exact string"].b3_f1
    assert rows["pipeline"].b3_f1 > rows["pipeline mentions, exact string"].b3_f1
    assert rows["pipeline"].b3_precision > 0.9
    text = format_entity_scores(scores)
    assert "B3 F1" in text and "gold mentions, last token" in text
