"""Contradictions made from entailed pairs, the kinds news pairs hold and the NLI sets rarely do.

The public NLI sets teach contradiction mostly from captions ("a man sleeps" / "a man runs"). In
news, a hypothesis contradicts its premise when it gives another figure for the same thing, or
swaps who did what to whom ("Rosneft was sold to Baikalfinansgroup"). From an entailed pair,
`contradictions` writes such hypotheses:

* another figure: a number the hypothesis shares with the premise is changed (a year moves by
  a few years, a count or amount is scaled), so the hypothesis states the premise's fact with
  the wrong figure;
* swapped roles: the two names that are the subject and the object (or the passive's subject
  and its agent) of the hypothesis's main verb trade places, where the verb is not symmetric
  ("met", "married" are);
* negated: "not" after the main verb's first auxiliary ("was sold" → "was not sold"), where the
  hypothesis has no negation yet.

Both are pure functions of the hypothesis's parse and the premise's text; the cross-encoder's
fine-tuning (`storyline.claims.cross_encoder.finetune`) adds them to its training pairs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from spacy.tokens import Doc, Span, Token

# verbs whose subject and object can trade places without changing the fact
SYMMETRIC_LEMMAS = frozenset(
    ["meet", "marry", "talk", "speak", "negotiate", "merge", "ally", "partner", "collide", "tie", "draw", "play", "face", "fight", "join", "resemble", "match", "equal", "border", "neighbour", "neighbor", "date", "divorce", "hug", "kiss", "wed"]
)
_SYMMETRIC_IRREGULAR = frozenset(["met", "spoke", "spoken", "fought", "drew", "drawn", "wed"])
NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC"})
_NUMBER = re.compile(r"^\d{1,3}(?:,\d{3})+$|^\d+(?:\.\d+)?$")


def contradictions(premise: str, hypothesis: Doc) -> Iterator[tuple[str, str]]:
    """Yield (kind, new hypothesis) pairs that contradict the premise its entailed hypothesis follows."""
    figure = another_figure(premise, hypothesis)
    if figure is not None:
        yield "another figure", figure
    swapped = swapped_roles(hypothesis)
    if swapped is not None:
        yield "swapped roles", swapped
    negated_ = negated(hypothesis)
    if negated_ is not None:
        yield "negated", negated_


AUXILIARIES = frozenset(
    ["is", "are", "was", "were", "has", "have", "had", "will", "would", "can", "could", "may", "might", "should", "must", "shall"]
)
NEGATIONS = frozenset(["not", "n't", "no", "never", "nobody", "nothing", "none", "neither", "nor", "without"])


def negated(hypothesis: Doc) -> str | None:
    """Return the hypothesis with "not" after its main verb's first auxiliary, or None."""
    if any(token.lower_ in NEGATIONS for token in hypothesis):
        return None
    root = next((t for t in hypothesis if t.dep_ == "ROOT"), None)
    if root is None:
        return None
    candidates = [root] if root.lower_ in AUXILIARIES else []
    candidates += [c for c in root.children if c.dep_ in ("aux", "auxpass") and c.lower_ in AUXILIARIES]
    if not candidates:
        return None
    first = min(candidates, key=lambda token: token.i)
    end = first.idx + len(first.text)
    return hypothesis.text[:end] + " not" + hypothesis.text[end:]


def another_figure(premise: str, hypothesis: Doc) -> str | None:
    """Return the hypothesis with its first number that the premise also gives changed, or None."""
    for token in hypothesis:
        if not token.like_num or not _NUMBER.match(token.text) or token.text not in premise:
            continue
        changed = _changed_number(token)
        if changed is not None:
            return hypothesis.text[: token.idx] + changed + hypothesis.text[token.idx + len(token.text) :]
    return None


def _changed_number(token: Token) -> str | None:
    """Return another value of the number, in its own style; None for ordinals and tiny counts."""
    text = token.text
    value = float(text.replace(",", ""))
    if text.isdigit() and len(text) == 4 and 1800 <= value <= 2100:  # a year
        return str(int(value) + (3 if int(value) % 2 else -4))
    if value < 2:
        return None
    changed = value * 3 if value < 100 else value * 2.5
    if "." in text:
        return f"{changed:.{len(text.split('.')[1])}f}"
    changed_int = int(round(changed))
    return f"{changed_int:,}" if "," in text else str(changed_int)


def swapped_roles(hypothesis: Doc) -> str | None:
    """Return the hypothesis with the names in its main verb's two roles swapped, or None."""
    root = next((t for t in hypothesis if t.dep_ == "ROOT"), None)
    if root is None or root.pos_ not in ("VERB", "AUX") or _symmetric(root):
        return None
    first = _name_in(hypothesis, [c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")])
    second_heads = [c for c in root.children if c.dep_ in ("dobj", "attr")]
    for preposition in root.children:
        if preposition.dep_ in ("agent", "prep") and preposition.lower_ in ("by", "to"):
            second_heads += [c for c in preposition.children if c.dep_ == "pobj"]
    second = _name_in(hypothesis, second_heads)
    if first is None or second is None or first.text.lower() == second.text.lower():
        return None
    (a, b) = sorted((first, second), key=lambda span: span.start_char)
    text = hypothesis.text
    return text[: a.start_char] + b.text + text[a.end_char : b.start_char] + a.text + text[b.end_char :]


def _symmetric(verb: Token) -> bool:
    """Return whether the verb is one of `SYMMETRIC_LEMMAS`, read from its form where there is no lemma."""
    form = verb.lower_
    if form in _SYMMETRIC_IRREGULAR or (verb.lemma_ or form).lower() in SYMMETRIC_LEMMAS:
        return True
    stems = (form[: -len(suffix)] for suffix in ("ing", "ed", "es", "s", "d") if form.endswith(suffix))
    return any(stem in SYMMETRIC_LEMMAS or stem + "e" in SYMMETRIC_LEMMAS for stem in stems)


def _name_in(doc: Doc, heads: list[Token]) -> Span | None:
    """Return the named entity (or proper-noun phrase) whose root is one of the tokens, if any."""
    for head in heads:
        for entity in doc.ents:
            if entity.label_ in NAME_LABELS and entity.root == head:
                return entity
        if head.pos_ == "PROPN":
            names = [t for t in head.subtree if t.pos_ == "PROPN" and t.i <= head.i]
            return doc[min(t.i for t in names) : head.i + 1]
    return None
