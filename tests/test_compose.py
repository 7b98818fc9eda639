"""Compositions, targets routing, argument and input validation, user subclasses, seeds.

Selection statistics use a seeded pipeline, so every count below is deterministic; the
tolerances are still wide enough (about 4 standard deviations) to hold for any correct
sampler, so changing the generator's use does not make them flaky.
"""

from __future__ import annotations

import itertools
import random
import warnings
from collections import Counter

import cv2
import numpy as np
import pytest

import augkit as A
from augkit.errors import InvalidParameterError, TargetError, UnsupportedInputError

N_DRAWS = 2000


class Mark(A.ImageOnlyTransform):
    """Appends its digit to the image: ``img * 8 + k``; the applied sequence reads off base 8."""

    def __init__(self, k: int = 1, p: float = 1.0):
        super().__init__(p=p)
        self.k = k

    def apply(self, img, **params):
        return (img.astype(np.int64) * 8 + self.k).astype(img.dtype)


def applied(out_image) -> tuple[int, ...]:
    v = int(out_image.flat[0])
    digits = []
    while v:
        v, d = divmod(v, 8)
        digits.append(d)
    return tuple(reversed(digits))


def draws(block, n=N_DRAWS, seed=0) -> Counter:
    pipe = A.Compose([block], seed=seed)
    img = np.zeros((2, 2), np.uint16)
    return Counter(applied(pipe(image=img)["image"]) for _ in range(n))


def chi_square(observed: list[int], probs: list[float]) -> float:
    total = sum(observed)
    return sum((o - total * p) ** 2 / (total * p) for o, p in zip(observed, probs))


# chi-square critical values at 0.999
CHI2_999 = {1: 10.83, 2: 13.82, 3: 16.27, 5: 20.52}


def assert_fraction(count: int, total: int, p: float):
    sd = (p * (1 - p) / total) ** 0.5
    assert abs(count / total - p) <= 4 * sd + 1e-12, f"{count}/{total} = {count / total:.3f}, expected {p}"


# ------------------------------------------------------------------------------------
# OneOf / SomeOf / Sequential / OneOrOther / RandomOrder
# ------------------------------------------------------------------------------------
def test_oneof_frequencies_follow_child_p():
    c = draws(A.OneOf([Mark(1, p=0.2), Mark(2, p=0.5), Mark(3, p=1.0)], p=1.0))
    assert set(c) == {(1,), (2,), (3,)}
    total = 0.2 + 0.5 + 1.0
    stat = chi_square([c[(1,)], c[(2,)], c[(3,)]], [0.2 / total, 0.5 / total, 1.0 / total])
    assert stat < CHI2_999[2], (c, stat)


def test_oneof_forces_the_chosen_child_and_skips_p0_children():
    c = draws(A.OneOf([Mark(1, p=0.1), Mark(2, p=0.0)], p=1.0), n=300)
    assert c == Counter({(1,): 300})  # chosen child is applied even though its p is 0.1


def test_oneof_block_probability():
    c = draws(A.OneOf([Mark(1, p=1.0), Mark(2, p=1.0)], p=0.3))
    assert set(c) <= {(), (1,), (2,)}
    assert_fraction(c[()], N_DRAWS, 0.7)
    assert_fraction(c[(1,)], c[(1,)] + c[(2,)], 0.5)


def test_oneof_default_p_is_half():
    assert A.OneOf([Mark(1)]).p == 0.5
    c = draws(A.OneOf([Mark(1)]))
    assert_fraction(c[()], N_DRAWS, 0.5)


def test_someof_applies_exactly_n_in_list_order():
    c = draws(A.SomeOf([Mark(1), Mark(2), Mark(3), Mark(4)], n=2, p=1.0))
    pairs = list(itertools.combinations([1, 2, 3, 4], 2))
    assert set(c) == set(pairs), c  # exactly two, distinct, in the order of the list
    stat = chi_square([c[pr] for pr in pairs], [1 / 6] * 6)
    assert stat < CHI2_999[5], (c, stat)


def test_someof_n_larger_than_the_list_applies_all_once():
    c = draws(A.SomeOf([Mark(1), Mark(2), Mark(3)], n=5, p=1.0), n=50)
    assert c == Counter({(1, 2, 3): 50})


def test_someof_with_replacement():
    c = draws(A.SomeOf([Mark(1), Mark(2)], n=3, replace=True, p=1.0), n=400)
    assert all(len(s) == 3 and list(s) == sorted(s) for s in c)
    assert set(c) == {(1, 1, 1), (1, 1, 2), (1, 2, 2), (2, 2, 2)}


def test_someof_block_probability():
    c = draws(A.SomeOf([Mark(1), Mark(2)], n=1, p=0.25))
    assert_fraction(c[()], N_DRAWS, 0.75)


