"""What two statements share and where they differ: the evidence every statement comparer reads.

Each statement is compared as its `StatementFrame` (`storyline.analyse.frames`): its reported
clause, event, polarity, modality, subject, names and figures. `pair_evidence` measures
directional coverage (how much of the hypothesis the premise supports, words matched by lemma,
synonym group or fuzzy name match: aliases, and spelling variants such as Zelanski = Zelensky),
names on one side only, a subject clash, antonyms ("opened" / "closed"), polarity and modality, and
figures compared by what they count and their approximation. Comparing two frames is O(n·m) in
their words at worst, and near linear through each frame's indexed pool.

`rule_comparison` is the hand-written verdict on that evidence: contradiction needs the two to
be about the same thing (high coverage both ways, no entity the other lacks) and to differ in
polarity, in an antonym, or in a figure. The learned comparer (`storyline.claims.learned`)
decides from the same evidence.
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jellyfish

from storyline.analyse.frames import ENTITY_WEIGHT
from storyline.analyse.lexicon import ALIASES, ANTONYMS, SYNONYM_GROUPS
from storyline.analyse.quantities import quantities_compatible, value_range
from storyline.model import Concept, Quantity, StatementFrame

ENTAILMENT, CONTRADICTION, NEUTRAL = "entailment", "contradiction", "neutral"
LABELS = (ENTAILMENT, CONTRADICTION, NEUTRAL)

_SYNONYMS: dict[str, frozenset[int]] = {}
for _index, _group in enumerate(SYNONYM_GROUPS):
    for _word in _group:
        _SYNONYMS[_word] = _SYNONYMS.get(_word, frozenset()) | {_index}


_OPPOSITES: dict[str, set[str]] = defaultdict(set)  # each word's antonyms, from ANTONYMS' pairs
for _pair in ANTONYMS:
    for _word in _pair:
        _OPPOSITES[_word].update(_pair - {_word} or _pair)


@dataclass(frozen=True)
class ComparerParams:
    """How statements are compared; the rules' thresholds were set on the first half of the dev set only."""

    entail_coverage: float = 0.75  # share of the hypothesis the premise must support
    contradict_coverage: float = 0.6  # of the hypothesis, for the two to be about the same thing
    contradict_coverage_premise: float = 0.4  # of the premise, which may say more
    name_similarity: float = 0.85  # Jaro-Winkler above which two names are one spelling apart
    method: str = "learned"  # "learned" (storyline.claims.learned) or "rules" (rule_comparison)
    weights: Path | None = None  # the learned comparer's weights (None: those shipped)
    cross_encoder: Path | None = None  # the folder of the cross-encoder it reads (None: the one shipped)


@dataclass(frozen=True)
class Comparison:
    """The relation of a hypothesis to a premise, how alike they are (0..1), and why."""

    label: str  # "entailment", "contradiction" or "neutral"
    score: float
    reasons: tuple[str, ...] = ()
    confidence: float | None = None  # the learned comparer's probability of `label`; None from rules
    confident: bool = True  # whether the label is sure enough to found a verdict on

    def conflict_reason(self) -> str:
        """Return the evidence of a conflict in words, with the confidence where there is one."""
        found = next((r for r in reversed(self.reasons) if r.startswith(_CONFLICT_EVIDENCE)), self.reasons[-1])
        return found if self.confidence is None else f"{found} (confidence {self.confidence:.2f})"


# The reasons that show two statements conflict, as `pair_evidence` and the rules word them.
_CONFLICT_EVIDENCE = ("polarity differs", "opposite words", "figure differs", "number differs", "different subject")


# -- comparing two frames ----------------------------------------------------------------------


