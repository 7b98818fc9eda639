"""Flips, quarter turns, crops, pads and resizes.

All of them are matrices: flips, quarter turns, crops and pads are integer permutations
(applied by slicing, no interpolation); resizes are axis-aligned scales (``cv2.resize``).
Consecutive ones fuse into one operation.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import cv2
import numpy as np

from augkit.core import params as P
from augkit.errors import InvalidParameterError, TargetError
from augkit.geometry import matrices as mx
from augkit.transforms._spatial import POSITIONS, ResamplingTransform, check_positive_int, pad_split


class _FixedWarp(ResamplingTransform):
    """A step without random parameters: its warp depends on the frame only."""

    def __init__(self, p: float = 0.5):
        super().__init__(p=p)

    def sample(self, rng, state):
        return {}


def _flip(img: np.ndarray, code: int) -> np.ndarray | None:
    """``cv2.flip`` (29 us on 512x512x3 uint8, against ~850 us for copying a reversed view);
    None where OpenCV does not take the channel count."""
    if img.ndim == 3 and img.shape[2] > 4:
        return None
    out = cv2.flip(img, code)
    return out[..., None] if img.ndim == 3 and out.ndim == 2 else out


class HorizontalFlip(_FixedWarp):
    """Mirror left-right.

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: any.

    >>> import numpy as np, augkit as A
    >>> A.HorizontalFlip(p=1.0)(image=np.array([[1, 2, 3]], np.uint8))["image"].tolist()
    [[3, 2, 1]]
    """

    #: a step before it may be applied at once (see Compose._tails)
    whole_frame_flip = True

    def get_warp(self, params, state):
        return self.make_warp(mx.hflip(state.shape[1]), state)

    def direct_image(self, img, params):
        return _flip(img, 1)


class VerticalFlip(_FixedWarp):
    """Mirror top-bottom.

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: any.

    >>> import numpy as np, augkit as A
    >>> A.VerticalFlip(p=1.0)(image=np.array([[1], [2]], np.uint8))["image"].tolist()
    [[2], [1]]
    """

    #: a step before it may be applied at once (see Compose._tails)
    whole_frame_flip = True

    def get_warp(self, params, state):
        return self.make_warp(mx.vflip(state.shape[0]), state)

    def direct_image(self, img, params):
        return _flip(img, 0)


class Transpose(_FixedWarp):
    """Swap rows and columns (mirror about the main diagonal).

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: any.

    >>> import numpy as np, augkit as A
    >>> A.Transpose(p=1.0)(image=np.array([[1, 2]], np.uint8))["image"].tolist()
    [[1], [2]]
    """

    def get_warp(self, params, state):
        h, w = state.shape
        return self.make_warp(mx.transpose(), state, (w, h))


def _dihedral(k: int, flip: bool, shape) -> tuple[np.ndarray, tuple[int, int]]:
    h, w = shape
    m = mx.rot90(k, h, w)
    out = (h, w) if k % 2 == 0 else (w, h)
    if flip:
        m = mx.hflip(out[1]) @ m
    return m, out


class RandomRotate90(ResamplingTransform):
    """Turn by a random multiple of 90 degrees (counter-clockwise, like ``np.rot90``).

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: any.

    >>> import numpy as np, augkit as A
    >>> out = A.RandomRotate90()(image=np.zeros((2, 3), np.uint8))["image"]
    """

    def __init__(self, p: float = 1):
        super().__init__(p=p)

    def sample(self, rng, state):
        return {"factor": P.draw_int(rng, 0, 3)}

    def get_warp(self, params, state):
        m, out = _dihedral(params["factor"], False, state.shape)
        return self.make_warp(m, state, out)


class D4(ResamplingTransform):
    """One of the 8 symmetries of a square (quarter turns, with or without a mirror), uniformly.

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: any.

    >>> import numpy as np, augkit as A
    >>> out = A.D4()(image=np.zeros((4, 4), np.uint8))["image"]
    """

    def __init__(self, p: float = 1):
        super().__init__(p=p)

    def sample(self, rng, state):
        g = P.draw_int(rng, 0, 7)
        return {"factor": g % 4, "flip": g >= 4}

    def get_warp(self, params, state):
        m, out = _dihedral(params["factor"], params["flip"], state.shape)
        return self.make_warp(m, state, out)


class SquareSymmetry(D4):
    """Alias of :class:`D4` under its descriptive name.

    >>> import numpy as np, augkit as A
    >>> out = A.SquareSymmetry()(image=np.zeros((4, 4), np.uint8))["image"]
    """


# -------------------------------------------------------------------------------------
# crops
# -------------------------------------------------------------------------------------
class _CropBase(ResamplingTransform):
    """A crop window ``(x0, y0, x1, y1)`` in the current frame, padded where it leaves it."""

    def _init_crop(self, pad_if_needed, pad_position, border_mode, fill, fill_mask):
        name = type(self).__name__
        self.pad_if_needed = bool(pad_if_needed)
        self.pad_position = P.check_choice(name, "pad_position", pad_position, POSITIONS)
        self._init_resampling(border_mode=border_mode, fill=fill, fill_mask=fill_mask)

    def _padded(self, rng, shape, ch, cw):
        """Padding (top, left) and the padded size so that a ch x cw crop fits."""
        h, w = shape
        if ch <= h and cw <= w:
            return 0, 0, h, w
        if not self.pad_if_needed:
            raise TargetError(f"{type(self).__name__}: crop size ({ch}, {cw}) exceeds the image "
                              f"size ({h}, {w}); use pad_if_needed=True or a smaller crop")
        top, _ = pad_split(max(0, ch - h), self.pad_position, rng, "y")
        left, _ = pad_split(max(0, cw - w), self.pad_position, rng, "x")
        return top, left, max(h, ch), max(w, cw)

    def get_warp(self, params, state):
        x0, y0, x1, y1 = params["crop"]
        return self.make_warp(mx.translate(-x0, -y0), state, (y1 - y0, x1 - x0))

    def direct_image(self, img, params):
        return self.direct_crop(img, params["crop"])


class Crop(_CropBase):
    """Cut out the window ``[x_min, x_max) x [y_min, y_max)`` (pixel edges).

    With ``pad_if_needed`` a window reaching outside the image is filled per
    ``border_mode``/``fill``; otherwise it is an error.

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: any.

    >>> import numpy as np, augkit as A
    >>> A.Crop(x_min=1, y_min=0, x_max=3, y_max=1)(image=np.arange(8).reshape(2, 4).astype(np.uint8))["image"].tolist()
    [[1, 2]]
    """

    def __init__(self, x_min: int = 0, y_min: int = 0, x_max: int = 1024, y_max: int = 1024,
                 pad_if_needed: bool = False, pad_position: str = "center",
                 border_mode: int = cv2.BORDER_CONSTANT, fill: Any = 0, fill_mask: Any = 0,
                 p: float = 1.0):
        super().__init__(p=p)
        name = type(self).__name__
        for k, v in (("x_min", x_min), ("y_min", y_min)):
            P.check_number(name, k, v, 0, integer=True)
        P.check_number(name, "x_max", x_max, x_min + 1, integer=True)
        P.check_number(name, "y_max", y_max, y_min + 1, integer=True)
        self.x_min, self.y_min, self.x_max, self.y_max = x_min, y_min, x_max, y_max
        self._init_crop(pad_if_needed, pad_position, border_mode, fill, fill_mask)

    def sample(self, rng, state):
        h, w = state.shape
        if (self.x_max > w or self.y_max > h) and not self.pad_if_needed:
            raise TargetError(f"Crop: window x {self.x_min}..{self.x_max}, y {self.y_min}..{self.y_max} "
                              f"leaves the {w}x{h} image; use pad_if_needed=True or a smaller window")
        return {"crop": (self.x_min, self.y_min, self.x_max, self.y_max)}


class RandomCrop(_CropBase):
    """Cut out a ``height`` x ``width`` window at a random position.

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: any.

    >>> import numpy as np, augkit as A
    >>> A.RandomCrop(height=2, width=2)(image=np.zeros((5, 5), np.uint8))["image"].shape
    (2, 2)
    """

    def __init__(self, height: int, width: int, pad_if_needed: bool = False,
                 pad_position: str = "center", border_mode: int = cv2.BORDER_CONSTANT,
                 fill: Any = 0.0, fill_mask: Any = 0.0, p: float = 1.0):
        super().__init__(p=p)
        self.height = check_positive_int("RandomCrop", "height", height)
        self.width = check_positive_int("RandomCrop", "width", width)
        self._init_crop(pad_if_needed, pad_position, border_mode, fill, fill_mask)

    def sample(self, rng, state):
        ch, cw = self.height, self.width
        h, w = state.shape
        top = left = 0
        if ch > h or cw > w:
            top, left, h, w = self._padded(rng, state.shape, ch, cw)
        uy, ux = rng.random(2).tolist()  # the same values as two rng.random() calls, one call
        # P.scaled_int written out (a third of this method's time on its own)
        ny, nx = h - ch + 1, w - cw + 1
        y = min(int(uy * ny), ny - 1) - top
        x = min(int(ux * nx), nx - 1) - left
        return {"crop": (x, y, x + cw, y + ch)}


class CenterCrop(_CropBase):
    """Cut out the central ``height`` x ``width`` window.

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: any.

    >>> import numpy as np, augkit as A
    >>> A.CenterCrop(height=1, width=1)(image=np.arange(9).reshape(3, 3).astype(np.uint8))["image"].tolist()
    [[4]]
    """

    def __init__(self, height: int, width: int, pad_if_needed: bool = False,
                 pad_position: str = "center", border_mode: int = cv2.BORDER_CONSTANT,
                 fill: Any = 0.0, fill_mask: Any = 0.0, p: float = 1.0):
        super().__init__(p=p)
        self.height = check_positive_int("CenterCrop", "height", height)
        self.width = check_positive_int("CenterCrop", "width", width)
        self._init_crop(pad_if_needed, pad_position, border_mode, fill, fill_mask)

    def sample(self, rng, state):
        top, left, h, w = self._padded(rng, state.shape, self.height, self.width)
        y = (h - self.height) // 2 - top
        x = (w - self.width) // 2 - left
        return {"crop": (x, y, x + self.width, y + self.height)}


class _ResizedCropBase(ResamplingTransform):
    def _init_resized(self, size, interpolation, mask_interpolation, area_for_downscale):
        name = type(self).__name__
        self.size = P.check_size(name, "size", size)
        self._init_resampling(interpolation, mask_interpolation)
        self.area_for_downscale = P.check_choice(name, "area_for_downscale", area_for_downscale,
                                                 (None, "image", "image_mask"))

    def get_warp(self, params, state):
        x0, y0, x1, y1 = params["crop"]
        oh, ow = self.size
        sx, sy = ow / (x1 - x0), oh / (y1 - y0)
        # scale(sx, sy) @ translate(-x0, -y0) written out: one array instead of three
        # and a product (~3 us less per call)
        m = np.array([[sx, 0.0, 0.0 - x0 * sx], [0.0, sy, 0.0 - y0 * sy], [0.0, 0.0, 1.0]])
        warp = self.make_warp(m, state, (oh, ow))
        _area_for_downscale(warp, self.area_for_downscale, (y1 - y0, x1 - x0), (oh, ow))
        return warp

    def direct_image(self, img, params):
        x0, y0, x1, y1 = params["crop"]
        oh, ow = self.size
        sx, sy = ow / (x1 - x0), oh / (y1 - y0)
        interp = _downscale_interpolation(self.interpolation, self.area_for_downscale,
                                          (y1 - y0, x1 - x0), (oh, ow))
        return self.direct_axis_aligned(img, sx, sy, 0.0 - x0 * sx, 0.0 - y0 * sy, (oh, ow), interp)


def _size_from_height_width(owner):
    """Translate the 1.x ``height=``/``width=`` spelling to 2.x ``size=(height, width)``."""
    def translate(kwargs):
        if "height" in kwargs or "width" in kwargs:
            if "size" in kwargs:
                raise InvalidParameterError(f"{owner}: give size=(height, width), not both size and height/width")
            if "height" not in kwargs or "width" not in kwargs:
                raise InvalidParameterError(f"{owner}: height= and width= go together (1.x spelling of size=)")
            warnings.warn(f"{owner}(height=..., width=...) is the 1.x spelling; use size=(height, width)",
                          DeprecationWarning, stacklevel=3)
            kwargs = dict(kwargs)
            kwargs["size"] = (kwargs.pop("height"), kwargs.pop("width"))
        return kwargs
    return staticmethod(translate)


def _downscale_interpolation(interpolation, mode, src, dst):
    """The image interpolation :func:`_area_for_downscale` leaves on a step's warp."""
    if mode is None or (dst[0] >= src[0] and dst[1] >= src[1]):
        return interpolation
    return cv2.INTER_AREA


