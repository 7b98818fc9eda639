"""YOLO text labels: detection, segmentation polygons and pose.

Layout read and written: images under ``ROOT/images/`` (any sub-folders), one label file
per image under ``ROOT/labels/`` with the same relative path and a ``.txt`` extension,
class names in ``ROOT/data.yaml`` (``names:``, and ``kpt_shape: [K, 2 or 3]`` for pose)
and/or ``ROOT/classes.txt`` (one name a line); both are copied to the output unchanged.

One object a line, coordinates normalized to ``[0, 1]``:

* detection: ``class cx cy w h``;
* segmentation: ``class x1 y1 x2 y2 ...`` (at least 3 vertices); its box is the
  polygon's bounds and it is written back as a polygon;
* pose (when ``data.yaml`` has ``kpt_shape``): ``class cx cy w h`` then K keypoints
  ``x y`` or ``x y v`` (v: 0 not labelled, 1 hidden, 2 visible).

A missing label file means an image without objects. Numbers are written with 6
decimals (trailing zeros removed).

>>> parse_label_line("0 0.5 0.5 0.2 0.4", 1, "a.txt", None)
(0, 'box', [0.5, 0.5, 0.2, 0.4], None)
"""

from __future__ import annotations

import os
import re
from typing import Any

import numpy as np

from augkit.io.base import DatasetFormat, list_images
from augkit.io.common import DatasetError, SampleError, atomic_write, read_image

__all__ = ["YoloDataset", "parse_label_line"]

DECIMALS = 6


def _num(v: float) -> str:
    text = f"{float(v):.{DECIMALS}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def parse_label_line(line: str, lineno: int, path: str, kpt_shape) -> tuple:
    """``(class, kind, numbers, keypoints)`` of one label line; SampleError when malformed."""
    parts = line.split()
    try:
        cls = int(parts[0])
        values = [float(v) for v in parts[1:]]
    except (ValueError, IndexError):
        raise SampleError(path, f"not a YOLO label line: {line.strip()!r}", lineno) from None
    if cls < 0 or not all(np.isfinite(values)):
        raise SampleError(path, f"bad class or coordinate in {line.strip()!r}", lineno)
    if kpt_shape is not None:
        k, dims = kpt_shape
        if len(values) != 4 + k * dims:
            raise SampleError(path, f"pose line needs 4 + {k}*{dims} numbers after the class, got "
                                    f"{len(values)}", lineno)
        kps = np.asarray(values[4:], dtype=np.float64).reshape(k, dims)
        return cls, "pose", values[:4], kps
    if len(values) == 4:
        return cls, "box", values, None
    if len(values) >= 6 and len(values) % 2 == 0:
        return cls, "polygon", values, None
    raise SampleError(path, f"expected 'class cx cy w h' or 'class x1 y1 x2 y2 x3 y3 ...', got "
                            f"{len(values)} numbers after the class", lineno)


