"""Evidence logs and posterior trees: formats, hand-computed updates, properties, errors."""

from __future__ import annotations

import math
import re
import textwrap
from pathlib import Path

import numpy as np
import pytest
from conftest import marked_line, problem_at
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize, stats

import analysis
from analysis import ScenarioError, belief_timeline, evidence_table, load_evidence, update_scenario
from analysis.formats.evidence_file import evidence_json_schema

ROOT = Path(__file__).resolve().parent.parent

# Paths of TWO at the priors' means (start.go 0.6; middle 0.6 / 0.2 / 0.2; finish.done 0.8):
#   go > well > done       0.288  good
#   go > well > not_done   0.072  meh
#   go > badly             0.120  meh   (finish skipped)
#   go > fails             0.120  bad
#   halt                   0.400  bad   (middle and finish not reached)
TWO = textwrap.dedent("""\
    id: two
    title: Two phases and a finish
    as_of: 2025-01-01
    outcomes:
      good: {label: Good, colour: "#1b9e77"}
      meh: {label: Meh, colour: "#7570b3"}
      bad: {label: Bad, colour: "#d95f02"}
    phases:
      - id: start
        question: Does it start?
        branches:
          go: {prior: {alpha: 6, beta: 4}}
          halt: {outcome: bad}
      - id: middle
        question: How does it go?
        branches:
          well: {prior: {concentration: 3}}
          badly: {prior: {concentration: 1}}
          fails: {prior: {concentration: 1}, outcome: bad}
      - id: finish
        question: Does it finish?
        applies_when: {middle: well}
        branches:
          done: {prior: 0.8}
          not_done: {}
    outcome_rules:
      - when: {finish: done}
        outcome: good
      - outcome: meh
    """)
PATHS = np.array([0.288, 0.072, 0.12, 0.12, 0.4])
OUTCOME_OF_PATH = np.array([0, 1, 1, 2, 2])  # good, meh, meh, bad, bad

LOG_HEAD = textwrap.dedent("""\
    id: test_log
    title: Test log
    items:
    """)


def item(body: str) -> str:
    """One list item of a log, indented under ``items:``."""
    return textwrap.indent(textwrap.dedent(body).strip("\n"), "  ") + "\n"


@pytest.fixture
def two(write_yaml):
    return analysis.load_scenario(write_yaml(TWO, "two.yaml"))


@pytest.fixture
def write_log(write_yaml):
    def write(*items: str, head: str = LOG_HEAD) -> Path:
        return write_yaml(head + "".join(item(i) for i in items), "log.yaml")

    return write


def outcomes(scenario) -> np.ndarray:
    return analysis.outcome_distribution(scenario)["probability"].to_numpy()


def by_outcome(joint: np.ndarray) -> np.ndarray:
    return np.bincount(OUTCOME_OF_PATH, weights=joint / joint.sum(), minlength=3)


def observed(phase_branch: str, date: str = "2025-02-01", name: str = "obs") -> str:
    phase, branch = phase_branch.split("=")
    return f"""
    - id: {name}
      date: {date}
      title: Observed {phase_branch}
      cite: [ceasefire-facts.truce-2008-06]
      observed: {{{phase}: {branch}}}
    """


def report(phase: str, likelihoods: str, date: str = "2025-02-01", name: str = "rep",
           otherwise: str = "") -> str:
    extra = f"\n      otherwise: {otherwise}" if otherwise else ""
    return f"""
    - id: {name}
      date: {date}
      title: A report on {phase}
      cite: [ceasefire-facts.truce-2008-06]
      phase: {phase}
      likelihoods: {likelihoods}{extra}
    """


def counts(phase: str, values: str, date: str = "2025-02-01", name: str = "cnt",
           rule: str = "") -> str:
    extra = f"\n      rule: {rule}" if rule else ""
    return f"""
    - id: {name}
      date: {date}
      title: Counts on {phase}
      cite: [ceasefire-facts.truce-2008-06]
      phase: {phase}
      counts: {values}{extra}
    """


# ------------------------------------------------------------------ hand-computed updates


def test_test_scenario_paths_are_as_written(two):
    assert two.tree.path_probabilities() == pytest.approx(PATHS)