def _area_for_downscale(warp, mode, src, dst):
    if mode is None or (dst[0] >= src[0] and dst[1] >= src[1]):
        return
    if warp.interpolation is not None:
        warp.interpolation = cv2.INTER_AREA
    if mode == "image_mask" and warp.mask_interpolation is not None:
        warp.mask_interpolation = cv2.INTER_AREA


class RandomResizedCrop(_ResizedCropBase):
    """Crop a random window (area fraction ``scale``, aspect ``ratio``) and resize it to ``size``.

    The Inception / torchvision recipe: ten tries to draw a window that fits, else the
    central window with the aspect ratio clamped to ``ratio``.

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: uint8, uint16, float32 (masks: any).

    >>> import numpy as np, augkit as A
    >>> A.RandomResizedCrop(size=(8, 8))(image=np.zeros((20, 30, 3), np.uint8))["image"].shape
    (8, 8, 3)
    """

    _legacy_kwargs = _size_from_height_width("RandomResizedCrop")

    def __init__(self, size: tuple[int, int], scale: tuple[float, float] = (0.08, 1.0),
                 ratio: tuple[float, float] = (0.75, 1.3333333333333333),
                 interpolation: int = cv2.INTER_LINEAR, mask_interpolation: int = cv2.INTER_NEAREST,
                 area_for_downscale: str | None = None, p: float = 1.0):
        super().__init__(p=p)
        self.scale = P.to_range("RandomResizedCrop", "scale", scale, bounds=(0, 1), scalar="point")
        if self.scale[1] <= 0:
            raise P.fail("RandomResizedCrop", "scale", scale, "scale must be positive")
        self.ratio = P.to_range("RandomResizedCrop", "ratio", ratio, bounds=(0, None), scalar="point")
        if self.ratio[0] <= 0:
            raise P.fail("RandomResizedCrop", "ratio", ratio, "ratio must be positive")
        self._init_resized(size, interpolation, mask_interpolation, area_for_downscale)

    def sample(self, rng, state):
        h, w = state.shape
        area = h * w
        s0, s1 = self.scale
        r0, r1 = math.log(self.ratio[0]), math.log(self.ratio[1])
        rand = rng.random
        for _ in range(10):
            # lo + (hi - lo) * random() is exactly what rng.uniform(lo, hi) computes (same
            # draws, same values), at 0.3 us against 0.9 us per draw
            target = area * (s0 + (s1 - s0) * rand())
            aspect = math.exp(r0 + (r1 - r0) * rand())
            cw = int(round(math.sqrt(target * aspect)))
            ch = int(round(math.sqrt(target / aspect)))
            if 0 < cw <= w and 0 < ch <= h:
                y = P.draw_int(rng, 0, h - ch)
                x = P.draw_int(rng, 0, w - cw)
                return {"crop": (x, y, x + cw, y + ch)}
        in_ratio = w / h
        if in_ratio < self.ratio[0]:
            cw, ch = w, int(round(w / self.ratio[0]))
        elif in_ratio > self.ratio[1]:
            ch, cw = h, int(round(h * self.ratio[1]))
        else:
            cw, ch = w, h
        ch, cw = max(1, min(ch, h)), max(1, min(cw, w))
        y, x = (h - ch) // 2, (w - cw) // 2
        return {"crop": (x, y, x + cw, y + ch)}


