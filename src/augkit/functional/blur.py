"""Blur kernels: ``f(image, explicit params) -> new image``, no randomness.

Same dtype policy as :mod:`augkit.functional.color`: uint8, uint16, float32; the output
keeps the input dtype and shape; any channel count.
"""

from __future__ import annotations

import cv2
import numpy as np

from augkit.functional.scratch import work_arrays
from augkit.geometry.warp import OPENCV_VERSION


def gaussian_ksize(sigma: float) -> int:
    """Kernel size for a sigma when none is given: ``int(3.5 * sigma) * 2 + 1`` (PIL's rule,
    which Albumentations 2.0.8 uses for ``blur_limit=0``)."""
    return int(sigma * 3.5) * 2 + 1


def gaussian_kernel(ksize: int, sigma: float) -> np.ndarray:
    """Normalized 1-D Gaussian of odd length ``ksize``; ``sigma <= 0`` derives sigma from
    the size (OpenCV's rule ``0.3 * ((ksize - 1) * 0.5 - 1) + 0.8``)."""
    return cv2.getGaussianKernel(int(ksize), float(sigma), cv2.CV_64F)


def gaussian_blur(img: np.ndarray, ksize: int, sigma: float, *, image: bool = True) -> np.ndarray:
    """Separable Gaussian blur, reflect-101 borders.

    Integer results are rounded and saturated; a float32 ``image`` (values in [0, 1]) is
    capped at 1 (see :func:`_cap_at_one`); ``image=False`` for float arrays in other units.
    Matches 2.0.8 (same kernel, same border).
    cv2.sepFilter2D: 1.25 ms for ksize 21 on uint8 against 1.97 ms for cv2.GaussianBlur's
    fixed-point path.
    """
    if ksize <= 1:
        return img.copy()
    k = gaussian_kernel(ksize, sigma)
    if img.dtype == np.uint16:
        # OpenCV has no vector path for 16-bit: through float32 is 4x faster (1.3 against
        # 5.1 ms for 512x512x3) and gives the same rounded result.
        x = cv2.addWeighted(img, 1.0, img, 0.0, 0.0, dtype=cv2.CV_32F)
        cv2.sepFilter2D(x, -1, k, k, dst=x, borderType=cv2.BORDER_REFLECT_101)
        out = cv2.addWeighted(x, 1.0, x, 0.0, 0.0, dtype=cv2.CV_16U)
    else:
        out = cv2.sepFilter2D(img, -1, k, k, borderType=cv2.BORDER_REFLECT_101)
        if image and out.dtype == np.float32:
            _cap_at_one(out)
    return out if out.shape == img.shape else out.reshape(img.shape)


def _cap_at_one(x: np.ndarray) -> np.ndarray:
    """Cap a float32 result of non-negative weights at 1, in place: weights that sum to 1
    in float64 sum to one float32 ulp more after rounding, so a white area came out at
    1.0000001 (GaussianBlur, Defocus), which the next call's [0, 1] input check rejects."""
    return np.minimum(x, np.float32(1.0), out=x)


# -- shared helpers -----------------------------------------------------------------------
_MAX = {np.dtype(np.uint8): 255.0, np.dtype(np.uint16): 65535.0}


def _like(out: np.ndarray, img: np.ndarray) -> np.ndarray:
    """OpenCV drops a trailing channel axis of 1: put it back."""
    return out if out.shape == img.shape else out.reshape(img.shape)


def _to_float(img: np.ndarray) -> np.ndarray:
    """Any supported image -> float32 in the same units (no rescaling)."""
    return img.astype(np.float32) if img.dtype != np.float32 else img


def _from_float(x: np.ndarray, dtype) -> np.ndarray:
    """float32 in the units of ``dtype`` -> ``dtype``: rounded and saturated for integers,
    clipped to [0, 1] for float32."""
    dtype = np.dtype(dtype)
    if dtype == np.uint8:
        return _sat(x, cv2.CV_8U)
    if dtype == np.uint16:
        return _sat(x, cv2.CV_16U)
    return np.clip(x, 0.0, 1.0, out=x if x.flags.writeable else None)


def _sat(x: np.ndarray, depth: int) -> np.ndarray:
    return _like(cv2.addWeighted(x, 1.0, x, 0.0, 0.0, dtype=depth), x)


