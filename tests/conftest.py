"""Shared fixtures: a fresh store per test, the shared evaluation data where it exists."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from storyline.settings import Settings
from storyline.store import Store

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("STORYLINE_SHARED_DATA") or REPO.parent / "shared" / "data")
SEEDS = SHARED.parent / "seeds"
SAMPLE_CORPUS = REPO / "examples" / "corpus"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(db_url=f"sqlite:///{tmp_path / 'storyline.db'}")


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
    """Return the URL of a new, empty database on the throwaway cluster."""
    return postgres_server.create_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path: Path) -> str:
    """Return the URL of an empty store, once on SQLite and once on a real PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'storyline.db'}"
    return request.getfixturevalue("postgres_url")


def needs_shared(*parts: str) -> Path:
    """Return a path under the shared data, skipping the test with a reason where it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared evaluation data not found at {path} (set STORYLINE_SHARED_DATA)")
    return path


@pytest.fixture
def desk_db(tmp_path: Path) -> str:
    """Return the URL of a small desk store written row by row (see `build_desk_store`)."""
    from tests.test_desk_api import build_desk_store

    url = f"sqlite:///{tmp_path / 'desk.db'}"
    build_desk_store(url).close()
    return url


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
