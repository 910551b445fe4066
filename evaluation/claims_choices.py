"""The learned comparer's choices, made on fold 0: which cross-encoder, and how data sets weigh.

Usage: python evaluation/claims_choices.py [ENCODER_DIR ...] [--powers 1.0,0.5]

The pairs are those of the shipped fit (the command in `storyline/claims/comparer_weights.json`),
read from where that command names them. Their evidence is computed once; then, for each
cross-encoder folder (default: the shipped one) and each data-set weight power (1: every set
weighs the same; 0.5: one over the square root of its size), the comparer is fitted as
`storyline train claims` fits it (fold 4) and scored on fold 0, the fifth no fit sees. Prints
fold-0 accuracy per data set (two-way sets: entailed or not) and their mean, which decides.
RTE-3 and the second half of our own set take no part.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from pathlib import Path

import numpy

from storyline.claims.cross_encoder import MODEL_DIR, CrossEncoder, CrossEncoderFiles
from storyline.claims.evidence import ENTAILMENT
from storyline.claims.learned import load_comparer_weights, pair_features
from storyline.claims.train import fit_comparer, load_pairs, pair_evidences, pair_fold

ROOT = Path(__file__).resolve().parents[1]


def shipped_selections() -> list[str]:
    """Return the files of the shipped fit, as its recorded command names them."""
    command = str(load_comparer_weights().fitted["command"])
    return command.removeprefix("storyline train claims ").split()


def fold0_accuracies(pairs, features, power: float) -> dict[str, float]:
    """Return fold-0 accuracy per data set of the comparer fitted with the given weight power."""
    weights = fit_comparer(pairs, features, weight_power=power)
    right: dict[str, list[bool]] = defaultdict(list)
    for pair, row in zip(pairs, features, strict=True):
        if pair_fold(pair) != 0:
            continue
        label = weights.decide(row)[0]
        if pair.two_way:
            right[pair.dataset].append((label == ENTAILMENT) == (pair.label == ENTAILMENT))
        else:
            right[pair.dataset].append(label == pair.label)
    return {name: float(numpy.mean(found)) for name, found in sorted(right.items())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("encoders", nargs="*", type=Path, default=[MODEL_DIR])
    parser.add_argument("--powers", default="1.0,0.5")
    args = parser.parse_args()
    selections = shipped_selections()
    pairs = [pair for selection in selections for pair in load_pairs(_from_root(selection))]
    started = time.perf_counter()
    evidences = pair_evidences(pairs)
    print(f"{len(pairs)} pairs, evidence in {time.perf_counter() - started:.0f} s")
    for folder in args.encoders:
        encoder = CrossEncoder(CrossEncoderFiles.in_folder(folder), threads=0)
        encoded = encoder.probabilities([(e.premise.text, e.hypothesis.text) for e in evidences])
        features = numpy.array([pair_features(e, found) for e, found in zip(evidences, encoded, strict=True)])
        for power in (float(p) for p in args.powers.split(",")):
            accuracies = fold0_accuracies(pairs, features, power)
            mean = numpy.mean(list(accuracies.values()))
            sets = ", ".join(f"{name} {value:.3f}" for name, value in accuracies.items())
            print(f"{folder}  power {power:g}: mean {mean:.4f}  ({sets})", flush=True)


def _from_root(selection: str) -> str:
    """Return the selection with its path read from the project root (as the command ran)."""
    path, colon, rest = selection.partition(":")
    return str(ROOT / path) + colon + rest


if __name__ == "__main__":
    main()
