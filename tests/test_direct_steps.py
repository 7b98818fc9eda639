"""A spatial step that is the only geometry of a call may skip the fusion engine
(``SpatialTransform.direct_image``): its result must be exactly the engine's.

Each transform implementing the shortcut is run both ways on the same drawn parameters,
over shapes, dtypes, channel counts, borders and fills; and end to end, a transform called
on its own must give what the same call gives when recorded (recording always goes
through the engine).
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

import augkit as A
from augkit.core.state import State
from augkit.core.transform import SpatialTransform

REFLECT = cv2.BORDER_REFLECT_101

# every transform with a direct path, with arguments that reach each branch of it
CASES = {
    "HorizontalFlip": [{}],
    "VerticalFlip": [{}],
    "Crop": [dict(x_min=1, y_min=2, x_max=9, y_max=7),
             dict(x_min=3, y_min=1, x_max=40, y_max=35, pad_if_needed=True, fill=(7, 8, 9)),
             dict(x_min=0, y_min=0, x_max=33, y_max=31, pad_if_needed=True, border_mode=REFLECT)],
    "RandomCrop": [dict(height=5, width=7), dict(height=30, width=26, pad_if_needed=True,
                                                   pad_position="random", fill=3)],
    "CenterCrop": [dict(height=4, width=9), dict(height=29, width=27, pad_if_needed=True,
                                                   border_mode=cv2.BORDER_REPLICATE)],
    "RandomResizedCrop": [dict(size=(11, 17)), dict(size=(5, 6), area_for_downscale="image"),
                          dict(size=(13, 9), interpolation=cv2.INTER_NEAREST),
                          dict(size=(40, 30), interpolation=cv2.INTER_CUBIC)],
    "RandomSizedCrop": [dict(min_max_height=(5, 9), size=(9, 13)),
                        dict(min_max_height=(6, 9), size=(6, 5), area_for_downscale="image")],
    "Resize": [dict(height=7, width=19), dict(height=9, width=4, interpolation=cv2.INTER_AREA),
               dict(height=31, width=29, interpolation=cv2.INTER_NEAREST),
               dict(height=6, width=5, area_for_downscale="image"), dict(height=12, width=14)],
    "LongestMaxSize": [dict(max_size=9), dict(max_size=40, interpolation=cv2.INTER_CUBIC)],
    "SmallestMaxSize": [dict(max_size=7), dict(max_size=25)],
    "RandomScale": [dict(scale_limit=(-0.5, 0.6), p=1.0)],
    "Pad": [dict(padding=3), dict(padding=(1, 2, 3, 4), fill=(5, 6, 7)),
            dict(padding=(2, 0, 1, 3), border_mode=REFLECT), dict(padding=0)],
    "PadIfNeeded": [dict(min_height=30, min_width=20, position="random", fill=9),
                    dict(min_height=8, min_width=8),
                    dict(min_height=None, min_width=None, pad_height_divisor=8, pad_width_divisor=16,
                         border_mode=cv2.BORDER_WRAP)],
    "CropAndPad": [dict(px=(-3, 5)), dict(px=(-2, 4), keep_size=False, border_mode=REFLECT),
                   dict(percent=(-0.2, 0.3), fill=(1, 2, 3)), dict(px=(0, 4), keep_size=True)],
    "RandomCropFromBorders": [dict(), dict(crop_left=0.4, crop_right=0.3, crop_top=0.0, crop_bottom=0.5)],
    "BBoxSafeRandomCrop": [dict(erosion_rate=0.3)],
    "RandomSizedBBoxSafeCrop": [dict(height=9, width=14), dict(height=30, width=24, erosion_rate=0.2)],
    "AtLeastOneBBoxRandomCrop": [dict(height=6, width=5)],
    "BBoxSubsetSafeRandomCrop": [dict()],
    "CropNonEmptyMaskIfExists": [dict(height=6, width=8)],
    "RandomCropNearBBox": [dict(max_part_shift=(0.1, 0.4))],
}
# call metadata some of them read
EXTRA = {"RandomCropNearBBox": {"cropping_bbox": [2, 1, 5, 4]}}


def _with_direct_path():
    names = []
    for name in A.__all__:
        cls = getattr(A, name)
        if isinstance(cls, type) and issubclass(cls, SpatialTransform) \
                and cls.direct_image is not SpatialTransform.direct_image:
            names.append(name)
    return sorted(names)


def test_every_direct_path_is_covered_here():
    assert sorted(CASES) == _with_direct_path()


def _images(rng):
    for dtype in (np.uint8, np.uint16, np.float32):
        for channels in (None, 1, 3, 4, 5):
            h, w = int(rng.integers(9, 24)), int(rng.integers(9, 24))
            shape = (h, w) if channels is None else (h, w, channels)
            if dtype == np.float32:
                img = rng.random(shape, dtype=np.float32)
            else:
                img = rng.integers(0, np.iinfo(dtype).max, size=shape, endpoint=True).astype(dtype)
            yield img


def _engine(t, img, params):
    state = State.of_image(img)
    state.plain = False
    state.push_warp(t.get_warp(params, state))
    return state.outputs()["image"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_direct_path_equals_engine(name):
    rng = np.random.default_rng(abs(hash(name)) % 2**32)
    for kwargs in CASES[name]:
        t = getattr(A, name)(**{"p": 1.0, **kwargs})
        for img in _images(rng):
            pristine = img.copy()
            for _ in range(3):
                state = State.of_image(img)
                state.extra = dict(EXTRA.get(name, {}))
                params = t.sample(rng, state)
                if params is None:
                    continue
                direct = t.direct_image(img, params)
                expected = _engine(t, img, params)
                if direct is None:  # this case goes through the engine: nothing to compare
                    continue
                assert direct.dtype == expected.dtype and direct.shape == expected.shape, (name, kwargs)
                np.testing.assert_array_equal(direct, expected, err_msg=f"{name}({kwargs}) {img.shape} {img.dtype}")
            np.testing.assert_array_equal(img, pristine)


@pytest.mark.parametrize("name", sorted(CASES))
def test_called_alone_equals_recorded_call(name):
    img = np.random.default_rng(5).integers(0, 256, (21, 18, 3), dtype=np.uint8)
    for kwargs in CASES[name]:
        t = getattr(A, name)(**{"p": 1.0, **kwargs})
        recorded = A.Compose([t], save_applied_params=True)
        extra = EXTRA.get(name, {})
        for seed in range(4):
            alone = t(image=img, seed=seed, **extra)["image"]
            via_engine = recorded(image=img, seed=seed, **extra)["image"]
            np.testing.assert_array_equal(alone, via_engine, err_msg=f"{name}({kwargs}) seed {seed}")


def test_direct_path_is_taken_only_for_the_last_spatial_step():
    """A flip followed by a rotation must stay fused (one resampling), and the result of a
    pipeline must not depend on whether its last step took the shortcut."""
    img = np.random.default_rng(1).integers(0, 256, (32, 40, 3), dtype=np.uint8)
    calls = []

    class Spy(A.HorizontalFlip):
        def direct_image(self, img, params):
            calls.append(1)
            return super().direct_image(img, params)

    pipe = A.Compose([Spy(p=1.0), A.Rotate(limit=(30, 30), p=1.0)])
    pipe(image=img)
    assert calls == []
    pipe = A.Compose([A.Rotate(limit=(30, 30), p=1.0), Spy(p=1.0), A.RandomGamma(p=1.0)], seed=3)
    out = pipe(image=img)["image"]
    assert calls == []  # the rotation is pending: the flip fuses with it
    pipe = A.Compose([A.RandomGamma(p=1.0), A.OneOf([Spy(p=1.0)], p=1.0), A.ToGray(p=1.0)], seed=3)
    out = pipe(image=img)["image"]
    assert calls == [1]  # only pixel steps after it: applied at once
    ref = A.Compose([A.RandomGamma(p=1.0), A.OneOf([A.HorizontalFlip(p=1.0)], p=1.0), A.ToGray(p=1.0)],
                    seed=3, save_applied_params=True)(image=img)["image"]
    np.testing.assert_array_equal(out, ref)
    calls.clear()
    A.Compose([A.Sequential([Spy(p=1.0), A.Rotate(limit=(10, 10), p=1.0)], p=1.0)])(image=img)
    assert calls == []  # another spatial step follows inside the block
    out = A.Compose([A.Sequential([Spy(p=1.0), A.VerticalFlip(p=1.0)], p=1.0)])(image=img)["image"]
    assert calls == [1]  # only a flip follows: applied at once, then the flip
    np.testing.assert_array_equal(out, img[::-1, ::-1])
    calls.clear()
    A.Compose([Spy(p=1.0)])(image=img, mask=img[..., 0])
    assert calls == []  # masks follow the engine


def test_identity_steps_return_the_input_untouched_both_ways():
    img = np.zeros((6, 7, 3), np.uint8)
    assert A.Pad(padding=0, p=1.0)(image=img)["image"] is img
    assert A.Resize(6, 7, p=1.0)(image=img)["image"] is img


def _counting_pushes(monkeypatch, pipeline, img):
    """``pipeline(image=img)``'s image and how many warps the call pushed to the engine."""
    pushed = []
    original = State.push_warp

    def push(self, warp):
        pushed.append(warp)
        return original(self, warp)

    with monkeypatch.context() as m:
        m.setattr(State, "push_warp", push)
        out = pipeline(image=img)["image"]
    return out, len(pushed)


