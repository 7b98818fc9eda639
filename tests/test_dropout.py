"""Dropout family: holes are filled as asked, annotations under holes follow the rules.

Holes are read back from the OUTPUT image (an input without the fill value, so every
filled pixel is visible), and box visibility is recomputed here independently by
supersampling (boxes on a 1/8 px lattice, so the supersampled area is exact).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import augkit as A
from augkit.core.state import State
from augkit.errors import InvalidParameterError, TargetError, UnsupportedInputError

H, W = 48, 64
ROOT = Path(__file__).resolve().parents[1]


def ones_image(dtype=np.uint8, channels=3, shape=(H, W)):
    """Values that never equal the fills used below (0, 255, 1.0, (10, 20, 30))."""
    rng = np.random.default_rng(5)
    full = shape if channels is None else (*shape, channels)
    if dtype == np.float32:
        return rng.uniform(0.2, 0.8, full).astype(np.float32)
    hi = 200 if dtype == np.uint8 else 60000
    return rng.integers(50, hi, full).astype(dtype)


def state_for(img, masks=None):
    return State(images={"image": img}, masks=masks or {}, mask_lists={}, shape=img.shape[:2])


def holes_and_output(t, img, seed=0, masks=None):
    """The holes ``t`` draws and its output image for the same generator state."""
    holes = t.holes(np.random.default_rng(seed), state_for(img, masks))
    state = state_for(img, dict(masks) if masks else None)
    t.apply_to_state(state, np.random.default_rng(seed))
    return holes, state


def changed(out, img):
    diff = out != img
    return diff.any(axis=-1) if diff.ndim == 3 else diff


# -------------------------------------------------------------------------------------
# fills
# -------------------------------------------------------------------------------------
HOLE_MAKERS = {
    "CoarseDropout": lambda **kw: A.CoarseDropout(num_holes_range=(1, 6), hole_height_range=(3, 12),
                                                  hole_width_range=(0.05, 0.3), p=1, **kw),
    "Erasing": lambda **kw: A.Erasing(p=1, **kw),
    "GridDropout": lambda **kw: A.GridDropout(ratio=0.4, p=1, **kw),
    "GridMask": lambda **kw: A.GridMask(unit_size_range=(8, 20), p=1, **kw),
    "GridMaskRotated": lambda **kw: A.GridMask(unit_size_range=(8, 20), rotate=(20, 70), p=1, **kw),
    "XYMasking": lambda **kw: A.XYMasking(num_masks_x=(1, 2), mask_x_length=(2, 9), num_masks_y=1,
                                          mask_y_length=(1, 5), p=1, **kw),
}


@pytest.mark.parametrize("name", list(HOLE_MAKERS))
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32])
def test_holes_are_filled_with_the_fill_and_nothing_else_changes(name, dtype):
    img = ones_image(dtype)
    fill = 255 if dtype == np.uint8 else (1000 if dtype == np.uint16 else 1.0)
    for seed in range(5):
        holes, state = holes_and_output(HOLE_MAKERS[name](fill=fill), img, seed)
        out = state.images["image"]
        assert out.dtype == img.dtype and out.shape == img.shape
        hole = holes.mask
        assert hole.any()
        np.testing.assert_array_equal(changed(out, img), hole)
        assert np.all(out[hole] == np.asarray(fill, dtype))
        # the filled area is the requested area (rectangles: the union of the holes)
        if holes.rects is not None:
            union = np.zeros((H, W), bool)
            for x1, y1, x2, y2 in holes.rects:
                union[y1:y2, x1:x2] = True
            assert int(hole.sum()) == int(union.sum())


def test_per_channel_fill_and_clipping():
    img = ones_image()
    holes, state = holes_and_output(A.CoarseDropout(fill=(10, 20, 30), p=1), img, 3)
    out = state.images["image"]
    np.testing.assert_array_equal(out[holes.mask], np.tile([10, 20, 30], (int(holes.mask.sum()), 1)))
    # values outside the dtype's range are clipped to it
    f = ones_image(np.float32)
    holes, state = holes_and_output(A.CoarseDropout(fill=255, p=1), f, 3)
    assert np.all(state.images["image"][holes.mask] == 1.0)
    with pytest.raises(UnsupportedInputError, match=r"CoarseDropout\(fill=\(1\.0, 2\.0\)\)"):
        A.CoarseDropout(fill=(1, 2), p=1)(image=img)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32])
def test_random_fill_stays_in_range_and_covers_it(dtype):
    img = ones_image(dtype)
    t = A.CoarseDropout(num_holes_range=(4, 4), hole_height_range=(10, 10), hole_width_range=(10, 10),
                        fill="random", p=1)
    holes, state = holes_and_output(t, img, 1)
    vals = state.images["image"][holes.mask]
    assert vals.dtype == img.dtype
    top = {np.uint8: 255, np.uint16: 65535, np.float32: 1.0}[dtype]
    assert vals.min() >= 0 and vals.max() <= top
    # per pixel, over the whole range (not only 0..255 for uint16)
    assert len(np.unique(vals)) > 50
    assert vals.max() > 0.8 * top and vals.min() < 0.2 * top


def test_random_uniform_gives_one_colour_per_hole():
    img = ones_image()
    t = A.GridDropout(ratio=0.5, holes_number_xy=(4, 3), fill="random_uniform", p=1)
    holes, state = holes_and_output(t, img, 2)
    out = state.images["image"]
    colours = set()
    for x1, y1, x2, y2 in holes.rects:
        patch = out[y1:y2, x1:x2].reshape(-1, 3)
        assert (patch == patch[0]).all()
        colours.add(tuple(patch[0]))
    assert len(colours) > 6  # holes differ from one another
    # rotated GridMask holes are label images: one colour per square
    t = A.GridMask(unit_size_range=(12, 12), rotate=(30, 30), fill="random_uniform", p=1)
    holes, state = holes_and_output(t, img, 2)
    out = state.images["image"]
    for k in range(1, holes.count + 1):
        pix = out[holes.labels == k]
        if len(pix):
            assert (pix == pix[0]).all()


@pytest.mark.parametrize("method", ["inpaint_telea", "inpaint_ns"])
@pytest.mark.parametrize("channels", [None, 3])
def test_inpaint_changes_only_hole_pixels(method, channels):
    yy, xx = np.mgrid[0:H, 0:W]
    img = (40 + 2 * xx + yy).astype(np.uint8)
    if channels:
        img = np.dstack([img, img // 2, 255 - img])
    t = A.CoarseDropout(num_holes_range=(2, 2), hole_height_range=(6, 6), hole_width_range=(6, 6),
                        fill=method, p=1)
    holes, state = holes_and_output(t, img, 4)
    out = state.images["image"]
    np.testing.assert_array_equal(out[~holes.mask], img[~holes.mask])
    # a smooth ramp is inpainted close to itself, not to a constant
    err = np.abs(out[holes.mask].astype(int) - img[holes.mask].astype(int))
    assert err.mean() < 12


@pytest.mark.parametrize("img", [np.zeros((H, W), np.uint16), np.zeros((H, W, 5), np.uint8),
                                 np.zeros((H, W, 3), np.float32)])
def test_inpaint_refuses_what_opencv_cannot_inpaint(img):
    with pytest.raises(UnsupportedInputError, match=r"CoarseDropout\(fill='inpaint_ns'\).*uint8.*1 or 3 channels"):
        A.CoarseDropout(fill="inpaint_ns", p=1)(image=img)


# -------------------------------------------------------------------------------------
# sizes and counts (the samplers)
# -------------------------------------------------------------------------------------
@given(n=st.tuples(st.integers(1, 6), st.integers(0, 4)), hh=st.tuples(st.integers(0, 60), st.integers(0, 30)),
       ww=st.tuples(st.integers(1, 80), st.integers(0, 40)), seed=st.integers(0, 2**32 - 1))
def test_coarse_dropout_counts_and_pixel_sizes_within_ranges(n, hh, ww, seed):
    n_rng = (n[0], n[0] + n[1])
    h_rng = (hh[0], hh[0] + hh[1])
    w_rng = (ww[0], ww[0] + ww[1])
    t = A.CoarseDropout(num_holes_range=n_rng, hole_height_range=h_rng, hole_width_range=w_rng, p=1)
    holes = t.holes(np.random.default_rng(seed), state_for(np.zeros((H, W), np.uint8)))
    r = holes.rects
    assert n_rng[0] <= len(r) <= n_rng[1]
    hs, ws = r[:, 3] - r[:, 1], r[:, 2] - r[:, 0]
    assert np.all(hs >= min(h_rng[0], H)) and np.all(hs <= min(h_rng[1], H))
    assert np.all(ws >= min(w_rng[0], W)) and np.all(ws <= min(w_rng[1], W))
    assert np.all(r[:, :2] >= 0) and np.all(r[:, 2] <= W) and np.all(r[:, 3] <= H)


@given(lo=st.floats(0, 1), span=st.floats(0, 1), seed=st.integers(0, 2**32 - 1))
def test_coarse_dropout_fraction_sizes_within_ranges(lo, span, seed):
    hi = min(1.0, lo + span)
    t = A.CoarseDropout(num_holes_range=(3, 3), hole_height_range=(lo, hi), hole_width_range=(lo, hi), p=1)
    r = t.holes(np.random.default_rng(seed), state_for(np.zeros((H, W), np.uint8))).rects
    hs, ws = r[:, 3] - r[:, 1], r[:, 2] - r[:, 0]
    assert np.all(hs >= np.floor(lo * H) - 1e-9) and np.all(hs <= hi * H + 1e-9)
    assert np.all(ws >= np.floor(lo * W) - 1e-9) and np.all(ws <= hi * W + 1e-9)


@given(scale=st.tuples(st.floats(0.01, 0.5), st.floats(0, 0.5)), seed=st.integers(0, 2**32 - 1))
def test_erasing_area_within_scale(scale, seed):
    s = (scale[0], scale[0] + scale[1])
    t = A.Erasing(scale=s, ratio=(0.5, 2.0), p=1)
    holes = t.holes(np.random.default_rng(seed), state_for(np.zeros((H, W), np.uint8)))
    for x1, y1, x2, y2 in holes.rects:
        area = (x2 - x1) * (y2 - y1)
        # rounding the sides to pixels moves the area by at most one row and column
        assert s[0] * H * W - (x2 - x1) - (y2 - y1) - 1 <= area <= s[1] * H * W + (x2 - x1) + (y2 - y1) + 1


@given(nx=st.integers(1, 12), ny=st.integers(1, 10), ratio=st.floats(0.1, 1.0), seed=st.integers(0, 2**32 - 1))
def test_grid_dropout_one_hole_per_cell(nx, ny, ratio, seed):
    t = A.GridDropout(ratio=ratio, holes_number_xy=(nx, ny), p=1)
    r = t.holes(np.random.default_rng(seed), state_for(np.zeros((H, W), np.uint8))).rects
    assert len(r) == nx * ny
    xe = np.round(np.linspace(0, W, nx + 1)).astype(int)
    ye = np.round(np.linspace(0, H, ny + 1)).astype(int)
    cells = set()
    for x1, y1, x2, y2 in r:
        i = np.searchsorted(xe, x1, side="right") - 1
        j = np.searchsorted(ye, y1, side="right") - 1
        assert x2 <= xe[i + 1] and y2 <= ye[j + 1], "hole leaves its cell"
        cw, ch = xe[i + 1] - xe[i], ye[j + 1] - ye[j]
        assert x2 - x1 == max(1, min(int(cw * ratio), cw - 1))
        assert y2 - y1 == max(1, min(int(ch * ratio), ch - 1))
        cells.add((i, j))
    assert len(cells) == nx * ny


def test_grid_dropout_fixed_offset_and_unit_size():
    t = A.GridDropout(ratio=0.5, unit_size_range=(16, 16), random_offset=False, shift_xy=(2, 3), p=1)
    r = t.holes(np.random.default_rng(0), state_for(np.zeros((H, W), np.uint8))).rects
    assert len(r) == (W // 16) * (H // 16)
    assert {(int(x1) % 16, int(y1) % 16) for x1, y1, _, _ in r} == {(2, 3)}
    with pytest.raises(TargetError, match="unit_size_range"):
        A.GridDropout(unit_size_range=(10, 60), p=1)(image=np.zeros((H, W), np.uint8))


def test_grid_mask_lattice_and_rotation():
    img = ones_image(channels=None)
    t = A.GridMask(unit_size_range=(10, 10), ratio=0.4, random_offset=False, p=1)
    out = t(image=img)["image"]
    hole = out == 0
    yy, xx = np.mgrid[0:H, 0:W]
    np.testing.assert_array_equal(hole, (xx % 10 < 4) & (yy % 10 < 4))
    # rotated: the same share of the picture is dropped (ratio^2), but not axis-aligned
    t = A.GridMask(unit_size_range=(10, 10), ratio=0.4, rotate=(30, 30), p=1)
    hole = t(image=ones_image(channels=None, shape=(200, 200)))["image"] == 0
    assert abs(hole.mean() - 0.16) < 0.025  # exact centre rule up to edge pixels
    assert not (hole.all(axis=0).any() or hole.all(axis=1).any())
    assert 0 < hole[:, 100].mean() < 1


def test_xy_masking_strips_span_the_image():
    img = ones_image(channels=None)
    t = A.XYMasking(num_masks_x=2, mask_x_length=(3, 5), p=1)
    hole = t(image=img)["image"] == 0
    cols = hole.all(axis=0)
    assert 3 <= cols.sum() <= 10
    np.testing.assert_array_equal(hole, np.broadcast_to(cols, hole.shape))
    with pytest.raises(TargetError, match="mask_y_length"):
        A.XYMasking(num_masks_y=1, mask_y_length=H + 1, p=1)(image=img)


# -------------------------------------------------------------------------------------
# masks
# -------------------------------------------------------------------------------------
@pytest.mark.parametrize("mask_dtype", [np.uint8, np.int32, np.bool_, np.float32])
def test_masks_get_fill_mask_only_at_holes(mask_dtype):
    img = ones_image()
    mask = (np.arange(H * W).reshape(H, W) % 3 + 1).astype(mask_dtype)
    if mask_dtype == np.bool_:
        mask = np.ones((H, W), bool)
    fm = 0 if mask_dtype == np.bool_ else 7
    out = A.Compose([A.CoarseDropout(num_holes_range=(3, 3), fill_mask=fm, p=1)], seed=1)(
        image=img, mask=mask, masks=[mask, mask])
    hole = out["image"].sum(-1) == 0
    assert hole.any()
    for m in (out["mask"], *out["masks"]):
        assert m.dtype == mask.dtype
        np.testing.assert_array_equal(m[~hole], mask[~hole])
        assert np.all(m[hole] == np.asarray(fm).astype(mask_dtype))
    # fill_mask=None: masks untouched
    out = A.Compose([A.CoarseDropout(num_holes_range=(3, 3), p=1)], seed=1)(image=img, mask=mask)
    np.testing.assert_array_equal(out["mask"], mask)


# -------------------------------------------------------------------------------------
# boxes and keypoints, judged from the output image
# -------------------------------------------------------------------------------------
SS = 8  # supersampling; box coordinates are multiples of 1 / SS


def visible_fraction(box, hole):
    """Visible area / area of a box, by supersampling the output's hole pixels."""
    x1, y1, x2, y2 = (int(round(v * SS)) for v in box)
    fine = np.repeat(np.repeat(hole, SS, axis=0), SS, axis=1)[y1:y2, x1:x2]
    return 1.0 - fine.mean(), (~fine).sum() / SS**2


