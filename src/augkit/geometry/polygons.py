"""Convex polygon operations used to clip boxes and keypoints to what stays visible.

Everything is vectorized over boxes; the clip region (the output frame intersected with
the frames of intermediate steps that read outside their input) is one small convex
polygon shared by all boxes.
"""

from __future__ import annotations

import numpy as np

_EPS = 1e-9


def signed_area(poly: np.ndarray) -> np.ndarray:
    """Signed area of polygons ``(..., K, 2)`` (positive when counter-clockwise in x-right, y-up)."""
    x, y = poly[..., 0], poly[..., 1]
    return 0.5 * np.sum(x * np.roll(y, -1, axis=-1) - np.roll(x, -1, axis=-1) * y, axis=-1)


def clip_convex(subject: np.ndarray, clip: np.ndarray) -> np.ndarray:
    """Sutherland-Hodgman: the part of one convex polygon inside another, ``(K, 2)``.

    Plain Python floats: the polygons have a handful of vertices, where numpy's per-call
    cost dominates (a 4-gon against a 4-gon: 9 us instead of 95 us).
    """
    out = [(float(x), float(y)) for x, y in np.asarray(subject, dtype=np.float64).tolist()]
    cl = np.asarray(clip, dtype=np.float64).tolist()
    n = len(cl)
    area2 = sum(cl[i][0] * cl[(i + 1) % n][1] - cl[(i + 1) % n][0] * cl[i][1] for i in range(n))
    orient = 1.0 if area2 >= 0 else -1.0
    for i in range(n):
        if not out:
            break
        ax, ay = cl[i]
        ex, ey = cl[(i + 1) % n][0] - ax, cl[(i + 1) % n][1] - ay
        sides = [orient * (ex * (y - ay) - ey * (x - ax)) for x, y in out]
        inp, out = out, []
        for j in range(len(inp)):
            (cx, cy), (px, py) = inp[j], inp[j - 1]
            s_cur, s_prev = sides[j], sides[j - 1]
            if s_cur >= -_EPS:
                if s_prev < -_EPS:
                    t = s_prev / (s_prev - s_cur)
                    out.append((px + t * (cx - px), py + t * (cy - py)))
                out.append((cx, cy))
            elif s_prev >= -_EPS:
                t = s_prev / (s_prev - s_cur)
                out.append((px + t * (cx - px), py + t * (cy - py)))
    return np.asarray(out, dtype=np.float64).reshape(-1, 2)


def intersect_all(polygons: list[np.ndarray]) -> np.ndarray:
    region = polygons[0]
    for poly in polygons[1:]:
        region = clip_convex(region, poly)
        if len(region) < 3:
            return np.zeros((0, 2))
    return region


def points_inside(points: np.ndarray, poly: np.ndarray, eps: float = 1e-7) -> np.ndarray:
    """Which of ``(..., 2)`` points lie in the convex polygon ``(K, 2)`` (boundary included)."""
    if len(poly) < 3:
        return np.zeros(points.shape[:-1], dtype=bool)
    orient = 1.0 if signed_area(poly) >= 0 else -1.0
    a = poly
    edge = np.roll(poly, -1, axis=0) - poly
    rel = points[..., None, :] - a  # (..., K, 2)
    cross = edge[:, 0] * rel[..., 1] - edge[:, 1] * rel[..., 0]
    return np.all(orient * cross >= -eps, axis=-1)