def _read_data_yaml(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    try:
        import yaml
    except ImportError:  # pragma: no cover - PyYAML is nearly always there
        yaml = None
    if yaml is not None:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as e:
            raise DatasetError(f"{path}: cannot parse ({e})") from None
        return data if isinstance(data, dict) else {}
    m = re.search(r"^kpt_shape:\s*\[\s*(\d+)\s*,\s*(\d+)\s*\]", text, flags=re.M)
    return {"kpt_shape": [int(m.group(1)), int(m.group(2))]} if m else {}


class YoloDataset(DatasetFormat):
    """A YOLO dataset (see the module docstring)."""

    name = "yolo"
    EXTRA_FILES = ("data.yaml", "classes.txt")

    def __init__(self, root: str):
        super().__init__(root)
        if not os.path.isdir(os.path.join(self.root, "images")):
            raise DatasetError(f"{self.root}: no images/ folder (YOLO layout: images/, labels/)")
        self.kpt_shape = None
        self.names: Any = None
        yml = os.path.join(self.root, "data.yaml")
        if os.path.isfile(yml):
            data = _read_data_yaml(yml)
            self.names = data.get("names")
            if data.get("kpt_shape") is not None:
                k, dims = (int(v) for v in data["kpt_shape"])
                if dims not in (2, 3):
                    raise DatasetError(f"{yml}: kpt_shape must be [K, 2] or [K, 3], got {data['kpt_shape']}")
                self.kpt_shape = (k, dims)
        txt = os.path.join(self.root, "classes.txt")
        if self.names is None and os.path.isfile(txt):
            with open(txt, encoding="utf-8") as fh:
                self.names = [ln.strip() for ln in fh if ln.strip()]
        self._ids = list_images(os.path.join(self.root, "images"))

    @staticmethod
    def label_rel(rel_path: str) -> str:
        return os.path.splitext(rel_path)[0] + ".txt"

    def read(self, sample_id: str) -> dict[str, Any]:
        image = read_image(self.image_path(sample_id))
        h, w = image.shape[:2]
        path = os.path.join(self.root, "labels", *self.label_rel(sample_id).split("/"))
        lines: list[str] = []
        if os.path.exists(path):
            try:
                with open(path, encoding="utf-8") as fh:
                    lines = fh.read().splitlines()
            except (OSError, UnicodeDecodeError) as e:
                raise SampleError(path, f"cannot read the label file ({e})") from None
        scale = np.array([w, h], dtype=np.float64)
        boxes, labels, objects = [], [], []
        for lineno, line in enumerate(lines, 1):
            if not line.strip():
                continue
            cls, kind, values, kps = parse_label_line(line, lineno, path, self.kpt_shape)
            obj: dict[str, Any] = {"yolo": kind}
            if kind == "polygon":
                ring = np.asarray(values, dtype=np.float64).reshape(-1, 2) * scale
                obj["polygons"] = [ring]
                box = [ring[:, 0].min(), ring[:, 1].min(), ring[:, 0].max(), ring[:, 1].max()]
            else:
                cx, cy, bw, bh = values
                box = [(cx - bw / 2) * w, (cy - bh / 2) * h, (cx + bw / 2) * w, (cy + bh / 2) * h]
            if kps is not None:
                full = np.zeros((len(kps), 3))
                full[:, :2] = kps[:, :2] * scale
                full[:, 2] = kps[:, 2] if kps.shape[1] == 3 else 2.0
                # unlabelled points (v=0, or 0 0 in the 2-column form) are not moved
                unlabelled = (full[:, 2] == 0) | ((kps[:, 0] == 0) & (kps[:, 1] == 0))
                full[unlabelled] = 0.0
                obj["keypoints"] = full
            boxes.append(box)
            labels.append(cls)
            objects.append(obj)
        return {"id": sample_id, "file_name": sample_id, "image": image,
                "bboxes": np.asarray(boxes, dtype=np.float64).reshape(-1, 4), "labels": labels,
                "objects": objects, "meta": {}}

    def write(self, out_root, sample, rel_path, image_bytes=None, original=False):
        self._write_image(out_root, "images", rel_path, sample["image"], image_bytes)
        h, w = sample["image"].shape[:2]
        lines = []
        for box, cls, obj in zip(sample["bboxes"], sample["labels"], sample["objects"]):
            kind = obj.get("yolo", "box")
            if kind == "polygon":
                for ring in obj["polygons"]:  # a polygon cut in pieces stays one object per piece
                    nums = (ring / np.array([w, h])).reshape(-1)
                    lines.append(" ".join([str(int(cls))] + [_num(v) for v in nums]))
                continue
            x1, y1, x2, y2 = (float(v) for v in box)
            nums = [(x1 + x2) / 2 / w, (y1 + y2) / 2 / h, (x2 - x1) / w, (y2 - y1) / h]
            if kind == "pose":
                dims = self.kpt_shape[1] if self.kpt_shape else 3
                for x, y, v in obj["keypoints"]:
                    nums += [x / w, y / h] + ([v] if dims == 3 else [])
            lines.append(" ".join([str(int(cls))] + [_num(v) for v in nums]))
        path = os.path.join(out_root, "labels", *self.label_rel(rel_path).split("/"))
        atomic_write(path, ("".join(ln + "\n" for ln in lines)).encode("utf-8"))
        return {}

    def finalize(self, out_root, records):
        written = []
        for name in self.EXTRA_FILES:
            src = os.path.join(self.root, name)
            if os.path.isfile(src):
                with open(src, "rb") as fh:
                    atomic_write(os.path.join(out_root, name), fh.read())
                written.append(name)
        return written