def test_someof_selects_uniformly_then_applies_each_with_its_p():
    """Albumentations 2.0.8 semantics: uniform selection, then the child's own p."""
    c = draws(A.SomeOf([Mark(1, p=1.0), Mark(2, p=0.5)], n=1, p=1.0))
    assert set(c) <= {(), (1,), (2,)}
    # (1,) chosen 1/2 and applied; (2,) chosen 1/2 and applied half the time
    stat = chi_square([c[(1,)], c[(2,)], c[()]], [0.5, 0.25, 0.25])
    assert stat < CHI2_999[2], c
    c = draws(A.SomeOf([Mark(1, p=1.0), Mark(2, p=0.0)], n=1, p=1.0))
    assert set(c) == {(), (1,)}
    assert_fraction(c[(1,)], N_DRAWS, 0.5)


def test_random_order_applies_all_in_every_order():
    c = draws(A.RandomOrder([Mark(1), Mark(2), Mark(3)], n=3, p=1.0), n=1200)
    perms = list(itertools.permutations([1, 2, 3]))
    assert set(c) == set(perms)
    stat = chi_square([c[q] for q in perms], [1 / 6] * 6)
    assert stat < CHI2_999[5], c


def test_random_order_subset():
    c = draws(A.RandomOrder([Mark(1), Mark(2), Mark(3)], n=2, p=1.0), n=600)
    assert set(c) == set(itertools.permutations([1, 2, 3], 2))


def test_sequential_applies_all_in_order_with_own_p():
    c = draws(A.Sequential([Mark(1), Mark(2), Mark(3, p=0.0)], p=1.0), n=50)
    assert c == Counter({(1, 2): 50})
    c = draws(A.Sequential([Mark(1), Mark(2)], p=0.4))
    assert set(c) == {(), (1, 2)}
    assert_fraction(c[(1, 2)], N_DRAWS, 0.4)
    c = draws(A.Sequential([Mark(1, p=0.5), Mark(2)], p=1.0))
    assert set(c) == {(2,), (1, 2)}
    assert_fraction(c[(1, 2)], N_DRAWS, 0.5)


def test_one_or_other():
    c = draws(A.OneOrOther(Mark(1, p=0.0), Mark(2, p=0.0), p=0.3))
    assert set(c) == {(1,), (2,)}  # the chosen one is forced
    assert_fraction(c[(1,)], N_DRAWS, 0.3)
    c = draws(A.OneOrOther(transforms=[Mark(1), Mark(2)], p=1.0), n=50)
    assert c == Counter({(1,): 50})
    with pytest.raises(InvalidParameterError):
        A.OneOrOther(transforms=[Mark(1), Mark(2), Mark(3)])


def test_nested_blocks():
    block = A.Sequential([
        A.OneOf([A.Sequential([Mark(1), Mark(2)], p=1.0), Mark(3)], p=1.0),
        A.SomeOf([Mark(4), A.OneOf([Mark(5), Mark(6)], p=1.0)], n=1, p=1.0),
        A.Compose([Mark(7, p=0.5)]),
    ], p=1.0)
    c = draws(block, n=1500)
    heads = {(1, 2), (3,)}
    middles = {(4,), (5,), (6,)}
    tails = {(), (7,)}
    expected = {h + m + t for h in heads for m in middles for t in tails}
    assert set(c) == expected, set(c) ^ expected


def test_compose_p_and_nested_compose_p():
    c = draws(A.Compose([Mark(1), Mark(2)], p=0.2))
    assert set(c) == {(), (1, 2)}
    assert_fraction(c[(1, 2)], N_DRAWS, 0.2)


def test_blocks_reject_non_transforms_and_bad_p():
    with pytest.raises(InvalidParameterError, match="transforms"):
        A.Compose([A.HorizontalFlip(), "flip"])
    with pytest.raises(InvalidParameterError, match=r"OneOf\(p=1.5\)"):
        A.OneOf([A.HorizontalFlip()], p=1.5)
    with pytest.raises(InvalidParameterError):
        A.SomeOf([A.HorizontalFlip()], n=-1)


# ------------------------------------------------------------------------------------
# additional targets, strict, passthrough
# ------------------------------------------------------------------------------------
class RandomOffset(A.ImageOnlyTransform):
    """A random pixel step: adds an offset drawn once per call (Albumentations-style hooks)."""

    def get_params(self):
        return {"offset": int(self.random_generator.integers(1, 50))}

    def apply(self, img, offset=0, **params):
        return np.clip(img.astype(np.int64) + offset, 0, 255).astype(img.dtype)


GEOMETRY = [A.Affine(rotate=(-30, 30), scale=(0.8, 1.2), translate_percent=(-0.1, 0.1), p=1.0),
            A.HorizontalFlip(p=0.5), A.RandomCrop(height=20, width=24), RandomOffset(p=1.0),
            A.Rotate(limit=20, p=1.0), A.Perspective(p=1.0), A.RandomResizedCrop(size=(16, 16))]


