"""Learning the story model from labelled news: pair features from a gold stream, a logistic fit.

Training pairs come from replaying the labelled articles in arrival order with the gold stories
as the clusterer's state: each article is paired with the candidates the index would give it
(and with its own gold story, when that is under way), labelled 1 for its own story. So the
model learns on exactly the kind of (article, story-so-far) pairs it decides at run time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from storyline.cluster.features import extract_features
from storyline.cluster.online import (
    FEATURE_NAMES,
    DocumentFrequencies,
    OnlineClusterer,
    pair_features,
)
from storyline.cluster.weights import NEVER, StoryWeights
from storyline.model import Article
from storyline.settings import Settings

THRESHOLDS = tuple(round(0.05 * i, 2) for i in range(2, 19))  # join probabilities tried
MERGE_THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9, NEVER)  # merge probabilities tried with each


def training_pairs(
    articles: Sequence[Article], gold: Mapping[str, str], settings: Settings, weights: StoryWeights
) -> tuple[list[list[float]], list[int]]:
    """Return pair features and labels from replaying `articles` with their gold stories."""
    clusterer = OnlineClusterer(settings, DocumentFrequencies(), weights)
    rows: list[list[float]] = []
    labels: list[int] = []
    for article in articles:
        features = extract_features(article)
        story = gold[article.id]
        clusterer.frequencies.add(features.keys())
        candidates = {p.story_id: p for p in clusterer._candidates(features)}
        own = clusterer.profiles.get(story)
        if own is not None and story not in candidates:
            gap = own.days_apart(features.trusted_day)
            if gap is None or gap <= settings.story_window_days:
                candidates[story] = own
        for story_id, profile in candidates.items():
            rows.append(pair_features(features, profile, clusterer.frequencies))
            labels.append(int(story_id == story))
        clusterer._fold(story, features)
    return rows, labels


def stream_assign(articles: Sequence[Article], clusterer: OnlineClusterer) -> dict[str, str]:
    """Return each article's story as the pipeline would assign it, in the given order.

    Near-duplicates join their original's story, and stories merged along the way end up with
    one label, as in `Ingestor._cluster`.
    """
    story_of: dict[str, str] = {}
    merged_into: dict[str, str] = {}

    def current(story_id: str) -> str:
        while story_id in merged_into:
            story_id = merged_into[story_id]
        return story_id

    for article in articles:
        features = extract_features(article)
        original = story_of.get(article.duplicate_of or "")
        if original:
            story_of[article.id] = current(original)
            clusterer.join(story_of[article.id], features)
        else:
            assignment = clusterer.assign(article.id, features)
            merged_into.update({merged: assignment.story_id for merged in assignment.merged})
            story_of[article.id] = assignment.story_id
    return {article_id: current(story_id) for article_id, story_id in story_of.items()}


def fit_weights(
    articles: Sequence[Article],
    gold: Mapping[str, str],
    settings: Settings,
    score: Callable[[Mapping[str, str], Mapping[str, str]], float],
    fitted: dict[str, object] | None = None,
) -> StoryWeights:
    """Return weights fitted on the articles: a logistic regression, then the join threshold.

    The join threshold and the merge threshold are the pair of `THRESHOLDS` and
    `MERGE_THRESHOLDS` whose streaming clustering of the same articles has the best
    `score(predicted, gold)`. Costs one replay per pair tried.
    """
    from sklearn.linear_model import LogisticRegression

    zero = StoryWeights(FEATURE_NAMES, (0.0,) * len(FEATURE_NAMES), 0.0, 0.5)
    rows, labels = training_pairs(articles, gold, settings, zero)
    model = LogisticRegression(C=1.0, max_iter=2000).fit(rows, labels)
    weights = StoryWeights(
        FEATURE_NAMES,
        tuple(round(float(w), 5) for w in model.coef_[0]),
        round(float(model.intercept_[0]), 5),
        0.5,
    )
    by_thresholds = {}
    for threshold in THRESHOLDS:
        for merge in MERGE_THRESHOLDS:
            trial = StoryWeights(
                weights.features, weights.coefficients, weights.intercept, threshold,
                merge_threshold=merge,
            )
            clusterer = OnlineClusterer(settings, DocumentFrequencies(), trial)
            by_thresholds[threshold, merge] = score(stream_assign(articles, clusterer), gold)
    best, best_merge = max(
        by_thresholds, key=lambda pair: (by_thresholds[pair], -abs(pair[0] - 0.5), pair[1])
    )
    record = dict(fitted or {})
    record.update(
        pairs=len(labels),
        positive_pairs=sum(labels),
        threshold_scores={f"{t} merge {m}": round(s, 4) for (t, m), s in by_thresholds.items()},
    )
    return StoryWeights(
        weights.features, weights.coefficients, weights.intercept, best, record, best_merge
    )
