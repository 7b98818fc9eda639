"""Domain-adaptation transforms (FDA, HistogramMatching, PixelDistributionAdaptation)."""

from __future__ import annotations

import warnings

import cv2
import numpy as np
import pytest

import augkit
from augkit.errors import InvalidParameterError, TargetError, UnsupportedInputError
from augkit.functional import domain as F
from augkit.transforms.domain import FDA, HistogramMatching, PixelDistributionAdaptation

RNG = np.random.default_rng(0)
IMG = cv2.GaussianBlur(RNG.random((48, 64, 3)).astype(np.float32), (0, 0), 1.5)
REF = RNG.random((48, 64, 3)).astype(np.float32) ** 2
REF[..., 1] = REF[..., 1] * 0.5 + 0.3 * REF[..., 0]


def u8(x):
    return np.round(x * 255).astype(np.uint8)


def run(t, img):
    return augkit.Compose([t], seed=0)(image=img)["image"]


# -- FDA ---------------------------------------------------------------------------------
def _naive_fda(src, trg, beta):
    out = []
    h, w = src.shape[:2]
    b = int(np.floor(min(h, w) * beta))
    ch, cw = h // 2, w // 2
    for c in range(src.shape[2]):
        fs = np.fft.fftshift(np.fft.fft2(src[..., c]))
        ft = np.fft.fftshift(np.fft.fft2(trg[..., c]))
        amp, pha = np.abs(fs), np.angle(fs)
        amp[ch - b:ch + b + 1, cw - b:cw + b + 1] = np.abs(ft)[ch - b:ch + b + 1, cw - b:cw + b + 1]
        out.append(np.real(np.fft.ifft2(np.fft.ifftshift(amp * np.exp(1j * pha)))))
    return np.clip(np.stack(out, -1), 0, 1)


