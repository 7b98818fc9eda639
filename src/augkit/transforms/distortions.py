"""Non-linear warps: elastic, grid, optical, piecewise-affine and thin-plate-spline distortions.

Each returns a :class:`~augkit.geometry.field.Field` (an inverse map on a lattice) computed
at the resolution the effect needs; the engine fuses it with neighbouring steps (one
``cv2.remap`` for the whole chain) and moves keypoints and box outlines through it by
local Newton inversion, so they stay on their content to the sub-pixel.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import Any

import cv2
import numpy as np

from augkit.core import params as P
from augkit.geometry.field import Field, identity_nodes
from augkit.geometry.warp import Warp
from augkit.transforms._spatial import ResamplingTransform

__all__ = ["ElasticTransform", "GridDistortion", "GridElasticDeform", "OpticalDistortion",
           "PiecewiseAffine", "ThinPlateSpline"]

_REMAP_METHODS = ("direct", "mask")
_ELASTIC_GAIN = 0.227


class _FieldTransform(ResamplingTransform):
    """A distortion: ``sample`` returns ``{"nodes": (gh, gw, 2)}`` source coordinates."""

    def _init_field(self, interpolation, mask_interpolation, border_mode, fill, fill_mask,
                    keypoint_remapping_method="mask"):
        self._init_resampling(interpolation, mask_interpolation, border_mode, fill, fill_mask)
        # augkit always inverts the field exactly; the argument is kept for compatibility
        self.keypoint_remapping_method = P.check_choice(
            type(self).__name__, "keypoint_remapping_method", keypoint_remapping_method, _REMAP_METHODS)

    def get_warp(self, params, state):
        field = Field(params["nodes"], state.shape, separable=params.get("separable", False))
        w = Warp(np.eye(3), state.shape, state.shape, interpolation=self.interpolation,
                 mask_interpolation=self.mask_interpolation, border_mode=self.border_mode,
                 fill=self.fill, fill_mask=self.fill_mask, field=field)
        w.box_method = "largest_box"
        return w


def _lattice(shape, spacing: float) -> tuple[int, int]:
    h, w = shape
    return max(2, int(math.ceil(h / spacing)) + 1), max(2, int(math.ceil(w / spacing)) + 1)


@functools.lru_cache(maxsize=64)
def _radial_lattice(h: int, w: int, gh: int, gw: int, mode: str):
    """The lattice nodes' offsets from the centre and their squared radius in the model's
    units, per size (read-only; what OpticalDistortion draws per call is one factor)."""
    nodes = identity_nodes((h, w), gh, gw)
    cx, cy = w / 2.0, h / 2.0
    dx, dy = nodes[..., 0] - cx, nodes[..., 1] - cy
    if mode == "camera":
        f = float(max(w, h))  # the same strength in portrait and landscape
        r2 = (dx * dx + dy * dy) / (f * f)
    else:
        half_diag = math.hypot(cx, cy)
        r2 = (dx * dx + dy * dy) / (half_diag * half_diag)
    for a in (dx, dy, r2):
        a.setflags(write=False)
    return dx, dy, r2


class ElasticTransform(_FieldTransform):
    """Elastic deformation: a random displacement field smoothed by a Gaussian of ``sigma``,
    scaled by ``alpha`` (Simard et al.).

    The field is drawn on a lattice of about ``sigma / 4`` pixels (it is smooth at that
    scale) and its magnitude is corrected for the coarser sampling, so it matches a
    per-pixel field statistically at a fraction of the cost.

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: uint8, uint16, float32 (masks: any).

    >>> import numpy as np
    >>> from augkit.transforms.distortions import ElasticTransform
    >>> ElasticTransform(alpha=30, sigma=6, p=1.0)(image=np.zeros((32, 32), np.uint8))["image"].shape
    (32, 32)
    """

    def __init__(self, alpha: float = 1, sigma: float = 50, interpolation: int = cv2.INTER_LINEAR,
                 approximate: bool = False, same_dxdy: bool = False,
                 mask_interpolation: int = cv2.INTER_NEAREST, noise_distribution: str = "gaussian",
                 keypoint_remapping_method: str = "mask", border_mode: int = cv2.BORDER_CONSTANT,
                 fill: Any = 0, fill_mask: Any = 0, p: float = 0.5):
        super().__init__(p=p)
        self.alpha = float(P.check_number("ElasticTransform", "alpha", alpha, 0))
        self.sigma = float(P.check_number("ElasticTransform", "sigma", sigma, 0, low_inclusive=False))
        self.approximate = bool(approximate)
        self.same_dxdy = bool(same_dxdy)
        self.noise_distribution = P.check_choice("ElasticTransform", "noise_distribution",
                                                 noise_distribution, ("gaussian", "uniform"))
        self._init_field(interpolation, mask_interpolation, border_mode, fill, fill_mask,
                         keypoint_remapping_method)

    def sample(self, rng, state):
        h, w = state.shape
        spacing = max(1.0, self.sigma / 4.0)
        gh, gw = _lattice(state.shape, spacing)
        count = 1 if self.same_dxdy else 2
        if self.noise_distribution == "gaussian":
            noise = rng.standard_normal((count, gh, gw), dtype=np.float32)
        else:
            noise = rng.uniform(-1.0, 1.0, (count, gh, gw)).astype(np.float32)
        s = self.sigma / spacing
        k = int(2 * math.ceil(3 * s) + 1)
        disp = np.stack([cv2.GaussianBlur(n, (k, k), s, borderType=cv2.BORDER_REFLECT_101) for n in noise])
        # white noise smoothed at 1/spacing of the resolution is `spacing` times stronger;
        # the constant matches Albumentations 2.0.8's displacement for the same alpha and
        # sigma (measured: mean displacement 0.5 px at alpha=40, sigma=6; 1.3 px at 300, 20)
        disp *= self.alpha / spacing * _ELASTIC_GAIN
        if self.same_dxdy:
            disp = np.concatenate([disp, disp])
        nodes = identity_nodes((h, w), gh, gw)
        nodes[..., 0] += disp[0]
        nodes[..., 1] += disp[1]
        return {"nodes": nodes}


class GridDistortion(_FieldTransform):
    """Split the image into ``num_steps`` x ``num_steps`` cells and stretch or squeeze each
    row and column of cells by a random factor ``1 + uniform(distort_limit)``.

    ``normalized=True`` rescales the steps so that they still span the image exactly (no
    content leaves, no border enters).

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: uint8, uint16, float32 (masks: any).

    >>> import numpy as np
    >>> from augkit.transforms.distortions import GridDistortion
    >>> GridDistortion(p=1.0)(image=np.zeros((20, 20), np.uint8))["image"].shape
    (20, 20)
    """

    def __init__(self, num_steps: int = 5, distort_limit: Any = (-0.3, 0.3),
                 interpolation: int = cv2.INTER_LINEAR, normalized: bool = True,
                 mask_interpolation: int = cv2.INTER_NEAREST, keypoint_remapping_method: str = "mask",
                 border_mode: int = cv2.BORDER_CONSTANT, fill: Any = 0, fill_mask: Any = 0,
                 p: float = 0.5):
        super().__init__(p=p)
        self.num_steps = int(P.check_number("GridDistortion", "num_steps", num_steps, 1, integer=True))
        self.distort_limit = P.to_range("GridDistortion", "distort_limit", distort_limit, bounds=(-1, 1))
        self.normalized = bool(normalized)
        self._init_field(interpolation, mask_interpolation, border_mode, fill, fill_mask,
                         keypoint_remapping_method)

    def sample(self, rng, state):
        h, w = state.shape
        n = self.num_steps

        def positions(size):
            steps = (size / n) * (1.0 + rng.uniform(*self.distort_limit, size=n))
            if self.normalized:
                steps *= size / steps.sum()
            return np.concatenate([[0.0], np.cumsum(steps)])

        xs, ys = positions(w), positions(h)
        nodes = np.stack(np.meshgrid(xs, ys), axis=-1)
        return {"nodes": nodes, "separable": True}


class OpticalDistortion(_FieldTransform):
    """Radial lens distortion with a random coefficient ``k`` in ``distort_limit``.

    ``mode="camera"``: a point at normalized radius ``r`` (focal length = the longer side,
    centre = image centre) shows the source point at radius ``r (1 + k r^2 + k r^4)``.
    ``mode="fisheye"``: ``r (1 + k r^2)`` with ``r`` normalized by the half-diagonal.

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: uint8, uint16, float32 (masks: any).

    >>> import numpy as np
    >>> from augkit.transforms.distortions import OpticalDistortion
    >>> OpticalDistortion(p=1.0)(image=np.zeros((20, 20), np.uint8))["image"].shape
    (20, 20)
    """

    def __init__(self, distort_limit: Any = (-0.05, 0.05), mode: str = "camera",
                 interpolation: int = cv2.INTER_LINEAR, mask_interpolation: int = cv2.INTER_NEAREST,
                 keypoint_remapping_method: str = "mask", border_mode: int = cv2.BORDER_CONSTANT,
                 fill: Any = 0, fill_mask: Any = 0, p: float = 0.5):
        super().__init__(p=p)
        self.distort_limit = P.to_range("OpticalDistortion", "distort_limit", distort_limit)
        self.mode = P.check_choice("OpticalDistortion", "mode", mode, ("camera", "fisheye"))
        self._init_field(interpolation, mask_interpolation, border_mode, fill, fill_mask,
                         keypoint_remapping_method)

    def sample(self, rng, state):
        h, w = state.shape
        k = float(P.draw_uniform(rng, *self.distort_limit))
        gh, gw = _lattice(state.shape, 8.0)  # radial maps are smooth: 8 px cells, < 0.05 px error
        dx, dy, r2 = _radial_lattice(h, w, gh, gw, self.mode)
        if self.mode == "camera":
            factor = 1.0 + k * r2 + k * r2 * r2
        else:
            factor = 1.0 + k * r2
        nodes = np.empty((gh, gw, 2))
        nodes[..., 0] = w / 2.0 + dx * factor
        nodes[..., 1] = h / 2.0 + dy * factor
        return {"nodes": nodes, "k": k}


class PiecewiseAffine(_FieldTransform):
    """Jitter a regular grid of ``nb_rows`` x ``nb_cols`` points by ``N(0, scale)`` and warp
    each cell to follow its corners.

    ``scale`` is a fraction of the image side (``absolute_scale=True``: pixels). Cells are
    interpolated bilinearly between their four corners (imgaug splits them into two
    triangles; both are continuous and follow the same points).

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: uint8, uint16, float32 (masks: any).

    >>> import numpy as np
    >>> from augkit.transforms.distortions import PiecewiseAffine
    >>> PiecewiseAffine(p=1.0)(image=np.zeros((20, 20), np.uint8))["image"].shape
    (20, 20)
    """

    def __init__(self, scale: Any = (0.03, 0.05), nb_rows: Any = (4, 4), nb_cols: Any = (4, 4),
                 interpolation: int = cv2.INTER_LINEAR, mask_interpolation: int = cv2.INTER_NEAREST,
                 absolute_scale: bool = False, keypoint_remapping_method: str = "mask",
                 border_mode: int = cv2.BORDER_CONSTANT, fill: Any = 0, fill_mask: Any = 0,
                 p: float = 0.5):
        super().__init__(p=p)
        self.scale = P.to_range("PiecewiseAffine", "scale", scale, scalar="zero", bounds=(0, None))
        self.nb_rows = P.to_range("PiecewiseAffine", "nb_rows", nb_rows, scalar="point", integer=True, bounds=(2, None))
        self.nb_cols = P.to_range("PiecewiseAffine", "nb_cols", nb_cols, scalar="point", integer=True, bounds=(2, None))
        self.absolute_scale = bool(absolute_scale)
        self._init_field(interpolation, mask_interpolation, border_mode, fill, fill_mask,
                         keypoint_remapping_method)

    def sample(self, rng, state):
        h, w = state.shape
        rows = P.draw_int(rng, self.nb_rows[0], self.nb_rows[1])
        cols = P.draw_int(rng, self.nb_cols[0], self.nb_cols[1])
        sigma = float(P.draw_uniform(rng, *self.scale))
        nodes = identity_nodes((h, w), rows, cols)
        jitter = rng.normal(0.0, sigma, size=nodes.shape)
        if not self.absolute_scale:
            jitter *= [w, h]
        nodes = nodes + jitter
        return {"nodes": nodes}


class ThinPlateSpline(_FieldTransform):
    """Smooth bending: a grid of ``num_control_points`` per side is displaced by up to
    ``scale_range`` (fraction of the side) and a thin-plate spline interpolates between them.

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: uint8, uint16, float32 (masks: any).

    >>> import numpy as np
    >>> from augkit.transforms.distortions import ThinPlateSpline
    >>> ThinPlateSpline(p=1.0)(image=np.zeros((20, 20), np.uint8))["image"].shape
    (20, 20)
    """

    def __init__(self, scale_range: Any = (0.2, 0.4), num_control_points: int = 4,
                 interpolation: int = cv2.INTER_LINEAR, mask_interpolation: int = cv2.INTER_NEAREST,
                 keypoint_remapping_method: str = "mask", border_mode: int = cv2.BORDER_CONSTANT,
                 fill: Any = 0, fill_mask: Any = 0, p: float = 0.5):
        super().__init__(p=p)
        self.scale_range = P.to_range("ThinPlateSpline", "scale_range", scale_range, scalar="point", bounds=(0, 1))
        self.num_control_points = int(P.check_number("ThinPlateSpline", "num_control_points",
                                                     num_control_points, 2, integer=True))
        self._init_field(interpolation, mask_interpolation, border_mode, fill, fill_mask,
                         keypoint_remapping_method)

    def sample(self, rng, state):
        h, w = state.shape
        n = self.num_control_points
        scale = float(P.draw_uniform(rng, *self.scale_range))
        # control points in normalized [0, 1] coordinates, displaced by up to scale / n
        g = np.linspace(0.0, 1.0, n)
        dst = np.stack(np.meshgrid(g, g), axis=-1).reshape(-1, 2)
        src = dst + rng.normal(0.0, scale / n, size=dst.shape) * 0.5
        gh, gw = _lattice(state.shape, 8.0)
        lattice = identity_nodes((1.0, 1.0), gh, gw).reshape(-1, 2)
        mapped = _tps(dst, src, lattice).reshape(gh, gw, 2)
        nodes = mapped * [w, h]
        return {"nodes": nodes}


def _tps(ctrl: np.ndarray, values: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """Thin-plate spline through ``ctrl -> values`` evaluated at ``pts`` (all (N, 2))."""
    def kernel(d2):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(d2 > 0, d2 * np.log(d2 + 1e-300) * 0.5, 0.0)

    n = len(ctrl)
    d2 = ((ctrl[:, None, :] - ctrl[None, :, :]) ** 2).sum(-1)
    a = np.zeros((n + 3, n + 3))
    a[:n, :n] = kernel(d2)
    a[:n, n] = 1.0
    a[:n, n + 1:] = ctrl
    a[n, :n] = 1.0
    a[n + 1:, :n] = ctrl.T
    b = np.zeros((n + 3, 2))
    b[:n] = values
    coef = np.linalg.solve(a, b)
    d2p = ((pts[:, None, :] - ctrl[None, :, :]) ** 2).sum(-1)
    return kernel(d2p) @ coef[:n] + coef[n] + pts @ coef[n + 1:]


class GridElasticDeform(_FieldTransform):
    """Displace the nodes of a ``num_grid_xy = (columns, rows)`` grid by up to ``magnitude``
    pixels at random; cells follow their corners.

    Targets: image, mask, masks, bboxes, keypoints. Dtypes: uint8, uint16, float32 (masks: any).

    >>> import numpy as np
    >>> from augkit.transforms.distortions import GridElasticDeform
    >>> GridElasticDeform(num_grid_xy=(4, 4), magnitude=3)(image=np.zeros((20, 20), np.uint8))["image"].shape
    (20, 20)
    """

    def __init__(self, num_grid_xy: tuple[int, int], magnitude: int,
                 interpolation: int = cv2.INTER_LINEAR, mask_interpolation: int = cv2.INTER_NEAREST,
                 p: float = 1.0):
        super().__init__(p=p)
        if not (isinstance(num_grid_xy, Sequence) and len(num_grid_xy) == 2
                and all(isinstance(v, (int, np.integer)) and v > 1 for v in num_grid_xy)):
            raise P.fail("GridElasticDeform", "num_grid_xy", num_grid_xy,
                         "num_grid_xy must be (columns, rows) with integers > 1")
        self.num_grid_xy = (int(num_grid_xy[0]), int(num_grid_xy[1]))
        self.magnitude = P.check_number("GridElasticDeform", "magnitude", magnitude, 0, low_inclusive=False)
        self._init_field(interpolation, mask_interpolation, cv2.BORDER_CONSTANT, 0, 0)

    def sample(self, rng, state):
        h, w = state.shape
        cols, rows = self.num_grid_xy
        nodes = identity_nodes((h, w), rows + 1, cols + 1)
        disp = rng.uniform(-self.magnitude, self.magnitude, size=nodes.shape)
        # keep the frame's outline in place so no border enters
        disp[0, :, 1] = disp[-1, :, 1] = 0.0
        disp[:, 0, 0] = disp[:, -1, 0] = 0.0
        return {"nodes": nodes + disp}
