"""Noise kernels: deterministic functions of explicit inputs, no randomness inside.

Random draws happen in the transform's ``sample()``; these kernels turn the drawn
uniform integers into noise and add it to an image.

Gaussian noise comes from 16-bit uniform integers through a 65536-entry table of normal
quantiles (inverse-CDF sampling). ``Generator.standard_normal`` costs 6.2 ms for 512x512x3
values; random bits plus a table lookup cost 1.4 ms. The table is the normal distribution
discretized at 65536 equal-probability points (tails cut at +-4.3 sigma, rescaled to unit
variance), indistinguishable from continuous noise once added to 8- or 16-bit pixels.
"""

from __future__ import annotations

import functools

import cv2
import numpy as np

from augkit.errors import UnsupportedInputError
from augkit.functional.color import max_value


def _norm_ppf(p: np.ndarray) -> np.ndarray:
    """Inverse of the standard normal CDF (Acklam's rational approximation, |rel err| < 1.2e-9)."""
    a = (-3.969683028665376e01, 2.209460984245205e02, -2.759285104469687e02,
         1.383577518672690e02, -3.066479806614716e01, 2.506628277459239e00)
    b = (-5.447609879822406e01, 1.615858368580409e02, -1.556989798598866e02,
         6.680131188771972e01, -1.328068155288572e01)
    c = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e00,
         -2.549732539343734e00, 4.374664141464968e00, 2.938163982698783e00)
    d = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e00,
         3.754408661907416e00)
    p = np.asarray(p, dtype=np.float64)
    out = np.empty_like(p)
    low, high = p < 0.02425, p > 1 - 0.02425
    mid = ~(low | high)
    q = p[mid] - 0.5
    r = q * q
    out[mid] = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / \
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    for sel, sign, pp in ((low, 1.0, p[low]), (high, -1.0, 1 - p[high])):
        t = np.sqrt(-2 * np.log(pp))
        out[sel] = sign * (((((c[0] * t + c[1]) * t + c[2]) * t + c[3]) * t + c[4]) * t + c[5]) / \
            ((((d[0] * t + d[1]) * t + d[2]) * t + d[3]) * t + 1)
    return out


@functools.lru_cache(maxsize=1)
def normal_table() -> np.ndarray:
    """65536 standard-normal quantiles at ``(i + 0.5) / 65536``, exactly zero-mean, unit-variance."""
    z = _norm_ppf((np.arange(65536) + 0.5) / 65536.0)
    z = (z - z[::-1]) / 2  # exact symmetry
    z /= np.sqrt(np.mean(z * z))
    z.setflags(write=False)
    return z


def gaussian_noise(uniform16: np.ndarray, mean: float, std: float, dtype,
                   size: tuple[int, int] | None = None) -> np.ndarray:
    """Gaussian noise of ``mean`` and ``std`` (pixel units of ``dtype``) from uint16 uniforms.

    Args:
        uniform16: uint16 array of independent uniform integers, HxW or HxWxC.
        dtype: image dtype the noise is for. uint8 gets int16 noise truncated toward zero
            (as 2.0.8 adds it); uint16 gets int32, float32 gets float32.
        size: ``(height, width)`` to upscale to (bilinear) when the noise was drawn at a
            lower resolution (``noise_scale_factor < 1``).
    """
    dtype = np.dtype(dtype)
    name = "uint8" if dtype == np.uint8 else "float32" if dtype == np.float32 else dtype.name
    z = normal_table()
    grid = tuple(uniform16.shape[:2])
    if uniform16.size < z.size:
        # fewer values than table entries (images below ~150x150x3): scale the drawn
        # quantiles themselves, the same arithmetic per value as the table (64x64x3:
        # ~30 us instead of ~180 us for the 65536-entry table; np.take gathers faster
        # than fancy indexing)
        z = np.take(z, uniform16)
        uniform16 = None
    if size is not None and grid != tuple(size):
        small = (mean + std * z).astype(np.float32)
        if uniform16 is not None:
            small = small[uniform16]
        noise = cv2.resize(small, (size[1], size[0]), interpolation=cv2.INTER_LINEAR)
        if noise.ndim < small.ndim:
            noise = noise[..., None]
        if name == "float32":
            return noise
        return noise.astype(np.int16 if name == "uint8" else np.int32)
    if name == "uint8":
        table = np.multiply(z, std)  # mean + std * z, in place from here
        table += mean
        table = np.clip(table, -32768, 32767, out=table).astype(np.int16)
    elif name == "float32":
        table = (mean + std * z).astype(np.float32)
    else:
        table = (mean + std * z).astype(np.int32)
    if uniform16 is None:  # already the values (see above)
        return table
    return np.take(table, uniform16)  # 0.7 ms; table[idx] takes 1.4 ms


