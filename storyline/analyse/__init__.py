"""Analyse: language, sentences, entities, statements, quantities and time expressions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from spacy.tokens import Doc

from storyline.analyse.attribution import date_statements
from storyline.analyse.language import detect_language
from storyline.analyse.nlp import parse_texts
from storyline.analyse.quantities import find_quantities
from storyline.analyse.quotes import extract_statements
from storyline.analyse.timex import find_times
from storyline.model import Article, EntityMention
from storyline.settings import Settings

# spaCy's English pipeline only reads English; other languages get language and times only.
PARSED_LANGUAGES = frozenset({"en"})


def analyse_batch(articles: Sequence[Article], settings: Settings) -> list[Article]:
    """Return the articles with language, sentences, entities, statements and times filled in."""
    with_language = [
        replace(article, lang=article.lang or detect_language(article.text))
        for article in articles
    ]
    parsed_at = [i for i, a in enumerate(with_language) if (a.lang or "en") in PARSED_LANGUAGES]
    docs = parse_texts([with_language[i].text for i in parsed_at], settings)
    analysed = list(with_language)
    for index, doc in zip(parsed_at, docs, strict=True):
        analysed[index] = annotate(with_language[index], doc)
    return [date_article(article) for article in analysed]


def annotate(article: Article, doc: Doc) -> Article:
    """Return the article with the sentences, entities, statements and figures of its `doc`."""
    return replace(
        article,
        sentences=[(sent.start_char, sent.end_char) for sent in doc.sents],
        entities=[
            EntityMention(ent.text, ent.label_, ent.start_char, ent.end_char) for ent in doc.ents
        ],
        statements=extract_statements(doc),
        quantities=find_quantities(doc),
    )


def date_article(article: Article) -> Article:
    """Return the article with its time expressions, and its statements dated, against its date.

    Cheap (no parse), so the pipeline calls it again when a story gives the article its year.
    """
    times = find_times(article.text, article.date)
    statements = date_statements(article.statements, times, article.sentences, article.date)
    return replace(article, times=times, statements=statements)
