"""Drive JupyterLab in headless Chromium the way a researcher does: open, edit, Run All, read.

The server is started with :func:`evaluation.lab.lab_command` (the command ``make lab`` uses) on a
free loopback port with a random token.  The browser is Debian's ``chromium`` found on PATH,
driven by Playwright for Python; Playwright never downloads a browser here.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from evaluation.lab import lab_command

# Settings for the test's JupyterLab (a private settings folder, not the user's):
# no autosave, so running the committed notebooks never rewrites them; every cell kept in the
# page (no virtual scrolling), so every output can be read and photographed; no news pop-up.
E2E_SETTINGS = {
    "@jupyterlab/docmanager-extension:plugin": {"autosave": False},
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
}

# Flags for Chromium on a machine without a screen, as root, with a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str:
    """Debian's Chromium binary; a clear error if it is not installed."""
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    raise RuntimeError(
        "the browser test needs Debian's Chromium: `apt-get install chromium` "
        "(.ci/run installs it when it is missing); Playwright's own browser download "
        "is not used"
    )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on at the moment of asking."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_user_settings(folder: Path, settings: dict[str, dict]) -> Path:
    """Write JupyterLab user settings (``{"@jupyterlab/x-extension:plugin": {...}}``) into
    ``folder`` in the layout ``JUPYTERLAB_SETTINGS_DIR`` expects; returns ``folder``."""
    for plugin_id, values in settings.items():
        package, plugin = plugin_id.split(":")
        path = folder / package / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values, indent=2), encoding="utf-8")
    return folder


