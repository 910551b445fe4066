"""Entity resolution on ECB+: do mentions of one person or organisation get one canonical id?

Data: gold cross-document chains in `entities/ecbplus_entities_traindev.jsonl` over the article
texts in `stories/ecbplus_traindev.jsonl` (one sentence a line; `*ecb` sentence n is line n,
`*ecbplus` sentence n is line n-1). Gold tokens are mapped to character spans by finding the
mention's characters (spaces ignored) in its line, nearest to its token position.

Scope: chains typed HUMAN_PART_PER or HUMAN_PART_ORG, and within them only proper-name mentions.
A gold mention is a proper name when its last word (its head; possessive dropped) is capitalised,
is no pronoun, and either is a name word — written capitalised inside sentences of the same
articles at least as often as lowercase (first words of lines and title-case headlines are not
counted) — or ends a run of capitalised words ("Los Angeles Superior Court"), except in a
headline, where capitals mark nothing. So "Lindsay Lohan", "Lohan's" and "Central Commission for
Elections and Referenda" count; "the actress", "she", "Police" and "Brooklyn mother" do not. The
test needs no tagger, so the gold set does not depend on spaCy.

Systems, all over the same articles in the same run, in file order (the resolver is online and
never sees ECB+ topics):

* pipeline — spaCy NER, `link_within_article`, `EntityResolver`. A gold mention takes the
  canonical id of the pipeline mention that overlaps its head word; gold mentions
  spaCy missed (or the linker dropped) are singletons. Predicted mentions that match no gold
  mention are ignored (ECB+ annotates only event participants, so they are not errors).
* pipeline + story — the same, told each article's gold story id as "same story" evidence.
* gold mentions — the gold proper-name mention strings, typed PERSON/ORG from the chain, fed to
  `link_within_article` and the resolver without NER: isolates resolution from recognition.
* baselines, on exactly the mentions the system above them sees (after the linker's cleaning:
  titles, possessive and punctuation removed): "exact string" links mentions whose text is
  identical, case-sensitive; "last token" links mentions whose last word is the same, any case.

Metrics, over the set G of in-scope gold mentions, with gold(m) the gold chain of m and pred(m)
the predicted cluster of m restricted to G (a singleton {m} if m is unmatched):

* B-cubed: P = mean over m in G of |gold(m) ∩ pred(m)| / |pred(m)|,
  R = mean over m in G of |gold(m) ∩ pred(m)| / |gold(m)|, F1 = 2PR / (P + R).
* Pairwise: over unordered pairs of G, P = correct linked pairs / predicted linked pairs,
  R = correct linked pairs / gold linked pairs, F1 their harmonic mean.

Both count within-article and cross-article links together.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field, replace
from itertools import product
from pathlib import Path
from typing import Any

from storyline.model import Article, EntityMention
from storyline.resolve.entities import LocalEntity, link_within_article
from storyline.resolve.names import is_title_case, word_set
from storyline.resolve.resolver import EntityResolver, ResolverParams
from storyline.settings import Settings

GOLD_TYPES = {"HUMAN_PART_PER": "PERSON", "HUMAN_PART_ORG": "ORG"}
STORIES_FILE = Path("stories") / "ecbplus_traindev.jsonl"
ENTITIES_FILE = Path("entities") / "ecbplus_entities_traindev.jsonl"
_PRONOUNS = word_set(
    "i me my we us our you your he him his she her they them their it its who whom whose"
)
_GOLD_TOKEN = re.compile(r"\w+(?:[-'’.]\w+)*|[^\w\s]")


@dataclass(frozen=True)
class ClusterScores:
    """B-cubed and pairwise precision, recall and F1 of one clustering of the gold mentions."""

    b3_precision: float
    b3_recall: float
    b3_f1: float
    pair_precision: float
    pair_recall: float
    pair_f1: float


@dataclass
class EntityScores:
    """Scores of every system on one ECB+ split, with the counts needed to read them."""

    split: str | None
    articles: int
    chains: int
    gold_mentions: int
    unaligned_gold: int  # gold mentions whose characters could not be found in the text
    found_by_pipeline: int  # in-scope gold mentions matched by a mention of the pipeline
    params: ResolverParams
    rows: dict[str, ClusterScores] = field(default_factory=dict)


@dataclass(frozen=True)
class GoldMention:
    """One in-scope gold mention located in the article text."""

    doc: str
    chain: str
    label: str  # PERSON or ORG
    start: int
    end: int
    head_start: int
    head_end: int


@dataclass
class PreparedCorpus:
    """Articles, their spaCy mentions and the in-scope gold mentions, ready to score many times."""

    articles: list[Article]
    stories: dict[str, str]  # article id -> gold story
    gold: list[GoldMention]
    chains: int
    unaligned_gold: int


# -- metrics ------------------------------------------------------------------------------------


def _f1(precision: float, recall: float) -> float:
    """Return the harmonic mean of precision and recall (0 when both are 0)."""
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def cluster_scores(
    gold: dict[Hashable, Hashable], predicted: dict[Hashable, Hashable]
) -> ClusterScores:
    """Return B-cubed and pairwise scores of `predicted` against `gold` over the keys of `gold`.

    Both map a mention to its cluster label; a mention missing from `predicted` is a singleton.
    Costs O(n) for B-cubed and O(sum of cluster sizes squared) for pairs.
    """
    if not gold:
        return ClusterScores(0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    predicted_of = {
        mention: (True, predicted[mention]) if mention in predicted else (False, mention)
        for mention in gold
    }
    gold_size = Counter(gold.values())
    predicted_size = Counter(predicted_of.values())
    both_size = Counter((gold[mention], predicted_of[mention]) for mention in gold)
    precision = sum(
        both_size[(gold[m], predicted_of[m])] / predicted_size[predicted_of[m]] for m in gold
    )
    recall = sum(both_size[(gold[m], predicted_of[m])] / gold_size[gold[m]] for m in gold)
    b3_p, b3_r = precision / len(gold), recall / len(gold)

    def pairs(sizes: Iterable[int]) -> int:
        return sum(size * (size - 1) // 2 for size in sizes)

    correct, gold_pairs, predicted_pairs = (
        pairs(both_size.values()),
        pairs(gold_size.values()),
        pairs(predicted_size.values()),
    )
    pair_p = correct / predicted_pairs if predicted_pairs else 1.0
    pair_r = correct / gold_pairs if gold_pairs else 1.0
    return ClusterScores(b3_p, b3_r, _f1(b3_p, b3_r), pair_p, pair_r, _f1(pair_p, pair_r))


# -- data ---------------------------------------------------------------------------------------


def locate_gold_token_span(line: str, text: str, token_start: int) -> tuple[int, int] | None:
    """Return the character span of a gold mention in its line, or None if it is not there.

    The lines are detokenised ("Calif.," not "Calif . ,"), so the mention's characters are
    matched with spaces ignored, and of several matches the one nearest its token index wins.
    """
    target = re.sub(r"\s+", "", text)
    if not target:
        return None
    compact_positions = [index for index, char in enumerate(line) if not char.isspace()]
    compact = "".join(line[index] for index in compact_positions)
    token_starts = [match.start() for match in _GOLD_TOKEN.finditer(line)]
    best: tuple[int, int] | None = None
    best_distance = None
    for match in re.finditer(re.escape(target), compact):
        char_start = compact_positions[match.start()]
        char_end = compact_positions[match.end() - 1] + 1
        token_index = sum(1 for start in token_starts if start < char_start)
        distance = abs(token_index - token_start)
        if best_distance is None or distance < best_distance:
            best, best_distance = (char_start, char_end), distance
    return best


def _line_offsets(text: str) -> list[int]:
    """Return the character offset where each line of `text` starts."""
    offsets = [0]
    offsets.extend(match.end() for match in re.finditer("\n", text))
    return offsets


def _load_jsonl(path: Path) -> list[dict[str, Any]]:
    """Return the records of a JSON lines file."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _resolve_paths(path: Path) -> tuple[Path, Path]:
    """Return (entities file, stories file) from the data directory or the entities file."""
    if path.is_dir():
        return path / ENTITIES_FILE, path / STORIES_FILE
    return path, path.parents[1] / STORIES_FILE