FLIP_TAILS = [
    [A.RandomResizedCrop(size=(17, 13), p=1.0), A.HorizontalFlip(p=1.0)],
    [A.Resize(20, 30, p=1.0), A.HorizontalFlip(p=0.5), A.VerticalFlip(p=0.5)],
    [A.RandomCrop(20, 24, p=1.0), A.RandomGamma(p=1.0), A.HorizontalFlip(p=1.0), A.Normalize()],
    [A.Pad(padding=(3, 1, 2, 5), fill=(9, 8, 7), p=1.0), A.VerticalFlip(p=1.0)],
    [A.SmallestMaxSize(max_size=19, p=1.0), A.OneOf([A.HorizontalFlip(), A.VerticalFlip()], p=1.0)],
    [A.CropAndPad(px=(-3, 4), p=1.0), A.Sequential([A.HorizontalFlip(p=1.0)], p=1.0)],
    [A.LongestMaxSize(max_size=50, interpolation=cv2.INTER_CUBIC, p=1.0), A.HorizontalFlip(p=1.0)],
]


@pytest.mark.parametrize("steps", FLIP_TAILS, ids=lambda s: "-".join(type(t).__name__ for t in s))
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32])
def test_a_step_followed_only_by_flips_is_applied_at_once_and_equals_the_engine(steps, dtype, monkeypatch):
    """A flip, crop, pad or resize followed only by whole-frame flips (and pixel steps) is
    applied at once (the engine would resample the same window and flip the result): the
    same pixels as a recorded call, which always goes through the engine; nothing pushed."""
    rng = np.random.default_rng(4)
    img = rng.integers(0, 256, (32, 40, 3)).astype(np.uint8)
    img = img if dtype == np.uint8 else (img.astype(np.float32) / 255 if dtype == np.float32
                                         else img.astype(np.uint16) * 257)
    for seed in range(4):
        ref = A.Compose(steps, seed=seed, save_applied_params=True)(image=img)["image"]
        got, pushed = _counting_pushes(monkeypatch, A.Compose(steps, seed=seed), img)
        assert pushed == 0
        assert got.dtype == ref.dtype
        np.testing.assert_array_equal(got, ref)


def test_a_flip_does_not_let_a_step_skip_the_engine_when_more_geometry_follows(monkeypatch):
    img = np.random.default_rng(5).integers(0, 256, (32, 40, 3), dtype=np.uint8)
    for steps in ([A.RandomCrop(20, 24, p=1.0), A.HorizontalFlip(p=1.0), A.Rotate(limit=(9, 9), p=1.0)],
                  [A.SomeOf([A.Resize(20, 30, p=1.0), A.Rotate(limit=(9, 9), p=1.0)], n=2),
                   A.HorizontalFlip(p=1.0)],
                  [A.Resize(20, 30, p=1.0), A.Transpose(p=1.0)]):
        got, pushed = _counting_pushes(monkeypatch, A.Compose(steps, seed=2), img)
        assert pushed >= 2  # fused, as before
        ref = A.Compose(steps, seed=2, save_applied_params=True)(image=img)["image"]
        np.testing.assert_array_equal(got, ref)
