"""The case as an Excel workbook an auditor can trace (``feasibility export``, issue 16).

Sheets
------
Assumptions
    One row per quantity of the case (a list: a row per element): label, path,
    value, unit, low, high, source, year, confidence (placeholders
    highlighted). Every value is a defined name
    (``port_revenue_cargo_handling_tariff_idr_per_tonne``, ``..._ramp_up_2``),
    so that formulas read names, not cell addresses.
Annual model
    Every step of the model as formulas of those names and of the rows above,
    one column per year (:mod:`.workbook_model`); the few rows that are the
    model's values say so and name the method (a forecast's volumes, the
    expansion's trigger years).
Metrics
    WACC, FNPV, FIRR, MIRR, BCR, equity and shareholder NPV and IRR, minimum
    DSCR, the region's NPV and IRR, as the spreadsheet's own ``NPV``, ``IRR``,
    ``MIRR``, ``MIN`` over the annual rows, next to the Python model's values
    and their difference. The model's convention
    (:func:`feasibility.metrics.finance.npv`): the first year's flow is at
    t = 0, undiscounted, so NPV is ``first + NPV(rate, rest)``.
Depreciation rates, Tax losses
    The PMK 72/2023 rates by asset group, and the loss carry-forward vintage by year.

Written with XlsxWriter; recomputed by LibreOffice in the tests. An edited
Assumptions sheet is read back by :mod:`.workbook_import`.
"""

from __future__ import annotations

import io
import math
import re
from pathlib import Path
from typing import Any

from ..case import Case
from ..model import Result, run
from .i18n import catalog
from .labels import owner_label, unit_label

__all__ = ["excel_name", "workbook_bytes", "write_workbook"]

_FIRST_ROW = 1  # row 0 is the header


