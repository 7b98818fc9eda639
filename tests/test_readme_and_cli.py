"""The README's code runs as written; the command line works."""

import re
from pathlib import Path

from augkit import cli

ROOT = Path(__file__).resolve().parents[1]


def test_readme_quickstart_runs():
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, "README has no python example"
    quickstart = None
    for block in blocks:
        namespace: dict = {}
        exec(compile(block, "README.md", "exec"), namespace)
        if quickstart is None and "out" in namespace:
            quickstart = namespace
    assert quickstart is not None, "no README block defines the quickstart's `out`"
    out = quickstart["out"]
    assert out["image"].shape == (224, 224, 3) and out["mask"].shape == (224, 224)
    assert len(out["bboxes"]) == len(out["labels"])


def test_demo_writes_png(tmp_path):
    path = tmp_path / "demo.png"
    assert cli.main(["demo", "-o", str(path), "-n", "3", "--seed", "1"]) == 0
    import cv2
    img = cv2.imread(str(path))
    assert img is not None and img.shape[0] > 100 and img.shape[1] > 300


def test_demo_pipeline_keeps_annotations_consistent():
    """The demo's own pipeline: every kept keypoint lies inside the image, every box too."""
    from augkit import data
    pipe = cli.demo_pipeline(seed=3)
    for _ in range(5):
        out = pipe(**data.sample())
        h, w = out["image"].shape[:2]
        for x1, y1, x2, y2 in out["bboxes"]:
            assert 0 <= x1 < x2 <= w and 0 <= y1 < y2 <= h
        for x, y in out["keypoints"]:
            assert -0.5 <= x < w - 0.5 and -0.5 <= y < h - 0.5
        assert out["mask"].shape == (h, w)


def test_list_names_every_transform(capsys):
    cli.main(["list"])
    printed = capsys.readouterr().out
    for name in ("HorizontalFlip", "Affine", "RandomCrop"):
        assert re.search(rf"^{name}\s", printed, flags=re.M)


def test_readme_names_every_transform():
    """The README's transform list stays true: every exported transform is named in it."""
    import augkit

    text = (ROOT / "README.md").read_text()
    abstract = {"BasicTransform", "ImageOnlyTransform", "DualTransform", "SpatialTransform"}
    names = [n for n in augkit.__all__ if n not in abstract and isinstance(getattr(augkit, n), type)
             and issubclass(getattr(augkit, n), augkit.BasicTransform)]
    compat = {"Cutout", "JpegCompression", "RandomBrightness", "RandomContrast"}
    names += [n for n in compat | {n for n in augkit.__all__ if n.startswith("IAA")}]
    missing = sorted(n for n in set(names) if f"`{n}`" not in text)
    assert not missing, f"README does not name {missing}"
