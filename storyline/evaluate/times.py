"""Score the time tagger as TempEval-3 does: extraction (strict and relaxed), type and value F1.

Input is JSON lines, one document a line: `{"id", "date" (creation time), "text", "timexes":
[{"start", "end", "text", "type", "value", "mod"}]}`. Strict match means the same span; relaxed
match means overlapping spans, paired one to one (largest overlap first). Type and value are
scored over relaxed matches, so their F1 is the relaxed F1 times the attribute's accuracy. Value
F1 compares value strings exactly, as TempEval-3's scorer does; "value F1, equivalent values" also
counts spellings of one value as a match (`canonical_value`: P1W = P7D, 1998-W9 = 1998-W09).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from storyline.analyse.timex import find_times
from storyline.model import TimeExpression

# Document id prefixes of the AQUAINT part of the TempEval-3 training data; the rest is TimeBank.
AQUAINT_PREFIXES = ("APW", "NYT", "XIE")
SPLITS = ("all", "timebank", "aquaint")
# Published TempEval-3 test-set figures (UzZaman et al. 2013), to read ours against.
ANCHORS = {
    "HeidelTime": {"relaxed_f1": 0.903, "value_f1": 0.776},
    "SUTime": {"relaxed_f1": 0.903, "value_f1": 0.674},
}


@dataclass(frozen=True)
class TimexScores:
    """Counts from one scoring run; the rates are properties so that runs can be added up."""

    split: str
    documents: int
    gold: int
    system: int
    strict: int  # system spans equal to a gold span
    relaxed: int  # one-to-one overlapping pairs
    type_correct: int  # relaxed pairs with the gold type
    value_correct: int  # relaxed pairs with the gold value, as the same string (TempEval-3)
    value_equivalent: int  # relaxed pairs with a value denoting the same time (`same_value`)
    mod_correct: int  # relaxed pairs with the gold mod (None included)
    seconds: float  # time spent in find_times

    def _f1(self, matched: int) -> tuple[float, float, float]:
        p = matched / self.system if self.system else 0.0
        r = matched / self.gold if self.gold else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    @property
    def strict_prf(self) -> tuple[float, float, float]:
        """Return precision, recall and F1 of extraction with exact spans."""
        return self._f1(self.strict)

    @property
    def relaxed_prf(self) -> tuple[float, float, float]:
        """Return precision, recall and F1 of extraction with overlapping spans."""
        return self._f1(self.relaxed)

    @property
    def type_f1(self) -> float:
        """Return the F1 of relaxed matches that also have the right type."""
        return self._f1(self.type_correct)[2]

    @property
    def value_f1(self) -> float:
        """Return the F1 of relaxed matches whose value is the gold string, as TempEval-3 scores."""
        return self._f1(self.value_correct)[2]

    @property
    def value_equivalent_f1(self) -> float:
        """Return the F1 of relaxed matches whose value denotes the gold time (P1W = P7D)."""
        return self._f1(self.value_equivalent)[2]

    @property
    def type_accuracy(self) -> float:
        """Return the share of relaxed matches whose type is right."""
        return self.type_correct / self.relaxed if self.relaxed else 0.0

    @property
    def value_accuracy(self) -> float:
        """Return the share of relaxed matches whose value is right."""
        return self.value_correct / self.relaxed if self.relaxed else 0.0

    @property
    def mod_accuracy(self) -> float:
        """Return the share of relaxed matches whose mod is right."""
        return self.mod_correct / self.relaxed if self.relaxed else 0.0

    @property
    def docs_per_second(self) -> float:
        """Return how many documents find_times tagged per second."""
        return self.documents / self.seconds if self.seconds else float("inf")


@dataclass(frozen=True)
class _Counts:
    strict: int
    relaxed: int
    type_correct: int
    value_correct: int
    value_equivalent: int
    mod_correct: int


def _pairs(gold: Sequence[dict], system: Sequence[TimeExpression]) -> list[tuple[int, int]]:
    """Return one-to-one (gold index, system index) pairs of overlapping spans, largest first."""
    candidates = []
    for i, g in enumerate(gold):
        for j, s in enumerate(system):
            overlap = min(g["end"], s.end) - max(g["start"], s.start)
            if overlap > 0:
                candidates.append((-overlap, i, j))
    used_gold: set[int] = set()
    used_system: set[int] = set()
    pairs = []
    for _, i, j in sorted(candidates):
        if i in used_gold or j in used_system:
            continue
        used_gold.add(i)
        used_system.add(j)
        pairs.append((i, j))
    return pairs


_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)([YMWDECLHS])")
# Calendar units in months, day units in days, clock units in seconds: exact conversions only.
_MONTHS_PER = {"Y": 12, "E": 120, "C": 1200, "L": 12000, "M": 1}
_DAYS_PER = {"W": 7, "D": 1}
_SECONDS_PER = {"H": 3600, "M": 60, "S": 1}


def canonical_value(value: str | None) -> str | None:
    """Return one spelling of a TIMEX3 value, so that two spellings of one time compare equal.

    Legacy spellings in the TimeBank/AQUAINT gold mean the same as the TimeML 1.2 forms the tagger
    writes: "1998-W9" is week 09, "199X" the decade "199", "19XX" the century "19", "T17" is
    "T17:00", "P1E" (a decade) is "P10Y", "PT1M30S" is "PT90S", "P1W" is "P7D". Approximate
    equivalences ("P1D" against "PT24H", "PXE" against "PXY") stay unequal.
    """
    if not value:
        return value
    value = re.sub(r"^(\d{4})-W(\d)(?!\d)", r"\1-W0\2", value)
    value = re.sub(r"T(\d\d)$", r"T\1:00", value)
    if re.fullmatch(r"\d{3}X|\d{2}XX", value):
        return value.rstrip("X")
    m = re.fullmatch(r"P((?:\d+(?:\.\d+)?[YMWDECL])*)(?:T((?:\d+(?:\.\d+)?[HMS])+))?", value)
    if m is None or value == "P":
        return value
    months = sum(float(n) * _MONTHS_PER[u] for n, u in _DURATION_PART.findall(m.group(1))
                 if u in _MONTHS_PER)  # fmt: skip
    days = sum(float(n) * _DAYS_PER[u] for n, u in _DURATION_PART.findall(m.group(1))
               if u in _DAYS_PER)  # fmt: skip
    seconds = sum(float(n) * _SECONDS_PER[u] for n, u in _DURATION_PART.findall(m.group(2) or ""))
    return f"P{months:g}M{days:g}DT{seconds:g}S"


def same_value(gold: str | None, system: str | None) -> bool:
    """Return True if two TIMEX3 values denote the same time (see `canonical_value`)."""
    return gold == system or canonical_value(gold) == canonical_value(system)


def score_document(gold: Sequence[dict], system: Sequence[TimeExpression]) -> _Counts:
    """Return the match counts of one document's system expressions against its gold ones."""
    gold_spans = {(g["start"], g["end"]) for g in gold}
    strict = sum(1 for s in {(s.start, s.end) for s in system} if s in gold_spans)
    pairs = _pairs(gold, system)
    return _Counts(
        strict=strict,
        relaxed=len(pairs),
        type_correct=sum(1 for i, j in pairs if gold[i]["type"] == system[j].type),
        value_correct=sum(1 for i, j in pairs if gold[i]["value"] == system[j].value),
        value_equivalent=sum(
            1 for i, j in pairs if same_value(gold[i]["value"], system[j].value)
        ),
        mod_correct=sum(1 for i, j in pairs if (gold[i].get("mod") or None) == system[j].mod),
    )


