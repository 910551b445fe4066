"""Scoring of attribution extraction: matching arithmetic and a run on the shared PolNeAR file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storyline.evaluate.quotes import (
    Attribution,
    evaluate_quotes,
    format_quote_scores,
    gold_attributions,
    match,
    predicted_attributions,
    read_records,
    score_document,
)
from storyline.model import Statement

from .conftest import needs_shared

TEXT = (
    "The council met on Monday. “We will rebuild the school,” Mayor Ines Varga said. "
    "Officials said the costs were unknown."
)


def _span(fragment: str) -> tuple[int, int]:
    start = TEXT.index(fragment)
    return start, start + len(fragment)


def _statement(content: str, speaker: str, cue: str) -> Statement:
    start, end = _span(content)
    sp_start, sp_end = _span(speaker)
    cue_start, cue_end = _span(cue)
    return Statement(
        speaker_mention=speaker,
        cue=cue,
        content=content,
        start=start,
        end=end,
        direct=True,
        speaker_start=sp_start,
        speaker_end=sp_end,
        cue_start=cue_start,
        cue_end=cue_end,
    )


def _record() -> dict:
    def span(fragment: str) -> dict:
        start, end = _span(fragment)
        return {"start": start, "end": end, "text": fragment}

    return {
        "doc_id": "a",
        "text": TEXT,
        "publication_date": "2020-01-01",
        "quotes": [
            {
                "id": 0,
                "cue": span("said"),
                "sources": [span("Mayor Ines Varga")],
                "contents": [span("“We will rebuild the school,”")],
                "has_quote_marks": True,
            },
            {
                "id": 1,
                "cue": {
                    "start": TEXT.rindex("said"),
                    "end": TEXT.rindex("said") + 4,
                    "text": "said",
                },
                "sources": [span("Officials")],
                "contents": [span("the costs were unknown")],
                "has_quote_marks": False,
            },
        ],
    }


def test_scores_count_exact_and_overlap_matches() -> None:
    gold = gold_attributions(_record())
    predicted = predicted_attributions(
        [
            # exact content (quote marks trimmed), speaker one word short: overlap only
            _statement("We will rebuild the school", "Ines Varga", "said"),
            # no gold counterpart
            _statement("The council met on Monday", "The council", "met"),
        ]
    )
    scores, right, judged = score_document(TEXT, gold, predicted)
    assert scores["content overlap"].correct == 1
    assert scores["content overlap"].precision == pytest.approx(0.5)
    assert scores["content overlap"].recall == pytest.approx(0.5)
    assert scores["content exact"].correct == 1
    assert scores["source overlap"].correct == 1
    assert scores["source exact"].correct == 0
    assert scores["cue exact"].correct == 1
    assert (right, judged) == (1, 1)


def test_matching_is_one_to_one_by_most_shared_characters() -> None:
    gold = [Attribution(((0, 10),), None, None), Attribution(((20, 30),), None, None)]
    predicted = [Attribution(((5, 25),), None, None), Attribution(((18, 30),), None, None)]
    assert sorted(match(gold, predicted)) == [(0, 0), (1, 1)]


def test_statements_sharing_a_cue_form_one_attribution() -> None:
    first = _statement("“We will rebuild the school,”", "Mayor Ines Varga", "said")
    second = _statement("The council met on Monday", "Mayor Ines Varga", "said")
    (attribution,) = predicted_attributions([first, second])
    assert len(attribution.contents) == 2


def test_halves_alternate_in_doc_id_order(tmp_path: Path) -> None:
    path = tmp_path / "quotes.jsonl"
    lines = [json.dumps({"doc_id": name, "text": "", "quotes": []}) for name in "dcba"]
    path.write_text("\n".join(lines), encoding="utf-8")
    assert [r["doc_id"] for r in read_records(path, half="dev")] == ["a", "c"]
    assert [r["doc_id"] for r in read_records(path, half="check")] == ["b", "d"]


def test_evaluate_on_tiny_file(tmp_path: Path) -> None:
    path = tmp_path / "quotes.jsonl"
    path.write_text(json.dumps(_record()) + "\n", encoding="utf-8")
    try:
        scores = evaluate_quotes(path)
    except RuntimeError as error:  # no spaCy pipeline installed
        pytest.skip(str(error))
    assert scores.documents == 1 and scores.gold_attributions == 2
    assert scores.scores["content overlap"].recall == pytest.approx(1.0)
    assert scores.source_accuracy == pytest.approx(1.0)
    assert "source accuracy" in format_quote_scores(scores)


def test_polnear_development_file() -> None:
    path = needs_shared("quotes", "polnear_dev.jsonl")
    scores = evaluate_quotes(path, limit=6, half="check")
    assert scores.documents == 6
    assert scores.scores["content overlap"].f1 > 0.5
    assert scores.source_accuracy > 0.75
