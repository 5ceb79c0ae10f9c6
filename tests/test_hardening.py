"""Issue 12's failures, through the Python API: limits, numbers, arguments, extends.

The command line's side of the same failures is in ``tests/hostile/`` (run by
``test_hostile.py``) and ``test_cli_contract.py``. Each test here names the
failure it guards against.
"""

from __future__ import annotations

import contextlib
import re
import signal
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

import analysis
from analysis import QueryError, ScenarioError

ROOT = Path(__file__).resolve().parents[1]


@contextlib.contextmanager
def within(seconds: int):
    """Fail, rather than wait, if the block runs longer than ``seconds`` (SIGALRM)."""
    def expire(signum, frame):
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="module")
def baseline():
    return analysis.load_scenario("baseline")


@pytest.fixture(scope="module")
def mediation():
    return analysis.load_scenario("mediation")


def _log(folder: Path, items: list[str], name: str = "log") -> Path:
    path = folder / f"{name}.yaml"
    body = "".join(f"""  - id: item_{i}
    date: 2025-11-01
    title: Item {i}
    cite: [ceasefire-facts.truce-2008-06]
{item}""" for i, item in enumerate(items))
    path.write_text(f"id: {name}\ntitle: A log\nitems:\n{body}", encoding="utf-8")
    return path


# ------------------------------------------------------------------ limits up front


def test_paths_are_counted_before_the_tree_is_built(write_yaml, scenario_text):
    """Paths that reach no outcome were not counted; the limit message gave no count."""
    phases = "".join(f"  - {{id: p{i}, question: Q, branches: {{x: {{prior: 0.5}}, y: {{}}}}}}\n"
                     for i in range(20))
    rules = "outcome_rules:\n  - {when: {p0: x, p1: x}, outcome: good}\n"
    path = write_yaml(scenario_text("phases:\n" + phases + rules))
    start = time.perf_counter()
    with within(20), pytest.raises(ScenarioError, match=r"expands to 1,048,576 paths, expected "
                                                        r"at most 100,000") as caught:
        analysis.load_scenario(path)
    assert time.perf_counter() - start < 2
    assert len(caught.value.problems) == 1


def test_huge_n_draws_is_refused_naming_the_argument(baseline):
    """``n_draws=10**30`` gave an OverflowError traceback."""
    with pytest.raises(QueryError, match=r"n_draws == 1e\+30, expected at most"):
        analysis.sample_outcomes(baseline, n_draws=10**30)


def test_draws_over_the_time_budget_are_refused_with_the_estimate(baseline):
    """``--draws 10000000000`` would have run for half an hour."""
    start = time.perf_counter()
    with within(20), pytest.raises(QueryError, match=r"would take about .* minutes .* over the "
                                                     r"budget of 10 minutes; expected at most "
                                                     r"[\d,]+ draws"):
        analysis.sample_outcomes(baseline, n_draws=10**10, rng=1, progress=False)
    assert time.perf_counter() - start < 2


def test_keeping_draws_over_the_memory_budget_is_refused(baseline):
    """``keep_draws=True`` with 10**10 draws tried to allocate 522 GiB."""
    with pytest.raises(QueryError, match=r"would hold about ([\d.]+) TiB in memory \((\d+) "
                                         r"bytes a draw\), over the budget of 512 MiB") as caught:
        analysis.sample_outcomes(baseline, n_draws=10**10, keep_draws=True)
    found = re.search(r"about ([\d.]+) TiB in memory \((\d+) bytes", str(caught.value))
    assert float(found[1]) == pytest.approx(10**10 * int(found[2]) / 2**40, abs=0.005)


def _peak(function) -> int:
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_scores_take_memory_flat_in_the_draws(baseline):
    """Scoring held every draw's durations: 1,000,000 draws used 961 MB, 10,000,000 crashed."""
    def score(n):
        return lambda: analysis.forecast_resolutions([baseline], "gaza_2025", n_draws=n, rng=1)

    small, large = _peak(score(20_000)), _peak(score(400_000))
    assert large < small + 20 * 2**20, (small, large)  # base: grows by about 400 MB


def test_belief_timeline_keeps_only_what_it_reports_per_draw(baseline):
    """The timeline held every draw's probabilities and path distribution."""
    def timeline(n):
        return lambda: analysis.belief_timeline(baseline, "gaza_2025", n_draws=n, rng=1)

    # both above a chunk of draws (about 12,000), so that the difference is what grows
    small, large = _peak(timeline(30_000)), _peak(timeline(90_000))
    per_draw = (large - small) / 60_000
    # what it keeps (outcomes and a weight) and the quantiles' work on it: about 150
    # bytes a draw; holding theta and every path besides took about 900
    assert per_draw < 8 * 8 * (len(baseline.model.outcomes) + 1), per_draw


