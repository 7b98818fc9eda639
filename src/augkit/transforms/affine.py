"""Rotations, affine maps and perspective warps.

Each returns one matrix; the engine fuses it with its neighbours, so a rotate followed
by a crop resamples once and only over the crop's window.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import cv2
import numpy as np

from augkit.core import params as P
from augkit.errors import InvalidParameterError
from augkit.geometry import matrices as mx
from augkit.transforms._spatial import ResamplingTransform

ROTATE_METHODS = ("largest_box", "ellipse", "outline")


def _center(shape):
    h, w = shape
    return w / 2.0, h / 2.0


def largest_inner_rect(w: float, h: float, angle: float) -> tuple[float, float]:
    """Width and height of the largest axis-aligned rectangle inside a ``w`` x ``h``
    rectangle turned by ``angle`` degrees, centred on it."""
    if w <= 0 or h <= 0:
        return 0.0, 0.0
    a = math.radians(angle)
    s, c = abs(math.sin(a)), abs(math.cos(a))
    long_side, short_side = max(w, h), min(w, h)
    if short_side <= 2.0 * s * c * long_side or abs(s - c) < 1e-10:
        # the short side limits: the rectangle touches both long edges (half-constrained case)
        half = 0.5 * short_side
        if w >= h:
            return half / s if s > 1e-12 else w, half / c if c > 1e-12 else h
        return half / c if c > 1e-12 else w, half / s if s > 1e-12 else h
    cos2 = c * c - s * s
    return (w * c - h * s) / cos2, (h * c - w * s) / cos2


class Rotate(ResamplingTransform):
    """Rotate by a random angle in ``limit`` degrees (positive: counter-clockwise) about the centre.

    ``crop_border=True`` crops the result to the largest rectangle without border pixels.
    ``rotate_method`` chooses how boxes follow: the extent of the turned corners, clipped
    to the frame ("largest_box", Albumentations' rule), of the turned inscribed ellipse
    ("ellipse", tighter for round objects), or of the turned box outline intersected with
    what stays visible ("outline": tighter where a turned box crosses the frame edge).

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: uint8, uint16, float32 (masks: any).

    >>> import numpy as np, augkit as A
    >>> A.Rotate(limit=30, p=1.0)(image=np.zeros((8, 8, 3), np.uint8))["image"].shape
    (8, 8, 3)
    """

    def __init__(self, limit: Any = (-90, 90), interpolation: int = cv2.INTER_LINEAR,
                 border_mode: int = cv2.BORDER_CONSTANT, rotate_method: str = "largest_box",
                 crop_border: bool = False, mask_interpolation: int = cv2.INTER_NEAREST,
                 fill: Any = 0, fill_mask: Any = 0, p: float = 0.5):
        super().__init__(p=p)
        self.limit = P.to_range(type(self).__name__, "limit", limit)
        self.rotate_method = P.check_choice(type(self).__name__, "rotate_method", rotate_method, ROTATE_METHODS)
        self.crop_border = bool(crop_border)
        self._init_resampling(interpolation, mask_interpolation, border_mode, fill, fill_mask)

    def sample(self, rng, state):
        return {"angle": float(P.draw_uniform(rng, *self.limit))}

    def get_warp(self, params, state):
        h, w = state.shape
        angle = params["angle"]
        m = mx.about(mx.rotate(angle), *_center(state.shape))
        out = (h, w)
        if self.crop_border:
            rw, rh = largest_inner_rect(w, h, angle)
            ow, oh = max(1, min(w, int(rw))), max(1, min(h, int(rh)))
            m = mx.translate(-(w - ow) / 2.0, -(h - oh) / 2.0) @ m
            out = (oh, ow)
        return self.make_warp(m, state, out, box_method=self.rotate_method)


class SafeRotate(ResamplingTransform):
    """Rotate so that the whole turned image stays visible: rotate, then fit into the original size.

    The turned image's bounding rectangle is scaled (independently per axis) to the input
    size, so no corner is cut off.

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: uint8, uint16, float32 (masks: any).

    >>> import numpy as np, augkit as A
    >>> A.SafeRotate(limit=45, p=1.0)(image=np.zeros((8, 16), np.uint8))["image"].shape
    (8, 16)
    """

    def __init__(self, limit: Any = (-90, 90), interpolation: int = cv2.INTER_LINEAR,
                 border_mode: int = cv2.BORDER_CONSTANT, rotate_method: str = "largest_box",
                 mask_interpolation: int = cv2.INTER_NEAREST, fill: Any = 0, fill_mask: Any = 0,
                 p: float = 0.5):
        super().__init__(p=p)
        self.limit = P.to_range("SafeRotate", "limit", limit)
        self.rotate_method = P.check_choice("SafeRotate", "rotate_method", rotate_method, ROTATE_METHODS)
        self._init_resampling(interpolation, mask_interpolation, border_mode, fill, fill_mask)

    def sample(self, rng, state):
        return {"angle": float(P.draw_uniform(rng, *self.limit))}

    def get_warp(self, params, state):
        h, w = state.shape
        cx, cy = _center(state.shape)
        rot = mx.about(mx.rotate(params["angle"]), cx, cy)
        corners = mx.apply_to_points(rot, mx.rect(h, w))
        lo, hi = corners.min(axis=0), corners.max(axis=0)
        span = hi - lo
        m = mx.scale(w / span[0], h / span[1]) @ mx.translate(-lo[0], -lo[1]) @ rot
        return self.make_warp(m, state, (h, w), box_method=self.rotate_method)


def _axis_ranges(owner, name, value, *, default=None, scalar="point"):
    """``value`` as ranges for x and y: a number, (low, high), or {"x": ..., "y": ...}."""
    if value is None:
        return default
    if isinstance(value, Mapping):
        unknown = set(value) - {"x", "y"}
        if unknown:
            raise P.fail(owner, name, value, f"{name} dict keys must be 'x' and 'y'")
        dflt = 1.0 if name == "scale" else 0.0
        return (P.to_range(owner, name, value.get("x", dflt), scalar=scalar),
                P.to_range(owner, name, value.get("y", dflt), scalar=scalar))
    r = P.to_range(owner, name, value, scalar=scalar)
    return (r, r)


class Affine(ResamplingTransform):
    """Scale, translate, rotate and shear about the image centre, with random amounts.

    Args:
        scale: factor, ``(low, high)``, or ``{"x": ..., "y": ...}``.
        translate_percent: shift as a fraction of width/height (same forms as ``scale``).
        translate_px: shift in pixels (give at most one of the two translations).
        rotate: degrees, positive counter-clockwise; a number or ``(low, high)``.
        shear: degrees; a number, ``(low, high)`` or ``{"x": ..., "y": ...}``.
        fit_output: enlarge the output so that the whole warped image fits.
        keep_ratio: use the x scale for y too.
        balanced_scale: draw zoom-in and zoom-out equally often when the range spans 1.
        rotate_method: how boxes follow rotations: "largest_box" (turned corners' extent,
            clipped to the frame), "ellipse" (turned inscribed ellipse) or "outline" (turned
            outline intersected with the visible region).

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: uint8, uint16, float32 (masks: any).

    >>> import numpy as np, augkit as A
    >>> A.Affine(scale=(0.9, 1.1), rotate=(-15, 15), p=1.0)(image=np.zeros((8, 8), np.uint8))["image"].shape
    (8, 8)
    """

    def __init__(self, scale: Any = (1.0, 1.0), translate_percent: Any = None, translate_px: Any = None,
                 rotate: Any = 0.0, shear: Any = (0.0, 0.0), interpolation: int = cv2.INTER_LINEAR,
                 mask_interpolation: int = cv2.INTER_NEAREST, fit_output: bool = False,
                 keep_ratio: bool = False, rotate_method: str = "largest_box",
                 balanced_scale: bool = False, border_mode: int = cv2.BORDER_CONSTANT,
                 fill: Any = 0, fill_mask: Any = 0, p: float = 0.5):
        super().__init__(p=p)
        name = "Affine"
        self.scale = _axis_ranges(name, "scale", scale)
        for lo, _hi in self.scale:
            if lo <= 0:
                raise P.fail(name, "scale", scale, "scale must be positive")
        if translate_percent is not None and translate_px is not None:
            raise InvalidParameterError(f"Affine(translate_percent={translate_percent!r}, translate_px={translate_px!r}): "
                                        f"give at most one of translate_percent and translate_px")
        self.translate_percent = _axis_ranges(name, "translate_percent", translate_percent,
                                              default=((0.0, 0.0), (0.0, 0.0)) if translate_px is None else None)
        self.translate_px = _axis_ranges(name, "translate_px", translate_px)
        self.rotate = P.to_range(name, "rotate", rotate, scalar="point")
        self.shear = _axis_ranges(name, "shear", shear)
        self.fit_output = bool(fit_output)
        self.keep_ratio = bool(keep_ratio)
        self.balanced_scale = bool(balanced_scale)
        self.rotate_method = P.check_choice(name, "rotate_method", rotate_method, ROTATE_METHODS)
        self._init_resampling(interpolation, mask_interpolation, border_mode, fill, fill_mask)

    def _draw_scale(self, rng, r):
        lo, hi = r
        if self.balanced_scale and lo < 1.0 < hi:
            return P.draw_uniform(rng, lo, 1.0) if rng.random() < 0.5 else P.draw_uniform(rng, 1.0, hi)
        return P.draw_uniform(rng, lo, hi)

    def sample(self, rng, state):
        h, w = state.shape
        sx = self._draw_scale(rng, self.scale[0])
        sy = sx if self.keep_ratio else self._draw_scale(rng, self.scale[1])
        if self.translate_px is not None:
            tx = P.draw_uniform(rng, *self.translate_px[0])
            ty = P.draw_uniform(rng, *self.translate_px[1])
        else:
            tx = P.draw_uniform(rng, *self.translate_percent[0]) * w
            ty = P.draw_uniform(rng, *self.translate_percent[1]) * h
        return {"scale": (sx, sy), "translate": (tx, ty), "rotate": P.draw_uniform(rng, *self.rotate),
                "shear": (P.draw_uniform(rng, *self.shear[0]), P.draw_uniform(rng, *self.shear[1]))}

    def get_warp(self, params, state):
        return affine_warp(self, params, state, self.fit_output, self.rotate_method)


def affine_matrix(shape, scale, translate, rotate, shear) -> np.ndarray:
    """Scale, shear, rotate about the centre, then translate (Albumentations' sign conventions).

    ``translate(t) @ about(rotate(r) @ shear(-sh) @ scale(s), centre)`` written out in plain
    floats: one array instead of six products (~3 us instead of ~12 us)."""
    cx, cy = _center(shape)
    sx, sy = scale
    a = math.radians(rotate)
    c, s = math.cos(a), math.sin(a)
    kx, ky = math.tan(math.radians(-shear[0])), math.tan(math.radians(-shear[1]))
    # rotate @ shear @ scale
    l00, l01 = (c + s * ky) * sx, (c * kx + s) * sy
    l10, l11 = (c * ky - s) * sx, (c - s * kx) * sy
    tx = translate[0] + cx - (l00 * cx + l01 * cy)
    ty = translate[1] + cy - (l10 * cx + l11 * cy)
    return np.array([[l00, l01, tx], [l10, l11, ty], [0.0, 0.0, 1.0]])


def affine_warp(t, params, state, fit_output, rotate_method):
    h, w = state.shape
    m = affine_matrix(state.shape, params["scale"], params["translate"], params["rotate"], params["shear"])
    out = (h, w)
    if fit_output:
        corners = mx.apply_to_points(m, mx.rect(h, w))
        lo, hi = corners.min(axis=0), corners.max(axis=0)
        m = mx.translate(-lo[0], -lo[1]) @ m
        out = (max(1, int(math.ceil(hi[1] - lo[1] - 1e-6))), max(1, int(math.ceil(hi[0] - lo[0] - 1e-6))))
    return t.make_warp(m, state, out, box_method=rotate_method)


class ShiftScaleRotate(ResamplingTransform):
    """Shift, scale and rotate at random (the 1.x transform; :class:`Affine` is its 2.x form).

    Args:
        shift_limit: shift as a fraction of the side, ``(low, high)`` or one number ``v`` for ``(-v, v)``.
        scale_limit: the scale is ``1 + uniform(scale_limit)``.
        rotate_limit: degrees, positive counter-clockwise.
        shift_limit_x, shift_limit_y: per-axis shifts overriding ``shift_limit``.

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: uint8, uint16, float32 (masks: any).

    >>> import numpy as np, augkit as A
    >>> A.ShiftScaleRotate(p=1.0)(image=np.zeros((8, 8), np.uint8))["image"].shape
    (8, 8)
    """

    def __init__(self, shift_limit: Any = (-0.0625, 0.0625), scale_limit: Any = (-0.1, 0.1),
                 rotate_limit: Any = (-45, 45), interpolation: int = cv2.INTER_LINEAR,
                 border_mode: int = cv2.BORDER_CONSTANT, shift_limit_x: Any = None,
                 shift_limit_y: Any = None, rotate_method: str = "largest_box",
                 mask_interpolation: int = cv2.INTER_NEAREST, fill: Any = 0, fill_mask: Any = 0,
                 p: float = 0.5):
        super().__init__(p=p)
        name = "ShiftScaleRotate"
        self.shift_limit = P.to_range(name, "shift_limit", shift_limit)
        self.shift_limit_x = P.to_range(name, "shift_limit_x", shift_limit_x) if shift_limit_x is not None else self.shift_limit
        self.shift_limit_y = P.to_range(name, "shift_limit_y", shift_limit_y) if shift_limit_y is not None else self.shift_limit
        self.scale_limit = P.to_range(name, "scale_limit", scale_limit)
        if self.scale_limit[0] <= -1:
            raise P.fail(name, "scale_limit", scale_limit, "scale_limit must be > -1 (scale > 0)")
        self.rotate_limit = P.to_range(name, "rotate_limit", rotate_limit)
        self.rotate_method = P.check_choice(name, "rotate_method", rotate_method, ROTATE_METHODS)
        self._init_resampling(interpolation, mask_interpolation, border_mode, fill, fill_mask)

    def sample(self, rng, state):
        h, w = state.shape
        s = 1.0 + float(P.draw_uniform(rng, *self.scale_limit))
        return {"scale": (s, s), "rotate": float(P.draw_uniform(rng, *self.rotate_limit)),
                "translate": (float(P.draw_uniform(rng, *self.shift_limit_x)) * w,
                              float(P.draw_uniform(rng, *self.shift_limit_y)) * h),
                "shear": (0.0, 0.0)}

    def get_warp(self, params, state):
        return affine_warp(self, params, state, False, self.rotate_method)


class Perspective(ResamplingTransform):
    """A random perspective warp: each corner moves inward by ``|N(0, sigma)|`` of the side,
    with ``sigma`` drawn from ``scale``.

    ``keep_size`` resizes the result back to the input size; ``fit_output`` grows the
    output so that the whole warped image fits.

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: uint8, uint16, float32 (masks: any).

    >>> import numpy as np, augkit as A
    >>> A.Perspective(p=1.0)(image=np.zeros((8, 8), np.uint8))["image"].shape
    (8, 8)
    """

    def __init__(self, scale: Any = (0.05, 0.1), keep_size: bool = True, fit_output: bool = False,
                 interpolation: int = cv2.INTER_LINEAR, mask_interpolation: int = cv2.INTER_NEAREST,
                 border_mode: int = cv2.BORDER_CONSTANT, fill: Any = 0, fill_mask: Any = 0,
                 p: float = 0.5):
        super().__init__(p=p)
        self.scale = P.to_range("Perspective", "scale", scale, scalar="zero", bounds=(0, None))
        self.keep_size = bool(keep_size)
        self.fit_output = bool(fit_output)
        self._init_resampling(interpolation, mask_interpolation, border_mode, fill, fill_mask)

    def sample(self, rng, state):
        sigma = float(P.draw_uniform(rng, *self.scale))
        jitter = np.abs(rng.normal(0.0, sigma, size=(4, 2)))
        return {"jitter": jitter}

    def get_warp(self, params, state):
        h, w = state.shape
        # plain floats for the four corners (numpy on 4x2 arrays cost ~15 us per call,
        # most of the transform on a small image)
        (j0x, j0y), (j1x, j1y), (j2x, j2y), (j3x, j3y) = np.asarray(params["jitter"], np.float64).tolist()
        # move each corner inward: top-left (+,+), top-right (-,+), bottom-right (-,-), bottom-left (+,-)
        src = [(j0x * w, j0y * h), (w - j1x * w, j1y * h), (w - j2x * w, h - j2y * h),
               (j3x * w, h - j3y * h)]
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = src
        width = max(math.hypot(x1 - x0, y1 - y0), math.hypot(x2 - x3, y2 - y3))
        height = max(math.hypot(x3 - x0, y3 - y0), math.hypot(x2 - x1, y2 - y1))
        width, height = max(width, 1.0), max(height, 1.0)
        dst = ((0.0, 0.0), (width, 0.0), (width, height), (0.0, height))
        m = cv2.getPerspectiveTransform(np.array(src, np.float32), np.array(dst, np.float32)).astype(np.float64)
        out = (max(1, int(round(height))), max(1, int(round(width))))
        if self.fit_output:
            corners = mx.apply_to_points(m, mx.rect(h, w))
            lo, hi = corners.min(axis=0), corners.max(axis=0)
            m = mx.translate(-lo[0], -lo[1]) @ m
            out = (max(1, int(math.ceil(hi[1] - lo[1]))), max(1, int(math.ceil(hi[0] - lo[0]))))
        if self.keep_size:
            m = mx.scale(w / out[1], h / out[0]) @ m
            out = (h, w)
        return self.make_warp(m, state, out)
