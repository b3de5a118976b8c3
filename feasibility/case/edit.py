"""Changing a case and writing it back: new values with their provenance, differences, validated saving.

Used by the studio (:mod:`feasibility.studio`) and open to the CLI and scripts:

:func:`case_data`
    A case as the data its TOML file would hold.
:func:`apply_changes`
    Some quantities set to new values; a changed value keeps its provenance
    (``source`` says it was changed, from which value, on which day; the old
    source moves to ``note``; ``confidence`` becomes ``estimate``).
:func:`case_toml`
    Case data as TOML text.
:func:`save_case`
    Write a case file, validated before it takes its name, atomically, never
    replacing a file unless ``overwrite=True`` and never inside the installed
    package.
:func:`differences`
    The quantities whose values differ between two cases.
:func:`rebase_histories`
    Keep forecast history paths (relative to a case file) pointing at the
    same files when the case is written into another folder.
"""

from __future__ import annotations

import copy
import datetime as _dt
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._files import refuse_package_folder, write_text_atomic
from .errors import CaseError, Problem
from .io import load_case
from .schema import Case

__all__ = ["apply_changes", "case_data", "case_toml", "differences", "plain_number", "rebase_histories", "save_case", "save_variant"]


def case_data(case: Case) -> dict[str, Any]:
    """A case as TOML-ready data (what its file would hold; absent optional values left out)."""
    return case.model_dump(mode="json", exclude_none=True)


def plain_number(v: Any) -> str:
    """A value as written in a case file: ``71000`` rather than ``71000.0``; lists in brackets."""
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(plain_number(x) for x in v) + "]"
    f = float(v)
    return str(int(f)) if f.is_integer() and abs(f) < 1e16 else repr(f)


def _quantity_dict(data: dict[str, Any], path: str) -> dict[str, Any]:
    obj: Any = data
    for part in path.split("."):
        if not isinstance(obj, dict) or part not in obj:
            raise KeyError(f"{path}: no such quantity in the case")
        obj = obj[part]
    if not isinstance(obj, dict) or "value" not in obj:
        raise KeyError(f"{path}: not a quantity")
    return obj


def _same(a: Any, b: Any) -> bool:
    aa, bb = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return aa.shape == bb.shape and bool(np.array_equal(aa, bb))


def apply_changes(
    case: Case | Mapping[str, Any], changes: Mapping[str, Any], *, when: _dt.date | None = None
) -> dict[str, Any]:
    """The data of a case with some quantities set to new values, provenance kept.

    Parameters
    ----------
    case : Case or mapping
        A case, or its data (:func:`case_data`); never modified.
    changes : mapping
        New values by quantity path (a list for a list quantity).
    when : date, optional
        The day written into the new ``source`` (default: today).

    Returns
    -------
    dict
        The case data. For each changed quantity the ``source`` becomes
        ``studio: changed from <old> on <date>``, the ``confidence``
        ``estimate`` and the old source (and note) move into the ``note``; the
        source ``year`` is dropped (the value is the analyst's, in the case's
        base-year prices). A declared ``low``/``high`` range is widened to
        include the new value (the schema requires ``low <= value <= high``)
        and the note says so. Values equal to the old ones leave the quantity
        as it was.

    Raises
    ------
    KeyError
        When a path is not a quantity of the case.
    """
    data = case_data(case) if isinstance(case, Case) else copy.deepcopy(dict(case))
    day = (when or _dt.date.today()).isoformat()
    for path, value in changes.items():
        qd = _quantity_dict(data, path)
        old = qd["value"]
        new = [float(x) for x in value] if isinstance(old, list) else float(value)
        if _same(new, old):
            continue
        was = f"previously {plain_number(old)}, source: {qd.get('source', '')}"
        if qd.get("year") is not None:
            was += f" ({qd['year']})"
        was += f", confidence: {qd.get('confidence', '')}"
        if qd.get("note"):
            was += f"; note: {qd['note']}"
        notes = [was]
        ranged = not isinstance(new, list) and qd.get("low") is not None and qd.get("high") is not None
        if ranged and not qd["low"] <= new <= qd["high"]:
            notes.append(f"range widened from [{plain_number(qd['low'])}, {plain_number(qd['high'])}] to include the new value")
            qd["low"], qd["high"] = min(qd["low"], new), max(qd["high"], new)
        qd["value"] = new
        qd["source"] = f"studio: changed from {plain_number(old)} on {day}"
        qd["confidence"] = "estimate"
        qd.pop("year", None)
        qd["note"] = "; ".join(notes)
    return data


