"""Claim-comparison evaluation: scorer arithmetic on a tiny file, and the dev set's shape."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from storyline.evaluate.claims import evaluate_claims, format_claim_scores, score_labels

DEV = Path(__file__).resolve().parents[1] / "evaluation" / "claims_dev.jsonl"


def test_scores_by_hand() -> None:
    gold = ["entailment", "entailment", "contradiction", "neutral", "neutral"]
    predicted = ["entailment", "neutral", "contradiction", "neutral", "contradiction"]
    scores = score_labels(gold, predicted, {"half": ["a", "a", "a", "b", "b"]})
    assert scores.accuracy == pytest.approx(3 / 5)
    assert scores.per_label["entailment"].precision == pytest.approx(1.0)
    assert scores.per_label["entailment"].recall == pytest.approx(0.5)
    assert scores.per_label["contradiction"].precision == pytest.approx(0.5)
    assert scores.per_label["neutral"].f1 == pytest.approx(0.5)
    assert scores.macro_f1 == pytest.approx((2 / 3 + 2 / 3 + 0.5) / 3)
    assert scores.confusion["neutral"]["contradiction"] == 1
    assert scores.by_half == {"a": (2, 3), "b": (1, 2)}


def test_tiny_file_end_to_end(tmp_path: Path) -> None:
    path = tmp_path / "pairs.jsonl"
    records = [
        {"id": "p1", "premise": "NATO will send troops to Ukraine.",
         "hypothesis": "NATO will not send troops to Ukraine.", "label": "contradiction"},
        {"id": "p2", "premise": "Gazprom halted gas deliveries to Bulgaria.",
         "hypothesis": "Zelensky addressed the Japanese parliament.", "label": "neutral"},
        {"id": "p3", "premise": "Denmark sent a frigate to the Baltic Sea.",
         "hypothesis": "Denmark sent a frigate to the Baltic Sea.", "label": "entailment"},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    out = tmp_path / "predictions.jsonl"
    scores = evaluate_claims(path, predictions_out=out)
    assert scores.pairs == 3 and scores.accuracy == pytest.approx(1.0)
    predictions = [json.loads(line) for line in out.read_text().splitlines()]
    assert predictions == [{"id": r["id"], "label": r["label"]} for r in records]
    assert "accuracy 1.000" in format_claim_scores(scores)


def test_bad_label_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "pairs.jsonl"
    path.write_text(json.dumps({"id": "x", "premise": "a", "hypothesis": "b", "label": "yes"}) + "\n")
    with pytest.raises(ValueError, match="label"):
        evaluate_claims(path)


def test_dev_set_is_large_balanced_and_unique() -> None:
    records = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines()]
    assert len(records) >= 300
    assert len({r["id"] for r in records}) == len(records)
    counts = Counter(r["label"] for r in records)
    assert min(counts.values()) >= 0.3 * len(records)
    assert {r["half"] for r in records} == {"a", "b"}
