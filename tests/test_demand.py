"""Tests for feasibility.domain.demand against known truths (synthetic series with known
parameters, hand-computed accuracy measures), plus the real Karangantu series."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from feasibility.case import DEFAULT_CASE
from scipy import stats

from feasibility.domain import demand as d

DATA = DEFAULT_CASE.parent / "history"
YEARS = np.arange(2005, 2017)  # 12 points


def _geometric(g=0.07, v0=1000.0, years=YEARS):
    return v0 * (1 + g) ** (years - years[0])


# ---------------------------------------------------------------------------
# growth recovery


def _wiggled(g=0.07):
    """Geometric growth with a 0.1 % wiggle strictly between the end points (an exact curve is refused)."""
    w = np.where(np.arange(YEARS.size) % 2 == 1, 1.001, 1.0)
    w[-1] = 1.0
    return _geometric(g) * w


@pytest.mark.parametrize("fit", [d.fit_cagr, d.fit_loglinear, d.fit_rw_drift])
def test_geometric_growth_recovered(fit):
    v = _wiggled(0.07)
    m = fit(YEARS, v)
    # cagr and rw_drift use the end points only: exact; loglinear's slope moves < 1e-4 with the wiggle
    tol = 1e-4 if fit is d.fit_loglinear else 1e-12
    assert m.params["growth"] == pytest.approx(0.07, abs=tol)
    fc = m.forecast(3)
    np.testing.assert_array_equal(fc.years, [2017, 2018, 2019])
    if fit is d.fit_loglinear:  # the trend line, growing at the fitted rate
        np.testing.assert_allclose(fc.point[1:] / fc.point[:-1], 1 + m.params["growth"], rtol=1e-12)
    else:  # from the last value
        np.testing.assert_allclose(fc.point, v[-1] * 1.07 ** np.arange(1, 4), rtol=1e-9)


@pytest.mark.parametrize(
    "fit, values, what",
    [
        (d.fit_cagr, _geometric(0.07), "one constant growth rate"),
        (d.fit_rw_drift, _geometric(0.07), "one constant growth rate"),
        (d.fit_loglinear, _geometric(0.07), "an exponential trend"),
        (d.fit_naive, np.full(YEARS.size, 50.0), "one constant value"),
    ],
    ids=["cagr", "rw_drift", "loglinear", "naive"],
)
def test_an_exact_series_is_refused_not_given_zero_width_intervals(fit, values, what):
    with pytest.raises(d.SeriesError, match=f"port: every point lies exactly on {what} .* zero width"):
        fit(YEARS, values, name="port")


def test_cagr_is_the_random_walk_with_drift_with_the_drift_uncertainty():
    # log(1 + CAGR) is the mean annual log growth, so the intervals must be rw_drift's (which
    # include the drift's estimation error), not the 16-27 % narrower ones of a known drift
    v = np.array([100, 108, 112, 125, 131, 140, 155, 160, 171.0])
    years = np.arange(2010, 2019)
    a, b = d.fit_cagr(years, v).forecast(10), d.fit_rw_drift(years, v).forecast(10)
    np.testing.assert_allclose(a.point, b.point, rtol=1e-12)
    np.testing.assert_allclose(a.upper95, b.upper95, rtol=1e-12)
    assert d.fit_cagr(years, v).params["growth"] == pytest.approx((171 / 100) ** (1 / 8) - 1, rel=1e-12)


def test_noisy_growth_recovered_within_tolerance():
    # 20 years of 5 %/yr growth with 3 % lognormal noise around the trend: the
    # OLS slope se is about 0.03/sqrt(665) = 0.0012, so 0.005 is > 4 se.
    rng = np.random.default_rng(7)
    years = np.arange(2000, 2020)
    v = 500 * np.exp(math.log(1.05) * (years - 2000) + 0.03 * rng.standard_normal(years.size))
    assert d.fit_loglinear(years, v).params["growth"] == pytest.approx(0.05, abs=0.005)
    # CAGR uses only the end points: error up to ~ 0.03*sqrt(2)*3/19 ~ 0.007
    assert d.fit_cagr(years, v).params["growth"] == pytest.approx(0.05, abs=0.01)


def test_input_order_does_not_matter():
    v = _wiggled(0.04)
    perm = np.random.default_rng(0).permutation(YEARS.size)
    a = d.fit_loglinear(YEARS, v).forecast(2)
    b = d.fit_loglinear(YEARS[perm], v[perm]).forecast(2)
    np.testing.assert_allclose(a.point, b.point, rtol=1e-12)


# ---------------------------------------------------------------------------
# logistic


def test_logistic_recovers_k_and_t0():
    # exact logistic plus 0.5 % multiplicative noise; tolerance 0.02/yr for k, 0.5 yr for t0
    C, k, t0 = 25.0, 0.35, 2012.0
    years = np.arange(2000, 2022)
    rng = np.random.default_rng(3)
    v = C / (1 + np.exp(-k * (years - t0))) * (1 + 0.005 * rng.standard_normal(years.size))
    m = d.fit_logistic(years, v, ceiling=C)
    assert m.params["k"] == pytest.approx(k, abs=0.02)
    assert m.params["t0"] == pytest.approx(t0, abs=0.5)
    fc = m.forecast(5)
    assert np.all(fc.point < C)
    assert np.all(np.diff(fc.point) > 0)
    assert np.all(fc.lower95 <= fc.lower80) and np.all(fc.lower80 <= fc.point)
    assert np.all(fc.point <= fc.upper80) and np.all(fc.upper80 <= fc.upper95)


def test_logistic_exact_curve_to_tight_tolerance():
    C, k, t0 = 100.0, 0.5, 2010.0
    years = np.arange(2004, 2016).astype(float)
    v = C / (1 + np.exp(-k * (years - t0)))
    v = v * (1 + 1e-7 * np.cos(years))  # tiny wiggle: an exact curve is refused (zero-width intervals)
    m = d.fit_logistic(years, v, ceiling=C)
    assert m.params["k"] == pytest.approx(k, abs=1e-5)
    assert m.params["t0"] == pytest.approx(t0, abs=1e-4)
    with pytest.raises(d.SeriesError, match="every point lies exactly on the logistic curve to the ceiling 100"):
        d.fit_logistic(years, C / (1 + np.exp(-k * (years - t0))), ceiling=C)


def test_logistic_ceiling_below_last_observation():
    years = np.arange(2001, 2008)
    v = np.array([2.9, 4, 5, 6, 7, 8, 8.9])
    with pytest.raises(ValueError, match=r"cigading: ceiling 8 is not above the observation 8\.9 \(year 2007\)"):
        d.fit_logistic(years, v, ceiling=8.0, name="cigading")


# ---------------------------------------------------------------------------
# elasticity


def test_elasticity_recovered_and_scenarios_ordered():
    rng = np.random.default_rng(11)
    years = np.arange(2008, 2024)
    grdp = 100 * np.cumprod(1 + rng.uniform(0.02, 0.07, years.size))
    v = 40.0 * grdp**1.3 * np.exp(0.01 * rng.standard_normal(years.size))
    fut = {
        "low": grdp[-1] * 1.03 ** np.arange(1, 6),
        "base": grdp[-1] * 1.05 ** np.arange(1, 6),
        "high": grdp[-1] * 1.07 ** np.arange(1, 6),
    }
    m = d.fit_elasticity(years, v, years, grdp, driver_future=fut, name="port")
    assert m.params["elasticity"] == pytest.approx(1.3, abs=0.05)
    base = m.forecast(5)
    assert base.params["elasticity"] == m.params["elasticity"]
    lo, hi = m.forecast(5, scenario="low"), m.forecast(5, scenario="high")
    assert np.all(lo.point < base.point) and np.all(base.point < hi.point)
    # median growth in the base scenario is 1.05**e - 1 per year
    g = base.point[1:] / base.point[:-1] - 1
    np.testing.assert_allclose(g, 1.05 ** m.params["elasticity"] - 1, rtol=1e-9)
    with pytest.raises(ValueError, match="unknown scenario"):
        m.forecast(2, scenario="boom")
    with pytest.raises(ValueError, match="covers 5 years"):
        m.forecast(6)


def test_elasticity_exact():
    years = np.arange(2010, 2020)
    drv = 50 * 1.06 ** np.arange(10) * (1 + 0.01 * np.sin(np.arange(10)))
    v = 3.0 * drv**1.3 * (1 + 1e-6 * np.cos(np.arange(10)))  # an exact line is refused (zero-width intervals)
    m = d.fit_elasticity(years, v, years, drv)
    assert m.params["elasticity"] == pytest.approx(1.3, abs=1e-4)


def test_index_from_growth():
    y, idx = d.index_from_growth([2011, 2012, 2013], [7.03, 6.38, -2.0])
    np.testing.assert_allclose(idx, [100, 106.38, 106.38 * 0.98])


# ---------------------------------------------------------------------------
# interval coverage and simulation


def test_rw_drift_interval_coverage():
    # 300 seeded log random walks with drift (8 points, drift 0.04, sd 0.1): the
    # h=1 intervals are exact t intervals, so coverage is nominal up to sampling
    # error (binomial sd ~0.023 at 80 %, ~0.013 at 95 %); tolerance +-0.06 / +-0.04.
    rng = np.random.default_rng(2024)
    n_series, n = 300, 8
    years = np.arange(2000, 2000 + n)
    hit80 = hit95 = 0
    for _ in range(n_series):
        logs = math.log(1000) + np.cumsum(0.04 + 0.1 * rng.standard_normal(n + 1))
        v, nxt = np.exp(logs[:n]), math.exp(logs[n])
        fc = d.fit_rw_drift(years, v).forecast(1)
        hit80 += fc.lower80[0] <= nxt <= fc.upper80[0]
        hit95 += fc.lower95[0] <= nxt <= fc.upper95[0]
    assert abs(hit80 / n_series - 0.80) < 0.06
    assert abs(hit95 / n_series - 0.95) < 0.04


@pytest.mark.parametrize(
    "fit",
    [d.fit_naive, d.fit_cagr, d.fit_loglinear, d.fit_rw_drift, d.fit_ets],
    ids=["naive", "cagr", "loglinear", "rw_drift", "ets"],
)
def test_simulate_repeats_and_matches_intervals(fit):
    rng = np.random.default_rng(5)
    v = 800 * np.exp(np.cumsum(0.05 + 0.08 * rng.standard_normal(12)))
    m = fit(YEARS, v)
    a = m.simulate(4, 20000, np.random.default_rng(99))
    b = m.simulate(4, 20000, np.random.default_rng(99))
    assert a.shape == (20000, 4)
    np.testing.assert_array_equal(a, b)
    fc = m.forecast(4)
    # simulated quantiles vs interval bounds: within 6 % (Monte Carlo error with
    # 20000 paths is ~1-2 %; ETS multiplicative intervals are themselves simulated)
    for q, bound in [(0.1, fc.lower80), (0.9, fc.upper80), (0.025, fc.lower95), (0.975, fc.upper95)]:
        np.testing.assert_allclose(np.quantile(a, q, axis=0), bound, rtol=0.06)
    centre = np.median(a, axis=0) if m.method != "ets" else a.mean(axis=0)
    np.testing.assert_allclose(centre, fc.point, rtol=0.03)


def test_logistic_and_elasticity_simulate_repeat():
    years = np.arange(2000, 2015)
    v = 30 / (1 + np.exp(-0.4 * (years - 2008))) * (1 + 0.01 * np.cos(years))
    m = d.fit_logistic(years, v, ceiling=30)
    np.testing.assert_array_equal(
        m.simulate(3, 50, np.random.default_rng(1)), m.simulate(3, 50, np.random.default_rng(1))
    )
    s = m.simulate(3, 20000, np.random.default_rng(1))
    fc = m.forecast(3)
    np.testing.assert_allclose(np.quantile(s, [0.1, 0.9], axis=0), [fc.lower80, fc.upper80], rtol=0.05)
    drv = 10 * 1.05 ** np.arange(15) * (1 + 0.02 * np.sin(np.arange(15)))
    e = d.fit_elasticity(years, v, years, drv, driver_future={"base": drv[-1] * 1.05 ** np.arange(1, 4)})
    np.testing.assert_array_equal(
        e.simulate(3, 10, np.random.default_rng(2)), e.simulate(3, 10, np.random.default_rng(2))
    )


def test_forecast_to_frame():
    fc = d.fit_rw_drift(YEARS, _geometric(0.03) * (1 + 0.01 * np.sin(YEARS))).forecast(3)
    df = fc.to_frame()
    assert list(df.index) == [2017, 2018, 2019]
    assert df.index.name == "year"
    assert list(df.columns) == ["method", "point", "lower80", "upper80", "lower95", "upper95"]
    assert (df["lower95"] < df["lower80"]).all() and (df["upper80"] < df["upper95"]).all()


def test_rw_drift_interval_formula():
    # log differences alternate 0.1, 0.0: mean 0.05, sd s; scale s*sqrt(h + h^2/m), t_{m-1}
    v = np.exp(np.cumsum([0, 0.1, 0.0, 0.1, 0.0, 0.1, 0.0]))
    years = np.arange(2000, 2007)
    d_ = np.diff(np.log(v))
    m, s = d_.size, np.std(d_, ddof=1)
    fc = d.fit_rw_drift(years, v).forecast(2)
    h = np.array([1.0, 2.0])
    mu = np.log(v[-1]) + 0.05 * h
    se = s * np.sqrt(h + h**2 / m)
    np.testing.assert_allclose(fc.upper95, np.exp(mu + stats.t.ppf(0.975, m - 1) * se), rtol=1e-12)
    np.testing.assert_allclose(fc.lower80, np.exp(mu - stats.t.ppf(0.90, m - 1) * se), rtol=1e-12)


# ---------------------------------------------------------------------------
# validation


def test_validate_series_lists_all_problems():
    years = [2000, 2001, 2001, 2004, 2005.5, 2006]
    values = [1.0, np.nan, 3.0, -4.0, 5.0, 6.0]
    with pytest.raises(d.SeriesError) as ei:
        d.validate_series(years, values, "karangantu", min_points=8)
    msg = str(ei.value)
    assert isinstance(ei.value, ValueError)
    for part in [
        "karangantu: non-integer years 2005.5",
        "karangantu: duplicated years 2001",
        "karangantu: missing years 2002, 2003",
        "karangantu: NaN values in 2001",
        "karangantu: negative or zero values in 2004",
        "karangantu: too few points",
    ]:
        assert part in msg, (part, msg)


def test_validate_series_ok_sorts_and_gaps_message():
    y, v = d.validate_series([2002, 2000, 2001], [3, 1, 2], "s")
    np.testing.assert_array_equal(y, [2000, 2001, 2002])
    np.testing.assert_array_equal(v, [1, 2, 3])
    assert y.dtype == float and v.dtype == float
    with pytest.raises(d.SeriesError, match=r"^karangantu: missing years 2003, 2004$"):
        d.validate_series([2001, 2002, 2005, 2006], [1, 2, 3, 4], "karangantu")


def test_real_cigading_has_gaps():
    df = pd.read_csv(DATA / "cigading_throughput.csv")
    with pytest.raises(d.SeriesError, match=r"cigading: missing years 2002, 2003, 2004, 2005, 2006, 2008"):
        d.fit_rw_drift(df["year"], df["throughput_million_tonnes"], name="cigading")


def test_too_few_points_for_methods():
    with pytest.raises(d.SeriesError, match="s: too few points: 7 usable, at least 8 needed"):
        d.fit_ets(np.arange(2000, 2007), np.arange(1.0, 8.0), name="s")
    with pytest.raises(d.SeriesError, match="too few points"):
        d.fit_loglinear([2000, 2001], [1.0, 2.0])
    with pytest.raises(ValueError, match="horizon"):
        d.fit_cagr(YEARS, _wiggled()).forecast(0)


# ---------------------------------------------------------------------------
# back-test


# naive needs 5 points, so the hand series starts two years before the changes that are scored
HAND_YEARS = np.arange(1998, 2005)
HAND = np.array([9.0, 11.0, 10.0, 12.0, 11.0, 15.0, 14.0])


def test_backtest_hand_computed_naive():
    # naive forecast = last value; k=2, horizon=1:
    # origin 2003 (train 9,11,10,12,11,15): forecast 15 vs 14 -> e=-1; q = (2+1+2+1+4)/5 = 2
    # origin 2002 (train 9,11,10,12,11):    forecast 11 vs 15 -> e=4;  q = (2+1+2+1)/4 = 3/2
    out = d.backtest(HAND_YEARS, HAND, {"naive": d.fit_naive}, k=2)
    row = out.loc["naive"]
    assert row["n"] == 2 and row["note"] == ""
    assert row["MAPE"] == pytest.approx((4 / 15 + 1 / 14) / 2, abs=1e-12)
    assert row["RMSE"] == pytest.approx(math.sqrt((16 + 1) / 2), abs=1e-12)
    assert row["MASE"] == pytest.approx((4 / 1.5 + 1 / 2) / 2, abs=1e-12)


def test_backtest_horizon_two_hand_computed():
    # horizon 2, k=1: train 9,11,10,12,11 -> naive forecast for 2004 is 11, actual 14
    row = d.backtest(HAND_YEARS, HAND, {"naive": d.fit_naive}, k=1, horizon=2).loc["naive"]
    assert row["MAPE"] == pytest.approx(3 / 14)
    assert row["RMSE"] == pytest.approx(3.0)
    assert row["MASE"] == pytest.approx(3 / 1.5)


def test_backtest_with_a_constant_training_window_says_why_mase_is_missing():
    # the first origin's training values never change: no MASE scale; the note says so, not a silent NaN
    years = np.arange(2000, 2008)
    v = np.array([5.0, 5, 5, 5, 5, 7, 6, 8])

    def last_value(ys, vs):
        return d._HeldFlat(type("M", (), {"method": "last", "params": {}, "forecast": lambda self, h: d.Forecast(
            "last", np.arange(1, h + 1), np.full(h, vs[-1]), *(np.full(h, vs[-1]),) * 4)})(), 99)

    row = d.backtest(years, v, {"last": last_value}, k=3).loc["last"]
    assert row["n"] == 3
    assert "origin 2004: MASE not defined, the training values never change" in row["note"]
    # the two other origins: |7-5|/0.4 and |6-7|/(2/6 ... ) computed by hand
    q2, q3 = 2 / 5, 3 / 6  # mean |diff| of 5,5,5,5,5,7 and 5,5,5,5,5,7,6
    assert row["MASE"] == pytest.approx((abs(6 - 7) / q2 + abs(8 - 6) / q3) / 2, abs=1e-12)


def test_backtest_reports_failures():
    def broken(years, values):
        if len(years) < 5:
            raise RuntimeError("needs 5 points")
        return d.fit_naive(years, values)

    years = np.arange(2000, 2006)
    v = np.array([10.0, 12.0, 11.0, 15.0, 14.0, 16.0])
    out = d.backtest(years, v, {"broken": broken, "never": lambda y, x: 1 / 0}, k=3)
    assert out.loc["broken", "n"] == 1
    assert "origin 2002" in out.loc["broken", "note"] and "origin 2003" in out.loc["broken", "note"]
    assert out.loc["broken", "MAPE"] == pytest.approx(abs(16 - 14) / 16)
    assert out.loc["never", "n"] == 0
    assert np.isnan(out.loc["never", ["MAPE", "RMSE", "MASE"]].astype(float)).all()
    assert "ZeroDivisionError" in out.loc["never", "note"]


def test_backtest_real_karangantu():
    df = pd.read_csv(DATA / "karangantu_fish_landings.csv")
    assert list(df.columns[:2]) == ["year", "landings_tonnes"]
    out = d.backtest(df["year"], df["landings_tonnes"], d.METHODS, k=3, name="karangantu")
    assert set(out.index) == set(d.METHODS)
    assert list(out.columns) == ["MAPE", "RMSE", "MASE", "n", "note"]
    for name, row in out.iterrows():
        metrics = row[["MAPE", "RMSE", "MASE"]].astype(float)
        if row["n"] == 3:
            assert np.isfinite(metrics).all(), name
        else:
            assert row["note"], name  # every missing forecast is explained
            assert row["note"].count("origin") == 3 - row["n"]
    # ETS needs 8 points: the origins 2005 and 2006 (6 and 7 points) must be noted
    assert "origin 2005" in out.loc["ets", "note"]


def test_history_files_are_faithful():
    k = pd.read_csv(DATA / "karangantu_fish_landings.csv")
    assert k["year"].tolist() == list(range(2000, 2009))
    assert k.loc[k.year == 2003, "landings_tonnes"].item() == 948
    assert {"source", "confidence"} <= set(k.columns)
    g = pd.read_csv(DATA / "banten_grdp_growth.csv")
    assert g["year"].tolist() == [2011, 2012, 2013, 2014, 2015, 2022, 2023, 2024]
    assert g.loc[g.year == 2024, "grdp_growth_pct"].item() == 4.79
    assert {"source", "confidence"} <= set(g.columns)
    c = pd.read_csv(DATA / "cigading_throughput.csv")
    assert c["throughput_million_tonnes"].tolist() == [2.9, 8.9, 20, 17.2, 18.3, 20.1, 19]


@pytest.mark.parametrize("fit", [d.fit_naive, d.fit_rw_drift, d.fit_loglinear], ids=["naive", "rw_drift", "loglinear"])
def test_simulated_paths_have_a_mean_that_settles(fit):
    """Issue 18: on the Karangantu landings (9 volatile points), 5 years out, the paths' sample mean agrees
    across seeds and with the lognormal closed form. With t errors on logs (the flat-prior predictive) the mean
    does not exist and the sample means scatter by orders of magnitude. (Far beyond the history's length the
    lognormal mean, though finite, is dominated by rare paths: a horizon limit is still to come.)"""
    import pandas as pd

    from feasibility.case.io import DEFAULT_CASE

    h = pd.read_csv(DEFAULT_CASE.parent / "history" / "karangantu_fish_landings.csv")
    m = fit(h["year"].to_numpy(), h["landings_tonnes"].to_numpy(dtype=float))
    means = [m.simulate(5, 40_000, np.random.default_rng(seed))[:, -1].mean() for seed in range(4)]
    assert all(np.isfinite(means))
    assert max(means) / min(means) < 1.15, means
    if fit is d.fit_rw_drift:
        # log V_{T+h} ~ N(log V_T + h c, (w s)^2 (h + h^2 / m)) with w the t-width factor: E V = exp(mu + var / 2)
        c, s, mm = m.drift, m.sigma, m.values.size - 1
        w = d._t_width(mm - 1)
        var = (w * s) ** 2 * (5 + 5**2 / mm)
        closed = m.values[-1] * math.exp(5 * c + var / 2)
        assert np.mean(means) == pytest.approx(closed, rel=0.08)


def test_the_logistic_refuses_a_falling_series_and_a_ceiling_under_any_observation():
    """Issue 18, item 4: a 'saturation' fitted with k <= 0 falls away from its ceiling; a ceiling under an
    earlier observation (not only the last) cannot be a ceiling."""
    years = np.arange(2000, 2012)
    rising = 30 / (1 + np.exp(-0.4 * (years - 2006))) * (1 + 0.01 * np.cos(years))
    with pytest.raises(ValueError, match="growth rate k .* not > 0"):
        d.fit_logistic(years, rising[::-1], ceiling=40)
    bumpy = rising.copy()
    bumpy[5] = 35.0  # above the ceiling, though the last value is below it
    with pytest.raises(ValueError, match=r"not above the observation 35 \(year 2005\)"):
        d.fit_logistic(years, bumpy, ceiling=33)
    assert d.fit_logistic(years, rising, ceiling=33).params["k"] > 0
