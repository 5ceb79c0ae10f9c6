"""Reference classes: each class's base rate, their weighted combination, and the chart.

Numbers are checked against hand counts on planted cases and, for the
combination's interval, against the mixture's CDF computed independently.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from analysis import (
    ScenarioError,
    base_rate_by_class,
    load_reference_classes,
    reference_class_rates,
)
from analysis.plotting import plot_base_rate_by_class

SOURCES = """\
id: cases
title: Planted earlier cases
published: "2024-01"
claims:
  - id: cases.a
    statement: Ended after 10 days.
    date: "2020-01"
    topics: [reference-class]
    data: {days: 10, ended: true}
  - id: cases.b
    statement: Ended after 400 days.
    date: "2021-01"
    topics: [reference-class]
    data: {days: 400, ended: true}
  - id: cases.c
    statement: Still open after 100 days.
    date: "2022-01"
    topics: [reference-class]
    data: {days: 100, ended: false}
  - id: cases.d
    statement: A phased case that ended after 50 days.
    date: "2023-01"
    topics: [reference-class]
    data: {days: 50, ended: true, phased: true}
  - id: cases.e
    statement: A later phased case, still open.
    date: "2025-01"
    topics: [reference-class]
    data: {days: 30, ended: false, phased: true}
  - id: cases.study
    statement: A study found 3 of 4 relapsed.
    date: "2019"
"""

SPEC = """\
id: planted
title: Planted classes
as_of: 2024-06-01
horizon_days: 365
classes:
  - id: three
    label: Three cases
    weight: 1
    cases: [cases.a, cases.b, cases.c]
  - id: phased
    label: Phased cases
    weight: 1
    where: {phased: true}
  - id: study
    label: A study
    weight: 2
    published: {events: 3, cases: 4}
    cite: [cases.study]