def load_spacy(settings: Settings | None = None) -> Any:
    """Return the first spaCy English pipeline that loads, from the settings' candidates."""
    import spacy

    settings = settings or Settings()
    errors = []
    for name in settings.spacy_candidates():
        try:
            return spacy.load(name, disable=["lemmatizer"])
        except OSError as error:
            errors.append(f"{name}: {error}")
    raise RuntimeError("no spaCy pipeline could be loaded: " + "; ".join(errors))


def prepare_corpus(
    path: Path,
    split: str | None = None,
    limit: int | None = None,
    nlp: Any = None,
    batch_size: int = 16,
) -> PreparedCorpus:
    """Return the ECB+ articles of one split with spaCy entities and the in-scope gold mentions.

    Runs spaCy once over the articles (the slow part: about a minute for the 772 articles).
    """
    entities_path, stories_path = _resolve_paths(path)
    records = [r for r in _load_jsonl(stories_path) if split is None or r.get("split") == split]
    records = records[:limit] if limit is not None else records
    nlp = nlp or load_spacy()
    articles = []
    for record, doc in zip(
        records, nlp.pipe((r["text"] for r in records), batch_size=batch_size), strict=True
    ):
        mentions = [
            EntityMention(ent.text, ent.label_, ent.start_char, ent.end_char) for ent in doc.ents
        ]
        articles.append(
            Article(
                id=record["id"],
                title=record.get("title") or "",
                text=record["text"],
                origin=str(stories_path),
                entities=mentions,
            )
        )
    stories = {record["id"]: str(record.get("story")) for record in records}
    gold, chains, unaligned = _gold_mentions(_load_jsonl(entities_path), articles)
    return PreparedCorpus(articles, stories, gold, chains, unaligned)


