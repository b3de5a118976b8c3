"""The studio's two analysis panels: sensitivity and risk, and demand.

:class:`RiskPanel`
    Tornado, spider, switching values and two-way heat maps of
    :mod:`feasibility.analysis.sensitivity`, and the Monte Carlo of
    :mod:`feasibility.analysis.risk` behind a button with a progress bar.

:class:`DemandPanel`
    A history back-tested by every method of :mod:`feasibility.domain.demand`,
    the best one picked (or another), its forecast fan, and the case's
    bottom-up demand step by step.

Both compute through the library, as the CLI and the council report do; their
words come from the ``[studio_risk]`` and ``[studio_demand]`` sections of the
locale catalogs.
"""

from __future__ import annotations

import html
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..case.schema import ITERATIONS_MAX, ITERATIONS_MIN
from ..case import DEFAULT_CASE, Case, CaseError, in_lang
from ..metrics import registry
from ..metrics.registry import METRIC_UNITS
from ..model import run
from ..model.inputs import weighted_capture
from ..present import export as _export
from ..present.i18n import Formatter, catalog
from .cards import PAGE_STYLE, table_html
from .files import as_case, load_choices
from .inputs import input_name, show_value, words
from .workers import Spec, draw

if TYPE_CHECKING:
    from .app import Studio

__all__ = ["RISK_PANEL_METRICS", "DemandPanel", "RiskPanel", "best_method", "simulate_in_chunks"]

#: metrics the risk panel offers
RISK_PANEL_METRICS: tuple[str, ...] = ("fnpv_idr", "firr", "dscr_min", "region_pv_dividends_idr", "equity_irr")


def simulate_in_chunks(
    case: Case,
    iterations: int | None = None,
    seed: int | None = None,
    *,
    chunk_size: int | None = None,
    on_chunk: Callable[[int, int], None] | None = None,
) -> Any:
    """:func:`feasibility.analysis.risk.simulate` in about 20 chunks, calling ``on_chunk(done, total)`` after each.

    The sample is drawn whole, so the chunk size does not change the numbers.
    """
    from ..analysis import risk

    n = case.risk.iterations if iterations is None else int(iterations)
    chunk = chunk_size or max(250, math.ceil(n / 20))
    return risk.simulate(case, n, seed, chunk_size=chunk, progress=on_chunk if on_chunk is not None else False)


def _axis_fmt(unit: str) -> str:
    """The chart number format of a metric's unit (names understood by :func:`feasibility.studio.workers.chart_fmt`)."""
    return "bn" if unit == "IDR" else ("pct" if unit == "fraction" else "ratio")


def _error(text: str) -> str:
    return f"<div style='color:#B3261E'>{html.escape(text)}</div>"


