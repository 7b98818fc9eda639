"""The fast kernel paths agree with plain numpy / OpenCV references.

Crops and pads (integer translations) go through one slice and one copyMakeBorder; resizes
and resized crops through one cv2.resize of a window; ``Warp.reads_outside`` has a closed
form for axis-aligned scales. Each is checked here against an independent computation,
for every dtype and channel layout the kernels take.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from augkit.geometry import matrices as mx
from augkit.geometry.warp import Warp, reads_outside, warp_pixels

NP_MODE = {cv2.BORDER_REFLECT_101: "reflect", cv2.BORDER_REFLECT: "symmetric",
           cv2.BORDER_REPLICATE: "edge", cv2.BORDER_WRAP: "wrap"}
LAYOUTS = [(), (1,), (3,), (4,), (6,)]
DTYPES = [np.uint8, np.uint16, np.float32]


def _image(rng, h, w, layout, dtype):
    if dtype == np.float32:
        return rng.random((h, w, *layout)).astype(np.float32)
    return rng.integers(0, np.iinfo(dtype).max, (h, w, *layout), endpoint=True).astype(dtype)


def _reference_translate(img, tx, ty, out_shape, border, fill):
    """Output pixel (i, j) shows input (i - ty, j - tx): crop the part that exists, then pad."""
    oh, ow = out_shape
    h, w = img.shape[:2]
    x0, y0 = -tx, -ty
    cx0, cy0, cx1, cy1 = max(x0, 0), max(y0, 0), min(x0 + ow, w), min(y0 + oh, h)
    win = img[cy0:cy1, cx0:cx1]
    pads = [(cy0 - y0, y0 + oh - cy1), (cx0 - x0, x0 + ow - cx1)] + [(0, 0)] * (img.ndim - 2)
    if border != cv2.BORDER_CONSTANT:
        return np.pad(win, pads, mode=NP_MODE[border])
    out = np.empty((oh, ow, *img.shape[2:]), img.dtype)
    fills = np.asarray(fill if isinstance(fill, tuple) else (fill,), np.float64)
    if img.ndim == 3:
        out[...] = np.resize(fills, img.shape[2]).astype(img.dtype)
    else:
        out[...] = img.dtype.type(fills[0])
    out[pads[0][0]:pads[0][0] + win.shape[0], pads[1][0]:pads[1][0] + win.shape[1]] = win
    return out


@given(seed=st.integers(0, 2**16), tx=st.integers(-12, 12), ty=st.integers(-12, 12),
       dh=st.integers(-12, 12), dw=st.integers(-12, 12), layout=st.sampled_from(LAYOUTS),
       dtype=st.sampled_from(DTYPES),
       border=st.sampled_from([cv2.BORDER_CONSTANT, cv2.BORDER_REFLECT_101, cv2.BORDER_REFLECT,
                               cv2.BORDER_REPLICATE, cv2.BORDER_WRAP]),
       per_channel_fill=st.booleans())
def test_crops_and_pads_match_slicing_and_numpy_pad(seed, tx, ty, dh, dw, layout, dtype, border,
                                                    per_channel_fill):
    rng = np.random.default_rng(seed)
    img = _image(rng, 13, 17, layout, dtype)
    out_shape = (13 + dh, 17 + dw)
    h, w = img.shape[:2]
    # the window must show at least one input pixel (otherwise it is all fill: other path)
    if min(-tx + out_shape[1], w) <= max(-tx, 0) or min(-ty + out_shape[0], h) <= max(-ty, 0):
        return
    fill = tuple(float(v) for v in range(3, 3 + (layout[0] if layout else 1))) if per_channel_fill else 7.0
    before = img.copy()
    out = warp_pixels(img, mx.translate(tx, ty), out_shape, None, border, fill)
    assert np.array_equal(img, before)
    ref = _reference_translate(img, tx, ty, out_shape, border, fill)
    assert out.dtype == img.dtype and out.shape == ref.shape
    assert np.array_equal(out, ref)
    assert not np.shares_memory(out, img)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("interp", [cv2.INTER_LINEAR, cv2.INTER_AREA, cv2.INTER_CUBIC])
def test_resized_window_is_cv2_resize_of_the_window(layout, dtype, interp):
    rng = np.random.default_rng(3)
    img = _image(rng, 40, 50, layout, dtype)
    x0, y0, x1, y1 = 5, 7, 35, 31  # a window inside the image, resized to 16 x 20
    oh, ow = 16, 20
    m = mx.scale(ow / (x1 - x0), oh / (y1 - y0)) @ mx.translate(-x0, -y0)
    out = warp_pixels(img, m, (oh, ow), interp, cv2.BORDER_CONSTANT, 0.0)
    win = np.ascontiguousarray(img[y0:y1, x0:x1])
    chunks = [cv2.resize(np.ascontiguousarray(win[..., c:c + 4]) if win.ndim == 3 else win, (ow, oh),
                         interpolation=interp) for c in range(0, win.shape[2] if win.ndim == 3 else 1, 4)]
    chunks = [c[..., None] if c.ndim == 2 and img.ndim == 3 else c for c in chunks]
    ref = np.concatenate(chunks, axis=2) if img.ndim == 3 else chunks[0]
    assert out.shape == ref.shape and out.dtype == img.dtype
    assert np.array_equal(out, ref)
    # the whole frame: Resize
    full = warp_pixels(img, mx.scale(ow / 50, oh / 40), (oh, ow), interp, cv2.BORDER_CONSTANT, 0.0)
    ref_full = cv2.resize(img[..., :4] if img.ndim == 3 else img, (ow, oh), interpolation=interp)
    ref_full = ref_full[..., None] if ref_full.ndim == 2 and img.ndim == 3 else ref_full
    assert np.array_equal(full[..., :4] if img.ndim == 3 else full, ref_full)


@pytest.mark.parametrize("flip", ["h", "v", "hv"])
def test_resize_with_fused_flip_is_resize_then_flip(flip):
    img = _image(np.random.default_rng(5), 30, 40, (3,), np.uint8)
    oh, ow = 12, 16
    m = mx.scale(ow / 40, oh / 30)
    if "h" in flip:
        m = mx.hflip(ow) @ m
    if "v" in flip:
        m = mx.vflip(oh) @ m
    out = warp_pixels(img, m, (oh, ow), cv2.INTER_LINEAR, cv2.BORDER_CONSTANT, 0.0)
    ref = cv2.resize(img, (ow, oh), interpolation=cv2.INTER_LINEAR)
    if "h" in flip:
        ref = ref[:, ::-1]
    if "v" in flip:
        ref = ref[::-1]
    assert np.array_equal(out, ref)


def test_resized_window_leaving_the_image_is_padded_then_resized():
    img = _image(np.random.default_rng(6), 20, 20, (3,), np.uint8)
    # window x in [-4, 24), y in [2, 18): 4 columns of fill each side, then 28x16 -> 14x8
    m = mx.scale(0.5, 0.5) @ mx.translate(4, -2)
    out = warp_pixels(img, m, (8, 14), cv2.INTER_AREA, cv2.BORDER_CONSTANT, (9.0, 8.0, 7.0))
    padded = cv2.copyMakeBorder(img[2:18], 0, 0, 4, 4, cv2.BORDER_CONSTANT, value=(9, 8, 7, 0))
    assert np.array_equal(out, cv2.resize(padded, (14, 8), interpolation=cv2.INTER_AREA))


@given(sx=st.floats(0.1, 4), sy=st.floats(0.1, 4), tx=st.floats(-50, 50), ty=st.floats(-50, 50),
       oh=st.integers(1, 80), ow=st.integers(1, 80))
def test_reads_outside_closed_form_matches_the_general_test(sx, sy, tx, ty, oh, ow):
    m = np.array([[sx, 0.0, tx], [0.0, sy, ty], [0.0, 0.0, 1.0]])
    warp = Warp(m, (40, 60), (oh, ow))
    # skip the tolerance band, where the two floating-point routes may round differently
    inv_edges = [-tx / sx, -ty / sy, (ow - tx) / sx - 60, (oh - ty) / sy - 40]
    if any(abs(abs(e) - 1e-6) < 1e-9 for e in inv_edges):
        return
    assert warp.reads_outside == reads_outside(m, (40, 60), (oh, ow))


@given(seed=st.integers(0, 2**32), h=st.integers(1, 64), w=st.integers(1, 64))
def test_random_resized_crop_draws_are_those_of_rng_uniform(seed, h, w):
    """The sampler's inlined uniform draws give the crops of the plain ``rng.uniform`` recipe
    (so that fixed seeds keep their crops), the position from one ``random()`` per axis
    scaled to the integers as ``params.draw_int`` does."""
    import math

    import augkit as A

    t = A.RandomResizedCrop(size=(8, 8))

    class _State:
        shape = (h, w)

    got = t.sample(np.random.default_rng(seed), _State())["crop"]
    rng = np.random.default_rng(seed)
    want = None
    for _ in range(10):
        target = h * w * rng.uniform(0.08, 1.0)
        aspect = math.exp(rng.uniform(math.log(0.75), math.log(4 / 3)))
        cw, ch = int(round(math.sqrt(target * aspect))), int(round(math.sqrt(target / aspect)))
        if 0 < cw <= w and 0 < ch <= h:
            y = min(int(rng.random() * (h - ch + 1)), h - ch)
            x = min(int(rng.random() * (w - cw + 1)), w - cw)
            want = (x, y, x + cw, y + ch)
            break
    if want is None:  # central fallback
        assert got[0] == (w - (got[2] - got[0])) // 2 and got[1] == (h - (got[3] - got[1])) // 2
    else:
        assert got == want


def test_xymasking_without_strips_draws_nothing_and_changes_nothing():
    """The defaults draw no strips: the image is unchanged and the pipeline's generator is
    left where it was (a later step sees the same randomness as without XYMasking)."""
    import augkit as A

    img = _image(np.random.default_rng(0), 20, 30, (3,), np.uint8)
    with_xy = A.Compose([A.XYMasking(p=1), A.RandomCrop(8, 8)], seed=11)(image=img)["image"]
    without = A.Compose([A.RandomCrop(8, 8)], seed=11)(image=img)["image"]
    assert np.array_equal(with_xy, without)
    assert np.array_equal(A.XYMasking(p=1)(image=img)["image"], img)
    # a fixed count of strips still draws their lengths and positions
    out = A.XYMasking(num_masks_x=2, mask_x_length=(2, 4), fill=0, p=1)(image=img + 1)["image"]
    dropped = np.flatnonzero((out == 0).all(axis=(0, 2)))
    assert 2 <= len(dropped) <= 8


@pytest.mark.parametrize("operation", ["dilation", "erosion"])
def test_morphological_uses_the_drawn_ellipse(operation):
    """Each call's output is cv2.dilate / cv2.erode with the ellipse of one of the sizes in
    range; the shared structuring elements are not writable."""
    import augkit as A
    from augkit.transforms.other_spatial import _ellipse

    img = _image(np.random.default_rng(1), 24, 32, (3,), np.uint8)
    fn = cv2.dilate if operation == "dilation" else cv2.erode
    candidates = [fn(img, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (kw, kh)))
                  for kw in (2, 3, 4) for kh in (2, 3, 4)]
    seen = set()
    t = A.Morphological(scale=(2, 4), operation=operation, p=1)
    for seed in range(30):
        out = A.Compose([t], seed=seed)(image=img)["image"]
        hits = [k for k, c in enumerate(candidates) if np.array_equal(out, c)]
        assert hits
        seen.add(hits[0])
    assert len(seen) > 3  # sizes vary from call to call
    fixed = A.Morphological(scale=3, operation=operation, p=1)(image=img)["image"]
    assert np.array_equal(fixed, fn(img, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3))))
    assert not _ellipse(3, 3).flags.writeable


@pytest.mark.parametrize("view", ["packed", "reversed_channels", "every_other_column"])
@pytest.mark.parametrize("layout", [(), (3,), (6,)])
def test_resized_window_cropped_on_one_axis_padded_on_the_other(view, layout):
    """The window handed to copyMakeBorder has strided rows (cropped in x) or is not packed
    at all (a caller's strided view): both give the padded-then-resized window."""
    base = _image(np.random.default_rng(8), 20, 44 if view == "every_other_column" else 22, layout, np.uint8)
    img = {"packed": base, "reversed_channels": base[..., ::-1] if layout else base[:, ::-1],
           "every_other_column": base[:, ::2]}[view]
    # window x in [3, 19) (a crop), y in [-2, 22) (two rows of fill each side) -> 8 x 12
    m = mx.scale(0.5, 0.5) @ mx.translate(-3, 2)
    fill = tuple(float(v) for v in range(1, 1 + (layout[0] if layout else 1)))
    out = warp_pixels(img, m, (12, 8), cv2.INTER_AREA, cv2.BORDER_CONSTANT, fill)
    ref = _reference_translate(np.ascontiguousarray(img), -3, 2, (24, 16), cv2.BORDER_CONSTANT, fill)
    ref_chunks = [cv2.resize(np.ascontiguousarray(ref[..., c:c + 4]) if ref.ndim == 3 else ref, (8, 12),
                             interpolation=cv2.INTER_AREA) for c in range(0, ref.shape[2] if ref.ndim == 3 else 1, 4)]
    want = np.concatenate(ref_chunks, axis=2) if ref.ndim == 3 else ref_chunks[0]
    assert np.array_equal(out, want)


@given(seed=st.integers(0, 2**32), lo=st.floats(-0.9, 2), span=st.floats(0, 2))
def test_random_scale_draw_is_that_of_rng_uniform(seed, lo, span):
    import augkit as A

    t = A.RandomScale(scale_limit=(lo, lo + span))

    class _State:
        shape = (50, 70)

    got = t.sample(np.random.default_rng(seed), _State())["scale"]
    assert got == 1.0 + np.random.default_rng(seed).uniform(*t.scale_limit)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", DTYPES + [np.float64, np.int16])
@pytest.mark.parametrize("which", ["h", "v", "hv"])
def test_whole_frame_flips_match_numpy(layout, dtype, which):
    img = _image(np.random.default_rng(9), 7, 10, layout, np.uint16).astype(dtype)
    m = np.eye(3)
    if "h" in which:
        m = mx.hflip(10) @ m
    if "v" in which:
        m = mx.vflip(7) @ m
    out = warp_pixels(img, m, (7, 10), None, cv2.BORDER_CONSTANT, 0.0)
    ref = img[::-1 if "v" in which else 1, ::-1 if "h" in which else 1]
    assert out.dtype == img.dtype and np.array_equal(out, ref)
    assert not np.shares_memory(out, img)
    # a flip fused with a crop takes the general path and agrees with slicing too
    crop = mx.translate(-2, -1) @ m
    assert np.array_equal(warp_pixels(img, crop, (5, 6), None, cv2.BORDER_CONSTANT, 0.0), ref[1:6, 2:8])


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.int16, np.uint32, np.float64, np.float32])
@pytest.mark.parametrize("layout", [(), (1,), (3,), (5,)])
def test_to_float_divides_by_the_dtype_maximum(dtype, layout):
    from augkit.functional.color import to_float

    rng = np.random.default_rng(10)
    img = rng.integers(0, 250, (6, 7, *layout)).astype(dtype)
    out = to_float(img)
    top = {np.uint8: 255.0, np.uint16: 65535.0, np.uint32: 4294967295.0}.get(dtype, 1.0)
    assert out.dtype == np.float32 and out.shape == img.shape and not np.shares_memory(out, img)
    if dtype == np.float32:
        assert np.array_equal(out, img)  # float32 passes unchanged, whatever max_value
    else:
        np.testing.assert_allclose(out, img.astype(np.float64) / top, rtol=2e-7, atol=0)
        np.testing.assert_allclose(to_float(img, 200.0), img.astype(np.float64) / 200.0, rtol=2e-7, atol=0)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32, np.float64, np.int32, np.bool_])
