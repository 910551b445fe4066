"""Whether taking each language's mean out of the embeddings makes stories in two languages
easier to match: a diagnostic for issue #10, not a part of the product.

Replays the Olympic titles' later weeks with the shipped models, takes every story the clusterer
made with at least three members, and ranks the pairs of stories told in different languages
(their members' main language), at most three days apart, by the cosine of their centroids:
once from the embeddings as they are, once from the embeddings less the mean of their
language. The language means come from the earlier weeks only. A pair counts as right when
both stories' majority gold story is the same. Prints the share right among the top pairs.

Run: `python evaluation/language_centring.py` (about 8 minutes on 2 cores: both selections are
analysed by the real pipeline first).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from datetime import date

import numpy as np

from storyline.cluster.features import extract_features
from storyline.cluster.learn import stream_assign
from storyline.cluster.online import DocumentFrequencies, OnlineClusterer
from storyline.cluster.weights import load_weights
from storyline.evaluate.stories import Selection, analyse_for_fit
from storyline.model import Article
from storyline.settings import Settings

TITLES = "../shared/data/stories/og2021_titles_dev.jsonl"
HELD_OUT = f"{TITLES}:since=2021-07-24"
MEANS_FROM = f"{TITLES}:before=2021-07-24"
MIN_MEMBERS = 3
MAX_DAYS_APART = 3
TOPS = (10, 25, 50, 100, 200)


def language_means(articles: list[Article]) -> dict[str, np.ndarray]:
    """Return the mean embedding of each language's articles."""
    by_language: dict[str, list[np.ndarray]] = defaultdict(list)
    for article in articles:
        embedding = extract_features(article).embedding
        if embedding is not None:
            by_language[article.lang or ""].append(embedding)
    return {lang: np.mean(vectors, axis=0) for lang, vectors in by_language.items()}


def ranked_pairs(
    articles: list[Article],
    predicted: Mapping[str, str],
    gold: Mapping[str, str],
    read: Callable[[np.ndarray, str], np.ndarray],
) -> list[tuple[float, bool]]:
    """Return (centroid cosine, same gold story) of the cross-language story pairs, best first."""
    embeddings = {a.id: extract_features(a).embedding for a in articles}
    members: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        if article.id in predicted and embeddings[article.id] is not None:
            members[predicted[article.id]].append(article)
    stories = []
    for group in members.values():
        if len(group) < MIN_MEMBERS:
            continue
        vectors = [read(embeddings[a.id], a.lang or "") for a in group]
        centroid = np.mean(vectors, axis=0)
        stories.append(
            (
                centroid / np.linalg.norm(centroid),
                Counter(a.lang for a in group).most_common(1)[0][0],
                Counter(gold[a.id] for a in group).most_common(1)[0][0],
                float(np.median([date.fromisoformat(a.date[:10]).toordinal() for a in group])),
            )
        )
    pairs = []
    for i, (u, lang_u, gold_u, day_u) in enumerate(stories):
        for v, lang_v, gold_v, day_v in stories[i + 1 :]:
            if lang_u != lang_v and abs(day_u - day_v) <= MAX_DAYS_APART:
                pairs.append((float(u @ v), gold_u == gold_v))
    return sorted(pairs, reverse=True)


def main() -> None:
    settings = Settings()
    fit = analyse_for_fit(Selection.parse(MEANS_FROM), settings)
    held = analyse_for_fit(Selection.parse(HELD_OUT), settings)
    means = language_means(fit.corpus.articles)
    overall = np.mean(list(means.values()), axis=0)

    def centred(vector: np.ndarray, lang: str) -> np.ndarray:
        less = vector - means.get(lang, overall)
        return less / np.linalg.norm(less)

    clusterer = OnlineClusterer(settings, DocumentFrequencies(), load_weights())
    predicted = stream_assign(held.corpus.articles, clusterer)
    gold = held.corpus.gold
    print(f"story pairs across languages, at least {MIN_MEMBERS} members, at most {MAX_DAYS_APART} days apart")
    print(f"{'top':>5}{'as embedded':>13}{'less the language mean':>24}")
    readings = [
        ranked_pairs(held.corpus.articles, predicted, gold, read)
        for read in (lambda vector, lang: vector, centred)
    ]
    for top in TOPS:
        shares = [sum(right for _, right in pairs[:top]) / top for pairs in readings]
        print(f"{top:>5}{shares[0]:>13.2f}{shares[1]:>24.2f}")


if __name__ == "__main__":
    main()
