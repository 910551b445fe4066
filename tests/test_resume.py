"""Exact resumption: an ingest killed with SIGKILL at any moment, then run again, ends with the
store an uninterrupted run gives: the same articles, none twice, the same removed lines, the same
stories, statements and claims.

The input is part of the sample corpus (with its per-source boilerplate), plus a copy of one
article whose per-source lines differ from its original's: once both are cleaned they are one
text, which only holds when boilerplate is decided on the same evidence wherever batches fall.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from storyline.model import Article
from storyline.pipeline import Ingestor, ingest_paths
from storyline.read import read_paths
from storyline.settings import Settings
from storyline.store import Store
from tests.fault_counts import record
from tests.store_snapshot import differences, snapshot

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "corpus"
BATCH = 4

# Runs one ingest in a child process, which the test kills.
_CHILD = """
import sys
from pathlib import Path
from storyline.pipeline import Ingestor, ingest_paths
from storyline.settings import Settings
from storyline.store import Store
url, corpus, batch = sys.argv[1], sys.argv[2], int(sys.argv[3])
settings = Settings(db_url=url, batch_size=batch)
ingest_paths([Path(corpus)], Store(url), settings)
"""


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """Sample articles of two outlets with per-source lines, and a copy that differs only by them."""
    folder = tmp_path_factory.mktemp("resume") / "corpus"
    shutil.copytree(SAMPLE / "balticwire", folder / "balticwire")
    shutil.copytree(SAMPLE / "feeds", folder / "feeds")
    shutil.copy(SAMPLE / "exports" / "kyivpulse-en-feed.jsonl", folder / "kyivpulse.jsonl")
    original = (folder / "balticwire" / "estonia-ice-road-hiiumaa.md").read_text()
    footer = "Follow Baltic Wire on Telegram for breaking news"
    assert footer in original
    # The same report, filed again later with the outlet's other sign-off: a copy once cleaned.
    (folder / "balticwire" / "zz-estonia-ice-road-hiiumaa-refiled.md").write_text(
        original.replace(footer, "Baltic Wire newsroom, Tallinn desk") + "\n"
    )
    for name in ("nato-rules-out-troops-shields-east.md", "storm-dudley-baltic-power-cuts.md"):
        path = folder / "balticwire" / name
        path.write_text(path.read_text() + "\nBaltic Wire newsroom, Tallinn desk\n")
    return folder


@pytest.fixture(scope="module")
def uninterrupted(corpus, tmp_path_factory) -> dict:
    url = f"sqlite:///{tmp_path_factory.mktemp('whole') / 'store.db'}"
    ingest_paths([corpus], Store(url), Settings(db_url=url, batch_size=BATCH))
    return snapshot(Store(url))


def _count(db: Path, query: str) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.1) as connection:
            row = connection.execute(query).fetchone()
    except sqlite3.Error:  # not created yet, or its tables not yet
        return 0
    return int(row[0]) if row and row[0] else 0


def _batches_written(db: Path) -> int:
    return _count(db, "select value from meta where key = 'version'")


def _lines_counted(db: Path) -> int:
    return _count(db, "select count(*) from ledger")


def _kill_when(corpus: Path, db: Path, ready: Callable[[Path], bool], delay: float) -> bool:
    """Start an ingest; SIGKILL it `delay` seconds after `ready(db)`. Return False if it finished."""
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, f"sqlite:///{db}", str(corpus), str(BATCH)],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        while child.poll() is None and not ready(db):
            time.sleep(0.02)
        time.sleep(delay)
        if child.poll() is not None:
            assert child.returncode == 0, child.stderr.read().decode()
            return False
        child.send_signal(signal.SIGKILL)
        child.wait()
        return True
    finally:
        if child.poll() is None:
            child.kill()
        child.stderr.close()


# (what the kill waits for, and how long after it): during the first pass that counts lines;
# right after a batch is written; in the middle of a batch; near the end.
MOMENTS = {
    "counting lines": (lambda db: _lines_counted(db) >= BATCH, 0.0),
    "after the first batch": (lambda db: _batches_written(db) >= 1, 0.0),
    "inside the third batch": (lambda db: _batches_written(db) >= 2, 0.4),
    "near the end": (lambda db: _batches_written(db) >= 5, 0.0),
}


@pytest.mark.parametrize("moment", list(MOMENTS))
def test_killed_ingest_resumes_to_the_uninterrupted_store(moment, corpus, uninterrupted, tmp_path):
    db = tmp_path / "store.db"
    ready, delay = MOMENTS[moment]
    killed = _kill_when(corpus, db, ready, delay)
    url = f"sqlite:///{db}"
    summary = ingest_paths([corpus], Store(url), Settings(db_url=url, batch_size=BATCH))
    resumed = snapshot(Store(url))
    read = {r.id for r in read_paths([corpus], Settings(db_url=url)) if isinstance(r, Article)}
    decided = {row[0] for row in resumed["ledger"] if row[1]}
    record("ingest killed and resumed", cases=1, lost=len(read - decided))
    assert read == decided
    assert not differences(uninterrupted, resumed), differences(uninterrupted, resumed)
    if killed:
        assert summary.already_present or moment == "counting lines"


def test_running_again_stores_nothing_twice(corpus, uninterrupted, tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    settings = Settings(db_url=url, batch_size=BATCH)
    ingest_paths([corpus], Store(url), settings)
    again = ingest_paths([corpus], Store(url), settings)
    assert again.added == 0 and again.duplicates == 0
    assert not differences(uninterrupted, snapshot(Store(url)))


def test_boilerplate_and_copies_do_not_depend_on_the_batch_size(corpus, uninterrupted, tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    summary = ingest_paths([corpus], Store(url), Settings(db_url=url, batch_size=64))
    whole = snapshot(Store(url))
    assert whole["removed_lines"] == uninterrupted["removed_lines"]
    assert whole["ledger"] == uninterrupted["ledger"]
    assert set(summary.copies) == {"balticwire/zz-estonia-ice-road-hiiumaa-refiled.md"}


def test_a_stream_decides_boilerplate_the_same_wherever_its_batches_fall(corpus, tmp_path):
    """Without the first pass (a watch, the desk's ingest), each article is cleaned on the
    evidence of the articles before it and itself, so batch boundaries change nothing."""
    removed = []
    for batch in (1, 4, 64):
        url = f"sqlite:///{tmp_path / f'stream-{batch}.db'}"
        settings = Settings(db_url=url, batch_size=batch, embedder="none")
        Ingestor(Store(url), settings).ingest(read_paths([corpus], settings))
        removed.append(snapshot(Store(url))["removed_lines"])
    assert removed[0] == removed[1] == removed[2]
    assert any("Follow Baltic Wire on Telegram" in row[2] for row in removed[0])
