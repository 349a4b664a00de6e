"""``orglearn bench``: speed, memory and scaling of the model on this machine, in one run.

What it measures (full model, every process on, K = 20 topics):

- **agent-steps per second** of the vectorised model at N = 1,000, 10,000, 100,000 and
  1,000,000 (``quick`` stops at 100,000), each size in a fresh process so that its set-up time
  and peak memory (``VmHWM``) are its own; the time per step is the median of five rounds;
- the same at the largest size up to 100,000 with **BLAS threads left at the library's
  default** (the environment of a Python API user; the figures above pin one thread, as sweep
  workers do), as a share of the pinned figure: the model itself must not start BLAS threads;
- **a whole 200-agent x 365-step run** in process (set-up and metrics included), the median of
  seven, and **10,000 agents for 365 steps**, wall time;
- the **per-agent Mesa reference model** (`orglearn.bench.reference`: the same rules written
  as idiomatic per-agent Mesa, drawing its scalars from Python's ``random`` as a tuned Mesa
  model does) at 1,000, 10,000 and 100,000 agents (``quick`` skips 100,000, where a step
  takes seconds and the median of three single steps is taken), and the speed-up over it;
- the machine's **memory-copy bandwidth** and the share of the resulting bound that the model
  reaches. The bound assumes a step has to read and write each agent's K knowledge values once
  (16 K bytes per agent-step), the least any step that updates knowledge must move;
- **sweep throughput** with 1 and 2 local workers on the same small sweep, and the machine's
  **two-process ceiling**: the throughput of two independent processes running the sweep's
  runs at the same time over that of one alone (`BusyProcesses`; the median of three rounds,
  taken before, between and after the sweep's two measurements). A shared or throttled machine
  may give two busy processes far less than twice the work of one, whatever the software does,
  so the sweep's speed-up is also reported relative to this ceiling (``sweep_efficiency``);
- **cold start**: the CPU time (user + system) of a fresh interpreter running
  ``orglearn --help``, ``import orglearn``, a whole ``orglearn run --agents 200 --steps 365``
  (figure included, into a fresh temporary folder), and nothing (Python's own start-up), the
  median of `COLD_START_REPEATS`.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "run_benchmark",
    "machine",
    "measure_model",
    "memory_bandwidth",
    "cold_start",
    "BusyProcesses",
    "plot_scaling",
    "TARGETS",
]

SIZES = (1_000, 10_000, 100_000, 1_000_000)
REFERENCE_SIZES = (1_000, 10_000, 100_000)
#: From this size on, a reference step takes seconds: `run_benchmark` times
#: `REFERENCE_LARGE_ROUNDS` single steps after the warm-up step (and ``quick`` skips it).
REFERENCE_LARGE = 100_000
REFERENCE_LARGE_ROUNDS = 3
TOPICS = 20

#: The issue's targets on a 2-core machine: (description, key, comparison, value).
TARGETS = (
    ("agent-steps/s at 100,000 agents", "agent_steps_per_s_100000", ">=", 6_000_000),
    ("agent-steps/s at 1,000,000 agents", "agent_steps_per_s_1000000", ">=", 4_000_000),
    ("200 agents x 365 steps in process, seconds", "seconds_200_x_365", "<=", 0.040),
    (
        "100,000 agents with default BLAS threads, share of the pinned figure",
        "default_blas_ratio_100000", ">=", 0.9,
    ),
    ("10,000 agents x 365 steps, seconds", "seconds_10000_x_365", "<", 2.0),
    ("set-up of 1,000,000 agents, seconds", "setup_s_1000000", "<", 10.0),
    ("peak memory at 1,000,000 agents, GB", "peak_gb_1000000", "<", 4.0),
    ("speed-up over per-agent Mesa at 10,000", "speedup_10000", ">=", 50.0),
    ("sweep speed-up over the machine's two-process ceiling", "sweep_efficiency", ">=", 0.9),
    ("orglearn --help, CPU seconds", "cold_start_help_cpu_s", "<", 0.5),
    ("orglearn run --agents 200 --steps 365, CPU seconds", "cold_start_run_cpu_s", "<", 2.5),
)

#: Stands for a fresh temporary folder (not yet created) in a `cold_start` command line.
TEMP_OUT = "<temporary folder>"
#: What the cold-start figures run, each in a fresh interpreter: ``cold_start_<name>_cpu_s``.
COLD_START = {
    "help": ("-m", "orglearn", "--help"),
    "import": ("-c", "import orglearn"),
    "run": ("-m", "orglearn", "run", "--agents", "200", "--steps", "365", "--out", TEMP_OUT),
    "python": ("-c", "pass"),
}
COLD_START_REPEATS = 5
#: Environment variables that set thread pools' sizes; the default-BLAS figure unsets them.
_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                     "BLIS_NUM_THREADS", "NUMBA_NUM_THREADS")


def _peak_gb() -> float:
    """This process's peak resident memory (VmHWM), in GB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024 / 1e9
    return float("nan")


