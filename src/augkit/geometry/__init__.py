"""The geometry engine: warps (a matrix and an output size) and how they apply to each target."""

from augkit.geometry.warp import Warp

__all__ = ["Warp"]