@pytest.mark.parametrize("shape", [(48, 64), (33, 50), (7, 9)])
def test_ccs_window_reads_the_dft(shape):
    x = RNG.random(shape).astype(np.float32)
    full = np.fft.fft2(x.astype(np.float64))
    for b in range(min(shape) // 2 + 1):
        re, im = F._region(cv2.dft(x), b)
        want = full[np.ix_(np.arange(-b, b + 1) % shape[0], np.arange(b + 1))]
        np.testing.assert_allclose(re, want.real, atol=1e-4)
        np.testing.assert_allclose(im, want.imag, atol=1e-4)


@pytest.mark.parametrize("beta", [0.0, 0.05, 0.2])
def test_fda_swaps_the_low_frequency_amplitude(beta):
    out = run(FDA(reference_images=[REF], beta_limit=(beta, beta), p=1), IMG)
    np.testing.assert_allclose(out, _naive_fda(IMG.astype(np.float64), REF.astype(np.float64), beta),
                               atol=1e-4)
    if beta > 0:  # the reference's low-frequency amplitude is now the image's
        b = int(min(IMG.shape[:2]) * beta)
        a_out = np.abs(np.fft.fft2(out[..., 0]))[:b, :b]
        a_ref = np.abs(np.fft.fft2(REF[..., 0]))[:b, :b]
        np.testing.assert_allclose(a_out, a_ref, rtol=0.05, atol=0.05)


def test_fda_dtypes_agree_and_reference_is_resized():
    ref_small = cv2.resize(REF, (40, 30))
    t = FDA(reference_images=[u8(ref_small)], beta_limit=(0.1, 0.1), p=1)
    a = run(t, u8(IMG)).astype(np.float32) / 255
    b = run(FDA(reference_images=[u8(ref_small)], beta_limit=(0.1, 0.1), p=1), u8(IMG).astype(np.float32) / 255)
    assert np.abs(a - b).max() <= 1 / 255 + 1e-6
    c = run(FDA(reference_images=[u8(ref_small)], beta_limit=(0.1, 0.1), p=1),
            u8(IMG).astype(np.uint16) * 257)
    assert c.dtype == np.uint16 and np.abs(c / 65535.0 - b).max() < 1e-3


# -- HistogramMatching -------------------------------------------------------------------
def test_histogram_matching_gives_the_reference_distribution():
    img = u8(IMG)
    ref = u8(REF)
    out = run(HistogramMatching(reference_images=[ref], blend_ratio=(1, 1), p=1), img)
    for c in range(3):
        q = np.linspace(0.05, 0.95, 10)
        np.testing.assert_allclose(np.quantile(out[..., c], q), np.quantile(ref[..., c], q), atol=8)
        # monotone: the order of the pixels is kept
        order = np.argsort(img[..., c].ravel(), kind="stable")
        assert np.all(np.diff(out[..., c].ravel()[order].astype(int)) >= 0)


def test_histogram_matching_blend_and_dtypes():
    img, ref = u8(IMG), u8(REF)
    full = run(HistogramMatching(reference_images=[ref], blend_ratio=(1, 1), p=1), img).astype(float)
    half = run(HistogramMatching(reference_images=[ref], blend_ratio=(0.5, 0.5), p=1), img).astype(float)
    assert np.abs(half - (0.5 * full + 0.5 * img)).max() <= 1.0
    f = run(HistogramMatching(reference_images=[REF], blend_ratio=(1, 1), p=1), img.astype(np.float32) / 255)
    assert f.dtype == np.float32 and np.abs(f * 255 - full).max() <= 1.5
    w = run(HistogramMatching(reference_images=[ref], blend_ratio=(1, 1), p=1), img.astype(np.uint16) * 257)
    assert w.dtype == np.uint16 and np.abs(w / 257.0 - full).max() <= 1.5


# -- PixelDistributionAdaptation --------------------------------------------------------
@pytest.mark.parametrize("kind", ["standard", "minmax", "pca"])
def test_pda_matches_reference_statistics(kind):
    img = (RNG.normal(0.3, 0.05, (40, 40, 3))).clip(0, 1).astype(np.float32)
    ref = (RNG.normal(0.6, 0.1, (50, 30, 3))).clip(0, 1).astype(np.float32)
    out = run(PixelDistributionAdaptation(reference_images=[ref], blend_ratio=(1, 1),
                                          transform_type=kind, p=1), img)
    x, r = out.reshape(-1, 3), ref.reshape(-1, 3)
    if kind == "minmax":
        np.testing.assert_allclose(x.min(0), r.min(0), atol=1e-5)
        np.testing.assert_allclose(x.max(0), r.max(0), atol=1e-5)
    else:
        np.testing.assert_allclose(x.mean(0), r.mean(0), atol=2e-3)
    if kind == "standard":
        np.testing.assert_allclose(x.std(0), r.std(0), rtol=2e-2)
    if kind == "pca":  # total variance is the image's: PCA rotates, it does not rescale
        assert abs(np.trace(np.cov(x.T)) / np.trace(np.cov(img.reshape(-1, 3).T)) - 1) < 0.02


def test_pda_uint8_equals_float_and_blend():
    img, ref = u8(IMG), u8(REF)
    a = run(PixelDistributionAdaptation(reference_images=[ref], blend_ratio=(1, 1), p=1), img)
    assert a.max() > 0  # Albumentations 2.0.8 returns zeros here
    b = run(PixelDistributionAdaptation(reference_images=[ref], blend_ratio=(1, 1), p=1),
            img.astype(np.float32) / 255)
    assert np.abs(a / 255.0 - b).max() <= 1 / 255 + 1e-6
    h = run(PixelDistributionAdaptation(reference_images=[ref], blend_ratio=(0.5, 0.5), p=1), img)
    assert np.abs(h.astype(float) - (0.5 * a + 0.5 * img)).max() <= 1.0


# -- shared behaviour --------------------------------------------------------------------
@pytest.mark.parametrize("cls", [FDA, HistogramMatching, PixelDistributionAdaptation])
def test_references_of_other_kinds(cls, tmp_path):
    gray, c5 = u8(IMG[..., 0]), np.dstack([u8(IMG), u8(IMG[..., :2])])
    assert run(cls(reference_images=[u8(REF)], p=1), gray).shape == gray.shape  # RGB ref, grey image
    assert run(cls(reference_images=[u8(REF[..., 0])], p=1), c5).shape == c5.shape  # grey ref
    with pytest.raises(UnsupportedInputError, match="channels"):
        run(cls(reference_images=[u8(REF)], p=1), c5)
    path = tmp_path / "ref.png"
    cv2.imwrite(str(path), u8(REF))
    assert run(cls(reference_images=[str(path)], p=1), u8(IMG)).dtype == np.uint8
    with pytest.raises(TargetError, match="no reference image"):
        run(cls(p=1), u8(IMG))


def test_reference_is_chosen_with_the_pipeline_generator():
    refs = [np.zeros((8, 8, 3), np.uint8), np.full((8, 8, 3), 255, np.uint8)]
    pipe = augkit.Compose([FDA(reference_images=refs, beta_limit=(0.1, 0.1), p=1)], seed=5)
    means = {round(float(pipe(image=u8(IMG))["image"].mean())) for _ in range(12)}
    assert len(means) == 2
    pipe.set_random_seed(5)
    first = [pipe(image=u8(IMG))["image"] for _ in range(3)]
    pipe.set_random_seed(5)
    for a in first:
        np.testing.assert_array_equal(a, pipe(image=u8(IMG))["image"])


@pytest.mark.parametrize("cls, kwargs", [
    (FDA, {"beta_limit": (0.1, 0.6)}),
    (FDA, {"beta_limit": (-0.1, 0.1)}),
    (HistogramMatching, {"blend_ratio": (0.5, 1.5)}),
    (HistogramMatching, {"blend_ratio": 0.5}),
    (PixelDistributionAdaptation, {"transform_type": "zca"}),
    (PixelDistributionAdaptation, {"reference_images": []}),
    (FDA, {"read_fn": 3}),
    (FDA, {"metadata_key": 1}),
])
def test_invalid_parameters(cls, kwargs):
    with pytest.raises(InvalidParameterError, match=cls.__name__):
        cls(**kwargs)


@pytest.mark.parametrize("name", ["FDA", "HistogramMatching", "PixelDistributionAdaptation"])
def test_close_to_albumentations(name):
    A = pytest.importorskip("albumentations")
    kw = {"FDA": {}, "HistogramMatching": {"blend_ratio": (1, 1)},
          "PixelDistributionAdaptation": {"blend_ratio": (1, 1)}}[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = getattr(A, name)(p=1, **kw)
        theirs = A.Compose([t])(image=IMG, **{t.metadata_key: [REF]})["image"]
    mine = run(globals()[name](reference_images=[REF], p=1, **kw), IMG)
    if name == "FDA":  # 2.0.8 swaps another window; both keep the image's content
        assert np.corrcoef(mine.ravel(), theirs.ravel())[0, 1] > 0.8
    else:
        assert np.abs(mine - theirs).mean() < 0.01
