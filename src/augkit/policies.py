"""Automatic augmentation policies: AutoAugment, RandAugment, TrivialAugmentWide, AugMix.

Every policy is built from augkit's own transforms. Spatial operations (shear, translate,
rotate) are pushed to the engine as matrices, so masks, boxes and keypoints follow them
(torchvision's and timm's policies refuse or ignore those targets); pixel operations run
augkit's ``Enhance``, ``Posterize``, ``Solarize``, ``AutoContrast`` (``method="pil"``),
``Equalize`` (``mode="pil"``) and ``InvertImg`` with fixed parameters, so consecutive
uint8 tables still fuse. Every random draw comes from the pipeline's generator: the same
``Compose(seed=...)`` gives the same result.

Magnitudes
----------
A policy turns a *magnitude level* into a fraction ``f`` of its op's range: RandAugment
``f = magnitude / (num_magnitude_bins - 1)``; TrivialAugmentWide a uniform bin ``k``,
``f = k / (num_magnitude_bins - 1)``; AutoAugment ``f = level / 9`` (torchvision tables)
or ``level / 10`` (timm tables); AugMix ``f = k / 9`` with ``k`` uniform below
``severity`` (torchvision) or ``f = uniform(0, severity) / 10`` (timm). The ranges below
(value at ``f = 0`` -> value at ``f = 1``) are those of torchvision's v2 tables and of
timm's ``rand_augment_transforms``; "+-" marks ops whose sign is drawn 50/50.

=============  ====================  ===============  ==============  =========================
op             torchvision RA / AA   TrivialAugment   AugMix          timm (f = level / 10)
=============  ====================  ===============  ==============  =========================
ShearX/Y       +-0 -> 0.3            +-0 -> 0.99      +-0 -> 0.3      +-0 -> 0.3
TranslateX/Y   +-0 -> 150/331 side   +-0 -> 32 px     +-0 -> side/3   Rel: +-0 -> 0.45 side;
               (whole px)            (whole px)       (whole px)      abs: +-0 -> 250 px
Rotate         +-0 -> 30 deg         +-0 -> 135 deg   +-0 -> 30 deg   +-0 -> 30 deg
Brightness,    factor 1 +- (0->0.9)  1 +- (0->0.99)   1 +- (0->0.9)   factor 0.1 -> 1.9;
Color,                                                                *Increasing: 1 +- (0->0.9),
Contrast,                                                             at least 0.1
Sharpness
Posterize      bits 8 -> 4 (round)   8 -> 2 (round)   4 -> 0 (round)  0 -> 4; Increasing 4 -> 0;
                                                                      Original 4 -> 8 (int())
Solarize       threshold 255 -> 0    255 -> 0         255 -> 0        0 -> 256; Increasing
                                                                      256 -> 0 (int())
SolarizeAdd    -                     -                -               +0 -> 110 below 128
=============  ====================  ===============  ==============  =========================

Identity, AutoContrast, Equalize and Invert take no magnitude (Invert is in AutoAugment's
and timm's sets only; Identity is accepted in every ``ops`` list). Thresholds and amounts
are in 8-bit levels, scaled to the dtype (x 257 for uint16, / 255 for float32); values
``>= threshold`` are inverted. Conventions: ShearX by ``c`` moves ``(x, y)`` to
``(x + c * y, y)`` about the top-left corner (PIL's and torchvision's centre); Rotate is
about the image centre, positive counter-clockwise; the enhance factors are PIL's
(1 is the identity). Pixels uncovered by a spatial op get ``fill`` (default 0, as
torchvision; timm fills with 128 or the dataset mean: pass ``fill=(124, 116, 104)``).
The default interpolation is nearest for AutoAugment, RandAugment and TrivialAugmentWide
and bilinear for AugMix, as torchvision.

Cost per call on 224x224x3 uint8: the policy machinery adds ~6 us (Identity-only
RandAugment 9.7 us vs 3.6 us for Compose([NoOp])); RandAugment() 0.24 ms, TrivialAugmentWide
0.08 ms, AutoAugment("imagenet") 0.13 ms, AugMix() 1.4 ms (docs/policies.md has per-op numbers).

>>> import numpy as np, augkit as A
>>> pipe = A.Compose([A.RandAugment(num_ops=2, magnitude=9)], seed=0)
>>> pipe(image=np.zeros((32, 32, 3), np.uint8))["image"].shape
(32, 32, 3)
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from augkit.core import params as P
from augkit.core.state import State
from augkit.core.transform import BasicTransform, ImageOnlyTransform
from augkit.errors import InvalidParameterError
from augkit.functional import color as FC
from augkit.geometry import matrices as mx
from augkit.transforms.affine import Affine
from augkit.transforms.color import InvertImg, Posterize, Solarize
from augkit.transforms.tone import AutoContrast, Enhance, Equalize

__all__ = [
    "AUTOAUGMENT_POLICIES",
    "AugMix",
    "AutoAugment",
    "RandAugment",
    "TrivialAugmentWide",
    "from_timm_string",
    "op_parameter",
]


# -- magnitude tables ----------------------------------------------------------------------
@dataclass(frozen=True)
class _Range:
    """How a magnitude fraction ``f`` in [0, 1] becomes an op's parameter.

    ``value = base + sign * (lo + R((hi - lo) * f))`` where lo/hi are multiplied by the
    image side for ``unit`` "width"/"height", ``R`` is ``rounding`` (None, "round": half
    to even as torch, "trunc": Python's ``int()``), and the result is at least ``floor``.
    """

    lo: float
    hi: float
    signed: bool = False
    rounding: str | None = None
    base: float = 0.0
    unit: str = ""
    floor: float | None = None

    def value(self, f: float, shape: tuple[int, int], negative: bool = False) -> float:
        side = shape[1] if self.unit == "width" else shape[0] if self.unit == "height" else 1.0
        step = (self.hi - self.lo) * side * f
        if self.rounding == "round":
            step = float(np.round(step))
        elif self.rounding == "trunc":
            step = float(math.trunc(step))
        v = self.lo * side + step
        v = self.base + (-v if negative and self.signed else v)
        return v if self.floor is None else max(v, self.floor)


def _signed(hi, **kw):
    return _Range(0.0, hi, signed=True, **kw)


def _factor(hi):
    return _Range(0.0, hi, signed=True, base=1.0)


_NONE = ("identity", "autocontrast", "equalize", "invert")


def _space(shear, translate, translate_y, rotate, enhance, posterize, solarize):
    return {
        "Identity": ("identity", None),
        "ShearX": ("shear_x", _signed(shear)),
        "ShearY": ("shear_y", _signed(shear)),
        "TranslateX": ("translate_x", translate),
        "TranslateY": ("translate_y", translate_y),
        "Rotate": ("rotate", _signed(rotate)),
        "Brightness": ("brightness", _factor(enhance)),
        "Color": ("color", _factor(enhance)),
        "Contrast": ("contrast", _factor(enhance)),
        "Sharpness": ("sharpness", _factor(enhance)),
        "Posterize": ("posterize", posterize),
        "Solarize": ("solarize", solarize),
        "AutoContrast": ("autocontrast", None),
        "Equalize": ("equalize", None),
        "Invert": ("invert", None),
    }


_SOLARIZE_DOWN = _Range(255.0, 0.0)
#: op name -> (operation, range), per family of reference tables
SPACES: dict[str, dict[str, tuple[str, _Range | None]]] = {
    # torchvision v2 RandAugment and AutoAugment (the same ranges; AutoAugment uses 10 bins)
    "torchvision": _space(0.3, _signed(150 / 331, rounding="trunc", unit="width"),
                          _signed(150 / 331, rounding="trunc", unit="height"), 30.0, 0.9,
                          _Range(8.0, 4.0, rounding="round"), _SOLARIZE_DOWN),
    "wide": _space(0.99, _signed(32.0, rounding="trunc"), _signed(32.0, rounding="trunc"), 135.0,
                   0.99, _Range(8.0, 2.0, rounding="round"), _SOLARIZE_DOWN),
    "augmix": _space(0.3, _signed(1 / 3, rounding="trunc", unit="width"),
                     _signed(1 / 3, rounding="trunc", unit="height"), 30.0, 0.9,
                     _Range(4.0, 0.0, rounding="round"), _SOLARIZE_DOWN),
}
_timm_inc = _Range(0.0, 0.9, signed=True, base=1.0, floor=0.1)
SPACES["timm"] = {
    "Identity": ("identity", None),
    "AutoContrast": ("autocontrast", None),
    "Equalize": ("equalize", None),
    "Invert": ("invert", None),
    "Rotate": ("rotate", _signed(30.0)),
    "Posterize": ("posterize", _Range(0.0, 4.0, rounding="trunc")),
    "PosterizeIncreasing": ("posterize", _Range(4.0, 0.0, rounding="trunc")),
    "PosterizeOriginal": ("posterize", _Range(4.0, 8.0, rounding="trunc")),
    "Solarize": ("solarize", _Range(0.0, 256.0, rounding="trunc")),
    "SolarizeIncreasing": ("solarize", _Range(256.0, 0.0, rounding="trunc")),
    "SolarizeAdd": ("solarize_add", _Range(0.0, 110.0, rounding="trunc")),
    **{name: (name.lower(), _Range(0.1, 1.9)) for name in ("Color", "Contrast", "Brightness", "Sharpness")},
    **{f"{name}Increasing": (name.lower(), _timm_inc)
       for name in ("Color", "Contrast", "Brightness", "Sharpness")},
    "ShearX": ("shear_x", _signed(0.3)),
    "ShearY": ("shear_y", _signed(0.3)),
    "TranslateX": ("translate_x", _signed(250.0)),
    "TranslateY": ("translate_y", _signed(250.0)),
    "TranslateXRel": ("translate_x", _signed(0.45, unit="width")),
    "TranslateYRel": ("translate_y", _signed(0.45, unit="height")),
}

_TV_OPS = ("Identity", "ShearX", "ShearY", "TranslateX", "TranslateY", "Rotate", "Brightness",
           "Color", "Contrast", "Sharpness", "Posterize", "Solarize", "AutoContrast", "Equalize")
_TIMM_RAND = ("AutoContrast", "Equalize", "Invert", "Rotate", "Posterize", "Solarize", "SolarizeAdd",
              "Color", "Contrast", "Brightness", "Sharpness", "ShearX", "ShearY", "TranslateXRel",
              "TranslateYRel")
_TIMM_RAND_INC = ("AutoContrast", "Equalize", "Invert", "Rotate", "PosterizeIncreasing",
                  "SolarizeIncreasing", "SolarizeAdd", "ColorIncreasing", "ContrastIncreasing",
                  "BrightnessIncreasing", "SharpnessIncreasing", "ShearX", "ShearY", "TranslateXRel",
                  "TranslateYRel")
_AUGMIX_OPS = ("ShearX", "ShearY", "TranslateX", "TranslateY", "Rotate", "Posterize", "Solarize",
               "AutoContrast", "Equalize")
_AUGMIX_ALL = _AUGMIX_OPS + ("Brightness", "Color", "Contrast", "Sharpness")
_TIMM_AUGMIX = ("AutoContrast", "ColorIncreasing", "ContrastIncreasing", "BrightnessIncreasing",
                "SharpnessIncreasing", "Equalize", "Rotate", "PosterizeIncreasing",
                "SolarizeIncreasing", "ShearX", "ShearY", "TranslateXRel", "TranslateYRel")

#: RandAugment variants: (table family, default ops)
_RAND_VARIANTS = {"torchvision": ("torchvision", _TV_OPS), "timm": ("timm", _TIMM_RAND),
                  "timm_increasing": ("timm", _TIMM_RAND_INC)}


def op_parameter(space: str, op: str, fraction: float, shape: tuple[int, int] = (224, 224),
                 negative: bool = False) -> float | None:
    """The parameter ``op`` of table family ``space`` takes at magnitude ``fraction``.

    Shear: coefficient; translate: pixels; rotate: degrees; enhance ops: PIL factor;
    Posterize: bits kept; Solarize: threshold and SolarizeAdd: amount, in 8-bit levels.
    None for ops without a magnitude.

    >>> from augkit.policies import op_parameter
    >>> op_parameter("torchvision", "Rotate", 1.0), op_parameter("torchvision", "Posterize", 1.0)
    (30.0, 4.0)
    """
    kind, rng = _lookup("op_parameter", "space", space, op)
    return None if rng is None else rng.value(fraction, shape, negative)


def _lookup(owner: str, arg: str, space: str, op: str):
    table = SPACES.get(space)
    if table is None:
        raise P.fail(owner, arg, space, f"{arg} must be one of {', '.join(map(repr, SPACES))}")
    if op not in table:
        raise InvalidParameterError(f"{owner}: unknown operation {op!r} for the {space!r} tables; "
                                    f"accepted: {', '.join(table)}")
    return table[op]


def _parse_policy(text: str) -> tuple[tuple[tuple[str, float, int | None], ...], ...]:
    """One sub-policy per line: ``Op probability level | Op probability level`` ("-": no level)."""
    out = []
    for line in text.strip().splitlines():
        pair = []
        for part in line.split("|"):
            name, prob, level = part.split()
            pair.append((name, float(prob), None if level == "-" else int(level)))
        out.append(tuple(pair))
    return tuple(out)


# The published sub-policies (AutoAugment paper, Cubuk et al. 2019, as torchvision lists
# them: levels 0..9) and timm's ImageNet variants (levels 0..10).
_IMAGENET = """
Posterize 0.4 8 | Rotate 0.6 9
Solarize 0.6 5 | AutoContrast 0.6 -
Equalize 0.8 - | Equalize 0.6 -
Posterize 0.6 7 | Posterize 0.6 6
Equalize 0.4 - | Solarize 0.2 4
Equalize 0.4 - | Rotate 0.8 8
Solarize 0.6 3 | Equalize 0.6 -
Posterize 0.8 5 | Equalize 1.0 -
Rotate 0.2 3 | Solarize 0.6 8
Equalize 0.6 - | Posterize 0.4 6
Rotate 0.8 8 | Color 0.4 0
Rotate 0.4 9 | Equalize 0.6 -
Equalize 0.0 - | Equalize 0.8 -
Invert 0.6 - | Equalize 1.0 -
Color 0.6 4 | Contrast 1.0 8
Rotate 0.8 8 | Color 1.0 2
Color 0.8 8 | Solarize 0.8 7
Sharpness 0.4 7 | Invert 0.6 -
ShearX 0.6 5 | Equalize 1.0 -
Color 0.4 0 | Equalize 0.6 -
Equalize 0.4 - | Solarize 0.2 4
Solarize 0.6 5 | AutoContrast 0.6 -
Invert 0.6 - | Equalize 1.0 -
Color 0.6 4 | Contrast 1.0 8
Equalize 0.8 - | Equalize 0.6 -
"""
_CIFAR10 = """
Invert 0.1 - | Contrast 0.2 6
Rotate 0.7 2 | TranslateX 0.3 9
Sharpness 0.8 1 | Sharpness 0.9 3
ShearY 0.5 8 | TranslateY 0.7 9
AutoContrast 0.5 - | Equalize 0.9 -
ShearY 0.2 7 | Posterize 0.3 7
Color 0.4 3 | Brightness 0.6 7
Sharpness 0.3 9 | Brightness 0.7 9
Equalize 0.6 - | Equalize 0.5 -
Contrast 0.6 7 | Sharpness 0.6 5
Color 0.7 7 | TranslateX 0.5 8
Equalize 0.3 - | AutoContrast 0.4 -
TranslateY 0.4 3 | Sharpness 0.2 6
Brightness 0.9 6 | Color 0.2 8
Solarize 0.5 2 | Invert 0.0 -
Equalize 0.2 - | AutoContrast 0.6 -
Equalize 0.2 - | Equalize 0.6 -
Color 0.9 9 | Equalize 0.6 -
AutoContrast 0.8 - | Solarize 0.2 8
Brightness 0.1 3 | Color 0.7 0
Solarize 0.4 5 | AutoContrast 0.9 -
TranslateY 0.9 9 | TranslateY 0.7 9
AutoContrast 0.9 - | Solarize 0.8 3
Equalize 0.8 - | Invert 0.1 -
TranslateY 0.7 9 | AutoContrast 0.9 -
"""
_SVHN = """
ShearX 0.9 4 | Invert 0.2 -
ShearY 0.9 8 | Invert 0.7 -
Equalize 0.6 - | Solarize 0.6 6
Invert 0.9 - | Equalize 0.6 -
Equalize 0.6 - | Rotate 0.9 3
ShearX 0.9 4 | AutoContrast 0.8 -
ShearY 0.9 8 | Invert 0.4 -
ShearY 0.9 5 | Solarize 0.2 6
Invert 0.9 - | AutoContrast 0.8 -
Equalize 0.6 - | Rotate 0.9 3
ShearX 0.9 4 | Solarize 0.3 3
ShearY 0.8 8 | Invert 0.7 -
Equalize 0.9 - | TranslateY 0.6 6
Invert 0.9 - | Equalize 0.6 -
Contrast 0.3 3 | Rotate 0.8 4
Invert 0.8 - | TranslateY 0.0 2
ShearY 0.7 6 | Solarize 0.4 8
Invert 0.6 - | Rotate 0.8 4
ShearY 0.3 7 | TranslateX 0.9 3
ShearX 0.1 6 | Invert 0.6 -
Solarize 0.7 2 | TranslateY 0.6 7
ShearY 0.8 4 | Invert 0.8 -
ShearX 0.7 9 | TranslateY 0.8 3
ShearY 0.8 5 | AutoContrast 0.7 -
ShearX 0.7 2 | Invert 0.1 -
"""
# timm "original": the paper's ImageNet policy with timm's level scale (0..10) and the
# paper's posterize (4..8 bits); "originalr" keeps 4..0 bits (increasing severity)
_ORIGINAL = """
PosterizeOriginal 0.4 8 | Rotate 0.6 9
Solarize 0.6 5 | AutoContrast 0.6 5
Equalize 0.8 8 | Equalize 0.6 3
PosterizeOriginal 0.6 7 | PosterizeOriginal 0.6 6
Equalize 0.4 7 | Solarize 0.2 4
Equalize 0.4 4 | Rotate 0.8 8
Solarize 0.6 3 | Equalize 0.6 7
PosterizeOriginal 0.8 5 | Equalize 1.0 2
Rotate 0.2 3 | Solarize 0.6 8
Equalize 0.6 8 | PosterizeOriginal 0.4 6
Rotate 0.8 8 | Color 0.4 0
Rotate 0.4 9 | Equalize 0.6 2
Equalize 0.0 7 | Equalize 0.8 8
Invert 0.6 4 | Equalize 1.0 8
Color 0.6 4 | Contrast 1.0 8
Rotate 0.8 8 | Color 1.0 2
Color 0.8 8 | Solarize 0.8 7
Sharpness 0.4 7 | Invert 0.6 8
ShearX 0.6 5 | Equalize 1.0 9
Color 0.4 0 | Equalize 0.6 3
Equalize 0.4 7 | Solarize 0.2 4
Solarize 0.6 5 | AutoContrast 0.6 5
Invert 0.6 4 | Equalize 1.0 8
Color 0.6 4 | Contrast 1.0 8
Equalize 0.8 8 | Equalize 0.6 3
"""
# timm "v0": the ImageNet policy of the TPU EfficientNet implementation; "v0r" with the
# increasing-severity posterize
_V0 = """
Equalize 0.8 1 | ShearY 0.8 4
Color 0.4 9 | Equalize 0.6 3
Color 0.4 1 | Rotate 0.6 8
Solarize 0.8 3 | Equalize 0.4 7
Solarize 0.4 2 | Solarize 0.6 2
Color 0.2 0 | Equalize 0.8 8
Equalize 0.4 8 | SolarizeAdd 0.8 3
ShearX 0.2 9 | Rotate 0.6 8
Color 0.6 1 | Equalize 1.0 2
Invert 0.4 9 | Rotate 0.6 0
Equalize 1.0 9 | ShearY 0.6 3
Color 0.4 7 | Equalize 0.6 0
Posterize 0.4 6 | AutoContrast 0.4 7
Solarize 0.6 8 | Color 0.6 9
Solarize 0.2 4 | Rotate 0.8 9
Rotate 1.0 7 | TranslateYRel 0.8 9
ShearX 0.0 0 | Solarize 0.8 4
ShearY 0.8 0 | Color 0.6 4
Color 1.0 0 | Rotate 0.6 2
Equalize 0.8 4 | Equalize 0.0 8
Equalize 1.0 4 | AutoContrast 0.6 2
ShearY 0.4 7 | SolarizeAdd 0.6 7
Posterize 0.8 2 | Solarize 0.6 10
Solarize 0.6 8 | Equalize 0.6 1
Color 0.8 6 | Rotate 0.4 5
"""

#: policy name -> (table family, level denominator, sub-policies)
AUTOAUGMENT_POLICIES: dict[str, tuple[str, int, tuple]] = {
    "imagenet": ("torchvision", 9, _parse_policy(_IMAGENET)),
    "cifar10": ("torchvision", 9, _parse_policy(_CIFAR10)),
    "svhn": ("torchvision", 9, _parse_policy(_SVHN)),
    "original": ("timm", 10, _parse_policy(_ORIGINAL)),
    "originalr": ("timm", 10, _parse_policy(_ORIGINAL.replace("PosterizeOriginal", "PosterizeIncreasing"))),
    "v0": ("timm", 10, _parse_policy(_V0)),
    "v0r": ("timm", 10, _parse_policy(_V0.replace("Posterize ", "PosterizeIncreasing "))),
}


# -- running one operation -------------------------------------------------------------------
class _Fixed(ImageOnlyTransform):
    """An augkit pixel transform with its parameters already chosen (built per call
    without ``__init__``: ~1 us instead of ~15 us for a validated transform)."""

    @classmethod
    def of(cls, inner: ImageOnlyTransform, params: dict[str, Any]) -> _Fixed:
        f = cls.__new__(cls)
        f.p, f._solo, f.inner, f.params = 1.0, None, inner, params
        f.apply_beats_lut = inner.apply_beats_lut
        return f

    def sample(self, rng, state):
        return self.params

    def check_image(self, img):
        self.inner.check_image(img)

    def apply(self, img, **params):
        return self.inner.apply(img, **params)

    def get_lut(self, params, num_channels):
        return self.inner.get_lut(params, num_channels)


class _SolarizeAdd(ImageOnlyTransform):
    """timm's SolarizeAdd: add ``amount`` (8-bit levels) to values below 128, saturating."""

    def sample(self, rng, state):  # pragma: no cover - always run through _Fixed
        return {"amount": 0.0}

    def get_lut(self, params, num_channels):
        x = np.arange(256)
        return np.where(x < 128, np.minimum(x + int(params["amount"]), 255), x).astype(np.uint8)

    def apply(self, img, amount, **_):
        if img.dtype == np.uint8:
            return FC.apply_lut(img, self.get_lut({"amount": amount}, 1))
        top = float(FC.max_value(img.dtype))
        scale = top / 255.0
        out = np.where(img < 128 * scale, np.minimum(img + np.asarray(amount * scale, img.dtype), top), img)
        return out.astype(img.dtype, copy=False)


_ENHANCE_IDENTITY = {"brightness": 1.0, "contrast": 1.0, "color": 1.0, "sharpness": 1.0}


class _Ops:
    """Runs one named operation with a fixed parameter on a pipeline state.

    Spatial ops push one matrix (built by the held ``Affine``'s warp settings: its
    interpolation, fill and fill_mask); pixel ops run one augkit transform through
    :class:`_Fixed`. Nothing is constructed per op but that small wrapper.
    """

    def __init__(self, owner: str, interpolation, fill, fill_mask):
        P.check_interpolation(owner, "interpolation", interpolation)
        P.check_fill(owner, "fill", fill)
        P.check_fill(owner, "fill_mask", fill_mask)
        self.warper = Affine(interpolation=interpolation, fill=fill, fill_mask=fill_mask, p=1.0)
        self.enhance = Enhance(p=1.0)
        self.posterize = Posterize(p=1.0)
        self.solarize = Solarize(p=1.0)
        self.solarize_add = _SolarizeAdd(p=1.0)
        self.fixed = {"autocontrast": AutoContrast(method="pil", p=1.0),
                      "equalize": Equalize(mode="pil", p=1.0), "invert": InvertImg(p=1.0)}

    def run(self, state: State, rng, kind: str, value: float | None) -> None:
        if kind == "identity":
            return
        if kind in ("shear_x", "shear_y", "translate_x", "translate_y", "rotate"):
            h, w = state.shape
            if kind == "shear_x":
                m = np.array([[1.0, value, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
            elif kind == "shear_y":
                m = np.array([[1.0, 0.0, 0.0], [value, 1.0, 0.0], [0.0, 0.0, 1.0]])
            elif kind == "translate_x":
                m = mx.translate(value, 0.0)
            elif kind == "translate_y":
                m = mx.translate(0.0, value)
            else:
                m = mx.about(mx.rotate(value), w / 2.0, h / 2.0)
            state.push_warp(self.warper.make_warp(m, state))
            return
        t = self.fixed.get(kind)
        if t is not None:
            state.apply_pixel_transform(t, rng)
            return
        if kind in _ENHANCE_IDENTITY:
            t = _Fixed.of(self.enhance, {**_ENHANCE_IDENTITY, kind: max(float(value), 0.0)})
        elif kind == "posterize":
            t = _Fixed.of(self.posterize, {"num_bits": int(value)})
        elif kind == "solarize":
            t = _Fixed.of(self.solarize, {"threshold": value / 255.0})
        elif kind == "solarize_add":
            t = _Fixed.of(self.solarize_add, {"amount": value})
        else:  # pragma: no cover - the tables only name the kinds above
            raise ValueError(kind)
        state.apply_pixel_transform(t, rng)


def _resolve_ops(owner: str, space: str, ops: Sequence[str] | None, default: Sequence[str]):
    names = tuple(default) if ops is None else ops
    if isinstance(names, str) or not isinstance(names, Sequence) or not names:
        raise P.fail(owner, "ops", ops, "ops must be a non-empty list of operation names")
    out = []
    for name in names:
        if not isinstance(name, str) or name not in SPACES[space]:
            raise P.fail(owner, "ops", ops, f"unknown operation {name!r}; accepted: {', '.join(SPACES[space])}")
        kind, rng = SPACES[space][name]
        out.append((name, kind, rng))
    return out


def _check_std(owner: str, value) -> float:
    if not P.is_number(value) or math.isnan(value) or value < 0:
        raise P.fail(owner, "magnitude_std", value, "magnitude_std must be >= 0 (inf: uniform in [0, magnitude])")
    return float(value)


def _noisy(level: float, std: float, top: float, rng) -> float:
    """timm's magnitude noise: N(level, std) (uniform in [0, level] for std = inf), clipped to [0, top]."""
    if std == math.inf:
        level = float(P.draw_uniform(rng, 0.0, level))
    elif std > 0:
        level = float(rng.normal(level, std))
    return min(max(level, 0.0), top)


class _Policy(BasicTransform):
    """A policy: draws named ops from the pipeline's generator and runs them on every target."""

    kind = "spatial"
    targets = ("image", "mask", "masks", "bboxes", "keypoints")

    def _run_op(self, state: State, rng, op, fraction: float) -> None:
        name, kind, r = op
        value = None
        if r is not None:
            negative = r.signed and bool(rng.random() < 0.5)
            value = r.value(fraction, state.shape, negative)
        self._ops.run(state, rng, kind, value)


class RandAugment(_Policy):
    """RandAugment (Cubuk et al. 2020): ``num_ops`` operations chosen uniformly (with
    replacement), all at one magnitude. (augkit addition; torchvision's and timm's.)

    Args:
        num_ops: operations per call.
        magnitude: level in ``[0, num_magnitude_bins - 1]`` (fraction ``magnitude / (bins - 1)``
            of each op's range, see :mod:`augkit.policies`); may be fractional.
        num_magnitude_bins: number of levels (torchvision 31; timm's 0..10 scale is 11).
        magnitude_std: timm's noise: each op's level is drawn from N(magnitude, std)
            (``inf``: uniform in [0, magnitude]), clipped to [0, magnitude_max].
        magnitude_max: upper clip of noisy levels (default ``num_magnitude_bins - 1``).
        ops: operation names (default: the variant's set).
        variant: "torchvision" (its v2 ranges and 14 ops), "timm" (``rand-...``) or
            "timm_increasing" (``rand-...-inc1``).
        op_p: probability of each chosen op (torchvision 1.0; timm 0.5).
        interpolation, fill, fill_mask: resampling of the spatial ops.
        p: probability of applying the policy.

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: uint8, uint16, float32.

    >>> import numpy as np, augkit as A
    >>> t = A.RandAugment(num_ops=2, magnitude=9, p=1.0)
    >>> t(image=np.zeros((16, 16, 3), np.uint8))["image"].dtype
    dtype('uint8')
    """

    def __init__(self, num_ops: int = 2, magnitude: float = 9, num_magnitude_bins: int = 31,
                 magnitude_std: float = 0.0, magnitude_max: float | None = None,
                 ops: Sequence[str] | None = None, variant: str = "torchvision", op_p: float = 1.0,
                 interpolation: int = cv2.INTER_NEAREST, fill: Any = 0, fill_mask: Any = 0,
                 p: float = 1.0):
        super().__init__(p=p)
        n = "RandAugment"
        self.num_ops = int(P.check_number(n, "num_ops", num_ops, 0, integer=True))
        self.num_magnitude_bins = int(P.check_number(n, "num_magnitude_bins", num_magnitude_bins, 2, integer=True))
        top = self.num_magnitude_bins - 1
        if magnitude_max is not None:
            P.check_number(n, "magnitude_max", magnitude_max, 0, low_inclusive=False)
        self.magnitude_max = float(top if magnitude_max is None else magnitude_max)
        self.magnitude = float(P.check_number(n, "magnitude", magnitude, 0, self.magnitude_max))
        self.magnitude_std = _check_std(n, magnitude_std)
        self.op_p = float(P.check_number(n, "op_p", op_p, 0, 1))
        self.variant = P.check_choice(n, "variant", variant, tuple(_RAND_VARIANTS))
        space, default = _RAND_VARIANTS[variant]
        self._op_list = _resolve_ops(n, space, ops, default)
        self._ops = _Ops(n, interpolation, fill, fill_mask)

    def apply_to_state(self, state: State, rng: np.random.Generator) -> None:
        top = self.num_magnitude_bins - 1
        for i in rng.integers(0, len(self._op_list), size=self.num_ops):
            if self.op_p < 1.0 and not rng.random() < self.op_p:
                continue
            level = _noisy(self.magnitude, self.magnitude_std, self.magnitude_max, rng)
            self._run_op(state, rng, self._op_list[int(i)], level / top)


class TrivialAugmentWide(_Policy):
    """TrivialAugment Wide (Müller & Hutter 2021): one operation chosen uniformly, at a
    uniformly chosen magnitude bin, with torchvision's "wide" ranges. (augkit addition.)

    Args:
        num_magnitude_bins: number of magnitude levels.
        ops: operation names (default: the 14 of torchvision's TrivialAugmentWide).
        interpolation, fill, fill_mask: resampling of the spatial ops.
        p: probability of applying the policy.

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: uint8, uint16, float32.

    >>> import numpy as np, augkit as A
    >>> A.TrivialAugmentWide(p=1.0)(image=np.zeros((16, 16), np.uint8))["image"].shape
    (16, 16)
    """

    def __init__(self, num_magnitude_bins: int = 31, ops: Sequence[str] | None = None,
                 interpolation: int = cv2.INTER_NEAREST, fill: Any = 0, fill_mask: Any = 0,
                 p: float = 1.0):
        super().__init__(p=p)
        n = "TrivialAugmentWide"
        self.num_magnitude_bins = int(P.check_number(n, "num_magnitude_bins", num_magnitude_bins, 2, integer=True))
        self._op_list = _resolve_ops(n, "wide", ops, _TV_OPS)
        self._ops = _Ops(n, interpolation, fill, fill_mask)

    def apply_to_state(self, state: State, rng: np.random.Generator) -> None:
        op = self._op_list[P.draw_int(rng, 0, len(self._op_list) - 1)]
        level = P.draw_int(rng, 0, self.num_magnitude_bins - 1) if op[2] is not None else 0
        self._run_op(state, rng, op, level / (self.num_magnitude_bins - 1))


class AutoAugment(_Policy):
    """AutoAugment (Cubuk et al. 2019): one of the learned sub-policies chosen uniformly;
    each of its two ops runs with its own probability at its own level. (augkit addition.)

    Args:
        policy: "imagenet", "cifar10", "svhn" (the published tables, torchvision's level
            scale 0..9) or timm's "original", "originalr", "v0", "v0r" (levels 0..10).
        magnitude_std: timm's level noise (``original-mstd0.5``), clipped to the scale.
        interpolation, fill, fill_mask: resampling of the spatial ops.
        p: probability of applying the policy.

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: uint8, uint16, float32.

    >>> import numpy as np, augkit as A
    >>> len(A.AutoAugment(policy="cifar10").sub_policies)
    25
    """

    def __init__(self, policy: str = "imagenet", magnitude_std: float = 0.0,
                 interpolation: int = cv2.INTER_NEAREST, fill: Any = 0, fill_mask: Any = 0,
                 p: float = 1.0):
        super().__init__(p=p)
        n = "AutoAugment"
        self.policy = P.check_choice(n, "policy", policy, tuple(AUTOAUGMENT_POLICIES))
        self.magnitude_std = _check_std(n, magnitude_std)
        space, self._denominator, self.sub_policies = AUTOAUGMENT_POLICIES[policy]
        self._resolved = [[(prob, level, _resolve_ops(n, space, [name], ())[0]) for name, prob, level in sp]
                          for sp in self.sub_policies]
        self._ops = _Ops(n, interpolation, fill, fill_mask)

    def apply_to_state(self, state: State, rng: np.random.Generator) -> None:
        sub = self._resolved[P.draw_int(rng, 0, len(self._resolved) - 1)]
        d = float(self._denominator)
        for prob, level, op in sub:
            if not rng.random() < prob:
                continue
            lv = 0.0 if level is None else _noisy(float(level), self.magnitude_std, d, rng)
            self._run_op(state, rng, op, lv / d)


class AugMix(ImageOnlyTransform):
    """AugMix (Hendrycks et al. 2020): ``width`` chains of 1-3 random ops (``depth``),
    mixed with Dirichlet(alpha) weights, blended with the original by Beta(alpha, alpha).
    (augkit addition.)

    The result is a blend of differently warped copies, which has no single geometry:
    the chains' shear, translate and rotate act on the image copies only, and masks,
    boxes and keypoints stay where the original puts them (as torchvision and timm). For
    dense targets that must match exactly, choose ``all_ops`` or ``ops`` without them.

    Args:
        severity: magnitude level 1..10 (torchvision: a bin below it per op, of 10 bins;
            timm: uniform in [0, severity] / 10).
        width: number of chains.
        depth: ops per chain; -1 draws 1..3 per chain.
        alpha: Dirichlet and Beta parameter (> 0).
        all_ops: include Brightness, Color, Contrast, Sharpness (torchvision variant).
        ops: operation names, overriding the variant's set (``["Identity"]`` returns the input).
        variant: "torchvision" or "timm" (``augmix-m..-w..-d..``).
        magnitude_std: None: the variant's sampling; a number: N(severity, std) per op,
            clipped to [0, 10] (timm's ``mstd``).
        interpolation, fill: resampling of the spatial ops inside the chains.
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32.

    >>> import numpy as np, augkit as A
    >>> img = np.full((8, 8, 3), 77, np.uint8)
    >>> A.AugMix(ops=["Identity"], p=1.0)(image=img)["image"][0, 0].tolist()
    [77, 77, 77]
    """

    supported_dtypes = ("uint8", "uint16", "float32")

    def __init__(self, severity: int = 3, width: int = 3, depth: int = -1, alpha: float = 1.0,
                 all_ops: bool = True, ops: Sequence[str] | None = None, variant: str = "torchvision",
                 magnitude_std: float | None = None, interpolation: int = cv2.INTER_LINEAR,
                 fill: Any = 0, p: float = 1.0):
        super().__init__(p=p)
        n = "AugMix"
        self.severity = int(P.check_number(n, "severity", severity, 1, 10, integer=True))
        self.width = int(P.check_number(n, "width", width, 1, integer=True))
        self.depth = int(P.check_number(n, "depth", depth, integer=True))
        if self.depth == 0 or self.depth < -1:
            raise P.fail(n, "depth", depth, "depth must be a positive integer or -1 (1..3 at random)")
        self.alpha = float(P.check_number(n, "alpha", alpha, 0, low_inclusive=False))
        self.all_ops = bool(all_ops)
        self.variant = P.check_choice(n, "variant", variant, ("torchvision", "timm"))
        self.magnitude_std = None if magnitude_std is None else _check_std(n, magnitude_std)
        if variant == "timm":
            space, default = "timm", _TIMM_AUGMIX
        else:
            space, default = "augmix", _AUGMIX_ALL if self.all_ops else _AUGMIX_OPS
        self._op_list = _resolve_ops(n, space, ops, default)
        self._ops = _Ops(n, interpolation, fill, 0)

    def _fraction(self, rng) -> float:
        if self.magnitude_std is not None:
            return _noisy(float(self.severity), self.magnitude_std, 10.0, rng) / 10.0
        if self.variant == "timm":
            return float(P.draw_uniform(rng, 0.0, self.severity)) / 10.0
        return P.draw_int(rng, 0, self.severity - 1) / 9.0

    def sample(self, rng, state):
        shape = state.shape
        chains = []
        for _ in range(self.width):
            depth = self.depth if self.depth > 0 else P.draw_int(rng, 1, 3)
            chain = []
            for i in rng.integers(0, len(self._op_list), size=depth):
                name, kind, r = self._op_list[int(i)]
                value = None
                if r is not None:
                    f = self._fraction(rng)
                    value = r.value(f, shape, r.signed and bool(rng.random() < 0.5))
                chain.append((kind, value))
            chains.append(chain)
        return {"m": float(rng.beta(self.alpha, self.alpha)),
                "weights": rng.dirichlet([self.alpha] * self.width), "chains": chains}

    def run_chain(self, img: np.ndarray, chain) -> np.ndarray:
        """One chain on one image, through the engine (spatial ops as one fused warp)."""
        state = State(images={"image": img}, masks={}, mask_lists={}, shape=img.shape[:2])
        for kind, value in chain:
            self._ops.run(state, None, kind, value)
        state.materialize_images()
        return state.images["image"]

    def apply(self, img, m, weights, chains, **_):
        outs = [self.run_chain(img, chain) for chain in chains]
        return augmix_blend(img, outs, weights, m)


def augmix_blend(original: np.ndarray, chains: Sequence[np.ndarray], weights, m: float) -> np.ndarray:
    """``m * original + (1 - m) * sum(weights[i] * chains[i])`` in float32, rounded back to
    the dtype (a convex combination: each pixel stays within its inputs' range)."""
    acc = original.astype(np.float32) * np.float32(m)
    for w, c in zip(weights, chains):
        acc += c.astype(np.float32) * np.float32((1.0 - m) * w)
    if original.dtype == np.float32:
        return np.clip(acc, 0.0, 1.0, out=acc)
    top = float(FC.max_value(original.dtype))
    return np.clip(np.rint(acc, out=acc), 0.0, top, out=acc).astype(original.dtype)


# -- timm configuration strings -----------------------------------------------------------------
_TIMM_KEYS = {
    "rand": "m<magnitude 0..>, n<num_ops>, mstd<std, > 100: uniform>, mmax<max magnitude>, inc<0|1>",
    "augmix": "m<severity 1..10>, w<width>, d<depth, -1: 1..3>, a<alpha>, mstd<std>, b0",
    "auto": "mstd<std>",
}


def _sections(config: str, kind: str):
    for part in config.split("-")[1:]:
        match = re.fullmatch(r"([a-z]+)(-?\d.*)", part) if part else None
        if match is None:
            raise InvalidParameterError(
                f"from_timm_string({config!r}): section {part!r} is not <key><number>; "
                f"accepted sections: {_TIMM_KEYS[kind]}")
        yield match.group(1), match.group(2)


def _num(config: str, key: str, text: str, kind: str, integer: bool = False):
    try:
        return int(text) if integer else float(text)
    except ValueError:
        want = "an integer" if integer else "a number"
        raise InvalidParameterError(f"from_timm_string({config!r}): {key}{text!r} must be {want}; "
                                    f"accepted sections: {_TIMM_KEYS[kind]}") from None


def from_timm_string(config: str, **kwargs) -> BasicTransform:
    """The augkit policy a timm ``auto_augment`` string describes.

    ``rand-m9-n2-mstd0.5[-mmax10][-inc1]`` -> :class:`RandAugment` (timm's level scale 0..10,
    timm's op set, each chosen op with probability 0.5); ``augmix-m5-w4-d2[-a1][-mstd..]``
    -> :class:`AugMix` (variant "timm"); ``original``, ``originalr``, ``v0``, ``v0r``
    (optionally ``-mstd0.5``) -> :class:`AutoAugment`; ``trivialaugment`` ->
    :class:`TrivialAugmentWide`. Keyword arguments (``fill``, ``interpolation``, ``p``, ...)
    go to the constructor; timm's random bilinear/bicubic resampling becomes bilinear.

    >>> from augkit.policies import from_timm_string
    >>> t = from_timm_string("rand-m9-mstd0.5-inc1")
    >>> t.num_ops, t.magnitude, t.magnitude_std, t.variant, t.op_p
    (2, 9.0, 0.5, 'timm_increasing', 0.5)
    """
    if not isinstance(config, str) or not config:
        raise InvalidParameterError(f"from_timm_string({config!r}): expected a timm auto_augment string "
                                    f"such as 'rand-m9-n2-mstd0.5', 'augmix-m5-w4-d2', 'original', 'v0'")
    head = config.split("-")[0]
    if head == "rand":
        args: dict[str, Any] = {"magnitude": 10, "num_ops": 2, "variant": "timm"}
        for key, val in _sections(config, "rand"):
            if key == "m":
                args["magnitude"] = _num(config, key, val, "rand", integer=True)
            elif key == "n":
                args["num_ops"] = _num(config, key, val, "rand", integer=True)
            elif key == "mstd":
                std = _num(config, key, val, "rand")
                args["magnitude_std"] = math.inf if std > 100 else std
            elif key == "mmax":
                args["magnitude_max"] = _num(config, key, val, "rand", integer=True)
            elif key == "inc":
                args["variant"] = "timm_increasing" if _num(config, key, val, "rand", integer=True) else "timm"
            else:
                raise InvalidParameterError(f"from_timm_string({config!r}): unknown RandAugment section "
                                            f"{key + val!r}; accepted: {_TIMM_KEYS['rand']}")
        args.setdefault("magnitude_max", 10)
        if args["magnitude"] > args["magnitude_max"]:
            # timm silently clips such a magnitude to the bound: say so instead
            raise InvalidParameterError(
                f"from_timm_string({config!r}): m{args['magnitude']} exceeds the magnitude bound "
                f"{args['magnitude_max']} (timm clips it there); lower m or add -mmax{args['magnitude']}; accepted: {_TIMM_KEYS['rand']}")
        kwargs.setdefault("interpolation", cv2.INTER_LINEAR)
        return RandAugment(num_magnitude_bins=11, op_p=0.5, **args, **kwargs)
    if head == "augmix":
        args = {"severity": 3, "width": 3, "depth": -1, "alpha": 1.0, "variant": "timm"}
        for key, val in _sections(config, "augmix"):
            if key in ("m", "w", "d"):
                args[{"m": "severity", "w": "width", "d": "depth"}[key]] = _num(config, key, val, "augmix", True)
            elif key == "a":
                args["alpha"] = _num(config, key, val, "augmix")
            elif key == "mstd":
                std = _num(config, key, val, "augmix")
                args["magnitude_std"] = None if std > 100 else std
            elif key == "b" and _num(config, key, val, "augmix", integer=True) == 0:
                continue  # b0: the plain (non-blended) AugMix, which is what this builds
            else:
                raise InvalidParameterError(f"from_timm_string({config!r}): unsupported AugMix section "
                                            f"{key + val!r} (the 'blended' mode b1 is not implemented); "
                                            f"accepted: {_TIMM_KEYS['augmix']}")
        return AugMix(**args, **kwargs)
    if head in ("original", "originalr", "v0", "v0r"):
        args = {}
        for key, val in _sections(config, "auto"):
            if key != "mstd":
                raise InvalidParameterError(f"from_timm_string({config!r}): unknown AutoAugment section "
                                            f"{key + val!r}; accepted: {_TIMM_KEYS['auto']}")
            args["magnitude_std"] = _num(config, key, val, "auto")
        kwargs.setdefault("interpolation", cv2.INTER_LINEAR)
        return AutoAugment(policy=head, **args, **kwargs)
    if config == "trivialaugment":
        return TrivialAugmentWide(**kwargs)
    raise InvalidParameterError(
        f"from_timm_string({config!r}): unknown policy {head!r}; accepted: 'rand-...' "
        f"({_TIMM_KEYS['rand']}), 'augmix-...' ({_TIMM_KEYS['augmix']}), 'original', 'originalr', "
        f"'v0', 'v0r' (optionally -mstd<std>), 'trivialaugment'")
