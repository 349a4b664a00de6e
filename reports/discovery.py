"""Scenario discovery: which ranges of the varied parameters make the new idea fail to spread.

PRIM, the patient rule induction method (Friedman & Fisher 1999), as the EMA Workbench implements
it (Kwakkel 2017; same quantile rule, lenient objective, peeling and pasting, and covering), in
numpy so that ``orglearn report`` needs no optional extra. `prim` peels a box over numeric
parameters, `discover` chooses boxes and tests them, and `discovery_section` writes the report's
section for a sweep.

Which box of the peeling trajectory: the one with the largest
``coverage * (density - base) / (1 - base)`` (``base``: the share of failures in the data), that
is 0 for the whole space or any box no denser than the data and 1 for a box holding every failure
and nothing else; limits whose removal does not lower that value are then dropped (PRIM also
peels dimensions that do not matter when noise makes a peel pay). Is it real: a permutation test
shuffles the outcomes among runs of the same replicate (so that common random numbers are kept),
runs PRIM again and compares the best value; a box is reported only if random outcomes do as
well in at most 5% of the shuffles.

References:
    Friedman, J. H., & Fisher, N. I. (1999). Bump hunting in high-dimensional data. Statistics
    and Computing, 9(2), 123-143.
    Bryant, B. P., & Lempert, R. J. (2010). Thinking inside the box: A participatory,
    computer-assisted approach to scenario discovery. Technological Forecasting and Social
    Change, 77(1), 34-49.
"""

from __future__ import annotations

import base64
import html
import io
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from orglearn.experiments.dictionary import DISCOVERY_COLUMNS  # noqa: E402
from orglearn.experiments.plots import parameter_label, save_figure, scenario_label  # noqa: E402

__all__ = ["prim", "discover", "Trajectory", "Box", "Discovery", "discovery_section"]


@dataclass(frozen=True)
class Trajectory:
    """The boxes PRIM went through, from the whole space (row 0) to the last peel or paste."""

    stats: pd.DataFrame  # coverage, density, mass, res_dim, n, k per box
    limits: list[np.ndarray]  # each box's (2, D) lower and upper limits
    columns: list[str]
    initial: np.ndarray  # (2, D): the range of every column over all the data


def _quantile(data: np.ndarray, q: float) -> float:
    """EMA's (and sdtoolkit's) quantile: a midpoint between distinct sorted values, so that a
    peel removes whole values when values repeat."""
    data = np.sort(data)
    i = (len(data) - 1) * q
    low, high = math.floor(i), math.ceil(i)
    if q > 0.5:
        while data[low] == data[high] and low > 0:
            low -= 1
    else:
        while data[low] == data[high] and high < len(data) - 1:
            high += 1
    return (data[low] + data[high]) / 2


def _gain(y_old: np.ndarray, y_new: np.ndarray) -> float:
    """EMA's default (lenient) objective: change of the mean per point removed or added."""
    mean_old = y_old.mean()
    mean_new = y_new.mean() if y_new.size else 0.0
    if mean_old == mean_new:
        return 0.0
    return (mean_new - mean_old) / abs(y_old.size - y_new.size)


def _inside(x: np.ndarray, limits: np.ndarray, dims: np.ndarray) -> np.ndarray:
    return ((x[:, dims] >= limits[0, dims]) & (x[:, dims] <= limits[1, dims])).all(axis=1)


