"""A model's step as a pipeline of named processes that users can insert into, replace or remove.

Every model gets its own `Pipeline` (``model.pipeline``), a list of `Process` entries run in
order by `SocialLearningModel.step`. Changing one model's pipeline never changes another's::

    def coaching(state, network, params, rng, step):
        ...  # change state arrays in place, vectorised
        return {"coaching_sessions": n}  # event counts, kept in model.counts

    model.pipeline.insert_after("asking", Process("coaching", coaching))
    model.pipeline.replace("training", my_training)
    model.pipeline.remove("turnover")

A subclass that wants a different pipeline for every instance overrides
`SocialLearningModel.make_pipeline`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Process", "ProcessFunction", "Pipeline", "default_pipeline"]

#: ``(state, network, params, rng, step) -> counts``: a process changes the workforce's arrays
#: in place and returns its event counts (a dict; the key ``leavers`` holds re-seated rows).
ProcessFunction = Callable[[Any, Any, Any, np.random.Generator, int], dict]


@dataclass(frozen=True)
class Process:
    """One process of a step.

    Attributes:
        name: a unique name in its pipeline (the built-ins use their parameter section's name).
        function: the `ProcessFunction` to call.
        section: the parameter section whose ``enabled`` switches the process on and off, or
            None for a process that always runs.
    """

    name: str
    function: ProcessFunction
    section: str | None = None


class Pipeline(list):
    """The processes of a step, in order: a list of `Process` with name-based editing."""

    def __init__(self, processes: Iterable[Process] = ()) -> None:
        super().__init__()
        for process in processes:
            self.append(process)

    @property
    def names(self) -> list[str]:
        """The processes' names, in order."""
        return [p.name for p in self]

    def position(self, name: str) -> int:
        """The index of the process called ``name``.

        Raises:
            KeyError: no process has that name (the message lists the names there are).
        """
        for i, process in enumerate(self):
            if process.name == name:
                return i
        raise KeyError(f"No process named {name!r}; the pipeline has: {', '.join(self.names)}")

    def append(self, process: Process) -> None:
        """Add ``process`` at the end."""
        self._check_new(process)
        super().append(process)

    def insert(self, index: int, process: Process) -> None:
        """Insert ``process`` before position ``index``."""
        self._check_new(process)
        super().insert(index, process)

    def insert_before(self, name: str, process: Process) -> None:
        """Insert ``process`` just before the process called ``name``."""
        self.insert(self.position(name), process)

    def insert_after(self, name: str, process: Process) -> None:
        """Insert ``process`` just after the process called ``name``."""
        self.insert(self.position(name) + 1, process)

    def replace(self, name: str, function: ProcessFunction | Process) -> None:
        """Run ``function`` in place of the process called ``name`` (same name and switch,
        unless a whole `Process` is given)."""
        i = self.position(name)
        if not isinstance(function, Process):
            function = Process(name, function, self[i].section)
        elif function.name != name and function.name in self.names:
            raise ValueError(f"A process named {function.name!r} is already in the pipeline")
        self[i] = function

    def remove(self, name: str) -> None:  # type: ignore[override]
        """Drop the process called ``name``."""
        del self[self.position(name)]

    def _check_new(self, process: Process) -> None:
        if not isinstance(process, Process):
            raise TypeError(
                f"A pipeline holds Process entries, e.g. Process('name', function). "
                f"Got {type(process).__name__} instead."
            )
        if not callable(process.function):
            raise TypeError(f"The function of process {process.name!r} is not callable")
        if process.name in self.names:
            raise ValueError(f"A process named {process.name!r} is already in the pipeline")


def default_pipeline() -> Pipeline:
    """A new `Pipeline` of the eight built-in processes, in the order of docs/model.md, section 3."""
    from orglearn.simulation.processes import PIPELINE

    return Pipeline(Process(section, function, section) for section, function in PIPELINE)
