"""Inside a PyTorch DataLoader worker the pipeline reseeds itself from the worker's seed.

torch is optional, so the test stands in for ``torch.utils.data.get_worker_info`` with a
module of its own (the engine looks torch up in ``sys.modules`` and never imports it).
"""

import sys
import types

import numpy as np
import pytest

import augkit as A


@pytest.fixture
def fake_torch(monkeypatch):
    info = {"value": None}
    data = types.SimpleNamespace(get_worker_info=lambda: info["value"])
    torch = types.SimpleNamespace(utils=types.SimpleNamespace(data=data))
    monkeypatch.setitem(sys.modules, "torch", torch)

    def set_worker(worker_id, seed):
        info["value"] = None if worker_id is None else types.SimpleNamespace(id=worker_id, seed=seed)

    return set_worker


def draws(pipe, n=6):
    img = np.arange(16 * 16, dtype=np.uint8).reshape(16, 16)
    return [pipe(image=img)["image"].tobytes() for _ in range(n)]


def make(seed=None):
    return A.Compose([A.RandomCrop(height=8, width=8), A.HorizontalFlip(p=0.5)], seed=seed)


def test_workers_differ_epochs_differ_and_runs_repeat(fake_torch):
    # two workers of one epoch: DataLoader gives them base_seed + worker_id
    fake_torch(0, 1000)
    w0 = draws(make(seed=3))
    fake_torch(1, 1001)
    w1 = draws(make(seed=3))
    assert w0 != w1, "workers drew the same augmentations"
    # next epoch: a new base seed (non-persistent workers are new processes with copies)
    fake_torch(0, 2000)
    e2 = draws(make(seed=3))
    assert e2 != w0, "epochs repeated the same augmentations"
    # the same seeds again (a second run of the same training): identical
    fake_torch(0, 1000)
    assert draws(make(seed=3)) == w0


def test_persistent_worker_keeps_its_stream(fake_torch):
    """A persistent worker keeps its generator: later epochs continue the stream."""
    fake_torch(0, 1000)
    pipe = make(seed=3)
    first = draws(pipe, 4)
    second = draws(pipe, 4)
    assert first != second
    fake_torch(0, 1000)
    assert draws(make(seed=3), 8) == first + second


def test_outside_workers_the_seed_alone_decides(fake_torch):
    fake_torch(None, None)
    assert draws(make(seed=5)) == draws(make(seed=5))
