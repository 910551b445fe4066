"""Statement comparison: does one statement entail, contradict, or say nothing about another?

The method is transparent and needs no model beyond the spaCy pipeline the project already
loads. Each statement is read into a `StatementFrame`:

* the reported clause (a reporting frame such as "Stoltenberg said" or "according to Kirby" is
  stripped: who said it is the grouping stage's business, not the claim's);
* the event path from the clause head down through control words ("has no plans or intention to
  send", "ruled out sending", "is considering deploying") with its polarity (negations counted
  along the path, negating control words included) and modality (hedged or firm);
* the subject of the event (the agent of a passive), its content words and named entities,
  with aliases (Washington = United States) and spelling variants of names (Zelanski = Zelensky);
* its quantities, from `storyline.analyse.quantities`.

Two frames are compared by directional coverage: how much of the hypothesis the premise
supports, words matched by lemma, synonym group or fuzzy name match. Contradiction needs the two
to be about the same thing (high coverage both ways, no entity the other lacks) and to differ in
polarity, in an antonym ("opened" / "closed"), or in a figure that does not match within its
approximation. Costs one parse per statement; comparing two frames is O(n·m) in their words.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import jellyfish
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from storyline.analyse.nlp import load_pipeline
from storyline.analyse.quantities import find_quantities, quantities_compatible, value_range
from storyline.claims.lexicon import (
    ALIASES,
    ANTONYMS,
    CAPITALS,
    CONTROL,
    HEDGES,
    NEGATING_CONTROL,
    NEGATING_PHRASAL,
    NEGATING_REPORTING,
    NEGATORS,
    PHRASAL,
    REPORTING,
    SYNONYM_GROUPS,
)
from storyline.model import Quantity
from storyline.settings import Settings

ENTAILMENT, CONTRADICTION, NEUTRAL = "entailment", "contradiction", "neutral"
LABELS = (ENTAILMENT, CONTRADICTION, NEUTRAL)

_NAME_LABELS = frozenset(["PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "PRODUCT"])
_CONTENT_POS = frozenset(["NOUN", "PROPN", "VERB", "ADJ", "ADV"])
_WEIGHT = {"NOUN": 1.0, "PROPN": 1.0, "VERB": 1.0, "ADJ": 0.5, "ADV": 0.5}
_ENTITY_WEIGHT = 1.5
_LIGHT_LEMMAS = frozenset(
    ["be", "have", "do", "get", "make", "take", "time", "also", "still", "currently", "now", "already", "just", "very", "more", "some", "other", "further", "additional", "new", "recent", "today", "yesterday", "tomorrow", "week", "month", "year", "day", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "morning", "evening", "night", "side"]
)
_SYNONYMS: dict[str, frozenset[int]] = {}
for _index, _group in enumerate(SYNONYM_GROUPS):
    for _word in _group:
        _SYNONYMS[_word] = _SYNONYMS.get(_word, frozenset()) | {_index}


@dataclass(frozen=True)
class ComparerParams:
    """Thresholds of `compare_frames`; defaults were set on the first half of the dev set only."""

    entail_coverage: float = 0.75  # share of the hypothesis the premise must support
    contradict_coverage: float = 0.6  # of the hypothesis, for the two to be about the same thing
    contradict_coverage_premise: float = 0.4  # of the premise, which may say more
    name_similarity: float = 0.85  # Jaro-Winkler above which two names are one spelling apart


@dataclass(frozen=True)
class Comparison:
    """The relation of a hypothesis to a premise, how alike they are (0..1), and why."""

    label: str  # "entailment", "contradiction" or "neutral"
    score: float
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Concept:
    """One content word or named entity of a statement, normalised for matching."""

    key: str  # lemma, or the alias key of an entity ("us", "russia", "zelanski")
    weight: float
    entity: bool
    text: str  # as written, for reasons


@dataclass(frozen=True)
class StatementFrame:
    """What a statement asserts, read from its parse: content, subject, polarity, modality, figures."""

    text: str
    concepts: tuple[Concept, ...]  # of the reported clause
    all_entities: frozenset[str]  # alias keys of every name in the statement, frame included
    subject: tuple[Concept, ...]
    object: Concept | None  # head of what the event acts on: an entailment must match it
    object_modifiers: tuple[Concept, ...]  # its compounds ("gas" supplies)
    numbers: frozenset[str]  # numerals no quantity covers
    subject_pronoun: bool  # "we", "it", "he": whom it stands for is not in the statement
    event: str | None  # lemma of the event at the end of the control path
    negated: bool
    negation_cue: str | None
    hedged: bool
    hedge_cue: str | None
    quantities: tuple[Quantity, ...] = field(default=())

    @property
    def polarity_text(self) -> str:
        """Return the polarity and modality in words, for reasons ("will not", "may")."""
        words = [self.hedge_cue or ""] if self.hedged else []
        words.append(self.negation_cue or "not" if self.negated else "")
        return " ".join(word for word in words if word) or "affirmative"


# -- reading a statement -----------------------------------------------------------------------


def _fold(text: str) -> str:
    """Return `text` lowercased without accents or the stroke of ł, for comparing names."""
    text = text.lower().replace("ł", "l").replace("’", "'")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _entity_key(text: str, actor: bool = False) -> str:
    """Return the alias key of a name ("the Kremlin" -> "russia"; "Moscow" too when `actor`)."""
    folded = _fold(text).strip(" .,'\"")
    folded = folded.removesuffix("'s").strip()
    folded = folded.removeprefix("the ").strip()
    if actor and folded in CAPITALS:
        return CAPITALS[folded]
    return ALIASES.get(folded, folded)


def _is_actor(token: Token) -> bool:
    """Return whether a name stands in an actor's place: subject, possessor, or passive agent."""
    return token.dep_ in ("nsubj", "poss") or (token.dep_ == "pobj" and token.head.dep_ == "agent")


