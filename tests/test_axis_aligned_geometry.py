"""Boxes and keypoints through axis-aligned chains take a shortcut
(``State._materialize_axis_aligned``): corners map to corners and the visible region is a
rectangle. It must give exactly what the general polygon path gives."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import augkit as A
from augkit.core.state import State
from augkit.geometry import matrices as mx

STEPS = [
    lambda: A.HorizontalFlip(p=1.0),
    lambda: A.VerticalFlip(p=1.0),
    lambda: A.RandomCrop(height=20, width=26, pad_if_needed=True, p=1.0),
    lambda: A.CenterCrop(height=30, width=18, pad_if_needed=True, p=1.0),
    lambda: A.PadIfNeeded(min_height=48, min_width=40, position="random", p=1.0),
    lambda: A.Pad(padding=(3, 2, 5, 1), p=1.0),
    lambda: A.Resize(height=37, width=23, p=1.0),
    lambda: A.RandomScale(scale_limit=(-0.4, 0.5), p=1.0),
    lambda: A.Affine(scale=(0.6, 1.4), translate_percent=(-0.2, 0.2), p=1.0),
    lambda: A.Affine(scale={"x": (0.5, 0.8), "y": (1.1, 1.3)}, translate_px=(-5, 5), p=1.0),
    lambda: A.RandomResizedCrop(size=(28, 33), p=1.0),
    lambda: A.CropAndPad(px=(-6, 6), p=1.0),
    lambda: A.Rotate(limit=(90, 90), p=1.0),
]


def _run(pipe, data, seed, general):
    """One call; ``general`` forces the polygon path."""
    if not general:
        return pipe(**data, seed=seed)
    orig = State._materialize_axis_aligned
    State._materialize_axis_aligned = lambda self, seg: False
    try:
        return pipe(**data, seed=seed)
    finally:
        State._materialize_axis_aligned = orig


def _data(rng, h=32, w=36):
    x0 = rng.uniform(-2, w - 4, 12)
    y0 = rng.uniform(-2, h - 4, 12)
    boxes = np.stack([np.clip(x0, 0, w - 2), np.clip(y0, 0, h - 2),
                      np.clip(x0 + rng.uniform(1, 15, 12), 1, w), np.clip(y0 + rng.uniform(1, 15, 12), 1, h)], 1)
    boxes[:, 2] = np.maximum(boxes[:, 2], boxes[:, 0] + 0.5)
    boxes[:, 3] = np.maximum(boxes[:, 3], boxes[:, 1] + 0.5)
    kps = np.stack([rng.uniform(0, w - 1e-3, 15), rng.uniform(0, h - 1e-3, 15),
                    rng.uniform(-7, 7, 15), rng.uniform(0.5, 3, 15)], 1)
    return dict(image=np.zeros((h, w, 3), np.uint8), bboxes=boxes, labels=list(range(12)),
                keypoints=kps, kp_labels=list(range(15)))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, len(STEPS) - 1), min_size=1, max_size=5), st.integers(0, 2**31 - 1),
       st.sampled_from([0.0, 0.3]), st.booleans())
def test_shortcut_equals_polygon_path(steps, seed, min_visibility, remove_invisible):
    pipe = A.Compose([STEPS[i]() for i in steps],
                     bbox_params=A.BboxParams(format="pascal_voc", label_fields=["labels"],
                                              min_visibility=min_visibility),
                     keypoint_params=A.KeypointParams(format="xyas", label_fields=["kp_labels"],
                                                      remove_invisible=remove_invisible))
    data = _data(np.random.default_rng(seed))
    fast = _run(pipe, data, seed, general=False)
    slow = _run(pipe, data, seed, general=True)
    assert fast["labels"] == slow["labels"]
    np.testing.assert_allclose(np.asarray(fast["bboxes"]).reshape(-1, 4),
                               np.asarray(slow["bboxes"]).reshape(-1, 4), atol=1e-9)
    assert fast["kp_labels"] == slow["kp_labels"]
    np.testing.assert_allclose(np.asarray(fast["keypoints"]).reshape(-1, 4),
                               np.asarray(slow["keypoints"]).reshape(-1, 4), atol=1e-9)


def test_shortcut_is_taken_for_axis_aligned_chains():
    calls = []
    orig = State._materialize_axis_aligned

    def spy(self, seg):
        out = orig(self, seg)
        calls.append(out)
        return out

    State._materialize_axis_aligned = spy
    try:
        data = _data(np.random.default_rng(0))
        A.Compose([A.HorizontalFlip(p=1.0), A.Affine(scale=0.8, p=1.0), A.RandomCrop(20, 20)],
                  bbox_params=A.BboxParams(format="pascal_voc", label_fields=["labels"]),
                  keypoint_params=A.KeypointParams(format="xyas", label_fields=["kp_labels"]))(**data)
        assert calls == [True]
        calls.clear()
        A.Compose([A.Rotate(limit=(30, 30), p=1.0)],
                  bbox_params=A.BboxParams(format="pascal_voc", label_fields=["labels"]),
                  keypoint_params=A.KeypointParams(format="xyas", label_fields=["kp_labels"]))(**data)
        assert calls == [False]
    finally:
        State._materialize_axis_aligned = orig


@pytest.mark.parametrize("angle", [90, 180, 270])
def test_quarter_turn_then_back_keeps_boxes(angle):
    data = _data(np.random.default_rng(angle), 34, 34)  # square: a quarter turn keeps the frame
    pipe = A.Compose([A.Rotate(limit=(angle, angle), p=1.0), A.Rotate(limit=(-angle, -angle), p=1.0)],
                     bbox_params=A.BboxParams(format="pascal_voc", label_fields=["labels"]))
    out = pipe(image=data["image"], bboxes=data["bboxes"], labels=data["labels"])
    kept = np.asarray(out["bboxes"]).reshape(-1, 4)
    np.testing.assert_allclose(kept, np.asarray(data["bboxes"])[out["labels"]], atol=1e-6)


@pytest.mark.parametrize("fill", [0.0, 7.0, (1.0, 2.0, 3.0), (5.0,)])
@pytest.mark.parametrize("channels", [None, 1, 3, 5])
def test_fill_outside_a_rectangle_matches_the_pixel_centre_rule(fill, channels):
    """Strips around a kept rectangle are filled exactly where pixel centres lie outside."""
    from augkit.geometry.warp import fill_outside
    rng = np.random.default_rng(channels or 0)
    shape = (23, 31) if channels is None else (23, 31, channels)
    img = rng.integers(10, 250, shape).astype(np.uint8)
    for x0, y0, x1, y1 in [(3.2, 4.7, 20.5, 18.0), (-5, -5, 40, 40), (0, 2, 31, 23), (12, 9, 12.4, 9.2)]:
        poly = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float64)
        out = fill_outside(img.copy(), [poly], fill)
        ys, xs = np.mgrid[0:23, 0:31] + 0.5
        inside = (xs >= x0 - 1e-9) & (xs <= x1 + 1e-9) & (ys >= y0 - 1e-9) & (ys <= y1 + 1e-9)
        c = 1 if channels is None else channels
        values = np.array([fill] if np.isscalar(fill) else fill, dtype=np.float64)
        per_channel = np.array([values[i % len(values)] if len(values) > 1 else values[0] for i in range(c)])
        expected = img.reshape(23, 31, c).copy()
        expected[~inside] = per_channel.astype(np.uint8)
        np.testing.assert_array_equal(out.reshape(23, 31, c), expected)


@pytest.mark.parametrize("fill", [0.0, 9.0, (1.0, 2.0, 3.0)])
@pytest.mark.parametrize("channels", [None, 3, 4, 6])
def test_fill_outside_a_turned_frame_matches_the_pixel_centre_rule(fill, channels):
    from augkit.geometry import matrices as mx
    from augkit.geometry.polygons import points_inside
    from augkit.geometry.warp import fill_outside
    rng = np.random.default_rng(7)
    shape = (29, 33) if channels is None else (29, 33, channels)
    img = rng.integers(10, 250, shape).astype(np.uint8)
    poly = mx.apply_to_points(mx.about(mx.rotate(17.0), 16.5, 14.5), mx.rect(24, 28) + [2.5, 2.5])
    out = fill_outside(img.copy(), [poly], fill)
    ys, xs = np.mgrid[0:29, 0:33] + 0.5
    inside = points_inside(np.stack([xs, ys], -1), poly)
    c = 1 if channels is None else channels
    values = [fill] if np.isscalar(fill) else list(fill)
    expected = img.reshape(29, 33, c).copy()
    expected[~inside] = np.array([values[i % len(values)] for i in range(c)], dtype=np.uint8)
    assert 0 < inside.sum() < inside.size
    np.testing.assert_array_equal(out.reshape(29, 33, c), expected)


def test_rect_extent_needs_all_four_corners():
    from augkit.geometry.polygons import is_axis_aligned_rect, rect_extent
    rect = np.array([[4.0, 2.0], [1.0, 2.0], [1.0, 7.5], [4.0, 7.5]])
    assert rect_extent(rect) == (1.0, 2.0, 4.0, 7.5)
    # two opposite corners twice: a degenerate segment, not a rectangle
    assert rect_extent(np.array([[0.0, 0.0], [5.0, 5.0], [0.0, 0.0], [5.0, 5.0]])) is None
    assert not is_axis_aligned_rect(np.array([[0.0, 0.0], [5.0, 1.0], [5.0, 5.0], [0.0, 5.0]]))
    assert rect_extent(rect[:3]) is None


@given(st.integers(0, 2**32 - 1), st.sampled_from(["rect", "turned", "near", "thin"]))
def test_rect_extent_is_the_four_distinct_corners_rule_in_any_order(seed, kind):
    """rect_extent's early exit agrees with the plain rule (the four points are exactly the
    corners of one axis-aligned rectangle) for every order of the points."""
    import itertools

    from augkit.geometry.polygons import rect_extent
    rng = np.random.default_rng(seed)
    x0, y0 = rng.uniform(-50, 50, 2)
    x1, y1 = x0 + rng.uniform(0.5, 40), y0 + rng.uniform(0.5, 40)
    pts = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])
    if kind == "turned":
        pts = mx.apply_to_points(mx.about(mx.rotate(rng.uniform(1, 89)), 3.0, 4.0), pts)
    elif kind == "near":  # one corner moved a little: not a rectangle
        pts[int(rng.integers(4))] += rng.choice([-1, 1], 2) * rng.uniform(1e-5, 1e-2, 2)
    elif kind == "thin":  # two edges closer than the rounding: a segment, not a rectangle
        pts[1:3, 0] = x0 + 1e-11
    for order in itertools.permutations(range(4)):
        p = pts[list(order)]
        rounded = {(round(x, 9), round(y, 9)) for x, y in p.tolist()}
        xs, ys = {x for x, _ in rounded}, {y for _, y in rounded}
        plain = len(xs) == 2 and len(ys) == 2 and len(rounded) == 4
        got = rect_extent(p)
        assert (got is not None) == plain
        if plain:
            assert got == (min(xs), min(ys), max(xs), max(ys))


@pytest.mark.parametrize("scale", [0.7, 0.8, 0.9, 1.2, 1.4])
def test_scale_then_slice_and_one_warp_agree(monkeypatch, scale):
    """RandomScale then pad/crop: resizing the whole frame and slicing (chosen on older
    OpenCV) and warping the window in one step (OpenCV >= 5.1) give the same picture.
    (Below 2/3 the one warp pre-shrinks against aliasing and cv2.resize does not; scales
    like 1.5 put mask pixels on exact nearest-neighbour ties, which the kernels break
    differently.)"""
    import augkit.core.state as state_module
    rng = np.random.default_rng(3)
    yy, xx = np.mgrid[0:96, 0:128].astype(np.float32)
    img = np.clip(np.stack([128 + 90 * np.sin(xx / 7), 128 + 90 * np.cos(yy / 5), xx + yy], -1), 0, 255)
    img = (img + rng.normal(0, 2, img.shape)).clip(0, 255).astype(np.uint8)
    mask = ((xx // 9 + yy // 11) % 3).astype(np.uint8)
    outs = []
    for limit in (100.0, 0.0):
        monkeypatch.setattr(state_module, "_SCALE_THEN_SLICE_MAX", limit)
        p = A.Compose([A.RandomScale(scale_limit=(scale - 1, scale - 1), p=1),
                       A.PadIfNeeded(80, 80), A.RandomCrop(80, 80)], seed=5)
        outs.append(p(image=img, mask=mask))
    (a, b) = outs
    assert a["image"].shape == b["image"].shape == (80, 80, 3)
    diff = np.abs(a["image"].astype(int) - b["image"].astype(int))
    assert diff.mean() < 0.5 and diff.max() <= 8
    assert (a["mask"] == b["mask"]).mean() > 0.99


@given(st.integers(0, 2**32 - 1), st.integers(1, 3), st.booleans())
def test_fill_outside_several_polygons_keeps_their_common_part(seed, n, turned):
    """Several rectangles (their intersection taken without polygon clipping) and, with
    ``turned``, a turned frame among them: pixels whose centres lie outside any of them
    are filled, the others kept (pixel-centre rule, edges included)."""
    from augkit.geometry.polygons import points_inside
    from augkit.geometry.warp import fill_outside
    rng = np.random.default_rng(seed)
    h, w = 19, 27
    img = rng.integers(1, 255, (h, w, 3)).astype(np.uint8)
    polys = []
    for _ in range(n):
        x0, y0 = rng.uniform(-4, w / 2), rng.uniform(-4, h / 2)
        x1, y1 = x0 + rng.uniform(1, w), y0 + rng.uniform(1, h)
        # half-pixel edges on some of them: centres on the boundary count as inside
        if rng.random() < 0.5:
            x0, x1 = np.floor(x0) + 0.5, np.floor(x1) + 0.5
        polys.append(np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]]))
    if turned:
        polys.append(mx.apply_to_points(mx.about(mx.rotate(rng.uniform(5, 40)), w / 2, h / 2),
                                        mx.rect(h, w)))
    out = fill_outside(img.copy(), polys, 0.0)
    yy, xx = np.mgrid[0:h, 0:w] + 0.5
    centres = np.stack([xx, yy], axis=-1)
    inside = np.ones((h, w), bool)
    for p in polys:
        inside &= points_inside(centres, p, eps=1e-9)
    np.testing.assert_array_equal(out[inside], img[inside])
    assert not out[~inside].any()
