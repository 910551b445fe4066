"""Score story clustering on labelled news: B-cubed and pairwise P/R/F1 against baselines.

Input is JSON lines, one article a line: `{"id", "date", "source", "title", "text", "story"}` and
optionally `split` ("train"/"dev"). Articles go through the real `Ingestor`, one at a time in
arrival order, into a temporary SQLite store, exactly as `storyline ingest` would take them; each
article's story is then read back from the store. An exact copy of a stored article is not
stored again; the ingest reports it as that article, so it counts in that article's story.
Anything else not stored counts as a story of its own.

Arrival order: dated articles by date; undated ones after them, in an order fixed by a hash of
their id. Not file order, because labelled files are often grouped by label (this one is), and
handing a streaming clusterer the articles of one story back to back would flatter it. Not
interleaved among dated ones either: nothing says where they belong, and the pipeline itself
places undated articles after dated ones within a batch.

The baselines, computed in the same run: offline, seeing every article at once, TF-IDF over
word 1-3-grams of title and text (English stop words removed, sublinear term frequency: the
setting that reproduces the data README's 0.885) and average-linkage agglomerative clustering at
cosine distance 0.95; online, the same vectors taken one at a time in arrival order, each joining
the story with the nearest centroid above a cosine threshold chosen on ECB+ train; and
average-linkage over the system's own e5 embeddings.

`leave_one_corpus_out` says how well the fitted story models carry to news they were not fitted
on: each corpus in turn is scored with models fitted on the others.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from math import comb
from pathlib import Path

from storyline.cluster.features import extract_features
from storyline.cluster.learn import Corpus, fit_weights, stream_assign
from storyline.cluster.online import DocumentFrequencies, OnlineClusterer
from storyline.cluster.weights import (
    ARTICLE,
    DEFAULT_WEIGHTS,
    HEADLINE,
    TEXT_KINDS,
    StoryWeights,
    load_weights,
    weights_json,
)
from storyline.model import Article
from storyline.pipeline import Ingestor
from storyline.read.jsonl import parse_record
from storyline.settings import Settings
from storyline.store import Store

BASELINE_DISTANCE = 0.95  # cosine distance threshold of the baseline, as the data README gives it
# The embedding baseline's cosine distance, the best on ECB+ train (`storyline eval stories
# ecbplus_traindev.jsonl:split=train` prints the oracle's choice); ORACLE_DISTANCES are tried
# for the per-file upper bound.
EMBEDDING_BASELINE_DISTANCE = 0.14  # B-cubed F1 0.851 there
# The online TF-IDF centroid baseline's cosine threshold, the best B-cubed F1 of CENTROID_GRID
# on ECB+ train: `storyline eval stories --centroid-thresholds
# ../shared/data/stories/ecbplus_traindev.jsonl:split=train` (no ingest, seconds).
CENTROID_THRESHOLD = 0.07  # B-cubed F1 0.850 there (0.06: 0.832, 0.08: 0.845)
CENTROID_GRID = tuple(round(0.01 * k, 2) for k in range(1, 41))  # 0.01 to 0.4
FIT_BATCH = 32  # articles per ingest batch when only the analysis is wanted (fitting)
ORACLE_DISTANCES = (0.04, 0.06, 0.08, 0.1, 0.12, 0.14, 0.16, 0.18, 0.2, 0.25)
GOLD_FIELDS = ("story", "thread", "topic", "split")  # never shown to the system


class MissingGold(ValueError):
    """A selection's gold stories are missing: a folder without labels, or articles they omit."""


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
class MethodScores:
    """One method's clustering of a file: overall, and over pairs of articles in two languages."""

    overall: ClusterScores
    cross_lingual: tuple[float, float, float] | None  # pairwise P, R, F1; None: one language


@dataclass(frozen=True)
class StoryScores:
    """The system's and the baselines' scores on one labelled file (or one selection of it)."""

    path: str
    split: str
    articles: int
    methods: dict[str, MethodScores]  # SYSTEM first, then the baselines of the same run
    dropped: int  # articles not stored (and not copies of one that is): each its own story
    seconds: float  # ingest time of the system (read to store, spaCy and embedding included)
    languages: dict[str, int]
    # the system's threads (storylines) against gold threads, where the labels give them
    threads: ClusterScores | None = None

    @property
    def system(self) -> ClusterScores:
        """Return Storyline's own scores."""
        return self.methods[SYSTEM].overall

    @property
    def baseline(self) -> ClusterScores:
        """Return the TF-IDF average-link baseline's scores."""
        return self.methods[TFIDF_BASELINE].overall

    @property
    def articles_per_second(self) -> float:
        """Return the system's ingest throughput."""
        return self.articles / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, object]:
        """Return the scores as plain JSON-ready values (for `--json`)."""
        record = asdict(self)
        record["articles_per_second"] = round(self.articles_per_second, 2)
        return record


