"""Convex polygon operations used to clip boxes and keypoints to what stays visible.

Everything is vectorized over boxes; the clip region (the output frame intersected with
the frames of intermediate steps that read outside their input) is one small convex
polygon shared by all boxes.
"""

from __future__ import annotations

import numpy as np

_EPS = 1e-9


def _following(values: np.ndarray, axis: int) -> np.ndarray:
    """``values`` with each entry along ``axis`` replaced by the next one (cyclically):
    ``np.roll(values, -1, axis)`` without its generality (~1 us instead of ~6-20 us on the
    handful of vertices these polygons have)."""
    axis %= values.ndim
    head = (slice(None),) * axis
    return np.concatenate((values[head + (slice(1, None),)], values[head + (slice(0, 1),)]), axis=axis)


def _orientation(pts: list) -> float:
    """+1.0 when the vertices (plain ``[x, y]`` lists) run counter-clockwise in x-right,
    y-up (non-negative signed area), else -1.0."""
    n = len(pts)
    area2 = sum(pts[i][0] * pts[i - n + 1][1] - pts[i - n + 1][0] * pts[i][1] for i in range(n))
    return 1.0 if area2 >= 0 else -1.0


def signed_area(poly: np.ndarray) -> np.ndarray:
    """Signed area of polygons ``(..., K, 2)`` (positive when counter-clockwise in x-right, y-up)."""
    x, y = poly[..., 0], poly[..., 1]
    return 0.5 * np.sum(x * _following(y, -1) - _following(x, -1) * y, axis=-1)


def clip_convex(subject: np.ndarray, clip: np.ndarray) -> np.ndarray:
    """Sutherland-Hodgman: the part of one convex polygon inside another, ``(K, 2)``.

    Plain Python floats: the polygons have a handful of vertices, where numpy's per-call
    cost dominates (a 4-gon against a 4-gon: 9 us instead of 95 us).
    """
    out = [(float(x), float(y)) for x, y in np.asarray(subject, dtype=np.float64).tolist()]
    cl = np.asarray(clip, dtype=np.float64).tolist()
    n = len(cl)
    orient = _orientation(cl)
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
    edge = _following(poly, 0) - poly
    rel = points[..., None, :] - a  # (..., K, 2)
    cross = edge[:, 0] * rel[..., 1] - edge[:, 1] * rel[..., 0]
    return np.all(orient * cross >= -eps, axis=-1)


def frame_inside_convex(height: float, width: float, poly: np.ndarray, eps: float = 1e-7) -> bool:
    """Whether the frame ``[0, width] x [0, height]`` lies in the convex polygon ``(K, 2)``
    (boundary included, to ``eps``): :func:`points_inside` for the frame's four corners in
    plain floats (~3 us against ~25 us with numpy on a handful of points)."""
    pts = np.asarray(poly, dtype=np.float64).tolist()
    n = len(pts)
    if n < 3:
        return False
    orient = _orientation(pts)
    corners = ((0.0, 0.0), (width, 0.0), (width, height), (0.0, height))
    for i in range(n):
        (px, py), (qx, qy) = pts[i], pts[i - n + 1]
        ex, ey = qx - px, qy - py
        for x, y in corners:
            if orient * (ex * (y - py) - ey * (x - px)) < -eps:
                return False
    return True