class RandomSizedCrop(_ResizedCropBase):
    """Crop a window of random height in ``min_max_height`` (width = height * ``w2h_ratio``), resize to ``size``.

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: uint8, uint16, float32 (masks: any).

    >>> import numpy as np, augkit as A
    >>> A.RandomSizedCrop(min_max_height=(4, 8), size=(6, 6))(image=np.zeros((10, 10), np.uint8))["image"].shape
    (6, 6)
    """

    _legacy_kwargs = _size_from_height_width("RandomSizedCrop")

    def __init__(self, min_max_height: tuple[int, int], size: tuple[int, int], w2h_ratio: float = 1.0,
                 interpolation: int = cv2.INTER_LINEAR, mask_interpolation: int = cv2.INTER_NEAREST,
                 area_for_downscale: str | None = None, p: float = 1.0):
        super().__init__(p=p)
        self.min_max_height = P.to_range("RandomSizedCrop", "min_max_height", min_max_height,
                                         scalar="point", integer=True, bounds=(1, None))
        self.w2h_ratio = P.check_number("RandomSizedCrop", "w2h_ratio", w2h_ratio, 0, low_inclusive=False)
        self._init_resized(size, interpolation, mask_interpolation, area_for_downscale)

    def sample(self, rng, state):
        h, w = state.shape
        ch = P.draw_int(rng, self.min_max_height[0], self.min_max_height[1])
        cw = int(ch * self.w2h_ratio)
        if ch > h or cw > w or cw < 1:
            raise TargetError(f"RandomSizedCrop: crop size ({ch}, {cw}) does not fit the image ({h}, {w}); "
                              f"lower min_max_height={self.min_max_height} or w2h_ratio={self.w2h_ratio}")
        y = P.draw_int(rng, 0, h - ch)
        x = P.draw_int(rng, 0, w - cw)
        return {"crop": (x, y, x + cw, y + ch)}


