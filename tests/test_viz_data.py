"""Tests for the bundled sample (augkit.data) and the drawing helpers (augkit.viz)."""

from __future__ import annotations

import os

import cv2
import numpy as np
import pytest

from augkit import data, viz

H, W = 384, 384


# --------------------------------------------------------------------------
# augkit.data
# --------------------------------------------------------------------------
@pytest.fixture()
def s():
    return data.sample()


def test_sample_types_and_shapes(s):
    assert set(s) == {"image", "mask", "bboxes", "labels", "keypoints", "keypoint_labels"}
    img = s["image"]
    assert isinstance(img, np.ndarray) and img.dtype == np.uint8
    assert img.ndim == 3 and img.shape[2] == 3
    assert img.shape[:2] == (H, W)
    assert s["mask"].dtype == np.uint8 and s["mask"].shape == img.shape[:2]
    assert img.flags.writeable and s["mask"].flags.writeable
    for b in s["bboxes"]:
        assert isinstance(b, list) and len(b) == 4
        assert all(isinstance(v, float) for v in b)
    for k in s["keypoints"]:
        assert len(k) == 2 and all(isinstance(v, float) for v in k)
    assert all(isinstance(lb, str) for lb in s["labels"])
    assert all(isinstance(lb, str) for lb in s["keypoint_labels"])


def test_sample_counts(s):
    assert 3 <= len(s["bboxes"]) <= 5
    assert len(s["labels"]) == len(s["bboxes"])
    assert 4 <= len(s["keypoints"]) <= 8
    assert len(s["keypoint_labels"]) == len(s["keypoints"])
    assert len(set(s["keypoint_labels"])) == len(s["keypoint_labels"])


def test_sample_boxes_inside_image(s):
    h, w = s["image"].shape[:2]
    for x1, y1, x2, y2 in s["bboxes"]:
        assert 0 <= x1 < x2 <= w
        assert 0 <= y1 < y2 <= h


def test_sample_keypoints_inside_image(s):
    h, w = s["image"].shape[:2]
    for x, y in s["keypoints"]:
        assert 0 <= x <= w - 1 and 0 <= y <= h - 1


def test_sample_mask(s):
    m = s["mask"]
    assert set(np.unique(m).tolist()) == {0, 1}
    assert 0 < m.sum() < m.size
    # The mask is the head: it and the face keypoints lie inside the head box.
    x1, y1, x2, y2 = (int(v) for v in s["bboxes"][s["labels"].index("head")])
    ys, xs = np.nonzero(m)
    assert xs.min() >= x1 and xs.max() <= x2 - 1
    assert ys.min() >= y1 and ys.max() <= y2 - 1
    for x, y in s["keypoints"]:
        assert x1 <= x < x2 and y1 <= y < y2
        assert m[int(y), int(x)] == 1


def test_sample_fresh_copies():
    a = data.sample()
    ref = data.sample()
    a["image"][:] = 0
    a["mask"][:] = 7
    a["bboxes"][0][0] = -1.0
    a["bboxes"].append([0.0, 0.0, 1.0, 1.0])
    a["labels"][0] = "changed"
    a["keypoints"][0] = (-5.0, -5.0)
    a["keypoint_labels"].clear()
    b = data.sample()
    assert np.array_equal(b["image"], ref["image"])
    assert np.array_equal(b["mask"], ref["mask"])
    assert b["bboxes"] == ref["bboxes"]
    assert b["labels"] == ref["labels"]
    assert b["keypoints"] == ref["keypoints"]
    assert b["keypoint_labels"] == ref["keypoint_labels"]
    assert b["image"] is not ref["image"]


def test_sample_path_and_info():
    path = data.sample_path()
    assert os.path.isfile(path)
    bgr = cv2.imread(path)
    assert bgr is not None
    assert np.array_equal(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), data.sample()["image"])
    assert "public domain" in data.SAMPLE_INFO["licence"].lower()
    assert data.SAMPLE_INFO["source"]
    with pytest.raises(TypeError):
        data.SAMPLE_INFO["licence"] = "x"  # type: ignore[index]


