"""PIL images and torch tensors as image/mask targets: converted in, the result in the same type.

The reference for every converted call is the same pipeline, same seed, on the numpy
array the value stands for: a conversion must change the container, never the pixels.
"""

from __future__ import annotations

import sys
import timeit

import numpy as np
import pytest

import augkit as A
from augkit.core.convert import foreign_inputs
from augkit.errors import UnsupportedInputError

try:
    from PIL import Image
except ImportError:  # Pillow is in the dev extra; CI has it
    Image = None
try:
    import torch
except ImportError:  # torch is in the dev extra; CI has it
    torch = None

needs_pil = pytest.mark.skipif(Image is None, reason="Pillow is not installed (dev extra)")
needs_torch = pytest.mark.skipif(torch is None, reason="torch is not installed (dev extra)")


def rgb(h=12, w=16, c=3, seed=0, dtype=np.uint8):
    rng = np.random.default_rng(seed)
    if dtype == np.float32:
        return rng.random((h, w, c), dtype=np.float32) if c else rng.random((h, w), dtype=np.float32)
    shape = (h, w, c) if c else (h, w)
    return rng.integers(0, np.iinfo(dtype).max, shape, dtype=dtype, endpoint=True)


def random_pipeline(**kw):
    # spatial (fused warps, a crop) and pixel steps, all with random parameters
    return A.Compose([A.Affine(rotate=(-20, 20), scale=(0.8, 1.2), p=1.0),
                      A.RandomCrop(height=10, width=12), A.HorizontalFlip(),
                      A.RandomBrightnessContrast(p=1.0)], **kw)


# -- numpy: untouched, and cheap --------------------------------------------------------------
def test_numpy_call_is_left_alone():
    img = rgb()
    data = {"image": img, "mask": img[..., 0], "bboxes": [(1, 2, 3, 4)], "labels": [1]}
    before = dict(data)
    assert foreign_inputs(data, {"image2": "image"}) is None
    assert data == before and data["image"] is img


def test_numpy_check_costs_well_under_a_microsecond_per_argument():
    img = rgb()
    data = {"image": img, "mask": img[..., 0], "bboxes": [(1, 2, 3, 4)], "labels": [1]}
    n = 20000
    per_call = min(timeit.repeat(lambda: foreign_inputs(data, {}), number=n, repeat=3)) / n
    # measured ~0.6 us for these four arguments (a pipeline call is ~50 us); 10 us only
    # fails if the check starts doing real work (importing, converting, copying)
    assert per_call < 10e-6, f"{per_call * 1e6:.2f} us"


def test_unknown_values_are_reported_by_the_target_checks():
    with pytest.raises(UnsupportedInputError, match="expected a numpy array, got list"):
        A.Compose([A.HorizontalFlip()])(image=[[1, 2], [3, 4]])


# -- PIL ----------------------------------------------------------------------------------
@needs_pil
@pytest.mark.parametrize("mode", ["L", "LA", "RGB", "RGBA", "I;16", "F"])
def test_pil_image_modes_round_trip(mode):
    channels = {"L": 0, "LA": 2, "RGB": 3, "RGBA": 4, "I;16": 0, "F": 0}[mode]
    dtype = {"I;16": np.uint16, "F": np.float32}.get(mode, np.uint8)
    arr = rgb(c=channels, dtype=dtype)
    img = Image.fromarray(arr)
    assert img.mode == mode
    out = random_pipeline(seed=3)(image=img)["image"]
    expected = random_pipeline(seed=3)(image=arr)["image"]
    assert isinstance(out, Image.Image) and out.mode == mode
    assert out.size == (12, 10)  # PIL sizes are (width, height)
    np.testing.assert_array_equal(np.asarray(out), expected)
    np.testing.assert_array_equal(np.asarray(img), arr)  # the input is untouched


@needs_pil
def test_pil_palette_mask_keeps_its_palette_and_moves_with_the_image():
    img = rgb(h=4, w=6)
    labels = np.arange(24, dtype=np.uint8).reshape(4, 6) % 5
    mask = Image.fromarray(labels).convert("P")
    palette = [v for i in range(256) for v in (i, 255 - i, (7 * i) % 256)]
    mask.putpalette(palette)
    out = A.Compose([A.HorizontalFlip(p=1.0)])(image=img, mask=mask)
    assert out["mask"].mode == "P" and out["mask"].getpalette() == palette
    np.testing.assert_array_equal(np.asarray(out["mask"]), labels[:, ::-1])
    np.testing.assert_array_equal(out["image"], img[:, ::-1])  # numpy stays numpy


@needs_pil
def test_pil_binary_mask_and_additional_image():
    img = rgb()
    binary = Image.fromarray(rgb(c=0, seed=1) > 127)
    assert binary.mode == "1"
    second = Image.fromarray(rgb(seed=2))
    pipe = A.Compose([A.VerticalFlip(p=1.0)], additional_targets={"other": "image"})
    out = pipe(image=img, mask=binary, other=second)
    assert out["mask"].mode == "1" and out["other"].mode == "RGB"
    np.testing.assert_array_equal(np.asarray(out["mask"]), np.asarray(binary)[::-1])
    np.testing.assert_array_equal(np.asarray(out["other"]), np.asarray(second)[::-1])


