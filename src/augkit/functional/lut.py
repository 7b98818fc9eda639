"""Applying uint8 lookup tables, the kernel behind every LUT-able pixel transform.

``cv2.LUT`` costs 177 us on a 512x512x3 uint8 image on one thread (OpenCV 5.0); the
byte translation of ``stringzilla`` (SIMD) costs 23 us for the same table. augkit uses
stringzilla when it is installed (``pip install augkit[fast]``; Albumentations installs it
too) and falls back to ``cv2.LUT`` otherwise. Both give identical results.
"""

from __future__ import annotations

import cv2
import numpy as np

try:  # optional: 7-8x faster byte tables
    import stringzilla as _sz
except ImportError:  # pragma: no cover - depends on the environment
    _sz = None

#: the backend used for single tables: "stringzilla" or "opencv".
BACKEND = "stringzilla" if _sz is not None else "opencv"


def apply_lut(img: np.ndarray, lut: np.ndarray, backend: str | None = None) -> np.ndarray:
    """Map every uint8 value of ``img`` through ``lut``: shape (256,) for all channels,
    or (256, C) for one table per channel. Returns a new array; ``img`` is not modified.

    >>> import numpy as np
    >>> apply_lut(np.array([[0, 1, 255]], np.uint8), (255 - np.arange(256)).astype(np.uint8)).tolist()
    [[255, 254, 0]]
    """
    backend = backend or BACKEND
    lut = np.asarray(lut, dtype=np.uint8)
    channels = 1 if img.ndim == 2 else img.shape[2]
    if lut.ndim == 2:
        if lut.shape[1] == 1 or channels == 1 or np.all(lut == lut[:, :1]):
            lut = np.ascontiguousarray(lut[:, 0])
        elif lut.shape[1] != channels:
            raise ValueError(f"a table per channel has {lut.shape[1]} columns but the image has {channels} channels")
    if lut.ndim == 1:
        if backend == "stringzilla" and _sz is not None:
            src = np.ascontiguousarray(img)
            out = np.empty_like(src)
            _sz.translate(memoryview(src).cast("B"), lut.tobytes(), out=memoryview(out).cast("B"))
            return out
        out = cv2.LUT(img, lut)
    elif 2 <= channels <= 4 and _sz is not None and backend == "stringzilla" and img.ndim == 3 \
            and img.shape[0] * img.shape[1] >= _STRIP_MIN_PIXELS:
        out = _lut_per_channel_sz(np.ascontiguousarray(img), lut)
    elif channels <= 4:
        out = cv2.LUT(img, np.ascontiguousarray(lut.reshape(256, 1, channels)))
    else:
        out = np.empty_like(img)
        for c in range(channels):
            out[..., c] = cv2.LUT(np.ascontiguousarray(img[..., c]), np.ascontiguousarray(lut[:, c]))
    if img.ndim == 3 and out.ndim == 2:
        out = out[..., None]
    return out


# Per-channel tables (256, C), C in 2..4: cv2.LUT with a 256x1xC table costs ~390 us on
# 512x512x3 (one thread, OpenCV 5, this machine). Measured alternatives (same run, us):
# split + stringzilla per plane + merge ~850-1100 (fresh temporaries and the split after
# an in-place write are slow here), 768-entry np.take 2550, (65536,) byte-pair np.take
# 1280, np.take per strided channel 1230. Fastest: in row strips of ~96 KB (they stay in
# cache and reuse heap memory), stringzilla translates the interleaved strip with table 0
# straight into the output, then with table c into a scratch strip that cv2.copyTo pastes
# through a fixed byte mask selecting channel c: ~205 us (1.9x), identical results.
_STRIP_BYTES = 96 * 1024
_STRIP_MIN_PIXELS = 4096
_MASKS: dict[tuple[int, int, int], list[np.ndarray]] = {}


def _channel_masks(rows: int, width: int, channels: int) -> list[np.ndarray]:
    key = (rows, width, channels)
    masks = _MASKS.get(key)
    if masks is None:
        if len(_MASKS) > 16:
            _MASKS.clear()
        masks = [np.ascontiguousarray(np.broadcast_to(
            (np.arange(channels) == c).astype(np.uint8), (rows, width, channels))) for c in range(channels)]
        _MASKS[key] = masks
    return masks


def _lut_per_channel_sz(img: np.ndarray, lut: np.ndarray) -> np.ndarray:
    """(256, C) tables on a C-contiguous HxWxC uint8 image, strip by strip (see above)."""
    h, w, c = img.shape
    rows = min(h, max(1, _STRIP_BYTES // (w * c)))
    masks = _channel_masks(rows, w, c)
    tables = [lut[:, i].tobytes() for i in range(c)]
    out = np.empty_like(img)
    tmp = np.empty((rows, w, c), np.uint8)
    for y in range(0, h, rows):
        src, dst = img[y:y + rows], out[y:y + rows]
        n = src.shape[0]
        part = tmp[:n]
        src_b = memoryview(src).cast("B")
        _sz.translate(src_b, tables[0], out=memoryview(dst).cast("B"))
        for i in range(1, c):
            _sz.translate(src_b, tables[i], out=memoryview(part).cast("B"))
            cv2.copyTo(part, masks[i][:n], dst)
    return out


def lut_planes(img: np.ndarray, tables, dst: np.ndarray | None = None,
               backend: str | None = None) -> np.ndarray:
    """One table per channel, plane by plane: split ``img`` (HxWxC uint8), map each plane
    in place through its table (None leaves the plane as it is), merge into ``dst`` (which
    may be ``img`` itself) or a new array. Same values as :func:`apply_lut` with the
    tables stacked.

    Faster than the strips of :func:`apply_lut` where ``img`` was just written and is still
    in cache: the HSV round trip of HueSaturationValue with three tables, 512x512 uint8
    (EPYC, OpenCV 5.1, us): 1256-1298 this way, 1451-1538 with ``apply_lut``. On a cold
    image the strips win (see the note above ``_lut_per_channel_sz``).

    >>> import numpy as np
    >>> img = np.array([[[1, 2, 3]]], np.uint8)
    >>> lut_planes(img, [None, np.full(256, 9, np.uint8), None]).tolist()
    [[[1, 9, 3]]]
    """
    backend = backend or BACKEND
    planes = list(cv2.split(img))
    for i, table in enumerate(tables):
        if table is None:
            continue
        table = np.ascontiguousarray(table, dtype=np.uint8)
        if backend == "stringzilla" and _sz is not None:
            _sz.translate(memoryview(planes[i]).cast("B"), memoryview(table), inplace=True)
        else:
            cv2.LUT(planes[i], table, dst=planes[i])
    return cv2.merge(planes, dst=dst)


def compose_luts(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """The table of ``second`` applied after ``first`` (each (256,) or (256, C)).

    >>> import numpy as np
    >>> inv = (255 - np.arange(256)).astype(np.uint8)
    >>> bool((compose_luts(inv, inv) == np.arange(256)).all())
    True
    """
    if second.ndim == 1:
        return second[first]
    if first.ndim == 1:
        first = np.repeat(first[:, None], second.shape[1], axis=1)
    elif first.shape[1] != second.shape[1]:
        if first.shape[1] == 1:
            first = np.repeat(first, second.shape[1], axis=1)
        elif second.shape[1] == 1:
            second = np.repeat(second, first.shape[1], axis=1)
    return np.take_along_axis(second, first.astype(np.intp), axis=0)
