"""Annotation parameters and conversions between user formats and augkit's internal ones.

Internally boxes are absolute ``x_min, y_min, x_max, y_max`` float64 in continuous pixel
space, and keypoints are ``x, y, angle (radians), scale`` with ``(x, y)`` continuous
(pixel index + 0.5). Conversion happens once at the entry of a pipeline and once at its
exit, so no normalization round-off builds up inside.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from augkit.core.params import check_number, fail
from augkit.errors import InvalidParameterError, TargetError

BBOX_FORMATS = ("pascal_voc", "coco", "yolo", "albumentations")
KEYPOINT_FORMATS = ("xy", "yx", "xya", "xys", "xyas", "xysa")


class BboxParams:
    """How a pipeline reads, writes and filters bounding boxes.

    Args:
        format: ``"pascal_voc"`` (pixel edges x_min, y_min, x_max, y_max), ``"coco"``
            (x_min, y_min, width, height in pixels), ``"yolo"`` (normalized centre x,
            centre y, width, height) or ``"albumentations"`` (normalized edges).
        label_fields: names of the call arguments holding one label per box.
        min_area: boxes whose area in pixels falls below this after the pipeline are removed.
        min_visibility: boxes keeping less than this fraction of their area are removed.
        min_width, min_height: minimum size in pixels of a kept box.
        check_each_transform: kept for compatibility; boxes are filtered whenever the
            engine materializes them and at the end.
        clip: clip input boxes to the image instead of rejecting boxes that leave it.
        filter_invalid_bboxes: drop invalid input boxes (empty, inverted) instead of raising.
        max_accept_ratio: drop boxes whose aspect ratio max(w/h, h/w) exceeds this.
        instance_masks: name of a ``masks`` target whose i-th mask is the i-th box's
            object (instance binding). A box removed takes its mask with it, a mask left
            empty (cropped or hidden away) takes its box with it, and the output masks come
            in the output boxes' order.
        boxes_from_masks: with ``instance_masks``, each output box is the extent of its
            transformed mask (tight after rotations and distortions, where a box's turned
            outline is loose).

    >>> import augkit as A
    >>> params = A.BboxParams(format="coco", label_fields=["labels"], min_visibility=0.3)
    """

    def __init__(self, format: str, label_fields: Sequence[str] | None = None,
                 min_area: float = 0.0, min_visibility: float = 0.0, min_width: float = 0.0,
                 min_height: float = 0.0, check_each_transform: bool = True, clip: bool = False,
                 filter_invalid_bboxes: bool = False, max_accept_ratio: float | None = None,
                 instance_masks: str | None = None, boxes_from_masks: bool = False):
        if instance_masks is not None and not isinstance(instance_masks, str):
            raise fail("BboxParams", "instance_masks", instance_masks,
                       "instance_masks must be the name of a masks target, e.g. 'masks'")
        if boxes_from_masks and instance_masks is None:
            raise fail("BboxParams", "boxes_from_masks", boxes_from_masks,
                       "boxes_from_masks needs instance_masks (the masks the boxes come from)")
        self.instance_masks = instance_masks
        self.boxes_from_masks = bool(boxes_from_masks)
        if format not in BBOX_FORMATS:
            raise fail("BboxParams", "format", format, f"format must be one of {', '.join(BBOX_FORMATS)}")
        self.format = format
        self.label_fields = _label_fields("BboxParams", label_fields)
        self.min_area = float(check_number("BboxParams", "min_area", min_area, 0))
        self.min_visibility = float(check_number("BboxParams", "min_visibility", min_visibility, 0, 1))
        self.min_width = float(check_number("BboxParams", "min_width", min_width, 0))
        self.min_height = float(check_number("BboxParams", "min_height", min_height, 0))
        self.check_each_transform = bool(check_each_transform)
        self.clip = bool(clip)
        self.filter_invalid_bboxes = bool(filter_invalid_bboxes)
        if max_accept_ratio is not None:
            check_number("BboxParams", "max_accept_ratio", max_accept_ratio, 1)
        self.max_accept_ratio = max_accept_ratio

    def __repr__(self) -> str:
        return (f"BboxParams(format={self.format!r}, label_fields={self.label_fields!r}, "
                f"min_area={self.min_area}, min_visibility={self.min_visibility}, "
                f"min_width={self.min_width}, min_height={self.min_height}, clip={self.clip}, "
                f"filter_invalid_bboxes={self.filter_invalid_bboxes})")


class KeypointParams:
    """How a pipeline reads, writes and filters keypoints.

    Args:
        format: the columns of each keypoint: ``"xy"``, ``"yx"``, ``"xya"``, ``"xys"``,
            ``"xyas"`` or ``"xysa"`` (x, y pixel indices; a angle; s scale). Columns
            after those travel with the keypoint unchanged.
        label_fields: names of the call arguments holding one label per keypoint.
        remove_invisible: drop keypoints that end outside the image or hidden (e.g. under a
            dropout hole). A keypoint is inside when it falls on one of the image's pixels:
            pixel-index coordinates in ``[-0.5, width - 0.5) x [-0.5, height - 0.5)``. ``False`` keeps every keypoint in place: a fixed-length output,
            as pose models need.
        angle_in_degrees: angles are given and returned in degrees (else radians).
        instance_field: name of one of ``label_fields`` holding, per keypoint, the index of
            the box (input row of ``bboxes``) it belongs to, or -1 for none. Keypoints of a
            removed box become invisible (and are removed with ``remove_invisible``).
        visibility_field: name of a call argument and output key holding one visibility
            value per keypoint. In the output, a keypoint is visible when it lies inside the
            image and nothing hid it. Input values (optional) mark keypoints invisible from
            the start (``False`` / ``0``); COCO-style ``0/1/2`` values come back as given
            for visible keypoints and ``0`` for the others; without input, ``True``/``False``.
        label_mapping: ``{transform name: {label field: {label: new label}}}``: when that
            transform mirrors the image (HorizontalFlip, VerticalFlip, Transpose, and D4 /
            SquareSymmetry when the drawn element is a reflection), the keypoints' labels in
            that field are renamed (``"left_eye"`` -> ``"right_eye"``). When every keypoint is
            kept and the field's labels are distinct, the keypoints are also reordered so
            that position ``i`` keeps the label it had on input (index = meaning), as
            pose and landmark models expect. Labels not in a mapping stay as they are.

    >>> import augkit as A
    >>> params = A.KeypointParams(format="xy", label_fields=["names"], remove_invisible=False,
    ...                           visibility_field="visible",
    ...                           label_mapping={"HorizontalFlip": {"names": {"l_eye": "r_eye", "r_eye": "l_eye"}}})
    """

    def __init__(self, format: str, label_fields: Sequence[str] | None = None,
                 remove_invisible: bool = True, angle_in_degrees: bool = True,
                 check_each_transform: bool = True, visibility_field: str | None = None,
                 label_mapping: Mapping[str, Mapping[str, Mapping[Any, Any]]] | None = None,
                 instance_field: str | None = None):
        if format not in KEYPOINT_FORMATS:
            raise fail("KeypointParams", "format", format,
                       f"format must be one of {', '.join(KEYPOINT_FORMATS)}")
        self.format = format
        self.label_fields = _label_fields("KeypointParams", label_fields)
        self.remove_invisible = bool(remove_invisible)
        self.angle_in_degrees = bool(angle_in_degrees)
        self.check_each_transform = bool(check_each_transform)
        if visibility_field is not None and (not isinstance(visibility_field, str)
                                             or visibility_field in self.label_fields
                                             or visibility_field in ("image", "mask", "masks", "bboxes", "keypoints")):
            raise fail("KeypointParams", "visibility_field", visibility_field,
                       "visibility_field must be a name that is not a target or a label field")
        self.visibility_field = visibility_field
        if instance_field is not None and instance_field not in self.label_fields:
            raise fail("KeypointParams", "instance_field", instance_field,
                       f"instance_field must be one of the label_fields {self.label_fields}")
        self.instance_field = instance_field
        self.label_mapping = _check_label_mapping(label_mapping, self.label_fields)

    def __repr__(self) -> str:
        extra = ""
        if self.visibility_field is not None:
            extra += f", visibility_field={self.visibility_field!r}"
        if self.label_mapping:
            extra += f", label_mapping={self.label_mapping!r}"
        return (f"KeypointParams(format={self.format!r}, label_fields={self.label_fields!r}, "
                f"remove_invisible={self.remove_invisible}, angle_in_degrees={self.angle_in_degrees}{extra})")


def _check_label_mapping(mapping, label_fields):
    if mapping is None:
        return {}
    ok = isinstance(mapping, Mapping) and all(
        isinstance(name, str) and isinstance(fields, Mapping)
        and all(isinstance(f, str) and isinstance(m, Mapping) for f, m in fields.items())
        for name, fields in mapping.items())
    if not ok:
        raise fail("KeypointParams", "label_mapping", mapping,
                   "label_mapping must be {transform name: {label field: {label: new label}}}")
    for name, fields in mapping.items():
        unknown = [f for f in fields if f not in label_fields]
        if unknown:
            raise fail("KeypointParams", "label_mapping", mapping,
                       f"label_mapping[{name!r}] names {unknown[0]!r}, which is not one of the "
                       f"label_fields {label_fields}")
    return {name: {f: dict(m) for f, m in fields.items()} for name, fields in mapping.items()}


def _label_fields(owner, fields):
    if fields is None:
        return []
    if isinstance(fields, str):
        return [fields]
    fields = list(fields)
    if not all(isinstance(f, str) for f in fields):
        raise fail(owner, "label_fields", fields, "label_fields must be a list of names")
    return fields


def make_bbox_params(value: Any) -> BboxParams | None:
    if value is None or isinstance(value, BboxParams):
        return value
    if isinstance(value, Mapping):
        return BboxParams(**value)
    raise InvalidParameterError(f"Compose(bbox_params={value!r}): expected BboxParams, a dict or None")


def make_keypoint_params(value: Any) -> KeypointParams | None:
    if value is None or isinstance(value, KeypointParams):
        return value
    if isinstance(value, Mapping):
        return KeypointParams(**value)
    raise InvalidParameterError(
        f"Compose(keypoint_params={value!r}): expected KeypointParams, a dict or None")


def metadata_dicts(owner: str, key: str, value: Any, required: Sequence[str], what: str) -> list:
    """Call metadata given as one dict or a list of dicts (``key`` names the call argument):
    the list, each item checked to be a dict holding the ``required`` keys."""
    if isinstance(value, Mapping):
        value = [value]
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise TargetError(f"{owner}: {key} must be a dict or a list of dicts ({what}), "
                          f"got {type(value).__name__}")
    for i, item in enumerate(value):
        if not isinstance(item, Mapping):
            raise TargetError(f"{owner}: {key}[{i}] must be a dict ({what}), got {type(item).__name__}")
        missing = [k for k in required if k not in item]
        if missing:
            raise TargetError(f"{owner}: {key}[{i}] has no {missing[0]!r} (keys: {sorted(item)})")
    return list(value)


# ---------------------------------------------------------------------------------
# rows in and out
# ---------------------------------------------------------------------------------
def _numeric_rows(rows: list, ncoords: int) -> np.ndarray | None:
    """The first ``ncoords`` columns of rows of plain numbers, all of one length; else None
    (the caller then checks row by row and names the bad one). One numpy conversion:
    10 boxes in ~3 us instead of ~10 us row by row."""
    if not rows:
        return np.zeros((0, ncoords))
    try:
        arr = np.array(rows, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    if arr.ndim != 2 or arr.shape[1] < ncoords:
        return None
    return arr[:, :ncoords].copy() if arr.shape[1] != ncoords else arr


def _coords_row_by_row(name: str, rows: list, ncoords: int) -> np.ndarray:
    """The first ``ncoords`` columns of mixed rows (labels inside, ragged), checked one by one."""
    coords = np.zeros((len(rows), ncoords))
    for i, row in enumerate(rows):
        if isinstance(row, np.ndarray):
            row = row.tolist()
        if not isinstance(row, Sequence) or isinstance(row, str) or len(row) < ncoords:
            raise TargetError(f"{name}[{i}]: expected at least {ncoords} numbers, got {row!r}")
        try:
            coords[i] = [float(v) for v in row[:ncoords]]
        except (TypeError, ValueError):
            raise TargetError(f"{name}[{i}]: coordinates must be numbers, got {row!r}") from None
    return coords


class Rows:
    """Remembers how the user gave a list of boxes or keypoints, to give it back the same way."""

    def __init__(self, name: str, value: Any, ncoords: int):
        self.name = name
        self.is_array = isinstance(value, np.ndarray)
        if self.is_array:
            arr = value
            if arr.ndim == 1 and arr.size == 0:
                arr = arr.reshape(0, ncoords)
            if arr.ndim != 2 or arr.shape[1] < ncoords:
                raise TargetError(f"{name}: expected an array of shape (N, >= {ncoords}), "
                                  f"got shape {value.shape}")
            self.rows = arr
            try:
                coords = arr[:, :ncoords].astype(np.float64)
            except (TypeError, ValueError) as e:
                raise TargetError(f"{name}: coordinates must be numbers ({e})") from None
            self.dtype = arr.dtype
        else:
            if not isinstance(value, Sequence) or isinstance(value, str):
                raise TargetError(f"{name}: expected a list of rows or an (N, {ncoords}+) array, "
                                  f"got {type(value).__name__}")
            rows = list(value)
            coords = _numeric_rows(rows, ncoords)
            if coords is None:
                coords = _coords_row_by_row(name, rows, ncoords)
            self.rows = rows
            self.container = type(value) if isinstance(value, (list, tuple)) else list
        self.coords = coords
        if coords.size and not np.all(np.isfinite(coords)):
            bad = int(np.argwhere(~np.isfinite(coords))[0, 0])
            raise TargetError(f"{name}[{bad}]: coordinates must be finite, got {self._row(bad)!r}")
        self.ncoords = ncoords

    def _row(self, i):
        return self.rows[i].tolist() if self.is_array else self.rows[i]

    def __len__(self):
        return len(self.coords)

    def rebuild(self, index: np.ndarray, coords: np.ndarray) -> Any:
        """Rows ``index`` of the input with their first columns replaced by ``coords``."""
        if self.is_array:
            out = self.rows[index].copy() if len(index) else self.rows[:0].copy()
            if out.dtype.kind in "fc" or out.dtype == object:
                out[:, :self.ncoords] = coords
            else:
                out = out.astype(np.float64)
                out[:, :self.ncoords] = coords
            return out
        result = []
        n = self.ncoords
        for i, new in zip(index.tolist(), coords.tolist()):
            row = self.rows[i]
            if len(row) > n:
                new += list(row[n:]) if not isinstance(row, np.ndarray) else row[n:].tolist()
            result.append(tuple(new) if isinstance(row, tuple) else new)
        return self.container(result) if self.container is not list else result


def gather_labels(name: str, value: Any, index: np.ndarray) -> Any:
    if isinstance(value, np.ndarray):
        return value[index]
    out = [value[i] for i in index]
    return tuple(out) if isinstance(value, tuple) else out


# ---------------------------------------------------------------------------------
# boxes
# ---------------------------------------------------------------------------------
def bboxes_to_internal(coords: np.ndarray, fmt: str, shape: tuple[int, int]) -> np.ndarray:
    h, w = shape
    c = coords.astype(np.float64, copy=True)
    if fmt == "pascal_voc":
        return c
    if fmt == "coco":
        c[:, 2] += c[:, 0]
        c[:, 3] += c[:, 1]
        return c
    if fmt == "yolo":
        cx, cy, bw, bh = c[:, 0].copy(), c[:, 1].copy(), c[:, 2].copy(), c[:, 3].copy()
        c[:, 0], c[:, 2] = cx - bw / 2, cx + bw / 2
        c[:, 1], c[:, 3] = cy - bh / 2, cy + bh / 2
    c[:, [0, 2]] *= w
    c[:, [1, 3]] *= h
    return c


def bboxes_from_internal(boxes: np.ndarray, fmt: str, shape: tuple[int, int]) -> np.ndarray:
    h, w = shape
    c = boxes.astype(np.float64, copy=True)
    if fmt == "pascal_voc":
        return c
    if fmt == "coco":
        c[:, 2] -= c[:, 0]
        c[:, 3] -= c[:, 1]
        return c
    c[:, [0, 2]] /= w
    c[:, [1, 3]] /= h
    if fmt == "yolo":
        x1, y1, x2, y2 = c[:, 0].copy(), c[:, 1].copy(), c[:, 2].copy(), c[:, 3].copy()
        c[:, 0], c[:, 1] = (x1 + x2) / 2, (y1 + y2) / 2
        c[:, 2], c[:, 3] = x2 - x1, y2 - y1
    return c


def check_input_bboxes(boxes: np.ndarray, params: BboxParams, shape: tuple[int, int],
                       rows: Rows) -> np.ndarray:
    """Validate (or clip / filter, as configured) internal boxes; returns the rows kept."""
    h, w = shape
    keep = np.ones(len(boxes), dtype=bool)
    frame = np.array([w, h, w, h], dtype=np.float64)
    if params.clip:
        np.minimum(np.maximum(boxes, 0.0, out=boxes), frame, out=boxes)
    tol = 1e-6 * max(h, w, 1)
    # Plain floats: for the usual few dozen boxes a loop over one tolist() is cheaper than
    # numpy's per-call costs (10 boxes: 1.5 us against 5 us vectorized, ~15 us with np.clip)
    for i, (x1, y1, x2, y2) in enumerate(boxes.tolist()):
        if x1 < x2 and y1 < y2 and x1 >= -tol and y1 >= -tol and x2 <= w + tol and y2 <= h + tol:
            continue
        problem = None
        if x2 <= x1 or y2 <= y1:
            problem = "x_max must exceed x_min and y_max must exceed y_min"
        elif x1 < -tol or y1 < -tol or x2 > w + tol or y2 > h + tol:
            problem = (f"the box leaves the {w}x{h} image (use BboxParams(clip=True) to clip it, "
                       f"or filter_invalid_bboxes=True to drop it)")
        if problem:
            if params.filter_invalid_bboxes:
                keep[i] = False
                continue
            raise TargetError(f"bboxes[{i}] = {rows._row(i)!r} in format {params.format!r}: {problem}")
    np.minimum(np.maximum(boxes, 0.0, out=boxes), frame, out=boxes)
    return keep


# ---------------------------------------------------------------------------------
# keypoints
# ---------------------------------------------------------------------------------
def keypoints_to_internal(coords: np.ndarray, params: KeypointParams) -> np.ndarray:
    fmt = params.format
    out = np.zeros((len(coords), 4))
    out[:, 3] = 1.0
    for col, letter in enumerate(fmt):
        target = {"x": 0, "y": 1, "a": 2, "s": 3}[letter]
        out[:, target] = coords[:, col]
    out[:, :2] += 0.5
    if "a" in fmt:
        if params.angle_in_degrees:
            out[:, 2] = np.radians(out[:, 2])
        out[:, 2] = np.mod(out[:, 2], 2 * math.pi)
    return out


def keypoints_from_internal(kps: np.ndarray, params: KeypointParams) -> np.ndarray:
    fmt = params.format
    src = kps.copy()
    src[:, :2] -= 0.5
    if params.angle_in_degrees:
        src[:, 2] = np.degrees(src[:, 2])
    out = np.zeros((len(kps), len(fmt)))
    for col, letter in enumerate(fmt):
        out[:, col] = src[:, {"x": 0, "y": 1, "a": 2, "s": 3}[letter]]
    return out
