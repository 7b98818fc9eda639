#!/usr/bin/env python
"""Throughput of augkit against Albumentations 2.0.8, side by side, in one process.

Every transform that exists under the same name in both libraries is built with the
same arguments (``p=1``), called on the same images, and timed in images per second.
Three typical pipelines (classification, detection, segmentation) and a chain of
geometric steps are timed the same way. Everything runs in ONE process on ONE thread.

    python benchmarks/run.py                      # everything
    python benchmarks/run.py --only Rotate Affine detection
    python benchmarks/run.py --min-time 0.3 --repeats 2 --markdown results.md

It is a benchmark, not a test: a transform that fails in one library gets
``error: <message>`` in its cell and the run goes on. See benchmarks/README.md.
"""

# --- one thread, before numpy / cv2 are imported ---------------------------------------
import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
             "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ[_var] = "1"
os.environ["NO_ALBUMENTATIONS_UPDATE"] = "1"  # no network version check on import

import argparse  # noqa: E402
import datetime  # noqa: E402
import fnmatch  # noqa: E402
import inspect  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

warnings.filterwarnings("ignore")

import cv2  # noqa: E402
import numpy as np  # noqa: E402

cv2.setNumThreads(1)
try:
    cv2.ocl.setUseOpenCL(False)
except Exception:  # pragma: no cover - builds without OpenCL
    pass

try:
    import augkit
except ImportError:  # running from a checkout without installing
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import augkit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _shared import alternate_turns, cpu_name, paired_ratio  # noqa: E402

ALBU_ERROR = None
try:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import albumentations
except Exception as exc:  # ImportError, or a broken install
    albumentations = None
    ALBU_ERROR = f"{type(exc).__name__}: {exc}"

# Albumentations (and its dependencies) may install their own filters or touch cv2.
warnings.filterwarnings("ignore")
cv2.setNumThreads(1)

SIZE = 512

# ---------------------------------------------------------------------------------------
# What to run
# ---------------------------------------------------------------------------------------
# Constructor arguments, as (args, kwargs); p=1 is always added so the transform runs.
# Transforms not listed here are built with p=1 only.
ARGS = {
    "AtLeastOneBBoxRandomCrop": ((), dict(height=256, width=256)),
    "CenterCrop": ((256, 256), {}),
    "ConstrainedCoarseDropout": ((), dict(mask_indices=[1])),
    "Crop": ((0, 0, 256, 256), {}),
    "CropAndPad": ((), dict(px=(-32, 32))),
    "CropNonEmptyMaskIfExists": ((), dict(height=256, width=256)),
    "GridElasticDeform": ((), dict(num_grid_xy=(4, 4), magnitude=10)),
    "LongestMaxSize": ((), dict(max_size=256)),
    # cv2.medianBlur costs ~0.14 / 1.1 / 21 ms for ksize 3 / 5 / 7 on 512x512x3: with the
    # default blur_limit=(3, 7) a measurement is decided by how many 7s each library happens
    # to draw (+-20% between runs). One size is the same work in both.
    "MedianBlur": ((), dict(blur_limit=(5, 5))),
    # The default scale=(2, 3) is not the same work in both: Albumentations 2.0.8 builds one
    # fixed 2x3 kernel from it (width 2, height 3), augkit draws width and height in [2, 3]
    # per call, as 2.0.8's documentation describes. A fixed 3x3 kernel is the same in both:
    # scale=(3, 3) (2.0.8 turns scale=3 into a 1x3 kernel, augkit into a 3x3 square).
    "Morphological": ((), dict(scale=(3, 3))),
    "Pad": ((), dict(padding=32)),
    "PadIfNeeded": ((), dict(min_height=640, min_width=640)),
    "RandomCrop": ((), dict(height=256, width=256)),
    "RandomCropNearBBox": ((), dict(max_part_shift=(0.1, 0.1))),
    "RandomResizedCrop": ((), dict(size=(256, 256))),
    "RandomSizedBBoxSafeCrop": ((), dict(height=256, width=256)),
    "RandomSizedCrop": ((), dict(min_max_height=(256, 480), size=(256, 256))),
    "Resize": ((256, 256), {}),
    "SmallestMaxSize": ((), dict(max_size=256)),
}

