"""Faster exact kernels for pixel transforms that used to run the same OpenCV call as
Albumentations 2.0.8: each is checked here against the formulation it replaced (kept
below as the reference), over dtypes, channel layouts and parameters.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from augkit.functional import compression as FC
from augkit.functional import filters as FF
from augkit.functional.blur import convolve

LAYOUTS = [(), (1,), (3,), (4,), (6,)]
DTYPES = [np.uint8, np.uint16, np.float32]
INTERPOLATIONS = [cv2.INTER_NEAREST, cv2.INTER_LINEAR, cv2.INTER_AREA, cv2.INTER_CUBIC,
                  cv2.INTER_LANCZOS4]


def _image(rng, h, w, layout, dtype):
    if dtype == np.float32:
        return rng.random((h, w, *layout)).astype(np.float32)
    return rng.integers(0, np.iinfo(dtype).max, (h, w, *layout), endpoint=True).astype(dtype)


# -- Downscale ---------------------------------------------------------------------------------
def _downscale_reference(img, scale, down, up):
    """The previous kernel: two cv2.resize calls."""
    h, w = img.shape[:2]
    if round(h * scale) >= 1 and round(w * scale) >= 1:
        small = cv2.resize(img, None, fx=scale, fy=scale, interpolation=down)
    else:
        small = cv2.resize(img, (max(1, round(w * scale)), max(1, round(h * scale))),
                           interpolation=down)
    return cv2.resize(small, (w, h), interpolation=up).reshape(img.shape)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_downscale_equals_two_resizes(dtype, layout):
    rng = np.random.default_rng(1)
    for h, w, scale in [(512, 512, 0.25), (64, 48, 0.5), (37, 53, 0.3), (17, 5, 0.9),
                        (9, 11, 0.01), (100, 100, 1.0), (31, 64, 1 / 3), (40, 60, 0.7)]:
        img = _image(rng, h, w, layout, dtype)
        # OpenCV's area resize stops at 4 channels (as before): nearest only for 6
        for down in (cv2.INTER_NEAREST, cv2.INTER_AREA)[:1 if layout == (6,) else 2]:
            out = FC.downscale(img, scale, down, cv2.INTER_NEAREST)
            ref = _downscale_reference(img, scale, down, cv2.INTER_NEAREST)
            assert out.dtype == img.dtype and out.shape == img.shape
            np.testing.assert_array_equal(out, ref)


@given(h=st.integers(1, 300), w=st.integers(1, 300), scale=st.floats(0.01, 1.0),
       down=st.sampled_from(INTERPOLATIONS), up=st.sampled_from(INTERPOLATIONS))
def test_downscale_any_size_and_scale(h, w, scale, down, up):
    img = _image(np.random.default_rng(h * 1000 + w), h, w, (3,), np.uint8)
    np.testing.assert_array_equal(FC.downscale(img, scale, down, up),
                                  _downscale_reference(img, scale, down, up))


def test_nearest_rows_match_opencv_row_choice():
    # the row table alone: a column image whose values are the row numbers
    for src in (1, 2, 3, 7, 100, 128, 333):
        col = np.arange(src, dtype=np.float32)[:, None]
        for dst in (src, src + 1, 2 * src, 3 * src + 1, 512, 1000):
            ref = cv2.resize(col, (1, dst), interpolation=cv2.INTER_NEAREST).ravel()
            np.testing.assert_array_equal(FC._nearest_rows(dst, src), ref.astype(np.intp))


# -- Sharpen -----------------------------------------------------------------------------------
def _filter2d_reference(img, kernel):
    """The previous uint8 kernel: one cv2.filter2D (float32 sum of the nine products)."""
    out = cv2.filter2D(img, -1, np.asarray(kernel, np.float32), borderType=cv2.BORDER_REFLECT_101)
    return out.reshape(img.shape)


def _box_sum_reflect101(img):
    """Exact 3x3 box sums with reflect-101 borders, in int64 (independent of OpenCV)."""
    x = img.astype(np.int64).reshape(img.shape[0], img.shape[1], -1)
    for axis in (0, 1):  # reflect-101 of a single row or column repeats it
        widths = [(1, 1) if a == axis else (0, 0) for a in range(3)]
        x = np.pad(x, widths, mode="reflect" if x.shape[axis] > 1 else "edge")
    pad, x = x, x[1:-1, 1:-1]
    h, w = x.shape[:2]
    return sum(pad[dy:dy + h, dx:dx + w] for dy in range(3) for dx in range(3)).reshape(img.shape)


def _assert_rounding_order_only(img, kernel, out, ref):
    """``out`` and ``ref`` differ by at most 1, and only where the exact value of the float32
    kernel (double arithmetic on exact box sums) lies within float32 error of a half, where
    cv2.filter2D's float32 sum of nine products may round either way."""
    c, o = float(kernel[1, 1]), float(kernel[0, 0])
    x = img.astype(np.float64)
    box = _box_sum_reflect101(img).astype(np.float64)
    exact = (c - o) * x + o * box
    scale = abs(c - o) * x + abs(o) * box  # size of the terms: bounds float32 error
    diff = np.abs(out.astype(np.int16) - ref.astype(np.int16))
    assert diff.max(initial=0) <= 1
    near_half = np.abs(exact - np.floor(exact) - 0.5) <= 1e-6 * scale + 1e-9
    assert np.all(near_half[diff > 0])
    return np.count_nonzero(diff) / diff.size


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("shape", [(64, 80), (1, 1), (1, 7), (5, 1), (2, 3)])
def test_sharpen_uint8_differs_from_filter2d_by_rounding_order_only(layout, shape):
    rng = np.random.default_rng(2)
    img = _image(rng, *shape, layout, np.uint8)
    # decimal parameters make many exact halves (0.2 / 0.5: ~1.7 % of the pixels lie
    # within float32 error of one); drawn parameters almost never do (see below)
    for alpha, lightness in [(0.2, 0.5), (0.35, 0.75), (0.5, 1.0), (0.47, 0.61), (0.9, 5.0),
                             (0.33, 40.0)]:
        kernel = FF.sharpen_kernel(alpha, lightness)
        out, ref = FF.sharpen(img, kernel), _filter2d_reference(img, kernel)
        assert out.dtype == np.uint8 and out.shape == img.shape
        _assert_rounding_order_only(img, kernel, out, ref)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_sharpen_uint8_exact_where_the_arithmetic_is_exact(layout):
    # integer and dyadic kernels: no rounding inside either kernel, so the bytes are equal
    # (saturation at 0 and 255 included: alpha 1 gives 9 * x - box, far out of range)
    img = _image(np.random.default_rng(3), 40, 33, layout, np.uint8)
    for alpha, lightness in [(0.0, 0.5), (1.0, 0.0), (1.0, 1.0), (1.0, 100.0), (0.5, 0.5),
                             (0.25, 0.0), (0.0, 0.0)]:
        kernel = FF.sharpen_kernel(alpha, lightness)
        np.testing.assert_array_equal(FF.sharpen(img, kernel), _filter2d_reference(img, kernel))
    np.testing.assert_array_equal(FF.sharpen(img, FF.sharpen_kernel(0.0, 0.7)), img)


