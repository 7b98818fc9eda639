"""Colour kernels: ``f(image, explicit params) -> new image``, no randomness.

Dtype policy: uint8, uint16 and float32 (values in [0, 1]). A kernel returns the input
dtype (except :func:`to_float`, :func:`from_float` and :func:`normalize`), clips float
results to [0, 1], saturates integer results, accepts HxW and HxWxC arrays, and never
modifies its input. uint8 point operations are 256-entry lookup tables; the ``*_lut``
builders return exactly the table the kernel applies, so transforms can expose it for
fusion. uint16 goes through float32 where OpenCV has no 16-bit kernel.

Semantics follow Albumentations 2.0.8, measured against it; where this module differs
on purpose the function says so.

Timings in comments: one 512x512x3 image, ``cv2.setNumThreads(1)``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import cv2
import numpy as np

from augkit.errors import UnsupportedInputError
from augkit.functional import lut as _lut

_MAX_VALUES = {"uint8": 255.0, "uint16": 65535.0, "uint32": 4294967295.0}
# OpenCV depths by dtype name, and by dtype (an image's dtype: one hash lookup)
_CV_DEPTH = {"uint8": cv2.CV_8U, "uint16": cv2.CV_16U,
             np.dtype(np.uint8): cv2.CV_8U, np.dtype(np.uint16): cv2.CV_16U}
# dtypes that cv2.addWeighted converts to float32, with their maxima (dtype-keyed: a hash
# lookup, where ``dtype.name`` builds a string each time)
_INT_TOPS = {np.dtype(np.uint8): 255.0, np.dtype(np.uint16): 65535.0}
_DTYPE_TOPS = {**_INT_TOPS, np.dtype(np.uint32): 4294967295.0, np.dtype(np.float32): 1.0,
               np.dtype(np.float64): 1.0}
_X256 = np.arange(256, dtype=np.float64)
_UNIT256 = _X256 / 255.0
_HUE_IDENTITY = np.arange(180, dtype=np.uint8)
_GRAY_WEIGHTS = np.tile([0.299, 0.587, 0.114], (3, 1))  # RGB -> grey, as cv2.COLOR_RGB2GRAY


# -- helpers ----------------------------------------------------------------------------
def max_value(dtype) -> float:
    """Largest value of an image dtype: 255, 65535, ... for integers, 1.0 for floats."""
    top = _DTYPE_TOPS.get(dtype)  # an image's dtype: one hash lookup (~0.1 us, ~1 us by name)
    return top if top is not None else _MAX_VALUES.get(np.dtype(dtype).name, 1.0)


def num_channels(img: np.ndarray) -> int:
    return 1 if img.ndim == 2 else img.shape[2]


def channel_histograms(img: np.ndarray, mask: np.ndarray | None = None) -> list[np.ndarray]:
    """One 256-bin histogram per channel of a uint8 image, float32 counts (exact below
    2**24 pixels per level), read from the interleaved image (cv2.calcHist: 0.15 ms per
    channel on 512x512, np.bincount of a split channel 0.9 ms)."""
    src = img if img.ndim == 3 else img[..., None]
    m = None if mask is None else (mask != 0).astype(np.uint8)
    return [cv2.calcHist([src], [i], m, [256], [0, 256]).ravel() for i in range(src.shape[2])]


def _like(out: np.ndarray, img: np.ndarray) -> np.ndarray:
    """OpenCV returns HxW for an HxWx1 input: put the channel axis back."""
    return out if out.shape == img.shape else out.reshape(img.shape)


def add_integer_shifts(img: np.ndarray, shifts: Sequence[int], dst: np.ndarray | None = None) -> np.ndarray:
    """``clip(img + shifts[c])`` for integer images (uint8/uint16, at most 4 channels) and
    integer shifts, into ``dst`` when given (may be ``img``).

    OpenCV's saturating scalar add takes its fast kernel only for scalars the image dtype
    can hold: a negative or fractional scalar goes through a generic path ~75x slower
    (OpenCV 5.1, 512x512x3 uint8, one thread: 1.56 ms with (10, -5, 3) against 21 us with
    (10, 5, 3)). Each channel's shift has one sign, so adding the positive parts and
    subtracting the negative ones saturates exactly as one signed add (~40 us in all).
    """
    c = num_channels(img)
    up = [float(max(int(v), 0)) for v in shifts] + [0.0] * (4 - c)
    down = [float(max(-int(v), 0)) for v in shifts] + [0.0] * (4 - c)
    out = img
    if any(up):
        out = cv2.add(out, tuple(up), dst=dst)
    if any(down):
        out = cv2.subtract(out, tuple(down), dst=out if out is not img else dst)
    if out is img:  # every shift is 0
        if dst is None:
            return img.copy()
        if dst is not img:
            np.copyto(dst, img)
        return dst
    return _like(out, img)


def _need_channels(name: str, img: np.ndarray, allowed: tuple[int, ...]) -> int:
    c = num_channels(img)
    if c not in allowed:
        raise UnsupportedInputError(
            f"{name}: expects an image with {' or '.join(map(str, allowed))} channels, got {c}")
    return c


def _to_unit(img: np.ndarray) -> np.ndarray:
    """Integer image -> float32 in [0, 1]."""
    return np.multiply(img, np.float32(1.0 / max_value(img.dtype)), dtype=np.float32)


def _round_to(img: np.ndarray, dtype, scale: float) -> np.ndarray:
    """``round(img * scale)`` saturated to an integer dtype (one OpenCV pass, 0.18 ms for uint8
    against 0.8 ms for np.clip(np.rint(...)).astype)."""
    depth = _CV_DEPTH.get(dtype)
    if depth is None:
        depth = _CV_DEPTH.get(np.dtype(dtype).name)
    if depth is not None:
        return _like(cv2.addWeighted(img, scale, img, 0.0, 0.0, dtype=depth), img)
    info = np.iinfo(dtype)
    return np.clip(np.rint(img.astype(np.float64) * scale), info.min, info.max).astype(dtype)


def _via_unit(img: np.ndarray, fn: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Run a float32 kernel on an integer image (used for uint16)."""
    return _round_to(fn(_to_unit(img)), img.dtype, max_value(img.dtype))