def _drop_none(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _drop_none(v) for k, v in obj.items() if v is not None}
    if isinstance(obj, list):
        return [_drop_none(v) for v in obj]
    return obj


def case_toml(data: Case | Mapping[str, Any], *, header: str | None = None) -> str:
    """A case (or its data) as TOML text, with an optional comment header.

    Parameters
    ----------
    data : Case or mapping
    header : str, optional
        Written as ``#`` comment lines at the top.

    Returns
    -------
    str
    """
    import tomli_w

    d = case_data(data) if isinstance(data, Case) else _drop_none(dict(data))
    text = tomli_w.dumps(d, multiline_strings=True)
    if header:
        text = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines()) + "\n" + text
    return text


def rebase_histories(data: dict[str, Any], src_dir: str | Path | None, dst_dir: str | Path) -> None:
    """Rewrite forecast history paths of case data, in place, for a case file moving folders.

    A history path is relative to its case file; written into ``dst_dir``, it
    must still name the same file.

    Parameters
    ----------
    data : dict
        Case data (:func:`case_data`).
    src_dir : path or None
        The folder of the case file the data came from; None leaves the paths alone.
    dst_dir : path
        The folder of the case file to be written.
    """
    if src_dir is None:
        return
    from .schema import LINE_KEYS

    for key in LINE_KEYS:
        for st in (data.get(key) or {}).get("revenue", {}).values():
            fc = st.get("forecast") if isinstance(st, dict) else None
            if isinstance(fc, dict) and isinstance(fc.get("history"), str) and not Path(fc["history"]).is_absolute():
                target = (Path(src_dir) / fc["history"]).resolve()
                try:
                    fc["history"] = Path(os.path.relpath(target, Path(dst_dir).resolve())).as_posix()
                except ValueError:  # another drive (Windows): no relative path exists
                    fc["history"] = target.as_posix()


def save_case(
    case_or_data: Case | Mapping[str, Any],
    path: str | Path,
    *,
    overwrite: bool = False,
    base_dir: str | Path | None = None,
    header: str | None = None,
) -> Path:
    """Write a case as a TOML case file, validated, atomically, never replacing a file by accident.

    Parameters
    ----------
    case_or_data : Case or mapping
        A validated case, or case data (e.g. from :func:`apply_changes`).
    path : path
        The file to write; missing folders are made.
    overwrite : bool
        Replace an existing file. Without it an existing file is never touched
        (:func:`feasibility._files.write_text_atomic`).
    base_dir : path, optional
        The folder of the case file the data came from: forecast histories are
        relative to a case file, and are rewritten to stay relative to the
        new one (:func:`rebase_histories`).
    header : str, optional
        A comment written at the top of the file.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    FileExistsError
        When ``path`` exists and ``overwrite`` is False.
    feasibility.case.CaseError
        When the written text does not validate (:func:`feasibility.load_case`
        on the complete temporary file); nothing is left behind.
    feasibility._files.PackageFolderError
        When ``path`` is inside the installed package (it holds the default
        case; a file there is lost at the next upgrade).
    """
    target = Path(path).expanduser()
    refuse_package_folder(target)
    if target.exists() and not overwrite:  # before the work of writing: the common refusal is quick
        raise FileExistsError(f"{target} exists; pass overwrite=True to replace it")
    data = case_data(case_or_data) if isinstance(case_or_data, Case) else copy.deepcopy(dict(case_or_data))
    rebase_histories(data, base_dir, target.parent)
    # the check reads the temporary file, in the target's folder: its histories resolve as the saved file's will
    return write_text_atomic(target, case_toml(data, header=header), overwrite=overwrite, check=load_case)


def variant_chain(path: str | Path | None) -> list[Path]:
    """A case file and the files it builds on, resolved: itself, its variant base, that base's base, ...

    Stops at the default case, a file that cannot be read, or a loop (the case's
    validation names those); at most :data:`feasibility.case.io.VARIANT_DEPTH` + 1 files.
    """
    from .io import DEFAULT_CASE, VARIANT, VARIANT_DEPTH

    out: list[Path] = []
    p = (Path(path) if path is not None else DEFAULT_CASE).resolve()
    while p not in out and len(out) <= VARIANT_DEPTH:
        out.append(p)
        try:
            base = tomllib.loads(p.read_text(encoding="utf-8")).get(VARIANT, {}).get("base")
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, AttributeError, RecursionError):
            break
        if not isinstance(base, str) or base == "default" or not base.strip():
            break
        p = (p.parent / base).resolve()
    return out


