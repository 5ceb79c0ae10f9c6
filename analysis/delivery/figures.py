"""Charts in the offline reports: light figure data and a light plotly.js.

The notebooks store each chart as plotly's JSON mimetype (the default
renderer in a kernel). For a report, :func:`figures_to_html` turns each of
those outputs into an empty ``<div>`` and a ``<script type="application/json">``
holding the figure without its template; the templates (plotly's default
theme, about 7 KB each) are written once per page. :func:`page_scripts`
returns what draws them: plotly.js and a loader that calls
``Plotly.newPlot`` for each figure as it comes near the screen (an
``IntersectionObserver``): the first screen is ready when its own figures
are, and a figure far down costs nothing until the reader scrolls to it.
``window.dealtree`` tells scripts and tests the number of figures, a
``ready`` promise (plotly.js loaded and the figures in view drawn), the
time the first screen was painted after it (``readyAt``, milliseconds from
navigation) and ``drawAll()``, which printing calls.

plotly.js is ``plotlyjs/plotly-dealtree.min.js``: plotly.js's own modules
with only the trace types the charts use (``plotlyjs/build.sh`` rebuilds it
from npm), embedded deflate-compressed and base64-encoded and unpacked in
the browser with ``DecompressionStream`` (Chromium, Firefox and Safari have
it). ``bundle="full"`` embeds plotly.py's complete plotly.min.js instead,
uncompressed (for comparisons: ``bench/bench_reports.py``).
"""

from __future__ import annotations

import base64
import json
import zlib
from functools import cache
from pathlib import Path

import nbformat

__all__ = ["BUNDLES", "PLOTLY_MIMETYPE", "figures_to_html", "light_bundle", "page_scripts"]

PLOTLY_MIMETYPE = "application/vnd.plotly.v1+json"
#: The plotly.js bundles a report can embed.
BUNDLES = ("light", "full")
_BUNDLE = Path(__file__).resolve().parent / "plotlyjs" / "plotly-dealtree.min.js"
_DEFAULT_HEIGHT = 525
_CONFIG = {"responsive": True, "displaylogo": False}

_LOADER = """
(function () {
  "use strict";
  // Figures are drawn as they come near the screen (an IntersectionObserver),
  // not all at once: the first screen is ready as soon as its own figures are.
  // window.dealtree.ready resolves once plotly.js is loaded and the figures in
  // view at load are drawn; drawAll() draws the rest (printing calls it).
  var holders = Array.prototype.slice.call(
    document.querySelectorAll("script.dealtree-figure-data"));
  var plotly = null;
  var templates = null;
  function loadPlotly() {
    if (plotly === null) {
      plotly = (async function () {
        var packed = document.getElementById("dealtree-plotlyjs");
        if (packed && typeof Plotly === "undefined") {
          var text = atob(packed.textContent.trim());
          var bytes = new Uint8Array(text.length);
          for (var i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
          var stream = new Blob([bytes]).stream()
            .pipeThrough(new DecompressionStream("deflate-raw"));
          var script = document.createElement("script");
          script.textContent = await new Response(stream).text();
          document.head.appendChild(script);
        }
        return window.Plotly;
      })();
    }
    return plotly;
  }
  function draw(holder) {
    if (!holder.drawing) {
      holder.drawing = loadPlotly().then(function (Plotly) {
        if (templates === null) {
          templates = JSON.parse(document.getElementById("dealtree-templates").textContent);
        }
        var figure = JSON.parse(holder.textContent);
        var layout = figure.layout || {};
        if (figure.template !== undefined && figure.template !== null) {
          layout.template = templates[figure.template];
        }
        return Plotly.newPlot(document.getElementById(holder.dataset.for), figure.data || [],
                              layout, figure.config || {});
      });
    }
    return holder.drawing;
  }
  function drawAll() {
    return Promise.all(holders.map(draw));
  }
  function inView(holder) {
    var box = document.getElementById(holder.dataset.for).getBoundingClientRect();
    return box.bottom > 0 && box.top < window.innerHeight;
  }
  var ready;
  if ("IntersectionObserver" in window) {
    var byDiv = {};
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) {
          observer.unobserve(entry.target);
          draw(byDiv[entry.target.id]);
        }
      });
    }, {rootMargin: "25% 0px"});
    holders.forEach(function (holder) {
      byDiv[holder.dataset.for] = holder;
      observer.observe(document.getElementById(holder.dataset.for));
    });
    ready = Promise.all([loadPlotly()].concat(holders.filter(inView).map(draw)));
  } else {
    ready = drawAll();
  }
  window.addEventListener("beforeprint", drawAll);
  window.dealtree = {figures: holders.length, ready: ready, drawAll: drawAll, readyAt: null};
  ready.then(function () {  // when the first screen has been painted (for benchmarks)
    requestAnimationFrame(function () {
      setTimeout(function () { window.dealtree.readyAt = performance.now(); }, 0);
    });
  });
})();
"""