def _affine_trunc(img: np.ndarray, alpha: float, beta: float) -> np.ndarray:
    """``alpha * img + beta`` clipped to the dtype range; integers truncate like the uint8 LUTs."""
    out = np.multiply(img, np.float32(alpha), dtype=np.float32)
    if beta:
        out += np.float32(beta)
    np.clip(out, 0.0, max_value(img.dtype), out=out)
    return out if img.dtype == np.float32 else out.astype(img.dtype)


def image_mean(img: np.ndarray) -> float:
    """Mean over all pixels and channels (cv2.mean is 6x faster than ndarray.mean on uint8)."""
    c = num_channels(img)
    if c <= 4:
        return float(sum(cv2.mean(img)[:c]) / c)
    return float(img.mean(dtype=np.float64))


def gray_mean(img: np.ndarray) -> float:
    """Mean of the grey image (RGB weights) for 3 channels, the plain mean for one channel."""
    if num_channels(img) == 3:
        return cv2.mean(cv2.cvtColor(img, cv2.COLOR_RGB2GRAY))[0]
    return image_mean(img)


def _fast_tables() -> bool:
    """True when single uint8 tables go through stringzilla (23 us against 177 us for
    cv2.LUT); kernel choices below that race a table against OpenCV arithmetic use it."""
    return _lut.BACKEND == "stringzilla"


def apply_lut(img: np.ndarray, lut: np.ndarray) -> np.ndarray:
    """Map a uint8 image through a (256,) or (256, C) table of uint8 or float32 values."""
    lut = np.asarray(lut)
    if lut.dtype == np.uint8:
        return _lut.apply_lut(img, lut)  # the engine's kernel (stringzilla when installed)
    if lut.ndim == 2:
        if lut.shape[1] == 1 or (lut == lut[:, :1]).all():
            lut = lut[:, 0]  # one shared table: cv2.LUT is 2x faster (0.18 against 0.35 ms)
        elif lut.shape[1] != num_channels(img):
            raise UnsupportedInputError(
                f"apply_lut: table has {lut.shape[1]} channels, image has {num_channels(img)}")
        else:
            lut = lut.reshape(256, 1, -1)
    return _like(cv2.LUT(img, np.ascontiguousarray(lut)), img)


_PROBE = np.arange(256, dtype=np.uint8)  # every uint8 value in one contiguous row (SIMD path)
_PROBE_COLUMN = np.repeat(_PROBE[:, None], 2, axis=1)[:, :1]  # one per row (scalar tail path)


def affine_uint8(img: np.ndarray, alpha: float, beta: float, lut: np.ndarray) -> np.ndarray:
    """Apply ``lut``, the truncating uint8 table of ``alpha * x + beta``, in one SIMD pass.

    OpenCV rounds where the table truncates, so the pass computes ``round(y - 0.5 + eps)``
    with eps = 2**-14, which is ``floor(y)`` except within eps below an integer. The pass is
    first run on all 256 values, through both OpenCV code paths, and used only when it
    reproduces ``lut`` exactly (about 98% of draws); otherwise ``lut`` is applied.
    convertScaleAbs takes 0.10 ms, addWeighted 0.15 ms, cv2.LUT 0.18 ms; with stringzilla
    the table itself (0.02 ms) wins and is used directly.
    """
    if _fast_tables():
        return apply_lut(img, lut)
    shift = beta - 0.5 + 2.0 ** -14
    if alpha >= 0 and beta >= 0:  # y >= 0, so convertScaleAbs' absolute value is harmless
        def op(a):
            return cv2.convertScaleAbs(a, alpha=alpha, beta=shift)
    else:  # saturating at 0
        def op(a):
            return cv2.addWeighted(a, alpha, a, 0.0, shift)
    if np.array_equal(op(_PROBE).ravel(), lut) and np.array_equal(op(_PROBE_COLUMN).ravel(), lut):
        return _like(op(img), img)
    return apply_lut(img, lut)


