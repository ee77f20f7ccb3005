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
    wanted = dict(map(_normalise, project["dependencies"] + project["optional-dependencies"]["test"]))
    conda = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    listed = dict(_normalise(d) for d in conda if isinstance(d, str) and _normalise(d)[0] != "python")
    assert listed == wanted
