"""The per-call state of a pipeline: targets, pending geometry and pending lookup tables.

Spatial steps are recorded, not applied: each group of targets keeps a *segment*, the
product of the matrices pushed since that group was last materialized. Images are
materialized at the next pixel-level transform, masks and annotations only at the end
(or when a step needs them), so a chain of spatial steps costs one resampling.

Fusion must not change what a step-by-step run would show, so:

* a step reading outside its input frame with a constant border, after steps that
  cropped or turned the frame, records that frame as a polygon; pixels outside it are
  filled and annotations outside it are clipped (they would have been cut away);
* a step reading outside with a non-constant border (reflect, replicate, wrap) after
  such steps first materializes the pending segment, since its border content depends on
  the intermediate image;
* steps with different interpolations or fills do not fuse.

Boxes and keypoints always go through the fused matrix: a box is the extent of its
outline's image intersected with the region that stays visible, tighter than clipping
after each step.
"""

from __future__ import annotations

import math
from typing import Any

import cv2
import numpy as np

from augkit.core.targets import (
    BboxParams,
    KeypointParams,
    Rows,
    bboxes_from_internal,
    bboxes_to_internal,
    check_input_bboxes,
    gather_labels,
    keypoints_from_internal,
    keypoints_to_internal,
)
from augkit.errors import TargetError, UnsupportedInputError
from augkit.functional.lut import apply_lut, compose_luts
from augkit.geometry import matrices as mx
from augkit.geometry.chain import boxes_through_chain, forward_chain, inverse_map
from augkit.geometry.polygons import (
    all_axis_aligned,
    clipped_extents,
    frame_inside_convex,
    intersect_all,
    points_inside,
    rect_extent,
)
from augkit.geometry.warp import (
    OPENCV_VERSION,
    Warp,
    fill_outside,
    fill_where,
    maps_frame_onto_frame,
    remap_pixels,
    warp_pixels,
)

IMAGE_DTYPES = ("uint8", "uint16", "float32")
_IMAGE_DTYPES = {np.dtype(t) for t in IMAGE_DTYPES}
_EYE = np.eye(3)
_EMPTY4 = np.zeros((0, 4))
_EMPTY_INDEX = np.zeros(0, dtype=np.int64)
_EMPTY_BOOL = np.zeros(0, dtype=bool)
_DEFERRED = np.zeros(0, dtype=np.uint8)  # a pending table not built yet (see _lone_lut)
for _a in (_EYE, _EMPTY4, _EMPTY_INDEX, _EMPTY_BOOL):
    _a.setflags(write=False)


_NO_POLYGONS: list = []  # the empty clip list segments share; never appended to


class Segment:
    """Spatial steps pushed to one group of targets since it was last materialized."""

    __slots__ = ("matrix", "src_shape", "shape", "interp", "border", "fill", "polygons",
                 "_frame_exact", "steps", "box_method", "warps", "has_field", "all_exact")

    def __init__(self, shape: tuple[int, int]):
        self.reset(shape)

    def reset(self, shape: tuple[int, int]) -> None:
        self.matrix = _EYE  # shared, never written in place
        self.src_shape = shape
        self.shape = shape
        self.interp: int | None = None
        self.border: int | None = None
        self.fill: Any = None
        self.polygons: list[np.ndarray] = _NO_POLYGONS  # replaced, never changed in place
        self._frame_exact: bool | None = True
        self.steps = 0
        self.box_method = "largest_box"
        self.warps: list[Warp] = []  # every step, for segments holding a field
        self.has_field = False
        self.all_exact = True  # only integer permutations pushed: slicing applies

    @property
    def frame_exact(self) -> bool:
        """Whether the pending product maps the source frame exactly onto the current one
        (flips, quarter turns, resizes); computed only when a step reading outside asks."""
        if self._frame_exact is None:
            self._frame_exact = (not self.has_field
                                 and maps_frame_onto_frame(self.matrix, self.src_shape, self.shape))
        return self._frame_exact

    def accepts(self, warp: Warp, interp: int | None, fill: Any) -> bool:
        if self.steps == 0:
            return True
        if interp is not None and self.interp is not None and interp != self.interp:
            return False
        if warp.reads_outside:
            if self.border is not None and (self.border != warp.border_mode or self.fill != fill):
                return False
            if warp.border_mode != cv2.BORDER_CONSTANT and not self.frame_exact:
                return False
            if not self.frame_exact and self.interp is None and not warp.exact:
                # only crops/flips pending: slicing them out first is cheaper than
                # masking the region they cut, and just as exact
                return False
        return True

    def push(self, warp: Warp, interp: int | None, fill: Any, geometry: bool = False) -> None:
        self.warps.append(warp)
        self.all_exact = self.all_exact and warp.exact
        if warp.field is not None or self.has_field:
            # the chain is no longer one matrix: materialization walks ``warps`` instead
            self.has_field = True
            if interp is not None:
                self.interp = interp
            if warp.reads_outside and self.border is None:
                self.border, self.fill = warp.border_mode, fill
            self.shape = warp.out_shape
            self._frame_exact = False
            self.steps += 1
            return
        m = warp.matrix
        polys = self.polygons
        if polys:
            polys = [mx.apply_to_points(m, p) for p in polys]
        if warp.reads_outside and (geometry or not self.frame_exact):
            polys = polys + [mx.apply_to_points(m, mx.rect(*warp.in_shape))]
        self.polygons = polys  # a new list: a segment that follows this one may hold the old
        self.matrix = m if self.steps == 0 else m @ self.matrix
        if interp is not None:
            self.interp = interp
        if warp.reads_outside and self.border is None:
            self.border, self.fill = warp.border_mode, fill
        self.shape = warp.out_shape
        self._frame_exact = None
        self.steps += 1

    def in_step_with(self, lead: Segment, before: tuple) -> bool:
        """Whether this segment stood where ``lead`` stood before its last push (``before``:
        :meth:`position` then), so that the push's geometry applies to it unchanged."""
        steps, matrix, polygons, src_shape = before
        return (self.steps == steps and self.matrix is matrix and self.polygons is polygons
                and self.src_shape == src_shape and not lead.has_field and not self.has_field)

    def position(self) -> tuple:
        """What :meth:`in_step_with` compares: the pending product and its clip polygons."""
        return self.steps, self.matrix, self.polygons, self.src_shape

    def follow(self, lead: Segment, warp: Warp, interp: int | None, fill: Any) -> None:
        """:meth:`push` for a segment in step with ``lead``, which has just pushed ``warp``:
        the matrix product, clip polygons and frame test are taken from it (images and
        masks of one call move together: the mask repeated the image's products, ~3-5 us
        per step), interpolation and fill stay this segment's own."""
        self.warps.append(warp)
        self.all_exact = lead.all_exact
        self.matrix = lead.matrix
        self.polygons = lead.polygons
        self._frame_exact = lead._frame_exact
        if interp is not None:
            self.interp = interp
        if warp.reads_outside and self.border is None:
            self.border, self.fill = warp.border_mode, fill
        self.shape = warp.out_shape
        self.steps += 1

    def clip_polygons(self) -> list[np.ndarray]:
        """The recorded polygons that actually cut into the output frame."""
        if not self.polygons:
            return []
        h, w = self.shape
        cutting = []
        for p in self.polygons:
            extent = rect_extent(p)
            if extent is not None:
                # a rectangle contains the frame when its extent does (no polygon tests)
                x0, y0, x1, y1 = extent
                if x0 <= 1e-6 and y0 <= 1e-6 and x1 >= w - 1e-6 and y1 >= h - 1e-6:
                    continue
                cutting.append(p)
                continue
            if not frame_inside_convex(h, w, p, eps=1e-6):
                cutting.append(p)
        return cutting


