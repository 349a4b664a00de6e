"""Observed weekly activity of a real organisation: the CSV file calibration fits to."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["SERIES", "Observed", "read_observed"]

#: Observable weekly series and how the model produces them.
SERIES: dict[str, str] = {
    "posts": "ESN posts in the week (the model's posts, process 3)",
    "questions": "requests for help in the week (the model's asks, process 2)",
    "answers": "help given in the week (the model's helps, process 2)",
    "contributors": "share of people with ESN access who posted at least once in the week",
}


@dataclass(frozen=True)
class Observed:
    """Observed weekly series: ``frame`` has one column per series, indexed by week."""

    file: str
    frame: pd.DataFrame

    @property
    def names(self) -> list[str]:
        """The series observed."""
        return list(self.frame.columns)

    @property
    def weeks(self) -> int:
        """Number of weeks."""
        return len(self.frame)


def _error(file, problem, row=None, column=None, line=None):
    from orglearn.scenarios.loader import ScenarioError

    if row is not None:
        problem, line = f"(row {row}) {problem}", row + 1
    return ScenarioError(str(file), problem, key=column, line=line)


#: The largest weekly count an activity file may hold: far above any organisation's (ten
#: million people each posting a thousand times a week), far below what overflows a fit.
_MAX_COUNT = 1e10


def read_observed(path: str | Path) -> Observed:
    """Read and check an observed-series CSV file.

    Raises:
        scenarios.ScenarioError: naming the file, the row, the column and the problem.
    """
    try:
        frame = pd.read_csv(
            path, dtype=str, keep_default_na=False, skip_blank_lines=True, encoding="utf-8-sig"
        )
    except FileNotFoundError:
        raise _error(path, "no such file") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, OSError) as err:
        raise _error(path, f"is not a readable CSV file: {str(err).strip()}") from None
    frame.columns = [str(c).strip().lower().replace(" ", "_") for c in frame.columns]
    allowed = f"week and one or more of {', '.join(SERIES)}"
    unknown = [c for c in frame.columns if c not in SERIES and c != "week"]
    if "week" not in frame.columns or unknown or len(frame.columns) < 2:
        what = f"has the unknown column {unknown[0]}" if unknown else "lacks columns"
        raise _error(path, f"{what}; an activity file has the columns {allowed}", line=1)
    if len(frame) < 2:
        raise _error(path, f"has {len(frame)} weeks of data; calibration needs at least 2")
    values = {}
    for column in frame.columns:
        raw = frame[column].str.strip()
        number = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(number) | (number < 0)
        if column == "contributors":
            bad |= number > 1
            rule = "a share from 0 to 1"
        elif column == "week":
            bad |= number != np.round(number)
            rule = "a whole number"
        else:
            rule = "a count >= 0"
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise _error(path, f"is {raw.iloc[i]!r}; it must be {rule}", row=i + 1, column=column)
        values[column] = number
    for column, number in values.items():
        if column == "week":
            continue
        if not number.any():
            raise _error(path, f"is 0 in every week; a series that never moves carries nothing "
                         "to fit (leave the column out)", column=column)
        if column != "contributors" and number.max() > _MAX_COUNT:
            i = int(np.argmax(number))
            raise _error(path, f"is {number[i]:.3g}, more than any organisation's weekly count "
                         f"(at most {_MAX_COUNT:.0e}); is the column in the right unit?",
                         row=i + 1, column=column)
    week = values.pop("week").astype(np.int64)
    gaps = np.flatnonzero(np.diff(week) != 1)
    if gaps.size:
        i = int(gaps[0]) + 1
        raise _error(
            path,
            f"is {week[i]} after week {week[i - 1]}; weeks must be consecutive and in order",
            row=i + 1,
            column="week",
        )
    return Observed(str(path), pd.DataFrame(values, index=pd.Index(week, name="week")))
