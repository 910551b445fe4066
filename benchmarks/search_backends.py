"""Full-text search: PostgreSQL's tsvector index against its LIKE fallback, and SQLite's FTS5.

The sample corpus's articles are inserted (no pipeline run) `--copies` times under new ids into
a fresh PostgreSQL database, copied to a second one that never gets the index (the fallback:
ILIKE over every title and text, unranked), and into a SQLite file with FTS5. Each query is one
`search_articles` call (a ranked page of 20 with snippets, and the total), median of `--repeat`.
Without `--db`, a throwaway PostgreSQL cluster is started (tests/postgres_server.py).

    .venv/bin/python benchmarks/search_backends.py [--copies 100] [--db postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from storyline.model import Article  # noqa: E402
from storyline.read import read_paths  # noqa: E402
from storyline.settings import Settings  # noqa: E402
from storyline.store import Store  # noqa: E402
from storyline.store.schema import ArticleRow  # noqa: E402
from storyline.store.search import ensure_search_index, search_articles  # noqa: E402

QUERIES = ("storm", "Zelenskiy Munich", "power outages", "troops border", "Hiiumaa", "Gdansk")


def fill(url: str, copies: int) -> int:
    """Insert the sample corpus `copies` times into the store at `url`; return the row count."""
    articles = [
        a for a in read_paths([REPO / "examples" / "corpus"], Settings(db_url="sqlite://"))
        if isinstance(a, Article)
    ]
    rows = [
        {"id": f"{a.id}~{n}", "source": a.source, "date": a.date, "lang": a.lang, "title": a.title,
         "text": a.text, "origin": a.origin,
         "content_hash": hashlib.sha256(f"{a.id}~{n}".encode()).hexdigest()}
        for n in range(copies)
        for a in articles
    ]
    store = Store(url)
    with store.engine.begin() as connection:
        connection.execute(insert(ArticleRow), rows)
    store.close()
    return len(rows)


def timed(url: str, repeat: int) -> dict[str, tuple[float, int]]:
    """Return, per query, the median seconds of one search and its number of hits."""
    store = Store(url)
    result = {}
    with store.session() as session:
        for query in QUERIES:
            runs = []
            for _ in range(repeat):
                started = time.perf_counter()
                _, total = search_articles(session, query)
                runs.append(time.perf_counter() - started)
            result[query] = (statistics.median(runs), total)
    store.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--db", help="an empty PostgreSQL database to create two databases from")
    options = parser.parse_args()
    server = None
    if options.db:
        admin = options.db
    else:
        from tests.postgres_server import PostgresServer

        server = PostgresServer.start()
        admin = server.url()
    try:
        engine = create_engine(admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            for name in ("search_bench", "search_bench_plain"):
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            connection.execute(text('CREATE DATABASE "search_bench"'))
        indexed = str(make_url(admin).set(database="search_bench"))
        plain = str(make_url(admin).set(database="search_bench_plain"))
        count = fill(indexed, options.copies)
        with engine.connect() as connection:
            connection.execute(text('CREATE DATABASE "search_bench_plain" TEMPLATE "search_bench"'))
        started = time.perf_counter()
        ensure_search_index(create_engine(indexed))
        built = time.perf_counter() - started
        with tempfile.TemporaryDirectory() as folder:
            lite = f"sqlite:///{folder}/search.db"
            fill(lite, options.copies)
            ensure_search_index(create_engine(lite))
            runs = {"tsvector": timed(indexed, options.repeat), "ILIKE": timed(plain, options.repeat),
                    "FTS5": timed(lite, options.repeat)}
        print(f"{count} articles; PostgreSQL index built over them in {built:.1f} s")
        print("| query | PostgreSQL tsvector | PostgreSQL ILIKE fallback | ILIKE / tsvector | SQLite FTS5 |")
        print("|---|---|---|---|---|")
        for query in QUERIES:
            (ts, hits), (like, like_hits), (fts, fts_hits) = (runs[k][query] for k in runs)
            print(f"| {query} | {ts * 1000:.1f} ms ({hits}) | {like * 1000:.1f} ms ({like_hits}) "
                  f"| {like / ts:.0f}x | {fts * 1000:.1f} ms ({fts_hits}) |")
        engine.dispose()
    finally:
        if server:
            server.stop()


if __name__ == "__main__":
    main()