# What a call needs besides one RGB uint8 image. "image": "float" (float32 in [0, 1]) or
# "gray" (HxW uint8); "targets": run inside Compose with these targets (boxes come with
# BboxParams(format="pascal_voc", label_fields=["labels"])); "extra": a function of the
# sample index giving extra call arguments (same objects for both libraries).
NEEDS = {
    "AtLeastOneBBoxRandomCrop": {"targets": ("bboxes",)},
    "BBoxSafeRandomCrop": {"targets": ("bboxes",)},
    "ConstrainedCoarseDropout": {"targets": ("mask",)},
    "CropNonEmptyMaskIfExists": {"targets": ("mask",)},
    "FDA": {"extra": lambda S, i: {"fda_metadata": [S[(i + 1) % len(S)]["image"]]}},
    "FromFloat": {"image": "float"},
    "HistogramMatching": {"extra": lambda S, i: {"hm_metadata": [S[(i + 1) % len(S)]["image"]]}},
    "MaskDropout": {"targets": ("mask",)},
    "Mosaic": {"extra": lambda S, i: {"mosaic_metadata": [
        {"image": S[(i + k) % len(S)]["image"]} for k in (1, 2, 3)]}},
    "OverlayElements": {"extra": lambda S, i: {"overlay_metadata": {
        "image": S[(i + 1) % len(S)]["image"][:128, :128], "bbox": [0.25, 0.25, 0.5, 0.5]}}},
    "PixelDistributionAdaptation": {"extra": lambda S, i: {
        "pda_metadata": [S[(i + 1) % len(S)]["image"]]}},
    "RandomCropNearBBox": {"extra": lambda S, i: {"cropping_bbox": [64, 64, 320, 320]}},
    "RandomSizedBBoxSafeCrop": {"targets": ("bboxes",)},
    "ToRGB": {"image": "gray"},
}

# Classes present in both libraries that are not timed, and why.
SKIP = {
    "BasicTransform": "base class",
    "DualTransform": "base class",
    "ImageOnlyTransform": "base class",
    "SpatialTransform": "base class",
    "Transform3D": "base class",
    "CenterCrop3D": "needs a 3D volume",
    "CoarseDropout3D": "needs a 3D volume",
    "CubicSymmetry": "needs a 3D volume",
    "Pad3D": "needs a 3D volume",
    "PadIfNeeded3D": "needs a 3D volume",
    "RandomCrop3D": "needs a 3D volume",
    "Lambda": "wraps user functions",
    "TextImage": "needs a font file and text metadata",
    "ToTensorV2": "needs torch",
}

BBOX_PARAMS = dict(format="pascal_voc", label_fields=["labels"], min_visibility=0.1)
KEYPOINT_PARAMS = dict(format="xy", label_fields=["kp_labels"], remove_invisible=True)

# Pipelines: steps are (name, args, kwargs) or a list of alternatives, the first that
# augkit has is used; a step augkit lacks is left out of BOTH pipelines (and reported).
PIPELINES = {
    "classification": dict(
        targets=(),
        steps=[
            ("RandomResizedCrop", (), dict(size=(224, 224))),
            ("HorizontalFlip", (), {}),
            [("ColorJitter", (), dict(p=0.8)), ("RandomBrightnessContrast", (), dict(p=0.8))],
            ("Normalize", (), {}),
        ]),
    "detection": dict(
        targets=("bboxes",),
        steps=[
            ("HorizontalFlip", (), {}),
            ("Affine", (), dict(scale=(0.5, 1.5), translate_percent=0.1, p=1)),
            ("RandomBrightnessContrast", (), {}),
            ("PadIfNeeded", (), dict(min_height=640, min_width=640)),
            ("RandomCrop", (), dict(height=512, width=512)),
        ]),
    "segmentation": dict(
        targets=("mask",),
        steps=[
            ("RandomScale", (), dict(scale_limit=(-0.5, 0.5), p=1)),
            ("PadIfNeeded", (), dict(min_height=384, min_width=384)),
            ("RandomCrop", (), dict(height=384, width=384)),
            ("HorizontalFlip", (), {}),
            ("Rotate", (), dict(limit=15)),
            ("RandomBrightnessContrast", (), {}),
            ("HueSaturationValue", (), {}),
        ]),
    "geometry_chain": dict(
        targets=("mask", "bboxes", "keypoints"),
        steps=[
            ("Rotate", (), dict(limit=30, p=1)),
            ("Affine", (), dict(scale=(0.9, 1.1), shear=5, p=1)),
            ("Perspective", (), dict(p=1)),
            ("Resize", (256, 256), {}),
        ]),
}


