"""Dataset readers and writers (COCO, YOLO, Pascal VOC, image + mask folders) and the
engine behind ``augkit augment``.

>>> from augkit.io import get_format
>>> get_format("coco").__name__
'CocoDataset'
"""

from augkit.io.base import FORMATS, DatasetFormat, copy_name, detect_format, get_format
from augkit.io.coco import CocoDataset
from augkit.io.common import (
    DatasetError,
    SampleError,
    apply_pipeline,
    clip_polygon,
    prepare_pipeline,
)
from augkit.io.masks import MaskFolderDataset
from augkit.io.voc import VocDataset
from augkit.io.yolo import YoloDataset

__all__ = [
    "FORMATS",
    "CocoDataset",
    "DatasetError",
    "DatasetFormat",
    "MaskFolderDataset",
    "SampleError",
    "VocDataset",
    "YoloDataset",
    "apply_pipeline",
    "clip_polygon",
    "copy_name",
    "detect_format",
    "get_format",
    "prepare_pipeline",
]
