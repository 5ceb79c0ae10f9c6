"""The live notebook: a panel whose sliders and toggles change a scenario and redraw its charts.

Import it where a kernel runs (it imports plotly and anywidget; ``import
analysis`` does not)::

    from analysis.interactive import explore
    explore(scenario)

Layered between :mod:`analysis.plotting` (the charts it redraws) and
:mod:`analysis.delivery`: ``snapshot`` (the static HTML of a panel's last
state) under ``panel`` (the widget and its controls).
"""

from .panel import CHARTS, Explorer, explore, overrides_text

__all__ = ["CHARTS", "Explorer", "explore", "overrides_text"]