@pytest.mark.parametrize("fuse", [True, False])
def test_additional_targets_get_identical_geometry_and_params(fuse):
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (32, 40, 3), dtype=np.uint8)
    mask = rng.integers(0, 5, (32, 40), dtype=np.uint8)
    depth = rng.random((32, 40), dtype=np.float32)
    pipe = A.Compose(GEOMETRY, additional_targets={"image2": "image", "depth": "mask", "depth2": "mask"},
                     seed=5, fuse=fuse)
    for _ in range(10):
        out = pipe(image=img, image2=img.copy(), mask=mask, depth=mask.copy(), depth2=depth)
        np.testing.assert_array_equal(out["image2"], out["image"])
        np.testing.assert_array_equal(out["depth"], out["mask"])
        assert out["depth2"].dtype == np.float32 and out["depth2"].shape == out["mask"].shape
        # depth2 is warped as a mask (nearest): every value already existed, or is the fill
        assert np.isin(out["depth2"], np.append(depth.ravel(), 0)).all()


def test_additional_target_differs_only_where_input_differs():
    img = np.zeros((16, 16), np.uint8)
    img2 = img.copy()
    img2[4:8, 2:6] = 200
    pipe = A.Compose([A.Transpose(p=1.0), A.HorizontalFlip(p=1.0)], additional_targets={"image2": "image"})
    out = pipe(image=img, image2=img2)
    np.testing.assert_array_equal(out["image2"], np.fliplr(img2.T))


def test_additional_targets_validation():
    with pytest.raises(InvalidParameterError):
        A.Compose([], additional_targets={"x": "bboxes_like"})
    with pytest.raises(InvalidParameterError):
        A.Compose([], additional_targets={"mask": "image"})


def test_strict_rejects_unknown_targets_default_passes_through():
    img = np.zeros((4, 6), np.uint8)
    meta = {"id": 7}
    out = A.Compose([A.HorizontalFlip(p=1.0)])(image=img, meta=meta, extra=np.ones((2, 2)))
    assert out["meta"] is meta and out["meta"] == {"id": 7}
    np.testing.assert_array_equal(out["extra"], np.ones((2, 2)))
    assert set(out) == {"image", "meta", "extra"}
    with pytest.raises(TargetError, match="meta"):
        A.Compose([A.HorizontalFlip(p=1.0)], strict=True)(image=img, meta=meta)
    # known targets are fine under strict
    out = A.Compose([A.HorizontalFlip(p=1.0)], strict=True, additional_targets={"image2": "image"},
                    bbox_params=A.BboxParams(format="pascal_voc", label_fields=["labels"]))(
        image=img, image2=img, bboxes=[(0, 0, 1, 1)], labels=[3])
    assert out["labels"] == [3]


# ------------------------------------------------------------------------------------
# constructor validation
# ------------------------------------------------------------------------------------
def test_unknown_argument_raises_with_hint():
    with pytest.raises(InvalidParameterError, match="did you mean 'limit'") as info:
        A.Rotate(limt=10)
    assert isinstance(info.value, ValueError)
    assert str(info.value).startswith("Rotate(limt=10)")
    with pytest.raises(InvalidParameterError, match="did you mean 'width'"):
        A.RandomCrop(height=2, widht=3)
    with pytest.raises(InvalidParameterError, match="unknown argument 'foo'"):
        A.HorizontalFlip(foo=1)


def test_bad_value_exact_message():
    with pytest.raises(InvalidParameterError) as info:
        A.Rotate(limit=(50, 10))
    assert str(info.value) == "Rotate(limit=(50, 10)): limit must be (low, high) with low <= high"


@pytest.mark.parametrize("make, prefix", [
    (lambda: A.HorizontalFlip(p=1.5), "HorizontalFlip(p=1.5): "),
    (lambda: A.HorizontalFlip(p=-0.1), "HorizontalFlip(p=-0.1): "),
    (lambda: A.Rotate(limit="x"), "Rotate(limit='x'): "),
    (lambda: A.Rotate(interpolation=99), "Rotate(interpolation=99): "),
    (lambda: A.Rotate(border_mode=42), "Rotate(border_mode=42): "),
    (lambda: A.RandomCrop(height=0, width=5), "RandomCrop(height=0): "),
    (lambda: A.Resize(height=2.5, width=3), "Resize(height=2.5): "),
    (lambda: A.RandomResizedCrop(size=(0, 5)), "RandomResizedCrop(size=(0, 5)): "),
    (lambda: A.RandomResizedCrop(size=(5, 5), scale=(0.9, 0.1)), "RandomResizedCrop(scale=(0.9, 0.1)): "),
    (lambda: A.Affine(scale=(0.0, 1.0)), "Affine(scale=(0.0, 1.0)): "),
    (lambda: A.Crop(x_min=5, x_max=3), "Crop(x_max=3): "),
    (lambda: A.BboxParams(format="xyxy"), "BboxParams(format='xyxy'): "),
    (lambda: A.KeypointParams(format="xyz"), "KeypointParams(format='xyz'): "),
    (lambda: A.BboxParams(format="coco", min_visibility=2), "BboxParams(min_visibility=2): "),
])
def test_bad_values_raise_at_construction(make, prefix):
    with pytest.raises(InvalidParameterError) as info:
        make()
    assert str(info.value).startswith(prefix), str(info.value)