@pytest.mark.parametrize("shape", [(5, 6), (5, 6, 1), "strided"])
@pytest.mark.parametrize("n", [1, 3, 5])
def test_to_rgb_repeats_the_grey_channel(dtype, shape, n):
    from augkit.functional.tone import to_rgb

    base = (np.arange(60).reshape(5, 12) % 7).astype(dtype)
    img = base[:, ::2] if shape == "strided" else base[:, :6].copy().reshape(shape)
    out = to_rgb(img, n)
    g = img.reshape(5, 6)
    assert out.shape == (5, 6, n) and out.dtype == img.dtype
    for c in range(n):
        assert np.array_equal(out[..., c], g)


@pytest.mark.parametrize("tiles", [(8, 8), (3, 5)])
@pytest.mark.parametrize("clip", [1.0, 3.0])
def test_clahe_of_rgb_equalizes_lightness_only(tiles, clip):
    """CLAHE of an RGB image is CLAHE of L in CIELAB, a and b untouched (the channel is taken
    out and put back with OpenCV; compared with numpy's copies here)."""
    from augkit.functional.tone import clahe

    img = _image(np.random.default_rng(12), 37, 53, (3,), np.uint8)
    lab = cv2.cvtColor(img, cv2.COLOR_RGB2LAB)
    op = cv2.createCLAHE(clipLimit=clip, tileGridSize=(tiles[1], tiles[0]))
    lab[..., 0] = op.apply(np.ascontiguousarray(lab[..., 0]))
    assert np.array_equal(clahe(img, clip, tiles), cv2.cvtColor(lab, cv2.COLOR_LAB2RGB))


