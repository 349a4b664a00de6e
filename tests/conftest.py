"""Hypothesis profiles of the test suite (choose with the HYPOTHESIS_PROFILE variable).

* ``default``: few examples per property so that the whole suite stays fast;
* ``thorough``: many more examples, for a deeper search before a release.

Shared strategies and helpers are in `tests.helpers`.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "default",
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "thorough",
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
