"""Running a sweep: tasks out to an executor, finished runs streamed to disk, resumable.

One code path for every backend: `run_one` is submitted to a `concurrent.futures.Executor`,
which is this process (``workers=1``), local worker processes, or a Dask cluster's executor
(``scheduler="tcp://host:port"``). A run's numbers depend only on its task, never on who ran it.
"""

from __future__ import annotations

import concurrent.futures as cf
from concurrent.futures.process import BrokenProcessPool
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from tqdm.auto import tqdm

from orglearn.experiments.design import design_points
from orglearn.experiments.lock import LOCK_NAME, FolderLock, FolderLocked
from orglearn.experiments.metadata import sweep_metadata
from orglearn.experiments.store import ResultsDamaged, ResultStore
from orglearn.experiments.sweep import Sweep, SweepError, check_sweep, load_sweep
from orglearn.experiments.tasks import (
    FINAL_COLUMNS,
    METADATA_COLUMNS,
    Task,
    coerce_point,
    environment,
    failed_result,
    run_one,
    version_differences,
)
from orglearn.scenarios.loader import load, names_builtin

__all__ = ["run_sweep", "SweepOutcome", "make_tasks", "iter_tasks"]

#: Finished runs kept in memory before they are written as one part.
FLUSH_RUNS = 32
#: Seconds after which finished runs are written even if fewer than FLUSH_RUNS.
FLUSH_SECONDS = 5.0


@dataclass(frozen=True)
class SweepOutcome:
    """What a finished (or interrupted) sweep session did."""

    out: Path
    total: int
    done_before: int
    ok: int
    failed: int
    runs: pd.DataFrame
    #: Where this session's workers ran other package versions than this machine, one line each.
    version_warnings: tuple[str, ...] = ()
    #: Runs recorded as failed by earlier sessions that this session ran again.
    retried: int = 0
    #: Damaged parts this session moved to ``quarantine/`` (their runs were done again).
    quarantined: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        """Whether every run of the sweep is now recorded."""
        return len(self.runs) == self.total


def make_tasks(sweep: Sweep, base: Path | None = None) -> list[Task]:
    """Every run of the sweep: scenarios x points x replications, with spawned seeds.

    Replicate ``r`` of every scenario and point gets child ``r`` of the root
    ``SeedSequence(sweep.seed)``, so comparisons use common random numbers. Scenario files
    are found relative to ``base`` (default: the sweep file's folder, else the current one).
    A list of `iter_tasks`, which makes them one at a time.
    """
    return list(iter_tasks(sweep, base))


def iter_tasks(
    sweep: Sweep,
    base: Path | None = None,
    points: list[dict[str, Any]] | None = None,
    first_only: bool = False,
) -> Iterator[Task]:
    """The sweep's tasks in run order, made as they are needed (see `make_tasks`), so that
    memory stays bounded whatever the design's size.

    Args:
        points: the design's points, if already made (`design_points`, coerced).
        first_only: only the first task of each scenario (for the sweep's metadata).
    """
    if base is None and sweep.path is not None:
        base = sweep.path.parent
    if points is None:
        points = [coerce_point(p) for p in design_points(sweep)]
    # Child r of SeedSequence(seed).spawn(n) is the root's entropy with spawn key (r,): made
    # here without making a million SeedSequence objects for a million replications.
    root = np.random.SeedSequence(sweep.seed)
    entropy, replications = int(root.entropy), sweep.replications
    scenarios = [_scenario_ref(name, base) for name in sweep.scenarios]
    specs = {ref: _scenario_spec(ref) for ref in scenarios}
    files = {ref: _chart_files(spec) for ref, spec in specs.items()}
    stop = sweep.stop.model_dump() if sweep.stop else None
    fixed = dict(sweep.fixed)
    metrics = tuple(sweep.metrics) if sweep.metrics else None
    per_scenario = len(points) * replications
    for s, scenario in enumerate(scenarios):
        for point_id, point in enumerate(points):
            for replicate in range(replications):
                yield Task(
                    run_id=s * per_scenario + point_id * replications + replicate,
                    scenario=scenario,
                    point_id=point_id,
                    point=point,
                    fixed=fixed,
                    replicate=replicate,
                    seed_entropy=entropy,
                    spawn_key=(*root.spawn_key, replicate),
                    steps=sweep.steps,
                    record=sweep.record,
                    metrics=metrics,
                    stop=stop,
                    spec=specs[scenario],
                    files=files[scenario],
                    model=sweep.model,
                )
                if first_only:
                    break
            if first_only:
                break


