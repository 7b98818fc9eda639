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
