"""Albumentations 1.x spellings: removed classes, old argument names and positional orders.

Code and configs written for Albumentations 0.x/1.x keep working: each old spelling builds
the 2.x transform with the arguments mapped and emits a ``DeprecationWarning`` that names
the 2.x spelling.

* Removed classes: ``JpegCompression``, ``RandomBrightness``, ``RandomContrast``,
  ``Cutout`` and the ``IAA*`` family are factories (calling one builds the 2.x transform:
  ``JpegCompression(quality_lower=80)`` is an :class:`ImageCompression`); :class:`Flip`
  (no 2.x counterpart) is a transform of its own.
* Old argument names of every transform (``value``/``mask_value``/``cval``... -> ``fill``/
  ``fill_mask``, ``mode``/``pad_mode`` -> ``border_mode``, ``order`` -> ``interpolation``):
  :func:`translate_unknown`, which the base class consults only when an argument is unknown,
  so the common path costs nothing.
* Arguments renamed per class (``GaussNoise(var_limit=...)``, ``ImageCompression(
  quality_lower=...)``, ``RandomFog(fog_coef_lower=...)``, ...) and 1.x positional orders
  (``GaussNoise(10)``, ``ImageCompression(95)``, ``RandomSizedCrop((256, 384), 384, 384)``):
  ``_legacy_kwargs`` / ``_legacy_args`` hooks installed on those classes below.

>>> import warnings, augkit as A
>>> with warnings.catch_warnings():
...     warnings.simplefilter("ignore")
...     t = A.PadIfNeeded(min_height=8, min_width=8, value=255)
>>> t.fill
255.0
"""

from __future__ import annotations

import difflib
import inspect
import math
import numbers
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import cv2
import numpy as np

from augkit.core import params as P
from augkit.errors import InvalidParameterError
from augkit.geometry import matrices as mx
from augkit.transforms._spatial import ResamplingTransform
from augkit.transforms.affine import Affine, Perspective
from augkit.transforms.color import RandomBrightnessContrast, RandomGamma
from augkit.transforms.compression import Downscale, ImageCompression
from augkit.transforms.distortions import ElasticTransform, OpticalDistortion, PiecewiseAffine
from augkit.transforms.filters import Emboss, Sharpen, Superpixels
from augkit.transforms.flips_crops import RandomResizedCrop, RandomSizedCrop
from augkit.transforms.noise import GaussNoise
from augkit.transforms.weather import (
    RandomFog,
    RandomRain,
    RandomShadow,
    RandomSnow,
    RandomSunFlare,
)

__all__ = [
    "Cutout",
    "Flip",
    "IAAAdditiveGaussianNoise",
    "IAAAffine",
    "IAAEmboss",
    "IAAPerspective",
    "IAAPiecewiseAffine",
    "IAASharpen",
    "IAASuperpixels",
    "JpegCompression",
    "RandomBrightness",
    "RandomContrast",
    "RemovedTransform",
    "translate_unknown",
]


def _warn(message: str, stacklevel: int) -> None:
    warnings.warn(message, DeprecationWarning, stacklevel=stacklevel + 1)


# ---------------------------------------------------------------------------------------
# value conversions shared by the rules
# ---------------------------------------------------------------------------------------
#: imgaug / scikit-image border names (1.x IAA* and PiecewiseAffine) -> OpenCV
_BORDER_NAMES = {"constant": cv2.BORDER_CONSTANT, "edge": cv2.BORDER_REPLICATE,
                 "symmetric": cv2.BORDER_REFLECT, "reflect": cv2.BORDER_REFLECT_101,
                 "wrap": cv2.BORDER_WRAP}
#: imgaug / scikit-image spline orders -> OpenCV interpolation
_ORDERS = {0: cv2.INTER_NEAREST, 1: cv2.INTER_LINEAR, 3: cv2.INTER_CUBIC}


def _border(owner: str, name: str, value: Any) -> Any:
    if isinstance(value, str):
        if value not in _BORDER_NAMES:
            raise P.fail(owner, name, value, f"{name} must be an OpenCV border mode or one of "
                         f"{', '.join(_BORDER_NAMES)}")
        return _BORDER_NAMES[value]
    return value


