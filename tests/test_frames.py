"""Statement frames read from the article's own parse, carried to the claims stage and its records."""

from __future__ import annotations

import json
import pickle

import pytest

from storyline.analyse import analyse_batch
from storyline.analyse.frames import frame_texts
from storyline.claims import Claim, group_claims, update_claims
from storyline.claims import group as claims_group
from storyline.claims.inputs import claim_inputs
from storyline.model import Article
from storyline.settings import Settings

TEXT = (
    "NATO Secretary General Jens Stoltenberg said on Monday that the alliance has no plans to "
    "send combat troops to Ukraine.\n"
    '"This is about reassuring our allies on the eastern flank," he said.\n'
    "About 8,500 US troops were put on high alert, the Pentagon said.\n"
    "Some 100,000 Russian soldiers are massed near the border."
)


@pytest.fixture(scope="module")
def article() -> Article:
    (analysed,) = analyse_batch(
        [Article("a1", "NATO rules out troops", TEXT, "t", source="paper-a", date="2022-01-24",
                 story_id="s1")],
        Settings(),
    )
    return analysed


def _no_parse(texts: list[str], settings: Settings | None = None) -> None:
    raise AssertionError(f"parsed {texts}")


def by_content(article: Article, words: str):
    return next(s for s in article.statements if words in s.content)


def test_each_statement_carries_its_frame(article: Article) -> None:
    indirect = by_content(article, "no plans")
    assert indirect.content.startswith("that the alliance has no plans")  # a fragment of its sentence
    assert (indirect.frame.event, indirect.frame.negated) == ("send", True)
    quoted = by_content(article, "reassuring")
    # The quotation's verb is its root, not the quote mark the article's parse hung on "said".
    assert (quoted.frame.event, quoted.frame.negated, quoted.frame.subject_pronoun) == ("be", False, True)
    assert {"reassure", "ally", "flank"} <= {c.key for c in quoted.frame.concepts}


def test_a_sentence_stating_a_figure_carries_its_frame(article: Article) -> None:
    (span,) = article.figure_frames
    frame = article.figure_frames[span]
    assert article.text[span[0] : span[1]].startswith("Some 100,000 Russian soldiers")
    assert [q.value for q in frame.quantities] == [100000]


def test_frames_from_the_article_match_the_contents_parsed_alone(article: Article) -> None:
    inputs = claim_inputs(article)
    alone = frame_texts([item.content for item in inputs])
    for item, frame in zip(inputs, alone, strict=True):
        assert (item.frame.event, item.frame.negated, item.frame.hedged) == (frame.event, frame.negated, frame.hedged)
        assert {c.key for c in item.frame.concepts} == {c.key for c in frame.concepts}


def test_frames_are_plain_data(article: Article) -> None:
    assert pickle.loads(pickle.dumps(article)) == article


def test_the_claims_stage_parses_nothing_when_statements_carry_frames(
    article: Article, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(claims_group, "frame_texts", _no_parse)
    claims = group_claims(claim_inputs(article))
    records = json.loads(json.dumps([claim.to_record() for claim in claims]))
    again = update_claims([Claim.from_record(record) for record in records], claim_inputs(article))
    assert [claim.to_record() for claim in again] == records


def test_claims_stored_without_frames_still_load_and_group_alike(
    article: Article, monkeypatch: pytest.MonkeyPatch
) -> None:
    claims = group_claims(claim_inputs(article))
    records = json.loads(json.dumps([claim.to_record() for claim in claims]))
    for record in records:  # as a store made before frames were kept holds them
        for statement in record["statements"]:
            del statement["frame"]
    older = [Claim.from_record(record) for record in records]
    assert all(s.frame is None for claim in older for s in claim.statements)
    regrouped = update_claims(older, claim_inputs(article))
    assert [(c.id, [s.statement_id for s in c.statements], c.verdicts) for c in regrouped] == [
        (c.id, [s.statement_id for s in c.statements], c.verdicts) for c in claims
    ]
    # The frames read from their contents are kept: the next update parses nothing.
    records = json.loads(json.dumps([claim.to_record() for claim in regrouped]))
    monkeypatch.setattr(claims_group, "frame_texts", _no_parse)
    update_claims([Claim.from_record(record) for record in records], claim_inputs(article))