# ---------------------------------------------------------------------------------------
# Data: random but structured images with masks, boxes and keypoints
# ---------------------------------------------------------------------------------------
def make_samples(n: int, size: int = SIZE, seed: int = 0) -> list[dict]:
    """``n`` images (gradients + waves + shapes + noise) with a mask, 10 boxes, 17 keypoints."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size
    samples = []
    for _ in range(n):
        chans = []
        for _c in range(3):
            a, b = rng.uniform(-1, 1, 2)
            f, ph = rng.uniform(2, 8), rng.uniform(0, 2 * np.pi)
            ch = 0.5 + 0.3 * (a * xx + b * yy) + 0.15 * np.sin(2 * np.pi * f * (xx + 0.5 * yy) + ph)
            chans.append(ch)
        img = np.clip(np.stack(chans, axis=-1) * 255, 0, 255).astype(np.uint8)
        mask = np.zeros((size, size), np.uint8)
        boxes, labels = [], []
        for k in range(10):
            w, h = (int(v) for v in rng.integers(24, size // 4, 2))
            x0 = int(rng.integers(0, size - w))
            y0 = int(rng.integers(0, size - h))
            color = tuple(int(v) for v in rng.integers(0, 256, 3))
            cls = 1 + k % 3
            if k % 2 == 0:
                cv2.rectangle(img, (x0, y0), (x0 + w - 1, y0 + h - 1), color, -1)
                cv2.rectangle(mask, (x0, y0), (x0 + w - 1, y0 + h - 1), cls, -1)
            else:
                center, axes = (x0 + w // 2, y0 + h // 2), (w // 2, h // 2)
                cv2.ellipse(img, center, axes, 0, 0, 360, color, -1)
                cv2.ellipse(mask, center, axes, 0, 0, 360, cls, -1)
            boxes.append((float(x0), float(y0), float(x0 + w), float(y0 + h)))
            labels.append(cls)
        noise = rng.normal(0, 6, img.shape)
        img = np.clip(img + noise, 0, 255).astype(np.uint8)
        kps = [(float(x), float(y)) for x, y in rng.uniform(8, size - 8, (17, 2))]
        samples.append(dict(image=img, mask=mask, bboxes=boxes, labels=labels,
                            keypoints=kps, kp_labels=list(range(17))))
    for s in samples:
        s["float"] = s["image"].astype(np.float32) / 255.0
        s["gray"] = cv2.cvtColor(s["image"], cv2.COLOR_RGB2GRAY)
    return samples


def call_inputs(samples, image_kind="image", targets=(), extra=None) -> list[dict]:
    """The keyword arguments of each call, one dict per sample (shared by both libraries)."""
    out = []
    for i, s in enumerate(samples):
        kw = {"image": s[image_kind]}
        if "mask" in targets:
            kw["mask"] = s["mask"]
        if "bboxes" in targets:
            kw["bboxes"], kw["labels"] = s["bboxes"], s["labels"]
        if "keypoints" in targets:
            kw["keypoints"], kw["kp_labels"] = s["keypoints"], s["kp_labels"]
        if extra is not None:
            kw.update(extra(samples, i))
        out.append(kw)
    return out


# ---------------------------------------------------------------------------------------
# Building
# ---------------------------------------------------------------------------------------
def short(exc: BaseException, limit: int = 70) -> str:
    msg = " ".join(str(exc).split())
    msg = f"{type(exc).__name__}: {msg}" if msg else type(exc).__name__
    return msg if len(msg) <= limit else msg[:limit - 3] + "..."


def transform_names() -> tuple[list[str], list[tuple[str, str]]]:
    """augkit transform classes also in Albumentations (or all, without it), and the skipped."""
    names, skipped = [], []
    for name in sorted(dir(augkit)):
        obj = getattr(augkit, name)
        if not (inspect.isclass(obj) and issubclass(obj, augkit.BasicTransform)):
            continue
        if albumentations is not None and not inspect.isclass(getattr(albumentations, name, None)):
            skipped.append((name, "not in Albumentations"))
        elif name in SKIP:
            skipped.append((name, SKIP[name]))
        else:
            names.append(name)
    return names, skipped


def compose_kwargs(lib, targets, seed):
    kw = {"seed": seed}
    if "bboxes" in targets:
        kw["bbox_params"] = lib.BboxParams(**BBOX_PARAMS)
    if "keypoints" in targets:
        kw["keypoint_params"] = lib.KeypointParams(**KEYPOINT_PARAMS)
    return kw


def build_transform(lib, name, seed=0):
    """A callable ``f(**inputs) -> dict`` for one transform, or raise."""
    args, kwargs = ARGS.get(name, ((), {}))
    kwargs = {**kwargs, "p": 1.0}
    t = getattr(lib, name)(*args, **kwargs)
    targets = NEEDS.get(name, {}).get("targets", ())
    if targets:
        return lib.Compose([t], **compose_kwargs(lib, targets, seed))
    if hasattr(t, "set_random_seed"):
        t.set_random_seed(seed)
    return t


def resolve_steps(steps):
    """The steps augkit can run (first available alternative) and the names left out."""
    chosen, left_out = [], []
    for step in steps:
        options = step if isinstance(step, list) else [step]
        for opt in options:
            in_albu = albumentations is None or hasattr(albumentations, opt[0])
            if hasattr(augkit, opt[0]) and in_albu:
                chosen.append(opt)
                break
        else:
            left_out.append("/".join(o[0] for o in options))
    return chosen, left_out


def build_pipeline(lib, steps, targets, seed=0, **extra):
    ts = [getattr(lib, name)(*args, **kwargs) for name, args, kwargs in steps]
    return lib.Compose(ts, **compose_kwargs(lib, targets, seed), **extra)


# ---------------------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------------------
def make_runner(fn):
    asc = np.ascontiguousarray

    def run(kw):
        out = fn(**kw)
        # A view would make a transform look free; a training loop needs real arrays.
        asc(out["image"])
        if "mask" in out:
            asc(out["mask"])
        return out
    return run


def warm_up(run, inputs, min_time):
    """Call once per input (that is also the error check), then until ~min_time/5.

    Returns the outputs of the first pass, one per input.
    """
    firsts = [run(kw) for kw in inputs]
    t0 = time.perf_counter()
    i = 0
    while time.perf_counter() - t0 < min_time / 5:
        run(inputs[i % len(inputs)])
        i += 1
    return firsts


#: length of one library's turn inside a measurement round (seconds)
SLICE = 0.05


def time_rates(runs: dict, inputs, min_time, cycles: list | None = None) -> dict:
    """One measurement round: ``{lib: calls per second}``, each library running ``min_time``
    in all, in turns of ~SLICE seconds that alternate between the libraries (see
    :func:`_shared.alternate_turns`); each cycle's rates are appended to ``cycles``."""
    return alternate_turns(runs, inputs, min_time, SLICE, cycles)


