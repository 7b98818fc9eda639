"""Noise, stylize and compression transforms: AdditiveNoise, ISONoise, MultiplicativeNoise,
SaltAndPepper, ShotNoise, FilmGrain, Dithering, Halftone, ImageCompression, Downscale.

Transforms are driven directly (``sample`` with a stand-in state, then ``apply``). The last
section compares with Albumentations 2.0.8 when it is installed.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from augkit.errors import InvalidParameterError, UnsupportedInputError
from augkit.functional import stylize as FS
from augkit.functional.lut import apply_lut
from augkit.transforms.compression import Downscale, ImageCompression
from augkit.transforms.noise import (
    AdditiveNoise,
    FilmGrain,
    ISONoise,
    MultiplicativeNoise,
    SaltAndPepper,
    ShotNoise,
)
from augkit.transforms.stylize import Dithering, Halftone
from tests.pixel_helpers import gradient_rgb, run, sample, state_for  # noqa: F401


def make_rgb(h=48, w=64, seed=0):
    return gradient_rgb(h, w, seed, noise=12)


RGB = make_rgb()
FLAT = np.full((64, 64, 3), 128, np.uint8)


def f32(img):
    return img.astype(np.float32) / 255


def u16(img):
    return img.astype(np.uint16) * 257


ALL = [AdditiveNoise(p=1), ISONoise(p=1), MultiplicativeNoise(p=1), SaltAndPepper(p=1),
       ShotNoise(p=1), FilmGrain(p=1), Dithering(p=1), Halftone(p=1), ImageCompression(p=1),
       Downscale(p=1)]


@pytest.mark.parametrize("t", ALL, ids=lambda t: type(t).__name__)
@pytest.mark.parametrize("conv", [lambda x: x, f32, u16], ids=["u8", "f32", "u16"])
def test_dtype_shape_kept_and_input_untouched(t, conv):
    img = conv(RGB)
    before = img.copy()
    out = run(t, img)
    assert out.dtype == img.dtype and out.shape == img.shape
    np.testing.assert_array_equal(img, before)
    if img.dtype == np.float32:
        assert out.min() >= 0 and out.max() <= 1


# -- AdditiveNoise --------------------------------------------------------------------------
def test_additive_constant_adds_one_value_per_channel():
    t = AdditiveNoise(noise_params={"ranges": [(0.1, 0.1), (-0.2, -0.2), (0, 0)]}, p=1)
    out = run(t, FLAT).astype(int) - 128
    assert (out[..., 0] == 25).all() and (out[..., 1] == -51).all() and (out[..., 2] == 0).all()
    lut = t.get_lut(t.sample(np.random.default_rng(0), state_for(FLAT)), 3)
    assert lut[128].tolist() == [153, 77, 128]


@pytest.mark.parametrize("noise_type,std", [("uniform", 0.2 / np.sqrt(12)), ("gaussian", 0.1),
                                            ("laplace", 0.1 * np.sqrt(2))])
def test_additive_per_pixel_distribution(noise_type, std):
    params = {"uniform": {"ranges": [(-0.1, 0.1)]}, "gaussian": {"std_range": (0.1, 0.1)},
              "laplace": {"scale_range": (0.1, 0.1)}}[noise_type]
    t = AdditiveNoise(noise_type=noise_type, spatial_mode="per_pixel", noise_params=params, p=1)
    img = np.full((128, 128, 3), 0.5, np.float32)
    d = run(t, img) - 0.5
    assert abs(d.mean()) < 0.005 and abs(d.std() - std) < 0.1 * std
    assert not np.allclose(d[..., 0], d[..., 1])  # independent per channel
    if noise_type == "uniform":
        assert d.min() >= -0.1 - 1e-6 and d.max() <= 0.1 + 1e-6


def test_additive_shared_and_beta():
    t = AdditiveNoise(noise_type="beta", spatial_mode="shared", p=1,
                      noise_params={"scale_range": (0.2, 0.2)})
    d = run(t, np.full((64, 64, 3), 0.5, np.float32)) - 0.5
    np.testing.assert_array_equal(d[..., 0], d[..., 2])
    assert np.abs(d).max() <= 0.2 + 1e-6 and d.std() > 0.02


def test_additive_u8_matches_f32_and_approximation():
    t = AdditiveNoise(spatial_mode="constant", p=1)
    a, b = run(t, RGB), run(t, f32(RGB))
    assert np.abs(a / 255.0 - b).max() <= 1.01 / 255
    t = AdditiveNoise(spatial_mode="per_pixel", approximation=0.25, p=1)
    d = run(t, np.full((64, 64), 0.5, np.float32)) - 0.5
    assert np.abs(np.diff(d, axis=1)).mean() < 0.02  # smooth: upscaled from 16x16


def test_additive_validation():
    with pytest.raises(InvalidParameterError, match="noise_type"):
        AdditiveNoise(noise_type="pink")
    with pytest.raises(InvalidParameterError, match="unknown key"):
        AdditiveNoise(noise_type="gaussian", noise_params={"ranges": [(0, 1)]})
    with pytest.raises(InvalidParameterError, match="within"):
        AdditiveNoise(noise_params={"ranges": [(-2, 1)]})
    with pytest.raises(InvalidParameterError, match="approximation"):
        AdditiveNoise(approximation=0)
    with pytest.raises(UnsupportedInputError, match="AdditiveNoise.*2 ranges.*3 channels"):
        AdditiveNoise(noise_params={"ranges": [(0, 0.1), (0, 0.1)]}).check_image(RGB)


# -- ISONoise -------------------------------------------------------------------------------
def test_iso_noise_properties():
    with pytest.raises(UnsupportedInputError, match="ISONoise.*3 channels, got 1"):
        ISONoise().check_image(RGB[..., 0])
    np.testing.assert_array_equal(run(ISONoise(color_shift=0, intensity=0.5, p=1), FLAT), FLAT)
    weak = run(ISONoise(color_shift=0.01, intensity=0.1, p=1), RGB).astype(float) - RGB
    strong = run(ISONoise(color_shift=0.05, intensity=1.0, p=1), RGB).astype(float) - RGB
    assert 0 < np.abs(weak).mean() < np.abs(strong).mean()
    assert strong.mean() > 0  # the lightness noise only brightens
    a, b = run(ISONoise(p=1), RGB), run(ISONoise(p=1), f32(RGB))
    assert np.abs(a / 255.0 - b).max() <= 1.01 / 255


def test_iso_noise_hue_wraps():
    # big hue noise pushes hues below zero: they must wrap, not clamp to red
    t = ISONoise(color_shift=(1.0, 1.0), intensity=(0.3, 0.3), p=1)  # flat image: no L noise
    img = np.zeros((64, 64, 3), np.uint8)
    img[..., 0] = 200  # pure red, hue 0
    out = run(t, img)
    assert out[..., 2].mean() > 0.1 and np.abs(out.astype(int).max(-1) - 200).max() <= 1


# -- MultiplicativeNoise --------------------------------------------------------------------
def test_multiplicative():
    assert run(MultiplicativeNoise(multiplier=1.5, p=1), FLAT)[0, 0].tolist() == [192] * 3
    t = MultiplicativeNoise(multiplier=(0.5, 1.5), per_channel=True, p=1)
    prm = t.sample(np.random.default_rng(0), state_for(RGB))
    np.testing.assert_array_equal(apply_lut(RGB, t.get_lut(prm, 3)), t.apply(RGB, **prm))
    ratio = run(t, FLAT)[0, 0] / 128.0
    assert len(set(ratio.tolist())) == 3
    t = MultiplicativeNoise(multiplier=(0.5, 1.5), elementwise=True, p=1)
    out = run(t, FLAT).astype(float) / 128
    np.testing.assert_array_equal(out[..., 0], out[..., 1])
    assert 0.49 < out.min() and out.max() < 1.51 and out.std() > 0.2
    a, b = run(t, RGB), run(t, f32(RGB))
    assert np.abs(a / 255.0 - b).max() <= 1.01 / 255
    with pytest.raises(InvalidParameterError, match="per_channel"):
        MultiplicativeNoise(per_channel=1)


# -- SaltAndPepper --------------------------------------------------------------------------
def test_salt_and_pepper_counts():
    t = SaltAndPepper(amount=(0.1, 0.1), salt_vs_pepper=(0.3, 0.3), p=1)
    img = np.full((50, 60, 3), 100, np.uint8)
    out = run(t, img)
    assert (out == 255).all(-1).sum() == int(3000 * 0.1 * 0.3)
    assert (out == 0).all(-1).sum() == int(3000 * 0.1 * 0.7)
    assert ((out == 100).all(-1) | (out == 255).all(-1) | (out == 0).all(-1)).all()
    outf = run(t, f32(img))
    np.testing.assert_array_equal(outf == 1.0, out == 255)
    with pytest.raises(InvalidParameterError, match="amount"):
        SaltAndPepper(amount=(0.5, 1.5))


def test_iso_noise_small_images_use_the_table_numbers_without_the_table():
    """Below 65536 values ISONoise computes the quantiles at the drawn levels only; they are
    the table's numbers (Poisson counts exact, hue noise identical)."""
    from augkit.functional import noise as FN
    rng = np.random.default_rng(0)
    for lam in (0.3, 5.0, 37.2, 1999.0, 2500.0):
        u = rng.integers(0, 65536, (40, 30), dtype=np.uint16)
        u.flat[:4] = [0, 1, 65534, 65535]
        np.testing.assert_array_equal(FN.poisson_at(lam, u), FN.poisson_table(lam)[u])
    t = ISONoise(color_shift=(0.05, 0.05), intensity=(0.5, 0.5), p=1)
    img = gradient_rgb(40, 30)
    got = t.sample(np.random.default_rng(3), state_for(img))["hue_noise"]
    r = np.random.default_rng(3)
    r.random(2)  # the two scalar draws before the uniforms
    from augkit.transforms.noise import _uniform16
    k = 0.05 * 360.0 * 0.5
    z = FN.normal_table()
    table = (z * k + 360.0 * np.ceil(max(0.0, -(z[0] * k)) / 360.0)).astype(np.float32)
    np.testing.assert_array_equal(got, table[_uniform16(r, (40, 30))])


