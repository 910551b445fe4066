"""The fault suite's tally: cases tried, crashes caught and records lost, per suite.

Fault tests call `record` once per case they run; `tests/conftest.py` prints `summary_lines()`
at the end of the run, so `make test` shows what the suite tried and what it found.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Tally:
    """What one suite tried and found."""

    cases: int = 0
    crashes: int = 0  # exceptions that escaped the code under test
    lost: int = 0  # input records that became neither an article nor a named problem

    def describe(self) -> str:
        """Return the tally as words: "60 cases, 0 crashes, 0 records lost"."""
        return f"{self.cases} cases, {self.crashes} crashes, {self.lost} records lost"


TALLIES: dict[str, Tally] = {}


def record(suite: str, cases: int, crashes: int = 0, lost: int = 0) -> None:
    """Add the cases tried, crashes caught and records lost to `suite`'s tally."""
    tally = TALLIES.setdefault(suite, Tally())
    tally.cases += cases
    tally.crashes += crashes
    tally.lost += lost


def summary_lines() -> list[str]:
    """Return the total ("fault suite: …") and one line per suite; nothing when nothing ran."""
    if not TALLIES:
        return []
    total = Tally()
    for tally in TALLIES.values():
        total.cases += tally.cases
        total.crashes += tally.crashes
        total.lost += tally.lost
    width = max(len(suite) for suite in TALLIES)
    return [f"fault suite: {total.describe()}"] + [
        f"  {suite:<{width}}  {TALLIES[suite].describe()}" for suite in sorted(TALLIES)
    ]