def _fails(run, inputs) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for kw in inputs:
                run(kw)
    except Exception:
        return True
    return False


def check_outputs(lib_name, firsts, inputs, pristine, notes, item):
    """Sanity checks on the first pass; returns the output signature (sizes, channels, dtype)."""
    for kw, orig in zip(inputs, pristine, strict=True):
        if not np.array_equal(kw["image"], orig):
            notes.append(f"{item}: {lib_name} modified its input image in place")
            kw["image"][...] = orig
            break
    sizes, rest = set(), set()
    for kw, out in zip(inputs, firsts, strict=True):
        img = out.get("image") if isinstance(out, dict) else None
        if not isinstance(img, np.ndarray):
            notes.append(f"{item}: {lib_name} returned {type(img).__name__} for 'image'")
            return None
        if np.may_share_memory(img, kw["image"]):
            notes.append(f"{item}: {lib_name} returned the input image itself (or a view of it)")
        sizes.add(img.shape[:2])
        rest.add((img.shape[2:], img.dtype.name))
    return sizes, rest


def compare_signatures(item, sigs, notes):
    if len(sigs) != 2 or None in sigs.values():
        return
    (sa, ra), (sb, rb) = sigs["augkit"], sigs["albumentations"]
    if ra != rb:
        notes.append(f"{item}: output channels/dtype differ: augkit {sorted(ra)}, "
                     f"albumentations {sorted(rb)}")
    # Sizes are only comparable when each library gives one size for every input
    # (random-size transforms differ anyway, their generators differ).
    if len(sa) == 1 and len(sb) == 1 and sa != sb:
        notes.append(f"{item}: output size differs: augkit {next(iter(sa))}, "
                     f"albumentations {next(iter(sb))}")


