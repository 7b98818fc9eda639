"""Dropout transforms: cut holes into the picture and account for them in the annotations.

Names, arguments and defaults follow Albumentations 2.0.8 (``GridMask`` is an augkit
addition). These are not warps: a step first materializes the pending geometry, then
changes pixels at positions of the current frame (on copies, never the caller's arrays).
Kernels live in :mod:`augkit.functional.dropout`.

Common rules (see docs/transforms-dropout.md):

* ``fill`` (images): a number or one number per channel, in the image's own units
  (clipped to the dtype's range: 0..255, 0..65535, 0..1 for float32); ``"random"`` (every
  hole pixel its own random value over the dtype's range); ``"random_uniform"`` (one
  random colour per hole); ``"inpaint_telea"`` / ``"inpaint_ns"`` (cv2.inpaint, uint8
  images with 1 or 3 channels only).
* ``fill_mask`` (every mask target): a number or one per channel; None leaves masks alone.
* boxes: the visible area of a box is its area minus the area its holes cover, exact
  (holes are pixel sets; a box edge may cut a pixel, which then counts by the fraction
  inside the box). A box is removed with its labels when nothing of it stays visible, or
  when its visible area is below ``BboxParams.min_area`` or its visible fraction below
  ``min_visibility``. A kept box is cut back to the extent of its visible part, which
  changes it only where a hole covers a whole strip along one of its sides (as 2.0.8).
  ``min_width`` / ``min_height`` / ``max_accept_ratio`` apply to that extent.
* keypoints on a hole pixel become invisible and are removed when
  ``KeypointParams(remove_invisible=True)`` (the default); otherwise they stay in place.

Dtypes: uint8, uint16, float32 images (masks: any dtype).
"""

from __future__ import annotations

import functools
import math
import numbers
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from augkit.core import params as P
from augkit.core.transform import DualTransform
from augkit.errors import InvalidParameterError, TargetError, UnsupportedInputError
from augkit.functional import dropout as F

__all__ = [
    "CoarseDropout",
    "ConstrainedCoarseDropout",
    "Erasing",
    "GridDropout",
    "GridMask",
    "MaskDropout",
    "PixelDropout",
    "XYMasking",
]

_FILL_MODES = ("random", "random_uniform", "inpaint_telea", "inpaint_ns")
_IMAGE_DTYPES = frozenset(np.dtype(t) for t in ("uint8", "uint16", "float32"))


# -------------------------------------------------------------------------------------
# argument checks
# -------------------------------------------------------------------------------------
def _check_fill(owner: str, value: Any, name: str = "fill", modes: Sequence[str] = _FILL_MODES):
    if isinstance(value, str):
        if value in modes:
            return value
    elif P.is_number(value) and math.isfinite(value):
        return float(value)
    elif F.as_sequence(value) and len(value) > 0 and all(P.is_number(v) and math.isfinite(v) for v in value):
        return tuple(float(v) for v in value)
    extra = f" or one of {', '.join(repr(m) for m in modes)}" if modes else ""
    raise P.fail(owner, name, value, f"{name} must be a number, a sequence of numbers (one per channel){extra}")


def _check_fill_mask(owner: str, value: Any, name: str = "fill_mask"):
    return None if value is None else _check_fill(owner, value, name, modes=())


def _int_range(owner: str, name: str, value: Any, low: int) -> tuple[int, int]:
    """An int ``v`` means ``(v, v)``; ``(lo, hi)`` integers with ``low <= lo <= hi``."""
    return P.to_range(owner, name, value, scalar="point", integer=True, bounds=(low, None))


def _size_range(owner: str, name: str, value: Any) -> tuple[str, tuple[float, float]]:
    """A hole size range: Python ints are pixels, floats in [0, 1] fractions of the side.

    Floats above 1 that are whole numbers count as pixels too (``(10.0, 20.0)``).
    Returns ``("px" | "frac", (lo, hi))``.
    """
    lo, hi = P.to_range(owner, name, value, scalar="point", bounds=(0, None))
    ints = F.as_sequence(value) and all(isinstance(v, numbers.Integral) for v in value) \
        or isinstance(value, numbers.Integral)
    if ints:
        return "px", (int(lo), int(hi))
    if hi <= 1.0:
        return "frac", (float(lo), float(hi))
    if float(lo).is_integer() and float(hi).is_integer():
        return "px", (int(lo), int(hi))
    raise P.fail(owner, name, value, f"{name} must be integers (pixels) or floats in [0, 1] "
                                     f"(fractions of the image side)")


def _draw_sizes(rng: np.random.Generator, mode: str, rng_range: tuple[float, float], side: int,
                n: int) -> np.ndarray:
    """``n`` hole sizes along a side of ``side`` pixels, each at most ``side``."""
    lo, hi = rng_range
    if mode == "px":
        hi = min(int(hi), side)
        lo = min(int(lo), hi)
        return rng.integers(lo, hi + 1, size=n)
    return np.minimum((side * rng.uniform(lo, hi, size=n)).astype(np.int64), side)


def _place(rng: np.random.Generator, shape: tuple[int, int], hh: np.ndarray, ww: np.ndarray) -> np.ndarray:
    """Rectangles of the given sizes, each placed uniformly among the positions that fit.

    One uniform draw per coordinate scaled to the number of positions: 2 us for a few
    holes, against 8 us for ``rng.integers`` with per-hole upper bounds.
    """
    h, w = shape
    u = rng.random((2, len(hh)))
    y = np.minimum((u[0] * (h - hh + 1)).astype(np.int64), h - hh)
    x = np.minimum((u[1] * (w - ww + 1)).astype(np.int64), w - ww)
    return np.stack([x, y, x + ww, y + hh], axis=1)


