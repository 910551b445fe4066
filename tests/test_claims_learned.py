"""The learned statement comparer: its features, the shipped weights, training and evaluation."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy
import pytest

from storyline.claims import CONTRADICTION, DISPUTED, ENTAILMENT, ClaimInput, group_claims
from storyline.claims.compare import ComparerParams, compare_pairs
from storyline.claims.group import GroupParams
from storyline.claims.learned import FEATURE_NAMES, load_comparer_weights
from storyline.claims.train import (
    CROSS_ENCODER_FOLDS,
    NOT_ENTAILMENT,
    confidence_thresholds,
    fit_comparer,
    fits_comparer,
    held_back,
    load_pairs,
    pair_fold,
    pair_frames,
)
from storyline.evaluate.claims import format_comparer_table, leave_one_dataset_out

DEV = Path(__file__).resolve().parents[1] / "evaluation" / "claims_dev.jsonl"


def test_shipped_weights_cover_every_feature_and_say_how_they_were_made() -> None:
    weights = load_comparer_weights()
    assert weights.features == FEATURE_NAMES
    assert set(weights.confident_at) == {"entailment", "contradiction"}
    assert all(0.0 < at <= 1.0 for at in weights.confident_at.values())
    assert "storyline train claims" in str(weights.fitted["command"])
    assert "rte3" not in weights.fitted["pairs"]  # RTE-3 dev is what the comparer is checked on


def test_probabilities_are_a_distribution() -> None:
    weights = load_comparer_weights()
    probabilities = weights.probabilities([0.5] * len(FEATURE_NAMES))
    assert sum(probabilities.values()) == pytest.approx(1.0)
    assert all(0.0 <= p <= 1.0 for p in probabilities.values())


def test_learned_comparison_gives_its_confidence_and_the_rules_evidence() -> None:
    flip, unrelated = compare_pairs(
        [
            ("Sweden will send anti-tank weapons to Kyiv.", "Sweden will not send anti-tank weapons to Kyiv."),
            ("Gazprom cut gas deliveries to Finland on Saturday.", "The Olympic torch reached Beijing."),
        ]
    )
    assert flip.label == CONTRADICTION and flip.confident
    assert flip.confidence is not None and flip.confidence > 0.5
    assert "polarity differs" in flip.conflict_reason() and "confidence" in flip.conflict_reason()
    assert unrelated.label != CONTRADICTION
    assert unrelated.reasons[-1].startswith("model: entailment")
    rules = compare_pairs([("Sweden will send anti-tank weapons to Kyiv.", "Sweden will not send them.")],
                          params=ComparerParams(method="rules"))[0]
    assert rules.confidence is None


def test_an_unsure_contradiction_founds_no_dispute(tmp_path: Path) -> None:
    """The same two statements are disputed, unless the threshold asks for more confidence."""
    statements = [
        ClaimInput("s1", "a1", "story", "Outlet A", "Ministry", "Sweden will send anti-tank weapons to Kyiv.",
                   "2022-02-27"),
        ClaimInput("s2", "a2", "story", "Outlet B", "Opposition",
                   "Sweden will not send anti-tank weapons to Kyiv.", "2022-02-27"),
    ]
    kinds = {v.kind for claim in group_claims(statements) for v in claim.verdicts}
    assert DISPUTED in kinds
    strict = tmp_path / "weights.json"
    shipped = load_comparer_weights()
    strict.write_text(replace(shipped, confident_at={**shipped.confident_at, "contradiction": 1.01}).to_json())
    params = GroupParams(comparer=ComparerParams(weights=strict))
    kinds = {v.kind for claim in group_claims(statements, params=params) for v in claim.verdicts}
    assert DISPUTED not in kinds


@pytest.fixture(scope="module")
def dev_pairs() -> tuple[list, numpy.ndarray]:
    from storyline.claims.train import featurise

    pairs = load_pairs(DEV)
    return pairs, featurise(pairs)


def test_training_is_deterministic_and_round_trips(dev_pairs, tmp_path: Path) -> None:
    pairs, features = dev_pairs
    first = fit_comparer(pairs, features, {"command": "storyline train claims test"})
    second = fit_comparer(pairs, features, {"command": "storyline train claims test"})
    assert first.to_json() == second.to_json()
    path = tmp_path / "weights.json"
    path.write_text(first.to_json())
    loaded = load_comparer_weights(path)
    row = list(features[0])
    assert loaded.probabilities(row) == pytest.approx(first.probabilities(row))
    held = [p for p in pairs if held_back(p)]
    seen_by_encoder = [p for p in pairs if pair_fold(p) in CROSS_ENCODER_FOLDS]
    assert sum(first.fitted["pairs"].values()) == sum(fits_comparer(p) for p in pairs)
    assert sum(first.fitted["pairs"].values()) + len(held) + len(seen_by_encoder) == len(pairs)
    assert first.fitted["held_back_pairs"] == len(held)
    assert 0.1 * len(pairs) < len(held) < 0.3 * len(pairs)


def test_thresholds_are_set_on_three_way_sets_alone(dev_pairs) -> None:
    """Held-back entailed pairs of a two-way set (RTE) are all entailments: they must not lower
    the bar for entailment."""
    pairs, features = dev_pairs
    weights = fit_comparer(pairs, features)
    entailed = [i for i, p in enumerate(pairs) if p.label == ENTAILMENT and held_back(p)]
    two_way = [replace(pairs[i], dataset="rte9") for i in entailed]  # the same ids: held back too
    two_way.append(replace(pairs[0], id="rte9/no", dataset="rte9", label=NOT_ENTAILMENT))
    more_features = numpy.vstack([features, features[entailed], features[:1]])
    assert confidence_thresholds(weights, [*pairs, *two_way], more_features) == weights.confident_at
    assert 0.0 < weights.confident_at[ENTAILMENT] <= 1.0


def test_a_fit_on_half_a_tells_half_b_apart(dev_pairs) -> None:
    """Fitted on our dev set's first half only, the comparer labels most of the second right."""
    pairs, features = dev_pairs
    in_a = numpy.array([p.half == "a" for p in pairs])
    weights = fit_comparer([p for p in pairs if p.half == "a"], features[in_a])
    right = 0
    half_b = [(p, row) for p, row in zip(pairs, features, strict=True) if p.half == "b"]
    for pair, row in half_b:
        probabilities = weights.probabilities(row)
        right += max(probabilities, key=probabilities.__getitem__) == pair.label
    assert right / len(half_b) > 0.75


