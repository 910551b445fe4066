"""The learned weights of the story model: a logistic regression over article-story pair features."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

# Fitted by `storyline eval stories --fit ...`; the "fitted" record of each model inside the
# file says the data, the command and the scores it reached.
DEFAULT_WEIGHTS = Path(__file__).with_name("weights.json")
NEVER = 1.01  # a probability no pair reaches
# The probability, under the join threshold, at which a new story's event is linked to the thread of
# its most probable story: a later event of the same storyline (measured on the sample corpus's
# threads, `examples/labels/sample_stories.json`; see EVALUATION.md).
THREAD_LINK = 0.1


@dataclass(frozen=True)
class StoryWeights:
    """Coefficients per pair feature, an intercept, and the probability at which articles join."""

    features: tuple[str, ...]
    coefficients: tuple[float, ...]
    intercept: float
    threshold: float
    fitted: dict[str, object] = field(default_factory=dict)
    merge_threshold: float = NEVER  # probability at which an article merges a second story in
    # mean link under which a story's member groups are split, and over which two stories merge,
    # when the window is revised (`storyline.cluster.revise`); NEVER: no revisions
    revise_threshold: float = NEVER
    thread_threshold: float = THREAD_LINK  # probability linking a new story to a thread
    # The mean and spread of embedding cosines with a window's stories over the articles the
    # model was fitted on: an article's background while the window holds too few stories to
    # give its own (`storyline.cluster.online.Background`); None: its cosines read as absent.
    background: tuple[float, float] | None = None

    def probability(self, values: Sequence[float]) -> float:
        """Return the modelled probability that a pair with these feature values is one story."""
        z = self.intercept + sum(w * x for w, x in zip(self.coefficients, values, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def to_record(self) -> dict[str, object]:
        """Return the weights as the JSON record kept in the repository."""
        return {
            "features": dict(zip(self.features, self.coefficients, strict=True)),
            "intercept": self.intercept,
            "threshold": self.threshold,
            "merge_threshold": self.merge_threshold,
            "revise_threshold": self.revise_threshold,
            "thread_threshold": self.thread_threshold,
            "background": list(self.background) if self.background else None,
            "fitted": self.fitted,
        }


# The kinds of text with a model of their own: articles with a body, and headlines alone.
ARTICLE = "article"
HEADLINE = "headline"
TEXT_KINDS = (ARTICLE, HEADLINE)


def weights_json(models: Mapping[str, StoryWeights]) -> str:
    """Return the models of every text kind as the JSON file `load_weights` reads."""
    return json.dumps({kind: models[kind].to_record() for kind in TEXT_KINDS}, indent=2) + "\n"


def load_weights(path: Path | None = None) -> dict[str, StoryWeights]:
    """Return the model of each text kind stored at `path` (default: those shipped).

    A file with a single model (no kinds) serves both kinds.
    """
    path = path or DEFAULT_WEIGHTS
    record = json.loads(path.read_text(encoding="utf-8"))
    if "features" in record:
        single = _weights(record, path)
        return {kind: single for kind in TEXT_KINDS}
    return {kind: _weights(record[kind], path) for kind in TEXT_KINDS}


def _weights(record: dict, path: Path) -> StoryWeights:
    from storyline.cluster.online import FEATURE_NAMES

    coefficients = record["features"]
    missing = [name for name in FEATURE_NAMES if name not in coefficients]
    if missing:
        raise ValueError(f"{path}: no weight for {', '.join(missing)}")
    return StoryWeights(
        features=FEATURE_NAMES,
        coefficients=tuple(float(coefficients[name]) for name in FEATURE_NAMES),
        intercept=float(record["intercept"]),
        threshold=float(record["threshold"]),
        fitted=record.get("fitted", {}),
        merge_threshold=float(record.get("merge_threshold", NEVER)),
        revise_threshold=float(record.get("revise_threshold", NEVER)),
        thread_threshold=float(record.get("thread_threshold", THREAD_LINK)),
        background=_background(record.get("background")),
    )


def _background(value: Sequence[float] | None) -> tuple[float, float] | None:
    """Return a stored background (mean, spread), or None where the record has none."""
    if not value:
        return None
    mean, spread = value
    return float(mean), float(spread)
