"""Global sensitivity: which priors' uncertainty drives the variance of an output.

One-way sensitivity (:mod:`analysis.analyses.sensitivity`) moves one probability at a
time; here every uncertain probability set is drawn from its prior at once
(:func:`analysis.sample_outcomes`), and the variance of an output over the
draws is split among **groups** of priors. A probability set is the smallest
group: its branches move together. By default each phase is a group (all
its probability sets: the default one and every rule's).

Estimator
---------
For a group ``g`` the first-order (Sobol') index and the total index are::

    S_g  = Var(E[Y | theta_g]) / Var(Y)
    ST_g = 1 - Var(E[Y | theta_not_g]) / Var(Y)

Every output dealtree computes under fixed options (an outcome's
probability, an attribute's or a stakeholder's expected utility) is a sum
over paths of products of probabilities in which each set appears at most
once: it is multilinear in the sets, and the sets are independent under the
prior. The conditional expectations are then exact by plugging in means::

    E[Y | theta_g] = Y(theta_g, mean of the rest)

so one set of draws gives both indices with no inner loop and no binning:
``S_g`` is the variance of ``Y(theta_g^(i), mean)`` over the draws divided
by the variance of ``Y(theta^(i))``, and ``ST_g`` uses
``Y(mean_g, theta_rest^(i))``. (This is the shortcut Ades, Lu and Claxton,
Medical Decision Making 24 (2004) 207-227, note for multilinear models with
independent parameters.) Standard errors come from a bootstrap over the
draws. Conditional outputs (``given``) are ratios, not multilinear, and are
not offered.

With ``decision_maker`` the output is evaluated under the policy that is
optimal at the priors' means (:func:`analysis.rollback`), held fixed, so it
stays multilinear; how much the *choice* depends on each group is what
:func:`analysis.evppi` measures.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.arguments import check_budget, check_n_draws
from ..core.errors import QueryError
from ..core.rng import RNGLike
from ..engines.rollback import check_decision_maker, decision_engine
from ..engines.sampling import sample_theta
from ..model.outputs import resolve_outputs
from ..model.parameters import Groups, resolve_groups
from ..model.scenario import Scenario

__all__ = ["global_sensitivity", "parameter_groups"]

#: Bootstrap resamples behind the standard errors.
_BOOTSTRAP = 200
#: Estimated time of evaluating one draw's path probabilities, per path and phase.
_SECONDS_PER_CELL = 2e-8


def parameter_groups(scenario: Scenario, *, groups: Groups = None) -> pd.DataFrame:
    """Return the groups of priors that global sensitivity and EVPPI use.

    Parameters
    ----------
    scenario : Scenario
    groups : iterable of str, or mapping of str to iterable of str, optional
        Each item is a phase id (all the phase's uncertain probability sets),
        a rule's key ``"phase.rule"`` (that set alone), an uncertain named
        parameter or a Dirichlet group's name. A list makes one group per
        item; a mapping names groups of several items. Default: one group
        per phase with uncertain probabilities, then one per uncertain named
        parameter.

    Returns
    -------
    DataFrame
        ``group``, ``label``, ``parameters`` (the keys of its uncertain
        branches, comma-separated) and ``sets`` (how many probability sets).

    Raises
    ------
    QueryError
        For an item that names no uncertain probabilities.
    """
    resolved = resolve_groups(scenario, groups)
    return pd.DataFrame({"group": [g.name for g in resolved],
                         "label": [g.label for g in resolved],
                         "parameters": [", ".join(g.keys) for g in resolved],
                         "sets": [len(g.sets) for g in resolved]},
                        columns=["group", "label", "parameters", "sets"])


def _output_values(scenario: Scenario, theta: np.ndarray, output,
                   policy: np.ndarray | None) -> np.ndarray:
    """Return the output for each row of ``theta``, under assumed options or a fixed policy."""
    values = np.empty(theta.shape[0])
    engine = decision_engine(scenario)
    tree = scenario.tree
    for part in tree.row_chunks(theta.shape[0]):
        rows = tree.derive(theta[part])
        if policy is None:
            probabilities = tree.path_probabilities(rows)
        else:
            probabilities = engine.edges(rows).prod(axis=2) * policy
        values[part] = (probabilities * output.row_weights(rows)).sum(axis=1)
    return values


def _bootstrap_rng(seed) -> np.random.Generator:
    entropy = seed if isinstance(seed, tuple) else (seed,)
    return np.random.default_rng(np.random.SeedSequence(entropy, spawn_key=(0x5EED,)))


def global_sensitivity(
    scenario: Scenario,
    *,
    output: str,
    groups: Groups = None,
    n_draws: int = 4000,
    rng: RNGLike = None,
    decision_maker: str | None = None,
) -> pd.DataFrame:
    """Split the variance of ``output`` over the priors' uncertainty among groups of priors.

    See the module docstring for the estimator.

    Parameters
    ----------
    scenario : Scenario
    output : str
        An outcome id (its probability), an attribute id (its expected
        value) or ``"utility:STAKEHOLDER"``.
    groups : optional
        As :func:`parameter_groups` takes them; default: one per phase.
    n_draws : int
        Monte Carlo draws of the priors.
    rng : None, int, SeedSequence or Generator
        The same seed gives the same result.
    decision_maker : str, optional
        Evaluate the output under that stakeholder's policy optimal at the
        priors' means instead of the assumed options.

    Returns
    -------
    DataFrame
        One row per group, largest ``first_order`` first: ``group``,
        ``label``, ``parameters``, ``first_order``, ``first_order_se``,
        ``total_order``, ``total_order_se``. ``attrs``: ``scenario``,
        ``output``, ``output_label``, ``unit``, ``mean`` and ``variance`` of
        the output over the draws, ``n_draws``, ``seed``, ``decision_maker``.

    Raises
    ------
    QueryError
        For an unknown output, group item or stakeholder, or when the output
        does not vary over the draws.
    """
    n_draws = check_n_draws(n_draws)
    if not isinstance(output, str):
        raise QueryError(f"output == {output!r}, expected one outcome, attribute or utility")
    [resolved_output] = resolve_outputs(scenario, output)
    name, weights = resolved_output.name, resolved_output
    resolved = resolve_groups(scenario, groups)
    policy = None
    if decision_maker is not None:
        check_decision_maker(scenario, decision_maker)
        engine = decision_engine(scenario)
        edges, utilities = engine.prepare(scenario.tree.mean_theta())
        policy = engine.solve(edges, engine.choosers(decision_maker, "assumed"),
                              utilities=utilities).policy[0]
    tree = scenario.tree
    cells = tree.n_paths * len(tree.phases)
    check_budget(n_draws, what=f"the variance decomposition of scenario {scenario.id!r} "
                 f"over {len(resolved)} group(s)",
                 bytes_per_draw=8.0 * (3 * tree.n_theta + 2 * _BOOTSTRAP + 4),
                 seconds_per_draw=(2 * len(resolved) + 1) * cells * _SECONDS_PER_CELL)
    theta, seed = sample_theta(scenario, n_draws=n_draws, rng=rng)
    mean_theta = scenario.tree.mean_theta()
    y = _output_values(scenario, theta, weights, policy)
    variance = float(np.var(y, ddof=1))
    if not variance > 1e-15 * max(1.0, float(np.mean(y)) ** 2):
        raise QueryError(f"output {name!r} does not vary over the priors' draws (variance "
                         f"{variance:.3g}): nothing to attribute")
    boot = _bootstrap_rng(seed).integers(0, n_draws, size=(_BOOTSTRAP, n_draws))
    boot_var = np.var(y[boot], axis=1, ddof=1)
    rows = []
    for group in resolved:
        alone = np.tile(mean_theta, (n_draws, 1))
        alone[:, group.columns] = theta[:, group.columns]
        rest = theta.copy()
        rest[:, group.columns] = mean_theta[group.columns]
        y_alone = _output_values(scenario, alone, weights, policy)
        y_rest = _output_values(scenario, rest, weights, policy)
        first = np.var(y_alone, ddof=1) / variance
        total = 1 - np.var(y_rest, ddof=1) / variance
        first_boot = np.var(y_alone[boot], axis=1, ddof=1) / boot_var
        total_boot = 1 - np.var(y_rest[boot], axis=1, ddof=1) / boot_var
        rows.append({"group": group.name, "label": group.label,
                     "parameters": ", ".join(group.keys), "first_order": float(first),
                     "first_order_se": float(np.std(first_boot, ddof=1)),
                     "total_order": float(total),
                     "total_order_se": float(np.std(total_boot, ddof=1))})
    frame = pd.DataFrame(rows, columns=["group", "label", "parameters", "first_order",
                                        "first_order_se", "total_order", "total_order_se"])
    frame = frame.sort_values("first_order", ascending=False, kind="stable")
    frame = frame.reset_index(drop=True)
    frame.attrs = {**scenario.metadata(), "output": name,
                   "output_label": resolved_output.label, "unit": resolved_output.unit,
                   "mean": float(np.mean(y)),
                   "variance": variance, "n_draws": n_draws, "seed": seed,
                   **scenario.decision_maker_attrs(decision_maker)}
    return frame
