"""Import and export of SilverDecisions files, on small trees written here, and in node.

The trees below are written for these tests in SilverDecisions's format (the
format's summary is ../shared/silverdecisions/FORMAT.md); SilverDecisions's
own fixtures are read in test_silverdecisions_fixtures.py. The last tests
run SilverDecisions's own engine (npm sd-computations 0.6.1, bundled by
``make sd-engine`` into .cache/sd-engine/) on what ``export`` writes: with
``DEALTREE_REQUIRE_NODE=1`` (as ``make test`` sets) they fail when node or
the engine is missing, otherwise they skip and say why.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
from pathlib import Path

import pytest

import analysis
from analysis.delivery.cli import main
from analysis.delivery.interchange import export_silverdecisions, import_silverdecisions

PROJECT = Path(analysis.__file__).resolve().parents[1]
ENGINE = PROJECT / ".cache" / "sd-engine" / "compute.bundle.mjs"
SHARED = PROJECT.parent / "shared" / "silverdecisions"
EXAMPLES = sorted((PROJECT / "scenarios" / "examples").glob("*.yaml"))
FLAGSHIPS = sorted(p.stem for p in (PROJECT / "scenarios").glob("*.yaml"))


def _edge(name, child, probability=None, payoff=0):
    edge = {"name": name, "payoff": payoff, "childNode": child}
    if probability is not None:
        edge["probability"] = probability
    return edge


def _terminal():
    return {"type": "terminal", "name": "", "code": "", "childEdges": []}


def _node(kind, name, edges, code=""):
    return {"type": kind, "name": name, "code": code, "childEdges": edges}


def _write(tmp_path, data, name="tree.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return path


def _old_layout():
    """A file as SilverDecisions 0.5 saved it: code and trees at the top, scalar payoffs.

    Invest 10 for a gain of 2 q or 0 (q = 0.25 in the global code; node code
    sets the gain to 40 below the chance node): EV(invest) = -10 + 0.5 * 40 = 10;
    a lottery pays 15 with probability 1/3: EV 5. Invest, 10.
    """
    chance = _node("chance", "Market", [
        _edge("up", _terminal(), "q * 2", "gain # the gain"),
        _edge("down", _terminal(), "#", 0)], code="gain = 40")
    lottery = _node("chance", "Lottery", [
        _edge("win", _terminal(), "1/3", 15), _edge("lose", _terminal(), "#", 0)])
    root = _node("decision", "Choice", [_edge("invest", chance, payoff=-10),
                                        _edge("lottery", lottery)])
    return {"SilverDecisions": "0.5.2", "rule": "expected-value-maximization",
            "code": "q = 0.25\ngain = 1", "expressionScope": {"q": 0.25}, "trees": [root]}


def _two_criteria():
    """SilverDecisions 1.x layout, two criteria (cost, effect), rule min-max, weight 2.

    min-max: combined = -2 cost + effect. Treatment A: cost 2, effect 3 (-1);
    treatment B: cost 1, effect 4 with probability 0.5, else 0 (EV effect 2,
    combined 0). B, with combined value 0.
    """
    b = _node("chance", "Response", [
        _edge("good", _terminal(), "0.5", [0, 4]), _edge("poor", _terminal(), "#", [0, 0])])
    root = _node("decision", "Treatment", [
        _edge("A", _terminal(), payoff=[2, 3]), _edge("B", b, payoff=[1, 0])])
    return {"SilverDecisions": "1.2.1", "rule": "min-max", "viewMode": "twoCriteria",
            "data": {"code": "", "expressionScope": {}, "trees": [root],
                     "payoffNames": ["Cost", "Effect"], "defaultCriterion1Weight": 2,
                     "weightLowerBound": 0, "weightUpperBound": "Infinity"}}


# -------------------------------------------------------------------------------- import


def test_the_old_layout_with_code_scopes_and_comments(tmp_path):
    imported = import_silverdecisions(_write(tmp_path, _old_layout()))
    scenario = imported.scenario
    assert imported.criteria == ["payoff"]
    result = analysis.rollback(scenario, decision_maker="payoff")
    assert result.value == pytest.approx(10.0)
    assert result.chosen_options() == {"(start)": "invest"}
    parameters = scenario.model.parameters
    assert parameters["q"].value == 0.25
    # The node's own 'gain' shadows the global one below it, under its own name.
    assert {p.value for name, p in parameters.items() if name.startswith("gain")} == {1, 40}
    market = scenario.model.phases[1]
    assert market.branches["up"].prior.formula == "q * 2"
    assert market.branches["down"].prior.formula == "#"


def test_two_criteria_and_the_rule_become_a_weighted_rule(tmp_path):
    imported = import_silverdecisions(_write(tmp_path, _two_criteria()))
    model = imported.scenario.model
    assert imported.criteria == ["cost", "effect"]
    assert model.decision_rule.name == "weighted"
    assert dict(model.decision_rule.weights) == {"cost": -2.0, "effect": 1.0}
    result = analysis.rollback(imported.scenario, decision_maker=imported.decision_maker)
    assert result.chosen_options() == {"(start)": "b"}
    assert result.rule_value == pytest.approx(0.0)
    values = result.expected_utilities.set_index("stakeholder")["expected_utility"]
    assert values.to_dict() == pytest.approx({"cost": 1.0, "effect": 2.0})


def test_functions_in_code_are_expanded_and_draws_keep_their_saved_value(tmp_path):
    chance = _node("chance", "Game", [
        _edge("a", _terminal(), "p", "square(3)"), _edge("b", _terminal(), "#", "square(-1)")],
        code="square(x) = x^2 / 2")
    data = {"SilverDecisions": "1.2.0", "rule": "expected-value-maximization",
            "data": {"code": "p = random(0.2, 0.6)", "expressionScope": {"p": 0.3},
                     "trees": [chance]}}
    imported = import_silverdecisions(_write(tmp_path, data))
    scenario = imported.scenario
    p = scenario.model.parameters["p"]
    assert (p.low, p.high, p.base) == (0.2, 0.6, 0.3)
    assert any("random draw" in note for note in imported.notes)
    branches = scenario.model.phases[0].branches
    assert branches["a"].payoffs["payoff"] == 4.5 and branches["b"].payoffs["payoff"] == 0.5
    expected = analysis.expected_utilities(scenario).set_index("stakeholder")["expected"]
    assert expected["payoff"] == pytest.approx(0.3 * 4.5 + 0.7 * 0.5)


@pytest.mark.parametrize(("change", "location", "fragment"), [
    (lambda d: d.pop("SilverDecisions"), "(document)", "no 'SilverDecisions' version key"),
    (lambda d: [e.update(probability="0.333") for e in
                d["trees"][0]["childEdges"][1]["childNode"]["childEdges"]],
     "trees[0].childEdges[1].childNode", "sum to"),
    (lambda d: d["trees"][0]["childEdges"][0]["childNode"]["childEdges"][0].update(
        probability="q * qq"), "trees[0].childEdges[0].childNode.childEdges[0].probability",
     "unknown variable 'qq'"),
    (lambda d: d["trees"][0]["childEdges"][0]["childNode"]["childEdges"][0].update(
        probability="x = 1"), "trees[0].childEdges[0].childNode.childEdges[0].probability",
     "an assignment"),
    (lambda d: d["trees"][0]["childEdges"][0]["childNode"]["childEdges"][0].update(
        payoff="q > 0 ? 1 : 2"), "trees[0].childEdges[0].childNode.childEdges[0].payoff",
     "ifelse"),
    (lambda d: d.update(code="q = 2 * random()"), "code", "random draw inside"),
    (lambda d: d["trees"][0]["childEdges"][0]["childNode"].update(childEdges=[]),
     "trees[0].childEdges[0].childNode", "has no branches"),
    (lambda d: d["trees"][0]["childEdges"][0]["childNode"]["childEdges"][0].update(
        probability="__import__(1)"),
     "trees[0].childEdges[0].childNode.childEdges[0].probability", "cannot be converted"),
])
def test_what_cannot_be_converted_is_refused_where_it_is(tmp_path, change, location, fragment):
    data = _old_layout()
    change(data)
    path = _write(tmp_path, data)
    with pytest.raises(analysis.ScenarioError) as info:
        import_silverdecisions(path)
    problem = next((p for p in info.value.problems if p.location == location), None)
    assert problem is not None, str(info.value)
    assert problem.file == str(path)
    assert fragment in problem.message, problem.message
    if location != "(document)":
        assert problem.line is not None


def test_invalid_json_is_refused_with_its_line(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"SilverDecisions": "1.2.1",\n "title": "a\nb"}', encoding="utf-8")
    with pytest.raises(analysis.ScenarioError, match="invalid JSON") as info:
        import_silverdecisions(path)
    assert info.value.problems[0].line == 2


# ------------------------------------------------------------------------ round trips


def _essence(scenario):
    return scenario.model.model_dump(exclude={"id", "title", "description"})


@pytest.mark.parametrize("make", [_old_layout, _two_criteria])
def test_export_then_import_gives_the_same_scenario(tmp_path, make):
    first = import_silverdecisions(_write(tmp_path, make()))
    exported = export_silverdecisions(first.scenario)
    second = import_silverdecisions(_write(tmp_path, exported.data, "again.json"))
    assert _essence(second.scenario) == _essence(first.scenario)


def _fixtures_that_load():
    trees = SHARED / "trees"
    if not trees.is_dir():
        return [pytest.param(None, id="fixtures-missing")]
    return [pytest.param(p, id=f"{p.parent.name}/{p.name}") for p in sorted(trees.glob("*/*.json"))
            if not p.stem.endswith(("_fail", "_fail_hard"))]


@pytest.mark.parametrize("path", _fixtures_that_load())
def test_silverdecisions_fixtures_round_trip(tmp_path, path):
    if path is None:
        pytest.fail(f"the SilverDecisions fixtures are missing: expected {SHARED}/trees "
                    "beside the project (LGPL-3.0 test data, read at run time)")
    count = len((json.loads(path.read_text()).get("data") or json.loads(path.read_text()))
                ["trees"])
    for tree in range(count):
        first = import_silverdecisions(path, tree=tree)
        exported = export_silverdecisions(first.scenario)
        second = import_silverdecisions(_write(tmp_path, exported.data, f"t{tree}.json"))
        assert _essence(second.scenario) == _essence(first.scenario), (path.name, tree)


# ---------------------------------------------------------------------- command line


def test_import_and_export_on_the_command_line(tmp_path, capsys):
    source = _write(tmp_path, _two_criteria())
    target = tmp_path / "treatment.yaml"
    assert main(["import", str(source), "--output", str(target)]) == 0
    assert main(["validate", str(target)]) == 0
    out = tmp_path / "back.json"
    assert main(["export", str(target), "--format", "silverdecisions", "--output",
                 str(out)]) == 0
    assert json.loads(out.read_text())["rule"] == "min-max"
    capsys.readouterr()
    data = _old_layout()
    data.pop("SilverDecisions")
    assert main(["import", str(_write(tmp_path, data, "bad.json"))]) == 2
    err = capsys.readouterr().err
    assert "not a SilverDecisions file" in err and "Traceback" not in err


# ------------------------------------------------------- SilverDecisions's own engine


def _silverdecisions(path: Path, *rules: str, saved: bool = False) -> dict:
    node = shutil.which("node")
    if node is None or not ENGINE.is_file():
        why = ("node is not installed" if node is None else
               f"SilverDecisions's engine is not built ({ENGINE} is missing): run make sd-engine")
        if os.environ.get("DEALTREE_REQUIRE_NODE") == "1":
            pytest.fail(f"{why} (DEALTREE_REQUIRE_NODE=1)")
        pytest.skip(why)
    flags = ["--saved"] if saved else []
    out = subprocess.run([node, str(ENGINE), *flags, str(path), *rules], capture_output=True,
                         text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout)["rules"]


def _close(a, b):
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


@pytest.mark.parametrize("name", [*FLAGSHIPS, *(str(p) for p in EXAMPLES)],
                         ids=[*FLAGSHIPS, *(p.stem for p in EXAMPLES)])
def test_silverdecisions_computes_what_dealtree_computes(tmp_path, name):
    scenario = analysis.load_scenario(name)
    exported = export_silverdecisions(scenario)
    path = _write(tmp_path, exported.data)
    rules = ["expected-value-maximization"]
    if exported.decision_maker and not exported.reordered:
        rules += ["maxi-min", "maxi-max"]
    computed = _silverdecisions(path, *rules)
    for rule in rules:
        [root] = computed[rule]
        assert root["valid"], (rule, root["errors"])
        kind, criterion = exported.criteria[0].split(":", 1)
        if exported.decision_maker:
            ours = {"expected-value-maximization": None, "maxi-min": "maximin",
                    "maxi-max": "maximax"}[rule]
            result = analysis.rollback(scenario, decision_maker=exported.decision_maker,
                                       rule=ours)
            assert _close(root["payoff"][0], result.rule_value), (rule, root, result.rule_value)
        elif kind == "attribute":
            expected = analysis.expected_attributes(scenario).set_index("attribute")
            assert _close(root["payoff"][0], expected.loc[criterion, "expected"])
        else:
            value = analysis.expected_utilities(scenario).set_index("stakeholder")
            assert _close(root["payoff"][0], value.loc[criterion, "expected"])


@pytest.mark.parametrize("path", _fixtures_that_load())
def test_exported_fixtures_compute_as_the_originals(tmp_path, path):
    """Imported and exported again, each fixture still gives SilverDecisions's own values.

    Files that draw random numbers are computed, both times, with the draws
    they saved (as SilverDecisions does when it opens a file).
    """
    if path is None:
        pytest.fail(f"the SilverDecisions fixtures are missing: expected {SHARED}/trees")
    rules = ["expected-value-maximization", "expected-value-minimization", "maxi-min",
             "mini-max"]
    saved = "random" in path.read_text(encoding="utf-8")
    original = _silverdecisions(path, *rules, saved=saved)
    first = import_silverdecisions(path)
    exported = export_silverdecisions(first.scenario)
    again = _silverdecisions(_write(tmp_path, exported.data), *rules, saved=saved)
    for rule in rules:
        before, after = original[rule][0], again[rule][0]
        assert after["valid"] == before["valid"]
        assert all(_close(a, b) for a, b in zip(after["payoff"], before["payoff"],
                                                strict=False)), (rule, before, after)


# ------------------------------------------------------------------ hostile files


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 10) | st.floats(allow_nan=False)
    | st.text(max_size=8) | st.sampled_from(["#", "decision", "chance", "terminal", "1/2",
                                              "x", "p^2", "random()"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["type", "name", "childEdges", "childNode", "probability", "payoff",
                         "code", "trees", "data", "payoffNames"]), inner, max_size=5),
    max_leaves=30)


@given(tree=_JSON, code=st.text(max_size=40))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
def test_any_json_is_imported_or_refused_cleanly(tmp_path, tree, code):
    data = {"SilverDecisions": "1.2.1", "data": {"code": code, "trees": [tree]}}
    path = tmp_path / "fuzz.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    try:
        import_silverdecisions(path)
    except analysis.ScenarioError as error:
        assert error.problems and all(p.file == str(path) for p in error.problems)


@pytest.mark.parametrize("payoff", [
    "constructor.constructor('return process')()", "import('fs')", "x.__proto__",
    "eval('1')", "1 + 'a'", "f = 2", "[1, 2][0]", "9^9^9^9",
])
def test_hostile_silverdecisions_expressions_are_refused(tmp_path, payoff):
    data = _old_layout()
    data["trees"][0]["childEdges"][1]["childNode"]["childEdges"][0]["payoff"] = payoff
    with pytest.raises(analysis.ScenarioError) as info:
        import_silverdecisions(_write(tmp_path, data))
    assert any(p.location.endswith("payoff") or "overflows" in p.message
               for p in info.value.problems), str(info.value)


def test_deeply_nested_json_is_refused(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text('{"SilverDecisions": "1.2.1", "x": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(analysis.ScenarioError, match="nested too deeply|invalid JSON"):
        import_silverdecisions(path)
