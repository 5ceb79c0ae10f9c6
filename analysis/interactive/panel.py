"""The live panel: priors on sliders, conditions and decisions on toggles, charts redrawn in place.

:func:`explore` shows a scenario in a panel whose controls change it and
whose charts follow. Everything is computed in the kernel by the package's
own functions: the scenario is rebuilt with :meth:`~analysis.Scenario.with_priors`
and :meth:`~analysis.Scenario.with_decisions`, its tables come from
:mod:`analysis.analyses`, its charts from :mod:`analysis.plotting`; the
front end (``static/explore.js``) only draws them, with ``Plotly.react``,
which updates a chart in place.

Why anywidget and not plotly's ``FigureWidget``: a ``FigureWidget`` is an
anywidget too, but each one carries all of plotly.js (about 5 MB) in its
state, so four charts sent 20 MB to the browser and, wherever widget state
is saved (``nbconvert --execute``, Lab's "save widget state"), 20 MB into
the notebook. One anywidget for the whole panel sends plotly.js once, by
message and only when the page has none, and keeps its saved state to the
controls and settings (a few KB). The ``<input type="range">`` it draws
also tells a drag (``input``) from a release (``change``): the exact charts
follow the drag, the Monte Carlo intervals are redrawn on release. Its
"copy" button writes to the browser's clipboard, which the kernel cannot.
"""

from __future__ import annotations

import json
import textwrap
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import anywidget
import pandas as pd
import traitlets

from ..analyses.exploration import (
    MEAN_RANGE,
    STRENGTH_RANGE,
    explored_overrides,
    path_count,
    prior_controls,
)
from ..analyses.outcomes import expected_attributes, outcome_distribution, path_steps
from ..analyses.uncertainty import outcome_intervals
from ..core.errors import QueryError, ScenarioError
from ..core.text import did_you_mean, display_label
from ..engines.sampling import sample_outcomes
from ..model.scenario import Scenario
from ..plotting import html as chart_html
from ..plotting import (
    plot_expected_attributes,
    plot_outcome_distribution,
    plot_outcome_intervals,
    plot_tree,
)
from ..plotting.style import note_figure
from .snapshot import snapshot_bundle

__all__ = ["CHARTS", "Explorer", "explore", "overrides_text"]

_STATIC = Path(__file__).resolve().parent / "static"
#: The charts a panel shows, in order.
CHARTS = ("outcomes", "intervals", "attributes", "tree")
#: Budget of (draw x path) cells for the intervals redrawn on release: about 0.1-0.2 s.
_DRAW_CELLS = 20_000_000


class _PanelWidget(anywidget.AnyWidget):
    """The panel's front end: controls and charts (see ``static/explore.js``)."""

    _esm = _STATIC / "explore.js"
    controls = traitlets.Dict().tag(sync=True)
    settings = traitlets.Dict().tag(sync=True)


def overrides_text(overrides: Mapping[str, Any], *, decisions: Mapping[str, str] | None = None,
                   given: Mapping[str, str] | None = None) -> str:
    """Write overrides as the lines of a parameters cell: ``PRIOR_OVERRIDES = {...}``.

    Values are written as JSON, which is also Python: pasted into the
    parameters cell, they reproduce the numbers exactly.
    """
    lines = ["PRIOR_OVERRIDES = {"]
    lines += [f"    {json.dumps(key)}: {json.dumps(value)}," for key, value in overrides.items()]
    lines.append("}")
    if decisions:
        lines.append(f"DECISIONS = {json.dumps(dict(decisions))}  "
                     "# scenario.with_decisions(DECISIONS)")
    if given:
        lines.append(f"# explored given {json.dumps(dict(given))}")
    return "\n".join(lines)


