"""Pipelines written the way Albumentations 1.x- and 2.x-era projects write them.

Each entry is the source a project would have (``import albumentations as A`` replaced by
``import augkit as A``, nothing else): old argument names, ``always_apply``, positional
arguments, ``bbox_params`` as dicts, ``additional_targets``, ``ToTensorV2`` last, nested
``OneOf``, ``Lambda`` with named functions. The styles imitate common public training
scripts; the code is our own. Every pipeline runs on one sample (image, mask, boxes,
keypoints: a bright rectangle, the object, on a dark textured background) and is checked
for what its author meant: an output size, a flip, boxes on the object, a mask that moved
with the pixels, normalization statistics.

The same sources run under Albumentations 2.0.8 (/work/refvenv, in one subprocess) and the
outputs are compared on structure: the keys, and the shape and dtype of every image and
mask. Sources using names that 2.0.8 removed (``IAA*``, ``Cutout``, ``JpegCompression``,
``RandomBrightness``, ``Flip``) are marked and must fail there; their augkit result is
checked on its own.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import augkit as A

REF_PYTHON = Path("/work/refvenv/bin/python")

# the sample, as source, so that the Albumentations subprocess builds the same one
SAMPLE_SRC = '''
import numpy as np
H, W = 64, 96
_rng = np.random.default_rng(0)
img = _rng.integers(0, 60, (H, W, 3), dtype=np.uint8)   # dark texture
img[8:30, 10:40] = 255                                   # the object
mask = np.zeros((H, W), np.uint8)
mask[8:30, 10:40] = 1
s = {
    "img": img, "mask": mask, "gray": img[..., 0].copy(),
    "voc": [(10, 8, 40, 30)], "coco": [(10, 8, 30, 22)],
    "yolo": [(25 / W, 19 / H, 30 / W, 22 / H)],
    "kps": [(20.0, 15.0), (60.0, 50.0)],
}
'''

# name -> (source defining `pipe` and `inputs`, runs under Albumentations 2.0.8)
CORPUS: dict[str, tuple[str, bool]] = {}


def entry(name: str, src: str, alb: bool = True) -> None:
    CORPUS[name] = (src, alb)


entry("cls_1x_classic", '''
pipe = A.Compose([
    A.HorizontalFlip(),
    A.ShiftScaleRotate(shift_limit=0.0625, scale_limit=0.1, rotate_limit=45, p=0.5),
    A.OneOf([
        A.MotionBlur(p=.2),
        A.MedianBlur(blur_limit=3, p=0.1),
        A.Blur(blur_limit=3, p=0.1),
    ], p=0.2),
    A.HueSaturationValue(p=0.3),
])
inputs = dict(image=s["img"])
''')

entry("seg_kaggle_resize_normalize_tensor", '''
pipe = A.Compose([
    A.Resize(128, 128),
    A.HorizontalFlip(p=0.5),
    A.Normalize(),
    ToTensorV2(),
])
inputs = dict(image=s["img"], mask=s["mask"])
''')

entry("always_apply_resize_crop", '''
pipe = A.Compose([
    A.Resize(height=64, width=64, always_apply=True),
    A.RandomCrop(48, 48, always_apply=True),
])
inputs = dict(image=s["img"], mask=s["mask"])
''')

entry("yolo_resize_normalize_tensor", '''
IMAGE_SIZE = 128
pipe = A.Compose(
    [
        A.Resize(height=IMAGE_SIZE, width=IMAGE_SIZE),
        A.Normalize(mean=(0, 0, 0), std=(1, 1, 1), max_pixel_value=255),
        ToTensorV2(),
    ],
    bbox_params=A.BboxParams(format="yolo", min_visibility=0.2, label_fields=["class_labels"]),
)
inputs = dict(image=s["img"], bboxes=s["yolo"], class_labels=[3])
''')

entry("voc_longest_pad_1x_value", '''
pipe = A.Compose([
    A.LongestMaxSize(128, p=1),
    A.PadIfNeeded(min_height=128, min_width=128, p=1, border_mode=0, value=0),
], bbox_params=A.BboxParams(format='pascal_voc', label_fields=['class_labels'], min_area=20))
inputs = dict(image=s["img"], bboxes=s["voc"], class_labels=["box"])
''')

entry("coco_dict_bbox_params_flip", '''
pipe = A.Compose([A.HorizontalFlip(p=1)],
                 bbox_params={'format': 'coco', 'label_fields': ['category_ids']})
inputs = dict(image=s["img"], bboxes=s["coco"], category_ids=[17])
''')

entry("keypoints_dict_params_vflip", '''
pipe = A.Compose([A.VerticalFlip(always_apply=True)],
                 keypoint_params={'format': 'xy', 'remove_invisible': False})
inputs = dict(image=s["img"], keypoints=s["kps"])
''')

entry("additional_targets_pair", '''
pipe = A.Compose([
    A.RandomCrop(width=48, height=48),
    A.HorizontalFlip(p=0.5),
    A.RandomBrightnessContrast(p=0.2),
], additional_targets={'image2': 'image', 'mask2': 'mask'})
inputs = dict(image=s["img"], image2=s["img"].copy(), mask=s["mask"], mask2=s["mask"].copy())
''')

entry("nested_oneof_blocks", '''
pipe = A.Compose([
    A.OneOf([
        A.OneOf([A.Blur(blur_limit=3), A.MedianBlur(blur_limit=3)], p=1),
        A.Sharpen(p=1),
    ], p=1),
    A.OneOf([A.CLAHE(clip_limit=2), A.RandomGamma(), A.RandomBrightnessContrast()], p=1),
])
inputs = dict(image=s["img"])
''')

entry("lambda_named_functions", '''
def to_gray3(image, **kwargs):
    g = image.mean(axis=2).astype(image.dtype)
    return np.stack([g, g, g], axis=2)

def keep_mask(mask, **kwargs):
    return mask

pipe = A.Compose([A.Lambda(image=to_gray3, mask=keep_mask, name="gray", p=1.0)])
inputs = dict(image=s["img"], mask=s["mask"])
''')

entry("sized_crop_1x_positional", '''
pipe = A.Compose([A.RandomSizedCrop((32, 48), 40, 40, p=1.0), A.HorizontalFlip()])
inputs = dict(image=s["img"], mask=s["mask"])
''', alb=False)

entry("resized_crop_1x_positional", '''
pipe = A.Compose([A.RandomResizedCrop(56, 72, scale=(0.5, 1.0))])
inputs = dict(image=s["img"], mask=s["mask"])
''', alb=False)

entry("resized_crop_2x_size", '''
pipe = A.Compose([A.RandomResizedCrop(size=(56, 72), scale=(0.5, 1.0), ratio=(0.75, 1.33), p=1.0),
                  A.HorizontalFlip(p=0.5)])
inputs = dict(image=s["img"], mask=s["mask"])
''')

entry("cutout_1x", '''
pipe = A.Compose([A.Cutout(num_holes=8, max_h_size=8, max_w_size=8, fill_value=0, p=1)])
inputs = dict(image=s["img"])
''', alb=False)

entry("coarse_dropout_2x", '''
pipe = A.Compose([A.CoarseDropout(num_holes_range=(4, 8), hole_height_range=(4, 8),
                                  hole_width_range=(4, 8), fill=0, p=1.0)])
inputs = dict(image=s["img"], mask=s["mask"])
''')

entry("jpeg_compression_1x", '''
pipe = A.Compose([A.JpegCompression(quality_lower=20, quality_upper=30, p=1)])
inputs = dict(image=s["img"])
''', alb=False)

entry("gauss_noise_var_limit", '''
pipe = A.Compose([A.GaussNoise(var_limit=(10.0, 50.0), p=1)])
inputs = dict(image=s["img"])
''')

entry("brightness_contrast_1x_classes", '''
pipe = A.Compose([A.OneOf([A.RandomBrightness(limit=(0.3, 0.3)), A.RandomContrast(limit=0.2)], p=1.0)])
inputs = dict(image=s["img"])
''', alb=False)

entry("to_float_last", '''
pipe = A.Compose([A.HorizontalFlip(), A.RandomBrightnessContrast(), A.ToFloat(max_value=255)])
inputs = dict(image=s["img"])
''')

entry("center_crop_positional", '''
pipe = A.Compose([A.CenterCrop(32, 48)])
inputs = dict(image=s["img"], mask=s["mask"])
''')

entry("rotate_positional_always_apply", '''
pipe = A.Compose([A.Rotate((-15, 15), always_apply=True), A.HorizontalFlip(p=0.5)])
inputs = dict(image=s["img"], mask=s["mask"])
''')

entry("iaa_era_oneofs", '''
pipe = A.Compose([
    A.OneOf([A.IAAAdditiveGaussianNoise(), A.GaussNoise()], p=1),
    A.OneOf([A.IAASharpen(), A.IAAEmboss(), A.RandomBrightnessContrast()], p=1),
    A.HueSaturationValue(p=0.3),
    A.ToFloat(),
])
inputs = dict(image=s["img"])
''', alb=False)

entry("flip_transpose_1x", '''
pipe = A.Compose([A.Flip(p=1.0), A.Transpose(p=0.5), A.RandomRotate90()])
inputs = dict(image=s["img"], mask=s["mask"])
''', alb=False)

entry("elastic_alpha_affine_1x", '''
pipe = A.Compose([A.ElasticTransform(alpha=1, sigma=50, alpha_affine=50, p=1)])
inputs = dict(image=s["img"], mask=s["mask"])
''')

entry("distortions_oneof_seg", '''
pipe = A.Compose([
    A.OneOf([
        A.GridDistortion(p=1),
        A.OpticalDistortion(distort_limit=0.5, shift_limit=0.05, p=1),
    ], p=1),
    A.HorizontalFlip(),
])
inputs = dict(image=s["img"], mask=s["mask"])
''')

entry("affine_2x_keypoints", '''
pipe = A.Compose([
    A.Affine(translate_percent={'x': (-0.1, 0.1), 'y': (-0.1, 0.1)}, scale=(0.9, 1.1),
             rotate=(-15, 15), shear=(-5, 5), p=1.0),
], keypoint_params=A.KeypointParams(format='xy', remove_invisible=False))
inputs = dict(image=s["img"], mask=s["mask"], keypoints=s["kps"])
''')

entry("bbox_safe_crop", '''
pipe = A.Compose([A.RandomSizedBBoxSafeCrop(height=64, width=64, erosion_rate=0.0, p=1.0),
                  A.HorizontalFlip()],
                 bbox_params=A.BboxParams(format='pascal_voc', label_fields=['labels']))
inputs = dict(image=s["img"], bboxes=s["voc"], labels=[1])
''')

entry("crop_min_visibility", '''
pipe = A.Compose([A.RandomCrop(32, 32, p=1.0)],
                 bbox_params=A.BboxParams(format='pascal_voc', min_visibility=0.5,
                                          label_fields=['labels']))
inputs = dict(image=s["img"], bboxes=s["voc"], labels=["object"])
''')

entry("gray_normalize_single_channel_tensor", '''
pipe = A.Compose([A.Normalize(mean=(0.485,), std=(0.229,)), ToTensorV2()])
inputs = dict(image=s["gray"])
''')

entry("keypoints_label_fields_crop", '''
pipe = A.Compose([A.RandomCrop(48, 48), A.HorizontalFlip()],
                 keypoint_params=A.KeypointParams(format='xy', label_fields=['kp_labels'],
                                                  remove_invisible=True))
inputs = dict(image=s["img"], keypoints=s["kps"], kp_labels=["eye", "tail"])
''')

entry("downscale_1x_scale_min_max", '''
import cv2
pipe = A.Compose([A.Downscale(scale_min=0.5, scale_max=0.5, interpolation=cv2.INTER_NEAREST, p=1)])
inputs = dict(image=s["img"])
''')

entry("sequential_smallest_max_size", '''
pipe = A.Compose([
    A.Sequential([A.SmallestMaxSize(max_size=32), A.CenterCrop(height=32, width=32)], p=1),
    A.RGBShift(r_shift_limit=10, g_shift_limit=10, b_shift_limit=10, p=0.5),
], p=1.0)
inputs = dict(image=s["img"], mask=s["mask"])
''')

entry("detection_full_train", '''
pipe = A.Compose([
    A.HorizontalFlip(p=0.5),
    A.Affine(scale=(0.8, 1.2), translate_percent=(-0.05, 0.05), p=0.5),
    A.RandomBrightnessContrast(brightness_limit=0.2, contrast_limit=0.2, p=0.5),
    A.OneOf([A.GaussianBlur(blur_limit=(3, 5)), A.MotionBlur(blur_limit=5)], p=0.2),
    A.Resize(96, 96),
], bbox_params=A.BboxParams(format='coco', min_area=16, min_visibility=0.1,
                            label_fields=['category_ids']))
inputs = dict(image=s["img"], mask=s["mask"], bboxes=s["coco"], category_ids=[5])
''')


# -- checks: what each author meant ---------------------------------------------------------
def as_array(value):
    return value.numpy() if hasattr(value, "numpy") and not isinstance(value, np.ndarray) else value


def object_follows_mask(image, mask, min_gap=100):
    """The bright object lies where the mask says, after whatever moved the pixels."""
    image = as_array(image).astype(np.float64)
    mask = as_array(mask)
    lum = image.mean(axis=2) if image.ndim == 3 else image
    inside, outside = mask > 0, mask == 0
    assert inside.sum() > 20 and outside.sum() > 20, "mask lost the object or the background"
    assert lum[inside].mean() - lum[outside].mean() > min_gap


def boxes_on_object(image, boxes, fmt="pascal_voc"):
    image = as_array(image)
    lum = image.mean(axis=2) if image.ndim == 3 else image
    h, w = lum.shape
    for box in boxes:
        x1, y1, a, b = box[:4]
        if fmt == "coco":
            a, b = x1 + a, y1 + b
        assert 0 <= x1 < a <= w + 1e-6 and 0 <= y1 < b <= h + 1e-6
        inner = lum[int(np.ceil(y1)) + 1:int(b) - 1, int(np.ceil(x1)) + 1:int(a) - 1]
        assert inner.size and inner.mean() > 200, (box, inner.mean())


def check(name, out, s):
    img, mask = s["img"], s["mask"]
    if name == "cls_1x_classic":
        assert out["image"].shape == img.shape and out["image"].dtype == np.uint8
    elif name == "seg_kaggle_resize_normalize_tensor":
        x, m = out["image"], out["mask"]
        assert tuple(x.shape) == (3, 128, 128) and str(x.dtype) == "torch.float32"
        assert tuple(m.shape) == (128, 128)
        # per-channel mean of the normalized image is (mean(pixels)/255 - mean) / std
        # (flips do not change it; resizing nearly does not)
        expected = (img.reshape(-1, 3).mean(0) / 255 - (0.485, 0.456, 0.406)) / (0.229, 0.224, 0.225)
        np.testing.assert_allclose(x.numpy().reshape(3, -1).mean(1), expected, atol=0.03)
        object_follows_mask(x.numpy().transpose(1, 2, 0), m.numpy(), min_gap=2.0)
    elif name == "always_apply_resize_crop":
        assert out["image"].shape == (48, 48, 3) and out["mask"].shape == (48, 48)
    elif name == "yolo_resize_normalize_tensor":
        x = out["image"]
        assert tuple(x.shape) == (3, 128, 128) and 0 <= float(x.min()) and float(x.max()) <= 1
        # normalized boxes do not change under a resize of the whole frame
        np.testing.assert_allclose(out["bboxes"], s["yolo"], atol=1e-6)
        assert out["class_labels"] == [3]
    elif name == "voc_longest_pad_1x_value":
        assert out["image"].shape == (128, 128, 3)
        # 96 x 64 -> 128 x 85 (rounded), so boxes scale by 128/96 and 85/64 exactly
        kx, ky = 128 / 96, 85 / 64
        top = (128 - 85) // 2  # PadIfNeeded centres the picture
        np.testing.assert_allclose(out["bboxes"],
                                   [(10 * kx, 8 * ky + top, 40 * kx, 30 * ky + top)], atol=1e-6)
        boxes_on_object(out["image"], out["bboxes"])
    elif name == "coco_dict_bbox_params_flip":
        np.testing.assert_array_equal(out["image"], img[:, ::-1])
        assert out["bboxes"] == [(96 - 40, 8, 30, 22)] and out["category_ids"] == [17]
    elif name == "keypoints_dict_params_vflip":
        np.testing.assert_array_equal(out["image"], img[::-1])
        # pixel-index keypoints: row y goes to row H - 1 - y
        np.testing.assert_allclose(out["keypoints"], [(20, 63 - 15), (60, 63 - 50)])
    elif name == "additional_targets_pair":
        assert out["image"].shape == (48, 48, 3)
        np.testing.assert_array_equal(out["image"], out["image2"])
        np.testing.assert_array_equal(out["mask"], out["mask2"])
    elif name == "nested_oneof_blocks":
        assert out["image"].shape == img.shape and out["image"].dtype == np.uint8
        assert not np.array_equal(out["image"], img)
    elif name == "lambda_named_functions":
        x = out["image"]
        assert np.array_equal(x[..., 0], x[..., 1]) and np.array_equal(x[..., 1], x[..., 2])
        np.testing.assert_array_equal(out["mask"], mask)
    elif name in ("sized_crop_1x_positional",):
        assert out["image"].shape == (40, 40, 3) and out["mask"].shape == (40, 40)
    elif name in ("resized_crop_1x_positional", "resized_crop_2x_size"):
        assert out["image"].shape == (56, 72, 3) and out["mask"].shape == (56, 72)
    elif name == "cutout_1x":
        holes = (out["image"] == 0).all(axis=2) & (img != 0).any(axis=2)
        assert holes.sum() >= 8  # at least one hole of at least 1 x 8... of black pixels
    elif name == "coarse_dropout_2x":
        holes = (out["image"] == 0).all(axis=2) & (img != 0).any(axis=2)
        assert holes.sum() >= 4 * 16
    elif name == "jpeg_compression_1x":
        diff = np.abs(out["image"].astype(int) - img.astype(int))
        assert out["image"].shape == img.shape and 1 < diff.mean() < 40
    elif name == "gauss_noise_var_limit":
        # var 10..50 (pixel units) -> std 3.2..7.1, measured on the background, where
        # values 0..60 are rarely clipped
        noise = out["image"].astype(float) - img.astype(float)
        assert 2.5 < noise[40:, 50:].std() < 8.0, noise[40:, 50:].std()
    elif name == "brightness_contrast_1x_classes":
        assert out["image"].shape == img.shape and not np.array_equal(out["image"], img)
    elif name in ("to_float_last", "iaa_era_oneofs"):
        assert out["image"].dtype == np.float32 and out["image"].shape == img.shape
        assert 0 <= out["image"].min() and out["image"].max() <= 1
    elif name == "center_crop_positional":
        np.testing.assert_array_equal(out["image"], img[16:48, 24:72])
        np.testing.assert_array_equal(out["mask"], mask[16:48, 24:72])
    elif name in ("rotate_positional_always_apply", "elastic_alpha_affine_1x",
                  "distortions_oneof_seg", "flip_transpose_1x"):
        object_follows_mask(out["image"], out["mask"])
    elif name == "affine_2x_keypoints":
        object_follows_mask(out["image"], out["mask"])
        x, y = out["keypoints"][0]  # the first keypoint was on the object
        assert out["mask"][int(round(y)), int(round(x))] == 1
    elif name == "bbox_safe_crop":
        assert out["image"].shape == (64, 64, 3) and out["labels"] == [1]
        boxes_on_object(out["image"], out["bboxes"])
    elif name == "crop_min_visibility":
        assert len(out["bboxes"]) == len(out["labels"]) <= 1
        if out["bboxes"]:
            boxes_on_object(out["image"], out["bboxes"])
    elif name == "gray_normalize_single_channel_tensor":
        x = out["image"]
        assert tuple(x.shape) == (1, 64, 96)
        expected = (s["gray"] / 255 - 0.485) / 0.229
        np.testing.assert_allclose(x[0].numpy(), expected, atol=1e-5)
    elif name == "keypoints_label_fields_crop":
        assert len(out["keypoints"]) == len(out["kp_labels"])
        for x, y in out["keypoints"]:
            assert 0 <= x < 48 and 0 <= y < 48
    elif name == "downscale_1x_scale_min_max":
        x = out["image"]
        # nearest down and up by 2: every 2 x 2 block is one value
        assert x.shape == img.shape
        assert np.array_equal(x[0::2, 0::2], x[1::2, 1::2])
    elif name == "sequential_smallest_max_size":
        assert out["image"].shape == (32, 32, 3) and out["mask"].shape == (32, 32)
    elif name == "detection_full_train":
        assert out["image"].shape == (96, 96, 3)
        assert len(out["bboxes"]) == len(out["category_ids"])
        if out["bboxes"]:
            boxes_on_object(out["image"], out["bboxes"], fmt="coco")
        object_follows_mask(out["image"], out["mask"])
    else:  # pragma: no cover - every entry has its check
        raise AssertionError(f"no check for {name}")


def namespace():
    ns: dict = {"A": A}
    exec(SAMPLE_SRC, ns)
    try:
        from augkit.pytorch import ToTensorV2
        ToTensorV2()
    except ImportError:
        ToTensorV2 = None
    ns["ToTensorV2"] = ToTensorV2
    return ns


def run_augkit(src, seed=None):
    ns = namespace()
    if "ToTensorV2" in src and ns["ToTensorV2"] is None:
        pytest.skip("torch is not installed (dev extra)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # 1.x spellings warn, by design
        exec(src, ns)
    out = ns["pipe"](**ns["inputs"], **({} if seed is None else {"seed": seed}))
    return out, ns["s"]


def test_corpus_size():
    assert len(CORPUS) >= 30
    assert sum(not alb for _, alb in CORPUS.values()) >= 5  # removed 1.x names are covered


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_pipeline_runs_unchanged_and_does_what_its_author_meant(name):
    src, _ = CORPUS[name]
    for seed in range(4):  # several draws: the property holds for every one
        out, s = run_augkit(src, seed=seed)
        for key in re.findall(r"(\w+)=s\[", src):  # every target given comes back
            assert key in out, f"{key} missing from the output"
        check(name, out, s)


# -- structure against Albumentations 2.0.8 ---------------------------------------------------
REF_SCRIPT = r'''
import json, sys, warnings
warnings.simplefilter("ignore")
import numpy as np
import albumentations as A
corpus = json.load(sys.stdin)
sample_src = corpus.pop("__sample__")
result = {}
for name, src in corpus.items():
    ns = {"A": A, "ToTensorV2": None}
    exec(sample_src, ns)
    try:
        exec(src, ns)
        out = ns["pipe"](**ns["inputs"])
    except Exception as e:
        result[name] = {"error": f"{type(e).__name__}: {e}"}
        continue
    result[name] = {"structure": {k: [list(v.shape), str(v.dtype)] if isinstance(v, np.ndarray)
                                  and k not in ("bboxes", "keypoints") else None
                                  for k, v in out.items()}}
print(json.dumps(result))
'''


def without_to_tensor(src):
    # refvenv has no torch: both sides are compared with the ToTensorV2 step taken out
    return re.sub(r"\s*ToTensorV2\(\),?", "", src)


@pytest.fixture(scope="module")
def reference():
    if not REF_PYTHON.exists():
        pytest.skip("Albumentations 2.0.8 reference venv (/work/refvenv) is not available")
    payload = {name: without_to_tensor(src) for name, (src, _) in CORPUS.items()}
    payload["__sample__"] = SAMPLE_SRC
    env = dict(os.environ, NO_ALBUMENTATIONS_UPDATE="1")
    proc = subprocess.run([str(REF_PYTHON), "-c", REF_SCRIPT], input=json.dumps(payload),
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_structure_matches_albumentations(name, reference):
    src, alb = CORPUS[name]
    ref = reference[name]
    if not alb:
        assert "error" in ref, f"{name} was marked as not running under 2.0.8, but it ran"
        return
    assert "error" not in ref, ref.get("error")
    ns = namespace()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        exec(without_to_tensor(src), ns)
    out = ns["pipe"](**ns["inputs"])
    assert set(out) == set(ref["structure"]) - {"applied_transforms"}
    for key, want in ref["structure"].items():
        if want is None:
            continue
        got = out[key]
        assert isinstance(got, np.ndarray), key
        assert [list(got.shape), str(got.dtype)] == want, key


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))