def measure_model(
    n: int, seconds: float = 3.0, reference: bool = False, rounds: int = 5
) -> dict[str, Any]:
    """Set up one model of ``n`` agents and time its steps for about ``seconds``.

    The time is split into ``rounds`` rounds of at least one step, and the median round's time
    per step is reported: other work on a shared machine slows some rounds, not most. The first
    step is not timed: it is slower in both models (at 100,000 agents the reference's took
    8 s against 4 to 6 s for the next ones).
    Run this in a fresh process (see `run_benchmark`) so that the peak memory is its own.
    """
    if reference:
        from orglearn.bench.reference import ReferenceModel as Model
    else:
        from orglearn.simulation.model import SocialLearningModel as Model
    started = time.perf_counter()
    model = Model(n_agents=n, topics=TOPICS, rng=1)
    setup = time.perf_counter() - started
    model.step()  # warm-up
    per_step = []
    for _ in range(rounds):
        steps, elapsed = 0, 0.0
        started = time.perf_counter()
        while elapsed < seconds / rounds or steps < 1:
            model.step()
            steps += 1
            elapsed = time.perf_counter() - started
        per_step.append(elapsed / steps)
    median = float(np.median(per_step))
    return {
        "n": n,
        "setup_s": setup,
        "steps": int(model.steps),
        "seconds_per_step": median,
        "seconds_per_step_rounds": per_step,
        "agent_steps_per_s": n / median,
        "peak_gb": _peak_gb(),
    }


def _year_of_200(repeats: int = 7) -> float:
    """Median seconds of a whole 200-agent x 365-step run in this process (after one run that
    warms it up): the cost of a typical sweep run or UI what-if, set-up and metrics included."""
    from orglearn.simulation.model import SocialLearningModel

    times = []
    for seed in range(repeats + 1):
        started = time.perf_counter()
        SocialLearningModel(n_agents=200, topics=TOPICS, rng=seed).run(365)
        times.append(time.perf_counter() - started)
    return float(np.median(times[1:]))


def _year_of_10000() -> float:
    from orglearn.simulation.model import SocialLearningModel

    model = SocialLearningModel(n_agents=10_000, topics=TOPICS, rng=1)
    started = time.perf_counter()
    model.run(365)
    return time.perf_counter() - started


