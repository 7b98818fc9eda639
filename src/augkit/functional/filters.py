"""Filter kernels (sharpening, embossing, ringing, mode, superpixels): ``f(image, explicit
params) -> new image``, no randomness.

Dtype policy as :mod:`augkit.functional.blur`: uint8, uint16, float32 in [0, 1]; the
output keeps the input dtype and shape; any channel count. Timings in comments: one
512x512x3 uint8 image, ``cv2.setNumThreads(1)``.
"""

from __future__ import annotations

import functools
import math

import cv2
import numpy as np

from augkit.functional.blur import _chunks, _from_float, _to_float, convolve, gaussian_blur
from augkit.functional.scratch import work_arrays

_IDENTITY3 = np.zeros((3, 3), np.float32)
_IDENTITY3[1, 1] = 1.0
_LAPLACE_LIKE = np.array([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]], np.float32)


def _unit_scale(dtype) -> float:
    return {np.dtype(np.uint8): 255.0, np.dtype(np.uint16): 65535.0}.get(np.dtype(dtype), 1.0)


# -- 3x3 kernels ------------------------------------------------------------------------------
def sharpen_kernel(alpha: float, lightness: float) -> np.ndarray:
    """``(1 - alpha) * I + alpha * (L + lightness * I)`` with ``L`` the 8-neighbour Laplacian."""
    effect = _LAPLACE_LIKE.copy()
    effect[1, 1] += lightness
    return (1 - alpha) * _IDENTITY3 + alpha * effect


