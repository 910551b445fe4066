"""Hostile input to the desk: markup, event handlers and javascript: URLs in stored articles,
injection attempts in parameters, oversized bodies; checked in the HTML and in a real browser."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from storyline.desk import create_app
from storyline.desk.app import safe_url
from tests.test_desk_api import build_desk_store

TOKEN = "correct-horse-battery-staple"
AUTH = {"Authorization": f"Bearer {TOKEN}"}

HOSTILE = [
    {
        "id": "hostile/script-title",
        "title": '<script>window.__pwned = 1; document.title = "pwned"</script>Council approves '
        'harbour budget <img src=x onerror="window.__pwned=2">',
        "text": "The city council approved the harbour budget on Tuesday after a long debate.\n"
        'Councillor Ada Lindqvist said the vote was "a relief for the fishing families" '
        '<script>alert("text")</script> and promised repairs by summer.\n'
        'Residents can read the plan <a href="javascript:alert(3)">here</a> '
        "<svg onload=alert(4)></svg> at the town hall.",
        "date": "2022-03-01",
        "source": '<img src=x onerror="document.title=\'pwned\'">Harbour Gazette',
        "url": "javascript:alert(document.domain)",
    },
    {
        "id": "hostile/data-url",
        "title": "Harbour budget passes <b onmouseover=alert(5)>narrowly</b>",
        "text": "Lindqvist told the Harbour Gazette that dredging would start in April "
        "\"><script>window.__pwned=6</script> once the money arrives.",
        "date": "2022-03-02",
        "source": "Fjord Post",
        "url": " JaVaScRiPt:alert(7)",
    },
    {
        "id": "hostile/datauri",
        "title": "Fishing families welcome dredging plan",
        "text": "Fishing families in the harbour district welcomed the dredging plan on Wednesday, "
        "saying the silted channel had kept boats in port for weeks.",
        "date": "2022-03-02",
        "source": "Coast Radio",
        "url": "data:text/html,<script>alert(8)</script>",
    },
]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/a?b=1", "https://example.org/a?b=1"),
        ("http://example.org", "http://example.org"),
        ("javascript:alert(1)", None),
        (" JaVaScRiPt:alert(1)", None),
        ("data:text/html,<b>x</b>", None),
        ("//evil.example/x", None),
        ("vbscript:msgbox", None),
        ("https:no-host", None),
        ("", None),
        (None, None),
    ],
)
def test_only_http_links(url, expected):
    assert safe_url(url) == expected


@pytest.fixture
def hostile_client(tmp_path):
    url = f"sqlite:///{tmp_path / 'hostile.db'}"
    build_desk_store(url).close()
    with TestClient(create_app(url, api_token=TOKEN)) as client:
        response = client.post("/api/articles", json=HOSTILE, headers=AUTH)
        assert response.status_code == 200, response.text
        assert response.json()["added"] == 3
        yield client


def _tags(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """Return every start tag of a page with its attributes, as a browser's parser reads them."""
    found = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, attrs))

    Collector().feed(html)
    return found


def _pages(client: TestClient) -> list[str]:
    """Return the paths of every page that shows the hostile articles."""
    story_ids = {client.get(f"/api/articles/{a['id']}").json()["story_id"] for a in HOSTILE}
    entity_ids = [e["id"] for e in client.get("/api/entities", params={"limit": 100}).json()["items"]]
    return [
        "/", "/?q=harbour", "/articles", "/search?q=harbour+budget", "/entities",
        *(f"/stories/{s}" for s in story_ids),
        *(f"/articles/{a['id']}" for a in HOSTILE),
        *(f"/entities/{e}" for e in entity_ids[:10]),
        "/search?q=%3Cscript%3Ealert(1)%3C/script%3E",
        "/?who=%3Cimg+src%3Dx+onerror%3Dalert(1)%3E",
    ]


