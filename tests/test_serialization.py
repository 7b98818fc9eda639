"""Saving and loading pipelines: every transform round-trips exactly, Albumentations configs load."""

from __future__ import annotations

import io
import json
import math
import numbers
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import augkit as A
from augkit.core import serialization as S
from augkit.errors import InvalidParameterError, UnsupportedInputError
from tests.test_harness import (
    EXTRA,
    TRANSFORMS,
    assert_same_output,
    build,
    make_inputs,
    make_pipeline,
)

CONFIGS = Path(__file__).parent / "data" / "alb_configs"


def _outputs(pipe, calls=2):
    """Outputs of ``calls`` calls on harness inputs (a dtype the transforms accept)."""
    for kind in ("rgb_u8", "rgb_f32", "rgb_u16"):
        data = make_inputs(kind)
        try:
            first = pipe(**data)
        except UnsupportedInputError:
            continue
        return [first] + [pipe(**data) for _ in range(calls - 1)]
    pytest.fail(f"{pipe} accepts none of the harness images")


def _via(fmt, obj, tmp_path, **kw):
    if fmt == "dict":
        return A.from_dict(json.loads(json.dumps(A.to_dict(obj, **kw))), **kw)
    path = tmp_path / f"pipe.{fmt}"
    A.save(obj, path, **kw)
    return A.load(path, **kw)


