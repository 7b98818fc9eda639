"""The benchmark's timing helpers (benchmarks/_shared.py): turn order and paired ratios."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from _shared import alternate_turns, paired_ratio  # noqa: E402


def test_turn_order_alternates_and_cycles_are_recorded():
    calls = []
    fns = {"a": lambda x: calls.append("a"), "b": lambda x: calls.append("b")}
    cycles = []
    rates = alternate_turns(fns, [0], min_time=0.01, turn=0.001, cycles=cycles)
    assert len(cycles) >= 4
    # each cycle's dict keeps the order the turns ran in: a b, b a, a b, ...
    orders = [list(c) for c in cycles]
    assert orders[0::2] == [["a", "b"]] * len(orders[0::2])
    assert orders[1::2] == [["b", "a"]] * len(orders[1::2])
    assert all(c["a"] > 0 and c["b"] > 0 for c in cycles)
    assert rates["a"] > 0 and rates["b"] > 0
    assert calls.count("a") > 0 and calls.count("b") > 0


def test_paired_ratio_is_the_median_of_per_cycle_ratios():
    cycles = [{"a": 2.0, "b": 1.0}, {"a": 30.0, "b": 10.0}, {"a": 1.0, "b": 1.0}]
    assert paired_ratio(cycles, "a", "b") == pytest.approx(2.0)
    cycles.append({"a": 5.0, "b": 1.0})  # ratios 1, 2, 3, 5: the middle two averaged
    assert paired_ratio(cycles, "a", "b") == pytest.approx(2.5)


def test_paired_ratio_cancels_a_drift_that_the_ratio_of_best_rates_does_not():
    # the machine slows down 2x over the run; a is 10% faster than b in every cycle
    cycles = [{"a": 1.1 * s, "b": s} for s in (100.0, 90.0, 80.0, 70.0, 60.0, 50.0)]
    assert paired_ratio(cycles, "a", "b") == pytest.approx(1.1)
    # b's best turn against a's worst reads a as slower
    assert min(c["a"] for c in cycles) / max(c["b"] for c in cycles) < 1.0


def test_paired_ratio_without_pairs():
    assert paired_ratio([], "a", "b") is None
    assert paired_ratio([{"a": 1.0}], "a", "b") is None