class _UnusedSegment(Segment):
    """The segment of a target group the call does not have: never pushed, never reset."""

    __slots__ = ()

    def reset(self, shape: tuple[int, int]) -> None:
        if getattr(self, "steps", None) is None:  # the one-time initialization
            Segment.reset(self, shape)

    def push(self, *args, **kwargs) -> None:  # pragma: no cover - programming error
        raise RuntimeError("a step was pushed to the segment of an absent target group")


_UNUSED = _UnusedSegment((0, 0))


def _as_image(name: str, value: Any) -> np.ndarray:
    if not isinstance(value, np.ndarray):
        raise UnsupportedInputError(f"{name}: expected a numpy array, got {type(value).__name__}")
    if value.ndim not in (2, 3):
        raise TargetError(f"{name}: expected an HxW or HxWxC array, got shape {value.shape}")
    if value.shape[0] == 0 or value.shape[1] == 0 or (value.ndim == 3 and value.shape[2] == 0):
        raise TargetError(f"{name}: the image is empty (shape {value.shape})")
    return value


_UINT8 = np.dtype(np.uint8)


def check_image(name: str, img: Any) -> np.ndarray:
    if type(img) is np.ndarray and img.dtype is _UINT8 and 2 <= img.ndim <= 3 and img.size \
            and img.flags.c_contiguous:
        return img  # the commonest image, checked in ~0.15 us
    img = _as_image(name, img)
    if img.dtype not in _IMAGE_DTYPES:
        hint = " (convert with .astype(np.float32))" if img.dtype.kind == "f" else ""
        raise UnsupportedInputError(
            f"{name}: dtype {img.dtype} is not supported; accepted: uint8, uint16, "
            f"float32 in [0, 1]{hint}")
    img = opencv_layout(img)
    if img.dtype == np.float32 and img.size:
        lo, hi = _value_range(img)
        if not (lo >= 0.0 and hi <= 1.0):
            raise TargetError(f"{name}: float32 images must lie in [0, 1], got values in "
                              f"[{lo:.4g}, {hi:.4g}] (scale with ToFloat or divide by 255)")
    return img


def _value_range(img: np.ndarray) -> tuple[float, float]:
    """The smallest and largest value of a float image, both NaN when any value is NaN.

    One cv2.minMaxLoc pass (which skips NaN) and one cv2.sumElems pass (which a NaN turns
    into NaN): 287 us on 512x512x3 float32 against 365 us for ndarray.min and max, a call's
    input check on every float image."""
    if img.flags.c_contiguous:
        flat = img.reshape(img.shape[0], -1)
        if math.isnan(cv2.sumElems(flat)[0]):
            return math.nan, math.nan
        lo, hi = cv2.minMaxLoc(flat)[:2]
        return float(lo), float(hi)
    return float(img.min()), float(img.max())


def check_mask(name: str, mask: Any) -> np.ndarray:
    mask = _as_image(name, mask)
    if mask.dtype.kind not in "biuf":
        raise UnsupportedInputError(f"{name}: dtype {mask.dtype} is not supported for masks")
    return opencv_layout(mask)


def opencv_layout(img: np.ndarray) -> np.ndarray:
    """``img``, or a C-ordered copy where OpenCV cannot take its memory as a matrix.

    OpenCV reads rows of packed pixels at any row stride (a crop of a bigger image is used
    as it is), but not Fortran-ordered, transposed or flipped (negative-stride) views: its
    Python binding copies such inputs itself, yet cannot write into them, and kernels that
    write into an array made ``like`` the input (``np.empty_like`` and ``astype`` keep the
    layout) then failed (ColorJitter and HEStain on float32 Fortran-ordered images)."""
    if img.flags.c_contiguous:
        return img
    s, item = img.strides, img.itemsize
    if img.ndim == 3:
        packed = s[2] == item and s[1] == item * img.shape[2] and s[0] >= s[1] * img.shape[1]
    else:
        packed = s[1] == item and s[0] >= item * img.shape[1]
    return img if packed else np.ascontiguousarray(img)


def _table_alone(t, params: dict[str, Any], img: np.ndarray) -> np.ndarray | None:
    """The uint8 table of a pixel step with no other table to fuse with, or None where the
    transform has none or applies faster than a lookup (``apply_beats_lut``)."""
    if getattr(type(t).get_lut, "no_table", False) or getattr(t, "apply_beats_lut", False):
        return None
    return t.get_lut(params, 1 if img.ndim == 2 else img.shape[2])


def _pixel_output(t, out: Any) -> np.ndarray:
    if not isinstance(out, np.ndarray):
        raise TypeError(f"{type(t).__name__}.apply returned {type(out).__name__}, not an array")
    return out


