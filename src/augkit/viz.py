"""Drawing helpers to look at images and their targets.

Every function here returns a **new** ``uint8`` RGB array of shape
``(H, W, 3)`` and never modifies its inputs.  Images may be ``uint8``,
``uint16`` or floating point in ``[0, 1]``; grayscale ``(H, W)`` /
``(H, W, 1)`` images are converted to RGB and images with more than three
channels keep their first three.

Coordinate conventions (the same as the rest of augkit):

* boxes are pascal_voc pixel edges ``[x_min, y_min, x_max, y_max]``; the box
  covers pixel columns ``x_min .. x_max - 1`` and rows ``y_min .. y_max - 1``;
* keypoints are ``(x, y)`` pixel indices, ``x`` the column and ``y`` the row.

Example
-------
>>> from augkit import data, viz
>>> s = data.sample()
>>> canvas = viz.draw_sample(s)
>>> canvas.shape, canvas.dtype
((384, 384, 3), dtype('uint8'))
>>> grid = viz.make_grid([s["image"], canvas], ncols=2, pad=4)
>>> grid.shape
(392, 780, 3)
>>> # viz.save_image("annotated.png", grid)
"""

from __future__ import annotations

import math
import os
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

import cv2
import numpy as np

__all__ = [
    "PALETTE",
    "color_for",
    "draw_bboxes",
    "draw_keypoints",
    "draw_mask",
    "draw_sample",
    "make_grid",
    "save_image",
    "to_uint8_rgb",
]

#: Deterministic palette of 20 well separated RGB colours
#: (Sasha Trubetskoy's "20 simple distinct colours").
PALETTE: tuple[tuple[int, int, int], ...] = (
    (230, 25, 75),
    (60, 180, 75),
    (255, 225, 25),
    (0, 130, 200),
    (245, 130, 48),
    (145, 30, 180),
    (70, 240, 240),
    (240, 50, 230),
    (210, 245, 60),
    (250, 190, 212),
    (0, 128, 128),
    (220, 190, 255),
    (170, 110, 40),
    (255, 250, 200),
    (128, 0, 0),
    (170, 255, 195),
    (128, 128, 0),
    (255, 215, 180),
    (0, 0, 128),
    (128, 128, 128),
)

_FONT = cv2.FONT_HERSHEY_SIMPLEX
_FONT_SCALE = 0.35
_FONT_THICKNESS = 1

Color = tuple[int, int, int]


# --------------------------------------------------------------------------
# colours
# --------------------------------------------------------------------------
def color_for(label: Any) -> Color:
    """Return the palette colour of ``label`` (stable across runs/processes).

    Integers pick ``PALETTE[label % len(PALETTE)]``; any other label is
    hashed with CRC32 of its ``str()`` (Python's ``hash`` is salted per
    process, so it is not used).

    Example
    -------
    >>> from augkit.viz import color_for, PALETTE
    >>> color_for(0) == PALETTE[0]
    True
    >>> color_for("face") == color_for("face")
    True
    """
    return PALETTE[_palette_index(label)]


def _palette_index(label: Any) -> int:
    if isinstance(label, (int, np.integer)) and not isinstance(label, bool):
        return int(label) % len(PALETTE)
    return zlib.crc32(str(label).encode("utf-8")) % len(PALETTE)


def _label_colors(labels: Sequence[Any]) -> dict[Any, Color]:
    """Map each distinct label to a colour; distinct labels get distinct
    colours (as long as there are no more than ``len(PALETTE)`` of them).

    The preferred colour is :func:`color_for`; on a collision the next free
    palette entry is taken (linear probing in first-appearance order), which
    keeps the mapping deterministic.
    """
    mapping: dict[Any, Color] = {}
    used: set[int] = set()
    for label in labels:
        key = _hashable(label)
        if key in mapping:
            continue
        idx = _palette_index(label)
        if len(used) < len(PALETTE):
            while idx in used:
                idx = (idx + 1) % len(PALETTE)
        used.add(idx)
        mapping[key] = PALETTE[idx]
    return mapping