@pytest.mark.parametrize("dtype", [np.uint16, np.float32])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_sharpen_other_dtypes_keep_the_filter2d_path(dtype, layout):
    img = _image(np.random.default_rng(4), 20, 24, layout, dtype)
    kernel = FF.sharpen_kernel(0.4, 0.8)
    np.testing.assert_array_equal(FF.sharpen(img, kernel), convolve(img, kernel))


def test_sharpen_other_kernels_fall_back_to_convolve():
    img = _image(np.random.default_rng(5), 20, 24, (3,), np.uint8)
    for kernel in (FF.emboss_kernel(0.3, 0.5), np.ones((5, 5), np.float32) / 25):
        np.testing.assert_array_equal(FF.sharpen(img, kernel), convolve(img, kernel))


@given(alpha=st.floats(0.0, 1.0), lightness=st.floats(0.0, 10.0), seed=st.integers(0, 99))
def test_sharpen_any_parameters(alpha, lightness, seed):
    img = _image(np.random.default_rng(seed), 24, 31, (3,), np.uint8)
    kernel = FF.sharpen_kernel(alpha, lightness)
    out, ref = FF.sharpen(img, kernel), _filter2d_reference(img, kernel)
    _assert_rounding_order_only(img, kernel, out, ref)


def test_sharpen_drawn_parameters_differ_on_a_tiny_fraction():
    # the default ranges, as Sharpen draws them: measured 0.000-0.002 % of pixels
    rng = np.random.default_rng(7)
    img = _image(rng, 128, 128, (3,), np.uint8)
    for _ in range(20):
        kernel = FF.sharpen_kernel(rng.uniform(0.2, 0.5), rng.uniform(0.5, 1.0))
        out, ref = FF.sharpen(img, kernel), _filter2d_reference(img, kernel)
        assert _assert_rounding_order_only(img, kernel, out, ref) <= 1e-4


def test_sharpen_transform_uses_the_kernel():
    import augkit as A
    img = _image(np.random.default_rng(6), 30, 30, (3,), np.uint8)
    t = A.Sharpen(alpha=(1.0, 1.0), lightness=(1.0, 1.0), p=1.0)
    np.testing.assert_array_equal(t(image=img)["image"],
                                  _filter2d_reference(img, FF.sharpen_kernel(1.0, 1.0)))


