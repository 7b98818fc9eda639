"""Displacement fields: non-linear warps given as an inverse map on a lattice.

A :class:`Field` says, for every point ``q`` of a step's output frame, which point of its
input frame it shows. It is stored on a regular lattice of nodes that spans the output
frame corners included (node ``(i, j)`` sits at ``(j * W / (gw - 1), i * H / (gh - 1))``)
and interpolated bilinearly between nodes, so distortions compute their fields at the
resolution the effect needs (GridDistortion: one node per grid line; ElasticTransform: a
node every few pixels) and the engine samples it wherever it needs to:

* pixels: the whole chain's inverse map is built at output resolution and applied with one
  ``cv2.remap``;
* keypoints and box outlines: the map is inverted locally by Newton steps on the bilinear
  interpolant (sub-pixel, no rounding to the grid).
"""

from __future__ import annotations

import functools
import math

import cv2
import numpy as np


class Field:
    """Inverse map of one step on a lattice: ``nodes[i, j] = (x, y)`` in the input frame."""

    def __init__(self, nodes: np.ndarray, out_shape: tuple[int, int], separable: bool = False):
        nodes = np.asarray(nodes, dtype=np.float64)
        if nodes.ndim != 3 or nodes.shape[2] != 2 or nodes.shape[0] < 2 or nodes.shape[1] < 2:
            raise ValueError(f"field nodes must be (gh >= 2, gw >= 2, 2), got {nodes.shape}")
        self.nodes = nodes
        self.out_shape = (int(out_shape[0]), int(out_shape[1]))
        gh, gw = nodes.shape[:2]
        h, w = self.out_shape
        self._sx = (gw - 1) / w  # lattice units per output pixel
        self._sy = (gh - 1) / h
        self._nx = np.ascontiguousarray(nodes[..., 0], dtype=np.float32)
        self._ny = np.ascontiguousarray(nodes[..., 1], dtype=np.float32)
        # a separable field (x depends on x only, y on y only: GridDistortion) is built from
        # two 1-D interpolations instead of two full-resolution remaps
        self.separable = bool(separable)

    # Each coordinate is sampled on its own: remapping the two-channel lattice at once,
    # OpenCV rounds the interpolation weights to 1/32 of a cell (pixels on coarse
    # lattices), while a single-channel float remap is exact (measured: 1.6 vs 1e-5).
    def _sample(self, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        sx = cv2.remap(self._nx, u, v, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        sy = cv2.remap(self._ny, u, v, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        if u.ndim == 2:  # interleaved by one cv2.merge (two strided numpy copies cost more)
            return cv2.merge([sx, sy])
        out = np.empty(u.shape + (2,), np.float32)
        out[..., 0] = sx.reshape(u.shape)
        out[..., 1] = sy.reshape(u.shape)
        return out

    def sample_grid(self) -> np.ndarray:
        """Input coordinates of every output pixel centre, ``(H, W, 2)`` float32."""
        if self.separable:
            h, w = self.out_shape
            gh, gw = self.nodes.shape[:2]
            fx = np.interp((np.arange(w) + 0.5) * self._sx, np.arange(gw), self.nodes[0, :, 0])
            fy = np.interp((np.arange(h) + 0.5) * self._sy, np.arange(gh), self.nodes[:, 0, 1])
            out = np.empty((h, w, 2), np.float32)
            out[..., 0] = fx[None, :]
            out[..., 1] = fy[:, None]
            return out
        return self._sample(*_lattice_grid(self.out_shape, self.nodes.shape[:2]))

    def sample_xy(self, xy: np.ndarray) -> np.ndarray:
        """Input coordinates of output points ``xy`` (``(H, W, 2)`` float32), same shape."""
        return self._sample(xy[..., 0] * np.float32(self._sx), xy[..., 1] * np.float32(self._sy))

    # -- inverse map (output -> input) -------------------------------------------------
    def sample_dense(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Input-frame coordinates of float32 output-frame points (any shape, e.g. H x W)."""
        u = (x * self._sx).astype(np.float32)
        v = (y * self._sy).astype(np.float32)
        sx = cv2.remap(self._nx, u, v, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        sy = cv2.remap(self._ny, u, v, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        return sx, sy

    def _cell(self, q: np.ndarray):
        # beyond the lattice the border cells extend linearly, so points just outside the
        # frame (where an object leaves the picture) still map and invert smoothly
        gh, gw = self.nodes.shape[:2]
        u = q[:, 0] * self._sx
        v = q[:, 1] * self._sy
        j = np.clip(np.floor(u).astype(np.int64), 0, gw - 2)
        i = np.clip(np.floor(v).astype(np.int64), 0, gh - 2)
        return i, j, u - j, v - i

    def sample_points(self, q: np.ndarray) -> np.ndarray:
        """Input-frame coordinates of ``(N, 2)`` output-frame points (float64)."""
        i, j, a, b = self._cell(q)
        n = self.nodes
        p00, p01, p10, p11 = n[i, j], n[i, j + 1], n[i + 1, j], n[i + 1, j + 1]
        a, b = a[:, None], b[:, None]
        return (1 - b) * ((1 - a) * p00 + a * p01) + b * ((1 - a) * p10 + a * p11)

    def jacobian(self, q: np.ndarray) -> np.ndarray:
        """d(input) / d(output) of the bilinear interpolant at ``(N, 2)`` points: (N, 2, 2)."""
        i, j, a, b = self._cell(q)
        n = self.nodes
        p00, p01, p10, p11 = n[i, j], n[i, j + 1], n[i + 1, j], n[i + 1, j + 1]
        a, b = a[:, None], b[:, None]
        d_da = (1 - b) * (p01 - p00) + b * (p11 - p10)
        d_db = (1 - a) * (p10 - p00) + a * (p11 - p01)
        jac = np.empty((len(q), 2, 2))
        jac[:, :, 0] = d_da * self._sx
        jac[:, :, 1] = d_db * self._sy
        return jac

    # -- forward map (input -> output), for keypoints and box outlines --------------------
    def forward_points(self, p: np.ndarray, iterations: int = 12) -> tuple[np.ndarray, np.ndarray]:
        """Output-frame points that show input points ``p`` (N, 2), and whether each converged.

        Newton steps on the bilinear interpolant, started from the nearest lattice node's
        image; a point the field never reaches (it fell outside the picture) does not
        converge and is reported so.
        """
        p = np.asarray(p, dtype=np.float64)
        if len(p) == 0:
            return p.reshape(0, 2), np.zeros(0, dtype=bool)
        q = self._initial_guess(p)
        h, w = self.out_shape
        for _ in range(iterations):
            r = self.sample_points(q) - p
            jac = self.jacobian(q)
            det = jac[:, 0, 0] * jac[:, 1, 1] - jac[:, 0, 1] * jac[:, 1, 0]
            ok = np.abs(det) > 1e-12
            safe = np.where(ok, det, 1.0)
            dx = (jac[:, 1, 1] * r[:, 0] - jac[:, 0, 1] * r[:, 1]) / safe
            dy = (-jac[:, 1, 0] * r[:, 0] + jac[:, 0, 0] * r[:, 1]) / safe
            step = np.stack([dx, dy], axis=1)
            # damp long steps: the interpolant is only piecewise smooth
            length = np.linalg.norm(step, axis=1, keepdims=True)
            limit = 0.5 * max(w / (self.nodes.shape[1] - 1), h / (self.nodes.shape[0] - 1), 1.0)
            step = np.where(length > limit, step * (limit / np.maximum(length, 1e-12)), step)
            q = q - np.where(ok[:, None], step, 0.0)
            # stay within a margin of the frame: far outside, the extension means nothing
            q[:, 0] = np.clip(q[:, 0], -0.25 * w, 1.25 * w)
            q[:, 1] = np.clip(q[:, 1], -0.25 * h, 1.25 * h)
        residual = np.linalg.norm(self.sample_points(q) - p, axis=1)
        ok = residual < 1e-3
        if not ok.all():
            # a point the field never shows (it fell outside the picture): keep it where it
            # was, shifted like the nearest part of the frame, rather than clamped onto the
            # border where it would look visible
            edge = self.sample_points(q[~ok])
            q[~ok] = q[~ok] + (p[~ok] - edge)
        return q, ok

    def _initial_guess(self, p: np.ndarray) -> np.ndarray:
        gh, gw = self.nodes.shape[:2]
        flat = self.nodes.reshape(-1, 2)
        # nearest node by input position (a few thousand nodes at most: brute force in chunks)
        best = np.empty(len(p), dtype=np.int64)
        for s in range(0, len(p), 256):
            d = ((p[s:s + 256, None, :] - flat[None]) ** 2).sum(-1)
            best[s:s + 256] = d.argmin(axis=1)
        i, j = np.divmod(best, gw)
        h, w = self.out_shape
        return np.stack([j * w / (gw - 1), i * h / (gh - 1)], axis=1).astype(np.float64)

    def reads_outside(self, in_shape: tuple[int, int], tol: float = 1e-6) -> bool:
        h, w = in_shape
        # the nodes' extent in two reductions (four np.any passes cost ~10 us on a small
        # lattice); NaN nodes (which the reductions spread) get the elementwise test
        flat = self.nodes.reshape(-1, 2)
        (x0, y0), (x1, y1) = flat.min(axis=0).tolist(), flat.max(axis=0).tolist()
        if math.isnan(x0 + y0 + x1 + y1):
            x, y = flat[:, 0], flat[:, 1]
            return bool(np.any(x < -tol) or np.any(y < -tol) or np.any(x > w + tol) or np.any(y > h + tol))
        return x0 < -tol or y0 < -tol or x1 > w + tol or y1 > h + tol


_GRIDS: dict[tuple, np.ndarray] = {}


def _lattice_grid(out_shape, lattice_shape) -> tuple[np.ndarray, np.ndarray]:
    """Output pixel centres in lattice units (remap maps), cached: they depend on sizes only."""
    key = (tuple(out_shape), tuple(lattice_shape))
    grid = _GRIDS.get(key)
    if grid is None:
        h, w = out_shape
        gh, gw = lattice_shape
        u = (np.arange(w, dtype=np.float64) + 0.5) * ((gw - 1) / w)
        v = (np.arange(h, dtype=np.float64) + 0.5) * ((gh - 1) / h)
        grid = tuple(np.ascontiguousarray(g, dtype=np.float32) for g in np.meshgrid(u, v))
        for g in grid:
            g.setflags(write=False)
        if len(_GRIDS) > 64:  # a few sizes recur in training; do not grow without bound
            _GRIDS.clear()
        _GRIDS[key] = grid
    return grid


def identity_nodes(out_shape: tuple[int, int], gh: int, gw: int) -> np.ndarray:
    """Lattice of ``gh`` x ``gw`` nodes spanning the frame, holding their own positions
    (a new array: callers move the nodes in place)."""
    return _identity_nodes(int(out_shape[0]), int(out_shape[1]), int(gh), int(gw)).copy()


@functools.lru_cache(maxsize=64)
def _identity_nodes(h: int, w: int, gh: int, gw: int) -> np.ndarray:
    # built once per size: linspace, meshgrid and stack cost ~50 us together, a third of
    # OpticalDistortion on a 64x64 image
    ys = np.linspace(0.0, h, gh)
    xs = np.linspace(0.0, w, gw)
    nodes = np.stack(np.meshgrid(xs, ys), axis=-1)
    nodes.setflags(write=False)
    return nodes