def _legacy(owner: str, renames: dict[str, str] | None = None,
            ranges: Sequence[tuple[str, str, str, Any]] = (),
            pairs: Sequence[tuple[str, str, str, Any]] = ()):
    """Translate 1.x spellings to 2.x with a DeprecationWarning naming the 2.x spelling.

    ``ranges``: ``(min_name, max_name, new_name, max_default)``; a missing min means the
    max (the 1.x rule), a missing max its 1.x default (None: required).
    ``pairs``: ``(x_name, y_name, new_name, default)``; a missing side takes ``default``
    (None: both are required).
    """
    renames = renames or {}
    old_names = set(renames) | {n for r in (*ranges, *pairs) for n in r[:2]}

    def translate(kwargs):
        if not old_names & set(kwargs):
            return kwargs
        kwargs = dict(kwargs)
        for first, second, new, default in ranges:
            if first in kwargs or second in kwargs:
                if new in kwargs:
                    raise InvalidParameterError(f"{owner}: give {new}=..., not both {new} and {first}/{second}")
                hi = kwargs.pop(second, default)
                lo = kwargs.pop(first, None)
                if hi is None:
                    raise InvalidParameterError(f"{owner}: {first}= needs {second}= (1.x spelling of {new}=)")
                kwargs[new] = (hi if lo is None else lo, hi)
                warnings.warn(f"{owner}({first}=..., {second}=...) is the 1.x spelling; use "
                              f"{new}={kwargs[new]!r}", DeprecationWarning, stacklevel=3)
        for first, second, new, default in pairs:
            if first in kwargs or second in kwargs:
                if new in kwargs:
                    raise InvalidParameterError(f"{owner}: give {new}=..., not both {new} and {first}/{second}")
                a, b = kwargs.pop(first, default), kwargs.pop(second, default)
                if a is None or b is None:
                    raise InvalidParameterError(f"{owner}: {first}= and {second}= go together "
                                                f"(1.x spelling of {new}=)")
                kwargs[new] = (a, b)
                warnings.warn(f"{owner}({first}=..., {second}=...) is the 1.x spelling; use "
                              f"{new}={kwargs[new]!r}", DeprecationWarning, stacklevel=3)
        for old, new in renames.items():
            if old in kwargs:
                if new in kwargs:
                    raise InvalidParameterError(f"{owner}: give {new}=..., not both {new} and {old}")
                kwargs[new] = kwargs.pop(old)
                warnings.warn(f"{owner}({old}=...) is the 1.x spelling; use {new}=",
                              DeprecationWarning, stacklevel=3)
        return kwargs

    return staticmethod(translate)


_FILL_RENAMES = {"fill_value": "fill", "mask_fill_value": "fill_mask"}


# -------------------------------------------------------------------------------------
# holes
# -------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=256)
def _numeric_fill(fill, dtype: np.dtype, channels: int) -> np.ndarray:
    value = F.fill_value(fill, dtype, channels)
    value.setflags(write=False)  # shared between calls
    return value


def _mask_fill(owner: str, arg: str, fill, mask: np.ndarray):
    """``fill`` as values for ``mask`` (not clipped: label masks may hold any value), or a
    clear error naming the transform and the argument."""
    try:
        return F.fill_value(fill, mask.dtype, F.num_channels(mask), clip=False)
    except ValueError:
        raise TargetError(f"{owner}({arg}={fill!r}): does not fit a mask of shape {mask.shape}; "
                          f"give one value or one per channel") from None

class Holes:
    """The pixels one call drops: rectangles ``(N, 4)`` (``x_min, y_min, x_max, y_max``,
    integer pixel edges inside the frame) or an HxW int32 label image (0: kept, k: hole k)."""

    __slots__ = ("shape", "rects", "labels", "count", "_mask")

    def __init__(self, shape: tuple[int, int], rects: np.ndarray | None = None,
                 labels: np.ndarray | None = None, count: int | None = None,
                 mask: np.ndarray | None = None, inside: bool = False):
        self.shape = tuple(shape)
        if rects is not None and inside:
            count = len(rects)  # the sampler placed them inside the frame
        elif rects is not None:
            rects = np.asarray(rects, dtype=np.int64).reshape(-1, 4)
            h, w = self.shape
            rects = np.clip(rects, 0, [w, h, w, h])
            rects = rects[(rects[:, 2] > rects[:, 0]) & (rects[:, 3] > rects[:, 1])]
            count = len(rects)
        self.rects = rects
        self.labels = labels
        self.count = int(count or 0)
        self._mask = mask

    @property
    def empty(self) -> bool:
        return self.count == 0

    @property
    def mask(self) -> np.ndarray:
        """HxW bool: the dropped pixels."""
        if self._mask is None:
            self._mask = F.rects_to_mask(self.rects, self.shape) if self.rects is not None \
                else self.labels > 0
        return self._mask

    def label_image(self) -> np.ndarray:
        return self.labels if self.labels is not None else F.rects_to_labels(self.rects, self.shape)


def _fill_key(img: np.ndarray) -> tuple:
    return img.dtype, img.shape[2:]


def _first_mask(state) -> np.ndarray | None:
    for m in state.masks.values():
        return m
    for lst in state.mask_lists.values():
        if len(lst):
            return lst[0]
    return None


def _remove_covered(state, holes: Holes, hide_keypoints: bool = True) -> None:
    """Drop boxes (with their labels) and hide keypoints that the holes cover."""
    if not len(state.boxes) and not (hide_keypoints and len(state.kps)):
        return
    hole = holes.mask
    if len(state.boxes):
        boxes = state.boxes
        area, extent = F.box_visibility(boxes, hole)
        full = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
        keep = area > 0
        p = state.bbox_params
        if p is not None:
            with np.errstate(divide="ignore", invalid="ignore"):
                vis = np.where(full > 0, area / full, 0.0)
            w = extent[:, 2] - extent[:, 0]
            h = extent[:, 3] - extent[:, 1]
            keep &= (area >= p.min_area) & (vis >= p.min_visibility - 1e-12)
            keep &= (w >= p.min_width) & (h >= p.min_height)
            if p.max_accept_ratio is not None:
                with np.errstate(divide="ignore", invalid="ignore"):
                    keep &= np.maximum(w / h, h / w) <= p.max_accept_ratio
        state.boxes = extent[keep]
        state.box_index = state.box_index[keep]
    if hide_keypoints and len(state.kps):
        inside = F.points_in_holes(state.kps[:, :2], hole)
        if inside.any():
            state.kp_visible = state.kp_visible & ~inside
            state._drop_invisible_keypoints()


