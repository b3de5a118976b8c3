"""The market section: volumes by stream, the cargo chart, forecast fans and their back-tests, the scenarios."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from babel.lists import format_list

from ...case import in_lang
from ...metrics.registry import METRIC_UNITS
from ...model.inputs import weighted_capture
from .. import charts as ch
from ..i18n import Formatter
from .common import NoteView, chart_alt, chart_words, line_labels, metric_label, notes_for

if TYPE_CHECKING:
    from ...study import Study

__all__ = ["Backtest", "BacktestRow", "ForecastView", "Market", "ScenarioRow", "VolumeRow", "forecast_notes", "market", "stream_name"]

#: the metrics compared across scenarios, in the table's order
SCENARIO_METRICS = ("fnpv_idr", "firr", "equity_irr", "dscr_min", "min_cumulative_cash_idr", "region_pv_dividends_idr", "enpv_idr")


@dataclass(frozen=True)
class VolumeRow:
    """A revenue stream's volume in the selected years."""

    name: str
    unit: str
    cells: list[str]


@dataclass(frozen=True)
class ForecastView:
    """A stream's forecast fan and what the reader must know to trust it.

    ``notes``: the 95 % band's measured coverage (and a warning below 90 %); how
    far the forecast runs beyond the history's length, and from which year it is
    held flat; smoothing parameters the history does not determine.
    """

    chart: ch.Chart
    notes: list[str]


@dataclass(frozen=True)
class BacktestRow:
    method: str
    mape: str
    rmse: str
    mase: str
    n: int
    coverage: str


@dataclass(frozen=True)
class Backtest:
    """Rolling-origin errors of every forecasting method on one stream's history; ``picked`` is the case's."""

    stream: str
    picked: str
    rows: list[BacktestRow]


@dataclass(frozen=True)
class ScenarioRow:
    label: str
    cells: list[str]


@dataclass(frozen=True)
class ScenarioText:
    name: str
    text: str


@dataclass(frozen=True)
class Market:
    intro: str
    sel_years: list[int]
    volume_rows: list[VolumeRow]
    cargo: ch.Chart | None
    forecasts: list[ForecastView]
    backtests: list[Backtest]
    scen_desc: list[ScenarioText]
    scen_names: list[str]
    scen_rows: list[ScenarioRow]
    notes: list[NoteView]


def _unit(fmt: Formatter, unit: str) -> str:
    """A stream's unit of volume in words (the case names it by a key such as ``m2_months``)."""
    return fmt.msg["volume_units"].get(unit, unit)


def stream_name(st: Any, key: str, name: str, fmt: Formatter) -> str:
    """A revenue stream in words: its label, else the catalog's word for it, else ``line.stream``."""
    if getattr(st, "label", None):
        return in_lang(st.label, fmt.lang)
    word = fmt.msg.get("studio_groups", {}).get(name)
    return word[:1].upper() + word[1:] if word else f"{key}.{name}"


def market_intro(study: Study, fmt: Formatter) -> str:
    """What the market section says first: the cargo build-up as a share of the reference traffic, and the top-down ratio."""
    t, m = fmt.msg["report"], study.result.metrics
    out = t["market_intro"]
    port = study.case.port
    st = port.revenue.get("cargo_handling") if port is not None else None
    td = getattr(getattr(st, "build_up", None), "top_down", None)
    share = m.get("cargo_build_up_share_of_reference", float("nan"))
    types = getattr(st, "cargo_types", None) or {}
    won = weighted_capture(list(types.values()), lambda q: q.value) if types else None
    if won is not None:  # a market share per cargo type
        total = sum(x.share.value for x in types.values())
        out += t["market_by_type"].format(
            types="; ".join(t["market_type"].format(label=in_lang(x.label, fmt.lang) or n, share=fmt.percent(x.share.value / total, 0),
                                                    capture=fmt.percent(x.capture_share.value, 0)) for n, x in types.items()),
            won=fmt.percent(won, 1))
    if td is None or not np.isfinite(share):
        return out
    ref = td.regional_tonnes.value
    out += t["market_reference"].format(
        tonnes=fmt.number(share * ref, 0), share=fmt.percent(share, 1),
        reference=in_lang(td.label, fmt.lang) or t["market_reference_default"], ref_tonnes=fmt.number(ref, 0),
    )
    annual = study.result.annual
    if "cargo_capacity_tonnes" in annual and ref > 0:
        cap = float(annual["cargo_capacity_tonnes"].max())
        out += t["market_capacity"].format(capacity=fmt.number(cap, 0), cap_share=fmt.percent(cap / ref, 1))
    ratio = m.get("cargo_build_up_to_top_down", float("nan"))
    if td.market_share is not None and np.isfinite(ratio):
        out += t["market_top_down"].format(ref_tonnes=fmt.number(ref, 0), mshare=fmt.percent(td.market_share.value, 1), ratio=fmt.number(ratio, 2))
    return out


