"""What every dataset format shares: the sample layout, image files, atomic writes,
polygon clipping and running a pipeline over a whole annotated sample.

A *sample* is a dict:

* ``"id"``: the sample's stable name (its image path relative to the image folder, POSIX
  slashes), ``"file_name"``: that same relative path, ``"image"``: ``(H, W, C)`` RGB(A) or
  ``(H, W)`` gray array as decoded from the file;
* ``"bboxes"``: ``(N, 4)`` pascal_voc pixel edges (``x_min, y_min, x_max, y_max``), one row
  per object, and ``"labels"``: the object's class (COCO category id, YOLO class index,
  VOC class name); those two can be given to a :class:`~augkit.Compose` as they are;
* ``"objects"``: one dict per object with what the format carries besides the box:
  ``"polygons"`` (list of ``(K, 2)`` float arrays, continuous pixel coordinates, like
  boxes), ``"mask"`` (``(H, W)`` uint8 instance mask, COCO RLE), ``"keypoints"``
  (``(K, 3)``: ``x, y, visibility`` with COCO's 0 = not labelled, 1 = labelled but
  hidden, 2 = visible; continuous coordinates) and ``"extra"`` (fields written back
  unchanged: ``iscrowd``, VOC's ``difficult`` ...);
* ``"mask"``: a whole-image label map (the ``masks`` folder format);
* ``"meta"``: format-specific sample-level data (kept for writing back).

:func:`apply_pipeline` runs a :class:`~augkit.Compose` over such a sample: boxes as
boxes, instance masks as masks, polygon vertices and object keypoints as keypoints (see
its docstring for the rules), and returns a sample of the same layout.

>>> import numpy as np
>>> ring = np.array([[-2.0, 1.0], [4.0, 1.0], [4.0, 5.0]])
>>> clip_polygon(ring, 10, 3).round(3).tolist()
[[1.0, 3.0], [0.0, 2.333], [0.0, 1.0], [4.0, 1.0], [4.0, 3.0]]
"""

from __future__ import annotations

import copy
import hashlib
import os
import tempfile
from collections.abc import Mapping
from typing import Any

import cv2
import numpy as np

__all__ = [
    "DatasetError",
    "SampleError",
    "apply_pipeline",
    "atomic_write",
    "clip_polygon",
    "decode_image",
    "encode_image",
    "fmt_num",
    "polygon_area",
    "prepare_pipeline",
    "read_image",
    "stable_hash",
]

TMP_MARK = ".augkit-tmp"


class DatasetError(Exception):
    """The dataset as a whole cannot be read (missing annotation file, malformed JSON)."""


class SampleError(Exception):
    """One sample cannot be read; the message names the file (and the line for text files)."""

    def __init__(self, path: str, message: str, line: int | None = None):
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {message}")
        self.path, self.line, self.message = path, line, message