class _Dropout(DualTransform):
    """Shared engine step: materialize, draw the holes, fill images and masks, update
    boxes and keypoints. Subclasses implement :meth:`holes`."""

    targets = ("image", "mask", "masks", "bboxes", "keypoints")
    supported_dtypes = ("uint8", "uint16", "float32")
    #: whether keypoints on dropped pixels become invisible
    hides_keypoints = True
    #: the argument holding the image fill (for error messages)
    _fill_arg = "fill"

    def _init_fill(self, fill, fill_mask) -> None:
        name = type(self).__name__
        self.fill = _check_fill(name, fill)
        self.fill_mask = _check_fill_mask(name, fill_mask)

    # -- parameters ---------------------------------------------------------------------
    def holes(self, rng: np.random.Generator, state) -> Holes:  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__} must implement holes()")

    def sample(self, rng, state) -> dict[str, Any]:
        holes = self.holes(rng, state)
        params: dict[str, Any] = {"holes": holes, "seed": None, "random_fill": {}}
        if isinstance(self.fill, str) and self.fill.startswith("random") and not holes.empty:
            # values for the first image come straight from the pipeline's generator; other
            # images of another dtype or channel count draw from a generator seeded here
            # (creating one costs ~15 us, so only they pay for it)
            params["seed"] = int(rng.integers(0, 2**63))
            img = state.first_image
            if img is not None:
                params["random_fill"][_fill_key(img)] = self._random_fill(rng, holes, img)
        return params

    def _random_fill(self, gen: np.random.Generator, holes: Holes, img: np.ndarray):
        """Values for a "random" (per pixel) or "random_uniform" (per hole) fill of ``img``."""
        pix = (img.shape[2],) if img.ndim == 3 else ()
        if self.fill == "random_uniform":
            return F.random_values(gen, (holes.count + 1, *pix), img.dtype)
        if holes.rects is not None:
            return [F.random_values(gen, (y2 - y1, x2 - x1, *pix), img.dtype)
                    for x1, y1, x2, y2 in holes.rects.tolist()]
        return F.random_values(gen, (int(np.count_nonzero(holes.mask)), *pix), img.dtype)

    # -- checks ---------------------------------------------------------------------------
    def check_image(self, img: np.ndarray) -> None:
        name = type(self).__name__
        if img.dtype not in _IMAGE_DTYPES:
            raise UnsupportedInputError(f"{name}: image dtype {img.dtype} is not supported; "
                                        f"accepted: {', '.join(self.supported_dtypes)}")
        fill = self.fill
        if isinstance(fill, str) and fill.startswith("inpaint"):
            c = F.num_channels(img)
            if img.dtype != np.uint8 or c not in (1, 3):
                raise UnsupportedInputError(
                    f"{name}(fill={fill!r}): inpainting needs a uint8 image with 1 or 3 channels, "
                    f"got {img.dtype} with {c} channels; use a number, 'random' or 'random_uniform'")
        elif isinstance(fill, tuple) and len(fill) not in (1, F.num_channels(img)):
            raise UnsupportedInputError(
                f"{name}({self._fill_arg}={fill!r}): {len(fill)} fill values for an image with "
                f"{F.num_channels(img)} channels; give one value or one per channel")

    # -- pixels ---------------------------------------------------------------------------
    def _fill_for(self, dtype, channels: int) -> np.ndarray:
        """The numeric fill as an array of ``dtype`` (memoized module-wide: 4 us per
        conversion; the transform itself keeps no per-call state, so threads may share it)."""
        return _numeric_fill(self.fill, np.dtype(dtype), channels)

    def apply(self, img: np.ndarray, holes: Holes | None = None, seed: int | None = None,
              random_fill: dict | None = None, **params) -> np.ndarray:
        if holes is None or holes.empty:
            return img
        fill = self.fill
        c = F.num_channels(img)
        if fill in F.INPAINT_METHODS:
            return F.inpaint(img, holes.mask, fill)
        if fill in ("random", "random_uniform"):
            values = (random_fill or {}).get(_fill_key(img))
            if values is None:
                values = self._random_fill(np.random.default_rng(seed), holes, img)
            if fill == "random":
                if holes.rects is not None:
                    return F.fill_rects(img, holes.rects, values)
                return F.fill_labels(img, holes.labels, pixels=values)
            if holes.rects is not None:
                return F.fill_rects(img, holes.rects, list(values[1:]))
            return F.fill_labels(img, holes.labels, colours=values)
        value = self._fill_for(img.dtype, c)
        if holes.rects is not None:
            return F.fill_rects(img, holes.rects, value)
        return F.fill_labels(img, holes.labels, value=value)

    def apply_to_mask(self, mask: np.ndarray, holes: Holes | None = None, **params) -> np.ndarray:
        if self.fill_mask is None or holes is None or holes.empty:
            return mask
        value = _mask_fill(type(self).__name__, "fill_mask", self.fill_mask, mask)
        if holes.rects is not None:
            return F.fill_rects(mask, holes.rects, value)
        return F.fill_labels(mask, holes.labels if holes.labels is not None else holes.mask.view(np.uint8),
                             value=value)

    # -- engine ---------------------------------------------------------------------------
    def apply_to_state(self, state, rng: np.random.Generator) -> None:
        # not a warp: positions refer to the current frame, so pending geometry goes first
        state.materialize_all()
        for img in state.images.values():
            self.check_image(img)
        params = self.sample(rng, state)
        holes = params["holes"]
        if holes.empty:
            return
        for k, img in state.images.items():
            state.images[k] = self.apply(img, **params)
        if self.fill_mask is not None:
            for k, m in state.masks.items():
                state.masks[k] = self.apply_to_mask(m, **params)
            for k, lst in state.mask_lists.items():
                out = [self.apply_to_mask(m, **params) for m in lst]
                state.mask_lists[k] = (np.stack(out) if len(out) else lst) if isinstance(lst, np.ndarray) else out
        _remove_covered(state, holes, self.hides_keypoints)


