"""Mesa's own SolaraViz on orglearn's model: a chart of a metric that the model's DataCollector
records, and the Employee agents, read through Mesa's AgentSet. Mesa's Step, Play and Reset
buttons drive the model; Reset rebuilds it from ``model_params`` (a slider changes the share of
hoarders). tests/ui/test_mesa_viz.py serves it; to look at it yourself:
``solara run tests/ui/mesa_viz_app.py`` from the repository.
"""

from __future__ import annotations

import numpy as np
import solara
from matplotlib.figure import Figure
from mesa.visualization import Slider, SolaraViz, make_plot_component

from orglearn import SocialLearningModel

N_AGENTS = 60
SEED = 1


def Employees(model: SocialLearningModel):  # noqa: N802 - a component, named like one
    """Each employee's mean knowledge, as a histogram. A plain function of the model, so that
    SolaraViz redraws it after every step."""
    knowledge = np.asarray(model.agents.get("mean_knowledge"), dtype=float)
    hoarders = int(np.sum(model.agents.get("hoarder")))
    figure = Figure(figsize=(5, 3), layout="constrained")
    axes = figure.subplots()
    axes.hist(knowledge, bins=20, range=(0.0, 1.0))
    axes.set_xlabel("an employee's mean knowledge")
    axes.set_ylabel("employees")
    with solara.Column(classes=["orglearn-employees"]) as column:
        solara.Text(
            f"Day {model.steps}: {len(model.agents)} employees, {hoarders} hoarders, "
            f"mean knowledge {knowledge.mean():.4f}"
        )
        solara.FigureMatplotlib(figure, format="png")
    return column


model = SocialLearningModel(n_agents=N_AGENTS, hoarder_share=0.05, rng=SEED)
page = SolaraViz(
    model,
    components=[make_plot_component("mean_knowledge"), Employees],
    model_params={
        "n_agents": N_AGENTS,
        "rng": SEED,
        "hoarder_share": Slider("Knowledge hoarders", 0.05, 0.0, 0.5, 0.05),
    },
    name="orglearn on Mesa's SolaraViz",
)
