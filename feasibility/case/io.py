"""Reading case files: the TOML case, the default case shipped with the package, history files.

Loading parses TOML (data only, no code runs), then validates; every problem is
reported at once as ``path: rule, got value`` (:class:`~feasibility.case.errors.CaseError`).
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import tomllib
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .errors import _MISSING, CaseError, Problem, _problems_from
from .rules import raw_problems
from .forecasts import History, min_points
from .schema import Case, ForecastSource

__all__ = ["DEFAULT_CASE", "case_text", "load_case", "parse_case"]



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


def parse_case(data: dict[str, Any], source: str = "case", base_dir: str | Path | None = None) -> Case:
    """Validate a case given as a mapping (for example a parsed TOML document).

    Parameters
    ----------
    data : dict
        The case, as :func:`tomllib.loads` returns it.
    source : str
        The name problems are reported under (the file name).
    base_dir : str or Path, optional
        The folder forecast history files are relative to (default: the current folder).

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
    try:
        case = Case.model_validate(data)
    except ValidationError as err:
        # the cross-section rules still run on what can be read, so all problems come at once
        found = _problems_from(err)
        seen = {(p.path, p.rule) for p in found}
        found += [p for p in raw_problems(data) if (p.path, p.rule) not in seen]
        raise CaseError(found, source) from None
    problems = case.problems()
    if not problems:
        problems = _read_histories(case, Path(base_dir) if base_dir is not None else Path.cwd(), source)
    if problems:
        raise CaseError(problems, source)
    return case


def _read_histories(case: Case, base_dir: Path, source: str) -> list[Problem]:
    """Read and check each forecast stream's history; the fit waits for first use (:mod:`.forecasts`)."""
    out: list[Problem] = []
    for key, line in case.lines().items():
        for name, st in line.revenue.items():
            if st.forecast is None:
                continue
            start = st.start_year if st.start_year is not None else case.timeline.first_operating_year
            found = _read_history(st.forecast, f"{key}.revenue.{name}.forecast", base_dir, start, case.timeline.end_year, source)
            if isinstance(found, Problem):
                out.append(found)
            else:
                st.forecast._history = found
    return out


def _read_history(fc: ForecastSource, where: str, base_dir: Path, start: int, last: int, source: str) -> History | Problem:
    """One stream's history file, checked as its method's fitter will check it; or the first problem."""
    import pandas as pd  # imported here: pandas is slow to import and most cases have no forecast

    from ..domain.demand import SeriesError, validate_series

    path = base_dir / fc.history
    try:
        table = pd.read_csv(path)
    except FileNotFoundError:
        return Problem(f"{where}.history", "file not found", str(path))
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        return Problem(f"{where}.history", f"cannot be read as CSV: {exc}", str(path))
    missing = [c for c in (fc.year_column, fc.value_column) if c not in table.columns]
    if missing:
        return Problem(where, f"{path.name} has no column {', '.join(missing)}; it has {', '.join(table.columns)}", _MISSING)
    years, values = table[fc.year_column].to_numpy(), table[fc.value_column].to_numpy()
    try:
        # the fitters' own check (gaps, duplicates, values <= 0, too few points), with the
        # method's minimum, so that the load reports what the fit would refuse
        validate_series(years, values, path.stem, min_points=min_points(fc.method))
    except (SeriesError, ValueError) as exc:  # ValueError: text where numbers belong
        return Problem(where, str(exc), _MISSING)
    observed = dict(zip(table[fc.year_column].astype(int), table[fc.value_column].astype(float)))
    first_hist = min(observed)
    if start < first_hist:
        return Problem(where, f"the history starts in {first_hist}, after the stream's first year {start}", _MISSING)
    return History(where, path.stem, years, values, observed, last, source)


def load_case(path: str | Path | None = None) -> Case:
    """Read and validate a TOML case file (the Kota Serang default case if ``path`` is None).

    Parsing uses :mod:`tomllib`, which reads data only: nothing in the file is
    executed. Forecast histories are read (relative to the case file) and
    checked, not fitted: see :mod:`feasibility.case.forecasts`.

    Parameters
    ----------
    path : str or Path, optional
        The case file; default :data:`DEFAULT_CASE`.

    Returns
    -------
    Case

    Raises
    ------
    CaseError
        When the file is missing, is not valid TOML, or breaks any rule.
    """
    p = Path(path) if path is not None else DEFAULT_CASE
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
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CaseError([Problem("", f"not valid TOML: {exc}", _MISSING)], str(p)) from None
    return parse_case(data, str(p), base_dir=p.parent)


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
    """
    return Path(path if path is not None else DEFAULT_CASE).read_bytes().decode("utf-8")