def visible_extent(box, hole):
    x1, y1, x2, y2 = (int(round(v * SS)) for v in box)
    fine = ~np.repeat(np.repeat(hole, SS, axis=0), SS, axis=1)[y1:y2, x1:x2]
    rows, cols = np.flatnonzero(fine.any(1)), np.flatnonzero(fine.any(0))
    return ((x1 + cols[0]) / SS, (y1 + rows[0]) / SS, (x1 + cols[-1] + 1) / SS, (y1 + rows[-1] + 1) / SS)


def random_boxes(rng, n):
    x1 = rng.integers(0, W * SS - 8, n) / SS
    y1 = rng.integers(0, H * SS - 8, n) / SS
    x2 = np.minimum(x1 + rng.integers(4, 20 * SS, n) / SS, W)
    y2 = np.minimum(y1 + rng.integers(4, 16 * SS, n) / SS, H)
    return np.stack([x1, y1, x2, y2], axis=1)


@pytest.mark.parametrize("min_visibility", [0.0, 0.3, 0.7])
@pytest.mark.parametrize("name", ["CoarseDropout", "GridDropout", "GridMaskRotated", "XYMasking"])
def test_box_decisions_agree_with_visibility_measured_on_the_output(name, min_visibility):
    img = ones_image()
    rng = np.random.default_rng(11)
    checked = {"kept": 0, "removed": 0}
    for seed in range(6):
        boxes = random_boxes(rng, 12)
        labels = list(range(len(boxes)))
        pipe = A.Compose([HOLE_MAKERS[name](fill=0)], seed=seed,
                         bbox_params=A.BboxParams(format="pascal_voc", label_fields=["labels"],
                                                  min_visibility=min_visibility, min_area=2.0))
        out = pipe(image=img, bboxes=boxes, labels=labels)
        hole = (out["image"] == 0).all(-1)
        got = dict(zip(out["labels"], out["bboxes"]))
        for i, box in enumerate(boxes):
            frac, area = visible_fraction(box, hole)
            keep = area > 0 and frac >= min_visibility - 1e-9 and area >= 2.0
            assert (i in got) == keep, (name, seed, i, box, frac, area)
            checked["kept" if keep else "removed"] += 1
            if keep:
                np.testing.assert_allclose(got[i], visible_extent(box, hole), atol=1e-9)
    assert checked["kept"] and checked["removed"]