def test_equal_weights_take_quantiles_without_sorting(monkeypatch):
    """survival_curve spent 88% of its time in a stable argsort though all weights were equal."""
    from analysis.engines import draws

    def no_sort(*args, **kwargs):
        raise AssertionError("sorted the draws")

    values = np.random.default_rng(1).random((1000, 7))
    expected = np.quantile(values, [0.05, 0.5, 0.95], axis=0, method="hazen")
    monkeypatch.setattr(draws.np, "argsort", no_sort)
    monkeypatch.setattr(draws.np, "sort", no_sort)
    found = draws.weighted_quantiles(values, np.ones(1000), [0.05, 0.5, 0.95])
    assert found == pytest.approx(expected, abs=1e-15)


def test_rollback_time_does_not_grow_with_python_work_per_node(write_yaml):
    """tornado --for on a 16-phase, 65,000-path tree took 494 s (19 s without --for)."""
    lines = ["id: wide_decisions", "title: Wide", "as_of: 2025-01-01", "outcomes:",
             "  good: {label: Good, colour: '#1b9e77'}", "  bad: {label: Bad, colour: '#d95f02'}",
             "stakeholders: {me: {label: Me}}",
             "utilities: {me: {scale: points, outcomes: {good: 100, bad: 0}}}", "phases:"]
    for i in range(13):
        if i in (4, 8, 11):
            lines.append(f"  - {{id: p{i}, question: Q, decision_maker: me, "
                         f"branches: {{a: {{}}, b: {{}}}}}}")
        else:
            lines.append(f"  - {{id: p{i}, question: Q, branches: {{x: {{prior: "
                         f"{{alpha: {2 + i % 3}, beta: 3}}}}, y: {{}}}}}}")
    lines += ["outcome_rules:", "  - {when: {p0: x, p4: a}, outcome: good}",
              "  - {when: {p8: b, p11: a}, outcome: good}", "  - {outcome: bad}"]
    scenario = analysis.load_scenario(write_yaml("\n".join(lines) + "\n"))

    def timed(**options) -> float:
        start = time.perf_counter()
        analysis.tornado_table(scenario, output="good", **options)
        return time.perf_counter() - start

    with within(120):
        timed()  # imports and caches
        timed(decision_maker="me")
        without = min(timed() for _ in range(2))
        with_for = min(timed(decision_maker="me") for _ in range(2))
    assert with_for < 3 * without + 0.5, (with_for, without)


# ------------------------------------------------------------- no wrong numbers


def test_likelihoods_that_underflow_keep_their_ratios(baseline, tmp_path):
    """Ratios that underflow gave every posterior 0.0%."""
    tiny = _log(tmp_path, ["    phase: ceasefire\n    likelihoods: {holds: 1.0e-300, "
                           "collapses: 2.0e-300}\n"] * 3, "tiny")
    plain = _log(tmp_path, ["    phase: ceasefire\n    likelihoods: {holds: 1, collapses: 2}\n"]
                 * 3, "plain")
    found = analysis.outcome_distribution(analysis.update_scenario(baseline, tiny))
    expected = analysis.outcome_distribution(analysis.update_scenario(baseline, plain))
    assert found["probability"].to_numpy() == pytest.approx(expected["probability"], rel=1e-9)


def test_likelihoods_that_overflow_keep_their_ratios(baseline, tmp_path):
    """Neutral evidence whose likelihoods overflow gave nan% and NaN in the JSON."""
    neutral = _log(tmp_path, ["    phase: ceasefire\n    likelihoods: {holds: 1000000, "
                              "collapses: 1000000}\n    otherwise: 1000000\n"] * 60)
    posterior = analysis.update_scenario(baseline, neutral)
    found = analysis.outcome_distribution(posterior)["probability"].to_numpy()
    assert found == pytest.approx(analysis.outcome_distribution(baseline)["probability"])
    timeline = analysis.belief_timeline(baseline, neutral, n_draws=500, rng=1)
    assert np.isfinite(timeline[["probability", "lower", "upper", "ess"]].to_numpy()).all()


