"""Score story clustering on labelled news: B-cubed and pairwise P/R/F1 against an offline baseline.

Input is JSON lines, one article a line: `{"id", "date", "source", "title", "text", "story"}` and
optionally `split` ("train"/"dev"). Articles go through the real `Ingestor`, one at a time in
arrival order, into a temporary SQLite store, exactly as `storyline ingest` would take them; each
article's story is then read back from the store. An article the system does not store (an exact
duplicate) counts as a story of its own.

Arrival order: dated articles by date; undated ones after them, in an order fixed by a hash of
their id. Not file order, because labelled files are often grouped by label (this one is), and
handing a streaming clusterer the articles of one story back to back would flatter it. Not
interleaved among dated ones either: nothing says where they belong, and the pipeline itself
places undated articles after dated ones within a batch.

The baseline, computed in the same run, is offline and sees every article at once: TF-IDF over
word 1-3-grams of title and text (English stop words removed, sublinear term frequency: the
setting that reproduces the data README's 0.885) and average-linkage agglomerative clustering at
cosine distance 0.95.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from math import comb
from pathlib import Path

from storyline.cluster.learn import fit_weights
from storyline.cluster.weights import DEFAULT_WEIGHTS, StoryWeights
from storyline.model import Article
from storyline.pipeline import Ingestor
from storyline.read.jsonl import parse_record
from storyline.settings import Settings
from storyline.store import Store

BASELINE_DISTANCE = 0.95  # cosine distance threshold of the baseline, as the data README gives it
GOLD_FIELDS = ("story", "topic", "split")  # never shown to the system


@dataclass(frozen=True)
class ClusterScores:
    """How one clustering of the articles compares with the gold stories."""

    bcubed_precision: float
    bcubed_recall: float
    bcubed_f1: float
    pairwise_precision: float
    pairwise_recall: float
    pairwise_f1: float
    predicted_stories: int
    gold_stories: int


@dataclass(frozen=True)
class StoryScores:
    """The system's and the baseline's scores on one labelled file (or one split of it)."""

    path: str
    split: str
    articles: int
    system: ClusterScores
    baseline: ClusterScores
    dropped: int  # articles the system did not store, each counted as its own story
    seconds: float  # ingest time of the system (read to store, spaCy included)

    @property
    def articles_per_second(self) -> float:
        """Return the system's ingest throughput."""
        return self.articles / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, object]:
        """Return the scores as plain JSON-ready values (for `--json`)."""
        record = asdict(self)
        record["articles_per_second"] = round(self.articles_per_second, 2)
        return record


def evaluate_stories(
    path: Path,
    settings: Settings | None = None,
    limit: int | None = None,
    split: str | None = None,
) -> StoryScores:
    """Return the system's and the baseline's story scores on a labelled JSONL file.

    `split` keeps only records whose `split` field equals it; `limit` keeps the first records
    (in file order) after that. Costs one full ingest (spaCy included) of the kept records.
    """
    records = load_records(path, split=split, limit=limit)
    gold = {record["id"]: str(record["story"]) for record in records}
    started = time.perf_counter()
    predicted, _ = ingest_records(records, settings or Settings())
    seconds = time.perf_counter() - started
    dropped = [article_id for article_id in gold if article_id not in predicted]
    predicted.update({article_id: f"dropped:{article_id}" for article_id in dropped})
    return StoryScores(
        path=str(path),
        split=split or "all",
        articles=len(records),
        system=score_clustering(predicted, gold),
        baseline=score_clustering(baseline_clusters(records), gold),
        dropped=len(dropped),
        seconds=seconds,
    )


def load_records(path: Path, split: str | None = None, limit: int | None = None) -> list[dict]:
    """Return the labelled records of a JSONL file (optionally one split, the first `limit`)."""
    records = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            record = json.loads(line)
            if split is None or record.get("split") == split:
                records.append(record)
    return records[:limit] if limit is not None else records


