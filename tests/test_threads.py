"""Per-call seeds and one pipeline shared by several threads."""

from __future__ import annotations

import pickle
import threading
import timeit
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import augkit as A
from augkit.errors import InvalidParameterError

from .test_harness import TRANSFORMS, build, make_inputs, make_pipeline


def pipeline(seed=0):
    return A.Compose([A.RandomResizedCrop(size=(24, 24), p=1.0), A.HorizontalFlip(),
                      A.Rotate(limit=30, p=0.7), A.RandomBrightnessContrast(p=0.8),
                      A.GaussNoise(p=0.5)],
                     bbox_params=A.BboxParams(format="pascal_voc", label_fields=["labels"]),
                     seed=seed)


def image(seed=0):
    return np.random.default_rng(seed).integers(0, 256, (40, 48, 3), dtype=np.uint8)


def data(seed=0):
    return {"image": image(seed), "mask": (image(seed)[..., 0] > 128).astype(np.uint8),
            "bboxes": [(4, 5, 30, 33)], "labels": [1]}


def same(a, b):
    assert set(a) == set(b)
    for k in a:
        if isinstance(a[k], np.ndarray):
            np.testing.assert_array_equal(a[k], b[k], err_msg=k)
        else:
            assert a[k] == b[k], k


def test_per_call_seed_is_the_first_call_of_that_seed_and_leaves_the_stream_alone():
    pipe = pipeline(seed=1)
    reference = pipeline(seed=1)
    d = data()
    for s in (0, 5, 123):
        same(pipe(**d, seed=s), pipeline(seed=s)(**d))
        same(pipe(**d, seed=s), pipe(**d, seed=s))
    # the calls with a seed did not advance the pipeline's own generator
    for _ in range(3):
        same(pipe(**d), reference(**d))


def test_per_call_seed_on_a_standalone_transform():
    t = A.RandomCrop(height=8, width=8)
    img = image()
    assert np.array_equal(t(image=img, seed=4)["image"], t(image=img, seed=4)["image"])
    outs = {t(image=img, seed=s)["image"].tobytes() for s in range(10)}
    assert len(outs) > 5


@pytest.mark.parametrize("bad", [-1, 1.5, "7", True])
def test_bad_per_call_seed_is_a_clear_error(bad):
    with pytest.raises(InvalidParameterError, match=r"seed=.*non-negative integer"):
        pipeline()(image=image(), seed=bad)


def test_seed_keyword_is_not_a_target():
    out = A.Compose([A.NoOp()])(image=image(), seed=3, other=4)
    assert "seed" not in out and out["other"] == 4


def test_eight_threads_with_per_call_seeds_match_sequential_calls():
    pipe = pipeline()
    jobs = [(i % 5, 1000 + i) for i in range(64)]  # (input, seed)
    inputs = [data(k) for k in range(5)]
    sequential = [pipe(**inputs[k], seed=s) for k, s in jobs]
    barrier = threading.Barrier(8)

    def work(job):
        k, s = job
        if job[1] < 1008:
            barrier.wait()  # the first eight start together
        return pipe(**inputs[k], seed=s)

    with ThreadPoolExecutor(max_workers=8) as ex:
        threaded = list(ex.map(work, jobs))
    for a, b in zip(sequential, threaded):
        same(a, b)


def test_unseeded_calls_from_threads_do_not_corrupt_the_generator():
    """Concurrent calls without seed run (no exception, valid outputs), and afterwards
    the pipeline's stream continues as a generator that was only used one call at a time."""
    pipe = pipeline(seed=9)
    d = data()

    def work(_):
        out = pipe(**d)
        assert out["image"].shape == (24, 24, 3) and out["image"].dtype == np.uint8
        return out["image"].tobytes()

    with ThreadPoolExecutor(max_workers=8) as ex:
        results = list(ex.map(work, range(200)))
    assert len(set(results)) > 150  # the calls drew different parameters
    # the shared generator is intact: reseeding it repeats a fresh pipeline exactly
    pipe.set_random_seed(9)
    fresh = pipeline(seed=9)
    for _ in range(3):
        same(pipe(**d), fresh(**d))


def test_call_order_alone_decides_without_threads():
    a, b = pipeline(seed=2), pipeline(seed=2)
    for _ in range(5):
        same(a(**data()), b(**data()))


def test_lock_overhead_is_below_a_microsecond():
    """The uncontended path adds one non-blocking acquire and a release per call."""
    lock = threading.Lock()

    def guarded():
        if lock.acquire(blocking=False):
            lock.release()

    n = 100_000
    per_call = min(timeit.repeat(guarded, number=n, repeat=5)) / n
    baseline = min(timeit.repeat(lambda: None, number=n, repeat=5)) / n
    assert per_call - baseline < 1e-6, f"{(per_call - baseline) * 1e9:.0f} ns per call"


def test_pipelines_still_pickle():
    pipe = pipeline(seed=4)
    pipe(**data())
    again = pickle.loads(pickle.dumps(pipe))
    same(again(**data()), pipe(**data()))
    same(again(**data(), seed=3), pipe(**data(), seed=3))


def test_legacy_random_generator_is_per_thread():
    """Albumentations-style hooks read ``self.random_generator``: each thread sees its own call's."""
    seen = {}

    class Record(A.ImageOnlyTransform):
        def get_params(self):
            seen[threading.get_ident()] = self.random_generator
            return {"v": int(self.random_generator.integers(0, 1 << 30))}

        def apply(self, img, v=0, **params):
            return img

    t = Record(p=1.0)
    pipe = A.Compose([t])
    rng = t.random_generator  # outside a call: a generator of the thread's own
    assert isinstance(rng, np.random.Generator)

    def work(i):
        pipe(image=image(), seed=i)
        return seen[threading.get_ident()] is t.random_generator

    with ThreadPoolExecutor(max_workers=4) as ex:
        assert all(ex.map(work, range(40)))


@pytest.mark.parametrize("name", TRANSFORMS)
def test_calls_leave_the_transform_unchanged(name):
    """No transform keeps per-call state on itself (it would be shared between threads)."""
    t = build(name)
    before = pickle.dumps({k: v for k, v in vars(t).items() if k != "_thread_rngs"})
    pipe = make_pipeline([t], seed=0)
    for kind in ("rgb_u8", "rgb_f32"):
        try:
            pipe(**make_inputs(kind))
        except A.errors.UnsupportedInputError:
            continue
    after = pickle.dumps({k: v for k, v in vars(t).items() if k != "_thread_rngs"})
    assert after == before, f"{name} changed its attributes during a call"
