"""Dating statements: the date attached to the cue, never one inside the quoted content."""

from __future__ import annotations

import pytest

from storyline.analyse import analyse_batch
from storyline.analyse.attribution import SAID_ON_ARTICLE, SAID_ON_TIME, date_statements
from storyline.analyse.nlp import PipelineMissing, load_pipeline
from storyline.model import Article, Statement, TimeExpression
from storyline.settings import Settings

TEXT = (
    "Harbour master Ana Ruiz said on March 2 that the port would reopen on March 9. "
    "The union said the strike was over."
)


def _statement(content: str, cue_at: int) -> Statement:
    start = TEXT.index(content)
    return Statement("x", "said", content, start, start + len(content), False, cue_start=cue_at, cue_end=cue_at + 4)


def test_date_next_to_the_cue_dates_the_statement_not_the_date_in_the_content() -> None:
    times = [
        TimeExpression("March 2", TEXT.index("March 2"), TEXT.index("March 2") + 7, "DATE", "2022-03-02"),
        TimeExpression("March 9", TEXT.index("March 9"), TEXT.index("March 9") + 7, "DATE", "2022-03-09"),
    ]
    sentences = [(0, TEXT.index("The union") - 1), (TEXT.index("The union"), len(TEXT))]
    first = _statement("the port would reopen on March 9", TEXT.index("said"))
    second = _statement("the strike was over", TEXT.index("said the strike"))
    dated = date_statements([first, second], times, sentences, "2022-03-03")
    assert (dated[0].said_on, dated[0].said_on_source) == ("2022-03-02", SAID_ON_TIME)
    assert (dated[1].said_on, dated[1].said_on_source) == ("2022-03-03", SAID_ON_ARTICLE)


def test_without_any_date_said_on_stays_empty() -> None:
    statement = _statement("the strike was over", TEXT.index("said the strike"))
    (dated,) = date_statements([statement], [], [(0, len(TEXT))], None)
    assert dated.said_on is None and dated.said_on_source is None


def test_analysis_dates_a_relative_cue_against_the_article_date() -> None:
    try:
        load_pipeline(Settings().spacy_candidates())
    except PipelineMissing as missing:
        pytest.skip(str(missing))
    text = (
        "Pentagon spokesman John Kirby said on Monday that about 8,500 troops were on alert. "
        "The secretary general said NATO would not send combat troops."
    )
    (article,) = analyse_batch([Article("k", "Troops on alert", text, "t", date="2022-01-26")], Settings())
    by_cue_speaker = {s.speaker: s for s in article.statements}
    kirby = by_cue_speaker["John Kirby"]
    assert (kirby.said_on, kirby.said_on_source) == ("2022-01-24", SAID_ON_TIME)
    assert "8,500 troops" in kirby.content
    assert article.text[kirby.start : kirby.end] == kirby.content
