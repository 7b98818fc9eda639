"""Spatial-level transforms that are not one matrix: tile shuffles, morphology, user lambdas.

They are Albumentations-style :class:`~augkit.core.transform.DualTransform` steps: the
engine materializes pending geometry, then calls ``apply`` / ``apply_to_mask`` /
``apply_to_bboxes`` / ``apply_to_keypoints`` with the parameters drawn in :meth:`sample`.
Boxes arrive as ``(N, 5)`` normalized ``x_min, y_min, x_max, y_max`` plus the row id in
the last column; keypoints as ``(N, 5)`` ``x, y, angle, scale`` (pixel indices) plus the
row id. Both keep that last column.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any

import cv2
import numpy as np

from augkit.core import params as P
from augkit.core.transform import DualTransform
from augkit.errors import TargetError

__all__ = ["Lambda", "Morphological", "RandomGridShuffle"]


# -------------------------------------------------------------------------------------
# RandomGridShuffle
# -------------------------------------------------------------------------------------
def _tile_edges(n: int, cells: int) -> np.ndarray:
    """Edges of ``cells`` near-equal tiles along a side of ``n`` pixels."""
    return np.round(np.linspace(0, n, cells + 1)).astype(np.int64)


def _merge_rects(rects: list[tuple[float, float, float, float]]) -> list[tuple[float, float, float, float]]:
    """Enclosing boxes of the groups of rectangles that overlap or share an edge."""
    n = len(rects)
    parent = list(range(n))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(n):
        a = rects[i]
        for j in range(i + 1, n):
            b = rects[j]
            ox = min(a[2], b[2]) - max(a[0], b[0])
            oy = min(a[3], b[3]) - max(a[1], b[1])
            if ox >= 0 and oy >= 0 and (ox > 0 or oy > 0):
                parent[find(i)] = find(j)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    out = []
    for members in sorted(groups.values()):
        r = np.array([rects[i] for i in members])
        out.append((r[:, 0].min(), r[:, 1].min(), r[:, 2].max(), r[:, 3].max()))
    return out


class RandomGridShuffle(DualTransform):
    """Cut the image into a ``grid`` of tiles and shuffle them.

    Tile edges are ``round(linspace(0, side, cells + 1))``; only tiles of the same size
    trade places (so a side that does not divide evenly keeps the output size). Masks
    move with the image; a keypoint moves with the tile it lies in; a box is cut into its
    parts in each tile, the parts move with their tiles, and parts that still touch are
    joined again: one input box may give several output boxes (same row, same labels).

    Args:
        grid: ``(rows, columns)`` of the tile grid, each >= 1.
        p: probability of applying the transform.

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: any.

    >>> import numpy as np
    >>> from augkit.transforms.other_spatial import RandomGridShuffle
    >>> img = np.arange(4, dtype=np.uint8).reshape(2, 2)
    >>> out = RandomGridShuffle(grid=(2, 2), p=1.0)(image=img)["image"]
    >>> sorted(out.ravel().tolist())
    [0, 1, 2, 3]
    """

    def __init__(self, grid: tuple[int, int] = (3, 3), p: float = 0.5):
        super().__init__(p=p)
        name = type(self).__name__
        if not (isinstance(grid, Sequence) and len(grid) == 2 and all(
                isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= 1 for v in grid)):
            raise P.fail(name, "grid", grid, "grid must be (rows, columns) with integers >= 1")
        self.grid = (int(grid[0]), int(grid[1]))

    def sample(self, rng, state):
        h, w = state.shape
        rows, cols = self.grid
        if rows > h or cols > w:
            raise TargetError(f"RandomGridShuffle: grid {self.grid} has more cells than the "
                              f"{h}x{w} image has pixels along a side")
        ys, xs = _tile_edges(h, rows), _tile_edges(w, cols)
        tiles = [(int(xs[c]), int(ys[r]), int(xs[c + 1]), int(ys[r + 1]))
                 for r in range(rows) for c in range(cols)]
        groups: dict[tuple[int, int], list[int]] = {}
        for i, (x0, y0, x1, y1) in enumerate(tiles):
            groups.setdefault((y1 - y0, x1 - x0), []).append(i)
        source = list(range(len(tiles)))  # source[dest] = tile whose content goes to dest
        for members in groups.values():
            perm = rng.permutation(len(members))
            for d, s in zip(members, perm):
                source[d] = members[int(s)]
        return {"tiles": tiles, "source": source, "shape": (h, w)}

    def apply(self, img, tiles=(), source=(), **params):
        out = np.empty_like(img)
        for d, s in enumerate(source):
            dx0, dy0, dx1, dy1 = tiles[d]
            sx0, sy0, sx1, sy1 = tiles[s]
            out[dy0:dy1, dx0:dx1] = img[sy0:sy1, sx0:sx1]
        return out

    def apply_to_mask(self, mask, **params):
        return self.apply(mask, **params)

    def apply_to_bboxes(self, bboxes, tiles=(), source=(), shape=(1, 1), **params):
        if not len(bboxes):
            return bboxes
        h, w = shape[:2]
        scale = np.array([w, h, w, h], dtype=np.float64)
        dest_of = {s: d for d, s in enumerate(source)}
        rows = []
        for row in np.asarray(bboxes, dtype=np.float64):
            bx0, by0, bx1, by1 = row[:4] * scale
            pieces = []
            for s, (sx0, sy0, sx1, sy1) in enumerate(tiles):
                ix0, iy0 = max(bx0, sx0), max(by0, sy0)
                ix1, iy1 = min(bx1, sx1), min(by1, sy1)
                if ix1 - ix0 <= 1e-9 or iy1 - iy0 <= 1e-9:
                    continue  # outside this tile, or a rounding sliver along its edge
                dx0, dy0 = tiles[dest_of[s]][:2]
                ox, oy = dx0 - sx0, dy0 - sy0
                pieces.append((ix0 + ox, iy0 + oy, ix1 + ox, iy1 + oy))
            for piece in _merge_rects(pieces):
                new = row.copy()
                new[:4] = np.asarray(piece) / scale
                rows.append(new)
        if not rows:
            return np.zeros((0, np.asarray(bboxes).shape[1]))
        return np.stack(rows)

    def apply_to_keypoints(self, keypoints, tiles=(), source=(), shape=(1, 1), **params):
        if not len(keypoints):
            return keypoints
        kps = np.array(keypoints, dtype=np.float64, copy=True)
        dest_of = {s: d for d, s in enumerate(source)}
        # keypoints are pixel indices: the point (x, y) lies at x + 0.5, y + 0.5
        cx, cy = kps[:, 0] + 0.5, kps[:, 1] + 0.5
        for s, (sx0, sy0, sx1, sy1) in enumerate(tiles):
            inside = (cx >= sx0) & (cx < sx1) & (cy >= sy0) & (cy < sy1)
            if not inside.any():
                continue
            dx0, dy0 = tiles[dest_of[s]][:2]
            kps[inside, 0] += dx0 - sx0
            kps[inside, 1] += dy0 - sy0
        return kps


# -------------------------------------------------------------------------------------
# Morphological
# -------------------------------------------------------------------------------------
_MORPH_DTYPES = {np.dtype(t) for t in ("uint8", "uint16", "int16", "float32", "float64")}


def _morph(img: np.ndarray, kernel: np.ndarray, operation: str) -> np.ndarray:
    fn = cv2.dilate if operation == "dilation" else cv2.erode
    src = img
    if img.dtype not in _MORPH_DTYPES:
        # exact carriers: max/min commute with an order-preserving conversion
        carrier = np.uint8 if img.dtype == np.bool_ else (
            np.float32 if img.dtype.kind in "iuf" and img.dtype.itemsize <= 2 else np.float64)
        src = img.astype(carrier)
    out = fn(np.ascontiguousarray(src), kernel)
    if src.ndim == 3 and out.ndim == 2:  # OpenCV drops a trailing single channel
        out = out[..., None]
    return out.astype(img.dtype, copy=False) if out.dtype != img.dtype else out


_ELLIPSES: dict[tuple[int, int], np.ndarray] = {}


def _ellipse(kw: int, kh: int) -> np.ndarray:
    """The elliptic structuring element, shared read-only (a dict hit instead of ~1 us)."""
    kernel = _ELLIPSES.get((kw, kh))
    if kernel is None:
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (kw, kh))
        kernel.setflags(write=False)
        if len(_ELLIPSES) < 256:
            _ELLIPSES[(kw, kh)] = kernel  # one dict assignment: safe across threads
    return kernel


class Morphological(DualTransform):
    """Dilate or erode the image and its masks with an elliptic structuring element.

    Dilation grows bright regions, erosion shrinks them (``cv2.dilate`` / ``cv2.erode``,
    pixels outside the image never win). ``scale`` sets the kernel size: one integer is
    a square ``scale x scale`` kernel; ``(low, high)`` draws its width and height each
    uniformly from ``[low, high]`` per call. Boxes grow or shrink as a filled box mask
    would (by the kernel's extent on each side, anchor at the kernel's centre); keypoints
    do not move.

    Args:
        scale: kernel size, an int >= 1 or ``(low, high)``.
        operation: "dilation" or "erosion".
        p: probability of applying the transform.

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: uint8, uint16, float32 (masks: any).

    >>> import numpy as np
    >>> from augkit.transforms.other_spatial import Morphological
    >>> img = np.zeros((7, 7), np.uint8); img[3, 3] = 255
    >>> int((Morphological(scale=3, p=1.0)(image=img)["image"] > 0).sum())
    5
    """

    def __init__(self, scale: tuple[int, int] | int = (2, 3),
                 operation: str = "dilation", p: float = 0.5):
        super().__init__(p=p)
        name = type(self).__name__
        if isinstance(scale, numbers.Integral) and not isinstance(scale, bool):
            P.check_number(name, "scale", scale, 1, integer=True)
            self._scale = (int(scale), int(scale))
        else:
            self._scale = P.to_range(name, "scale", scale, integer=True, bounds=(1, None))
        self.scale = scale
        self.operation = P.check_choice(name, "operation", operation, ("dilation", "erosion"))

    def sample(self, rng, state):
        lo, hi = self._scale
        n = hi - lo + 1
        if n == 1:  # a fixed size draws nothing
            kw = kh = lo
        else:
            # width and height from one draw (0.3 us, against ~3 us for
            # rng.integers(lo, hi + 1, size=2))
            g = P.draw_int(rng, 0, n * n - 1)
            kw, kh = lo + g % n, lo + g // n
        return {"kernel": _ellipse(kw, kh), "shape": tuple(state.shape)}

    def apply(self, img, kernel=None, **params):
        return _morph(img, kernel, self.operation)

    def apply_to_mask(self, mask, kernel=None, **params):
        return _morph(mask, kernel, self.operation)

    def apply_to_bboxes(self, bboxes, kernel=None, shape=(1, 1), **params):
        if not len(bboxes):
            return bboxes
        h, w = shape[:2]
        rows_nz = np.flatnonzero(kernel.any(axis=1))
        cols_nz = np.flatnonzero(kernel.any(axis=0))
        ay, ax = kernel.shape[0] // 2, kernel.shape[1] // 2
        # dilation: output pixel x is set when x + i - ax hits the box for a kernel column i
        if self.operation == "dilation":
            grow = np.array([-(cols_nz.max() - ax), -(rows_nz.max() - ay), ax - cols_nz.min(), ay - rows_nz.min()])
        else:
            grow = np.array([ax - cols_nz.min(), ay - rows_nz.min(), -(cols_nz.max() - ax), -(rows_nz.max() - ay)])
        b = np.array(bboxes, dtype=np.float64, copy=True)
        scale = np.array([w, h, w, h], dtype=np.float64)
        coords = b[:, :4] * scale + grow
        np.clip(coords, 0, scale, out=coords)
        keep = (coords[:, 2] > coords[:, 0]) & (coords[:, 3] > coords[:, 1])
        b[:, :4] = coords / scale
        return b[keep]


# -------------------------------------------------------------------------------------
# Lambda
# -------------------------------------------------------------------------------------
class Lambda(DualTransform):
    """Apply user functions to each target.

    Each function is called as ``f(value, **params)`` and returns the new value; a
    target without a function passes through. ``bboxes`` receives an ``(N, 4 + k)``
    array of normalized ``x_min, y_min, x_max, y_max`` (extra columns, the last being
    the row id, must be kept); ``keypoints`` an ``(N, 4 + k)`` array of ``x, y, angle,
    scale`` in pixels (same rule). The step always runs on its own (never fused).
    A Lambda holding functions cannot be serialized.

    Args:
        image: function for images.
        mask: function for masks (each entry of ``masks`` too).
        keypoints: function for the keypoints array.
        bboxes: function for the boxes array.
        name: a name for the step (shown in ``repr``).
        p: probability of applying the transform.

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: any.

    >>> import numpy as np
    >>> from augkit.transforms.other_spatial import Lambda
    >>> t = Lambda(image=lambda img, **kw: img + 1, name="add_one")
    >>> t(image=np.zeros((2, 2), np.uint8))["image"].tolist()
    [[1, 1], [1, 1]]
    """

    def __init__(self, image: Callable[..., Any] | None = None, mask: Callable[..., Any] | None = None,
                 keypoints: Callable[..., Any] | None = None, bboxes: Callable[..., Any] | None = None,
                 name: str | None = None, p: float = 1.0):
        super().__init__(p=p)
        owner = type(self).__name__
        for arg, fn in (("image", image), ("mask", mask), ("keypoints", keypoints), ("bboxes", bboxes)):
            if fn is not None and not callable(fn):
                raise P.fail(owner, arg, fn, f"{arg} must be None or a callable f(value, **params)")
        if name is not None and not isinstance(name, str):
            raise P.fail(owner, "name", name, "name must be None or a string")
        self.custom_apply_fns = {"image": image, "mask": mask, "keypoints": keypoints, "bboxes": bboxes}
        self.name = name

    def apply(self, img, **params):
        fn = self.custom_apply_fns["image"]
        return img if fn is None else fn(img, **params)

    def apply_to_mask(self, mask, **params):
        fn = self.custom_apply_fns["mask"]
        return mask if fn is None else fn(mask, **params)

    def apply_to_bboxes(self, bboxes, **params):
        fn = self.custom_apply_fns["bboxes"]
        return bboxes if fn is None else fn(bboxes, **params)

    def apply_to_keypoints(self, keypoints, **params):
        fn = self.custom_apply_fns["keypoints"]
        return keypoints if fn is None else fn(keypoints, **params)

    def to_dict(self, *args, **kwargs):
        raise NotImplementedError(f"Lambda{'(' + self.name + ')' if self.name else ''} holds user "
                                  f"functions and cannot be serialized")
