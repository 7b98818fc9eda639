"""Run ``augkit augment`` jobs on Ray Data (``pip install 'augkit[ray]'``).

The work is the local engine's (:func:`augkit.io.engine.process_sample`), spread with
``ray.data`` ``map_batches``; the driver keeps the manifest and writes the dataset-level
files, so the output is byte for byte the local engine's for the same seed, and an
interrupted run resumes the same way. Workers write the files themselves: the output
folder must be on a file system every Ray node sees (a local Ray always does).

Example (not run here: it starts Ray)::

    import augkit as A
    from augkit.ray import augment_dataset
    pipe = A.Compose([A.HorizontalFlip(), A.RandomBrightnessContrast()])
    summary = augment_dataset("data/coco", pipe, output="data/coco_aug", format="coco",
                              copies=3, seed=0)
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

from augkit.io.engine import (
    AugmentJob,
    Summary,
    _Progress,
    finish,
    handle_entries,
    prepare,
    process_sample,
)

__all__ = ["augment_dataset", "run_job_ray"]


def _import_ray():
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("the Ray engine needs Ray Data: pip install 'augkit[ray]'") from None
    return ray


def _batch_fn(job: AugmentJob):
    def run(batch: dict[str, Any]) -> dict[str, Any]:
        out = []
        for index, sid, copies in zip(batch["index"], batch["id"], batch["copies"]):
            entries = process_sample(job, int(index), str(sid), json.loads(str(copies)))
            out.append(json.dumps(entries))
        return {"entries": out}

    return run


def run_job_ray(job: AugmentJob, address: str | None = None, progress: bool = False,
                tasks_filter: set | None = None, batch_size: int = 4) -> Summary:
    """Run (or resume) ``job`` with Ray Data; starts a local Ray unless one is running
    (or connects to ``address``). ``tasks_filter``: only these sample ids."""
    ray = _import_ray()
    t0 = time.perf_counter()
    if not ray.is_initialized():
        if address:
            ray.init(address=address)
        else:
            ray.init(include_dashboard=False, log_to_driver=False)
    manifest, tasks, summary = prepare(job)
    if tasks_filter is not None:
        tasks = [t for t in tasks if t[1] in tasks_filter]
    bar = _Progress(len(tasks), progress)

    def report(msg):
        print(msg, file=sys.stderr)

    try:
        if tasks:
            items = [{"index": i, "id": sid, "copies": json.dumps(c)} for i, sid, c in tasks]
            ds = ray.data.from_items(items).map_batches(_batch_fn(job), batch_size=batch_size)
            for row in ds.iter_rows():
                handle_entries(manifest, json.loads(row["entries"]), job, report)
                bar.step()
    finally:
        bar.close()
    summary = finish(job, manifest, summary)
    summary.seconds = time.perf_counter() - t0
    return summary


def augment_dataset(data: Any, pipeline: Any, output: str, *, format: str, copies: int = 1,
                    seed: int = 0, input: str | None = None, include_originals: bool = False,
                    strict: bool = False, address: str | None = None,
                    progress: bool = False) -> Summary:
    """Augment a dataset with Ray; the same files as ``augkit augment`` with the same seed.

    Args:
        data: the dataset folder, or a ``ray.data.Dataset`` with an ``id`` column naming the
            samples to process (ids as the format reader gives them; ``input`` is then the
            dataset folder).
        pipeline: a Compose, or the path of a pipeline file (see ``augkit augment --help``).
        output: the output folder (new, empty, or an interrupted run's to resume).
        format: ``coco``, ``yolo``, ``voc`` or ``masks``.
        copies, seed, include_originals, strict: as the command-line options.
        address: a Ray cluster address; default: the running Ray, else a local one.
    """
    ray = _import_ray()
    ids = None
    if isinstance(data, (str, os.PathLike)):
        input = os.fspath(data)
    else:
        if input is None:
            raise ValueError("augment_dataset: pass input=<dataset folder> with a ray.data.Dataset")
        if isinstance(data, ray.data.Dataset):
            ids = {str(r["id"]) for r in data.select_columns(["id"]).iter_rows()}
        else:
            ids = {str(i) for i in data}
    job = AugmentJob(input=input, format=format, output=output, pipeline=pipeline, copies=copies,
                     seed=seed, include_originals=include_originals, strict=strict)
    return run_job_ray(job, address=address, progress=progress, tasks_filter=ids)
