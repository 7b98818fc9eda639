"""Images and masks given as PIL images or torch tensors: converted in, converted back out.

A pipeline works on numpy arrays. When a call passes a ``PIL.Image.Image`` or a
``torch.Tensor`` as an image or mask target (``image``, ``mask``, ``masks`` and the
image/mask-kind ``additional_targets``), :func:`foreign_inputs` replaces it by a numpy
array and remembers what it was; :func:`restore_outputs` turns the result back into the
same type. Numpy inputs cost one ``type(...) is np.ndarray`` test per call argument and
nothing else (measured in tests/test_convert.py); neither PIL nor torch is ever imported
here: a value is recognised through the modules the caller already imported.

**PIL** (``np.asarray``, no copy): modes ``L`` (H x W uint8), ``LA``, ``RGB``, ``RGBA``
(H x W x 2/3/4 uint8), ``I;16`` (H x W uint16), ``F`` (H x W float32, which must lie in
[0, 1] as every float image), and for masks also ``P`` (palette indices; the palette is
put back) and ``1`` (bool). The result is a PIL image of the mode Pillow gives the output
array (the input's mode when shape and dtype are kept); an output PIL cannot hold (e.g.
the float32 RGB of ``Normalize``) stays a numpy array. Other modes (``CMYK``, ``YCbCr``,
``I``, ...) are refused with the conversion to use.

**torch**: a 2-D tensor is ``H x W``. A 3-D tensor is channels-first (``C x H x W``, the
torchvision layout) when its first dimension is 1, 3 or 4 and its last is not, and
channels-last (``H x W x C``) when its last dimension is 1, 3 or 4 and its first is not;
any other 3-D shape (e.g. ``3 x 5 x 3``, or 5 channels) is ambiguous and refused: pass a
numpy array instead. ``masks`` may be an ``N x H x W`` tensor or a list of tensors. Dtypes
as for numpy (uint8, uint16, float32 in [0, 1] for images). The result is a tensor of the
same layout, on the same device; its dtype is the output array's (the input's unless a
step changes it, e.g. ``Normalize`` gives float32). Tensors are detached; a CPU tensor is
read without a copy (the pipeline never writes to its inputs). A result that is already a
tensor (``ToTensorV2`` ran last) is returned as it is.

>>> import numpy as np, augkit as A
>>> data = {"image": np.zeros((2, 2), np.uint8)}
>>> foreign_inputs(data, {}) is None  # numpy in: nothing to do
True
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

import numpy as np

from augkit.errors import UnsupportedInputError

__all__ = ["foreign_inputs", "restore_outputs"]

_KINDS = {"image": "image", "mask": "mask", "masks": "masks"}
_PIL_IMAGE_MODES = ("L", "LA", "RGB", "RGBA", "I;16", "F")
_PIL_MASK_MODES = _PIL_IMAGE_MODES + ("P", "1")
_CHANNELS = (1, 3, 4)


def foreign_inputs(data: dict[str, Any], extra_kinds: Mapping[str, str]) -> dict[str, Any] | None:
    """Replace PIL/torch image and mask values of ``data`` by numpy arrays, in place.

    Returns ``None`` when nothing was converted (the usual numpy call), else what
    :func:`restore_outputs` needs: for each converted key, how to convert it back.
    """
    back = None
    for key, value in data.items():
        if type(value) is np.ndarray:  # the common case: one test, nothing else
            continue
        kind = _KINDS.get(key) or extra_kinds.get(key)
        if kind is None:
            continue
        if kind == "masks":
            converted = _masks_in(key, value)
        else:
            converted = _value_in(key, value, kind)
        if converted is not None:
            if back is None:
                back = {}
            data[key], back[key] = converted
    return back


def restore_outputs(out: dict[str, Any], back: dict[str, Any]) -> dict[str, Any]:
    """Convert the outputs of the keys :func:`foreign_inputs` converted back to their type."""
    for key, how in back.items():
        if key not in out:
            continue
        if how[0] == "list":
            value = out[key]
            if isinstance(value, list):
                out[key] = [_value_out(v, h) for v, h in zip(value, how[1])]
        else:
            out[key] = _value_out(out[key], how)
    return out


# -- one value -----------------------------------------------------------------------------
def _pil_image_class():
    image_mod = sys.modules.get("PIL.Image")
    return getattr(image_mod, "Image", None) if image_mod is not None else None


def _torch_tensor_class():
    torch = sys.modules.get("torch")
    return getattr(torch, "Tensor", None) if torch is not None else None


def _value_in(name: str, value: Any, kind: str):
    pil = _pil_image_class()
    if pil is not None and isinstance(value, pil):
        return _pil_in(name, value, kind)
    tensor = _torch_tensor_class()
    if tensor is not None and isinstance(value, tensor):
        return _tensor_in(name, value)
    return None  # not ours: the target checks report it


def _masks_in(name: str, value: Any):
    tensor = _torch_tensor_class()
    if tensor is not None and isinstance(value, tensor):
        if value.ndim != 3:
            raise UnsupportedInputError(f"{name}: a masks tensor must be N x H x W, got shape "
                                        f"{tuple(value.shape)}")
        arr = value.detach().cpu().numpy()
        return arr, ("torch", "stack", value.dtype, value.device)
    if isinstance(value, (list, tuple)) and value and type(value[0]) is not np.ndarray:
        items = []
        hows = []
        for i, m in enumerate(value):
            got = _value_in(f"{name}[{i}]", m, "mask") if type(m) is not np.ndarray else None
            if got is None:
                items.append(m)
                hows.append(None)
            else:
                items.append(got[0])
                hows.append(got[1])
        if any(h is not None for h in hows):
            return items, ("list", hows)
    return None


def _pil_in(name: str, img: Any, kind: str):
    mode = img.mode
    accepted = _PIL_MASK_MODES if kind == "mask" else _PIL_IMAGE_MODES
    if mode not in accepted:
        hint = ("RGB" if mode in ("P", "CMYK", "YCbCr", "HSV", "LAB", "PA", "RGBX", "RGBa")
                else "F (then scale to [0, 1])" if mode in ("I", "I;16B", "I;16L") else "RGB or L")
        raise UnsupportedInputError(
            f"{name}: PIL images of mode {mode!r} are not accepted as {kind}s; accepted modes: "
            f"{', '.join(accepted)} (convert first, e.g. img.convert({hint.split()[0]!r}) "
            f"for {hint})")
    arr = np.asarray(img)
    palette = img.getpalette() if mode == "P" else None
    return arr, ("pil", mode, palette)


def _tensor_in(name: str, t: Any):
    if t.ndim == 2:
        layout = "hw"
    elif t.ndim == 3:
        first, last = int(t.shape[0]), int(t.shape[-1])
        if first in _CHANNELS and last not in _CHANNELS:
            layout = "chw"
        elif last in _CHANNELS and first not in _CHANNELS:
            layout = "hwc"
        else:
            raise UnsupportedInputError(
                f"{name}: cannot tell the channel axis of a tensor of shape {tuple(t.shape)}: "
                f"a 3-D tensor is read as C x H x W when only its first dimension is 1, 3 or "
                f"4, and as H x W x C when only its last one is; pass a numpy H x W x C "
                f"array instead")
    else:
        raise UnsupportedInputError(f"{name}: expected an H x W, C x H x W or H x W x C tensor, "
                                    f"got shape {tuple(t.shape)}")
    arr = t.detach().cpu().numpy()
    if layout == "chw":
        # OpenCV wants channels last and contiguous; this is the one copy a CHW input costs
        arr = np.ascontiguousarray(arr.transpose(1, 2, 0))
    return arr, ("torch", layout, t.dtype, t.device)


def _value_out(value: Any, how: Any):
    if how is None or type(value) is not np.ndarray:
        return value  # not converted, or already converted by a step (ToTensorV2)
    if how[0] == "pil":
        return _pil_out(value, how[1], how[2])
    return _tensor_out(value, how[1], how[3])


def _pil_out(arr: np.ndarray, mode: str, palette):
    from PIL import Image  # imported by the caller already: it passed a PIL image

    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    try:
        if mode == "P" and arr.ndim == 2 and arr.dtype == np.uint8:
            img = Image.frombytes("P", (arr.shape[1], arr.shape[0]), arr.tobytes())
            if palette is not None:
                img.putpalette(palette)
            return img
        return Image.fromarray(np.ascontiguousarray(arr))
    except (TypeError, ValueError):
        return arr  # PIL has no mode for it (e.g. float32 RGB after Normalize)


def _tensor_out(arr: np.ndarray, layout: str, device: Any):
    import torch  # imported by the caller already: it passed a tensor

    if layout == "stack":
        t = torch.from_numpy(_writable(arr))
    elif layout == "chw":
        if arr.ndim == 2:
            arr = arr[None]
        else:
            arr = arr.transpose(2, 0, 1)
        t = torch.from_numpy(np.ascontiguousarray(arr))
    else:  # "hw" and "hwc": the array's own layout
        t = torch.from_numpy(_writable(arr))
    return t if t.device == device else t.to(device)


def _writable(arr: np.ndarray) -> np.ndarray:
    # torch.from_numpy warns on read-only arrays (e.g. a PIL buffer passed through)
    return arr if arr.flags.writeable and arr.flags.c_contiguous else np.array(arr)
