"""Time expressions found in news text and normalised to TIMEX3 values."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storyline.analyse.timex import (
    find_times,
    in_future_clause,
    parse_date,
    resolve_year,
    shift_day,
)


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


def test_two_days_later_is_a_duration_and_a_year_earlier_a_date():
    # TimeML: "later" is a signal and the time is the duration; year-on-year stays a date.
    text = (
        "Talks opened on March 3. Two days later, the delegations left. Exports rose 4% "
        "from a year earlier."
    )
    found = values(text, "2022-03-20")
    assert found["Two days"] == ("DURATION", "P2D", None)
    assert found["a year earlier"] == ("DATE", "2021", None)
    assert "Two days later" not in found


def test_the_next_day_still_counts_from_the_last_date():
    found = values("Talks opened on March 3. The next day, the delegations left.", "2022-03-20")
    assert found["The next day"] == ("DATE", "2022-03-04", None)


def test_quarter_comparison_a_year_ago_is_last_years_quarter():
    text = "The company earned $5 million in the third quarter, up from $4 million a year ago."
    found = values(text, "1989-11-02")
    assert found["the third quarter"] == ("DATE", "1989-Q3", None)
    assert found["a year ago"] == ("DATE", "1988-Q3", None)


def test_a_past_verb_before_the_weekday_outweighs_a_later_will():
    # 2022-01-26 is a Wednesday; "said Monday" is the Monday that has gone by.
    found = values("The ministry said Monday it will close two border crossings.", "2022-01-26")
    assert found["Monday"] == ("DATE", "2022-01-24", None)


def test_a_bare_weekday_naming_the_next_day_is_tomorrow():
    # Six days back would be "last Thursday"; on a Wednesday, "Thursday" is the next day ...
    found = values("Negotiators meet Thursday in Vienna.", "2022-01-26")
    assert found["Thursday"] == ("DATE", "2022-01-27", None)
    # ... unless the verb puts it in the past.
    found = values("Negotiators met Thursday in Vienna.", "2022-01-26")
    assert found["Thursday"] == ("DATE", "2022-01-20", None)


def test_a_passive_future_is_not_read_as_past():
    text = "The new commander will be named in October."
    assert values(text, "2022-03-04")["October"] == ("DATE", "2022-10", None)
    assert values("The commander was named in October.", "2022-03-04")["October"][1] == "2021-10"


def test_the_latest_quarter_is_one_that_has_ended():
    text = (
        "The insurer expects fourth-quarter earnings to recover. In the latest quarter it lost "
        "$7 million, against a profit of $6 million a year ago."
    )
    found = values(text, "1989-11-02")
    assert found["the latest quarter"] == ("DATE", "1989-Q3", None)
    assert found["a year ago"] == ("DATE", "1988-Q3", None)


def test_spoken_years_join_the_month_or_season_before_them():
    text = "Oil last sold this cheaply in the winter of nineteen ninety-four and in May nineteen ninety."
    found = values(text, "1998-02-23")
    assert found["the winter of nineteen ninety-four"] == ("DATE", "1994-WI", None)
    assert found["May nineteen ninety"] == ("DATE", "1990-05", None)


def test_seasons_with_and_without_a_year():
    text = (
        "Sales slowed over the summer, picked up in the early autumn of 1988 and "
        "will recover in the spring. The fall of the old regime was not mentioned."
    )
    found = values(text, "1989-10-26")
    assert found["the summer"] == ("DATE", "1989-SU", None)
    assert found["the early autumn of 1988"] == ("DATE", "1988-FA", "START")
    assert found["the spring"] == ("DATE", "1990-SP", None)
    assert "The fall" not in found


def test_a_fiscal_year_ended_on_a_date_is_a_duration():
    text = (
        "Revenue was $90 million in the year ended March 31. Sales for the full year should rise."
    )
    found = values(text, "1989-10-31")
    assert found["the year"] == ("DURATION", "P1Y", None)
    assert found["the full year"] == ("DATE", "1989", None)


def test_that_year_is_the_last_year_named():
    found = values("Imports rose sharply in 1986. That year the deficit doubled.", "1989-11-02")
    assert found["That year"] == ("DATE", "1986", None)


def test_the_past_year_is_the_year_before_and_the_past_decade_a_duration():
    text = "Hate groups grew over the past year, and over the past decade."
    found = values(text, "1998-03-03")
    assert found["the past year"] == ("DATE", "1997", None)
    assert found["the past decade"] == ("DURATION", "P10Y", None)


def test_one_day_after_a_modal_is_the_future():
    found = values("Analysts say the region will one day export power.", "2022-01-25")
    assert found["one day"] == ("DATE", "FUTURE_REF", None)
    assert values("The strike lasted one day.", "2022-01-25")["one day"][0] == "DURATION"


def test_plural_recent_weeks_is_a_duration_but_recent_years_a_past_reference():
    text = "In recent weeks lenders pulled back, as they had in recent years."
    found = values(text, "1989-10-30")
    assert found["recent weeks"] == ("DURATION", "PXW", None)
    assert found["recent years"] == ("DATE", "PAST_REF", None)


def test_vague_decades_keep_their_unit():
    found = values("The mosque has stood for decades.", "2022-01-25")
    assert found["decades"] == ("DURATION", "PXE", None)


def test_ages_signals_and_fractions_are_not_times():
    text = (
        "Mr. Lane, 52 years old, said shares would be sold as soon as trading opened. Iraq buys "
        "three-quarters of its grain abroad, and the future of the port is unclear."
    )
    assert find_times(text, "1989-10-30") == []


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


def test_shift_day_moves_a_day_value_and_keeps_a_partial_year():
    assert shift_day("2022-03-01", -1) == "2022-02-28"
    assert shift_day("XXXX-01-26", -1) == "XXXX-01-25"
    assert shift_day("2022-02", -1) is None
    assert shift_day(None, 0) is None


def test_in_future_clause_reads_the_tense_around_an_expression():
    text = "The panel met on March 2, 2022 and will meet again on April 5, 2022."
    march, april = text.index("March 2, 2022"), text.index("April 5, 2022")
    assert not in_future_clause(text, march, march + 13)
    assert in_future_clause(text, april, april + 13)