# -------------------------------------------------------------------------------------
# resizes
# -------------------------------------------------------------------------------------
class _ResizeBase(ResamplingTransform):
    def _init_resize(self, interpolation, mask_interpolation, area_for_downscale):
        self._init_resampling(interpolation, mask_interpolation)
        self.area_for_downscale = P.check_choice(type(self).__name__, "area_for_downscale",
                                                 area_for_downscale, (None, "image", "image_mask"))

    def get_warp(self, params, state):
        h, w = state.shape
        oh, ow = params["size"]
        warp = self.make_warp(mx.scale(ow / w, oh / h), state, (oh, ow))
        _area_for_downscale(warp, self.area_for_downscale, (h, w), (oh, ow))
        return warp

    def direct_image(self, img, params):
        h, w = img.shape[:2]
        oh, ow = params["size"]
        interp = _downscale_interpolation(self.interpolation, self.area_for_downscale, (h, w), (oh, ow))
        return self.direct_axis_aligned(img, ow / w, oh / h, 0.0, 0.0, (oh, ow), interp)


class Resize(_ResizeBase):
    """Resize to ``height`` x ``width``.

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: uint8, uint16, float32 (masks: any).

    >>> import numpy as np, augkit as A
    >>> A.Resize(height=4, width=6)(image=np.zeros((8, 8), np.uint8))["image"].shape
    (4, 6)
    """

    def __init__(self, height: int, width: int, interpolation: int = cv2.INTER_LINEAR,
                 mask_interpolation: int = cv2.INTER_NEAREST, area_for_downscale: str | None = None,
                 p: float = 1):
        super().__init__(p=p)
        self.height = check_positive_int("Resize", "height", height)
        self.width = check_positive_int("Resize", "width", width)
        self._init_resize(interpolation, mask_interpolation, area_for_downscale)

    def sample(self, rng, state):
        return {"size": (self.height, self.width)}


