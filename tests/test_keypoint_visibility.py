"""Keypoint visibility flags and left/right label mapping (pose estimation)."""

from __future__ import annotations

import numpy as np
import pytest

import augkit as A
from augkit.errors import InvalidParameterError

H, W = 40, 60
IMG = np.random.default_rng(0).integers(0, 256, (H, W, 3), dtype=np.uint8)
POSE = [(10.0, 5.0), (40.0, 5.0), (25.0, 20.0), (55.0, 35.0)]
NAMES = ["left_eye", "right_eye", "nose", "tail"]
SWAP = {"left_eye": "right_eye", "right_eye": "left_eye"}


def pipe(steps, **kp):
    kp.setdefault("format", "xy")
    kp.setdefault("label_fields", ["names"])
    return A.Compose(steps, keypoint_params=A.KeypointParams(**kp), seed=0)


def test_fixed_length_output_with_flags_that_match_the_frame():
    crop = A.Crop(x_min=5, y_min=0, x_max=45, y_max=30)
    out = pipe([crop], remove_invisible=False, visibility_field="visible")(
        image=IMG, keypoints=POSE, names=NAMES)
    assert out["names"] == NAMES and len(out["keypoints"]) == 4  # nothing dropped
    for (x, y), vis in zip(out["keypoints"], out["visible"]):
        assert vis == (0 <= x < 40 and 0 <= y < 30)
    assert out["visible"] == [True, True, True, False]


def test_removed_when_remove_invisible_and_flags_all_true():
    crop = A.Crop(x_min=5, y_min=0, x_max=45, y_max=30)
    out = pipe([crop], visibility_field="visible")(image=IMG, keypoints=POSE, names=NAMES)
    assert out["names"] == NAMES[:3] and out["visible"] == [True, True, True]


def test_coco_levels_pass_through_and_hidden_points_become_zero():
    crop = A.Crop(x_min=5, y_min=0, x_max=45, y_max=30)
    out = pipe([crop], remove_invisible=False, visibility_field="v")(
        image=IMG, keypoints=POSE, names=NAMES, v=[2, 1, 0, 2])
    assert out["v"] == [2, 1, 0, 0]  # labelled-occluded stays 1, unlabelled 0, cropped away 0


def test_initially_invisible_points_are_removed_with_remove_invisible():
    out = pipe([A.NoOp(p=1)], visibility_field="v")(image=IMG, keypoints=POSE, names=NAMES,
                                                     v=[2, 0, 2, 2])
    assert out["names"] == ["left_eye", "nose", "tail"] and out["v"] == [2, 2, 2]


def test_points_under_a_dropout_hole_are_hidden_not_moved():
    hole = A.CoarseDropout(num_holes_range=(1, 1), hole_height_range=(40, 40),
                           hole_width_range=(20, 20), fill=0, p=1)
    kept = pipe([hole], remove_invisible=False, visibility_field="visible")(
        image=IMG, keypoints=POSE, names=NAMES)
    assert kept["keypoints"] == POSE
    for (x, y), vis in zip(POSE, kept["visible"]):
        under = bool((kept["image"][int(y), int(x)] == 0).all() and (IMG[int(y), int(x)] != 0).any())
        assert vis == (not under)
    assert not all(kept["visible"])  # the 20 px wide full-height hole hides one of them
    dropped = pipe([hole], visibility_field="visible")(image=IMG, keypoints=POSE, names=NAMES)
    assert dropped["names"] == [n for n, v in zip(NAMES, kept["visible"]) if v]


def test_array_keypoints_give_an_array_of_flags():
    out = pipe([A.HorizontalFlip(p=1)], remove_invisible=False, visibility_field="vis")(
        image=IMG, keypoints=np.array(POSE), names=NAMES)
    assert isinstance(out["vis"], np.ndarray) and out["vis"].dtype == bool and out["vis"].all()


