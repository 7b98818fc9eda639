"""Weather and lighting transforms: contract, properties, validation, and (when installed)
agreement with Albumentations 2.0.8.

Transforms are driven directly (``sample`` with a stand-in state, then ``apply``), so the
tests do not depend on the composition engine.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from augkit.errors import InvalidParameterError, UnsupportedInputError
from augkit.transforms import lighting as L
from augkit.transforms import weather as W
from tests.pixel_helpers import gradient_rgb, run, state_for  # noqa: F401


def make_rgb(h=96, w=128, seed=0):
    return gradient_rgb(h, w, seed, noise=10)


RGB = make_rgb()
ALL = {
    "RandomFog": lambda: W.RandomFog(p=1.0),
    "RandomRain": lambda: W.RandomRain(p=1.0),
    "RandomSnow": lambda: W.RandomSnow(p=1.0),
    "RandomSnow-texture": lambda: W.RandomSnow(method="texture", p=1.0),
    "RandomSunFlare": lambda: W.RandomSunFlare(src_radius=60, p=1.0),
    "RandomSunFlare-physics": lambda: W.RandomSunFlare(src_radius=60, method="physics_based", p=1.0),
    "RandomShadow": lambda: W.RandomShadow(p=1.0),
    "RandomGravel": lambda: W.RandomGravel(p=1.0),
    "Spatter": lambda: W.Spatter(p=1.0),
    "Spatter-mud": lambda: W.Spatter(mode="mud", p=1.0),
    "AtmosphericFog": lambda: W.AtmosphericFog(p=1.0),
    "AtmosphericFog-radial": lambda: W.AtmosphericFog(depth_mode="radial", p=1.0),
    "PlasmaBrightnessContrast": lambda: L.PlasmaBrightnessContrast(p=1.0),
    "PlasmaShadow": lambda: L.PlasmaShadow(p=1.0),
    "Illumination": lambda: L.Illumination(p=1.0),
    "Illumination-corner": lambda: L.Illumination(mode="corner", p=1.0),
    "Illumination-gaussian": lambda: L.Illumination(mode="gaussian", p=1.0),
    "LensFlare": lambda: L.LensFlare(p=1.0),
    "Vignetting": lambda: L.Vignetting(p=1.0),
    "ChromaticAberration": lambda: L.ChromaticAberration(primary_distortion_limit=0.2, p=1.0),
}


# -- contract ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(ALL))
@pytest.mark.parametrize("dtype", ["uint8", "uint16", "float32"])
def test_dtype_shape_input_untouched(name, dtype):
    img = {"uint8": RGB, "uint16": RGB.astype(np.uint16) * 257,
           "float32": RGB.astype(np.float32) / 255}[dtype]
    before = img.copy()
    out = run(ALL[name](), img)
    assert np.array_equal(img, before)
    assert out.shape == img.shape and out.dtype == img.dtype
    assert not np.array_equal(out, img), "the transform did nothing"
    if dtype == "float32":
        assert out.min() >= 0 and out.max() <= 1


@pytest.mark.parametrize("name", list(ALL))
def test_uint8_float32_uint16_agree(name):
    """The same parameters on the same picture in three dtypes give the same picture."""
    t = ALL[name]()
    params = t.sample(np.random.default_rng(3), state_for(RGB))
    u8 = t.apply(RGB, **params).astype(np.float32) / 255
    f32 = t.apply(RGB.astype(np.float32) / 255, **params)
    u16 = t.apply(RGB.astype(np.uint16) * 257, **params).astype(np.float32) / 65535
    for other in (f32, u16):
        diff = np.abs(u8 - other)
        # thresholds (snow) may flip a few pixels whose value sits on the threshold
        assert diff.mean() < 1.5 / 255 and (diff > 6 / 255).mean() < 0.01, name


@pytest.mark.parametrize("name", [n for n in ALL if not n.startswith("Chromatic")])
def test_grey_2d_stays_2d(name):
    img = RGB[..., 0]
    out = run(ALL[name](), img)
    assert out.shape == img.shape and out.dtype == img.dtype


def test_refused_channel_counts():
    five = np.dstack([RGB, RGB[..., :2]])
    for t in (W.RandomRain(p=1), W.RandomSnow(p=1), W.RandomSunFlare(p=1), W.RandomGravel(p=1),
              W.Spatter(p=1), W.AtmosphericFog(p=1), L.ChromaticAberration(p=1)):
        with pytest.raises(UnsupportedInputError, match=type(t).__name__ + ".*5 channels"):
            t.check_image(five)
    with pytest.raises(UnsupportedInputError, match="ChromaticAberration"):
        L.ChromaticAberration(p=1).check_image(RGB[..., 0])
    for t in (W.RandomFog(p=1), W.RandomShadow(p=1), L.PlasmaShadow(p=1), L.Vignetting(p=1),
              L.Illumination(p=1), L.LensFlare(p=1), L.PlasmaBrightnessContrast(p=1)):
        assert run(t, five).shape == five.shape


def test_same_params_same_effect_for_every_image_target():
    t = W.RandomRain(p=1.0)
    params = t.sample(np.random.default_rng(1), state_for(RGB))
    assert np.array_equal(t.apply(RGB, **params), t.apply(RGB.copy(), **params))


# -- what each transform does ----------------------------------------------------------
def test_fog_denser_in_centre_and_with_coefficient():
    black = np.zeros((128, 128, 3), np.uint8)
    thick = run(W.RandomFog(fog_coef_range=(1, 1), p=1), black)
    thin = run(W.RandomFog(fog_coef_range=(0.3, 0.3), p=1), black)
    assert thick[48:80, 48:80].mean() > 2 * thick[:8, :8].mean() + 1
    assert thick.mean() > 2 * thin.mean() > 0
    assert (thick[..., 0] == thick[..., 1]).all()  # white fog


def test_rain_density_and_colour():
    black = np.zeros((120, 160, 3), np.uint8)
    counts = []
    for kind in ("drizzle", "heavy", "torrential"):
        out = run(W.RandomRain(rain_type=kind, blur_value=1, brightness_coefficient=1.0, p=1), black)
        assert set(np.unique(out).tolist()) <= {0, 200}
        counts.append((out[..., 0] > 0).sum())
    assert counts[0] < counts[1] < counts[2]
    grey = np.full((60, 80, 3), 100, np.uint8)
    out = run(W.RandomRain(rain_type="drizzle", blur_value=1, brightness_coefficient=0.5, p=1), grey)
    assert set(np.unique(out).tolist()) == {50, 100}  # darkened scene and darkened drops


def test_snow_bleach_thresholds_lightness():
    ramp = np.arange(256, dtype=np.uint8).reshape(16, 16)
    out = run(W.RandomSnow(snow_point_range=(0.2, 0.2), brightness_coeff=2.5, p=1), ramp)
    x = np.arange(256)
    expected = np.where(x < 0.2 / 2 * 255 + 255 / 3, np.minimum(255, np.floor(x * 2.5)), x)
    assert np.array_equal(out.ravel(), expected)


def test_sun_flare_sun_has_source_colour():
    img = np.zeros((100, 100, 3), np.uint8)
    t = W.RandomSunFlare(flare_roi=(0.5, 0.5, 0.5, 0.5), src_radius=30, src_color=(255, 200, 100),
                         num_flare_circles_range=(0, 0), p=1)
    out = run(t, img)
    assert out[50, 50].tolist() == [255, 200, 100]
    assert (out[:15, :15] == 0).all() and out[50, 60, 0] < out[50, 52, 0]


def test_shadow_darkens_only_inside_roi():
    img = np.full((80, 80, 3), 100, np.uint8)
    out = run(W.RandomShadow(num_shadows_limit=(1, 1), shadow_intensity_range=(0.3, 0.3), p=1), img)
    assert set(np.unique(out).tolist()) == {70, 100}
    assert (out[:40] == 100).all()


def test_gravel_inside_roi_and_keeps_hue():
    img = np.zeros((100, 100, 3), np.uint8)
    img[...] = (200, 60, 60)
    out = run(W.RandomGravel(p=1), img)
    changed = (out != img).any(-1)
    ys, xs = np.nonzero(changed)
    assert len(ys) and ys.min() >= 40 and ys.max() < 90 and xs.min() >= 10 and xs.max() < 90
    px = out[changed].astype(int)
    assert (px[:, 1] == px[:, 2]).all() and ((px[:, 0] >= px[:, 1]) | (px.sum(1) == 0)).all()  # red hue kept


def test_spatter_modes():
    grey = np.full((96, 96, 3), 100, np.uint8)
    rain = run(W.Spatter(p=1), grey).astype(float)
    assert (rain >= 100).all() and rain.mean() > 103
    assert (rain[..., 0] - 100).sum() > (rain[..., 2] - 100).sum()  # (238, 238, 175): less blue
    mud = run(W.Spatter(mode="mud", p=1), grey).astype(float)
    d = mud.reshape(-1, 3).mean(0) - 100
    assert d[0] < d[1] < d[2] < 0  # toward (20, 42, 63)


def test_atmospheric_fog_formula():
    img = np.zeros((11, 5, 3), np.float32)
    out = run(W.AtmosphericFog(density_range=(2, 2), fog_color=(255, 255, 255), p=1), img)
    depth = np.linspace(1, 0, 11)
    assert np.allclose(out[:, 2, 0], 1 - np.exp(-2 * depth), atol=1e-5)
    radial = run(W.AtmosphericFog(density_range=(2, 2), depth_mode="radial", p=1), img)
    assert radial[5, 2, 0] < 1e-3 and radial[0, 0, 0] > 0.5


def test_plasma_shadow_and_brightness_ranges():
    img = np.full((64, 64), 0.5, np.float32)
    out = run(L.PlasmaShadow(shadow_intensity_range=(0.4, 0.4), p=1), img)
    assert out.min() == pytest.approx(0.3, abs=1e-3) and out.max() == pytest.approx(0.5, abs=1e-3)
    assert out.std() > 0.02
    out = run(L.PlasmaBrightnessContrast(brightness_range=(-0.2, -0.2), contrast_range=0, p=1), img)
    assert out.min() == pytest.approx(0.3, abs=1e-3) and out.max() == pytest.approx(0.5, abs=1e-3)
    smooth = run(L.PlasmaShadow(roughness=0.5, p=1), np.full((128, 128), 200, np.uint8)).astype(float)
    rough = run(L.PlasmaShadow(roughness=5.0, p=1), np.full((128, 128), 200, np.uint8)).astype(float)
    assert np.abs(np.diff(smooth, axis=1)).mean() < np.abs(np.diff(rough, axis=1)).mean()


def test_illumination_modes():
    img = np.full((64, 101), 0.5, np.float32)
    lin = run(L.Illumination(intensity_range=(0.2, 0.2), effect_type="darken", angle_range=(90, 90), p=1), img)
    assert lin[0, 0] == pytest.approx(0.6, abs=1e-3) and lin[-1, 0] == pytest.approx(0.4, abs=1e-3)
    spot = run(L.Illumination(mode="gaussian", intensity_range=(0.2, 0.2), effect_type="brighten",
                              center_range=(0.5, 0.5), p=1), img)
    assert spot[32, 50] == pytest.approx(0.6, abs=2e-3) and spot[0, 0] < spot[32, 50]
    corner = run(L.Illumination(mode="corner", intensity_range=(0.2, 0.2), effect_type="brighten", p=1), img)
    vals = sorted(corner[[0, 0, -1, -1], [0, -1, 0, -1]].tolist())
    assert vals[-1] == pytest.approx(0.5, abs=3e-3) and vals[0] == pytest.approx(0.4, abs=3e-3)


def test_lens_flare_only_brightens_and_peaks_at_source():
    img = make_rgb(128, 128)
    out = run(L.LensFlare(flare_roi=(0.2, 0.2, 0.2, 0.2), intensity_range=(0.7, 0.7), p=1), img)
    assert (out >= img).all()
    gain = (out.astype(int) - img).sum(-1)
    assert gain[20:32, 20:32].mean() > 3 * gain[-20:, :20].mean()


def test_vignetting_centre_kept_corners_darkened():
    img = np.full((64, 64), 1.0, np.float32)
    out = run(L.Vignetting(intensity_range=(0.6, 0.6), center_range=(0.5, 0.5), p=1), img)
    assert out[31:33, 31:33].min() > 0.99
    assert out[0, 0] == pytest.approx(0.4, abs=0.02) and out[0, 32] > out[0, 0]


def test_chromatic_aberration_moves_red_and_blue_only():
    img = np.zeros((101, 201, 3), np.float32)
    img[10, 20] = 1
    gp = run(L.ChromaticAberration(primary_distortion_limit=(0.02, 0.02), secondary_distortion_limit=0,
                                   p=1), img)

    def centroid(ch):
        ys, xs = np.nonzero(ch > 0.01)
        wts = ch[ys, xs]
        return (ys * wts).sum() / wts.sum(), (xs * wts).sum() / wts.sum()

    assert np.array_equal(gp[..., 1], img[..., 1])
    (ry, rx), (_by, bx) = centroid(gp[..., 0]), centroid(gp[..., 2])
    assert rx == pytest.approx(bx) and 20.3 < rx < 20.7 and 10.1 < ry < 10.4  # toward the centre
    rb = run(L.ChromaticAberration(primary_distortion_limit=(0.02, 0.02), secondary_distortion_limit=0,
                                   mode="red_blue", p=1), img)
    assert centroid(rb[..., 0])[1] > 20 > centroid(rb[..., 2])[1]


# -- validation -------------------------------------------------------------------------
@pytest.mark.parametrize("make, match", [
    (lambda: W.RandomFog(fog_coef_range=(0.8, 0.2)), r"RandomFog\(fog_coef_range=\(0.8, 0.2\)\)"),
    (lambda: W.RandomFog(alpha_coef=2), "alpha_coef must be <= 1"),
    (lambda: W.RandomRain(rain_type="snow"), "rain_type must be one of"),
    (lambda: W.RandomRain(drop_color=(1, 2)), "drop_color must be 3 numbers"),
    (lambda: W.RandomRain(brightness_coefficient=0), "brightness_coefficient must be > 0"),
    (lambda: W.RandomSnow(method="paint"), "method must be one of"),
    (lambda: W.RandomSnow(snow_point_range=(0.2, 1.5)), "snow_point_range must lie within"),
    (lambda: W.RandomSunFlare(flare_roi=(0.5, 0, 0.2, 1)), "flare_roi must be"),
    (lambda: W.RandomSunFlare(src_radius=0), "src_radius must be >= 1"),
    (lambda: W.RandomShadow(num_shadows_limit=(0, 2)), "num_shadows_limit must lie within"),
    (lambda: W.RandomShadow(shadow_dimension=2), "shadow_dimension must be >= 3"),
    (lambda: W.RandomGravel(number_of_patches=0), "number_of_patches must be >= 1"),
    (lambda: W.Spatter(mode="oil"), "mode must be one of"),
    (lambda: W.Spatter(intensity=(0.2, 1.4)), "intensity must lie within"),
    (lambda: W.AtmosphericFog(depth_mode="sky"), "depth_mode must be one of"),
    (lambda: W.AtmosphericFog(density_range=(-1, 1)), "density_range must lie within"),
    (lambda: L.PlasmaBrightnessContrast(roughness=0), "roughness must be > 0"),
    (lambda: L.PlasmaShadow(plasma_size=1), "plasma_size must be >= 2"),
    (lambda: L.Illumination(mode="flash"), "mode must be one of"),
    (lambda: L.Illumination(sigma_range=(0, 1)), "sigma_range must hold values > 0"),
    (lambda: L.LensFlare(num_ghosts_range=(5, 2)), "num_ghosts_range must be"),
    (lambda: L.Vignetting(intensity_range=(0.2, 1.5)), "intensity_range must lie within"),
    (lambda: L.ChromaticAberration(mode="rainbow"), "mode must be one of"),
    (lambda: L.ChromaticAberration(interpolation=99), "interpolation must be one of"),
])
def test_invalid_arguments(make, match):
    with pytest.raises(InvalidParameterError, match=match):
        make()


def test_unknown_argument():
    # (fog_coef_lower is the 1.x spelling of fog_coef_range: mapped, see test_compat_legacy.py)
    with pytest.raises(InvalidParameterError, match="fog_density"):
        W.RandomFog(fog_density=0.3)


# -- Albumentations 2.0.8 ---------------------------------------------------------------
def _alb(t, img, seed=0):
    A = pytest.importorskip("albumentations")
    return A.Compose([t], seed=seed)(image=img)["image"]


def test_snow_bleach_matches_albumentations():
    A = pytest.importorskip("albumentations")
    ref = _alb(A.RandomSnow(snow_point_range=(0.3, 0.3), brightness_coeff=2.0, p=1), RGB)
    ours = run(W.RandomSnow(snow_point_range=(0.3, 0.3), brightness_coeff=2.0, p=1), RGB)
    assert np.abs(ref.astype(int) - ours).max() <= 2


def test_illumination_linear_and_plasma_shadow_match_albumentations():
    A = pytest.importorskip("albumentations")
    img = RGB.astype(np.float32) / 255
    # axis-aligned angles only: for others 2.0.8 does not normalize the ramp (at 180 degrees
    # "brighten" darkens everything); augkit spans -intensity..+intensity at every angle
    for angle in (0, 90):
        kw = dict(intensity_range=(0.15, 0.15), effect_type="brighten", angle_range=(angle, angle))
        ref = _alb(A.Illumination(**kw, p=1), img)
        assert np.abs(ref - run(L.Illumination(**kw, p=1), img)).max() < 2e-3
    ref = _alb(A.PlasmaShadow(shadow_intensity_range=(0.5, 0.5), p=1), np.full((64, 64), 0.5, np.float32))
    ours = run(L.PlasmaShadow(shadow_intensity_range=(0.5, 0.5), p=1), np.full((64, 64), 0.5, np.float32))
    assert (ref.min(), ref.max()) == pytest.approx((ours.min(), ours.max()), abs=2e-3)


def test_chromatic_aberration_matches_albumentations():
    A = pytest.importorskip("albumentations")
    img = cv2.GaussianBlur(RGB, (0, 0), 2)
    for mode in ("green_purple", "red_blue"):
        kw = dict(primary_distortion_limit=(0.1, 0.1), secondary_distortion_limit=(0.2, 0.2), mode=mode)
        ref = _alb(A.ChromaticAberration(**kw, p=1), img).astype(int)
        ours = run(L.ChromaticAberration(**kw, p=1), img)
        assert np.abs(ref - ours)[5:-5, 5:-5].mean() < 0.5, mode


def test_plasma_grid_is_at_most_the_image_size(monkeypatch):
    """The pattern grid is plasma_size, or the image's longer side where that is smaller;
    either way it is fitted to the image over the whole [0, 1] range."""
    import augkit.transforms.lighting as L
    sizes = []
    noise = L._plasma_noise
    monkeypatch.setattr(L, "_plasma_noise", lambda rng, size: sizes.append(size) or noise(rng, size))
    for cls in (L.PlasmaBrightnessContrast, L.PlasmaShadow):
        for shape, expected in (((20, 30), 30), ((600, 400), 256)):
            t = cls(p=1.0)
            pattern = t.sample(np.random.default_rng(0), state_for(np.zeros(shape, np.uint8)))["pattern"]
            assert sizes.pop() == expected
            fitted = L.F._fit(pattern, *shape)
            assert fitted.shape == shape and fitted.min() == 0.0 and abs(fitted.max() - 1.0) < 1e-6
