"""Fitting the learned statement comparer on labelled NLI pairs (`storyline train claims DATA...`).

Data: JSON lines `{"id", "premise", "hypothesis", "label"}`, label `entailment`, `contradiction` or
`neutral`; two-way sets (RTE-1, RTE-2) label `entailment` / `not_entailment` and train only the
entailment model. A file may be narrowed to one part, `PATH:half=a` (any field=value).

The fit is deterministic: pairs whose id hashes to 0 mod 5 are held back; the two logistic
regressions are fitted on the rest, every data set weighing the same in total so the large
caption sets do not drown the news-like ones; for entailment and for contradiction, the
threshold is the least confidence (`ComparerWeights.decide`) at which that label among the
held-back pairs is right `CONFIDENT_PRECISION` of the time.
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
HELD_BACK_EVERY = 5  # one pair in five is held back to choose the threshold


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


def featurise(pairs: Sequence[LabelledPair], settings: Settings | None = None) -> numpy.ndarray:
    """Return the `FEATURE_NAMES` values of every pair."""
    return numpy.array(
        [pair_features(evidence) for evidence in pair_evidences(pairs, settings)], dtype=float
    ).reshape(len(pairs), len(FEATURE_NAMES))


def held_back(pair: LabelledPair) -> bool:
    """Return whether a pair is kept out of the fit to choose the threshold (by its id's hash)."""
    return int(hashlib.sha1(pair.id.encode("utf-8")).hexdigest(), 16) % HELD_BACK_EVERY == 0


def fit_comparer(
    pairs: Sequence[LabelledPair], features: numpy.ndarray, fitted: dict[str, object] | None = None
) -> ComparerWeights:
    """Return the comparer fitted on `pairs` (rows of `features`), threshold set on held-back pairs."""
    from sklearn.linear_model import LogisticRegression

    if len(pairs) != len(features):
        raise ValueError(f"{len(pairs)} pairs but {len(features)} feature rows")
    held = numpy.array([held_back(p) for p in pairs])
    labels = numpy.array([p.label for p in pairs])
    datasets = numpy.array([p.dataset for p in pairs])
    fit_rows = ~held
    if not (labels[fit_rows] == ENTAILMENT).any() or not (labels[fit_rows] == CONTRADICTION).any():
        raise ValueError("the data must hold entailed and contradicted pairs outside the held-back fifth")
    means = features[fit_rows].mean(axis=0)
    scales = features[fit_rows].std(axis=0)
    scales[scales == 0] = 1.0
    standardised = (features - means) / scales

    def model(rows: numpy.ndarray, positive: numpy.ndarray) -> LogisticModel:
        weights = _equal_datasets(datasets[rows])
        regression = LogisticRegression(C=1.0, max_iter=5000).fit(
            standardised[rows], positive[rows], sample_weight=weights
        )
        return LogisticModel(tuple(float(w) for w in regression.coef_[0]), float(regression.intercept_[0]))

    entailment = model(fit_rows, labels == ENTAILMENT)
    not_entailed = fit_rows & numpy.isin(labels, (CONTRADICTION, NEUTRAL))
    contradiction = model(not_entailed, labels == CONTRADICTION)
    weights = ComparerWeights(FEATURE_NAMES, tuple(means), tuple(scales), entailment, contradiction, {})
    three_way_held = held & numpy.isin(labels, LABELS)
    decisions = [weights.decide(row) for row in features[three_way_held]]
    confident_at = {
        wanted: _confident_threshold(
            [confidence if label == wanted else 0.0 for label, confidence, _ in decisions],
            labels[three_way_held] == wanted,
        )
        for wanted in (ENTAILMENT, CONTRADICTION)
    }
    record = dict(fitted or {})
    record.update(
        {
            "pairs": {name: int(count) for name, count in sorted(Counter(datasets[fit_rows]).items())},
            "held_back_pairs": int(held.sum()),
            "confident_at": f"per label, the least confidence right {CONFIDENT_PRECISION:.0%} of the time on held-back pairs",
        }
    )
    return ComparerWeights(FEATURE_NAMES, tuple(means), tuple(scales), entailment, contradiction, confident_at, record)


def _equal_datasets(datasets: numpy.ndarray) -> numpy.ndarray:
    """Return sample weights under which every data set weighs the same in total (mean weight 1)."""
    counts = Counter(datasets)
    weights = numpy.array([1.0 / counts[name] for name in datasets])
    return weights * len(datasets) / weights.sum()


def _confident_threshold(probabilities: Sequence[float], is_label: numpy.ndarray) -> float:
    """Return the least confidence above which the label's predictions reach `CONFIDENT_PRECISION`.

    Scanned from the most probable down; 1.0 (never confident) when no cut reaches it.
    """
    order = numpy.argsort(-numpy.asarray(probabilities), kind="stable")
    chosen, right = 1.0, 0
    for rank, index in enumerate(order, 1):
        right += bool(is_label[index])
        if rank >= 5 and right / rank >= CONFIDENT_PRECISION:
            chosen = float(probabilities[index])
    return round(chosen, 4)


def train_claims(selections: Sequence[str | Path], settings: Settings | None = None) -> ComparerWeights:
    """Return the comparer fitted on every pair of the given files (`PATH` or `PATH:field=value`)."""
    pairs = [pair for selection in selections for pair in load_pairs(selection)]
    if not pairs:
        raise ValueError("no labelled pairs in " + ", ".join(str(s) for s in selections))
    command = "storyline train claims " + " ".join(str(s) for s in selections)
    return fit_comparer(pairs, featurise(pairs, settings), {"command": command})
