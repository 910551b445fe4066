"""The desk: a FastAPI app with HTML pages for journalists and their JSON twins under /api.

Every page is rendered on the server (Jinja2, autoescaped) and needs no script and no network;
a strict Content-Security-Policy makes any markup that slips into stored text inert.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import threading
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode, urlsplit

from fastapi import Body, Depends, FastAPI, Header, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader
from markupsafe import Markup
from pydantic import Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from storyline.cluster.features import calendar_day
from storyline.desk import queries
from storyline.desk.cache import ResponseCache
from storyline.desk.highlight import Span, annotate
from storyline.desk.models import (
    MAX_PAGE_SIZE,
    ArticleDetail,
    ArticleIn,
    ArticleItem,
    EntityDetail,
    EntityRef,
    ErrorBody,
    IngestProblem,
    IngestResult,
    Page,
    SearchHit,
    StoryDetail,
    StoryItem,
)
from storyline.read.jsonl import parse_record
from storyline.settings import Settings
from storyline.store import Store
from storyline.store.search import MAX_QUERY_CHARS, ensure_search_index
from storyline.timeline import TimelineMark, timeline_svg

log = logging.getLogger("storyline.desk")

TOKEN_ENV = "STORYLINE_API_TOKEN"
HTML_PAGE_SIZE = 20
MAX_OFFSET = 100_000
MAX_BODY_BYTES = 20 * 1024 * 1024
MAX_POSTED_ARTICLES = 500
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
_DAY_PATTERN = r"^(\d{4}-\d{2}-\d{2})?$"
# A merged story's old address answers with a temporary redirect: a person can move articles
# back, and the old story then has a page of its own again (a cached 308 would hide it).
MERGED_REDIRECT = 307

_templates = Environment(
    loader=PackageLoader("storyline", "desk/templates"),
    autoescape=True,  # every template, whatever its name: all stored text is hostile
    trim_blocks=True,
    lstrip_blocks=True,
)


# --- helpers for templates ----------------------------------------------------------------------


def safe_url(url: str | None) -> str | None:
    """Return the URL if it is http(s) with a host, else None (shown as plain text, never a link)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def story_href(story_id: str) -> str:
    """Return the desk's path of a story."""
    return "/stories/" + quote(story_id, safe="")


def article_href(article_id: str) -> str:
    """Return the desk's path of an article."""
    return "/articles/" + quote(article_id, safe="")


def entity_href(entity_id: str) -> str:
    """Return the desk's path of a person or organisation."""
    return "/entities/" + quote(entity_id, safe="")


def pretty_day(value: str | None) -> str:
    """Return an ISO date as "24 Feb 2022" (partial or missing dates as they are, or "undated")."""
    day = calendar_day(value)
    return f"{day.day} {day:%b %Y}" if day else (value or "undated")


def day_span(first: str | None, last: str | None) -> str:
    """Return a story's date span, compact when both ends share a month or are equal."""
    a, b = calendar_day(first), calendar_day(last)
    if not a or not b:
        return pretty_day(first or last)
    if a == b:
        return pretty_day(first)
    if (a.year, a.month) == (b.year, b.month):
        return f"{a.day}–{b.day} {b:%b %Y}"
    if a.year == b.year:
        return f"{a.day} {a:%b} – {b.day} {b:%b %Y}"
    return f"{pretty_day(first)} – {pretty_day(last)}"


def quoted(content: str, direct: bool) -> str:
    """Return a statement's words for display: direct ones in one pair of curly quotes."""
    words = content.strip()
    if not direct:
        return words
    return "“" + words.strip("\"'“”‘’ ,").rstrip() + "”"


