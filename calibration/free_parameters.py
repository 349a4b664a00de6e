"""The parameters to fit, named as ``section.field`` with the bounds to search."""

from __future__ import annotations

from dataclasses import dataclass

from orglearn.scenarios.fields import bounds as field_bounds
from orglearn.simulation.parameters import SECTIONS

__all__ = ["FitParameter", "fit_parameters"]


@dataclass(frozen=True)
class FitParameter:
    """A parameter to fit and its bounds (a uniform prior for ABC)."""

    section: str
    name: str
    low: float
    high: float

    @property
    def key(self) -> str:
        """``section.field``."""
        return f"{self.section}.{self.name}"


def fit_parameters(
    names, bounds: dict[str, tuple[float, float]] | None = None
) -> list[FitParameter]:
    """Resolve parameter names (``generosity``, ``traits.generosity`` or ``traits__generosity``).

    Bounds default to the parameter's allowed range; ``bounds`` may narrow them, keyed by any
    of the same spellings.

    Raises:
        ValueError: a name is unknown, ambiguous, not a number, or has no finite bounds.
    """
    if isinstance(names, str):
        names = [n for n in names.split(",") if n.strip()]
    given = {_locate(k): v for k, v in (bounds or {}).items()}
    fitted = {_locate(raw) for raw in names}
    for section, name in given:
        if (section, name) not in fitted:
            raise ValueError(
                f"--bounds names '{section}.{name}', which is not fitted; add it to --fit, or "
                "leave out its bounds."
            )
    out: list[FitParameter] = []
    for raw in names:
        section, name = _locate(raw)
        info = SECTIONS[section].model_fields[name]
        if info.annotation is not float:
            raise ValueError(
                f"The parameter '{section}.{name}' is not a number that can be fitted "
                "(only real-valued parameters can)."
            )
        allowed_low, allowed_high, low_open, high_open = field_bounds(info)
        low, high = given.get((section, name), (allowed_low, allowed_high))
        if (section, name) in given:
            below = allowed_low is not None and (low < allowed_low or (low_open and low == allowed_low))
            above = allowed_high is not None and (high > allowed_high
                                                  or (high_open and high == allowed_high))
            if below or above:
                allowed = (f"{'(' if low_open else '['}{allowed_low}, {allowed_high}"
                           f"{')' if high_open else ']'}")
                raise ValueError(
                    f"The bounds of '{section}.{name}' ({low}:{high}) must lie within what the "
                    f"parameter allows, {allowed}."
                )
        if low is None or high is None or not low < high:
            raise ValueError(
                f"The parameter '{section}.{name}' needs bounds LOW < HIGH, e.g. "
                f"--bounds {name}=0:1. Got {low}, {high} instead."
            )
        out.append(FitParameter(section, name, float(low), float(high)))
    if not out or len({p.key for p in out}) < len(out):
        raise ValueError(
            "Give one or more different parameters to fit, e.g. lurker_share,generosity."
        )
    return out


def _locate(text: str) -> tuple[str, str]:
    text = text.strip().replace("__", ".")
    if "." in text:
        section, _, name = text.partition(".")
        if section in SECTIONS and name in SECTIONS[section].model_fields:
            return section, name
        raise ValueError(f"Unknown parameter '{text}'; use section.field, e.g. traits.generosity.")
    found = [s for s, cls in SECTIONS.items() if text in cls.model_fields]
    if len(found) == 1:
        return found[0], text
    if found:
        raise ValueError(
            f"Parameter '{text}' is ambiguous; use one of: "
            f"{', '.join(f'{s}.{text}' for s in found)}."
        )
    raise ValueError(
        f"Unknown parameter '{text}'. Examples: lurker_share, generosity, proactivity."
    )
