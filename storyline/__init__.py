"""Storyline: turn a pile of news articles into stories — who said what, and when.

`from storyline import Storyline` gives the Python API (`storyline.api`); importing the package
alone loads nothing else, so every stage's module stays cheap to import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storyline.api import Storyline


def __getattr__(name: str) -> object:
    if name == "Storyline":
        from storyline.api import Storyline

        return Storyline
    raise AttributeError(f"module 'storyline' has no attribute {name!r}")


__all__ = ["Storyline"]
