"""docs/scenarios.md is the generated reference, and the reference covers the whole schema."""

from __future__ import annotations

from pathlib import Path

import pytest

from orglearn.cli.main import main
from orglearn.scenarios import builtin_names, load
from orglearn.scenarios.reference import markdown_reference
from orglearn.scenarios.schema import METADATA
from orglearn.simulation.interventions import INTERVENTION_KINDS
from orglearn.simulation.parameters import SECTIONS

DOCS = Path(__file__).resolve().parents[2] / "docs" / "scenarios.md"


@pytest.fixture(scope="module")
def reference() -> str:
    return markdown_reference()


def test_docs_are_the_generated_reference(reference):
    """Regenerate with: orglearn scenarios reference > docs/scenarios.md"""
    assert DOCS.is_file()
    assert DOCS.read_text(encoding="utf-8") == reference, (
        "docs/scenarios.md differs from the schema; run 'orglearn scenarios reference > "
        "docs/scenarios.md'"
    )


def test_reference_command_prints_the_reference(reference, capsys):
    assert main(["scenarios", "reference"]) == 0
    assert capsys.readouterr().out == reference


def test_reference_is_deterministic(reference):
    assert markdown_reference() == reference


def test_reference_mentions_every_top_level_key(reference):
    for key in (*METADATA, "steps"):
        assert f"| `{key}` |" in reference, key


@pytest.mark.parametrize("section", list(SECTIONS))
def test_reference_documents_every_section_and_key(reference, section):
    heading = f"## `[{section}]`"
    assert heading in reference
    body = reference.split(heading, 1)[1].split("\n## ", 1)[0]
    for name, info in SECTIONS[section].model_fields.items():
        assert f"| `{name}` |" in body, f"{section}.{name}"
        if info.description:
            assert info.description.replace("|", "\\|") in body


@pytest.mark.parametrize("kind", list(INTERVENTION_KINDS))
def test_reference_documents_every_intervention_kind(reference, kind):
    heading = f'### `kind = "{kind}"`'
    assert heading in reference
    body = reference.split(heading, 1)[1].split("\n### ", 1)[0]
    for name in INTERVENTION_KINDS[kind].model_fields:
        if name != "kind":
            assert f"| `{name}` |" in body, f"{kind}.{name}"


@pytest.mark.parametrize("name", builtin_names())
def test_reference_describes_every_builtin(reference, name):
    scenario = load(name)
    assert f"| `{name}` | {scenario.title} |" in reference
    assert f"### `{name}`: {scenario.title}" in reference
    assert scenario.description in reference
    for source in scenario.sources:
        assert source in reference


def test_reference_shows_allowed_ranges(reference):
    assert "| `lurker_share` | number | [0.0, 1.0] | `0.3` |" in reference
    assert "| `steps` | integer | [1, 1000000] | `365` |" in reference