"""


@pytest.fixture
def folder(tmp_path) -> Path:
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "cases.yaml").write_text(SOURCES, encoding="utf-8")
    (tmp_path / "classes.yaml").write_text(SPEC, encoding="utf-8")
    return tmp_path


def test_each_class_counts_its_cases(folder):
    rates = reference_class_rates(folder / "classes.yaml", seeds_dir=folder / "seeds")
    rows = rates.set_index("class")
    # three: a ended within a year, b lasted beyond it, c is open before it (left out)
    assert rows.loc["three", ["cases", "events", "left_out"]].tolist() == [2, 1, 1]
    assert rows.loc["three", "rate"] == pytest.approx(0.5)  # Beta(2, 2)
    low, high = stats.beta.ppf([0.05, 0.95], 2, 2)
    assert rows.loc["three", ["lower", "upper"]].tolist() == pytest.approx([low, high])
    # phased: d only; e is dated after as_of, so the 'where' class leaves it out
    assert rows.loc["phased", "claims"] == "cases.d"
    assert rows.loc["phased", "rate"] == pytest.approx(2 / 3)  # Beta(2, 1)
    assert rows.loc["study", "rate"] == pytest.approx(4 / 6)  # Beta(4, 2)
    assert rows["share_of_weight"].tolist() == pytest.approx([0.25, 0.25, 0.5, 1])


def test_the_combination_is_the_weighted_mixture(folder):
    rates = reference_class_rates(folder / "classes.yaml", seeds_dir=folder / "seeds")
    combined = rates.iloc[-1]
    assert combined["class"] == "combined"
    assert combined["rate"] == pytest.approx((0.5 + 2 / 3 + 2 * 4 / 6) / 4)

    def cdf(x):
        return (stats.beta.cdf(x, 2, 2) + stats.beta.cdf(x, 2, 1)
                + 2 * stats.beta.cdf(x, 4, 2)) / 4

    assert cdf(combined["lower"]) == pytest.approx(0.05, abs=1e-9)
    assert cdf(combined["upper"]) == pytest.approx(0.95, abs=1e-9)
    # distinct cases: a, b (answered), c (left out), d; plus the study's 4
    assert combined[["cases", "events", "left_out"]].tolist() == [3 + 4, 2 + 3, 1]
    assert not rates.isna().any().any()


def test_the_answer_by_class_chosen(folder):
    table = base_rate_by_class(folder / "classes.yaml", seeds_dir=folder / "seeds")
    rows = table.set_index("choice")
    assert list(rows.index) == ["three", "phased", "study", "weighted", "equal",
                                "without_three", "without_phased", "without_study"]
    weighted = (0.5 + 2 / 3 + 2 * 4 / 6) / 4
    assert rows.loc["weighted", "rate"] == pytest.approx(weighted)
    assert rows.loc["equal", "rate"] == pytest.approx((0.5 + 2 / 3 + 4 / 6) / 3)
    assert rows.loc["without_study", "rate"] == pytest.approx((0.5 + 2 / 3) / 2)
    assert rows.loc["three", "change"] == pytest.approx(0.5 - weighted)
    assert (rows["lower"] <= rows["rate"]).all() and (rows["rate"] <= rows["upper"]).all()


@pytest.mark.parametrize("change, location, fragment", [
    ("    weight: 2\n    published:", "classes[2]", "expected exactly one of cases"),
    ("cases: [cases.a, cases.b, cases.c]", "classes[0].cases[1]", "unknown claim 'cases.x'"),
    ("cite: [cases.study]", "classes[2].cite[0]", "after the file's as_of 2024-06-01"),
    ("  - id: phased", "classes[1].id", "duplicate class id 'three'"),
    ("cases: [cases.a, cases.b, cases.c]", "classes[0].cases[0]", "is not an earlier case"),
])
def test_bad_files_are_refused_with_located_messages(folder, change, location, fragment):
    text = {
        "classes[2]": SPEC.replace("    weight: 2\n", "    weight: 2\n    where: {phased: true}\n"),
        "classes[0].cases[1]": SPEC.replace(change, "cases: [cases.a, cases.x, cases.c]"),
        "classes[2].cite[0]": SPEC.replace(change, "cite: [cases.e]"),
        "classes[1].id": SPEC.replace(change, "  - id: three"),
        "classes[0].cases[0]": SPEC.replace(change, "cases: [cases.study, cases.b]"),
    }[location]
    path = folder / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_reference_classes(path, seeds_dir=folder / "seeds")
    problem = next(p for p in info.value.problems if p.location == location)
    assert problem.file == str(path) and problem.line is not None
    assert fragment in problem.message


def test_the_flagship_classes():
    rates = reference_class_rates("gaza_truces").set_index("class")
    # 9 closed truces; 5 ended within a year (7, 58, 147, 191, 275 days)
    assert rates.loc["all_truces", ["cases", "events"]].tolist() == [9, 5]
    # the phased exchanges known on 2025-10-09: November 2023 and January 2025
    assert rates.loc["phased_exchanges", "claims"] == (
        "ceasefire-facts.truce-2023-11, ceasefire-facts.truce-2025-01")
    assert rates.loc["conflict_recurrence", "rate"] == pytest.approx(160 / 261)


def test_chart_of_the_answer_by_class(folder):
    table = base_rate_by_class(folder / "classes.yaml", seeds_dir=folder / "seeds")
    fig = plot_base_rate_by_class(table)
    assert [t.meta["kind"] for t in fig.data] == ["alone", "weighted", "equal", "without"]
    assert fig.layout.xaxis.title.text == "Share of cases ending within 365 days (%)"
    assert fig.layout.title.text == "Base rate by reference class — Planted classes"
    alone = fig.data[0]
    assert np.allclose(alone.x, table.loc[table["kind"] == "alone", "rate"] * 100)
    assert "Against the weighted combination" in alone.hovertemplate
    with pytest.raises(ValueError, match="missing column"):
        plot_base_rate_by_class(table.drop(columns=["rate"]))


def test_notebook_settings_name_the_flagship_classes():
    from analysis import load_scenario
    from analysis.narrative.run import reference_classes_for

    assert reference_classes_for(load_scenario("baseline")).id == "gaza_truces"
    assert reference_classes_for(load_scenario("mediation")) is None


def test_summary_says_what_the_tables_hold(folder):
    from analysis import narrative

    spec = load_reference_classes(folder / "classes.yaml", seeds_dir=folder / "seeds")
    rates = reference_class_rates(spec, seeds_dir=folder / "seeds")
    text = str(narrative.reference_classes_summary(
        rates, base_rate_by_class(spec, seeds_dir=folder / "seeds")))
    assert "Weighted over 3 reference classes, 62.5% of comparable cases ended within 365 days" \
        in text
    assert "range from 50.0% (Three cases) to 66.7% (Phased cases)" in text
    assert "moves the base rate by 17 points" in text
    # without the study (weight 2 of 4): (0.5 + 2/3) / 2 = 58.3%, 4 points below 62.5%
    assert "most when it is A study: to 58.3% (-4 points)" in text
    assert "Phased cases, has 1 case with a known answer" in text
    assert "1 case is still open short of the horizon" in text
    table = narrative.reference_classes_table(rates)
    assert "Weighted combination" in table.to_html()


def test_json_schema_file_is_current():
    from analysis.formats.reference_classes_file import (
        reference_classes_dir,
        reference_classes_json_schema,
    )

    stored = (reference_classes_dir() / "reference_classes.schema.json").read_text()
    assert stored == reference_classes_json_schema(), "run `make schema`"
