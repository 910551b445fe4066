"""Statement comparison on labelled (premise, hypothesis) pairs, NLI style.

Data: JSON lines `{"id", "premise", "hypothesis", "label", "phenomenon"}` with label one of
entailment, contradiction, neutral (two-way sets: entailment, not_entailment); optional `half`
names the part of the set a record belongs to (our `evaluation/claims_dev.jsonl`: half "a" was
written before the rules were built and their thresholds were set on it, half "b" was written
afterwards). A file may be narrowed, `PATH:half=b`.

Metrics: accuracy; precision, recall and F1 per label and their macro average; the confusion
matrix (gold row, predicted column); accuracy per phenomenon and per half. Several files are
scored side by side with three comparers (`compare_comparers`: the rules, the cross-encoder
alone, and the learned comparer over both), and `leave_one_dataset_out` fits the learned
comparer without each data set in turn and scores it on that set.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy

from storyline.claims.compare import LABELS, ComparerParams, compare_frames
from storyline.claims.cross_encoder import CrossEncoder, load_cross_encoder
from storyline.claims.evidence import ENTAILMENT, PairEvidence, rule_comparison
from storyline.claims.learned import ComparerWeights, load_comparer_weights
from storyline.claims.train import (
    NOT_ENTAILMENT,
    LabelledPair,
    encoder_probabilities,
    evidences_and_features,
    fit_comparer,
    load_pairs,
    pair_frames,
    unseen_by_encoder,
)
from storyline.settings import Settings

TWO_WAY = (ENTAILMENT, NOT_ENTAILMENT)


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
    labels: tuple[str, ...] = LABELS,
) -> ClaimScores:
    """Return accuracy, per-label P/R/F1 and the confusion matrix of `predicted` against `gold`.

    `groups` maps a grouping name ("phenomenon", "half") to one group label per pair; accuracy is
    also given per group. A label never predicted has precision 0; one never gold has recall 0.
    For a two-way set, `labels` is `TWO_WAY` and predictions other than entailment count as
    not_entailment.
    """
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold labels but {len(predicted)} predictions")
    if labels == TWO_WAY:
        predicted = [p if p == ENTAILMENT else NOT_ENTAILMENT for p in predicted]
    confusion = {g: {p: 0 for p in labels} for g in labels}
    for g, p in zip(gold, predicted, strict=True):
        confusion[g][p] += 1
    per_label = {}
    for label in labels:
        true_positive = confusion[label][label]
        predicted_count = sum(confusion[g][label] for g in labels)
        gold_count = sum(confusion[label].values())
        precision = true_positive / predicted_count if predicted_count else 0.0
        recall = true_positive / gold_count if gold_count else 0.0
        per_label[label] = LabelScores(precision, recall, _f1(precision, recall), gold_count)
    correct = sum(confusion[label][label] for label in labels)
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
        macro_f1=sum(s.f1 for s in per_label.values()) / len(labels),
        per_label=per_label,
        confusion=confusion,
        by_phenomenon=group_scores.get("phenomenon", {}),
        by_half=group_scores.get("half", {}),
    )


def _scores(pairs: list[LabelledPair], predicted: list[str]) -> ClaimScores:
    two_way = any(p.two_way for p in pairs)
    groups = {"phenomenon": [p.phenomenon for p in pairs], "half": [p.half for p in pairs]}
    return score_labels([p.label for p in pairs], predicted, groups, TWO_WAY if two_way else LABELS)


COMPARERS = ("rules", "encoder", "learned")  # the columns of a comparer table


def _labels_by_comparer(
    evidence: list[PairEvidence], features: numpy.ndarray, weights: ComparerWeights, encoder: CrossEncoder
) -> dict[str, list[str]]:
    """Return each comparer's labels: the rules, the cross-encoder alone, and the learned comparer."""
    encoded = encoder_probabilities(evidence, encoder)
    return {
        "rules": [rule_comparison(e).label for e in evidence],
        "encoder": [max(found, key=found.__getitem__) for found in encoded],
        "learned": [weights.decide(row)[0] for row in features],
    }


def evaluate_claims(
    path: Path | str,
    predictions_out: Path | None = None,
    settings: Settings | None = None,
    params: ComparerParams | None = None,
) -> ClaimScores:
    """Return one comparer's scores on the labelled pairs of `path` (`PATH` or `PATH:half=b`).

    With `predictions_out`, writes one line per pair `{"id", "label"}` there. Parses every text
    once in one spaCy batch.
    """
    pairs = load_pairs(path)
    frames = pair_frames(pairs, settings)
    params = params or ComparerParams()
    if params.method == "learned":
        load_cross_encoder(params.cross_encoder, threads=0).prefetch(
            [(frames[p.premise].text, frames[p.hypothesis].text) for p in pairs]
        )
    predicted = [compare_frames(frames[p.premise], frames[p.hypothesis], params).label for p in pairs]
    if predictions_out is not None:
        predictions_out.parent.mkdir(parents=True, exist_ok=True)
        with predictions_out.open("w", encoding="utf-8") as handle:
            for pair, label in zip(pairs, predicted, strict=True):
                handle.write(json.dumps({"id": pair.id, "label": label}) + "\n")
    return _scores(pairs, predicted)


