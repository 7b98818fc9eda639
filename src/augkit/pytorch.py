"""PyTorch helpers: :class:`ToTensorV2`, the last step of a pipeline feeding a model.

torch is optional (``pip install augkit[torch]``) and imported only when a
:class:`ToTensorV2` is built, so ``import augkit`` (and this module) never imports it.

>>> import numpy as np, augkit as A
>>> from augkit.pytorch import ToTensorV2
>>> pipe = A.Compose([A.HorizontalFlip(p=1.0), ToTensorV2()])  # doctest: +SKIP
>>> tuple(pipe(image=np.zeros((4, 6, 3), np.uint8))["image"].shape)  # doctest: +SKIP
(3, 4, 6)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from augkit.core.transform import BasicTransform
from augkit.errors import TargetError

if TYPE_CHECKING:  # pragma: no cover
    from augkit.core.state import State

__all__ = ["ToTensorV2"]


def _torch():
    try:
        import torch
    except ImportError as e:
        raise ImportError("augkit.pytorch.ToTensorV2 needs PyTorch, which is not installed: "
                          "pip install 'augkit[torch]' (or install torch yourself)") from e
    return torch


class ToTensorV2(BasicTransform):
    """Convert images to ``C x H x W`` torch tensors and masks to tensors (as Albumentations).

    * images (``image`` and every image-kind additional target): ``H x W x C`` becomes
      ``C x H x W``; a gray ``H x W`` image becomes ``1 x H x W``;
    * masks keep their layout (``H x W`` stays ``H x W``); with ``transpose_mask=True`` an
      ``H x W x C`` mask becomes ``C x H x W``;
    * ``masks``: a list gives a list of tensors, an ``(N, H, W[, C])`` array one tensor
      (``(N, C, H, W)`` with ``transpose_mask=True``);
    * boxes, keypoints and labels are left as they are.

    The tensors share memory with the augmented arrays (no copy, as ``torch.from_numpy``);
    a read-only array is copied first, since torch cannot wrap it safely. Put this step
    last: the steps after it would receive tensors.

    Args:
        transpose_mask: move the channel axis of 3-D masks first.
        p: probability of applying the transform (default 1).

    Raises ImportError naming ``augkit[torch]`` when PyTorch is not installed.
    """

    kind = "tensor"
    targets = ("image", "mask", "masks")

    def __init__(self, transpose_mask: bool = False, p: float = 1.0):
        super().__init__(p=p)
        self.transpose_mask = bool(transpose_mask)
        self._torch = _torch()

    def _tensor(self, arr: np.ndarray):
        if not arr.flags.writeable:
            arr = arr.copy()
        return self._torch.from_numpy(arr)

    # Albumentations-style hooks (also used by the engine below)
    def apply(self, img: np.ndarray, **params: Any):
        if not isinstance(img, np.ndarray) or img.ndim not in (2, 3):
            shape = getattr(img, "shape", None)
            raise TargetError(f"ToTensorV2: expected an HxW or HxWxC image array, got "
                              f"{type(img).__name__} with shape {shape}")
        if img.ndim == 2:
            img = img[None]
        else:
            img = img.transpose(2, 0, 1)
        return self._tensor(img)

    def apply_to_mask(self, mask: np.ndarray, **params: Any):
        if self.transpose_mask and mask.ndim == 3:
            mask = mask.transpose(2, 0, 1)
        return self._tensor(mask)

    def apply_to_masks(self, masks, **params: Any):
        if isinstance(masks, np.ndarray):
            if self.transpose_mask and masks.ndim == 4:
                masks = masks.transpose(0, 3, 1, 2)
            return self._tensor(masks)
        return [self.apply_to_mask(m) for m in masks]

    def apply_to_state(self, state: State, rng: np.random.Generator) -> None:
        # pending warps and tables are applied first: the tensors hold the final pixels
        state.materialize_all()
        for k, img in state.images.items():
            state.images[k] = self.apply(img)
        for k, m in state.masks.items():
            state.masks[k] = self.apply_to_mask(m)
        for k, lst in state.mask_lists.items():
            state.mask_lists[k] = self.apply_to_masks(lst)

    def __getstate__(self):
        # the torch module itself does not pickle (DataLoader workers started by spawn
        # receive the pipeline pickled); it is looked up again on unpickling
        d = dict(self.__dict__)
        d.pop("_torch", None)
        return d

    def __setstate__(self, d):
        self.__dict__.update(d)
        self._torch = _torch()
