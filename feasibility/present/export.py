"""The council report of a case, rendered into a file where a person expects it.

:func:`export_report` is what the studio's export button, the council-report
notebook and scripts call: it reads a case (a file, the default case or a case
object), and writes its report with :func:`feasibility.present.report.write_report`
into ``reports/`` of the project folder unless told otherwise. Relative paths
start at the working folder when the file is there, else at the project folder
(:data:`ROOT`), so a notebook run from ``notebooks/`` and a script run from the
project folder mean the same file.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

from .._files import project_dir, refuse_package_folder
from ..case import DEFAULT_CASE, Case, load_case
from ..case.edit import case_toml

__all__ = ["REPORTS_DIR", "ROOT", "export_report", "resolve_path"]

#: the project folder: the nearest folder up from the working folder holding a ``pyproject.toml``, else the working folder
ROOT = project_dir()
#: where council reports go by default
REPORTS_DIR = ROOT / "reports"


def resolve_path(path: str | Path) -> Path:
    """A path as a person typed it.

    Returns
    -------
    Path
        ``path`` itself when absolute; else the file relative to the working
        folder when it exists there; else relative to the project folder
        (:data:`ROOT`).
    """
    p = Path(path).expanduser()
    if p.is_absolute():
        return p
    here = Path.cwd() / p
    return here if here.exists() else ROOT / p


def _target(output: str | Path | None, stem: str, lang: str) -> Path:
    """The report file: ``output`` (a file, or a folder for ``<stem>.<lang>.html``), default in :data:`REPORTS_DIR`."""
    if output is None:
        return REPORTS_DIR / f"{stem}.{lang}.html"
    target = resolve_path(output)
    if target.is_dir() or (not target.suffix and not target.exists()):
        target = target / f"{stem}.{lang}.html"
    return target


def export_report(
    case: Case | str | Path | None = None,
    *,
    lang: str = "id",
    iterations: int | None = None,
    seed: int | None = None,
    output: str | Path | None = None,
    overwrite: bool | str = "generated",
    case_text: str | None = None,
    base_dir: str | Path | None = None,
) -> Path:
    """Render the council report of a case into a file (:func:`feasibility.present.report.write_report`).

    Parameters
    ----------
    case : Case, path or None
        A case file (a relative path starts at the working folder if the file
        is there, else at the project folder), the default Kota Serang case
        (None), or a case object (then its TOML text, or ``case_text``, is
        embedded in the report, and ``base_dir`` is the folder its forecast
        histories are relative to).
    lang : {"id", "en"}
    iterations, seed : int, optional
        Of the report's Monte Carlo (default: the case's ``[risk]``).
    output : path, optional
        A file, or a folder for ``<case name>.<lang>.html``; default
        :data:`REPORTS_DIR`.
    overwrite : bool or "generated"
        Replace an existing file: always, never, or only a report this toolkit
        wrote (``"generated"``, as the CLI does).
    case_text : str, optional
        The exact case-file text embedded in the report.
    base_dir : path, optional
        The folder of a case object's file.

    Returns
    -------
    Path
        The report written.

    Raises
    ------
    FileExistsError
        When the file exists and may not be replaced.
    feasibility._files.PackageFolderError
        When the file would go inside the installed package.
    """
    from . import report

    base_dir = Path(base_dir) if base_dir is not None else None
    if isinstance(case, Case):
        obj, stem = case, "case"
        text = case_text if case_text is not None else case_toml(case)
    else:
        p = DEFAULT_CASE if case is None else resolve_path(case)
        obj = load_case(p)
        text = case_text if case_text is not None else p.read_text(encoding="utf-8")
        stem, base_dir = p.stem, p.parent
    target = _target(output, stem, lang)
    refuse_package_folder(target)
    if overwrite == "generated":
        overwrite = bool(target.exists() and report.is_generated_report(target))
    kw: dict[str, Any] = {"case_text": text, "iterations": iterations, "seed": seed, "overwrite": bool(overwrite)}
    # write_report takes base_dir since the reports embed forecast histories; kept optional for a split report module
    if base_dir is not None and "base_dir" in inspect.signature(report.write_report).parameters:
        kw["base_dir"] = base_dir
    return Path(report.write_report(obj, target, lang, **kw))
