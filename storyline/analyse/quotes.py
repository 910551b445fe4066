"""Who said what: attributed statements (direct, indirect, mixed) from a spaCy parse.

`extract_statements` finds quotation spans from the quote marks, attribution cues from the
dependency parse (a reporting verb with its subject; a verb of belief, intention or evaluation
with a person or organisation as subject; a passive with its agent, "was endorsed by X"; a noun
cue with its source, "X's claim that …"; "according to X"; "NAME:" lines), ties each quotation to
the cue that introduces it, and resolves pronoun and role-description speakers to the person or
organisation named earlier in the same article. Cost: one pass over the tokens plus one over the
entities per statement; no model beyond the parse.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from storyline.model import Statement


def _word_set(words: str) -> frozenset[str]:
    """Return the whitespace-separated words of a word list written as one string."""
    return frozenset(words.split())


# Cue lemmas learned from PolNeAR: verb lemmas heading at least 2 gold cues in the development half
# (even positions in doc_id order) and heading a cue in at least 30% of their occurrences there.
# The threshold was chosen on that half; the other half checks it (see storyline/evaluate/quotes.py).
LEARNED_CUE_LEMMAS = frozenset(
    [
        "accord",
        "accuse",
        "acknowledge",
        "add",
        "admit",
        "agree",
        "announce",
        "appoint",
        "argue",
        "ask",
        "assert",
        "attack",
        "believe",
        "blast",
        "block",
        "brag",
        "call",
        "cite",
        "claim",
        "complain",
        "comprehend",
        "continue",
        "criticize",
        "decide",
        "declare",
        "decline",
        "deliver",
        "demand",
        "denounce",
        "deny",
        "describe",
        "detail",
        "discuss",
        "document",
        "downplay",
        "echo",
        "embrace",
        "emphasize",
        "encourage",
        "endorse",
        "estimate",
        "expect",
        "explain",
        "express",
        "feature",
        "find",
        "highlight",
        "hope",
        "identify",
        "indicate",
        "invoke",
        "issue",
        "judge",
        "liken",
        "link",
        "mention",
        "mock",
        "note",
        "offer",
        "paint",
        "plan",
        "point",
        "praise",
        "press",
        "promise",
        "promote",
        "propose",
        "question",
        "recall",
        "recognize",
        "reference",
        "refuse",
        "reject",
        "report",
        "respond",
        "reveal",
        "rule",
        "say",
        "seek",
        "seem",
        "show",
        "sing",
        "stress",
        "suggest",
        "support",
        "tell",
        "tout",
        "tweet",
        "understand",
        "unleash",
        "unveil",
        "urge",
        "view",
        "vow",
        "warn",
        "weigh",
        "worry",
        "write",
    ]
)
# Common reporting verbs too rare in PolNeAR to pass the threshold above.
REPORTING_LEMMAS = frozenset(
    [
        "emphasize",
        "emphasise",
        "state",
        "claim",
        "insist",
        "reiterate",
        "confirm",
        "assert",
        "contend",
        "maintain",
        "predict",
        "recount",
        "remark",
        "reply",
        "respond",
        "testify",
        "told",
        "urge",
        "complain",
        "concede",
        "observe",
        "caution",
        "announce",
        "tweet",
        "post",
        "write",
    ]
)
# Verbs of communication, cognition, evaluation and intention (after Levin's classes and the
# attribution relations of PolNeAR's guidelines), cues only when their subject is an agent: a
# person, an organisation or a personal pronoun. Those heading a cue in under 30% of at least three
# agent-subject occurrences in the development half are left out (accept, back, campaign,
# commit, consider, feel, target).
ATTITUDE_LEMMAS = _word_set(
    """want wish hope fear worry doubt wonder think believe know realize realise understand assume
    suppose suspect guess reckon conclude decide determine judge regard view deem expect anticipate
    predict forecast estimate calculate plan intend aim seek strive vow pledge promise threaten warn
    caution advise recommend propose suggest demand request beg appeal plead implore order instruct
    invite challenge urge press lobby advocate champion favor favour prefer support endorse oppose
    resist object protest complain lament regret apologize apologise admit concede confess
    acknowledge recognize recognise deny refute rebut counter retort reply answer respond react
    comment remark observe note mention cite quote reference refer describe portray characterize
    characterise depict label brand dub term compare liken equate contrast claim assert maintain
    insist argue contend reason explain clarify elaborate detail outline present unveil announce
    declare proclaim pronounce state report disclose reveal divulge leak confirm verify testify swear
    tweet post write blog publish tell inform notify brief remind signal indicate hint imply
    insinuate criticize criticise condemn denounce slam blast assail lambast chide chastise scold
    rebuke attack hit accuse allege blame credit mock ridicule insult deride dismiss downplay defend
    justify praise applaud hail laud welcome commend thank reassure assure question query dispute
    disagree agree concur learn hear debate discuss address tout boast brag trumpet highlight stress
    emphasize emphasise underscore reiterate repeat echo grant reject refuse decline fault lash decry
    bemoan speculate theorize theorise surmise posit charge"""
)
CUE_LEMMAS = LEARNED_CUE_LEMMAS | REPORTING_LEMMAS
KNOWN_LEMMAS = CUE_LEMMAS | ATTITUDE_LEMMAS
# Verbs that report speech as such: kept as cues even when modal or infinitive ("will say").
SPEECH_LEMMAS = frozenset(
    {
        "say",
        "tell",
        "add",
        "write",
        "tweet",
        "announce",
        "claim",
        "state",
        "insist",
        "argue",
        "warn",
    }
)
# Nouns of statement, plan and belief: cues when they have both a source ("Obama's", "by the
# agency") and a content ("that …", "to …", "about …").
CUE_NOUNS = _word_set(
    """statement statements report reports claim claims charge charges allegation allegations plan
    plans proposal proposals promise promises pledge pledges warning warnings call calls demand
    demands hope hopes belief beliefs view views argument arguments assertion assertions suggestion
    suggestions comment comments remark remarks accusation accusations criticism decision decisions
    threat threats question questions concern concerns fear fears insistence announcement admission
    denial prediction predictions estimate estimates assessment finding findings conclusion
    conclusions vow vows bid complaint complaints message testimony analysis study survey poll
    polls"""
)
AGENT_PRONOUNS = frozenset({"he", "she", "they", "we", "i", "who"})
AGENT_LABELS = frozenset({"PERSON", "ORG", "NORP", "GPE"})

IRREGULAR_FORMS = {
    "said": "say",
    "says": "say",
    "told": "tell",
    "wrote": "write",
    "written": "write",
    "spoke": "speak",
    "spoken": "speak",
    "sang": "sing",
    "sung": "sing",
    "knew": "know",
    "known": "know",
    "thought": "think",
    "found": "find",
    "heard": "hear",
    "saw": "see",
    "seen": "see",
    "felt": "feel",
    "meant": "mean",
    "sought": "seek",
    "understood": "understand",
    "swore": "swear",
    "sworn": "swear",
    "learnt": "learn",
}

# Opening mark -> the closing marks that end it; “ closes „ in German-style quoting, and news
# copy edited in several tools often pairs a straight opening mark with a curly closing one.
OPENERS = {"“": '”"', "„": '“”"', "«": "»", "‘": "’", "‚": "‘’", '"': '"”', "»": "«"}
QUOTE_CHARS = frozenset('“”„«»‘’‚"')
DOUBLE_QUOTES = frozenset('“”„«»"')

PRONOUNS_PERSON = frozenset({"he", "she", "him", "her"})
PRONOUNS_GROUP = frozenset({"they", "it", "we", "them"})
TITLE_WORDS = frozenset(
    [
        "mr",
        "mr.",
        "mrs",
        "mrs.",
        "ms",
        "ms.",
        "miss",
        "dr",
        "dr.",
        "sir",
        "dame",
        "prof",
        "prof.",
        "president",
        "vice",
        "secretary",
        "general",
        "minister",
        "prime",
        "foreign",
        "defence",
        "defense",
        "deputy",
        "chancellor",
        "sen",
        "sen.",
        "senator",
        "rep",
        "rep.",
        "representative",
        "gov",
        "gov.",
        "governor",
        "mayor",
        "chairman",
        "chairwoman",
        "chair",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "ambassador",
        "gen",
        "gen.",
        "lt",
        "lt.",
        "col",
        "col.",
        "adm",
        "adm.",
        "admiral",
        "commander",
        "chief",
        "judge",
        "justice",
        "king",
        "queen",
        "prince",
        "pope",
        "rev",
        "rev.",
        "press",
        "lord",
        "state",
        "attorney",
        "director",
        "councillor",
        "councilor",
        "councilman",
        "councilwoman",
        "commissioner",
        "inspector",
        "sergeant",
        "sgt",
        "sgt.",
        "captain",
        "capt",
        "capt.",
        "major",
        "colonel",
        "lieutenant",
        "professor",
        "chief",
        "executive",
        "ceo",
        "chairperson",
    ]
)
MALE_MARKS = frozenset({"mr", "mr.", "sir", "king", "prince", "spokesman", "chairman", "he", "his"})
FEMALE_MARKS = frozenset(
    {"mrs", "mrs.", "ms", "ms.", "miss", "dame", "queen", "spokeswoman", "chairwoman", "she", "her"}
)
ORG_LABELS = frozenset({"ORG", "GPE", "NORP"})
# Subject dependents that are not part of the speaker's mention.
SPEAKER_SKIP_DEPS = frozenset({"relcl", "punct", "cc", "prep"})
CONTENT_DEPS = ("ccomp", "xcomp", "dobj", "attr")
# Prepositions that introduce what is said or thought about ("warned of", "asked about"), unlike
# those of time and place ("tweeted in the early hours", "spoke at the summit").
TOPIC_PREPOSITIONS = frozenset(
    {"about", "on", "of", "for", "over", "as", "against", "to", "with", "into", "that"}
)
TRIM = " \t\n,;:—–-"
# Nouns that, after "the same", "this" or "that", point at words said elsewhere ("delivered the
# same message", "repeated this position"): the object names no content of its own.
ANAPHORIC_NOUNS = frozenset(
    {"message", "point", "position", "view", "line", "statement", "remark", "comment", "warning",
     "assurance", "assessment", "sentiment", "stance", "argument", "claim", "call", "thing"}
)
ANAPHORIC_DETERMINERS = frozenset({"same", "this", "that", "these", "those", "such", "similar"})
# A paragraph opening with a short name and a colon: transcripts and headlines; transcripts
# quoted whole open with a quote mark ("PENCE: Well, …).
SPEAKER_LINE = re.compile(r"^[ \t]*[\"“]?([A-Z][^\n:.!?\"“”]{0,38}[^\s:]):[ \t]+\S", re.MULTILINE)
# Newsroom labels that open a line with a colon but name no speaker.
LINE_LABELS = _word_set(
    """correction corrections update updated note editor related photo photos video watch listen
    source sources advertisement share tags subscribe read more see also contact email"""
)


@dataclass(frozen=True)
class Quotation:
    """A stretch of text between quote marks (the marks included)."""

    start: int
    end: int
    continues: bool = False  # carries on a quote left open in the previous paragraph
    open_ended: bool = False  # left open at the paragraph's end, carried on in the next


@dataclass
class _Attribution:
    cue: Token
    cue_start: int
    cue_end: int
    speaker: Span | None
    pieces: list[tuple[int, int, bool]]


def extract_statements(doc: Doc) -> list[Statement]:
    """Return the attributed statements of `doc`, content pieces of one attribution in text order.

    A quotation interrupted by its cue ("“A,” he said. “B.”") gives one statement per piece,
    all with the same cue and speaker.
    """
    text = doc.text  # Doc.text joins every token on each access: read it once
    quotations = find_quotations(text)
    attributions = _find_attributions(doc, text, quotations)
    _attach_quotations(doc, text, quotations, attributions)
    names = _NameIndex(doc)
    statements = []
    for attribution in sorted(attributions, key=lambda a: a.cue_start):
        speaker = attribution.speaker
        resolved = names.resolve(speaker) if speaker is not None else None
        cue_text = text[attribution.cue_start : attribution.cue_end]
        for start, end, direct in sorted(set(attribution.pieces)):
            statements.append(
                Statement(
                    speaker_mention=speaker.text if speaker is not None else "",
                    cue=cue_text,
                    content=text[start:end],
                    start=start,
                    end=end,
                    direct=direct,
                    speaker=resolved,
                    speaker_start=speaker.start_char if speaker is not None else None,
                    speaker_end=speaker.end_char if speaker is not None else None,
                    cue_start=attribution.cue_start,
                    cue_end=attribution.cue_end,
                )
            )
    return statements


# --- quotation marks --------------------------------------------------------------------------


def find_quotations(text: str) -> list[Quotation]:
    """Return the top-level quotations of `text`, each within one paragraph.

    A paragraph that opens a quote and never closes it, followed by a paragraph that opens with a
    quote mark, is the classic multi-paragraph quotation: its quotation runs to the paragraph end.
    Apostrophes (’ between letters) are not quote marks.
    """
    quotations: list[Quotation] = []
    paragraphs = list(_paragraphs(text))
    carried = False  # the previous paragraph left a quotation open for this one
    for index, (p_start, p_end) in enumerate(paragraphs):
        found, open_at = _scan_paragraph(text, p_start, p_end)
        opening = _first_char(text, p_start, p_end)
        if open_at is not None:
            nxt = paragraphs[index + 1] if index + 1 < len(paragraphs) else None
            continued = nxt is not None and text[_first_char(text, *nxt)] in OPENERS
            found.append(Quotation(open_at, _last_char(text, p_start, p_end), open_ended=continued))
        else:
            continued = False
        if carried and found and found[0].start == opening:
            found[0] = Quotation(found[0].start, found[0].end, True, found[0].open_ended)
        quotations.extend(q for q in found if q.end - q.start > 1)
        carried = continued
    return quotations


def _paragraphs(text: str) -> Iterator[tuple[int, int]]:
    for match in re.finditer(r"[^\n]+", text):
        if match.group().strip():
            yield match.start(), match.end()


def _first_char(text: str, start: int, end: int) -> int:
    while start < end and text[start].isspace():
        start += 1
    return start


def _last_char(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def _is_apostrophe(text: str, i: int) -> bool:
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    # it’s, ’90s, Jones’ — a single mark touching a letter or digit on the inside
    if text[i] in "’'":
        return (
            before.isalnum()
            and (after.isalnum() or after in "s")
            or (before.isspace() and after.isdigit())
        )
    return False


def _scan_paragraph(text: str, start: int, end: int) -> tuple[list[Quotation], int | None]:
    """Return the closed quotations of one paragraph and where an unclosed one opened."""
    found: list[Quotation] = []
    open_at: int | None = None
    closers = ""
    for i in range(start, end):
        char = text[i]
        if char not in QUOTE_CHARS or _is_apostrophe(text, i):
            continue
        if open_at is None:
            if char in OPENERS and _may_open(text, i):
                open_at, closers = i, OPENERS[char]
        elif char in closers:
            found.append(Quotation(open_at, i + 1))
            open_at = None
    return found, open_at


def _may_open(text: str, i: int) -> bool:
    """Single marks open only after a space or bracket; double marks anywhere."""
    if text[i] in DOUBLE_QUOTES:
        return True
    before = text[i - 1] if i > 0 else " "
    return before.isspace() or before in "([—–-:"


# --- cues and their speakers --------------------------------------------------------------------


def cue_lemma(token: Token) -> str:
    """Return the lemma of a verb token, guessed from its form when the lemmatizer is off."""
    if token.lemma_ and token.lemma_ != token.text:
        return token.lemma_.lower()
    form = token.lower_
    if form in IRREGULAR_FORMS:
        return IRREGULAR_FORMS[form]
    if form in KNOWN_LEMMAS:
        return form
    for candidate in _lemma_candidates(form):
        if candidate in KNOWN_LEMMAS:
            return candidate
    return form


def _lemma_candidates(form: str) -> Iterator[str]:
    for suffix in ("ing", "ed", "es", "s", "d"):
        if form.endswith(suffix) and len(form) > len(suffix) + 2:
            stem = form[: -len(suffix)]
            yield stem
            yield stem + "e"
            if stem.endswith("i"):
                yield stem[:-1] + "y"
            if len(stem) > 2 and stem[-1] == stem[-2]:
                yield stem[:-1]


def _is_cue(token: Token) -> bool:
    if token.pos_ not in ("VERB", "AUX") or token.dep_ in ("amod", "compound"):
        return False
    return cue_lemma(token) in KNOWN_LEMMAS and token.lower_ != "according"


def _is_agent(subject: Token) -> bool:
    """True for a subject that can hold a view: a person, an organisation, a personal pronoun."""
    return (
        subject.lower_ in AGENT_PRONOUNS
        or subject.ent_type_ in AGENT_LABELS
        or subject.pos_ == "PROPN"
    )


def _find_attributions(doc: Doc, text: str, quotations: list[Quotation]) -> list[_Attribution]:
    attributions = []
    for token in doc:
        if (
            token.lower_ == "according"
            and token.i + 1 < len(doc)
            and doc[token.i + 1].lower_ == "to"
        ):
            attribution = _according_to(doc, token)
        elif _inside_closed_quote(token, quotations):
            continue
        elif token.pos_ == "NOUN" and token.lower_ in CUE_NOUNS:
            attribution = _noun_cue(doc, token)
        elif _is_cue(token):
            attribution = _verb_cue(doc, token) or _passive_cue(doc, token) or _agentless_passive(doc, token)
        else:
            continue
        if attribution is not None:
            attributions.append(attribution)
    attributions.extend(_speaker_colon_lines(doc, text))
    return attributions


def _inside_closed_quote(token: Token, quotations: list[Quotation]) -> bool:
    return any(q.start < token.idx < q.end for q in quotations)


def _subject(verb: Token) -> Token | None:
    """Return the subject of `verb`, borrowed from the governing verb for "…, saying" clauses."""
    for child in verb.children:
        if child.dep_ in ("nsubj", "nsubjpass"):
            return None if child.dep_ == "nsubjpass" and verb.lower_ not in ("quoted",) else child
    if verb.dep_ in ("advcl", "xcomp", "conj", "pcomp") and verb.head is not verb:
        head = verb.head
        if head.dep_ == "prep" and head.head is not head:  # "by saying"
            head = head.head
        for child in head.children:
            if child.dep_ == "nsubj":
                return child
    return None


def _speaker_span(doc: Doc, subject: Token) -> Span:
    """Return the subject's mention: its subtree without relative clauses and trailing commas."""
    tokens = [subject]
    for child in subject.children:
        if child.dep_ not in SPEAKER_SKIP_DEPS or (
            child.dep_ == "prep" and child.i < subject.i + 4 and child.lower_ == "of"
        ):
            tokens.extend(child.subtree)
    tokens.sort(key=lambda t: t.i)
    start, end = tokens[0].i, tokens[-1].i + 1
    while end > start + 1 and doc[end - 1].is_punct:
        end -= 1
    return doc[start:end]


