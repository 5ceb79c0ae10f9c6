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
