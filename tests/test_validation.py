"""Every validation rule of scenario files: broken files give located, readable problems.

Each broken scenario marks the line where YAML places the offending value
with a trailing ``# <-``; see ``conftest.py`` for the fixtures.
"""

from __future__ import annotations

import re
import textwrap
import time

import pytest
from conftest import HEADER, problem_at

from analysis import ScenarioError, ScenarioWarning, load_scenario, outcome_distribution
from analysis.core.errors import Problem
from analysis.formats.source import MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES
from analysis.model.checks import SUM_TOLERANCE
from analysis.model.tree import MAX_PATHS

# A first phase reused by the cases below: `x` leads on, `y` ends in `bad`.
FIRST = """\
phases:
  - id: first
    question: First?
    branches:
      x: {prior: 0.5}
      y: {outcome: bad}
"""


def after_first(body: str) -> str:
    """Return FIRST followed by ``body`` (more phases, rules...) unindented by 8 spaces."""
    return FIRST + re.sub(r"(?m)^ {8}", "", body)


# (id, body after HEADER, location, fragments the message must contain)
CASES = [
    # --- unknown keys, with a suggestion ---------------------------------
    ("unknown_top_level_key", """\
        phase:  # <-
          - id: first
            question: First?
            branches:
              x: {prior: 0.5, outcome: good}
              y: {outcome: bad}
        """, "phase", ["'phase'", "did you mean 'phases'"]),
    ("unknown_branch_key", """\
        phases:
          - id: first
            question: First?
            branches:
              x: {prior: 0.5, outcome: good}
              y: {outcom: bad}  # <-
        """, "phases[0].branches.y.outcom", ["'outcom'", "did you mean 'outcome'"]),
    ("unknown_prior_key", """\
        phases:
          - id: first
            question: First?
            branches:
              x:
                prior: {alpah: 2, beta: 3}  # <-
                outcome: good
              y: {outcome: bad}
        """, "phases[0].branches.x.prior.alpah", ["'alpah'", "did you mean 'alpha'"]),
    ("internal_field_name_is_not_a_key", """\
        phases:
          - id: first
            question: First?
            branches:
              x:
                prior: {mean_value: 0.3, sd: 0.1}  # <-
                outcome: good
              y: {outcome: bad}
        """, "phases[0].branches.x.prior.mean_value", ["'mean_value'", "did you mean 'mean'"]),
    # --- missing keys -----------------------------------------------------
    ("missing_question", """\
        phases:
          - id: first  # <-
            branches:
              x: {prior: 0.5, outcome: good}
              y: {outcome: bad}
        """, "phases[0].question", ["missing", "'question'"]),
    # --- duplicates -------------------------------------------------------
    ("duplicate_branch_key", """\
        phases:
          - id: first
            question: First?
            branches:
              x: {prior: 0.5, outcome: good}
              y: {outcome: bad}
              x: {prior: 0.2, outcome: good}  # <-
        """, "phases[0].branches.x", ["duplicate key 'x'", "first on line"]),
    ("duplicate_phase_id", after_first("""\
          - id: first  # <-
            question: Again?
            branches:
              x: {prior: 0.5, outcome: good}
              y: {outcome: bad}
        """), "phases[1].id", ["duplicate phase id 'first'"]),
    # --- probabilities ----------------------------------------------------
    ("probability_above_one", """\
        phases:
          - id: first
            question: First?
            branches:
              x: {prior: 1.5, outcome: good}  # <-
              y: {outcome: bad}
        """, "phases[0].branches.x.prior", ["1.5", "<= 1"]),
    ("probability_below_zero", """\
        phases:
          - id: first
            question: First?
            branches:
              x: {prior: -0.1, outcome: good}  # <-
              y: {outcome: bad}
        """, "phases[0].branches.x.prior", ["-0.1", ">= 0"]),
    ("probability_value_key_above_one", """\
        phases:
          - id: first
            question: First?
            branches:
              x: {prior: {value: 1.5}, outcome: good}  # <-
              y: {outcome: bad}
        """, "phases[0].branches.x.prior.value", ["1.5", "<= 1"]),
    ("rule_probability_above_one", after_first("""\
          - id: second
            question: Second?
            branches:
              x: {prior: 0.5, outcome: good}
              y: {outcome: bad}
            rules:
              - id: after_x
                when: {first: x}
                priors: {x: 1.5}  # <-
        """), "phases[1].rules[0].priors.x", ["1.5", "<= 1"]),
    ("fixed_siblings_sum_below_one", """\
        phases:
          - id: first
            question: First?
            branches:  # <-
              x: {prior: 0.3, outcome: good}
              y: {prior: 0.699, outcome: bad}
        """, "phases[0].branches", ["0.999", "expected 1"]),
    ("fixed_siblings_sum_above_one_before_rest", """\
        phases:
          - id: first
            question: First?
            branches:  # <-
              x: {prior: 0.7, outcome: good}
              y: {prior: 0.5, outcome: bad}
              z: {outcome: bad}
        """, "phases[0].branches", ["1.2", "at most 1"]),
    ("rule_siblings_sum_below_one", after_first("""\
          - id: second
            question: Second?
            branches:
              x: {prior: 0.5, outcome: good}
              y: {outcome: bad}
            rules:
              - id: after_x
                when: {first: x}
                priors:  # <-
                  x: 0.2
                  y: 0.2
        """), "phases[1].rules[0].priors", ["0.4", "expected 1"]),
    ("two_branches_without_prior", """\
        phases:
          - id: first
            question: First?
            branches:
              x: {prior: 0.2, outcome: good}
              y: {outcome: bad}
              z: {outcome: bad}  # <-
        """, "phases[0].branches.z", ["y", "z", "no prior", "at most one"]),
    # --- uncertain priors -------------------------------------------------
    ("beta_alpha_not_positive", after_first("""\
          - id: withdrawal
            question: Withdraw?
            branches:
              stalls:
                prior: {alpha: -1, beta: 2}  # <-
                outcome: bad
              phased: {outcome: good}
        """), "phases[1].branches.stalls.prior.alpha", ["-1", "> 0"]),
    ("beta_beta_not_positive", after_first("""\
          - id: withdrawal
            question: Withdraw?
            branches:
              stalls:
                prior:
                  alpha: 2
                  beta: 0  # <-
                outcome: bad
              phased: {outcome: good}
        """), "phases[1].branches.stalls.prior.beta", ["0", "> 0"]),
    ("beta_missing_parameter", """\
        phases:
          - id: first
            question: First?
            branches:
              x:
                prior: {alpha: 2}  # <-
                outcome: good
              y: {outcome: bad}
        """, "phases[0].branches.x.prior.beta", ["missing", "'beta'"]),
    ("concentration_not_positive", """\
        phases:
          - id: first
            question: First?
            branches:
              x: {prior: {concentration: -2}, outcome: good}  # <-
              y: {prior: {concentration: 1}, outcome: bad}
        """, "phases[0].branches.x.prior.concentration", ["-2", "> 0"]),
    ("range_out_of_order", """\
        phases:
          - id: first
            question: First?
            branches:
              x: {prior: {low: 0.6, mode: 0.5, high: 0.9}, outcome: good}  # <-
              y: {outcome: bad}
        """, "phases[0].branches.x.prior", ["0.6", "0.5", "0.9", "low <= mode <= high"]),
    ("range_without_width", """\
        phases:
          - id: first
            question: First?
            branches:
              x: {prior: {low: 0.5, mode: 0.5, high: 0.5}, outcome: good}  # <-
              y: {outcome: bad}
        """, "phases[0].branches.x.prior", ["0.5", "low < high"]),
    ("mean_sd_without_beta", """\
        phases:
          - id: first
            question: First?
            branches:
              x: {prior: {mean: 0.5, sd: 0.6}, outcome: good}  # <-
              y: {outcome: bad}
        """, "phases[0].branches.x.prior", ["0.6", "0.5", "no Beta", "sd < 0.5"]),
    ("beta_in_three_branch_phase", """\
        phases:
          - id: first
            question: First?
            branches:
              x: {prior: {alpha: 2, beta: 3}, outcome: good}  # <-
              y: {outcome: bad}
              z: {outcome: bad}
        """, "phases[0].branches.x", ["'x'", "two-branch", "concentration"]),
    ("mean_sd_beside_fixed", """\
        phases:
          - id: first
            question: First?
            branches:
              x: {prior: {mean: 0.4, sd: 0.1}, outcome: good}  # <-
              y: {prior: 0.6, outcome: bad}
        """, "phases[0].branches.x", ["'x'", "two-branch"]),
    ("concentration_mixed_with_fixed", """\
        phases:
          - id: first
            question: First?
            branches:
              x: {prior: {concentration: 2}, outcome: good}
              y: {prior: 0.5, outcome: bad}  # <-
        """, "phases[0].branches.y", ["y", "concentration"]),
    # --- references -------------------------------------------------------
    ("applies_when_unknown_phase", after_first("""\
          - id: second
            question: Second?
            applies_when: {frist: x}  # <-
            branches:
              x: {prior: 0.5, outcome: good}
              y: {outcome: bad}
        """), "phases[1].applies_when.frist", ["'frist'", "did you mean 'first'"]),
    ("applies_when_later_phase", """\
        phases:
          - id: first
            question: First?
            applies_when: {second: x}  # <-
            branches:
              x: {prior: 0.5}
              y: {outcome: bad}
          - id: second
            question: Second?
            branches:
              x: {prior: 0.5, outcome: good}
              y: {outcome: bad}
        """, "phases[0].applies_when.second", ["'second'", "earlier"]),
    ("applies_when_unknown_branch", after_first("""\
          - id: second
            question: Second?
            applies_when: {first: z}  # <-
            branches:
              x: {prior: 0.5, outcome: good}
              y: {outcome: bad}
        """), "phases[1].applies_when.first", ["'z'", "x, y"]),
    ("applies_when_unknown_branch_in_list", after_first("""\
          - id: second
            question: Second?
            applies_when:
              first:
                - x
                - z  # <-
            branches:
              x: {prior: 0.5, outcome: good}
              y: {outcome: bad}
        """), "phases[1].applies_when.first[1]", ["'z'", "x, y"]),
    ("rule_when_unknown_phase", after_first("""\
          - id: second
            question: Second?
            branches:
              x: {prior: 0.5, outcome: good}
              y: {outcome: bad}
            rules:
              - id: after_x
                when: {nope: x}  # <-
                priors: {x: 0.2}
        """), "phases[1].rules[0].when.nope", ["'nope'", "earlier"]),
    ("rule_when_unknown_branch", after_first("""\
          - id: second
            question: Second?
            branches:
              x: {prior: 0.5, outcome: good}
              y: {outcome: bad}
            rules:
              - id: after_x
                when: {first: w}  # <-
                priors: {x: 0.2}
        """), "phases[1].rules[0].when.first", ["'w'", "x, y"]),
    ("rule_prior_unknown_branch", after_first("""\
          - id: second
            question: Second?
            branches:
              x: {prior: 0.5, outcome: good}
              y: {outcome: bad}
            rules:
              - id: after_x
                when: {first: x}
                priors:
                  w: 0.2  # <-
        """), "phases[1].rules[0].priors.w", ["'w'", "x, y"]),
    ("outcome_rule_unknown_phase", after_first("""\
          - id: second
            question: Second?
            branches:
              x: {prior: 0.5}
              y: {outcome: bad}
        outcome_rules:
          - when: {secnd: x}  # <-
            outcome: good
          - outcome: bad
        """), "outcome_rules[0].when.secnd", ["'secnd'", "did you mean 'second'"]),
    ("branch_unknown_outcome", """\
        phases:
          - id: first
            question: First?
            branches:
              x: {prior: 0.5, outcome: god}  # <-
              y: {outcome: bad}
        """, "phases[0].branches.x.outcome", ["'god'", "did you mean 'good'", "bad, good"]),
    ("outcome_rule_unknown_outcome", after_first("""\
        outcome_rules:
          - outcome: baad  # <-
        """), "outcome_rules[0].outcome", ["'baad'", "did you mean 'bad'", "bad, good"]),
    ("unknown_attribute", """\
        phases:
          - id: first
            question: First?
            branches:
              x: {prior: 0.5, outcome: good, attributes: {cots: 3}}  # <-
              y: {outcome: bad}
        """, "phases[0].branches.x.attributes.cots", ["'cots'", "did you mean 'cost'"]),
    ("unknown_claim", """\
        phases:
          - id: first
            question: First?
            branches:
              x:
                prior:
                  value: 0.5
                  cite: [ceasefire-facts.truce-2008-6]  # <-
                outcome: good
              y: {outcome: bad}
        """, "phases[0].branches.x.prior.cite[0]",
     ["'ceasefire-facts.truce-2008-6'", "did you mean 'ceasefire-facts.truce-2008-06'"]),
    ("unknown_claim_in_rule", after_first("""\
          - id: second
            question: Second?
            branches:
              x: {prior: 0.5, outcome: good}
              y: {outcome: bad}
            rules:
              - id: after_x
                when: {first: x}
                priors:
                  x:
                    value: 0.2
                    cite:
                      - talks-final-terms.mediators
                      - no-such-doc.claim  # <-
        """), "phases[1].rules[0].priors.x.cite[1]", ["'no-such-doc.claim'"]),
    # --- every path must end, with probabilities --------------------------
    ("path_reaches_no_outcome", after_first("""\
        outcome_rules:  # <-
          - when: {first: y}
            outcome: good
        """), "outcome_rules", ["first=x", "no outcome"]),
    ("no_rule_and_no_default", """\
        phases:
          - id: first
            question: First?
            branches:
              x: {prior: 0.5}
              y: {}
          - id: second
            question: Second?
            branches:  # <-
              x: {outcome: good}
              y: {outcome: bad}
            rules:
              - id: after_x
                when: {first: x}
                priors: {x: 0.2}
        """, "phases[1].branches", ["first=y", "no default prior"]),
    # --- ids --------------------------------------------------------------
    ("phase_id_pattern", """\
        phases:
          - id: Ceasefire  # <-
            question: First?
            branches:
              x: {prior: 0.5, outcome: good}
              y: {outcome: bad}
        """, "phases[0].id", ["'Ceasefire'", "lowercase"]),
    ("branch_id_pattern", """\
        phases:
          - id: first
            question: First?
            branches:
              Yes: {prior: 0.5, outcome: good}  # <-
              y: {outcome: bad}
        """, "phases[0].branches.Yes", ["'Yes'", "lowercase"]),
]


