"""The studio's workbench under the inputs: compare, goal seek, the annual table, Monte Carlo, files, the report.

Each panel connects widgets to library calls and follows the studio's current
inputs (the studio calls :meth:`refresh` of each after every recomputation):

* :class:`ComparePanel`: the headline metrics of the current inputs, the case
  file, its named scenarios, its options and saved case files side by side
  (:func:`feasibility.model.run`, the registry's labels and the verdict of
  :func:`feasibility.analysis.criteria.assess`);
* :class:`GoalSeekPanel`: :func:`feasibility.analysis.goal_seek.goal_seek`;
* :class:`AnnualPanel`: the model's annual lines (the council report's
  appendix columns) and a CSV download;
* :class:`MonteCarloPanel`: :func:`feasibility.analysis.risk.simulate` with a
  progress bar; its results are marked stale as soon as an input changes.
"""

from __future__ import annotations

import base64
import html
import io
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..analysis.criteria import assess, verdict
from ..analysis.goal_seek import GOALS, goal_seek
from ..case import Case, in_lang
from ..metrics import registry
from ..metrics.registry import METRIC_UNITS
from ..model import run
from ..present.report.appendix import ANNUAL_COLUMNS
from ..present.report.common import line_labels
from .files import as_case
from .inputs import person_label, show_value

if TYPE_CHECKING:
    from .app import Studio

__all__ = ["COMPARE_METRICS", "AnnualPanel", "ComparePanel", "GoalSeekPanel", "MonteCarloPanel", "Workbench", "annual_csv", "download_link"]

#: the headline metrics of the side-by-side table, in order
COMPARE_METRICS: tuple[str, ...] = ("fnpv_idr", "firr", "wacc", "dscr_min", "public_money_total_idr", "public_money_pv_idr",
                                    "region_pv_dividends_idr", "region_npv_idr", "enpv_idr")


def download_link(data: bytes, filename: str, mime: str, text: str) -> str:
    """An HTML link that downloads ``data`` as ``filename`` from the page itself (a data URL: no server, works in Voila)."""
    b64 = base64.b64encode(data).decode("ascii")
    return (f'<a class="fs-download" download="{html.escape(filename, quote=True)}" href="data:{mime};base64,{b64}" '
            f'style="font-size:13px">\u2b07 {html.escape(text)}</a>')


def _bad(text: str) -> str:
    return f"<div style='color:#B3261E;font-size:12px'>{html.escape(text)}</div>"


def _note(text: str, colour: str = "#444") -> str:
    return f"<div style='color:{colour};font-size:12px;margin:2px 0'>{html.escape(text)}</div>"


def _cell_style(j: int, text: str, first_left: bool) -> str:
    """A cell's style: labels (first column) never squeezed below 14 em; a figure on one line; a longer text wraps."""
    align = "left" if j == 0 and first_left else "right"
    fit = "min-width:14em;" if j == 0 else "white-space:nowrap;" if len(text) <= 28 else "min-width:12em;max-width:26em;text-align:left;"
    return f"text-align:{align};padding:2px 8px;border-bottom:1px solid #eee;vertical-align:top;{fit}"


def _table(header: list[str], rows: list[list[str]], *, first_left: bool = True, classes: str = "") -> str:
    th = "".join(f'<th style="text-align:{"left" if j == 0 and first_left else "right"};padding:2px 8px;border-bottom:1px solid #999;'
                 f'vertical-align:bottom">{html.escape(h)}</th>' for j, h in enumerate(header))
    body = "".join(
        "<tr>" + "".join(f'<td style="{_cell_style(j, c, first_left)}">{html.escape(c)}</td>' for j, c in enumerate(r)) + "</tr>"
        for r in rows
    )
    # line-height: the widget's own (28 px, the height of an input) would space a wrapped label out
    return (f'<div style="overflow-x:auto;max-width:100%"><table class="{classes}" '
            f'style="border-collapse:collapse;font-size:12px;line-height:1.35">'
            f"<thead><tr>{th}</tr></thead><tbody>{body}</tbody></table></div>")


