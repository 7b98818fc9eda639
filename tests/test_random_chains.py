"""Random chains drawn from the whole catalogue, on every kind of image, with every target.

The call-contract harness checks each transform alone; chains meet inputs no single-step
test makes (a flare's 1e-20 tails under a box blur, a tile edge a shuffle cut before, a
blend after a channel-dropping kernel). Whatever the chain, the outputs must hold to the
contract: a clear error or a result; the image keeps its dtype and channels; float32 stays
finite and in [0, 1]; masks keep the image's frame and their values; an extra image target
equal to the image comes out equal to it; every box is valid, inside the frame and has its
label; every keypoint has its label. Fuzzing like this found the bugs these checks name in
tests/test_harness.py, test_blur_filters.py and test_bbox_crops.py.
"""

from __future__ import annotations

import os
import warnings

import numpy as np
import pytest

import augkit as A
from augkit.errors import AugkitError
from tests.test_harness import ARGS, TRANSFORMS

#: steps that need other samples or call metadata, change the dtype on purpose, or leave
#: [0, 1] on purpose (Normalize): the harness covers them alone
LEFT_OUT = {"Mosaic", "MixUp", "CutMix", "CopyAndPaste", "OverlayElements", "RandomCropNearBBox",
            "TextImage", "Lambda", "Normalize", "ToFloat", "FromFloat"}


def _buildable() -> list[str]:
    names = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in TRANSFORMS:
            if name in LEFT_OUT:
                continue
            try:
                getattr(A, name)(**{**ARGS.get(name, {}), "p": 1.0})
            except Exception:  # noqa: BLE001 - abstract or needs arguments the harness lacks
                continue
            names.append(name)
    return names


STEPS = _buildable()
KINDS = ["rgb_u8", "gray1_u8", "rgb_u16", "edge_f32"]


def _image(kind: str, h: int, w: int, rng) -> np.ndarray:
    if kind == "gray1_u8":
        return rng.integers(0, 256, (h, w, 1), dtype=np.uint8)
    img = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    img[: h // 3] = 255
    if kind == "rgb_u16":
        return img.astype(np.uint16) * 257
    if kind == "edge_f32":
        x = img.astype(np.float32) / 255
        x[:, : w // 4] = 0.0
        return x
    return img


def test_the_chains_draw_from_most_of_the_catalogue():
    assert len(STEPS) > 100


#: chains per batch, batches: 1,200 chains in ~6 s; CHAIN_BATCHES=100 searches wider
CHAINS_PER_BATCH = 150
BATCHES = int(os.environ.get("CHAIN_BATCHES", 8))


@pytest.mark.parametrize("batch", range(BATCHES))
def test_random_chains_keep_the_contract(batch):
    # drawn uniformly here rather than by hypothesis, whose examples crowd a few steps:
    # every step and image kind gets its share of the chains
    pick = np.random.default_rng([batch, 7])
    for _ in range(CHAINS_PER_BATCH):
        chain = [STEPS[int(i)] for i in pick.integers(0, len(STEPS), int(pick.integers(1, 6)))]
        kind = KINDS[int(pick.integers(0, len(KINDS)))]
        h, w = (int(v) for v in pick.integers(6, 73, 2))
        _check_chain(chain, kind, h, w, int(pick.integers(0, 2**31 - 1)))


def _check_chain(chain, kind, h, w, seed):
    rng = np.random.default_rng(seed)
    img = _image(kind, h, w, rng)
    mask = rng.integers(0, 4, (h, w), dtype=np.uint8)
    x0, y0 = rng.uniform(0, w - 2, 3), rng.uniform(0, h - 2, 3)
    boxes = [(a, b, min(w, a + rng.uniform(1, w)), min(h, b + rng.uniform(1, h))) for a, b in zip(x0, y0)]
    kps = rng.uniform(0, [w, h], (4, 2)).tolist()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        steps = [getattr(A, n)(**{**ARGS.get(n, {}), "p": float(rng.choice([0.5, 1.0]))}) for n in chain]
        pipe = A.Compose(steps, seed=seed, additional_targets={"image2": "image"},
                         bbox_params=A.BboxParams(format="pascal_voc", label_fields=["labels"]),
                         keypoint_params=A.KeypointParams(format="xy", label_fields=["kl"]))
        try:
            out = pipe(image=img, image2=img.copy(), mask=mask, bboxes=boxes, labels=[0, 1, 2],
                       keypoints=kps, kl=[0, 1, 2, 3])
        except AugkitError:
            return  # a clear refusal (a channel count or dtype the step does not take)
    res = out["image"]
    assert res.dtype == img.dtype, (chain, kind)
    channels = img.shape[2] if "ToRGB" not in chain else res.shape[2]
    assert res.ndim == 3 and res.shape[2] in (channels, 3), (chain, kind, res.shape)
    if res.dtype == np.float32:
        assert np.isfinite(res).all() and res.min() >= 0.0 and res.max() <= 1.0, (chain, res.min(), res.max())
    np.testing.assert_array_equal(out["image2"], res, err_msg=str(chain))
    assert out["mask"].shape == res.shape[:2], chain
    assert set(np.unique(out["mask"]).tolist()) <= {0, 1, 2, 3}, chain
    b = np.asarray(out["bboxes"], dtype=np.float64).reshape(-1, 4)
    assert len(b) == len(out["labels"]), chain
    oh, ow = res.shape[:2]
    assert (b[:, 2] > b[:, 0]).all() and (b[:, 3] > b[:, 1]).all(), (chain, b)
    assert (b >= -1e-9).all() and (b[:, [0, 2]] <= ow + 1e-9).all() and (b[:, [1, 3]] <= oh + 1e-9).all(), (chain, b)
    assert len(out["keypoints"]) == len(out["kl"]), chain

