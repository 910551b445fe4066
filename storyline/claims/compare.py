"""Statement comparison: does one statement entail, contradict, or say nothing about another?

`compare_frames` reads the evidence between two frames (`storyline.claims.evidence`) and decides
with the comparer `ComparerParams.method` names: the learned one by default
(`storyline.claims.learned`, weights shipped in the package), or the hand-written rules. Comparing
bare texts (`compare_statements`, `compare_pairs`) costs a parse per text.
"""

from __future__ import annotations

from collections.abc import Sequence

from storyline.analyse.frames import frame_texts
from storyline.claims.cross_encoder import load_cross_encoder
from storyline.claims.evidence import (
    CONTRADICTION,
    ENTAILMENT,
    LABELS,
    NEUTRAL,
    ComparerParams,
    Comparison,
    matching_keys,
    pair_evidence,
    rule_comparison,
)
from storyline.claims.learned import learned_comparison, load_comparer_weights
from storyline.model import StatementFrame
from storyline.settings import Settings

METHODS = ("learned", "rules")
DEFAULT_PARAMS = ComparerParams()  # the learned comparer with the shipped weights

__all__ = [
    "CONTRADICTION",
    "ENTAILMENT",
    "LABELS",
    "METHODS",
    "NEUTRAL",
    "ComparerParams",
    "Comparison",
    "compare_frames",
    "compare_pairs",
    "compare_statements",
    "matching_keys",
]


def compare_frames(
    premise: StatementFrame, hypothesis: StatementFrame, params: ComparerParams = DEFAULT_PARAMS
) -> Comparison:
    """Return whether `premise` entails, contradicts or is neutral to `hypothesis`, with reasons."""
    evidence = pair_evidence(premise, hypothesis, params)
    if params.method == "rules":
        return rule_comparison(evidence, params)
    if params.method == "learned":
        return learned_comparison(
            evidence, load_comparer_weights(params.weights), load_cross_encoder(params.cross_encoder)
        )
    raise ValueError(f"unknown statement comparer {params.method!r}; one of {', '.join(METHODS)}")


def compare_statements(
    premise: str,
    hypothesis: str,
    settings: Settings | None = None,
    params: ComparerParams = DEFAULT_PARAMS,
) -> Comparison:
    """Return whether `premise` entails, contradicts or is neutral to `hypothesis`, with reasons."""
    premise_frame, hypothesis_frame = frame_texts([premise, hypothesis], settings)
    return compare_frames(premise_frame, hypothesis_frame, params)


def compare_pairs(
    pairs: Sequence[tuple[str, str]],
    settings: Settings | None = None,
    params: ComparerParams = DEFAULT_PARAMS,
) -> list[Comparison]:
    """Return the comparison of each (premise, hypothesis) pair, parsing all texts in one batch."""
    frames = frame_texts([text for pair in pairs for text in pair], settings)
    if params.method == "learned":
        load_cross_encoder(params.cross_encoder).prefetch(
            [(frames[2 * i].text, frames[2 * i + 1].text) for i in range(len(pairs))]
        )
    return [compare_frames(frames[2 * i], frames[2 * i + 1], params) for i in range(len(pairs))]