def _volume_rows(study: Study, fmt: Formatter, sel_years: list[int]) -> list[VolumeRow]:
    annual = study.result.annual
    out = []
    for key, line in study.case.lines().items():
        for name, st in line.revenue.items():
            col = f"volume_{key}_{name}_{st.volume_unit}"
            if col in annual:
                out.append(
                    VolumeRow(
                        name=stream_name(st, key, name, fmt),
                        unit=_unit(fmt, st.volume_unit),
                        cells=[fmt.number(annual.loc[y, col]) for y in sel_years],
                    )
                )
    return out


def _cargo_chart(study: Study, fmt: Formatter, years: list[int]) -> ch.Chart | None:
    """Cargo demand, capacity and throughput (None for a case without a port's cargo lines)."""
    annual = study.result.annual
    if "cargo_demand_tonnes" not in annual:
        return None
    t, labels = fmt.msg["report"], line_labels(fmt.msg)
    return ch.lines_by_year(
        years,
        {labels[k]: annual[k].to_numpy() for k in ("cargo_demand_tonnes", "cargo_capacity_tonnes", "cargo_throughput_tonnes")},
        title=t["chart_cargo"], alt=chart_alt(fmt, t["chart_cargo"]), ylabel=t["tonnes_axis"], fmt=lambda v: fmt.number(v),
        na_label=chart_words(fmt)["na"],
    )


def _fan_chart(observed: dict[int, float], f: Any, title: str, unit: str, fmt: Formatter) -> ch.Chart:
    """A forecast fan from a :class:`feasibility.domain.demand.Forecast` (95 % and 80 % bands) after the history."""
    bands = [(f.lower95, f.upper95, "95%"), (f.lower80, f.upper80, "80%")]
    words = chart_words(fmt)
    return ch.fan(
        f.years, f.point, bands, history_years=list(observed), history=list(observed.values()), title=title, ylabel=unit,
        fmt=lambda v: fmt.number(v), alt=chart_alt(fmt, title),
        median_label=words["median"], history_label=words["history"], forecast_label=words["forecast"], na_label=words["na"],
    )


def _method(fmt: Formatter, method: str) -> str:
    """A forecast method in words (``rw_drift`` -> random walk with drift)."""
    return fmt.msg["forecast_methods"].get(method, method)


def _coverage(fmt: Formatter, method: str) -> tuple[str, float]:
    """The measured coverage of a method's 95 % band at 1 / 5 / 10 years, in words, and its lowest value."""
    from ...domain.coverage import measured

    cov = measured().get(method)
    if cov is None:
        return fmt.msg["ui"]["na"], float("nan")
    return " / ".join(fmt.percent(c, 0) for c in cov), min(cov)


def forecast_notes(fmt: Formatter, method: str, params: dict, n_obs: int, horizon: int, first_year: int) -> list[str]:
    """What a reader must know to trust one forecast fan (see :class:`ForecastView`)."""
    from ...domain.coverage import measured
    from ...domain.demand import HORIZON_FACTOR

    t = fmt.msg["report"]
    out = []
    cov = measured().get(method)
    if cov is not None:
        text = t["forecast_coverage"].format(h1=fmt.percent(cov[0], 0), h5=fmt.percent(cov[1], 0), h10=fmt.percent(cov[2], 0))
        out.append(text + (" " + t["forecast_coverage_low"] if min(cov) < 0.90 else ""))
    if horizon > n_obs:
        out.append(t["forecast_beyond_history"].format(n=n_obs, h=horizon, year=first_year + n_obs))
    if "held_flat_from" in params:
        out.append(t["forecast_held_flat"].format(year=params["held_flat_from"], limit=params["horizon_limit"], factor=HORIZON_FACTOR))
    if params.get("at_bounds"):
        names = fmt.msg["forecast_params"]
        listed = format_list([names.get(k, k) for k in params["at_bounds"]], locale=fmt.locale)
        out.append(t["forecast_at_bounds"].format(params=listed))
    return out


