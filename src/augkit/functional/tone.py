"""Tone and colour-mapping kernels: ``f(image, explicit params) -> new image``, no randomness.

Dtype policy as :mod:`augkit.functional.color`: uint8, uint16 and float32 in [0, 1]; the
output keeps the input dtype, float results are clipped to [0, 1], inputs are never
modified. uint8 point maps are 256-entry tables (the ``*_lut`` builders return exactly
the table the kernel applies). Histogram-based kernels (auto-contrast, equalization,
CLAHE) work on 256 levels: uint16 and float32 images are quantized to 8 bits for the
histogram, as Albumentations 2.0.8 does for float32.

Timings in comments: one 512x512x3 uint8 image, ``cv2.setNumThreads(1)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from augkit.functional import color as FC
from augkit.functional.color import apply_lut, channel_histograms, max_value, num_channels

_X = np.arange(256, dtype=np.float64)


def _to_u8(img: np.ndarray) -> np.ndarray:
    """Any supported dtype -> uint8 (rounded)."""
    if img.dtype == np.uint8:
        return img
    return FC.from_float(img, "uint8", 255.0 / max_value(img.dtype)) if img.dtype != np.float32 \
        else FC.from_float(img, "uint8")


def _from_u8(u8: np.ndarray, like: np.ndarray) -> np.ndarray:
    if like.dtype == np.uint8:
        return u8
    if like.dtype == np.float32:
        return FC.to_float(u8)
    return (u8.astype(np.uint16) * np.uint16(257)).astype(like.dtype)


def _apply_tables(img: np.ndarray, tables: Sequence[np.ndarray]) -> np.ndarray:
    """Per-channel uint8 tables on a uint8 image; other dtypes: 8-bit value through the
    table, interpolated linearly between levels (float tables in 0..255)."""
    c = num_channels(img)
    lut = np.stack(tables, axis=1) if c > 1 else np.asarray(tables[0])[:, None]
    if img.dtype == np.uint8:
        return apply_lut(img, np.clip(np.rint(lut), 0, 255).astype(np.uint8))
    top = max_value(img.dtype)
    f = img.astype(np.float32) * np.float32(255.0 / top)
    out = np.empty(img.shape, np.float32)
    if img.ndim == 2:
        out[:] = np.interp(f, _X, lut[:, 0]).astype(np.float32)
    else:
        for i in range(c):
            out[..., i] = np.interp(f[..., i], _X, lut[:, i])
    out *= np.float32(top / 255.0)
    np.clip(out, 0, top, out=out)
    return out if img.dtype == np.float32 else np.rint(out).astype(img.dtype)


# -- AutoContrast --------------------------------------------------------------------------
def autocontrast_tables(hists: np.ndarray, cutoff: float, ignore: int | None, method: str) -> np.ndarray:
    """The float64 0..255 tables, one row per channel, that auto-contrast derives from the
    channels' histograms ``(C, 256)``.

    All channels at once, along rows (numpy reduces a (256, C) array across its rows ~5x
    slower): on a small image the per-channel bookkeeping was the transform's cost
    (64x64x3: ~35 us of ~120, against 84 in all for 2.0.8)."""
    h = np.array(hists, dtype=np.float64)  # a copy: ``ignore`` is zeroed in it
    if ignore is not None:
        h[:, ignore] = 0
    cdf = np.cumsum(h, axis=1)
    total = cdf[:, -1:]
    if cutoff > 0:
        # as 2.0.8 (measured): the low edge is one level above the first whose cumulative
        # count exceeds cutoff % of the pixels, the high edge the first reaching 100 - cutoff %
        # (the counts below are searchsorted's right / left positions in a sorted cdf)
        cut = total * cutoff / 100.0  # (in this order: total * (cutoff / 100) rounds differently)
        lo = np.count_nonzero(cdf <= cut, axis=1) + 1
        hi = np.count_nonzero(cdf < total - cut, axis=1)
    else:
        seen = h > 0
        lo = seen.argmax(axis=1)
        hi = 255 - seen[:, ::-1].argmax(axis=1)
    lo, hi = np.minimum(lo, 255)[:, None], np.minimum(hi, 255)[:, None]
    if method == "pil":
        table = (_X - lo) * (255.0 / np.maximum(hi - lo, 1))
    else:
        above = _X > hi
        if cutoff > 0:
            c = np.cumsum(np.where((_X < lo) | above, 0.0, h), axis=1)
        else:
            c = cdf  # lo and hi are the first and last levels present: nothing to cut
        c_lo = np.take_along_axis(c, lo, axis=1)
        # below lo the cumulative count is c_lo or less: the clip below makes those 0
        table = (c - c_lo) * (255.0 / np.maximum(c[:, -1:] - c_lo, 1.0))
        np.putmask(table, above, 255.0)
    plain = (total[:, 0] == 0) | (hi[:, 0] <= lo[:, 0])  # nothing to stretch: the identity
    if plain.any():
        table[plain] = _X
    np.clip(table, 0, 255, out=table)
    if ignore is not None:
        table[:, ignore] = ignore
    return table


def autocontrast(img: np.ndarray, cutoff: float = 0, ignore: int | None = None,
                 method: str = "cdf") -> np.ndarray:
    """Stretch each channel's value range (``pil``: linear) or flatten its histogram
    between the cut-off edges (``cdf``); channels with one value stay unchanged."""
    tables = autocontrast_tables(np.stack(channel_histograms(_to_u8(img))), cutoff, ignore, method)
    if img.dtype == np.uint8:  # tables already in [0, 255]: rounded, one lookup
        return apply_lut(img, np.rint(tables).astype(np.uint8).T)
    return _apply_tables(img, list(tables))


# -- Equalize --------------------------------------------------------------------------------
def equalize_table(hist: np.ndarray, mode: str = "cv") -> np.ndarray:
    """The uint8 table of histogram equalization for one histogram.

    ``cv``: as ``cv2.equalizeHist`` (bit-exact); ``pil``: as ``PIL.ImageOps.equalize``.
    """
    h = hist.astype(np.int64)
    nz = np.flatnonzero(h)
    if nz.size == 0:
        return np.arange(256, dtype=np.uint8)
    if mode == "pil":
        step = (int(h.sum()) - int(h[nz[-1]])) // 255
        if step == 0:
            return np.arange(256, dtype=np.uint8)
        # the cumulative count including level i, as 2.0.8 (measured)
        return np.clip((np.cumsum(h) + step // 2) // step, 0, 255).astype(np.uint8)
    i0 = nz[0]
    total = int(h.sum())
    if h[i0] == total:  # a flat image: OpenCV maps its level to itself
        lut = np.zeros(256, np.uint8)
        lut[i0] = i0
        return lut
    scale = 255.0 / (total - h[i0])
    cum = np.cumsum(h).astype(np.float64) - h[i0]
    lut = np.clip(np.rint(cum * scale), 0, 255)
    lut[:i0] = 0
    return lut.astype(np.uint8)


def equalize(img: np.ndarray, mode: str = "cv", by_channels: bool = True,
             mask: np.ndarray | None = None) -> np.ndarray:
    """Histogram equalization per channel, or of the luma (YCrCb) of an RGB image.

    ``mask`` (HxW, or HxWxC for per-channel masks) restricts the histogram to its
    non-zero pixels; every pixel is remapped.
    """
    u8 = _to_u8(img)
    c = num_channels(u8)
    if mask is not None and mask.ndim == 3 and mask.shape[2] == 1:
        mask = mask[..., 0]
    if c == 3 and not by_channels:
        ycrcb = cv2.cvtColor(u8, cv2.COLOR_RGB2YCrCb)
        m = mask if mask is None or mask.ndim == 2 else mask[..., 0]
        y = np.ascontiguousarray(ycrcb[..., 0])
        if mode == "cv" and m is None:
            ycrcb[..., 0] = cv2.equalizeHist(y)
        else:
            ycrcb[..., 0] = apply_lut(y, equalize_table(channel_histograms(y, m)[0], mode))
        return _from_u8(cv2.cvtColor(ycrcb, cv2.COLOR_YCrCb2RGB), img)
    if mode == "cv" and mask is None:
        # OpenCV's own equalization, plane by plane: the tables below are bit-exact with
        # it, and it is faster at every size (RGB uint8, one thread, us: 64x64 22 vs 154,
        # 256x256 210 vs 363, 512x512 778 vs 957)
        if u8.ndim == 2:
            return _from_u8(cv2.equalizeHist(u8), img)
        out = cv2.merge([cv2.equalizeHist(p) for p in cv2.split(u8)])
        return _from_u8(out.reshape(u8.shape), img)
    if mask is None or mask.ndim == 2:
        hists = channel_histograms(u8, mask)
    else:
        hists = [channel_histograms(np.ascontiguousarray(u8[..., i]), mask[..., i])[0] for i in range(c)]
    tables = [equalize_table(h, mode) for h in hists]
    lut = np.stack(tables, axis=1) if c > 1 else tables[0]
    return _from_u8(apply_lut(u8, lut), img)


# -- CLAHE -----------------------------------------------------------------------------------
def clahe(img: np.ndarray, clip_limit: float, tile_grid_size: tuple[int, int]) -> np.ndarray:
    """CLAHE of a grey image, or of the L channel (LAB) of an RGB image; uint16 and float32
    are processed at 8 bits (as 2.0.8 does for float32)."""
    u8 = _to_u8(img)
    op = cv2.createCLAHE(clipLimit=float(clip_limit), tileGridSize=(int(tile_grid_size[1]),
                                                                    int(tile_grid_size[0])))
    if num_channels(u8) == 1:
        out = op.apply(u8.reshape(u8.shape[:2])).reshape(u8.shape)
    else:
        # 512x512x3 uint8, one thread (us): RGB2LAB ~940, CLAHE of L ~740, LAB2RGB ~1300;
        # taking L out and putting it back with cv2.extractChannel / insertChannel costs
        # 47 + 47 against 65 + 65 for numpy's strided copies
        lab = cv2.cvtColor(u8, cv2.COLOR_RGB2LAB)
        cv2.insertChannel(op.apply(cv2.extractChannel(lab, 0)), lab, 0)
        out = cv2.cvtColor(lab, cv2.COLOR_LAB2RGB)
    return _from_u8(out, img)


# -- tone curve ------------------------------------------------------------------------------
def tone_curve_values(x: np.ndarray, low_y: float | np.ndarray, high_y: float | np.ndarray) -> np.ndarray:
    """The cubic Bezier through (0, 0), (1/3?, low_y), (.., high_y), (1, 1), as a function
    of the curve parameter t = x: ``3(1-t)^2 t low + 3(1-t) t^2 high + t^3``."""
    return 3 * (1 - x) ** 2 * x * low_y + 3 * (1 - x) * x ** 2 * high_y + x ** 3


def tone_curve_lut(low_y, high_y, num_channels_: int = 1) -> np.ndarray:
    """uint8 table (256,) or (256, C) for scalar or per-channel control values."""
    low = np.atleast_1d(np.asarray(low_y, np.float64))
    high = np.atleast_1d(np.asarray(high_y, np.float64))
    t = (_X / 255.0)[:, None]
    v = np.clip(np.rint(tone_curve_values(t, low[None], high[None]) * 255.0), 0, 255).astype(np.uint8)
    if v.shape[1] == 1:
        return v[:, 0]
    return v


def tone_curve(img: np.ndarray, low_y, high_y) -> np.ndarray:
    """Apply the tone curve; uint8 through its table, floats evaluated exactly (2.0.8
    quantizes float32 to the uint8 table, a difference of at most 0.5/255)."""
    c = num_channels(img)
    if img.dtype == np.uint8:
        return apply_lut(img, tone_curve_lut(low_y, high_y, c))
    if img.dtype == np.uint16:
        return FC._via_unit(img, lambda f: tone_curve(f, low_y, high_y))
    low = np.asarray(low_y, np.float32)
    high = np.asarray(high_y, np.float32)
    out = tone_curve_values(img, low, high).astype(np.float32)
    return np.clip(out, 0.0, 1.0, out=out)


# -- per-channel gains and shifts -------------------------------------------------------------
def channel_gain_lut(gains: Sequence[float]) -> np.ndarray:
    """uint8 table (256, C) of ``round(x * gain_c)`` saturated."""
    g = np.asarray(gains, np.float64)
    return np.clip(np.rint(_X[:, None] * g[None]), 0, 255).astype(np.uint8)


def channel_gain(img: np.ndarray, gains: Sequence[float]) -> np.ndarray:
    """Multiply channel c by ``gains[c]`` (one table pass on uint8: 0.2 ms)."""
    if img.dtype == np.uint8:
        return apply_lut(img, channel_gain_lut(gains))
    out = np.multiply(img, np.asarray(gains, np.float32), dtype=np.float32)
    np.clip(out, 0, max_value(img.dtype), out=out)
    return out if img.dtype == np.float32 else np.rint(out).astype(img.dtype)


def channel_shift_lut(shifts: Sequence[float]) -> np.ndarray:
    """uint8 table (256, C) of ``x + round(shift_c)`` saturated (shifts in 0..255 units)."""
    s = np.rint(np.asarray(shifts, np.float64))
    return np.clip(_X[:, None] + s[None], 0, 255).astype(np.uint8)


def channel_shift(img: np.ndarray, shifts: Sequence[float]) -> np.ndarray:
    """Add ``shifts[c]`` (in the image's own units) to channel c, saturated; integer images
    add the rounded shift.

    uint8/uint16 with up to 4 channels: saturating scalar adds (:func:`FC.add_integer_shifts`,
    ~40 us on 512x512x3 uint8, against ~145 us for a per-channel table).
    """
    c = num_channels(img)
    if img.dtype != np.float32 and c <= 4 and img.shape[0] * img.shape[1] >= 16:  # tiny: see drop_channels
        return FC.add_integer_shifts(img, [int(v) for v in np.rint(np.asarray(shifts, np.float64))])
    if img.dtype == np.uint8:
        return apply_lut(img, channel_shift_lut(shifts))
    out = np.add(img, np.asarray(shifts, np.float32), dtype=np.float32)
    np.clip(out, 0, max_value(img.dtype), out=out)
    return out if img.dtype == np.float32 else np.rint(out).astype(img.dtype)


# -- Planckian jitter ---------------------------------------------------------------------------
# R/G and B/G gains every 500 K, measured from Albumentations 2.0.8 (the coefficients of
# Zini et al., "Planckian jitter", 2022); linear interpolation between them differs from
# 2.0.8 by at most 0.005 (blackbody) / 0.0007 (cied).
_PLANCK_T = {"blackbody": np.arange(3000, 15001, 500), "cied": np.arange(4000, 15001, 500)}
_PLANCK_GAINS: dict[str, np.ndarray] = {
    "blackbody": np.array([
        [1.673616, 0.003227], [1.481019, 0.392596], [1.353843, 0.574794],
        [1.261611, 0.707651], [1.190698, 0.813289], [1.133480, 0.900768],
        [1.086169, 0.974695], [1.046047, 1.038662], [1.011474, 1.093960],
        [0.980994, 1.142333], [0.954291, 1.185209], [0.930233, 1.223299],
        [0.908563, 1.257315], [0.889056, 1.287895], [0.871266, 1.315495],
        [0.855178, 1.340567], [0.840172, 1.363265], [0.826246, 1.384021],
        [0.813359, 1.402921], [0.801546, 1.420318], [0.790548, 1.436735],
        [0.780236, 1.451343], [0.770354, 1.465091], [0.761495, 1.477869],
        [0.752848, 1.490006],
    ]),
    "cied": np.array([
        [1.318480, 0.517530], [1.220647, 0.653079], [1.146416, 0.762238],
        [1.087267, 0.853400], [1.038743, 0.930908], [0.997214, 0.997214],
        [0.961760, 1.054903], [0.930094, 1.105286], [0.902128, 1.149575],
        [0.877152, 1.188948], [0.854322, 1.223827], [0.833439, 1.254827],
        [0.814210, 1.282927], [0.796650, 1.308524], [0.780369, 1.331567],
        [0.764943, 1.352268], [0.750795, 1.371477], [0.737444, 1.389066],
        [0.724942, 1.405171], [0.713075, 1.420216], [0.702056, 1.433778],
        [0.691460, 1.446493], [0.681712, 1.458360],
    ]),
}


def _planck_table(mode: str) -> np.ndarray:
    return _PLANCK_GAINS[mode]


def planckian_gains(temperature: float, mode: str) -> tuple[float, float, float]:
    """(R, G, B) gains of an illuminant of ``temperature`` K; G is 1."""
    t = _PLANCK_T[mode]
    tab = _planck_table(mode)
    return (float(np.interp(temperature, t, tab[:, 0])), 1.0, float(np.interp(temperature, t, tab[:, 1])))


# -- FancyPCA ----------------------------------------------------------------------------------
def _covariance(img: np.ndarray) -> np.ndarray:
    """Colour covariance (C x C, float64, values in [0, 1] units) of an image.

    Up to 4 channels: from cv2.meanStdDev of the channels and of their pairwise sums,
    var(a + b) = var(a) + var(b) + 2 cov(a, b), on every other row and column
    (0.25 ms for 512x512x3; a float64 ``x.T @ x`` of the same pixels costs 3.5 ms).
    """
    c = num_channels(img)
    sub = img[::2, ::2] if img.shape[0] * img.shape[1] >= 4096 else img
    sub = np.ascontiguousarray(sub).astype(np.float32) * np.float32(1.0 / max_value(img.dtype))
    if c == 1:
        return np.array([[float(np.var(sub, dtype=np.float64))]])
    if c > 4:
        x = sub.reshape(-1, c).astype(np.float64)
        return np.cov(x, rowvar=False, bias=True)
    _, sd = cv2.meanStdDev(sub)
    var = sd.ravel()[:c] ** 2
    pairs = [(i, j) for i in range(c) for j in range(i + 1, c)]
    cov = np.diag(var)
    for k in range(0, len(pairs), 4):
        chunk = pairs[k:k + 4]
        m = np.zeros((len(chunk), c), np.float32)
        for r, (i, j) in enumerate(chunk):
            m[r, i] = m[r, j] = 1.0
        _, sd2 = cv2.meanStdDev(cv2.transform(sub, m))
        for r, (i, j) in enumerate(chunk):
            cov[i, j] = cov[j, i] = (sd2.ravel()[r] ** 2 - var[i] - var[j]) / 2.0
    return cov


def fancy_pca_shift(img: np.ndarray, alpha_vector: Sequence[float]) -> np.ndarray:
    """The AlexNet colour shift ``sum_i alpha_i * lambda_i * p_i`` of an image, per channel,
    in [0, 1] units: (lambda_i, p_i) are the eigen-pairs (descending) of the covariance of
    the pixels scaled to [0, 1]; ``alpha_vector[i]`` goes with the i-th largest eigenvalue.
    """
    c = num_channels(img)
    w, v = np.linalg.eigh(_covariance(img))
    w, v = w[::-1], v[:, ::-1]
    a = np.zeros(c)
    n = min(c, len(alpha_vector))
    a[:n] = np.asarray(alpha_vector, np.float64)[:n]
    return v @ (a * np.maximum(w, 0.0))


# -- fixed colour matrices ---------------------------------------------------------------------
SEPIA = np.array([[0.393, 0.769, 0.189], [0.349, 0.686, 0.168], [0.272, 0.534, 0.131]], np.float32)


def color_matrix(img: np.ndarray, matrix: np.ndarray, offset: Sequence[float] | None = None) -> np.ndarray:
    """``out[..., i] = sum_j matrix[i, j] * img[..., j] + offset[i]`` in one cv2.transform pass
    (saturating round for integers; 0.35 ms for uint8 RGB), floats clipped to [0, 1]."""
    # ToSepia: cv2.transform takes 113 us on 512x512x3 uint8 (float32 and float64 matrices
    # give the same bytes), as in Albumentations 2.0.8; per-channel tables would need a
    # sum of three gathers (np.take alone: 700 us).
    m = np.asarray(matrix, np.float32)
    if offset is not None:
        m = np.concatenate([m, np.asarray(offset, np.float32)[:, None] * np.float32(max_value(img.dtype))], 1)
    out = cv2.transform(img, m)
    if out.dtype == np.float32:
        np.clip(out, 0.0, 1.0, out=out)
    return out


_MERGE_DTYPES = frozenset(np.dtype(t) for t in ("uint8", "uint16", "float32", "float64"))
_GRAY2RGB_DTYPES = frozenset(np.dtype(t) for t in ("uint8", "uint16", "float32"))


def to_rgb(img: np.ndarray, num_output_channels: int = 3) -> np.ndarray:
    """Repeat a grey image into ``num_output_channels`` channels."""
    g = img.reshape(img.shape[:2])
    if num_output_channels == 3 and img.dtype in _GRAY2RGB_DTYPES:
        # 512x512 uint8 with fresh outputs, as in a training loop (us): cvtColor GRAY2RGB
        # 24.5, cv2.merge 29.4 (with a reused output buffer the order flips: 21 vs 18)
        return cv2.cvtColor(g, cv2.COLOR_GRAY2RGB)
    if img.dtype in _MERGE_DTYPES:
        # 512x512 uint8 -> 3 channels, one thread: cv2.merge 18 us, cvtColor GRAY2RGB 21 us,
        # mixChannels into a new array 145-175 us, np.repeat 350 us, a broadcast copy 820 us.
        # (A set of dtypes: a tuple of scalar types compared one by one cost 0.6 us.)
        out = cv2.merge([g if g.flags.c_contiguous else np.ascontiguousarray(g)] * num_output_channels)
        return out if out.ndim == 3 else out.reshape(g.shape + (num_output_channels,))
    return np.repeat(g[..., None], num_output_channels, axis=2)


def luma(img: np.ndarray) -> np.ndarray:
    """ITU-R 601 luma (HxW) of an RGB image, same dtype."""
    return cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)


def colorize(img: np.ndarray, black: Sequence[float], white: Sequence[float],
             mid: Sequence[float] | None = None) -> np.ndarray:
    """Map the luma of an RGB image onto a colour gradient (as ``PIL.ImageOps.colorize``):
    black -> ``black``, white -> ``white``, optionally through ``mid`` at 50 %. Colours are
    in 0..255 units whatever the dtype."""
    top = max_value(img.dtype)
    b, w = np.asarray(black, np.float64), np.asarray(white, np.float64)
    if mid is None:
        table = b[None] + (w - b)[None] * (_X / 255.0)[:, None]
    else:
        m = np.asarray(mid, np.float64)
        t = (_X / 255.0)[:, None]
        table = np.where(t < 0.5, b + (m - b) * (t * 2), m + (w - m) * (t * 2 - 1))
    y = luma(img)
    if img.dtype == np.uint8:
        lut = np.clip(np.rint(table), 0, 255).astype(np.uint8)
        return np.stack([apply_lut(y, np.ascontiguousarray(lut[:, i])) for i in range(3)], axis=2)
    f = y.astype(np.float32) * np.float32(255.0 / top)
    out = np.stack([np.interp(f, _X, table[:, i]) for i in range(3)], axis=2).astype(np.float32)
    out *= np.float32(top / 255.0)
    np.clip(out, 0, top, out=out)
    return out if img.dtype == np.float32 else np.rint(out).astype(img.dtype)


# -- PIL ImageEnhance-style factors -------------------------------------------------------------
def _blend(img: np.ndarray, other: np.ndarray | float, factor: float) -> np.ndarray:
    """``other + factor * (img - other)`` saturated to the dtype (PIL's blend)."""
    if np.isscalar(other):
        return FC.brightness_contrast(img, factor, float(other) * (1.0 - factor))
    # (OpenCV returns HxW for HxWx1 inputs: the channel axis is put back)
    out = FC._like(cv2.addWeighted(img, factor, other, 1.0 - factor, 0.0), img)
    if img.dtype == np.float32:
        return np.clip(out, 0.0, 1.0, out=out)
    return out


_SMOOTH = np.array([[1, 1, 1], [1, 5, 1], [1, 1, 1]], np.float32) / 13.0


def enhance_brightness(img: np.ndarray, factor: float) -> np.ndarray:
    return _blend(img, 0.0, factor)


def enhance_contrast(img: np.ndarray, factor: float) -> np.ndarray:
    """Blend with the mean luma (PIL rounds it to an integer level for 8-bit images)."""
    m = FC.gray_mean(img)
    if img.dtype == np.uint8:
        m = float(int(m + 0.5))
    return _blend(img, m, factor)


def enhance_color(img: np.ndarray, factor: float) -> np.ndarray:
    if num_channels(img) != 3:
        return img.copy()
    return FC.adjust_saturation(img, factor)


def enhance_sharpness(img: np.ndarray, factor: float) -> np.ndarray:
    """Blend with PIL's SMOOTH-filtered image; the 1-pixel border is kept (as PIL)."""
    smooth = cv2.filter2D(img, -1, _SMOOTH, borderType=cv2.BORDER_REPLICATE)
    smooth = FC._like(smooth, img)
    smooth[0], smooth[-1], smooth[:, 0], smooth[:, -1] = img[0], img[-1], img[:, 0], img[:, -1]
    return _blend(img, smooth, factor)


# -- H&E stain augmentation --------------------------------------------------------------------
#: (hematoxylin, eosin) optical-density directions, one row each (normalized at use).
#: "ruifrok" and "macenko" are the published references; the others are the variants
#: Albumentations 2.0.8 (MIT licence) offers under the same names, kept for compatibility
#: (values observed from its outputs, not taken from its code).
HE_PRESETS: dict[str, np.ndarray] = {
    "ruifrok": np.array([[0.644211, 0.716556, 0.266844], [0.092789, 0.954111, 0.283111]]),
    "macenko": np.array([[0.5626, 0.7201, 0.4062], [0.2159, 0.8012, 0.5581]]),
    "standard": np.array([[0.65, 0.70, 0.29], [0.07, 0.99, 0.11]]),
    "high_contrast": np.array([[0.55, 0.88, 0.11], [0.12, 0.86, 0.49]]),
    "h_heavy": np.array([[0.75, 0.61, 0.32], [0.04, 0.93, 0.36]]),
    "e_heavy": np.array([[0.60, 0.75, 0.28], [0.17, 0.95, 0.25]]),
    "dark": np.array([[0.78, 0.55, 0.28], [0.09, 0.97, 0.21]]),
    "light": np.array([[0.57, 0.71, 0.38], [0.15, 0.89, 0.42]]),
}
_OD_EPS = 1e-6               # intensities are clipped to this before the logarithm
HE_BACKGROUND_OD = 0.15      # a pixel whose OD is below this in every channel is background
HE_TISSUE_OD = 0.15          # Macenko's beta: pixels used for stain estimation


def stain_basis(stains: np.ndarray) -> np.ndarray:
    """3x3 OD basis: the two normalized stain rows plus their normalized cross product
    (the residual direction, orthogonal to both), so that the decomposition is exact and
    the H and E concentrations equal the least-squares ones."""
    s = np.asarray(stains, np.float64)[:2]
    s = s / np.maximum(np.linalg.norm(s, axis=1, keepdims=True), 1e-12)
    r = np.cross(s[0], s[1])
    n = np.linalg.norm(r)
    if n < 1e-6:  # parallel stains: fall back to the standard pair
        return stain_basis(HE_PRESETS["standard"])
    return np.vstack([s, r / n])


def he_od_transform(stains: np.ndarray, scale: Sequence[float], shift: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """(T, b) with ``OD' = OD @ T + b`` for row-vector pixels: concentrations
    ``c = OD @ inv(B)`` become ``c * (s_h, s_e, 1) + (d_h, d_e, 0)``, back through ``B``."""
    b = stain_basis(stains)
    d = np.array([scale[0], scale[1], 1.0])
    t = np.linalg.inv(b) @ (d[:, None] * b)
    off = np.array([shift[0], shift[1], 0.0]) @ b
    return t, off


def he_stain(img: np.ndarray, stains: np.ndarray, scale: Sequence[float], shift: Sequence[float],
             augment_background: bool = False) -> np.ndarray:
    """Scale and shift the hematoxylin and eosin concentrations of an RGB image.

    Beer-Lambert: ``OD = -ln(I)`` (I in [0, 1]). The per-pixel map is affine in log
    space, ``ln I' = ln I @ T - b``, so it runs as one ``cv2.transform`` between a log
    table (uint8) and ``cv2.exp`` (about 3 ms for 512x512x3 uint8 in total). The residual
    (non-stain) component is kept, so scale 1 and shift 0 give the input back.
    Background (OD < ``HE_BACKGROUND_OD`` in every channel) is kept unless
    ``augment_background``.
    """
    t, off = he_od_transform(stains, scale, shift)
    top = max_value(img.dtype)
    m = np.empty((3, 4), np.float32)
    m[:, :3] = t.T
    # ln(I') + ln(top): cv2.exp then gives values in the dtype's units directly
    m[:, 3] = -off + np.log(top)
    if img.dtype == np.uint8:
        logs = np.log(np.maximum(np.arange(256) / 255.0, _OD_EPS)).astype(np.float32)
        lg = cv2.LUT(img, logs)  # 256-entry float table: 0.5 ms; np.log of the image: 4 ms
    else:
        lg = img.astype(np.float32)
        if img.dtype != np.float32:
            lg *= np.float32(1.0 / top)
        np.maximum(lg, np.float32(_OD_EPS), out=lg)
        cv2.log(lg, lg)
    out = cv2.exp(cv2.transform(lg, m))
    if img.dtype == np.uint8:
        out = cv2.convertScaleAbs(out)  # values >= 0: rounds and saturates in one pass
    elif img.dtype == np.float32:
        np.minimum(out, np.float32(1.0), out=out)
    else:
        np.minimum(out, np.float32(top), out=out)
        out += np.float32(0.5)
        out = out.astype(img.dtype)
    if not augment_background:
        lo = np.exp(-HE_BACKGROUND_OD) * top
        lo = int(np.ceil(lo)) if img.dtype != np.float32 else float(lo)
        bg = cv2.inRange(img, (lo, lo, lo), (top, top, top))
        cv2.copyTo(img, bg, out)
    return out


def _tissue_od(img: np.ndarray, max_pixels: int = 16384) -> np.ndarray:
    """Optical densities (N x 3, float64) of up to ``max_pixels`` tissue pixels (OD above
    Macenko's beta in every channel), taken on a regular sub-grid."""
    h, w = img.shape[:2]
    step = max(1, int(np.sqrt(h * w / max_pixels)))
    sub = img[::step, ::step].reshape(-1, 3).astype(np.float64) / max_value(img.dtype)
    od = -np.log(np.maximum(sub, 1.0 / 255.0))
    return od[(od > HE_TISSUE_OD).all(axis=1)]


def _order_he(stains: np.ndarray) -> np.ndarray | None:
    """Rows normalized, hematoxylin (the larger red-channel OD) first; None if degenerate."""
    s = np.abs(stains)
    n = np.linalg.norm(s, axis=1, keepdims=True)
    if not np.all(np.isfinite(s)) or np.any(n < 1e-9):
        return None
    s = s / n
    if s[0, 0] < s[1, 0]:
        s = s[::-1]
    if np.linalg.norm(np.cross(s[0], s[1])) < 1e-3:
        return None
    return np.ascontiguousarray(s)


def macenko_stains(img: np.ndarray, alpha: float = 1.0) -> np.ndarray | None:
    """Macenko et al. (2009) stain estimate: the plane of the two main OD eigenvectors of
    tissue pixels, stains at the ``alpha`` / ``100 - alpha`` percentiles of the angle in
    that plane. Returns (2, 3) rows (H, E) or None when there is too little tissue."""
    od = _tissue_od(img)
    if len(od) < 16:
        return None
    _, v = np.linalg.eigh(np.cov(od, rowvar=False))
    v = v[:, 1:]  # the two largest eigenvalues (eigh: ascending)
    v = v * np.where(v.sum(axis=0) < 0, -1.0, 1.0)
    proj = od @ v
    phi = np.arctan2(proj[:, 1], proj[:, 0])
    lo, hi = np.percentile(phi, (alpha, 100.0 - alpha))
    s = np.stack([v @ [np.cos(lo), np.sin(lo)], v @ [np.cos(hi), np.sin(hi)]])
    return _order_he(s)


def vahadane_stains(img: np.ndarray, lam: float = 0.1, iterations: int = 40) -> np.ndarray | None:
    """Vahadane et al. (2016)-style estimate: sparse non-negative factorization
    ``OD ~ C @ W`` (L1 penalty ``lam`` on the concentrations C, multiplicative updates),
    started from the Macenko estimate. Returns (2, 3) rows (H, E) or None."""
    od = _tissue_od(img, 4096)
    if len(od) < 16:
        return None
    w = macenko_stains(img)
    w = stain_basis(HE_PRESETS["standard"] if w is None else w)[:2]
    w = np.abs(w) + 1e-3
    c = np.maximum(od @ np.linalg.pinv(w), 1e-3)
    eps = 1e-9
    for _ in range(iterations):
        c *= (od @ w.T) / (c @ (w @ w.T) + lam + eps)
        w *= (c.T @ od) / ((c.T @ c) @ w + eps)
        n = np.linalg.norm(w, axis=1, keepdims=True) + eps
        w /= n
        c *= n.T
    return _order_he(w)