def _lemma(token: Token) -> str:
    """Return the lowercase lemma, phrasal verbs read as one ("going on" -> "continue")."""
    lemma = (token.lemma_ or token.text).lower()
    for child in token.children:
        if child.dep_ == "prt" and (lemma, child.lower_) in PHRASAL:
            return PHRASAL[(lemma, child.lower_)]
    return lemma


def _is_phrasal_negator(token: Token) -> bool:
    particle = NEGATING_PHRASAL.get((token.lemma_ or token.text).lower())
    return particle is not None and any(
        child.dep_ == "prt" and child.lower_ == particle for child in token.children
    )


def _clause_head(sentence: Span) -> tuple[Token, int, set[int]]:
    """Return the head of the reported clause, negations met in the frame, and frame token ids.

    "Stoltenberg said (that) NATO will not send..." -> "send"'s clause; "The Kremlin denied that
    it plans..." adds one negation.
    """
    head = sentence.root
    negations = 0
    frame: set[int] = set()
    while _lemma(head) in REPORTING | NEGATING_REPORTING:
        complements = [c for c in head.children if c.dep_ in ("ccomp", "parataxis") and c.pos_ in ("VERB", "AUX")]
        if not complements:
            break
        if _lemma(head) in NEGATING_REPORTING:
            negations += 1
        frame.add(head.i)
        for child in head.children:
            if child not in complements:
                frame.update(t.i for t in child.subtree)
        head = complements[0]
    # A trailing or embedded "..., Kirby said" or "according to Kirby" is frame too.
    for token in head.subtree:
        if token.dep_ == "parataxis" and _lemma(token) in REPORTING:
            frame.update(t.i for t in token.subtree)
        if token.lower_ == "according" and token.dep_ == "prep":
            frame.update(t.i for t in token.subtree)
    return head, negations, frame


def _control_path(head: Token) -> list[Token]:
    """Return the tokens from the clause head down to the event through control words."""
    path = [head]
    current = head
    while True:
        step = None
        lemma = _lemma(current)
        if lemma in CONTROL or _is_phrasal_negator(current) or lemma in NEGATING_REPORTING:
            for child in current.children:
                if child.dep_ in ("xcomp", "ccomp", "advcl", "pcomp", "acl", "dobj") and child.pos_ in ("VERB", "AUX"):
                    step = child
                    break
                if child.dep_ in ("dobj", "attr", "acomp", "pobj", "prep", "conj") and (
                    _lemma(child) in CONTROL or child.dep_ == "prep"
                ):
                    nested = _verb_below(child)
                    if nested is not None:
                        step = child if _lemma(child) in CONTROL else nested
                        break
        else:
            # "is ready to deploy", "has no plans to send": the control word is a dependant.
            for child in current.children:
                if child.dep_ in ("acomp", "dobj", "attr") and _lemma(child) in CONTROL and _verb_below(child):
                    step = child
                    break
        if step is None or step in path or len(path) > 8:
            return path
        path.append(step)
        current = step


