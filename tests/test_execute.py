"""Execution engines: every engine passes the same checks; Dask survives a worker that dies; an
ingest on two Dask workers stores exactly what one process stores.

The Dask cluster here is real: two worker processes on this machine, started once for the module.
"""

from __future__ import annotations

import dataclasses
import json
import os
import pickle
import sys
import time
from collections.abc import Iterator
from functools import partial
from itertools import count, islice
from pathlib import Path

import pytest
from typer.testing import CliRunner

from storyline.cli import app
from storyline.execute import BackgroundThread, Engine, InProcess
from storyline.model import Article
from storyline.pipeline import Ingestor, analyse_articles
from storyline.read import read_paths
from storyline.settings import Settings
from storyline.store import Store

from .conftest import SAMPLE_CORPUS
from .store_snapshot import differences, snapshot
from .test_pipeline import BRIDGE_1, _write_corpus

try:
    from storyline.execute.dask import DaskEngine
except ImportError:  # without storyline[scale]: the Dask tests skip, the others run
    DaskEngine = None
NO_DASK = "Dask is not installed here (pip install 'storyline[scale]'); --workers needs it"


@pytest.fixture(scope="module")
def dask_engine() -> Iterator[DaskEngine]:
    if DaskEngine is None:
        pytest.skip(NO_DASK)
    engine = DaskEngine.local(2)
    yield engine
    engine.close()


@pytest.fixture(params=["in-process", "background thread", "dask", "dask by address"])
def engine(request) -> Iterator[Engine]:
    if request.param == "in-process":
        yield InProcess()
    elif request.param == "background thread":
        yield BackgroundThread()
    elif request.param == "dask":
        yield request.getfixturevalue("dask_engine")
    else:  # as `--scheduler` does: a client of a running cluster, which outlives it
        local = request.getfixturevalue("dask_engine")
        engine = DaskEngine.connect(local.client.scheduler.address)
        yield engine
        engine.close()


def _square_late_first(x: int) -> int:
    """Return x squared; the earlier an item, the longer it takes (so results finish out of order)."""
    time.sleep(0.05 * (3 - x % 4))
    return x * x


def _fail_on_three(x: int) -> int:
    if x == 3:
        raise ValueError("three is not welcome")
    return x


def _die_once(marker: Path, x: int) -> int:
    """Return 10 x; the first call anywhere kills its own process, as a crash would."""
    if not marker.exists():
        marker.touch()
        os._exit(1)
    return 10 * x


def test_results_come_back_in_input_order(engine: Engine) -> None:
    assert list(engine.map_ordered(_square_late_first, range(12))) == [x * x for x in range(12)]


def test_an_endless_stream_is_taken_only_as_work_is_let_in(engine: Engine) -> None:
    taken = []

    def items() -> Iterator[int]:
        for x in count():
            taken.append(x)
            yield x

    results = engine.map_ordered(_square_late_first, items())
    for i, result in enumerate(islice(results, 10)):
        assert result == i * i
        assert len(taken) <= i + engine.in_flight  # back-pressure: never the whole input
    results.close()


def test_the_dask_engine_works_ahead_of_its_consumer(dask_engine: DaskEngine) -> None:
    taken = []

    def items() -> Iterator[int]:
        for x in range(20):
            taken.append(x)
            yield x

    results = dask_engine.map_ordered(_square_late_first, items())
    assert next(results) == 0
    assert len(taken) == dask_engine.in_flight > 1  # both workers had work before the first result
    assert list(results) == [x * x for x in range(1, 20)]


def _numeric_threads() -> str | None:
    return os.environ.get("OMP_NUM_THREADS")


def test_each_local_worker_is_one_process_with_one_thread(dask_engine: DaskEngine) -> None:
    """Two workers on two cores: neither Dask nor the embedder's OpenMP adds threads."""
    assert list(dask_engine.client.nthreads().values()) == [1, 1]
    assert set(dask_engine.client.run(_numeric_threads).values()) == {"1"}
    assert len(set(dask_engine.client.run(os.getpid).values())) == 2


def test_an_error_in_the_function_reaches_the_caller(engine: Engine) -> None:
    with pytest.raises(ValueError, match="three is not welcome"):
        list(engine.map_ordered(_fail_on_three, range(6)))