def test_box_fully_covered_is_removed_untouched_is_kept_exactly():
    img = ones_image()
    t = A.CoarseDropout(num_holes_range=(1, 1), hole_height_range=(20, 20), hole_width_range=(30, 30), p=1)
    pipe = A.Compose([t], bbox_params=A.BboxParams(format="pascal_voc", label_fields=["labels"]))
    for seed in range(10):
        # the holes do not depend on the boxes: the same seed gives the same hole
        pipe.set_random_seed(seed)
        hole = (pipe(image=img)["image"] == 0).all(-1)
        ys, xs = np.nonzero(hole)
        x1, y1, x2, y2 = xs.min(), ys.min(), xs.max() + 1, ys.max() + 1
        inner = (x1 + 2.25, y1 + 1.5, x2 - 3.125, y2 - 2.0)
        outer = [b for b in [(0.0, 0.0, 4.5, 4.5), (W - 4.5, H - 4.5, W, H), (0.0, H - 3.0, 3.0, H)]
                 if visible_fraction(b, hole)[0] == 1.0]
        pipe.set_random_seed(seed)
        out = pipe(image=img, bboxes=[inner, *outer], labels=["inner"] + [f"o{k}" for k in range(len(outer))])
        np.testing.assert_array_equal((out["image"] == 0).all(-1), hole)
        assert out["labels"] == [f"o{k}" for k in range(len(outer))]
        assert [tuple(b) for b in out["bboxes"]] == [tuple(b) for b in outer]


