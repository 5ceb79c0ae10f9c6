"""Watchlists: the format, hand-computed moves of each signpost, links from evidence."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from conftest import marked_line, problem_at
from test_scoring import TWO

import analysis
from analysis import ScenarioError, load_signposts, signposts_table, watch_table
from analysis.formats.signposts_file import signposts_json_schema

ROOT = Path(__file__).resolve().parent.parent

WATCHLIST = textwrap.dedent("""\
    id: test_watch
    title: Test watchlist
    signposts:
      - id: going_well
        watch: Signs that the middle goes well
        written: 2025-01-01
        phase: middle
        likelihoods: {well: 3}
        otherwise: 0.5
        cite: [ceasefire-facts.truce-2008-06]
        rationale: Favours well.
      - id: halting
        watch: Signs of a halt
        written: 2025-01-01
        phase: start
        likelihoods: {halt: 2}
        cite: [ceasefire-facts.truce-2008-06]
        rationale: Favours halt.
    """)


@pytest.fixture
def two(write_yaml):
    return analysis.load_scenario(write_yaml(TWO, "two.yaml"))


def test_watch_table_by_hand(two, write_yaml):
    table = watch_table(two, write_yaml(WATCHLIST, "watch.yaml"))
    # before: good 0.36, meh 0.12, war 0.52. going_well multiplies go-well by 3 and the halt
    # path (never reaches middle) by 0.5: 1.08 + 0.12 + 0.12 + 0.2 = 1.52
    first = table[table["rank"] == 1].set_index("outcome")
    assert first["signpost"].iloc[0] == "going_well"
    assert first["before"].tolist() == pytest.approx([0.36, 0.12, 0.52])
    assert first["after"].tolist() == pytest.approx([1.08 / 1.52, 0.12 / 1.52, 0.32 / 1.52])
    assert first.loc["good", "change"] == pytest.approx(1.08 / 1.52 - 0.36)
    assert first["largest"].iloc[0] == pytest.approx(1.08 / 1.52 - 0.36)
    assert first["favours"].iloc[0] == "well"
    # halting: halt ×2: total 1.4, war (0.12 + 0.8) / 1.4
    second = table[table["rank"] == 2].set_index("outcome")
    assert second.loc["renewed_war", "after"] == pytest.approx(0.92 / 1.4)
    assert second["largest"].iloc[0] == pytest.approx(0.92 / 1.4 - 0.52)
    assert table.attrs["signposts"] == "test_watch"


def test_watch_table_agrees_with_updating_on_the_same_item(two, write_yaml):
    path = write_yaml(WATCHLIST, "watch.yaml")
    log = write_yaml(textwrap.dedent("""\
        id: same
        title: The same report as the signpost
        items:
          - id: report
            date: 2025-02-01
            title: Going well
            cite: [ceasefire-facts.truce-2008-06]
            phase: middle
            likelihoods: {well: 3}
            otherwise: 0.5
        """), "log.yaml")
    posterior = analysis.outcome_distribution(analysis.update_scenario(two, log))
    first = watch_table(two, path).query("rank == 1")
    assert first["after"].tolist() == pytest.approx(posterior["probability"].tolist())


def test_signposts_table(write_yaml):
    table = signposts_table(write_yaml(WATCHLIST, "watch.yaml"))
    assert table["likelihoods"].iloc[0] == ("well ×3, other branches ×1, phase not reached "
                                            "×0.5")
    assert table["favours"].tolist() == ["well", "halt"]


def expect_problem(path, location, *fragments, call=load_signposts):
    with pytest.raises(ScenarioError) as caught:
        call(path)
    problem = problem_at(caught.value, location)
    assert problem.file == str(path)
    text = Path(path).read_text()
    if "# <-" in text:
        assert problem.line == marked_line(text), str(problem)
    for fragment in fragments:
        assert fragment in problem.message, problem.message


@pytest.mark.parametrize(("edit", "location", "fragments"), [
    (("cite: [ceasefire-facts.truce-2008-06]\n    rationale: Favours well.",
      "cite: [ceasefire-facts.truce-2025-10]  # <-\n    rationale: Favours well."),
     "signposts[0].cite[0]", ["dated 2026-07-02, after this entry's written 2025-01-01"]),
    (("likelihoods: {well: 3}", "likelihoods: {well: 0}  # <-"),
     "signposts[0].likelihoods.well", ["expected a number > 0"]),
    (("    rationale: Favours halt.\n", ""), "signposts[1].rationale",
     ["missing required key"]),
    (("  - id: halting", "  - id: going_well  # <-"), "signposts[1].id",
     ["duplicate id 'going_well'"]),
])
def test_each_file_rule_is_reported(write_yaml, edit, location, fragments):
    path = write_yaml(WATCHLIST.replace(*edit), "watch.yaml")
    expect_problem(path, location, *fragments)


@pytest.mark.parametrize(("edit", "location", "fragments"), [
    (("phase: middle", "phase: midle  # <-"), "signposts[0].phase",
     ["unknown phase 'midle'", "did you mean 'middle'"]),
    (("likelihoods: {halt: 2}", "likelihoods: {hlt: 2}  # <-"), "signposts[1].likelihoods.hlt",
     ["phase 'start' has no branch 'hlt'"]),
])
def test_each_scenario_rule_is_reported(two, write_yaml, edit, location, fragments):
    path = write_yaml(WATCHLIST.replace(*edit), "watch.yaml")
    expect_problem(path, location, *fragments, call=lambda p: watch_table(two, p))


LOG = textwrap.dedent("""\
    id: linked
    title: Linked log
    items:
      - id: report
        date: {date}
        title: A halt looms
        cite: [ceasefire-facts.truce-2008-06]
        phase: start
        likelihoods: {{halt: 2}}
        signpost: {signpost}  # <-
    """)


def test_evidence_links_resolve_signposts(two, write_yaml):
    watch = write_yaml(WATCHLIST, "watch.yaml")
    log = write_yaml(LOG.format(date="2025-02-01", signpost="halting"), "log.yaml")
    table = watch_table(two, watch, evidence=log)
    assert set(table.loc[table["signpost"] == "halting", "seen_in"]) == {"report"}
    assert set(table.loc[table["signpost"] == "going_well", "seen_in"]) == {""}
    # the moves are from the posterior now
    posterior = analysis.outcome_distribution(analysis.update_scenario(two, log))
    assert table.drop_duplicates("outcome")["before"].tolist() == pytest.approx(
        posterior["probability"].tolist())


@pytest.mark.parametrize(("date", "signpost", "fragments"), [
    ("2025-02-01", "haltin", ["unknown signpost 'haltin'", "did you mean 'halting'"]),
    ("2025-01-01", "halting", []),
])
def test_bad_links_are_located(two, write_yaml, date, signpost, fragments):
    watch = write_yaml(WATCHLIST.replace("written: 2025-01-01\n    phase: start",
                                         "written: 2025-03-01\n    phase: start"),
                       "watch.yaml")
    log = write_yaml(LOG.format(date=date, signpost=signpost), "log.yaml")
    if not fragments:  # written after the item: hindsight
        fragments = ["written on 2025-03-01, after this item (2025-01-01)"]
    expect_problem(log, "items[0].signpost", *fragments,
                   call=lambda p: watch_table(two, watch, evidence=p))


def test_the_flagship_watchlist():
    watchlist = load_signposts("gaza_2025")
    baseline = analysis.load_scenario("baseline")
    assert len(watchlist.signposts) >= 7
    for signpost in watchlist.signposts:
        assert signpost.written <= baseline.model.as_of
        assert re.match(r"Favours ", signpost.rationale), signpost.id
    table = watch_table(baseline, watchlist)
    largest = table.drop_duplicates("signpost")["largest"].tolist()
    assert largest == sorted(largest, reverse=True) and largest[0] > 0.05
    phases = set(table["phase"])
    # every phase but the ceasefire's 72-hour window, settled before a signpost could be seen
    assert phases == set(baseline.phases) - {"ceasefire"}
    after = watch_table(baseline, watchlist, evidence="gaza_2025").drop_duplicates("signpost")
    assert after.set_index("signpost").loc["weekly_deaths_above_100", "seen_in"] == \
        "strikes_october_28"


def test_json_schema_file_is_current():
    stored = (ROOT / "scenarios" / "signposts" / "signposts.schema.json").read_text()
    assert stored == signposts_json_schema(), "run `make schema`"


def test_readme_example_loads(tmp_path):
    text = (ROOT / "scenarios" / "signposts" / "README.md").read_text()
    example = re.search(r"```yaml\n(schema_version.*?)```", text, re.S).group(1)
    path = tmp_path / "example.yaml"
    path.write_text(example)
    table = watch_table(analysis.load_scenario("baseline"), load_signposts(path))
    assert table["signpost"].unique().tolist() == ["troops_deploy"]
