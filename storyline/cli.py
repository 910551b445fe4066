"""The `storyline` command: ingest articles, list and show stories, export, report."""

from __future__ import annotations

import dataclasses
import inspect
import json
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from enum import Enum, StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.exc import SQLAlchemyError

from storyline.api import ArticleNotFound, Storyline, StoryNotFound
from storyline.desk.models import StatementItem, StoryDetail
from storyline.execute import EngineError
from storyline.export import EXPORTS, export_records, write_records
from storyline.settings import Settings, default_db_url
from storyline.store import SchemaError, Store
from storyline.store.migrate import describe, schema_state, upgrade_schema

if TYPE_CHECKING:
    from storyline.fetch.watch import PollReport, Watcher
    from storyline.pipeline import IngestSummary

app = typer.Typer(
    help="Storyline: turn a pile of news articles into stories — who said what, and when.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
console = Console()
errors = Console(stderr=True)

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="SQLAlchemy URL of the store [default: $STORYLINE_DB or ./storyline.db]"),
]


def open_store(db: str | None) -> Store:
    """Return the store at `db` (or the default one); exit saying why if it cannot be opened."""
    with store_errors():
        return Store(db or default_db_url())


def open_storyline(db: str | None) -> Storyline:
    """Return the Python API over the store at `db`; exit saying why if it cannot be opened."""
    with store_errors():
        return Storyline(db)


