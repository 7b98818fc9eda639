"""augkit: fast, exact image augmentation for deep learning.

One call transforms an image together with its masks, boxes and keypoints::

    >>> import numpy as np, augkit as A
    >>> pipe = A.Compose([A.HorizontalFlip(p=1.0)],
    ...                  bbox_params=A.BboxParams(format="pascal_voc", label_fields=["labels"]))
    >>> out = pipe(image=np.zeros((10, 20, 3), np.uint8), bboxes=[(0, 0, 5, 5)], labels=[1])
    >>> out["bboxes"]
    [(15.0, 0.0, 20.0, 5.0)]

The names and parameters follow Albumentations 2.x, so ``import augkit as A`` is the switch.
"""

from augkit import errors
from augkit.core.compose import (
    BaseCompose,
    Compose,
    OneOf,
    OneOrOther,
    RandomOrder,
    Sequential,
    SomeOf,
)
from augkit.core.targets import BboxParams, KeypointParams
from augkit.core.transform import (
    BasicTransform,
    DualTransform,
    ImageOnlyTransform,
    NoOp,
    SpatialTransform,
)
from augkit.transforms.affine import Affine, Perspective, Rotate, SafeRotate, ShiftScaleRotate
from augkit.transforms.blur import GaussianBlur
from augkit.transforms.color import (
    ColorJitter,
    FromFloat,
    HueSaturationValue,
    InvertImg,
    Normalize,
    Posterize,
    RandomBrightnessContrast,
    RandomGamma,
    Solarize,
    ToFloat,
    ToGray,
)
from augkit.transforms.flips_crops import (
    D4,
    CenterCrop,
    Crop,
    CropAndPad,
    HorizontalFlip,
    LongestMaxSize,
    Pad,
    PadIfNeeded,
    RandomCrop,
    RandomResizedCrop,
    RandomRotate90,
    RandomScale,
    RandomSizedCrop,
    Resize,
    SmallestMaxSize,
    SquareSymmetry,
    Transpose,
    VerticalFlip,
)
from augkit.transforms.noise import GaussNoise

__version__ = "0.1.0"

__all__ = [
    "Affine",
    "BaseCompose",
    "BasicTransform",
    "BboxParams",
    "CenterCrop",
    "ColorJitter",
    "Compose",
    "Crop",
    "CropAndPad",
    "D4",
    "DualTransform",
    "FromFloat",
    "GaussNoise",
    "GaussianBlur",
    "HorizontalFlip",
    "HueSaturationValue",
    "ImageOnlyTransform",
    "InvertImg",
    "KeypointParams",
    "LongestMaxSize",
    "NoOp",
    "Normalize",
    "OneOf",
    "OneOrOther",
    "Pad",
    "PadIfNeeded",
    "Perspective",
    "Posterize",
    "RandomBrightnessContrast",
    "RandomCrop",
    "RandomGamma",
    "RandomOrder",
    "RandomResizedCrop",
    "RandomRotate90",
    "RandomScale",
    "RandomSizedCrop",
    "Resize",
    "Rotate",
    "SafeRotate",
    "Sequential",
    "ShiftScaleRotate",
    "SmallestMaxSize",
    "Solarize",
    "SomeOf",
    "SpatialTransform",
    "SquareSymmetry",
    "ToFloat",
    "ToGray",
    "Transpose",
    "VerticalFlip",
    "errors",
]