def _gold_mentions(
    chains: list[dict[str, Any]], articles: list[Article]
) -> tuple[list[GoldMention], int, int]:
    """Return the in-scope gold mentions, the number of chains with any, and how many were lost."""
    texts = {article.id: article.text for article in articles}
    offsets = {article.id: _line_offsets(article.text) for article in articles}
    casing = capitalisation_counts(texts.values())
    seen: set[tuple[str, int, int]] = set()
    mentions: list[GoldMention] = []
    unaligned = 0
    used_chains = set()
    for chain in chains:
        label = GOLD_TYPES.get(chain["type"])
        if label is None:
            continue
        for mention in chain["mentions"]:
            doc_id = mention["doc"]
            if doc_id not in texts:
                continue
            line_no = mention["sentence"] - (1 if doc_id.endswith("ecbplus") else 0)
            lines = offsets[doc_id]
            if not 0 <= line_no < len(lines):
                unaligned += 1
                continue
            line_start = lines[line_no]
            line_end = texts[doc_id].find("\n", line_start)
            line = texts[doc_id][line_start : line_end if line_end >= 0 else None]
            span = locate_gold_token_span(line, mention["text"], mention["token_start"])
            if span is None:
                unaligned += 1
                continue
            start, end = line_start + span[0], line_start + span[1]
            head = name_head(texts[doc_id][start:end], casing, is_title_case(line))
            if head is None or (doc_id, start, end) in seen:
                continue
            seen.add((doc_id, start, end))
            used_chains.add(chain["chain"])
            mentions.append(
                GoldMention(
                    doc_id, chain["chain"], label, start, end, start + head[0], start + head[1]
                )
            )
    return mentions, len(used_chains), unaligned


_WORD = re.compile(r"[^\W\d_][\w'’\-]*|\d+")
_CONNECTORS = word_set("of for and the de del la")


def capitalisation_counts(texts: Iterable[str]) -> tuple[Counter[str], Counter[str]]:
    """Return how often each word is capitalised inside a sentence, and how often lowercase.

    The first word of a line and every word of a title-case line (a headline) are skipped:
    their capitals say nothing about the word.
    """
    capitalised: Counter[str] = Counter()
    lowercase: Counter[str] = Counter()
    for text in texts:
        for line in text.split("\n"):
            if is_title_case(line):
                continue
            for word in _WORD.findall(line)[1:]:
                (capitalised if word[0].isupper() else lowercase)[word.casefold()] += 1
    return capitalised, lowercase


