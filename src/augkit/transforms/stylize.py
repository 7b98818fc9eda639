"""Stylization transforms (image only): dithering and halftone.

Neither is in Albumentations 2.0.8; the names and arguments follow the newer
Albumentations transforms of the same names. Kernels: :mod:`augkit.functional.stylize`.
"""

from __future__ import annotations

import numpy as np

from augkit.core import params as P
from augkit.core.transform import ImageOnlyTransform
from augkit.functional import stylize as F

__all__ = ["Dithering", "Halftone"]


class Dithering(ImageOnlyTransform):
    """Reduce the number of levels per channel with dithering.

    Not in Albumentations 2.0.8 (newer Albumentations has it with these arguments).

    Args:
        method: ``"error_diffusion"`` (rounding errors spread to neighbours),
            ``"ordered"`` (tiled Bayer thresholds) or ``"random"`` (noise before rounding).
        n_colors: levels kept per channel, integer in [2, 256].
        color_mode: ``"per_channel"`` (each channel on its own) or ``"grayscale"`` (the
            grey level is dithered and copied to every channel).
        error_diffusion_algorithm: ``"floyd_steinberg"``, ``"atkinson"``, ``"jarvis"``,
            ``"stucki"``, ``"burkes"`` or ``"sierra_lite"``.
        bayer_matrix_size: 2, 4, 8 or 16 (``"ordered"`` only).
        noise_range: range of the uniform noise added before rounding, in units of one
            level, within [-1, 1] (``"random"`` only).
        p: probability of applying the transform.

    Serpentine scanning of newer Albumentations is not offered.

    Targets: image. Dtypes: uint8, uint16, float32. Any channel count.

    >>> import numpy as np
    >>> from augkit.transforms.stylize import Dithering
    >>> out = Dithering(n_colors=2, p=1.0)(image=np.full((8, 8), 64, np.uint8))["image"]
    >>> sorted(np.unique(out).tolist()), round(float(out.mean()), -1)
    ([0, 255], 60.0)
    """

    supported_dtypes = ("uint8", "uint16", "float32")

    def __init__(self, method: str = "error_diffusion", n_colors: int = 2,
                 color_mode: str = "per_channel",
                 error_diffusion_algorithm: str = "floyd_steinberg",
                 bayer_matrix_size: int = 4, noise_range=(-0.5, 0.5), p: float = 0.5):
        super().__init__(p=p)
        n = "Dithering"
        self.method = P.check_choice(n, "method", method, ("error_diffusion", "ordered", "random"))
        self.n_colors = int(P.check_number(n, "n_colors", n_colors, 2, 256, integer=True))
        self.color_mode = P.check_choice(n, "color_mode", color_mode, ("per_channel", "grayscale"))
        self.error_diffusion_algorithm = P.check_choice(
            n, "error_diffusion_algorithm", error_diffusion_algorithm, tuple(F.DIFFUSION_KERNELS))
        self.bayer_matrix_size = P.check_choice(n, "bayer_matrix_size", bayer_matrix_size,
                                                (2, 4, 8, 16))
        self.noise_range = P.to_range(n, "noise_range", noise_range, bounds=(-1, 1))

    def sample(self, rng, state):
        if self.method != "random":
            return {"noise": None}
        lo, hi = self.noise_range
        shape = tuple(state.shape)
        if self.color_mode == "per_channel" and state.num_channels > 1:
            shape = (*shape, state.num_channels)
        noise = rng.random(shape, dtype=np.float32) * np.float32(hi - lo) + np.float32(lo)
        return {"noise": noise}

    def apply(self, img, noise=None, **_):
        return F.dither(img, self.method, self.n_colors, self.color_mode,
                        self.error_diffusion_algorithm, self.bayer_matrix_size, noise)


class Halftone(ImageOnlyTransform):
    """Halftone print look: each grid cell becomes a disc whose area follows its brightness.

    Not in Albumentations 2.0.8 (newer Albumentations has it with these arguments).

    Args:
        dot_size_range: range of the grid cell size in pixels, integers >= 1.
        blend_range: range of the blend with the original, in [0, 1]: 0 gives pure
            halftone, 1 the original image.
        p: probability of applying the transform.

    Each cell is drawn as a disc of the cell's mean colour on black; the disc covers a
    fraction of the cell equal to the cell's mean grey level (bright cells, big dots).

    Targets: image. Dtypes: uint8, uint16, float32. Any channel count.

    >>> import numpy as np
    >>> from augkit.transforms.stylize import Halftone
    >>> out = Halftone(dot_size_range=(8, 8), blend_range=(0, 0), p=1.0)(
    ...     image=np.full((16, 16), 128, np.uint8))["image"]
    >>> int(out[4, 4]), int(out[0, 0])
    (128, 0)
    """

    supported_dtypes = ("uint8", "uint16", "float32")

    def __init__(self, dot_size_range=(4, 10), blend_range=(0.0, 0.5), p: float = 0.5):
        super().__init__(p=p)
        n = "Halftone"
        self.dot_size_range = P.to_range(n, "dot_size_range", dot_size_range, scalar="point",
                                         bounds=(1, None), integer=True)
        self.blend_range = P.to_range(n, "blend_range", blend_range, scalar="point", bounds=(0, 1))

    def sample(self, rng, state):
        return {"dot_size": int(rng.integers(self.dot_size_range[0], self.dot_size_range[1],
                                             endpoint=True)),
                "blend": P.draw_uniform(rng, *self.blend_range)}

    def apply(self, img, dot_size, blend, **_):
        return F.halftone(img, dot_size, blend)
