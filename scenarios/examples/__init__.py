"""A synthetic, anonymous example organisation: an org chart, observed ties and weekly activity.

``my_org.toml`` reads ``people.csv`` and ``ties.csv``; ``activity.csv`` holds 26 weeks of
observed series for calibration. `orglearn.calibration.make_examples` made them all; see
docs/real_organisations.md for a walk-through.
"""

from importlib import resources
from pathlib import Path

__all__ = ["example_path"]


def example_path(name: str) -> Path:
    """The path of an example file, e.g. ``example_path("my_org.toml")``."""
    return Path(str(resources.files("orglearn.scenarios.examples") / name))