@lru_cache(maxsize=1 << 16)
def _names_match(a: str, b: str, similarity: float) -> bool:
    """Return whether two entity keys name the same thing (alias, spelling variant, or one word shared).

    Spelling variants: words of five letters or more with the same first letter whose
    Jaro-Winkler similarity reaches `similarity`. Cached: a story's statements name the same few
    entities over and over.
    """
    if a == b:
        return True
    words_a, words_b = a.split(), b.split()
    if not words_a or not words_b:  # a name that folded to nothing ("'s", a stray quote)
        return False
    for word_a in words_a:
        for word_b in words_b:
            if word_a == word_b and len(word_a) > 3:
                return True
            if (
                len(word_a) >= 5
                and len(word_b) >= 5
                and word_a[0] == word_b[0]
                and _spelling_similarity(word_a, word_b) >= similarity
            ):
                return True
    return ALIASES.get(words_a[-1], words_a[-1]) == ALIASES.get(words_b[-1], words_b[-1])


@lru_cache(maxsize=1 << 16)
def _spelling_similarity(a: str, b: str) -> float:
    return jellyfish.jaro_winkler_similarity(a, b)


class _NameIndex:
    """Keys indexed so that `matches(key, similarity)` answers `any(_names_match(key, k, ...))`.

    Equal to that loop over every key, at the cost of a few set lookups: shared words and
    aliases are looked up in sets, and spellings compared only with words of the same first
    letter.
    """

    def __init__(self, keys: Iterable[str]) -> None:
        self.keys: set[str] = set()
        self.long_words: set[str] = set()  # words of more than three letters
        self.by_initial: dict[str, set[str]] = defaultdict(set)  # words of five letters or more
        self.aliases: set[str] = set()
        for key in keys:
            self.keys.add(key)
            words = key.split()
            for word in words:
                if len(word) > 3:
                    self.long_words.add(word)
                if len(word) >= 5:
                    self.by_initial[word[0]].add(word)
            if words:
                self.aliases.add(ALIASES.get(words[-1], words[-1]))

    def matches(self, key: str, similarity: float) -> bool:
        """Return whether `key` names what one of the indexed keys does."""
        if key in self.keys:
            return True
        words = key.split()
        for word in words:
            if len(word) > 3 and word in self.long_words:
                return True
            if len(word) >= 5 and any(
                _spelling_similarity(word, other) >= similarity for other in self.by_initial.get(word[0], ())
            ):
                return True
        return bool(words) and ALIASES.get(words[-1], words[-1]) in self.aliases


class _Pool:
    """Concepts that a statement's concepts are looked up in, indexed for `_coverage`."""

    def __init__(self, concepts: Sequence[Concept]) -> None:
        self.concepts = concepts
        self.words = {c.key for c in concepts if not c.entity}
        self.groups = frozenset().union(*(_SYNONYMS.get(word, ()) for word in self.words))
        self.everything = _NameIndex(c.key for c in concepts)
        self.names = _NameIndex(c.key for c in concepts if c.entity)
        self._answers: dict[tuple[str, bool, float], bool] = {}

    def has(self, concept: Concept, similarity: float) -> bool:
        """Return whether `_concepts_match` holds between `concept` and one of the pool's.

        Remembered per key: a founding statement's pool is asked about many statements' words.
        """
        asked = (concept.key, concept.entity, similarity)
        found = self._answers.get(asked)
        if found is None:
            if concept.entity:
                found = self.everything.matches(concept.key, similarity)
            else:
                found = (
                    concept.key in self.words
                    or not self.groups.isdisjoint(_SYNONYMS.get(concept.key, ()))
                    or self.names.matches(concept.key, similarity)
                )
            self._answers[asked] = found
        return found


# A frame's pool (its concepts and every name it mentions), built once per frame object: one
# statement is compared with many. Keyed by identity, so a lookup costs no hash of the frame.
_POOLS: dict[int, tuple[weakref.ref[StatementFrame], _Pool]] = {}


def _pool(frame: StatementFrame) -> _Pool:
    key = id(frame)
    held = _POOLS.get(key)
    if held is not None and held[0]() is frame:
        return held[1]
    pool = _Pool([*frame.concepts, *_name_concepts(frame.all_entities)])
    _POOLS[key] = (weakref.ref(frame, lambda _, key=key: _POOLS.pop(key, None)), pool)
    return pool


