"""Citation discipline: claims carry dates, and nothing cites a claim from its future.

A prior may cite only claims dated no later than its scenario's ``as_of``; an
evidence item or a resolution only claims dated no later than itself. Each
refusal names the file, the place, the claim, its date and the limit.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest
from conftest import HEADER

from analysis import ScenarioError, load_evidence, load_resolutions, load_scenario, load_seeds
from analysis.formats.seeds import claim_dates, known_by

SOURCES = """\
id: notes
title: Planted notes
published: "2025-06"
claims:
  - id: notes.before
    statement: Known early.
    date: "2024-12-31"
  - id: notes.month
    statement: Known some day in January 2025.
    date: "2025-01"
  - id: notes.after
    statement: Known only later.
    date: "2025-03-02"
    note: Our own comment, kept apart from the claim.
"""


@pytest.fixture
def project(tmp_path) -> Path:
    """A folder with ``seeds/`` (the planted claims) and ``scenarios/`` beside it."""
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "notes.yaml").write_text(SOURCES, encoding="utf-8")
    (tmp_path / "scenarios").mkdir()
    return tmp_path


def _scenario(project: Path, claim: str, where: str = "prior") -> Path:
    cite = f"cite: [{claim}]"
    prior = f"{{value: 0.5, {cite}}}" if where == "prior" else "{value: 0.5}"
    duration = (f"\n        duration: {{distribution: fixed, mean: 3, unit: days, {cite}}}"
                if where == "duration" else "")
    text = HEADER + textwrap.dedent(f"""\
        phases:
          - id: first
            question: First?
            branches:
              x:
                prior: {prior}
                outcome: good""") + duration + "\n      y:\n        outcome: bad" + (
        "\n        duration: {distribution: fixed, mean: 3, unit: days}" if duration else "") + "\n"
    path = project / "scenarios" / "mine.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_claims_keep_their_dates_and_notes(project):
    doc = load_seeds(project / "seeds")["notes"]
    assert [c.date for c in doc.claims] == ["2024-12-31", "2025-01", "2025-03-02"]
    assert doc.claims[2].note.startswith("Our own comment")
    assert claim_dates(project / "seeds")["notes.after"] == "2025-03-02"


def test_a_month_counts_from_its_first_day():
    assert known_by("2025-01", dt.date(2025, 1, 1))
    assert not known_by("2025-02", dt.date(2025, 1, 31))
    assert known_by("2024", dt.date(2024, 1, 1)) and not known_by("2025", dt.date(2024, 12, 31))


def test_undated_claim_is_refused(tmp_path):
    folder = tmp_path / "seeds"
    folder.mkdir()
    path = folder / "notes.yaml"
    path.write_text(SOURCES.replace('    date: "2025-01"\n', ""), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_seeds(folder)
    [problem] = info.value.problems
    assert problem.file == str(path)
    assert problem.location == "claims[1].date"
    assert problem.line == 8  # the claim's own line
    assert "missing required key 'date'" in problem.message


@pytest.mark.parametrize("claim", ["notes.before", "notes.month"])
def test_prior_may_cite_what_was_known_at_as_of(project, claim):
    assert load_scenario(_scenario(project, claim)).id == "test"  # as_of 2025-01-01


@pytest.mark.parametrize("where, location", [
    ("prior", "phases[0].branches.x.prior.cite[0]"),
    ("duration", "phases[0].branches.x.duration.cite[0]"),
])
def test_prior_citing_a_later_claim_is_refused(project, where, location):
    path = _scenario(project, "notes.after", where)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    [problem] = info.value.problems
    assert problem.file == str(path)
    assert problem.location == location
    assert problem.line is not None
    for part in ("'notes.after'", "dated 2025-03-02", "as_of 2025-01-01"):
        assert part in problem.message


def test_variant_prior_is_checked_against_the_variant_date(project):
    _scenario(project, "notes.before")
    variant = project / "scenarios" / "later.yaml"
    text = textwrap.dedent("""\
        extends: mine.yaml
        id: later
        title: A later view
        as_of: {as_of}
        priors:
          first.x: {{value: 0.4, cite: [notes.after]}}
        """)
    variant.write_text(text.format(as_of="2025-02-01"), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(variant)
    [problem] = info.value.problems
    assert problem.file == str(variant)
    assert problem.location == "priors.first.x.cite[0]"
    assert "as_of 2025-02-01" in problem.message
    variant.write_text(text.format(as_of="2025-03-02"), encoding="utf-8")
    assert load_scenario(variant).model.as_of == dt.date(2025, 3, 2)


EVIDENCE = """\
id: log
title: Planted log
items:
  - id: early
    date: {date}
    title: An early report
    phase: first
    likelihoods: {{x: 2}}
    cite: [notes.after]
    rationale: A report.
"""


def test_evidence_item_citing_a_later_claim_is_refused(project):
    path = project / "log.yaml"
    path.write_text(EVIDENCE.format(date="2025-03-01"), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_evidence(path, seeds_dir=project / "seeds")
    [problem] = info.value.problems
    assert problem.file == str(path) and problem.location == "items[0].cite[0]"
    assert "dated 2025-03-02, after this entry's date 2025-03-01" in problem.message
    path.write_text(EVIDENCE.format(date="2025-03-02"), encoding="utf-8")
    assert load_evidence(path, seeds_dir=project / "seeds").items[0].id == "early"


RESOLUTIONS = """\
id: res
title: Planted resolutions
questions:
  - id: q
    question: Will x happen?
    criteria: The first phase takes branch x.
    resolver: The planted notes.
    opens: 2025-01-01
    deadline: 2025-12-31
    phase: first
    answer:
      value: x
      resolved_on: {date}
      cite: [notes.after]
      rationale: It did.
"""


def test_resolution_may_cite_up_to_its_resolution_date(project):
    path = project / "res.yaml"
    path.write_text(RESOLUTIONS.format(date="2025-03-02"), encoding="utf-8")
    assert load_resolutions(path, seeds_dir=project / "seeds").questions[0].id == "q"
    path.write_text(RESOLUTIONS.format(date="2025-02-28"), encoding="utf-8")
    with pytest.raises(ScenarioError, match="after this entry's resolved_on 2025-02-28"):
        load_resolutions(path, seeds_dir=project / "seeds")


@pytest.mark.parametrize("name", ["baseline", "mediation", "disarmament_impasse"])
def test_shipped_scenarios_cite_only_what_was_known_at_as_of(name):
    scenario = load_scenario(name)
    dates = claim_dates()
    cited = {c.strip() for cell in scenario.priors_table()["cite"] for c in cell.split(",")
             if c.strip()}
    assert cited and all(known_by(dates[c], scenario.model.as_of) for c in cited)
