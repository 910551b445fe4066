"""The learned weights of the story model: a logistic regression over article-story pair features."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

# Fitted by `storyline eval stories ecbplus_traindev.jsonl --fit --split train`; see the
# "fitted" record inside the file for the data, the command and the scores it reached.
DEFAULT_WEIGHTS = Path(__file__).with_name("weights.json")
NEVER = 1.01  # a probability no pair reaches


@dataclass(frozen=True)
class StoryWeights:
    """Coefficients per pair feature, an intercept, and the probability at which articles join."""

    features: tuple[str, ...]
    coefficients: tuple[float, ...]
    intercept: float
    threshold: float
    fitted: dict[str, object] = field(default_factory=dict)
    merge_threshold: float = NEVER  # probability at which an article merges a second story in

    def probability(self, values: Sequence[float]) -> float:
        """Return the modelled probability that a pair with these feature values is one story."""
        z = self.intercept + sum(w * x for w, x in zip(self.coefficients, values, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def to_json(self) -> str:
        """Return the weights as the JSON kept in the repository."""
        record = {
            "features": dict(zip(self.features, self.coefficients, strict=True)),
            "intercept": self.intercept,
            "threshold": self.threshold,
            "merge_threshold": self.merge_threshold,
            "fitted": self.fitted,
        }
        return json.dumps(record, indent=2) + "\n"


def load_weights(path: Path | None = None) -> StoryWeights:
    """Return the weights stored at `path` (default: the ones shipped with Storyline)."""
    from storyline.cluster.online import FEATURE_NAMES

    record = json.loads((path or DEFAULT_WEIGHTS).read_text(encoding="utf-8"))
    coefficients = record["features"]
    missing = [name for name in FEATURE_NAMES if name not in coefficients]
    if missing:
        raise ValueError(f"{path or DEFAULT_WEIGHTS}: no weight for {', '.join(missing)}")
    return StoryWeights(
        features=FEATURE_NAMES,
        coefficients=tuple(float(coefficients[name]) for name in FEATURE_NAMES),
        intercept=float(record["intercept"]),
        threshold=float(record["threshold"]),
        fitted=record.get("fitted", {}),
        merge_threshold=float(record.get("merge_threshold", NEVER)),
    )
