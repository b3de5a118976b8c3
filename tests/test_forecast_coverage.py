"""Forecast uncertainty that tells the truth (issue 18): coverage on data with known truth, the
horizon limit, ETS restricted to what the data identify, the logistic ceiling's uncertainty.

Coverage is measured as in ``benchmarks/bench_forecast_coverage.py`` (series of 8-15 points
from each method's own model, :mod:`feasibility.domain.coverage`) but with fewer series: the
tolerances are three binomial standard errors.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from feasibility import load_case, run
from feasibility.domain import coverage
from feasibility.domain import demand as d
from feasibility.present.i18n import Formatter
from feasibility.present.report import market
from feasibility.study import build_study

HAND = Path(__file__).resolve().parent / "cases" / "hand_case.toml"

# the methods whose intervals are exact under their own model (t intervals of a normal
# regression or random walk with estimated scale): coverage must be 0.95 within simulation error
EXACT = ["naive", "cagr", "rw_drift", "loglinear", "elasticity"]


@pytest.mark.parametrize("method", EXACT)
def test_exact_methods_cover_95_percent_on_their_own_model(method: str) -> None:
    cov = coverage.measure(method, 600, seed=11)
    assert cov.refused == 0 and cov.fits == 600
    # two-sided: too narrow (the old CAGR covered 0.82-0.90) and too wide both fail; 4 standard
    # errors (0.036) keep the chance of a false alarm over these 15 checks under 0.1 %
    assert np.all(np.abs(cov.covered - 0.95) <= 4 * np.sqrt(0.95 * 0.05 / cov.fits)), cov.covered


def test_logistic_covers_at_least_90_percent_on_its_own_model() -> None:
    cov = coverage.measure("logistic", 400, seed=12)
    assert cov.refused == 0
    assert np.all(cov.covered + 3 * cov.se >= 0.90), cov.covered


def test_the_coverage_the_report_quotes_is_what_a_fresh_simulation_measures() -> None:
    table = coverage.measured()
    assert set(table) == set(d.METHODS) | {"elasticity", "logistic"}
    for method in EXACT + ["logistic"]:
        assert min(table[method]) >= 0.90, method
    # ETS: the lower of its two processes (damped trend, level only), horizon by horizon
    fresh = [coverage.measure(p, 60, seed=13) for p in ("ets", "ets_level")]
    low = np.minimum(fresh[0].covered, fresh[1].covered)
    se = np.sqrt(low * (1 - low) / 60 + 0.025**2)  # fresh run's error and the committed table's (<= 0.025)
    assert np.all(np.abs(np.asarray(table["ets"]) - low) <= 3 * se), (table["ets"], low)


# --------------------------------------------------------------------------- ETS


@pytest.mark.parametrize("n, forms", [(8, {"none"}), (9, {"none", "add"}), (10, {"none", "add", "add_damped"})])
def test_ets_tries_only_the_forms_the_history_can_identify(n: int, forms: set[str]) -> None:
    # forecast::ets: a form with p smoothing parameters and initial states needs n > p + 4
    rng = np.random.default_rng(0)
    v = 1000 + 60 * np.arange(n) + 20 * rng.standard_normal(n)
    fit = d.fit_ets(np.arange(2000, 2000 + n), v)
    assert {c.split("/")[1] for c in fit.params["candidates"]} == forms


def test_ets_flags_smoothing_parameters_at_their_bounds() -> None:
    # a straight trend with small noise: the level weight goes to a bound (0.9999 for the
    # level-only form at 8 points; 0.0001 with a trend at 12); the flag names it
    rng = np.random.default_rng(0)
    for n in (8, 12):
        v = 1000 + 60 * np.arange(n) + 20 * rng.standard_normal(n)
        fit = d.fit_ets(np.arange(2000, 2000 + n), v)
        alpha = fit.params["smoothing_level"]
        assert min(alpha - 1e-4, 0.9999 - alpha) < 1e-3
        assert "smoothing_level" in fit.params["at_bounds"]
    # a noisy level series: alpha well inside its range, nothing flagged
    assert d._ets_at_bounds({"smoothing_level": 0.5}) == []
    assert d._ets_at_bounds({"smoothing_level": 0.5, "smoothing_trend": 0.5 * 0.9995}) == ["smoothing_trend"]
    assert d._ets_at_bounds({"smoothing_level": 0.5, "damping_trend": 0.98}) == ["damping_trend"]


def test_ets_refuses_a_constant_series() -> None:
    with pytest.raises(d.SeriesError, match="s: the series has the same value every year"):
        d.fit_ets(np.arange(2000, 2010), np.full(10, 7.0), name="s")


# --------------------------------------------------------------------------- horizon limit


def test_forecasts_and_paths_are_held_flat_beyond_twice_the_history() -> None:
    years = np.arange(2010, 2016)  # 6 points: extrapolated at most 12 years
    v = np.array([100, 108, 104, 118, 121, 133.0])
    raw = d.fit_rw_drift(years, v)
    held = d.limit_horizon(raw, years.size)
    fc, ref = held.forecast(20), raw.forecast(12)
    assert list(fc.years) == list(range(2016, 2036))
    np.testing.assert_array_equal(fc.point[:12], ref.point)
    for band in (fc.point, fc.lower95, fc.upper95, fc.lower80, fc.upper80):
        assert np.all(band[12:] == band[11])
    assert fc.params["held_flat_from"] == 2028 and fc.params["horizon_limit"] == 12
    assert "held_flat_from" not in held.forecast(12).params
    paths = held.simulate(20, 500, np.random.default_rng(1))
    np.testing.assert_array_equal(paths[:, :12], raw.simulate(12, 500, np.random.default_rng(1)))
    assert np.all(paths[:, 12:] == paths[:, 11:12])


def _short_history_case(tmp_path: Path) -> Path:
    """The hand case (model to 2029) with its cargo forecast by rw_drift from 6 years, 2010-2015."""
    text = HAND.read_text(encoding="utf-8")
    for line in (
        'volume_tonnes = { value = 1000, source = "test", confidence = "placeholder" }\n',
        'ramp_up = { value = [0.5], source = "test", confidence = "placeholder" }\n',
    ):
        text = text.replace(line, "")
    (tmp_path / "hist.csv").write_text("year,tonnes\n2010,1000\n2011,1080\n2012,1040\n2013,1180\n2014,1210\n2015,1330\n")
    text += (
        '\n[port.revenue.cargo_handling.forecast]\nhistory = "hist.csv"\nvalue_column = "tonnes"\nmethod = "rw_drift"\n'
        'share = { value = 0.5, source = "test", confidence = "placeholder" }\n'
    )
    path = tmp_path / "case.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_model_and_the_report_hold_a_long_extrapolation_flat_and_say_so(tmp_path: Path) -> None:
    path = _short_history_case(tmp_path)
    case = load_case(path)
    vol = run(case).annual["volume_port_cargo_handling_tonnes"]
    # 2016-2027 extrapolated (12 = 2 x 6 years), 2028 and 2029 held at 2027's value
    assert vol[2028] == vol[2027] == vol[2029] and vol[2027] > vol[2026]
    study = build_study(case, path.read_text(encoding="utf-8"), source_name=path.name, base_dir=tmp_path, iterations=0)
    for lang in ("en", "id"):
        fmt = Formatter(lang)
        (view,) = market.market(study, fmt).forecasts
        cov = coverage.measured()["rw_drift"]
        t = fmt.msg["report"]
        assert view.notes == [
            t["forecast_share"].format(share=fmt.percent(0.5, 0)),  # the stream takes half of the series
            t["forecast_coverage"].format(h1=fmt.percent(cov[0], 0), h5=fmt.percent(cov[1], 0), h10=fmt.percent(cov[2], 0)),
            t["forecast_beyond_history"].format(n=6, h=14, year=2022),
            t["forecast_held_flat"].format(year=2028, limit=12, factor=2),
        ]
    en = Formatter("en")
    notes = market.market(study, en).forecasts[0].notes
    assert "From 2028 the forecast and its bands are held flat" in notes[3] and "(12 years)" in notes[3]
    assert "From 2022 it reaches further ahead than the history reaches back" in notes[2]
    # the method in words, not its configuration key
    assert market.market(study, Formatter("id")).backtests[0].picked == "langkah acak dengan pergeseran"


def test_a_method_below_90_percent_coverage_is_labelled_too_narrow() -> None:
    en = Formatter("en")
    ets = market.forecast_notes(en, "ets", {"at_bounds": ["smoothing_level", "damping_trend"]}, 12, 5, 2020)
    assert ets[0].endswith("That is below 90%: the band is too narrow, and the real uncertainty is larger than it shows.")
    assert ets[1] == (
        "The history does not determine the method's level smoothing weight (alpha) and trend damping (phi): "
        "the estimate sits at the edge of its allowed range."
    )
    ok = market.forecast_notes(en, "rw_drift", {}, 12, 5, 2020)
    assert len(ok) == 1 and "below 90" not in ok[0]


# --------------------------------------------------------------------------- logistic ceiling


def test_the_logistic_band_carries_the_ceilings_uncertainty() -> None:
    # truth: the ceiling is triangular on [8,000, 14,000] with mode 10,000. A fit that takes the
    # ceiling as known at 10,000 under-covers 10 years ahead; with the range it covers >= 0.90.
    rng = np.random.default_rng(5)
    hits_fixed = hits_range = 0
    reps = 150
    for _ in range(reps):
        C = rng.triangular(8_000, 10_000, 14_000)
        n = 10
        t = np.arange(1, n + 11, dtype=float)
        v = C / (1 + np.exp(-0.35 * (t - n))) + 150 * rng.standard_normal(t.size)
        years = 2000 + np.arange(n)
        truth = v[n + 9]
        a = d.fit_logistic(years, v[:n], ceiling=10_000).forecast(10)
        b = d.fit_logistic(years, v[:n], ceiling=10_000, ceiling_range=(8_000, 14_000)).forecast(10)
        hits_fixed += a.lower95[-1] <= truth <= a.upper95[-1]
        hits_range += b.lower95[-1] <= truth <= b.upper95[-1]
    se = np.sqrt(0.9 * 0.1 / reps)
    assert hits_range / reps + 3 * se >= 0.90
    assert hits_fixed / reps < hits_range / reps


def test_the_logistic_ceiling_range_is_checked() -> None:
    years, v = np.arange(2000, 2008), np.array([10, 14, 20, 27, 35, 44, 52, 60.0])
    with pytest.raises(ValueError, match=r"s: ceiling_range \(120, 90\) must be finite, low < high, and contain the ceiling 100"):
        d.fit_logistic(years, v, ceiling=100, ceiling_range=(120, 90), name="s")
    with pytest.raises(ValueError, match=r"s: the low end of ceiling_range, 55, is not above the observation 60 \(year 2007\)"):
        d.fit_logistic(years, v, ceiling=100, ceiling_range=(55, 150), name="s")