def pixels_inside(poly: np.ndarray, height: int, width: int) -> np.ndarray:
    """uint8 (H, W) mask of the pixels whose centres lie in the convex polygon (edges included).

    Exact and O(H * edges + H * W): for each row the polygon's half-planes bound the
    centres' x to an interval, and the mask compares column indices with it.
    """
    if len(poly) < 3:
        return np.zeros((height, width), np.uint8)
    pts = np.asarray(poly, dtype=np.float64).tolist()
    n = len(pts)
    orient = _orientation(pts)
    # inside edge k (from p to p + e): orient * (e_x * (y - p_y) - e_y * (x - p_x)) >= 0,
    # i.e. a * x >= c1 * y + c0 with a = -orient * e_y; per row a bound on x where a != 0,
    # a condition on the row where the edge is horizontal. The edges' scalars in plain
    # floats, the rows in numpy: (384 rows, 4 edges: ~35 us instead of ~200 us with
    # (rows, edges) arrays)
    eps = 1e-9
    yc = np.arange(height) + 0.5
    lo = hi = None
    row_ok = None
    for i in range(n):
        (px, py), (qx, qy) = pts[i], pts[i - n + 1]
        ex, ey = qx - px, qy - py
        a = -orient * ey
        c1 = -orient * ex
        c0 = orient * ex * py - orient * ey * px
        if a > eps:
            bound = yc * (c1 / a) + c0 / a
            lo = bound if lo is None else np.maximum(lo, bound, out=lo)
        elif a < -eps:
            bound = yc * (c1 / a) + c0 / a
            hi = bound if hi is None else np.minimum(hi, bound, out=hi)
        else:
            ok = yc * c1 + c0 <= eps
            row_ok = ok if row_ok is None else np.logical_and(row_ok, ok, out=row_ok)
    # column spans [j0, j1) clipped to the frame (ufuncs with ``out``: np.clip's wrapper
    # alone costs ~5 us per call)
    if lo is None:
        j0 = np.zeros(height)
    else:
        j0 = np.ceil(np.subtract(lo, 0.5 + eps, out=lo), out=lo)
        np.maximum(j0, 0.0, out=j0)
        np.minimum(j0, width, out=j0)
    if hi is None:
        j1 = np.full(height, float(width))
    else:
        j1 = np.floor(np.subtract(hi, 0.5 - eps, out=hi), out=hi)
        j1 += 1.0
        np.minimum(j1, width, out=j1)
    np.maximum(j1, j0, out=j1)
    if row_ok is not None:
        j1 = np.where(row_ok, j1, j0)
    if height == 0:
        return np.zeros((0, width), np.uint8)
    if np.isnan(j0.sum() + j1.sum()):  # NaN vertices: those rows keep nothing
        bad = np.isnan(j0) | np.isnan(j1)
        j0[bad] = 0.0
        j1 = np.where(bad, 0.0, j1)
    # the mask as run lengths, row after row: j0 zeros, j1 - j0 ones, width - j1 zeros;
    # the zeros ending a row and starting the next are one run. One np.repeat (384x384:
    # ~8 us, against ~38 us for comparing column indices with the spans, ~110 us for two
    # int32 compares and an and)
    j0i, j1i = j0.astype(np.int64), j1.astype(np.int64)
    runs = np.empty(2 * height + 1, np.int64)
    runs[0] = j0i[0]
    runs[1:-1:2] = j1i - j0i
    runs[2:-1:2] = j0i[1:] - j1i[:-1] + width
    runs[-1] = width - j1i[-1]
    return np.repeat(_RUN_VALUES[:2 * height + 1] if height <= _RUN_ROWS else
                     np.arange(2 * height + 1, dtype=np.uint8) & 1, runs).reshape(height, width)


_RUN_ROWS = 4096
_RUN_VALUES = np.arange(2 * _RUN_ROWS + 1, dtype=np.uint8) & 1  # 0, 1, 0, 1, ...: zeros, ones, ...
_RUN_VALUES.setflags(write=False)


def is_axis_aligned_rect(poly: np.ndarray) -> bool:
    return rect_extent(poly) is not None


def rect_extent(poly: np.ndarray) -> tuple[float, float, float, float] | None:
    """``(x0, y0, x1, y1)`` when ``poly`` is an axis-aligned rectangle given by its four
    corners (to 1e-9), else None. Plain floats: a handful of points."""
    if len(poly) != 4:
        return None
    rows = poly.tolist()
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = rows
    if (abs(x1 - x0) > 1e-6 and abs(y1 - y0) > 1e-6) and (abs(x2 - x0) > 1e-6 and abs(y2 - y0) > 1e-6):
        # a rectangle's corner shares x with one other corner and y with another: with
        # neither of the next two it is a turned frame (the common case, decided early)
        return None
    if x0 == x3 and x1 == x2 and y0 == y1 and y2 == y3 \
            or x0 == x1 and x2 == x3 and y1 == y2 and y3 == y0:
        # corners in order with exactly equal coordinates (frames moved by flips, crops,
        # pads and scales): the rule below on two x and two y values
        ax, bx = sorted((round(x0, 9), round(x2, 9)))
        ay, by = sorted((round(y0, 9), round(y2, 9)))
        return (ax, ay, bx, by) if ax != bx and ay != by else None
    pts = [(round(x, 9), round(y, 9)) for x, y in rows]
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
    edges = _following(polys, 1) - polys  # (N, K, 2)
    rel = region[None, :, None, :] - polys[:, None, :, :]  # (N, L, K, 2)
    cross = edges[:, None, :, 0] * rel[..., 1] - edges[:, None, :, 1] * rel[..., 0]
    inside = np.all(orient[:, None, None] * cross >= -1e-7, axis=-1)  # (N, L)
    found.append((np.broadcast_to(region, (n,) + region.shape), inside))
    # 3. edge crossings
    a = polys[:, :, None, :]  # (N, K, 1, 2)
    r = edges[:, :, None, :]
    c = region[None, None, :, :]  # (1, 1, L, 2)
    s = (_following(region, 0) - region)[None, None]
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
    area = np.abs(signed_area(pts))
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
