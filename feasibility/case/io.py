"""Reading case files: the TOML case, the default case shipped with the package, history files.

Loading parses TOML (data only, no code runs), then validates; every problem is
reported at once as ``path: rule, got value`` (:class:`~feasibility.case.errors.CaseError`).
"""

from __future__ import annotations

import atexit
import csv
import re
import shutil
import stat
import tempfile
import tomllib
import unicodedata
from collections.abc import Iterator, Sequence
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from .errors import _MISSING, CaseError, Problem, _problems_from, did_you_mean
from .forecasts import History, min_points
from .rules import raw_problems
from .schema import MAGNITUDE_MAX, Case, ForecastSource

__all__ = ["CASE_MAX_BYTES", "DEFAULT_CASE", "HISTORY_MAX_BYTES", "VARIANT", "case_text", "invisible_problems", "load_case", "parse_case", "resolve_variant", "size_problems", "toml_data"]

#: the largest history file read: an annual series is a few kilobytes; a larger file is not one
HISTORY_MAX_BYTES = 1_000_000



def _default_case() -> Path:
    """The default case, shipped as package data (``feasibility/data/kota_serang.toml``).

    :mod:`importlib.resources` finds it wherever the package is installed: a
    wheel in site-packages, an editable checkout. A package imported from a zip
    archive has no file path, so its data folder is copied to a temporary folder
    once (removed at exit): the case, its history files and the tools that list
    ``DEFAULT_CASE.parent`` then work as from a folder.
    """
    data = resources.files("feasibility") / "data"
    if isinstance(data, Path):
        return data / "kota_serang.toml"
    target = Path(tempfile.mkdtemp(prefix="feasibility-data-"))
    atexit.register(shutil.rmtree, target, ignore_errors=True)
    _copy_tree(data, target)
    return target / "kota_serang.toml"


def _copy_tree(src: Traversable, dst: Path) -> None:
    for item in src.iterdir():
        if item.is_dir():
            (dst / item.name).mkdir()
            _copy_tree(item, dst / item.name)
        else:
            (dst / item.name).write_bytes(item.read_bytes())


#: the Kota Serang default case file (a :class:`~pathlib.Path`)
DEFAULT_CASE: Path = _default_case()


def parse_case(
    data: dict[str, Any], source: str = "case", base_dir: str | Path | None = None, *, allow: Sequence[str | Path] = ()
) -> Case:
    """Validate a case given as a mapping (for example a parsed TOML document).

    Parameters
    ----------
    data : dict
        The case, as :func:`tomllib.loads` returns it.
    source : str
        The name problems are reported under (the file name).
    base_dir : str or Path, optional
        The folder forecast history files are relative to (default: the current folder).
        A history file must lie in it or its subfolders (after following symbolic links).
    allow : sequence of paths
        Further folders history files may lie in (the command line's ``--allow-path``;
        the folders of a variant's base cases).

    Returns
    -------
    Case
        The validated case. Forecast histories are read and checked; their
        methods are fitted on first use (:mod:`feasibility.case.forecasts`).

    Raises
    ------
    CaseError
        With every problem found at once: the per-field and per-table rules,
        then the cross-section rules (years within the horizon, loan terms),
        then, on a case with no other problem, those of the history files.
    """
    hidden = size_problems(data) + invisible_problems(data)
    try:
        case = Case.model_validate(data)
    except ValidationError as err:
        # the cross-section rules still run on what can be read, so all problems come at once
        found = _problems_from(err)
        seen = {(p.path, p.rule) for p in found}
        found += [p for p in raw_problems(data) if (p.path, p.rule) not in seen]
        raise CaseError(hidden + found, source) from None
    problems = hidden + case.problems()
    if not problems:
        problems = _read_histories(case, Path(base_dir) if base_dir is not None else Path.cwd(), source, allow)
    if problems:
        raise CaseError(problems, source)
    return case


def _invisible(ch: str) -> bool:
    """A character that changes how text displays without showing itself: Unicode's format characters
    (category Cf: the bidirectional overrides and isolates U+202A-U+202E and U+2066-U+2069, zero-width
    spaces and joiners, the byte-order mark, ...) and the C0/C1 controls other than tab and line breaks."""
    cat = unicodedata.category(ch)
    return cat == "Cf" or (cat == "Cc" and ch not in "\t\n\r")