def test_a_task_whose_worker_dies_is_run_again(dask_engine: DaskEngine, tmp_path: Path) -> None:
    marker = tmp_path / "died"
    results = list(dask_engine.map_ordered(partial(_die_once, marker), range(8)))
    assert marker.exists()  # a worker process did die
    assert results == [10 * x for x in range(8)]


# Written for these tests: a small outlet whose every article ends with the same sign-off, which
# no rule knows, so only the count of earlier articles of the outlet can remove it; one of its
# reports comes again under another id (an exact copy), and one id comes twice.
SIGN_OFF = "The Lakeside Gazette is delivered to every town on the lake before seven."
GAZETTE = [
    ("lg-101", "2022-02-14", "Ferry timetable cut as ice closes the northern landings",
     "The lake ferry will stop at only four landings from Tuesday after ice closed the piers at "
     "Norby and Halsted, the ferry company said on Monday.\n\nHarbour master Ingrid Salo said the "
     "ice was thirty centimetres thick at Norby and would not clear before March."),
    ("lg-102", "2022-02-15", "Council approves new bridge at Halsted after ten-year wait",
     "Halsted council voted seven to two on Tuesday to build a road bridge over the river mouth, "
     "ending a debate that began in 2012.\n\nMayor Tomas Ek said the bridge would cost 14 million "
     "euros and open in 2025."),
    ("lg-103", "2022-02-16", "Fishermen say pike season starts early on warm shallows",
     "Pike are spawning two weeks early in the warm shallows south of Norby, local fishermen said "
     "on Wednesday.\n\n\"We have never seen them this early,\" said Aino Virta, who has fished "
     "the lake for forty years."),
    ("lg-104", "2022-02-17", "Storm warning for the lake as winds reach 90 km/h",
     "The weather service warned on Thursday that winds of up to 90 km/h would cross the lake "
     "overnight, and the ferry company cancelled its evening sailings.\n\nHarbour master Ingrid "
     "Salo said boats should stay in port until Friday noon."),
    ("lg-105", "2022-02-18", "Storm brings down power lines in three lakeside villages",
     "About 1,200 homes in Norby, Halsted and Vik lost power on Friday after the storm brought "
     "down lines, the grid company said.\n\nThe company said most homes would be reconnected by "
     "Saturday evening."),
]


def _write_gazette(folder: Path) -> Path:
    records = [
        {"id": i, "date": d, "title": t, "text": f"{text}\n\n{SIGN_OFF}", "source": "Lakeside Gazette"}
        for i, d, t, text in GAZETTE
    ]
    again = records[1]  # the council report once more, same id
    copy = {**records[3], "id": "lg-201"}  # the storm warning again, under another id
    path = folder / "lakeside-gazette.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in [*records, again, copy]), encoding="utf-8")
    return path


def _plain(value: object) -> bool:
    """Return whether `value` is built of plain values and storyline's own dataclasses only."""
    if value is None or isinstance(value, str | int | float | bytes):
        return True
    if isinstance(value, list | tuple | set | frozenset):
        return all(_plain(item) for item in value)
    if isinstance(value, dict):
        return all(_plain(key) and _plain(item) for key, item in value.items())
    if dataclasses.is_dataclass(value) and type(value).__module__.startswith("storyline."):
        return all(_plain(getattr(value, f.name)) for f in dataclasses.fields(value))
    return False


def test_analysed_articles_travel_as_plain_data() -> None:
    """What workers send back holds no spaCy Doc or Span: only what the data model names."""
    title, text = BRIDGE_1.split("\n", 1)
    article = Article(id="bridge-1", title=title, text=text.strip(), origin="t", date="2022-03-07")
    [analysed], seconds = analyse_articles([article], Settings(db_url="sqlite://"))
    assert analysed.minhash and analysed.entities and analysed.statements and analysed.embedding
    assert set(seconds) == {"deduplicate", "analyse", "embed"}
    assert _plain(analysed)
    assert pickle.loads(pickle.dumps(analysed)) == analysed


def _ingest_stream(paths: list[Path], db: Path, engine: Engine):
    """Ingest `paths` as one stream in batches of 3; return the store's snapshot, the summary,
    and how many results had been read each time a batch was stored."""
    settings = Settings(db_url=f"sqlite:///{db}", batch_size=3)
    store = Store(settings.db_url)
    read: list = []
    read_when_stored: list[int] = []

    def results():
        for result in read_paths(paths, settings):
            read.append(result)
            yield result

    summary = Ingestor(store, settings, engine).ingest(
        results(), lambda _size: read_when_stored.append(len(read))
    )
    stored = snapshot(store)
    store.close()
    return stored, summary, read_when_stored


