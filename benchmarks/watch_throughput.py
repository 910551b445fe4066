"""Watch throughput: pages per second fetched, fetched and extracted, and watched into a store.

The sample corpus's articles are written out as HTML pages with an RSS feed listing them all,
and served by the tests' loopback site (tests/loopback_site.py) from a separate process, so the
server does not share the client's interpreter. The per-host delay is off. Measured in the same
process, one page at a time, each side by side with the baseline, a bare `httpx.Client.get` of
the same pages:

- fetch: `HttpFetcher.get` (robots.txt, streaming under the size cap, content-type check);
- fetch + extract: the same, then trafilatura through `article_from_html`;
- watch: one `Watcher.poll` of the feed into a fresh SQLite store (fetch, WARC, extract and the
  whole ingest pipeline), the pipeline loaded beforehand; then a second poll, which finds the
  feed unchanged (304) and fetches nothing.

    .venv/bin/python benchmarks/watch_throughput.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import html
import multiprocessing
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the loopback site lives with the tests

from storyline.fetch.archive import WarcArchive  # noqa: E402
from storyline.fetch.http import HttpFetcher  # noqa: E402
from storyline.fetch.watch import Watcher  # noqa: E402
from storyline.model import Article  # noqa: E402
from storyline.pipeline import Ingestor  # noqa: E402
from storyline.read import read_paths  # noqa: E402
from storyline.read.html import article_from_html  # noqa: E402
from storyline.settings import Settings  # noqa: E402
from storyline.store import Store  # noqa: E402
from tests.loopback_site import LoopbackSite  # noqa: E402


def write_site(folder: Path) -> list[str]:
    """Write each sample article as a page under `folder`, and a feed of them; return the paths."""
    articles = [
        a
        for a in read_paths([REPO / "examples" / "corpus"], Settings(db_url="sqlite://"))
        if isinstance(a, Article) and len(a.text) > 200
    ]
    (folder / "news").mkdir(parents=True)
    paths, items = [], []
    for number, article in enumerate(articles):
        path = f"/news/{number:03d}.html"
        paragraphs = "\n".join(f"<p>{html.escape(p)}</p>" for p in article.text.split("\n") if p.strip())
        title = html.escape(article.title or f"Report {number}")
        (folder / path.lstrip("/")).write_text(
            f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
            f'<meta property="og:site_name" content="{html.escape(article.source or "Sample Wire")}">'
            f"</head><body><nav><a href='/'>Home</a></nav><article><h1>{title}</h1>\n{paragraphs}"
            "</article></body></html>",
            encoding="utf-8",
        )
        items.append(f"<item><title>{title}</title><link>{path}</link></item>")
        paths.append(path)
    (folder / "news" / "feed.rss").write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Sample</title>'
        + "".join(items) + "</channel></rss>",
        encoding="utf-8",
    )
    (folder / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="utf-8")
    return paths


def serve(folder: Path, ports: multiprocessing.Queue, stop: multiprocessing.Event) -> None:
    """Serve `folder` on a loopback port (sent through `ports`) until `stop` is set."""
    with LoopbackSite(folder) as site:
        ports.put(site.base)
        stop.wait()


def rate(pages: int, run: Callable[[], object], repeat: int) -> float:
    """Return pages per second of the best of `repeat` runs."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return pages / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each fetch-only measure (best kept)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        paths = write_site(folder / "site")
        ports: multiprocessing.Queue = multiprocessing.Queue()
        stop = multiprocessing.Event()
        server = multiprocessing.Process(target=serve, args=(folder / "site", ports, stop), daemon=True)
        server.start()
        base = ports.get(timeout=30)
        try:
            measure(base, paths, folder, args.repeat)
        finally:
            stop.set()
            server.join(timeout=10)


def measure(base: str, paths: list[str], folder: Path, repeat: int) -> None:
    """Print each measure's pages per second and its ratio to the bare GET baseline."""
    settings = Settings(db_url=f"sqlite:///{folder / 'watch.db'}", watch_host_delay=0.0)
    urls = [base + path for path in paths]
    with httpx.Client() as client:
        baseline = rate(len(urls), lambda: [client.get(url).content for url in urls], repeat)
    with HttpFetcher(settings) as fetcher:
        fetched = rate(len(urls), lambda: [fetcher.get(url) for url in urls], repeat)

        def fetch_and_extract() -> None:
            for url in urls:
                result = fetcher.get(url)
                article_from_html(result.body, url, url, result.final_url)

        extracted = rate(len(urls), fetch_and_extract, repeat)
    store = Store(settings.db_url)
    ingestor = Ingestor(store, settings)  # spaCy and the embedder load here, outside the timing
    with HttpFetcher(settings) as fetcher:
        watcher = Watcher(store, settings, fetcher, WarcArchive(folder / "warc"), ingestor)
        started = time.perf_counter()
        report = watcher.poll([base + "/news/feed.rss"])
        watched = report.ingest.added / (time.perf_counter() - started)
        started = time.perf_counter()
        again = watcher.poll([base + "/news/feed.rss"])
        second_ms = (time.perf_counter() - started) * 1000
    store.close()
    print(f"{len(urls)} pages of the sample corpus; embedder {settings.embedder_name()}; per-host delay off")
    print(f"{'measure':<44} {'pages/s':>9} {'ratio':>8}")
    for label, value in (
        ("baseline: bare httpx GET", baseline),
        ("fetch (HttpFetcher.get)", fetched),
        ("fetch + extract (trafilatura)", extracted),
        (f"watch: fetch + WARC + ingest ({report.ingest.added} added)", watched),
    ):
        print(f"{label:<44} {value:>9.1f} {value / baseline:>7.3f}x")
    print(f"second poll, feed unchanged (304), {again.pages_fetched} pages fetched: {second_ms:.1f} ms")
    stages = ", ".join(f"{stage} {seconds:.1f} s" for stage, seconds in ingestor.stage_seconds.items())
    print(f"the watch's ingest, per stage: {stages}")


if __name__ == "__main__":
    main()
