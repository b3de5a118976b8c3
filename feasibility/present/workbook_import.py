"""Reading an edited workbook's Assumptions sheet back into a case file (``feasibility import``, issue 16).

The base case file's text is edited in place with tomlkit, so its comments,
order and layout stay as they were; only the fields the sheet changed are
written. A changed value whose source the sheet left as it was keeps its
provenance as the studio does (:func:`feasibility.case.edit.apply_changes`):
the source says it was changed, from which value, on which day, the old
source moves to the note and the confidence becomes ``estimate``. A source or
confidence edited in the sheet is taken as written.

Every problem is reported at once, each with the sheet, the row and the
label; the result is validated as a case before anything is written.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

from ..case import Case, CaseError, load_case
from ..case.edit import plain_number
from ..case.schema import Confidence
from .i18n import catalog
from .labels import unit_label

__all__ = ["Row", "WorkbookImportError", "changes_from_workbook", "import_workbook", "imported_text"]

_FIELDS = ("value", "low", "high", "source", "year", "confidence")
_PATH = re.compile(r"^(?P<path>[A-Za-z0-9_.]+?)(\[(?P<n>\d+)\])?$")


class WorkbookImportError(ValueError):
    """Problems of a workbook that cannot be imported, each naming the sheet, row and label."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class Row:
    """A quantity as the sheet gives it: its rows (one per list element) and fields."""

    path: str
    rows: dict[int | None, int] = field(default_factory=dict)  # element (None: a single number) -> sheet row
    label: str = ""
    fields: dict[str, dict[int | None, Any]] = field(default_factory=dict)


def _sheet_words() -> list[tuple[str, dict[str, str]]]:
    return [(lang, catalog(lang)["workbook"]) for lang in ("id", "en")]


def _where(sheet: str, row: int, label: str) -> str:
    return f"sheet {sheet!r}, row {row} ({label})" if label else f"sheet {sheet!r}, row {row}"


def _number(v: Any) -> float | None:
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, (int, float)):
        return float(v) if math.isfinite(float(v)) else None
    return None


def changes_from_workbook(xlsx: str | Path, base: Case) -> tuple[dict[str, dict[str, Any]], dict[str, Row], str, list[str]]:
    """The fields each quantity's rows change against ``base``: ``{path: {field: new}}``, the rows, the sheet's
    name, and the problems of the sheet (unreadable numbers, unknown or missing paths, confidences outside the
    four levels, ...): the changes are those of the rows without a problem.

    Raises
    ------
    WorkbookImportError
        When the file is not a workbook of ``feasibility export`` (no Assumptions sheet, other columns).
    """
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = openpyxl.load_workbook(xlsx, data_only=True, read_only=True)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, InvalidFileException) as exc:  # not an .xlsx, or a damaged one
        raise WorkbookImportError([f"{xlsx}: not an Excel workbook openpyxl can read ({type(exc).__name__}: {exc})"]) from None
    found = [(lang, t) for lang, t in _sheet_words() if t["sheet_assumptions"] in wb.sheetnames]
    if not found:
        names = " or ".join(repr(t["sheet_assumptions"]) for _, t in _sheet_words())
        raise WorkbookImportError([f"{xlsx}: no sheet named {names} (the sheet `feasibility export` writes); sheets: {', '.join(wb.sheetnames)}"])
    lang, t = found[0]
    sheet = t["sheet_assumptions"]
    props = {p.name: p.value for p in wb.custom_doc_props.props}
    for prop, flag in (("feasibility_scenario", "--scenario"), ("feasibility_option", "--option")):
        if props.get(prop):
            why = (f"{xlsx}: exported with {flag} {props[prop]}: its Assumptions sheet holds that {flag[2:]}'s values, which "
                   f"importing would write into the base case as edits; export the case without {flag} to edit it")
            raise WorkbookImportError([why])
    ws = wb[sheet]
    header = [t[f"col_{k}"] for k in ("label", "path", *_FIELDS[:1], "unit", "low", "high", "source", "year", "confidence")]
    rows_iter = ws.iter_rows(values_only=True)
    first = next(rows_iter, ())
    if [str(x) if x is not None else "" for x in first[: len(header)]] != header:
        raise WorkbookImportError([f"sheet {sheet!r}, row 1: the columns must be {', '.join(header)} (as exported), got {first[: len(header)]}"])
    qmap = base.quantity_map()
    problems: list[str] = []
    by_path: dict[str, Row] = {}
    for r, cells in enumerate(rows_iter, start=2):
        cells = tuple(cells) + (None,) * (len(header) - len(cells))
        label, path_cell, value, unit, low, high, source, year, confidence = cells[: len(header)]
        if all(c in (None, "") for c in cells[: len(header)]):
            continue
        where = _where(sheet, r, str(label or ""))
        m = _PATH.match(str(path_cell or "").strip())
        if m is None or m["path"] not in qmap:
            problems.append(f"{where}: {path_cell!r} is not a quantity of the base case (the path column must stay as exported)")
            continue
        path, q = m["path"], qmap[m["path"]]
        n = int(m["n"]) - 1 if m["n"] else None
        if (n is None) == bool(q.is_list) or (n is not None and not 0 <= n < len(q.value)):
            problems.append(f"{where}: {path_cell!r} does not match the base case ({path} is "
                            f"{'a list of ' + str(len(q.value)) + ' numbers' if q.is_list else 'a single number'})")
            continue
        row = by_path.setdefault(path, Row(path, label=str(label or "")))
        if n in row.rows:
            problems.append(f"{where}: {path_cell!r} appears twice (also row {row.rows[n]})")
            continue
        row.rows[n] = r
        if str(unit or "") != unit_label(q.unit, lang):
            problems.append(f"{where}: {t['col_unit']} {unit!r} cannot be changed (it is {unit_label(q.unit, lang)!r}): "
                            "convert the value instead")
        for name, cell, kind in (("value", value, "number"), ("low", low, "bound"), ("high", high, "bound"), ("source", source, "text"),
                                 ("year", year, "year"), ("confidence", confidence, "confidence")):
            got, bad = _read(cell, kind)
            if bad:
                problems.append(f"{where}: {t[f'col_{name}']} {bad}, got {cell!r}")
            else:
                row.fields.setdefault(name, {})[n] = got
    for path, q in qmap.items():
        want = list(range(len(q.value))) if q.is_list else [None]
        row = by_path.get(path)
        missing = [n for n in want if row is None or n not in row.rows]
        if missing:
            shown = path if missing == [None] else ", ".join(f"{path}[{n + 1}]" for n in missing)
            problems.append(f"sheet {sheet!r}: no row for {shown} (a row deleted from the sheet would silently keep the base case's value)")
        elif q.is_list:
            # one provenance for the whole list: its elements' rows must agree
            for name in ("source", "year", "confidence"):
                seen = row.fields.get(name, {})
                if len({repr(v) for v in seen.values()}) > 1:
                    problems.append(f"{_where(sheet, row.rows[0], row.label)}: {t[f'col_{name}']} must be the same in the rows of "
                                    f"{path}[1] to [{len(q.value)}] (one list, one provenance), got {list(seen.values())}")
                elif seen:
                    seen[None] = next(iter(seen.values()))
    changes = {p: _changed(by_path[p], q) for p, q in qmap.items() if p in by_path}
    return {p: c for p, c in changes.items() if c}, by_path, sheet, problems


