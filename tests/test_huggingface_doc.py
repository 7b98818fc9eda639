"""docs/huggingface.md runs as written, on a real in-memory ``datasets.Dataset``, and its
``set_transform`` hook does what it says: PIL images back, COCO boxes still around the
objects they mark, categories kept in step, other columns untouched."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

PILImage = pytest.importorskip("PIL.Image", reason="Pillow is in the dev extra")

DOC = Path(__file__).resolve().parents[1] / "docs" / "huggingface.md"


def doc_code() -> str:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
    assert len(blocks) == 1, "docs/huggingface.md should hold one python example"
    return blocks[0]


def without_datasets(code: str) -> str:
    """The example less the lines that build and read the ``datasets.Dataset``."""
    code = code.replace("from datasets import Dataset, Features, Image, List, Value\n", "")
    code = re.sub(r"features = Features\(\{.*?\n\}\)\n", "", code, flags=re.S)
    code = re.sub(r"ds = Dataset\.from_dict\(.*?features=features\)\n", "", code, flags=re.S)
    return code.split("ds.set_transform", 1)[0]


def check_row(image, objects):
    assert isinstance(image, PILImage.Image) and image.mode == "RGB" and image.size == (96, 96)
    pixels = np.asarray(image).astype(np.int64)
    assert len(objects["bbox"]) == len(objects["category"]) >= 1
    for x, y, w, h in objects["bbox"]:
        assert 0 <= x and 0 <= y and x + w <= 96 + 1e-6 and y + h <= 96 + 1e-6
        x0, y0, x1, y1 = (int(round(v)) for v in (x, y, x + w, y + h))
        inner = pixels[y0 + 1:y1 - 1, x0 + 1:x1 - 1]
        # the box still frames a white object: bright inside (brightness/contrast may move
        # the level), darker just outside it on the left or right where there is room
        assert inner.size and inner.mean() > 150, (x, y, w, h)
        ring = [pixels[y0 + 1:y1 - 1, c] for c in (x0 - 2, x1 + 1) if 0 <= c < 96]
        assert all(r.mean() < inner.mean() - 50 for r in ring)


def test_doc_example_with_a_real_dataset():
    pytest.importorskip("datasets", reason="datasets is in the dev extra")
    ns: dict = {}
    exec(compile(doc_code(), str(DOC), "exec"), ns)
    ds = ns["ds"]
    categories = {1: [0, 2], 2: [1]}
    for _ in range(3):  # new augmentations on every read
        for i in range(len(ds)):
            row = ds[i]
            check_row(row["image"], row["objects"])
            # the category of each box is its object's: both boxes of image 1 survive
            # (min_visibility=0.3 and nothing is cropped), in their order
            assert sorted(row["objects"]["category"]) == categories[row["image_id"]]
    flips = set()
    for _ in range(20):
        x = ds[1]["objects"]["bbox"][0][0]
        flips.add(round(x))
    assert len(flips) == 2, "HorizontalFlip(p=0.5) never (or always) ran"


def test_hook_on_plain_rows_shaped_like_hugging_face_batches():
    """The same hook without ``datasets``: a batch is a dict of column lists."""
    ns: dict = {}
    exec(compile(without_datasets(doc_code()), str(DOC), "exec"), ns)
    assert "augment_batch" in ns and "Dataset" not in ns
    rows = ns["rows"]
    batch = {"image_id": [r["image_id"] for r in rows],
             "image": [ns["picture"](r["objects"]["bbox"]).convert("L") for r in rows],
             "objects": [r["objects"] for r in rows]}
    out = ns["augment_batch"](batch)
    assert out["image_id"] == [1, 2]
    for image, objects in zip(out["image"], out["objects"]):
        check_row(image, objects)