def test_attribute_values_whose_sums_overflow_are_refused_where_written(expect_problem,
                                                                       scenario_text):
    """Each value finite, their path sum inf: validate said ok, summary printed inf and nan."""
    expect_problem(scenario_text("""\
        phases:
          - id: first
            question: First?
            branches:
              a:
                prior: 0.5
                attributes: {cost: 1.0e308}  # <-
              b: {}
        outcome_rules:
          - {outcome: good}
        """), "phases[0].branches.a.attributes.cost", "got 1e+308", "between -1e+12 and 1e+12")


def test_a_pool_of_huge_weights_is_the_pool_of_equal_weights():
    """``weights=[1e308] * 3`` made the linear pool all zeros and the log pool uniform."""
    analysts = analysis.load_analysts()
    for method in ("linear", "log"):
        huge = analysis.pool_outcomes(analysts, method=method, weights=[1e308] * len(analysts))
        equal = analysis.pool_outcomes(analysts, method=method)
        assert huge["probability"].to_numpy() == pytest.approx(equal["probability"])


# -------------------------------------------------------- arguments named in errors


@pytest.mark.parametrize(("call", "error", "pattern"), [
    (lambda s: analysis.sample_outcomes(s, n_draws=10, given="ceasefire=holds"), TypeError,
     r"^given: got str"),
    (lambda s: analysis.sample_outcomes(s, n_draws=10, given={"ceasefire": 5}), QueryError,
     r"^given: phase 'ceasefire' == 5"),
    (lambda s: s.with_priors({1: 0.5}), TypeError, r"^overrides: key 1 \(int\)"),
    (lambda s: s.with_priors([("ceasefire.holds", 0.5)]), TypeError, r"^overrides: got list"),
    (lambda s: s.with_priors(None), TypeError, r"^overrides: got NoneType"),
])
def test_api_errors_name_the_argument(baseline, call, error, pattern):
    with pytest.raises(error, match=pattern):
        call(baseline)


def test_with_decisions_names_a_value_of_the_wrong_type(mediation):
    """``with_decisions({...: ["x"]})`` failed with "unhashable type"."""
    with pytest.raises(TypeError, match=r"^choices: 'international_presence' == \['x'\] "
                                        r"\(list\), expected one option id"):
        mediation.with_decisions({"international_presence": ["x"]})
    with pytest.raises(TypeError, match=r"^choices: key \('a',\) \(tuple\)"):
        mediation.with_decisions({("a",): "x"})


def test_more_phases_than_allowed_says_so_in_words(load_error, scenario_text):
    """More than 24 phases gave pydantic's raw "tuple should have at most 24 items"."""
    phases = "".join(f"  - {{id: p{i}, question: Q, branches: {{x: {{prior: 0.5}}, y: {{}}}}}}\n"
                     for i in range(25))
    _, error = load_error(scenario_text("outcome_rules: [{outcome: good}]\nphases:\n") + phases)
    [problem] = error.problems
    assert problem.location == "phases"
    assert "got 25 phases, expected at most 24" in problem.message
    assert "scenarios/README.md" in problem.message


def test_the_format_documents_its_bounds():
    """The 64-rules-per-phase limit was not documented."""
    readme = (ROOT / "scenarios" / "README.md").read_text(encoding="utf-8")
    for bound in ("24 phases", "16 branches", "64 rules", "64 outcome rules", "32 outcomes",
                  "32 attributes", "100,000 paths", "8 files", "1e12"):
        assert bound in readme, bound


def test_huge_counts_are_located_in_the_evidence_log(baseline, tmp_path):
    """Huge counts were reported as ``<with_priors>: exchanges.complete.concentration``."""
    log = _log(tmp_path, ["    phase: exchanges\n    counts: {complete: 1000000}\n"])
    with pytest.raises(ScenarioError) as caught:
        analysis.update_scenario(baseline, log)
    [problem] = caught.value.problems
    assert problem.file == str(log) and problem.line == 9
    assert problem.location == "items[0].counts"
    assert "item 'item_0'" in problem.message and "exchanges.complete" in problem.message


# -------------------------------------------------------------------- extends


def _variant(folder: Path, name: str, extends: str) -> Path:
    path = folder / name
    path.write_text(f"extends: {extends}\nid: {path.stem}\ntitle: A variant\n"
                    "priors: {ceasefire.holds: 0.5}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("extends", ["/etc/passwd", "../../../../../../../etc/passwd",
                                     "/etc/hostname.yaml", "../outside.yaml"])
