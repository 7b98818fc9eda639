"""Pieces shared by the benchmark scripts: the machine's CPU, and timing in alternating turns."""

from __future__ import annotations

import gc
import platform
import time
from pathlib import Path


def cpu_name() -> str:
    """The CPU model from /proc/cpuinfo where there is one, else what platform knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def alternate_turns(fns: dict, inputs: list, min_time: float, turn: float = 0.05,
                    cycles: list | None = None) -> dict:
    """``{name: calls per second}`` of each ``fn(input)``, the functions taking turns of ~``turn``
    seconds, alternating, until each has run ``min_time`` seconds in all; the inputs cycle.

    Alternating in short turns rather than one function after the other matters on
    machines whose speed drifts (shared virtual machines: the same Python loop measured
    19 to 35 ms within a minute); every function then sees the same conditions. The order
    within a cycle is reversed every other cycle (A B, B A, A B, ...): the function going
    first measured ~0.3% slower against an identical copy of itself. ``cycles``, when
    given, receives one ``{name: calls per second}`` per cycle (see :func:`paired_ratio`).
    """
    n = len(inputs)
    clock = time.perf_counter
    spent = dict.fromkeys(fns, 0.0)
    calls = dict.fromkeys(fns, 0)
    order = list(fns)
    gc.collect()
    while min(spent.values()) < min_time:
        cycle = {}
        for name in order:
            fn = fns[name]
            i = start = calls[name]
            t0 = clock()
            while True:
                fn(inputs[i % n])
                i += 1
                elapsed = clock() - t0
                if elapsed >= turn:
                    break
            calls[name] = i
            spent[name] += elapsed
            cycle[name] = (i - start) / elapsed
        if cycles is not None:
            cycles.append(cycle)
        order.reverse()
    return {k: calls[k] / spent[k] if spent[k] else 0.0 for k in fns}


def paired_ratio(cycles: list, a: str, b: str) -> float | None:
    """The median over cycles of ``a``'s rate over ``b``'s in the same cycle.

    Each cycle's two turns are adjacent in time, so a drift of the machine's speed cancels
    in their ratio; the median keeps one disturbed turn from moving the result. Running an
    augkit transform against itself, the ratio of the best of three rounds spread over
    0.986-1.006 in six runs, this one over 0.995-1.000."""
    ratios = [c[a] / c[b] for c in cycles if c.get(a) and c.get(b)]
    if not ratios:
        return None
    ratios.sort()
    mid = len(ratios) // 2
    return ratios[mid] if len(ratios) % 2 else (ratios[mid - 1] + ratios[mid]) / 2
