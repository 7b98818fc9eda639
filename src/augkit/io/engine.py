"""The engine behind ``augkit augment``: resumable, deterministic dataset augmentation.

* Every output file is written atomically (temporary file + ``os.replace``).
* ``OUTPUT/augkit-manifest.jsonl`` gets one line per finished (sample, copy), flushed and
  fsync'd, holding what the dataset-level files need (COCO's image and annotation
  entries). After a crash or Ctrl-C the same command skips what the manifest lists and
  finishes; dataset-level files are written at the end from the manifest, which is then
  rewritten in sample order, so a resumed run leaves exactly the files of an
  uninterrupted one.
* Copy ``c`` of sample ``id`` is augmented with its own seed, derived from
  ``(seed, sha256(id), c)`` through ``numpy.random.SeedSequence`` and set with the
  pipeline's ``set_random_seed``: the result does not depend on the order in which
  samples are processed, on the number of workers or on the engine (local or Ray).
* A sample that cannot be read is reported (file and line), counted and skipped, or
  stops the run with ``strict=True``.

>>> sample_seed(0, "img/a.jpg", 1) == sample_seed(0, "img/a.jpg", 1)
True
>>> sample_seed(0, "img/a.jpg", 1) != sample_seed(0, "img/a.jpg", 2)
True
"""

from __future__ import annotations

import hashlib
import json
import os
import runpy
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from augkit.io.base import copy_name, get_format
from augkit.io.common import (
    TMP_MARK,
    SampleError,
    apply_pipeline,
    atomic_write,
    prepare_pipeline,
    stable_hash,
)

__all__ = ["AugmentJob", "Summary", "load_pipeline", "run_job", "sample_seed"]

MANIFEST = "augkit-manifest.jsonl"
MANIFEST_VERSION = 1


def sample_seed(seed: int, sample_id: str, copy: int) -> int:
    """The pipeline seed of copy ``copy`` of sample ``sample_id`` (stable everywhere)."""
    h = stable_hash(sample_id)
    ss = np.random.SeedSequence([int(seed) & 0xFFFFFFFF, int(seed) >> 32 & 0xFFFFFFFF,
                                 h & 0xFFFFFFFF, h >> 32, int(copy)])
    a, b = ss.generate_state(2, dtype=np.uint32)
    return int(a) << 32 | int(b)


def load_pipeline(path: str) -> Any:
    """A pipeline from a Python file defining ``transform``, or a YAML/JSON file written by
    augkit's serializer (``augkit.core.serialization.load``)."""
    ext = os.path.splitext(path)[1].lower()
    if ext == ".py":
        namespace = runpy.run_path(path, run_name="augkit_pipeline")
        if "transform" not in namespace:
            raise ValueError(f"{path}: a pipeline file must define a variable named 'transform'")
        return namespace["transform"]
    if ext in (".yaml", ".yml", ".json"):
        try:
            from augkit.core.serialization import load
        except ImportError as e:
            raise ImportError(f"{path}: loading YAML/JSON pipelines needs augkit.core.serialization "
                              f"({e})") from None
        return load(path)
    raise ValueError(f"{path}: a pipeline is a .py file defining 'transform' or a .yaml/.yml/.json "
                     f"file written by augkit's serializer")


@dataclass
class AugmentJob:
    """What to do; picklable, so workers (processes or Ray tasks) rebuild their state from it.

    ``pipeline`` is a path (loaded in each worker) or a pipeline object (pickled)."""

    input: str
    format: str
    output: str
    pipeline: Any
    copies: int = 1
    seed: int = 0
    include_originals: bool = False
    strict: bool = False

    def __post_init__(self):
        self.input = os.path.abspath(self.input)
        self.output = os.path.abspath(self.output)
        if self.copies < 0:
            raise ValueError(f"copies must be >= 0, got {self.copies}")
        get_format(self.format)

    def copy_numbers(self) -> list[int]:
        return ([0] if self.include_originals else []) + list(range(1, self.copies + 1))

    def fingerprint(self) -> dict[str, Any]:
        """What must match for a resume to be allowed."""
        if isinstance(self.pipeline, (str, os.PathLike)):
            with open(self.pipeline, "rb") as fh:
                pipe = "sha256:" + hashlib.sha256(fh.read()).hexdigest()
        else:
            pipe = "repr-sha256:" + hashlib.sha256(repr(self.pipeline).encode()).hexdigest()
        return {"format": self.format, "input": self.input, "copies": self.copies,
                "seed": self.seed, "include_originals": self.include_originals, "pipeline": pipe}