def excel_name(path: str) -> str:
    """A defined name for a quantity path: letters, digits and underscores, never a cell reference."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", path)
    if not re.match(r"[A-Za-z_]", name) or re.fullmatch(r"[A-Za-z]{1,3}[0-9]+", name):
        name = "_" + name
    return name[:255]


def element_name(path: str, index: int | None) -> str:
    """The defined name of a quantity, or of element ``index`` (0-based) of a list quantity (``..._1`` for the first)."""
    return excel_name(path) if index is None else f"{excel_name(path)}_{index + 1}"[:255]


def workbook_bytes(case: Case, **kw: Any) -> bytes:
    """The ``.xlsx`` file of :func:`write_workbook` (same keywords) as bytes (for an atomic write, or a download)."""
    buf = io.BytesIO()
    write_workbook(case, buf, **kw)
    return buf.getvalue()


def _formats(wb: Any) -> dict[str, Any]:
    return {
        "head": wb.add_format({"bold": True, "bottom": 1, "text_wrap": True, "valign": "top"}),
        "title": wb.add_format({"bold": True}),
        "key": wb.add_format({"font_color": "#595959"}),
        "idr": wb.add_format({"num_format": "#,##0"}),
        "units": wb.add_format({"num_format": "#,##0.00"}),
        "share": wb.add_format({"num_format": "0.0000"}),
        "index": wb.add_format({"num_format": "0.000000"}),
        "rate": wb.add_format({"num_format": "0.000000"}),
        "ratio": wb.add_format({"num_format": "0.00"}),
        "pct": wb.add_format({"num_format": "0.00%"}),
        "year": wb.add_format({"num_format": "0"}),
        "placeholder": wb.add_format({"bg_color": "#FFF2CC"}),
        "wrap": wb.add_format({"text_wrap": True, "valign": "top"}),
    }


def _print_setup(ws: Any, header_rows: int, header_cols: int, scale: int | None = None) -> None:
    """A4 landscape, the header rows and label columns repeated on every page; one page wide, or at ``scale`` per cent
    over as many pages as it takes (the annual sheet: 30 years do not fit one page legibly)."""
    ws.set_paper(9)
    ws.set_landscape()
    if scale is None:
        ws.fit_to_pages(1, 0)
    else:
        ws.set_print_scale(scale)
    ws.repeat_rows(0, header_rows - 1)
    if header_cols:
        ws.repeat_columns(0, header_cols - 1)
    ws.freeze_panes(header_rows, header_cols)


def _assumptions(wb: Any, case: Case, t: dict[str, str], fmt: dict[str, Any], lang: str, overrides: dict[str, Any]) -> dict[str, int]:
    """One row per number of the case (a list quantity: a row per element), each value a defined name; the row of each name.

    The sheet is protected without a password, its value, range and provenance cells left open: sorting it would
    leave every name on its old cell (each formula would read another assumption), and protection forbids that.
    """
    sheet = t["sheet_assumptions"]
    a = wb.add_worksheet(sheet)
    header = [t[f"col_{k}"] for k in ("label", "path", "value", "unit", "low", "high", "source", "year", "confidence", "used")]
    a.write_row(0, 0, header, fmt["head"])
    a.set_row(0, 30)
    words = catalog(lang)["confidence"]
    open_ = {k: wb.add_format({**props, "locked": False}) for k, props in
             (("idr", {"num_format": "#,##0"}), ("share", {"num_format": "0.0000"}), ("plain", {}),
              ("wrap", {"text_wrap": True, "valign": "top"}), ("placeholder", {"bg_color": "#FFF2CC"}))}
    rows: dict[str, int] = {}
    i = _FIRST_ROW
    for p, q in sorted(case.quantity_map().items()):
        shown = overrides.get(p, q.value)
        label = owner_label(case, p, lang)
        label = label[:1].upper() + label[1:]
        kind = "idr" if q.unit.startswith("IDR") else "share" if q.unit.startswith("fraction") else "plain"
        elements = [(None, shown, q.low, q.high)]
        if q.is_list:
            lows = q.low if isinstance(q.low, (list, tuple)) else [q.low] * len(shown)
            highs = q.high if isinstance(q.high, (list, tuple)) else [q.high] * len(shown)
            elements = [(n, v, lo, hi) for n, (v, lo, hi) in enumerate(zip(shown, lows, highs))]
        for n, value, low, high in elements:
            text = label if n is None else t["list_element"].format(label=label, n=n + 1)
            a.write_string(i, 0, text, fmt["wrap"])
            a.write_string(i, 1, p if n is None else f"{p}[{n + 1}]", fmt["wrap"])
            a.write_number(i, 2, float(value), open_[kind])
            wb.define_name(element_name(p, n), f"='{sheet}'!$C${i + 1}")
            rows[element_name(p, n)] = i
            a.write_string(i, 3, unit_label(q.unit, lang), fmt["wrap"])
            for j, bound in ((4, low), (5, high)):
                if bound is not None:
                    a.write_number(i, j, float(bound), open_[kind])
                else:
                    a.write_blank(i, j, None, open_[kind])
            a.write_string(i, 6, q.source, open_["wrap"])
            if q.year is not None:
                a.write_number(i, 7, q.year, open_["plain"])
            else:
                a.write_blank(i, 7, None, open_["plain"])
            a.write_string(i, 8, words.get(q.confidence, q.confidence), open_["placeholder" if q.confidence == "placeholder" else "plain"])
            # wrapped text needs its row's height (LibreOffice keeps the default height of a written file)
            a.set_row(i, 15 * max(1, -(-len(text) // 48), -(-len(q.source) // 48)))
            i += 1
    a.set_column(0, 0, 50)
    a.set_column(1, 1, 34)
    a.set_column(2, 2, 18)
    a.set_column(3, 3, 16)
    a.set_column(4, 5, 16)
    a.set_column(6, 6, 50)
    a.set_column(7, 8, 13)
    a.set_column(9, 9, 22)
    a.protect("", {"sort": False, "autofilter": False, "format_columns": True, "format_rows": True})
    _print_setup(a, 1, 1)
    return rows


def _group_words(case: Case, lang: str, prefix: str, whole: bool = False) -> str:
    """The title of the case's group of quantities under ``prefix`` (its own quantities' group): the first part of
    the title (a business line) when ``whole``, else the last (a stream, an item, a loan)."""
    from .labels import group_title

    p = min((x for x in case.quantity_map() if x.startswith(prefix)), key=lambda x: (x.count("."), x), default=None)
    if p is None:
        return prefix.rstrip(".").rsplit(".", 1)[-1]
    parts = group_title(case, p, lang).split(" › ")
    return parts[0] if whole else parts[-1]


def _item_words(case: Case, lang: str) -> dict[str, str]:
    """Words for the business lines and loans of this case (their titles in the case file's language)."""
    out = {f"line_title_{key}": _group_words(case, lang, f"{key}.", whole=True) for key in case.lines()}
    out.update({f"loan_{name}": _group_words(case, lang, f"financing.loans.{name}.") for name in case.financing.loans})
    return out


def _footer_text(text: str) -> str:
    """Text for a print header or footer: ``&`` starts a code there."""
    return text.replace("&", "&&")


def _identify(wb: Any, case: Case, lang: str, scenario: str | None, option: str | None, studio: dict[str, Any],
              t: dict[str, str]) -> str:
    """The file says what it is: case, scenario or option, inputs changed in the studio, tool version and date,
    in its properties (``feasibility import`` reads them) and in every page's header."""
    import datetime as _dt

    from .. import __version__
    from ..case import in_lang

    name = in_lang(case.case.name, lang)
    parts = [name]
    if option:
        parts.append(t["what_option"].format(x=option))
    if scenario:
        parts.append(t["what_scenario"].format(x=scenario))
    if studio:
        parts.append(t["what_studio"].format(n=len(studio)))
    if len(parts) == 1:
        parts.append(t["what_base"])
    day = _dt.date.today().isoformat()
    what = " · ".join(parts)
    wb.set_properties({"title": what, "subject": t["what_subject"], "comments": t["what_made"].format(version=__version__, day=day),
                       "keywords": "feasibility"})
    wb.set_custom_property("feasibility_version", __version__)
    wb.set_custom_property("feasibility_scenario", scenario or "")
    wb.set_custom_property("feasibility_option", option or "")
    wb.set_custom_property("feasibility_studio_changes", ", ".join(sorted(studio)))
    return f"{what} · {t['what_made'].format(version=__version__, day=day)}"


def _mark_used(wb: Any, t: dict[str, str], rows: dict[str, int], used: set[str], fmt: dict[str, Any]) -> None:
    """Say, beside each assumption, whether a formula of this workbook reads it (the economic analysis, for one, is not here)."""
    a = wb.get_worksheet_by_name(t["sheet_assumptions"])
    for name, r in rows.items():
        a.write_string(r, 9, t["used_yes"] if name in used else t["used_no"], fmt["key"] if name in used else fmt["wrap"])


def _labeller(case: Case, lang: str, t: dict[str, str]) -> Any:
    """The label of a row: a model line's label from the catalog, else the sheet's template with the item's name."""
    from .report.common import line_labels

    lines = line_labels(catalog(lang))

    def title(prefix: str, whole: bool = False) -> str:
        return _group_words(case, lang, prefix, whole)

    def label(kind: str, x: Any, line: str | None = None) -> str:
        if kind == "line":
            return lines.get(x) or t.get(f"line_{x}", x)
        if kind == "line_title":
            return title(f"{x}.", whole=True)
        if hasattr(x, "streams") or hasattr(x, "tariff"):  # a Stream: its title is that of its tariff's group
            name = title(f"{x.line}.revenue.{x.name}.tariff")
        elif kind in ("row_fixed",):
            name = f"{title(f'{line}.', whole=True)} · {title(f'{line}.opex.{x}.')}"
        elif kind in ("row_capex", "row_capex_real"):
            name = f"{title(f'{line}.', whole=True)} · {title(f'{line}.capex.{x}.')}"
        elif kind == "row_overhead":
            name = title(f"bumd.overhead.{x}.")
        else:
            name = title(f"{x}.", whole=True)
        text = t[kind].format(x=name)
        return text[:1].upper() + text[1:]

    return label


def _analyses(wb: Any, case: Case, scenario: str | None | bool, iterations: int | None, t: dict[str, str], fmt: dict[str, Any],
              lang: str) -> None:
    """The tornado of the FNPV and the Monte Carlo summary, as values (``scenario`` False: not computed for these inputs)."""
    from ..analysis.risk import simulate
    from ..analysis.sensitivity import tornado
    from ..metrics import registry
    from .labels import owner_label

    ws = wb.add_worksheet(t["sheet_sensitivity"])
    if scenario is False:
        ws.write_string(0, 0, t["analyses_not_computed"], fmt["wrap"])
        ws.set_column(0, 0, 100)
        return
    sc = scenario or None
    tr = tornado(case, "fnpv_idr", scenario=sc)
    ws.write_string(0, 0, t["sensitivity_intro"].format(metric=registry.label("fnpv_idr", lang)), fmt["title"])
    cols = ("input", "key", "low_value", "base_value", "high_value", "metric_low", "metric_high", "swing", "elasticity", "switching_value")
    ws.write_row(2, 0, [t[f"col_{c}"] for c in cols], fmt["head"])
    for i, (path, r) in enumerate(tr.table.iterrows(), start=3):
        label = owner_label(case, str(path), lang)
        ws.write_string(i, 0, label[:1].upper() + label[1:])
        ws.write_string(i, 1, str(path), fmt["key"])
        num = fmt["idr"] if str(r["unit"]).startswith("IDR") else fmt["share"]
        for j, c in enumerate(cols[2:], start=2):
            v = float(r[c])
            if math.isfinite(v):
                ws.write_number(i, j, v, fmt["idr"] if c.startswith(("metric", "swing")) else fmt["ratio"] if c == "elasticity" else num)
    ws.set_column(0, 0, 52)
    ws.set_column(1, 1, 30)
    ws.set_column(2, len(cols) - 1, 18)
    _print_setup(ws, 3, 1)
    n = case.risk.iterations if iterations is None else iterations
    if n <= 0:
        return
    sim = simulate(case, n, scenario=sc, progress=False)
    mc = wb.add_worksheet(t["sheet_monte_carlo"])
    from .i18n import Formatter

    mc.write_string(0, 0, t["monte_carlo_intro"].format(n=Formatter(lang).number(sim.iterations), seed=sim.seed, k=len(sim.inputs.columns)),
                    fmt["title"])
    cols = ("mean", "sd", "p10", "p50", "p90", "min", "max", "defined", "undefined")
    mc.write_row(2, 0, [t["col_metric"], t["col_key"], *(t[f"col_{c}"] for c in cols)], fmt["head"])
    for i, (key, r) in enumerate(sim.summary().iterrows(), start=3):
        mc.write_string(i, 0, registry.label(str(key), lang))
        mc.write_string(i, 1, str(key), fmt["key"])
        unit = str(r["unit"])
        num = fmt["idr"] if unit.startswith("IDR") else fmt["share"] if unit == "fraction" else fmt["ratio"]
        for j, c in enumerate(cols, start=2):
            v = float(r[c])
            if math.isfinite(v):
                mc.write_number(i, j, v, fmt["year"] if c in ("defined", "undefined") else num)
    last = 3 + len(sim.metrics) + 1
    mc.write_string(last, 0, t["probability_negative"])
    mc.write_number(last, 2, float(sim.probability("fnpv_idr", 0.0)), fmt["share"])
    mc.set_column(0, 0, 52)
    mc.set_column(1, 1, 26)
    mc.set_column(2, 2 + len(cols), 18)
    _print_setup(mc, 3, 1)


def _notes(wb: Any, case: Case, t: dict[str, str], fmt: dict[str, Any], lang: str) -> None:
    """The case's notes and risks: title, text, source, confidence, severity, the action the council can require."""
    from ..case import in_lang

    ws = wb.add_worksheet(t["sheet_notes"])
    cols = ("note_title", "note_text", "source", "confidence", "severity", "action")
    ws.write_row(0, 0, [t[f"col_{c}"] for c in cols], fmt["head"])
    ws.set_row(0, 30)
    order = {"high": 0, "medium": 1, "low": 2, "info": 3}
    notes = sorted(case.notes.items(), key=lambda kv: (order.get(kv[1].severity, 4), kv[0]))
    for i, (_key, n) in enumerate(notes, start=1):
        levels = catalog(lang)["confidence"]
        texts = (in_lang(n.title, lang), in_lang(n.text, lang), in_lang(n.source, lang) if n.source else "",
                 levels.get(n.confidence, n.confidence), t.get(f"severity_{n.severity}", n.severity), in_lang(n.action, lang) if n.action else "")
        for j, text in enumerate(texts):
            ws.write_string(i, j, str(text), fmt["wrap"])
        # wrapped text needs its row's height (LibreOffice keeps the default height of a written file)
        ws.set_row(i, 15 * max(1, -(-len(texts[1]) // 85), -(-len(texts[0]) // 30), -(-len(texts[2]) // 38), -(-len(texts[5]) // 48)))
    ws.set_column(0, 0, 34)
    ws.set_column(1, 1, 90)
    ws.set_column(2, 2, 40)
    ws.set_column(3, 4, 14)
    ws.set_column(5, 5, 50)
    _print_setup(ws, 1, 1)


def write_workbook(
    case: Case, path: str | Path | io.BytesIO, *, lang: str = "id", result: Result | None = None,
    overrides: dict[str, Any] | None = None, scenario: str | None = None, iterations: int | None = None,
    option: str | None = None,
) -> Path | io.BytesIO:
    """Write the workbook of ``case`` (with ``overrides``) to ``path``; the path (or buffer) written.

    Parameters
    ----------
    case : Case
        A validated case.
    path : path or BytesIO
        The ``.xlsx`` file to write (replaced if it exists: the CLI writes
        :func:`workbook_bytes` atomically instead), or a buffer.
    result : Result, optional
        The model run to compare with; computed when not given.
    lang : {"id", "en"}
        The language of the sheet names, headers and labels.
    overrides : dict, optional
        Single values by path applied on top of the case (the studio's inputs). The sensitivity and Monte
        Carlo sheets are not computed for them (they analyse the case, or a named scenario).
    scenario : str, optional
        A scenario of the case: its values, and the sensitivity and Monte Carlo around it.
    iterations : int, optional
        Monte Carlo iterations (default: ``risk.iterations`` of the case; 0: no Monte Carlo sheet).
    option : str, optional
        The option of the long list ``case`` is (``case.option(key)``): written into the file's properties,
        so that ``feasibility import`` does not take its values for edits of the base case.
    """
    import xlsxwriter

    from ..model.inputs import resolve_named
    from ..model.run import decided_chain
    from . import workbook_model as wm

    analysed = not overrides
    studio_changes = dict(overrides or {})
    overrides = {**(case.scenario(scenario) if scenario else {}), **(overrides or {})}
    res = result if result is not None else run(case, overrides)
    chain = decided_chain(case, overrides)
    t = catalog(lang)["workbook"]
    target = path if isinstance(path, io.BytesIO) else Path(path)
    raw = io.BytesIO()
    wb = xlsxwriter.Workbook(raw, {"nan_inf_to_errors": True, "in_memory": True})
    try:
        fmt = _formats(wb)
        what = _identify(wb, case, lang, scenario, option, studio_changes, t)
        names = _assumptions(wb, case, t, fmt, lang, overrides)
        annual = t["sheet_annual"]
        an = wb.add_worksheet(annual)
        years = [int(y) for y in res.years]
        an.write_row(0, 0, [t["col_line"], t["col_key"], t["col_how"], *years], fmt["head"])
        an.write_string(1, 0, t["annual_note"], fmt["key"])
        m = wb.add_worksheet(t["sheet_metrics"])
        rates_ws = wb.add_worksheet(t["sheet_rates"])
        loss_ws = wb.add_worksheet(t["sheet_losses"])
        blocks = wm.Blocks(rates_ws, t["sheet_rates"], years, fmt, t)
        words = {**t, **_item_words(case, lang)}
        g = wm.Grid(an, years, fmt, words)
        inp = resolve_named(case, lambda p, n: wm.Sym(element_name(p, n)), wm.SYM_OPS)

        def forecast_how(s: Any) -> str:
            fc = case.lines()[s.line].revenue[s.name].forecast
            return t["how_forecast"].format(method=fc.method, history=fc.history)

        wm.write_annual(g, inp, chain, blocks, (loss_ws, t["sheet_losses"], annual), words, _labeller(case, lang, t),
                        forecast_how)
        an.set_row(0, 30)  # the two-line header
        an.set_column(0, 0, 64)
        an.set_column(1, 1, 34)
        an.set_column(2, 2, 14)
        an.set_column(wm.Y0, wm.Y0 + len(years) - 1, 17)
        _print_setup(an, 1, 1, scale=60)
        rates_ws.set_column(0, 0, 40)
        rates_ws.set_column(wm.Y0, wm.Y0 + len(years) - 1, 10)
        _print_setup(rates_ws, 2, 1, scale=60)
        loss_ws.set_column(0, 0, 30)
        loss_ws.set_column(wm.Y0, wm.Y0 + len(years) - 1, 16)
        _print_setup(loss_ws, 2, 1, scale=60)
        _metrics(m, g, inp, res, t, fmt, lang)
        _mark_used(wb, t, names, g.used, fmt)
        _analyses(wb, case, scenario if analysed else False, iterations, t, fmt, lang)
        _notes(wb, case, t, fmt, lang)
        for ws in wb.worksheets():
            ws.set_header(f"&L&8{_footer_text(what)}")
            ws.set_footer(f"&L&8{_footer_text(t['footer'])}&R&8&P / &N")
    finally:
        wb.close()
    data = _without_stored_results(raw.getvalue())
    if isinstance(target, io.BytesIO):
        target.write(data)
    else:
        target.write_bytes(data)
    return target


def _without_stored_results(xlsx: bytes) -> bytes:
    """The workbook with no result stored in its formula cells (XlsxWriter stores 0).

    Excel computes every formula on opening (XlsxWriter's ``fullCalcOnLoad``),
    but LibreOffice, by default, shows the results stored in an ``.xlsx``:
    a consultant would have seen a model of zeros. A formula cell without a
    stored result (``<v>`` is optional in OOXML) is computed by both. A reader
    that does not compute (openpyxl) then finds no value rather than a wrong one.
    """
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb"(</f>)<v>[^<]*</v>", rb"\1", data)
            zout.writestr(item, data)
    return out.getvalue()


def _metrics(m: Any, g: Any, inp: Any, res: Result, t: dict[str, str], fmt: dict[str, Any], lang: str) -> None:
    """The metrics as the spreadsheet's own NPV, IRR, MIRR and MIN over the annual rows, beside the model's values.

    NPV follows the model's convention (:func:`feasibility.metrics.finance.npv`): the first year's flow at
    t = 0, undiscounted, so the spreadsheet's ``NPV(rate, later years)`` is added to the first year's flow.
    A rate no search finds (an IRR of flows that never turn positive) reads "undefined", as in the model.
    """
    import re as _re

    from ..metrics import registry
    from .workbook_model import Sym, term

    annual = g.ws.get_name()
    m.write_row(0, 0, [t[f"col_{k}"] for k in ("metric", "key", "formula", "model", "difference", "unit")], fmt["head"])
    m.set_row(0, 30)
    def flow(key: str) -> tuple[str, str, str]:
        first = f"'{annual}'!{g.at(key, 0, True)}"
        rest = f"'{annual}'!{g.span(key, 1)}"
        return first, rest, f"'{annual}'!{g.span(key)}"

    def npv(rate: str, key: str) -> str:
        first, rest, _ = flow(key)
        return f"{first}+NPV({rate},{rest})"

    def real(rate: Any) -> str:
        return f"(1+{term(rate)})/(1+{term(inp.inflation)})-1" if inp.real else str(rate if isinstance(rate, Sym) else term(rate))

    def defined(formula: str) -> str:
        return f'IFERROR({formula},"{t["undefined"]}")'

    share = sum((ln.share for ln in inp.loans), 0.0)
    weighted = sum((ln.share * ln.rate for ln in inp.loans), 0.0)
    wacc_nominal = inp.cost_of_equity if not inp.loans else (1 - share) * inp.cost_of_equity + weighted * (1 - inp.tax_rate)
    wacc, ke, rr = "$C$2", "$C$3", "$C$4"

    def irr(key: str, flow_key: str) -> str:
        """IRR seeded by the model's rate rounded to whole per cent, then by other rates in turn: the spreadsheet's
        search (Newton's, from one guess) may not converge from a guess far from the rate of edited flows."""
        v = float(res.metrics.get(key, float("nan")))
        guesses = ([repr(round(v, 2))] if math.isfinite(v) else []) + ["-0.9", "-0.75", "-0.5", "-0.2", "0", "0.1", "0.3"]
        out = f'"{t["undefined"]}"'
        for x in reversed(guesses):
            out = f"IFERROR(IRR({flow(flow_key)[2]},{x}),{out})"
        return out

    basis = t["basis_real"].format(year=inp.price_base_year) if inp.real else t["basis_nominal"]
    money = t["unit_idr"].format(basis=basis)
    rate_unit = t["unit_rate_real"] if inp.real else t["unit_rate_nominal"]
    items: list[tuple[str, str, str, str]] = [
        ("wacc", real(wacc_nominal), "pct", rate_unit),
        ("cost_of_equity", real(inp.cost_of_equity), "pct", rate_unit),
        ("region_discount_rate", real(inp.region_rate), "pct", rate_unit),
        ("fnpv_idr", npv(wacc, "flow_project_idr"), "idr", money),
        ("firr", irr("firr", "flow_project_idr"), "pct", rate_unit),
        ("mirr", defined(f"MIRR({flow('flow_project_idr')[2]},{wacc},{wacc})"), "pct", rate_unit),
        ("bcr", defined(f"({npv(wacc, 'flow_benefits_idr')})/({npv(wacc, 'flow_costs_idr')})"), "ratio", t["unit_ratio"]),
        ("equity_npv_idr", npv(ke, "flow_equity_idr"), "idr", money),
        ("equity_irr", irr("equity_irr", "flow_equity_idr"), "pct", rate_unit),
        ("shareholder_npv_idr", npv(ke, "flow_shareholders_idr"), "idr", money),
        ("shareholder_irr", irr("shareholder_irr", "flow_shareholders_idr"), "pct", rate_unit),
        ("dscr_min", f"IF(COUNT({flow('dscr')[2]})>0,MIN({flow('dscr')[2]}),\"{t['undefined']}\")", "ratio", t["unit_ratio"]),
        ("region_npv_idr", npv(rr, "flow_region_idr"), "idr", money),
        ("region_irr", irr("region_irr", "flow_region_idr"), "pct", rate_unit),
    ]
    if g.expansion_check is not None:
        row, count = g.expansion_check
        items.append(("expansion_check", f"SUM('{annual}'!{g.span(row)})", "year", t["unit_years"]))
    for i, (key, formula, kind, unit) in enumerate(items, start=1):
        r = i + 1
        name = registry.label(key, lang)
        if name == key:
            name = t.get(f"metric_{key}", key)
        if kind == "pct" and inp.real:
            name = f"{name} {t['real_suffix']}"
        m.write_string(i, 0, name, fmt["wrap"])
        m.write_string(i, 1, key, fmt["key"])
        m.write_formula(i, 2, f"={formula}", fmt[kind])
        g.used.update(_re.findall(r"[A-Za-z_][A-Za-z0-9_]*", formula))
        v = count if key == "expansion_check" else res.metrics.get(key)
        if v is not None and math.isfinite(float(v)):
            m.write_number(i, 3, float(v), fmt[kind])
        else:
            m.write_string(i, 3, t["undefined"])
        m.write_formula(i, 4, f"=IF(AND(ISNUMBER(C{r}),ISNUMBER(D{r})),C{r}-D{r},\"\")", fmt[kind])
        m.write_string(i, 5, unit, fmt["wrap"])
    last = len(items) + 2
    if g.expansion_check is not None:
        r = len(items) + 1
        m.write_formula(last, 0, f'=IF(C{r}=D{r},"{t["expansion_ok"]}","{t["expansion_changed"]}")', fmt["wrap"])
        m.set_row(last, 48)
        last += 2
    m.write_string(last, 0, t["metrics_note"].format(basis=basis), fmt["wrap"])
    m.set_row(last, 120)
    m.set_column(0, 0, 70)
    m.set_column(1, 1, 22)
    m.set_column(2, 4, 22)
    m.set_column(5, 5, 34)
    _print_setup(m, 1, 1)