# -- dtype conversion and normalization -----------------------------------------------
def to_float(img: np.ndarray, max_value_: float | None = None) -> np.ndarray:
    """Integer image -> float32 ``img / max_value`` (default: the dtype maximum).

    A float32 image comes back unchanged (as a copy), whatever ``max_value_``, as in 2.0.8.
    """
    dtype = img.dtype
    if dtype == np.float32:
        return img.copy()
    top = _INT_TOPS.get(dtype) if max_value_ is None else max_value_
    if top is None:
        top = max_value(dtype)
    scale = 1.0 / top
    if dtype in _INT_TOPS:
        # one pass. 512x512x3 uint8, one thread (us): addWeighted 158-173, np.multiply(dtype=
        # float32) 170, np.divide 188, cv2.LUT with a float32 table 182, astype + in-place
        # multiply 230, np.take of a 256-entry table 710, cv2.multiply by a scalar 400;
        # writing into a reused float32 buffer is no faster (the cost is the pass, not the
        # allocation). The dtype lookups above cost 0.1 us where .name and np.issubdtype
        # cost ~3.8 us per call.
        return _like(cv2.addWeighted(img, scale, img, 0.0, 0.0, dtype=cv2.CV_32F), img)
    return np.multiply(img, np.float32(scale), dtype=np.float32)


def from_float(img: np.ndarray, dtype="uint8", max_value_: float | None = None) -> np.ndarray:
    """Float image -> integer dtype: ``round(img * max_value)`` saturated to the dtype range."""
    scale = max_value_ if max_value_ is not None else max_value(dtype)
    return _round_to(img, np.dtype(dtype), float(scale))


def _per_channel(owner: str, values, c: int) -> np.ndarray:
    v = np.atleast_1d(np.asarray(values, dtype=np.float64)).ravel()
    if v.size == 1:
        return np.repeat(v, c)
    if v.size < c:
        # 2.0.8 silently reuses the first value here; a clear error is kinder.
        raise UnsupportedInputError(
            f"{owner}: {v.size} values given for an image with {c} channels; "
            f"give one value or one per channel")
    return v[:c]  # 2.0.8 uses the first C values (ImageNet defaults on grey images)


def normalize_lut(mean, std, max_pixel_value: float, channels: int) -> np.ndarray:
    """float32 table (256,) or (256, C) of ``(x - mean * max) / (std * max)``."""
    m = _per_channel("Normalize", mean, channels) * max_pixel_value
    s = _per_channel("Normalize", std, channels) * max_pixel_value
    lut = ((_X256[:, None] - m) / s).astype(np.float32)
    return lut[:, 0] if channels == 1 else lut


def _key(values):
    """A hashable form of a scalar or per-channel sequence."""
    arr = np.asarray(values, dtype=np.float64)
    return tuple(arr.ravel().tolist()) if arr.ndim else float(arr)


@functools.lru_cache(maxsize=64)
def _cached_normalize_lut(mean, std, max_pixel_value: float, channels: int) -> np.ndarray:
    # a pipeline's Normalize has fixed statistics: build its table once (20 us a call)
    lut = normalize_lut(mean, std, max_pixel_value, channels)
    lut.setflags(write=False)
    return lut


def normalize(img: np.ndarray, mean, std, max_pixel_value: float) -> np.ndarray:
    """``(img - mean * max_pixel_value) / (std * max_pixel_value)`` as float32.

    The formula is applied literally whatever the input dtype (as 2.0.8 does): pass
    ``max_pixel_value=1.0`` for float images, 65535 for uint16 ones.
    """
    c = num_channels(img)
    if img.dtype == np.uint8:
        # a float32 table: each value is the formula computed in float64 and rounded once,
        # as 2.0.8's table (identical outputs). One float32 conversion and one
        # cv2.transform would be ~1.7x faster (512x512x3, EPYC / OpenCV 5.1: 3,400 against
        # 1,950 images/s) but lands 1 ulp off for ~60% of the values.
        return apply_lut(img, _cached_normalize_lut(_key(mean), _key(std), float(max_pixel_value), c))
    m = _per_channel("Normalize", mean, c) * max_pixel_value
    inv = 1.0 / (_per_channel("Normalize", std, c) * max_pixel_value)
    x = img if img.dtype == np.float32 else \
        _like(cv2.addWeighted(img, 1.0, img, 0.0, 0.0, dtype=cv2.CV_32F), img)
    if c <= 4:  # one cv2.transform pass with [diag(1/std) | -mean/std]
        mat = np.hstack([np.diag(inv), (-m * inv)[:, None]]).astype(np.float32)
        return _like(cv2.transform(x, mat, dst=None if x is img else x), img)
    out = x.copy() if x is img else x
    out -= m.astype(np.float32)
    out *= inv.astype(np.float32)
    return out


