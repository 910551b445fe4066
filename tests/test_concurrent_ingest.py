"""Two ingests of one folder started at once into one new PostgreSQL store: no crash, every article
stored once, and the store one ingest alone gives, row for row (articles, ledger, line and term
counts, stories, statements, claims, entities).

Both create the schema at once (serialised by the migrations' advisory lock). Each batch is
stored only on the store it was prepared on; the ingest that loses the race redoes
its batch holding the write lock, and finds the other's articles already present. So every
batch is decided as in a single run, and the stories come out identical too, ids included.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from storyline.model import Article
from storyline.pipeline import ingest_paths
from storyline.read import read_paths
from storyline.settings import Settings
from storyline.store import Store
from tests.store_snapshot import differences, snapshot

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "examples" / "corpus"
BATCH = 4

# One ingest, started when the file `go` appears, so both begin their first batch together.
_CHILD = """
import sys, time
from pathlib import Path
from storyline.pipeline import ingest_paths
from storyline.settings import Settings
from storyline.store import Store
url, corpus, batch, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
while not go.exists():
    time.sleep(0.005)
summary = ingest_paths([Path(corpus)], Store(url), Settings(db_url=url, batch_size=batch))
print(summary.added, summary.already_present, summary.redone)
"""


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """Sample articles of three outlets: reports, per-source boilerplate, one near-duplicate."""
    folder = tmp_path_factory.mktemp("concurrent") / "corpus"
    shutil.copytree(SAMPLE / "balticwire", folder / "balticwire")
    shutil.copytree(SAMPLE / "feeds", folder / "feeds")
    shutil.copy(SAMPLE / "exports" / "kyivpulse-en-feed.jsonl", folder / "kyivpulse.jsonl")
    return folder


def test_two_ingests_at_once_store_what_one_ingest_stores(corpus, postgres_url, tmp_path):
    alone = f"sqlite:///{tmp_path / 'alone.db'}"
    ingest_paths([corpus], Store(alone), Settings(db_url=alone, batch_size=BATCH))
    url = postgres_url
    go = tmp_path / "go"
    children = [
        subprocess.Popen(
            [sys.executable, "-c", _CHILD, url, str(corpus), str(BATCH), str(go)],
            env={**os.environ, "PYTHONPATH": str(REPO)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    time.sleep(0.5)  # both have started Python before either may begin
    go.touch()
    outputs = [child.communicate(timeout=600) for child in children]
    for child, (_, errors) in zip(children, outputs, strict=True):
        assert child.returncode == 0, errors[-3000:]
    added, present, redone = (
        [int(out.split()[i]) for out, _ in outputs] for i in range(3)
    )
    store = Store(url)
    together = snapshot(store)
    read = {r.id for r in read_paths([corpus], Settings(db_url=url)) if isinstance(r, Article)}
    assert {row[0] for row in together["ledger"] if row[1]} == read  # every article decided once
    assert sum(added) == store.count_articles() == len(snapshot(Store(alone))["articles"])
    assert sum(redone) >= 1, "the two ingests never raced: the test did not test concurrency"
    assert sum(present) >= len(read)  # each article decided by one ingest, present for the other
    assert not differences(snapshot(Store(alone)), together), differences(snapshot(Store(alone)), together)