def test_likelihood_ratio_multiplies_paths_and_renormalises(two, write_log):
    posterior = update_scenario(two, write_log(report("middle", "{well: 3}")))
    # well paths x3, the others x1 (halt never reaches middle: otherwise 1)
    joint = PATHS * [3, 3, 1, 1, 1]
    assert posterior.tree.path_probabilities() == pytest.approx(joint / joint.sum())
    assert outcomes(posterior) == pytest.approx([0.864 / 1.72, 0.336 / 1.72, 0.52 / 1.72])


def test_otherwise_weighs_paths_that_never_reach_the_phase(two, write_log):
    posterior = update_scenario(two, write_log(report("middle", "{well: 3}", otherwise="0.5")))
    assert outcomes(posterior) == pytest.approx(by_outcome(PATHS * [3, 3, 1, 1, 0.5]))
    # ... which also moves the earlier phase: start.go rises from 0.6
    marginals = analysis.phase_marginals(posterior).set_index(["phase", "branch"])
    assert marginals.loc[("start", "go"), "probability"] == pytest.approx(1.32 / 1.52)


def test_a_skipped_phase_takes_otherwise_too(two, write_log):
    # finish is skipped on go > badly and not reached on go > fails and halt
    posterior = update_scenario(two, write_log(report("finish", "{done: 2, not_done: 1}",
                                                      otherwise="4")))
    assert outcomes(posterior) == pytest.approx(by_outcome(PATHS * [2, 1, 4, 4, 4]))


def test_observation_conditions_like_given(two, write_log):
    posterior = update_scenario(two, write_log(observed("middle=well")))
    expected = analysis.outcome_distribution(two, given={"middle": "well"})
    assert outcomes(posterior) == pytest.approx(expected["probability"].to_numpy())
    table = analysis.path_table(posterior)
    assert table["probability"].to_numpy() == pytest.approx([0.8, 0.2, 0, 0, 0])


def test_observation_of_alternatives_and_of_several_phases(two, write_log):
    alternatives = """
    - id: either
      date: 2025-02-01
      title: Not a failure
      cite: [ceasefire-facts.truce-2008-06]
      observed: {start: go, middle: [well, badly]}
    """
    posterior = update_scenario(two, write_log(alternatives))
    assert outcomes(posterior) == pytest.approx(by_outcome(PATHS * [1, 1, 1, 0, 0]))


def test_counts_update_a_beta_conjugately(two, write_log):
    posterior = update_scenario(two, write_log(counts("start", "{go: 2, halt: 1}")))
    row = posterior.priors_table().set_index("key").loc["start.go"]
    assert row["kind"] == "beta" and row["mean"] == pytest.approx(8 / 13)  # Beta(6+2, 4+1)
    assert "ceasefire-facts.truce-2008-06" in row["cite"]
    assert outcomes(posterior)[0] == pytest.approx(8 / 13 * 0.6 * 0.8)
    assert posterior.tree.likelihood == pytest.approx(np.ones(5))


def test_counts_on_the_other_branch_of_a_beta_go_to_beta(two, write_log):
    posterior = update_scenario(two, write_log(counts("start", "{halt: 6}")))
    assert posterior.priors_table().set_index("key").loc["start.go", "mean"] == pytest.approx(
        6 / 16)


def test_counts_update_a_dirichlet_conjugately(two, write_log):
    posterior = update_scenario(two, write_log(counts("middle", "{well: 1, fails: 2}")))
    means = posterior.priors_table().set_index("key")["mean"]
    assert [means["middle.well"], means["middle.badly"], means["middle.fails"]] == \
        pytest.approx([4 / 8, 1 / 8, 3 / 8])


@pytest.mark.parametrize(("prior", "expected"), [
    ("{successes: 3, trials: 4}", (1 + 3 + 1) / (2 + 4 + 2)),    # counts prior: 4 of 6
    ("{low: 0.2, mode: 0.5, high: 0.8}", None),                   # a range: read as its Beta
    ("{mean: 0.6, sd: 0.1}", (0.6 * 23 + 1) / (23 + 2)),          # Beta(13.8, 9.2) + (1, 1)
])
def test_counts_update_other_beta_forms(write_yaml, write_log, prior, expected):
    scenario = analysis.load_scenario(write_yaml(TWO.replace("{alpha: 6, beta: 4}", prior),
                                                 "two.yaml"))
    posterior = update_scenario(scenario, write_log(counts("start", "{go: 1, halt: 1}")))
    if expected is None:
        a, b = analysis.beta_from_range(0.2, 0.5, 0.8)
        expected = (a + 1) / (a + b + 2)
    assert posterior.priors_table().set_index("key").loc["start.go", "mean"] == pytest.approx(
        expected)