class _MaxSizeBase(_ResizeBase):
    _pick = max

    def __init__(self, max_size: int | Sequence[int] | None = None,
                 max_size_hw: tuple[int | None, int | None] | None = None,
                 interpolation: int = cv2.INTER_LINEAR, mask_interpolation: int = cv2.INTER_NEAREST,
                 area_for_downscale: str | None = None, p: float = 1):
        super().__init__(p=p)
        if max_size is None and max_size_hw is None:
            max_size = 1024
        self._init_max(max_size, max_size_hw)
        self._init_resize(interpolation, mask_interpolation, area_for_downscale)


    def _init_max(self, max_size, max_size_hw):
        name = type(self).__name__
        if (max_size is None) == (max_size_hw is None):
            raise InvalidParameterError(f"{name}(max_size={max_size!r}, max_size_hw={max_size_hw!r}): "
                                        f"give exactly one of max_size and max_size_hw")
        if max_size is not None:
            sizes = list(max_size) if isinstance(max_size, Sequence) else [max_size]
            if not sizes:
                raise P.fail(name, "max_size", max_size, "max_size must not be empty")
            for s in sizes:
                check_positive_int(name, "max_size", s)
            max_size = sizes if isinstance(max_size, Sequence) else int(max_size)
        else:
            if not (isinstance(max_size_hw, Sequence) and len(max_size_hw) == 2
                    and any(v is not None for v in max_size_hw)):
                raise P.fail(name, "max_size_hw", max_size_hw, "max_size_hw must be (height, width), one may be None")
            for v in max_size_hw:
                if v is not None:
                    check_positive_int(name, "max_size_hw", v)
        self.max_size = max_size
        self.max_size_hw = tuple(max_size_hw) if max_size_hw is not None else None

    def sample(self, rng, state):
        h, w = state.shape
        if self.max_size is not None:
            target = self.max_size
            if isinstance(target, list):
                target = target[P.draw_int(rng, 0, len(target) - 1)]
            s = target / type(self)._pick(h, w)
        else:
            mh, mw = self.max_size_hw
            ratios = [r for r in ((mh / h) if mh else None, (mw / w) if mw else None) if r is not None]
            s = self._combine(ratios)
        return {"size": (max(1, int(round(h * s))), max(1, int(round(w * s))))}