# --------------------------------------------------------------------------
# augkit.viz helpers
# --------------------------------------------------------------------------
def _gray(h=40, w=50, value=100):
    return np.full((h, w, 3), value, dtype=np.uint8)


def _frame(h, w, x1, y1, x2, y2, t=1):
    """Boolean mask of the expected frame pixels of a pascal_voc box."""
    inside = np.zeros((h, w), bool)
    inside[y1:y2, x1:x2] = True
    inner = np.zeros((h, w), bool)
    inner[y1 + t : y2 - t, x1 + t : x2 - t] = True
    return inside & ~inner


def _assert_rgb_u8(out, shape):
    assert isinstance(out, np.ndarray)
    assert out.dtype == np.uint8 and out.shape == (*shape[:2], 3)


@pytest.mark.parametrize(
    "image",
    [
        np.full((6, 7), 128, np.uint8),
        np.full((6, 7, 1), 128, np.uint8),
        np.full((6, 7, 3), 128, np.uint8),
        np.full((6, 7, 4), 128, np.uint8),
        np.full((6, 7, 3), 128 * 257, np.uint16),
        np.full((6, 7), 128 / 255, np.float32),
        np.full((6, 7, 5), 128 / 255, np.float64),
    ],
)
def test_to_uint8_rgb(image):
    before = image.copy()
    out = viz.to_uint8_rgb(image)
    _assert_rgb_u8(out, image.shape)
    assert (out == 128).all()
    assert np.array_equal(image, before)
    assert not np.shares_memory(out, image)


def test_to_uint8_rgb_float_clipping_and_channels():
    img = np.zeros((2, 2, 4), np.float32)
    img[0, 0] = [2.0, -1.0, 0.5, 9.0]
    out = viz.to_uint8_rgb(img)
    assert out[0, 0].tolist() == [255, 0, 128]


@pytest.mark.parametrize(
    "func",
    [
        lambda im: viz.draw_bboxes(im, [[5, 6, 20, 30]], labels=["a"]),
        lambda im: viz.draw_keypoints(im, [(10, 12, 45.0)], labels=["k"]),
        lambda im: viz.draw_mask(im, np.pad(np.ones((10, 10), np.uint8), ((10, 20), (10, 30)))),
        lambda im: viz.draw_sample(
            {
                "image": im,
                "bboxes": [[1, 1, 9, 9]],
                "labels": ["x"],
                "keypoints": [(3, 3)],
                "keypoint_labels": ["p"],
            }
        ),
        lambda im: viz.make_grid([im, im]),
        viz.to_uint8_rgb,
    ],
)
def test_viz_does_not_mutate_input(func):
    img = _gray()
    before = img.copy()
    out = func(img)
    assert np.array_equal(img, before)
    assert out.dtype == np.uint8 and out.ndim == 3 and out.shape[2] == 3
    assert not np.shares_memory(out, img)


def test_draw_bboxes_paints_exactly_the_edge_pixels():
    img = _gray()
    x1, y1, x2, y2 = 5, 6, 20, 30
    out = viz.draw_bboxes(img, [[x1, y1, x2, y2]], color=(255, 0, 0), thickness=1)
    _assert_rgb_u8(out, img.shape)
    changed = (out != img).any(axis=2)
    assert np.array_equal(changed, _frame(40, 50, x1, y1, x2, y2))
    assert out[y1, x1].tolist() == [255, 0, 0]
    assert out[y2 - 1, x2 - 1].tolist() == [255, 0, 0]
    assert out[y1, x2 - 1].tolist() == [255, 0, 0]
    assert out[y2 - 1, x1].tolist() == [255, 0, 0]
    assert out[y1 + 3, x1 + 3].tolist() == [100, 100, 100]  # interior untouched
    assert out[y2, x2].tolist() == [100, 100, 100]  # just outside untouched


def test_draw_bboxes_thickness_grows_inwards_and_extra_columns_ignored():
    img = _gray()
    out = viz.draw_bboxes(img, np.array([[5, 6, 20, 30, 3, 0.9]]), color=(0, 0, 255), thickness=2)
    changed = (out != img).any(axis=2)
    assert np.array_equal(changed, _frame(40, 50, 5, 6, 20, 30, t=2))