SYSTEM = "storyline"
TFIDF_BASELINE = "tfidf avg-link"
CENTROID_BASELINE = "tfidf online centroid"
EMBEDDING_BASELINE = "e5 avg-link"
EMBEDDING_ORACLE = "e5 avg-link, oracle"


def evaluate_stories(
    path: Path | Selection,
    settings: Settings | None = None,
    limit: int | None = None,
    split: str | None = None,
) -> StoryScores:
    """Return the system's and the baselines' story scores on a labelled JSONL file.

    `split` keeps only records whose `split` field equals it; `limit` keeps the first records
    (in file order) after that; a `Selection` says both and a date range. Costs one full ingest
    (spaCy and embeddings included) of the kept records, and the baselines' n x n matrices.
    The baselines: TF-IDF average-link at the distance the data README gives, the online TF-IDF
    centroid at the threshold chosen on ECB+ train, e5 average-link over the system's own
    embeddings at the distance chosen on ECB+ train, and the same at the best distance for this
    very file (an upper bound for that method, not a fair competitor).
    """
    selection = path if isinstance(path, Selection) else Selection(path, split=split, limit=limit)
    records = load_records(selection.path, selection=selection)
    started = time.perf_counter()
    predicted, analysed, copies, threads = ingest_records(records, settings or Settings())
    return scores_of(
        selection, records, predicted, analysed, copies, time.perf_counter() - started, threads
    )


def scores_of(
    selection: Selection,
    records: Sequence[dict],
    predicted: Mapping[str, str],
    analysed: Sequence[Article],
    copies: Mapping[str, str],
    seconds: float,
    threads: Mapping[str, str] | None = None,
) -> StoryScores:
    """Return the scores of the system's stories (`predicted`) and of the baselines on `records`.

    `analysed`: the system's articles (for their languages and embeddings); `copies`: copy ->
    original for exact copies it did not store; `seconds`: how long the system took;
    `threads`: the thread of each predicted story, scored against records' gold `thread` (the
    labels' `threads`) where any record has one.
    """
    gold = {record["id"]: str(record["story"]) for record in records}
    predicted = dict(predicted)
    dropped = [article_id for article_id in gold if article_id not in predicted]
    predicted.update({article_id: f"dropped:{article_id}" for article_id in dropped})
    by_id = {article.id: article for article in analysed}
    languages = {
        r["id"]: r.get("lang") or (by_id[r["id"]].lang if r["id"] in by_id else None) or "?"
        for r in records
    }
    for copy, original in copies.items():  # an unstored copy is in its original's language
        languages[copy] = languages.get(original, languages[copy])
    clusterings = {
        SYSTEM: predicted,
        TFIDF_BASELINE: baseline_clusters(records),
        CENTROID_BASELINE: centroid_clusters(records),
    }
    vectors = _embeddings(records, by_id)
    if vectors is not None:
        clusterings[EMBEDDING_BASELINE] = embedding_clusters(records, vectors, EMBEDDING_BASELINE_DISTANCE)
        clusterings[EMBEDDING_ORACLE] = max(
            (embedding_clusters(records, vectors, d) for d in ORACLE_DISTANCES),
            key=lambda clusters: score_clustering(clusters, gold).bcubed_f1,
        )
    multilingual = len(set(languages.values()) - {"?"}) > 1
    return StoryScores(
        path=str(selection.path),
        split=selection.label,
        articles=len(records),
        methods={
            name: MethodScores(
                score_clustering(clusters, gold),
                cross_lingual_pairwise(clusters, gold, languages) if multilingual else None,
            )
            for name, clusters in clusterings.items()
        },
        dropped=len(dropped),
        seconds=seconds,
        languages=dict(Counter(languages.values()).most_common()),
        threads=_thread_scores(records, predicted, threads),
    )


