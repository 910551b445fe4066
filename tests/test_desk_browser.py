"""The desk in a real headless Chromium: the journalist's path from the story list to an article.

Runs the app with uvicorn on a free loopback port in a thread and drives Debian's
/usr/bin/chromium with Playwright (never `playwright install`); skips where there is no browser
(`scripts/ensure_browser.sh` installs it where it can).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from storyline.desk import create_app
from tests.test_desk_api import IDS, build_desk_store

CHROMIUM = Path(os.environ.get("STORYLINE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.browser


@contextmanager
def live_desk(db_url: str, api_token: str = "") -> Iterator[str]:
    """Yield the base URL of the desk served by uvicorn on a free loopback port."""
    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        create_app(db_url, api_token=api_token), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the desk did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium, or a skip saying why there is none."""
    if not CHROMIUM.exists():
        pytest.skip(f"no browser at {CHROMIUM}: run scripts/ensure_browser.sh (needs apt-get)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is missing")
    with sync_api.sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        except Exception as error:  # a browser that cannot start here is a skip, not a failure
            pytest.skip(f"Chromium at {CHROMIUM} would not start: {error}")
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh page that records console errors and dialogs (there must be none)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on("dialog", lambda d: (page.errors.append(f"dialog: {d.message}"), d.dismiss()))
    yield page
    context.close()


@pytest.fixture(scope="module")
def desk_url(tmp_path_factory) -> Iterator[str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'desk.db'}"
    build_desk_store(url).close()
    with live_desk(url) as base:
        yield base


def test_story_list_search_and_filters(page, desk_url):
    response = page.goto(desk_url + "/")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    headlines = page.locator(".story-card .headline")
    assert headlines.all_inner_texts() == [
        "Gdańsk dockers strike over night-shift bonus", "Drava floods Osijek"
    ]
    page.fill("#q", "sandbags")
    page.click("#story-filters button[type=submit]")
    page.wait_for_url("**/?q=sandbags*")
    assert headlines.all_inner_texts() == ["Drava floods Osijek"]
    page.click("a.reset")
    page.select_option("#lang", "de")
    page.click("#story-filters button[type=submit]")
    page.wait_for_url("**/?*lang=de*")
    assert headlines.all_inner_texts() == [  # each has an article in German
        "Gdańsk dockers strike over night-shift bonus", "Drava floods Osijek"
    ]
    assert page.locator(".story-card .languages").all_inner_texts() == ["en · de", "en · de"]
    page.goto(desk_url + "/")
    page.fill("#date_from", "2022-03-01")
    page.fill("#who", "Kowalczyk")
    page.click("#story-filters button[type=submit]")
    assert headlines.all_inner_texts() == ["Gdańsk dockers strike over night-shift bonus"]
    assert page.errors == []


def test_from_story_to_person_to_article(page, desk_url):
    page.goto(desk_url + "/")
    page.click("text=Gdańsk dockers strike over night-shift bonus")
    page.wait_for_url(f"**/stories/{IDS.strike}")
    timeline = page.locator("svg.timeline")
    assert timeline.is_visible()
    assert timeline.locator("circle.mark.article").count() == 3
    assert timeline.locator("circle.mark.copy").count() == 1
    assert timeline.locator("text.lane").all_text_contents() == [
        "Baltic Wire", "Hanseatic Wire", "Northgate Courier", "Rheinland Kurier · DE"
    ]
    assert timeline.locator("text.lane.tagged").all_text_contents() == ["Rheinland Kurier · DE"]
    copies = page.locator("details.copies")
    assert not copies.locator("li").first.is_visible()
    copies.locator("summary").click()
    assert copies.locator("li").first.is_visible()
    assert page.locator(".statement blockquote").first.inner_text().startswith("“We will not go back")

    page.click(".story-side >> text=Marta Kowalczyk")
    page.wait_for_url(f"**/entities/{IDS.kowalczyk}")
    assert page.locator("h1").inner_text() == "Marta Kowalczyk"
    assert page.locator(".alias-list li").all_inner_texts() == ["Kowalczyk", "M. Kowalczyk"]
    assert page.locator(".statement").count() == 2

    page.click(".statement >> nth=0 >> .st-source a")
    page.wait_for_url("**/articles/**")
    assert page.locator("h1").inner_text() == "Dockers halt Gdańsk terminal over night-shift bonus"
    assert page.locator(".article-text .quote").first.inner_text().startswith("We will not")
    assert page.locator(".article-text .time").all_inner_texts() == ["Monday", "Wednesday"]
    person = page.locator(".article-text a.ent-person")
    assert person.inner_text() == "Marta Kowalczyk"
    assert page.locator(".removed td.removed-text").inner_text() == "Subscribe to our morning briefing"
    person.click()
    page.wait_for_url(f"**/entities/{IDS.kowalczyk}")
    assert page.errors == []


def test_search_page_and_article_links(page, desk_url):
    page.goto(desk_url + "/")
    page.fill(".quick-search input", "terminal bonus")
    page.press(".quick-search input", "Enter")
    page.wait_for_url("**/search?q=*")
    assert page.locator("ol.hits > li").count() == 3
    assert "bonus" in page.locator("ol.hits mark").all_inner_texts()
    page.goto(desk_url + f"/stories/{IDS.strike}")
    # an article whose URL is not http(s) gets no link, only its text
    assert page.locator("a[href^='javascript']").count() == 0
    assert page.locator(".plain-url").first.inner_text() == "javascript:alert(1)"
    assert page.errors == []