@dataclass
class ComparerTable:
    """Scores per file of each comparer, all from one parse; `held_out` names the LODO rows."""

    rows: dict[str, dict[str, ClaimScores]]  # file -> comparer -> scores
    fitted_without: dict[str, str] = field(default_factory=dict)  # file -> data set left out of the fit


def compare_comparers(
    selections: list[str], settings: Settings | None = None, weights: ComparerWeights | None = None
) -> ComparerTable:
    """Return the rules', the cross-encoder's and the shipped learned comparer's scores on each file."""
    weights = weights or load_comparer_weights()
    encoder = load_cross_encoder(threads=0)
    rows = {}
    for selection in selections:
        pairs = load_pairs(selection)
        evidence, features = evidences_and_features(pairs, settings, encoder)
        labels = _labels_by_comparer(evidence, features, weights, encoder)
        rows[selection] = {name: _scores(pairs, found) for name, found in labels.items()}
    return ComparerTable(rows)


def leave_one_dataset_out(selections: list[str], settings: Settings | None = None) -> ComparerTable:
    """Return, for each data set, the comparer fitted on all the others scored on its files.

    A data set is a file name's first part (`rte1_dev` and `rte1_test` are one set, "rte1"), so
    no fold is fitted on the set it scores. The cross-encoder is the shipped one, not refitted:
    a set it was trained on is scored only on the pairs outside its training folds. Every text is
    parsed once for all folds.
    """
    by_file = {selection: load_pairs(selection) for selection in selections}
    everything = [pair for pairs in by_file.values() for pair in pairs]
    encoder = load_cross_encoder(threads=0)
    evidence, features = evidences_and_features(everything, settings, encoder)
    datasets = sorted({p.dataset for p in everything})
    if len(datasets) < 2:
        raise ValueError("leave-one-dataset-out needs files of two data sets or more")
    rows: dict[str, dict[str, ClaimScores]] = {}
    fitted_without: dict[str, str] = {}
    for left_out in datasets:
        keep = numpy.array([p.dataset != left_out for p in everything])
        weights = fit_comparer([p for p, k in zip(everything, keep, strict=True) if k], features[keep])
        start = 0
        for selection, pairs in by_file.items():
            end = start + len(pairs)
            if pairs and pairs[0].dataset == left_out:
                scored = [i for i in range(start, end) if unseen_by_encoder(everything[i], encoder)]
                labels = _labels_by_comparer(
                    [evidence[i] for i in scored], features[scored], weights, encoder
                )
                kept = [everything[i] for i in scored]
                rows[selection] = {name: _scores(kept, found) for name, found in labels.items()}
                fitted_without[selection] = left_out
            start = end
    return ComparerTable({s: rows[s] for s in selections if s in rows}, fitted_without)


def format_comparer_table(table: ComparerTable) -> str:
    """Return one line per file: pairs scored, and accuracy / contradiction F1 of each comparer."""
    title = (
        "leave-one-dataset-out: the learned comparer fitted without the row's data set; the cross-encoder "
        "scored on pairs it was not trained on"
        if table.fitted_without
        else "the shipped comparers"
    )
    header = "".join(f"  {name + ' acc / C-F1':>21}" for name in COMPARERS)
    lines = [title, f"{'file':<44}{'pairs':>6}{header}"]
    for selection, by_method in table.rows.items():
        cells = []
        for method in COMPARERS:
            s = by_method[method]
            contradiction = s.per_label.get("contradiction")
            c = f"{contradiction.f1:.3f}" if contradiction else "  2-way"
            cells.append(f"  {s.accuracy:.3f} / {c:>7}".rjust(23))
        name = Path(selection.split(":")[0]).name + (":" + selection.split(":", 1)[1] if ":" in selection else "")
        lines.append(f"{name:<44}{by_method['rules'].pairs:>6}{''.join(cells)}")
    for method in ("rules", "encoder"):
        losses = [s for s, m in table.rows.items() if m["learned"].accuracy < m[method].accuracy]
        lines.append(f"learned loses to the {method} on: " + (", ".join(losses) if losses else "none"))
    return "\n".join(lines)


def format_claim_scores(scores: ClaimScores) -> str:
    """Return the scores as a plain-text report: totals, per label, confusion, per group."""
    lines = [
        f"pairs {scores.pairs}  accuracy {scores.accuracy:.3f}  macro F1 {scores.macro_f1:.3f}",
        "",
        f"{'label':<14}{'P':>7}{'R':>7}{'F1':>7}{'gold':>7}",
    ]
    for label, s in scores.per_label.items():
        lines.append(f"{label:<14}{s.precision:>7.3f}{s.recall:>7.3f}{s.f1:>7.3f}{s.support:>7}")
    labels = list(scores.confusion)
    lines += ["", "confusion (rows gold, columns predicted)", " " * 14 + "".join(f"{p[:6]:>8}" for p in labels)]
    for gold, row in scores.confusion.items():
        lines.append(f"{gold:<14}" + "".join(f"{row[p]:>8}" for p in labels))
    for title, groups in (("half", scores.by_half), ("phenomenon", scores.by_phenomenon)):
        if len(groups) > 1 or title == "phenomenon" and groups:
            lines += ["", f"accuracy by {title}"]
            lines += [f"  {name:<22}{c / t:>6.3f}  ({c}/{t})" for name, (c, t) in groups.items()]
    return "\n".join(lines)