def _thread_scores(
    records: Sequence[dict], predicted: Mapping[str, str], threads: Mapping[str, str] | None
) -> ClusterScores | None:
    """Return how the system's threads match the gold ones; None where no record has a thread."""
    if threads is None or not any("thread" in record for record in records):
        return None
    gold = {r["id"]: str(r.get("thread", r["story"])) for r in records}
    return score_clustering({a: threads.get(s, s) for a, s in predicted.items()}, gold)


@dataclass(frozen=True)
class Selection:
    """Which records of a labelled file to use: a split, a date range, the first `limit`.

    Written on the command line as `PATH`, `PATH:split=dev`, `PATH:before=2021-07-16` or
    `PATH:since=2021-07-16` (conditions joined with commas). A folder or file of articles in any
    format `storyline ingest` reads is a corpus too, with its gold stories in a labels file
    written as `PATH:labels=FILE` (the sample corpus's format: `{"stories": {id: story or null}}`).
    """

    path: Path
    split: str | None = None
    since: str | None = None  # first day kept (ISO)
    before: str | None = None  # first day no longer kept (ISO)
    limit: int | None = None
    labels: Path | None = None

    @classmethod
    def parse(cls, text: str) -> Selection:
        """Return the selection written as `PATH[:key=value[,key=value]]`."""
        path, _, conditions = text.partition(":") if "=" in text else (text, "", "")
        values: dict[str, str] = {}
        for condition in filter(None, conditions.split(",")):
            key, _, value = condition.partition("=")
            if key not in ("split", "since", "before", "labels") or not value:
                raise ValueError(
                    f"{text}: unknown condition {condition!r} (split=, since=, before=, labels=)"
                )
            values[key] = value
        labels = values.pop("labels", None)
        return cls(Path(path), labels=Path(labels) if labels else None, **values)

    @property
    def label(self) -> str:
        """Return how tables name this selection ("og2021_titles_dev [since 2021-07-16]")."""
        conditions = (
            ("split", self.split), ("since", self.since), ("before", self.before),
            ("labels", self.labels),
        )
        parts = [f"{k} {v}" for k, v in conditions if v]
        return f"{self.path.stem} [{', '.join(parts) or 'all'}]"

    def keeps(self, record: dict) -> bool:
        """Return whether the record is selected (before `limit`)."""
        if self.split is not None and record.get("split") != self.split:
            return False
        day = str(record.get("date") or "")[:10]
        if self.since and not (_iso_day(day) and day >= self.since):
            return False
        return not (self.before and not (_iso_day(day) and day < self.before))


def load_records(
    path: Path, split: str | None = None, limit: int | None = None, selection: Selection | None = None
) -> list[dict]:
    """Return the labelled records of a JSONL file (optionally one split, the first `limit`).

    With `labels` in the selection (always for a folder), the gold stories come from that file
    instead of a `story` field.
    """
    selection = selection or Selection(path, split=split, limit=limit)
    if selection.path.is_dir() or selection.labels is not None:
        records = [r for r in _labelled_records(selection) if selection.keeps(r)]
        return records[: selection.limit] if selection.limit is not None else records
    records = []
    with selection.path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            record = json.loads(line)
            if selection.keeps(record):
                records.append(record)
    return records[: selection.limit] if selection.limit is not None else records


def _labelled_records(selection: Selection) -> list[dict]:
    """Return the articles of a folder or file as records, each with its gold story from the labels.

    Articles are read as `storyline ingest` reads them. An article labelled with no story (null)
    is a story of its own; an article the labels do not name is an error that names them all, so
    a labelling gap is never scored as if the article were not there. Costs one read of the files.
    """
    from storyline.read import read_paths

    if selection.labels is None:
        raise MissingGold(f"{selection.path}: a folder needs its gold stories (FOLDER:labels=FILE)")
    labels = json.loads(selection.labels.read_text(encoding="utf-8"))
    stories = labels["stories"]
    thread_of = {story: thread for thread, members in labels.get("threads", {}).items() for story in members}
    articles = [r for r in read_paths([selection.path], Settings()) if isinstance(r, Article)]
    unlabelled = [article.id for article in articles if article.id not in stories]
    if unlabelled:
        raise MissingGold(
            f"{selection.labels}: no story for {len(unlabelled)} article(s) of {selection.path}: "
            + ", ".join(unlabelled)
        )
    fields = ("id", "title", "text", "date", "source", "url", "lang")
    records = [
        {**{k: getattr(a, k) for k in fields}, "story": stories[a.id] or f"none:{a.id}"}
        for a in articles
    ]
    if thread_of:  # a story of no thread is a storyline of its own
        for record in records:
            record["thread"] = thread_of.get(record["story"], record["story"])
    return records


