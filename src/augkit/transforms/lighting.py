"""Lighting transforms: plasma brightness/contrast and shadows, illumination gradients,
lens flare, vignetting and chromatic aberration.

Pixel-level only (masks, boxes and keypoints pass through). Names, arguments and
defaults follow Albumentations 2.0.8; :class:`LensFlare` and :class:`Vignetting` follow
the newer Albumentations API. Kernels: :mod:`augkit.functional.lighting`.
"""

from __future__ import annotations

import math

import numpy as np

from augkit.core import params as P
from augkit.core.transform import ImageOnlyTransform
from augkit.functional import lighting as F
from augkit.functional.weather import scale_by_map
from augkit.transforms.weather import _check_channels, _int_range, _roi

__all__ = ["ChromaticAberration", "Illumination", "LensFlare", "PlasmaBrightnessContrast",
           "PlasmaShadow", "Vignetting"]

_DTYPES = ("uint8", "uint16", "float32")


def _plasma_pattern(rng: np.random.Generator, plasma_size: int, roughness: float, shape) -> np.ndarray:
    """The pattern grid at ``plasma_size``, or at the image's longer side where that is
    smaller: levels finer than the image would be averaged away by the resize to it
    (64x64 image: ~0.1 ms instead of ~1.2 ms for the default 256 grid)."""
    size = max(2, min(plasma_size, max(shape[0], shape[1])))
    return F.plasma(_plasma_noise(rng, size), roughness, size)


def _plasma_noise(rng: np.random.Generator, size: int) -> list[np.ndarray]:
    levels = max(1, math.ceil(math.log2(max(size - 1, 1)))) + 1
    return [rng.standard_normal((2 ** k + 1, 2 ** k + 1), dtype=np.float32) for k in range(levels)]


def _plasma_args(owner: str, plasma_size, roughness) -> tuple[int, float]:
    size = P.check_number(owner, "plasma_size", plasma_size, 2, integer=True)
    rough = float(P.check_number(owner, "roughness", roughness, 0, low_inclusive=False))
    return int(size), rough


class PlasmaBrightnessContrast(ImageOnlyTransform):
    """Spatially varying brightness and contrast driven by a fractal plasma pattern P in [0, 1].

    ``J = img + brightness * P * max``, ``out = mean + (J - mean) * (1 + contrast * P)``
    (``mean``: the image mean), one pattern for all channels.

    Args:
        brightness_range: range of the brightness strength, within [-1, 1].
        contrast_range: range of the contrast strength, within [-1, 1].
        plasma_size: side of the pattern grid, >= 2 (at most the image's longer side is
            used); it is resized to the image.
        roughness: > 0; level k of the pattern has amplitude ``2 ** (-k / roughness)``,
            so small values give smooth patterns and large values rough ones.
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32. Any channel count.

    >>> import numpy as np
    >>> from augkit.transforms.lighting import PlasmaBrightnessContrast
    >>> t = PlasmaBrightnessContrast(brightness_range=(0.3, 0.3), contrast_range=(0, 0), p=1.0)
    >>> out = t(image=np.full((32, 32), 0.5, np.float32))["image"]
    >>> round(float(out.min()), 3), round(float(out.max()), 3)
    (0.5, 0.8)
    """

    supported_dtypes = _DTYPES

    def __init__(self, brightness_range=(-0.3, 0.3), contrast_range=(-0.3, 0.3),
                 plasma_size: int = 256, roughness: float = 3.0, p: float = 0.5):
        super().__init__(p=p)
        n = "PlasmaBrightnessContrast"
        self.brightness_range = P.to_range(n, "brightness_range", brightness_range, bounds=(-1, 1))
        self.contrast_range = P.to_range(n, "contrast_range", contrast_range, bounds=(-1, 1))
        self.plasma_size, self.roughness = _plasma_args(n, plasma_size, roughness)

    def sample(self, rng, state):
        b, c = P.draw_uniform(rng, *self.brightness_range), P.draw_uniform(rng, *self.contrast_range)
        pattern = _plasma_pattern(rng, self.plasma_size, self.roughness, state.shape)
        return {"brightness": b, "contrast": c, "pattern": pattern}

    def apply(self, img, brightness, contrast, pattern, **_):
        return F.plasma_brightness_contrast(img, pattern, brightness, contrast)