def memory_bandwidth(size_mb: int = 512, repeats: int = 5) -> float:
    """Best-of memory copy bandwidth in GB/s (bytes read plus bytes written per second)."""
    src = np.ones(size_mb * 1024 * 1024 // 8)
    dst = np.empty_like(src)
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        np.copyto(dst, src)
        best = min(best, time.perf_counter() - started)
    return 2 * src.nbytes / best / 1e9


def _child_env(pin_blas: bool) -> dict[str, str]:
    """The environment of a measuring child: one BLAS thread, as sweep workers have, or (not
    ``pin_blas``) the thread variables unset, as a Python API user has them."""
    if pin_blas:
        return dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    return {k: v for k, v in os.environ.items() if k not in _THREAD_VARIABLES}


def _in_subprocess(call: str, pin_blas: bool = True) -> Any:
    """Run ``call`` (a Python expression) in a fresh interpreter and return its JSON result.

    With ``pin_blas`` the child gets one BLAS thread, as sweep workers do; without it, the
    environment a Python API user has (BLAS threads left to the library's default).
    """
    code = f"import json, orglearn.bench.run as bench; print(json.dumps(bench.{call}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=_child_env(pin_blas))
    if out.returncode != 0:
        raise RuntimeError(f"benchmark step failed: {call}\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def cold_start(args: Sequence[str], repeats: int = COLD_START_REPEATS) -> float:
    """Median CPU seconds (user + system) of ``python <args>`` in a fresh interpreter.

    CPU time rather than wall time: it is what the start-up costs, whatever else the machine
    is doing. Measured with ``getrusage(RUSAGE_CHILDREN)`` around each child. Each `TEMP_OUT`
    in ``args`` becomes a folder that does not exist yet, new for every child (as for a first
    run), inside a temporary folder removed afterwards.
    """
    times = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory(prefix="orglearn-cold-") as tmp:
            argv = [str(Path(tmp) / "out") if a == TEMP_OUT else a for a in args]
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
            subprocess.run([sys.executable, *argv], check=True, **quiet)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
        times.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return float(np.median(times))


def _sweep_spec(runs: int, agents: int):
    """The benchmark's sweep: ``runs`` replications of the baseline, ``agents`` people, a year."""
    from orglearn.experiments.sweep import Sweep

    return Sweep.model_validate(
        {
            "scenarios": ["baseline"],
            "replications": runs,
            "steps": 365,
            "record": "end",
            # 64 runs of about a second each: starting the worker processes costs about 2 s
            # once per sweep (the fork server's imports), which weighs little in any sweep
            # worth running in parallel, as here.
            "fixed": {"organisation.n_agents": agents},
        }
    )


def _sweep_throughput(workers: int, runs: int = 64, agents: int = 5000) -> float:
    from orglearn.experiments.runner import run_sweep

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        run_sweep(_sweep_spec(runs, agents), Path(tmp) / "out", workers=workers, progress=False)
        return runs / (time.perf_counter() - started)


def _busy_worker(runs: int, agents: int) -> None:
    """One process of `BusyProcesses`: after one untimed run, print ``ready``; then for each
    ``go`` line on standard input, run the sweep's first ``runs`` runs one after another, as a
    sweep worker does (`experiments.tasks.run_one`), and print their wall-clock start and end
    as JSON (``time.time``, so that several processes' times compare)."""
    from orglearn.experiments.runner import make_tasks
    from orglearn.experiments.tasks import run_one

    tasks = make_tasks(_sweep_spec(runs, agents))
    run_one(tasks[0])  # warm-up: numba's cache, first allocations
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip() != "go":
            break
        started = time.time()
        for task in tasks:
            run_one(task)
        print(json.dumps({"start": started, "end": time.time()}), flush=True)


class BusyProcesses:
    """Independent processes that run the sweep's workload when told: the machine's ceiling
    for parallel work.

    The processes share nothing, so the throughput of two running together over that of one
    alone is what the machine gives to a second busy process, whatever the software does: the
    ceiling for a sweep's speed-up with two workers. They start and warm up once and then
    wait, idle, between measurements, so that `run_benchmark` can take rounds of the ceiling
    between the sweep's measurements.

    Args:
        processes: how many processes to start.
        runs: runs of the sweep's workload per process per measurement.
        agents: people per run.

    """

    def __init__(self, processes: int = 2, runs: int = 8, agents: int = 5000) -> None:
        self.runs = runs
        code = f"import orglearn.bench.run as bench; bench._busy_worker({runs}, {agents})"
        env = _child_env(pin_blas=True)
        # stderr to files: a pipe nobody reads could fill up and block the child.
        self._logs = [tempfile.TemporaryFile("w+") for _ in range(processes)]
        self._children = [
            subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=log, text=True, env=env)
            for log in self._logs
        ]
        try:
            for child in self._children:  # "ready"
                self._read(child)
        except BaseException:
            self.close()
            raise

    def _read(self, child: subprocess.Popen) -> str:
        line = child.stdout.readline()
        if not line:
            child.wait()
            log = self._logs[self._children.index(child)]
            log.seek(0)
            raise RuntimeError(f"benchmark step failed: _busy_worker\n{log.read()[-2000:]}")
        return line

    def throughput(self, processes: int) -> float:
        """Runs per second of the first ``processes`` processes running at the same time, from
        the first start to the last end."""
        running = self._children[:processes]
        for child in running:
            child.stdin.write("go\n")
            child.stdin.flush()
        times = [json.loads(self._read(child)) for child in running]
        wall = max(t["end"] for t in times) - min(t["start"] for t in times)
        return processes * self.runs / wall

    def close(self) -> None:
        """Stop the processes."""
        for child, log in zip(self._children, self._logs, strict=True):
            if child.poll() is None:
                child.stdin.close()  # the end of its input ends the process
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.wait()
            child.stdout.close()
            log.close()

    def __enter__(self) -> BusyProcesses:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def machine() -> dict[str, Any]:
    """What the figures were measured on: processor, cores, memory, Python and the libraries
    that do the work."""
    import platform
    from datetime import datetime, timezone

    from orglearn.experiments.tasks import environment

    versions = environment()
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    try:
        memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError, AttributeError):
        memory_gb = None
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": memory_gb,
        "system": platform.platform(),
        **{name: versions.get(name) for name in ("python", "numpy", "scipy", "numba", "mesa")},
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def run_benchmark(
    quick: bool = False,
    log=print,
    *,
    sizes: Sequence[int] = SIZES,
    reference_sizes: Sequence[int] = REFERENCE_SIZES,
    seconds: float = 2.0,
    sweep: tuple[int, int] = (64, 5000),
) -> dict[str, Any]:
    """Measure everything and return one flat dict (see the module docstring).

    ``sizes``, ``reference_sizes`` (a subset of ``sizes``), ``seconds`` of stepping per size
    (three times as long from a million agents) and ``sweep`` (runs, agents per run) default to
    the figures of docs/performance.md; smaller ones make a quick smoke run.
    """
    result: dict[str, Any] = {"cores": os.cpu_count(), "topics": TOPICS, "quick": quick}
    result["machine"] = machine()
    sizes = [n for n in sizes if not (quick and n > 100_000)]
    for n in sizes:
        log(f"vectorised model, {n:,} agents ...")
        m = _in_subprocess(f"measure_model({n}, seconds={seconds * (1 if n < 1_000_000 else 3)})")
        for key in ("setup_s", "seconds_per_step", "seconds_per_step_rounds", "agent_steps_per_s",
                    "peak_gb"):
            result[f"{key}_{n}"] = m[key]
    blas_n = max((n for n in sizes if n <= 100_000), default=None)
    if blas_n is not None:
        log(f"vectorised model, {blas_n:,} agents, default BLAS threads ...")
        m = _in_subprocess(f"measure_model({blas_n}, seconds={seconds})", pin_blas=False)
        result[f"default_blas_agent_steps_per_s_{blas_n}"] = m["agent_steps_per_s"]
        result[f"default_blas_ratio_{blas_n}"] = (
            m["agent_steps_per_s"] / result[f"agent_steps_per_s_{blas_n}"]
        )
    log("200 agents for 365 steps ...")
    result["seconds_200_x_365"] = _in_subprocess("_year_of_200()")
    log("10,000 agents for 365 steps ...")
    result["seconds_10000_x_365"] = _in_subprocess("_year_of_10000()")
    for n in [n for n in reference_sizes if not (quick and n >= REFERENCE_LARGE)]:
        log(f"per-agent Mesa reference, {n:,} agents ...")
        if n >= REFERENCE_LARGE:  # seconds a step: time single steps
            call = f"measure_model({n}, seconds=0, reference=True, rounds={REFERENCE_LARGE_ROUNDS})"
        else:
            call = f"measure_model({n}, seconds={1.5 * seconds}, reference=True)"
        m = _in_subprocess(call)
        result[f"reference_agent_steps_per_s_{n}"] = m["agent_steps_per_s"]
        result[f"speedup_{n}"] = result[f"agent_steps_per_s_{n}"] / m["agent_steps_per_s"]
    log("memory bandwidth ...")
    bandwidth = _in_subprocess("memory_bandwidth()")
    result["memory_bandwidth_gb_s"] = bandwidth
    bound = bandwidth * 1e9 / (16 * TOPICS)
    result["bandwidth_bound_agent_steps_per_s"] = bound
    for n in sizes:
        result[f"fraction_of_bound_{n}"] = result[f"agent_steps_per_s_{n}"] / bound
    log("sweep throughput, 1 and 2 workers, between rounds of the two-process ceiling ...")
    # Rounds of the ceiling before, between and after the sweep's two measurements, so that
    # the ceiling covers the same stretch of the machine's load as the sweep.
    ceiling_runs, agents = max(1, sweep[0] // 8), sweep[1]
    alone, together = [], []
    load = os.getloadavg()[0]
    with BusyProcesses(2, ceiling_runs, agents) as busy:

        def ceiling_round() -> None:
            alone.append(busy.throughput(1))
            together.append(busy.throughput(2))

        ceiling_round()
        one = _in_subprocess(f"_sweep_throughput(1, *{sweep})")
        ceiling_round()
        two = _in_subprocess(f"_sweep_throughput(2, *{sweep})")
        ceiling_round()
    result["sweep_load_average"] = [load, os.getloadavg()[0]]
    result["sweep_runs_per_s_1"], result["sweep_runs_per_s_2"] = one, two
    result["sweep_speedup"] = two / one
    result["busy_runs_per_s_1"], result["busy_runs_per_s_2"] = alone, together
    result["two_process_ceiling"] = float(np.median(np.array(together) / np.array(alone)))
    result["sweep_efficiency"] = result["sweep_speedup"] / result["two_process_ceiling"]
    log("cold start ...")
    for name, args in COLD_START.items():
        result[f"cold_start_{name}_cpu_s"] = cold_start(args)
    result["targets"] = {
        label: {"value": result.get(key), "target": f"{op} {value}", "met": _met(result.get(key), op, value)}
        for label, key, op, value in TARGETS
    }
    return result


def _met(value, op: str, target: float) -> bool | None:
    if value is None:
        return None
    if op == ">=":
        return value >= target
    return value <= target if op == "<=" else value < target


def _measured(result: dict[str, Any], prefix: str) -> list[int]:
    """The sizes N for which ``result`` holds ``<prefix>_<N>``, smallest first."""
    return sorted(
        int(key.removeprefix(prefix + "_"))
        for key in result
        if key.startswith(prefix + "_") and key.removeprefix(prefix + "_").isdigit()
    )


def format_table(result: dict[str, Any]) -> str:
    """The result as a readable table."""
    m = result.get("machine", {})
    lines = [
        f"{m.get('cpu', '?')}, {m.get('cores', '?')} cores; Python {m.get('python', '?')}, "
        f"numpy {m.get('numpy', '?')}, numba {m.get('numba', '?')}; {m.get('date', '')}",
        "",
    ]
    lines += [f"{'agents':>10} {'set-up s':>9} {'ms/step':>9} {'agent-steps/s':>14} {'peak GB':>8} {'of bound':>9}"]
    for n in _measured(result, "agent_steps_per_s"):
        lines.append(
            f"{n:>10,} {result[f'setup_s_{n}']:>9.2f} {1000 * result[f'seconds_per_step_{n}']:>9.1f} "
            f"{result[f'agent_steps_per_s_{n}']:>14,.0f} {result[f'peak_gb_{n}']:>8.2f} "
            f"{result[f'fraction_of_bound_{n}']:>9.1%}"
        )
    lines.append("")
    for n in _measured(result, "speedup"):
        lines.append(
            f"per-agent Mesa at {n:,}: {result[f'reference_agent_steps_per_s_{n}']:,.0f} agent-steps/s; "
            f"vectorised is {result[f'speedup_{n}']:.0f}x faster"
        )
    for n in _measured(result, "default_blas_ratio"):
        lines.append(
            f"{n:,} agents with default BLAS threads: "
            f"{result[f'default_blas_agent_steps_per_s_{n}']:,.0f} agent-steps/s "
            f"({result[f'default_blas_ratio_{n}']:.0%} of the pinned figure)"
        )
    lines.append(f"200 agents x 365 steps, in process: {1000 * result['seconds_200_x_365']:.0f} ms")
    lines.append(f"10,000 agents x 365 steps: {result['seconds_10000_x_365']:.2f} s")
    lines.append(
        f"memory copy: {result['memory_bandwidth_gb_s']:.1f} GB/s -> bound "
        f"{result['bandwidth_bound_agent_steps_per_s']:,.0f} agent-steps/s (16 K bytes per agent-step)"
    )
    lines.append(
        f"sweep: {result['sweep_runs_per_s_1']:.2f} runs/s on 1 worker, {result['sweep_runs_per_s_2']:.2f} on 2 "
        f"({result['sweep_speedup']:.2f}x)"
    )
    rounds = zip(result["busy_runs_per_s_1"], result["busy_runs_per_s_2"], strict=True)
    before, after = result["sweep_load_average"]
    lines.append(
        f"two independent busy processes over one (the machine's ceiling): "
        f"{result['two_process_ceiling']:.2f}x (median of "
        f"{', '.join(f'{together / alone:.2f}' for alone, together in rounds)}); the sweep "
        f"reaches {result['sweep_efficiency']:.0%} of it; load average {before:.1f} before, "
        f"{after:.1f} after"
    )
    cold = {name: result[f"cold_start_{name}_cpu_s"] for name in COLD_START}
    lines.append(
        f"cold start, CPU seconds: orglearn --help {cold['help']:.2f}, import orglearn "
        f"{cold['import']:.2f}, orglearn run --agents 200 --steps 365 {cold['run']:.2f}, "
        f"Python alone {cold['python']:.2f}"
    )
    lines.append("")
    for label, t in result["targets"].items():
        if t["value"] is None:
            lines.append(f"{'-':>8}  {label}: not measured in this run (target {t['target']})")
            continue
        mark = "met" if t["met"] else "NOT met"
        lines.append(f"{mark:>8}  {label}: {t['value']:.3g} (target {t['target']})")
    return "\n".join(lines)


def plot_scaling(result: dict[str, Any], path: str | Path) -> Path:
    """Log-log plot of time per step against N, with the per-agent Mesa reference and the
    memory-bandwidth bound, from a `run_benchmark` result; written as SVG, PDF and 300-dpi PNG
    (returns the PNG's path)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = _measured(result, "seconds_per_step")
    fig, ax = plt.subplots(figsize=(6.5, 4.5), constrained_layout=True)
    ax.loglog(sizes, [result[f"seconds_per_step_{n}"] for n in sizes], "o-", label="orglearn (vectorised)")
    ref = _measured(result, "reference_agent_steps_per_s")
    ax.loglog(ref, [n / result[f"reference_agent_steps_per_s_{n}"] for n in ref], "s--",
              label="same rules, per-agent Mesa")
    bound = result["bandwidth_bound_agent_steps_per_s"]
    ax.loglog(sizes, [n / bound for n in sizes], ":", color="grey", label="memory-bandwidth bound")
    ax.set_xlabel("agents (N)")
    ax.set_ylabel("seconds per step")
    ax.set_title(f"Cost of one step (K = {result['topics']} topics, {result['cores']} cores)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    from orglearn.experiments.plots import save_figure

    return next(p for p in save_figure(fig, path) if p.suffix == ".png")
