"""The watcher's state in the store: each feed's validators and health, each page it settled.

Kept in the store rather than in the watching process, so `storyline watch --once` from cron and
a long-running watch behave the same, and a restarted watch fetches nothing it already has.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from storyline.fetch import FetchResult
from storyline.store import Store, _chunks
from storyline.store.schema import FeedRow, FetchedPageRow


@dataclass(frozen=True)
class SettledPage:
    """A page fetched for good: it became an article, or it never will (`note` says why)."""

    canonical_url: str
    url: str
    article_id: str | None
    feed_url: str | None
    fetched_at: datetime
    status: int | None
    note: str | None = None


class FeedState:
    """Reads and writes the `feeds` and `fetched_pages` tables of one store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def feed(self, url: str) -> FeedRow | None:
        """Return the stored state of the feed at `url`, or None before its first poll."""
        with self.store.session() as session:
            return session.get(FeedRow, url)

    def record_poll(self, url: str, result: FetchResult, error: str | None) -> None:
        """Keep what polling the feed gave: new validators on success, a failure count on error.

        `error` is why the poll failed (the fetch's error, or a feed that could not be read);
        the validators are kept only from an answer that was read, so a feed that failed is
        fetched in full next time.
        """
        with self.store.session.begin() as session:
            row = session.get(FeedRow, url) or FeedRow(url=url, failures=0)
            row.last_polled_at = _naive_utc(result.fetched_at)
            row.last_status = result.status
            row.last_error = error
            if error is None:
                row.etag, row.last_modified = result.validators.etag, result.validators.last_modified
                row.failures = 0
            else:
                row.failures = (row.failures or 0) + 1
            session.add(row)

    def unseen(self, canonical_urls: Iterable[str]) -> set[str]:
        """Return which of `canonical_urls` were never settled nor stored as an article's URL."""
        wanted = set(canonical_urls)
        stored = set(self.store.ids_by_canonical_url(wanted))
        with self.store.session() as session:
            for chunk in _chunks(wanted - stored):
                query = select(FetchedPageRow.canonical_url).where(
                    FetchedPageRow.canonical_url.in_(chunk)
                )
                stored.update(session.scalars(query))
        return wanted - stored

    def settle(self, pages: Iterable[SettledPage]) -> None:
        """Record pages as fetched for good, in one transaction (a page settled twice is kept once)."""
        with self.store.session.begin() as session:
            for page in pages:
                session.merge(
                    FetchedPageRow(
                        canonical_url=page.canonical_url,
                        url=page.url,
                        article_id=page.article_id,
                        feed_url=page.feed_url,
                        fetched_at=_naive_utc(page.fetched_at),
                        status=page.status,
                        note=page.note,
                    )
                )


def _naive_utc(moment: datetime) -> datetime:
    """Return `moment` in UTC without a zone, as the store's DateTime columns keep it."""
    return moment.astimezone(UTC).replace(tzinfo=None)
