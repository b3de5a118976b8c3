"""feasibility.case.forecasts: a forecast stream's history read at load, its method fitted on first use.

The forecast case is the hand case (model years 2025-2029, first operating
year 2026) with its cargo volume taken from a history file. Expected volumes
and messages are written by hand: a history growing 10 % a year from its first
to its last year (with a 1 % wiggle in between, since an exact curve leaves no
variation and is refused) has a CAGR of exactly 10 %, so the forecast goes on
at 10 % a year.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import feasibility.case.forecasts as forecasts
from feasibility.case import CaseError, fit_forecasts, load_case, parse_case
from feasibility.cli import main
from feasibility.domain.demand import METHODS
from feasibility.model import run

HAND = Path(__file__).resolve().parent / "cases" / "hand_case.toml"
STREAM = "port.revenue.cargo_handling.forecast"
OLD_VOLUME = (
    'volume_tonnes = { value = 1000, source = "test", confidence = "placeholder" }\n'
    'ramp_up = { value = [0.5], source = "test", confidence = "placeholder" }\n'
)


def forecast_case(folder: Path, history: str, method: str = "cagr") -> Path:
    """The hand case with its cargo volume forecast from ``hist.csv`` (half of the series)."""
    text = HAND.read_text(encoding="utf-8")
    assert text.count(OLD_VOLUME) == 1
    fc = (
        f'forecast = {{ history = "hist.csv", value_column = "tonnes", method = "{method}", '
        'share = { value = 0.5, source = "test", confidence = "placeholder" } }\n'
    )
    (folder / "hist.csv").write_text(history, encoding="utf-8")
    path = folder / "case.toml"
    path.write_text(text.replace(OLD_VOLUME, fc), encoding="utf-8")
    return path


def tonnes(first: int, last: int, y: int) -> float:
    """1000 t in ``first``, growing 10 % a year, 1 % higher in every other year strictly between the ends."""
    wiggle = 1.01 if (y - first) % 2 == 1 and y != last else 1.0
    return 1000 * 1.1 ** (y - first) * wiggle


def growing(first: int, last: int) -> str:
    """The history of :func:`tonnes` as a CSV file's text."""
    return "year,tonnes\n" + "".join(f"{y},{tonnes(first, last, y)!r}\n" for y in range(first, last + 1))