def _cue_extent(verb: Token) -> tuple[int, int]:
    """Return the cue's characters: the verb with its adjacent auxiliaries and particles."""
    first = last = verb
    for child in verb.children:
        if child.dep_ in ("aux", "neg") and child.i == first.i - 1:
            first = child
        if child.dep_ == "prt" and child.i == verb.i + 1:
            last = child
    return first.idx, last.idx + len(last)


def _verb_cue(doc: Doc, verb: Token) -> _Attribution | None:
    subject = _subject(verb)
    if subject is None or subject.lower_ in ("that", "which", "who") and subject.i < verb.i - 3:
        return None
    if subject.pos_ == "PRON" and subject.lower_ in ("i", "you") and verb.lower_ not in ("said",):
        return None
    if cue_lemma(verb) not in CUE_LEMMAS and not _is_agent(subject):
        return None
    # Modal and infinitive cues ("could decide", "plans to discuss") are mostly not statements
    # in PolNeAR's development half (a third are); plain speech verbs keep them.
    if _hypothetical(verb) and cue_lemma(verb) not in SPEECH_LEMMAS:
        return None
    content = _content_span(doc, verb)
    cue_start, cue_end = _cue_extent(verb)
    pieces = [content] if content is not None else []
    return _Attribution(verb, cue_start, cue_end, _speaker_span(doc, subject), pieces)