def add_noise(img: np.ndarray, noise: np.ndarray) -> np.ndarray:
    """``img + noise`` saturated (integers) or clipped to [0, 1] (float32).

    ``noise`` is HxW (shared by all channels) or matches the image; integer noise must be
    in pixel units of the image dtype.
    """
    if img.ndim == 3 and noise.ndim == 2:
        noise = noise[..., None]
    if img.ndim == 2 and noise.ndim == 3:
        noise = noise[..., 0]
    if noise.shape != img.shape:
        noise = np.broadcast_to(noise, img.shape)
    if img.dtype == np.float32:
        out = np.add(img, noise, dtype=np.float32)
        np.clip(out, 0.0, 1.0, out=out)
        return out
    depth = {(np.uint8, np.int16): cv2.CV_8U, (np.uint16, np.int32): cv2.CV_16U}
    key = (img.dtype.type, noise.dtype.type)
    if key in depth:  # one saturating pass: 0.23 ms against 0.69 ms for np.add + np.clip
        out = cv2.add(img, np.ascontiguousarray(noise), dtype=depth[key])
        return out if out.shape == img.shape else out.reshape(img.shape)
    out = np.add(img, noise, dtype=np.int64 if noise.dtype.kind == "f" else np.int32,
                 casting="unsafe")
    return np.clip(out, 0, max_value(img.dtype)).astype(img.dtype)


# -- distribution tables ------------------------------------------------------------------
# Every per-pixel draw below is a uint16 uniform index into a 65536-entry table of quantiles
# of the wanted distribution (inverse-CDF sampling, as for the Gaussian above). Drawing the
# bits costs 0.5 ms for 512x512x3 values and np.take 0.7 ms; Generator.laplace costs 11 ms,
# Generator.beta 32 ms and Generator.poisson 45 ms for the same count.
_GRID = (np.arange(65536) + 0.5) / 65536.0


@functools.lru_cache(maxsize=None)
def quantile_table(kind: str) -> np.ndarray:
    """65536 quantiles of a standard distribution: ``"uniform"`` on [0, 1), ``"gaussian"``
    (zero mean, unit variance) or ``"laplace"`` (location 0, scale 1)."""
    if kind == "uniform":
        t = _GRID.copy()
    elif kind == "gaussian":
        t = normal_table().copy()
    elif kind == "laplace":
        d = _GRID - 0.5
        t = -np.sign(d) * np.log1p(-2.0 * np.abs(d))
    else:  # pragma: no cover - programming error
        raise ValueError(kind)
    t.setflags(write=False)
    return t


def beta_table(rng: np.random.Generator, a: float, b: float, n: int = 4096) -> np.ndarray:
    """65536 approximate quantiles of Beta(a, b): ``n`` sorted draws, interpolated
    (sorting 4096 draws costs 0.1 ms; 65536 table entries then index them)."""
    draws = np.sort(rng.beta(a, b, size=n))
    return np.interp(_GRID * (n - 1), np.arange(n), draws)