def test_hostile_text_is_escaped_everywhere(hostile_client):
    for path in _pages(hostile_client):
        response = hostile_client.get(path)
        assert response.status_code == 200, path
        tags = _tags(response.text)
        assert "script" not in {tag for tag, _ in tags}, path
        for tag, attributes in tags:
            for name, value in attributes:
                assert not name.startswith("on"), (path, tag, name)  # no event handler
                assert name != "style", (path, tag)  # the CSP forbids inline styles: none needed
                if name in ("href", "src", "action"):
                    assert re.match(r"^(/|#|\?|https?://)", value or ""), (path, tag, value)


def test_security_headers_on_pages_api_static_and_errors(client):
    for path in ("/", "/api/stories", "/static/desk.css", "/nowhere", "/api/stories/none", "/docs"):
        headers = client.get(path).headers
        policy = headers["content-security-policy"]
        assert "default-src 'self'" in policy and "script-src 'self'" in policy
        assert "style-src 'self'" in policy and "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"


@pytest.mark.parametrize(
    "path",
    [
        "/api/stories?source=' OR 1=1 --",
        "/api/stories?who=%25",
        "/api/stories?lang=en' UNION SELECT id FROM articles --",
        "/api/entities?q=_%25_",
        "/api/articles/' OR '1'='1",
        "/api/entities/mention:PERSON:' OR 1=1 --",
    ],
)
def test_injection_attempts_find_nothing(client, path):
    response = client.get(path)
    assert response.status_code in (200, 404, 422)
    body = response.json()
    assert body.get("total", 0) == 0 or path.endswith("_%25_")


def test_errors_are_json_without_stack_traces(desk_db):
    app = create_app(desk_db, api_token="")

    @app.get("/api/boom")
    def boom() -> dict:
        raise RuntimeError("secret internal detail")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/api/boom")
        assert response.status_code == 500
        assert response.json() == {"status": 500, "error": "internal error (see the server log)", "detail": []}
        page = client.get("/stories/none")
        assert page.status_code == 404 and "text/html" in page.headers["content-type"]
        assert "No such story" in page.text


def test_oversized_bodies_are_refused(desk_db):
    with TestClient(create_app(desk_db, api_token=TOKEN)) as client:
        big = b'{"text": "' + b"a" * (21 * 1024 * 1024) + b'"}'
        response = client.post(
            "/api/articles", content=big, headers={**AUTH, "content-type": "application/json"}
        )
        assert response.status_code == 413
        assert response.json()["error"].startswith("request body over")


@pytest.mark.browser
def test_no_script_runs_in_a_real_browser(tmp_path):
    from tests.test_desk_browser import CHROMIUM, CHROMIUM_ARGS, live_desk

    if not CHROMIUM.exists():
        pytest.skip(f"no browser at {CHROMIUM}: run scripts/ensure_browser.sh (needs apt-get)")
    sync_api = pytest.importorskip("playwright.sync_api")
    url = f"sqlite:///{tmp_path / 'hostile.db'}"
    build_desk_store(url).close()
    with live_desk(url, api_token=TOKEN) as base, sync_api.sync_playwright() as playwright:
        client = TestClient(create_app(url, api_token=TOKEN))
        assert client.post("/api/articles", json=HOSTILE, headers=AUTH).json()["added"] == 3
        try:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        except Exception as error:
            pytest.skip(f"Chromium would not start: {error}")
        page = browser.new_page()
        fired: list[str] = []
        violations: list[str] = []
        page.on("dialog", lambda d: (fired.append(d.message), d.dismiss()))
        page.on(
            "console",
            lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
        )
        for path in _pages(client):
            response = page.goto(base + path)
            assert response.status == 200, path
            assert "script-src 'self'" in response.headers["content-security-policy"]
            page.wait_for_timeout(50)  # let onerror handlers of broken images fire, if any could
            assert page.evaluate("window.__pwned") is None, path
            assert page.title() != "pwned", path
            assert page.locator("a[href^='javascript' i], a[href^='data' i]").count() == 0, path
            assert page.locator("script").count() == 0, path
        page.goto(base + "/articles/hostile/script-title")
        assert "<script>" in page.locator("h1").inner_text()  # shown as text, not run
        browser.close()
        assert fired == []
        # markup in stored text must be inert by escaping alone, so the CSP never had to block it
        assert violations == []