class LongestMaxSize(_MaxSizeBase):
    """Scale so that the longest side equals ``max_size`` (aspect ratio kept).

    ``max_size_hw=(H, W)`` instead fits the image inside ``H`` x ``W``.

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: uint8, uint16, float32 (masks: any).

    >>> import numpy as np, augkit as A
    >>> A.LongestMaxSize(max_size=10)(image=np.zeros((20, 40), np.uint8))["image"].shape
    (5, 10)
    """

    _pick = max

    @staticmethod
    def _combine(ratios):
        return min(ratios)


class SmallestMaxSize(_MaxSizeBase):
    """Scale so that the shortest side equals ``max_size`` (aspect ratio kept).

    ``max_size_hw=(H, W)`` instead scales so that the image covers ``H`` x ``W``.

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: uint8, uint16, float32 (masks: any).

    >>> import numpy as np, augkit as A
    >>> A.SmallestMaxSize(max_size=10)(image=np.zeros((20, 40), np.uint8))["image"].shape
    (10, 20)
    """

    _pick = min

    @staticmethod
    def _combine(ratios):
        return max(ratios)


class RandomScale(_ResizeBase):
    """Resize by a random factor ``1 + uniform(scale_limit)``.

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: uint8, uint16, float32 (masks: any).

    >>> import numpy as np, augkit as A
    >>> A.RandomScale(scale_limit=(1.0, 1.0), p=1.0)(image=np.zeros((4, 4), np.uint8))["image"].shape
    (8, 8)
    """

    def __init__(self, scale_limit: Any = (-0.1, 0.1), interpolation: int = cv2.INTER_LINEAR,
                 mask_interpolation: int = cv2.INTER_NEAREST, area_for_downscale: str | None = None,
                 p: float = 0.5):
        super().__init__(p=p)
        self.scale_limit = P.to_range("RandomScale", "scale_limit", scale_limit, bounds=(-1, None))
        if self.scale_limit[0] <= -1:
            raise P.fail("RandomScale", "scale_limit", scale_limit, "scale_limit must be > -1 (scale > 0)")
        self._init_resize(interpolation, mask_interpolation, area_for_downscale)

    def sample(self, rng, state):
        h, w = state.shape
        lo, hi = self.scale_limit
        s = 1.0 + (lo + (hi - lo) * rng.random())  # = rng.uniform(lo, hi), 0.6 us less
        return {"size": (max(1, int(round(h * s))), max(1, int(round(w * s)))), "scale": s}