# -- ShotNoise ------------------------------------------------------------------------------
@pytest.mark.parametrize("value", [30, 128, 220])
@pytest.mark.parametrize("shape", [(256, 256), (100, 100, 3)])  # the table path; exact counts
def test_shot_noise_u8_table_matches_exact_poisson(value, shape):
    scale = 0.05
    img = np.full(shape, value, np.uint8)
    params = sample(ShotNoise(scale_range=(scale, scale), p=1), img)
    assert (params["uniform16"] is not None) == (img.size >= 65536)
    lin = lambda x: (x / 255.0) ** 2.2  # noqa: E731
    a = run(ShotNoise(scale_range=(scale, scale), p=1), img)
    b = run(ShotNoise(scale_range=(scale, scale), p=1), img.astype(np.float32) / 255)
    la, lb = lin(a.astype(float)), b.astype(float) ** 2.2
    # the table path (1024 equally likely outcomes) has the exact path's statistics
    assert abs(la.mean() - lb.mean()) < 0.02 * lb.mean() + 1e-3
    assert abs(la.var() - lb.var()) < 0.1 * lb.var() + 1e-4
    if value < 200:  # below the clip at full intensity: Poisson statistics in linear light
        for out in (la, lb):
            assert abs(out.mean() - lin(value)) < 0.05 * lin(value) + 2e-3
            assert abs(out.var() - scale * lin(value)) < 0.15 * scale * lin(value) + 1e-4


