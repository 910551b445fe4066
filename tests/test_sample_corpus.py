"""The bundled sample corpus end to end: what `make demo` shows, pinned against its gold labels."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from storyline import Storyline
from storyline.analyse.nlp import parsed_languages
from storyline.evaluate.stories import score_clustering
from storyline.pipeline import ingest_paths
from storyline.settings import Settings
from storyline.store import Store

from .conftest import REPO, SAMPLE_CORPUS

LABELS = json.loads((REPO / "examples" / "labels" / "sample_stories.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    url = f"sqlite:///{tmp_path_factory.mktemp('sample') / 'sample.db'}"
    store = Store(url)
    summary = ingest_paths([SAMPLE_CORPUS], store, Settings(db_url=url))
    assert summary.failed == [] and summary.read == len(LABELS["stories"])
    return store


def test_every_labelled_article_is_stored_once_and_copies_are_linked(sample_store: Store) -> None:
    stored = {row.id: row for row in sample_store.iter_articles()}
    kinds = LABELS["duplicate_kinds"]
    for copy, original in LABELS["duplicates"].items():
        if kinds[copy] == "exact":
            assert copy not in stored and original in stored
        else:  # on the same day either may come first: the one read first counts as original
            assert original in (stored[copy].duplicate_of,) or stored[original].duplicate_of == copy
            assert stored[copy].story_id == stored[original].story_id
    assert set(stored) == {i for i in LABELS["stories"] if kinds.get(i) != "exact"}


def test_stories_match_the_gold_labels(sample_store: Store) -> None:
    gold = {k: v or f"none:{k}" for k, v in LABELS["stories"].items()}
    predicted = {row.id: row.story_id for row in sample_store.iter_articles()}
    scores = score_clustering(predicted, gold)
    assert scores.bcubed_f1 >= 0.80, scores  # measured 0.815 on the 82 articles (event labels)
    for event in (ALERT, INVASION_DAY):  # the storyline's two big events stay apart
        held = Counter(predicted[i] for i, story in LABELS["stories"].items() if story == event and i in predicted)
        story_id, _ = held.most_common(1)[0]
        members = Counter(gold[i] for i, s in predicted.items() if s == story_id)
        # measured: the January story takes one undated syndicated copy of an invasion-day report
        assert members[event] >= 4 and sum(members.values()) - members[event] <= 1, members


# The no-troops storyline: the Pentagon's alert and Stoltenberg's first statement in January,
# and invasion day a month later, when the same position is restated. Two events, one thread.
ALERT, INVASION_DAY = "nato-troops-on-alert", "nato-no-troops-invasion-day"

# Measured: three reports of 24 February (Spanish, German, Ukrainian) have no names the
# clusterer can match, since no pipeline for their languages is installed, and their words are
# not the English story's: they form a story of their own, next to the one holding the
# English invasion-day reports (the French one joins theirs: see STARTS_THE_FOREIGN_STORY).
# Re-clustering the active window against the embeddings is what should join them.
SPLIT_BY_A_FOREIGN_SEED = pytest.mark.xfail(
    strict=True,
    reason="invasion-day reports in languages without a pipeline form their own story; "
    "to be joined by re-clustering the window",
)
# Measured since the event-level model (2 December 2026): the French invasion-day report arrives
# before any English one and starts the story the other foreign reports join, so it is in the
# foreign-language invasion-day story. (The French report of Storm Eunice, under the join
# probability then, joins its English story since embedding cosines are read against the window.)
STARTS_THE_FOREIGN_STORY = pytest.mark.xfail(
    strict=True,
    reason="a report across languages starts the story the other foreign reports join",
)


@SPLIT_BY_A_FOREIGN_SEED
def test_the_invasion_day_reports_are_one_story(sample_store: Store) -> None:
    predicted = {row.id: row.story_id for row in sample_store.iter_articles()}
    nato = Counter(predicted[i] for i, story in LABELS["stories"].items() if story == INVASION_DAY and i in predicted)
    assert len(nato) == 1, nato


def test_the_invasion_day_story_continues_the_thread_of_the_january_alert(sample_store: Store) -> None:
    _, story_of = _stories(sample_store)
    rows = {row.id: row for row in sample_store.iter_articles()}
    january, february = (_english_story(event, rows, story_of) for event in (ALERT, INVASION_DAY))
    assert january != february
    threads = sample_store.story_threads([january, february])
    assert threads[february] == threads[january]
    strays = [i for i, s in LABELS["stories"].items() if s is None and i in story_of]
    assert all(sample_store.story_threads([story_of[i]])[story_of[i]] == story_of[i] for i in strays)


def _stories(sample_store: Store) -> tuple[dict, dict[str, str]]:
    rows = {row.id: row for row in sample_store.iter_articles()}
    return rows, {i: row.story_id for i, row in rows.items()}


def _english_story(story: str, rows: dict, story_of: dict[str, str]) -> str:
    """Return the story most of a gold story's English reports are in."""
    english = [i for i, s in LABELS["stories"].items() if s == story and rows.get(i) and rows[i].lang == "en"]
    return Counter(story_of[i] for i in english).most_common(1)[0][0]