def sharpen(img: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Correlate with a 3x3 sharpening kernel (:func:`sharpen_kernel`), as :func:`convolve`.

    The kernel is ``c * delta + o * ones(3, 3)``, so ``out = (c - o) * img + o * S`` with
    ``S`` the 3x3 box sum. For uint8 that is cheaper than a 9-tap filter: S as an exact
    uint16 box sum, one same-depth weighted add (uint16 saturates negatives to 0) and a
    saturating cast to uint8. It equals cv2.filter2D except for +-1 where the exact value
    lies within float32 rounding of a half (filter2D sums nine float32 products one by
    one): ~0.001 % of the pixels for drawn parameters, more for decimal ones that make
    exact halves (0.2 / 0.5: 1.7 %, where filter2D itself is off the exact value).

    512x512x3 uint8, one thread (us): 502-512 against 565-577 for cv2.filter2D
    (Albumentations 2.0.8 calls filter2D: 585 per Sharpen call). Not faster: an int16 box
    sum (254 against 207 for uint16), a weighted add of a uint8 and a uint16 image (OpenCV
    has no fast mixed-depth path: 780-1000), int16 throughout with a threshold for the
    negatives 580, float32 with cv2.accumulate 615, fresh work arrays per call 1100.
    """
    kernel = np.asarray(kernel, np.float32)
    if img.dtype != np.uint8 or kernel.shape != (3, 3):
        return convolve(img, kernel)
    off = float(kernel[0, 0])
    if np.count_nonzero(kernel != kernel[0, 0]) > 1:  # not centre + constant ring
        return convolve(img, kernel)
    shape = img.shape if img.ndim == 3 else img.shape + (1,)
    wide, box = work_arrays(shape, np.uint16)  # fresh ones per call: 1100 against 510 us
    src = img.reshape(shape)
    box = cv2.boxFilter(src, cv2.CV_16U, (3, 3), dst=box, normalize=False,
                        borderType=cv2.BORDER_REFLECT_101)
    wide[...] = src
    box = cv2.addWeighted(wide, float(kernel[1, 1]) - off, box, off, 0.0, dst=box)
    return cv2.convertScaleAbs(box).reshape(img.shape)


def emboss_kernel(alpha: float, strength: float) -> np.ndarray:
    """``(1 - alpha) * I + alpha * E`` with the emboss kernel
    ``[[-1-s, -s, 0], [-s, 1, s], [0, s, 1+s]]`` (light from the top left)."""
    s = strength
    effect = np.array([[-1 - s, -s, 0], [-s, 1, s], [0, s, 1 + s]], np.float32)
    return (1 - alpha) * _IDENTITY3 + alpha * effect


def sharpen_gaussian(img: np.ndarray, alpha: float, ksize: int, sigma: float) -> np.ndarray:
    """``img + alpha * (img - G(img))``, G a Gaussian blur (ksize, sigma): one 2-D kernel
    ``(1 + alpha) * delta - alpha * g g^T`` applied with ``cv2.filter2D``."""
    g = cv2.getGaussianKernel(ksize, sigma, cv2.CV_32F)
    k = -alpha * (g @ g.T)
    k[ksize // 2, ksize // 2] += 1 + alpha
    return convolve(img, k)


# -- unsharp mask ------------------------------------------------------------------------------
def unsharp_mask(img: np.ndarray, ksize: int, sigma: float, alpha: float, threshold: int) -> np.ndarray:
    """Unsharp masking limited to detail above ``threshold`` (uint8 units, any dtype).

    ``residual = img - G(img)``; ``sharp = img + alpha * residual``; a mask marks pixels
    with ``|residual| > threshold``, is softened by the same Gaussian and blends ``sharp``
    over ``img``. Matches 2.0.8's output measured on float32 images.
    """
    scale = _unit_scale(img.dtype)
    x = _to_float(img)
    blur = gaussian_blur(x, ksize, sigma, image=False)  # x is in the dtype's units
    residual = x - blur
    mask = (np.abs(residual) > np.float32(threshold * scale / 255.0)).astype(np.float32)
    soft = gaussian_blur(mask, ksize, sigma, image=False)
    # out = img + soft * (sharp - img), sharp clipped to the dtype range
    sharp = x + np.float32(alpha) * residual
    np.clip(sharp, 0.0, scale, out=sharp)
    sharp -= x
    sharp *= soft
    sharp += x
    return _from_float(sharp, img.dtype)


# -- ringing ------------------------------------------------------------------------------------
_TAU = np.linspace(0.0, np.pi, 257)


# Power series of J1: sum_m (-1)^m (x/2)^(2m+1) / (m! (m+1)!). For |x| <= 20 the largest
# term is below 1e7, so 60 terms in float64 keep the absolute error under 1e-8 (a 15x15
# kernel has cutoff * radius <= pi * 10.7); beyond, Bessel's integral.
_J1_TERMS = 60
_J1_COEF = np.array([(-1.0) ** m / (math.factorial(m) * math.factorial(m + 1)) for m in range(_J1_TERMS)])


def bessel_j1(x: np.ndarray) -> np.ndarray:
    """Bessel function J1: its power series for |x| <= 20 (~20 us for a kernel's radii),
    else Bessel's integral ``(1/pi) int_0^pi cos(t - x sin t) dt`` by composite Simpson
    (256 panels: error < 1e-12 for |x| < 60)."""
    x = np.asarray(x, np.float64)
    if x.size and np.abs(x).max() <= 20.0:
        half = x[..., None] / 2.0
        powers = half * (half * half) ** np.arange(_J1_TERMS)
        return powers @ _J1_COEF
    f = np.cos(_TAU - x[..., None] * np.sin(_TAU))
    w = np.ones(_TAU.size)
    w[1:-1:2], w[2:-1:2] = 4.0, 2.0
    return (f @ w) * (_TAU[1] - _TAU[0]) / 3.0 / np.pi


def sinc_kernel(ksize: int, cutoff: float) -> np.ndarray:
    """2-D circular low-pass ``cutoff * J1(cutoff * r) / (2 pi r)`` (centre
    ``cutoff^2 / (4 pi)``), normalized to sum 1."""
    c = max(float(cutoff), 1e-6)
    half = ksize // 2
    r, where = _kernel_radii(ksize)
    with np.errstate(invalid="ignore", divide="ignore"):
        k = (c * bessel_j1(c * r) / (2 * np.pi * r))[where]
    k[half, half] = c * c / (4 * np.pi)
    return (k / k.sum()).astype(np.float32)


@functools.lru_cache(maxsize=64)
def _kernel_radii(ksize: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct distances from the centre of a ``ksize`` x ``ksize`` grid and, per cell,
    the index of its distance: J1 is evaluated once per distinct radius (a 15x15 grid has
    36), and the grid's layout is built once per size (RingingOvershoot's sampling 91 ->
    ~40 us; 2.0.8 takes ~32 us)."""
    half = ksize // 2
    y, x = np.mgrid[-half:half + 1, -half:half + 1]
    r2, where = np.unique(x * x + y * y, return_inverse=True)
    r = np.sqrt(r2.astype(np.float64))
    where = where.reshape(x.shape)
    r.setflags(write=False)
    where.setflags(write=False)
    return r, where


# -- mode ----------------------------------------------------------------------------------------
def mode_filter(img: np.ndarray, ksize: int) -> np.ndarray:
    """Per channel, the most frequent value in the ``ksize`` x ``ksize`` window (replicated
    borders). Ties keep the centre value when it is among the most frequent, else the
    first in row-major window order.

    Pairwise equality counts over the window's shifted views (k^2 (k^2 - 1) / 2
    comparisons, uint8 counters): 4 ms for k=3 on 512x512x3 uint8.
    """
    if ksize <= 1:
        return img.copy()
    r = ksize // 2
    x = img if img.ndim == 3 else img[..., None]
    h, w = x.shape[:2]
    pad = cv2.copyMakeBorder(x, r, r, r, r, cv2.BORDER_REPLICATE) if x.shape[2] <= 4 else \
        np.pad(x, ((r, r), (r, r), (0, 0)), mode="edge")
    pad = pad.reshape(h + 2 * r, w + 2 * r, -1)
    offsets = [(0, 0)] + [(dy, dx) for dy in range(-r, r + 1) for dx in range(-r, r + 1) if dy or dx]
    views = [pad[r + dy:r + dy + h, r + dx:r + dx + w] for dy, dx in offsets]
    n = len(views)
    views = [np.ascontiguousarray(v) for v in views]
    counts = [np.zeros(x.shape, np.uint8) for _ in range(n)]
    eq = np.empty(x.shape, np.uint8)
    eqb = eq.view(bool)
    for i in range(n):
        for j in range(i + 1, n):
            np.equal(views[i], views[j], out=eqb)
            np.add(counts[i], eq, out=counts[i])
            np.add(counts[j], eq, out=counts[j])
    best = views[0].copy()
    best_count = counts[0]
    for i in range(1, n):
        np.greater(counts[i], best_count, out=eqb)
        np.copyto(best, views[i], where=eqb)
        np.maximum(best_count, counts[i], out=best_count)
    return best.reshape(img.shape)


# -- superpixels ------------------------------------------------------------------------------------
def superpixel_grid(shape: tuple[int, int], n_segments: int) -> tuple[int, int]:
    """Rows and columns of the seed grid for about ``n_segments`` square cells."""
    h, w = shape
    n = max(1, int(n_segments))
    step = np.sqrt(h * w / n)
    return max(1, min(h, int(round(h / step)))), max(1, min(w, int(round(w / step))))


def slic_labels(img: np.ndarray, grid: tuple[int, int], iterations: int = 3,
                compactness: float = 10.0) -> np.ndarray:
    """SLIC-like segmentation: k-means in (colour, position) started on a regular grid,
    each pixel compared with the 3x3 seeds around its grid cell. Returns int32 labels
    ``0 .. gy * gx - 1`` (empty segments simply stay unused).

    ``compactness`` weighs distance in pixels (per grid step) against colour in uint8
    units, as in SLIC. Runs on the reduced image.
    """
    h, w = img.shape[:2]
    gy, gx = grid
    feat = _to_float(img).reshape(h * w, -1) * np.float32(255.0 / _unit_scale(img.dtype))
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    sy, sx = h / gy, w / gx
    # each pixel's own grid cell and its 3x3 neighbourhood of candidate seeds
    cy = np.minimum((yy / sy).astype(np.int32), gy - 1).ravel()
    cx = np.minimum((xx / sx).astype(np.int32), gx - 1).ravel()
    cand = []
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            ny, nx = cy + dy, cx + dx
            ok = (ny >= 0) & (ny < gy) & (nx >= 0) & (nx < gx)
            cand.append(np.where(ok, ny * gx + nx, -1))
    cand = np.stack(cand, 1)  # (N, 9), -1 = none
    valid = cand >= 0
    cand_safe = np.where(valid, cand, 0)
    # features: colour and position scaled by the compactness weight, one row per pixel
    wpos = np.float32(compactness / max(sy, sx))
    feat = np.concatenate([feat, (yy.reshape(-1, 1) * wpos), (xx.reshape(-1, 1) * wpos)], 1)
    k = gy * gx
    seed_y = ((np.arange(gy) + 0.5) * sy)[:, None].repeat(gx, 1).ravel()
    seed_x = ((np.arange(gx) + 0.5) * sx)[None, :].repeat(gy, 0).ravel()
    iy = np.clip(seed_y.astype(np.int32), 0, h - 1)
    ix = np.clip(seed_x.astype(np.int32), 0, w - 1)
    seeds = feat[iy * w + ix].copy()
    rows = np.arange(h * w)
    labels = cand[:, 4]
    for _ in range(iterations):
        diff = seeds[cand_safe] - feat[:, None, :]
        d = np.einsum("ijk,ijk->ij", diff, diff)
        d[~valid] = np.inf
        labels = cand_safe[rows, d.argmin(1)]
        cnt = np.bincount(labels, minlength=k)
        has = cnt > 0
        c = np.maximum(cnt, 1).astype(np.float32)
        for ch in range(feat.shape[1]):
            seeds[has, ch] = (np.bincount(labels, feat[:, ch], k) / c)[has]
    return labels.reshape(h, w).astype(np.int32)


def superpixels(img: np.ndarray, n_segments: int, replace: np.ndarray, max_size: int | None,
                interpolation: int) -> np.ndarray:
    """Replace the segments flagged in ``replace`` (bool per seed-grid cell, length
    ``gy * gx`` from :func:`superpixel_grid`) by their mean colour.

    Segments are computed on the image reduced so its longest side is ``max_size``
    (resized with ``interpolation``) and the labels are scaled back with nearest
    neighbour; means are taken at full resolution and pixels of kept segments are left
    exactly as they were (2.0.8 resamples the whole image down and up).
    """
    h, w = img.shape[:2]
    small = img
    if max_size is not None and max(h, w) > max_size:
        s = max_size / max(h, w)
        size = (max(1, int(round(w * s))), max(1, int(round(h * s))))
        small = _chunks(img, lambda a: cv2.resize(a, size, interpolation=interpolation))
    grid = superpixel_grid(small.shape[:2], n_segments)
    labels = slic_labels(small, grid)
    if labels.shape != (h, w):
        labels = cv2.resize(labels, (w, h), interpolation=cv2.INTER_NEAREST)
    k = grid[0] * grid[1]
    rep = np.zeros(k, bool)
    rep[:min(k, replace.size)] = replace[:k]
    if not rep.any():
        return img.copy()
    x = img if img.ndim == 3 else img[..., None]
    sel = rep[labels]
    lab = labels[sel]
    vals = x[sel].astype(np.float64)
    cnt = np.maximum(np.bincount(lab, minlength=k), 1)
    means = np.stack([np.bincount(lab, vals[:, c], k) / cnt for c in range(x.shape[2])], 1)
    out = x.copy()
    if img.dtype == np.float32:
        out[sel] = means[lab].astype(np.float32)
    else:
        out[sel] = np.rint(means[lab]).astype(img.dtype)
    return out.reshape(img.shape)