def test_pairs_load_by_part_and_bad_lines_are_named(tmp_path: Path) -> None:
    assert {p.half for p in load_pairs(f"{DEV}:half=a")} == {"a"}
    bad = tmp_path / "rte9_dev.jsonl"
    bad.write_text(json.dumps({"id": "x", "premise": "a", "hypothesis": "b", "label": "entailment"}) + "\n{oops\n")
    with pytest.raises(ValueError, match=r"rte9_dev.jsonl, line 2: not JSON"):
        load_pairs(bad)
    two_way = tmp_path / "rte9_test.jsonl"
    two_way.write_text(json.dumps({"id": "y", "premise": "a b", "hypothesis": "b", "label": "not_entailment"}) + "\n")
    (pair,) = load_pairs(two_way)
    assert pair.two_way and pair.dataset == "rte9"


def test_leave_one_dataset_out_never_scores_a_set_it_fitted_on(tmp_path: Path) -> None:
    records = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines()]
    first, second = tmp_path / "ours_a.jsonl", tmp_path / "theirs_b.jsonl"
    first.write_text("".join(json.dumps(r) + "\n" for r in records if r["half"] == "a"))
    second.write_text("".join(json.dumps(r) + "\n" for r in records if r["half"] == "b"))
    table = leave_one_dataset_out([str(first), str(second)])
    assert table.fitted_without == {str(first): "ours", str(second): "theirs"}
    assert set(table.rows[str(second)]) == {"rules", "encoder", "learned"}
    assert table.rows[str(second)]["learned"].accuracy > 0.7
    assert "leave-one-dataset-out" in format_comparer_table(table)


def test_frames_are_parsed_once_per_distinct_text() -> None:
    pairs = load_pairs(DEV)[:6]
    frames = pair_frames([*pairs, *pairs])
    assert set(frames) == {t for p in pairs for t in (p.premise, p.hypothesis)}
