"""Issue 26, items 6 and 7: the developer loop (make check) and the marks it relies on."""

from __future__ import annotations

import re
import tomllib

from evaluation.paths import ROOT

MAKEFILE = (ROOT / "Makefile").read_text()


def _recipe(target: str) -> list[str]:
    block = re.search(rf"^{target}:.*\n((?:\t.*\n)+)", MAKEFILE, re.M)
    assert block, f"the Makefile has no {target} target"
    return [line.strip() for line in block.group(1).splitlines()]


def test_a_test_starting_a_kernel_without_the_slow_mark_fails(pytester):
    pytester.makeconftest('pytest_plugins = ["slow_guard"]')
    pytester.makepyfile(
        test_kernel="""
        import pytest
        from jupyter_client.manager import KernelManager

        def test_unmarked_and_quiet():
            assert True

        def test_unmarked_runs_a_notebook():
            with pytest.raises(RuntimeError):   # a runner catching the error still fails
                KernelManager(kernel_name="python3").start_kernel()
    """
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning")
    # the kernel test's own body passes (it caught the error); the guard fails it at teardown
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*test_unmarked_runs_a_notebook starts a Jupyter kernel*mark it @pytest.mark.slow*"])


def test_make_check_lints_checks_the_layers_and_runs_the_fast_tests_on_two_workers():
    check = _recipe("check")
    assert check[0] == "$(VENV)/bin/ruff check ."
    assert "$(VENV)/bin/lint-imports" in check and "$(VENV)/bin/ruff format --check ." in check
    tests = next(line for line in check if "pytest" in line)
    fast = re.search(r"^FAST_TESTS := (.*)$", MAKEFILE, re.M).group(1)
    assert "$(FAST_TESTS)" in tests and '-m "not slow and not heavy"' in fast and "-n 2" in fast


def test_make_test_lints_first_and_stays_the_readmes_and_cis_test_command():
    assert _recipe("test")[0] == "$(VENV)/bin/ruff check ."
    assert "make test" in (ROOT / "README.md").read_text()
    assert re.search(r"^make test$", (ROOT / ".ci" / "run").read_text(), re.M)


def test_the_marks_make_check_deselects_are_registered():
    markers = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["markers"]
    assert {m.split(":")[0] for m in markers} >= {"slow", "heavy"}


def test_ruff_and_xdist_are_in_the_test_extra():
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["test"]
    names = {re.match(r"[A-Za-z0-9_.\-]+", spec).group(0) for spec in extra}
    assert {"ruff", "pytest-xdist"} <= names


def test_pre_commit_runs_the_locked_ruff_and_the_notebook_checks():
    import yaml

    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    ruff = next(repo for repo in config["repos"] if repo["repo"].endswith("/ruff-pre-commit"))
    locked = re.search(r"^ruff==(\S+)", (ROOT / "requirements" / "lock.txt").read_text(), re.M).group(1)
    assert ruff["rev"] == f"v{locked}"  # the hook lints as make check does
    assert {hook["id"] for hook in ruff["hooks"]} == {"ruff-check", "ruff-format"}
    local = [hook["entry"] for repo in config["repos"] if repo["repo"] == "local" for hook in repo["hooks"]]
    assert any("tests/test_notebooks.py" in entry and "tests/test_public_names.py" in entry for entry in local)