def _hypothetical(verb: Token) -> bool:
    """True for a cue that reports no actual statement: "could decide", "plans to discuss"."""
    return any(
        child.dep_ == "aux" and (child.tag_ == "MD" or child.lower_ == "to")
        for child in verb.children
    )


def _noun_cue(doc: Doc, noun: Token) -> _Attribution | None:
    """Return the attribution of a communication noun with its source and content: "Obama's
    claim that the plan works", "the report by the inspector general on the contracts"."""
    content: list[Token] = []
    source: Token | None = None
    for child in noun.children:
        if child.i < noun.i and child.dep_ == "poss":
            source = child
        elif child.i > noun.i and child.dep_ == "prep" and child.lower_ in ("by", "from"):
            source = next((c for c in child.children if c.dep_ == "pobj"), source)
        elif child.i > noun.i and not content:
            content = _noun_content(child)
    if source is None or not content:
        return None
    piece = _trimmed(doc, content)
    speaker = _speaker_span(doc, source)
    return _Attribution(noun, noun.idx, noun.idx + len(noun), speaker, [piece] if piece else [])


def _noun_content(child: Token) -> list[Token]:
    """Return the tokens of a noun's "that …" / "to …" clause or "about/on/of …" phrase."""
    if child.dep_ in ("acl", "ccomp") and any(
        c.dep_ in ("mark", "aux") and c.lower_ in ("that", "to") for c in child.children
    ):
        return list(child.subtree)
    if child.dep_ == "prep" and child.lower_ in ("about", "on", "of", "that"):
        objects = [c for c in child.children if c.dep_ in ("pobj", "pcomp")]
        return list(objects[0].subtree) if objects else []
    return []


