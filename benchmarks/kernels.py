#!/usr/bin/env python
"""Re-measure the kernel choices that depend on the machine and the OpenCV release.

augkit picks between equivalent kernels by measurement; a few of those measurements came
out differently on different CPUs and OpenCV releases (docs/design-notes.md, "Kernel
choices that depend on the machine"). This script times each pair again on this machine,
one thread, with inputs cycled so that they are not all in the CPU caches (as in
``run.py``), and prints which one wins and which one augkit uses here:

    python benchmarks/kernels.py

It is a measurement, not a test: it never fails on timings.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import cv2  # noqa: E402
import numpy as np  # noqa: E402

cv2.setNumThreads(1)

try:
    import augkit  # noqa: F401
except ImportError:  # running from a checkout without installing
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from augkit.core import state as S  # noqa: E402
from augkit.functional import lut as L  # noqa: E402
from augkit.functional.color import add_integer_shifts  # noqa: E402
from augkit.geometry.warp import OPENCV_VERSION  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _shared import alternate_turns, cpu_name  # noqa: E402


def interleaved(named: dict, inputs: list, min_time: float = 0.4, turn: float = 0.02) -> dict:
    """Microseconds per call of each function, the functions alternating in short turns."""
    rates = alternate_turns(named, inputs, min_time, turn)
    return {name: 1e6 / rate for name, rate in rates.items()}


def report(title: str, times: dict, used: str) -> None:
    best = min(times, key=times.get)
    print(f"\n{title}")
    for name, us in times.items():
        marks = (" <- fastest" if name == best else "") + (" (augkit uses this here)" if name == used else "")
        print(f"  {name:34s} {us:9.1f} us{marks}")


def main() -> None:
    rng = np.random.default_rng(0)
    images = [rng.integers(0, 256, (512, 512, 3), np.uint8) for _ in range(8)]
    print(f"CPU: {cpu_name()}, OpenCV {cv2.__version__}, numpy {np.__version__}")

    # 1. saturating per-channel shifts with mixed signs
    def signed_add(x):
        return cv2.add(x, (10.0, -5.0, 3.0, 0.0))

    def split_add(x):
        return add_integer_shifts(x, (10, -5, 3))  # the subtraction in place
    report("per-channel shift (10, -5, 3) on 512x512x3 uint8",
           interleaved({"one signed cv2.add": signed_add, "add positives, subtract negatives": split_add},
                       images), "add positives, subtract negatives")

    # 2. uint8 convolution: 8-bit filter vs float32 round trip (augkit's own conversions;
    #    numpy's astype / rint / clip and fresh float32 arrays cost more than the filter)
    from augkit.functional.blur import _uint8_filter_via_float, _uint8_via_float
    line = np.zeros((7, 7), np.float32)
    line[3] = 1 / 7
    dense = {k: rng.random((k, k)).astype(np.float32) for k in (3, 5, 7, 11, 13)}
    for title, kernel in [(f"dense {k}x{k}", kv / kv.sum()) for k, kv in dense.items()] + \
            [("7x7 motion line (7 weights)", line)]:
        def direct(x, kernel=kernel):
            return cv2.filter2D(x, -1, kernel, borderType=cv2.BORDER_REFLECT_101)

        def via_float(x, kernel=kernel):
            return _uint8_via_float(x, kernel)
        used = "float32 round trip" if _uint8_filter_via_float(kernel) else "8-bit filter2D"
        report(f"{title} convolution, 512x512x3 uint8",
               interleaved({"8-bit filter2D": direct, "float32 round trip": via_float}, images, turn=0.05),
               used)

    # 3. RandomScale then a 384x384 crop: resize whole + slice vs one warp of the window
    for s in (0.8, 1.2):
        size = round(512 * s)
        m = np.array([[s, 0.0, -(size - 384) / 2], [0.0, s, -(size - 384) / 2]])
        m_cv = m.copy()
        m_cv[:, 2] += 0.5 * s - 0.5  # OpenCV's pixel-centre convention

        def resize_slice(x, size=size):
            big = cv2.resize(x, (size, size))
            o = (size - 384) // 2
            return big[o:o + 384, o:o + 384].copy()

        def warp_window(x, m_cv=m_cv):
            four = cv2.cvtColor(x, cv2.COLOR_RGB2RGBA)
            return cv2.cvtColor(cv2.warpAffine(four, m_cv, (384, 384)), cv2.COLOR_RGBA2RGB)
        used = "one warp of the window" if S._SCALE_THEN_SLICE_MAX * 384 * 384 < size * size \
            else "resize whole, then slice"
        report(f"scale {s} then crop 384x384 (512x512x3 uint8)",
               interleaved({"resize whole, then slice": resize_slice, "one warp of the window": warp_window},
                           images), used)

    # 4. per-channel lookup tables on 3 channels
    table = np.stack([np.roll(np.arange(256), 7), np.clip(np.arange(256) + 20, 0, 255),
                      np.clip(np.arange(256) - 13, 0, 255)], axis=1).astype(np.uint8)
    named = {"cv2.LUT with a 3-channel table": lambda x: cv2.LUT(x, table.reshape(256, 1, 3))}
    used = "cv2.LUT with a 3-channel table"
    if L.BACKEND == "stringzilla":
        import stringzilla as sz
        tables = [table[:, c].tobytes() for c in range(3)]

        def split_merge(x):
            planes = list(cv2.split(x))
            for p, t in zip(planes, tables):
                view = memoryview(p).cast("B")
                sz.translate(view, t, out=view)
            return cv2.merge(planes)
        named["stringzilla strips (augkit)"] = lambda x: L.apply_lut(x, table)
        named["split, stringzilla per plane, merge"] = split_merge
        used = "stringzilla strips (augkit)"
    report("per-channel tables on 512x512x3 uint8", interleaved(named, images), used)

    print(f"\nOPENCV_VERSION seen by augkit: {OPENCV_VERSION}")


if __name__ == "__main__":
    main()
