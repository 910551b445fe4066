"""The desk's JSON API: every endpoint, pagination limits, bad parameters, search, token-protected ingest.

`build_desk_store` writes a small newsroom's worth of rows directly (two stories, each with an
article in German, resolved or unresolved entities, statements, dates, removed lines, a
near-copy); the other desk tests reuse it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from storyline.desk import create_app
from storyline.store import Store
from storyline.store.schema import (
    ArticleRow,
    EntityMentionRow,
    EntityRow,
    RemovedLineRow,
    StatementRow,
    StoryRow,
    TimeExpressionRow,
)

pytestmark = pytest.mark.both_backends

STRIKE_1 = (
    "Dock workers at the Baltic Container Terminal in Gdańsk walked out on Monday, halting the "
    "loading of ships for the first time in a decade.\n"
    "\"We will not go back until the night-shift bonus is restored,\" said Marta Kowalczyk, who "
    "chairs the Solidarity Dockers Union.\n"
    "The terminal's operator said talks would resume on Wednesday."
)
STRIKE_2 = (
    "The strike at the Baltic Container Terminal entered its third day on Wednesday as lorries "
    "queued along the ring road.\n"
    "Marta Kowalczyk told reporters the union had \"no reason to trust promises made at midnight\".\n"
    "Port director Henryk Zieliński said the bonus cost more than the terminal earned in a month."
)
STRIKE_COPY = STRIKE_2 + "\nReporting by the Hanseatic Wire desk."
STRIKE_DE = (
    "Im Danziger Hafen stehen die Kräne still: Seit Montag legen die Hafenarbeiter am "
    "Containerterminal die Arbeit nieder.\n"
    "Ihre Gewerkschaft verlangt, dass der gestrichene Zuschlag für die Nachtschicht wieder "
    "gezahlt wird. Der Betreiber will am Mittwoch weiterverhandeln; bis dahin liegen Dutzende "
    "Frachter vor der Küste."
)
FLOOD_1 = (
    "The Drava burst its banks near Osijek on Thursday after four days of rain, and the army "
    "moved sandbags into the old town.\n"
    "\"The next twenty-four hours decide everything,\" said mayor Ivan Horvat."
)
FLOOD_DE = (
    "Die Drau ist bei Osijek über die Ufer getreten. Bürgermeister Ivan Horvat rief die Bewohner "
    "der Altstadt auf, Sandsäcke zu füllen."
)


@dataclass(frozen=True)
class DeskIds:
    """Ids of the rows `build_desk_store` wrote."""

    strike: str = "s-strike"
    flood: str = "s-flood"
    strike_first: str = "wire/strike-day-one"
    strike_second: str = "courier/strike-day-three"
    strike_copy: str = "hanseatic/strike-day-three-copy"
    strike_german: str = "kurier/hafenstreik-danzig"
    flood_first: str = "herald/drava-floods"
    flood_german: str = "zeitung/drau-hochwasser"
    kowalczyk: str = "E000001"
    union: str = "E000002"
    horvat: str = "E000003"


IDS = DeskIds()


def _span(text: str, part: str, occurrence: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(part, start + 1)
    return start, start + len(part)


def build_desk_store(url: str, resolved: bool = True) -> Store:
    """Return a store at `url` holding two stories; entities resolved or only mentioned.

    The German articles have no mentions or statements, as without a German spaCy pipeline.
    """
    store = Store(url)
    articles = [
        (IDS.strike_first, "Baltic Wire", "2022-03-07", "en", "Dockers halt Gdańsk terminal over night-shift bonus", STRIKE_1, IDS.strike, None, "https://balticwire.example/strike"),
        (IDS.strike_second, "Northgate Courier", "2022-03-09", "en", "Gdańsk port strike enters third day", STRIKE_2, IDS.strike, None, "javascript:alert(1)"),
        (IDS.strike_copy, "Hanseatic Wire", "2022-03-09", "en", "Gdańsk port strike enters third day", STRIKE_COPY, IDS.strike, IDS.strike_second, None),
        (IDS.strike_german, "Rheinland Kurier", "2022-03-08", "de", "Danziger Hafenarbeiter legen Containerterminal lahm", STRIKE_DE, IDS.strike, None, "https://rheinland-kurier.example/danzig"),
        (IDS.flood_first, "Danube Herald", "2022-02-17", "en", "Drava floods Osijek old town", FLOOD_1, IDS.flood, None, "http://danubeherald.example/drava"),
        (IDS.flood_german, "Drau Zeitung", "2022-02-18", "de", "Hochwasser an der Drau", FLOOD_DE, IDS.flood, None, None),
    ]
    with store.session.begin() as session:
        session.add_all(
            [
                StoryRow(id=IDS.strike, headline="Gdańsk dockers strike over night-shift bonus", first_date="2022-03-07", last_date="2022-03-09", article_count=4, source_count=4),
                StoryRow(id=IDS.flood, headline="Drava floods Osijek", first_date="2022-02-17", last_date="2022-02-18", article_count=2, source_count=2),
            ]
        )
        session.flush()
        for article_id, source, day, lang, title, text, story, copy_of, url_ in articles:
            session.add(
                ArticleRow(
                    id=article_id, source=source, date=day, date_source="metadata", lang=lang,
                    title=title, text=text, origin=f"fixture:{article_id}", content_hash=article_id,
                    story_id=story, duplicate_of=copy_of, url=url_,
                )
            )
        session.flush()
        mentions = [
            (IDS.strike_first, STRIKE_1, "Marta Kowalczyk", "PERSON", IDS.kowalczyk),
            (IDS.strike_first, STRIKE_1, "Solidarity Dockers Union", "ORG", IDS.union),
            (IDS.strike_first, STRIKE_1, "Gdańsk", "GPE", None),
            (IDS.strike_second, STRIKE_2, "Marta Kowalczyk", "PERSON", IDS.kowalczyk),
            (IDS.strike_second, STRIKE_2, "Henryk Zieliński", "PERSON", None),
            (IDS.strike_copy, STRIKE_COPY, "Marta Kowalczyk", "PERSON", IDS.kowalczyk),
            (IDS.flood_first, FLOOD_1, "Ivan Horvat", "PERSON", IDS.horvat),
            (IDS.flood_first, FLOOD_1, "Osijek", "GPE", None),
            (IDS.flood_german, FLOOD_DE, "Ivan Horvat", "PERSON", IDS.horvat),
        ]
        for article_id, text, name, label, entity in mentions:
            start, end = _span(text, name)
            session.add(
                EntityMentionRow(
                    article_id=article_id, text=name, label=label, start=start, end=end,
                    entity_id=entity if resolved else None,
                )
            )
        if resolved:
            session.add_all(
                [
                    EntityRow(id=IDS.kowalczyk, name="Marta Kowalczyk", type="PERSON", aliases=json.dumps(["Marta Kowalczyk", "Kowalczyk", "M. Kowalczyk"]), roles=json.dumps(["union chair"]), article_count=3),
                    EntityRow(id=IDS.union, name="Solidarity Dockers Union", type="ORG", aliases="[]", roles="[]", article_count=1),
                    EntityRow(id=IDS.horvat, name="Ivan Horvat", type="PERSON", aliases=json.dumps(["Ivan Horvat"]), roles=json.dumps(["mayor"]), article_count=2),
                ]
            )
        statements = [
            (IDS.strike_first, STRIKE_1, "We will not go back until the night-shift bonus is restored", "said", "2022-03-07", IDS.kowalczyk, "Marta Kowalczyk"),
            (IDS.strike_second, STRIKE_2, "no reason to trust promises made at midnight", "told reporters", "2022-03-09", IDS.kowalczyk, "Marta Kowalczyk"),
            (IDS.flood_first, FLOOD_1, "The next twenty-four hours decide everything", "said", "2022-02-17", IDS.horvat, "Ivan Horvat"),
        ]
        for article_id, text, content, cue, said_on, entity, speaker in statements:
            start, end = _span(text, content)
            session.add(
                StatementRow(
                    article_id=article_id, story_id=None, speaker=speaker if resolved else None,
                    speaker_mention=speaker, entity_id=entity if resolved else None, cue=cue,
                    content=content, start=start, end=end, direct=True, said_on=said_on,
                    said_on_source="time expression",
                )
            )
        for article_id, text, phrase, value in [
            (IDS.strike_first, STRIKE_1, "Monday", "2022-03-07"),
            (IDS.strike_first, STRIKE_1, "Wednesday", "2022-03-09"),
            (IDS.flood_first, FLOOD_1, "Thursday", "2022-02-17"),
            (IDS.strike_german, STRIKE_DE, "Montag", "2022-03-07"),
            (IDS.strike_german, STRIKE_DE, "Mittwoch", "2022-03-09"),
        ]:
            start, end = _span(text, phrase)
            session.add(
                TimeExpressionRow(article_id=article_id, text=phrase, start=start, end=end, type="DATE", value=value)
            )
        session.add(
            RemovedLineRow(article_id=IDS.strike_first, line_no=1, text="Subscribe to our morning briefing", reason="boilerplate")
        )
    return store




# --- stories --------------------------------------------------------------------------------


def test_stories_newest_first_with_counts_and_people(client):
    body = client.get("/api/stories").json()
    assert body["total"] == 2
    assert [s["id"] for s in body["items"]] == [IDS.strike, IDS.flood]
    strike = body["items"][0]
    assert (strike["article_count"], strike["source_count"]) == (4, 4)
    assert strike["people"][0] == {
        "id": IDS.kowalczyk, "name": "Marta Kowalczyk", "type": "PERSON", "mentions": 3
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "sandbags"}, [IDS.flood]),
        ({"q": "dockers bonus"}, [IDS.strike]),
        ({"q": "dockers sandbags"}, []),  # every word must match
        ({"date_from": "2022-03-01"}, [IDS.strike]),
        ({"date_to": "2022-02-28"}, [IDS.flood]),
        ({"source": "Drau Zeitung"}, [IDS.flood]),
        ({"lang": "de"}, [IDS.strike, IDS.flood]),  # one German article is enough
        ({"lang": "en"}, [IDS.strike, IDS.flood]),
        ({"lang": "fr"}, []),
        ({"lang": "de", "q": "Nachtschicht"}, [IDS.strike]),
        ({"lang": "de", "q": "dockers"}, []),  # one article must be German and say "dockers"
        ({"who": "kowalczyk"}, [IDS.strike]),
        ({"who": "Horvat", "date_from": "2022-03-01"}, []),
    ],
)
def test_story_filters(client, params, expected):
    body = client.get("/api/stories", params=params).json()
    assert [s["id"] for s in body["items"]] == expected
    assert body["total"] == len(expected)


def test_stories_list_their_languages_most_articles_first(client):
    languages = {s["id"]: s["languages"] for s in client.get("/api/stories").json()["items"]}
    assert languages[IDS.strike] == ["en", "de"]  # three English articles, one German
    assert languages[IDS.flood] == ["en", "de"]  # one each: the language that reported first
    assert client.get(f"/api/stories/{IDS.strike}").json()["languages"] == ["en", "de"]
    entity = client.get(f"/api/entities/{IDS.kowalczyk}").json()
    assert entity["stories"][0]["languages"] == ["en", "de"]


def test_story_languages_are_one_query_for_a_page(desk_db):
    from sqlalchemy import event

    from storyline.desk import queries

    store = Store(desk_db)
    statements: list[str] = []
    event.listen(store.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    with store.session() as session:
        languages = queries.story_languages(session, [IDS.strike, IDS.flood, "no-such-story"])
    store.close()
    assert languages == {IDS.strike: ["en", "de"], IDS.flood: ["en", "de"]}
    assert len(statements) == 1


def test_story_pagination(client):
    first = client.get("/api/stories", params={"limit": 1}).json()
    second = client.get("/api/stories", params={"limit": 1, "offset": 1}).json()
    assert (first["total"], first["limit"], first["offset"]) == (2, 1, 0)
    assert [first["items"][0]["id"], second["items"][0]["id"]] == [IDS.strike, IDS.flood]


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 101},
        {"limit": 0},
        {"offset": -1},
        {"limit": "ten"},
        {"date_from": "yesterday"},
        {"date_from": "2022-02-30"},
        {"q": "x" * 201},
    ],
)
def test_bad_list_parameters_are_clear_422(client, params):
    response = client.get("/api/stories", params=params)
    assert response.status_code == 422
    body = response.json()
    assert body["status"] == 422 and body["error"] == "invalid request"
    assert body["detail"][0]["where"].startswith("query.")
    assert "Traceback" not in response.text


def test_story_detail_folds_copies_and_orders_statements(client):
    story = client.get(f"/api/stories/{IDS.strike}").json()
    originals = [a["id"] for a in story["articles"]]
    assert originals == [IDS.strike_first, IDS.strike_german, IDS.strike_second]
    assert [c["id"] for c in story["articles"][2]["copies"]] == [IDS.strike_copy]
    assert story["sources"] == ["Baltic Wire", "Hanseatic Wire", "Northgate Courier", "Rheinland Kurier"]
    assert [s["said_on"] for s in story["statements"]] == ["2022-03-07", "2022-03-09"]
    names = {(e["name"], e["type"]) for e in story["entities"]}
    assert ("Marta Kowalczyk", "PERSON") in names and ("Solidarity Dockers Union", "ORG") in names


def test_unknown_things_are_json_404(client):
    for path in ("/api/stories/nope", "/api/articles/nope", "/api/entities/E999999"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.json()["error"].startswith("no such")


# --- entities -------------------------------------------------------------------------------


def test_entity_detail_resolved(client):
    entity = client.get(f"/api/entities/{IDS.kowalczyk}").json()
    assert entity["resolved"] is True
    assert entity["aliases"] == ["Kowalczyk", "M. Kowalczyk"]
    assert entity["roles"] == ["union chair"]
    assert [s["id"] for s in entity["stories"]] == [IDS.strike]
    assert [s["content"][:9] for s in entity["statements"]] == ["We will n", "no reason"]


def test_entities_list_by_type_and_name(client):
    people = client.get("/api/entities", params={"type": "PERSON"}).json()
    assert [e["name"] for e in people["items"]] == ["Marta Kowalczyk", "Ivan Horvat"]
    orgs = client.get("/api/entities", params={"q": "dockers"}).json()
    assert [e["id"] for e in orgs["items"]] == [IDS.union]
    assert client.get("/api/entities", params={"type": "DROP TABLE"}).status_code == 422


def test_entities_fall_back_to_mention_text(tmp_path):
    url = f"sqlite:///{tmp_path / 'unresolved.db'}"
    build_desk_store(url, resolved=False).close()
    with TestClient(create_app(url, api_token="")) as client:
        people = client.get("/api/entities", params={"type": "PERSON"}).json()
        assert people["items"][0] == {
            "id": "mention:PERSON:Marta Kowalczyk", "name": "Marta Kowalczyk", "type": "PERSON", "mentions": 3
        }
        entity = client.get("/api/entities/mention:PERSON:Ivan Horvat").json()
        assert entity["resolved"] is False
        assert [s["id"] for s in entity["stories"]] == [IDS.flood]
        assert entity["statements"][0]["content"].startswith("The next twenty-four hours")
        story = client.get("/api/stories", params={"who": "horvat"}).json()
        assert [s["id"] for s in story["items"]] == [IDS.flood]
        assert client.get("/api/entities/mention:PERSON:Nobody").status_code == 404


# --- articles -------------------------------------------------------------------------------


def test_article_detail_has_annotations_and_removed_lines(client):
    article = client.get(f"/api/articles/{IDS.strike_first}").json()
    assert article["story_headline"] == "Gdańsk dockers strike over night-shift bonus"
    assert article["removed"] == [
        {"line_no": 1, "text": "Subscribe to our morning briefing", "reason": "boilerplate"}
    ]
    text = article["text"]
    for mention in article["entities"]:
        assert text[mention["start"] : mention["end"]] == mention["text"]
    assert [t["text"] for t in article["times"]] == ["Monday", "Wednesday"]
    quote = article["statements"][0]
    assert text[quote["start"] : quote["end"]].startswith("We will not go back")


def test_article_says_which_analyses_ran_for_its_language(client):
    english = client.get(f"/api/articles/{IDS.strike_first}").json()["analyses"]
    german = client.get(f"/api/articles/{IDS.strike_german}").json()
    assert {"language", "statements", "claims", "dates", "story"} <= set(english)
    assert german["lang"] == "de"
    assert "statements" not in german["analyses"] and "claims" not in german["analyses"]
    assert {"language", "dates", "story"} <= set(german["analyses"])
    assert [t["text"] for t in german["times"]] == ["Montag", "Mittwoch"]


def test_article_with_slash_in_id_and_its_copies(client):
    original = client.get(f"/api/articles/{IDS.strike_second}").json()
    assert [c["id"] for c in original["copies"]] == [IDS.strike_copy]


def test_articles_list_filters_and_limit(client):
    body = client.get("/api/articles", params={"source": "Baltic Wire"}).json()
    assert [a["id"] for a in body["items"]] == [IDS.strike_first]
    everything = client.get("/api/articles", params={"limit": 100}).json()
    assert everything["total"] == 6
    assert everything["items"][0]["date"] == "2022-03-09"  # newest first
    assert client.get("/api/articles", params={"limit": 1000}).status_code == 422


# --- search ---------------------------------------------------------------------------------


def test_search_finds_words_in_titles_and_text_with_snippets(client):
    body = client.get("/api/search", params={"q": "sandbags"}).json()
    assert body["total"] == 1
    hit = body["items"][0]
    assert hit["article"]["id"] == IDS.flood_first
    assert hit["story_headline"] == "Drava floods Osijek"
    assert [s["text"] for s in hit["snippet"] if s["match"]] == ["sandbags"]
    # stemming: "strikes" finds "strike"; diacritics are folded: "gdansk" finds "Gdańsk"
    assert client.get("/api/search", params={"q": "strikes"}).json()["total"] == 2
    assert client.get("/api/search", params={"q": "gdansk"}).json()["total"] == 3


@pytest.mark.parametrize(
    "hostile", ['"', "NEAR(", "*", "a OR", "title:x", "AND", "(((", "-", "^bonus", "bonus\"", "Gdańsk 🌊", "'; DROP TABLE articles; --", "%", "_"]
)
def test_search_survives_hostile_queries(client, hostile):
    response = client.get("/api/search", params={"q": hostile})
    assert response.status_code == 200, response.text
    assert response.json()["total"] >= 0
    assert client.get("/api/stories", params={"q": hostile}).status_code == 200
    assert client.get("/api/articles").json()["total"] == 6  # nothing was dropped


def test_search_operators_are_searched_as_words(client):
    # "OR" is a word like any other: "dockers OR sandbags" needs all three, so nothing matches
    assert client.get("/api/search", params={"q": "dockers OR sandbags"}).json()["total"] == 0
    assert client.get("/api/search", params={"q": "bonus*"}).json()["total"] == 3


def test_search_needs_a_query_and_caps_page_size(client):
    assert client.get("/api/search").status_code == 422
    assert client.get("/api/search", params={"q": "bonus", "limit": 101}).status_code == 422


def test_like_fallback_without_fts_index(tmp_path):
    from storyline.store.search import has_search_index, search_articles

    store = build_desk_store(f"sqlite:///{tmp_path / 'plain.db'}")  # no ensure_search_index
    with store.session() as session:
        assert not has_search_index(session)
        hits, total = search_articles(session, "SANDBAGS 100%")
        assert total == 0  # "100" is a word too, and no article has it
        hits, total = search_articles(session, "sandbags osijek")
        assert total == 1 and hits[0].article_id == IDS.flood_first
        assert "\ue000sandbags\ue001" in hits[0].snippet
    store.close()


# --- ingest ---------------------------------------------------------------------------------

POSTED = [
    {
        "id": "api-test/ferry-1",
        "title": "Ferry to Hiiumaa cancelled as ice thickens",
        "text": "The ferry between Rohuküla and Heltermaa was cancelled on Tuesday because ice in the "
        "strait had grown too thick, the Transport Administration said.\nDrivers were told the ice "
        "road would open once the ice reached twenty-two centimetres.",
        "date": "2022-02-15",
        "source": "Baltic Wire",
        "url": "https://balticwire.example/ferry",
    },
    {
        "title": "Ice road to Hiiumaa may open this weekend",
        "text": "Estonia's Transport Administration said the ice road to Hiiumaa could open on Saturday "
        "if the frost holds, after ferries stopped running earlier in the week.",
        "date": "2022-02-16",
        "source": "Northgate Courier",
    },
]


def test_ingest_disabled_without_token(client):
    response = client.post("/api/articles", json=POSTED)
    assert response.status_code == 403
    assert "STORYLINE_API_TOKEN" in response.json()["error"]


def test_ingest_token_comes_from_the_environment(desk_db, monkeypatch):
    monkeypatch.setenv("STORYLINE_API_TOKEN", "env-secret")
    with TestClient(create_app(desk_db)) as client:
        response = client.post("/api/articles", json=POSTED[0], headers={"Authorization": "Bearer nope"})
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"


def test_ingest_rejects_wrong_or_missing_token_and_bad_bodies(desk_db):
    with TestClient(create_app(desk_db, api_token="s3cret-token")) as client:
        assert client.post("/api/articles", json=POSTED).status_code == 401
        for header in ("Bearer wrong", "Basic s3cret-token", "s3cret-token", "Bearer "):
            response = client.post("/api/articles", json=POSTED, headers={"Authorization": header})
            assert response.status_code == 401, header
        auth = {"Authorization": "Bearer s3cret-token"}
        assert client.post("/api/articles", json={"title": "no text"}, headers=auth).status_code == 422
        assert client.post("/api/articles", content=b"{not json", headers={**auth, "content-type": "application/json"}).status_code == 422
        too_many = [{"text": f"Article number {n}."} for n in range(501)]
        assert client.post("/api/articles", json=too_many, headers=auth).status_code == 422
        assert client.get("/api/articles").json()["total"] == 6


def test_ingest_stores_articles_once(desk_db):
    with TestClient(create_app(desk_db, api_token="s3cret-token")) as client:
        auth = {"Authorization": "Bearer s3cret-token"}
        response = client.post("/api/articles", json=POSTED, headers=auth)
        assert response.status_code == 200, response.text
        first = response.json()
        assert (first["read"], first["added"]) == (2, 2)
        assert client.get("/api/articles/api-test/ferry-1").json()["source"] == "Baltic Wire"
        assert client.get("/api/search", params={"q": "Hiiumaa"}).json()["total"] == 2
        again = client.post("/api/articles", json=POSTED, headers=auth).json()
        assert again["added"] == 0 and again["already_present"] == 2
        single = client.post("/api/articles", json=POSTED[1], headers=auth).json()
        assert single["added"] == 0
        assert client.get("/api/articles").json()["total"] == 8


def test_cached_reads_are_replayed_until_an_ingest_changes_the_store(desk_db):
    with TestClient(create_app(desk_db, api_token="s3cret-token")) as client:
        before = client.get("/api/articles")
        again = client.get("/api/articles")
        assert before.headers.get("x-storyline-cache") is None
        assert again.headers.get("x-storyline-cache") == "hit"
        assert again.json() == before.json()
        assert "content-security-policy" in again.headers
        auth = {"Authorization": "Bearer s3cret-token"}
        assert client.post("/api/articles", json=POSTED, headers=auth).status_code == 200
        after = client.get("/api/articles")
        assert after.headers.get("x-storyline-cache") is None
        assert after.json()["total"] == before.json()["total"] + 2


# --- the API's description ------------------------------------------------------------------


def test_openapi_lists_every_endpoint_and_docs_work_offline(client):
    schema = client.get("/openapi.json").json()
    paths = set(schema["paths"])
    assert {
        "/api/stories", "/api/stories/{story_id}", "/api/entities", "/api/entities/{entity_id}",
        "/api/articles", "/api/articles/{article_id}", "/api/search",
    } <= paths
    assert "post" in schema["paths"]["/api/articles"]
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "cdn." not in docs.text and "/api/search" in docs.text