def matching_keys(frame: StatementFrame) -> frozenset[str]:
    """Return keys of which any frame this one can agree or conflict with shares at least one.

    Concepts match by lemma or synonym group, names by a shared word, a common alias or a close
    spelling (same first letter, Jaro-Winkler): each of those leaves one of these keys in common,
    so comparing only frames that share a key loses no match and costs far fewer comparisons.
    """
    keys: set[str] = set()
    for concept in (*frame.concepts, *frame.subject, *((frame.object,) if frame.object else ())):
        if concept.entity:
            words = concept.key.split()
            keys.update(f"w:{word}" for word in words if len(word) > 3)
            keys.update(f"p:{word[0]}" for word in words if len(word) >= 5)
            keys.add(f"a:{ALIASES.get(words[-1], words[-1])}" if words else "a:")
        else:
            keys.add(f"w:{concept.key}")
            keys.update(f"s:{group}" for group in _SYNONYMS.get(concept.key, ()))
    return frozenset(keys)


def _concepts_match(a: Concept, b: Concept, params: ComparerParams) -> bool:
    if a.entity or b.entity:
        return _names_match(a.key, b.key, params.name_similarity)
    if a.key == b.key:
        return True
    return bool(_SYNONYMS.get(a.key, frozenset()) & _SYNONYMS.get(b.key, frozenset()))


def _coverage(target: Sequence[Concept], pool: _Pool, params: ComparerParams) -> tuple[float, list[Concept]]:
    """Return the weighted share of `target` matched in `pool`, and the unmatched concepts.

    As `_concepts_match` against every concept of the pool, looked up in the pool's sets:
    linear in the size of `target`.
    """
    total = sum(c.weight for c in target)
    if not total:
        return 0.0, []
    missing = [c for c in target if not pool.has(c, params.name_similarity)]
    matched = total - sum(c.weight for c in missing)
    return matched / total, missing


def _antonyms(missing_a: Sequence[Concept], missing_b: Sequence[Concept]) -> tuple[str, str] | None:
    """Return a pair of unmatched words, one from each side, that are antonyms."""
    for a in missing_a:
        opposites = _OPPOSITES.get(a.key)
        if opposites:
            for b in missing_b:
                if b.key in opposites:
                    return a.text, b.text
    return None


def _figures(premise: StatementFrame, hypothesis: StatementFrame) -> tuple[list[str], list[str], list[str]]:
    """Return reasons for figures that match, that conflict, and hypothesis figures the premise lacks."""
    agree, conflict, unsupported = [], [], []
    for wanted in hypothesis.quantities:
        verdicts = [(q, quantities_compatible(q, wanted)) for q in premise.quantities]
        comparable = [(q, ok) for q, ok in verdicts if ok is not None]
        if any(ok for _, ok in comparable):
            q = next(q for q, ok in comparable if ok)
            agree.append(f"figure matches: {q.text} ~ {wanted.text}")
        elif comparable:
            q = comparable[0][0]
            conflict.append(f"figure differs: {q.text} vs {wanted.text}")
        elif premise.quantities:
            # Counted nouns worded differently ("people" / "residents"): compare the values; the
            # words around them are compared as concepts.
            near = [q for q in premise.quantities if _ranges_overlap(q, wanted)]
            if near:
                agree.append(f"figure matches: {near[0].text} ~ {wanted.text}")
            else:
                conflict.append(f"figure differs: {premise.quantities[0].text} vs {wanted.text}")
        else:
            unsupported.append(f"figure not in premise: {wanted.text}")
    extra = hypothesis.numbers - premise.numbers
    if extra and premise.numbers - hypothesis.numbers:
        conflict.append(f"number differs: {', '.join(sorted(premise.numbers))} vs {', '.join(sorted(extra))}")
    elif extra:
        unsupported.append(f"number not in premise: {', '.join(sorted(extra))}")
    return agree, conflict, unsupported


def _ranges_overlap(a: Quantity, b: Quantity) -> bool:
    low_a, high_a = value_range(a)
    low_b, high_b = value_range(b)
    return low_a <= high_b and low_b <= high_a


def _name_concepts(keys: Iterable[str]) -> list[Concept]:
    return [Concept(key, ENTITY_WEIGHT, True, key) for key in keys]