def _passive_cue(doc: Doc, verb: Token) -> _Attribution | None:
    """Return the attribution of a passive with its agent: "The plan was endorsed by the
    union" gives the union as source and the passive subject as content."""
    subjects = [c for c in verb.children if c.dep_ == "nsubjpass"]
    agents = [c for c in verb.children if c.dep_ == "agent"]
    if not subjects or not agents:
        return None
    objects = [c for c in agents[0].children if c.dep_ == "pobj"]
    if not objects:
        return None
    content = _trimmed(doc, list(subjects[0].subtree))
    first = min(
        [verb] + [c for c in verb.children if c.dep_ in ("aux", "auxpass", "neg") and c.i < verb.i],
        key=lambda t: t.i,
    )
    cue_end = agents[0].idx + len(agents[0]) if agents[0].i <= verb.i + 2 else verb.idx + len(verb)
    return _Attribution(
        verb, first.idx, cue_end, _speaker_span(doc, objects[0]), [content] if content else []
    )


def _agentless_passive(doc: Doc, verb: Token) -> _Attribution | None:
    """Return the attribution of "it was announced that …", "was reported that …": no agent is
    named, so the reporting outlet stands as the source (no speaker span). "He was told that …"
    is not one: its subject is who heard it."""
    children = list(verb.children)
    if not any(c.dep_ == "auxpass" for c in children) or any(c.dep_ == "agent" for c in children):
        return None
    if any(c.dep_ == "nsubjpass" and c.lower_ != "it" for c in children):
        return None
    clauses = [c for c in children if c.dep_ == "ccomp" and c.i > verb.i]
    if not clauses:
        return None
    content = _trimmed(doc, list(clauses[0].subtree))
    first = min([verb] + [c for c in children if c.dep_ in ("auxpass", "aux", "neg") and c.i < verb.i], key=lambda t: t.i)
    return _Attribution(verb, first.idx, verb.idx + len(verb), None, [content] if content else [])


