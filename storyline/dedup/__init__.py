"""Deduplicate: exact copies are stored once; near-duplicates are linked to their original."""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from datasketch import LeanMinHash, MinHash, MinHashLSH

from storyline.model import Article
from storyline.settings import Settings

_TRACKING_PARAMS = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|yclid|_ga|_gl|ref|ref_src|"
    r"cmpid|ocid|smid|sr_share|share|src|at_\w+|ito|guccounter|mbid)$",
    re.IGNORECASE,
)
_WORD = re.compile(r"\w+")


def canonical_url(url: str | None) -> str | None:
    """Return the URL without tracking parameters, fragment, `www.`, default port or final slash.

    Two URLs with the same canonical form name the same article.
    """
    if not url or not re.match(r"^https?://", url.strip(), re.IGNORECASE):
        return None
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    query = sorted((k, v) for k, v in query if not _TRACKING_PARAMS.match(k))
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(("https", host, path, urlencode(query), ""))


def content_hash(text: str) -> str:
    """Return a hash of the text that ignores case, punctuation and spacing."""
    words = _WORD.findall(text.casefold())
    return hashlib.sha256(" ".join(words).encode()).hexdigest()


def minhash_of(text: str, settings: Settings) -> LeanMinHash:
    """Return the MinHash of the text's word shingles (`settings.shingle_words` words each)."""
    words = _WORD.findall(text.casefold())
    size = settings.shingle_words
    shingles = {" ".join(words[i : i + size]) for i in range(max(1, len(words) - size + 1))}
    minhash = MinHash(num_perm=settings.minhash_permutations)
    minhash.update_batch([shingle.encode() for shingle in shingles])
    return LeanMinHash(minhash)


def identify(article: Article) -> Article:
    """Return the article with its content hash and canonical URL: what names an exact copy."""
    return replace(
        article, content_hash=content_hash(article.text), canonical_url=canonical_url(article.url)
    )


def fingerprint(article: Article, settings: Settings) -> Article:
    """Return the article with its serialised MinHash: what finds a near-duplicate (~1 ms)."""
    minhash = minhash_of(article.title + "\n" + article.text, settings)
    return replace(article, minhash=serialize_minhash(minhash))


class NearDuplicateIndex:
    """A MinHash LSH index of stored articles that finds an article's original.

    The LSH bands are tuned by datasketch for `settings.minhash_threshold`; a candidate counts
    only when its estimated Jaccard similarity (standard error about 1/sqrt(permutations)) is at
    least the threshold. A query costs O(bands) hash look-ups, whatever the index size.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lsh = MinHashLSH(
            threshold=settings.minhash_threshold, num_perm=settings.minhash_permutations
        )
        self._hashes: dict[str, LeanMinHash] = {}

    def __len__(self) -> int:
        return len(self._hashes)

    def add(self, article_id: str, signature: bytes) -> None:
        """Index one article's signature (as stored in `Article.minhash`)."""
        if article_id in self._hashes:
            return
        minhash = self._from_bytes(signature)
        self._lsh.insert(article_id, minhash)
        self._hashes[article_id] = minhash

    def find_original(self, signature: bytes) -> tuple[str, float] | None:
        """Return (id, estimated Jaccard) of the most similar indexed article over the threshold."""
        minhash = self._from_bytes(signature)
        best: tuple[str, float] | None = None
        for candidate in self._lsh.query(minhash):
            similarity = minhash.jaccard(self._hashes[candidate])
            if similarity >= self.settings.minhash_threshold and (
                best is None or similarity > best[1]
            ):
                best = (candidate, similarity)
        return best

    def _from_bytes(self, signature: bytes) -> LeanMinHash:
        return LeanMinHash.deserialize(signature)


def serialize_minhash(minhash: LeanMinHash) -> bytes:
    """Return the MinHash as bytes (seed, permutation scheme and hash values) for the store."""
    buffer = bytearray(minhash.bytesize())
    minhash.serialize(buffer)
    return bytes(buffer)
