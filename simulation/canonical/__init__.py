"""Canonical published models on orglearn's engine, for validation and as starting points.

Each module holds one model, vectorised with numpy over replications and driven by one numpy
Generator (Mesa's ``rng=`` convention); each also offers a small `mesa.Model` for stepping one
instance. `experiments.validation` reproduces their published results (``orglearn validate``).

* `simulation.canonical.march1991`: March (1991), mutual learning between individuals and an
  organisational code (exploration and exploitation).
* `simulation.canonical.bass`: Bass (1969) diffusion in a fully mixed population.
* `simulation.canonical.granovetter`: Granovetter (1978) threshold cascades.
"""

from simulation.canonical.march1991 import March1991, MarchRun, run_march

__all__ = ["March1991", "MarchRun", "run_march"]
