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
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

import cv2
import numpy as np

from augkit.geometry import matrices as mx
from augkit.geometry.field import Field
from augkit.geometry.polygons import intersect_all, pixels_inside, rect_extent


def _opencv_version() -> tuple[int, int]:
    try:
        major, minor = cv2.__version__.split(".")[:2]
        return int(major), int(minor)
    except ValueError:  # pragma: no cover - unusual version strings
        return (0, 0)


#: (major, minor) of the OpenCV in use: a few kernel choices depend on it (measured; see
#: docs/design-notes.md, "Kernel choices that depend on the machine")
OPENCV_VERSION = _opencv_version()

_NEAREST = (cv2.INTER_NEAREST, cv2.INTER_NEAREST_EXACT)
# OpenCV's warps do not take these two flags; they fall back to their plain variants.
_WARP_FLAG = {cv2.INTER_NEAREST_EXACT: cv2.INTER_NEAREST, cv2.INTER_LINEAR_EXACT: cv2.INTER_LINEAR,
              cv2.INTER_AREA: cv2.INTER_LINEAR}
# cv2.resize's INTER_NEAREST is off by half a pixel; INTER_NEAREST_EXACT is centred.
_RESIZE_FLAG = {cv2.INTER_NEAREST: cv2.INTER_NEAREST_EXACT}
_CV_DTYPES = {np.dtype(t) for t in ("uint8", "uint16", "int16", "float32", "float64")}
_NEAREST_VIA_FLOAT32 = {np.dtype(t) for t in ("uint16", "int16", "float64")}


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
    #: a displacement field (inverse map on a lattice); the matrix is then the identity
    field: Field | None = None
    exact: bool = dc_field(init=False)

    def __post_init__(self):
        m = self.matrix
        if type(m) is not np.ndarray or m.dtype != np.float64:
            self.matrix = np.asarray(m, dtype=np.float64)
        self.in_shape = (int(self.in_shape[0]), int(self.in_shape[1]))
        self.out_shape = (int(self.out_shape[0]), int(self.out_shape[1]))
        self._reads_outside: bool | None = None
        if self.field is not None:
            self.exact = False
            return
        self.exact = is_permutation(self.matrix)
        if self.exact:
            self.interpolation = None
            self.mask_interpolation = None

    @property
    def reads_outside(self) -> bool:
        """Whether some output pixel comes from outside the input frame (computed on demand)."""
        if self._reads_outside is None:
            if self.field is not None:
                self._reads_outside = self.field.reads_outside(self.in_shape)
            elif self.exact:
                # the input frame's image is an axis-aligned rectangle: compare extents
                (a, b, tx), (c, d, ty), _ = self.matrix.tolist()
                h, w = self.in_shape
                oh, ow = self.out_shape
                xs = (tx, a * w + b * h + tx)
                ys = (ty, c * w + d * h + ty)
                self._reads_outside = min(xs) > 0 or min(ys) > 0 or max(xs) < ow or max(ys) < oh
            else:
                (a, b, tx), (c, d, ty), (g, h_, k) = self.matrix.tolist()
                if b == 0.0 and c == 0.0 and g == 0.0 and h_ == 0.0 and k == 1.0 and a > 0.0 and d > 0.0:
                    # resizes and resized crops: the output frame's preimage in closed form
                    # (1 us against 5 us for the general inverse-and-corners test)
                    h, w = self.in_shape
                    oh, ow = self.out_shape
                    tol = 1e-6
                    self._reads_outside = (-tx / a < -tol or -ty / d < -tol
                                           or (ow - tx) / a > w + tol or (oh - ty) / d > h + tol)
                else:
                    self._reads_outside = reads_outside(self.matrix, self.in_shape, self.out_shape)
        return self._reads_outside


def is_permutation(matrix: np.ndarray) -> bool:
    """Integer signed-permutation linear part with integer translation: no interpolation."""
    return _rows_are_permutation(matrix.tolist())


def _rows_are_permutation(rows: list) -> bool:
    """:func:`is_permutation` on ``matrix.tolist()`` (callers that need the rows anyway)."""
    (a, b, tx), (c, d, ty), (g, h, k) = rows
    if g != 0.0 or h != 0.0 or k != 1.0:
        return False
    if abs(round(tx) - tx) > 1e-9 or abs(round(ty) - ty) > 1e-9:
        return False
    unit = (1.0, -1.0)
    return (a in unit and d in unit and b == 0.0 and c == 0.0) or \
        (b in unit and c in unit and a == 0.0 and d == 0.0)