class Workbench:
    """The tabs under the inputs: compare, goal seek, annual table, Monte Carlo, save and load, the council report."""

    def __init__(self, studio: Studio, files_and_export: tuple[Any, Any]):
        import ipywidgets as W

        t = studio.t
        self.compare = ComparePanel(studio)
        self.goal = GoalSeekPanel(studio)
        self.annual = AnnualPanel(studio)
        self.monte_carlo = MonteCarloPanel(studio)
        files, export = files_and_export
        self.tabs = W.Tab([self.compare.ui, self.goal.ui, self.annual.ui, self.monte_carlo.ui, files, export])
        for i, k in enumerate(("tool_compare", "tool_goal", "tool_annual", "tool_mc", "tool_files", "tool_export")):
            self.tabs.set_title(i, t[k])
        self.tabs.add_class("fs-workbench")
        self.ui = W.VBox([self.tabs], layout=W.Layout(width="100%", margin="10px 0 0 0"))
        self.panels = (self.compare, self.goal, self.annual, self.monte_carlo)
        # after each change only the open tab follows (the Monte Carlo's stale mark always): a closed tab catches up when opened
        studio._listeners.append(self._refresh_open)
        self.tabs.observe(self._on_tab, names="selected_index")
        self._ready = "fs-ready-0"  # which tab has been brought up to date since it was opened (a hook for browser tests)
        self.tabs.add_class(self._ready)

    def _refresh_open(self) -> None:
        i = self.tabs.selected_index
        if i is not None and i < len(self.panels) and self.panels[i] is not self.monte_carlo:
            self.panels[i].refresh()
        self.monte_carlo.refresh()

    def _on_tab(self, change: Mapping[str, Any]) -> None:
        i = change["new"]
        if i is None:
            return
        if i < len(self.panels):
            if self.panels[i] is self.monte_carlo:
                _ = self.monte_carlo.risk  # its widgets, built when the tab is first opened
            self.panels[i].refresh()
        self.tabs.remove_class(self._ready)
        self._ready = f"fs-ready-{i}"
        self.tabs.add_class(self._ready)

    def rebuild(self) -> None:
        """A new case or option: the choices that depend on it."""
        self.compare.rebuild()
        self.goal.rebuild()


# ---------------------------------------------------------------------------
# compare


class ComparePanel:
    """The headline metrics of two or more variants side by side."""

    def __init__(self, studio: Studio):
        import ipywidgets as W

        self.studio, self.t = studio, studio.t
        self.choice = W.SelectMultiple(options=[], rows=6, description=self.t["cmp_choose"], style={"description_width": "110px"},
                                       layout=W.Layout(width="560px"))
        self.button = W.Button(description=self.t["cmp_button"], icon="table", button_style="primary", layout=W.Layout(width="auto"))
        self.table = W.HTML()
        self.choice.add_class("fs-compare-choice")
        self.button.add_class("fs-compare-variants")
        self.table.add_class("fs-compare-variants-table")
        self.button.on_click(lambda _b: self.show())
        self.rebuild()
        self.ui = W.VBox([W.HBox([self.choice, self.button], layout=W.Layout(flex_flow="row wrap", align_items="flex-start",
                                                                             grid_gap="4px 8px")), self.table])

    def variants(self) -> dict[str, tuple[str, Any]]:
        """Every variant that can be compared: key -> (label, how to build it)."""
        s, t = self.studio, self.t
        out: dict[str, tuple[str, Any]] = {"current": (t["cmp_current"], None), "case": (t["cmp_case"], None)}
        for k, sc in s.case.scenarios.items():
            out[f"scenario:{k}"] = (t["cmp_scenario"].format(label=in_lang(sc.label, s.lang) if sc.label else k), k)
        for k, o in s.root.options.items():
            out[f"option:{k}"] = (t["cmp_option"].format(label=in_lang(o.label, s.lang)), k)
        for label, path in s._choices.items():
            if s.case_path is None or path.resolve() != s.case_path.resolve():
                out[f"file:{path}"] = (t["cmp_file"].format(name=label), path)
        return out

    def rebuild(self) -> None:
        self._variants = self.variants()
        keep = [k for k in self.choice.value if k in self._variants]
        self.choice.options = [(label, k) for k, (label, _) in self._variants.items()]
        self.choice.value = tuple(keep) or tuple(k for k in ("current", "case") if k in self._variants)

    def refresh(self) -> None:
        if self.table.value:
            self.show()  # cheap (one model run per variant): the table follows the inputs

    def _case_and_overrides(self, key: str) -> tuple[Case, dict[str, Any]]:
        s = self.studio
        kind, _, name = key.partition(":")
        if kind == "current":
            return s.case, s.overrides()
        if kind == "case":
            return s.case, {}
        if kind == "scenario":
            return s.case, s.case.scenario(name)
        if kind == "option":
            return s.root.option(name), {}
        return as_case(self._variants[key][1])[0], {}

    def compute(self, keys: list[str]) -> dict[str, Any]:
        """Metrics, verdict and changed inputs of each variant (by key)."""
        out: dict[str, Any] = {}
        for key in keys:
            try:
                case, over = self._case_and_overrides(key)
                metrics = [m for m in dict.fromkeys((*COMPARE_METRICS, *self.studio._metric_keys)) if m in registry.METRICS
                           and (m != "enpv_idr" or case.economic is not None)]
                res = run(case, over, metrics=metrics)
                out[key] = {"case": case, "over": over, "metrics": res.metrics, "verdict": verdict(assess(case, res.metrics))}
            except Exception as exc:  # noqa: BLE001 - one variant that cannot be computed is said in its column
                out[key] = {"error": str(exc)}
        return out

    def show(self) -> None:
        s, t, f = self.studio, self.t, self.studio.fmt
        keys = list(self.choice.value)
        if len(keys) < 2:
            self.table.value = _note(t["cmp_pick_two"], "#B3261E")
            return
        got = self.compute(keys)
        header = [t["cmp_metric"]] + [self._variants[k][0] for k in keys]
        rows = []
        for m in COMPARE_METRICS:
            if not any(m in g.get("metrics", {}) for g in got.values()):
                continue
            rows.append([registry.label(m, s.lang)] + [f.value(float(g["metrics"][m]), METRIC_UNITS.get(m, "")) if m in g.get("metrics", {})
                                                        else t["cmp_failed"].format(msg=g.get("error", "")) if "error" in g else "\u2013"
                                                        for g in got.values()])
        vwords = {"feasible": t["verdict_feasible"], "not_feasible": t["verdict_not_feasible"],
                  "feasible_partly_tested": t["verdict_feasible_partly_tested"], "incomplete": t["verdict_incomplete"]}
        rows.append([t["cmp_verdict"]] + [vwords[g["verdict"]].split(":")[0] if "verdict" in g else "\u2013" for g in got.values()])
        rows.append([t["cmp_changes"]] + [self._changes(g) for g in got.values()])
        self.table.value = _table(header, rows, classes="fs-compare-variants")

    def _changes(self, g: dict[str, Any]) -> str:
        """The inputs a variant sets differently from the studio's case file, in words with formatted values."""
        if "over" not in g:
            return "\u2013"
        s, t = self.studio, self.t
        if g["case"] is not s.case:
            return in_lang(g["case"].case.name, s.lang)
        qmap = s.case.quantity_map()
        items = []
        for p, v in g["over"].items():
            q = qmap.get(p)
            if q is None:
                continue
            shown = ", ".join(show_value(s.fmt, float(x), q.unit) for x in v) if isinstance(v, list) else show_value(s.fmt, float(v), q.unit)
            items.append(f"{person_label(s.case, p, s.lang)} = {shown}")
        if not items:
            return t["cmp_none_changed"]
        more = t["cmp_more"].format(n=len(items) - 4) if len(items) > 4 else ""
        return "; ".join(items[:4]) + (f"; {more}" if more else "")