def normalize_per_image(img: np.ndarray, normalization: str, eps: float = 1e-4) -> np.ndarray:
    """Normalize by the image's own statistics, as float32.

    ``image``/``image_per_channel``: ``(x - mean) / (std + eps)``;
    ``min_max``/``min_max_per_channel``: ``(x - min) / (max - min)`` (0 where max == min;
    2.0.8 adds eps to the denominator, which moves values by less than 1e-6).
    """
    x = img.astype(np.float32)
    flat = x.reshape(-1, num_channels(img))
    axis = 0 if normalization.endswith("per_channel") else None
    if normalization in ("image", "image_per_channel"):
        shift = flat.mean(axis, dtype=np.float64)
        scale = 1.0 / (flat.std(axis, dtype=np.float64) + eps)
    elif normalization in ("min_max", "min_max_per_channel"):
        shift = flat.min(axis).astype(np.float64)
        spread = flat.max(axis) - shift
        scale = np.where(spread > 0, 1.0 / np.where(spread > 0, spread, 1.0), 0.0)
    else:
        raise ValueError(f"normalize_per_image: unknown normalization {normalization!r}")
    x -= np.asarray(shift, np.float32)
    x *= np.asarray(scale, np.float32)
    return x


# -- brightness, contrast, gamma ----------------------------------------------------
def brightness_contrast_lut(alpha: float, beta: float) -> np.ndarray:
    """uint8 table of ``alpha * x + beta`` (beta in pixels), clipped and truncated as 2.0.8."""
    v = np.arange(256, dtype=np.float32) * np.float32(alpha) + np.float32(beta)
    return np.clip(v, 0, 255).astype(np.uint8)


def brightness_contrast(img: np.ndarray, alpha: float, beta: float) -> np.ndarray:
    """``alpha * img + beta``, beta in pixel units of the image dtype.

    2.0.8 scales around 0 (not around the mean): contrast ``alpha`` multiplies values.
    """
    if img.dtype == np.uint8:
        return affine_uint8(img, alpha, beta, brightness_contrast_lut(alpha, beta))
    return _affine_trunc(img, alpha, beta)


def safe_alpha_beta(alpha: float, beta: float, max_val: float) -> tuple[float, float]:
    """Shrink ``alpha`` and raise ``beta`` so that ``alpha * x + beta`` stays in [0, max_val]
    for every x in [0, max_val] (2.0.8's ``ensure_safe_range``)."""
    beta = min(max(beta, 0.0), max_val)
    alpha = max(min(alpha, (max_val - beta) / max_val), 0.0)
    return alpha, beta


def gamma_lut(gamma: float) -> np.ndarray:
    """uint8 table of ``255 * (x / 255) ** gamma``, truncated as 2.0.8."""
    table = np.power(_UNIT256, gamma)
    table *= 255.0
    if not gamma >= 0:  # a power of [0, 1] stays in [0, 1] for gamma >= 0: nothing to clip
        np.clip(table, 0, 255, out=table)
    return table.astype(np.uint8)


def gamma(img: np.ndarray, gamma_: float) -> np.ndarray:
    """Power law ``max * (img / max) ** gamma``; gamma > 1 darkens."""
    if img.dtype == np.uint8:
        return apply_lut(img, gamma_lut(gamma_))
    if img.dtype == np.float32:
        # exp(gamma * log x) with OpenCV's vector log/exp: 0.46 ms against 0.71 ms for
        # np.power and 1.15 ms for cv2.pow; within 6e-8 of np.power, log(0) = -inf -> 0.
        # (Many exact zeros slow both down alike: 1.27 against 1.30 ms on the sample.)
        out = cv2.log(img)
        np.multiply(out, np.float32(gamma_), out=out)
        return _like(cv2.exp(out, dst=out), img)
    # uint16: 65536-entry table, 0.9 ms against 1.9 ms for float32 pow
    x = np.arange(65536, dtype=np.float64) / 65535.0
    table = (65535.0 * np.power(x, gamma_)).astype(np.uint16)
    return np.take(table, img)