def _pronoun_subject(frame: StatementFrame) -> bool:
    return frame.subject_pronoun


def _object_clash(
    premise: StatementFrame, hypothesis: StatementFrame, missing_h: Sequence[Concept], params: ComparerParams
) -> str | None:
    """Return why the two act on different things ("anti-tank weapons" vs "helmets"), if they do."""
    wanted = hypothesis.object
    if wanted is None or wanted.weight < 1.0:
        return None
    if wanted in missing_h:
        return f"object not in premise: {wanted.text}"
    if premise.object is None or not _concepts_match(premise.object, wanted, params):
        return None
    mods_p, mods_h = premise.object_modifiers, hypothesis.object_modifiers
    if mods_p and mods_h and not any(_concepts_match(a, b, params) for a in mods_p for b in mods_h):
        return f"different {wanted.text}: {' '.join(c.text for c in mods_p)} vs {' '.join(c.text for c in mods_h)}"
    return None


def _harmonic(a: float, b: float) -> float:
    return 2 * a * b / (a + b) if a + b else 0.0


@dataclass(frozen=True)
class PairEvidence:
    """What the comparer measured between a premise and a hypothesis: the facts its verdict rests on.

    Pure data read from two frames; both the rules (`rule_comparison`) and the learned comparer
    (`storyline.claims.learned`) decide from it, and its reasons are the evidence the desk shows.
    """

    premise: StatementFrame
    hypothesis: StatementFrame
    cover_h: float  # share of the hypothesis the premise supports (an antonym counts as matched)
    cover_p: float  # share of the premise the hypothesis supports
    score: float  # harmonic mean of the two coverages before any antonym: how alike they are
    missing_h: tuple[Concept, ...]  # hypothesis concepts the premise lacks
    subject_clash: str | None  # "different subject: ..." when both name subjects and none match
    new_names: tuple[str, ...]  # names in the hypothesis that the premise never mentions
    same_event: bool
    agree: tuple[str, ...]  # figures that match
    conflict: tuple[str, ...]  # figures that do not match within their approximation
    unsupported: tuple[str, ...]  # hypothesis figures the premise does not state
    antonym: tuple[str, str] | None
    polarity_differs: bool  # negation differs, an antonym flipping it
    names_apart: bool  # a name on one side only
    about_same: bool  # enough coverage both ways, no name apart: a contradiction is possible
    object_clash: str | None
    coverage_reason: str  # the two coverages before any antonym, in words

    @property
    def polarity_reason(self) -> str:
        return f"polarity differs: '{self.premise.polarity_text}' vs '{self.hypothesis.polarity_text}'"