def prim(
    x: pd.DataFrame,
    y: np.ndarray,
    *,
    remaining: np.ndarray | None = None,
    peel_alpha: float = 0.05,
    paste_alpha: float = 0.05,
    mass_min: float = 0.05,
    paste: bool = True,
) -> Trajectory:
    """Peel (and paste) one box over the numeric columns of ``x`` for the mean of ``y``.

    Args:
        x: one column per parameter (booleans count as 0 and 1).
        y: per row, 1 for a case of interest and 0 otherwise (or a share in between).
        remaining: the rows to work on (covering: rows of earlier boxes removed); all by default.
            Coverage and mass stay relative to all rows, as in the EMA Workbench.
    """
    columns = list(x.columns)
    data = x.to_numpy(dtype=float)
    y = np.asarray(y, dtype=float)
    n, dims = data.shape
    rows = np.arange(n) if remaining is None else np.asarray(remaining)
    initial = np.vstack([data.min(axis=0), data.max(axis=0)])
    total = max(y.sum(), 1.0)
    records: list[dict] = []
    history: list[np.ndarray] = []

    def record(limits: np.ndarray, idx: np.ndarray) -> None:
        k = y[idx].sum()
        res_dim = int((limits != initial).any(axis=0).sum())
        records.append({"coverage": k / total, "density": k / idx.size, "mass": idx.size / n,
                        "res_dim": res_dim, "n": idx.size, "k": k})
        history.append(limits)

    def best(candidates):  # the first of the highest (gain, unrestricted dimensions)
        return max(candidates, key=lambda c: (c[0], c[1]))

    box, idx = initial.copy(), rows
    record(box, idx)
    while True:  # peeling: cut the slice whose removal raises the mean most per point lost
        candidates = []
        for j in range(dims):
            column = data[idx, j]
            for side, q in ((1, 1 - peel_alpha), (0, peel_alpha)):
                limit = _quantile(column, q)
                keep = column <= limit if side else column >= limit
                new = box.copy()
                new[side, j] = limit
                free = dims - int((new != initial).any(axis=0).sum())
                candidates.append((_gain(y[idx], y[idx[keep]]), free, new, idx[keep]))
        gain, _, new, new_idx = best(candidates)
        if not (new_idx.size / n >= mass_min and new_idx.size < idx.size and gain > 0):
            break
        box, idx = new, new_idx
        record(box, idx)
    while paste:  # pasting: add back the slice next to the box that raises the mean most
        restricted = np.flatnonzero((box != initial).any(axis=0))
        pool = data[rows]
        candidates = []
        for j in restricted:
            for side in (0, 1):
                strip = box.copy()
                if side == 0:
                    strip[:, j] = initial[0, j], box[0, j]
                else:
                    strip[:, j] = box[1, j], initial[1, j]
                values = pool[_inside(pool, strip, restricted), j]
                if values.size:
                    limit = _quantile(values, 1 - paste_alpha if side == 0 else paste_alpha)
                else:
                    limit = initial[side, j]
                new = box.copy()
                new[side, j] = limit
                new_idx = rows[_inside(pool, new, restricted)]
                free = dims - int((new != initial).any(axis=0).sum())
                candidates.append((_gain(y[idx], y[new_idx]), free, new, new_idx))
        if not candidates:
            break
        gain, _, new, new_idx = best(candidates)
        if not (new_idx.size / n >= mass_min and new_idx.size > idx.size and gain > 0
                and y[new_idx].mean() > y[idx].mean()):
            break
        box, idx = new, new_idx
        record(box, idx)
    return Trajectory(pd.DataFrame(records), history, columns, initial)


def quality(
    trajectory: Trajectory, y: np.ndarray, remaining: np.ndarray | None = None
) -> np.ndarray:
    """``coverage * (density - base) / (1 - base)`` of every box of the trajectory, with coverage
    and base rate taken over the ``remaining`` rows."""
    y_rem = np.asarray(y, dtype=float) if remaining is None else np.asarray(y, float)[remaining]
    base, k_all = y_rem.mean(), y_rem.sum()
    if not 0 < base < 1:
        return np.zeros(len(trajectory.stats))
    stats = trajectory.stats
    return (stats["k"] / k_all * (stats["density"] - base) / (1 - base)).to_numpy()


def _score(y_box: np.ndarray, y: np.ndarray) -> float:
    """``coverage * (density - base) / (1 - base)`` of a box's outcomes among ``y``."""
    base = y.mean()
    if not y_box.size or not 0 < base < 1:
        return 0.0
    return y_box.sum() / y.sum() * (y_box.mean() - base) / (1 - base)


