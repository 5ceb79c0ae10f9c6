"""The value of information: what learning more before deciding is worth.

Two kinds of uncertainty sit in a scenario, and information can be about
either (``about=``):

``"parameters"`` (the default)
    The probabilities themselves are uncertain: each has a prior. The
    expected value of perfect information (EVPI) is what the decision maker
    would gain, on average, by learning every probability before deciding::

        EVPI = E_theta[ V*(theta) ] - V*(E[theta])

    where ``V*(theta)`` is the expected utility of the policy that is optimal
    for ``theta`` (:func:`analysis.rollback`), and ``V*(E[theta])`` the value
    of deciding now, on the priors' means. Every fixed policy's expected
    utility is multilinear in independent probability sets, so its expectation
    over the prior is its value at the means, and the second term is exact.

    The partial EVPI of a group of priors ``g`` (EVPPI) is what learning
    just those is worth::

        EVPPI_g = E_theta_g[ V*(theta_g, E[theta_rest]) ] - V*(E[theta])

    again exact in its inner expectation by multilinearity (the shortcut
    noted by Ades, Lu and Claxton, Medical Decision Making 24 (2004) 207-227,
    and Brennan, Kharroubi, O'Hagan and Chilcott, Medical Decision Making 27
    (2007) 448-470), so one level of Monte Carlo suffices: no nested loop and
    no regression. The estimator averages, over draws from the priors
    (:func:`analysis.sample_outcomes`), the gain ``V*(theta_i) -
    U_pi(theta_i)`` of re-optimising over the policy ``pi`` optimal at the
    means: each term is >= 0 and ``E[U_pi(theta)] = V*(E[theta])``, so the
    mean is unbiased for EVPI and never negative, and its standard error is
    the terms' standard deviation over the square root of the draws.

``"outcomes"``
    Perfect information about what happens at chance phases (the
    clairvoyant of Howard, and the EVPI of textbook decision trees): the
    decision maker learns the branch a phase will take before the first
    decision, and every decision may use it. Exact, at the priors' means::

        EVPI = sum_x max_policy sum_paths P(path, x) u(path) - V*

    summing over the joint results ``x`` of the phases. It is defined only
    when a phase's result cannot be changed by the decisions: at every
    decision node, each result must have the same probability under every
    option. A phase that does not happen on every path is treated as a state
    of nature with one distribution that no other phase's probabilities
    depend on, and must be one; otherwise the value is refused with an
    explanation.

    A chance phase the decision does not observe (``observes:``) is
    uncertain at decision time like a later one: perfect information about
    it is what observing it would be worth (the wildcatter's site before
    drilling, for instance).

With named parameters and formulas, every policy's expected utility is
multilinear in independent groups when each formula is linear in each
uncertain parameter (``prior * sensitivity`` is; ``a / b`` or ``a ** 2`` is
not): then the estimators above are exact in their inner expectations.
Otherwise they are approximations, and the tables' ``attrs["note"]`` says so.

Every decision other than the decision maker's keeps its assumed option.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from typing import Literal

import numpy as np
import pandas as pd

from ..core.arguments import check_budget, check_n_draws
from ..core.errors import QueryError
from ..core.rng import RNGLike
from ..core.text import did_you_mean, display_label
from ..core.ties import tie_tolerance
from ..engines.rollback import (
    DecisionEngine,
    check_decision_maker,
    decision_engine,
)
from ..engines.sampling import sample_theta
from ..model.parameters import Groups, resolve_groups
from ..model.scenario import Scenario

__all__ = ["evpi", "evppi"]

About = Literal["parameters", "outcomes"]
#: At most this many joint results of phases are enumerated for perfect information.
MAX_JOINT_RESULTS = 4096


# ----------------------------------------------------------------------- parameters


def _gains(scenario: Scenario, decision_maker: str, theta: np.ndarray,
           prior_policy: np.ndarray) -> np.ndarray:
    """``V*(theta_i) - U_pi(theta_i)`` for each row: the gain of re-optimising."""
    engine = decision_engine(scenario)
    choosers = engine.choosers(decision_maker, "assumed")
    row = engine.stakeholders.index(decision_maker)
    gains = np.empty(theta.shape[0])
    tolerance = np.empty(theta.shape[0])
    for part in scenario.tree.row_chunks(theta.shape[0]):
        edges, utilities = engine.prepare(theta[part])
        reach = edges.prod(axis=2)
        best = engine.solve(edges, choosers, utilities=utilities).policy
        mine = np.broadcast_to(utilities[:, row, :], reach.shape)
        gains[part] = ((reach * best) * mine).sum(axis=1) - ((reach * prior_policy)
                                                            * mine).sum(axis=1)
        tolerance[part] = tie_tolerance(mine)
    # V* is a maximum: a gain within rounding of 0 is no gain.
    return np.where(gains > tolerance, gains, 0.0)


#: Estimated time of solving one draw's decisions, per path and phase.
_SECONDS_PER_CELL = 1e-7


def _check_budget(scenario: Scenario, n_draws: int, solves: int) -> None:
    """Refuse up front a number of draws whose arrays or time would be over budget."""
    tree = scenario.tree
    check_budget(n_draws, what=f"the value of information in scenario {scenario.id!r} "
                 f"({solves} solve{'s' if solves != 1 else ''} a draw)",
                 bytes_per_draw=8.0 * (2 * tree.n_theta + solves + 2),
                 seconds_per_draw=solves * tree.n_paths * len(tree.phases) * _SECONDS_PER_CELL)


def _prior_solution(scenario: Scenario, decision_maker: str) -> tuple[np.ndarray, float]:
    """Return the policy optimal at the priors' means (as a path mask) and its value."""
    engine = decision_engine(scenario)
    edges, utilities = engine.prepare(scenario.tree.mean_theta())
    policy = engine.solve(edges, engine.choosers(decision_maker, "assumed"),
                          utilities=utilities).policy[0]
    mine = utilities[0, engine.stakeholders.index(decision_maker)]
    return policy, float((edges[0].prod(axis=1) * policy) @ mine)