def _order(owner: str, name: str, value: Any) -> Any:
    if value not in _ORDERS:
        raise P.fail(owner, name, value, f"{name} (1.x spline order) must be 0, 1 or 3; "
                     f"use interpolation=cv2.INTER_... instead")
    return _ORDERS[value]


# ---------------------------------------------------------------------------------------
# old argument names common to many transforms
# ---------------------------------------------------------------------------------------
#: old name -> (2.x name, value conversion or None); applied where the 2.x name exists
_RENAMES: dict[str, tuple[str, Callable[[str, str, Any], Any] | None]] = {
    "value": ("fill", None),
    "cval": ("fill", None),
    "pad_val": ("fill", None),
    "pad_cval": ("fill", None),
    "fill_value": ("fill", None),
    "mask_value": ("fill_mask", None),
    "cval_mask": ("fill_mask", None),
    "mask_pad_val": ("fill_mask", None),
    "pad_cval_mask": ("fill_mask", None),
    "mask_fill_value": ("fill_mask", None),
    "mode": ("border_mode", _border),
    "pad_mode": ("border_mode", _border),
    "order": ("interpolation", _order),
}


def translate_unknown(cls: type, names: Sequence[str], kwargs: dict[str, Any]) -> dict[str, Any]:
    """Map 1.x argument names that ``cls`` does not accept to their 2.x names (with a warning).

    Called by the base class only when ``kwargs`` hold an unknown name; names it cannot map
    are left for the usual "unknown argument ... did you mean" error.
    """
    owner = cls.__name__
    out = dict(kwargs)
    for old, (new, convert) in _RENAMES.items():
        if old not in out or old in names or new not in names:
            continue
        if new in out:
            raise InvalidParameterError(f"{owner}: give {new}= (2.x) or {old}= (1.x), not both")
        value = out.pop(old)
        _warn(f"{owner}({old}=...) is the 1.x spelling; use {new}=", 3)
        if value is None:  # 1.x's "None means the default"
            continue
        out[new] = convert(owner, old, value) if convert is not None else value
    return out


# ---------------------------------------------------------------------------------------
# arguments renamed per class (installed as _legacy_kwargs hooks)
# ---------------------------------------------------------------------------------------
def _pair(owner, kw, low, high, new, defaults, convert=None):
    """1.x ``low``/``high`` bounds -> 2.x ``new=(low, high)``."""
    if low not in kw and high not in kw:
        return
    if new in kw:
        raise InvalidParameterError(f"{owner}: give {new}= (2.x) or {low}=/{high}= (1.x), not both")
    lo, hi = kw.pop(low, defaults[0]), kw.pop(high, defaults[1])
    if lo is None:
        lo = defaults[0]
    if hi is None:
        hi = defaults[1]
    _warn(f"{owner}({low}=..., {high}=...) is the 1.x spelling; use {new}=({low}, {high})", 5)
    kw[new] = (convert(lo), convert(hi)) if convert else (lo, hi)


def _dropped(owner, kw, name, why):
    if name in kw:
        kw.pop(name)
        _warn(f"{owner}({name}=...) was removed in Albumentations 2.x and is ignored: {why}", 5)


def _gauss_noise(kw):
    if "var_limit" in kw:
        if "std_range" in kw:
            raise InvalidParameterError("GaussNoise: give std_range= (2.x) or var_limit= (1.x), not both")
        var = kw.pop("var_limit")
        var = (0.0, var) if P.is_number(var) else tuple(var)  # 1.x: a number v means (0, v)
        if len(var) != 2 or not all(P.is_number(v) and v >= 0 for v in var):
            raise P.fail("GaussNoise", "var_limit", var, "var_limit must be a variance or a (low, high) "
                         "pair of variances >= 0 (pixel units of 0..255)")
        kw["std_range"] = tuple(math.sqrt(v) / 255.0 for v in var)
        _warn(f"GaussNoise(var_limit={var!r}) is the 1.x spelling (variance in pixel units); use "
              f"std_range=(sqrt(var) / 255, ...) = {kw['std_range']!r}", 4)
    if "mean" in kw:
        if "mean_range" in kw:
            raise InvalidParameterError("GaussNoise: give mean_range= (2.x) or mean= (1.x), not both")
        mean = kw.pop("mean")
        if not P.is_number(mean):
            raise P.fail("GaussNoise", "mean", mean, "mean (1.x) must be a number in pixel units")
        kw["mean_range"] = (mean / 255.0, mean / 255.0)
        _warn(f"GaussNoise(mean={mean!r}) is the 1.x spelling (pixel units); use "
              f"mean_range=(mean / 255, mean / 255) = {kw['mean_range']!r}", 4)