def page_link(request: Request, page: int) -> str:
    """Return the current page's URL with another page number, other parameters kept."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "page" and v]
    return "?" + urlencode([*params, ("page", str(page))])


_templates.filters.update(
    safe_url=safe_url,
    story_href=story_href,
    article_href=article_href,
    entity_href=entity_href,
    pretty_day=pretty_day,
)
_templates.filters["quoted"] = quoted
_templates.globals.update(day_span=day_span, page_link=page_link)


def other_language_lanes(story: StoryDetail) -> dict[str, str]:
    """Return the lanes (sources) with dated articles not in the story's main language, tagged.

    The main language is the one most of its articles are in; the tag is the other languages'
    codes ("DE", or "DE/FR").
    """
    main = story.languages[0] if story.languages else None
    others: dict[str, set[str]] = defaultdict(set)
    for original in story.articles:
        for article in (original, *original.copies):
            if article.lang and article.lang != main and calendar_day(article.date):
                others[article.source or "unknown source"].add(article.lang.upper())
    return {lane: "/".join(sorted(langs)) for lane, langs in others.items()}


def story_timeline(story: StoryDetail, lane_tags: dict[str, str]) -> Markup:
    """Return the story's timeline: its articles by source and day, and its dated statements.

    Lanes in `lane_tags` show their tag and are set apart (see `other_language_lanes`).
    """
    marks = []
    source_of: dict[str, str] = {}
    for original in story.articles:
        for article in (original, *original.copies):
            source_of[article.id] = article.source or "unknown source"
            if day := calendar_day(article.date):
                marks.append(
                    TimelineMark(
                        day=day,
                        lane=article.source or "unknown source",
                        label=article.title or article.id,
                        kind="copy" if article.duplicate_of else "article",
                        href=article_href(article.id),
                    )
                )
    for statement in story.statements:
        if day := calendar_day(statement.said_on):
            speaker = statement.speaker or statement.speaker_mention
            marks.append(
                TimelineMark(
                    day=day,
                    lane=source_of.get(statement.article_id, "unknown source"),
                    label=f"{speaker}: {statement.content[:120]}",
                    kind="statement",
                    href=article_href(statement.article_id),
                )
            )
    # statements first so that articles are drawn over them: a statement made on the day of its
    # article shows as a halo behind the article's dot, one made on another day stands alone;
    # timeline_svg escapes every label, lane, tag and link it writes
    marks.sort(key=lambda mark: mark.kind != "statement")
    return Markup(timeline_svg(marks, lane_tags))


def article_pieces(article: ArticleDetail) -> list:
    """Return the article's text cut into pieces with its entities, quotations and dates marked."""
    spans = [
        Span(s.start, s.end, "quote", "quote", f"{s.speaker or s.speaker_mention} ({s.cue})")
        for s in article.statements
    ]
    spans += [
        Span(m.start, m.end, "entity", f"ent ent-{m.label.lower()}", m.label,
             entity_href(m.entity_id) if m.entity_id and m.label in queries.LISTED_TYPES else None)
        for m in article.entities
    ]
    spans += [Span(t.start, t.end, "time", "time", f"{t.type} {t.value}") for t in article.times]
    return annotate(article.text, spans)


