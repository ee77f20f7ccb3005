"""Targets computed from data, checked against hand calculations on a tiny dataset."""

from __future__ import annotations

import pandas as pd
import pytest

from evaluation.dataset import Dataset, load_published_targets, target_problems
from evaluation.targets import check_targets, compute_target


def tiny() -> Dataset:
    clients = pd.DataFrame(
        {
            "client_id": list("abcde"),
            "outcome_group": ["employment", "employment", "activation", "retirement", "censored"],
        }
    )
    placements = pd.DataFrame(
        {
            "sector": ["company", "company", "association", "other"],
            "subsidy_eur": [300.0, 300.0, 200.0, 200.0],
            "continued": pd.array([True, False, True, False], dtype="boolean"),
        }
    )
    monthly = pd.DataFrame(
        {
            "month": pd.period_range("2016-06", "2016-08", freq="M"),
            "unemployed": [100, 80, 60],
            "activation_rate": [20.0, None, 30.0],
        }
    )
    return Dataset(clients, placements, monthly, meta={}, path=None)


@pytest.mark.parametrize(
    "compute,expected",
    [
        ({"kind": "client_count"}, 5.0),
        ({"kind": "group_share", "group": "employment"}, 2 / 5),
        ({"kind": "group_count", "group": "retirement"}, 1.0),
        ({"kind": "group_share", "group": "other"}, 0.0),
        ({"kind": "monthly_value", "column": "unemployed", "month": "2016-07"}, 80.0),
        ({"kind": "monthly_value", "column": "activation_rate", "month": "2016-07"}, None),
        ({"kind": "monthly_ratio", "column": "unemployed", "start": "2016-06", "end": "2016-08"}, 60 / 100),
        ({"kind": "monthly_value", "column": "long_term_unemployed", "month": "2016-07"}, None),
        ({"kind": "subsidy_share", "sector": "company"}, 600 / 1000),
        ({"kind": "subsidy_share", "sector": "municipality"}, 0.0),
        ({"kind": "continuation_share", "sector": "company"}, 1 / 2),
        ({"kind": "continuation_share", "sector": "municipality"}, None),
    ],
)
def test_compute_by_hand(compute, expected):
    assert compute_target(tiny(), {"compute": compute}).value == (
        pytest.approx(expected) if expected is not None else None
    )


def test_pass_and_miss_and_unavailable():
    targets = [
        {
            "id": "a",
            "fact": "",
            "value": 0.4,
            "unit": "share",
            "comparison": "approx",
            "tolerance": 0.005,
            "compute": {"kind": "group_share", "group": "employment"},
        },
        {
            "id": "b",
            "fact": "",
            "value": 0.45,
            "unit": "share",
            "comparison": "approx",
            "tolerance": 0.005,
            "compute": {"kind": "group_share", "group": "employment"},
        },
        {
            "id": "c",
            "fact": "",
            "value": 1,
            "unit": "count",
            "comparison": "greater_than",
            "compute": {"kind": "group_count", "group": "retirement"},
        },
        {
            "id": "d",
            "fact": "",
            "value": 20,
            "unit": "percent",
            "comparison": "approx",
            "tolerance": 0.05,
            "compute": {"kind": "monthly_value", "column": "activation_rate", "month": "2016-07"},
        },
    ]
    assert target_problems(targets) == []
    table = check_targets(tiny(), targets).set_index("id")
    assert table["pass"].to_dict() == {"a": True, "b": False, "c": False, "d": False}
    # an empty cell is "not available", not a miss (issue 17)
    assert table["status"].to_dict() == {"a": "pass", "b": "miss", "c": "miss", "d": "not available"}
    assert table.at["d", "computed"] is None and table.at["d", "reason"] == "activation_rate is empty in 2016-07"
    assert check_targets(tiny(), []).empty


def test_official_statistics_statuses_by_hand():
    """Haapavesi in StatFin 12r5 (FACTS.md): unemployed 408 (2016-07) and 249 (2019-03); under 25
    80 -> 34; in January 2019 267 unemployed and services 40 + 0 + 10 + (suppressed) + (suppressed)
    + 63 = 113 + s, s in 2..8: rate 115/382 = 30.10 % to 121/388 = 31.19 %."""
    from evaluation import load_dataset
    from evaluation.paths import DEFAULT_DATASET
    from evaluation.targets import require_all_pass

    ds = load_dataset(DEFAULT_DATASET)
    assert ds.sources == {
        "clients": "synthetic",
        "placements": "synthetic",
        "monthly": "official",
        "comparison": "synthetic",
    }
    table = check_targets(ds).set_index("id")
    assert table.loc[["unemployed_start", "unemployed_2019_03", "ltu_halved"], "status"].eq("pass").all()
    assert table.at["u25_halved", "computed"] == pytest.approx(34 / 80)
    assert table.at["u25_halved", "status"] == "miss"
    assert table.at["u25_halved", "reason"] == "the official statistics give 0.425 (80 in 2016-07, 34 in 2019-03)"
    row = table.loc["activation_2019_01"]
    assert row["status"] == "not reproducible from public statistics" and row["computed"] is None
    assert (row["computed_lower"], row["computed_upper"]) == (
        pytest.approx(100 * 115 / 382, abs=0.005),
        pytest.approx(100 * 121 / 388, abs=0.005),
    )
    assert "30.10 %–31.19 %" in row["reason"] and "another definition or source" in row["reason"]
    require_all_pass(table.reset_index())  # findings about the report do not fail --strict


def test_published_file_is_complete_and_well_formed():
    targets = load_published_targets()
    assert [t["id"] for t in targets] == [
        "clients_total",
        "share_employed",
        "share_work_trial_or_rehab",
        "retired",
        "unemployed_start",
        "unemployed_2019_03",
        "ltu_halved",
        "u25_halved",
        "activation_2016_06",
        "activation_2019_01",
        "subsidy_share_company",
        "subsidy_share_association",
        "company_continuation_majority",
    ]
    assert all(t["finnish"] for t in targets)
    assert target_problems([{"id": "x"}])  # missing keys are reported
