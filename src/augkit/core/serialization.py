"""Saving and loading pipelines: ``to_dict`` / ``from_dict`` and ``save`` / ``load`` (JSON or YAML).

Layout (the same spirit as Albumentations', which ``from_dict`` also reads, 0.x to 2.x)::

    {"__version__": "0.1.0", "__format__": 1,
     "transform": {"__class_fullname__": "Compose", "p": 1.0,
                   "transforms": [{"__class_fullname__": "HorizontalFlip", "p": 0.5}, ...],
                   "bbox_params": {...} or null, "keypoint_params": ..., "seed": ..., ...}}

A transform is written as its class name, ``p`` and the arguments it was built with.
Values become JSON/YAML-safe: tuples are written as lists and read back as tuples, numpy
scalars as numbers, numpy arrays (e.g. the reference images of ``FDA``) as
``{"__ndarray__": nested lists, "dtype": ..., "shape": ...}``. Functions cannot be
written: a function left at its default (``read_fn``) is omitted; any other one must be
named, ``to_dict(t, nonserializable={"name": func})``, and given back under that name,
``from_dict(d, nonserializable={"name": func})``. A ``Lambda`` is written by its ``name``
and replaced on loading by the transform given under that name (as Albumentations'
``lambda_transforms``).

>>> import augkit as A
>>> d = A.to_dict(A.Compose([A.HorizontalFlip(p=0.5), A.Blur(blur_limit=(3, 5))], seed=1))
>>> d["transform"]["transforms"][1]
{'__class_fullname__': 'Blur', 'p': 0.5, 'blur_limit': [3, 5]}
>>> A.from_dict(d).transforms[1].blur_limit
(3, 5)
"""

from __future__ import annotations

import difflib
import enum
import inspect
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from augkit.errors import InvalidParameterError

__all__ = ["FORMAT", "from_dict", "load", "save", "to_dict"]

#: version of the layout written by :func:`to_dict`; :func:`from_dict` refuses newer ones.
FORMAT = 1

_CLASS_KEY = "__class_fullname__"
_ARRAY_KEY = "__ndarray__"
_NAMED_KEY = "__nonserializable__"

#: keys Albumentations 2.x writes that are derived from other arguments (its classes
#: share base-class state): ignored when reading its configs.
_ALBUMENTATIONS_DERIVED = {
    "PadIfNeeded": {"padding"},
    "RGBShift": {"noise_type", "spatial_mode", "noise_params", "approximation"},
    "SafeRotate": {"rotate", "scale", "shear", "translate_percent", "translate_px", "fit_output",
                   "keep_ratio", "balanced_scale"},
}

#: arguments where a list means something else than a tuple (CropAndPad, as imgaug: a
#: tuple is a range, a list a set of choices): their lists are written as {"__list__": [...]}
#: (plain lists, as in Albumentations' configs, are read as tuples everywhere).
_LIST_SENSITIVE = {"CropAndPad": ("px", "percent")}
_LIST_KEY = "__list__"

#: Compose arguments that are not written as plain values.
_COMPOSE_SPECIAL = ("transforms", "first", "second", "bbox_params", "keypoint_params")