def arrival_order(records: Sequence[dict]) -> list[dict]:
    """Return records as a feed would bring them: dated by date, then undated in hash order."""
    dated = [r for r in records if _iso_day(r.get("date"))]
    undated = [r for r in records if not _iso_day(r.get("date"))]
    dated.sort(key=lambda r: r["date"][:10])
    undated.sort(key=lambda r: hashlib.sha1(str(r["id"]).encode()).hexdigest())
    return dated + undated


def ingest_records(
    records: Sequence[dict], settings: Settings, batch_size: int = 1
) -> tuple[dict[str, str], list[Article], dict[str, str], dict[str, str]]:
    """Return each article's story id, the analysed articles, the copies and each story's
    thread, after a real ingest.

    Records go in `arrival_order`, one per batch by default, so each article is assigned when
    it arrives, into a temporary SQLite store that is removed afterwards. An exact copy of a
    stored article is not stored again (`copies`: copy -> original) and gets its original's
    story. Larger batches cost less per article (one model call and one transaction a batch)
    where only the analysis is wanted.
    """
    with tempfile.TemporaryDirectory(prefix="storyline-eval-") as folder:
        db_settings = Settings(**{**asdict(settings), "db_url": f"sqlite:///{folder}/eval.db"})
        store = Store(db_settings.db_url)
        try:
            ingestor = _RecordingIngestor(store, db_settings)
            ordered = [_as_article(r, n) for n, r in enumerate(arrival_order(records), start=1)]
            copies: dict[str, str] = {}
            for start in range(0, len(ordered), batch_size):
                copies.update(ingestor.ingest_batch(ordered[start : start + batch_size]).copies)
            predicted = {row.id: row.story_id for row in store.iter_articles() if row.story_id}
            # An exact copy is not stored again: it is reported as its original, so it is in
            # its original's story.
            predicted.update({c: predicted[o] for c, o in copies.items() if o in predicted})
            threads = store.story_threads(set(predicted.values()))
        finally:
            store.close()
    return predicted, ingestor.analysed, copies, threads


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


def cross_lingual_pairwise(
    predicted: Mapping[str, str], gold: Mapping[str, str], languages: Mapping[str, str]
) -> tuple[float, float, float]:
    """Return pairwise precision, recall and F1 over pairs of items in two different languages."""
    predicted = {item: predicted.get(item, f"missing:{item}") for item in gold}

    def cross_pairs(cluster_of: Mapping[str, object]) -> int:
        sizes = Counter(cluster_of[item] for item in gold)
        same_language = Counter((cluster_of[item], languages[item]) for item in gold)
        return sum(comb(n, 2) for n in sizes.values()) - sum(
            comb(n, 2) for n in same_language.values()
        )

    both = {item: (predicted[item], gold[item]) for item in gold}
    hits, predicted_pairs, gold_pairs = cross_pairs(both), cross_pairs(predicted), cross_pairs(gold)
    precision = hits / predicted_pairs if predicted_pairs else 0.0
    recall = hits / gold_pairs if gold_pairs else 0.0
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

    if len(records) < 2:
        return {r["id"]: "b0" for r in records}
    vectors = tfidf_vectors(records)
    # Rows are L2-normalised, so cosine distance is 1 - dot; a dense n x n matrix, not n x vocab.
    distances = np.clip(1.0 - (vectors @ vectors.T).toarray(), 0.0, None)
    labels = AgglomerativeClustering(
        n_clusters=None, metric="precomputed", linkage="average", distance_threshold=distance
    ).fit_predict(distances)
    return {r["id"]: f"b{label}" for r, label in zip(records, labels, strict=True)}