def _prune(x: np.ndarray, y: np.ndarray, limits: np.ndarray, initial: np.ndarray) -> np.ndarray:
    """Drop, one at a time, the limit whose removal raises the box's quality most, while one
    does not lower it: PRIM also peels dimensions that do not matter, when noise makes a peel
    pay, and such limits only shrink coverage."""
    limits = limits.copy()
    while True:
        dims = np.flatnonzero((limits != initial).any(axis=0))
        current = _score(y[_inside(x, limits, dims)], y)
        best, best_score = None, current
        for side, j in zip(*np.nonzero(limits != initial)):
            trial = limits.copy()
            trial[side, j] = initial[side, j]
            score = _score(y[_inside(x, trial, dims)], y)
            if score >= best_score:
                best, best_score = (side, j), score
        if best is None:
            return limits
        limits[best] = initial[best]


@dataclass(frozen=True)
class Box:
    """One box found: its limits, how good it is, and the trajectory it was chosen from.

    The box is the trajectory's box ``index`` without the limits that do not pay (`_prune`);
    its statistics are those of the box after that.
    """

    limits: dict[str, tuple[float, float]]  # restricted columns only
    coverage: float  # share of all failures inside the box
    density: float  # share of the runs inside the box that failed
    mass: float  # share of all runs inside the box
    n: int
    k: float
    quality: float
    p_value: float  # (1 + shuffles_as_good) / (1 + shuffles)
    shuffles_as_good: int
    index: int  # position on the trajectory
    trajectory: Trajectory
    rows: np.ndarray  # the rows inside the box


@dataclass(frozen=True)
class Discovery:
    """What `discover` found: significant boxes (maybe none) and the last one it rejected."""

    boxes: list[Box]
    rejected: Box | None
    base_rate: float
    n: int


def discover(
    x: pd.DataFrame,
    y: np.ndarray,
    *,
    groups: np.ndarray | None = None,
    max_boxes: int = 3,
    permutations: int = 99,
    alpha: float = 0.05,
    seed: int = 0,
    **options,
) -> Discovery:
    """Find up to ``max_boxes`` boxes of high ``y``, each tested by permutation (see above).

    ``groups`` (e.g. the replicate) limits the shuffles to rows of the same group; ``options``
    go to `prim`. Covering: each later box is sought among the rows outside earlier boxes.
    """
    y = np.asarray(y, dtype=float)
    rng = np.random.default_rng(seed)
    groups = np.zeros(len(y)) if groups is None else np.asarray(groups)
    remaining = np.arange(len(y))
    boxes: list[Box] = []
    rejected = None
    for _ in range(max_boxes):
        y_rem = y[remaining]
        if y_rem.sum() < 2 or y_rem.mean() >= 1:
            break
        trajectory = prim(x, y, remaining=remaining, **options)
        scores = quality(trajectory, y, remaining)
        index = int(np.argmax(scores))
        observed = scores[index]
        as_good = 0
        for _ in range(permutations):
            shuffled = y.copy()
            for group in np.unique(groups[remaining]):
                rows = remaining[groups[remaining] == group]
                shuffled[rows] = rng.permutation(y[rows])
            null = quality(prim(x, shuffled, remaining=remaining, **options), shuffled, remaining)
            as_good += null.max() >= observed - 1e-12
        p_value = (1 + as_good) / (1 + permutations)
        data = x.to_numpy(dtype=float)
        limits = _prune(data[remaining], y[remaining], trajectory.limits[index],
                        trajectory.initial)
        restricted = (limits != trajectory.initial).any(axis=0)
        inside = remaining[_inside(data[remaining], limits, np.flatnonzero(restricted))]
        k = y[inside].sum()
        box = Box({c: (float(limits[0, j]), float(limits[1, j]))
                   for j, c in enumerate(trajectory.columns) if restricted[j]},
                  float(k / max(y.sum(), 1.0)), float(k / inside.size), inside.size / len(y),
                  int(inside.size), float(k), _score(y[inside], y[remaining]), p_value,
                  int(as_good), index,
                  trajectory, inside)
        if p_value > alpha or box.quality <= 0 or not restricted.any():
            rejected = box
            break
        boxes.append(box)
        remaining = np.setdiff1d(remaining, inside)
    return Discovery(boxes, rejected, float(y.mean()), len(y))


