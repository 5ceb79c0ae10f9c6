"""The notebooks' computed sentences say what the numbers say, for any scenario.

Guards against the texts the flagship's review found: a prior's words that
contradict its mean, "the best option everywhere" where it is best in one
situation of several, and the scenario's date misnamed.
"""

from __future__ import annotations

import pandas as pd
import pytest

import analysis
from analysis import narrative

NO_SWITCHES = pd.DataFrame({"in_interval": pd.Series([], dtype=bool)})


def _summary(scenario, decision_maker: str) -> str:
    result = analysis.rollback(scenario, decision_maker=decision_maker)
    who = scenario.model.stakeholders[decision_maker].label
    return str(narrative.decisions_summary(result, who=who, unit="points",
                                           best=result.best_options, switches=NO_SWITCHES,
                                           n_priors=0, evpi=None, by_group=None)), result


def test_a_best_option_that_varies_is_named_situation_by_situation():
    mediation = analysis.load_scenario("mediation")
    text, result = _summary(mediation, "mediators")
    chosen = result.chosen_options()
    assert len(set(chosen.values())) > 1  # the force is best in one situation of three
    assert "in every situation**" not in text and "depends on the situation" in text
    first = text.splitlines()[0]
    assert first.count(" after ") == len(chosen)
    assert first.count("Stabilization force after") == sum(
        o == "stabilization_force" for o in chosen.values())


def test_one_best_option_everywhere_is_said_so():
    mediation = analysis.load_scenario("mediation")
    # with the force made more effective at the line and after a
    # partial exchange, it is their best option in every situation
    cheap = mediation.with_priors({
        "governance.force_at_the_line.implemented": {"concentration": 6},
        "governance.force_after_partial_exchange.implemented": {"concentration": 6}})
    text, result = _summary(cheap, "mediators")
    assert set(result.chosen_options().values()) == {"stabilization_force"}
    assert "best option is Stabilization force in every situation**" in text


def test_the_introduction_gives_the_scenario_date_not_a_source_date():
    impasse = analysis.load_scenario("disarmament_impasse")
    text = str(narrative.introduction(impasse))
    assert f"judged as of {impasse.model.as_of.isoformat()}." in text
    dates = {c.date for doc in analysis.load_seeds().values() for c in doc.claims}
    assert "2025-09" in dates  # an undated article, placed in September 2025
    assert "2025-09" not in text


def test_a_counts_prior_is_shown_with_its_mean_not_its_raw_share():
    baseline = analysis.load_scenario("baseline")
    table = baseline.priors_table().set_index("key")
    holds = table.loc["ceasefire.holds"]
    assert holds["kind"] == "counts" and holds["mean"] == pytest.approx(10 / 11)
    html = narrative.priors_table(baseline).to_html()
    assert "90.9%" in html and "100.0%" not in html
    assert "1 in 11" in holds["rationale"]  # the rationale says what the mean says


@pytest.mark.parametrize("share, words", [(0.62, "(62.0% of that value)"),
                                          (1.003, "(about all of that value, within Monte "
                                                  "Carlo error)")])
def test_a_share_of_the_value_of_information_never_exceeds_the_whole(share, words):
    mediation = analysis.load_scenario("mediation")
    result = analysis.rollback(mediation, decision_maker="mediators")
    by_group = pd.DataFrame({"label": ["Governance"], "evppi": [2.7], "standard_error": [0.04],
                             "share_of_evpi": [share]})
    text = str(narrative.decisions_summary(
        result, who="Mediators", unit="points", best=result.best_options,
        switches=NO_SWITCHES, n_priors=0, evpi=pd.Series({"evpi": 2.69, "standard_error": 0.04}),
        by_group=by_group))
    assert f"The priors most worth learning: Governance {words}." in text