def test_shot_noise_validation():
    with pytest.raises(InvalidParameterError, match="scale_range"):
        ShotNoise(scale_range=(0, 0.1))


def test_shot_noise_after_normalize_says_why_it_cannot_run():
    # Normalize's float output leaves [0, 1]: numpy's Poisson sampler failed with
    # "lam value too large"; the error now names the transform, the values and the cause
    import augkit
    img = np.random.default_rng(0).integers(0, 256, (20, 20, 3)).astype(np.uint8)
    pipe = augkit.Compose([augkit.Normalize(p=1.0), ShotNoise(p=1.0)], seed=0)
    with pytest.raises(UnsupportedInputError, match=r"ShotNoise: float image values must lie in \[0, 1\]"):
        pipe(image=img)


# -- FilmGrain ------------------------------------------------------------------------------
def test_film_grain():
    img = np.zeros((64, 64, 3), np.uint8)
    img[:, 32:] = 255
    out = run(FilmGrain(intensity_range=(0.2, 0.2), grain_size_range=(1, 1), p=1), img).astype(float)
    assert out[:, 32:].min() == 255  # no grain on white
    np.testing.assert_array_equal(out[..., 0], out[..., 2])  # colourless grain
    dark = np.full((128, 128), 0.3, np.float32)
    fine = run(FilmGrain(intensity_range=(0.1, 0.1), grain_size_range=(1, 1), p=1), dark) - 0.3
    coarse = run(FilmGrain(intensity_range=(0.1, 0.1), grain_size_range=(4, 4), p=1), dark) - 0.3
    assert abs(fine.std() - 0.07) < 0.01  # 0.1 * (1 - 0.3)
    corr = lambda d: np.corrcoef(d[:, :-1].ravel(), d[:, 1:].ravel())[0, 1]  # noqa: E731
    assert corr(fine) < 0.1 < 0.5 < corr(coarse)
    with pytest.raises(InvalidParameterError, match="grain_size_range"):
        FilmGrain(grain_size_range=(0, 2))


