"""How boxes follow rotations: rotate_method "largest_box" (the default), "outline", "ellipse"."""

from __future__ import annotations

import albumentations as AL
import numpy as np
import pytest

import augkit as A

H, W = 100, 120
BOXES = [(2, 3, 40, 30), (80, 60, 118, 98), (50, 40, 70, 60), (0, 70, 25, 100)]


def run(lib, t, **data):
    params = lib.BboxParams(format="pascal_voc", label_fields=["ids"])
    return lib.Compose([t], bbox_params=params)(**data)


@pytest.mark.parametrize("angle", [-45, -20, 10, 30, 45, 80])
@pytest.mark.parametrize("make", [
    lambda lib, a, **kw: lib.Rotate(limit=(a, a), p=1, **kw),
    lambda lib, a, **kw: lib.Affine(rotate=(a, a), scale=(0.9, 0.9), p=1, **kw),
])
def test_largest_box_is_albumentations_rule(angle, make):
    """The default: the turned corners' extent clipped to the frame, as 2.0.8 computes it."""
    img = np.zeros((H, W, 3), np.uint8)
    ours = run(A, make(A, angle), image=img, bboxes=BOXES, ids=[0, 1, 2, 3])
    theirs = run(AL, make(AL, angle), image=img, bboxes=BOXES, ids=[0, 1, 2, 3])
    assert ours["ids"] == list(theirs["ids"])
    np.testing.assert_allclose(np.array(ours["bboxes"]), np.array(theirs["bboxes"]), atol=1e-3)


def _object_extent(mask):
    ys, xs = np.nonzero(mask)
    return xs.min(), ys.min(), xs.max() + 1, ys.max() + 1


@pytest.mark.parametrize("angle", [-35, 25, 50])
def test_outline_is_tighter_and_both_contain_the_object(angle):
    """Objects fill their boxes; after a turn near the frame edge, the outline box is
    inside the largest box and both contain what is left of the object (within 1 px)."""
    img = np.zeros((H, W), np.uint8)
    masks = []
    for x0, y0, x1, y1 in BOXES:
        m = np.zeros((H, W), np.uint8)
        m[y0:y1, x0:x1] = 1
        masks.append(m)
    outs = {}
    for method in ("largest_box", "outline"):
        outs[method] = run(A, A.Rotate(limit=(angle, angle), rotate_method=method, p=1),
                           image=img, masks=masks, bboxes=BOXES, ids=[0, 1, 2, 3])
    big, tight = outs["largest_box"], outs["outline"]
    assert big["ids"] == tight["ids"]
    shrunk = 0
    for i, b_big, b_tight in zip(big["ids"], big["bboxes"], tight["bboxes"]):
        ox0, oy0, ox1, oy1 = _object_extent(tight["masks"][i])
        for b in (b_big, b_tight):
            assert b[0] <= ox0 + 1 and b[1] <= oy0 + 1 and b[2] >= ox1 - 1 and b[3] >= oy1 - 1
        assert b_tight[0] >= b_big[0] - 1e-9 and b_tight[1] >= b_big[1] - 1e-9
        assert b_tight[2] <= b_big[2] + 1e-9 and b_tight[3] <= b_big[3] + 1e-9
        shrunk += (np.array(b_big) - np.array(b_tight) != 0).any()
    assert shrunk, "no box crossed the frame edge: the test shows nothing"


def test_unknown_rotate_method_is_a_clear_error():
    with pytest.raises(A.errors.InvalidParameterError, match="rotate_method"):
        A.Rotate(rotate_method="corners")