@pytest.mark.parametrize("remove_invisible", [True, False])
def test_keypoints_under_holes(remove_invisible):
    img = ones_image()
    yy, xx = np.mgrid[0:H:3, 0:W:3]
    kps = np.stack([xx.ravel() + 0.25, yy.ravel() + 0.75], axis=1)
    ids = list(range(len(kps)))
    pipe = A.Compose([A.CoarseDropout(num_holes_range=(4, 4), p=1)], seed=2,
                     keypoint_params=A.KeypointParams(format="xy", label_fields=["ids"],
                                                      remove_invisible=remove_invisible))
    out = pipe(image=img, keypoints=kps, ids=ids)
    hole = (out["image"] == 0).all(-1)
    under = {i for i, (x, y) in enumerate(kps) if hole[int(y + 0.5), int(x + 0.5)]}
    assert under
    if remove_invisible:
        assert set(out["ids"]) == set(ids) - under
    else:
        assert out["ids"] == ids
        np.testing.assert_allclose(out["keypoints"], kps)


def test_pending_geometry_is_materialized_first():
    """Holes are positions in the frame after the preceding warps: a strip stays a strip."""
    img = ones_image()
    pipe = A.Compose([A.Rotate(limit=(30, 30), p=1), A.XYMasking(num_masks_x=1, mask_x_length=5, fill=255, p=1),
                      A.Resize(height=H, width=W)], seed=0)
    strip = (pipe(image=img)["image"] == 255).all(-1).all(axis=0)
    assert strip.sum() == 5 and np.ptp(np.flatnonzero(strip)) == 4


