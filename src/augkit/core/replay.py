"""Applied parameters, replay and the inverse of a call's geometry.

A pipeline records a call when ``Compose(..., save_applied_params=True)`` or when it is a
:class:`ReplayCompose`: every transform that ran, in order, with the parameters its
``sample()`` returned, the state of the generator when it started (for the few steps
that draw outside ``sample()``, such as the policies choosing their operations) and
every warp pushed. Replaying feeds those parameters back instead of sampling, so the
same inputs give the same outputs exactly. Parameters are absolute where the transform
draws them so (a crop window is pixels, not a fraction): replayed on data of another
size they apply as recorded.

>>> import numpy as np, augkit as A
>>> pipe = A.ReplayCompose([A.RandomCrop(height=2, width=2), A.HorizontalFlip()], seed=0)
>>> img = np.arange(16, dtype=np.uint8).reshape(4, 4)
>>> out = pipe(image=img)
>>> again = A.ReplayCompose.replay(out["replay"], image=img)
>>> bool(np.array_equal(again["image"], out["image"]))
True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import cv2
import numpy as np

from augkit.core.compose import Compose
from augkit.errors import InvalidParameterError, TargetError

__all__ = ["AppliedParams", "ReplayCompose", "inverse"]


class _Entry:
    __slots__ = ("transform", "params", "rng_state", "pos", "last", "outside")

    def __init__(self, transform, rng_state, params=None):
        self.transform = transform
        self.rng_state = rng_state
        self.params: list[Any] = [] if params is None else params
        self.pos = 0
        self.last = rng_state  # generator state after the latest sample() (recording)
        self.outside = False  # whether the step drew outside sample() (recording)


class _NoDraws:
    """The generator handed to replayed steps that drew only in ``sample()``: their
    parameters are fed back, so any draw would be a bug (and is reported as one)."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attr):
        raise RuntimeError(f"replay: {self._name} drew from the generator ({attr}) although its "
                           f"recorded call drew only in sample()")


class Recorder:
    """Per-call record of the transforms that ran (or, replaying, the feed of them).

    The engine calls :meth:`run` for every transform that passed its ``p`` and
    :meth:`sample` around every ``sample()``; both live on the per-call state, so
    concurrent calls never share one. The generator's state is kept only for steps
    that drew outside ``sample()`` (reading it costs ~1 us, only while recording).
    """

    __slots__ = ("entries", "current", "depth", "replaying", "warps", "opaque", "boundaries")

    def __init__(self, entries: list[_Entry] | None = None):
        self.replaying = entries is not None
        self.entries: list[_Entry] = [] if entries is None else entries
        self.current: _Entry | None = None
        self.depth = 0
        self.warps: list[Any] = []
        self.opaque: list[str] = []
        self.boundaries: list[int] = []  # entry counts at which Compose(fuse=False) materialized

    def run(self, t, state, rng) -> None:
        if self.current is not None:  # a step run by another step (policies): part of it
            t.apply_to_state(state, rng)
            return
        entry = _Entry(t, rng.bit_generator.state)
        self.entries.append(entry)
        self.current = entry
        try:
            t.apply_to_state(state, rng)
        finally:
            self.current = None
        if entry.outside or rng.bit_generator.state != entry.last:
            entry.outside = True
        else:
            entry.rng_state = None  # every draw was in sample(): the params say it all

    def sample(self, t, fn, rng, state):
        entry = self.current
        if self.depth or entry is None:
            return fn(t, rng, state)
        if self.replaying:
            if entry.pos >= len(entry.params):
                raise TargetError(f"replay: {type(t).__name__} asks for more parameters than "
                                  f"were recorded; replay the record with the pipeline that made it")
            params = entry.params[entry.pos]
            entry.pos += 1
            return dict(params) if isinstance(params, dict) else params
        if not entry.outside and rng.bit_generator.state != entry.last:
            entry.outside = True
        self.depth += 1
        try:
            params = fn(t, rng, state)
        finally:
            self.depth -= 1
        entry.last = rng.bit_generator.state
        entry.params.append(params)
        return params

    def attach(self, state) -> None:
        """Hook the state's warp pushes and step-by-step materializations (per call)."""
        state.applied = self
        push, dual, materialize = state.push_warp, state.apply_dual_transform, state.materialize_all

        def push_warp(warp):
            self.warps.append(warp)
            push(warp)

        def apply_dual_transform(t, rng):
            self.opaque.append(type(t).__name__)
            dual(t, rng)

        def materialize_all():
            if self.current is None and not self.replaying:
                self.boundaries.append(len(self.entries))
            materialize()

        state.push_warp = push_warp
        state.apply_dual_transform = apply_dual_transform
        state.materialize_all = materialize_all