class PlasmaShadow(ImageOnlyTransform):
    """Organic shadows: ``out = img * (1 - intensity * P)`` with a fractal plasma pattern P.

    Args:
        shadow_intensity_range: range of the intensity, within [0, 1] (1: black where P = 1).
        plasma_size: side of the pattern grid, >= 2 (at most the image's longer side is
            used); it is resized to the image.
        roughness: > 0; see :class:`PlasmaBrightnessContrast`.
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32. Any channel count.

    >>> import numpy as np
    >>> from augkit.transforms.lighting import PlasmaShadow
    >>> t = PlasmaShadow(shadow_intensity_range=(0.5, 0.5), p=1.0)
    >>> out = t(image=np.full((32, 32), 0.5, np.float32))["image"]
    >>> round(float(out.min()), 3), round(float(out.max()), 3)
    (0.25, 0.5)
    """

    supported_dtypes = _DTYPES

    def __init__(self, shadow_intensity_range=(0.3, 0.7), plasma_size: int = 256,
                 roughness: float = 3.0, p: float = 0.5):
        super().__init__(p=p)
        n = "PlasmaShadow"
        self.shadow_intensity_range = P.to_range(n, "shadow_intensity_range",
                                                 shadow_intensity_range, scalar="point",
                                                 bounds=(0, 1))
        self.plasma_size, self.roughness = _plasma_args(n, plasma_size, roughness)

    def sample(self, rng, state):
        i = P.draw_uniform(rng, *self.shadow_intensity_range)
        pattern = _plasma_pattern(rng, self.plasma_size, self.roughness, state.shape)
        return {"intensity": i, "pattern": pattern}

    def apply(self, img, intensity, pattern, **_):
        return F.plasma_shadow(img, pattern, intensity)


class Illumination(ImageOnlyTransform):
    """Lighting patterns: a directional gradient, light from a corner, or a spotlight.

    Args:
        mode: ``"linear"`` (gradient ``1 +- intensity * (2 g - 1)`` along ``angle``),
            ``"corner"`` (falloff of ``intensity`` from a random corner to the opposite
            one) or ``"gaussian"`` (spotlight ``1 +- intensity * exp(-d^2 / 2 sigma^2)``).
        intensity_range: range of the strength, within [0, 1].
        effect_type: ``"brighten"``, ``"darken"`` or ``"both"`` (random per call).
        angle_range: range of the gradient angle in degrees, within [0, 360]
            (0: left to right, 90: top to bottom); ``"linear"`` only.
        center_range: range of the spotlight centre, fractions of width and height within
            [0, 1]; ``"gaussian"`` only.
        sigma_range: range of the spotlight sigma as a fraction of the longer side, > 0;
            ``"gaussian"`` only.
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32. Any channel count.

    >>> import numpy as np
    >>> from augkit.transforms.lighting import Illumination
    >>> t = Illumination(intensity_range=(0.2, 0.2), effect_type="brighten", angle_range=(0, 0), p=1.0)
    >>> out = t(image=np.full((4, 11), 0.5, np.float32))["image"]
    >>> [round(float(v), 2) for v in out[0, ::5]]
    [0.4, 0.5, 0.6]
    """

    supported_dtypes = _DTYPES

    def __init__(self, mode: str = "linear", intensity_range=(0.01, 0.2), effect_type: str = "both",
                 angle_range=(0, 360), center_range=(0.1, 0.9), sigma_range=(0.2, 1.0),
                 p: float = 0.5):
        super().__init__(p=p)
        n = "Illumination"
        self.mode = P.check_choice(n, "mode", mode, ("linear", "corner", "gaussian"))
        self.intensity_range = P.to_range(n, "intensity_range", intensity_range, scalar="point",
                                          bounds=(0, 1))
        self.effect_type = P.check_choice(n, "effect_type", effect_type, ("brighten", "darken", "both"))
        self.angle_range = P.to_range(n, "angle_range", angle_range, scalar="point", bounds=(0, 360))
        self.center_range = P.to_range(n, "center_range", center_range, scalar="point", bounds=(0, 1))
        self.sigma_range = P.to_range(n, "sigma_range", sigma_range, scalar="point", bounds=(0, None))
        if self.sigma_range[0] <= 0:
            raise P.fail(n, "sigma_range", sigma_range, "sigma_range must hold values > 0")

    def sample(self, rng, state):
        intensity = P.draw_uniform(rng, *self.intensity_range)
        if self.effect_type == "both":
            sign = 1.0 if rng.random() < 0.5 else -1.0
        else:
            sign = 1.0 if self.effect_type == "brighten" else -1.0
        params = {"intensity": intensity, "sign": sign}
        if self.mode == "linear":
            params["angle"] = P.draw_uniform(rng, *self.angle_range)
        elif self.mode == "corner":
            params["corner"] = P.draw_int(rng, 0, 3)
        else:
            params["center"] = (P.draw_uniform(rng, *self.center_range), P.draw_uniform(rng, *self.center_range))
            params["sigma"] = P.draw_uniform(rng, *self.sigma_range)
        return params

    def apply(self, img, intensity, sign, **params):
        h, w = img.shape[:2]
        extra = {k: params[k] for k in ("angle", "corner", "center", "sigma") if k in params}
        return scale_by_map(img, F.illumination_map(h, w, self.mode, intensity, sign, **extra))