def render(template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Return a rendered page."""
    return HTMLResponse(_templates.get_template(template).render(**context), status_code=status_code)


# --- middleware -------------------------------------------------------------------------------


class SecurityHeaders:
    """Adds the security headers to every response and refuses request bodies over a size."""

    def __init__(self, app: ASGIApp, max_body: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            response = JSONResponse(
                _error(413, f"request body over {self.max_body} bytes"), status_code=413
            )
            await response(scope, receive, self._with_headers(send))
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_body:
                raise HTTPException(413, f"request body over {self.max_body} bytes")
            return message

        await self.app(scope, limited_receive, self._with_headers(send))

    @staticmethod
    def _with_headers(send: Send) -> Send:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", []) if h[0] not in dict(SECURITY_HEADERS)]
                message["headers"] = headers + SECURITY_HEADERS
            await send(message)

        return send_with_headers


def _error(status: int, message: str, detail: list[dict] | None = None) -> dict:
    return ErrorBody(status=status, error=message, detail=detail or []).model_dump()


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api") or request.url.path == "/openapi.json"


# --- parameters shared by pages and API -----------------------------------------------------


def filters(
    q: Annotated[str, Query(max_length=MAX_QUERY_CHARS, description="Full-text query")] = "",
    date_from: Annotated[str, Query(pattern=_DAY_PATTERN, description="YYYY-MM-DD")] = "",
    date_to: Annotated[str, Query(pattern=_DAY_PATTERN, description="YYYY-MM-DD")] = "",
    source: Annotated[str, Query(max_length=256)] = "",
    who: Annotated[
        str, Query(max_length=queries.MAX_WHO_CHARS, description="A person or organisation")
    ] = "",
    lang: Annotated[str, Query(max_length=8)] = "",
) -> queries.StoryFilters:
    return queries.StoryFilters(
        q=q.strip(),
        date_from=_day(date_from, "date_from"),
        date_to=_day(date_to, "date_to"),
        source=source,
        who=who.strip(),
        lang=lang,
    )

Filters = Annotated[queries.StoryFilters, Depends(filters)]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description=f"At most {MAX_PAGE_SIZE}")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
PageNo = Annotated[int, Query(ge=1, le=MAX_OFFSET // HTML_PAGE_SIZE)]
Kind = Annotated[str, Query(pattern=r"^(PERSON|ORG|GPE|NORP|LOC)?$")]
NameQuery = Annotated[str, Query(max_length=queries.MAX_WHO_CHARS)]


# --- the app ------------------------------------------------------------------------------------


def create_app(
    db_url: str,
    settings: Settings | None = None,
    api_token: str | None = None,
    cache: bool = True,
) -> FastAPI:
    """Return the desk over the store at `db_url`; ingest via the API needs `api_token` or $STORYLINE_API_TOKEN.

    With `cache`, pages and API reads are served from memory until the store changes.
    """
    settings = settings or Settings(db_url=db_url)
    store = Store(db_url)
    ensure_search_index(store.engine)
    token = api_token if api_token is not None else os.environ.get(TOKEN_ENV, "")
    ingest_lock = threading.Lock()
    ingestor_holder: list = []

    app = FastAPI(
        title="Storyline desk",
        summary="Stories, people, statements and articles from many news outlets.",
        version="0.1.0",
        docs_url=None,  # the default docs load Swagger UI from a CDN; /docs is an offline page
        redoc_url=None,
    )
    app.state.store = store
    if cache:
        app.add_middleware(ResponseCache, version=store.version)
    app.add_middleware(SecurityHeaders)
    app.mount(
        "/static",
        StaticFiles(directory=Path(__file__).with_name("static")),
        name="static",
    )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        message = error.detail if isinstance(error.detail, str) else "error"
        headers = getattr(error, "headers", None)
        if _wants_json(request):
            return JSONResponse(_error(error.status_code, message), error.status_code, headers)
        return render("error.html", error.status_code, status=error.status_code, message=message)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, error: RequestValidationError) -> Response:
        detail = [
            {"where": ".".join(str(p) for p in e.get("loc", ())), "problem": e.get("msg", "")}
            for e in error.errors()
        ]
        if _wants_json(request):
            return JSONResponse(_error(422, "invalid request", detail), 422)
        return render("error.html", 422, status=422, message="Invalid request", detail=detail)

    @app.exception_handler(Exception)
    async def server_error(request: Request, error: Exception) -> Response:
        log.exception("desk error on %s", request.url.path)
        if _wants_json(request):
            return JSONResponse(_error(500, "internal error (see the server log)"), 500)
        return render("error.html", 500, status=500, message="Something went wrong")

    def session():
        return store.session()

    facet_cache: dict[int, tuple] = {}

    def cached_facets(s) -> tuple:
        # the filter menus change only when articles are added: keyed on the article count
        key = queries.article_count(s)
        if key not in facet_cache:
            facet_cache.clear()
            facet_cache[key] = queries.facets(s)
        return facet_cache[key]

    # --- JSON API -------------------------------------------------------------------------------

    @app.get("/api/stories", response_model=Page[StoryItem], tags=["stories"])
    def api_stories(f: Filters, limit: Limit = 20, offset: Offset = 0) -> Page[StoryItem]:
        """Stories matching the filters, the most recently active first."""
        with session() as s:
            return queries.list_stories(s, f, limit, offset)

    def story_or_redirect(story_id: str, prefix: str) -> StoryDetail | RedirectResponse:
        """Return the story, a redirect to `prefix` + the story a merged one joined, or 404."""
        with session() as s:
            story = queries.story_detail(s, story_id)
            joined = queries.merged_into(s, story_id) if story is None else None
        if joined is not None:
            return RedirectResponse(prefix + story_href(joined), MERGED_REDIRECT)
        return _found(story, "story")

    @app.get(
        "/api/stories/{story_id}",
        response_model=StoryDetail,
        tags=["stories"],
        responses={MERGED_REDIRECT: {"description": "Merged into the story `Location` names"}},
    )
    def api_story(story_id: str) -> StoryDetail | RedirectResponse:
        """A story: its articles (copies folded), people, organisations and statements.

        A story merged into another answers with a redirect to the one it joined.
        """
        return story_or_redirect(story_id, "/api")

    @app.get("/api/entities", response_model=Page[EntityRef], tags=["entities"])
    def api_entities(
        type: Kind = "", q: NameQuery = "", limit: Limit = 50, offset: Offset = 0
    ) -> Page[EntityRef]:
        """People, organisations and places, the most mentioned first."""
        with session() as s:
            return queries.list_entities(s, type, q, limit, offset)

    @app.get("/api/entities/{entity_id:path}", response_model=EntityDetail, tags=["entities"])
    def api_entity(entity_id: str) -> EntityDetail:
        """A person or organisation: its name variants, stories and statements in date order."""
        with session() as s:
            return _found(queries.entity_detail(s, entity_id), "entity")

    @app.get("/api/articles", response_model=Page[ArticleItem], tags=["articles"])
    def api_articles(f: Filters, limit: Limit = 20, offset: Offset = 0) -> Page[ArticleItem]:
        """Articles matching the filters (`who` is ignored), the newest first."""
        with session() as s:
            return queries.list_articles(s, f, limit, offset)

    @app.get("/api/articles/{article_id:path}", response_model=ArticleDetail, tags=["articles"])
    def api_article(article_id: str) -> ArticleDetail:
        """An article with its clean text, mentions, statements, dates and removed lines."""
        with session() as s:
            return _found(queries.article_detail(s, article_id, settings), "article")

    @app.get("/api/search", response_model=Page[SearchHit], tags=["search"])
    def api_search(
        q: Annotated[str, Query(min_length=1, max_length=MAX_QUERY_CHARS)],
        limit: Limit = 20,
        offset: Offset = 0,
    ) -> Page[SearchHit]:
        """Articles whose title or text contains every word of `q`, best first."""
        with session() as s:
            return queries.search(s, q, limit, offset)

    @app.post(
        "/api/articles",
        response_model=IngestResult,
        tags=["articles"],
        responses={401: {"model": ErrorBody}, 403: {"model": ErrorBody}},
    )
    def api_ingest(
        articles: Annotated[
            ArticleIn | Annotated[list[ArticleIn], Field(max_length=MAX_POSTED_ARTICLES)],
            Body(),
        ],
        authorization: Annotated[str | None, Header()] = None,
    ) -> IngestResult:
        """Ingest one article or a list (the fields of a JSON line) through the whole pipeline.

        Needs `Authorization: Bearer <token>` with the server's $STORYLINE_API_TOKEN; without
        a token set on the server, ingest is disabled.
        """
        if not token:
            raise HTTPException(403, f"ingest is disabled: the server has no {TOKEN_ENV}")
        if not _token_matches(authorization, token):
            raise HTTPException(
                401, "missing or wrong bearer token", headers={"WWW-Authenticate": "Bearer"}
            )
        items = articles if isinstance(articles, list) else [articles]
        results = [_as_read_result(item, n) for n, item in enumerate(items)]
        with ingest_lock:
            if not ingestor_holder:
                from storyline.pipeline import Ingestor  # loads spaCy: only when ingest is used

                ingestor_holder.append(Ingestor(store, settings))
            summary = ingestor_holder[0].ingest(results)
        return IngestResult(
            read=summary.read,
            added=summary.added,
            already_present=summary.already_present,
            duplicates=summary.duplicates,
            near_duplicates=summary.near_duplicates,
            stories_created=summary.stories_created,
            problems=[IngestProblem(origin=p.origin, reason=p.reason) for p in summary.problems],
        )

    # --- pages ----------------------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def stories_page(request: Request, f: Filters, page: PageNo = 1) -> HTMLResponse:
        with session() as s:
            stories = queries.list_stories(s, f, HTML_PAGE_SIZE, (page - 1) * HTML_PAGE_SIZE)
            sources, langs = cached_facets(s)
        return render(
            "stories.html", request=request, stories=stories, filters=f, page=page,
            sources=sources, langs=langs, nav="stories",
        )

    @app.get("/stories/{story_id}", response_class=HTMLResponse, include_in_schema=False)
    def story_page(request: Request, story_id: str) -> Response:
        story = story_or_redirect(story_id, "")
        if isinstance(story, RedirectResponse):
            return story
        other_languages = other_language_lanes(story)
        return render(
            "story.html", request=request, story=story,
            timeline=story_timeline(story, other_languages), other_languages=other_languages,
            nav="stories",
        )

    @app.get("/entities", response_class=HTMLResponse, include_in_schema=False)
    def entities_page(
        request: Request, type: Kind = "", q: NameQuery = "", page: PageNo = 1
    ) -> HTMLResponse:
        with session() as s:
            entities = queries.list_entities(
                s, type, q, HTML_PAGE_SIZE * 3, (page - 1) * HTML_PAGE_SIZE * 3
            )
        return render(
            "entities.html", request=request, entities=entities, type=type, q=q, page=page,
            nav="entities",
        )

    @app.get("/entities/{entity_id:path}", response_class=HTMLResponse, include_in_schema=False)
    def entity_page(request: Request, entity_id: str) -> HTMLResponse:
        with session() as s:
            entity = _found(queries.entity_detail(s, entity_id), "person or organisation")
        return render("entity.html", request=request, entity=entity, nav="entities")

    @app.get("/articles", response_class=HTMLResponse, include_in_schema=False)
    def articles_page(request: Request, f: Filters, page: PageNo = 1) -> HTMLResponse:
        with session() as s:
            articles = queries.list_articles(s, f, HTML_PAGE_SIZE, (page - 1) * HTML_PAGE_SIZE)
            sources, langs = cached_facets(s)
        return render(
            "articles.html", request=request, articles=articles, filters=f, page=page,
            sources=sources, langs=langs, nav="articles",
        )

    @app.get("/articles/{article_id:path}", response_class=HTMLResponse, include_in_schema=False)
    def article_page(request: Request, article_id: str) -> HTMLResponse:
        with session() as s:
            article = _found(queries.article_detail(s, article_id, settings), "article")
        return render(
            "article.html", request=request, article=article, pieces=article_pieces(article),
            nav="articles",
        )

    @app.get("/search", response_class=HTMLResponse, include_in_schema=False)
    def search_page(
        request: Request,
        q: Annotated[str, Query(max_length=MAX_QUERY_CHARS)] = "",
        page: PageNo = 1,
    ) -> HTMLResponse:
        with session() as s:
            hits = queries.search(s, q, HTML_PAGE_SIZE, (page - 1) * HTML_PAGE_SIZE)
        return render("search.html", request=request, hits=hits, q=q, page=page, nav="search")

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def docs_page(request: Request) -> HTMLResponse:
        return render("docs.html", request=request, endpoints=_endpoints(app.openapi()), nav="docs")

    for route in app.routes:  # the OpenAPI summary of each operation is its docstring's first line
        if isinstance(route, APIRoute) and route.description:
            route.summary = route.description.strip().splitlines()[0]
    return app


def _day(value: str, name: str) -> date | None:
    """Return the day of a YYYY-MM-DD parameter (None when empty); a 422 error when impossible."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise RequestValidationError(
            [{"loc": ("query", name), "msg": f"{value!r} is not a calendar date", "type": "value_error"}]
        ) from None


def _found(value, what: str):
    """Return the value, or raise 404 naming what was not found."""
    if value is None:
        raise HTTPException(404, f"no such {what}")
    return value


def _token_matches(authorization: str | None, token: str) -> bool:
    """Return whether the header carries the bearer token, compared in constant time."""
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


def _as_read_result(item: ArticleIn, n: int):
    """Return a posted article as the JSON-lines reader would read it (same checks, same fields)."""
    record = item.model_dump(exclude_none=True)
    key = json.dumps([record.get(k) for k in ("source", "url", "title", "text")])
    default_id = "api:" + hashlib.sha1(key.encode()).hexdigest()[:20]
    return parse_record(json.dumps(record).encode(), f"api[{n}]", default_id=default_id)


def _endpoints(schema: dict) -> list[dict]:
    """Return the API's operations for the offline docs page: method, path, summary, parameters."""
    rows = []
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            rows.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": [
                        {
                            "name": p["name"],
                            "in": p["in"],
                            "required": p.get("required", False),
                            "description": p.get("description", ""),
                        }
                        for p in operation.get("parameters", [])
                    ],
                }
            )
    return rows