# -- hue, saturation, value ------------------------------------------------------------
def _hue_lut(shift: float) -> np.ndarray:
    """Table on OpenCV's 8-bit hue (0..179): ``(h + shift) mod 180``, floored as 2.0.8."""
    return np.mod(_X256 + shift, 180.0).astype(np.uint8)


def _sat_lut(shift: int) -> np.ndarray:
    lut = np.clip(_X256 + shift, 0, 255).astype(np.uint8)
    lut[0] = 0  # grey pixels (S = 0) have no hue: they stay grey, as in 2.0.8
    return lut


def _shift_hsv_uint8(img, hue_shift, sat_shift, val_shift, dst=None):
    """``dst`` may be ``img`` itself when the caller owns it (OpenCV converts in place)."""
    hue = _hue_lut(hue_shift)
    hue_moves = not np.array_equal(hue[:180], _HUE_IDENTITY)
    # 2.0.8 truncates the saturation and value shifts to integers.
    s, v = int(sat_shift), int(val_shift)
    if not hue_moves and s == 0 and v == 0:
        return img.copy() if dst is None else img  # skip the lossy HSV round trip
    hsv = cv2.cvtColor(img, cv2.COLOR_RGB2HSV, dst=dst)
    if s:
        val = np.clip(_X256 + v, 0, 255).astype(np.uint8) if v else None
        # one table per channel, plane by plane on the fresh HSV image and back into it
        # (see lut_planes: 15-20% less for the whole round trip than apply_lut's strips)
        hsv = _lut.lut_planes(hsv, (hue if hue_moves else None, _sat_lut(s), val), dst=hsv)
    else:
        if v:
            add_integer_shifts(hsv, (0, 0, v), dst=hsv)  # saturating: clip(x + v, 0, 255)
        if hue_moves:
            # H plane only: 0.16 ms against 0.36 ms for a 3-channel table
            h = apply_lut(cv2.extractChannel(hsv, 0), hue)
            cv2.insertChannel(h, hsv, 0)
    # In place: a fresh output buffer costs 0.35 ms more (page faults on 768 KB).
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB, dst=hsv)


def _shift_hsv_float(img, hue_shift, sat_shift, val_shift, dst=None):
    # Hue in OpenCV 8-bit units (degrees / 2), saturation and value in 1/255 steps: the
    # same shifts as on uint8. 2.0.8 quantizes float images to 8 bits here; we do not.
    dh = float(np.mod(2.0 * hue_shift, 360.0))  # float HSV2RGB wraps H >= 360, not H < 0
    ds, dv = sat_shift / 255.0, val_shift / 255.0
    if dh == 0 and ds == 0 and dv == 0:
        return img.copy() if dst is None else img
    hsv = cv2.cvtColor(img, cv2.COLOR_RGB2HSV, dst=dst)
    grey = None
    if ds > 0:  # grey pixels (S = 0) stay grey, as on uint8
        grey = cv2.extractChannel(hsv, 1) == 0
        grey = grey if grey.any() else None
    cv2.add(hsv, (dh, ds, dv, 0.0), dst=hsv)
    if ds or dv:  # per-channel scalar bounds: 0.1 ms, against 2.2 ms for np.clip on a view
        cv2.max(hsv, (0.0, 0.0, 0.0, 0.0), dst=hsv)
        cv2.min(hsv, (720.0, 1.0, 1.0, 0.0), dst=hsv)
    if grey is not None:
        sat = cv2.extractChannel(hsv, 1)
        sat[grey] = 0.0
        cv2.insertChannel(sat, hsv, 1)
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB, dst=hsv)


def shift_value_gray_lut(val_shift: float) -> np.ndarray:
    return np.clip(_X256 + int(val_shift), 0, 255).astype(np.uint8)


def shift_hsv(img: np.ndarray, hue_shift: float, sat_shift: float, val_shift: float) -> np.ndarray:
    """Shift hue (OpenCV 8-bit units, 0..179 wraps), saturation and value (0..255 units).

    RGB input with 3 channels; grey pixels stay grey (as 2.0.8). A one-channel image has
    no hue or saturation: only the value shift applies (what 2.0.8 computes through an
    RGB round trip).
    """
    c = _need_channels("shift_hsv", img, (1, 3))
    if c == 1:
        if img.dtype == np.uint8:
            return apply_lut(img, shift_value_gray_lut(val_shift))
        return _affine_trunc(img, 1.0, val_shift / 255.0 * max_value(img.dtype))
    if img.dtype == np.uint8:
        return _shift_hsv_uint8(img, hue_shift, sat_shift, val_shift)
    if img.dtype == np.float32:
        return _shift_hsv_float(img, hue_shift, sat_shift, val_shift)
    return _via_unit(img, lambda f: _shift_hsv_float(f, hue_shift, sat_shift, val_shift, dst=f))


