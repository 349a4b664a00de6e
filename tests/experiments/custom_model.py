"""Model subclasses that sweep tests run by name, as a user's own module would be run:
``model = "tests.experiments.custom_model:Coached"`` in a sweep file."""

from __future__ import annotations

import numpy as np

from orglearn.simulation.model import SocialLearningModel
from orglearn.simulation.pipeline import Pipeline, Process

#: Share of their gap on the new idea (topic 0) that each coached employee closes per step.
COACHING_GAIN = 0.1


def coaching(state, network, params, rng, step) -> dict:
    """Coaches teach the new idea: everyone closes part of their gap on topic 0 every step."""
    gap = 1.0 - state.knowledge[:, 0]
    state.knowledge[:, 0] += COACHING_GAIN * gap
    return {"coaching_sessions": int(np.count_nonzero(gap > 0))}


class Coached(SocialLearningModel):
    """The model with a coaching process after asking; it counts its sessions."""

    def make_pipeline(self) -> Pipeline:
        pipeline = super().make_pipeline()
        pipeline.insert_after("asking", Process("coaching", coaching))
        return pipeline

    def step(self) -> None:
        super().step()
        sessions = self.counts["coaching_sessions"]
        self.coaching_sessions = getattr(self, "coaching_sessions", 0) + sessions


def breaks_with_many_departments(state, network, params, rng, step) -> dict:
    """A process that fails in organisations of more than four departments."""
    departments = int(network.department.max()) + 1
    if departments > 4:
        raise RuntimeError(f"this test model cannot run {departments} departments")
    return {}


class Fragile(SocialLearningModel):
    """A model whose first step fails when the organisation has more than four departments."""

    def make_pipeline(self) -> Pipeline:
        pipeline = super().make_pipeline()
        pipeline.insert(0, Process("fragile", breaks_with_many_departments))
        return pipeline


NOT_A_MODEL = 42


#: Environment variable naming a file: while it exists, `Killer` kills its worker process.
KILL_MARKER = "ORGLEARN_TEST_KILL_MARKER"


class Killer(SocialLearningModel):
    """A model that SIGKILLs its worker process at its first step when hoarders are 30% of
    staff and the file named by ``$ORGLEARN_TEST_KILL_MARKER`` exists: a stand-in for a run
    that the kernel's out-of-memory killer stops. It never kills a process that is not a
    worker (one without a multiprocessing parent), such as a test's own."""

    def step(self) -> None:
        import multiprocessing
        import os
        import signal
        import time

        marker = os.environ.get(KILL_MARKER)
        if (self.steps <= 1 and abs(self.params.population.hoarder_share - 0.3) < 1e-9
                and marker and os.path.exists(marker)
                and multiprocessing.parent_process() is not None):
            # A second of work first, as a run that outgrows memory dies some way in (and a
            # Dask nanny gets to finish restarting the worker that ran it before).
            time.sleep(1.0)
            os.kill(os.getpid(), signal.SIGKILL)
        super().step()
