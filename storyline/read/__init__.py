"""Readers: files and folders in, `Article`s (and `ReadProblem`s) out, streamed."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from storyline.model import ReadProblem
from storyline.read.base import Reader, ReadResult, Source, Unreadable
from storyline.read.feed import FeedReader
from storyline.read.html import HtmlReader
from storyline.read.jsonl import JsonLinesReader
from storyline.read.text import TextReader
from storyline.read.warc import WarcReader
from storyline.settings import Settings

READERS: tuple[Reader, ...] = (
    TextReader(),
    JsonLinesReader(),
    HtmlReader(),
    FeedReader(),
    WarcReader(),
)


def reader_for(path: Path) -> Reader | None:
    """Return the reader for a file by its name's ending, or None when no reader takes it."""
    name = path.name.lower()
    matches = [(len(s), r) for r in READERS for s in r.suffixes if name.endswith(s)]
    return max(matches, key=lambda match: match[0])[1] if matches else None


def iter_sources(paths: Iterable[Path]) -> Iterator[Source | ReadProblem]:
    """Yield every file under `paths` (folders recursively, in name order), lazily."""
    for path in paths:
        if path.is_dir():
            yield from _walk(path, root=path)
        elif path.is_file():
            yield Source(path, root=path.parent)
        else:
            yield ReadProblem(str(path), "no such file or folder")


def _walk(folder: Path, root: Path) -> Iterator[Source]:
    """Yield the files below `folder`, one directory listing in memory at a time."""
    with os.scandir(folder) as entries:
        ordered = sorted(entries, key=lambda entry: entry.name)
    for entry in ordered:
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(Path(entry.path), root)
        elif entry.is_file(follow_symlinks=False):
            yield Source(Path(entry.path), root)


def read_paths(paths: Iterable[Path], settings: Settings) -> Iterator[ReadResult]:
    """Yield the articles in all files under `paths`, and a problem for each unreadable part."""
    for source in iter_sources(paths):
        if isinstance(source, ReadProblem):
            yield source
            continue
        reader = reader_for(source.path)
        if reader is None:
            yield ReadProblem(str(source.path), "not an article file type; ignored", ignored=True)
            continue
        try:
            yield from reader.read(source, settings)
        except Unreadable as problem:
            yield ReadProblem(str(source.path), str(problem))
        except OSError as error:
            yield ReadProblem(str(source.path), f"cannot read: {error.strerror or error}")


__all__ = ["READERS", "Reader", "ReadResult", "Source", "read_paths", "reader_for"]
