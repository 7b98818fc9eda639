"""A transform called on its own on one image, ``t(image=img)``, takes a short path
(``Compose._call_lone`` and the ``State.*_step_alone`` lanes) that skips the hooks between a
pipeline and its step. It must draw the same numbers and give exactly what the engine's
general path gives: here every built-in transform with a lane is run both ways from the same
seed, over dtypes, channel counts and probabilities; and classes that change how a step runs
(``run``, ``should_apply``, ``apply_to_state``) must not get a lane.
"""

from __future__ import annotations

import numpy as np
import pytest

import augkit as A
from augkit.core.compose import _lone_lane
from augkit.core.state import State
from augkit.errors import UnsupportedInputError
from tests.test_harness import EXTRA, TRANSFORMS, build, has_p, make_image

LANED = [n for n in TRANSFORMS if _lone_lane(build(n)) is not None]


def _general(t, img, seed):
    """The same call through the engine's general path: a recorded call, which always runs
    the step through ``run`` / ``apply_to_state`` / ``outputs``."""
    return A.Compose([t], seed=seed, save_applied_params=True)(image=img)["image"]


def test_most_transforms_have_a_lane():
    # the short path must cover the catalogue, or it is not worth its code
    assert len(LANED) >= 100, (len(LANED), len(TRANSFORMS))
    for name in ("InvertImg", "RandomCrop", "HorizontalFlip", "GaussNoise", "Affine", "Pad"):
        assert name in LANED


@pytest.mark.parametrize("name", LANED)
def test_lane_equals_general_path(name):
    needs_metadata = any(k in EXTRA for k in getattr(build(name), "targets_as_params", []))
    if needs_metadata:  # calls with metadata never take the one-image path
        pytest.skip(f"{name} reads call metadata: t(image=img) alone is not a valid call")
    checked = 0
    for kind in ("rgb_u8", "gray_u8", "rgb_f32", "rgb_u16"):
        img = make_image(kind, seed=5)
        for p in (1.0, 0.5) if has_p(getattr(A, name)) else (None,):
            for seed in (0, 1, 2):
                kw = {} if p is None else {"p": p}
                t = build(name, **kw)
                t.set_random_seed(seed)
                try:
                    got = t(image=img)["image"]
                except UnsupportedInputError:
                    with pytest.raises(UnsupportedInputError):
                        _general(build(name, **kw), img, seed)
                    continue
                want = _general(build(name, **kw), img, seed)
                assert got.dtype == want.dtype and got.shape == want.shape, (name, kind, p, seed)
                np.testing.assert_array_equal(got, want, err_msg=f"{name} {kind} p={p} seed={seed}")
                checked += 1
    assert checked > 0


def test_lane_draws_the_probability_like_the_engine():
    # p=0.5 over many calls: the lane applies on the calls the general path applies on
    img = make_image("rgb_u8")
    lone = A.InvertImg(p=0.5)
    lone.set_random_seed(9)
    general = A.Compose([A.InvertImg(p=0.5)], seed=9, save_applied_params=True)
    pattern = []
    for _ in range(40):
        a = lone(image=img)["image"]
        b = general(image=img)["image"]
        np.testing.assert_array_equal(a, b)
        pattern.append(bool((a != img).any()))
    assert 5 < sum(pattern) < 35  # both outcomes occur


def test_force_apply_overrides_p_on_the_lane():
    img = make_image("rgb_u8")
    out = A.InvertImg(p=0.0)(image=img, force_apply=True)["image"]
    np.testing.assert_array_equal(out, 255 - img)
    np.testing.assert_array_equal(A.InvertImg(p=0.0)(image=img)["image"], img)


def test_lane_returns_a_new_array_and_keeps_the_input():
    img = make_image("rgb_u8")
    before = img.copy()
    for t in (A.InvertImg(p=1.0), A.RandomCrop(10, 12, p=1.0), A.HorizontalFlip(p=1.0),
              A.Affine(rotate=10, p=1.0)):
        out = t(image=img)["image"]
        assert not np.shares_memory(out, img), type(t).__name__
        np.testing.assert_array_equal(img, before)


def test_classes_changing_how_a_step_runs_get_no_lane():
    class Never(A.ImageOnlyTransform):
        def should_apply(self, rng):
            return False

        def apply(self, img, **params):  # pragma: no cover - must not run
            return img + 1

    class Logged(A.HorizontalFlip):
        calls = 0

        def apply_to_state(self, state, rng):
            Logged.calls += 1
            super().apply_to_state(state, rng)

    img = make_image("rgb_u8")
    assert _lone_lane(Never(p=1.0)) is None and _lone_lane(Logged(p=1.0)) is None
    assert _lone_lane(A.NoOp()) is State.no_step
    np.testing.assert_array_equal(Never(p=1.0)(image=img)["image"], img)
    np.testing.assert_array_equal(Logged(p=1.0)(image=img)["image"], img[:, ::-1])
    assert Logged.calls == 1
    assert _lone_lane(A.InvertImg()) is State.pixel_step_alone
    assert _lone_lane(A.Rotate()) is State.spatial_step_alone


def test_a_subclass_overriding_apply_still_gets_its_apply():
    class Plus(A.ImageOnlyTransform):
        def apply(self, img, **params):
            return img + 1

    img = np.zeros((3, 4), np.uint8)
    assert _lone_lane(Plus(p=1.0)) is State.pixel_step_alone
    np.testing.assert_array_equal(Plus(p=1.0)(image=img)["image"], img + 1)

    class Bad(A.ImageOnlyTransform):
        def apply(self, img, **params):
            return img.tolist()

    with pytest.raises(TypeError, match="Bad.apply returned list"):
        Bad(p=1.0)(image=img)


def test_albumentations_style_dual_transforms_take_their_lane():
    # a user's DualTransform (apply + its own draws) gives on the lane what the general
    # path gives, and its hooks for other targets are left to the general path
    class Shift(A.DualTransform):
        def sample(self, rng, state):
            return {"k": int(rng.integers(1, 50))}

        def apply(self, img, k=0, **params):
            return (img.astype(np.int32) + k).clip(0, 255).astype(np.uint8)

    assert _lone_lane(Shift(p=1.0)) is State.dual_step_alone
    assert _lone_lane(A.Morphological()) is State.dual_step_alone
    img = make_image("rgb_u8", seed=3)
    for seed in range(4):
        t = Shift(p=0.5)
        t.set_random_seed(seed)
        np.testing.assert_array_equal(t(image=img)["image"], _general(Shift(p=0.5), img, seed))