# -------------------------------------------------------------------------------------
# MaskDropout, ConstrainedCoarseDropout, PixelDropout
# -------------------------------------------------------------------------------------
def object_mask():
    m = np.zeros((H, W), np.uint8)
    m[2:10, 2:12] = 1
    m[20:30, 5:15] = 1          # a second object of class 1
    m[5:25, 30:45] = 2
    m[35:45, 50:60] = 3
    return m


@pytest.mark.parametrize("max_objects", [(1, 1), (2, 3), 10])
def test_mask_dropout_removes_whole_objects(max_objects):
    img = ones_image()
    m = object_mask()
    objects = [m == 1, m == 2, m == 3]
    objects = [objects[0] & (np.arange(H)[:, None] < 15), objects[0] & (np.arange(H)[:, None] >= 15),
               objects[1], objects[2]]
    boxes = [(2, 2, 12, 10), (5, 20, 15, 30), (30, 5, 45, 25), (50, 35, 60, 45)]
    pipe = A.Compose([A.MaskDropout(max_objects=max_objects, p=1)], seed=3,
                     bbox_params=A.BboxParams(format="pascal_voc", label_fields=["labels"], min_visibility=0.5))
    for _ in range(5):
        out = pipe(image=img, mask=m, bboxes=boxes, labels=[0, 1, 2, 3])
        gone = [bool((out["mask"][o] == 0).all()) for o in objects]
        kept = [bool((out["mask"][o] == m[o]).all()) for o in objects]
        assert all(g != k for g, k in zip(gone, kept))  # all or nothing per object
        lo, hi = (1, max_objects) if isinstance(max_objects, int) else max_objects
        assert min(lo, 4) <= sum(gone) <= min(hi, 4)
        hole = (out["image"] == 0).all(-1)
        np.testing.assert_array_equal(hole, np.any([o for o, g in zip(objects, gone) if g], axis=0))
        assert out["labels"] == [i for i, g in enumerate(gone) if not g]


