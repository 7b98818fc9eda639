"""Crops that look at the annotations, and the letterbox resize.

Every transform here is a matrix warp (a translation for plain crops, a scale plus a
translation for the resized ones), so it fuses with its neighbours like any other crop.
The crop window is drawn in :meth:`sample` from the pipeline's generator, looking at
``state.current_bboxes()`` (absolute ``x_min, y_min, x_max, y_max`` in the current frame)
or ``state.current_masks()``.

Windows are integer pixel edges ``(x0, y0, x1, y1)``, ``x1``/``y1`` exclusive.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import cv2
import numpy as np

from augkit.core import params as P
from augkit.errors import InvalidParameterError, TargetError
from augkit.geometry import matrices as mx
from augkit.transforms._spatial import POSITIONS, ResamplingTransform, check_positive_int, pad_split

__all__ = [
    "AtLeastOneBBoxRandomCrop",
    "BBoxSafeRandomCrop",
    "BBoxSubsetSafeRandomCrop",
    "CropNonEmptyMaskIfExists",
    "LetterBox",
    "RandomCropFromBorders",
    "RandomCropNearBBox",
    "RandomSizedBBoxSafeCrop",
]


def _frame_boxes(state) -> np.ndarray:
    """The current boxes clipped to the frame, only those with an area.

    ``state.peek_bboxes()``, where the engine offers it, gives the boxes as they would be
    materialized without collapsing the pending geometry (so a turned box's outline is
    kept, and the crop does not loosen it); otherwise ``current_bboxes()`` materializes.
    """
    peek = getattr(state, "peek_bboxes", None)
    boxes = peek() if peek is not None else state.current_bboxes()
    if not len(boxes):
        return np.zeros((0, 4))
    h, w = state.shape
    b = np.clip(boxes[:, :4], 0, [w, h, w, h])
    keep = (b[:, 2] > b[:, 0]) & (b[:, 3] > b[:, 1])
    return b[keep]


def _check_fits(owner: str, shape, ch: int, cw: int) -> None:
    h, w = shape
    if ch > h or cw > w:
        raise TargetError(f"{owner}: crop size ({ch}, {cw}) exceeds the image size ({h}, {w}); "
                          f"use a smaller crop (or pad the image first)")


def _draw_between(rng: np.random.Generator, lo: int, hi: int) -> int:
    """An integer uniformly in ``[lo, hi]`` (the bounds may come in either order)."""
    if lo > hi:
        lo, hi = hi, lo
    return P.draw_int(rng, lo, hi)


def _containing_window(rng, region, shape) -> tuple[int, int, int, int]:
    """A random window that contains ``region`` (x0, y0, x1, y1): each edge drawn
    uniformly between the region's edge and the frame's."""
    h, w = shape
    rx0, ry0, rx1, ry1 = region
    x0 = P.draw_int(rng, 0, min(w - 1, max(0, math.floor(rx0 + 1e-9))))
    y0 = P.draw_int(rng, 0, min(h - 1, max(0, math.floor(ry0 + 1e-9))))
    x1 = P.draw_int(rng, max(x0 + 1, min(w, math.ceil(rx1 - 1e-9))), w)
    y1 = P.draw_int(rng, max(y0 + 1, min(h, math.ceil(ry1 - 1e-9))), h)
    return x0, y0, x1, y1


class _WindowCrop(ResamplingTransform):
    """Crop the window ``params["crop"]``; with ``size`` set, resize it to ``size``."""

    def get_warp(self, params, state):
        x0, y0, x1, y1 = params["crop"]
        m = mx.translate(-x0, -y0)
        size = params.get("size")
        if size is None:
            return self.make_warp(m, state, (y1 - y0, x1 - x0))
        oh, ow = size
        m = mx.scale(ow / (x1 - x0), oh / (y1 - y0)) @ m
        return self.make_warp(m, state, (oh, ow))

    def direct_image(self, img, params):
        size = params.get("size")
        if size is None:
            return self.direct_crop(img, params["crop"])
        x0, y0, x1, y1 = params["crop"]
        oh, ow = size
        sx, sy = ow / (x1 - x0), oh / (y1 - y0)
        return self.direct_axis_aligned(img, sx, sy, -x0 * sx, -y0 * sy, (oh, ow),
                                        getattr(self, "interpolation", cv2.INTER_LINEAR))


def _check_rate(owner: str, name: str, value: Any) -> float:
    return float(P.check_number(owner, name, value, 0.0, 1.0))


# -------------------------------------------------------------------------------------
# crops that keep boxes
# -------------------------------------------------------------------------------------
class BBoxSafeRandomCrop(_WindowCrop):
    """Crop a random window that contains every bounding box.

    Each edge of the window is drawn uniformly between the edge of the boxes' union and
    the image's edge, so all boxes stay whole. ``erosion_rate`` first shrinks the union
    by ``erosion_rate`` of its width and height (half on each side: 1.0 leaves only its
    centre), which allows tighter crops that may cut boxes. Without boxes, the window
    has a random height in ``[(1 - erosion_rate) * H, H]``, the image's aspect ratio and a
    random position.

    Args:
        erosion_rate: in [0, 1]; 0 keeps every box whole.
        p: probability of applying the transform.

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: any.

    >>> import numpy as np
    >>> from augkit.transforms.bbox_crops import BBoxSafeRandomCrop
    >>> import augkit as A
    >>> pipe = A.Compose([BBoxSafeRandomCrop()], bbox_params=A.BboxParams(format="pascal_voc"), seed=0)
    >>> out = pipe(image=np.zeros((50, 60), np.uint8), bboxes=[(10, 10, 20, 30)])
    >>> x1, y1, x2, y2 = out["bboxes"][0]
    >>> float(x2 - x1), float(y2 - y1)
    (10.0, 20.0)
    """

    def __init__(self, erosion_rate: float = 0.0, p: float = 1.0):
        super().__init__(p=p)
        self.erosion_rate = _check_rate(type(self).__name__, "erosion_rate", erosion_rate)

    def _window(self, rng, state):
        h, w = state.shape
        boxes = _frame_boxes(state)
        if not len(boxes):
            ch = P.draw_int(rng, max(1, int((1.0 - self.erosion_rate) * h)), h)
            cw = max(1, min(w, int(round(ch * w / h))))
            y0 = P.draw_int(rng, 0, h - ch)
            x0 = P.draw_int(rng, 0, w - cw)
            return x0, y0, x0 + cw, y0 + ch
        ux0, uy0 = boxes[:, 0].min(), boxes[:, 1].min()
        ux1, uy1 = boxes[:, 2].max(), boxes[:, 3].max()
        ex = self.erosion_rate * (ux1 - ux0) / 2
        ey = self.erosion_rate * (uy1 - uy0) / 2
        return _containing_window(rng, (ux0 + ex, uy0 + ey, ux1 - ex, uy1 - ey), (h, w))

    def sample(self, rng, state):
        return {"crop": self._window(rng, state)}


class RandomSizedBBoxSafeCrop(BBoxSafeRandomCrop):
    """Crop a random window that contains every bounding box, then resize it to ``height`` x ``width``.

    The window is drawn as in :class:`BBoxSafeRandomCrop`.

    Args:
        height: output height.
        width: output width.
        erosion_rate: in [0, 1]; 0 keeps every box whole.
        interpolation: OpenCV interpolation for images.
        mask_interpolation: OpenCV interpolation for masks.
        p: probability of applying the transform.

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: uint8, uint16, float32 (masks: any).

    >>> import numpy as np
    >>> from augkit.transforms.bbox_crops import RandomSizedBBoxSafeCrop
    >>> RandomSizedBBoxSafeCrop(height=32, width=48)(image=np.zeros((50, 60, 3), np.uint8))["image"].shape
    (32, 48, 3)
    """

    def __init__(self, height: int, width: int, erosion_rate: float = 0.0,
                 interpolation: int = cv2.INTER_LINEAR, mask_interpolation: int = cv2.INTER_NEAREST,
                 p: float = 1.0):
        super().__init__(erosion_rate=erosion_rate, p=p)
        name = type(self).__name__
        self.height = check_positive_int(name, "height", height)
        self.width = check_positive_int(name, "width", width)
        self._init_resampling(interpolation, mask_interpolation)

    def sample(self, rng, state):
        return {"crop": self._window(rng, state), "size": (self.height, self.width)}


class AtLeastOneBBoxRandomCrop(_WindowCrop):
    """Crop a ``height`` x ``width`` window that contains at least one bounding box.

    One box is chosen at random; the window is placed at random among the positions that
    contain it. ``erosion_factor`` shrinks that box by ``erosion_factor`` of its size on
    each side first: at 1.0 the window only has to intersect it. A box larger than the
    window is cut to the window (the window lies inside it). Without boxes the window is
    placed anywhere.

    Args:
        height: crop height, at most the image's.
        width: crop width, at most the image's.
        erosion_factor: in [0, 1].
        p: probability of applying the transform.

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: any.

    >>> import numpy as np
    >>> from augkit.transforms.bbox_crops import AtLeastOneBBoxRandomCrop
    >>> import augkit as A
    >>> pipe = A.Compose([AtLeastOneBBoxRandomCrop(height=20, width=20)],
    ...                  bbox_params=A.BboxParams(format="pascal_voc"), seed=0)
    >>> out = pipe(image=np.zeros((100, 100), np.uint8), bboxes=[(10, 10, 20, 20), (70, 70, 80, 80)])
    >>> out["image"].shape, len(out["bboxes"]) >= 1
    ((20, 20), True)
    """

    def __init__(self, height: int, width: int, erosion_factor: float = 0.0, p: float = 1.0):
        super().__init__(p=p)
        name = type(self).__name__
        self.height = check_positive_int(name, "height", height)
        self.width = check_positive_int(name, "width", width)
        self.erosion_factor = _check_rate(name, "erosion_factor", erosion_factor)

    def sample(self, rng, state):
        h, w = state.shape
        ch, cw = self.height, self.width
        _check_fits(type(self).__name__, state.shape, ch, cw)
        boxes = _frame_boxes(state)
        if not len(boxes):
            x0 = P.draw_int(rng, 0, w - cw)
            y0 = P.draw_int(rng, 0, h - ch)
            return {"crop": (x0, y0, x0 + cw, y0 + ch)}
        bx0, by0, bx1, by1 = boxes[P.draw_int(rng, 0, len(boxes) - 1)]
        ex, ey = self.erosion_factor * (bx1 - bx0), self.erosion_factor * (by1 - by0)
        # past 0.5 the eroded box turns inside out; at 1.0 the window must still overlap
        # the box by a positive amount, not just touch it
        eps = 1e-6
        bx0, bx1 = min(bx0 + ex, bx1 - eps), max(bx1 - ex, bx0 + eps)
        by0, by1 = min(by0 + ey, by1 - eps), max(by1 - ey, by0 + eps)

        def place(lo_edge, hi_edge, size, total):
            # positions whose window [p, p + size] holds [lo_edge, hi_edge]
            lo = max(0, math.ceil(hi_edge - size - 1e-9))
            hi = min(total - size, math.floor(lo_edge + 1e-9))
            if lo > hi:  # the (eroded) box is larger than the window: a window inside it
                lo, hi = hi, lo
                lo, hi = max(0, lo), min(total - size, hi)
                if lo > hi:
                    lo = hi = min(max(lo, 0), total - size)
            return _draw_between(rng, lo, hi)

        x0 = place(bx0, bx1, cw, w)
        y0 = place(by0, by1, ch, h)
        return {"crop": (x0, y0, x0 + cw, y0 + ch)}


class BBoxSubsetSafeRandomCrop(_WindowCrop):
    """Crop a random window that keeps a random non-empty subset of the boxes whole.

    Each call chooses ``k`` boxes (``k`` uniform in ``[min_boxes, max_boxes]``, capped
    at the number of boxes) and draws each window edge uniformly between the edge of
    their union and the image's edge. The other boxes may be cut or dropped (per the
    pipeline's ``BboxParams``). Without boxes the transform does nothing.

    Not in Albumentations: it sits between :class:`AtLeastOneBBoxRandomCrop` (one box,
    fixed size) and :class:`BBoxSafeRandomCrop` (all boxes).

    Args:
        min_boxes: the fewest boxes kept whole (>= 1).
        max_boxes: the most boxes chosen; None: all of them.
        p: probability of applying the transform.

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: any.

    >>> import numpy as np
    >>> from augkit.transforms.bbox_crops import BBoxSubsetSafeRandomCrop
    >>> import augkit as A
    >>> pipe = A.Compose([BBoxSubsetSafeRandomCrop(min_boxes=1, max_boxes=1)],
    ...                  bbox_params=A.BboxParams(format="pascal_voc"), seed=0)
    >>> out = pipe(image=np.zeros((100, 100), np.uint8), bboxes=[(10, 10, 20, 20), (70, 70, 80, 80)])
    >>> len(out["bboxes"]) >= 1
    True
    """

    def __init__(self, min_boxes: int = 1, max_boxes: int | None = None, p: float = 1.0):
        super().__init__(p=p)
        name = type(self).__name__
        self.min_boxes = check_positive_int(name, "min_boxes", min_boxes)
        if max_boxes is not None:
            check_positive_int(name, "max_boxes", max_boxes)
            if max_boxes < min_boxes:
                raise P.fail(name, "max_boxes", max_boxes,
                             f"max_boxes must be None or >= min_boxes ({min_boxes})")
        self.max_boxes = max_boxes

    def sample(self, rng, state):
        boxes = _frame_boxes(state)
        n = len(boxes)
        if n == 0:
            return None
        hi = n if self.max_boxes is None else min(n, self.max_boxes)
        lo = min(self.min_boxes, hi)
        k = P.draw_int(rng, lo, hi)
        chosen = boxes[rng.choice(n, size=k, replace=False)]
        region = (chosen[:, 0].min(), chosen[:, 1].min(), chosen[:, 2].max(), chosen[:, 3].max())
        return {"crop": _containing_window(rng, region, state.shape)}


class RandomCropNearBBox(_WindowCrop):
    """Crop around a box given at call time, each of its edges shifted at random.

    The box comes as a call argument named ``cropping_bbox_key``, in pixels of the
    current frame: ``pipeline(image=img, cropping_bbox=[x_min, y_min, x_max, y_max])``.
    ``max_part_shift = (h_part, w_part)``: the top and bottom edges move independently by
    up to ``h_part`` of the box's height, the left and right edges by up to ``w_part`` of
    its width. One number ``v`` means ``(0, v)``, and a pair is sorted (both as
    Albumentations 2.0.8, so the default moves only the left and right edges). The window is
    clipped to the image and keeps at least one pixel.

    Args:
        max_part_shift: ``(h_part, w_part)`` in [0, 1], or one number.
        cropping_bbox_key: name of the call argument that holds the box.
        p: probability of applying the transform.

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: any.

    >>> from augkit.transforms.bbox_crops import RandomCropNearBBox
    >>> RandomCropNearBBox(max_part_shift=(0.1, 0.2)).max_part_shift
    (0.1, 0.2)
    """

    def __init__(self, max_part_shift: tuple[float, float] | float = (0, 0.3),
                 cropping_bbox_key: str = "cropping_bbox", p: float = 1.0):
        super().__init__(p=p)
        name = type(self).__name__
        if isinstance(max_part_shift, Sequence) and not isinstance(max_part_shift, str) \
                and len(max_part_shift) == 2 and all(P.is_number(v) for v in max_part_shift):
            max_part_shift = tuple(sorted(max_part_shift))  # Albumentations 2.0.8 sorts the pair
        self.max_part_shift = P.to_range(name, "max_part_shift", max_part_shift, scalar="zero",
                                         bounds=(0.0, 1.0))
        if not isinstance(cropping_bbox_key, str) or not cropping_bbox_key:
            raise P.fail(name, "cropping_bbox_key", cropping_bbox_key,
                         "cropping_bbox_key must be a non-empty string")
        self.cropping_bbox_key = cropping_bbox_key

    @property
    def targets_as_params(self) -> list[str]:
        return [self.cropping_bbox_key]

    def _cropping_bbox(self, state):
        key = self.cropping_bbox_key
        extra = getattr(state, "extra", None) or {}
        if key not in extra:
            raise TargetError(
                f"RandomCropNearBBox: missing call argument {key!r}; pass the box to crop around, "
                f"e.g. pipeline(image=img, {key}=[x_min, y_min, x_max, y_max]) (pixels)")
        box = extra[key]
        try:
            coords = np.asarray(box, dtype=np.float64).ravel()[:4]
        except (TypeError, ValueError):
            coords = np.zeros(0)
        if coords.size != 4 or not np.all(np.isfinite(coords)) \
                or coords[2] < coords[0] or coords[3] < coords[1]:
            raise TargetError(f"RandomCropNearBBox: {key}={box!r} must be [x_min, y_min, x_max, y_max] "
                              f"in pixels with x_min <= x_max and y_min <= y_max")
        return coords

    def sample(self, rng, state):
        h, w = state.shape
        x0, y0, x1, y1 = self._cropping_bbox(state)
        hp, wp = self.max_part_shift
        sy, sx = hp * (y1 - y0), wp * (x1 - x0)

        def edges(a, b, s, total):
            a = int(round(a + P.draw_uniform(rng, -s, s))) if s > 0 else int(round(a))
            b = int(round(b + P.draw_uniform(rng, -s, s))) if s > 0 else int(round(b))
            a, b = min(max(a, 0), total), min(max(b, 0), total)
            if b < a:
                a, b = b, a
            if b == a:  # keep one pixel
                if b < total:
                    b += 1
                else:
                    a -= 1
            return a, b

        cx0, cx1 = edges(x0, x1, sx, w)
        cy0, cy1 = edges(y0, y1, sy, h)
        return {"crop": (cx0, cy0, cx1, cy1)}


class CropNonEmptyMaskIfExists(_WindowCrop):
    """Crop a ``height`` x ``width`` window around a random non-empty mask pixel.

    A pixel is chosen uniformly among those that are non-zero in any mask of the call
    (``mask`` and each entry of ``masks``), ignoring ``ignore_values`` and, for
    multi-channel masks, the channels in ``ignore_channels``; the window is placed at
    random among the positions that contain it. With no such pixel (or no mask) the
    window is placed anywhere.

    Args:
        height: crop height, at most the image's.
        width: crop width, at most the image's.
        ignore_values: mask values treated as background (0 always is).
        ignore_channels: channels of multi-channel masks that are not looked at.
        p: probability of applying the transform.

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: any.

    >>> import numpy as np
    >>> from augkit.transforms.bbox_crops import CropNonEmptyMaskIfExists
    >>> mask = np.zeros((100, 100), np.uint8); mask[90, 5] = 1
    >>> out = CropNonEmptyMaskIfExists(height=10, width=10)(image=np.zeros((100, 100), np.uint8), mask=mask)
    >>> int(out["mask"].sum())
    1
    """

    def __init__(self, height: int, width: int, ignore_values: list[int] | None = None,
                 ignore_channels: list[int] | None = None, p: float = 1.0):
        super().__init__(p=p)
        name = type(self).__name__
        self.height = check_positive_int(name, "height", height)
        self.width = check_positive_int(name, "width", width)
        for arg, value in (("ignore_values", ignore_values), ("ignore_channels", ignore_channels)):
            if value is None:
                continue
            if not (isinstance(value, Sequence) and not isinstance(value, str)
                    and all(P.is_number(v) for v in value)):
                raise P.fail(name, arg, value, f"{arg} must be None or a list of numbers")
        if ignore_channels is not None:
            for c in ignore_channels:
                P.check_number(name, "ignore_channels", c, 0, integer=True)
        self.ignore_values = list(ignore_values) if ignore_values is not None else None
        self.ignore_channels = list(ignore_channels) if ignore_channels is not None else None

    def _foreground(self, masks, shape) -> np.ndarray | None:
        fg = None
        for m in masks:
            m = np.asarray(m)
            if m.ndim == 3:
                keep = [c for c in range(m.shape[2]) if c not in (self.ignore_channels or ())]
                m = m[..., keep]
            nz = m != 0
            if self.ignore_values:
                nz &= ~np.isin(m, self.ignore_values)
            if nz.ndim == 3:
                nz = nz.any(axis=2)
            fg = nz if fg is None else (fg | nz)
        return fg

    def sample(self, rng, state):
        h, w = state.shape
        ch, cw = self.height, self.width
        _check_fits(type(self).__name__, state.shape, ch, cw)
        masks = state.current_masks()
        fg = self._foreground(masks, state.shape) if masks else None
        idx = np.flatnonzero(fg) if fg is not None else np.zeros(0, np.int64)
        if len(idx):
            y, x = divmod(int(idx[P.draw_int(rng, 0, len(idx) - 1)]), w)
            x0 = min(max(x - P.draw_int(rng, 0, cw - 1), 0), w - cw)
            y0 = min(max(y - P.draw_int(rng, 0, ch - 1), 0), h - ch)
        else:
            x0 = P.draw_int(rng, 0, w - cw)
            y0 = P.draw_int(rng, 0, h - ch)
        return {"crop": (x0, y0, x0 + cw, y0 + ch)}


class RandomCropFromBorders(_WindowCrop):
    """Cut a random amount off each side: up to ``crop_left`` of the width from the left, etc.

    The left edge moves in by ``randint(0, int(crop_left * W))`` pixels, the right one by
    up to ``int(crop_right * W)``, likewise top and bottom; at least one pixel remains.

    Args:
        crop_left: largest fraction of the width cut from the left, in [0, 1].
        crop_right: largest fraction of the width cut from the right, in [0, 1].
        crop_top: largest fraction of the height cut from the top, in [0, 1].
        crop_bottom: largest fraction of the height cut from the bottom, in [0, 1].
        p: probability of applying the transform.

    ``crop_left + crop_right`` and ``crop_top + crop_bottom`` must not exceed 1.

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: any.

    >>> import numpy as np
    >>> from augkit.transforms.bbox_crops import RandomCropFromBorders
    >>> out = RandomCropFromBorders(crop_left=0.5, crop_right=0, crop_top=0, crop_bottom=0)(
    ...     image=np.zeros((10, 10), np.uint8))
    >>> 5 <= out["image"].shape[1] <= 10
    True
    """

    def __init__(self, crop_left: float = 0.1, crop_right: float = 0.1, crop_top: float = 0.1,
                 crop_bottom: float = 0.1, p: float = 1.0):
        super().__init__(p=p)
        name = type(self).__name__
        self.crop_left = _check_rate(name, "crop_left", crop_left)
        self.crop_right = _check_rate(name, "crop_right", crop_right)
        self.crop_top = _check_rate(name, "crop_top", crop_top)
        self.crop_bottom = _check_rate(name, "crop_bottom", crop_bottom)
        if self.crop_left + self.crop_right > 1.0:
            raise InvalidParameterError(f"{name}(crop_left={crop_left!r}, crop_right={crop_right!r}): "
                                        f"crop_left + crop_right must be <= 1")
        if self.crop_top + self.crop_bottom > 1.0:
            raise InvalidParameterError(f"{name}(crop_top={crop_top!r}, crop_bottom={crop_bottom!r}): "
                                        f"crop_top + crop_bottom must be <= 1")

    def sample(self, rng, state):
        h, w = state.shape
        # four uniforms in one call (the same values as four rng.random() calls, 0.7 us
        # instead of 1.3 us), each scaled to its range as P.draw_int does. ``int(u * n)``
        # is below ``n`` for every u < 1 and integer n < 2**53 (the product rounds down
        # to n - 1 at worst), so no clamp is needed: each min() cost ~0.1 us here.
        nx0, x1_low = int(self.crop_left * w) + 1, w - int(self.crop_right * w)
        ny0, y1_low = int(self.crop_top * h) + 1, h - int(self.crop_bottom * h)
        if nx0 > w:
            nx0 = w
        if ny0 > h:
            ny0 = h
        u0, u1, u2, u3 = rng.random(4).tolist()
        x0, y0 = int(u0 * nx0), int(u2 * ny0)
        lo = x0 + 1 if x0 >= x1_low else x1_low
        x1 = lo + int(u1 * (w - lo + 1))
        lo = y0 + 1 if y0 >= y1_low else y1_low
        y1 = lo + int(u3 * (h - lo + 1))
        return {"crop": (x0, y0, x1, y1)}


# -------------------------------------------------------------------------------------
# letterbox
# -------------------------------------------------------------------------------------
class LetterBox(ResamplingTransform):
    """Resize keeping the aspect ratio to fit inside ``size``, then pad to exactly ``size``.

    The scale is ``min(H_out / H, W_out / W)``; the resized image is ``round(H * s)`` x
    ``round(W * s)`` and sits in the output per ``position`` ("center", "top_left",
    "top_right", "bottom_left", "bottom_right" or "random"); the rest is filled per
    ``border_mode`` / ``fill`` (``fill_mask`` for masks). One matrix (scale, then
    translate; :meth:`get_warp`), so boxes and keypoints map exactly and the step fuses
    with its neighbours; with a mirroring ``border_mode`` the resize and the pad are
    pushed as two steps, as ``LongestMaxSize`` + ``PadIfNeeded`` would be. Not in
    Albumentations 2.0.8.

    Args:
        size: output ``(height, width)``.
        position: where the resized image sits.
        border_mode: OpenCV border mode of the padding.
        fill: image padding value (one number or one per channel).
        fill_mask: mask padding value.
        interpolation: OpenCV interpolation for images.
        mask_interpolation: OpenCV interpolation for masks.
        p: probability of applying the transform.

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: uint8, uint16, float32 (masks: any).

    >>> import numpy as np
    >>> from augkit.transforms.bbox_crops import LetterBox
    >>> out = LetterBox(size=(64, 64))(image=np.full((50, 100), 255, np.uint8))["image"]
    >>> out.shape, int(out[0, 0]), int(out[32, 32])
    ((64, 64), 0, 255)
    """

    def __init__(self, size: tuple[int, int], position: str = "center",
                 border_mode: int = cv2.BORDER_CONSTANT, fill: Any = 0, fill_mask: Any = 0,
                 interpolation: int = cv2.INTER_LINEAR, mask_interpolation: int = cv2.INTER_NEAREST,
                 p: float = 1.0):
        super().__init__(p=p)
        name = type(self).__name__
        self.size = P.check_size(name, "size", size)
        self.position = P.check_choice(name, "position", position, POSITIONS)
        self._init_resampling(interpolation, mask_interpolation, border_mode, fill, fill_mask)

    def sample(self, rng, state):
        h, w = state.shape
        oh, ow = self.size
        s = min(oh / h, ow / w)
        nh = min(oh, max(1, int(round(h * s))))
        nw = min(ow, max(1, int(round(w * s))))
        top, _ = pad_split(oh - nh, self.position, rng, "y")
        left, _ = pad_split(ow - nw, self.position, rng, "x")
        return {"resized": (nh, nw), "offset": (top, left)}

    def get_warp(self, params, state):
        h, w = state.shape
        nh, nw = params["resized"]
        top, left = params["offset"]
        m = mx.translate(left, top) @ mx.scale(nw / w, nh / h)
        return self.make_warp(m, state, self.size)

    def apply_to_state(self, state, rng):
        params = self.sample(rng, state)
        if self.border_mode == cv2.BORDER_CONSTANT or params["resized"] == self.size:
            state.push_warp(self.get_warp(params, state))
            return
        # A mirrored border shows the resized image: push the resize and the pad as two
        # steps, so that the resize fuses with the steps before it (one resampling) and
        # the pad, which needs the resized pixels, is an exact copy after it.
        h, w = state.shape
        nh, nw = params["resized"]
        top, left = params["offset"]
        state.push_warp(self.make_warp(mx.scale(nw / w, nh / h), state, (nh, nw)))
        state.push_warp(self.make_warp(mx.translate(left, top), state, self.size))