def read_documents(path: Path) -> Iterator[dict]:
    """Yield the documents of a TIMEX3 JSON-lines file, skipping blank lines."""
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def in_split(doc_id: str, split: str) -> bool:
    """Return True if the document belongs to `split` ("all", "timebank" or "aquaint")."""
    if split == "all":
        return True
    aquaint = doc_id.startswith(AQUAINT_PREFIXES)
    if split == "aquaint":
        return aquaint
    if split == "timebank":
        return not aquaint
    raise ValueError(f"unknown split {split!r}; expected one of {', '.join(SPLITS)}")


def score_documents(documents: Iterable[dict], split: str = "all") -> TimexScores:
    """Return the scores of find_times over `documents`, each tagged against its own date."""
    totals = [0] * 9  # docs, gold, system, strict, relaxed, type, value, equivalent, mod
    seconds = 0.0
    for doc in documents:
        started = time.perf_counter()
        system = find_times(doc["text"], doc.get("date"))
        seconds += time.perf_counter() - started
        counts = score_document(doc["timexes"], system)
        for k, n in enumerate(
            (1, len(doc["timexes"]), len(system), counts.strict, counts.relaxed,
             counts.type_correct, counts.value_correct, counts.value_equivalent,
             counts.mod_correct)
        ):  # fmt: skip
            totals[k] += n
    docs, gold, system_n, strict, relaxed, type_ok, value_ok, equivalent, mod_ok = totals
    return TimexScores(split, docs, gold, system_n, strict, relaxed, type_ok, value_ok,
                       equivalent, mod_ok, seconds)  # fmt: skip