class _Tasks:
    """A sweep's tasks as a re-iterable sequence with a length, made lazily (`iter_tasks`)."""

    def __init__(self, sweep: Sweep, points: list[dict[str, Any]]):
        self.sweep, self.points = sweep, points

    def __len__(self) -> int:
        return len(self.sweep.scenarios) * len(self.points) * self.sweep.replications

    def __iter__(self) -> Iterator[Task]:
        return iter_tasks(self.sweep, points=self.points)


def _scenario_spec(ref: str) -> dict[str, Any] | None:
    """A scenario file's content for its tasks (workers then need no access to the file)."""
    if names_builtin(ref):
        return None  # built-ins ship with orglearn
    return load(ref).model_dump(mode="json")


def _chart_files(spec: dict[str, Any] | None) -> dict[str, str] | None:
    """The text of the org-chart files a scenario names, to travel with its tasks."""
    if spec is None:
        return None
    organisation = spec["organisation"]
    named = {k: organisation[k] for k in ("people_file", "ties_file") if organisation.get(k)}
    return {key: Path(path).read_text(encoding="utf-8") for key, path in named.items()} or None


def _scenario_ref(name: str, base: Path | None) -> str:
    if names_builtin(name):
        return name
    path = Path(name)
    if base is not None and not path.is_absolute():
        path = base / path
    return str(path.resolve())


def _runs_schema(sweep: Sweep, points: list[dict[str, Any]]) -> pa.Schema:
    fields = [
        ("run_id", pa.int64()),
        ("scenario", pa.string()),
        *([("model", pa.string())] if sweep.model else []),
        ("point_id", pa.int64()),
        ("replicate", pa.int64()),
        ("seed_entropy", pa.string()),
        ("spawn_key", pa.string()),
        ("status", pa.string()),
        ("error", pa.string()),
        ("steps_run", pa.int64()),
        ("worker", pa.string()),
        ("duration_s", pa.float64()),
    ]
    for key in sweep.vary:
        values = [point[key] for point in points]
        kind = pa.bool_() if all(isinstance(v, bool) for v in values) else pa.float64()
        fields.append((key, kind))
    fields += [(name, pa.type_for_alias(kind)) for name, kind in METADATA_COLUMNS]
    fields += [(name, pa.float64()) for name in FINAL_COLUMNS]
    return pa.schema(fields)


def _row(result: dict[str, Any], task: Task, schema: pa.Schema) -> dict[str, Any]:
    row = dict(result["run"])
    for key, value in task.point.items():
        row[key] = value if isinstance(value, bool) else float(value)
    return {name: row.get(name) for name in schema.names}


def _git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "-C", str(Path(__file__).parent), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class _SerialExecutor(cf.Executor):
    """Runs each task when it is submitted: one worker, in this process."""

    def submit(self, fn, /, *args, **kwargs):  # noqa: D102
        future: cf.Future = cf.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as err:  # noqa: BLE001 - handed to the caller through the future
            if isinstance(err, KeyboardInterrupt):
                raise
            future.set_exception(err)
        return future


def _executor(workers: int, scheduler: str | None):
    """The executor and a closer for it."""
    if scheduler:
        from orglearn.experiments.scheduler import SchedulerError, connect

        try:
            client = connect(scheduler)
        except SchedulerError as err:
            raise SweepError(err.address, err.problem) from None
        # pure=False: every submission is a task of its own, so a run given a second chance
        # after a KilledWorker is not the erred (or just released) task of the same key.
        return client.get_executor(pure=False), client.close, f"dask {scheduler}"
    if workers <= 1:
        return _SerialExecutor(), lambda: None, "this process"
    # One BLAS thread per worker: the workers already use every core, and oversubscription
    # made two workers slower than one in our measurements.
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")
    pool = _LocalPool(workers)
    return pool, pool.close, f"{workers} local processes"


