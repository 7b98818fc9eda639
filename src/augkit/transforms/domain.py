"""Domain-adaptation transforms: restyle an image after a reference image.

Names, arguments and defaults follow Albumentations 2.0.8. A reference is picked with
the pipeline's generator in ``sample()`` from, in this order:

* the call's metadata, ``pipeline(image=img, fda_metadata=[ref, ...])`` (the key is
  ``metadata_key``), as in Albumentations 2.0.8;
* ``reference_images`` given to the constructor: arrays, or anything ``read_fn`` turns
  into an array (file paths with the default reader, which loads RGB). Albumentations 2.0.8
  accepts these arguments but then still demands the metadata key; here they work.

References of another size, dtype (uint8, uint16, float32 in [0, 1]) or a grey reference
for a colour image are accepted. All statistics of the reference are computed once per
call in ``sample()``, so every image target of a call gets the same restyling.
Kernels: :mod:`augkit.functional.domain`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import cv2
import numpy as np

from augkit.core import params as P
from augkit.core.transform import ImageOnlyTransform
from augkit.errors import TargetError
from augkit.functional import domain as F

__all__ = ["FDA", "HistogramMatching", "PixelDistributionAdaptation"]


def read_rgb_image(path) -> np.ndarray:
    """Read an image file as RGB (the default ``read_fn``, as in Albumentations)."""
    img = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if img is None:
        raise TargetError(f"read_rgb_image: cannot read an image from {str(path)!r}")
    return cv2.cvtColor(img, cv2.COLOR_BGR2RGB)


def call_metadata(state, key: str) -> Any:
    """The value passed under ``key`` in this call, or None.

    Engine hook: reads ``state.extra`` (the call's non-target keyword arguments) where the
    engine provides it.
    """
    extra = getattr(state, "extra", None)
    if isinstance(extra, dict):
        return extra.get(key)
    return None


class _ReferenceTransform(ImageOnlyTransform):
    """Shared handling of ``reference_images``, ``read_fn`` and ``metadata_key``."""

    supported_dtypes = ("uint8", "uint16", "float32")

    @property
    def targets_as_params(self) -> list[str]:
        """The call argument holding reference images (accepted by ``Compose(strict=True)``)."""
        return [self.metadata_key]

    def _init_reference(self, reference_images, read_fn, metadata_key) -> None:
        n = type(self).__name__
        if reference_images is not None:
            if isinstance(reference_images, np.ndarray) and reference_images.ndim in (2, 3) \
                    and reference_images.dtype != object:
                reference_images = [reference_images]
            if isinstance(reference_images, (str, bytes)) or not isinstance(
                    reference_images, (Sequence, np.ndarray)) or len(reference_images) == 0:
                raise P.fail(n, "reference_images", reference_images,
                             "reference_images must be None or a non-empty sequence of images or paths")
            reference_images = list(reference_images)
        if read_fn is not None and not callable(read_fn):
            raise P.fail(n, "read_fn", read_fn, "read_fn must be callable or None")
        if not isinstance(metadata_key, str):
            raise P.fail(n, "metadata_key", metadata_key, "metadata_key must be a string")
        self.reference_images = reference_images
        self.read_fn = read_fn
        self.metadata_key = metadata_key

    def _reference(self, rng: np.random.Generator, state, raw: bool = False) -> np.ndarray:
        """Pick one reference with ``rng``, read it, and bring it to unit float HxWxC
        (``raw``: keep it as it is when its dtype and channels already match the image)."""
        n = type(self).__name__
        refs = call_metadata(state, self.metadata_key)
        from_call = refs is not None
        if not from_call:
            refs = self.reference_images
        if isinstance(refs, np.ndarray) and refs.ndim in (2, 3) and refs.dtype != object:
            refs = [refs]
        if refs is None or len(refs) == 0:
            raise TargetError(
                f"{n}: no reference image; pass reference_images=[...] to {n}(...) or call the "
                f"pipeline with {self.metadata_key}=[image, ...]")
        item = refs[P.draw_int(rng, 0, len(refs) - 1)] if len(refs) > 1 else refs[0]
        if not isinstance(item, np.ndarray):
            if self.read_fn is None:
                raise TargetError(f"{n}: reference {item!r} is not an array and read_fn is None")
            item = self.read_fn(item)
        item = np.asarray(item)
        if raw and item.dtype == state.image_dtype and item.ndim in (2, 3) and item.size \
                and F.num_channels(item) == state.num_channels:
            return item if item.ndim == 3 else item[:, :, None]
        return F.reference_like(item, state.num_channels, n)


class FDA(_ReferenceTransform):
    """Fourier domain adaptation: take the low-frequency amplitude spectrum of a reference.

    The amplitudes of the frequencies ``|ky|, |kx| <= floor(min(H, W) * beta)`` of each
    channel are replaced by those of the reference (resized to the image size); the
    phase, and so the content, is kept (Yang & Soatto, CVPR 2020, as their code does).

    Args:
        reference_images: images (arrays) or paths read with ``read_fn``; used when the call
            passes nothing under ``metadata_key``.
        beta_limit: range of ``beta`` in [0, 0.5]; one number v means (0, v).
        read_fn: turns an item of ``reference_images`` into an array (default: read an RGB
            file); arrays are used as they are.
        metadata_key: call keyword holding a list of reference images.
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32.

    >>> import numpy as np
    >>> from augkit.transforms.domain import FDA
    >>> ref = np.full((32, 32, 3), 200, np.uint8)
    >>> out = FDA(reference_images=[ref], beta_limit=(0.1, 0.1), p=1.0)(
    ...     image=np.full((32, 32, 3), 50, np.uint8))["image"]
    >>> int(out.mean())
    200
    """

    def __init__(self, reference_images: Sequence[Any] | None = None,
                 beta_limit: tuple[float, float] | float = (0, 0.1),
                 read_fn: Callable[[Any], np.ndarray] | None = read_rgb_image,
                 metadata_key: str = "fda_metadata", p: float = 0.5):
        super().__init__(p=p)
        self._init_reference(reference_images, read_fn, metadata_key)
        self.beta_limit = P.to_range("FDA", "beta_limit", beta_limit, scalar="zero", bounds=(0, 0.5))

    def sample(self, rng, state):
        beta = float(P.draw_uniform(rng, *self.beta_limit))
        ref = self._reference(rng, state)
        return {"ref_amplitude": F.fda_reference(ref, state.shape, beta)}

    def apply(self, img, ref_amplitude=None, **_):
        return F.fda(img, ref_amplitude)


def _blend_range(owner: str, value) -> tuple[float, float]:
    if not (isinstance(value, Sequence) and not isinstance(value, str)):
        raise P.fail(owner, "blend_ratio", value, "blend_ratio must be (low, high) within [0, 1]")
    return P.to_range(owner, "blend_ratio", value, bounds=(0.0, 1.0))


class HistogramMatching(_ReferenceTransform):
    """Match each channel's histogram to a reference image's, blended with the input.

    Args:
        reference_images: images (arrays) or paths read with ``read_fn``; used when the call
            passes nothing under ``metadata_key``.
        blend_ratio: range of the weight of the matched image (0: input, 1: matched).
        read_fn: turns an item of ``reference_images`` into an array (default: read an RGB file).
        metadata_key: call keyword holding a list of reference images.
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32 (matched on 65536 levels).

    >>> import numpy as np
    >>> from augkit.transforms.domain import HistogramMatching
    >>> ref = np.arange(256, dtype=np.uint8).reshape(16, 16)
    >>> img = np.arange(256, dtype=np.uint8).reshape(16, 16) // 4
    >>> out = HistogramMatching(reference_images=[ref], blend_ratio=(1, 1), p=1.0)(image=img)["image"]
    >>> int(out.min()), int(out.max())
    (3, 255)
    """

    def __init__(self, reference_images: Sequence[Any] | None = None,
                 blend_ratio: tuple[float, float] = (0.5, 1.0),
                 read_fn: Callable[[Any], np.ndarray] | None = read_rgb_image,
                 metadata_key: str = "hm_metadata", p: float = 0.5):
        super().__init__(p=p)
        self._init_reference(reference_images, read_fn, metadata_key)
        self.blend_ratio = _blend_range("HistogramMatching", blend_ratio)

    def sample(self, rng, state):
        blend = float(P.draw_uniform(rng, *self.blend_ratio))
        ref = self._reference(rng, state, raw=True)  # uint8 / uint16 counted as they are
        return {"reference": F.histogram_reference(ref, state.image_dtype), "blend": blend}

    def apply(self, img, reference=None, blend=1.0, **_):
        return F.histogram_matching(img, reference, blend)


class PixelDistributionAdaptation(_ReferenceTransform):
    """Map the pixel distribution of the image onto a reference's (PCA, standard, min-max).

    A transform of the chosen type is fitted on the image and on the reference; pixels go
    through the image's forward transform and the reference's inverse, and the result is
    blended with the input. "pca" rotates the image's principal colour axes onto the
    reference's and moves the mean; "standard" matches per-channel mean and standard
    deviation; "minmax" per-channel minimum and maximum.

    Args:
        reference_images: images (arrays) or paths read with ``read_fn``; used when the call
            passes nothing under ``metadata_key``.
        blend_ratio: range of the weight of the adapted image (0: input, 1: adapted).
        read_fn: turns an item of ``reference_images`` into an array (default: read an RGB file).
        transform_type: ``"pca"``, ``"standard"`` or ``"minmax"``.
        metadata_key: call keyword holding a list of reference images.
        p: probability of applying the transform.

    Targets: image. Dtypes: uint8, uint16, float32 (Albumentations 2.0.8 returns black
    images for uint8 and uint16).

    >>> import numpy as np
    >>> from augkit.transforms.domain import PixelDistributionAdaptation
    >>> rng = np.random.default_rng(0)
    >>> ref = rng.normal(150, 10, (32, 32, 3)).astype(np.uint8)
    >>> img = rng.normal(60, 10, (32, 32, 3)).astype(np.uint8)
    >>> t = PixelDistributionAdaptation(reference_images=[ref], blend_ratio=(1, 1),
    ...                                 transform_type="standard", p=1.0)
    >>> round(float(t(image=img)["image"].mean()))
    149
    """

    def __init__(self, reference_images: Sequence[Any] | None = None,
                 blend_ratio: tuple[float, float] = (0.25, 1.0),
                 read_fn: Callable[[Any], np.ndarray] | None = read_rgb_image,
                 transform_type: str = "pca", metadata_key: str = "pda_metadata",
                 p: float = 0.5):
        super().__init__(p=p)
        self._init_reference(reference_images, read_fn, metadata_key)
        self.blend_ratio = _blend_range("PixelDistributionAdaptation", blend_ratio)
        self.transform_type = P.check_choice("PixelDistributionAdaptation", "transform_type",
                                             transform_type, ("pca", "standard", "minmax"))

    def sample(self, rng, state):
        blend = float(P.draw_uniform(rng, *self.blend_ratio))
        ref = self._reference(rng, state)
        return {"reference": F.pda_reference(ref, self.transform_type), "blend": blend}

    def apply(self, img, reference=None, blend=1.0, **_):
        return F.pixel_distribution_adaptation(img, reference, self.transform_type, blend)
