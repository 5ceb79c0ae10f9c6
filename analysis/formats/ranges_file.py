"""Ranges files: the plausible range of each parameter a sweep varies.

A sweep (:func:`analysis.sweep`) varies every uncertain parameter of a
scenario over a plausible range: by default the central interval of its
prior. A ranges file replaces some of those ranges, or names the only
parameters to vary::

    # ranges for dealtree sweep --ranges FILE
    interval: 0.9                 # prior-derived ranges: this central interval (default 0.9)
    only_listed: false            # true: vary only the parameters listed below
    ranges:
      ceasefire.holds: {low: 0.6, high: 0.97, rationale: From the analysts' spread.}
      governance.at_the_line.collapses: [0.1, 0.5]

Keys are the sweep's parameter names (``analysis.sweep_parameters(scenario)``
lists them). Checked when the file loads: every range is ``low <= high``
inside ``[0, 1]``; the keys themselves are checked against the scenario when
the sweep starts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, model_validator

from ..core.paths import project_folder
from .base import Probability, StrictModel, Text, read_model

__all__ = ["Range", "RangesFile", "load_ranges"]


class Range(StrictModel):
    """One parameter's plausible range."""

    low: Probability
    high: Probability
    rationale: Text | None = None

    @model_validator(mode="before")
    @classmethod
    def _pair(cls, data):
        if isinstance(data, list | tuple):
            if len(data) != 2:
                raise ValueError(f"got {len(data)} values, expected [low, high]")
            return {"low": data[0], "high": data[1]}
        return data

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.low > self.high:
            raise ValueError(f"low == {self.low} is above high == {self.high}, expected "
                             "low <= high")
        return self


class RangesFile(StrictModel):
    """A ranges file (see the module docstring)."""

    interval: Annotated[float, Field(gt=0, lt=1)] = Field(
        default=0.9, description="Central interval of the priors for the ranges not listed.")
    only_listed: bool = Field(
        default=False, description="true: vary only the listed parameters, the others at "
        "their means.")
    ranges: Annotated[dict[str, Range], Field(max_length=4096)] = Field(
        default_factory=dict, description="Parameter name -> {low, high} or [low, high].")


def load_ranges(path: str | Path) -> RangesFile:
    """Load and validate a ranges file.

    Raises
    ------
    ScenarioError
        Listing every problem, each with file, line, location and message.
    """
    model, _, _ = read_model(path, RangesFile, folder=project_folder("scenarios"),
                             what="ranges file", keys="with ranges")
    return model