# ------------------------------------------------------------------------------------
# input validation
# ------------------------------------------------------------------------------------
PIPE = A.Compose([A.HorizontalFlip(p=1.0)])


@pytest.mark.parametrize("dtype", [np.float64, np.int32, np.int8, np.float16, np.bool_])
def test_unsupported_image_dtypes(dtype):
    with pytest.raises(UnsupportedInputError, match=np.dtype(dtype).name) as info:
        PIPE(image=np.zeros((4, 4, 3), dtype=dtype))
    assert isinstance(info.value, TypeError)


def test_float_image_outside_unit_range():
    with pytest.raises(TargetError, match=r"\[0, 1\]"):
        PIPE(image=np.full((4, 4), 1.5, np.float32))
    with pytest.raises(TargetError):
        PIPE(image=np.full((4, 4), -0.25, np.float32))
    with pytest.raises(TargetError):
        PIPE(image=np.full((4, 4), np.nan, np.float32))
    PIPE(image=np.ones((4, 4), np.float32))  # the bounds themselves are fine


def test_mask_shape_mismatch():
    with pytest.raises(TargetError, match="mask"):
        PIPE(image=np.zeros((4, 6), np.uint8), mask=np.zeros((6, 4), np.uint8))
    with pytest.raises(TargetError, match="image2"):
        A.Compose([], additional_targets={"image2": "image"})(
            image=np.zeros((4, 6), np.uint8), image2=np.zeros((4, 5), np.uint8))
    out = A.Compose([], is_check_shapes=False)(image=np.zeros((4, 6), np.uint8), mask=np.zeros((6, 4), np.uint8))
    assert out["mask"].shape == (6, 4)


@pytest.mark.parametrize("shape", [(0, 5), (5, 0), (0, 0, 3), (4, 4, 0)])
def test_empty_image(shape):
    with pytest.raises(TargetError, match="empty"):
        PIPE(image=np.zeros(shape, np.uint8))


def test_bad_image_rank_or_type():
    with pytest.raises(TargetError):
        PIPE(image=np.zeros((2, 4, 4, 3), np.uint8))
    with pytest.raises(UnsupportedInputError):
        PIPE(image=[[1, 2], [3, 4]])
    with pytest.raises(TargetError):
        A.Compose([])(bboxes=[])


def test_positional_target_raises():
    img = np.zeros((4, 4), np.uint8)
    with pytest.raises(TargetError, match="keyword"):
        PIPE(img)
    with pytest.raises(TargetError, match="keyword"):
        A.HorizontalFlip(p=1.0)(img)


def test_annotations_without_params_raise():
    img = np.zeros((4, 4), np.uint8)
    with pytest.raises(TargetError, match="bbox_params"):
        PIPE(image=img, bboxes=[(0, 0, 1, 1)])
    with pytest.raises(TargetError, match="keypoint_params"):
        PIPE(image=img, keypoints=[(0, 0)])