# ---------------------------------------------------------------------------
# goal seek


class GoalSeekPanel:
    """Which value of one input brings a metric to its hurdle (:func:`feasibility.analysis.goal_seek.goal_seek`)."""

    def __init__(self, studio: Studio):
        import ipywidgets as W

        self.studio, self.t = studio, studio.t
        self.input = W.Dropdown(options=[], description=self.t["goal_input"], style={"description_width": "140px"},
                                layout=W.Layout(width="640px"))
        self.metric = W.Dropdown(options=[], description=self.t["goal_metric"], style={"description_width": "140px"},
                                 layout=W.Layout(width="480px"))
        self.button = W.Button(description=self.t["goal_button"], icon="crosshairs", button_style="primary", layout=W.Layout(width="auto"))
        self.apply_button = W.Button(description=self.t["goal_apply"], icon="check", disabled=True, layout=W.Layout(width="auto"))
        self.result_html = W.HTML()
        for w, k in ((self.input, "goal-input"), (self.metric, "goal-metric"), (self.button, "goal-solve"), (self.apply_button, "goal-apply"),
                     (self.result_html, "goal-result")):
            w.add_class(f"fs-{k}")
        self.button.on_click(lambda _b: self._on_solve())
        self.apply_button.on_click(lambda _b: self.apply())
        self.result: Any = None
        self.rebuild()
        self.ui = W.VBox([self.input, W.HBox([self.metric, self.button, self.apply_button],
                                             layout=W.Layout(flex_flow="row wrap", align_items="center", grid_gap="4px 8px")),
                          self.result_html])

    def rebuild(self) -> None:
        s = self.studio
        qmap = s.case.quantity_map()
        inputs = [(person_label(s.case, p, s.lang), p) for p in s.widgets
                  if not qmap[p].is_list and qmap[p].low is not None and qmap[p].high is not None and qmap[p].low < qmap[p].high]
        self.input.options = inputs
        thr = registry.threshold("dscr_min", s.case, {})
        self.metric.options = [(self.t[f"goal_{m}"].format(t=s.fmt.number(thr, 2)), m) for m in GOALS]
        self.metric.value = GOALS[0]
        self.input.value = inputs[0][1] if inputs else None
        self.result, self.result_html.value, self.apply_button.disabled = None, "", True

    def refresh(self) -> None:
        pass  # a result stays until solved again; "use this value" applies it to the inputs as they are

    def solve(self) -> Any:
        """Solve for the chosen input and goal with the current inputs; the result in words."""
        s, t, f = self.studio, self.t, self.studio.fmt
        if not self.input.options:
            self.result_html.value = _note(t["goal_no_inputs"], "#B3261E")
            return None
        path, metric = self.input.value, self.metric.value
        over = {p: v for p, v in s.overrides().items() if p != path}
        q = s.case.quantity_map()[path]
        g = goal_seek(s.case, path, metric, overrides=over)
        self.result = g
        name = person_label(s.case, path, s.lang)
        unit = METRIC_UNITS.get(metric, "")
        goal = {m: label for label, m in self.metric.options}[metric]
        lo, hi = show_value(f, g.low, q.unit), show_value(f, g.high, q.unit)
        if g.reached:
            text = t["goal_found"].format(name=name, value=show_value(f, g.value, q.unit), goal=goal, low=lo, high=hi)
            if g.roots > 1:
                text += " " + t["goal_several"].format(n=g.roots)
            self.result_html.value = _note(text, "#1B6E3A")
        else:
            target = f.value(g.target, unit) if math.isfinite(g.target) else f.value(g.target_at_high, unit)
            text = t["goal_not_reachable"].format(goal=goal, name=name, low=lo, high=hi, metric=registry.label(metric, s.lang),
                                                  at_low=f.value(g.metric_at_low, unit), at_high=f.value(g.metric_at_high, unit), target=target)
            self.result_html.value = _note(text, "#B3261E")
        self.apply_button.disabled = not g.reached
        return g

    def _on_solve(self) -> None:
        self.button.disabled = True
        try:
            self.solve()
        except Exception as exc:  # noqa: BLE001 - shown to the consultant, never lost in the kernel's log
            self.result_html.value = _bad(str(exc))
        finally:
            self.button.disabled = False

    def apply(self) -> None:
        """The solved value into its input (one change: undo takes it back)."""
        g = self.result
        if g is None or not g.reached:
            return
        s = self.studio
        s.set(g.path, g.value)
        q = s.case.quantity_map()[g.path]
        self.result_html.value += _note(self.t["goal_applied"].format(name=person_label(s.case, g.path, s.lang), value=show_value(s.fmt, g.value, q.unit)))
        self.apply_button.disabled = True


