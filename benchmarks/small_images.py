#!/usr/bin/env python
"""augkit and Albumentations side by side on small images, where fixed costs decide.

``run.py`` times 512x512 images, where the kernels dominate. On a 32x32 to 128x128 image
(CIFAR-size data, crops of objects) the per-call costs decide instead: sampling, tables
built per call, patterns generated at a fixed size. This script times every transform that
both libraries build with ``run.py``'s arguments on S x S RGB uint8 images (crops of
``run.py``'s samples, 8 cycled), one thread, the libraries alternating in short turns, and
prints the transforms sorted by speedup, slowest first:

    python benchmarks/small_images.py --size 64 [--top 25] [--min-time 0.3]

Transforms whose arguments do not fit an image this small (a 256-pixel crop) are skipped;
so are those run.py times inside a pipeline (boxes, masks). A measurement, not a test.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import sys  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import cv2  # noqa: E402
import numpy as np  # noqa: E402

cv2.setNumThreads(1)
sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as R  # noqa: E402
from _shared import alternate_turns, cpu_name, paired_ratio  # noqa: E402

#: transforms left out below a size because Albumentations 2.0.8 can get stuck there:
#: GridElasticDeform with run.py's arguments (4x4 cells, magnitude 10) folds cells of 8
#: pixels on 32x32 images, and one of its cv2.warpPerspective calls did not return within
#: minutes (augkit's ran 45,000 calls in 2 s)
_HANGS_BELOW = {"GridElasticDeform": 64}


def small_samples(size: int) -> list[dict]:
    samples = R.make_samples(8, max(128, size))
    out = []
    for s in samples:
        img = np.ascontiguousarray(s["image"][:size, :size])
        out.append({"image": img, "float": img.astype(np.float32) / 255.0,
                    "gray": cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)})
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=64, help="image side (default 64)")
    ap.add_argument("--min-time", type=float, default=0.3, help="seconds per library (default 0.3)")
    ap.add_argument("--top", type=int, default=0, help="print only the N slowest ratios")
    ap.add_argument("--only", nargs="+", metavar="PATTERN",
                    help="only transforms whose name matches one of these (fnmatch) patterns")
    opts = ap.parse_args(argv)
    if R.albumentations is None:
        print("Albumentations is not installed: nothing to compare")
        return 1
    import augkit
    warnings.simplefilter("ignore")
    samples = small_samples(opts.size)
    names, _ = R.transform_names()
    rows, skipped = [], []
    if opts.only:
        names = [n for n in names if R.selected(n, opts.only)]
    for name in names:
        need = R.NEEDS.get(name, {})
        if "targets" in need or (name in _HANGS_BELOW and opts.size < _HANGS_BELOW[name]):
            skipped.append(name)
            continue
        inputs = R.call_inputs(samples, need.get("image", "image"), (), need.get("extra"))
        try:
            runs = {"augkit": R.make_runner(R.build_transform(augkit, name)),
                    "albumentations": R.make_runner(R.build_transform(R.albumentations, name))}
            for fn in runs.values():
                for kw in inputs:
                    fn(kw)
        except Exception:  # noqa: BLE001 - arguments that do not fit this size
            skipped.append(name)
            continue
        cycles: list[dict] = []
        rate = alternate_turns(runs, inputs, opts.min_time, 0.02, cycles)
        # the median of paired turns, as run.py's speedup (the machine's drift cancels)
        ratio = paired_ratio(cycles, "augkit", "albumentations")
        rows.append((ratio if ratio is not None else rate["augkit"] / rate["albumentations"], name,
                     1e6 / rate["augkit"], 1e6 / rate["albumentations"]))
    rows.sort()
    print(f"{opts.size}x{opts.size}x3 uint8, one thread, {cpu_name()}, OpenCV {cv2.__version__}")
    print(f"{'transform':28s} {'augkit us':>10s} {'albu us':>10s} {'speedup':>8s}")
    for ratio, name, ta, tb in rows[:opts.top or None]:
        print(f"{name:28s} {ta:10.1f} {tb:10.1f} {ratio:7.2f}x")
    slower = sum(r < 1.0 for r, *_ in rows)
    ratios = sorted(r for r, *_ in rows)
    print(f"{len(rows)} compared, median speedup {ratios[len(ratios) // 2]:.2f}x, "
          f"slower than Albumentations: {slower}; skipped {len(skipped)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