# -------------------------------------------------------------------------------------
# pads
# -------------------------------------------------------------------------------------
class _PadBase(ResamplingTransform):
    def get_warp(self, params, state):
        top, bottom, left, right = params["pad"]
        h, w = state.shape
        return self.make_warp(mx.translate(left, top), state, (h + top + bottom, w + left + right))

    def direct_image(self, img, params):
        top, bottom, left, right = params["pad"]
        h, w = img.shape[:2]
        return self.direct_axis_aligned(img, 1.0, 1.0, left, top, (h + top + bottom, w + left + right), None)


class Pad(_PadBase):
    """Pad by fixed amounts: ``padding`` is one int, ``(pad_x, pad_y)`` or ``(left, top, right, bottom)``.

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: any.

    >>> import numpy as np, augkit as A
    >>> A.Pad(padding=(1, 2, 3, 4))(image=np.zeros((10, 10), np.uint8))["image"].shape
    (16, 14)
    """

    def __init__(self, padding: Any = 0, fill: Any = 0, fill_mask: Any = 0,
                 border_mode: int = cv2.BORDER_CONSTANT, p: float = 1.0):
        super().__init__(p=p)
        if isinstance(padding, (int, np.integer)) and not isinstance(padding, bool):
            pads = (padding,) * 4
        elif isinstance(padding, Sequence) and len(padding) == 2:
            pads = (padding[0], padding[1], padding[0], padding[1])
        elif isinstance(padding, Sequence) and len(padding) == 4:
            pads = tuple(padding)
        else:
            raise P.fail("Pad", "padding", padding, "padding must be an int, (pad_x, pad_y) or (left, top, right, bottom)")
        for v in pads:
            P.check_number("Pad", "padding", v, 0, integer=True)
        self.padding = padding
        self._pads = tuple(int(v) for v in pads)  # left, top, right, bottom
        self._init_resampling(border_mode=border_mode, fill=fill, fill_mask=fill_mask)

    def sample(self, rng, state):
        left, top, right, bottom = self._pads
        return {"pad": (top, bottom, left, right)}


class PadIfNeeded(_PadBase):
    """Pad up to ``min_height`` x ``min_width`` (or to multiples of the divisors).

    ``position`` says where the image sits: "center" splits the padding, "top_left" puts
    all of it bottom and right, "random" splits it at random.

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: any.

    >>> import numpy as np, augkit as A
    >>> A.PadIfNeeded(min_height=15, min_width=16)(image=np.zeros((10, 10), np.uint8))["image"].shape
    (15, 16)
    """

    def __init__(self, min_height: int | None = 1024, min_width: int | None = 1024,
                 pad_height_divisor: int | None = None, pad_width_divisor: int | None = None,
                 position: str = "center", border_mode: int = cv2.BORDER_CONSTANT, fill: Any = 0,
                 fill_mask: Any = 0, p: float = 1.0):
        super().__init__(p=p)
        for a, b, an, bn in ((min_height, pad_height_divisor, "min_height", "pad_height_divisor"),
                             (min_width, pad_width_divisor, "min_width", "pad_width_divisor")):
            if (a is None) == (b is None):
                raise InvalidParameterError(f"PadIfNeeded({an}={a!r}, {bn}={b!r}): give exactly one of {an} and {bn}")
            if a is not None:
                check_positive_int("PadIfNeeded", an, a)
            if b is not None:
                check_positive_int("PadIfNeeded", bn, b)
        self.min_height, self.min_width = min_height, min_width
        self.pad_height_divisor, self.pad_width_divisor = pad_height_divisor, pad_width_divisor
        self.position = P.check_choice("PadIfNeeded", "position", position, POSITIONS)
        self._init_resampling(border_mode=border_mode, fill=fill, fill_mask=fill_mask)

    def sample(self, rng, state):
        h, w = state.shape
        ph = max(0, self.min_height - h) if self.min_height is not None else (-h) % self.pad_height_divisor
        pw = max(0, self.min_width - w) if self.min_width is not None else (-w) % self.pad_width_divisor
        top, bottom = pad_split(ph, self.position, rng, "y")
        left, right = pad_split(pw, self.position, rng, "x")
        if ph == 0 and pw == 0:
            return None
        return {"pad": (top, bottom, left, right)}


