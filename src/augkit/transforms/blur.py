"""Blur transforms (image only). Kernels: :mod:`augkit.functional.blur`."""

from __future__ import annotations

import warnings

import numpy as np

from augkit.core import params as P
from augkit.core.transform import ImageOnlyTransform
from augkit.functional import blur as F

__all__ = ["AdvancedBlur", "Blur", "Defocus", "GaussianBlur", "GlassBlur", "MedianBlur",
           "MotionBlur", "ZoomBlur"]


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
        sigma = float(P.draw_uniform(rng, *self.sigma_limit))
        lo, hi = self.blur_limit
        ksize = P.draw_int(rng, lo, hi) if hi > lo else lo
        if ksize == 0:
            ksize = F.gaussian_ksize(sigma)
        elif ksize % 2 == 0:
            ksize += 1
        return {"ksize": ksize, "sigma": sigma}

    def apply(self, img, ksize, sigma, **_):
        return F.gaussian_blur(img, ksize, sigma)


# -- helpers --------------------------------------------------------------------------------
def kernel_range(owner: str, name: str, value, low_default: int = 3) -> tuple[int, int]:
    """An odd kernel-size range as 2.0.8 reads it: one int v means (3, v); values below 3
    are raised to 3 and even ones to the next odd number, with a warning (as 2.0.8)."""
    if P.is_number(value):
        lo, hi = low_default, int(P.check_number(owner, name, value, 0, integer=True))
    else:
        lo, hi = P.to_range(owner, name, value, bounds=(0, None), integer=True)
    adj = (max(lo, 3), max(hi, 3))
    if adj != (lo, hi):
        warnings.warn(f"{owner}({name}={value!r}): kernel sizes below 3 are not allowed; "
                      f"using {adj}", UserWarning, stacklevel=4)
    odd = (adj[0] | 1, adj[1] | 1)
    if odd != adj:
        warnings.warn(f"{owner}({name}={value!r}): kernel sizes must be odd; using {odd}",
                      UserWarning, stacklevel=4)
    if odd[0] > odd[1]:
        raise P.fail(owner, name, value, f"{name} must be (low, high) with low <= high")
    return odd


