"""Pipelines inside a real PyTorch DataLoader: no ``worker_init_fn`` needed.

Every sample records which worker produced it and the augmented image, so the tests can
tell apart "workers drew different augmentations", "epochs differ" and "two runs with
the same seeds are identical", with and without ``persistent_workers``.
"""

from __future__ import annotations

import numpy as np
import pytest

import augkit as A

torch = pytest.importorskip("torch", reason="the torch extra (augkit[torch]) is part of dev")
from torch.utils.data import DataLoader, Dataset, get_worker_info  # noqa: E402

N_ITEMS = 8
EPOCHS = 3


class Augmented(Dataset):
    """Every item is the same 16x16 image, so any difference comes from augmentation."""

    def __init__(self, pipeline):
        self.pipeline = pipeline
        self.image = np.arange(16 * 16 * 3, dtype=np.uint8).reshape(16, 16, 3)

    def __len__(self):
        return N_ITEMS

    def __getitem__(self, i):
        info = get_worker_info()
        out = self.pipeline(image=self.image)
        return {"index": i, "worker": -1 if info is None else info.id,
                "image": torch.from_numpy(out["image"].copy())}


def make_pipeline(seed):
    # many possible outcomes (crop offsets x flips x brightness), so equal draws mean equal
    # streams, not luck
    return A.Compose([A.RandomCrop(height=8, width=8), A.HorizontalFlip(p=0.5),
                      A.RandomBrightnessContrast(p=1.0)], seed=seed)


def run(torch_seed, persistent, pipeline_seed=7, workers=2, context=None, epochs=EPOCHS):
    """Per epoch, per item index: (worker id, augmented image bytes)."""
    torch.manual_seed(torch_seed)
    loader = DataLoader(Augmented(make_pipeline(pipeline_seed)), batch_size=2, shuffle=False,
                        num_workers=workers, persistent_workers=persistent,
                        multiprocessing_context=context)
    result = []
    for _ in range(epochs):
        epoch = {}
        for batch in loader:
            for i, w, img in zip(batch["index"].tolist(), batch["worker"].tolist(), batch["image"]):
                epoch[i] = (w, img.numpy().tobytes())
        result.append(epoch)
    return result


def check_variety(result, workers=2):
    first = result[0]
    assert {w for w, _ in first.values()} == set(range(workers)), "items did not use every worker"
    # workers differ: the images one worker produced are not the other's
    by_worker = {}
    for w, img in first.values():
        by_worker.setdefault(w, []).append(img)
    assert by_worker[0] != by_worker[1], "two workers drew the same augmentations"
    assert len({img for _, img in first.values()}) >= N_ITEMS - 1, "draws repeat within an epoch"
    # epochs differ, item by item
    for e in range(1, len(result)):
        same = sum(result[e][i][1] == first[i][1] for i in first)
        assert same <= 1, f"epoch {e} repeated {same} of {N_ITEMS} augmentations of epoch 0"


@pytest.mark.parametrize("persistent", [False, True])
def test_workers_and_epochs_differ_and_runs_repeat(persistent):
    a = run(torch_seed=0, persistent=persistent)
    check_variety(a)
    assert run(torch_seed=0, persistent=persistent) == a, "same seeds gave a different run"
    b = run(torch_seed=1, persistent=persistent)
    assert b[0] != a[0], "another torch seed gave the same augmentations"


def test_persistent_and_fresh_workers_both_continue_from_the_torch_seed():
    """The first epoch is the same either way (same worker seeds); later epochs differ
    in both, by a new base seed (fresh workers) or by the advancing stream (persistent)."""
    fresh = run(torch_seed=3, persistent=False)
    kept = run(torch_seed=3, persistent=True)
    assert fresh[0] == kept[0]


def test_unseeded_pipeline_follows_the_torch_seed():
    a = run(torch_seed=5, persistent=False, pipeline_seed=None, epochs=2)
    check_variety(a)
    assert run(torch_seed=5, persistent=False, pipeline_seed=None, epochs=2) == a


def test_pipeline_seed_still_matters_in_workers():
    a = run(torch_seed=5, persistent=False, pipeline_seed=1, epochs=1)
    b = run(torch_seed=5, persistent=False, pipeline_seed=2, epochs=1)
    assert a != b


def test_spawned_workers_get_a_pickled_pipeline():
    """With the spawn start method the dataset (and its pipeline) is pickled into each
    worker: that must work and give the same draws as forked workers."""
    spawned = run(torch_seed=2, persistent=False, context="spawn", epochs=1)
    forked = run(torch_seed=2, persistent=False, context="fork", epochs=1)
    assert spawned == forked


def test_main_process_loading_uses_the_pipeline_seed():
    """num_workers=0: no worker, the pipeline's own generator decides (torch seed ignored)."""
    a = run(torch_seed=0, persistent=False, workers=0, epochs=2)
    b = run(torch_seed=9, persistent=False, workers=0, epochs=2)
    assert a == b
    assert a[0] != a[1]