# -------------------------------------------------------------------------------------
# rectangles at random
# -------------------------------------------------------------------------------------
class CoarseDropout(_Dropout):
    """Fill a random number of random rectangles.

    Args:
        num_holes_range: (min, max) number of holes, min >= 1.
        hole_height_range: (min, max) hole height: integers are pixels, floats in [0, 1]
            fractions of the image height (drawn uniformly, rounded down).
        hole_width_range: (min, max) hole width, same convention with the width.
        fill: image fill: a number, one per channel, "random", "random_uniform",
            "inpaint_telea" or "inpaint_ns" (module docstring).
        fill_mask: mask fill (number or one per channel); None leaves masks untouched.
        p: probability of applying the transform.

    Holes lie inside the image (top-left corner uniform over the positions that fit)
    and may overlap. 1.x spellings ``min_holes``/``max_holes``, ``min_height``/
    ``max_height``, ``min_width``/``max_width``, ``fill_value``, ``mask_fill_value`` are
    accepted with a DeprecationWarning.

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: uint8, uint16, float32.

    >>> import numpy as np, augkit as A
    >>> t = A.CoarseDropout(num_holes_range=(1, 1), hole_height_range=(4, 4),
    ...                     hole_width_range=(5, 5), p=1.0)
    >>> int((t(image=np.ones((20, 20), np.uint8))["image"] == 0).sum())
    20
    """

    _legacy_kwargs = _legacy("CoarseDropout", _FILL_RENAMES, ranges=(
        ("min_holes", "max_holes", "num_holes_range", 8),
        ("min_height", "max_height", "hole_height_range", 8),
        ("min_width", "max_width", "hole_width_range", 8)))

    def __init__(self, num_holes_range: tuple[int, int] = (1, 2),
                 hole_height_range: tuple[float, float] | tuple[int, int] = (0.1, 0.2),
                 hole_width_range: tuple[float, float] | tuple[int, int] = (0.1, 0.2),
                 fill: Any = 0, fill_mask: Any = None, p: float = 0.5):
        super().__init__(p=p)
        n = type(self).__name__
        self.num_holes_range = _int_range(n, "num_holes_range", num_holes_range, 1)
        self._h_mode, self.hole_height_range = _size_range(n, "hole_height_range", hole_height_range)
        self._w_mode, self.hole_width_range = _size_range(n, "hole_width_range", hole_width_range)
        self._init_fill(fill, fill_mask)

    def holes(self, rng, state):
        h, w = state.shape
        n = int(rng.integers(self.num_holes_range[0], self.num_holes_range[1], endpoint=True))
        hh = _draw_sizes(rng, self._h_mode, self.hole_height_range, h, n)
        ww = _draw_sizes(rng, self._w_mode, self.hole_width_range, w, n)
        return Holes((h, w), rects=_place(rng, (h, w), hh, ww), inside=True)


class Erasing(_Dropout):
    """Random Erasing (Zhong et al. 2017): fill one rectangle of random area and aspect ratio.

    Up to 10 tries: the area is drawn uniformly in ``scale`` times the image area, the
    aspect ratio (width / height) log-uniformly in ``ratio``; the first rectangle that
    fits the image is placed uniformly. When none fits, nothing is erased.

    Args:
        scale: (min, max) fraction of the image area, in [0, 1].
        ratio: (min, max) aspect ratio, > 0.
        fill: image fill (module docstring).
        fill_mask: mask fill; None leaves masks untouched.
        p: probability of applying the transform.

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: uint8, uint16, float32.

    >>> import numpy as np, augkit as A
    >>> out = A.Erasing(scale=(0.25, 0.25), ratio=(1, 1), p=1.0)(image=np.ones((20, 20), np.uint8))
    >>> int((out["image"] == 0).sum())
    100
    """

    _legacy_kwargs = _legacy("Erasing", _FILL_RENAMES)

    def __init__(self, scale: tuple[float, float] = (0.02, 0.33), ratio: tuple[float, float] = (0.3, 3.3),
                 fill: Any = 0, fill_mask: Any = None, p: float = 0.5):
        super().__init__(p=p)
        n = type(self).__name__
        self.scale = P.to_range(n, "scale", scale, scalar="point", bounds=(0, 1))
        self.ratio = P.to_range(n, "ratio", ratio, scalar="point", bounds=(0, None))
        if self.ratio[0] <= 0:
            raise P.fail(n, "ratio", ratio, "ratio must be positive")
        self._init_fill(fill, fill_mask)

    def holes(self, rng, state):
        h, w = state.shape
        area = h * w
        log_ratio = (math.log(self.ratio[0]), math.log(self.ratio[1]))
        for _ in range(10):
            target = area * P.draw_uniform(rng, *self.scale)
            aspect = math.exp(P.draw_uniform(rng, *log_ratio))
            eh = int(round(math.sqrt(target / aspect)))
            ew = int(round(math.sqrt(target * aspect)))
            if 0 < eh <= h and 0 < ew <= w:
                y = int(rng.integers(0, h - eh, endpoint=True))
                x = int(rng.integers(0, w - ew, endpoint=True))
                return Holes((h, w), rects=np.array([[x, y, x + ew, y + eh]]), inside=True)
        return Holes((h, w), rects=np.zeros((0, 4)))


_NO_RECTS = np.zeros((0, 4), np.int64)
_NO_RECTS.setflags(write=False)


