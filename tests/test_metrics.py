from __future__ import annotations

import json

import numpy as np
import pytest

from evaluation.metrics import read_metrics, record


def test_record_merges_sorts_and_converts(tmp_path):
    record(tmp_path, {"b.x": np.int64(3), "a.y": np.float64(0.5)})
    record(tmp_path, {"b.x": 4, "c": None, "d": float("nan"), "e": np.bool_(True), "f": "2016-07"})
    assert read_metrics(tmp_path) == {"a.y": 0.5, "b.x": 4, "c": None, "d": None, "e": True, "f": "2016-07"}
    assert list(json.loads((tmp_path / "metrics.json").read_text())) == ["a.y", "b.x", "c", "d", "e", "f"]


def test_record_refuses_tables_and_bad_keys(tmp_path):
    with pytest.raises(TypeError, match="not a number"):
        record(tmp_path, {"x": [1, 2]})
    with pytest.raises(ValueError, match="dotted name"):
        record(tmp_path, {"a b": 1})
    assert not (tmp_path / "metrics.json").exists()
