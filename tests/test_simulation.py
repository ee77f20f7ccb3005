"""The coverage study: its machinery on a case with a known answer, its determinism, its output."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evaluation.cli import main
from evaluation.files import NotOurFolder
from evaluation.sectors import wilson_interval
from evaluation.simulation import coverage_table, study, write_study


def _binomial_rows(p: float, n: int, reps: int, interval) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    rows = []
    for rep, k in enumerate(rng.binomial(n, p, reps)):
        lower, upper = interval(int(k), n)
        rows.append(
            {
                "rep": rep,
                "quantity": "p",
                "kind": "interval",
                "estimate": k / n,
                "se": math.sqrt(k / n * (1 - k / n) / n),
                "lower": lower,
                "upper": upper,
                "reject": None,
            }
        )
    return pd.DataFrame(rows)


def _exact_coverage(p: float, n: int, interval) -> float:
    """The coverage of an interval for a binomial proportion, summed over every outcome k."""
    return sum(stats.binom.pmf(k, n, p) for k in range(n + 1) if interval(k, n)[0] <= p <= interval(k, n)[1])


def wilson(k, n):
    est = wilson_interval(k, n)
    return est.lower, est.upper


def wald(k, n):
    half = 1.959963984540054 * math.sqrt(k / n * (1 - k / n) / n)
    return k / n - half, k / n + half


# Wilson at p = 0.1, n = 30 covers 0.974 (over 95 %, as it does for small p); Wald 0.808 (under)
@pytest.mark.parametrize("interval, verdict", [(wilson, "over"), (wald, "under")])
def test_coverage_of_a_binomial_interval_matches_its_exact_value(interval, verdict):
    p, n, reps = 0.1, 30, 4000
    table = coverage_table(_binomial_rows(p, n, reps, interval), {"p": p})
    row = table.loc["p"]
    exact = _exact_coverage(p, n, interval)
    assert row["coverage"] == pytest.approx(exact, abs=4 * row["mc_error"])
    assert row["mc_error"] == pytest.approx(math.sqrt(row["coverage"] * (1 - row["coverage"]) / reps))
    assert row["bias"] == pytest.approx(row["mean"] - p) and abs(row["bias"]) < 4 * math.sqrt(p * (1 - p) / n / reps)
    assert row["verdict"] == verdict


def test_rejection_rate_of_a_valid_and_of_a_liberal_test():
    rng = np.random.default_rng(4)
    reps = 2000
    uniform = rng.random(reps)  # p-values of a valid test under the null
    rows = pd.DataFrame(
        {
            "rep": range(reps),
            "quantity": "valid",
            "kind": "test",
            "estimate": uniform,
            "se": None,
            "lower": None,
            "upper": None,
            "reject": uniform < 0.05,
        }
    )
    liberal = rows.assign(quantity="liberal", reject=uniform < 0.08)
    table = coverage_table(pd.concat([rows, liberal]), {"valid": 0.05, "liberal": 0.05})
    assert table.loc["valid", "verdict"] == "ok"
    assert table.loc["liberal", "verdict"] == "too many rejections"


@pytest.mark.heavy  # starts a process pool
def test_study_is_the_same_on_one_worker_and_two(tmp_path):
    coverage, rows, facts = study(4, 80, seed=9, workers=1)
    _, rows2, _ = study(4, 80, seed=9, workers=2)
    pd.testing.assert_frame_equal(rows, rows2)
    # a Dask scheduler gets the same tasks through evaluation.parallel.run_tasks, whose Dask path
    # tests/test_batch.py runs on a local cluster; replication r is seeded [seed, r] wherever it runs
    # every quantity of the table, each with its truth (the Fine-Gray coefficients have none)
    assert set(coverage.index) >= {
        "cif.employment.365d",
        "no_exit.730d",
        "rmst.180d",
        "cox.employment.long_term_unemployed",
        "continuation.company_minus_association",
        "gray.employment.sex (null)",
    }
    assert coverage.loc[[q for q in coverage.index if q.startswith("finegray.")], "verdict"].eq("no truth").all()
    assert facts["replications"] == 4 and facts["clients"] == 80


@pytest.mark.heavy  # runs the simulate command three times
def test_simulate_command_writes_whole_and_never_over_a_foreign_folder(tmp_path, capsys):
    out = tmp_path / "study"
    assert main(["simulate", "--reps", "3", "--clients", "60", "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["coverage.csv", "coverage.md", "replications.csv.gz", "study.json"]
    text = (out / "coverage.md").read_text()
    assert "3 registers of 60 clients" in text and "| cif.employment.365d |" in text
    assert main(["simulate", "--reps", "2", "--clients", "60", "--out", str(out)]) == 0  # its own folder: replaced
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep")
    assert main(["simulate", "--reps", "2", "--clients", "60", "--out", str(foreign)]) == 2
    assert (foreign / "notes.txt").read_text() == "keep" and len(list(foreign.iterdir())) == 1
    assert "error:" in capsys.readouterr().err
    with pytest.raises(NotOurFolder):
        write_study(foreign, pd.DataFrame(), pd.DataFrame(), {})


def _study_folder(root, name, clients, rows, design="cause_specific"):
    import json

    folder = root / name
    folder.mkdir(parents=True)
    (folder / "study.json").write_text(
        json.dumps({"replications": 1000, "clients": clients, "alpha": 0.05, "design": design})
    )
    pd.DataFrame(rows).set_index("quantity").to_csv(folder / "coverage.csv")


def test_coverage_notes_read_the_nearest_study_that_knows_the_truth(tmp_path):
    from evaluation.validation import coverage_notes

    row = {"kind": "interval", "replications": 1000}
    _study_folder(
        tmp_path,
        "small",
        150,
        [
            {"quantity": "cox.employment.age", **row, "coverage": 0.929, "verdict": "under"},
            {"quantity": "cox.employment.ltu", **row, "coverage": 0.945, "verdict": "ok"},
            {"quantity": "finegray.employment.age", **row, "coverage": float("nan"), "verdict": "no truth"},
        ],
    )
    _study_folder(
        tmp_path,
        "large",
        1500,
        [
            {"quantity": "cox.employment.age", **row, "coverage": 0.951, "verdict": "ok"},
            {"quantity": "finegray.employment.age", **row, "coverage": 0.972, "verdict": "over"},
        ],
    )
    notes = coverage_notes(
        {"cox.employment.age": "age", "cox.employment.ltu": "LTU"}, 200, of="the hazard ratio of", folder=tmp_path
    )
    # 200 clients: the 150-client study is nearer (log scale); its band is 95 +- 1.96 sqrt(.95 .05 / 1000)
    half = 100 * 1.959963984540054 * math.sqrt(0.95 * 0.05 / 1000)
    assert notes[0].startswith(
        "Coverage study (small: 1,000 registers of 150 clients drawn from a known truth): "
        "the 95 % intervals of the hazard ratio of age covered the truth in 92.9 % of them "
        f"(Monte Carlo band {95 - half:.1f}–{95 + half:.1f} %)"
    )
    assert notes[1] == (
        "Coverage study (small, 150 clients): the intervals of the hazard ratio of LTU covered the truth "
        "as often as they should."
    )
    # the Fine-Gray coefficient has no truth in the small study: the large one speaks, whatever the size
    assert "over 95" not in coverage_notes(["finegray.employment.age"], 150, folder=tmp_path)[0]
    assert coverage_notes(["finegray.employment.age"], 150, folder=tmp_path)[0].startswith("Coverage study (large:")
    assert coverage_notes(["nothing.like.this"], 150, folder=tmp_path) == []
    # a quantity estimable in few registers (a level of 5 clients): the study does not speak for it
    _study_folder(
        tmp_path,
        "rare",
        150,
        [{"quantity": "cox.employment.x", "kind": "interval", "replications": 20, "coverage": 1.0, "verdict": "ok"}],
    )
    assert coverage_notes(["cox.employment.x"], 150, folder=tmp_path) == [
        "Coverage study (rare): cox.employment.x (20) could be estimated in too few of its 1,000 registers "
        "(in brackets) for it to say."
    ]
    # two studies of one size: the default (cause-specific) process speaks first
    both = tmp_path / "both"
    for name, design in (("a_variant", "fine_gray"), ("z_default", "cause_specific")):
        _study_folder(
            both,
            name,
            150,
            [
                {
                    "quantity": "cif.employment.365d",
                    "kind": "interval",
                    "replications": 1000,
                    "coverage": 0.95,
                    "verdict": "ok",
                }
            ],
            design,
        )
    assert coverage_notes(["cif.employment.365d"], 150, folder=both)[0].startswith("Coverage study (z_default,")