class _LocalPool(cf.Executor):
    """Local worker processes that survive the death of one: `replace` starts a new pool after
    a worker was killed (by the kernel's out-of-memory killer, say), and `run_alone` runs a task
    in a pool of its own to find out whether it is the one that kills its worker."""

    def __init__(self, workers: int):
        self.workers = workers
        self.context = multiprocessing.get_context("forkserver")
        # Workers fork from a server that has already imported the model (about a second and
        # a half of imports per worker otherwise, which short sweeps felt).
        self.context.set_forkserver_preload(
            ["orglearn.experiments.tasks", "orglearn.simulation.model", "orglearn.scenarios.loader"]
        )
        self.pool = self._new(workers)

    def _new(self, workers: int) -> cf.ProcessPoolExecutor:
        return cf.ProcessPoolExecutor(max_workers=workers, mp_context=self.context,
                                      initializer=_exit_with_parent, initargs=(os.getpid(),))

    def submit(self, fn, /, *args, **kwargs):  # noqa: D102
        return self.pool.submit(fn, *args, **kwargs)

    def replace(self) -> None:
        """Drop the broken pool (its other workers too) and start a new one."""
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.pool = self._new(self.workers)

    def run_alone(self, task: Task) -> dict[str, Any]:
        """Run ``task`` in a one-worker pool; a failed result if that worker dies too."""
        alone = self._new(1)
        try:
            future = alone.submit(run_one, task)
            processes = list((getattr(alone, "_processes", None) or {}).values())
            try:
                return future.result()
            except BrokenProcessPool:
                for process in processes:
                    process.join(timeout=60)  # the exit status names the signal
                codes = [p.exitcode for p in processes if p.exitcode is not None]
                return failed_result(task, _death(codes[0] if codes else None))
        finally:
            alone.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        """Stop the workers without waiting."""
        self.pool.shutdown(wait=False, cancel_futures=True)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:  # noqa: D102
        self.pool.shutdown(wait=wait, cancel_futures=cancel_futures)


def _death(exitcode: int | None) -> str:
    """Why a worker process ended, for the run's ``error``."""
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        hint = ", out of memory?" if -exitcode == signal.SIGKILL else ""
        return f"worker died: signal {-exitcode} ({name}{hint})"
    if exitcode is not None:
        return f"worker died: exit status {exitcode}"
    return "worker died (out of memory?)"


def _exit_with_parent(parent: int) -> None:
    """In a worker: end this process when the sweep's process is gone (even after SIGKILL,
    which gives the pool no chance to stop its workers)."""
    import threading

    def watch() -> None:
        while True:
            time.sleep(1.0)
            try:
                os.kill(parent, 0)
            except ProcessLookupError:
                os._exit(1)

    threading.Thread(target=watch, daemon=True, name="orglearn-parent-watch").start()


def run_sweep(
    sweep: str | Path | Sweep,
    out: str | Path,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    progress: bool | None = None,
    retry_failed: bool = False,
    model: type | str | None = None,
    max_runs: int | None = None,
) -> SweepOutcome:
    """Run a sweep and stream its results to ``out``.

    Args:
        sweep: a built-in experiment name, a sweep file, or a `Sweep` (from `load_sweep`,
            `Sweep.with_overrides` or made in Python).
        out: the results directory (see `experiments.store`).
        workers: local worker processes (default: all cores); 1 runs in this process.
        scheduler: address of a Dask scheduler (``tcp://host:port``) to run on instead.
        resume: continue a sweep in ``out``, running only what is not recorded yet. The sweep
            must be the same: the same file's text and the same overrides.
        progress: a progress bar with an ETA on stderr: None (the default) shows it only when
            stderr is a terminal, True always, False never.
        retry_failed: with ``resume``, also run again the runs recorded as failed (after a
            worker ran out of memory, say). A retried run that finishes replaces its failure
            in the results; a model error fails again, since the run repeats exactly.
        model: run this `SocialLearningModel` subclass (a class or ``"package.module:Class"``)
            instead of the sweep's ``model``; the same as ``sweep.with_overrides(model=...)``.
        max_runs: refuse a sweep of more runs than this (default `sweep.MAX_RUNS`, a million,
            or what `load_sweep` was given).

    Returns:
        A `SweepOutcome`, whose ``runs`` is the runs table read back from disk.

    Raises:
        SweepError: the sweep is invalid, or ``out`` holds other results.
    """
    spec = sweep if isinstance(sweep, Sweep) else load_sweep(sweep)[0]
    if model is not None:
        spec = spec.with_overrides(model=model)
    if not spec._checked:  # a sweep made in Python, not yet checked against its scenarios
        check_sweep(spec)
    text, digest = spec.text, spec.sha256
    out = Path(out)
    if max_runs is not None and max_runs != spec._max_runs:
        spec = spec.with_overrides(max_runs=max_runs)
    points = [coerce_point(p) for p in design_points(spec)]
    tasks = _Tasks(spec, points)
    # orglearn version, seed, scenarios' hashes
    provenance = sweep_metadata(spec, list(iter_tasks(spec, points=points, first_only=True)))
    store = ResultStore(out, _runs_schema(spec, points), {**provenance, "sweep_sha256": digest})
    _check_folder(out, _previous(store, resume, digest), resume, text, digest)

    workers = workers or multiprocessing.cpu_count()
    if (spec.model or "").startswith("__main__:") and (scheduler or (
            workers > 1 and not getattr(sys.modules.get("__main__"), "__file__", None))):
        # Local workers import the script that runs the sweep (as multiprocessing does), but
        # not a notebook or an interactive session, and Dask's workers import neither.
        raise SweepError(f"model {spec.model}", "the class is defined in the notebook or script "
                         "that runs the sweep, which Dask workers (and, from a notebook, local "
                         "worker processes) cannot import; put it in a module (installed or on "
                         "PYTHONPATH), or run with workers=1")
    executor, close, backend = _executor(workers, scheduler)  # before writing anything
    lock = FolderLock(out)
    try:
        lock.acquire()
        # Read again under the lock: another session may have written since the check above.
        previous = _previous(store, resume, digest)
        _check_folder(out, previous, resume, text, digest)
    except (FolderLocked, SweepError) as err:
        lock.release()
        close()
        if isinstance(err, FolderLocked):
            raise SweepError(str(out), err.problem) from None
        raise
    try:
        return _run_locked(spec, out, tasks, store, previous, provenance, executor, close,
                           backend, workers, progress, retry_failed)
    finally:
        lock.release()


