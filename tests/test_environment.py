"""environment.yml (conda) and pyproject.toml must list the same dependencies and ranges."""

from __future__ import annotations

import re
import tomllib

import yaml

from evaluation.paths import ROOT


def _normalise(spec: str) -> tuple[str, str]:
    spec = spec.split("#")[0].strip().replace(" ", "")
    name, _, rng = re.match(r"^([A-Za-z0-9_.\-]+)(\[[^\]]*\])?(.*)$", spec).groups()
    return name.lower().replace("_", "-"), ",".join(sorted(rng.split(","))) if rng else ""


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    wanted = dict(map(_normalise, project["dependencies"] + extras["test"] + extras["bench"]))
    conda = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    listed = dict(_normalise(d) for d in conda if isinstance(d, str) and _normalise(d)[0] != "python")
    assert listed == wanted


def test_make_test_stops_at_once_without_chromium_and_without_rights(tmp_path):
    """Issue 17: `make test` on a machine with only Python and make ran 4 minutes of tests and
    then errored in the browser test.  Without chromium and without root or sudo, the first
    step of make test stops with the one command to run."""
    import subprocess

    shims = tmp_path / "bin"
    shims.mkdir()
    (shims / "id").write_text("#!/bin/sh\necho 1000\n")  # not root
    (shims / "sudo").write_text("#!/bin/sh\nexit 1\n")  # sudo asks for a password
    for shim in shims.iterdir():
        shim.chmod(0o755)
    done = subprocess.run(
        ["/bin/bash", str(ROOT / "tests" / "e2e" / "ensure-chromium.sh")],
        env={"PATH": str(shims)},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 1
    assert "sudo apt-get install -y chromium" in done.stderr
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^test: install browser$", makefile, re.M)  # before any test runs