def _corners(matrix: np.ndarray, shape) -> list[tuple[float, float]]:
    """The frame ``[0, w] x [0, h]``'s corners through ``matrix`` (plain floats: 4 points)."""
    (a, b, tx), (c, d, ty), (g, h_, k) = matrix.tolist()
    hh, ww = shape
    out = []
    for x, y in ((0.0, 0.0), (ww, 0.0), (ww, hh), (0.0, hh)):
        w = g * x + h_ * y + k
        out.append(((a * x + b * y + tx) / w, (c * x + d * y + ty) / w))
    return out


def inverse(matrix: np.ndarray) -> np.ndarray:
    """Inverse of a 3x3 matrix; closed form for affine ones (5x faster than np.linalg.inv)."""
    (a, b, tx), (c, d, ty), (g, h, k) = matrix.tolist()
    if g == 0.0 and h == 0.0 and k == 1.0:
        det = a * d - b * c
        if det == 0.0:
            raise np.linalg.LinAlgError("singular matrix")
        ia, ib, ic, id_ = d / det, -b / det, -c / det, a / det
        return np.array([[ia, ib, -(ia * tx + ib * ty)], [ic, id_, -(ic * tx + id_ * ty)],
                         [0.0, 0.0, 1.0]])
    # projective: the adjugate over the determinant in plain floats (~2 us against ~8 us
    # for np.linalg.inv on a 3x3; agrees with it to ~1e-15 relative on warps' matrices)
    c00, c01, c02 = d * k - ty * h, ty * g - c * k, c * h - d * g
    det = a * c00 + b * c01 + tx * c02
    if det == 0.0 or not math.isfinite(det):
        return np.linalg.inv(matrix)  # singular: LAPACK's error; non-finite: its NaNs
    r = 1.0 / det
    return np.array([[c00 * r, (tx * h - b * k) * r, (b * ty - tx * d) * r],
                     [c01 * r, (a * k - tx * g) * r, (tx * c - a * ty) * r],
                     [c02 * r, (b * g - a * h) * r, (a * d - b * c) * r]])


def reads_outside(matrix: np.ndarray, in_shape, out_shape, tol: float = 1e-6) -> bool:
    """Whether the preimage of the output frame leaves the input frame."""
    try:
        inv = inverse(matrix)
    except np.linalg.LinAlgError:
        return True
    h, w = in_shape
    return any(x < -tol or y < -tol or x > w + tol or y > h + tol for x, y in _corners(inv, out_shape))


def maps_frame_onto_frame(matrix: np.ndarray, in_shape, out_shape, tol: float = 1e-6) -> bool:
    """True when the input frame's corners land exactly on the output frame's corners."""
    (a, b, tx), (c, d, ty), (g, h_, k) = matrix.tolist()
    if g == 0.0 and h_ == 0.0 and k == 1.0:
        # affine: the corners land on an axis-aligned rectangle's corners only when the
        # linear part keeps or swaps the axes; then each output axis takes the span of one
        # input axis (closed form: ~1 us against ~6 us for matching four corners)
        ih, iw = in_shape
        oh, ow = out_shape
        if abs(b) * ih <= tol and abs(c) * iw <= tol:
            span_x, span_y = a * iw, d * ih
        elif abs(a) * iw <= tol and abs(d) * ih <= tol:
            span_x, span_y = b * ih, c * iw
        else:
            return False
        x0, x1 = (tx, tx + span_x) if span_x >= 0 else (tx + span_x, tx)
        y0, y1 = (ty, ty + span_y) if span_y >= 0 else (ty + span_y, ty)
        return abs(x0) + abs(y0) <= tol and abs(x1 - ow) + abs(y1 - oh) <= tol
    h, w = out_shape
    targets = ((0.0, 0.0), (w, 0.0), (w, h), (0.0, h))
    for x, y in _corners(matrix, in_shape):
        if not any(abs(x - u) + abs(y - v) <= tol for u, v in targets):
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


# OpenCV's bilinear warp kernels (warpAffine, warpPerspective, remap) are vectorized for
# 1, 2 and 4 channels but not 3: on 3 channels it is faster to add a fourth, warp, and drop
# it. 512x512, one thread, OpenCV 5.0 (us; C3 direct vs to-RGBA + C4 warp + to-RGB):
#   uint8   warpAffine 1329 vs 47+515+21, warpPerspective 1395 vs 672, remap 1350 vs 611
#   uint16  warpAffine 1367 vs 124+720+123, remap 1293 vs 783
#   float32 warpAffine 1258 vs 255+694+254 (no gain: direct), remap 1129 vs 978
# Nearest, cubic and Lanczos kernels gain nothing or lose (cubic C4 is 30% slower).
_VIA_FOUR = {("warp", np.dtype(np.uint8)), ("warp", np.dtype(np.uint16)),
             ("remap", np.dtype(np.uint8)), ("remap", np.dtype(np.uint16)),
             ("remap", np.dtype(np.float32))}