class CropAndPad(ResamplingTransform):
    """Crop (negative values) or pad (positive values) each side, then optionally resize back.

    ``px`` (pixels) or ``percent`` (of the side length) is one value, a ``(low, high)``
    range, or four entries for top, right, bottom, left (each a value, a range, or a list
    to choose from).

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: uint8, uint16, float32 (masks: any).

    >>> import numpy as np, augkit as A
    >>> A.CropAndPad(px=(1, 2, 3, 4), keep_size=False)(image=np.zeros((10, 10), np.uint8))["image"].shape
    (14, 16)
    """

    def __init__(self, px: Any = None, percent: Any = None, keep_size: bool = True,
                 sample_independently: bool = True, interpolation: int = cv2.INTER_LINEAR,
                 mask_interpolation: int = cv2.INTER_NEAREST, border_mode: int = cv2.BORDER_CONSTANT,
                 fill: Any = 0, fill_mask: Any = 0, p: float = 1.0):
        super().__init__(p=p)
        if (px is None) == (percent is None):
            raise InvalidParameterError(f"CropAndPad(px={px!r}, percent={percent!r}): give exactly one of px and percent")
        self.px, self.percent = px, percent
        value = px if px is not None else percent
        name = "px" if px is not None else "percent"
        self._sides = self._parse(name, value, integer=px is not None)
        self.keep_size = bool(keep_size)
        self.sample_independently = bool(sample_independently)
        self._init_resampling(interpolation, mask_interpolation, border_mode, fill, fill_mask)

    @staticmethod
    def _parse(name, value, integer):
        def one(v):
            if P.is_number(v):
                if integer and int(v) != v:
                    raise P.fail("CropAndPad", name, value, f"{name} values must be integers")
                return ("value", v)
            if isinstance(v, tuple) and len(v) == 2 and all(P.is_number(x) for x in v):
                lo, hi = v
                if lo > hi:
                    raise P.fail("CropAndPad", name, value, f"{name} ranges must be (low, high) with low <= high")
                return ("range", (lo, hi))
            if isinstance(v, list) and v and all(P.is_number(x) for x in v):
                return ("choice", list(v))
            raise P.fail("CropAndPad", name, value, f"{name} must be a number, (low, high), a list, or 4 of those")
        if isinstance(value, (list, tuple)) and len(value) == 4:
            return [one(x) for x in value]
        spec = one(value)
        return [spec] * 4

    def sample(self, rng, state):
        h, w = state.shape
        integer = self.px is not None

        def draw(spec):
            kind, v = spec
            if kind == "value":
                return v
            if kind == "range":
                return P.draw_int(rng, v[0], v[1]) if integer else float(P.draw_uniform(rng, *v))
            return v[P.draw_int(rng, 0, len(v) - 1)]

        if self.sample_independently:
            vals = [draw(s) for s in self._sides]
        else:
            same = draw(self._sides[0])
            vals = [same] * 4
        top, right, bottom, left = vals
        if not integer:
            top, bottom = int(round(top * h)), int(round(bottom * h))
            right, left = int(round(right * w)), int(round(left * w))
        top, right, bottom, left = (int(v) for v in (top, right, bottom, left))
        # never crop everything away: keep at least one row and column
        if h + top + bottom < 1:
            bottom = 1 - h - top
        if w + left + right < 1:
            right = 1 - w - left
        return {"pad": (top, bottom, left, right)}

    def get_warp(self, params, state):
        top, bottom, left, right = params["pad"]
        h, w = state.shape
        nh, nw = h + top + bottom, w + left + right
        m = mx.translate(left, top)
        if self.keep_size and (nh, nw) != (h, w):
            m = mx.scale(w / nw, h / nh) @ m
            return self.make_warp(m, state, (h, w))
        return self.make_warp(m, state, (nh, nw))

    def direct_image(self, img, params):
        top, bottom, left, right = params["pad"]
        h, w = img.shape[:2]
        nh, nw = h + top + bottom, w + left + right
        if self.keep_size and (nh, nw) != (h, w):
            sx, sy = w / nw, h / nh
            return self.direct_axis_aligned(img, sx, sy, sx * left, sy * top, (h, w), self.interpolation)
        return self.direct_axis_aligned(img, 1.0, 1.0, left, top, (nh, nw), None)