def _previous(store: ResultStore, resume: bool, digest: str) -> dict | None:
    """The folder's manifest. A damaged one is rebuilt on ``resume`` when the parts show they
    were written by this very sweep (their metadata carries its hash); otherwise refused."""
    try:
        return store.read_manifest()
    except ResultsDamaged as err:
        problem = str(err).split(": ", 1)[-1]
        if not resume:
            raise SweepError(str(store.root), f"holds sweep results whose manifest.json is "
                             f"{problem}; --resume with the same sweep rebuilds it") from None
        if store.sweep_hash_of_parts() != digest:
            raise SweepError(str(store.root), f"manifest.json is {problem}, and no readable "
                             "part shows these are results of this sweep; choose another "
                             "--out") from None
        return {"sweep_sha256": digest, "rebuilt": _now(), "sessions": []}


def _check_folder(out: Path, previous: dict | None, resume: bool, text: str, digest: str) -> None:
    """Refuse a results folder that holds other results, or results without ``resume``."""
    if previous is not None and not resume:
        raise SweepError(str(out), "already holds sweep results; use --resume to continue them "
                         "or choose another --out")
    if previous is not None and previous.get("sweep_sha256") != digest:
        changed = ("other overrides" if previous.get("sweep_file") == text
                   else "a different sweep file (its hash differs)")
        raise SweepError(str(out), f"holds results of {changed}; resume with the same sweep "
                         "and overrides, or choose another --out")
    if previous is None and out.exists() and any(p.name != LOCK_NAME for p in out.iterdir()):
        raise SweepError(str(out), "exists and is not empty; choose another --out")


def _run_locked(spec, out, tasks, store, previous, provenance, executor, close, backend,
                workers, progress, retry_failed) -> SweepOutcome:
    """The session proper, once the folder's lock is held."""
    text, digest = spec.text, spec.sha256
    if previous is not None and "rebuilt" in previous:  # its manifest was damaged
        previous = {**_new_manifest(spec, text, digest, len(tasks), provenance),
                    "rebuilt": previous["rebuilt"], "status": "rebuilt"}
        store.write_manifest(previous)
    done = store.open(retry_failed=retry_failed)
    todo = (t for t in tasks if t.run_id not in done)
    manifest = previous or _new_manifest(spec, text, digest, len(tasks), provenance)
    session = {"started": _now(), "backend": backend, "versions": environment(),
               "git_commit": _git_commit()}
    if store.quarantined:
        session["quarantined"] = store.quarantined
    retried = len(store.recorded - done)  # failed runs of earlier sessions, run again now
    if retry_failed:
        session["retried_failed"] = retried
    manifest["sessions"].append(session)
    manifest["status"] = "running"
    manifest["parts"] = store.parts()
    store.write_manifest(manifest)
    return _run_session(spec, out, tasks, store, manifest, session, todo, done, retried,
                        executor, close, workers, progress)


