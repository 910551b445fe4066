"""The learned statement comparer: two logistic regressions over the evidence the rules read.

A pair of frames is described by `pair_features`: what the rule comparer measures (coverage both
ways, names the premise lacks, subject clash, polarity and modality, antonyms, figures that match
or conflict), the rules' own verdict, the surface overlap of the two texts, and the three
probabilities of the NLI cross-encoder that reads both texts together
(`storyline.claims.cross_encoder`). Two models decide from them, as a chain:

* entailment or not, trained on every labelled set (two-way RTE included);
* for pairs that are not entailed, contradiction or neutral, trained on the three-way sets.

So P(entailment) = e, P(contradiction) = (1 - e) c, P(neutral) = (1 - e)(1 - c). The weights
are fitted by `storyline train claims DATA...` (`storyline.claims.train`) and ship in
`comparer_weights.json` with the data and the command that made them; nothing is downloaded.
Between a claim's statements, an entailment or a contradiction counts toward a verdict
("repeated", "confirmed", "changed", "disputed") only at or above its label's confidence in
`confident_at`, chosen on pairs held back from the fit. The rules' verdict is read with their
default thresholds, as in training, whatever `ComparerParams` the caller gives.
"""

from __future__ import annotations

import json
import math
import operator
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from rapidfuzz import fuzz

from storyline.claims.cross_encoder import CrossEncoder
from storyline.claims.evidence import (
    CONTRADICTION,
    ENTAILMENT,
    NEUTRAL,
    Comparison,
    PairEvidence,
    rule_comparison,
)

DEFAULT_COMPARER_WEIGHTS = Path(__file__).with_name("comparer_weights.json")

_NEGATION = re.compile(r"\b(?:no|not|never|nobody|nothing|none|neither|nor|without)\b|n't", re.IGNORECASE)
_WORD = re.compile(r"\w+")

FEATURE_NAMES = (
    "hypothesis_covered",
    "premise_covered",
    "similarity",
    "subject_clash",
    "new_names_log",
    "new_name",
    "same_event",
    "figures_agree",
    "figures_conflict",
    "figures_unsupported",
    "antonym",
    "polarity_differs",
    "premise_negated",
    "hypothesis_negated",
    "names_apart",
    "about_same",
    "object_clash",
    "premise_hedged",
    "hypothesis_hedged",
    "premise_subject_pronoun",
    "hypothesis_concepts_log",
    "premise_concepts_log",
    "length_ratio",
    "missing_weight_log",
    "partial_ratio",
    "token_set_ratio",
    "word_overlap",
    "bigram_overlap",
    "negation_only_hypothesis",
    "negation_only_premise",
    "hypothesis_negations",
    "premise_negations",
    "rules_entailment",
    "rules_contradiction",
    "rules_neutral",
    "polarity_differs_x_covered",
    "antonym_x_covered",
    "conflict_x_about_same",
    "new_name_x_covered",
    "negation_only_hypothesis_x_overlap",
    "polarity_differs_x_overlap",
    "encoder_entailment_log",
    "encoder_neutral_log",
    "encoder_contradiction_log",
)
_LEAST_PROBABILITY = 1e-4  # the cross-encoder's probabilities are read as logs from here up


@dataclass(frozen=True)
class _TextFacts:
    lowered: str
    words: tuple[str, ...]
    vocabulary: frozenset[str]
    bigrams: frozenset[tuple[str, str]]
    negations: int


@lru_cache(maxsize=1 << 14)
def _facts(text: str) -> _TextFacts:
    """Return a text's words, word pairs and negation count; remembered, as a statement is compared often."""
    words = tuple(word.lower() for word in _WORD.findall(text))
    return _TextFacts(
        text.lower(), words, frozenset(words), frozenset(zip(words, words[1:], strict=False)),
        len(_NEGATION.findall(text)),
    )