def _read(cell: Any, kind: str) -> tuple[Any, str]:
    """A cell's value and, if it cannot be read as ``kind``, what is wrong."""
    if kind == "number":
        v = _number(cell)
        return (v, "") if v is not None else (None, "must be a finite number")
    if kind == "bound":
        if cell in (None, ""):
            return None, ""
        v = _number(cell)
        return (v, "") if v is not None else (None, "must be a finite number or empty")
    if kind == "year":
        if cell in (None, ""):
            return None, ""
        v = _number(cell)
        ok = v is not None and v.is_integer() and 1900 <= v <= 2100
        return (int(v), "") if ok else (None, "must be a whole year from 1900 to 2100, or empty")
    if kind == "confidence":
        allowed = get_args(Confidence)
        # the sheet shows the level in its language; the key itself is accepted too
        words = {w: key for lang in ("id", "en") for key, w in catalog(lang)["confidence"].items() if key in allowed}
        key = cell if cell in allowed else words.get(cell)
        shown = sorted({w for w, k in words.items()})
        return (key, "") if key is not None else (None, f"must be one of {', '.join(shown)}")
    text = "" if cell is None else str(cell)
    return (text, "") if text.strip() else (None, "must not be empty (say where the number comes from)")


def _as_list(x: Any, n: int) -> list[float | None]:
    if x is None:
        return [None] * n
    return [float(v) for v in x] if isinstance(x, (list, tuple)) else [float(x)] * n


def _changed(row: Row, q: Any) -> dict[str, Any]:
    """The fields of a quantity the sheet gives differently from the base case (lists as lists)."""
    out: dict[str, Any] = {}
    for name in _FIELDS:
        got = row.fields.get(name, {})
        old = getattr(q, name)
        if q.is_list and name in ("value", "low", "high"):
            if any(n not in got for n in range(len(q.value))):
                continue  # a cell with a problem (reported): the base case's field stays
            new = [got.get(n) for n in range(len(q.value))]
            if _as_list(old, len(new)) != new:
                out[name] = new
            continue
        if None not in got:
            continue  # a cell with a problem (reported), or list rows that disagree
        new = got[None]
        if name in ("value", "low", "high"):
            same = _as_list(old, 1) == [new]
        else:
            same = new == old
        if not same:
            out[name] = new
    return out


