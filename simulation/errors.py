"""Errors about the files a simulation reads (scenario files, org charts), with a location.

`ScenarioError` lives in the engine because the engine reads org-chart files itself; the
scenario loader (`orglearn.scenarios`) raises and re-exports the same class, so one ``except``
catches every bad input file.
"""

from __future__ import annotations

__all__ = ["ScenarioError"]


class ScenarioError(Exception):
    """A scenario file or a file it names is missing, is not valid, or breaks the schema.

    Attributes:
        file: the file at fault (or the name asked for).
        key: the dotted key path (or column) at fault, if one is.
        line: the 1-based line of that key in the file, if it could be found.
        problem: what is wrong and what is allowed.
    """

    def __init__(self, file: str, problem: str, key: str | None = None, line: int | None = None):
        self.file, self.problem, self.key, self.line = str(file), problem, key, line
        where = self.file if line is None else f"{self.file}:{line}"
        what = f"The '{key}' value in {where}" if key else where
        super().__init__(f"{what}: {problem}" if not key else f"{what} {problem}")
