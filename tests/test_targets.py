"""Targets computed from data, checked against hand calculations on a tiny dataset."""

from __future__ import annotations

import pandas as pd
import pytest

from evaluation.dataset import Dataset
from evaluation.targets import check_targets, compute_target, load_published_targets, target_problems


def tiny() -> Dataset:
    clients = pd.DataFrame({"client_id": list("abcde"),
                            "outcome_group": ["employment", "employment", "activation", "retirement", "censored"]})
    placements = pd.DataFrame({"sector": ["company", "company", "association", "other"],
                               "subsidy_eur": [300.0, 300.0, 200.0, 200.0],
                               "continued": pd.array([True, False, True, False], dtype="boolean")})
    monthly = pd.DataFrame({"month": pd.period_range("2016-06", "2016-08", freq="M"),
                            "unemployed": [100, 80, 60], "activation_rate": [20.0, None, 30.0]})
    return Dataset(clients, placements, monthly, meta={}, path=None)


@pytest.mark.parametrize("compute,expected", [
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
])
def test_compute_by_hand(compute, expected):
    assert compute_target(tiny(), {"compute": compute}) == (pytest.approx(expected) if expected is not None else None)


def test_pass_and_miss_and_unavailable():
    targets = [
        {"id": "a", "fact": "", "value": 0.4, "unit": "share", "comparison": "approx", "tolerance": 0.005,
         "compute": {"kind": "group_share", "group": "employment"}},
        {"id": "b", "fact": "", "value": 0.45, "unit": "share", "comparison": "approx", "tolerance": 0.005,
         "compute": {"kind": "group_share", "group": "employment"}},
        {"id": "c", "fact": "", "value": 1, "unit": "count", "comparison": "greater_than",
         "compute": {"kind": "group_count", "group": "retirement"}},
        {"id": "d", "fact": "", "value": 20, "unit": "percent", "comparison": "approx", "tolerance": 0.05,
         "compute": {"kind": "monthly_value", "column": "activation_rate", "month": "2016-07"}},
    ]
    assert target_problems(targets) == []
    table = check_targets(tiny(), targets).set_index("id")
    assert table["pass"].to_dict() == {"a": True, "b": False, "c": False, "d": False}
    assert pd.isna(table.at["d", "computed"])
    assert check_targets(tiny(), []).empty


def test_published_file_is_complete_and_well_formed():
    targets = load_published_targets()
    assert [t["id"] for t in targets] == [
        "clients_total", "share_employed", "share_work_trial_or_rehab", "retired", "unemployed_start",
        "unemployed_2019_03", "ltu_halved", "u25_halved", "activation_2016_06", "activation_2019_01",
        "subsidy_share_company", "subsidy_share_association", "company_continuation_majority"]
    assert all(t["finnish"] for t in targets)
    assert target_problems([{"id": "x"}])  # missing keys are reported
