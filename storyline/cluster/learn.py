"""Learning the story model from labelled news: pair features from a gold stream, a logistic fit.

Training pairs come from replaying the labelled articles in arrival order with the gold stories
as the clusterer's state: each article is paired with the candidates the index would give it
(and with its own gold story, when that is under way), labelled 1 for its own story. So the
model learns on exactly the kind of (article, story-so-far) pairs it decides at run time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from storyline.cluster.features import ArticleFeatures, extract_features
from storyline.cluster.online import (
    EMBEDDING_KNOWN_AT,
    FEATURE_NAMES,
    LANGUAGE_SHARED_AT,
    DocumentFrequencies,
    MergedStories,
    OnlineClusterer,
    across_languages,
    without_embedding,
)
from storyline.cluster.revise import Merge, Split, apply_revisions, revisions
from storyline.cluster.weights import NEVER, StoryWeights
from storyline.model import Article
from storyline.settings import Settings

THRESHOLDS = (0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7)  # join probabilities tried
MERGE_THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9, NEVER)  # merge probabilities tried with each
REVISE_THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, NEVER)  # revision mean links tried last


def training_pairs(
    articles: Sequence[Article], gold: Mapping[str, str], settings: Settings, weights: StoryWeights
) -> tuple[list[list[float]], list[int]]:
    """Return pair features and labels from replaying `articles` with their gold stories.

    Every pair within one language is given three times: as it is, and as it reads across
    languages (`across_languages`) with and without names, so that corpora in one language
    train the cross-lingual case too; and every pair with an embedding once more without it
    (`without_embedding`), so that the model still decides where the embedder is turned off.
    """
    clusterer = OnlineClusterer(settings, DocumentFrequencies(), weights)
    rows: list[list[float]] = []
    labels: list[int] = []
    for article in articles:
        features = clusterer.with_names(extract_features(article))
        story = gold[article.id]
        clusterer.frequencies.add(features.keys())
        vectors = clusterer.vectors(features)
        candidates = {p.story_id: p for p in clusterer._candidates(features, vectors)}
        own = clusterer.profiles.get(story)
        if own is not None and story not in candidates:
            gap = own.days_apart(features.trusted_day)
            if gap is None or gap <= settings.story_window_days:
                candidates[story] = own
        for story_id, profile in candidates.items():
            values = vectors.pair_features(profile)
            rows.append(values)
            labels.append(int(story_id == story))
            if values[EMBEDDING_KNOWN_AT]:  # as if the embedder were off: words and names decide
                rows.append(without_embedding(values))
                labels.append(int(story_id == story))
            if values[LANGUAGE_SHARED_AT]:
                # The same pair as if told in another language, with and without a pipeline
                # for its names: what a corpus in one language can teach about the others.
                for without_names in (False, True):
                    rows.append(across_languages(values, without_names))
                    labels.append(int(story_id == story))
        clusterer._fold(story, features)
    return rows, labels


def stream_assign(articles: Sequence[Article], clusterer: OnlineClusterer) -> dict[str, str]:
    """Return each article's story as the pipeline would assign it, in the given order.

    Near-duplicates join their original's story, stories merged along the way end up with one
    label, and after every `settings.batch_size` articles the stories they touched are revised
    (`storyline.cluster.revise`), as in `Ingestor._cluster`.
    """
    story_of: dict[str, str] = {}
    merged_into = MergedStories()
    current = merged_into.current
    features_of: dict[str, ArticleFeatures] = {}

    def articles_of(story_id: str) -> list[ArticleFeatures]:
        return [features_of[a] for a, s in story_of.items() if current(s) == story_id]

    size = max(1, clusterer.settings.batch_size)
    for start in range(0, len(articles), size):
        touched = set()
        for article in articles[start : start + size]:
            features = features_of[article.id] = extract_features(article)
            original = story_of.get(article.duplicate_of or "")
            if original:
                story_of[article.id] = current(original)
                clusterer.join(story_of[article.id], features)
            else:
                assignment = clusterer.assign(article.id, features)
                merged_into.update({merged: assignment.story_id for merged in assignment.merged})
                story_of[article.id] = assignment.story_id
            touched.add(story_of[article.id])
        planned = revisions(clusterer, {current(s) for s in touched})
        apply_revisions(clusterer, planned, articles_of)
        for revision in planned:
            if isinstance(revision, Split):
                merged_into.pop(revision.new_story_id, None)  # an id merged away may come back
                story_of.update({a: revision.new_story_id for a in revision.article_ids})
        merged_into.update({r.merged: r.into for r in planned if isinstance(r, Merge)})
    return {article_id: current(story_id) for article_id, story_id in story_of.items()}


@dataclass(frozen=True)
class Corpus:
    """Analysed articles of one labelled corpus, in arrival order, with their gold stories."""

    name: str
    articles: Sequence[Article]
    gold: Mapping[str, str]


def window_background(
    corpora: Sequence[Corpus], settings: Settings
) -> tuple[float, float] | None:
    """Return the mean and the spread of embedding cosines with the window's stories, each
    averaged over the articles of the corpora's gold replays that had a window to read them by
    (`Background`); None when none had (headlines alone are read by raw cosines).
    """
    blank = StoryWeights(FEATURE_NAMES, (0.0,) * len(FEATURE_NAMES), 0.0, 0.5)
    backgrounds = []
    for corpus in corpora:
        clusterer = OnlineClusterer(settings, DocumentFrequencies(), blank)
        for article in corpus.articles:
            features = clusterer.with_names(extract_features(article))
            background = clusterer.vectors(features).background
            if background is not None:
                backgrounds.append((background.mean, background.spread))
            clusterer.join(corpus.gold[article.id], features)
    if not backgrounds:
        return None
    means, spreads = zip(*backgrounds, strict=True)
    return round(sum(means) / len(means), 5), round(sum(spreads) / len(spreads), 5)


def fit_weights(
    corpora: Sequence[Corpus],
    settings: Settings,
    score: Callable[[Mapping[str, str], Mapping[str, str]], float],
    fitted: dict[str, object] | None = None,
    thresholds: Sequence[float] = THRESHOLDS,
    merge_thresholds: Sequence[float] = MERGE_THRESHOLDS,
    revise_thresholds: Sequence[float] = REVISE_THRESHOLDS,
) -> StoryWeights:
    """Return weights fitted on several corpora: one logistic regression, then the thresholds.

    Every gold-replay pair counts once in the regression, so a corpus weighs by its pairs. The
    join and merge thresholds are the pair whose streaming clustering
    has the best mean `score(predicted, gold)` over the corpora: a choice no single corpus makes.
    Costs one replay per corpus and threshold pair tried.
    """
    from sklearn.linear_model import LogisticRegression

    background = window_background(corpora, settings)
    zero = StoryWeights(FEATURE_NAMES, (0.0,) * len(FEATURE_NAMES), 0.0, 0.5, background=background)
    rows: list[list[float]] = []
    labels: list[int] = []
    pair_counts = {}
    for corpus in corpora:
        corpus_rows, corpus_labels = training_pairs(corpus.articles, corpus.gold, settings, zero)
        rows.extend(corpus_rows)
        labels.extend(corpus_labels)
        pair_counts[corpus.name] = [len(corpus_labels), sum(corpus_labels)]
    model = LogisticRegression(C=1.0, max_iter=5000).fit(rows, labels)
    weights = StoryWeights(
        FEATURE_NAMES,
        tuple(round(float(w), 5) for w in model.coef_[0]),
        round(float(model.intercept_[0]), 5),
        0.5,
        background=background,
    )
    def replay(threshold: float, merge: float, revise: float = NEVER) -> list[float]:
        trial = StoryWeights(
            weights.features, weights.coefficients, weights.intercept, threshold,
            merge_threshold=merge, revise_threshold=revise, background=background,
        )
        return [
            score(stream_assign(c.articles, OnlineClusterer(settings, DocumentFrequencies(), trial)), c.gold)
            for c in corpora
        ]

    def mean(scores: list[float]) -> float:
        return sum(scores) / len(scores)

    # Coordinate search: the join threshold without merges, the merge threshold with it, then
    # the revision threshold with both.
    tried = {(t, NEVER, NEVER): replay(t, NEVER) for t in thresholds}
    best = max(thresholds, key=lambda t: (mean(tried[t, NEVER, NEVER]), -abs(t - 0.5)))
    tried.update({(best, m, NEVER): replay(best, m) for m in merge_thresholds if best < m < NEVER})
    best_merge = max(
        (m for t, m, _ in tried if t == best), key=lambda m: (mean(tried[best, m, NEVER]), m)
    )
    tried.update(
        {(best, best_merge, r): replay(best, best_merge, r) for r in revise_thresholds if r < NEVER}
    )
    best_revise = max(
        (r for t, m, r in tried if (t, m) == (best, best_merge)),
        key=lambda r: (mean(tried[best, best_merge, r]), r),
    )
    record = dict(fitted or {})
    record.update(
        pairs={name: {"pairs": n, "positive": p} for name, (n, p) in pair_counts.items()},
        threshold_scores={
            f"{t} merge {m} revise {r}": [round(x, 4) for x in scores] for (t, m, r), scores in tried.items()
        },
        threshold_choice="best mean B-cubed F1 over the fitted corpora, in the order "
        + ", ".join(corpus.name for corpus in corpora),
    )
    return StoryWeights(
        weights.features, weights.coefficients, weights.intercept, best, record, best_merge, best_revise,
        background=background,
    )
