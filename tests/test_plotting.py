"""Tests of analysis.plotting: the figures' data and layout, never rendered."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import analysis
from analysis import plotting

TINY = textwrap.dedent("""\
    schema_version: 1
    id: tiny
    title: Tiny test scenario
    as_of: 2025-01-01
    outcomes:
      good: {label: Good, colour: "#00aa00"}
      meh: {label: Meh, colour: "#0000aa"}
      bad: {label: Bad, colour: "#aa0000"}
    attributes:
      cost: {label: Cost, unit: dollars}
    phases:
      - id: start
        question: Does it start?
        branches:
          go: {prior: 0.6, attributes: {cost: 10}}
          halt: {outcome: bad}
      - id: middle_step
        question: How does it go?
        branches:
          well: {prior: 0.25}
          badly: {attributes: {cost: 5}}
      - id: finish
        question: Does it finish?
        applies_when: {middle_step: well}
        branches:
          done: {prior: 0.8}
          not_done: {}
    outcome_rules:
      - when: {finish: done}
        outcome: good
      - outcome: meh
    """)
# Paths of TINY, in path_table order: probability, outcome.
TINY_PATHS = [(0.12, "good"), (0.03, "meh"), (0.45, "meh"), (0.40, "bad")]
TINY_COLOURS = {"good": "#00aa00", "meh": "#0000aa", "bad": "#aa0000"}


def crowded_yaml(widths=(5, 6, 4)) -> str:
    """A scenario of 1 + (widths[0] - 1) * widths[1] * widths[2] paths (97 by default)."""
    lines = ["schema_version: 1", "id: crowded", "title: Crowded test scenario",
             "as_of: 2025-01-01", "outcomes:",
             '  up: {label: Up, colour: "#1b9e77"}',
             '  down: {label: Down, colour: "#d95f02"}',
             '  stop: {label: Stopped, colour: "#7570b3"}',
             "phases:"]
    for k, width in enumerate(widths):
        lines += [f"  - id: phase_{k}", f"    question: Question {k}?", "    branches:"]
        for b in range(width):
            fields = [f"prior: {1 / width:.6f}"] if b < width - 1 else []
            fields += ["outcome: stop"] if k == 0 and b == width - 1 else []
            lines.append(f"      branch_{b}: {{{', '.join(fields)}}}")
    lines += ["outcome_rules:", f"  - when: {{phase_{len(widths) - 1}: branch_0}}",
              "    outcome: up", "  - outcome: down"]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def baseline():
    return analysis.load_scenario("baseline")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    path = tmp_path_factory.mktemp("tiny") / "tiny.yaml"
    path.write_text(TINY)
    return analysis.load_scenario(path)


@pytest.fixture(scope="module")
def crowded(tmp_path_factory):
    path = tmp_path_factory.mktemp("crowded") / "crowded.yaml"
    path.write_text(crowded_yaml())
    return analysis.load_scenario(path)


def traces(fig, role):
    return [t for t in fig.data if isinstance(t.meta, dict) and t.meta.get("role") == role]


def one(fig, role):
    (trace,) = traces(fig, role)
    return trace


def edge_texts(fig):
    """Each edge's visible text: branch above the edge, probability below it."""
    above, below = one(fig, "edge_labels").text, one(fig, "edge_probabilities").text
    return [f"{a} {b}".strip() for a, b in zip(above, below, strict=True)]


def leaves(fig):
    """(y, probability, outcome, colour) of every leaf, top to bottom."""
    rows = []
    for trace in traces(fig, "leaf"):
        for y, data in zip(trace.y, trace.customdata, strict=True):
            rows.append((y, data[1], trace.meta["outcome"], trace.marker.color))
    return sorted(rows, key=lambda r: -r[0])


def segments(x, y):
    """Split a None-separated polyline into lists of points."""
    out, current = [], []
    for xi, yi in zip(x, y, strict=True):
        if xi is None:
            out.append(current)
            current = []
        else:
            current.append((xi, yi))
    return out + ([current] if current else [])


def check_common(fig, *, axes="xy"):
    assert isinstance(fig, go.Figure)
    assert fig.layout.title.text
    assert fig.layout.height
    assert fig.layout.template == pio.templates["plotly_white"]
    for axis in axes:
        assert fig.layout[f"{axis}axis"].title.text
    for trace in fig.data:
        if trace.hovertemplate:
            assert trace.hovertemplate.endswith("<extra></extra>")
    fig.to_json()  # every value serialisable


# ------------------------------------------------------------------------ module


def defined_names(module) -> set[str]:
    """The names a module's source defines at its top level (imports excluded)."""
    names = set()
    for node in ast.parse(Path(module.__file__).read_text()).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    return names


