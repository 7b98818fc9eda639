"""Tone and channel transforms (augkit.transforms.tone, augkit.transforms.channels).

Transforms are driven directly (``sample`` with a stand-in state, then ``apply``). The
last section compares with Albumentations 2.0.8 when it is installed.
"""

from __future__ import annotations

import types

import cv2
import numpy as np
import pytest

from augkit.errors import InvalidParameterError, UnsupportedInputError
from augkit.functional import lut as FL
from augkit.functional import tone as FT
from augkit.transforms.channels import ChannelDropout, ChannelShuffle, ChannelSwap, RGBShift
from augkit.transforms.tone import (
    CLAHE,
    AutoContrast,
    Colorize,
    Enhance,
    Equalize,
    FancyPCA,
    PhotoMetricDistort,
    PlanckianJitter,
    RandomToneCurve,
    ToRGB,
    ToSepia,
)
from tests.pixel_helpers import run, sample, state_for  # noqa: F401


def make_rgb(h=40, w=56, seed=0):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    img = np.stack([60 + 120 * x / (w - 1), 40 + 100 * y / (h - 1), 90 + 60 * (x + y) / (h + w - 2)], -1)
    img += rng.normal(0, 10, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


RGB = make_rgb()


def as_float(img):
    return img.astype(np.float32) / 255


def as_u16(img):
    return img.astype(np.uint16) * 257


ALL = {
    "AutoContrast": lambda: AutoContrast(p=1.0),
    "AutoContrast-pil": lambda: AutoContrast(cutoff=5, method="pil", p=1.0),
    "CLAHE": lambda: CLAHE(p=1.0),
    "Equalize": lambda: Equalize(p=1.0),
    "Equalize-y": lambda: Equalize(mode="pil", by_channels=False, p=1.0),
    "RandomToneCurve": lambda: RandomToneCurve(0.2, per_channel=True, p=1.0),
    "PlanckianJitter": lambda: PlanckianJitter(p=1.0),
    "FancyPCA": lambda: FancyPCA(alpha=1.0, p=1.0),
    "ToSepia": lambda: ToSepia(p=1.0),
    "Colorize": lambda: Colorize(p=1.0),
    "Enhance": lambda: Enhance(0.5, 0.5, 0.5, 0.5, p=1.0),
    "PhotoMetricDistort": lambda: PhotoMetricDistort(distort_p=1.0, p=1.0),
    "ChannelDropout": lambda: ChannelDropout(p=1.0),
    "ChannelShuffle": lambda: ChannelShuffle(p=1.0),
    "ChannelSwap": lambda: ChannelSwap(p=1.0),
    "RGBShift": lambda: RGBShift(p=1.0),
}


# -- generic ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(ALL))
@pytest.mark.parametrize("dtype", ["uint8", "uint16", "float32"])
def test_dtype_shape_input_untouched(name, dtype):
    img = {"uint8": RGB, "uint16": as_u16(RGB), "float32": as_float(RGB)}[dtype]
    before = img.copy()
    t = ALL[name]()
    t.check_image(img)
    out = run(t, img)
    np.testing.assert_array_equal(img, before)
    assert out.dtype == img.dtype and out.shape == img.shape
    assert not np.array_equal(out, img), f"{name} did nothing"
    if dtype == "float32":
        assert out.min() >= 0 and out.max() <= 1


@pytest.mark.parametrize("name", [n for n in ALL if n not in ("Enhance", "PhotoMetricDistort", "FancyPCA")])
def test_uint8_and_float_agree(name):
    t = ALL[name]()
    params = sample(t, RGB, 3)
    u8 = t.apply(RGB, **params).astype(np.float32) / 255
    f = t.apply(as_float(RGB), **params)
    u16 = t.apply(as_u16(RGB), **params).astype(np.float32) / 65535
    assert np.abs(u8 - f).mean() < 1.5 / 255, name
    assert np.abs(u16 - f).mean() < 1.5 / 255, name


@pytest.mark.parametrize("name", ["RandomToneCurve", "PlanckianJitter", "RGBShift"])
def test_lut_equals_apply(name):
    t = ALL[name]()
    for seed in range(5):
        params = sample(t, RGB, seed)
        lut = t.get_lut(params, 3)
        if lut is None:  # RGBShift exposes its per-channel table only through the kernel
            lut = FT.channel_shift_lut(params["noise_map"])
        np.testing.assert_array_equal(FL.apply_lut(RGB, lut), t.apply(RGB, **params))


# -- properties --------------------------------------------------------------------------------
def test_autocontrast_stretches_to_full_range():
    img = (RGB // 3 + 50).astype(np.uint8)
    for method in ("cdf", "pil"):
        out = AutoContrast(method=method).apply(img)
        for c in range(3):
            assert out[..., c].min() == 0 and out[..., c].max() == 255
        # monotone per channel
        order = np.argsort(img[..., 0].ravel(), kind="stable")
        assert np.all(np.diff(out[..., 0].ravel()[order].astype(int)) >= 0)
    flat = np.full((4, 4), 77, np.uint8)
    assert AutoContrast().apply(flat).tolist() == flat.tolist()
    ign = AutoContrast(ignore=80, method="pil").apply(np.array([[10, 80, 20]], np.uint8))
    assert ign.tolist() == [[0, 80, 255]]


@pytest.mark.parametrize("method", ["cdf", "pil"])
def test_autocontrast_cutoff_counts_as_percent_of_the_pixels(method):
    # 29 % of 100 pixels is exactly 29 of them: the low edge passes the first 29 values
    # (the cut computed as total * (29 / 100) is 28.999999999999996 and moved both edges)
    img = np.array([10] * 29 + [100] * 42 + [200] * 29, np.uint8).reshape(10, 10)
    assert np.unique(FT.autocontrast(img, 29, None, method)).tolist() == [10, 100, 200]


@pytest.mark.parametrize("method", ["cdf", "pil"])
@pytest.mark.parametrize("cutoff, ignore", [(0, None), (0, 17), (2.5, None), (10, 255)])
def test_autocontrast_channels_are_independent(method, cutoff, ignore):
    # the tables of all channels are computed at once: each must equal its channel's own
    # table, whatever the other channels hold (one flat, one narrow, one wide, one empty)
    rng = np.random.default_rng(11)
    planes = [np.full((9, 13), 17, np.uint8), rng.integers(100, 120, (9, 13)).astype(np.uint8),
              rng.integers(0, 256, (9, 13)).astype(np.uint8),
              np.where(rng.random((9, 13)) < 0.3, 200, 17).astype(np.uint8)]
    img = np.stack(planes, axis=-1)
    out = FT.autocontrast(img, cutoff, ignore, method)
    for c, plane in enumerate(planes):
        np.testing.assert_array_equal(out[..., c], FT.autocontrast(plane, cutoff, ignore, method))
    table = FT.autocontrast_tables(np.stack([np.bincount(p.ravel(), minlength=256) for p in planes]),
                                   cutoff, ignore, method)
    assert table.shape == (4, 256)
    np.testing.assert_array_equal(table[0], np.arange(256))  # a flat channel: the identity


def test_equalize_cv_matches_opencv_and_mask():
    g = RGB[..., 0]
    np.testing.assert_array_equal(Equalize().apply(g), cv2.equalizeHist(g))
    out = Equalize().apply(RGB)
    for c in range(3):
        np.testing.assert_array_equal(out[..., c], cv2.equalizeHist(np.ascontiguousarray(RGB[..., c])))
    mask = np.zeros(g.shape, np.uint8)
    mask[:, :20] = 1
    hist = cv2.calcHist([g], [0], mask, [256], [0, 256]).ravel()
    lut = FT.equalize_table(hist)
    t = Equalize(mask=mask)
    np.testing.assert_array_equal(t.apply(g, **sample(t, g)), lut[g])
    t = Equalize(mask=lambda image, mask: mask, mask_params=["mask"])
    st = types.SimpleNamespace(shape=g.shape, legacy_data=lambda: {"image": g, "mask": mask})
    np.testing.assert_array_equal(t.apply(g, **t.sample(np.random.default_rng(0), st)), lut[g])


def test_equalize_table_is_bit_exact_with_opencv():
    # the table serves masked histograms; unmasked calls go to cv2.equalizeHist itself,
    # so hold the table to it on varied histograms (flat, two levels, sparse, dense)
    rng = np.random.default_rng(4)
    images = [np.full((9, 7), 200, np.uint8), np.array([[3, 250]] * 5, np.uint8),
              rng.integers(0, 256, (31, 17), dtype=np.uint8),
              np.clip(rng.normal(90, 8, (40, 40)), 0, 255).astype(np.uint8),
              (rng.integers(0, 4, (20, 30)) * 60).astype(np.uint8)]
    for g in images:
        hist = cv2.calcHist([g], [0], None, [256], [0, 256]).ravel()
        np.testing.assert_array_equal(FT.equalize_table(hist)[g], cv2.equalizeHist(g))


def test_clahe_raises_local_contrast():
    img = np.tile(np.arange(100, 132, dtype=np.uint8), (64, 2))
    out = run(CLAHE(clip_limit=(4, 4)), img)
    assert out.std() > img.std() * 1.3
    rgb = run(CLAHE(clip_limit=(4, 4)), np.repeat(img[..., None], 3, 2))
    assert rgb.std() > img.std() * 1.2


def test_tone_curve_is_bezier_and_per_channel():
    ramp = np.arange(256, dtype=np.uint8).reshape(16, 16)
    out = RandomToneCurve().apply(ramp, low_y=1 / 3, high_y=2 / 3)  # straight control polygon
    np.testing.assert_array_equal(out, ramp)
    t = RandomToneCurve(0.3, per_channel=True)
    params = sample(t, RGB)
    assert params["low_y"].shape == (3,)
    out = t.apply(np.repeat(ramp[..., None], 3, 2), **params)
    assert not np.array_equal(out[..., 0], out[..., 1])


def test_planckian_warm_and_cool():
    grey = np.full((2, 2, 3), 0.5, np.float32)
    warm = PlanckianJitter().apply(grey, temperature=3000)[0, 0]
    cool = PlanckianJitter().apply(grey, temperature=12000)[0, 0]
    assert warm[0] > warm[1] > warm[2] and cool[0] < cool[1] < cool[2]
    t = PlanckianJitter(temperature_limit=(5000, 6000), sampling_method="gaussian")
    temps = [sample(t, RGB, s)["temperature"] for s in range(50)]
    assert 5000 <= min(temps) and max(temps) <= 6000


def test_fancy_pca_shift_along_principal_axis():
    rng = np.random.default_rng(0)
    base = rng.normal(0.5, 0.15, (64, 64, 1))
    img = np.clip(np.concatenate([base, base, 0.5 + 0 * base], 2), 0, 1).astype(np.float32)
    out = FancyPCA(alpha=0.1).apply(img, alpha_vector=np.array([1.0, 0, 0], np.float32))
    d = (out - img).reshape(-1, 3)
    d = d[(img.reshape(-1, 3) > 0.05).all(1) & (img.reshape(-1, 3) < 0.95).all(1)]
    np.testing.assert_allclose(d, d[:1].repeat(len(d), 0), atol=1e-6)  # a constant shift
    assert abs(d[0, 0] - d[0, 1]) < 1e-4 and abs(d[0, 2]) < 1e-4  # along (1, 1, 0)
    var = np.clip(base, 0, 1).var()
    assert abs(abs(d[0, 0]) - np.sqrt(2) * var) < 0.1 * var  # lambda = 2 var, p = (1, 1, 0) / sqrt 2


def test_sepia_torgb_colorize():
    out = ToSepia().apply(np.array([[[255, 0, 0]]], np.uint8))
    assert out.tolist() == [[[100, 89, 69]]]
    assert ToRGB().apply(RGB[..., 0]).shape == RGB.shape
    assert ToRGB(num_output_channels=4).apply(RGB[..., :1]).shape == (*RGB.shape[:2], 4)
    c = Colorize(black=(0, 0, 0), white=(200, 100, 0), mid=(20, 200, 20))
    out = c.apply(np.array([[[0, 0, 0], [255, 255, 255], [128, 128, 128]]], np.uint8),
                  black=c.black, white=c.white, mid=c.mid)
    assert out[0, 0].tolist() == [0, 0, 0] and out[0, 1].tolist() == [200, 100, 0]
    assert abs(int(out[0, 2, 1]) - 200) <= 2


def test_enhance_identity_and_factors():
    t = Enhance()
    ident = dict(brightness=1.0, contrast=1.0, color=1.0, sharpness=1.0)
    np.testing.assert_array_equal(t.apply(RGB, **ident), RGB)
    grey = t.apply(RGB, **dict(ident, color=0.0))
    assert np.abs(grey[..., 0].astype(int) - grey[..., 1]).max() <= 1
    dark = t.apply(RGB, **dict(ident, brightness=0.0))
    assert dark.max() == 0
    sharp = t.apply(RGB, **dict(ident, sharpness=3.0))
    assert np.abs(np.diff(sharp.astype(int), axis=1)).mean() > np.abs(np.diff(RGB.astype(int), axis=1)).mean()


def test_photometric_distort_steps():
    t = PhotoMetricDistort(distort_p=0.0)
    np.testing.assert_array_equal(run(t, RGB), RGB)
    t = PhotoMetricDistort(brightness=(1, 1), contrast=(1, 1), saturation=(1, 1), hue=(0, 0), distort_p=1.0)
    out = run(t, RGB, seed=1)
    perm = sample(t, RGB, 1)["permutation"]
    np.testing.assert_array_equal(out, RGB[..., perm])


def test_channel_transforms():
    img = np.arange(2 * 2 * 4, dtype=np.uint8).reshape(2, 2, 4)
    t = ChannelDropout(channel_drop_range=(1, 3), fill=9)
    for s in range(10):
        params = sample(t, img, s)
        out = t.apply(img, **params)
        dropped = [c for c in range(4) if (out[..., c] == 9).all()]
        assert dropped == params["channels_to_drop"] and 1 <= len(dropped) <= 3
        kept = [c for c in range(4) if c not in dropped]
        np.testing.assert_array_equal(out[..., kept], img[..., kept])
    p = sample(ChannelShuffle(), img)["channels_shuffled"]
    np.testing.assert_array_equal(ChannelShuffle().apply(img, channels_shuffled=p), img[..., p])
    assert ChannelSwap((0, 3)).apply(img, **sample(ChannelSwap((0, 3)), img))[0, 0].tolist() == [3, 1, 2, 0]
    order = sample(ChannelSwap(), img, 4)["order"]
    assert sum(i != o for i, o in enumerate(order)) == 2
    out = RGBShift().apply(np.full((1, 1, 3), 0.5, np.float32), noise_map=np.array([25.5, 0, -25.5]))
    np.testing.assert_allclose(out[0, 0], [0.6, 0.5, 0.4], atol=1e-6)


# -- validation ---------------------------------------------------------------------------------
@pytest.mark.parametrize("factory,name", [
    (lambda: AutoContrast(cutoff=120), "AutoContrast"),
    (lambda: AutoContrast(method="x"), "AutoContrast"),
    (lambda: CLAHE(clip_limit=(4, 1)), "CLAHE"),
    (lambda: CLAHE(tile_grid_size=(0, 8)), "CLAHE"),
    (lambda: Equalize(mode="np"), "Equalize"),
    (lambda: Equalize(mask="m"), "Equalize"),
    (lambda: RandomToneCurve(scale=2), "RandomToneCurve"),
    (lambda: PlanckianJitter(mode="cied", temperature_limit=(3000, 5000)), "PlanckianJitter"),
    (lambda: PlanckianJitter(sampling_method="beta"), "PlanckianJitter"),
    (lambda: FancyPCA(alpha=-1), "FancyPCA"),
    (lambda: ToRGB(num_output_channels=0), "ToRGB"),
    (lambda: Colorize(white=(300, 0, 0)), "Colorize"),
    (lambda: Enhance(color=-1), "Enhance"),
    (lambda: PhotoMetricDistort(hue=(-0.7, 0)), "PhotoMetricDistort"),
    (lambda: ChannelDropout(channel_drop_range=(0, 1)), "ChannelDropout"),
    (lambda: ChannelSwap((1, 1)), "ChannelSwap"),
    (lambda: ChannelSwap((0, 2, 2)), "ChannelSwap"),
    (lambda: RGBShift(r_shift_limit=(20, -20)), "RGBShift"),
])
def test_bad_parameters(factory, name):
    with pytest.raises(InvalidParameterError, match=name):
        factory()


@pytest.mark.parametrize("t,channels", [(CLAHE(), 4), (PlanckianJitter(), 1), (Colorize(), 1),
                                        (ChannelDropout(), 1), (RGBShift(), 5), (ChannelSwap((0, 4)), 3)])
def test_unsupported_channels(t, channels):
    img = np.zeros((4, 4, channels), np.uint8)
    with pytest.raises(UnsupportedInputError, match=type(t).__name__):
        t.check_image(img)


# -- reference: Albumentations 2.0.8 ------------------------------------------------------------
@pytest.fixture(scope="module")
def alb():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pytest.importorskip("albumentations")


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("name,kwargs,atol", [
    ("AutoContrast", {}, 0), ("AutoContrast", {"cutoff": 4}, 0), ("AutoContrast", {"method": "pil"}, 1),
    ("CLAHE", {}, 0), ("Equalize", {}, 0), ("Equalize", {"mode": "pil"}, 0),
    ("Equalize", {"by_channels": False}, 0), ("RandomToneCurve", {"per_channel": True}, 0),
    ("PlanckianJitter", {}, 2), ("ToSepia", {}, 0), ("ChannelDropout", {}, 0),
    ("ChannelShuffle", {}, 0), ("RGBShift", {}, 1),
])
def test_matches_albumentations(alb, name, kwargs, atol):
    ours = ALL[name]().__class__(**kwargs, p=1.0)
    ref = getattr(alb, name)(**kwargs, p=1.0)
    for seed in range(3):
        img = make_rgb(seed=seed)
        params = sample(ours, img, seed)
        expected = ref.apply(img.copy(), **params)  # 2.0.8 AutoContrast writes into its input
        got = ours.apply(img, **params)
        assert np.abs(got.astype(int) - expected).max() <= atol, name


@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_enhance_and_augmix_keep_a_single_channel_axis(dtype):
    # OpenCV returns HxW for an HxWx1 input; the PIL-style blends must put the axis back
    # (AugMix blends its chains with the original and failed on the dropped axis)
    import augkit
    rng = np.random.default_rng(3)
    img = rng.integers(0, 256, (12, 10, 1)).astype(np.uint8)
    if dtype == np.float32:
        img = img.astype(np.float32) / 255
    for factor in (0.0, 0.5, 1.7):
        for fn in (FT.enhance_sharpness, FT.enhance_contrast, FT.enhance_brightness):
            out = fn(img, factor)
            assert out.shape == img.shape and out.dtype == img.dtype, (fn.__name__, factor)
    sharp = Enhance(brightness=0, contrast=0, color=0, sharpness=(1.8, 1.8), p=1.0)(image=img)["image"]
    assert sharp.shape == img.shape
    # the interior moves away from its 3x3 smoothing, the 1-pixel border is kept (as PIL)
    assert np.allclose(sharp[0], img[0], atol=1e-6) and not np.allclose(sharp, img, atol=1e-3)
    mixed = augkit.AugMix(ops=["Sharpness"], p=1.0)(image=img)["image"]
    assert mixed.shape == img.shape and mixed.dtype == img.dtype
