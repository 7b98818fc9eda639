"""Generic contract tests run against every public transform of augkit.

The list of transforms is found by introspection of the ``augkit`` namespace, so a
transform is covered the day it is exported. A transform that cannot be built with its
defaults (or with the small table ``ARGS`` below) fails ``test_every_transform_builds``
with a message saying to add it to ``ARGS``.

Contract checked for every transform and several image kinds (gray HxW, HxWx1, RGB, 5 channels,
uint8 / uint16 / float32, float32 with areas exactly at 0 and 1):

* inputs (image, mask, boxes array, keypoints array, labels) are never mutated;
* the output dict has exactly the input keys;
* the image dtype is kept (ToFloat / Normalize give float32, FromFloat its ``dtype``);
  float32 outputs stay in [0, 1] (Normalize excepted), so they can be fed back in;
* HxW stays 2-D; the channel count is kept (ToRGB on gray gives 3 channels);
* pixel-level transforms leave mask, boxes and keypoints exactly as they were;
* spatial transforms give a mask of the image's new height and width, keep the mask
  dtype and its label values, and keep boxes and keypoints inside the new frame;
* ``p=0`` (on the transform or on the Compose) gives back the input values;
* the same seed gives the same output, twice and across separately built pipelines.

Three narrow exceptions exist, each asserted rather than assumed:

* an image dtype outside a pixel transform's ``supported_dtypes`` must raise
  ``UnsupportedInputError`` naming the transform and the dtype;
* a transform may refuse a gray or 5-channel image (never a 3-channel one) with
  ``UnsupportedInputError`` whose message names the transform and the channels.

and one for the ``masks`` list: a transform that pastes object instances (``GROWS_MASKS``)
appends them, and its own masks must lose exactly the pasted pixels.
"""

from __future__ import annotations

import copy
import importlib
import inspect
import pkgutil

import numpy as np
import pytest

import augkit
import augkit.transforms
from augkit.errors import UnsupportedInputError

H, W = 24, 32

ABSTRACT = {"BasicTransform", "ImageOnlyTransform", "DualTransform", "SpatialTransform"}

#: Constructor arguments for the transforms that need some: required arguments, or
#: defaults that do not fit (or are needlessly slow on) a 24x32 image. Keep it small.
ARGS: dict[str, dict] = {
    "RandomCrop": {"height": 14, "width": 18},
    "CenterCrop": {"height": 14, "width": 18},
    "Crop": {"x_min": 2, "y_min": 1, "x_max": 22, "y_max": 19},
    "Resize": {"height": 13, "width": 17},
    "RandomSizedCrop": {"min_max_height": (8, 16), "size": (13, 17)},
    "RandomResizedCrop": {"size": (13, 17)},
    "CropAndPad": {"percent": (-0.2, 0.2)},
    "LongestMaxSize": {"max_size": 20},
    "SmallestMaxSize": {"max_size": 20},
    "PadIfNeeded": {"min_height": 30, "min_width": 40},
    "AtLeastOneBBoxRandomCrop": {"height": 14, "width": 18},
    "RandomSizedBBoxSafeCrop": {"height": 13, "width": 17},
    "CropNonEmptyMaskIfExists": {"height": 14, "width": 18},
    "LetterBox": {"size": (20, 30)},
    "TextImage": {"font_path": None},  # None: OpenCV's Hershey font (no PIL needed)
    "GridElasticDeform": {"num_grid_xy": (4, 4), "magnitude": 2},
    # reference images for domain adaptation (any size, dtype or channel count)
    "FDA": {"reference_images": [np.full((8, 8, 3), 128, np.uint8)]},
    "HistogramMatching": {"reference_images": [np.full((8, 8, 3), 128, np.uint8)]},
    "PixelDistributionAdaptation": {"reference_images": [np.full((8, 8, 3), 128, np.uint8)]},
    "Mosaic": {"target_size": (20, 28), "cell_shape": (16, 20)},
    # dropouts whose defaults drop nothing (no strips; no target classes)
    "XYMasking": {"num_masks_x": (1, 2), "mask_x_length": (2, 5), "num_masks_y": 1, "mask_y_length": 3},
    "ConstrainedCoarseDropout": {"mask_indices": [2, 3], "num_holes_range": (1, 3)},
}

