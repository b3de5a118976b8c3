"""The council report: one self-contained, bilingual HTML file a council member can read offline and print.

:func:`render_report` formats a :class:`~feasibility.study.Study` (every
analysis computed once) in Indonesian or English: executive summary with a
verdict table, need, legal, market, technical, financial, economic, budget and
risk sections, recommendation and conditions, and appendices. Every word comes
from the message catalogs (``feasibility/present/locale``), numbers are
formatted for the locale with Babel, charts are inline SVG
(:mod:`feasibility.present.charts`).

The modules of this package:

- :mod:`.context`: the report assembled from its sections, and the template;
- one module per section, each a function ``section(study, fmt)`` returning a
  dataclass: :mod:`.summary`, :mod:`.narrative` (need, legal),
  :mod:`.market`, :mod:`.technical`, :mod:`.financial`, :mod:`.economic`,
  :mod:`.budget`, :mod:`.risk`, :mod:`.recommendation`, :mod:`.appendix`,
  :mod:`.comparison`;
- :mod:`.common` (formatting, anchors, notes) and :mod:`.tables` (annual and
  metric tables), shared by the sections;
- :mod:`.io`: writing a report atomically, and its embedded data block.

Safety: no scripts, styles or fonts from outside (a Content-Security-Policy
forbids loading anything), every string from the case escaped by Jinja2's
autoescaping. Reproducibility: the exact case file (and any history files),
its SHA-256, the toolkit version, the seed and every figure the report states
are embedded in a hidden data block that :func:`extract_data` reads back
(``feasibility reproduce``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...case import Case
from ..i18n import Formatter
from .comparison import comparison as _comparison
from .context import build, render
from .io import GENERATOR, data_block, extract_data, is_generated_report, text_differences, visible_text, write_html

if TYPE_CHECKING:
    from ...study import Study

__all__ = [
    "GENERATOR",
    "extract_data",
    "is_generated_report",
    "render_comparison",
    "render_report",
    "render_reports",
    "text_differences",
    "visible_text",
    "write_html",
    "write_report",
]


def render_report(
    study: Study | Case,
    case_text: str | None = None,
    lang: str = "id",
    *,
    iterations: int | None = None,
    seed: int | None = None,
    base_dir: str | Path | None = None,
    generated: Any = None,
) -> str:
    """The council report of a study (or of a case, which is studied first) as one HTML document.

    Parameters
    ----------
    study : Study or Case
        A :class:`~feasibility.study.Study`, or a validated case (then
        ``case_text`` is required and the study is built with ``iterations``
        and ``seed``, default the case's ``[risk]``).
    case_text : str, optional
        The exact text of the case file (embedded with its SHA-256).
    lang : {"id", "en"}
    iterations, seed : int, optional
    base_dir : path, optional
        The case file's folder, for the history files of forecast streams.
    generated : datetime.date, optional
        The date the report states (default: today); ``feasibility reproduce`` renders a report
        again for the date of its data block.

    Returns
    -------
    str
        The HTML document.
    """
    from ...study import build_study  # the model and the analyses load only when a case must be studied

    if isinstance(study, Case):
        if case_text is None:
            raise ValueError("render_report(case, ...) needs the case file's text (case_text)")
        study = build_study(study, case_text, iterations=iterations, seed=seed, base_dir=base_dir)
    return render(build(study, lang, generated))


def render_comparison(studies: list[Study], lang: str = "id", generated: Any = None) -> str:
    """One report with the first study in full and every study's metrics and verdict side by side.

    Parameters
    ----------
    studies : list of Study
    lang : {"id", "en"}
    generated : datetime.date, optional
        The date the report states (default: today).

    Returns
    -------
    str
        The HTML document; its data block holds every study (``compare``:
        those after the first), so that ``feasibility reproduce`` checks them all.
    """
    if not studies:
        raise ValueError("render_comparison needs at least one study")
    report = build(studies[0], lang, generated)
    report.comparison = _comparison(studies, Formatter(lang))
    report.data["compare"] = [data_block(s) for s in studies[1:]]
    return render(report)


#: the studies a forked worker of :func:`render_reports` renders (set in the parent before the fork)
_FORKED: dict[str, Any] = {}


def _render_one(studies: list[Study], lang: str) -> str:
    # looked up in this module at call time: a test may replace render_report
    return render_comparison(studies, lang) if len(studies) > 1 else render_report(studies[0], lang=lang)


def _render_forked(lang: str) -> str:
    return _render_one(_FORKED["studies"], lang)


def render_reports(studies: Study | list[Study], langs: tuple[str, ...] = ("id", "en")) -> dict[str, str]:
    """The report of a study (or the comparison of several) in several languages.

    The languages are rendered in parallel processes when the machine has
    more than one core (the charts dominate the time, and matplotlib draws
    one figure at a time per process); each process gets the study by fork,
    so nothing is computed twice.

    Parameters
    ----------
    studies : Study or list of Study
        One study, or several for a comparison report.
    langs : tuple of str

    Returns
    -------
    dict
        The HTML document by language.
    """
    import multiprocessing as mp

    from ..._workers import ignore_sigint

    studies = list(studies) if isinstance(studies, (list, tuple)) else [studies]
    if len(langs) > 1 and (os.cpu_count() or 1) > 1 and "fork" in mp.get_all_start_methods():
        _FORKED["studies"] = studies
        try:
            with mp.get_context("fork").Pool(min(len(langs), os.cpu_count() or 1), initializer=ignore_sigint) as pool:
                return dict(zip(langs, pool.map(_render_forked, langs)))
        finally:
            _FORKED.clear()
    return {lang: _render_one(studies, lang) for lang in langs}


def write_report(
    case: Case,
    path: str | Path,
    lang: str = "id",
    *,
    case_text: str | None = None,
    iterations: int | None = None,
    seed: int | None = None,
    overwrite: bool = False,
    base_dir: str | Path | None = None,
) -> Path:
    """Render the council report of a case and write it to ``path`` (atomically).

    Parameters
    ----------
    case : Case
    path : str or Path
    lang : {"id", "en"}
    case_text : str
        The exact text of the case file, embedded in the report with its
        SHA-256 (required: a report must say which assumptions it rests on).
    iterations, seed : int, optional
    overwrite : bool
    base_dir : path, optional

    Returns
    -------
    Path

    Raises
    ------
    FileExistsError
        When ``path`` exists and ``overwrite`` is False.
    """
    p = Path(path)
    if p.exists() and not overwrite:
        raise FileExistsError(f"{p} exists; pass overwrite=True to replace it")
    if case_text is None:
        raise ValueError("write_report needs the case file's text (case_text) to embed it")
    return write_html(p, render_report(case, case_text, lang, iterations=iterations, seed=seed, base_dir=base_dir))
