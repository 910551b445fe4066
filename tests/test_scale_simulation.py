"""The scale simulation's measures: pairwise agreement, and the bounded-queue model of a day."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture(scope="module")
def simulation():
    sys.path.insert(0, str(BENCHMARKS))
    yield importlib.import_module("scale_simulation")
    sys.path.remove(str(BENCHMARKS))


def test_pair_agreement_counts_pairs(simulation):
    # Events: a war report in three languages, and a lone flood report.
    truth = {"war-en": "war", "war-de": "war", "war-uk": "war", "flood-en": "flood"}
    # Sharded by language, the war's German report was split off; the flood joined the war.
    sharded = {"war-en": "s1", "war-de": "s2", "war-uk": "s1", "flood-en": "s1"}
    precision, recall, f1 = simulation.pair_agreement(sharded, truth)
    # together in the sharded run: en-uk, en-flood, uk-flood; of them truly together: en-uk
    assert precision == pytest.approx(1 / 3)
    # truly together: en-de, en-uk, de-uk; found: en-uk
    assert recall == pytest.approx(1 / 3)
    assert f1 == pytest.approx(1 / 3)
    assert simulation.pair_agreement(truth, truth) == (1.0, 1.0, 1.0)


def test_water_fill_passes_spare_capacity_on(simulation):
    served = simulation._water_fill(np.array([1.0, 10.0, 0.0]), 8.0)
    assert served.tolist() == pytest.approx([1.0, 7.0, 0.0])


def _day(simulation, capacity_per_s: float, rate_per_s: float, queue: int):
    steps = 360  # an hour of 10-second steps
    arrivals = np.full(steps, rate_per_s * 10.0)
    shards = [
        simulation.ShardLoad("slow", 0.5, 1000 / capacity_per_s),
        simulation.ShardLoad("fast", 0.5, 1000 / 1000.0),
    ]
    return simulation.simulate_day(arrivals, 10.0, shards, workers=4, worker_ms=10.0, queue_limit=queue)


def test_a_shard_that_keeps_up_has_no_backlog_and_short_latency(simulation):
    result = _day(simulation, capacity_per_s=50.0, rate_per_s=40.0, queue=1_000)
    for shard in result.shards.values():
        assert shard["backlog at midnight"] == pytest.approx(0.0, abs=1e-6)
        assert shard["latency max s"] <= 30.0
    assert result.web_backlog_peak == pytest.approx(0.0, abs=1e-6)


def test_a_saturated_shard_backs_up_into_the_feeds_not_into_memory(simulation):
    # 20 articles/s reach the slow shard, which takes 5: its queues fill and stop there.
    result = _day(simulation, capacity_per_s=5.0, rate_per_s=40.0, queue=500)
    slow, fast = result.shards["slow"], result.shards["fast"]
    assert slow["queue peak"] <= 500
    assert slow["utilisation"] == pytest.approx(1.0)
    assert slow["backlog at midnight"] == pytest.approx(3600 * (20 - 5), rel=0.01)
    assert slow["latency max s"] == float("inf")
    # what the queues cannot hold waits in the feeds: the backlog less the two bounded queues
    assert result.web_backlog_peak == pytest.approx(3600 * 15 - 2 * 500, rel=0.01)
    # the other shard is not held back by it
    assert fast["backlog at midnight"] == pytest.approx(0.0, abs=1e-6)


def test_the_arrival_curve_sums_to_the_day_and_peaks_in_the_afternoon(simulation):
    curve = simulation.arrival_curve(1_000_000, 10.0, seed=3, bursts=0)
    assert curve.sum() == pytest.approx(1_000_000)
    busiest_hour = int(np.argmax(curve) * 10 / 3600)
    assert 11 <= busiest_hour <= 15
    assert 2.0 < curve.max() / curve.min() < 3.0