def test_counts_update_a_rule(write_log):
    baseline = analysis.load_scenario("baseline")
    posterior = update_scenario(baseline, write_log(counts(
        "governance", "{implemented: 2}", date="2025-11-01", rule="at_the_line")))
    means = posterior.priors_table().set_index("key")["mean"]
    assert means["governance.at_the_line.implemented"] == pytest.approx(3 / 12)
    assert means["governance.after_withdrawal.implemented"] == pytest.approx(3 / 10)


def test_items_combine_by_multiplying(two, write_log):
    log = write_log(report("middle", "{well: 3}", name="a"), observed("start=go", name="b"),
                    report("finish", "{done: 2}", name="c"))
    posterior = update_scenario(two, log)
    assert outcomes(posterior) == pytest.approx(by_outcome(PATHS * [6, 3, 1, 1, 0]))
    assert [i.id for i in posterior.evidence.items] == ["a", "b", "c"]


def test_until_keeps_items_dated_up_to_that_day(two, write_log):
    log = write_log(report("middle", "{well: 3}", date="2025-02-01", name="early"),
                    observed("start=halt", date="2025-03-01", name="late"))
    posterior = update_scenario(two, log, until="2025-02-15")
    assert [i.id for i in posterior.evidence.items] == ["early"]
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        update_scenario(two, log, until="15 Feb")


# ------------------------------------------------------------------ the posterior object


def test_posterior_is_a_scenario_that_every_evaluation_accepts(two, write_log):
    posterior = update_scenario(two, write_log(report("middle", "{well: 3}")))
    assert isinstance(posterior, analysis.Scenario) and posterior.evidence is not None
    assert posterior.tree.likelihood is not None and two.tree.likelihood is None
    assert posterior.evidence.prior is two and posterior.id == "two"
    assert "updated on 1 evidence item to 2025-02-01" in posterior.title
    assert posterior.changes == ("evidence test_log: 1 item to 2025-02-01",)
    assert repr(posterior).endswith("paths=5, changes=1)")
    conditioned = analysis.outcome_distribution(posterior, given={"start": "go"})
    joint = PATHS * [3, 3, 1, 1, 0]
    assert conditioned["probability"].to_numpy() == pytest.approx(by_outcome(joint))
    assert analysis.expected_attributes(posterior).empty


def test_evidence_tree_gives_per_draw_conditionals_and_joint(two, write_log):
    tree = update_scenario(two, write_log(report("middle", "{well: 3}"))).tree
    theta = np.vstack([tree.mean_theta(), tree.mean_theta()])
    assert tree.path_probabilities(theta).sum(axis=1) == pytest.approx([1, 1])
    # Only ratios of likelihoods matter: the tree scales them so that the largest is 1.
    assert tree.joint_probabilities().sum() == pytest.approx(1.72 / 3)


def test_with_priors_on_a_posterior_reapplies_the_evidence(two, write_log):
    posterior = update_scenario(two, write_log(report("middle", "{well: 3}")))
    changed = posterior.with_priors({"start.go": 0.5})
    assert changed.evidence is not None
    assert changed.evidence.prior.tree.path_probabilities()[4] == 0.5
    assert changed.changes == ("start.go = 0.5", "evidence test_log: 1 item to 2025-02-01")
    paths = np.array([0.5 * 0.6 * 0.8, 0.5 * 0.6 * 0.2, 0.1, 0.1, 0.5])
    assert outcomes(changed) == pytest.approx(by_outcome(paths * [3, 3, 1, 1, 1]))


def test_updating_a_posterior_adds_evidence(two, write_yaml, write_log):
    first = update_scenario(two, write_log(report("middle", "{well: 3}", name="a")))
    second_log = write_yaml(LOG_HEAD.replace("test_log", "second") + item(
        observed("start=go", name="b")), "second.yaml")
    both = update_scenario(first, second_log)
    assert [i.id for i in both.evidence.items] == ["a", "b"] and both.evidence.prior is two
    assert outcomes(both) == pytest.approx(by_outcome(PATHS * [3, 3, 1, 1, 0]))


