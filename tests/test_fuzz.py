"""Fuzzing the YAML reader and the file formats (hypothesis): only located errors come out.

Whatever text, bytes or structure a file holds, reading it gives a document
or a :class:`~analysis.ScenarioError`, and loading it gives a scenario (or an
evidence log, or a resolutions file) or a ``ScenarioError`` whose problems
name a file: never another exception, never a hang. Structures are drawn
from the formats' own vocabulary (keys, ids, numbers at and past their
bounds, NaN and infinities, control characters), both freely and as random
changes to the project's own files, so that most of them get past the first
checks and reach the deeper ones.
"""

from __future__ import annotations

import copy
import math
import re
import time
import warnings

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import analysis
from analysis import QueryError, ScenarioError, ScenarioWarning
from analysis.formats.source import parse_yaml
from analysis.model.scenario import scenarios_dir

#: Characters that steer a terminal or reorder text (C0 but tab and newline, DEL, C1, bidi).
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])
BASELINE = yaml.safe_load((scenarios_dir() / "baseline.yaml").read_text(encoding="utf-8"))
MEDIATION = yaml.safe_load((scenarios_dir() / "mediation.yaml").read_text(encoding="utf-8"))
EVIDENCE = yaml.safe_load((scenarios_dir() / "evidence" / "gaza_2025.yaml").read_text())

KEYS = ["id", "title", "as_of", "outcomes", "attributes", "phases", "outcome_rules",
        "branches", "prior", "priors", "rules", "when", "applies_when", "outcome", "label",
        "colour", "question", "alpha", "beta", "concentration", "value", "low", "mode", "high",
        "mean", "sd", "successes", "trials", "extends", "stakeholders", "utilities",
        "decision_maker", "assumed", "costs", "duration", "distribution", "unit", "combine",
        "initial", "cite", "rationale", "items", "date", "observed", "likelihoods", "counts",
        "questions", "resolved_on", "survival", "event", "day", "held"]
WORDS = ["baseline", "holds", "collapses", "ceasefire", "exchanges", "complete", "good", "x",
         "renewed_war", "mediators", "2025-10-09", "#1b9e77", "../baseline.yaml", "/etc/passwd",
         "", " ", "\x1b[31m", "\x00", "\u202e", "é", "a" * 300]
NUMBERS = st.one_of(
    st.sampled_from([0, 1, -1, 0.5, 1e-300, 1e6, 1e6 + 1, 1e15, 1e16, 1e308, -1e308,
                     math.inf, -math.inf, math.nan, 2**63, 10**30]),
    st.integers(-10, 10**7), st.floats(allow_nan=True, allow_infinity=True))
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, st.sampled_from(WORDS + KEYS),
                    st.text(max_size=20))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.one_of(st.sampled_from(KEYS + WORDS), st.text(max_size=8)), inner,
                    max_size=4)), max_leaves=25)


def _only_located_errors(load, *args) -> object:
    """Run ``load``; allow only a ScenarioError whose problems name a file and a message."""
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ScenarioWarning)
            result = load(*args)
    except ScenarioError as exc:
        assert exc.problems and all(p.file and p.message for p in exc.problems), exc
        assert "root:" not in str(exc), "a line of /etc/passwd was shown"
        result = exc
    assert time.perf_counter() - start < 5, "took over 5 s"
    if isinstance(result, analysis.Scenario):  # what a reader is shown has no control chars
        model = result.model
        shown = [model.title, *(o.label for o in model.outcomes.values()),
                 *(p.label or "" for p in model.phases), *(p.question for p in model.phases),
                 *(b.label or "" for p in model.phases for b in p.branches.values())]
        assert not any(CONTROL.search(text) for text in shown), shown
    return result


# ------------------------------------------------------------------------ the reader


@SETTINGS
@given(st.text(alphabet=st.sampled_from(list(" \n\t:-[]{}&*!|>'\"%@`#,?abc01.e\\x\u202e")),
               max_size=300))
def test_any_yamlish_text_gives_a_document_or_a_located_error(text):
    _only_located_errors(parse_yaml, text, "fuzz.yaml")


