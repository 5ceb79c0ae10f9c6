"""The exceptions and warnings that dealtree raises for bad input.

In a notebook, these errors show as their located message alone, not under
a long traceback: IPython asks an exception for ``_render_traceback_()``
(see :class:`ShortTraceback`), and the full traceback stays one click away,
folded below the message.
"""

from __future__ import annotations

import html
import linecache
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Problem", "QueryError", "ScenarioError", "ScenarioWarning", "ShortTraceback",
           "format_location"]

_PACKAGE = Path(__file__).resolve().parents[1]


def format_location(loc: tuple[str | int, ...]) -> str:
    """Render a location tuple as ``phases[2].branches.stalls.prior.alpha``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "(document)"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file.

    Attributes
    ----------
    file : str
        The file (or ``<with_priors>`` for in-memory overrides).
    line : int or None
        1-based line in the file where YAML places the value, when known.
    location : str
        Where inside the document, e.g. ``phases[2].branches.stalls.prior.alpha``.
    message : str
        What is wrong, naming the value and what was expected.
    """

    file: str
    line: int | None
    location: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.location}: {self.message}"


class ShortTraceback:
    """Mixin: in IPython and Jupyter, show the error's message, not the traceback.

    IPython calls ``_render_traceback_()`` on an exception that has it and
    shows the lines it returns instead of the traceback. These are the
    exception's name and message, and the line of the notebook's own code
    that raised it (the first frame outside dealtree, counted from the
    cell down). In a Jupyter kernel the full traceback is displayed too,
    folded (an HTML ``<details>``): one click opens it.
    """

    def _render_traceback_(self) -> list[str]:
        red, bold, reset = "\x1b[0;31m", "\x1b[1m", "\x1b[0m"
        lines = [f"{red}{type(self).__name__}{reset}: {bold}{self}{reset}"]
        where = _user_frame(self.__traceback__)
        if where:
            lines.append(f"raised by {where}")
        if _show_folded_traceback(self):
            lines.append("(the full traceback is folded below)")
        else:
            lines.append("(full traceback: %xmode verbose, or traceback.print_exception)")
        return lines


def _user_frame(tb) -> str | None:
    """Return the deepest frame outside this package: the caller's line that raised."""
    found = None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not Path(filename).resolve().is_relative_to(_PACKAGE) and "site-packages" not in \
                filename and not filename.startswith("<frozen"):
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    if found is None:
        return None
    filename, line = found
    source = linecache.getline(filename, line).strip()
    name = filename
    shell = _ipython()
    try:
        formatted = shell.compile.format_code_name(filename) if shell is not None else None
    except Exception:  # an older IPython, or a file it did not compile
        formatted = None
    if formatted:
        name = " ".join(formatted)  # ("Cell", "In[3]")
    return f"{name}, line {line}" + (f": {source}" if source else "")


def _ipython():
    module = sys.modules.get("IPython")
    return module.get_ipython() if module is not None else None


def _show_folded_traceback(error: BaseException) -> bool:
    """Display the full traceback folded, in a Jupyter kernel; return whether it was."""
    shell = _ipython()
    if shell is None or "ipykernel" not in sys.modules or \
            type(shell).__name__ != "ZMQInteractiveShell":
        return False
    if getattr(error, "_dealtree_folded", False):  # IPython may ask twice for one error
        return True
    error._dealtree_folded = True
    from IPython.display import display

    text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    body = (f'<details class="dealtree-traceback"><summary>Full traceback '
            f"({html.escape(type(error).__name__)})</summary>"
            f'<pre style="font-size: 0.85em">{html.escape(text)}</pre></details>')

    def show(*_args) -> None:
        shell.events.unregister("post_run_cell", show)
        display({"text/html": body, "text/plain": f"(full traceback of the {type(error).__name__}"
                                                   " above: shown in Jupyter)"}, raw=True)

    shell.events.register("post_run_cell", show)  # after the error, in the same cell
    return True


class ScenarioError(ShortTraceback, ValueError):
    """A scenario (or evidence) file, or an override, is invalid.

    ``problems`` lists every problem found, each with file, line, location,
    value and what was expected; ``str(error)`` shows them one per line.
    """

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} found:"
        super().__init__("\n".join([head, *(f"  {p}" for p in self.problems)]))


class ScenarioWarning(UserWarning):
    """A scenario is valid but probably not what its author meant."""


class QueryError(ShortTraceback, ValueError):
    """A query on a scenario is invalid.

    For example an unknown phase or branch, or a condition of probability zero.
    """
