"""Contradictions written from entailed pairs for the cross-encoder's training."""

from __future__ import annotations

import pytest

from storyline.analyse.nlp import load_pipeline
from storyline.claims.cross_encoder.augment import (
    another_figure,
    contradictions,
    negated,
    swapped_roles,
)
from storyline.settings import Settings

PREMISE = (
    "Yuganskneftegaz was first sold for 9.4 billion dollars to Baikalfinansgroup, a little-known "
    "firm that the state oil company Rosneft bought in 2004. About 8,500 US soldiers were put on alert."
)


@pytest.fixture(scope="module")
def parse():
    return load_pipeline(Settings().spacy_candidates())


def test_a_shared_figure_is_changed_in_its_own_style(parse) -> None:
    assert another_figure(PREMISE, parse("Rosneft bought Baikalfinansgroup in 2004.")) == (
        "Rosneft bought Baikalfinansgroup in 2000."
    )
    assert another_figure(PREMISE, parse("The Pentagon put 8,500 soldiers on alert.")) == (
        "The Pentagon put 21,250 soldiers on alert."
    )
    assert another_figure(PREMISE, parse("It was sold for 9.4 billion dollars.")) == "It was sold for 28.2 billion dollars."
    # a figure the premise does not give is left alone: the pair would not be a contradiction
    assert another_figure(PREMISE, parse("Rosneft has 300,000 workers.")) is None


def test_roles_swap_only_round_a_verb_that_is_not_symmetric(parse) -> None:
    assert swapped_roles(parse("Baikalfinansgroup was bought by Rosneft.")) == "Rosneft was bought by Baikalfinansgroup."
    assert swapped_roles(parse("Rosneft bought Baikalfinansgroup.")) == "Baikalfinansgroup bought Rosneft."
    assert swapped_roles(parse("Putin met Biden in Geneva.")) is None
    assert swapped_roles(parse("The ministry bought new trucks.")) is None  # no second name


def test_negation_goes_after_the_first_auxiliary_of_a_firm_hypothesis(parse) -> None:
    assert negated(parse("Yuganskneftegaz was sold to Baikalfinansgroup.")) == (
        "Yuganskneftegaz was not sold to Baikalfinansgroup."
    )
    assert negated(parse("The troops will have been moved by March.")) == "The troops will not have been moved by March."
    assert negated(parse("No troops were sent.")) is None
    assert negated(parse("Rosneft bought it.")) is None  # no auxiliary to negate


def test_each_kind_is_named(parse) -> None:
    kinds = dict(contradictions(PREMISE, parse("Baikalfinansgroup was bought by Rosneft in 2004.")))
    assert set(kinds) == {"another figure", "swapped roles", "negated"}