# -- the report's section -------------------------------------------------------------------

#: Runs PRIM looks at, at most (a seeded random sample of larger sweeps).
MAX_RUNS = 20_000

INTRO = (
    "PRIM, the patient rule induction method (Friedman &amp; Fisher 1999, as in the EMA "
    "Workbench), looks for ranges of the varied parameters where the runs in which the idea "
    "failed to spread concentrate: it peels away, 5% at a time, the slice of the sampled ranges "
    "with the fewest failures, then pastes back what helps; of the boxes on the way, the one that "
    "best balances coverage and density is kept, without the limits that do not help. "
    "<i>Coverage</i> is the share of all failed runs that fall in the box; "
    "<i>density</i> is the share of the runs in the box that failed. A box is shown only if "
    "shuffling the outcomes among runs of the same replicate, {permutations} times, gave as good "
    "a box in at most 5% of the shuffles (p &le; 0.05): a pattern, not luck."
)


def discovery_section(
    runs: pd.DataFrame,
    sweep: Mapping,
    out_dir: str | Path | None = None,
    threshold: float | None = None,
    permutations: int = 99,
) -> tuple[str, list[Path]]:
    """The report's section "Which settings make the idea fail to spread", as HTML.

    A run fails when the idea did not reach 90% of staff within it (``t90`` empty) or, with
    ``threshold``, took longer than that many steps. If every run reached 90%, the slowest
    quarter counts as failing instead (the text says so). One analysis per scenario. With
    ``out_dir``, the figures go there as ``discovery*`` (`save_figure`: SVG, PDF, PNG) and the
    boxes to ``discovery.csv``.

    Returns:
        The HTML ("" for a sweep that varies no parameter) and the files written.
    """
    varied = list((sweep.get("vary") or {}).keys())
    if not varied:
        return "", []
    ok = runs[runs["status"] == "ok"]
    parts = ["<h2>Which settings make the idea fail to spread</h2>",
             f"<p class='note'>{INTRO.format(permutations=permutations)}</p>"]
    params = [c for c in varied if c in ok and _numeric(ok[c]) and ok[c].nunique() > 1]
    skipped = [c for c in varied if c not in params]
    if skipped:
        parts.append(f"<p class='note'>Not analysed (not numbers, or a single value): "
                     f"{html.escape(', '.join(skipped))}.</p>")
    if ok.empty or not params:
        parts.append("<p>No finished runs with varied numeric parameters to analyse.</p>")
        return "\n".join(parts), []
    rows: list[dict] = []
    written: list[Path] = []
    scenarios = list(dict.fromkeys(ok["scenario"]))
    for number, scenario in enumerate(scenarios):
        own = ok[ok["scenario"] == scenario]
        if len(scenarios) > 1:
            parts.append(f"<h3>{html.escape(Path(scenario).name.removesuffix('.toml'))}</h3>")
        if len(own) > MAX_RUNS:
            own = own.sample(MAX_RUNS, random_state=0)
            parts.append(f"<p class='note'>A random sample of {MAX_RUNS} runs is analysed.</p>")
        y, what = _failures(own, threshold)
        if y is None:
            parts.append(f"<p>{what}</p>")
            continue
        x = own[params].astype(float).reset_index(drop=True)
        groups = own["replicate"].to_numpy() if "replicate" in own else None
        found = discover(x, y, groups=groups, permutations=permutations)
        parts += _describe(found, x, what, permutations)
        for i, box in enumerate(found.boxes, 1):
            rows += [{"scenario": scenario, "box": i, "parameter": c, "low": lo, "high": hi,
                      "sampled_low": x[c].min(), "sampled_high": x[c].max(),
                      "coverage": box.coverage, "density": box.density, "mass": box.mass,
                      "runs": box.n, "failures": box.k, "p_value": box.p_value}
                     for c, (lo, hi) in box.limits.items()]
        if found.boxes:
            suffix = f"_{number}" if len(scenarios) > 1 else ""
            title = f"{scenario_label(scenario)}: the idea {what}"
            html_figure, files = _figure(
                _plot(found, x, title), f"discovery{suffix}", out_dir,
                "Left: PRIM's peeling trajectory (each dot a box, from the whole space at "
                "coverage 1 to ever smaller, denser boxes), the box chosen circled. Right: the "
                "box's ranges (colour) against the sampled ranges (grey).")
            parts.append(html_figure)
            written += files
    if out_dir is not None:
        path = Path(out_dir) / "discovery.csv"
        pd.DataFrame(rows, columns=list(DISCOVERY_COLUMNS)).to_csv(path, index=False)
        written.append(path)
    return "\n".join(parts), written


