"""Analyse: language, sentences, entities, statements, quantities and time expressions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from spacy.tokens import Doc

from storyline.analyse.attribution import date_statements
from storyline.analyse.frames import frame_article
from storyline.analyse.language import detect_language
from storyline.analyse.nlp import parse_texts, parsed_languages
from storyline.analyse.quantities import find_quantities
from storyline.analyse.quotes import extract_statements
from storyline.analyse.timex import find_times
from storyline.model import Article, EntityMention
from storyline.settings import Settings

# Statements and figures are read by rules written for English parses; other parsed languages
# get sentences and named entities, and every language gets dates, an embedding and a story.
STATEMENT_LANGUAGES = frozenset({"en"})
# Entity labels of other pipelines (WikiNER's PER/LOC/ORG/MISC) in the English scheme.
ENTITY_LABELS = {"PER": "PERSON", "MISC": "NORP"}


def analyse_batch(articles: Sequence[Article], settings: Settings) -> list[Article]:
    """Return the articles with language, sentences, entities, statements and times filled in.

    Each language with an installed spaCy pipeline is parsed in one `nlp.pipe` stream; what each
    statement (and each sentence stating a figure) asserts is read from that parse into its frame.
    """
    analysed = [
        replace(article, lang=article.lang or detect_language(article.text))
        for article in articles
    ]
    parsed = parsed_languages(settings)
    by_language: dict[str, list[int]] = {}
    for index, article in enumerate(analysed):
        lang = article.lang or "en"
        if lang in parsed:
            by_language.setdefault(lang, []).append(index)
    for lang, indexes in by_language.items():
        english = lang in STATEMENT_LANGUAGES
        docs = parse_texts([analysed[i].text for i in indexes], settings, lang, not english)
        for index, doc in zip(indexes, docs, strict=True):
            analysed[index] = annotate(analysed[index], doc, lang)
            if english:
                analysed[index] = frame_article(analysed[index], doc, settings)
    return [date_article(article) for article in analysed]


def analyses_run(lang: str | None, settings: Settings) -> list[str]:
    """Return the analyses an article in `lang` gets, as the desk lists them."""
    lang = lang or "en"
    done = ["language", "dates", "embedding", "story"]
    if lang in parsed_languages(settings):
        done[1:1] = ["sentences", "people and places"]
    if lang in STATEMENT_LANGUAGES:
        done[3:3] = ["statements", "figures", "claims"]
    return done


def annotate(article: Article, doc: Doc, lang: str = "en") -> Article:
    """Return the article with the sentences, entities, statements and figures of its `doc`."""
    english = lang in STATEMENT_LANGUAGES
    return replace(
        article,
        sentences=[(sent.start_char, sent.end_char) for sent in doc.sents],
        entities=[
            EntityMention(
                ent.text, ENTITY_LABELS.get(ent.label_, ent.label_), ent.start_char, ent.end_char
            )
            for ent in doc.ents
        ],
        statements=extract_statements(doc) if english else [],
        quantities=find_quantities(doc) if english else [],
    )


def date_article(article: Article) -> Article:
    """Return the article with its time expressions, and its statements dated, against its date.

    Cheap (no parse), so the pipeline calls it again when a story gives the article its year.
    """
    times = find_times(article.text, article.date, article.lang)
    statements = date_statements(article.statements, times, article.sentences, article.date)
    return replace(article, times=times, statements=statements)