@SETTINGS
@given(st.binary(max_size=300))
def test_any_bytes_give_a_document_or_a_located_error(tmp_path, data):
    path = tmp_path / "fuzz.yaml"
    path.write_bytes(data)
    _only_located_errors(analysis.load_scenario, path)


# ----------------------------------------------------------------------- the formats


def _dump(tmp_path, data, name="fuzz.yaml"):
    path = tmp_path / name
    try:
        text = yaml.safe_dump(data, allow_unicode=True)
    except (yaml.YAMLError, ValueError):
        text = repr(data)
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    return path


def _mutate(document, edits):
    """Replace the values at some paths of ``document`` (a deep copy) by drawn values."""
    document = copy.deepcopy(document)
    for steps, value in edits:
        node = document
        for step in steps[:-1]:
            if isinstance(node, dict) and node:
                node = node[sorted(node, key=str)[step % len(node)]]
            elif isinstance(node, list) and node:
                node = node[step % len(node)]
            else:
                break
        if isinstance(node, dict) and node:
            node[sorted(node, key=str)[steps[-1] % len(node)]] = value
        elif isinstance(node, list) and node:
            node[steps[-1] % len(node)] = value
    return document


EDITS = st.lists(st.tuples(st.lists(st.integers(0, 50), min_size=1, max_size=6), VALUES),
                 min_size=1, max_size=3)


@SETTINGS
@given(st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=8))
def test_any_structure_loads_or_gives_located_problems(tmp_path, data):
    result = _only_located_errors(analysis.load_scenario, _dump(tmp_path, data))
    assert isinstance(result, analysis.Scenario | ScenarioError)


@SETTINGS
@given(st.sampled_from([BASELINE, MEDIATION]), EDITS)
def test_any_change_to_a_scenario_loads_or_gives_located_problems(tmp_path, base, edits):
    result = _only_located_errors(analysis.load_scenario, _dump(tmp_path, _mutate(base, edits)))
    if isinstance(result, analysis.Scenario):  # a valid result is a finite one
        table = analysis.outcome_distribution(result)
        assert np.isfinite(table["probability"]).all()
        assert table["probability"].sum() == pytest.approx(1)
        assert np.isfinite(analysis.expected_attributes(result)[["expected", "sd"]]).all().all()


@SETTINGS
@given(EDITS)
def test_any_change_to_an_evidence_log_gives_a_log_or_located_problems(tmp_path, edits):
    path = _dump(tmp_path, _mutate(EVIDENCE, edits))
    log = _only_located_errors(analysis.load_evidence, path)
    if not isinstance(log, ScenarioError):
        posterior = _only_located_errors(analysis.update_scenario,
                                         analysis.load_scenario("baseline"), log)
        if isinstance(posterior, analysis.Scenario):
            probabilities = analysis.outcome_distribution(posterior)["probability"]
            assert np.isfinite(probabilities).all()


@SETTINGS
@given(st.dictionaries(st.one_of(st.sampled_from(["ceasefire.holds", "exchanges.complete",
                                                  "governance.at_the_line.implemented"]),
                                 st.text(max_size=12)), VALUES, max_size=3))
def test_any_prior_override_gives_a_scenario_or_a_named_error(overrides):
    baseline = analysis.load_scenario("baseline")
    try:
        changed = baseline.with_priors(overrides)
    except (ScenarioError, QueryError, TypeError) as exc:
        assert str(exc)
    else:
        assert np.isfinite(analysis.outcome_distribution(changed)["probability"]).all()


TEXT_PLACES = [("title",), ("outcomes", "renewed_war", "label"), ("phases", 0, "label"),
               ("phases", 1, "question"), ("phases", 2, "branches", "phased", "label"),
               ("attributes", "living_hostages_returned", "unit")]


@SETTINGS
@given(st.sampled_from(TEXT_PLACES),
       st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12))
def test_any_text_in_a_label_is_shown_safely_or_refused(tmp_path, place, text):
    data = copy.deepcopy(BASELINE)
    node = data
    for step in place[:-1]:
        node = node[step]
    node[place[-1]] = text
    _only_located_errors(analysis.load_scenario, _dump(tmp_path, data))
