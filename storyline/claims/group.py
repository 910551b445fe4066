"""Claims: a thread's statements grouped by what they assert, with verdicts across sources and time.

A thread is one storyline: the stories of its events (a position stated in January and restated
on invasion day, a case and its next hearing). Claims are grouped per thread, so a statement made
again at a later event joins the claim it repeats.

A statement joins a claim when, compared with the claim's founding statement (either way) by the
hand-written rules, it is entailed, contradicted (the same thing asserted the other way, or with
another figure) or very similar: a cheap step a statement takes against every claim of its thread
that shares a word or name. The verdicts, one comparison per pair of a claim's statements, are
given by `GroupParams.comparer` (the learned comparer by default), and only on labels it is
confident of. Verdicts over a claim's statements:

* repeated — the same speaker states it again on a later date;
* confirmed — independent voices agree: two speakers, or two outlets whose reports are not
  copies of one another (a syndicated copy counts as the article it copies);
* changed — the same speaker later says the opposite, another figure, or moves between "will",
  "may" and "will not";
* disputed — different voices say incompatible things within `dispute_window_days` of each other.

The speaker of a reported fact (no speaker) is the outlet. Statements come with their frames,
read from their article's parse; one without (a bare text, a claim stored before frames were kept)
costs a parse. Grouping costs a comparison per pair of statements in a claim (claims are small).
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date
from itertools import combinations
from typing import Any

from storyline.analyse.frames import frame_texts
from storyline.claims.compare import (
    CONTRADICTION,
    ENTAILMENT,
    ComparerParams,
    compare_frames,
    matching_keys,
)
from storyline.claims.cross_encoder import load_cross_encoder
from storyline.model import Concept, Quantity, StatementFrame
from storyline.settings import Settings

REPEATED, CONFIRMED, CHANGED, DISPUTED = "repeated", "confirmed", "changed", "disputed"
_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


@dataclass(frozen=True)
class GroupParams:
    """Options of claim grouping."""

    join_similarity: float = 0.7  # similarity at which a neutral pair still joins one claim
    dispute_window_days: int = 3  # "about the same time" for disputed
    comparer: ComparerParams = field(default_factory=ComparerParams)  # relates a claim's statements
    joiner: ComparerParams = field(default_factory=lambda: ComparerParams(method="rules"))  # finds its claim


@dataclass(frozen=True)
class ClaimInput:
    """One statement to group, with where and when it appeared."""

    statement_id: str
    article_id: str
    story_id: str | None
    source: str | None  # outlet
    speaker: str | None  # canonical; None: the outlet states it as fact
    content: str
    date: str | None  # said_on, else the article's date (ISO or TIMEX3)
    duplicate_of: str | None = None  # of its article
    quantities: tuple[Quantity, ...] = ()
    speaker_id: str | None = None  # the speaker's canonical entity, when resolved
    frame: StatementFrame | None = None  # read from the article's parse; None: parse the content
    thread_id: str | None = None  # the thread of its story; None: the story is a thread alone

    @property
    def thread(self) -> str | None:
        """Return the thread whose claims the statement is grouped with."""
        return self.thread_id or self.story_id

    @property
    def voice_key(self) -> str:
        """Return who asserts it, for comparing voices: the entity, else the name or outlet.

        Names of one person drift as the resolver learns ("Jin Psaki", later "Jen Psaki");
        the entity does not.
        """
        return self.speaker_id or self.voice

    @property
    def voice(self) -> str:
        """Return who asserts it: the speaker, else the outlet."""
        return self.speaker or self.source or "unknown"

    @property
    def report(self) -> str:
        """Return the article this statement's report originates in (the original of a copy)."""
        return self.duplicate_of or self.article_id


@dataclass(frozen=True)
class Verdict:
    """A verdict on a claim, the statements that support it and why."""

    kind: str  # repeated, confirmed, changed, disputed
    statement_ids: tuple[str, ...]
    reason: str