def _via_four_channels(img: np.ndarray, fill, fn, kernel: str, interpolation: int):
    """``fn`` on ``img`` with a fourth channel added where that is the faster kernel; else None."""
    if interpolation != cv2.INTER_LINEAR or img.ndim != 3 or img.shape[2] != 3 \
            or (kernel, img.dtype) not in _VIA_FOUR:
        return None
    value = _cv_value(fill)
    return cv2.cvtColor(fn(cv2.cvtColor(img, cv2.COLOR_RGB2RGBA), value), cv2.COLOR_RGBA2RGB)


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


def warp_pixels(img: np.ndarray, matrix: np.ndarray | list, out_shape: tuple[int, int],
                interpolation: int | None, border_mode: int, fill, exact: bool | None = None) -> np.ndarray:
    """Resample ``img`` so that output point ``p`` shows input point ``matrix^-1 p``.

    ``matrix`` is a 3x3 array or its rows as lists of floats. ``exact=True`` tells that the
    matrix is a known integer permutation (skips the test)."""
    # the matrix as plain floats, once: the dispatch below reads single entries, which
    # costs ~0.1 us each on a numpy array against ~0.02 us on a list (Resize 512->256 spent
    # ~12 us outside cv2.resize before, ~3 us now)
    if type(matrix) is np.ndarray:
        rows = matrix.tolist()
    else:  # the array is built only where a path below needs one
        rows = matrix
    if exact:
        # the two commonest steps, a crop inside the frame and a whole-frame flip, before
        # any dispatch (_warp_permutation handles them too, ~2 us later)
        (a, b, tx), (c, d, ty), _ = rows
        if a == 1.0 and d == 1.0 and b == 0.0 and c == 0.0:
            x0, y0 = -round(tx), -round(ty)
            oh, ow = out_shape
            if x0 >= 0 and y0 >= 0 and x0 + ow <= img.shape[1] and y0 + oh <= img.shape[0]:
                return img[y0:y0 + oh, x0:x0 + ow].copy()
        elif b == 0.0 and c == 0.0 and tuple(out_shape) == img.shape[:2] \
                and tx == (img.shape[1] if a == -1.0 else 0.0) and ty == (img.shape[0] if d == -1.0 else 0.0) \
                and img.dtype in _CV_DTYPES and (img.ndim == 2 or img.shape[2] <= 4):
            out = cv2.flip(img, -1 if a == d else (1 if a == -1.0 else 0))
            return out[..., None] if img.ndim == 3 and out.ndim == 2 else out
    dtype = img.dtype
    if dtype not in _CV_DTYPES:
        return _warp_other_dtype(img, np.asarray(rows, dtype=np.float64), out_shape, interpolation,
                                 border_mode, fill)
    if not exact:
        exact = _rows_are_permutation(rows)
    if not exact and (interpolation in _NEAREST or interpolation is None) and dtype in _NEAREST_VIA_FLOAT32:
        # OpenCV's nearest-neighbour warps round source coordinates differently for 16-bit
        # and float64 data than for uint8/float32: go through float32 (exact for 16-bit
        # integers) so that a mask moves the same whatever its dtype.
        if dtype != np.float64 or _fits_float32(img):
            out = warp_pixels(img.astype(np.float32), matrix, out_shape, interpolation, border_mode, fill)
            return out.astype(dtype)
    fill = _fill_for(fill, img.shape[2] if img.ndim == 3 else None)
    if exact:
        return _warp_permutation(img, rows, out_shape, border_mode, fill)
    if interpolation is None:
        interpolation = cv2.INTER_NEAREST
    resized = _warp_axis_aligned(img, rows, out_shape, interpolation, border_mode, fill)
    if resized is not None:
        return resized
    oh, ow = out_shape
    frame = None
    g, h_, k = rows[2]
    affine = abs(g) < 1e-12 and abs(h_) < 1e-12 and abs(k - 1.0) < 1e-12  # as mx.is_affine
    if interpolation not in _NEAREST and affine:
        shrunk, shrunk_rows = _preshrink(img, rows)
        if shrunk is not img:
            if border_mode == cv2.BORDER_CONSTANT:
                # the shrunk source is resampled by a residual factor near 1, whose kernel
                # reaches a little past the frame edge: fill the pixels whose centres lie
                # outside the source frame exactly, as a mask moved by nearest does
                frame = mx.apply_to_points(np.asarray(rows, dtype=np.float64), mx.rect(*img.shape[:2]))
            img, rows = shrunk, shrunk_rows
    flag = _WARP_FLAG.get(interpolation, interpolation)
    m_cv = mx.opencv_rows(rows)
    if affine:
        m_cv2 = m_cv[:2]

        def fn(a, value):
            return cv2.warpAffine(a, m_cv2, (ow, oh), flags=flag, borderMode=border_mode,
                                  borderValue=value)
    else:
        def fn(a, value):
            return cv2.warpPerspective(a, m_cv, (ow, oh), flags=flag, borderMode=border_mode,
                                       borderValue=value)
    out = _via_four_channels(img, fill, fn, "warp", flag)
    if out is None:
        if rows[0][1] != 0.0 or rows[1][0] != 0.0 or not affine:
            _read_through(img)
        out = _channel_chunks(img, fill, fn)
    return out if frame is None else fill_outside(out, [frame], fill)