#: 1.x ImageCompressionType enum values
_COMPRESSION_TYPES = {0: "jpeg", 1: "webp"}


def _image_compression(kw):
    _pair("ImageCompression", kw, "quality_lower", "quality_upper", "quality_range", (99, 100))
    ctype = kw.get("compression_type")
    if isinstance(ctype, numbers.Integral) and not isinstance(ctype, bool) and ctype in _COMPRESSION_TYPES:
        kw["compression_type"] = _COMPRESSION_TYPES[int(ctype)]
        _warn(f"ImageCompression(compression_type={int(ctype)}) is the 1.x enum; use "
              f"compression_type={kw['compression_type']!r}", 4)


def _downscale(kw):
    _pair("Downscale", kw, "scale_min", "scale_max", "scale_range", (0.25, 0.25))
    if "interpolation" in kw:
        if "interpolation_pair" in kw:
            raise InvalidParameterError("Downscale: give interpolation_pair= (2.x) or interpolation= "
                                        "(1.x), not both")
        value = kw.pop("interpolation")
        _warn("Downscale(interpolation=...) is the 1.x spelling; use interpolation_pair="
              "{'downscale': ..., 'upscale': ...}", 4)
        if P.is_number(value):
            kw["interpolation_pair"] = {"downscale": value, "upscale": value}
        elif isinstance(value, dict):
            kw["interpolation_pair"] = dict(value)
        elif value is not None:
            kw["interpolation_pair"] = {"downscale": value.downscale, "upscale": value.upscale}


def _rules(function):
    """Wrap a rule that edits a kwargs dict in place into a ``_legacy_kwargs`` hook."""
    def hook(kwargs):
        kw = dict(kwargs)
        function(kw)
        return kw
    return hook


_KWARG_RULES: dict[str, Callable[[dict], None]] = {
    "GaussNoise": _gauss_noise,
    "ImageCompression": _image_compression,
    "Downscale": _downscale,
    "RandomFog": lambda kw: _pair("RandomFog", kw, "fog_coef_lower", "fog_coef_upper",
                                  "fog_coef_range", (0.3, 1)),
    "RandomShadow": lambda kw: _pair("RandomShadow", kw, "num_shadows_lower", "num_shadows_upper",
                                     "num_shadows_limit", (1, 2)),
    "RandomSnow": lambda kw: _pair("RandomSnow", kw, "snow_point_lower", "snow_point_upper",
                                   "snow_point_range", (0.1, 0.3)),
    "RandomRain": lambda kw: _pair("RandomRain", kw, "slant_lower", "slant_upper", "slant_range",
                                   (-10, 10)),
    "RandomSunFlare": lambda kw: (
        _pair("RandomSunFlare", kw, "angle_lower", "angle_upper", "angle_range", (0, 1)),
        _pair("RandomSunFlare", kw, "num_flare_circles_lower", "num_flare_circles_upper",
              "num_flare_circles_range", (6, 10))),
    "ElasticTransform": lambda kw: _dropped(
        "ElasticTransform", kw, "alpha_affine",
        "1.x applied an extra random affine warp here (removed in 1.4); add an Affine step for that"),
    "OpticalDistortion": lambda kw: _dropped(
        "OpticalDistortion", kw, "shift_limit", "2.x distorts about the image centre"),
    "PiecewiseAffine": lambda kw: _dropped(
        "PiecewiseAffine", kw, "keypoints_threshold", "keypoints are moved exactly"),
    "RandomGamma": lambda kw: _dropped("RandomGamma", kw, "eps", "it had no effect"),
}