@dataclass
class Claim:
    """Statements of one thread that assert the same thing (or its opposite), with verdicts."""

    id: str
    thread_id: str | None
    statements: list[ClaimInput]
    verdicts: list[Verdict] = field(default_factory=list)

    @property
    def first(self) -> ClaimInput:
        """Return the earliest statement (undated ones last, then by id)."""
        return min(self.statements, key=_order)

    @property
    def text(self) -> str:
        return self.first.content

    @property
    def restatements(self) -> list[ClaimInput]:
        """Return every statement but the first, in date order."""
        first = self.first
        return [s for s in sorted(self.statements, key=_order) if s is not first]

    @property
    def outlets(self) -> list[str]:
        """Return the outlets reporting the claim, syndicated copies included."""
        return sorted({s.source for s in self.statements if s.source})

    def to_record(self) -> dict[str, Any]:
        """Return the claim as JSON-ready data (`from_record` reads it back)."""
        first = self.first
        return {
            "id": self.id,
            "thread_id": self.thread_id,
            "text": first.content,
            "first": {"statement_id": first.statement_id, "speaker": first.voice, "date": first.date,
                      "source": first.source},
            "outlets": self.outlets,
            "statements": [_statement_record(s) for s in self.statements],
            "verdicts": [asdict(v) for v in self.verdicts],
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Claim:
        """Return the claim `to_record` gave (records stored before frames were kept included)."""
        statements = [
            ClaimInput(**{
                **s,
                "quantities": tuple(Quantity(**q) for q in s.get("quantities", ())),
                "frame": _frame_from_record(s["frame"]) if s.get("frame") else None,
            })
            for s in record["statements"]
        ]
        verdicts = [
            Verdict(v["kind"], tuple(v["statement_ids"]), v["reason"]) for v in record["verdicts"]
        ]
        # a record stored before threads were kept names its story, then its own thread
        return cls(record["id"], record.get("thread_id", record.get("story_id")), statements, verdicts)


def _statement_record(statement: ClaimInput) -> dict[str, Any]:
    record = {f.name: getattr(statement, f.name) for f in fields(statement)}
    record["quantities"] = [asdict(q) for q in statement.quantities]
    record["frame"] = _frame_record(statement.frame) if statement.frame else None
    return record


def _frame_record(frame: StatementFrame) -> dict[str, Any]:
    """Return the frame as JSON-ready data, concepts as [key, weight, entity, text] lists."""
    record = {f.name: getattr(frame, f.name) for f in fields(frame)}
    for name in ("concepts", "subject", "object_modifiers"):
        record[name] = [_concept_record(c) for c in record[name]]
    record["object"] = _concept_record(frame.object) if frame.object else None
    record["all_entities"] = sorted(frame.all_entities)
    record["numbers"] = sorted(frame.numbers)
    record["quantities"] = [asdict(q) for q in frame.quantities]
    return record


def _concept_record(concept: Concept) -> list[Any]:
    return [concept.key, concept.weight, concept.entity, concept.text]


def _frame_from_record(record: dict[str, Any]) -> StatementFrame:
    """Return the frame `_frame_record` gave."""
    return StatementFrame(**{
        **record,
        "concepts": tuple(Concept(*c) for c in record["concepts"]),
        "subject": tuple(Concept(*c) for c in record["subject"]),
        "object_modifiers": tuple(Concept(*c) for c in record["object_modifiers"]),
        "object": Concept(*record["object"]) if record["object"] else None,
        "all_entities": frozenset(record["all_entities"]),
        "numbers": frozenset(record["numbers"]),
        "quantities": tuple(Quantity(**q) for q in record["quantities"]),
    })


def _day(value: str | None) -> date | None:
    """Return the calendar day of an ISO date or full TIMEX3 date value, else None."""
    match = _ISO_DAY.match(value or "")
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _order(statement: ClaimInput) -> tuple[int, date, str]:
    day = _day(statement.date)
    return (day is None, day or date.min, statement.statement_id)


def claim_id(statement_id: str) -> str:
    """Return the stable id of the claim a statement founded."""
    return "claim-" + hashlib.sha1(statement_id.encode("utf-8")).hexdigest()[:12]


# -- relations between two statements ----------------------------------------------------------


@dataclass(frozen=True)
class _Relation:
    agree: bool
    conflict: bool
    reason: str


def _relate(a: StatementFrame, b: StatementFrame, params: GroupParams) -> _Relation:
    """Return whether two statements say the same thing, incompatible things, or neither.

    Only a label the comparer is confident of counts (the rules always are).
    """
    forward = compare_frames(a, b, params.comparer)
    backward = compare_frames(b, a, params.comparer)
    for comparison in (forward, backward):
        if comparison.label == CONTRADICTION and comparison.confident:
            return _Relation(False, True, comparison.conflict_reason())
    similar = max(forward.score, backward.score) >= params.join_similarity
    entailed = any(c.label == ENTAILMENT and c.confident for c in (forward, backward))
    if a.hedged != b.hedged and (similar or entailed):
        cue = a.hedge_cue or b.hedge_cue
        return _Relation(False, True, f"modality differs: '{a.polarity_text}' vs '{b.polarity_text}' ({cue})")
    if entailed or similar:
        return _Relation(True, False, "same claim")
    return _Relation(False, False, "unrelated")


def _joins(frame: StatementFrame, founder: StatementFrame, params: GroupParams) -> float | None:
    """Return how strongly a statement belongs to a claim (None: it does not)."""
    forward = compare_frames(founder, frame, params.joiner)
    backward = compare_frames(frame, founder, params.joiner)
    labels = {forward.label, backward.label}
    score = max(forward.score, backward.score)
    if labels & {ENTAILMENT, CONTRADICTION} or score >= params.join_similarity:
        return score
    return None


# -- verdicts -----------------------------------------------------------------------------------


def _verdicts(
    statements: Sequence[ClaimInput], params: GroupParams
) -> list[Verdict]:
    """Return the verdicts on one claim's statements."""
    ordered = sorted(statements, key=_order)
    if params.comparer.method == "learned" and len(ordered) > 1:
        texts = [s.frame.text for s in ordered]
        load_cross_encoder(params.comparer.cross_encoder).prefetch(
            [(a, b) for a in texts for b in texts if a != b]
        )
    verdicts: list[Verdict] = []
    agreeing_with_first = [ordered[0]]
    for a, b in combinations(ordered, 2):
        relation = _relate(a.frame, b.frame, params)
        day_a, day_b = _day(a.date), _day(b.date)
        later = day_a is not None and day_b is not None and day_b > day_a
        ids = (a.statement_id, b.statement_id)
        same_voice = a.voice_key == b.voice_key
        if same_voice and later and relation.agree:
            verdicts.append(Verdict(REPEATED, ids, f"{a.voice} on {a.date} and again on {b.date}"))
        if same_voice and later and relation.conflict:
            verdicts.append(Verdict(CHANGED, ids, f"{a.voice} on {b.date}: {relation.reason}"))
        close = (
            day_a is not None
            and day_b is not None
            and abs((day_b - day_a).days) <= params.dispute_window_days
        )
        if not same_voice and a.report != b.report and close and relation.conflict:
            verdicts.append(Verdict(DISPUTED, ids, f"{a.voice} vs {b.voice}: {relation.reason}"))
        if a is ordered[0] and relation.agree:
            agreeing_with_first.append(b)
    confirmed = _confirmation(agreeing_with_first)
    if confirmed:
        verdicts.append(confirmed)
    return _combined(verdicts)


def _combined(verdicts: Sequence[Verdict]) -> list[Verdict]:
    """Return one verdict per kind and reason, with the statements of all that said it."""
    combined: dict[tuple[str, str], list[str]] = {}
    for verdict in verdicts:
        ids = combined.setdefault((verdict.kind, verdict.reason), [])
        ids.extend(i for i in verdict.statement_ids if i not in ids)
    return [Verdict(kind, tuple(ids), reason) for (kind, reason), ids in combined.items()]


def _confirmation(agreeing: Sequence[ClaimInput]) -> Verdict | None:
    """Return a confirmed verdict when independent voices or reports agree, else None."""
    by_report: dict[str, ClaimInput] = {}
    for statement in agreeing:
        by_report.setdefault(statement.report, statement)
    speakers = {s.voice_key: s.speaker for s in agreeing if s.speaker}  # one per person
    outlets = {s.source for s in by_report.values() if s.source}
    if len(speakers) < 2 and (len(by_report) < 2 or len(outlets) < 2):
        return None
    ids = tuple(s.statement_id for s in by_report.values())
    if len(speakers) >= 2:
        reason = f"stated by {len(speakers)} speakers: {', '.join(sorted(set(speakers.values())))}"
    else:
        reason = f"reported independently by {len(outlets)} outlets: {', '.join(sorted(outlets))}"
    return Verdict(CONFIRMED, ids, reason)


# -- grouping -----------------------------------------------------------------------------------


def _framed(statements: Sequence[ClaimInput], settings: Settings | None) -> list[ClaimInput]:
    """Return the statements, each with a frame: its own, else its content parsed alone.

    Only statements without one cost a parse (and load spaCy); the pipeline's all have one, and
    the frame given here is kept in the claim's record, so a stored statement is parsed once.
    """
    contents = list(dict.fromkeys(s.content for s in statements if s.frame is None))
    if not contents:
        return list(statements)
    parsed = dict(zip(contents, frame_texts(contents, settings), strict=True))
    return [s if s.frame is not None else replace(s, frame=parsed[s.content]) for s in statements]


def _assign(
    claims: list[Claim],
    new: Sequence[ClaimInput],
    params: GroupParams,
) -> set[str]:
    """Add each new statement to its thread's best claim or a new one; return touched claim ids."""
    touched: set[str] = set()
    known = {s.statement_id for claim in claims for s in claim.statements}
    # Founders indexed by the keys a match must share (`matching_keys`), per thread.
    founders: dict[tuple[str | None, str], list[tuple[Claim, StatementFrame]]] = defaultdict(list)
    position: dict[str, int] = {}  # claims are tried in the order they were founded

    def index(claim: Claim, frame: StatementFrame) -> None:
        position[claim.id] = len(position)
        for key in matching_keys(frame):
            founders[claim.thread_id, key].append((claim, frame))

    threads = {statement.thread for statement in new}
    for claim in claims:
        if claim.thread_id in threads:
            founder = next(s for s in claim.statements if claim_id(s.statement_id) == claim.id)
            index(claim, founder.frame)
    for statement in sorted(new, key=_order):
        if statement.statement_id in known:
            continue
        known.add(statement.statement_id)
        frame = statement.frame
        candidates = {
            claim.id: (claim, founder_frame)
            for key in matching_keys(frame)
            for claim, founder_frame in founders.get((statement.thread, key), ())
        }
        best, best_score = None, -1.0
        for claim, founder_frame in sorted(candidates.values(), key=lambda c: position[c[0].id]):
            score = _joins(frame, founder_frame, params)
            if score is not None and score > best_score:
                best, best_score = claim, score
        if best is None:
            best = Claim(claim_id(statement.statement_id), statement.thread, [])
            claims.append(best)
            index(best, frame)
        best.statements.append(statement)
        touched.add(best.id)
    return touched


def group_claims(
    statements: Sequence[ClaimInput],
    settings: Settings | None = None,
    params: GroupParams | None = None,
) -> list[Claim]:
    """Return the claims of the statements, grouped within each thread, with verdicts."""
    return update_claims([], statements, settings, params)


def split_claims(
    claims: Sequence[Claim],
    article_ids: set[str],
    to_story: str,
    to_thread: str,
    settings: Settings | None = None,
) -> tuple[list[Claim], list[ClaimInput]]:
    """Return the claims regrouped without the statements of `article_ids`, and those statements
    relabelled as story `to_story`'s, of thread `to_thread` (an article moved to another thread)."""
    staying = [s for c in claims for s in c.statements if s.article_id not in article_ids]
    moving = [
        replace(s, story_id=to_story, thread_id=to_thread)
        for c in claims
        for s in c.statements
        if s.article_id in article_ids
    ]
    return (group_claims(staying, settings) if staying else []), moving


def relabelled(claims: Sequence[Claim], article_ids: set[str], to_story: str) -> list[Claim]:
    """Return the claims with the statements of `article_ids` now story `to_story`'s, of the
    same thread (part of a story split off: its claims stay as they are)."""
    return [
        Claim(
            c.id, c.thread_id,
            [replace(s, story_id=to_story) if s.article_id in article_ids else s for s in c.statements],
            c.verdicts,
        )
        if any(s.article_id in article_ids for s in c.statements)
        else c
        for c in claims
    ]


def update_claims(
    existing: list[Claim],
    new: Sequence[ClaimInput],
    settings: Settings | None = None,
    params: GroupParams | None = None,
) -> list[Claim]:
    """Return `existing` with `new` statements added; only the claims they touch are recomputed.

    Claims of other threads come back unchanged (the same objects); a claim keeps its id, the
    hash of the statement that founded it. Statements already in a claim are ignored. Without
    `params`, statements are compared by the comparer `settings` names.
    """
    if params is None:
        chosen = settings or Settings()
        params = GroupParams(
            comparer=ComparerParams(method=chosen.claim_comparer, weights=chosen.claim_comparer_weights)
        )
    threads = {s.thread for s in new}
    claims = [
        Claim(c.id, c.thread_id, list(c.statements), list(c.verdicts)) if c.thread_id in threads else c
        for c in existing
    ]
    held = [claim for claim in claims if claim.thread_id in threads]
    framed = iter(_framed([*(s for c in held for s in c.statements), *new], settings))
    for claim in held:
        claim.statements = [next(framed) for _ in claim.statements]
    touched = _assign(claims, list(framed), params)
    for claim in claims:
        if claim.id in touched:
            claim.verdicts = _verdicts(claim.statements, params)
    return claims