# ---------------------------------------------------------------------------------------
# to_dict
# ---------------------------------------------------------------------------------------
def to_dict(transform: Any, nonserializable: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Describe a transform or pipeline as a dict of plain values (JSON/YAML-safe).

    Args:
        transform: a transform or a composition.
        nonserializable: ``{"name": obj}`` for functions passed as arguments (e.g. a custom
            ``read_fn``): they are written as ``{"__nonserializable__": "name"}``.
    """
    import augkit

    names = {id(v): k for k, v in (nonserializable or {}).items()}
    return {"__version__": augkit.__version__, "__format__": FORMAT,
            "transform": _transform_to_dict(transform, names)}


def _class_name(cls: type) -> str:
    import augkit

    if getattr(augkit, cls.__name__, None) is cls:
        return cls.__name__
    return f"{cls.__module__}.{cls.__qualname__}"


def _transform_to_dict(t: Any, names: dict[int, str]) -> dict[str, Any]:
    from augkit.core.compose import BaseCompose
    from augkit.core.transform import BasicTransform

    if isinstance(t, BaseCompose):
        return _compose_to_dict(t, names)
    if not isinstance(t, BasicTransform):
        raise InvalidParameterError(f"to_dict: expected an augkit transform or composition, "
                                    f"got {type(t).__name__}")
    cls = type(t)
    if cls.__name__ == "Lambda" and cls.__module__ == "augkit.transforms.other_spatial":
        if not t.name:
            raise InvalidParameterError(
                "to_dict: a Lambda holds functions that cannot be saved; give it a name, "
                "Lambda(name='my_step', ...), and load with from_dict(..., "
                "nonserializable={'my_step': the_lambda_transform})")
        return {_CLASS_KEY: "Lambda", "__name__": t.name}
    out: dict[str, Any] = {_CLASS_KEY: _class_name(cls), "p": float(t.p)}
    params = inspect.signature(cls.__init__).parameters
    for key, value in t.get_transform_init_args().items():
        default = params[key].default if key in params else inspect.Parameter.empty
        if callable(value) and not isinstance(value, type) and value is default and id(value) not in names:
            continue  # a default function (e.g. read_fn): the loader gets the same default
        out[key] = _encode(value, f"{cls.__name__}({key}=...)", names,
                           tag_lists=key in _LIST_SENSITIVE.get(cls.__name__, ()))
    return out


def _compose_to_dict(c: Any, names: dict[int, str]) -> dict[str, Any]:
    cls = type(c)
    out: dict[str, Any] = {_CLASS_KEY: _class_name(cls), "p": float(c.p),
                           "transforms": [_transform_to_dict(t, names) for t in c.transforms]}
    params = list(inspect.signature(cls.__init__).parameters)[1:]
    for key in ("bbox_params", "keypoint_params"):
        if key in params:
            value = getattr(c, key, None)
            out[key] = None if value is None else _params_to_dict(value)
    for key in params:
        if key in _COMPOSE_SPECIAL or key == "p" or not hasattr(c, key):
            continue
        out[key] = _encode(getattr(c, key), f"{cls.__name__}({key}=...)", names)
    return out


def _params_to_dict(obj: Any) -> dict[str, Any]:
    params = list(inspect.signature(type(obj).__init__).parameters)[1:]
    return {k: _encode(getattr(obj, k), f"{type(obj).__name__}({k}=...)", {})
            for k in params if hasattr(obj, k)}


def _encode(value: Any, where: str, names: dict[int, str], tag_lists: bool = False) -> Any:
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, enum.Enum):
        return _encode(value.value, where, names)
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            raise InvalidParameterError(f"to_dict: {where}: arrays of dtype {value.dtype} cannot be saved")
        return {_ARRAY_KEY: value.tolist(), "dtype": value.dtype.name, "shape": list(value.shape)}
    if isinstance(value, (list, tuple)):
        items = [_encode(v, where, names, tag_lists) for v in value]
        return {_LIST_KEY: items} if tag_lists and isinstance(value, list) else items
    if isinstance(value, Mapping):
        bad = [k for k in value if not isinstance(k, str)]
        if bad:
            raise InvalidParameterError(f"to_dict: {where}: dict keys must be strings, got {bad[0]!r}")
        return {k: _encode(v, where, names) for k, v in value.items()}
    if id(value) in names:
        return {_NAMED_KEY: names[id(value)]}
    if callable(value):
        raise InvalidParameterError(
            f"to_dict: {where}: the function {getattr(value, '__name__', value)!r} cannot be saved; "
            f"name it, to_dict(..., nonserializable={{'my_fn': fn}}), and give it back when "
            f"loading, from_dict(..., nonserializable={{'my_fn': fn}}) (or pass file paths "
            f"with the default read_fn instead of a custom one)")
    raise InvalidParameterError(f"to_dict: {where}: a {type(value).__name__} cannot be saved "
                                f"(accepted: numbers, strings, lists, tuples, dicts, numpy arrays)")


# ---------------------------------------------------------------------------------------
# from_dict
# ---------------------------------------------------------------------------------------
def from_dict(transform_dict: Mapping[str, Any], nonserializable: Mapping[str, Any] | None = None) -> Any:
    """Build the transform or pipeline described by ``transform_dict``.

    Reads what :func:`to_dict` writes, and configs written by Albumentations 0.x to 2.x
    (dotted class names, removed 1.x classes and argument names are mapped to augkit's,
    with a ``DeprecationWarning`` naming the 2.x spelling).

    Args:
        transform_dict: the dict (with ``"transform"`` inside, or the transform's own dict).
        nonserializable: objects saved by name: the transform for each ``Lambda`` name,
            functions named at saving.
    """
    if not isinstance(transform_dict, Mapping):
        raise InvalidParameterError(f"from_dict: expected a dict, got {type(transform_dict).__name__}")
    fmt = transform_dict.get("__format__")
    if isinstance(fmt, int) and fmt > FORMAT:
        raise InvalidParameterError(
            f"from_dict: this config has __format__ {fmt}, written by a newer augkit "
            f"({transform_dict.get('__version__')}); this version reads up to {FORMAT}")
    body = transform_dict.get("transform", transform_dict)
    if not isinstance(body, Mapping) or _CLASS_KEY not in body:
        raise InvalidParameterError(
            f"from_dict: no {_CLASS_KEY!r} found; expected {{'transform': {{'{_CLASS_KEY}': ...}}}}")
    return _build(body, dict(nonserializable or {}), "transform", _registry())


def _registry() -> tuple[dict[str, type], dict[str, type]]:
    """Public augkit classes by short name; user subclasses by ``module.QualName``."""
    import augkit
    from augkit.core.compose import BaseCompose
    from augkit.core.transform import BasicTransform
    from augkit.transforms import compat

    public: dict[str, type] = {}
    for name in dir(augkit):
        obj = getattr(augkit, name)
        if isinstance(obj, type) and issubclass(obj, (BasicTransform, BaseCompose, compat.RemovedTransform)):
            public[name] = obj
    users: dict[str, type] = {}
    stack = [BasicTransform, BaseCompose]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            stack.append(sub)
            if not sub.__module__.startswith("augkit."):
                users[f"{sub.__module__}.{sub.__qualname__}"] = sub
    return public, users


def _lookup(name: Any, where: str, registry) -> type:
    if not isinstance(name, str):
        raise InvalidParameterError(f"from_dict: {where}: {_CLASS_KEY} must be a string, got {name!r}")
    public, users = registry
    if name in public:
        return public[name]
    if name in users:
        return users[name]
    # Albumentations 0.x wrote full paths ("albumentations.augmentations.transforms.Blur",
    # "albumentations.imgaug.transforms.IAAAffine"); ours may be written in full too
    if name.startswith(("albumentations.", "augkit.")):
        short = name.rsplit(".", 1)[-1]
        if short in public:
            return public[short]
    close = difflib.get_close_matches(name.rsplit(".", 1)[-1], list(public), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise InvalidParameterError(
        f"from_dict: {where}: unknown transform {name!r}{hint} (a custom transform must be "
        f"defined, i.e. its module imported, before loading)")


def _build(d: Mapping[str, Any], named: dict[str, Any], where: str, registry) -> Any:
    from augkit.core.compose import BaseCompose
    from augkit.core.transform import BasicTransform

    if not isinstance(d, Mapping) or _CLASS_KEY not in d:
        raise InvalidParameterError(f"from_dict: {where}: expected a dict with {_CLASS_KEY!r}, got {d!r}")
    name = d[_CLASS_KEY]
    if "__name__" in d or (isinstance(name, str) and name.rsplit(".", 1)[-1] == "Lambda"):
        key = d.get("__name__")
        if key not in named:
            raise InvalidParameterError(
                f"from_dict: {where}: the Lambda {key!r} holds functions that were not saved; "
                f"pass the transform: from_dict(..., nonserializable={{{key!r}: Lambda(...)}})")
        obj = named[key]
        if not isinstance(obj, (BasicTransform, BaseCompose)):
            raise InvalidParameterError(f"from_dict: nonserializable[{key!r}] must be a transform "
                                        f"(the Lambda), got {type(obj).__name__}")
        return obj
    cls = _lookup(name, where, registry)
    short = name.rsplit(".", 1)[-1]
    args: dict[str, Any] = {}
    for key, value in d.items():
        if key == _CLASS_KEY or key in _ALBUMENTATIONS_DERIVED.get(short, ()):
            continue
        if key == "always_apply" and not value:
            continue  # 1.x configs record always_apply=False everywhere: the default
        args[key] = value
    if issubclass(cls, BaseCompose):
        children = args.pop("transforms", [])
        if not isinstance(children, list):
            raise InvalidParameterError(f"from_dict: {where}.transforms must be a list, got {children!r}")
        args = {k: _decode(v, named, f"{where}.{k}", tuples=k not in ("bbox_params", "keypoint_params"))
                for k, v in args.items()}
        built = [_build(c, named, f"{where}.transforms[{i}]", registry) for i, c in enumerate(children)]
        return cls(transforms=built, **args)
    args = {k: _decode(v, named, f"{where}.{k}", tuples=True) for k, v in args.items()}
    return cls(**args)


def _decode(value: Any, named: dict[str, Any], where: str, tuples: bool) -> Any:
    if isinstance(value, list):
        items = [_decode(v, named, where, tuples) for v in value]
        return tuple(items) if tuples else items
    if isinstance(value, Mapping):
        if _ARRAY_KEY in value:
            try:
                arr = np.array(value[_ARRAY_KEY], dtype=np.dtype(value["dtype"]))
                return arr.reshape(value.get("shape", arr.shape))
            except (TypeError, ValueError, KeyError) as e:
                raise InvalidParameterError(f"from_dict: {where}: bad array ({e})") from None
        if _LIST_KEY in value:
            return [_decode(v, named, where, tuples) for v in value[_LIST_KEY]]
        if _NAMED_KEY in value:
            key = value[_NAMED_KEY]
            if key not in named:
                raise InvalidParameterError(
                    f"from_dict: {where}: the object {key!r} was saved by name; pass it: "
                    f"from_dict(..., nonserializable={{{key!r}: obj}})")
            return named[key]
        return {k: _decode(v, named, where, tuples) for k, v in value.items()}
    return value


# ---------------------------------------------------------------------------------------
# files
# ---------------------------------------------------------------------------------------
_FORMATS = ("json", "yaml")


def _format_of(path: Any, data_format: str | None, func: str) -> str:
    if data_format is None:
        suffix = Path(path).suffix.lower() if isinstance(path, (str, Path)) else ""
        return "yaml" if suffix in (".yaml", ".yml") else "json"
    if data_format not in _FORMATS:
        raise InvalidParameterError(f"{func}(data_format={data_format!r}): data_format must be "
                                    f"'json', 'yaml' or None (from the file extension)")
    return data_format


def _yaml(func: str):
    try:
        import yaml
    except ImportError:
        raise ImportError(f"augkit.{func}(..., data_format='yaml') needs PyYAML: "
                          f"pip install 'augkit[yaml]' (or use JSON)") from None
    return yaml


def save(transform: Any, filepath_or_buffer: Any, data_format: str | None = None,
         nonserializable: Mapping[str, Any] | None = None) -> None:
    """Write a transform or pipeline to a JSON or YAML file (or an open text stream).

    ``data_format`` is ``"json"``, ``"yaml"``, or ``None``: YAML for a ``.yaml``/``.yml``
    path, else JSON.
    """
    fmt = _format_of(filepath_or_buffer, data_format, "save")
    d = to_dict(transform, nonserializable)
    if fmt == "yaml":
        text = _yaml("save").safe_dump(d, sort_keys=False, default_flow_style=None)
    else:
        text = json.dumps(d, indent=2) + "\n"
    if isinstance(filepath_or_buffer, (str, Path)):
        Path(filepath_or_buffer).write_text(text, encoding="utf-8")
    else:
        filepath_or_buffer.write(text)


def load(filepath_or_buffer: Any, data_format: str | None = None,
         nonserializable: Mapping[str, Any] | None = None) -> Any:
    """Read a pipeline written by :func:`save` (or by Albumentations' ``save``).

    ``data_format`` is ``"json"``, ``"yaml"``, or ``None``: YAML for a ``.yaml``/``.yml``
    path, else JSON.
    """
    fmt = _format_of(filepath_or_buffer, data_format, "load")
    if isinstance(filepath_or_buffer, (str, Path)):
        text = Path(filepath_or_buffer).read_text(encoding="utf-8")
    elif hasattr(filepath_or_buffer, "read"):
        text = filepath_or_buffer.read()
    else:
        raise InvalidParameterError(f"load: expected a path or a text stream, got "
                                    f"{type(filepath_or_buffer).__name__}")
    if fmt == "yaml":
        d = _yaml("load").safe_load(text)
    else:
        d = json.loads(text)
    return from_dict(d, nonserializable)
