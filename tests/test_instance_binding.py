"""Instance binding: boxes, their masks and their keypoints are kept or removed together."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

import augkit as A
from augkit.errors import InvalidParameterError, TargetError

H, W = 80, 100


def scene():
    """Three objects: filled rectangles with exact boxes, one mask each, a keypoint on each."""
    rects = [(10, 10, 40, 30), (55, 15, 90, 45), (20, 50, 45, 75)]  # x0, y0, x1, y1
    img = np.zeros((H, W, 3), np.uint8)
    masks = []
    for k, (x0, y0, x1, y1) in enumerate(rects):
        img[y0:y1, x0:x1] = 60 * (k + 1)
        m = np.zeros((H, W), np.uint8)
        m[y0:y1, x0:x1] = 1
        masks.append(m)
    centres = [((x0 + x1) / 2, (y0 + y1) / 2) for x0, y0, x1, y1 in rects]
    return img, masks, rects, centres


def pipe(steps, **bbox):
    return A.Compose(steps, bbox_params=A.BboxParams(format="pascal_voc", label_fields=["labels"],
                                                      instance_masks="masks", **bbox),
                     keypoint_params=A.KeypointParams(format="xy", label_fields=["owner"],
                                                      instance_field="owner"), seed=0)


def extent(m):
    ys, xs = np.nonzero(m)
    return (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1)


def test_boxes_from_masks_are_the_masks_extents_and_tighter_after_a_rotation():
    img, _, rects, centres = scene()
    # round objects: a turned box's corners stick out far beyond them
    masks = []
    for x0, y0, x1, y1 in rects:
        m = np.zeros((H, W), np.uint8)
        cv2.ellipse(m, (((x0 + x1) / 2 - 0.5, (y0 + y1) / 2 - 0.5), (x1 - x0, y1 - y0), 0), 1, -1)
        masks.append(m)
    rects = [tuple(int(v) for v in extent(m)) for m in masks]  # boxes tight on the objects
    rot = A.Rotate(limit=(30, 30), p=1)
    out = pipe([rot], boxes_from_masks=True)(image=img, masks=masks, bboxes=rects, labels=[0, 1, 2],
                                            keypoints=centres, owner=[0, 1, 2])
    loose = A.Compose([rot], bbox_params=A.BboxParams(format="pascal_voc", label_fields=["labels"]),
                      seed=0)(image=img, bboxes=rects, labels=[0, 1, 2])
    assert len(out["bboxes"]) == len(out["masks"]) == len(out["labels"])
    for box, m, label in zip(out["bboxes"], out["masks"], out["labels"]):
        assert tuple(box) == extent(m)
        other = loose["bboxes"][loose["labels"].index(label)]
        assert (box[2] - box[0]) * (box[3] - box[1]) < 0.9 * (other[2] - other[0]) * (other[3] - other[1])


def test_an_object_cropped_away_loses_box_mask_and_keypoint():
    img, masks, rects, centres = scene()
    crop = A.Crop(x_min=0, y_min=0, x_max=100, y_max=48)  # the third object is below
    out = pipe([crop])(image=img, masks=masks, bboxes=rects, labels=["a", "b", "c"],
                       keypoints=centres, owner=[0, 1, 2])
    assert out["labels"] == ["a", "b"] and len(out["masks"]) == 2 and out["owner"] == [0, 1]
    for box, m in zip(out["bboxes"], out["masks"]):
        x0, y0, x1, y1 = (int(v) for v in box)
        assert m[y0:y1, x0:x1].all() and m.sum() == (x1 - x0) * (y1 - y0)


def test_a_box_removed_by_visibility_takes_its_mask_and_keypoints():
    img, masks, rects, centres = scene()
    # keeps 8 of the third object's 25 rows (32%): under min_visibility=0.5 its box goes,
    # although its mask still shows pixels
    crop = A.Crop(x_min=0, y_min=0, x_max=100, y_max=58)
    data = dict(image=img, masks=masks, bboxes=rects, labels=["a", "b", "c"],
                keypoints=centres + [(30.0, 52.0)], owner=[0, 1, 2, 2])
    out = pipe([crop], min_visibility=0.5)(**data)
    assert out["labels"] == ["a", "b"] and len(out["masks"]) == 2
    assert out["owner"] == [0, 1]  # the keypoint (30, 52) was visible but its object went
    unbound = A.Compose([crop], bbox_params=A.BboxParams(format="pascal_voc", label_fields=["labels"],
                                                         min_visibility=0.5),
                        keypoint_params=A.KeypointParams(format="xy", label_fields=["owner"]))(**data)
    assert len(unbound["masks"]) == 3 and unbound["owner"] == [0, 1, 2]  # without binding


def test_masks_follow_box_order_and_array_masks_stay_arrays():
    img, masks, rects, centres = scene()
    out = pipe([A.HorizontalFlip(p=1)])(image=img, masks=np.stack(masks[::-1]), bboxes=rects[::-1],
                                        labels=[2, 1, 0], keypoints=centres, owner=[2, 1, 0])
    assert isinstance(out["masks"], np.ndarray) and out["masks"].shape == (3, H, W)
    for box, m in zip(out["bboxes"], out["masks"]):
        assert tuple(box) == extent(m)  # masks[i] was given for bboxes[i]: pairs are kept


def test_remove_invisible_false_flags_orphaned_keypoints():
    img, masks, rects, centres = scene()
    p = A.Compose([A.Crop(x_min=0, y_min=0, x_max=100, y_max=48)],
                  bbox_params=A.BboxParams(format="pascal_voc", label_fields=["labels"], instance_masks="masks"),
                  keypoint_params=A.KeypointParams(format="xy", label_fields=["owner"], instance_field="owner",
                                                   remove_invisible=False, visibility_field="vis"))
    out = p(image=img, masks=masks, bboxes=rects, labels=[0, 1, 2], keypoints=centres, owner=[0, 1, -1])
    # the third keypoint belongs to no box (-1): only the frame decides (it was cropped away)
    assert out["vis"] == [True, True, False]


def test_binding_errors_are_clear():
    img, masks, rects, _ = scene()
    p = pipe([A.NoOp()])
    with pytest.raises(TargetError, match="instance_masks"):
        p(image=img, bboxes=rects, labels=[0, 1, 2], keypoints=[], owner=[])
    with pytest.raises(TargetError, match="2 masks for 3 boxes"):
        p(image=img, masks=masks[:2], bboxes=rects, labels=[0, 1, 2], keypoints=[], owner=[])
    with pytest.raises(InvalidParameterError, match="boxes_from_masks"):
        A.BboxParams(format="coco", boxes_from_masks=True)
    with pytest.raises(InvalidParameterError, match="instance_field"):
        A.KeypointParams(format="xy", instance_field="owner")