def test_draw_bboxes_clips_and_handles_empty():
    img = _gray()
    out = viz.draw_bboxes(img, [[-10, -10, 10, 10], [45, 35, 80, 90]], color=(255, 0, 0))
    changed = (out != img).any(axis=2)
    expected = np.zeros((40, 50), bool)
    expected[0:10, 9] = True
    expected[9, 0:10] = True
    expected[35:40, 45] = True
    expected[35, 45:50] = True
    assert np.array_equal(changed, expected)
    assert np.array_equal(viz.draw_bboxes(img, []), img)
    assert np.array_equal(viz.draw_bboxes(img, np.zeros((0, 4))), img)


def test_draw_bboxes_labels_and_colours():
    img = _gray(80, 80)
    boxes = [[10, 30, 30, 50], [40, 30, 60, 50], [10, 60, 30, 75]]
    out = viz.draw_bboxes(img, boxes, labels=["cat", "dog", "cat"])
    # label tag written above the first box
    assert (out[20:30, 10:30] != img[20:30, 10:30]).any()
    c_cat, c_dog, c_cat2 = out[30, 10].tolist(), out[30, 40].tolist(), out[60, 10].tolist()
    assert c_cat == c_cat2
    assert c_cat != c_dog
    # deterministic
    assert np.array_equal(out, viz.draw_bboxes(img, boxes, labels=["cat", "dog", "cat"]))


def test_distinct_label_colours():
    labels = [f"label{i}" for i in range(len(viz.PALETTE))]
    colours = viz._label_colors(labels)
    assert len(set(colours.values())) == len(labels)


def test_draw_keypoints_changes_keypoint_pixel():
    img = _gray()
    out = viz.draw_keypoints(img, [(10, 12), (30.4, 20.6)], color=(0, 255, 0), radius=3)
    _assert_rgb_u8(out, img.shape)
    assert out[12, 10].tolist() == [0, 255, 0]
    assert out[21, 30].tolist() == [0, 255, 0]
    assert out[35, 45].tolist() == [100, 100, 100]
    # radius 0 still marks the pixel
    out0 = viz.draw_keypoints(img, [(4, 5)], color=(0, 255, 0), radius=0)
    assert out0[5, 4].tolist() == [0, 255, 0]


def test_draw_keypoints_angle_direction():
    img = _gray(60, 60)
    r = 2
    reach = 3 * r + 2  # well inside the drawn line, outside the disc
    out = viz.draw_keypoints(img, [(30, 30, 90.0, 1.0)], color=(255, 0, 0), radius=r)
    # 90 degrees points towards +y (down the image)
    assert out[30 + reach, 30].tolist() == [255, 0, 0]
    assert out[30 - reach, 30].tolist() == [100, 100, 100]
    out = viz.draw_keypoints(img, [(30, 30, 0.0)], color=(255, 0, 0), radius=r)
    assert out[30, 30 + reach].tolist() == [255, 0, 0]
    assert out[30, 30 - reach].tolist() == [100, 100, 100]


def test_draw_keypoints_skips_bad_points():
    img = _gray()
    out = viz.draw_keypoints(img, [(np.nan, 3), (500, 500)])
    assert np.array_equal(out, img)


def test_draw_mask():
    img = _gray()
    mask = np.zeros((40, 50), np.uint8)
    mask[5:15, 5:15] = 1
    mask[20:30, 30:45] = 2
    out = viz.draw_mask(img, mask, alpha=0.5, outline=False)
    changed = (out != img).any(axis=2)
    assert np.array_equal(changed, mask > 0)
    assert out[10, 10].tolist() != out[25, 40].tolist()
    out2 = viz.draw_mask(img, mask, alpha=0.0, outline=True)
    changed2 = (out2 != img).any(axis=2)
    assert changed2[5, 5] and changed2[14, 14] and not changed2[10, 10]
    assert not changed2[0, 0]
    with pytest.raises(ValueError):
        viz.draw_mask(img, np.zeros((10, 10), np.uint8))