def pixels_inside(poly: np.ndarray, height: int, width: int) -> np.ndarray:
    """uint8 (H, W) mask of the pixels whose centres lie in the convex polygon (edges included).

    Exact and O(H * edges + H * W): for each row the polygon's half-planes bound the
    centres' x to an interval, and the mask compares column indices with it.
    """
    if len(poly) < 3:
        return np.zeros((height, width), np.uint8)
    orient = 1.0 if signed_area(poly) >= 0 else -1.0
    p = poly
    e = np.roll(poly, -1, axis=0) - poly
    # inside: orient * (e_x * (y - p_y) - e_y * (x - p_x)) >= 0  ->  a * x >= b(y)
    a = -orient * e[:, 1]
    yc = np.arange(height) + 0.5
    rhs = -orient * (e[:, 0][None, :] * (yc[:, None] - p[:, 1][None, :])) - orient * e[:, 1][None, :] * p[:, 0][None, :]
    # a * x >= rhs  (rhs: (H, L))
    eps = 1e-9
    lo = np.full(height, -np.inf)
    hi = np.full(height, np.inf)
    pos, neg, zero = a > eps, a < -eps, np.abs(a) <= eps
    if pos.any():
        lo = np.max(rhs[:, pos] / a[pos], axis=1)
    if neg.any():
        hi = np.min(rhs[:, neg] / a[neg], axis=1)
    row_ok = np.all(rhs[:, zero] <= eps, axis=1) if zero.any() else np.ones(height, bool)
    j0 = np.clip(np.ceil(lo - 0.5 - eps), 0, width).astype(np.int32)
    j1 = np.clip(np.floor(hi - 0.5 + eps) + 1, 0, width).astype(np.int32)
    j1 = np.where(row_ok, np.maximum(j1, j0), j0)
    if width < 32768:
        # one unsigned subtract and one compare: columns left of j0 wrap to >= 32768, past
        # any span length (384x384: 25 us, against 111 us for two int32 compares and an and)
        offset = np.subtract(np.arange(width, dtype=np.uint16), j0.astype(np.uint16)[:, None])
        return np.less(offset, (j1 - j0).astype(np.uint16)[:, None]).view(np.uint8)
    cols = np.arange(width, dtype=np.int32)
    keep = np.greater_equal(cols, j0[:, None])
    keep &= np.less(cols, j1[:, None])
    return keep.view(np.uint8)


def is_axis_aligned_rect(poly: np.ndarray) -> bool:
    return rect_extent(poly) is not None


def rect_extent(poly: np.ndarray) -> tuple[float, float, float, float] | None:
    """``(x0, y0, x1, y1)`` when ``poly`` is an axis-aligned rectangle given by its four
    corners (to 1e-9), else None. Plain floats: a handful of points."""
    if len(poly) != 4:
        return None
    pts = [(round(x, 9), round(y, 9)) for x, y in poly.tolist()]
    xs = {x for x, _ in pts}
    ys = {y for _, y in pts}
    if len(xs) != 2 or len(ys) != 2 or len(set(pts)) != 4:  # all four corners, none twice
        return None
    return min(xs), min(ys), max(xs), max(ys)


