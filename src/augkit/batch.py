"""MixUp and CutMix on a collated batch, with one-hot (or soft) labels.

Use these after collation, where every sample of the batch is at hand (the per-sample
:class:`~augkit.MixUp` and :class:`~augkit.CutMix` transforms need the other samples as
call metadata instead). Each sample is mixed with the sample at a random permutation of the
batch; labels are mixed with the same weights. numpy arrays only.

>>> import numpy as np
>>> from augkit.batch import mixup
>>> x = np.stack([np.zeros((2, 2, 1), np.float32), np.ones((2, 2, 1), np.float32)])
>>> y = np.eye(2, dtype=np.float32)
>>> mx, my = mixup(x, y, alpha=0.4, rng=0)
>>> bool(np.allclose(mx[:, 0, 0, 0], my[:, 1]))
True
"""

from __future__ import annotations

from typing import Any

import numpy as np

from augkit.core.params import check_number
from augkit.errors import TargetError

__all__ = ["cutmix", "mixup"]


def _check(owner: str, images: Any, labels: Any, alpha: float, rng) -> tuple[np.ndarray, np.ndarray, np.random.Generator]:
    check_number(owner, "alpha", alpha, 0.0, low_inclusive=False)
    if not isinstance(images, np.ndarray) or images.ndim not in (3, 4):
        raise TargetError(f"{owner}: images must be an (N, H, W) or (N, H, W, C) numpy array, "
                          f"got {getattr(images, 'shape', type(images).__name__)}")
    if not isinstance(labels, np.ndarray) or labels.ndim < 1 or len(labels) != len(images):
        raise TargetError(f"{owner}: labels_onehot must be a numpy array with one row per image "
                          f"({len(images)}), got {getattr(labels, 'shape', type(labels).__name__)}")
    if labels.dtype.kind != "f":
        raise TargetError(f"{owner}: labels_onehot must be floating point (mixed labels are "
                          f"fractions), got {labels.dtype}")
    return images, labels, rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)


def _mix(a: np.ndarray, b: np.ndarray, lam: float) -> np.ndarray:
    out = lam * a.astype(np.float32) + (1.0 - lam) * b.astype(np.float32)
    if a.dtype.kind in "ui":
        return np.rint(out).astype(a.dtype)
    return out.astype(a.dtype, copy=False)


def mixup(images: np.ndarray, labels_onehot: np.ndarray, alpha: float = 0.4,
          rng: np.random.Generator | int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Blend each sample with a random other one: ``lam * x + (1 - lam) * x[perm]``, same for
    the labels; ``lam ~ Beta(alpha, alpha)``, one per batch. Returns new arrays (images keep
    their dtype; integer images are rounded)."""
    images, labels, rng = _check("mixup", images, labels_onehot, alpha, rng)
    lam = float(rng.beta(alpha, alpha))
    perm = rng.permutation(len(images))
    return _mix(images, images[perm], lam), _mix(labels, labels[perm], lam)


def cutmix(images: np.ndarray, labels_onehot: np.ndarray, alpha: float = 1.0,
           rng: np.random.Generator | int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Paste one random rectangle (about ``1 - lam`` of the area, ``lam ~ Beta(alpha,
    alpha)``) of a randomly paired sample into each sample; labels are mixed by the actual
    area share. Returns new arrays."""
    images, labels, rng = _check("cutmix", images, labels_onehot, alpha, rng)
    from augkit.transforms.mixing import cutmix_box

    lam = float(rng.beta(alpha, alpha))
    perm = rng.permutation(len(images))
    h, w = images.shape[1:3]
    x0, y0, x1, y1 = cutmix_box(rng, (h, w), lam)
    out = images.copy()
    out[:, y0:y1, x0:x1] = images[perm, y0:y1, x0:x1]
    share = 1.0 - (x1 - x0) * (y1 - y0) / float(h * w)
    return out, _mix(labels, labels[perm], share)


