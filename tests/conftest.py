"""Shared fixtures: a fresh store per test, the shared evaluation data where it exists."""

from __future__ import annotations

import inspect
import os
from pathlib import Path

import pytest

from storyline.settings import Settings
from storyline.store import Store

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("STORYLINE_SHARED_DATA") or REPO.parent / "shared" / "data")
SEEDS = SHARED.parent / "seeds"
SAMPLE_CORPUS = REPO / "examples" / "corpus"


BACKENDS = ("sqlite", "postgresql")


def pytest_generate_tests(metafunc) -> None:
    """Run a test once per store back-end where it asks for `db_url` or is marked `both_backends`.

    Other tests get SQLite only, and keep their names.
    """
    asks = "db_url" in inspect.signature(metafunc.function).parameters
    if "backend" in metafunc.fixturenames and (asks or metafunc.definition.get_closest_marker("both_backends")):
        metafunc.parametrize("backend", BACKENDS)


@pytest.fixture
def backend() -> str:
    """The store back-end of a test: SQLite unless `pytest_generate_tests` says both."""
    return "sqlite"


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(db_url=db_url)


@pytest.fixture
def store(settings: Settings) -> Store:
    store = Store(settings.db_url)
    yield store
    store.close()


@pytest.fixture(scope="session")
def postgres_server():
    """A throwaway PostgreSQL cluster for the whole test session (skips, saying why, if none)."""
    from tests.postgres_server import PostgresServer, PostgresUnavailable

    try:
        server = PostgresServer.start()
    except PostgresUnavailable as reason:
        pytest.skip(f"no PostgreSQL server for these tests: {reason}")
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres_server) -> str:
    """Return the URL of a new, empty database on the throwaway cluster (dropped afterwards)."""
    url = postgres_server.create_database()
    yield url
    postgres_server.drop_database(url)


@pytest.fixture
def db_url(backend: str, request, tmp_path: Path) -> str:
    """Return the URL of an empty store: once on SQLite and once on a real PostgreSQL server for
    a test that asks for it by name or is marked `both_backends`, else on SQLite."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'storyline.db'}"
    return request.getfixturevalue("postgres_url")


def needs_shared(*parts: str) -> Path:
    """Return a path under the shared data, skipping the test with a reason where it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared evaluation data not found at {path} (set STORYLINE_SHARED_DATA)")
    return path


@pytest.fixture
def desk_db(db_url: str) -> str:
    """Return the URL of a small desk store written row by row (see `build_desk_store`)."""
    from tests.test_desk_api import build_desk_store

    build_desk_store(db_url).close()
    return db_url


@pytest.fixture
def client(desk_db: str):
    """Return a test client of the desk over `desk_db`, with ingest disabled."""
    from fastapi.testclient import TestClient

    from storyline.desk import create_app

    with TestClient(create_app(desk_db, api_token="")) as test_client:
        yield test_client


def pytest_terminal_summary(terminalreporter) -> None:
    """Print the fault suite's tally (cases tried, crashes, records lost) at the end of the run."""
    from tests.fault_counts import summary_lines

    lines = summary_lines()
    if lines:
        terminalreporter.write_sep("-", "fault suite")
        for line in lines:
            terminalreporter.write_line(line)
