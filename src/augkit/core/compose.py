"""Compositions: Compose and the blocks that choose which transforms run.

``Compose`` owns the random generator and the annotation formats. Blocks nest freely;
inside ``OneOf``/``SomeOf``/``RandomOrder`` the children's ``p`` are selection weights.

>>> import numpy as np, augkit as A
>>> pipe = A.Compose([A.HorizontalFlip(p=1.0), A.OneOf([A.VerticalFlip(), A.Transpose()], p=0.0)], seed=7)
>>> pipe(image=np.arange(6, dtype=np.uint8).reshape(2, 3))["image"].tolist()
[[2, 1, 0], [5, 4, 3]]
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from augkit.core.convert import foreign_inputs, restore_outputs
from augkit.core.params import check_number, check_prob, draw_with_probability, fail
from augkit.core.state import State, check_image, check_mask
from augkit.core.targets import Rows, make_bbox_params, make_keypoint_params
from augkit.core.transform import (
    BasicTransform,
    DualTransform,
    ImageOnlyTransform,
    NoOp,
    SpatialTransform,
)
from augkit.errors import InvalidParameterError, TargetError

TARGET_KINDS = ("image", "mask", "masks")
_BUILTIN_KINDS = {"image": "image", "mask": "mask", "masks": "masks"}


class BaseCompose:
    """A list of transforms applied as a block with probability ``p``."""

    def __init__(self, transforms: Sequence[Any], p: float = 1.0):
        name = type(self).__name__
        if isinstance(transforms, (BasicTransform, BaseCompose)):
            transforms = [transforms]
        if not isinstance(transforms, Sequence) or isinstance(transforms, str):
            raise fail(name, "transforms", transforms, "transforms must be a list of transforms")
        for i, t in enumerate(transforms):
            if not isinstance(t, (BasicTransform, BaseCompose)):
                raise InvalidParameterError(
                    f"{name}(transforms[{i}]={t!r}): expected an augkit transform or composition")
        self.transforms = list(transforms)
        self.p = check_prob(name, p)

    def should_apply(self, rng: np.random.Generator) -> bool:
        return draw_with_probability(self.p, rng)

    def run(self, state: State, rng: np.random.Generator, force: bool = False) -> None:
        if force or self.should_apply(rng):
            self.run_children(state, rng)

    def run_children(self, state: State, rng: np.random.Generator) -> None:
        _run_in_order(self.transforms, self._tails(), state, rng)

    def _tails(self) -> list[tuple[bool, bool]]:
        """For each child: whether only pixel-level steps can follow it in this block, and
        whether only pixel-level steps and whole-frame flips can.

        A spatial step followed by no other (and with nothing pending) is applied at once,
        skipping the fusion bookkeeping (see ``SpatialTransform.direct_image``); so is one
        followed only by flips, which the engine would apply exactly as a flip of its
        result anyway. Cached against the list of children and of nested blocks'
        children, which users may edit."""
        cached = self.__dict__.get("_tail")
        key = _structure(self.transforms)
        if cached is None or cached[0] != key:
            tail, pixel_after, flips_after = [], True, True
            for t in reversed(self.transforms):
                tail.append((pixel_after, flips_after))
                pixel_after = pixel_after and _pixel_only(t)
                flips_after = flips_after and _pixel_or_flips(t)
            cached = self._tail = (key, tail[::-1])
        return cached[1]

    def __len__(self) -> int:
        return len(self.transforms)

    def __getitem__(self, i):
        return self.transforms[i]

    def __iter__(self):
        return iter(self.transforms)

    def to_dict(self, nonserializable: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """This pipeline as a dict of plain values: see :func:`augkit.to_dict`."""
        from augkit.core.serialization import to_dict
        return to_dict(self, nonserializable)

    def __repr__(self) -> str:
        inner = ",\n".join("  " + repr(t).replace("\n", "\n  ") for t in self.transforms)
        return f"{type(self).__name__}([\n{inner}\n], p={self.p})"

    def _weights(self) -> np.ndarray:
        w = np.array([t.p for t in self.transforms], dtype=np.float64)
        total = w.sum()
        return w / total if total > 0 else w


class Compose(BaseCompose):
    """Run transforms in order on every target given by keyword; returns a dict.

    Args:
        transforms: the steps.
        bbox_params: :class:`BboxParams` (or a dict of its arguments) when boxes are passed.
        keypoint_params: :class:`KeypointParams` (or a dict) when keypoints are passed.
        additional_targets: extra names and the kind they are treated as, e.g.
            ``{"image2": "image", "depth": "mask"}``; they get the same random parameters.
        p: probability of running the pipeline at all.
        is_check_shapes: check that images and masks share height and width.
        strict: reject unknown keyword targets instead of passing them through unchanged.
        mask_interpolation: if set, overrides every step's mask interpolation.
        seed: seed of the pipeline's generator; the same seed and inputs give the same
            outputs on any machine. ``None`` draws fresh entropy. A call may also pass its
            own seed, ``pipeline(image=img, seed=123)``: that call draws from a fresh
            generator seeded with it (the same draws as the first call of
            ``Compose(..., seed=123)``) and leaves the pipeline's generator alone, so the
            keyword ``seed`` is reserved and never a target.
        save_applied_params: also return ``result["applied_params"]`` (and, as
            Albumentations names it, ``result["applied_transforms"]``, the same list):
            ``(transform name, params)`` of every step that ran, in order, JSON-friendly;
            :func:`augkit.inverse` maps annotations back through it.
        fuse: apply consecutive spatial steps as one warp (default). ``False`` applies each
            step on its own, to reproduce step-by-step results.

    >>> import numpy as np, augkit as A
    >>> pipe = A.Compose([A.RandomCrop(height=2, width=2), A.HorizontalFlip(p=1.0)],
    ...                  bbox_params=A.BboxParams(format="pascal_voc", label_fields=["labels"]),
    ...                  seed=0)
    >>> out = pipe(image=np.zeros((4, 4, 3), np.uint8), bboxes=[(0, 0, 4, 4)], labels=["all"])
    >>> out["image"].shape, out["bboxes"], out["labels"]
    ((2, 2, 3), [(0.0, 0.0, 2.0, 2.0)], ['all'])
    """

    #: the engine's path for the only step of a transform's own pipeline (see _call_lone)
    _lane: Any = None

    def __init__(self, transforms: Sequence[Any], bbox_params: Any = None,
                 keypoint_params: Any = None, additional_targets: Mapping[str, str] | None = None,
                 p: float = 1.0, is_check_shapes: bool = True, strict: bool = False,
                 mask_interpolation: int | None = None, seed: int | None = None,
                 save_applied_params: bool = False, fuse: bool = True):
        super().__init__(transforms, p)
        self.bbox_params = make_bbox_params(bbox_params)
        self.keypoint_params = make_keypoint_params(keypoint_params)
        self.additional_targets: dict[str, str] = {}
        if additional_targets:
            self.add_targets(additional_targets)
        self.is_check_shapes = bool(is_check_shapes)
        self.strict = bool(strict)
        if mask_interpolation is not None:
            from augkit.core.params import check_interpolation
            check_interpolation("Compose", "mask_interpolation", mask_interpolation)
        self.mask_interpolation = mask_interpolation
        self.save_applied_params = bool(save_applied_params)
        self.fuse = bool(fuse)
        self.seed = seed
        self._rng = np.random.default_rng(seed)
        self._worker_key: Any = None
        self._init_locks()

    def _init_locks(self) -> None:
        # ``_busy`` is held by the call drawing from the shared generator (numpy generators
        # must not be used by two threads at once); a call that finds it taken draws from a
        # generator of its own, spawned under ``_spawn_lock``. Uncontended cost: one
        # non-blocking acquire and a release, ~0.1 us (see tests/test_threads.py).
        self._busy = threading.Lock()
        self._spawn_lock = threading.Lock()
        self._spawner = np.random.SeedSequence(self.seed)

    def __getstate__(self) -> dict[str, Any]:
        # locks do not pickle (spawned DataLoader workers receive the pipeline pickled)
        d = dict(self.__dict__)
        for k in ("_busy", "_spawn_lock", "_spawner", "_tail"):
            d.pop(k, None)
        return d

    def __setstate__(self, d: dict[str, Any]) -> None:
        self.__dict__.update(d)
        self._init_locks()

    def _declared_keys(self) -> set[str]:
        """Call arguments that transforms read as metadata (their ``targets_as_params``)."""
        keys: set[str] = set()
        stack = list(self.transforms)
        while stack:
            t = stack.pop()
            if isinstance(t, BaseCompose):
                stack.extend(t.transforms)
            else:
                keys.update(getattr(t, "targets_as_params", None) or [])
        return keys

    def add_targets(self, additional_targets: Mapping[str, str]) -> None:
        for name, kind in additional_targets.items():
            if kind not in TARGET_KINDS:
                raise fail("Compose", "additional_targets", dict(additional_targets),
                           f"the kind of {name!r} must be one of {', '.join(TARGET_KINDS)}, got {kind!r}")
            if name in ("image", "mask", "masks", "bboxes", "keypoints"):
                raise fail("Compose", "additional_targets", dict(additional_targets),
                           f"{name!r} is already a target")
            self.additional_targets[name] = kind

    def set_random_seed(self, seed: int | None) -> None:
        """Reset the generator: the next calls repeat those after ``Compose(seed=seed)``."""
        with self._busy:
            self.seed = seed
            self._rng = np.random.default_rng(seed)
            self._worker_key = None
            self._spawner = np.random.SeedSequence(seed)

    def _generator(self) -> np.random.Generator:
        # Inside a PyTorch DataLoader worker every process holds a copy of this pipeline;
        # reseed it from the worker's seed so workers and epochs differ and runs repeat.
        torch = sys.modules.get("torch")
        if torch is not None:
            utils = getattr(torch, "utils", None)
            data = getattr(utils, "data", None) if utils is not None else None
            info = data.get_worker_info() if data is not None else None
            if info is not None:
                key = (os.getpid(), info.id, info.seed)
                if key != self._worker_key:
                    self._worker_key = key
                    base = 0 if self.seed is None else int(self.seed)
                    self._rng = np.random.default_rng([base, int(info.seed) % (2**63)])
        return self._rng

    def __call__(self, *args, force_apply: bool = False, seed: int | None = None,
                 **data) -> dict[str, Any]:
        if len(data) == 1 and seed is None and not args:
            img = data.get("image")
            if type(img) is np.ndarray:
                return self._call_image(img, force=force_apply)
        if args:
            raise TargetError("Compose: pass targets by keyword, e.g. pipeline(image=img)")
        back = foreign_inputs(data, self.additional_targets)  # PIL/torch in: None for numpy
        out = self._call(data, force=force_apply, seed=seed)
        return out if back is None else restore_outputs(out, back)

    def _call_lone(self, t: BasicTransform, img: np.ndarray, force: bool) -> dict[str, Any]:
        """``t(image=img)`` for a transform called by itself, this being its own one-step
        pipeline (``t._solo``; ``_lane`` set when it was made). The same draws and result
        as :meth:`_call_image`, with one layer of calls less (~0.8 us: a crop of a 512x512
        image takes ~20 us in all)."""
        lane = self._lane
        if lane is None or self.save_applied_params or self._records or not self._busy.acquire(False):
            return self._call_image(img, False, force)
        try:
            img = check_image("image", img)
            rng = self._generator()
            p = t.p
            if force or p >= 1.0 or draw_with_probability(p, rng):
                return lane(State.of_image(img), t, rng)
            return {"image": img}
        finally:
            self._busy.release()

    def _call_image(self, img: Any, force: bool = False, force_children: bool = False) -> dict[str, Any]:
        """``pipeline(image=img)`` with a numpy image: the commonest call, kept short (no
        labels, masks or metadata to sort; ~1 us of bookkeeping in all, about what
        Albumentations spends on a transform called on its own)."""
        if self.save_applied_params or self._records or self.additional_targets \
                or not self._busy.acquire(False):
            # recorded calls, renamed targets, or another thread drawing from the shared
            # generator right now: the general path
            return self._call({"image": img}, force, force_children)
        try:
            state = State.of_image(check_image("image", img))
            rng = self._generator()
            if force or self.p >= 1.0 or self.should_apply(rng):
                transforms = self.transforms
                if len(transforms) == 1:
                    t = transforms[0]
                    lane = _lone_lane(t)
                    if lane is None:
                        state.last_spatial = True
                        state.alone = isinstance(t, ImageOnlyTransform)  # no table to fuse with
                        t.run(state, rng, force=force_children)
                    elif force_children or t.p >= 1.0 or draw_with_probability(t.p, rng):
                        # a built-in step on its own: the engine's path for it without the
                        # hooks between (~1-2 us less)
                        return lane(state, t, rng)
                elif force_children:
                    for t in transforms:
                        t.run(state, rng, force=True)
                else:
                    state.last_spatial = True  # nothing follows the call's own Compose
                    self.run_children(state, rng)
        finally:
            self._busy.release()
        out = state.outputs()
        if state.extra:  # output keys transforms add (MixUp's weight)
            out.update(state.extra)
        return out

    def _call(self, data: dict[str, Any], force: bool = False, force_children: bool = False,
              seed: Any = None) -> dict[str, Any]:
        if len(data) == 1 and "image" in data and "image" not in self.additional_targets:
            # the commonest call, pipeline(image=img): no labels, masks or metadata to sort
            state = State.of_image(check_image("image", data["image"]))
        else:
            state = self._make_state(data)[0]
        if self.mask_interpolation is not None:
            state.mask_interpolation = self.mask_interpolation
        rec = None
        if self.save_applied_params or self._records:
            from augkit.core.replay import Recorder
            rec = Recorder()
            rec.attach(state)
        held = False
        if seed is not None:
            rng = _call_generator(type(self).__name__, seed)
        elif self._busy.acquire(blocking=False):
            held = True
            rng = self._generator()
        else:
            # another thread is drawing from the shared generator right now
            with self._spawn_lock:
                child = self._spawner.spawn(1)[0]
            rng = np.random.default_rng(child)
        try:
            if force or self.p >= 1.0 or self.should_apply(rng):
                if force_children:
                    state.last_spatial = len(self.transforms) == 1
                    state.alone = state.last_spatial and isinstance(self.transforms[0], ImageOnlyTransform)
                    for t in self.transforms:
                        t.run(state, rng, force=True)
                else:
                    state.last_spatial = True  # nothing follows the call's own Compose
                    # one pixel step: no table to fuse with
                    state.alone = len(self.transforms) == 1 and isinstance(self.transforms[0], ImageOnlyTransform)
                    self.run_children(state, rng)
        finally:
            if held:
                self._busy.release()
        out = state.outputs()
        if state.extra:
            # pass-through call arguments, and output keys transforms add (MixUp's weight)
            out.update(state.extra)
        if rec is not None:
            self._finish_record(out, rec, state.input_shape)
        return out

    #: whether every call is recorded (ReplayCompose), besides ``save_applied_params``
    _records = False

    def _finish_record(self, out: dict[str, Any], rec: Any, input_shape) -> None:
        if self.save_applied_params:
            from augkit.core.replay import applied_params
            out["applied_params"] = out["applied_transforms"] = applied_params(rec, input_shape)

    def run_children(self, state: State, rng: np.random.Generator) -> None:
        if not self.fuse:
            for t in self.transforms:
                state.last_spatial = True  # each step is applied on its own anyway
                t.run(state, rng)
                state.materialize_all()
            return
        # A Compose nested in another block is one step of it: what follows the block
        # (``state.last_spatial`` as the caller set it) still counts. The call's own
        # Compose starts from True (see _call_image and _call).
        _run_in_order(self.transforms, self._tails(), state, rng)

    # -- inputs -------------------------------------------------------------------------
    def _make_state(self, data: dict[str, Any]) -> tuple[State, dict[str, Any]]:
        images: dict[str, np.ndarray] = {}
        masks: dict[str, np.ndarray] = {}
        mask_lists: dict[str, Any] = {}
        passthrough: dict[str, Any] = {}
        label_names = set()
        if self.bbox_params is not None:
            label_names.update(self.bbox_params.label_fields)
        if self.keypoint_params is not None:
            label_names.update(self.keypoint_params.label_fields)
            if self.keypoint_params.visibility_field is not None:
                label_names.add(self.keypoint_params.visibility_field)
        kinds = self.additional_targets
        for key, value in data.items():
            kind = _BUILTIN_KINDS.get(key) or kinds.get(key)
            if kind == "image":
                images[key] = check_image(key, value)
            elif kind == "mask":
                masks[key] = check_mask(key, value)
            elif kind == "masks":
                mask_lists[key] = _check_masks(key, value)
            elif key in ("bboxes", "keypoints") or key in label_names:
                continue
            elif self.strict and key not in self._declared_keys():
                raise TargetError(f"Compose(strict=True): unknown target {key!r}; known targets: "
                                  f"image, mask, masks, bboxes, keypoints, label fields, "
                                  f"additional_targets {sorted(self.additional_targets)} and the "
                                  f"metadata keys the transforms read {sorted(self._declared_keys())}")
            else:
                passthrough[key] = value
        shape = self._shape(images, masks, mask_lists)
        bbox_rows = keypoint_rows = visibility = None
        labels: dict[str, Any] = {}
        if "bboxes" in data:
            if self.bbox_params is None:
                raise TargetError("Compose: bboxes were passed but the pipeline has no bbox_params; "
                                  "use Compose(..., bbox_params=BboxParams(format=...))")
            bbox_rows = Rows("bboxes", data["bboxes"], 4)
            labels.update(_labels(data, self.bbox_params.label_fields, len(bbox_rows), "bboxes"))
            bound = self.bbox_params.instance_masks
            if bound is not None:
                if bound not in mask_lists:
                    raise TargetError(f"BboxParams(instance_masks={bound!r}): pass the instance "
                                      f"masks as {bound}=[...] (a masks target), one per box")
                if len(mask_lists[bound]) != len(bbox_rows):
                    raise TargetError(f"BboxParams(instance_masks={bound!r}): {len(mask_lists[bound])} "
                                      f"masks for {len(bbox_rows)} boxes; give one mask per box")
        if "keypoints" in data:
            if self.keypoint_params is None:
                raise TargetError("Compose: keypoints were passed but the pipeline has no "
                                  "keypoint_params; use Compose(..., keypoint_params=KeypointParams(format=...))")
            keypoint_rows = Rows("keypoints", data["keypoints"], len(self.keypoint_params.format))
            labels.update(_labels(data, self.keypoint_params.label_fields, len(keypoint_rows), "keypoints"))
            vis_field = self.keypoint_params.visibility_field
            if vis_field is not None and vis_field in data:
                visibility = _labels(data, [vis_field], len(keypoint_rows), "keypoints")[vis_field]
        state = State(images=images, masks=masks, mask_lists=mask_lists, shape=shape,
                      bbox_params=self.bbox_params if bbox_rows is not None else None,
                      bboxes=bbox_rows,
                      keypoint_params=self.keypoint_params if keypoint_rows is not None else None,
                      keypoints=keypoint_rows, labels=labels)
        state.mask_interpolation = self.mask_interpolation
        if keypoint_rows is not None and (visibility is not None or self.keypoint_params.visibility_field):
            state.set_input_visibility(visibility, isinstance(data["keypoints"], np.ndarray))
        # call arguments that are not targets (e.g. Albumentations-style metadata such as
        # reference images): transforms may read them in sample(); they pass through
        state.extra = passthrough
        return state, passthrough

    def _shape(self, images, masks, mask_lists) -> tuple[int, int]:
        if len(images) == 1 and not masks and not mask_lists:  # the common case, fast
            h, w = next(iter(images.values())).shape[:2]
            return (int(h), int(w))
        shapes = [(k, v.shape[:2]) for k, v in images.items()]
        shapes += [(k, v.shape[:2]) for k, v in masks.items()]
        for k, lst in mask_lists.items():
            shapes += [(f"{k}[{i}]", m.shape[:2]) for i, m in enumerate(lst)]
        if not shapes:
            raise TargetError("Compose: pass at least one image or mask (keyword 'image' or 'mask'); "
                              "the pipeline needs it to know the frame size")
        first_name, first = shapes[0]
        if self.is_check_shapes:
            for name, s in shapes[1:]:
                if s != first:
                    raise TargetError(f"{name} has height and width {s}, but {first_name} has {first}; "
                                      f"all images and masks must share them (is_check_shapes=False to skip)")
        return (int(first[0]), int(first[1]))


def _structure(transforms: list) -> list:
    """The children, with each nested block's own children (what :func:`_pixel_only`
    reads): equal lists mean unchanged blocks."""
    return [(t, _structure(t.transforms)) if isinstance(t, BaseCompose) else t for t in transforms]


def _lone_lane(t: Any):
    """The engine's shortest path for ``t`` as the only step of a call, or None where its
    class changes how a step runs (``run``, ``should_apply`` or ``apply_to_state``)."""
    cls = type(t)
    lane = _LANES.get(cls, False)
    if lane is False:
        lane = None
        if cls.run is BasicTransform.run and cls.should_apply is BasicTransform.should_apply:
            if cls.apply_to_state is ImageOnlyTransform.apply_to_state:
                lane = State.pixel_step_alone
            elif cls.apply_to_state is SpatialTransform.apply_to_state:
                lane = State.spatial_step_alone
            elif cls.apply_to_state is NoOp.apply_to_state:
                lane = State.no_step
            elif cls.apply_to_state is DualTransform.apply_to_state:
                lane = State.dual_step_alone
        _LANES[cls] = lane
    return lane


_LANES: dict[type, Any] = {}


def _run_in_order(transforms: list, tails: list[tuple[bool, bool]], state: State,
                  rng: np.random.Generator) -> None:
    """Run a block's children in order, telling each what can follow it in the call (a block
    nested in another is one step of it: what follows the block still counts)."""
    outer = state.last_spatial
    outer_flips = outer or state.flips_follow
    for t, (pixel_after, flips_after) in zip(transforms, tails):
        state.last_spatial = outer and pixel_after
        state.flips_follow = outer_flips and flips_after
        t.run(state, rng)


def _pixel_or_flips(t: Any) -> bool:
    """Whether ``t`` changes pixel values only or mirrors the whole frame (a step of a class
    that declares ``whole_frame_flip`` itself, not by inheritance)."""
    if isinstance(t, BaseCompose):
        return all(_pixel_or_flips(c) for c in t.transforms)
    return isinstance(t, ImageOnlyTransform) or type(t).__dict__.get("whole_frame_flip", False)


def _pixel_only(t: Any) -> bool:
    """Whether ``t`` changes pixel values only (never moves anything)."""
    if isinstance(t, BaseCompose):
        return all(_pixel_only(c) for c in t.transforms)
    return isinstance(t, ImageOnlyTransform)


def _call_generator(name: str, seed: Any) -> np.random.Generator:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer, np.random.SeedSequence)) \
            or (not isinstance(seed, np.random.SeedSequence) and seed < 0):
        raise InvalidParameterError(f"{name}(seed={seed!r}): a per-call seed must be a "
                                    f"non-negative integer (or a numpy SeedSequence)")
    return np.random.default_rng(seed)


def _check_masks(name: str, value: Any):
    if isinstance(value, np.ndarray):
        if value.ndim not in (3, 4):
            raise TargetError(f"{name}: expected a list of masks or an (N, H, W) array, got shape {value.shape}")
        for i in range(len(value)):
            check_mask(f"{name}[{i}]", value[i])
        return value
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise TargetError(f"{name}: expected a list of masks or an (N, H, W) array, got {type(value).__name__}")
    return [check_mask(f"{name}[{i}]", m) for i, m in enumerate(value)]


def _labels(data, fields, n, target):
    out = {}
    for name in fields:
        if name not in data:
            raise TargetError(f"label field {name!r} (declared for {target}) is missing from the call")
        value = data[name]
        try:
            length = len(value)
        except TypeError:
            raise TargetError(f"label field {name!r}: expected one label per {target[:-1]}, got "
                              f"{type(value).__name__}") from None
        if length != n:
            raise TargetError(f"label field {name!r} has {length} labels but {n} {target} were given")
        out[name] = value
    return out


class OneOf(BaseCompose):
    """Apply exactly one of the transforms, chosen with weights proportional to their ``p``.

    >>> import augkit as A
    >>> block = A.OneOf([A.HorizontalFlip(p=0.25), A.VerticalFlip(p=0.75)], p=0.5)
    """

    def __init__(self, transforms: Sequence[Any], p: float = 0.5):
        super().__init__(transforms, p)

    def run_children(self, state: State, rng: np.random.Generator) -> None:
        w = self._weights()
        if not len(self.transforms) or w.sum() <= 0:
            return
        i = int(rng.choice(len(self.transforms), p=w))
        self.transforms[i].run(state, rng, force=True)


class SomeOf(BaseCompose):
    """Choose ``n`` of the transforms uniformly and apply them in order, each with its own ``p``.

    (As in Albumentations 2.x: ``p`` does not weight the choice, it gates the chosen step.)

    >>> import augkit as A
    >>> block = A.SomeOf([A.HorizontalFlip(), A.VerticalFlip(), A.Transpose()], n=2)
    """

    _shuffle = False

    def __init__(self, transforms: Sequence[Any], n: int = 1, replace: bool = False, p: float = 1):
        super().__init__(transforms, p)
        check_number(type(self).__name__, "n", n, 0, integer=True)
        self.n = int(n)
        self.replace = bool(replace)

    def run_children(self, state: State, rng: np.random.Generator) -> None:
        count = len(self.transforms)
        if count == 0 or self.n == 0:
            return
        n = self.n if self.replace else min(self.n, count)
        chosen = rng.choice(count, size=n, replace=self.replace)
        order = (chosen if self._shuffle else np.sort(chosen)).tolist()
        outer = state.last_spatial
        outer_flips = outer or state.flips_follow
        for k, i in enumerate(order):
            after = [self.transforms[j] for j in order[k + 1:]]
            state.last_spatial = outer and all(_pixel_only(t) for t in after)
            state.flips_follow = outer_flips and all(_pixel_or_flips(t) for t in after)
            self.transforms[i].run(state, rng)


class RandomOrder(SomeOf):
    """Like :class:`SomeOf`, but the chosen transforms run in random order.

    >>> import augkit as A
    >>> block = A.RandomOrder([A.HorizontalFlip(), A.RandomGamma()], n=2)
    """

    _shuffle = True


class Sequential(BaseCompose):
    """Apply all transforms in order (each with its own ``p``), as a block with probability ``p``.

    >>> import augkit as A
    >>> block = A.Sequential([A.HorizontalFlip(), A.VerticalFlip()], p=0.5)
    """

    def __init__(self, transforms: Sequence[Any], p: float = 0.5):
        super().__init__(transforms, p)


class OneOrOther(BaseCompose):
    """Apply ``first`` with probability ``p``, else ``second``.

    >>> import augkit as A
    >>> block = A.OneOrOther(A.HorizontalFlip(), A.VerticalFlip(), p=0.5)
    """

    def __init__(self, first: Any = None, second: Any = None, transforms: Sequence[Any] | None = None,
                 p: float = 0.5):
        if transforms is None:
            if first is None or second is None:
                raise InvalidParameterError("OneOrOther: give first and second, or transforms=[a, b]")
            transforms = [first, second]
        if len(transforms) != 2:
            raise fail("OneOrOther", "transforms", transforms, "exactly two transforms are needed")
        super().__init__(transforms, p)

    def run(self, state: State, rng: np.random.Generator, force: bool = False) -> None:
        if self.should_apply(rng):
            self.transforms[0].run(state, rng, force=True)
        else:
            self.transforms[1].run(state, rng, force=True)