def imported_text(base_text: str, changes: dict[str, dict[str, Any]], base: Case, *, when: _dt.date | None = None,
                  histories: tuple[Path, Path] | None = None) -> str:
    """The base case file's text with the changes written in place (comments and layout kept).

    ``histories``: the base file's folder and the new file's: forecast history paths, relative to the
    case file, are rewritten to name the same files (:func:`feasibility.case.edit.rebase_histories`).
    """
    import tomlkit

    from ..case.edit import rebase_histories

    doc = tomlkit.parse(base_text)
    if histories is not None:
        data = tomllib.loads(base_text)
        rebase_histories(data, *histories)
        for key in ("port", "lab"):
            for name, st in (data.get(key) or {}).get("revenue", {}).items():
                fc = st.get("forecast") if isinstance(st, dict) else None
                if isinstance(fc, dict) and fc.get("history") != doc[key]["revenue"][name]["forecast"]["history"]:
                    doc[key]["revenue"][name]["forecast"]["history"] = fc["history"]
    day = (when or _dt.date.today()).isoformat()
    qmap = base.quantity_map()
    for path, ch in changes.items():
        q = qmap[path]
        item: Any = doc
        for part in path.split("."):
            item = item[part]
        ch = _with_provenance(ch, q, day)
        for name, new in ch.items():
            if new is None:
                if name in item:
                    del item[name]
            else:
                item[name] = _toml_value(new, item.get(name))
    return tomlkit.dumps(doc)


#: confidence levels, lowest first: a value changed without a new source is never raised above "estimate"
_LEVELS = ("placeholder", "estimate", "secondary", "verified")


def _with_provenance(ch: dict[str, Any], q: Any, day: str) -> dict[str, Any]:
    """The changes with what they replace kept (the studio's convention, :func:`feasibility.case.edit.apply_changes`).

    A new value without a new source: the source says it was changed, from which value, on which day; the
    confidence drops to ``estimate`` (a ``placeholder`` stays one); the year of the old source is dropped.
    Whatever changes among value, source and range, the note records what was there before.
    """
    out = dict(ch)
    was = []
    if "value" in ch:
        was.append(f"previously {plain_number(q.value)}")
    if "value" in ch or "source" in ch:
        old = f"source: {q.source}" + (f" ({q.year})" if q.year is not None else "") + f", confidence: {q.confidence}"
        was.append(old)
    if "low" in ch or "high" in ch:
        low = "-" if q.low is None else plain_number(q.low)
        high = "-" if q.high is None else plain_number(q.high)
        was.append(f"range previously [{low}, {high}]")
    if "value" in ch and "source" not in ch:
        out["source"] = f"workbook: changed from {plain_number(q.value)} on {day}"
        if "confidence" not in ch:
            out["confidence"] = _LEVELS[min(_LEVELS.index(q.confidence), 1)]
        if "year" not in ch and q.year is not None:
            out["year"] = None
    if was:
        if q.note:
            was.append(f"note: {q.note}")
        out["note"] = "; ".join(was)
    return out


def _toml_value(new: Any, old: Any) -> Any:
    """A number keeps the base file's kind (``71000`` stays an integer when the new value is whole)."""
    if isinstance(new, list):
        return [_toml_value(x, None) for x in new]
    if isinstance(new, float) and new.is_integer() and abs(new) < 1e15 and not isinstance(old, float):
        return int(new)
    return new


def import_workbook(xlsx: str | Path, base_path: str | Path | None, out: str | Path, *, overwrite: bool = False,
                    when: _dt.date | None = None) -> tuple[Path, dict[str, dict[str, Any]]]:
    """Write the base case with the workbook's Assumptions into ``out``, validated, atomically; the file and the changes.

    Raises
    ------
    WorkbookImportError
        The sheet's problems, or the resulting case's, each with its sheet row and label.
    FileExistsError
        ``out`` exists and ``overwrite`` is False.
    """
    from .._files import refuse_package_folder, write_text_atomic
    from ..case.io import DEFAULT_CASE, parse_case

    base_file = Path(base_path) if base_path is not None else DEFAULT_CASE
    base = load_case(base_file)
    base_text = base_file.read_text(encoding="utf-8")
    if "variant" in tomllib.loads(base_text):
        raise WorkbookImportError([f"{base_file}: a variant of another case; import into the full case file it is based on"])
    target = Path(out).expanduser()
    refuse_package_folder(target)
    if target.exists() and not overwrite:
        raise FileExistsError(f"{target} exists; add --force to replace it")
    changes, rows, sheet, problems = changes_from_workbook(xlsx, base)
    text = imported_text(base_text, changes, base, when=when, histories=(base_file.parent, target.parent))
    try:
        # the rows without a problem are checked as a case now, so that every problem is reported at once
        # its history files stay where the base case keeps them (the paths are rewritten to reach them)
        parse_case(tomllib.loads(text), str(target), base_dir=target.parent, allow=[base_file.parent])
    except CaseError as err:
        problems += [_located(p, rows, sheet) for p in err.problems]
    if problems:
        raise WorkbookImportError(problems)
    write_text_atomic(target, text, overwrite=overwrite)
    return target, changes


def _located(problem: Any, rows: dict[str, Row], sheet: str) -> str:
    """A problem of the imported case, at the sheet row of its quantity when there is one."""
    path = problem.path or ""
    for p, row in sorted(rows.items(), key=lambda kv: -len(kv[0])):
        if path == p or path.startswith(p + "."):
            first = min(r for r in row.rows.values())
            return f"{_where(sheet, first, row.label)}: {problem}"
    return str(problem)
