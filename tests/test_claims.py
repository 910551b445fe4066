"""Statement comparison and claim grouping on realistic pairs and a small story written by us."""

from __future__ import annotations

import json

import pytest

from storyline.claims import (
    CHANGED,
    CONFIRMED,
    CONTRADICTION,
    DISPUTED,
    ENTAILMENT,
    NEUTRAL,
    REPEATED,
    Claim,
    ClaimInput,
    claim_id,
    compare_pairs,
    group_claims,
    update_claims,
)

PAIRS = {
    "paraphrase": (
        "The alliance's chief said NATO will not deploy combat forces on Ukrainian territory.",
        "NATO will not send troops to Ukraine.",
    ),
    "negation flip": ("NATO will send troops to Ukraine.", "NATO will not send troops to Ukraine."),
    "hedge vs firm": (
        "The United States may send more soldiers to Poland.",
        "The United States will send more soldiers to Poland.",
    ),
    "ruled out vs may": ("Berlin has ruled out sending fighter jets.", "Germany may send fighter jets."),
    "changed figure": ("About 8,500 US troops are on high alert.", "About 5,000 US troops are on high alert."),
    "approximate figure": (
        "About 100,000 Russian soldiers are near the Ukrainian border.",
        "100,000 Russian troops are near the Ukrainian border.",
    ),
    "different subject": ("Denmark sent a frigate to the Baltic Sea.", "Norway sent a frigate to the Baltic Sea."),
    "unrelated": ("Gazprom halted gas deliveries to Bulgaria.", "Zelensky addressed the Japanese parliament."),
}


@pytest.fixture(scope="module")
def comparisons() -> dict:
    return dict(zip(PAIRS, compare_pairs(list(PAIRS.values())), strict=True))


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("paraphrase", ENTAILMENT),
        ("negation flip", CONTRADICTION),
        ("hedge vs firm", NEUTRAL),
        pytest.param(
            "ruled out vs may",
            CONTRADICTION,
            marks=pytest.mark.xfail(
                strict=True,
                reason="known limit, EVALUATION.md: the learned comparer follows its cross-encoder, "
                "which reads a hedged hypothesis ('may send') as neutral against a firm refusal",
            ),
        ),
        ("changed figure", CONTRADICTION),
        ("approximate figure", ENTAILMENT),
        ("different subject", NEUTRAL),
        ("unrelated", NEUTRAL),
    ],
)
def test_comparison_labels(comparisons: dict, name: str, label: str) -> None:
    assert comparisons[name].label == label, comparisons[name].reasons


def test_reasons_name_the_difference(comparisons: dict) -> None:
    assert any("polarity differs" in r and "will not" in r for r in comparisons["negation flip"].reasons)
    assert any("8,500" in r and "5,000" in r for r in comparisons["changed figure"].reasons)
    assert any("hedged" in r for r in comparisons["hedge vs firm"].reasons)
    assert comparisons["unrelated"].score < 0.3 < comparisons["paraphrase"].score


STORY = "story-nato-troops"


def statement(sid: str, article: str, source: str, speaker: str | None, text: str, day: str,
              duplicate_of: str | None = None) -> ClaimInput:
    return ClaimInput(sid, article, STORY, source, speaker, text, day, duplicate_of)


@pytest.fixture(scope="module")
def story() -> list[ClaimInput]:
    return [
        statement("s1", "a1", "kyiv-daily", "Jens Stoltenberg",
                  "NATO will not deploy combat troops on Ukrainian soil.", "2022-01-25"),
        statement("s2", "a2", "wire-east", "Jens Stoltenberg",
                  "We have no plans or intention to send troops to Ukraine.", "2022-02-24"),
        statement("s3", "a3", "london-news", "Jens Stoltenberg",
                  "The alliance will not send troops into Ukraine.", "2022-01-25"),
        statement("s4", "a4", "reprint-site", "Jens Stoltenberg",
                  "NATO will not deploy combat troops on Ukrainian soil.", "2022-01-25", duplicate_of="a1"),
        statement("s5", "a1", "kyiv-daily", None,
                  "About 100,000 Russian soldiers remain near the Ukrainian border.", "2022-01-25"),
        statement("s6", "a5", "ny-paper", None,
                  "Russia has massed 130,000 troops near Ukraine's border.", "2022-01-26"),
    ]


@pytest.fixture(scope="module")
def claims(story: list[ClaimInput]) -> list[Claim]:
    return group_claims(story)


def _claim_of(claims: list[Claim], sid: str) -> Claim:
    return next(c for c in claims if any(s.statement_id == sid for s in c.statements))


def test_story_groups_into_two_claims(claims: list[Claim]) -> None:
    assert len(claims) == 2
    troops = _claim_of(claims, "s1")
    assert {s.statement_id for s in troops.statements} == {"s1", "s2", "s3", "s4"}
    assert troops.first.statement_id == "s1" and troops.id == claim_id("s1")
    assert troops.outlets == ["kyiv-daily", "london-news", "reprint-site", "wire-east"]


def test_stated_again_later_is_repeated(claims: list[Claim]) -> None:
    repeated = [v for v in _claim_of(claims, "s1").verdicts if v.kind == REPEATED]
    assert repeated and all(v.statement_ids[1] == "s2" for v in repeated)


