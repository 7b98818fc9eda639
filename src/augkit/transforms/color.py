"""Colour transforms: value changes on images only (masks, boxes and keypoints pass through).

Names, arguments and defaults follow Albumentations 2.0.8. The kernels live in
:mod:`augkit.functional.color`; these classes validate, sample and call them.
Dtypes: uint8, uint16 and float32 in [0, 1]; the output keeps the input dtype except
for :class:`Normalize`, :class:`ToFloat` (float32) and :class:`FromFloat`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from augkit.core import params as P
from augkit.core.transform import ImageOnlyTransform
from augkit.errors import UnsupportedInputError
from augkit.functional import color as F

_DTYPES = ("uint8", "uint16", "float32")


def _flag(owner: str, name: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise P.fail(owner, name, value, f"{name} must be True or False")
    return bool(value)


def _channels(owner: str, img: np.ndarray, allowed: tuple[int, ...]) -> int:
    c = F.num_channels(img)
    if c not in allowed:
        raise UnsupportedInputError(
            f"{owner}: expects an image with {' or '.join(map(str, allowed))} channels, "
            f"got {c} (shape {img.shape})")
    return c


def _numbers(owner: str, name: str, value: Any, positive: bool = False) -> float | tuple[float, ...]:
    """One number or a non-empty sequence of numbers (one per channel)."""
    if isinstance(value, np.ndarray) and value.ndim <= 1:
        value = value.tolist()
    if P.is_number(value):
        vals: tuple[float, ...] = (float(value),)
    elif isinstance(value, Sequence) and not isinstance(value, str) and len(value) > 0 \
            and all(P.is_number(v) for v in value):
        vals = tuple(float(v) for v in value)
    else:
        raise P.fail(owner, name, value, f"{name} must be a number or a sequence of numbers")
    if not all(np.isfinite(vals)) or (positive and min(vals) <= 0):
        raise P.fail(owner, name, value, f"{name} must be finite{' and > 0' if positive else ''}")
    return vals[0] if P.is_number(value) else vals


class Normalize(ImageOnlyTransform):
    """Subtract a mean and divide by a standard deviation; the result is float32.

    Args:
        mean: per-channel means (or one value) in units of ``max_pixel_value``.
        std: per-channel standard deviations (or one value), > 0.
        max_pixel_value: scale of ``mean`` and ``std``. ``None`` (an augkit extension)
            uses the dtype maximum: 255, 65535 or 1.0.
        normalization: ``"standard"`` (``(img - mean * max) / (std * max)``), ``"image"``,
            ``"image_per_channel"`` (by the image's own mean and std), ``"min_max"`` or
            ``"min_max_per_channel"`` (to [0, 1] by the image's own range).
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32 in; float32 out.

    >>> import numpy as np, augkit as A
    >>> out = A.Normalize(mean=0.5, std=0.5)(image=np.full((2, 2, 3), 255, np.uint8))["image"]
    >>> float(out[0, 0, 0])
    1.0
    """

    supported_dtypes = _DTYPES
    _MODES = ("standard", "image", "image_per_channel", "min_max", "min_max_per_channel")

    def __init__(self, mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225),
                 max_pixel_value: float | None = 255.0, normalization: str = "standard",
                 p: float = 1.0):
        super().__init__(p=p)
        n = "Normalize"
        self.normalization = P.check_choice(n, "normalization", normalization, self._MODES)
        if normalization == "standard":
            if mean is None or std is None:
                raise P.fail(n, "mean" if mean is None else "std", None,
                             "mean and std are required for normalization='standard'")
            mean = _numbers(n, "mean", mean)
            std = _numbers(n, "std", std, positive=True)
        if max_pixel_value is not None:
            max_pixel_value = float(P.check_number(n, "max_pixel_value", max_pixel_value, 0,
                                                   low_inclusive=False))
        self.mean, self.std, self.max_pixel_value = mean, std, max_pixel_value

    def sample(self, rng, state):
        return {}

    def apply(self, img, **_):
        if self.normalization != "standard":
            return F.normalize_per_image(img, self.normalization)
        mpv = self.max_pixel_value if self.max_pixel_value is not None else F.max_value(img.dtype)
        return F.normalize(img, self.mean, self.std, mpv)


class ToFloat(ImageOnlyTransform):
    """Convert to float32 by dividing by ``max_value``.

    Args:
        max_value: divisor; ``None`` uses the dtype maximum (255 for uint8, 65535 for
            uint16). A float32 image passes unchanged.
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32 in; float32 out.

    >>> import numpy as np, augkit as A
    >>> A.ToFloat()(image=np.full((1, 1), 255, np.uint8))["image"].tolist()
    [[1.0]]
    """

    supported_dtypes = _DTYPES

    def __init__(self, max_value: float | None = None, p: float = 1.0):
        super().__init__(p=p)
        if max_value is not None:
            max_value = float(P.check_number("ToFloat", "max_value", max_value, 0,
                                             low_inclusive=False))
        self.max_value = max_value

    def sample(self, rng, state):
        return {}

    def apply(self, img, **_):
        return F.to_float(img, self.max_value)


class FromFloat(ImageOnlyTransform):
    """Convert a float image to an integer dtype: ``round(img * max_value)``, saturated.

    Args:
        dtype: ``"uint8"``, ``"uint16"`` or ``"uint32"``.
        max_value: multiplier; ``None`` uses the dtype maximum.
        p: probability of applying the transform.

    Targets: image. Dtypes: float32 in; ``dtype`` out.

    >>> import numpy as np, augkit as A
    >>> A.FromFloat()(image=np.full((1, 1), 0.5, np.float32))["image"].tolist()
    [[128]]
    """

    supported_dtypes = ("float32",)

    def __init__(self, dtype: str = "uint8", max_value: float | None = None, p: float = 1.0):
        super().__init__(p=p)
        self.dtype = P.check_choice("FromFloat", "dtype", dtype, ("uint8", "uint16", "uint32"))
        if max_value is not None:
            max_value = float(P.check_number("FromFloat", "max_value", max_value, 0,
                                             low_inclusive=False))
        self.max_value = max_value

    def sample(self, rng, state):
        return {}

    def apply(self, img, **_):
        return F.from_float(img, self.dtype, self.max_value)


class RandomBrightnessContrast(ImageOnlyTransform):
    """Random ``alpha * img + beta``: contrast factor ``alpha``, brightness offset ``beta``.

    Args:
        brightness_limit: range of the brightness change b; one number v means (-v, v).
            With ``brightness_by_max`` the offset is ``b * max_value``, else ``b * mean``.
        contrast_limit: range of c; ``alpha = 1 + c`` multiplies the values (around 0,
            as in Albumentations 2.0.8). One number v means (-v, v).
        brightness_by_max: offset relative to the dtype maximum (True) or the image mean.
        ensure_safe_range: shrink alpha and clamp beta so no value leaves the dtype range.
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32.

    >>> import numpy as np, augkit as A
    >>> t = A.RandomBrightnessContrast(brightness_limit=(0.1, 0.1), contrast_limit=0, p=1.0)
    >>> int(t(image=np.full((2, 2), 100, np.uint8))["image"][0, 0])
    125
    """

    supported_dtypes = _DTYPES

    def __init__(self, brightness_limit=(-0.2, 0.2), contrast_limit=(-0.2, 0.2),
                 brightness_by_max: bool = True, ensure_safe_range: bool = False,
                 p: float = 0.5):
        super().__init__(p=p)
        n = "RandomBrightnessContrast"
        self.brightness_limit = P.to_range(n, "brightness_limit", brightness_limit)
        self.contrast_limit = P.to_range(n, "contrast_limit", contrast_limit)
        self.brightness_by_max = _flag(n, "brightness_by_max", brightness_by_max)
        self.ensure_safe_range = _flag(n, "ensure_safe_range", ensure_safe_range)

    def sample(self, rng, state):
        alpha = 1.0 + P.draw_uniform(rng, *self.contrast_limit)
        brightness = P.draw_uniform(rng, *self.brightness_limit)
        beta = None  # as a fraction of the dtype maximum; None: known only from the image
        if self.brightness_by_max:
            beta = brightness
            if self.ensure_safe_range:
                alpha, beta = F.safe_alpha_beta(alpha, beta, 1.0)
        return {"alpha": alpha, "beta": beta, "brightness": brightness}

    def apply(self, img, alpha, beta, brightness, **_):
        top = F.max_value(img.dtype)
        if beta is None:
            beta = brightness * F.image_mean(img) / top
            if self.ensure_safe_range:
                alpha, beta = F.safe_alpha_beta(alpha, beta, 1.0)
        return F.brightness_contrast(img, alpha, beta * top)

    def get_lut(self, params, num_channels):
        if params["beta"] is None:  # the offset depends on the image mean
            return None
        return F.brightness_contrast_lut(params["alpha"], params["beta"] * 255.0)


class RandomGamma(ImageOnlyTransform):
    """Random power law ``max * (img / max) ** gamma`` (gamma > 1 darkens).

    Args:
        gamma_limit: range of ``100 * gamma``, values >= 1; one number v means (1, v)
            (as 2.0.8).
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32.

    >>> import numpy as np, augkit as A
    >>> out = A.RandomGamma(gamma_limit=(200, 200), p=1.0)(image=np.full((1, 1), 0.5, np.float32))
    >>> float(out["image"][0, 0])
    0.25
    """

    supported_dtypes = _DTYPES

    def __init__(self, gamma_limit=(80, 120), p: float = 0.5):
        super().__init__(p=p)
        if P.is_number(gamma_limit) and gamma_limit >= 1:
            gamma_limit = (1, gamma_limit)
        self.gamma_limit = P.to_range("RandomGamma", "gamma_limit", gamma_limit,
                                      bounds=(1, None))

    def sample(self, rng, state):
        return {"gamma": P.draw_uniform(rng, *self.gamma_limit) / 100.0}

    def apply(self, img, gamma, **_):
        return F.gamma(img, gamma)

    def get_lut(self, params, num_channels):
        return F.gamma_lut(params["gamma"])


class HueSaturationValue(ImageOnlyTransform):
    """Random shifts of hue, saturation and value in HSV space.

    Args:
        hue_shift_limit: hue shift range in OpenCV's 8-bit hue units (180 = full turn,
            wraps), within [-180, 180]; one number v means (-v, v).
        sat_shift_limit: saturation shift range in 0..255 units, within [-255, 255].
        val_shift_limit: value shift range in 0..255 units, within [-255, 255].
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32 (float is shifted in float, without
    the 8-bit quantization 2.0.8 applies). Channels: 3 (RGB), or 1 (value shift only).

    >>> import numpy as np, augkit as A
    >>> t = A.HueSaturationValue(hue_shift_limit=0, sat_shift_limit=0, val_shift_limit=(10, 10), p=1.0)
    >>> int(t(image=np.full((1, 1), 100, np.uint8))["image"][0, 0])
    110
    """

    supported_dtypes = _DTYPES

    def __init__(self, hue_shift_limit=(-20, 20), sat_shift_limit=(-30, 30),
                 val_shift_limit=(-20, 20), p: float = 0.5):
        super().__init__(p=p)
        n = "HueSaturationValue"
        self.hue_shift_limit = P.to_range(n, "hue_shift_limit", hue_shift_limit,
                                          bounds=(-180, 180))
        self.sat_shift_limit = P.to_range(n, "sat_shift_limit", sat_shift_limit,
                                          bounds=(-255, 255))
        self.val_shift_limit = P.to_range(n, "val_shift_limit", val_shift_limit,
                                          bounds=(-255, 255))

    def sample(self, rng, state):
        return {"hue_shift": P.draw_uniform(rng, *self.hue_shift_limit),
                "sat_shift": P.draw_uniform(rng, *self.sat_shift_limit),
                "val_shift": P.draw_uniform(rng, *self.val_shift_limit)}

    def apply(self, img, hue_shift, sat_shift, val_shift, **_):
        _channels("HueSaturationValue", img, (1, 3))
        return F.shift_hsv(img, hue_shift, sat_shift, val_shift)

    def get_lut(self, params, num_channels):
        if num_channels != 1:  # the HSV round trip is not per-channel
            return None
        return F.shift_value_gray_lut(params["val_shift"])


def _jitter_range(owner: str, name: str, value: Any) -> tuple[float, float]:
    if P.is_number(value):
        if value < 0:
            raise P.fail(owner, name, value, f"{name} given as one number must be >= 0")
        return max(0.0, 1.0 - value), 1.0 + float(value)
    return P.to_range(owner, name, value, bounds=(0, None))


class ColorJitter(ImageOnlyTransform):
    """Random brightness, contrast, saturation and hue changes, in a random order.

    torchvision's semantics with OpenCV kernels (as Albumentations 2.0.8).

    Args:
        brightness: factor range; one number v means (max(0, 1 - v), 1 + v).
        contrast: factor range (blend with the mean grey level), same convention.
        saturation: factor range (blend with the grey image), same convention.
        hue: shift range in turns within [-0.5, 0.5]; one number v in [0, 0.5] means (-v, v).
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32. Channels: 3 (RGB), or 1 (brightness
    and contrast only).

    >>> import numpy as np, augkit as A
    >>> t = A.ColorJitter(brightness=(2, 2), contrast=0, saturation=0, hue=0, p=1.0)
    >>> int(t(image=np.full((1, 1, 3), 50, np.uint8))["image"][0, 0, 0])
    100
    """

    supported_dtypes = _DTYPES

    def __init__(self, brightness=(0.8, 1.2), contrast=(0.8, 1.2), saturation=(0.8, 1.2),
                 hue=(-0.5, 0.5), p: float = 0.5):
        super().__init__(p=p)
        n = "ColorJitter"
        self.brightness = _jitter_range(n, "brightness", brightness)
        self.contrast = _jitter_range(n, "contrast", contrast)
        self.saturation = _jitter_range(n, "saturation", saturation)
        if P.is_number(hue):
            P.check_number(n, "hue", hue, 0, 0.5)  # 2.0.8 also takes 0.5 < hue (wraps anyway)
        self.hue = P.to_range(n, "hue", hue, bounds=(-0.5, 0.5))

    def sample(self, rng, state):
        return {"brightness": P.draw_uniform(rng, *self.brightness),
                "contrast": P.draw_uniform(rng, *self.contrast),
                "saturation": P.draw_uniform(rng, *self.saturation),
                "hue": P.draw_uniform(rng, *self.hue),
                "order": P.draw_permutation(rng, 4)}

    def apply(self, img, brightness, contrast, saturation, hue, order, **_):
        _channels("ColorJitter", img, (1, 3))
        return F.color_jitter(img, brightness, contrast, saturation, hue, order)


class ToGray(ImageOnlyTransform):
    """Convert to grey and replicate it to ``num_output_channels`` channels.

    Args:
        num_output_channels: channels of the result, >= 1; 1 gives an HxW image.
        method: ``"weighted_average"`` (0.299 R + 0.587 G + 0.114 B, needs RGB),
            ``"from_lab"`` (L of CIELAB, needs RGB), ``"desaturation"`` ((max + min) / 2),
            ``"average"``, ``"max"`` or ``"pca"`` (first principal component, min-max
            scaled); the last four take any channel count.
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32. A one-channel image is returned
    unchanged (as 2.0.8).

    >>> import numpy as np, augkit as A
    >>> A.ToGray(p=1.0)(image=np.zeros((2, 2, 3), np.uint8))["image"].shape
    (2, 2, 3)
    """

    supported_dtypes = _DTYPES
    _METHODS = ("weighted_average", "from_lab", "desaturation", "average", "max", "pca")

    def __init__(self, num_output_channels: int = 3, method: str = "weighted_average",
                 p: float = 0.5):
        super().__init__(p=p)
        self.num_output_channels = P.check_number("ToGray", "num_output_channels",
                                                  num_output_channels, 1, integer=True)
        self.method = P.check_choice("ToGray", "method", method, self._METHODS)

    def sample(self, rng, state):
        return {}

    def apply(self, img, **_):
        if self.method in ("weighted_average", "from_lab"):
            _channels(f"ToGray(method={self.method!r})", img, (1, 3))
        return F.to_gray(img, self.num_output_channels, self.method)


class InvertImg(ImageOnlyTransform):
    """Invert values: ``max_value - img`` (255 for uint8, 65535 for uint16, 1.0 for float).

    Args:
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32.

    >>> import numpy as np, augkit as A
    >>> A.InvertImg(p=1.0)(image=np.array([[0, 200]], np.uint8))["image"].tolist()
    [[255, 55]]
    """

    supported_dtypes = _DTYPES

    apply_beats_lut = True  # 512x512x3 uint8: apply 18-21 us, table 22-26 us

    def __init__(self, p: float = 0.5):
        super().__init__(p=p)

    def sample(self, rng, state):
        return {}

    def apply(self, img, **_):
        return F.invert(img)

    def get_lut(self, params, num_channels):
        return F.invert_lut()


class Solarize(ImageOnlyTransform):
    """Invert every value at or above a random threshold.

    Args:
        threshold_range: range of the threshold as a fraction of the dtype maximum,
            within [0, 1]; values ``>= threshold * max`` are inverted (as 2.0.8).
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32.

    >>> import numpy as np, augkit as A
    >>> A.Solarize(p=1.0)(image=np.array([[100, 200]], np.uint8))["image"].tolist()
    [[100, 55]]
    """

    supported_dtypes = _DTYPES

    def __init__(self, threshold_range=(0.5, 0.5), p: float = 0.5):
        super().__init__(p=p)
        self.threshold_range = P.to_range("Solarize", "threshold_range", threshold_range,
                                          scalar="point", bounds=(0, 1))

    def sample(self, rng, state):
        return {"threshold": P.draw_uniform(rng, *self.threshold_range)}

    def apply(self, img, threshold, **_):
        return F.solarize(img, threshold * F.max_value(img.dtype))

    def get_lut(self, params, num_channels):
        return F.solarize_lut(params["threshold"] * 255.0)


def _bits_range(value: Any) -> tuple[int, int] | None:
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value), int(value)
    if isinstance(value, Sequence) and not isinstance(value, str) and len(value) == 2 and all(
            isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in value):
        return int(value[0]), int(value[1])
    return None


class Posterize(ImageOnlyTransform):
    """Keep only the top bits of each value.

    Args:
        num_bits: bits to keep, 0..8: one int, a ``(low, high)`` range drawn per call, or
            a list with one int or one ``(low, high)`` per channel.
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16 (top bits of 16), float32 (posterized on its
    8-bit value, as 2.0.8).

    >>> import numpy as np, augkit as A
    >>> A.Posterize(num_bits=2, p=1.0)(image=np.array([[255, 100]], np.uint8))["image"].tolist()
    [[192, 64]]
    """

    supported_dtypes = _DTYPES

    apply_beats_lut = True  # 512x512x3 uint8: apply 18-21 us, table 22-26 us

    def __init__(self, num_bits=4, p: float = 0.5):
        super().__init__(p=p)
        n = "Posterize"
        msg = "num_bits must be an int, (low, high), or a list of ints or (low, high) per channel"
        # As 2.0.8: an int or two ints is a range; any other sequence is per channel.
        whole = _bits_range(num_bits)
        if whole is not None:
            ranges: tuple[int, int] | list[tuple[int, int]] = whole
            check = [whole]
        elif isinstance(num_bits, Sequence) and not isinstance(num_bits, str) and num_bits:
            per = [_bits_range(v) for v in num_bits]
            if any(r is None for r in per):
                raise P.fail(n, "num_bits", num_bits, msg)
            ranges = check = per
        else:
            raise P.fail(n, "num_bits", num_bits, msg)
        for lo, hi in check:
            if not 0 <= lo <= hi <= 8:
                raise P.fail(n, "num_bits", num_bits,
                             "num_bits must lie within [0, 8], ranges as (low, high) with low <= high")
        self.num_bits = ranges

    def sample(self, rng, state):
        if isinstance(self.num_bits, list):
            if len(self.num_bits) != state.num_channels:
                raise UnsupportedInputError(
                    f"Posterize: num_bits has {len(self.num_bits)} entries, "
                    f"the image has {state.num_channels} channels")
            return {"num_bits": [P.draw_int(rng, lo, hi) for lo, hi in self.num_bits]}
        lo, hi = self.num_bits
        return {"num_bits": P.draw_int(rng, lo, hi)}

    def apply(self, img, num_bits, **_):
        return F.posterize(img, num_bits)

    def get_lut(self, params, num_channels):
        return F.posterize_lut(params["num_bits"])