def _note(scenario: Scenario) -> str:
    """Say when a formula is not linear in an uncertain parameter (the estimators approximate)."""
    tree = scenario.tree
    if tree.space is None:
        return ""
    uncertain = {p.name for p in tree.space.uncertain}
    formulas = [p.expression for p in tree.space.parameters if p.expression is not None]
    formulas += [f.expression for s in tree.sets for f in (s.formulas or ()) if f is not None]
    values = tree.values
    if values is not None:
        for amounts in (*values.outcome_terms, *values.branch_terms):
            formulas += [a.expression for a, _ in amounts if hasattr(a, "expression")]
    for expression in formulas:
        for name in expression.names & uncertain:
            if not expression.is_linear_in(name):
                return (f"approximate: formula {expression.text!r} is not linear in the "
                        f"uncertain parameter {name!r}, so expected utilities are not "
                        "multilinear in the priors")
    return ""


def _check_about(about: str) -> None:
    if about not in ("parameters", "outcomes"):
        raise QueryError(f"about == {about!r}, expected 'parameters' (the priors) or "
                         "'outcomes' (what happens at chance phases)")


def evpi(
    scenario: Scenario,
    *,
    decision_maker: str,
    about: About = "parameters",
    n_draws: int = 4000,
    rng: RNGLike = None,
) -> pd.DataFrame:
    """Return the expected value of perfect information for ``decision_maker``.

    See the module docstring for both kinds of information and the
    estimators.

    Parameters
    ----------
    scenario : Scenario
        A scenario with decisions of ``decision_maker``.
    decision_maker : str
        The stakeholder whose decisions and utility count.
    about : {"parameters", "outcomes"}
        Information about the uncertain probabilities (Monte Carlo over the
        priors), or about the results of every chance phase (exact).
    n_draws : int
        Draws of the priors (``about="parameters"`` only).
    rng : None, int, SeedSequence or Generator
        The same seed gives the same result (``about="parameters"`` only).

    Returns
    -------
    DataFrame
        One row: ``decision_maker``, ``about``, ``value_now`` (expected
        utility of deciding now), ``value_informed`` (with perfect
        information), ``evpi`` (their difference), ``standard_error``
        (Monte Carlo; 0 when exact), ``unit`` and ``n_draws`` (0 when
        exact). ``attrs``: ``scenario``, ``seed``.

    Raises
    ------
    QueryError
        If ``decision_maker`` takes no decision, ``about`` is unknown, or
        perfect information about the outcomes is not defined (see above).

    Examples
    --------
    >>> import analysis
    >>> mediation = analysis.load_scenario("mediation")
    >>> table = analysis.evpi(mediation, decision_maker="mediators", n_draws=2000, rng=1)
    >>> list(table.columns)[:5]
    ['decision_maker', 'about', 'value_now', 'value_informed', 'evpi']
    """
    check_decision_maker(scenario, decision_maker)
    _check_about(about)
    unit = scenario.model.utilities[decision_maker].unit
    if about == "outcomes":
        engine = decision_engine(scenario)
        phases = _chance_phases(scenario)
        value_now = _clairvoyant_value(engine, decision_maker, [])
        informed = _clairvoyant_value(engine, decision_maker, phases)
        row = {"decision_maker": decision_maker, "about": about, "value_now": value_now,
               "value_informed": informed, "evpi": _gain(engine, decision_maker,
                                                         informed - value_now),
               "standard_error": 0.0, "unit": unit, "n_draws": 0}
        seed = None
    else:
        n_draws = check_n_draws(n_draws)
        _check_budget(scenario, n_draws, 1)
        policy, value_now = _prior_solution(scenario, decision_maker)
        theta, seed = sample_theta(scenario, n_draws=n_draws, rng=rng)
        gains = _gains(scenario, decision_maker, theta, policy)
        row = {"decision_maker": decision_maker, "about": about, "value_now": value_now,
               "value_informed": value_now + float(gains.mean()), "evpi": float(gains.mean()),
               "standard_error": float(gains.std(ddof=1) / np.sqrt(n_draws)), "unit": unit,
               "n_draws": n_draws}
    frame = pd.DataFrame([row])
    frame.attrs = {**scenario.metadata(), "seed": seed,
                   "note": _note(scenario) if about == "parameters" else ""}
    return frame