def tfidf_vectors(records: Sequence[dict]):
    """Return the records' unit TF-IDF rows (sparse): word 1-3-grams of title and text.

    English stop words removed, sublinear term frequency; vocabulary and IDF are fitted on
    these very records. Costs one pass over the texts.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [f"{r.get('title') or ''}\n{r.get('text') or ''}" for r in records]
    return TfidfVectorizer(
        ngram_range=(1, 3), stop_words="english", sublinear_tf=True
    ).fit_transform(texts)


def centroid_clusters(
    records: Sequence[dict], threshold: float = CENTROID_THRESHOLD
) -> dict[str, str]:
    """Return the online baseline's story of each record: single-pass TF-IDF centroids.

    Records come in `arrival_order`, as the system sees them; each joins the story whose
    centroid (the mean of its members' `tfidf_vectors`) is nearest by cosine when that cosine is
    at least `threshold`, else starts a story (ties: the older story). Exact. Fitting the
    vocabulary and IDF on the whole file is an offline convenience that favours the baseline:
    a real stream would know only the articles so far. Costs one sparse Gram matrix (nonzero
    only for pairs sharing a term), then per article O(earlier articles sharing a term + stories).
    """
    if len(records) < 2:
        return {r["id"]: "c0" for r in records}
    ordered = arrival_order(records)
    labels = _centroid_pass(_centroid_gram(ordered), threshold)
    return {r["id"]: f"c{label}" for r, label in zip(ordered, labels, strict=True)}


def pick_centroid_threshold(
    records: Sequence[dict], grid: Sequence[float] = CENTROID_GRID
) -> tuple[float, dict[float, float]]:
    """Return the threshold of `grid` with the best B-cubed F1 for `centroid_clusters`, and all.

    Needs only the records' texts and gold stories: no ingest. The Gram matrix is built once;
    each threshold costs one pass. Ties go to the lower threshold.
    """
    ordered = arrival_order(records)
    gram = _centroid_gram(ordered)
    gold = {r["id"]: str(r["story"]) for r in ordered}
    f1 = {}
    for threshold in grid:
        labels = _centroid_pass(gram, threshold)
        predicted = {r["id"]: str(label) for r, label in zip(ordered, labels, strict=True)}
        f1[threshold] = score_clustering(predicted, gold).bcubed_f1
    return max(grid, key=lambda t: (f1[t], -t)), f1


def _centroid_gram(ordered: Sequence[dict]):
    """Return the dot products of the records' unit TF-IDF rows, sparse CSR, in their order."""
    vectors = tfidf_vectors(ordered)
    return (vectors @ vectors.T).tocsr()


def _centroid_pass(gram, threshold: float) -> list[int]:
    """Return each row's story number from one pass over `gram` in row order.

    A story's centroid is the mean of its members' unit vectors; its cosine with article i is
    (sum of i's dots with the members) / |sum of the members|, both kept exactly: the dots by
    summing i's row of `gram` per story, the squared norm grown by 2 * dot + |x_i|^2 on a join.
    """
    import numpy as np

    n = gram.shape[0]
    labels = np.full(n, -1, dtype=np.int64)
    norms2 = np.zeros(n)  # squared norm of each story's sum of member vectors
    stories = 0
    for i in range(n):
        start, end = gram.indptr[i], gram.indptr[i + 1]
        columns, dots = gram.indices[start:end], gram.data[start:end]
        earlier = columns < i
        self_dot = float(dots[columns == i].sum())  # 1, or 0 for a text with no known term
        if stories:
            sums = np.bincount(labels[columns[earlier]], dots[earlier], minlength=stories)
            norms = np.sqrt(norms2[:stories])
            cosines = np.divide(sums, norms, out=np.zeros(stories), where=norms > 0)
            best = int(np.argmax(cosines))
            if cosines[best] >= threshold:
                labels[i] = best
                norms2[best] += 2.0 * sums[best] + self_dot
                continue
        labels[i] = stories
        norms2[stories] = self_dot
        stories += 1
    return labels.tolist()


def embedding_clusters(records: Sequence[dict], vectors, distance: float) -> dict[str, str]:
    """Return the embedding baseline's cluster of each record: average linkage on cosine distance.

    `vectors` are the unit embeddings of the records, in order. One linkage per call (SciPy),
    O(n^2) memory.
    """
    import numpy as np
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    if len(records) < 2:
        return {r["id"]: "e0" for r in records}
    distances = np.clip(1.0 - vectors @ vectors.T, 0.0, None)
    np.fill_diagonal(distances, 0.0)
    tree = linkage(squareform(distances, checks=False), method="average")
    labels = fcluster(tree, t=distance, criterion="distance")
    return {r["id"]: f"e{label}" for r, label in zip(records, labels, strict=True)}


def _embeddings(records: Sequence[dict], by_id: Mapping[str, Article]):
    """Return the system's embeddings of the records as one matrix, None if it made none."""
    import numpy as np

    from storyline.embed import from_bytes

    rows = [by_id.get(r["id"]) for r in records]
    known = [a for a in rows if a is not None and a.embedding is not None]
    if not known:
        return None
    # A record the system did not store (an exact copy) gets no vector: a cluster of its own.
    missing = np.zeros_like(from_bytes(known[0].embedding))
    return np.stack(
        [from_bytes(a.embedding) if a is not None and a.embedding is not None else missing for a in rows]
    )


# --- output ----------------------------------------------------------------------------------------


def format_story_scores(scores: StoryScores) -> str:
    """Return the scores as a small table for the terminal, one row per method."""
    languages = ", ".join(f"{lang} {n}" for lang, n in scores.languages.items())
    lines = [
        f"{scores.path} [{scores.split}]: {scores.articles} articles, "
        f"{scores.system.gold_stories} gold stories, {scores.dropped} dropped, "
        f"{scores.articles_per_second:.1f} articles/s; languages: {languages}",
        f"{'':<24}{'B3 P':>7}{'B3 R':>7}{'B3 F1':>7}{'pair P':>8}{'pair R':>8}{'pair F1':>8}"
        f"{'stories':>9}{'x-ling P':>10}{'x-ling R':>10}{'x-ling F1':>10}",
    ]
    for name, method in scores.methods.items():
        s = method.overall
        cross = "".join(f"{v:>10.3f}" for v in method.cross_lingual) if method.cross_lingual else ""
        lines.append(
            f"{name:<24}{s.bcubed_precision:>7.3f}{s.bcubed_recall:>7.3f}{s.bcubed_f1:>7.3f}"
            f"{s.pairwise_precision:>8.3f}{s.pairwise_recall:>8.3f}{s.pairwise_f1:>8.3f}"
            f"{s.predicted_stories:>9}{cross}"
        )
    if scores.threads is not None:
        t = scores.threads
        lines.append(
            f"{'storyline threads':<24}{t.bcubed_precision:>7.3f}{t.bcubed_recall:>7.3f}{t.bcubed_f1:>7.3f}"
            f"{t.pairwise_precision:>8.3f}{t.pairwise_recall:>8.3f}{t.pairwise_f1:>8.3f}"
            f"{t.predicted_stories:>9}   (gold threads: {t.gold_stories})"
        )
    return "\n".join(lines)


# --- fitting -----------------------------------------------------------------------------------------


def fit_story_weights(
    selections: Sequence[Selection],
    settings: Settings | None = None,
    out: Path | None = DEFAULT_WEIGHTS,
) -> dict[str, StoryWeights]:
    """Return story models fitted on the selected corpora (and write them to `out`).

    Each selection is analysed through the real pipeline (`analyse_for_fit`), then the models
    are fitted on them all (`fit_story_models`).
    """
    settings = settings or Settings()
    models = fit_story_models([analyse_for_fit(s, settings) for s in selections], settings)
    if out is not None:
        out.write_text(weights_json(models), encoding="utf-8")
    return models


@dataclass(frozen=True)
class FitCorpus:
    """One selection analysed for fitting: the model kind it trains, its articles and gold."""

    selection: Selection
    kind: str  # HEADLINE or ARTICLE
    corpus: Corpus
    copies: tuple[tuple[str, str], ...] = ()  # (copy, original): exact copies the ingest did not store


def analyse_for_fit(selection: Selection, settings: Settings) -> FitCorpus:
    """Return the selection's articles analysed by the real pipeline, in arrival order.

    Costs one ingest (spaCy and embeddings included) in batches, joining nothing: analysis does
    not depend on clustering. A corpus whose articles are mostly headlines alone trains the
    headline model, any other the article model.
    """
    records = load_records(selection.path, selection=selection)
    gold = {record["id"]: str(record["story"]) for record in records}
    _, analysed, copies, _ = ingest_records(
        records, replace(settings, story_join_probability=1.0), batch_size=FIT_BATCH
    )
    analysed.sort(key=_arrival_position(records))
    headlines = sum(extract_features(article).headline_only for article in analysed)
    kind = HEADLINE if headlines * 2 > len(analysed) else ARTICLE
    return FitCorpus(selection, kind, Corpus(selection.label, analysed, gold), tuple(sorted(copies.items())))


def fit_story_models(
    corpora: Sequence[FitCorpus], settings: Settings, kinds: Iterable[str] = TEXT_KINDS
) -> dict[str, StoryWeights]:
    """Return the story model of each kind fitted on the analysed corpora of that kind.

    For each kind, `storyline.cluster.learn.fit_weights` fits one logistic model on the
    gold-replay pairs of its corpora and picks the join and merge probabilities with the best
    mean B-cubed F1 over them. A kind none of the corpora trains, or not in `kinds`, keeps the
    model of `settings.story_weights` (the shipped one by default). Writes nothing.
    """
    command = "storyline eval stories --fit " + " ".join(
        _selection_text(c.selection) for c in corpora
    )
    models = load_weights(settings.story_weights)
    for kind in kinds:
        own = [c.corpus for c in corpora if c.kind == kind]
        if not own:
            continue
        provenance = {
            "data": [corpus.name for corpus in own],
            "articles": [len(corpus.articles) for corpus in own],
            "by": command,
            "model": f"{kind} model: sklearn LogisticRegression(C=1.0) on article-story pairs, "
            "every pair counted once; join and merge thresholds by mean B-cubed F1",
            "embedder": settings.embedder_name(),
        }
        models[kind] = fit_weights(
            own, settings, lambda p, g: score_clustering(p, g).bcubed_f1, fitted=provenance
        )
    return models


# --- leave one corpus out ----------------------------------------------------------------------------

# The baselines Storyline must beat; the e5 oracle is an upper bound, not a competitor.
FAIR_BASELINES = (TFIDF_BASELINE, CENTROID_BASELINE, EMBEDDING_BASELINE)


@dataclass(frozen=True)
class FoldScores:
    """One fold: a corpus scored with story models fitted on all the other corpora."""

    held_out: str  # the held-out selection's label
    refitted: dict[str, tuple[str, ...]]  # model kind -> the corpora it was fitted on, this fold
    kept: dict[str, tuple[str, ...]]  # model kind kept as shipped -> the corpora it was fitted on
    scores: StoryScores

    def as_dict(self) -> dict[str, object]:
        """Return the fold as plain JSON-ready values (for `--json`)."""
        return {**asdict(self), "scores": self.scores.as_dict()}


def leave_one_corpus_out(
    selections: Sequence[Selection], settings: Settings | None = None
) -> list[FoldScores]:
    """Return, for each selection in turn, its scores with models fitted on the other selections.

    Costs one analysis ingest per selection (`analyse_for_fit`), then `folds` on them.
    """
    if len(selections) < 2:
        raise ValueError("leave-one-corpus-out needs at least two corpora")
    settings = settings or Settings()
    return folds([analyse_for_fit(selection, settings) for selection in selections], settings)


def folds(
    analysed: Sequence[FitCorpus], settings: Settings, held_out: Collection[str] | None = None
) -> list[FoldScores]:
    """Return each analysed corpus scored with story models fitted on the others.

    `held_out`: the labels of the corpora to hold out (all when None); the others still train.
    Folds are independent, so several processes may share them out.

    The model of the held-out corpus's kind is refitted on the other corpora of that kind; the
    other kind stays as shipped (in `settings.story_weights`) unless the shipped one was fitted
    on the held-out corpus, and is then refitted too (see `refitted` and `kept`). A shipped
    model fitted on exactly the corpora a fold would fit on is kept (the fit is deterministic).
    The held-out articles, analysed once by the real pipeline, are then assigned one at a time in arrival
    order by the pipeline's own clusterer (`stream_assign`: near-duplicates join their
    original's story, merges fold labels, exact copies get their original's story), beside
    every baseline. Writes no weights. Costs per fold one fit (one logistic regression, and
    one replay of each training corpus per threshold tried) and one replay.
    """
    shipped = load_weights(settings.story_weights)
    shipped_on = {kind: [str(name) for name in shipped[kind].fitted.get("data", ())] for kind in TEXT_KINDS}
    results = []
    for i, fold in enumerate(analysed):
        if held_out is not None and fold.selection.label not in held_out:
            continue
        training = [*analysed[:i], *analysed[i + 1 :]]
        stale = {
            kind
            for kind in TEXT_KINDS
            if (kind == fold.kind or fold.corpus.name in shipped_on[kind])
            and [c.corpus.name for c in training if c.kind == kind] != shipped_on[kind]
        }
        refit = [c for c in training if c.kind in stale]
        models = {**shipped, **fit_story_models(refit, settings, kinds=stale)} if refit else dict(shipped)
        refitted = {
            kind: tuple(c.corpus.name for c in refit if c.kind == kind)
            for kind in TEXT_KINDS
            if any(c.kind == kind for c in refit)
        }
        kept = {kind: tuple(shipped_on[kind]) for kind in TEXT_KINDS if kind not in refitted}
        results.append(FoldScores(fold.selection.label, refitted, kept, replay_scores(fold, models, settings)))
    return results


def replay_scores(
    corpus: FitCorpus, models: Mapping[str, StoryWeights], settings: Settings
) -> StoryScores:
    """Return the scores of the analysed corpus's stories as the clusterer assigns them, and the
    baselines'. The analysis is the real pipeline's (`analyse_for_fit`); no ingest again.
    """
    records = load_records(corpus.selection.path, selection=corpus.selection)
    started = time.perf_counter()
    clusterer = OnlineClusterer(settings, DocumentFrequencies(), models)
    predicted = stream_assign(corpus.corpus.articles, clusterer)
    copies = dict(corpus.copies)
    predicted.update({c: predicted[o] for c, o in copies.items() if o in predicted})
    seconds = time.perf_counter() - started
    threads = {s: p.thread for s, p in clusterer.profiles.items()}
    return scores_of(corpus.selection, records, predicted, corpus.corpus.articles, copies, seconds, threads)


def format_folds(folds: Sequence[FoldScores]) -> str:
    """Return the leave-one-corpus-out table: B-cubed F1 per held-out corpus, and the losses."""
    width = max(len(fold.held_out) for fold in folds) + 8
    methods = (SYSTEM, *FAIR_BASELINES)
    lines = [
        "Leave one corpus out: each corpus scored with story models fitted on the others (B3 F1)",
        f"{'held out':<{width}}" + "".join(f"{name:>23}" for name in methods),
    ]
    losses: dict[str, list[str]] = {name: [] for name in FAIR_BASELINES}
    for fold in folds:
        f1 = {
            name: fold.scores.methods[name].overall.bcubed_f1
            for name in methods
            if name in fold.scores.methods
        }
        cells = "".join(f"{f1[name]:>23.3f}" if name in f1 else f"{'—':>23}" for name in methods)
        lines.append(f"{f'{fold.held_out} ({fold.scores.articles})':<{width}}{cells}")
        for name in FAIR_BASELINES:
            if name in f1 and f1[SYSTEM] < f1[name]:
                losses[name].append(fold.held_out)
    lines.append("Models per fold:")
    for fold in folds:
        refitted = [f"{kind} refitted on {', '.join(names)}" for kind, names in fold.refitted.items()]
        kept = [
            f"{kind} shipped (fitted on {', '.join(names) or 'unrecorded data'})"
            for kind, names in fold.kept.items()
        ]
        lines.append(f"  {fold.held_out}: {'; '.join(refitted + kept)}")
    lost = [f"to {name} on {', '.join(corpora)}" for name, corpora in losses.items() if corpora]
    lines.append(
        "Storyline loses " + "; ".join(lost) + "."
        if lost
        else "Storyline beats every baseline on every held-out corpus."
    )
    return "\n".join(lines)


def _arrival_position(records: Sequence[dict]) -> Callable[[Article], int]:
    """Return a sort key putting analysed articles back in arrival order (batches sort by date)."""
    position = {r["id"]: i for i, r in enumerate(arrival_order(records))}
    return lambda article: position.get(article.id, len(position))


def _selection_text(selection: Selection) -> str:
    conditions = [
        f"{k}={v}"
        for k, v in (
            ("split", selection.split), ("since", selection.since), ("before", selection.before),
            ("labels", selection.labels),
        )
        if v
    ]
    return selection.path.name + (":" + ",".join(conditions) if conditions else "")