class RiskPanel:
    """Sensitivity (tornado, spider, switching values, two-way heat maps) and a Monte Carlo behind a button.

    Parameters
    ----------
    case : Case, path or None
        The case analysed (default: the Kota Serang case), unless ``studio``.
    lang : {"en", "id"}
    studio : Studio, optional
        Analyse the studio's current assumptions (taken again at each run).
    compute : bool
        Compute the sensitivity now (a second or less); the Monte Carlo waits for its button.

    Attributes
    ----------
    tornado, spider, switching, heatmap, mc_chart, mc_summary : HTML
    progress : IntProgress
        Moves after each chunk of the Monte Carlo.
    simulation : feasibility.analysis.risk.Simulation or None
        The last Monte Carlo.
    tornadoes : dict of str to feasibility.analysis.sensitivity.Tornado
        The last one-way analysis.
    """

    def __init__(self, case: Case | str | Path | None = None, lang: str = "en", *, studio: Studio | None = None, compute: bool = True):
        import ipywidgets as W

        self._W = W
        self.lang = lang
        self.t = words(lang, "studio_risk")
        self.ts = words(lang)
        self.fmt = Formatter(lang)
        self.studio = studio
        if studio is None:
            self.case, self.case_path = as_case(case)
        else:
            self.case, self.case_path = studio.current_case(), studio.case_path
        self.simulation: Any = None
        self.tornadoes: dict[str, Any] = {}
        self._build()
        if compute:
            self.run_sensitivity()

    def _metric_label(self, key: str) -> str:
        return registry.label(key, self.lang)

    def _pairs(self) -> list[tuple[str, int]]:
        pairs = [(f"{input_name(tw.rows)} \u00d7 {input_name(tw.cols)}", i) for i, tw in enumerate(self.case.sensitivity.two_way)]
        return pairs or [("\u2013", -1)]

    def _build(self) -> None:
        W, t, ts = self._W, self.t, self.ts
        self.metric = W.Dropdown(options=[(self._metric_label(m), m) for m in RISK_PANEL_METRICS], value="fnpv_idr",
                                 description=t["metric"], layout=W.Layout(width="420px"))
        self.sens_button = W.Button(description=t["run_sensitivity"], icon="refresh", button_style="primary", layout=W.Layout(width="auto"))
        self.sens_button.on_click(lambda _b: self.run_sensitivity())
        self.metric.observe(lambda _c: self.run_sensitivity(), names="value")
        self._choices = load_choices(self.case_path, self.lang)
        self.load_path = W.Combobox(value="", options=list(self._choices), placeholder=ts["load_placeholder"], description=ts["load_path"],
                                    ensure_option=False, layout=W.Layout(width="520px"), style={"description_width": "110px"})
        self.load_button = W.Button(description=ts["load_button"], icon="folder-open", layout=W.Layout(width="auto"))
        self.load_button.on_click(lambda _b: self._on_load())
        self.sens_status = W.HTML()
        self.tornado = W.HTML(layout=W.Layout(width="100%", max_width="900px"))
        self.spider = W.HTML(layout=W.Layout(width="100%", max_width="900px"))
        self.switching = W.HTML()
        self.two_way_choice = W.Dropdown(options=self._pairs(), description=t["two_way_table"], layout=W.Layout(width="520px"))
        self.two_way_choice.observe(lambda _c: self._draw_two_way(), names="value")
        self.heatmap = W.HTML(layout=W.Layout(width="100%", max_width="900px"))
        for w, k in ((self.tornado, "tornado"), (self.spider, "spider"), (self.switching, "switching"), (self.heatmap, "heatmap")):
            w.add_class(f"fs-risk-{k}")
        self.mc_box = self._monte_carlo_box()
        tabs = W.Tab([self.tornado, self.spider, self.switching, W.VBox([self.two_way_choice, self.heatmap]), self.mc_box])
        for i, k in enumerate(("tab_tornado", "tab_spider", "tab_switching", "tab_two_way", "tab_monte_carlo")):
            tabs.set_title(i, t[k])
        self.tabs = tabs
        header = [W.HTML(PAGE_STYLE + f"<h2 style='margin:4px 0'>{html.escape(t['title'])}</h2>")]
        if self.studio is None:
            header.append(W.HBox([self.load_path, self.load_button], layout=W.Layout(flex_flow="row wrap")))
        self.ui = W.VBox(header + [W.HBox([self.metric, self.sens_button], layout=W.Layout(flex_flow="row wrap")),
                                   self.sens_status, tabs], layout=W.Layout(width="100%"))
        self.ui.add_class("fs-risk")

    def _monte_carlo_box(self) -> Any:
        """The Monte Carlo tab: iterations, seed, the button, the progress bar and the results."""
        W, t = self._W, self.t
        self.iterations = W.BoundedIntText(value=int(self.case.risk.iterations), min=ITERATIONS_MIN, max=ITERATIONS_MAX, step=1000, description=t["iterations"],
                                           layout=W.Layout(width="240px"))
        self.seed = W.BoundedIntText(value=int(self.case.risk.seed), min=0, max=2**53, description=t["seed"], layout=W.Layout(width="240px"))
        self.mc_button = W.Button(description=t["run_mc"], icon="play", button_style="warning", layout=W.Layout(width="auto"))
        self.mc_button.on_click(lambda _b: self._on_monte_carlo())
        self.progress = W.IntProgress(value=0, min=0, max=1, layout=W.Layout(width="420px"))
        self.progress.add_class("fs-progress")
        self.mc_status = W.HTML()
        self.mc_summary = W.HTML()
        self.mc_chart = W.HTML(layout=W.Layout(width="100%", max_width="900px"))
        self.mc_ranks = W.HTML()
        for w, k in ((self.mc_summary, "mc-summary"), (self.mc_chart, "mc-chart"), (self.mc_status, "mc-status"), (self.iterations, "mc-iterations"),
                     (self.seed, "mc-seed"), (self.mc_button, "mc-run")):
            w.add_class(f"fs-risk-{k}")
        return W.VBox([W.HBox([self.iterations, self.seed, self.mc_button], layout=W.Layout(flex_flow="row wrap")), self.progress,
                       self.mc_status, self.mc_summary, self.mc_chart, self.mc_ranks])

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.ui._repr_mimebundle_(**kwargs)

    def current_case(self) -> Case:
        """The case analysed: the studio's current assumptions when the panel follows a studio."""
        if self.studio is not None:
            self.case = self.studio.current_case()
        return self.case

    def load(self, path: str | Path) -> Case:
        """Analyse another case file (a label of the load box, or a path)."""
        self.case, self.case_path = as_case(self._choices.get(str(path), path))
        self.two_way_choice.options = self._pairs()
        self.iterations.value = int(self.case.risk.iterations)
        self.seed.value = int(self.case.risk.seed)
        self.run_sensitivity()
        return self.case

    def _on_load(self) -> None:
        if not self.load_path.value.strip():
            return
        try:
            self.load(self.load_path.value.strip())
        except FileNotFoundError:
            self.sens_status.value = _error(self.ts["load_missing"].format(path=self.load_path.value.strip()))
        except CaseError as exc:
            self.sens_status.value = _error(str(exc))

    # -- sensitivity ----------------------------------------------------------

    def _value_fmt(self, metric: str) -> Callable[[float], str]:
        unit = METRIC_UNITS.get(metric, "")
        if unit == "IDR":
            return lambda x: self.fmt.number(x / 1e9, 0 if abs(x) >= 1e10 else 1)
        return lambda x: self.fmt.value(x, unit)

    def run_sensitivity(self) -> dict[str, Any]:
        """One-way analysis of the chosen metric (tornado, spider, switching values) and the two-way table."""
        from ..analysis import sensitivity as sens

        t0 = time.perf_counter()
        case = self.current_case()
        metric = self.metric.value
        self.tornadoes = sens.one_way(case, metrics=[metric])
        tor = self.tornadoes[metric]
        tab = tor.table
        unit = METRIC_UNITS.get(metric, "")
        axis = self._axis_label(metric)
        title = self._metric_label(metric)
        base = tor.base if math.isfinite(tor.base) else 0.0
        specs: dict[str, Spec] = {
            "tornado": ("tornado", self.lang, {"names": [input_name(p) for p in tab.index], "low_values": tab["metric_low"].tolist(),
                                               "high_values": tab["metric_high"].tolist(), "base": base,
                                               "title": self.t["tornado_title"].format(metric=title), "xlabel": axis, "fmt": _axis_fmt(unit)}),
        }
        sp = sens.spider(case, metric=metric)
        specs["spider"] = ("spider", self.lang, {"pct_changes": sp.index.to_list(),
                                                 "curves": {input_name(c): sp[c].tolist() for c in sp.columns[:8]},
                                                 "title": self.t["spider_title"].format(metric=title), "xlabel": self.t["spider_x"],
                                                 "ylabel": axis, "fmt": _axis_fmt(unit)})
        self.tornado.value = draw(specs["tornado"])
        self.spider.value = draw(specs["spider"])
        self.switching.value = self._switching_table(tor, metric)
        self._draw_two_way()
        done = self.t["sens_done"].format(k=len(tab), metric=title, s=self.fmt.number(time.perf_counter() - t0, 1))
        self.sens_status.value = f"<div style='font-size:12px;color:#555'>{html.escape(done)}</div>"
        return self.tornadoes

    def _axis_label(self, metric: str) -> str:
        if METRIC_UNITS.get(metric, "") == "IDR":
            tl = self.case.timeline
            return self.ts["ylabel_real"].format(year=tl.price_base_year) if tl.price_basis == "real" else self.ts["ylabel_nominal"]
        return self._metric_label(metric)

    def _switching_table(self, tor: Any, metric: str) -> str:
        t, f = self.t, self.fmt
        vf = self._value_fmt(metric)
        qmap = self.case.quantity_map()
        conf = catalog(self.lang)["confidence"]
        rows = []
        for path, r in tor.table.iterrows():
            unit = r["unit"]
            sv = r.get("switching_value", np.nan)
            sc = r.get("switching_change", np.nan)
            rows.append((
                input_name(path), unit, show_value(f, r["base_value"], unit), show_value(f, r["low_value"], unit),
                show_value(f, r["high_value"], unit), vf(r["metric_low"]), vf(r["metric_high"]), f.number(r["elasticity"], 2),
                t["yes"] if r["critical"] else t["no"],
                show_value(f, sv, unit) if isinstance(sv, float) and math.isfinite(sv) else t["none_in_range"],
                f.percent(sc, 1) if isinstance(sc, float) and math.isfinite(sc) else "",
                conf.get(qmap[path].confidence, qmap[path].confidence) if path in qmap else "",
            ))
        header = [t["input"], t["unit"], t["base"], t["low"], t["high"], t["at_low"], t["at_high"], t["si"], t["critical"],
                  t["switching_value"], t["switching_change"], t["confidence"]]
        return table_html(header, rows, numeric=[False, False] + [True] * 8 + [False, False])

    def _draw_two_way(self) -> None:
        from ..analysis import sensitivity as sens

        i = self.two_way_choice.value
        if i is None or i < 0 or i >= len(self.case.sensitivity.two_way):
            self.heatmap.value = ""
            return
        tw = self.case.sensitivity.two_way[i]
        df = sens.two_way(self.current_case(), tw.rows, tw.cols, metric=tw.metric, row_changes=tw.row_changes, col_changes=tw.col_changes)
        qmap = self.case.quantity_map()
        ru, cu = qmap[tw.rows].unit, qmap[tw.cols].unit
        self.heatmap.value = draw(("heatmap", self.lang, {
            "row_values": [show_value(self.fmt, v, ru) for v in df.index],
            "col_values": [show_value(self.fmt, v, cu) for v in df.columns],
            "table": df.to_numpy().tolist(),
            "row_label": input_name(tw.rows), "col_label": input_name(tw.cols),
            "title": self.t["heat_title"].format(metric=self._metric_label(tw.metric)),
            "fmt": _axis_fmt(METRIC_UNITS.get(tw.metric, "")),
            "value_label": self._axis_label(tw.metric),
        }))

    # -- Monte Carlo ----------------------------------------------------------

    def run_monte_carlo(self, iterations: int | None = None, seed: int | None = None) -> Any:
        """Run the Monte Carlo, moving the progress bar after each chunk, and show its results."""
        t, f = self.t, self.fmt
        n = int(iterations if iterations is not None else self.iterations.value)
        s = int(seed if seed is not None else self.seed.value)
        case = self.current_case()
        self.progress.max = n
        self.progress.value = 0
        self.progress.bar_style = "info"
        self.mc_status.value = f"<div style='font-size:12px'>{html.escape(t['mc_running'].format(n=f.number(n)))}</div>"
        t0 = time.perf_counter()

        def tick(done: int, total: int) -> None:
            self.progress.value = done

        sim = simulate_in_chunks(case, n, s, on_chunk=tick)
        self.simulation = sim
        self.progress.value = n
        self.progress.bar_style = "success"
        done = t["mc_done"].format(n=f.number(n), s=f.number(time.perf_counter() - t0, 1), seed=s)
        self.mc_status.value = f"<div style='font-size:12px'>{html.escape(done)}</div>"
        self._show_simulation(sim)
        return sim

    def _show_simulation(self, sim: Any) -> None:
        """The Monte Carlo's summary table, probabilities, FNPV histogram and input ranking."""
        t, f = self.t, self.fmt
        summ = sim.summary()
        rows = []
        for m in ("fnpv_idr", "firr", "dscr_min", "region_pv_dividends_idr"):
            if m not in summ.index:
                continue
            r = summ.loc[m]
            unit = METRIC_UNITS.get(m, "")
            rows.append((self._metric_label(m), f.value(r["mean"], unit), f.value(r["p10"], unit), f.value(r["p50"], unit),
                         f.value(r["p90"], unit), f.number(r["undefined"])))
        p_npv = t["prob_npv"].format(p=f.percent(sim.prob_npv_negative))
        p_dscr = t["prob_dscr"].format(t=f.number(sim.dscr_threshold, 2), p=f.percent(sim.prob_dscr_below))
        self.mc_summary.value = (
            f"<div style='font-size:13px;font-weight:600;margin:6px 0'>{html.escape(p_npv)} \u00b7 {html.escape(p_dscr)}</div>"
            + table_html(["", t["mean"], "P10", "P50", "P90", t["undefined"]], rows, numeric=[False] + [True] * 5)
        )
        v = sim.metrics["fnpv_idr"]
        ok = v[np.isfinite(v)]
        pc = dict(zip(("P10", "P50", "P90"), np.percentile(ok, [10, 50, 90]).tolist())) if ok.size else None
        self.mc_chart.value = draw(("histogram", self.lang, {
            "values": v.tolist(), "title": t["hist_title"], "xlabel": self._axis_label("fnpv_idr"), "fmt": "bn", "threshold": 0.0,
            "threshold_label": t["hist_threshold"], "share_label": p_npv, "percentiles": pc,
        }))
        ranks = sim.rank_correlations()
        self.mc_ranks.value = (
            f"<div style='font-weight:600;margin:8px 0 2px'>{html.escape(t['rank_title'])}</div>"
            + table_html([t["input"], t["rank_rho"]], [(input_name(p), f.number(r, 2)) for p, r in ranks.head(10).items()],
                         numeric=[False, True])
        )

    def _on_monte_carlo(self) -> None:
        self.mc_button.disabled = True
        try:
            self.run_monte_carlo()
        except Exception as exc:  # noqa: BLE001 - shown in the panel
            self.progress.bar_style = "danger"
            self.mc_status.value = _error(str(exc))
        finally:
            self.mc_button.disabled = False


