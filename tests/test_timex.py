"""Time expressions found in news text and normalised to TIMEX3 values."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storyline.analyse.timex import find_times, parse_date, resolve_year


def values(text: str, anchor: str | None) -> dict[str, tuple[str, str, str | None]]:
    """Return each expression's text mapped to its (type, value, mod)."""
    return {t.text: (t.type, t.value, t.mod) for t in find_times(text, anchor)}


def test_day_of_month_takes_the_anchor_month():
    text = (
        "The alliance's secretary general said on the 24th that no troops would be sent, "
        "and leaders will meet by video on the 25th."
    )
    found = values(text, "2022-02-24")
    assert found["the 24th"] == ("DATE", "2022-02-24", None)
    assert found["the 25th"] == ("DATE", "2022-02-25", None)


def test_day_before_counts_from_the_last_date_mentioned():
    text = (
        "The spokeswoman spoke to reporters on January 25th. The day before, several members "
        "had announced new deployments."
    )
    found = values(text, "2022-01-27")
    assert found["January 25th"] == ("DATE", "2022-01-25", None)
    assert found["The day before"] == ("DATE", "2022-01-24", None)


def test_said_on_a_date_in_a_past_tense_report():
    found = values(
        "A Pentagon spokesman said on January 24 that units were on alert.", "2022-01-26"
    )
    assert found["January 24"] == ("DATE", "2022-01-24", None)


def test_month_range_gives_two_dates_sharing_the_year():
    found = values("Officials expect an offensive in January-February 2022.", "2021-12-20")
    assert found["January"] == ("DATE", "2022-01", None)
    assert found["February 2022"] == ("DATE", "2022-02", None)


def test_early_february_is_the_month_with_a_start_mod():
    found = values("Joint exercises are planned for early February.", "2022-01-25")
    assert found["early February"] == ("DATE", "2022-02", "START")


def test_dateline_without_a_year_stays_partial():
    assert parse_date("Xinhua News Agency, Brussels, February 24th") == "XXXX-02-24"


def test_dateline_takes_the_year_from_a_reference_date():
    assert parse_date("Reuters, Kyiv, December 30th", "2022-01-02") == "2021-12-30"
    assert parse_date("Warsaw, 24.02.2022") == "2022-02-24"
    assert parse_date("No date in this line at all") is None


def test_resolve_year_prefers_the_reference_then_the_text():
    assert resolve_year("XXXX-02-24", "2022-03-01") == "2022-02-24"
    assert resolve_year("XXXX-02-24", None, [2021, 2022, 2022]) == "2022-02-24"
    assert resolve_year("XXXX-02-24") == "XXXX-02-24"
    assert resolve_year("2020-05-01", "2022-03-01") == "2020-05-01"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("January 25, 2022", ("DATE", "2022-01-25", None)),
        ("25 January", ("DATE", "2022-01-25", None)),
        ("Jan. 25", ("DATE", "2022-01-25", None)),
        ("February 24th", ("DATE", "2022-02-24", None)),
        ("2022-02-24", ("DATE", "2022-02-24", None)),
        ("24.02.2022", ("DATE", "2022-02-24", None)),
        ("yesterday", ("DATE", "2022-01-24", None)),
        ("today", ("DATE", "2022-01-25", None)),
        ("tonight", ("DATE", "2022-01-25TNI", None)),
        ("this week", ("DATE", "2022-W04", None)),
        ("last week", ("DATE", "2022-W03", None)),
        ("next month", ("DATE", "2022-02", None)),
        ("last year", ("DATE", "2021", None)),
        ("this summer", ("DATE", "2022-SU", None)),
        ("the first quarter of 1998", ("DATE", "1998-Q1", None)),
        ("the 1990s", ("DATE", "199", None)),
        ("three days", ("DURATION", "P3D", None)),
        ("two years", ("DURATION", "P2Y", None)),
        ("24 hours", ("DURATION", "PT24H", None)),
        ("a decade", ("DURATION", "P10Y", None)),
        ("more than two weeks", ("DURATION", "P2W", "MORE_THAN")),
        ("3 p.m.", ("TIME", "2022-01-25T15:00", None)),
        ("every week", ("SET", "P1W", None)),
        ("daily", ("SET", "P1D", None)),
        ("now", ("DATE", "PRESENT_REF", None)),
        ("currently", ("DATE", "PRESENT_REF", None)),
        ("recently", ("DATE", "PAST_REF", None)),
        ("the future", ("DATE", "FUTURE_REF", None)),
        ("mid-March", ("DATE", "2022-03", "MID")),
        ("late 2021", ("DATE", "2021", "END")),
    ],
)
def test_common_news_expressions(text: str, expected: tuple[str, str, str | None]):
    sentence = f"Diplomats met {text} in Geneva."
    found = values(sentence, "2022-01-25")
    assert found.get(text) == expected, found