def pair_features(
    evidence: PairEvidence, encoded: Mapping[str, float], rules: Comparison | None = None
) -> list[float]:
    """Return the pair's values of `FEATURE_NAMES`, read from the evidence, the two texts, and the
    cross-encoder's probabilities of the pair (`encoded`: label -> probability)."""
    e, premise, hypothesis = evidence, evidence.premise, evidence.hypothesis
    label = (rules or rule_comparison(evidence)).label
    facts_p, facts_h = _facts(premise.text), _facts(hypothesis.text)
    words_h = facts_h.words
    overlap = sum(word in facts_p.vocabulary for word in words_h) / max(1, len(words_h))
    bigram_overlap = sum(
        pair in facts_p.bigrams for pair in zip(words_h, words_h[1:], strict=False)
    ) / max(1, len(words_h) - 1)
    negations_h, negations_p = facts_h.negations, facts_p.negations
    concepts_h, concepts_p = len(hypothesis.concepts), len(premise.concepts)
    text_p, text_h = facts_p.lowered, facts_h.lowered
    values = (
        e.cover_h,
        e.cover_p,
        e.score,
        e.subject_clash is not None,
        math.log1p(len(e.new_names)),
        bool(e.new_names),
        e.same_event,
        len(e.agree),
        len(e.conflict),
        len(e.unsupported),
        e.antonym is not None,
        e.polarity_differs,
        premise.negated,
        hypothesis.negated,
        e.names_apart,
        e.about_same,
        e.object_clash is not None,
        premise.hedged,
        hypothesis.hedged,
        premise.subject_pronoun,
        math.log1p(concepts_h),
        math.log1p(concepts_p),
        concepts_h / max(1, concepts_p),
        math.log1p(sum(c.weight for c in e.missing_h)),
        fuzz.partial_ratio(text_h, text_p) / 100,
        fuzz.token_set_ratio(text_h, text_p) / 100,
        overlap,
        bigram_overlap,
        negations_h > negations_p,
        negations_p > negations_h,
        min(negations_h, 3),
        min(negations_p, 3),
        label == ENTAILMENT,
        label == CONTRADICTION,
        label == NEUTRAL,
        e.polarity_differs * e.cover_h,
        (e.antonym is not None) * e.cover_h,
        bool(e.conflict) * e.about_same,
        bool(e.new_names) * e.cover_h,
        (negations_h > negations_p) * overlap,
        e.polarity_differs * overlap,
        *(math.log(max(_LEAST_PROBABILITY, encoded[label])) for label in (ENTAILMENT, NEUTRAL, CONTRADICTION)),
    )
    return [float(value) for value in values]


_PREMISE_HEDGED = FEATURE_NAMES.index("premise_hedged")
_HYPOTHESIS_HEDGED = FEATURE_NAMES.index("hypothesis_hedged")
_FIGURE_CONFLICT = FEATURE_NAMES.index("conflict_x_about_same")


def ruled_out(values: Sequence[float]) -> frozenset[str]:
    """Return the labels logic forbids for a pair with these feature values, whatever the models say.

    A hedged premise cannot entail a firm hypothesis ("may send" does not say "will send"), nor
    can a premise whose figure differs from the hypothesis's about the same thing.
    """
    weaker = values[_PREMISE_HEDGED] and not values[_HYPOTHESIS_HEDGED]
    return frozenset([ENTAILMENT]) if weaker or values[_FIGURE_CONFLICT] else frozenset()


@dataclass(frozen=True)
class LogisticModel:
    """One logistic regression (over standardised features, as stored)."""

    coefficients: tuple[float, ...]
    intercept: float

    def probability(self, values: Sequence[float]) -> float:
        z = self.intercept + sum(map(operator.mul, self.coefficients, values))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def on_raw(self, means: Sequence[float], scales: Sequence[float]) -> LogisticModel:
        """Return the same model over unstandardised values: (x - m) / s folded into the weights."""
        coefficients = tuple(w / s for w, s in zip(self.coefficients, scales, strict=True))
        shift = sum(w * m for w, m in zip(coefficients, means, strict=True))
        return LogisticModel(coefficients, self.intercept - shift)