def pick_odd(rng: np.random.Generator, limits: tuple[int, int]) -> int:
    """A uniformly drawn odd size in ``limits`` (both odd)."""
    lo, hi = limits
    return lo if hi <= lo else lo + 2 * P.draw_int(rng, 0, (hi - lo) // 2)


def flag(owner: str, name: str, value) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise P.fail(owner, name, value, f"{name} must be True or False")
    return bool(value)


class Blur(ImageOnlyTransform):
    """Box blur (mean over a square) of random odd size.

    Args:
        blur_limit: kernel size range ``(low, high)``; one int v means (3, v). Only odd
            sizes >= 3 are drawn (smaller or even limits are adjusted with a warning).
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32. Any channel count.

    >>> import numpy as np
    >>> from augkit.transforms.blur import Blur
    >>> img = np.zeros((5, 5), np.uint8); img[2, 2] = 90
    >>> int(Blur(blur_limit=(3, 3), p=1.0)(image=img)["image"][1, 1])
    10
    """

    supported_dtypes = ("uint8", "uint16", "float32")

    def __init__(self, blur_limit=(3, 7), p: float = 0.5):
        super().__init__(p=p)
        self.blur_limit = kernel_range(type(self).__name__, "blur_limit", blur_limit)

    def sample(self, rng, state):
        return {"ksize": pick_odd(rng, self.blur_limit)}

    def apply(self, img, ksize, **_):
        return F.box_blur(img, ksize)


class MedianBlur(Blur):
    """Median filter of random odd size (per channel).

    Args:
        blur_limit: kernel size range ``(low, high)``; one int v means (3, v). Only odd
            sizes >= 3 are drawn.
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32 (sizes above 5 on uint16 / float32 use
    an exact but slower numpy median; 2.0.8 rounds float32 to uint8 there). Any channel
    count.

    >>> import numpy as np
    >>> from augkit.transforms.blur import MedianBlur
    >>> img = np.full((5, 5), 10, np.uint8); img[2, 2] = 255
    >>> int(MedianBlur(blur_limit=3, p=1.0)(image=img)["image"][2, 2])
    10
    """

    def apply(self, img, ksize, **_):
        return F.median_blur(img, ksize)


class MotionBlur(ImageOnlyTransform):
    """Blur along a random line, as from camera or object motion.

    Args:
        blur_limit: kernel size range ``(low, high)``; one int v means (3, v); odd sizes.
        angle_range: line angle range in degrees (0: horizontal, 90: vertical, image axes).
        direction_range: bias range in [-1, 1]: -1 the line extends only backward, 0 both
            ways equally, 1 only forward.
        allow_shifted: move the line off the kernel centre by a random whole number of
            pixels (as far as it still fits in the kernel).
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32. Any channel count.

    >>> import numpy as np
    >>> from augkit.transforms.blur import MotionBlur
    >>> img = np.zeros((5, 7), np.float32); img[2, 3] = 1
    >>> t = MotionBlur(blur_limit=3, angle_range=(0, 0), direction_range=(0, 0),
    ...                allow_shifted=False, p=1.0)
    >>> (t(image=img)["image"][2] * 3).round(2).tolist()
    [0.0, 0.0, 1.0, 1.0, 1.0, 0.0, 0.0]
    """

    supported_dtypes = ("uint8", "uint16", "float32")

    def __init__(self, blur_limit=(3, 7), allow_shifted: bool = True, angle_range=(0, 360),
                 direction_range=(-1.0, 1.0), p: float = 0.5):
        super().__init__(p=p)
        n = "MotionBlur"
        self.blur_limit = kernel_range(n, "blur_limit", blur_limit)
        self.allow_shifted = flag(n, "allow_shifted", allow_shifted)
        self.angle_range = P.to_range(n, "angle_range", angle_range, scalar="point")
        self.direction_range = P.to_range(n, "direction_range", direction_range,
                                          scalar="point", bounds=(-1.0, 1.0))

    def sample(self, rng, state):
        ksize = pick_odd(rng, self.blur_limit)
        angle = float(P.draw_uniform(rng, *self.angle_range))
        direction = float(P.draw_uniform(rng, *self.direction_range))
        shift = (0, 0)
        if self.allow_shifted:
            k0 = F.motion_kernel(ksize, angle, direction)
            ys, xs = np.nonzero(k0)
            # whole-pixel shifts keeping the line inside the kernel
            dx = P.draw_int(rng, -xs.min(), ksize - xs.max() - 1)
            dy = P.draw_int(rng, -ys.min(), ksize - ys.max() - 1)
            shift = (dx, dy)
        return {"kernel": F.motion_kernel(ksize, angle, direction, shift)}

    def apply(self, img, kernel, **_):
        return F.convolve(img, kernel)


class Defocus(ImageOnlyTransform):
    """Out-of-focus blur: a disc kernel of random radius, then a light Gaussian.

    Args:
        radius: disc radius range ``(low, high)`` of ints >= 1; one int v means (1, v).
        alias_blur: sigma range of the Gaussian that softens the disc edge, >= 0; one
            number v means (0, v).
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32. Any channel count.

    >>> import numpy as np
    >>> from augkit.transforms.blur import Defocus
    >>> img = np.full((9, 9), 0.5, np.float32)
    >>> float(Defocus(radius=2, p=1.0)(image=img)["image"][4, 4].round(4))
    0.5
    """

    supported_dtypes = ("uint8", "uint16", "float32")

    def __init__(self, radius=(3, 10), alias_blur=(0.1, 0.5), p: float = 0.5):
        super().__init__(p=p)
        n = "Defocus"
        if P.is_number(radius):
            P.check_number(n, "radius", radius, 1, integer=True)
            radius = (1, radius)
        self.radius = P.to_range(n, "radius", radius, bounds=(1, None), integer=True)
        self.alias_blur = P.to_range(n, "alias_blur", alias_blur, scalar="zero", bounds=(0, None))

    def sample(self, rng, state):
        lo, hi = self.radius
        return {"radius": P.draw_int(rng, lo, hi),
                "alias_blur": float(P.draw_uniform(rng, *self.alias_blur))}

    def apply(self, img, radius, alias_blur, **_):
        return F.defocus(img, radius, alias_blur)


class ZoomBlur(ImageOnlyTransform):
    """Radial blur: the average of the image zoomed about its centre by 1, 1 + s, 1 + 2s, ...
    up to a random maximum factor.

    Args:
        max_factor: range of the largest zoom factor, >= 1; one number v means (1, v).
        step_factor: range of the step s between zoom factors, > 0. One number v means the
            fixed step v, as documented by 2.0.8 (2.0.8 itself reads it as (0, v), where
            a step near 0 makes thousands of zooms).
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32. Any channel count.

    >>> import numpy as np
    >>> from augkit.transforms.blur import ZoomBlur
    >>> img = np.full((8, 8, 3), 100, np.uint8)
    >>> int(ZoomBlur(p=1.0)(image=img)["image"][4, 4, 0])
    100
    """

    supported_dtypes = ("uint8", "uint16", "float32")

    def __init__(self, max_factor=(1, 1.31), step_factor=(0.01, 0.03), p: float = 0.5):
        super().__init__(p=p)
        n = "ZoomBlur"
        self.max_factor = P.to_range(n, "max_factor", max_factor, scalar="from",
                                     bounds=(1.0, None)) if not P.is_number(max_factor) else \
            P.to_range(n, "max_factor", (1.0, max_factor), bounds=(1.0, None))
        self.step_factor = P.to_range(n, "step_factor", step_factor, scalar="point",
                                      bounds=(0.0, None))
        if self.step_factor[0] <= 0:
            raise P.fail(n, "step_factor", step_factor, "step_factor must be > 0")

    def sample(self, rng, state):
        top = float(P.draw_uniform(rng, *self.max_factor))
        step = float(P.draw_uniform(rng, *self.step_factor))
        return {"zoom_factors": np.arange(1.0, top, step)[1:].tolist()}

    def apply(self, img, zoom_factors, **_):
        return F.zoom_blur(img, zoom_factors) if zoom_factors else img.copy()


class GlassBlur(ImageOnlyTransform):
    """Frosted-glass effect: Gaussian blur, random local pixel shuffling, Gaussian blur.

    Args:
        sigma: Gaussian sigma, >= 0.
        max_delta: largest displacement of a shuffled pixel, int >= 1.
        iterations: number of shuffling passes, int >= 1.
        mode: ``"fast"`` (every pixel takes a displaced neighbour's value at once, one
            remap per pass) or ``"exact"`` (pixels are swapped one after another as in
            ImageNet-C; slow).
        p: probability of applying the transform.

    Displacements are drawn in ``[-max_delta, max_delta]`` for each pixel at least
    ``max_delta`` from the border.

    Targets: image. Dtypes: uint8, uint16, float32. Any channel count.

    >>> import numpy as np
    >>> from augkit.transforms.blur import GlassBlur
    >>> img = np.full((12, 12), 40, np.uint8)
    >>> int(GlassBlur(p=1.0)(image=img)["image"].max())
    40
    """

    supported_dtypes = ("uint8", "uint16", "float32")

    def __init__(self, sigma: float = 0.7, max_delta: int = 4, iterations: int = 2,
                 mode: str = "fast", p: float = 0.5):
        super().__init__(p=p)
        n = "GlassBlur"
        self.sigma = float(P.check_number(n, "sigma", sigma, 0))
        self.max_delta = P.check_number(n, "max_delta", max_delta, 1, integer=True)
        self.iterations = P.check_number(n, "iterations", iterations, 1, integer=True)
        self.mode = P.check_choice(n, "mode", mode, ("fast", "exact"))

    def sample(self, rng, state):
        h, w = state.shape[:2]
        d = self.max_delta
        ih, iw = max(0, h - 2 * d), max(0, w - 2 * d)
        offsets = rng.integers(-d, d + 1, size=(self.iterations, ih, iw, 2), dtype=np.int16)
        return {"offsets": offsets}

    def apply(self, img, offsets, **_):
        return F.glass_blur(img, self.sigma, self.max_delta, offsets, self.mode)


class AdvancedBlur(ImageOnlyTransform):
    """Blur with a random anisotropic generalized-Gaussian kernel with multiplicative noise
    (the Real-ESRGAN degradation kernel).

    Args:
        blur_limit: kernel size range; one int v means (3, v); odd sizes >= 3.
        sigma_x_limit: range of the sigma along the kernel's x axis, >= 0; one number v
            means (0, v).
        sigma_y_limit: the same along y.
        rotate_limit: kernel rotation range in degrees; one number v means (-v, v).
        beta_limit: shape range, > 0: 1 is Gaussian, < 1 heavier tails, > 1 flatter
            (box-like); one number v means (0, v).
        noise_limit: range of the per-tap multiplicative noise, >= 0; one number v means
            (0, v).
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32. Any channel count.

    >>> import numpy as np
    >>> from augkit.transforms.blur import AdvancedBlur
    >>> img = np.full((9, 9), 0.25, np.float32)
    >>> float(AdvancedBlur(p=1.0)(image=img)["image"][4, 4].round(4))
    0.25
    """

    supported_dtypes = ("uint8", "uint16", "float32")

    def __init__(self, blur_limit=(3, 7), sigma_x_limit=(0.2, 1.0), sigma_y_limit=(0.2, 1.0),
                 rotate_limit=(-90, 90), beta_limit=(0.5, 8.0), noise_limit=(0.9, 1.1),
                 p: float = 0.5):
        super().__init__(p=p)
        n = "AdvancedBlur"
        self.blur_limit = kernel_range(n, "blur_limit", blur_limit)
        self.sigma_x_limit = P.to_range(n, "sigma_x_limit", sigma_x_limit, scalar="zero", bounds=(0, None))
        self.sigma_y_limit = P.to_range(n, "sigma_y_limit", sigma_y_limit, scalar="zero", bounds=(0, None))
        self.rotate_limit = P.to_range(n, "rotate_limit", rotate_limit)
        self.beta_limit = P.to_range(n, "beta_limit", beta_limit, scalar="zero", bounds=(0, None))
        self.noise_limit = P.to_range(n, "noise_limit", noise_limit, scalar="zero", bounds=(0, None))

    def sample(self, rng, state):
        ksize = pick_odd(rng, self.blur_limit)
        sx = float(P.draw_uniform(rng, *self.sigma_x_limit))
        sy = float(P.draw_uniform(rng, *self.sigma_y_limit))
        angle = float(P.draw_uniform(rng, *self.rotate_limit))
        beta = max(float(P.draw_uniform(rng, *self.beta_limit)), 1e-3)
        noise = rng.uniform(*self.noise_limit, size=(ksize, ksize))
        return {"kernel": F.generalized_gaussian_kernel(ksize, sx, sy, angle, beta, noise)}

    def apply(self, img, kernel, **_):
        return F.convolve(img, kernel)
