"""An evidence item's ``favours:`` is checked against its likelihood ratios."""

from __future__ import annotations

import pytest

from analysis import ScenarioError, load_evidence

LOG = """\
id: log
title: Planted log
items:
  - id: report
    date: 2026-01-01
    title: A report
    phase: governance
    likelihoods: {likelihoods}
    favours: {favours}
    cite: [ceasefire-facts.outcome-2025-11-17-unsc-2803]
    rationale: A report.
"""


@pytest.mark.parametrize("likelihoods, favours", [
    ("{implemented: 0.2, partial: 1, collapses: 1}", "[partial, collapses]"),
    ("{collapses: 2}", "[collapses]"),  # the branches not listed count as 1
    ("{implemented: 1.5, partial: 1.2, collapses: 1}", "[implemented]"),
])
def test_favours_that_match_the_ratios_load(tmp_path, likelihoods, favours):
    path = tmp_path / "log.yaml"
    path.write_text(LOG.format(likelihoods=likelihoods, favours=favours), encoding="utf-8")
    assert load_evidence(path).items[0].favours


@pytest.mark.parametrize("likelihoods, favours, index, fragment", [
    # the old coding of a refusal to disarm: collapse at 1, partial at 1.5
    ("{implemented: 0.3, partial: 1.5}", "[partial, collapses]", 1,
     "favours 'collapses', which has no likelihood"),
    ("{implemented: 0.3, partial: 1.5, collapses: 1}", "[collapses]", 0,
     "favours 'collapses' but its ratio 1 is not above 1.5"),
    ("{implemented: 1}", "[implemented]", 0, "its ratio 1 is not above 1"),
])
def test_favours_that_the_ratios_contradict_are_refused(tmp_path, likelihoods, favours, index,
                                                        fragment):
    path = tmp_path / "log.yaml"
    path.write_text(LOG.format(likelihoods=likelihoods, favours=favours), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_evidence(path)
    [problem] = info.value.problems
    assert problem.file == str(path) and problem.line == 9
    assert problem.location == f"items[0].favours[{index}]"
    assert fragment in problem.message


def test_favours_only_with_likelihoods(tmp_path):
    path = tmp_path / "log.yaml"
    path.write_text(LOG.replace("    phase: governance\n", "").replace(
        "likelihoods: {likelihoods}", "observed: {{governance: partial}}").format(
        favours="[partial]"), encoding="utf-8")
    with pytest.raises(ScenarioError, match="favours goes only with likelihoods"):
        load_evidence(path)


def test_every_likelihood_item_of_the_flagship_says_what_it_favours():
    log = load_evidence("gaza_2025")
    soft = [item for item in log.items if item.kind == "likelihood"]
    assert soft and all(item.favours for item in soft)
    refusal = next(item for item in log.items if item.id == "decommissioning_refused")
    # evidence against implementation, not against war
    assert refusal.likelihoods["collapses"] >= refusal.likelihoods["partial"]
    assert refusal.likelihoods["implemented"] < refusal.likelihoods["collapses"]
