"""Per-thread work arrays for kernels that need large temporaries.

A fresh multi-megabyte array per call can cost as much as the kernel itself: after it is
freed, glibc's allocator often hands the pages back to the system, and the next call
faults them in again (a uint8 5x5 convolution through float32 on 512x512x3: 1.06 ms with
its two float32 temporaries reused, 3.4 ms with fresh ones, ~1500 page faults per call).
Kernels whose temporaries never leave them take them from here instead.
"""

from __future__ import annotations

import math
import threading

import numpy as np

_LOCAL = threading.local()
MAX_ELEMENTS = 1 << 22  # per array: larger images get fresh arrays (kept: <= 2 x 16 MB float32 per thread)


def work_arrays(shape: tuple[int, ...], dtype, count: int = 2) -> tuple[np.ndarray, ...]:
    """``count`` arrays of ``shape`` and ``dtype``, uninitialized, kept per thread for the
    latest shape of each (dtype, count); fresh ones above :data:`MAX_ELEMENTS` elements.

    The caller must not return them or keep them past the call: the next call on the
    same thread reuses them.
    """
    dtype = np.dtype(dtype)
    if math.prod(shape) > MAX_ELEMENTS:  # (np.prod: ~4 us on a tuple)
        return tuple(np.empty(shape, dtype) for _ in range(count))
    key = (dtype.char, count)
    cache = getattr(_LOCAL, "arrays", None)
    if cache is None:
        cache = _LOCAL.arrays = {}
    arrays = cache.get(key)
    if arrays is None or arrays[0].shape != tuple(shape):
        arrays = cache[key] = tuple(np.empty(shape, dtype) for _ in range(count))
    return arrays