class XYMasking(_Dropout):
    """Mask full-height vertical strips (along x) and full-width horizontal strips (along y),
    as in SpecAugment's time and frequency masking.

    Args:
        num_masks_x: number of vertical strips, an int or (min, max), >= 0.
        num_masks_y: number of horizontal strips, same.
        mask_x_length: width of a vertical strip in pixels, an int or (min, max).
        mask_y_length: height of a horizontal strip in pixels, an int or (min, max).
        fill: image fill (module docstring).
        fill_mask: mask fill; None leaves masks untouched.
        p: probability of applying the transform.

    With the defaults (no strips) the transform changes nothing. A strip longer than the
    image is an error at call time.

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: uint8, uint16, float32.

    >>> import numpy as np, augkit as A
    >>> t = A.XYMasking(num_masks_x=1, mask_x_length=3, p=1.0)
    >>> int((t(image=np.ones((10, 20), np.uint8))["image"] == 0).sum())
    30
    """

    _legacy_kwargs = _legacy("XYMasking", _FILL_RENAMES)

    def __init__(self, num_masks_x: int | tuple[int, int] = 0, num_masks_y: int | tuple[int, int] = 0,
                 mask_x_length: int | tuple[int, int] = 0, mask_y_length: int | tuple[int, int] = 0,
                 fill: Any = 0, fill_mask: Any = None, p: float = 0.5):
        super().__init__(p=p)
        n = type(self).__name__
        self.num_masks_x = _int_range(n, "num_masks_x", num_masks_x, 0)
        self.num_masks_y = _int_range(n, "num_masks_y", num_masks_y, 0)
        self.mask_x_length = _int_range(n, "mask_x_length", mask_x_length, 0)
        self.mask_y_length = _int_range(n, "mask_y_length", mask_y_length, 0)
        self._init_fill(fill, fill_mask)

    def holes(self, rng, state):
        h, w = state.shape
        # a fixed count is not drawn: numpy consumes no randomness for a one-value range
        # either, so seeded streams are unchanged; with the defaults (no strips) this
        # saves ~4 us per call
        (x0, x1), (y0, y1) = self.num_masks_x, self.num_masks_y
        nx = x0 if x0 == x1 else int(rng.integers(x0, x1, endpoint=True))
        ny = y0 if y0 == y1 else int(rng.integers(y0, y1, endpoint=True))
        if nx == 0 and ny == 0:
            return Holes((h, w), rects=_NO_RECTS, inside=True)
        for count, lengths, side, arg in ((nx, self.mask_x_length, w, "mask_x_length"),
                                          (ny, self.mask_y_length, h, "mask_y_length")):
            if count and lengths[1] > side:
                raise TargetError(f"XYMasking({arg}={lengths}): strips longer than the image "
                                  f"side ({side} px)")
        # a handful of strips: one uniform draw each for length and position, in Python
        # (8 us per call against 30 us for vectorized numpy on 2-6 elements)
        (xl0, xl1), (yl0, yl1) = self.mask_x_length, self.mask_y_length
        u = rng.random(2 * (nx + ny)).tolist()
        rects = []
        for k in range(nx):
            lx = xl0 + min(int(u[2 * k] * (xl1 - xl0 + 1)), xl1 - xl0)
            x = min(int(u[2 * k + 1] * (w - lx + 1)), w - lx)
            rects.append((x, 0, x + lx, h))
        for k in range(nx, nx + ny):
            ly = yl0 + min(int(u[2 * k] * (yl1 - yl0 + 1)), yl1 - yl0)
            y = min(int(u[2 * k + 1] * (h - ly + 1)), h - ly)
            rects.append((0, y, w, y + ly))
        return Holes((h, w), rects=np.array(rects, dtype=np.int64).reshape(-1, 4), inside=True)


# -------------------------------------------------------------------------------------
# grids
# -------------------------------------------------------------------------------------
def _cell_edges(side: int, cells: int) -> np.ndarray:
    """Edges of ``cells`` near-equal cells along ``side`` pixels."""
    return np.round(np.linspace(0, side, cells + 1)).astype(np.int64)