def noise_field(uniform16: np.ndarray, table: np.ndarray, loc, scale, dtype,
                size: tuple[int, int] | None = None) -> np.ndarray:
    """``loc + scale * table[uniform16]`` in pixel units of ``dtype``.

    ``loc`` and ``scale`` are numbers or one value per channel (last axis of ``uniform16``
    when it is HxWxC, else a trailing channel axis is added). ``size`` upsamples a field
    drawn on a coarser grid (bilinear). uint8 gets int16 values truncated toward zero and
    uint16 int32 (added with one saturating pass by :func:`add_noise`), float32 float32.
    """
    loc = np.asarray(loc, dtype=np.float64)
    scale = np.asarray(scale, dtype=np.float64)
    name = np.dtype(dtype).name
    upsample = size is not None and tuple(uniform16.shape[:2]) != tuple(size)
    if loc.ndim == 0 and scale.ndim == 0:
        tab = (loc + scale * table)
        if name == "float32" or upsample:
            out = np.take(tab.astype(np.float32), uniform16)
        else:
            tab = np.clip(np.trunc(tab), -2**31, 2**31 - 1)
            return np.take(tab.astype(np.int16 if name == "uint8" else np.int32), uniform16)
    else:
        z = np.take(table.astype(np.float32), uniform16)
        if z.ndim == 2:
            z = z[..., None]
        out = z * scale.astype(np.float32) + loc.astype(np.float32)
    if upsample:
        squeeze = out.ndim == 3 and out.shape[2] == 1
        out = cv2.resize(out, (size[1], size[0]), interpolation=cv2.INTER_LINEAR)
        if out.ndim == 2 and not squeeze and uniform16.ndim == 3:
            out = out[..., None]
    if name == "float32":
        return out
    return np.trunc(out).astype(np.int16 if name == "uint8" else np.int32)


def add_constant_lut(values, num_channels: int) -> np.ndarray:
    """uint8 table of ``v + trunc(value_c)`` saturated, per channel (256, C) or shared (256,)."""
    values = np.trunc(np.atleast_1d(np.asarray(values, dtype=np.float64)))
    base = np.arange(256, dtype=np.float64)[:, None]
    lut = np.clip(base + values[None, :], 0, 255).astype(np.uint8)
    return lut[:, 0] if lut.shape[1] == 1 else lut


def add_constant(img: np.ndarray, values) -> np.ndarray:
    """Add one value per channel (or one for all), in pixel units; saturated / clipped."""
    values = np.atleast_1d(np.asarray(values, dtype=np.float64))
    c = 1 if img.ndim == 2 else img.shape[2]
    if img.dtype == np.uint8 and c in (3, 4) and values.size in (1, c):
        # one cv2.transform pass with an identity matrix and the offsets (exact: integer
        # offsets, saturating): 104 us on 512x512x3, against 207 us for per-channel tables
        offsets = np.broadcast_to(np.trunc(values), (c,))
        return cv2.transform(img, np.hstack([np.eye(c), offsets[:, None]]).astype(np.float32))
    if img.dtype == np.uint8:
        from augkit.functional.lut import apply_lut
        lut = add_constant_lut(values, c)
        return apply_lut(img, lut if lut.ndim == 1 or c > 1 else lut[:, 0])
    v = values.astype(np.float32) if img.dtype == np.float32 else np.trunc(values)
    if img.ndim == 2:
        v = v[0]
    out = img.astype(np.float32 if img.dtype == np.float32 else np.float64) + v
    np.clip(out, 0, max_value(img.dtype), out=out)
    return out.astype(img.dtype, copy=False)


# -- multiplicative noise -----------------------------------------------------------------
def multiply_lut(multipliers, num_channels: int) -> np.ndarray:
    """uint8 table of ``round(v * m_c)`` saturated: (256,) or (256, C)."""
    m = np.atleast_1d(np.asarray(multipliers, dtype=np.float64))
    lut = np.clip(np.rint(np.arange(256.0)[:, None] * m[None, :]), 0, 255).astype(np.uint8)
    return lut[:, 0] if lut.shape[1] == 1 else lut