def _verb_below(token: Token) -> Token | None:
    """Return the verb a control noun or adjective governs ("plans to send", "idea of imposing")."""
    for child in token.children:
        if child.dep_ in ("acl", "xcomp", "pcomp", "ccomp", "relcl") and child.pos_ in ("VERB", "AUX"):
            return child
        if child.dep_ in ("prep", "conj"):
            below = _verb_below(child)
            if below is not None:
                return below
    return None


def _negation(path: list[Token]) -> tuple[int, str | None]:
    """Return how many negations govern the event along its control path, and the first cue."""
    count, cue = 0, None
    for token in path:
        lemma = _lemma(token)
        found = None
        # "refused to send" negates "send"; "refused the offer" is the event itself.
        negating = token is not path[-1] and (lemma in NEGATING_CONTROL or _is_phrasal_negator(token))
        if negating:
            found = token.text if lemma not in NEGATING_PHRASAL else f"{token.text} out"
        for child in token.children:
            if child.dep_ == "neg" or (child.lower_ in NEGATORS and child.dep_ in ("det", "advmod", "neg")):
                found = found or _cue_with_aux(token, child)
                count += 1
            # "no troops are returning", "produced no agreement"
            elif child.dep_ in ("nsubj", "nsubjpass", "dobj") and any(
                grand.dep_ == "det" and grand.lower_ == "no" for grand in child.children
            ) and token is path[-1]:
                found = found or f"no {child.text}"
                count += 1
        if negating:
            count += 1
        if token.lower_.startswith("un") and lemma in ("unwilling", "unable"):
            found = found or token.text
        cue = cue or found
    return count, cue


def _cue_with_aux(token: Token, negator: Token) -> str:
    aux = [child.text for child in token.children if child.dep_ in ("aux", "auxpass") and child.i < negator.i]
    return " ".join([*aux[-1:], negator.text])


def _hedge(path: list[Token], clause: Iterable[Token]) -> str | None:
    """Return the word that makes the event possible rather than asserted, if any."""
    for token in path:
        if _lemma(token) in HEDGES:
            return token.text
        for child in token.children:
            if child.dep_ in ("aux", "advmod", "acomp") and _lemma(child) in HEDGES:
                return child.text
    for token in clause:
        if token.dep_ == "advmod" and _lemma(token) in HEDGES and token.head in path:
            return token.text
    return None


def _subject(path: list[Token]) -> list[Token]:
    """Return the tokens of the event's subject: the nearest nsubj up the path, or a passive's agent."""
    for token in reversed(path):
        for child in token.children:
            if child.dep_ == "agent":
                return [t for c in child.children if c.dep_ == "pobj" for t in _head_words(c)]
            if child.dep_ == "nsubj":
                # Compounds name the subject ("Jens Stoltenberg"); adjectives describe it.
                return [t for t in _head_words(child) if t.dep_ != "amod"]
    return []


def _head_words(head: Token) -> list[Token]:
    """Return a noun phrase's head with the words that name it ("Russian troops", "Jens Stoltenberg")."""
    words = [c for c in head.children if c.dep_ in ("compound", "amod", "nmod") and c.i < head.i]
    return [*words, head]


def _object(path: list[Token]) -> list[Token]:
    """Return the head words of what the event acts on: its object, or a passive's subject."""
    event = path[-1]
    for child in event.children:
        if child.dep_ in ("dobj", "nsubjpass"):
            return _head_words(child)
    return []


def _numbers(doc: Doc, quantities: Sequence[Quantity]) -> frozenset[str]:
    """Return numerals the quantity finder did not read ("498 of its soldiers"), dates left out."""
    covered = [(q.start, q.end) for q in quantities]
    return frozenset(
        t.text.replace(",", "")
        for t in doc
        if t.like_num
        and any(c.isdigit() for c in t.text)
        and t.ent_type_ not in ("DATE", "TIME", "ORDINAL")
        and not any(start <= t.idx < end for start, end in covered)
    )


