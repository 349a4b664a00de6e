"""Experimental designs: the parameter points of a sweep.

- ``factorial``: every combination of the listed values (lists and ranges), in order.
- ``lhs``: Latin hypercube (McKay et al. 1979) within bounds, `scipy.stats.qmc.LatinHypercube`.
- ``sobol``: scrambled Sobol' sequence within bounds, `scipy.stats.qmc.Sobol`.
- ``saltelli``: Saltelli's extension of Sobol' sampling for first- and total-order indices
  (SALib ``sobol`` sampler, first and total order only), N * (D + 2) points.
- ``morris``: Morris (1991) elementary-effects trajectories (SALib), r * (D + 1) points.

References:
    McKay, M. D., Beckman, R. J., & Conover, W. J. (1979). A comparison of three methods for
    selecting values of input variables. Technometrics, 21(2), 239-245.
    Morris, M. D. (1991). Factorial sampling plans for preliminary computational experiments.
    Technometrics, 33(2), 161-174.
    Saltelli, A. et al. (2010). Variance based sensitivity analysis of model output. Computer
    Physics Communications, 181(2), 259-270.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from orglearn.experiments.sweep import Bounds, Range, Sweep

__all__ = ["design_points", "design_size", "salib_problem"]


def _values(spec: list | Range) -> list[Any]:
    if isinstance(spec, Range):
        values = np.linspace(spec.start, spec.stop, spec.num)
        return [int(round(v)) for v in values] if spec.integer else [float(v) for v in values]
    return list(spec)


def salib_problem(sweep: Sweep) -> dict[str, Any]:
    """The SALib problem definition of a sampled sweep."""
    names = list(sweep.vary)
    bounds = [[b.low, b.high] for b in sweep.vary.values() if isinstance(b, Bounds)]
    return {"num_vars": len(names), "names": names, "bounds": bounds}


def design_points(sweep: Sweep) -> list[dict[str, Any]]:
    """The sweep's points, each a ``{"section.field": value}`` dict (one empty dict if nothing varies)."""
    d = sweep.design
    if d.kind == "factorial":
        names = list(sweep.vary)
        grids = [_values(spec) for spec in sweep.vary.values()]
        return [dict(zip(names, combo)) for combo in itertools.product(*grids)]
    problem = salib_problem(sweep)
    names = problem["names"]
    low, high = np.array(problem["bounds"], dtype=float).T
    if d.kind in ("lhs", "sobol"):
        from scipy.stats import qmc

        sampler = (
            qmc.LatinHypercube(d=len(names), seed=d.seed)
            if d.kind == "lhs"
            else qmc.Sobol(d=len(names), scramble=True, seed=d.seed)
        )
        unit = sampler.random(d.samples)
        matrix = qmc.scale(unit, low, high)
    elif d.kind == "saltelli":
        from SALib.sample import sobol as sobol_sample

        matrix = sobol_sample.sample(problem, d.samples, calc_second_order=False, seed=d.seed)
    else:
        from SALib.sample import morris as morris_sample

        matrix = morris_sample.sample(problem, d.samples, num_levels=d.levels, seed=d.seed)
    return [dict(zip(names, (float(v) for v in row))) for row in matrix]


def design_size(sweep: Sweep) -> int:
    """How many points `design_points` makes, without making them (a design may be too
    large to make at all)."""
    d = sweep.design
    if d.kind == "factorial":
        size = 1
        for spec in sweep.vary.values():
            size *= spec.num if isinstance(spec, Range) else len(spec)
        return size
    dims = len(sweep.vary)
    if d.kind in ("lhs", "sobol"):
        return d.samples
    if d.kind == "saltelli":
        return d.samples * (dims + 2)
    return d.samples * (dims + 1)  # morris