@dataclass
class Summary:
    samples: int = 0
    written: int = 0
    objects_dropped: int = 0
    keypoints_hidden: int = 0
    errors: list[str] = field(default_factory=list)
    resumed: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def text(self) -> str:
        return (f"samples: {self.samples}, files written: {self.written} "
                f"({self.resumed} from an earlier run), annotations dropped by the visibility "
                f"rules: {self.objects_dropped} objects, {self.keypoints_hidden} keypoints hidden, "
                f"errors: {len(self.errors)}, {self.seconds:.1f} s")


# ---------------------------------------------------------------------------------
# per-sample work (runs in workers)
# ---------------------------------------------------------------------------------
_STATE: dict[str, Any] = {}


def _worker_state(job: AugmentJob):
    key = json.dumps(job.fingerprint(), sort_keys=True) + job.output
    if _STATE.get("key") != key:
        pipe = load_pipeline(os.fspath(job.pipeline)) if isinstance(job.pipeline, (str, os.PathLike)) \
            else job.pipeline
        _STATE.update(key=key, dataset=get_format(job.format)(job.input), pipeline=prepare_pipeline(pipe))
    return _STATE["dataset"], _STATE["pipeline"]


def process_sample(job: AugmentJob, index: int, sample_id: str, copies: Iterable[int]) -> list[dict]:
    """Write the given copies of one sample; returns their manifest entries (an error
    entry instead when the sample cannot be read)."""
    dataset, pipeline = _worker_state(job)
    try:
        sample = dataset.read(sample_id)
    except SampleError as e:
        return [{"key": f"{sample_id}#error", "index": index, "copy": -1, "id": sample_id,
                 "error": str(e)}]
    entries = []
    for c in copies:
        rel = copy_name(sample["file_name"], c)
        if c == 0:
            with open(dataset.image_path(sample_id), "rb") as fh:
                raw = fh.read()
            record = dataset.write(job.output, sample, rel, image_bytes=raw, original=True)
            stats = {"objects_dropped": 0, "keypoints_hidden": 0}
        else:
            pipeline.set_random_seed(sample_seed(job.seed, sample_id, c))
            out, stats = apply_pipeline(pipeline, sample)
            record = dataset.write(job.output, out, rel)
        entries.append({"key": f"{sample_id}#{c}", "index": index, "copy": c, "id": sample_id,
                        "file": rel, "record": record, **stats})
    return entries


def _process_task(job: AugmentJob, task: tuple) -> list[dict]:
    return process_sample(job, *task)


# ---------------------------------------------------------------------------------
# the manifest
# ---------------------------------------------------------------------------------
class Manifest:
    def __init__(self, output: str, fingerprint: dict[str, Any]):
        self.path = os.path.join(output, MANIFEST)
        self.fingerprint = fingerprint
        self.entries: dict[str, dict] = {}
        if os.path.exists(self.path):
            self._load()
        else:
            if os.path.isdir(output) and os.listdir(output):
                raise ValueError(f"output {output} exists, is not empty and holds no {MANIFEST}; "
                                 f"choose an empty or new folder")
            os.makedirs(output, exist_ok=True)
            header = json.dumps({"augkit_manifest": MANIFEST_VERSION, "job": fingerprint}, sort_keys=True)
            atomic_write(self.path, (header + "\n").encode())
        self._fh = open(self.path, "ab")

    def _load(self) -> None:
        with open(self.path, "rb") as fh:
            data = fh.read()
        end = data.rfind(b"\n") + 1
        if end < len(data):  # a line cut by a crash: drop it before appending
            with open(self.path, "r+b") as fh:
                fh.truncate(end)
        lines = data[:end].decode("utf-8").splitlines()
        header = json.loads(lines[0]) if lines else {}
        if header.get("job") != self.fingerprint:
            raise ValueError(f"{self.path} belongs to a different job ({header.get('job')}); "
                             f"this one is {self.fingerprint}. Use another --output to start afresh")
        for line in lines[1:]:
            entry = json.loads(line)
            self.entries[entry["key"]] = entry

    def add(self, entries: list[dict]) -> None:
        for e in entries:
            line = json.dumps(e)
            # keep what a resumed run would read back, so both runs finish from equal data
            self.entries[e["key"]] = json.loads(line)
            self._fh.write((line + "\n").encode())
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def close(self) -> None:
        self._fh.close()

    def rewrite_sorted(self) -> list[dict]:
        ordered = sorted(self.entries.values(), key=lambda e: (e["index"], e["copy"]))
        header = json.dumps({"augkit_manifest": MANIFEST_VERSION, "job": self.fingerprint}, sort_keys=True)
        text = header + "\n" + "".join(json.dumps(e) + "\n" for e in ordered)
        self.close()
        atomic_write(self.path, text.encode())
        return ordered


