"""Privacy: identifying columns are refused; disclosure control suppresses small counts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evaluation import DatasetError, load_dataset
from evaluation.privacy import DisclosureControl

VALID_HETU = "131052-308T"   # the example code of the Population Register Centre's documentation
LOOKALIKE = "131052-308U"    # same shape, wrong check character: not an identity code


def add_column(folder, name, values):
    frame = pd.read_csv(folder / "clients.csv", dtype=str, keep_default_na=False)
    frame[name] = values[: len(frame)] if isinstance(values, list) else values
    frame.to_csv(folder / "clients.csv", index=False)


def test_identity_code_column_is_refused_without_echoing_it(dataset_copy):
    codes = ["x"] * 150
    codes[6] = VALID_HETU
    add_column(dataset_copy, "tunniste", codes)
    with pytest.raises(DatasetError) as info:
        load_dataset(dataset_copy)
    (v,) = info.value.violations
    assert (v.file, v.line, v.column) == ("clients.csv", 8, "tunniste")
    assert "personal identity code" in v.rule and "salted hash" in v.rule
    assert VALID_HETU not in str(info.value)


def test_identity_code_lookalike_with_bad_checksum_is_not_refused(dataset_copy):
    add_column(dataset_copy, "tunniste", LOOKALIKE)
    assert load_dataset(dataset_copy).clients["tunniste"].eq(LOOKALIKE).all()


def test_identity_code_as_client_id_is_refused(dataset_copy):
    frame = pd.read_csv(dataset_copy / "clients.csv", dtype=str, keep_default_na=False)
    frame.loc[0, "client_id"] = "010101A123N"
    frame.to_csv(dataset_copy / "clients.csv", index=False)
    with pytest.raises(DatasetError, match="clients.csv, line 2, column client_id"):
        load_dataset(dataset_copy)


@pytest.mark.parametrize("name,value,words", [
    ("sukunimi", "Virtanen", "column name"),
    ("Email", "x", "column name"),
    ("contact", "matti.virtanen@example.fi", "e-mail"),
    ("yhteys", "040 123 4567", "phone"),
])
def test_names_emails_and_phones_are_refused(dataset_copy, name, value, words):
    add_column(dataset_copy, name, value)
    with pytest.raises(DatasetError) as info:
        load_dataset(dataset_copy)
    assert any(v.column == name and words in v.rule for v in info.value.violations)


def test_suppression_by_hand():
    dc = DisclosureControl(active=True, min_cell=5)
    # one small cell (3) in a 1-D table with a known total: the next smallest (7) goes too
    mask = dc.suppress_mask(np.array([[40], [3], [7], [60]])).ravel()
    assert mask.tolist() == [False, True, True, False]
    # 2-D: row and column totals known; 2 at (0,1) forces a second cell in row 0 and column 1
    table = np.array([[10, 2, 30], [20, 25, 40]])
    mask = dc.suppress_mask(table)
    assert mask[0, 1] and mask.sum(axis=1)[0] >= 2 and mask.sum(axis=0)[1] >= 2
    for line in list(mask) + list(mask.T):
        assert line.sum() != 1  # no suppressed cell is alone in its row or column
    assert not DisclosureControl(active=False).suppress_mask(table).any()


def test_metrics_suppression_with_complement():
    dc = DisclosureControl(active=True)
    metrics = {"clients.n": 150, "outcomes.a.n": 100, "outcomes.a.share": 0.667, "outcomes.b.n": 3,
               "outcomes.b.share": 0.02, "outcomes.c.n": 47, "outcomes.c.share": 0.313}
    out = dc.metrics(metrics)
    assert out["outcomes.b.n"] is None and out["outcomes.b.share"] is None
    assert out["outcomes.c.n"] is None  # otherwise b = 150 - 100 - c
    assert out["clients.n"] == 150 and out["outcomes.a.n"] == 100
    assert dc.text_counts("F 58, M 90, X 2") == "F 58, M 90, X <5"
