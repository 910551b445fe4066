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


def needs_shared(*parts: str) -> Path:
    """Return a path under the shared data, skipping the test with a reason where it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared evaluation data not found at {path} (set STORYLINE_SHARED_DATA)")
    return path
