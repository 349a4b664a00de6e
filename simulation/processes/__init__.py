"""The processes of one step, one module each, in the order `SocialLearningModel.step` runs them.

Every process is a function ``(state, network, params, rng, step) -> counts`` that applies its
changes to the workforce's arrays in place, vectorised over all agents, and returns event counts
for the metrics. Within a process, updates are synchronous: every agent's decision reads the
state as it was when the process began.
"""

from orglearn.simulation.processes.asking import ask_for_help
from orglearn.simulation.processes.collaboration import collaborate
from orglearn.simulation.processes.culture import change_culture
from orglearn.simulation.processes.esn import post_and_read
from orglearn.simulation.processes.field import learn_in_the_field
from orglearn.simulation.processes.forgetting import forget
from orglearn.simulation.processes.training import train
from orglearn.simulation.processes.turnover import leave

__all__ = [
    "learn_in_the_field",
    "ask_for_help",
    "post_and_read",
    "collaborate",
    "train",
    "change_culture",
    "forget",
    "leave",
    "PIPELINE",
]

#: (parameter section, process function) in the fixed order of docs/model.md, section 3.
PIPELINE = (
    ("field_learning", learn_in_the_field),
    ("asking", ask_for_help),
    ("esn", post_and_read),
    ("collaboration", collaborate),
    ("training", train),
    ("culture_change", change_culture),
    ("forgetting", forget),
    ("turnover", leave),
)
