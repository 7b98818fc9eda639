"""The interface each dataset format implements, and the registry of formats."""

from __future__ import annotations

import os
import posixpath
from typing import Any

from augkit.io.common import atomic_write, encode_image

__all__ = ["DatasetFormat", "copy_name", "get_format", "FORMATS"]


def copy_name(rel_path: str, copy: int) -> str:
    """Relative path of copy ``copy`` of the image ``rel_path``: the original name for copy
    0 (the untouched original with ``--include-originals``), ``name__aug<c>.ext`` else."""
    if copy == 0:
        return rel_path
    stem, ext = posixpath.splitext(rel_path)
    return f"{stem}__aug{copy}{ext}"


class DatasetFormat:
    """A dataset on disk in one format.

    ``ids()`` lists the samples in a stable order, ``read(id)`` returns a sample (see
    :mod:`augkit.io.common`) or raises :class:`~augkit.io.common.SampleError`;
    ``write(out_root, sample, rel_path)`` writes the image and its per-image annotation
    files atomically and returns a JSON-able *record* for the dataset-level files, which
    ``finalize(out_root, records)`` writes at the end (records in sample order).
    """

    name = ""

    def __init__(self, root: str):
        self.root = os.path.abspath(root)

    #: the folder of ``root`` that holds the images, for formats that keep them in one
    image_folder = "images"

    def ids(self) -> list[str]:
        """The sample ids (subclasses fill ``self._ids`` in reading order)."""
        return list(self._ids)

    def read(self, sample_id: str) -> dict[str, Any]:  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__} must implement read()")

    def image_path(self, sample_id: str) -> str:
        """``root/<image_folder>/<id>`` (ids are relative paths with ``/``)."""
        return os.path.join(self.root, self.image_folder, *sample_id.split("/"))

    def write(self, out_root: str, sample: dict[str, Any], rel_path: str,
              image_bytes: bytes | None = None, original: bool = False) -> dict[str, Any]:  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__} must implement write()")

    def finalize(self, out_root: str, records: list[dict[str, Any]]) -> list[str]:
        """Write the dataset-level files; returns their paths relative to ``out_root``."""
        return []

    # shared helper: the image file (original bytes for an untouched copy)
    def _write_image(self, out_root: str, folder: str, rel_path: str, image, image_bytes) -> str:
        path = os.path.join(out_root, folder, *rel_path.split("/"))
        data = image_bytes if image_bytes is not None else encode_image(image, os.path.splitext(rel_path)[1])
        atomic_write(path, data)
        return path


def get_format(name: str):
    """The format class for ``name`` (``coco``, ``yolo``, ``voc``, ``masks``)."""
    from augkit.io.coco import CocoDataset
    from augkit.io.masks import MaskFolderDataset
    from augkit.io.voc import VocDataset
    from augkit.io.yolo import YoloDataset

    formats = {"coco": CocoDataset, "yolo": YoloDataset, "voc": VocDataset, "masks": MaskFolderDataset}
    if name not in formats:
        raise ValueError(f"unknown dataset format {name!r}; expected one of {', '.join(formats)}")
    return formats[name]


FORMATS = ("coco", "yolo", "voc", "masks")


def detect_format(path: str) -> str | None:
    """Guess the format of the dataset folder ``path`` from its layout (None if unknown)."""
    if os.path.isfile(os.path.join(path, "annotations.json")):
        return "coco"
    if os.path.isdir(os.path.join(path, "Annotations")):
        return "voc"
    if os.path.isdir(os.path.join(path, "labels")):
        return "yolo"
    if os.path.isdir(os.path.join(path, "masks")):
        return "masks"
    return None


IMAGE_EXTS = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp")


def list_images(folder: str) -> list[str]:
    """Image files under ``folder``, relative POSIX paths, sorted."""
    out = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for f in filenames:
            if f.lower().endswith(IMAGE_EXTS) and not f.startswith("."):
                rel = os.path.relpath(os.path.join(dirpath, f), folder)
                out.append(rel.replace(os.sep, "/"))
    return sorted(out)