class GridDropout(_Dropout):
    """Cut the image into a grid of cells and drop one rectangle in each.

    Grid: ``holes_number_xy = (nx, ny)`` cells along x and y; else a square unit drawn
    uniformly (inclusive) from ``unit_size_range`` pixels, giving ``W // unit`` by
    ``H // unit`` cells; else units of ``max(2, W // 10)`` by ``max(2, H // 10)``. Cell
    edges are spread evenly over the image. In each cell the hole is ``ratio`` of the
    cell's width and height (rounded down, at least 1 px and at most the cell less 1 px);
    with ``random_offset`` each hole is placed uniformly inside its cell, otherwise at
    ``shift_xy`` pixels from the cell's top-left corner (kept inside the image).

    Args:
        ratio: hole side / cell side, in (0, 1].
        random_offset: place each hole at random inside its cell.
        unit_size_range: (min, max) cell side in pixels, min >= 2; max at most the
            image's shorter side (checked at call time).
        holes_number_xy: (number of cells along x, along y), each >= 1; overrides
            ``unit_size_range``.
        shift_xy: (x, y) offset of the holes in their cells when ``random_offset`` is False.
        fill: image fill (module docstring); "random_uniform" gives one colour per cell.
        fill_mask: mask fill; None leaves masks untouched.
        p: probability of applying the transform.

    1.x spellings ``unit_size_min``/``unit_size_max``, ``holes_number_x``/
    ``holes_number_y``, ``shift_x``/``shift_y``, ``fill_value``, ``mask_fill_value`` are
    accepted with a DeprecationWarning.

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: uint8, uint16, float32.

    >>> import numpy as np, augkit as A
    >>> t = A.GridDropout(ratio=0.5, holes_number_xy=(2, 2), random_offset=False, p=1.0)
    >>> int((t(image=np.ones((8, 8), np.uint8))["image"] == 0).sum())
    16
    """

    _legacy_kwargs = _legacy("GridDropout", _FILL_RENAMES,
                             ranges=(("unit_size_min", "unit_size_max", "unit_size_range", None),),
                             pairs=(("holes_number_x", "holes_number_y", "holes_number_xy", None),
                                    ("shift_x", "shift_y", "shift_xy", 0)))

    def __init__(self, ratio: float = 0.5, random_offset: bool = True,
                 unit_size_range: tuple[int, int] | None = None,
                 holes_number_xy: tuple[int, int] | None = None, shift_xy: tuple[int, int] = (0, 0),
                 fill: Any = 0, fill_mask: Any = None, p: float = 0.5):
        super().__init__(p=p)
        n = type(self).__name__
        self.ratio = float(P.check_number(n, "ratio", ratio, 0, 1, low_inclusive=False))
        if not isinstance(random_offset, (bool, np.bool_)):
            raise P.fail(n, "random_offset", random_offset, "random_offset must be True or False")
        self.random_offset = bool(random_offset)
        self.unit_size_range = None if unit_size_range is None else \
            P.to_range(n, "unit_size_range", unit_size_range, scalar="point", integer=True,
                       bounds=(2, None))
        self.holes_number_xy = None if holes_number_xy is None else _pair(n, "holes_number_xy", holes_number_xy, 1)
        self.shift_xy = _pair(n, "shift_xy", shift_xy, 0)
        self._init_fill(fill, fill_mask)

    def _grid(self, rng, h: int, w: int) -> tuple[int, int]:
        if self.holes_number_xy is not None:
            nx, ny = self.holes_number_xy
            if nx > w or ny > h:
                raise TargetError(f"GridDropout(holes_number_xy={self.holes_number_xy}): more cells "
                                  f"than the {h}x{w} image has pixels along a side")
            return nx, ny
        if self.unit_size_range is not None:
            lo, hi = self.unit_size_range
            if hi > min(h, w):
                raise TargetError(f"GridDropout(unit_size_range={self.unit_size_range}): the unit must "
                                  f"fit the image's shorter side ({min(h, w)} px)")
            unit = int(rng.integers(lo, hi, endpoint=True))
            return max(1, w // unit), max(1, h // unit)
        return max(1, w // max(2, w // 10)), max(1, h // max(2, h // 10))

    def holes(self, rng, state):
        h, w = state.shape
        nx, ny = self._grid(rng, h, w)
        xe, ye = _cell_edges(w, nx), _cell_edges(h, ny)
        cx0, cy0 = np.meshgrid(xe[:-1], ye[:-1])
        cw, ch = np.meshgrid(np.diff(xe), np.diff(ye))
        cx0, cy0, cw, ch = cx0.ravel(), cy0.ravel(), cw.ravel(), ch.ravel()
        hw = np.maximum(1, np.minimum((cw * self.ratio).astype(np.int64), cw - 1))
        hh = np.maximum(1, np.minimum((ch * self.ratio).astype(np.int64), ch - 1))
        if self.random_offset:
            ox = rng.integers(0, np.maximum(cw - hw, 0), endpoint=True)
            oy = rng.integers(0, np.maximum(ch - hh, 0), endpoint=True)
        else:
            ox, oy = self.shift_xy
        x = np.minimum(cx0 + ox, w - hw)
        y = np.minimum(cy0 + oy, h - hh)
        return Holes((h, w), rects=np.stack([x, y, x + hw, y + hh], axis=1))


def _pair(owner: str, name: str, value: Any, low: int) -> tuple[int, int]:
    if F.as_sequence(value) and len(value) == 2 and all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= low for v in value):
        return int(value[0]), int(value[1])
    raise P.fail(owner, name, value, f"{name} must be (x, y) integers >= {low}")


class GridMask(_Dropout):
    """GridMask (Chen et al. 2020): drop a regular grid of square holes, optionally rotated.

    The grid has a square unit of side ``d`` drawn per call from ``unit_size_range``;
    each unit holds one square hole of side ``round(ratio * d)`` at its top-left corner
    (so the paper's keep ratio ``r`` is ``1 - ratio``). With ``random_offset`` the whole
    grid is shifted by a random ``(dx, dy)`` in ``[0, d)``; ``rotate`` turns the grid about
    the image centre by an angle drawn uniformly from the range (degrees). Unlike
    :class:`GridDropout`, all holes stay aligned on one lattice.

    Args:
        unit_size_range: (min, max) unit side ``d``: integers are pixels (>= 2), floats
            in (0, 1] fractions of the image's shorter side.
        ratio: hole side / unit side, in (0, 1).
        rotate: angle range in degrees; one number v means (-v, v); 0 keeps the grid
            axis-aligned (holes are then exact pixel rectangles).
        random_offset: shift the grid at random; False puts a hole at the top-left corner.
        fill: image fill (module docstring); "random_uniform" gives one colour per square.
        fill_mask: mask fill; None leaves masks untouched.
        p: probability of applying the transform.

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: uint8, uint16, float32.

    >>> import numpy as np, augkit as A
    >>> t = A.GridMask(unit_size_range=(10, 10), ratio=0.5, random_offset=False, p=1.0)
    >>> int((t(image=np.ones((20, 20), np.uint8))["image"] == 0).sum())
    100
    """

    def __init__(self, unit_size_range: tuple[float, float] | tuple[int, int] = (0.2, 0.5),
                 ratio: float = 0.4, rotate: float | tuple[float, float] = 0,
                 random_offset: bool = True, fill: Any = 0, fill_mask: Any = None, p: float = 0.5):
        super().__init__(p=p)
        n = type(self).__name__
        self._mode, self.unit_size_range = _size_range(n, "unit_size_range", unit_size_range)
        if self._mode == "px" and self.unit_size_range[0] < 2:
            raise P.fail(n, "unit_size_range", unit_size_range, "unit_size_range in pixels must be >= 2")
        if self._mode == "frac" and self.unit_size_range[0] <= 0:
            raise P.fail(n, "unit_size_range", unit_size_range, "unit_size_range fractions must be > 0")
        self.ratio = float(P.check_number(n, "ratio", ratio, 0, 1, low_inclusive=False))
        if self.ratio >= 1:
            raise P.fail(n, "ratio", ratio, "ratio must be < 1 (1 would drop the whole image)")
        self.rotate = P.to_range(n, "rotate", rotate)
        if not isinstance(random_offset, (bool, np.bool_)):
            raise P.fail(n, "random_offset", random_offset, "random_offset must be True or False")
        self.random_offset = bool(random_offset)
        self._init_fill(fill, fill_mask)

    def holes(self, rng, state):
        h, w = state.shape
        lo, hi = self.unit_size_range
        if self._mode == "px":
            d = int(rng.integers(lo, hi, endpoint=True))
        else:
            d = max(2, int(round(P.draw_uniform(rng, lo, hi) * min(h, w))))
        side = min(d - 1, max(1, int(round(self.ratio * d))))
        ox, oy = (int(v) for v in rng.integers(0, d, size=2)) if self.random_offset else (0, 0)
        angle = float(P.draw_uniform(rng, *self.rotate)) if self.rotate != (0.0, 0.0) else 0.0
        if angle == 0.0:
            xs = np.arange(ox - d, w, d)
            ys = np.arange(oy - d, h, d)
            gx, gy = np.meshgrid(xs, ys)
            gx, gy = gx.ravel(), gy.ravel()
            return Holes((h, w), rects=np.stack([gx, gy, gx + side, gy + side], axis=1))
        # rotation about the centre: the lattice is anchored at the image's top-left corner
        # before turning, like the unrotated grid
        labels = F.rotated_squares((h, w), d, side, angle, (ox - w / 2.0, oy - h / 2.0))
        return Holes((h, w), labels=labels, count=int(labels.max()))


# -------------------------------------------------------------------------------------
# holes from the annotations
# -------------------------------------------------------------------------------------
class MaskDropout(_Dropout):
    """Remove whole objects of the mask: their pixels get ``fill`` in the image and
    ``fill_mask`` in every mask.

    Objects are the 8-connected regions of equal non-zero value of the ``mask`` target
    (its first channel if it has several; without a ``mask``, the first entry of
    ``masks``). A number of objects drawn from ``max_objects`` is chosen at random
    (all of them when there are fewer).

    Args:
        max_objects: (min, max) objects to remove; one int v means (1, v).
        fill: image fill: a number, one per channel, "random", "random_uniform" (one
            colour per object), "inpaint_telea" or "inpaint_ns".
        fill_mask: mask value of removed objects (one per channel allowed); None leaves
            masks untouched.
        p: probability of applying the transform.

    Boxes and keypoints follow the common rules (module docstring). 1.x spellings
    ``image_fill_value`` and ``mask_fill_value`` are accepted with a DeprecationWarning.

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: uint8, uint16, float32.

    >>> import numpy as np, augkit as A
    >>> mask = np.zeros((6, 6), np.uint8); mask[1:3, 1:3] = 1
    >>> out = A.MaskDropout(p=1.0)(image=np.ones((6, 6), np.uint8), mask=mask)
    >>> int(out["image"].sum()), int(out["mask"].sum())
    (32, 0)
    """

    _legacy_kwargs = _legacy("MaskDropout", {"image_fill_value": "fill", "mask_fill_value": "fill_mask"})

    def __init__(self, max_objects: tuple[int, int] | int = (1, 1), fill: Any = 0, fill_mask: Any = 0,
                 p: float = 0.5):
        super().__init__(p=p)
        n = type(self).__name__
        if isinstance(max_objects, numbers.Integral) and not isinstance(max_objects, bool):
            P.check_number(n, "max_objects", max_objects, 1, integer=True)
            self.max_objects = (1, int(max_objects))
        else:
            self.max_objects = _int_range(n, "max_objects", max_objects, 0)
        self._init_fill(fill, fill_mask)

    @property
    def targets_as_params(self) -> list[str]:
        return ["mask"]

    def holes(self, rng, state):
        mask = _first_mask(state)
        if mask is None:
            raise TargetError("MaskDropout needs a mask: call it with mask=<HxW label mask>")
        components, objects = F.mask_objects(mask)
        shape = tuple(state.shape)
        count = len(objects)
        k = 0
        if count:
            k = min(count, int(rng.integers(self.max_objects[0], self.max_objects[1], endpoint=True)))
        if k == 0:
            return Holes(shape, labels=np.zeros(shape, np.int32), count=0)
        chosen = rng.choice(count, size=k, replace=False) if k < count else np.arange(count)
        return Holes(shape, labels=F.object_labels(components, objects, chosen, shape), count=k)


class ConstrainedCoarseDropout(_Dropout):
    """Drop rectangles on chosen objects only: mask classes or box labels.

    Mask mode (``mask_indices`` given and a ``mask`` passed): each 8-connected region of
    pixels whose mask value is in ``mask_indices`` gets ``n`` holes centred on pixels drawn
    uniformly from it (with replacement); a hole's height and width are fractions drawn
    from the ranges times ``sqrt(region area)``. Box mode (otherwise, ``bbox_labels``
    given): each box whose label (first ``label_fields`` entry, else the first extra
    column of the box row) is in ``bbox_labels`` gets ``n`` holes, fractions of the box's
    height and width, placed uniformly inside the box. ``n`` is drawn once per call from
    ``num_holes_range``. Holes are clipped to the image; without targets nothing happens.

    Args:
        num_holes_range: (min, max) holes per object, min >= 1.
        hole_height_range: (min, max) fraction of the object's size, in [0, 1].
        hole_width_range: (min, max) fraction, in [0, 1].
        fill: image fill (module docstring).
        fill_mask: mask fill; None leaves masks untouched.
        p: probability of applying the transform.
        mask_indices: mask values of the target objects (>= 1), or None.
        bbox_labels: labels of the target boxes, or None.

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: uint8, uint16, float32.

    >>> import numpy as np, augkit as A
    >>> mask = np.zeros((20, 20), np.uint8); mask[5:15, 5:15] = 2
    >>> t = A.ConstrainedCoarseDropout(hole_height_range=(0.5, 0.5), hole_width_range=(0.5, 0.5),
    ...                                mask_indices=[2], p=1.0)
    >>> int((t(image=np.ones((20, 20), np.uint8), mask=mask)["image"] == 0).sum())
    25
    """

    def __init__(self, num_holes_range: tuple[int, int] = (1, 1),
                 hole_height_range: tuple[float, float] = (0.1, 0.1),
                 hole_width_range: tuple[float, float] = (0.1, 0.1),
                 fill: Any = 0, fill_mask: Any = None, p: float = 0.5,
                 mask_indices: list[int] | None = None, bbox_labels: list[Any] | None = None):
        super().__init__(p=p)
        n = type(self).__name__
        self.num_holes_range = _int_range(n, "num_holes_range", num_holes_range, 1)
        self.hole_height_range = P.to_range(n, "hole_height_range", hole_height_range, scalar="point",
                                            bounds=(0, 1))
        self.hole_width_range = P.to_range(n, "hole_width_range", hole_width_range, scalar="point",
                                           bounds=(0, 1))
        if mask_indices is not None:
            if not (F.as_sequence(mask_indices) and all(
                    isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= 1 for v in mask_indices)):
                raise P.fail(n, "mask_indices", mask_indices, "mask_indices must be a list of integers >= 1")
            mask_indices = [int(v) for v in mask_indices]
        if bbox_labels is not None and not F.as_sequence(bbox_labels):
            raise P.fail(n, "bbox_labels", bbox_labels, "bbox_labels must be a list of labels")
        self.mask_indices = mask_indices
        self.bbox_labels = None if bbox_labels is None else list(bbox_labels)
        self._init_fill(fill, fill_mask)

    def holes(self, rng, state):
        shape = tuple(state.shape)
        h, w = shape
        n = int(rng.integers(self.num_holes_range[0], self.num_holes_range[1], endpoint=True))
        mask = _first_mask(state) if self.mask_indices is not None else None
        if mask is not None:
            values = mask[..., 0] if mask.ndim == 3 else mask
            xy, areas = F.sample_in_components(F.values_in(values, self.mask_indices), n, rng)
            size = np.sqrt(areas)
            hh = (rng.uniform(*self.hole_height_range, size=len(xy)) * size).astype(np.int64)
            ww = (rng.uniform(*self.hole_width_range, size=len(xy)) * size).astype(np.int64)
            x0 = xy[:, 0] - ww // 2
            y0 = xy[:, 1] - hh // 2
            return Holes(shape, rects=np.stack([x0, y0, x0 + ww, y0 + hh], axis=1))
        if self.bbox_labels is None or not len(state.boxes):
            return Holes(shape, rects=np.zeros((0, 4)))
        boxes = state.boxes[self._box_selected(state)]
        k = len(boxes)
        bw = (boxes[:, 2] - boxes[:, 0])[:, None]
        bh = (boxes[:, 3] - boxes[:, 1])[:, None]
        hh = (rng.uniform(*self.hole_height_range, size=(k, n)) * bh).astype(np.int64)
        ww = (rng.uniform(*self.hole_width_range, size=(k, n)) * bw).astype(np.int64)
        x0 = np.floor(boxes[:, :1] + rng.random((k, n)) * (bw - ww)).astype(np.int64)
        y0 = np.floor(boxes[:, 1:2] + rng.random((k, n)) * (bh - hh)).astype(np.int64)
        rects = np.stack([x0, y0, x0 + ww, y0 + hh], axis=-1).reshape(-1, 4)
        return Holes(shape, rects=rects)

    def _box_selected(self, state) -> np.ndarray:
        """Which current boxes carry one of ``bbox_labels``."""
        fields = state.bbox_params.label_fields if state.bbox_params is not None else ()
        if fields:
            source = state.labels[fields[0]]
            labels = [source[int(i)] for i in state.box_index]
        else:
            rows = state.bbox_rows
            labels = []
            for i in state.box_index:
                row = rows.rows[int(i)]
                labels.append(row[4] if len(row) > 4 else None)
        wanted = self.bbox_labels
        return np.array([_label_in(lab, wanted) for lab in labels], dtype=bool)


def _label_in(label: Any, wanted: list[Any]) -> bool:
    if isinstance(label, np.generic):
        label = label.item()
    return any(label == v for v in wanted)


# -------------------------------------------------------------------------------------
# single pixels
# -------------------------------------------------------------------------------------
class PixelDropout(_Dropout):
    """Set random pixels (or, with ``per_channel``, random channel values) to ``drop_value``.

    Each pixel is dropped independently with probability ``dropout_prob`` (drawn exactly:
    a binomial count, then that many distinct positions). With ``per_channel`` each
    channel value is dropped on its own.

    Args:
        dropout_prob: probability of dropping a pixel, in [0, 1].
        per_channel: drop channel values independently.
        drop_value: a number, one per channel, or None for random values over the dtype's
            range (one per dropped value).
        mask_drop_value: mask value at the dropped pixels (number or one per channel);
            None leaves masks untouched. Masks mark the same pixels as the image.
        p: probability of applying the transform.

    A pixel counts as dropped for masks and boxes when all its channels are dropped.
    Boxes follow the common rules (module docstring). Keypoints are kept: a dropped pixel
    is noise, not an occluder (as 2.0.8).

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: uint8, uint16, float32.

    >>> import numpy as np, augkit as A
    >>> out = A.PixelDropout(dropout_prob=0.5, p=1.0)(image=np.ones((100, 100), np.uint8))["image"]
    >>> 4500 < int((out == 0).sum()) < 5500
    True
    """

    hides_keypoints = False
    _fill_arg = "drop_value"

    def __init__(self, dropout_prob: float = 0.01, per_channel: bool = False,
                 drop_value: Any = 0, mask_drop_value: Any = None, p: float = 0.5):
        super().__init__(p=p)
        n = type(self).__name__
        self.dropout_prob = float(P.check_number(n, "dropout_prob", dropout_prob, 0, 1))
        if not isinstance(per_channel, (bool, np.bool_)):
            raise P.fail(n, "per_channel", per_channel, "per_channel must be True or False")
        self.per_channel = bool(per_channel)
        self.drop_value = None if drop_value is None else _check_fill(n, drop_value, "drop_value", modes=())
        self.mask_drop_value = _check_fill_mask(n, mask_drop_value, "mask_drop_value")
        # the shared engine reads these two
        self.fill = "random" if self.drop_value is None else self.drop_value
        self.fill_mask = self.mask_drop_value

    def sample(self, rng, state):
        h, w = state.shape
        c = state.num_channels if self.per_channel else 1
        total = h * w * c
        k = int(rng.binomial(total, self.dropout_prob))
        index = np.sort(rng.choice(total, size=k, replace=False)) if k else np.zeros(0, np.int64)
        if c > 1:
            counts = np.bincount(index // c, minlength=h * w)
            pixels = np.flatnonzero(counts == c)
        else:
            pixels = index
        hole = np.zeros(h * w, dtype=bool)
        hole[pixels] = True
        hole = hole.reshape(h, w)
        seed = int(rng.integers(0, 2**63)) if self.drop_value is None and k else None
        return {"holes": Holes((h, w), mask=hole, count=k), "index": index, "pixels": pixels,
                "seed": seed, "per_element": c > 1}

    def apply(self, img, holes=None, index=None, seed=None, per_element=False, **params):
        if index is None or not len(index):
            return img
        c = F.num_channels(img)
        if per_element and c * img.shape[0] * img.shape[1] <= int(index[-1]):
            raise TargetError(f"PixelDropout(per_channel=True): every image of the call must have "
                              f"the same number of channels, got {img.shape}")
        if self.drop_value is None:
            gen = np.random.default_rng(seed)
            values = F.random_values(gen, (len(index),) if per_element else (len(index), c), img.dtype)
        else:
            values = F.fill_value(self.drop_value, img.dtype, c)
            if per_element and values.ndim == 1:
                values = values[index % c]
        return F.drop_pixels(img, index, values, per_element)

    def apply_to_mask(self, mask, holes=None, pixels=None, **params):
        if self.mask_drop_value is None or pixels is None or not len(pixels):
            return mask
        value = _mask_fill(type(self).__name__, "mask_drop_value", self.mask_drop_value, mask)
        return F.drop_pixels(mask, pixels, value, False)