@dataclass
class LabServer:
    """A running JupyterLab server; stop it with :meth:`stop` (the fixture always does)."""

    root: Path
    workdir: Path
    port: int = field(default_factory=free_port)
    token: str = field(default_factory=lambda: secrets.token_hex(24))
    process: subprocess.Popen | None = None
    log: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90) -> LabServer:
        env = dict(
            os.environ,
            JUPYTERLAB_SETTINGS_DIR=str(write_user_settings(self.workdir / "settings", E2E_SETTINGS)),
            JUPYTERLAB_WORKSPACES_DIR=str(self.workdir / "workspaces"),
            JUPYTER_RUNTIME_DIR=str(self.workdir / "runtime"),
        )
        env.pop("MPLBACKEND", None)  # the kernel's own default (inline), as in a plain session
        self.log = self.workdir / "jupyterlab.log"
        command = lab_command(port=self.port, token=self.token, open_browser=False, root=self.root)
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                command, cwd=self.root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"JupyterLab exited with code {self.process.returncode}:\n"
                    + self.log.read_text(errors="replace")[-3000:]
                )
            try:
                with urllib.request.urlopen(f"{self.url}/api/status?token={self.token}", timeout=2) as r:
                    if r.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"JupyterLab did not answer on {self.url} within {timeout:.0f} s")

    def api(self, path: str) -> object:
        with urllib.request.urlopen(f"{self.url}{path}?token={self.token}", timeout=10) as r:
            return json.load(r)

    def stop(self) -> None:
        """SIGTERM (the server shuts its kernels down), then SIGKILL to the whole process group."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


@dataclass
class CellReport:
    index: int  # position among all cells, 0-based, as in the .ipynb file
    kind: str  # "code" or "markdown"
    prompt: str  # "[3]:", "[*]:" or "[ ]:" for code cells
    source: str
    errors: list[str]  # text of error outputs
    images: int  # images in the outputs
    broken_images: int  # images the browser could not decode (naturalWidth 0)


# Read every cell of the open notebook from the page (windowing is off, so all cells are there).
READ_CELLS = """
() => Array.from(document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell'))
  .map((cell, index) => ({
    index,
    kind: cell.classList.contains('jp-CodeCell') ? 'code' : 'markdown',
    prompt: (cell.querySelector('.jp-InputArea-prompt') || {}).textContent || '',
    source: Array.from(cell.querySelectorAll('.cm-line')).map(l => l.textContent).join('\\n'),
    errors: Array.from(cell.querySelectorAll(
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"],' +
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'))
      .map(e => e.textContent).filter(t => t.includes('Error') || t.includes('Traceback')),
    images: cell.querySelectorAll('.jp-OutputArea-output img').length,
    broken_images: Array.from(cell.querySelectorAll('.jp-OutputArea-output img'))
      .filter(img => !(img.complete && img.naturalWidth > 0)).length,
  }))
"""

# True when the kernel is idle, no cell waits or runs, and at least one cell has run.
FINISHED = """
() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  if (!panel) return false;
  const prompts = Array.from(panel.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt'))
    .map(p => p.textContent);
  const status = panel.querySelector('.jp-Notebook-ExecutionIndicator');
  const idle = status && status.getAttribute('data-status') === 'idle';
  return idle && prompts.some(p => /\\[\\d+\\]/.test(p)) && !prompts.some(p => p.includes('*'));
}
"""


# True when the notebook's kernel has started (the toolbar names it) and is idle.
KERNEL_READY = """
() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  if (!panel) return false;
  const name = (panel.querySelector('.jp-KernelName') || {}).textContent || '';
  const status = panel.querySelector('.jp-Notebook-ExecutionIndicator');
  return name !== '' && name !== 'No Kernel' && !name.startsWith('Kernel')
    && status && status.getAttribute('data-status') === 'idle';
}
"""


def open_notebook(page, server: LabServer, relative: str, timeout_ms: float = 90_000) -> None:
    """Open ``relative`` (a path under the server root) and wait for its kernel to be idle."""
    page.goto(f"{server.url}/lab/tree/{relative}?token={server.token}&reset")
    page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell", timeout=timeout_ms)
    page.wait_for_function(KERNEL_READY, timeout=timeout_ms, polling=250)


def kernel_name(page) -> str:
    """The kernel name JupyterLab shows in the notebook's toolbar."""
    return page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-KernelName").inner_text().strip()


def replace_cell_source(page, index: int, text: str) -> None:
    """Type ``text`` over the source of cell ``index`` as a user would (click, select all, type)."""
    cell = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell").nth(index)
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(text)
    page.keyboard.press("Escape")


def run_all(page, timeout_ms: float = 300_000) -> list[CellReport]:
    """Run > Run All Cells from the menu bar; wait for the end; report every cell."""
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-item:visible", has_text="Run All Cells").first.click()
    page.wait_for_function(FINISHED, timeout=timeout_ms, polling=250)
    return [CellReport(**c) for c in page.evaluate(READ_CELLS)]


def failures(cells: list[CellReport]) -> list[str]:
    """What went wrong, cell by cell, in words (empty when every cell ran cleanly)."""
    problems = []
    for c in cells:
        if c.kind != "code":
            continue
        where = f"cell {c.index} (`{c.source.splitlines()[0][:70] if c.source else ''}`)"
        if c.errors:
            problems.append(f"{where} shows an error:\n{c.errors[0][-1500:]}")
        elif "[ ]" in c.prompt or "*" in c.prompt:
            problems.append(f"{where} did not run (prompt {c.prompt.strip()})")
        if c.broken_images:
            problems.append(f"{where}: {c.broken_images} image(s) did not render")
    return problems


def screenshot(page, path: Path, max_height: int = 16_000) -> Path:
    """A PNG of the whole notebook: left sidebar closed, notebook scrolled to its top, and the
    window made as tall as the notebook (up to ``max_height`` pixels), then shot."""
    if page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current").count():
        page.keyboard.press("Escape")
        page.keyboard.press("Control+b")  # View > Show Left Sidebar (toggle)
    scroller = (
        "document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer')"
        " || document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook')"
    )
    content, visible = page.evaluate(
        f"() => {{ const n = {scroller}; n.scrollTop = 0; return [n.scrollHeight, n.clientHeight]; }}"
    )
    size = page.viewport_size or {"width": 1280, "height": 900}
    height = min(max_height, size["height"] + max(0, int(content) - int(visible)))
    page.set_viewport_size({"width": size["width"], "height": height})
    page.evaluate(f"() => {{ ({scroller}).scrollTop = 0; }}")
    page.wait_for_timeout(500)
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))
    page.set_viewport_size(size)
    return path