@pytest.fixture
def fits(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every fit (the method's name) and let it run."""
    calls: list[str] = []
    real = forecasts.fit_series

    def recording(method: str, years, values, name: str):
        calls.append(method)
        return real(method, years, values, name)

    monkeypatch.setattr(forecasts, "fit_series", recording)
    return calls


# ---------------------------------------------------------------------------
# read at load, fitted on first use


def test_history_is_read_at_load_and_fitted_only_on_first_use(tmp_path: Path, fits: list[str]) -> None:
    case = load_case(forecast_case(tmp_path, growing(2016, 2025)))
    assert fits == []  # loading read the history, and fitted nothing
    fc = case.port.revenue["cargo_handling"].forecast
    observed = fc.observed()
    assert sorted(observed) == list(range(2016, 2026))
    assert observed[2016] == 1000.0 and observed[2025] == pytest.approx(1000 * 1.1**9, rel=1e-15)
    assert observed[2017] == pytest.approx(1000 * 1.1 * 1.01, rel=1e-15)
    assert fits == []  # the observed values need no fit either

    volumes = fc.volumes()
    assert fits == ["cagr"]
    # the history's years up to the last model year 2029: 2016-2025 observed, 2026-2029
    # forecast at the 10 % CAGR
    assert sorted(volumes) == list(range(2016, 2030))
    for y in range(2016, 2030):
        assert volumes[y] == pytest.approx(tonnes(2016, 2025, y) if y <= 2025 else 1000 * 1.1 ** (y - 2016), rel=1e-12), y
    assert fc.fitted().params["growth"] == pytest.approx(0.1, rel=1e-12)

    # kept on the (immutable) case: a model run and a second call fit nothing again
    vol = run(case).annual["volume_port_cargo_handling_tonnes"].to_numpy()
    assert fits == ["cagr"]
    # construction year 2025 has no volume; then half of the series
    np.testing.assert_allclose(vol, [0] + [0.5 * 1000 * 1.1 ** (y - 2016) for y in range(2026, 2030)], rtol=1e-12)


def test_validate_fits_every_forecast(tmp_path: Path, fits: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    path = forecast_case(tmp_path, growing(2016, 2025), method="rw_drift")
    assert main(["validate", str(path)]) == 0
    assert fits == ["rw_drift"]
    assert capsys.readouterr().out.startswith(f"ok: {path} (")


@pytest.mark.parametrize(
    "history, method, rule",
    [
        # a gap: the fitters' own check, run at load
        ("year,tonnes\n2016,10\n2017,11\n2019,12\n2020,13\n2021,15\n2022,14\n2023,16\n", "cagr", "hist: missing years 2018"),
        # ETS needs 8 points
        (growing(2019, 2025), "ets", "hist: too few points: 7 usable, at least 8 needed"),
        # the stream's first year (2026, the first operating year) before the history
        (growing(2027, 2032), "cagr", "the history starts in 2027, after the stream's first year 2026"),
    ],
    ids=["gap", "too_few_for_ets", "starts_late"],
)
def test_history_problems_are_case_problems_at_load(
    tmp_path: Path, fits: list[str], history: str, method: str, rule: str
) -> None:
    with pytest.raises(CaseError) as exc:
        load_case(forecast_case(tmp_path, history, method))
    assert [str(p) for p in exc.value.problems] == [f"{STREAM}: {rule}"]
    assert fits == []  # found by reading, not by fitting


def test_missing_column_and_missing_file(tmp_path: Path) -> None:
    path = forecast_case(tmp_path, "year,volume\n2016,10\n2017,11\n2018,12\n")
    with pytest.raises(CaseError) as exc:
        load_case(path)
    assert [str(p) for p in exc.value.problems] == [f"{STREAM}: hist.csv has no column tonnes; it has 2 column(s)"]
    (tmp_path / "hist.csv").unlink()
    with pytest.raises(CaseError) as exc:
        load_case(path)
    assert [str(p) for p in exc.value.problems] == [f"{STREAM}.history: file not found, got '{tmp_path / 'hist.csv'}'"]


# ---------------------------------------------------------------------------
# a series that cannot be fitted


# 1 ... 1e300 in 5 steps: a CAGR of 1e60 - 1; 1e300 x 1e60 overflows in 2027, the first forecast year
# (the history ends in 2026), and so do 2028 and 2029
OVERFLOW = "year,tonnes\n2021,1\n2022,1e50\n2023,1e120\n2024,1e170\n2025,1e240\n2026,1e300\n"
OVERFLOW_RULE = (
    f"{STREAM}: the 'cagr' forecast from hist.csv is not a finite number in 3 model year(s), "
    "first 2027 (the fitted growth overflows); pick another method"
)


@pytest.fixture
def unlimited(monkeypatch: pytest.MonkeyPatch) -> None:
    """History values beyond 1e16 are refused when read (issue 19); lifted here to test the net under that rule."""
    import feasibility.case.io as case_io

    monkeypatch.setattr(case_io, "MAGNITUDE_MAX", float("inf"))


def test_validate_reports_a_series_that_cannot_be_fitted(tmp_path: Path, capsys: pytest.CaptureFixture[str], unlimited: None) -> None:
    path = forecast_case(tmp_path, OVERFLOW)
    load_case(path)  # reading finds nothing wrong: 6 positive values, no gap
    assert main(["validate", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [f"{path}: 1 problem(s)", f"  {OVERFLOW_RULE}"]


def test_a_fit_failure_at_model_time_is_a_case_error(tmp_path: Path, capsys: pytest.CaptureFixture[str], unlimited: None) -> None:
    path = forecast_case(tmp_path, OVERFLOW)
    case = load_case(path)
    with pytest.raises(CaseError) as exc:
        run(case)
    assert [str(p) for p in exc.value.problems] == [OVERFLOW_RULE]
    assert exc.value.source == str(path)
    # the command line: exit 2, the problem, no traceback
    assert main(["evaluate", "--json", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"{path}: 1 problem(s)\n  {OVERFLOW_RULE}\n"


def test_a_fitter_that_raises_is_reported_once_and_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def failing(method: str, years, values, name: str):
        calls.append(method)
        raise RuntimeError(f"{name}: no ETS model could be fitted (AICc not finite)")

    case = load_case(forecast_case(tmp_path, growing(2016, 2025), method="ets"))
    monkeypatch.setattr(forecasts, "fit_series", failing)
    expected = (
        f"{STREAM}: method 'ets' cannot be fitted to hist.csv: no ETS model could be fitted (AICc not finite); "
        "pick another method"
    )
    assert [str(p) for p in fit_forecasts(case)] == [expected]
    with pytest.raises(CaseError):
        case.port.revenue["cargo_handling"].forecast.fitted()
    assert calls == ["ets"]  # the failure is kept, not fitted again


# ---------------------------------------------------------------------------
# the pieces


@pytest.mark.parametrize("method", sorted(METHODS))
def test_min_points_is_what_each_fitter_needs(method: str) -> None:
    n = forecasts.min_points(method)
    years = np.arange(2000, 2000 + n)
    values = 100 * 1.05 ** np.arange(n) * (1 + 0.01 * np.sin(np.arange(n)))
    METHODS[method](years, values, name="s")  # n points: accepted
    with pytest.raises(ValueError, match=f"too few points: {n - 1} usable, at least {n} needed"):
        METHODS[method](years[1:], values[1:], name="s")
    # at least 4 degrees of freedom for the error scale (naive n - 1, the others n - 2); ETS the
    # forecast::ets rule n > p + 4 for its level-only form (p = 2), plus one
    assert {"naive": 5, "cagr": 6, "loglinear": 6, "rw_drift": 6, "ets": 8}[method] == n


def test_a_case_validated_without_its_files_has_no_fit(tmp_path: Path) -> None:
    # Case.model_validate alone reads no file: no observed values, no fit, no volumes
    import tomllib

    from feasibility.case import Case

    data = tomllib.loads(forecast_case(tmp_path, growing(2016, 2025)).read_text(encoding="utf-8"))
    fc = Case.model_validate(data).port.revenue["cargo_handling"].forecast
    assert fc.fitted() is None
    with pytest.raises(RuntimeError, match="read by load_case"):
        fc.volumes()
    with pytest.raises(RuntimeError, match="read by load_case"):
        fc.observed()
    # parse_case with the folder reads it
    assert sorted(parse_case(data, base_dir=tmp_path).port.revenue["cargo_handling"].forecast.observed())[0] == 2016