@needs_pil
def test_pil_with_boxes_and_a_single_transform():
    img = Image.fromarray(rgb(h=20, w=30))
    pipe = A.Compose([A.Resize(height=10, width=15)],
                     bbox_params=A.BboxParams(format="pascal_voc", label_fields=["labels"]))
    out = pipe(image=img, bboxes=[(0, 0, 10, 20)], labels=["a"])
    assert out["image"].size == (15, 10)
    assert out["bboxes"] == [(0.0, 0.0, 5.0, 10.0)] and out["labels"] == ["a"]
    flipped = A.HorizontalFlip(p=1.0)(image=img)["image"]
    assert isinstance(flipped, Image.Image)
    np.testing.assert_array_equal(np.asarray(flipped), np.asarray(img)[:, ::-1])


@needs_pil
def test_pil_result_that_pil_cannot_hold_stays_numpy():
    img = Image.fromarray(rgb())
    out = A.Compose([A.Normalize()])(image=img)["image"]
    assert isinstance(out, np.ndarray) and out.dtype == np.float32 and out.shape == (12, 16, 3)


@needs_pil
@pytest.mark.parametrize("mode, kind", [("CMYK", "image"), ("P", "image"), ("I", "image"),
                                        ("YCbCr", "mask")])
def test_pil_unsupported_modes_are_refused_with_the_fix(mode, kind):
    img = Image.fromarray(rgb()).convert(mode)
    with pytest.raises(UnsupportedInputError, match=rf"mode '{mode}'.*img\.convert"):
        A.Compose([A.HorizontalFlip()])(**{kind: img, **({"image": rgb()} if kind == "mask" else {})})


# -- torch --------------------------------------------------------------------------------
@needs_torch
@pytest.mark.parametrize("layout", ["chw", "hwc", "hw"])
@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_tensor_layouts_round_trip(layout, dtype):
    arr = rgb(c=0 if layout == "hw" else 3, dtype=dtype)
    t = torch.from_numpy(arr.transpose(2, 0, 1).copy() if layout == "chw" else arr.copy())
    before = t.clone()
    out = random_pipeline(seed=5)(image=t)["image"]
    expected = random_pipeline(seed=5)(image=arr)["image"]
    assert isinstance(out, torch.Tensor) and out.dtype == t.dtype
    got = out.numpy().transpose(1, 2, 0) if layout == "chw" else out.numpy()
    np.testing.assert_array_equal(got, expected)
    assert out.shape == ((3, 10, 12) if layout == "chw" else expected.shape)
    assert torch.equal(t, before)  # the caller's tensor is untouched


@needs_torch
def test_tensor_masks_and_requires_grad():
    img = torch.rand(3, 8, 10, requires_grad=True)
    mask = torch.arange(80).reshape(8, 10).to(torch.uint8)
    stack = torch.stack([mask, mask + 1])
    listed = [mask, mask * 2]
    out = A.Compose([A.HorizontalFlip(p=1.0)])(image=img, mask=mask, masks=stack)
    assert out["image"].shape == (3, 8, 10) and not out["image"].requires_grad
    assert torch.equal(out["image"], img.detach().flip(-1))
    assert torch.equal(out["mask"], mask.flip(-1))
    assert isinstance(out["masks"], torch.Tensor) and torch.equal(out["masks"], stack.flip(-1))
    out = A.Compose([A.VerticalFlip(p=1.0)])(image=img, masks=listed)
    assert [torch.equal(m, s.flip(0)) for m, s in zip(out["masks"], listed)] == [True, True]


@needs_torch
def test_tensor_normalize_and_to_tensor_last():
    from augkit.pytorch import ToTensorV2

    img = (torch.rand(3, 8, 10) * 255).to(torch.uint8)
    out = A.Compose([A.Normalize()])(image=img)["image"]
    assert out.dtype == torch.float32 and out.shape == (3, 8, 10)
    expected = A.Compose([A.Normalize()])(image=img.permute(1, 2, 0).numpy())["image"]
    np.testing.assert_allclose(out.permute(1, 2, 0).numpy(), expected)
    # ToTensorV2 already made a C x H x W tensor: it is returned as it is
    out = A.Compose([A.Normalize(), ToTensorV2()])(image=img)["image"]
    assert out.shape == (3, 8, 10) and out.dtype == torch.float32


@needs_torch
@pytest.mark.parametrize("shape", [(3, 5, 3), (5, 6, 7), (2, 3, 4, 5)])
def test_ambiguous_tensor_shapes_are_refused(shape):
    with pytest.raises(UnsupportedInputError, match="tensor"):
        A.Compose([A.HorizontalFlip()])(image=torch.zeros(shape, dtype=torch.uint8))


@needs_torch
def test_gray_channel_first_tensor_keeps_its_channel_axis():
    t = torch.from_numpy(rgb(c=0))[None]  # 1 x H x W
    out = A.Compose([A.Resize(height=6, width=8)])(image=t)["image"]
    assert out.shape == (1, 6, 8)


def test_numpy_call_imports_neither_pil_nor_torch():
    import subprocess

    code = ("import sys, numpy as np, augkit as A; "
            "A.Compose([A.HorizontalFlip()])(image=np.zeros((2, 2), np.uint8)); "
            "assert 'torch' not in sys.modules and 'PIL' not in sys.modules, 'imported'")
    subprocess.run([sys.executable, "-c", code], check=True)