@contextmanager
def store_errors() -> Iterator[None]:
    """Turn a store that cannot be opened or upgraded into one line on stderr and exit code 2."""
    try:
        yield
    except SchemaError as error:
        errors.print(str(error), highlight=False, soft_wrap=True)
        raise typer.Exit(code=2) from None
    except SQLAlchemyError as error:
        errors.print(f"Cannot use the store: {str(error).splitlines()[0]}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=2) from None


def story_or_exit(storyline: Storyline, story_id: str) -> StoryDetail:
    """Return the story, or say that there is none and exit with code 2."""
    try:
        return storyline.story(story_id)
    except StoryNotFound:
        errors.print(f"No story {story_id!r}; `storyline stories` lists them.")
        raise typer.Exit(code=2) from None


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files and folders (read recursively).")],
    db: DbOption = None,
    source: Annotated[
        str | None, typer.Option(help="Outlet name for articles that do not name one.")
    ] = None,
    date: Annotated[
        str | None,
        typer.Option(help="YYYY-MM-DD: date of articles without one; gives datelines their year."),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="Run parsing and embedding on N local Dask worker processes."),
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="Run them on the Dask cluster at tcp://HOST:PORT instead.")
    ] = None,
) -> None:
    """Read articles (text, Markdown, JSON lines, HTML, RSS/Atom, WARC) and build stories."""
    storyline = open_storyline(db)
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]Ingesting"),
        BarColumn(),
        TextColumn("{task.completed} items read"),
        TimeElapsedColumn(),
        console=errors,
        transient=True,
    ) as progress:
        task = progress.add_task("ingest", total=None)
        try:
            summary = storyline.ingest(
                paths, source=source, date=date, workers=workers, scheduler=scheduler,
                progress=lambda n: progress.advance(task, n),
            )
        except EngineError as error:
            errors.print(str(error), markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(code=2) from None
    print_summary(summary, storyline.db_url)
    raise typer.Exit(code=1 if summary.failed else 0)


def print_summary(summary: IngestSummary, db_url: str) -> None:
    """Print what an ingest did, and each part of the input it skipped with the reason."""
    table = Table(title="Ingest", show_header=False, title_justify="left")
    for label, value in (
        ("articles read", summary.read),
        ("added", summary.added),
        ("already present", summary.already_present),
        ("duplicates (not stored again)", summary.duplicates),
        ("near-duplicates (linked to original)", summary.near_duplicates),
        ("new stories", summary.stories_created),
        ("skipped (errors)", len(summary.failed)),
        ("ignored (not articles)", len(summary.problems) - len(summary.failed)),
    ):
        table.add_row(label, str(value))
    console.print(table)
    for problem in summary.problems:
        style = "dim" if problem.ignored else "yellow"
        errors.print(
            f"[{style}]skipped {problem.origin}: {problem.reason}[/{style}]",
            highlight=False,
            soft_wrap=True,
        )
    console.print(f"Store: {db_url}", highlight=False, soft_wrap=True)


stories_app = typer.Typer(help="List stories, and correct them.", invoke_without_command=True)
app.add_typer(stories_app, name="stories")


@stories_app.callback()
def stories(
    ctx: typer.Context,
    db: DbOption = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 50,
    offset: Annotated[int, typer.Option(min=0)] = 0,
) -> None:
    """List stories, most recently active first."""
    if ctx.invoked_subcommand is not None:
        return
    storyline = open_storyline(db)
    table = Table(title=f"Stories ({storyline.article_count()} articles stored)", title_justify="left")
    for column in ("story", "headline", "first", "last", "articles", "sources"):
        table.add_column(column, overflow="fold")
    for story in storyline.stories(limit=limit, offset=offset):
        table.add_row(
            story.id,
            story.headline,
            story.first_date or "?",
            story.last_date or "?",
            str(story.article_count),
            str(story.source_count),
        )
    console.print(table)


@stories_app.command("merge")
def stories_merge(
    into: Annotated[str, typer.Argument(metavar="A", help="The story that stays.")],
    merged: Annotated[str, typer.Argument(metavar="B", help="The story merged into A.")],
    db: DbOption = None,
) -> None:
    """Merge story B into story A; later clustering treats them as one."""
    from storyline.corrections import CorrectionError

    try:
        open_storyline(db).merge_stories(into, merged)
    except CorrectionError as error:
        errors.print(str(error))
        raise typer.Exit(code=2) from None
    console.print(f"Merged {merged} into {into}.", highlight=False)


@stories_app.command("move")
def stories_move(
    article_id: Annotated[str, typer.Argument(metavar="ARTICLE", help="An article id.")],
    to: Annotated[str | None, typer.Option("--to", help="The story to move it to.")] = None,
    new: Annotated[bool, typer.Option("--new", help="Start a new story with it.")] = False,
    db: DbOption = None,
) -> None:
    """Move an article to another story (or a new one); later clustering keeps the two apart."""
    from storyline.corrections import CorrectionError

    if (to is None) == (not new):
        errors.print("Say where: --to STORY or --new.")
        raise typer.Exit(code=2)
    try:
        story_id = open_storyline(db).move_article(article_id, to)
    except CorrectionError as error:
        errors.print(str(error))
        raise typer.Exit(code=2) from None
    console.print(f"Moved {article_id} to story {story_id}.", highlight=False)


@stories_app.command("recluster")
def stories_recluster(
    db: DbOption = None,
    at: Annotated[
        float | None,
        typer.Option("--at", min=0.0, max=1.0, help="Revise at this mean link (default: the fitted one)."),
    ] = None,
) -> None:
    """Revise the window's stories now: split those of two events, merge those of one."""
    splits, merges = open_storyline(db).recluster(at)
    console.print(f"{_count(splits, 'split')}, {_count(merges, 'merge')}.", highlight=False)


@stories_app.command("history")
def stories_history(
    story_id: Annotated[str, typer.Argument(metavar="STORY")],
    db: DbOption = None,
) -> None:
    """Show a story's history: created, merges, splits, moves."""
    for event in open_storyline(db).history(story_id):
        console.print(f"{event.at:%Y-%m-%d %H:%M}  {event.action}  {event.detail}", highlight=False)


@app.command()
def why(
    article_id: Annotated[str, typer.Argument(metavar="ARTICLE", help="An article id.")],
    db: DbOption = None,
) -> None:
    """Explain why an article is in its story: the score and the signals that decided it."""
    try:
        assignment = open_storyline(db).why(article_id)
    except ArticleNotFound:
        errors.print(f"No article {article_id!r}.")
        raise typer.Exit(code=2) from None
    console.print(f"[bold]{assignment.title or assignment.article_id}[/bold]", highlight=False)
    if assignment.story_headline is not None:
        console.print(
            f"is in story {assignment.story_id}: {assignment.story_headline}", highlight=False
        )
    if not assignment.signals:
        console.print("No record of how it was assigned.")
    for signal, values in assignment.signals.items():
        console.print(f"  {signal}: {', '.join(map(str, values))}", highlight=False)


@app.command()
def show(
    story_id: Annotated[str, typer.Argument(metavar="STORY", help="A story id from `storyline stories`.")],
    db: DbOption = None,
) -> None:
    """Show one story as a timeline of its articles."""
    storyline = open_storyline(db)
    story = story_or_exit(storyline, story_id)
    console.print(f"[bold]{story.headline}[/bold]", highlight=False)
    console.print(
        f"{story.first_date or '?'} – {story.last_date or '?'} · {story.article_count} articles"
        f" · {story.source_count} sources",
        highlight=False,
    )
    table = Table(show_header=True, title_justify="left")
    for column in ("date", "source", "title", "article"):
        table.add_column(column, overflow="fold")
    copies = (article for original in story.articles for article in (original, *original.copies))
    for article in sorted(copies, key=lambda a: (a.date is None, a.date or "", a.id)):
        title = article.title or "(no title)"
        if article.duplicate_of:
            title = f"[dim]↳ copy of {article.duplicate_of}: {title}[/dim]"
        table.add_row(article.date or "?", article.source or "?", title, article.id)
    console.print(table)
    statements = storyline.statements(story=story_id)
    if statements:
        print_statements(statements)


ExportKind = Enum("ExportKind", {name: name for name in EXPORTS}, type=str)


@app.command()
def who(
    name: Annotated[str, typer.Argument(help="A person or organisation, in any spelling.")],
    db: DbOption = None,
) -> None:
    """Everything a person or organisation said, across all stories, in date order."""
    storyline = open_storyline(db)
    matches = storyline.match_entities(name)
    if not matches:
        errors.print(f"Nobody called {name!r} in the store.")
        raise typer.Exit(code=2)
    entity = storyline.entity(matches[0].id)
    aliases = [alias for alias in entity.aliases if alias != entity.name]
    console.print(f"[bold]{entity.name}[/bold] ({entity.type})", highlight=False)
    if aliases:
        console.print("also written: " + ", ".join(aliases), highlight=False)
    if entity.roles:
        console.print("roles: " + ", ".join(entity.roles), highlight=False)
    if len(matches) > 1:
        others = ", ".join(f"{e.name} ({e.type})" for e in matches[1:])
        console.print(f"[dim]other matches: {others}[/dim]", highlight=False)
    print_statements(entity.statements, show_speaker=False)


def print_statements(statements: Sequence[StatementItem], show_speaker: bool = True) -> None:
    """Print statements as a table: date, speaker, what they said, where."""
    table = Table(title="Statements", title_justify="left")
    for column in ("said on", *(("speaker",) if show_speaker else ()), "statement", "source"):
        table.add_column(column, overflow="fold")
    for statement in statements:
        said_on = statement.said_on or "?"
        if statement.said_on_source == "article date":
            said_on += "*"
        content = statement.content if statement.direct else f"{statement.cue}: {statement.content}"
        # "It was reported that …" names no one: the outlet reports it on its own word.
        named = statement.speaker or statement.speaker_mention or "unnamed (the outlet reports it)"
        speaker = (named,) if show_speaker else ()
        table.add_row(said_on, *speaker, content, f"{statement.source or '?'} · {statement.article_id}")
    console.print(table)
    console.print("[dim]* dated by the article, not by the text[/dim]", highlight=False)


@app.command()
def claims(
    story_id: Annotated[str, typer.Argument(metavar="STORY", help="A story id from `storyline stories`.")],
    db: DbOption = None,
) -> None:
    """A story's claims: who stated what first, who repeated, confirmed, changed or disputed it.

    A claim holds every statement of it in the story's storyline (its thread), those made at
    earlier or later events included.
    """
    storyline = open_storyline(db)
    story = story_or_exit(storyline, story_id)
    console.print(f"[bold]{story.headline}[/bold]", highlight=False)
    notable = sorted(
        (claim for claim in storyline.claims(story=story_id) if claim.notable()),
        key=lambda c: (-len(c.statements), c.first_date or "9999"),
    )
    for claim in notable:
        console.print(f"\n[bold]{claim.text}[/bold]", highlight=False)
        console.print(
            f"  first: {claim.first_speaker} on {claim.first_date or '?'} ({claim.first_source or '?'});"
            f" {len(claim.statements)} statements from {len(claim.outlets)} outlets",
            highlight=False,
        )
        for verdict in claim.verdicts:
            console.print(f"  [cyan]{verdict.kind}[/cyan]: {verdict.reason}", highlight=False)
        for statement in claim.statements:
            console.print(
                f"    {statement.date or '?'}  {statement.speaker or statement.source}"
                f" ({statement.source or '?'}): {statement.content[:140]}",
                highlight=False,
            )
    if not notable:
        console.print("No claim is stated more than once in this story yet.")


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"


@app.command()
def export(
    kind: Annotated[ExportKind, typer.Argument(help="What to export.")],
    db: DbOption = None,
    format: Annotated[ExportFormat, typer.Option("--format", help="Output format.")] = ExportFormat.jsonl,
    with_text: Annotated[bool, typer.Option("--with-text", help="Include the clean text.")] = False,
    out: Annotated[Path | None, typer.Option(help="Write to this file instead of stdout.")] = None,
) -> None:
    """Export articles, stories, quotes, entities, time expressions or claims (JSONL or CSV)."""
    store = open_store(db)
    records = export_records(store, kind.value, with_text=with_text)
    if out is None:
        write_records(records, sys.stdout, format.value)
    else:
        with out.open("w", encoding="utf-8", newline="") as handle:
            write_records(records, handle, format.value)
        errors.print(f"Wrote {out}")


@app.command()
def report(
    db: DbOption = None,
    out: Annotated[Path, typer.Option(help="Folder to write the HTML report into.")] = Path(
        "storyline-report"
    ),
) -> None:
    """Write a static HTML report of all stories."""
    from storyline.report import write_report

    index = write_report(open_store(db), out)
    console.print(f"Report written: {index.resolve()}", highlight=False)


eval_app = typer.Typer(help="Measure accuracy on labelled data.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")

JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
LimitOption = Annotated[int | None, typer.Option(min=1, help="Score only the first N records.")]


def _emit(scores: object, text: str, as_json: bool) -> None:
    """Print scores as the formatter's text, or as JSON (dataclasses and their properties)."""
    if as_json:
        console.print_json(json.dumps(_jsonable(scores), default=str))
    else:
        console.print(text, highlight=False, soft_wrap=True)


def _jsonable(value: object) -> object:
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if dataclasses.is_dataclass(value):
        record = {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
        for name, _ in inspect.getmembers(type(value), lambda m: isinstance(m, property)):
            record[name] = _jsonable(getattr(value, name))
        return record
    return value


@eval_app.command("stories")
def eval_stories(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="Labelled articles, JSON lines; PATH:split=dev, PATH:since=2021-07-16 or "
            "PATH:before=2021-07-16 select part of a file (conditions joined by commas); "
            "PATH:labels=FILE takes the gold stories of a folder or file from a labels file."
        ),
    ],
    split: Annotated[str | None, typer.Option(help="Score only records of this split (train, dev).")] = None,
    limit: LimitOption = None,
    fit: Annotated[
        bool,
        typer.Option("--fit", help="Refit the shipped story weights on all the selections given."),
    ] = False,
    loco: Annotated[
        bool,
        typer.Option(
            "--loco",
            help="Leave one corpus out: score each selection with story weights fitted on the "
            "others (the shipped weights are not written).",
        ),
    ] = False,
    centroid_thresholds: Annotated[
        bool,
        typer.Option(
            "--centroid-thresholds",
            help="Only the online TF-IDF centroid baseline: its B3 F1 at each threshold of its "
            "grid, and the best (no ingest).",
        ),
    ] = False,
    revise_at: Annotated[
        float | None,
        typer.Option(
            "--revise-at", min=0.0, max=1.01,
            help="Revise stories at this mean link instead of the fitted one (1.01: never; not with --fit or --loco).",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """B-cubed and pairwise F1 of story clustering (overall and across languages), next to baselines."""
    from storyline.cluster.weights import weights_json
    from storyline.evaluate.stories import (
        MissingGold,
        Selection,
        evaluate_stories,
        fit_story_weights,
        format_folds,
        format_story_scores,
        leave_one_corpus_out,
        load_records,
        pick_centroid_threshold,
    )

    try:
        selections = [Selection.parse(text) for text in paths]
    except ValueError as error:
        raise typer.BadParameter(str(error)) from error
    for selection in selections:
        if not selection.path.exists():
            raise typer.BadParameter(f"{selection.path}: no such file or folder")
    if fit + loco + centroid_thresholds > 1:
        raise typer.BadParameter("--fit, --loco and --centroid-thresholds are separate runs")
    if loco and len(selections) < 2:
        raise typer.BadParameter("--loco needs at least two selections")
    try:
        if fit:
            console.print(weights_json(fit_story_weights(selections)), highlight=False)
            return
        if loco:
            folds = leave_one_corpus_out(selections)
            if as_json:
                console.print_json(json.dumps([fold.as_dict() for fold in folds], default=str))
            else:
                console.print(format_folds(folds), highlight=False, soft_wrap=True, markup=False)
            return
        if centroid_thresholds:
            for selection in selections:
                best, f1 = pick_centroid_threshold(load_records(selection.path, selection=selection))
                grid = "  ".join(f"{t:g}: {v:.3f}" for t, v in f1.items())
                console.print(
                    f"{selection.label}: online TF-IDF centroid B3 F1 by threshold: {grid}\n"
                    f"best threshold {best:g} (B3 F1 {f1[best]:.3f})",
                    highlight=False, soft_wrap=True, markup=False,
                )
            return
        for selection in selections:
            if split is not None or limit is not None:
                selection = dataclasses.replace(selection, split=split or selection.split, limit=limit)
            scores = evaluate_stories(selection, Settings(story_revise_probability=revise_at))
            if as_json:
                console.print_json(json.dumps(scores.as_dict(), default=str))
            else:
                console.print(format_story_scores(scores), highlight=False, soft_wrap=True, markup=False)
    except MissingGold as error:
        raise typer.BadParameter(str(error)) from error


@eval_app.command("times")
def eval_times(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="TIMEX3 JSON lines.")],
    limit: LimitOption = None,
    as_json: JsonOption = False,
) -> None:
    """TempEval-3 extraction (strict, relaxed) and value F1 of the time tagger."""
    from storyline.evaluate.times import evaluate_times, format_time_scores

    scores = [evaluate_times(path, limit=limit, split=s) for s in ("timebank", "aquaint", "all")]
    _emit(scores, format_time_scores(scores), as_json)


@eval_app.command("quotes")
def eval_quotes(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="PolNeAR JSON lines.")],
    half: Annotated[
        str, typer.Option(help="dev, check (the half not used to learn cue verbs) or all.")
    ] = "all",
    limit: LimitOption = None,
    as_json: JsonOption = False,
) -> None:
    """Precision, recall and F1 of quote content, source and cue (exact and overlap)."""
    from storyline.evaluate.quotes import evaluate_quotes, format_quote_scores

    scores = evaluate_quotes(path, limit=limit, half=half)
    _emit(scores, format_quote_scores(scores), as_json)