# -- colour jitter (torchvision semantics, OpenCV kernels) ----------------------------
def adjust_brightness_lut(factor: float) -> np.ndarray:
    v = np.arange(256, dtype=np.float32) * np.float32(factor)
    return np.clip(v, 0, 255).astype(np.uint8)


def adjust_contrast_lut(factor: float, mean: float) -> np.ndarray:
    # float32 x * f + m * (1 - f), truncated: bit-exact with 2.0.8 (checked on 900 factors)
    v = np.arange(256, dtype=np.float32) * np.float32(factor) + np.float32(mean * (1.0 - factor))
    return np.clip(v, 0, 255).astype(np.uint8)


def _saturation_matrix(factor: float) -> np.ndarray:
    return (factor * np.eye(3) + (1.0 - factor) * _GRAY_WEIGHTS).astype(np.float32)


def adjust_brightness(img: np.ndarray, factor: float) -> np.ndarray:
    """``img * factor`` clipped."""
    if img.dtype == np.uint8:
        return affine_uint8(img, factor, 0.0, adjust_brightness_lut(factor))
    return _affine_trunc(img, factor, 0.0)


def adjust_contrast(img: np.ndarray, factor: float) -> np.ndarray:
    """Blend with the mean grey level: ``(img - m) * factor + m``."""
    m = gray_mean(img)
    if img.dtype == np.uint8:
        return affine_uint8(img, factor, m * (1.0 - factor), adjust_contrast_lut(factor, m))
    return _affine_trunc(img, factor, m * (1.0 - factor))


def adjust_saturation(img: np.ndarray, factor: float) -> np.ndarray:
    """Blend with the grey image: ``img * factor + gray * (1 - factor)``; grey input unchanged.

    One cv2.transform pass with the blended 3x3 matrix: 0.12 ms against 0.26 ms for grey,
    GRAY2RGB and addWeighted. On uint8 it differs from 2.0.8 (which rounds the grey image
    first) by at most 1 on some pixels.
    """
    if num_channels(img) == 1:
        return img.copy()
    _need_channels("adjust_saturation", img, (3,))
    out = cv2.transform(img, _saturation_matrix(factor))  # saturating round on integers
    if out.dtype == np.float32:
        np.clip(out, 0.0, 1.0, out=out)
    return out


def adjust_hue(img: np.ndarray, factor: float) -> np.ndarray:
    """Rotate hue by ``factor`` turns (factor in [-0.5, 0.5]); grey input unchanged."""
    if num_channels(img) == 1:
        return img.copy()
    return shift_hsv(img, factor * 180.0, 0.0, 0.0)


def color_jitter(img: np.ndarray, brightness: float, contrast: float, saturation: float,
                 hue: float, order: Sequence[int]) -> np.ndarray:
    """Brightness, contrast, saturation and hue (``order`` indexes them 0..3), in that order.

    Factors of 1 (hue 0) are skipped. After the first step every step works in place on
    the new buffer (a fresh 768 KB buffer per step can cost 0.3 ms of page faults). On
    uint8, a contrast immediately followed by a brightness change is fused into one lookup
    table (exact: tables compose).
    """
    c = _need_channels("color_jitter", img, (1, 3))
    if img.dtype == np.uint16:
        return _via_unit(img, lambda f: color_jitter(f, brightness, contrast, saturation, hue, order))
    u8 = img.dtype == np.uint8
    out = img.reshape(img.shape[:2]) if c == 1 else img
    owned = False  # True once `out` is our own buffer, free to overwrite
    pending = None  # uint8 table not yet applied

    def dst():
        return out if owned else None

    affine = None  # (alpha, beta) when the pending table is one affine step

    def flush():
        nonlocal out, owned, pending
        if pending is not None:
            if affine is not None:  # one SIMD pass (affine_uint8); a fresh buffer either way
                out = affine_uint8(out, affine[0], affine[1], pending)
            elif _fast_tables():
                out = apply_lut(out, pending)
            else:
                out = cv2.LUT(out, pending, dst=dst())
            owned, pending = True, None

    for op in order:
        if op == 0 and brightness != 1:
            if u8:
                lut = adjust_brightness_lut(brightness)
                affine = (brightness, 0.0) if pending is None else None
                pending = lut if pending is None else lut[pending]
            else:
                out, owned = np.multiply(out, np.float32(brightness), out=dst()), True
                np.clip(out, 0.0, 1.0, out=out)
        elif op == 1 and contrast != 1:
            flush()  # the mean is taken on the current image
            m = gray_mean(out)
            if u8:
                pending = adjust_contrast_lut(contrast, m)
                affine = (contrast, m * (1.0 - contrast))
            else:
                out, owned = np.multiply(out, np.float32(contrast), out=dst()), True
                out += np.float32(m * (1.0 - contrast))
                np.clip(out, 0.0, 1.0, out=out)
        elif op == 2 and saturation != 1 and c == 3:
            flush()
            out, owned = cv2.transform(out, _saturation_matrix(saturation), dst=dst()), True
            if not u8:
                np.clip(out, 0.0, 1.0, out=out)
        elif op == 3 and hue != 0 and c == 3:
            flush()
            shift = _shift_hsv_uint8 if u8 else _shift_hsv_float
            out, owned = shift(out, hue * 180.0, 0.0, 0.0, dst=dst()), True
    flush()
    return out.reshape(img.shape) if owned else img.copy()


