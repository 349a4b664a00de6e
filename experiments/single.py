"""Run one model and write its results: the engine behind ``orglearn run``."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from orglearn.experiments.plots import plot_spread
from orglearn.simulation.model import SocialLearningModel
from orglearn.simulation.parameters import Parameters

__all__ = ["run_single", "write_results", "OUTPUT_FILES"]

OUTPUT_FILES = ("timeseries.csv", "timeseries.parquet", "summary.json", "spread.png")


def run_single(
    params: Parameters,
    steps: int,
    seed: int | None,
    out: str | Path | None = None,
    progress: bool = True,
) -> SocialLearningModel:
    """Build a model from ``params`` and ``seed``, run it ``steps`` steps, optionally write it.

    Args:
        params: the model's parameters.
        steps: steps to run.
        seed: the seed (None draws fresh entropy; the seed used is in summary.json either way).
        out: a directory for `OUTPUT_FILES`, or None to write nothing.
        progress: show a progress bar on stderr.
    """
    if seed is None:
        # Record a concrete seed so that every run can be repeated exactly.
        # 53 bits, so that JSON readers that store numbers as doubles read it exactly.
        seed = int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> 11)
    model = SocialLearningModel(params, rng=seed)
    with tqdm(total=steps, desc="simulating", unit="step", disable=not progress) as bar:
        model.run(steps, progress=bar.update)
    if out is not None:
        write_results(model, out, extra={"seed": seed})
    return model


def write_results(model: SocialLearningModel, out: str | Path, extra: dict[str, Any]) -> Path:
    """Write `OUTPUT_FILES` for a finished model into ``out``, all or nothing.

    The files are written into a temporary directory beside ``out`` and only then moved in, so
    an error or an interruption never leaves a half-written result.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    timeseries = model.timeseries()
    summary = model.summary()
    record = {
        **summary,
        **extra,
        "parameters": model.params.model_dump(),
    }
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        timeseries.to_csv(staging / "timeseries.csv", index=False)
        timeseries.to_parquet(staging / "timeseries.parquet", index=False)
        (staging / "summary.json").write_text(json.dumps(record, indent=2, default=str) + "\n")
        plot_spread(timeseries, summary, staging / "spread.png")
        out.mkdir(exist_ok=True)
        for name in OUTPUT_FILES:
            os.replace(staging / name, out / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out
