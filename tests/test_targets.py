"""Boxes, keypoints and their labels: formats in and out, filters, validation, containers.

Every expectation is computed independently with numpy from the definitions of the
formats (pascal_voc pixel edges; coco x, y, w, h; yolo normalized centre and size;
albumentations normalized edges; keypoints as pixel indices, angles in [0, 360)).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import augkit as A
from augkit.errors import TargetError

SETTINGS = settings(deadline=None, derandomize=True)  # examples: the loaded profile (conftest)

BBOX_FORMATS = ["pascal_voc", "coco", "yolo", "albumentations"]
KP_FORMATS = ["xy", "yx", "xya", "xys", "xyas", "xysa"]


# ------------------------------------------------------------------------------------
# independent helpers
# ------------------------------------------------------------------------------------
def voc_to(fmt: str, boxes: np.ndarray, h: int, w: int) -> np.ndarray:
    b = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    x1, y1, x2, y2 = b.T
    if fmt == "pascal_voc":
        out = [x1, y1, x2, y2]
    elif fmt == "coco":
        out = [x1, y1, x2 - x1, y2 - y1]
    elif fmt == "yolo":
        out = [(x1 + x2) / 2 / w, (y1 + y2) / 2 / h, (x2 - x1) / w, (y2 - y1) / h]
    else:
        out = [x1 / w, y1 / h, x2 / w, y2 / h]
    return np.stack(out, axis=1)


def image(h: int, w: int) -> np.ndarray:
    return np.zeros((h, w), np.uint8)


def coded_image(h: int, w: int) -> np.ndarray:
    """uint16 image whose pixel (y, x) holds y * w + x: a crop window can be read off it."""
    return (np.arange(h * w, dtype=np.uint16).reshape(h, w))


def window_of(out_img: np.ndarray, w: int) -> tuple[int, int, int, int]:
    y0, x0 = divmod(int(out_img[0, 0]), w)
    oh, ow = out_img.shape[:2]
    return x0, y0, x0 + ow, y0 + oh


def circular_diff_deg(a, b):
    d = np.mod(np.asarray(a) - np.asarray(b) + 180.0, 360.0) - 180.0
    return np.abs(d)


@st.composite
def frame_and_boxes(draw, max_boxes=6, step=None):
    """An image size and valid pascal_voc boxes inside it (``step``: coordinate grid)."""
    h = draw(st.integers(2, 48))
    w = draw(st.integers(2, 48))
    n = draw(st.integers(0, max_boxes))
    boxes = []
    for _ in range(n):
        if step is None:
            xs = sorted(draw(st.lists(st.floats(0, w, allow_nan=False), min_size=2, max_size=2)))
            ys = sorted(draw(st.lists(st.floats(0, h, allow_nan=False), min_size=2, max_size=2)))
            assume(xs[1] - xs[0] > 1e-3 and ys[1] - ys[0] > 1e-3)
        else:
            k = int(round(1 / step))
            xa = draw(st.integers(0, w * k - 1))
            xb = draw(st.integers(xa + 1, w * k))
            ya = draw(st.integers(0, h * k - 1))
            yb = draw(st.integers(ya + 1, h * k))
            xs, ys = [xa * step, xb * step], [ya * step, yb * step]
        boxes.append([xs[0], ys[0], xs[1], ys[1]])
    return h, w, np.array(boxes, dtype=np.float64).reshape(-1, 4)


# ------------------------------------------------------------------------------------
# box formats
# ------------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", BBOX_FORMATS)
@SETTINGS
@given(data=frame_and_boxes())
def test_bbox_format_roundtrip_through_empty_compose(fmt, data):
    h, w, voc = data
    given_boxes = voc_to(fmt, voc, h, w)
    pipe = A.Compose([], bbox_params=A.BboxParams(format=fmt, label_fields=["labels"]))
    out = pipe(image=image(h, w), bboxes=given_boxes, labels=list(range(len(voc))))
    assert out["labels"] == list(range(len(voc)))
    np.testing.assert_allclose(out["bboxes"], given_boxes, rtol=0, atol=1e-9)


@pytest.mark.parametrize("fmt", BBOX_FORMATS)
@SETTINGS
@given(data=frame_and_boxes())
def test_bbox_format_through_horizontal_flip(fmt, data):
    h, w, voc = data
    given_boxes = voc_to(fmt, voc, h, w)
    params = A.BboxParams(format=fmt, label_fields=["labels"])
    labels = [f"l{i}" for i in range(len(voc))]

    once = A.Compose([A.HorizontalFlip(p=1.0)], bbox_params=params)(
        image=image(h, w), bboxes=given_boxes, labels=labels)
    flipped = np.stack([w - voc[:, 2], voc[:, 1], w - voc[:, 0], voc[:, 3]], axis=1)
    np.testing.assert_allclose(once["bboxes"], voc_to(fmt, flipped, h, w), rtol=0, atol=1e-9)
    assert once["labels"] == labels

    twice = A.Compose([A.HorizontalFlip(p=1.0), A.HorizontalFlip(p=1.0)], bbox_params=params)(
        image=image(h, w), bboxes=given_boxes, labels=labels)
    np.testing.assert_allclose(twice["bboxes"], given_boxes, rtol=0, atol=1e-9)
    assert twice["labels"] == labels
    unfused = A.Compose([A.HorizontalFlip(p=1.0), A.HorizontalFlip(p=1.0)], bbox_params=params,
                        fuse=False)(image=image(h, w), bboxes=given_boxes, labels=labels)
    np.testing.assert_allclose(unfused["bboxes"], given_boxes, rtol=0, atol=1e-9)


# ------------------------------------------------------------------------------------
# keypoint formats
# ------------------------------------------------------------------------------------
@st.composite
def frame_and_keypoints(draw):
    h = draw(st.integers(1, 48))
    w = draw(st.integers(1, 48))
    n = draw(st.integers(0, 6))
    rows = []
    for _ in range(n):
        x = draw(st.floats(0, w - 1, allow_nan=False))
        y = draw(st.floats(0, h - 1, allow_nan=False))
        a = draw(st.floats(0, 359.999, allow_nan=False))
        s = draw(st.floats(0.01, 100, allow_nan=False))
        rows.append((x, y, a, s))
    return h, w, np.array(rows, dtype=np.float64).reshape(-1, 4)


def kp_rows(fmt: str, xyas: np.ndarray, degrees: bool = True) -> np.ndarray:
    cols = {"x": xyas[:, 0], "y": xyas[:, 1],
            "a": xyas[:, 2] if degrees else np.radians(xyas[:, 2]), "s": xyas[:, 3]}
    return np.stack([cols[c] for c in fmt], axis=1) if len(xyas) else np.zeros((0, len(fmt)))


def assert_kps_close(fmt: str, got, want, degrees: bool = True):
    got = np.asarray(got, dtype=np.float64).reshape(-1, len(fmt))
    want = np.asarray(want, dtype=np.float64).reshape(-1, len(fmt))
    assert got.shape == want.shape
    for i, c in enumerate(fmt):
        if c == "a":
            period = 360.0 if degrees else 2 * math.pi
            d = np.mod(got[:, i] - want[:, i] + period / 2, period) - period / 2
            assert np.all(np.abs(d) <= 1e-9), (got[:, i], want[:, i])
            assert np.all((got[:, i] >= 0) & (got[:, i] < period + 1e-9)), got[:, i]
        else:
            np.testing.assert_allclose(got[:, i], want[:, i], rtol=0, atol=1e-9, err_msg=c)


@pytest.mark.parametrize("degrees", [True, False])
@pytest.mark.parametrize("fmt", KP_FORMATS)
@SETTINGS
@given(data=frame_and_keypoints())
def test_keypoint_format_roundtrip(fmt, degrees, data):
    h, w, xyas = data
    rows = kp_rows(fmt, xyas, degrees)
    params = A.KeypointParams(format=fmt, angle_in_degrees=degrees, remove_invisible=False)
    out = A.Compose([], keypoint_params=params)(image=image(h, w), keypoints=rows)
    assert_kps_close(fmt, out["keypoints"], rows, degrees)

    twice = A.Compose([A.HorizontalFlip(p=1.0), A.HorizontalFlip(p=1.0)], keypoint_params=params)(
        image=image(h, w), keypoints=rows)
    assert_kps_close(fmt, twice["keypoints"], rows, degrees)

    once = A.Compose([A.HorizontalFlip(p=1.0)], keypoint_params=params)(image=image(h, w), keypoints=rows)
    expected = xyas.copy()
    expected[:, 0] = (w - 1) - xyas[:, 0]
    expected[:, 2] = np.mod(180.0 - xyas[:, 2], 360.0)
    assert_kps_close(fmt, once["keypoints"], kp_rows(fmt, expected, degrees), degrees)


@SETTINGS
@given(data=frame_and_keypoints())
def test_angle_in_degrees_and_radians_agree(data):
    h, w, xyas = data
    steps = [A.HorizontalFlip(p=1.0), A.Transpose(p=1.0), A.VerticalFlip(p=1.0)]
    deg = A.Compose(steps, keypoint_params=A.KeypointParams(format="xyas", angle_in_degrees=True))(
        image=image(h, w), keypoints=kp_rows("xyas", xyas, True))["keypoints"]
    rad = A.Compose(steps, keypoint_params=A.KeypointParams(format="xyas", angle_in_degrees=False))(
        image=image(h, w), keypoints=kp_rows("xyas", xyas, False))["keypoints"]
    deg, rad = np.asarray(deg).reshape(-1, 4), np.asarray(rad).reshape(-1, 4)
    np.testing.assert_allclose(deg[:, [0, 1, 3]], rad[:, [0, 1, 3]], rtol=0, atol=1e-9)
    assert np.all(circular_diff_deg(deg[:, 2], np.degrees(rad[:, 2])) <= 1e-9)
    assert np.all((rad[:, 2] >= 0) & (rad[:, 2] < 2 * math.pi))


@SETTINGS
@given(data=frame_and_keypoints())
def test_keypoint_angles_under_vertical_flip_and_transpose(data):
    """Angles are measured from +x toward +y (down): a vertical flip maps a to -a, a
    transpose (mirror about the diagonal) maps a to 90 - a; x, y follow the pixels."""
    h, w, xyas = data
    params = A.KeypointParams(format="xyas", remove_invisible=False)
    rows = kp_rows("xyas", xyas)
    v = A.Compose([A.VerticalFlip(p=1.0)], keypoint_params=params)(image=image(h, w), keypoints=rows)
    want = xyas.copy()
    want[:, 1] = (h - 1) - xyas[:, 1]
    want[:, 2] = np.mod(-xyas[:, 2], 360.0)
    assert_kps_close("xyas", v["keypoints"], want)
    t = A.Compose([A.Transpose(p=1.0)], keypoint_params=params)(image=image(h, w), keypoints=rows)
    want = xyas[:, [1, 0, 2, 3]].copy()
    want[:, 2] = np.mod(90.0 - xyas[:, 2], 360.0)
    assert_kps_close("xyas", t["keypoints"], want)


def test_keypoints_outside_kept_when_remove_invisible_is_false():
    params = A.KeypointParams(format="xya", remove_invisible=False, label_fields=["kl"])
    out = A.Compose([A.Crop(5, 0, 15, 10)], keypoint_params=params)(
        image=image(10, 20), keypoints=[(1, 1, 10), (7, 2, 10), (17.5, 3, 0)], kl=[0, 1, 2])
    assert out["keypoints"] == [(-4.0, 1.0, 10.0), (2.0, 2.0, 10.0), (12.5, 3.0, 0.0)]
    assert out["kl"] == [0, 1, 2]
    params = A.KeypointParams(format="xya", label_fields=["kl"])
    out = A.Compose([A.Crop(5, 0, 15, 10)], keypoint_params=params)(
        image=image(10, 20), keypoints=[(1, 1, 10), (7, 2, 10), (17.5, 3, 0)], kl=[0, 1, 2])
    assert out["keypoints"] == [(2.0, 2.0, 10.0)] and out["kl"] == [1]


def test_angles_are_normalized_to_one_turn():
    params = A.KeypointParams(format="xya", angle_in_degrees=True)
    out = A.Compose([], keypoint_params=params)(image=image(5, 5), keypoints=[(1, 1, -90), (2, 2, 450)])
    assert out["keypoints"][0][2] == pytest.approx(270.0, abs=1e-9)
    assert out["keypoints"][1][2] == pytest.approx(90.0, abs=1e-9)


def test_yx_keypoints_keep_their_column_order():
    out = A.Compose([A.HorizontalFlip(p=1.0)], keypoint_params=A.KeypointParams(format="yx"))(
        image=image(4, 10), keypoints=[(1.0, 2.0)])
    assert out["keypoints"] == [(1.0, 7.0)]


# ------------------------------------------------------------------------------------
# extra columns and labels follow their rows
# ------------------------------------------------------------------------------------
def expected_crop(voc: np.ndarray, window, min_area=0.0, min_visibility=0.0, min_width=0.0,
                  min_height=0.0):
    x0, y0, x1, y1 = window
    cx1 = np.maximum(voc[:, 0], x0) - x0
    cy1 = np.maximum(voc[:, 1], y0) - y0
    cx2 = np.minimum(voc[:, 2], x1) - x0
    cy2 = np.minimum(voc[:, 3], y1) - y0
    cw, ch = cx2 - cx1, cy2 - cy1
    area = cw * ch
    full = (voc[:, 2] - voc[:, 0]) * (voc[:, 3] - voc[:, 1])
    vis = np.where(full > 0, area / np.where(full > 0, full, 1), 0)
    keep = (cw > 0) & (ch > 0) & (area >= min_area) & (vis >= min_visibility) \
        & (cw >= min_width) & (ch >= min_height)
    return keep, np.stack([cx1, cy1, cx2, cy2], axis=1), vis


@st.composite
def crop_case(draw, step=None):
    h, w, voc = draw(frame_and_boxes(max_boxes=8, step=step))
    x0 = draw(st.integers(0, w - 1))
    x1 = draw(st.integers(x0 + 1, w))
    y0 = draw(st.integers(0, h - 1))
    y1 = draw(st.integers(y0 + 1, h))
    return h, w, voc, (x0, y0, x1, y1)


@SETTINGS
@given(case=crop_case())
def test_extra_columns_and_labels_follow_their_boxes_through_crop(case):
    h, w, voc, window = case
    n = len(voc)
    rows = [tuple(b) + (f"obj{i}", i * 10) for i, b in enumerate(voc)]
    names = [f"name{i}" for i in range(n)]
    ids = np.arange(n) * 3
    pipe = A.Compose([A.Crop(*window)],
                     bbox_params=A.BboxParams(format="pascal_voc", label_fields=["names", "ids"]))
    out = pipe(image=image(h, w), bboxes=rows, names=names, ids=ids)
    keep, clipped, _ = expected_crop(voc, window)
    kept = np.flatnonzero(keep)
    assert [r[4] for r in out["bboxes"]] == [f"obj{i}" for i in kept]
    assert [r[5] for r in out["bboxes"]] == [i * 10 for i in kept]
    assert all(isinstance(r, tuple) and len(r) == 6 for r in out["bboxes"])
    assert out["names"] == [names[i] for i in kept]
    assert isinstance(out["ids"], np.ndarray)
    np.testing.assert_array_equal(out["ids"], ids[kept])
    got = np.array([r[:4] for r in out["bboxes"]], dtype=np.float64).reshape(-1, 4)
    np.testing.assert_allclose(got, clipped[kept], rtol=0, atol=1e-9)


@SETTINGS
@given(case=crop_case())
def test_labels_follow_surviving_boxes_through_random_crop(case):
    h, w, voc, (x0, y0, x1, y1) = case
    n = len(voc)
    ch, cw = y1 - y0, x1 - x0
    labels = [f"box{i}" for i in range(n)]
    arr = np.concatenate([voc, np.arange(n, dtype=np.float64)[:, None] + 100], axis=1)
    pipe = A.Compose([A.RandomCrop(height=ch, width=cw)],
                     bbox_params=A.BboxParams(format="pascal_voc", label_fields=["labels"]), seed=n)
    out = pipe(image=coded_image(h, w), bboxes=arr, labels=labels)
    window = window_of(out["image"], w)
    keep, clipped, _ = expected_crop(voc, window)
    kept = np.flatnonzero(keep)
    assert out["labels"] == [labels[i] for i in kept]
    assert isinstance(out["bboxes"], np.ndarray) and out["bboxes"].shape == (len(kept), 5)
    np.testing.assert_array_equal(out["bboxes"][:, 4], kept + 100)
    np.testing.assert_allclose(out["bboxes"][:, :4], clipped[kept], rtol=0, atol=1e-9)


@SETTINGS
@given(data=frame_and_keypoints())
def test_keypoint_extra_columns_and_labels_through_crop(data):
    h, w, xyas = data
    assume(h >= 2 and w >= 2)
    x0, y0, x1, y1 = w // 2, 0, w, h // 2 + 1
    rows = [[x, y, f"k{i}", i] for i, (x, y, _, _) in enumerate(xyas)]
    labels = tuple(range(len(rows)))
    out = A.Compose([A.Crop(x0, y0, x1, y1)],
                    keypoint_params=A.KeypointParams(format="xy", label_fields=["labels"]))(
        image=image(h, w), keypoints=rows, labels=labels)
    # a keypoint (pixel index) is inside when its pixel centre lies inside the window
    x, y = xyas[:, 0] + 0.5, xyas[:, 1] + 0.5
    inside = (x >= x0) & (x < x1) & (y >= y0) & (y < y1)
    kept = np.flatnonzero(inside)
    assert out["labels"] == tuple(int(i) for i in kept)
    assert [r[2] for r in out["keypoints"]] == [f"k{i}" for i in kept]
    assert [r[3] for r in out["keypoints"]] == [int(i) for i in kept]
    got = np.array([r[:2] for r in out["keypoints"]], dtype=np.float64).reshape(-1, 2)
    np.testing.assert_allclose(got, xyas[kept, :2] - [x0, y0], rtol=0, atol=1e-9)


# ------------------------------------------------------------------------------------
# filters
# ------------------------------------------------------------------------------------
@SETTINGS
@given(case=crop_case(step=0.25),
       min_area=st.sampled_from([0.0, 0.5, 1.0, 4.0, 6.25, 20.0]),
       min_visibility=st.sampled_from([0.0, 0.1, 0.3, 0.5, 0.7, 0.95]),
       min_width=st.sampled_from([0.0, 0.25, 1.0, 2.5, 5.0]),
       min_height=st.sampled_from([0.0, 0.25, 1.0, 2.5, 5.0]),
       use_random_crop=st.booleans())
def test_min_area_visibility_width_height_filters(case, min_area, min_visibility, min_width,
                                                   min_height, use_random_crop):
    h, w, voc, window = case
    n = len(voc)
    params = A.BboxParams(format="pascal_voc", label_fields=["labels"], min_area=min_area,
                          min_visibility=min_visibility, min_width=min_width, min_height=min_height)
    x0, y0, x1, y1 = window
    step = A.RandomCrop(height=y1 - y0, width=x1 - x0) if use_random_crop else A.Crop(*window)
    out = A.Compose([step], bbox_params=params, seed=7)(
        image=coded_image(h, w), bboxes=voc, labels=list(range(n)))
    window = window_of(out["image"], w)
    keep, clipped, vis = expected_crop(voc, window, min_area, min_visibility, min_width, min_height)
    # visibility exactly at the threshold is a float tie; keep such cases out
    assume(not np.any(np.abs(vis - min_visibility) < 1e-9))
    kept = np.flatnonzero(keep)
    assert out["labels"] == kept.tolist()
    np.testing.assert_allclose(np.asarray(out["bboxes"]).reshape(-1, 4), clipped[kept], rtol=0, atol=1e-9)


def test_filters_keep_boxes_exactly_at_the_thresholds():
    # crop 0..10: box 0 keeps a 2x3 part (area 6), box 1 keeps 1x1
    voc = np.array([[8.0, 0.0, 12.0, 3.0], [9.0, 0.0, 11.0, 1.0]])
    img = image(20, 20)
    for kw, expected in [({"min_area": 6.0}, [0]), ({"min_width": 2.0}, [0]),
                         ({"min_height": 3.0}, [0]), ({"min_visibility": 0.5}, [0, 1]),
                         ({"min_area": 1.0}, [0, 1]), ({"min_area": 6.0 + 1e-6}, [])]:
        params = A.BboxParams(format="pascal_voc", label_fields=["labels"], **kw)
        out = A.Compose([A.Crop(0, 0, 10, 10)], bbox_params=params)(image=img, bboxes=voc, labels=[0, 1])
        assert out["labels"] == expected, kw


def test_boxes_entirely_outside_a_crop_are_removed():
    params = A.BboxParams(format="pascal_voc", label_fields=["labels"])
    out = A.Compose([A.Crop(5, 5, 20, 15)], bbox_params=params)(
        image=image(20, 30), bboxes=[(0, 0, 10, 10), (22, 0, 27, 5), (0, 0, 5, 20)], labels=["a", "b", "c"])
    assert out["labels"] == ["a"]
    assert out["bboxes"] == [(0.0, 0.0, 5.0, 5.0)]


# ------------------------------------------------------------------------------------
# clip / invalid boxes
# ------------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", BBOX_FORMATS)
@SETTINGS
@given(h=st.integers(2, 40), w=st.integers(2, 40), data=st.data())
def test_clip_true_clips_and_clip_false_raises(fmt, h, w, data):
    # a box that overlaps the image by at least half a pixel each way and leaves it
    x1 = data.draw(st.floats(-20, w - 0.5, allow_nan=False))
    x2 = data.draw(st.floats(max(x1, 0) + 0.5, w + 20, allow_nan=False))
    y1 = data.draw(st.floats(-20, h - 0.5, allow_nan=False))
    y2 = data.draw(st.floats(max(y1, 0) + 0.5, h + 20, allow_nan=False))
    assume(min(x1, y1) < -1e-3 or x2 > w + 1e-3 or y2 > h + 1e-3)
    voc = np.array([[x1, y1, x2, y2]])
    clipped = np.array([[np.clip(x1, 0, w), np.clip(y1, 0, h), np.clip(x2, 0, w), np.clip(y2, 0, h)]])
    given_boxes = voc_to(fmt, voc, h, w)
    rows = [[0.0, 0.0, 1.0, 1.0] if fmt in ("pascal_voc", "coco") else
            voc_to(fmt, np.array([[0, 0, 1, 1]]), h, w)[0].tolist(), given_boxes[0].tolist()]

    out = A.Compose([], bbox_params=A.BboxParams(format=fmt, clip=True))(image=image(h, w), bboxes=rows)
    assert len(out["bboxes"]) == 2
    np.testing.assert_allclose(out["bboxes"][1], voc_to(fmt, clipped, h, w)[0], rtol=0, atol=1e-9)

    with pytest.raises(TargetError) as info:
        A.Compose([], bbox_params=A.BboxParams(format=fmt))(image=image(h, w), bboxes=rows)
    msg = str(info.value)
    assert "bboxes[1]" in msg and repr(rows[1]) in msg, msg


def test_clip_false_error_names_the_box():
    with pytest.raises(TargetError, match=r"bboxes\[2\].*\[5, 5, 40, 8\]"):
        A.Compose([], bbox_params=A.BboxParams(format="pascal_voc"))(
            image=image(10, 30), bboxes=[[0, 0, 1, 1], [1, 1, 2, 2], [5, 5, 40, 8]])


def test_filter_invalid_bboxes_drops_inverted_boxes():
    params = A.BboxParams(format="pascal_voc", label_fields=["labels"], filter_invalid_bboxes=True)
    boxes = [(1, 1, 5, 5), (6, 1, 3, 4), (2, 8, 6, 3), (2, 2, 2, 6), (0, 0, 10, 10)]
    out = A.Compose([], bbox_params=params)(image=image(10, 10), bboxes=boxes, labels=list("abcde"))
    assert out["labels"] == ["a", "e"]
    assert out["bboxes"] == [(1.0, 1.0, 5.0, 5.0), (0.0, 0.0, 10.0, 10.0)]
    with pytest.raises(TargetError, match=r"bboxes\[1\]"):
        A.Compose([], bbox_params=A.BboxParams(format="pascal_voc"))(image=image(10, 10), bboxes=boxes)


def test_filter_invalid_bboxes_in_coco_drops_negative_sizes():
    params = A.BboxParams(format="coco", label_fields=["labels"], filter_invalid_bboxes=True)
    out = A.Compose([A.HorizontalFlip(p=1.0)], bbox_params=params)(
        image=image(10, 10), bboxes=[(1, 1, -2, 3), (1, 1, 2, 3)], labels=["bad", "good"])
    assert out["labels"] == ["good"]
    assert out["bboxes"] == [(7.0, 1.0, 2.0, 3.0)]


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
@pytest.mark.parametrize("as_array", [False, True])
def test_non_finite_coordinates_raise(value, as_array):
    boxes = [[1.0, 1.0, 4.0, 4.0], [1.0, value, 4.0, 4.0]]
    kps = [[1.0, 1.0], [value, 2.0]]
    if as_array:
        boxes, kps = np.array(boxes), np.array(kps)
    with pytest.raises(TargetError, match=r"bboxes\[1\]"):
        A.Compose([], bbox_params=A.BboxParams(format="pascal_voc"))(image=image(8, 8), bboxes=boxes)
    with pytest.raises(TargetError, match=r"keypoints\[1\]"):
        A.Compose([], keypoint_params=A.KeypointParams(format="xy"))(image=image(8, 8), keypoints=kps)


def test_label_field_of_wrong_length_raises():
    params = A.BboxParams(format="pascal_voc", label_fields=["labels"])
    with pytest.raises(TargetError, match="labels"):
        A.Compose([], bbox_params=params)(image=image(8, 8), bboxes=[(0, 0, 2, 2), (1, 1, 3, 3)], labels=[1])
    with pytest.raises(TargetError, match="labels"):
        A.Compose([], bbox_params=params)(image=image(8, 8), bboxes=[(0, 0, 2, 2)], labels=[1, 2])
    with pytest.raises(TargetError, match="labels"):
        A.Compose([], bbox_params=params)(image=image(8, 8), bboxes=[(0, 0, 2, 2)])
    kparams = A.KeypointParams(format="xy", label_fields=["kl"])
    with pytest.raises(TargetError, match="kl"):
        A.Compose([], keypoint_params=kparams)(image=image(8, 8), keypoints=[(1, 1)], kl=np.array([1, 2]))


def test_short_rows_raise():
    with pytest.raises(TargetError, match=r"bboxes"):
        A.Compose([], bbox_params=A.BboxParams(format="pascal_voc"))(image=image(8, 8), bboxes=[(0, 0, 2)])
    with pytest.raises(TargetError, match=r"keypoints"):
        A.Compose([], keypoint_params=A.KeypointParams(format="xya"))(image=image(8, 8), keypoints=np.zeros((2, 2)))


# ------------------------------------------------------------------------------------
# containers
# ------------------------------------------------------------------------------------
BOX_INPUT = [[1.0, 2.0, 5.0, 6.0], [0.0, 0.0, 8.0, 8.0]]
FLIPPED = [[3.0, 2.0, 7.0, 6.0], [0.0, 0.0, 8.0, 8.0]]


@pytest.mark.parametrize("steps", [[], [A.HorizontalFlip(p=1.0)]])
def test_list_in_list_out(steps):
    want = BOX_INPUT if not steps else FLIPPED
    params = A.BboxParams(format="pascal_voc")
    out = A.Compose(steps, bbox_params=params)(image=image(8, 8), bboxes=[list(b) for b in BOX_INPUT])
    assert type(out["bboxes"]) is list and all(type(r) is list for r in out["bboxes"])
    assert out["bboxes"] == want
    out = A.Compose(steps, bbox_params=params)(image=image(8, 8), bboxes=[tuple(b) for b in BOX_INPUT])
    assert type(out["bboxes"]) is list and all(type(r) is tuple for r in out["bboxes"])
    assert out["bboxes"] == [tuple(b) for b in want]
    out = A.Compose(steps, bbox_params=params)(image=image(8, 8), bboxes=tuple(tuple(b) for b in BOX_INPUT))
    assert type(out["bboxes"]) is tuple and all(type(r) is tuple for r in out["bboxes"])
    out = A.Compose(steps, bbox_params=params)(image=image(8, 8), bboxes=[])
    assert out["bboxes"] == [] and type(out["bboxes"]) is list


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("steps", [[], [A.HorizontalFlip(p=1.0)]])
def test_array_in_array_out_same_float_dtype(steps, dtype):
    want = np.array(BOX_INPUT if not steps else FLIPPED)
    out = A.Compose(steps, bbox_params=A.BboxParams(format="pascal_voc"))(
        image=image(8, 8), bboxes=np.array(BOX_INPUT, dtype=dtype))
    assert isinstance(out["bboxes"], np.ndarray) and out["bboxes"].dtype == dtype
    np.testing.assert_allclose(out["bboxes"], want, atol=1e-6)
    kp = A.Compose(steps, keypoint_params=A.KeypointParams(format="xy"))(
        image=image(8, 8), keypoints=np.array([[1.0, 2.0], [3.0, 4.0]], dtype=dtype))["keypoints"]
    assert isinstance(kp, np.ndarray) and kp.dtype == dtype and kp.shape == (2, 2)
    empty = A.Compose(steps, bbox_params=A.BboxParams(format="pascal_voc"))(
        image=image(8, 8), bboxes=np.zeros((0, 4), dtype=dtype))["bboxes"]
    assert isinstance(empty, np.ndarray) and empty.dtype == dtype and empty.shape == (0, 4)


def test_keypoint_containers():
    params = A.KeypointParams(format="xy")
    out = A.Compose([], keypoint_params=params)(image=image(8, 8), keypoints=[(1.0, 2.0), (3.0, 4.0)])
    assert type(out["keypoints"]) is list and all(type(r) is tuple for r in out["keypoints"])
    assert out["keypoints"] == [(1.0, 2.0), (3.0, 4.0)]
    out = A.Compose([], keypoint_params=params)(image=image(8, 8), keypoints=[[1.0, 2.0, "x"]])
    assert out["keypoints"] == [[1.0, 2.0, "x"]] and type(out["keypoints"][0]) is list


def test_array_with_extra_columns_keeps_them():
    arr = np.array([[1.0, 2.0, 5.0, 6.0, 7.0, 8.0], [0.0, 0.0, 8.0, 8.0, 9.0, 10.0]], dtype=np.float32)
    out = A.Compose([A.HorizontalFlip(p=1.0)], bbox_params=A.BboxParams(format="pascal_voc"))(
        image=image(8, 8), bboxes=arr)["bboxes"]
    assert out.dtype == np.float32 and out.shape == (2, 6)
    np.testing.assert_array_equal(out[:, 4:], arr[:, 4:])
    np.testing.assert_allclose(out[:, :4], FLIPPED)
