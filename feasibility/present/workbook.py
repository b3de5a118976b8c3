"""The case as an Excel workbook an auditor can trace (issue 16, work in progress).

Sheets
------
Assumptions
    One row per quantity of the case: label, path, value, unit, low, high,
    source, year, confidence (placeholders highlighted). Every scalar value is a
    defined name (``port_revenue_cargo_handling_tariff_idr_per_tonne``), so that
    formulas read names, not cell addresses.
Annual
    The model's annual lines, one column per year. **Values** for now, marked
    as such (the formulas of each line are the issue's next step).
Metrics
    FNPV and FIRR as spreadsheet formulas (``NPV``, ``IRR``) over the annual
    project free cash flow, next to the Python model's values and their
    difference. The model's convention (:func:`feasibility.metrics.finance.npv`):
    the first year's flow is at t = 0, undiscounted, so FNPV is
    ``first + NPV(WACC, rest)`` in the spreadsheet.

Written with XlsxWriter; recomputed by LibreOffice in the tests.
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


def _col(j: int) -> str:
    """Column letters of a zero-based index (0 -> A, 26 -> AA)."""
    s = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        s = chr(65 + r) + s
    return s


def workbook_bytes(case: Case, *, lang: str = "id", result: Result | None = None, overrides: dict[str, Any] | None = None) -> bytes:
    """The ``.xlsx`` file of :func:`write_workbook` as bytes (for an atomic write, or a download)."""
    buf = io.BytesIO()
    write_workbook(case, buf, lang=lang, result=result, overrides=overrides)
    return buf.getvalue()


def write_workbook(
    case: Case, path: str | Path | io.BytesIO, *, lang: str = "id", result: Result | None = None,
    overrides: dict[str, Any] | None = None,
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
        The model run to write; computed when not given.
    lang : {"id", "en"}
        The language of the sheet names, headers and labels.
    overrides : dict, optional
        Values by path applied on top of the case (a scenario's, or the studio's inputs).
    """
    import xlsxwriter

    res = result if result is not None else run(case, overrides or {})
    t = catalog(lang)["workbook"]
    target = path if isinstance(path, io.BytesIO) else Path(path)
    wb = xlsxwriter.Workbook(target if isinstance(target, io.BytesIO) else str(target), {"nan_inf_to_errors": True, "in_memory": True})
    try:
        bold = wb.add_format({"bold": True, "bottom": 1})
        idr = wb.add_format({"num_format": "#,##0"})
        frac = wb.add_format({"num_format": "0.0000"})
        placeholder = wb.add_format({"bg_color": "#FFF2CC"})

        a = wb.add_worksheet(t["sheet_assumptions"])
        header = [t[f"col_{k}"] for k in ("label", "path", "value", "unit", "low", "high", "source", "year", "confidence")]
        a.write_row(0, 0, header, bold)
        a.freeze_panes(1, 0)
        names: dict[str, str] = {}
        for i, (p, q) in enumerate(sorted(case.quantity_map().items()), start=_FIRST_ROW):
            value = q.value
            shown = (overrides or {}).get(p, value)
            label = owner_label(case, p, lang)
            a.write_string(i, 0, label[:1].upper() + label[1:])
            a.write_string(i, 1, p)
            if isinstance(shown, list):
                a.write_string(i, 2, ", ".join(repr(float(x)) for x in shown))
            else:
                a.write_number(i, 2, float(shown), idr if q.unit.startswith("IDR") else frac if q.unit.startswith("fraction") else None)
                name = excel_name(p)
                wb.define_name(name, f"='{t['sheet_assumptions']}'!$C${i + 1}")
                names[p] = name
            a.write_string(i, 3, unit_label(q.unit, lang))
            for j, bound in ((4, q.low), (5, q.high)):
                if bound is not None and not isinstance(bound, list):
                    a.write_number(i, j, float(bound))
            a.write_string(i, 6, q.source)
            if q.year is not None:
                a.write_number(i, 7, q.year)
            a.write_string(i, 8, q.confidence, placeholder if q.confidence == "placeholder" else None)
        a.set_column(0, 0, 60)
        a.set_column(1, 1, 50)
        a.set_column(2, 2, 20)
        a.set_column(6, 6, 60)

        years = [int(y) for y in res.years]
        annual = t["sheet_annual"]
        an = wb.add_worksheet(annual)
        an.write_row(0, 0, [t["col_line"], *years], bold)
        an.freeze_panes(1, 1)
        rows: dict[str, int] = {}
        for i, (key, line) in enumerate(res.lines.items(), start=_FIRST_ROW):
            if getattr(line, "ndim", 1) != 1:
                continue
            an.write_string(i, 0, key)
            for j, v in enumerate(line, start=1):
                if math.isfinite(v):  # an undefined value (a DSCR without debt service) stays empty
                    an.write_number(i, j, float(v), idr)
            rows[key] = i
        an.set_column(0, 0, 44)
        an.set_column(1, len(years), 16)
        an.write_string(len(rows) + 2, 0, t["values_note"])

        m = wb.add_worksheet(t["sheet_metrics"])
        m.write_row(0, 0, [t[f"col_{k}"] for k in ("metric", "formula", "model", "difference")], bold)
        fcf = rows["project_fcf_idr"] + 1
        first, second, last = _col(1), _col(2), _col(len(years))
        wacc = float(res.metrics["wacc"])
        m.write_string(1, 0, "wacc")
        m.write_number(1, 1, wacc)
        m.write_number(1, 2, wacc)
        m.write_formula(1, 3, "=B2-C2")
        m.write_string(2, 0, "fnpv_idr")
        m.write_formula(2, 1, f"='{annual}'!{first}{fcf}+NPV(B2,'{annual}'!{second}{fcf}:{last}{fcf})", idr)
        m.write_number(2, 2, float(res.metrics["fnpv_idr"]), idr)
        m.write_formula(2, 3, "=B3-C3", idr)
        m.write_string(3, 0, "firr")
        # the guess only seeds the spreadsheet's iteration (its default 10 % does not converge at -31 %): the model's
        # value rounded to whole per cent, so the result is still the spreadsheet's own
        guess = round(float(res.metrics["firr"]), 2) if math.isfinite(res.metrics["firr"]) else 0.1
        m.write_formula(3, 1, f"=IRR('{annual}'!{first}{fcf}:{last}{fcf},{guess})", frac)
        m.write_number(3, 2, float(res.metrics["firr"]), frac)
        m.write_formula(3, 3, "=B4-C4", frac)
        m.set_column(0, 3, 24)
        m.write_string(5, 0, t["metrics_note"])
    finally:
        wb.close()
    return target