# ---------------------------------------------------------------------------
# demand


def best_method(table: pd.DataFrame) -> str:
    """The method a back-test picks: among those scored at every origin, the lowest MASE, then MAPE."""
    ok = table[(table["n"] > 0) & (table["n"] == table["n"].max())]
    if ok.empty:
        return str(table.index[0])
    return str(ok.sort_values(["MASE", "MAPE"], na_position="last", kind="stable").index[0])


class DemandPanel:
    """Histories back-tested, a method picked (the best by default), its forecast fan, and the case's build-up.

    Parameters
    ----------
    case : Case, path or None
        The case whose bottom-up demand is shown (default: Kota Serang).
    lang : {"en", "id"}
    history : path, optional
        The history file shown first (default: the first of the package's ``data/history``).

    Attributes
    ----------
    backtest : DataFrame
        The last back-test (:func:`feasibility.domain.demand.backtest`).
    fitted : object
        The model of the chosen method, fitted to the whole history.
    """

    def __init__(self, case: Case | str | Path | None = None, lang: str = "en", *, history: str | Path | None = None):
        import ipywidgets as W

        self._W = W
        self.lang = lang
        self.t = words(lang, "studio_demand")
        self.fmt = Formatter(lang)
        self.case, self.case_path = as_case(case)
        files = sorted((DEFAULT_CASE.parent / "history").glob("*.csv"))
        options = [(f.name, str(f)) for f in files]
        first = str(_export.resolve_path(history)) if history is not None else (options[0][1] if options else "")
        if history is not None and first not in [v for _, v in options]:
            options.append((Path(first).name, first))
        self.backtest: pd.DataFrame | None = None
        self.fitted: Any = None
        self._busy = False
        self._build(options, first)
        self._show_buildup()
        self._load_history()
        if history is None and self.backtest is None:  # show a history that can be fitted
            for _, f in options[1:]:
                self.history.value = f
                if self.backtest is not None:
                    break

    def _build(self, options: list[tuple[str, str]], first: str) -> None:
        W, t = self._W, self.t
        wide = {"description_width": "130px"}
        self.history = W.Dropdown(options=options, value=first, description=t["history"], style=wide, layout=W.Layout(width="460px"))
        self.column = W.Dropdown(description=t["column"], style=wide, layout=W.Layout(width="460px"))
        self.origins = W.BoundedIntText(value=3, min=1, max=10, description=t["origins"], style=wide, layout=W.Layout(width="230px"))
        self.horizon = W.BoundedIntText(value=10, min=1, max=40, description=t["horizon"], style=wide, layout=W.Layout(width="230px"))
        self.method = W.Dropdown(description=t["method"], style=wide, layout=W.Layout(width="560px"))
        self.backtest_table = W.HTML()
        self.chart = W.HTML(layout=W.Layout(width="100%", max_width="900px"))
        self.status = W.HTML()
        self.buildup = W.HTML()
        self.history.observe(lambda _c: self._load_history(), names="value")
        self.column.observe(lambda _c: self._run_backtest(), names="value")
        self.origins.observe(lambda _c: self._run_backtest(), names="value")
        self.method.observe(lambda _c: self._draw_forecast(), names="value")
        self.horizon.observe(lambda _c: self._draw_forecast(), names="value")
        self.ui = W.VBox(
            [
                W.HTML(PAGE_STYLE + f"<h2 style='margin:4px 0'>{html.escape(t['title'])}</h2>"),
                W.HBox([self.history, self.column], layout=W.Layout(flex_flow="row wrap")),
                W.HBox([self.origins, self.horizon], layout=W.Layout(flex_flow="row wrap")),
                self.backtest_table,
                self.method,
                self.status,
                self.chart,
                self.buildup,
            ],
            layout=W.Layout(width="100%"),
        )

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.ui._repr_mimebundle_(**kwargs)

    def series(self) -> tuple[np.ndarray, np.ndarray]:
        """The years and values of the chosen history column (rows without a value left out)."""
        df = pd.read_csv(self.history.value)
        col = self.column.value
        ok = df[["year", col]].dropna()
        return ok["year"].to_numpy(dtype=int), ok[col].to_numpy(dtype=float)

    def _quietly(self, fn: Callable[[], None]) -> None:
        """Set widgets without their observers running the back-test again."""
        self._busy = True
        try:
            fn()
        finally:
            self._busy = False

    def _load_history(self) -> None:
        if not self.history.value:
            return
        df = pd.read_csv(self.history.value)
        cols = [c for c in df.columns if c != "year" and pd.api.types.is_numeric_dtype(df[c])]

        def set_columns() -> None:
            self.column.options = cols
            self.column.value = cols[0] if cols else None

        self._quietly(set_columns)
        self._run_backtest()

    def _run_backtest(self) -> None:
        from ..domain import demand

        if self._busy or not self.column.value:
            return
        t, f = self.t, self.fmt
        years, values = self.series()
        try:
            table = demand.backtest(years, values, k=int(self.origins.value), name=Path(self.history.value).stem)
        except (demand.SeriesError, ValueError) as exc:
            self.backtest, self.fitted = None, None
            self.backtest_table.value = _error(t["failed"].format(msg=exc))
            self._quietly(lambda: setattr(self.method, "options", []))
            self.chart.value = ""
            return
        self.backtest = table
        best = best_method(table)
        names = f.msg["forecast_methods"]
        rows = [
            (names.get(m, m) + (" \u2605" if m == best else ""), f.percent(r.MAPE, 1), f.number(r.RMSE, 1), f.number(r.MASE, 2), r.n, r.note)
            for m, r in zip(table.index, table.itertuples())
        ]
        self.backtest_table.value = (
            f"<div style='font-weight:600;margin:8px 0 2px'>{html.escape(t['backtest'].format(k=self.origins.value))}</div>"
            + table_html([t["col_method"], "MAPE", "RMSE", "MASE", "n", t["col_note"]], rows, numeric=[False, True, True, True, True, False])
        )

        def set_methods() -> None:
            self.method.options = [(f"{names.get(m, m)} \u2014 {t['best']}" if m == best else names.get(m, m), m) for m in table.index]
            self.method.value = best

        self._quietly(set_methods)
        self._draw_forecast()

    def _draw_forecast(self) -> None:
        from ..case.forecasts import fit_series
        from ..domain import demand

        if self._busy or self.method.value is None:
            return
        years, values = self.series()
        name = Path(self.history.value).stem
        try:
            self.fitted = fit_series(self.method.value, years, values, name)
            fc = self.fitted.forecast(int(self.horizon.value))
        except (demand.SeriesError, ValueError) as exc:
            self.fitted = None
            self.status.value = _error(self.t["failed"].format(msg=exc))
            self.chart.value = ""
            return
        self.status.value = ""

        def band(lo: Any, hi: Any, label: str) -> tuple[list[float], list[float], str]:
            return np.asarray(lo, dtype=float).tolist(), np.asarray(hi, dtype=float).tolist(), label

        from ..present.report.common import chart_words
        from ..present.report.market import forecast_notes

        # what the report says under its fans: measured coverage, extrapolation, the horizon limit, bounds
        cw = chart_words(self.fmt)
        notes = forecast_notes(self.fmt, self.method.value, fc.params, int(years.size), int(self.horizon.value), int(years.max()) + 1)
        self.chart.value = draw(("fan", self.lang, {
            "years": np.asarray(fc.years, dtype=int).tolist(), "median": np.asarray(fc.point, dtype=float).tolist(),
            "bands": [band(fc.lower95, fc.upper95, "95%"), band(fc.lower80, fc.upper80, "80%")],
            "history_years": years.tolist(), "history": values.tolist(),
            "title": self.t["forecast"].format(name=name, method=self.fmt.msg["forecast_methods"].get(self.method.value, self.method.value)),
            "ylabel": self.column.value, "median_label": cw["median"], "history_label": cw["history"],
            "forecast_label": cw["forecast"], "na_label": cw["na"], "fmt": "number",
        })) + "".join(f"<p style='margin:4px 0;max-width:860px'>{html.escape(n)}</p>" for n in notes)

    # -- the case's build-up --------------------------------------------------

    def _cargo_rows(self, b: Any) -> list[tuple[str, str, str]]:
        """The steps of a cargo build-up: companies x tonnes, less own terminals and competitors, x capture."""
        from ..domain.buildup import hinterland_cargo_tonnes

        t, f, conf = self.t, self.fmt, catalog(self.lang)["confidence"]
        n, q = b.companies.value, b.tonnes_per_company.value
        own, comp = b.own_terminal_share.value, b.competitor_share.value
        cap, cap_conf = self._capture(b)
        public = n * q * (1 - own)
        won = float(hinterland_cargo_tonnes(n, q, cap, own_terminal_share=own, competitor_share=comp))
        rows = [
            (t["companies"], f.number(n), conf[b.companies.confidence]),
            (t["tonnes_per_company"], f.number(q), conf[b.tonnes_per_company.confidence]),
            (t["hinterland_cargo"], f.number(n * q), ""),
            (t["own_terminals"].format(share=f.percent(own)), f.number(public), conf[b.own_terminal_share.confidence]),
            (t["competing_ports"].format(share=f.percent(comp)), f.number(public * (1 - comp)), conf[b.competitor_share.confidence]),
        ]
        if b.capture_share is None:  # a market share per cargo type: what each wins of its part of the contestable cargo
            st = next(s for s in self.case.port.revenue.values() if getattr(s, "build_up", None) is b)
            total = sum(x.share.value for x in st.cargo_types.values())
            for name, x in st.cargo_types.items():
                part = public * (1 - comp) * x.share.value / total
                rows.append((t["type_capture"].format(name=in_lang(x.label, self.lang) or name, share=f.percent(x.share.value / total),
                                                      capture=f.percent(x.capture_share.value)),
                             f.number(part * x.capture_share.value), conf[x.capture_share.confidence]))
        rows.append((t["capture"].format(share=f.percent(cap)), f.number(won), cap_conf))
        for a in b.anchors.values():  # the shippers listed one by one
            won += a.tonnes_per_year.value * a.share.value
            rows.append((t["anchor"].format(name=in_lang(a.label, self.lang), tonnes=f.number(a.tonnes_per_year.value),
                                            share=f.percent(a.share.value)),
                         f.number(a.tonnes_per_year.value * a.share.value), conf[a.tonnes_per_year.confidence]))
        if b.anchors:
            rows.append((t["cargo_won"], f.number(won), ""))
        td = b.top_down
        if td is not None:
            ref = td.regional_tonnes.value
            rows.append((t["reference"].format(name=in_lang(td.label, self.lang) or "-", tonnes=f.number(ref)),
                         t["reference_value"].format(share=f.percent(won / ref if ref else float("nan"))), conf[td.regional_tonnes.confidence]))
        if td is not None and td.market_share is not None:
            total = td.regional_tonnes.value * td.market_share.value
            ratio = f.number(won / total if total else float("nan"), 2)
            rows.append((t["top_down"].format(tonnes=f.number(td.regional_tonnes.value), share=f.percent(td.market_share.value)),
                         t["top_down_value"].format(value=f.number(total), ratio=ratio), conf[td.market_share.confidence]))
        return rows

    def _capture(self, b: Any) -> tuple[float, str]:
        """The build-up's capture share and its confidence, or the cargo types' own weighted by their shares."""
        conf = catalog(self.lang)["confidence"]
        if b.capture_share is not None:
            return b.capture_share.value, conf[b.capture_share.confidence]
        st = next(s for s in self.case.port.revenue.values() if getattr(s, "build_up", None) is b)
        types = list(st.cargo_types.values())
        won = weighted_capture(types, lambda q: q.value)
        kinds = {t.capture_share.confidence for t in types}
        return won, conf[kinds.pop()] if len(kinds) == 1 else ""

    def _lab_rows(self, b: Any) -> list[tuple[str, str, str]]:
        """The steps of a lab build-up: companies x samples x capture."""
        t, f, conf = self.t, self.fmt, catalog(self.lang)["confidence"]
        n, s, cap = b.companies.value, b.samples_per_company.value, b.capture_share.value
        return [
            (t["companies"], f.number(n), conf[b.companies.confidence]),
            (t["samples_per_company"], f.number(s), conf[b.samples_per_company.confidence]),
            (t["capture"].format(share=f.percent(cap)), f.number(n * s * cap), conf[b.capture_share.confidence]),
        ]

    def _annual_table(self) -> str:
        """Cargo demand, capacity and throughput over the first ten operating years."""
        t, f, case = self.t, self.fmt, self.case
        labels = {**catalog(self.lang)["more_lines"], "cargo_unmet_tonnes": t["cargo_unmet_tonnes"]}
        res = run(case)
        cols = [c for c in ("cargo_demand_tonnes", "cargo_capacity_tonnes", "cargo_throughput_tonnes", "cargo_unmet_tonnes", "berth_occupancy")
                if c in res.lines]
        if not cols:
            return ""
        fo = case.timeline.first_operating_year
        rows = []
        for y, rec in zip(res.years, res.annual[cols].to_dict("records")):
            if fo <= y <= fo + 9:
                rows.append([int(y)] + [f.percent(rec[c]) if c == "berth_occupancy" else f.number(rec[c]) for c in cols])
        return (f"<div style='font-weight:600;margin:8px 0 2px'>{html.escape(t['annual'])}</div>"
                + table_html([t["year"]] + [labels.get(c, c) for c in cols], rows, numeric=[True] * (len(cols) + 1)))

    def _show_buildup(self) -> None:
        t = self.t
        parts = []
        for line in self.case.lines().values():
            for name, st in line.revenue.items():
                b = getattr(st, "build_up", None)
                if b is None:
                    continue
                rows = self._cargo_rows(b) if st.kind == "cargo_handling" else self._lab_rows(b)
                label = in_lang(st.label, self.lang) or name
                parts.append(f"<div style='font-weight:600;margin:8px 0 2px'>{html.escape(in_lang(line.name, self.lang))} \u203a {html.escape(label)}</div>"
                             + table_html([t["step"], t["value"], t["confidence"]], rows, numeric=[False, True, False]))
        parts.append(self._annual_table())
        self.buildup.value = f"<h3 style='margin:10px 0 2px'>{html.escape(t['buildup'])}</h3>" + "".join(parts)