def _content_span(doc: Doc, verb: Token) -> tuple[int, int, bool] | None:
    """Return the reported content from the parse: the clausal complement, else the object."""
    children = list(verb.children)
    for dep in CONTENT_DEPS:
        for child in children:
            if child.dep_ == dep:
                if dep == "dobj" and _refers_back(child):
                    return None
                tokens = list(child.subtree)
                if dep == "dobj":
                    # "asked him about the taxes", "accused her of lying": the topic follows
                    tokens += [
                        t
                        for c in children
                        if c.dep_ in ("prep", "oprd")
                        and c.i > child.i
                        and (c.dep_ == "oprd" or c.lower_ in TOPIC_PREPOSITIONS)
                        for t in c.subtree
                    ]
                return _trimmed(doc, tokens)
    for child in children:
        if child.dep_ == "prep" and child.i > verb.i and child.lower_ in TOPIC_PREPOSITIONS:
            objects = [c for c in child.children if c.dep_ in ("pobj", "pcomp")]
            if objects:
                return _trimmed(doc, list(objects[0].subtree))
    # "The plan is dead, he said" / "The plan, he said, is dead": the governing clause.
    if verb.dep_ == "parataxis" and verb.head.i != verb.i:
        head = verb.head
        skip = set(t.i for t in verb.subtree)
        tokens = [t for t in head.subtree if t.i not in skip]
        return _trimmed(doc, tokens)
    return None