PLOTTING_MODULES = [importlib.import_module(f"analysis.plotting.{m.name}")
                    for m in pkgutil.iter_modules(plotting.__path__)]


@pytest.mark.parametrize("module", PLOTTING_MODULES, ids=lambda m: m.__name__)
def test_public_names_are_all(module):
    public = {name for name in defined_names(module) if not name.startswith("_")}
    assert public == set(module.__all__)
    assert len(module.__all__) == len(set(module.__all__))
    assert all(hasattr(module, name) for name in module.__all__)


def test_plotting_lists_exactly_the_charts():
    charts = [name for module in PLOTTING_MODULES for name in module.__all__
              if name.startswith("plot_")]
    assert sorted(plotting.__all__) == sorted(charts)
    assert len(charts) == len(set(charts)) == 27
    assert all(callable(getattr(plotting, name)) for name in plotting.__all__)
    style = importlib.import_module("analysis.plotting.style")
    assert not any(name.startswith("plot_") for name in style.__all__)
    assert defined_names(plotting) == {"__all__"}  # imports only


def test_plotting_modules_share_no_private_helpers():
    for module in PLOTTING_MODULES:
        tree = ast.parse(Path(module.__file__).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level and node.module != "__future__":
                if node.module in {m.__name__.rsplit(".", 1)[1] for m in PLOTTING_MODULES}:
                    assert not [a.name for a in node.names if a.name.startswith("_")], \
                        module.__name__


def test_importing_the_package_does_not_import_plotly():
    code = "import sys, analysis; print(any(m.startswith('plotly') for m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"


def test_only_plotting_mentions_plotly():
    package = Path(analysis.__file__).parent
    offenders = [str(p.relative_to(package)) for p in package.rglob("*.py")
                 if p.parent.name != "plotting" and p.name != "figures.py"
                 and ("import plotly" in p.read_text() or "from plotly" in p.read_text())]
    assert offenders == []


def test_plotting_does_not_import_scipy():
    package = Path(plotting.__file__).parent
    assert [p.name for p in package.glob("*.py") if "scipy" in p.read_text()] == []


# -------------------------------------------------------------------------- tree


def test_tree_leaves_are_the_paths(baseline):
    fig = plotting.plot_tree(analysis.path_steps(baseline))
    check_common(fig, axes="")
    table = analysis.path_table(baseline)
    rows = leaves(fig)
    np.testing.assert_allclose([r[1] for r in rows], table["probability"])
    assert sum(r[1] for r in rows) == pytest.approx(1)
    assert [r[2] for r in rows] == list(table["outcome"])
    colours = {o: spec.colour for o, spec in baseline.model.outcomes.items()}
    assert all(r[3] == colours[r[2]] for r in rows)
    # every leaf in the last column, one legend entry per outcome drawn
    n = len(baseline.phases)
    assert all(x == n for t in traces(fig, "leaf") for x in t.x)
    assert [t.name for t in traces(fig, "leaf")] == [
        spec.label for o, spec in baseline.model.outcomes.items() if o in set(table["outcome"])]
    assert all(t.showlegend for t in traces(fig, "leaf"))
    assert fig.layout.title.text == "Scenario tree — baseline"


def test_tree_edge_labels_show_conditional_probabilities(baseline):
    fig = plotting.plot_tree(analysis.path_steps(baseline))
    texts = set(edge_texts(fig))
    assert set(one(fig, "edge_labels").meta["full_text"]) == texts
    assert one(fig, "edge_labels").text[0] == "Holds"  # room enough: probability below
    assert one(fig, "edge_probabilities").text[0] == "0.82"
    for expected in ["Holds 0.82", "Collapses 0.18", "Complete 0.50", "Partial 0.40",
                     "Breaks down 0.10", "Phased withdrawal 0.30", "Stalls at the line 0.50",
                     "Reversed 0.20", "Implemented 0.30", "Implemented 0.10",
                     "Partly implemented 0.60"]:
        assert expected in texts
    labels = one(fig, "edge_labels")
    # hover carries the exact conditional probability of every edge
    conditional = dict(zip([d[0] for d in labels.customdata], labels.meta["conditional"],
                           strict=True))
    assert conditional["Ceasefire: Holds"] == pytest.approx(9 / 11)
    assert labels.customdata[0][1] == "0.818"


def test_tree_nodes_skips_and_early_ends(baseline):
    fig = plotting.plot_tree(analysis.path_steps(baseline))
    nodes = one(fig, "chance_nodes")
    # root, holds, holds>complete, >phased, >stalls, holds>partial (withdrawal skipped)
    assert len(nodes.x) == 6
    by_path = {d[0]: x for d, x in zip(nodes.customdata, nodes.x, strict=True)}
    assert by_path["(start)"] == 0
    assert by_path["Holds → Partial → (withdrawal skipped)"] == 3  # straight to governance
    assert all(d[1] > 0 and "Outcomes from here" in d[2] for d in nodes.customdata)
    # early ends: ceasefire collapses (phase 0), breaks down (1), reversed (2)
    dotted = segments(one(fig, "connectors").x, one(fig, "connectors").y)
    assert sorted(seg[0][0] for seg in dotted) == [1, 2, 3]
    assert all(seg[-1][0] == 4 for seg in dotted)


def test_tree_hover_has_path_probability_outcome_and_units(baseline):
    fig = plotting.plot_tree(analysis.path_steps(baseline))
    for trace in traces(fig, "leaf"):
        for data in trace.customdata:
            path, probability, outcome, details = data
            assert " → " in path or path
            assert 0 < probability <= 1
            assert outcome == trace.name
            assert "people" in details and "% of territory" in details
    first = leaves(fig)[0]
    assert first[1] == pytest.approx(analysis.path_table(baseline)["probability"][0])


def test_tree_given_keeps_matching_paths(baseline):
    fig = plotting.plot_tree(analysis.path_steps(baseline, given={"exchanges": "complete"}))
    table = analysis.path_table(baseline, given={"exchanges": "complete"})
    rows = leaves(fig)
    assert len(rows) == len(table) == 7
    np.testing.assert_allclose([r[1] for r in rows], table["probability"])
    assert sum(r[1] for r in rows) == pytest.approx(1)
    assert "exchanges=complete" in fig.layout.title.text
    assert "Complete 1.00" in edge_texts(fig)


def test_tree_of_tiny_scenario(tiny):
    fig = plotting.plot_tree(analysis.path_steps(tiny))
    check_common(fig, axes="")
    rows = leaves(fig)
    np.testing.assert_allclose([r[1] for r in rows], [p for p, _ in TINY_PATHS])
    assert [r[2] for r in rows] == [o for _, o in TINY_PATHS]
    assert all(r[3] == TINY_COLOURS[r[2]] for r in rows)
    assert set(edge_texts(fig)) == {"Go 0.60", "Halt 0.40", "Well 0.25",
                                    "Badly 0.75", "Done 0.80", "Not done 0.20"}
    # 'halt' ends at phase 0: dotted from column 1 to 3; 'go > badly' skips 'finish'
    # and reaches the leaf column by a solid line.
    dotted = segments(one(fig, "connectors").x, one(fig, "connectors").y)
    assert [(seg[0][0], seg[-1][0]) for seg in dotted] == [(1, 3)]
    solid = segments(one(fig, "edges").x, one(fig, "edges").y)
    badly_y = rows[2][0]
    assert any(seg[-1] == (3, badly_y) and seg[0][0] == 1 for seg in solid)
    headers = [a.text for a in fig.layout.annotations]
    assert "<b>Middle step</b>" in headers
    leaf_hover = {d[0]: d[3] for t in traces(fig, "leaf") for d in t.customdata}
    assert leaf_hover["Go → Badly → (finish skipped)"] == "Cost: 15 dollars"


def test_tree_attributes_so_far_follow_how_they_combine(baseline):
    nodes = one(plotting.plot_tree(analysis.path_steps(baseline)), "chance_nodes")
    hover = {d[0]: d[2] for d in nodes.customdata}
    # the root shows the starting values; "israeli_held_share" is set (combine: last)
    # by each branch, not added: 53% behind the first line, 28% after phased withdrawal
    assert "Share of Gaza held by Israeli forces: 0% of territory" in hover["(start)"]
    assert "Share of Gaza held by Israeli forces: 53% of territory" in hover["Holds → Complete"]
    phased = hover["Holds → Complete → Phased withdrawal"]
    assert "Share of Gaza held by Israeli forces: 28% of territory" in phased
    assert "Living hostages returned: 20 people" in phased


def test_tree_needs_the_path_steps(baseline):
    with pytest.raises(TypeError, match=r"got Scenario, expected a pandas DataFrame from "
                                        r"analysis\.path_steps"):
        plotting.plot_tree(baseline)
    with pytest.raises(ValueError, match="missing column"):
        plotting.plot_paths_sunburst(analysis.path_table(baseline))
    with pytest.raises(ValueError, match="one row per path and phase"):
        plotting.plot_tree(analysis.path_steps(baseline).iloc[1:])


def test_tree_degrades_when_crowded(crowded):
    table = analysis.path_table(crowded)
    assert 90 <= len(table) <= 110
    fig = plotting.plot_tree(analysis.path_steps(crowded))
    check_common(fig, axes="")
    rows = leaves(fig)
    assert len(rows) == len(table)
    assert sum(r[1] for r in rows) == pytest.approx(1)
    labels = one(fig, "edge_labels")
    shown = [t for t in edge_texts(fig) if t]
    assert 0 < len(shown) < len(labels.text)  # the outer columns lose their text ...
    assert len(labels.customdata) == len(labels.text)  # ... but every edge keeps its hover
    assert all(d[0].startswith("Phase ") for d in labels.customdata)
    assert fig.layout.height <= 1600


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(p_go=st.one_of(st.just(0.0), st.floats(1e-9, 1)), p_well=st.floats(0, 1))
def test_charts_follow_priors(tiny, p_go, p_well):
    scenario = tiny.with_priors({"start.go": p_go, "middle_step.well": p_well})
    fig = plotting.plot_tree(analysis.path_steps(scenario))
    rows = leaves(fig)
    np.testing.assert_allclose([r[1] for r in rows],
                               analysis.path_table(scenario)["probability"])
    labels = one(fig, "edge_labels")
    assert labels.meta["conditional"][0] == pytest.approx(p_go)
    if p_go > 0:
        assert labels.meta["conditional"][2] == pytest.approx(p_well)  # well, below go
    else:  # nothing reaches 'middle step': its branches' probabilities are undefined
        assert labels.meta["conditional"][2] is None
        assert "–" in edge_texts(fig)[2]
    fig.to_json()
    sunburst = plotting.plot_paths_sunburst(analysis.path_steps(scenario)).data[0]
    assert sum(v for i, v in zip(sunburst.ids, sunburst.values, strict=True)
               if i not in sunburst.parents) == pytest.approx(1)
    for frame, plot in [(analysis.outcome_distribution, plotting.plot_outcome_distribution),
                        (analysis.phase_marginals, plotting.plot_phase_marginals),
                        (analysis.expected_attributes, plotting.plot_expected_attributes)]:
        plot(frame(scenario)).to_json()


# ------------------------------------------------------------- changed scenarios

CHANGED_LINE = "Changed from the file: ceasefire.holds = 0.9"


def test_titles_show_what_a_scenario_changed(baseline, samples):
    hopeful = baseline.with_priors({"ceasefire.holds": 0.9})
    mediation = analysis.load_scenario("mediation").with_priors({"ceasefire.holds": 0.9})
    draws = analysis.sample_outcomes(hopeful, n_draws=2_000, rng=1)
    figures = [
        plotting.plot_tree(analysis.path_steps(hopeful)),
        plotting.plot_paths_sunburst(analysis.path_steps(hopeful)),
        plotting.plot_outcome_distribution(analysis.outcome_distribution(hopeful)),
        plotting.plot_phase_marginals(analysis.phase_marginals(hopeful)),
        plotting.plot_expected_attributes(analysis.expected_attributes(hopeful)),
        plotting.plot_attribute_distribution(analysis.attribute_distribution(hopeful)),
        plotting.plot_priors(analysis.prior_densities(hopeful)),
        plotting.plot_outcome_intervals(analysis.outcome_intervals(draws)),
        plotting.plot_outcome_draws(analysis.outcome_histogram(draws),
                                    analysis.outcome_intervals(draws)),
        plotting.plot_attribute_cdf(analysis.attribute_ecdf(draws),
                                    analysis.attribute_intervals(draws)),
        plotting.plot_tornado(analysis.tornado_table(mediation, output="renewed_war")),
        plotting.plot_option_values(
            analysis.rollback(mediation, decision_maker="mediators").option_values),
    ]
    for fig in figures:
        assert CHANGED_LINE in fig.layout.title.subtitle.text, fig.layout.title.text
        assert "Changed" not in fig.layout.title.text
    # the tree keeps its subtitle (the scenario's title) above the line, and makes room
    tree, plain = figures[0], plotting.plot_tree(analysis.path_steps(baseline))
    assert tree.layout.title.subtitle.text == f"{baseline.title}<br>{CHANGED_LINE}"
    assert tree.layout.margin.t > plain.layout.margin.t
    assert tree.layout.height > plain.layout.height
    # an unchanged scenario says nothing
    for fig in (plain, plotting.plot_outcome_intervals(analysis.outcome_intervals(samples))):
        assert "Changed" not in (fig.layout.title.subtitle.text or "")


def test_many_changes_are_counted_not_listed(baseline):
    changed = baseline.with_priors({"ceasefire.holds": 0.9,
                                    "exchanges.complete": {"concentration": 6},
                                    "withdrawal.phased": {"concentration": 4},
                                    "withdrawal.stalls": {"concentration": 4}})
    assert len(changed.changes) == 4
    subtitle = plotting.plot_outcome_distribution(
        analysis.outcome_distribution(changed)).layout.title.subtitle.text
    line = subtitle.split("<br>")[-1]
    assert line.startswith("Changed from the file: ceasefire.holds = 0.9; ")
    assert line.endswith(" and 2 more")
    assert len(line) <= 140


def test_stacked_scenarios_name_their_changes_in_the_legend(baseline):
    hopeful = baseline.with_priors({"ceasefire.holds": 0.9})
    fig = plotting.plot_outcome_distribution(analysis.compare_outcomes([baseline, hopeful]))
    assert "ceasefire.holds = 0.9" in fig.layout.title.text
    assert fig.layout.title.subtitle.text is None  # the scenario names say it already


# ---------------------------------------------------------------------- sunburst


def sunburst_checks(fig, scenario, given=None):
    trace = fig.data[0]
    ids, parents, values = list(trace.ids), list(trace.parents), list(trace.values)
    assert trace.branchvalues == "total"
    assert len(set(ids)) == len(ids)
    assert all(p == "" or p in ids for p in parents)
    assert parents.count("") == 1
    value = dict(zip(ids, values, strict=True))
    for node in ids:  # a parent's value is its children's sum
        children = [v for i, p, v in zip(ids, parents, values, strict=True) if p == node]
        if children:
            assert sum(children) == pytest.approx(value[node])
    leaf_index = [k for k, i in enumerate(ids) if i not in parents]
    assert sum(values[k] for k in leaf_index) == pytest.approx(1)
    table = analysis.path_table(scenario, given=given)
    assert len(leaf_index) == len(table)
    colours = {o: spec.colour for o, spec in scenario.model.outcomes.items()}
    leaf_colours = sorted(trace.marker.colors[k] for k in leaf_index)
    assert leaf_colours == sorted(colours[o] for o in table["outcome"])
    np.testing.assert_allclose(sorted(values[k] for k in leaf_index),
                               sorted(table["probability"]))
    # ring k holds phase k: depth below the root equals phase number + 1
    phases = list(scenario.phases)
    for i in ids[1:]:
        steps = i.split("/")[1:]
        assert [s.split("=")[0] for s in steps] == phases[:len(steps)]
    assert "%{value:.1%}" in trace.hovertemplate
    legend = traces(fig, "legend")
    assert {t.marker.color for t in legend} == {colours[o] for o in table["outcome"]}
    return trace


def test_sunburst_of_baseline(baseline):
    fig = plotting.plot_paths_sunburst(analysis.path_steps(baseline))
    check_common(fig, axes="")
    trace = sunburst_checks(fig, baseline)
    assert isinstance(trace, go.Sunburst)
    assert "Withdrawal skipped" in trace.labels  # no blank ring where a phase is skipped
    assert fig.layout.title.text == "Paths by phase — baseline"


def test_icicle_and_given(baseline):
    fig = plotting.plot_paths_sunburst(
        analysis.path_steps(baseline, given={"exchanges": ["complete"]}), kind="icicle")
    trace = sunburst_checks(fig, baseline, given={"exchanges": ["complete"]})
    assert isinstance(trace, go.Icicle)
    assert "Withdrawal skipped" not in trace.labels
    assert "exchanges=complete" in fig.layout.title.text


def test_sunburst_of_tiny_scenario(tiny):
    fig = plotting.plot_paths_sunburst(analysis.path_steps(tiny))
    trace = sunburst_checks(fig, tiny)
    assert trace.labels[0] == "All paths"
    # the trailing skipped phase adds no segment
    assert not any("skipped" in label for label in trace.labels)


def test_sunburst_rejects_unknown_kind(tiny):
    with pytest.raises(ValueError, match="kind: got 'pie'"):
        plotting.plot_paths_sunburst(analysis.path_steps(tiny), kind="pie")


# ------------------------------------------------------------------ distribution


def test_outcome_distribution_bars(baseline, tiny):
    for scenario in (baseline, tiny):
        distribution = analysis.outcome_distribution(scenario)
        before = distribution.copy()
        fig = plotting.plot_outcome_distribution(distribution)
        check_common(fig)
        pd.testing.assert_frame_equal(distribution, before)
        (bar,) = fig.data
        np.testing.assert_allclose(bar.y, distribution["probability"])
        assert list(bar.marker.color) == list(distribution["colour"])
        assert list(fig.layout.xaxis.ticktext) == list(distribution["label"])
        assert fig.layout.yaxis.title.text == "Probability"
        assert "%" in fig.layout.yaxis.tickformat
        assert "%{y:.1%}" in bar.texttemplate
        assert bar.hovertemplate == "%{customdata}: %{y:.1%}<extra></extra>"
        assert fig.layout.title.text == f"Outcome distribution — {scenario.id}"


def test_outcome_distribution_title_and_given(baseline):
    distribution = analysis.outcome_distribution(baseline, given={"exchanges": "complete"})
    fig = plotting.plot_outcome_distribution(distribution)
    assert fig.layout.title.text == "Outcome distribution — baseline | exchanges=complete"
    assert plotting.plot_outcome_distribution(distribution, title="Mine").layout.title.text \
        == "Mine"


def test_outcome_distribution_grouped_by_scenario(baseline):
    hopeful = baseline.with_priors({"ceasefire.holds": 0.95})
    stacked = pd.concat([
        analysis.outcome_distribution(baseline).assign(scenario="baseline"),
        analysis.outcome_distribution(hopeful).assign(scenario="hopeful"),
    ], ignore_index=True)
    fig = plotting.plot_outcome_distribution(stacked)
    check_common(fig)
    bars = traces(fig, "bars")
    assert [b.meta["scenario"] for b in bars] == ["baseline", "hopeful"]
    for bar, (_, part) in zip(bars, stacked.groupby("scenario", sort=False), strict=True):
        np.testing.assert_allclose(bar.y, part["probability"])
        assert list(bar.x) == list(part["outcome"])
        assert list(bar.marker.color) == list(part["colour"])  # outcome colours kept
        assert bar.offsetgroup == bar.meta["scenario"]
    assert bars[0].marker.pattern.shape != bars[1].marker.pattern.shape
    assert [t.name for t in traces(fig, "legend")] == ["baseline", "hopeful"]
    assert fig.layout.barmode == "group"
    assert fig.layout.title.text == "Outcome distribution — baseline vs hopeful"


def test_outcome_distribution_checks_its_input():
    with pytest.raises(ValueError, match="missing column.*colour"):
        plotting.plot_outcome_distribution(pd.DataFrame({"outcome": ["a"], "label": ["A"],
                                                         "probability": [1.0]}))
    with pytest.raises(TypeError, match="expected a pandas DataFrame"):
        plotting.plot_outcome_distribution({"outcome": ["a"]})


# --------------------------------------------------------------------- marginals


@pytest.mark.parametrize("name", ["baseline", "tiny"])
def test_phase_marginals(name, baseline, tiny):
    scenario = {"baseline": baseline, "tiny": tiny}[name]
    marginals = analysis.phase_marginals(scenario)
    fig = plotting.plot_phase_marginals(marginals)
    check_common(fig)
    assert fig.layout.barmode == "stack"
    totals: dict[str, float] = {}
    count = 0
    for trace in fig.data:
        assert trace.orientation == "h"
        for x, y in zip(trace.x, trace.y, strict=True):
            totals[y] = totals.get(y, 0.0) + x
            count += 1
    assert count == len(marginals)
    assert list(totals) and all(v == pytest.approx(1) for v in totals.values())
    assert len(totals) == len(scenario.phases)
    greys = {t.meta["branch"]: t.marker.color for t in traces(fig, "grey")}
    assert set(greys) == set(marginals["branch"]) & {"(skipped)", "(not reached)"}
    assert all(c.startswith("#") and len(set(c[1:].lower()[i:i + 2] for i in (0, 2, 4))) == 1
               for c in greys.values())  # grey: equal r, g, b
    assert fig.layout.xaxis.title.text == "Probability"
    assert fig.layout.title.text == f"Branch probabilities by phase — {scenario.id}"


def test_phase_marginals_labels(tiny):
    fig = plotting.plot_phase_marginals(analysis.phase_marginals(tiny))
    labels = {d[0] for t in fig.data for d in t.customdata}
    assert {"Go", "Halt", "Not done", "(skipped)", "(not reached)"} <= labels
    assert list(fig.layout.yaxis.categoryarray) == ["Start", "Middle step", "Finish"]


# -------------------------------------------------------------------- attributes


@pytest.mark.parametrize(("name", "condition"), [("baseline", {"ceasefire": "holds"}),
                                               ("tiny", {"start": "go"})])
def test_expected_attributes(name, condition, baseline, tiny):
    scenario = {"baseline": baseline, "tiny": tiny}[name]
    attributes = analysis.expected_attributes(scenario, given=condition)
    fig = plotting.plot_expected_attributes(attributes)
    check_common(fig, axes="x")  # one point per panel: its title names it, no y axis
    points = traces(fig, "attribute")
    assert len(points) == len(attributes)
    for k, (trace, row) in enumerate(zip(points, attributes.itertuples(), strict=True),
                                     start=1):
        assert trace.x[0] == pytest.approx(row.expected)
        assert trace.error_x.array[0] == pytest.approx(row.sd)
        axis = fig.layout["xaxis" if k == 1 else f"xaxis{k}"]
        assert axis.title.text == row.unit
        low, high = axis.range
        assert low <= min(0, row.expected - row.sd) and high >= row.expected + row.sd
    assert "|" in fig.layout.title.text


def test_expected_attributes_without_attributes(tiny):
    empty = analysis.expected_attributes(tiny).iloc[:0]
    fig = plotting.plot_expected_attributes(empty)
    assert fig.layout.title.text and fig.layout.height
    assert fig.layout.annotations[0].text == "The scenario declares no attributes"


# ------------------------------------------------------------ every scenario file


@pytest.mark.parametrize("name", analysis.scenario_names())
def test_every_scenario_charts(name):
    scenario = analysis.load_scenario(name)
    table = analysis.path_table(scenario)
    tree = plotting.plot_tree(analysis.path_steps(scenario))
    assert sum(r[1] for r in leaves(tree)) == pytest.approx(1)
    assert len(leaves(tree)) == len(table)
    sunburst_checks(plotting.plot_paths_sunburst(analysis.path_steps(scenario)), scenario)
    for frame, plot in [(analysis.outcome_distribution, plotting.plot_outcome_distribution),
                        (analysis.phase_marginals, plotting.plot_phase_marginals),
                        (analysis.expected_attributes, plotting.plot_expected_attributes)]:
        check_common(plot(frame(scenario)), axes="x")


# ------------------------------------------------------- uncertainty over the priors


@pytest.fixture(scope="module")
def samples(baseline):
    return analysis.sample_outcomes(baseline, n_draws=20_000, rng=3)


def test_priors_panel_has_one_density_per_uncertain_prior(baseline):
    fig = plotting.plot_priors(analysis.prior_densities(baseline))
    check_common(fig, axes="")
    marginals = analysis.prior_marginals(baseline)
    densities = traces(fig, "density")
    assert [t.meta["key"] for t in densities] == list(marginals["key"])
    assert len(traces(fig, "interval")) == len(marginals) == len(traces(fig, "mean"))
    for trace, row in zip(densities, marginals.itertuples(index=False), strict=True):
        assert 0 <= min(trace.x) and max(trace.x) <= 1
        assert (np.asarray(trace.y) >= 0).all()
        # the curve is the Beta's density, and it integrates to about 1 where drawn
        assert np.trapezoid(trace.y, trace.x) == pytest.approx(1, abs=0.01)
        for claim in row.cite.split(", "):
            assert claim in trace.hovertemplate
        assert row.key not in trace.hovertemplate  # the reader's words, not the file's keys
    hover = densities[0].hovertemplate
    assert hover.startswith("<b>Ceasefire: Holds</b>")
    shaded = traces(fig, "interval")[0]
    assert shaded.fill == "tozeroy"
    holds = marginals.set_index("key").loc["ceasefire.holds"]
    assert min(shaded.x) == pytest.approx(holds["lower"]) and max(shaded.x) == pytest.approx(
        holds["upper"])
    assert fig.layout.title.text == "Priors — baseline"
    assert "90% interval" in fig.layout.title.subtitle.text


def test_priors_panel_of_a_scenario_without_uncertain_priors(tiny):
    fig = plotting.plot_priors(analysis.prior_densities(tiny))
    assert len(fig.data) == 0
    assert "fixed" in fig.layout.annotations[0].text


def test_outcome_intervals_chart(samples):
    summary = analysis.outcome_intervals(samples, interval=(0.5, 0.9))
    fig = plotting.plot_outcome_intervals(summary)
    check_common(fig)
    bars = traces(fig, "interval")
    assert len(bars) == 8
    for trace in bars:
        row = summary[(summary["outcome"] == trace.meta["outcome"])
                      & (summary["interval"] == trace.meta["interval"])].iloc[0]
        assert trace.x[0] == pytest.approx(row["mean"])
        assert trace.x[0] + trace.error_x.array[0] == pytest.approx(row["upper"])
        assert trace.x[0] - trace.error_x.arrayminus[0] == pytest.approx(row["lower"])
        assert trace.error_x.color == row["colour"] == trace.marker.color
    thick = {t.meta["interval"]: t.error_x.thickness for t in bars}
    assert thick[0.5] > thick[0.9]
    assert list(one(fig, "at_means").x) == pytest.approx(list(summary["at_means"][::2]))
    assert fig.layout.title.text == "Outcome probabilities with 50% and 90% intervals — baseline"
    assert "20,000 draws of the priors · seed 3" in fig.layout.title.subtitle.text
    assert fig.layout.xaxis.tickformat == ".0%"


def test_outcome_intervals_chart_needs_the_summary(baseline):
    with pytest.raises(ValueError, match="missing column"):
        plotting.plot_outcome_intervals(analysis.outcome_distribution(baseline))
    with pytest.raises(TypeError, match="expected a pandas DataFrame"):
        plotting.plot_outcome_intervals([1, 2])


def test_outcome_draws_chart(samples, baseline):
    fig = plotting.plot_outcome_draws(analysis.outcome_histogram(samples, n_bins=30),
                                     analysis.outcome_intervals(samples))
    check_common(fig, axes="")
    histograms = traces(fig, "histogram")
    assert [t.meta["outcome"] for t in histograms] == list(baseline.model.outcomes)
    for trace in histograms:
        assert trace.marker.color == baseline.model.outcomes[trace.meta["outcome"]].colour
        # densities times widths: the shares of the draws, which sum to 1
        assert np.dot(trace.y, trace.width) == pytest.approx(1)
    assert len(traces(fig, "marks")) == 3 * len(histograms)
    assert fig.layout.title.text == "Outcome probabilities across draws — baseline"


def test_attribute_cdf_chart(samples, baseline):
    fig = plotting.plot_attribute_cdf(analysis.attribute_ecdf(samples),
                                      analysis.attribute_intervals(samples))
    check_common(fig, axes="")
    curves = traces(fig, "ecdf")
    assert [t.meta["attribute"] for t in curves] == list(baseline.model.attributes)
    summary = analysis.attribute_intervals(samples).set_index("attribute")
    for curve, marks in zip(curves, traces(fig, "marks"), strict=True):
        assert (np.diff(curve.y) >= 0).all() and curve.y[-1] == 1
        row = summary.loc[curve.meta["attribute"]]
        assert list(marks.x) == pytest.approx([row["lower"], row["median"], row["upper"]])
    units = [a.unit for a in baseline.model.attributes.values()]
    assert [fig.layout[f"xaxis{'' if i == 0 else i + 1}"].title.text for i in range(3)] == units


def test_sample_charts_need_sample_frames(samples, baseline):
    for plot, table, intervals in [
            (plotting.plot_outcome_draws, analysis.outcome_histogram, analysis.outcome_intervals),
            (plotting.plot_attribute_cdf, analysis.attribute_ecdf, analysis.attribute_intervals)]:
        with pytest.raises(TypeError, match="expected a pandas DataFrame from analysis"):
            plot(samples, intervals(samples))
        with pytest.raises(ValueError, match="missing column"):
            plot(analysis.outcome_distribution(baseline), intervals(samples))
        with pytest.raises(ValueError, match="missing column"):
            plot(table(samples), analysis.outcome_distribution(baseline))


def test_attribute_cdf_without_attributes(tmp_path):
    path = tmp_path / "plain.yaml"
    path.write_text(TINY.replace("attributes:\n  cost: {label: Cost, unit: dollars}\n", "")
                    .replace(", attributes: {cost: 10}", "")
                    .replace("badly: {attributes: {cost: 5}}", "badly: {}"))
    scenario = analysis.load_scenario(path)
    assert not scenario.model.attributes
    draws = analysis.sample_outcomes(scenario, n_draws=100, rng=1)
    fig = plotting.plot_attribute_cdf(analysis.attribute_ecdf(draws),
                                      analysis.attribute_intervals(draws))
    assert "no attributes" in fig.layout.annotations[0].text


@pytest.mark.parametrize("name", plotting.__all__)
def test_every_chart_shows_the_frames_text_as_written(name):
    """Each chart escapes its frames' text first (plotting.style.plain_frame), itself or in
    the module's reader of its frame (``_read_...``)."""
    import inspect

    chart = getattr(plotting, name)
    source = inspect.getsource(chart)
    module = inspect.getmodule(chart)
    readers = [helper for helper in vars(module) if helper.startswith("_read_")
               and f"{helper}(" in source]
    assert "plain_frame(" in source or any(
        "plain_frame(" in inspect.getsource(getattr(module, helper)) for helper in readers)
