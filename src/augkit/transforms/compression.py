"""Quality-loss transforms (image only): lossy codecs and down-then-up resizing.

Kernels: :mod:`augkit.functional.compression`. Names, arguments and defaults follow
Albumentations 2.0.8.
"""

from __future__ import annotations

import cv2

from augkit.core import params as P
from augkit.core.transform import ImageOnlyTransform
from augkit.functional import compression as F

__all__ = ["ImageCompression", "Downscale"]


class ImageCompression(ImageOnlyTransform):
    """JPEG or WebP compression artefacts (encode and decode in memory with OpenCV).

    Args:
        compression_type: ``"jpeg"`` or ``"webp"``.
        quality_range: range of the codec quality, integers in [1, 100].
        p: probability of applying the transform.

    uint8 images match 2.0.8 exactly. uint16 and float32 images go through the codec at
    8 bits and keep their extra precision (the codec's change is added to them).
    JPEG on 4 channels leaves the alpha channel untouched; other channel counts are
    compressed in groups of three channels plus single ones.

    Targets: image. Dtypes: uint8, uint16, float32. Any channel count.

    >>> import numpy as np
    >>> from augkit.transforms.compression import ImageCompression
    >>> img = np.random.default_rng(0).integers(0, 256, (32, 32, 3), dtype=np.uint8)
    >>> out = ImageCompression(quality_range=(10, 10), p=1.0)(image=img)["image"]
    >>> out.shape, out.dtype.name, bool((out != img).any())
    ((32, 32, 3), 'uint8', True)
    """

    supported_dtypes = ("uint8", "uint16", "float32")

    def __init__(self, compression_type: str = "jpeg", quality_range=(99, 100), p: float = 0.5):
        super().__init__(p=p)
        n = "ImageCompression"
        self.compression_type = P.check_choice(n, "compression_type", compression_type,
                                               ("jpeg", "webp"))
        self.quality_range = P.to_range(n, "quality_range", quality_range, scalar="point",
                                        bounds=(1, 100), integer=True)

    def sample(self, rng, state):
        return {"quality": P.draw_int(rng, self.quality_range[0], self.quality_range[1])}

    def apply(self, img, quality, **_):
        return F.compress(img, self.compression_type, quality)


class Downscale(ImageOnlyTransform):
    """Lose resolution: shrink by a random factor, then resize back to the input size.

    Args:
        scale_range: range of the factor, within (0, 1].
        interpolation_pair: ``{"downscale": flag, "upscale": flag}`` OpenCV interpolations
            (``cv2.INTER_*``) for the two resizes.
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32. Any channel count.

    >>> import numpy as np
    >>> from augkit.transforms.compression import Downscale
    >>> img = np.arange(16, dtype=np.uint8).reshape(4, 4)
    >>> Downscale(scale_range=(0.5, 0.5), p=1.0)(image=img)["image"].tolist()
    [[0, 0, 2, 2], [0, 0, 2, 2], [8, 8, 10, 10], [8, 8, 10, 10]]
    """

    supported_dtypes = ("uint8", "uint16", "float32")

    def __init__(self, scale_range=(0.25, 0.25),
                 interpolation_pair={"upscale": cv2.INTER_NEAREST, "downscale": cv2.INTER_NEAREST},  # noqa: B006
                 p: float = 0.5):
        super().__init__(p=p)
        n = "Downscale"
        lo, hi = P.to_range(n, "scale_range", scale_range, scalar="point", bounds=(0, 1))
        if lo <= 0:
            raise P.fail(n, "scale_range", scale_range, "scale_range must lie within (0, 1]")
        self.scale_range = (lo, hi)
        if not isinstance(interpolation_pair, dict) or set(interpolation_pair) != {"downscale", "upscale"}:
            raise P.fail(n, "interpolation_pair", interpolation_pair,
                         "interpolation_pair must be a dict with keys 'downscale' and 'upscale'")
        for key in ("downscale", "upscale"):
            P.check_interpolation(n, f"interpolation_pair[{key!r}]", interpolation_pair[key])
        self.interpolation_pair = dict(interpolation_pair)

    def sample(self, rng, state):
        return {"scale": P.draw_uniform(rng, *self.scale_range)}

    def apply(self, img, scale, **_):
        return F.downscale(img, scale, self.interpolation_pair["downscale"],
                           self.interpolation_pair["upscale"])