def _forecasts(study: Study, fmt: Formatter, years: list[int]) -> list[ForecastView]:
    """A fan chart of every stream forecast from a history, to the model's last year, with its notes."""
    t = fmt.msg["report"]
    out = []
    for key, line in study.case.lines().items():
        for name, st in line.revenue.items():
            if st.forecast is not None and st.forecast.fitted() is not None:
                fitted = st.forecast.fitted()
                observed = st.forecast.observed()
                h = max(1, years[-1] - max(observed))
                fc = fitted.forecast(h)
                title = t["forecast_title"].format(stream=stream_name(st, key, name, fmt), method=_method(fmt, st.forecast.method))
                notes = forecast_notes(fmt, st.forecast.method, fc.params, len(observed), h, max(observed) + 1)
                share = float(st.forecast.share.value)
                if share != 1.0:  # the fan is the whole series; the volume table the stream's share of it
                    notes.insert(0, t["forecast_share"].format(share=fmt.percent(share, 0)))
                out.append(ForecastView(chart=_fan_chart(observed, fc, title, _unit(fmt, st.volume_unit), fmt), notes=notes))
    return out


def _backtests(study: Study, fmt: Formatter) -> list[Backtest]:
    streams = {f"{k}.{n}": (st, k, n) for k, line in study.case.lines().items() for n, st in line.revenue.items() if st.forecast is not None}
    picked = {s: st.forecast.method for s, (st, _, _) in streams.items()}
    return [
        Backtest(
            stream=stream_name(*streams[stream], fmt),
            picked=_method(fmt, picked[stream]),
            rows=[
                BacktestRow(
                    method=_method(fmt, meth), mape=fmt.percent(r["MAPE"]), rmse=fmt.number(r["RMSE"]), mase=fmt.number(r["MASE"], 2),
                    n=int(r["n"]), coverage=_coverage(fmt, meth)[0],
                )
                for meth, r in bt.iterrows()
            ],
        )
        for stream, bt in study.backtests.items()
    ]


def market(study: Study, fmt: Formatter) -> Market:
    """The market section.

    Parameters
    ----------
    study : Study
    fmt : Formatter

    Returns
    -------
    Market
        Volumes in the first operating year, four and nine years on and the
        last year; the cargo chart (None without cargo); forecast fans and
        back-tests of streams forecast from a history; each scenario's
        description and metrics beside the base case's.
    """
    res = study.result
    t = fmt.msg["report"]
    years = [int(y) for y in res.years]
    fo = study.case.timeline.first_operating_year
    sel_years = [y for y in sorted({fo, fo + 4, fo + 9, years[-1]}) if y in years]
    real = res.price_basis == "real"
    scen = study.scenarios
    return Market(
        intro=market_intro(study, fmt),
        sel_years=sel_years,
        volume_rows=_volume_rows(study, fmt, sel_years),
        cargo=_cargo_chart(study, fmt, years),
        forecasts=_forecasts(study, fmt, years),
        backtests=_backtests(study, fmt),
        scen_desc=[ScenarioText(name=in_lang(s.label, fmt.lang) or n, text=in_lang(s.description, fmt.lang)) for n, s in study.case.scenarios.items()],
        scen_names=[t["base"] if c == "base" else (in_lang(study.case.scenarios[c].label, fmt.lang) or c) if c in study.case.scenarios else c
                    for c in scen.columns],
        scen_rows=[
            ScenarioRow(label=metric_label(fmt, k, real), cells=[fmt.value(v, METRIC_UNITS.get(k, "")) for v in scen.loc[k]])
            for k in SCENARIO_METRICS
            if k in scen.index
        ],
        notes=notes_for(study, fmt, "market"),
    )
