"""Where the project keeps its files, and finding a file by path or by name."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import Problem, ScenarioError
from .text import did_you_mean

__all__ = ["PROJECT_ROOT", "project_folder", "resolve_named_file"]

#: The project's root folder (the one holding ``analysis/``, ``scenarios/``, ``seeds/``).
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def project_folder(*parts: str) -> Path:
    """Return a folder of the project, e.g. ``project_folder("scenarios", "evidence")``."""
    return PROJECT_ROOT.joinpath(*parts)


def resolve_named_file(path_or_name: str | Path, folder: Path, what: str) -> Path:
    """Return ``path_or_name`` if it is a file, else ``folder/<name>.yaml``.

    Raises
    ------
    ScenarioError
        If neither exists, suggesting the closest name in ``folder``.
    """
    if not isinstance(path_or_name, str | os.PathLike):
        raise TypeError(f"path_or_name: got {type(path_or_name).__name__}, expected a path or "
                        f"the name of a {what}")
    if not str(path_or_name).strip():
        raise ScenarioError([Problem(repr(str(path_or_name)), None, "(document)",
                                     f"empty name, expected a path or the name of a {what}")])
    path = Path(path_or_name)
    if _is(path, "is_file"):
        return path
    named = folder / f"{path_or_name}.yaml"
    if isinstance(path_or_name, str) and "/" not in path_or_name and _is(named, "is_file"):
        return named
    if _is(path, "exists"):  # a folder or a device: its reader says what is wrong
        return path
    names = sorted(p.stem for p in folder.glob("*.yaml"))
    raise ScenarioError([Problem(str(path_or_name), None, "(document)",
                                 f"no such file, and no {what} of that name"
                                 + did_you_mean(str(path_or_name), names)
                                 + f"; expected a path or one of: {', '.join(names) or '(none)'}")])


def _is(path: Path, test: str) -> bool:
    """``path.is_file()`` or ``path.exists()``, False where the question cannot be asked."""
    try:
        return getattr(path, test)()
    except (OSError, ValueError):  # a name too long, a NUL byte, no permission
        return False