#: the limits on a case file's shape: far above what a case needs (the default case: depth 7,
#: keys of 59 characters, lists of 8, texts of 963 characters), far below what slows or bloats a run
DEPTH_MAX, KEY_MAX_CHARS, LIST_MAX, TEXT_MAX_CHARS = 16, 200, 1_000, 5_000
#: the most parts a dotted key or a table header may have (tomllib takes time quadratic in them:
#: 100,000 parts took 30 s); checked on the text before it is parsed
KEY_PARTS_MAX = 32
_KEY_PART = r"""(?:[A-Za-z0-9_-]+|"[^"\n]*"|'[^'\n]*')"""
_LONG_KEY = re.compile(_KEY_PART + r"(?:[ \t]*\.[ \t]*" + _KEY_PART + "){" + str(KEY_PARTS_MAX) + ",}")


def _walk(data: Any, path: str = "") -> Iterator[tuple[Any, Any, Any, str, int]]:
    """Every entry of nested case data: ``(node, key, value, where, depth)``, with a stack, not recursion
    (any nesting TOML can parse)."""
    todo: list[tuple[Any, str, int]] = [(data, path, 1)]
    while todo:
        node, at, depth = todo.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for k, v in items:
            where = f"{at}[{k}]" if isinstance(node, list) else (f"{at}.{k}" if at else str(k))
            yield node, k, v, where, depth
            if isinstance(v, (dict, list)):
                todo.append((v, where, depth + 1))


def _shown_path(where: str) -> str:
    return "".join(f"\\u{ord(c):04x}" if _invisible(c) else c for c in where)  # the path itself, made visible


def invisible_problems(data: Any, path: str = "") -> list[Problem]:
    """Every text of case data (keys and values, nested) that holds an invisible format or control character.

    A right-to-left override (U+202E) makes a name or a number display reversed in
    a report or the studio; such characters have no place in a case file, so they
    are refused with the field's path and the character's code and name, never
    passed on or silently removed.
    """
    out: list[Problem] = []
    for node, k, v, where, _depth in _walk(data, path):
        texts = ([(str(k), "key")] if isinstance(node, dict) else []) + ([(v, "value")] if isinstance(v, str) else [])
        for text, what in texts:
            bad = sorted({c for c in text if _invisible(c)})
            if bad:
                names = ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, 'CONTROL')}" for c in bad)
                out.append(Problem(_shown_path(where), f"its {what} holds invisible character(s) that can change how text displays ({names}); "
                                                       "remove them", _MISSING))
    return sorted(out, key=lambda p: p.path)


def size_problems(data: Any) -> list[Problem]:
    """Every part of case data beyond the shape limits: nesting (:data:`DEPTH_MAX`), key length
    (:data:`KEY_MAX_CHARS`), list length (:data:`LIST_MAX`) and text length (:data:`TEXT_MAX_CHARS`).

    Such a case is a mistake or an attack (a five-million-entry ramp-up, megabytes of notes
    copied into every report), not a feasibility study; the path shown is cut short where the
    key itself is too long, and a deep branch is reported once, where it passes the limit.
    """
    out: list[Problem] = []
    for node, k, v, where, depth in _walk(data):
        if depth > DEPTH_MAX:
            if isinstance(v, (dict, list)) and depth == DEPTH_MAX + 1:
                out.append(Problem(_shown_path(where[:120]), f"nested {depth} levels deep; a case file nests at most {DEPTH_MAX}", _MISSING))
            continue
        shown = _shown_path(where if len(where) <= 240 else where[:120] + "...")
        if isinstance(node, dict) and len(str(k)) > KEY_MAX_CHARS:
            out.append(Problem(shown, f"a key of {len(str(k)):,} characters; a key has at most {KEY_MAX_CHARS}", _MISSING))
        if isinstance(v, list) and len(v) > LIST_MAX:
            out.append(Problem(shown, f"a list of {len(v):,} entries; a list has at most {LIST_MAX:,}", _MISSING))
        if isinstance(v, str) and len(v) > TEXT_MAX_CHARS:
            out.append(Problem(shown, f"a text of {len(v):,} characters; a text has at most {TEXT_MAX_CHARS:,} "
                                      "(put a long note in a document the case's source names)", _MISSING))
    return sorted(out, key=lambda p: p.path)