def _concepts(
    tokens: Iterable[Token], skip: set[int], doc: Doc, quantities: Sequence[Quantity] = ()
) -> list[Concept]:
    """Return the content words and names among `tokens`, one concept per entity."""
    concepts: list[Concept] = []
    seen_entities: set[int] = set()
    for token in tokens:
        if token.i in skip:
            continue
        if token.ent_type_ in _NAME_LABELS and token.ent_iob_ in ("B", "I"):
            entity = next((e for e in doc.ents if e.start <= token.i < e.end), None)
            if entity is not None and entity.start not in seen_entities:
                seen_entities.add(entity.start)
                words = [t for t in entity if t.i not in skip and not t.is_stop and not t.is_punct]
                if words:
                    text = " ".join(t.text for t in words)
                    key = _entity_key(text, _is_actor(entity.root))
                    concepts.append(Concept(key, _ENTITY_WEIGHT, True, text))
            continue
        # "US" is not the pronoun "us"; "roughly" in "roughly 8,500 troops" belongs to the figure.
        stop = token.is_stop and not (token.pos_ == "PROPN" and token.text.isupper())
        in_figure = token.pos_ not in ("NOUN", "PROPN", "ADJ") and any(
            q.start <= token.idx < q.end for q in quantities
        )
        if token.pos_ not in _CONTENT_POS or stop or in_figure or token.like_num or token.pos_ == "NUM":
            continue
        lemma = _lemma(token)
        if lemma in _LIGHT_LEMMAS or lemma in NEGATORS or len(lemma) < 2 or not lemma.isascii() and not lemma.isalpha():
            continue
        if not any(c.isalpha() for c in lemma):
            continue
        key = _entity_key(token.text, _is_actor(token)) if token.pos_ == "PROPN" else ALIASES.get(_fold(token.text), lemma)
        is_name = key != lemma  # an alias ("American" -> "us"); other proper nouns weigh more only
        weight = _ENTITY_WEIGHT if is_name or token.pos_ == "PROPN" else _WEIGHT[token.pos_]
        concepts.append(Concept(key, weight, is_name, token.text))
    return concepts


def frame_statement(doc: Doc, quantities: Sequence[Quantity] = ()) -> StatementFrame:
    """Return the frame of one parsed statement (its first sentence with a verb carries the event)."""
    sentences = list(doc.sents) or [doc[:]]
    sentence = next((s for s in sentences if any(t.pos_ in ("VERB", "AUX") for t in s)), sentences[0])
    head, frame_negations, frame = _clause_head(sentence)
    path = _control_path(head)
    negations, negation_cue = _negation(path)
    negations += frame_negations
    clause = [t for s in sentences for t in (s if s != sentence else head.subtree) if t.i not in frame]
    control_ids = {t.i for t in path[:-1]} | {
        c.i for t in path for c in t.children if c.dep_ in ("aux", "auxpass", "neg", "prt")
    }
    hedge_cue = _hedge(path, clause)
    subject_tokens = _subject(path)
    object_tokens = _object(path)
    skip = frame | control_ids
    return StatementFrame(
        text=doc.text,
        concepts=tuple(_concepts(clause, skip, doc, quantities)),
        all_entities=frozenset(
            _entity_key(e.text, _is_actor(e.root)) for e in doc.ents if e.label_ in _NAME_LABELS
        ),
        subject=tuple(_concepts(subject_tokens, skip, doc)),
        object=next(iter(_concepts(object_tokens[-1:], skip, doc)), None),
        object_modifiers=tuple(
            _concepts([t for t in object_tokens[:-1] if t.dep_ == "compound"], skip, doc)
        ),
        numbers=_numbers(doc, quantities),
        subject_pronoun=len(subject_tokens) == 1 and subject_tokens[0].pos_ == "PRON",
        event=_lemma(path[-1]),
        negated=negations % 2 == 1,
        negation_cue=negation_cue,
        hedged=hedge_cue is not None,
        hedge_cue=hedge_cue,
        quantities=tuple(quantities),
    )


