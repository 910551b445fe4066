"""What the claims engine compares: an article's statements, and its reported figures."""

from __future__ import annotations

from storyline.analyse.frames import figure_sentences
from storyline.claims.group import ClaimInput
from storyline.model import Article, Quantity

# A proposition needs a subject and a predicate; shorter contents ("Ukraine", "This") are
# fragments of an attribution, not claims.
MIN_CLAIM_WORDS = 4


def statement_id(article_id: str, start: int, end: int) -> str:
    """Return the stable id of the statement at `start`-`end` of an article."""
    return f"{article_id}@{start}-{end}"


def claim_inputs(article: Article, thread_id: str | None = None) -> list[ClaimInput]:
    """Return the article's statements, and each sentence stating a figure on the outlet's word.

    `thread_id`: the thread of the article's story (None: the story is a thread alone).
    A sentence with a quantity that no statement covers is a reported fact: the outlet is its
    speaker, so "about 130,000 soldiers" in one outlet can dispute "about 100,000" in another.
    Each input carries the frame analysis read from the article's parse.
    """
    inputs = [
        ClaimInput(
            statement_id=statement_id(article.id, s.start, s.end),
            article_id=article.id,
            story_id=article.story_id,
            source=article.source,
            speaker=s.speaker or s.speaker_mention or None,
            content=s.content,
            date=s.said_on or article.date,
            duplicate_of=article.duplicate_of,
            quantities=_within(article.quantities, s.start, s.end),
            speaker_id=s.entity_id,
            frame=s.frame,
            thread_id=thread_id,
        )
        for s in article.statements
        if len(s.content.split()) >= MIN_CLAIM_WORDS
    ]
    for start, end in figure_sentences(article):
        inputs.append(
            ClaimInput(
                statement_id=statement_id(article.id, start, end),
                article_id=article.id,
                story_id=article.story_id,
                source=article.source,
                speaker=None,
                content=article.text[start:end].strip(),
                date=article.date,
                duplicate_of=article.duplicate_of,
                quantities=_within(article.quantities, start, end),
                frame=article.figure_frames.get((start, end)),
                thread_id=thread_id,
            )
        )
    return inputs


def _within(quantities: list[Quantity], start: int, end: int) -> tuple[Quantity, ...]:
    return tuple(q for q in quantities if start <= q.start and q.end <= end)
