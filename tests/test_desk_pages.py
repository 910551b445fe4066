"""The desk's HTML pages, rendered on the server: what a journalist sees on each."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from storyline.desk import create_app
from storyline.desk.app import day_span, quoted
from storyline.desk.highlight import Span, annotate
from tests.test_desk_api import IDS, build_desk_store

pytestmark = pytest.mark.both_backends


def test_story_list_shows_headline_span_counts_and_people(client):
    html = client.get("/").text
    assert "Gdańsk dockers strike over night-shift bonus" in html
    assert "7–9 Mar 2022" in html and "4 articles" in html and "4 sources" in html
    assert f'href="/entities/{IDS.kowalczyk}">Marta Kowalczyk</a>' in html
    assert '<option value="Drau Zeitung">Drau Zeitung (1)</option>' in html
    assert html.index("Gdańsk dockers") < html.index("Drava floods Osijek")  # newest first


def test_story_list_shows_languages_and_filters_by_them(client):
    html = client.get("/").text
    assert html.count('title="languages, most articles first">en · de</span>') == 2
    assert '<option value="en">en (4)</option><option value="de">de (2)</option>' in html
    german = client.get("/", params={"lang": "de"}).text
    assert '<option value="de" selected>de (2)</option>' in german
    assert "Gdańsk dockers strike" in german and "Drava floods Osijek" in german
    assert "2 stories" in german


def test_story_list_keeps_filters_in_the_form_and_says_when_nothing_matches(client):
    html = client.get("/", params={"q": "icebreaker", "who": "Horvat"}).text
    assert 'value="icebreaker"' in html and 'value="Horvat"' in html
    assert "No story matches" in html


def test_story_page_has_timeline_folded_copies_and_statements(client):
    html = client.get(f"/stories/{IDS.strike}").text
    assert '<svg class="timeline"' in html
    assert html.count('class="mark article"') == 3 and html.count('class="mark copy"') == 1
    assert html.count('class="mark statement"') == 2
    assert 'href="/articles/courier%2Fstrike-day-three"' in html
    assert "1 near-copy of this article" in html
    assert "“We will not go back until the night-shift bonus is restored”" in html
    said = html[html.index('<ol class="statements">') :]
    assert said.index("7 Mar 2022") < said.index("9 Mar 2022")  # in the order they were said


def test_story_timeline_sets_other_language_lanes_apart(client):
    html = client.get(f"/stories/{IDS.strike}").text
    lanes = re.findall(r'<text class="(lane[^"]*)"[^>]*>([^<]*)</text>', html)
    assert lanes == [
        ("lane", "Baltic Wire"), ("lane", "Hanseatic Wire"), ("lane", "Northgate Courier"),
        ("lane tagged", "Rheinland Kurier · DE"),
    ]
    assert html.count('<rect class="lane-band tagged"') == 1
    assert "other-language report" in html
    assert '<span class="languages" title="languages, most articles first">en · de</span>' in html


def test_timeline_tags_are_escaped_and_only_for_drawn_lanes():
    from datetime import date

    from storyline.timeline import TimelineMark, timeline_svg

    marks = [TimelineMark(date(2022, 3, 8), "Kurier <b>", "Streik")]
    svg = timeline_svg(marks, {"Kurier <b>": "<i>DE", "Not drawn": "FR"})
    assert "Kurier &lt;b&gt; · &lt;i&gt;DE</text>" in svg and "<i>" not in svg
    assert "FR" not in svg
    assert "tagged" not in timeline_svg(marks)


def test_entity_page_lists_variants_stories_and_statements(client):
    html = client.get(f"/entities/{IDS.kowalczyk}").text
    assert "<h1>Marta Kowalczyk</h1>" in html
    assert "<li>Kowalczyk</li><li>M. Kowalczyk</li>" in html
    assert "union chair" in html
    assert html.index("We will not go back") < html.index("no reason to trust")


def test_unresolved_entity_page_says_how_it_was_grouped(tmp_path):
    url = f"sqlite:///{tmp_path / 'unresolved.db'}"
    build_desk_store(url, resolved=False).close()
    with TestClient(create_app(url, api_token="")) as client:
        html = client.get("/entities/mention%3APERSON%3AIvan%20Horvat").text
        assert "Names are not resolved yet" in html
        assert "Drava floods Osijek" in html


def test_article_page_highlights_by_offsets_and_shows_removed_lines(client):
    html = client.get(f"/articles/{IDS.strike_first}").text
    assert f'<a class="quote ent ent-person" href="/entities/{IDS.kowalczyk}"' not in html
    assert '<span class="time" title="DATE 2022-03-07">Monday</span>' in html
    assert f'href="/entities/{IDS.kowalczyk}" title="PERSON">Marta Kowalczyk</a>' in html
    assert '<span class="quote" title="Marta Kowalczyk (said)">We will not go back' in html
    assert "Subscribe to our morning briefing" in html and "boilerplate" in html
    assert 'href="https://balticwire.example/strike" rel="noopener noreferrer nofollow"' in html


def test_article_page_lists_the_analyses_of_its_language(client):
    german = client.get(f"/articles/{IDS.strike_german}").text
    analyses = german[german.index('<dd class="analyses">') :].split("</dd>")[0]
    assert "language" in analyses and "dates" in analyses and "statements" not in analyses
    assert "Statements and claims are extracted from English articles only for now." in german
    english = client.get(f"/articles/{IDS.strike_first}").text
    analyses = english[english.index('<dd class="analyses">') :].split("</dd>")[0]
    assert "statements" in analyses and "claims" in analyses
    assert "English articles only" not in english


def test_article_list_and_pagination_links(client):
    html = client.get("/articles", params={"source": "Baltic Wire"}).text
    assert "1 article" in html and "Dockers halt Gdańsk terminal" in html
    # twenty a page: six articles make one page, so no pager
    assert 'rel="next"' not in client.get("/articles").text


def test_error_pages_are_html_for_people(client):
    response = client.get("/stories/no-such-story")
    assert response.status_code == 404 and "No such story" in response.text
    response = client.get("/", params={"page": 0})
    assert response.status_code == 422 and "<code>query.page</code>" in response.text
    response = client.get("/", params={"date_from": "2022-02-30"})
    assert response.status_code == 422 and "is not a calendar date" in response.text


def test_pages_use_only_local_resources(client):
    html = client.get("/").text
    assert '<link rel="stylesheet" href="/static/desk.css">' in html
    assert "http://" not in html.split("<body>")[0] and "https://" not in html.split("<body>")[0]
    css = client.get("/static/desk.css")
    assert css.status_code == 200 and "url(" not in css.text and "@import" not in css.text


def test_annotate_cuts_text_at_nested_and_overlapping_spans():
    text = "Mayor Ivan Horvat said on Thursday it was over."
    spans = [
        Span(6, 17, "entity", "ent ent-person", "PERSON", "/entities/E1"),
        Span(0, 34, "quote", "quote", "quote"),
        Span(26, 34, "time", "time", "DATE"),
        Span(40, 99, "entity", "ent", "beyond the text"),
    ]
    pieces = annotate(text, spans)
    assert "".join(p.text for p in pieces) == text
    assert [(p.text, p.css) for p in pieces] == [
        ("Mayor ", "quote"),
        ("Ivan Horvat", "quote ent ent-person"),
        (" said on ", "quote"),
        ("Thursday", "quote time"),
        (" it was over.", ""),
    ]
    assert pieces[1].href == "/entities/E1" and pieces[1].title == "PERSON · quote"


def test_display_helpers():
    assert day_span("2022-02-24", "2022-02-27") == "24–27 Feb 2022"
    assert day_span("2022-01-30", "2022-02-19") == "30 Jan – 19 Feb 2022"
    assert day_span("2021-12-30", "2022-01-02") == "30 Dec 2021 – 2 Jan 2022"
    assert day_span(None, None) == "undated"
    assert quoted('"We will not go back,"', True) == "“We will not go back”"
    assert quoted("that talks would resume", False) == "that talks would resume"


def test_story_page_shows_claims_with_verdicts_and_their_statements(desk_db):
    import json

    from storyline.store import Store
    from storyline.store.schema import ClaimRow

    statement = {
        "statement_id": "courier/strike-day-three@10-60", "article_id": "courier/strike-day-three",
        "story_id": IDS.strike, "source": "Harbour Courier", "speaker": "Ana <b>Ruiz</b>",
        "content": "The strike will go on until the bonus is restored", "date": "2022-03-07",
        "duplicate_of": None, "quantities": [],
    }
    later = {**statement, "statement_id": "x@1-2", "date": "2022-03-09", "content": "We stay out"}
    turned = {**statement, "statement_id": "x@5-9", "date": "2022-03-11", "content": "The strike ends on Monday"}
    record = {
        "id": "c1", "thread_id": IDS.strike, "text": statement["content"],
        "first": {"statement_id": "x", "speaker": "Ana <b>Ruiz</b>", "date": "2022-03-07", "source": "Harbour Courier"},
        "outlets": ["Harbour Courier"], "statements": [statement, later, turned],
        "verdicts": [
            {"kind": "repeated", "statement_ids": ["x@1-2"], "reason": "Ana Ruiz on 2022-03-07 and again on 2022-03-09"},
            {"kind": "changed", "statement_ids": [statement["statement_id"], "x@5-9"],
             "reason": "Ana Ruiz on 2022-03-11: polarity differs (confidence 0.93)"},
        ],
    }
    store = Store(desk_db)
    with store.session.begin() as session:
        session.add(ClaimRow(id="c1", thread_id=IDS.strike, text=record["text"], first_date="2022-03-07",
                             verdicts="repeated,changed", statement_count=3, record=json.dumps(record)))
    with TestClient(create_app(desk_db, api_token="", cache=False)) as client:
        html = client.get(f"/stories/{IDS.strike}").text
        claims = client.get(f"/api/stories/{IDS.strike}").json()["claims"]
    assert '<span class="verdict verdict-repeated">repeated</span>' in html
    assert "The strike will go on until the bonus is restored" in html
    assert "Ana &lt;b&gt;Ruiz&lt;/b&gt;" in html and "<b>Ruiz</b>" not in html
    assert claims[0]["verdicts"][0]["kind"] == "repeated"
    assert [s["date"] for s in claims[0]["statements"]] == ["2022-03-07", "2022-03-09", "2022-03-11"]
    # a change shows its confidence and the two statements it sets side by side
    evidence = html.split('<ul class="verdict-evidence">', 1)[1].split("</ul>", 1)[0]
    assert "(confidence 0.93)" in html
    assert "<q>The strike will go on until the bonus is restored</q>" in evidence
    assert "<q>The strike ends on Monday</q>" in evidence and "We stay out" not in evidence


@pytest.mark.both_backends
def test_a_story_page_links_the_other_events_of_its_storyline(desk_db):
    from fastapi.testclient import TestClient
    from sqlalchemy import update

    from storyline.store import Store
    from storyline.store.schema import StoryRow

    with TestClient(create_app(desk_db, api_token="", cache=False)) as client:
        assert "Same storyline" not in client.get(f"/stories/{IDS.strike}").text  # a thread alone
    store = Store(desk_db)
    with store.session.begin() as session:  # the flood as a later event of the strike's storyline
        session.execute(update(StoryRow).where(StoryRow.id == IDS.flood).values(thread_id=IDS.strike))
    store.close()
    with TestClient(create_app(desk_db, api_token="", cache=False)) as client:
        html = client.get(f"/stories/{IDS.strike}").text
        detail = client.get(f"/api/stories/{IDS.flood}").json()
    assert "Same storyline" in html and f'href="/stories/{IDS.flood}"' in html
    assert detail["thread_id"] == IDS.strike and [s["id"] for s in detail["thread"]] == [IDS.strike]