def _new_manifest(spec: Sweep, text: str, digest: str, total: int,
                  provenance: dict[str, Any]) -> dict[str, Any]:
    return {
        "sweep_file": text,
        "sweep_sha256": digest,
        "sweep": spec.model_dump(mode="json", by_alias=True),
        **({"overrides": spec.overrides} if spec.overrides else {}),
        "total_runs": total,
        "created": _now(),
        **provenance,
        "sessions": [],
    }


def _run_session(spec, out, tasks, store, manifest, session, todo, done, retried, executor,
                 close, workers, progress) -> SweepOutcome:
    """Run what is left, streaming finished runs to disk; the manifest says how it ended."""

    ok = failed = 0
    seen: dict[str, dict[str, Any]] = {}  # the workers' environments, with their run counts
    buffer_runs: list[dict[str, Any]] = []
    buffer_series: list[dict[str, Any]] = []
    last_flush = time.monotonic()

    def flush() -> None:
        nonlocal last_flush
        # Take the rows out of the buffers before writing: if an interrupt lands mid-write,
        # they are simply run again on --resume, never written twice.
        runs, series = buffer_runs[:], buffer_series[:]
        buffer_runs.clear()
        buffer_series.clear()
        store.append(runs, series)
        last_flush = time.monotonic()

    if progress is None:
        progress = sys.stderr.isatty()
    bar = tqdm(total=len(tasks), initial=len(done), desc="runs", unit="run", file=sys.stderr,
               disable=not progress, smoothing=0.05)
    status = "interrupted"
    try:
        for task, result in _as_completed(executor, todo, window=max(2, 2 * workers)):
            buffer_runs.append(_row(result, task, store.runs_schema))
            env = result.get("environment") or {}
            entry = seen.setdefault(json.dumps(env, sort_keys=True), {"versions": env, "runs": 0})
            entry["runs"] += 1
            if result["timeseries"] is not None:
                buffer_series.append(result["timeseries"])
            if result["run"]["status"] == "ok":
                ok += 1
            else:
                failed += 1
                bar.set_postfix(failed=failed)
            bar.update(1)
            if len(buffer_runs) >= FLUSH_RUNS or time.monotonic() - last_flush > FLUSH_SECONDS:
                flush()
        status = "complete" if failed == 0 else "complete with failed runs"
    finally:
        flush()
        bar.close()
        close()
        session["finished"] = _now()
        session["ran"] = ok + failed
        session["worker_versions"] = list(seen.values())
        manifest["status"] = status
        manifest["parts"] = store.parts()
        store.write_manifest(manifest)
        if any((out / "runs").glob("part-*.parquet")):
            store.export_runs_csv()
    from orglearn.experiments.store import load_results

    runs = load_results(out, timeseries=False).runs
    warnings = tuple(version_differences(session["versions"], seen.values()))
    return SweepOutcome(out, len(tasks), len(done), ok, failed, runs, warnings, retried,
                        tuple(store.quarantined))


def _as_completed(
    executor: cf.Executor, tasks: Iterator[Task], window: int
) -> Iterator[tuple[Task, dict]]:
    """Submit tasks keeping at most ``window`` in flight; yield ``(task, result)`` as they
    finish."""
    pending: dict[cf.Future, Task] = {}
    killed: set[int] = set()  # runs Dask has given up on once
    queue = iter(tasks)

    def top_up() -> None:
        for task in queue:
            pending[executor.submit(run_one, task)] = task
            if len(pending) >= window:
                break

    top_up()
    while pending:
        finished, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
        broken: list[Task] = []
        for future in finished:
            task = pending.pop(future)
            try:
                result = future.result()
            except BrokenProcessPool:
                broken.append(task)
                continue
            except Exception as err:
                if type(err).__name__ != "KilledWorker":
                    raise
                # Dask gave up after its retries, but it also blames runs that merely waited
                # on a worker that another run killed: give each a second chance of its own.
                if task.run_id not in killed:
                    killed.add(task.run_id)
                    pending[executor.submit(run_one, task)] = task
                    continue
                result = failed_result(task, f"worker died every time it ran this run "
                                             f"(Dask's KilledWorker, out of memory?): {err}")
            yield task, result
        if broken:
            # A worker died: every run in flight failed with it, and any of them may be the
            # cause. Run each alone: the one that kills its worker again is recorded as failed.
            suspects = sorted([*broken, *pending.values()], key=lambda t: t.run_id)
            pending.clear()
            executor.replace()
            for task in suspects:
                yield task, executor.run_alone(task)
        top_up()