def evppi(
    scenario: Scenario,
    *,
    decision_maker: str,
    groups: Groups = None,
    about: About = "parameters",
    n_draws: int = 4000,
    rng: RNGLike = None,
) -> pd.DataFrame:
    """Return the expected value of partial perfect information of each group.

    Parameters
    ----------
    scenario : Scenario
    decision_maker : str
    groups : optional
        ``about="parameters"``: groups of priors as
        :func:`analysis.parameter_groups` takes them (phase ids, ``"phase.rule"``
        keys, or a mapping of names to lists of them); default: one group
        per phase. ``about="outcomes"``: chance phase ids, or a mapping of
        names to lists of them (perfect information about all of them
        together); default: each chance phase, those about which perfect
        information is not defined getting NaN and a ``note``.
    about : {"parameters", "outcomes"}
    n_draws : int
        Draws of the priors, shared by every group and the EVPI
        (``about="parameters"`` only).
    rng : None, int, SeedSequence or Generator

    Returns
    -------
    DataFrame
        One row per group, in the order given: ``group``, ``label``,
        ``members`` (the phases or parameters, comma-separated), ``evppi``,
        ``standard_error``, ``share_of_evpi`` and ``note``. ``attrs``:
        ``scenario``, ``decision_maker``, ``about``, ``evpi``, ``evpi_se``,
        ``value_now``, ``unit``, ``n_draws``, ``seed``.

    Raises
    ------
    QueryError
        As :func:`evpi`, and for an unknown group member.
    """
    check_decision_maker(scenario, decision_maker)
    _check_about(about)
    unit = scenario.model.utilities[decision_maker].unit
    rows = []
    if about == "outcomes":
        engine = decision_engine(scenario)
        value_now = _clairvoyant_value(engine, decision_maker, [])
        named = _phase_groups(scenario, groups)
        try:
            total = _clairvoyant_value(engine, decision_maker, _chance_phases(scenario)
                                       ) - value_now
        except QueryError:
            total = np.nan
        for name, label, phases in named:
            try:
                value = _gain(engine, decision_maker,
                              _clairvoyant_value(engine, decision_maker, phases) - value_now)
                note = ""
            except QueryError as exc:
                if groups is not None:
                    raise
                value, note = np.nan, str(exc)
            rows.append({"group": name, "label": label,
                         "members": ", ".join(scenario.model.phases[k].id for k in phases),
                         "evppi": value,
                         "standard_error": 0.0 if np.isfinite(value) else np.nan,
                         "note": note})
        evpi_value, evpi_se, n, seed = total, 0.0, 0, None
    else:
        n_draws = check_n_draws(n_draws)
        resolved = resolve_groups(scenario, groups)
        _check_budget(scenario, n_draws, len(resolved) + 1)
        policy, value_now = _prior_solution(scenario, decision_maker)
        theta, seed = sample_theta(scenario, n_draws=n_draws, rng=rng)
        gains = _gains(scenario, decision_maker, theta, policy)
        evpi_value, evpi_se = float(gains.mean()), float(gains.std(ddof=1) / np.sqrt(n_draws))
        mean_theta = scenario.tree.mean_theta()
        for group in resolved:
            partial = np.tile(mean_theta, (n_draws, 1))
            partial[:, group.columns] = theta[:, group.columns]
            gain = _gains(scenario, decision_maker, partial, policy)
            rows.append({"group": group.name, "label": group.label,
                         "members": ", ".join(group.keys), "evppi": float(gain.mean()),
                         "standard_error": float(gain.std(ddof=1) / np.sqrt(n_draws)),
                         "note": ""})
        n = n_draws
    frame = pd.DataFrame(rows, columns=["group", "label", "members", "evppi",
                                        "standard_error", "note"])
    with np.errstate(divide="ignore", invalid="ignore"):
        share = frame["evppi"] / evpi_value if evpi_value and np.isfinite(evpi_value) else np.nan
    frame.insert(5, "share_of_evpi", share)
    frame.attrs = {**scenario.metadata(), **scenario.decision_maker_attrs(decision_maker),
                   "about": about,
                   "evpi": evpi_value, "evpi_se": evpi_se, "value_now": value_now,
                   "unit": unit, "n_draws": n, "seed": seed,
                   "note": _note(scenario) if about == "parameters" else ""}
    return frame


