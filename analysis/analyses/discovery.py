"""Scenario discovery: which ranges of the parameters lead to a chosen outcome.

Given a sweep (:func:`analysis.sweep`), a variant is a **case of interest**
when an outcome's probability, under a policy, is above a threshold
(renewed war above 50% under the mediators' optimal policy, say).
:func:`discover_scenarios` runs PRIM, the Patient Rule Induction Method
(Friedman and Fisher, Statistics and Computing 9 (1999) 123-143), as the EMA
Workbench implements it for scenario discovery (Kwakkel, Environmental
Modelling & Software 96 (2017) 239-250; ``ema_workbench.analysis.prim``,
imported on first use: ``pip install 'dealtree[discovery]'``). PRIM peels
the box of plausible ranges a sliver at a time (``peel_alpha`` of the
variants left in it), always where that raises the share of cases of
interest inside most, and records each box on its **peeling trajectory**:

- **coverage**: the share of all cases of interest that fall inside the box;
- **density**: the share of the variants inside the box that are of interest;
- **mass**: the share of all variants inside the box;
- **restricted dimensions**: how many parameters the box limits.

Peeling trades coverage for density; the chosen box is the first on the
trajectory whose density reaches ``min_density`` (the most coverage at that
density), or the densest if none does. With many parameters PRIM also
restricts some by chance: the restrictions of the chosen box whose
quasi-p-value (Bryant and Lempert, Technological Forecasting and Social
Change 77 (2010) 34-49) is above ``max_p_value`` are then dropped, and the
box without them (recomputed by PRIM, added to the trajectory as ``pruned``)
is the one reported. Its limits say which beliefs lead to
the outcome: "renewed war is likely when the ceasefire's chance of holding
is below 0.7 and governance at the line collapses more than 40% of the
time". Only the design's variants take part by default: they cover the box
evenly, as PRIM's shares assume.
"""

from __future__ import annotations

import logging
import math
import warnings
from dataclasses import dataclass, field
from numbers import Real

import numpy as np
import pandas as pd

from ..core.arguments import check_probability
from ..core.errors import QueryError
from ..core.text import did_you_mean
from .sweep import SweepResult

__all__ = ["ScenarioDiscovery", "discover_scenarios"]

_TRAJECTORY_COLUMNS = ["step", "coverage", "density", "mass", "mean", "restricted_dimensions",
                       "pruned", "chosen"]
_ANY_CASE = 1e-9
_LIMIT_COLUMNS = ["step", "parameter", "label", "low", "high", "range_low", "range_high",
                  "restricted", "p_value", "chosen"]


@dataclass(frozen=True, eq=False)
class ScenarioDiscovery:
    """PRIM's peeling trajectory and box limits (see the module docstring).

    Attributes
    ----------
    trajectory : DataFrame
        One row per box on the peeling trajectory: ``step``, ``coverage``,
        ``density``, ``mass``, ``mean`` (of the case-of-interest indicator,
        equal to the density), ``restricted_dimensions``, ``pruned`` (a box
        made by dropping the weak restrictions of a peeled one) and ``chosen``.
    limits : DataFrame
        One row per box and parameter: ``step``, ``parameter``, ``label``,
        ``low``, ``high`` (the box), ``range_low``, ``range_high`` (the
        plausible range swept), ``restricted`` (the box limits it),
        ``p_value`` (PRIM's quasi-p-value of the restriction, the smaller of
        its two ends; NaN when not restricted) and ``chosen``.
    chosen : int
        The chosen box's step.
    """

    trajectory: pd.DataFrame = field(repr=False)
    limits: pd.DataFrame = field(repr=False)
    chosen: int
    attrs: dict = field(default_factory=dict)

    @property
    def box(self) -> pd.DataFrame:
        """Return the chosen box's restricted parameters, their limits and ranges."""
        rows = self.limits[(self.limits["step"] == self.chosen) & self.limits["restricted"]]
        return rows[["parameter", "label", "low", "high", "range_low", "range_high",
                     "p_value"]].reset_index(drop=True)

    def __repr__(self) -> str:
        row = self.trajectory[self.trajectory["step"] == self.chosen].iloc[0]
        return (f"ScenarioDiscovery({self.attrs.get('outcome')!r} above "
                f"{self.attrs.get('threshold')}: box {self.chosen}, coverage "
                f"{row['coverage']:.2f}, density {row['density']:.2f}, "
                f"{int(row['restricted_dimensions'])} parameters)")