# ---------------------------------------------------------------------------
# annual table


def annual_csv(studio: Studio) -> bytes:
    """The annual lines of the studio's current run as CSV: one row a year, full rupiah, labels in the studio's language.

    UTF-8 with a byte-order mark (spreadsheets then read the labels right); a
    comma between fields and a point before decimals, whatever the language
    (RFC 4180, as machines read it).
    """
    res = studio.result
    annual = res.annual
    labels = line_labels(studio.fmt.msg)
    cols = [c for c in ANNUAL_COLUMNS if c in annual]
    buf = io.StringIO()
    frame = annual[cols].rename(columns={c: f"{labels.get(c, c)} [{c}]" for c in cols})
    frame.index.name = studio.t["annual_year"]
    frame.to_csv(buf, float_format="%.2f", lineterminator="\r\n")
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


class AnnualPanel:
    """The model's annual lines of the current inputs (years down), with a CSV download."""

    def __init__(self, studio: Studio):
        import ipywidgets as W

        self.studio, self.t = studio, studio.t
        self.table = W.HTML()
        self.table.add_class("fs-annual")
        self.link = W.HTML()
        self.link.add_class("fs-annual-download")
        # the workbook takes a second or two to write: made on request, for the inputs of the moment
        self.xlsx_button = W.Button(description=self.t["annual_xlsx_button"], layout=W.Layout(width="auto"))
        self.xlsx_button.add_class("fs-annual-xlsx")
        self.xlsx_button.on_click(lambda _b: self.make_workbook())
        self.xlsx_link = W.HTML()
        self.xlsx_link.add_class("fs-annual-xlsx-link")
        self.ui = W.VBox([W.HBox([self.link, self.xlsx_button, self.xlsx_link], layout=W.Layout(align_items="center", grid_gap="12px")),
                          self.table])

    def make_workbook(self) -> None:
        """The Excel workbook of the current inputs (:func:`feasibility.present.workbook.workbook_bytes`) as a download link."""
        from ..present.workbook import workbook_bytes

        s = self.studio
        self.xlsx_button.disabled = True
        self.xlsx_link.value = _note(self.t["annual_xlsx_busy"])
        try:
            data = workbook_bytes(s.case, lang=s.lang, overrides=s.overrides())
        finally:
            self.xlsx_button.disabled = False
        name = (s.case_path.stem if s.case_path is not None else "case") + ("_studio" if s.overrides() else "")
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        self.xlsx_link.value = download_link(data, f"{name}.xlsx", mime, self.t["annual_xlsx_download"])

    def refresh(self) -> None:
        s, t, f = self.studio, self.t, self.studio.fmt
        res = s.result
        if res is None:
            return
        annual = res.annual
        labels = line_labels(f.msg)
        cols = [c for c in ANNUAL_COLUMNS if c in annual]
        basis = (t["annual_basis_real"].format(year=s.case.timeline.price_base_year) if res.price_basis == "real" else t["annual_basis_nominal"])
        rows = []
        for y in annual.index:
            cells = [str(int(y))]
            for c in cols:
                v = float(annual.loc[y, c])
                cells.append(f.number(v, 2) if c == "dscr" else f.number(v / 1e9, 1))
            rows.append(cells)
        self.table.value = (f"<div style='font-weight:600;margin:4px 0'>{html.escape(t['annual_title'].format(basis=basis))}</div>"
                            + _table([t["annual_year"]] + [labels.get(c, c) for c in cols], rows, classes="fs-annual-table"))
        name = (s.case_path.stem if s.case_path is not None else "case") + ("_studio" if s.overrides() else "")
        self.link.value = download_link(annual_csv(s), f"{name}_annual.csv", "text/csv", t["annual_download"])
        self.xlsx_link.value = ""  # a workbook made before belongs to other inputs


