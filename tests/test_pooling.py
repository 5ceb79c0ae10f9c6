"""Opinion pools of several analysts' scenarios, and where they disagree."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import analysis
from analysis import (
    QueryError,
    analyst_disagreement,
    load_analysts,
    pool_comparison,
    pool_outcomes,
    pool_paths,
)

# Paths: go > well (good), go > badly (meh), halt (bad).
BASE = textwrap.dedent("""\
    id: {id}
    title: Analyst {id}
    as_of: 2025-01-01
    outcomes:
      good: {{label: Good, colour: "#1b9e77"}}
      meh: {{label: Meh, colour: "#7570b3"}}
      bad: {{label: Bad, colour: "#d95f02"}}
    phases:
      - id: start
        question: Does it start?
        branches:
          go: {{prior: {go}}}
          halt: {{outcome: bad}}
      - id: middle
        question: How does it go?
        branches:
          well: {{prior: {{concentration: {well}}}, outcome: good}}
          badly: {{prior: {{concentration: {badly}}}, outcome: meh}}
    """)


@pytest.fixture
def analyst(write_yaml):
    def make(name: str, go: float, well: float, badly: float):
        text = BASE.format(id=name, go=go, well=well, badly=badly)
        return analysis.load_scenario(write_yaml(text, f"{name}.yaml"))

    return make


@pytest.fixture
def pair(analyst):
    # a: paths 0.8 * 0.75, 0.8 * 0.25, 0.2 = 0.6, 0.2, 0.2
    # b: paths 0.5 * 0.2, 0.5 * 0.8, 0.5 = 0.1, 0.4, 0.5
    return analyst("a", 0.8, 3, 1), analyst("b", 0.5, 1, 4)


def test_linear_pool_is_the_weighted_average(pair):
    pooled = pool_outcomes(pair, method="linear", weights=[3, 1])
    assert pooled["probability"].to_numpy() == pytest.approx(
        0.75 * np.array([0.6, 0.2, 0.2]) + 0.25 * np.array([0.1, 0.4, 0.5]))
    assert pooled.attrs["scenario"] == "linear pool"
    assert pooled.attrs["weights"] == pytest.approx([0.75, 0.25])
    assert list(pooled.columns) == ["outcome", "label", "colour", "probability"]


def test_log_pool_is_the_normalised_weighted_geometric_mean(pair):
    pooled = pool_outcomes(pair, method="log")
    geometric = np.sqrt(np.array([0.6, 0.2, 0.2]) * np.array([0.1, 0.4, 0.5]))
    assert pooled["probability"].to_numpy() == pytest.approx(geometric / geometric.sum())


def test_linear_pool_commutes_with_marginalising(pair):
    paths = pool_paths(pair, weights={"a": 2, "b": 1})
    by_outcome = paths.groupby("outcome", sort=False)["probability"].sum()
    outcomes = pool_outcomes(pair, weights={"a": 2, "b": 1}).set_index("outcome")
    assert by_outcome.to_numpy() == pytest.approx(outcomes["probability"].to_numpy())
    direct = sum(w * analysis.outcome_distribution(s)["probability"].to_numpy()
                 for w, s in zip([2 / 3, 1 / 3], pair, strict=True))
    assert outcomes["probability"].to_numpy() == pytest.approx(direct)
    assert list(paths.columns)[:3] == ["path", "start", "middle"]


def test_log_pool_vetoes_a_path_an_analyst_rules_out(pair, analyst):
    certain = analyst("c", 1.0, 3, 1)  # never halts
    pooled = pool_paths([pair[0], certain], method="log")
    assert pooled.loc[pooled["path"] == "halt", "probability"].item() == 0
    # ... unless that analyst has weight 0
    ignored = pool_paths([pair[0], certain], method="log", weights=[1, 0])
    assert ignored["probability"].to_numpy() == pytest.approx([0.6, 0.2, 0.2])


@settings(max_examples=30, deadline=None)
@given(likelihoods=st.lists(st.floats(0.05, 20), min_size=3, max_size=3),
       weight=st.floats(0.05, 0.95))
def test_log_pool_is_externally_bayesian(tmp_path_factory, likelihoods, weight):
    folder = tmp_path_factory.mktemp("bayes")
    paths = []
    for name, go, well, badly in (("a", 0.8, 3, 1), ("b", 0.5, 1, 4)):
        path = folder / f"{name}.yaml"
        path.write_text(BASE.format(id=name, go=go, well=well, badly=badly))
        paths.append(path)
    a, b = (analysis.load_scenario(p) for p in paths)
    well, badly, halt = likelihoods
    log = folder / "log.yaml"
    log.write_text(textwrap.dedent(f"""\
        id: log
        title: Log
        items:
          - id: report
            date: 2025-02-01
            title: A report
            cite: [ceasefire-facts.truce-2008-06]
            phase: middle
            likelihoods: {{well: {well!r}, badly: {badly!r}}}
            otherwise: {halt!r}
        """))
    weights = [weight, 1 - weight]
    pooled_then_updated = pool_paths([a, b], method="log", weights=weights)["probability"]
    joint = pooled_then_updated.to_numpy() * [well, badly, halt]
    updated = [analysis.update_scenario(s, log) for s in (a, b)]
    updated_then_pooled = pool_paths(updated, method="log", weights=weights)["probability"]
    assert updated_then_pooled.to_numpy() == pytest.approx(joint / joint.sum(), rel=1e-9)


def test_pool_comparison_stacks_analysts_and_pools(pair):
    frame = pool_comparison(pair)
    assert frame["scenario"].unique().tolist() == ["a", "b", "linear pool", "log pool"]
    assert frame.groupby("scenario")["probability"].sum().to_numpy() == pytest.approx(1)
    assert list(frame.columns) == ["scenario", "outcome", "label", "colour", "probability"]


def test_disagreement_ranks_branch_probabilities_by_spread(pair, analyst):
    third = analyst("c", 0.7, 1, 1)
    frame = analyst_disagreement([*pair, third])
    # start.go: 0.8, 0.5, 0.7 (spread 0.3); middle.well: 0.75, 0.2, 0.5 (0.55); each
    # two-branch question's mirror (start.halt, middle.badly) is left out
    assert frame["key"].unique().tolist() == ["middle.well", "start.go"]
    first = frame[frame["key"] == "middle.well"]
    assert first["analyst"].tolist() == ["a", "b", "c"]
    assert first["spread"].iloc[0] == pytest.approx(0.55)
    assert first["sd"].iloc[0] == pytest.approx(np.std([0.75, 0.2, 0.5]))
    assert first["rank"].iloc[0] == 1
    assert first["label"].iloc[0] == "Middle: Well"
    assert list(frame.columns) == ["key", "phase", "rule", "branch", "label", "analyst", "mean",
                                   "p05", "p95", "spread", "sd", "rank"]


def test_pool_errors(pair, analyst, write_yaml):
    with pytest.raises(ValueError, match="method == 'mean'"):
        pool_outcomes(pair, method="mean")
    with pytest.raises(ValueError, match="non-negative"):
        pool_outcomes(pair, weights=[1, -1])
    with pytest.raises(ValueError, match="2 values for 2|got 3 values"):
        pool_outcomes(pair, weights=[1, 1, 1])
    with pytest.raises(ValueError, match="unknown analyst"):
        pool_outcomes(pair, weights={"z": 1})
    with pytest.raises(ValueError, match="repeat"):
        pool_outcomes([pair[0], pair[0]])
    with pytest.raises(TypeError, match="sequence"):
        pool_outcomes(pair[0])
    with pytest.raises(QueryError, match="different tree"):
        pool_outcomes([pair[0], analysis.load_scenario("baseline")])
    never = analyst("n", 0.0, 3, 1)  # always halts
    sure = analyst("s", 1.0, 3, 1)  # never halts
    with pytest.raises(QueryError, match="no log pool exists"):
        pool_outcomes([never, sure], method="log")


def test_project_analysts_load_and_pool():
    analysts = load_analysts()
    assert [a.id for a in analysts] == ["base_rates", "mediator_lens",
                                        "palestinian_politics_lens", "security_lens"]
    for method in ("linear", "log"):
        assert pool_outcomes(analysts, method=method)["probability"].sum() == pytest.approx(1)
    top = analyst_disagreement(analysts).iloc[0]
    # withdrawal.phased: the mediator lens's 5 of 10 against the security lens's 1.5 of 10
    assert top["key"] == "withdrawal.phased" and top["spread"] == pytest.approx(0.5 - 0.15)


def test_load_analysts_from_an_empty_folder(tmp_path):
    with pytest.raises(QueryError, match="no scenario files"):
        load_analysts(tmp_path)
