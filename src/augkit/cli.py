"""The ``augkit`` command line.

``augkit demo`` augments the bundled sample a few times and saves a grid with every
annotation drawn; ``augkit list`` prints every transform and the targets it supports;
``augkit preview`` draws a pipeline's effect on an image or dataset; ``augkit augment``
writes an augmented copy of a COCO / YOLO / VOC / mask-folder dataset.
"""

from __future__ import annotations

import argparse
import inspect
import sys


def demo_pipeline(seed: int | None = None):
    """The pipeline ``augkit demo`` shows: geometry and colour together, every target."""
    import augkit as A

    steps = [
        A.HorizontalFlip(p=0.5),
        A.Affine(scale=(0.8, 1.2), rotate=(-25, 25), translate_percent=(-0.08, 0.08), shear=(-6, 6), p=0.9),
        A.Perspective(scale=(0.02, 0.06), p=0.3),
        A.RandomResizedCrop(size=(320, 320), scale=(0.5, 1.0)),
    ]
    for name, kwargs in (("RandomBrightnessContrast", {"p": 0.8}), ("HueSaturationValue", {"p": 0.5}),
                         ("GaussNoise", {"std_range": (0.02, 0.06), "p": 0.3})):
        cls = getattr(A, name, None)
        if cls is not None:
            steps.append(cls(**kwargs))
    return A.Compose(
        steps,
        bbox_params=A.BboxParams(format="pascal_voc", label_fields=["labels"], min_visibility=0.3),
        keypoint_params=A.KeypointParams(format="xy", label_fields=["keypoint_labels"]),
        seed=seed,
    )


def run_demo(output: str, n: int, seed: int) -> str:
    from augkit import data, viz

    sample = data.sample()
    pipe = demo_pipeline(seed)
    panels = [viz.draw_sample(sample)]
    for _ in range(n - 1):
        panels.append(viz.draw_sample(pipe(**data.sample())))
    grid = viz.make_grid(panels, ncols=min(4, n))
    viz.save_image(output, grid)
    return output


def list_transforms() -> list[tuple[str, str, str]]:
    import augkit as A

    rows = []
    for name, obj in sorted(vars(A).items()):
        if inspect.isclass(obj) and issubclass(obj, A.BasicTransform) and obj not in (
                A.BasicTransform, A.ImageOnlyTransform, A.DualTransform, A.SpatialTransform):
            rows.append((name, obj.kind, ", ".join(obj.targets)))
    return rows


def _sample_for_drawing(sample: dict) -> dict:
    """A dataset sample as :func:`augkit.viz.draw_sample` takes it: polygons and instance
    masks become masks, labelled keypoints a flat list."""
    import numpy as np

    from augkit.io.common import clip_polygon

    h, w = sample["image"].shape[:2]
    out = {"image": sample["image"], "bboxes": sample.get("bboxes", []),
           "labels": [str(lb) for lb in sample.get("labels", [])]}
    if sample.get("mask") is not None:
        m = sample["mask"]
        out["mask"] = m[..., 0] if m.ndim == 3 else m
    masks, kps = [], []
    for obj in sample.get("objects") or []:
        if obj.get("polygons"):
            import cv2
            m = np.zeros((h, w), np.uint8)
            rings = [np.round(clip_polygon(r, w, h) - 0.5).astype(np.int32) for r in obj["polygons"]]
            cv2.fillPoly(m, [r for r in rings if len(r) >= 3], 1)
            masks.append(m)
        elif obj.get("mask") is not None:
            masks.append(obj["mask"])
        if obj.get("keypoints") is not None:
            kps += [(x - 0.5, y - 0.5) for x, y, v in obj["keypoints"] if v > 0]
    if masks:
        out["masks"] = masks
    if kps:
        out["keypoints"] = kps
    return out


def run_preview(pipeline_path: str, source: str, n: int, output: str, fmt: str | None,
                seed: int) -> str:
    """Grid of ``n`` augmented versions of an image or of a dataset's first samples."""
    import os

    import numpy as np

    from augkit import viz
    from augkit.io import apply_pipeline, detect_format, get_format, prepare_pipeline
    from augkit.io.common import read_image
    from augkit.io.engine import load_pipeline, sample_seed

    pipe = prepare_pipeline(load_pipeline(pipeline_path))
    if os.path.isdir(source):
        fmt = fmt or detect_format(source)
        if fmt is None:
            raise ValueError(f"{source}: cannot tell the dataset format; pass --format")
        dataset = get_format(fmt)(source)
        ids = dataset.ids()
        if not ids:
            raise ValueError(f"{source}: the dataset has no samples")
        samples = [dataset.read(i) for i in ids[:n]]
    else:
        img = read_image(source)
        samples = [{"id": os.path.basename(source), "image": img, "bboxes": np.zeros((0, 4)),
                    "labels": [], "objects": []}]
    panels = []
    for k in range(n):
        s = samples[k % len(samples)]
        pipe.set_random_seed(sample_seed(seed, s["id"], k + 1))
        out, _ = apply_pipeline(pipe, s)
        panels.append(viz.draw_sample(_sample_for_drawing(out)))
    viz.save_image(output, viz.make_grid(panels, ncols=min(4, n)))
    return output


