"""Domain-adaptation kernels: move an image's style towards a reference image.

``f(image, explicit params) -> new image``, no randomness. Reference statistics (the
part that depends only on the reference) are computed by ``*_reference`` helpers, which
transforms call once per pipeline call in ``sample()``; the per-image kernels then only
look at the image itself.

Dtype policy: uint8, uint16 and float32 in [0, 1]; the output keeps the input dtype,
integers are rounded and saturated, floats clipped to [0, 1]. Work is done in float32.

Timings in comments: one 512x512x3 image, ``cv2.setNumThreads(1)``.
"""

from __future__ import annotations

import functools

import cv2
import numpy as np

from augkit.errors import UnsupportedInputError
from augkit.functional.color import channel_histograms

_MAX = {np.dtype(np.uint8): 255.0, np.dtype(np.uint16): 65535.0}


def max_value(dtype) -> float:
    return _MAX.get(np.dtype(dtype), 1.0)


def num_channels(img: np.ndarray) -> int:
    return 1 if img.ndim == 2 else img.shape[2]


def to_unit(img: np.ndarray) -> np.ndarray:
    """Any image (uint8, uint16, float) -> float32 in [0, 1] (floats assumed in [0, 1])."""
    if img.dtype == np.float32:
        return img
    if img.dtype.kind == "f":
        return img.astype(np.float32)
    if img.dtype not in _MAX:
        info = np.iinfo(img.dtype)
        return np.multiply(img, np.float32(1.0 / info.max), dtype=np.float32)
    return np.multiply(img, np.float32(1.0 / _MAX[img.dtype]), dtype=np.float32)


def from_unit(out: np.ndarray, dtype) -> np.ndarray:
    """float32 in about [0, 1] -> ``dtype``: rounded and saturated, or clipped to [0, 1]."""
    dtype = np.dtype(dtype)
    if dtype == np.float32:
        return np.clip(out, 0.0, 1.0, out=out)
    depth = cv2.CV_8U if dtype == np.uint8 else cv2.CV_16U
    return cv2.addWeighted(out, _MAX[dtype], out, 0.0, 0.0, dtype=depth).reshape(out.shape)


def reference_like(ref: np.ndarray, channels: int, owner: str) -> np.ndarray:
    """A reference image as float32 in [0, 1], HxWxC with the target's channel count.

    A grey reference serves every channel; a multi-channel reference serves a grey
    target through the mean of its channels (the RGB luma weights for 3 channels).
    """
    ref = np.asarray(ref)
    if ref.ndim not in (2, 3) or ref.size == 0:
        raise UnsupportedInputError(f"{owner}: a reference image must be a non-empty HxW or HxWxC "
                                    f"array, got shape {ref.shape}")
    if ref.dtype.kind not in "uf":
        raise UnsupportedInputError(f"{owner}: reference image dtype {ref.dtype} is not supported")
    unit = to_unit(ref)
    rc = num_channels(unit)
    if rc == channels:
        return unit if unit.ndim == 3 else unit[:, :, None]
    if rc == 1:
        return np.repeat(unit.reshape(unit.shape[0], unit.shape[1], 1), channels, axis=2)
    if channels == 1:
        if rc == 3:
            gray = cv2.cvtColor(np.ascontiguousarray(unit), cv2.COLOR_RGB2GRAY)
        else:
            gray = unit.mean(axis=2, dtype=np.float32)
        return gray[:, :, None]
    raise UnsupportedInputError(
        f"{owner}: the reference image has {rc} channels but the image has {channels} channels; "
        f"give references with the same number of channels (or grey ones)")