# ------------------------------------------------------------------------- outcomes


def _gain(engine: DecisionEngine, decision_maker: str, gain: float) -> float:
    """Return ``gain``, or 0 when it is within rounding of 0 (information cannot hurt)."""
    utilities = engine.utilities[engine.stakeholders.index(decision_maker)]
    return float(gain) if gain > tie_tolerance(utilities) else 0.0


def _chance_phases(scenario: Scenario) -> list[int]:
    return [k for k, phase in enumerate(scenario.model.phases) if phase.decision_maker is None]


def _phase_groups(scenario: Scenario, groups) -> list[tuple[str, str, list[int]]]:
    model = scenario.model
    ids = [p.id for p in model.phases]
    chance = [ids[k] for k in _chance_phases(scenario)]

    def resolve(name: str, items: Iterable[str]) -> tuple[str, str, list[int]]:
        items = [items] if isinstance(items, str) else list(items)
        for item in items:
            if item not in chance:
                what = "a decision" if item in ids else "not a phase"
                raise QueryError(f"group {name!r}: {item!r} is {what}{did_you_mean(item, chance)}"
                                 f"; expected chance phases: {', '.join(chance)}")
        phases = sorted(ids.index(i) for i in dict.fromkeys(items))
        if len(phases) == 1 and name == ids[phases[0]]:
            phase = model.phases[phases[0]]
            label = display_label(phase.id, phase.label)
        else:
            label = name
        return name, label, phases

    if groups is None:
        return [resolve(p, [p]) for p in chance]
    if isinstance(groups, str):
        groups = [groups]
    if isinstance(groups, Mapping):
        return [resolve(str(name), items) for name, items in groups.items()]
    return [resolve(item, [item]) for item in groups]