# -- Dithering ------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["error_diffusion", "ordered", "random"])
@pytest.mark.parametrize("n_colors", [2, 4])
def test_dithering_levels_and_local_mean(method, n_colors):
    ramp = np.tile(np.linspace(0, 1, 128, dtype=np.float32), (64, 1))
    out = run(Dithering(method=method, n_colors=n_colors, p=1), ramp)
    levels = np.linspace(0, 1, n_colors)
    assert np.abs(out[..., None] - levels).min(-1).max() < 1e-6
    local = cv2.blur(out, (16, 16))[16:-16, 16:-16]
    assert np.abs(local - cv2.blur(ramp, (16, 16))[16:-16, 16:-16]).mean() < 0.04


def test_dithering_dtypes_and_modes():
    a = run(Dithering(method="ordered", n_colors=4, p=1), RGB)
    b = run(Dithering(method="ordered", n_colors=4, p=1), f32(RGB))
    assert np.abs(a / 255.0 - b).max() <= 1.01 / 255
    g = run(Dithering(color_mode="grayscale", p=1), RGB)
    np.testing.assert_array_equal(g[..., 0], g[..., 1])
    for alg in FS.DIFFUSION_KERNELS:
        out = run(Dithering(error_diffusion_algorithm=alg, p=1), np.full((32, 32), 0.25, np.float32))
        # Atkinson passes on only 6/8 of each error, so it drifts from the mean
        assert abs(out.mean() - 0.25) < (0.1 if alg == "atkinson" else 0.05), alg
    with pytest.raises(InvalidParameterError, match="n_colors"):
        Dithering(n_colors=1)
    with pytest.raises(InvalidParameterError, match="bayer_matrix_size"):
        Dithering(bayer_matrix_size=3)


def test_error_diffusion_matches_naive_loop():
    rng = np.random.default_rng(3)
    x = rng.random((9, 11), dtype=np.float32)
    for alg in ("floyd_steinberg", "jarvis"):
        ref = x.astype(np.float64).copy()
        out = np.zeros_like(ref)
        for y in range(9):
            for xx in range(11):
                q = min(max(np.rint(ref[y, xx] * 2), 0), 2) / 2
                out[y, xx] = q
                for dy, dx, w in FS.DIFFUSION_KERNELS[alg]:
                    if 0 <= y + dy < 9 and 0 <= xx + dx < 11:
                        ref[y + dy, xx + dx] += w * (ref[y, xx] - q)
        np.testing.assert_allclose(FS.error_diffusion(x, 3, alg), out, atol=1e-6)


