"""Blur and filter transforms (augkit.transforms.blur, augkit.transforms.filters).

Transforms are driven directly (``sample`` with a stand-in state, then ``apply``); the last
section compares with Albumentations 2.0.8 when it is installed.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from augkit.errors import InvalidParameterError
from augkit.functional import blur as FB
from augkit.functional import filters as FF
from augkit.transforms.blur import (
    AdvancedBlur,
    Blur,
    Defocus,
    GlassBlur,
    MedianBlur,
    MotionBlur,
    ZoomBlur,
)
from augkit.transforms.filters import (
    Emboss,
    ModeFilter,
    RingingOvershoot,
    Sharpen,
    Superpixels,
    UnsharpMask,
)
from tests.pixel_helpers import gradient_rgb, run, state_for  # noqa: F401

ALL = [Blur, MedianBlur, MotionBlur, Defocus, ZoomBlur, GlassBlur, AdvancedBlur,
       Sharpen, Emboss, UnsharpMask, RingingOvershoot, ModeFilter, Superpixels]


def make_rgb(h=40, w=48, seed=0):
    return gradient_rgb(h, w, seed, noise=15)


RGB = make_rgb()


def impulse(n=15):
    img = np.zeros((n, n), np.float32)
    img[n // 2, n // 2] = 1
    return img


# -- behaviour ------------------------------------------------------------------------
def test_blur_is_box_mean():
    out = run(Blur(blur_limit=(5, 5), p=1), RGB)
    ref = cv2.blur(RGB, (5, 5), borderType=cv2.BORDER_REFLECT_101)
    assert np.array_equal(out, ref)


def test_median_removes_salt_and_float_large_kernel_exact():
    img = np.full((20, 20), 0.3, np.float32)
    img[5, 5] = img[10, 12] = 1.0
    assert np.allclose(run(MedianBlur(blur_limit=(7, 7), p=1), img), 0.3)
    rng = np.random.default_rng(1)
    f = rng.random((12, 13, 2)).astype(np.float32)
    out = FB.median_blur(f, 7)
    pad = np.pad(f, ((3, 3), (3, 3), (0, 0)), mode="edge")
    assert out[4, 5, 1] == np.median(pad[4:11, 5:12, 1])
    u8 = (f * 255).astype(np.uint8)
    assert np.array_equal(run(MedianBlur(blur_limit=(5, 5), p=1), u8), cv2.medianBlur(u8, 5))


@pytest.mark.parametrize("angle,direction,cols", [(0, 0, [5, 6, 7, 8, 9]), (0, 1, [5, 6, 7]),
                                                  (0, -1, [7, 8, 9])])
def test_motion_kernel_direction(angle, direction, cols):
    t = MotionBlur(blur_limit=(5, 5), angle_range=(angle, angle),
                   direction_range=(direction, direction), allow_shifted=False, p=1)
    out = run(t, impulse())
    assert sorted(np.nonzero(out[7])[0].tolist()) == cols
    assert math.isclose(float(out.sum()), 1.0, rel_tol=1e-5)
    # vertical: the response stays in the centre column
    tv = MotionBlur(blur_limit=(5, 5), angle_range=(90, 90), direction_range=(0, 0),
                    allow_shifted=False, p=1)
    assert np.nonzero(run(tv, impulse()))[1].tolist() == [7] * 5


def test_motion_shift_keeps_line_inside():
    t = MotionBlur(blur_limit=(7, 7), p=1)
    for s in range(20):
        k = t.sample(np.random.default_rng(s), state_for(RGB))["kernel"]
        assert k.shape == (7, 7) and math.isclose(float(k.sum()), 1.0, rel_tol=1e-5)


def test_defocus_disc_support():
    out = run(Defocus(radius=(3, 3), alias_blur=(0, 0), p=1), impulse())
    ys, xs = np.nonzero(out > 1e-6)
    assert ((ys - 7) ** 2 + (xs - 7) ** 2 <= 9).all() and len(ys) == 29
    big = run(Defocus(radius=(6, 6), alias_blur=(0.3, 0.3), p=1), impulse(31))
    assert math.isclose(float(big.sum()), 1.0, rel_tol=1e-4) and big[15, 15] < 1 / 100


def test_zoom_blur_keeps_centre_and_blurs_radially():
    img = np.zeros((41, 41), np.float32)
    img[20, :] = 1  # horizontal line through the centre: zooming keeps it
    out = run(ZoomBlur(max_factor=(1.3, 1.3), step_factor=(0.05, 0.05), p=1), img)
    assert out[18:23, 20].sum() > 0.95 and out[20, 0] > 0.2 and out[5, 20] == 0
    rng = np.random.default_rng(0)
    noise = rng.random((40, 40)).astype(np.float32)
    z = run(ZoomBlur(max_factor=(1.3, 1.3), step_factor=(0.02, 0.02), p=1), noise)
    assert z[2:8].std() < noise[2:8].std() * 0.8  # far from the centre: blurred


def test_glass_blur_modes_shuffle_locally():
    for mode in ("fast", "exact"):
        out = run(GlassBlur(sigma=0, max_delta=2, iterations=1, mode=mode, p=1), RGB[:16, :16])
        # a permutation of local values: the histogram per channel is unchanged in exact mode
        if mode == "exact":
            assert np.array_equal(np.sort(out.reshape(-1, 3), 0), np.sort(RGB[:16, :16].reshape(-1, 3), 0))
        assert not np.array_equal(out, RGB[:16, :16])
        if mode == "fast":
            assert np.array_equal(out[:2], RGB[:2, :16])  # border rows only read


def test_advanced_blur_kernel():
    k = FB.generalized_gaussian_kernel(7, 1.0, 1.0, 0.0, 1.0)
    ref = cv2.getGaussianKernel(7, 1.0)
    assert np.allclose(k, ref @ ref.T, atol=1e-6)
    k2 = FB.generalized_gaussian_kernel(7, 2.0, 0.5, 0.0, 1.0)
    assert k2[3].sum() > k2[:, 3].sum()  # wider along x
    t = AdvancedBlur(p=1)
    ks = t.sample(np.random.default_rng(3), state_for(RGB))["kernel"]
    assert math.isclose(float(ks.sum()), 1.0, rel_tol=1e-5)


def test_sharpen_and_emboss_kernels():
    img = np.full((7, 7), 0.5, np.float32)
    img[3, 3] = 0.6
    out = run(Sharpen(alpha=(1, 1), lightness=(1, 1), p=1), img)
    assert np.isclose(out[3, 3], 1.0) and np.isclose(out[3, 2], 0.4)
    g = run(Sharpen(alpha=(0.5, 0.5), method="gaussian", p=1), img)
    blur = cv2.GaussianBlur(img, (5, 5), 1.0)
    assert np.allclose(g, np.clip(img + 0.5 * (img - blur), 0, 1), atol=1e-5)
    e = run(Emboss(alpha=(1, 1), strength=(1, 1), p=1), img)
    assert np.isclose(e[2, 2], 0.7) and np.isclose(e[4, 4], 0.3) and np.isclose(e[0, 0], 0.5)


def test_unsharp_mask_threshold():
    img = np.full((9, 9), 0.5, np.float32)
    img[4, 4] = 0.6
    t0 = run(UnsharpMask(blur_limit=(5, 5), sigma_limit=(1, 1), alpha=(1, 1), threshold=0, p=1), img)
    assert np.isclose(t0[4, 4], 0.6838, atol=2e-4)
    t10 = run(UnsharpMask(blur_limit=(5, 5), sigma_limit=(1, 1), alpha=(1, 1), threshold=10, p=1), img)
    assert np.isclose(t10[4, 4], 0.6136, atol=2e-4)
    flat = np.full((9, 9), 100, np.uint8)
    assert np.array_equal(run(UnsharpMask(p=1), flat), flat)


def test_ringing_sinc_kernel():
    x = np.array([0.5, 1.0, 2.0, 5.0, 10.0, 30.0])
    # reference values of J1
    ref = [0.2422684577, 0.4400505857, 0.5767248078, -0.3275791376, 0.0434727462, -0.1187510626]
    assert np.allclose(FF.bessel_j1(x), ref, atol=1e-9)
    k = FF.sinc_kernel(9, math.pi / 4)
    assert math.isclose(float(k.sum()), 1.0, rel_tol=1e-5) and k.min() < 0  # rings
    out = run(RingingOvershoot(p=1), np.tile(np.r_[np.zeros(20), np.ones(20)].astype(np.float32) * 0.8 + 0.1, (8, 1)))
    assert out.max() > 0.9 + 1e-3 or out.min() < 0.1 - 1e-3  # overshoot near the edge


def test_mode_filter():
    img = np.zeros((6, 6, 2), np.uint8)
    img[2, 2, 0] = 9
    img[:, 3:, 1] = 5
    out = run(ModeFilter(p=1), img)
    assert out[2, 2, 0] == 0  # speckle removed
    assert np.array_equal(out[..., 1], img[..., 1])  # a straight edge survives
    f = img.astype(np.float32) / 255
    assert np.allclose(run(ModeFilter(p=1), f) * 255, out)


def test_superpixels():
    img = np.zeros((64, 64, 3), np.uint8)
    img[:, 32:] = 200
    img = (img + np.random.default_rng(0).integers(0, 20, img.shape)).astype(np.uint8)
    out = run(Superpixels(p_replace=(1, 1), n_segments=(16, 16), p=1), img)
    # every segment is one flat colour and respects the strong edge
    assert len(np.unique(out.reshape(-1, 3), axis=0)) <= 16
    assert out[:, :30].max() < 40 and out[:, 34:].min() > 190
    same = run(Superpixels(p_replace=(0, 0), p=1), img)
    assert np.array_equal(same, img)
    half = run(Superpixels(p_replace=(0.5, 0.5), n_segments=(16, 16), max_size=32, p=1), img)
    kept = np.all(half == img, axis=2)
    assert 0.1 < kept.mean() < 0.9  # untouched segments keep their exact pixels


# -- dtypes ---------------------------------------------------------------------------------
@pytest.mark.parametrize("cls", ALL)
def test_uint8_float32_agree_and_uint16_works(cls):
    kw = {"Superpixels": {"p_replace": (0.5, 0.5)}, "GlassBlur": {"mode": "fast"}}.get(cls.__name__, {})
    t = cls(p=1, **kw)
    u8 = run(t, RGB, seed=4)
    f32 = run(t, RGB.astype(np.float32) / 255, seed=4)
    assert u8.dtype == np.uint8 and f32.dtype == np.float32 and f32.shape == RGB.shape
    assert 0 <= f32.min() and f32.max() <= 1
    tol = 2 if cls is not ModeFilter else 1e-3
    assert np.abs(f32 * 255 - u8.astype(np.float32)).mean() < tol
    u16 = run(t, RGB.astype(np.uint16) * 257, seed=4)
    assert u16.dtype == np.uint16 and u16.shape == RGB.shape
    assert np.abs(u16 / 257.0 - u8).mean() < 2
    gray = run(t, RGB[..., 0], seed=4)
    assert gray.shape == RGB.shape[:2]
    five = run(t, np.dstack([RGB, RGB[..., :2]]), seed=4)
    assert five.shape == RGB.shape[:2] + (5,)


# -- validation --------------------------------------------------------------------------------
@pytest.mark.parametrize("make", [
    lambda: Defocus(radius=0), lambda: Defocus(alias_blur=-1), lambda: ZoomBlur(max_factor=0.9),
    lambda: ZoomBlur(step_factor=0), lambda: GlassBlur(max_delta=0), lambda: GlassBlur(iterations=0),
    lambda: GlassBlur(sigma=-1), lambda: GlassBlur(mode="slow"), lambda: Sharpen(alpha=(0, 2)),
    lambda: Sharpen(sigma=0), lambda: Sharpen(kernel_size=4), lambda: Sharpen(method="x"),
    lambda: Emboss(strength=(-1, 1)), lambda: Emboss(alpha=0.3), lambda: UnsharpMask(threshold=300),
    lambda: RingingOvershoot(cutoff=(0, 4)), lambda: Superpixels(p_replace=(0.5, 2)),
    lambda: Superpixels(max_size=0), lambda: Superpixels(interpolation=99),
    lambda: ModeFilter(kernel_size=4), lambda: ModeFilter(kernel_size=1),
    lambda: MotionBlur(direction_range=(-2, 0)), lambda: MotionBlur(allow_shifted="yes"),
    lambda: Blur(blur_limit=(7, 3)), lambda: Blur(blur_limit="3"),
])
def test_invalid_arguments(make):
    with pytest.raises(InvalidParameterError, match=r"^\w+\(\w+="):
        make()


def test_kernel_limits_adjusted_like_2_0_8():
    with pytest.warns(UserWarning):
        assert Blur(blur_limit=(4, 6)).blur_limit == (5, 7)
    assert Blur(blur_limit=9).blur_limit == (3, 9)
    assert Defocus(radius=5).radius == (1, 5)
    assert UnsharpMask(alpha=0.3).alpha == (0.0, 0.3)
    assert Superpixels(n_segments=50).n_segments == (1, 50)


# -- against Albumentations 2.0.8 --------------------------------------------------------------------
def _alb(t, img):
    A = pytest.importorskip("albumentations")
    return A.Compose([t], seed=0)(image=img)["image"]


def test_matches_albumentations_deterministic_settings():
    A = pytest.importorskip("albumentations")
    f = RGB.astype(np.float32) / 255
    cases = [
        (Blur(blur_limit=(5, 5), p=1), A.Blur(blur_limit=(5, 5), p=1), RGB, 0),
        (MedianBlur(blur_limit=(5, 5), p=1), A.MedianBlur(blur_limit=(5, 5), p=1), RGB, 0),
        (Sharpen(alpha=(0.4, 0.4), lightness=(0.8, 0.8), p=1),
         A.Sharpen(alpha=(0.4, 0.4), lightness=(0.8, 0.8), p=1), f, 1e-5),
        (Sharpen(alpha=(0.4, 0.4), method="gaussian", p=1),
         A.Sharpen(alpha=(0.4, 0.4), method="gaussian", p=1), f, 1e-5),
        (Emboss(alpha=(0.4, 0.4), strength=(0.5, 0.5), p=1),
         A.Emboss(alpha=(0.4, 0.4), strength=(0.5, 0.5), p=1), f, 1e-5),
        (UnsharpMask(blur_limit=(5, 5), sigma_limit=(1, 1), alpha=(0.5, 0.5), p=1),
         A.UnsharpMask(blur_limit=(5, 5), sigma_limit=(1, 1), alpha=(0.5, 0.5), p=1), f, 1e-4),
        (RingingOvershoot(blur_limit=(7, 7), cutoff=(1.0, 1.0), p=1),
         A.RingingOvershoot(blur_limit=(7, 7), cutoff=(1.0, 1.0), p=1), f, 1e-4),
        (MotionBlur(blur_limit=(7, 7), angle_range=(0, 0), direction_range=(0.5, 0.5),
                    allow_shifted=False, p=1),
         A.MotionBlur(blur_limit=(7, 7), angle_range=(0, 0), direction_range=(0.5, 0.5),
                      allow_shifted=False, p=1), f, 1e-5),
    ]
    for ours, theirs, img, tol in cases:
        a, b = run(ours, img), _alb(theirs, img)
        assert np.abs(a.astype(np.float64) - b).max() <= tol, type(ours).__name__
    d = run(Defocus(radius=(4, 4), alias_blur=(0.3, 0.3), p=1), f)
    d_ref = _alb(A.Defocus(radius=(4, 4), alias_blur=(0.3, 0.3), p=1), f)
    assert np.abs(d - d_ref).mean() < 0.01


def test_zoom_blur_zooms_about_the_exact_centre_and_both_kernels_agree(monkeypatch):
    """Each zoom is about the frame's centre: a pattern symmetric about the centre stays
    symmetric. The warp kernel (OpenCV >= 5.1) and the resize-and-crop kernel (earlier
    OpenCV, ImageNet-C's construction with a rounded size) give nearly the same picture."""
    import augkit.functional.blur as FB
    yy, xx = np.mgrid[0:64, 0:64].astype(np.float32) - 31.5
    r = np.hypot(xx, yy)
    img = np.clip(128 + 100 * np.cos(r / 8.0), 0, 255).astype(np.uint8)[..., None].repeat(3, axis=2)
    factors = [1.05, 1.1, 1.15, 1.2]
    outs = {}
    for version in ((5, 1), (5, 0)):
        monkeypatch.setattr(FB, "OPENCV_VERSION", version)
        outs[version] = FB.zoom_blur(img, factors)
        assert outs[version].dtype == np.uint8 and outs[version].shape == img.shape
    warp = outs[(5, 1)].astype(int)
    assert np.abs(warp - warp[::-1, ::-1]).max() <= 1  # exact centre: symmetric
    assert np.abs(warp - warp.transpose(1, 0, 2)).max() <= 1
    diff = np.abs(warp - outs[(5, 0)].astype(int))
    assert diff.mean() < 2.0
    # the blur is real: far from the centre the rings are smeared
    assert warp[:6].std() < img[:6].std() * 0.9


@pytest.mark.parametrize("radius", [(3, 5), (12, 20)])  # small discs filter directly, large ones fold the Gaussian in
def test_defocus_and_gaussian_blur_keep_float_images_in_the_unit_range(radius):
    # weights that sum to 1 round to 1 + ulp in float32, and a kernel folded through a
    # DFT-backed filter2D holds -1e-17 weights: white areas must stay 1, black ones 0
    import augkit
    rng = np.random.default_rng(5)
    img = rng.random((90, 65, 3), dtype=np.float32)
    img[:40] = 1.0
    img[-15:] = 0.0
    for t in (augkit.Defocus(radius=radius, p=1.0), augkit.GaussianBlur(blur_limit=(3, 15), p=1.0)):
        for seed in range(12):
            out = augkit.Compose([t], seed=seed)(image=img)["image"]
            assert out.min() >= 0.0 and out.max() <= 1.0, (type(t).__name__, seed, out.min(), out.max())
            assert out[:5].min() > 0.99  # deep in the white band: still white (not clipped away)


def test_box_blur_keeps_float_images_in_the_unit_range():
    # OpenCV's float box filter keeps running sums down the columns: below bright rows,
    # where values fall to ~1e-20 (a lens flare's tails), the sum ended below 0, which the
    # next call's [0, 1] input check rejected
    import augkit
    rng = np.random.default_rng(2)
    col = rng.random(200).astype(np.float32)
    col[60:] = (np.exp(-np.arange(140) * 0.3) * 1e-20).astype(np.float32)
    img = np.repeat(np.repeat(col[:, None, None], 50, 1), 3, 2)
    for seed in range(6):
        for t in (augkit.Blur(blur_limit=(3, 9), p=1.0),
                  augkit.RandomRain(blur_value=5, brightness_coefficient=1.0, p=1.0)):
            out = augkit.Compose([t], seed=seed)(image=img)["image"]
            assert out.min() >= 0.0 and out.max() <= 1.0, (type(t).__name__, seed, out.min(), out.max())