def _read_through(img: np.ndarray) -> None:
    """Read ``img`` once, in memory order, before a turned or perspective warp reads it
    across rows. A source that is not in the CPU caches makes such a warp wait on memory
    for most of its reads; one sequential pass brings it in at full bandwidth. Measured
    (EPYC VM, OpenCV 5.1, one thread) on 512x512 uint8 masks cycled with RGB image warps,
    nearest warp turned by 10 degrees to 384x384: 128-255 us alone, 86 us with this pass
    (92-102 us with a copy instead); unturned warps gain nothing (74 vs 80 us) and skip it.
    Three-channel bilinear warps get the same from their four-channel conversion."""
    if img.nbytes >= 65536 and img.flags.c_contiguous:
        cv2.sumElems(img.reshape(img.shape[0], -1))


def resize(img: np.ndarray, size_wh: tuple[int, int], interpolation: int) -> np.ndarray:
    """``cv2.resize`` for any channel count (some of its kernels take at most 4)."""
    if img.ndim == 3 and img.shape[2] > 4:
        return np.concatenate([resize(np.ascontiguousarray(img[..., c:c + 4]), size_wh, interpolation)
                               for c in range(0, img.shape[2], 4)], axis=2)
    out = cv2.resize(img, size_wh, interpolation=interpolation)
    if img.ndim == 3 and out.ndim == 2:
        out = out[..., None]
    return out