def _numeric(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column)


def _failures(runs: pd.DataFrame, threshold: float | None) -> tuple[np.ndarray | None, str]:
    """Which runs failed, and how to say it; or None and why there is nothing to explain."""
    t90 = pd.to_numeric(runs["t90"], errors="coerce")
    days = int(runs["steps_run"].max())
    n = len(runs)
    if threshold is not None:
        fail = (t90.isna() | (t90 > threshold)).to_numpy()
        what = f"did not reach 90% of staff within {threshold:g} days"
    elif t90.isna().all():
        return None, (f"The idea reached 90% of staff in none of the {n} runs, within {days} "
                      "days, whatever the settings: there is no difference to explain. Longer "
                      "runs would show which settings delay it most.")
    elif t90.notna().all():
        limit = float(np.quantile(t90, 0.75))
        fail = (t90 > limit).to_numpy()
        what = (f"took longer than {limit:.0f} days to reach 90% of staff (the slowest quarter: "
                f"it reached 90% in every run)")
    else:
        fail = t90.isna().to_numpy()
        what = f"did not reach 90% of staff within the run ({days} days)"
    if fail.all() or not fail.any():
        return None, (f"In all {n} runs the idea {'' if fail.all() else 'never '}{what}: "
                      "there is no difference between settings to explain.")
    return fail.astype(float), what


def _num(value: float) -> str:
    return f"{value:.3g}"


def _condition(column: pd.Series, low: float, high: float) -> str:
    """A box limit in words: the values inside when there are few, else a range."""
    values = np.unique(column)
    inside = values[(values >= low) & (values <= high)]
    name = f"<code>{html.escape(str(column.name))}</code>"
    if len(values) <= 6:
        if set(values) <= {0.0, 1.0} and len(inside) == 1:
            return f"{name} is {'true' if inside[0] else 'false'}"
        return f"{name} is {' or '.join(_num(v) for v in inside)}"
    sampled = f" (sampled from {_num(values[0])} to {_num(values[-1])})"
    if low > values[0] and high < values[-1]:
        return f"{name} is between {_num(low)} and {_num(high)}{sampled}"
    if low > values[0]:
        return f"{name} is above {_num(low)}{sampled}"
    return f"{name} is below {_num(high)}{sampled}"