class State:
    """Targets of one call and the engine operations on them."""

    # Defaults shared by every call (immutable, or replaced rather than changed in place):
    # a call sets only what it has, which keeps the commonest call, ``pipeline(image=img)``,
    # cheap (~0.3 us to build instead of ~0.8 us).
    bbox_params: BboxParams | None = None
    bbox_rows: Rows | None = None
    keypoint_params: KeypointParams | None = None
    keypoint_rows: Rows | None = None
    # groups without targets (or without a spatial step yet) share an inert segment until a
    # step gives them one
    image_seg: Segment = _UNUSED
    mask_seg: Segment = _UNUSED
    geom_seg: Segment = _UNUSED
    lut: np.ndarray | None = None
    _lone_lut: tuple | None = None
    boxes = kps = _EMPTY4
    box_index = kp_index = _EMPTY_INDEX
    kp_visible = _EMPTY_BOOL
    applied: Any = None  # a Recorder during a recorded call (save_applied_params, replay)
    _vis_input: Any = None  # the user's visibility values (KeypointParams.visibility_field)
    _vis_array = False
    _label_maps: tuple = ()  # (label field, mapping) per mirroring step
    _map_cache: tuple | None = None  # images and masks of a field chain share one map
    mask_interpolation: int | None = None
    #: whether no spatial step can follow the running one in this call (set by the
    #: compositions): a lone step may then be applied at once (see SpatialTransform)
    last_spatial: bool = False
    #: whether only pixel steps and whole-frame flips can follow the running step: a lone
    #: flip, crop, pad or resize may then be applied at once too, since the engine would
    #: apply the pending step exactly that way and flip its result
    flips_follow: bool = False
    #: whether the running step is the call's only one (a transform called on its own)
    alone: bool = False
    #: whether the call has one image (key "image") and nothing else
    plain: bool = False

    def __init__(self, *, images: dict[str, np.ndarray], masks: dict[str, np.ndarray],
                 mask_lists: dict[str, Any], shape: tuple[int, int],
                 bbox_params: BboxParams | None = None, bboxes: Rows | None = None,
                 keypoint_params: KeypointParams | None = None, keypoints: Rows | None = None,
                 labels: dict[str, Any] | None = None):
        self.images = images
        self.masks = masks
        self.mask_lists = mask_lists
        self.shape = shape
        self.input_shape = shape
        self.labels = labels if labels is not None else {}
        self.extra: dict[str, Any] = {}  # non-target call arguments (metadata)
        if masks or mask_lists:
            self.mask_seg = Segment(shape)
        if bboxes is not None or keypoints is not None:
            self.geom_seg = Segment(shape)
        if bboxes is not None:
            self.bbox_params = bbox_params
            self.bbox_rows = bboxes
            boxes = bboxes_to_internal(bboxes.coords, bbox_params.format, shape)
            keep = check_input_bboxes(boxes, bbox_params, shape, bboxes)
            self.boxes = boxes[keep]
            self.box_index = np.flatnonzero(keep)
        if keypoints is not None:
            self.keypoint_params = keypoint_params
            self.keypoint_rows = keypoints
            self.kps = keypoints_to_internal(keypoints.coords, keypoint_params)
            self.kp_index = np.arange(len(self.kps))
            self.kp_visible = np.ones(len(self.kps), dtype=bool)

    @classmethod
    def of_image(cls, img: np.ndarray) -> State:
        """The state of a call with one image and nothing else (``pipeline(image=img)``)."""
        state = cls.__new__(cls)
        state.images = {"image": img}
        state.masks = {}
        state.mask_lists = {}
        state.shape = state.input_shape = (img.shape[0], img.shape[1])
        state.labels = {}
        state.extra = {}
        state.plain = True
        return state

    # -- facts transforms ask for --------------------------------------------------------
    @property
    def first_image(self) -> np.ndarray | None:
        for img in self.images.values():
            return img
        return None

    @property
    def num_channels(self) -> int:
        img = self.first_image
        if img is None:
            return 1
        return 1 if img.ndim == 2 else img.shape[2]

    @property
    def image_dtype(self) -> np.dtype:
        img = self.first_image
        return img.dtype if img is not None else np.dtype(np.uint8)

    def shape_with_channels(self) -> tuple[int, ...]:
        img = self.first_image
        if img is not None and img.ndim == 3:
            return (*self.shape, img.shape[2])
        return tuple(self.shape)

    # -- geometry ------------------------------------------------------------------------
    def push_warp(self, warp: Warp) -> None:
        if tuple(warp.in_shape) != tuple(self.shape):  # pragma: no cover - programming error
            raise RuntimeError(f"warp expects {warp.in_shape}, state is {self.shape}")
        if warp.exact and warp.in_shape == warp.out_shape:
            m = warp.matrix
            if m[0, 0] == 1.0 and m[1, 1] == 1.0 and m[0, 2] == 0.0 and m[1, 2] == 0.0:
                return  # the identity (e.g. Affine's defaults): nothing moves, nothing is copied
        mask_interp = warp.mask_interpolation
        if self.mask_interpolation is not None and mask_interp is not None:
            mask_interp = self.mask_interpolation
        lead = before = None
        if self.images:
            if self.image_seg is _UNUSED:
                self.image_seg = Segment(self.shape)
            lead = self.image_seg
            if not lead.accepts(warp, warp.interpolation, warp.fill):
                self.materialize_images()
            before = lead.position()
            lead.push(warp, warp.interpolation, warp.fill)
        if self.masks or self.mask_lists:
            if self.mask_seg is _UNUSED:
                self.mask_seg = Segment(self.shape)
            seg = self.mask_seg
            if not seg.accepts(warp, mask_interp, warp.fill_mask):
                self.materialize_masks()
            if lead is not None and seg.in_step_with(lead, before):
                seg.follow(lead, warp, mask_interp, warp.fill_mask)
            else:
                seg.push(warp, mask_interp, warp.fill_mask)
        if len(self.boxes) or len(self.kps):
            if self.geom_seg is _UNUSED:
                self.geom_seg = Segment(self.shape)
            method = _box_method(warp) if not warp.exact else None
            if method is not None and method != self.geom_seg.box_method:
                if self.geom_seg.steps:
                    self.materialize_geometry()
                self.geom_seg.box_method = method
            self.geom_seg.push(warp, None, None, geometry=True)
        self.shape = warp.out_shape

    def _warp_group(self, seg: Segment, arr: np.ndarray, fill_default: Any) -> np.ndarray:
        border = seg.border if seg.border is not None else cv2.BORDER_CONSTANT
        fill = seg.fill if seg.fill is not None else fill_default
        if seg.has_field:
            # images and masks of one call share the map; the cache holds the warps
            # themselves (not their ids, which Python reuses once an object is freed)
            cached = self._map_cache
            if cached is None or cached[1] != seg.shape or len(cached[0]) != len(seg.warps) \
                    or any(a is not b for a, b in zip(cached[0], seg.warps)):
                cached = self._map_cache = (list(seg.warps), seg.shape, inverse_map(seg.warps, seg.shape))
            map_xy, keep = cached[2]
            out = remap_pixels(arr, map_xy, seg.interp, border, fill)
            return fill_where(out, keep, fill) if keep is not None else out
        if seg.steps == 1 and seg.all_exact and not seg.polygons:
            # one flip, crop, pad or quarter turn: slicing, nothing else to consider
            return warp_pixels(arr, seg.matrix, seg.shape, None, border, fill, exact=True)
        split = _scale_then_slice(seg)
        if split is not None:
            # a resize followed only by crops/pads/flips: resizing the whole frame and then
            # slicing is exact and cheaper than one warpAffine of a non-integer window
            # (RandomScale + RandomCrop on 512x512x3: ~0.3 ms instead of ~0.5 ms)
            pre, mid_shape, post = split
            mid = warp_pixels(arr, pre, mid_shape, seg.interp, border, fill)
            out = warp_pixels(mid, post, seg.shape, None, border, fill, exact=True)
        else:
            out = warp_pixels(arr, seg.matrix, seg.shape, seg.interp, border, fill,
                              exact=True if seg.all_exact else None)
        polys = seg.clip_polygons()
        if polys:
            out = fill_outside(out, polys, fill)
        return out

    def materialize_images(self) -> None:
        if self.lut is not None and self._lone_lut is not None:
            t, params = self._lone_lut
            self.lut = self._lone_lut = None
            for k, img in self.images.items():
                self.images[k] = t.apply(img, **params)
        if self.lut is not None:
            lut, self.lut = self.lut, None
            for k, img in self.images.items():
                self.images[k] = apply_lut(img, lut)
        seg = self.image_seg
        if seg.steps:
            for k, img in self.images.items():
                self.images[k] = self._warp_group(seg, img, 0.0)
            seg.reset(self.shape)
        elif seg.shape != self.shape:
            seg.reset(self.shape)

    def materialize_masks(self) -> None:
        seg = self.mask_seg
        if seg.steps:
            for k, m in self.masks.items():
                self.masks[k] = self._warp_group(seg, m, 0.0)
            for k, lst in self.mask_lists.items():
                if isinstance(lst, np.ndarray):
                    self.mask_lists[k] = np.stack([self._warp_group(seg, m, 0.0) for m in lst]) \
                        if len(lst) else np.zeros((0, *seg.shape), lst.dtype)
                else:
                    self.mask_lists[k] = [self._warp_group(seg, m, 0.0) for m in lst]
            seg.reset(self.shape)
        elif seg.shape != self.shape:
            seg.reset(self.shape)

    def materialize_geometry(self) -> None:
        seg = self.geom_seg
        if seg.steps == 0:
            if seg.shape != self.shape:
                seg.reset(self.shape)
            return
        if seg.has_field:
            self._materialize_geometry_through_fields(seg)
            seg.reset(self.shape)
            return
        if seg.box_method != "ellipse" and self._materialize_axis_aligned(seg):
            seg.reset(self.shape)
            return
        region = intersect_all([mx.rect(*seg.shape)] + seg.polygons)
        if len(self.boxes):
            corners = box_outlines(self.boxes, seg.box_method)
            polys = mx.apply_to_points(seg.matrix, corners)
            full = np.concatenate([polys.min(axis=1), polys.max(axis=1)], axis=1)
            if seg.box_method == "largest_box" and not all_axis_aligned(polys):
                # Albumentations' rule: the turned corners' extent, clipped to the frame
                # (here the visible region's bounding box); "outline" intersects instead
                clipped, ok = _extents_clipped_to(full, region)
            else:
                clipped, ok = clipped_extents(polys, region)
            h, w = seg.shape
            np.clip(clipped, 0, [w, h, w, h], out=clipped)
            clipped, keep = self._snapped_and_kept(clipped, full, ok)
            self.boxes = clipped[keep]
            self.box_index = self.box_index[keep]
        if len(self.kps):
            pts = self.kps[:, :2]
            new = mx.apply_to_points(seg.matrix, pts)
            jac = mx.jacobian(seg.matrix, pts)
            ang = self.kps[:, 2]
            d = np.stack([np.cos(ang), np.sin(ang)], axis=1)
            nd = np.einsum("nij,nj->ni", jac, d)
            kps = self.kps.copy()
            kps[:, :2] = new
            kps[:, 2] = np.mod(np.arctan2(nd[:, 1], nd[:, 0]), 2 * np.pi)
            kps[:, 3] = self.kps[:, 3] * np.sqrt(np.abs(np.linalg.det(jac)))
            h, w = seg.shape
            inside = points_inside(new, region) & (new[:, 0] < w) & (new[:, 1] < h) \
                if len(region) >= 3 else np.zeros(len(new), dtype=bool)
            self.kps = kps
            self.kp_visible = self.kp_visible & inside
            self._drop_invisible_keypoints()
        seg.reset(self.shape)

    def _materialize_axis_aligned(self, seg: Segment) -> bool:
        """Boxes and keypoints through an axis-aligned product (flips, crops, pads, scales,
        translations: the commonest chains) whose visible region is a rectangle: corners map
        to corners, so every box is its corners' extent clipped to that rectangle, with no
        polygon work (10 boxes: ~15 us instead of ~60 us). False when it does not apply."""
        (a, b, tx), (c, d, ty), (g, h_, k) = seg.matrix.tolist()
        if b != 0.0 or c != 0.0 or g != 0.0 or h_ != 0.0 or k != 1.0 or a == 0.0 or d == 0.0:
            return False
        h, w = seg.shape
        x0, y0, x1, y1 = 0.0, 0.0, float(w), float(h)
        for poly in seg.polygons:
            extent = rect_extent(poly)
            if extent is None:
                return False
            px0, py0, px1, py1 = extent
            x0, y0, x1, y1 = max(x0, px0), max(y0, py0), min(x1, px1), min(y1, py1)
        if len(self.boxes):
            # mirrored axes swap the edges: x_min comes from x_max
            cols = [2 if a < 0.0 else 0, 3 if d < 0.0 else 1, 0 if a < 0.0 else 2, 1 if d < 0.0 else 3]
            full = self.boxes[:, cols] * [a, d, a, d] + [tx, ty, tx, ty]
            # clipped to the visible rectangle (inside the frame); a box wholly outside it
            # collapses to zero width or height and is not ok
            clipped = np.clip(full, [x0, y0, x0, y0], [x1, y1, x1, y1])
            ok = (clipped[:, 2] > clipped[:, 0]) & (clipped[:, 3] > clipped[:, 1])
            clipped, keep = self._snapped_and_kept(clipped, full, ok)
            self.boxes = clipped[keep]
            self.box_index = self.box_index[keep]
        if len(self.kps):
            kps = self.kps.copy()
            x = kps[:, 0] * a + tx
            y = kps[:, 1] * d + ty
            kps[:, 0], kps[:, 1] = x, y
            ang = self.kps[:, 2]  # directions (cos, sin) map to (a cos, d sin)
            kps[:, 2] = np.mod(np.arctan2(d * np.sin(ang), a * np.cos(ang)), 2 * np.pi)
            kps[:, 3] = self.kps[:, 3] * np.sqrt(abs(a * d))
            eps = 1e-7
            inside = (x >= x0 - eps) & (x <= x1 + eps) & (y >= y0 - eps) & (y <= y1 + eps) \
                & (x < w) & (y < h) if (x1 > x0 and y1 > y0) else np.zeros(len(x), dtype=bool)
            self.kps = kps
            self.kp_visible = self.kp_visible & inside
            self._drop_invisible_keypoints()
        return True

    def _materialize_geometry_through_fields(self, seg: Segment) -> None:
        """Keypoints and box outlines through a chain holding fields, step by step."""
        h, w = seg.shape
        if len(self.boxes):
            clipped, full, ok = boxes_through_chain(seg.warps, self.boxes)
            clipped, keep = self._snapped_and_kept(clipped, full, ok)
            self.boxes = clipped[keep]
            self.box_index = self.box_index[keep]
        if len(self.kps):
            ang = self.kps[:, 2]
            d = np.stack([np.cos(ang), np.sin(ang)], axis=1)
            new, visible, nd, scale = forward_chain(seg.warps, self.kps[:, :2], d)
            kps = self.kps.copy()
            kps[:, :2] = new
            kps[:, 2] = np.mod(np.arctan2(nd[:, 1], nd[:, 0]), 2 * np.pi)
            kps[:, 3] = self.kps[:, 3] * scale
            self.kps = kps
            self.kp_visible = self.kp_visible & visible
            self._drop_invisible_keypoints()

    def _drop_invisible_keypoints(self) -> None:
        if self.keypoint_params is not None and self.keypoint_params.remove_invisible:
            keep = self.kp_visible
            self.kps, self.kp_index, self.kp_visible = self.kps[keep], self.kp_index[keep], self.kp_visible[keep]

    def _snapped_and_kept(self, clipped: np.ndarray, full: np.ndarray, ok: np.ndarray):
        """``(clipped boxes snapped to integers, which of them the pipeline keeps)``: snapped
        before the filter, since a height below 1e-9 snaps to 0 and is then degenerate."""
        clipped = _snap(clipped)
        return clipped, self._filter_boxes(clipped, full, ok)

    def _filter_boxes(self, boxes: np.ndarray, full: np.ndarray, ok: np.ndarray) -> np.ndarray:
        p = self.bbox_params
        w = boxes[:, 2] - boxes[:, 0]
        h = boxes[:, 3] - boxes[:, 1]
        keep = ok & (w > 0) & (h > 0)
        if p is None:
            return keep
        # each rule only when set: at its default (0) it holds for every box of positive
        # width and height (10 boxes: ~4 us instead of ~9 us)
        if p.min_area > 0 or p.min_visibility > 0:
            area = w * h
            keep &= area >= p.min_area
            if p.min_visibility > 0:
                # visible fraction area / full_area >= min_visibility, multiplied out (no
                # division, no errstate context: ~4 us less); an empty full box counts as
                # fully visible
                full_area = (full[:, 2] - full[:, 0]) * (full[:, 3] - full[:, 1])
                keep &= (full_area <= 0) | (area >= (p.min_visibility - 1e-12) * full_area)
        if p.min_width > 0:
            keep &= w >= p.min_width
        if p.min_height > 0:
            keep &= h >= p.min_height
        if p.max_accept_ratio is not None:
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.maximum(w / h, h / w)
            keep &= ratio <= p.max_accept_ratio
        return keep

    def current_bboxes(self) -> np.ndarray:
        """Boxes in the current frame, absolute ``x_min, y_min, x_max, y_max`` (materializes)."""
        self.materialize_geometry()
        return self.boxes

    def peek_bboxes(self) -> np.ndarray:
        """The boxes as they would be materialized now (filtered, in the current frame),
        without materializing: the pending geometry stays fused, so a crop that reads the
        boxes does not turn a tight box into the loose extent of its turned outline."""
        seg = self.geom_seg
        if seg.steps == 0 or not len(self.boxes):
            return self.boxes
        saved = (self.boxes, self.box_index, self.kps, self.kp_index, self.kp_visible)
        seg_state = {k: getattr(seg, k) for k in Segment.__slots__}
        try:
            self.materialize_geometry()
            return self.boxes
        finally:
            self.boxes, self.box_index, self.kps, self.kp_index, self.kp_visible = saved
            for k, v in seg_state.items():
                setattr(seg, k, v)

    def current_masks(self) -> list[np.ndarray]:
        """Every mask of the call in the current frame (``mask``-kind targets, then each
        entry of ``masks``-kind targets), read-only.

        The masks are warped for reading but the pending geometry stays fused: the masks
        that come out of the pipeline are still resampled once."""
        seg = self.mask_seg
        arrays = list(self.masks.values())
        for lst in self.mask_lists.values():
            arrays.extend(list(lst))
        if seg.steps == 0:
            return arrays
        return [self._warp_group(seg, m, 0.0) for m in arrays]

    def current_keypoints(self) -> np.ndarray:
        """Keypoints in the current frame, continuous ``x, y, angle, scale`` (materializes)."""
        self.materialize_geometry()
        return self.kps

    def materialize_all(self) -> None:
        self.materialize_images()
        self.materialize_masks()
        self.materialize_geometry()

    # -- a step that is the call's only one, on one image (a transform called by itself) ----
    # What ``t.run`` and ``outputs`` make of the step on a plain state with nothing pending,
    # without the hooks and checks that cannot matter there (~1-2 us of a crop, flip or
    # pad of a 512x512 image that takes 15-60 us in all). Compose._call_lone uses them for
    # classes that keep the engine's run/should_apply/apply_to_state; each returns the
    # call's outputs. tests/test_lone_steps.py holds them to the general path.
    def pixel_step_alone(self, t, rng: np.random.Generator) -> dict[str, Any]:
        img = self.images["image"]
        t.check_image(img)
        params = t.sample(rng, self)
        lut = _table_alone(t, params, img) if img.dtype is _UINT8 else None
        if lut is not None:
            return {"image": apply_lut(img, lut)}
        return {"image": _pixel_output(t, t.apply(img, **params))}

    def spatial_step_alone(self, t, rng: np.random.Generator) -> dict[str, Any]:
        params = t.sample(rng, self)
        if params is None:  # the transform decided there is nothing to do
            return {"image": self.images["image"]}
        out = t.direct_image(self.images["image"], params)
        if out is None:
            self.push_warp(t.get_warp(params, self))
            return self.outputs()
        return {"image": out}

    def dual_step_alone(self, t, rng: np.random.Generator) -> dict[str, Any]:
        """An Albumentations-style step (DualTransform hooks) on a plain one-image call:
        what :meth:`apply_dual_transform` and :meth:`outputs` do with nothing pending."""
        params = t.sample(rng, self)
        return {"image": t.apply(self.images["image"], **params)}

    def no_step(self, t, rng: np.random.Generator) -> dict[str, Any]:
        return {"image": self.images["image"]}  # NoOp

    # -- pixel steps ---------------------------------------------------------------------
    def apply_pixel_transform(self, t, rng: np.random.Generator) -> None:
        images = self.images
        if not images:
            return
        if self.image_seg.steps:
            self.materialize_images()  # a pending table applies before the pending warp
        for img in images.values():
            t.check_image(img)
        params = t.sample(rng, self)
        if img.dtype is _UINT8 or img.dtype == np.uint8:
            if self.alone:
                # the call's only step: no table to fuse with, apply at once
                lut = _table_alone(t, params, img)
                for k, img in images.items():
                    images[k] = _pixel_output(t, t.apply(img, **params)) if lut is None else apply_lut(img, lut)
                return
            if self.lut is None and getattr(t, "apply_beats_lut", False):
                # a lone table is applied by the transform's own kernel where that beats a
                # lookup (InvertImg 18 us vs 22 us); its table is built only if another
                # table comes to compose with it
                self._lone_lut = (t, params)
                self.lut = _DEFERRED
                return
            lut = t.get_lut(params, self.num_channels)
            if lut is not None:
                if self.lut is _DEFERRED:
                    lone, lone_params = self._lone_lut
                    first = lone.get_lut(lone_params, self.num_channels)
                    if first is None:  # no table after all: apply it, then start a new one
                        self.materialize_images()
                    self.lut = first
                self._lone_lut = None
                self.lut = lut if self.lut is None else compose_luts(self.lut, lut)
                return
        self.materialize_images()
        for k, img in self.images.items():
            self.images[k] = _pixel_output(t, t.apply(img, **params))

    def apply_dual_transform(self, t, rng: np.random.Generator) -> None:
        """An Albumentations-style step: materialize everything and call its hooks."""
        if self.plain:  # one image and nothing else: only ``apply`` has work to do
            if self.lut is not None or self.image_seg.steps:
                self.materialize_images()
            params = t.sample(rng, self)
            img = self.images["image"] = t.apply(self.images["image"], **params)
            self.shape = img.shape[:2]
            # the next warp starts from this frame (a segment left at the old size would
            # take the old frame for the source of the chain)
            self.image_seg.reset(self.shape)
            return
        self.materialize_all()
        params = t.sample(rng, self)
        for k, img in self.images.items():
            self.images[k] = t.apply(img, **params)
        for k, m in self.masks.items():
            self.masks[k] = t.apply_to_mask(m, **params)
        for k, lst in self.mask_lists.items():
            out = t.apply_to_masks(lst, **params)
            self.mask_lists[k] = np.stack(out) if isinstance(lst, np.ndarray) and len(out) else out
        new_shape = self._shape_after_dual()
        old_h, old_w = self.shape
        if self.bbox_rows is not None and len(self.boxes):
            arr = np.concatenate([self.boxes / [old_w, old_h, old_w, old_h],
                                  self.box_index[:, None].astype(np.float64)], axis=1)
            out = np.asarray(t.apply_to_bboxes(arr, **params), dtype=np.float64).reshape(-1, arr.shape[1])
            h, w = new_shape
            # the same rules as after the engine's own steps (and 2.0.8's after every
            # transform): clipped to the frame, then degenerate boxes and those below
            # min_area / min_visibility dropped (a hook may return slivers: RandomGridShuffle
            # cut boxes into pieces of 2e-15 px along tile edges)
            clipped, keep = self.clip_boxes_to(out[:, :4] * [w, h, w, h], (0.0, 0.0, w, h))
            self.boxes = clipped[keep]
            self.box_index = out[keep, -1].astype(np.int64)
        if self.keypoint_rows is not None and len(self.kps):
            kps = self.kps.copy()
            kps[:, :2] -= 0.5
            arr = np.concatenate([kps, self.kp_index[:, None].astype(np.float64)], axis=1)
            out = np.asarray(t.apply_to_keypoints(arr, **params), dtype=np.float64).reshape(-1, arr.shape[1])
            index = out[:, -1].astype(np.int64)
            pos = {int(i): n for n, i in enumerate(self.kp_index)}
            vis = np.array([self.kp_visible[pos[int(i)]] for i in index], dtype=bool)
            self.kps = out[:, :4].copy()
            self.kps[:, :2] += 0.5
            self.kp_index = index
            h, w = new_shape
            inside = (self.kps[:, 0] >= 0) & (self.kps[:, 0] < w) & (self.kps[:, 1] >= 0) & (self.kps[:, 1] < h)
            self.kp_visible = vis & inside
            self._drop_invisible_keypoints()
        self.shape = new_shape
        for seg in (self.image_seg, self.mask_seg, self.geom_seg):
            seg.reset(new_shape)

    def _shape_after_dual(self) -> tuple[int, int]:
        for arr in list(self.images.values()) + list(self.masks.values()):
            return arr.shape[:2]
        for lst in self.mask_lists.values():
            if len(lst):
                return lst[0].shape[:2]
        return self.shape

    def legacy_data(self) -> dict[str, Any]:
        """The targets as an Albumentations-style hook sees them in ``data``."""
        self.materialize_all()
        data: dict[str, Any] = dict(self.images)
        data.update(self.masks)
        data.update(self.mask_lists)
        h, w = self.shape
        if self.bbox_rows is not None:
            data["bboxes"] = self.boxes / [w, h, w, h] if len(self.boxes) else np.zeros((0, 4))
        if self.keypoint_rows is not None:
            kps = self.kps.copy()
            kps[:, :2] -= 0.5
            data["keypoints"] = kps
        return data

    # -- instance binding -------------------------------------------------------------------
    def _bind_instances(self, out: dict[str, Any]) -> None:
        """Boxes and their instance masks (and bound keypoints) keep or lose each other."""
        name = self.bbox_params.instance_masks
        masks = self.mask_lists[name]
        boxes, index = self.boxes, self.box_index
        if len(index):
            extents = [_mask_extent(masks[i]) for i in index]
            alive = np.array([e is not None for e in extents], dtype=bool)
            if self.bbox_params.boxes_from_masks and alive.any():
                boxes = boxes.copy()
                boxes[alive] = np.array([e for e in extents if e is not None], dtype=np.float64)
                w = boxes[:, 2] - boxes[:, 0]
                h = boxes[:, 3] - boxes[:, 1]
                p = self.bbox_params
                alive &= (w * h >= p.min_area) & (w >= p.min_width) & (h >= p.min_height)
            self.boxes, self.box_index = boxes[alive], index[alive]
        kept = self.box_index
        if isinstance(masks, np.ndarray):
            out[name] = masks[kept] if len(kept) else masks[:0]
        else:
            out[name] = [masks[i] for i in kept]
        kp = self.keypoint_params
        if kp is not None and kp.instance_field is not None and len(self.kps):
            owner = np.asarray(gather_labels(kp.instance_field, self.labels[kp.instance_field],
                                             self.kp_index)).astype(np.int64)
            bound = owner >= 0
            self.kp_visible = self.kp_visible & (~bound | np.isin(owner, kept))
            self._drop_invisible_keypoints()

    # -- keypoint visibility and label mapping ---------------------------------------------
    def set_input_visibility(self, values: Any, keypoints_are_array: bool) -> None:
        """The visibility given in the call (None: all visible); False / 0 entries start hidden."""
        self._vis_array = keypoints_are_array
        if values is None:
            return
        self._vis_input = values
        flags = np.asarray(values)
        if flags.dtype == object:
            flags = np.array([bool(v) for v in values], dtype=bool)
        self.kp_visible = self.kp_visible & (flags.astype(bool) if len(flags) else _EMPTY_BOOL)

    def note_mirror(self, transform_name: str, warp: Warp) -> None:
        """Record the label renaming of ``KeypointParams.label_mapping`` when ``warp`` mirrors."""
        fields = self.keypoint_params.label_mapping.get(transform_name)
        if not fields or warp.field is not None:
            return
        m = warp.matrix
        if m[0, 0] * m[1, 1] - m[0, 1] * m[1, 0] < 0:
            self._label_maps = (*self._label_maps, *fields.items())

    def _keypoint_outputs(self, out: dict[str, Any]) -> None:
        params = self.keypoint_params
        h, w = self.shape
        x, y = self.kps[:, 0], self.kps[:, 1]
        visible = self.kp_visible & (x >= 0) & (x < w) & (y >= 0) & (y < h)
        if params.remove_invisible and not visible.all():
            self.kp_visible = visible
            self._drop_invisible_keypoints()
            visible = visible[visible]
        index = self.kp_index
        labels = {name: gather_labels(name, self.labels[name], index) for name in params.label_fields}
        order = None
        if self._label_maps:
            for name, mapping in self._label_maps:
                value = labels[name]
                mapped = [mapping.get(v, v) for v in _hashable(value)]
                labels[name] = np.asarray(mapped, dtype=value.dtype) if isinstance(value, np.ndarray) \
                    else (tuple(mapped) if isinstance(value, tuple) else mapped)
            order = self._semantic_order(labels, index)
        if order is not None:
            index = index[order]
            visible = visible[order]
            kps = self.kps[order]
            labels = {name: gather_labels(name, self.labels[name], index) if name not in
                      {f for f, _ in self._label_maps} else gather_labels(name, labels[name], order)
                      for name in params.label_fields}
        else:
            kps = self.kps
        coords = _snap(keypoints_from_internal(kps, params))
        out["keypoints"] = self.keypoint_rows.rebuild(index, coords)
        out.update(labels)
        if params.visibility_field is not None:
            out[params.visibility_field] = self._visibility_output(index, visible)

    def _semantic_order(self, labels: dict[str, Any], index: np.ndarray) -> np.ndarray | None:
        """The permutation that puts each renamed keypoint where its new label was on input
        (every keypoint kept, distinct labels); None when that is not defined."""
        if len(index) != len(self.keypoint_rows):
            return None
        order = None
        for name in dict.fromkeys(f for f, _ in self._label_maps):
            original = list(_hashable(self.labels[name]))
            new = list(_hashable(labels[name]))
            if len(set(original)) != len(original) or set(new) != set(original):
                return None
            where = {v: i for i, v in enumerate(new)}
            perm = np.array([where[v] for v in (original[i] for i in index)], dtype=np.int64)
            if order is not None and not np.array_equal(order, perm):
                return None  # two fields disagree: keep the order
            order = perm
        return order

    def _visibility_output(self, index: np.ndarray, visible: np.ndarray) -> Any:
        given = self._vis_input
        if given is None:
            return visible.copy() if self._vis_array else visible.tolist()
        arr = np.asarray(given)
        n = len(arr)
        if arr.dtype.kind in "iu":
            # COCO-style levels: keep the user's value for visible points, 0 for the others
            values = np.where(index < n, arr[np.minimum(index, max(n - 1, 0))] if n else 0, 2)
            result = np.where(visible, values, 0).astype(arr.dtype)
        else:
            result = visible.copy()
        if isinstance(given, np.ndarray):
            return result
        return tuple(result.tolist()) if isinstance(given, tuple) else result.tolist()

    # -- output ----------------------------------------------------------------------------
    def outputs(self) -> dict[str, Any]:
        if self.plain and self.lut is None and not self.image_seg.steps:
            return {"image": self.images["image"]}  # one image, nothing pending
        # only what is pending (the segments need no reset at the end of a call)
        if self.lut is not None or self.image_seg.steps:
            self.materialize_images()
        if self.mask_seg.steps:
            self.materialize_masks()
        if self.geom_seg.steps:
            self.materialize_geometry()
        out: dict[str, Any] = dict(self.images)
        if self.masks:
            out.update(self.masks)
        if self.mask_lists:
            out.update(self.mask_lists)
        if self.bbox_rows is not None and self.bbox_params.instance_masks is not None:
            self._bind_instances(out)
        if self.bbox_rows is not None:
            coords = bboxes_from_internal(self.boxes, self.bbox_params.format, self.shape)
            out["bboxes"] = self.bbox_rows.rebuild(self.box_index, coords)
            for name in self.bbox_params.label_fields:
                out[name] = gather_labels(name, self.labels[name], self.box_index)
        if self.keypoint_rows is not None:
            self._keypoint_outputs(out)
        return out


    # -- frames built from several samples (Mosaic, MixUp, CutMix, CopyAndPaste) ---------
    def replace_frame(self, images: dict[str, np.ndarray], masks: dict[str, np.ndarray],
                      mask_lists: dict[str, Any] | None = None,
                      shape: tuple[int, int] | None = None) -> None:
        """Swap in a new canvas built by a transform that combines several samples.

        Call :meth:`materialize_all` first (the new arrays replace the current ones, so no
        geometry may be pending). Annotations are not touched: see :meth:`add_rows`,
        :meth:`set_annotations` and :meth:`append_annotations`."""
        if self.image_seg.steps or self.mask_seg.steps or self.geom_seg.steps or self.lut is not None:
            raise RuntimeError("replace_frame: call materialize_all() first")  # pragma: no cover
        self.plain = False
        self.images = dict(images)
        self.masks = dict(masks)
        if mask_lists is not None:
            self.mask_lists = dict(mask_lists)
        if shape is not None:
            self.shape = (int(shape[0]), int(shape[1]))
        for seg in (self.image_seg, self.mask_seg, self.geom_seg):
            seg.reset(self.shape)
        self._map_cache = None

    def add_rows(self, target: str, rows: Rows, labels: dict[str, Any]) -> int:
        """Append another sample's rows of ``target`` ("bboxes" or "keypoints") and their
        label fields to the call's own, and return the row index of the first appended row
        (add it to that sample's indices). Nothing is appended (and 0 is returned) when the
        call has no such target.

        The output keeps the user's types: rows given as an array stay an array (the
        appended rows must have as many columns), a list stays a list of the same row type;
        array labels stay arrays, lists lists, tuples tuples."""
        base = self.bbox_rows if target == "bboxes" else self.keypoint_rows
        params = self.bbox_params if target == "bboxes" else self.keypoint_params
        if base is None or params is None:
            return 0
        offset = len(base)
        if base.is_array:
            new = rows.rows if rows.is_array else np.asarray([list(r) for r in rows.rows])
            if len(new) == 0:
                new = np.zeros((0, base.rows.shape[1]), base.rows.dtype)
            if new.ndim != 2 or new.shape[1] != base.rows.shape[1]:
                raise TargetError(f"{target}: the call's rows have {base.rows.shape[1]} columns, "
                                  f"another sample's have {new.shape[1] if new.ndim == 2 else new.shape}")
            base.rows = np.concatenate([base.rows, new.astype(np.result_type(base.rows, new), copy=False)])
        else:
            as_tuple = isinstance(base.rows[0], tuple) if len(base.rows) else True
            new_rows = []
            for r in rows.rows:
                r = r.tolist() if isinstance(r, np.ndarray) else r
                new_rows.append(tuple(r) if as_tuple else list(r))
            base.rows = list(base.rows) + new_rows
        base.coords = np.concatenate([base.coords, rows.coords]) if len(rows.coords) else base.coords
        for name in params.label_fields:
            self.labels[name] = _concat_labels(self.labels[name], labels[name])
        return offset

    def set_annotations(self, boxes: np.ndarray | None = None, box_index: np.ndarray | None = None,
                        kps: np.ndarray | None = None, kp_index: np.ndarray | None = None,
                        kp_visible: np.ndarray | None = None) -> None:
        """Replace the boxes and/or keypoints of the current frame (internal coordinates,
        already clipped and filtered; indices into the call's rows, appended ones included).
        Keypoints marked invisible are dropped when ``KeypointParams(remove_invisible=True)``."""
        if boxes is not None:
            self.boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
            self.box_index = np.asarray(box_index, dtype=np.int64)
        if kps is not None:
            self.kps = np.asarray(kps, dtype=np.float64).reshape(-1, 4)
            self.kp_index = np.asarray(kp_index, dtype=np.int64)
            self.kp_visible = np.ones(len(self.kps), bool) if kp_visible is None \
                else np.asarray(kp_visible, dtype=bool)
            self._drop_invisible_keypoints()

    def append_annotations(self, boxes: np.ndarray | None = None, box_index: np.ndarray | None = None,
                           kps: np.ndarray | None = None, kp_index: np.ndarray | None = None,
                           kp_visible: np.ndarray | None = None) -> None:
        """Add boxes and/or keypoints (as :meth:`set_annotations`) after the current ones."""
        if boxes is not None:
            boxes = np.concatenate([self.boxes, np.asarray(boxes, np.float64).reshape(-1, 4)])
            box_index = np.concatenate([self.box_index, np.asarray(box_index, np.int64)])
        if kps is not None:
            kps = np.asarray(kps, np.float64).reshape(-1, 4)
            vis = np.ones(len(kps), bool) if kp_visible is None else np.asarray(kp_visible, bool)
            kp_visible = np.concatenate([self.kp_visible, vis])
            kps = np.concatenate([self.kps, kps])
            kp_index = np.concatenate([self.kp_index, np.asarray(kp_index, np.int64)])
        self.set_annotations(boxes, box_index, kps, kp_index, kp_visible)

    def clip_boxes_to(self, full: np.ndarray, window: tuple[float, float, float, float]):
        """Clip boxes (internal, current frame) to ``window`` (x0, y0, x1, y1) and filter them
        with the pipeline's rules, visibility measured against ``full``; returns
        ``(clipped boxes, kept mask)``."""
        x0, y0, x1, y1 = window
        clipped = np.empty_like(full)
        clipped[:, [0, 2]] = np.clip(full[:, [0, 2]], x0, x1)
        clipped[:, [1, 3]] = np.clip(full[:, [1, 3]], y0, y1)
        return self._snapped_and_kept(clipped, full, np.ones(len(full), bool))