def toml_data(text: str, source: str, where: str = "", shown: Any = _MISSING) -> dict[str, Any]:
    """A case file's text parsed (:mod:`tomllib`, data only), or a :class:`CaseError` at ``where``.

    Refuses, before parsing, a dotted key or table header of more than
    :data:`KEY_PARTS_MAX` parts, and reports nesting too deep for the parser.
    """
    text = text.removeprefix("\ufeff")  # a byte-order mark (Windows Notepad) is not part of the TOML
    long_key = _LONG_KEY.search(text)
    if long_key is not None:
        line = text.count("\n", 0, long_key.start()) + 1
        problem = Problem(where, f"line {line}: a dotted key or table header of more than {KEY_PARTS_MAX} parts; "
                                 "a case file's keys have a few", shown)
    else:
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            problem = Problem(where, f"not valid TOML: {exc}", shown)
        except RecursionError:  # tomllib parses nested arrays and inline tables recursively
            problem = Problem(where, "nested too deeply to be a case file (arrays or tables inside one another)", shown)
    raise CaseError([problem], source)


def _read_histories(case: Case, base_dir: Path, source: str, allow: Sequence[str | Path] = ()) -> list[Problem]:
    """Read and check each forecast stream's history; the fit waits for first use (:mod:`.forecasts`)."""
    out: list[Problem] = []
    roots = [base_dir, *(Path(a) for a in allow)]
    for key, line in case.lines().items():
        for name, st in line.revenue.items():
            if st.forecast is None:
                continue
            start = st.start_year if st.start_year is not None else case.timeline.first_operating_year
            found = _read_history(st.forecast, f"{key}.revenue.{name}.forecast", base_dir, roots, start, case.timeline.end_year, source)
            if isinstance(found, Problem):
                out.append(found)
            else:
                st.forecast._history = found
    return out


def _history_file(fc: ForecastSource, where: str, base_dir: Path, roots: list[Path]) -> Path | Problem:
    """The history file, resolved, if it is a regular file of at most :data:`HISTORY_MAX_BYTES` inside ``roots``.

    A case file is data someone else may have written: its history path must not
    reach any file of the machine (``../../secret.csv``, an absolute path, a
    symbolic link out of the folder), a device (``/dev/zero``) or a pipe, which
    would fill the memory or wait for ever.
    """
    path = base_dir / fc.history  # an absolute history path replaces base_dir
    try:
        real = path.resolve(strict=True)
    except FileNotFoundError:
        return Problem(f"{where}.history", "file not found", str(path))
    except (OSError, RuntimeError) as exc:  # a loop of links, a name too long, permission denied
        return Problem(f"{where}.history", f"cannot be read: {getattr(exc, 'strerror', None) or exc}", fc.history)
    folders = [r.resolve() for r in roots]
    if not any(real.is_relative_to(r) for r in folders):
        return Problem(
            f"{where}.history",
            f"is outside the case's folder {folders[0]}: a history file must lie in it or a subfolder (a symbolic link "
            "must point there too); allow another folder with --allow-path DIR",
            fc.history,
        )
    info = real.stat()
    if not stat.S_ISREG(info.st_mode):
        return Problem(f"{where}.history", "is not a regular file (a folder, device or pipe is never read)", fc.history)
    if info.st_size > HISTORY_MAX_BYTES:
        return Problem(
            f"{where}.history",
            f"is {info.st_size:,} bytes; a history file may be at most {HISTORY_MAX_BYTES:,} (an annual series is a few kilobytes)",
            fc.history,
        )
    return real


def _columns_text(missing: list[str], header: list[str]) -> str:
    """What the file has instead of the missing columns, without repeating its first line.

    The first line of a file that is not a history may be anything (a key, a name), so
    only the number of columns is said, and a column whose name is close to one asked
    for (a typo: ``tonne`` for ``tonnes``).
    """
    hints = [h for h in (did_you_mean(m, header) for m in missing) if h]
    return f"it has {len(header)} column(s){'; ' + '; '.join(hints) if hints else ''}"