def _chunks(img: np.ndarray, fn, max_channels: int = 4) -> np.ndarray:
    """Run ``fn`` on groups of at most ``max_channels`` channels (OpenCV kernels that stop
    at 4) and stack the results."""
    if img.ndim == 2 or img.shape[2] <= max_channels:
        out = fn(img)
        return out[..., None] if out.ndim == 2 and img.ndim == 3 else out
    parts = [fn(np.ascontiguousarray(img[..., i:i + max_channels]))
             for i in range(0, img.shape[2], max_channels)]
    parts = [p[..., None] if p.ndim == 2 else p for p in parts]
    return np.concatenate(parts, axis=2)


def convolve(img: np.ndarray, kernel: np.ndarray, *, clip: bool = True) -> np.ndarray:
    """Correlate with a 2-D kernel (``cv2.filter2D``), reflect-101 borders, any dtype.

    uint8 goes through OpenCV's 8-bit filter, or a float32 round trip for kernels with 16
    or more nonzero weights (faster there; +-1 at float32 half-ties); uint16 goes through float32
    (OpenCV's 16-bit filter has no vector path); float32 is clipped to [0, 1] when ``clip``
    is set (kernels without negative weights only need the cap at 1: rounding).
    """
    kernel = np.asarray(kernel, np.float32)
    if img.dtype == np.uint8:
        if not _uint8_filter_via_float(kernel):
            return _like(cv2.filter2D(img, -1, kernel, borderType=cv2.BORDER_REFLECT_101), img)
        return _uint8_via_float(img, kernel)
    x = cv2.filter2D(_to_float(img), -1, kernel, borderType=cv2.BORDER_REFLECT_101)
    x = _like(x, img)
    if img.dtype == np.float32:
        if not clip:
            return x
        return np.clip(x, 0.0, 1.0, out=x) if kernel.min() < 0 else _cap_at_one(x)
    return _from_float(x, img.dtype)


# OpenCV switches filter2D to a DFT from this kernel area on (8-bit and float32 alike; 50
# where the CPU lacks SSE3); there the 8-bit path is the faster of the two.
_SSE3 = next((i for i in range(1, 32) if cv2.getHardwareFeatureName(i) == "SSE3"), None)
_DFT_FILTER_AREA = 130 if _SSE3 is not None and cv2.checkHardwareSupport(_SSE3) else 50
# From this many nonzero weights on, a uint8 convolution goes through float32 (below).
_VIA_FLOAT_MIN_WEIGHTS = 16