def bench_item(item, builders, inputs, opts, notes):
    """Time ``builders`` ({lib: zero-arg factory}) on ``inputs``: ({lib: rates list or error},
    the per-cycle rates of every round)."""
    runs, result, sigs = {}, {}, {}
    cycles: list[dict] = []
    pristine = [kw["image"].copy() for kw in inputs]
    for lib_name, factory in builders.items():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                run = make_runner(factory())
                firsts = warm_up(run, inputs, opts.min_time)
            sigs[lib_name] = check_outputs(lib_name, firsts, inputs, pristine, notes, item)
            runs[lib_name] = run
            result[lib_name] = []
        except Exception as exc:
            result[lib_name] = "error: " + short(exc)
    compare_signatures(item, sigs, notes)
    for _ in range(opts.repeats):  # each round alternates the libraries in short turns
        rates = None
        while runs and rates is None:
            round_cycles: list[dict] = []
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    rates = time_rates(runs, inputs, opts.min_time, round_cycles)
                cycles += round_cycles
            except Exception as exc:
                # drop the libraries that fail on their own; if none does, all of them
                failing = [name for name, run in runs.items() if _fails(run, inputs)] or list(runs)
                for lib_name in failing:
                    result[lib_name] = "error: " + short(exc)
                    del runs[lib_name]
        for lib_name, rate in (rates or {}).items():
            result[lib_name].append(rate)
    return result, cycles


def summarize_rates(value, stat):
    if isinstance(value, str):
        return value
    if not value:
        return "error: no measurement"
    return max(value) if stat == "best" else statistics.median(value)


# ---------------------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------------------
def fmt_rate(v):
    if isinstance(v, str):
        return v
    if v is None:
        return "-"
    return f"{v:,.0f}" if v >= 100 else f"{v:.1f}"


def speedup(a, b, cycles=()):
    """augkit's rate ``a`` over Albumentations' ``b``: the median of the two libraries'
    paired turns where the rounds recorded them (drift cancels, see
    :func:`_shared.paired_ratio`), else the ratio of the reported rates."""
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b > 0:
        paired = paired_ratio(cycles, "augkit", "albumentations") if cycles else None
        return paired if paired is not None else a / b
    return None


def summary_line(label, rows):
    ratios = [r["speedup"] for r in rows if r["speedup"] is not None and r.get("in_summary", True)]
    if not ratios:
        return f"{label}: no pairs to compare"
    slower = sum(1 for s in ratios if s < 1.0)
    gmean = math.exp(sum(math.log(s) for s in ratios) / len(ratios))
    line = (f"{label}: {len(ratios)} compared, median speedup {statistics.median(ratios):.2f}x, "
            f"slower than Albumentations: {slower}/{len(ratios)}, geometric mean {gmean:.2f}x")
    if slower:  # how far below: a tie within noise reads differently from a real loss
        worst = min((r for r in rows if r["speedup"] is not None and r.get("in_summary", True)),
                    key=lambda r: r["speedup"])
        line += f", slowest {worst['speedup']:.2f}x ({worst['name'].rstrip(' *')})"
    return line


def table_lines(rows, with_albu, markdown=False, first="transform"):
    head = [first, "augkit img/s"] + (["albumentations img/s", "speedup"] if with_albu else [])
    body = []
    for r in rows:
        line = [r["name"], fmt_rate(r["augkit"])]
        if with_albu:
            s = r["speedup"]
            line += [fmt_rate(r["albumentations"]), f"{s:.2f}x" if s is not None else "-"]
        body.append(line)
    if markdown:
        out = ["| " + " | ".join(head) + " |",
               "|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|"]
        out += ["| " + " | ".join(c.replace("|", "/") for c in line) + " |" for line in body]
        return out
    widths = [max(len(line[i]) for line in [head] + body) for i in range(len(head))]
    widths = [min(w, 60) for w in widths]

    def fmt(line):
        cells = []
        for i, c in enumerate(line):
            c = c if len(c) <= widths[i] else c[:widths[i] - 3] + "..."
            cells.append(c.ljust(widths[i]) if i == 0 else c.rjust(widths[i]))
        return "  ".join(cells)
    return [fmt(head), "  ".join("-" * w for w in widths)] + [fmt(line) for line in body]


