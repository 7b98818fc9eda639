"""Stylization kernels (dithering, halftone): pure functions of arrays and explicit params."""

from __future__ import annotations

import functools

import cv2
import numpy as np

from augkit.functional.color import max_value

#: error-diffusion kernels: (dy, dx, weight) entries, weights summing to 1 (Atkinson 6/8).
DIFFUSION_KERNELS: dict[str, tuple[tuple[int, int, float], ...]] = {
    "floyd_steinberg": ((0, 1, 7 / 16), (1, -1, 3 / 16), (1, 0, 5 / 16), (1, 1, 1 / 16)),
    "atkinson": ((0, 1, 1 / 8), (0, 2, 1 / 8), (1, -1, 1 / 8), (1, 0, 1 / 8), (1, 1, 1 / 8),
                 (2, 0, 1 / 8)),
    "jarvis": tuple((dy, dx, w / 48) for dy, dx, w in (
        (0, 1, 7), (0, 2, 5), (1, -2, 3), (1, -1, 5), (1, 0, 7), (1, 1, 5), (1, 2, 3),
        (2, -2, 1), (2, -1, 3), (2, 0, 5), (2, 1, 3), (2, 2, 1))),
    "stucki": tuple((dy, dx, w / 42) for dy, dx, w in (
        (0, 1, 8), (0, 2, 4), (1, -2, 2), (1, -1, 4), (1, 0, 8), (1, 1, 4), (1, 2, 2),
        (2, -2, 1), (2, -1, 2), (2, 0, 4), (2, 1, 2), (2, 2, 1))),
    "burkes": tuple((dy, dx, w / 32) for dy, dx, w in (
        (0, 1, 8), (0, 2, 4), (1, -2, 2), (1, -1, 4), (1, 0, 8), (1, 1, 4), (1, 2, 2))),
    "sierra_lite": ((0, 1, 2 / 4), (1, -1, 1 / 4), (1, 0, 1 / 4)),
}


@functools.lru_cache(maxsize=None)
def bayer_matrix(size: int) -> np.ndarray:
    """The ``size`` x ``size`` Bayer index matrix (size a power of two) as thresholds
    ``(index + 0.5) / size**2 - 0.5`` in (-0.5, 0.5)."""
    m = np.zeros((1, 1), dtype=np.int64)
    while m.shape[0] < size:
        m = np.block([[4 * m, 4 * m + 2], [4 * m + 3, 4 * m + 1]])
    out = ((m + 0.5) / (size * size) - 0.5).astype(np.float32)
    out.setflags(write=False)
    return out


def to_unit(img: np.ndarray) -> np.ndarray:
    return img.astype(np.float32) if img.dtype == np.float32 else \
        np.multiply(img, np.float32(1.0 / max_value(img.dtype)), dtype=np.float32)


def from_unit(x: np.ndarray, dtype) -> np.ndarray:
    top = max_value(dtype)
    if np.dtype(dtype) == np.float32:
        return np.clip(x, 0.0, 1.0, out=x)
    return np.clip(np.rint(x * np.float32(top)), 0, top).astype(dtype)


def quantize(x: np.ndarray, n_colors: int, offset: np.ndarray | float = 0.0) -> np.ndarray:
    """``round(x * (n - 1) + offset) / (n - 1)`` clipped to [0, 1] (float32)."""
    k = np.float32(n_colors - 1)
    y = x * k
    if not np.isscalar(offset) or offset != 0.0:
        y += offset
    np.rint(y, out=y)
    np.clip(y, 0, k, out=y)
    y *= np.float32(1.0 / k)
    return y