# -- grey ------------------------------------------------------------------------------
def _channel_reduce(img: np.ndarray, fn) -> np.ndarray:
    planes = cv2.split(img)  # cv2.max/min over planes: 4x faster than ndarray.max(axis=2)
    acc = planes[0]
    for p in planes[1:]:
        acc = fn(acc, p)
    return acc


def _pca_gray(img: np.ndarray) -> np.ndarray:
    c = num_channels(img)
    x = img.reshape(-1, c).astype(np.float64)
    x -= x.mean(0)
    _, vecs = np.linalg.eigh(x.T @ x)
    pc = vecs[:, -1]
    if pc.sum() < 0:  # sign convention: brighter input -> brighter output (as 2.0.8 on tests)
        pc = -pc
    proj = x @ pc
    lo, hi = proj.min(), proj.max()
    unit = (proj - lo) / (hi - lo) if hi > lo else np.zeros_like(proj)
    top = max_value(img.dtype)
    if img.dtype == np.float32:
        out = unit.astype(np.float32)
    else:
        out = np.rint(unit * top).astype(img.dtype)
    return out.reshape(img.shape[:2])


def _lab_lightness(img: np.ndarray) -> np.ndarray:
    if img.dtype == np.uint8:
        return cv2.extractChannel(cv2.cvtColor(img, cv2.COLOR_RGB2LAB), 0)  # L * 255 / 100
    f = img if img.dtype == np.float32 else _to_unit(img)
    light = cv2.extractChannel(cv2.cvtColor(f, cv2.COLOR_RGB2LAB), 0)  # L in [0, 100]
    light = np.clip(light * np.float32(0.01), 0.0, 1.0)
    return light if img.dtype == np.float32 else _round_to(light, img.dtype, max_value(img.dtype))