class Explorer:
    """A live panel on one scenario; :func:`explore` makes one.

    Displayed in a notebook, it shows the widget and, below it, a static
    snapshot of its last state for pages without a kernel (exported HTML);
    the widget hides the snapshot while a kernel answers.

    The methods below are what the controls call; they also drive the
    panel from code (tests, benchmarks).

    Attributes
    ----------
    base : Scenario
        The scenario the panel started from.
    scenario : Scenario
        The scenario as the controls have changed it.
    given, decisions : dict
        The condition and the assumed options chosen.
    figures : dict
        The last chart of each name in :data:`CHARTS`, as plotly figures.
    timings : dict
        Seconds the last redraw took: ``"exact"`` and ``"intervals"``.
    """

    def __init__(self, scenario: Scenario, *, n_draws: int | None = None, rng: int = 2025,
                 max_tree_paths: int = 300):
        if not isinstance(scenario, Scenario):
            raise TypeError(f"scenario: got {type(scenario).__name__}, expected a Scenario "
                            "(analysis.load_scenario(...))")
        self.base = scenario
        self.scenario = scenario
        self.rng = rng
        self.max_tree_paths = int(max_tree_paths)
        self.n_draws = n_draws if n_draws is not None else int(
            min(20_000, max(1_000, _DRAW_CELLS // max(1, scenario.tree.n_paths))))
        controls = prior_controls(scenario)
        self._controls = controls
        self._set_of = dict(zip(controls["key"], controls["set"], strict=True))
        self._start_means = dict(zip(controls["key"], controls["mean"], strict=True))
        self._start_strengths = dict(zip(controls["set"], controls["strength"], strict=True))
        self.means, self.strengths = dict(self._start_means), dict(self._start_strengths)
        self.given: dict[str, str] = {}
        self.decisions = {p.id: p.assumed or next(iter(p.branches))
                          for p in scenario.model.phases if p.decision_maker is not None}
        self._assumed = dict(self.decisions)
        self.overrides: dict[str, dict] = {}
        self.figures: dict[str, Any] = {}
        self.tables: dict[str, pd.DataFrame] = {}
        self.timings: dict[str, float] = {}
        self.error: str | None = None
        self._json: dict[str, str] = {}
        self._snapshot = None
        self.widget = _PanelWidget(controls=self._spec(), settings=self._settings())
        self.widget.on_msg(self._on_message)
        self.redraw(intervals=True)

    # ------------------------------------------------------------------ controls

    def set(self, *, means: Mapping[str, float] | None = None,
            strengths: Mapping[str, float] | None = None,
            given: Mapping[str, str] | None = None,
            decisions: Mapping[str, str] | None = None, final: bool = True,
            progress: Callable[[list[str]], object] | None = None) -> list[str]:
        """Move controls, as the panel's sliders and toggles do; return the charts redrawn.

        ``given`` values of ``""`` remove a phase's condition. ``final``
        (a slider released, a toggle clicked) also redraws the intervals.
        A setting that cannot be drawn (a condition of probability 0, an
        unknown key) is undone: the controls and charts stay as they were,
        :attr:`error` says why, and nothing is redrawn.
        """
        saved = (dict(self.means), dict(self.strengths), dict(self.given), dict(self.decisions),
                 dict(self.overrides))
        try:
            self._move(means, strengths, given, decisions)
            names = self.redraw(intervals=final, progress=progress)
        except (ScenarioError, QueryError) as exc:
            self.error, names = str(exc), []
        if self.error:
            self.means, self.strengths, self.given, self.decisions, self.overrides = saved
        return names

    def _move(self, means, strengths, given, decisions) -> None:
        for key, value in (means or {}).items():
            self._move_mean(key, float(value))
        self.strengths.update({k: float(v) for k, v in (strengths or {}).items()})
        for phase, branch in (given or {}).items():
            if branch:
                self.given[phase] = branch
            else:
                self.given.pop(phase, None)
        self.decisions.update(decisions or {})

    def reset(self) -> list[str]:
        """Return every control to the scenario the panel started from."""
        self._reset_state()
        return self.redraw(intervals=True)

    def _reset_state(self) -> None:
        self.means, self.strengths = dict(self._start_means), dict(self._start_strengths)
        self.given, self.decisions = {}, dict(self._assumed)

    def _move_mean(self, key: str, value: float) -> None:
        """Set one branch's mean; in a Dirichlet the others keep their proportions."""
        if key not in self._set_of:
            known = list(self._set_of)
            raise QueryError(f"means: {key!r} names no uncertain prior"
                             f"{did_you_mean(str(key), known)}; expected one of: "
                             f"{', '.join(known)}")
        siblings = [k for k, s in self._set_of.items() if s == self._set_of[key] and k != key]
        rest = sum(self.means[k] for k in siblings)
        for k in siblings:
            self.means[k] = (self.means[k] * (1 - value) / rest if rest > 0
                             else (1 - value) / len(siblings))
        self.means[key] = value

    @property
    def overrides_text(self) -> str:
        """The current settings as the parameters cell's lines."""
        changed = {p: o for p, o in self.decisions.items() if self._assumed.get(p) != o}
        return overrides_text({**self.base.prior_overrides, **self.overrides},
                              decisions=changed, given=self.given)

    @property
    def settings_words(self) -> list[str]:
        """The current settings in words, for readers: what differs from the scenario file."""
        labels = dict(zip(self._controls["key"], self._controls["label"], strict=True))
        lines = [f"{labels[k]}: mean {v:.1%} (the file: {self._start_means[k]:.1%})"
                 for k, v in self.means.items() if abs(v - self._start_means[k]) > 1e-9]
        start = self._start_strengths
        lines += [f"{key}: prior strength {v:.3g} (the file: {start[key]:.3g})"
                  for key, v in self.strengths.items() if abs(v - start[key]) > 1e-9]
        phases = {p.id: p for p in self.base.model.phases}
        for phase, branch in self.given.items():
            lines.append(f"given {display_label(phase, phases[phase].label)}: "
                         f"{display_label(branch, phases[phase].branches[branch].label)}")
        for phase, option in self.decisions.items():
            if self._assumed.get(phase) != option:
                lines.append(f"{display_label(phase, phases[phase].label)} assumed: "
                             f"{display_label(option, phases[phase].branches[option].label)}")
        return lines

    # ------------------------------------------------------------------ computing

    def _explored(self) -> Scenario:
        start_means = self._start_means
        start_strengths = self._start_strengths
        sets = {self._set_of[k] for k, v in self.means.items() if abs(v - start_means[k]) > 1e-9}
        means = {k: v for k, v in self.means.items() if self._set_of[k] in sets}
        strengths = {k: v for k, v in self.strengths.items()
                     if abs(v - start_strengths[k]) > 1e-9}
        self.overrides = explored_overrides(self.base, means=_clipped(means),
                                            strengths=strengths)
        scenario = self.base.with_priors(self.overrides) if self.overrides else self.base
        changed = {p: o for p, o in self.decisions.items() if self._assumed.get(p) != o}
        return scenario.with_decisions(changed) if changed else scenario

    def redraw(self, *, intervals: bool = False,
               progress: Callable[[list[str]], object] | None = None) -> list[str]:
        """Recompute the tables and charts; with ``intervals``, the Monte Carlo ones too.

        Returns the names of the charts redrawn. A bad setting (say, a
        condition of probability 0) leaves the charts as they were and sets
        :attr:`error`. ``progress`` is called with the names of the charts
        ready so far, the outcome bars first: the panel sends them at once,
        before the slower tree and attributes.
        """
        start = time.perf_counter()
        try:
            scenario = self._explored()
            given = dict(self.given)
            distribution = outcome_distribution(scenario, given=given)
            attributes = expected_attributes(scenario, given=given)
            n_paths = path_count(scenario, given=given)
        except (ScenarioError, QueryError) as exc:
            self.error = str(exc)
            return []
        self.error = None
        self.scenario = scenario
        self.tables.update(outcomes=distribution, attributes=attributes)
        self._finish({"outcomes": plot_outcome_distribution(distribution)})
        if progress is not None:
            progress(["outcomes"])
        figures = {"attributes": plot_expected_attributes(attributes)}
        if n_paths <= self.max_tree_paths:
            figures["tree"] = plot_tree(path_steps(scenario, given=given))
        else:
            figures["tree"] = note_figure(
                f"{n_paths:,} paths: too many to draw live (at most {self.max_tree_paths:,}).<br>"
                "Choose a condition (given) to narrow the tree.",
                title=f"Scenario tree — {scenario.name}")
        self._finish(figures)
        self.timings["exact"] = time.perf_counter() - start
        if intervals:
            start = time.perf_counter()
            try:
                samples = sample_outcomes(scenario, n_draws=self.n_draws, given=given,
                                          rng=self.rng, progress=False)
            except QueryError as exc:  # e.g. a scenario updated on evidence
                self.tables.pop("intervals", None)
                chart = note_figure("No Monte Carlo intervals here:<br>" + _wrap(str(exc)),
                                    title=f"Outcome probabilities — {scenario.name}")
            else:
                summary = outcome_intervals(samples)
                self.tables["intervals"] = summary
                chart = plot_outcome_intervals(summary)
            self._finish({"intervals": chart})
            self.timings["intervals"] = time.perf_counter() - start
        return ["outcomes", *figures, *(["intervals"] if intervals else [])]

    def _finish(self, figures: Mapping[str, Any]) -> None:
        self.figures.update(figures)
        self._json.update({name: fig.to_json() for name, fig in figures.items()})

    # ------------------------------------------------------------------ front end

    def _spec(self) -> dict:
        sets = []
        for set_key, rows in self._controls.groupby("set", sort=False):
            first = rows.iloc[0]
            phase = self.base.model.phases[self.base.phases.index(first["phase"])]
            label = display_label(phase.id, phase.label)
            if first["rule"]:
                label += f" ({first['rule'].replace('_', ' ')})"
            word = "concentration" if first["kind"] == "dirichlet" else "strength"
            sets.append({
                "set": set_key, "label": label, "kind": first["kind"],
                "strength": float(first["strength"]),
                "strength_label": f"{word} (α+β)" if word == "strength" else f"{word} (Σα)",
                "branches": [{"key": r.key, "label": r.label.split(": ", 1)[-1],
                              "mean": float(r.mean)} for r in rows.itertuples()],
            })
        given, decisions = [], []
        for phase in self.base.model.phases:
            options = [[b, display_label(b, branch.label)] for b, branch in phase.branches.items()]
            item = {"phase": phase.id, "label": display_label(phase.id, phase.label)}
            if phase.decision_maker is not None:
                decisions.append({**item, "options": options, "value": self.decisions[phase.id],
                                  "label": f"{item['label']} (by {phase.decision_maker})"})
            else:
                given.append({**item, "options": [["", "any"], *options], "value": ""})
        return {"title": f"Explore — {self.base.name}", "priors": sets, "given": given,
                "decisions": decisions, "charts": list(CHARTS),
                "mean_range": list(MEAN_RANGE), "strength_range": list(STRENGTH_RANGE)}

    def _settings(self) -> dict:
        return {"means": dict(self.means), "strengths": dict(self.strengths),
                "given": dict(self.given), "decisions": dict(self.decisions)}

    def _state_message(self, seq: int, names: list[str]) -> dict:
        status = f"exact {1000 * self.timings.get('exact', 0):.0f} ms"
        if "intervals" in self.timings:
            status += (f" · intervals over {self.n_draws:,} draws "
                       f"{1000 * self.timings['intervals']:.0f} ms")
        return {"event": "state", "seq": seq, **self._settings(),
                "overrides_text": self.overrides_text, "error": self.error or "",
                "status": status, "figures": {n: self._json[n] for n in names}}

    def _on_message(self, widget, content, buffers) -> None:
        event = content.get("event") if isinstance(content, dict) else None
        if event == "hello":
            widget.send({"event": "pong"})
            if content.get("plotly"):
                widget.send({"event": "plotly", "source": chart_html.plotly_js()})
            widget.send(self._state_message(0, list(self._json)))
        elif event == "change":
            delta = content.get("delta", {})
            final = bool(content.get("final"))
            seq = int(content.get("seq", 0))

            def send_first(names: list[str]) -> None:  # the outcome bars, before the rest
                widget.send({**self._state_message(seq, names), "partial": True})

            names = self.set(means=delta.get("means"), strengths=delta.get("strengths"),
                             given=delta.get("given"), decisions=delta.get("decisions"),
                             final=final, progress=send_first)
            widget.settings = self._settings()
            widget.send(self._state_message(seq, [n for n in names if n != "outcomes"]))
            if final:
                self._update_snapshot()
        elif event == "reset":
            names = self.reset()
            widget.settings = self._settings()
            widget.send(self._state_message(0, names))
            self._update_snapshot()

    def _snapshot_bundle(self) -> dict:
        ordered = {name: self._json[name] for name in CHARTS if name in self._json}
        return snapshot_bundle(ordered, title=f"Explore — {self.base.title}",
                               settings=self.settings_words, tables=self.tables,
                               status=f"Monte Carlo intervals over {self.n_draws:,} draws of "
                                      f"the priors, seed {self.rng}.")

    def _update_snapshot(self) -> None:
        if self._snapshot is not None:
            self._snapshot.update(self._snapshot_bundle(), raw=True)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
        self._snapshot = display(self._snapshot_bundle(), raw=True, display_id=True)

    def __repr__(self) -> str:
        return f"Explorer({self.base!r})"


def _wrap(text: str) -> str:
    """Break a long message into lines for a chart's note."""
    return "<br>".join(textwrap.wrap(text, 70))


def _clipped(means: Mapping[str, float]) -> dict[str, float]:
    low, high = MEAN_RANGE
    return {k: min(max(float(v), low), high) for k, v in means.items()}


def explore(scenario: Scenario, *, n_draws: int | None = None, rng: int = 2025,
            max_tree_paths: int = 300) -> Explorer:
    """Show a live panel on a scenario: move priors, conditions and decisions; charts follow.

    A slider per uncertain prior moves its mean, one per probability set its
    strength (``alpha + beta``, or a Dirichlet's total concentration);
    toggles choose a condition (``given``) on each chance phase and the
    option assumed at each decision. The outcome bars, the tree and the
    expected attributes are redrawn in place as a slider moves; the Monte
    Carlo intervals when it is released. "Copy as PRIOR_OVERRIDES" copies
    the settings as the parameters cell's lines, so that an exploration
    becomes a reproducible run. Without a kernel (an exported page) the
    panel's last state is shown as static charts, saying so.

    Parameters
    ----------
    scenario : Scenario
        The scenario to start from (with any overrides already applied).
    n_draws : int, optional
        Monte Carlo draws per redraw of the intervals. Default: 20,000,
        fewer for large trees (about 0.2 s of sampling).
    rng : int, default 2025
        Seed of every redraw of the intervals, so they move only with the settings.
    max_tree_paths : int, default 300
        Draw the tree only when the condition keeps at most this many paths.

    Returns
    -------
    Explorer
        Displays itself as the last expression of a cell.

    Examples
    --------
    >>> import analysis
    >>> from analysis.interactive import explore
    >>> panel = explore(analysis.load_scenario("baseline"))
    >>> panel.set(means={"ceasefire.holds": 0.95})
    ['outcomes', 'attributes', 'tree', 'intervals']
    >>> panel.overrides
    {'ceasefire.holds': {'alpha': 10.45, 'beta': 0.55}}
    """
    return Explorer(scenario, n_draws=n_draws, rng=rng, max_tree_paths=max_tree_paths)
