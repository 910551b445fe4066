"""The desk's response models: what every page shows and its JSON twin under /api returns."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")

MAX_PAGE_SIZE = 100


class Page(BaseModel, Generic[T]):
    """One page of a longer list: the items, how many there are in all, and where this page starts."""

    items: list[T]
    total: int
    limit: int | None  # None: every item from `offset` on (the Python API; the desk always pages)
    offset: int


class EntityRef(BaseModel):
    """A person, organisation or place as a link: id, name, type and how often it is mentioned."""

    id: str
    name: str
    type: str
    mentions: int = 0


class StoryItem(BaseModel):
    """One line of the story list."""

    id: str
    headline: str
    first_date: str | None
    last_date: str | None
    article_count: int
    source_count: int
    people: list[EntityRef] = Field(default_factory=list)
    languages: list[str] = Field(
        default_factory=list, description="Its articles' languages, most articles first"
    )


class ArticleItem(BaseModel):
    """An article's metadata, without its text."""

    id: str
    title: str
    source: str | None
    date: str | None
    lang: str | None
    url: str | None
    duplicate_of: str | None
    story_id: str | None


class StoryArticle(ArticleItem):
    """An original article of a story with its near-duplicates folded under it."""

    copies: list[ArticleItem] = Field(default_factory=list)


class StatementItem(BaseModel):
    """Who said what, when, and in which article."""

    id: int
    article_id: str
    story_id: str | None
    article_title: str
    source: str | None
    speaker: str | None
    speaker_mention: str
    entity_id: str | None
    cue: str
    content: str
    direct: bool
    said_on: str | None
    said_on_source: str | None = Field(
        default=None, description='How said_on was found: "time expression" or "article date"'
    )
    start: int
    end: int


class ClaimStatement(BaseModel):
    """One statement supporting a claim: who, when, where, and its words."""

    statement_id: str
    article_id: str
    story_id: str | None  # a story of the claim's thread: this one, or an earlier or later event
    speaker: str | None
    source: str | None
    date: str | None
    content: str


class ClaimVerdict(BaseModel):
    """Repeated, confirmed, changed or disputed, why, and the statements that show it."""

    kind: str
    reason: str
    statement_ids: list[str]


class ClaimItem(BaseModel):
    """A proposition statements of a thread's stories make: the first one, restatements, verdicts.

    A thread is one storyline; a claim shown with a story has a statement of that story, and may
    have others made at the thread's earlier or later events.
    """

    id: str
    thread_id: str | None
    text: str
    first_speaker: str | None
    first_date: str | None
    first_source: str | None
    outlets: list[str]
    verdicts: list[ClaimVerdict]
    statements: list[ClaimStatement]

    def notable(self) -> bool:
        """Return whether more than one statement makes the claim, or it has a verdict."""
        return len(self.statements) > 1 or bool(self.verdicts)

    def evidence(self, verdict: ClaimVerdict) -> list[ClaimStatement]:
        """Return the statements a verdict rests on, in the verdict's order."""
        by_id = {statement.statement_id: statement for statement in self.statements}
        return [by_id[i] for i in verdict.statement_ids if i in by_id]


class StoryDetail(StoryItem):
    """A story: its articles (copies folded), sources, people and organisations, statements, claims."""

    sources: list[str]
    articles: list[StoryArticle]
    entities: list[EntityRef]
    statements: list[StatementItem]
    claims: list[ClaimItem]
    thread_id: str | None = Field(default=None, description="Its storyline: the id of the thread's first story")
    thread: list[StoryItem] = Field(
        default_factory=list, description="The other stories (events) of its storyline, oldest first"
    )


class EntityDetail(BaseModel):
    """A person or organisation: name variants merged into it, its stories, what it said."""

    id: str
    name: str
    type: str
    resolved: bool  # False: grouped from mention text because entities are not resolved yet
    aliases: list[str]
    roles: list[str]
    article_count: int
    stories: list[StoryItem]
    statements: list[StatementItem]


class Mention(BaseModel):
    """A named-entity mention in an article's clean text."""

    text: str
    label: str
    start: int
    end: int
    entity_id: str | None


class TimeItem(BaseModel):
    """A time expression in an article's clean text, with its normalised value."""

    text: str
    type: str
    value: str
    start: int
    end: int


class RemovedLine(BaseModel):
    """A line the cleaner removed, with why."""

    line_no: int
    text: str
    reason: str


class ArticleDetail(ArticleItem):
    """An article with its clean text and everything found in it."""

    text: str
    dateline: str | None
    date_source: str | None
    origin: str
    story_headline: str | None
    copies: list[ArticleItem]
    entities: list[Mention]
    statements: list[StatementItem]
    times: list[TimeItem]
    removed: list[RemovedLine]
    analyses: list[str] = Field(description="The analyses an article in its language gets")


class Segment(BaseModel):
    """A piece of a snippet; `match` marks the words that matched the query."""

    text: str
    match: bool = False


class SearchHit(BaseModel):
    """An article matching a search, with its story and a snippet of the matching text."""

    article: ArticleItem
    story_headline: str | None
    snippet: list[Segment]


class Facet(BaseModel):
    """A filter value and how many articles have it."""

    value: str
    count: int


class IngestProblem(BaseModel):
    """Part of the input that was not stored, and why."""

    origin: str
    reason: str


class IngestResult(BaseModel):
    """What an ingest through the API did."""

    read: int
    added: int
    already_present: int
    duplicates: int
    near_duplicates: int
    stories_created: int
    problems: list[IngestProblem]


class ArticleIn(BaseModel):
    """An article to ingest: the fields of one JSON line of a `.jsonl` file."""

    text: str = Field(min_length=1, max_length=400_000)
    id: str | None = Field(default=None, max_length=512)
    title: str | None = Field(default=None, max_length=2_000)
    date: str | None = Field(default=None, max_length=32)
    source: str | None = Field(default=None, max_length=256)
    url: str | None = Field(default=None, max_length=2_048)
    lang: str | None = Field(default=None, max_length=8)


class ErrorBody(BaseModel):
    """A clear error: status, message, and for bad parameters which ones and why."""

    status: int
    error: str
    detail: list[dict] = Field(default_factory=list)
