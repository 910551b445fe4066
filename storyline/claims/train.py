"""Fitting the learned statement comparer on labelled NLI pairs (`storyline train claims DATA...`).

Data: JSON lines `{"id", "premise", "hypothesis", "label"}`, label `entailment`, `contradiction` or
`neutral`; two-way sets (RTE-1, RTE-2) label `entailment` / `not_entailment` and train only the
entailment model. A file may be narrowed to one part, `PATH:half=a` (any field=value).

The fit is deterministic. Pairs fall in five folds by a hash of their id (`pair_fold`): fold 0 is
held back; folds 1 to 3 train the cross-encoder (`storyline train cross-encoder`,
`CROSS_ENCODER_FOLDS`), whose probabilities there read surer than on pairs it never saw; the two
logistic regressions are fitted on fold 4, each pair weighted by one over the square root of its
data set's size (`dataset_weights`), so the large caption sets do not drown the news-like ones
and the smallest sets (a few dozen pairs in fold 4) do not steer the fit alone. For entailment and for contradiction,
the threshold is the least confidence (`ComparerWeights.decide`) at which that label among the
held-back pairs is right `CONFIDENT_PRECISION` of the time, every data set weighing the same there
(the caption sets' contradictions are easy; a news pair's must not be held to their bar).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy

from storyline.analyse.frames import frame_texts
from storyline.claims.cross_encoder import CrossEncoder, load_cross_encoder
from storyline.claims.evidence import (
    CONTRADICTION,
    ENTAILMENT,
    LABELS,
    NEUTRAL,
    ComparerParams,
    PairEvidence,
    pair_evidence,
)
from storyline.claims.learned import FEATURE_NAMES, ComparerWeights, LogisticModel, pair_features
from storyline.model import StatementFrame
from storyline.settings import Settings

NOT_ENTAILMENT = "not_entailment"  # the second label of two-way sets
CONFIDENT_PRECISION = 0.8  # a label counts toward a verdict where it is right this often
HELD_BACK_EVERY = 5  # pairs fall in five folds by a hash of their id
CROSS_ENCODER_FOLDS = frozenset({1, 2, 3})  # train the cross-encoder; fold 0 chooses the thresholds
DATASET_WEIGHT_POWER = 0.5  # a pair weighs 1 / size ** power of its data set (`dataset_weights`)


@dataclass(frozen=True)
class LabelledPair:
    """One premise/hypothesis pair with its gold label and the data set it comes from."""

    id: str
    premise: str
    hypothesis: str
    label: str  # one of LABELS, or NOT_ENTAILMENT in a two-way set
    dataset: str
    phenomenon: str = "-"
    half: str = "-"

    @property
    def two_way(self) -> bool:
        return self.label == NOT_ENTAILMENT


def dataset_name(path: Path) -> str:
    """Return the data set a file belongs to: `rte1_dev.jsonl` and `rte1_test.jsonl` are both "rte1"."""
    return path.stem.split("_")[0]


def load_pairs(selection: str | Path) -> list[LabelledPair]:
    """Return the labelled pairs of a file, `PATH` or `PATH:field=value` for only part of it.

    A line that is not JSON, lacks a text, or has an unknown label raises ValueError naming the
    file and the line.
    """
    text = str(selection)
    path_text, _, condition = text.partition(":") if not Path(text).exists() else (text, "", "")
    path = Path(path_text)
    wanted: tuple[str, str] | None = None
    if condition:
        key, equals, value = condition.partition("=")
        if not equals:
            raise ValueError(f"{text}: a part is written field=value, as in {path_text}:half=a")
        wanted = (key, value)
    pairs = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise ValueError(f"{path}, line {number}: not JSON ({error.msg})") from None
            label = record.get("label")
            if label not in (*LABELS, NOT_ENTAILMENT):
                raise ValueError(f"{path}, line {number}: record {record.get('id')!r} has label {label!r}")
            if not record.get("premise") or not record.get("hypothesis"):
                raise ValueError(f"{path}, line {number}: record {record.get('id')!r} lacks a premise or hypothesis")
            if wanted and str(record.get(wanted[0])) != wanted[1]:
                continue
            pairs.append(
                LabelledPair(
                    id=str(record.get("id", f"{path.stem}-{number}")),
                    premise=record["premise"],
                    hypothesis=record["hypothesis"],
                    label=label,
                    dataset=dataset_name(path),
                    phenomenon=str(record.get("phenomenon", "-")),
                    half=str(record.get("half", "-")),
                )
            )
    return pairs


def pair_frames(pairs: Sequence[LabelledPair], settings: Settings | None = None) -> dict[str, StatementFrame]:
    """Return the frame of every premise and hypothesis, each distinct text parsed once in one batch."""
    texts = list(dict.fromkeys(text for pair in pairs for text in (pair.premise, pair.hypothesis)))
    return dict(zip(texts, frame_texts(texts, settings), strict=True))


def pair_evidences(pairs: Sequence[LabelledPair], settings: Settings | None = None) -> list[PairEvidence]:
    """Return the evidence between each pair's premise and hypothesis."""
    frames = pair_frames(pairs, settings)
    params = ComparerParams()
    return [pair_evidence(frames[p.premise], frames[p.hypothesis], params) for p in pairs]