def _uint8_via_float(img: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """uint8 ``cv2.filter2D`` through float32 work arrays (reused per thread: fresh ones
    made the round trip 3x slower through page faults) and one saturating cast."""
    shape = img.shape if img.ndim == 3 else img.shape + (1,)
    wide, out = work_arrays(shape, np.float32)
    src = img.reshape(shape)
    wide[...] = src  # exact: uint8 -> float32
    out = cv2.filter2D(wide, -1, kernel, dst=out, borderType=cv2.BORDER_REFLECT_101)
    return _sat(out, cv2.CV_8U).reshape(img.shape)


def _uint8_filter_via_float(kernel: np.ndarray) -> bool:
    """Whether a uint8 convolution with ``kernel`` goes through a float32 round trip rather
    than OpenCV's 8-bit filter: from 16 nonzero weights on, below the DFT size.

    A fixed rule, not a timing, so that a seed gives the same pixels on every run: the two
    paths agree except for +-1 where the exact sum lies within float32 rounding of a half
    (their vector loops end rows differently), tests/test_kernels_ties.py. OpenCV's filter
    skips zero weights; the 8-bit filter costs ~45 us per weight on 512x512x3 here (AVX-512
    EPYC, OpenCV 5.1), the round trip ~330 us + ~26 us per weight: full 3x3 0.47 vs 0.68
    ms, a 7-weight motion line 0.38 vs 0.53, 14 weights 0.69 vs 0.69, 18 weights 0.86 vs
    0.80, full 5x5 1.14 vs 0.96, 7x7 2.18 vs 1.57, 11x11 5.1 vs 3.4. On a Xeon with OpenCV
    5.0 the round trip won by more (7x7 1.6 vs 2.7 ms). An earlier comparison that found
    it 2.6x slower gave it fresh float32 arrays per call, which fault ~1500 pages each
    here (see ``functional/scratch.py``). ``benchmarks/kernels.py`` re-times both.
    """
    if kernel.ndim != 2 or kernel.shape[0] * kernel.shape[1] >= _DFT_FILTER_AREA:
        return False  # other shapes: OpenCV's own reading; DFT sizes: the 8-bit path
    return int(np.count_nonzero(kernel)) >= _VIA_FLOAT_MIN_WEIGHTS


def odd_sizes(low: int, high: int) -> list[int]:
    """The odd kernel sizes in ``[low, high]`` (at least ``low`` itself made odd)."""
    sizes = [k for k in range(low, high + 1) if k % 2 == 1]
    return sizes or [low | 1]


# -- box, median ----------------------------------------------------------------------------
def box_blur(img: np.ndarray, ksize: int) -> np.ndarray:
    """Mean over a ``ksize`` x ``ksize`` square (``cv2.blur``, reflect-101 borders)."""
    # 512x512x3 uint8, one thread (us): cv2.blur 120 / 143 / 317 for ksize 3 / 5 / 7 (OpenCV's
    # row sum is slow for widths above 5: (w, h) = (5, 7) takes 147, (7, 5) 316). Same output but
    # slower: boxFilter(normalize=False) to 16U + convertScaleAbs 312 / 365 / 510,
    # sepFilter2D with 1/k taps 218 / 317 / 430; stackBlur is another filter. cv2.blur
    # stays; Albumentations 2.0.8 calls it too.
    if ksize <= 1:
        return img.copy()
    if img.dtype == np.uint16:
        x = cv2.blur(_to_float(img), (ksize, ksize), borderType=cv2.BORDER_REFLECT_101)
        return _from_float(_like(x, img), img.dtype)
    out = _like(cv2.blur(img, (ksize, ksize), borderType=cv2.BORDER_REFLECT_101), img)
    if out.dtype == np.float32:
        # OpenCV's float box filter keeps running sums (add the entering value, subtract
        # the leaving one): where values fall to 0 the sum ends a few ulps off, e.g.
        # -7e-34, outside the [0, 1] that the next call's input check asks for
        np.clip(out, 0.0, 1.0, out=out)
    return out


def median_blur(img: np.ndarray, ksize: int) -> np.ndarray:
    """Per-channel median over a ``ksize`` x ``ksize`` square, replicated borders.

    ``cv2.medianBlur`` handles uint8 at any size and uint16 / float32 up to 5; larger
    16-bit and float sizes use an exact numpy median (slower, but no loss of precision;
    2.0.8 rounds float32 to uint8 there).
    """
    if ksize <= 1:
        return img.copy()
    # uint8 (us, 512x512x3): 141 / 1070 / 21400 for ksize 3 / 5 / 7; one channel at a time
    # 643 / 1418 / 20200. A min/max selection network over shifted views costs ~47 us per
    # full-image cv2.min / cv2.max and a 7x7 median needs several hundred: no faster.
    if img.dtype == np.uint8 or ksize <= 5:
        return _chunks(img, lambda a: cv2.medianBlur(a, ksize))
    r = ksize // 2
    x = img if img.ndim == 3 else img[..., None]
    pad = np.pad(x, ((r, r), (r, r), (0, 0)), mode="edge")
    out = np.empty_like(x)
    h = x.shape[0]
    step = max(1, 200_000 // (x.shape[1] * x.shape[2] * ksize))
    for y0 in range(0, h, step):
        y1 = min(h, y0 + step)
        win = np.lib.stride_tricks.sliding_window_view(pad[y0:y1 + 2 * r], (ksize, ksize), axis=(0, 1))
        win = win.reshape(*win.shape[:3], ksize * ksize)
        out[y0:y1] = np.partition(win, ksize * ksize // 2, axis=-1)[..., ksize * ksize // 2]
    return out.reshape(img.shape)


# -- motion -----------------------------------------------------------------------------------
def motion_kernel(ksize: int, angle: float, direction: float, shift: tuple[int, int] = (0, 0)) -> np.ndarray:
    """A normalized line kernel of odd size ``ksize``.

    The line runs through the kernel centre (moved by ``shift`` = (dx, dy) pixels) along
    ``angle`` degrees (0 = +x, 90 = +y, image axes); ``direction`` in [-1, 1] biases it:
    it reaches ``half * min(1, 1 + direction)`` forward and ``half * min(1, 1 - direction)``
    backward, ``half = ksize // 2`` (0: symmetric, 1: forward only), as measured on 2.0.8.
    """
    half = ksize // 2
    a = np.deg2rad(angle)
    ux, uy = np.cos(a), np.sin(a)
    fwd = half * min(1.0, 1.0 + direction)
    bwd = half * min(1.0, 1.0 - direction)
    cx, cy = half + shift[0], half + shift[1]
    p0 = (int(round(cx - bwd * ux)), int(round(cy - bwd * uy)))
    p1 = (int(round(cx + fwd * ux)), int(round(cy + fwd * uy)))
    k = np.zeros((ksize, ksize), np.uint8)
    cv2.line(k, p0, p1, 1, thickness=1)
    if not k.any():
        k[min(max(cy, 0), ksize - 1), min(max(cx, 0), ksize - 1)] = 1
    k = k.astype(np.float32)
    return k / k.sum()


# -- defocus --------------------------------------------------------------------------------
def disc_kernel(radius: int) -> np.ndarray:
    """Normalized disc ``x^2 + y^2 <= radius^2`` of size ``2 * radius + 1``."""
    y, x = np.mgrid[-radius:radius + 1, -radius:radius + 1]
    k = (x * x + y * y <= radius * radius).astype(np.float32)
    return k / k.sum()


def defocus(img: np.ndarray, radius: int, alias_blur: float) -> np.ndarray:
    """Disc blur of ``radius`` followed by a Gaussian of sigma ``alias_blur``.

    uint8 images and discs under 11 x 11 are filtered directly, then blurred (see
    :func:`convolve` for the 8-bit filter's choice); larger discs on other dtypes run
    through float32 with the Gaussian folded into the disc.
    """
    disc = disc_kernel(radius)
    gk = gaussian_kernel(gaussian_ksize(alias_blur), alias_blur) if alias_blur > 0 else None
    if disc.shape[0] < 11 or img.dtype == np.uint8:
        out = convolve(img, disc)
        return gaussian_blur(out, gk.shape[0], alias_blur) if gk is not None else out
    if gk is not None:
        g2 = (gk @ gk.T).astype(np.float32)
        k = cv2.filter2D(np.pad(disc, g2.shape[0] // 2), -1, g2, borderType=cv2.BORDER_CONSTANT)
        disc = k / k.sum()
    x = _like(cv2.filter2D(_to_float(img), -1, disc, borderType=cv2.BORDER_REFLECT_101), img)
    # the folded kernel comes from a filter2D that large kernels run through a DFT, which
    # leaves weights of -1e-17 where they should be 0: a black area came out below 0
    return np.clip(x, 0.0, 1.0, out=x) if img.dtype == np.float32 else _from_float(x, img.dtype)


# -- zoom -----------------------------------------------------------------------------------
def zoom_blur(img: np.ndarray, zoom_factors) -> np.ndarray:
    """Average of the image and its zooms about the centre by each factor (> 1).

    OpenCV 5.1 and later: each zoom is one ``cv2.warpAffine`` straight to the output size,
    an exact zoom about the frame's centre (512x512x3 uint8, z = 1.2, one thread, EPYC:
    356 us, against 615 us for resizing the whole image and cropping, and 412 us for
    cropping the centre and resizing). Earlier OpenCV: ``cv2.resize`` of the whole image to
    ``ceil(size * z)`` and a centre crop (ImageNet-C's construction; 0.4 ms against 1.1 ms
    for the warp with OpenCV 5.0 on a Xeon). uint8 zooms are summed in uint16 (exact) and
    divided once.
    """
    h, w = img.shape[:2]
    n = len(zoom_factors) + 1
    acc = img.astype(np.uint16 if img.dtype == np.uint8 and n <= 257 else np.float32)
    by_warp = OPENCV_VERSION >= (5, 1)
    for z in zoom_factors:
        if by_warp:
            # x -> z * (x - c) + c about the centre c, in OpenCV's pixel-centre convention
            cx, cy = (w - 1) / 2.0, (h - 1) / 2.0
            m = np.array([[z, 0.0, cx * (1.0 - z)], [0.0, z, cy * (1.0 - z)]])
            acc += _chunks(img, lambda a, m=m: cv2.warpAffine(
                a, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE))
            continue
        zh, zw = int(np.ceil(h * z)), int(np.ceil(w * z))
        big = _chunks(img, lambda a, size=(zw, zh): cv2.resize(a, size, interpolation=cv2.INTER_LINEAR))
        top, left = (zh - h) // 2, (zw - w) // 2
        acc += big[top:top + h, left:left + w]
    if img.dtype == np.float32:
        acc *= np.float32(1.0 / n)
        return acc
    return _like(cv2.addWeighted(acc, 1.0 / n, acc, 0.0, 0.0,
                                 dtype=cv2.CV_8U if img.dtype == np.uint8 else cv2.CV_16U), img)


# -- glass ----------------------------------------------------------------------------------
def glass_blur(img: np.ndarray, sigma: float, max_delta: int, offsets: np.ndarray,
               mode: str = "fast") -> np.ndarray:
    """Gaussian blur, local pixel shuffling, Gaussian blur (ImageNet-C's glass blur).

    ``offsets`` has shape (iterations, H', W', 2) of integer (dy, dx) in
    [-max_delta, max_delta], one per pixel of the inner region ``[max_delta, H - max_delta)``.
    ``mode="exact"`` swaps pixels one after another (bottom-right to top-left, as the
    reference); ``"fast"`` lets every inner pixel read its displaced neighbour at once
    (one ``cv2.remap`` per iteration).
    """
    ks = gaussian_ksize(sigma) if sigma > 0 else 1
    x = gaussian_blur(img, ks, sigma) if sigma > 0 else img.copy()
    h, w = img.shape[:2]
    d = max_delta
    if h <= 2 * d or w <= 2 * d:
        return x
    if mode == "exact":
        flat = x.reshape(h * w, -1) if x.ndim == 3 else x.reshape(h * w, 1)
        for it in range(offsets.shape[0]):
            off = offsets[it]
            for yi in range(off.shape[0] - 1, -1, -1):
                y = yi + d
                row = off[yi]
                for xi in range(off.shape[1] - 1, -1, -1):
                    a = y * w + xi + d
                    b = (y + int(row[xi, 0])) * w + xi + d + int(row[xi, 1])
                    flat[[a, b]] = flat[[b, a]]
    else:
        gy, gx = np.mgrid[0:h, 0:w].astype(np.float32)
        for it in range(offsets.shape[0]):
            mx, my = gx.copy(), gy.copy()
            my[d:h - d, d:w - d] += offsets[it, ..., 0]
            mx[d:h - d, d:w - d] += offsets[it, ..., 1]
            x = _chunks(x, lambda a, mx=mx, my=my: cv2.remap(a, mx, my, cv2.INTER_NEAREST))
    return gaussian_blur(x, ks, sigma) if sigma > 0 else x


# -- advanced (generalized Gaussian) ------------------------------------------------------------
def generalized_gaussian_kernel(ksize: int, sigma_x: float, sigma_y: float, angle: float,
                                beta: float, noise: np.ndarray | None = None) -> np.ndarray:
    """Anisotropic generalized Gaussian ``exp(-0.5 * (d^T S^-1 d) ** beta)`` rotated by
    ``angle`` degrees (beta 1: Gaussian; < 1 heavier tails; > 1 flatter top, box-like),
    times multiplicative ``noise`` (ksize x ksize), normalized to sum 1 (Real-ESRGAN)."""
    sx, sy = max(sigma_x, 1e-3), max(sigma_y, 1e-3)
    a = np.deg2rad(angle)
    r = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    cov_inv = np.linalg.inv(r @ np.diag([sx * sx, sy * sy]) @ r.T)
    half = ksize // 2
    y, x = np.mgrid[-half:half + 1, -half:half + 1].astype(np.float64)
    q = cov_inv[0, 0] * x * x + (cov_inv[0, 1] + cov_inv[1, 0]) * x * y + cov_inv[1, 1] * y * y
    k = np.exp(-0.5 * np.power(q, beta))
    if noise is not None:
        k = k * noise
    s = k.sum()
    if not np.isfinite(s) or s <= 0:
        k = np.zeros_like(k)
        k[half, half] = 1.0
        s = 1.0
    return (k / s).astype(np.float32)