# ---------------------------------------------------------------------------
# Monte Carlo


class MonteCarloPanel:
    """The Monte Carlo of the current inputs: iterations, seed, a progress bar; stale as soon as an input changes.

    Its widgets (the risk panel's Monte Carlo box, following the studio) are
    built when the tab is first opened or :meth:`run` is called: most sessions
    never open it, and every studio would otherwise pay for them.
    """

    def __init__(self, studio: Studio):
        import ipywidgets as W

        self.studio, self.t = studio, studio.t
        self.stale = W.HTML()
        self.stale.add_class("fs-mc-stale")
        self._ran_with: dict[str, Any] | None = None
        self._risk: Any = None
        self.ui = W.VBox([self.stale])

    @property
    def risk(self) -> Any:
        """The :class:`~feasibility.studio.panels.RiskPanel` whose Monte Carlo box this tab shows (built on first use)."""
        if self._risk is None:
            from .panels import RiskPanel

            self._risk = RiskPanel(lang=self.studio.lang, studio=self.studio, compute=False)
            self._risk.mc_button.on_click(lambda _b: self._after_run())
            self.ui.children = (self.stale, self._risk.mc_box)
        return self._risk

    @property
    def simulation(self) -> Any:
        return None if self._risk is None else self._risk.simulation

    def run(self, iterations: int | None = None, seed: int | None = None) -> Any:
        """Run the Monte Carlo of the current inputs (as the button does)."""
        sim = self.risk.run_monte_carlo(iterations, seed)
        self._after_run()
        return sim

    def _after_run(self) -> None:
        if self.simulation is not None:
            self._ran_with = self.studio.overrides() | {"__case__": id(self.studio.case)}
        self.refresh()

    def refresh(self) -> None:
        if self._ran_with is None:
            self.stale.value = ""
            return
        now = self.studio.overrides() | {"__case__": id(self.studio.case)}
        if now == self._ran_with:
            self.stale.value = _note(self.t["mc_fresh"], "#1B6E3A")
            return
        changed = sum(1 for k in set(now) | set(self._ran_with) if now.get(k) != self._ran_with.get(k))
        self.stale.value = (f"<div style='background:#FFF4E0;border-left:6px solid #E69F00;padding:6px 10px;font-size:13px'>"
                            f"\u26a0 {html.escape(self.t['mc_stale'].format(n=changed))}</div>")

    @property
    def is_stale(self) -> bool:
        return self._ran_with is not None and (self.studio.overrides() | {"__case__": id(self.studio.case)}) != self._ran_with