def _corners_match(matrix, in_shape, out_shape, tol=1e-6):
    """The general rule: every input-frame corner lands on some output-frame corner."""
    ih, iw = in_shape
    oh, ow = out_shape
    corners = mx.apply_to_points(matrix, np.array([[0, 0], [iw, 0], [iw, ih], [0, ih]], float))
    targets = np.array([[0, 0], [ow, 0], [ow, oh], [0, oh]], float)
    return all(np.min(np.abs(targets - c).sum(axis=1)) <= tol for c in corners)


@given(st.sampled_from(["identity", "flip", "turn", "scale", "crop", "rotate", "shear", "tiny"]),
       st.integers(1, 40), st.integers(1, 40), st.integers(0, 3), st.booleans())
def test_maps_frame_onto_frame_closed_form_matches_the_corner_rule(kind, h, w, turns, flip):
    """The affine closed form of maps_frame_onto_frame against matching the four corners."""
    from augkit.geometry.warp import maps_frame_onto_frame
    m = np.eye(3)
    out = (h, w)
    if kind == "flip":
        m = mx.hflip(w) if flip else mx.vflip(h)
    elif kind == "turn":
        m = mx.rot90(turns, h, w)
        out = (w, h) if turns % 2 else (h, w)
    elif kind == "scale":
        out = (h + turns, w + 2 * turns)
        m = mx.scale(out[1] / w, out[0] / h)
    elif kind == "crop":
        m, out = mx.translate(-turns, 0), (h, max(1, w - turns))
    elif kind == "rotate":
        m = mx.about(mx.rotate(15.0 * (turns + 1)), w / 2, h / 2)
    elif kind == "shear":
        m = np.array([[1.0, 0.25, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    elif kind == "tiny":  # within the tolerance of a flip
        m = mx.hflip(w) @ np.array([[1.0, 1e-9, 2e-8], [0.0, 1.0, -1e-8], [0.0, 0.0, 1.0]])
    assert maps_frame_onto_frame(m, (h, w), out) == _corners_match(m, (h, w), out)


@given(st.integers(0, 2**32 - 1), st.sampled_from([np.uint8, np.uint16]), st.sampled_from([(), (1,), (3,), (4,)]),
       st.sampled_from(["copy", "into", "in place"]))
def test_add_integer_shifts_is_one_saturating_signed_add(seed, dtype, layout, where):
    """Positive parts added, negative parts subtracted: the same as clip(img + shift) per
    channel, whatever the signs (the split only avoids OpenCV's slow signed-scalar path)."""
    from augkit.functional.color import add_integer_shifts
    rng = np.random.default_rng(seed)
    img = _image(rng, 7, 9, layout, dtype)
    c = layout[0] if layout else 1
    top = int(np.iinfo(dtype).max)
    shifts = [int(v) for v in rng.choice([0, 1, -1, 37, -37, top, -top], c)]
    expected = np.clip(img.astype(np.int64) + np.array(shifts).reshape((c,) if layout else ()), 0, top)
    src = img.copy()
    dst = None if where == "copy" else (np.empty_like(img) if where == "into" else img)
    out = add_integer_shifts(img, shifts, dst=dst)
    assert out.shape == img.shape and out.dtype == img.dtype
    np.testing.assert_array_equal(out, expected)
    if where == "copy":
        np.testing.assert_array_equal(img, src)  # the input is untouched
        assert not np.shares_memory(out, img)
    elif where == "into":
        np.testing.assert_array_equal(dst, expected)
    else:
        np.testing.assert_array_equal(img, expected)


def test_small_draws_are_uniform_and_in_range():
    """params.draw_int, draw_permutation and draw_distinct (the cheap scalar draws that
    replace Generator.integers / permutation / choice in samplers) are uniform."""
    from collections import Counter
    from itertools import permutations

    from augkit.core import params as P

    rng = np.random.default_rng(0)
    n = 6000
    ints = Counter(P.draw_int(rng, -2, 3) for _ in range(n))
    assert sorted(ints) == [-2, -1, 0, 1, 2, 3]
    assert all(abs(v - n / 6) < 5 * (n / 6) ** 0.5 for v in ints.values())
    perms = Counter(tuple(P.draw_permutation(rng, 3)) for _ in range(n))
    assert set(perms) == set(permutations(range(3)))
    assert all(abs(v - n / 6) < 5 * (n / 6) ** 0.5 for v in perms.values())
    pairs = Counter(tuple(P.draw_distinct(rng, 5, 2)) for _ in range(n))
    assert set(pairs) == {(a, b) for a in range(5) for b in range(5) if a != b}  # ordered, distinct
    assert all(abs(v - n / 20) < 5 * (n / 20) ** 0.5 for v in pairs.values())
    assert type(P.draw_int(rng, np.int64(2), np.int32(9))) is int  # a plain int for any bounds
    assert P.draw_permutation(rng, 1) == [0] and P.draw_distinct(rng, 4, 0) == []
    assert sorted(P.draw_distinct(rng, 4, 4)) == [0, 1, 2, 3]


@given(seed=st.integers(0, 10_000), affine=st.booleans())
def test_closed_form_inverse_matches_lapack(seed, affine):
    from augkit.geometry.warp import inverse
    rng = np.random.default_rng(seed)
    m = np.eye(3) + rng.normal(0, 0.3, (3, 3))
    m[:2, 2] *= 200  # translations in pixels
    m[2] = (0.0, 0.0, 1.0) if affine else m[2] * (1e-3, 1e-3, 1.0)
    ref = np.linalg.inv(m)
    np.testing.assert_allclose(inverse(m), ref, rtol=0, atol=1e-12 * np.abs(ref).max())
    with pytest.raises(np.linalg.LinAlgError):
        inverse(np.zeros((3, 3)))


def test_perspective_corners_in_plain_floats_match_the_array_recipe():
    # Perspective builds its corners and sides in plain floats: the matrix must be the
    # one the array recipe (frame corners moved inward, sides by np.linalg.norm) gives
    from augkit import Perspective
    from augkit.core.state import State
    rng = np.random.default_rng(5)
    for _ in range(50):
        h, w = (int(v) for v in rng.integers(3, 300, 2))
        t = Perspective(scale=(0.0, 0.3), keep_size=False, p=1.0)
        params = t.sample(rng, None)
        warp = t.get_warp(params, State.of_image(np.zeros((h, w, 3), np.uint8)))
        src = mx.rect(h, w) + params["jitter"] * [w, h] * np.array([[1, 1], [-1, 1], [-1, -1], [1, -1]])
        width = max(np.linalg.norm(src[1] - src[0]), np.linalg.norm(src[2] - src[3]), 1.0)
        height = max(np.linalg.norm(src[3] - src[0]), np.linalg.norm(src[2] - src[1]), 1.0)
        m = cv2.getPerspectiveTransform(src.astype(np.float32), mx.rect(height, width).astype(np.float32))
        np.testing.assert_allclose(warp.matrix, m, rtol=1e-12, atol=1e-12)
        assert warp.out_shape == (max(1, round(height)), max(1, round(width)))
