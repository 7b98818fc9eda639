"""Albumentations 1.x spellings give the 2.x transform's outputs and warn, naming the 2.x spelling."""

from __future__ import annotations

import math
import warnings

import cv2
import numpy as np
import pytest

import augkit as A
from augkit.errors import InvalidParameterError

RNG = np.random.default_rng(0)
IMAGE = RNG.integers(0, 256, (40, 48, 3), dtype=np.uint8)
MASK = (RNG.random((40, 48)) > 0.5).astype(np.uint8) * 3


def outputs(t, seeds=(0, 1, 2)):
    out = []
    for seed in seeds:
        pipe = A.Compose([t], seed=seed, bbox_params=A.BboxParams(format="pascal_voc", label_fields=["l"]))
        out.append(pipe(image=IMAGE, mask=MASK, bboxes=[(5, 6, 30, 33)], l=[1]))
    return out


def assert_same(a_list, b_list):
    for a, b in zip(a_list, b_list):
        assert set(a) == set(b)
        for k in a:
            np.testing.assert_array_equal(np.asarray(a[k]), np.asarray(b[k]), err_msg=k)


def new(factory):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the 2.x spelling never warns
        return factory()


#: (legacy spelling, 2.x spelling, text the warning must contain)
CASES = {
    # fill / border names shared by every transform with fill arguments
    "PadIfNeeded-value": (lambda: A.PadIfNeeded(min_height=50, min_width=60, value=255, mask_value=9),
                          lambda: A.PadIfNeeded(min_height=50, min_width=60, fill=255, fill_mask=9), "fill="),
    "Rotate-value": (lambda: A.Rotate(limit=(20, 30), value=(10, 20, 30), mask_value=5, p=1),
                     lambda: A.Rotate(limit=(20, 30), fill=(10, 20, 30), fill_mask=5, p=1), "fill_mask="),
    "ShiftScaleRotate-value": (
        lambda: A.ShiftScaleRotate(shift_limit_x=0.1, shift_limit_y=0.05, value=7, mask_value=1, p=1),
        lambda: A.ShiftScaleRotate(shift_limit_x=0.1, shift_limit_y=0.05, fill=7, fill_mask=1, p=1), "fill="),
    "Affine-mode-cval": (lambda: A.Affine(rotate=(10, 20), mode=cv2.BORDER_REFLECT, cval=3, cval_mask=2, p=1),
                         lambda: A.Affine(rotate=(10, 20), border_mode=cv2.BORDER_REFLECT, fill=3, fill_mask=2, p=1),
                         "border_mode="),
    "Perspective-pad": (lambda: A.Perspective(pad_mode=cv2.BORDER_CONSTANT, pad_val=40, mask_pad_val=2, p=1),
                        lambda: A.Perspective(border_mode=cv2.BORDER_CONSTANT, fill=40, fill_mask=2, p=1), "fill="),
    "CropAndPad-pad": (lambda: A.CropAndPad(px=(2, 6), pad_mode=cv2.BORDER_CONSTANT, pad_cval=9, pad_cval_mask=1),
                       lambda: A.CropAndPad(px=(2, 6), border_mode=cv2.BORDER_CONSTANT, fill=9, fill_mask=1),
                       "border_mode="),
    "PiecewiseAffine-imgaug": (lambda: A.PiecewiseAffine(scale=(0.05, 0.06), order=0, cval=3, mode="edge",
                                                         keypoints_threshold=0.01, p=1),
                               lambda: A.PiecewiseAffine(scale=(0.05, 0.06), interpolation=cv2.INTER_NEAREST,
                                                         fill=3, border_mode=cv2.BORDER_REPLICATE, p=1),
                               "interpolation="),
    "ElasticTransform-value": (lambda: A.ElasticTransform(alpha=50, sigma=5, value=11, p=1),
                               lambda: A.ElasticTransform(alpha=50, sigma=5, fill=11, p=1), "fill="),
    "ChannelDropout-fill_value": (lambda: A.ChannelDropout(fill_value=77, p=1),
                                  lambda: A.ChannelDropout(fill=77, p=1), "fill="),
    # arguments renamed per class
    "GaussNoise-var_limit": (lambda: A.GaussNoise(var_limit=(10, 50), mean=5, p=1),
                             lambda: A.GaussNoise(std_range=(math.sqrt(10) / 255, math.sqrt(50) / 255),
                                                  mean_range=(5 / 255, 5 / 255), p=1), "std_range"),
    "GaussNoise-positional": (lambda: A.GaussNoise(10, p=1),
                              lambda: A.GaussNoise(std_range=(0, math.sqrt(10) / 255), p=1), "std_range"),
    "ImageCompression-quality": (lambda: A.ImageCompression(quality_lower=50, quality_upper=70, p=1),
                                 lambda: A.ImageCompression(quality_range=(50, 70), p=1), "quality_range"),
    "ImageCompression-positional": (lambda: A.ImageCompression(95, p=1),
                                    lambda: A.ImageCompression(quality_range=(95, 100), p=1), "quality_range"),
    "ImageCompression-enum": (lambda: A.ImageCompression(compression_type=1, quality_lower=60, p=1),
                              lambda: A.ImageCompression(compression_type="webp", quality_range=(60, 100), p=1),
                              "'webp'"),
    "RandomFog-coef": (lambda: A.RandomFog(fog_coef_lower=0.2, fog_coef_upper=0.4, p=1),
                       lambda: A.RandomFog(fog_coef_range=(0.2, 0.4), p=1), "fog_coef_range"),
    "RandomShadow-num": (lambda: A.RandomShadow(num_shadows_lower=2, num_shadows_upper=3, p=1),
                         lambda: A.RandomShadow(num_shadows_limit=(2, 3), p=1), "num_shadows_limit"),
    "RandomSnow-point": (lambda: A.RandomSnow(snow_point_lower=0.2, snow_point_upper=0.4, p=1),
                         lambda: A.RandomSnow(snow_point_range=(0.2, 0.4), p=1), "snow_point_range"),
    "RandomRain-slant": (lambda: A.RandomRain(slant_lower=-3, slant_upper=5, p=1),
                         lambda: A.RandomRain(slant_range=(-3, 5), p=1), "slant_range"),
    "RandomSunFlare-ranges": (lambda: A.RandomSunFlare(angle_lower=0.2, angle_upper=0.5, num_flare_circles_lower=2,
                                                       num_flare_circles_upper=4, src_radius=20, p=1),
                              lambda: A.RandomSunFlare(angle_range=(0.2, 0.5), num_flare_circles_range=(2, 4),
                                                       src_radius=20, p=1), "num_flare_circles_range"),
    "Downscale-min-max": (lambda: A.Downscale(scale_min=0.5, scale_max=0.6, interpolation=cv2.INTER_NEAREST, p=1),
                          lambda: A.Downscale(scale_range=(0.5, 0.6), p=1,
                                              interpolation_pair={"downscale": 0, "upscale": 0}),
                          "interpolation_pair"),
    "ElasticTransform-alpha_affine": (lambda: A.ElasticTransform(alpha=50, sigma=5, alpha_affine=10, p=1),
                                      lambda: A.ElasticTransform(alpha=50, sigma=5, p=1), "Affine step"),
    "OpticalDistortion-shift_limit": (lambda: A.OpticalDistortion(distort_limit=0.2, shift_limit=0.1, p=1),
                                      lambda: A.OpticalDistortion(distort_limit=0.2, p=1), "ignored"),
    "RandomGamma-eps": (lambda: A.RandomGamma(eps=1e-7, p=1), lambda: A.RandomGamma(p=1), "ignored"),
    "RandomSizedCrop-positional": (lambda: A.RandomSizedCrop((10, 16), 12, 14),
                                   lambda: A.RandomSizedCrop(min_max_height=(10, 16), size=(12, 14)), "size="),
    "RandomResizedCrop-positional": (lambda: A.RandomResizedCrop(12, 14, (0.5, 1.0)),
                                     lambda: A.RandomResizedCrop(size=(12, 14), scale=(0.5, 1.0)), "size="),
    # removed classes
    "JpegCompression": (lambda: A.JpegCompression(quality_lower=40, quality_upper=60, p=1),
                        lambda: A.ImageCompression(compression_type="jpeg", quality_range=(40, 60), p=1),
                        "ImageCompression("),
    "JpegCompression-positional": (lambda: A.JpegCompression(40, 60, False, 1.0),
                                   lambda: A.ImageCompression(quality_range=(40, 60), p=1), "ImageCompression("),
    "RandomBrightness": (lambda: A.RandomBrightness(limit=0.3, p=1),
                         lambda: A.RandomBrightnessContrast(brightness_limit=0.3, contrast_limit=0, p=1),
                         "RandomBrightnessContrast("),
    "RandomContrast": (lambda: A.RandomContrast(limit=(-0.1, 0.4), p=1),
                       lambda: A.RandomBrightnessContrast(brightness_limit=0, contrast_limit=(-0.1, 0.4), p=1),
                       "RandomBrightnessContrast("),
    "IAAAdditiveGaussianNoise": (lambda: A.IAAAdditiveGaussianNoise(loc=2, scale=(5.1, 10.2), p=1),
                                 lambda: A.GaussNoise(std_range=(0.02, 0.04), mean_range=(2 / 255, 2 / 255),
                                                      per_channel=False, p=1), "GaussNoise("),
    "IAAPerspective": (lambda: A.IAAPerspective(scale=(0.05, 0.08), p=1),
                       lambda: A.Perspective(scale=(0.05, 0.08), p=1), "Perspective("),
    "IAASharpen": (lambda: A.IAASharpen(alpha=(0.3, 0.4), p=1), lambda: A.Sharpen(alpha=(0.3, 0.4), p=1),
                   "Sharpen("),
    "IAAEmboss": (lambda: A.IAAEmboss(strength=(0.5, 0.6), p=1), lambda: A.Emboss(strength=(0.5, 0.6), p=1),
                  "Emboss("),
    "IAASuperpixels": (lambda: A.IAASuperpixels(p_replace=0.5, n_segments=20, p=1),
                       lambda: A.Superpixels(p_replace=0.5, n_segments=20, p=1), "Superpixels("),
    "IAAAffine": (lambda: A.IAAAffine(rotate=(-20, 20), order=3, cval=9, mode="constant", p=1),
                  lambda: A.Affine(rotate=(-20, 20), interpolation=cv2.INTER_CUBIC, fill=9,
                                   border_mode=cv2.BORDER_CONSTANT, p=1), "Affine("),
    "IAAPiecewiseAffine": (lambda: A.IAAPiecewiseAffine(scale=(0.04, 0.05), nb_rows=3, nb_cols=5, p=1),
                           lambda: A.PiecewiseAffine(scale=(0.04, 0.05), nb_rows=3, nb_cols=5, p=1),
                           "PiecewiseAffine("),
    "Flip": (lambda: A.Flip(p=0.7),
             lambda: A.OneOf([A.HorizontalFlip(p=1), A.VerticalFlip(p=1),
                              A.Sequential([A.HorizontalFlip(p=1), A.VerticalFlip(p=1)], p=1)], p=0.7),
             "HorizontalFlip"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_legacy_spelling_matches_2x_spelling_and_warns(case):
    legacy, modern, named = CASES[case]
    with pytest.warns(DeprecationWarning) as record:
        old = legacy()
    text = " | ".join(str(w.message) for w in record)
    assert named in text, f"{case}: warnings do not name the 2.x spelling {named!r}: {text}"
    # the warning points at the caller (this file), not at augkit's internals
    assert all(w.filename == __file__ for w in record), [(w.filename, str(w.message)) for w in record]
    seeds = range(12) if case == "Flip" else (0, 1, 2)
    assert_same(outputs(old, seeds), outputs(new(modern), seeds))


def test_pad_if_needed_value_really_pads_with_it():
    with pytest.warns(DeprecationWarning, match=r"PadIfNeeded\(value=...\).*use fill="):
        t = A.PadIfNeeded(min_height=50, min_width=48, value=255, mask_value=9)
    out = t(image=IMAGE, mask=MASK)
    assert out["image"].shape == (50, 48, 3)
    assert (out["image"][:5] == 255).all() and (out["image"][-5:] == 255).all()
    assert (out["mask"][:5] == 9).all()


def test_flip_takes_all_three_outcomes_evenly():
    img = np.arange(12, dtype=np.uint8).reshape(3, 4)
    with pytest.warns(DeprecationWarning):
        pipe = A.Compose([A.Flip(p=1)], seed=0)
    expect = {"h": img[:, ::-1], "v": img[::-1], "both": img[::-1, ::-1]}
    counts = dict.fromkeys(expect, 0)
    for _ in range(300):
        got = pipe(image=img)["image"]
        match = [k for k, v in expect.items() if np.array_equal(got, v)]
        assert len(match) == 1
        counts[match[0]] += 1
    assert all(70 < c < 130 for c in counts.values()), counts


def test_cutout_builds_coarse_dropout():
    with pytest.warns(DeprecationWarning, match="CoarseDropout"):
        old = A.Cutout(num_holes=3, max_h_size=5, max_w_size=7, fill_value=200, p=1)
    modern = A.CoarseDropout(num_holes_range=(3, 3), hole_height_range=(5, 5), hole_width_range=(7, 7),
                             fill=200, p=1)
    assert type(old) is type(modern)
    assert_same(outputs(old), outputs(modern))


def test_always_apply_passes_through_removed_classes():
    with pytest.warns(DeprecationWarning):
        t = A.JpegCompression(quality_lower=80, always_apply=True, p=0.1)
    assert isinstance(t, A.ImageCompression) and t.p == 1.0


def test_blur_limit_as_one_odd_int():
    for cls, low in ((A.Blur, 3), (A.MedianBlur, 3), (A.MotionBlur, 3), (A.GaussianBlur, 0)):
        assert_same(outputs(new(lambda cls=cls: cls(blur_limit=5, p=1))),
                    outputs(new(lambda cls=cls, low=low: cls(blur_limit=(low, 5), p=1))))


def test_unknown_arguments_still_fail_with_a_hint():
    with pytest.raises(InvalidParameterError, match="unknown argument 'fil'; did you mean 'fill'"):
        A.PadIfNeeded(min_height=8, min_width=8, fil=3)
    with pytest.raises(InvalidParameterError, match="unknown argument 'value'"):
        A.Blur(value=3)  # no fill argument to map it to
    with pytest.raises(InvalidParameterError, match="unknown argument 'quality_lowr'; did you mean 'quality_lower'?"):
        A.JpegCompression(quality_lowr=3)
    with pytest.raises(InvalidParameterError, match="not both"):
        A.PadIfNeeded(min_height=8, min_width=8, value=1, fill=2)
    with pytest.raises(InvalidParameterError, match="not both"):
        A.GaussNoise(var_limit=10, std_range=(0.1, 0.2))
    with pytest.raises(InvalidParameterError, match="order"):
        A.PiecewiseAffine(order=2)


@pytest.mark.parametrize("order", ["always_apply, p", "p, always_apply"])
def test_custom_subclass_calling_super_positionally(order):
    class Old(A.ImageOnlyTransform):
        def __init__(self, always_apply=False, p=0.5):
            if order == "always_apply, p":
                super().__init__(always_apply, p)
            else:
                super().__init__(p, always_apply)

        def apply(self, img, **params):
            return 255 - img

    with pytest.warns(DeprecationWarning, match="always_apply"):
        assert Old(False, 0.25).p == 0.25
    with pytest.warns(DeprecationWarning, match="always_apply"):
        t = Old(True, 0.25)
    assert t.p == 1.0
    np.testing.assert_array_equal(A.Compose([t], seed=0)(image=IMAGE)["image"], 255 - IMAGE)
