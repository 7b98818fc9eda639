"""The lookup-table kernel: both backends agree, tables compose, and pipelines fuse them."""

import numpy as np
import pytest

import augkit as A
from augkit.functional import lut as L

BACKENDS = ["opencv"] + (["stringzilla"] if L._sz is not None else [])


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("shape", [(7, 9), (7, 9, 1), (7, 9, 3), (7, 9, 5)])
def test_apply_lut_matches_indexing(backend, shape):
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, shape, dtype=np.uint8)
    table = rng.integers(0, 256, 256, dtype=np.uint8)
    out = L.apply_lut(img, table, backend=backend)
    np.testing.assert_array_equal(out, table[img])
    assert out.shape == img.shape and out.dtype == np.uint8


@pytest.mark.parametrize("backend", BACKENDS)
def test_per_channel_tables(backend):
    rng = np.random.default_rng(1)
    for c in (3, 4, 6):
        img = rng.integers(0, 256, (5, 6, c), dtype=np.uint8)
        tables = rng.integers(0, 256, (256, c), dtype=np.uint8)
        out = L.apply_lut(img, tables, backend=backend)
        expected = np.stack([tables[img[..., k], k] for k in range(c)], axis=-1)
        np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("shape", [(512, 512, 3), (333, 129, 4), (97, 80, 2), (1, 5000, 3), (5000, 1, 3), (700, 301, 3)])
def test_per_channel_tables_large_images_strip_kernel(backend, shape):
    """Images large enough for the strip-wise stringzilla kernel, with a partial last strip."""
    rng = np.random.default_rng(2)
    img = rng.integers(0, 256, shape, dtype=np.uint8)
    tables = rng.integers(0, 256, (256, shape[2]), dtype=np.uint8)
    expected = np.stack([tables[img[..., k], k] for k in range(shape[2])], axis=-1)
    before = img.copy()
    np.testing.assert_array_equal(L.apply_lut(img, tables, backend=backend), expected)
    np.testing.assert_array_equal(L.apply_lut(img[:, ::-1], tables, backend=backend), expected[:, ::-1])
    np.testing.assert_array_equal(img, before)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("shape", [(5, 6, 3), (64, 33, 4), (300, 257, 3), (9, 7, 2)])
def test_lut_planes_equals_stacked_tables(backend, shape):
    """Plane by plane (HueSaturationValue's kernel): the same values as indexing, None
    leaving a plane unchanged, into a new array or back into the input."""
    rng = np.random.default_rng(3)
    img = rng.integers(0, 256, shape, dtype=np.uint8)
    c = shape[2]
    tables = [rng.integers(0, 256, 256, dtype=np.uint8) for _ in range(c)]
    tables[1] = None
    expected = np.stack([img[..., k] if t is None else t[img[..., k]] for k, t in enumerate(tables)], axis=-1)
    before = img.copy()
    out = L.lut_planes(img, tables, backend=backend)
    np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(img, before)  # a new array unless told otherwise
    assert not np.shares_memory(out, img)
    same = L.lut_planes(img, tables, dst=img, backend=backend)
    assert same is img
    np.testing.assert_array_equal(img, expected)


def test_non_contiguous_input_is_handled_and_not_modified():
    rng = np.random.default_rng(2)
    base = rng.integers(0, 256, (10, 12, 3), dtype=np.uint8)
    view = base[::2, ::-1]
    before = base.copy()
    table = (255 - np.arange(256)).astype(np.uint8)
    np.testing.assert_array_equal(L.apply_lut(view, table), 255 - view)
    np.testing.assert_array_equal(base, before)


def test_compose_luts_is_function_composition():
    rng = np.random.default_rng(3)
    a = rng.integers(0, 256, 256, dtype=np.uint8)
    b = rng.integers(0, 256, (256, 3), dtype=np.uint8)
    c = rng.integers(0, 256, 256, dtype=np.uint8)
    img = rng.integers(0, 256, (4, 5, 3), dtype=np.uint8)
    step = L.apply_lut(L.apply_lut(L.apply_lut(img, a), b), c)
    fused = L.apply_lut(img, L.compose_luts(L.compose_luts(a, b), c))
    np.testing.assert_array_equal(step, fused)


def test_consecutive_lut_transforms_fuse_into_one_pass(monkeypatch):
    """Three LUT transforms on uint8 apply one table, and give the step-by-step result."""
    calls = []
    real = L.apply_lut

    def counting(img, lut, backend=None):
        calls.append(lut.shape)
        return real(img, lut, backend)

    import augkit.core.state as state_mod
    monkeypatch.setattr(state_mod, "apply_lut", counting)
    rng = np.random.default_rng(4)
    img = rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)
    steps = [A.InvertImg(p=1), A.RandomGamma(gamma_limit=(70, 70), p=1), A.Solarize(threshold_range=(0.4, 0.4), p=1)]
    fused = A.Compose(steps, seed=0)(image=img)["image"]
    assert len(calls) == 1
    expected = img
    for t in steps:
        expected = A.Compose([t], seed=0)(image=expected)["image"]
    np.testing.assert_array_equal(fused, expected)


def test_table_chains_with_lone_kernels_equal_step_by_step():
    """Every 3-step sequence of table transforms (some applied by their own kernel when
    alone, their tables built only when another table follows), flips and a non-table step:
    the fused call equals the call that materializes after each step."""
    import itertools

    import augkit as A
    img = np.random.default_rng(0).integers(0, 256, (40, 50, 3), dtype=np.uint8)
    steps = [A.InvertImg(p=1), A.Posterize(num_bits=3, p=1), A.Solarize(p=1), A.RandomGamma(p=1),
             A.RandomBrightnessContrast(p=1), A.HorizontalFlip(p=1), A.ToGray(p=1)]
    for seq in itertools.product(range(len(steps)), repeat=3):
        chain = [steps[i] for i in seq]
        fused = A.Compose(chain, seed=3)(image=img)["image"]
        ref = A.Compose(chain, seed=3, fuse=False)(image=img)["image"]
        assert np.array_equal(fused, ref), [type(s).__name__ for s in chain]
