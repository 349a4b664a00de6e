"""Canonical published models on orglearn's engine, for validation and as starting points.

Each module holds one model, vectorised with numpy over agents and replications and driven by
one numpy Generator (Mesa's ``rng=`` convention); each also offers a small `mesa.Model` for
stepping one instance. `orglearn.validation.canonical` reproduces their published results
(``orglearn validate``; see ``docs/validation.md``).

* `simulation.canonical.march1991`: March (1991), mutual learning between individuals and an
  organisational code (exploration and exploitation).
* `simulation.canonical.bass`: Bass (1969) diffusion in a fully mixed population.
* `simulation.canonical.granovetter`: Granovetter (1978) threshold cascades.
"""

from orglearn.simulation.canonical.bass import BassModel, bass_closed_form, run_bass
from orglearn.simulation.canonical.granovetter import GranovetterModel, cascade_size, run_cascades
from orglearn.simulation.canonical.march1991 import March1991, MarchRun, run_march

__all__ = [
    "March1991",
    "MarchRun",
    "run_march",
    "BassModel",
    "bass_closed_form",
    "run_bass",
    "GranovetterModel",
    "cascade_size",
    "run_cascades",
]