def _hashable(label: Any) -> Any:
    if isinstance(label, np.ndarray):
        return label.tobytes()
    if isinstance(label, np.generic):
        return label.item()
    try:
        hash(label)
    except TypeError:
        return repr(label)
    return label


def _as_color(color: Any) -> Color:
    c = np.asarray(color, dtype=np.float64).ravel()
    if c.size == 1:
        c = np.repeat(c, 3)
    if c.size < 3:
        raise ValueError(f"color must have 1 or 3 components, got {color!r}")
    c = np.clip(np.rint(c[:3]), 0, 255).astype(int)
    return (int(c[0]), int(c[1]), int(c[2]))


def _contrast(color: Color) -> Color:
    """Black or white, whichever stands out more against ``color``."""
    r, g, b = color
    luma = 0.299 * r + 0.587 * g + 0.114 * b
    return (0, 0, 0) if luma > 140 else (255, 255, 255)


def _colors(n: int, labels: Sequence[Any] | None, color: Any) -> list[Color]:
    if color is not None:
        return [_as_color(color)] * n
    if labels is not None:
        mapping = _label_colors(labels)
        return [mapping[_hashable(lb)] for lb in labels]
    return [PALETTE[i % len(PALETTE)] for i in range(n)]


# --------------------------------------------------------------------------
# image conversion
# --------------------------------------------------------------------------
def to_uint8_rgb(image: Any) -> np.ndarray:
    """Return a new contiguous ``(H, W, 3)`` uint8 RGB copy of ``image``.

    * ``uint8`` is kept, ``uint16`` is scaled by ``255 / 65535``, floating
      point is clipped to ``[0, 1]`` and scaled by 255 (NaN becomes 0),
      ``bool`` becomes 0/255; other integer types are clipped to
      ``[0, 255]``.
    * ``(H, W)``, ``(H, W, 1)`` and ``(H, W, 2)`` are treated as gray (first
      channel); more than three channels keep the first three.

    Example
    -------
    >>> import numpy as np
    >>> from augkit.viz import to_uint8_rgb
    >>> to_uint8_rgb(np.ones((4, 5), np.float32)).shape
    (4, 5, 3)
    >>> int(to_uint8_rgb(np.full((2, 2, 1), 65535, np.uint16)).min())
    255
    """
    arr = np.asarray(image)
    if arr.ndim == 3 and arr.shape[2] == 0:
        raise ValueError("image has no channels")
    if arr.ndim == 2:
        arr = arr[:, :, None]
    elif arr.ndim != 3:
        raise ValueError(f"expected an (H, W) or (H, W, C) image, got shape {arr.shape}")

    if arr.dtype == np.uint8:
        out = arr
    elif arr.dtype == np.bool_:
        out = arr.astype(np.uint8) * np.uint8(255)
    elif arr.dtype == np.uint16:
        out = ((arr.astype(np.uint32) * 255 + 32767) // 65535).astype(np.uint8)
    elif np.issubdtype(arr.dtype, np.floating):
        f = np.nan_to_num(arr.astype(np.float32), nan=0.0, posinf=1.0, neginf=0.0)
        out = (np.clip(f, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    elif np.issubdtype(arr.dtype, np.integer):
        out = np.clip(arr, 0, 255).astype(np.uint8)
    else:
        raise TypeError(f"unsupported image dtype {arr.dtype}")

    if out.shape[2] >= 3:
        out = out[:, :, :3]
    else:
        out = np.repeat(out[:, :, :1], 3, axis=2)
    # Always hand back a fresh, contiguous array (never a view of the input).
    return np.array(out, dtype=np.uint8, order="C", copy=True)


# --------------------------------------------------------------------------
# boxes
# --------------------------------------------------------------------------
def _as_rows(values: Any, min_cols: int, what: str) -> np.ndarray:
    if values is None:
        return np.zeros((0, min_cols), dtype=np.float64)
    arr = np.asarray(values, dtype=np.float64)
    if arr.size == 0:
        return np.zeros((0, min_cols), dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[1] < min_cols:
        raise ValueError(f"{what} must have shape (N, >={min_cols}), got {arr.shape}")
    return arr


def _overlaps(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _draw_text(
    canvas: np.ndarray,
    text: str,
    x: int,
    x_right: int,
    y_top_edge: int,
    inside_y: int,
    color: Color,
    taken: list[tuple[int, int, int, int]] | None = None,
) -> None:
    """Write ``text`` on a filled ``color`` tag whose bottom touches row
    ``y_top_edge - 1`` (i.e. just above a box edge), left-aligned at ``x``.
    If it does not fit there, or would cover a tag listed in ``taken``, it
    is right-aligned at ``x_right`` instead, put just below row ``inside_y``
    (inside the box) or moved further up/down.  The placed tag's rectangle
    ``(x0, y0, x1, y1)`` is appended to ``taken``."""
    h, w = canvas.shape[:2]
    (tw, th), base = cv2.getTextSize(text, _FONT, _FONT_SCALE, _FONT_THICKNESS)
    tag_h = th + base + 2
    tag_w = tw + 4
    lefts = [min(max(v, 0), max(w - tag_w, 0)) for v in (x, x_right - tag_w)]
    taken = [] if taken is None else taken

    def clamp(top: int) -> int:
        return min(max(top, 0), max(h - tag_h, 0))

    above = y_top_edge - tag_h
    candidates = [above] if above >= 0 else []
    candidates.append(inside_y)
    for k in range(1, 4):
        candidates += [above - k * tag_h, inside_y + k * tag_h]
    left, top = lefts[0], clamp(candidates[0])
    for cand in candidates:
        if cand < 0 or cand + tag_h > h:
            continue
        rects = [(lx, cand, lx + tag_w, cand + tag_h) for lx in lefts]
        free = [r for r in rects if not any(_overlaps(r, t) for t in taken)]
        if free:
            left, top = free[0][0], cand
            break
    taken.append((left, top, left + tag_w, top + tag_h))
    cv2.rectangle(canvas, (left, top), (left + tag_w - 1, top + tag_h - 1), color, -1)
    cv2.putText(
        canvas,
        text,
        (left + 2, top + th + 1),
        _FONT,
        _FONT_SCALE,
        _contrast(color),
        _FONT_THICKNESS,
        cv2.LINE_AA,
    )


def _draw_box_frame(
    canvas: np.ndarray, x1: int, y1: int, x2: int, y2: int, color: Color, thickness: int
) -> None:
    """Paint the frame of box ``[x1, y1, x2, y2)`` (pixel edges) ``thickness``
    pixels wide, inside the box, clipped to the canvas."""
    h, w = canvas.shape[:2]
    t = max(int(thickness), 1)
    c = np.asarray(color, dtype=np.uint8)
    cx1, cx2 = max(x1, 0), min(x2, w)
    cy1, cy2 = max(y1, 0), min(y2, h)
    if cx1 >= cx2 or cy1 >= cy2:
        return

    def span(lo: int, hi: int, size: int) -> slice:
        # [lo, hi) clipped to [0, size); empty when entirely outside
        lo, hi = max(lo, 0), min(hi, size)
        return slice(lo, max(hi, lo))

    # top / bottom bands
    canvas[span(y1, min(y1 + t, y2), h), cx1:cx2] = c
    canvas[span(max(y2 - t, y1), y2, h), cx1:cx2] = c
    # left / right bands
    canvas[cy1:cy2, span(x1, min(x1 + t, x2), w)] = c
    canvas[cy1:cy2, span(max(x2 - t, x1), x2, w)] = c


def draw_bboxes(
    image: Any,
    bboxes: Any,
    labels: Sequence[Any] | None = None,
    color: Any = None,
    thickness: int = 1,
) -> np.ndarray:
    """Draw pascal_voc boxes ``[x_min, y_min, x_max, y_max, ...]``.

    Coordinates are absolute pixel edges (rounded to the nearest integer);
    columns after the fourth are ignored.  The frame is painted on the
    box's own edge pixels: columns ``x_min`` and ``x_max - 1`` and rows
    ``y_min`` and ``y_max - 1`` (growing inwards when ``thickness > 1``).
    With ``labels`` each box gets its label written small above it, and
    each distinct label a distinct colour; ``color`` (RGB) overrides the
    colours.  Boxes partly outside the image are clipped.

    Example
    -------
    >>> import numpy as np
    >>> from augkit.viz import draw_bboxes
    >>> img = np.zeros((20, 20, 3), np.uint8)
    >>> out = draw_bboxes(img, [[2, 3, 10, 12]], color=(255, 0, 0))
    >>> out[3, 2].tolist(), out[11, 9].tolist(), out[6, 6].tolist()
    ([255, 0, 0], [255, 0, 0], [0, 0, 0])
    """
    canvas = to_uint8_rgb(image)
    boxes = _as_rows(bboxes, 4, "bboxes")
    n = len(boxes)
    if labels is not None and len(labels) != n:
        raise ValueError(f"got {len(labels)} labels for {n} boxes")
    colors = _colors(n, labels, color)
    t = max(int(thickness), 1)
    tags = []
    for i, box in enumerate(boxes):
        if not np.all(np.isfinite(box[:4])):
            continue
        x1, y1, x2, y2 = (int(v) for v in np.rint(box[:4]))
        x1, x2 = min(x1, x2), max(x1, x2)
        y1, y2 = min(y1, y2), max(y1, y2)
        x2 = max(x2, x1 + 1)
        y2 = max(y2, y1 + 1)
        _draw_box_frame(canvas, x1, y1, x2, y2, colors[i], t)
        if labels is not None:
            tags.append((str(labels[i]), x1, x2, y1, y1 + t, colors[i]))
    # Labels last so that they are not painted over by neighbouring frames.
    taken: list[tuple[int, int, int, int]] = []
    for text, x, x_right, y_top, inside_y, col in tags:
        _draw_text(canvas, text, x, x_right, y_top, inside_y, col, taken)
    return canvas


# --------------------------------------------------------------------------
# keypoints
# --------------------------------------------------------------------------
def draw_keypoints(
    image: Any,
    keypoints: Any,
    labels: Sequence[Any] | None = None,
    color: Any = None,
    radius: int = 3,
) -> np.ndarray:
    """Draw keypoints ``(x, y[, angle_degrees, scale, ...])``.

    ``x``/``y`` are pixel indices (rounded to the nearest pixel).  Each point
    is a filled disc of ``radius`` with a 1-pixel black-or-white outline; the
    keypoint's own pixel always gets the point colour.  If a third column is
    present it is an angle in degrees, measured from the +x axis towards +y
    (clockwise on screen), shown as a short line from the centre.  Further
    columns are ignored.  Distinct labels get distinct colours; ``color``
    (RGB) overrides them.  NaN / off-image points are skipped.

    Example
    -------
    >>> import numpy as np
    >>> from augkit.viz import draw_keypoints
    >>> img = np.zeros((20, 20, 3), np.uint8)
    >>> out = draw_keypoints(img, [(5, 8, 90.0)], color=(0, 255, 0))
    >>> out[8, 5].tolist()
    [0, 255, 0]
    """
    canvas = to_uint8_rgb(image)
    pts = _as_rows(keypoints, 2, "keypoints")
    n = len(pts)
    if labels is not None and len(labels) != n:
        raise ValueError(f"got {len(labels)} labels for {n} keypoints")
    colors = _colors(n, labels, color)
    h, w = canvas.shape[:2]
    r = max(int(radius), 0)
    has_angle = pts.shape[1] >= 3
    line_len = 3 * r + 3
    for i, p in enumerate(pts):
        if not (math.isfinite(p[0]) and math.isfinite(p[1])):
            continue
        x, y = int(np.rint(p[0])), int(np.rint(p[1]))
        if not (-line_len <= x < w + line_len and -line_len <= y < h + line_len):
            continue
        col = colors[i]
        edge = _contrast(col)
        if has_angle and math.isfinite(p[2]):
            a = math.radians(float(p[2]))
            end = (round(x + line_len * math.cos(a)), round(y + line_len * math.sin(a)))
            cv2.line(canvas, (x, y), end, edge, 3, cv2.LINE_8)
            cv2.line(canvas, (x, y), end, col, 1, cv2.LINE_8)
        cv2.circle(canvas, (x, y), r + 1, edge, -1, cv2.LINE_8)
        if r > 0:
            cv2.circle(canvas, (x, y), r, col, -1, cv2.LINE_8)
        if 0 <= x < w and 0 <= y < h:
            canvas[y, x] = col
    return canvas


# --------------------------------------------------------------------------
# masks
# --------------------------------------------------------------------------
def _as_label_map(mask: Any) -> np.ndarray:
    """``(H, W)`` int32 label map from a bool / int / float mask.

    ``(H, W, 1)`` is squeezed; ``(H, W, K)`` with ``K > 1`` is read as K
    stacked binary masks, channel ``k`` becoming label ``k + 1`` (later
    channels win where they overlap).
    """
    m = np.asarray(mask)
    if m.ndim == 3 and m.shape[2] == 1:
        m = m[:, :, 0]
    if m.ndim == 3:
        out = np.zeros(m.shape[:2], dtype=np.int32)
        for k in range(m.shape[2]):
            out[_as_label_map(m[:, :, k]) != 0] = k + 1
        return out
    if m.ndim != 2:
        raise ValueError(f"mask must be (H, W) or (H, W, K), got shape {m.shape}")
    if m.dtype == np.bool_:
        return m.astype(np.int32)
    if np.issubdtype(m.dtype, np.floating):
        m = np.rint(np.nan_to_num(m, nan=0.0))
    return m.astype(np.int64).clip(np.iinfo(np.int32).min, np.iinfo(np.int32).max).astype(np.int32)


def _blend_label_map(
    canvas: np.ndarray, labels: np.ndarray, alpha: float, outline: bool, offset: int = 0
) -> None:
    if labels.shape != canvas.shape[:2]:
        raise ValueError(f"mask shape {labels.shape} does not match image shape {canvas.shape[:2]}")
    a = float(np.clip(alpha, 0.0, 1.0))
    values = [int(v) for v in np.unique(labels) if v != 0]
    contours_to_draw = []
    for v in values:
        region = labels == v
        col = color_for(v - 1 + offset) if v > 0 else color_for(str(v))
        col_arr = np.asarray(col, dtype=np.float32)
        if a > 0:
            pix = canvas[region].astype(np.float32)
            canvas[region] = np.clip(pix * (1.0 - a) + col_arr * a + 0.5, 0, 255).astype(np.uint8)
        if outline:
            contours, _ = cv2.findContours(
                region.astype(np.uint8), cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE
            )
            contours_to_draw.append((contours, col))
    for contours, col in contours_to_draw:
        cv2.drawContours(canvas, contours, -1, col, 1, cv2.LINE_8)


def draw_mask(image: Any, mask: Any, alpha: float = 0.4, outline: bool = True) -> np.ndarray:
    """Overlay a segmentation mask.

    ``mask`` is an ``(H, W)`` (or ``(H, W, 1)``) label map: every nonzero
    value gets its own translucent colour (``alpha`` is the colour's weight)
    and, with ``outline``, a 1-pixel contour from ``cv2.findContours``.
    Label ``v > 0`` uses ``PALETTE[(v - 1) % 20]``.  Boolean masks are
    label 1; float masks are rounded.  An ``(H, W, K)`` array with ``K > 1``
    is taken as K stacked binary masks (labels ``1 .. K``).

    Example
    -------
    >>> import numpy as np
    >>> from augkit.viz import draw_mask
    >>> img = np.zeros((10, 10, 3), np.uint8)
    >>> m = np.zeros((10, 10), np.uint8); m[2:8, 2:8] = 1
    >>> out = draw_mask(img, m, alpha=0.5)
    >>> bool(out[5, 5].any()), bool(out[0, 0].any())
    (True, False)
    """
    canvas = to_uint8_rgb(image)
    _blend_label_map(canvas, _as_label_map(mask), alpha, outline)
    return canvas


# --------------------------------------------------------------------------
# whole samples
# --------------------------------------------------------------------------
_BBOX_FORMATS = ("pascal_voc", "coco", "yolo", "albumentations")


def _to_pascal_voc(bboxes: Any, bbox_format: str, height: int, width: int) -> np.ndarray:
    """Convert ``(N, >=4)`` boxes to ``(N, 4)`` absolute pascal_voc edges."""
    boxes = _as_rows(bboxes, 4, "bboxes")[:, :4].copy()
    fmt = bbox_format.lower()
    if fmt == "pascal_voc":
        return boxes
    if fmt == "coco":  # x_min, y_min, w, h (pixels)
        boxes[:, 2] += boxes[:, 0]
        boxes[:, 3] += boxes[:, 1]
        return boxes
    if fmt == "yolo":  # normalized cx, cy, w, h
        cx, cy, bw, bh = boxes.T
        return np.stack(
            [
                (cx - bw / 2) * width,
                (cy - bh / 2) * height,
                (cx + bw / 2) * width,
                (cy + bh / 2) * height,
            ],
            axis=1,
        )
    if fmt == "albumentations":  # normalized x_min, y_min, x_max, y_max
        return boxes * np.array([width, height, width, height], dtype=np.float64)
    raise ValueError(f"unknown bbox_format {bbox_format!r}; expected one of {_BBOX_FORMATS}")


def _first(sample: Mapping[str, Any], *keys: str) -> Any:
    for k in keys:
        if k in sample and sample[k] is not None:
            return sample[k]
    return None


def draw_sample(
    sample: Mapping[str, Any], bbox_format: str = "pascal_voc", alpha: float = 0.4
) -> np.ndarray:
    """Draw an image with all of its targets.

    ``sample`` is a dict like the output of a pipeline or of
    :func:`augkit.data.sample`: ``"image"`` (required), optional ``"mask"``
    (label map) and/or ``"masks"`` (sequence of binary masks, one colour
    each), ``"bboxes"`` with ``"labels"`` (``"class_labels"`` or
    ``"bbox_labels"`` also accepted) and ``"keypoints"`` with
    ``"keypoint_labels"``.  ``bbox_format`` is one of ``"pascal_voc"``,
    ``"coco"`` (``x, y, w, h`` in pixels), ``"yolo"`` (normalized
    ``cx, cy, w, h``) or ``"albumentations"`` (normalized
    ``x1, y1, x2, y2``).  Masks are drawn first, then boxes, then keypoints.

    Example
    -------
    >>> from augkit import data
    >>> from augkit.viz import draw_sample
    >>> draw_sample(data.sample()).shape
    (384, 384, 3)
    >>> import numpy as np
    >>> s = {"image": np.zeros((40, 80), np.float32),
    ...      "bboxes": [[0.5, 0.5, 0.5, 0.5]], "labels": ["thing"]}
    >>> draw_sample(s, bbox_format="yolo").shape
    (40, 80, 3)
    """
    if "image" not in sample:
        raise KeyError("sample has no 'image'")
    canvas = to_uint8_rgb(sample["image"])
    h, w = canvas.shape[:2]

    mask = sample.get("mask")
    if mask is not None:
        _blend_label_map(canvas, _as_label_map(mask), alpha, True)
    masks = sample.get("masks")
    if masks is not None:
        offset = 1 if mask is not None else 0  # avoid reusing the "mask" colour
        for i, m in enumerate(masks):
            binary = (_as_label_map(m) != 0).astype(np.int32)
            _blend_label_map(canvas, binary, alpha, True, offset=offset + i)

    bboxes = sample.get("bboxes")
    if bboxes is not None and len(bboxes) > 0:
        boxes = _to_pascal_voc(bboxes, bbox_format, h, w)
        labels = _first(sample, "labels", "class_labels", "bbox_labels")
        if labels is not None and len(labels) != len(boxes):
            labels = None
        canvas = draw_bboxes(canvas, boxes, labels=labels)

    keypoints = sample.get("keypoints")
    if keypoints is not None and len(keypoints) > 0:
        kp_labels = sample.get("keypoint_labels")
        if kp_labels is not None and len(kp_labels) != len(keypoints):
            kp_labels = None
        canvas = draw_keypoints(canvas, keypoints, labels=kp_labels, radius=2)
    return canvas


# --------------------------------------------------------------------------
# grids and files
# --------------------------------------------------------------------------
def make_grid(
    images: Sequence[Any], ncols: int | None = None, pad: int = 4, pad_value: Any = 255
) -> np.ndarray:
    """Tile images (of possibly different sizes) into one RGB image.

    Every cell is as large as the largest image (max height x max width);
    each image is centred in its cell.  ``pad`` pixels of ``pad_value``
    (a gray level or an RGB triple) separate the cells and surround the
    grid.  ``ncols`` defaults to ``ceil(sqrt(len(images)))``.  The result
    has shape ``(rows * cell_h + (rows + 1) * pad,
    ncols * cell_w + (ncols + 1) * pad, 3)``.

    Example
    -------
    >>> import numpy as np
    >>> from augkit.viz import make_grid
    >>> imgs = [np.zeros((10, 20, 3), np.uint8), np.zeros((30, 5), np.uint8)]
    >>> make_grid(imgs, ncols=2, pad=2).shape
    (34, 46, 3)
    """
    if (
        isinstance(images, np.ndarray)
        and images.dtype != object
        and (images.ndim == 2 or (images.ndim == 3 and images.shape[-1] in (1, 3, 4)))
    ):
        images = [images]  # a single image, not a stack
    imgs = [to_uint8_rgb(im) for im in images]
    if not imgs:
        raise ValueError("make_grid needs at least one image")
    n = len(imgs)
    cols = int(ncols) if ncols is not None else math.ceil(math.sqrt(n))
    if cols < 1:
        raise ValueError(f"ncols must be >= 1, got {ncols}")
    rows = math.ceil(n / cols)
    p = max(int(pad), 0)
    ch = max(im.shape[0] for im in imgs)
    cw = max(im.shape[1] for im in imgs)
    out = np.empty((rows * ch + (rows + 1) * p, cols * cw + (cols + 1) * p, 3), dtype=np.uint8)
    out[...] = np.asarray(_as_color(pad_value), dtype=np.uint8)
    for i, im in enumerate(imgs):
        r, c = divmod(i, cols)
        ih, iw = im.shape[:2]
        top = p + r * (ch + p) + (ch - ih) // 2
        left = p + c * (cw + p) + (cw - iw) // 2
        out[top : top + ih, left : left + iw] = im
    return out


def save_image(path: str | os.PathLike[str], image: Any) -> None:
    """Write an RGB image to ``path``; the format follows the extension.

    The image goes through :func:`to_uint8_rgb` and is converted to BGR for
    OpenCV.  Encoding happens in memory, so non-ASCII paths work too.
    Raises ``OSError`` if encoding or writing fails.

    Example
    -------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from augkit.viz import save_image
    >>> path = os.path.join(tempfile.mkdtemp(), "demo.png")
    >>> save_image(path, np.zeros((8, 8, 3), np.uint8))
    >>> os.path.getsize(path) > 0
    True
    """
    path = os.fspath(path)
    ext = os.path.splitext(path)[1] or ".png"
    bgr = cv2.cvtColor(to_uint8_rgb(image), cv2.COLOR_RGB2BGR)
    ok, buf = cv2.imencode(ext, bgr)
    if not ok:
        raise OSError(f"could not encode image as {ext!r} for {path!r}")
    with open(path, "wb") as fh:
        fh.write(buf.tobytes())
