"""Metadata from the text: datelines, outlets, dates, and years that are never invented."""

from __future__ import annotations

from datetime import date

import pytest

from storyline.cluster.profile import StoryProfile
from storyline.model import Article
from storyline.pipeline import with_story_year
from storyline.read.metadata import complete_metadata, find_dateline, normalize_date
from storyline.settings import Settings


def _article(text: str, **fields) -> Article:
    return Article(id="a", title="Headline", text=text, origin="t", **fields)


def test_agency_dateline_gives_outlet_and_partial_date() -> None:
    text = "Huaxia News Agency, Geneva, March 3rd (Reporter Li Wen) Talks resumed on the 3rd."
    dateline, outlet, date = find_dateline(text)
    assert dateline == "Huaxia News Agency, Geneva, March 3rd (Reporter Li Wen)"
    assert outlet == "Huaxia News Agency"
    assert date == "XXXX-03-03"


def test_wire_dateline_with_outlet_in_brackets() -> None:
    _, outlet, date = find_dateline("GENEVA, March 3 (Coast Wire) - Talks resumed on Thursday.")
    assert outlet == "Coast Wire" and date == "XXXX-03-03"


def test_dateline_may_follow_a_repeated_headline() -> None:
    text = "Talks resume\n\nHuaxia News Agency, Geneva, March 3rd (Reporter Li Wen) Talks resumed."
    assert find_dateline(text)[1] == "Huaxia News Agency"


def test_year_comes_from_the_text_when_the_dateline_has_none() -> None:
    text = "Huaxia News Agency, Geneva, March 3rd (Reporter Li Wen) The 2022 talks resumed."
    article = complete_metadata(_article(text), Settings())
    assert (article.date, article.date_source, article.source) == ("2022-03-03", "dateline", "Huaxia News Agency")


def test_the_date_option_gives_the_year_nearest_to_it() -> None:
    # Collected on 2 January, a dispatch of 30 December is from the year before, whatever
    # year the text names most.
    text = (
        "Huaxia News Agency, Geneva, December 30th (Reporter Li Wen) Negotiators said on the "
        "30th that the 2022 grain quota would be settled at the next round."
    )
    article = complete_metadata(_article(text), Settings(default_date="2022-01-02"))
    assert (article.date, article.date_source) == ("2021-12-30", "dateline")


def test_without_any_year_the_date_stays_partial() -> None:
    text = "Huaxia News Agency, Geneva, March 3rd (Reporter Li Wen) Talks resumed."
    assert complete_metadata(_article(text), Settings()).date == "XXXX-03-03"


def test_metadata_date_wins_and_is_normalised() -> None:
    article = complete_metadata(
        _article("GENEVA, March 3 (Coast Wire) - Talks.", date="2022-03-04T08:00:00Z", date_source="metadata"),
        Settings(),
    )
    assert (article.date, article.date_source, article.source) == ("2022-03-04", "metadata", "Coast Wire")


def test_date_option_and_source_option_fill_what_is_missing() -> None:
    article = complete_metadata(_article("No dates here at all."), Settings(default_date="2022-02-01", default_source="Desk"))
    assert (article.date, article.date_source, article.source) == ("2022-02-01", "--date", "Desk")


def test_lead_date_is_the_latest_day_named_in_the_first_paragraph() -> None:
    text = "The envoy arrived on January 24th and met the minister on January 25th, 2022."
    article = complete_metadata(_article(text), Settings())
    assert (article.date, article.date_source) == ("2022-01-25", "text")


def test_normalize_date_handles_iso_timestamps() -> None:
    assert normalize_date("2022-01-25T09:00:00Z") == "2022-01-25"
    assert normalize_date(None) is None


def test_a_published_line_dates_the_article() -> None:
    article = complete_metadata(_article("*Published 25.01.2022, 09:40 EET | Tallinn*\n\nTalks resumed."), Settings())
    assert (article.date, article.date_source) == ("2022-01-25", "dateline")