def machine_info(opts) -> list[tuple[str, str]]:
    cpu = cpu_name()
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    return [
        ("date", datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")),
        ("CPU", f"{cpu} ({os.cpu_count()} logical cores, {usable} usable; "
                f"benchmark uses 1 thread)"),
        ("OS", platform.platform()),
        ("Python", platform.python_version()),
        ("numpy", np.__version__),
        ("OpenCV", f"{cv2.__version__} (cv2.getNumThreads() = {cv2.getNumThreads()})"),
        ("albumentations", albumentations.__version__ if albumentations
         else f"not available ({ALBU_ERROR})"),
        ("augkit", getattr(augkit, "__version__", "?")),
        ("settings", f"{opts.images} images {SIZE}x{SIZE}x3 uint8 cycled, "
                     f"min time {opts.min_time} s per measurement, {opts.repeats} round(s), "
                     f"{opts.stat} rate reported"),
    ]


# ---------------------------------------------------------------------------------------
def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", nargs="+", metavar="NAME",
                    help="transform or pipeline names to run "
                         "(case-insensitive, shell patterns allowed)")
    ap.add_argument("--min-time", type=float, default=0.5,
                    help="seconds each measurement lasts, per library (default 0.5)")
    ap.add_argument("--repeats", type=int, default=3, help="measurement rounds (default 3)")
    ap.add_argument("--stat", choices=("best", "median"), default="best",
                    help="which of the rounds' rates to report (default best)")
    ap.add_argument("--images", type=int, default=8,
                    help="number of distinct images cycled (default 8)")
    ap.add_argument("--markdown", metavar="FILE", help="also write the results as Markdown to FILE")
    ap.add_argument("--no-pipelines", action="store_true", help="time single transforms only")
    ap.add_argument("--no-transforms", action="store_true", help="time pipelines only")
    ap.add_argument("--list", action="store_true", help="list what would run, then exit")
    opts = ap.parse_args(argv)
    if opts.min_time <= 0 or opts.repeats < 1 or opts.images < 1:
        ap.error("--min-time must be > 0, --repeats and --images >= 1")
    return opts


def selected(name, patterns):
    return not patterns or any(fnmatch.fnmatch(name.lower(), p.lower()) for p in patterns)


