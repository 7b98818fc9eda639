"""Plain image + mask-PNG folders (semantic or instance label maps).

Layout read and written: images under ``ROOT/images/`` (any sub-folders) and, for each,
a label map ``ROOT/masks/<same relative path>.png`` (8- or 16-bit single channel; a
3-channel PNG is read as it is). The mask travels through the pipeline as ``mask``
(nearest-neighbour, the pipeline's ``mask_interpolation`` if set) and is written back as
PNG with its dtype kept. An image without a mask file is an error for that sample.

>>> import os, tempfile
>>> import numpy as np
>>> from augkit.io.common import encode_image
>>> root = tempfile.mkdtemp()
>>> os.makedirs(os.path.join(root, "images")); os.makedirs(os.path.join(root, "masks"))
>>> with open(os.path.join(root, "images", "a.jpg"), "wb") as f:
...     _ = f.write(encode_image(np.zeros((8, 10, 3), np.uint8), ".jpg"))
>>> with open(os.path.join(root, "masks", "a.png"), "wb") as f:
...     _ = f.write(encode_image(np.eye(8, 10, dtype=np.uint8) * 3, ".png"))
>>> s = MaskFolderDataset(root).read("a.jpg")
>>> s["mask"].shape, int(s["mask"].max())
((8, 10), 3)
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from augkit.io.base import DatasetFormat, list_images
from augkit.io.common import DatasetError, SampleError, atomic_write, encode_image, read_image

__all__ = ["MaskFolderDataset"]


class MaskFolderDataset(DatasetFormat):
    """Images with one label-map PNG each (see the module docstring)."""

    name = "masks"

    def __init__(self, root: str):
        super().__init__(root)
        for sub in ("images", "masks"):
            if not os.path.isdir(os.path.join(self.root, sub)):
                raise DatasetError(f"{self.root}: no {sub}/ folder (layout: images/, masks/)")
        self._ids = list_images(os.path.join(self.root, "images"))

    @staticmethod
    def mask_rel(rel_path: str) -> str:
        return os.path.splitext(rel_path)[0] + ".png"

    def read(self, sample_id: str) -> dict[str, Any]:
        image = read_image(self.image_path(sample_id))
        path = os.path.join(self.root, "masks", *self.mask_rel(sample_id).split("/"))
        if not os.path.exists(path):
            raise SampleError(path, "the mask of this image is missing")
        mask = read_image(path)
        if mask.shape[:2] != image.shape[:2]:
            raise SampleError(path, f"mask is {mask.shape[1]}x{mask.shape[0]} but the image is "
                                    f"{image.shape[1]}x{image.shape[0]}")
        return {"id": sample_id, "file_name": sample_id, "image": image, "mask": mask,
                "bboxes": np.zeros((0, 4)), "labels": [], "objects": [], "meta": {}}

    def write(self, out_root, sample, rel_path, image_bytes=None, original=False):
        self._write_image(out_root, "images", rel_path, sample["image"], image_bytes)
        path = os.path.join(out_root, "masks", *self.mask_rel(rel_path).split("/"))
        atomic_write(path, encode_image(np.ascontiguousarray(sample["mask"]), ".png"))
        return {}
