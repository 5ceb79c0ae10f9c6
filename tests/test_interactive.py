"""The live panel, driven from code: the same calls its sliders and toggles make.

The panel in a real JupyterLab and browser is tested in ``test_lab.py``.
"""

import json

import pytest
import yaml
from conftest import DATA_DIR

import analysis
from analysis.interactive import CHARTS, Explorer, explore, overrides_text

SCENARIOS = [*analysis.scenario_names(), str(DATA_DIR / "two_outcomes.yaml")]


@pytest.fixture(scope="module")
def panel():
    return explore(analysis.load_scenario("baseline"), n_draws=2_000)


def _probabilities(scenario, given=None):
    return analysis.outcome_distribution(scenario, given=given)["probability"].tolist()


@pytest.mark.parametrize("name", SCENARIOS, ids=lambda n: n.rsplit("/", 1)[-1])
def test_every_scenario_explores_and_its_overrides_reproduce_it(name):
    scenario = analysis.load_scenario(name)
    panel = explore(scenario, n_draws=500)
    assert set(panel.figures) == set(CHARTS)
    first = panel.tables["outcomes"]["probability"].tolist()
    assert first == _probabilities(scenario)
    controls = panel.widget.controls
    key = controls["priors"][0]["branches"][0]["key"]
    chance = controls["given"][0]
    names = panel.set(means={key: 0.93}, given={chance["phase"]: chance["options"][1][0]})
    assert names == ["outcomes", "attributes", "tree", "intervals"]
    moved = panel.tables["outcomes"]["probability"].tolist()
    assert moved != first
    # What the copy button gives, run as the parameters cell would, gives the same numbers.
    namespace = {}
    exec(panel.overrides_text, namespace)
    rerun = scenario.with_priors(namespace["PRIOR_OVERRIDES"])
    if "DECISIONS" in namespace:
        rerun = rerun.with_decisions(namespace["DECISIONS"])
    assert _probabilities(rerun, given=panel.given) == moved


def test_a_drag_redraws_the_exact_charts_and_a_release_the_intervals(panel):
    panel.reset()
    intervals = panel.figures["intervals"]
    names = panel.set(means={"ceasefire.holds": 0.95}, final=False)
    assert names == ["outcomes", "attributes", "tree"]
    assert panel.figures["intervals"] is intervals
    assert panel.overrides == {"ceasefire.holds": {"alpha": 10.45, "beta": 0.55}}
    assert "ceasefire.holds = {alpha: 10.45, beta: 0.55}" in \
        panel.figures["outcomes"].layout.title.subtitle.text
    assert panel.set(final=True)[-1] == "intervals"
    assert panel.tables["intervals"].attrs["changes"] == ["ceasefire.holds = "
                                                          "{alpha: 10.45, beta: 0.55}"]


def test_a_dirichlet_share_moves_its_siblings_in_proportion(panel):
    panel.reset()
    panel.set(means={"exchanges.complete": 0.8}, final=False)
    assert panel.means["exchanges.partial"] == pytest.approx(0.16)
    assert panel.means["exchanges.breaks_down"] == pytest.approx(0.04)
    assert sum(panel.overrides[f"exchanges.{b}"]["concentration"]
               for b in ("complete", "partial", "breaks_down")) == pytest.approx(10)


def test_a_setting_that_cannot_be_drawn_is_undone_and_said(panel):
    panel.reset()
    before = panel.tables["outcomes"].copy()
    assert panel.set(given={"ceasefire": "collapses", "exchanges": "complete"}) == []
    assert "probability 0" in panel.error
    assert panel.given == {} and panel.tables["outcomes"].equals(before)
    assert panel.set(means={"ceasefire.hold": 0.5}) == []
    assert "did you mean 'ceasefire.holds'" in panel.error
    assert panel.set(given={"exchanges": "complete"}) and panel.error is None
    assert panel.set(given={"exchanges": ""}) and panel.given == {}


def test_decisions_are_toggles_and_are_copied_as_decisions():
    mediation = analysis.load_scenario("mediation")
    panel = explore(mediation, n_draws=500)
    [decision] = panel.widget.controls["decisions"]
    other = next(o for o, _ in decision["options"] if o != decision["value"])
    panel.set(decisions={decision["phase"]: other})
    assert f'DECISIONS = {{"{decision["phase"]}": "{other}"}}' in panel.overrides_text
    assert panel.tables["outcomes"]["probability"].tolist() == _probabilities(
        mediation.with_decisions({decision["phase"]: other}))


