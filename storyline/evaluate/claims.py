"""Statement comparison on a labelled set of (premise, hypothesis) pairs, NLI style.

Data: JSON lines `{"id", "premise", "hypothesis", "label", "phenomenon"}` with label one of
entailment, contradiction, neutral; optional `half` names the part of the set a record belongs to
(our `evaluation/claims_dev.jsonl`: half "a" was written before the comparer was built and its
thresholds were set on it, half "b" was written afterwards and is the honest figure).

Metrics: accuracy; precision, recall and F1 per label and their macro average; the confusion
matrix (gold row, predicted column); accuracy per phenomenon and per half.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storyline.claims.compare import LABELS, ComparerParams, compare_pairs
from storyline.settings import Settings


@dataclass(frozen=True)
class LabelScores:
    """Precision, recall and F1 of one label, with its gold count (support)."""

    precision: float
    recall: float
    f1: float
    support: int


@dataclass
class ClaimScores:
    """Scores of the comparer on a labelled file."""

    pairs: int
    accuracy: float
    macro_f1: float
    per_label: dict[str, LabelScores]
    confusion: dict[str, dict[str, int]]  # gold -> predicted -> count
    by_phenomenon: dict[str, tuple[int, int]] = field(default_factory=dict)  # correct, total
    by_half: dict[str, tuple[int, int]] = field(default_factory=dict)


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def score_labels(
    gold: list[str],
    predicted: list[str],
    groups: dict[str, list[str]] | None = None,
) -> ClaimScores:
    """Return accuracy, per-label P/R/F1 and the confusion matrix of `predicted` against `gold`.

    `groups` maps a grouping name ("phenomenon", "half") to one group label per pair; accuracy is
    also given per group. A label never predicted has precision 0; one never gold has recall 0.
    """
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold labels but {len(predicted)} predictions")
    confusion = {g: {p: 0 for p in LABELS} for g in LABELS}
    for g, p in zip(gold, predicted, strict=True):
        confusion[g][p] += 1
    per_label = {}
    for label in LABELS:
        true_positive = confusion[label][label]
        predicted_count = sum(confusion[g][label] for g in LABELS)
        gold_count = sum(confusion[label].values())
        precision = true_positive / predicted_count if predicted_count else 0.0
        recall = true_positive / gold_count if gold_count else 0.0
        per_label[label] = LabelScores(precision, recall, _f1(precision, recall), gold_count)
    correct = sum(confusion[label][label] for label in LABELS)
    group_scores: dict[str, dict[str, tuple[int, int]]] = {}
    for name, values in (groups or {}).items():
        tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for value, g, p in zip(values, gold, predicted, strict=True):
            tally[value][0] += g == p
            tally[value][1] += 1
        group_scores[name] = {value: (c, t) for value, (c, t) in sorted(tally.items())}
    return ClaimScores(
        pairs=len(gold),
        accuracy=correct / len(gold) if gold else 0.0,
        macro_f1=sum(s.f1 for s in per_label.values()) / len(LABELS),
        per_label=per_label,
        confusion=confusion,
        by_phenomenon=group_scores.get("phenomenon", {}),
        by_half=group_scores.get("half", {}),
    )


def _load(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    for record in records:
        if record.get("label") not in LABELS:
            raise ValueError(f"{path}: record {record.get('id')!r} has label {record.get('label')!r}")
    return records


def evaluate_claims(
    path: Path,
    predictions_out: Path | None = None,
    settings: Settings | None = None,
    params: ComparerParams | None = None,
    half: str | None = None,
) -> ClaimScores:
    """Return the comparer's scores on the labelled pairs in `path` (only `half` when given).

    With `predictions_out`, writes one line per pair `{"id", "label"}` there. Parses every text
    once in one spaCy batch.
    """
    records = [r for r in _load(path) if half is None or r.get("half") == half]
    comparisons = compare_pairs(
        [(r["premise"], r["hypothesis"]) for r in records], settings, params or ComparerParams()
    )
    predicted = [c.label for c in comparisons]
    if predictions_out is not None:
        predictions_out.parent.mkdir(parents=True, exist_ok=True)
        with predictions_out.open("w", encoding="utf-8") as handle:
            for record, comparison in zip(records, comparisons, strict=True):
                handle.write(json.dumps({"id": record["id"], "label": comparison.label}) + "\n")
    groups = {
        "phenomenon": [str(r.get("phenomenon", "-")) for r in records],
        "half": [str(r.get("half", "-")) for r in records],
    }
    return score_labels([r["label"] for r in records], predicted, groups)


def format_claim_scores(scores: ClaimScores) -> str:
    """Return the scores as a plain-text report: totals, per label, confusion, per group."""
    lines = [
        f"pairs {scores.pairs}  accuracy {scores.accuracy:.3f}  macro F1 {scores.macro_f1:.3f}",
        "",
        f"{'label':<14}{'P':>7}{'R':>7}{'F1':>7}{'gold':>7}",
    ]
    for label, s in scores.per_label.items():
        lines.append(f"{label:<14}{s.precision:>7.3f}{s.recall:>7.3f}{s.f1:>7.3f}{s.support:>7}")
    lines += ["", "confusion (rows gold, columns predicted)", " " * 14 + "".join(f"{p[:6]:>8}" for p in LABELS)]
    for gold, row in scores.confusion.items():
        lines.append(f"{gold:<14}" + "".join(f"{row[p]:>8}" for p in LABELS))
    for title, groups in (("half", scores.by_half), ("phenomenon", scores.by_phenomenon)):
        if len(groups) > 1 or title == "phenomenon" and groups:
            lines += ["", f"accuracy by {title}"]
            lines += [f"  {name:<22}{c / t:>6.3f}  ({c}/{t})" for name, (c, t) in groups.items()]
    return "\n".join(lines)

