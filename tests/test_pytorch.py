"""augkit.pytorch.ToTensorV2, and torch staying optional."""

from __future__ import annotations

import pickle
import subprocess
import sys

import numpy as np
import pytest

import augkit as A
from augkit.errors import TargetError


def test_import_augkit_does_not_import_torch():
    code = ("import sys, augkit, augkit.pytorch; import augkit as A; "
            "A.Compose([A.HorizontalFlip()])(image=__import__('numpy').zeros((2, 2), 'uint8')); "
            "assert 'torch' not in sys.modules, 'torch was imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_missing_torch_is_a_clear_import_error(monkeypatch):
    from augkit.pytorch import ToTensorV2

    monkeypatch.setitem(sys.modules, "torch", None)  # makes ``import torch`` fail
    with pytest.raises(ImportError, match=r"augkit\[torch\]"):
        ToTensorV2()


try:
    import torch
except ImportError:  # the torch extra (augkit[torch]) is part of dev; CI has it
    torch = None
from augkit.pytorch import ToTensorV2  # noqa: E402

needs_torch = pytest.mark.skipif(torch is None, reason="torch is not installed (augkit[torch])")


def rgb(h=5, w=7, c=3, dtype=np.uint8, seed=0):
    return np.random.default_rng(seed).integers(0, 255, (h, w, c)).astype(dtype)


@needs_torch
def test_images_become_chw_and_gray_gets_a_channel():
    img = rgb()
    pipe = A.Compose([ToTensorV2()], additional_targets={"image2": "image"})
    out = pipe(image=img, image2=np.ascontiguousarray(img[..., 0]))
    assert isinstance(out["image"], torch.Tensor)
    assert tuple(out["image"].shape) == (3, 5, 7) and out["image"].dtype == torch.uint8
    np.testing.assert_array_equal(out["image"].numpy(), img.transpose(2, 0, 1))
    assert tuple(out["image2"].shape) == (1, 5, 7)
    np.testing.assert_array_equal(out["image2"].numpy()[0], img[..., 0])


@needs_torch
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32])
def test_dtype_is_kept(dtype):
    img = rgb(dtype=dtype) if dtype != np.float32 else rgb().astype(np.float32) / 255
    out = A.Compose([ToTensorV2()])(image=img)
    assert out["image"].numpy().dtype == img.dtype


@needs_torch
def test_masks_keep_their_layout_unless_transposed():
    img = rgb()
    m2 = np.arange(35, dtype=np.uint8).reshape(5, 7)
    m3 = np.stack([m2, m2 + 1], axis=-1)
    stack = np.stack([m3, m3 * 2])  # (2, 5, 7, 2)
    for transpose in (False, True):
        pipe = A.Compose([ToTensorV2(transpose_mask=transpose)],
                         additional_targets={"mask2": "mask", "stack": "masks"})
        out = pipe(image=img, mask=m2, mask2=m3, masks=[m2, m2], stack=stack)
        assert tuple(out["mask"].shape) == (5, 7)
        assert tuple(out["mask2"].shape) == ((2, 5, 7) if transpose else (5, 7, 2))
        assert isinstance(out["masks"], list) and all(tuple(t.shape) == (5, 7) for t in out["masks"])
        assert tuple(out["stack"].shape) == ((2, 2, 5, 7) if transpose else (2, 5, 7, 2))
        expected = stack.transpose(0, 3, 1, 2) if transpose else stack
        np.testing.assert_array_equal(out["stack"].numpy(), expected)


@needs_torch
def test_pending_geometry_is_applied_before_conversion_and_boxes_pass():
    img = rgb()
    pipe = A.Compose([A.HorizontalFlip(p=1.0), A.Rotate(limit=(90, 90), p=1.0), ToTensorV2()],
                     bbox_params=A.BboxParams(format="pascal_voc", label_fields=["labels"]))
    ref = A.Compose([A.HorizontalFlip(p=1.0), A.Rotate(limit=(90, 90), p=1.0)],
                    bbox_params=A.BboxParams(format="pascal_voc", label_fields=["labels"]))
    data = {"image": img, "mask": img[..., 1].copy(), "bboxes": [(1, 1, 4, 3)], "labels": [1]}
    out, expected = pipe(**data), ref(**data)
    np.testing.assert_array_equal(out["image"].numpy(), expected["image"].transpose(2, 0, 1))
    np.testing.assert_array_equal(out["mask"].numpy(), expected["mask"])
    assert out["bboxes"] == expected["bboxes"] and out["labels"] == [1]


@needs_torch
def test_inputs_are_not_mutated_and_read_only_arrays_are_copied():
    img = rgb()
    img.setflags(write=False)
    before = img.copy()
    out = A.Compose([ToTensorV2()])(image=img)
    out["image"] += 1  # the tensor is writable and not the caller's read-only memory
    np.testing.assert_array_equal(img, before)


@needs_torch
def test_works_as_a_standalone_call_and_pickles():
    t = ToTensorV2(transpose_mask=True)
    out = t(image=rgb(), mask=np.zeros((5, 7, 2), np.uint8))
    assert tuple(out["mask"].shape) == (2, 5, 7)
    again = pickle.loads(pickle.dumps(A.Compose([t])))
    assert tuple(again(image=rgb())["image"].shape) == (3, 5, 7)
    assert repr(t) == "ToTensorV2(transpose_mask=True, p=1.0)"


@needs_torch
def test_albumentations_style_hooks():
    t = ToTensorV2()
    assert tuple(t.apply(np.zeros((4, 6, 3), np.uint8)).shape) == (3, 4, 6)
    with pytest.raises(TargetError, match="ToTensorV2"):
        t.apply(np.zeros((2, 4, 6, 3), np.uint8))
