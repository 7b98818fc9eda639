"""Multi-sample transforms (Mosaic, MixUp, CutMix, CopyAndPaste, OverlayElements) and the
batch helpers, judged from the output pixels.

Every source image is a flat background with filled rectangles, one per object, each of a
colour no other object in the call has; its box is exactly around it, its keypoint on its
centre, its label its id. After the transform, every kept box must enclose its colour and
its edges lie within ``TOL`` px of that colour's extent, a removed box's colour must be
(nearly) gone, keypoints must land on their colour and masks agree with the image.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import augkit as A
from augkit.batch import cutmix, mixup
from augkit.errors import InvalidParameterError, TargetError

BG = 7


def colour(obj_id: int) -> tuple[int, int, int]:
    """A colour per object id, far from the background and from every other id's."""
    return (40 + (obj_id * 53) % 200, 40 + (obj_id * 97) % 200, 40 + obj_id)


def scene(rng, shape, ids, min_side=6, max_side=None):
    """An image with one filled rectangle per id (they may overlap: later ones on top, so
    only non-overlapping ones are drawn), its boxes, labels, centre keypoints, masks."""
    h, w = shape
    max_side = max_side or max(min_side + 1, min(h, w) // 2)
    img = np.full((h, w, 3), BG, np.uint8)
    sem = np.zeros((h, w), np.int32)
    boxes, labels, kps, inst = [], [], [], []
    for obj in ids:
        for _ in range(50):
            bw, bh = rng.integers(min_side, max_side, size=2)
            x0, y0 = int(rng.integers(0, w - bw)), int(rng.integers(0, h - bh))
            if not sem[max(0, y0 - 1):y0 + bh + 1, max(0, x0 - 1):x0 + bw + 1].any():
                break
        else:
            continue
        img[y0:y0 + bh, x0:x0 + bw] = colour(obj)
        sem[y0:y0 + bh, x0:x0 + bw] = obj
        m = np.zeros((h, w), np.uint8)
        m[y0:y0 + bh, x0:x0 + bw] = 1
        inst.append(m)
        boxes.append((float(x0), float(y0), float(x0 + bw), float(y0 + bh)))
        labels.append(obj)
        # a pixel at the centre of the rectangle (x, y pixel indices)
        kps.append((x0 + (bw - 1) // 2, y0 + (bh - 1) // 2))
    return {"image": img, "mask": sem, "bboxes": boxes, "labels": labels,
            "keypoints": kps, "kp_ids": list(labels), "masks": inst}


def colour_region(img, obj_id):
    return np.all(img == np.array(colour(obj_id), img.dtype), axis=-1)


def extent(region):
    ys, xs = np.nonzero(region)
    return np.array([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1], float)


def pipeline(transforms, seed=0, min_visibility=0.0, remove_invisible=True):
    return A.Compose(transforms, seed=seed,
                     bbox_params=A.BboxParams(format="pascal_voc", label_fields=["labels"],
                                              min_visibility=min_visibility),
                     keypoint_params=A.KeypointParams(format="xy", label_fields=["kp_ids"],
                                                      remove_invisible=remove_invisible))


def check_output(out, all_ids, areas, tol=1.0, min_visibility=0.0):
    """The contract of the module docstring, for every object id that went in."""
    img = out["image"]
    kept = list(out["labels"])
    for box, obj in zip(out["bboxes"], kept):
        region = colour_region(img, obj)
        assert region.any(), f"box of object {obj} kept but its colour is gone"
        np.testing.assert_allclose(box, extent(region), atol=tol,
                                   err_msg=f"object {obj}: box vs its colour's extent")
        x0, y0, x1, y1 = np.round(box).astype(int)
        assert region[y0:y1, x0:x1].any()
    for obj in set(all_ids) - set(kept):
        # a removed object shows less than min_visibility of itself
        seen = colour_region(img, obj).sum()
        assert seen <= min_visibility * areas[obj] + 1e-9, f"object {obj} removed but {seen} px show"
    for (x, y), obj in zip(out["keypoints"], out["kp_ids"]):
        assert colour_region(img, obj)[int(round(y)), int(round(x))], f"keypoint of {obj} off its object"
    if "mask" in out:
        for obj in all_ids:
            np.testing.assert_array_equal(out["mask"] == obj, colour_region(img, obj),
                                          err_msg=f"mask of {obj} vs image")


def samples(seed, n, shape, per=4):
    rng = np.random.default_rng(seed)
    out = [scene(rng, shape, range(1 + k * per, 1 + (k + 1) * per)) for k in range(n)]
    for s in out:
        s.pop("masks")
    return out


def areas_of(items):
    areas = {}
    for s in items:
        for (x0, y0, x1, y1), obj in zip(s["bboxes"], s["labels"]):
            areas[obj] = (x1 - x0) * (y1 - y0)
    return areas


# ------------------------------------------------------------------------------------
# Mosaic
# ------------------------------------------------------------------------------------
@pytest.mark.parametrize("grid", [(2, 2), (3, 3), (2, 3)])
@pytest.mark.parametrize("seed", range(4))
def test_mosaic_boxes_keypoints_masks_follow_the_objects(grid, seed):
    cell = (48, 64)
    n = grid[0] * grid[1]
    items = samples(seed, n, cell)
    primary, others = items[0], items[1:]
    target = (int(cell[0] * grid[0] * 0.7), int(cell[1] * grid[1] * 0.6))
    t = A.Mosaic(grid_yx=grid, target_size=target, cell_shape=cell, interpolation=cv2.INTER_NEAREST, p=1)
    out = pipeline([t], seed=seed, min_visibility=0.3)(**primary, mosaic_metadata=others)
    assert out["image"].shape == (*target, 3) and out["mask"].shape == target
    all_ids = [i for s in items for i in s["labels"]]
    # sources are cell-sized: scale 1, every edge exact
    check_output(out, all_ids, areas_of(items), tol=1e-9, min_visibility=0.3)
    assert len(set(out["labels"])) >= 3
    # each sample shows in one cell: no label twice
    assert len(out["labels"]) == len(set(out["labels"]))


@pytest.mark.parametrize("fit_mode", ["cover", "contain"])
@pytest.mark.parametrize("seed", range(3))
def test_mosaic_resized_sources_linear(fit_mode, seed):
    rng = np.random.default_rng(100 + seed)
    cell = (64, 64)
    shapes = [(int(rng.integers(40, 100)), int(rng.integers(40, 100))) for _ in range(4)]
    items = [scene(rng, s, range(1 + 3 * k, 4 + 3 * k), min_side=12) for k, s in enumerate(shapes)]
    for s in items:
        s.pop("masks")
    t = A.Mosaic(target_size=(100, 100), cell_shape=cell, fit_mode=fit_mode, p=1)
    out = pipeline([t], seed=seed)(**items[0], mosaic_metadata=items[1:])
    img = out["image"]
    for box, obj in zip(out["bboxes"], out["labels"]):
        # linear resampling blends a one-pixel rim: compare with the pixels close to the colour
        region = np.abs(img.astype(int) - colour(obj)).max(axis=-1) <= 2
        if region.sum() < 4:
            continue
        np.testing.assert_allclose(box, extent(region), atol=1.5, err_msg=f"object {obj}")
    if fit_mode == "contain":
        # the padding shows the fill, and no object sits on it
        assert (img == 0).all(axis=-1).any() or all(
            max(h, w) == min(h, w) for h, w in shapes)


def test_mosaic_layout_matches_albumentations_conventions():
    """The call's sample takes the largest cell; pieces meet at the centre: with the window
    at the grid's centre, each 2x2 cell shows its sample's corner that touches the centre."""
    cell = (32, 32)
    imgs = [np.full((32, 32), v, np.uint8) for v in (10, 20, 30, 40)]
    for im in imgs:
        im[:16, :16] += 1  # mark each sample's top-left quarter
    t = A.Mosaic(target_size=(32, 32), cell_shape=cell, center_range=(0.5, 0.5), p=1)
    out = A.Compose([t], seed=0)(image=imgs[0], mosaic_metadata=[{"image": im} for im in imgs[1:]])["image"]
    quads = [out[:16, :16], out[:16, 16:], out[16:, :16], out[16:, 16:]]
    # top-left cell shows its sample's bottom-right quarter (unmarked), bottom-right its top-left
    assert all(np.unique(q).size == 1 for q in quads)
    assert int(quads[3][0, 0]) % 10 == 1 and int(quads[0][0, 0]) % 10 == 0
    assert sorted(int(q[0, 0]) // 10 for q in quads) == [1, 2, 3, 4]


def test_mosaic_contain_pads_evenly_where_the_shown_part_passes_the_image():
    """fit_mode="contain": an 80x100 sample in a 100x100 cell; the top-left quarter of a
    centred 2x2 mosaic shows the cell's bottom-right 50x50, 20 rows past the image's 80:
    padded 10 above and 10 below (Albumentations 2.0.8 pads a Crop evenly)."""
    yy, xx = np.mgrid[0:80, 0:100]
    imgs = [np.stack([np.full((80, 100), 10 * (k + 1)), xx, yy], -1).astype(np.uint8) for k in range(4)]
    t = A.Mosaic(target_size=(100, 100), cell_shape=(100, 100), center_range=(0.5, 0.5), fit_mode="contain",
                 interpolation=cv2.INTER_NEAREST, fill=0, p=1)
    out = A.Compose([t], seed=0)(image=imgs[0], mosaic_metadata=[{"image": im} for im in imgs[1:]])["image"]
    tl = out[:50, :50]
    np.testing.assert_array_equal(tl[:40, :, 2], np.repeat(np.arange(40, 80)[:, None], 50, axis=1))
    np.testing.assert_array_equal(tl[:40, :, 1], np.repeat(np.arange(50, 100)[None], 40, axis=0))
    assert (tl[40:] == 0).all()
    # the bottom-left quarter shows the cell's top-right, rows 0..49: within the image's
    # 80 rows, so no padding there
    bl = out[50:, :50]
    np.testing.assert_array_equal(bl[:, 0, 2], np.arange(0, 50))
    assert (bl[..., 0] > 0).all()


def test_mosaic_replicates_the_call_sample_without_metadata():
    items = samples(0, 1, (40, 40))
    t = A.Mosaic(target_size=(60, 60), cell_shape=(40, 40), interpolation=cv2.INTER_NEAREST, p=1)
    out = pipeline([t])(**items[0])
    labels = list(out["labels"])
    assert len(labels) > len(set(labels))  # the same object in several cells
    assert set(labels) <= set(items[0]["labels"])


def test_mosaic_keypoints_outside_their_cell_become_invisible():
    rng = np.random.default_rng(3)
    s = scene(rng, (40, 40), [1, 2, 3])
    s.pop("masks")
    kps = [(0, 0), (39, 39), (20, 20)]
    t = A.Mosaic(target_size=(40, 40), cell_shape=(40, 40), p=1)
    kept = pipeline([t], remove_invisible=False)(**dict(s, keypoints=kps, kp_ids=[1, 2, 3]))
    dropped = pipeline([t], remove_invisible=True)(**dict(s, keypoints=kps, kp_ids=[1, 2, 3]))
    assert len(kept["keypoints"]) == 3 * 4  # four copies of the sample, all kept
    assert len(dropped["keypoints"]) < len(kept["keypoints"])
    for x, y in dropped["keypoints"]:
        assert 0 <= x < 40 and 0 <= y < 40


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32])
@pytest.mark.parametrize("channels", [None, 1, 3, 4, 6])
def test_mosaic_dtypes_and_channels(dtype, channels):
    rng = np.random.default_rng(0)
    shape = (30, 40) if channels is None else (30, 40, channels)

    def img():
        if dtype == np.float32:
            return rng.random(shape, dtype=np.float32)
        return rng.integers(0, np.iinfo(dtype).max, shape, endpoint=True).astype(dtype)

    t = A.Mosaic(grid_yx=(3, 3), target_size=(50, 60), cell_shape=(25, 25), fill=0.5 if dtype == np.float32 else 3, p=1)
    out = A.Compose([t], seed=1)(image=img(), mosaic_metadata=[{"image": img()} for _ in range(5)])
    assert out["image"].dtype == dtype and out["image"].shape == (50, 60, *shape[2:])


def test_mosaic_output_types_and_extra_columns_kept():
    rng = np.random.default_rng(1)
    a, b = scene(rng, (40, 40), [1, 2]), scene(rng, (40, 40), [3])
    t = A.Mosaic(target_size=(40, 40), cell_shape=(40, 40), center_range=(0.5, 0.5), p=1)
    pipe = pipeline([t])
    # list of tuples with an extra column; the other sample gives an array
    boxes = [(*bx, f"x{i}") for i, bx in enumerate(a["bboxes"])]
    other = {"image": b["image"], "bboxes": np.array(b["bboxes"]), "labels": np.array(b["labels"])}
    out = pipe(image=a["image"], bboxes=boxes, labels=tuple(a["labels"]), keypoints=[], kp_ids=[],
               mosaic_metadata=[other])
    assert isinstance(out["bboxes"], list) and all(isinstance(r, tuple) for r in out["bboxes"])
    assert isinstance(out["labels"], tuple)
    for row, lab in zip(out["bboxes"], out["labels"]):
        assert len(row) == (5 if lab in (1, 2) else 4)
        if lab in (1, 2):
            assert row[4] == f"x{a['labels'].index(lab)}"
    # arrays stay arrays, with their extra columns
    arr = np.array([[*bx, 100 + lab] for bx, lab in zip(a["bboxes"], a["labels"])])
    other = {"image": b["image"], "bboxes": np.array([[*bx, 100 + lab] for bx, lab in zip(b["bboxes"], b["labels"])]),
             "labels": b["labels"]}
    out = pipe(image=a["image"], bboxes=arr, labels=np.array(a["labels"]), keypoints=np.zeros((0, 2)),
               kp_ids=[], mosaic_metadata=[other])
    assert isinstance(out["bboxes"], np.ndarray) and out["bboxes"].shape[1] == 5
    assert isinstance(out["labels"], np.ndarray)
    np.testing.assert_array_equal(out["bboxes"][:, 4], 100 + out["labels"])


def test_mosaic_formats_of_the_other_samples():
    """Boxes in metadata are in the pipeline's format, relative to their own image."""
    rng = np.random.default_rng(5)
    a = scene(rng, (48, 64), [1, 2])
    b = scene(rng, (48, 64), [3, 4])
    t = A.Mosaic(target_size=(60, 80), cell_shape=(48, 64), interpolation=cv2.INTER_NEAREST, p=1)
    ref = A.Compose([t], seed=2, bbox_params=A.BboxParams(format="pascal_voc", label_fields=["labels"]))(
        image=a["image"], bboxes=a["bboxes"], labels=a["labels"], mosaic_metadata=[dict(image=b["image"], bboxes=b["bboxes"], labels=b["labels"])] * 3)

    def yolo(boxes, h, w):
        return [((x0 + x1) / 2 / w, (y0 + y1) / 2 / h, (x1 - x0) / w, (y1 - y0) / h) for x0, y0, x1, y1 in boxes]

    out = A.Compose([t], seed=2, bbox_params=A.BboxParams(format="yolo", label_fields=["labels"]))(
        image=a["image"], bboxes=yolo(a["bboxes"], 48, 64), labels=a["labels"],
        mosaic_metadata=[dict(image=b["image"], bboxes=yolo(b["bboxes"], 48, 64), labels=b["labels"])] * 3)
    assert out["labels"] == ref["labels"]
    np.testing.assert_allclose(np.array(yolo(ref["bboxes"], 60, 80)), np.array(out["bboxes"]), atol=1e-9)


@pytest.mark.parametrize("seed", range(3))
def test_mosaic_after_pending_geometry(seed):
    """A crop and flip before Mosaic are applied first: boxes still match the pixels."""
    items = samples(seed, 4, (48, 64))
    t = A.Mosaic(target_size=(60, 80), cell_shape=(48, 64), interpolation=cv2.INTER_NEAREST, p=1)
    out = pipeline([A.HorizontalFlip(p=1), A.RandomCrop(height=44, width=60), t], seed=seed)(
        **items[0], mosaic_metadata=items[1:])
    # the cropped sample is scaled to cover its cell: nearest resampling, edges within 1 px
    check_output(out, [i for s in items for i in s["labels"]], areas_of(items), tol=1.0)


def test_mosaic_parameters_are_validated():
    with pytest.raises(InvalidParameterError, match=r"Mosaic\(target_size=\(200, 200\)\).*fit in the grid"):
        A.Mosaic(target_size=(200, 200), cell_shape=(50, 50))
    with pytest.raises(InvalidParameterError, match="Mosaic.*fit_mode"):
        A.Mosaic(fit_mode="stretch")
    with pytest.raises(InvalidParameterError, match="Mosaic.*center_range"):
        A.Mosaic(center_range=(0.8, 0.2))
    with pytest.raises(InvalidParameterError, match="Mosaic.*grid_yx"):
        A.Mosaic(grid_yx=(0, 2))


@pytest.mark.parametrize("bad,message", [
    ("not a list", "mosaic_metadata must be a dict or a list of dicts"),
    ([{"mask": np.zeros((4, 4), np.uint8)}], r"mosaic_metadata\[0\] has no 'image'"),
    ([5], r"mosaic_metadata\[0\] must be a dict"),
    ([{"image": np.zeros((8, 8), np.uint8)}], r"mosaic_metadata\[0\]\['image'\].*channels"),
    ([{"image": np.zeros((8, 8, 3), np.float32)}], r"mosaic_metadata\[0\]\['image'\].*dtype float32"),
    ([{"image": np.zeros((8, 8, 3), np.uint8), "bboxes": [(1, 1, 4, 4)]}], r"mosaic_metadata\[0\].*'labels'"),
    ([{"image": np.zeros((8, 8, 3), np.uint8), "bboxes": [(1, 1, 4, 4)], "labels": [1, 2]}],
     r"mosaic_metadata\[0\]\['labels'\] has 2 labels"),
    ([{"image": np.zeros((8, 8, 3), np.uint8), "bboxes": [(1, 1, 40, 4)], "labels": [1]}],
     r"Mosaic: mosaic_metadata\[0\].*leaves the 8x8 image"),
])
def test_mosaic_metadata_errors_name_the_transform_and_key(bad, message):
    pipe = A.Compose([A.Mosaic(target_size=(32, 32), cell_shape=(32, 32), p=1)],
                     bbox_params=A.BboxParams(format="pascal_voc", label_fields=["labels"]), strict=True)
    with pytest.raises(TargetError, match=message) as e:
        pipe(image=np.zeros((16, 16, 3), np.uint8), bboxes=[], labels=[], mosaic_metadata=bad)
    assert "Mosaic" in str(e.value)


def test_mosaic_same_seed_same_output_and_p0():
    items = samples(0, 5, (32, 32))
    t = A.Mosaic(target_size=(40, 40), cell_shape=(32, 32), p=1)
    a = pipeline([t], seed=9)(**items[0], mosaic_metadata=items[1:])
    b = pipeline([t], seed=9)(**items[0], mosaic_metadata=items[1:])
    np.testing.assert_array_equal(a["image"], b["image"])
    assert a["bboxes"] == b["bboxes"] and a["labels"] == b["labels"]
    out = pipeline([A.Mosaic(p=0)])(**items[0], mosaic_metadata=items[1:])
    np.testing.assert_array_equal(out["image"], items[0]["image"])
    assert out["labels"] == items[0]["labels"]


# ------------------------------------------------------------------------------------
# CutMix
# ------------------------------------------------------------------------------------
@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from([0.0, 0.3, 0.6]))
def test_cutmix_boxes_follow_the_pixels(seed, min_vis):
    items = samples(seed, 2, (48, 64), per=5)
    pipe = pipeline([A.CutMix(alpha=1.0, mix_weight_field="lam", p=1)], seed=seed, min_visibility=min_vis)
    out = pipe(**items[0], cutmix_metadata=[items[1]])
    check_output(out, [i for s in items for i in s["labels"]], areas_of(items), tol=1e-9,
                 min_visibility=min_vis)
    # the area share: pixels that still show the call's background or objects
    from_other = (out["image"] != items[0]["image"]).any(axis=-1) | \
        ((out["image"] == items[1]["image"]).all(axis=-1) & (items[0]["image"] != items[1]["image"]).any(axis=-1))
    assert from_other.mean() <= 1 - out["lam"] + 1e-9


def test_cutmix_resizes_the_other_sample_and_keeps_masks_list():
    rng = np.random.default_rng(0)
    a = scene(rng, (40, 60), [1, 2])
    b = scene(rng, (80, 120), [3, 4])
    pipe = pipeline([A.CutMix(p=1)], seed=3)
    out = pipe(**a, cutmix_metadata=[b])
    assert out["image"].shape == a["image"].shape and len(out["masks"]) == len(a["masks"])
    assert set(out["labels"]) <= {1, 2, 3, 4}


# ------------------------------------------------------------------------------------
# MixUp
# ------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32])
def test_mixup_blends_and_keeps_both_annotations(dtype):
    rng = np.random.default_rng(2)
    a, b = scene(rng, (32, 32), [1, 2]), scene(rng, (32, 32), [3])
    scale = {np.uint8: 1, np.uint16: 257, np.float32: 1 / 255}[dtype]
    ia, ib = (a["image"] * float(scale)).astype(dtype), (b["image"] * float(scale)).astype(dtype)
    pipe = pipeline([A.MixUp(alpha=0.4, mix_weight_field="mix", p=1)], seed=4)
    out = pipe(**dict(a, image=ia), mixup_metadata=[dict(b, image=ib)])
    lam = out["mix"]
    assert 0 <= lam <= 1 and out["image"].dtype == dtype
    want = lam * ia.astype(np.float64) + (1 - lam) * ib.astype(np.float64)
    np.testing.assert_allclose(out["image"].astype(np.float64), want, atol=1.0 if dtype != np.float32 else 1e-5)
    assert out["labels"] == a["labels"] + b["labels"]
    np.testing.assert_allclose(np.array(out["bboxes"]), np.array(a["bboxes"] + b["bboxes"]))
    assert out["kp_ids"] == a["kp_ids"] + b["kp_ids"]
    # the mask of the dominant sample
    np.testing.assert_array_equal(out["mask"], a["mask"] if lam >= 0.5 else b["mask"])


def test_mixup_without_the_weight_field_and_with_other_size():
    rng = np.random.default_rng(4)
    a, b = scene(rng, (32, 32), [1]), scene(rng, (64, 48), [2])
    out = pipeline([A.MixUp(p=1)], seed=0)(**a, mixup_metadata=[b])
    assert "mix_weight" not in out and set(out) == set(a) | {"mixup_metadata"}
    x0, y0, x1, y1 = out["bboxes"][1]
    bx0, by0, bx1, by1 = b["bboxes"][0]
    np.testing.assert_allclose([x0, y0, x1, y1], [bx0 * 32 / 48, by0 / 2, bx1 * 32 / 48, by1 / 2])


def test_mixup_errors():
    with pytest.raises(InvalidParameterError, match=r"MixUp\(alpha=0\)"):
        A.MixUp(alpha=0)
    with pytest.raises(TargetError, match="MixUp: missing call argument 'mixup_metadata'"):
        A.MixUp(p=1)(image=np.zeros((4, 4), np.uint8))


# ------------------------------------------------------------------------------------
# CopyAndPaste
# ------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("min_vis", [0.0, 0.5])
def test_copy_and_paste_updates_every_target(seed, min_vis):
    rng = np.random.default_rng(seed)
    a = scene(rng, (48, 64), range(1, 6), min_side=8, max_side=24)
    b = scene(rng, (48, 64), range(11, 15), min_side=8, max_side=24)
    pipe = pipeline([A.CopyAndPaste(p=1)], seed=seed, min_visibility=min_vis)
    out = pipe(**a, copypaste_metadata=[b])
    all_ids = a["labels"] + b["labels"]
    # the semantic mask takes the pasted ids: check it and the boxes against the image
    check_output(out, all_ids, areas_of([a, b]), tol=1e-9, min_visibility=min_vis)
    # instance masks: the call's lose the pasted pixels, the pasted ones are appended
    assert len(out["masks"]) == len(a["masks"]) + len(b["masks"])
    for m, obj in zip(out["masks"], a["labels"] + b["labels"]):
        np.testing.assert_array_equal(m.astype(bool), colour_region(out["image"], obj), err_msg=f"mask {obj}")
    # keypoints covered by a pasted object are gone
    for obj in a["labels"]:
        if obj not in out["kp_ids"]:
            x, y = a["keypoints"][a["labels"].index(obj)]
            assert not colour_region(out["image"], obj)[y, x]


def test_copy_and_paste_without_bound_masks_uses_box_occlusion():
    rng = np.random.default_rng(8)
    a = scene(rng, (48, 64), range(1, 5), min_side=10, max_side=24)
    b = scene(rng, (48, 64), range(11, 14), min_side=10, max_side=24)
    a.pop("masks")
    out = pipeline([A.CopyAndPaste(p=1)], min_visibility=0.2)(**a, copypaste_metadata=[b])
    check_output(out, a["labels"] + b["labels"], areas_of([a, b]), tol=1e-9, min_visibility=0.2)


def test_copy_and_paste_errors():
    img = np.zeros((8, 8, 3), np.uint8)
    pipe = A.Compose([A.CopyAndPaste(p=1)], bbox_params=A.BboxParams(format="pascal_voc", label_fields=["labels"]))
    with pytest.raises(TargetError, match=r"CopyAndPaste: copypaste_metadata\[0\] needs 'masks'"):
        pipe(image=img, bboxes=[], labels=[], copypaste_metadata=[{"image": img}])
    with pytest.raises(TargetError, match=r"CopyAndPaste: copypaste_metadata\[0\] has 1 masks but 0 bboxes"):
        pipe(image=img, bboxes=[], labels=[], copypaste_metadata=[{"image": img, "masks": [img[..., 0]]}])


# ------------------------------------------------------------------------------------
# OverlayElements
# ------------------------------------------------------------------------------------
def test_overlay_elements_matches_albumentations_layout():
    img = np.zeros((40, 40, 3), np.uint8)
    over = np.full((10, 10, 3), 200, np.uint8)
    sel = np.zeros((10, 10), np.uint8)
    sel[2:8, 2:8] = 1
    # the second element has its own value: it lands at a random place, maybe over the first
    meta = [{"image": over, "bbox": [0.5, 0.25, 1.0, 0.75], "mask": sel, "mask_id": 5},
            {"image": np.full((4, 4, 3), 90, np.uint8)}]
    out = A.Compose([A.OverlayElements(p=1)], seed=0)(image=img, mask=np.zeros((40, 40), np.uint8),
                                                      overlay_metadata=meta)
    shown = (out["image"] == 200).all(axis=-1)
    second = (out["image"] == 90).all(axis=-1)
    # the first overlay: resized into its box, only where its mask is set (12x12 of 20x20)
    assert (shown | second)[14:26, 24:36].all() and not shown[10:30, 20:40][:4].any()
    assert shown.sum() + (second & ~shown)[14:26, 24:36].sum() == 144
    # the second: all of its 4x4 pixels, in one 4x4 square
    assert second.sum() == 16 and np.ptp(np.argwhere(second), axis=0).tolist() == [3, 3]
    region = out["mask"] == 5
    assert region.sum() == 12 * 12 and extent(region).tolist() == [24, 14, 36, 26]
    with pytest.raises(TargetError, match=r"OverlayElements: overlay_metadata\[0\]\['bbox'\]"):
        A.OverlayElements(p=1)(image=img, overlay_metadata=[{"image": over, "bbox": [0.5, 0.5, 0.2, 0.9]}])


# ------------------------------------------------------------------------------------
# batch helpers
# ------------------------------------------------------------------------------------
def test_batch_mixup_and_cutmix():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (6, 16, 20, 3)).astype(np.uint8)
    y = np.eye(6, dtype=np.float32)
    mx_, my = mixup(x, y, alpha=0.4, rng=1)
    assert mx_.dtype == np.uint8 and mx_.shape == x.shape
    np.testing.assert_allclose(my.sum(axis=1), 1.0, rtol=1e-6)
    # each mixed image is the same blend of two originals as its label says
    for i in range(6):
        j = [k for k in range(6) if my[i, k] > 0 and k != i]
        lam = my[i, i] if j else 1.0
        other = x[j[0]] if j else x[i]
        np.testing.assert_allclose(mx_[i], lam * x[i].astype(float) + (1 - lam) * other, atol=0.51)
    cx, cy = cutmix(x, y, alpha=1.0, rng=2)
    for i in range(6):
        changed = (cx[i] != x[i]).any(axis=-1).mean()
        assert changed <= 1 - cy[i, i] + 1e-6
    with pytest.raises(TargetError, match="mixup: labels_onehot must be floating point"):
        mixup(x, np.eye(6, dtype=np.int64))
    with pytest.raises(InvalidParameterError, match=r"mixup\(alpha=-1\)"):
        mixup(x, y, alpha=-1)