def test_mask_dropout_needs_a_mask_and_reads_mask_dtypes_alike():
    with pytest.raises(TargetError, match="MaskDropout needs a mask"):
        A.MaskDropout(p=1)(image=ones_image())
    m = object_mask()
    outs = [A.Compose([A.MaskDropout(max_objects=(2, 2), p=1)], seed=9)(image=ones_image(), mask=m.astype(d))["mask"]
            for d in (np.uint8, np.uint16, np.int64, np.float32)]
    for o in outs[1:]:
        np.testing.assert_array_equal(o.astype(np.uint8), outs[0])


def test_constrained_coarse_dropout_mask_mode_targets_the_classes():
    img = ones_image()
    m = object_mask()
    t = A.ConstrainedCoarseDropout(num_holes_range=(2, 2), hole_height_range=(0.3, 0.5),
                                   hole_width_range=(0.3, 0.5), mask_indices=[2], p=1)
    for seed in range(8):
        holes, state = holes_and_output(t, img, seed, masks={"mask": m})
        assert len(holes.rects) == 2  # one component of class 2, two holes
        area = (m == 2).sum()
        for x1, y1, x2, y2 in holes.rects:
            cx, cy = (x1 + x2) // 2, (y1 + y2) // 2
            assert m[min(cy, H - 1), min(cx, W - 1)] == 2 or m[y1:y2, x1:x2].max() == 2
            assert x2 - x1 <= 0.5 * np.sqrt(area) + 1 and y2 - y1 <= 0.5 * np.sqrt(area) + 1
        np.testing.assert_array_equal(changed(state.images["image"], img), holes.mask)


