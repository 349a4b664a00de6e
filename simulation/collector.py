"""The model's Mesa `DataCollector`: every metric as a model reporter, collected cheaply.

Mesa's ``DataCollector.collect`` deep-copies each reporter's value, which cost about a tenth
of a 200-person step. The model's metrics are plain Python numbers (immutable), so
`MetricsCollector` appends them directly. It stays a Mesa ``DataCollector`` in every other
respect: ``model_vars``, ``get_model_vars_dataframe`` and added reporters work as usual, and
once a user adds a reporter or agent reporters, collection falls back to Mesa's own.
"""

from __future__ import annotations

from collections.abc import Iterable

import mesa

__all__ = ["MetricsCollector"]


class MetricsCollector(mesa.DataCollector):
    """A `mesa.DataCollector` with one model reporter per name of ``model.metrics``."""

    def __init__(self, names: Iterable[str]) -> None:
        super().__init__(
            model_reporters={name: (lambda m, name=name: m.metrics[name]) for name in names}
        )
        self._own = dict(self.model_reporters)

    def collect(self, model) -> None:
        """Append the model's current metrics (Mesa's own collection once reporters change)."""
        if self.agent_reporters or self.agenttype_reporters or self.model_reporters != self._own:
            super().collect(model)
            return
        self._collection_steps.append(model.time)
        metrics = model.metrics
        for name, column in self.model_vars.items():
            column.append(metrics[name])