def ordered_offsets(shape: tuple[int, int], size: int) -> np.ndarray:
    """The Bayer thresholds tiled over an HxW image."""
    h, w = shape
    m = bayer_matrix(size)
    return np.tile(m, (-(-h // size), -(-w // size)))[:h, :w]


def error_diffusion(x: np.ndarray, n_colors: int, kernel: str = "floyd_steinberg") -> np.ndarray:
    """Error-diffusion dithering of a float32 HxW or HxWxC image in [0, 1].

    Pixels are processed along skewed wavefronts ``t = a * y + x`` (``a`` large enough that
    every pixel a kernel feeds comes on a later front), so each step is one vectorized
    operation over a column of the sheared image: H + W * ... steps instead of H * W.
    """
    entries = DIFFUSION_KERNELS[kernel]
    a = max(1, *(int(np.ceil((1 - dx) / dy)) for dy, dx, _ in entries if dy > 0))
    squeeze = x.ndim == 2
    img = x[..., None] if squeeze else x
    h, w, c = img.shape
    steps = a * (h - 1) + w
    pad = max(dx for _, dx, _ in entries) + 2 * a + 2
    # sheared buffer: front t holds pixel (y, t - a * y) of every row y at [t, y]
    buf = np.zeros((steps + pad, h + 2, c), dtype=np.float32)
    valid = np.zeros((steps + pad, h + 2), dtype=bool)
    ys = np.arange(h)
    t_idx = a * ys[:, None] + np.arange(w)[None, :]
    buf[t_idx, ys[:, None]] = img
    valid[t_idx, ys[:, None]] = True
    k = np.float32(n_colors - 1)
    shifts = [(dy, a * dy + dx, np.float32(wt)) for dy, dx, wt in entries]
    out = np.zeros_like(buf)
    for t in range(steps):
        col = buf[t]
        q = np.rint(col * k)
        np.clip(q, 0, k, out=q)
        q *= np.float32(1.0 / k)
        err = col - q
        err *= valid[t][:, None]
        out[t] = q
        for dy, dt, wt in shifts:
            if dy == 0:
                buf[t + dt] += wt * err
            else:
                buf[t + dt, dy:] += wt * err[:-dy]
    res = out[t_idx, ys[:, None]]
    return res[..., 0] if squeeze else res


def luminance(x: np.ndarray) -> np.ndarray:
    """Grey level of a float32 image: RGB weights for 3 channels, the mean otherwise."""
    if x.ndim == 2:
        return x
    if x.shape[2] == 3:
        return cv2.cvtColor(x, cv2.COLOR_RGB2GRAY)
    return x.mean(axis=2, dtype=np.float32)


def dither(img: np.ndarray, method: str, n_colors: int, color_mode: str = "per_channel",
           kernel: str = "floyd_steinberg", bayer_size: int = 4,
           noise: np.ndarray | None = None) -> np.ndarray:
    """Reduce each channel (or the grey level) to ``n_colors`` levels with dithering.

    ``method``: ``"random"`` adds ``noise`` (in units of one level, HxW or like the image)
    before rounding, ``"ordered"`` adds tiled Bayer thresholds, ``"error_diffusion"``
    spreads each pixel's rounding error to its unprocessed neighbours with ``kernel``.
    ``color_mode="grayscale"`` dithers the grey level and copies it to every channel.
    """
    x = to_unit(img)
    if color_mode == "grayscale" and x.ndim == 3:
        x = luminance(x)
    if method == "random":
        if noise is not None and x.ndim == 3 and noise.ndim == 2:
            noise = noise[..., None]
        if noise is not None and x.ndim == 2 and noise.ndim == 3:
            noise = noise[..., 0]
        y = quantize(x, n_colors, noise)
    elif method == "ordered":
        off = ordered_offsets(x.shape[:2], bayer_size)
        y = quantize(x, n_colors, off[..., None] if x.ndim == 3 else off)
    else:
        y = error_diffusion(x, n_colors, kernel)
    if y.ndim == 2 and img.ndim == 3:
        y = np.repeat(y[..., None], img.shape[2], axis=2)
    return from_unit(y, img.dtype)


def halftone(img: np.ndarray, cell: int, blend: float) -> np.ndarray:
    """Halftone print look: a grid of ``cell``-pixel cells, each a disc of the cell's mean
    colour on black, the disc area proportional to the cell's mean grey level; then
    ``blend * img + (1 - blend) * halftone``. Disc edges are antialiased (one pixel).
    """
    h, w = img.shape[:2]
    gh, gw = -(-h // cell), -(-w // cell)
    x = to_unit(img)
    padded = x
    if gh * cell != h or gw * cell != w:
        padded = cv2.copyMakeBorder(x, 0, gh * cell - h, 0, gw * cell - w, cv2.BORDER_REFLECT_101)
        if x.ndim == 3 and padded.ndim == 2:
            padded = padded[..., None]
    means = cv2.resize(padded, (gw, gh), interpolation=cv2.INTER_AREA)  # exact cell means
    if x.ndim == 3 and means.ndim == 2:
        means = means[..., None]
    lum = luminance(means) if means.ndim == 3 else means
    # disc area = lum * cell**2; a negative level (values normalized away from [0, 1]) is no disc
    radius = cell * np.sqrt(np.maximum(lum, 0.0) / np.pi, dtype=np.float32)
    centre = (cell - 1) / 2.0
    yy, xx = np.mgrid[0:cell, 0:cell]
    dist = np.sqrt((yy - centre) ** 2 + (xx - centre) ** 2).astype(np.float32)
    # coverage of each pixel: 1 inside the disc, 0 outside, linear over one pixel at the edge
    cover = np.clip(radius[:, None, :, None] - dist[None, :, None, :] + 0.5, 0.0, 1.0)
    cover = cover.reshape(gh * cell, gw * cell)[:h, :w]
    colour = np.repeat(np.repeat(means, cell, axis=0), cell, axis=1)[:h, :w]
    out = colour * (cover[..., None] if x.ndim == 3 else cover)
    if blend > 0:
        out = cv2.addWeighted(out, 1.0 - blend, x, blend, 0.0)
        if x.ndim == 3 and out.ndim == 2:
            out = out[..., None]
    return from_unit(out.astype(np.float32, copy=False), img.dtype)
