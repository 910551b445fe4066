"""TempEval-3 scoring of the time tagger: exact arithmetic on a hand-made file, then real data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storyline.evaluate.times import (
    canonical_value,
    evaluate_times,
    format_time_scores,
    same_value,
    score_document,
)
from storyline.model import TimeExpression

from .conftest import needs_shared

MARKET = (
    "Shares fell on Monday and now trade lower than in the third quarter, as they have for a while."
)
VOTE = "The vote is on March 3."


def _timex(text: str, phrase: str, type_: str, value: str) -> dict:
    start = text.index(phrase)
    return {"start": start, "end": start + len(phrase), "text": phrase, "type": type_,
            "value": value, "mod": None}  # fmt: skip


@pytest.fixture
def tiny_file(tmp_path: Path) -> Path:
    docs = [
        {
            "id": "wsj_0001",
            "date": "2022-01-27",
            "text": MARKET,
            "timexes": [
                _timex(MARKET, "Monday", "DATE", "2022-01-24"),  # same span, same value
                _timex(MARKET, "third quarter", "DATE", "2021-Q4"),  # overlaps; wrong value
                _timex(MARKET, "a while", "DURATION", "PXX"),  # missed
            ],
        },
        {
            "id": "APW19980101.0001",
            "date": "2022-02-24",
            "text": VOTE,
            "timexes": [_timex(VOTE, "March 3", "DATE", "2022-03-03")],
        },
    ]
    path = tmp_path / "timex.jsonl"
    path.write_text("\n".join(json.dumps(d) for d in docs) + "\n\n", encoding="utf-8")
    return path


def test_scores_of_one_document_strict_relaxed_and_value(tiny_file: Path):
    # The tagger finds "Monday", "now" and "the third quarter": 3 gold, 3 system.
    s = evaluate_times(tiny_file, split="timebank")
    assert (s.documents, s.gold, s.system) == (1, 3, 3)
    assert (s.strict, s.relaxed, s.type_correct, s.value_correct) == (1, 2, 2, 1)
    assert s.strict_prf == pytest.approx((1 / 3, 1 / 3, 1 / 3))
    assert s.relaxed_prf == pytest.approx((2 / 3, 2 / 3, 2 / 3))
    assert s.type_f1 == pytest.approx(2 / 3)
    assert s.value_f1 == pytest.approx(1 / 3)
    assert s.value_accuracy == pytest.approx(1 / 2)


def test_splits_and_limit(tiny_file: Path):
    aquaint = evaluate_times(tiny_file, split="aquaint")
    assert (aquaint.documents, aquaint.gold, aquaint.strict, aquaint.value_correct) == (1, 1, 1, 1)
    whole = evaluate_times(tiny_file)
    assert (whole.documents, whole.gold, whole.system, whole.relaxed) == (2, 4, 4, 3)
    assert evaluate_times(tiny_file, limit=1).documents == 1
    with pytest.raises(ValueError, match="unknown split"):
        evaluate_times(tiny_file, split="tempeval")


def test_relaxed_matching_is_one_to_one():
    text = "in the third quarter"
    gold = [
        _timex(text, "the third", "DATE", "1989-Q3"),
        _timex(text, "quarter", "DATE", "1989-Q3"),
    ]
    system = [TimeExpression("the third quarter", 3, 20, "DATE", "1989-Q3")]
    counts = score_document(gold, system)
    assert (counts.strict, counts.relaxed, counts.value_correct) == (0, 1, 1)


@pytest.mark.parametrize(
    ("gold", "system"),
    [
        ("1998-W9", "1998-W09"),
        ("199X", "199"),
        ("19XX", "19"),
        ("P1E", "P10Y"),
        ("P2L", "P2000Y"),
        ("PT1M30S", "PT90S"),
        ("P1Y6M", "P18M"),
        ("P1W", "P7D"),
        ("1989-11-06T17", "1989-11-06T17:00"),
    ],
)
def test_spellings_of_the_same_value_match(gold: str, system: str):
    assert same_value(gold, system)


@pytest.mark.parametrize(
    ("gold", "system"),
    [("P1D", "PT24H"), ("PXE", "PXY"), ("1998-W09", "1998-W10"), ("199", "198"), ("P1M", "PT1M")],
)
def test_different_values_do_not_match(gold: str, system: str):
    assert not same_value(gold, system)


def test_canonical_value_leaves_dates_and_references_alone():
    for value in ("1998-05-01", "PRESENT_REF", "XXXX-WXX-2", "1998-Q3", None):
        assert canonical_value(value) == value


def test_format_shows_each_split_and_the_anchors(tiny_file: Path):
    table = format_time_scores([evaluate_times(tiny_file, split=s) for s in ("timebank", "all")])
    assert "timebank" in table and "all" in table
    assert "0.333 / 0.333 / 0.333" in table  # strict P / R / F1 of the first split
    assert "HeidelTime 0.903" in table and "SUTime 0.674" in table
    assert "docs per second" in table


@pytest.mark.shared_data
def test_tempeval3_training_corpora_stay_at_the_measured_level():
    path = needs_shared("timex", "timebank_aquaint.jsonl")
    whole = evaluate_times(path)
    assert whole.documents == 256
    assert whole.relaxed_prf[2] >= 0.90
    assert whole.value_f1 >= 0.80
    assert whole.value_equivalent_f1 >= whole.value_f1
    # The held-out part (AQUAINT) must not trail the part the rules were written on by much.
    aquaint = evaluate_times(path, split="aquaint")
    assert aquaint.relaxed_prf[2] >= 0.88
