"""The ``augkit`` command line.

``augkit demo`` augments the bundled sample a few times and saves a grid with every
annotation drawn; ``augkit list`` prints every transform and the targets it supports.
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="augkit", description="Fast, exact image augmentation.")
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("demo", help="augment the bundled sample and save a grid with annotations drawn")
    d.add_argument("-o", "--output", default="demo.png", help="where to write the PNG (default: demo.png)")
    d.add_argument("-n", type=int, default=8, help="number of panels, the original first (default: 8)")
    d.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    sub.add_parser("list", help="list every transform and the targets it supports")
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
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