def test_weekday_in_past_tense_news_is_the_one_before_the_anchor():
    found = values("The minister resigned on Monday after a week of protests.", "2022-01-27")
    assert found["Monday"] == ("DATE", "2022-01-24", None)


def test_weekday_in_future_tense_is_the_one_after_the_anchor():
    found = values("The parliament will vote on Monday.", "2022-01-27")
    assert found["Monday"] == ("DATE", "2022-01-31", None)


def test_month_without_year_in_past_news_is_the_latest_one():
    found = values("Prices began to climb in November, the agency reported.", "2022-01-25")
    assert found["November"] == ("DATE", "2021-11", None)


def test_two_days_later_counts_from_the_last_date():
    found = values("Talks opened on March 3. Two days later, the delegations left.", "2022-03-20")
    assert found["Two days later"] == ("DATE", "2022-03-05", None)


def test_quarter_comparison_a_year_ago_is_last_years_quarter():
    text = "The company earned $5 million in the third quarter, up from $4 million a year ago."
    found = values(text, "1989-11-02")
    assert found["the third quarter"] == ("DATE", "1989-Q3", None)
    assert found["a year ago"] == ("DATE", "1988-Q3", None)


def test_no_anchor_keeps_values_partial():
    found = values("On January 25th the talks failed; the day before they had stalled.", None)
    assert found["January 25th"] == ("DATE", "XXXX-01-25", None)
    assert found["the day before"] == ("DATE", "XXXX-01-24", None)
    assert values("They met yesterday.", None)["yesterday"][1] == "XXXX-XX-XX"


def test_words_that_only_look_like_dates_are_left_alone():
    text = "She may march with the 6-year-old boy; the current account shows 1,990 shares."
    assert find_times(text, "2022-01-25") == []


@settings(max_examples=300, deadline=None)
@given(st.text(), st.sampled_from([None, "2022-02-24", "XXXX-02-24", "1998-01-08"]))
def test_find_times_never_raises_and_offsets_slice_the_text(text: str, anchor: str | None):
    for t in find_times(text, anchor):
        assert text[t.start : t.end] == t.text
        assert t.type in ("DATE", "TIME", "DURATION", "SET")


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "on",
                "the",
                "24th",
                "Monday",
                "May",
                "2022",
                "3",
                "p.m.",
                "two",
                "days",
                "ago",
                "last",
                "year",
                "early",
                "February",
                "-",
                ",",
                ".",
                "the day before",
                "every",
                "quarter",
                "third",
                "1990s",
                "24.02.2022",
                "now",
                "\n",
                "Jan.",
                "25",
            ]
        ),
        max_size=25,
    )
)
def test_find_times_on_news_like_word_salad(words: list[str]):
    text = " ".join(words)
    found = find_times(text, "2022-02-24")
    for t in found:
        assert text[t.start : t.end] == t.text
    spans = sorted((t.start, t.end) for t in found)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))