def _concat_labels(a: Any, b: Any) -> Any:
    """Labels of the call followed by another sample's, in the type of the call's."""
    if isinstance(a, np.ndarray):
        return np.concatenate([a, np.asarray(b)]) if len(b) else a
    out = list(a) + list(b)
    return tuple(out) if isinstance(a, tuple) else out


def _extents_clipped_to(full: np.ndarray, region: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Boxes ``full`` clipped to the bounding box of ``region``; and whether each keeps area."""
    if len(region) < 3:
        return np.zeros_like(full), np.zeros(len(full), dtype=bool)
    lo, hi = region.min(axis=0), region.max(axis=0)
    clipped = np.concatenate([np.maximum(full[:, :2], lo), np.minimum(full[:, 2:], hi)], axis=1)
    return clipped, (clipped[:, 2] > clipped[:, 0]) & (clipped[:, 3] > clipped[:, 1])


def _mask_extent(mask: np.ndarray) -> tuple[float, float, float, float] | None:
    """Pixel-edge extent ``x_min, y_min, x_max, y_max`` of a mask's nonzero pixels, or None."""
    m = mask if mask.ndim == 2 else mask.any(axis=2)
    cols = np.flatnonzero(m.any(axis=0))
    if not len(cols):
        return None
    rows = np.flatnonzero(m.any(axis=1))
    return float(cols[0]), float(rows[0]), float(cols[-1] + 1), float(rows[-1] + 1)


def _hashable(values: Any) -> list:
    """Labels as hashable Python values (numpy scalars become Python scalars)."""
    return values.tolist() if isinstance(values, np.ndarray) else list(values)


# Largest scaled frame, in multiples of the output's pixels, that is resized whole and then
# sliced rather than warped in one step. OpenCV 5.1's warpAffine is ~3x faster than 5.0's
# (EPYC, 512x512x3 uint8 scaled to 600x600 through four channels: 0.33 against 1.04 ms),
# and warping the window wins at every scale: RandomScale s, PadIfNeeded and RandomCrop to
# 384x384, image + mask (us, resize-then-slice vs warp): s = 0.6 533 vs 457, 0.8 458 vs
# 369, 0.9 537 vs 363, 1.2 767 vs 347. With OpenCV 5.0 on a Xeon the crossover was ~2.5x
# (s = 0.8: 286 vs 498; s = 1.5: 721 vs 501).
_SCALE_THEN_SLICE_MAX = 0.0 if OPENCV_VERSION >= (5, 1) else 2.5


def _scale_then_slice(seg: Segment):
    """(resize matrix, its output size, slicing matrix) when the segment is resizes that map
    the frame onto a frame followed by integer permutations only, and the scaled frame has
    at most ``_SCALE_THEN_SLICE_MAX`` times the output's pixels; else None.

    Resizing the whole frame grows with the scaled frame, warping the window with the
    output; which is cheaper depends on OpenCV's version (see ``_SCALE_THEN_SLICE_MAX``).
    Both are exact up to the kernels' sub-pixel precision."""
    ws = seg.warps
    i = 0
    while i < len(ws) and not ws[i].exact:
        i += 1
    if i == 0 or i == len(ws) or len(ws) != seg.steps:
        return None
    if not all(w.exact for w in ws[i:]):
        return None
    mid_shape = ws[i - 1].out_shape
    if mid_shape[0] * mid_shape[1] > _SCALE_THEN_SLICE_MAX * seg.shape[0] * seg.shape[1]:
        return None
    pre = ws[0].matrix
    for w in ws[1:i]:
        pre = w.matrix @ pre
    if pre[0, 1] != 0.0 or pre[1, 0] != 0.0 or not mx.is_affine(pre) \
            or not maps_frame_onto_frame(pre, seg.src_shape, mid_shape):
        return None
    post = ws[i].matrix
    for w in ws[i + 1:]:
        post = w.matrix @ post
    return pre, mid_shape, post


def _snap(values: np.ndarray) -> np.ndarray:
    """Round values within 1e-9 of an integer to it: matrix products leave 1e-15 dust
    (so a box edge on the frame reads 0.0, not -3.5e-15)."""
    r = np.round(values)
    return np.where(np.abs(values - r) < 1e-9, r, values)


def _box_method(warp: Warp) -> str | None:
    """How boxes follow this step; None when it does not matter (axis-aligned steps)."""
    m = warp.matrix
    if abs(m[0, 1]) < 1e-12 and abs(m[1, 0]) < 1e-12 and mx.is_affine(m):
        return None
    return getattr(warp, "box_method", "largest_box")


_ELLIPSE = np.linspace(0, 2 * np.pi, 64, endpoint=False)


def box_outlines(boxes: np.ndarray, method: str) -> np.ndarray:
    """Outline points of each box: its 4 corners, or 64 points of its inscribed ellipse."""
    b = boxes
    if method == "ellipse":
        cx, cy = (b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2
        rx, ry = (b[:, 2] - b[:, 0]) / 2, (b[:, 3] - b[:, 1]) / 2
        # circumscribe the polygon around the ellipse so that its extent is not underestimated
        k = 1.0 / np.cos(np.pi / len(_ELLIPSE))
        xs = cx[:, None] + k * rx[:, None] * np.cos(_ELLIPSE)
        ys = cy[:, None] + k * ry[:, None] * np.sin(_ELLIPSE)
        return np.stack([xs, ys], axis=-1)
    return np.stack([b[:, [0, 1]], b[:, [2, 1]], b[:, [2, 3]], b[:, [0, 3]]], axis=1)