def frame_statements(texts: Sequence[str], settings: Settings | None = None) -> list[StatementFrame]:
    """Return the frame of each text, parsed in one `nlp.pipe` batch with lemmas."""
    settings = settings or Settings()
    nlp = load_pipeline(settings.spacy_candidates())
    return [
        frame_statement(doc, find_quantities(doc))
        for doc in _lemmatised(nlp, nlp.pipe(texts, batch_size=settings.spacy_batch_size))
    ]


def _lemmatised(nlp: Language, docs: Iterable[Doc]) -> Iterable[Doc]:
    """Yield `docs` with lemmas: the shared loader disables the lemmatizer, which only we read."""
    lemmatizer = nlp.get_pipe("lemmatizer") if "lemmatizer" in nlp.component_names else None
    for doc in docs:
        yield lemmatizer(doc) if lemmatizer is not None else doc


# -- comparing two frames ----------------------------------------------------------------------


def _names_match(a: str, b: str, params: ComparerParams) -> bool:
    """Return whether two entity keys name the same thing (alias, spelling variant, or one word shared)."""
    if a == b:
        return True
    words_a, words_b = a.split(), b.split()
    for word_a in words_a:
        for word_b in words_b:
            if word_a == word_b and len(word_a) > 3:
                return True
            if (
                len(word_a) >= 5
                and len(word_b) >= 5
                and word_a[0] == word_b[0]
                and jellyfish.jaro_winkler_similarity(word_a, word_b) >= params.name_similarity
            ):
                return True
    return ALIASES.get(words_a[-1], words_a[-1]) == ALIASES.get(words_b[-1], words_b[-1])


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
        return _names_match(a.key, b.key, params)
    if a.key == b.key:
        return True
    return bool(_SYNONYMS.get(a.key, frozenset()) & _SYNONYMS.get(b.key, frozenset()))


def _coverage(
    target: Sequence[Concept], pool: Sequence[Concept], params: ComparerParams
) -> tuple[float, list[Concept]]:
    """Return the weighted share of `target` matched in `pool`, and the unmatched concepts."""
    total = sum(c.weight for c in target)
    if not total:
        return 0.0, []
    missing = [c for c in target if not any(_concepts_match(c, other, params) for other in pool)]
    matched = total - sum(c.weight for c in missing)
    return matched / total, missing


def _antonyms(missing_a: Sequence[Concept], missing_b: Sequence[Concept]) -> tuple[str, str] | None:
    """Return a pair of unmatched words, one from each side, that are antonyms."""
    for a in missing_a:
        for b in missing_b:
            if frozenset((a.key, b.key)) in ANTONYMS:
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
    return [Concept(key, _ENTITY_WEIGHT, True, key) for key in keys]


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