def _script_json(value: object) -> str:
    """JSON that is safe inside a ``<script>`` element (no ``</script>`` break-out)."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def figures_to_html(nb: nbformat.NotebookNode) -> list[dict]:
    """Replace every plotly output of ``nb`` by light HTML; return the shared templates.

    Each output's plotly JSON becomes a ``<div>`` and a JSON ``<script>``
    (class ``dealtree-figure-data``, ``data-for`` the div's id); the
    figure's ``layout.template`` is replaced by an index into the returned
    list, which :func:`page_scripts` writes once.
    """
    templates: list[dict] = []
    keys: dict[str, int] = {}
    number = 0
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if PLOTLY_MIMETYPE not in data:
                continue
            figure = dict(data.pop(PLOTLY_MIMETYPE))
            layout = dict(figure.get("layout") or {})
            template = layout.pop("template", None)
            index = None
            if template is not None:
                key = json.dumps(template, sort_keys=True)
                if key not in keys:
                    keys[key] = len(templates)
                    templates.append(template)
                index = keys[key]
            number += 1
            div = f"dealtree-figure-{number}"
            height = layout.get("height") or _DEFAULT_HEIGHT
            payload = {"data": figure.get("data", []), "layout": layout,
                       "config": {**_CONFIG, **(figure.get("config") or {})},
                       "template": index}
            data["text/html"] = (
                f'<div id="{div}" class="plotly-graph-div" '
                f'style="height:{int(height)}px; width:100%;"></div>\n'
                f'<script type="application/json" class="dealtree-figure-data" '
                f'data-for="{div}">{_script_json(payload)}</script>')
            data.pop("text/plain", None)
    return templates


@cache
def light_bundle() -> str:
    """Return the light plotly.js, deflate-compressed and base64-encoded."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    raw = packer.compress(_BUNDLE.read_bytes()) + packer.flush()
    return base64.b64encode(raw).decode("ascii")


def page_scripts(templates: list[dict], *, bundle: str = "light") -> str:
    """Return the scripts that draw a page's figures: plotly.js, the templates, the loader.

    Raises
    ------
    ValueError
        If ``bundle`` is not one of :data:`BUNDLES`.
    """
    if bundle not in BUNDLES:
        raise ValueError(f"bundle == {bundle!r}, expected one of: {', '.join(BUNDLES)}")
    if bundle == "light":
        plotlyjs = (f'<script type="application/octet-stream" id="dealtree-plotlyjs" '
                    f'data-encoding="deflate-raw base64">{light_bundle()}</script>')
    else:
        from plotly.offline import get_plotlyjs

        plotlyjs = f'<script type="text/javascript">{get_plotlyjs()}</script>'
    return (f"{plotlyjs}\n"
            f'<script type="application/json" id="dealtree-templates">'
            f"{_script_json(templates)}</script>\n"
            f'<script type="text/javascript">{_LOADER}</script>')