def multiply(img: np.ndarray, multiplier: np.ndarray) -> np.ndarray:
    """``img * multiplier`` rounded and saturated (integers) or clipped to [0, 1] (float32).

    ``multiplier`` is a number, one value per channel, an HxW field (shared by the
    channels) or an HxWxC field.
    """
    m = np.asarray(multiplier, dtype=np.float32)
    c = 1 if img.ndim == 2 else img.shape[2]
    if m.ndim <= 1:
        if img.dtype == np.uint8:
            from augkit.functional.lut import apply_lut
            return apply_lut(img, multiply_lut(m, c))
        m = m.reshape(-1) if img.ndim == 3 else m.reshape(-1)[0]
    elif img.ndim == 3 and m.ndim == 2:
        m = m[..., None]
    elif img.ndim == 2 and m.ndim == 3:
        m = m[..., 0]
    if img.dtype == np.uint16 or img.dtype == np.uint8:
        if m.ndim >= 2 and c <= 4 and m.shape == img.shape:
            # one saturating, rounding OpenCV pass: 0.5 ms against 1.6 ms in numpy
            depth = cv2.CV_8U if img.dtype == np.uint8 else cv2.CV_16U
            return cv2.multiply(img, m, dtype=depth).reshape(img.shape)
        out = np.rint(np.multiply(img, m, dtype=np.float32))
        np.clip(out, 0, max_value(img.dtype), out=out)
        return out.astype(img.dtype)
    out = np.multiply(img, m, dtype=np.float32)
    np.clip(out, 0.0, 1.0, out=out)
    return out


# -- salt and pepper ----------------------------------------------------------------------
def salt_and_pepper(img: np.ndarray, salt: np.ndarray, pepper: np.ndarray) -> np.ndarray:
    """Set the flat pixel indices ``salt`` to the dtype maximum and ``pepper`` to 0 (all channels)."""
    out = img.copy()
    flat = out.reshape(img.shape[0] * img.shape[1], -1)
    flat[salt] = max_value(img.dtype)
    flat[pepper] = 0
    return out


# -- shot (Poisson) noise -----------------------------------------------------------------
_POISSON_EXACT_MAX = 2000.0  # above this mean, quantiles by the Cornish-Fisher expansion


def _cornish_fisher(lam, q: np.ndarray) -> np.ndarray:
    """Poisson quantiles at levels ``q`` by the Cornish-Fisher normal approximation (error
    well below one count for lam > 2000); float, rounded."""
    z = np.interp(q, _GRID, normal_table())
    return np.maximum(0, np.rint(lam + np.sqrt(lam) * z + (z * z - 1) / 6.0 - 0.5))


def _poisson_cdf(lam: np.ndarray) -> tuple[np.ndarray, int]:
    """The cumulative distributions of Poisson(lam_i), one row each, over the counts
    0..kmax (kmax covers the largest mean with 10 standard deviations to spare)."""
    kmax = int(np.ceil(lam.max() + 10 * np.sqrt(lam.max()) + 12))
    k = np.arange(kmax + 1, dtype=np.float64)
    log_fact = np.concatenate([[0.0], np.cumsum(np.log(np.arange(1, kmax + 1)))])
    with np.errstate(divide="ignore", invalid="ignore"):
        logp = k[None, :] * np.log(lam)[:, None] - lam[:, None] - log_fact[None, :]
    logp[lam == 0, :] = -np.inf
    logp[lam == 0, 0] = 0.0
    return np.cumsum(np.exp(logp), axis=1), kmax


def poisson_quantiles(lam: np.ndarray, levels: int) -> np.ndarray:
    """Poisson quantiles ``Q(lam_i, (j + 0.5) / levels)``: an int array (len(lam), levels).

    Exact (from the cumulative distribution) where lam <= 2000, otherwise the
    Cornish-Fisher normal approximation (error well below one count there).
    """
    lam = np.asarray(lam, dtype=np.float64)
    q = (np.arange(levels) + 0.5) / levels
    out = np.empty((lam.size, levels), dtype=np.int64)
    big = lam > _POISSON_EXACT_MAX
    if big.any():
        out[big] = _cornish_fisher(lam[big][:, None], q).astype(np.int64)
    small = ~big
    if small.any():
        ls = lam[small]
        cdf, kmax = _poisson_cdf(ls)
        # count of cdf entries below each quantile level, for every row at once:
        # bin each cdf entry by the first level it reaches, then a running sum per row
        n = ls.size
        idx = np.searchsorted(q, cdf, side="right") + (levels + 1) * np.arange(n)[:, None]
        counts = np.bincount(idx.ravel(), minlength=n * (levels + 1)).reshape(n, levels + 1)
        out[small] = np.minimum(np.cumsum(counts, axis=1)[:, :levels], kmax)
    return out


