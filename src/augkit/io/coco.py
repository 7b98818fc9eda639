"""COCO: one ``annotations.json`` and an ``images/`` folder.

Layout read and written: ``ROOT/annotations.json`` and the images at
``ROOT/images/<file_name>`` (``ROOT/<file_name>`` is also accepted when reading).
Boxes (``[x, y, w, h]``), polygon and RLE segmentations (``iscrowd`` regions too: RLE with
``counts`` as a list or as COCO's compressed string; the compressed form needs
pycocotools, ``pip install augkit[coco]``), keypoints ``[x, y, v, ...]`` with visibility
0/1/2 and ``num_keypoints``, categories (copied unchanged). Other fields of images and
annotations are written back as they were. Coordinates are written rounded to 4
decimals (integers without a fraction).

Ids: a sample's id is the image's ``file_name``. On writing, untouched originals keep
their image and annotation ids; augmented copies are numbered in sample order after the
largest id among the originals written (from 1 when there are none).

>>> import json, os, tempfile
>>> import numpy as np
>>> from augkit.io.common import encode_image
>>> root = tempfile.mkdtemp(); os.makedirs(os.path.join(root, "images"))
>>> with open(os.path.join(root, "images", "a.png"), "wb") as f:
...     _ = f.write(encode_image(np.zeros((8, 10, 3), np.uint8), ".png"))
>>> ann = {"images": [{"id": 1, "file_name": "a.png", "width": 10, "height": 8}],
...        "categories": [{"id": 7, "name": "box"}],
...        "annotations": [{"id": 5, "image_id": 1, "category_id": 7, "bbox": [1, 2, 3, 4],
...                         "area": 12, "iscrowd": 0}]}
>>> with open(os.path.join(root, "annotations.json"), "w") as f:
...     json.dump(ann, f)
>>> ds = CocoDataset(root)
>>> s = ds.read(ds.ids()[0])
>>> s["bboxes"].tolist(), s["labels"]
([[1.0, 2.0, 4.0, 6.0]], [7])
"""

from __future__ import annotations

import json
import os
from typing import Any

import numpy as np

from augkit.io.base import DatasetFormat
from augkit.io.common import (
    DatasetError,
    SampleError,
    atomic_write,
    fmt_num,
    polygon_area,
    read_image,
)

__all__ = ["CocoDataset", "rle_decode", "rle_encode"]

ANNOTATIONS = "annotations.json"
IMAGES = "images"
DECIMALS = 4
_KNOWN_ANN = ("id", "image_id", "category_id", "bbox", "segmentation", "area", "keypoints",
              "num_keypoints")
_KNOWN_IMG = ("id", "file_name", "width", "height")


def _mask_api():
    try:
        from pycocotools import mask as mask_api
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("COCO compressed RLE needs pycocotools: pip install 'augkit[coco]'") from None
    return mask_api


def rle_decode(rle: dict[str, Any], height: int, width: int) -> np.ndarray:
    """Binary ``(H, W)`` uint8 mask from a COCO RLE (``counts`` list or compressed string).

    >>> rle_decode({"size": [2, 3], "counts": [1, 2, 3]}, 2, 3).tolist()
    [[0, 1, 0], [1, 0, 0]]
    """
    h, w = (int(v) for v in rle.get("size", (height, width)))
    counts = rle["counts"]
    if isinstance(counts, list):
        values = np.zeros(len(counts), np.uint8)
        values[1::2] = 1
        flat = np.repeat(values, np.asarray(counts, dtype=np.int64))
        if flat.size != h * w:
            raise ValueError(f"RLE counts sum to {flat.size}, expected {h}*{w}")
        return np.ascontiguousarray(flat.reshape(w, h).T)  # COCO runs go down columns
    api = _mask_api()
    obj = {"size": [h, w], "counts": counts.encode("ascii") if isinstance(counts, str) else counts}
    return np.ascontiguousarray(api.decode(obj)).astype(np.uint8)


