"""Tone and colour-mapping transforms: histogram stretching and equalization, tone curves,
illuminant and PCA colour shifts, fixed colour matrices.

Names, arguments and defaults follow Albumentations 2.0.8 (``Colorize``, ``Enhance`` and
``PhotoMetricDistort`` are augkit additions). Kernels live in :mod:`augkit.functional.tone`.
Dtypes: uint8, uint16 and float32 in [0, 1]; the output keeps the input dtype.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from augkit.core import params as P
from augkit.core.transform import ImageOnlyTransform
from augkit.errors import UnsupportedInputError
from augkit.functional import color as FC
from augkit.functional import tone as F

__all__ = ["AutoContrast", "CLAHE", "Equalize", "RandomToneCurve", "PlanckianJitter",
           "FancyPCA", "ToSepia", "ToRGB", "Colorize", "Enhance", "PhotoMetricDistort", "HEStain"]

_DTYPES = ("uint8", "uint16", "float32")


def _flag(owner: str, name: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise P.fail(owner, name, value, f"{name} must be True or False")
    return bool(value)


def _need(owner: str, img: np.ndarray, allowed: tuple[int, ...]) -> None:
    c = FC.num_channels(img)
    if c not in allowed:
        raise UnsupportedInputError(
            f"{owner}: expects an image with {' or '.join(map(str, allowed))} channels, "
            f"got {c} channels (shape {img.shape})")


def _factor_range(owner: str, name: str, value: Any) -> tuple[float, float]:
    """ColorJitter convention: one number v means (max(0, 1 - v), 1 + v)."""
    if P.is_number(value):
        if value < 0:
            raise P.fail(owner, name, value, f"{name} given as one number must be >= 0")
        return max(0.0, 1.0 - value), 1.0 + float(value)
    return P.to_range(owner, name, value, bounds=(0, None))


def _color(owner: str, name: str, value: Any, allow_none: bool = True):
    if value is None and allow_none:
        return None
    if isinstance(value, Sequence) and not isinstance(value, str) and len(value) == 3 \
            and all(P.is_number(v) and 0 <= v <= 255 for v in value):
        return tuple(float(v) for v in value)
    raise P.fail(owner, name, value, f"{name} must be an (R, G, B) colour with values in [0, 255]"
                 + (" or None (random)" if allow_none else ""))


class AutoContrast(ImageOnlyTransform):
    """Stretch each channel's intensity range to the full scale.

    Args:
        cutoff: percent of pixels ignored at each end of the histogram, in [0, 100).
        ignore: a level (0..255) left out of the histogram and kept unchanged, or None.
        method: ``"cdf"`` (map through the cumulative histogram between the edges) or
            ``"pil"`` (linear stretch, like ``PIL.ImageOps.autocontrast``).
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32 (histograms on 8-bit levels).

    >>> import numpy as np
    >>> from augkit.transforms.tone import AutoContrast
    >>> img = np.array([[50, 100, 150]], np.uint8)
    >>> AutoContrast(method="pil", p=1.0)(image=img)["image"].tolist()
    [[0, 127, 255]]
    """

    supported_dtypes = _DTYPES

    def __init__(self, cutoff: float = 0, ignore: int | None = None, method: str = "cdf",
                 p: float = 0.5):
        super().__init__(p=p)
        n = "AutoContrast"
        self.cutoff = float(P.check_number(n, "cutoff", cutoff, 0, 100))
        if ignore is not None:
            P.check_number(n, "ignore", ignore, 0, 255, integer=True)
        self.ignore = ignore
        self.method = P.check_choice(n, "method", method, ("cdf", "pil"))

    def sample(self, rng, state):
        return {}

    def apply(self, img, **_):
        return F.autocontrast(img, self.cutoff, self.ignore, self.method)


class CLAHE(ImageOnlyTransform):
    """Contrast Limited Adaptive Histogram Equalization (of L in LAB for RGB images).

    Args:
        clip_limit: range of the clip limit; one number v means (1, v).
        tile_grid_size: (rows, columns) of tiles.
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32 (processed at 8 bits). Channels: 1, 3.

    >>> import numpy as np
    >>> from augkit.transforms.tone import CLAHE
    >>> img = np.tile(np.arange(100, 132, dtype=np.uint8), (32, 1))
    >>> out = CLAHE(clip_limit=(4, 4), p=1.0)(image=img)["image"]
    >>> int(out.max()) - int(out.min()) > 31
    True
    """

    supported_dtypes = _DTYPES

    def __init__(self, clip_limit=4.0, tile_grid_size=(8, 8), p: float = 0.5):
        super().__init__(p=p)
        n = "CLAHE"
        if P.is_number(clip_limit):
            P.check_number(n, "clip_limit", clip_limit, 1)
            clip_limit = (1, clip_limit)
        self.clip_limit = P.to_range(n, "clip_limit", clip_limit, bounds=(0, None))
        self.tile_grid_size = P.check_size(n, "tile_grid_size", tile_grid_size)

    def check_image(self, img):
        super().check_image(img)
        _need("CLAHE", img, (1, 3))

    def sample(self, rng, state):
        return {"clip_limit": P.draw_uniform(rng, *self.clip_limit)}

    def apply(self, img, clip_limit, **_):
        return F.clahe(img, clip_limit, self.tile_grid_size)


class Equalize(ImageOnlyTransform):
    """Histogram equalization, per channel or of the luma.

    Args:
        mode: ``"cv"`` (as ``cv2.equalizeHist``) or ``"pil"`` (as ``PIL.ImageOps.equalize``).
        by_channels: equalize each channel (True) or the Y of YCrCb (False, RGB only).
        mask: pixels whose histogram is used: an HxW (or HxWxC) array, or a callable
            ``mask(image, **{name: target})`` returning one; None uses every pixel.
        mask_params: names of the call's targets passed to a callable ``mask``.
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32 (equalized on 8-bit levels).

    >>> import numpy as np
    >>> from augkit.transforms.tone import Equalize
    >>> img = np.array([[10, 10, 20, 30]], np.uint8)
    >>> Equalize(p=1.0)(image=img)["image"].tolist()
    [[0, 0, 128, 255]]
    """

    supported_dtypes = _DTYPES

    def __init__(self, mode: str = "cv", by_channels: bool = True, mask=None,
                 mask_params: Sequence[str] = (), p: float = 0.5):
        super().__init__(p=p)
        n = "Equalize"
        self.mode = P.check_choice(n, "mode", mode, ("cv", "pil"))
        self.by_channels = _flag(n, "by_channels", by_channels)
        if mask is not None and not callable(mask) and not isinstance(mask, np.ndarray):
            raise P.fail(n, "mask", mask, "mask must be None, an array or a callable")
        if isinstance(mask_params, str) or not all(isinstance(k, str) for k in mask_params):
            raise P.fail(n, "mask_params", mask_params, "mask_params must be a sequence of target names")
        self.mask, self.mask_params = mask, tuple(mask_params)

    def check_image(self, img):
        super().check_image(img)
        if not self.by_channels:
            _need("Equalize", img, (1, 3))

    def sample(self, rng, state):
        mask = self.mask
        if callable(mask):
            data = state.legacy_data()
            mask = mask(data["image"], **{k: data[k] for k in self.mask_params})
        if mask is not None:
            mask = np.asarray(mask)
            if mask.shape[:2] != tuple(state.shape):
                raise UnsupportedInputError(
                    f"Equalize: mask of shape {mask.shape} does not match the image size {tuple(state.shape)}")
        return {"mask": mask}

    def apply(self, img, mask=None, **_):
        return F.equalize(img, self.mode, self.by_channels, mask)


class RandomToneCurve(ImageOnlyTransform):
    """A random S-shaped tone curve: a cubic Bezier through (0, 0) and (1, 1) whose inner
    control values are drawn from N(0.25, scale) and N(0.75, scale), clipped to [0, 1].

    Args:
        scale: standard deviation of the control values, in [0, 1].
        per_channel: one curve per channel (True) or one for all (False).
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8 (lookup table, fused), uint16, float32 (exact curve).

    >>> import numpy as np
    >>> from augkit.transforms.tone import RandomToneCurve
    >>> t = RandomToneCurve(scale=0.0, p=1.0)  # control values 0.25, 0.75: a mild S-curve
    >>> t(image=np.array([[0, 64, 128, 255]], np.uint8))["image"].tolist()
    [[0, 58, 128, 255]]
    """

    supported_dtypes = _DTYPES

    def __init__(self, scale: float = 0.1, per_channel: bool = False, p: float = 0.5):
        super().__init__(p=p)
        self.scale = float(P.check_number("RandomToneCurve", "scale", scale, 0, 1))
        self.per_channel = _flag("RandomToneCurve", "per_channel", per_channel)

    def sample(self, rng, state):
        size = state.num_channels if self.per_channel else None
        low = np.clip(rng.normal(0.25, self.scale, size), 0, 1)
        high = np.clip(rng.normal(0.75, self.scale, size), 0, 1)
        return {"low_y": low, "high_y": high}

    def apply(self, img, low_y, high_y, **_):
        return F.tone_curve(img, low_y, high_y)

    def get_lut(self, params, num_channels):
        return F.tone_curve_lut(params["low_y"], params["high_y"], num_channels)


class PlanckianJitter(ImageOnlyTransform):
    """Recolour as if lit by a black body (or CIE D illuminant) of a random temperature.

    Args:
        mode: ``"blackbody"`` (3000-15000 K) or ``"cied"`` (4000-15000 K).
        temperature_limit: (low, high) integer Kelvin range within the mode's range;
            None uses the whole range.
        sampling_method: ``"uniform"``, or ``"gaussian"`` (around 6500 K, with a standard
            deviation of a third of the distance to each end, clipped).
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8 (per-channel table, fused), uint16, float32. Channels: 3.

    >>> import numpy as np
    >>> from augkit.transforms.tone import PlanckianJitter
    >>> t = PlanckianJitter(temperature_limit=(3000, 3000), p=1.0)
    >>> t(image=np.full((1, 1, 3), 100, np.uint8))["image"].tolist()  # warm: red up, blue down
    [[[167, 100, 0]]]
    """

    supported_dtypes = _DTYPES
    _RANGES = {"blackbody": (3000, 15000), "cied": (4000, 15000)}

    def __init__(self, mode: str = "blackbody", temperature_limit=None,
                 sampling_method: str = "uniform", p: float = 0.5):
        super().__init__(p=p)
        n = "PlanckianJitter"
        self.mode = P.check_choice(n, "mode", mode, tuple(self._RANGES))
        self.sampling_method = P.check_choice(n, "sampling_method", sampling_method,
                                              ("uniform", "gaussian"))
        lo, hi = self._RANGES[mode]
        if temperature_limit is not None:
            temperature_limit = P.to_range(n, "temperature_limit", temperature_limit,
                                           scalar="point", bounds=(lo, hi), integer=True)
        self.temperature_limit = temperature_limit

    def check_image(self, img):
        super().check_image(img)
        _need("PlanckianJitter", img, (3,))

    def sample(self, rng, state):
        lo, hi = self.temperature_limit or self._RANGES[self.mode]
        if self.sampling_method == "uniform":
            t = int(rng.integers(lo, hi, endpoint=True))
        else:
            z = rng.standard_normal()
            centre = min(max(6500, lo), hi)
            t = centre + z * ((centre - lo) if z < 0 else (hi - centre)) / 3.0
            t = int(np.clip(round(t), lo, hi))
        return {"temperature": t}

    def apply(self, img, temperature, **_):
        return F.channel_gain(img, F.planckian_gains(temperature, self.mode))

    def get_lut(self, params, num_channels):
        return F.channel_gain_lut(F.planckian_gains(params["temperature"], self.mode))


class FancyPCA(ImageOnlyTransform):
    """AlexNet "fancy PCA" colour augmentation: add ``sum_i a_i lambda_i p_i`` to every
    pixel, where (lambda_i, p_i) are the eigenpairs of the image's colour covariance and
    ``a_i ~ N(0, alpha)``.

    Args:
        alpha: standard deviation of the eigen-weights, >= 0.
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32. Channels: any (1 to N).

    Differs from 2.0.8, whose per-pixel colour map does not match the published method
    (it is not a constant shift along the principal components); this one is, and costs a
    3x3 covariance and one per-channel table pass.

    >>> import numpy as np
    >>> from augkit.transforms.tone import FancyPCA
    >>> img = np.random.default_rng(0).integers(0, 256, (8, 8, 3), dtype=np.uint8)
    >>> FancyPCA(alpha=0.0, p=1.0)(image=img)["image"].tolist() == img.tolist()
    True
    """

    supported_dtypes = _DTYPES

    def __init__(self, alpha: float = 0.1, p: float = 0.5):
        super().__init__(p=p)
        self.alpha = float(P.check_number("FancyPCA", "alpha", alpha, 0))

    def sample(self, rng, state):
        return {"alpha_vector": rng.normal(0.0, self.alpha, state.num_channels).astype(np.float32)}

    def apply(self, img, alpha_vector, **_):
        shift = F.fancy_pca_shift(img, alpha_vector) * FC.max_value(img.dtype)
        return F.channel_shift(img, shift)


class ToSepia(ImageOnlyTransform):
    """Apply the classic sepia colour matrix.

    Args:
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32. Channels: 3 (1: unchanged copy).

    >>> import numpy as np
    >>> from augkit.transforms.tone import ToSepia
    >>> ToSepia(p=1.0)(image=np.array([[[255, 0, 0]]], np.uint8))["image"].tolist()
    [[[100, 89, 69]]]
    """

    supported_dtypes = _DTYPES

    def __init__(self, p: float = 0.5):
        super().__init__(p=p)

    def check_image(self, img):
        super().check_image(img)
        _need("ToSepia", img, (1, 3))

    def sample(self, rng, state):
        return {}

    def apply(self, img, **_):
        if FC.num_channels(img) == 1:
            return img.copy()
        return F.color_matrix(img, F.SEPIA)


class ToRGB(ImageOnlyTransform):
    """Convert a grey image (HxW or HxWx1) to ``num_output_channels`` equal channels.

    Args:
        num_output_channels: channels of the output (>= 1).
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32. Channels: 1 in; 3-channel input is
    passed through unchanged (a copy).

    >>> import numpy as np
    >>> from augkit.transforms.tone import ToRGB
    >>> ToRGB()(image=np.array([[7]], np.uint8))["image"].tolist()
    [[[7, 7, 7]]]
    """

    supported_dtypes = _DTYPES

    def __init__(self, num_output_channels: int = 3, p: float = 1.0):
        super().__init__(p=p)
        self.num_output_channels = P.check_number("ToRGB", "num_output_channels",
                                                  num_output_channels, 1, integer=True)

    def check_image(self, img):
        super().check_image(img)
        _need("ToRGB", img, (1, 3))

    def sample(self, rng, state):
        return {}

    def apply(self, img, **_):
        if FC.num_channels(img) != 1:
            return img.copy()
        return F.to_rgb(img, self.num_output_channels)


class Colorize(ImageOnlyTransform):
    """Tint an RGB image: its luma is mapped onto a gradient from ``black`` to ``white``
    (through ``mid``), like ``PIL.ImageOps.colorize``. (augkit addition.)

    Args:
        black: colour (R, G, B in 0..255) for luma 0; None draws a random dark colour
            (each component in [0, 64]) per call.
        white: colour for full luma; None draws a random light colour (each component in
            [128, 255]) per call.
        mid: colour for mid luma, or None for a straight gradient.
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32 (colours in 0..255 units, scaled).
    Channels: 3.

    >>> import numpy as np
    >>> from augkit.transforms.tone import Colorize
    >>> t = Colorize(black=(0, 0, 0), white=(255, 128, 0), p=1.0)
    >>> t(image=np.full((1, 1, 3), 255, np.uint8))["image"].tolist()
    [[[255, 128, 0]]]
    """

    supported_dtypes = _DTYPES

    def __init__(self, black=(0, 0, 0), white=None, mid=None, p: float = 0.5):
        super().__init__(p=p)
        self.black = _color("Colorize", "black", black)
        self.white = _color("Colorize", "white", white)
        self.mid = _color("Colorize", "mid", mid)

    def check_image(self, img):
        super().check_image(img)
        _need("Colorize", img, (3,))

    def sample(self, rng, state):
        black = self.black if self.black is not None else tuple(rng.uniform(0, 64, 3))
        white = self.white if self.white is not None else tuple(rng.uniform(128, 255, 3))
        return {"black": black, "white": white, "mid": self.mid}

    def apply(self, img, black, white, mid, **_):
        return F.colorize(img, black, white, mid)


class Enhance(ImageOnlyTransform):
    """PIL ``ImageEnhance``-style random factors, applied in the order brightness,
    contrast, color, sharpness (factor 1 is the identity, 0 gives black / mean grey /
    grey / smoothed). (augkit addition.)

    Args:
        brightness: factor range; one number v means (max(0, 1 - v), 1 + v).
        contrast: factor range (blend with the mean luma), same convention.
        color: factor range (blend with the grey image), same convention.
        sharpness: factor range (blend with a 3x3 smoothed image), same convention.
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32. Channels: any (color acts on RGB only).

    >>> import numpy as np
    >>> from augkit.transforms.tone import Enhance
    >>> t = Enhance(brightness=(0.5, 0.5), contrast=0, color=0, sharpness=0, p=1.0)
    >>> t(image=np.full((2, 2), 100, np.uint8))["image"].tolist()
    [[50, 50], [50, 50]]
    """

    supported_dtypes = _DTYPES

    def __init__(self, brightness=(0.8, 1.2), contrast=(0.8, 1.2), color=(0.8, 1.2),
                 sharpness=(0.8, 1.2), p: float = 0.5):
        super().__init__(p=p)
        n = "Enhance"
        self.brightness = _factor_range(n, "brightness", brightness)
        self.contrast = _factor_range(n, "contrast", contrast)
        self.color = _factor_range(n, "color", color)
        self.sharpness = _factor_range(n, "sharpness", sharpness)

    def sample(self, rng, state):
        return {k: float(P.draw_uniform(rng, *getattr(self, k)))
                for k in ("brightness", "contrast", "color", "sharpness")}

    def apply(self, img, brightness, contrast, color, sharpness, **_):
        out = img
        for fn, f in ((F.enhance_brightness, brightness), (F.enhance_contrast, contrast),
                      (F.enhance_color, color), (F.enhance_sharpness, sharpness)):
            if f != 1.0:
                out = fn(out, f)
        return out.copy() if out is img else out


class PhotoMetricDistort(ImageOnlyTransform):
    """The SSD photometric distortion chain: random brightness, contrast (before or after
    the colour steps, 50/50), saturation, hue, and a random channel permutation, each step
    applied with probability ``distort_p`` (torchvision's ``RandomPhotometricDistort``).
    (augkit addition.)

    Args:
        brightness: brightness factor range (multiplies values).
        contrast: contrast factor range (blend with the mean grey level).
        saturation: saturation factor range (blend with the grey image).
        hue: hue shift range in turns, within [-0.5, 0.5].
        distort_p: probability of each step, in [0, 1].
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32. Channels: 1 or 3 (saturation, hue and
    channel permutation act on RGB only).

    >>> import numpy as np
    >>> from augkit.transforms.tone import PhotoMetricDistort
    >>> t = PhotoMetricDistort(brightness=(2, 2), contrast=(1, 1), saturation=(1, 1),
    ...                        hue=(0, 0), distort_p=1.0, p=1.0)
    >>> t(image=np.full((1, 1), 50, np.uint8))["image"].tolist()
    [[100]]
    """

    supported_dtypes = _DTYPES

    def __init__(self, brightness=(0.875, 1.125), contrast=(0.5, 1.5), saturation=(0.5, 1.5),
                 hue=(-0.05, 0.05), distort_p: float = 0.5, p: float = 0.5):
        super().__init__(p=p)
        n = "PhotoMetricDistort"
        self.brightness = P.to_range(n, "brightness", brightness, bounds=(0, None))
        self.contrast = P.to_range(n, "contrast", contrast, bounds=(0, None))
        self.saturation = P.to_range(n, "saturation", saturation, bounds=(0, None))
        self.hue = P.to_range(n, "hue", hue, bounds=(-0.5, 0.5))
        self.distort_p = float(P.check_number(n, "distort_p", distort_p, 0, 1))

    def check_image(self, img):
        super().check_image(img)
        _need("PhotoMetricDistort", img, (1, 3))

    def sample(self, rng, state):
        on = rng.random(6) < self.distort_p
        return {
            "brightness": float(P.draw_uniform(rng, *self.brightness)) if on[0] else 1.0,
            "contrast": float(P.draw_uniform(rng, *self.contrast)) if on[1] else 1.0,
            "contrast_first": bool(rng.random() < 0.5),
            "saturation": float(P.draw_uniform(rng, *self.saturation)) if on[2] else 1.0,
            "hue": float(P.draw_uniform(rng, *self.hue)) if on[3] else 0.0,
            "permutation": P.draw_permutation(rng, state.num_channels) if on[4] else None,
        }

    def apply(self, img, brightness, contrast, contrast_first, saturation, hue, permutation, **_):
        order = [0, 1, 2, 3] if contrast_first else [0, 2, 3, 1]
        out = FC.color_jitter(img, brightness, contrast, saturation, hue, order)
        if permutation is not None and FC.num_channels(img) > 1:
            out = np.ascontiguousarray(out[..., permutation])
        return out


class HEStain(ImageOnlyTransform):
    """H&E stain augmentation: decompose an RGB histology image into hematoxylin and eosin
    concentrations (Beer-Lambert optical density and a stain matrix), scale and shift them,
    and recombine.

    Args:
        method: where the stain matrix comes from: ``"preset"`` (``preset``, default
            ``"standard"``), ``"random_preset"`` (a random preset per call), ``"macenko"``
            or ``"vahadane"`` (estimated from the image; the standard preset when the image
            has too little tissue).
        preset: ``"ruifrok"``, ``"macenko"``, ``"standard"``, ``"high_contrast"``,
            ``"h_heavy"``, ``"e_heavy"``, ``"dark"``, ``"light"`` or None.
        intensity_scale_range: range of the factor each stain's concentration is
            multiplied by (drawn per stain).
        intensity_shift_range: range of the value (optical density units) added to each
            stain's concentration (drawn per stain).
        augment_background: also change background pixels (OD below 0.15 in every
            channel, i.e. near-white); False keeps them.
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32. Channels: 3 (RGB).

    Differs from 2.0.8: the residual colour component (the part of a pixel's OD outside
    the H-E plane) is kept, so scale 1 and shift 0 return the input exactly (2.0.8 drops
    it and changes non-H&E colours); the background rule is the OD threshold above.

    >>> import numpy as np
    >>> from augkit.transforms.tone import HEStain
    >>> img = np.array([[[180, 90, 200], [250, 250, 250]]], np.uint8)
    >>> t = HEStain(method="preset", preset="ruifrok", intensity_scale_range=(1, 1),
    ...             intensity_shift_range=(0, 0), p=1.0)
    >>> t(image=img)["image"].tolist() == img.tolist()
    True
    """

    supported_dtypes = _DTYPES
    _METHODS = ("preset", "random_preset", "vahadane", "macenko")

    def __init__(self, method: str = "random_preset", preset: str | None = None,
                 intensity_scale_range=(0.7, 1.3), intensity_shift_range=(-0.2, 0.2),
                 augment_background: bool = False, p: float = 0.5):
        super().__init__(p=p)
        n = "HEStain"
        self.method = P.check_choice(n, "method", method, self._METHODS)
        if preset is not None:
            P.check_choice(n, "preset", preset, tuple(F.HE_PRESETS))
        self.preset = preset
        self.intensity_scale_range = P.to_range(n, "intensity_scale_range", intensity_scale_range,
                                                scalar="point", bounds=(0, None))
        self.intensity_shift_range = P.to_range(n, "intensity_shift_range", intensity_shift_range)
        self.augment_background = _flag(n, "augment_background", augment_background)

    def check_image(self, img):
        super().check_image(img)
        _need("HEStain", img, (3,))

    def sample(self, rng, state):
        stains = None
        if self.method == "random_preset":
            names = tuple(F.HE_PRESETS)
            stains = F.HE_PRESETS[names[P.draw_int(rng, 0, len(names) - 1)]]
        elif self.method in ("macenko", "vahadane"):
            img = getattr(state, "first_image", None)
            if img is not None:
                est = F.macenko_stains if self.method == "macenko" else F.vahadane_stains
                stains = est(img)
        if stains is None:
            stains = F.HE_PRESETS[self.preset or "standard"]
        return {"stain_matrix": np.asarray(stains, np.float64),
                "scale_factors": rng.uniform(*self.intensity_scale_range, 2),
                "shift_values": rng.uniform(*self.intensity_shift_range, 2)}

    def apply(self, img, stain_matrix, scale_factors, shift_values, **_):
        return F.he_stain(img, stain_matrix, scale_factors, shift_values, self.augment_background)
