"""Blur transforms (image only). Kernels: :mod:`augkit.functional.blur`."""

from __future__ import annotations

from augkit.core import params as P
from augkit.core.transform import ImageOnlyTransform
from augkit.functional import blur as F


class GaussianBlur(ImageOnlyTransform):
    """Blur with a Gaussian kernel of random sigma (and optionally random size).

    Args:
        blur_limit: kernel size range ``(low, high)`` of non-negative ints; one int v means
            (0, v). A size is drawn from it; 0 means "from sigma" (``int(3.5 * sigma) * 2
            + 1``, PIL's rule) and an even size is rounded up to the next odd one, as in
            Albumentations 2.0.8. Default 0: always from sigma.
        sigma_limit: sigma range, >= 0; one number v means (0, v). Sigma 0 with an explicit
            size uses OpenCV's sigma for that size (2.0.8 produces NaNs there).
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32. Any channel count.

    >>> import numpy as np, augkit as A
    >>> img = np.full((5, 5), 7, np.uint8)
    >>> int(A.GaussianBlur(sigma_limit=(1, 1), p=1.0)(image=img)["image"][2, 2])
    7
    """

    supported_dtypes = ("uint8", "uint16", "float32")

    def __init__(self, blur_limit=0, sigma_limit=(0.5, 3.0), p: float = 0.5):
        super().__init__(p=p)
        self.blur_limit = P.to_range("GaussianBlur", "blur_limit", blur_limit, scalar="zero",
                                     bounds=(0, None), integer=True)
        self.sigma_limit = P.to_range("GaussianBlur", "sigma_limit", sigma_limit,
                                      scalar="zero", bounds=(0, None))

    def sample(self, rng, state):
        sigma = float(rng.uniform(*self.sigma_limit))
        lo, hi = self.blur_limit
        ksize = int(rng.integers(lo, hi + 1)) if hi > lo else lo
        if ksize == 0:
            ksize = F.gaussian_ksize(sigma)
        elif ksize % 2 == 0:
            ksize += 1
        return {"ksize": ksize, "sigma": sigma}

    def apply(self, img, ksize, sigma, **_):
        return F.gaussian_blur(img, ksize, sigma)