def test_draw_mask_bool_and_float():
    img = _gray()
    m = np.zeros((40, 50), bool)
    m[3:8, 3:8] = True
    a = viz.draw_mask(img, m)
    b = viz.draw_mask(img, m.astype(np.float32)[:, :, None])
    assert np.array_equal(a, b)


@pytest.mark.parametrize(
    "fmt, box",
    [
        ("pascal_voc", [10, 8, 30, 28]),
        ("coco", [10, 8, 20, 20]),
        ("yolo", [20 / 50, 18 / 40, 20 / 50, 20 / 40]),
        ("albumentations", [10 / 50, 8 / 40, 30 / 50, 28 / 40]),
    ],
)
def test_draw_sample_bbox_formats(fmt, box):
    img = _gray()
    expected = viz.draw_bboxes(img, [[10, 8, 30, 28]], labels=["obj"])
    out = viz.draw_sample({"image": img, "bboxes": [box], "labels": ["obj"]}, bbox_format=fmt)
    assert np.array_equal(out, expected)


def test_draw_sample_unknown_format():
    with pytest.raises(ValueError):
        viz.draw_sample({"image": _gray(), "bboxes": [[1, 1, 2, 2]]}, bbox_format="xyz")


def test_draw_sample_full(s):
    before = {k: (v.copy() if isinstance(v, np.ndarray) else list(v)) for k, v in s.items()}
    out = viz.draw_sample(s)
    _assert_rgb_u8(out, s["image"].shape)
    assert not np.array_equal(out, s["image"])
    for k, v in before.items():
        if isinstance(v, np.ndarray):
            assert np.array_equal(s[k], v)
        else:
            assert list(s[k]) == v
    # masks list and gray float image also work
    out2 = viz.draw_sample(
        {"image": s["image"][..., 0].astype(np.float32) / 255, "masks": [s["mask"], 1 - s["mask"]]}
    )
    _assert_rgb_u8(out2, s["image"].shape)


def test_make_grid_sizes():
    a = np.zeros((10, 20, 3), np.uint8)
    b = np.zeros((30, 5), np.uint8)
    c = np.zeros((7, 7, 3), np.float32)
    g = viz.make_grid([a, b, c], ncols=2, pad=3)
    assert g.dtype == np.uint8
    assert g.shape == (2 * 30 + 3 * 3, 2 * 20 + 3 * 3, 3)
    g = viz.make_grid([a, b, c])  # ncols = ceil(sqrt(3)) = 2
    assert g.shape == (2 * 30 + 3 * 4, 2 * 20 + 3 * 4, 3)
    g = viz.make_grid([a, b, c], ncols=3, pad=0)
    assert g.shape == (30, 60, 3)
    g = viz.make_grid([a], ncols=1, pad=2, pad_value=(1, 2, 3))
    assert g.shape == (14, 24, 3)
    assert g[0, 0].tolist() == [1, 2, 3]
    assert (g[2:12, 2:22] == 0).all()


def test_make_grid_places_images():
    a = np.full((4, 4, 3), 10, np.uint8)
    b = np.full((2, 2, 3), 20, np.uint8)
    g = viz.make_grid([a, b], ncols=2, pad=1, pad_value=255)
    assert g.shape == (6, 11, 3)
    assert (g[1:5, 1:5] == 10).all()
    assert ((g[:, 6:10] == 20).all(axis=2)).sum() == 4  # b centred inside its 4x4 cell
    assert (g[2:4, 7:9] == 20).all()
    with pytest.raises(ValueError):
        viz.make_grid([])


def test_save_image_roundtrip(tmp_path):
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (12, 9, 3), dtype=np.uint8)
    path = tmp_path / "x.png"
    viz.save_image(path, img)
    back = cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)
    assert np.array_equal(back, img)
    gray_path = tmp_path / "g.png"
    viz.save_image(str(gray_path), np.full((3, 4), 0.5, np.float32))
    assert cv2.imread(str(gray_path)).shape == (3, 4, 3)
