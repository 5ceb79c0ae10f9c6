"""The package's shape: public names, private imports, module sizes, heavy imports.

The layers themselves are checked by ``lint-imports`` (``[tool.importlinter]``
in ``pyproject.toml``), which ``make test`` runs.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import analysis

PACKAGE = Path(analysis.__file__).parent
MODULES = sorted(info.name for info in pkgutil.walk_packages([str(PACKAGE)], "analysis.")
                 if not info.name.endswith("__main__"))
MAX_LINES = 800


def _source(name: str) -> Path:
    module = importlib.import_module(name)
    return Path(module.__file__)


@pytest.mark.parametrize("name", MODULES)
def test_public_names_are_exactly_all(name):
    """What a module defines without an underscore is listed in its ``__all__``, and no more."""
    module = importlib.import_module(name)
    if _source(name).name == "__init__.py" and not hasattr(module, "__all__"):  # a layer
        assert not [n for n in vars(module) if not n.startswith("_")
                    and not isinstance(getattr(module, n), type(sys))], name
        return
    assert hasattr(module, "__all__"), f"{name} has no __all__"
    defined = {n for n, value in vars(module).items() if not n.startswith("_")
               and getattr(value, "__module__", None) == name}
    assert defined <= set(module.__all__), f"{name}: public but not in __all__: " \
                                           f"{sorted(defined - set(module.__all__))}"
    missing = [n for n in module.__all__ if not hasattr(module, n)]
    assert not missing, f"{name}: __all__ names missing: {missing}"


def test_the_package_reexports_only_what_exists():
    assert all(hasattr(analysis, name) for name in analysis.__all__)
    assert len(set(analysis.__all__)) == len(analysis.__all__)


@pytest.mark.parametrize("name", MODULES)
def test_no_module_imports_another_modules_private_names(name):
    tree = ast.parse(_source(name).read_text(encoding="utf-8"))
    private = [f"{node.module}.{alias.name}" for node in ast.walk(tree)
               if isinstance(node, ast.ImportFrom) and node.level > 0
               for alias in node.names if alias.name.startswith("_")]
    assert not private, f"{name} imports private names: {private}"


@pytest.mark.parametrize("name", MODULES)
def test_no_module_is_over_the_size_limit(name):
    lines = len(_source(name).read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines, expected at most {MAX_LINES}"


def test_importing_the_package_leaves_the_heavy_libraries_alone():
    code = ("import sys, analysis; print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'plotly', 'scipy', 'numba', 'nbconvert', 'nbclient'}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"


def test_an_upward_import_breaks_the_layers_contract(tmp_path):
    """lint-imports is not a formality: a planted upward import is refused."""
    lint = Path(sys.executable).parent / "lint-imports"
    if not lint.exists():
        pytest.fail("lint-imports is not installed: pip install -e '.[test]'")
    copy = tmp_path / "analysis"
    subprocess.run(["cp", "-r", str(PACKAGE), str(copy)], check=True)
    target = copy / "core" / "text.py"
    target.write_text(target.read_text() + "\nfrom ..analyses import outcomes  # noqa\n")
    config = Path(__file__).resolve().parents[1] / "pyproject.toml"
    result = subprocess.run([str(lint), "--config", str(config), "--no-cache"],
                            capture_output=True, text=True, cwd=tmp_path,
                            env={"PYTHONPATH": str(tmp_path), "PATH": ""})
    assert result.returncode != 0, result.stdout
    assert "BROKEN" in result.stdout and "analysis.core.text" in result.stdout
