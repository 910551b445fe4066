"""The data model that flows through every stage: an `Article` goes in, `Story` records come out.

Stages take an `Article` (or a batch of them) and give it back with more fields filled in; only the
store writes anything anywhere. Offsets (`start`, `end`) always index into `Article.text`, the
clean text that the store keeps and `storyline export articles --with-text` gives.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ReadProblem:
    """Why one file, line or entry could not be read; `origin` names it ("a.jsonl:17").

    `ignored` marks parts that are not meant to be articles (an image in a folder): they are
    reported but do not make the run fail.
    """

    origin: str
    reason: str
    ignored: bool = False


@dataclass(frozen=True)
class RemovedLine:
    """A line (or a trailing fragment of one) the cleaner removed, kept so a user can audit it."""

    line_no: int
    text: str
    reason: str


@dataclass(frozen=True)
class EntityMention:
    """A named entity as spaCy found it in the clean text."""

    text: str
    label: str
    start: int
    end: int
    entity_id: str | None = None  # the canonical entity, once resolved across articles


@dataclass(frozen=True)
class TimeExpression:
    """A time expression normalised to a TIMEX3 value ("2022-02-24", "2022-02", "P3D", "PRESENT_REF")."""

    text: str
    start: int
    end: int
    type: str  # DATE, TIME, DURATION or SET
    value: str
    mod: str | None = None


@dataclass(frozen=True)
class Quantity:
    """A number worth tracking: what it counts, how approximate it is, and where it stands."""

    text: str
    start: int
    end: int
    value: float
    unit: str  # what is counted, e.g. "US troops"
    approximation: str | None = None  # "about", "more than", "up to", ...


@dataclass(frozen=True)
class Concept:
    """One content word or named entity of a statement, normalised for matching."""

    key: str  # lemma, or the alias key of an entity ("us", "russia", "zelanski")
    weight: float
    entity: bool
    text: str  # as written, for reasons


@dataclass(frozen=True)
class StatementFrame:
    """What a statement asserts, read from its parse: content, subject, polarity, modality, figures.

    Plain data (no spaCy objects), so it travels with its statement and is kept in claim records.
    """

    text: str
    concepts: tuple[Concept, ...]  # of the reported clause
    all_entities: frozenset[str]  # alias keys of every name in the statement, frame included
    subject: tuple[Concept, ...]
    object: Concept | None  # head of what the event acts on: an entailment must match it
    object_modifiers: tuple[Concept, ...]  # its compounds ("gas" supplies)
    numbers: frozenset[str]  # numerals no quantity covers
    subject_pronoun: bool  # "we", "it", "he": whom it stands for is not in the statement
    event: str | None  # lemma of the event at the end of the control path
    negated: bool
    negation_cue: str | None
    hedged: bool
    hedge_cue: str | None
    quantities: tuple[Quantity, ...] = ()

    @property
    def polarity_text(self) -> str:
        """Return the polarity and modality in words, for reasons ("will not", "may")."""
        words = [self.hedge_cue or ""] if self.hedged else []
        words.append(self.negation_cue or "not" if self.negated else "")
        return " ".join(word for word in words if word) or "affirmative"


@dataclass
class Statement:
    """Who said what, when: one attributed statement with character offsets into the clean text."""

    speaker_mention: str
    cue: str
    content: str
    start: int  # offsets of the content
    end: int
    direct: bool
    speaker: str | None = None  # canonical name after resolution
    entity_id: str | None = None  # the speaker's canonical entity
    speaker_start: int | None = None
    speaker_end: int | None = None
    cue_start: int | None = None
    cue_end: int | None = None
    said_on: str | None = None  # TIMEX3 date value
    said_on_source: str | None = None  # "time expression" or "article date"
    frame: StatementFrame | None = None  # what the content asserts, read from the article's parse


@dataclass
class Article:
    """One news article; stages fill in the fields after `text` as it moves through the pipeline."""

    id: str
    title: str
    text: str
    origin: str  # file (and line or entry) it was read from
    source: str | None = None
    url: str | None = None
    date: str | None = None  # ISO date, or a partial TIMEX3 value such as "XXXX-02-24"
    date_source: str | None = None  # "metadata", "dateline", "text", "--date", "story"
    lang: str | None = None
    dateline: str | None = None  # e.g. "Xinhua News Agency, Brussels, February 24th"
    # clean
    removed: list[RemovedLine] = field(default_factory=list)
    # deduplicate
    content_hash: str | None = None
    canonical_url: str | None = None
    duplicate_of: str | None = None
    minhash: bytes | None = None
    # analyse
    sentences: list[tuple[int, int]] = field(default_factory=list)
    entities: list[EntityMention] = field(default_factory=list)
    times: list[TimeExpression] = field(default_factory=list)
    quantities: list[Quantity] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    # the frame of each sentence stating a figure no statement covers, by (start, end)
    figure_frames: dict[tuple[int, int], StatementFrame] = field(default_factory=dict)
    # embed
    embedding: bytes | None = None  # float16 unit vector of title and lead (storyline.embed)
    embedding_model: str | None = None  # the embedder that made it
    # cluster
    story_id: str | None = None
    story_score: float | None = None
    story_reason: dict | None = None  # the signals that decided the story, for `storyline why`


@dataclass
class Story:
    """A real-world event and its developments, as a set of articles."""

    id: str
    headline: str
    first_date: str | None
    last_date: str | None
    article_ids: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