def rle_encode(mask: np.ndarray, compressed: bool) -> dict[str, Any]:
    """COCO RLE of a binary mask: ``counts`` as a list, or compressed (pycocotools).

    >>> rle_encode(np.array([[0, 1, 1], [1, 1, 1]], np.uint8), compressed=False)
    {'size': [2, 3], 'counts': [1, 5]}
    """
    h, w = mask.shape[:2]
    m = (np.asarray(mask) != 0)
    if compressed:
        api = _mask_api()
        enc = api.encode(np.asfortranarray(m.astype(np.uint8)))
        return {"size": [int(h), int(w)], "counts": enc["counts"].decode("ascii")}
    flat = m.T.reshape(-1).astype(np.int8)
    change = np.flatnonzero(np.diff(flat)) + 1
    bounds = np.concatenate([[0], change, [flat.size]])
    counts = np.diff(bounds).tolist()
    if flat.size and flat[0] == 1:
        counts = [0] + counts  # runs start with zeros
    return {"size": [int(h), int(w)], "counts": [int(c) for c in counts]}


class CocoDataset(DatasetFormat):
    """A COCO detection / segmentation / keypoint dataset (see the module docstring)."""

    name = "coco"

    def __init__(self, root: str):
        super().__init__(root)
        path = os.path.join(self.root, ANNOTATIONS)
        try:
            with open(path, encoding="utf-8") as fh:
                self.data = json.load(fh)
        except FileNotFoundError:
            raise DatasetError(f"{path}: no COCO annotation file (expected {ANNOTATIONS})") from None
        except (OSError, ValueError) as e:
            raise DatasetError(f"{path}: cannot read the COCO annotations ({e})") from None
        if not isinstance(self.data, dict) or not isinstance(self.data.get("images"), list):
            raise DatasetError(f"{path}: not a COCO file (no 'images' list)")
        self.images: dict[str, dict] = {}
        by_id: dict[Any, str] = {}
        for entry in self.data["images"]:
            name = entry.get("file_name") if isinstance(entry, dict) else None
            if not isinstance(name, str) or name in self.images:
                raise DatasetError(f"{path}: image entry {entry!r} has no file_name or a repeated one")
            self.images[name] = entry
            by_id[entry.get("id")] = name
        self.anns: dict[str, list] = {n: [] for n in self.images}
        for ann in self.data.get("annotations", []):
            name = by_id.get(ann.get("image_id")) if isinstance(ann, dict) else None
            if name is None:
                raise DatasetError(f"{path}: annotation {ann.get('id') if isinstance(ann, dict) else ann!r} "
                                   f"refers to no image")
            self.anns[name].append(ann)

    def ids(self) -> list[str]:
        return list(self.images)

    def image_path(self, sample_id: str) -> str:
        p = os.path.join(self.root, IMAGES, sample_id)
        return p if os.path.exists(p) else os.path.join(self.root, sample_id)

    def read(self, sample_id: str) -> dict[str, Any]:
        entry = self.images[sample_id]
        image = read_image(self.image_path(sample_id))
        h, w = image.shape[:2]
        where = os.path.join(self.root, ANNOTATIONS)
        boxes, labels, objects = [], [], []
        for ann in self.anns[sample_id]:
            try:
                x, y, bw, bh = (float(v) for v in ann["bbox"])
                obj: dict[str, Any] = {"extra": {k: v for k, v in ann.items() if k not in _KNOWN_ANN},
                                       "id": ann.get("id")}
                if "area" in ann:
                    obj["area"] = ann["area"]
                seg = ann.get("segmentation")
                if isinstance(seg, list) and seg:
                    obj["polygons"] = [np.asarray(r, dtype=np.float64).reshape(-1, 2) for r in seg]
                elif isinstance(seg, dict):
                    obj["mask"] = rle_decode(seg, h, w)
                    obj["rle_compressed"] = not isinstance(seg["counts"], list)
                elif seg is not None:
                    obj["empty_segmentation"] = True
                if "keypoints" in ann:
                    obj["keypoints"] = np.asarray(ann["keypoints"], dtype=np.float64).reshape(-1, 3)
                    obj["has_num_keypoints"] = "num_keypoints" in ann
            except (KeyError, TypeError, ValueError) as e:
                raise SampleError(where, f"annotation id {ann.get('id')} of image {sample_id!r} is "
                                         f"malformed ({type(e).__name__}: {e})") from None
            boxes.append([x, y, x + bw, y + bh])
            labels.append(ann.get("category_id"))
            objects.append(obj)
        meta = {"image": {k: v for k, v in entry.items() if k not in _KNOWN_IMG}, "id": entry.get("id")}
        return {"id": sample_id, "file_name": sample_id, "image": image,
                "bboxes": np.asarray(boxes, dtype=np.float64).reshape(-1, 4), "labels": labels,
                "objects": objects, "meta": meta}

    def write(self, out_root, sample, rel_path, image_bytes=None, original=False):
        self._write_image(out_root, IMAGES, rel_path, sample["image"], image_bytes)
        h, w = sample["image"].shape[:2]
        anns = []
        for box, label, obj in zip(sample["bboxes"], sample["labels"], sample["objects"]):
            x1, y1, x2, y2 = (float(v) for v in box)
            ann: dict[str, Any] = {"category_id": label,
                                   "bbox": [fmt_num(v, DECIMALS) for v in (x1, y1, x2 - x1, y2 - y1)]}
            area = obj.get("area")
            if obj.get("polygons") is not None:
                ann["segmentation"] = [[fmt_num(v, DECIMALS) for v in r.reshape(-1)] for r in obj["polygons"]]
                if area is None:
                    area = sum(polygon_area(r) for r in obj["polygons"])
            elif obj.get("mask") is not None:
                ann["segmentation"] = rle_encode(obj["mask"], bool(obj.get("rle_compressed")))
                if area is None:
                    area = int(np.count_nonzero(obj["mask"]))
            elif obj.get("empty_segmentation"):
                ann["segmentation"] = []
            if area is None:
                area = (x2 - x1) * (y2 - y1)
            ann["area"] = fmt_num(area, DECIMALS)
            if obj.get("keypoints") is not None:
                kps = obj["keypoints"]
                ann["keypoints"] = [fmt_num(v, DECIMALS) if c < 2 else int(v)
                                    for row in kps for c, v in enumerate(row)]
                ann["num_keypoints"] = int(np.count_nonzero(kps[:, 2] > 0))
            ann.update(obj.get("extra") or {})
            if "id" in obj:
                ann["_orig_id"] = obj["id"]
            anns.append(ann)
        image = {"file_name": rel_path, "width": int(w), "height": int(h)}
        image.update((sample.get("meta") or {}).get("image") or {})
        record = {"image": image, "annotations": anns}
        if "id" in (sample.get("meta") or {}):
            record["_orig_id"] = sample["meta"]["id"]
        return record

    def finalize(self, out_root, records):
        """``records``: (record, is_original) in sample order."""
        img_ids = [r.get("_orig_id") for r, orig in records if orig]
        ann_ids = [a.get("_orig_id") for r, orig in records if orig for a in r["annotations"]]
        next_img = max([i for i in img_ids if isinstance(i, int)] + [0]) + 1
        next_ann = max([i for i in ann_ids if isinstance(i, int)] + [0]) + 1
        images, annotations = [], []
        for rec, orig in records:
            image = dict(rec["image"])
            if orig and rec.get("_orig_id") is not None:
                image_id = rec["_orig_id"]
            else:
                image_id, next_img = next_img, next_img + 1
            images.append({"id": image_id, **image})
            for a in rec["annotations"]:
                a = dict(a)
                old = a.pop("_orig_id", None)
                if orig and old is not None:
                    ann_id = old
                else:
                    ann_id, next_ann = next_ann, next_ann + 1
                annotations.append({"id": ann_id, "image_id": image_id, **a})
        out = {k: v for k, v in self.data.items() if k not in ("images", "annotations")}
        out["images"] = images
        out["annotations"] = annotations
        data = json.dumps(out, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        atomic_write(os.path.join(out_root, ANNOTATIONS), data)
        return [ANNOTATIONS]