def _refers_back(obj: Token) -> bool:
    """True for an object that only points at what was said elsewhere: "confirmed it", "said
    this", "delivered the same message". A pronoun is no content, nor is such a noun phrase."""
    if obj.pos_ == "PRON" and not any(True for _ in obj.children):
        return True
    modifiers = {c.lower_ for c in obj.children if c.dep_ in ("det", "amod", "predet")}
    return (obj.lemma_ or obj.text).lower() in ANAPHORIC_NOUNS and not modifiers.isdisjoint(ANAPHORIC_DETERMINERS)


def _trimmed(doc: Doc, tokens: list[Token]) -> tuple[int, int, bool] | None:
    if not tokens:
        return None
    first, last = min(t.i for t in tokens), max(t.i for t in tokens)
    start, end = doc[first].idx, doc[last].idx + len(doc[last])
    text = doc[first : last + 1].text  # the span's own text: cheap, unlike doc.text
    offset = start
    while start < end and text[start - offset] in TRIM:
        start += 1
    while end > start and text[end - 1 - offset] in TRIM + ".":
        end -= 1
    return (start, end, False) if end > start else None


def _according_to(doc: Doc, according: Token) -> _Attribution | None:
    to = doc[according.i + 1]
    objects = [c for c in to.children if c.dep_ == "pobj"] or [
        c for c in according.children if c.dep_ == "pobj"
    ]
    if not objects:
        return None
    source = _speaker_span(doc, _whose(objects[0]))
    sentence = according.sent
    # The content is the rest of the clause the phrase modifies, within its sentence.
    head = according.head if according.dep_ != "ROOT" else according
    while head.dep_ in ("prep", "advmod", "pobj") and head.head.i != head.i:
        head = head.head
    tokens = [t for t in head.subtree if sentence.start <= t.i < sentence.end]
    before = _trimmed(doc, [t for t in tokens if t.i < according.i and not t.is_punct])
    after = _trimmed(doc, [t for t in tokens if t.i >= source.end and not t.is_punct])
    pieces = [p for p in (before, after) if p is not None]
    return _Attribution(according, according.idx, to.idx + len(to), source, pieces)


def _whose(noun: Token) -> Token:
    """Return who stands behind a cue noun: "Kirby's estimate", "the estimates of Western
    intelligence" give Kirby and Western intelligence; any other noun is the source itself."""
    if noun.lower_ not in CUE_NOUNS:
        return noun
    for child in noun.children:
        if child.dep_ == "poss":
            return child
        if child.dep_ == "prep" and child.lower_ in ("of", "by", "from"):
            owner = next((c for c in child.children if c.dep_ == "pobj"), None)
            if owner is not None:
                return owner
    return noun


def _speaker_colon_lines(doc: Doc, text: str) -> Iterator[_Attribution]:
    """Yield transcript and headline attributions: "PENCE: Well, look…", "Poll: Clinton leads"."""
    for match in SPEAKER_LINE.finditer(text):
        name = doc.char_span(match.start(1), match.end(1))
        colon = doc.char_span(match.end(1), match.end(1) + 1)
        if name is None or colon is None or not _is_name(name) or name[0].lower_ in LINE_LABELS:
            continue
        content = _trimmed(doc, list(doc[colon.end : _paragraph_end(doc, colon.end)]))
        if content is not None:
            yield _Attribution(colon[0], colon.start_char, colon.end_char, name, [content])