def test_update_rejects_what_is_not_a_scenario(write_log):
    with pytest.raises(TypeError, match="expected a Scenario"):
        update_scenario("baseline", write_log(observed("start=go")))
    with pytest.raises(TypeError, match="expected an EvidenceLog"):
        update_scenario(analysis.load_scenario("baseline"), [42])


# -------------------------------------------------------------------------- properties

likelihood_values = st.floats(min_value=0.01, max_value=100, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(scale=likelihood_values)
def test_a_likelihood_ratio_of_one_changes_nothing(tmp_path_factory, scale):
    folder = tmp_path_factory.mktemp("lr1")
    (folder / "two.yaml").write_text(TWO)
    (folder / "log.yaml").write_text(LOG_HEAD + item(report(
        "middle", f"{{well: {scale!r}, badly: {scale!r}, fails: {scale!r}}}",
        otherwise=repr(scale))))
    scenario = analysis.load_scenario(folder / "two.yaml")
    posterior = update_scenario(scenario, load_evidence(folder / "log.yaml"))
    assert outcomes(posterior) == pytest.approx(outcomes(scenario), abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(a=likelihood_values, b=likelihood_values, c=likelihood_values, scale=likelihood_values)
def test_only_ratios_matter_and_sequential_reports_multiply(tmp_path_factory, a, b, c, scale):
    folder = tmp_path_factory.mktemp("ratios")
    (folder / "two.yaml").write_text(TWO)
    scenario = analysis.load_scenario(folder / "two.yaml")

    def posterior(*items):
        path = folder / f"log{len(list(folder.iterdir()))}.yaml"
        path.write_text(LOG_HEAD + "".join(item(i) for i in items))
        return outcomes(update_scenario(scenario, load_evidence(path)))

    one = posterior(report("middle", f"{{well: {a!r}, badly: {b!r}}}", otherwise=repr(c)))
    scaled = posterior(report("middle", f"{{well: {a * scale!r}, badly: {b * scale!r}, "
                                        f"fails: {scale!r}}}", otherwise=repr(c * scale)))
    assert scaled == pytest.approx(one, rel=1e-9)
    split = posterior(report("middle", f"{{well: {a!r}}}", name="x"),
                      report("middle", f"{{badly: {b!r}}}", otherwise=repr(c), name="y"))
    assert split == pytest.approx(one, rel=1e-9)


@settings(max_examples=25, deadline=None)
@given(a=likelihood_values, k=st.integers(0, 5), m=st.integers(1, 5))
def test_order_of_same_day_items_and_of_logs_does_not_matter(tmp_path_factory, a, k, m):
    folder = tmp_path_factory.mktemp("order")
    (folder / "two.yaml").write_text(TWO)
    scenario = analysis.load_scenario(folder / "two.yaml")
    items = [report("middle", f"{{well: {a!r}}}", name="r"),
             counts("start", f"{{go: {k}, halt: {m}}}", name="c"),
             observed("finish=done", name="o")]
    results = []
    for order in ([0, 1, 2], [2, 1, 0], [1, 0, 2]):
        path = folder / f"log{''.join(map(str, order))}.yaml"
        path.write_text(LOG_HEAD + "".join(item(items[i]) for i in order))
        results.append(update_scenario(scenario, load_evidence(path)))
    first = folder / "first.yaml"
    first.write_text(LOG_HEAD + item(items[0]))
    rest = folder / "rest.yaml"
    rest.write_text(LOG_HEAD + item(items[1]) + item(items[2]))
    results.append(update_scenario(update_scenario(scenario, load_evidence(first)),
                                   load_evidence(rest)))
    for other in results[1:]:
        assert outcomes(other) == pytest.approx(outcomes(results[0]), rel=1e-9)


# ----------------------------------------------------------------- credible intervals

ONE = textwrap.dedent("""\
    id: one
    title: One phase
    as_of: 2025-01-01
    outcomes:
      peace: {label: Peace, colour: "#1b9e77"}
      war: {label: War, colour: "#d95f02"}
    phases:
      - id: truce
        question: Does it hold?
        branches:
          holds: {prior: {alpha: 3, beta: 2}, outcome: peace}
          breaks: {outcome: war}
    """)
THREE = textwrap.dedent("""\
    id: three
    title: Three branches
    as_of: 2025-01-01
    outcomes:
      a: {label: A, colour: "#1b9e77"}
      b: {label: B, colour: "#7570b3"}
      c: {label: C, colour: "#d95f02"}
    phases:
      - id: p
        question: Which?
        branches:
          a: {prior: {concentration: 2}, outcome: a}
          b: {prior: {concentration: 3}, outcome: b}
          c: {prior: {concentration: 5}, outcome: c}
    """)


def test_hard_evidence_intervals_match_the_closed_form(write_yaml, write_log):
    # Observing "a or b" under Dirichlet(2, 3, 5): P(A | theta, evidence) = ta / (ta + tb),
    # which is Beta(2, 3) under the posterior too (the Dirichlet's aggregation property).
    scenario = analysis.load_scenario(write_yaml(THREE, "three.yaml"))
    alternatives = """
    - id: not_c
      date: 2025-02-01
      title: Not c
      cite: [ceasefire-facts.truce-2008-06]
      observed: {p: [a, b]}
    """
    timeline = belief_timeline(scenario, write_log(alternatives), n_draws=40_000, rng=3)
    row = timeline[(timeline.step == 1) & (timeline.outcome == "a")].iloc[0]
    assert row["probability"] == pytest.approx(0.4)
    assert [row["lower"], row["upper"]] == pytest.approx(stats.beta.ppf([0.05, 0.95], 2, 3),
                                                         abs=0.01)
    assert row["ess"] > 30_000


def test_soft_evidence_intervals_match_the_closed_form(write_yaml, write_log):
    # Beta(3, 2) on holds, report 4x likelier if it holds. Posterior of theta:
    # proportional to Beta(3, 2)(theta) (1 + 3 theta), a mixture of Beta(3, 2) and
    # Beta(4, 2) with weights 1 and 3 * 0.6; P(peace | theta) = 4 theta / (1 + 3 theta).
    scenario = analysis.load_scenario(write_yaml(ONE, "one.yaml"))
    timeline = belief_timeline(scenario, write_log(report("truce", "{holds: 4}")),
                               n_draws=40_000, rng=5)
    row = timeline[(timeline.step == 1) & (timeline.outcome == "peace")].iloc[0]
    assert row["probability"] == pytest.approx(2.4 / 2.8)

    def cdf(x):
        return (stats.beta.cdf(x, 3, 2) + 1.8 * stats.beta.cdf(x, 4, 2)) / 2.8

    def peace(theta):
        return 4 * theta / (1 + 3 * theta)

    for level, value in ((0.05, row["lower"]), (0.95, row["upper"])):
        theta = optimize.brentq(lambda x, lv=level: cdf(x) - lv, 1e-9, 1 - 1e-9)
        assert value == pytest.approx(peace(theta), abs=0.01)


def test_timeline_rows_columns_and_reproducibility(two, write_log):
    log = write_log(report("middle", "{well: 3}", name="a"),
                    counts("start", "{go: 2}", date="2025-02-02", name="b"),
                    observed("start=go", date="2025-02-03", name="c"))
    timeline = belief_timeline(two, log, n_draws=500, rng=11)
    assert list(timeline.columns) == ["step", "date", "item", "title", "kind", "detail",
                                      "outcome", "label", "colour", "probability", "lower",
                                      "upper", "change", "ess"]
    assert timeline["item"].unique().tolist() == ["prior", "a", "b", "c"]
    assert timeline.attrs == {"scenario": "two", "changes": [], "evidence": "test_log",
                              "interval": 0.9,
                              "n_draws": 500, "seed": 11}
    final = timeline[timeline.step == 3]["probability"].to_numpy()
    assert final == pytest.approx(outcomes(update_scenario(two, log)))
    assert timeline.groupby("step")["probability"].sum().to_numpy() == pytest.approx(1)
    assert (timeline["lower"] <= timeline["probability"] + 0.05).all()
    step1 = timeline[timeline.step == 1]
    assert step1["change"].to_numpy() == pytest.approx(
        step1["probability"].to_numpy() - timeline[timeline.step == 0]["probability"].to_numpy())
    again = belief_timeline(two, log, n_draws=500, rng=11)
    assert again.equals(timeline)
    other = belief_timeline(two, log, n_draws=500, rng=12)
    assert not np.allclose(other["lower"], timeline["lower"])


def test_timeline_rejects_bad_arguments(two, write_log):
    log = write_log(observed("start=go"))
    with pytest.raises(ValueError, match="n_draws == 0"):
        belief_timeline(two, log, n_draws=0)
    with pytest.raises(ValueError, match="interval == 1.5"):
        belief_timeline(two, log, interval=1.5)
    with pytest.raises(TypeError, match="rng"):
        belief_timeline(two, log, rng="seed")


# ---------------------------------------------------------------- file validation


def expect_log_problem(write_log, items, location, *fragments, head=LOG_HEAD):
    path = write_log(*items, head=head)
    with pytest.raises(ScenarioError) as caught:
        load_evidence(path)
    problem = problem_at(caught.value, location)
    text = path.read_text()
    assert problem.file == str(path)
    if "# <-" in text:
        assert problem.line == marked_line(text), str(problem)
    for fragment in fragments:
        assert fragment in problem.message, problem.message
    return caught.value


@pytest.mark.parametrize(("body", "location", "fragments"), [
    ("""
    - id: x  # <-
      date: 2025-02-01
      title: Two kinds
      cite: [ceasefire-facts.truce-2008-06]
      observed: {start: go}
      phase: middle
      likelihoods: {well: 2}
    """, "items[0]", ["exactly one of observed, likelihoods or counts",
                      "observed and likelihoods"]),
    ("""
    - id: x  # <-
      date: 2025-02-01
      title: No kind
      cite: [ceasefire-facts.truce-2008-06]
    """, "items[0]", ["got none of them"]),
    ("""
    - id: x  # <-
      date: 2025-02-01
      title: Observation with phase
      cite: [ceasefire-facts.truce-2008-06]
      phase: start
      observed: {start: go}
    """, "items[0]", ["remove phase"]),
    ("""
    - id: x  # <-
      date: 2025-02-01
      title: Report without phase
      cite: [ceasefire-facts.truce-2008-06]
      likelihoods: {go: 2}
    """, "items[0]", ["likelihoods need a phase"]),
    ("""
    - id: x  # <-
      date: 2025-02-01
      title: otherwise with counts
      cite: [ceasefire-facts.truce-2008-06]
      phase: start
      counts: {go: 1}
      otherwise: 2
    """, "items[0]", ["otherwise goes only with likelihoods"]),
    ("""
    - id: x  # <-
      date: 2025-02-01
      title: rule with likelihoods
      cite: [ceasefire-facts.truce-2008-06]
      phase: start
      likelihoods: {go: 2}
      rule: r
    """, "items[0]", ["rule goes only with counts"]),
    ("""
    - id: x  # <-
      date: 2025-02-01
      title: zero counts
      cite: [ceasefire-facts.truce-2008-06]
      phase: start
      counts: {go: 0}
    """, "items[0]", ["every count is 0"]),
    ("""
    - id: x
      date: 2025-02-01
      title: A report
      cite: [ceasefire-facts.truce-2008-06]
      phase: start
      likelihoods: {go: 0}  # <-
    """, "items[0].likelihoods.go", ["got 0", "> 0"]),
    ("""
    - id: x
      date: 2025-02-01
      title: Counts
      cite: [ceasefire-facts.truce-2008-06]
      phase: start
      counts: {go: 1.5}  # <-
    """, "items[0].counts.go", ["1.5"]),
    ("""
    - id: x
      date: 2025-02-01
      title: No citation
      cite: []  # <-
      observed: {start: go}
    """, "items[0].cite", ["at least 1"]),
    ("""
    - id: x
      date: "2025-02-30"  # <-
      title: Bad date
      cite: [ceasefire-facts.truce-2008-06]
      observed: {start: go}
    """, "items[0].date", []),
    ("""
    - id: x
      date: 2025-02-01
      title: Typo
      cite: [ceasefire-facts.truce-2008-06]
      observd: {start: go}  # <-
    """, "items[0].observd", ["unknown key 'observd'", "did you mean 'observed'"]),
    ("""
    - id: x
      date: 2025-02-01
      title: Unknown claim
      cite: [ceasefire-facts.truce-2025-1]  # <-
      observed: {start: go}
    """, "items[0].cite[0]", ["unknown claim", "did you mean 'ceasefire-facts.truce-2025-"]),
    ("""
    - id: x
      date: 2025-10-11
      title: Cites the future
      cite: [ceasefire-facts.outcome-2025-10-13-exchange]  # <-
      observed: {start: go}
    """, "items[0].cite[0]", ["dated 2025-10-13, after this entry's date 2025-10-11"]),
    ("""
    - id: x
      date: 2025-06-15
      title: Month claims start on the 1st
      cite: [ceasefire-facts.outcome-2026-06-phase-two-stalled]  # <-
      observed: {start: go}
    """, "items[0].cite[0]", ["dated 2026-06"]),
])
def test_each_file_rule_is_reported_where_it_is_broken(write_log, body, location, fragments):
    expect_log_problem(write_log, [body], location, *fragments)


def test_dates_out_of_order_and_duplicate_ids(write_log):
    error = expect_log_problem(write_log, [
        observed("start=go", date="2025-03-01", name="a"),
        observed("start=go", date="2025-02-01", name="a")], "items[1].date",
        "before the previous entry's 2025-03-01")
    assert "duplicate id 'a'" in problem_at(error, "items[1].id").message


def test_every_problem_is_reported_at_once(write_log):
    path = write_log(observed("start=go", date="2025-03-01", name="a"),
                     observed("start=go", date="2025-02-01", name="a"))
    with pytest.raises(ScenarioError) as caught:
        load_evidence(path)
    assert len(caught.value.problems) == 2


def test_log_level_errors(write_yaml):
    with pytest.raises(ScenarioError, match="no evidence log of that name.*did you mean"):
        load_evidence("gaza_2024")
    with pytest.raises(ScenarioError, match="expected a mapping"):
        load_evidence(write_yaml("- 1\n- 2\n", "list.yaml"))
    with pytest.raises(ScenarioError) as caught:
        load_evidence(write_yaml("id: x\ntitle: X\nitems: []\n", "empty.yaml"))
    assert caught.value.problems[0].location == "items"


# ---------------------------------------------------------- validation against a scenario


def expect_update_problem(scenario, log_path, location, *fragments):
    with pytest.raises(ScenarioError) as caught:
        update_scenario(scenario, log_path)
    problem = problem_at(caught.value, location)
    assert problem.file == str(log_path)
    for fragment in fragments:
        assert fragment in problem.message, problem.message
    return caught.value


@pytest.mark.parametrize(("body", "location", "fragments"), [
    (observed("strat=go"), "items[0].observed.strat",
     ["unknown phase 'strat'", "did you mean 'start'"]),
    (observed("start=goes"), "items[0].observed.start",
     ["phase 'start' has no branch 'goes'", "did you mean 'go'"]),
    (report("middle", "{wel: 2}"), "items[0].likelihoods.wel",
     ["has no branch 'wel'", "did you mean 'well'"]),
    (report("midle", "{well: 2}"), "items[0].phase", ["unknown phase 'midle'"]),
    (counts("start", "{go: 1}", rule="after"), "items[0].rule", ["has no rule 'after'"]),
    (counts("finish", "{done: 1}"), "items[0].counts", ["fixed", "only a Beta or Dirichlet"]),
    (counts("middle", "{finished: 1}"), "items[0].counts.finished", ["has no branch"]),
    (observed("start=go", date="2024-12-31"), "items[0].date",
     ["dated 2024-12-31, before the priors of scenario 'two' (2025-01-01)"]),
])
def test_each_scenario_rule_is_reported_with_its_item(two, write_log, body, location,
                                                      fragments):
    expect_update_problem(two, write_log(body), location, *fragments)


def test_counts_need_a_rule_where_the_phase_has_no_default(write_log):
    expect_update_problem(analysis.load_scenario("baseline"),
                          write_log(counts("governance", "{implemented: 1}",
                                           date="2025-11-01")),
                          "items[0].phase", "has no default priors",
                          "after_withdrawal, at_the_line")


def test_zero_probability_observation_is_an_error_naming_it(write_yaml, write_log):
    scenario = analysis.load_scenario(write_yaml(TWO.replace("done: {prior: 0.8}",
                                                             "done: {prior: 1}"), "two.yaml"))
    expect_update_problem(scenario, write_log(observed("finish=not_done", name="never")),
                          "items[0].observed", "item 'never'", "has probability 0 under the "
                          "priors of scenario 'two'")


def test_contradictory_observations_name_each_other(two, write_log):
    log = write_log(observed("start=go", name="went"),
                    report("middle", "{well: 2}", name="noise"),
                    observed("start=halt", date="2025-02-02", name="stopped"))
    error = expect_update_problem(two, log, "items[2].observed", "item 'stopped'",
                                  "contradicts earlier item 'went'")
    assert len(error.problems) == 1


def test_observation_impossible_only_jointly_names_the_earlier_ones(two, write_log):
    log = write_log(observed("middle=[well, badly]", name="one"),
                    observed("finish=done", date="2025-02-02", name="two"),
                    observed("middle=badly", date="2025-02-03", name="three"))
    expect_update_problem(two, log, "items[2].observed", "contradicts earlier item 'two'")


def test_all_reference_problems_are_reported_at_once(two, write_log):
    log = write_log(observed("strat=go", name="a"), report("middle", "{wel: 2}", name="b"))
    with pytest.raises(ScenarioError) as caught:
        update_scenario(two, log)
    assert [p.location for p in caught.value.problems] == ["items[0].observed.strat",
                                                           "items[1].likelihoods.wel"]


# ----------------------------------------------------------- the project's files and docs


def test_gaza_log_loads_and_updates_both_scenarios():
    log = load_evidence("gaza_2025")
    assert len(log.items) >= 10 and log.items[0].date.isoformat() == "2025-10-10"
    for name in ("baseline", "disarmament_impasse"):
        posterior = update_scenario(analysis.load_scenario(name), log)
        marginals = analysis.phase_marginals(posterior).set_index(["phase", "branch"])
        assert marginals.loc[("ceasefire", "holds"), "probability"] == pytest.approx(1)
        assert marginals.loc[("exchanges", "complete"), "probability"] == pytest.approx(1)
        assert outcomes(posterior).sum() == pytest.approx(1)


def test_evidence_table_lists_items_in_words():
    table = evidence_table("gaza_2025")
    assert list(table.columns) == ["item", "date", "kind", "phase", "detail", "title", "cite",
                                   "rationale", "log"]
    first = table.iloc[2]
    assert first["kind"] == "likelihood" and "breaks_down ×0.5" in first["detail"]
    assert table.set_index("item").loc["living_hostages_freed", "detail"] == "ceasefire = holds"


def test_json_schema_file_is_current():
    stored = (ROOT / "scenarios" / "evidence" / "evidence.schema.json").read_text()
    assert stored == evidence_json_schema(), "run `make schema`"


def test_readme_example_loads_and_updates(tmp_path):
    text = (ROOT / "scenarios" / "evidence" / "README.md").read_text()
    example = re.search(r"```yaml\n(schema_version.*?)```", text, re.S).group(1)
    path = tmp_path / "example.yaml"
    path.write_text(example)
    log = load_evidence(path)
    assert [i.kind for i in log.items] == ["likelihood", "observation", "counts"]
    posterior = update_scenario(analysis.load_scenario("baseline"), log)
    means = posterior.priors_table().set_index("key")["mean"]
    assert means["exchanges.complete"] == pytest.approx(7 / 12)
    assert math.isclose(outcomes(posterior).sum(), 1)


def test_an_observation_needs_at_least_one_branch(write_log):
    path = write_log("""
    - id: x
      date: 2025-02-01
      title: Empty
      cite: [ceasefire-facts.truce-2008-06]
      observed: {start: []}
    """)
    with pytest.raises(ScenarioError) as caught:
        load_evidence(path)
    messages = [p.message for p in caught.value.problems
                if p.location == "items[0].observed.start"]
    assert any("at least 1 item" in m for m in messages)


@pytest.mark.skipif(not (ROOT / "scenarios" / "mediation.yaml").is_file()
                    or not hasattr(analysis.Scenario, "with_decisions"),
                    reason="needs the mediation scenario and decisions")
def test_with_decisions_on_a_posterior_reapplies_the_evidence():
    mediation = analysis.load_scenario("mediation")
    posterior = update_scenario(mediation, "gaza_2025")
    choice = {"international_presence": "no_presence"}
    changed = posterior.with_decisions(choice)
    assert len(changed.evidence.items) == len(posterior.evidence.items)
    assert outcomes(changed) == pytest.approx(outcomes(update_scenario(
        mediation.with_decisions(choice), "gaza_2025")))