def discover_scenarios(
    result: SweepResult,
    *,
    outcome: str,
    threshold: float,
    policy: str = "optimal",
    parameters: list[str] | None = None,
    kind: str | None = "design",
    min_density: float = 0.8,
    max_p_value: float | None = 0.05,
    peel_alpha: float = 0.05,
    paste_alpha: float = 0.05,
    mass_min: float = 0.05,
) -> ScenarioDiscovery:
    """Find the ranges of the parameters where ``outcome`` is above ``threshold``, by PRIM.

    Parameters
    ----------
    result : SweepResult
        A sweep (:func:`analysis.sweep`).
    outcome : str
        An outcome id of the scenario (``"renewed_war"``).
    threshold : float
        A variant is of interest when the outcome's probability is above it.
    policy : str
        ``"optimal"`` (the decision maker's optimal policy in each variant),
        or an option of their first decision, taken in every state.
    parameters : list of str, optional
        The parameters PRIM may restrict (default: every swept parameter).
    kind : {"design", "analyst"} or None
        Which variants take part (None: all).
    min_density : float
        Density the chosen box must reach.
    max_p_value : float or None
        Restrictions of the chosen box less significant than this are
        dropped (None: keep them all).
    peel_alpha, paste_alpha, mass_min : float
        PRIM's share peeled (or pasted) per step, and the smallest mass of a box.

    Returns
    -------
    ScenarioDiscovery

    Raises
    ------
    QueryError
        For an unknown outcome, policy or parameter, or when no variant, or
        every variant, is of interest.
    ImportError
        If the EMA Workbench is not installed.

    Examples
    --------
    >>> import analysis
    >>> mediation = analysis.load_scenario("mediation")
    >>> result = analysis.sweep(mediation, decision_maker="mediators", n_variants=512,
    ...                         rng=1, scheduler="synchronous")
    >>> found = analysis.discover_scenarios(result, outcome="renewed_war", threshold=0.5)
    >>> found.box.columns[:4].tolist()
    ['parameter', 'label', 'low', 'high']
    """
    if not isinstance(result, SweepResult):
        raise TypeError(f"result: got {type(result).__name__}, expected a SweepResult "
                        "(analysis.sweep)")
    if isinstance(threshold, bool) or not isinstance(threshold, Real) or not math.isfinite(
            threshold):
        raise QueryError(f"threshold == {threshold!r}, expected a probability")
    for name, value in (("min_density", min_density), ("peel_alpha", peel_alpha),
                        ("paste_alpha", paste_alpha), ("mass_min", mass_min)):
        check_probability(value, name, open_ends=True)
    outcomes = result.outcomes
    known = list(outcomes["outcome"].cat.categories)
    if outcome not in known:
        raise QueryError(f"unknown outcome {outcome!r}{did_you_mean(str(outcome), known)}; "
                         f"expected one of: {', '.join(known)}")
    policies = list(outcomes["policy"].cat.categories)
    if policy not in policies:
        raise QueryError(f"unknown policy {policy!r}{did_you_mean(str(policy), policies)}; "
                         f"expected one of: {', '.join(policies)}")
    swept = list(result.parameters["parameter"])
    names = swept if parameters is None else list(parameters)
    for name in names:
        if name not in swept:
            raise QueryError(f"unknown parameter {name!r}{did_you_mean(str(name), swept)}; "
                             f"expected one of the swept parameters: {', '.join(swept)}")
    variants = result.variants
    if kind is not None:
        if kind not in ("design", "analyst"):
            raise QueryError(f"kind == {kind!r}, expected 'design', 'analyst' or None")
        variants = variants[variants["kind"] == kind]
    chosen_rows = outcomes[(outcomes["policy"] == policy) & (outcomes["outcome"] == outcome)]
    probability = chosen_rows.set_index("variant")["probability"].reindex(variants["variant"])
    interest = probability.to_numpy() > threshold
    count = int(interest.sum())
    if count == 0 or count == len(interest):
        which = "no" if count == 0 else "every"
        raise QueryError(f"{which} variant has {outcome} above {threshold} under policy "
                         f"{policy!r} (its probability ranges from {probability.min():.3f} "
                         f"to {probability.max():.3f}): nothing to discover")
    x = variants[names].reset_index(drop=True).astype(float)
    box = _run_prim(x, interest, min_density=min_density, peel_alpha=peel_alpha,
                    paste_alpha=paste_alpha, mass_min=mass_min)
    peeled = len(box.peeling_trajectory)
    dense = np.flatnonzero(box.peeling_trajectory["density"].to_numpy() >= min_density)
    chosen = int(dense[0]) if len(dense) else int(np.argmax(
        box.peeling_trajectory["density"].to_numpy()))
    if max_p_value is not None:
        check_probability(max_p_value, "max_p_value", open_ends=True)
        chosen = _prune(box, chosen, names, max_p_value)
    trajectory = box.peeling_trajectory.reset_index(drop=True)
    steps = np.arange(len(trajectory))
    table = pd.DataFrame({
        "step": steps, "coverage": trajectory["coverage"].to_numpy(float),
        "density": trajectory["density"].to_numpy(float),
        "mass": trajectory["mass"].to_numpy(float), "mean": trajectory["mean"].to_numpy(float),
        "restricted_dimensions": trajectory["res_dim"].to_numpy(int),
        "pruned": steps >= peeled, "chosen": steps == chosen}, columns=_TRAJECTORY_COLUMNS)
    ranges = result.parameters.set_index("parameter")
    initial = box.box_lims[0]
    rows = []
    for step, limits in enumerate(box.box_lims):
        for name in names:
            low, high = float(limits.loc[0, name]), float(limits.loc[1, name])
            restricted = bool(low > float(initial.loc[0, name])
                              or high < float(initial.loc[1, name]))
            rows.append({"step": step, "parameter": name, "label": ranges.loc[name, "label"],
                         "low": low, "high": high, "range_low": float(ranges.loc[name, "low"]),
                         "range_high": float(ranges.loc[name, "high"]),
                         "restricted": restricted,
                         "p_value": _quasi_p(box, step, name) if restricted else np.nan,
                         "chosen": step == chosen})
    limits_frame = pd.DataFrame(rows, columns=_LIMIT_COLUMNS)
    attrs = {**result.attrs, "outcome": outcome, "threshold": float(threshold),
             "policy": policy, "kind": kind, "min_density": min_density,
             "max_p_value": max_p_value,
             "n_variants": int(len(interest)), "n_of_interest": count,
             "box_coverage": float(table.loc[chosen, "coverage"]),
             "box_density": float(table.loc[chosen, "density"]),
             "outcome_label": str(chosen_rows["label"].iloc[0]) if len(chosen_rows) else outcome}
    table.attrs = dict(attrs)
    limits_frame.attrs = dict(attrs)
    return ScenarioDiscovery(table, limits_frame, chosen, attrs)


