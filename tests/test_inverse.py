"""augkit.inverse: annotations on an augmented image mapped back to the original frame."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import augkit as A
from augkit.errors import TargetError

H, W = 60, 80


def pipeline(steps, seed, cls=A.ReplayCompose, **kw):
    return cls(steps, seed=seed,
               bbox_params=A.BboxParams(format="pascal_voc", label_fields=["box_ids"]),
               keypoint_params=A.KeypointParams(format="xy", label_fields=["kp_ids"]), **kw)


def annotations(seed):
    rng = np.random.default_rng(seed)
    kps = np.column_stack([rng.uniform(0, W - 1, 30), rng.uniform(0, H - 1, 30)])
    x0 = rng.uniform(0, W - 20, 12)
    y0 = rng.uniform(0, H - 20, 12)
    boxes = np.column_stack([x0, y0, x0 + rng.uniform(4, 20, 12), y0 + rng.uniform(4, 20, 12)])
    return kps, boxes


def matrix_steps():
    return [A.HorizontalFlip(), A.RandomRotate90(), A.Rotate(limit=45, p=0.8),
            A.Affine(scale=(0.7, 1.3), translate_percent=(-0.1, 0.1), shear=(-10, 10), p=0.8),
            A.Perspective(scale=(0.02, 0.06), p=0.3),
            A.RandomCrop(height=40, width=50, p=0.7), A.Resize(height=45, width=55, p=0.5)]


def axis_aligned_steps():
    return [A.HorizontalFlip(), A.VerticalFlip(), A.RandomRotate90(), A.Transpose(),
            A.RandomCrop(height=40, width=50, p=0.7), A.Resize(height=45, width=70, p=0.5),
            A.PadIfNeeded(min_height=64, min_width=90, p=0.5)]


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**31))
def test_keypoints_come_back_exactly_through_matrices(seed):
    kps, _ = annotations(seed)
    pipe = pipeline(matrix_steps(), seed)
    out = pipe(image=np.zeros((H, W, 3), np.uint8), keypoints=kps, kp_ids=list(range(len(kps))),
               bboxes=[], box_ids=[])
    if not out["kp_ids"]:
        return
    back = A.inverse(out["replay"], (H, W, 3), keypoints=out["keypoints"])["keypoints"]
    np.testing.assert_allclose(back, kps[out["kp_ids"]], atol=1e-6)


def box_intersection(a, b):
    return np.column_stack([np.maximum(a[:, 0], b[0]), np.maximum(a[:, 1], b[1]),
                            np.minimum(a[:, 2], b[2]), np.minimum(a[:, 3], b[3])])


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**31))
def test_boxes_come_back_within_a_pixel_through_axis_aligned_chains(seed):
    _, boxes = annotations(seed)
    frame = np.array([[0.0, 0.0, W, H]])  # tells what of the original frame stays visible
    pipe = pipeline(axis_aligned_steps(), seed)
    out = pipe(image=np.zeros((H, W, 3), np.uint8), bboxes=np.concatenate([boxes, frame]),
               box_ids=[*range(len(boxes)), -1], keypoints=[], kp_ids=[])
    ids = list(out["box_ids"])
    back = A.inverse(out["replay"], (H, W), bboxes=out["bboxes"])["bboxes"]
    visible = back[ids.index(-1)]
    kept = [i for i in ids if i >= 0]
    if not kept:
        return
    expected = box_intersection(boxes[kept], visible)
    np.testing.assert_allclose(back[[ids.index(i) for i in kept]], expected, atol=1.0)


def test_extra_columns_and_other_box_formats_pass():
    pipe = A.ReplayCompose([A.HorizontalFlip(p=1.0), A.RandomCrop(height=30, width=40, p=1.0)],
                           bbox_params=A.BboxParams(format="coco"), seed=0)
    out = pipe(image=np.zeros((H, W), np.uint8), bboxes=[(0, 0, W, H, 7)])
    back = A.inverse(out["replay"], (H, W), bboxes=out["bboxes"], bbox_format="coco")["bboxes"]
    x, y, w, h, extra = back[0]
    assert (w, h, extra) == (40, 30, 7)
    crop = out["replay"]["applied"][1][1]["crop"]
    # the crop window was cut from the flipped image
    assert (x, y) == (W - crop[2], crop[1])


MH, MW = 120, 160


def blob_mask(seed):
    rng = np.random.default_rng(seed)
    mask = np.zeros((MH, MW), np.uint8)
    yy, xx = np.mgrid[:MH, :MW]
    for label in range(1, 5):
        cx, cy, r = rng.uniform(20, MW - 20), rng.uniform(20, MH - 20), rng.uniform(15, 35)
        mask[(xx - cx) ** 2 + (yy - cy) ** 2 < r * r] = label
    return mask


@pytest.mark.parametrize("seed", range(12))
def test_masks_come_back_on_the_visible_region(seed):
    """Nearest-neighbour there and back loses only pixels along label edges."""
    mask = blob_mask(seed)
    steps = [A.HorizontalFlip(), A.RandomRotate90(), A.Rotate(limit=45, p=0.8),
             A.Affine(scale=(0.8, 1.3), translate_percent=(-0.1, 0.1), shear=(-10, 10), p=0.8),
             A.RandomCrop(height=90, width=110, p=0.7), A.Resize(height=100, width=120, p=0.5)]
    out = A.ReplayCompose(steps, seed=seed)(image=np.zeros((MH, MW, 3), np.uint8), mask=mask)
    back = A.inverse(out["replay"], (MH, MW), mask=out["mask"])["mask"]
    assert back.shape == mask.shape and back.dtype == mask.dtype
    # the region that stayed visible: the original frame pushed through the same call
    seen = A.ReplayCompose.replay(out["replay"], image=np.zeros((MH, MW, 3), np.uint8),
                                  mask=np.ones((MH, MW), np.uint8))["mask"]
    seen = A.inverse(out["replay"], (MH, MW), mask=seen)["mask"] == 1
    assert seen.sum() > 0.1 * MH * MW
    agreement = (back[seen] == mask[seen]).mean()
    assert agreement >= 0.99, agreement
    assert (back[~seen] == 0).all()


def test_applied_params_work_as_well():
    pipe = pipeline([A.Transpose(p=1.0), A.Rotate(limit=(30, 30), p=1.0)], 0, cls=A.Compose,
                    save_applied_params=True)
    kps, _ = annotations(0)
    out = pipe(image=np.zeros((H, W), np.uint8), keypoints=kps, kp_ids=list(range(30)),
               bboxes=[], box_ids=[])
    for record in (out["applied_params"], out):
        back = A.inverse(record, (H, W), keypoints=out["keypoints"])["keypoints"]
        np.testing.assert_allclose(back, kps[out["kp_ids"]], atol=1e-6)


def test_fields_and_custom_steps_are_refused_clearly():
    img = np.zeros((H, W), np.uint8)
    out = A.ReplayCompose([A.HorizontalFlip(p=1.0), A.ElasticTransform(p=1.0)], seed=0)(image=img)
    with pytest.raises(TargetError, match="displacement field"):
        A.inverse(out["replay"], (H, W), keypoints=[(1, 1)])

    class Legacy(A.DualTransform):
        def apply(self, img, **params):
            return img[::-1]

    out = A.ReplayCompose([Legacy(p=1.0)], seed=0)(image=img)
    with pytest.raises(TargetError, match="Legacy"):
        A.inverse(out["replay"], (H, W), keypoints=[(1, 1)])


def test_wrong_shapes_and_records_are_refused():
    out = A.ReplayCompose([A.HorizontalFlip(p=1.0)], seed=0)(image=np.zeros((H, W), np.uint8))
    with pytest.raises(TargetError, match="image_shape"):
        A.inverse(out["replay"], (W, H), keypoints=[(1, 1)])
    with pytest.raises(TargetError, match="mask"):
        A.inverse(out["replay"], (H, W), mask=np.zeros((H + 1, W), np.uint8))
    with pytest.raises(TargetError, match="record"):
        A.inverse({"image": 1}, (H, W), keypoints=[(1, 1)])
