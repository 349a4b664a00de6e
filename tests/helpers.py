"""Strategies and helpers shared by the tests."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from orglearn.simulation.processes import PIPELINE

#: The parameter sections of the processes, each with an ``enabled`` switch, in step order.
PROCESS_SECTIONS: tuple[str, ...] = tuple(section for section, _ in PIPELINE)

#: Sentinel that `simulation.state` writes into ``last_post`` for someone who never posted.
NEVER_POSTED = np.iinfo(np.int64).min // 2


def all_off(**keep_on: bool) -> dict[str, bool]:
    """Overrides that switch every process off, except those named ``section=True``."""
    out = {f"{section}__enabled": False for section in PROCESS_SECTIONS}
    for section, on in keep_on.items():
        out[f"{section}__enabled"] = on
    return out


@st.composite
def scenarios(draw, *, min_agents: int = 20, max_agents: int = 150) -> dict:
    """Random but valid parameter overrides: size, shares, rates and process switches."""
    shares = st.floats(0.0, 1.0)
    small = st.floats(0.0, 0.2)
    n_agents = draw(st.integers(min_agents, max_agents))
    departments = draw(st.integers(1, min(6, n_agents)))
    styles = draw(st.lists(st.floats(0.0, 0.16), min_size=6, max_size=6))
    overrides = {
        "n_agents": n_agents,
        "departments": departments,
        "team_size": draw(st.integers(2, 15)),
        "topics": draw(st.integers(2, 12)),
        "within_team_density": draw(shares),
        "rewiring": draw(shares),
        "department_locality": draw(shares),
        "lurker_share": draw(shares),
        "hoarder_share": draw(shares),
        "formal_devotee_share": draw(shares),
        "champion_share": draw(small),
        "rude_share": styles[0],
        "defensive_share": styles[1],
        "pushy_share": styles[2],
        "top_down_share": styles[3],
        "shy_share": styles[4],
        "abrasive_share": styles[5],
        "tool_access": draw(shares),
        "psychological_safety": draw(shares),
        "turbulence": draw(small),
        "obsolescence": draw(shares),
        "idea_seed_share": draw(st.floats(0.01, 0.3)),
        "traits__proactivity": draw(shares),
        "traits__generosity": draw(shares),
        "traits__tact": draw(shares),
        "traits__absorption": draw(shares),
        "traits__tech_savvy": draw(shares),
        "traits__adaptability": draw(shares),
        "field_learning__exposure": draw(shares),
        "field_learning__rate": draw(shares),
        "asking__rate": draw(shares),
        "asking__reputation_detection": draw(st.booleans()),
        "asking__strengthen": draw(shares),
        "asking__weaken": draw(shares),
        "asking__hidden_expertise": draw(shares),
        "knowledge__codifiable": draw(shares),
        "knowledge__idea_codifiable": draw(shares),
        "esn__feed_locality": draw(shares),
        "esn__audience": draw(shares),
        "esn__tie_upkeep": draw(shares),
        "culture_change__sharing_cost": draw(st.floats(0.0, 0.1)),
        "forgetting__tie_decay": draw(st.floats(0.0, 0.05)),
        "training__curriculum_adoption": draw(st.floats(0.0, 1.5)),
        "asking__reputation_rate": draw(shares),
        "esn__post_rate": draw(shares),
        "esn__reads": draw(st.integers(0, 6)),
        "esn__learning_rate": draw(shares),
        "collaboration__rate": draw(shares),
        "collaboration__trust_threshold": draw(shares),
        "collaboration__innovation_chance": draw(shares),
        "training__interval": draw(st.integers(1, 10)),
        "training__attendance": draw(shares),
        "culture_change__rate": draw(shares),
        "forgetting__rate": draw(st.floats(0.0, 0.05)),
        "turnover__rate": draw(st.floats(0.0, 0.05)),
    }
    for section in PROCESS_SECTIONS:
        overrides[f"{section}__enabled"] = draw(st.booleans())
    return overrides


def unit_interval(array: np.ndarray) -> bool:
    """Whether every value is a number in [0, 1] (NaN fails)."""
    array = np.asarray(array, dtype=float)
    return bool(np.all((array >= 0.0) & (array <= 1.0)))


def model_frame(model):
    """The model's DataCollector table (one row per recorded step)."""
    return model.datacollector.get_model_vars_dataframe()