def test_confirmed_counts_a_syndicated_copy_once(claims: list[Claim]) -> None:
    (confirmed,) = [v for v in _claim_of(claims, "s1").verdicts if v.kind == CONFIRMED]
    assert "s4" not in confirmed.statement_ids
    assert {"s1", "s3"} <= set(confirmed.statement_ids)


def test_copy_alone_does_not_confirm(story: list[ClaimInput]) -> None:
    original, copy = story[0], story[3]
    (claim,) = group_claims([original, copy])
    assert not [v for v in claim.verdicts if v.kind in (CONFIRMED, DISPUTED)]


def test_figures_beyond_approximation_are_disputed(claims: list[Claim]) -> None:
    figures = _claim_of(claims, "s5")
    (disputed,) = [v for v in figures.verdicts if v.kind == DISPUTED]
    assert set(disputed.statement_ids) == {"s5", "s6"}
    assert "130,000" in disputed.reason


def test_approximate_same_figure_is_not_disputed() -> None:
    claims = group_claims([
        statement("f1", "b1", "paper-a", None, "About 100,000 Russian troops are near the border.", "2022-02-01"),
        statement("f2", "b2", "paper-b", None, "100,000 Russian troops are near the border.", "2022-02-01"),
    ])
    assert len(claims) == 1
    kinds = {v.kind for v in claims[0].verdicts}
    assert DISPUTED not in kinds and CONFIRMED in kinds


def test_same_speaker_turning_round_is_changed() -> None:
    claims = group_claims([
        statement("c1", "d1", "paper-a", "Olaf Scholz", "Germany will not send tanks to Ukraine.", "2022-03-01"),
        statement("c2", "d2", "paper-a", "Olaf Scholz", "Germany will send tanks to Ukraine.", "2022-06-01"),
    ])
    (claim,) = claims
    (changed,) = [v for v in claim.verdicts if v.kind == CHANGED]
    assert changed.statement_ids == ("c1", "c2")


def test_disputes_need_about_the_same_time() -> None:
    far_apart = group_claims([
        statement("t1", "e1", "paper-a", None, "About 100,000 Russian troops are near the border.", "2022-01-01"),
        statement("t2", "e2", "paper-b", None, "130,000 Russian troops are near the border.", "2022-02-20"),
    ])
    assert not [v for claim in far_apart for v in claim.verdicts if v.kind == DISPUTED]


def test_record_round_trip(claims: list[Claim]) -> None:
    for claim in claims:
        record = json.loads(json.dumps(claim.to_record()))
        again = Claim.from_record(record)
        assert again == claim
        assert record["first"]["speaker"] == claim.first.voice


def test_update_touches_only_the_new_story(story: list[ClaimInput]) -> None:
    other = ClaimInput("o1", "z1", "story-gas", "paper-c", None,
                       "Gazprom halted gas deliveries to Bulgaria.", "2022-04-27")
    existing = group_claims([*story[:1], other])
    gas_claim = _claim_of(existing, "o1")
    updated = update_claims(existing, story[1:3])
    assert _claim_of(updated, "o1") is gas_claim
    troops = _claim_of(updated, "s1")
    assert troops.id == claim_id("s1")
    assert {s.statement_id for s in troops.statements} == {"s1", "s2", "s3"}
    assert {v.kind for v in troops.verdicts} >= {REPEATED, CONFIRMED}
    # Adding a statement twice changes nothing.
    again = update_claims(updated, story[1:2])
    assert [len(c.statements) for c in again] == [len(c.statements) for c in updated]


def test_one_person_under_two_spellings_repeats_and_does_not_confirm_alone() -> None:
    from dataclasses import replace

    first = replace(
        statement("p1", "a1", "Kyiv Pulse", "Jin Psaki",
               "The president has no intention of sending troops to Ukraine", "2022-01-25"),
        speaker_id="E7",
    )
    later = replace(
        statement("p2", "a2", "Kyiv Pulse", "Jen Psaki",
               "The president has no intention of sending troops to Ukraine", "2022-02-23"),
        speaker_id="E7",
    )
    (claim,) = group_claims([first, later])
    kinds = {v.kind for v in claim.verdicts}
    assert REPEATED in kinds and CONFIRMED not in kinds


def test_indexed_name_lookup_answers_as_comparing_every_name() -> None:
    """`_NameIndex` (set lookups) must say exactly what `_names_match` against each name says."""
    from storyline.claims.evidence import _NameIndex, _names_match

    names = [
        "zelensky", "volodymyr zelenskyy", "jen psaki", "psaki", "us", "united states", "nato",
        "jens stoltenberg", "kremlin", "dmitry peskov", "olaf scholz", "emmanuel macron",
    ]
    asked = [
        *names, "zelanski", "puski", "jin psaki briefly", "america", "u.s.", "stoltenbergs",
        "peskow", "sholz", "macron's", "troops", "border", "ukraine", "scholz olaf", "",
    ]
    index = _NameIndex(names)
    for key in asked:
        expected = any(_names_match(key, name, 0.85) for name in names)
        assert index.matches(key, 0.85) == expected, key
    # A name that folded to nothing (an entity span of "'s") matches nothing, and does not crash.
    assert not _names_match("", "nato", 0.85) and not _names_match("nato", "", 0.85)
    found = {key for key in asked if key and index.matches(key, 0.85)}
    assert {"zelanski", "jin psaki briefly", "peskow"} <= found
    assert not {"troops", "border", "ukraine"} & found