def shot_noise_lut(scale: float, levels: int = 1024, gamma: float = 2.2) -> np.ndarray:
    """A (256 * levels,) uint8 table: row v holds the noisy output of uint8 value v for
    ``levels`` equally likely outcomes (photon counts in linear light, gamma ``gamma``)."""
    lin = (np.arange(256) / 255.0) ** gamma
    counts = poisson_quantiles(lin / scale, levels)
    kmax = int(counts.max())
    values = np.rint(255.0 * np.minimum(1.0, np.arange(kmax + 1) * scale) ** (1.0 / gamma))
    return values.astype(np.uint8)[counts].reshape(-1)


def shot_noise_uint8(img: np.ndarray, uniform16: np.ndarray, scale: float, levels_bits: int = 10) -> np.ndarray:
    """Shot noise on uint8 through one 256 x 2**levels_bits table: 3.6 ms for 512x512x3
    against 50 ms for float conversion plus Generator.poisson."""
    table = shot_noise_lut(scale, 1 << levels_bits)
    idx = np.left_shift(img, levels_bits, dtype=np.uint32)
    idx |= np.right_shift(uniform16, 16 - levels_bits)
    return np.take(table, idx)


def shot_noise_float(img01: np.ndarray, rng: np.random.Generator, scale: float,
                     gamma: float = 2.2) -> np.ndarray:
    """Shot noise on a float image in [0, 1] (float64 work, float32 result)."""
    with np.errstate(invalid="ignore"):  # negative values: NaN, reported below
        lin = np.power(img01, gamma, dtype=np.float64) / scale
    try:
        counts = rng.poisson(lin)
    except ValueError as e:  # NaN (a negative value's power) or a huge mean
        lo, hi = float(np.min(img01)), float(np.max(img01))
        raise UnsupportedInputError(
            f"ShotNoise: float image values must lie in [0, 1] (intensities whose photons are "
            f"counted), got [{lo:.4g}, {hi:.4g}]; a Normalize before it would do this") from e
    return _shot_back(counts, scale, gamma)


def _shot_back(counts: np.ndarray, scale: float, gamma: float) -> np.ndarray:
    """Photon counts back to float32 intensities in [0, 1]."""
    return np.clip(np.power(counts * scale, 1.0 / gamma), 0.0, 1.0).astype(np.float32)


def shot_noise_uint8_exact(img: np.ndarray, rng: np.random.Generator, scale: float,
                           gamma: float = 2.2) -> np.ndarray:
    """:func:`shot_noise_float` on a uint8 image, rounded back to uint8, with both curves as
    tables: the image has 256 levels and the counts a few dozen, so the two float64 powers
    per pixel become two lookups (64x64x3: ~0.1 ms less); the same values per pixel."""
    lin = np.take(np.power(_LEVELS8, gamma, dtype=np.float64) / scale, img)
    counts = rng.poisson(lin)
    top = int(counts.max()) if counts.size else 0
    # a table over the counts 0..top, unless a tiny scale makes them outnumber the pixels
    table = top < counts.size
    back = _shot_back(np.arange(top + 1, dtype=np.int64) if table else counts, scale, gamma)
    levels = np.clip(np.rint(back.astype(np.float64) * 255.0), 0, 255).astype(np.uint8)
    return np.take(levels, counts) if table else levels


_LEVELS8 = np.arange(256, dtype=np.float64) / 255.0  # uint8 levels as img.astype(float64) / 255
_LEVELS8.setflags(write=False)


# -- ISO (sensor) noise -------------------------------------------------------------------
def poisson_table(lam: float) -> np.ndarray:
    """65536 Poisson(lam) quantiles as float32 (index with uint16 uniforms)."""
    return poisson_quantiles(np.array([lam]), 65536)[0].astype(np.float32)


