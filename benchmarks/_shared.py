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


def alternate_turns(fns: dict, inputs: list, min_time: float, turn: float = 0.05) -> dict:
    """``{name: calls per second}`` of each ``fn(input)``, the functions taking turns of ~``turn``
    seconds, alternating, until each has run ``min_time`` seconds in all; the inputs cycle.

    Alternating in short turns rather than one function after the other matters on
    machines whose speed drifts (shared virtual machines: the same Python loop measured
    19 to 35 ms within a minute); every function then sees the same conditions.
    """
    n = len(inputs)
    clock = time.perf_counter
    spent = dict.fromkeys(fns, 0.0)
    calls = dict.fromkeys(fns, 0)
    gc.collect()
    while min(spent.values()) < min_time:
        for name, fn in fns.items():
            i = calls[name]
            t0 = clock()
            while True:
                fn(inputs[i % n])
                i += 1
                elapsed = clock() - t0
                if elapsed >= turn:
                    break
            calls[name] = i
            spent[name] += elapsed
    return {k: calls[k] / spent[k] if spent[k] else 0.0 for k in fns}
