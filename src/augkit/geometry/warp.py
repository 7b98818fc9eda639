"""Warps and the kernels that apply them to images and masks.

A :class:`Warp` is what a spatial transform returns: a 3x3 matrix in continuous pixel
space (see :mod:`augkit.geometry.matrices`) from its input frame to its output frame,
the output size, and how to resample (interpolation, border mode, fill values).

:func:`warp_pixels` picks the fastest exact kernel for a matrix:

* integer signed permutation + integer shift (flips, quarter turns, transposes, crops,
  pads): slicing, then ``cv2.copyMakeBorder`` for any padding; no interpolation at all;
* positive axis-aligned scale whose source window has integer edges (resize, resized
  crop): slicing then ``cv2.resize``, which shares our half-pixel convention;
* anything else: ``cv2.warpAffine`` / ``cv2.warpPerspective`` on the output window only,
  after an ``INTER_AREA`` pre-shrink when the warp shrinks by more than 2x (so fused
  chains do not alias).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np

from augkit.geometry import matrices as mx

_NEAREST = (cv2.INTER_NEAREST, cv2.INTER_NEAREST_EXACT)
# OpenCV's warps do not take these two flags; they fall back to their plain variants.
_WARP_FLAG = {cv2.INTER_NEAREST_EXACT: cv2.INTER_NEAREST, cv2.INTER_LINEAR_EXACT: cv2.INTER_LINEAR,
              cv2.INTER_AREA: cv2.INTER_LINEAR}
# cv2.resize's INTER_NEAREST is off by half a pixel; INTER_NEAREST_EXACT is centred.
_RESIZE_FLAG = {cv2.INTER_NEAREST: cv2.INTER_NEAREST_EXACT}
_CV_DTYPES = {"uint8", "uint16", "int16", "float32", "float64"}


@dataclass
class Warp:
    """A geometric step: ``matrix`` maps input to output points, the output is ``out_shape``.

    ``interpolation`` None means the step never interpolates (integer permutations and
    shifts). ``reads_outside`` is True when some output pixel comes from outside the input
    frame (pads, rotations), which is where ``border_mode`` and ``fill`` matter.
    """

    matrix: np.ndarray
    in_shape: tuple[int, int]
    out_shape: tuple[int, int]
    interpolation: int | None = cv2.INTER_LINEAR
    mask_interpolation: int | None = cv2.INTER_NEAREST
    border_mode: int = cv2.BORDER_CONSTANT
    fill: float | tuple[float, ...] = 0.0
    fill_mask: float | tuple[float, ...] = 0.0
    reads_outside: bool = field(init=False)
    exact: bool = field(init=False)

    def __post_init__(self):
        self.matrix = np.asarray(self.matrix, dtype=np.float64)
        self.in_shape = (int(self.in_shape[0]), int(self.in_shape[1]))
        self.out_shape = (int(self.out_shape[0]), int(self.out_shape[1]))
        self.exact = is_permutation(self.matrix)
        if self.exact:
            self.interpolation = None
            self.mask_interpolation = None
        self.reads_outside = reads_outside(self.matrix, self.in_shape, self.out_shape)


def is_permutation(matrix: np.ndarray) -> bool:
    """Integer signed-permutation linear part with integer translation: no interpolation."""
    if not mx.is_affine(matrix):
        return False
    a = matrix[:2, :2]
    t = matrix[:2, 2]
    if not np.all(np.isin(np.round(a, 12), (-1.0, 0.0, 1.0))):
        return False
    if not (np.count_nonzero(np.round(a, 12)) == 2 and abs(abs(np.linalg.det(a)) - 1) < 1e-12):
        return False
    return bool(np.all(np.abs(t - np.round(t)) < 1e-9))


def reads_outside(matrix: np.ndarray, in_shape, out_shape, tol: float = 1e-6) -> bool:
    """Whether the preimage of the output frame leaves the input frame."""
    try:
        inv = np.linalg.inv(matrix)
    except np.linalg.LinAlgError:
        return True
    corners = mx.apply_to_points(inv, mx.rect(*out_shape))
    h, w = in_shape
    return bool(np.any(corners < -tol) or np.any(corners[:, 0] > w + tol)
                or np.any(corners[:, 1] > h + tol))


def maps_frame_onto_frame(matrix: np.ndarray, in_shape, out_shape, tol: float = 1e-6) -> bool:
    """True when the input frame's corners land exactly on the output frame's corners."""
    src = mx.apply_to_points(matrix, mx.rect(*in_shape))
    dst = mx.rect(*out_shape)
    for p in src:
        if np.min(np.abs(dst - p).sum(axis=1)) > tol:
            return False
    return True


# ------------------------------------------------------------------------------------
# pixels
# ------------------------------------------------------------------------------------
def _fill_for(fill, channels: int | None):
    if isinstance(fill, tuple):
        if channels is None:
            return float(fill[0])
        if len(fill) == 1:
            return float(fill[0])
        return tuple(float(fill[i % len(fill)]) for i in range(channels))
    return float(fill)


def _cv_value(fill):
    if isinstance(fill, tuple):
        return tuple(fill[:4]) + (0.0,) * (4 - len(fill[:4]))
    return (fill, fill, fill, fill)


def _channel_chunks(img: np.ndarray, fill, fn):
    """Call ``fn(chunk, cv_fill)`` on at most 4 channels at a time when the fill differs per channel."""
    if img.ndim == 2 or not isinstance(fill, tuple) or img.shape[2] <= 4:
        out = fn(img, _cv_value(fill))
        if img.ndim == 3 and out.ndim == 2:
            out = out[..., None]
        return out
    parts = []
    for c0 in range(0, img.shape[2], 4):
        chunk = np.ascontiguousarray(img[..., c0:c0 + 4])
        part = fn(chunk, _cv_value(fill[c0:c0 + 4]))
        if part.ndim == 2:
            part = part[..., None]
        parts.append(part)
    return np.concatenate(parts, axis=2)


def warp_pixels(img: np.ndarray, matrix: np.ndarray, out_shape: tuple[int, int],
                interpolation: int | None, border_mode: int, fill) -> np.ndarray:
    """Resample ``img`` so that output point ``p`` shows input point ``matrix^-1 p``."""
    dtype = img.dtype
    if dtype.name not in _CV_DTYPES:
        return _warp_other_dtype(img, matrix, out_shape, interpolation, border_mode, fill)
    channels = img.shape[2] if img.ndim == 3 else None
    fill = _fill_for(fill, channels)
    if is_permutation(matrix):
        return _warp_permutation(img, matrix, out_shape, border_mode, fill)
    if interpolation is None:
        interpolation = cv2.INTER_NEAREST
    resized = _warp_axis_aligned(img, matrix, out_shape, interpolation)
    if resized is not None:
        return resized
    oh, ow = out_shape
    if interpolation not in _NEAREST and mx.is_affine(matrix):
        s = math.sqrt(abs(np.linalg.det(matrix[:2, :2])))
        if s < 0.5:
            img, matrix = _preshrink(img, matrix, s)
    flag = _WARP_FLAG.get(interpolation, interpolation)
    m_cv = mx.to_opencv(matrix)
    if mx.is_affine(matrix):
        def fn(a, value):
            return cv2.warpAffine(a, m_cv[:2], (ow, oh), flags=flag, borderMode=border_mode,
                                  borderValue=value)
    else:
        def fn(a, value):
            return cv2.warpPerspective(a, m_cv, (ow, oh), flags=flag, borderMode=border_mode,
                                       borderValue=value)
    return _channel_chunks(img, fill, fn)


def resize(img: np.ndarray, size_wh: tuple[int, int], interpolation: int) -> np.ndarray:
    """``cv2.resize`` for any channel count (some of its kernels take at most 4)."""
    if img.ndim == 3 and img.shape[2] > 4:
        return np.concatenate([resize(np.ascontiguousarray(img[..., c:c + 4]), size_wh, interpolation)
                               for c in range(0, img.shape[2], 4)], axis=2)
    out = cv2.resize(img, size_wh, interpolation=interpolation)
    if img.ndim == 3 and out.ndim == 2:
        out = out[..., None]
    return out


def _preshrink(img, matrix, s):
    """Shrink with INTER_AREA first so a strong downscale averages instead of aliasing."""
    h, w = img.shape[:2]
    nh, nw = max(1, int(round(h * s))), max(1, int(round(w * s)))
    small = resize(img, (nw, nh), cv2.INTER_AREA)
    return small, matrix @ mx.scale(w / nw, h / nh)


def _warp_axis_aligned(img, matrix, out_shape, interpolation):
    if not mx.is_affine(matrix) or abs(matrix[0, 1]) > 1e-12 or abs(matrix[1, 0]) > 1e-12:
        return None
    sx, sy = matrix[0, 0], matrix[1, 1]
    if sx <= 0 or sy <= 0:
        return None
    tx, ty = matrix[0, 2], matrix[1, 2]
    oh, ow = out_shape
    x0, x1 = -tx / sx, (ow - tx) / sx
    y0, y1 = -ty / sy, (oh - ty) / sy
    bounds = np.array([x0, x1, y0, y1])
    if np.any(np.abs(bounds - np.round(bounds)) > 1e-6):
        return None
    x0, x1, y0, y1 = (int(round(v)) for v in bounds)
    h, w = img.shape[:2]
    if x0 < 0 or y0 < 0 or x1 > w or y1 > h or x1 <= x0 or y1 <= y0:
        return None
    window = img[y0:y1, x0:x1]
    if (x1 - x0, y1 - y0) == (ow, oh):
        return window.copy()
    flag = _RESIZE_FLAG.get(interpolation, interpolation)
    return resize(window, (ow, oh), flag)


def _warp_permutation(img, matrix, out_shape, border_mode, fill):
    """Flips, quarter turns, transposes, crops and pads by slicing: exact and fast."""
    a = np.round(matrix[:2, :2]).astype(int)
    if a[0, 0] == 0:  # the step swaps the axes: look at the source transposed
        img = img.swapaxes(0, 1)
        matrix = matrix @ mx.transpose()
        a = np.round(matrix[:2, :2]).astype(int)
    t = np.round(matrix[:2, 2]).astype(int)
    oh, ow = out_shape
    h, w = img.shape[:2]
    spans = []
    for n_out, n_in, s, tt in ((ow, w, a[0, 0], t[0]), (oh, h, a[1, 1], t[1])):
        # output index j reads input index c0 + s * j
        c0 = -tt if s == 1 else tt - 1
        if s == 1:
            lo, hi = max(0, -c0), min(n_out, n_in - c0)
        else:
            lo, hi = max(0, c0 - n_in + 1), min(n_out, c0 + 1)
        spans.append((c0, s, lo, hi))
    (cx, sx, jx0, jx1), (cy, sy, jy0, jy1) = spans
    if jx1 <= jx0 or jy1 <= jy0:
        if border_mode == cv2.BORDER_CONSTANT:
            return _constant(img, out_shape, fill)
        return _fallback_nearest(img, matrix, out_shape, border_mode, fill)

    def sl(c0, s, j0, j1):
        start, stop = c0 + s * j0, c0 + s * (j1 - 1)
        if s == 1:
            return slice(start, stop + 1)
        return slice(start, stop - 1 if stop > 0 else None, -1)

    view = img[sl(cy, sy, jy0, jy1), sl(cx, sx, jx0, jx1)]
    top, bottom, left, right = jy0, oh - jy1, jx0, ow - jx1
    if top == bottom == left == right == 0:
        return view.copy()  # a copy, never a view of the caller's array
    if border_mode == cv2.BORDER_CONSTANT:
        out = _constant(img, out_shape, fill)
        out[top:oh - bottom, left:ow - right] = view
        return out
    view = np.ascontiguousarray(view)
    return _channel_chunks(view, fill, lambda a, value: cv2.copyMakeBorder(
        a, top, bottom, left, right, border_mode, value=value))


def _fallback_nearest(img, matrix, out_shape, border_mode, fill):
    flag = cv2.INTER_NEAREST
    m_cv = mx.to_opencv(matrix)
    img = np.ascontiguousarray(img)
    return _channel_chunks(img, fill, lambda a, value: cv2.warpAffine(
        a, m_cv[:2], (out_shape[1], out_shape[0]), flags=flag, borderMode=border_mode,
        borderValue=value))


def _constant(img, out_shape, fill):
    shape = tuple(out_shape) + img.shape[2:]
    out = np.empty(shape, dtype=img.dtype)
    out[...] = np.asarray(fill, dtype=np.float64).astype(img.dtype) if not isinstance(fill, tuple) \
        else np.asarray(fill[:shape[2]] if len(shape) == 3 else fill[0]).astype(img.dtype)
    return out


def _warp_other_dtype(img, matrix, out_shape, interpolation, border_mode, fill):
    """Dtypes OpenCV cannot warp (bool, int8, int32, int64, ...): go through an exact carrier."""
    dtype = img.dtype
    if dtype == np.bool_ or dtype == np.int8:
        carrier = img.view(np.uint8) if dtype == np.bool_ else img.astype(np.int16)
    elif img.size and np.issubdtype(dtype, np.integer) and \
            img.min() >= np.iinfo(np.int16).min and img.max() <= np.iinfo(np.int16).max:
        carrier = img.astype(np.int16)
    else:
        carrier = img.astype(np.float64)  # exact for integers below 2**53
    out = warp_pixels(carrier, matrix, out_shape, interpolation, border_mode, fill)
    if np.issubdtype(dtype, np.integer) or dtype == np.bool_:
        if out.dtype.kind == "f":
            out = np.rint(out)
        if dtype == np.bool_:
            return out.astype(np.uint8).astype(bool) if out.dtype != np.uint8 else out.view(bool)
        info = np.iinfo(dtype)
        return np.clip(out, info.min, info.max).astype(dtype)
    return out.astype(dtype)


def fill_outside(img: np.ndarray, polygons: list[np.ndarray], fill) -> np.ndarray:
    """Set the pixels whose centres lie outside any of the convex ``polygons`` to ``fill``."""
    if not polygons:
        return img
    h, w = img.shape[:2]
    keep = np.zeros((h, w), np.uint8)
    shift = 8
    from augkit.geometry.polygons import intersect_all, is_axis_aligned_rect
    region = intersect_all(polygons)
    if len(region) >= 3 and is_axis_aligned_rect(region):
        # exact: keep pixels whose centres j + 0.5 lie in [x0, x1] (crops, pads)
        x0, y0 = region.min(axis=0)
        x1, y1 = region.max(axis=0)
        j0, j1 = max(0, math.ceil(x0 - 0.5 - 1e-9)), min(w, math.floor(x1 - 0.5 + 1e-9) + 1)
        i0, i1 = max(0, math.ceil(y0 - 0.5 - 1e-9)), min(h, math.floor(y1 - 0.5 + 1e-9) + 1)
        keep[i0:i1, j0:j1] = 1
    elif len(region) >= 3:
        pts = np.round((region - 0.5) * (1 << shift)).astype(np.int32)
        cv2.fillConvexPoly(keep, pts, 1, lineType=cv2.LINE_8, shift=shift)
    channels = img.shape[2] if img.ndim == 3 else None
    value = _fill_for(fill, channels)
    out = img.copy() if not img.flags.writeable else img
    where = keep == 0
    fill_arr = np.asarray(value, dtype=np.float64)
    if np.issubdtype(out.dtype, np.integer):
        info = np.iinfo(out.dtype)
        fill_arr = np.clip(np.rint(fill_arr), info.min, info.max)
    out[where] = fill_arr.astype(out.dtype)
    return out
