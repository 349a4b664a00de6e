"""Mesa agents of orglearn: each `Employee` is a view on one row of the model's arrays."""

from orglearn.agents.employee import Employee

__all__ = ["Employee"]
