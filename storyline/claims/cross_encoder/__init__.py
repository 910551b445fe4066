"""A small cross-encoder that reads a premise and a hypothesis together and says how they relate.

The model is MiniLM-L6-H384 (the encoder of all-MiniLM-L6-v2, Apache-2.0), fine-tuned here on
the public NLI sets by `storyline train cross-encoder` (`storyline.claims.cross_encoder.finetune`,
which needs the `train` extra: PyTorch and transformers) and shipped in this folder as an int8
ONNX graph with its WordPiece tokenizer. It runs on the CPU with onnxruntime and the tokenizers
library alone; nothing is downloaded.

`CrossEncoder.probabilities` returns P(entailment), P(neutral), P(contradiction) for each pair;
the learned comparer (`storyline.claims.learned`) reads them as three of its features.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy

from storyline.claims.evidence import CONTRADICTION, ENTAILMENT, NEUTRAL

MODEL_DIR = Path(__file__).parent
OUTPUT_LABELS = (ENTAILMENT, NEUTRAL, CONTRADICTION)  # the order of the model's three logits
MAX_TOKENS = 160  # premise and hypothesis together, as in training
REMEMBERED = 1 << 17  # pairs whose probabilities are kept (a claim's statements are compared often)


@dataclass(frozen=True)
class CrossEncoderFiles:
    """Where one cross-encoder's graph, tokenizer and training record lie."""

    graph: Path
    tokenizer: Path
    card: Path

    @classmethod
    def in_folder(cls, folder: Path) -> CrossEncoderFiles:
        return cls(folder / "model.int8.onnx", folder / "tokenizer.json", folder / "card.json")

    def present(self) -> bool:
        return self.graph.is_file() and self.tokenizer.is_file()


class CrossEncoder:
    """An NLI cross-encoder run by onnxruntime on the CPU (`threads` 0: as many as it likes)."""

    def __init__(self, files: CrossEncoderFiles, threads: int = 1) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        if not files.present():
            raise FileNotFoundError(f"no cross-encoder at {files.graph} (with {files.tokenizer.name})")
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(
            str(files.graph), options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = Tokenizer.from_file(str(files.tokenizer))
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self._tokenizer.no_padding()
        self._inputs = {graph_input.name for graph_input in self._session.get_inputs()}
        self.card: dict[str, object] = (
            json.loads(files.card.read_text(encoding="utf-8")) if files.card.is_file() else {}
        )
        self._remembered: OrderedDict[tuple[str, str], dict[str, float]] = OrderedDict()

    def logits(self, pairs: Sequence[tuple[str, str]]) -> numpy.ndarray:
        """Return the model's three logits (`OUTPUT_LABELS` order) for each (premise, hypothesis).

        Each pair runs alone: the int8 graph scales its activations by their range in the whole
        input, so padding, or another pair in the batch, would change a pair's reading.
        """
        rows = []
        for encoding in self._tokenizer.encode_batch(list(pairs)):
            feed = {
                "input_ids": numpy.array([encoding.ids], dtype=numpy.int64),
                "attention_mask": numpy.array([encoding.attention_mask], dtype=numpy.int64),
                "token_type_ids": numpy.array([encoding.type_ids], dtype=numpy.int64),
            }
            rows.append(self._session.run(None, {k: v for k, v in feed.items() if k in self._inputs})[0][0])
        return numpy.array(rows) if rows else numpy.zeros((0, len(OUTPUT_LABELS)))

    def probabilities(self, pairs: Sequence[tuple[str, str]]) -> list[dict[str, float]]:
        """Return P(label) for each (premise, hypothesis) pair."""
        logits = self.logits(pairs)
        shifted = numpy.exp(logits - logits.max(axis=1, keepdims=True))
        shares = shifted / shifted.sum(axis=1, keepdims=True)
        return [dict(zip(OUTPUT_LABELS, map(float, row), strict=True)) for row in shares]

    def prefetch(self, pairs: Sequence[tuple[str, str]]) -> None:
        """Compute the probabilities of the pairs not yet remembered (tokenized in one batch), and
        remember them."""
        missing = list(dict.fromkeys(pair for pair in pairs if pair not in self._remembered))
        for pair, found in zip(missing, self.probabilities(missing), strict=True):
            self._remember(pair, found)

    def probabilities_of(self, premise: str, hypothesis: str) -> dict[str, float]:
        """Return P(label) of one pair, remembered from an earlier call or `prefetch` where it can be."""
        pair = (premise, hypothesis)
        found = self._remembered.get(pair)
        if found is None:
            found = self.probabilities([pair])[0]
            self._remember(pair, found)
        else:
            self._remembered.move_to_end(pair)
        return found

    def forget(self) -> None:
        """Drop every remembered pair (a benchmark's cold run)."""
        self._remembered.clear()

    def _remember(self, pair: tuple[str, str], found: dict[str, float]) -> None:
        self._remembered[pair] = found
        if len(self._remembered) > REMEMBERED:
            self._remembered.popitem(last=False)


@lru_cache(maxsize=4)
def load_cross_encoder(folder: Path | None = None, threads: int = 1) -> CrossEncoder:
    """Return the cross-encoder in `folder` (default: the one shipped here); FileNotFoundError if none.

    One thread by default: the claims stage compares a claim's statements in small batches, often
    in several worker processes at once.
    """
    return CrossEncoder(CrossEncoderFiles.in_folder(folder or MODEL_DIR), threads)
