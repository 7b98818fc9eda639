"""Lighting kernels: plasma brightness/contrast and shadow, illumination gradients,
lens flare, vignetting, chromatic aberration.

Pure functions ``f(image, explicit params) -> new image``; randomness is drawn by the
transform classes (:func:`plasma` builds a pattern from noise arrays passed in).
Dtypes: uint8, uint16, float32 in [0, 1]; the result keeps the input dtype, float
results are clipped to [0, 1], the input is never modified.

Timings in comments: one 512x512x3 uint8 image, ``cv2.setNumThreads(1)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from augkit.functional.color import image_mean, max_value, num_channels
from augkit.functional.weather import color_vector, finish, scale_by_map

__all__ = ["chromatic_aberration", "illumination_map", "lens_flare", "plasma",
           "plasma_brightness_contrast", "plasma_shadow", "vignette_map"]


# -- plasma -------------------------------------------------------------------------------
def plasma(noise: Sequence[np.ndarray], roughness: float, size: int) -> np.ndarray:
    """A fractal (midpoint-displacement) pattern of ``size`` x ``size`` in [0, 1].

    ``noise[k]`` is a standard-normal array of shape ``(2**k + 1, 2**k + 1)``: level k
    doubles the grid of level k-1 (bilinear) and adds ``noise[k] * 2 ** (-k / roughness)``.
    A small roughness gives a smooth pattern, a large one a rough pattern. The result is
    min-max normalized. Costs 0.4 ms for size 256 (2.0.8's diamond-square: 11 ms).
    """
    field = noise[0].astype(np.float32)
    for k in range(1, len(noise)):
        n = noise[k].shape[0]
        field = cv2.resize(field, (n, n), interpolation=cv2.INTER_LINEAR)
        field += noise[k] * np.float32(2.0 ** (-k / roughness))
    if field.shape[0] != size:
        field = cv2.resize(field, (size, size), interpolation=cv2.INTER_AREA if field.shape[0] > size
                           else cv2.INTER_LINEAR)
    lo, hi = float(field.min()), float(field.max())
    field -= np.float32(lo)
    field *= np.float32(1.0 / (hi - lo) if hi > lo else 0.0)
    return field


def _fit(pattern: np.ndarray, h: int, w: int) -> np.ndarray:
    """The pattern resized to the image and min-max normalized again (resizing can lose
    the extremes), so the strength parameters keep their meaning at every size."""
    if pattern.shape == (h, w):
        return pattern
    p = cv2.resize(pattern, (w, h), interpolation=cv2.INTER_AREA if h * w < pattern.size
                   else cv2.INTER_LINEAR)
    lo, hi = cv2.minMaxLoc(p)[:2]
    p -= np.float32(lo)
    p *= np.float32(1.0 / (hi - lo) if hi > lo else 0.0)
    return p


def plasma_brightness_contrast(img: np.ndarray, pattern: np.ndarray, brightness: float,
                               contrast: float) -> np.ndarray:
    """``J = img + brightness * P * max``; ``out = mean + (J - mean) * (1 + contrast * P)``
    with P the pattern resized to the image and ``mean`` the image mean."""
    h, w = img.shape[:2]
    top = max_value(img.dtype)
    p = _fit(pattern, h, w)
    gain = 1.0 + np.float32(contrast) * p                     # (1 + cP)
    mean = np.float32(image_mean(img))
    # out = img * gain + (b * max * P - mean) * gain + mean: one scale and one offset map
    offset = (np.float32(brightness * top) * p - mean) * gain + mean
    f = img.astype(np.float32)
    if f.ndim == 2:
        f *= gain
        f += offset
    else:
        f *= gain[..., None]
        f += offset[..., None]
    return finish(f, img.dtype, img.shape)


def plasma_shadow(img: np.ndarray, pattern: np.ndarray, intensity: float) -> np.ndarray:
    """``img * (1 - intensity * P)``."""
    h, w = img.shape[:2]
    return scale_by_map(img, 1.0 - np.float32(intensity) * _fit(pattern, h, w))


# -- illumination -------------------------------------------------------------------------
def illumination_map(h: int, w: int, mode: str, intensity: float, sign: float,
                     angle: float = 0.0, corner: int = 0, center: tuple[float, float] = (0.5, 0.5),
                     sigma: float = 0.5) -> np.ndarray:
    """The multiplicative HxW float32 light map of :class:`Illumination`.

    ``"linear"``: ``1 + sign * intensity * (2 g - 1)``, g a ramp from 0 to 1 along
    ``angle`` (degrees; 0: left to right, 90: top to bottom), as 2.0.8.
    ``"corner"``: g the distance to ``corner`` (0 top-left, 1 top-right, 2 bottom-right,
    3 bottom-left) over the diagonal; ``sign`` > 0: ``1 - intensity * g`` (the lit corner
    keeps its value, the far corner loses ``intensity``, as 2.0.8); ``sign`` < 0:
    ``1 - intensity * (1 - g)``.
    ``"gaussian"``: ``1 + sign * intensity * exp(-d^2 / (2 sigma^2))``, d the distance
    to ``center`` (fractions of width and height) over max(h, w).
    """
    ys, xs, full = _coarse_axes(h, w)
    return full(_illumination(h, w, ys, xs, mode, intensity, sign, angle, corner, center, sigma))


def _coarse_axes(h: int, w: int, step: int = 4):
    """Coordinates of a ``step``-times coarser grid and the function that upscales a map
    built on it to (h, w), bilinearly.

    The grid reaches ``2.5 step`` pixels beyond the image on each side and is upscaled
    with cv2.resize by exactly ``step`` (0.05 ms at 512x512, against 0.34 ms for
    warpAffine); the image window is then a view of the result, so the border pixels are
    interpolated, never clamped. Smooth maps (light falloffs, lens distortion) lose
    nothing measurable on it.
    """
    if min(h, w) < 64:  # small images: exact
        return (np.arange(h, dtype=np.float32), np.arange(w, dtype=np.float32),
                lambda m: np.ascontiguousarray(np.broadcast_to(m, (h, w)), np.float32))
    pad = 2 * step
    gh, gw = -(-(h + 3 * step) // step) + 1, -(-(w + 3 * step) // step) + 1
    # resize by `step` puts coarse sample i at output index step * i + (step - 1) / 2
    ys = np.arange(gh, dtype=np.float32) * np.float32(step) + np.float32((step - 1) / 2 - pad)
    xs = np.arange(gw, dtype=np.float32) * np.float32(step) + np.float32((step - 1) / 2 - pad)

    def full(m: np.ndarray) -> np.ndarray:
        m = np.ascontiguousarray(np.broadcast_to(m, (gh, gw)), np.float32)
        big = cv2.resize(m, (gw * step, gh * step), interpolation=cv2.INTER_LINEAR)
        return big[pad:pad + h, pad:pad + w]
    return ys, xs, full


def _illumination(h, w, ys, xs, mode, intensity, sign, angle, corner, center, sigma):
    if mode == "linear":
        t = np.deg2rad(angle)
        gx = xs * np.float32(np.cos(t))
        gy = ys * np.float32(np.sin(t))
        g = gy[:, None] + gx[None, :]
        corners = np.array([0.0, (w - 1) * np.cos(t), (h - 1) * np.sin(t),
                            (w - 1) * np.cos(t) + (h - 1) * np.sin(t)])
        lo, hi = float(corners.min()), float(corners.max())
        g = (g - np.float32(lo)) * np.float32(1.0 / (hi - lo) if hi > lo else 0.0)
        return 1.0 + np.float32(sign * intensity) * (2.0 * g - 1.0)
    if mode == "corner":
        cy = 0.0 if corner in (0, 1) else h - 1.0
        cx = 0.0 if corner in (0, 3) else w - 1.0
        d = np.sqrt(((ys - cy) ** 2)[:, None] + ((xs - cx) ** 2)[None, :])
        g = d * np.float32(1.0 / max(float(np.hypot(h - 1, w - 1)), 1.0))  # 0 at the corner, 1 opposite
        if sign > 0:
            return 1.0 - np.float32(intensity) * g
        return 1.0 - np.float32(intensity) * (1.0 - g)
    scale = np.float32(1.0 / max(h, w))
    dx2 = ((xs - np.float32(center[0] * (w - 1))) * scale) ** 2
    dy2 = ((ys - np.float32(center[1] * (h - 1))) * scale) ** 2
    k = np.float32(-0.5 / max(sigma, 1e-6) ** 2)
    g = np.exp(dy2 * k)[:, None] * np.exp(dx2 * k)[None, :]   # separable Gaussian
    return 1.0 + np.float32(sign * intensity) * g


def vignette_map(h: int, w: int, intensity: float, center: tuple[float, float]) -> np.ndarray:
    """``1 - intensity * min(1, r^2)`` with r the elliptical distance from ``center``
    (fractions of width and height), 1 at the corners of a centred vignette."""
    ys, xs, full = _coarse_axes(h, w)
    xs = (xs + 0.5) / np.float32(w) - np.float32(center[0])
    ys = (ys + 0.5) / np.float32(h) - np.float32(center[1])
    r2 = (2 * ys ** 2)[:, None] + (2 * xs ** 2)[None, :]   # (0.5^2 + 0.5^2) * 2 = 1 at corners
    # clip after upscaling: interpolating across the kink of min(r2, 1) would blur it
    return np.maximum(full(1.0 - np.float32(intensity) * r2), np.float32(1.0 - intensity))


# -- lens flare ---------------------------------------------------------------------------
def lens_flare(img: np.ndarray, source: tuple[float, float], ghosts: Sequence[tuple],
               ray_angles: Sequence[float], intensity: float, bloom: float) -> np.ndarray:
    """Add a flare: a glow and starburst rays at ``source`` and ghost discs
    ``(x, y, radius, strength, (r, g, b))``, blurred by ``bloom`` (fraction of the
    diagonal) and screen-blended with ``intensity``. Composed at 1/4 scale and upscaled.
    """
    h, w = img.shape[:2]
    c = num_channels(img)
    s = 4
    gh, gw = max(2, -(-h // s)), max(2, -(-w // s))
    diag = float(np.hypot(gh, gw))
    layer = np.zeros((gh, gw, c), np.float32)
    sx, sy = source[0] / s, source[1] / s
    xs = np.arange(gw, dtype=np.float32) - np.float32(sx)
    ys = np.arange(gh, dtype=np.float32) - np.float32(sy)
    d2 = ys[:, None] ** 2 + xs[None, :] ** 2
    glow = np.exp(d2 * np.float32(-1.0 / (2 * (0.04 * diag) ** 2)))
    rays = np.zeros((gh, gw), np.float32)
    for ang in ray_angles:
        end = (int(round(sx + 0.5 * diag * np.cos(ang))), int(round(sy + 0.5 * diag * np.sin(ang))))
        cv2.line(rays, (int(round(sx)), int(round(sy))), end, 0.6, 1, cv2.LINE_AA)
    rays *= np.exp(d2 * np.float32(-1.0 / (2 * (0.2 * diag) ** 2)))
    layer += (glow + rays)[..., None]
    for x, y, r, strength, col in ghosts:
        disc = np.zeros((gh, gw), np.float32)
        cv2.circle(disc, (int(round(x / s)), int(round(y / s))), max(1, int(round(r / s))),
                   float(strength), -1, cv2.LINE_AA)
        layer += disc[..., None] * color_vector(col, c, np.float32)
    sigma = max(0.5, bloom * diag)
    layer = cv2.GaussianBlur(layer, (0, 0), sigma).reshape(gh, gw, c)
    layer *= np.float32(intensity)
    np.clip(layer, 0.0, 1.0, out=layer)
    layer = cv2.resize(layer, (w, h), interpolation=cv2.INTER_LINEAR).reshape(h, w, c)
    top = np.float32(max_value(img.dtype))
    f = img.astype(np.float32).reshape(h, w, c)
    f += layer * (top - f)   # screen: 1 - (1 - img)(1 - layer)
    return finish(f, img.dtype, img.shape)


# -- chromatic aberration -----------------------------------------------------------------
#: cv2.remap has no area or "exact" kernels: use the nearest equivalent
_REMAP_INTERP = {cv2.INTER_AREA: cv2.INTER_LINEAR, cv2.INTER_LINEAR_EXACT: cv2.INTER_LINEAR,
                 cv2.INTER_NEAREST_EXACT: cv2.INTER_NEAREST}


def chromatic_aberration(img: np.ndarray, k1_r: float, k2_r: float, k1_b: float, k2_b: float,
                         interpolation: int) -> np.ndarray:
    """Distort the red (channel 0) and blue (channel 2) channels radially, each by its
    own (k1, k2); green is kept.

    Remapping all three channels and restoring green is cheaper than remapping a sliced
    two-channel array (0.78 ms against 0.64 + 1.07 ms); with different coefficients the
    channels are split and remapped one by one (0.55 ms each)."""
    h, w = img.shape[:2]
    interpolation = _REMAP_INTERP.get(interpolation, interpolation)
    border = cv2.BORDER_REPLICATE
    if (k1_r, k2_r) == (k1_b, k2_b):
        mx, my = _maps(h, w, k1_r, k2_r)
        out = cv2.remap(img, mx, my, interpolation, borderMode=border)
        out[..., 1] = img[..., 1]
    else:
        r, g, b = cv2.split(img)
        mx, my = _maps(h, w, k1_r, k2_r)
        r = cv2.remap(r, mx, my, interpolation, borderMode=border)
        mx, my = _maps(h, w, k1_b, k2_b)
        b = cv2.remap(b, mx, my, interpolation, borderMode=border)
        out = cv2.merge([r, g, b])
    if img.dtype == np.float32:
        np.clip(out, 0.0, 1.0, out=out)
    return out


def _maps(h: int, w: int, k1: float, k2: float):
    """Remap maps of ``p_src = c + (p - c) (1 + k1 r^2 + k2 r^4)``, r in units of (w, h)
    from the centre (OpenCV undistortion with fx = w, fy = h). Built on a 4x coarser grid
    and upscaled bilinearly (the map is a smooth polynomial: error < 0.001 px), 0.5 ms
    instead of 1.3 ms at full resolution."""
    cx, cy = (w - 1) / 2.0, (h - 1) / 2.0
    ys, xs, full = _coarse_axes(h, w)
    xn = (xs - np.float32(cx)) / np.float32(w)
    yn = (ys - np.float32(cy)) / np.float32(h)
    r2 = (yn ** 2)[:, None] + (xn ** 2)[None, :]
    f = 1.0 + r2 * (np.float32(k1) + np.float32(k2) * r2)
    mx = f * (xn * np.float32(w))[None, :] + np.float32(cx)
    my = f * (yn * np.float32(h))[:, None] + np.float32(cy)
    return full(mx), full(my)