#: transforms that treat ``masks`` as object instances and append the pasted ones (the
#: number appended with EXTRA's metadata): the one exception to "masks keep their count".
GROWS_MASKS = {"CopyAndPaste": 2}

#: transforms whose output dtype is not the input dtype (detected by name).
FLOAT_OUTPUT = {"ToFloat", "Normalize"}
#: transforms whose float32 output may leave [0, 1].
UNBOUNDED_FLOAT_OUTPUT = {"Normalize"}

IMAGE_KINDS = {
    # name: (dtype, channels or None for HxW)
    "gray_u8": (np.uint8, None),
    "rgb_u8": (np.uint8, 3),
    "c1_u8": (np.uint8, 1),  # HxWx1: OpenCV drops the axis, every kernel must put it back
    "c5_u8": (np.uint8, 5),
    "rgb_f32": (np.float32, 3),
    "edge_f32": (np.float32, 3),  # exact 0.0 and 1.0 areas: results must stay in [0, 1]
    "gray_f32": (np.float32, None),
    "rgb_u16": (np.uint16, 3),
    "c5_u16": (np.uint16, 5),
}

BOXES = np.array([[2.0, 3.0, 12.0, 15.0],
                  [10.5, 4.25, 30.0, 20.0],
                  [0.0, 0.0, 32.0, 24.0],
                  [20.0, 15.0, 28.0, 22.0]])
BOX_LABELS = ["a", "b", "c", "d"]
KEYPOINTS = np.array([[1.0, 2.0], [16.3, 12.7], [30.0, 22.0], [5.0, 20.0], [25.5, 3.25]])
KP_LABELS = [10, 11, 12, 13, 14]


def discover() -> list[str]:
    names = []
    for name in dir(augkit):
        obj = getattr(augkit, name)
        if (isinstance(obj, type) and issubclass(obj, augkit.BasicTransform)
                and name not in ABSTRACT and not name.startswith("_")):
            names.append(name)
    return sorted(names)


TRANSFORMS = discover()


def has_p(cls) -> bool:
    return "p" in inspect.signature(cls.__init__).parameters


def required_args(cls) -> list[str]:
    sig = inspect.signature(cls.__init__)
    return [p.name for p in list(sig.parameters.values())[1:]
            if p.default is inspect.Parameter.empty
            and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]


def build(name: str, **overrides):
    cls = getattr(augkit, name)
    kwargs = dict(ARGS.get(name, {}))
    missing = [a for a in required_args(cls) if a not in kwargs]
    if missing:
        pytest.fail(f"{name} requires {missing}: add an entry for it to ARGS in tests/test_harness.py")
    if has_p(cls):
        kwargs["p"] = 1.0
    kwargs.update(overrides)
    try:
        return cls(**kwargs)
    except Exception as e:  # noqa: BLE001 - report any construction failure clearly
        pytest.fail(f"{name}(**{kwargs!r}) cannot be built ({type(e).__name__}: {e}); "
                    f"if it needs arguments, add an entry for it to ARGS in tests/test_harness.py")


def is_pixel(t) -> bool:
    return isinstance(t, augkit.ImageOnlyTransform)