def _state_weights(engine: DecisionEngine, reach: np.ndarray, phases: list[int]
                   ) -> tuple[list[tuple[int, ...]], list[np.ndarray]]:
    """For each joint result ``x`` of ``phases``, each path's weight ``P(path and x)``."""
    scenario = engine.scenario
    tree, model = scenario.tree, scenario.model
    factors = []  # per phase: (n_branches, n_paths) weight of each result on each path
    for k in phases:
        phase = model.phases[k]
        column = tree.branch_index[:, k]
        n_branches = len(phase.branches)
        reached = column >= 0
        factor = (column[None, :] == np.arange(n_branches)[:, None]).astype(float)
        if not reached.all():
            used = {int(tree.edge_index[p, k]) for p in np.flatnonzero(reached)}
            sets = {s for s, pset in enumerate(tree.sets) if pset.phase == phase.id}
            in_use = [s for s in sets if any(tree.offsets[s] <= e < tree.offsets[s] + n_branches
                                             for e in used)]
            if len(in_use) > 1:
                raise QueryError(
                    f"perfect information about {phase.id!r} is not defined: it does not "
                    "happen on every path, and where it happens its probabilities vary with "
                    "the path (rules), so its result on the other paths has no distribution")
            for j, other in enumerate(model.phases):
                rule = next((r for r in other.rules if phase.id in r.when), None)
                if rule is not None and (tree.branch_index[~reached, j] >= 0).any():
                    raise QueryError(
                        f"perfect information about {phase.id!r} is not defined: it does not "
                        f"happen on every path, and on some paths where it does not, "
                        f"{other.id!r} happens, whose probabilities depend on its result "
                        f"(rule {rule.id!r}): its result there would not be independent")
            s = in_use[0]
            q = scenario.tree.mean_theta()[tree.offsets[s]:tree.offsets[s] + n_branches]
            factor[:, ~reached] = q[:, None]
        factors.append(factor)
    combos = list(itertools.product(*[range(f.shape[0]) for f in factors]))
    if len(combos) > MAX_JOINT_RESULTS:
        raise QueryError(f"perfect information about {len(phases)} phases means {len(combos)} "
                         f"joint results, expected at most {MAX_JOINT_RESULTS}: ask about fewer")
    weights = []
    for combo in combos:
        weight = reach.copy()
        for factor, x in zip(factors, combo, strict=True):
            weight = weight * factor[x]
        weights.append(weight)
    return combos, weights


def _clairvoyant_value(engine: DecisionEngine, decision_maker: str, phases: list[int]) -> float:
    """Return the decision maker's value when the results of ``phases`` are known beforehand."""
    scenario = engine.scenario
    choosers = engine.choosers(decision_maker, "assumed")
    dm = engine.stakeholders.index(decision_maker)
    utilities = engine.utilities[dm]
    reach = engine.edges(scenario.tree.mean_theta())[0].prod(axis=1)
    _, weights = _state_weights(engine, reach, phases)
    total = 0.0
    for weight in weights:
        policy = np.ones(scenario.tree.n_paths, dtype=bool)
        for node in reversed(engine.nodes):
            w = policy[node.paths] * weight[node.paths]
            options = range(len(node.option_ids))
            mass = np.array([w[node.options == o].sum() for o in options])
            if choosers[node.number] is None:
                choice = node.assumed
            else:
                if np.ptp(mass) > 1e-9 * max(1.0, mass.max()):
                    phase = scenario.model.phases[node.phase]
                    names = ", ".join(scenario.model.phases[k].id for k in phases)
                    raise QueryError(
                        f"perfect information about {names} is not defined before decision "
                        f"{phase.id!r} ({engine.information(node)}): the probability of the "
                        "result depends on the option chosen there, so it cannot be known "
                        "before choosing")
                values = np.array([(w[node.options == o] * utilities[node.paths][
                    node.options == o]).sum() if node.allowed[o] else -np.inf
                    for o in options])
                choice = int(np.argmax(values >= values.max() - tie_tolerance(utilities)
                                       * max(mass.max(), 1e-300)))
            policy[node.paths] &= node.options == choice
        total += float((weight * policy) @ utilities)
    return total
