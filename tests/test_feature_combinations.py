"""Random pipelines mixing this library's annotation features, checked for consistency.

Each example draws a chain of spatial steps, dropouts and pixel steps, and runs it with
instance binding (masks and keypoints bound to boxes), keypoint visibility flags and
left/right label mapping all switched on. Whatever the chain, the outputs must agree with
each other: one mask and one label per kept box, every box's mask non-empty and inside
its box, one visibility flag and one label per keypoint, flags true only inside the
frame, and bound keypoints of removed boxes hidden.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import augkit as A

H, W = 48, 64
STEPS = [
    lambda: A.HorizontalFlip(p=1),
    lambda: A.VerticalFlip(p=1),
    lambda: A.Transpose(p=1),
    lambda: A.D4(p=1),
    lambda: A.Rotate(limit=(-40, 40), p=1),
    lambda: A.Affine(scale=(0.7, 1.3), translate_percent=(-0.2, 0.2), shear=(-10, 10), p=1),
    lambda: A.RandomCrop(height=32, width=40, pad_if_needed=True, p=1),
    lambda: A.PadIfNeeded(min_height=60, min_width=70, p=1),
    lambda: A.Perspective(scale=(0.05, 0.1), p=1),
    lambda: A.ElasticTransform(alpha=30, sigma=5, p=1),
    lambda: A.CoarseDropout(num_holes_range=(1, 3), hole_height_range=(0.1, 0.4),
                            hole_width_range=(0.1, 0.4), fill_mask=0, p=1),
    lambda: A.GridDropout(ratio=0.4, p=1),
    lambda: A.RandomBrightnessContrast(p=1),
]
SWAP = {"left": "right", "right": "left"}


def sample(rng):
    img = rng.integers(0, 256, (H, W, 3), dtype=np.uint8)
    boxes, masks, kps, owners, names = [], [], [], [], []
    for k in range(4):
        x0, y0 = int(rng.integers(0, W - 12)), int(rng.integers(0, H - 10))
        x1, y1 = x0 + int(rng.integers(6, 12)), y0 + int(rng.integers(5, 10))
        m = np.zeros((H, W), np.uint8)
        m[y0:y1, x0:x1] = 1
        boxes.append((x0, y0, x1, y1))
        masks.append(m)
        for name, fx in (("left", 0.25), ("right", 0.75)):
            kps.append((x0 + fx * (x1 - x0), (y0 + y1) / 2))
            owners.append(k)
            names.append(name)
    return img, boxes, masks, kps, owners, names


@settings(max_examples=int(__import__("os").environ.get("COMBO_EXAMPLES", 60)), deadline=None)
@given(st.lists(st.integers(0, len(STEPS) - 1), min_size=1, max_size=5), st.integers(0, 2**31 - 1),
       st.booleans())
def test_bound_annotations_stay_consistent(chain, seed, remove_invisible):
    rng = np.random.default_rng(seed)
    img, boxes, masks, kps, owners, names = sample(rng)
    mapping = {n: {"names": SWAP} for n in ("HorizontalFlip", "VerticalFlip", "Transpose", "D4")}
    pipe = A.Compose(
        [STEPS[i]() for i in chain],
        bbox_params=A.BboxParams(format="pascal_voc", label_fields=["labels"], min_visibility=0.2,
                                 instance_masks="masks", boxes_from_masks=bool(seed % 2)),
        keypoint_params=A.KeypointParams(format="xy", label_fields=["owner", "names"],
                                         instance_field="owner", remove_invisible=remove_invisible,
                                         visibility_field="visible", label_mapping=mapping),
        seed=seed)
    out = pipe(image=img, masks=masks, bboxes=boxes, labels=list(range(4)), keypoints=kps,
               owner=owners, names=names)
    h, w = out["image"].shape[:2]
    # boxes, labels and masks: one each, in the same order, every mask inside its box
    assert len(out["bboxes"]) == len(out["labels"]) == len(out["masks"])
    assert len(set(out["labels"])) == len(out["labels"])
    for (x0, y0, x1, y1), m in zip(out["bboxes"], out["masks"]):
        assert m.shape == (h, w) and m.any()
        ys, xs = np.nonzero(m)
        assert xs.min() >= np.floor(x0) - 1 and xs.max() + 1 <= np.ceil(x1) + 1
        assert ys.min() >= np.floor(y0) - 1 and ys.max() + 1 <= np.ceil(y1) + 1
    # keypoints: one flag and one label each; flags only inside the frame; the bound
    # keypoints of removed boxes are hidden (or gone)
    n = len(out["keypoints"])
    assert len(out["visible"]) == len(out["owner"]) == len(out["names"]) == n
    if not remove_invisible:
        assert n == len(kps)
    kept = set(out["labels"])
    for (x, y), vis, owner in zip(out["keypoints"], out["visible"], out["owner"]):
        if vis:  # on one of the frame's pixels: pixel-index coordinates in [-0.5, size - 0.5)
            assert -0.5 <= x < w - 0.5 and -0.5 <= y < h - 0.5
            assert owner in kept
        if remove_invisible:
            assert vis
    assert set(out["names"]) <= {"left", "right"}
