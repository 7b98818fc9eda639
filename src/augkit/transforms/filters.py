"""Filter transforms: sharpening, embossing, ringing, mode filter, superpixels (image only).

Names, arguments and defaults follow Albumentations 2.0.8 (``ModeFilter`` is an augkit
addition). Kernels: :mod:`augkit.functional.filters`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from augkit.core import params as P
from augkit.core.transform import ImageOnlyTransform
from augkit.functional import filters as F
from augkit.functional.blur import convolve
from augkit.transforms.blur import kernel_range, pick_odd

__all__ = ["Emboss", "ModeFilter", "RingingOvershoot", "Sharpen", "Superpixels", "UnsharpMask"]

_DTYPES = ("uint8", "uint16", "float32")


def _pair(owner: str, name: str, value, low=None, high=None) -> tuple[float, float]:
    """A ``(low, high)`` pair (no single number, as 2.0.8) within ``[low, high]``."""
    if not (isinstance(value, Sequence) and not isinstance(value, str)):
        raise P.fail(owner, name, value, f"{name} must be a (low, high) pair")
    return P.to_range(owner, name, value, bounds=(low, high))


class Sharpen(ImageOnlyTransform):
    """Sharpen with a Laplacian kernel (``method="kernel"``) or by unsharp masking against a
    Gaussian blur (``method="gaussian"``).

    Args:
        alpha: range of the blend with the sharpened image, within [0, 1].
        lightness: range of the Laplacian kernel's centre boost, >= 0 (``"kernel"``).
        method: ``"kernel"``: ``(1 - alpha) I + alpha (L + lightness I)``; ``"gaussian"``:
            ``img + alpha (img - G(img))``.
        kernel_size: odd Gaussian size (``"gaussian"``).
        sigma: Gaussian sigma, > 0 (``"gaussian"``).
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32. Any channel count.

    >>> import numpy as np
    >>> from augkit.transforms.filters import Sharpen
    >>> img = np.full((5, 5), 0.5, np.float32); img[2, 2] = 0.6
    >>> out = Sharpen(alpha=(1, 1), lightness=(1, 1), p=1.0)(image=img)["image"]
    >>> [round(float(v), 3) for v in out[2, 1:4]]
    [0.4, 1.0, 0.4]
    """

    supported_dtypes = _DTYPES

    def __init__(self, alpha=(0.2, 0.5), lightness=(0.5, 1.0), method: str = "kernel",
                 kernel_size: int = 5, sigma: float = 1.0, p: float = 0.5):
        super().__init__(p=p)
        n = "Sharpen"
        self.alpha = _pair(n, "alpha", alpha, 0.0, 1.0)
        self.lightness = _pair(n, "lightness", lightness, 0.0)
        self.method = P.check_choice(n, "method", method, ("kernel", "gaussian"))
        P.check_number(n, "kernel_size", kernel_size, 1, integer=True)
        if kernel_size % 2 == 0:
            raise P.fail(n, "kernel_size", kernel_size, "kernel_size must be odd")
        self.kernel_size = kernel_size
        self.sigma = float(P.check_number(n, "sigma", sigma, 0, low_inclusive=False))

    def sample(self, rng, state):
        alpha = float(P.draw_uniform(rng, *self.alpha))
        if self.method == "gaussian":
            return {"alpha": alpha}
        return {"alpha": alpha, "kernel": F.sharpen_kernel(alpha, float(P.draw_uniform(rng, *self.lightness)))}

    def apply(self, img, alpha, kernel=None, **_):
        if kernel is None:
            return F.sharpen_gaussian(img, alpha, self.kernel_size, self.sigma)
        return F.sharpen(img, kernel)


class Emboss(ImageOnlyTransform):
    """Emboss: a 3x3 relief kernel blended with the image.

    Args:
        alpha: range of the blend with the embossed image, within [0, 1].
        strength: range of the relief strength s, >= 0 (kernel
            ``[[-1-s, -s, 0], [-s, 1, s], [0, s, 1+s]]``).
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32. Any channel count.

    >>> import numpy as np
    >>> from augkit.transforms.filters import Emboss
    >>> img = np.full((5, 5), 100, np.uint8)
    >>> int(Emboss(p=1.0)(image=img)["image"][2, 2])
    100
    """

    supported_dtypes = _DTYPES

    def __init__(self, alpha=(0.2, 0.5), strength=(0.2, 0.7), p: float = 0.5):
        super().__init__(p=p)
        self.alpha = _pair("Emboss", "alpha", alpha, 0.0, 1.0)
        self.strength = _pair("Emboss", "strength", strength, 0.0)

    def sample(self, rng, state):
        alpha = float(P.draw_uniform(rng, *self.alpha))
        return {"kernel": F.emboss_kernel(alpha, float(P.draw_uniform(rng, *self.strength)))}

    def apply(self, img, kernel, **_):
        return convolve(img, kernel)


class UnsharpMask(ImageOnlyTransform):
    """Unsharp masking: add back ``alpha`` times the detail (image minus its Gaussian blur)
    where the detail exceeds ``threshold``, with a softened mask.

    Args:
        blur_limit: Gaussian size range; one int v means (3, v); odd sizes >= 3.
        sigma_limit: Gaussian sigma range, >= 0; one number v means (0, v). Sigma 0 uses
            OpenCV's sigma for the size.
        alpha: range of the sharpening amount, within [0, 1]; one number v means (0, v).
        threshold: smallest detail sharpened, in uint8 units (0 to 255; scaled for uint16
            and float32).
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32. Any channel count.

    >>> import numpy as np
    >>> from augkit.transforms.filters import UnsharpMask
    >>> img = np.full((7, 7), 100, np.uint8); img[3, 3] = 140
    >>> int(UnsharpMask(alpha=(0.5, 0.5), p=1.0)(image=img)["image"][3, 3]) > 140
    True
    """

    supported_dtypes = _DTYPES

    def __init__(self, blur_limit=(3, 7), sigma_limit=0.0, alpha=(0.2, 0.5), threshold: int = 10,
                 p: float = 0.5):
        super().__init__(p=p)
        n = "UnsharpMask"
        self.blur_limit = kernel_range(n, "blur_limit", blur_limit)
        self.sigma_limit = P.to_range(n, "sigma_limit", sigma_limit, scalar="zero", bounds=(0, None))
        self.alpha = P.to_range(n, "alpha", alpha, scalar="zero", bounds=(0.0, 1.0))
        self.threshold = P.check_number(n, "threshold", threshold, 0, 255, integer=True)

    def sample(self, rng, state):
        ksize = pick_odd(rng, self.blur_limit)
        return {"ksize": ksize, "sigma": float(P.draw_uniform(rng, *self.sigma_limit)),
                "alpha": float(P.draw_uniform(rng, *self.alpha))}

    def apply(self, img, ksize, sigma, alpha, **_):
        return F.unsharp_mask(img, ksize, sigma, alpha, self.threshold)


class RingingOvershoot(ImageOnlyTransform):
    """Ringing and overshoot artifacts: convolution with a 2-D sinc (circular low-pass)
    kernel of random size and cutoff.

    Args:
        blur_limit: kernel size range; one int v means (3, v); odd sizes >= 3.
        cutoff: cutoff frequency range in radians, within [0, pi]; lower cutoffs ring more.
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32. Any channel count.

    >>> import numpy as np
    >>> from augkit.transforms.filters import RingingOvershoot
    >>> img = np.full((9, 9), 0.5, np.float32)
    >>> float(RingingOvershoot(p=1.0)(image=img)["image"][4, 4].round(4))
    0.5
    """

    supported_dtypes = _DTYPES

    def __init__(self, blur_limit=(7, 15), cutoff=(math.pi / 4, math.pi / 2), p: float = 0.5):
        super().__init__(p=p)
        n = "RingingOvershoot"
        self.blur_limit = kernel_range(n, "blur_limit", blur_limit)
        self.cutoff = _pair(n, "cutoff", cutoff, 0.0, math.pi)

    def sample(self, rng, state):
        ksize = pick_odd(rng, self.blur_limit)
        return {"kernel": F.sinc_kernel(ksize, float(P.draw_uniform(rng, *self.cutoff)))}

    def apply(self, img, kernel, **_):
        return convolve(img, kernel)


class ModeFilter(ImageOnlyTransform):
    """Mode (majority) filter: each value becomes the most frequent value of its window, per
    channel. Cleans speckles from label-like or posterized images; an augkit addition (like
    PIL's ``ImageFilter.ModeFilter``), not in Albumentations 2.0.8.

    Args:
        kernel_size: window size, odd int >= 3, or a range ``(low, high)`` from which an odd
            size is drawn. Ties keep the centre value when it is among the most frequent.
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32 (exact equality of values). Any channel
    count.

    >>> import numpy as np
    >>> from augkit.transforms.filters import ModeFilter
    >>> img = np.zeros((5, 5), np.uint8); img[2, 2] = 9; img[0, 0] = 9
    >>> int(ModeFilter(p=1.0)(image=img)["image"].max())
    0
    """

    supported_dtypes = _DTYPES

    def __init__(self, kernel_size=3, p: float = 0.5):
        super().__init__(p=p)
        n = "ModeFilter"
        if P.is_number(kernel_size):
            P.check_number(n, "kernel_size", kernel_size, 3, integer=True)
            rng_ = (kernel_size, kernel_size)
        else:
            rng_ = P.to_range(n, "kernel_size", kernel_size, bounds=(3, None), integer=True)
        if rng_[0] % 2 == 0 or rng_[1] % 2 == 0:
            raise P.fail(n, "kernel_size", kernel_size, "kernel_size must be odd")
        self.kernel_size = kernel_size
        self._sizes = rng_

    def sample(self, rng, state):
        return {"ksize": pick_odd(rng, self._sizes)}

    def apply(self, img, ksize, **_):
        return F.mode_filter(img, ksize)


class Superpixels(ImageOnlyTransform):
    """Replace some superpixels (SLIC-like segments) by their mean colour.

    Args:
        p_replace: range of the probability that a segment is replaced, within [0, 1]; one
            number v means (0, v) as in 2.0.8.
        n_segments: range of the rough number of segments (ints >= 1); one int v means
            (1, v) as in 2.0.8.
        max_size: segments are computed on the image reduced so its longest side is at
            most this (None: full size). Unlike 2.0.8, only the segmentation runs at the
            reduced size: means are taken at full size and kept segments stay untouched.
        interpolation: OpenCV flag used for that reduction.
        p: probability of applying the transform.

    Segmentation is a compact k-means in colour and position started on a regular grid
    (SLIC without the connectivity pass), about 20x faster than 2.0.8's.

    Targets: image. Dtypes: uint8, uint16, float32. Any channel count.

    >>> import numpy as np
    >>> from augkit.transforms.filters import Superpixels
    >>> img = np.zeros((32, 32, 3), np.uint8); img[:, 16:] = 200
    >>> out = Superpixels(p_replace=(1, 1), n_segments=(4, 4), p=1.0)(image=img)["image"]
    >>> sorted(np.unique(out).tolist())
    [0, 200]
    """

    supported_dtypes = _DTYPES

    def __init__(self, p_replace=(0, 0.1), n_segments=(100, 100), max_size: int | None = 128,
                 interpolation: int = 1, p: float = 0.5):
        super().__init__(p=p)
        n = "Superpixels"
        self.p_replace = P.to_range(n, "p_replace", p_replace, scalar="zero", bounds=(0.0, 1.0))
        if P.is_number(n_segments):
            n_segments = (1, P.check_number(n, "n_segments", n_segments, 1, integer=True))
        self.n_segments = P.to_range(n, "n_segments", n_segments, bounds=(1, None), integer=True)
        if max_size is not None:
            P.check_number(n, "max_size", max_size, 1, integer=True)
        self.max_size = max_size
        self.interpolation = P.check_interpolation(n, "interpolation", interpolation)

    def _work_shape(self, h: int, w: int) -> tuple[int, int]:
        if self.max_size is not None and max(h, w) > self.max_size:
            s = self.max_size / max(h, w)
            return max(1, int(round(h * s))), max(1, int(round(w * s)))
        return h, w

    def sample(self, rng, state):
        lo, hi = self.n_segments
        n_segments = P.draw_int(rng, lo, hi)
        p_replace = float(P.draw_uniform(rng, *self.p_replace))
        gy, gx = F.superpixel_grid(self._work_shape(*state.shape[:2]), n_segments)
        return {"n_segments": n_segments, "replace": rng.random(gy * gx) < p_replace}

    def apply(self, img, n_segments, replace, **_):
        return F.superpixels(img, n_segments, replace, self.max_size, self.interpolation)
