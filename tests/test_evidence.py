"""The seeds digest: it loads, its claim ids are unique, and every citation resolves."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml
from conftest import HEADER

from analysis import ScenarioError, claims_table, load_scenario, load_seeds
from analysis.formats.seeds import default_seeds_dir
from analysis.model.scenario import scenarios_dir

SEED_FILES = sorted(default_seeds_dir().glob("*.yaml"))
SCENARIO_FILES = sorted(scenarios_dir().glob("*.yaml"))


def _raw_claim_ids() -> list[str]:
    """Claim ids read straight from the seed files, without the package."""
    return [claim["id"] for path in SEED_FILES
            for claim in yaml.safe_load(path.read_text(encoding="utf-8"))["claims"]]


def _cited(node) -> list[str]:
    """Every claim id under a ``cite`` key anywhere in a raw YAML document."""
    if isinstance(node, dict):
        found = list(node.get("cite", []))
        for key, value in node.items():
            if key != "cite":
                found += _cited(value)
        return found
    if isinstance(node, list):
        return [claim for item in node for claim in _cited(item)]
    return []


def test_seeds_load():
    seeds = load_seeds()
    assert SEED_FILES, "no seed files found"
    assert sorted(seeds) == sorted(path.stem for path in SEED_FILES)
    for doc_id, doc in seeds.items():
        assert doc.claims
        assert all(claim.id.startswith(doc_id + ".") for claim in doc.claims)


def test_claim_ids_are_unique():
    ids = _raw_claim_ids()
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert not duplicates
    loaded = [claim.id for doc in load_seeds().values() for claim in doc.claims]
    assert sorted(loaded) == sorted(ids)


def test_claims_table():
    table = claims_table()
    assert list(table.columns) == ["claim", "document", "date", "statement", "sources",
                                   "confidence"]
    assert sorted(table["claim"]) == sorted(_raw_claim_ids())
    assert table["claim"].is_unique
    assert (table["claim"].str.split(".").str[0] == table["document"]).all()
    assert set(table["confidence"]) <= {"", "weak"}
    assert table["statement"].str.len().min() > 0


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=[p.name for p in SCENARIO_FILES])
def test_every_citation_in_scenarios_resolves(path):
    claims = set(_raw_claim_ids())
    cited = _cited(yaml.safe_load(path.read_text(encoding="utf-8")))
    assert sorted(set(cited) - claims) == []
    scenario = load_scenario(path)  # checks citations too, with lines
    table = scenario.priors_table()
    used = {c.strip() for cell in table["cite"] for c in cell.split(",") if c.strip()}
    assert used <= claims


def test_baseline_cites_some_claims():
    cited = _cited(yaml.safe_load((scenarios_dir() / "baseline.yaml").read_text()))
    assert len(cited) >= 10


# --- a seeds folder of one's own ---------------------------------------------

GOOD_SEED = """\
id: mydoc
title: A test document
kind: news article
source_file: mydoc.txt
published: "2025-10"
date_context: Written for the tests.
claims:
  - id: mydoc.first-claim
    statement: Something happened.
    topics: [ceasefire]
  - id: mydoc.second-claim
    statement: Something else happened.
    topics: [exchanges, politics]
    confidence: weak
"""


@pytest.fixture
def seeds_dir(tmp_path) -> Path:
    folder = tmp_path / "project" / "seeds"
    folder.mkdir(parents=True)
    (folder / "mydoc.yaml").write_text(GOOD_SEED, encoding="utf-8")
    return folder


def test_own_seeds_folder_loads(seeds_dir):
    table = claims_table(seeds_dir)
    assert table["claim"].tolist() == ["mydoc.first-claim", "mydoc.second-claim"]
    assert table["confidence"].tolist() == ["", "weak"]


def _citing(claim: str) -> str:
    return HEADER + textwrap.dedent(f"""\
        phases:
          - id: first
            question: First?
            branches:
              x:
                prior: {{value: 0.5, cite: [{claim}]}}
                outcome: good
              y: {{outcome: bad}}
        """)


def test_scenario_beside_seeds_cites_them(seeds_dir):
    folder = seeds_dir.parent / "scenarios"
    folder.mkdir()
    path = folder / "mine.yaml"
    path.write_text(_citing("mydoc.first-claim"), encoding="utf-8")
    scenario = load_scenario(path)  # finds ../seeds by itself
    assert scenario.priors_table().set_index("key").loc["first.x", "cite"] == "mydoc.first-claim"
    path.write_text(_citing("talks-final-terms.mediators"), encoding="utf-8")
    with pytest.raises(ScenarioError, match="unknown claim 'talks-final-terms.mediators'"):
        load_scenario(path)


def test_explicit_seeds_dir(seeds_dir, write_yaml):
    path = write_yaml(  # in tmp_path/scenarios, with no seeds/ beside it
        _citing("mydoc.second-claim"))
    with pytest.raises(ScenarioError, match="unknown claim 'mydoc.second-claim'"):
        load_scenario(path)  # the project's seeds do not have it
    assert load_scenario(path, seeds_dir=seeds_dir).id == "test"


BROKEN_SEEDS = {
    "invalid_yaml": ("mydoc.yaml", GOOD_SEED.replace("title: A test document",
                                                     "title: [A test document"),
                     "invalid YAML"),
    "id_differs_from_file_name": ("other.yaml", GOOD_SEED.replace(
        "mydoc.", "other.").replace("id: mydoc", "id: mine"), "expected 'other'"),
    "claim_without_document_prefix": ("mydoc.yaml", GOOD_SEED.replace(
        "mydoc.second-claim", "yourdoc.second-claim"), "expected to start with 'mydoc.'"),
    "badly_spelt_topic": ("mydoc.yaml", GOOD_SEED.replace("[ceasefire]", "[Weather report]"),
                          "'Weather report'"),
    "unknown_key": ("mydoc.yaml", GOOD_SEED.replace("kind: news article",
                                                    "kind: news article\nauthor: me"),
                    "unknown key 'author'"),
    "no_claims": ("mydoc.yaml", GOOD_SEED.split("claims:")[0] + "claims: []\n", "at least 1"),
    "not_a_mapping": ("mydoc.yaml", "- just\n- a list\n", "expected a mapping"),
}


@pytest.mark.parametrize("case", list(BROKEN_SEEDS))
def test_broken_seeds_folder_names_the_file(tmp_path, case):
    name, text, fragment = BROKEN_SEEDS[case]
    folder = tmp_path / "seeds"
    folder.mkdir()
    path = folder / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_seeds(folder)
    assert type(info.value) is ScenarioError
    assert all(p.file == str(path) for p in info.value.problems), str(info.value)
    assert any(fragment in p.message for p in info.value.problems), str(info.value)
    assert str(path) in str(info.value)


def test_duplicate_claim_across_files(seeds_dir):
    other = seeds_dir / "otherdoc.yaml"
    other.write_text(GOOD_SEED.replace("id: mydoc\n", "id: otherdoc\n")
                     .replace("mydoc.txt", "otherdoc.txt")
                     .replace("id: mydoc.second-claim", "id: otherdoc.second-claim"),
                     encoding="utf-8")
    with pytest.raises(ScenarioError, match="duplicate claim id 'mydoc.first-claim'") as info:
        load_seeds(seeds_dir)
    [problem] = [p for p in info.value.problems if "duplicate" in p.message]
    assert problem.file == str(other)  # sorted: mydoc.yaml is read first
    assert problem.location == "claims[0].id"
    assert problem.line == 8
    assert "also in mydoc.yaml" in problem.message