def make_image(kind: str, seed: int = 0) -> np.ndarray:
    dtype, ch = IMAGE_KINDS[kind]
    rng = np.random.default_rng(seed)
    shape = (H, W) if ch is None else (H, W, ch)
    if dtype == np.float32:
        img = rng.random(shape, dtype=np.float32)
        if kind == "edge_f32":  # rounding in a kernel shows where the input is at a bound
            img[: H // 2] = 1.0
            img[:, : W // 4] = 0.0
        return img
    return rng.integers(0, np.iinfo(dtype).max, size=shape, endpoint=True).astype(dtype)


def make_mask(seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    mask = np.zeros((H, W), np.uint8)
    mask[4:18, 6:25] = rng.integers(1, 5, size=(14, 19))
    return mask


def make_metadata(kind: str) -> dict:
    """Other samples for the multi-sample transforms (Mosaic, MixUp, CutMix, CopyAndPaste,
    OverlayElements), with images of ``kind`` (they must match the call's dtype and channels).

    Their masks hold only values 3 and 4, so that a bool mask (``labels > 2``) moves as the
    label mask does; each mask target's list entry 0 equals its ``mask`` (the contract that
    ``masks`` follow ``mask``); labels come from the call's label sets."""
    img = make_image(kind, seed=11)
    small = make_image(kind, seed=12)[:18, :20]
    m = np.zeros((H, W), np.uint8)
    m[2:12, 3:20] = 3
    m[14:22, 10:30] = 4
    boxes = np.array([[3.0, 2.0, 20.0, 12.0], [10.0, 14.0, 30.0, 22.0]])
    inst = [(m == 3).astype(np.uint8), (m == 4).astype(np.uint8)]
    sample = {"image": img, "mask": m, "masks": [m, m], "bboxes": boxes, "labels": ["b", "d"],
              "keypoints": np.array([[4.0, 5.0], [20.0, 18.0]]), "kp_labels": [11, 13]}
    return {"mosaic_metadata": [sample, dict(sample, image=small, mask=m[:18, :20],
                                             masks=[m[:18, :20]] * 2, bboxes=boxes[:1] / 2,
                                             labels=["c"], keypoints=np.zeros((0, 2)), kp_labels=[])],
            "mixup_metadata": [sample],
            "cutmix_metadata": [sample],
            "copypaste_metadata": [{"image": img, "mask": m, "masks": inst, "bboxes": boxes,
                                    "labels": ["b", "d"]}],
            "overlay_metadata": [{"image": small[:6, :8], "mask_id": 3},
                                 {"image": small, "bbox": [0.1, 0.2, 0.5, 0.9]}]}


#: call-time metadata some transforms read (Albumentations style); others pass it through.
EXTRA = {"cropping_bbox": [4, 3, 26, 20],  # RandomCropNearBBox
         "textimage_metadata": [{"bbox": [0.1, 0.2, 0.8, 0.6], "text": "augkit text"}],  # TextImage
         **make_metadata("rgb_u8")}


def make_inputs(kind: str) -> dict:
    return {"image": make_image(kind), "mask": make_mask(), "bboxes": BOXES.copy(),
            "labels": list(BOX_LABELS), "keypoints": KEYPOINTS.copy(), "kp_labels": list(KP_LABELS),
            **EXTRA, **make_metadata(kind)}


def make_pipeline(transforms, seed=0, p=1.0):
    return augkit.Compose(
        transforms,
        bbox_params=augkit.BboxParams(format="pascal_voc", label_fields=["labels"]),
        keypoint_params=augkit.KeypointParams(format="xy", label_fields=["kp_labels"]),
        seed=seed, p=p)


def expected_dtype(t, in_dtype):
    name = type(t).__name__
    if name in FLOAT_OUTPUT:
        return np.dtype(np.float32)
    if name == "FromFloat":
        return np.dtype(getattr(t, "dtype", np.uint8))
    return np.dtype(in_dtype)


def run_or_refuse(t, pipe, data, kind):
    """Run ``pipe``; accept only the two documented, narrow refusals (and assert them)."""
    name = type(t).__name__
    dtype, ch = IMAGE_KINDS[kind]
    supported = getattr(t, "supported_dtypes", None)
    dtype_refusable = is_pixel(t) and supported is not None and np.dtype(dtype).name not in supported
    try:
        out = pipe(**data)
    except UnsupportedInputError as e:
        msg = str(e)
        if dtype_refusable:
            assert name in msg, f"error does not name the transform: {msg}"
            assert np.dtype(dtype).name in msg, f"error does not name the dtype: {msg}"
            pytest.skip(f"{name} does not support {np.dtype(dtype).name} (declared in supported_dtypes)")
        if ch != 3:
            assert name in msg, f"error does not name the transform: {msg}"
            assert "channel" in msg.lower(), f"UnsupportedInputError not about channels: {msg}"
            pytest.skip(f"{name} refuses {kind} images: {msg}")
        raise
    if dtype_refusable:
        pytest.fail(f"{name}.supported_dtypes={supported} excludes {np.dtype(dtype).name}, "
                    f"but the call did not raise UnsupportedInputError")
    return out


def usable_kind(t, preferred: str = "rgb_u8") -> str:
    """``preferred``, or the first RGB kind whose dtype a pixel transform declares it supports."""
    supported = getattr(t, "supported_dtypes", None)
    if not is_pixel(t) or supported is None or np.dtype(IMAGE_KINDS[preferred][0]).name in supported:
        return preferred
    for kind in ("rgb_u8", "rgb_f32", "rgb_u16"):
        if np.dtype(IMAGE_KINDS[kind][0]).name in supported:
            return kind
    pytest.fail(f"{type(t).__name__}.supported_dtypes={supported} names no image dtype augkit accepts")


def assert_unchanged(now, before, msg: str):
    """``now`` equals the deep copy ``before``: arrays by dtype, shape and values."""
    if isinstance(before, np.ndarray):
        assert isinstance(now, np.ndarray) and now.dtype == before.dtype and now.shape == before.shape, msg
        np.testing.assert_array_equal(now, before, err_msg=msg)
    elif isinstance(before, dict):
        assert isinstance(now, dict) and set(now) == set(before), msg
        for k in before:
            assert_unchanged(now[k], before[k], f"{msg}[{k!r}]")
    elif isinstance(before, (list, tuple)):
        assert type(now) is type(before) and len(now) == len(before), msg
        for i, (a, b) in enumerate(zip(now, before)):
            assert_unchanged(a, b, f"{msg}[{i}]")
    else:
        assert now == before, msg


def assert_same_output(a: dict, b: dict):
    """Two outputs are equal, descending into lists and dicts (passed-through metadata)."""
    assert set(a) == set(b)
    for k in a:
        assert_unchanged(b[k], a[k], k)


# ------------------------------------------------------------------------------------
# discovery
# ------------------------------------------------------------------------------------
def test_discovery_finds_the_transforms():
    for name in ("HorizontalFlip", "RandomCrop", "Affine", "Rotate", "Resize", "NoOp"):
        assert name in TRANSFORMS
    assert not ABSTRACT & set(TRANSFORMS)
    assert len(TRANSFORMS) >= 20


def test_every_transform_class_in_the_package_is_exported():
    """A public transform class written under augkit.transforms must be reachable as augkit.X."""
    missing = []
    for info in pkgutil.iter_modules(augkit.transforms.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"augkit.transforms.{info.name}")
        for name, obj in vars(module).items():
            if (isinstance(obj, type) and issubclass(obj, augkit.BasicTransform)
                    and obj.__module__ == module.__name__ and not name.startswith("_")
                    and getattr(augkit, name, None) is not obj):
                missing.append(f"{module.__name__}.{name}")
    assert not missing, f"transforms not exported from augkit: {missing}"


@pytest.mark.parametrize("name", TRANSFORMS)
def test_every_transform_builds(name):
    t = build(name)
    if has_p(type(t)):
        assert t.p == 1.0
    repr(t)


# ------------------------------------------------------------------------------------
# the call contract
# ------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", list(IMAGE_KINDS))
@pytest.mark.parametrize("name", TRANSFORMS)
def test_call_contract(name, kind):
    t = build(name)
    data = make_inputs(kind)
    originals = copy.deepcopy(data)
    out = run_or_refuse(t, make_pipeline([t], seed=3), data, kind)

    # inputs untouched (metadata included, down to the arrays inside it)
    for k, v in originals.items():
        assert_unchanged(data[k], v, f"{name} mutated input {k!r}")

    assert set(out) == set(data), f"{name}: output keys {sorted(out)} != input keys {sorted(data)}"

    img_in, img = data["image"], out["image"]
    assert isinstance(img, np.ndarray)
    assert img.dtype == expected_dtype(t, img_in.dtype), f"{name}: {img_in.dtype} -> {img.dtype}"
    if name == "ToRGB" and (img_in.ndim == 2 or img_in.shape[2] == 1):
        assert img.ndim == 3 and img.shape[2] == 3
    else:
        assert img.ndim == img_in.ndim, f"{name}: image went from {img_in.shape} to {img.shape}"
        if img.ndim == 3 and not is_pixel(t):
            assert img.shape[2] == img_in.shape[2]
        if img.ndim == 3 and is_pixel(t):
            want = img_in.shape[2]
            if name == "ToGray" and want != 1:
                # ToGray(num_output_channels=...) sets the count on purpose; a one-channel
                # image is grey already and comes back as it is (as in 2.0.8)
                want = getattr(t, "num_output_channels", want)
            assert img.shape[2] == want, f"{name}: channels {img_in.shape} -> {img.shape}"
    assert img.size > 0
    if img.dtype == np.float32 and name not in UNBOUNDED_FLOAT_OUTPUT:
        assert np.all(np.isfinite(img))
        assert img.min() >= 0.0 and img.max() <= 1.0, \
            f"{name}: float32 output leaves [0, 1]: [{img.min()}, {img.max()}]"

    mask = out["mask"]
    assert isinstance(mask, np.ndarray) and mask.dtype == data["mask"].dtype and mask.ndim == 2
    oh, ow = img.shape[:2]
    bboxes, kps = out["bboxes"], out["keypoints"]
    assert isinstance(bboxes, np.ndarray) and bboxes.dtype == BOXES.dtype and bboxes.shape[1] == 4
    assert isinstance(kps, np.ndarray) and kps.dtype == KEYPOINTS.dtype and kps.shape[1] == 2
    assert len(out["labels"]) == len(bboxes) and len(out["kp_labels"]) == len(kps)

    if is_pixel(t):
        assert img.shape[:2] == img_in.shape[:2], f"{name}: a pixel transform changed the size"
        np.testing.assert_array_equal(mask, data["mask"])
        np.testing.assert_allclose(bboxes, BOXES, rtol=0, atol=1e-9)
        np.testing.assert_allclose(kps, KEYPOINTS, rtol=0, atol=1e-9)
        assert out["labels"] == BOX_LABELS and out["kp_labels"] == KP_LABELS
    else:
        assert mask.shape == (oh, ow), f"{name}: mask {mask.shape} vs image {img.shape}"
        extra = set(np.unique(mask).tolist()) - set(np.unique(data["mask"]).tolist()) - {0}
        assert not extra, f"{name}: mask gained values {extra} (masks must not be interpolated)"
        if len(bboxes):
            assert np.all(bboxes[:, 0] >= -1e-9) and np.all(bboxes[:, 1] >= -1e-9)
            assert np.all(bboxes[:, 2] <= ow + 1e-9) and np.all(bboxes[:, 3] <= oh + 1e-9)
            assert np.all(bboxes[:, 2] > bboxes[:, 0]) and np.all(bboxes[:, 3] > bboxes[:, 1])
        if len(kps):
            assert np.all(kps >= -0.5 - 1e-9), f"{name}: keypoint outside the frame kept: {kps}"
            assert np.all(kps[:, 0] <= ow - 0.5 + 1e-9) and np.all(kps[:, 1] <= oh - 0.5 + 1e-9)
        assert set(out["labels"]) <= set(BOX_LABELS) and set(out["kp_labels"]) <= set(KP_LABELS)


@pytest.mark.parametrize("name", TRANSFORMS)
def test_spatial_masks_list_follows_the_image(name):
    t = build(name)
    image = make_image(usable_kind(t))
    if is_pixel(t):
        masks = [make_mask(1), make_mask(2)]
        out = augkit.Compose([t], seed=1)(image=image, masks=masks, **EXTRA)
        for a, b in zip(out["masks"], masks):
            np.testing.assert_array_equal(a, b)
        return
    out = augkit.Compose([t], seed=1)(image=image, mask=make_mask(1), **EXTRA,
                                      masks=[make_mask(1), make_mask(2)])
    if name in GROWS_MASKS:
        # instance masks by design: the pasted instances are appended, and the call's own
        # lose the pasted pixels (where ``mask``, a semantic mask, takes the pasted values)
        pasted = GROWS_MASKS[name]
        assert len(out["masks"]) == 2 + pasted, f"{name}: {len(out['masks'])} masks"
        first = out["masks"][0]
        np.testing.assert_array_equal(first[first != 0], out["mask"][first != 0])
        gone = (make_mask(1) != 0) & (first == 0)
        union = np.any([m != 0 for m in out["masks"][2:]], axis=0)
        assert union[gone].all(), f"{name}: mask pixels lost where nothing was pasted"
        return
    assert len(out["masks"]) == 2
    np.testing.assert_array_equal(out["masks"][0], out["mask"])
    assert out["masks"][1].shape == out["image"].shape[:2]


# ------------------------------------------------------------------------------------
# probability
# ------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["gray_u8", "rgb_u8", "rgb_f32", "c5_u16"])
@pytest.mark.parametrize("name", TRANSFORMS)
def test_p0_returns_the_input(name, kind):
    cls = getattr(augkit, name)
    cases = [("Compose(p=0)", make_pipeline([build(name)], p=0.0))]
    if has_p(cls):
        cases.append((f"{name}(p=0)", make_pipeline([build(name, p=0.0)])))
    for label, pipe in cases:
        data = make_inputs(kind)
        out = pipe(**data)
        assert set(out) == set(data), label
        for k in ("image", "mask"):
            assert out[k].dtype == data[k].dtype and out[k].shape == data[k].shape, (label, k)
            np.testing.assert_array_equal(out[k], data[k], err_msg=f"{label} changed {k}")
        np.testing.assert_allclose(out["bboxes"], data["bboxes"], rtol=0, atol=1e-9, err_msg=label)
        np.testing.assert_allclose(out["keypoints"], data["keypoints"], rtol=0, atol=1e-9, err_msg=label)
        assert out["labels"] == data["labels"] and out["kp_labels"] == data["kp_labels"], label


# ------------------------------------------------------------------------------------
# seeds
# ------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["rgb_u8", "rgb_f32"])
@pytest.mark.parametrize("name", TRANSFORMS)
def test_same_seed_same_output(name, kind):
    # a random second step makes the pipeline depend on the generator even when the
    # transform itself is deterministic
    def pipe():
        return make_pipeline([build(name), augkit.HorizontalFlip(p=0.5)], seed=1234)

    data = make_inputs(kind)
    p1 = pipe()
    first = [run_or_refuse(p1.transforms[0], p1, data, kind)]
    first += [p1(**data) for _ in range(3)]
    p2 = pipe()
    second = [p2(**data) for _ in range(4)]
    for a, b in zip(first, second):
        assert_same_output(a, b)
    p1.set_random_seed(1234)
    for a in first:
        assert_same_output(a, p1(**data))


# ------------------------------------------------------------------------------------
# memory layout of the inputs does not matter
# ------------------------------------------------------------------------------------
@pytest.mark.parametrize("preferred", ["rgb_u8", "rgb_f32"])
@pytest.mark.parametrize("name", TRANSFORMS)
def test_views_and_read_only_inputs_give_the_same_output(name, preferred):
    kind = usable_kind(build(name), preferred)
    if kind != preferred and preferred != "rgb_u8":
        pytest.skip(f"{name} does not take {preferred} images")
    base = make_inputs(kind)
    ref = make_pipeline([build(name)], seed=8)(**base)

    big = np.zeros((H, 2 * W, 3), base["image"].dtype)
    big[:, ::2] = base["image"]
    view = dict(base, image=big[:, ::2])                     # strided view
    fortran = dict(base, image=np.asfortranarray(base["image"]),
                   mask=np.asfortranarray(base["mask"]))     # column-major
    flipped = dict(base, image=np.ascontiguousarray(base["image"][:, ::-1])[:, ::-1],
                   mask=np.ascontiguousarray(base["mask"][::-1])[::-1])  # negative strides
    frozen = {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in base.items()}
    for v in frozen.values():
        if isinstance(v, np.ndarray):
            v.flags.writeable = False                          # read-only
    for label, data in (("view", view), ("fortran", fortran), ("flipped", flipped),
                        ("read-only", frozen)):
        out = make_pipeline([build(name)], seed=8)(**data)
        try:
            assert_same_output(out, ref)
        except AssertionError as e:
            raise AssertionError(f"{name}: {label} input gives a different output") from e


# ------------------------------------------------------------------------------------
# masks of any dtype move identically
# ------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", TRANSFORMS)
def test_mask_dtypes_move_identically(name):
    t = build(name)
    if is_pixel(t):
        return
    labels = make_mask()
    outs = {}
    for dtype in (np.uint8, np.bool_, np.int32, np.uint16, np.float32, np.int64):
        m = labels.astype(dtype) if dtype is not np.bool_ else labels > 2
        out = augkit.Compose([build(name)], seed=4)(image=make_image("rgb_u8"), mask=m, **EXTRA)
        assert out["mask"].dtype == np.dtype(dtype), f"{name}: mask {np.dtype(dtype)} -> {out['mask'].dtype}"
        outs[np.dtype(dtype).name] = out["mask"]
    ref = outs["uint8"]
    if name in ("CropNonEmptyMaskIfExists", "MaskDropout"):
        # the crop is placed by (MaskDropout's objects are) the mask's content, and a bool
        # mask (labels > 2) has other foreground pixels than the label mask: only
        # same-content dtypes must agree
        outs.pop("bool")
    for k, m in outs.items():
        want = ref > 2 if k == "bool" else ref.astype(m.dtype)
        np.testing.assert_array_equal(m, want, err_msg=f"{name}: {k} mask moved differently")


# ------------------------------------------------------------------------------------
# keypoints and boxes follow the picture
# ------------------------------------------------------------------------------------
SIGMA, SPACING = 0.9, 10
MIN_SCALE = 0.4


def blob_grid(rng) -> tuple[np.ndarray, np.ndarray]:
    """An HxW float32 image of Gaussian blobs on a jittered grid, and their centres (pixel indices)."""
    gy, gx = np.mgrid[0:H // SPACING, 0:W // SPACING]
    centres = np.stack([SPACING / 2 + SPACING * gx.ravel(), SPACING / 2 + SPACING * gy.ravel()], axis=1)
    centres = centres + rng.uniform(-0.5, 0.5, centres.shape)
    yy, xx = np.mgrid[0:H, 0:W]
    img = np.zeros((H, W), np.float64)
    for x, y in centres:
        img += np.exp(-((xx - x) ** 2 + (yy - y) ** 2) / (2 * SIGMA ** 2))
    return np.clip(img, 0, 1).astype(np.float32), centres


@pytest.mark.parametrize("name", TRANSFORMS)
def test_keypoints_and_boxes_follow_the_picture(name):
    """Each keypoint sits on the centroid of its blob (within 0.15 px) and its box encloses it.

    Blobs whose box reaches the output's edge are not judged (part of the blob is cut off),
    nor blobs shrunk below 0.4 of their size (too coarsely sampled).
    """
    cls = getattr(augkit, name)
    if not issubclass(cls, augkit.SpatialTransform):
        return  # pixel-level or user-level (NoOp) transforms: checked elsewhere
    rng = np.random.default_rng(0)
    pipe = augkit.Compose(
        [build(name)], seed=21,
        bbox_params=augkit.BboxParams(format="pascal_voc", label_fields=["ids"]),
        keypoint_params=augkit.KeypointParams(format="xy", label_fields=["kids"]))
    checked = 0
    r = 3 * SIGMA
    for _ in range(12):
        img, centres = blob_grid(rng)
        boxes = np.concatenate([centres + 0.5 - r, centres + 0.5 + r], axis=1)
        ids = list(range(len(centres)))
        out = pipe(image=img, keypoints=centres, kids=ids, bboxes=boxes, ids=ids, **EXTRA)
        res = out["image"]
        oh, ow = res.shape[:2]
        box_of = dict(zip(out["ids"], out["bboxes"]))
        for (kx, ky), i in zip(out["keypoints"], out["kids"]):
            assert i in box_of, f"{name}: keypoint {i} kept but its box was dropped"
            x1, y1, x2, y2 = box_of[i]
            if not (x1 > 0.5 and y1 > 0.5 and x2 < ow - 0.5 and y2 < oh - 0.5):
                continue
            if min(x2 - x1, y2 - y1) < MIN_SCALE * 2 * r:
                continue  # shrunk blobs are sampled too coarsely for a centroid
            assert x1 <= kx + 0.5 <= x2 and y1 <= ky + 0.5 <= y2, \
                f"{name}: keypoint {i} ({kx:.2f}, {ky:.2f}) outside its box {box_of[i]}"
            # pixels whose centres lie in the box
            j0, j1 = int(np.ceil(x1 - 0.5)), int(np.floor(x2 - 0.5))
            i0, i1 = int(np.ceil(y1 - 0.5)), int(np.floor(y2 - 0.5))
            patch = res[i0:i1 + 1, j0:j1 + 1].astype(np.float64)
            if patch.sum() < 0.5:
                continue
            yy, xx = np.mgrid[i0:i1 + 1, j0:j1 + 1]
            cx, cy = (patch * xx).sum() / patch.sum(), (patch * yy).sum() / patch.sum()
            # a field bends the blob itself (second order); the exact check for fields is
            # tests/test_geometry_consistency.py::test_keypoints_follow_source_coordinates
            tol = 0.5 if cls.__module__.endswith(".distortions") else 0.15
            assert abs(cx - kx) <= tol and abs(cy - ky) <= tol, (
                f"{name}: keypoint {i} at ({kx:.3f}, {ky:.3f}) but its blob's centroid is at "
                f"({cx:.3f}, {cy:.3f})")
            checked += 1
    assert checked >= 3, f"{name}: too few blobs stayed inside the output to judge ({checked})"


# ------------------------------------------------------------------------------------
# same names and defaults as Albumentations 2.0.8
# ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def albumentations_signatures():
    """Parameters and defaults of Albumentations 2.0.8, recorded by tests/data/make_albumentations_signatures.py."""
    import json
    from pathlib import Path

    data = json.loads((Path(__file__).parent / "data" / "albumentations_signatures.json").read_text())
    assert data["__version__"] == "2.0.8"
    return data


@pytest.mark.parametrize("name", TRANSFORMS)
def test_same_parameters_and_defaults_as_albumentations(name, albumentations_signatures):
    ref = albumentations_signatures.get(name)
    if ref is None:
        return  # an augkit-only transform
    sig = inspect.signature(getattr(augkit, name).__init__)
    mine = {k: (repr(v.default) if v.default is not inspect.Parameter.empty else None)
            for k, v in list(sig.parameters.items())[1:]
            if v.kind not in (v.VAR_POSITIONAL, v.VAR_KEYWORD)}
    import re
    # defaults that are functions print with their address: compare without it
    ref = {k: re.sub(r" at 0x[0-9a-f]+", "", v) if v else v for k, v in ref.items()}
    mine = {k: re.sub(r" at 0x[0-9a-f]+", "", v) if v else v for k, v in mine.items()}
    missing = sorted(set(ref) - set(mine) - {"always_apply", "strict"})
    assert not missing, f"{name} lacks Albumentations parameters {missing}"
    changed = {k: (ref[k], mine[k]) for k in set(ref) & set(mine) if ref[k] != mine[k]}
    assert not changed, f"{name}: defaults differ from Albumentations (theirs, ours): {changed}"