# ------------------------------------------------------------------------------------
# user subclasses (Albumentations style)
# ------------------------------------------------------------------------------------
class PadLeft(A.DualTransform):
    """Pads ``dx`` zero columns on the left; ``dx`` random; fill computed from the data."""

    def __init__(self, max_dx: int = 4, p: float = 0.5):
        super().__init__(p=p)
        self.max_dx = max_dx
        self.calls = []

    def get_params(self):
        return {"dx": self.py_random.randint(1, self.max_dx)}

    def get_params_dependent_on_data(self, params, data):
        self.calls.append({"params": dict(params), "image": data["image"].copy(),
                           "bboxes": np.array(data["bboxes"], dtype=np.float64).copy(),
                           "keypoints": np.array(data["keypoints"], dtype=np.float64).copy()})
        return {"fill": int(data["image"][0, 0, 0]) // 2, "width": data["image"].shape[1]}

    def apply(self, img, dx=0, fill=0, **params):
        pad = [(0, 0), (dx, 0)] + [(0, 0)] * (img.ndim - 2)
        return np.pad(img, pad, constant_values=fill)

    def apply_to_mask(self, mask, dx=0, **params):
        return np.pad(mask, [(0, 0), (dx, 0)], constant_values=9)

    def apply_to_bboxes(self, bboxes, dx=0, width=1, **params):
        out = np.array(bboxes, dtype=np.float64, copy=True)
        out[:, [0, 2]] = (out[:, [0, 2]] * width + dx) / (width + dx)
        return out

    def apply_to_keypoints(self, keypoints, dx=0, **params):
        out = np.array(keypoints, dtype=np.float64, copy=True)
        out[:, 0] += dx
        return out


def _expected_chain(img, mask, boxes, kps, dx, fill, window):
    """HorizontalFlip, Transpose, PadLeft(dx), VerticalFlip, Crop(window) with plain numpy."""
    h, w = img.shape[:2]
    img1 = np.fliplr(img).swapaxes(0, 1)
    mask1 = np.fliplr(mask).T
    b = boxes.copy()
    b[:, [0, 2]] = w - boxes[:, [2, 0]]                      # flip
    b = b[:, [1, 0, 3, 2]]                                   # transpose (now w x h... width h)
    k = kps.copy()
    k[:, 0] = w - 1 - kps[:, 0]
    k = k[:, [1, 0]]
    stage1 = (img1.copy(), b.copy(), k.copy())
    img2 = np.pad(img1, [(0, 0), (dx, 0), (0, 0)], constant_values=fill)
    mask2 = np.pad(mask1, [(0, 0), (dx, 0)], constant_values=9)
    b[:, [0, 2]] += dx
    k[:, 0] += dx
    hh = img2.shape[0]
    img3, mask3 = img2[::-1], mask2[::-1]
    b[:, [1, 3]] = hh - b[:, [3, 1]]
    k[:, 1] = hh - 1 - k[:, 1]
    x0, y0, x1, y1 = window
    img4, mask4 = img3[y0:y1, x0:x1], mask3[y0:y1, x0:x1]
    b = np.stack([np.clip(b[:, 0], x0, x1), np.clip(b[:, 1], y0, y1),
                  np.clip(b[:, 2], x0, x1), np.clip(b[:, 3], y0, y1)], axis=1) - [x0, y0, x0, y0]
    k = k - [x0, y0]
    return stage1, img4, mask4, b, k


@pytest.mark.parametrize("fuse", [True, False])
def test_user_dual_transform_between_fused_spatial_steps(fuse):
    rng = np.random.default_rng(1)
    h, w = 10, 14
    img = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    mask = rng.integers(0, 4, (h, w), dtype=np.uint8)
    boxes = np.array([[1.0, 2.0, 5.0, 8.0], [7.5, 0.0, 14.0, 3.25]])
    kps = np.array([[2.0, 3.0], [12.0, 8.0], [6.0, 1.0]])
    user = PadLeft(max_dx=4, p=1.0)
    window = (1, 3, 11, 13)
    pipe = A.Compose([A.HorizontalFlip(p=1.0), A.Transpose(p=1.0), user, A.VerticalFlip(p=1.0),
                      A.Crop(*window)],
                     bbox_params=A.BboxParams(format="pascal_voc", label_fields=["labels"]),
                     keypoint_params=A.KeypointParams(format="xy", label_fields=["kl"]),
                     seed=11, fuse=fuse)
    seen_dx = set()
    for _ in range(8):
        user.calls.clear()
        out = pipe(image=img, mask=mask, bboxes=boxes, labels=["a", "b"], keypoints=kps, kl=[0, 1, 2])
        assert len(user.calls) == 1
        call = user.calls[0]
        dx = call["params"]["dx"]
        seen_dx.add(dx)
        fill = int(call["image"][0, 0, 0]) // 2
        stage1, e_img, e_mask, e_boxes, e_kps = _expected_chain(img, mask, boxes, kps, dx, fill, window)
        # the hooks see the data as it is at their step (flips applied), in albumentations format
        np.testing.assert_array_equal(call["image"], stage1[0])
        assert call["params"]["shape"][:2] == stage1[0].shape[:2]
        sh, sw = stage1[0].shape[:2]
        np.testing.assert_allclose(call["bboxes"][:, :4], stage1[1] / [sw, sh, sw, sh], atol=1e-12)
        np.testing.assert_allclose(call["keypoints"][:, :2], stage1[2], atol=1e-12)
        np.testing.assert_array_equal(out["image"], e_img)
        np.testing.assert_array_equal(out["mask"], e_mask)
        keep = (e_boxes[:, 2] > e_boxes[:, 0]) & (e_boxes[:, 3] > e_boxes[:, 1])
        np.testing.assert_allclose(np.array(out["bboxes"]).reshape(-1, 4), e_boxes[keep], atol=1e-9)
        assert out["labels"] == [lb for lb, k in zip(["a", "b"], keep) if k]
        inside = (e_kps[:, 0] >= 0) & (e_kps[:, 0] < window[2] - window[0]) \
            & (e_kps[:, 1] >= 0) & (e_kps[:, 1] < window[3] - window[1])
        np.testing.assert_allclose(np.array(out["keypoints"]).reshape(-1, 2), e_kps[inside], atol=1e-9)
        assert out["kl"] == [i for i in range(3) if inside[i]]
    assert len(seen_dx) > 1  # get_params really draws


class UserInvert(A.ImageOnlyTransform):
    def get_params(self):
        return {"delta": int(self.random_generator.integers(0, 5))}

    def apply(self, img, delta=0, **params):
        return (255 - img.astype(np.int64) - delta).clip(0, 255).astype(img.dtype)


@pytest.mark.parametrize("fuse", [True, False])
def test_user_image_only_transform_between_spatial_steps(fuse):
    rng = np.random.default_rng(2)
    img = rng.integers(0, 256, (9, 12, 3), dtype=np.uint8)
    mask = rng.integers(0, 4, (9, 12), dtype=np.uint8)
    boxes = [(1.0, 1.0, 4.0, 5.0)]
    t = UserInvert(p=1.0)
    pipe = A.Compose([A.HorizontalFlip(p=1.0), t, A.Transpose(p=1.0), UserInvert(p=1.0)],
                     bbox_params=A.BboxParams(format="pascal_voc"), seed=3, fuse=fuse,
                     additional_targets={"image2": "image"})
    deltas = set()
    for _ in range(6):
        out = pipe(image=img, image2=img.copy(), mask=mask, bboxes=boxes)
        np.testing.assert_array_equal(out["image2"], out["image"])
        np.testing.assert_array_equal(out["mask"], np.fliplr(mask).T)
        assert out["bboxes"] == [(1.0, 8.0, 5.0, 11.0)]
        # invert(flip) -> transpose -> invert: value = clip(255 - clip(255 - v - d1) - d2)
        base = np.fliplr(img).swapaxes(0, 1).astype(np.int64)
        candidates = {(d1, d2) for d1 in range(5) for d2 in range(5)
                      if np.array_equal(out["image"], (255 - (255 - base - d1).clip(0, 255) - d2)
                                        .clip(0, 255).astype(np.uint8))}
        assert candidates, "output is not invert . transpose . invert . flip of the input"
        deltas |= candidates
    assert len(deltas) > 1


def test_user_transform_standalone_call():
    out = UserInvert(p=1.0)(image=np.zeros((2, 3), np.uint8))["image"]
    assert out.shape == (2, 3) and out.dtype == np.uint8 and 251 <= out[0, 0] <= 255


def test_always_apply_true_deprecated_but_works():
    with pytest.warns(DeprecationWarning, match="always_apply"):
        t = A.HorizontalFlip(always_apply=True, p=0.0)
    assert t.p == 1.0
    img = np.arange(6, dtype=np.uint8).reshape(2, 3)
    np.testing.assert_array_equal(A.Compose([t])(image=img)["image"], img[:, ::-1])
    with pytest.warns(DeprecationWarning):
        t = A.Rotate(always_apply=False, p=0.25)
    assert t.p == 0.25
    with pytest.warns(DeprecationWarning):
        m = Mark(3, always_apply=True, p=0.0)
    assert m.p == 1.0


class LegacyAdd(A.ImageOnlyTransform):
    """1.x style: ``super().__init__(always_apply, p)`` positionally."""

    def __init__(self, value=1, always_apply=False, p=0.5):
        super().__init__(always_apply, p)
        self.value = value

    def apply(self, img, **params):
        return img + self.value


def test_legacy_positional_super_init():
    img = np.zeros((2, 2), np.uint8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        on = LegacyAdd(5, p=1.0)
        off = LegacyAdd(5, p=0.0)
        forced = LegacyAdd(5, always_apply=True, p=0.0)
        default = LegacyAdd(5)
    assert (on.p, off.p, forced.p, default.p) == (1.0, 0.0, 1.0, 0.5)
    assert A.Compose([on])(image=img)["image"].tolist() == [[5, 5], [5, 5]]
    assert A.Compose([off])(image=img)["image"].tolist() == [[0, 0], [0, 0]]
    assert A.Compose([forced])(image=img)["image"].tolist() == [[5, 5], [5, 5]]


# ------------------------------------------------------------------------------------
# randomness
# ------------------------------------------------------------------------------------
class PyRandomUser(A.ImageOnlyTransform):
    def get_params(self):
        return {"v": self.py_random.randint(0, 3) + int(self.random_generator.integers(0, 3))}

    def apply(self, img, v=0, **params):
        return img + v


def test_global_random_state_untouched():
    np.random.seed(123)
    random.seed(456)
    np_before = np.random.get_state()
    py_before = random.getstate()
    pipe = A.Compose([
        A.OneOf([A.Affine(rotate=(-20, 20), p=1.0), A.Perspective(p=1.0)], p=0.9),
        A.SomeOf([A.HorizontalFlip(), A.VerticalFlip(), A.Transpose()], n=2),
        A.RandomOrder([A.RandomRotate90(), A.D4()], n=2),
        A.RandomCrop(height=10, width=10), A.RandomResizedCrop(size=(8, 8)),
        A.ShiftScaleRotate(p=1.0), A.RandomScale(p=1.0), PyRandomUser(p=1.0),
        PadLeft(p=1.0),
    ], bbox_params=A.BboxParams(format="pascal_voc"), keypoint_params=A.KeypointParams(format="xy"),
        seed=99)
    img = np.zeros((20, 24, 3), np.uint8)
    for _ in range(20):
        pipe(image=img, bboxes=[(1, 1, 10, 10)], keypoints=[(3, 3)])
    np_after = np.random.get_state()
    assert np_before[0] == np_after[0] and np.array_equal(np_before[1], np_after[1])
    assert np_before[2:] == np_after[2:]
    assert random.getstate() == py_before


def test_seeded_pipelines_repeat_and_differ_by_seed():
    def build(seed):
        return A.Compose([A.Affine(rotate=(-40, 40), p=1.0), A.RandomCrop(height=12, width=12),
                          PyRandomUser(p=1.0)], seed=seed)

    img = np.random.default_rng(0).integers(0, 200, (24, 24), dtype=np.uint8)
    p_a = build(1)
    a = [p_a(image=img)["image"] for _ in range(3)]
    b1 = build(1)
    b = [b1(image=img)["image"] for _ in range(3)]
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(b[0], b[1])  # successive calls draw new parameters
    c = build(2)(image=img)["image"]
    assert not np.array_equal(a[0], c)
    b1.set_random_seed(1)
    np.testing.assert_array_equal(b1(image=img)["image"], a[0])


def test_unseeded_pipelines_differ():
    img = np.random.default_rng(0).integers(0, 200, (24, 24), dtype=np.uint8)
    outs = {A.Compose([A.Affine(rotate=(-40, 40), p=1.0)])(image=img)["image"].tobytes() for _ in range(4)}
    assert len(outs) > 1  # separately built unseeded pipelines draw fresh entropy
    pipe = A.Compose([A.Affine(rotate=(-40, 40), p=1.0)])
    outs = {pipe(image=img)["image"].tobytes() for _ in range(4)}
    assert len(outs) > 1


def test_mask_interpolation_override():
    mask = np.zeros((10, 10), np.float32)
    mask[:, 5:] = 1.0
    out = A.Compose([A.Resize(height=10, width=7)], mask_interpolation=cv2.INTER_LINEAR)(
        image=np.zeros((10, 10), np.uint8), mask=mask)
    assert ((out["mask"] > 0) & (out["mask"] < 1)).any()
    out = A.Compose([A.Resize(height=10, width=7)])(image=np.zeros((10, 10), np.uint8), mask=mask)
    assert set(np.unique(out["mask"]).tolist()) <= {0.0, 1.0}


class DropFirstReverse(A.DualTransform):
    """Drops the first box and reverses the keypoints: labels must follow the rows."""

    def apply_to_bboxes(self, bboxes, **params):
        return bboxes[1:]

    def apply_to_keypoints(self, keypoints, **params):
        return keypoints[::-1]


def test_user_transform_that_drops_and_reorders_rows():
    pipe = A.Compose([A.HorizontalFlip(p=1.0), DropFirstReverse(p=1.0), A.VerticalFlip(p=1.0)],
                     bbox_params=A.BboxParams(format="pascal_voc", label_fields=["labels"]),
                     keypoint_params=A.KeypointParams(format="xy", label_fields=["kl"]))
    out = pipe(image=np.zeros((10, 20), np.uint8),
               bboxes=[(0, 0, 2, 2, "x"), (1, 1, 4, 5, "y"), (3, 2, 9, 9, "z")], labels=["a", "b", "c"],
               keypoints=[(1, 1), (2, 3), (5, 7)], kl=["p", "q", "r"])
    assert out["labels"] == ["b", "c"]
    assert out["bboxes"] == [(16.0, 5.0, 19.0, 9.0, "y"), (11.0, 1.0, 17.0, 8.0, "z")]
    assert out["kl"] == ["r", "q", "p"]
    assert out["keypoints"] == [(14.0, 2.0), (17.0, 6.0), (18.0, 8.0)]


class SliverAndOverhang(A.DualTransform):
    """Returns a zero-height box and one reaching past the frame (normalized rows)."""

    def apply_to_bboxes(self, bboxes, **params):
        out = bboxes.copy()
        out[0, 3] = out[0, 1]            # degenerate: zero height
        out[1, 2] = 1.5                  # past the right edge
        return out


def test_boxes_a_user_transform_returns_are_clipped_and_filtered_like_the_engines():
    # as after every built-in step (and in 2.0.8 after every transform): clipped to the
    # frame, degenerate ones dropped with their labels, min_visibility applied
    pipe = A.Compose([SliverAndOverhang(p=1.0)],
                     bbox_params=A.BboxParams(format="pascal_voc", label_fields=["labels"]))
    out = pipe(image=np.zeros((10, 20), np.uint8), bboxes=[(1, 1, 4, 5), (2, 2, 6, 8), (3, 1, 5, 9)],
               labels=["a", "b", "c"])
    assert out["labels"] == ["b", "c"]
    assert out["bboxes"] == [(2.0, 2.0, 20.0, 8.0), (3.0, 1.0, 5.0, 9.0)]
    strict = A.Compose([SliverAndOverhang(p=1.0)],
                       bbox_params=A.BboxParams(format="pascal_voc", label_fields=["labels"], min_visibility=0.7))
    out = strict(image=np.zeros((10, 20), np.uint8), bboxes=[(1, 1, 4, 5), (2, 2, 6, 8), (3, 1, 5, 9)],
                 labels=["a", "b", "c"])
    assert out["labels"] == ["c"]  # b reached x = 30: 18 of its 28 px wide are visible (0.64)


# ------------------------------------------------------------------------------------
# fusion never changes the result of exact (integer) steps
# ------------------------------------------------------------------------------------
EXACT_STEPS = [
    lambda: A.HorizontalFlip(p=0.5), lambda: A.VerticalFlip(p=0.5), lambda: A.Transpose(p=0.5),
    lambda: A.RandomRotate90(p=1.0), lambda: A.D4(p=1.0),
    lambda: A.RandomCrop(height=5, width=6, pad_if_needed=True),
    lambda: A.CenterCrop(height=7, width=5, pad_if_needed=True),
    lambda: A.Pad(padding=(1, 2, 3, 0)), lambda: A.PadIfNeeded(min_height=13, min_width=9),
    lambda: A.PadIfNeeded(min_height=12, min_width=12, border_mode=cv2.BORDER_REFLECT_101),
    lambda: A.Pad(padding=2, border_mode=cv2.BORDER_REPLICATE),
    lambda: A.CropAndPad(px=(-2, 2), keep_size=False),
    lambda: A.Crop(x_min=1, y_min=1, x_max=5, y_max=5, pad_if_needed=True),
    lambda: RandomOffset(p=1.0),
]


@pytest.mark.parametrize("seed", range(40))
def test_fused_equals_step_by_step_for_exact_steps(seed):
    rng = np.random.default_rng(seed)
    chain = [EXACT_STEPS[i]() for i in rng.integers(0, len(EXACT_STEPS), size=int(rng.integers(2, 6)))]
    h, w = int(rng.integers(6, 14)), int(rng.integers(6, 14))
    img = rng.integers(0, 200, (h, w, 3), dtype=np.uint8)
    mask = rng.integers(0, 5, (h, w), dtype=np.uint8)
    boxes = np.array([[1.0, 1.0, 4.0, 5.0], [0.5, 2.25, w - 1.0, h - 0.5], [2.0, 0.0, 3.0, 1.0]])
    kps = np.array([[0.0, 0.0], [w - 1.0, h - 1.0], [2.0, 3.0], [w / 2, h / 3]])
    outs = []
    for fuse in (True, False):
        pipe = A.Compose(chain, seed=seed, fuse=fuse,
                         bbox_params=A.BboxParams(format="pascal_voc", label_fields=["bl"]),
                         keypoint_params=A.KeypointParams(format="xy", label_fields=["kl"]))
        outs.append(pipe(image=img, mask=mask, bboxes=boxes, bl=[0, 1, 2], keypoints=kps, kl=[0, 1, 2, 3]))
    a, b = outs
    names = [type(t).__name__ for t in chain]
    for k in ("image", "mask"):
        np.testing.assert_array_equal(a[k], b[k], err_msg=f"{k} differs for {names}")
    assert a["bl"] == b["bl"] and a["kl"] == b["kl"], names
    np.testing.assert_allclose(a["bboxes"], b["bboxes"], atol=1e-9, err_msg=str(names))
    np.testing.assert_allclose(a["keypoints"], b["keypoints"], atol=1e-9, err_msg=str(names))


def test_strict_accepts_metadata_keys_that_transforms_read():
    """Compose(strict=True) rejects unknown keys but accepts declared metadata keys."""
    img = np.zeros((20, 30, 3), np.uint8)
    pipe = A.Compose([A.RandomCropNearBBox(max_part_shift=(0.0, 0.0))], strict=True, seed=0)
    out = pipe(image=img, cropping_bbox=[5, 4, 15, 12])
    assert out["image"].shape == (8, 10, 3)
    assert out["cropping_bbox"] == [5, 4, 15, 12]
    with pytest.raises(TargetError, match="unknown target 'cropping_boxx'"):
        pipe(image=img, cropping_boxx=[5, 4, 15, 12])


@pytest.mark.parametrize("shape", [(9, 7), (9, 7, 3), (9, 7, 5)])
def test_float_images_outside_unit_range_are_refused(shape):
    """float32 images must lie in [0, 1]: values above, below, NaN or infinite are refused
    with the target name and the range found; the edges themselves and views are fine."""
    rng = np.random.default_rng(0)
    ok = rng.random(shape, dtype=np.float32)
    ok.flat[0], ok.flat[-1] = 0.0, 1.0
    for pipe in (A.Compose([A.HorizontalFlip(p=1.0)]), A.InvertImg(p=1.0)):
        assert pipe(image=ok)["image"].dtype == np.float32
        assert pipe(image=ok[:, ::2])["image"].shape[1] == ok[:, ::2].shape[1]  # a strided view
        for bad, shown in ((1.5, r"\[0, 1\.5\]"), (-0.25, r"\[-0\.25, 1\]"), (np.nan, "nan"),
                           (np.inf, "inf")):
            img = ok.copy()
            img.flat[img.size // 2] = bad
            with pytest.raises(TargetError, match=rf"image: float32 images must lie in \[0, 1\].*{shown}"):
                pipe(image=img)
            with pytest.raises(TargetError, match="float32 images must lie in"):
                pipe(image=img[:, ::-1])  # not contiguous: the other way of finding the range
    mask_ok = A.Compose([A.HorizontalFlip(p=1.0)])(image=ok, mask=np.zeros(shape[:2], np.uint8))
    assert mask_ok["mask"].shape == shape[:2]