def test_the_front_end_protocol(panel):
    panel.reset()
    sent = []
    panel.widget.send = sent.append
    panel._on_message(panel.widget, {"event": "hello", "plotly": True}, [])
    assert [m["event"] for m in sent] == ["pong", "plotly", "state"]
    assert "plotly.js v" in sent[1]["source"][:2000]
    assert set(sent[2]["figures"]) == set(CHARTS) and sent[2]["seq"] == 0
    assert json.loads(sent[2]["figures"]["outcomes"])["data"][0]["type"] == "bar"
    sent.clear()
    panel._on_message(panel.widget, {"event": "change", "seq": 7, "final": False,
                                     "delta": {"strengths": {"ceasefire": 50}}}, [])
    first, state = sent  # the outcome bars at once, then the slower charts
    assert (first["event"], first["seq"], first["partial"]) == ("state", 7, True)
    assert set(first["figures"]) == {"outcomes"}
    assert (state["event"], state["seq"], state.get("partial")) == ("state", 7, None)
    assert set(state["figures"]) == {"attributes", "tree"}
    assert state["strengths"]["ceasefire"] == 50
    assert panel.widget.settings["strengths"]["ceasefire"] == 50
    assert state["overrides_text"].startswith("PRIOR_OVERRIDES = {\n    \"ceasefire.holds\"")
    sent.clear()
    panel._on_message(panel.widget, {"event": "reset"}, [])
    assert sent[0]["overrides_text"] == "PRIOR_OVERRIDES = {\n}"


def test_saved_widget_state_holds_no_charts_and_no_plotly_js(panel):
    state = {k: v for k, v in panel.widget.get_state().items() if k != "_esm"}
    text = json.dumps(state)
    assert len(text) < 20_000
    assert "plotly.js" not in text and '"data"' not in text


def test_the_snapshot_says_it_is_static_and_carries_every_chart(panel):
    panel.reset()
    panel.set(means={"ceasefire.holds": 0.9})
    bundle = panel._snapshot_bundle()
    page = bundle["text/html"]
    assert 'class="dealtree-explore-snapshot"' in page
    assert "need a running kernel" in page and "the live panel's last state" in page
    assert "<li>Ceasefire: Holds: mean 90.0% (the file: 81.8%)</li>" in page
    assert "PRIOR_OVERRIDES" not in page  # readers see words, not code
    assert page.count('<script type="application/json">') == len(CHARTS)
    assert "</script>" not in page.split('<script type="application/json">')[1].split(
        "</script>")[0]
    assert "Renewed war" in bundle["text/plain"]


def test_a_tree_too_large_to_draw_live_says_so(tmp_path):
    phases = [{"id": f"p{k}", "question": f"Question {k}?",
               "branches": {f"b{b}": {"prior": {"concentration": 1 + b}} for b in range(8)}}
              for k in range(3)]
    doc = {"id": "wide", "title": "Wide", "as_of": "2025-01-01",
           "outcomes": {"one": {"label": "One", "colour": "#1b9e77"}},
           "phases": phases, "outcome_rules": [{"outcome": "one"}]}
    path = tmp_path / "wide.yaml"
    path.write_text(yaml.safe_dump(doc))
    panel = explore(analysis.load_scenario(path), n_draws=200)
    tree = panel.figures["tree"]
    assert "512 paths: too many to draw live" in tree.layout.annotations[0].text
    panel.set(given={"p0": "b1", "p1": "b2"})
    assert panel.figures["tree"].data  # 8 paths: drawn


def test_explore_takes_a_scenario():
    with pytest.raises(TypeError, match="expected a Scenario"):
        Explorer("baseline")


def test_overrides_text_is_python_that_gives_back_the_values():
    text = overrides_text({"a.b": {"alpha": 0.1, "beta": 3.0}, "c.d": 0.25},
                          given={"x": "y"})
    namespace = {}
    exec(text, namespace)
    assert namespace["PRIOR_OVERRIDES"] == {"a.b": {"alpha": 0.1, "beta": 3.0}, "c.d": 0.25}
    assert "# explored given" in text


def test_a_scenario_updated_on_evidence_explores_without_prior_intervals():
    posterior = analysis.update_scenario(analysis.load_scenario("baseline"), "gaza_2025")
    panel = explore(posterior, n_draws=200)
    assert panel.error is None and "intervals" not in panel.tables
    assert "cannot weight them by evidence" in panel.figures["intervals"].layout.annotations[0].text
    panel.set(means={"exchanges.complete": 0.2})
    namespace = {}
    exec(panel.overrides_text, namespace)
    assert panel.tables["outcomes"]["probability"].tolist() == _probabilities(
        posterior.with_priors(namespace["PRIOR_OVERRIDES"]))