def _is_name(span: Span) -> bool:
    """True for a short proper-noun phrase (a speaker's name or a source such as "Poll")."""
    looks_named = (
        span.root.pos_ == "PROPN"
        or span.text.isupper()
        or (len(span) == 1 and span[0].is_title and span[0].pos_ == "NOUN")
    )
    return looks_named and all(t.pos_ in ("PROPN", "NOUN", "DET", "ADJ", "PUNCT") for t in span)


def _paragraph_end(doc: Doc, i: int) -> int:
    while i < len(doc) and "\n" not in doc[i].text and "\n" not in doc[i].whitespace_:
        i += 1
    return min(i + 1, len(doc))


# --- tying quotations to cues -------------------------------------------------------------------


def _attach_quotations(
    doc: Doc, text: str, quotations: list[Quotation], attributions: list[_Attribution]
) -> None:
    """Give each quotation to the cue that introduces it, or to the previous one it continues."""
    by_sentence: dict[int, list[_Attribution]] = {}
    for attribution in attributions:
        by_sentence.setdefault(attribution.cue.sent.start, []).append(attribution)
    last: _Attribution | None = None
    last_end = -1
    pending: list[Quotation] = []  # opening paragraphs of a quotation whose cue comes later
    for quotation in quotations:
        candidates = [
            a
            for sentence in _sentences_around(doc, quotation)
            for a in by_sentence.get(sentence.start, [])
            if not any(q.start <= a.cue_start < q.end for q in quotations)
            and "\n" not in _between(text, a.cue_start, quotation)
        ]
        owner = _nearest(candidates, quotation) or _cue_before_colon(
            doc, text, quotation, by_sentence
        )
        if (
            owner is None
            and last is not None
            and (quotation.continues or _continues(text, last, last_end, quotation))
        ):
            owner = last
        if owner is None:
            last = None
            pending = [quotation] if quotation.open_ended else []
            continue
        if owner is last and last_end < quotation.start:
            owner.pieces.append((quotation.start, quotation.end, True))
        else:
            _give(owner, quotation, text)
        if quotation.continues:
            owner.pieces.extend((q.start, q.end, True) for q in pending)
        pending = []
        last, last_end = owner, quotation.end


def _between(text: str, cue_start: int, quotation: Quotation) -> str:
    if cue_start < quotation.start:
        return text[cue_start : quotation.start]
    return text[quotation.end : cue_start]


def _sentences_around(doc: Doc, quotation: Quotation) -> list[Span]:
    """Return the sentences a quotation overlaps, and the one right after when it ends one:
    spaCy often splits “…?” from the "he asked." that follows."""
    span = doc.char_span(quotation.start, quotation.end, alignment_mode="expand")
    if span is None or not len(span):
        return []
    sentences = list({t.sent.start: t.sent for t in span}.values())
    after = span.end
    if after < len(doc) and doc[after].sent.start == after and doc[after].idx - quotation.end < 3:
        sentences.append(doc[after].sent)
    return sentences


def _nearest(candidates: list[_Attribution], quotation: Quotation) -> _Attribution | None:
    if not candidates:
        return None
    return min(
        candidates,
        key=lambda a: min(abs(a.cue_start - quotation.end), abs(a.cue_start - quotation.start)),
    )


def _cue_before_colon(
    doc: Doc, text: str, quotation: Quotation, by_sentence: dict[int, list[_Attribution]]
) -> _Attribution | None:
    """Return the cue of a sentence ending in a colon right before the quotation ("He added:")."""
    before = text[: quotation.start].rstrip()
    if not before.endswith(":"):
        return None
    token = doc.char_span(len(before) - 1, len(before), alignment_mode="expand")
    if token is None or not len(token):
        return None
    candidates = by_sentence.get(token[0].sent.start, [])
    return candidates[-1] if candidates else None


def _give(attribution: _Attribution, quotation: Quotation, text: str) -> None:
    """Make `quotation` the attribution's content, unless the parse found a mixed quotation
    (reported speech around a quoted phrase: he would “never” do it)."""
    for start, end, direct in attribution.pieces:
        outside = text[start : quotation.start] + text[quotation.end : end]
        if (
            not direct
            and start <= quotation.start
            and quotation.end <= end
            and any(c.isalnum() for c in outside)
        ):
            return
    attribution.pieces = [
        p
        for p in attribution.pieces
        if p[2] or not (p[0] < quotation.end and quotation.start < p[1])
    ] + [(quotation.start, quotation.end, True)]


def _continues(text: str, last: _Attribution, last_end: int, quotation: Quotation) -> bool:
    """True when only punctuation, or the attribution's own short cue clause ("he said."),
    separates a quotation from the previous one in the same paragraph."""
    between = text[last_end : quotation.start]
    if "\n" in between:
        return False
    if not any(c.isalnum() for c in between):
        return True
    return last_end <= last.cue_start < quotation.start and len(between) < 60


# --- speaker resolution -------------------------------------------------------------------------