@pytest.mark.parametrize(("body", "location", "fragments"),
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_rule_reports_located_problem(expect_problem, scenario_text, body, location, fragments):
    expect_problem(scenario_text(body), location, *fragments)


# Whole files, for rules about the document itself or the header.
WHOLE_FILES = [
    ("yaml_syntax_error", """\
        id: test
        title: Test
          as_of: 2025-01-01  # <-
        """, "(document)", ["invalid YAML"]),
    ("yaml_unclosed_bracket", """\
        id: test
        title: [Test
        as_of: 2025-01-01  # <-
        """, "(document)", ["invalid YAML"]),
    ("comments_only", """\
        # nothing but a comment  # <-
        """, "(document)", ["empty"]),
    ("top_level_list", """\
        - id: test  # <-
        - title: Test
        """, "(document)", ["list", "expected a mapping"]),
    ("top_level_scalar", """\
        just some text  # <-
        """, "(document)", ["str", "expected a mapping"]),
    ("top_level_number", """\
        42  # <-
        """, "(document)", ["int", "expected a mapping"]),
    ("missing_title", HEADER.replace("id: test\ntitle: Test scenario\n", "id: test  # <-\n")
     + FIRST.replace("x: {prior: 0.5}", "x: {prior: 0.5, outcome: good}"),
     "title", ["missing", "'title'"]),
    ("scenario_id_pattern", HEADER.replace("id: test", "id: Test  # <-") + FIRST,
     "id", ["'Test'", "lowercase"]),
    ("bad_colour", HEADER.replace('colour: "#d95f02"}', 'colour: red}  # <-') + FIRST,
     "outcomes.bad.colour", ["'red'", "#rrggbb"]),
]


@pytest.mark.parametrize(("text", "location", "fragments"),
                         [case[1:] for case in WHOLE_FILES], ids=[case[0] for case in WHOLE_FILES])
def test_document_rule_reports_located_problem(expect_problem, text, location, fragments):
    expect_problem(textwrap.dedent(text), location, *fragments)


def test_empty_file(load_error):
    path, error = load_error("")
    [problem] = error.problems
    assert (problem.file, problem.line, problem.location) == (str(path), 1, "(document)")
    assert "empty" in problem.message and "expected a mapping" in problem.message


@pytest.mark.parametrize("second", [0.4999995, 0.5000005])
def test_fixed_siblings_within_tolerance_load(write_yaml, scenario_text, second):
    assert abs(0.5 + second - 1) < SUM_TOLERANCE
    path = write_yaml(scenario_text(f"""\
        phases:
          - id: first
            question: First?
            branches:
              x: {{prior: 0.5, outcome: good}}
              y: {{prior: {second}, outcome: bad}}
        """))
    scenario = load_scenario(path)
    table = scenario.priors_table().set_index("key")
    # Evaluation divides by the written total, so the siblings sum to 1 exactly.
    assert table.loc["first.y", "mean"] == pytest.approx(second / (0.5 + second), abs=1e-15)
    assert table["mean"].sum() == pytest.approx(1, abs=1e-15)


def test_fixed_siblings_tolerance_boundary(load_error, scenario_text):
    """0.999 is 1e-3 from 1, a thousand times SUM_TOLERANCE: rejected."""
    _, error = load_error(scenario_text("""\
        phases:
          - id: first
            question: First?
            branches:
              x: {prior: 0.5, outcome: good}
              y: {prior: 0.499, outcome: bad}
        """))
    assert "sum to 0.999" in problem_at(error, "phases[0].branches").message


def test_unreachable_outcome_warns(write_yaml, scenario_text):
    text = scenario_text(FIRST.replace("x: {prior: 0.5}", "x: {prior: 0.5, outcome: bad}"))
    with pytest.warns(ScenarioWarning, match="no path of the tree reaches outcome 'good'"):
        scenario = load_scenario(write_yaml(text))
    assert outcome_distribution(scenario)["probability"].tolist() == [0.0, 1.0]


def test_rule_that_never_applies_warns(write_yaml, scenario_text):
    text = scenario_text(after_first("""\
          - id: second
            question: Second?
            branches:
              x: {prior: 0.5, outcome: good}
              y: {outcome: bad}
            rules:
              - id: after_x
                when: {first: x}
                priors: {x: 0.2}
              - id: shadowed
                when: {first: x}
                priors: {x: 0.9}
        """))
    with pytest.warns(ScenarioWarning, match="rule 'shadowed' applies on no path"):
        scenario = load_scenario(write_yaml(text))
    assert "second.shadowed" not in set(scenario.priors_table()["key"])


def test_yaml_11_booleans_are_branch_ids(write_yaml, scenario_text):
    path = write_yaml(scenario_text("""\
        phases:
          - id: agreed
            question: Is it agreed?
            branches:
              yes: {prior: 0.7, outcome: good}
              no: {outcome: bad}
        """))
    scenario = load_scenario(path)
    assert list(scenario.model.phases[0].branches) == ["yes", "no"]
    assert outcome_distribution(scenario)["probability"].tolist() == pytest.approx([0.7, 0.3])


# --- hostile input: bounded and quick ----------------------------------------

def _alias_bomb(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for n in range(1, levels):
        lines.append(f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_rejected_quickly(load_error):
    start = time.perf_counter()
    _, error = load_error(_alias_bomb())
    assert time.perf_counter() - start < 5
    assert any(f"more than {MAX_NODES} values" in p.message for p in error.problems), str(error)


@pytest.mark.parametrize("depth", [MAX_DEPTH + 6, 5000])
def test_deep_nesting_rejected_quickly(load_error, depth):
    start = time.perf_counter()
    _, error = load_error("id: " + "[" * depth + "]" * depth + "\n")
    assert time.perf_counter() - start < 5
    assert any(f"nested deeper than {MAX_DEPTH} levels" in p.message
               for p in error.problems), str(error)


def test_file_over_size_limit_rejected(load_error):
    text = "# " + "x" * MAX_FILE_BYTES + "\nid: test\n"
    path, error = load_error(text)
    [problem] = error.problems
    assert problem.file == str(path)
    assert str(len(text.encode())) in problem.message
    assert f"at most {MAX_FILE_BYTES}" in problem.message


def test_tree_with_too_many_paths_rejected(load_error, scenario_text):
    n_phases = 17
    assert 2**n_phases > MAX_PATHS
    phases = "".join(f"  - {{id: p{i}, question: Question {i}, "
                     "branches: {x: {prior: 0.5}, y: {}}}\n" for i in range(n_phases))
    rules = "outcome_rules:\n  - {when: {p0: x}, outcome: good}\n  - {outcome: bad}\n"
    _, error = load_error(scenario_text("phases:\n" + phases + rules))
    [problem] = error.problems
    assert f"expands to {2**n_phases:,} paths, expected at most {MAX_PATHS:,}" in problem.message


# --- several problems at once; never a raw exception -------------------------

SEVERAL = {
    "structure": ("""\
        phases:
          - id: First
            question: First?
            branches:
              x: {prior: 1.5, outcome: good}
              y: {outcome: bad}
        """, {"outcomes.good.colour", "phases[0].id", "phases[0].branches.x.prior"}),
    "references": ("""\
        phases:
          - id: first
            question: First?
            branches:
              x: {prior: 0.5, attributes: {cots: 1}}
              y: {outcome: baad}
        outcome_rules:
          - when: {nope: x}
            outcome: good
        """, {"phases[0].branches.x.attributes.cots", "phases[0].branches.y.outcome",
              "outcome_rules[0].when.nope"}),
}


@pytest.mark.parametrize("name", list(SEVERAL))
def test_every_problem_is_listed(load_error, scenario_text, name):
    body, locations = SEVERAL[name]
    text = scenario_text(body)
    if name == "structure":
        text = text.replace('colour: "#1b9e77"', "colour: green")
    _, error = load_error(text)
    assert {p.location for p in error.problems} == locations
    assert str(error).splitlines()[0] == "3 problems found:"
    for problem in error.problems:
        assert str(problem) in str(error)


def test_one_bad_value_in_the_only_phase_is_one_problem(load_error, scenario_text):
    """The phase list is not also reported as too short because its phase failed."""
    _, error = load_error(scenario_text("""\
        phases:
          - id: first
            question: First?
            branches:
              x: {prior: 1.5, outcome: good}
              y: {outcome: bad}
        """))
    assert [p.location for p in error.problems] == ["phases[0].branches.x.prior"], str(error)


def test_unknown_key_is_not_suggested_as_itself(load_error, scenario_text):
    _, error = load_error(scenario_text("""\
        phases:
          - id: first
            question: First?
            branches:
              x: {prior: {value: 0.5, alpha: 2}, outcome: good}
              y: {outcome: bad}
        """))
    problem = problem_at(error, "phases[0].branches.x.prior.alpha")
    assert "'alpha'" in problem.message
    assert "did you mean 'alpha'" not in problem.message


HOSTILE = {
    "impossible_date": HEADER.replace("2025-01-01", "2025-02-30") + FIRST,
    "month_13": HEADER.replace("2025-01-01", "2025-13-01") + FIRST,
    "python_tag": HEADER.replace("title: Test scenario",
                                 "title: !!python/object/apply:os.system ['true']") + FIRST,
    "unknown_tag": HEADER.replace("title: Test scenario", "title: !custom Test") + FIRST,
    "bad_float_tag": HEADER.replace("title: Test scenario", "title: !!float abc") + FIRST,
    "bad_timestamp_tag": HEADER.replace("2025-01-01", "!!timestamp soon") + FIRST,
    "merge_of_scalar": "<<: 1\n" + HEADER + FIRST,
    "phases_is_number": HEADER + "phases: 3\n",
    "phase_is_number": HEADER + "phases: [3]\n",
    "branches_is_list": HEADER + "phases:\n  - id: a\n    question: q\n    branches: [x, y]\n",
    "number_key": "1: x\n" + HEADER + FIRST,
    "null_key": "~: x\n" + HEADER + FIRST,
    "collection_key": "? [a, b]\n: x\n" + HEADER + FIRST,
    "prior_is_list": HEADER + FIRST.replace("prior: 0.5", "prior: [1, 2]"),
    "prior_is_nan": HEADER + FIRST.replace("prior: 0.5", "prior: .nan"),
    "prior_is_bool": HEADER + FIRST.replace("prior: 0.5", "prior: true"),
    "alpha_overflows": HEADER + FIRST.replace("prior: 0.5", "prior: {alpha: 1e400, beta: 1}"),
    "alpha_huge_int": HEADER + FIRST.replace("prior: 0.5", "prior: {alpha: 1" + "0" * 400
                                              + ", beta: 1}"),
    "when_is_number": HEADER + FIRST.replace("question: First?",
                                             "question: First?\n    applies_when: 3"),
    "nul_character": HEADER + "description: a\x00b\n" + FIRST,
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_bad_input_raises_only_scenario_error(load_error, name):
    _, error = load_error(HOSTILE[name])
    assert error.problems and all(isinstance(p, Problem) for p in error.problems)


def test_non_utf8_file_raises_scenario_error(load_error):
    path, error = load_error(HEADER.encode() + b"description: caf\xe9\n" + FIRST.encode())
    [problem] = error.problems
    assert problem.file == str(path)
    assert "UTF-8" in problem.message


# --- loading by name ---------------------------------------------------------

def test_unknown_scenario_name():
    with pytest.raises(ScenarioError, match="no scenario of that name") as info:
        load_scenario("no-such-name")
    assert "baseline" in str(info.value)


def test_misspelt_scenario_name_suggests():
    with pytest.raises(ScenarioError, match=r"did you mean 'baseline'\?"):
        load_scenario("baselin")


# --- Scenario.with_priors ----------------------------------------------------

@pytest.fixture
def two_stage(data_dir):
    return load_scenario(data_dir / "two_stage.yaml")


def test_with_priors_unknown_branch_suggests(two_stage):
    with pytest.raises(ScenarioError) as info:
        two_stage.with_priors({"a.og": 0.5})
    problem = problem_at(info.value, "a.og")
    assert problem.file == "<with_priors>"
    assert "did you mean 'a.go'" in problem.message


def test_with_priors_unknown_phase(two_stage):
    with pytest.raises(ScenarioError, match="names no prior") as info:
        two_stage.with_priors({"nope.go": 0.5})
    assert "a.go" in str(info.value)


def test_with_priors_invalid_value(two_stage):
    with pytest.raises(ScenarioError) as info:
        two_stage.with_priors({"a.go": 1.5})
    assert type(info.value) is ScenarioError
    assert any("1.5" in p.message and "<= 1" in p.message for p in info.value.problems)


@pytest.mark.parametrize(("key", "value", "go"), [("a.go", 0.9, 0.9), ("a.stop", 0.25, 0.75)])
def test_with_priors_other_branch_takes_the_rest(two_stage, key, value, go):
    before = outcome_distribution(two_stage)
    changed = two_stage.with_priors({key: value})
    assert changed is not two_stage
    means = changed.priors_table().set_index("key")["mean"]
    assert means["a.go"] == pytest.approx(go)
    assert means["a.stop"] == pytest.approx(1 - go)
    # lose = stop + go * low, with P(low) = 0.2
    lose = outcome_distribution(changed).set_index("outcome").loc["lose", "probability"]
    assert lose == pytest.approx((1 - go) + go * 0.2)
    # the original is unchanged
    assert outcome_distribution(two_stage).equals(before)
    assert two_stage.priors_table().set_index("key").loc["a.go", "mean"] == pytest.approx(0.6)


def test_with_priors_rule_key(data_dir):
    rules = load_scenario(data_dir / "rules.yaml")
    changed = rules.with_priors({"mood.after_picnic.happy": 0.5})
    great = outcome_distribution(changed).set_index("outcome").loc["great", "probability"]
    # sun > held > happy now 0.7 * 0.8 * 0.5; sun > cancelled > happy stays 0.7 * 0.2 * 0.6
    assert great == pytest.approx(0.7 * 0.8 * 0.5 + 0.7 * 0.2 * 0.6)
