"""Transforms that build their output from several samples: Mosaic, MixUp, CutMix,
CopyAndPaste and OverlayElements.

The other samples come in the call as metadata, as in Albumentations 2.x::

    pipeline(image=img, bboxes=boxes, labels=labels,
             mosaic_metadata=[{"image": img2, "bboxes": boxes2, "labels": labels2}, ...])

Each item is a dict with ``"image"`` (same dtype and channel count as the call's image;
any size), and optionally ``"mask"``, ``"masks"``, ``"bboxes"``, ``"keypoints"`` and the
label fields named in the pipeline's ``BboxParams``/``KeypointParams``. Boxes and keypoints
are in the pipeline's formats, relative to the item's own image. Other image or mask
targets of the call (``additional_targets``) are read from the item under the same name;
a missing mask is filled with ``fill_mask`` (0). Each entry of a ``masks``-kind target is
treated as one mask target (item ``"masks"``, when given, must have as many entries),
except in :class:`CopyAndPaste`, where ``masks`` are object instances.

These transforms replace the frame and add annotations from the other samples: the rows
of the other samples are appended to the call's (same output types: a list stays a list, an
array an array) with their label fields. Pending geometry is applied first, so they can
sit anywhere in a pipeline. Boxes cut by a cell or a pasted region are clipped and then
filtered by the pipeline's ``BboxParams`` (``min_visibility`` against the box before the
cut); keypoints that end outside what stays visible of their own sample become invisible,
and are dropped only with ``KeypointParams(remove_invisible=True)``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import cv2
import numpy as np

from augkit.core import params as P
from augkit.core.state import check_image, check_mask
from augkit.core.targets import (
    Rows,
    bboxes_to_internal,
    check_input_bboxes,
    keypoints_to_internal,
    metadata_dicts,
)
from augkit.core.transform import DualTransform
from augkit.errors import TargetError
from augkit.geometry import matrices as mx
from augkit.geometry.warp import warp_pixels

__all__ = ["CopyAndPaste", "CutMix", "MixUp", "Mosaic", "OverlayElements"]

_FIT_MODES = ("cover", "contain")


# -------------------------------------------------------------------------------------
# reading the other samples
# -------------------------------------------------------------------------------------
class _Sample:
    """One sample of the call: its pixels and annotations (internal coordinates)."""

    __slots__ = ("images", "masks", "mask_lists", "shape", "boxes", "box_index",
                 "kps", "kp_index", "kp_visible")

    def __init__(self, images, masks, mask_lists, shape, boxes, box_index, kps, kp_index, kp_visible):
        self.images, self.masks, self.mask_lists, self.shape = images, masks, mask_lists, shape
        self.boxes, self.box_index = boxes, box_index
        self.kps, self.kp_index, self.kp_visible = kps, kp_index, kp_visible


def _primary(state) -> _Sample:
    return _Sample(state.images, state.masks, state.mask_lists, state.shape, state.boxes,
                   state.box_index, state.kps, state.kp_index, state.kp_visible)


def _metadata(owner: str, key: str, state, required: bool) -> list[dict]:
    """The list of item dicts under ``key`` (a lone dict is a list of one)."""
    extra = getattr(state, "extra", None) or {}
    if key not in extra:
        if required:
            raise TargetError(f"{owner}: missing call argument {key!r}; pass the other samples as "
                              f"pipeline(image=img, {key}=[{{'image': other_image, ...}}, ...])")
        return []
    return metadata_dicts(owner, key, extra[key], ("image",), "one per sample, each with an 'image'")


def _check_like(owner: str, where: str, arr: Any, ref: np.ndarray, is_mask: bool) -> np.ndarray:
    """An item's image or mask, checked against the call's array of the same target."""
    try:
        arr = check_mask(where, arr) if is_mask else check_image(where, arr)
    except TargetError as e:
        raise TargetError(f"{owner}: {e}") from None
    except TypeError as e:
        raise type(e)(f"{owner}: {e}") from None
    if arr.ndim != ref.ndim or (arr.ndim == 3 and arr.shape[2] != ref.shape[2]):
        raise TargetError(f"{owner}: {where} has shape {arr.shape}, but the call's has {ref.shape}: "
                          f"the number of channels must match")
    if not is_mask and arr.dtype != ref.dtype:
        raise TargetError(f"{owner}: {where} has dtype {arr.dtype}, but the call's image is "
                          f"{ref.dtype}: convert the other samples to the same dtype")
    return arr


def _read_item(owner: str, key: str, i: int, item: Mapping, state) -> _Sample:
    """Parse one metadata item into a :class:`_Sample` (annotation rows appended to the call's)."""
    where = f"{key}[{i}]"
    images = {}
    shape = None
    for name, ref in state.images.items():
        if name not in item:
            continue
        images[name] = _check_like(owner, f"{where}[{name!r}]", item[name], ref, False)
        s = images[name].shape[:2]
        if shape is None:
            shape = s
        elif s != shape:
            raise TargetError(f"{owner}: {where}[{name!r}] has size {s}, but its 'image' has {shape}")
    if "image" not in state.images:  # a call with only masks: the item's image gives the size
        shape = np.asarray(item["image"]).shape[:2]
    masks = {}
    for name, ref in state.masks.items():
        if item.get(name) is not None:
            masks[name] = _check_like(owner, f"{where}[{name!r}]", item[name], ref, True)
            if masks[name].shape[:2] != shape:
                raise TargetError(f"{owner}: {where}[{name!r}] has size {masks[name].shape[:2]}, "
                                  f"but its image has {shape}")
    mask_lists = {}
    for name in state.mask_lists:
        if item.get(name) is None:
            continue
        lst = item[name]
        if isinstance(lst, np.ndarray) and lst.ndim == 2:
            lst = lst[None]
        lst = [check_mask(f"{where}[{name!r}][{j}]", m) for j, m in enumerate(lst)]
        for j, m in enumerate(lst):
            if m.shape[:2] != shape:
                raise TargetError(f"{owner}: {where}[{name!r}][{j}] has size {m.shape[:2]}, "
                                  f"but its image has {shape}")
        mask_lists[name] = lst
    boxes, box_index = np.zeros((0, 4)), np.zeros(0, np.int64)
    if state.bbox_rows is not None:
        rows, labels = _item_rows(owner, where, item, "bboxes", 4, state.bbox_params.label_fields,
                                  state.bbox_rows.is_array)
        internal = bboxes_to_internal(rows.coords, state.bbox_params.format, shape)
        try:
            keep = check_input_bboxes(internal, state.bbox_params, shape, rows)
        except TargetError as e:
            raise TargetError(f"{owner}: {where}: {e}") from None
        offset = state.add_rows("bboxes", rows, labels)
        boxes, box_index = internal[keep], offset + np.flatnonzero(keep)
    kps, kp_index = np.zeros((0, 4)), np.zeros(0, np.int64)
    if state.keypoint_rows is not None:
        p = state.keypoint_params
        rows, labels = _item_rows(owner, where, item, "keypoints", len(p.format), p.label_fields,
                                  state.keypoint_rows.is_array)
        kps = keypoints_to_internal(rows.coords, p)
        kp_index = state.add_rows("keypoints", rows, labels) + np.arange(len(kps))
    return _Sample(images, masks, mask_lists, shape, boxes, box_index, kps, kp_index,
                   np.ones(len(kps), bool))


def _item_rows(owner, where, item, target, ncoords, label_fields, as_array):
    value = item.get(target)
    if value is None:
        value = np.zeros((0, ncoords)) if as_array else []
    try:
        rows = Rows(f"{where}[{target!r}]", value, ncoords)
    except TargetError as e:
        raise TargetError(f"{owner}: {e}") from None
    labels = {}
    for name in label_fields:
        if name not in item:
            if len(rows) == 0:
                labels[name] = []
                continue
            raise TargetError(f"{owner}: {where} has {target} but no {name!r}, a label field the "
                              f"pipeline declares for {target}; add {name!r} to the item")
        lab = item[name]
        try:
            n = len(lab)
        except TypeError:
            raise TargetError(f"{owner}: {where}[{name!r}] must hold one label per row of "
                              f"{target}, got {type(lab).__name__}") from None
        if n != len(rows):
            raise TargetError(f"{owner}: {where}[{name!r}] has {n} labels but {where} has "
                              f"{len(rows)} {target}")
        labels[name] = lab
    return rows, labels


# -------------------------------------------------------------------------------------
# moving a sample
# -------------------------------------------------------------------------------------
def _scaled_kps(kps: np.ndarray, sx: float, sy: float, dx: float, dy: float) -> np.ndarray:
    """Keypoints through ``x -> sx x + dx, y -> sy y + dy`` (angle and scale follow)."""
    out = kps.copy()
    out[:, 0] = kps[:, 0] * sx + dx
    out[:, 1] = kps[:, 1] * sy + dy
    if sx != sy:
        out[:, 2] = np.mod(np.arctan2(sy * np.sin(kps[:, 2]), sx * np.cos(kps[:, 2])), 2 * np.pi)
    out[:, 3] = kps[:, 3] * math.sqrt(sx * sy)
    return out


def _inside(pts: np.ndarray, window) -> np.ndarray:
    x0, y0, x1, y1 = window
    return (pts[:, 0] >= x0) & (pts[:, 0] < x1) & (pts[:, 1] >= y0) & (pts[:, 1] < y1)


def _blank(ref: np.ndarray, shape, fill) -> np.ndarray:
    """An array shaped like ``ref`` with height and width ``shape``, filled with ``fill``
    (one value, or one per channel)."""
    out = np.empty((*shape, *ref.shape[2:]), ref.dtype)
    value = np.asarray(fill, dtype=np.float64)
    if value.ndim and not (ref.ndim == 3 and value.shape[0] == ref.shape[2]):
        value = value[0]
    out[...] = value
    return out


def _resized(arr: np.ndarray, shape, interpolation) -> np.ndarray:
    """``arr`` resized to ``shape`` (height, width); itself when the size already matches."""
    h, w = arr.shape[:2]
    if (h, w) == tuple(shape):
        return arr
    m = mx.scale(shape[1] / w, shape[0] / h)
    return warp_pixels(arr, m, tuple(shape), interpolation, cv2.BORDER_CONSTANT, 0.0)


def _to_frame(sample: _Sample, shape) -> tuple[_Sample, float, float]:
    """A sample resized to the frame ``shape`` (images linear, masks nearest), with its scale."""
    h, w = sample.shape
    sx, sy = shape[1] / w, shape[0] / h
    images = {k: _resized(v, shape, cv2.INTER_LINEAR) for k, v in sample.images.items()}
    masks = {k: _resized(v, shape, cv2.INTER_NEAREST) for k, v in sample.masks.items()}
    lists = {k: [_resized(m, shape, cv2.INTER_NEAREST) for m in v] for k, v in sample.mask_lists.items()}
    boxes = sample.boxes * [sx, sy, sx, sy]
    kps = _scaled_kps(sample.kps, sx, sy, 0.0, 0.0)
    out = _Sample(images, masks, lists, tuple(shape), boxes, sample.box_index, kps, sample.kp_index,
                  sample.kp_visible)
    return out, sx, sy


def _list_like(ref_list, arrays):
    """``arrays`` as the same container as the call's masks list (list or (N, H, W) array)."""
    if isinstance(ref_list, np.ndarray):
        return np.stack(arrays) if len(arrays) else np.zeros((0, *ref_list.shape[1:]), ref_list.dtype)
    return list(arrays)


def _occluded(state, boxes: np.ndarray, covered: np.ndarray):
    """Boxes partly hidden by ``covered`` (an HxW bool array of pixels now showing something
    else): the extent of each box's uncovered pixels, and which boxes stay visible enough
    (``min_visibility`` against the uncovered fraction of the box's pixels)."""
    n = len(boxes)
    if n == 0:
        return boxes, np.zeros(0, bool)
    h, w = covered.shape
    new = boxes.copy()
    frac = np.ones(n)
    for k, (x0, y0, x1, y1) in enumerate(boxes):
        # pixels whose centres lie in the box
        j0, j1 = max(0, math.ceil(x0 - 0.5)), min(w, math.floor(x1 - 0.5) + 1)
        i0, i1 = max(0, math.ceil(y0 - 0.5)), min(h, math.floor(y1 - 0.5) + 1)
        if j1 <= j0 or i1 <= i0:
            continue
        cov = covered[i0:i1, j0:j1]
        if not cov.any():
            continue
        free = ~cov
        frac[k] = free.mean()
        if frac[k] == 0:
            continue
        cols = np.flatnonzero(free.any(axis=0))
        rows = np.flatnonzero(free.any(axis=1))
        # the box keeps its sub-pixel edges where its outermost pixels stay uncovered
        new[k] = [x0 if cols[0] == 0 else j0 + cols[0], y0 if rows[0] == 0 else i0 + rows[0],
                  x1 if cols[-1] == j1 - j0 - 1 else j0 + cols[-1] + 1,
                  y1 if rows[-1] == i1 - i0 - 1 else i0 + rows[-1] + 1]
    keep = state._filter_boxes(new, new, frac > 0)
    if state.bbox_params is not None:
        keep &= frac >= state.bbox_params.min_visibility - 1e-12
    return new, keep


def _mask_extents(masks: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Pixel-edge extent of each mask's non-zero pixels, and whether it has any."""
    out = np.zeros((len(masks), 4))
    ok = np.zeros(len(masks), bool)
    for k, m in enumerate(masks):
        nz = m != 0
        if nz.ndim == 3:
            nz = nz.any(axis=2)
        cols = np.flatnonzero(nz.any(axis=0))
        if len(cols):
            rows = np.flatnonzero(nz.any(axis=1))
            out[k] = [cols[0], rows[0], cols[-1] + 1, rows[-1] + 1]
            ok[k] = True
    return out, ok


def _check_metadata_key(owner, value):
    if not isinstance(value, str) or not value:
        raise P.fail(owner, "metadata_key", value, "metadata_key must be a non-empty string")
    return value


def _check_weight_field(owner, value):
    if value is not None and (not isinstance(value, str) or not value):
        raise P.fail(owner, "mix_weight_field", value, "mix_weight_field must be None or a non-empty string")
    return value


def _check_pair(owner, name, value):
    if isinstance(value, Sequence) and not isinstance(value, str) and len(value) == 2 and all(
            isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v > 0 for v in value):
        return int(value[0]), int(value[1])
    raise P.fail(owner, name, value, f"{name} must be a pair of positive integers")


# -------------------------------------------------------------------------------------
# Mosaic
# -------------------------------------------------------------------------------------
def mosaic_center(rng, grid_yx, cell_shape, target_size, center_range) -> tuple[int, int]:
    """The crop window's centre on the virtual grid: drawn at ``center_range`` of the way
    across the positions where the window fits (as Albumentations 2.0.8)."""
    (rows, cols), (ch, cw), (th, tw) = grid_yx, cell_shape, target_size
    lo_x, hi_x = tw // 2, cols * cw - (tw + 1) // 2
    lo_y, hi_y = th // 2, rows * ch - (th + 1) // 2
    u = rng.uniform(*center_range, size=2)
    cx = min(max(lo_x + int((hi_x - lo_x + 1) * u[0]), lo_x), hi_x)
    cy = min(max(lo_y + int((hi_y - lo_y + 1) * u[1]), lo_y), hi_y)
    return cx, cy


def mosaic_placements(grid_yx, cell_shape, target_size, center) -> list[tuple[int, int, int, int]]:
    """The visible part of each grid cell on the output, ``(x0, y0, x1, y1)``, row by row."""
    (rows, cols), (ch, cw), (th, tw) = grid_yx, cell_shape, target_size
    x0, y0 = center[0] - tw // 2, center[1] - th // 2
    xs = np.unique(np.clip(np.arange(cols + 1) * cw, x0, x0 + tw)) - x0
    ys = np.unique(np.clip(np.arange(rows + 1) * ch, y0, y0 + th)) - y0
    return [(int(xs[i]), int(ys[j]), int(xs[i + 1]), int(ys[j + 1]))
            for j in range(len(ys) - 1) for i in range(len(xs) - 1)]


def _crop_origin(cell_shape, size, placement, target_size) -> tuple[int, int]:
    """Where in its (resized) cell a placement's content starts: the corner of the cell that
    touches the mosaic's centre, so the pieces meet at the centre (Albumentations' layout)."""
    (ch, cw), (ph, pw), (th, tw) = cell_shape, size, target_size
    px0, py0, px1, py1 = placement
    cx, cy = (px0 + px1) / 2.0, (py0 + py1) / 2.0
    if cx == tw / 2.0 or cy == th / 2.0:
        return (cw - pw) // 2, (ch - ph) // 2
    return (cw - pw if cx < tw / 2.0 else 0), (ch - ph if cy < th / 2.0 else 0)


def _cell_pixels(arr, geom, interp, fill) -> np.ndarray:
    """One cell's pixels: the sample resized (``local``: scale, then shift by the crop)."""
    whole, local, (nh, nw), (ox, oy), (ph, pw) = geom
    if whole:
        h, w = arr.shape[:2]
        full = warp_pixels(arr, mx.scale(nw / w, nh / h), (nh, nw), interp, cv2.BORDER_CONSTANT, fill)
        return full[oy:oy + ph, ox:ox + pw]
    return warp_pixels(arr, local, (ph, pw), interp, cv2.BORDER_CONSTANT, fill)


class _FromMetadata(DualTransform):
    """A step that reads other samples from a call argument named ``self.metadata_key``."""

    @property
    def targets_as_params(self) -> list[str]:
        return [self.metadata_key]


class Mosaic(_FromMetadata):
    """Tile the call's sample and others from ``metadata_key`` into a ``grid_yx`` mosaic.

    A virtual grid of ``grid_yx`` cells of ``cell_shape`` is built; a ``target_size`` window
    is cut from it around a random centre (``center_range`` of the way across the positions
    where the window fits). Each visible cell shows one sample resized to cover the cell
    (``fit_mode="cover"``: no border, edges cut) or to fit inside it (``"contain"``: the
    rest ``fill``/``fill_mask``); the part shown is the corner of the cell that touches the
    mosaic's centre (with "contain", the image is padded evenly on both sides along an axis
    where that part reaches past it; as Albumentations 2.0.8). The call's sample takes the largest visible
    cell, the others are drawn at random from the metadata (without replacement); when
    there are too few, the call's sample fills the rest. Boxes are clipped to their cell,
    keypoints outside it become invisible (see the module's notes).

    Args and defaults are Albumentations 2.0.8's.

    Args:
        grid_yx: (rows, columns) of the grid.
        target_size: output (height, width); at most the grid's size.
        cell_shape: (height, width) of a cell.
        center_range: (low, high) in [0, 1]: where the window's centre is drawn.
        fit_mode: "cover" or "contain".
        interpolation: OpenCV interpolation for images.
        mask_interpolation: OpenCV interpolation for masks.
        fill: image value where no sample shows.
        fill_mask: mask value where no sample shows.
        metadata_key: call argument holding the other samples (list of dicts).
        p: probability of applying the transform.

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: uint8, uint16, float32.

    >>> import numpy as np, augkit as A
    >>> pipe = A.Compose([A.Mosaic(target_size=(64, 64), cell_shape=(64, 64), p=1.0)],
    ...                  bbox_params=A.BboxParams(format="pascal_voc", label_fields=["labels"]), seed=0)
    >>> other = {"image": np.full((40, 40, 3), 200, np.uint8), "bboxes": [(0, 0, 40, 40)], "labels": ["b"]}
    >>> out = pipe(image=np.zeros((50, 50, 3), np.uint8), bboxes=[(5, 5, 45, 45)], labels=["a"],
    ...            mosaic_metadata=[other] * 3)
    >>> out["image"].shape, sorted(set(out["labels"]))
    ((64, 64, 3), ['a', 'b'])
    """

    targets = ("image", "mask", "masks", "bboxes", "keypoints")

    def __init__(self, grid_yx: tuple[int, int] = (2, 2), target_size: tuple[int, int] = (512, 512),
                 cell_shape: tuple[int, int] = (512, 512), center_range: tuple[float, float] = (0.3, 0.7),
                 fit_mode: str = "cover", interpolation: int = cv2.INTER_LINEAR,
                 mask_interpolation: int = cv2.INTER_NEAREST, fill: Any = 0, fill_mask: Any = 0,
                 metadata_key: str = "mosaic_metadata", p: float = 0.5):
        super().__init__(p=p)
        n = "Mosaic"
        self.grid_yx = _check_pair(n, "grid_yx", grid_yx)
        self.target_size = _check_pair(n, "target_size", target_size)
        self.cell_shape = _check_pair(n, "cell_shape", cell_shape)
        self.center_range = P.to_range(n, "center_range", center_range, bounds=(0.0, 1.0))
        self.fit_mode = P.check_choice(n, "fit_mode", fit_mode, _FIT_MODES)
        self.interpolation = P.check_interpolation(n, "interpolation", interpolation)
        self.mask_interpolation = P.check_interpolation(n, "mask_interpolation", mask_interpolation)
        self.fill = P.check_fill(n, "fill", fill)
        self.fill_mask = P.check_fill(n, "fill_mask", fill_mask)
        self.metadata_key = _check_metadata_key(n, metadata_key)
        (rows, cols), (ch, cw), (th, tw) = self.grid_yx, self.cell_shape, self.target_size
        if th > rows * ch or tw > cols * cw:
            raise P.fail(n, "target_size", target_size,
                         f"target_size must fit in the grid: at most ({rows * ch}, {cols * cw}) "
                         f"for grid_yx={self.grid_yx} and cell_shape={self.cell_shape}")

    def apply_to_state(self, state, rng) -> None:
        state.materialize_all()
        items = _metadata("Mosaic", self.metadata_key, state, required=False)
        center = mosaic_center(rng, self.grid_yx, self.cell_shape, self.target_size, self.center_range)
        placements = mosaic_placements(self.grid_yx, self.cell_shape, self.target_size, center)
        need = len(placements) - 1
        if len(items) > need:
            chosen = [int(i) for i in rng.choice(len(items), size=need, replace=False)]
        else:
            chosen = list(range(len(items)))
        primary = _primary(state)
        samples = [primary] + [_read_item("Mosaic", self.metadata_key, i, items[i], state) for i in chosen]
        samples += [primary] * (need - len(chosen))
        areas = [(x1 - x0) * (y1 - y0) for x0, y0, x1, y1 in placements]
        big = int(np.argmax(areas))
        rest = [pl for j, pl in enumerate(placements) if j != big]
        order = rng.permutation(np.arange(1, len(samples))) if len(samples) > 1 else []
        assignment = [(placements[big], samples[0])] + [(pl, samples[int(k)]) for pl, k in zip(rest, order)]
        self._assemble(state, assignment)

    def _assemble(self, state, assignment) -> None:
        th, tw = self.target_size
        ch, cw = self.cell_shape
        images = {k: _blank(v, (th, tw), self.fill) for k, v in state.images.items()}
        masks = {k: _blank(v, (th, tw), self.fill_mask) for k, v in state.masks.items()}
        lists = {k: [_blank(m, (th, tw), self.fill_mask) for m in v] for k, v in state.mask_lists.items()}
        boxes, box_index, kps, kp_index, kp_vis = [], [], [], [], []
        for placement, s in assignment:
            px0, py0, px1, py1 = placement
            ph, pw = py1 - py0, px1 - px0
            h, w = s.shape
            scale = max(ch / h, cw / w) if self.fit_mode == "cover" else min(ch / h, cw / w)
            nh, nw = max(1, int(round(h * scale))), max(1, int(round(w * scale)))
            ox, oy = _crop_origin(self.cell_shape, (ph, pw), placement, self.target_size)
            if self.fit_mode == "contain":
                # where the shown part reaches past the contained image, the image is padded
                # evenly on both sides (Albumentations 2.0.8's Crop(pad_if_needed=True))
                ox -= max(0, ox + pw - nw) // 2
                oy -= max(0, oy + ph - nh) // 2
            sx, sy = nw / w, nh / h
            local = mx.translate(-ox, -oy) @ mx.scale(sx, sy)
            # Resizing the whole sample and slicing is ~5x cheaper per output pixel than
            # warping the window (cv2.resize vs cv2.warpAffine: 0.83 ms for a 640x480 -> 683x512
            # resize vs 1.2 ms for a 300x320 window); both sample the same source points.
            whole = nh * nw <= 5 * ph * pw and 0 <= ox and ox + pw <= nw and 0 <= oy and oy + ph <= nh
            geom = (whole, local, (nh, nw), (ox, oy), (ph, pw))

            for k, canvas in images.items():
                if k in s.images:
                    canvas[py0:py1, px0:px1] = _cell_pixels(s.images[k], geom, self.interpolation, self.fill)
            for k, canvas in masks.items():
                if k in s.masks:
                    canvas[py0:py1, px0:px1] = _cell_pixels(s.masks[k], geom, self.mask_interpolation, self.fill_mask)
            for k, canvases in lists.items():
                src = s.mask_lists.get(k)
                if src is None:
                    continue
                if len(src) != len(canvases):
                    raise TargetError(f"Mosaic: a sample's {k!r} has {len(src)} masks, the call's has "
                                      f"{len(canvases)}: each entry is one mask target, they must match")
                for canvas, m in zip(canvases, src):
                    canvas[py0:py1, px0:px1] = _cell_pixels(m, geom, self.mask_interpolation, self.fill_mask)
            dx, dy = px0 - ox, py0 - oy
            # what shows of this sample: its resized image within the placement
            window = (max(px0, dx), max(py0, dy), min(px1, dx + nw), min(py1, dy + nh))
            if len(s.boxes):
                full = s.boxes * [sx, sy, sx, sy] + [dx, dy, dx, dy]
                clipped, keep = state.clip_boxes_to(full, window)
                boxes.append(clipped[keep])
                box_index.append(s.box_index[keep])
            if len(s.kps):
                moved = _scaled_kps(s.kps, sx, sy, dx, dy)
                kps.append(moved)
                kp_index.append(s.kp_index)
                kp_vis.append(s.kp_visible & _inside(moved, window))
        state.replace_frame(images, masks, {k: _list_like(state.mask_lists[k], v) for k, v in lists.items()},
                            (th, tw))
        state.set_annotations(
            boxes=np.concatenate(boxes) if boxes else np.zeros((0, 4)),
            box_index=np.concatenate(box_index) if box_index else np.zeros(0, np.int64),
            kps=np.concatenate(kps) if kps else np.zeros((0, 4)),
            kp_index=np.concatenate(kp_index) if kp_index else np.zeros(0, np.int64),
            kp_visible=np.concatenate(kp_vis) if kp_vis else np.zeros(0, bool))


# -------------------------------------------------------------------------------------
# MixUp and CutMix
# -------------------------------------------------------------------------------------
def _check_alpha(owner, alpha):
    return float(P.check_number(owner, "alpha", alpha, 0.0, low_inclusive=False))


class _PairMix(_FromMetadata):
    """MixUp and CutMix: one other sample, a Beta(alpha, alpha) weight, an optional output
    key for the weight."""

    def _init_pair(self, alpha, metadata_key, mix_weight_field) -> None:
        name = type(self).__name__
        self.alpha = _check_alpha(name, alpha)
        self.metadata_key = _check_metadata_key(name, metadata_key)
        self.mix_weight_field = _check_weight_field(name, mix_weight_field)


def _one_other(owner, key, state, rng) -> _Sample | None:
    """One sample drawn from the metadata, resized to the call's frame (None if there is none)."""
    items = _metadata(owner, key, state, required=True)
    if not items:
        return None
    i = P.draw_int(rng, 0, len(items) - 1) if len(items) > 1 else 0
    other = _read_item(owner, key, i, items[i], state)
    return _to_frame(other, state.shape)[0]


class MixUp(_PairMix):
    """Blend the image with another sample's: ``lam * image + (1 - lam) * other``.

    ``lam`` is drawn from Beta(``alpha``, ``alpha``); the other sample (one drawn at random
    from the call's ``metadata_key`` list) is resized to the image's size. The annotations
    of both are kept (their union; label fields appended). Masks cannot be blended: each
    mask target takes the mask of the sample with the larger weight (the call's where the
    other sample has none). With ``mix_weight_field`` set, the output dict also holds
    ``lam`` (the call's image's weight, a float) under that name, for a mixed loss; it is
    absent when the transform did not run. Not in Albumentations 2.0.8.

    Args:
        alpha: Beta distribution parameter (> 0); small values keep one image dominant.
        metadata_key: call argument holding the other samples (list of dicts).
        mix_weight_field: output key for ``lam``, or None.
        p: probability of applying the transform.

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: uint8, uint16, float32.

    >>> import numpy as np, augkit as A
    >>> pipe = A.Compose([A.MixUp(mix_weight_field="lam", p=1.0)], seed=0)
    >>> out = pipe(image=np.zeros((4, 4), np.uint8), mixup_metadata=[{"image": np.full((8, 8), 100, np.uint8)}])
    >>> int(out["image"][0, 0]) == round(100 * (1 - out["lam"]))
    True
    """

    targets = ("image", "mask", "masks", "bboxes", "keypoints")

    def __init__(self, alpha: float = 0.4, metadata_key: str = "mixup_metadata",
                 mix_weight_field: str | None = None, p: float = 0.5):
        super().__init__(p=p)
        self._init_pair(alpha, metadata_key, mix_weight_field)

    def apply_to_state(self, state, rng) -> None:
        state.materialize_all()
        other = _one_other("MixUp", self.metadata_key, state, rng)
        if other is None:
            return
        lam = float(rng.beta(self.alpha, self.alpha))
        images = {}
        for k, img in state.images.items():
            o = other.images.get(k)
            # cv2.addWeighted rounds and saturates in the image's own dtype: 0.25 ms on
            # 512x512x3 uint8 against 1.6 ms for a float64 numpy blend
            images[k] = img.copy() if o is None else _blend(img, o, lam)
        own = lam >= 0.5
        masks = {k: (m if own or k not in other.masks else other.masks[k]) for k, m in state.masks.items()}
        lists = {}
        for k, lst in state.mask_lists.items():
            o = other.mask_lists.get(k)
            lists[k] = lst if own or o is None or len(o) != len(lst) else _list_like(lst, o)
        state.replace_frame(images, masks, lists, state.shape)
        state.append_annotations(other.boxes, other.box_index, other.kps, other.kp_index, other.kp_visible)
        if self.mix_weight_field is not None:
            state.extra[self.mix_weight_field] = lam


def _blend(a: np.ndarray, b: np.ndarray, lam: float) -> np.ndarray:
    if a.ndim == 3 and a.shape[2] > 4:  # OpenCV's arithmetic stops at 4 channels
        return np.stack([_blend(a[..., c], b[..., c], lam) for c in range(a.shape[2])], axis=2)
    out = cv2.addWeighted(a, lam, b, 1.0 - lam, 0.0)
    if a.dtype == np.float32:
        np.clip(out, 0.0, 1.0, out=out)
    return out.reshape(a.shape)


def cutmix_box(rng, shape, lam) -> tuple[int, int, int, int]:
    """A rectangle of about ``(1 - lam)`` of the frame's area, the frame's aspect ratio, its
    centre uniform in the frame, clipped to the frame: ``(x0, y0, x1, y1)``."""
    h, w = shape
    r = math.sqrt(max(0.0, 1.0 - lam))
    cw, ch = int(w * r), int(h * r)
    cx, cy = P.draw_int(rng, 0, w - 1), P.draw_int(rng, 0, h - 1)
    return (min(max(cx - cw // 2, 0), w), min(max(cy - ch // 2, 0), h),
            min(max(cx + (cw - cw // 2), 0), w), min(max(cy + (ch - ch // 2), 0), h))


class CutMix(_PairMix):
    """Paste a random rectangle of another sample into the image, at the same place.

    ``lam`` is drawn from Beta(``alpha``, ``alpha``); the rectangle covers about
    ``1 - lam`` of the image (the image's aspect ratio, its centre uniform, clipped to the
    frame). The other sample (one drawn from the ``metadata_key`` list) is resized to the
    image's size. Masks take the other sample's values inside the rectangle (``0`` where it
    has none). The other sample's boxes are clipped to the rectangle; the call's boxes keep
    the extent of their uncovered part, and are removed when the uncovered fraction falls
    below ``min_visibility`` (or is zero). Keypoints under the rectangle become invisible;
    the other sample's keypoints outside it too. ``mix_weight_field`` puts the call's
    share of the area (``1 - rectangle area / image area``) into the output. Not in
    Albumentations 2.0.8.

    Args:
        alpha: Beta distribution parameter (> 0).
        metadata_key: call argument holding the other samples (list of dicts).
        mix_weight_field: output key for the call's area share, or None.
        p: probability of applying the transform.

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: uint8, uint16, float32.

    >>> import numpy as np, augkit as A
    >>> pipe = A.Compose([A.CutMix(mix_weight_field="lam", p=1.0)], seed=1)
    >>> out = pipe(image=np.zeros((10, 10), np.uint8), cutmix_metadata=[{"image": np.ones((10, 10), np.uint8)}])
    >>> round(float(out["image"].mean()), 9) == round(1 - out["lam"], 9)
    True
    """

    targets = ("image", "mask", "masks", "bboxes", "keypoints")

    def __init__(self, alpha: float = 1.0, metadata_key: str = "cutmix_metadata",
                 mix_weight_field: str | None = None, p: float = 0.5):
        super().__init__(p=p)
        self._init_pair(alpha, metadata_key, mix_weight_field)

    def apply_to_state(self, state, rng) -> None:
        state.materialize_all()
        other = _one_other("CutMix", self.metadata_key, state, rng)
        if other is None:
            return
        h, w = state.shape
        lam = float(rng.beta(self.alpha, self.alpha))
        x0, y0, x1, y1 = cutmix_box(rng, (h, w), lam)
        images = {}
        for k, img in state.images.items():
            out = img.copy()
            if k in other.images:
                out[y0:y1, x0:x1] = other.images[k][y0:y1, x0:x1]
            images[k] = out

        def paste(m, src):
            out = m.copy()
            out[y0:y1, x0:x1] = 0 if src is None else src[y0:y1, x0:x1]
            return out

        masks = {k: paste(m, other.masks.get(k)) for k, m in state.masks.items()}
        lists = {}
        for k, lst in state.mask_lists.items():
            src = other.mask_lists.get(k)
            if src is not None and len(src) != len(lst):
                raise TargetError(f"CutMix: a sample's {k!r} has {len(src)} masks, the call's has "
                                  f"{len(lst)}: each entry is one mask target, they must match")
            lists[k] = _list_like(lst, [paste(m, None if src is None else src[j]) for j, m in enumerate(lst)])
        covered = np.zeros((h, w), bool)
        covered[y0:y1, x0:x1] = True
        boxes, keep = _occluded(state, state.boxes, covered)
        kp_vis = state.kp_visible & ~_inside(state.kps, (x0, y0, x1, y1))
        state.replace_frame(images, masks, lists, (h, w))
        state.set_annotations(boxes[keep], state.box_index[keep], state.kps, state.kp_index, kp_vis)
        ob, okeep = state.clip_boxes_to(other.boxes, (x0, y0, x1, y1))
        state.append_annotations(ob[okeep], other.box_index[okeep], other.kps, other.kp_index,
                                 other.kp_visible & _inside(other.kps, (x0, y0, x1, y1)))
        if self.mix_weight_field is not None:
            state.extra[self.mix_weight_field] = 1.0 - (x1 - x0) * (y1 - y0) / float(h * w)


# -------------------------------------------------------------------------------------
# CopyAndPaste
# -------------------------------------------------------------------------------------
class CopyAndPaste(_FromMetadata):
    """Paste the object instances of another sample onto the image, by their masks.

    The other sample (one drawn from the ``metadata_key`` list) gives ``"image"``,
    ``"masks"`` (one mask per instance, the image's size) and, when the call has boxes,
    ``"bboxes"`` with one row per mask plus the label fields. It is resized to the image's
    size and its pixels are copied where any instance mask is non-zero. Then:

    * ``masks`` of the call (instance masks) lose the pasted pixels and the pasted
      instances' masks are appended; a ``mask`` target takes the other sample's ``mask``
      values there when it has one;
    * pasted boxes are appended (the extent of each pasted mask; the rows keep their labels
      and extra columns);
    * the call's boxes: when they are bound to the ``masks`` one to one
      (``len(masks) == len(bboxes)`` in the call), each becomes the extent of its mask's
      remaining pixels, visibility being the remaining fraction of its mask's pixels;
      otherwise the box keeps the extent of its uncovered pixels, visibility being the
      uncovered fraction of the box. Boxes below ``min_visibility`` (or fully covered) are
      removed;
    * keypoints on pasted pixels become invisible (the other sample's keypoints are not
      pasted).

    Not in Albumentations 2.0.8 (its OverlayElements pastes images without annotations).

    Args:
        metadata_key: call argument holding the other samples (list of dicts).
        p: probability of applying the transform.

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: uint8, uint16, float32.

    >>> import numpy as np, augkit as A
    >>> obj = np.zeros((8, 8), np.uint8); obj[2:4, 2:6] = 1
    >>> pipe = A.Compose([A.CopyAndPaste(p=1.0)], bbox_params=A.BboxParams(format="pascal_voc", label_fields=["labels"]))
    >>> out = pipe(image=np.zeros((8, 8), np.uint8), bboxes=[], labels=[],
    ...            copypaste_metadata=[{"image": np.full((8, 8), 9, np.uint8), "masks": [obj],
    ...                                 "bboxes": [(2, 2, 6, 4)], "labels": ["cat"]}])
    >>> out["bboxes"], out["labels"], int(out["image"].sum())
    ([(2.0, 2.0, 6.0, 4.0)], ['cat'], 72)
    """

    targets = ("image", "mask", "masks", "bboxes", "keypoints")

    def __init__(self, metadata_key: str = "copypaste_metadata", p: float = 0.5):
        super().__init__(p=p)
        self.metadata_key = _check_metadata_key("CopyAndPaste", metadata_key)

    def apply_to_state(self, state, rng) -> None:
        owner, key = "CopyAndPaste", self.metadata_key
        state.materialize_all()
        items = _metadata(owner, key, state, required=True)
        if not items:
            return
        i = P.draw_int(rng, 0, len(items) - 1) if len(items) > 1 else 0
        item = items[i]
        where = f"{key}[{i}]"
        instances = item.get("masks")
        if instances is None or isinstance(instances, (str, Mapping)):
            raise TargetError(f"{owner}: {where} needs 'masks', one mask per object instance")
        if isinstance(instances, np.ndarray) and instances.ndim == 2:
            instances = instances[None]
        instances = [check_mask(f"{owner}: {where}['masks'][{j}]", m) for j, m in enumerate(instances)]
        n_rows = None
        if state.bbox_rows is not None:
            value = item.get("bboxes")
            n_rows = 0 if value is None else len(value)
            if n_rows != len(instances):
                raise TargetError(f"{owner}: {where} has {len(instances)} masks but {n_rows} bboxes; "
                                  f"give one box row (with its labels) per instance mask")
        # the instance masks are read by CopyAndPaste itself, not as a mask target
        plain = {k: v for k, v in item.items() if k != "masks"}
        first_row = len(state.bbox_rows) if state.bbox_rows is not None else 0
        other = _read_item(owner, key, i, plain, state)
        for j, m in enumerate(instances):
            if m.shape[:2] != other.shape:
                raise TargetError(f"{owner}: {where}['masks'][{j}] has size {m.shape[:2]}, "
                                  f"but its image has {other.shape}")
        other, _, _ = _to_frame(other, state.shape)
        h, w = state.shape
        pasted = [_resized(m, (h, w), cv2.INTER_NEAREST) for m in instances]
        pasted = [(m != 0).any(axis=2) if m.ndim == 3 else m != 0 for m in pasted]
        covered = np.zeros((h, w), bool)
        for m in pasted:
            covered |= m
        images = {}
        for k, img in state.images.items():
            out = img.copy()
            if k in other.images:
                out[covered] = other.images[k][covered]
            images[k] = out
        masks = {}
        for k, m in state.masks.items():
            out = m.copy()
            if k in other.masks:
                out[covered] = other.masks[k][covered]
            masks[k] = out
        bound = state.bbox_rows is not None and "masks" in state.mask_lists \
            and len(state.mask_lists["masks"]) == len(state.bbox_rows)
        before = list(state.mask_lists.get("masks", [])) if bound else None
        lists = {}
        for k, lst in state.mask_lists.items():
            kept = []
            for m in lst:
                m = m.copy()
                m[covered] = 0
                kept.append(m)
            if k == "masks":
                dtype = lst.dtype if isinstance(lst, np.ndarray) else (kept[0].dtype if kept else np.uint8)
                kept += [np.asarray(m, dtype=dtype) if dtype != np.bool_ else m for m in pasted]
            lists[k] = _list_like(lst, kept)
        # the call's boxes
        if bound and len(state.boxes):
            after = lists["masks"]
            rows = state.box_index
            new, ok = _mask_extents([after[r] for r in rows])
            frac = np.array([np.count_nonzero(after[r]) / max(1, np.count_nonzero(before[r])) for r in rows])
            has = np.array([np.count_nonzero(before[r]) > 0 for r in rows])
            if not np.all(has):  # boxes whose mask is empty follow their own pixels
                alt, alt_keep = _occluded(state, state.boxes, covered)
            boxes = state.boxes.copy()
            keep = np.zeros(len(rows), bool)
            for k in range(len(rows)):
                if has[k]:
                    # the box stays within its old extent (the mask may be looser than the box)
                    boxes[k] = [max(new[k, 0], boxes[k, 0]), max(new[k, 1], boxes[k, 1]),
                                min(new[k, 2], boxes[k, 2]), min(new[k, 3], boxes[k, 3])]
                    keep[k] = ok[k]
                else:
                    boxes[k], keep[k] = alt[k], alt_keep[k]
            keep &= state._filter_boxes(boxes, boxes, keep)
            if state.bbox_params is not None:
                keep &= np.where(has, frac >= state.bbox_params.min_visibility - 1e-12, True)
        else:
            boxes, keep = _occluded(state, state.boxes, covered)
        kp_vis = state.kp_visible.copy()
        if len(state.kps):
            ij = np.floor(state.kps[:, :2]).astype(np.int64)
            inside = (ij[:, 0] >= 0) & (ij[:, 0] < w) & (ij[:, 1] >= 0) & (ij[:, 1] < h)
            hit = np.zeros(len(ij), bool)
            hit[inside] = covered[ij[inside, 1], ij[inside, 0]]
            kp_vis &= ~hit
        state.replace_frame(images, masks, lists, (h, w))
        state.set_annotations(boxes[keep], state.box_index[keep], state.kps, state.kp_index, kp_vis)
        if n_rows:
            ext, ok = _mask_extents(pasted)
            ok &= state._filter_boxes(ext, ext, ok)
            # the item's rows were appended in order: row first_row + j is instance j
            state.append_annotations(ext[ok], first_row + np.flatnonzero(ok))


# -------------------------------------------------------------------------------------
# OverlayElements
# -------------------------------------------------------------------------------------
class OverlayElements(_FromMetadata):
    """Paste overlay images (stickers, logos, document elements) onto the image.

    The call argument ``metadata_key`` holds one dict or a list of dicts, each with
    ``"image"`` (same dtype and channels as the image) and optionally ``"bbox"``
    (normalized ``x_min, y_min, x_max, y_max``: the overlay is resized into it), ``"mask"``
    (the overlay's shape; pixels where it is non-zero are pasted; default: all) and
    ``"mask_id"`` (written into every mask, ``masks`` entries included, where the overlay is
    pasted). Without a
    bbox the overlay is placed at a random position (resized to the image first when it is
    larger). Boxes and keypoints are not changed. As Albumentations 2.0.8.

    Args:
        metadata_key: call argument holding the overlays.
        p: probability of applying the transform.

    Targets: image, mask. Dtypes: uint8, uint16, float32.

    >>> import numpy as np, augkit as A
    >>> overlay = {"image": np.full((2, 2), 7, np.uint8), "bbox": [0.0, 0.0, 0.5, 0.5], "mask_id": 3}
    >>> out = A.OverlayElements(p=1.0)(image=np.zeros((4, 4), np.uint8), mask=np.zeros((4, 4), np.uint8),
    ...                                overlay_metadata=overlay)
    >>> out["image"][:2, :2].tolist(), int(out["mask"].sum())
    ([[7, 7], [7, 7]], 12)
    """

    targets = ("image", "mask")

    def __init__(self, metadata_key: str = "overlay_metadata", p: float = 0.5):
        super().__init__(p=p)
        self.metadata_key = _check_metadata_key("OverlayElements", metadata_key)

    def apply_to_state(self, state, rng) -> None:
        owner, key = "OverlayElements", self.metadata_key
        state.materialize_images()
        state.materialize_masks()
        items = _metadata(owner, key, state, required=True)
        h, w = state.shape
        ref = state.first_image
        images = {k: v.copy() for k, v in state.images.items()}
        masks = {k: v.copy() for k, v in state.masks.items()}
        lists = {k: [m.copy() for m in v] for k, v in state.mask_lists.items()}
        for i, item in enumerate(items):
            where = f"{key}[{i}]"
            over = _check_like(owner, f"{where}['image']", item["image"], ref, False) if ref is not None \
                else check_mask(where, item["image"])
            sel = item.get("mask")
            if sel is not None:
                sel = check_mask(f"{where}['mask']", sel)
                if sel.shape[:2] != over.shape[:2]:
                    raise TargetError(f"{owner}: {where}['mask'] has size {sel.shape[:2]}, but its "
                                      f"image has {over.shape[:2]}")
            if item.get("bbox") is not None:
                try:
                    bx = np.asarray(item["bbox"], dtype=np.float64).ravel()[:4]
                except (TypeError, ValueError):
                    bx = np.zeros(0)
                if bx.size != 4 or not (0 <= bx[0] < bx[2] <= 1 and 0 <= bx[1] < bx[3] <= 1):
                    raise TargetError(f"{owner}: {where}['bbox'] = {item['bbox']!r} must be normalized "
                                      f"[x_min, y_min, x_max, y_max] with 0 <= min < max <= 1")
                x0, y0, x1, y1 = (int(v) for v in bx * [w, h, w, h])
                if x1 <= x0 or y1 <= y0:
                    raise TargetError(f"{owner}: {where}['bbox'] = {item['bbox']!r} is smaller than a "
                                      f"pixel of the {w}x{h} image")
                over = _resized(over, (y1 - y0, x1 - x0), cv2.INTER_AREA)
                if sel is not None:
                    sel = _resized(sel, (y1 - y0, x1 - x0), cv2.INTER_NEAREST)
            else:
                oh, ow = over.shape[:2]
                if oh > h or ow > w:
                    over = _resized(over, (h, w), cv2.INTER_AREA)
                    if sel is not None:
                        sel = _resized(sel, (h, w), cv2.INTER_NEAREST)
                oh, ow = over.shape[:2]
                x0, y0 = P.draw_int(rng, 0, w - ow), P.draw_int(rng, 0, h - oh)
            oh, ow = over.shape[:2]
            on = np.ones((oh, ow), bool) if sel is None else (sel != 0 if sel.ndim == 2 else (sel != 0).any(axis=2))
            for img in images.values():
                img[y0:y0 + oh, x0:x0 + ow][on] = over[on]
            if item.get("mask_id") is not None:
                for m in masks.values():
                    m[y0:y0 + oh, x0:x0 + ow][on] = item["mask_id"]
                for k in lists:
                    for m in lists[k]:
                        m[y0:y0 + oh, x0:x0 + ow][on] = item["mask_id"]
        state.images.update(images)
        state.masks.update(masks)
        state.mask_lists.update({k: _list_like(state.mask_lists[k], v) for k, v in lists.items()})
