"""Base classes of every transform.

A transform validates its arguments in ``__init__``, draws its random parameters from
the generator the pipeline hands it (:meth:`BasicTransform.sample`), and then either

* changes pixel values (:class:`ImageOnlyTransform`: :meth:`~ImageOnlyTransform.apply`,
  optionally :meth:`~ImageOnlyTransform.get_lut` for uint8 lookup-table fusion), or
* describes where output pixels come from (:class:`SpatialTransform`:
  :meth:`~SpatialTransform.get_warp`); the engine applies that warp to every target.

Subclasses written for Albumentations (overriding ``apply``, ``apply_to_mask``,
``apply_to_bboxes``, ``apply_to_keypoints``, ``get_params``,
``get_params_dependent_on_data``) run unchanged as steps that are not fused.

>>> import numpy as np, augkit as A
>>> class AddOne(A.ImageOnlyTransform):
...     def apply(self, img, **params):
...         return img + 1
>>> AddOne(p=1.0)(image=np.zeros((2, 2), np.uint8))["image"].tolist()
[[1, 1], [1, 1]]
"""

from __future__ import annotations

import difflib
import functools
import inspect
import random
import threading
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from augkit.core.convert import foreign_inputs, restore_outputs
from augkit.core.params import check_prob, draw_with_probability, is_number
from augkit.errors import InvalidParameterError, TargetError

if TYPE_CHECKING:  # pragma: no cover
    from augkit.core.state import State
    from augkit.geometry.warp import Warp

_OWN_INIT_ARGS = "_init_args"
_SOLO_LOCK = threading.Lock()  # guards the lazy creation of a transform's own pipeline
_DTYPE_SETS: dict[tuple[str, ...], frozenset] = {}  # dtype.name is slow; compare dtype objects


