"""Metadata from the text: datelines, outlets, dates, and years that are never invented."""

from __future__ import annotations

from storyline.model import Article
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


def test_year_comes_from_the_date_option_next() -> None:
    text = "Huaxia News Agency, Geneva, March 3rd (Reporter Li Wen) Talks resumed."
    article = complete_metadata(_article(text), Settings(default_date="2021-12-30"))
    assert article.date == "2021-03-03"


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