def test_constrained_coarse_dropout_box_mode_targets_the_labels():
    img = ones_image()
    boxes = [(2, 2, 20, 16), (30, 20, 60, 44), (40, 2, 60, 12)]
    t = A.ConstrainedCoarseDropout(num_holes_range=(3, 3), hole_height_range=(0.2, 0.4),
                                   hole_width_range=(0.2, 0.4), bbox_labels=["cat"], p=1)
    pipe = A.Compose([t], seed=0, bbox_params=A.BboxParams(format="pascal_voc", label_fields=["labels"]))
    for _ in range(5):
        out = pipe(image=img, bboxes=boxes, labels=["dog", "cat", "dog"])
        hole = (out["image"] == 0).all(-1)
        assert hole.any()
        x1, y1, x2, y2 = boxes[1]
        inside = np.zeros((H, W), bool)
        inside[y1:y2, x1:x2] = True
        assert not (hole & ~inside).any()
    # labels carried in the box rows themselves
    out = A.Compose([t], seed=0, bbox_params=A.BboxParams(format="pascal_voc"))(
        image=img, bboxes=[(2, 2, 20, 16, "cat"), (30, 20, 60, 44, "dog")])
    hole = (out["image"] == 0).all(-1)
    assert hole.any() and not hole[:, 25:].any()


def test_pixel_dropout_rate_masks_and_keypoints():
    img = ones_image(shape=(200, 200))
    m = np.ones((200, 200), np.uint8)
    kps = [(float(x), float(y)) for x in range(0, 200, 7) for y in range(0, 200, 7)]
    pipe = A.Compose([A.PixelDropout(dropout_prob=0.2, mask_drop_value=9, p=1)], seed=1,
                     keypoint_params=A.KeypointParams(format="xy"))
    out = pipe(image=img, mask=m, keypoints=kps)
    hole = (out["image"] == 0).all(-1)
    assert abs(hole.mean() - 0.2) < 0.01
    np.testing.assert_array_equal(out["mask"] == 9, hole)  # the same pixels
    assert len(out["keypoints"]) == len(kps)  # dropped pixels are noise, not occluders
    # per channel: each value on its own; a pixel counts for the mask when all are dropped
    out = A.Compose([A.PixelDropout(dropout_prob=0.5, per_channel=True, mask_drop_value=9, p=1)], seed=1)(
        image=img, mask=m)
    zero = out["image"] == 0
    assert abs(zero.mean() - 0.5) < 0.01 and abs(zero.all(-1).mean() - 0.125) < 0.01
    np.testing.assert_array_equal(out["mask"] == 9, zero.all(-1))
    out = A.PixelDropout(dropout_prob=0.3, drop_value=None, p=1)(image=img.astype(np.uint16) * 0 + 7)["image"]
    assert out.max() > 60000  # random values over uint16's whole range


# -------------------------------------------------------------------------------------
# legacy spellings, dtypes, errors, docs
# -------------------------------------------------------------------------------------
LEGACY = [
    ("CoarseDropout", dict(max_holes=4, min_holes=2, max_height=9, min_height=3, max_width=7, fill_value=5,
                           mask_fill_value=2),
     dict(num_holes_range=(2, 4), hole_height_range=(3, 9), hole_width_range=(7, 7), fill=5, fill_mask=2),
     "num_holes_range"),
    # a lone max means (max, max), as in 1.x; ranges not given keep their 2.x defaults
    ("CoarseDropout", dict(max_holes=3), dict(num_holes_range=(3, 3)), "num_holes_range"),
    ("GridDropout", dict(unit_size_min=4, unit_size_max=9, shift_x=1, random_offset=False, fill_value=3),
     dict(unit_size_range=(4, 9), shift_xy=(1, 0), random_offset=False, fill=3), "unit_size_range"),
    ("GridDropout", dict(holes_number_x=3, holes_number_y=2, mask_fill_value=4),
     dict(holes_number_xy=(3, 2), fill_mask=4), "holes_number_xy"),
    ("MaskDropout", dict(image_fill_value=9, mask_fill_value=1), dict(fill=9, fill_mask=1), "fill="),
    ("Erasing", dict(fill_value=4), dict(fill=4), "fill="),
    ("XYMasking", dict(num_masks_x=1, mask_x_length=4, fill_value=4),
     dict(num_masks_x=1, mask_x_length=4, fill=4), "fill="),
]