# ---------------------------------------------------------------------------------
# running a job
# ---------------------------------------------------------------------------------
def check_paths(input_dir: str, output_dir: str) -> None:
    """Refuse an output that is the input, inside it, or contains it."""
    a, b = os.path.realpath(input_dir), os.path.realpath(output_dir)
    if a == b or b.startswith(a + os.sep) or a.startswith(b + os.sep):
        raise ValueError(f"refusing to write into the input dataset: output {output_dir} and input "
                         f"{input_dir} overlap; choose an output folder outside the input")


def _remove_stale_temporaries(output: str) -> None:
    for dirpath, _dirs, files in os.walk(output):
        for f in files:
            if f.endswith(TMP_MARK):
                os.unlink(os.path.join(dirpath, f))


class _Progress:
    def __init__(self, total: int, enabled: bool):
        self.total, self.done, self.enabled, self.bar = total, 0, enabled, None
        if enabled:
            try:
                from tqdm import tqdm
                self.bar = tqdm(total=total, unit="sample", file=sys.stderr, desc="augment")
            except ImportError:
                self._line()

    def _line(self):
        sys.stderr.write(f"\raugment: {self.done}/{self.total} samples")
        sys.stderr.flush()

    def step(self, n: int = 1):
        self.done += n
        if self.bar is not None:
            self.bar.update(n)
        elif self.enabled:
            self._line()

    def close(self):
        if self.bar is not None:
            self.bar.close()
        elif self.enabled:
            sys.stderr.write("\n")


class StrictError(RuntimeError):
    """A sample could not be read and the job runs with ``strict=True``."""


def prepare(job: AugmentJob) -> tuple[Manifest, list[tuple], Summary]:
    """Open (or resume) the output; returns the manifest, the tasks left and a summary."""
    check_paths(job.input, job.output)
    dataset = get_format(job.format)(job.input)
    ids = dataset.ids()
    manifest = Manifest(job.output, job.fingerprint())
    _remove_stale_temporaries(job.output)
    summary = Summary(samples=len(ids))
    tasks = []
    for i, sid in enumerate(ids):
        if f"{sid}#error" in manifest.entries:
            continue
        todo = [c for c in job.copy_numbers() if f"{sid}#{c}" not in manifest.entries]
        if todo:
            tasks.append((i, sid, todo))
    summary.resumed = sum(1 for e in manifest.entries.values() if "error" not in e)
    return manifest, tasks, summary


def handle_entries(manifest: Manifest, entries: list[dict], job: AugmentJob,
                   report: Callable[[str], None]) -> None:
    errors = [e for e in entries if "error" in e]
    if errors and job.strict:
        raise StrictError(errors[0]["error"])
    for e in errors:
        report(f"error: {e['error']} (sample skipped)")
    manifest.add(entries)


def finish(job: AugmentJob, manifest: Manifest, summary: Summary) -> Summary:
    """Write the dataset-level files from the manifest and complete the summary."""
    ordered = manifest.rewrite_sorted()
    done = [e for e in ordered if "error" not in e]
    dataset = get_format(job.format)(job.input)
    dataset.finalize(job.output, [(e["record"], e["copy"] == 0) for e in done])
    summary.written = len(done)
    summary.objects_dropped = sum(e.get("objects_dropped", 0) for e in done)
    summary.keypoints_hidden = sum(e.get("keypoints_hidden", 0) for e in done)
    summary.errors = [e["error"] for e in ordered if "error" in e]
    return summary


def run_job(job: AugmentJob, workers: int = 1, progress: bool = False,
            report: Callable[[str], None] | None = None) -> Summary:
    """Run (or resume) ``job`` on this machine with ``workers`` processes."""
    t0 = time.perf_counter()
    report = report or (lambda msg: print(msg, file=sys.stderr))
    manifest, tasks, summary = prepare(job)
    bar = _Progress(len(tasks), progress)
    try:
        if workers <= 1:
            for task in tasks:
                handle_entries(manifest, process_sample(job, *task), job, report)
                bar.step()
        else:
            _run_pool(job, tasks, workers, manifest, bar, report)
    finally:
        bar.close()
    summary = finish(job, manifest, summary)
    summary.seconds = time.perf_counter() - t0
    return summary


def _run_pool(job, tasks, workers, manifest, bar, report):
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    # spawn: a fresh interpreter per worker, safe whatever threads (OpenCV's) the parent runs
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        pending = set()
        it = iter(tasks)
        try:
            while True:
                while len(pending) < 2 * workers:  # bounded: memory stays flat on big datasets
                    task = next(it, None)
                    if task is None:
                        break
                    pending.add(pool.submit(_process_task, job, task))
                if not pending:
                    break
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in finished:
                    handle_entries(manifest, fut.result(), job, report)
                    bar.step()
        except BaseException:
            for fut in pending:
                fut.cancel()
            raise
