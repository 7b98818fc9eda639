"""Chains that hold displacement fields: walked step by step instead of multiplied.

* :func:`inverse_map` builds the whole chain's inverse map for ``cv2.remap`` (pixels);
* :func:`forward_chain` moves keypoints (and direction vectors) through it;
* :func:`boxes_through_chain` moves box outlines through it, clipping them where a step
  cuts the frame.

Runs of matrices are merged; a step reading outside its input frame is where content
ends (fill for pixels, a clip for annotations), exactly as applying the steps one by one.
"""

from __future__ import annotations

import cv2
import numpy as np

from augkit.geometry import matrices as mx
from augkit.geometry.warp import Warp, inverse


def inverse_map(warps: list[Warp], out_shape: tuple[int, int]):
    """Where every output pixel of a chain comes from: an ``(H, W, 2)`` float32 map in
    OpenCV's convention (pixel centres on integers, ready for ``cv2.remap``), and which
    pixels stay valid (uint8, or None when all do).

    A pixel is invalid when, at a step after the first that reads outside its input frame
    with a constant border, it comes from outside that frame (step-by-step it would be
    fill); the first step's own border is left to ``cv2.remap``.
    """
    h, w = out_shape
    keep = None
    xy = None
    k = len(warps) - 1
    while k >= 0:
        wp = warps[k]
        if wp.field is not None:
            xy = wp.field.sample_grid() if xy is None else wp.field.sample_xy(xy)
            first = k
        else:
            # merge this run of matrix steps into one inverse
            j = k
            m = wp.matrix
            while j >= 1 and warps[j - 1].field is None and not _clips(warps[j], j):
                j -= 1
                m = m @ warps[j].matrix
            if xy is None:
                xy = _pixel_centres(out_shape)
            inv = inverse(m)
            if mx.is_affine(inv):
                xy = cv2.transform(xy, inv[:2].astype(np.float32))
            else:
                xy = cv2.perspectiveTransform(xy, inv.astype(np.float32))
            first = j
        if _clips(warps[first], first):
            ih, iw = warps[first].in_shape
            x, y = xy[..., 0], xy[..., 1]
            inside = ((x >= 0) & (x <= iw) & (y >= 0) & (y <= ih)).view(np.uint8)
            keep = inside if keep is None else keep & inside
        k = first - 1
    if xy is None:
        xy = _pixel_centres(out_shape)
    # continuous -> OpenCV pixel-centre coordinates (in place unless xy is a shared grid)
    if xy.flags.writeable:
        xy -= np.float32(0.5)
    else:
        xy = xy - np.float32(0.5)
    return xy, keep


_CENTRES: dict[tuple, np.ndarray] = {}


def _pixel_centres(shape) -> np.ndarray:
    key = tuple(shape)
    grid = _CENTRES.get(key)
    if grid is None:
        h, w = shape
        xs = np.arange(w, dtype=np.float32) + np.float32(0.5)
        ys = np.arange(h, dtype=np.float32) + np.float32(0.5)
        grid = np.ascontiguousarray(np.stack(np.meshgrid(xs, ys), axis=-1))
        grid.setflags(write=False)
        if len(_CENTRES) > 64:
            _CENTRES.clear()
        _CENTRES[key] = grid
    return grid


def _clips(warp: Warp, index: int) -> bool:
    return index > 0 and warp.reads_outside and warp.border_mode == cv2.BORDER_CONSTANT


_EDGE_SAMPLES = 48


def box_samples(boxes: np.ndarray, interior: bool = True) -> tuple[np.ndarray, int]:
    """Points on each box's outline (48 per edge, in order around it), then a 7x7 grid
    inside it unless ``interior`` is False."""
    t = np.linspace(0.0, 1.0, _EDGE_SAMPLES, endpoint=False)
    x1, y1, x2, y2 = (boxes[:, i:i + 1] for i in range(4))
    top = np.stack([x1 + (x2 - x1) * t, np.broadcast_to(y1, (len(boxes), len(t)))], axis=-1)
    right = np.stack([np.broadcast_to(x2, (len(boxes), len(t))), y1 + (y2 - y1) * t], axis=-1)
    bottom = np.stack([x2 - (x2 - x1) * t, np.broadcast_to(y2, (len(boxes), len(t)))], axis=-1)
    left = np.stack([np.broadcast_to(x1, (len(boxes), len(t))), y2 - (y2 - y1) * t], axis=-1)
    g = np.linspace(0.0, 1.0, 9)[1:-1]
    gx, gy = np.meshgrid(g, g)
    inner = np.stack([x1 + (x2 - x1) * gx.ravel(), y1 + (y2 - y1) * gy.ravel()], axis=-1)
    outline = np.concatenate([top, right, bottom, left], axis=1)
    if not interior:
        return outline, outline.shape[1]
    return np.concatenate([outline, inner], axis=1), outline.shape[1]