@pytest.mark.parametrize(
    ("story", "report"),
    [
        (ALERT, "multilingual/rheinland-kurier-2022-01-25-nato-bereitschaft.md"),
        (ALERT, "multilingual/quotidien-du-rhone-2022-01-25-otan-alerte.md"),
        (ALERT, "multilingual/diario-del-estrecho-2022-01-25-otan-tropas.md"),
        pytest.param(
            INVASION_DAY, "multilingual/quotidien-du-rhone-2022-02-24-otan-flanc-est.md",
            marks=STARTS_THE_FOREIGN_STORY,
        ),
        ("valieva-doping", "multilingual/quotidien-du-rhone-2022-02-14-tas-valieva.md"),
        ("valieva-doping", "multilingual/diario-del-estrecho-2022-02-17-valieva-cuarta.md"),
        ("storm-eunice", "multilingual/quotidien-du-rhone-2022-02-18-tempete-eunice.md"),
        ("zelensky-munich", "multilingual/rheinland-kurier-2022-02-19-selenskyj-muenchen.md"),
        ("zelensky-munich", "kv-20220219-0412"),
    ],
)
def test_a_report_in_another_language_joins_the_english_story(
    sample_store: Store, story: str, report: str
) -> None:
    rows, story_of = _stories(sample_store)
    assert rows[report].lang in ("de", "fr", "es", "uk")
    assert story_of[report] == _english_story(story, rows, story_of)


@SPLIT_BY_A_FOREIGN_SEED
@pytest.mark.parametrize(
    "report",
    [
        "multilingual/diario-del-estrecho-2022-02-24-otan-no-enviara-tropas.md",
        "multilingual/rheinland-kurier-2022-02-24-nato-ostflanke.md",
        "kv-20220224-0587",
    ],
)
def test_the_invasion_day_reports_without_names_join_the_english_story(
    sample_store: Store, report: str
) -> None:
    rows, story_of = _stories(sample_store)
    assert story_of[report] == _english_story(INVASION_DAY, rows, story_of)


def test_the_valieva_wire_and_its_story_are_dated_february_2022(sample_store: Store) -> None:
    """The wire's dateline has no year and its text names only the sample's December 2021."""
    wire = sample_store.article("wire/huaxia-2022-02-11-valieva-positive-test.txt")
    assert (wire.date, wire.date_source) == ("2022-02-11", "dateline")
    story = sample_store.story(wire.story_id)
    assert story is not None
    assert (story.first_date or "")[:7] == (story.last_date or "")[:7] == "2022-02", story
    dates = {row.date for row in sample_store.story_articles(wire.story_id) if row.date}
    assert all(day.startswith("2022-02") for day in dates), dates


def test_foreign_language_strays_stay_apart(sample_store: Store) -> None:
    rows, story_of = _stories(sample_store)
    strays = [i for i, s in LABELS["stories"].items() if s is None and rows[i].lang != "en"]
    assert {rows[i].lang for i in strays} == {"de", "fr", "es"}
    for stray in strays:
        together = [i for i, s in story_of.items() if s == story_of[stray] and i != stray]
        assert together == [], (stray, together)


def test_name_variants_resolve_to_one_person(sample_store: Store) -> None:
    """Every spelling resolves to one person, where a spaCy pipeline finds names in its language."""
    parsed = parsed_languages(Settings())
    readable = " ".join(row.text for row in sample_store.iter_articles() if row.lang in parsed)
    for person in ("Jen Psaki", "Jens Stoltenberg", "Volodymyr Zelensky", "John Kirby"):
        variants = [v for v in LABELS["people"][person] if v in readable]
        entities = {sample_store.find_entities(variant, limit=1)[0].id for variant in variants}
        assert len(entities) == 1, (person, entities)


def test_the_no_troops_position_is_one_claim_repeated_and_confirmed(sample_store: Store) -> None:
    story_id = sample_store.article("wire/huaxia-2022-02-24-nato.txt").story_id
    claims = sample_store.claim_records([story_id])
    no_troops = [
        c for c in claims
        if {"repeated", "confirmed"} <= {v["kind"] for v in c["verdicts"]}
        and any("troops" in s["content"] and "Stoltenberg" in (s["speaker"] or "") for s in c["statements"])
    ]
    assert no_troops, [c["text"] for c in claims]
    dates = sorted(s["date"] for s in no_troops[0]["statements"] if s["date"] and s["date"][0].isdigit())
    assert dates[0].startswith("2022-01") and dates[-1].startswith("2022-02")
    assert len(no_troops[0]["outlets"]) >= 2


def test_statements_are_dated_and_point_into_the_text(sample_store: Store) -> None:
    with Storyline(sample_store.url) as sl:
        statements = sl.statements(story=sample_store.article("cd-20220124-017").story_id)
    assert statements
    for statement in statements:
        article = sample_store.article(statement.article_id)
        assert article.text[statement.start : statement.end] == statement.content
        if article.date and article.date[0].isdigit():
            assert statement.said_on and statement.said_on_source in ("time expression", "article date")