def _describe(found: Discovery, x: pd.DataFrame, what: str, permutations: int) -> list[str]:
    total = int(round(found.base_rate * found.n))
    out = [f"<p>The idea {what} in {total} of {found.n} runs ({found.base_rate:.0%}).</p>"]
    if not found.boxes:
        p = found.rejected.p_value if found.rejected else 1.0
        shuffles = found.rejected.shuffles_as_good if found.rejected else permutations
        out.append(f"<p><b>No settings found</b> where these failures concentrate more than "
                   f"chance would give: shuffled outcomes gave as good a box in {shuffles} of "
                   f"{permutations} shuffles (p = {p:.2f}). The failures look spread over the "
                   f"sampled ranges (or there are too few runs to tell).</p>")
        return out
    items = []
    for i, box in enumerate(found.boxes, 1):
        where = " and ".join(_condition(x[c], lo, hi) for c, (lo, hi) in box.limits.items())
        outside = "" if i == 1 else ", among the runs outside the boxes above"
        items.append(
            f"<li><b>Box {i}</b>{outside}: when {where}, the idea {what} in {box.density:.0%} of "
            f"the runs ({box.k:.0f} of {box.n}; the density), against {found.base_rate:.0%} of "
            f"all runs. These settings hold {box.coverage:.0%} of all failures (the coverage) "
            f"in {box.mass:.0%} of the runs. Shuffled outcomes gave as good a box in "
            f"{box.shuffles_as_good} of {permutations} shuffles (p = {box.p_value:.2f}).</li>")
    return [*out, "<ul>", *items, "</ul>"]


def _plot(found: Discovery, x: pd.DataFrame, title: str) -> plt.Figure:
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.6), constrained_layout=True)
    failed = int(round(found.base_rate * found.n))
    fig.suptitle(f"{title}\nn = {found.n} runs, {failed} of them failed", fontsize="medium")
    colors = plt.get_cmap("tab10").colors
    for i, box in enumerate(found.boxes):
        stats = box.trajectory.stats
        dots = left.scatter(stats["coverage"], stats["density"], c=stats["res_dim"], s=14,
                            cmap="viridis", vmin=0, vmax=x.shape[1])
        chosen = stats.iloc[box.index]
        left.scatter([chosen["coverage"]], [chosen["density"]], s=160, facecolors="none",
                     edgecolors=colors[i % 10], linewidths=2, label=f"box {i + 1}")
    left.axhline(found.base_rate, color="grey", linestyle="--", linewidth=1)
    left.text(0.02, found.base_rate, " share of all runs that failed", va="bottom",
              fontsize="x-small", color="grey")
    left.set_xlabel("coverage (share of all failures in the box)")
    left.set_ylabel("density (share of the box's runs that failed)")
    left.set_xlim(0, 1.02)
    left.set_ylim(0, 1.02)
    left.legend(fontsize="small", loc="lower left")
    fig.colorbar(dots, ax=left, label="parameters restricted", ticks=range(x.shape[1] + 1))
    labels = []
    for i, box in enumerate(found.boxes):
        for column, (low, high) in box.limits.items():
            lo_all, hi_all = x[column].min(), x[column].max()
            span = hi_all - lo_all
            y = len(labels)
            right.plot([0, 1], [y, y], color="lightgrey", linewidth=8, solid_capstyle="butt")
            right.plot([(low - lo_all) / span, (high - lo_all) / span], [y, y],
                       color=colors[i % 10], linewidth=8, solid_capstyle="butt")
            right.text(0, y + 0.12, _num(lo_all), fontsize="x-small", color="grey", va="top")
            right.text(1, y + 0.12, _num(hi_all), fontsize="x-small", color="grey", va="top",
                       ha="right")
            right.text((low - lo_all) / span, y - 0.12, _num(low), fontsize="x-small",
                       color=colors[i % 10])
            right.text((high - lo_all) / span, y - 0.12, _num(high), fontsize="x-small",
                       color=colors[i % 10], ha="right")
            label = parameter_label(column)
            labels.append(f"box {i + 1}: {label}" if len(found.boxes) > 1 else label)
    right.set_yticks(range(len(labels)), labels, fontsize="small")
    right.set_ylim(len(labels) - 0.5, -0.5)
    right.set_xlim(-0.02, 1.02)
    right.set_xticks([])
    right.set_xlabel("sampled range (grey) and the box (colour)")
    return fig


def _figure(fig: plt.Figure, name: str, out_dir: str | Path | None,
            caption: str) -> tuple[str, list[Path]]:
    """The figure embedded as a light PNG, and written as the report writes its figures."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    files = save_figure(fig, Path(out_dir) / name) if out_dir is not None else []
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode()
    return (f'<figure><img alt="{html.escape(caption)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>", files)
