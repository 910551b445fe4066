"""The reader protocol and what every reader shares: size limits, decoding and article ids."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from storyline.model import Article, ReadProblem
from storyline.settings import Settings

ReadResult = Article | ReadProblem


@dataclass(frozen=True)
class Source:
    """A file to read, with the folder its article ids are relative to."""

    path: Path
    root: Path

    @property
    def relative(self) -> str:
        """Return the path relative to the root given on the command line, with forward slashes."""
        try:
            return self.path.relative_to(self.root).as_posix()
        except ValueError:
            return self.path.name


class Reader(Protocol):
    """Reads one kind of file into articles, yielding a `ReadProblem` for anything it cannot read."""

    suffixes: tuple[str, ...]

    def read(self, source: Source, settings: Settings) -> Iterator[ReadResult]:
        """Yield the articles in `source`, and a problem for each part that cannot be read."""
        ...


class Unreadable(Exception):
    """Raised when a whole file cannot be read; `read_paths` reports it as a `ReadProblem`."""


def read_bytes(source: Source, settings: Settings) -> bytes:
    """Return the whole file, refusing empty, oversized, UTF-16 and binary files with a clear reason."""
    size = source.path.stat().st_size
    if size == 0:
        raise Unreadable("empty file")
    if size > settings.max_file_bytes:
        raise Unreadable(
            f"file is {describe_size(size)}, over the {describe_size(settings.max_file_bytes)} "
            "limit for one article (split it, or use JSON lines)"
        )
    data = source.path.read_bytes()
    if looks_like_utf16(data[:8192]):
        raise Unreadable("UTF-16 text, not UTF-8 (save the file as UTF-8)")
    if b"\x00" in data[:8192]:
        raise Unreadable("binary file (NUL bytes), not text")
    return data


def looks_like_utf16(head: bytes) -> bool:
    """Return whether the bytes read as UTF-16: a byte-order mark, or NUL in most odd or most
    even places and few others (Latin-script UTF-16 without a mark); binary has NULs anywhere."""
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return True
    pairs = len(head) // 2
    zeros = sorted(head[half::2].count(0) for half in (0, 1))
    return pairs >= 2 and zeros[1] * 4 >= pairs * 3 and zeros[0] * 4 < pairs


def describe_size(size: int) -> str:
    """Return a size in bytes as people read it: "812 bytes", "66 kB", "52 MB"."""
    if size < 1000:
        return f"{size} bytes"
    if size < 1_000_000:
        return f"{size / 1e3:.0f} kB"
    return f"{size / 1e6:.0f} MB"


def decode_utf8(data: bytes) -> str:
    """Return `data` decoded as UTF-8 (a BOM is dropped); the error names the line and column."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        bad = data[error.start : error.start + 1].hex()
        raise Unreadable(
            f"line {line}, column {column}: byte 0x{bad} is not valid UTF-8"
        ) from None
