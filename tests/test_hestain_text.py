"""HEStain (tone) and TextImage (text): properties, dtypes, validation, and a comparison
with Albumentations 2.0.8 where it is cheap and defined."""

from __future__ import annotations

import numpy as np
import pytest

import augkit
from augkit.errors import InvalidParameterError, UnsupportedInputError
from augkit.functional import text as FT
from augkit.functional import tone as F
from augkit.transforms.text import TextImage
from augkit.transforms.tone import HEStain
from tests.pixel_helpers import run, sample, state_for

STD = F.HE_PRESETS["standard"]


def he_image(h=48, w=64, seed=0, bg=True):
    """A synthetic H&E image with known concentrations (standard stains), plus white background."""
    rng = np.random.default_rng(seed)
    conc = rng.uniform(0.1, 1.2, (h, w, 2))
    if bg:
        conc[:, : w // 4] = 0.0
    s = STD / np.linalg.norm(STD, axis=1, keepdims=True)
    img = np.exp(-(conc @ s)) * 255
    return np.clip(np.rint(img), 0, 255).astype(np.uint8), conc


def concentrations(img, stains=STD):
    od = -np.log(np.maximum(img.astype(np.float64) / (255.0 if img.dtype == np.uint8 else 1.0), 1e-6))
    return od @ np.linalg.inv(F.stain_basis(stains))


# -- HEStain ---------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["preset", "random_preset", "macenko", "vahadane"])
@pytest.mark.parametrize("dtype", ["uint8", "uint16", "float32"])
def test_hestain_zero_ranges_are_identity(method, dtype):
    rng = np.random.default_rng(1)
    img = rng.integers(0, 256, (20, 24, 3)).astype(np.uint8)  # not an H&E image at all
    if dtype == "uint16":
        img = img.astype(np.uint16) * 257
    elif dtype == "float32":
        img = img.astype(np.float32) / 255
    t = HEStain(method=method, intensity_scale_range=(1, 1), intensity_shift_range=(0, 0),
                augment_background=True, p=1.0)
    out = augkit.Compose([t], seed=0)(image=img)["image"]
    assert out.dtype == img.dtype
    tol = {"uint8": 1, "uint16": 2, "float32": 2e-5}[dtype]
    np.testing.assert_allclose(out.astype(np.float64), img.astype(np.float64), atol=tol)


def test_hestain_scales_and_shifts_the_stain_concentrations():
    img, conc = he_image(bg=False)
    f = img.astype(np.float32) / 255
    out = F.he_stain(f, STD, (1.5, 0.5), (0.0, 0.1), augment_background=True)
    c_in, c_out = concentrations(f), concentrations(out)
    keep = (out > 1e-3).all(axis=2)  # not clipped to black
    np.testing.assert_allclose(c_out[keep][:, 0], 1.5 * c_in[keep][:, 0], atol=1e-3)
    np.testing.assert_allclose(c_out[keep][:, 1], 0.5 * c_in[keep][:, 1] + 0.1, atol=1e-3)
    np.testing.assert_allclose(c_out[keep][:, 2], c_in[keep][:, 2], atol=1e-3)  # residual kept
    # more hematoxylin darkens, less eosin brightens the green channel
    h_only = F.he_stain(f, STD, (2.0, 1.0), (0, 0), True)
    assert h_only.mean() < f.mean()


def test_hestain_background_is_kept_unless_asked():
    img, _ = he_image()
    white = img[:, :16]
    assert (white >= 250).all()
    out = F.he_stain(img, STD, (1.3, 1.3), (0.2, 0.2), augment_background=False)
    np.testing.assert_array_equal(out[:, :16], white)
    assert (out[:, 16:] != img[:, 16:]).mean() > 0.9
    out_bg = F.he_stain(img, STD, (1.3, 1.3), (0.2, 0.2), augment_background=True)
    assert (out_bg[:, :16] < 250).all()


def test_hestain_uint8_float_agree_and_uint16():
    img, _ = he_image()
    t = HEStain(method="preset", preset="dark", p=1.0)
    p = sample(t, img)
    u = t.apply(img, **p)
    f = t.apply(img.astype(np.float32) / 255, **p)
    assert np.abs(u.astype(np.float32) - f * 255).max() <= 1.0
    w = t.apply(img.astype(np.uint16) * 257, **p)
    assert w.dtype == np.uint16
    assert np.abs(w / 257.0 - f * 255).max() <= 1.0


@pytest.mark.parametrize("method", ["macenko", "vahadane"])
def test_hestain_estimates_recover_the_stains(method):
    img, _ = he_image(96, 96)
    est = (F.macenko_stains if method == "macenko" else F.vahadane_stains)(img)
    truth = STD / np.linalg.norm(STD, axis=1, keepdims=True)
    cos = np.sum(est * truth, axis=1)
    assert (cos > 0.99).all(), est


def test_hestain_estimate_falls_back_without_tissue():
    white = np.full((16, 16, 3), 250, np.uint8)
    assert F.macenko_stains(white) is None and F.vahadane_stains(white) is None
    p = sample(HEStain(method="macenko", p=1.0), white)
    np.testing.assert_allclose(p["stain_matrix"], STD)


def test_hestain_rejects_non_rgb_and_bad_args():
    t = HEStain(p=1.0)
    for img in (np.zeros((8, 8), np.uint8), np.zeros((8, 8, 4), np.uint8)):
        with pytest.raises(UnsupportedInputError, match="HEStain.*channels"):
            t(image=img)
    for kw in ({"method": "auto"}, {"preset": "purple"}, {"intensity_scale_range": (1.2, 0.8)},
               {"intensity_scale_range": (-1, 1)}, {"augment_background": 1}):
        with pytest.raises(InvalidParameterError, match="HEStain"):
            HEStain(**kw)


def test_hestain_matches_albumentations_on_he_images():
    A = pytest.importorskip("albumentations")
    _, conc = he_image(bg=False)
    s = STD / np.linalg.norm(STD, axis=1, keepdims=True)
    f = np.exp(-(conc @ s)).astype(np.float32)  # exactly in the H-E plane (no residual)
    ref = A.HEStain(method="preset", preset="standard", augment_background=True, p=1.0)
    for s, d in (((1.3, 0.7), (0.1, -0.1)), ((0.8, 1.2), (-0.05, 0.2))):
        a = ref.apply(f, stain_matrix=STD, scale_factors=np.array(s), shift_values=np.array(d))
        b = F.he_stain(f, STD, s, d, True)
        np.testing.assert_allclose(b, a, atol=1e-3)


# -- TextImage --------------------------------------------------------------------------
BOXES = [{"bbox": [0.1, 0.1, 0.9, 0.45], "text": "Hello augkit"},
         {"bbox": [0.2, 0.6, 0.6, 0.9], "text": "abc"}]


def text_call(t, img, md=BOXES, seed=0):
    return augkit.Compose([t], seed=seed)(image=img, textimage_metadata=md)["image"]


def box_mask(shape, boxes):
    h, w = shape[:2]
    m = np.zeros((h, w), bool)
    for b in boxes:
        x1, y1, x2, y2 = b["bbox"]
        m[int(y1 * h):int(y2 * h), int(x1 * w):int(x2 * w)] = True
    return m


@pytest.mark.parametrize("kind", ["rgb_u8", "gray_u8", "rgb_f32", "c5_u16"])
def test_textimage_draws_only_inside_the_boxes(kind):
    shape = {"rgb_u8": (60, 120, 3), "gray_u8": (60, 120), "rgb_f32": (60, 120, 3), "c5_u16": (60, 120, 5)}[kind]
    rng = np.random.default_rng(0)
    img = rng.integers(100, 200, shape).astype(np.uint8)
    if kind == "rgb_f32":
        img = img.astype(np.float32) / 255
    elif kind == "c5_u16":
        img = img.astype(np.uint16) * 257
    out = text_call(TextImage(font_path=None, font_color=(255, 255, 255), p=1.0), img)
    assert out.dtype == img.dtype and out.shape == img.shape
    changed = out != img
    changed = changed.any(axis=2) if changed.ndim == 3 else changed
    inside = box_mask(shape, BOXES)
    assert not changed[~inside].any()
    for b in BOXES:
        assert changed[box_mask(shape, [b])].sum() > 20  # each box got text


def test_textimage_font_color():
    img = np.full((60, 120, 3), 255, np.uint8)
    out = text_call(TextImage(font_path=None, font_color=(200, 30, 60), p=1.0), img)
    ink = (out != 255).any(axis=2)
    full = out[(np.abs(out.astype(int) - [200, 30, 60]).sum(axis=2) <= 3)]
    assert len(full) > 30  # fully covered glyph pixels have exactly the font colour
    # partially covered pixels lie on the segment between background and colour
    px = out[ink].astype(float)
    t = (255 - px[:, 1]) / (255 - 30)
    np.testing.assert_allclose(px, 255 + t[:, None] * (np.array([200, 30, 60]) - 255), atol=2)
    f = text_call(TextImage(font_path=None, font_color=(200, 30, 60), p=1.0), img.astype(np.float32) / 255)
    assert np.abs(f * 255 - out).max() <= 1.0  # colour in 0..255 units whatever the dtype


def test_textimage_nothing_drawn_without_metadata():
    img = np.full((30, 40, 3), 128, np.uint8)
    t = TextImage(font_path=None, p=1.0)
    np.testing.assert_array_equal(augkit.Compose([t], seed=0)(image=img)["image"], img)
    np.testing.assert_array_equal(text_call(t, img, md=[]), img)
    np.testing.assert_array_equal(run(t, img), img)


def test_textimage_fraction_selects_boxes_and_clear_bg():
    md = [{"bbox": [0.1 * i, 0.1, 0.1 * i + 0.09, 0.5], "text": f"w{i}"} for i in range(10)]
    img = np.full((50, 200, 3), 200, np.uint8)
    st = state_for(img)
    st.extra = {"textimage_metadata": md}
    p = TextImage(font_path=None, fraction_range=(0.5, 0.5), p=1.0).sample(np.random.default_rng(0), st)
    assert len(p["overlay_data"]) == 5 and len({d["bbox_index"] for d in p["overlay_data"]}) == 5
    noisy = np.random.default_rng(0).integers(0, 256, (50, 200, 3)).astype(np.uint8)
    out = text_call(TextImage(font_path=None, clear_bg=True, font_color=(0, 0, 0), p=1.0), noisy, md=md[:1])
    region = out[5:25, 0:18].reshape(-1, 3)
    colors, counts = np.unique(region, axis=0, return_counts=True)
    flat = colors[counts.argmax()]  # the box background is one flat colour ...
    assert counts.max() > 0.4 * len(region)
    assert (region <= flat).all()  # ... and the rest is (anti-aliased) black text on it
    ring = noisy[5:25, 0:18].astype(float)
    expect = np.concatenate([ring[0], ring[-1], ring[:, 0], ring[:, -1]]).mean(axis=0)
    assert np.abs(flat - expect).max() <= 1


def test_textimage_word_edits():
    rng = np.random.default_rng(0)
    text = "one two three four five six seven eight"
    ins = FT.augment_words(text, "insertion", 1.0, ("the",), rng).split()
    assert len(ins) == 12 and ins.count("the") == 4
    sw = FT.augment_words(text, "swap", 1.0, (), rng).split()
    assert sorted(sw) == sorted(text.split())
    de = FT.augment_words(text, "deletion", 1.0, (), rng).split()
    assert len(de) == 4 and set(de) <= set(text.split())
    assert FT.augment_words("solo", "deletion", 1.0, (), rng) == "solo"


def test_textimage_validation():
    for kw in ({"font_path": "/no/such/font.ttf"}, {"font_path": None, "augmentations": ("shuffle",)},
               {"font_path": None, "fraction_range": (0, 2)}, {"font_path": None, "font_color": (300, 0, 0)},
               {"font_path": None, "stopwords": "the"}, {"font_path": None, "clear_bg": "yes"}):
        with pytest.raises(InvalidParameterError, match="TextImage"):
            TextImage(**kw)
    with pytest.raises(TypeError):
        TextImage()  # font_path has no default, as in 2.0.8
    with pytest.raises(augkit.errors.TargetError, match="textimage_metadata"):
        text_call(TextImage(font_path=None, p=1.0), np.zeros((8, 8, 3), np.uint8), md=[{"box": [0, 0, 1, 1]}])


def test_textimage_truetype_when_pil_is_available():
    pytest.importorskip("PIL")
    import glob
    fonts = glob.glob("/usr/share/fonts/**/*.ttf", recursive=True)
    if not fonts:
        pytest.skip("no TrueType font on this machine")
    img = np.full((60, 120, 3), 255, np.uint8)
    out = text_call(TextImage(font_path=fonts[0], p=1.0), img)
    changed = (out != img).any(axis=2)
    assert changed.any() and not changed[~box_mask(img.shape, BOXES)].any()