class LensFlare(ImageOnlyTransform):
    """Lens flare: a glow with starburst rays at a bright source, and ghost reflections
    along the line from the source through the image centre (newer Albumentations API).

    Ghosts sit at ``source + t * (centre - source)`` with t in [0.3, 2.2] (t = 2 is the
    source mirrored through the centre). The flare layer is blurred (bloom) and
    screen-blended: ``out = 1 - (1 - img) * (1 - intensity * flare)``.

    Args:
        flare_roi: (x_min, y_min, x_max, y_max) in [0, 1] where the source lies.
        num_ghosts_range: range of the number of ghost reflections, >= 0.
        intensity_range: range of the flare strength, within [0, 1].
        num_rays_range: range of the number of starburst rays, >= 0.
        bloom_range: range of the bloom blur sigma as a fraction of the image diagonal,
            within [0, 1].
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32. Any channel count.

    >>> import numpy as np
    >>> from augkit.transforms.lighting import LensFlare
    >>> t = LensFlare(flare_roi=(0.2, 0.2, 0.2, 0.2), p=1.0)
    >>> out = t(image=np.zeros((64, 64, 3), np.uint8))["image"]
    >>> bool(out[13, 13].min() > out[60, 5].max())
    True
    """

    supported_dtypes = _DTYPES

    def __init__(self, flare_roi=(0, 0, 1, 0.5), num_ghosts_range=(3, 7), intensity_range=(0.3, 0.7),
                 num_rays_range=(4, 8), bloom_range=(0.01, 0.05), p: float = 0.5):
        super().__init__(p=p)
        n = "LensFlare"
        self.flare_roi = _roi(n, "flare_roi", flare_roi)
        self.num_ghosts_range = _int_range(n, "num_ghosts_range", num_ghosts_range, 0)
        self.intensity_range = P.to_range(n, "intensity_range", intensity_range, scalar="point",
                                          bounds=(0, 1))
        self.num_rays_range = _int_range(n, "num_rays_range", num_rays_range, 0)
        self.bloom_range = P.to_range(n, "bloom_range", bloom_range, scalar="point", bounds=(0, 1))

    def sample(self, rng, state):
        h, w = state.shape
        x0, y0, x1, y1 = self.flare_roi
        sx, sy = P.draw_uniform(rng, x0, x1) * w, P.draw_uniform(rng, y0, y1) * h
        cx, cy = w / 2, h / 2
        diag = math.hypot(h, w)
        ghosts = []
        for _ in range(P.draw_int(rng, self.num_ghosts_range[0], self.num_ghosts_range[1])):
            t = P.draw_uniform(rng, 0.3, 2.2)
            col = tuple(255 * rng.uniform(0.5, 1.0, 3))
            ghosts.append((sx + t * (cx - sx), sy + t * (cy - sy), P.draw_uniform(rng, 0.01, 0.06) * diag,
                           P.draw_uniform(rng, 0.1, 0.4), col))
        k = P.draw_int(rng, self.num_rays_range[0], self.num_rays_range[1])
        base = P.draw_uniform(rng, 0, 2 * math.pi)
        rays = [base + 2 * math.pi * i / k for i in range(k)]
        return {"source": (sx, sy), "ghosts": ghosts, "ray_angles": rays,
                "intensity": P.draw_uniform(rng, *self.intensity_range), "bloom": P.draw_uniform(rng, *self.bloom_range)}

    def apply(self, img, source, ghosts, ray_angles, intensity, bloom, **_):
        return F.lens_flare(img, source, ghosts, ray_angles, intensity, bloom)