# -- Halftone -------------------------------------------------------------------------------
def test_halftone():
    img = np.zeros((40, 40, 3), np.uint8)
    img[:, 20:] = (200, 100, 50)
    out = run(Halftone(dot_size_range=(10, 10), blend_range=(0, 0), p=1), img)
    assert out[:, :20].max() == 0  # black cells: no dot
    right = out[:, 20:].astype(float)
    assert right[5, 5].tolist() == [200, 100, 50]  # cell centre: the cell colour
    assert right[0, 0].tolist() == [0, 0, 0]  # cell corner: paper
    grey = 0.299 * 200 + 0.587 * 100 + 0.114 * 50
    covered = (right[..., 0] / 200).mean()
    assert abs(covered - grey / 255) < 0.05  # dot area follows the brightness
    np.testing.assert_array_equal(run(Halftone(blend_range=(1, 1), p=1), RGB), RGB)
    with pytest.raises(InvalidParameterError, match="blend_range"):
        Halftone(blend_range=(0, 2))


# -- ImageCompression / Downscale -----------------------------------------------------------
@pytest.mark.parametrize("kind", ["jpeg", "webp"])
def test_compression_matches_codec(kind):
    t = ImageCompression(compression_type=kind, quality_range=(30, 30), p=1)
    ext, flag = (".jpg", cv2.IMWRITE_JPEG_QUALITY) if kind == "jpeg" else (".webp", cv2.IMWRITE_WEBP_QUALITY)
    ref = cv2.imdecode(cv2.imencode(ext, RGB, [flag, 30])[1], cv2.IMREAD_UNCHANGED)
    np.testing.assert_array_equal(run(t, RGB), ref)
    np.testing.assert_allclose(run(t, f32(RGB)), ref / 255.0, atol=1e-6)
    rgba = np.dstack([RGB, np.arange(48 * 64).reshape(48, 64) % 256]).astype(np.uint8)
    out = run(t, rgba)
    if kind == "jpeg":
        np.testing.assert_array_equal(out[..., 3], rgba[..., 3])
    assert run(t, np.dstack([RGB, RGB[..., :2]])).shape == (48, 64, 5)
    hi = run(ImageCompression(compression_type=kind, quality_range=(100, 100), p=1), RGB)
    assert np.abs(hi.astype(int) - RGB).mean() < np.abs(run(t, RGB).astype(int) - RGB).mean()
    with pytest.raises(InvalidParameterError, match="quality_range"):
        ImageCompression(quality_range=(0, 50))


def test_downscale():
    out = run(Downscale(scale_range=(0.5, 0.5), p=1), RGB)
    np.testing.assert_array_equal(out[::2, ::2], out[1::2, 1::2])  # 2x2 blocks
    t = Downscale(scale_range=(0.3, 0.3), interpolation_pair={"downscale": cv2.INTER_AREA,
                                                              "upscale": cv2.INTER_LINEAR}, p=1)
    a, b = run(t, RGB), run(t, f32(RGB))
    assert np.abs(a / 255.0 - b).max() <= 2.01 / 255  # uint8 rounds after each resize
    assert run(t, np.zeros((2, 3), np.uint8)).shape == (2, 3)
    with pytest.raises(InvalidParameterError, match="interpolation_pair"):
        Downscale(interpolation_pair={"downscale": 0})
    with pytest.raises(InvalidParameterError, match="scale_range"):
        Downscale(scale_range=(0, 0.5))