def _read_history(
    fc: ForecastSource, where: str, base_dir: Path, roots: list[Path], start: int, last: int, source: str
) -> History | Problem:
    """One stream's history file, checked as its method's fitter will check it; or the first problem.

    Only the year and value columns are read; no message repeats the file's content
    beyond its column names.
    """
    import pandas as pd  # imported here: pandas is slow to import and most cases have no forecast

    from ..domain.demand import SeriesError, validate_series

    path = _history_file(fc, where, base_dir, roots)
    if isinstance(path, Problem):
        return path
    try:
        # utf-8-sig: a byte-order mark (Excel's "CSV UTF-8", Windows Notepad) is not part of the first column's name
        with path.open(encoding="utf-8-sig", newline="") as fh:
            header = next(csv.reader(fh), [])
    except UnicodeDecodeError:
        return Problem(f"{where}.history", "is not UTF-8 text (save it from Excel as \"CSV UTF-8\")", fc.history)
    except (OSError, csv.Error):
        return Problem(f"{where}.history", "cannot be read as a CSV file", fc.history)
    missing = [c for c in (fc.year_column, fc.value_column) if c not in header]
    if missing:
        return Problem(where, f"{path.name} has no column {', '.join(missing)}; {_columns_text(missing, header)}", _MISSING)
    try:
        table = pd.read_csv(path, usecols=[fc.year_column, fc.value_column], encoding="utf-8-sig")
        years = pd.to_numeric(table[fc.year_column], errors="raise").to_numpy()
        values = pd.to_numeric(table[fc.value_column], errors="raise").to_numpy()
    except (OSError, ValueError, TypeError, pd.errors.ParserError) as exc:  # the messages may quote a cell: not repeated
        return Problem(where, f"{path.name}: the columns {fc.year_column} and {fc.value_column} must hold numbers, one row a year "
                              f"({type(exc).__name__})", _MISSING)
    if values.size and np.nanmax(np.abs(values.astype(float))) > MAGNITUDE_MAX:  # as every number of the case itself
        return Problem(where, f"{path.name}: the column {fc.value_column} holds a number beyond -1e16 to 1e16 (no series of a "
                              "regional study comes near; larger numbers overflow the model's arithmetic)", _MISSING)
    try:
        # the fitters' own check (gaps, duplicates, values <= 0, too few points), with the
        # method's minimum, so that the load reports what the fit would refuse
        validate_series(years, values, path.stem, min_points=min_points(fc.method))
    except (SeriesError, ValueError) as exc:
        return Problem(where, str(exc), _MISSING)
    observed = dict(zip(years.astype(int), values.astype(float)))
    first_hist = min(observed)
    if start < first_hist:
        return Problem(where, f"the history starts in {first_hist}, after the stream's first year {start}", _MISSING)
    return History(where, path.stem, years, values, observed, last, source)


#: the table that makes a case file a variant of another: ``[variant] base = "..."`` and ``[variant.set."<path>"]``
VARIANT = "variant"
#: how many variants may build on one another (a loop is reported, never followed)
VARIANT_DEPTH = 8


#: the largest case file read (the Kota Serang case is about 110 kB; a 50 MB note made a 210 MB report)
CASE_MAX_BYTES = 2_000_000


def _check_case_file(p: Path, where: str = "", shown: Any = _MISSING) -> None:
    """Refuse, before reading it, a case path that is a device or pipe, or a file above :data:`CASE_MAX_BYTES`."""
    try:
        info = p.stat()
    except OSError:
        return  # missing or unreadable: the read says which, as before
    if not stat.S_ISREG(info.st_mode) and not stat.S_ISDIR(info.st_mode):
        raise CaseError([Problem(where, "is not a regular file (a device or pipe is never read)", shown)], str(p))
    if stat.S_ISREG(info.st_mode) and info.st_size > CASE_MAX_BYTES:
        raise CaseError([Problem(where, f"is {info.st_size:,} bytes; a case file may be at most {CASE_MAX_BYTES:,}", shown)], str(p))