def evidences_and_features(
    pairs: Sequence[LabelledPair], settings: Settings | None = None, encoder: CrossEncoder | None = None
) -> tuple[list[PairEvidence], numpy.ndarray]:
    """Return each pair's evidence and `FEATURE_NAMES` values (the cross-encoder run in batches)."""
    evidences = pair_evidences(pairs, settings)
    encoded = encoder_probabilities(evidences, encoder)
    features = numpy.array(
        [pair_features(evidence, found) for evidence, found in zip(evidences, encoded, strict=True)], dtype=float
    ).reshape(len(pairs), len(FEATURE_NAMES))
    return evidences, features


def encoder_probabilities(
    evidences: Sequence[PairEvidence], encoder: CrossEncoder | None = None
) -> list[dict[str, float]]:
    """Return the cross-encoder's probabilities of each pair (default: the shipped one, on all cores)."""
    encoder = encoder or load_cross_encoder(threads=0)
    return encoder.probabilities([(e.premise.text, e.hypothesis.text) for e in evidences])


def featurise(
    pairs: Sequence[LabelledPair], settings: Settings | None = None, encoder: CrossEncoder | None = None
) -> numpy.ndarray:
    """Return the `FEATURE_NAMES` values of every pair."""
    return evidences_and_features(pairs, settings, encoder)[1]


def unseen_by_encoder(pair: LabelledPair, encoder: CrossEncoder) -> bool:
    """Return whether the cross-encoder was not trained on this pair (its card names its data sets)."""
    return pair.dataset not in dict(encoder.card.get("pairs", {})) or pair_fold(pair) not in CROSS_ENCODER_FOLDS


def pair_fold(pair: LabelledPair) -> int:
    """Return the pair's fold, 0 to `HELD_BACK_EVERY` - 1, by its id's hash."""
    return int(hashlib.sha1(pair.id.encode("utf-8")).hexdigest(), 16) % HELD_BACK_EVERY


def held_back(pair: LabelledPair) -> bool:
    """Return whether a pair is kept out of the fit to choose the threshold (fold 0)."""
    return pair_fold(pair) == 0


def fits_comparer(pair: LabelledPair) -> bool:
    """Return whether a pair fits the comparer's regressions: neither held back nor seen by the
    cross-encoder, whose probabilities on its own training pairs would read surer than elsewhere."""
    fold = pair_fold(pair)
    return fold != 0 and fold not in CROSS_ENCODER_FOLDS


def fit_comparer(
    pairs: Sequence[LabelledPair],
    features: numpy.ndarray,
    fitted: dict[str, object] | None = None,
    weight_power: float = DATASET_WEIGHT_POWER,
) -> ComparerWeights:
    """Return the comparer fitted on `pairs` (rows of `features`), threshold set on held-back pairs.

    Each pair weighs its data set's size to the power `-weight_power` (`dataset_weights`).
    """
    from sklearn.linear_model import LogisticRegression

    if len(pairs) != len(features):
        raise ValueError(f"{len(pairs)} pairs but {len(features)} feature rows")
    held = numpy.array([held_back(p) for p in pairs])
    labels = numpy.array([p.label for p in pairs])
    datasets = numpy.array([p.dataset for p in pairs])
    fit_rows = numpy.array([fits_comparer(p) for p in pairs])
    if not (labels[fit_rows] == ENTAILMENT).any() or not (labels[fit_rows] == CONTRADICTION).any():
        raise ValueError("the data must hold entailed and contradicted pairs in the comparer's folds")
    means = features[fit_rows].mean(axis=0)
    scales = features[fit_rows].std(axis=0)
    scales[scales == 0] = 1.0
    standardised = (features - means) / scales

    def model(rows: numpy.ndarray, positive: numpy.ndarray) -> LogisticModel:
        weights = dataset_weights(datasets[rows], weight_power)
        regression = LogisticRegression(C=1.0, max_iter=5000).fit(
            standardised[rows], positive[rows], sample_weight=weights
        )
        return LogisticModel(tuple(float(w) for w in regression.coef_[0]), float(regression.intercept_[0]))

    entailment = model(fit_rows, labels == ENTAILMENT)
    not_entailed = fit_rows & numpy.isin(labels, (CONTRADICTION, NEUTRAL))
    contradiction = model(not_entailed, labels == CONTRADICTION)
    weights = ComparerWeights(FEATURE_NAMES, tuple(means), tuple(scales), entailment, contradiction, {})
    confident_at = confidence_thresholds(weights, pairs, features)
    record = dict(fitted or {})
    record.update(
        {
            "pairs": {name: int(count) for name, count in sorted(Counter(datasets[fit_rows]).items())},
            "held_back_pairs": int(held.sum()),
            "confident_at": f"per label, the least confidence right {CONFIDENT_PRECISION:.0%} of the time on held-back pairs, every data set weighing the same",
        }
    )
    return ComparerWeights(FEATURE_NAMES, tuple(means), tuple(scales), entailment, contradiction, confident_at, record)


