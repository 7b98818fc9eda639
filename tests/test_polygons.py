"""Exact pixel membership and clipping of convex polygons (geometry/polygons.py)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from augkit.geometry.polygons import clip_convex, frame_inside_convex, pixels_inside, points_inside


def _convex(rng, h, w):
    """A random convex polygon around the frame (some vertices outside it)."""
    k = int(rng.integers(3, 9))
    angles = np.sort(rng.uniform(0, 2 * np.pi, k))
    cx, cy = rng.uniform(-0.2 * w, 1.2 * w), rng.uniform(-0.2 * h, 1.2 * h)
    r = rng.uniform(0.2, 1.0) * max(h, w)
    return np.stack([cx + r * np.cos(angles), cy + r * np.sin(angles)], axis=1)


@settings(max_examples=60)
@given(st.integers(0, 2**32 - 1), st.integers(1, 70), st.integers(1, 90))
def test_pixels_inside_is_the_pixel_centre_rule(seed, h, w):
    rng = np.random.default_rng(seed)
    poly = _convex(rng, h, w)
    yy, xx = np.mgrid[0:h, 0:w] + 0.5
    centres = np.stack([xx, yy], axis=-1)
    expected = points_inside(centres, poly, eps=1e-9)
    got = pixels_inside(poly, h, w).astype(bool)
    # centres within 1e-9 of an edge may go either way; everything else must agree
    from augkit.geometry.polygons import signed_area
    orient = 1.0 if signed_area(poly) >= 0 else -1.0
    edge = np.roll(poly, -1, axis=0) - poly
    rel = centres[..., None, :] - poly
    cross = orient * (edge[:, 0] * rel[..., 1] - edge[:, 1] * rel[..., 0]) / np.hypot(*edge.T)
    borderline = np.any(np.abs(cross) < 1e-6, axis=-1)
    assert np.array_equal(got[~borderline], expected[~borderline])


@settings(max_examples=60)
@given(st.integers(0, 2**32 - 1))
def test_clip_convex_keeps_exactly_the_common_part(seed):
    rng = np.random.default_rng(seed)
    a, b = _convex(rng, 50, 60), _convex(rng, 50, 60)
    c = clip_convex(a, b)
    pts = rng.uniform(-30, 90, (400, 2))
    inside_both = points_inside(pts, a, eps=-1e-6) & points_inside(pts, b, eps=-1e-6)
    if len(c) >= 3:
        assert points_inside(pts[inside_both], c, eps=1e-6).all()
        assert (points_inside(pts, a, eps=1e-6) & points_inside(pts, b, eps=1e-6))[points_inside(pts, c, eps=-1e-6)].all()
    else:
        assert not inside_both.any()


@settings(max_examples=60)
@given(st.integers(0, 2**32 - 1), st.booleans())
def test_pixels_inside_with_axis_aligned_edges_includes_centres_on_edges(seed, clockwise):
    """Horizontal and vertical edges (pads, crops, quarter turns) through pixel centres:
    a centre on an edge is inside; one a hair outside is not."""
    rng = np.random.default_rng(seed)
    h, w = (int(v) for v in rng.integers(4, 60, 2))
    x0 = int(rng.integers(-5, w + 5)) + 0.5
    y0 = int(rng.integers(-5, h + 5)) + 0.5
    x1, y1 = x0 + int(rng.integers(1, w)), y0 + int(rng.integers(1, h))
    nudge = rng.choice([0.0, 1e-6, -1e-6])
    rect = np.array([[x0 - nudge, y0 - nudge], [x1 + nudge, y0 - nudge],
                     [x1 + nudge, y1 + nudge], [x0 - nudge, y1 + nudge]])
    if clockwise:
        rect = rect[::-1]
    expected = np.zeros((h, w), bool)
    cols = (np.arange(w) + 0.5 >= x0 - nudge) & (np.arange(w) + 0.5 <= x1 + nudge)
    rows = (np.arange(h) + 0.5 >= y0 - nudge) & (np.arange(h) + 0.5 <= y1 + nudge)
    expected[np.ix_(rows, cols)] = True
    assert np.array_equal(pixels_inside(rect, h, w).astype(bool), expected)
    # a triangle with one horizontal edge: rows above its apex or below its base are empty
    tri = np.array([[x0, y1], [x1, y1], [(x0 + x1) / 2, y0]])
    got = pixels_inside(tri[::-1] if clockwise else tri, h, w).astype(bool)
    yy, xx = np.mgrid[0:h, 0:w] + 0.5
    assert np.array_equal(got, points_inside(np.stack([xx, yy], -1), tri, eps=1e-9))


@settings(max_examples=100)
@given(st.integers(0, 2**32 - 1), st.integers(1, 70), st.integers(1, 90), st.booleans())
def test_frame_inside_convex_is_points_inside_for_the_four_corners(seed, h, w, big):
    rng = np.random.default_rng(seed)
    poly = _convex(rng, h, w)
    if big:  # around the frame, so that both answers occur
        poly = (poly - poly.mean(axis=0)) * 3 + [w / 2, h / 2]
    corners = np.array([[0, 0], [w, 0], [w, h], [0, h]], float)
    for eps in (1e-6, -1e-6):
        assert frame_inside_convex(h, w, poly, eps=eps) == bool(points_inside(corners, poly, eps=eps).all())
        assert frame_inside_convex(h, w, poly[::-1], eps=eps) == bool(points_inside(corners, poly, eps=eps).all())


def test_pixels_inside_degenerate_frames_and_dtype():
    tri = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    assert pixels_inside(tri, 0, 7).shape == (0, 7)
    assert pixels_inside(tri, 7, 0).shape == (7, 0)
    keep = pixels_inside(tri, 12, 12)
    assert keep.dtype == np.uint8 and set(np.unique(keep)) == {0, 1}
    assert keep[0, :10].all() and not keep[0, 10:].any() and not keep[11].any()
    # non-finite vertices: nothing inside rather than an error
    assert not pixels_inside(np.array([[0.0, 0.0], [np.nan, 0.0], [0.0, 5.0]]), 6, 6).any()
    wide = pixels_inside(np.array([[-np.inf, -1.0], [np.inf, -1.0], [0.0, 5.0]]), 6, 6)
    assert wide.shape == (6, 6)