# -- Albumentations 2.0.8 ------------------------------------------------------------------
def test_against_albumentations():
    A = pytest.importorskip("albumentations")
    img = make_rgb(37, 53)
    for s in (0.25, 0.33, 0.7):
        for pair in ({"downscale": 0, "upscale": 0}, {"downscale": 3, "upscale": 1}):
            ref = A.Downscale(scale_range=(s, s), interpolation_pair=pair, p=1)(image=img)["image"]
            np.testing.assert_array_equal(run(Downscale(scale_range=(s, s), interpolation_pair=pair, p=1), img), ref)
    for kind in ("jpeg", "webp"):
        ref = A.ImageCompression(compression_type=kind, quality_range=(40, 40), p=1)(image=img)["image"]
        np.testing.assert_array_equal(run(ImageCompression(compression_type=kind, quality_range=(40, 40), p=1), img), ref)
    ref = A.AdditiveNoise(noise_params={"ranges": [(0.01, 0.01)]}, p=1)(image=img)["image"]
    np.testing.assert_array_equal(run(AdditiveNoise(noise_params={"ranges": [(0.01, 0.01)]}, p=1), img), ref)
    ref = A.SaltAndPepper(amount=(0.1, 0.1), salt_vs_pepper=(0.5, 0.5), p=1)(image=img)["image"]
    out = run(SaltAndPepper(amount=(0.1, 0.1), salt_vs_pepper=(0.5, 0.5), p=1), img)
    assert (ref == 255).all(-1).sum() == (out == 255).all(-1).sum()
    g = np.full((64, 64, 3), 100, np.uint8)
    ref = A.ShotNoise(scale_range=(0.1, 0.1), p=1)(image=g)["image"]
    out = run(ShotNoise(scale_range=(0.1, 0.1), p=1), g)
    assert set(np.unique(out)) <= set(np.unique(ref)) | {0, 90, 123, 148, 168, 186, 202, 217, 230, 243, 255}
    assert abs(float(out.mean()) - float(ref.mean())) < 3


@pytest.mark.parametrize("channels", [1, 3, 4, 5])
def test_add_constant_is_a_saturated_integer_add(channels):
    """Every kernel of add_constant (tables; one cv2.transform for 3 or 4 channels) gives
    img + trunc(value) saturated, per channel or shared."""
    from augkit.functional.noise import add_constant
    rng = np.random.default_rng(channels)
    img = rng.integers(0, 256, (17, 23, channels), dtype=np.uint8)
    for values in (rng.uniform(-300, 300, channels), rng.uniform(-300, 300, 1), np.array([-0.7, 0.7, 1.5, -1.5, 2.0])[:channels]):
        expect = np.clip(img.astype(np.int64) + np.trunc(values), 0, 255).astype(np.uint8)
        np.testing.assert_array_equal(add_constant(img, values), expect)


def test_shot_noise_tiny_scale_on_a_small_uint8_image():
    # counts reach ~1e9 at scale 1e-9: no table indexed by count (that would need GBs);
    # the image comes back essentially unchanged (Poisson noise of 1e9 events is tiny)
    from augkit import ShotNoise
    img = np.full((8, 8, 3), 200, np.uint8)
    out = ShotNoise(scale_range=(1e-9, 1e-9), p=1.0)(image=img, seed=3)["image"]
    assert out.dtype == np.uint8 and out.shape == img.shape
    assert np.abs(out.astype(int) - 200).max() <= 1


def test_halftone_and_histogram_matching_after_normalize_stay_finite():
    # values normalized away from [0, 1]: Halftone took the square root of a negative grey
    # level (NaN pixels) and HistogramMatching counted levels beyond its table (a numpy
    # shape error); both now give finite images
    import augkit
    img = np.random.default_rng(0).integers(0, 256, (40, 50, 3)).astype(np.uint8)
    ref = np.random.default_rng(1).integers(0, 256, (30, 30, 3)).astype(np.uint8)
    for t in (Halftone(p=1.0), augkit.HistogramMatching(reference_images=[ref], read_fn=lambda x: x, p=1.0)):
        for seed in range(4):
            out = augkit.Compose([augkit.Normalize(p=1.0), t], seed=seed)(image=img)["image"]
            assert out.shape == img.shape and np.isfinite(out).all(), type(t).__name__