# ------------------------------------------------------------------------------------
# every transform
# ------------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["dict", "json", "yaml"])
@pytest.mark.parametrize("name", [n for n in TRANSFORMS if n != "Lambda"])
def test_every_transform_round_trips_exactly(name, fmt, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # Flip (1.x) warns when built
        pipe = make_pipeline([build(name)], seed=5)
        loaded = _via(fmt, pipe, tmp_path)
    assert type(loaded.transforms[0]) is type(pipe.transforms[0])
    assert loaded.transforms[0].p == pipe.transforms[0].p == 1.0
    for a, b in zip(_outputs(pipe), _outputs(loaded)):
        assert_same_output(a, b)
    # the loaded pipeline describes itself the same way (tuples read back as tuples)
    assert A.to_dict(loaded) == A.to_dict(pipe)


@pytest.mark.parametrize("name", [n for n in TRANSFORMS if n != "Lambda"])
def test_every_transform_accepts_lists_where_it_takes_tuples(name):
    """Configs written by hand or by Albumentations hold lists: they mean the same as tuples.

    (The only exception is declared in serialization._LIST_SENSITIVE: CropAndPad, where a
    list is a set of choices and a tuple a range, as in imgaug; those stay tuples here.)
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        t = build(name)
        d = A.to_dict(t)["transform"]
        d.pop("__class_fullname__")
        keep = S._LIST_SENSITIVE.get(name, ())
        args = {k: S._decode(v, {}, k, tuples=k in keep) for k, v in d.items()}
        with_lists = type(t)(**args)
    for a, b in zip(_outputs(make_pipeline([t], seed=2)), _outputs(make_pipeline([with_lists], seed=2))):
        assert_same_output(a, b)


def test_crop_and_pad_keeps_lists_and_tuples_apart():
    t = A.CropAndPad(px=(-3, [1, 2], (0, 4), 5), keep_size=False)
    d = A.to_dict(t)
    assert d["transform"]["px"] == [-3, {"__list__": [1, 2]}, [0, 4], 5]
    loaded = A.from_dict(json.loads(json.dumps(d)))
    assert loaded._sides == t._sides == [("value", -3), ("choice", [1, 2]), ("range", (0, 4)), ("value", 5)]
    # a plain list (Albumentations' configs) is a range, as Albumentations reads it
    alb = A.from_dict({"transform": {"__class_fullname__": "CropAndPad", "px": [-10, 10]}})
    assert alb._sides == [("range", (-10, 10))] * 4


def test_layout():
    pipe = A.Compose([A.HorizontalFlip(p=0.25), A.OneOf([A.Blur(blur_limit=(3, 5)), A.NoOp()], p=0.5)],
                     bbox_params=A.BboxParams(format="coco", label_fields=["labels"]),
                     additional_targets={"image2": "image"}, seed=11)
    d = pipe.to_dict()
    assert d == A.to_dict(pipe)
    assert d["__version__"] == A.__version__ and d["__format__"] == S.FORMAT
    body = d["transform"]
    assert body["__class_fullname__"] == "Compose" and body["seed"] == 11
    assert body["transforms"][0] == {"__class_fullname__": "HorizontalFlip", "p": 0.25}
    assert body["transforms"][1]["transforms"][0] == {"__class_fullname__": "Blur", "p": 0.5,
                                                      "blur_limit": [3, 5]}
    assert body["bbox_params"]["format"] == "coco" and body["bbox_params"]["label_fields"] == ["labels"]
    assert body["additional_targets"] == {"image2": "image"}
    assert A.HorizontalFlip(p=0.25).to_dict()["transform"] == body["transforms"][0]
    json.dumps(d)  # plain values only


# ------------------------------------------------------------------------------------
# compositions
# ------------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["dict", "json", "yaml"])
def test_compositions_and_compose_settings_round_trip(fmt, tmp_path):
    pipe = A.Compose(
        [A.SomeOf([A.HorizontalFlip(p=1), A.VerticalFlip(p=0.7), A.Transpose(p=1)], n=2, replace=True, p=0.9),
         A.RandomOrder([A.RandomGamma(p=1), A.Blur(p=1)], n=2),
         A.Sequential([A.Affine(rotate=(-20, 20), p=1), A.RandomCrop(height=16, width=20)], p=0.8),
         A.OneOrOther(A.ToGray(p=1), A.InvertImg(p=1), p=0.3),
         A.OneOf([A.GaussNoise(p=0.2), A.Rotate(limit=10, p=0.8)], p=0.6)],
        bbox_params=A.BboxParams(format="pascal_voc", label_fields=["labels"], min_visibility=0.2,
                                 min_area=3.5, clip=True),
        keypoint_params=A.KeypointParams(format="xy", label_fields=["kp_labels"], remove_invisible=False),
        additional_targets={"image2": "image", "depth": "mask"}, seed=3, strict=True,
        mask_interpolation=1, fuse=False, is_check_shapes=False)
    loaded = _via(fmt, pipe, tmp_path)
    for key in ("seed", "strict", "fuse", "is_check_shapes", "mask_interpolation", "additional_targets"):
        assert getattr(loaded, key) == getattr(pipe, key), key
    assert vars(loaded.bbox_params) == vars(pipe.bbox_params)
    assert vars(loaded.keypoint_params) == vars(pipe.keypoint_params)
    assert [type(t) for t in loaded] == [type(t) for t in pipe]
    assert loaded.transforms[0].n == 2 and loaded.transforms[0].replace is True
    data = make_inputs("rgb_u8")
    # strict=True: no stray keys (the harness adds metadata every transform family reads)
    data = {k: v for k, v in data.items() if k not in EXTRA}
    data["image2"], data["depth"] = data["image"][::-1].copy(), data["mask"].T[:24, :32].copy()
    for _ in range(5):
        assert_same_output(pipe(**data), loaded(**data))


def test_custom_transform_round_trips_by_its_full_name():
    t = _AddValue(value=7, p=0.75)
    d = A.to_dict(A.Compose([t]))
    assert d["transform"]["transforms"][0] == {"__class_fullname__": f"{__name__}._AddValue",
                                               "p": 0.75, "value": 7}
    loaded = A.from_dict(d)
    assert isinstance(loaded.transforms[0], _AddValue) and loaded.transforms[0].value == 7


class _AddValue(A.ImageOnlyTransform):
    def __init__(self, value: int = 1, p: float = 0.5):
        super().__init__(p=p)
        self.value = value

    def apply(self, img, **params):
        return img + self.value


# ------------------------------------------------------------------------------------
# values that are not plain: arrays, functions, Lambda
# ------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32])
def test_reference_arrays_are_stored_with_their_dtype(dtype, tmp_path):
    ref = (np.arange(4 * 5 * 3).reshape(4, 5, 3) % 200).astype(dtype)
    if dtype == np.float32:
        ref = ref / np.float32(200)
    t = A.HistogramMatching(reference_images=[ref], p=1)
    d = A.to_dict(t)["transform"]
    assert "read_fn" not in d  # the default function is not written; loading gets the default
    stored = d["reference_images"][0]
    assert stored["dtype"] == np.dtype(dtype).name and stored["shape"] == [4, 5, 3]
    loaded = _via("json", t, tmp_path)
    got = loaded.reference_images[0]
    assert got.dtype == ref.dtype and got.shape == ref.shape
    np.testing.assert_array_equal(got, ref)
    assert loaded.read_fn is t.read_fn


def test_functions_need_a_name():
    def my_reader(path):
        return np.zeros((4, 4, 3), np.uint8)

    t = A.FDA(reference_images=["a.png"], read_fn=my_reader, p=1)
    with pytest.raises(InvalidParameterError, match=r"FDA\(read_fn=.*my_reader.*nonserializable"):
        A.to_dict(t)
    d = json.loads(json.dumps(A.to_dict(t, nonserializable={"reader": my_reader})))
    assert d["transform"]["read_fn"] == {"__nonserializable__": "reader"}
    with pytest.raises(InvalidParameterError, match="'reader' was saved by name"):
        A.from_dict(d)
    loaded = A.from_dict(d, nonserializable={"reader": my_reader})
    assert loaded.read_fn is my_reader and list(loaded.reference_images) == ["a.png"]


def test_lambda_is_saved_by_name(tmp_path):
    def add_one(img, **kw):
        return img + 1

    with pytest.raises(InvalidParameterError, match="give it a name"):
        A.to_dict(A.Lambda(image=add_one))
    lam = A.Lambda(image=add_one, name="add_one", p=1)
    pipe = A.Compose([A.HorizontalFlip(p=1), lam])
    d = A.to_dict(pipe)
    assert d["transform"]["transforms"][1] == {"__class_fullname__": "Lambda", "__name__": "add_one"}
    with pytest.raises(InvalidParameterError, match="nonserializable"):
        A.from_dict(d)
    loaded = _via("yaml", pipe, tmp_path, nonserializable={"add_one": lam})
    assert loaded.transforms[1] is lam
    img = np.arange(6, dtype=np.uint8).reshape(2, 3)
    np.testing.assert_array_equal(loaded(image=img)["image"], img[:, ::-1] + 1)


def test_unsavable_values_are_refused_clearly():
    t = A.HorizontalFlip()
    t._init_args["weird"] = object()  # a value no transform of ours records
    with pytest.raises(InvalidParameterError, match=r"HorizontalFlip\(weird=...\): a object cannot be saved"):
        A.to_dict(t)


# ------------------------------------------------------------------------------------
# files, formats and errors
# ------------------------------------------------------------------------------------
def test_format_from_extension_and_streams(tmp_path):
    pipe = A.Compose([A.Blur(blur_limit=(3, 5), p=0.3)], seed=1)
    A.save(pipe, tmp_path / "a.yml")
    assert (tmp_path / "a.yml").read_text().startswith("__version__:")
    A.save(pipe, tmp_path / "a.cfg")  # unknown extension: JSON
    assert json.loads((tmp_path / "a.cfg").read_text())["transform"]["seed"] == 1
    A.save(pipe, str(tmp_path / "b.txt"), data_format="yaml")
    assert A.load(tmp_path / "b.txt", data_format="yaml").transforms[0].blur_limit == (3, 5)
    buf = io.StringIO()
    A.save(pipe, buf, data_format="json")
    buf.seek(0)
    assert A.load(buf).transforms[0].p == 0.3
    with pytest.raises(InvalidParameterError, match="data_format must be"):
        A.save(pipe, tmp_path / "c.json", data_format="toml")


def test_yaml_missing_gives_a_clear_import_error(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "yaml", None)
    with pytest.raises(ImportError, match=r"pip install 'augkit\[yaml\]'"):
        A.save(A.HorizontalFlip(), tmp_path / "a.yaml")
    (tmp_path / "b.yaml").write_text("{}")
    with pytest.raises(ImportError, match="PyYAML"):
        A.load(tmp_path / "b.yaml")


def test_import_augkit_does_not_import_yaml():
    code = "import sys, augkit; assert 'yaml' not in sys.modules; assert 'augkit.transforms.compat' in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_bad_configs_are_refused_clearly():
    with pytest.raises(InvalidParameterError, match="unknown transform 'HorizontalFlop'; did you mean 'HorizontalFlip'"):
        A.from_dict({"transform": {"__class_fullname__": "HorizontalFlop"}})
    with pytest.raises(InvalidParameterError, match="unknown transform 'os.system'"):
        A.from_dict({"transform": {"__class_fullname__": "os.system"}})  # never imports anything
    with pytest.raises(InvalidParameterError, match="__format__ 99"):
        A.from_dict({"__format__": 99, "transform": {"__class_fullname__": "HorizontalFlip"}})
    with pytest.raises(InvalidParameterError, match="__class_fullname__"):
        A.from_dict({"transform": {"p": 1}})
    with pytest.raises(InvalidParameterError, match="unknown argument 'blur_limt'; did you mean 'blur_limit'"):
        A.from_dict({"transform": {"__class_fullname__": "Blur", "blur_limt": 3}})
    # a bare transform dict (without the version wrapper) is accepted
    bare = A.from_dict({"__class_fullname__": "Blur", "blur_limit": 5})
    assert type(bare) is A.Blur and bare.blur_limit == A.Blur(blur_limit=5).blur_limit


# ------------------------------------------------------------------------------------
# Albumentations' configs
# ------------------------------------------------------------------------------------
def _read(path: Path):
    if path.suffix == ".yaml":
        import yaml
        return yaml.safe_load(path.read_text())
    return json.loads(path.read_text())


def _norm(v):
    """Compare config values with validated attributes: sequences as tuples, numbers as floats."""
    if isinstance(v, dict) and set(v) == {"x", "y"}:  # Affine's per-axis dicts: stored as (x, y)
        return (_norm(v["x"]), _norm(v["y"]))
    if isinstance(v, (list, tuple)):
        return tuple(_norm(x) for x in v)
    if isinstance(v, dict):
        return {k: _norm(x) for k, x in v.items()}
    if isinstance(v, numbers.Real) and not isinstance(v, bool):
        return float(v)
    return v


def _compare(d, t, path, problems):
    name = d["__class_fullname__"]
    if type(t).__name__ != name:
        problems.append(f"{path}: {name} loaded as {type(t).__name__}")
        return
    for key, value in d.items():
        if key in ("__class_fullname__", "transforms") or key in S._ALBUMENTATIONS_DERIVED.get(name, ()):
            continue
        if key in ("bbox_params", "keypoint_params"):
            obj = getattr(t, key)
            if (value is None) != (obj is None):
                problems.append(f"{path}.{key}: {value} vs {obj}")
            for k, v in (value or {}).items():
                if _norm(getattr(obj, k)) != _norm(v):
                    problems.append(f"{path}.{key}.{k}: {v!r} loaded as {getattr(obj, k)!r}")
            continue
        if not hasattr(t, key):
            problems.append(f"{path}: {name} has no attribute {key!r}")
        elif _norm(getattr(t, key)) != _norm(value):
            problems.append(f"{path}: {name}.{key}: {value!r} loaded as {getattr(t, key)!r}")
    children = d.get("transforms", [])
    if len(children) != len(getattr(t, "transforms", [])):
        problems.append(f"{path}: {len(children)} children loaded as {len(t.transforms)}")
    for i, (c, ct) in enumerate(zip(children, getattr(t, "transforms", []))):
        _compare(c, ct, f"{path}.transforms[{i}]", problems)


ALB2 = sorted(CONFIGS.glob("alb2_*"))


def test_there_are_a_dozen_albumentations_configs():
    assert len(ALB2) >= 12
    assert {p.suffix for p in ALB2} == {".json", ".yaml"}


@pytest.mark.parametrize("path", ALB2, ids=[p.name for p in ALB2])
def test_albumentations_2_configs_load_with_the_same_parameters(path):
    """Every value Albumentations 2.0.8 saved is what the loaded augkit object holds, after validation."""
    d = _read(path)
    assert d["__version__"] == "2.0.8"
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)  # 2.x configs use no old spellings
        pipe = A.load(path)
    problems: list[str] = []
    _compare(d["transform"], pipe, "transform", problems)
    assert not problems, "\n".join(problems)
    # and it runs, with the targets it declares
    rng = np.random.default_rng(0)
    data = {"image": rng.integers(0, 256, (320, 360, 3), dtype=np.uint8)}
    for name, kind in pipe.additional_targets.items():
        data[name] = data["image"].copy() if kind == "image" else np.zeros((320, 360), np.uint8)
    if pipe.bbox_params is not None:
        data["bboxes"] = [(40, 50, 200, 220)] if pipe.bbox_params.format != "coco" else [(40, 50, 160, 170)]
        for f in pipe.bbox_params.label_fields:
            data[f] = [1]
    if pipe.keypoint_params is not None:
        data["keypoints"] = [(100, 120)]
        for f in pipe.keypoint_params.label_fields:
            data[f] = ["nose"]
    out = pipe(**data)
    assert set(out) == set(data)


def test_albumentations_1x_config():
    with pytest.warns(DeprecationWarning) as record:
        pipe = A.load(CONFIGS / "alb1_legacy.json")
    text = "\n".join(str(w.message) for w in record)
    for new in ("quality_range", "std_range", "fill=", "size=(height, width)", "RandomBrightnessContrast"):
        assert new in text, f"no warning names {new}"
    names = [type(t).__name__ for t in pipe]
    assert names == ["HorizontalFlip", "ImageCompression", "GaussNoise", "ShiftScaleRotate", "PadIfNeeded",
                     "RandomSizedCrop", "RandomBrightnessContrast", "Flip"]
    jpeg, noise, ssr, pad, crop, bright = pipe[1], pipe[2], pipe[3], pipe[4], pipe[5], pipe[6]
    assert jpeg.compression_type == "jpeg" and jpeg.quality_range == (80, 100)
    assert noise.std_range == pytest.approx((math.sqrt(10) / 255, math.sqrt(50) / 255))
    assert noise.mean_range == (0.0, 0.0) and noise.per_channel is True
    assert ssr.fill == 0 and ssr.border_mode == 4
    assert pad.fill == 255 and pad.fill_mask == 7 and pad.p == 1.0
    assert crop.size == (40, 40) and crop.min_max_height == (32, 48)
    assert bright.brightness_limit == (-0.2, 0.2) and bright.contrast_limit == (0, 0)
    assert pipe.bbox_params.min_visibility == 0.1
    out = pipe(image=np.zeros((50, 60, 3), np.uint8), bboxes=[(5, 5, 40, 40)], labels=[0])
    assert out["image"].shape == (40, 40, 3)


def test_albumentations_0x_config_with_dotted_and_imgaug_names():
    with pytest.warns(DeprecationWarning, match="IAAAdditiveGaussianNoise was removed.*GaussNoise"):
        pipe = A.load(CONFIGS / "alb0_dotted.json")
    assert [type(t).__name__ for t in pipe] == ["VerticalFlip", "OneOf", "Perspective", "ElasticTransform",
                                                "RandomFog", "RandomBrightnessContrast"]
    noise, sharpen, emboss = pipe[1].transforms
    assert noise.std_range == pytest.approx((0.01, 0.05)) and noise.per_channel is False
    assert sharpen.alpha == (0.2, 0.5) and emboss.strength == (0.2, 0.7)
    assert pipe[3].alpha == 1 and pipe[3].border_mode == 4  # alpha_affine dropped (with a warning)
    assert pipe[4].fog_coef_range == (0.3, 0.5)
    assert pipe[5].contrast_limit == (-0.3, 0.3) and pipe[5].brightness_limit == (0, 0)
    assert pipe.keypoint_params.format == "xy"


def test_albumentations_1x_yaml_config():
    with pytest.warns(DeprecationWarning):
        pipe = A.load(CONFIGS / "alb1_legacy.yaml")
    rotate, comp, affine, down = pipe
    assert rotate.fill == (10, 20, 30) and rotate.fill_mask == 5
    assert comp.compression_type == "webp" and comp.quality_range == (60, 95)
    assert type(affine).__name__ == "Affine" and affine.border_mode == 4  # imgaug "reflect"
    assert down.scale_range == (0.5, 0.9) and down.interpolation_pair == {"downscale": 0, "upscale": 0}


def test_always_apply_in_a_config():
    with pytest.warns(DeprecationWarning, match="always_apply"):
        t = A.from_dict({"__version__": "1.3.0", "transform": {"__class_fullname__": "Blur", "always_apply": True,
                                                               "p": 0.1, "blur_limit": 3}})
    assert t.p == 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # always_apply=False, written everywhere by 1.x: silent
        t = A.from_dict({"transform": {"__class_fullname__": "Blur", "always_apply": False, "p": 0.1}})
    assert t.p == 0.1