def test_two_workers_store_what_one_process_stores(tmp_path: Path, dask_engine: DaskEngine) -> None:
    """A stream (no first pass): a batch's boilerplate, copies and known ids depend on the
    batches before it, which two workers prepare ahead of the store."""
    paths = [_write_gazette(tmp_path), SAMPLE_CORPUS / "balticwire", SAMPLE_CORPUS / "wire"]
    one, one_summary, one_reads = _ingest_stream(paths, tmp_path / "one.db", InProcess())
    two, two_summary, two_reads = _ingest_stream(paths, tmp_path / "two.db", dask_engine)
    assert differences(one, two) == []
    assert one == two
    assert (two_summary.read, two_summary.added) == (one_summary.read, one_summary.added) == (24, 22)
    assert (two_summary.already_present, two_summary.duplicates) == (1, 1)
    assert two_summary.near_duplicates == one_summary.near_duplicates
    assert one_reads[0] == 3  # one process: the next batch is read once this one is stored
    assert two_reads[0] > 2 * 3  # two workers: several batches were prepared ahead of the store
    removed = {row[0] for row in two["removed_lines"] if row[2] == SIGN_OFF}
    assert removed == {"lg-103", "lg-104", "lg-105"}  # from the outlet's third article on


def test_the_background_thread_stores_what_one_thread_stores(tmp_path: Path) -> None:
    """The default engine analyses batches ahead of the store, in a thread: the same store."""
    paths = [_write_gazette(tmp_path), SAMPLE_CORPUS / "balticwire", SAMPLE_CORPUS / "wire"]
    one, one_summary, one_reads = _ingest_stream(paths, tmp_path / "one.db", InProcess())
    ahead, ahead_summary, ahead_reads = _ingest_stream(paths, tmp_path / "ahead.db", BackgroundThread())
    assert differences(one, ahead) == []
    assert one == ahead
    assert (ahead_summary.read, ahead_summary.added) == (one_summary.read, one_summary.added)
    assert ahead_reads[0] > one_reads[0]  # batches were read and analysed ahead of the store


def test_ingest_with_workers_stores_what_ingest_alone_stores(tmp_path: Path) -> None:
    pytest.importorskip("distributed", reason=NO_DASK)
    corpus = _write_corpus(tmp_path / "corpus")
    runner = CliRunner()
    stores = []
    for name, options in (("alone", []), ("workers", ["--workers", "1"])):
        db = f"sqlite:///{tmp_path / name}.db"
        result = runner.invoke(app, ["ingest", str(corpus), "--db", db, "--date", "2022-03-07", *options])
        assert result.exit_code == 0, result.output
        store = Store(db)
        stores.append(snapshot(store))
        store.close()
    assert differences(*stores) == []
    assert len(stores[1]["articles"]) == 4 and len(stores[1]["stories"]) == 2


def test_workers_without_dask_name_the_extra_to_install(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if Dask were not installed
    monkeypatch.delitem(sys.modules, "storyline.execute.dask", raising=False)
    corpus = _write_corpus(tmp_path / "corpus")
    result = CliRunner().invoke(app, ["ingest", str(corpus), "--db", f"sqlite:///{tmp_path}/x.db", "--workers", "2"])
    assert result.exit_code == 2
    assert "pip install 'storyline[scale]'" in result.output
    assert Store(f"sqlite:///{tmp_path}/x.db").count_articles() == 0  # nothing was ingested


def test_a_scheduler_that_does_not_answer_is_named(tmp_path: Path) -> None:
    dask_config = pytest.importorskip("dask.config", reason=NO_DASK)
    with dask_config.set({"distributed.comm.timeouts.connect": "2s"}):
        result = CliRunner().invoke(app, ["ingest", str(tmp_path), "--scheduler", "tcp://127.0.0.1:9"])
    assert result.exit_code == 2
    assert "no Dask scheduler answers at tcp://127.0.0.1:9" in result.output


def test_workers_and_a_scheduler_together_are_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["ingest", str(tmp_path), "--workers", "2", "--scheduler", "tcp://127.0.0.1:8786"]
    )
    assert result.exit_code == 2 and "not both" in result.output
