"""The project's set-up files agree with each other and with the package."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement

import analysis
from analysis.formats.scenario_file import scenario_json_schema

ROOT = Path(__file__).resolve().parent.parent


def _pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_environment_yml_mirrors_pyproject_dependencies():
    project = _pyproject()["project"]
    extras = project["optional-dependencies"]
    wanted = [*project["dependencies"], *extras["test"], *extras["discovery"]]
    expected = {Requirement(r).name.lower(): str(Requirement(r).specifier) for r in wanted}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "conda-forge" in env["channels"]
    conda = {}
    for item in env["dependencies"]:
        if isinstance(item, str) and item not in {"pip"} and not item.startswith("python"):
            name = re.match(r"[A-Za-z0-9_.-]+", item).group(0)
            conda[name.lower()] = str(Requirement(item).specifier)
    assert conda == expected
    pip_section = next(i for i in env["dependencies"] if isinstance(i, dict))["pip"]
    assert pip_section == ["-e .[test,discovery]"]


def test_every_dependency_is_bounded_above_or_pinned_by_constraints():
    pins = {
        line.split("==")[0].lower()
        for line in (ROOT / "constraints.txt").read_text().splitlines()
        if "==" in line
    }
    for requirement in map(Requirement, _pyproject()["project"]["dependencies"]):
        assert requirement.name.lower() in pins, f"{requirement.name} not pinned"
        assert any(s.operator in {"<", "<="} for s in requirement.specifier), requirement


def test_json_schema_file_is_current():
    stored = (ROOT / "scenarios" / "scenario.schema.json").read_text()
    assert stored == scenario_json_schema(), "run `make schema`"


def test_readme_example_in_scenarios_folder_loads(tmp_path):
    text = (ROOT / "scenarios" / "README.md").read_text()
    example = re.search(r"```yaml\n(schema_version.*?)```", text, re.S).group(1)
    path = tmp_path / "example.yaml"
    path.write_text(example)
    scenario = analysis.load_scenario(path, seeds_dir=ROOT / "seeds")
    assert scenario.tree.n_paths == 7
    deal = analysis.outcome_distribution(scenario).set_index("outcome")["probability"]["deal"]
    monitoring = (0.3 + 4 * 0.5 + 0.8) / 6  # PERT mean of the range prior
    assert abs(deal - (0.6 * 0.7 + 0.3 * 0.5) * monitoring) < 1e-12


def test_public_namespace_is_exactly_all():
    public = {name for name in dir(analysis) if not name.startswith("_")}
    modules = {name for name in public if type(getattr(analysis, name)).__name__ == "module"}
    assert public - modules == set(analysis.__all__) - {"__version__"}


def test_importing_the_package_does_not_import_plotly():
    code = ("import sys, analysis; analysis.load_scenario('baseline'); "
            "print('plotly' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"


# ------------------------------------------------------------ documented examples load


def _yaml_blocks(path: Path) -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", path.read_text(encoding="utf-8"), re.S)


def test_every_scenario_example_in_the_scenarios_readme_loads(tmp_path):
    """Each complete scenario and variant in scenarios/README.md, as a user would copy it."""
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "baseline.yaml").write_text((ROOT / "scenarios" / "baseline.yaml").read_text())
    loaded = 0
    for number, block in enumerate(_yaml_blocks(ROOT / "scenarios" / "README.md")):
        data = yaml.safe_load(block)
        if not isinstance(data, dict) or not ({"phases", "extends"} & set(data)):
            continue  # a fragment (a key, a branch) shown on its own
        path = folder / f"example_{number}.yaml"
        path.write_text(block, encoding="utf-8")
        scenario = analysis.load_scenario(path)
        assert scenario.id == data["id"]
        assert abs(analysis.outcome_distribution(scenario)["probability"].sum() - 1) < 1e-12
        loaded += 1
    assert loaded >= 3  # the annotated example, the decisions example, the variant


def test_the_notebooks_section_example_resolves_beside_the_scenario(tmp_path):
    from analysis import narrative

    block = next(b for b in _yaml_blocks(ROOT / "scenarios" / "README.md")
                 if b.startswith("notebooks:"))
    section = yaml.safe_load(block)["notebooks"]
    copy = tmp_path / "scenarios"
    import shutil

    shutil.copytree(ROOT / "scenarios", copy)
    text = (copy / "baseline.yaml").read_text()
    start = text.index("notebooks:")
    end = text.index("\noutcomes:")
    (copy / "baseline.yaml").write_text(text[:start] + block + text[end:])
    scenario = analysis.load_scenario(copy / "baseline.yaml")
    assert scenario.model.notebooks.evidence == section["evidence"]
    assert narrative.evidence_for(scenario).id == "gaza_2025"
    assert narrative.resolutions_for(scenario) is not None
    assert [s.id for s in narrative.analysts_for(scenario)] == section["analysts"]
    assert [s.id for s in narrative.comparisons_for(scenario)] == section["compare"]
    assert narrative.event_for(scenario) == ["renewed_war"]  # the outcome with role: collapse
    assert narrative.reference_classes_for(scenario).id == section["reference_classes"]


def test_the_tutorial_and_the_sources_example_work_together(tmp_path, monkeypatch, capsys):
    """scenarios/README.md's tutorial, with seeds/README.md's digest in sources/ beside it."""
    from analysis import narrative
    from analysis.delivery.cli import main
    from analysis.delivery.console import parse_params

    monkeypatch.chdir(tmp_path)
    assert main(["new", "grain_deal"]) == 0
    digest, usage = _yaml_blocks(ROOT / "seeds" / "README.md")[:2]
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "my-notes.yaml").write_text(digest, encoding="utf-8")
    cite = re.search(r"cite: \[.*\]", usage).group(0)
    scenario_file = tmp_path / "grain_deal.yaml"
    text = scenario_file.read_text()
    assert "# cite: [" in text
    scenario_file.write_text(re.sub(r"# cite: \[[^\]]*\]", cite, text))
    assert main(["validate", "grain_deal.yaml"]) == 0
    assert main(["summary", "grain_deal.yaml"]) == 0
    scenario = analysis.load_scenario("grain_deal.yaml")
    assert "my-notes.earlier-talks" in scenario.priors_table().set_index("key").loc[
        "talks.signed", "cite"]
    assert len(analysis.claims_table(tmp_path / "sources")) == 3
    cases = narrative.reference_cases(scenario)
    assert list(cases["claim"]) == ["my-notes.talks-2019"] and list(cases["ended_in_war"]) == [True]
    # The tutorial's what-if: its --param parses and names a prior of the starter.
    command = re.search(r"dealtree report --scenario grain_deal.yaml .*?\n```",
                        (ROOT / "scenarios" / "README.md").read_text(), re.S).group(0)
    params = parse_params(re.findall(r"--param '?([^' \n]+(?: [^' \n]+)*)'?", command))
    assert params == {"PRIOR_OVERRIDES": {"talks.signed": 0.8}, "SEED": 7}
    assert scenario.with_priors(params["PRIOR_OVERRIDES"]).changes
    # A citation of no claim names the folder the scenario uses, not seeds/.
    scenario_file.write_text(scenario_file.read_text().replace("my-notes.earlier-talks",
                                                               "my-notes.earlier-talk"))
    capsys.readouterr()
    assert main(["validate", "grain_deal.yaml"]) == 2
    out = capsys.readouterr().out
    assert "from the sources in sources/" in out and "seeds/" not in out
