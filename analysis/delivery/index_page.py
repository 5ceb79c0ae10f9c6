"""The report folder's index page, and how a page dealtree wrote is recognised.

A report carries ``<meta name="dealtree:KEY" content=...>`` tags (the
``offline`` template writes them) and the index a ``generator`` tag naming
dealtree: :func:`read_report_meta` and :func:`is_our_index` read them back,
so that a build replaces only dealtree's own pages.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

from ..core.version import VERSION as __version__

__all__ = ["INDEX_NAME", "IndexEntry", "index_html", "is_our_index", "read_report_meta"]

#: The index's file name in a report folder.
INDEX_NAME = "index.html"


@dataclass(frozen=True)
class IndexEntry:
    """One row of the index: a report, a failure or a notebook that does not apply."""

    file: str  # report file name, or the notebook name for an entry without one
    title: str
    meta: dict[str, str]
    link: bool
    error: str | None = None
    reason: str | None = None


class _HeadParser(HTMLParser):
    """Collect ``<title>`` and ``<meta name="dealtree:KEY" content=...>`` from a head.

    nbconvert re-serialises the page (attribute order, ``/>``), so the tags
    are parsed, not matched as text.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.title: str | None = None
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta":
            values = dict(attrs)
            name = values.get("name") or ""
            if name.startswith("dealtree:"):
                self.meta[name.removeprefix("dealtree:")] = values.get("content") or ""
        elif tag == "title" and self.title is None:
            self._in_title, self.title = True, ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title = (self.title or "") + data


def read_report_meta(path: Path) -> dict[str, str] | None:
    """Return a report's title and dealtree meta tags, or None if not a dealtree report."""
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            head = handle.read(65536)
    except OSError:
        return None
    parser = _HeadParser()
    parser.feed(head.split("</head>", 1)[0])
    meta = dict(parser.meta)
    if "built" not in meta:
        return None
    meta["page_title"] = (parser.title or "").strip() or path.stem
    return meta


def is_our_index(path: Path) -> bool:
    """Whether ``path`` is an index this module wrote (its generator tag names dealtree)."""
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return '<meta name="generator" content="dealtree ' in head


_INDEX_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       margin: 2em auto; max-width: 72em; padding: 0 1em; color: #222; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; }
p.meta { color: #666; margin-top: 0; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 0.45em 0.6em; border-bottom: 1px solid #ddd;
         vertical-align: top; }
th { background: #f4f4f4; }
.nowrap { white-space: nowrap; }
td.ok { color: #176f2c; font-weight: 600; }
td.failed { color: #a40e26; font-weight: 600; }
td.na { color: #666; font-weight: 600; }
.error { display: block; font-weight: normal; font-family: ui-monospace, monospace;
         font-size: 0.85em; white-space: pre-wrap; color: #a40e26; }
.note { display: block; font-weight: normal; color: #666; font-size: 0.85em; }
.small { color: #555; font-size: 0.88em; }
"""


def index_html(entries: list[IndexEntry]) -> str:
    """Return the index page listing ``entries``."""
    esc = html.escape
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    rows = []
    for entry in entries:
        meta = entry.meta
        if entry.link:
            report = f'<a href="{esc(quote(entry.file))}">{esc(entry.title)}</a>'
        else:
            report = esc(entry.title)
        scenario = esc(meta.get("title", ""))
        ident = ", ".join(esc(v) for v in (meta.get("scenario", ""), meta.get("file", ""))
                          if v)
        if ident:
            scenario += f'<span class="note">{ident}</span>'
        if meta.get("evidence"):
            scenario += f'<span class="note">evidence: {esc(meta["evidence"])}</span>'
        changes = [f"priors: {esc(meta['changes'])}" if meta.get("changes") else "",
                   f"parameters: {esc(meta['parameters'])}" if meta.get("parameters") else ""]
        changes = "<br>".join(c for c in changes if c) or "—"
        if entry.reason is not None:
            status = (f'<td class="na">not applicable<span class="note">{esc(entry.reason)}'
                      "</span></td>")
        elif entry.error is None:
            status = '<td class="ok">ok</td>'
        else:
            note = ("previous report kept, built " + esc(meta.get("built", "")) if entry.link
                    else "no report")
            status = (f'<td class="failed">failed<span class="error">{esc(entry.error)}</span>'
                      f'<span class="note">{note}</span></td>')
        rows.append(
            f'<tr><td>{report}<span class="note nowrap">{esc(entry.file)}</span></td>'
            f'<td>{scenario}</td><td class="small">{changes}</td>'
            f"<td>{esc(meta.get('seed', '')) or '—'}</td>"
            f'<td class="nowrap">{esc(meta.get("built", "")) or "—"}</td>'
            f"<td>{esc(meta.get('version', ''))}</td>{status}</tr>"
        )
    body = "\n".join(rows) if rows else '<tr><td colspan="7">No reports yet.</td></tr>'
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta name="generator" content="dealtree {esc(__version__)}">
<title>dealtree reports</title>
<style>{_INDEX_CSS}</style>
</head>
<body>
<h1>dealtree reports</h1>
<p class="meta">Index updated {esc(now)} with dealtree {esc(__version__)}.</p>
<table>
<thead><tr><th>Report</th><th>Scenario</th><th>Changed for this run</th><th>Seed</th>
<th>Built (UTC)</th><th>dealtree</th><th>Status</th></tr></thead>
<tbody>
{body}
</tbody>
</table>
</body>
</html>
"""
