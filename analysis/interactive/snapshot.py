"""The live panel's last state as static HTML: what a page without a kernel shows.

Exported HTML (``dealtree report``, ``jupyter nbconvert``) has no kernel, so
the panel's widget cannot draw there. Below the widget the panel displays
this snapshot: a note saying so, the settings as the parameters cell's
lines, the outcome table and the charts as they were last drawn. The charts
draw with the page's plotly.js once the page has loaded; while a kernel
answers, the live widget hides the snapshot.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Mapping, Sequence

import pandas as pd

__all__ = ["snapshot_bundle"]

_NUMBER = itertools.count(1)
_DRAW = """<script>
(function () {
  var box = document.getElementById("%(id)s");
  function draw() {
    if (window.__dealtreeLive || !window.Plotly || !box || box.dataset.drawn) return;
    box.dataset.drawn = "1";
    box.querySelectorAll("script[type='application/json']").forEach(function (data) {
      var figure = JSON.parse(data.textContent);
      var div = document.createElement("div");
      div.className = "dealtree-snapshot-figure";
      data.parentNode.insertBefore(div, data);
      window.Plotly.newPlot(div, figure.data, figure.layout,
                            {responsive: true, displaylogo: false});
    });
  }
  function whenPlotly() {  // a report loads its plotly.js after the page: wait for it
    if (window.Plotly) draw();
    else if (window.dealtree && window.dealtree.ready) window.dealtree.ready.then(draw);
    else setTimeout(whenPlotly, 100);
  }
  if (document.readyState === "complete") whenPlotly();
  else window.addEventListener("load", whenPlotly);
})();
</script>"""


def snapshot_bundle(figures: Mapping[str, str], *, title: str, settings: Sequence[str],
                    tables: Mapping[str, pd.DataFrame], status: str) -> dict[str, str]:
    """Return the display bundle (``text/html`` and ``text/plain``) of a panel's last state.

    ``figures`` maps a chart's name to its plotly JSON; ``settings`` says in
    words what differs from the scenario file; ``tables`` holds the
    ``outcomes`` frame of :func:`analysis.outcome_distribution`.
    """
    box = f"dealtree-explore-snapshot-{next(_NUMBER)}"
    outcomes = tables.get("outcomes")
    rows = "" if outcomes is None else "".join(
        f"<tr><td>{html.escape(str(r.label))}</td><td>{r.probability:.1%}</td></tr>"
        for r in outcomes.itertuples())
    charts = "".join(
        '<script type="application/json">' + text.replace("</", "<\\/") + "</script>"
        for name, text in figures.items())
    changed = ("with every prior as the scenario file sets it.</p>" if not settings else
               "with these settings changed from the scenario file:</p><ul>"
               + "".join(f"<li>{html.escape(line)}</li>" for line in settings) + "</ul>")
    body = (
        f'<div class="dealtree-explore-snapshot" id="{box}">'
        f"<p><strong>{html.escape(title)}: the live panel's last state.</strong> "
        "Its sliders need a running kernel (open the notebook in Jupyter and run it); "
        f"this page shows the charts as they were last drawn, {changed}"
        f"<table><thead><tr><th>Outcome</th><th>Probability</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
        f'<p style="color: #666">{html.escape(status)}</p>{charts}</div>'
        + _DRAW % {"id": box})
    plain = [f"{title}: live panel (needs a running kernel); last state:",
             *(settings or ["every prior as the scenario file sets it"])]
    if outcomes is not None:
        plain += [f"  {r.label}: {r.probability:.1%}" for r in outcomes.itertuples()]
    return {"text/html": body, "text/plain": "\n".join(plain)}
