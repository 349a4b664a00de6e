"""Run one model and write its results: the engine behind ``orglearn run``.

Only what a run needs is imported: the model, pyarrow for the Parquet file, and matplotlib only
when a figure is drawn (`orglearn.experiments.plots` imports it on first use).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from tqdm.auto import tqdm

from orglearn.experiments.dictionary import DICTIONARY_FILES, run_entries, write_dictionary
from orglearn.experiments.metadata import run_metadata, schema_metadata
from orglearn.experiments.plots import figure_paths, plot_spread
from orglearn.experiments.staging import publish, staged
from orglearn.simulation.model import SocialLearningModel
from orglearn.simulation.parameters import Parameters

__all__ = ["run_single", "write_results", "OUTPUT_FILES", "FIGURE_FILES"]

#: The figure files ``orglearn run`` writes, unless told not to (``--no-plot``).
FIGURE_FILES = tuple(p.name for p in figure_paths("spread"))

#: The files ``orglearn run`` writes (all but `FIGURE_FILES` with ``--no-plot``).
OUTPUT_FILES = (
    "timeseries.csv",
    "timeseries.parquet",
    "summary.json",
    *FIGURE_FILES,
    *DICTIONARY_FILES,
)


def run_single(
    params: Parameters,
    steps: int,
    seed: int | None,
    out: str | Path | None = None,
    progress: bool = True,
    plot: bool = True,
) -> SocialLearningModel:
    """Build a model from ``params`` and ``seed``, run it ``steps`` steps, optionally write it.

    Args:
        params: the model's parameters, or a scenario (`orglearn.load_scenario`).
        steps: steps to run.
        seed: the seed (None draws fresh entropy; the seed used is in summary.json either way).
        out: a directory for `OUTPUT_FILES`, or None to write nothing.
        progress: show a progress bar on stderr.
        plot: also write the figure (`FIGURE_FILES`); False writes the data only and never
            imports matplotlib.
    """
    if seed is None:
        # Record a concrete seed so that every run can be repeated exactly.
        # 53 bits, so that JSON readers that store numbers as doubles read it exactly.
        seed = int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> 11)
    model = SocialLearningModel(params, rng=seed)
    metadata = run_metadata(params, seed, model.params)  # before interventions change them
    with tqdm(total=steps, desc="simulating", unit="step", disable=not progress) as bar:
        model.run(steps, progress=bar.update)
    if out is not None:
        write_results(model, out, metadata, title=getattr(params, "title", "") or None,
                      plot=plot)
    return model


def write_results(
    model: SocialLearningModel,
    out: str | Path,
    metadata: dict[str, Any],
    title: str | None = None,
    plot: bool = True,
) -> Path:
    """Write `OUTPUT_FILES` for a finished model into ``out``, all or nothing.

    ``summary.json`` holds ``metadata`` (`orglearn.experiments.metadata.run_metadata`: version,
    scenario and its hash, seed, parameters) and the model's summary; the Parquet file's schema
    metadata holds ``metadata`` too. The files are written into a staging folder inside ``out``
    and only then moved in, so an error or an interruption never leaves a
    half-written result. With ``plot=False`` the figure is neither drawn nor written, and
    figure files an earlier run left in ``out`` are removed: they would show another run.
    """
    out = Path(out)
    timeseries = model.timeseries()
    summary = model.summary()
    extra = {k: v for k, v in metadata.items() if k != "parameters"}
    record = {**extra, **summary, "parameters": metadata.get("parameters", {})}
    with staged(out) as staging:
        timeseries.to_csv(staging / "timeseries.csv", index=False)
        table = pa.Table.from_pandas(timeseries, preserve_index=False)
        own = schema_metadata(metadata)
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), **own})
        pq.write_table(table, staging / "timeseries.parquet")
        text = json.dumps(record, indent=2, default=str, allow_nan=False)
        (staging / "summary.json").write_text(text + "\n", encoding="utf-8")
        figures: list[Path] = []
        if plot:
            figures = plot_spread(timeseries, record, staging / "spread", title=title)
        entries = run_entries(record, [p.name for p in figures])
        write_dictionary(entries, staging, f"orglearn run of {summary['scenario'] or 'a model'}")
        written = [n for n in OUTPUT_FILES if plot or n not in FIGURE_FILES]
        publish(staging, out, written)
        if not plot:
            for name in FIGURE_FILES:
                (out / name).unlink(missing_ok=True)
    return out
