"""What a single run loads, and `save_figure` leaving the figure as it found it."""

from __future__ import annotations

import json
import subprocess
import sys

from matplotlib.figure import Figure

import orglearn.experiments
from orglearn.experiments.plots import figure_paths, save_figure


def test_every_public_name_of_experiments_resolves():
    for name in orglearn.experiments.__all__:
        assert getattr(orglearn.experiments, name) is not None, name
    assert set(orglearn.experiments.__all__) <= set(dir(orglearn.experiments))


def test_a_single_run_loads_neither_the_sweep_machinery_nor_matplotlib():
    code = (
        "import json, sys\n"
        "import orglearn.experiments.single\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=300)
    loaded = set(json.loads(done.stdout))
    for module in ("orglearn.experiments.runner", "orglearn.experiments.sweep",
                   "orglearn.experiments.design", "matplotlib"):
        assert module not in loaded, module


def test_save_figure_writes_every_format_and_keeps_the_layout_engine(tmp_path):
    fig = Figure(figsize=(4, 3), layout="constrained")
    fig.subplots().plot([0, 1], [1, 0])
    engine = fig.get_layout_engine()
    paths = save_figure(fig, tmp_path / "line", close=False)
    assert paths == figure_paths(tmp_path / "line")
    assert all(p.stat().st_size > 0 for p in paths)
    # Laid out once for all formats, then given its engine back for the caller's next save.
    assert fig.get_layout_engine() is engine


def test_the_pdf_embeds_its_font_once_and_the_text_keeps_its_features(tmp_path):
    """A ligature ("ff") no longer makes matplotlib embed the font a second time."""
    fig = Figure(figsize=(4, 3))
    ax = fig.subplots()
    ax.set(title="share of staff", xlabel="difficult offer")
    pdf = next(p for p in save_figure(fig, tmp_path / "staff") if p.suffix == ".pdf")
    assert pdf.read_bytes().count(b"/Subtype /CIDFontType2") == 1
    assert ax.title.get_fontfeatures() is None  # as it was before saving
