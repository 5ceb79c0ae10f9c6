"""A JupyterLab server on localhost and a headless Chromium page on it, for the live tests.

``tests/test_lab.py`` and ``bench/bench_explore.py`` use it. The server
runs from this environment on a free port with a random token, in a
temporary folder holding copies of the notebooks (the tests edit them), and
with ``expose_app_in_browser`` so that the page can run JupyterLab's own
commands (``notebook:run-all-cells``, ``docmanager:save``) instead of
clicking through menus.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def chromium_path() -> str | None:
    """Return Chromium's executable, or None."""
    return (os.environ.get("DEALTREE_CHROMIUM") or shutil.which("chromium")
            or shutil.which("chromium-browser"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def lab_server(root: Path, *, timeout: float = 90):
    """Run ``jupyter lab`` on ``root``; yield its base URL (with the token as ``?token=``)."""
    port, token = _free_port(), secrets.token_hex(16)
    jupyter = Path(sys.executable).parent / "jupyter"
    log = (root / "jupyter.log").open("w")
    env = {**os.environ, "DEALTREE_PROGRESS": "0", "JUPYTER_PLATFORM_DIRS": "1",
           "JUPYTER_CONFIG_DIR": str(root / ".jupyter")}
    process = subprocess.Popen(
        [str(jupyter), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
         "--LabApp.expose_app_in_browser=True", "--ServerApp.port_retries=0",
         "--LabApp.news_url=", "--LabApp.check_for_updates_class="
         "jupyterlab.NeverCheckForUpdate",
         *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else [])],
        cwd=root, stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"jupyter lab exited: {(root / 'jupyter.log').read_text()}")
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("jupyter lab did not start in time") from None
                time.sleep(0.3)
        yield url, token
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


class LabPage:
    """A page of JupyterLab with one notebook open, driven through Lab's commands."""

    def __init__(self, browser, url: str, token: str, notebook: str):
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000})
        self.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        # Only this server: a chart or a widget that wants the network fails the test.
        self.page.route("**/*", lambda route: route.continue_()
                        if route.request.url.startswith(url) else route.abort())
        # A workspace of its own, reset: Lab does not reopen another page's notebooks.
        workspace = f"dealtree-{secrets.token_hex(4)}"
        self.page.goto(f"{url}/lab/workspaces/{workspace}/tree/{notebook}?reset&token={token}")
        self.page.wait_for_function(
            "() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
            " && window.jupyterapp.shell.currentWidget.context"
            " && window.jupyterapp.shell.currentWidget.sessionContext.session"
            " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel",
            timeout=120_000)

    def command(self, name: str, args: dict | None = None):
        """Run a JupyterLab command, as a menu item or shortcut would."""
        return self.page.evaluate("([name, args]) => window.jupyterapp.commands.execute("
                                  "name, args || {})", [name, args])

    def run_all(self, *, timeout: float = 240):
        """Run every cell and wait until the kernel is idle and every cell has run."""
        self.page.wait_for_function(
            "() => window.jupyterapp.shell.currentWidget.sessionContext.session?.kernel"
            "?.status === 'idle'", timeout=120_000)
        self.command("notebook:run-all-cells")
        self.page.wait_for_function(
            """() => {
                const panel = window.jupyterapp.shell.currentWidget;
                const cells = panel.content.widgets.filter(c => c.model.type === 'code');
                return panel.sessionContext.session?.kernel?.status === 'idle'
                    && cells.every(c => c.model.executionCount !== null
                                        && !c.node.querySelector('.jp-InputPrompt')
                                              .textContent.includes('*'));
            }""", timeout=timeout * 1000, polling=250)

    def set_cell(self, index: int, source: str):
        """Replace the source of the notebook's cell ``index``."""
        self.page.evaluate("([i, text]) => window.jupyterapp.shell.currentWidget.content"
                           ".widgets[i].model.sharedModel.setSource(text)", [index, source])

    def cell_source(self, index: int) -> str:
        """Return the source of the notebook's cell ``index``."""
        return self.page.evaluate("i => window.jupyterapp.shell.currentWidget.content"
                                  ".widgets[i].model.sharedModel.getSource()", index)

    def save(self):
        """Save the notebook, as Ctrl+S does, and wait for the file to be written."""
        self.command("docmanager:save")
        self.page.wait_for_function(
            "() => !window.jupyterapp.shell.currentWidget.context.model.dirty", timeout=30_000)

    def close(self):
        """Close the page and its browser context."""
        self.context.close()