def _wrap_init(init, cls):
    """Check keyword names, translate ``always_apply`` and record the init arguments."""
    sig = inspect.signature(init)
    params = list(sig.parameters.values())[1:]
    var_kw = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params)
    names = [p.name for p in params
             if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)]

    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        outer = _OWN_INIT_ARGS not in self.__dict__
        if outer:
            self.__dict__[_OWN_INIT_ARGS] = {}
            legacy_args = getattr(cls, "_legacy_args", None)
            if legacy_args is not None and args:  # a 1.x positional order (transforms/compat.py)
                args, kwargs = legacy_args(args, kwargs)
        always_apply = None
        if "always_apply" in kwargs and "always_apply" not in names and not var_kw:
            always_apply = kwargs.pop("always_apply")
            warnings.warn(f"{cls.__name__}: always_apply is deprecated; use p=1.0 instead",
                          DeprecationWarning, stacklevel=2)
        legacy = getattr(cls, "_legacy_kwargs", None)
        if legacy is not None and outer:
            kwargs = legacy(kwargs)
        if not var_kw:
            unknown = [k for k in kwargs if k not in names]
            if unknown and outer:
                # 1.x argument names (value=, mask_value=, mode=, ...): mapped with a warning;
                # imported here, off the common path
                from augkit.transforms.compat import translate_unknown
                kwargs = translate_unknown(cls, names, kwargs)
                unknown = [k for k in kwargs if k not in names]
            if unknown:
                k = unknown[0]
                close = difflib.get_close_matches(k, names, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise InvalidParameterError(
                    f"{cls.__name__}({k}={kwargs[k]!r}): unknown argument {k!r}{hint} "
                    f"Accepted: {', '.join(names)}")
        init(self, *args, **kwargs)
        if outer:
            try:
                bound = sig.bind(self, *args, **kwargs)
                bound.apply_defaults()
                recorded = {k: v for k, v in list(bound.arguments.items())[1:]
                            if sig.parameters[k].kind not in (inspect.Parameter.VAR_POSITIONAL,
                                                              inspect.Parameter.VAR_KEYWORD)}
            except TypeError:
                recorded = {}
            recorded.pop("always_apply", None)
            if "p" in recorded:
                recorded["p"] = self.p
            self.__dict__[_OWN_INIT_ARGS] = recorded
            if always_apply:
                self.p = 1.0
                recorded["p"] = 1.0

    __init__.__signature__ = sig
    return __init__


def _wrap_sample(sample):
    """Let a recording or replaying call see (or supply) the parameters ``sample`` returns.
    Off the record the cost is one attribute read (``state.applied`` is None)."""
    if getattr(sample, "_records_params", False):
        return sample

    @functools.wraps(sample)
    def wrapped(self, rng, state):
        rec = getattr(state, "applied", None)
        if rec is None:
            return sample(self, rng, state)
        return rec.sample(self, sample, rng, state)

    wrapped._records_params = True
    return wrapped


class _LazyPyRandom:
    """A ``random.Random`` seeded from the pipeline generator only when first used."""

    def __init__(self, rng: np.random.Generator):
        self._rng = rng
        self._py: random.Random | None = None

    def __getattr__(self, name):
        if name.startswith("__") or name in ("_rng", "_py"):
            # unpickling looks up hooks before ``__init__`` ran: do not recurse
            raise AttributeError(name)
        if self._py is None:
            self._py = random.Random(int(self._rng.integers(0, 2**63)))
        return getattr(self._py, name)


class BasicTransform:
    """Root of every transform: a probability ``p`` and the engine hooks.

    Args:
        p: probability of applying the transform, in [0, 1].
    """

    #: "pixel" for transforms that change image values only, "spatial" for the others.
    kind: str = "pixel"
    #: target kinds the transform acts on (for documentation and ``augkit list``).
    targets: tuple[str, ...] = ("image",)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "__init__" in cls.__dict__:
            cls.__init__ = _wrap_init(cls.__dict__["__init__"], cls)
        if "sample" in cls.__dict__:
            cls.sample = _wrap_sample(cls.__dict__["sample"])

    def __init__(self, p: float = 0.5, always_apply: bool | None = None):
        # Albumentations 1.x subclasses call super().__init__(always_apply, p) positionally.
        if isinstance(p, bool) and is_number(always_apply):
            p, always_apply = float(always_apply), p
        if always_apply is not None:
            warnings.warn(f"{type(self).__name__}: always_apply is deprecated; use p=1.0 instead",
                          DeprecationWarning, stacklevel=3)
        self.p = check_prob(type(self).__name__, p)
        if always_apply:
            self.p = 1.0
        self._solo = None

    # -- randomness -------------------------------------------------------------------
    def should_apply(self, rng: np.random.Generator) -> bool:
        return draw_with_probability(self.p, rng)

    def sample(self, rng: np.random.Generator, state: State) -> dict[str, Any]:
        """Draw this call's parameters. Built-in transforms override this.

        The default runs the Albumentations-style hooks ``get_params`` and
        ``get_params_dependent_on_data`` with ``self.random_generator`` and
        ``self.py_random`` bound to the pipeline's generator.
        """
        self._per_thread()[threading.get_ident()] = (rng, _LazyPyRandom(rng))
        params = dict(self.get_params() or {})
        params["shape"] = state.shape_with_channels()
        if type(self).get_params_dependent_on_data is not BasicTransform.get_params_dependent_on_data:
            params.update(self.get_params_dependent_on_data(params, state.legacy_data()) or {})
        return params

    # ``random_generator`` and ``py_random`` (what Albumentations-style hooks draw from) are
    # per thread: a transform shared by pipelines running in several threads must not
    # hand one call's generator to another.
    def _per_thread(self) -> dict[int, tuple]:
        per = self.__dict__.get("_thread_rngs")
        if per is None:
            per = self.__dict__.setdefault("_thread_rngs", {})
        return per

    def _thread_rngs_now(self) -> tuple:
        key = threading.get_ident()
        per = self._per_thread()
        pair = per.get(key)
        if pair is None:  # outside a call: a generator of its own, as Albumentations has
            rng = np.random.default_rng()
            pair = per[key] = (rng, _LazyPyRandom(rng))
        return pair

    @property
    def random_generator(self) -> np.random.Generator:
        return self._thread_rngs_now()[0]

    @random_generator.setter
    def random_generator(self, rng: np.random.Generator) -> None:
        self._per_thread()[threading.get_ident()] = (rng, _LazyPyRandom(rng))

    @property
    def py_random(self) -> Any:
        return self._thread_rngs_now()[1]

    @py_random.setter
    def py_random(self, value: Any) -> None:
        self._per_thread()[threading.get_ident()] = (self.random_generator, value)

    def get_params(self) -> dict[str, Any]:
        return {}

    def get_params_dependent_on_data(self, params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        return {}

    @property
    def targets_as_params(self) -> list[str]:
        return []

    # -- engine -----------------------------------------------------------------------
    def run(self, state: State, rng: np.random.Generator, force: bool = False) -> None:
        """Apply to a pipeline state (called by compositions)."""
        if force or self.should_apply(rng):
            rec = state.applied
            if rec is None:
                self.apply_to_state(state, rng)
            else:  # a call recorded for save_applied_params / ReplayCompose
                rec.run(self, state, rng)

    def apply_to_state(self, state: State, rng: np.random.Generator) -> None:  # pragma: no cover
        # abstract: ImageOnlyTransform, DualTransform and SpatialTransform implement it
        raise NotImplementedError(f"{type(self).__name__} must implement apply_to_state()")

    # -- standalone use -----------------------------------------------------------------
    def __call__(self, *args, force_apply: bool = False, seed: int | None = None, **data):
        """Apply on its own; ``seed`` (reserved keyword) seeds this call only."""
        if len(data) == 1 and seed is None and not args:
            img = data.get("image")
            if type(img) is np.ndarray:  # transform(image=img): the shortest way through
                solo = self._solo  # (not ``self._solo or ...``: that would call len() on it)
                if solo is None:
                    solo = self._own_pipeline()
                return solo._call_lone(self, img, force_apply)
        if args:
            raise TargetError(f"{type(self).__name__}: pass targets by keyword, "
                              f"e.g. transform(image=img), not positionally")
        back = foreign_inputs(data, {})  # PIL/torch in: None for numpy
        out = self._own_pipeline()._call(data, force_children=force_apply, seed=seed)
        return out if back is None else restore_outputs(out, back)

    def _own_pipeline(self):
        solo = self._solo
        if solo is None:
            with _SOLO_LOCK:  # two threads calling a fresh transform build one pipeline
                solo = self._solo
                if solo is None:
                    from augkit.core.compose import Compose, _lone_lane
                    solo = Compose([self], p=1.0)
                    solo._lane = _lone_lane(self)  # see Compose._call_lone
                    self._solo = solo
        return solo

    def set_random_seed(self, seed: int | None) -> None:
        """Seed the generator used when this transform is called on its own."""
        self._own_pipeline().set_random_seed(seed)

    # -- introspection ----------------------------------------------------------------
    def get_transform_init_args_names(self) -> tuple[str, ...]:
        return tuple(k for k in self.__dict__.get(_OWN_INIT_ARGS, {}) if k != "p")

    def get_transform_init_args(self) -> dict[str, Any]:
        recorded = self.__dict__.get(_OWN_INIT_ARGS, {})
        out = {k: recorded[k] for k in recorded if k != "p"}
        for name in self.get_transform_init_args_names():
            if name not in out and hasattr(self, name):
                out[name] = getattr(self, name)
        return out

    def to_dict(self, nonserializable: dict[str, Any] | None = None) -> dict[str, Any]:
        """This transform as a dict of plain values: see :func:`augkit.to_dict`."""
        from augkit.core.serialization import to_dict
        return to_dict(self, nonserializable)

    def __repr__(self) -> str:
        args = self.get_transform_init_args()
        body = ", ".join(f"{k}={v!r}" for k, v in args.items())
        sep = ", " if body else ""
        return f"{type(self).__name__}({body}{sep}p={self.p})"


BasicTransform.sample = _wrap_sample(BasicTransform.sample)  # Albumentations-style subclasses


class ImageOnlyTransform(BasicTransform):
    """A pixel-level transform: changes image values, leaves every other target alone.

    Override :meth:`apply` (and :meth:`sample` or ``get_params``). uint8 transforms that
    are a per-channel lookup table also override :meth:`get_lut`, so that consecutive ones
    are fused into one table.
    """

    kind = "pixel"
    targets = ("image",)
    #: dtypes the transform accepts (checked at call time).
    supported_dtypes: tuple[str, ...] = ("uint8", "uint16", "float32")
    #: on uint8, when this is the only table pending, ``apply`` is faster than the lookup.
    apply_beats_lut: bool = False

    def apply(self, img: np.ndarray, **params) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError(f"{type(self).__name__} must implement apply()")

    def get_lut(self, params: dict[str, Any], num_channels: int) -> np.ndarray | None:
        """A uint8 lookup table equivalent to :meth:`apply`, shape (256,) or (256, C); or None."""
        return None

    get_lut.no_table = True  # not overridden: the engine need not ask

    def check_image(self, img: np.ndarray) -> None:
        """Raise a clear error when the transform cannot handle this image."""
        allowed = _DTYPE_SETS.get(self.supported_dtypes)
        if allowed is None:
            allowed = _DTYPE_SETS[self.supported_dtypes] = frozenset(np.dtype(d) for d in self.supported_dtypes)
        if img.dtype not in allowed:
            from augkit.errors import UnsupportedInputError
            raise UnsupportedInputError(
                f"{type(self).__name__}: image dtype {img.dtype} is not supported; "
                f"accepted: {', '.join(self.supported_dtypes)}")

    def apply_to_state(self, state: State, rng: np.random.Generator) -> None:
        state.apply_pixel_transform(self, rng)


class DualTransform(BasicTransform):
    """A transform that changes image and annotations together (Albumentations style).

    Override ``apply`` and the ``apply_to_*`` hooks you need. Bounding boxes reach
    :meth:`apply_to_bboxes` as an ``(N, 4 + k)`` float array of normalized
    ``x_min, y_min, x_max, y_max`` (the "albumentations" format); keypoints reach
    :meth:`apply_to_keypoints` as ``(N, 4 + k)`` ``x, y, angle (radians), scale`` in pixels.
    Such a step is applied on its own (it is not fused with its neighbours).
    """

    kind = "spatial"
    targets = ("image", "mask", "masks", "bboxes", "keypoints")

    def apply(self, img: np.ndarray, **params) -> np.ndarray:
        return img

    def apply_to_mask(self, mask: np.ndarray, **params) -> np.ndarray:
        return self.apply(mask, **params)

    def apply_to_masks(self, masks, **params):
        return [self.apply_to_mask(m, **params) for m in masks]

    def apply_to_bboxes(self, bboxes: np.ndarray, **params) -> np.ndarray:
        return bboxes

    def apply_to_keypoints(self, keypoints: np.ndarray, **params) -> np.ndarray:
        return keypoints

    def apply_to_state(self, state: State, rng: np.random.Generator) -> None:
        state.apply_dual_transform(self, rng)


class SpatialTransform(DualTransform):
    """A built-in spatial transform: returns a warp, the engine applies it to all targets.

    Override :meth:`sample` and :meth:`get_warp`.
    """

    def get_warp(self, params: dict[str, Any], state: State) -> Warp:  # pragma: no cover
        # abstract: every built-in spatial transform returns its warp here
        raise NotImplementedError(f"{type(self).__name__} must implement get_warp()")

    def direct_image(self, img: np.ndarray, params: dict[str, Any]) -> np.ndarray | None:
        """This step's result on ``img`` when it is the only geometry of the call (nothing
        pending before it, no spatial step after it, no masks or annotations), computed
        without building a :class:`~augkit.geometry.warp.Warp`; None to go through the engine.

        Flips, crops, pads and resizes implement it: on their own their kernels take a few
        microseconds, about what the fusion bookkeeping costs. It must equal what the
        engine makes of :meth:`get_warp` exactly (tests/test_direct_steps.py checks)."""
        return None

    def apply_to_state(self, state: State, rng: np.random.Generator) -> None:
        params = self.sample(rng, state)
        if params is None:  # the transform decided there is nothing to do
            return
        if (state.last_spatial or state.flips_follow) and state.plain and not state.image_seg.steps \
                and state.applied is None:
            if state.lut is not None:  # a pending table applies before the step, as fused
                state.materialize_images()
            out = self.direct_image(state.images["image"], params)
            if out is not None:
                state.images["image"] = out
                state.shape = out.shape[:2]
                state.image_seg.reset(state.shape)  # a later warp starts from this frame
                return
        warp = self.get_warp(params, state)
        kp = state.keypoint_params
        if kp is not None and kp.label_mapping:
            state.note_mirror(type(self).__name__, warp)
        state.push_warp(warp)


class NoOp(DualTransform):
    """Does nothing; useful as a placeholder inside OneOf.

    >>> import numpy as np, augkit as A
    >>> int(A.NoOp()(image=np.ones((2, 2), np.uint8))["image"].sum())
    4
    """

    def __init__(self, p: float = 0.5):
        super().__init__(p=p)

    def apply_to_state(self, state: State, rng: np.random.Generator) -> None:
        return None