def name_head(
    span_text: str, casing: tuple[Counter[str], Counter[str]], title_case: bool = False
) -> tuple[int, int] | None:
    """Return the offsets of the span's head if the span is a proper name, else None.

    The head is the span's last word. It makes a proper name if it is capitalised, no pronoun,
    and either a name word (written capitalised inside sentences of the corpus at least as often
    as lowercase: "Lohan", "Microsoft"; not "Police", "Actress") or the end of a run of
    capitalised words ("Superior Court", "Commission for Elections and Referenda"). In a
    title-case line only a name word counts.
    """
    capitalised, lowercase = casing
    words = [
        (re.sub(r"['’](?:s|m|re|ve|ll|d)?$", "", m.group()), m.start())
        for m in _WORD.finditer(span_text)
    ]
    words = [(word, start) for word, start in words if word]
    if not words:
        return None
    head, head_start = words[-1]
    key = head.casefold()
    if not head[0].isupper() or key in _PRONOUNS:
        return None
    in_run = any(
        word[0].isupper() and word.casefold() not in _CONNECTORS for word, _ in words[:-1]
    ) and all(word[0].isupper() or word.casefold() in _CONNECTORS for word, _ in words[-3:-1])
    if capitalised[key] >= lowercase[key] or (in_run and not title_case):
        return head_start, head_start + len(head)
    return None


# -- systems ------------------------------------------------------------------------------------


def _align(
    gold: list[GoldMention], spans: dict[str, list[tuple[int, int, Hashable]]]
) -> dict[Hashable, Hashable]:
    """Return gold mention -> predicted cluster, for gold mentions whose head a prediction covers."""
    aligned: dict[Hashable, Hashable] = {}
    for mention in gold:
        for start, end, cluster in spans.get(mention.doc, []):
            if start < mention.head_end and mention.head_start < end:
                aligned[mention] = cluster
                break
    return aligned


def _resolve_spans(
    articles: list[Article], stories: dict[str, str] | None, params: ResolverParams
) -> dict[str, list[tuple[int, int, Hashable]]]:
    """Return each article's mention spans labelled with the resolver's canonical ids."""
    resolver = EntityResolver(params)
    spans: dict[str, list[tuple[int, int, Hashable]]] = defaultdict(list)
    for article in articles:
        local: list[LocalEntity] = link_within_article(article)
        story = stories.get(article.id) if stories else None
        for resolution in resolver.resolve_article(article.id, local, story_id=story):
            for mention in resolution.local.mentions:
                spans[article.id].append((mention.start, mention.end, resolution.entity_id))
    return spans


def _baseline_spans(
    articles: list[Article], key: Callable[[str], str]
) -> dict[str, list[tuple[int, int, Hashable]]]:
    """Return each article's pipeline mentions (as the linker cleans them) labelled by a string key.

    The baselines see exactly the mentions the resolver sees, so only the linking differs.
    """
    spans: dict[str, list[tuple[int, int, Hashable]]] = defaultdict(list)
    for article in articles:
        for entity in link_within_article(article):
            for mention in entity.mentions:
                spans[article.id].append((mention.start, mention.end, key(mention.text)))
    return spans


def exact_string(surface: str) -> str:
    """Return the baseline key that links identical strings."""
    return surface


def last_token(surface: str) -> str:
    """Return the baseline key that links strings ending in the same word, any case."""
    return surface.split()[-1].casefold()


def _gold_articles(corpus: PreparedCorpus) -> list[Article]:
    """Return the articles with their entities replaced by the in-scope gold mentions."""
    by_doc: dict[str, list[EntityMention]] = defaultdict(list)
    texts = {article.id: article.text for article in corpus.articles}
    for mention in sorted(corpus.gold, key=lambda m: (m.doc, m.start)):
        surface = texts[mention.doc][mention.start : mention.end]
        by_doc[mention.doc].append(
            EntityMention(surface, mention.label, mention.start, mention.end)
        )
    return [replace(article, entities=by_doc.get(article.id, [])) for article in corpus.articles]