def test_a_yearless_dateline_is_not_earlier_than_the_past_events_it_reports() -> None:
    # 2021 and 2022 are named once each; the dateline follows the sample taken in 2021, and
    # the meeting still to come in 2022 does not push it on.
    text = (
        "Huaxia News Agency, Geneva, January 14th (Reporter Lin Hao) The health agency said on "
        "the 14th that samples collected in Lagos on November 30, 2021 had confirmed the new "
        "variant. An expert panel will meet on March 2, 2022 to review the findings."
    )
    article = complete_metadata(_article(text), Settings())
    assert (article.date, article.date_source) == ("2022-01-14", "dateline")


def test_a_dateline_already_after_the_reported_events_keeps_its_year() -> None:
    text = (
        "Huaxia News Agency, Kyiv, February 24th (Reporter Lin Hao) Officials recalled that "
        "Crimea was annexed in March 2014. Talks held on January 3, 2022 failed, and the 2022 "
        "budget was cut."
    )
    assert complete_metadata(_article(text), Settings()).date == "2022-02-24"


def test_a_month_named_as_a_forecast_does_not_move_the_dateline() -> None:
    text = (
        "Huaxia News Agency, Kyiv, January 25th (Reporter Lin Hao) Military analysts said an "
        "offensive is possible in January-February 2022, before the ground thaws."
    )
    assert complete_metadata(_article(text), Settings()).date == "2022-01-25"


def test_a_dateline_takes_the_year_after_a_past_day_of_the_year_before() -> None:
    # The only year named is that of a test taken seven weeks earlier: the dateline follows it.
    text = (
        "Huaxia News Agency, Lausanne, February 3rd (Reporter Mei Lan) The cycling union said "
        "on the 3rd that a urine sample given by the rider at a stage race in Valencia on "
        "December 12, 2021 had shown traces of a banned diuretic. The rider was told on "
        "January 30 and has ten days to ask for the second sample to be opened."
    )
    article = complete_metadata(_article(text), Settings())
    assert (article.date, article.date_source) == ("2022-02-03", "dateline")


def test_an_announced_day_of_the_next_year_does_not_pull_the_dateline_forward() -> None:
    # 2022 is the only year named, in a meeting still to come: the dispatch is from December 2021.
    text = (
        "Huaxia News Agency, Geneva, December 20th (Reporter Lin Hao) Envoys said on the 20th "
        "that talks on the grain corridor had stalled over inspections. They will meet again "
        "in Vienna on January 10, 2022."
    )
    assert complete_metadata(_article(text), Settings()).date == "2021-12-20"


def test_a_target_year_does_not_become_the_year_of_the_dateline() -> None:
    text = (
        "Huaxia News Agency, Oslo, February 24th (Reporter Lin Hao) The climate minister said "
        "on the 24th, after talks that ended on February 21, 2022, that the country will halve "
        "its emissions by 2030. Offshore wind output will triple by 2030, she said."
    )
    assert complete_metadata(_article(text), Settings()).date == "2022-02-24"


@pytest.mark.parametrize(
    ("dateline", "first_day", "last_day", "expected"),
    [
        # one member dated a year early (a dateline that took the year of a past event)
        ("Beijing, February 17th", date(2021, 2, 11), date(2022, 2, 15), "2022-02-17"),
        # a story that has run since the previous spring
        ("Beijing, February 17th", date(2021, 3, 1), date(2022, 2, 10), "2022-02-17"),
        # a dispatch of late December reaching a story of early January
        ("Kyiv, December 30th", date(2022, 1, 2), date(2022, 1, 6), "2021-12-30"),
    ],
)
def test_a_story_gives_a_yearless_article_the_year_of_its_latest_days(
    dateline: str, first_day: date, last_day: date, expected: str
) -> None:
    text = f"Huaxia News Agency, {dateline} (Reporter Guo Rui) Officials said work went on."
    partial = complete_metadata(_article(text), Settings())
    assert partial.date == f"XXXX{expected[4:]}"
    dated = with_story_year(partial, StoryProfile("s1", first_day=first_day, last_day=last_day))
    assert (dated.date, dated.date_source) == (expected, "dateline+story year")
