"""The ``quick`` method: a quadratic response surface fitted to simulations on a Latin
hypercube, minimised with scipy.optimize, and a parametric bootstrap for the interval."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize, stats

from orglearn.calibration.simulate import LEVEL

__all__ = ["quick_fit", "LOCAL_ROUNDS", "BOOTSTRAP"]

#: Rounds in a smaller box around the estimate after the first, whole-box round.
LOCAL_ROUNDS = 3
#: Re-estimates in the parametric bootstrap.
BOOTSTRAP = 200


def _features(x: np.ndarray) -> np.ndarray:
    """Quadratic features [1, x_i, x_i x_j (i <= j)] of points scaled to the box."""
    x = np.atleast_2d(x)
    i, j = np.triu_indices(x.shape[1])
    return np.hstack([np.ones((x.shape[0], 1)), x, x[:, i] * x[:, j]])


def _feature_jacobian(x: np.ndarray) -> np.ndarray:
    """Derivatives of `_features` at one point x: a (features x parameters) matrix."""
    p = x.size
    i, j = np.triu_indices(p)
    jac = np.zeros((1 + p + i.size, p))
    jac[1 : 1 + p] = np.eye(p)
    rows = 1 + p + np.arange(i.size)
    np.add.at(jac, (rows, i), x[j])
    np.add.at(jac, (rows, j), x[i])
    return jac


def quick_fit(job, simulate, target, scale, lo, hi, seed, design, say):
    p = lo.size
    n = design or max(16, 12 * p)
    seeds = iter(np.random.SeedSequence([seed, 0]).spawn(n * (LOCAL_ROUNDS + 1)))  # enough
    thetas = np.empty((0, p))
    values = np.empty((0, target.size))
    box_lo, box_hi = lo.copy(), hi.copy()
    for round_ in range(LOCAL_ROUNDS + 1):
        if round_ == 1:  # later rounds reuse the earlier points that fall in their box
            n = max(_features(np.zeros((1, p))).shape[1] + 4, n // 2)
        unit = stats.qmc.LatinHypercube(d=p, seed=np.random.default_rng([seed, round_])).random(n)
        new = box_lo + unit * (box_hi - box_lo)
        say(f"round {round_ + 1}: {n} simulations in {_box_text(box_lo, box_hi)}")
        batch = [next(seeds) for _ in range(n)]
        thetas = np.vstack([thetas, new])
        values = np.vstack([values, simulate(new, batch)])
        inside = np.all((thetas >= box_lo - 1e-12) & (thetas <= box_hi + 1e-12), axis=1)
        surface = _Surface(thetas[inside], values[inside], box_lo, box_hi)
        estimate = surface.minimise(target, scale, thetas[inside])
        boots = surface.bootstrap(target, scale, estimate, np.random.default_rng([seed, 2, round_]))
        low, high = np.quantile(boots, [(1 - LEVEL) / 2, (1 + LEVEL) / 2], axis=0)
        if round_ > 0 and _settled(low, high, box_lo, box_hi, lo, hi):
            break
        # Next: a smaller box around the estimate, wide enough for its bootstrap spread.
        half = np.clip(3 * boots.std(axis=0), 0.05 * (hi - lo), 0.25 * (hi - lo))
        box_lo, box_hi = np.maximum(lo, estimate - half), np.minimum(hi, estimate + half)
    interval = (
        f"{LEVEL:.0%} parametric bootstrap of the response-surface estimate "
        f"({BOOTSTRAP} redraws of the observed statistics and the surface; no new runs)"
    )
    samples = pd.DataFrame(boots, columns=list(job.keys))
    extra = {
        "design_points": int(len(thetas)),
        "local_box": [box_lo.tolist(), box_hi.tolist()],
        "surface_points": int(inside.sum()),
    }
    return (
        estimate,
        np.minimum(low, estimate),
        np.maximum(high, estimate),
        interval,
        len(thetas),
        samples,
        extra,
    )


def _settled(low, high, box_lo, box_hi, lo, hi) -> bool:
    """Whether the interval lies inside the box, away from edges that are not global bounds."""
    margin = 0.02 * (box_hi - box_lo)
    ok_low = (low > box_lo + margin) | np.isclose(box_lo, lo)
    ok_high = (high < box_hi - margin) | np.isclose(box_hi, hi)
    return bool(np.all(ok_low & ok_high))


def _box_text(lo, hi) -> str:
    return ", ".join(f"[{a:.3g}, {b:.3g}]" for a, b in zip(lo, hi))


class _Surface:
    """Least-squares quadratic surface of every statistic over a box of parameter values."""

    def __init__(self, thetas, values, lo, hi):
        self.lo, self.hi = lo, hi
        x = self._scaled(thetas)
        features = _features(x)
        self.beta, *_ = np.linalg.lstsq(features, values, rcond=None)
        resid = values - features @ self.beta
        dof = max(1, len(thetas) - features.shape[1])
        self.noise = resid.T @ resid / dof  # covariance of one simulation's statistics
        self.xtx_inv = np.linalg.pinv(features.T @ features)

    def _scaled(self, theta):
        return 2.0 * (np.atleast_2d(theta) - self.lo) / (self.hi - self.lo) - 1.0

    def predict(self, theta, beta=None) -> np.ndarray:
        return _features(self._scaled(theta)) @ (self.beta if beta is None else beta)

    def minimise(self, target, scale, starts, beta=None) -> np.ndarray:
        """The point of the box whose predicted statistics are nearest ``target`` (scaled
        least squares, `scipy.optimize.least_squares` from the best of ``starts``)."""
        beta = self.beta if beta is None else beta
        half = (self.hi - self.lo) / 2.0

        def residual(theta):
            return (self.predict(theta, beta)[0] - target) / scale

        def jacobian(theta):
            x = self._scaled(theta)[0]
            return (_feature_jacobian(x).T @ beta).T / scale[:, None] / half[None, :]

        fitted = np.sum(((self.predict(starts, beta) - target) / scale) ** 2, axis=1)
        best = None
        for start in starts[np.argsort(fitted)[:3]]:
            res = optimize.least_squares(
                residual,
                np.clip(start, self.lo, self.hi),
                jac=jacobian,
                bounds=(self.lo, self.hi),
                method="trf",
            )
            if best is None or res.cost < best.cost:
                best = res
        return best.x

    def bootstrap(self, target, scale, estimate, rng) -> np.ndarray:
        m, q = target.size, self.xtx_inv.shape[0]
        root_noise, root_x = _root(self.noise), _root(self.xtx_inv)
        out = np.empty((BOOTSTRAP, estimate.size))
        for b in range(BOOTSTRAP):
            observed = target + root_noise @ rng.standard_normal(m)
            # vec(beta) ~ N(vec(beta_hat), noise (x) (X'X)^-1): a matrix-normal draw.
            beta = self.beta + root_x @ rng.standard_normal((q, m)) @ root_noise.T
            out[b] = self.minimise(observed, scale, estimate[None, :], beta)
        return out


def _root(cov: np.ndarray) -> np.ndarray:
    """A matrix R with R R' = cov, for a symmetric positive semi-definite (maybe singular) cov."""
    values, vectors = np.linalg.eigh((cov + cov.T) / 2)
    return vectors * np.sqrt(np.clip(values, 0.0, None))
