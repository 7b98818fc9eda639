"""3x3 matrices in augkit's continuous pixel space.

Pixel ``(row i, col j)`` covers ``[j, j+1) x [i, i+1)``; its centre is ``(j + 0.5, i + 0.5)``.
A matrix maps an input point ``(x, y, 1)`` to an output point. Angles are in degrees and
positive angles turn the picture counter-clockwise as it is displayed (y pointing down),
which is OpenCV's and Albumentations' convention.
"""

from __future__ import annotations

import math

import numpy as np

_I = np.eye(3)
_I.setflags(write=False)


def identity() -> np.ndarray:
    return np.eye(3)


# The elementary matrices below are a copy of the identity with two entries set: 0.24 us
# against 0.72 us for np.array of nested lists (each spatial step builds one or more).
def translate(tx: float, ty: float) -> np.ndarray:
    m = _I.copy()
    m[0, 2] = tx
    m[1, 2] = ty
    return m


def scale(sx: float, sy: float | None = None) -> np.ndarray:
    m = _I.copy()
    m[0, 0] = sx
    m[1, 1] = sx if sy is None else sy
    return m


def rotate(angle: float) -> np.ndarray:
    """Rotation about the origin, counter-clockwise on screen for positive ``angle``."""
    a = math.radians(angle)
    c, s = math.cos(a), math.sin(a)
    return np.array([[c, s, 0.0], [-s, c, 0.0], [0.0, 0.0, 1.0]])


def shear(shear_x: float, shear_y: float) -> np.ndarray:
    """Shear angles in degrees (x shifts proportionally to y and vice versa)."""
    return np.array([[1.0, math.tan(math.radians(shear_x)), 0.0],
                     [math.tan(math.radians(shear_y)), 1.0, 0.0],
                     [0.0, 0.0, 1.0]])


def about(matrix: np.ndarray, cx: float, cy: float) -> np.ndarray:
    """Apply ``matrix`` about the point ``(cx, cy)`` instead of the origin."""
    return translate(cx, cy) @ matrix @ translate(-cx, -cy)


def hflip(width: int) -> np.ndarray:
    m = _I.copy()
    m[0, 0] = -1.0
    m[0, 2] = width
    return m


def vflip(height: int) -> np.ndarray:
    m = _I.copy()
    m[1, 1] = -1.0
    m[1, 2] = height
    return m


def transpose() -> np.ndarray:
    return np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])


def rot90(k: int, height: int, width: int) -> np.ndarray:
    """Matrix of ``np.rot90(img, k)`` (counter-clockwise quarter turns) for an HxW image."""
    k %= 4
    m = np.eye(3)
    h, w = height, width
    for _ in range(k):
        step = np.array([[0.0, 1.0, 0.0], [-1.0, 0.0, float(w)], [0.0, 0.0, 1.0]])
        m = step @ m
        h, w = w, h
    return m


def to_opencv(matrix: np.ndarray) -> np.ndarray:
    """Convert a continuous-space matrix to OpenCV's pixel-centres-on-integers convention."""
    return opencv_rows(np.asarray(matrix, dtype=np.float64).tolist())


def opencv_rows(rows) -> np.ndarray:
    """:func:`to_opencv` of a matrix given as plain-float rows: ``T(-0.5) M T(0.5)``, i.e.
    the third column gains half the sum of the first two and loses half of the new row 2.
    In plain floats: two 3x3 matmuls cost ~5 us per warp, much of a small image's warp;
    the result agrees with them to an ulp."""
    (a, b, tx), (c, d, ty), (g, h, k) = rows
    k2 = k + 0.5 * (g + h)
    return np.array([[a - 0.5 * g, b - 0.5 * h, tx + 0.5 * (a + b) - 0.5 * k2],
                     [c - 0.5 * g, d - 0.5 * h, ty + 0.5 * (c + d) - 0.5 * k2],
                     [g, h, k2]])


def apply_to_points(matrix: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Map ``(..., 2)`` points through a 3x3 matrix (projective division included)."""
    pts = np.asarray(points, dtype=np.float64)
    m = matrix
    # one small matmul (a 4-corner polygon: 2 us, against 8 us element by element)
    if m[2].tolist() == [0.0, 0.0, 1.0]:
        return pts @ m[:2, :2].T + m[:2, 2]
    h = pts @ m[:, :2].T + m[:, 2]
    return h[..., :2] / h[..., 2:3]


def jacobian(matrix: np.ndarray, points: np.ndarray) -> np.ndarray:
    """The 2x2 Jacobian of the map at each point, shape ``(N, 2, 2)``."""
    m = matrix
    x, y = points[:, 0], points[:, 1]
    w = m[2, 0] * x + m[2, 1] * y + m[2, 2]
    u = (m[0, 0] * x + m[0, 1] * y + m[0, 2]) / w
    v = (m[1, 0] * x + m[1, 1] * y + m[1, 2]) / w
    jac = np.empty((len(points), 2, 2))
    jac[:, 0, 0] = (m[0, 0] - u * m[2, 0]) / w
    jac[:, 0, 1] = (m[0, 1] - u * m[2, 1]) / w
    jac[:, 1, 0] = (m[1, 0] - v * m[2, 0]) / w
    jac[:, 1, 1] = (m[1, 1] - v * m[2, 1]) / w
    return jac


def is_affine(matrix: np.ndarray) -> bool:
    return bool(abs(matrix[2, 0]) < 1e-12 and abs(matrix[2, 1]) < 1e-12
                and abs(matrix[2, 2] - 1.0) < 1e-12)


def rect(height: float, width: float) -> np.ndarray:
    """The corners of the frame ``[0, width] x [0, height]``, counter-clockwise in (x, y)."""
    return np.array([[0.0, 0.0], [width, 0.0], [width, height], [0.0, height]])