def confidence_thresholds(
    weights: ComparerWeights, pairs: Sequence[LabelledPair], features: numpy.ndarray
) -> dict[str, float]:
    """Return, for entailment and contradiction, the least confidence at which the label is right
    `CONFIDENT_PRECISION` of the time among the held-back pairs of the three-way sets.

    Every data set weighs the same there: the caption sets' contradictions are easy, and a news
    pair's must not be held to their bar. Two-way sets take no part: their entailed pairs alone
    are three-way labels, and would flatter entailment.
    """
    two_way_sets = sorted({pair.dataset for pair in pairs if pair.two_way})
    datasets = numpy.array([pair.dataset for pair in pairs])
    rows = numpy.array([held_back(pair) for pair in pairs]) & ~numpy.isin(datasets, two_way_sets)
    labels = numpy.array([pair.label for pair in pairs])[rows]
    decisions = [weights.decide(row) for row in features[rows]]
    every_set_alike = dataset_weights(datasets[rows], power=1.0)
    return {
        wanted: _confident_threshold(
            [confidence if label == wanted else 0.0 for label, confidence, _ in decisions],
            labels == wanted,
            every_set_alike,
        )
        for wanted in (ENTAILMENT, CONTRADICTION)
    }


def dataset_weights(datasets: Sequence[str], power: float = DATASET_WEIGHT_POWER) -> numpy.ndarray:
    """Return each pair's sample weight, its data set's size to the power `-power` (mean 1).

    0 weighs every pair the same (the caption sets decide); 1 every data set the same (a set of
    30 pairs weighs as much as one of 4,000). `DATASET_WEIGHT_POWER` was chosen on fold 0 by
    `evaluation/claims_choices.py`.
    """
    counts = Counter(datasets)
    weights = numpy.array([counts[name] ** -power for name in datasets], dtype=float)
    return weights * len(weights) / weights.sum()


def _confident_threshold(probabilities: Sequence[float], is_label: numpy.ndarray, weights: numpy.ndarray) -> float:
    """Return the least confidence above which the label's predictions reach `CONFIDENT_PRECISION`,
    each prediction weighing its `weights`.

    Scanned from the most probable down; 1.0 (never confident) when no cut reaches it.
    """
    order = numpy.argsort(-numpy.asarray(probabilities), kind="stable")
    chosen, right, total = 1.0, 0.0, 0.0
    for rank, index in enumerate(order, 1):
        if probabilities[index] <= 0.0:  # not predicted as the label: no cut goes below these
            break
        right += float(weights[index]) * bool(is_label[index])
        total += float(weights[index])
        if rank >= 5 and right / total >= CONFIDENT_PRECISION:
            chosen = float(probabilities[index])
    return round(chosen, 4)


def train_claims(selections: Sequence[str | Path], settings: Settings | None = None) -> ComparerWeights:
    """Return the comparer fitted on every pair of the given files (`PATH` or `PATH:field=value`)."""
    pairs = [pair for selection in selections for pair in load_pairs(selection)]
    if not pairs:
        raise ValueError("no labelled pairs in " + ", ".join(str(s) for s in selections))
    command = "storyline train claims " + " ".join(str(s) for s in selections)
    return fit_comparer(pairs, featurise(pairs, settings), {"command": command})
