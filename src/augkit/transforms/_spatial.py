"""Shared pieces of the spatial transform families."""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from augkit.core import params as P
from augkit.core.transform import SpatialTransform
from augkit.geometry import matrices as mx
from augkit.geometry.warp import Warp, warp_pixels

POSITIONS = ("center", "top_left", "top_right", "bottom_left", "bottom_right", "random")


class ResamplingTransform(SpatialTransform):
    """A spatial transform with interpolation, border mode and fill settings."""

    def _init_resampling(self, interpolation=cv2.INTER_LINEAR, mask_interpolation=cv2.INTER_NEAREST,
                         border_mode=cv2.BORDER_CONSTANT, fill=0.0, fill_mask=0.0) -> None:
        name = type(self).__name__
        self.interpolation = P.check_interpolation(name, "interpolation", interpolation)
        self.mask_interpolation = P.check_interpolation(name, "mask_interpolation", mask_interpolation)
        self.border_mode = P.check_border_mode(name, "border_mode", border_mode)
        self.fill = P.check_fill(name, "fill", fill)
        self.fill_mask = P.check_fill(name, "fill_mask", fill_mask)

    def make_warp(self, matrix: np.ndarray, state, out_shape: tuple[int, int] | None = None,
                  box_method: str = "largest_box") -> Warp:
        w = Warp(matrix, state.shape, out_shape or state.shape,
                 interpolation=getattr(self, "interpolation", cv2.INTER_LINEAR),
                 mask_interpolation=getattr(self, "mask_interpolation", cv2.INTER_NEAREST),
                 border_mode=getattr(self, "border_mode", cv2.BORDER_CONSTANT),
                 fill=getattr(self, "fill", 0.0), fill_mask=getattr(self, "fill_mask", 0.0))
        w.box_method = box_method
        return w


    def direct_crop(self, img: np.ndarray, window: tuple[int, int, int, int]) -> np.ndarray:
        """``img`` cut to the integer ``window`` (x0, y0, x1, y1) as a lone step: one slice
        copy inside the frame, else the engine's kernel (which pads per border and fill)."""
        x0, y0, x1, y1 = window
        if x0 >= 0 and y0 >= 0 and x1 <= img.shape[1] and y1 <= img.shape[0]:
            return img[y0:y1, x0:x1].copy()
        return self.direct_axis_aligned(img, 1.0, 1.0, -x0, -y0, (y1 - y0, x1 - x0), None)

    def direct_axis_aligned(self, img: np.ndarray, sx: float, sy: float, tx: float, ty: float,
                            out_shape: tuple[int, int], interpolation: int | None) -> np.ndarray:
        """``img`` under the lone step ``x -> sx * x + tx, y -> sy * y + ty`` (flips, crops,
        pads, resizes), as the engine makes it: the same kernel (:func:`warp_pixels`) with
        the same settings, the matrix passed as plain rows (no Warp, no segment)."""
        h, w = img.shape[:2]
        oh, ow = out_shape
        exact = sx in (1.0, -1.0) and sy in (1.0, -1.0) and tx == int(tx) and ty == int(ty)
        if exact and sx == 1.0 and sy == 1.0 and tx == 0 and ty == 0 and oh == h and ow == w:
            return img  # the identity: the engine skips it too
        # the engine fills from the step's border only when it reads outside the frame
        xa, xb = -tx / sx, (ow - tx) / sx
        ya, yb = -ty / sy, (oh - ty) / sy
        tol = 1e-6
        outside = (min(xa, xb) < -tol or min(ya, yb) < -tol or max(xa, xb) > w + tol
                   or max(ya, yb) > h + tol)
        border = getattr(self, "border_mode", cv2.BORDER_CONSTANT) if outside else cv2.BORDER_CONSTANT
        fill = getattr(self, "fill", 0.0) if outside else 0.0
        rows = [[float(sx), 0.0, float(tx)], [0.0, float(sy), float(ty)], [0.0, 0.0, 1.0]]
        if exact:
            return warp_pixels(img, rows, out_shape, None, border, fill, exact=True)
        return warp_pixels(img, rows, out_shape, interpolation, border, fill)


def pad_split(total: int, position: str, rng: np.random.Generator, axis: str) -> tuple[int, int]:
    """Split ``total`` pixels of padding into (before, after) along one axis."""
    if total <= 0:
        return 0, 0
    if position == "center":
        before = total // 2
    elif position == "random":
        before = P.draw_int(rng, 0, total)
    else:
        vertical, horizontal = position.split("_")
        side = vertical if axis == "y" else horizontal
        # "top_left" puts the image at the top left: all padding goes after it
        before = 0 if side in ("top", "left") else total
    return before, total - before


def padding_matrix(top: int, left: int) -> np.ndarray:
    return mx.translate(left, top)


def check_positive_int(owner: str, name: str, value: Any) -> int:
    return int(P.check_number(owner, name, value, 1, integer=True))
