"""Mesa's own tools on orglearn's model: `mesa.batch_run` (Mesa's SolaraViz, the ``viz`` extra,
is driven in a browser by tests/ui/test_mesa_viz.py, next to the browser fixture)."""

from __future__ import annotations

import multiprocessing

import numpy as np
import pandas as pd
import pytest

from orglearn import SocialLearningModel

PARAMETERS = {"n_agents": [40, 60], "hoarder_share": [0.0, 0.3]}
STEPS = 5


@pytest.fixture
def batch_rows():
    """`mesa.batch_run` over 2 x 2 parameter values and two numpy seeds, every step recorded.
    batch_run forces the 'spawn' start method on the whole program; it is put back after."""
    import mesa

    before = multiprocessing.get_start_method(allow_none=True)
    try:
        rows = mesa.batch_run(
            SocialLearningModel,
            parameters=PARAMETERS,
            rng=np.arange(2),
            max_steps=STEPS,
            data_collection_period=1,
            number_processes=1,
            display_progress=False,
        )
    finally:
        multiprocessing.set_start_method(before, force=True)
    return pd.DataFrame(rows)


def test_batch_run_gives_every_step_of_every_run(batch_rows):
    rows = batch_rows
    assert rows["RunId"].nunique() == 2 * 2 * 2
    for _, steps in rows.groupby("RunId")["Step"]:
        assert sorted(steps) == list(range(STEPS + 1))
    assert set(map(int, rows["rng"])) == {0, 1}
    combos = rows.groupby(["n_agents", "hoarder_share", "rng"])["RunId"].nunique()
    assert len(combos) == 8 and (combos == 1).all()
    for metric in ("mean_knowledge", "idea_adoption", "gini", "participation"):
        assert rows[metric].notna().all(), metric


def test_batch_run_rows_are_the_models_own_numbers(batch_rows):
    """Each run of batch_run (numpy integer seeds) is the model built directly with that seed,
    and the parameters reach the model: hoarders are less generous."""
    run = batch_rows[(batch_rows["n_agents"] == 60) & (batch_rows["hoarder_share"] == 0.3)
                     & (batch_rows["rng"] == 1)].sort_values("Step")
    model = SocialLearningModel(n_agents=60, hoarder_share=0.3, rng=1)
    model.run(STEPS)
    direct = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    for metric in ("mean_knowledge", "idea_adoption", "gini", "asks", "helps"):
        assert run[metric].tolist() == pytest.approx(direct[metric].tolist()), metric
    first = batch_rows[batch_rows["Step"] == 0].groupby("hoarder_share")["mean_generosity"].mean()
    assert first[0.3] < first[0.0]
    assert SocialLearningModel(n_agents=40, rng=np.int64(7)).summary() == \
        SocialLearningModel(n_agents=40, rng=7).summary()