def evaluate_times(path: Path, limit: int | None = None, split: str = "all") -> TimexScores:
    """Return TempEval-3 scores of find_times on a TIMEX3 JSON-lines file.

    `split` keeps "timebank" or "aquaint" documents only (by id prefix); `limit` keeps the first
    documents of the split, for a quick run.
    """
    selected = (d for d in read_documents(path) if in_split(str(d.get("id", "")), split))
    if limit is not None:
        selected = (d for k, d in enumerate(selected) if k < limit)
    return score_documents(selected, split)


def format_time_scores(scores: TimexScores | Sequence[TimexScores]) -> str:
    """Return a plain-text table of one or more scoring runs, with the published anchors."""
    runs = [scores] if isinstance(scores, TimexScores) else list(scores)
    rows = [
        ("documents", [f"{s.documents}" for s in runs], ""),
        ("gold / system", [f"{s.gold} / {s.system}" for s in runs], ""),
        ("strict P / R / F1", [_prf(s.strict_prf) for s in runs], ""),
        ("relaxed P / R / F1", [_prf(s.relaxed_prf) for s in runs],
         _anchor("relaxed_f1")),
        ("type F1 (accuracy)", [f"{s.type_f1:.3f} ({s.type_accuracy:.3f})" for s in runs], ""),
        ("value F1 (accuracy)", [f"{s.value_f1:.3f} ({s.value_accuracy:.3f})" for s in runs],
         _anchor("value_f1")),
        ("value F1, equivalent values", [f"{s.value_equivalent_f1:.3f}" for s in runs], ""),
        ("mod accuracy", [f"{s.mod_accuracy:.3f}" for s in runs], ""),
        ("docs per second", [f"{s.docs_per_second:,.0f}" for s in runs], ""),
    ]  # fmt: skip
    header = ("", [s.split for s in runs], "anchors (TempEval-3 test)")
    widths = [max(len(r[1][k]) for r in [*rows, header]) for k in range(len(runs))]
    label_width = max(len(r[0]) for r in rows)
    lines = []
    for label, cells, anchor in [header, *rows]:
        cols = "  ".join(c.rjust(w) for c, w in zip(cells, widths, strict=True))
        lines.append(f"{label.ljust(label_width)}  {cols}  {anchor}".rstrip())
    return "\n".join(lines)


def _prf(prf: tuple[float, float, float]) -> str:
    return " / ".join(f"{x:.3f}" for x in prf)


def _anchor(key: str) -> str:
    return ", ".join(f"{name} {figures[key]:.3f}" for name, figures in ANCHORS.items())