def boxes_through_chain(warps: list[Warp], boxes: np.ndarray):
    """Boxes through a chain holding fields: the extent of each box's visible part.

    Each box is a dense outline polygon pushed through the steps one by one. Where a step
    cuts the frame, the polygon is clipped to it (Sutherland-Hodgman works for any
    polygon against a rectangle) and resampled, so the piece of frame edge that now
    bounds the object gets points of its own and bends with the later fields. Returns the
    boxes, their extents before the final cut (for ``min_visibility``), and which survive.
    """
    n = len(boxes)
    rings, _ = box_samples(boxes, interior=False)
    polys = [rings[i] for i in range(n)]
    for wp in warps:
        if wp.reads_outside:
            polys = [_resample_ring(_clip_ring(p, *wp.in_shape)) for p in polys]
        sizes = [len(p) for p in polys]
        flat = np.concatenate([p for p in polys if len(p)] or [np.zeros((0, 2))])
        if wp.field is not None:
            new, converged = wp.field.forward_points(flat)
        else:
            new, converged = mx.apply_to_points(wp.matrix, flat), np.ones(len(flat), dtype=bool)
        out, start = [], 0
        for size in sizes:
            piece, ok = new[start:start + size], converged[start:start + size]
            # points the field never shows (they fell outside the picture) leave the outline
            out.append(piece[ok] if size else piece)
            start += size
        polys = out
    h, w = warps[-1].out_shape
    full = np.zeros((n, 4))
    clipped = np.zeros((n, 4))
    ok = np.zeros(n, dtype=bool)
    for i, p in enumerate(polys):
        if len(p) < 3:
            continue
        full[i] = [*p.min(axis=0), *p.max(axis=0)]
        c = _clip_ring(p, h, w)
        if len(c) >= 3 and abs(polygons_area(c)) > 1e-9:
            clipped[i] = [*c.min(axis=0), *c.max(axis=0)]
            ok[i] = True
    return clipped, full, ok


def polygons_area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * float(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))


def _clip_ring(ring: np.ndarray, h: float, w: float) -> np.ndarray:
    """A closed polygon (any shape) clipped to the rectangle ``[0, w] x [0, h]``."""
    for axis, bound, keep_below in ((0, 0.0, False), (0, w, True), (1, 0.0, False), (1, h, True)):
        if len(ring) == 0:
            break
        v = ring[:, axis] - bound
        inside = v <= 1e-12 if keep_below else v >= -1e-12
        prev = np.roll(ring, 1, axis=0)
        vp = np.roll(v, 1)
        prev_in = np.roll(inside, 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = vp / (vp - v)
            cross = prev + t[:, None] * (ring - prev)
        # for each vertex: [crossing if the edge into it changes side] + [vertex if inside]
        pts = np.stack([cross, ring], axis=1)
        use = np.stack([inside != prev_in, inside], axis=1)
        ring = pts[use]
    return ring


def _resample_ring(ring: np.ndarray, spacing: float = 1.0) -> np.ndarray:
    """Points every ``spacing`` pixels along a closed polygon (its vertices included)."""
    if len(ring) < 2:
        return ring
    nxt = np.roll(ring, -1, axis=0)
    length = np.linalg.norm(nxt - ring, axis=1)
    counts = np.maximum(1, np.ceil(length / spacing).astype(int))
    if counts.sum() > 20000:  # enormous outlines: keep the vertices
        return ring
    idx = np.repeat(np.arange(len(ring)), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    t = (offsets / counts[idx])[:, None]
    return ring[idx] + t * (nxt[idx] - ring[idx])


def _inside_rings(points: np.ndarray, rings: np.ndarray) -> np.ndarray:
    """Which of ``points (P, 2)`` lie inside each closed polygon ``rings (N, R, 2)``
    (even-odd rule): ``(N, P)``."""
    a = rings
    b = np.roll(rings, -1, axis=1)
    px = points[None, :, None, 0]
    py = points[None, :, None, 1]
    ay, by = a[:, None, :, 1], b[:, None, :, 1]
    ax, bx = a[:, None, :, 0], b[:, None, :, 0]
    straddle = (ay > py) != (by > py)
    with np.errstate(divide="ignore", invalid="ignore"):
        x_cross = ax + (py - ay) * (bx - ax) / (by - ay)
    crosses = straddle & (px < x_cross)
    return (crosses.sum(axis=2) % 2) == 1


def forward_chain(warps: list[Warp], pts: np.ndarray, directions: np.ndarray | None,
                  with_reached: bool = False):
    """Points (and direction vectors) through a chain in order; visibility; scale change.

    With ``with_reached``, also whether each point made it through every step (it may
    still lie outside the final frame)."""
    pts = np.asarray(pts, dtype=np.float64)
    visible = np.ones(len(pts), dtype=bool)
    scale = np.ones(len(pts))
    d = directions
    for wp in warps:
        ih, iw = wp.in_shape
        if wp.reads_outside:
            visible &= (pts[:, 0] >= 0) & (pts[:, 0] <= iw) & (pts[:, 1] >= 0) & (pts[:, 1] <= ih)
        if wp.field is not None:
            new, ok = wp.field.forward_points(pts)
            visible &= ok
            if d is not None:
                jac = np.linalg.inv(wp.field.jacobian(new))
        else:
            new = mx.apply_to_points(wp.matrix, pts)
            if d is not None:
                jac = mx.jacobian(wp.matrix, pts)
        if d is not None:
            d = np.einsum("nij,nj->ni", jac, d)
            scale = scale * np.sqrt(np.abs(np.linalg.det(jac)))
        pts = new
    oh, ow = warps[-1].out_shape
    reached = visible.copy()
    visible &= (pts[:, 0] >= 0) & (pts[:, 0] < ow) & (pts[:, 1] >= 0) & (pts[:, 1] < oh)
    if with_reached:
        return pts, visible, d, scale, reached
    return pts, visible, d, scale