def main(argv=None) -> int:
    opts = parse_args(argv)
    try:  # keep progress (stderr) and results (stdout) in order when both are captured
        sys.stdout.reconfigure(line_buffering=True)
    except AttributeError:  # pragma: no cover
        pass
    with_albu = albumentations is not None
    libs = {"augkit": augkit}
    if with_albu:
        libs["albumentations"] = albumentations

    names, skipped = transform_names()
    names = [n for n in names if selected(n, opts.only)] if not opts.no_transforms else []
    pipes = [p for p in PIPELINES if selected(p, opts.only)] if not opts.no_pipelines else []
    if opts.list:
        print("transforms:", ", ".join(names) or "-")
        print("pipelines: ", ", ".join(pipes) or "-")
        print("skipped:   ", ", ".join(f"{n} ({why})" for n, why in skipped) or "-")
        return 0
    if not names and not pipes:
        print(f"nothing matches --only {' '.join(opts.only or [])}; try --list", file=sys.stderr)
        return 2

    info = machine_info(opts)
    for k, v in info:
        print(f"{k:>15}: {v}")
    if not with_albu:
        print(f"\nAlbumentations is not importable ({ALBU_ERROR}); timing augkit alone.")
    print(flush=True)

    samples = make_samples(opts.images)
    notes: list[str] = []
    t_start = time.perf_counter()

    # -- single transforms ---------------------------------------------------------------
    rows = []
    for i, name in enumerate(names, 1):
        need = NEEDS.get(name, {})
        image_kind = {"float": "float", "gray": "gray"}.get(need.get("image"), "image")
        inputs = call_inputs(samples, image_kind, need.get("targets", ()), need.get("extra"))
        builders = {lib_name: (lambda lib=lib, name=name: build_transform(lib, name))
                    for lib_name, lib in libs.items()}
        res, cycles = bench_item(name, builders, inputs, opts, notes)
        row = {"name": name + (" *" if need.get("targets") else "")}
        for lib_name in libs:
            row[lib_name] = summarize_rates(res[lib_name], opts.stat)
        row["speedup"] = speedup(row["augkit"], row.get("albumentations"), cycles)
        rows.append(row)
        done = f"[{i}/{len(names)}] {name}: augkit {fmt_rate(row['augkit'])}"
        if with_albu:
            s = row["speedup"]
            done += f", albumentations {fmt_rate(row['albumentations'])}"
            done += f", {s:.2f}x" if s else ""
        print(done, file=sys.stderr, flush=True)
    rows.sort(key=lambda r: r["name"].lower())

    # -- pipelines -------------------------------------------------------------------------
    prow = []
    pipe_notes = []
    for name in pipes:
        spec = PIPELINES[name]
        steps, left_out = resolve_steps(spec["steps"])
        used = ", ".join(s[0] for s in steps)
        pipe_notes.append(f"{name}: {used}" + (f" (left out, augkit lacks: {', '.join(left_out)})"
                                                 if left_out else ""))
        if not steps:
            continue
        inputs = call_inputs(samples, "image", spec["targets"])
        variants = [(name, {}, True)]
        if "fuse" in inspect.signature(augkit.Compose.__init__).parameters and \
                sum(1 for s in steps if s[0] not in ("Normalize",)) > 1:
            variants.append((f"{name} (augkit fuse=False)", {"fuse": False}, False))
        for label, ak_extra, in_summary in variants:
            builders = {"augkit": lambda steps=steps, t=spec["targets"], e=ak_extra:
                        build_pipeline(augkit, steps, t, **e)}
            if with_albu:
                builders["albumentations"] = lambda steps=steps, t=spec["targets"]: \
                    build_pipeline(albumentations, steps, t)
            res, cycles = bench_item(label, builders, inputs, opts, notes)
            row = {"name": label, "in_summary": in_summary}
            for lib_name in libs:
                row[lib_name] = summarize_rates(res[lib_name], opts.stat)
            row["speedup"] = speedup(row["augkit"], row.get("albumentations"), cycles)
            prow.append(row)
            print(f"[pipeline] {label}: augkit {fmt_rate(row['augkit'])}"
                  + (f", albumentations {fmt_rate(row['albumentations'])}" if with_albu else ""),
                  file=sys.stderr, flush=True)

    # -- report ----------------------------------------------------------------------------
    summaries = []
    if with_albu:
        if rows:
            summaries.append(summary_line("transforms", rows))
            # per level: the targets of the pixel and spatial catalogues are stated per level
            def level(r):
                return getattr(getattr(augkit, r["name"].rstrip(" *"), None), "kind", None)
            for kind in ("pixel", "spatial"):
                part = [r for r in rows if level(r) == kind]
                if part and len(part) < len(rows):
                    summaries.append(summary_line(f"  {kind}-level", part))
        if prow:
            summaries.append(summary_line("pipelines", prow))
    elapsed = time.perf_counter() - t_start

    def report(markdown):
        out = []
        if rows:
            out += ["## Transforms", ""] if markdown else []
            out += table_lines(rows, with_albu, markdown)
            out.append("")
            if any(r["name"].endswith(" *") for r in rows):
                out += [("`*`" if markdown else "*") + " run inside Compose with the mask or "
                        "boxes it needs.", ""]
        if prow:
            out += ["## Pipelines", ""] if markdown else []
            out += table_lines(prow, with_albu, markdown, "pipeline")
            out.append("")
            out += [("- " if markdown else "  ") + n for n in pipe_notes]
            out.append("")
        if summaries:
            out += (["## Summary", ""] if markdown else []) + \
                [("- " if markdown else "") + s for s in summaries]
            out.append("")
        if notes:
            out += (["## Notes", ""] if markdown else ["notes:"]) + \
                [("- " if markdown else "  ") + n for n in dict.fromkeys(notes)]
            out.append("")
        if skipped:
            out.append(("Not timed: " if markdown else "not timed: ")
                       + ", ".join(f"{n} ({why})" for n, why in skipped))
        return out

    print("\n".join(report(False)))
    print(f"\n(total {elapsed:.0f} s)")
    if opts.markdown:
        md = ["# augkit vs Albumentations: throughput", "",
              "Images per second, one process, one thread; higher is better. The two "
              "libraries run in alternating turns of ~50 ms; img/s is each library's "
              f"{opts.stat} round, speedup the median over all turn pairs of augkit's rate "
              "over Albumentations' (pairs are adjacent in time, so the machine's drift "
              "cancels).", ""]
        md += [f"- **{k}**: {v}" for k, v in info]
        if not with_albu:
            md += ["", f"Albumentations was not importable ({ALBU_ERROR}); augkit alone."]
        md += [""] + report(True)
        Path(opts.markdown).write_text("\n".join(md) + "\n")
        print(f"wrote {opts.markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
