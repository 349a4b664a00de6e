"""Performance benchmark: the vectorised model against the same rules written per agent."""

from orglearn.bench.reference import ReferenceEmployee, ReferenceModel

__all__ = ["ReferenceModel", "ReferenceEmployee"]