def clipped_extents(polys: np.ndarray, region: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bounding boxes of ``polys (N, K, 2) ∩ region``; also whether each intersection has area.

    The intersection of two convex polygons is spanned by the vertices of each that lie in
    the other and by the crossings of their edges, so its extent is the extent of those.
    """
    n = len(polys)
    if n == 0 or len(region) < 3:
        return np.zeros((n, 4)), np.zeros(n, dtype=bool)
    if is_axis_aligned_rect(region):
        x0, y0 = region.min(axis=0)
        x1, y1 = region.max(axis=0)
        if all_axis_aligned(polys):
            lo = polys.min(axis=1)
            hi = polys.max(axis=1)
            boxes = np.stack([np.maximum(lo[:, 0], x0), np.maximum(lo[:, 1], y0),
                              np.minimum(hi[:, 0], x1), np.minimum(hi[:, 1], y1)], axis=1)
            ok = (boxes[:, 2] > boxes[:, 0]) & (boxes[:, 3] > boxes[:, 1])
            return boxes, ok
    # 1. subject vertices inside the region
    found = [(polys, points_inside(polys, region))]
    # 2. region vertices inside each subject polygon
    orient = np.where(signed_area(polys) >= 0, 1.0, -1.0)  # (N,)
    edges = np.roll(polys, -1, axis=1) - polys  # (N, K, 2)
    rel = region[None, :, None, :] - polys[:, None, :, :]  # (N, L, K, 2)
    cross = edges[:, None, :, 0] * rel[..., 1] - edges[:, None, :, 1] * rel[..., 0]
    inside = np.all(orient[:, None, None] * cross >= -1e-7, axis=-1)  # (N, L)
    found.append((np.broadcast_to(region, (n,) + region.shape), inside))
    # 3. edge crossings
    a = polys[:, :, None, :]  # (N, K, 1, 2)
    r = edges[:, :, None, :]
    c = region[None, None, :, :]  # (1, 1, L, 2)
    s = (np.roll(region, -1, axis=0) - region)[None, None]
    denom = r[..., 0] * s[..., 1] - r[..., 1] * s[..., 0]
    ca = c - a
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (ca[..., 0] * s[..., 1] - ca[..., 1] * s[..., 0]) / denom
        u = (ca[..., 0] * r[..., 1] - ca[..., 1] * r[..., 0]) / denom
    valid = (np.abs(denom) > 1e-12) & (t >= -1e-9) & (t <= 1 + 1e-9) & (u >= -1e-9) & (u <= 1 + 1e-9)
    pts = a + np.where(valid, t, 0.0)[..., None] * r
    found.append((pts.reshape(n, -1, 2), valid.reshape(n, -1)))

    points = np.concatenate([p for p, _ in found], axis=1)  # (N, M, 2)
    mask = np.concatenate([m for _, m in found], axis=1)  # (N, M)
    has = mask.any(axis=1)
    lo = np.where(mask[..., None], points, np.inf).min(axis=1)
    hi = np.where(mask[..., None], points, -np.inf).max(axis=1)
    boxes = np.concatenate([lo, hi], axis=1)
    boxes[~has] = 0.0
    # The intersection is the convex hull of those points. Its area tells a real overlap
    # from one that only touches along an edge (extent > 0, area 0).
    area = _hull_area(points, mask, has)
    full = np.abs(signed_area(polys))
    ok = has & (area > 1e-9 * np.maximum(full, 1.0))
    return boxes, ok


def _hull_area(points: np.ndarray, mask: np.ndarray, has: np.ndarray) -> np.ndarray:
    """Area of the convex polygon whose vertices are the masked points (unordered)."""
    n = len(points)
    count = np.maximum(mask.sum(axis=1), 1)
    centre = np.where(mask[..., None], points, 0.0).sum(axis=1) / count[:, None]
    rel = points - centre[:, None, :]
    angle = np.where(mask, np.arctan2(rel[..., 1], rel[..., 0]), np.inf)
    order = np.argsort(angle, axis=1)
    pts = np.take_along_axis(points, order[..., None], axis=1)
    ok = np.take_along_axis(mask, order, axis=1)
    # masked-out points sort last: replace them with the last valid point (zero-length edges)
    last = np.maximum(count - 1, 0)
    last_pt = pts[np.arange(n), last]
    pts = np.where(ok[..., None], pts, last_pt[:, None, :])
    area = 0.5 * np.abs(np.sum(pts[..., 0] * np.roll(pts[..., 1], -1, axis=1)
                               - np.roll(pts[..., 0], -1, axis=1) * pts[..., 1], axis=1))
    return np.where(has, area, 0.0)


def all_axis_aligned(polys: np.ndarray) -> bool:
    """True when every polygon is an axis-aligned rectangle given as 4 corners in order."""
    if polys.shape[1] != 4:
        return False
    p = polys
    same_y01 = np.abs(p[:, 0, 1] - p[:, 1, 1]) < 1e-9
    same_x12 = np.abs(p[:, 1, 0] - p[:, 2, 0]) < 1e-9
    same_y23 = np.abs(p[:, 2, 1] - p[:, 3, 1]) < 1e-9
    same_x30 = np.abs(p[:, 3, 0] - p[:, 0, 0]) < 1e-9
    alt_x01 = np.abs(p[:, 0, 0] - p[:, 1, 0]) < 1e-9
    alt_y12 = np.abs(p[:, 1, 1] - p[:, 2, 1]) < 1e-9
    alt_x23 = np.abs(p[:, 2, 0] - p[:, 3, 0]) < 1e-9
    alt_y30 = np.abs(p[:, 3, 1] - p[:, 0, 1]) < 1e-9
    a = same_y01 & same_x12 & same_y23 & same_x30
    b = alt_x01 & alt_y12 & alt_x23 & alt_y30
    return bool(np.all(a | b))