def pair_evidence(
    premise: StatementFrame, hypothesis: StatementFrame, params: ComparerParams = ComparerParams()
) -> PairEvidence:
    """Return what `premise` and `hypothesis` share and where they differ."""
    # Names in the other side's reporting frame count: "Germany announced it would halt" names
    # who halts.
    pool_p, pool_h = _pool(premise), _pool(hypothesis)
    cover_h, missing_h = _coverage(hypothesis.concepts, pool_p, params)
    cover_p, missing_p = _coverage(premise.concepts, pool_h, params)
    score = round(_harmonic(cover_h, cover_p), 3)
    coverage_reason = f"hypothesis covered {cover_h:.2f}, premise covered {cover_p:.2f}"

    premise_names = [c for c in pool_p.concepts if c.entity]
    if _pronoun_subject(premise):
        # "we have no plans" said by NATO's head: the hypothesis may name who "we" are.
        premise_names += [c for c in hypothesis.subject if c.entity]
        reread = _Pool([*premise.concepts, *hypothesis.subject])
        cover_h = max(cover_h, _coverage(hypothesis.concepts, reread, params)[0])
    new_names = tuple(
        c.text for c in missing_h if c.entity and not any(_concepts_match(c, p, params) for p in premise_names)
    )
    subject_p = [c for c in premise.subject if c.entity]
    subject_h = [c for c in hypothesis.subject if c.entity]
    subject_clash = None
    if subject_p and subject_h and not any(_concepts_match(a, b, params) for a in subject_h for b in subject_p):
        subject_clash = (
            "different subject: "
            f"{' '.join(c.text for c in subject_p)} vs {' '.join(c.text for c in subject_h)}"
        )
    same_event = bool(
        premise.event
        and hypothesis.event
        and _concepts_match(Concept(premise.event, 1, False, ""), Concept(hypothesis.event, 1, False, ""), params)
    )
    agree, conflict, unsupported = _figures(premise, hypothesis)
    antonym = _antonyms(missing_h, missing_p)
    polarity_differs = premise.negated != hypothesis.negated
    # What is contradicted must be the same thing: no name on one side only ("will not send troops
    # to Ukraine" vs "is sending troops to its eastern members").
    names_apart = any(c.entity for c in missing_p) or any(c.entity for c in missing_h)
    if antonym:
        # An antonym matches its counterpart for coverage but flips what is asserted.
        polarity_differs = not polarity_differs
        weight = max(c.weight for c in missing_h if c.text == antonym[0])
        cover_h = min(1.0, cover_h + weight / (sum(c.weight for c in hypothesis.concepts) or 1.0))
        cover_p = min(1.0, cover_p + weight / (sum(c.weight for c in premise.concepts) or 1.0))
    about_same = (
        cover_h >= params.contradict_coverage and cover_p >= params.contradict_coverage_premise and not names_apart
    )
    return PairEvidence(
        premise=premise,
        hypothesis=hypothesis,
        cover_h=cover_h,
        cover_p=cover_p,
        score=score,
        missing_h=tuple(missing_h),
        subject_clash=subject_clash,
        new_names=new_names,
        same_event=same_event,
        agree=tuple(agree),
        conflict=tuple(conflict),
        unsupported=tuple(unsupported),
        antonym=antonym,
        polarity_differs=polarity_differs,
        names_apart=names_apart,
        about_same=about_same,
        object_clash=_object_clash(premise, hypothesis, missing_h, params),
        coverage_reason=coverage_reason,
    )


def rule_comparison(evidence: PairEvidence, params: ComparerParams = ComparerParams()) -> Comparison:
    """Return the hand-written rules' verdict on the evidence, with its reasons."""
    e, premise, hypothesis = evidence, evidence.premise, evidence.hypothesis
    reasons: list[str] = [e.coverage_reason]

    def verdict(label: str, *more: str) -> Comparison:
        return Comparison(label, e.score, tuple([*reasons, *more]))

    if e.subject_clash:
        return verdict(NEUTRAL, e.subject_clash)
    if e.new_names:
        return verdict(NEUTRAL, f"hypothesis names what the premise does not: {', '.join(e.new_names)}")
    if e.same_event:
        reasons.append(f"same predicate: {premise.event}")
    reasons += e.agree
    if e.antonym:
        reasons.append(f"opposite words: '{e.antonym[0]}' vs '{e.antonym[1]}'")
    if e.polarity_differs and e.about_same:
        reasons.append(e.polarity_reason)
        if premise.hedged and not premise.negated:
            # "may send" does not rule out "will not send".
            return verdict(NEUTRAL)
        return verdict(CONTRADICTION)
    if e.conflict and e.about_same:
        return verdict(CONTRADICTION, *e.conflict)
    if e.cover_h < params.entail_coverage:
        return verdict(NEUTRAL, "hypothesis says what the premise does not: " + ", ".join(c.text for c in e.missing_h))
    if e.polarity_differs:
        return verdict(NEUTRAL, e.polarity_reason)
    if e.conflict:
        return verdict(NEUTRAL, *e.conflict)
    if e.unsupported:
        return verdict(NEUTRAL, *e.unsupported)
    if e.object_clash:
        return verdict(NEUTRAL, e.object_clash)
    if premise.hedged and not hypothesis.hedged:
        return verdict(NEUTRAL, f"premise hedged ('{premise.hedge_cue}'), hypothesis firm")
    return verdict(ENTAILMENT, "same subject and predicate, same polarity")
