"""The desk under faults: no API request, valid or not, gets a server error; no story link breaks.

Every operation of the desk's OpenAPI schema is called through its ASGI app (no server) over the
small desk store of `tests.test_desk_api`, with requests that fit the schema and, where an
operation has query parameters or a body to get wrong, requests that do not; ingest runs with
its token too, so that generated articles go through the whole pipeline. Runs are
deterministic (`derandomize`) and bounded (`API_EXAMPLES` per operation and mode); each case is
counted in `tests.fault_counts`.

A story merged into another keeps its address: its page and its API twin redirect (307) to the
story it joined, at the end of any chain of merges.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import Case, Response
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode

from storyline.desk import create_app
from storyline.store import Store
from storyline.store.schema import ArticleRow, StoryEventRow, StoryRow
from tests.fault_counts import record
from tests.test_desk_api import IDS

API_EXAMPLES = 30
INGEST_EXAMPLES = 20  # each runs the whole pipeline
INGEST_TOKEN = "fault-suite-token"


def _fuzz(
    operation,
    mode: GenerationMode,
    suite: str,
    examples: int = API_EXAMPLES,
    lost: Callable[[Case, Response], int] = lambda case, response: 0,
    **fixed: Any,
) -> None:
    """Call `operation` with generated requests (`fixed` parts as given); fail on a 5xx answer
    or on records the answer does not account for (`lost`)."""

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(case=operation.as_strategy(generation_mode=mode, **fixed))
    def check(case) -> None:
        response = case.call()
        missing = lost(case, response)
        record(suite, cases=1, crashes=int(response.status_code >= 500), lost=missing)
        case.validate_response(response, checks=[not_a_server_error])
        assert missing == 0, f"{missing} posted articles neither stored nor named as problems"

    check()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
def test_no_request_is_answered_with_a_server_error(desk_db: str, mode: GenerationMode) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(desk_db, api_token=""))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 7, "the desk's schema lost operations"
    for operation in operations:
        # a path parameter that takes any string has no invalid values to generate
        if mode is GenerationMode.NEGATIVE and not (operation.query or operation.body):
            continue
        _fuzz(operation, mode, f"api {mode.value} {operation.label}")


def test_ingest_with_the_token_is_never_answered_with_a_server_error(desk_db: str) -> None:
    app = create_app(desk_db, api_token=INGEST_TOKEN)
    operation = schemathesis.openapi.from_asgi("/openapi.json", app)["/api/articles"]["POST"]
    suite = f"api positive {operation.label} with the token"
    headers = {"authorization": f"Bearer {INGEST_TOKEN}"}
    _fuzz(operation, GenerationMode.POSITIVE, suite, INGEST_EXAMPLES, _ingest_lost, headers=headers)


def _ingest_lost(case: Case, response: Response) -> int:
    """Return how many posted articles an ingest answer counts neither as stored, present,
    duplicate nor problem."""
    if response.status_code != 200:
        return 0
    posted = len(case.body) if isinstance(case.body, list) else 1
    result = response.json()
    kept = result["added"] + result["already_present"] + result["duplicates"]
    return posted - kept - len(result["problems"])


# --- links that never break: a merged story's old address leads to the story it joined ---------


def _add_ferry_story(store: Store) -> str:
    """Add a third story with one article to the desk store; return its id."""
    with store.session.begin() as session:
        session.add(StoryRow(id="s-ferry", headline="Brenna ferry moves to the cargo quay", article_count=1))
        session.flush()
        session.add(
            ArticleRow(
                id="gazette/ferry-quay", source="Valmora Gazette", date="2022-03-10", lang="en",
                title="Brenna ferry moves to the cargo quay", origin="fixture:ferry",
                text="The Brenna ferry will berth at the cargo quay from Monday.",
                content_hash="gazette/ferry-quay", story_id="s-ferry",
            )
        )
    return "s-ferry"


@pytest.mark.parametrize("prefix", ["", "/api"])
def test_a_merged_story_redirects_to_the_story_it_joined(client, desk_db: str, prefix: str):
    old = f"{prefix}/stories/{IDS.flood}"
    assert client.get(old).status_code == 200  # answered, and cached, before the merge
    store = Store(desk_db)
    store.merge_stories(IDS.strike, IDS.flood, profile=None)
    store.close()
    response = client.get(old, follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == f"{prefix}/stories/{IDS.strike}"
    followed = client.get(old)
    assert followed.status_code == 200 and followed.url.path == f"{prefix}/stories/{IDS.strike}"


@pytest.mark.parametrize("prefix", ["", "/api"])
def test_a_chain_of_merges_redirects_to_its_last_story_in_one_step(client, desk_db: str, prefix: str):
    store = Store(desk_db)
    ferry = _add_ferry_story(store)
    store.merge_stories(IDS.strike, IDS.flood, profile=None)
    store.merge_stories(ferry, IDS.strike, profile=None)
    store.close()
    for old in (IDS.flood, IDS.strike):
        response = client.get(f"{prefix}/stories/{old}", follow_redirects=False)
        assert (response.status_code, response.headers["location"]) == (307, f"{prefix}/stories/{ferry}")


def test_a_story_merged_back_has_its_page_again(client, desk_db: str):
    store = Store(desk_db)
    store.merge_stories(IDS.strike, IDS.flood, profile=None)
    store.merge_stories(IDS.flood, IDS.strike, profile=None)
    store.close()
    assert client.get(f"/stories/{IDS.flood}", follow_redirects=False).status_code == 200
    moved = client.get(f"/stories/{IDS.strike}", follow_redirects=False)
    assert moved.headers["location"] == f"/stories/{IDS.flood}"


def test_merges_that_lead_nowhere_or_round_in_a_loop_are_not_found(client, desk_db: str):
    store = Store(desk_db)
    with store.session.begin() as session:
        session.add_all([StoryRow(id="s-ghost"), StoryRow(id="s-phantom")])
        session.add_all(
            [
                StoryEventRow(story_id="s-ghost", action="merged", detail="into s-phantom: merged by hand"),
                StoryEventRow(story_id="s-phantom", action="merged", detail="into s-ghost: merged by hand"),
                StoryEventRow(story_id="s-lost", action="merged", detail="into s-nowhere: merged by hand"),
            ]
        )
    store.close()
    for story in ("s-ghost", "s-phantom", "s-lost", "s-never-was"):
        assert client.get(f"/api/stories/{story}", follow_redirects=False).status_code == 404
        assert client.get(f"/stories/{story}", follow_redirects=False).status_code == 404
