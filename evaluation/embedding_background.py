"""How far an article's embedding cosine with its own story stands above its background, within
one language and across languages (`storyline.cluster.online.Background`).

Replays the sample corpus's gold stories through the clusterer with the shipped models. For
every article (not a headline alone) whose window has a background, it takes the cosine with
every story's centroid and its standard score, grouped by whether the story is the article's
own and whether the story holds the article's language. Run: `python evaluation/embedding_background.py`.
"""

from __future__ import annotations

from statistics import mean

from storyline.cluster.features import extract_features
from storyline.cluster.online import DocumentFrequencies, OnlineClusterer
from storyline.cluster.weights import load_weights
from storyline.evaluate.stories import Selection, analyse_for_fit
from storyline.settings import Settings

SAMPLE = "examples/corpus:labels=examples/labels/sample_stories.json"


def main() -> None:
    settings = Settings()
    corpus = analyse_for_fit(Selection.parse(SAMPLE), settings).corpus
    clusterer = OnlineClusterer(settings, DocumentFrequencies(), load_weights())
    groups: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for article in corpus.articles:
        features = extract_features(article)
        background = clusterer.vectors(features).background
        if features.embedding is not None and background is not None:
            for story, profile in clusterer.profiles.items():
                if profile.centroid is None:
                    continue
                cosine = float(profile.centroid @ features.embedding)
                key = (
                    "one event" if story == corpus.gold[article.id] else "unrelated",
                    "one language" if profile.languages[features.lang or ""] else "across languages",
                )
                groups.setdefault(key, []).append((cosine, background.score(cosine)))
        clusterer.join(corpus.gold[article.id], features)
    print(f"{'pairs':<34}{'n':>6}{'cosine':>9}{'z':>7}")
    for (kind, languages), values in sorted(groups.items()):
        cosines, scores = zip(*values, strict=True)
        print(f"{kind + ', ' + languages:<34}{len(values):>6}{mean(cosines):>9.3f}{mean(scores):>7.2f}")


if __name__ == "__main__":
    main()
