"""Applied parameters and ReplayCompose: a recorded call replays exactly."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest

import augkit as A

from .test_harness import (
    TRANSFORMS,
    assert_same_output,
    build,
    make_inputs,
    run_or_refuse,
    usable_kind,
)

#: transforms that draw outside ``sample()`` (the policies choose their operations in
#: ``apply_to_state``); their replay restores the generator's state at their start.
# steps whose draws happen outside sample() (replayed from the recorded generator state):
# the policies, and the multi-sample transforms, which draw while they build the new frame
MIXING = {"CopyAndPaste", "CutMix", "MixUp", "Mosaic", "OverlayElements"}
DRAW_OUTSIDE_SAMPLE = {"AutoAugment", "RandAugment", "TrivialAugmentWide",
                       "CopyAndPaste", "CutMix", "MixUp", "Mosaic", "OverlayElements"}


def replay_pipeline(transforms, seed=0, **kw):
    return A.ReplayCompose(
        transforms,
        bbox_params=A.BboxParams(format="pascal_voc", label_fields=["labels"]),
        keypoint_params=A.KeypointParams(format="xy", label_fields=["kp_labels"]),
        seed=seed, **kw)


def without(out, *keys):
    return {k: v for k, v in out.items() if k not in keys}


@pytest.mark.parametrize("name", TRANSFORMS)
def test_replay_reproduces_every_transform(name):
    t = build(name)
    kind = usable_kind(t)
    data = make_inputs(kind)
    pipe = replay_pipeline([t, A.HorizontalFlip(p=0.5)], seed=11)
    run_or_refuse(t, pipe, data, kind)
    outs = [pipe(**data) for _ in range(4)]  # later calls too: not just the seed's first draw
    for out in outs:
        record = out["replay"]
        names = [n for n, _ in record["applied"]]
        assert names[0] == name, names
        again = A.ReplayCompose.replay(record, **data)
        assert again["replay"] is record
        assert_same_output(without(out, "replay"), without(again, "replay"))
        # every step that drew only in sample() was replayed from its parameters alone
        # (it got a generator that raises on any draw); the rest are the policies
        drew_outside = {type(s[0]).__name__ for s in record["steps"] if s[2] is not None}
        assert drew_outside <= DRAW_OUTSIDE_SAMPLE, drew_outside
        if name in DRAW_OUTSIDE_SAMPLE - MIXING:
            assert name in drew_outside
    # the record pickles with its pipeline and replays the same after
    restored = pickle.loads(pickle.dumps(outs[-1]["replay"]))
    assert_same_output(without(outs[-1], "replay"), without(A.ReplayCompose.replay(restored, **data), "replay"))


@pytest.mark.parametrize("name", TRANSFORMS)
def test_applied_params_are_json_friendly_and_in_order(name):
    t = build(name)
    kind = usable_kind(t)
    pipe = A.Compose([A.HorizontalFlip(p=1.0), t, A.NoOp(p=1.0)], seed=0, save_applied_params=True,
                     bbox_params=A.BboxParams(format="pascal_voc", label_fields=["labels"]),
                     keypoint_params=A.KeypointParams(format="xy", label_fields=["kp_labels"]))
    out = run_or_refuse(t, pipe, make_inputs(kind), kind)
    applied = out["applied_params"]
    assert out["applied_transforms"] is applied  # Albumentations 2.x's key
    assert [n for n, _ in applied] == ["HorizontalFlip", name, "NoOp"]
    assert all(isinstance(p, dict) for _, p in applied)
    json.dumps(applied)  # plain lists, numbers, strings


def test_only_applied_steps_are_listed_and_blocks_are_followed():
    pipe = A.Compose([A.HorizontalFlip(p=0.0), A.OneOf([A.VerticalFlip(p=1), A.Transpose(p=0)], p=1),
                      A.SomeOf([A.Blur(p=1), A.RandomGamma(p=1)], n=2),
                      A.RandomCrop(height=4, width=5, p=1.0)], seed=0, save_applied_params=True)
    out = pipe(image=np.zeros((10, 12, 3), np.uint8))
    names = [n for n, _ in out["applied_params"]]
    assert names == ["VerticalFlip", "Blur", "RandomGamma", "RandomCrop"]
    x0, y0, x1, y1 = out["applied_params"][-1][1]["crop"]
    assert (x1 - x0, y1 - y0) == (5, 4)


def test_without_the_option_nothing_is_added():
    out = A.Compose([A.HorizontalFlip()], seed=0)(image=np.zeros((4, 4), np.uint8))
    assert set(out) == {"image"}


def test_replay_applies_to_other_data_with_the_recorded_parameters():
    """A crop window is absolute: replayed on another image it cuts the same window."""
    pipe = A.ReplayCompose([A.RandomCrop(height=6, width=7), A.HorizontalFlip(p=1.0)], seed=5)
    a = np.random.default_rng(0).integers(0, 256, (20, 30, 3), dtype=np.uint8)
    b = np.random.default_rng(1).integers(0, 256, (20, 30, 3), dtype=np.uint8)
    out = pipe(image=a)
    x0, y0, x1, y1 = out["replay"]["applied"][0][1]["crop"]
    np.testing.assert_array_equal(out["image"], a[y0:y1, x0:x1][:, ::-1])
    np.testing.assert_array_equal(A.ReplayCompose.replay(out["replay"], image=b)["image"],
                                  b[y0:y1, x0:x1][:, ::-1])
    # a larger image: the window stays where it was recorded
    c = np.random.default_rng(2).integers(0, 256, (40, 50, 3), dtype=np.uint8)
    np.testing.assert_array_equal(A.ReplayCompose.replay(out["replay"], image=c)["image"],
                                  c[y0:y1, x0:x1][:, ::-1])


def test_replay_with_a_mask_and_another_target_follows_the_image():
    pipe = A.ReplayCompose([A.Rotate(limit=40, p=1.0), A.RandomBrightnessContrast(p=1.0)], seed=2)
    img = np.random.default_rng(0).integers(0, 256, (16, 16, 3), dtype=np.uint8)
    out = pipe(image=img)
    mask = np.ones((16, 16), np.uint8)
    rep = A.ReplayCompose.replay(out["replay"], image=img, mask=mask)
    np.testing.assert_array_equal(rep["image"], out["image"])
    ref = A.Compose([A.Rotate(limit=40, p=1.0), A.RandomBrightnessContrast(p=1.0)], seed=2)
    np.testing.assert_array_equal(rep["mask"], ref(image=img, mask=mask)["mask"])


def test_unfused_pipelines_replay_step_by_step():
    steps = [A.Rotate(limit=30, p=1.0), A.Affine(scale=(0.8, 1.2), p=1.0), A.RandomCrop(height=9, width=9)]
    pipe = A.ReplayCompose(steps, seed=3, fuse=False)
    img = np.random.default_rng(0).integers(0, 256, (16, 16, 3), dtype=np.uint8)
    out = pipe(image=img)
    fused = A.ReplayCompose(steps, seed=3)(image=img)
    assert not np.array_equal(out["image"], fused["image"])  # the two differ, so the test can tell
    np.testing.assert_array_equal(A.ReplayCompose.replay(out["replay"], image=img)["image"], out["image"])


def test_replay_save_key_and_signature():
    pipe = A.ReplayCompose([A.HorizontalFlip(p=1.0)], save_key="rec", seed=0)
    out = pipe(image=np.zeros((2, 3), np.uint8))
    assert "rec" in out and "replay" not in out
    with pytest.raises(A.errors.TargetError, match="record"):
        A.ReplayCompose.replay({"applied": []}, image=np.zeros((2, 3), np.uint8))


def test_legacy_custom_transforms_record_and_replay():
    class Shift(A.ImageOnlyTransform):
        def get_params(self):
            return {"v": int(self.random_generator.integers(1, 50))}

        def apply(self, img, v=0, **params):
            return (img + v).astype(img.dtype)

    pipe = A.ReplayCompose([Shift(p=1.0)], seed=0)
    img = np.zeros((3, 3), np.uint8)
    out = pipe(image=img)
    v = out["replay"]["applied"][0][1]["v"]
    assert int(out["image"][0, 0]) == v
    assert A.ReplayCompose.replay(out["replay"], image=img)["image"][0, 0] == v
