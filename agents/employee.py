"""An employee: a Mesa `Agent` whose attributes read and write the model's state arrays.

The model keeps every trait in a numpy column and knowledge in an (N, K) matrix so that a step
is vectorised; an `Employee` is a thin view on row ``row`` of those arrays, the pattern Mesa's
`ContinuousSpace` uses for positions. Reading ``employee.generosity`` reads the column; setting
it changes the model. Mesa's `model.agents`, `DataCollector` agent reporters and `SolaraViz`
work with these agents as with any others.

When someone leaves, their `Employee` is removed from the model and a new one takes the row;
the old object then refuses to read or write (``row`` is None).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from orglearn.simulation.parameters import STYLES
from orglearn.simulation.state import ROLES

if TYPE_CHECKING:
    from orglearn.simulation.model import SocialLearningModel

__all__ = ["Employee"]


class _Column:
    """A property over one column of the workforce's state."""

    def __init__(self, cast=float, doc: str = "") -> None:
        self.cast = cast
        self.__doc__ = doc

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        return self.cast(getattr(obj.model.state, self.name)[obj._checked_row()])

    def __set__(self, obj, value) -> None:
        column = getattr(obj.model.state, self.name)
        if column.dtype.kind == "f" and not 0.0 <= float(value) <= 1.0:
            raise ValueError(f"The '{self.name}' of an employee must be in [0, 1]. Got {value}.")
        column[obj._checked_row()] = value


class _Label:
    """A property over a small-integer column shown as its label."""

    def __init__(self, column: str, labels: tuple[str, ...], doc: str = "") -> None:
        self.column, self.labels = column, labels
        self.__doc__ = doc

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        return self.labels[getattr(obj.model.state, self.column)[obj._checked_row()]]

    def __set__(self, obj, value: str) -> None:
        if value not in self.labels:
            raise ValueError(f"Must be one of {', '.join(self.labels)}. Got {value!r}.")
        getattr(obj.model.state, self.column)[obj._checked_row()] = self.labels.index(value)


class _Role(_Label):
    """The role label, keeping the champion flag in step: whoever has the role ``champion`` is
    a champion (a manager who is a champion keeps the role ``manager``)."""

    def __set__(self, obj, value: str) -> None:
        was = self.__get__(obj)
        super().__set__(obj, value)
        if value == "champion" or was == "champion":
            obj.champion = value == "champion"


class Employee(mesa.Agent):
    """An employee of a `SocialLearningModel`, viewing row ``row`` of its arrays."""

    # Learning
    proactivity = _Column(doc="Chance to seek knowledge in a step.")
    absorption = _Column(doc="Share taken in of what a teacher knows and this person does not.")
    adaptability = _Column(doc="Rate of culture change.")
    formal_preference = _Column(doc="Waits for formal training instead of asking peers.")
    # Communicating
    tact = _Column(doc="Chance an exchange goes well (with the other party's tact).")
    boldness = _Column(doc="How readily this person initiates.")
    style = _Label("style", STYLES, doc="Communication style label.")
    # Collaborating
    generosity = _Column(doc="Chance to help or post.")
    reciprocity_sensitivity = _Column(doc="How much help depends on the asker's record.")
    reputation = _Column(doc="Others' view of this person as a giver.")
    # Tools and archetypes
    has_tools = _Column(bool, doc="Has access to the enterprise social network.")
    tech_savvy = _Column(doc="Skill with social tools.")
    lurker = _Column(bool, doc="Reads the ESN but never posts.")
    hoarder = _Column(bool, doc="Takes help and almost never gives it (generosity 0.02); never posts.")
    formal_devotee = _Column(bool, doc="Conditioned to wait for formal training.")
    champion = _Column(
        bool, doc="A social-learning champion (a manager can be one too); never starts lurking."
    )
    role = _Role("role", ROLES, doc="member, manager or champion (see also ``champion``).")

    def __init__(self, model: SocialLearningModel, row: int) -> None:
        """Create the view on ``row`` and register with the model."""
        super().__init__(model)
        self.row: int | None = row

    def _checked_row(self) -> int:
        if self.row is None:
            raise RuntimeError(f"Employee {self.unique_id} has left the organisation.")
        return self.row

    @property
    def knowledge(self) -> np.ndarray:
        """Knowledge per topic (a writable view of the model's row; topic 0 is the new idea)."""
        return self.model.state.knowledge[self._checked_row()]

    @knowledge.setter
    def knowledge(self, values) -> None:
        values = np.asarray(values, dtype=float)
        in_range = np.all((values >= 0.0) & (values <= 1.0))  # False for NaN too
        if values.shape != (self.model.state.topics,) or not in_range:
            raise ValueError(
                f"Knowledge must be {self.model.state.topics} values in [0, 1]. Got {values}."
            )
        self.model.state.knowledge[self._checked_row()] = values

    @property
    def mean_knowledge(self) -> float:
        """Mean knowledge over all topics."""
        return float(self.knowledge.mean())

    @property
    def team(self) -> int:
        """Team id."""
        return int(self.model.network.team[self._checked_row()])

    @property
    def department(self) -> int:
        """Department id."""
        return int(self.model.network.department[self._checked_row()])

    @property
    def manager(self) -> Employee | None:
        """The person this employee reports to (None for the head of the organisation)."""
        boss = self.model.network.manager[self._checked_row()]
        return None if boss < 0 else self.model.employees[boss]

    @property
    def neighbours(self) -> list[Employee]:
        """Everyone with a tie to this employee."""
        adj = self.model.network.adjacency
        row = self._checked_row()
        return [self.model.employees[j] for j in adj.indices[adj.indptr[row] : adj.indptr[row + 1]]]

    def remove(self) -> None:
        """Remove from the model; the view no longer reads or writes."""
        super().remove()
        self.row = None

    def __repr__(self) -> str:
        return f"Employee(unique_id={self.unique_id}, row={self.row})"