class Vignetting(ImageOnlyTransform):
    """Radial darkening toward the borders (newer Albumentations API).

    ``out = img * (1 - intensity * min(1, r^2))``, r the elliptical distance from the
    vignette centre, scaled so that r = 1 at the corners of a centred vignette
    (quadratic falloff; a centre 0 keeps the centre pixel unchanged).

    Args:
        intensity_range: range of the darkening at the corners, within [0, 1]
            (0: no effect, 1: black corners).
        center_range: range of the centre's x and y (each drawn separately) as fractions
            of width and height, within [0, 1]; (0.5, 0.5) is the image centre.
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32. Any channel count.

    >>> import numpy as np
    >>> from augkit.transforms.lighting import Vignetting
    >>> t = Vignetting(intensity_range=(0.5, 0.5), center_range=(0.5, 0.5), p=1.0)
    >>> out = t(image=np.full((100, 100), 200, np.uint8))["image"]
    >>> int(out[50, 50]), int(out[0, 0])
    (200, 102)
    """

    supported_dtypes = _DTYPES

    def __init__(self, intensity_range=(0.2, 0.5), center_range=(0.3, 0.7), p: float = 0.5):
        super().__init__(p=p)
        n = "Vignetting"
        self.intensity_range = P.to_range(n, "intensity_range", intensity_range, scalar="point",
                                          bounds=(0, 1))
        self.center_range = P.to_range(n, "center_range", center_range, scalar="point", bounds=(0, 1))

    def sample(self, rng, state):
        return {"intensity": P.draw_uniform(rng, *self.intensity_range),
                "center": (P.draw_uniform(rng, *self.center_range), P.draw_uniform(rng, *self.center_range))}

    def apply(self, img, intensity, center, **_):
        h, w = img.shape[:2]
        return scale_by_map(img, F.vignette_map(h, w, intensity, center))


class ChromaticAberration(ImageOnlyTransform):
    """Lateral chromatic aberration: radial distortion of the red and blue channels.

    A channel is resampled at ``c + (p - c) * (1 + k1 r^2 + k2 r^4)`` (r relative to
    width and height, as OpenCV undistortion with fx = w, fy = h); green is kept.

    Args:
        primary_distortion_limit: range of k1; one number v means (-v, v).
        secondary_distortion_limit: range of k2; one number v means (-v, v).
        mode: ``"green_purple"`` (red and blue shifted together against green),
            ``"red_blue"`` (red and blue shifted in opposite directions) or ``"random"``.
            These are the behaviours 2.0.8 shows (its docstring describes them swapped).
        interpolation: OpenCV interpolation flag for the resampling.
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32. Channels: 3.

    >>> import numpy as np
    >>> from augkit.transforms.lighting import ChromaticAberration
    >>> img = np.zeros((41, 41, 3), np.uint8); img[:, :10] = 255
    >>> out = ChromaticAberration(primary_distortion_limit=(0.3, 0.3), secondary_distortion_limit=0, p=1.0)(image=img)["image"]
    >>> bool((out[..., 0] != img[..., 0]).any()) and bool((out[..., 1] == img[..., 1]).all())
    True
    """

    supported_dtypes = _DTYPES

    def __init__(self, primary_distortion_limit=(-0.02, 0.02), secondary_distortion_limit=(-0.05, 0.05),
                 mode: str = "green_purple", interpolation: int = 1, p: float = 0.5):
        super().__init__(p=p)
        n = "ChromaticAberration"
        self.primary_distortion_limit = P.to_range(n, "primary_distortion_limit",
                                                   primary_distortion_limit)
        self.secondary_distortion_limit = P.to_range(n, "secondary_distortion_limit",
                                                     secondary_distortion_limit)
        self.mode = P.check_choice(n, "mode", mode, ("green_purple", "red_blue", "random"))
        self.interpolation = P.check_interpolation(n, "interpolation", interpolation)

    def check_image(self, img):
        super().check_image(img)
        _check_channels(self, img, (3,))

    def sample(self, rng, state):
        k1 = P.draw_uniform(rng, *self.primary_distortion_limit)
        k2 = P.draw_uniform(rng, *self.secondary_distortion_limit)
        mode = self.mode
        if mode == "random":
            mode = "green_purple" if rng.random() < 0.5 else "red_blue"
        sb = 1.0 if mode == "green_purple" else -1.0
        return {"k1_r": k1, "k2_r": k2, "k1_b": sb * k1, "k2_b": sb * k2}

    def apply(self, img, k1_r, k2_r, k1_b, k2_b, **_):
        return F.chromatic_aberration(img, k1_r, k2_r, k1_b, k2_b, self.interpolation)
