"""``augkit augment`` / ``augkit preview`` end to end: a generated COCO dataset validated
with pycocotools, kill-and-resume, workers, Ray, unreadable files, refusing to write into
the input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from augkit import cli
from augkit.io.common import read_image
from tests.io_datasets import BLUE, GREEN, RED, make_coco, make_yolo, tree_bytes

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

PIPELINE = """
import augkit as A
transform = A.Compose([
    A.HorizontalFlip(p=0.5),
    A.Affine(rotate=(-30, 30), scale=(0.8, 1.2), translate_percent=(-0.15, 0.15), p=0.9),
    A.RandomCrop(height=40, width=56, p=0.5),
    A.RandomBrightnessContrast(brightness_limit=0.1, contrast_limit=0.1, p=0.5),
])
"""

# the same kind of work with a pause per sample, so that a run can be killed half-way
SLOW_PIPELINE = PIPELINE + """
import time
transform.transforms.append(A.Lambda(image=lambda img, **kw: (time.sleep(0.03), img)[1]))
"""


def _pipeline(tmp_path, text=PIPELINE, name="pipe.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return str(path)


def _augment(*args) -> int:
    return cli.main(["augment", *map(str, args), "-q"])


def _colour_pixels(img, colour):
    """Pixels close to a pure object colour (interpolated edges excluded)."""
    diff = np.abs(img[:, :, :3].astype(int) - np.array(colour)).max(axis=2)
    ys, xs = np.nonzero(diff < 40)
    return xs, ys


def test_coco_end_to_end_valid_for_pycocotools(tmp_path):
    coco_api = pytest.importorskip("pycocotools.coco")
    mask_api = pytest.importorskip("pycocotools.mask")
    src = make_coco(str(tmp_path / "in"), 10)
    out = tmp_path / "out"
    assert _augment(_pipeline(tmp_path), "--input", src, "--format", "coco", "--output", out,
                    "--copies", 3, "--seed", 5) == 0
    coco = coco_api.COCO(str(out / "annotations.json"))
    assert len(coco.getImgIds()) == 30
    colours = {1: RED, 2: GREEN, 3: BLUE}
    checked = 0
    for img_id in coco.getImgIds():
        info = coco.loadImgs(img_id)[0]
        img = read_image(str(out / "images" / info["file_name"]))
        h, w = img.shape[:2]
        assert (info["width"], info["height"]) == (w, h)
        for ann in coco.loadAnns(coco.getAnnIds(imgIds=img_id)):
            x, y, bw, bh = ann["bbox"]
            assert 0 <= x and 0 <= y and bw > 0 and bh > 0 and x + bw <= w + 1e-6 and y + bh <= h + 1e-6
            if "segmentation" in ann:
                m = coco.annToMask(ann)
                assert m.sum() > 0 and ann["area"] > 0
                if isinstance(ann["segmentation"], dict):
                    assert mask_api.area(mask_api.frPyObjects(ann["segmentation"], h, w)) == ann["area"]
            if ann["category_id"] == 1:  # keypoints of the box-only rectangle stay inside
                kps = np.asarray(ann["keypoints"]).reshape(-1, 3)
                vis = kps[:, 2] > 0
                assert ann["num_keypoints"] == int(vis.sum())
                assert np.all((kps[vis, 0] >= 0) & (kps[vis, 0] < w) & (kps[vis, 1] >= 0) & (kps[vis, 1] < h))
            # the box still encloses the object's colour (1 px for rounding)
            xs, ys = _colour_pixels(img, colours[ann["category_id"]])
            inside = (xs + 0.5 >= x - 1) & (xs + 0.5 <= x + bw + 1) & (ys + 0.5 >= y - 1) & (ys + 0.5 <= y + bh + 1)
            assert inside.all(), (info["file_name"], ann)
            checked += 1
    assert checked > 60
    # objects cut by the frame were dropped or clipped, never left outside: some must exist
    manifest = [json.loads(ln) for ln in (out / "augkit-manifest.jsonl").read_text().splitlines()[1:]]
    assert len(manifest) == 30 and all("record" in e for e in manifest)


def test_kill_and_resume_gives_the_uninterrupted_result(tmp_path):
    src = make_coco(str(tmp_path / "in"), 40, keypoints=False)
    pipe = _pipeline(tmp_path, SLOW_PIPELINE)
    full, part = tmp_path / "full", tmp_path / "part"
    args = ["--input", src, "--format", "coco", "--copies", 1, "--seed", 3, "--include-originals"]
    assert _augment(pipe, *args, "--output", full) == 0
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src"))
    cmd = [sys.executable, "-m", "augkit.cli", "augment", pipe, *map(str, args), "--output", str(part), "-q"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    manifest = part / "augkit-manifest.jsonl"
    deadline = time.time() + 30
    while time.time() < deadline:
        if manifest.exists() and manifest.read_text().count("\n") >= 12:
            break
        time.sleep(0.005)
    proc.kill()
    proc.wait()
    done = manifest.read_text().count("\n") - 1
    assert 11 <= done < 80, "the run was not killed half-way"
    assert not (part / "annotations.json").exists()
    assert _augment(pipe, *args, "--output", part) == 0
    assert tree_bytes(str(part)) == tree_bytes(str(full))


def test_workers_give_the_same_files(tmp_path):
    src = make_yolo(str(tmp_path / "in"), 8)
    pipe = _pipeline(tmp_path)
    for k in (1, 2):
        assert _augment(pipe, "--input", src, "--format", "yolo", "--output", tmp_path / f"w{k}",
                        "--copies", 2, "--workers", k) == 0
    one, two = tree_bytes(str(tmp_path / "w1")), tree_bytes(str(tmp_path / "w2"))
    assert len(one) == 8 * 2 * 2 + 2 and one == two


def test_seed_changes_output_and_rerun_is_a_no_op(tmp_path):
    src = make_yolo(str(tmp_path / "in"), 3)
    pipe = _pipeline(tmp_path)
    a, b = tmp_path / "a", tmp_path / "b"
    assert _augment(pipe, "--input", src, "--format", "yolo", "--output", a, "--seed", 1) == 0
    before = tree_bytes(str(a))
    assert _augment(pipe, "--input", src, "--format", "yolo", "--output", a, "--seed", 1) == 0
    assert tree_bytes(str(a)) == before
    assert _augment(pipe, "--input", src, "--format", "yolo", "--output", b, "--seed", 2) == 0
    assert tree_bytes(str(b)) != before
    # resuming with other settings is refused
    assert _augment(pipe, "--input", src, "--format", "yolo", "--output", a, "--seed", 2) == 1


def test_corrupt_files_are_reported_counted_and_skipped(tmp_path, capsys):
    src = make_coco(str(tmp_path / "in"), 4)
    with open(os.path.join(src, "images", "img_001.png"), "wb") as fh:
        fh.write(b"\x89PNG broken")
    pipe = _pipeline(tmp_path)
    code = _augment(pipe, "--input", src, "--format", "coco", "--output", tmp_path / "o", "--copies", 2)
    captured = capsys.readouterr()
    assert code == 2
    assert "img_001.png: cannot decode" in captured.err and "errors: 1" in captured.out
    data = json.loads((tmp_path / "o" / "annotations.json").read_text())
    assert len(data["images"]) == 6 and not any("img_001" in im["file_name"] for im in data["images"])
    assert _augment(pipe, "--input", src, "--format", "coco", "--output", tmp_path / "s", "--strict") == 1
    assert "img_001.png" in capsys.readouterr().err
    assert not (tmp_path / "s" / "annotations.json").exists()


def test_bad_yolo_line_is_reported_with_its_line(tmp_path, capsys):
    src = make_yolo(str(tmp_path / "in"), 2)
    with open(os.path.join(src, "labels", "img_000.txt"), "a") as fh:
        fh.write("3 0.1 0.2\n")
    assert _augment(_pipeline(tmp_path), "--input", src, "--format", "yolo", "--output", tmp_path / "o") == 2
    assert "img_000.txt:3:" in capsys.readouterr().err


def test_refuses_to_write_into_the_input(tmp_path, capsys):
    src = make_yolo(str(tmp_path / "in"), 1)
    pipe = _pipeline(tmp_path)
    for out in (src, os.path.join(src, "aug"), str(tmp_path)):
        assert _augment(pipe, "--input", src, "--format", "yolo", "--output", out) == 1
        assert "refusing to write into the input" in capsys.readouterr().err
    assert not os.path.exists(os.path.join(src, "aug"))


def test_yaml_pipeline(tmp_path):
    import augkit as A
    from augkit.core import serialization
    path = str(tmp_path / "pipe.yaml")
    serialization.save(A.Compose([A.HorizontalFlip(p=1.0)]), path, data_format="yaml")
    src = make_yolo(str(tmp_path / "in"), 1)
    assert _augment(path, "--input", src, "--format", "yolo", "--output", tmp_path / "o") == 0
    flipped = read_image(str(tmp_path / "o" / "images" / "img_000__aug1.jpg"))
    original = read_image(os.path.join(src, "images", "img_000.jpg"))
    assert np.abs(flipped[:, ::-1].astype(int) - original).mean() < 3


def test_preview_draws_a_grid(tmp_path):
    src = make_coco(str(tmp_path / "in"), 3)
    pipe = _pipeline(tmp_path)
    grid = tmp_path / "grid.png"
    assert cli.main(["preview", pipe, src, "-n", "6", "-o", str(grid), "--seed", "1"]) == 0
    img = read_image(str(grid))
    assert img.shape[0] > 2 * 48 and img.shape[1] > 3 * 64
    single = tmp_path / "one.png"
    assert cli.main(["preview", pipe, os.path.join(src, "images", "img_001.png"), "-n", "2",
                     "-o", str(single)]) == 0
    assert read_image(str(single)).shape[1] >= 2 * 56


def test_local_and_ray_engines_write_the_same_files(tmp_path):
    ray = pytest.importorskip("ray")
    src = make_coco(str(tmp_path / "in"), 6)
    pipe = _pipeline(tmp_path)
    args = ["--input", src, "--format", "coco", "--copies", 2, "--seed", 9]
    assert _augment(pipe, *args, "--output", tmp_path / "local") == 0
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        assert _augment(pipe, *args, "--output", tmp_path / "ray", "--engine", "ray") == 0
        from augkit.ray import augment_dataset
        summary = augment_dataset(src, pipe, str(tmp_path / "api"), format="coco", copies=2, seed=9)
        subset = ray.data.from_items([{"id": "img_001.png"}])
        sub_summary = augment_dataset(subset, pipe, str(tmp_path / "sub"), input=src, format="coco",
                                      copies=2, seed=9)
    finally:
        ray.shutdown()
    local = tree_bytes(str(tmp_path / "local"))
    assert tree_bytes(str(tmp_path / "ray")) == local
    assert tree_bytes(str(tmp_path / "api")) == local and summary.written == 12
    sub = tree_bytes(str(tmp_path / "sub"))
    images = sorted(k for k in sub if k.startswith("images"))
    assert images == ["images/img_001__aug1.png", "images/img_001__aug2.png"] and sub_summary.written == 2
    assert all(sub[k] == local[k] for k in images)