def arrival_order(records: Sequence[dict]) -> list[dict]:
    """Return records as a feed would bring them: dated by date, then undated in hash order."""
    dated = [r for r in records if _iso_day(r.get("date"))]
    undated = [r for r in records if not _iso_day(r.get("date"))]
    dated.sort(key=lambda r: r["date"][:10])
    undated.sort(key=lambda r: hashlib.sha1(str(r["id"]).encode()).hexdigest())
    return dated + undated


def ingest_records(
    records: Sequence[dict], settings: Settings
) -> tuple[dict[str, str], list[Article]]:
    """Return each stored article's story id, and the analysed articles, after a real ingest.

    Records go one per batch in `arrival_order`, so each article is assigned when it arrives,
    into a temporary SQLite store that is removed afterwards.
    """
    with tempfile.TemporaryDirectory(prefix="storyline-eval-") as folder:
        db_settings = Settings(**{**asdict(settings), "db_url": f"sqlite:///{folder}/eval.db"})
        store = Store(db_settings.db_url)
        try:
            ingestor = _RecordingIngestor(store, db_settings)
            for line_no, record in enumerate(arrival_order(records), start=1):
                ingestor.ingest_batch([_as_article(record, line_no)])
            predicted = {row.id: row.story_id for row in store.iter_articles() if row.story_id}
        finally:
            store.close()
    return predicted, ingestor.analysed


class _RecordingIngestor(Ingestor):
    """The real ingestor, keeping the analysed articles it clusters (for fitting weights)."""

    def __init__(self, store: Store, settings: Settings) -> None:
        super().__init__(store, settings)
        self.analysed: list[Article] = []

    def _cluster(self, articles: list[Article]):
        self.analysed.extend(articles)
        return super()._cluster(articles)


def _as_article(record: dict, line_no: int) -> Article:
    visible = {k: v for k, v in record.items() if k not in GOLD_FIELDS}
    result = parse_record(
        json.dumps(visible).encode(), f"eval:{line_no}", default_id=f"eval:{line_no}"
    )
    if not isinstance(result, Article):
        raise ValueError(f"record {record.get('id')!r}: {result.reason}")
    return result


def _iso_day(value: object) -> bool:
    return isinstance(value, str) and len(value) >= 10 and value[:4].isdigit() and value[4] == "-"


# --- metrics ---------------------------------------------------------------------------------------


def score_clustering(predicted: Mapping[str, str], gold: Mapping[str, str]) -> ClusterScores:
    """Return B-cubed and pairwise scores of `predicted` (item -> cluster) against `gold`.

    Items missing from `predicted` count as singletons. Costs O(items).
    """
    predicted = {item: predicted.get(item, f"missing:{item}") for item in gold}
    bp, br, bf = bcubed(predicted, gold)
    pp, pr, pf = pairwise(predicted, gold)
    return ClusterScores(
        bp, br, bf, pp, pr, pf,
        predicted_stories=len(set(predicted.values())),
        gold_stories=len(set(gold.values())),
    )


def bcubed(predicted: Mapping[str, str], gold: Mapping[str, str]) -> tuple[float, float, float]:
    """Return B-cubed precision, recall (each averaged over items) and their harmonic mean."""
    cells = Counter((predicted[item], gold[item]) for item in gold)
    predicted_sizes = Counter(predicted[item] for item in gold)
    gold_sizes = Counter(gold.values())
    if not gold:
        return 0.0, 0.0, 0.0
    # Every item of a cell has the same per-item precision and recall: sum cell by cell.
    precision = sum(n * n / predicted_sizes[p] for (p, _), n in cells.items()) / len(gold)
    recall = sum(n * n / gold_sizes[g] for (_, g), n in cells.items()) / len(gold)
    return precision, recall, _harmonic(precision, recall)


def pairwise(predicted: Mapping[str, str], gold: Mapping[str, str]) -> tuple[float, float, float]:
    """Return precision, recall and F1 over all item pairs put in one cluster."""
    both = sum(comb(n, 2) for n in Counter((predicted[i], gold[i]) for i in gold).values())
    predicted_pairs = sum(comb(n, 2) for n in Counter(predicted[i] for i in gold).values())
    gold_pairs = sum(comb(n, 2) for n in Counter(gold.values()).values())
    precision = both / predicted_pairs if predicted_pairs else 0.0
    recall = both / gold_pairs if gold_pairs else 0.0
    return precision, recall, _harmonic(precision, recall)


