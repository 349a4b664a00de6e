"""Calibration: fit chosen parameters to observed weekly activity of a real organisation.

**Observed series.** A CSV file with a ``week`` column (consecutive integers) and one or more
of the series in `SERIES`, e.g. from enterprise-social-network logs: ``posts``, ``questions``
and ``answers`` (counts per week) and ``contributors`` (share of people with ESN access who
posted that week). A simulated week is ``days_per_week`` steps (working days).

**Summary statistics.** Each series is cut into up to `BLOCKS` consecutive blocks of weeks and
reduced to the block means; the distance between two sets of statistics is the root mean square
of their differences, each divided by the observed series' mean (a relative error).

**Methods.**

- ``quick``: a point estimate with scipy.optimize on a quadratic response surface of the
  statistics, fitted by least squares to simulations on a Latin-hypercube design, first over the
  whole box of bounds and then (up to `LOCAL_ROUNDS` times) in a smaller box around the estimate.
  The **interval** is a parametric bootstrap of the whole estimator with no new simulations: the
  observed statistics are redrawn from a normal distribution with the simulations' residual
  covariance and the surface's coefficients from their least-squares sampling distribution, and
  the estimate is recomputed `BOOTSTRAP` times; the interval holds the middle 95% of the
  re-estimates.
- ``abc``: approximate Bayesian computation with pyabc's ABC-SMC (Del Moral et al. 2012), a
  uniform prior over the bounds, the distance above, on one core, local processes or a Dask
  cluster (``scheduler``). The estimate is the weighted posterior median; the **interval** is
  the weighted 2.5% and 97.5% posterior quantiles of the last generation.

References:
    Gourieroux, C., & Monfort, A. (1996). Simulation-Based Econometric Methods. Oxford UP.
    Del Moral, P., Doucet, A., & Jasra, A. (2012). An adaptive sequential Monte Carlo method for
    approximate Bayesian computation. Statistics and Computing, 22, 1009-1020.
    Schaelte, Y., et al. (2022). pyABC: Efficient and robust easy-to-use approximate Bayesian
    computation. Journal of Open Source Software, 7(74), 4304.
"""

from orglearn.calibration.free_parameters import FitParameter, fit_parameters
from orglearn.calibration.observed import SERIES, Observed, read_observed
from orglearn.calibration.outputs import calibrated_scenario, plot_fit, write_calibration
from orglearn.calibration.run import Calibration, calibrate
from orglearn.calibration.simulate import BLOCKS, LEVEL, simulate_series, summarise
from orglearn.calibration.surface import BOOTSTRAP, LOCAL_ROUNDS

__all__ = [
    "SERIES",
    "Observed",
    "FitParameter",
    "Calibration",
    "read_observed",
    "fit_parameters",
    "simulate_series",
    "summarise",
    "calibrate",
    "plot_fit",
    "calibrated_scenario",
    "write_calibration",
    "BLOCKS",
    "LEVEL",
    "LOCAL_ROUNDS",
    "BOOTSTRAP",
]