def save_variant(
    base_path: str | Path | None,
    values: Mapping[str, Any],
    path: str | Path,
    *,
    sources: Mapping[str, str] | None = None,
    overwrite: bool = False,
    header: str | None = None,
    when: _dt.date | None = None,
) -> Path:
    """Write a variant file: a base case file and the values changed from it, validated, atomically.

    The file holds only ``[variant]`` (:func:`feasibility.case.io.resolve_variant`):
    ``base``, relative to the new file's folder (``"default"`` for the default
    case, an absolute path where no relative one exists), and one table per
    changed value with its ``source``. It stays small, and fixes of the base
    reach it.

    Parameters
    ----------
    base_path : path or None
        The case file the values change (None: the default case).
    values : mapping
        New values by quantity path (a list for a list quantity).
    path : path
        The variant file to write.
    sources : mapping, optional
        The ``source`` of each value (default ``studio: changed from <old> on <date>``).
    overwrite : bool
    header : str, optional
    when : date, optional

    Returns
    -------
    Path

    Raises
    ------
    FileExistsError, feasibility.case.CaseError, feasibility._files.PackageFolderError
        As :func:`save_case`.
    """
    import tomli_w

    from .io import DEFAULT_CASE

    target = Path(path).expanduser()
    refuse_package_folder(target)
    if target.exists() and not overwrite:
        raise FileExistsError(f"{target} exists; pass overwrite=True to replace it")
    src = Path(base_path) if base_path is not None else DEFAULT_CASE
    if src.resolve() == DEFAULT_CASE.resolve():
        base = "default"
    else:
        try:
            base = Path(os.path.relpath(src.resolve(), target.parent.resolve())).as_posix()
        except ValueError:  # another drive (Windows): no relative path exists
            base = src.resolve().as_posix()
    if target.resolve() in variant_chain(src):  # a variant written over a file it builds on: a loop, and that file lost
        raise CaseError([Problem("variant.base", f"{target.name} is the case this variant builds on (or its base): a variant "
                                                 "cannot replace it; save a full copy or choose another name", base)], str(target))
    old = load_case(src).quantity_map()
    day = (when or _dt.date.today()).isoformat()
    entries = {}
    for qpath, v in values.items():
        value = [float(x) for x in v] if isinstance(v, (list, tuple)) else float(v)
        was = old[qpath].value if qpath in old else None
        entries[qpath] = {"value": value, "source": (sources or {}).get(qpath) or f"studio: changed from {plain_number(was)} on {day}"}
    text = tomli_w.dumps({"variant": {"base": base, "set": entries}})
    if header:
        text = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines()) + "\n" + text
    return write_text_atomic(target, text, overwrite=overwrite, check=load_case)


def differences(
    base: Case, other: Case | Mapping[str, Any] | None = None, overrides: Mapping[str, Any] | None = None
) -> pd.DataFrame:
    """The quantities whose values differ between a base case and another case (plus overrides).

    Parameters
    ----------
    base : Case
    other : Case or mapping, optional
        Another case, or overrides of the base case by quantity path.
    overrides : mapping, optional
        Values replacing ``other``'s (or the base's) by quantity path, as in
        :func:`feasibility.run`.

    Returns
    -------
    DataFrame
        Columns ``path``, ``base_value``, ``this_value``, ``unit``, one row per
        quantity that differs (None where a case does not have the quantity), in
        the base case's order, then the other case's new quantities.

    Raises
    ------
    KeyError
        When an override names no quantity of the case.
    """
    bq = base.quantity_map()
    src = other if isinstance(other, Case) else base
    smap = src.quantity_map()
    values: dict[str, Any] = {p: q.value for p, q in smap.items()}
    extra = dict(other) if other is not None and not isinstance(other, Case) else {}
    extra.update(overrides or {})
    for p, v in extra.items():
        if p not in smap:
            raise KeyError(f"{p}: no such quantity in the case")
        values[p] = [float(x) for x in v] if smap[p].is_list else float(v)
    rows = []
    for p in list(bq) + [p for p in values if p not in bq]:
        b = bq[p].value if p in bq else None
        o = values.get(p)
        if b is not None and o is not None and _same(b, o):
            continue
        unit = bq[p].unit if p in bq else smap[p].unit
        rows.append({"path": p, "base_value": b, "this_value": o, "unit": unit})
    return pd.DataFrame(rows, columns=["path", "base_value", "this_value", "unit"])
