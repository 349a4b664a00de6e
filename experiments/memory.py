"""Memory: a run's peak memory estimated before it starts, against what the machine can give.

The estimate is linear in the model's arrays: people x topics (knowledge and the per-step
arrays the processes make from it), ties (the sparse network and its strengths) and people
(traits and state). Its coefficients were fitted to the peak resident memory of real runs
(`tests/experiments/test_memory.py` checks the estimate against a measured run), so it errs on
the high side by design: refusing a run that would have fitted is cheap to override
(``--force``), a run killed by the kernel after minutes is not.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["estimate_bytes", "available_bytes", "memory_problem", "sweep_memory_problem",
           "BASE_BYTES"]

#: What the process holds besides the model's arrays: Python with orglearn, numpy, scipy and
#: Mesa imported, plus numba compiling the model's kernels on a first run (380 MiB measured at
#: 1,000 people with an empty numba cache).
BASE_BYTES = 400 * 2**20
#: Bytes per person and topic, per tie end, and per person: fitted to peak resident memory
#: (VmHWM after 10 steps, empty numba cache, 2026-11-30: 462 MiB at 100,000 people and 20
#: topics, 621 MiB at 300,000, 758 MiB at 300,000 and 80 topics; a million people, 20 topics,
#: a year: 1.57 GB), then raised so that the estimate stays above every measurement (1.2x to
#: 1.9x; about 2.0 GiB at a million people).
_PER_CELL = 32
_PER_TIE = 48
_PER_PERSON = 500


def estimate_bytes(n_agents: int, topics: int, mean_degree: float) -> int:
    """Peak memory of one run of ``n_agents`` people, ``topics`` topics and ``mean_degree``
    ties per person, in bytes (see the module docstring)."""
    n = int(n_agents)
    return int(BASE_BYTES + n * (topics * _PER_CELL + mean_degree * _PER_TIE + _PER_PERSON))


def _mean_degree(params) -> float:
    """Ties per person the generated network will have: the team's members, plus what
    rewiring adds (an observed-ties chart is counted as a team network)."""
    org = params.organisation
    return (org.team_size - 1) * (1.0 + org.rewiring) + 2.0


def _cgroup_limit() -> int | None:
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(path).read_text().strip()
        except OSError:
            continue
        if text.isdigit() and int(text) < 2**60:
            return int(text)
    return None


def available_bytes() -> int | None:
    """Memory this process may still use: the kernel's MemAvailable, capped by a cgroup
    (container) limit; None where neither can be read."""
    available = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                available = int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    limit = _cgroup_limit()
    if limit is not None:
        available = limit if available is None else min(available, limit)
    if available is None and hasattr(os, "sysconf"):
        try:
            available = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (ValueError, OSError):
            return None
    return available


def _gib(value: float) -> str:
    return f"{value / 2**30:.1f} GiB"


def memory_problem(params, workers: int = 1) -> str | None:
    """Why a run (or ``workers`` runs at once) of ``params`` would not fit in memory, or None.

    Args:
        params: the run's `simulation.parameters.Parameters` (or a scenario).
        workers: how many such runs share the machine at once.
    """
    need = estimate_bytes(params.organisation.n_agents, params.organisation.topics,
                          _mean_degree(params)) * max(1, int(workers))
    have = available_bytes()
    if have is None or need <= have:
        return None
    who = "a run" if workers <= 1 else f"{workers} runs at once (one per worker)"
    return (f"{who} of {params.organisation.n_agents:,} people and "
            f"{params.organisation.topics} topics needs about {_gib(need)} of memory, and this "
            f"machine has {_gib(have)} available; use fewer people or workers, or --force to "
            "try anyway")


def sweep_memory_problem(sweep, workers: int | None = None) -> str | None:
    """`memory_problem` for a sweep's largest run (its largest scenario, with the fixed values
    and the largest varied headcount and topics), times the local workers that run at once."""
    from orglearn.experiments.runner import _scenario_ref
    from orglearn.experiments.sweep import Bounds, Range
    from orglearn.scenarios import load
    from orglearn.simulation.parameters import dotted_overrides

    workers = workers or os.cpu_count() or 1
    sizes = {k: v for k, v in sweep.fixed.items() if k.startswith("organisation.")}
    for key in ("organisation.n_agents", "organisation.topics"):
        spec = sweep.vary.get(key)
        if isinstance(spec, Range):
            sizes[key] = int(max(spec.start, spec.stop))
        elif isinstance(spec, Bounds):
            sizes[key] = int(spec.high)
        elif spec:
            sizes[key] = int(max(spec))
    base = sweep.path.parent if sweep.path is not None else None
    largest = None
    for name in sweep.scenarios:
        try:
            scenario = load(_scenario_ref(name, base))
            if sizes:
                scenario = scenario.with_overrides(**dotted_overrides(sizes))
        except Exception:  # noqa: BLE001 - the sweep was checked; an estimate is a courtesy
            continue
        size = scenario.organisation.n_agents * scenario.organisation.topics
        if largest is None or size > largest[0]:
            largest = (size, scenario)
    if largest is None:
        return None
    return memory_problem(largest[1], workers=workers)
