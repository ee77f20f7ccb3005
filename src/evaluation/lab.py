"""JupyterLab for this repository: one definition of how the server is started.

``make lab`` (``python -m evaluation lab``) and the browser test (``make e2e``) both start the
server through :func:`lab_command`, so what the test checks is what a researcher gets:

* the server listens on loopback only (``127.0.0.1``) and asks for a token (a random one unless
  given), so nobody else on the machine's network can reach a kernel that reads client data;
* its root is the repository (``data/`` and ``reports/`` can be browsed) and it opens on
  ``notebooks/``;
* new notebooks get the project's kernel (``wassup-evaluation``, installed by ``make install``
  into the virtual environment); the committed notebooks name it in their metadata;
* it never looks on the internet for JupyterLab news or updates (the network may be closed, and a
  register analysis has no business calling out).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .kernels import KERNEL_NAME
from .paths import ROOT

# What notebooks and other modules import from here (tests/test_public_names.py)
__all__ = ["main"]

START_PAGE = "lab/tree/notebooks"


def lab_command(
    port: int | None = None, token: str | None = None, open_browser: bool = True, root: Path = ROOT
) -> list[str]:
    """The ``jupyter lab`` command line: loopback only, token on, rooted at ``root``.

    ``port=None`` lets Jupyter choose (8888 or the next free one); a given port is used or the
    start fails (no silent move to another port).  ``token=None`` makes Jupyter generate a
    random token and print the URL with it.
    """
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.root_dir={root}",
        f"--ServerApp.default_url=/{START_PAGE}",
        f"--MappingKernelManager.default_kernel_name={KERNEL_NAME}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers and CI machines run as root
    if not open_browser:
        command.append("--ServerApp.open_browser=False")
    if port is not None:
        command += [f"--ServerApp.port={port}", "--ServerApp.port_retries=0"]
    if token is not None:
        if not token:
            raise ValueError("an empty token would switch authentication off; give a non-empty one")
        command.append(f"--IdentityProvider.token={token}")
    return command


def main(argv: list[str] | None = None) -> int:
    """``python -m evaluation lab``: replace this process by the JupyterLab server."""
    command = lab_command() + list(argv or [])
    os.chdir(ROOT)
    os.execv(command[0], command)
    return 0  # not reached