@pytest.mark.parametrize("name,old,new,hint", LEGACY)
def test_legacy_arguments_match_the_2x_spelling(name, old, new, hint):
    cls = getattr(A, name)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        legacy = cls(p=1, **old)
    messages = [str(w.message) for w in caught if issubclass(w.category, DeprecationWarning)]
    assert any(hint in m and "1.x spelling" in m for m in messages), messages
    assert all(w.filename == __file__ for w in caught), "the warning must point at the caller"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        modern = cls(p=1, **new)
    data = dict(image=ones_image(), mask=object_mask())
    a = A.Compose([legacy], seed=5)(**data)
    b = A.Compose([modern], seed=5)(**data)
    for k in ("image", "mask"):
        np.testing.assert_array_equal(a[k], b[k])
    assert not np.array_equal(a["image"], data["image"])


def test_legacy_conflicts_are_errors():
    with pytest.raises(InvalidParameterError, match="not both"):
        A.CoarseDropout(max_holes=3, num_holes_range=(1, 2))
    with pytest.raises(InvalidParameterError, match="go together"):
        A.GridDropout(holes_number_x=3)


ALL = {
    **HOLE_MAKERS,
    "MaskDropout": lambda **kw: A.MaskDropout(max_objects=2, p=1, **kw),
    "ConstrainedCoarseDropout": lambda **kw: A.ConstrainedCoarseDropout(mask_indices=[1, 3], p=1, **kw),
    "PixelDropout": lambda **kw: A.PixelDropout(dropout_prob=0.1, p=1),
}


@pytest.mark.parametrize("name", list(ALL))
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32])
@pytest.mark.parametrize("fill", [0, "random", "random_uniform"])
def test_dtypes_and_fills_for_every_transform(name, dtype, fill):
    img = ones_image(dtype)
    frozen = img.copy()
    out = A.Compose([ALL[name](fill=fill)], seed=0)(image=img, mask=object_mask())["image"]
    np.testing.assert_array_equal(img, frozen)
    assert out.dtype == img.dtype and out.shape == img.shape
    assert changed(out, img).any()
    if dtype == np.float32:
        assert out.min() >= 0 and out.max() <= 1


@pytest.mark.parametrize("kwargs,match", [
    (dict(fill="randm"), r"CoarseDropout\(fill='randm'\).*'random'"),
    (dict(fill_mask="random"), r"fill_mask must be a number"),
    (dict(num_holes_range=(0, 2)), r"num_holes_range"),
    (dict(hole_height_range=(0.5, 1.5)), r"hole_height_range must be integers"),
    (dict(hole_width_range=(5, 2)), r"low <= high"),
])
def test_bad_arguments_name_the_transform_and_value(kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        A.CoarseDropout(**kwargs)


def test_bad_arguments_of_the_others():
    with pytest.raises(InvalidParameterError, match=r"GridDropout\(ratio=0\)"):
        A.GridDropout(ratio=0)
    with pytest.raises(InvalidParameterError, match=r"GridMask\(ratio=1\.0\)"):
        A.GridMask(ratio=1.0)
    with pytest.raises(InvalidParameterError, match=r"ConstrainedCoarseDropout\(mask_indices=\[0\]\)"):
        A.ConstrainedCoarseDropout(mask_indices=[0])
    with pytest.raises(InvalidParameterError, match=r"PixelDropout\(dropout_prob=1\.5\)"):
        A.PixelDropout(dropout_prob=1.5)


def test_docs_examples_run():
    text = (ROOT / "docs" / "transforms-dropout.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, "transforms-dropout.md", "exec"), {"cv2": cv2})