def poisson_at(lam: float, uniform16: np.ndarray) -> np.ndarray:
    """``poisson_table(lam)[uniform16]`` without the table: the quantiles at the drawn
    levels only, for fewer values than the table has (a 64x64 image: ~60 us, the table
    ~400 us). The same rule: exact from the cumulative distribution where lam <= 2000,
    else the Cornish-Fisher approximation."""
    q = (uniform16.astype(np.float64) + 0.5) / 65536.0
    if lam > _POISSON_EXACT_MAX:
        return _cornish_fisher(lam, q).astype(np.float32)
    cdf, kmax = _poisson_cdf(np.array([float(lam)]))
    # the quantile is the number of cdf entries below the level (as poisson_quantiles counts)
    return np.minimum(np.searchsorted(cdf[0], q, side="left"), kmax).astype(np.float32)


def iso_noise(img: np.ndarray, hue_noise: np.ndarray, lum_uniform16: np.ndarray,
              intensity: float) -> np.ndarray:
    """Camera sensor noise on an RGB image.

    In HLS (float32: hue in degrees, lightness in [0, 1]): the hue moves by ``hue_noise``
    (degrees, HxW); the lightness gains ``n / 255 * (1 - L)`` where ``n`` is Poisson with
    mean ``std(L) * intensity * 255`` (``n`` drawn from ``lum_uniform16`` by inverse CDF).
    """
    x = img if img.dtype == np.float32 else np.multiply(img, np.float32(1.0 / max_value(img.dtype)), dtype=np.float32)
    hls = cv2.cvtColor(x, cv2.COLOR_RGB2HLS)
    l_ = hls[..., 1]
    lam = float(cv2.meanStdDev(l_)[1][0, 0]) * intensity * 255.0
    # hues above 360 need no wrap: OpenCV's float HLS -> RGB wraps them itself
    # (np.mod on the hue plane cost 3.5 ms, more than the rest of the kernel)
    hls[..., 0] += hue_noise
    if lam > 0:
        if lum_uniform16.size < 65536:  # fewer values than the table has entries
            n = poisson_at(lam, lum_uniform16) * np.float32(1 / 255.0)
        else:
            n = np.take(poisson_table(lam) * np.float32(1 / 255.0), lum_uniform16)
        n *= 1.0 - l_
        l_ += n
    out = cv2.cvtColor(hls, cv2.COLOR_HLS2RGB)
    if img.dtype == np.float32:
        np.clip(out, 0.0, 1.0, out=out)
        return out
    top = max_value(img.dtype)
    depth = cv2.CV_8U if img.dtype == np.uint8 else cv2.CV_16U
    return cv2.convertScaleAbs(out, alpha=top) if depth == cv2.CV_8U else \
        np.clip(np.rint(out * top), 0, top).astype(img.dtype)


# -- film grain -----------------------------------------------------------------------------
def film_grain(img: np.ndarray, grain: np.ndarray, intensity: float) -> np.ndarray:
    """Add a luminance grain field (HxW, unit std) weighted by ``1 - luminance``.

    ``out = img + intensity * max * grain * (1 - Y)``, with Y the image luminance in [0, 1]
    (RGB weights for 3 channels, the channel mean otherwise): shadows get the most grain,
    highlights none. One field for every channel, so the grain carries no colour.
    """
    top = max_value(img.dtype)
    c = 1 if img.ndim == 2 else img.shape[2]
    if c == 3:
        y = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    elif c == 1:
        y = img if img.ndim == 2 else img[..., 0]
    else:
        y = img.mean(axis=2, dtype=np.float32)
    # amplitude in pixel units: intensity * (top - Y)
    amp = np.subtract(np.float32(top), y, dtype=np.float32)
    amp *= grain
    amp *= np.float32(intensity)
    if img.ndim == 3:
        amp = np.repeat(amp[..., None], c, axis=2) if c <= 4 else np.broadcast_to(amp[..., None], img.shape)
    if img.dtype == np.float32:
        out = np.add(img, amp, dtype=np.float32)
        np.clip(out, 0.0, 1.0, out=out)
        return out
    if c <= 4:
        depth = cv2.CV_8U if img.dtype == np.uint8 else cv2.CV_16U
        return cv2.add(img, np.ascontiguousarray(amp), dtype=depth).reshape(img.shape)
    out = np.rint(np.add(img, amp, dtype=np.float32))
    np.clip(out, 0, top, out=out)
    return out.astype(img.dtype)