def run_augment(args) -> int:
    from augkit.io import DatasetError
    from augkit.io.engine import AugmentJob, StrictError, run_job

    job = AugmentJob(input=args.input, format=args.format, output=args.output, pipeline=args.pipeline,
                     copies=args.copies, seed=args.seed, include_originals=args.include_originals,
                     strict=args.strict)
    try:
        if args.engine == "ray":
            from augkit.ray import run_job_ray
            summary = run_job_ray(job, address=args.ray_address, progress=not args.quiet)
        else:
            summary = run_job(job, workers=args.workers, progress=not args.quiet)
    except (StrictError, DatasetError, ValueError, OSError) as e:
        print(f"augkit augment: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"\naugkit augment: interrupted; run the same command again to resume into "
              f"{args.output}", file=sys.stderr)
        return 130
    print(summary.text())
    return 0 if not summary.errors else 2


_PIPELINE_HELP = ("a Python file that defines `transform` (an augkit Compose), or a YAML/JSON file "
                  "written by augkit's serializer")

_AUGMENT_EPILOG = """\
dataset layouts (read and written):
  coco   DIR/annotations.json + DIR/images/<file_name>
  yolo   DIR/images/**, DIR/labels/**.txt, DIR/data.yaml and/or DIR/classes.txt
  voc    DIR/Annotations/*.xml + DIR/JPEGImages/*
  masks  DIR/images/** + DIR/masks/**.png (label maps)

Annotation parameters: the tool passes boxes as pascal_voc and polygon vertices / keypoints
as keypoints itself; the pipeline's own bbox_params thresholds (min_visibility, min_area,
...) and keypoint_params.remove_invisible are honoured, and default to keeping everything
that stays in the frame when the pipeline has none.

The output folder gets augkit-manifest.jsonl; rerunning the same command after a crash or
Ctrl-C resumes and produces the same files as an uninterrupted run.
Exit status: 0 ok, 1 failed (bad arguments, unreadable dataset, --strict error), 2 finished
with samples skipped because of errors.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="augkit", description="Fast, exact image augmentation.")
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("demo", help="augment the bundled sample and save a grid with annotations drawn")
    d.add_argument("-o", "--output", default="demo.png", help="where to write the PNG (default: demo.png)")
    d.add_argument("-n", type=int, default=8, help="number of panels, the original first (default: 8)")
    d.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    sub.add_parser("list", help="list every transform and the targets it supports")
    pv = sub.add_parser("preview", help="grid of augmented samples of an image or dataset, annotations drawn",
                        description="Apply PIPELINE -n times to an image (or to the first samples of "
                                    "a dataset folder) and save a grid with boxes, masks, polygons "
                                    "and keypoints drawn.")
    pv.add_argument("pipeline", metavar="PIPELINE", help=_PIPELINE_HELP)
    pv.add_argument("source", metavar="IMAGE_OR_DATASET", help="an image file or a dataset folder")
    pv.add_argument("-n", type=int, default=16, help="number of panels (default: 16)")
    pv.add_argument("-o", "--output", default="grid.png", help="where to write the PNG (default: grid.png)")
    pv.add_argument("--format", choices=("coco", "yolo", "voc", "masks"),
                    help="dataset format (default: guessed from the folder layout)")
    pv.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    au = sub.add_parser("augment", help="write an augmented copy of a dataset (coco, yolo, voc, masks)",
                        description="Write a new dataset of the same format with N augmented copies "
                                    "of every sample. Deterministic for a given --seed, resumable, "
                                    "never writes into the input.",
                        epilog=_AUGMENT_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    au.add_argument("pipeline", metavar="PIPELINE", help=_PIPELINE_HELP)
    au.add_argument("--input", required=True, metavar="DATASET", help="the dataset folder to read")
    au.add_argument("--format", required=True, choices=("coco", "yolo", "voc", "masks"),
                    help="the dataset format (the output has the same)")
    au.add_argument("--output", required=True, metavar="DIR",
                    help="new or empty folder for the output (or an interrupted run's, to resume)")
    au.add_argument("--copies", type=int, default=1, help="augmented copies per sample (default: 1)")
    au.add_argument("--seed", type=int, default=0,
                    help="base seed; each copy's seed derives from it, the sample id and the copy "
                         "number (default: 0)")
    au.add_argument("--workers", type=int, default=1,
                    help="worker processes for the local engine; any count gives the same files "
                         "(default: 1)")
    au.add_argument("--engine", choices=("local", "ray"), default="local",
                    help="local processes, or Ray Data map_batches (pip install 'augkit[ray]')")
    au.add_argument("--ray-address", default=None, metavar="ADDR",
                    help="Ray cluster to connect to (default: start a local Ray)")
    au.add_argument("--include-originals", action="store_true",
                    help="also write every sample unchanged (original image bytes) as copy 0")
    au.add_argument("--strict", action="store_true",
                    help="stop at the first unreadable image or annotation instead of skipping it")
    au.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    if args.command == "demo":
        if args.n < 1:
            parser.error("-n must be at least 1")
        path = run_demo(args.output, args.n, args.seed)
        print(f"wrote {path}")
    elif args.command == "list":
        rows = list_transforms()
        width = max(len(r[0]) for r in rows)
        for name, kind, targets in rows:
            print(f"{name:<{width}}  {kind:<7}  {targets}")
    elif args.command == "preview":
        if args.n < 1:
            parser.error("-n must be at least 1")
        try:
            path = run_preview(args.pipeline, args.source, args.n, args.output, args.format, args.seed)
        except (ValueError, OSError) as e:
            print(f"augkit preview: {e}", file=sys.stderr)
            return 1
        print(f"wrote {path}")
    elif args.command == "augment":
        if args.copies < 0 or args.workers < 1:
            parser.error("--copies must be >= 0 and --workers >= 1")
        return run_augment(args)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