def _quasi_p(box, step: int, name: str) -> float:
    """Return the smaller quasi-p-value of a restriction's ends (PRIM gives -1 to a free end)."""
    values = [v for v in box.qp[step].get(name, []) if v is not None and np.isfinite(v)
              and v >= 0]
    return float(min(values)) if values else np.nan


def _prune(box, chosen: int, names: list[str], max_p_value: float) -> int:
    """Drop the chosen box's restrictions above ``max_p_value``; return the box to report."""
    initial, limits = box.box_lims[0], box.box_lims[chosen]
    weak = [name for name in names
            if (limits.loc[0, name] > initial.loc[0, name]
                or limits.loc[1, name] < initial.loc[1, name])
            and not _quasi_p(box, chosen, name) <= max_p_value]
    if not weak:
        return chosen
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # its deprecation warnings (pandas') are not ours
        box.drop_restriction(weak[0], chosen)
        for name in weak[1:]:
            box.drop_restriction(name)
    return len(box.peeling_trajectory) - 1


def _run_prim(x: pd.DataFrame, interest: np.ndarray, **settings):
    """Run the EMA Workbench's PRIM and return its (one) box."""
    try:
        with warnings.catch_warnings():
            # Its package warns at import about optional parts it does not find.
            warnings.simplefilter("ignore")
            from ema_workbench.analysis import prim
    except ImportError as exc:  # pragma: no cover - the extra is installed by make
        raise ImportError("scenario discovery needs the EMA Workbench's PRIM: "
                          "pip install 'dealtree[discovery]'") from exc
    logger = logging.getLogger("EMA")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        # With a 0/1 outcome any threshold in (0, 1] marks the same cases of interest; a tiny
        # one keeps PRIM from replacing a box short of it by the whole space, so the
        # trajectory is always kept and the box is chosen on it (min_density).
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # its deprecation warnings (pandas') are not ours
            algorithm = prim.Prim(x, interest.astype(int), threshold=_ANY_CASE,
                                  peel_alpha=settings["peel_alpha"],
                                  paste_alpha=settings["paste_alpha"],
                                  mass_min=settings["mass_min"])
            return algorithm.find_box()
    finally:
        logger.setLevel(level)
