"""Review of the image-only shortcuts: cases where a shortcut differed from the engine."""

from __future__ import annotations

import numpy as np
import pytest

import augkit as A


def _image(h=40, w=50, c=3, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (h, w, c), dtype=np.uint8)


@pytest.mark.parametrize("with_mask", [False, True])
def test_nested_compose_with_one_pixel_step_keeps_the_order_of_tables(with_mask):
    # the inner Compose's lone step is not the call's only step: a table pending from the
    # step before it must apply first (it was applied after)
    img = _image()
    data = {"image": img, "mask": np.zeros(img.shape[:2], np.uint8)} if with_mask else {"image": img}
    for first, second in [(A.RandomBrightnessContrast(p=1), A.RandomGamma(p=1)),
                          (A.Posterize(p=1), A.InvertImg(p=1))]:
        flat = A.Compose([first, second, A.Solarize(p=1)], seed=1)(**data)["image"]
        nested = A.Compose([first, A.Compose([second]), A.Solarize(p=1)], seed=1)(**data)["image"]
        np.testing.assert_array_equal(nested, flat)


@pytest.mark.parametrize("inner", [
    lambda: A.Compose([A.Resize(80, 100)]),
    lambda: A.Compose([A.HorizontalFlip(p=1), A.Resize(80, 100)]),
    lambda: A.Sequential([A.Compose([A.Resize(80, 100)])], p=1),
])
def test_nested_compose_step_is_fused_with_the_spatial_step_after_the_block(inner):
    # a spatial step inside a nested Compose is followed by the outer block's steps: it
    # must not be applied at once (the engine fuses it with the crop / rotation after)
    img = _image()
    for after in (A.Crop(3, 5, 43, 37), A.Affine(rotate=20, p=1)):
        flat_steps = [A.Resize(80, 100)] if "Flip" not in repr(inner()) else \
            [A.HorizontalFlip(p=1), A.Resize(80, 100)]
        flat = A.Compose([*flat_steps, after], seed=1)(image=img)["image"]
        nested = A.Compose([inner(), after], seed=1)(image=img)["image"]
        np.testing.assert_array_equal(nested, flat)


def test_editing_a_nested_block_after_a_call_is_seen_by_the_shortcut():
    # the per-block cache of "only pixel steps follow" must notice a nested block's edit:
    # a rotation appended to the inner block follows the resize, which must then be fused
    img = _image()
    inner = A.Sequential([A.InvertImg(p=0)], p=1)
    pipe = A.Compose([A.Resize(80, 100), inner], seed=1)
    pipe(image=img)
    inner.transforms.append(A.Affine(rotate=20, p=1))
    fresh = A.Compose([A.Resize(80, 100), A.Sequential([A.InvertImg(p=0), A.Affine(rotate=20, p=1)], p=1)],
                      seed=1)
    np.testing.assert_array_equal(pipe(image=img)["image"], fresh(image=img)["image"])


class _CutBorders(A.DualTransform):
    """An Albumentations-style step that changes the frame size."""

    def __init__(self, p=1.0):
        super().__init__(p=p)

    def apply(self, img, **params):
        return img[2:-7, 4:-1]

    def apply_to_mask(self, mask, **params):
        return mask[2:-7, 4:-1]


def test_dual_step_changing_the_size_on_a_lone_image_restarts_the_warp_chain():
    # image-only calls run such a step on the image alone; the spatial steps after it must
    # see the new frame as the engine does (as with a mask, where every target goes through)
    img = _image()
    steps = [A.Affine(rotate=20, p=1), _CutBorders(), A.HorizontalFlip(p=1), A.Affine(rotate=15, p=1)]
    alone = A.Compose(steps, seed=1)(image=img)["image"]
    with_mask = A.Compose(steps, seed=1)(image=img, mask=np.zeros(img.shape[:2], np.uint8))["image"]
    np.testing.assert_array_equal(alone, with_mask)