def score_corpus(
    corpus: PreparedCorpus, params: ResolverParams | None = None
) -> dict[str, ClusterScores]:
    """Return the scores of the resolver and the baselines on a prepared corpus."""
    params = params or ResolverParams()
    gold = {mention: mention.chain for mention in corpus.gold}
    gold_articles = _gold_articles(corpus)
    systems = {
        "pipeline": _resolve_spans(corpus.articles, None, params),
        "pipeline + story": _resolve_spans(corpus.articles, corpus.stories, params),
        "pipeline mentions, exact string": _baseline_spans(corpus.articles, exact_string),
        "pipeline mentions, last token": _baseline_spans(corpus.articles, last_token),
        "gold mentions": _resolve_spans(gold_articles, None, params),
        "gold mentions + story": _resolve_spans(gold_articles, corpus.stories, params),
        "gold mentions, exact string": _baseline_spans(gold_articles, exact_string),
        "gold mentions, last token": _baseline_spans(gold_articles, last_token),
    }
    return {
        name: cluster_scores(gold, _align(corpus.gold, spans)) for name, spans in systems.items()
    }


def evaluate_entities(
    path: Path,
    split: str | None = None,
    limit: int | None = None,
    params: ResolverParams | None = None,
    nlp: Any = None,
) -> EntityScores:
    """Return B-cubed and pairwise scores of the resolver and the baselines on ECB+ persons and orgs.

    `path` is the shared data directory or the entities JSONL inside it; `split` is "train",
    "dev" or None for both; `limit` keeps the first articles of the split.
    """
    params = params or ResolverParams()
    corpus = prepare_corpus(path, split=split, limit=limit, nlp=nlp)
    rows = score_corpus(corpus, params)
    found = len(_align(corpus.gold, _resolve_spans(corpus.articles, None, params)))
    return EntityScores(
        split=split,
        articles=len(corpus.articles),
        chains=corpus.chains,
        gold_mentions=len(corpus.gold),
        unaligned_gold=corpus.unaligned_gold,
        found_by_pipeline=found,
        params=params,
        rows=rows,
    )


def tune_resolver(
    corpus: PreparedCorpus,
    strong: Iterable[float] = (0.9, 0.92, 0.94, 0.96, 0.98, 1.0),
    weak: Iterable[float] = (0.75, 0.8, 0.85, 0.9),
    context: Iterable[int] = (1, 2, 3),
) -> list[tuple[float, float, ResolverParams]]:
    """Return (pipeline B-cubed F1, gold-mention B-cubed F1, params) for a grid, best first.

    Use it on the train split only; the defaults of `ResolverParams` come from such a run.
    """
    results = []
    gold = {mention: mention.chain for mention in corpus.gold}
    gold_articles = _gold_articles(corpus)
    for strong_value, weak_value, shared in product(strong, weak, context):
        if weak_value > strong_value:
            continue
        params = ResolverParams(
            strong_similarity=strong_value, weak_similarity=weak_value, min_shared_context=shared
        )
        pipeline = cluster_scores(
            gold, _align(corpus.gold, _resolve_spans(corpus.articles, None, params))
        )
        given = cluster_scores(
            gold, _align(corpus.gold, _resolve_spans(gold_articles, None, params))
        )
        results.append((pipeline.b3_f1, given.b3_f1, params))
    return sorted(results, key=lambda item: (item[0] + item[1], item[0]), reverse=True)


def format_entity_scores(scores: EntityScores) -> str:
    """Return the scores as a plain-text table with the counts needed to read it."""
    params = scores.params
    lines = [
        f"ECB+ entities, split={scores.split or 'train+dev'}: {scores.articles} articles, "
        f"{scores.chains} person/organisation chains, {scores.gold_mentions} proper-name gold mentions "
        f"({scores.found_by_pipeline} found by the pipeline; {scores.unaligned_gold} gold mentions not located)",
        f"resolver: strong={params.strong_similarity} weak={params.weak_similarity} "
        f"context>={params.min_shared_context}",
        f"{'system':34} {'B3 P':>6} {'B3 R':>6} {'B3 F1':>6} {'pair P':>7} {'pair R':>7} {'pair F1':>7}",
    ]
    for name, row in scores.rows.items():
        lines.append(
            f"{name:34} {row.b3_precision:6.3f} {row.b3_recall:6.3f} {row.b3_f1:6.3f} "
            f"{row.pair_precision:7.3f} {row.pair_recall:7.3f} {row.pair_f1:7.3f}"
        )
    return "\n".join(lines)