# ---------------------------------------------------------------------------------------
# 1.x positional orders (installed as _legacy_args hooks)
# ---------------------------------------------------------------------------------------
def _positional(owner: str, names_1x: Sequence[str], args, kwargs):
    if len(args) > len(names_1x):
        raise InvalidParameterError(f"{owner}: too many positional arguments for the 1.x order "
                                    f"({', '.join(names_1x)})")
    kw = dict(kwargs)
    for name, value in zip(names_1x, args):
        if name in kw:
            raise InvalidParameterError(f"{owner}: {name} given both by position and by keyword")
        kw[name] = value
    _warn(f"{owner}({', '.join(repr(a) for a in args)}): positional arguments in the 1.x order "
          f"({', '.join(names_1x[:len(args)])}); pass 2.x keywords instead", 4)
    return (), kw


def _over_one(value) -> bool:
    if P.is_number(value):
        return value > 1
    return isinstance(value, Sequence) and any(P.is_number(v) and v > 1 for v in value)


def _gauss_noise_args(args, kwargs):
    # 2.x's first argument is std_range, a fraction in [0, 1]; a larger number is 1.x's var_limit
    if args and _over_one(args[0]):
        return _positional("GaussNoise", ("var_limit", "mean", "per_channel", "always_apply", "p"),
                           args, kwargs)
    return args, kwargs


def _image_compression_args(args, kwargs):
    # 2.x's first argument is compression_type (a string); a number is 1.x's quality_lower
    if args and P.is_number(args[0]):
        return _positional("ImageCompression", ("quality_lower", "quality_upper", "compression_type",
                                                "always_apply", "p"), args, kwargs)
    return args, kwargs


def _is_int(v) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def _random_sized_crop_args(args, kwargs):
    # 1.x: (min_max_height, height, width, ...); 2.x: (min_max_height, size, ...)
    if len(args) >= 3 and _is_int(args[1]) and _is_int(args[2]):
        return _positional("RandomSizedCrop", ("min_max_height", "height", "width", "w2h_ratio",
                                               "interpolation", "always_apply", "p"), args, kwargs)
    return args, kwargs


def _random_resized_crop_args(args, kwargs):
    # 1.x: (height, width, scale, ratio, ...); 2.x: (size, scale, ratio, ...)
    if len(args) >= 2 and _is_int(args[0]) and _is_int(args[1]):
        return _positional("RandomResizedCrop", ("height", "width", "scale", "ratio", "interpolation",
                                                 "always_apply", "p"), args, kwargs)
    return args, kwargs


_ARG_RULES = {
    "GaussNoise": _gauss_noise_args,
    "ImageCompression": _image_compression_args,
    "RandomSizedCrop": _random_sized_crop_args,
    "RandomResizedCrop": _random_resized_crop_args,
}


def _chain(first, second):
    if first is None:
        return second
    first = first.__func__ if isinstance(first, staticmethod) else first
    return lambda kwargs: second(first(kwargs))


def _install() -> None:
    """Attach the per-class hooks to augkit's classes (runs once, at import)."""
    classes = {cls.__name__: cls for cls in (
        GaussNoise, ImageCompression, Downscale, RandomFog, RandomShadow, RandomSnow, RandomRain,
        RandomSunFlare, ElasticTransform, OpticalDistortion, PiecewiseAffine, RandomGamma,
        RandomSizedCrop, RandomResizedCrop)}
    for name, rule in _KWARG_RULES.items():
        cls = classes[name]
        cls._legacy_kwargs = staticmethod(_chain(cls.__dict__.get("_legacy_kwargs"), _rules(rule)))
    for name, rule in _ARG_RULES.items():
        classes[name]._legacy_args = staticmethod(rule)