def to_gray(img: np.ndarray, num_output_channels: int = 3,
            method: str = "weighted_average") -> np.ndarray:
    """Grey image, replicated to ``num_output_channels`` (1 gives an HxW array, as 2.0.8).

    A one-channel image is returned unchanged (as 2.0.8). ``weighted_average`` and
    ``from_lab`` need RGB; the other methods take any channel count.
    """
    c = num_channels(img)
    if c == 1:
        return img.copy()
    if method in ("weighted_average", "from_lab"):
        _need_channels(f"to_gray(method={method!r})", img, (3,))
    if method == "weighted_average":
        if img.dtype == np.float32 and num_output_channels == 3:
            # grey straight into 3 channels: 0.22 ms against 0.29 ms (uint8: cvtColor wins)
            return cv2.transform(img, _GRAY_WEIGHTS.astype(np.float32))
        # uint8: cvtColor's fixed-point RGB2GRAY (80 us on 512x512x3) is the exact result;
        # cv2.transform with the same weights is not faster (116 us for 3 channels out)
        # and rounds differently on ~2 % of pixels.
        gray = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    elif method == "from_lab":
        gray = _lab_lightness(img)
    elif method == "max":
        gray = _channel_reduce(img, cv2.max)
    elif method == "desaturation":
        hi, lo = _channel_reduce(img, cv2.max), _channel_reduce(img, cv2.min)
        if img.dtype == np.float32:
            gray = (hi + lo) * np.float32(0.5)
        else:  # floor((hi + lo) / 2), as 2.0.8
            gray = ((hi.astype(np.uint32) + lo) >> 1).astype(img.dtype)
    elif method == "average":
        if img.dtype == np.float32:
            gray = img.mean(axis=2, dtype=np.float32)
        else:  # floor of the mean, as 2.0.8
            gray = (img.sum(axis=2, dtype=np.uint32) // c).astype(img.dtype)
    elif method == "pca":
        gray = _pca_gray(img)
    else:
        raise ValueError(f"to_gray: unknown method {method!r}")
    if num_output_channels == 1:
        return gray
    if num_output_channels == 3:
        return cv2.cvtColor(gray, cv2.COLOR_GRAY2RGB)  # 0.02 ms on uint8
    return cv2.merge([gray] * num_output_channels)


# -- invert, solarize, posterize ---------------------------------------------------------
def invert_lut() -> np.ndarray:
    return np.arange(255, -1, -1, dtype=np.uint8)


def invert(img: np.ndarray) -> np.ndarray:
    """``max - img``."""
    if img.dtype == np.float32:
        return np.subtract(np.float32(1.0), img)
    return np.invert(img)  # max - x == ~x on unsigned ints; 0.02 ms, memory bound


def solarize_lut(threshold: float) -> np.ndarray:
    """uint8 table inverting every value >= threshold (threshold in pixels); read-only.

    Integer values ``x >= threshold`` are those ``>= ceil(threshold)``: 257 tables at most,
    each built once (building one costs ~5 us, a tenth of the whole 512x512x3 call)."""
    return _solarize_lut(min(max(int(np.ceil(threshold)), 0), 256))


@functools.lru_cache(maxsize=None)
def _solarize_lut(first_inverted: int) -> np.ndarray:
    x = np.arange(256)
    lut = np.where(x >= first_inverted, 255 - x, x).astype(np.uint8)
    lut.setflags(write=False)
    return lut


def solarize(img: np.ndarray, threshold: float) -> np.ndarray:
    """Invert the values ``>= threshold`` (pixel units of the dtype; 2.0.8 uses ``>=``)."""
    if img.dtype == np.float32:
        t32 = np.float32(threshold)
        if float(t32) < threshold:  # smallest float32 >= threshold: the comparison stays exact
            t32 = np.nextafter(t32, np.float32(np.inf))
        # |m - x| with m = 1 where x >= t, else 0: two OpenCV passes, 0.35 ms against
        # 1.2 ms for np.subtract(..., where=mask) (x is in [0, 1])
        mask = cv2.threshold(img, float(np.nextafter(t32, np.float32(-np.inf))), 1.0,
                             cv2.THRESH_BINARY)[1]
        return _like(cv2.absdiff(mask, img, dst=mask), img)
    if img.dtype == np.uint8 and _fast_tables():
        return apply_lut(img, solarize_lut(threshold))  # 0.02 ms
    top = int(max_value(img.dtype))
    t = int(np.ceil(threshold))  # integer x >= threshold  <=>  x > t - 1
    if t <= 0:
        return invert(img)
    if t > top:
        return img.copy()
    # max - x == x ^ max: a threshold mask and one xor, 0.07 ms against 0.18 ms for a LUT
    if img.dtype.name in _CV_DEPTH:
        mask = _like(cv2.threshold(img, t - 1, top, cv2.THRESH_BINARY)[1], img)
    else:
        mask = np.where(img >= t, img.dtype.type(top), img.dtype.type(0))
    return _like(cv2.bitwise_xor(img, mask, dst=mask), img)


def _bits_mask(bits: int, width: int) -> int:
    bits = min(max(int(bits), 0), width)
    return ((1 << width) - 1) ^ ((1 << (width - bits)) - 1)


def posterize_lut(bits) -> np.ndarray:
    """uint8 table keeping the top ``bits`` bits; per-channel (256, C) for a sequence."""
    x = np.arange(256, dtype=np.uint8)
    if np.ndim(bits) == 0:
        return x & np.uint8(_bits_mask(bits, 8))
    return np.stack([x & np.uint8(_bits_mask(b, 8)) for b in bits], axis=1)


def posterize(img: np.ndarray, bits) -> np.ndarray:
    """Keep the top ``bits`` bits of each value (0 -> black, 8 -> unchanged).

    ``bits`` is one int or one per channel. uint16 keeps the top ``bits`` of its 16 bits
    (same number of levels); float32 is posterized on its 8-bit value, as 2.0.8.
    """
    per_channel = np.ndim(bits) > 0
    c = num_channels(img)
    if per_channel:
        bits = [int(b) for b in bits]
        if len(bits) != c:
            raise UnsupportedInputError(
                f"posterize: {len(bits)} bit counts given for an image with {c} channels")
        if len(set(bits)) == 1:
            bits, per_channel = bits[0], False
    if img.dtype == np.float32:
        q = _round_to(img, np.uint8, 255.0)
        return to_float(posterize(q, bits))
    width = 8 * img.dtype.itemsize
    if per_channel:
        masks = [_bits_mask(b, width) for b in bits]
        if c <= 4:  # per-channel scalar: 0.03 ms against 0.8 ms for numpy broadcasting
            return cv2.bitwise_and(img, (*masks, *[0] * (4 - c)))
        return np.bitwise_and(img, np.array(masks, dtype=img.dtype))
    return np.bitwise_and(img, img.dtype.type(_bits_mask(bits, width)))  # 0.02 ms
