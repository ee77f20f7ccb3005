"""The LaLonde data, its loader and the ``lalonde`` command (issue 25)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from evaluation.cli import main
from evaluation.comparison.lalonde import dehejia_wahba_design, difference_in_means, lalonde_benchmark, lalonde_markdown
from evaluation.lalonde_data import LALONDE, LalondeDataError, load_lalonde
from evaluation.paths import VALIDATION

DATA = load_lalonde()


def _pooled_se(a: np.ndarray, b: np.ndarray) -> float:
    # the conventional OLS standard error of a difference in means (pooled variance)
    pooled = ((len(a) - 1) * a.var(ddof=1) + (len(b) - 1) * b.var(ddof=1)) / (len(a) + len(b) - 2)
    return float(np.sqrt(pooled * (1 / len(a) + 1 / len(b))))


def test_the_samples_have_the_published_sizes():
    exp = DATA.experimental
    assert (exp.treat == 1).sum() == 185 and (exp.treat == 0).sum() == 260  # Dehejia and Wahba (1999)
    assert len(DATA.psid) == 2490 and len(DATA.cps) == 15992  # PSID-1, CPS-1 (LaLonde 1986)


def test_the_experimental_benchmark_is_the_published_one():
    exp = DATA.experimental
    treated, control = exp.re78[exp.treat == 1].to_numpy(), exp.re78[exp.treat == 0].to_numpy()
    assert treated.mean() - control.mean() == pytest.approx(1794.34, abs=0.005)
    assert round(_pooled_se(treated, control)) == DATA.published["experimental"]["se"] == 633
    effect = difference_in_means(exp.re78, exp.treat)
    # Neyman's SE by hand: sqrt(s1^2/n1 + s0^2/n0)
    assert effect.se == pytest.approx(np.sqrt(treated.var(ddof=1) / 185 + control.var(ddof=1) / 260), rel=1e-12)
    assert effect.lower < 1794.34 < effect.upper


@pytest.mark.parametrize("group", ["psid", "cps"])
def test_the_naive_differences_are_the_published_ones(group):
    treated = DATA.experimental.re78[DATA.experimental.treat == 1].to_numpy()
    control = getattr(DATA, group).re78.to_numpy()
    published = DATA.published[group]["naive"]
    assert published["checked"] == "data"
    assert round(treated.mean() - control.mean()) == published["estimate"]
    if published["se"] is not None:
        assert round(_pooled_se(treated, control)) == published["se"]


def test_every_published_figure_says_how_it_was_checked():
    pub = DATA.published
    entries = [pub["experimental"]] + [pub[g][k] for g in ("psid", "cps") for k in ("naive", "propensity")]
    assert all(str(e["checked"]) in ("data", "no", "paper") and "Table" in e["source"] for e in entries)


def test_the_design_is_dehejia_and_wahbas_terms():
    row = pd.DataFrame(
        [
            {
                "treat": 1,
                "age": 30,
                "educ": 10,
                "black": 1,
                "hispanic": 0,
                "married": 0,
                "nodegree": 1,
                "re74": 2000.0,
                "re75": 0.0,
                "re78": 0.0,
            }
        ]
    )
    # by hand: 1, age, age², educ, educ², married, nodegree, black, hispanic, re74, re75 ($1,000s),
    # re74², re75², u74, u75, educ·re74
    expected = [1, 30, 900, 10, 100, 0, 1, 1, 0, 2, 0, 4, 0, 0, 1, 20]
    np.testing.assert_array_equal(dehejia_wahba_design(row)[0], expected)


def test_a_broken_file_is_refused_with_file_line_and_column(tmp_path):
    for name in ("nsw_dw.csv", "psid1_controls.csv", "cps1_controls.csv", "published.yaml"):
        (tmp_path / name).write_bytes((LALONDE / name).read_bytes())
    frame = pd.read_csv(tmp_path / "psid1_controls.csv")
    frame.loc[6, "married"] = 2
    frame.to_csv(tmp_path / "psid1_controls.csv", index=False)
    with pytest.raises(LalondeDataError, match=r"psid1_controls.csv, line 8, column married: .*2.* is not 0 or 1"):
        load_lalonde(tmp_path)


def test_the_command_writes_what_is_committed(tmp_path):
    assert main(["lalonde", "--out", str(tmp_path)]) == 0
    stale = "validation/lalonde/ is stale: run python -m evaluation lalonde --out validation/lalonde"
    md = (tmp_path / "lalonde.md").read_text(encoding="utf-8")
    assert md == (VALIDATION / "lalonde" / "lalonde.md").read_text(encoding="utf-8"), stale
    result = json.loads((tmp_path / "lalonde.json").read_text(encoding="utf-8"))
    committed = json.loads((VALIDATION / "lalonde" / "lalonde.json").read_text(encoding="utf-8"))
    _assert_close(result, committed, stale)  # to rounding: linear algebra may differ in the last bits
    # the page prints the table's numbers
    cps = result["cps"]["matching_with_replacement"]["re78"]
    assert f"{cps['estimate']:,.0f} [{cps['lower']:,.0f}, {cps['upper']:,.0f}]".replace("-", "−") in md
    assert result["psid"]["naive"]["re78"]["upper"] < 0 and result["cps"]["naive"]["re78"]["upper"] < 0
    assert "not checked against the paper" in md


def _assert_close(a, b, message: str) -> None:
    if isinstance(a, dict):
        assert a.keys() == b.keys(), message
        for key in a:
            _assert_close(a[key], b[key], message)
    elif isinstance(a, float):
        assert a == pytest.approx(b, rel=1e-9, abs=1e-12), message
    else:
        assert a == b, message


def test_markdown_reads_the_result_it_is_given():
    result = lalonde_benchmark(DATA.experimental.iloc[::-1], DATA.psid.iloc[::4], DATA.cps.iloc[::5], DATA.published)
    md = lalonde_markdown(result)
    assert "PSID-1 (623 men) and CPS-1 (3,199 men)" in md