# ---------------------------------------------------------------------------------------
# removed classes
# ---------------------------------------------------------------------------------------
class RemovedTransform:
    """Base of the 1.x class names that 2.x removed: calling one builds the 2.x transform.

    Subclasses define ``build`` with the 1.x signature (``always_apply`` and ``p`` included)
    and ``replacement``, the 2.x spelling named in the warning.
    """

    replacement = ""

    def __new__(cls, *args, **kwargs):
        _warn(f"{cls.__name__} was removed in Albumentations 2.x; use {cls.replacement}", 2)
        sig = inspect.signature(cls.build)
        for k in kwargs:
            if k not in sig.parameters:
                close = difflib.get_close_matches(k, list(sig.parameters), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise InvalidParameterError(f"{cls.__name__}({k}={kwargs[k]!r}): unknown argument {k!r}{hint} "
                                            f"Accepted (1.x): {', '.join(sig.parameters)}")
        try:
            bound = sig.bind(*args, **kwargs)
        except TypeError as e:
            raise InvalidParameterError(f"{cls.__name__}: {e} (1.x signature: "
                                        f"{inspect.signature(cls.build)})") from None
        bound.apply_defaults()
        kw = dict(bound.arguments)
        always_apply = kw.pop("always_apply", None)
        t = cls.build(**kw)
        if always_apply:
            t.p = 1.0
            t.__dict__.get("_init_args", {})["p"] = 1.0
        return t

    @staticmethod
    def build(**kwargs):  # pragma: no cover - every subclass overrides it
        raise NotImplementedError("a removed-class factory must implement build(**kwargs)")


def _range(value, symmetric: bool = False):
    if P.is_number(value):
        return (-value, value) if symmetric else (value, value)
    return tuple(value)


class JpegCompression(RemovedTransform):
    """1.x ``JpegCompression``: builds ``ImageCompression(compression_type="jpeg", quality_range=...)``."""

    replacement = "ImageCompression(compression_type='jpeg', quality_range=(low, high))"

    @staticmethod
    def build(quality_lower=99, quality_upper=100, always_apply=None, p=0.5):
        return ImageCompression(compression_type="jpeg", quality_range=(quality_lower, quality_upper), p=p)


class RandomBrightness(RemovedTransform):
    """1.x ``RandomBrightness``: ``RandomBrightnessContrast(brightness_limit=limit, contrast_limit=0)``."""

    replacement = "RandomBrightnessContrast(brightness_limit=limit, contrast_limit=0)"

    @staticmethod
    def build(limit=0.2, always_apply=None, p=0.5):
        return RandomBrightnessContrast(brightness_limit=limit, contrast_limit=0, p=p)


class RandomContrast(RemovedTransform):
    """1.x ``RandomContrast``: ``RandomBrightnessContrast(brightness_limit=0, contrast_limit=limit)``."""

    replacement = "RandomBrightnessContrast(brightness_limit=0, contrast_limit=limit)"

    @staticmethod
    def build(limit=0.2, always_apply=None, p=0.5):
        return RandomBrightnessContrast(brightness_limit=0, contrast_limit=limit, p=p)


class Cutout(RemovedTransform):
    """1.x ``Cutout``: ``num_holes`` holes of ``max_h_size`` x ``max_w_size`` -> ``CoarseDropout``."""

    replacement = ("CoarseDropout(num_holes_range=(n, n), hole_height_range=(h, h), "
                   "hole_width_range=(w, w), fill=fill_value)")

    @staticmethod
    def build(num_holes=8, max_h_size=8, max_w_size=8, fill_value=0, always_apply=None, p=0.5):
        import augkit  # CoarseDropout lives in another module, possibly not yet merged
        coarse = getattr(augkit, "CoarseDropout", None)
        if coarse is None:
            raise InvalidParameterError("Cutout needs CoarseDropout, which this augkit build lacks")
        return coarse(num_holes_range=(num_holes, num_holes), hole_height_range=(max_h_size, max_h_size),
                      hole_width_range=(max_w_size, max_w_size), fill=fill_value, p=p)


class IAAAdditiveGaussianNoise(RemovedTransform):
    """1.x ``IAAAdditiveGaussianNoise`` (imgaug; ``loc``, ``scale`` in pixel units) -> ``GaussNoise``."""

    replacement = "GaussNoise(std_range=(scale / 255, ...), mean_range=(loc / 255, loc / 255))"

    @staticmethod
    def build(loc=0, scale=(2.55, 12.75), per_channel=False, always_apply=None, p=0.5):
        lo, hi = (0.0, scale) if P.is_number(scale) else tuple(scale)
        return GaussNoise(std_range=(lo / 255.0, hi / 255.0), mean_range=(loc / 255.0, loc / 255.0),
                          per_channel=per_channel, p=p)


class IAAPerspective(RemovedTransform):
    """1.x ``IAAPerspective`` -> ``Perspective``."""

    replacement = "Perspective(scale=..., keep_size=...)"

    @staticmethod
    def build(scale=(0.05, 0.1), keep_size=True, always_apply=None, p=0.5):
        return Perspective(scale=scale, keep_size=keep_size, p=p)


class IAASharpen(RemovedTransform):
    """1.x ``IAASharpen`` -> ``Sharpen``."""

    replacement = "Sharpen(alpha=..., lightness=...)"

    @staticmethod
    def build(alpha=(0.2, 0.5), lightness=(0.5, 1.0), always_apply=None, p=0.5):
        return Sharpen(alpha=alpha, lightness=lightness, p=p)


class IAAEmboss(RemovedTransform):
    """1.x ``IAAEmboss`` -> ``Emboss``."""

    replacement = "Emboss(alpha=..., strength=...)"

    @staticmethod
    def build(alpha=(0.2, 0.5), strength=(0.2, 0.7), always_apply=None, p=0.5):
        return Emboss(alpha=alpha, strength=strength, p=p)


class IAASuperpixels(RemovedTransform):
    """1.x ``IAASuperpixels`` -> ``Superpixels``."""

    replacement = "Superpixels(p_replace=..., n_segments=...)"

    @staticmethod
    def build(p_replace=0.1, n_segments=100, always_apply=None, p=0.5):
        return Superpixels(p_replace=p_replace, n_segments=n_segments, p=p)


class IAAAffine(RemovedTransform):
    """1.x ``IAAAffine`` (imgaug: ``order``, ``cval``, ``mode``) -> ``Affine``."""

    replacement = "Affine(..., interpolation=..., fill=..., border_mode=...)"

    @staticmethod
    def build(scale=1.0, translate_percent=None, translate_px=None, rotate=0.0, shear=0.0, order=1,
              cval=0, mode="reflect", always_apply=None, p=0.5):
        return Affine(scale=scale, translate_percent=translate_percent, translate_px=translate_px,
                      rotate=rotate, shear=shear, interpolation=_order("IAAAffine", "order", order),
                      fill=cval, border_mode=_border("IAAAffine", "mode", mode), p=p)


class IAAPiecewiseAffine(RemovedTransform):
    """1.x ``IAAPiecewiseAffine`` -> ``PiecewiseAffine``."""

    replacement = "PiecewiseAffine(..., interpolation=..., fill=..., border_mode=...)"

    @staticmethod
    def build(scale=(0.03, 0.05), nb_rows=4, nb_cols=4, order=1, cval=0, mode="constant",
              always_apply=None, p=0.5):
        return PiecewiseAffine(scale=scale, nb_rows=nb_rows, nb_cols=nb_cols,
                               interpolation=_order("IAAPiecewiseAffine", "order", order), fill=cval,
                               border_mode=_border("IAAPiecewiseAffine", "mode", mode), p=p)


#: selection weights of the three outcomes, as OneOf computes them for three p=1 children
_THIRDS = np.ones(3) / 3.0


class Flip(ResamplingTransform):
    """1.x ``Flip``: flip horizontally, vertically, or both, each with chance 1/3.

    Removed in Albumentations 2.x. Same outputs for the same seed as the 2.x spelling
    ``OneOf([HorizontalFlip(p=1), VerticalFlip(p=1), Sequential([HorizontalFlip(p=1),
    VerticalFlip(p=1)], p=1)], p=p)``, in one step (no interpolation).

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: any.

    >>> import warnings, numpy as np, augkit as A
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     flip = A.Flip(p=1.0)
    >>> flip(image=np.array([[1, 2], [3, 4]], np.uint8))["image"].tolist() in (
    ...     [[2, 1], [4, 3]], [[3, 4], [1, 2]], [[4, 3], [2, 1]])
    True
    """

    def __init__(self, p: float = 0.5):
        super().__init__(p=p)
        _warn("Flip was removed in Albumentations 2.x; use OneOf([HorizontalFlip(p=1), "
              "VerticalFlip(p=1), Sequential([HorizontalFlip(p=1), VerticalFlip(p=1)], p=1)]) "
              "(or D4 / RandomRotate90)", 3)

    def sample(self, rng, state):
        # 0: horizontal (cv2.flip code 1), 1: vertical (code 0), 2: both (code -1)
        return {"which": int(rng.choice(3, p=_THIRDS))}

    def get_warp(self, params, state):
        h, w = state.shape
        which = params["which"]
        matrix = mx.hflip(w) if which == 0 else mx.vflip(h) if which == 1 else mx.hflip(w) @ mx.vflip(h)
        return self.make_warp(matrix, state)


_install()