@dataclass(frozen=True)
class ComparerWeights:
    """The two chained models, the features' standardisation, and each label's confidence threshold."""

    features: tuple[str, ...]
    means: tuple[float, ...]
    scales: tuple[float, ...]
    entailment: LogisticModel  # entailed or not
    contradiction: LogisticModel  # of the pairs not entailed: contradiction or neutral
    confident_at: dict[str, float]  # per label, the confidence at which it founds a decision
    fitted: dict[str, object] = field(default_factory=dict)

    def probabilities(self, values: Sequence[float]) -> dict[str, float]:
        """Return P(entailment), P(contradiction) and P(neutral) of a pair's feature values."""
        entailed = self._raw_entailment.probability(values)
        contradicted = self._raw_contradiction.probability(values)
        return {
            ENTAILMENT: entailed,
            CONTRADICTION: (1 - entailed) * contradicted,
            NEUTRAL: (1 - entailed) * (1 - contradicted),
        }

    @cached_property
    def _raw_entailment(self) -> LogisticModel:
        return self.entailment.on_raw(self.means, self.scales)

    @cached_property
    def _raw_contradiction(self) -> LogisticModel:
        return self.contradiction.on_raw(self.means, self.scales)

    def decide(self, values: Sequence[float]) -> tuple[str, float, dict[str, float]]:
        """Return the likeliest label logic allows (`ruled_out`), its share of the allowed, and all three."""
        probabilities = self.probabilities(values)
        forbidden = ruled_out(values)
        allowed = {name: p for name, p in probabilities.items() if name not in forbidden}
        label = max(allowed, key=allowed.__getitem__)
        return label, allowed[label] / (sum(allowed.values()) or 1.0), probabilities

    def to_json(self) -> str:
        """Return the weights as the JSON file `load_comparer_weights` reads."""
        record = {
            "features": {
                name: {"mean": m, "scale": s, "entailment": we, "contradiction": wc}
                for name, m, s, we, wc in zip(
                    self.features,
                    self.means,
                    self.scales,
                    self.entailment.coefficients,
                    self.contradiction.coefficients,
                    strict=True,
                )
            },
            "entailment_intercept": self.entailment.intercept,
            "contradiction_intercept": self.contradiction.intercept,
            "confident_at": self.confident_at,
            "fitted": self.fitted,
        }
        return json.dumps(record, indent=1) + "\n"


def load_comparer_weights(path: Path | None = None) -> ComparerWeights:
    """Return the comparer weights stored at `path` (default: those shipped in the package)."""
    return _load(path or DEFAULT_COMPARER_WEIGHTS)


@lru_cache(maxsize=8)
def _load(path: Path) -> ComparerWeights:
    record = json.loads(path.read_text(encoding="utf-8"))
    features = record["features"]
    missing = [name for name in FEATURE_NAMES if name not in features]
    if missing:
        raise ValueError(f"{path}: no weight for {', '.join(missing)}; refit with `storyline train claims`")
    rows = [features[name] for name in FEATURE_NAMES]
    return ComparerWeights(
        features=FEATURE_NAMES,
        means=tuple(float(row["mean"]) for row in rows),
        scales=tuple(float(row["scale"]) for row in rows),
        entailment=LogisticModel(tuple(float(row["entailment"]) for row in rows), float(record["entailment_intercept"])),
        contradiction=LogisticModel(
            tuple(float(row["contradiction"]) for row in rows), float(record["contradiction_intercept"])
        ),
        confident_at={label: float(value) for label, value in record["confident_at"].items()},
        fitted=record.get("fitted", {}),
    )


def learned_comparison(evidence: PairEvidence, weights: ComparerWeights, encoder: CrossEncoder) -> Comparison:
    """Return the learned models' verdict on the evidence: the likeliest label, how likely, and why.

    The reasons are the rules' evidence (coverage, names, polarity, figures compared) followed by
    the three probabilities.
    """
    rules = rule_comparison(evidence)
    encoded = encoder.probabilities_of(evidence.premise.text, evidence.hypothesis.text)
    values = pair_features(evidence, encoded, rules)
    label, confidence, probabilities = weights.decide(values)
    summary = ", ".join(f"{name} {p:.2f}" for name, p in probabilities.items())
    return Comparison(
        label,
        evidence.score,
        (*rules.reasons, f"model: {summary}"),
        confidence=round(confidence, 3),
        confident=confidence >= weights.confident_at.get(label, 0.0),
    )