def _read_toml(p: Path, where: str, shown: Any) -> dict[str, Any]:
    """A TOML file's data; an unreadable file is a problem at ``where`` (the field that names it)."""
    _check_case_file(p, where, shown)
    try:
        text = p.read_bytes().decode("utf-8")
    except FileNotFoundError:
        problem = Problem(where, "file not found", shown)
    except IsADirectoryError:
        problem = Problem(where, "is a directory, not a case file", shown)
    except OSError as exc:
        problem = Problem(where, f"cannot be read: {exc.strerror or exc}", shown)
    except UnicodeDecodeError as exc:
        problem = Problem(where, f"not UTF-8 text ({exc.reason} at byte {exc.start})", shown)
    else:
        return toml_data(text, str(p), where, shown)
    raise CaseError([problem], str(p))


def _variant_problems(data: dict[str, Any]) -> list[Problem]:
    v = data.get(VARIANT)
    if not isinstance(v, dict):
        return [Problem(VARIANT, "must be a table with base and set", v)]
    out = [Problem(k, "a variant file holds only [variant]: its base case holds the rest", _MISSING) for k in data if k != VARIANT]
    out += [Problem(f"{VARIANT}.{k}", "unknown field (allowed: base, set)", v[k]) for k in v if k not in ("base", "set")]
    base = v.get("base")
    if not isinstance(base, str) or not base.strip():
        out.append(Problem(f"{VARIANT}.base", 'must name the base case file (relative to this file) or "default"', base))
    sets = v.get("set", {})
    if not isinstance(sets, dict):
        return out + [Problem(f"{VARIANT}.set", "must be a table of changed values by quantity path", sets)]
    for qpath, entry in sets.items():
        where = f"{VARIANT}.set.{qpath}"
        if not isinstance(entry, dict) or "value" not in entry:
            out.append(Problem(where, "must be a table with value and source", entry))
            continue
        val = entry["value"]
        numbers = val if isinstance(val, list) else [val]
        if not numbers or any(isinstance(x, bool) or not isinstance(x, (int, float)) for x in numbers):
            out.append(Problem(f"{where}.value", "must be a number or a list of numbers", val))
        if not isinstance(entry.get("source"), str) or not entry["source"].strip():
            out.append(Problem(f"{where}.source", "must say where the value comes from", entry.get("source", _MISSING)))
        out += [Problem(f"{where}.{k}", "unknown field (allowed: value, source, note)", entry[k]) for k in entry
                if k not in ("value", "source", "note")]
    return out


def resolve_variant(data: dict[str, Any], path: str | Path, _seen: tuple[Path, ...] = ()) -> tuple[dict[str, Any], Path]:
    """The complete case data of a variant file, and the folder its base's relative paths start from.

    A variant file holds only ``[variant]``: ``base``, the case it changes (a
    path relative to the variant's folder, or ``"default"`` for the default
    case; a base may itself be a variant), and ``set``, the changed values by
    quantity path, each a table with ``value``, ``source`` and an optional
    ``note``. A later fix of the base reaches the variant: only its changes
    are its own. The values are applied as the studio applies a change
    (:func:`feasibility.case.edit.apply_changes`: the old value and source move
    into the note, confidence ``estimate``, a declared range widened to hold
    the value), then the variant's own source and note are written.

    Raises
    ------
    CaseError
        Every problem of the variant at once, at ``variant.base`` or
        ``variant.set.<path>``; a base that cannot be read; variants that
        build on each other in a loop.
    """
    from .edit import _quantity_dict, apply_changes  # edit imports this module
    from .errors import did_you_mean
    from .options import _quantity_paths

    p = Path(path)
    problems = _variant_problems(data)
    v = data.get(VARIANT)
    if problems:
        if isinstance(v, dict) and isinstance(v.get("base"), str) and v["base"].strip() and v["base"] != "default":
            try:  # every problem at once: an unreadable base too
                _read_toml(p.parent / v["base"], f"{VARIANT}.base", v["base"])
            except CaseError as exc:
                problems += exc.problems
        raise CaseError(problems, str(p))
    base_path = DEFAULT_CASE if v["base"] == "default" else p.parent / v["base"]
    seen = (*_seen, p.resolve())
    if base_path.resolve() in seen or len(seen) > VARIANT_DEPTH:
        raise CaseError([Problem(f"{VARIANT}.base", f"variants build on each other in a loop or more than {VARIANT_DEPTH} deep", v["base"])], str(p))
    base_data = _read_toml(base_path, f"{VARIANT}.base", v["base"])
    base_dir = base_path.parent
    if VARIANT in base_data:
        base_data, base_dir = resolve_variant(base_data, base_path, seen)
    sets = v.get("set", {})
    missing = []
    for qpath in sets:
        try:
            _quantity_dict(base_data, qpath)
        except KeyError:
            guess = did_you_mean(qpath, _quantity_paths(base_data))
            missing.append(Problem(f"{VARIANT}.set.{qpath}", "no such quantity in the base case" + (f"; {guess}" if guess else ""), _MISSING))
    if missing:
        raise CaseError(missing, str(p))
    full = apply_changes(base_data, {q: e["value"] for q, e in sets.items()})
    for qpath, entry in sets.items():
        qd = _quantity_dict(full, qpath)
        qd["source"] = entry["source"]
        if entry.get("note"):
            qd["note"] = f"{entry['note']}; {qd['note']}" if qd.get("note") else entry["note"]
    return full, base_dir



