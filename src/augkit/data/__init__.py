"""Bundled sample data: one small photo with hand-made annotations.

The image is the NASA portrait of astronaut Eileen Collins (public domain),
as shipped with scikit-image (``skimage.data.astronaut``), resized to
384x384.  It comes with bounding boxes, keypoints and a segmentation mask so
that every kind of target can be tried out without extra downloads.

Example
-------
>>> from augkit import data
>>> s = data.sample()
>>> s["image"].shape, s["image"].dtype
((384, 384, 3), dtype('uint8'))
>>> s["mask"].shape
(384, 384)
>>> len(s["bboxes"]) == len(s["labels"])
True
>>> len(s["keypoints"]) == len(s["keypoint_labels"])
True
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Any

import cv2
import numpy as np

__all__ = ["SAMPLE_INFO", "sample", "sample_path"]

_PACKAGE = __name__
_ANNOTATIONS = "sample.json"
_IMAGE = "sample.jpg"


def _resource(name: str):
    return resources.files(_PACKAGE).joinpath(name)


@lru_cache(maxsize=1)
def _annotations() -> dict[str, Any]:
    return json.loads(_resource(_ANNOTATIONS).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _image() -> np.ndarray:
    # Decode from bytes so that this also works when the package is not a
    # plain directory on disk (e.g. zipped); cv2.imread needs a real file.
    raw = np.frombuffer(_resource(_IMAGE).read_bytes(), dtype=np.uint8)
    bgr = cv2.imdecode(raw, cv2.IMREAD_COLOR)
    if bgr is None:  # pragma: no cover - corrupted installation
        raise OSError(f"could not decode bundled image {_IMAGE!r}")
    rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    rgb.setflags(write=False)
    return rgb


@lru_cache(maxsize=1)
def _mask() -> np.ndarray:
    ann = _annotations()["mask"]
    h, w = _image().shape[:2]
    mask = np.zeros((h, w), dtype=np.uint8)
    polygons = [np.asarray(p, dtype=np.int32).reshape(-1, 1, 2) for p in ann["polygons"]]
    cv2.fillPoly(mask, polygons, int(ann.get("value", 1)))
    mask.setflags(write=False)
    return mask


def sample_path() -> str:
    """Return the filesystem path of the bundled sample image (a JPEG).

    The path is suitable for ``cv2.imread``; note that it stores BGR order
    like every file read by OpenCV.

    Example
    -------
    >>> import cv2
    >>> from augkit.data import sample_path
    >>> cv2.imread(sample_path()).shape
    (384, 384, 3)
    """
    res = _resource(_IMAGE)
    # For a regular (unzipped) install this is a real path.  For exotic
    # loaders, fall back to extracting a temporary copy that lives for the
    # rest of the process.
    try:
        path = os.fspath(res)  # type: ignore[arg-type]
    except TypeError:  # pragma: no cover - not a filesystem resource
        return _extracted_path()
    return path if os.path.isfile(path) else _extracted_path()


@lru_cache(maxsize=1)
def _extracted_path() -> str:  # pragma: no cover - only for zipped installs
    import atexit
    from contextlib import ExitStack

    stack = ExitStack()
    atexit.register(stack.close)
    return str(stack.enter_context(resources.as_file(_resource(_IMAGE))))


def sample() -> dict[str, Any]:
    """Load the bundled annotated sample.

    Every call returns new, writable objects; changing them never affects a
    later call.

    Returns
    -------
    dict
        ``"image"``: ``(H, W, 3)`` uint8 RGB array.
        ``"mask"``: ``(H, W)`` uint8 array, 1 on the astronaut's head
        (hair and face), 0 elsewhere.
        ``"bboxes"``: list of ``[x_min, y_min, x_max, y_max]`` floats in
        pascal_voc pixel-edge coordinates (``x_max``/``y_max`` exclusive).
        ``"labels"``: list of str, one per box.
        ``"keypoints"``: list of ``(x, y)`` float tuples, pixel indices
        (x = column, y = row).
        ``"keypoint_labels"``: list of str, one per keypoint.  Left/right
        names refer to the subject's own side (COCO convention).

    Example
    -------
    >>> from augkit.data import sample
    >>> s = sample()
    >>> s["labels"][0], s["bboxes"][0]
    ('head', [115.0, 11.0, 227.0, 133.0])
    >>> s["keypoint_labels"][:2]
    ['right_eye', 'left_eye']
    >>> int(s["mask"].max())
    1
    """
    ann = _annotations()
    return {
        "image": _image().copy(),
        "mask": _mask().copy(),
        "bboxes": [[float(v) for v in b["bbox"]] for b in ann["bboxes"]],
        "labels": [str(b["label"]) for b in ann["bboxes"]],
        "keypoints": [(float(k["xy"][0]), float(k["xy"][1])) for k in ann["keypoints"]],
        "keypoint_labels": [str(k["label"]) for k in ann["keypoints"]],
    }


SAMPLE_INFO = MappingProxyType(
    {
        "description": _annotations()["source"]["description"],
        "source": _annotations()["source"]["origin"],
        "via": _annotations()["source"]["via"],
        "licence": _annotations()["source"]["licence"],
    }
)
"""Read-only mapping with the sample's provenance: ``description``,
``source``, ``via`` and ``licence``.

>>> from augkit.data import SAMPLE_INFO
>>> "public domain" in SAMPLE_INFO["licence"].lower()
True
"""