# -- Fourier domain adaptation ----------------------------------------------------------
@functools.lru_cache(maxsize=64)
def _ccs_index(h: int, w: int, b: int):
    """Where OpenCV's packed (CCS) real DFT of an h x w image stores the coefficients of
    frequencies ``ky in [-b, b]`` x ``kx in [0, b]``.

    Returns ``(re_rows, re_cols, im_rows, im_cols, im_sign)``, each (2b+1, b+1); ``im_sign``
    is 0 where the coefficient is real (its imaginary part then reads a dummy cell).
    """
    ky = np.arange(-b, b + 1)[:, None] * np.ones((1, b + 1), int)
    kx = np.ones((2 * b + 1, 1), int) * np.arange(b + 1)[None, :]
    re_r = np.zeros_like(ky)
    re_c = np.zeros_like(ky)
    im_r = np.zeros_like(ky)
    im_c = np.zeros_like(ky)
    sign = np.zeros_like(ky)
    inner = (kx > 0) & ~((w % 2 == 0) & (kx == w // 2))
    re_r[inner] = ky[inner] % h
    re_c[inner] = 2 * kx[inner] - 1
    im_r[inner] = ky[inner] % h
    im_c[inner] = 2 * kx[inner]
    sign[inner] = 1
    edge = ~inner  # kx == 0 or the Nyquist column: a packed 1-D real spectrum down a column
    col = np.where(kx == 0, 0, w - 1)
    kk = ky % h
    k = np.where(kk > h // 2, h - kk, kk)  # stored frequency, folded onto 0..h/2
    conj = np.where(kk > h // 2, -1, 1)  # the other half is the complex conjugate
    zero = k == 0
    nyq = (h % 2 == 0) & (k == h // 2)
    mid = ~zero & ~nyq
    for m, rr, ir, s in ((zero, 0, 0, 0), (nyq, h - 1, 0, 0)):
        sel = edge & m
        re_r[sel], re_c[sel], im_r[sel], im_c[sel], sign[sel] = rr, col[sel], ir, col[sel], s
    sel = edge & mid
    re_r[sel] = 2 * k[sel] - 1
    re_c[sel] = col[sel]
    im_r[sel] = 2 * k[sel]
    im_c[sel] = col[sel]
    sign[sel] = conj[sel]
    return re_r, re_c, im_r, im_c, sign.astype(np.float32)


def _region(ccs: np.ndarray, b: int):
    """Complex coefficients of the low-frequency window from a CCS-packed spectrum."""
    re_r, re_c, im_r, im_c, sign = _ccs_index(ccs.shape[0], ccs.shape[1], b)
    return ccs[re_r, re_c], ccs[im_r, im_c] * sign


def fda_window(h: int, w: int, beta: float) -> int:
    """Half size ``b`` of the swapped window: frequencies ``|ky|, |kx| <= b``."""
    return int(np.floor(min(h, w) * beta))


def fda_reference(ref: np.ndarray, shape: tuple[int, int], beta: float) -> np.ndarray:
    """Amplitudes (C, 2b+1, b+1) of a unit-range HxWxC reference resized to ``shape``."""
    h, w = shape
    b = fda_window(h, w, beta)
    if ref.shape[:2] != (h, w):
        ref = cv2.resize(ref, (w, h), interpolation=cv2.INTER_LINEAR).reshape(h, w, -1)
    amps = []
    for c in range(ref.shape[2]):
        re, im = _region(cv2.dft(np.ascontiguousarray(ref[:, :, c])), b)
        amps.append(np.sqrt(re * re + im * im))
    return np.stack(amps).astype(np.float32)


def fda(img: np.ndarray, ref_amplitude: np.ndarray) -> np.ndarray:
    """Fourier domain adaptation (Yang & Soatto, CVPR 2020).

    The amplitude of the frequencies ``|ky|, |kx| <= b`` of each channel is replaced by
    ``ref_amplitude`` (from :func:`fda_reference`, ``b`` is implied by its shape); the
    phase is kept. Only that window is touched, so the work is one packed real DFT and
    its inverse per channel (cv2.dft CCS: 1.0 ms for 3 channels each way, against 8 ms for
    np.fft.rfft2 in float32 and 5 ms for cv2.dft with complex output).
    """
    b = ref_amplitude.shape[2] - 1
    h, w = img.shape[:2]
    unit = to_unit(img)
    c = num_channels(img)
    re_r, re_c, im_r, im_c, sign = _ccs_index(h, w, b)
    out = np.empty((h, w, c), np.float32)
    src = unit if unit.ndim == 3 else unit[:, :, None]
    for k in range(c):
        ccs = cv2.dft(np.ascontiguousarray(src[:, :, k]))
        re, im = ccs[re_r, re_c], ccs[im_r, im_c] * sign
        amp = np.sqrt(re * re + im * im)
        tgt = ref_amplitude[min(k, len(ref_amplitude) - 1)]
        tiny = amp <= 1e-12
        gain = np.where(tiny, 0.0, tgt / np.where(tiny, 1.0, amp)).astype(np.float32)
        new_re = np.where(tiny, tgt, re * gain)  # no phase: the coefficient becomes real
        new_im = im * gain
        ccs[re_r, re_c] = new_re
        real = sign == 0
        ccs[im_r[~real], im_c[~real]] = (new_im * sign)[~real]
        out[:, :, k] = cv2.idft(ccs, flags=cv2.DFT_SCALE | cv2.DFT_REAL_OUTPUT)
    if img.ndim == 2:
        out = out[:, :, 0]
    return from_unit(out, img.dtype)


# -- histogram matching -------------------------------------------------------------------
def _levels(dtype) -> int:
    """Histogram resolution: exact for uint8 and uint16; 4096 levels for float32
    (output steps of 1/4095, 16x finer than uint8; 65536 levels cost 2x the time)."""
    dtype = np.dtype(dtype)
    return 256 if dtype == np.uint8 else 65536 if dtype == np.uint16 else 4096


def _to_levels(unit: np.ndarray, n: int) -> np.ndarray:
    """Unit-range float32 -> integer levels ``round(x * (n - 1))``, saturated."""
    depth = cv2.CV_8U if n == 256 else cv2.CV_16U
    q = cv2.addWeighted(unit, float(n - 1), unit, 0.0, 0.0, dtype=depth).reshape(unit.shape)
    if n != 256 and n != 65536:
        # 16-bit saturation stops at 65535, not at n - 1: values above 1 (a Normalize
        # before) made histograms longer than n
        np.minimum(q, n - 1, out=q)
    return q


def _split(img: np.ndarray) -> list[np.ndarray]:
    """Contiguous channels (bincount and take on a contiguous channel are 3x faster)."""
    if img.ndim == 2:
        return [img]
    if img.shape[2] <= 4:
        return list(cv2.split(img))
    return [np.ascontiguousarray(img[:, :, k]) for k in range(img.shape[2])]


def _level_counts(q: np.ndarray, n: int) -> np.ndarray:
    """Per-channel counts ``(C, n)`` float64 of an integer-level image (HxW or HxWxC):
    uint8 levels by :func:`channel_histograms` (exact below 2**24 pixels), others by
    np.bincount of each contiguous channel."""
    if n == 256 and q.dtype == np.uint8 and q.shape[0] * q.shape[1] < (1 << 24) and num_channels(q) <= 4:
        return np.stack(channel_histograms(q)).astype(np.float64)
    return np.stack([np.bincount(ch.ravel(), minlength=n) for ch in _split(q)]).astype(np.float64)


def histogram_reference(ref: np.ndarray, dtype) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per channel of an HxWxC reference (unit-range float32, or already in ``dtype``):
    (values present, their cumulative quantiles) on the level grid of ``dtype``."""
    n = _levels(dtype)
    exact = ref.dtype == np.dtype(dtype) and ref.dtype != np.float32
    q = ref if exact else _to_levels(to_unit(ref), n)
    counts = _level_counts(q, n)
    # the cumulative counts of all channels at once: at the levels present they are the
    # cumulative sums of the present counts alone (adding the zeros between changes nothing)
    cdf = np.cumsum(counts, axis=1) / (q.shape[0] * q.shape[1])
    out = []
    for k in range(len(counts)):
        values = np.flatnonzero(counts[k])
        out.append((values.astype(np.float64), cdf[k, values]))
    return out


def histogram_matching(img: np.ndarray, reference: list, blend: float) -> np.ndarray:
    """Match each channel's cumulative histogram to the reference's, then blend:
    ``blend * matched + (1 - blend) * img``.

    Each channel is one lookup table built from its histogram (uint8: 256 entries through
    cv2.LUT; uint16 and float32: 16-bit levels), so the work is a histogram and a table
    lookup per channel. Albumentations 2.0.8 quantizes float32 images far more coarsely.
    """
    n = _levels(img.dtype)
    c = num_channels(img)
    grid = np.arange(n, dtype=np.float64)
    q = img if img.dtype != np.float32 else _to_levels(img, n)
    src_q = np.cumsum(_level_counts(q, n), axis=1) / (q.shape[0] * q.shape[1])
    tables = []
    for k in range(c):
        values, quant = reference[min(k, len(reference) - 1)]
        matched = np.interp(src_q[k], quant, values)
        tables.append(blend * matched + (1.0 - blend) * grid if blend < 1.0 else matched)
    if img.dtype == np.uint8:
        lut = np.clip(np.rint(np.stack(tables, axis=1)), 0, 255).astype(np.uint8)
        if c == 1:
            return cv2.LUT(img, lut[:, 0]).reshape(img.shape)
        if c in (3, 4):  # one pass with a per-channel table
            return cv2.LUT(img, np.ascontiguousarray(lut.reshape(256, 1, c)))
        return _lut_channels(img, lut)
    chans = _split(q)
    if img.dtype == np.uint16:
        tabs = [np.clip(np.rint(t), 0, 65535).astype(np.uint16) for t in tables]
    else:
        tabs = [np.clip(t * (1.0 / (n - 1)), 0.0, 1.0).astype(np.float32) for t in tables]
    outs = [np.take(t, ch) for t, ch in zip(tabs, chans)]
    if img.ndim == 2:
        return outs[0]
    return cv2.merge(outs) if c <= 4 else np.stack(outs, axis=2)


def _lut_channels(img: np.ndarray, lut: np.ndarray) -> np.ndarray:
    out = np.empty_like(img)
    for k in range(img.shape[2]):
        out[:, :, k] = cv2.LUT(np.ascontiguousarray(img[:, :, k]), lut[:, k]).reshape(img.shape[:2])
    return out


# -- pixel distribution adaptation ------------------------------------------------------
_MAX_FIT_PIXELS = 1 << 16  # statistics from at most ~65k evenly strided pixels


def _fit_pixels(unit3: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """Pixels for fitting as channel rows ``(C, N)`` float64; a regular subsample of large
    images (mean and covariance of a 512x512 image move by < 1e-3 of the range; 6x faster).

    Channel rows, not pixel rows: numpy reduces and broadcasts an (N, 3) array row by row
    of three values (64x64: the mean alone took ~65 us, the centred covariance ~140 us,
    against ~30 us for both along contiguous rows)."""
    h, w, c = unit3.shape
    step = int(np.ceil(np.sqrt(h * w / _MAX_FIT_PIXELS))) if h * w > _MAX_FIT_PIXELS else 1
    rows = np.empty((c, len(range(0, h, step)) * len(range(0, w, step))), np.float64)
    for i in range(c):
        rows[i] = unit3[::step, ::step, i].ravel()
    return rows * scale if scale != 1.0 else rows


def _pca(rows: np.ndarray):
    """Mean and principal axes of channel rows ``(C, N)`` (axes as rows, by decreasing
    variance; the largest-magnitude entry of each axis is positive so the sign is defined)."""
    c, n = rows.shape
    mean = rows.mean(axis=1)
    d = rows - mean[:, None]
    cov = np.empty((c, c))
    for i in range(c):
        for j in range(i, c):
            cov[i, j] = cov[j, i] = d[i] @ d[j]
    cov /= max(n - 1, 1)
    vals, vecs = np.linalg.eigh(cov)
    axes = vecs[:, ::-1].T
    flip = np.sign(axes[np.arange(len(axes)), np.argmax(np.abs(axes), axis=1)])
    flip[flip == 0] = 1
    return mean, axes * flip[:, None]


def pda_stats(img3: np.ndarray, transform_type: str, scale: float = 1.0):
    """What ``transform_type`` fits on an image: ``(offset, matrix)`` with
    ``standardized = (x - offset) @ matrix`` and ``x = standardized @ inv + offset``, where
    ``x`` are the pixel vectors of ``img3`` (HxWxC) times ``scale``."""
    if transform_type == "minmax":  # cv2.minMaxLoc per channel: 0.2 ms, numpy 5 ms
        ext = np.array([cv2.minMaxLoc(ch)[:2] for ch in _split(img3)], np.float64) * scale
        lo, hi = ext[:, 0], ext[:, 1]
        scale = hi - lo
        scale[scale == 0] = 1.0
        return lo, np.diag(1.0 / scale), np.diag(scale)
    x = _fit_pixels(img3, scale)
    if transform_type == "standard":
        mean = x.mean(axis=1)
        std = x.std(axis=1)
        std[std == 0] = 1.0
        return mean, np.diag(1.0 / std), np.diag(std)
    mean, axes = _pca(x)
    return mean, axes.T, axes


def pda_reference(ref: np.ndarray, transform_type: str):
    """The reference's fitted transform (see :func:`pda_stats`)."""
    return pda_stats(ref, transform_type)


def pixel_distribution_adaptation(img: np.ndarray, reference, transform_type: str,
                                  blend: float) -> np.ndarray:
    """Fit ``transform_type`` ("pca", "standard", "minmax") on the image, map its pixels to
    the standardized space, back with the reference's inverse, clip, and blend with the
    image: ``blend * adapted + (1 - blend) * img``.

    Every type is an affine map of the pixel vectors, so it is applied as one
    ``cv2.transform`` (1.3 ms for 512x512x3 uint8; Albumentations 2.0.8 takes 21 ms
    and returns a black image for uint8 and uint16 inputs).
    """
    c = num_channels(img)
    img3 = img if img.ndim == 3 else img[:, :, None]
    off_s, fwd_s, _ = pda_stats(img3, transform_type, 1.0 / max_value(img.dtype))
    off_r, _, inv_r = reference
    a = fwd_s @ inv_r  # row vectors: y = (x - off_s) @ a + off_r
    t = off_r - off_s @ a
    mx = max_value(img.dtype)
    m = np.concatenate([a.T, (t * mx)[:, None]], axis=1)  # (C, C+1) acting on column vectors
    if c <= 4:
        adapted = cv2.transform(img if img.ndim == 3 else img[:, :, None], m)
        adapted = adapted.reshape(img.shape)
    else:
        unit = to_unit(img3).reshape(-1, c)
        adapted = unit @ a.astype(np.float32) + t.astype(np.float32)
        adapted = from_unit(adapted.reshape(img.shape).astype(np.float32), img.dtype)
    if img.dtype == np.float32:
        np.clip(adapted, 0.0, 1.0, out=adapted)
    if blend >= 1.0:
        return adapted
    out = cv2.addWeighted(adapted, float(blend), img, float(1.0 - blend), 0.0)
    out = out.reshape(img.shape)
    if img.dtype == np.float32:
        np.clip(out, 0.0, 1.0, out=out)
    return out