class _NameIndex:
    """The article's people and organisations, to resolve a speaker mention to a full name."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.people = [e for e in doc.ents if e.label_ == "PERSON"]
        self.orgs = [e for e in doc.ents if e.label_ in ORG_LABELS]
        self.full = _full_names(self.people)

    def resolve(self, mention: Span) -> str | None:
        """Return the full name `mention` refers to, or None when it names no one."""
        people = [e for e in self.people if e.start < mention.end and mention.start < e.end]
        if people:
            return self.full.get(_surname(people[0]), _strip_titles(people[0]))
        orgs = [e for e in self.orgs if e.start < mention.end and mention.start < e.end]
        head = mention.root
        if orgs and head.pos_ == "PROPN":
            return _strip_determiner(orgs[0].text)
        if head.lower_ in PRONOUNS_PERSON:
            return self._before(mention, self._gender_ok(head.lower_))
        if head.lower_ in PRONOUNS_GROUP:
            org = self._org_before(mention, None)
            return _strip_determiner(org.text) if org is not None else None
        if head.pos_ == "NOUN" and any(t.lower_ in ("the", "this", "that") for t in mention):
            return self._description(mention, head)
        if head.pos_ == "PROPN":
            return self.full.get(head.lower_) or self._longest_form(head)
        return None

    def _longest_form(self, name: Token) -> str:
        """Return the longest title-free proper-noun phrase the article ends with this name,
        for names the entity recogniser missed."""
        forms = []
        for token in self.doc:
            if token.text == name.text and token.pos_ == "PROPN":
                start = token.i
                while start > 0 and self.doc[start - 1].dep_ == "compound":
                    start -= 1
                forms.append(self.doc[start : token.i + 1])
        return max((_strip_titles(f) for f in forms), key=len, default=name.text)

    def _before(self, mention: Span, accept) -> str | None:
        for entity in reversed(self.people):
            if entity.end <= mention.start and accept(entity):
                return self.full.get(_surname(entity), _strip_titles(entity))
        return None

    def _gender_ok(self, pronoun: str):
        wanted = MALE_MARKS if pronoun in ("he", "him") else FEMALE_MARKS
        other = FEMALE_MARKS if wanted is MALE_MARKS else MALE_MARKS

        def accept(entity: Span) -> bool:
            marks = {t.lower_ for t in _role_tokens(entity)}
            return not (marks & other) or bool(marks & wanted)

        return accept

    def _org_before(self, mention: Span, word: str | None) -> Span | None:
        for entity in reversed(self.orgs):
            if (
                entity.end <= mention.start
                and entity.label_ == "ORG"
                and (word is None or word in entity.text.lower())
            ):
                return entity
        return None

    def _description(self, mention: Span, head: Token) -> str | None:
        """Resolve "the spokeswoman" to the person introduced with that role, "the ministry" to
        the organisation whose name contains the word."""
        word = head.lower_
        name = self._before(mention, lambda e: word in {t.lower_ for t in _role_tokens(e)})
        if name is not None:
            return name
        org = self._org_before(mention, word)
        return _strip_determiner(org.text) if org is not None else None


def _role_tokens(entity: Span) -> Iterable[Token]:
    """Return the words that describe a person where named: "White House spokeswoman Jen Psaki",
    "Jen Psaki, the White House spokeswoman", "Mr. Kirby"."""
    doc = entity.doc
    i = entity.start - 1
    while i >= 0 and doc[i].pos_ in ("PROPN", "NOUN", "ADJ") and entity.start - i <= 6:
        yield doc[i]
        i -= 1
    yield from entity
    root = entity.root
    for child in root.children:
        if child.dep_ == "appos":
            yield from child.subtree
    if root.dep_ == "appos":
        yield root.head
        yield from (t for t in root.head.children if t.dep_ == "compound")


def _surname(entity: Span) -> str:
    words = [t.text for t in entity if t.text not in (".", "'s", "’s")]
    return words[-1].lower() if words else entity.text.lower()


def _strip_titles(span: Span) -> str:
    words = [t for t in span if not t.is_punct or t.text == "-"]
    while words and words[-1].lower_ in ("'s", "’s"):
        words.pop()
    while len(words) > 1 and (words[0].lower_ in TITLE_WORDS or words[0].pos_ != "PROPN"):
        words.pop(0)
    if not words:
        return span.text
    return span.doc[words[0].i : words[-1].i + 1].text


def _strip_determiner(name: str) -> str:
    return re.sub(r"^(the|The)\s+", "", name).removesuffix("'s").removesuffix("’s")


def _full_names(people: list[Span]) -> dict[str, str]:
    """Map each surname to the longest title-free form of the name used in the article."""
    full: dict[str, str] = {}
    for entity in people:
        name = _strip_titles(entity)
        key = _surname(entity)
        if len(name) > len(full.get(key, "")):
            full[key] = name
    return full
