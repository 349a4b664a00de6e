"""`orglearn bench` end to end on small sizes: every figure is measured in its own process and
reported, in the table, the JSON and the plot. (Speed itself is the benchmark's business, not
the tests'.)"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from orglearn.bench.run import (
    TARGETS,
    TEMP_OUT,
    cold_start,
    format_table,
    plot_scaling,
    run_benchmark,
)


def test_a_small_benchmark_run_reports_every_figure(tmp_path):
    said = []
    result = run_benchmark(
        log=said.append, sizes=(300, 1000), reference_sizes=(300,), seconds=0.05, sweep=(4, 150)
    )
    assert said[0] == "vectorised model, 300 agents ..."
    assert json.loads(json.dumps(result)) == result  # what --json prints
    for n in (300, 1000):
        assert result[f"agent_steps_per_s_{n}"] > 0 and result[f"setup_s_{n}"] >= 0
        assert 0 < result[f"peak_gb_{n}"] < 24  # VmHWM of the child process, in GB
        assert 0 < result[f"fraction_of_bound_{n}"]
    assert result["reference_agent_steps_per_s_300"] > 0
    assert result["speedup_300"] == result["agent_steps_per_s_300"] / result[
        "reference_agent_steps_per_s_300"
    ]
    assert result["seconds_10000_x_365"] > 0 and result["memory_bandwidth_gb_s"] > 0
    assert 0 < result["seconds_200_x_365"] < 60
    # The largest size up to 100,000, again without pinned BLAS threads (a Python API user's).
    assert result["default_blas_ratio_1000"] == (
        result["default_blas_agent_steps_per_s_1000"] / result["agent_steps_per_s_1000"]
    )
    assert result["sweep_speedup"] == result["sweep_runs_per_s_2"] / result["sweep_runs_per_s_1"]
    alone, together = result["busy_runs_per_s_1"], result["busy_runs_per_s_2"]
    assert len(alone) == len(together) == 3 and min(alone + together) > 0
    ceiling = result["two_process_ceiling"]
    assert ceiling == float(np.median(np.array(together) / np.array(alone)))
    assert result["sweep_efficiency"] == result["sweep_speedup"] / ceiling
    efficiency = result["targets"]["sweep speed-up over the machine's two-process ceiling"]
    assert efficiency["value"] == result["sweep_efficiency"]
    assert result["machine"]["cores"] >= 1 and result["machine"]["numba"]
    assert set(result["targets"]) == {label for label, *_ in TARGETS}
    assert result["targets"]["agent-steps/s at 100,000 agents"]["value"] is None
    for name in ("help", "import", "run", "python"):  # CPU seconds of a fresh interpreter
        assert 0 < result[f"cold_start_{name}_cpu_s"] < 60
    assert result["cold_start_python_cpu_s"] < result["cold_start_run_cpu_s"]
    assert said[-1] == "cold start ..."
    target = result["targets"]["orglearn --help, CPU seconds"]
    assert target["value"] == result["cold_start_help_cpu_s"]
    target = result["targets"]["orglearn run --agents 200 --steps 365, CPU seconds"]
    assert target["value"] == result["cold_start_run_cpu_s"] and target["target"] == "< 2.5"

    table = format_table(result)
    assert "per-agent Mesa at 300" in table and "not measured in this run" in table
    assert "10,000 agents x 365 steps" in table and "cold start, CPU seconds" in table
    assert "200 agents x 365 steps, in process" in table and "default BLAS threads" in table
    assert "two independent busy processes over one" in table
    png = plot_scaling(result, tmp_path / "cost.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "orglearn run --agents 200 --steps 365 " in table  # in the cold-start line


def test_cold_start_counts_the_child_processes_cpu_time():
    burn = "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.3:\n    pass"
    assert cold_start(("-c", burn), repeats=1) >= 0.3
    assert cold_start(("-c", "pass"), repeats=3) < cold_start(("-c", burn), repeats=1)


def test_cold_start_gives_each_child_a_fresh_folder_to_write(tmp_path):
    """A run's --out: a folder that does not exist yet, a new one for every child."""
    seen = tmp_path / "seen.txt"
    child = (
        "import sys, pathlib\n"
        "out = pathlib.Path(sys.argv[1])\n"
        "assert not out.exists() and out.parent.is_dir()\n"
        "out.mkdir()\n"
        f"open({str(seen)!r}, 'a').write(str(out) + '\\n')\n"
    )
    cold_start(("-c", child, TEMP_OUT), repeats=2)
    first, second = seen.read_text().split()
    assert first != second and TEMP_OUT not in first
    assert not any(Path(p).exists() for p in (first, second))  # removed afterwards
