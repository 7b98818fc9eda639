"""Weather transforms: fog, rain, snow, sun flare, shadows, gravel, lens spatter, haze.

Pixel-level only (masks, boxes and keypoints pass through). Names, arguments and
defaults follow Albumentations 2.0.8 (:class:`AtmosphericFog` follows the newer
Albumentations API). Everything random, including image-size dependent drop positions,
polygons and noise fields, is drawn in ``sample`` so every image target of a call gets
the same weather. Kernels: :mod:`augkit.functional.weather`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import cv2
import numpy as np

from augkit.core import params as P
from augkit.core.transform import ImageOnlyTransform
from augkit.errors import UnsupportedInputError
from augkit.functional import weather as F

__all__ = ["AtmosphericFog", "RandomFog", "RandomGravel", "RandomRain", "RandomShadow",
           "RandomSnow", "RandomSunFlare", "Spatter"]

_DTYPES = ("uint8", "uint16", "float32")


def _check_channels(t: ImageOnlyTransform, img: np.ndarray, allowed: tuple[int, ...]) -> None:
    c = 1 if img.ndim == 2 else img.shape[2]
    if c not in allowed:
        raise UnsupportedInputError(
            f"{type(t).__name__}: expects an image with {' or '.join(map(str, allowed))} "
            f"channels, got {c} channels (shape {img.shape})")


def _roi(owner: str, name: str, value: Any) -> tuple[float, float, float, float]:
    ok = (isinstance(value, Sequence) and not isinstance(value, str) and len(value) == 4
          and all(P.is_number(v) and 0 <= v <= 1 for v in value))
    if not ok or value[0] > value[2] or value[1] > value[3]:
        raise P.fail(owner, name, value, f"{name} must be (x_min, y_min, x_max, y_max) in [0, 1] "
                                         f"with x_min <= x_max and y_min <= y_max")
    return tuple(float(v) for v in value)


def _color(owner: str, name: str, value: Any, length: int | None = 3) -> tuple[float, ...]:
    ok = (isinstance(value, Sequence) and not isinstance(value, str) and len(value) > 0
          and (length is None or len(value) == length)
          and all(P.is_number(v) and 0 <= v <= 255 for v in value))
    if not ok:
        n = f"{length} " if length else ""
        raise P.fail(owner, name, value, f"{name} must be {n}numbers in [0, 255]")
    return tuple(value)


def _int_range(owner: str, name: str, value: Any, low: int) -> tuple[int, int]:
    r = P.to_range(owner, name, value, scalar="point", integer=True, bounds=(low, None))
    return int(r[0]), int(r[1])


class RandomFog(ImageOnlyTransform):
    """Fog: the image is softened and blended toward white under blobs of fog.

    Fog is denser toward the image centre. Its opacity is the accumulation of many soft
    blobs, each of opacity ``alpha_coef``; their number and size grow with the fog
    coefficient. The fog is composed on a coarse grid and blended once (about 70x faster
    than 2.0.8, which draws every circle at full size).

    Args:
        alpha_coef: opacity of one fog blob, in [0, 1].
        fog_coef_range: range of the fog intensity, within [0, 1].
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32. Any channel count.

    >>> import numpy as np
    >>> from augkit.transforms.weather import RandomFog
    >>> out = RandomFog(fog_coef_range=(1, 1), p=1.0)(image=np.zeros((64, 64, 3), np.uint8))["image"]
    >>> bool(out[32, 32, 0] > out[0, 0, 0])
    True
    """

    supported_dtypes = _DTYPES
    _GRID = 48

    def __init__(self, alpha_coef: float = 0.08, fog_coef_range=(0.3, 1), p: float = 0.5):
        super().__init__(p=p)
        n = "RandomFog"
        self.alpha_coef = float(P.check_number(n, "alpha_coef", alpha_coef, 0, 1))
        self.fog_coef_range = P.to_range(n, "fog_coef_range", fog_coef_range, scalar="point",
                                         bounds=(0, 1))

    def sample(self, rng, state):
        h, w = state.shape
        fog = P.draw_uniform(rng, *self.fog_coef_range)
        s = self._GRID / max(h, w)
        gh, gw = max(2, round(h * s)), max(2, round(w * s))
        k = 1 + int(60 * fog)
        # blob centres around the image centre, radii growing with the fog
        cx = np.clip(rng.normal(0.5, 0.22, k), 0, 1) * (gw - 1)
        cy = np.clip(rng.normal(0.5, 0.22, k), 0, 1) * (gh - 1)
        r = rng.uniform(0.08, 0.22, k) * (0.5 + fog) * min(gh, gw)
        xs = np.arange(gw, dtype=np.float32)
        ys = np.arange(gh, dtype=np.float32)
        dx2 = (xs[None, :] - cx[:, None].astype(np.float32)) ** 2
        dy2 = (ys[None, :] - cy[:, None].astype(np.float32)) ** 2
        inv = (1.0 / (2 * r ** 2)).astype(np.float32)
        blobs = np.einsum("ky,kx->yx", np.exp(-dy2 * inv[:, None]), np.exp(-dx2 * inv[:, None]))
        depth = -np.log1p(-min(self.alpha_coef, 0.999)) * fog * blobs * 1.5
        alpha = (1.0 - np.exp(-depth)).astype(np.float32)
        ksize = 2 * max(0, int(round(fog * min(h, w) / 200))) + 1
        return {"alpha": alpha, "blur_ksize": ksize}

    def apply(self, img, alpha, blur_ksize, **_):
        return F.fog(img, alpha, blur_ksize)


class RandomRain(ImageOnlyTransform):
    """Rain: slanted streaks of ``drop_color``, then a box blur and darkening.

    Args:
        slant_range: range of the streak angle from vertical, in degrees, within [-90, 90].
        drop_length: streak length in pixels; None: height // 8 (``"default"``), or the
            length of the rain type.
        drop_width: streak width in pixels, >= 1.
        drop_color: (r, g, b) in [0, 255] (scaled to the dtype; its mean on grey images).
        blur_value: box-blur size, >= 1 (1: no blur).
        brightness_coefficient: the image is multiplied by it, in (0, 1].
        rain_type: ``"default"``, ``"drizzle"`` (sparse, length 10), ``"heavy"``
            (length 30) or ``"torrential"`` (dense, length 60).
        p: probability of applying the transform.

    Differences from 2.0.8: streaks are drawn, then the image is blurred and darkened,
    so streaks darken with the scene (2.0.8 lightens them to an unrelated value).

    Targets: image. Dtypes: uint8, uint16, float32. Channels: 1 or 3.

    >>> import numpy as np
    >>> from augkit.transforms.weather import RandomRain
    >>> t = RandomRain(blur_value=1, brightness_coefficient=1.0, p=1.0)
    >>> out = t(image=np.zeros((64, 64, 3), np.uint8))["image"]
    >>> sorted(np.unique(out).tolist())
    [0, 200]
    """

    supported_dtypes = _DTYPES
    _TYPES = {"drizzle": (770, 10), "heavy": (600, 30), "torrential": (500, 60),
              "default": (600, None)}

    def __init__(self, slant_range=(-10, 10), drop_length: int | None = None, drop_width: int = 1,
                 drop_color=(200, 200, 200), blur_value: int = 7,
                 brightness_coefficient: float = 0.7, rain_type: str = "default", p: float = 0.5):
        super().__init__(p=p)
        n = "RandomRain"
        self.slant_range = P.to_range(n, "slant_range", slant_range, bounds=(-90, 90))
        if drop_length is not None:
            P.check_number(n, "drop_length", drop_length, 1, integer=True)
        self.drop_length = drop_length
        self.drop_width = P.check_number(n, "drop_width", drop_width, 1, integer=True)
        self.drop_color = _color(n, "drop_color", drop_color)
        self.blur_value = P.check_number(n, "blur_value", blur_value, 1, integer=True)
        self.brightness_coefficient = float(P.check_number(
            n, "brightness_coefficient", brightness_coefficient, 0, 1, low_inclusive=False))
        self.rain_type = P.check_choice(n, "rain_type", rain_type, tuple(self._TYPES))

    def check_image(self, img):
        super().check_image(img)
        _check_channels(self, img, (1, 3))

    def sample(self, rng, state):
        h, w = state.shape
        per, length = self._TYPES[self.rain_type]
        if self.drop_length is not None:
            length = self.drop_length
        elif length is None:
            length = max(1, h // 8)
        slant = math.radians(P.draw_uniform(rng, *self.slant_range))
        num = (h * w) // per
        dx, dy = length * math.sin(slant), length * math.cos(slant)
        x = rng.uniform(0, w, num)
        y = rng.uniform(-dy, h, num)
        lines = np.stack([np.stack([x, y], 1), np.stack([x + dx, y + dy], 1)], 1)
        return {"lines": np.round(lines).astype(np.int32)}

    def apply(self, img, lines, **_):
        return F.rain(img, lines, self.drop_color, self.drop_width, self.blur_value,
                      self.brightness_coefficient)


class RandomSnow(ImageOnlyTransform):
    """Snow: bleach dark-to-mid tones (``"bleach"``) or overlay a snow texture (``"texture"``).

    Args:
        brightness_coeff: ``"bleach"``: lightness multiplier (> 0) of pixels below the
            threshold ``snow_point / 2 + 1/3`` of the maximum (in HLS), as in 2.0.8.
            ``"texture"``: the image is brightened by ``1 + brightness_coeff * snow_point``.
        snow_point_range: range of snow_point, within [0, 1].
        method: ``"bleach"`` or ``"texture"`` (smooth snow layer, denser at the top, with
            sparkles).
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32. Channels: 1 or 3.

    >>> import numpy as np
    >>> from augkit.transforms.weather import RandomSnow
    >>> t = RandomSnow(snow_point_range=(0.2, 0.2), brightness_coeff=2.0, p=1.0)
    >>> t(image=np.array([[10, 200]], np.uint8))["image"].tolist()
    [[20, 200]]
    """

    supported_dtypes = _DTYPES

    def __init__(self, brightness_coeff: float = 2.5, snow_point_range=(0.1, 0.3),
                 method: str = "bleach", p: float = 0.5):
        super().__init__(p=p)
        n = "RandomSnow"
        self.brightness_coeff = float(P.check_number(n, "brightness_coeff", brightness_coeff, 0,
                                                     low_inclusive=False))
        self.snow_point_range = P.to_range(n, "snow_point_range", snow_point_range,
                                           scalar="point", bounds=(0, 1))
        self.method = P.check_choice(n, "method", method, ("bleach", "texture"))

    def check_image(self, img):
        super().check_image(img)
        _check_channels(self, img, (1, 3))

    def sample(self, rng, state):
        sp = P.draw_uniform(rng, *self.snow_point_range)
        if self.method == "bleach":
            return {"snow_point": sp}
        h, w = state.shape
        gh, gw = max(2, h // 8), max(2, w // 8)
        tex = rng.standard_normal((gh, gw), dtype=np.float32) * np.float32(0.3) + np.float32(0.5)
        tex = np.clip(cv2.GaussianBlur(tex, (0, 0), 1.0), 0, 1)
        depth = np.linspace(1.0, 0.2, gh, dtype=np.float32)[:, None]
        alpha = np.clip(tex * depth * np.float32(min(1.0, 1.5 * sp)), 0, 1).astype(np.float32)
        k = int(h * w * sp * 0.001)
        sparkles = np.stack([rng.integers(0, h, k), rng.integers(0, w, k)], 1)
        return {"snow_point": sp, "alpha": alpha, "sparkles": sparkles}

    def apply(self, img, snow_point, alpha=None, sparkles=None, **_):
        if self.method == "bleach":
            return F.snow_bleach(img, snow_point / 2 + 1 / 3, self.brightness_coeff)
        return F.snow_texture(img, 1 + self.brightness_coeff * snow_point, alpha, sparkles)


class RandomSunFlare(ImageOnlyTransform):
    """Sun flare: a bright sun with radial falloff and flare circles along a line.

    Args:
        flare_roi: (x_min, y_min, x_max, y_max) in [0, 1] where the sun's centre lies.
        src_radius: sun radius in pixels, >= 1.
        src_color: sun colour, values in [0, 255] (3 values; their mean on grey images).
        angle_range: range of the flare line direction as a fraction of 2*pi, within [0, 1].
        num_flare_circles_range: range of the number of flare circles, >= 0.
        method: ``"overlay"`` (alpha blending) or ``"physics_based"`` (glow, diffraction
            rays and ghosts composed at 1/4 scale, blurred and screen-blended).
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32. Channels: 1 or 3.

    >>> import numpy as np
    >>> from augkit.transforms.weather import RandomSunFlare
    >>> t = RandomSunFlare(flare_roi=(0.5, 0.5, 0.5, 0.5), src_radius=20, p=1.0)
    >>> out = t(image=np.zeros((64, 64, 3), np.uint8))["image"]
    >>> int(out[32, 32, 0])
    255
    """

    supported_dtypes = _DTYPES

    def __init__(self, flare_roi=(0, 0, 1, 0.5), src_radius: int = 400, src_color=(255, 255, 255),
                 angle_range=(0, 1), num_flare_circles_range=(6, 10), method: str = "overlay",
                 p: float = 0.5):
        super().__init__(p=p)
        n = "RandomSunFlare"
        self.flare_roi = _roi(n, "flare_roi", flare_roi)
        self.src_radius = P.check_number(n, "src_radius", src_radius, 1, integer=True)
        self.src_color = _color(n, "src_color", src_color, None)
        self.angle_range = P.to_range(n, "angle_range", angle_range, scalar="point", bounds=(0, 1))
        self.num_flare_circles_range = _int_range(n, "num_flare_circles_range",
                                                  num_flare_circles_range, 0)
        self.method = P.check_choice(n, "method", method, ("overlay", "physics_based"))

    def check_image(self, img):
        super().check_image(img)
        _check_channels(self, img, (1, 3))

    def sample(self, rng, state):
        h, w = state.shape
        x0, y0, x1, y1 = self.flare_roi
        sx, sy = P.draw_uniform(rng, x0, x1) * w, P.draw_uniform(rng, y0, y1) * h
        angle = 2 * math.pi * P.draw_uniform(rng, *self.angle_range)
        num = P.draw_int(rng, self.num_flare_circles_range[0], self.num_flare_circles_range[1])
        diag = math.hypot(h, w)
        base = np.asarray(self.src_color, np.float64)
        circles = []
        for _ in range(num):
            t = P.draw_uniform(rng, 0.1, 1.0) * diag
            x, y = sx + t * math.cos(angle), sy + t * math.sin(angle)
            r = P.draw_uniform(rng, 0.01, 0.06) * diag
            alpha = P.draw_uniform(rng, 0.05, 0.2)
            col = np.clip(base - rng.uniform(0, 60, len(base)), 0, 255)
            circles.append((x, y, r, alpha, tuple(col)))
        params = {"sun": (sx, sy), "circles": circles}
        if self.method == "physics_based":
            params["ray_angles"] = rng.uniform(0, 2 * math.pi, P.draw_int(rng, 6, 12)).tolist()
        return params

    def apply(self, img, sun, circles, ray_angles=None, **_):
        if self.method == "overlay":
            return F.sun_flare_overlay(img, sun, self.src_radius, self.src_color, circles)
        return F.sun_flare_physics(img, sun, self.src_radius, self.src_color, circles, ray_angles)


class RandomShadow(ImageOnlyTransform):
    """Shadows: random polygons inside ``shadow_roi`` darken the image by ``1 - intensity``.

    Args:
        shadow_roi: (x_min, y_min, x_max, y_max) in [0, 1] holding the polygons.
        num_shadows_limit: (low, high) number of shadows, low >= 1.
        shadow_dimension: vertices per polygon, >= 3.
        shadow_intensity_range: range of the darkening, within [0, 1].
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32. Any channel count.

    >>> import numpy as np
    >>> from augkit.transforms.weather import RandomShadow
    >>> out = RandomShadow(num_shadows_limit=(1, 1), p=1.0)(image=np.full((64, 64), 100, np.uint8))["image"]
    >>> sorted(np.unique(out).tolist())
    [50, 100]
    """

    supported_dtypes = _DTYPES

    def __init__(self, shadow_roi=(0, 0.5, 1, 1), num_shadows_limit=(1, 2), shadow_dimension: int = 5,
                 shadow_intensity_range=(0.5, 0.5), p: float = 0.5):
        super().__init__(p=p)
        n = "RandomShadow"
        self.shadow_roi = _roi(n, "shadow_roi", shadow_roi)
        self.num_shadows_limit = _int_range(n, "num_shadows_limit", num_shadows_limit, 1)
        self.shadow_dimension = P.check_number(n, "shadow_dimension", shadow_dimension, 3,
                                               integer=True)
        self.shadow_intensity_range = P.to_range(n, "shadow_intensity_range",
                                                 shadow_intensity_range, scalar="point",
                                                 bounds=(0, 1))

    def sample(self, rng, state):
        h, w = state.shape
        x0, y0, x1, y1 = self.shadow_roi
        k = P.draw_int(rng, self.num_shadows_limit[0], self.num_shadows_limit[1])
        polys, inten = [], []
        for _ in range(k):
            xs = rng.uniform(x0 * w, x1 * w, self.shadow_dimension)
            ys = rng.uniform(y0 * h, y1 * h, self.shadow_dimension)
            polys.append(np.round(np.stack([xs, ys], 1)).astype(np.int32))
            inten.append(P.draw_uniform(rng, *self.shadow_intensity_range))
        return {"polygons": polys, "intensities": inten}

    def apply(self, img, polygons, intensities, **_):
        return F.shadow(img, polygons, intensities)


class RandomGravel(ImageOnlyTransform):
    """Gravel: small squares of random HLS lightness scattered in patches inside ``gravel_roi``.

    Args:
        gravel_roi: (x_min, y_min, x_max, y_max) in [0, 1] holding the patches.
        number_of_patches: number of patches, >= 1; each holds ~1 particle per 500 pixels.
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32. Channels: 1 or 3.

    >>> import numpy as np
    >>> from augkit.transforms.weather import RandomGravel
    >>> out = RandomGravel(p=1.0)(image=np.full((64, 64, 3), 100, np.uint8))["image"]
    >>> bool((out != 100).any()) and bool((out[:16] == 100).all())
    True
    """

    supported_dtypes = _DTYPES

    def __init__(self, gravel_roi=(0.1, 0.4, 0.9, 0.9), number_of_patches: int = 2, p: float = 0.5):
        super().__init__(p=p)
        n = "RandomGravel"
        self.gravel_roi = _roi(n, "gravel_roi", gravel_roi)
        self.number_of_patches = P.check_number(n, "number_of_patches", number_of_patches, 1,
                                                integer=True)

    def check_image(self, img):
        super().check_image(img)
        _check_channels(self, img, (1, 3))

    def sample(self, rng, state):
        h, w = state.shape
        x0, y0, x1, y1 = (int(self.gravel_roi[0] * w), int(self.gravel_roi[1] * h),
                          int(self.gravel_roi[2] * w), int(self.gravel_roi[3] * h))
        patches, parts = [], []
        for _ in range(self.number_of_patches):
            if x1 - x0 < 2 or y1 - y0 < 2:
                break
            # the patch's four uniforms in one call (the same values as four random()
            # calls, ~1 us instead of ~8), each scaled as P.draw_int does
            u0, u1, u2, u3 = rng.random(4).tolist()
            pw = P.scaled_int(u0, 1, max(2, (x1 - x0) // 2) - 1)
            ph = P.scaled_int(u1, 1, max(2, (y1 - y0) // 2) - 1)
            px = P.scaled_int(u2, x0, x1 - pw)
            py = P.scaled_int(u3, y0, y1 - ph)
            patches.append((px, py, px + pw, py + ph))
            k = max(1, pw * ph // 500)
            # x in [px, px + pw), y in [py, py + ph), radius 1..3, lightness 0..255: one
            # (k, 4) uniform draw scaled per column (four Generator.integers calls cost
            # ~4x more, the transform's whole time on a 64x64 image); a few particles in
            # plain floats (the same truncated products as the array recipe)
            if k <= 16:
                u = rng.random(4 * k).tolist()
                parts.extend([int(u[i] * pw) + px, int(u[i + 1] * ph) + py, int(u[i + 2] * 3) + 1,
                              int(u[i + 3] * 256)] for i in range(0, 4 * k, 4))
            else:
                u = rng.random((k, 4)) * np.array([pw, ph, 3, 256], np.float64)
                parts.extend((u.astype(np.int64) + (px, py, 1, 0)).tolist())
        particles = np.array(parts, np.int64).reshape(-1, 4)
        return {"patches": patches, "particles": particles}

    def apply(self, img, patches, particles, **_):
        return F.gravel(img, patches, particles)


class Spatter(ImageOnlyTransform):
    """Rain or mud spattered on the lens.

    A Gaussian random field (``mean``, ``std``) is smoothed by ``gauss_sigma``; where it
    exceeds ``cutout_threshold`` there is liquid. ``"rain"`` adds
    ``intensity * liquid * color``; ``"mud"`` blends toward ``color`` with opacity
    ``intensity * liquid``. Each of ``mean``, ``std``, ``gauss_sigma``,
    ``cutout_threshold``, ``intensity`` is a range (low, high) or one number v meaning (0, v).

    Args:
        mean: mean of the field.
        std: standard deviation of the field, >= 0.
        gauss_sigma: smoothing sigma in pixels, >= 0.
        cutout_threshold: liquid threshold.
        intensity: strength of the corruption, within [0, 1].
        mode: ``"rain"`` or ``"mud"``.
        color: colour (values in [0, 255]); None: (238, 238, 175) for rain,
            (20, 42, 63) for mud.
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32. Channels: 1 or 3.

    >>> import numpy as np
    >>> from augkit.transforms.weather import Spatter
    >>> out = Spatter(p=1.0)(image=np.full((64, 64, 3), 100, np.uint8))["image"]
    >>> bool(out.mean() > 100)
    True
    """

    supported_dtypes = _DTYPES
    _COLORS = {"rain": (238, 238, 175), "mud": (20, 42, 63)}

    def __init__(self, mean=(0.65, 0.65), std=(0.3, 0.3), gauss_sigma=(2, 2),
                 cutout_threshold=(0.68, 0.68), intensity=(0.6, 0.6), mode: str = "rain",
                 color=None, p: float = 0.5):
        super().__init__(p=p)
        n = "Spatter"
        self.mean = P.to_range(n, "mean", mean, scalar="zero")
        self.std = P.to_range(n, "std", std, scalar="zero", bounds=(0, None))
        self.gauss_sigma = P.to_range(n, "gauss_sigma", gauss_sigma, scalar="zero", bounds=(0, None))
        self.cutout_threshold = P.to_range(n, "cutout_threshold", cutout_threshold, scalar="zero")
        self.intensity = P.to_range(n, "intensity", intensity, scalar="zero", bounds=(0, 1))
        self.mode = P.check_choice(n, "mode", mode, ("rain", "mud"))
        self.color = None if color is None else _color(n, "color", color, None)

    def check_image(self, img):
        super().check_image(img)
        _check_channels(self, img, (1, 3))

    def sample(self, rng, state):
        h, w = state.shape
        mean, std = P.draw_uniform(rng, *self.mean), P.draw_uniform(rng, *self.std)
        sigma = P.draw_uniform(rng, *self.gauss_sigma)
        # A field this smooth is drawn on a half-size grid (0.8 ms instead of 3.2 ms for
        # 512x512 normals) with sigma and deviation halved, which keeps the smoothed
        # field's statistics: the std of white noise blurred by s falls as 1 / s.
        half = sigma >= 2.0 and min(h, w) >= 4
        shape = ((h + 1) // 2, (w + 1) // 2) if half else (h, w)
        liquid = rng.standard_normal(shape, dtype=np.float32)
        liquid *= np.float32(std * (0.5 if half else 1.0))
        liquid += np.float32(mean)
        return {"liquid": liquid, "sigma": sigma / 2 if half else sigma,
                "threshold": P.draw_uniform(rng, *self.cutout_threshold),
                "intensity": P.draw_uniform(rng, *self.intensity)}

    def apply(self, img, liquid, sigma, threshold, intensity, **_):
        color = self.color if self.color is not None else self._COLORS[self.mode]
        return F.spatter(img, liquid, sigma, threshold, intensity, self.mode, color)


class AtmosphericFog(ImageOnlyTransform):
    """Depth-dependent haze by the atmospheric scattering model (newer Albumentations API).

    ``out = img * t + fog_color * (1 - t)``, transmission ``t = exp(-density * depth)``,
    with a synthetic depth in [0, 1] from the pixel position.

    Args:
        density_range: range of the fog density (beta), >= 0; higher is thicker.
        fog_color: fog colour, values in [0, 255] (scaled to the dtype); its length must
            be the image's channel count, or any length for a grey image (the mean).
        depth_mode: ``"linear"`` (top of the image far, bottom near: sky over ground),
            ``"diagonal"`` (top-left far) or ``"radial"`` (centre near, corners far).
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32. Channels: 1 or ``len(fog_color)``.

    >>> import numpy as np
    >>> from augkit.transforms.weather import AtmosphericFog
    >>> out = AtmosphericFog(density_range=(2, 2), p=1.0)(image=np.zeros((9, 4, 3), np.uint8))["image"]
    >>> out[0, 0].tolist(), out[-1, 0].tolist()
    ([173, 173, 173], [0, 0, 0])
    """

    supported_dtypes = _DTYPES

    def __init__(self, density_range=(1.0, 3.0), fog_color=(200, 200, 200), depth_mode: str = "linear",
                 p: float = 0.5):
        super().__init__(p=p)
        n = "AtmosphericFog"
        self.density_range = P.to_range(n, "density_range", density_range, scalar="point",
                                        bounds=(0, None))
        self.fog_color = _color(n, "fog_color", fog_color, None)
        self.depth_mode = P.check_choice(n, "depth_mode", depth_mode, ("linear", "diagonal", "radial"))

    def check_image(self, img):
        super().check_image(img)
        _check_channels(self, img, tuple(sorted({1, len(self.fog_color)})))

    def sample(self, rng, state):
        return {"density": P.draw_uniform(rng, *self.density_range)}

    def apply(self, img, density, **_):
        return F.atmospheric_fog(img, density, self.fog_color, self.depth_mode)
