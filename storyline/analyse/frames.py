"""What a statement asserts, read from a parse: the `StatementFrame` the claims comparer compares.

A frame holds:

* the reported clause (a reporting frame such as "Stoltenberg said" or "according to Kirby" is
  stripped: who said it is the grouping stage's business, not the claim's);
* the event path from the clause head down through control words ("has no plans or intention to
  send", "ruled out sending", "is considering deploying") with its polarity (negations counted
  along the path, negating control words included) and modality (hedged or firm);
* the subject of the event (the agent of a passive), its content words and named entities,
  with aliases (Washington = United States);
* its quantities, from `storyline.analyse.quantities`.

An article's statements are framed from the article's own parse during analysis
(`frame_article`): each content becomes a document of its own tokens, heads outside it cut,
lemmatised, and is read as a statement parsed alone would be; no second parse. `frame_texts`
parses texts alone, for comparisons of bare texts and claims stored before frames were kept.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

import numpy
from spacy.attrs import DEP, HEAD
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from storyline.analyse.lexicon import (
    ALIASES,
    CAPITALS,
    CONTROL,
    HEDGES,
    NEGATING_CONTROL,
    NEGATING_PHRASAL,
    NEGATING_REPORTING,
    NEGATORS,
    PHRASAL,
    REPORTING,
)
from storyline.analyse.nlp import load_pipeline
from storyline.analyse.quantities import find_quantities
from storyline.model import Article, Concept, Quantity, StatementFrame
from storyline.settings import Settings

ENTITY_WEIGHT = 1.5  # a name weighs more than a content word in coverage
_NAME_LABELS = frozenset(["PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "PRODUCT"])
_CONTENT_POS = frozenset(["NOUN", "PROPN", "VERB", "ADJ", "ADV"])
_WEIGHT = {"NOUN": 1.0, "PROPN": 1.0, "VERB": 1.0, "ADJ": 0.5, "ADV": 0.5}
_LIGHT_LEMMAS = frozenset(
    ["be", "have", "do", "get", "make", "take", "time", "also", "still", "currently", "now", "already", "just", "very", "more", "some", "other", "further", "additional", "new", "recent", "today", "yesterday", "tomorrow", "week", "month", "year", "day", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "morning", "evening", "night", "side"]
)


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
                    concepts.append(Concept(key, ENTITY_WEIGHT, True, text))
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
        weight = ENTITY_WEIGHT if is_name or token.pos_ == "PROPN" else _WEIGHT[token.pos_]
        concepts.append(Concept(key, weight, is_name, token.text))
    return concepts


def read_frame(doc: Doc) -> StatementFrame:
    """Return the frame of a statement's own lemmatised `doc` (its first sentence with a verb carries the event)."""
    quantities = find_quantities(doc)
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



def frame_article(article: Article, doc: Doc, settings: Settings) -> Article:
    """Return the article with the frame of each statement and of each sentence stating a figure.

    Read from `doc`, the article's own parse: each span's tokens are copied into a Doc of their
    own and lemmatised; no second parse.
    """
    lemmatize = _lemmatizer(load_pipeline(settings.spacy_candidates()))
    copier = _SpanCopier(doc)

    def frame(start: int, end: int) -> StatementFrame | None:
        own = copier.copy(start, end)
        return read_frame(lemmatize(own)) if own is not None else None

    statements = [replace(s, frame=frame(s.start, s.end)) for s in article.statements]
    figures = {(start, end): frame(start, end) for start, end in figure_sentences(article)}
    return replace(
        article,
        statements=statements,
        figure_frames={span: found for span, found in figures.items() if found is not None},
    )


def figure_sentences(article: Article) -> list[tuple[int, int]]:
    """Return the sentences stating a figure that no statement covers: facts on the outlet's word."""
    covered = [(s.start, s.end) for s in article.statements]
    return [
        (start, end)
        for start, end in article.sentences
        if any(start <= q.start and q.end <= end for q in article.quantities)
        and not any(a < end and start < b for a, b in covered)
    ]


def frame_texts(texts: Sequence[str], settings: Settings | None = None) -> list[StatementFrame]:
    """Return the frame of each text parsed on its own, in one `nlp.pipe` batch with lemmas.

    Costs one parse per text: for comparing bare texts, and for claims stored without frames.
    """
    settings = settings or Settings()
    nlp = load_pipeline(settings.spacy_candidates())
    lemmatize = _lemmatizer(nlp)
    return [
        read_frame(lemmatize(doc)) for doc in nlp.pipe(texts, batch_size=settings.spacy_batch_size)
    ]


class _SpanCopier:
    """Copies spans of one parsed article into Docs of their own; the article is read once."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.attributes = doc._get_array_attrs()
        self.array = doc.to_array(self.attributes)
        self.entities = [(e.start, e.end, e.label) for e in doc.ents]

    def copy(self, start: int, end: int) -> Doc | None:
        """Return the tokens covering characters `start`-`end` as a Doc of their own.

        The parse is kept with every head inside (`_heads_inside`), so a fragment of a sentence
        ("NATO will not send troops" after "he said that") reads as that clause parsed alone; a
        name cut by the span's edge keeps its label. None for an empty span.
        """
        span = self.doc.char_span(start, end, alignment_mode="expand")
        if span is None or not len(span):
            return None
        own = span.as_doc(array_head=self.attributes, array=self.array)
        own.from_array([HEAD, DEP], _heads_inside(span))
        own.ents = [
            Span(own, max(first, span.start) - span.start, min(last, span.end) - span.start, label)
            for first, last, label in self.entities
            if first < span.end and span.start < last
        ]
        return own


def _heads_inside(span: Span) -> numpy.ndarray:
    """Return the span's HEAD and DEP columns with every head inside the span, labels kept.

    A token whose head lies outside joins its nearest ancestor inside. Where none is inside, the
    sentence's token nearest its root (a word before punctuation: the verb of a quotation, not
    its quote mark) becomes the root, and the sentence's other such tokens join it.
    """
    first, last = span.start, span.end
    heads, deps = [], []
    orphans: dict[int, list[Token]] = {}  # the sentence's root -> tokens with no ancestor inside
    for token in span:
        ancestors = [token.head] if token.head.i != token.i else []
        if ancestors and not first <= ancestors[0].i < last:
            ancestors = list(token.ancestors)
        head = next((a for a in ancestors if first <= a.i < last), None)
        heads.append(head.i if head is not None else token.i)
        deps.append(token.dep)
        if head is None:
            orphans.setdefault(ancestors[-1].i if ancestors else token.i, []).append(token)
    root_label = span.doc.vocab.strings.add("ROOT")
    for tokens in orphans.values():
        root = min(tokens, key=lambda t: (sum(1 for _ in t.ancestors), t.is_punct or t.is_space, t.i))
        for token in tokens:
            heads[token.i - first] = root.i
        deps[root.i - first] = root_label
    relative = numpy.array(heads, dtype="int64") - numpy.arange(first, last, dtype="int64")
    return numpy.stack([relative.astype("uint64"), numpy.array(deps, dtype="uint64")], axis=1)


def _lemmatizer(nlp: Language) -> Callable[[Doc], Doc]:
    """Return the pipeline's lemmatizer: the shared loader disables it, as only frames read lemmas."""
    if "lemmatizer" in nlp.component_names:
        return nlp.get_pipe("lemmatizer")
    return lambda doc: doc