def test_horizontal_flip_swaps_labels_and_keeps_index_meaning():
    mapping = {"HorizontalFlip": {"names": SWAP}}
    out = pipe([A.HorizontalFlip(p=1)], label_mapping=mapping)(image=IMG, keypoints=POSE, names=NAMES)
    # position i still means NAMES[i]; the point called left_eye now is the mirrored right eye
    # (keypoints are pixel indices: a flip maps x to W - 1 - x)
    assert out["names"] == NAMES
    flipped = {n: (W - 1 - x, y) for n, (x, y) in zip(NAMES, POSE)}
    assert out["keypoints"][0] == flipped["right_eye"]
    assert out["keypoints"][1] == flipped["left_eye"]
    assert out["keypoints"][2:] == [flipped["nose"], flipped["tail"]]


def test_two_mirrors_cancel():
    mapping = {"HorizontalFlip": {"names": SWAP}, "VerticalFlip": {"names": SWAP}}
    out = pipe([A.HorizontalFlip(p=1), A.VerticalFlip(p=1)], label_mapping=mapping)(
        image=IMG, keypoints=POSE, names=NAMES)
    assert out["names"] == NAMES
    assert out["keypoints"] == [(W - 1 - x, H - 1 - y) for x, y in POSE]  # a half turn: no swap


def test_d4_swaps_only_for_reflections():
    mapping = {"D4": {"names": SWAP}}
    sq = np.random.default_rng(1).integers(0, 256, (40, 40, 3), dtype=np.uint8)
    pts = [(10.0, 5.0), (30.0, 5.0), (20.0, 20.0), (35.0, 35.0)]
    turns = [np.rot90(sq, k) for k in range(4)]
    seen = set()
    for seed in range(24):
        p = A.Compose([A.D4(p=1)], keypoint_params=A.KeypointParams(
            format="xy", label_fields=["names"], label_mapping=mapping), seed=seed)
        out = p(image=sq, keypoints=pts, names=NAMES)
        mirrored = not any(np.array_equal(out["image"], t) for t in turns)
        seen.add(mirrored)
        plain = A.Compose([A.D4(p=1)], keypoint_params=A.KeypointParams(
            format="xy", label_fields=["names"]), seed=seed)(image=sq, keypoints=pts, names=NAMES)
        assert out["names"] == NAMES
        expect = [plain["keypoints"][1], plain["keypoints"][0], *plain["keypoints"][2:]] if mirrored \
            else plain["keypoints"]
        assert out["keypoints"] == expect
    assert seen == {True, False}


def test_labels_renamed_without_reordering_when_points_were_dropped():
    mapping = {"HorizontalFlip": {"names": SWAP}}
    steps = [A.HorizontalFlip(p=1), A.Crop(x_min=0, y_min=0, x_max=60, y_max=30)]
    out = pipe(steps, label_mapping=mapping)(image=IMG, keypoints=POSE, names=NAMES)
    assert out["names"] == ["right_eye", "left_eye", "nose"]  # tail cropped away: renamed only
    assert out["keypoints"][0] == (W - 1 - 10.0, 5.0)


def test_integer_labels_and_other_fields_follow_the_reorder():
    mapping = {"HorizontalFlip": {"ids": {0: 1, 1: 0}}}
    out = pipe([A.HorizontalFlip(p=1)], label_fields=["ids", "names"], label_mapping=mapping)(
        image=IMG, keypoints=POSE, ids=np.array([0, 1, 2, 3]), names=NAMES)
    assert out["ids"].tolist() == [0, 1, 2, 3]
    assert out["names"] == ["right_eye", "left_eye", "nose", "tail"]  # the physical points' names


@pytest.mark.parametrize("bad", [
    {"HorizontalFlip": {"unknown_field": SWAP}},
    {"HorizontalFlip": SWAP},
    ["HorizontalFlip"],
])
def test_bad_label_mapping_is_a_clear_error(bad):
    with pytest.raises(InvalidParameterError, match="label_mapping"):
        A.KeypointParams(format="xy", label_fields=["names"], label_mapping=bad)


def test_visibility_field_may_not_shadow_a_target():
    with pytest.raises(InvalidParameterError, match="visibility_field"):
        A.KeypointParams(format="xy", label_fields=["names"], visibility_field="names")
