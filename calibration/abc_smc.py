"""The ``abc`` method: pyabc's ABC-SMC, on one core, local processes or a Dask cluster."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import numpy as np

from orglearn.calibration.simulate import LEVEL, Job

__all__ = ["abc_fit"]


class _AbcModel:
    """pyabc model: parameters dict in, statistics dict out; draws its seed from numpy."""

    def __init__(self, job: Job):
        self.job = job

    def __call__(self, pars: dict) -> dict:
        seed = int(np.random.randint(0, 2**31 - 1))  # pyabc seeds numpy's global state
        values = self.job([pars[k] for k in self.job.keys], seed)
        return {f"s{i}": float(v) for i, v in enumerate(values)}


def abc_fit(
    job,
    target,
    scale,
    fit,
    seed,
    workers,
    scheduler,
    population,
    generations,
    max_simulations,
    workdir,
    say,
    progress_shown=False,
):
    import pyabc
    from pyabc.sampler import (
        DaskDistributedSampler,
        MulticoreEvalParallelSampler,
        SingleCoreSampler,
    )

    level = logging.INFO if progress_shown else logging.WARNING  # pyabc logs each generation
    for name in (
        "ABC",
        "ABC.Sampler",
        "ABC.Epsilon",
        "ABC.Distance",
        "ABC.Acceptor",
        "ABC.History",
    ):
        logging.getLogger(name).setLevel(level)
    client = None
    if scheduler:
        from orglearn.experiments.scheduler import connect

        client = connect(scheduler)
        sampler = DaskDistributedSampler(dask_client=client)
    elif workers > 1:
        sampler = MulticoreEvalParallelSampler(n_procs=workers)
    else:
        sampler = SingleCoreSampler()
    np.random.seed(seed % 2**32)
    prior = pyabc.Distribution(**{p.key: pyabc.RV("uniform", p.low, p.high - p.low) for p in fit})
    weights = {f"s{i}": 1.0 / s for i, s in enumerate(scale)}
    abc = pyabc.ABCSMC(
        _AbcModel(job),
        prior,
        pyabc.PNormDistance(p=2, fixed_weights=weights),
        population_size=population,
        sampler=sampler,
    )
    cleanup = None
    if workdir is None:
        cleanup = tempfile.TemporaryDirectory(prefix="orglearn-abc-")
        workdir = cleanup.name
    db = Path(workdir) / "abc.db"
    try:
        say(
            f"ABC-SMC: {population} particles, up to {generations} generations "
            f"and {max_simulations} simulations"
        )
        abc.new(f"sqlite:///{db}", {f"s{i}": float(v) for i, v in enumerate(target)})
        history = abc.run(max_nr_populations=generations, max_total_nr_simulations=max_simulations)
        frame, w = history.get_distribution(m=0, t=history.max_t)
        keys = [p.key for p in fit]
        points = frame[keys].to_numpy()
        quant = pyabc.weighted_statistics.weighted_quantile
        estimate, low, high = (
            np.array([quant(points[:, j], weights=w, alpha=a) for j in range(len(keys))])
            for a in (0.5, (1 - LEVEL) / 2, (1 + LEVEL) / 2)
        )
        simulations = int(history.total_nr_simulations)
        epsilons = [float(e) for e in history.get_all_populations()["epsilon"] if np.isfinite(e)]
        samples = frame[keys].assign(weight=w).reset_index(drop=True)
        used = int(history.max_t) + 1
    finally:
        if client is not None:
            client.close()
        if cleanup is not None:
            cleanup.cleanup()
    interval = (
        f"{LEVEL:.0%} weighted posterior quantiles of the last ABC-SMC generation "
        "(uniform prior over the bounds)"
    )
    extra = {
        "generations": used,
        "epsilons": epsilons,
        "population": population,
        "history": None if cleanup else db.name,
    }
    return estimate, low, high, interval, simulations, samples, extra