@eval_app.command("entities")
def eval_entities(
    path: Annotated[Path, typer.Argument(exists=True, help="ECB+ entity chains (or the data folder).")],
    split: Annotated[str | None, typer.Option(help="train or dev; both when omitted.")] = None,
    limit: LimitOption = None,
    as_json: JsonOption = False,
) -> None:
    """Cross-document resolution of people and organisations: B-cubed and pairwise F1."""
    from storyline.evaluate.entities import evaluate_entities, format_entity_scores

    scores = evaluate_entities(path, split=split, limit=limit)
    _emit(scores, format_entity_scores(scores), as_json)


@eval_app.command("claims")
def eval_claims(
    paths: Annotated[
        list[str],
        typer.Argument(metavar="FILE...", help="premise/hypothesis/label JSON lines; PATH:half=b for part of one."),
    ],
    comparer: Annotated[
        str, typer.Option(help="With one file: the comparer scored, learned or rules.")
    ] = "learned",
    loco: Annotated[
        bool,
        typer.Option("--loco", help="Leave one data set out: fit the learned comparer without each in turn."),
    ] = False,
    predictions: Annotated[
        Path | None, typer.Option("--predictions", help="With one file: write one {id, label} line per pair here.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Accuracy and F1 per label of the statement comparer; several files: the rules, the cross-encoder
    and the learned comparer side by side."""
    from storyline.claims.compare import METHODS, ComparerParams
    from storyline.evaluate.claims import (
        compare_comparers,
        evaluate_claims,
        format_claim_scores,
        format_comparer_table,
        leave_one_dataset_out,
    )

    if comparer not in METHODS:
        raise typer.BadParameter(f"{comparer!r}: one of {', '.join(METHODS)}", param_hint="--comparer")
    _require_files(paths, "FILE")
    try:
        if loco:
            table = leave_one_dataset_out(paths)
            _emit(table, format_comparer_table(table), as_json)
        elif len(paths) > 1:
            table = compare_comparers(paths)
            _emit(table, format_comparer_table(table), as_json)
        else:
            scores = evaluate_claims(paths[0], predictions_out=predictions, params=ComparerParams(method=comparer))
            _emit(scores, format_claim_scores(scores), as_json)
    except ValueError as error:
        errors.print(f"error: {error}", highlight=False)
        raise typer.Exit(2) from None


def _require_files(selections: list[str], hint: str) -> None:
    """Refuse a selection (`PATH` or `PATH:field=value`) whose file does not exist."""
    for selection in selections:
        if not Path(selection).exists() and not Path(selection.partition(":")[0]).exists():
            raise typer.BadParameter(f"{selection}: no such file", param_hint=hint)


train_app = typer.Typer(help="Fit the models that ship in the package.", no_args_is_help=True)
app.add_typer(train_app, name="train")


@train_app.command("claims")
def train_claims_command(
    paths: Annotated[
        list[str],
        typer.Argument(metavar="DATA...", help="Labelled NLI pairs, JSON lines; PATH:half=a for part of one."),
    ],
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the weights here (default: print them).")
    ] = None,
) -> None:
    """Fit the learned statement comparer (deterministic) and write its weights."""
    from storyline.claims.train import train_claims

    _require_files(paths, "DATA")
    try:
        weights = train_claims(paths)
    except ValueError as error:
        errors.print(f"error: {error}", highlight=False)
        raise typer.Exit(2) from None
    if out is None:
        console.print(weights.to_json(), highlight=False, soft_wrap=True)
    else:
        out.write_text(weights.to_json(), encoding="utf-8")
        console.print(f"wrote {out}: confident at {weights.confident_at}")


@train_app.command("cross-encoder")
def train_cross_encoder_command(
    paths: Annotated[
        list[str],
        typer.Argument(metavar="DATA...", help="Labelled NLI pairs, JSON lines; PATH:half=a for part of one."),
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Folder for the graph, tokenizer and card (default: the package's)."),
    ] = None,
    epochs: Annotated[int, typer.Option(min=1)] = 2,
    threads: Annotated[int, typer.Option(min=1, help="CPU threads (the result depends on it).")] = 2,
) -> None:
    """Fine-tune the NLI cross-encoder on the data's training folds (needs the train extra)."""
    from storyline.claims.cross_encoder import MODEL_DIR

    _require_files(paths, "DATA")
    try:
        from storyline.claims.cross_encoder.finetune import finetune
    except ImportError as error:
        errors.print(f"error: {error.name} is missing: pip install 'storyline[train]'", highlight=False)
        raise typer.Exit(2) from None
    try:
        card = finetune(paths, out or MODEL_DIR, epochs=epochs, threads=threads)
    except ValueError as error:
        errors.print(f"error: {error}", highlight=False)
        raise typer.Exit(2) from None
    console.print(f"wrote {out or MODEL_DIR}: {card['pairs']} pairs, {card['minutes']} min")


@app.command()
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on (loopback only by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Open the story desk: stories, people, statements, search and a JSON API, in the browser."""
    from storyline.desk import serve as serve_desk

    with store_errors():
        serve_desk(db or default_db_url(), host, port)


@app.command()
def watch(
    urls: Annotated[
        list[str] | None, typer.Argument(metavar="URL...", help="Feeds: RSS, Atom or XML sitemaps.")
    ] = None,
    feeds: Annotated[
        Path | None,
        typer.Option(
            "--feeds", exists=True, dir_okay=False, help="A file of feed URLs, one a line; # comments."
        ),
    ] = None,
    interval: Annotated[float, typer.Option(min=1, help="Seconds from one poll to the next.")] = 300,
    once: Annotated[bool, typer.Option("--once", help="Poll once and exit (for cron).")] = False,
    host_delay: Annotated[
        float,
        typer.Option(min=0, help="Least seconds between two requests to one host; 0 for none."),
    ] = Settings.watch_host_delay,
    warc: Annotated[
        Path | None,
        typer.Option(
            "--warc",
            help="Folder for the raw responses, as WARC (default: storyline-warc beside a SQLite "
            "store, else in the working directory).",
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Watch feeds over HTTP: fetch each new page they list, keep it as WARC, and ingest it.

    Feeds are fetched conditionally (ETag, Last-Modified), robots.txt is obeyed, one host is
    asked at most once every --host-delay seconds; a page already fetched or stored is never
    fetched again, so --once from cron and a long-running watch do the same work. With --once
    the exit code is 1 when no feed could be fetched at all, and 0 otherwise (each failing feed
    or page is printed, and kept in `storyline problems`).
    """
    from storyline.fetch.archive import WarcArchive, default_archive_folder
    from storyline.fetch.http import HttpFetcher
    from storyline.fetch.watch import Watcher, read_feed_list

    listed = read_feed_list(feeds.read_text(encoding="utf-8")) if feeds else []
    feed_urls = list(dict.fromkeys([*(urls or []), *listed]))
    if not feed_urls:
        errors.print("Name the feeds to watch: URL... or --feeds FILE.")
        raise typer.Exit(code=2)
    settings = Settings(db_url=db or default_db_url(), watch_host_delay=host_delay)
    archive = WarcArchive(warc or default_archive_folder(settings.db_url))
    with HttpFetcher(settings) as fetcher:
        watcher = Watcher(open_store(settings.db_url), settings, fetcher, archive)
        try:
            if console.is_terminal:
                answered = _watch_live(watcher, feed_urls, interval, once)
            else:
                answered = _watch_plain(watcher, feed_urls, interval, once)
        except KeyboardInterrupt:
            answered = True
    raise typer.Exit(code=0 if answered else 1)


def _watch_plain(watcher: Watcher, feed_urls: list[str], interval: float, once: bool) -> bool:
    """Poll (once, or every `interval` seconds), printing plain lines; return whether any feed answered."""
    while True:
        report = watcher.poll(feed_urls)
        for line in _poll_lines(report):
            console.print(line, highlight=False, soft_wrap=True, markup=False)
        for problem in report.problems:
            errors.print(f"{problem.origin}: {problem.reason}", highlight=False, soft_wrap=True, markup=False)
        if once:
            return report.answered_any
        time.sleep(interval)


def _watch_live(watcher: Watcher, feed_urls: list[str], interval: float, once: bool) -> bool:
    """Poll as `_watch_plain` does, with a live table of the feeds instead of lines."""
    from rich.live import Live

    with Live(console=console, refresh_per_second=4, transient=False) as live:
        while True:
            report = watcher.poll(feed_urls, lambda r: live.update(_watch_table(r, "polling…")))
            for problem in report.problems:
                live.console.print(
                    f"[yellow]{problem.origin}: {problem.reason}[/yellow]", highlight=False, soft_wrap=True
                )
            if once:
                live.update(_watch_table(report, "done"))
                return report.answered_any
            upcoming = datetime.now() + timedelta(seconds=interval)
            live.update(_watch_table(report, f"next poll at {upcoming:%H:%M:%S} (Ctrl-C stops)"))
            time.sleep(interval)


def _watch_table(report: PollReport, caption: str) -> Table:
    """Return the live view of a poll: one row per feed."""
    table = Table(title="storyline watch", caption=caption, title_justify="left")
    for column in ("feed", "status", "new articles", "errors"):
        table.add_column(column, overflow="fold")
    for feed in report.feeds.values():
        style = "yellow" if feed.errors else None
        table.add_row(feed.url, feed.status, str(feed.new_articles), str(feed.errors), style=style)
    return table


def _poll_lines(report: PollReport) -> list[str]:
    """Return a poll's summary line, then one line per feed."""
    new = sum(feed.new_articles for feed in report.feeds.values())
    lines = [
        f"poll: {_count(len(report.feeds), 'feed')}, {_count(report.pages_fetched, 'page')} "
        f"fetched, {_count(new, 'new article')}, {_count(len(report.problems), 'problem')}"
    ]
    for feed in report.feeds.values():
        lines.append(f"  {feed.url}: {feed.status}; {feed.new_articles} new, {_count(feed.errors, 'error')}")
    return lines


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


db_app = typer.Typer(help="The store's schema: its revision, and upgrading it.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("current")
def db_current(db: DbOption = None) -> None:
    """Show the store's schema revision and the one this Storyline needs (head)."""
    with store_errors():
        state = schema_state(db or default_db_url())
    if state.empty:
        at = "none: the database is empty (opening it creates a store at head)"
    elif state.recorded:
        at = describe(state.recorded)
    elif state.matched:
        at = f"{describe(state.matched)}, told by its tables (made before revisions were recorded)"
    else:
        at = f"none, and its tables match no revision ({state.mismatch})"
    console.print(f"store: {at}\nhead:  {describe(state.head)}", highlight=False, soft_wrap=True)
    if state.revision not in (None, state.head):
        console.print("Back the store up, then run `storyline db upgrade`.", highlight=False)


@db_app.command("upgrade")
def db_upgrade(db: DbOption = None) -> None:
    """Upgrade the store's schema to this Storyline's revision (back the store up first).

    A store made before revisions were recorded is recognised by its tables. Processes opening
    the store meanwhile wait for the upgrade; on PostgreSQL it is one transaction, all or nothing.
    """
    with store_errors():
        before = upgrade_schema(db or default_db_url())
    if before.empty:
        done = f"Created a new store at {describe(before.head)}."
    elif before.revision == before.head:
        done = f"Already at {describe(before.head)}" + (
            "; nothing to upgrade." if before.recorded else "; the revision is now recorded."
        )
    else:
        done = f"Upgraded from {describe(before.revision)} to {describe(before.head)}."
    console.print(done, highlight=False, soft_wrap=True)


@app.command()
def problems(db: DbOption = None) -> None:
    """List the input that could not be read (the quarantine list)."""
    for problem in open_storyline(db).problems():
        console.print(f"{problem.at:%Y-%m-%d %H:%M} {problem.origin}: {problem.reason}", highlight=False)


if __name__ == "__main__":
    app()
