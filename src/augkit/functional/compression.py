"""Compression and resolution-loss kernels: pure functions, no randomness inside."""

from __future__ import annotations

import functools

import cv2
import numpy as np

from augkit.functional.color import max_value

_EXT = {"jpeg": (".jpg", cv2.IMWRITE_JPEG_QUALITY), "webp": (".webp", cv2.IMWRITE_WEBP_QUALITY)}


def _codec(img8: np.ndarray, compression_type: str, quality: int) -> np.ndarray:
    """Encode and decode a uint8 image of 1 or 3 channels (4 for WebP) with OpenCV.

    The channels go to the encoder as they are (an RGB image is taken for BGR), as
    Albumentations 2.0.8 does, so results match it exactly.
    """
    # 512x512x3 noise, JPEG q99, one thread (us): encode 1630, decode 2650; decode flags
    # (IMREAD_COLOR, IGNORE_ORIENTATION, COLOR_RGB) and explicit 4:2:0 / OPTIMIZE=0 on
    # encode change nothing. Another codec library would not promise the same bytes.
    ext, flag = _EXT[compression_type]
    ok, buf = cv2.imencode(ext, img8, [int(flag), int(quality)])
    if not ok:  # pragma: no cover - OpenCV built without the codec
        raise RuntimeError(f"cv2.imencode could not write {compression_type}")
    c = 1 if img8.ndim == 2 else img8.shape[2]
    out = cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE if c == 1 else cv2.IMREAD_UNCHANGED)
    return out.reshape(img8.shape)


def compress_uint8(img: np.ndarray, compression_type: str, quality: int) -> np.ndarray:
    """JPEG or WebP round trip of a uint8 image with any channel count.

    1 and 3 channels go through the codec as they are; 4 channels through WebP as they
    are, through JPEG as colour plus an untouched alpha; other counts in groups of three
    channels plus single ones.
    """
    c = 1 if img.ndim == 2 else img.shape[2]
    if c in (1, 3) or (c == 4 and compression_type == "webp"):
        return _codec(img, compression_type, quality)
    out = np.empty_like(img)
    if c == 4:
        out[..., :3] = _codec(np.ascontiguousarray(img[..., :3]), compression_type, quality)
        out[..., 3] = img[..., 3]
        return out
    start = 0
    while start < c:
        k = 3 if c - start >= 3 else 1
        out[..., start:start + k] = _codec(np.ascontiguousarray(img[..., start:start + k]),
                                          compression_type, quality)
        start += k
    return out


def compress(img: np.ndarray, compression_type: str, quality: int) -> np.ndarray:
    """JPEG or WebP artefacts for uint8, uint16 and float32 images.

    uint16 and float32 images are rounded to 8 bits for the codec and get the codec's
    change added back (``img + (decoded - img8) * max / 255``), so their precision beyond
    8 bits survives; a float image that is exactly k / 255 gives ``decoded / 255``.
    """
    if img.dtype == np.uint8:
        return compress_uint8(img, compression_type, quality)
    top = max_value(img.dtype)
    img8 = np.clip(np.rint(img.astype(np.float32) * np.float32(255.0 / top)), 0, 255).astype(np.uint8)
    dec = compress_uint8(img8, compression_type, quality)
    delta = np.subtract(dec, img8, dtype=np.float32) * np.float32(top / 255.0)
    out = img.astype(np.float32) + delta
    np.clip(out, 0, top, out=out)
    if img.dtype == np.float32:
        return out
    return np.rint(out).astype(img.dtype)


@functools.lru_cache(maxsize=256)
def _nearest_rows(dst: int, src: int) -> np.ndarray:
    """Source row of each of ``dst`` output rows for OpenCV's INTER_NEAREST resize from
    ``src`` rows: ``min(floor(y * (1 / (dst / src))), src - 1)`` in doubles, the same
    arithmetic as OpenCV's nearest-neighbour resize (checked against cv2.resize in
    tests/test_kernels_ties.py)."""
    inv = 1.0 / (dst / src)
    rows = np.minimum(np.floor(np.arange(dst, dtype=np.float64) * inv), src - 1).astype(np.intp)
    rows.setflags(write=False)
    return rows


def downscale(img: np.ndarray, scale: float, down: int, up: int) -> np.ndarray:
    """Resize by ``scale`` with ``down`` interpolation, then back to the input size with ``up``.

    The small image is ``cv2.resize(img, None, fx=scale, fy=scale)`` (OpenCV rounds its
    size and samples at exactly ``scale``), as Albumentations 2.0.8, falling back to an
    explicit size of at least 1x1 for tiny images.
    """
    h, w = img.shape[:2]
    if round(h * scale) >= 1 and round(w * scale) >= 1:
        small = cv2.resize(img, None, fx=scale, fy=scale, interpolation=down)
    else:
        small = cv2.resize(img, (max(1, round(w * scale)), max(1, round(h * scale))),
                           interpolation=down)
    if up == cv2.INTER_NEAREST:
        # Nearest upscaling is separable: widen the few small rows with OpenCV, then copy
        # whole rows (np.take of contiguous rows is a memcpy each). Same pixels as one
        # cv2.resize to (w, h). 512x512x3 uint8, scale 0.25, one thread (whole kernel, us):
        # 74 against 176 for two cv2.resize calls (the nearest upscale alone: 158);
        # np.repeat of the widened rows 76, a broadcast copy into (sh, k, w, c) 77,
        # np.take on both axes 143, numpy broadcast of the small image 1070.
        # Albumentations 2.0.8 (two cv2.resize calls): 188 per call.
        sh = small.shape[0]
        wide = cv2.resize(small, (w, sh), interpolation=cv2.INTER_NEAREST)
        out = wide if sh == h else wide.take(_nearest_rows(h, sh), axis=0)
    else:
        out = cv2.resize(small, (w, h), interpolation=up)
    return out.reshape(img.shape)