class AppliedParams(list):
    """``[(transform name, params), ...]`` of one call, JSON-friendly (numpy arrays and
    scalars become lists and numbers; other objects their ``repr``). ``warps`` and
    ``input_shape`` carry the call's geometry for :func:`inverse`."""

    warps: list[Any]
    opaque: list[str]
    input_shape: tuple[int, int]


def jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return value.tolist() if value.dtype != object else [jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)


def _params_of(entry: _Entry) -> dict[str, Any]:
    if not entry.params:
        return {}
    if len(entry.params) == 1:
        p = entry.params[0]
        return jsonable(p) if isinstance(p, dict) else {"params": jsonable(p)}
    return {"steps": [jsonable(p) for p in entry.params]}


def applied_params(rec: Recorder, input_shape) -> AppliedParams:
    out = AppliedParams((type(e.transform).__name__, _params_of(e)) for e in rec.entries)
    out.warps = list(rec.warps)
    out.opaque = list(rec.opaque)
    out.input_shape = tuple(input_shape)
    return out


def _restored(rng_state: dict) -> np.random.Generator:
    name = rng_state["bit_generator"]
    bit = getattr(np.random, name)()
    bit.state = rng_state
    return np.random.Generator(bit)


class ReplayCompose(Compose):
    """A :class:`Compose` whose result also holds ``result[save_key]``: what the call did,
    to apply exactly the same augmentation to other data with :meth:`replay`.

    Args:
        transforms, bbox_params, keypoint_params, additional_targets, p, is_check_shapes,
        strict, mask_interpolation, seed, fuse: as :class:`Compose`.
        save_key: key of the record in the result (default ``"replay"``).

    The record holds the pipeline itself (``record["pipeline"]``), so it is replayed by
    the pipeline that made it; ``record["applied"]`` lists the steps, JSON-friendly. It
    pickles with its pipeline.

    >>> import numpy as np, augkit as A
    >>> pipe = A.ReplayCompose([A.Rotate(limit=30, p=1.0)], seed=3)
    >>> img = np.random.default_rng(0).integers(0, 256, (8, 8), dtype=np.uint8)
    >>> out = pipe(image=img)
    >>> [name for name, _ in out["replay"]["applied"]]
    ['Rotate']
    >>> bool(np.array_equal(A.ReplayCompose.replay(out["replay"], image=img)["image"], out["image"]))
    True
    """

    _records = True

    def __init__(self, transforms: Sequence[Any], bbox_params: Any = None,
                 keypoint_params: Any = None, additional_targets: dict[str, str] | None = None,
                 p: float = 1.0, is_check_shapes: bool = True, save_key: str = "replay",
                 strict: bool = False, mask_interpolation: int | None = None,
                 seed: int | None = None, fuse: bool = True):
        super().__init__(transforms, bbox_params=bbox_params, keypoint_params=keypoint_params,
                         additional_targets=additional_targets, p=p,
                         is_check_shapes=is_check_shapes, strict=strict,
                         mask_interpolation=mask_interpolation, seed=seed, fuse=fuse)
        if not isinstance(save_key, str):
            raise InvalidParameterError(f"ReplayCompose(save_key={save_key!r}): save_key must be a string")
        self.save_key = save_key

    def _finish_record(self, out: dict, rec: Recorder, input_shape) -> None:
        super()._finish_record(out, rec, input_shape)
        out[self.save_key] = {
            "pipeline": self,
            "input_shape": tuple(input_shape),
            "applied": applied_params(rec, input_shape),
            "steps": [(e.transform, e.params, e.rng_state) for e in rec.entries],
            "boundaries": list(rec.boundaries),
        }

    @staticmethod
    def replay(saved_replay: dict[str, Any], **data: Any) -> dict[str, Any]:
        """Apply the recorded call to ``data``: the same steps with the same parameters."""
        if not isinstance(saved_replay, dict) or not isinstance(saved_replay.get("pipeline"), Compose):
            raise TargetError("ReplayCompose.replay: expected the record a ReplayCompose call returned "
                              "(result['replay']), holding its pipeline")
        return saved_replay["pipeline"]._replay(saved_replay, data)

    def _replay(self, saved: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        state, passthrough = self._make_state(data)
        entries = [_Entry(t, st, list(params)) for t, params, st in saved["steps"]]
        rec = Recorder(entries)
        rec.attach(state)
        boundaries = set(saved.get("boundaries", ()))
        for i, entry in enumerate(entries):
            if i in boundaries:
                state.materialize_all()
            rec.current = entry
            try:
                rng = _restored(entry.rng_state) if entry.rng_state is not None \
                    else _NoDraws(type(entry.transform).__name__)
                entry.transform.apply_to_state(state, rng)
            finally:
                rec.current = None
        if len(entries) in boundaries:
            state.materialize_all()
        out = state.outputs()
        out.update(passthrough)
        out[self.save_key] = saved
        return out


# -- inverse ------------------------------------------------------------------------------
def _record_geometry(record: Any) -> tuple[list, list, tuple[int, int]]:
    if isinstance(record, AppliedParams):
        return record.warps, record.opaque, record.input_shape
    if isinstance(record, dict):
        if isinstance(record.get("applied"), AppliedParams):
            a = record["applied"]
            return a.warps, a.opaque, a.input_shape
        for key in ("applied_params", "replay"):
            if key in record:
                return _record_geometry(record[key])
    raise TargetError("inverse: expected a replay record (result['replay'] of a ReplayCompose) or "
                      "the applied parameters (result['applied_params'] of "
                      "Compose(..., save_applied_params=True))")


def inverse_matrix(record: Any) -> tuple[np.ndarray, tuple[int, int], tuple[int, int]]:
    """The matrix from the augmented frame back to the input frame, the input and output
    shapes. Raises for steps that are not a matrix (displacement fields, custom steps)."""
    warps, opaque, input_shape = _record_geometry(record)
    if opaque:
        raise TargetError(f"inverse: {opaque[0]} is an Albumentations-style step whose "
                          f"geometry is not recorded as a warp; it cannot be inverted")
    m = np.eye(3)
    out_shape = tuple(input_shape)
    for w in warps:
        if w.field is not None:
            raise TargetError("inverse: the pipeline applied a displacement field (elastic, grid or "
                              "optical distortion, piecewise affine, thin-plate spline); only "
                              "matrix steps can be inverted exactly")
        m = w.matrix @ m
        out_shape = w.out_shape
    return np.linalg.inv(m), tuple(input_shape), tuple(out_shape)


def _apply(m: np.ndarray, pts: np.ndarray) -> np.ndarray:
    h = pts @ m[:2, :2].T + m[:2, 2]
    d = pts @ m[2, :2] + m[2, 2]
    return h / d[:, None]


def _snap(values: np.ndarray) -> np.ndarray:
    """Values within 1e-9 of an integer become it (matrix inverses leave 1e-16 dust)."""
    r = np.round(values)
    return np.where(np.abs(values - r) < 1e-9, r, values)


def inverse(record: Any, image_shape: Sequence[int], *, bboxes: Any = None,
            keypoints: Any = None, mask: np.ndarray | None = None,
            bbox_format: str = "pascal_voc") -> dict[str, Any]:
    """Map annotations made on an augmented image back to the original frame (test-time
    augmentation).

    Args:
        record: ``result["replay"]`` of a :class:`ReplayCompose`, or
            ``result["applied_params"]`` of ``Compose(..., save_applied_params=True)``
            (or the whole result holding either).
        image_shape: shape of the original (input) image, checked against the record.
        bboxes: ``(N, 4 + k)`` boxes on the augmented image in ``bbox_format`` (extra
            columns pass through); each comes back as the enclosing box of its corners,
            clipped to the original frame (exact for flips, quarter turns, crops, pads
            and resizes).
        keypoints: ``(N, 2 + k)`` ``x, y`` pixel indices (Albumentations convention);
            extra columns pass through.
        mask: a mask on the augmented image; warped back with nearest interpolation,
            0 where the original frame was not visible in the augmented one.
        bbox_format: "pascal_voc", "coco", "yolo" or "albumentations".

    Returns a dict with the keys that were given. Steps that are not a matrix (the
    distortions' displacement fields, Albumentations-style custom steps) raise
    :class:`~augkit.errors.TargetError`: they have no exact inverse here.

    >>> import numpy as np, augkit as A
    >>> pipe = A.ReplayCompose([A.HorizontalFlip(p=1.0), A.Transpose(p=1.0)],
    ...                        keypoint_params=A.KeypointParams(format="xy"))
    >>> out = pipe(image=np.zeros((4, 6), np.uint8), keypoints=[(1.0, 3.0)])
    >>> out["keypoints"]
    [(3.0, 4.0)]
    >>> A.inverse(out["replay"], (4, 6), keypoints=out["keypoints"])["keypoints"].tolist()
    [[1.0, 3.0]]
    """
    minv, in_shape, out_shape = inverse_matrix(record)
    if tuple(int(v) for v in image_shape[:2]) != in_shape:
        raise TargetError(f"inverse: image_shape {tuple(image_shape)} is not the shape the record "
                          f"was made on, {in_shape}")
    from augkit.core.targets import bboxes_from_internal, bboxes_to_internal

    result: dict[str, Any] = {}
    h, w = in_shape
    if bboxes is not None:
        b = np.asarray(bboxes, dtype=np.float64).reshape(-1, np.shape(bboxes)[-1] if len(bboxes) else 4)
        boxes = bboxes_to_internal(b[:, :4], bbox_format, out_shape)
        corners = np.stack([boxes[:, [0, 1]], boxes[:, [2, 1]], boxes[:, [2, 3]], boxes[:, [0, 3]]], axis=1)
        back = _apply(minv, corners.reshape(-1, 2)).reshape(-1, 4, 2)
        inner = np.concatenate([back.min(axis=1), back.max(axis=1)], axis=1)
        np.clip(inner, 0, [w, h, w, h], out=inner)
        inner = _snap(inner)
        result["bboxes"] = np.concatenate([bboxes_from_internal(inner, bbox_format, in_shape), b[:, 4:]], axis=1)
    if keypoints is not None:
        k = np.asarray(keypoints, dtype=np.float64)
        k = k.reshape(-1, k.shape[-1] if k.size else 2)
        pts = _snap(_apply(minv, k[:, :2] + 0.5) - 0.5)
        result["keypoints"] = np.concatenate([pts, k[:, 2:]], axis=1)
    if mask is not None:
        from augkit.geometry.warp import warp_pixels

        m = np.asarray(mask)
        if m.shape[:2] != tuple(out_shape):
            raise TargetError(f"inverse: mask has height and width {m.shape[:2]}, but the "
                              f"augmented image had {out_shape}")
        result["mask"] = warp_pixels(m, minv, in_shape, cv2.INTER_NEAREST, cv2.BORDER_CONSTANT, 0)
    return result