def load_case(path: str | Path | None = None, *, allow: Sequence[str | Path] = ()) -> Case:
    """Read and validate a TOML case file (the Kota Serang default case if ``path`` is None).

    Parsing uses :mod:`tomllib`, which reads data only: nothing in the file is
    executed. Forecast histories are read (relative to the case file) and
    checked, not fitted: see :mod:`feasibility.case.forecasts`.

    Parameters
    ----------
    path : str or Path, optional
        The case file; default :data:`DEFAULT_CASE`.
    allow : sequence of paths
        Folders besides the case file's (and, for a variant, its base case's)
        that history files may lie in (the command line's ``--allow-path``).

    Returns
    -------
    Case

    Raises
    ------
    CaseError
        When the file is missing, is not valid TOML, or breaks any rule.
    """
    p = Path(path) if path is not None else DEFAULT_CASE
    _check_case_file(p)
    try:
        text = p.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise CaseError([Problem("", "file not found", str(p))], str(p)) from None
    except IsADirectoryError:
        raise CaseError([Problem("", "is a directory, not a case file", str(p))], str(p)) from None
    except OSError as exc:  # permission denied, a path below a file, a name too long, ...
        raise CaseError([Problem("", f"cannot be read: {exc.strerror or exc}", str(p))], str(p)) from None
    except UnicodeDecodeError as exc:
        raise CaseError([Problem("", f"not UTF-8 text ({exc.reason} at byte {exc.start})", _MISSING)], str(p)) from None
    data = toml_data(text, str(p))
    if VARIANT in data:  # a variant: its base case with its changes, history paths relative to the variant as for any case file
        from .edit import rebase_histories  # edit imports this module

        data, base_dir = resolve_variant(data, p)
        rebase_histories(data, base_dir, p.parent)
        allow = [*allow, base_dir]  # the base case's own history files
    return parse_case(data, str(p), base_dir=p.parent, allow=allow)


def case_text(path: str | Path | None = None) -> str:
    """The exact text of a case file, for embedding in reports.

    No newline translation, so its SHA-256 is that of the file's bytes.

    Parameters
    ----------
    path : str or Path, optional
        The case file; default :data:`DEFAULT_CASE`.

    Returns
    -------
    str
        The file's text; for a variant file, the complete case it stands for
        (its base with its changes, history paths relative to the variant's
        folder), with a comment naming the variant, its base and their SHA-256:
        a report must carry every assumption, not a reference to another file.
    """
    import hashlib

    p = Path(path if path is not None else DEFAULT_CASE)
    text = p.read_bytes().decode("utf-8")
    try:
        data = toml_data(text, str(p))
    except CaseError:
        return text  # load_case reports it
    if VARIANT not in data:
        return text
    from .edit import case_toml, rebase_histories  # edit imports this module

    full, base_dir = resolve_variant(data, p)
    rebase_histories(full, base_dir, p.parent)
    base = data[VARIANT]["base"]
    base_file = DEFAULT_CASE if base == "default" else p.parent / base
    sha = lambda b: hashlib.sha256(b).hexdigest()
    header = (f"The complete case of the variant file {p.name} (sha256 {sha(p.read_bytes())}):\n"
              f"its base {base} (sha256 {sha(base_file.read_bytes())}) with the variant's changes.")
    return case_toml(full, header=header)