def _preshrink(img, rows):
    """Halve the source first where the warp skips source pixels.

    One output pixel step covers ``k`` source pixels along each source axis (the inverse
    matrix's rows); where ``k > 1.5`` bilinear sampling would alias, so that axis is
    averaged down by 2 (repeatedly) until the warp's residual factor is below 1.5, and the
    matrix adjusted. Halving keeps to OpenCV's fast kernels (512x512x3 uint8, one thread):
    both axes by INTER_AREA 2x2, 55-75 us; rows alone by averaging row pairs
    (:func:`_halve_rows`, 81 us); columns alone by INTER_LINEAR at exactly half width,
    which averages pixel pairs, ~190 us; where INTER_AREA to an arbitrary size costs
    ~1 ms and INTER_AREA 2x1 ~1.1 ms. An odd size is first padded by one replicated pixel
    (the frame edge then falls inside the last averaged pixel; a constant border is
    filled exactly afterwards by the caller). ``rows``: an affine matrix as
    ``matrix.tolist()``; returns the source and the adjusted rows.
    """
    (a, b, _), (c, d, _), _ = rows
    det = abs(a * d - b * c)
    if det == 0.0:
        raise np.linalg.LinAlgError("singular matrix")
    # source pixels per output pixel step: the inverse's rows, (d, -b) / det and
    # (-c, a) / det, in plain floats (the same values as through the inverse matrix)
    kx, ky = max(abs(d), abs(b)) / det, max(abs(c), abs(a)) / det
    if kx <= 1.5 and ky <= 1.5:
        return img, rows
    fx = fy = 1
    while True:
        h, w = img.shape[:2]
        hx, hy = kx / fx > 1.5 and w >= 2, ky / fy > 1.5 and h >= 2
        if not (hx or hy):
            break
        pad_x, pad_y = (w % 2) * hx, (h % 2) * hy
        if pad_x or pad_y:
            img = _channel_chunks(np.ascontiguousarray(img), 0.0, lambda a, value, py=pad_y, px=pad_x: cv2.copyMakeBorder(
                a, 0, py, 0, px, cv2.BORDER_REPLICATE))
        size = ((w + pad_x) // 2 if hx else w, (h + pad_y) // 2 if hy else h)
        if hy and not hx:
            img = _halve_rows(img)
        else:
            img = resize(img, size, cv2.INTER_AREA if hx and hy else cv2.INTER_LINEAR)
        fx, fy = fx * (2 if hx else 1), fy * (2 if hy else 1)
    (a, b, tx), (c, d, ty), (g, h, k) = rows  # rows @ scale(fx, fy): columns 0 and 1 scaled
    return img, [[a * fx, b * fy, tx], [c * fx, d * fy, ty], [g * fx, h * fy, k]]


def _halve_rows(img: np.ndarray) -> np.ndarray:
    """Average each pair of rows (even height): the two halves of every row pair are
    2-D views of one reshape, averaged by one ``cv2.addWeighted`` (512x512x3 uint8: 81 us,
    against 233 us for ``cv2.resize`` to half the height, which rounds ties up where this
    rounds them to even). Averaging columns the same way reads 3-value runs with a stride
    and is slower than the resize (366 against 190 us)."""
    img = np.ascontiguousarray(img)
    h = img.shape[0]
    run = img[0].size  # values in one row
    pairs = img.reshape(h // 2, 2 * run)
    out = cv2.addWeighted(pairs[:, :run], 0.5, pairs[:, run:], 0.5, 0.0)
    return out.reshape(h // 2, *img.shape[1:])


def _warp_axis_aligned(img, rows, out_shape, interpolation, border_mode, fill):
    """Axis-aligned scales (resize, resized crop, crop-and-pad with keep_size) by ``cv2.resize``.

    ``rows`` is the matrix as ``matrix.tolist()``. The source window must have integer
    edges; where it leaves the image it is padded first. A negative scale (a flip fused
    in) is undone on the output by ``cv2.flip``.
    """
    (sx, b, tx), (c, sy, ty), (g, h_, k) = rows
    if b != 0.0 or c != 0.0 or abs(g) >= 1e-12 or abs(h_) >= 1e-12 or abs(k - 1.0) >= 1e-12:
        return None
    oh, ow = out_shape
    if sx < 0 or sy < 0:
        # resample the unflipped scale (hflip(ow) @ matrix negates row 0 and adds ow to
        # its shift; vflip(oh) the same on row 1), then flip the result
        unflipped = [[-sx, 0.0, ow - tx] if sx < 0 else rows[0],
                     [0.0, -sy, oh - ty] if sy < 0 else rows[1], rows[2]]
        out = _warp_axis_aligned(img, unflipped, out_shape, interpolation, border_mode, fill)
        if out is None:
            return None
        flipped = cv2.flip(out, -1 if (sx < 0 and sy < 0) else (1 if sx < 0 else 0))
        return flipped[..., None] if out.ndim == 3 and flipped.ndim == 2 else flipped
    if sx == 0.0 or sy == 0.0:
        return None
    fx0, fx1, fy0, fy1 = -tx / sx, (ow - tx) / sx, -ty / sy, (oh - ty) / sy
    x0, x1, y0, y1 = round(fx0), round(fx1), round(fy0), round(fy1)
    if abs(fx0 - x0) > 1e-6 or abs(fx1 - x1) > 1e-6 or abs(fy0 - y0) > 1e-6 or abs(fy1 - y1) > 1e-6:
        return None
    h, w = img.shape[:2]
    if x1 <= x0 or y1 <= y0:
        return None
    inside = x0 >= 0 and y0 >= 0 and x1 <= w and y1 <= h
    window = img if (inside and x0 == 0 and y0 == 0 and x1 == w and y1 == h) \
        else img[max(y0, 0):min(y1, h), max(x0, 0):min(x1, w)]
    if window.size == 0:
        return None
    if not inside:
        pads = (max(0, -y0), max(0, y1 - h), max(0, -x0), max(0, x1 - w))
        # copyMakeBorder reads a window whose rows are strided directly: copying it first
        # cost ~10 us more (CropAndPad on 512x512x3 uint8, 46 -> 36 us)
        if not _pixels_packed(window):
            window = np.ascontiguousarray(window)
        window = _channel_chunks(window, fill, lambda a, value: cv2.copyMakeBorder(
            a, *pads, border_mode, value=value))
    if x1 - x0 == ow and y1 - y0 == oh:
        return window.copy() if inside else window
    # cv2.resize reads a strided window directly: 90 us for a 300x300 window of a 512x512x3
    # uint8 image to 256x256, the same as on a contiguous copy (and 97 us with the copy);
    # INTER_LINEAR_EXACT is 2.3x slower and RGBA (C4) kernels need a 46 us conversion
    return resize(window, (ow, oh), _RESIZE_FLAG.get(interpolation, interpolation))


def _pixels_packed(a: np.ndarray) -> bool:
    """Whether each row of ``a`` is one packed run (rows may be strided): OpenCV reads it as is."""
    item = a.itemsize
    if a.ndim == 3:
        return a.strides[2] == item and a.strides[1] == item * a.shape[2] and a.strides[0] > 0
    return a.strides[1] == item and a.strides[0] > 0


def _warp_permutation(img, rows, out_shape, border_mode, fill):
    """Flips, quarter turns, transposes, crops and pads by slicing: exact and fast.

    ``rows`` is the matrix as ``matrix.tolist()``."""
    (a00, a01, t0), (a10, a11, t1), _ = rows
    if a00 == 1.0 and a11 == 1.0:
        out = _translate_window(img, round(t0), round(t1), out_shape, border_mode, fill)
        if out is not None:
            return out
    elif a01 == 0.0 and (a00 == -1.0 or a11 == -1.0) and (img.ndim == 2 or img.shape[2] <= 4):
        # a plain flip of the whole frame: one cv2.flip (29 us for 512x512x3 uint8), without
        # the general path's ~6 us of window arithmetic
        h, w = img.shape[:2]
        if tuple(out_shape) == (h, w) and round(t0) == (w if a00 < 0 else 0) \
                and round(t1) == (h if a11 < 0 else 0):
            out = cv2.flip(img, -1 if a00 == a11 else (1 if a00 < 0 else 0))
            return out[..., None] if img.ndim == 3 and out.ndim == 2 else out
    swapped = a00 == 0.0
    if swapped:  # the step swaps the axes: look at the source transposed
        img = img.swapaxes(0, 1)
        # matrix @ transpose() swaps the first two columns
        a00, a01, a10, a11 = a01, a00, a11, a10
    a = ((int(round(a00)), int(round(a01))), (int(round(a10)), int(round(a11))))
    t = (int(round(t0)), int(round(t1)))
    oh, ow = out_shape
    h, w = img.shape[:2]
    spans = []
    for n_out, n_in, s, tt in ((ow, w, a[0][0], t[0]), (oh, h, a[1][1], t[1])):
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
        m = np.array([[a[0][0], a[0][1], t[0]], [a[1][0], a[1][1], t[1]], [0, 0, 1]], dtype=np.float64)
        return _fallback_nearest(img, m, out_shape, border_mode, fill)

    # the source window read, in the (possibly swapped) source's coordinates
    xs = sorted((cx + sx * jx0, cx + sx * (jx1 - 1)))
    ys = sorted((cy + sy * jy0, cy + sy * (jy1 - 1)))
    top, bottom, left, right = jy0, oh - jy1, jx0, ow - jx1
    padded = bool(top or bottom or left or right)
    # a plain window is only copied once: by the padding when there is some
    view = _oriented_window(img, ys[0], ys[1] + 1, xs[0], xs[1] + 1, swapped, sx < 0, sy < 0,
                            copy=not padded)
    if not padded:
        return view
    # copyMakeBorder pads in one pass (27 us for 512x512x3 -> 576x576x3, vs 37 us for
    # filling a new array and pasting); it takes strided views directly
    return _channel_chunks(view, fill, lambda a, value: cv2.copyMakeBorder(
        a, top, bottom, left, right, border_mode, value=value))


def _translate_window(img, tx, ty, out_shape, border_mode, fill):
    """Crops and pads (output pixel ``(i, j)`` shows input ``(i - ty, j - tx)``): one slice and
    at most one ``cv2.copyMakeBorder``; None when no input pixel is shown.

    The general permutation path costs ~5 us of Python on top of the 27 us copyMakeBorder
    (512x512x3 -> 576x576x3 uint8); this one ~1 us.
    """
    oh, ow = out_shape
    h, w = img.shape[:2]
    x0, y0 = -tx, -ty  # the output frame's corner in input pixels
    cx0, cy0, cx1, cy1 = max(x0, 0), max(y0, 0), min(x0 + ow, w), min(y0 + oh, h)
    if cx1 <= cx0 or cy1 <= cy0:
        return None
    win = img[cy0:cy1, cx0:cx1]
    top, left, bottom, right = cy0 - y0, cx0 - x0, y0 + oh - cy1, x0 + ow - cx1
    if not (top or bottom or left or right):
        return win.copy()
    if isinstance(fill, tuple) and img.ndim == 3 and img.shape[2] > 4:
        return _channel_chunks(win, fill, lambda a, value: cv2.copyMakeBorder(
            a, top, bottom, left, right, border_mode, value=value))
    out = cv2.copyMakeBorder(win, top, bottom, left, right, border_mode, value=_cv_value(fill))
    return out[..., None] if img.ndim == 3 and out.ndim == 2 else out


def _oriented_window(img, r0, r1, c0, c1, swapped, flip_x, flip_y, copy=True):
    """A new array: window ``[r0:r1, c0:c1]`` of the (swapped) source, flipped as asked.

    OpenCV's flip/transpose/rotate are 10-30x faster than copying numpy's negative-stride
    views (512x512x3 uint8: cv2.flip 29 us vs 850 us for ``img[:, ::-1].copy()``).
    """
    if swapped:
        # ``img`` is the swapped view; index the original (positive strides) and transpose below
        win = img.swapaxes(0, 1)[c0:c1, r0:r1]
    else:
        win = img[r0:r1, c0:c1]
    try:
        if swapped:
            if flip_x and not flip_y:
                out = cv2.rotate(win, cv2.ROTATE_90_CLOCKWISE)
            elif flip_y and not flip_x:
                out = cv2.rotate(win, cv2.ROTATE_90_COUNTERCLOCKWISE)
            else:
                out = cv2.transpose(win)
                if flip_x:
                    out = cv2.flip(out, -1)
        elif flip_x or flip_y:
            out = cv2.flip(win, -1 if (flip_x and flip_y) else (1 if flip_x else 0))
        else:
            return win.copy() if copy else win
    except cv2.error:  # element sizes OpenCV does not handle (many channels)
        out = win.swapaxes(0, 1) if swapped else win
        out = out[::-1 if flip_y else 1, ::-1 if flip_x else 1].copy()
    if img.ndim == 3 and out.ndim == 2:
        out = out[..., None]
    return out


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


def remap_pixels(img: np.ndarray, map_xy: np.ndarray, interpolation: int | None,
                 border_mode: int, fill) -> np.ndarray:
    """``cv2.remap`` of ``img`` through an ``(H, W, 2)`` float32 map of source positions in
    OpenCV's pixel-centre convention.

    Same dtype handling as :func:`warp_pixels` (exact carriers for dtypes OpenCV cannot
    remap; float32 for nearest-neighbour on 16-bit and float64 data).
    """
    dtype = img.dtype
    if interpolation is None:
        interpolation = cv2.INTER_NEAREST
    nearest = interpolation in _NEAREST
    if dtype not in _CV_DTYPES or (nearest and dtype in _NEAREST_VIA_FLOAT32):
        if dtype == np.bool_:
            carrier = img.view(np.uint8)
        elif np.issubdtype(dtype, np.integer) and img.size and img.min() >= -(2**24) and img.max() <= 2**24:
            carrier = img.astype(np.float32)
        elif dtype == np.float64 and not nearest:
            carrier = img
        else:
            carrier = img.astype(np.float64) if dtype != np.float64 or not _fits_float32(img) \
                else img.astype(np.float32)
        out = remap_pixels(carrier, map_xy, interpolation, border_mode, fill)
        if dtype == np.bool_:
            return out.astype(bool) if out.dtype != np.uint8 else out.view(bool)
        if np.issubdtype(dtype, np.integer):
            info = np.iinfo(dtype)
            return np.clip(np.rint(out), info.min, info.max).astype(dtype)
        return out.astype(dtype)
    channels = img.shape[2] if img.ndim == 3 else None
    fill = _fill_for(fill, channels)
    flag = _WARP_FLAG.get(interpolation, interpolation)

    def fn(a, value):
        return cv2.remap(a, map_xy, None, flag, borderMode=border_mode, borderValue=value)
    out = _via_four_channels(img, fill, fn, "remap", flag)
    return out if out is not None else _channel_chunks(img, fill, fn)


def fill_where(img: np.ndarray, keep: np.ndarray, fill) -> np.ndarray:
    """Set pixels where ``keep`` (uint8 H x W) is 0 to ``fill``."""
    return _fill_masked(img, keep, *_fill_row(img, fill))


_INT_BOUNDS: dict[np.dtype, tuple[int, int]] = {}  # np.iinfo costs ~3 us per call


def _fill_row(img: np.ndarray, fill) -> tuple[Any, bool]:
    """``fill`` in ``img``'s dtype, ready to assign: a scalar when every channel takes the
    same value (a fill at memset speed), else one filled row ``(W, C)`` to copy into rows.

    Broadcasting a per-channel value into pixels is slow (a 512x64x3 strip: ~110 us,
    against 3 us for a scalar and memcpy speed for whole rows)."""
    single = fill if not isinstance(fill, tuple) else fill[0] if len(fill) == 1 else None
    if single is not None and not (img.dtype.kind in "iu" and math.isnan(single)):
        # one value for every channel (the usual 0): plain floats, no arrays (~1 us, ~8 us before)
        v = float(single)
        bounds = _INT_BOUNDS.get(img.dtype)
        if bounds is None and img.dtype.kind in "iu":
            info = np.iinfo(img.dtype)
            bounds = _INT_BOUNDS[img.dtype] = (int(info.min), int(info.max))
        if bounds is not None:
            v = min(max(round(v), bounds[0]), bounds[1])  # round() ties to even, as np.rint
        return img.dtype.type(v), True
    channels = img.shape[2] if img.ndim == 3 else None
    value = np.asarray(_fill_for(fill, channels), dtype=np.float64)
    if np.issubdtype(img.dtype, np.integer):
        info = np.iinfo(img.dtype)
        value = np.clip(np.rint(value), info.min, info.max)
    value = value.astype(img.dtype)
    if value.ndim == 0 or (value == value.flat[0]).all():
        return value.flat[0], True
    row = np.empty((img.shape[1], *img.shape[2:]), img.dtype)
    row[...] = value
    return row, False


def _fill_masked(img: np.ndarray, keep: np.ndarray, row, uniform: bool) -> np.ndarray:
    """A new array: ``img`` where ``keep`` (uint8) is set, the fill (from :func:`_fill_row`)
    elsewhere."""
    if uniform and row == 0 and img.dtype in _CV_DTYPES and (img.ndim == 2 or img.shape[2] <= 4):
        # zeros outside: cv2.copyTo into a fresh zeroed array (384x384x3 + mask: ~60 us
        # in all, against ~400 us with a broadcast background)
        result = cv2.copyTo(img, keep)
        return result[..., None] if img.ndim == 3 and result.ndim == 2 else result
    background = np.empty_like(img)
    background[...] = row
    try:
        result = cv2.copyTo(img, keep, background)
        return result[..., None] if img.ndim == 3 and result.ndim == 2 else result
    except cv2.error:  # dtypes or channel counts OpenCV does not copy
        np.copyto(background, img, where=(keep != 0)[..., None] if img.ndim == 3 else keep != 0)
        return background


def _fits_float32(img: np.ndarray) -> bool:
    """Whether float64 values survive a round trip through float32 exactly."""
    return bool(np.array_equal(img.astype(np.float32).astype(np.float64), img, equal_nan=True))


def _warp_other_dtype(img, matrix, out_shape, interpolation, border_mode, fill):
    """Dtypes OpenCV cannot warp (bool, int8, int32, int64, ...): go through an exact carrier."""
    dtype = img.dtype
    if dtype == np.bool_:
        carrier = img.view(np.uint8)
    elif img.size and np.issubdtype(dtype, np.integer) and \
            img.min() >= -(2**24) and img.max() <= 2**24:
        carrier = img.astype(np.float32)  # exact for integers up to 2**24
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


_LAST_REGION: tuple = (None, None)


def _cached_pixels_inside(region, h, w):
    """Images and masks of one call clip to the same region: rasterize it once."""
    global _LAST_REGION
    key = (region.tobytes(), h, w)
    cached_key, cached = _LAST_REGION
    if cached_key == key:
        return cached
    keep = pixels_inside(region, h, w)
    keep.setflags(write=False)
    _LAST_REGION = (key, keep)  # one tuple assignment: safe across threads
    return keep


def fill_outside(img: np.ndarray, polygons: list[np.ndarray], fill) -> np.ndarray:
    """Set the pixels whose centres lie outside any of the convex ``polygons`` to ``fill``."""
    if not polygons:
        return img
    h, w = img.shape[:2]
    keep = None
    rect = None
    extents = [rect_extent(p) for p in polygons]
    if all(e is not None for e in extents):
        # rectangles only (crops, pads, scales): their intersection is one rectangle, no
        # polygon clipping (~2 us against ~12 us for two of them)
        x0, y0 = max(e[0] for e in extents), max(e[1] for e in extents)
        x1, y1 = min(e[2] for e in extents), min(e[3] for e in extents)
        region = None if x1 > x0 and y1 > y0 else np.zeros((0, 2))
    else:
        region = intersect_all(polygons)
        extent = rect_extent(region) if len(region) >= 3 else None
        if extent is not None:
            x0, y0, x1, y1 = extent
            region = None
    if region is None:
        # exact: keep pixels whose centres j + 0.5 lie in [x0, x1] (crops, pads)
        j0, j1 = max(0, math.ceil(x0 - 0.5 - 1e-9)), min(w, math.floor(x1 - 0.5 + 1e-9) + 1)
        i0, i1 = max(0, math.ceil(y0 - 0.5 - 1e-9)), min(h, math.floor(y1 - 0.5 + 1e-9) + 1)
        rect = (i0, max(i0, i1), j0, max(j0, j1))
    elif len(region) >= 3:
        keep = _cached_pixels_inside(region, h, w)
    else:
        rect = (0, 0, 0, 0)  # an empty region keeps nothing
    out = img if img.flags.writeable else img.copy()
    row, uniform = _fill_row(out, fill)
    if rect is not None:  # fill the strips around the kept rectangle: no mask at all
        i0, i1, j0, j1 = rect
        left, right = (row, row) if uniform else (row[:j0], row[j1:])
        out[:i0] = row
        out[i1:] = row
        out[i0:i1, :j0] = left
        out[i0:i1, j1:] = right
        return out
    return _fill_masked(out, keep, row, uniform)
