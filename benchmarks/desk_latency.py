"""Desk latency: p50/p95 of the story list, a story, a person and a search over >= 10,000 articles.

The store is built by inserting rows directly with SQLAlchemy (running spaCy 10,000 times would
take the machine for an hour and measure the pipeline, not the desk). Texts are the sample
corpus (and /work/shared/data/corpora/ukraine2022 when present), perturbed: names, places and
numbers swapped so that no two articles are the same; every story gets people, organisations,
statements and dated mentions as the pipeline would write them.

The desk runs with uvicorn in a subprocess on a loopback port; requests come first one at a
time, then from 20 concurrent clients. Request counts are bounded.

    .venv/bin/python benchmarks/desk_latency.py [--articles 10000] [--requests 200]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("STORYLINE_SHARED_DATA") or REPO.parent / "shared" / "data")
FIRST = ["Anna", "Piotr", "Maria", "Jonas", "Elena", "Tomas", "Ines", "Karl", "Leila", "Marek",
         "Sofia", "Ivan", "Greta", "Omar", "Lucia", "Dmitri", "Hana", "Pavel", "Nora", "Emil"]
LAST = ["Kowalski", "Lindqvist", "Horvat", "Novak", "Petrov", "Meyer", "Rossi", "Dubois",
        "Kask", "Ozols", "Nagy", "Popescu", "Jensen", "Silva", "Marin", "Varga", "Berg", "Costa"]
ORGS = ["Ministry of Transport", "Port Authority", "Harbour Workers Union", "Coast Guard",
        "Energy Regulator", "City Council", "Northern Rail", "Red Cross", "Central Bank",
        "Fishermen's Association", "Weather Service", "Police Board"]
PLACES = ["Gdańsk", "Riga", "Tallinn", "Klaipėda", "Rostock", "Turku", "Malmö", "Aarhus"]
CUES = ["said", "told reporters", "warned", "added", "insisted"]


def base_texts(limit: int = 3000) -> list[tuple[str, str, str]]:
    """Return (source, title, text) of real articles to perturb: the sample corpus and, if present, shared data."""
    from storyline.model import Article
    from storyline.read import read_paths
    from storyline.settings import Settings

    texts = [
        (a.source or "Sample Wire", a.title, a.text)
        for a in read_paths([REPO / "examples" / "corpus"], Settings(db_url="sqlite://"))
        if isinstance(a, Article) and len(a.text) > 200
    ]
    corpus = SHARED / "corpora" / "ukraine2022" / "news_gdelt_2022.jsonl"
    if corpus.exists():
        with corpus.open(encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                if isinstance(record.get("text"), str) and len(record["text"]) > 200:
                    texts.append((record.get("source") or "GDELT", record.get("title") or "", record["text"][:6000]))
                if len(texts) >= limit:
                    break
    return texts


def build_store(url: str, n_articles: int, seed: int = 7) -> None:
    """Write `n_articles` perturbed articles in stories of 3 to 25, with entities and statements."""
    from storyline.store import Store
    from storyline.store.schema import (
        ArticleRow,
        EntityMentionRow,
        EntityRow,
        StatementRow,
        StoryRow,
        TimeExpressionRow,
    )
    from storyline.store.search import ensure_search_index

    rng = random.Random(seed)
    pool = base_texts()
    people = [f"{f} {last}" for f in FIRST for last in LAST]
    store = Store(url)
    entity_ids: dict[tuple[str, str], str] = {}
    entity_articles: dict[str, int] = {}

    def entity(name: str, kind: str) -> str:
        key = (name, kind)
        if key not in entity_ids:
            entity_ids[key] = f"E{len(entity_ids) + 1:06d}"
        entity_articles[entity_ids[key]] = entity_articles.get(entity_ids[key], 0) + 1
        return entity_ids[key]

    written, story_no = 0, 0
    started = time.perf_counter()
    while written < n_articles:
        with store.session.begin() as session:
            for _ in range(50):
                story_no += 1
                story_id = f"s{story_no:06d}"
                size = min(rng.randint(3, 25), n_articles - written)
                if size <= 0:
                    break
                first_day = 738000 + rng.randint(0, 700)
                cast = rng.sample(people, 3)
                orgs = rng.sample(ORGS, 2)
                place = rng.choice(PLACES)
                source_names = set()
                days = []
                session.add(StoryRow(id=story_id, headline="", article_count=0))
                session.flush()
                for k in range(size):
                    source, title, body = rng.choice(pool)
                    source = f"{source} {rng.randint(1, 40)}"
                    source_names.add(source)
                    day = _day(first_day + rng.randint(0, 20))
                    days.append(day)
                    speaker = cast[k % 3]
                    quote = f"We counted {rng.randint(2, 9000)} cases in {place} and we will act"
                    lead = (
                        f"{speaker} of the {orgs[0]} met the {orgs[1]} in {place} on Monday. "
                        f"\"{quote},\" {speaker} {rng.choice(CUES)}.\n"
                    )
                    text = lead + _perturb(body, rng)
                    article_id = f"bench/{story_id}/{k}"
                    session.add(
                        ArticleRow(
                            id=article_id, source=source, date=day, date_source="metadata",
                            lang=rng.choice(["en"] * 9 + ["de"]), title=f"{place}: {title}"[:300],
                            text=text, origin="benchmark", content_hash=f"{story_id}-{k}",
                            story_id=story_id, url=f"https://news.example/{story_id}/{k}",
                        )
                    )
                    session.flush()
                    spans = [(speaker, "PERSON"), (orgs[0], "ORG"), (orgs[1], "ORG"), (place, "GPE")]
                    for name, kind in spans:
                        start = text.index(name)
                        session.add(
                            EntityMentionRow(
                                article_id=article_id, text=name, label=kind, start=start,
                                end=start + len(name), entity_id=entity(name, kind),
                            )
                        )
                    start = text.index(quote)
                    session.add(
                        StatementRow(
                            article_id=article_id, story_id=story_id, speaker=speaker,
                            speaker_mention=speaker, entity_id=entity_ids[(speaker, "PERSON")],
                            cue="said", content=quote, start=start, end=start + len(quote),
                            direct=True, said_on=day, said_on_source="article date",
                        )
                    )
                    monday = text.index("Monday")
                    session.add(
                        TimeExpressionRow(
                            article_id=article_id, text="Monday", start=monday, end=monday + 6,
                            type="DATE", value=day,
                        )
                    )
                written += size
                session.query(StoryRow).filter(StoryRow.id == story_id).update(
                    {
                        "headline": f"{place}: {cast[0]} and the {orgs[0]}",
                        "article_count": size,
                        "source_count": len(source_names),
                        "first_date": min(days),
                        "last_date": max(days),
                    }
                )
    with store.session.begin() as session:
        for (name, kind), entity_id in entity_ids.items():
            session.add(
                EntityRow(id=entity_id, name=name, type=kind, aliases=json.dumps([name]),
                          roles="[]", article_count=entity_articles[entity_id])
            )
    ensure_search_index(store.engine)  # one rebuild over everything written
    store.close()
    print(f"built {written} articles in {story_no} stories, {len(entity_ids)} entities "
          f"in {time.perf_counter() - started:.0f} s")


def _day(ordinal: int) -> str:
    from datetime import date

    return date.fromordinal(ordinal).isoformat()


def _perturb(text: str, rng: random.Random) -> str:
    """Return the text with numbers changed and a few words swapped, so articles differ."""
    words = text.split(" ")
    for i, word in enumerate(words):
        if word.isdigit():
            words[i] = str(int(word) + rng.randint(1, 50))
        elif word[:1].isupper() and rng.random() < 0.05:
            words[i] = rng.choice(LAST)
    return " ".join(words)


def measure(base: str, paths: list[str], concurrency: int) -> list[float]:
    """Return the latency in ms of each GET, made by `concurrency` clients."""

    def one(path: str, client: httpx.Client) -> float:
        started = time.perf_counter()
        response = client.get(base + path)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"{path}: {response.status_code} {response.text[:200]}")
        return elapsed

    chunks = [paths[i::concurrency] for i in range(concurrency)]

    def worker(chunk: list[str]) -> list[float]:
        with httpx.Client(timeout=30) as client:
            return [one(path, client) for path in chunk]

    with ThreadPoolExecutor(concurrency) as pool:
        return [t for times in pool.map(worker, chunks) for t in times]


def percentile(values: list[float], q: float) -> float:
    """Return the q-th percentile (0-100) by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200, help="per endpoint and mode")
    parser.add_argument("--db", help="reuse (or build) the store at this SQLAlchemy URL")
    parser.add_argument(
        "--no-cache", action="store_true", help="serve every request from the database"
    )
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="desk-bench-")
    url = args.db or f"sqlite:///{workdir}/bench.db"
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        has_rows = connection.execute(
            text("SELECT count(*) FROM sqlite_master WHERE name = 'articles'")
        ).scalar() and connection.execute(text("SELECT count(*) FROM articles")).scalar()
    engine.dispose()
    if not has_rows:
        build_store(url, args.articles)

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, uvicorn; from storyline.desk import create_app; "
         "uvicorn.run(create_app(sys.argv[1], cache=sys.argv[3] == 'on'), host='127.0.0.1', "
         "port=int(sys.argv[2]), log_level='warning', access_log=False)",
         url, str(port), "off" if args.no_cache else "on"],
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base + "/api/stories?limit=1", timeout=2)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the desk did not start") from None
                time.sleep(0.2)
        stories = httpx.get(base + "/api/stories?limit=100").json()
        story_ids = [s["id"] for s in stories["items"]]
        people = httpx.get(base + "/api/entities?type=PERSON&limit=100").json()["items"]
        rng = random.Random(3)
        words = ["minister", "harbour", "police", "storm", "troops", "ferry", "union", "budget",
                 "Riga", "ceasefire", "protest", "Kowalski", "power cuts", "court ruling"]
        n = args.requests
        endpoints = {
            "story list /": [f"/?page={rng.randint(1, 20)}" for _ in range(n)],
            "story list filtered": [f"/?q={rng.choice(words)}&lang=en" for _ in range(n)],
            "story /stories/{id}": [f"/stories/{rng.choice(story_ids)}" for _ in range(n)],
            "entity /entities/{id}": [f"/entities/{rng.choice(people)['id']}" for _ in range(n)],
            "search /search?q=": [f"/search?q={rng.choice(words)}" for _ in range(n)],
            "api /api/search": [f"/api/search?q={rng.choice(words)}" for _ in range(n)],
        }
        for paths in endpoints.values():  # warm caches once
            measure(base, paths[:5], 1)
        cache = "off" if args.no_cache else "on (the request mix repeats URLs, as readers do)"
        print(f"one uvicorn process, {os.cpu_count()} cores, response cache {cache}")
        print(f"{'endpoint':26} {'mode':>14} {'n':>5} {'p50 ms':>8} {'p95 ms':>8}")
        for concurrency in (1, 20):
            for name, paths in endpoints.items():
                times = measure(base, paths, concurrency)
                mode = "sequential" if concurrency == 1 else f"{concurrency} clients"
                print(f"{name:26} {mode:>14} {len(times):5d} {statistics.median(times):8.1f} "
                      f"{percentile(times, 95):8.1f}")
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