def _harmonic(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


# --- baseline --------------------------------------------------------------------------------------


def baseline_clusters(
    records: Sequence[dict], distance: float = BASELINE_DISTANCE
) -> dict[str, str]:
    """Return the offline baseline's cluster of each record: TF-IDF 1-3-grams, average linkage.

    Costs an n x n distance matrix: fine for thousands of records, not for millions.
    """
    import numpy as np
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import TfidfVectorizer

    if len(records) < 2:
        return {r["id"]: "b0" for r in records}
    texts = [f"{r.get('title') or ''}\n{r.get('text') or ''}" for r in records]
    vectors = TfidfVectorizer(
        ngram_range=(1, 3), stop_words="english", sublinear_tf=True
    ).fit_transform(texts)
    # Rows are L2-normalised, so cosine distance is 1 - dot; a dense n x n matrix, not n x vocab.
    distances = np.clip(1.0 - (vectors @ vectors.T).toarray(), 0.0, None)
    labels = AgglomerativeClustering(
        n_clusters=None, metric="precomputed", linkage="average", distance_threshold=distance
    ).fit_predict(distances)
    return {r["id"]: f"b{label}" for r, label in zip(records, labels, strict=True)}


# --- output ----------------------------------------------------------------------------------------


def format_story_scores(scores: StoryScores) -> str:
    """Return the scores as a small table for the terminal."""
    lines = [
        f"{scores.path} [{scores.split}]: {scores.articles} articles, "
        f"{scores.system.gold_stories} gold stories, {scores.dropped} dropped, "
        f"{scores.articles_per_second:.1f} articles/s",
        f"{'':<10}{'B3 P':>7}{'B3 R':>7}{'B3 F1':>7}{'pair P':>8}{'pair R':>8}{'pair F1':>8}"
        f"{'stories':>9}",
    ]
    for name, s in (("storyline", scores.system), ("baseline", scores.baseline)):
        lines.append(
            f"{name:<10}{s.bcubed_precision:>7.3f}{s.bcubed_recall:>7.3f}{s.bcubed_f1:>7.3f}"
            f"{s.pairwise_precision:>8.3f}{s.pairwise_recall:>8.3f}{s.pairwise_f1:>8.3f}"
            f"{s.predicted_stories:>9}"
        )
    return "\n".join(lines)


def story_scores_dict(scores: StoryScores) -> dict[str, object]:
    """Return the scores as plain JSON-ready values (for `--json`)."""
    return scores.as_dict()


# --- fitting -----------------------------------------------------------------------------------------


def fit_story_weights(
    path: Path,
    settings: Settings | None = None,
    split: str = "train",
    out: Path | None = DEFAULT_WEIGHTS,
) -> StoryWeights:
    """Return story-model weights fitted on one split of a labelled file (and write them to `out`).

    The split is ingested through the real pipeline (spaCy included) to get analysed articles
    in arrival order; `storyline.cluster.learn.fit_weights` then fits the logistic model on
    gold-replay pairs and picks the join and merge probabilities with the best B-cubed F1 there.
    """
    settings = settings or Settings()
    records = load_records(path, split=split)
    gold = {record["id"]: str(record["story"]) for record in records}
    # Analysis does not depend on clustering; joining nothing keeps this ingest cheap.
    _, analysed = ingest_records(records, replace(settings, story_join_probability=1.0))
    provenance = {
        "data": path.name,
        "split": split,
        "articles": len(analysed),
        "by": "storyline eval stories ecbplus_traindev.jsonl --fit --split train",
        "model": "sklearn LogisticRegression(C=1.0) on article-story pairs; join and merge thresholds by B-cubed F1",
    }
    weights = fit_weights(
        analysed, gold, settings, lambda p, g: score_clustering(p, g).bcubed_f1, fitted=provenance
    )
    if out is not None:
        out.write_text(weights.to_json(), encoding="utf-8")
    return weights
