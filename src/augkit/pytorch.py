"""PyTorch helpers: :class:`ToTensorV2`, the last step of a pipeline feeding a model, and
:class:`AugmentedDataset`, which maps a dataset's items through a pipeline.

torch is optional (``pip install augkit[torch]``) and imported only when a
:class:`ToTensorV2` is built, so ``import augkit`` (and this module) never imports it;
:class:`AugmentedDataset` needs no torch at all (a DataLoader takes any object with
``__len__`` and ``__getitem__``). Inside DataLoader workers the pipeline reseeds itself
(see :class:`augkit.Compose`): no ``worker_init_fn`` is needed.

>>> import numpy as np, augkit as A
>>> from augkit.pytorch import ToTensorV2
>>> pipe = A.Compose([A.HorizontalFlip(p=1.0), ToTensorV2()])  # doctest: +SKIP
>>> tuple(pipe(image=np.zeros((4, 6, 3), np.uint8))["image"].shape)  # doctest: +SKIP
(3, 4, 6)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from augkit.core.params import fail
from augkit.core.transform import BasicTransform
from augkit.errors import TargetError

if TYPE_CHECKING:  # pragma: no cover
    from augkit.core.state import State

__all__ = ["AugmentedDataset", "ToTensorV2"]


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


class AugmentedDataset:
    """A map-style dataset whose items are passed through ``transform`` on every access.

    Items are dicts or tuples; ``keys`` says which parts are call arguments of the
    pipeline, and the item comes back in the same shape with those parts augmented:

    * ``keys=None`` (default): a dict item is the call (``transform(**item)``, keys the
      pipeline does not know pass through); a tuple ``(image, rest...)`` gets its image
      augmented and the rest (a class label, a file name) passed through, as for
      classification;
    * a tuple of one entry per tuple element: a call keyword (``"image"``, ``"mask"``,
      ``"bboxes"``, a label field), ``None`` to pass the element through, or a dict
      ``{element key: call keyword}`` for an element that is itself a dict (torchvision's
      ``(image, {"boxes": ..., "labels": ...})``; keys not listed pass through);
    * a dict ``{item key: call keyword}`` for dict items whose keys differ from the call's
      (``{"img": "image", "seg": "mask"}``); keys not listed pass through.

    Images and masks may be numpy arrays, PIL images or torch tensors (each comes back in
    its own type); boxes, keypoints and labels are lists or numpy arrays. Put
    :class:`ToTensorV2` last in the pipeline to get tensors for the default collate.

    Args:
        dataset: any object with ``__len__`` and ``__getitem__`` (a torch ``Dataset``, a list).
        transform: a pipeline (``Compose``) or a single transform; any callable taking the
            targets by keyword and returning a dict works.
        keys: the item layout described above.

    >>> import numpy as np, augkit as A
    >>> from augkit.pytorch import AugmentedDataset
    >>> items = [(np.arange(12, dtype=np.uint8).reshape(3, 4), 7)]  # (image, class)
    >>> ds = AugmentedDataset(items, A.Compose([A.HorizontalFlip(p=1.0)]))
    >>> image, label = ds[0]
    >>> image[0].tolist(), label
    ([3, 2, 1, 0], 7)
    >>> seg = AugmentedDataset([{"img": np.zeros((4, 4), np.uint8), "seg": np.eye(4, dtype=np.uint8)}],
    ...                        A.Compose([A.VerticalFlip(p=1.0)]), keys={"img": "image", "seg": "mask"})
    >>> seg[0]["seg"][0].tolist()
    [0, 0, 0, 1]

    With a DataLoader (``num_workers`` > 0 works as is; each worker draws its own
    augmentations): ``DataLoader(AugmentedDataset(ds, pipe), batch_size=8, num_workers=4)``.
    """

    def __init__(self, dataset: Any, transform: Callable[..., Mapping[str, Any]],
                 keys: Sequence[Any] | Mapping[str, str] | None = None):
        if not callable(transform):
            raise fail("AugmentedDataset", "transform", transform,
                       "transform must be a pipeline or a transform (a callable taking keywords)")
        if not hasattr(dataset, "__getitem__"):
            raise fail("AugmentedDataset", "dataset", type(dataset).__name__,
                       "dataset must support dataset[i] (a map-style dataset)")
        if isinstance(keys, str) or (keys is not None and not isinstance(keys, (Mapping, Sequence))):
            raise fail("AugmentedDataset", "keys", keys,
                       "keys must be None, a tuple with one entry per tuple element, or a dict")
        if isinstance(keys, Sequence):
            for i, k in enumerate(keys):
                if k is not None and not isinstance(k, (str, Mapping)):
                    raise fail("AugmentedDataset", f"keys[{i}]", k,
                               "each entry must be a call keyword, None or a dict")
        self.dataset = dataset
        self.transform = transform
        self.keys = keys

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, index):
        item = self.dataset[index]
        keys = self.keys
        if isinstance(item, Mapping):
            if keys is None:
                return self.transform(**item)
            if not isinstance(keys, Mapping):
                raise TargetError(f"AugmentedDataset: item {index} is a dict, but keys={keys!r} "
                                  f"describes a tuple; give keys as a dict or None")
            return self._dict_item(item, keys)
        if not isinstance(item, (tuple, list)):
            raise TargetError(f"AugmentedDataset: item {index} is a {type(item).__name__}; "
                              f"expected a dict or a tuple such as (image, target)")
        if keys is None:
            keys = ("image",)
        elif isinstance(keys, Mapping):
            raise TargetError(f"AugmentedDataset: item {index} is a tuple, but keys is a dict; "
                              f"give one entry per tuple element, e.g. ('image', 'mask')")
        elif len(keys) != len(item):
            raise TargetError(f"AugmentedDataset: item {index} has {len(item)} elements but "
                              f"keys={tuple(keys)!r} names {len(keys)}")
        call: dict[str, Any] = {}
        for k, part in zip(keys, item):
            if isinstance(k, str):
                call[k] = part
            elif isinstance(k, Mapping):
                call.update((k[name], part[name]) for name in k if name in part)
        out = self.transform(**call)
        result = []
        for i, part in enumerate(item):
            k = keys[i] if i < len(keys) else None
            if isinstance(k, str):
                result.append(out[k])
            elif isinstance(k, Mapping):
                result.append(self._dict_result(part, k, out))
            else:
                result.append(part)
        return type(item)(result) if isinstance(item, tuple) else result

    def _dict_item(self, item: Mapping[str, Any], keys: Mapping[str, str]) -> dict[str, Any]:
        call = {keys[name]: item[name] for name in keys if name in item}
        return self._dict_result(item, keys, self.transform(**call))

    @staticmethod
    def _dict_result(part: Mapping[str, Any], keys: Mapping[str, str],
                     out: Mapping[str, Any]) -> dict[str, Any]:
        result = dict(part)
        for name, call_key in keys.items():
            if name in part:
                result[name] = out[call_key]
        return result

    def __repr__(self) -> str:
        return f"AugmentedDataset({self.dataset!r}, {self.transform!r}, keys={self.keys!r})"