def test_extends_reaches_only_scenario_files(tmp_path, extends):
    """extends could point at any file on the machine, and errors echoed its lines."""
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (tmp_path / "outside.yaml").write_text("secret_key: SECRET-VALUE\n")
    path = _variant(folder, "nosy.yaml", extends)
    with pytest.raises(ScenarioError) as caught:
        analysis.load_scenario(path)
    text = str(caught.value)
    assert ":0:0:" not in text and "SECRET" not in text
    [problem] = caught.value.problems
    assert problem.file == str(path) and problem.location == "extends"


def test_a_base_that_is_not_a_scenario_is_never_quoted(tmp_path):
    (tmp_path / "notes.yaml").write_text("root: x:0:0:SECRET-LINE\npassword: SECRET-PASSWORD\n")
    path = _variant(tmp_path, "nosy.yaml", "notes.yaml")
    with pytest.raises(ScenarioError, match="is not a scenario file") as caught:
        analysis.load_scenario(path)
    assert "SECRET" not in str(caught.value) and ":0:0:" not in str(caught.value)


def test_a_variant_beside_its_base_and_by_name_still_loads(tmp_path):
    base = tmp_path / "base.yaml"
    base.write_text((ROOT / "scenarios" / "baseline.yaml").read_text(encoding="utf-8"))
    assert analysis.load_scenario(_variant(tmp_path, "beside.yaml", "base.yaml")).id == "beside"
    assert analysis.load_scenario(_variant(tmp_path, "named.yaml", "baseline")).id == "named"


def test_a_cycle_in_extends_is_named_once_with_its_members(tmp_path):
    """A cycle printed nine repeated lines before "(a cycle?)"."""
    for name, base in (("a", "b"), ("b", "c"), ("c", "a")):
        _variant(tmp_path, f"{name}.yaml", f"{base}.yaml")
    with pytest.raises(ScenarioError) as caught:
        analysis.load_scenario(tmp_path / "a.yaml")
    [problem] = caught.value.problems
    assert "'extends' makes a cycle: a.yaml -> b.yaml -> c.yaml -> a.yaml" in problem.message


# ------------------------------------------------------------ control characters


@pytest.mark.parametrize(("written", "shown"), [('"\\e[31mred"', "\\x1b"), ('"a\\0b"', "\\x00"),
                                                ('"safe \\u202Eevil"', "\\u202e"),
                                                ('"x\\u2066y"', "\\u2066")])
def test_control_characters_in_labels_are_refused(expect_problem, scenario_text, written, shown):
    """Labels with ESC, NUL or bidirectional controls were accepted and printed raw."""
    expect_problem(scenario_text(f"""\
        phases:
          - id: first
            label: {written}  # <-
            question: First?
            branches:
              a: {{prior: 0.5, outcome: good}}
              b: {{outcome: bad}}
        """), "phases[0].label", f"control character {shown}")


def test_tabs_newlines_and_right_to_left_text_are_fine(write_yaml, scenario_text):
    path = write_yaml(scenario_text("""\
        phases:
          - id: first
            label: "وقف إطلاق النار"
            question: "First?\\tReally?"
            description: "Two\\nlines"
            branches:
              a: {prior: 0.5, outcome: good}
              b: {outcome: bad}
        """))
    assert analysis.load_scenario(path).model.phases[0].label == "وقف إطلاق النار"


# ------------------------------------------------------- validate without the arrays


CHECKED = sorted([*(ROOT / "scenarios").rglob("*.yaml"), *(ROOT / "tests" / "data").glob("*.yaml"),
                  *(ROOT / "tests" / "hostile" / "files" / "scenarios").glob("*.yaml")])


@pytest.mark.parametrize("path", CHECKED, ids=[p.name for p in CHECKED])
def test_validate_finds_exactly_what_loading_finds(path):
    """``dealtree validate`` checks without building the tree's arrays (no numpy import)."""
    import warnings

    from analysis.model.scenario import check_scenario_file

    def outcome(function):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                found = function(path)
            except ScenarioError as exc:
                return "error", [str(p) for p in exc.problems]
        shown = found if isinstance(found, list) else [str(w.message) for w in caught]
        return "ok", shown

    assert outcome(check_scenario_file) == outcome(analysis.load_scenario)


def test_validate_never_imports_numpy():
    import subprocess
    import sys

    code = ("import sys; from analysis.delivery.cli import main; "
            "code = main(['validate', 'scenarios/baseline.yaml', "
            "'scenarios/disarmament_impasse.yaml']);"
            " print(code, sorted({m.split('.')[0] for m in sys.modules} & "
            "{'numpy', 'pandas', 'scipy', 'numba', 'plotly', 'nbformat'}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, check=True)
    assert result.stdout.strip().endswith("0 []"), result.stdout