# ---------------------------------------------------------------------------------
# files
# ---------------------------------------------------------------------------------
def atomic_write(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` so that ``path`` holds either the old or the new bytes.

    A temporary file in the same folder is written, flushed, fsync'd and renamed over
    ``path`` (``os.replace`` is atomic on one file system)."""
    folder = os.path.dirname(path) or "."
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=TMP_MARK, dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def decode_image(raw: bytes, path: str) -> np.ndarray:
    """Decode image bytes to RGB / RGBA / gray (dtype kept); SampleError if corrupt."""
    arr = np.frombuffer(raw, dtype=np.uint8)
    img = cv2.imdecode(arr, cv2.IMREAD_UNCHANGED) if arr.size else None
    if img is None or img.size == 0:
        raise SampleError(path, "cannot decode the image (corrupt or not an image)")
    if img.ndim == 3 and img.shape[2] == 3:
        img = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
    elif img.ndim == 3 and img.shape[2] == 4:
        img = cv2.cvtColor(img, cv2.COLOR_BGRA2RGBA)
    return img


def read_image(path: str) -> np.ndarray:
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as e:
        raise SampleError(path, f"cannot read the image ({e.strerror or e})") from None
    return decode_image(raw, path)


def encode_image(image: np.ndarray, ext: str) -> bytes:
    """Encode an RGB(A)/gray array for a file with extension ``ext`` (JPEG quality 95)."""
    img = image
    if img.ndim == 3 and img.shape[2] == 3:
        img = cv2.cvtColor(img, cv2.COLOR_RGB2BGR)
    elif img.ndim == 3 and img.shape[2] == 4:
        img = cv2.cvtColor(img, cv2.COLOR_RGBA2BGRA)
    if img.dtype.kind == "f":  # float pipelines: back to the 8-bit range of image files
        img = np.clip(img * 255.0 + 0.5, 0, 255).astype(np.uint8)
    ok, buf = cv2.imencode(ext if ext.startswith(".") else "." + ext, img)
    if not ok:
        raise OSError(f"could not encode an image of shape {image.shape} as {ext!r}")
    return buf.tobytes()


def stable_hash(text: str) -> int:
    """A 64-bit integer from ``text`` that is the same in every process and Python
    version (unlike ``hash()``, which is salted per process)."""
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "little")


def fmt_num(value: float, decimals: int) -> float | int:
    """``value`` rounded to ``decimals`` places; an int when it is integral (clean files)."""
    v = round(float(value), decimals)
    if v == int(v) and abs(v) < 2**53:
        return int(v)
    return v


# ---------------------------------------------------------------------------------
# polygons
# ---------------------------------------------------------------------------------
def clip_polygon(ring: np.ndarray, width: float, height: float) -> np.ndarray:
    """Sutherland-Hodgman clip of one polygon ``(K, 2)`` to ``[0, width] x [0, height]``.

    The subject may be concave (the clip window is convex, so the result is right; a
    concave polygon cut into several pieces comes back as one ring joined along the
    window's border, with zero-width bridges, as the algorithm does). Returns ``(M, 2)``;
    ``M == 0`` when nothing is inside. Consecutive duplicate vertices are removed.
    """
    pts = np.asarray(ring, dtype=np.float64).reshape(-1, 2)
    if len(pts) == 0:
        return pts
    inside_all = ((pts[:, 0] >= 0) & (pts[:, 0] <= width) & (pts[:, 1] >= 0)
                  & (pts[:, 1] <= height))
    if inside_all.all():  # the common case: nothing to cut
        return pts.copy()
    # each window edge as (axis, bound, keep-side sign): x >= 0, x <= w, y >= 0, y <= h
    for axis, bound, sign in ((0, 0.0, 1.0), (0, float(width), -1.0), (1, 0.0, 1.0),
                              (1, float(height), -1.0)):
        if len(pts) == 0:
            break
        d = sign * (pts[:, axis] - bound)  # >= 0 inside
        prev = np.concatenate([pts[-1:], pts[:-1]])
        dp = np.concatenate([d[-1:], d[:-1]])
        inside = d >= 0
        cross = inside != (dp >= 0)
        # each vertex emits [the crossing of the edge that ends at it] then [itself if
        # inside]: the per-vertex Sutherland-Hodgman rule, vectorized (24-vertex ring cut
        # by one edge: 79 us against 105 us for the per-vertex Python loop)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(cross, dp / (dp - d), 0.0)
        inter = prev + t[:, None] * (pts - prev)
        pts = np.stack([inter, pts], axis=1)[np.stack([cross, inside], axis=1)]
        # the intersection lies exactly on the bound; remove float noise
        pts[:, axis] = np.where(np.abs(pts[:, axis] - bound) < 1e-9, bound, pts[:, axis])
    if len(pts) > 1:
        keep = np.any(pts != np.concatenate([pts[-1:], pts[:-1]]), axis=1)
        pts = pts[keep]
    return pts


def polygon_area(ring: np.ndarray) -> float:
    """Absolute shoelace area of a ``(K, 2)`` polygon."""
    p = np.asarray(ring, dtype=np.float64).reshape(-1, 2)
    if len(p) < 3:
        return 0.0
    x, y = p[:, 0], p[:, 1]
    twice = np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1]) + x[-1] * y[0] - x[0] * y[-1]
    return float(abs(twice) / 2.0)


# ---------------------------------------------------------------------------------
# running a pipeline over a sample
# ---------------------------------------------------------------------------------
_BOX_FIELD = "_augkit_object"
_KP_FIELD = "_augkit_point"
_GEOMETRY_KEYS = ("polygons", "mask", "keypoints", "area", "id")


def prepare_pipeline(pipeline: Any) -> Any:
    """A shallow copy of ``pipeline`` with the annotation parameters the dataset tool needs.

    * boxes: ``BboxParams(format="pascal_voc")`` with a hidden label field (the object's
      index). The pipeline's own filter thresholds (``min_area``, ``min_visibility``,
      ``min_width``, ``min_height``, ``max_accept_ratio``) are kept; without
      ``bbox_params`` they are 0 (an object is dropped only when it leaves the frame).
      Input boxes are clipped to the image (``clip=True``) and degenerate ones dropped.
    * keypoints: ``KeypointParams(format="xy", remove_invisible=False)`` with a hidden
      label field, so every polygon vertex comes back; whether object keypoints that
      leave the frame become invisible follows the pipeline's ``remove_invisible``
      (default ``True``), read by :func:`apply_pipeline`.

    A single transform is wrapped in a Compose. The original pipeline is not modified.
    """
    from augkit.core.compose import Compose
    from augkit.core.targets import BboxParams, KeypointParams
    from augkit.core.transform import BasicTransform

    if isinstance(pipeline, BasicTransform):
        pipeline = Compose([pipeline])
    if not isinstance(pipeline, Compose):
        raise TypeError(f"expected an augkit Compose (or a transform), got {type(pipeline).__name__}")
    p = copy.copy(pipeline)
    user_b, user_k = pipeline.bbox_params, pipeline.keypoint_params
    kw = {}
    if user_b is not None:
        kw = {"min_area": user_b.min_area, "min_visibility": user_b.min_visibility,
              "min_width": user_b.min_width, "min_height": user_b.min_height,
              "max_accept_ratio": user_b.max_accept_ratio}
    p.bbox_params = BboxParams(format="pascal_voc", label_fields=[_BOX_FIELD], clip=True,
                               filter_invalid_bboxes=True, **kw)
    p.keypoint_params = KeypointParams(format="xy", label_fields=[_KP_FIELD], remove_invisible=False)
    p._augkit_hide_outside = True if user_k is None else bool(user_k.remove_invisible)
    return p


def apply_pipeline(pipeline: Any, sample: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, int]]:
    """Augment one sample (see the module docstring for its layout).

    ``pipeline`` should come from :func:`prepare_pipeline`. Returns the new sample and
    counters: ``objects_dropped`` (objects removed by the visibility rules: box filtered,
    polygon or mask empty after the frame clip) and ``keypoints_hidden`` (labelled
    keypoints that left the frame and were set to ``0, 0, 0``).

    Rules: polygons travel as their vertices (keypoints), then each ring is clipped to the
    output frame (Sutherland-Hodgman) and rings with fewer than 3 vertices or no area are
    dropped; an object whose rings all vanish is dropped and, for an object with polygons
    or a mask, the box is recomputed from what is left (the tight box of the clipped
    polygon / of the mask's pixels). Non-linear warps move every vertex exactly, but the
    edges between vertices stay straight lines.

    >>> import numpy as np, augkit as A
    >>> pipe = prepare_pipeline(A.Compose([A.HorizontalFlip(p=1.0)]))
    >>> s = {"id": "a", "image": np.zeros((10, 20, 3), np.uint8),
    ...      "bboxes": np.array([[1.0, 2.0, 5.0, 6.0]]), "labels": [3],
    ...      "objects": [{"polygons": [np.array([[1.0, 2.0], [5.0, 2.0], [5.0, 6.0]])]}]}
    >>> out, stats = apply_pipeline(pipe, s)
    >>> out["bboxes"].tolist(), out["objects"][0]["polygons"][0].tolist()
    ([[15.0, 2.0, 19.0, 6.0]], [[19.0, 2.0], [15.0, 2.0], [15.0, 6.0]])
    """
    image = sample["image"]
    objects = list(sample.get("objects") or [])
    boxes = np.asarray(sample.get("bboxes", np.zeros((0, 4))), dtype=np.float64).reshape(-1, 4)
    labels = list(sample.get("labels") or [])
    n = len(boxes)
    if not objects:
        objects = [{} for _ in range(n)]
    # keypoints: polygon vertices and labelled object keypoints, -0.5 because augkit's
    # keypoints are pixel indices while file coordinates are continuous (like boxes)
    # every point gets a group: a polygon ring (group >= 0, rings numbered in order) or an
    # object's keypoint (group -1 - object); "sub" is the keypoint's row in its object
    pts, groups, subs, ring_owner = [], [], [], []
    for i, obj in enumerate(objects):
        for ring in obj.get("polygons") or []:
            ring = np.asarray(ring, dtype=np.float64).reshape(-1, 2)
            pts.append(ring)
            groups.append(np.full(len(ring), len(ring_owner)))
            subs.append(np.zeros(len(ring), np.int64))
            ring_owner.append(i)
        kps = obj.get("keypoints")
        if kps is not None and len(kps):
            kps = np.asarray(kps, dtype=np.float64)
            lab = np.nonzero(kps[:, 2] > 0)[0]
            pts.append(kps[lab, :2])
            groups.append(np.full(len(lab), -1 - i))
            subs.append(lab)
    allpts = np.concatenate(pts) - 0.5 if pts else np.zeros((0, 2))
    call: dict[str, Any] = {"image": image, "bboxes": boxes, _BOX_FIELD: np.arange(n),
                            "keypoints": allpts, _KP_FIELD: np.arange(len(allpts))}
    mask_owner = [i for i, o in enumerate(objects) if o.get("mask") is not None]
    if mask_owner:
        call["masks"] = [objects[i]["mask"] for i in mask_owner]
    if sample.get("mask") is not None:
        call["mask"] = sample["mask"]
    res = pipeline(**call)
    h, w = res["image"].shape[:2]
    hide = getattr(pipeline, "_augkit_hide_outside", True)

    # format flags travel on; geometry is rebuilt; "area" and "id" belong to the original
    new_objects = []
    for o in objects:
        no = {k: v for k, v in o.items() if k not in _GEOMETRY_KEYS}
        no["polygons"] = [] if o.get("polygons") else None
        if o.get("keypoints") is not None:
            no["keypoints"] = np.asarray(o["keypoints"], dtype=np.float64).copy()
        new_objects.append(no)
    box_of = {int(i): np.asarray(b[:4], dtype=np.float64)
              for i, b in zip(res[_BOX_FIELD], res["bboxes"])}
    out_pts = np.asarray(res["keypoints"], dtype=np.float64).reshape(-1, 2) + 0.5
    hidden = 0
    if len(out_pts):
        # rows come back in input order (minus none: remove_invisible=False); sort to be sure
        order = np.argsort(np.asarray(res[_KP_FIELD], dtype=np.int64), kind="stable")
        src = np.asarray(res[_KP_FIELD], dtype=np.int64)[order]
        out_pts = out_pts[order]
        group = np.concatenate(groups)[src]
        sub = np.concatenate(subs)[src]
        is_kp = group < 0
        if is_kp.any():
            kx, ky = out_pts[is_kp, 0], out_pts[is_kp, 1]
            outside = ~((kx >= 0) & (kx < w) & (ky >= 0) & (ky < h)) if hide else np.zeros(len(kx), bool)
            hidden = int(outside.sum())
            for i, r, x, y, gone in zip((-1 - group[is_kp]).tolist(), sub[is_kp].tolist(),
                                        kx.tolist(), ky.tolist(), outside.tolist()):
                kp = new_objects[i]["keypoints"]
                kp[r] = (0.0, 0.0, 0.0) if gone else (x, y, kp[r, 2])
        ring_pts, ring_ids = out_pts[~is_kp], group[~is_kp]
        cuts = np.flatnonzero(np.diff(ring_ids)) + 1
        for ring, rid in zip(np.split(ring_pts, cuts), ring_ids[np.r_[0, cuts]] if len(ring_ids) else []):
            ring = clip_polygon(ring, w, h)
            if len(ring) >= 3 and polygon_area(ring) > 0:
                new_objects[ring_owner[int(rid)]]["polygons"].append(ring)
    if mask_owner:
        for i, m in zip(mask_owner, res["masks"]):
            new_objects[i]["mask"] = np.ascontiguousarray(m)

    keep_boxes, keep_labels, keep_objects = [], [], []
    dropped = 0
    for i, o in enumerate(new_objects):
        box = box_of.get(i)
        if box is not None and o["polygons"] is not None:
            if not o["polygons"]:
                box = None
            else:
                allv = np.concatenate(o["polygons"])
                box = np.array([allv[:, 0].min(), allv[:, 1].min(), allv[:, 0].max(), allv[:, 1].max()])
        if box is not None and o.get("mask") is not None:
            ys, xs = np.nonzero(o["mask"])
            box = None if len(xs) == 0 else np.array(
                [xs.min(), ys.min(), xs.max() + 1, ys.max() + 1], dtype=np.float64)
        if box is None:
            dropped += 1
            continue
        keep_boxes.append(box)
        keep_labels.append(labels[i] if i < len(labels) else None)
        keep_objects.append(o)
    out = {k: v for k, v in sample.items() if k not in ("image", "bboxes", "labels", "objects", "mask")}
    out["image"] = res["image"]
    out["bboxes"] = np.asarray(keep_boxes, dtype=np.float64).reshape(-1, 4)
    out["labels"] = keep_labels
    out["objects"] = keep_objects
    if sample.get("mask") is not None:
        out["mask"] = res["mask"]
    return out, {"objects_dropped": dropped, "keypoints_hidden": hidden}
