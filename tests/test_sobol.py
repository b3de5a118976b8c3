"""Sobol indices (feasibility.analysis.sobol) against closed forms, and on the default case.

For ``Y = sum_i a_i X_i`` with independent inputs, ``S1_i = ST_i = a_i^2 Var X_i / Var Y``
(no interactions). For ``Y = X1 X2`` with X1, X2 independent uniform on (0, 1):
Var Y = 7/144, V1 = V2 = 1/48, so S1 = 3/7 each and ST = (1/48 + 1/144) / (7/144) = 4/7 each.
"""

import numpy as np
import pytest
from scipy import stats

from feasibility import load_case
from feasibility.analysis.sobol import sobol_indices, sobol_of_case

UNIFORM = stats.uniform(0, 1).ppf


def test_a_linear_function_of_independent_inputs():
    ppf = {"a": UNIFORM, "b": stats.norm(0, 2).ppf, "none": UNIFORM}
    t = sobol_indices(lambda v: 3 * v["a"] + v["b"], ppf, n=4096)
    var = {"a": 9 / 12, "b": 4.0}
    total = sum(var.values())
    for k in ("a", "b"):
        assert t.loc[k, "S1"] == pytest.approx(var[k] / total, abs=max(0.02, 2 * t.loc[k, "S1_conf"]))
        assert t.loc[k, "ST"] == pytest.approx(var[k] / total, abs=max(0.02, 2 * t.loc[k, "ST_conf"]))
    assert abs(t.loc["none", "ST"]) < 0.01 and t.index[0] == "b"


def test_an_interaction_shows_in_the_total_order_only():
    t = sobol_indices(lambda v: v["x1"] * v["x2"], {"x1": UNIFORM, "x2": UNIFORM}, n=8192)
    for k in ("x1", "x2"):
        assert t.loc[k, "S1"] == pytest.approx(3 / 7, abs=0.03)
        assert t.loc[k, "ST"] == pytest.approx(4 / 7, abs=0.03)


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="power of 2"):
        sobol_indices(lambda v: v["a"], {"a": UNIFORM}, n=100)
    with pytest.raises(ValueError, match="undefined in"):
        sobol_indices(lambda v: np.where(v["a"] > 0.5, np.nan, 1.0), {"a": UNIFORM}, n=64)


def test_the_default_case_region_npv():
    t = sobol_of_case(load_case(), n=256)
    assert set(t.columns) == {"S1", "S1_conf", "ST", "ST_conf"} and len(t) > 10
    assert (t["ST"] >= t["S1"] - t["S1_conf"] - t["ST_conf"] - 0.02).all()  # an input's total effect includes its own
    assert t["S1"].sum() <= 1 + t["S1_conf"].sum()