def compare_frames(
    premise: StatementFrame, hypothesis: StatementFrame, params: ComparerParams = ComparerParams()
) -> Comparison:
    """Return whether `premise` entails, contradicts or is neutral to `hypothesis`, with reasons."""
    # Names in the other side's reporting frame count: "Germany announced it would halt" names
    # who halts.
    pool_p = [*premise.concepts, *_name_concepts(premise.all_entities)]
    pool_h = [*hypothesis.concepts, *_name_concepts(hypothesis.all_entities)]
    cover_h, missing_h = _coverage(hypothesis.concepts, pool_p, params)
    cover_p, missing_p = _coverage(premise.concepts, pool_h, params)
    score = round(_harmonic(cover_h, cover_p), 3)
    reasons: list[str] = [f"hypothesis covered {cover_h:.2f}, premise covered {cover_p:.2f}"]

    premise_names = [c for c in pool_p if c.entity]
    if _pronoun_subject(premise):
        # "we have no plans" said by NATO's head: the hypothesis may name who "we" are.
        premise_names += [c for c in hypothesis.subject if c.entity]
    new_names = [
        c.text for c in missing_h if c.entity and not any(_concepts_match(c, p, params) for p in premise_names)
    ]
    subject_p = [c for c in premise.subject if c.entity]
    if _pronoun_subject(premise):
        cover_h = max(cover_h, _coverage(hypothesis.concepts, [*premise.concepts, *hypothesis.subject], params)[0])
    subject_h = [c for c in hypothesis.subject if c.entity]
    if subject_p and subject_h and not any(
        _concepts_match(a, b, params) for a in subject_h for b in subject_p
    ):
        reasons.append(
            "different subject: "
            f"{' '.join(c.text for c in subject_p)} vs {' '.join(c.text for c in subject_h)}"
        )
        return Comparison(NEUTRAL, score, tuple(reasons))
    if new_names:
        reasons.append(f"hypothesis names what the premise does not: {', '.join(new_names)}")
        return Comparison(NEUTRAL, score, tuple(reasons))
    if premise.event and hypothesis.event and _concepts_match(
        Concept(premise.event, 1, False, ""), Concept(hypothesis.event, 1, False, ""), params
    ):
        reasons.append(f"same predicate: {premise.event}")

    agree, conflict, unsupported = _figures(premise, hypothesis)
    reasons += agree
    antonym = _antonyms(missing_h, missing_p)
    polarity_differs = premise.negated != hypothesis.negated
    # What is contradicted must be the same thing: no name on one side only ("will not send troops
    # to Ukraine" vs "is sending troops to its eastern members").
    names_apart = any(c.entity for c in missing_p) or any(c.entity for c in missing_h)

    about_same = (
        cover_h >= params.contradict_coverage
        and cover_p >= params.contradict_coverage_premise
        and not names_apart
    )
    if antonym:
        # An antonym matches its counterpart for coverage but flips what is asserted.
        reasons.append(f"opposite words: '{antonym[0]}' vs '{antonym[1]}'")
        polarity_differs = not polarity_differs
        weight = max(c.weight for c in missing_h if c.text == antonym[0])
        total = sum(c.weight for c in hypothesis.concepts) or 1.0
        cover_h = min(1.0, cover_h + weight / total)
        total_p = sum(c.weight for c in premise.concepts) or 1.0
        cover_p = min(1.0, cover_p + weight / total_p)
        about_same = (
            cover_h >= params.contradict_coverage
            and cover_p >= params.contradict_coverage_premise
            and not names_apart
        )

    if polarity_differs and about_same:
        reasons.append(f"polarity differs: '{premise.polarity_text}' vs '{hypothesis.polarity_text}'")
        if premise.hedged and not premise.negated:
            # "may send" does not rule out "will not send".
            return Comparison(NEUTRAL, score, tuple(reasons))
        return Comparison(CONTRADICTION, score, tuple(reasons))
    if conflict and about_same:
        return Comparison(CONTRADICTION, score, tuple([*reasons, *conflict]))
    if cover_h < params.entail_coverage:
        reasons.append(
            "hypothesis says what the premise does not: " + ", ".join(c.text for c in missing_h)
        )
        return Comparison(NEUTRAL, score, tuple(reasons))
    if polarity_differs:
        reasons.append(f"polarity differs: '{premise.polarity_text}' vs '{hypothesis.polarity_text}'")
        return Comparison(NEUTRAL, score, tuple(reasons))
    if conflict:
        return Comparison(NEUTRAL, score, tuple([*reasons, *conflict]))
    if unsupported:
        return Comparison(NEUTRAL, score, tuple([*reasons, *unsupported]))
    clash = _object_clash(premise, hypothesis, missing_h, params)
    if clash:
        reasons.append(clash)
        return Comparison(NEUTRAL, score, tuple(reasons))
    if premise.hedged and not hypothesis.hedged:
        reasons.append(f"premise hedged ('{premise.hedge_cue}'), hypothesis firm")
        return Comparison(NEUTRAL, score, tuple(reasons))
    reasons.append("same subject and predicate, same polarity")
    return Comparison(ENTAILMENT, score, tuple(reasons))


def compare_statements(
    premise: str,
    hypothesis: str,
    settings: Settings | None = None,
    params: ComparerParams = ComparerParams(),
) -> Comparison:
    """Return whether `premise` entails, contradicts or is neutral to `hypothesis`, with reasons."""
    premise_frame, hypothesis_frame = frame_statements([premise, hypothesis], settings)
    return compare_frames(premise_frame, hypothesis_frame, params)


def compare_pairs(
    pairs: Sequence[tuple[str, str]],
    settings: Settings | None = None,
    params: ComparerParams = ComparerParams(),
) -> list[Comparison]:
    """Return the comparison of each (premise, hypothesis) pair, parsing all texts in one batch."""
    frames = frame_statements([text for pair in pairs for text in pair], settings)
    return [compare_frames(frames[2 * i], frames[2 * i + 1], params) for i in range(len(pairs))]
