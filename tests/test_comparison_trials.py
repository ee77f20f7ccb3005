"""Sequential target trials (issue 25): a hand-written example of three clients and five spells
whose every trial row is written out below, the rule that a client is never their own comparison,
and the refusals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evaluation.comparison.trials import ELAPSED_BANDS, build_trials, elapsed_band, half_year

CLIENTS = pd.DataFrame(
    {
        "client_id": ["c1", "c2", "c3"],
        "unemployed_since": pd.to_datetime(["2023-01-10", "2022-12-01", "2023-04-20"]),
        "enrolled": pd.to_datetime(["2023-03-15", "2023-05-02", "2023-04-25"]),
        "exit_date": pd.to_datetime(["2023-09-01", "2023-06-30", "2023-12-31"]),
        "outcome": ["employed_open", "work_trial", "censored"],
        "age_at_entry": [30, 50, 22],
        "sex": ["F", "M", "F"],
        "long_term_unemployed": [False, True, False],
        "health_limitations": [False, True, False],
        "education_level": ["basic", "upper_secondary", "tertiary"],
        "months_employed_3y": [10, 3, 20],
    }
)
SPELLS = pd.DataFrame(
    {
        "person_id": ["p1", "p1", "p2", "p3", "p4"],
        "unemployed_since": pd.to_datetime(["2023-01-01", "2023-04-20", "2022-06-01", "2023-03-01", "2023-05-02"]),
        "exit_date": pd.to_datetime(["2023-04-10", "2023-07-15", "2023-03-01", "2023-12-31", "2023-06-01"]),
        "outcome": ["employed_open", "retired", "other_exit", "censored", "education"],
        "age_at_spell_start": [40, 40, 60, 35, 19],
        "sex": ["M", "M", "F", "F", "M"],
        "health_limitations": [False, False, True, False, False],
        "education_level": ["basic", "basic", "basic", "tertiary", "basic"],
        "months_employed_3y": [24, 24, 0, 30, 2],
    }
)

# Every row by hand (days counted on the calendar). Trials: the months with an enrolment, March,
# April and May 2023. Time zero: a client's enrolment date; day 1 of the month for comparisons.
# p2's spell ends on 1 March (not unemployed *after* day 1) and p4's starts on 2 May: never eligible.
# c2 (unemployed since 1 Dec 2022, enrolled 2 May) is a comparison in March and April, censored
# at enrolment (status 0). c1 and c3 enrolled before May: not comparisons in May.
#   trial   cluster    treated time status elapsed age
EXPECTED_CENSOR = [
    ("2023-03", "client:c1", 1, 170, 1, 64, 30),  # 15 Mar -> 1 Sep; 10 Jan -> 15 Mar
    ("2023-03", "person:p1", 0, 40, 1, 59, 40 + 59 / 365.25),  # 1 Mar -> 10 Apr; 1 Jan -> 1 Mar
    ("2023-03", "person:p3", 0, 305, 0, 0, 35),  # 1 Mar -> 31 Dec, censored; starts on day 1
    ("2023-03", "client:c2", 0, 62, 0, 90, 50 - 62 / 365.25),  # 1 Mar -> 2 May (enrolment); 1 Dec -> 1 Mar
    ("2023-04", "client:c3", 1, 250, 0, 5, 22),  # 25 Apr -> 31 Dec; 20 Apr -> 25 Apr
    ("2023-04", "person:p1", 0, 9, 1, 90, 40 + 90 / 365.25),  # 1 Apr -> 10 Apr
    ("2023-04", "person:p3", 0, 274, 0, 31, 35 + 31 / 365.25),
    ("2023-04", "client:c2", 0, 31, 0, 121, 50 - 31 / 365.25),  # 1 Apr -> 2 May
    ("2023-05", "client:c2", 1, 59, 2, 152, 50),  # 2 May -> 30 Jun, work trial (activation)
    ("2023-05", "person:p1", 0, 75, 3, 11, 40 + 11 / 365.25),  # p1's second spell: 1 May -> 15 Jul, retired
    ("2023-05", "person:p3", 0, 244, 0, 61, 35 + 61 / 365.25),
]


def _as_tuples(frame: pd.DataFrame):
    cols = ["trial", "cluster", "treated", "time", "status", "elapsed_days"]
    rows = frame[cols].astype(object).to_numpy().tolist()
    return [tuple(r) for r in rows], frame["age"].to_numpy(dtype=float)


def test_hand_written_trials_with_clients_censored_at_enrolment():
    trials = build_trials(CLIENTS, SPELLS)
    rows, age = _as_tuples(trials)
    assert rows == [r[:6] for r in EXPECTED_CENSOR]
    np.testing.assert_allclose(age, [r[6] for r in EXPECTED_CENSOR], rtol=1e-6)  # float32
    # 64, 59, 0, 90 days: under 3 months (91.3 days); 121 and 152: 3-6 months
    assert list(trials["elapsed_band"].astype(str)) == ["0-3"] * 4 + ["0-3", "0-3", "0-3", "3-6"] + [
        "3-6",
        "0-3",
        "0-3",
    ]
    assert list(trials["client_comparison"]) == [0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0]
    # the covariates both tables have; long_term_unemployed is the clients' only
    assert {"sex", "health_limitations", "education_level", "months_employed_3y"} <= set(trials.columns)
    assert "long_term_unemployed" not in trials.columns
    assert trials.loc[3, "months_employed_3y"] == 3 and trials.loc[3, "sex"] == "M"


def test_hand_written_trials_keeping_clients_to_their_exit():
    trials = build_trials(CLIENTS, SPELLS, clients_as_comparisons="keep")
    rows, _ = _as_tuples(trials)
    expected = [r[:6] for r in EXPECTED_CENSOR]
    # c2 followed as if not enrolled: 1 Mar -> 30 Jun = 121 days, 1 Apr -> 30 Jun = 90, work trial (2)
    expected[3] = ("2023-03", "client:c2", 0, 121, 2, 90)
    expected[7] = ("2023-04", "client:c2", 0, 90, 2, 121)
    assert rows == expected


def test_hand_written_trials_excluding_clients_as_comparisons_and_a_window():
    trials = build_trials(CLIENTS, SPELLS, clients_as_comparisons="exclude")
    rows, _ = _as_tuples(trials)
    assert rows == [r[:6] for r in EXPECTED_CENSOR if not (r[1] == "client:c2" and r[2] == 0)]
    window = build_trials(CLIENTS, SPELLS, first="2023-04", last="2023-04")
    assert list(window["trial"].cat.categories) == ["2023-04"] and len(window) == 4


def _random(seed: int = 8, n_clients: int = 80, n_spells: int = 2000):
    rng = np.random.default_rng(seed)
    enrolled = pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 700, n_clients), "D")
    clients = pd.DataFrame(
        {
            "client_id": [f"c{i}" for i in range(n_clients)],
            "unemployed_since": enrolled - pd.to_timedelta(rng.integers(0, 500, n_clients), "D"),
            "enrolled": enrolled,
            "exit_date": enrolled + pd.to_timedelta(rng.integers(0, 400, n_clients), "D"),
            "outcome": rng.choice(["employed_open", "retired", "censored"], n_clients),
        }
    )
    since = pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 1200, n_spells), "D")
    spells = pd.DataFrame(
        {
            "person_id": [f"p{i}" for i in range(n_spells)],
            "unemployed_since": since,
            "exit_date": since + pd.to_timedelta(rng.integers(0, 600, n_spells), "D"),
            "outcome": rng.choice(["employed_open", "other_exit", "censored"], n_spells),
        }
    )
    return clients, spells


@pytest.mark.parametrize("handling", ["censor", "keep"])
def test_a_client_is_never_their_own_comparison_and_each_person_is_once_per_trial(handling):
    clients, spells = _random()
    trials = build_trials(clients, spells, clients_as_comparisons=handling)
    for _, trial in trials.groupby("trial", observed=True):
        treated = set(trial.loc[trial["treated"] == 1, "cluster"])
        controls = set(trial.loc[trial["treated"] == 0, "cluster"])
        assert treated and not treated & controls
        assert trial["cluster"].is_unique
    assert trials["client_comparison"].sum() > 0  # clients do serve, in the months before theirs
    assert (trials["time"] >= 0).all() and (trials["elapsed_days"] >= 0).all()
    assert trials["treated"].sum() == len(clients)
    assert trials["treated"].dtype == np.int8 and trials["time"].dtype == np.int32
    assert trials["cluster"].dtype == "category" and trials["trial"].cat.ordered
    assert trials.attrs["covariates_left_out"] == [
        "age",
        "sex",
        "health_limitations",
        "education_level",
        "months_employed_3y",
    ]


def test_missing_unemployed_since_is_refused_by_name():
    with pytest.raises(ValueError, match="clients table has no column unemployed_since.*elapsed-unemployment clock"):
        build_trials(CLIENTS.drop(columns="unemployed_since"), SPELLS)
    with pytest.raises(ValueError, match="comparison table has no column exit_date"):
        build_trials(CLIENTS, SPELLS.drop(columns="exit_date"))


def test_bad_dates_codes_and_options_are_refused():
    late = CLIENTS.assign(unemployed_since=pd.to_datetime(["2023-04-01", "2022-12-01", "2023-04-20"]))
    with pytest.raises(ValueError, match=r"unemployed_since <= enrolled fails for 1 row\(s\) \(ids c1\)"):
        build_trials(late, SPELLS)
    with pytest.raises(ValueError, match="unknown outcome code.*hired"):
        build_trials(CLIENTS, SPELLS.assign(outcome=["hired"] * 5))
    with pytest.raises(ValueError, match="clients_as_comparisons must be one of censor, keep, exclude"):
        build_trials(CLIENTS, SPELLS, clients_as_comparisons="drop")
    with pytest.raises(ValueError, match="no client enrolled"):
        build_trials(CLIENTS, SPELLS, first="2024-01")


def test_bands_and_half_years():
    # a month is 365.25 / 12 = 30.4375 days: 3 months = 91.3125 days
    assert list(elapsed_band([0, 91, 92, 182, 183, 365, 366, 730, 731]).astype(str)) == [
        "0-3",
        "0-3",
        "3-6",
        "3-6",
        "6-12",
        "6-12",
        "12-24",
        "12-24",
        "24+",
    ]
    assert [b[0] for b in ELAPSED_BANDS] == ["0-3", "3-6", "6-12", "12-24", "24+"]
    assert list(half_year(["2023-06", "2023-07", "2024-01"])) == ["2023H1", "2023H2", "2024H1"]


def test_the_loaders_nullable_dtypes_are_read():
    # the dataset loader types ints as Int64, booleans as boolean and codes as categories, with <NA>
    clients = CLIENTS.astype(
        {"age_at_entry": "Int64", "months_employed_3y": "Int64", "health_limitations": "boolean", "sex": "category"}
    )
    clients.loc[0, "age_at_entry"] = pd.NA
    spells = SPELLS.astype({"health_limitations": "boolean", "education_level": "category"})
    trials = build_trials(clients, spells)
    plain = build_trials(CLIENTS, SPELLS)
    assert np.isnan(trials.loc[0, "age"]) and trials.loc[1:, "age"].equals(plain.loc[1:, "age"])
    for col in ("health_limitations", "months_employed_3y", "sex", "education_level", "time", "status"):
        assert trials[col].equals(plain[col]), col
