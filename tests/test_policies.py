"""Augmentation policies: magnitude tables, op counts, noise, published sub-policies,
AugMix's convex blend, annotations following spatial ops, timm strings, seeds, dtypes."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import augkit as A
from augkit import policies as PL
from augkit.errors import InvalidParameterError

SHAPE = (224, 160)  # (h, w): translations scale with the side

# The documented ranges (module docstring), written out independently of the tables:
# op -> (value at f = 0, value at f = 1) for the positive sign.
DOCUMENTED = {
    "torchvision": {"ShearX": (0, 0.3), "ShearY": (0, 0.3), "TranslateX": (0, int(150 / 331 * 160)),
                    "TranslateY": (0, int(150 / 331 * 224)), "Rotate": (0, 30),
                    "Brightness": (1, 1.9), "Color": (1, 1.9), "Contrast": (1, 1.9), "Sharpness": (1, 1.9),
                    "Posterize": (8, 4), "Solarize": (255, 0)},
    "wide": {"ShearX": (0, 0.99), "ShearY": (0, 0.99), "TranslateX": (0, 32), "TranslateY": (0, 32),
             "Rotate": (0, 135), "Brightness": (1, 1.99), "Color": (1, 1.99), "Contrast": (1, 1.99),
             "Sharpness": (1, 1.99), "Posterize": (8, 2), "Solarize": (255, 0)},
    "augmix": {"ShearX": (0, 0.3), "ShearY": (0, 0.3), "TranslateX": (0, int(160 / 3)),
               "TranslateY": (0, int(224 / 3)), "Rotate": (0, 30), "Brightness": (1, 1.9),
               "Posterize": (4, 0), "Solarize": (255, 0)},
    "timm": {"ShearX": (0, 0.3), "Rotate": (0, 30), "TranslateXRel": (0, 0.45 * 160),
             "TranslateYRel": (0, 0.45 * 224), "TranslateX": (0, 250), "Color": (0.1, 1.9),
             "BrightnessIncreasing": (1, 1.9), "Posterize": (0, 4), "PosterizeIncreasing": (4, 0),
             "PosterizeOriginal": (4, 8), "Solarize": (0, 256), "SolarizeIncreasing": (256, 0),
             "SolarizeAdd": (0, 110)},
}
BINS = {"torchvision": 31, "wide": 31, "augmix": 10, "timm": 11}
INTEGER_OPS = ("Posterize", "Translate", "SolarizeIncreasing", "SolarizeAdd")


def _case_list():
    return [(space, op) for space, ops in DOCUMENTED.items() for op in ops]


@pytest.mark.parametrize("space,op", _case_list())
def test_every_level_lies_in_the_documented_range(space, op):
    lo, hi = DOCUMENTED[space][op]
    n = BINS[space]
    values = [PL.op_parameter(space, op, k / (n - 1), SHAPE) for k in range(n)]
    assert values[0] == pytest.approx(lo) and values[-1] == pytest.approx(hi)
    a, b = min(lo, hi), max(lo, hi)
    assert all(a - 1e-9 <= v <= b + 1e-9 for v in values), values
    steps = np.diff(values) * np.sign(hi - lo)
    assert np.all(steps >= -1e-12), f"{space} {op} is not monotone: {values}"
    if op.startswith(("Posterize", "Translate")) and space != "timm" or op in ("Posterize", "SolarizeAdd"):
        assert all(float(v).is_integer() for v in values), values
    kind, r = PL.SPACES[space][op]
    if r.signed:  # the other sign mirrors the value about the identity (0, or factor 1)
        for k in range(n):
            neg = PL.op_parameter(space, op, k / (n - 1), SHAPE, negative=True)
            assert neg - r.base == pytest.approx(-(values[k] - r.base))


def test_posterize_and_solarize_levels_match_the_reference_formulas():
    # torchvision: bits 8 - round(k * 4 / (n - 1)); timm: int(level / 10 * 4) variants
    for k in range(31):
        assert PL.op_parameter("torchvision", "Posterize", k / 30) == 8 - round(k * 4 / 30)
        assert PL.op_parameter("wide", "Posterize", k / 30) == 8 - round(k * 6 / 30)
    for level in range(11):
        f = level / 10
        assert PL.op_parameter("timm", "Posterize", f) == int(f * 4)
        assert PL.op_parameter("timm", "PosterizeIncreasing", f) == 4 - int(f * 4)
        assert PL.op_parameter("timm", "SolarizeIncreasing", f) == 256 - int(f * 256)
    assert PL.op_parameter("timm", "PosterizeIncreasing", 0.3) == 3  # 4 - int(1.2), not int(2.8)


class Spy:
    """Records every op a policy runs (kind, parameter), then runs it."""

    def __init__(self, monkeypatch):
        self.calls: list[tuple[str, float | None]] = []
        original = PL._Ops.run

        def run(ops, state, rng, kind, value):
            self.calls.append((kind, value))
            return original(ops, state, rng, kind, value)

        monkeypatch.setattr(PL._Ops, "run", run)


def _img(h=48, w=64, c=3, dtype=np.uint8, seed=0):
    rng = np.random.default_rng(seed)
    if dtype == np.float32:
        return rng.random((h, w, c), dtype=np.float32)
    return rng.integers(0, np.iinfo(dtype).max, (h, w, c), endpoint=True).astype(dtype)


@pytest.mark.parametrize("num_ops", [0, 1, 2, 4])
def test_randaugment_runs_exactly_num_ops(monkeypatch, num_ops):
    spy = Spy(monkeypatch)
    pipe = A.Compose([A.RandAugment(num_ops=num_ops, magnitude=9)], seed=1)
    for _ in range(20):
        spy.calls.clear()
        pipe(image=_img())
        assert len(spy.calls) == num_ops


@pytest.mark.parametrize("magnitude", range(0, 31, 3))
def test_randaugment_runs_each_op_at_its_magnitude(monkeypatch, magnitude):
    spy = Spy(monkeypatch)
    pipe = A.Compose([A.RandAugment(num_ops=3, magnitude=magnitude)], seed=magnitude)
    f = magnitude / 30
    expected = {"shear_x": 0.3 * f, "shear_y": 0.3 * f, "rotate": 30 * f, "brightness": 0.9 * f,
                "color": 0.9 * f, "contrast": 0.9 * f, "sharpness": 0.9 * f,
                "posterize": 8 - round(4 * f), "solarize": 255 * (1 - f),
                "translate_x": int(150 / 331 * 64 * f), "translate_y": int(150 / 331 * 48 * f)}
    seen = set()
    for _ in range(40):
        pipe(image=_img())
    for kind, value in spy.calls:
        seen.add(kind)
        if kind in ("brightness", "color", "contrast", "sharpness"):
            assert abs(value - 1) == pytest.approx(expected[kind])
        elif kind in expected:
            assert abs(value) == pytest.approx(expected[kind]), kind
        else:
            assert kind in ("identity", "autocontrast", "equalize") and value is None
    assert len(seen) >= 10  # the draw covers the op set


def test_signs_are_random(monkeypatch):
    spy = Spy(monkeypatch)
    pipe = A.Compose([A.RandAugment(num_ops=1, magnitude=20, ops=["Rotate"])], seed=0)
    for _ in range(200):
        pipe(image=_img())
    signs = np.sign([v for _, v in spy.calls])
    assert 0.4 < np.mean(signs > 0) < 0.6


def test_rotation_measured_from_a_keypoint():
    """The rotation a policy applies, read back from a keypoint it moved."""
    for magnitude in (0, 10, 21, 30):
        pipe = A.Compose([A.RandAugment(num_ops=1, magnitude=magnitude, ops=["Rotate"])], seed=magnitude,
                         keypoint_params=A.KeypointParams(format="xy", remove_invisible=False))
        for _ in range(5):
            out = pipe(image=_img(101, 101), keypoints=[(80.0, 50.0)])
            (x, y), = out["keypoints"]
            # pixel index 50 is the centre (50.5 continuous) of a 101-pixel side
            angle = math.degrees(math.atan2(-(y - 50), x - 50))
            assert abs(angle) == pytest.approx(30 * magnitude / 30, abs=1e-6)


def test_brightness_factor_measured_from_the_mean():
    img = np.full((20, 20, 3), 100, np.uint8)
    for magnitude in (0, 6, 15, 30):
        pipe = A.Compose([A.RandAugment(num_ops=1, magnitude=magnitude, ops=["Brightness"])], seed=2)
        factors = np.array([float(pipe(image=img)["image"].mean()) / 100 for _ in range(30)])
        delta = 0.9 * magnitude / 30
        # (the uint8 result is truncated: one level of 100 is a factor error of 0.01)
        up, down = np.abs(factors - (1 + delta)) <= 0.0101, np.abs(factors - (1 - delta)) <= 0.0101
        assert np.all(up | down), factors
        assert (up.any() and down.any()) or magnitude == 0


def test_magnitude_std_noise_is_clipped(monkeypatch):
    spy = Spy(monkeypatch)
    t = A.RandAugment(num_ops=1, magnitude=9, num_magnitude_bins=11, magnitude_std=20, ops=["Rotate"])
    pipe = A.Compose([t], seed=0)
    for _ in range(300):
        pipe(image=_img())
    v = np.abs([v for _, v in spy.calls])
    assert v.max() == pytest.approx(30.0) and v.min() == 0.0  # clipped at both ends
    assert np.all((v >= 0) & (v <= 30 + 1e-9))
    assert len(np.unique(v)) > 50  # and noisy in between
    # uniform in [0, magnitude] for std = inf; mmax raises the clip
    spy.calls.clear()
    pipe = A.Compose([A.RandAugment(num_ops=1, magnitude=6, num_magnitude_bins=11,
                                    magnitude_std=math.inf, ops=["Rotate"])], seed=0)
    for _ in range(200):
        pipe(image=_img())
    v = np.abs([v for _, v in spy.calls])
    assert v.max() <= 18 + 1e-9 and v.min() < 2
    spy.calls.clear()
    pipe = A.Compose([A.RandAugment(num_ops=1, magnitude=10, num_magnitude_bins=11, magnitude_std=10,
                                    magnitude_max=20, ops=["Rotate"])], seed=0)
    for _ in range(200):
        pipe(image=_img())
    v = np.abs([v for _, v in spy.calls])
    assert v.max() == pytest.approx(60.0) and np.all(v <= 60 + 1e-9)


# -- AutoAugment -------------------------------------------------------------------------------
def test_autoaugment_tables_match_the_published_policies():
    for name in ("imagenet", "cifar10", "svhn", "original", "originalr", "v0", "v0r"):
        subs = A.AutoAugment(policy=name).sub_policies
        assert len(subs) == 25, name
        for sub in subs:
            assert len(sub) == 2
            for op, prob, level in sub:
                assert 0.0 <= prob <= 1.0
                space = PL.AUTOAUGMENT_POLICIES[name][0]
                kind, r = PL.SPACES[space][op]
                if space == "torchvision":
                    assert (level is None) == (r is None)
                    assert level is None or 0 <= level <= 9
    tv = {n: A.AutoAugment(policy=n).sub_policies for n in ("imagenet", "cifar10", "svhn")}
    assert tv["imagenet"][0] == (("Posterize", 0.4, 8), ("Rotate", 0.6, 9))
    assert tv["imagenet"][13] == (("Invert", 0.6, None), ("Equalize", 1.0, None))
    assert tv["imagenet"][24] == (("Equalize", 0.8, None), ("Equalize", 0.6, None))
    assert tv["cifar10"][0] == (("Invert", 0.1, None), ("Contrast", 0.2, 6))
    assert tv["cifar10"][21] == (("TranslateY", 0.9, 9), ("TranslateY", 0.7, 9))
    assert tv["svhn"][0] == (("ShearX", 0.9, 4), ("Invert", 0.2, None))
    assert tv["svhn"][24] == (("ShearX", 0.7, 2), ("Invert", 0.1, None))
    assert tv["imagenet"][17] == (("Sharpness", 0.4, 7), ("Invert", 0.6, None))
    assert tv["cifar10"][13] == (("Brightness", 0.9, 6), ("Color", 0.2, 8))
    assert tv["svhn"][15] == (("Invert", 0.8, None), ("TranslateY", 0.0, 2))
    v0 = A.AutoAugment(policy="v0").sub_policies
    assert v0[6] == (("Equalize", 0.4, 8), ("SolarizeAdd", 0.8, 3))
    assert A.AutoAugment(policy="v0r").sub_policies[12][0] == ("PosterizeIncreasing", 0.4, 6)
    assert A.AutoAugment(policy="original").sub_policies[0][0] == ("PosterizeOriginal", 0.4, 8)


def test_autoaugment_runs_ops_of_one_sub_policy(monkeypatch):
    spy = Spy(monkeypatch)
    subs = A.AutoAugment(policy="svhn").sub_policies
    kinds = [tuple(PL.SPACES["torchvision"][op][0] for op, _, _ in sub) for sub in subs]
    pipe = A.Compose([A.AutoAugment(policy="svhn")], seed=3)
    lengths = []
    for _ in range(100):
        spy.calls.clear()
        pipe(image=_img())
        ran = tuple(k for k, _ in spy.calls)
        lengths.append(len(ran))
        # what ran is one sub-policy with some of its ops skipped by their probabilities
        assert any(ran == k or (len(ran) == 1 and ran[0] in k) or not ran for k in kinds), ran
    assert set(lengths) == {0, 1, 2}


# -- AugMix -------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32])
def test_augmix_identity_ops_return_the_input(dtype):
    img = _img(dtype=dtype)
    out = A.Compose([A.AugMix(ops=["Identity"], width=4, alpha=0.7)], seed=0)(image=img)["image"]
    assert out.dtype == img.dtype
    if dtype == np.float32:
        np.testing.assert_allclose(out, img, atol=1e-6)
    else:
        np.testing.assert_array_equal(out, img)


@pytest.mark.parametrize("variant", ["torchvision", "timm"])
@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_augmix_output_is_a_convex_blend_of_its_chains(monkeypatch, variant, dtype):
    seen = []
    original = PL.augmix_blend

    def spy(img, chains, weights, m):
        out = original(img, chains, weights, m)
        seen.append((img, list(chains), np.asarray(weights), m, out))
        return out

    monkeypatch.setattr(PL, "augmix_blend", spy)
    pipe = A.Compose([A.AugMix(severity=6, width=3, variant=variant)], seed=5)
    for _ in range(10):
        pipe(image=_img(dtype=dtype))
    assert len(seen) == 10
    for img, chains, weights, m, out in seen:
        assert len(chains) == 3 and weights.sum() == pytest.approx(1.0) and 0 <= m <= 1
        stack = np.stack([img] + chains).astype(np.float64)
        tol = 1e-6 if dtype == np.float32 else 0
        assert np.all(out >= stack.min(axis=0) - tol) and np.all(out <= stack.max(axis=0) + tol)
        want = m * img.astype(np.float64) + (1 - m) * sum(w * c.astype(np.float64) for w, c in zip(weights, chains))
        np.testing.assert_allclose(out, want, atol=0.5 + 1e-4 if dtype == np.uint8 else 1e-5)
    assert any(not np.array_equal(out, img) for img, _, _, _, out in seen)


def test_augmix_chain_depth(monkeypatch):
    spy = Spy(monkeypatch)
    t = A.AugMix(width=4, depth=2)
    A.Compose([t], seed=0)(image=_img())
    assert len(spy.calls) == 8
    spy.calls.clear()
    pipe = A.Compose([A.AugMix(width=1, depth=-1)], seed=0)
    sizes = set()
    for _ in range(40):
        spy.calls.clear()
        pipe(image=_img())
        sizes.add(len(spy.calls))
    assert sizes == {1, 2, 3}


# -- annotations follow the spatial ops ------------------------------------------------------------
def _dots(rng, h=96, w=96, sigma=1.2):
    # a jittered grid, 16 px apart: each dot alone in its measuring window
    gy, gx = np.mgrid[0:3, 0:3]
    pts = np.stack([32 + 16 * gx.ravel(), 32 + 16 * gy.ravel()], axis=1) + rng.uniform(-2, 2, (9, 2))
    yy, xx = np.mgrid[0:h, 0:w]
    img = np.zeros((h, w), np.float64)
    for x, y in pts:
        img = np.maximum(img, np.exp(-((xx - x) ** 2 + (yy - y) ** 2) / (2 * sigma ** 2)))
    return img.astype(np.float32), pts


SPATIAL_AND_MILD = ["Identity", "ShearX", "ShearY", "TranslateX", "TranslateY", "Rotate", "Brightness"]


@pytest.mark.parametrize("policy", ["rand", "wide", "auto"])
def test_keypoints_boxes_and_masks_follow_the_dots(policy):
    rng = np.random.default_rng(1)
    if policy == "rand":
        t = A.RandAugment(num_ops=3, magnitude=12, ops=SPATIAL_AND_MILD, interpolation=cv2.INTER_LINEAR)
    elif policy == "wide":
        t = A.TrivialAugmentWide(ops=SPATIAL_AND_MILD[1:6], num_magnitude_bins=8, interpolation=cv2.INTER_LINEAR)
    else:
        t = A.AutoAugment(policy="svhn", interpolation=cv2.INTER_LINEAR)
    pipe = A.Compose([t], seed=4, keypoint_params=A.KeypointParams(format="xy", label_fields=["ids"]),
                     bbox_params=A.BboxParams(format="pascal_voc", label_fields=["bids"]))
    checked = 0
    for _ in range(15):
        img, pts = _dots(rng)
        mask = (img > 0.5).astype(np.uint8)
        boxes = np.concatenate([pts + 0.5 - 4, pts + 0.5 + 4], axis=1)
        ids = list(range(len(pts)))
        image = img if policy != "auto" else (img * 255).astype(np.uint8)
        out = pipe(image=image, mask=mask, keypoints=pts, ids=ids, bboxes=boxes, bids=ids)
        res = out["image"].astype(np.float64)
        if policy == "auto" and res.mean() > 127:
            res = 255 - res  # Invert: the dots turn dark
        h, w = res.shape
        box_of = dict(zip(out["bids"], out["bboxes"]))
        for (x, y), i in zip(out["keypoints"], out["ids"]):
            if not (6 <= x < w - 6 and 6 <= y < h - 6):
                continue
            j0, i0 = int(round(x)) - 3, int(round(y)) - 3
            patch = res[i0:i0 + 7, j0:j0 + 7]
            patch = np.clip(patch - np.median(res), 0, None)
            if patch.sum() < 1e-3:
                continue
            yy, xx = np.mgrid[i0:i0 + 7, j0:j0 + 7]
            cx, cy = (patch * xx).sum() / patch.sum(), (patch * yy).sum() / patch.sum()
            assert abs(cx - x) <= 0.5 and abs(cy - y) <= 0.5, (i, (x, y), (cx, cy))
            assert out["mask"][int(round(y)), int(round(x))] == 1
            x1, y1, x2, y2 = box_of[i]
            assert x1 <= x + 0.5 <= x2 and y1 <= y + 0.5 <= y2
            checked += 1
    assert checked >= 20


# -- timm strings ---------------------------------------------------------------------------------
def test_timm_strings_parse_to_the_right_parameters():
    t = PL.from_timm_string("rand-m9-n2-mstd0.5")
    assert isinstance(t, A.RandAugment)
    assert (t.num_ops, t.magnitude, t.magnitude_std, t.num_magnitude_bins, t.magnitude_max, t.op_p,
            t.variant) == (2, 9.0, 0.5, 11, 10.0, 0.5, "timm")
    assert [n for n, _, _ in t._op_list] == list(PL._TIMM_RAND)
    t = PL.from_timm_string("rand-m9-mstd0.5-inc1")
    assert t.variant == "timm_increasing" and "SolarizeIncreasing" in [n for n, _, _ in t._op_list]
    t = PL.from_timm_string("rand-m15-n3-mstd101-mmax20")
    assert (t.magnitude, t.num_ops, t.magnitude_std, t.magnitude_max) == (15, 3, math.inf, 20.0)
    assert PL.from_timm_string("rand").magnitude == 10
    t = PL.from_timm_string("augmix-m5-w4-d2")
    assert isinstance(t, A.AugMix)
    assert (t.severity, t.width, t.depth, t.alpha, t.variant) == (5, 4, 2, 1.0, "timm")
    assert PL.from_timm_string("augmix-m3-a0.5-mstd0.7").alpha == 0.5
    for name in ("original", "originalr", "v0", "v0r"):
        t = PL.from_timm_string(name)
        assert isinstance(t, A.AutoAugment) and t.policy == name and t.magnitude_std == 0
    assert PL.from_timm_string("v0-mstd0.5").magnitude_std == 0.5
    assert isinstance(PL.from_timm_string("trivialaugment"), A.TrivialAugmentWide)
    assert PL.from_timm_string("rand-m9", fill=128, p=0.5).p == 0.5


@pytest.mark.parametrize("bad", ["", "rand-x9", "rand-m9-w0", "foo-m9", "augmix-b1", "rand-mfoo",
                                 "v0-m9", "rand--m9", "imagenet", "rand-m9.5", "augmix-m11", "rand-m15"])
def test_bad_timm_strings_raise_clear_errors(bad):
    with pytest.raises(InvalidParameterError) as e:
        PL.from_timm_string(bad)
    msg = str(e.value)
    assert repr(bad) in msg or "AugMix(severity=11)" in msg
    assert "accepted" in msg or "must" in msg or "such as" in msg


def test_invalid_arguments_name_the_transform_and_value():
    cases = [(lambda: A.RandAugment(magnitude=31), "RandAugment(magnitude=31)"),
             (lambda: A.RandAugment(ops=["Spin"]), "unknown operation 'Spin'"),
             (lambda: A.RandAugment(variant="tf"), "RandAugment(variant='tf')"),
             (lambda: A.RandAugment(magnitude_std=-1), "magnitude_std"),
             (lambda: A.AutoAugment(policy="coco"), "AutoAugment(policy='coco')"),
             (lambda: A.AugMix(depth=0), "AugMix(depth=0)"),
             (lambda: A.AugMix(alpha=0), "AugMix(alpha=0)"),
             (lambda: A.TrivialAugmentWide(fill="x"), "TrivialAugmentWide(fill='x')")]
    for build, text in cases:
        with pytest.raises(InvalidParameterError, match=None) as e:
            build()
        assert text in str(e.value), str(e.value)


# -- seeds, nesting, dtypes ------------------------------------------------------------------------
def _all_targets():
    return {"image": _img(40, 50), "mask": (_img(40, 50, 1)[..., 0] > 128).astype(np.uint8),
            "bboxes": [(5, 5, 30, 25)], "labels": [1], "keypoints": [(10, 12), (40, 30)]}


@pytest.mark.parametrize("make", [lambda: A.RandAugment(magnitude=12), lambda: A.TrivialAugmentWide(),
                                  lambda: A.AutoAugment(policy="cifar10"), lambda: A.AugMix(),
                                  lambda: PL.from_timm_string("rand-m9-mstd0.5-inc1")])
def test_same_seed_same_result_inside_a_pipeline(make):
    def pipe():
        return A.Compose([A.HorizontalFlip(), A.OneOf([make(), A.NoOp()], p=0.9), A.RandomCrop(32, 32)], seed=11,
                         bbox_params=A.BboxParams(format="pascal_voc", label_fields=["labels"]),
                         keypoint_params=A.KeypointParams(format="xy"))
    a, b = pipe(), pipe()
    outs = [a(**_all_targets()) for _ in range(6)]
    for o in outs:
        r = b(**_all_targets())
        for k in o:
            np.testing.assert_array_equal(np.asarray(o[k]), np.asarray(r[k]))
    assert len({o["image"].tobytes() for o in outs}) > 1


ALL_OPS = [(space, op) for space in ("torchvision", "timm") for op in PL.SPACES[space]]


@pytest.mark.parametrize("space,op", ALL_OPS)
def test_every_op_on_uint8_uint16_float32(space, op):
    """Each op keeps the dtype and range, and acts alike on the three dtypes (the same
    picture at 8, 16 and float bits gives the same result within two 8-bit levels)."""
    variant = "torchvision" if space == "torchvision" else "timm"
    u8 = _img(24, 32, 3, seed=3)
    outs = {}
    for dtype, img in ((np.uint8, u8), (np.uint16, u8.astype(np.uint16) * 257),
                       (np.float32, u8.astype(np.float32) / 255)):
        t = A.RandAugment(num_ops=1, magnitude=7, num_magnitude_bins=11, ops=[op], variant=variant,
                          interpolation=cv2.INTER_NEAREST)
        out = A.Compose([t], seed=0)(image=img)["image"]
        assert out.dtype == img.dtype and out.shape == img.shape
        if dtype == np.float32:
            assert out.min() >= 0 and out.max() <= 1
        outs[np.dtype(dtype).name] = out.astype(np.float64) / float(1 if dtype == np.float32 else np.iinfo(dtype).max)
    if op.startswith("Posterize"):
        return  # bits of 8 vs 16-bit values: a different quantization by design
    for k in ("uint16", "float32"):
        assert np.abs(outs[k] - outs["uint8"]).max() <= 2.01 / 255, (op, k)


def test_solarize_add_adds_below_128_only():
    img = np.array([[0, 100, 127, 128, 200, 250]], np.uint8)
    t = A.RandAugment(num_ops=1, magnitude=10, num_magnitude_bins=11, ops=["SolarizeAdd"], variant="timm")
    out = A.Compose([t], seed=0)(image=img)["image"]
    assert out.tolist() == [[110, 210, 237, 128, 200, 250]]
    out16 = A.Compose([t], seed=0)(image=img.astype(np.uint16) * 257)["image"]
    np.testing.assert_allclose(out16 / 257.0, out, atol=0.01)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 30), st.integers(0, 4), st.integers(0, 10_000))
def test_randaugment_keeps_boxes_and_keypoints_in_frame(magnitude, num_ops, seed):
    pipe = A.Compose([A.RandAugment(num_ops=num_ops, magnitude=magnitude)], seed=seed,
                     bbox_params=A.BboxParams(format="pascal_voc", label_fields=["labels"]),
                     keypoint_params=A.KeypointParams(format="xy"))
    out = pipe(**_all_targets())
    h, w = out["image"].shape[:2]
    assert (h, w) == (40, 50) and out["mask"].shape == (40, 50)
    for x1, y1, x2, y2 in out["bboxes"]:
        assert 0 <= x1 < x2 <= w and 0 <= y1 < y2 <= h
    for x, y in out["keypoints"]:
        assert 0 <= x + 0.5 < w and 0 <= y + 0.5 < h