def test_sharpen_views_and_repeated_shapes():
    # strided / flipped / channel-sliced views, and the per-thread work arrays switching
    # between shapes and channel counts without leaking one call's values into the next
    base = _image(np.random.default_rng(8), 40, 50, (4,), np.uint8)
    pristine = base.copy()
    kernel = FF.sharpen_kernel(1.0, 1.0)  # integer kernel: exact
    views = [base[:, ::2, :3], base[::-1, :, :3], base[..., :3], base.transpose(1, 0, 2),
             base[:, ::3, 0], base[..., :3], base[:5, :7]]
    for view in views + views[::-1]:
        np.testing.assert_array_equal(FF.sharpen(view, kernel),
                                      _filter2d_reference(np.ascontiguousarray(view), kernel))
    np.testing.assert_array_equal(base, pristine)  # inputs untouched


# -- uint8 convolutions: 8-bit filter or float32 round trip by weight count ----------------
def _assert_half_ties_only(img, kernel, out, ref):
    """``out`` and ``ref`` (two uint8 convolutions of ``img``) differ by at most 1, and only
    where the exact sum (float64) lies within float32 error of a half."""
    k = np.asarray(kernel, np.float32).astype(np.float64)
    x = img.astype(np.float64)
    exact = cv2.filter2D(x, -1, k, borderType=cv2.BORDER_REFLECT_101).reshape(img.shape)
    scale = cv2.filter2D(x, -1, np.abs(k), borderType=cv2.BORDER_REFLECT_101).reshape(img.shape)
    diff = np.abs(out.astype(np.int16) - ref.astype(np.int16))
    assert diff.max(initial=0) <= 1
    near_half = np.abs(exact - np.floor(exact) - 0.5) <= 1e-5 * scale + 1e-9
    assert np.all(near_half[diff > 0])


@given(kh=st.sampled_from([1, 3, 5, 6, 7, 9, 11]), kw=st.sampled_from([1, 3, 5, 7, 11, 20]),
       layout=st.sampled_from(LAYOUTS), seed=st.integers(0, 999), width=st.integers(1, 40),
       kind=st.sampled_from(["positive", "signed", "halves", "box"]))
def test_uint8_convolution_paths_differ_at_half_ties_only(kh, kw, layout, seed, width, kind):
    # the two paths end their vector loops differently (the last columns of a row): they
    # may round an exact or near half apart, and nowhere else
    from augkit.functional import blur as FB
    rng = np.random.default_rng(seed)
    img = _image(rng, 9, width, layout, np.uint8)
    if seed % 3 == 0:
        img = (img > 127).astype(np.uint8) * 255  # extremes: saturation on both sides
    kernel = rng.normal(size=(kh, kw)).astype(np.float32)
    if kind == "positive":
        kernel = np.abs(kernel) / np.abs(kernel).sum()
    elif kind == "halves":  # exact halves after the sum: the rounding rule decides
        kernel = np.round(kernel * 4) / 8
    elif kind == "box":  # 1/n weights: sums near halves in float32
        kernel = np.full((kh, kw), 1.0 / (kh * kw), np.float32)
    eight_bit = cv2.filter2D(img, -1, kernel, borderType=cv2.BORDER_REFLECT_101).reshape(img.shape)
    if kh * kw < FB._DFT_FILTER_AREA:  # (DFT sizes always take the 8-bit path)
        _assert_half_ties_only(img, kernel, FB._uint8_via_float(img, kernel), eight_bit)
    chosen = FB._uint8_via_float(img, kernel) if FB._uint8_filter_via_float(kernel) else eight_bit
    np.testing.assert_array_equal(convolve(img, kernel), chosen)


def test_uint8_convolution_path_is_a_fixed_rule():
    # no timing: the same kernel takes the same path on every run (a seed fixes the pixels)
    from augkit.functional import blur as FB
    line = np.zeros((7, 7), np.float32)
    line[3] = 1 / 7
    assert not FB._uint8_filter_via_float(np.ones((3, 3), np.float32) / 9)  # 9 weights
    assert not FB._uint8_filter_via_float(line)  # a 7-weight motion line
    assert FB._uint8_filter_via_float(np.ones((5, 5), np.float32) / 25)
    assert FB._uint8_filter_via_float(np.ones((11, 11), np.float32) / 121)
    assert not FB._uint8_filter_via_float(np.ones((13, 13), np.float32))  # OpenCV's DFT sizes
    assert not FB._uint8_filter_via_float(np.ones(25, np.float32))  # not 2-D
    # OpenCV's DFT threshold follows SSE3, looked up by name (its id is 4, not 3)
    if FB._SSE3 is not None:
        assert cv2.getHardwareFeatureName(FB._SSE3) == "SSE3"
    assert FB._DFT_FILTER_AREA == (130 if FB._SSE3 and cv2.checkHardwareSupport(FB._SSE3) else 50)
