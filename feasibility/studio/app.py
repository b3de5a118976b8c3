"""The consultant studio: a case's assumptions as widgets, with cards and charts that follow them.

:class:`Studio` builds the widgets and connects them to library calls; it
decides nothing itself:

* the inputs, their tabs, limits, sliders and words: :mod:`.inputs`;
* the model run of a change: :func:`feasibility.run` with the card metrics;
* the cards, the verdict card and the chart specs: :mod:`.cards` (the
  registry's hurdles and the council report's criteria);
* the charts, drawn in worker processes: :mod:`.workers`;
* scenarios: :mod:`feasibility.case.edit` (changes with provenance,
  differences, validated atomic saving);
* the council report: :func:`feasibility.present.export.export_report`;
* where files are found and suggested: :mod:`.files` (never inside the
  installed package).

Notebooks only create the object (``notebooks/03_studio.ipynb``); a change of
an input recomputes the cards at once and asks for the charts.
"""

from __future__ import annotations

import datetime as _dt
import html
import math
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from .._files import PackageFolderError
from ..case import Case, CaseError, Quantity, case_text, in_lang, load_case, parse_case
from ..case.edit import apply_changes, case_toml, differences, plain_number, save_case, save_variant, variant_chain
from ..case.schema import ITERATIONS_MAX, ITERATIONS_MIN
from ..model import Result, run
from ..model.inputs import read_paths
from ..present import export as _export
from ..present.i18n import Formatter
from ..present.labels import short_label
from .cards import (
    CARD_METRICS,
    CARDS,
    CHARTS,
    PAGE_STYLE,
    card_metrics,
    chart_specs,
    close_tree,
    comparison_html,
    metric_cards,
    table_html,
    verdict_card,
)
from .files import FileNameError, as_case, case_name, confined_target, display_path, load_choices, suggest_scenario
from .inputs import (
    TABS,
    EntryError,
    check_entry,
    clean_float,
    css_name,
    entry_scale,
    entry_unit,
    format_entry,
    group_title,
    input_label,
    limits,
    outside_plausible,
    person_label,
    rule_text,
    show_value,
    on_grid,
    slider_grid,
    slider_range,
    tab_of,
    tooltip,
    unit_label,
    words,
)
from .tools import download_link
from .workers import ChartDrawer, draw

__all__ = ["REPORTS_DIR_ENV", "SAVE_DIR_ENV", "Studio"]

#: environment variables naming the folders the studio saves scenarios and reports into (set before it starts,
#: e.g. for a studio served with Voila); default the project's ``data/`` and ``reports/``
SAVE_DIR_ENV, REPORTS_DIR_ENV = "FEASIBILITY_STUDIO_SAVE_DIR", "FEASIBILITY_STUDIO_REPORTS_DIR"


def _coloured(text: str, colour: str, size: str = "") -> str:
    style = f"color:{colour}" + (f";font-size:{size}" if size else "")
    return f"<div style='{style}'>{html.escape(text)}</div>"


def _bad(text: str) -> str:
    return _coloured(text, "#B3261E")


def _good(text: str) -> str:
    return _coloured(text, "#1B6E3A")


class Studio:
    """The financial studio: the case's assumptions as widgets, metric cards and charts that follow them.

    Parameters
    ----------
    case : Case, path or None
        The case to start from (default: the Kota Serang case). It is also the
        base of the differences table unless ``base`` is given.
    lang : {"en", "id"}
    base : Case, path or None
        The reference the differences table compares with.
    chart_workers : int, optional
        Worker processes drawing the charts (default: 2 when the machine has
        two cores or more, else 0: drawn in a background thread).
    draw_charts : bool
        Draw the charts (default). False: a studio driven by a script or a
        test that reads cards and numbers only; the charts are not shown.

    Attributes (for tests and scripts)
    ----------------------------------
    widgets : dict of str to widget
        The input of each quantity path: a ``Text`` field read in the studio's
        language and unit (for a list quantity, an ``HBox`` of them, see
        ``elements``); type into it with :meth:`enter`.
    sliders : dict of str to FloatSlider
        The slider of quantities with a range.
    cards : dict of str to HTML
        ``fnpv``, ``firr``, ``dscr``, ``pad``, ``verdict``.
    charts : dict of str to HTML
        ``cash``, ``cumulative``, ``dscr``, ``pad`` (inline SVG).
    metrics : dict of str to float
        The card metrics of the current inputs (:data:`CARD_METRICS`; NaN for
        one the case does not have).
    criteria : list of feasibility.analysis.criteria.Criterion
        The verdict's criteria on the current inputs (no Monte Carlo).
    verdict : str
        :func:`feasibility.analysis.criteria.verdict` of them.
    outside : list of (path, value, low, high)
        Inputs outside the plausible range the case declares.
    ui : widget
        What a notebook displays.
    """

    def __init__(
        self,
        case: Case | str | Path | None = None,
        lang: str = "en",
        *,
        base: Case | str | Path | None = None,
        chart_workers: int | None = None,
        draw_charts: bool = True,
        save_dir: str | Path | None = None,
        reports_dir: str | Path | None = None,
    ):
        import ipywidgets as W

        self._W = W
        #: the only folders the "Save as" and "Report file" boxes write into (a name typed there is a plain file name)
        self.save_dir = Path(save_dir or os.environ.get(SAVE_DIR_ENV) or _export.ROOT / "data").expanduser().resolve()
        self.reports_dir = Path(reports_dir or os.environ.get(REPORTS_DIR_ENV) or _export.REPORTS_DIR).expanduser().resolve()
        self.lang = lang
        self.t = words(lang)
        self.fmt = Formatter(lang)
        self.case, self.case_path = as_case(case)
        self.base, self.base_path = (self.case, self.case_path) if base is None else as_case(base)
        #: the file's case with its long list; ``case`` is it or one of its options (:meth:`use_option`)
        self.root: Case = self.case
        self.option_key: str | None = None
        self.appraisal: Any = None
        workers = (2 if (os.cpu_count() or 1) >= 2 else 0) if chart_workers is None else int(chart_workers)
        self.draw_charts = bool(draw_charts)
        self._charts = ChartDrawer(self._apply_charts, workers if draw_charts else 0)
        self._gen = 0
        self._quiet = False
        self._syncing = False
        self.metrics: dict[str, float] = {}
        self.result: Result | None = None
        self.problem: str | None = None
        self.criteria: list[Any] = []
        self.verdict: str | None = None
        self.outside: list[tuple[str, float, float, float]] = []
        self.timing: dict[str, float] = {}
        self.widgets: dict[str, Any] = {}
        self.elements: dict[str, list[Any]] = {}
        self.sliders: dict[str, Any] = {}
        self._slider_shown: dict[str, float] = {}  # the value each slider was last given (on its grid, within its span)
        self.readouts: dict[str, Any] = {}
        self.messages: dict[str, Any] = {}
        self._labels: dict[str, Any] = {}
        #: the model's value of each input (rupiah, fractions, ...): what the fields show, in the unit typed
        self._values: dict[str, Any] = {}
        self._scales: dict[str, float] = {}
        #: refused entries by field (``path`` or ``path[i]``): the message shown under the input
        self.refused: dict[str, str] = {}
        #: undo and redo: the inputs changed (overrides) before each change
        self._history: list[dict[str, Any]] = []
        self._future: list[dict[str, Any]] = []
        self._last_edit: tuple[str | None, float] = (None, 0.0)
        #: panels that follow the inputs (compare, goal seek, annual table, Monte Carlo): called after each recomputation
        self._listeners: list[Any] = []
        self._choices: dict[str, Path] = {}
        self._build()
        # the first charts are drawn now, in the cell that creates the studio: a page (Voila) that
        # fetches the widgets' state while a background drawing arrives could miss that update
        self._on_change(None, draw_now=True)
        if self.draw_charts:
            self._charts.warm()  # the worker processes start meanwhile

    # -- public API -----------------------------------------------------------

    def set(self, path: str, value: Any) -> None:
        """Set an input as a person would (the cards and charts follow).

        Raises
        ------
        KeyError
            When the studio has no input for ``path``.
        ValueError
            When the value is outside what the quantity allows.
        """
        if path not in self.widgets:
            raise KeyError(f"{path}: not an input of the studio (inputs: see studio.widgets)")
        q = self.case.quantity_map()[path]
        lo, hi = limits(self.case, path, q)
        if not q.is_list:
            v = float(value)
            if not (lo <= v <= hi) or not math.isfinite(v):
                raise ValueError(f"{path}: must be {rule_text(self.case, path, q)}, got {value!r}")
            self._change({path: v}, path)
            return
        vals = [float(v) for v in value]
        if len(vals) != len(q.value):
            raise ValueError(f"{path}: needs {len(q.value)} numbers, got {len(vals)}")
        bad = [v for v in vals if not (lo <= v <= hi) or not math.isfinite(v)]
        if bad:
            raise ValueError(f"{path}: must be {type(q).rule()}, got {bad}")
        self._change({path: vals}, path)

    def enter(self, path: str, text: str, index: int | None = None) -> str | None:
        """Type ``text`` into an input's field as a person would (in the studio's language, in the field's unit).

        Returns
        -------
        str or None
            The message when the entry is refused (the model keeps the
            previous value), else None.
        """
        w = self.elements[path][index] if index is not None else self.widgets[path]
        self._syncing = True
        try:
            w.value = text
        finally:
            self._syncing = False
        self._on_text(path, index)
        return self.refused.get(path if index is None else f"{path}[{index}]")

    def value(self, path: str) -> Any:
        """The current value of an input in the model's unit (a float, or a list for a list quantity)."""
        v = self._values[path]
        return list(v) if isinstance(v, list) else float(v)

    def overrides(self) -> dict[str, Any]:
        """The inputs that differ from the studio's case, by quantity path (for :func:`feasibility.run`)."""
        out: dict[str, Any] = {}
        qmap = self.case.quantity_map()
        for path in self.widgets:
            v = self.value(path)
            old = qmap[path].value
            if (isinstance(v, list) and [float(x) for x in old] != v) or (not isinstance(v, list) and float(old) != v):
                out[path] = v
        return out

    def _case_value(self, path: str) -> Any:
        q = self.case.quantity_map()[path]
        return [float(x) for x in q.value] if q.is_list else float(q.value)

    def undo(self) -> bool:
        """Back to the inputs before the last change (False when there is nothing to undo)."""
        if not self._history:
            return False
        self._future.append(self.overrides())
        self._show_all(self._history.pop())
        return True

    def redo(self) -> bool:
        """The change undone last, again (False when there is nothing to redo)."""
        if not self._future:
            return False
        self._history.append(self.overrides())
        self._show_all(self._future.pop())
        return True

    def apply_scenario(self, name: str | None) -> list[str]:
        """The inputs of a named scenario of the case (``None``: the case file's values), as one change (undoable).

        Returns
        -------
        list of str
            The scenario's paths that are not inputs of the studio (left as in the case).

        Raises
        ------
        KeyError
            For a scenario the case does not have.
        """
        wanted = self.case.scenario(name) if name is not None else {}
        skipped = [p for p in wanted if p not in self.widgets]
        values = {p: self._case_value(p) for p in self.widgets}
        values.update({p: ([float(x) for x in v] if isinstance(v, list) else float(v)) for p, v in wanted.items() if p in self.widgets})
        self._change(values, None)
        return skipped

    def current_data(self) -> dict[str, Any]:
        """The current assumptions as case data, changed values with their studio provenance."""
        return apply_changes(self.case, self.overrides())

    def _base_dir(self) -> Path:
        """The folder the case's relative paths (forecast histories) start from."""
        return self.case_path.parent if self.case_path is not None else _export.ROOT

    def current_case(self) -> Case:
        """The current assumptions as a validated case (the studio's case when nothing changed)."""
        if not self.overrides():
            return self.case
        return parse_case(self.current_data(), "studio", base_dir=self._base_dir())

    def current_text(self) -> str:
        """The TOML text of the current assumptions (the case file's own text when nothing changed)."""
        if not self.overrides() and self.case_path is not None and self.case_path.exists():
            return case_text(self.case_path)  # a variant file: the complete case it stands for
        return case_toml(self.current_data(), header=self._header(len(self.overrides())))

    def differences(self) -> pd.DataFrame:
        """The current assumptions against the base case (path, base value, this value, unit)."""
        return differences(self.base, self.case, self.overrides())

    def recompute(self) -> None:
        """Recompute the cards now and ask for the charts (as any change does)."""
        self._on_change(None)

    def wait_charts(self, timeout: float | None = 30) -> bool:
        """Wait until the charts show the current inputs; False on timeout."""
        return self._charts.wait(self._gen, timeout)

    def reset(self) -> None:
        """Every input back to the studio's case (one change: undo brings the inputs back)."""
        self._change({p: self._case_value(p) for p in self.widgets}, None)

    def load(self, path: str | Path) -> Case:
        """Make a case file the studio's case: new inputs, cards, charts and differences from the base.

        ``path`` is a label of the load box (the default case is listed by
        name) or a path as a person types it.
        """
        case, p = as_case(self._choices.get(str(path), path))
        self.case, self.case_path = case, p
        self._set_root(case)
        self._build_inputs()
        self._on_change(None)
        self.save_path.value = suggest_scenario(self.case_path, self.save_dir).name
        self.export_iterations.value = int(case.risk.iterations)
        self._refresh_choices()
        return case

    def save(self, path: str | Path | None = None, *, overwrite: bool | None = None, full: bool | None = None) -> Path:
        """Save the current assumptions as a case file; it becomes the studio's case.

        By default the file is a variant (:func:`feasibility.case.edit.save_variant`):
        the studio's case file as its base and the changed values with their
        history, a few lines that later fixes of the base reach. ``full`` (the
        "full copy" box) writes the complete case instead, as does saving an
        option of the long list or a case that has no file.

        ``path`` defaults to the name in the "Save as" field, a plain file name
        in :attr:`save_dir` (``.toml`` added; :func:`~feasibility.studio.files.plain_name`):
        what a person types there never reaches another folder. A ``path``
        given in code is a path as usual. ``overwrite`` defaults to the
        "replace the file if it exists" box (which is cleared afterwards: each
        replacement is a choice). Saving again to the same name therefore
        needs the box ticked again.

        Raises
        ------
        FileExistsError, feasibility.case.CaseError, feasibility._files.PackageFolderError
            As :func:`feasibility.case.edit.save_case`.
        feasibility.studio.files.FileNameError
            The "Save as" field does not hold a plain file name.
        """
        if path is None:
            target = confined_target(self.save_dir, self.save_path.value, ".toml")
            target.parent.mkdir(parents=True, exist_ok=True)
        else:
            target = _export.resolve_path(path)
        ow = bool(self.overwrite.value) if overwrite is None else bool(overwrite)
        n = len(self.overrides())
        copy = bool(self.save_full.value) if full is None else bool(full)
        # a variant saved over its own case file (or a file that one builds on) would loop: the inputs go in full
        if copy or self.option_key is not None or self.case_path is None or target.resolve() in variant_chain(self.case_path):
            written = save_case(self.current_data(), target, overwrite=ow, base_dir=self._base_dir(), header=self._header(n))
        else:
            written = save_variant(self.case_path, self.overrides(), target, overwrite=ow, header=self._header(n, variant=True))
        self.overwrite.value = False
        # the saved file is now the studio's case: the report embeds its exact text; undo starts again from it
        self.case, self.case_path = load_case(written), written
        self._history.clear()
        self._future.clear()
        if self.option_key is not None:  # an option saved as a case of its own: it is the root now, with no long list
            self._set_root(self.case)
            self._build_inputs()
        else:
            self.root = self.case
            self._rebind_inputs()
        self._on_change(None)
        self._refresh_choices()
        return written

    def export(
        self,
        path: str | Path | None = None,
        *,
        lang: str | None = None,
        iterations: int | None = None,
        overwrite: bool | None = None,
    ) -> Path:
        """Write the council report of the current assumptions (:func:`feasibility.present.export.export_report`).

        The file is the name in the "Report file" field, a plain file name in
        :attr:`reports_dir` (``.html`` added), by default ``<case file>.<lang>.html``
        (``<case file>_studio`` while changes are unsaved). A ``path`` given in
        code is a path as usual.
        """
        lang = lang or self.export_lang.value
        iterations = int(iterations if iterations is not None else self.export_iterations.value)
        ow = bool(self.export_overwrite.value) if overwrite is None else bool(overwrite)
        if path is not None:
            target = _export.resolve_path(path)
        else:
            stem = self.case_path.stem if self.case_path is not None else "case"
            if self.overrides():  # unsaved changes: not the report of the case file
                stem += "_studio"
            target = confined_target(self.reports_dir, self.export_path.value.strip() or f"{stem}.{lang}.html", ".html")
            target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists() and not ow:
            raise FileExistsError(f"{target} exists; pass overwrite=True to replace it")
        return _export.export_report(self.current_case(), lang=lang, iterations=iterations, output=target, overwrite=ow,
                                     case_text=self.current_text(), base_dir=self._base_dir() if self.case_path is not None else None)

    def close(self) -> None:
        """Stop the chart thread and close the studio's widgets."""
        self._charts.close()
        close_tree(self.ui)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.ui._repr_mimebundle_(**kwargs)

    # -- building -------------------------------------------------------------

    def _build(self) -> None:
        W = self._W
        self.title = W.HTML()
        self.cards = {k: W.HTML(layout=W.Layout(flex="2 1 380px" if k == "verdict" else "1 1 170px", min_width="160px"))
                      for k in CARDS}
        for k, w in self.cards.items():
            w.add_class("fs-card")
            w.add_class(f"fs-card-{k}")
        self.status = W.HTML()
        self.status.add_class("fs-status")
        self.charts = {k: W.HTML(f'<div style="color:#777;padding:2em">{html.escape(self.t["drawing"])}</div>',
                                 layout=W.Layout(width="100%")) for k in CHARTS}
        for k, w in self.charts.items():
            w.add_class("fs-chart")
            w.add_class(f"fs-chart-{k}")
        self.tabs = W.Tab(layout=W.Layout(flex="1 1 460px", min_width="380px"))
        self.tabs.add_class("fs-tabs")
        self._build_inputs()
        chart_grid = W.GridBox(
            list(self.charts.values()),
            # one chart a row, 640-760 px wide: a chart drawn 16 cm wide (453 px) with 8 pt text is scaled by 1.4-1.7, so its
            # text reads at 11-13 px (two columns of ~380 px at 1600 px wide shrank it to 6-7 px)
            layout=W.Layout(grid_template_columns="repeat(auto-fill, minmax(min(100%, 640px), 760px))", grid_gap="6px",
                            flex="1 1 560px", min_width="360px"),
        )
        self.chart_grid = chart_grid
        if not self.draw_charts:
            chart_grid.layout.display = "none"
        from .tools import Workbench

        scenario = self._build_scenario()
        toolbar = self._build_toolbar()
        self.workbench = Workbench(self, scenario)
        self.ui = W.VBox(
            [
                self.title,
                W.HBox(list(self.cards.values()), layout=W.Layout(flex_flow="row wrap", align_items="stretch", grid_gap="6px", width="100%")),
                self.status,
                self._build_options(),
                toolbar,
                W.HBox([self.tabs, chart_grid], layout=W.Layout(flex_flow="row wrap", align_items="flex-start", width="100%")),
                self.workbench.ui,
            ],
            layout=W.Layout(width="100%"),
        )
        self.ui.add_class("fs-studio")

    def _build_toolbar(self) -> Any:
        """Undo, redo, reset, and the case's named scenarios."""
        W, t = self._W, self.t
        self.undo_button = W.Button(description=t["undo_button"], icon="undo", disabled=True, layout=W.Layout(width="auto"))
        self.redo_button = W.Button(description=t["redo_button"], icon="repeat", disabled=True, layout=W.Layout(width="auto"))
        self.reset_button = W.Button(description=t["reset_button"], icon="refresh", layout=W.Layout(width="auto"))
        self.scenario_choice = W.Dropdown(options=self._scenario_choices(), value="", description=t["scenario_label"],
                                          style={"description_width": "80px"}, layout=W.Layout(width="360px"))
        self.scenario_note = W.HTML()
        for w, k in ((self.undo_button, "undo"), (self.redo_button, "redo"), (self.reset_button, "reset"), (self.scenario_choice, "scenario"),
                     (self.scenario_note, "scenario-note")):
            w.add_class(f"fs-{k}")
        self.undo_button.on_click(lambda _b: self.undo())
        self.redo_button.on_click(lambda _b: self.redo())
        self.reset_button.on_click(lambda _b: self.reset())
        self.scenario_choice.observe(lambda ch: None if self._syncing else self._on_scenario(ch["new"]), "value")
        row = W.HBox([self.scenario_choice, self.undo_button, self.redo_button, self.reset_button],
                     layout=W.Layout(flex_flow="row wrap", align_items="center", grid_gap="4px 8px"))
        return W.VBox([row, self.scenario_note])

    def _scenario_choices(self) -> list[tuple[str, str]]:
        return [(self.t["scenario_base"], "")] + [(in_lang(sc.label, self.lang) if sc.label else k, k) for k, sc in self.case.scenarios.items()]

    def _on_scenario(self, key: str) -> None:
        skipped = self.apply_scenario(key or None)
        if not key:
            self.scenario_note.value = ""
            return
        qmap = self.case.quantity_map()
        items = [f"{person_label(self.case, p, self.lang)} = {show_value(self.fmt, v, qmap[p].unit)}"
                 for p, v in self.case.scenario(key).items() if p in self.widgets and not isinstance(v, list)]
        label = {k: lab for lab, k in self._scenario_choices()}[key]
        text = self.t["scenario_applied"].format(label=label, items="; ".join(items))
        if skipped:
            text += " " + self.t["scenario_skipped"].format(items=", ".join(skipped))
        self.scenario_note.value = _coloured(text, "#444", "12px")

    def _build_scenario(self) -> Any:
        """The scenario and report controls: save, load, reset, export, and the differences table."""
        W, t = self._W, self.t
        label = {"description_width": "130px"}
        self.save_path = W.Text(value=suggest_scenario(self.case_path, self.save_dir).name, placeholder=t["save_placeholder"],
                                description=t["save_path"], layout=W.Layout(width="520px"), style=label)
        self.overwrite = W.Checkbox(value=False, description=t["overwrite_save"], indent=False, layout=W.Layout(width="auto"))
        self.save_full = W.Checkbox(value=False, description=t["save_full"], indent=False, layout=W.Layout(width="auto"))
        self.save_button = W.Button(description=t["save_button"], icon="save", button_style="primary", layout=W.Layout(width="auto"))
        self.save_status = W.HTML()
        self.load_path = W.Combobox(value="", placeholder=t["load_placeholder"], description=t["load_path"],
                                    ensure_option=False, layout=W.Layout(width="520px"), style=label)
        self._refresh_choices()
        self.load_button = W.Button(description=t["load_button"], icon="folder-open", layout=W.Layout(width="auto"))
        self.load_status = W.HTML()
        self.diff = W.HTML()
        self.diff.add_class("fs-diff")
        self.export_lang = W.Dropdown(options=[("Bahasa Indonesia", "id"), ("English", "en")], value="id", description=t["export_lang"],
                                      style=label, layout=W.Layout(width="330px"))
        self.export_iterations = W.BoundedIntText(value=int(self.case.risk.iterations), min=ITERATIONS_MIN, max=ITERATIONS_MAX, step=1000,
                                                  description=t["export_iterations"], style={"description_width": "170px"},
                                                  layout=W.Layout(width="300px"))
        self.export_path = W.Text(value="", placeholder=t["export_placeholder"], description=t["export_path"],
                                  layout=W.Layout(width="520px"), style=label)
        self.export_button = W.Button(description=t["export_button"], icon="file-text", button_style="success", layout=W.Layout(width="auto"))
        self.export_overwrite = W.Checkbox(value=False, description=t["overwrite_export"], indent=False, layout=W.Layout(width="auto"))
        self.export_status = W.HTML()
        self.export_link = W.HTML()
        for w, k in ((self.save_path, "save-path"), (self.save_button, "save"), (self.overwrite, "overwrite"), (self.save_full, "save-full"),
                     (self.save_status, "save-status"),
                     (self.load_path, "load-path"), (self.load_button, "load"), (self.load_status, "load-status"),
                     (self.export_path, "export-path"), (self.export_button, "export"), (self.export_iterations, "export-iterations"), (self.export_overwrite, "export-overwrite"),
                     (self.export_status, "export-status"), (self.export_link, "export-link")):
            w.add_class(f"fs-{k}")
        self.save_button.on_click(lambda _b: self._on_save())
        self.load_button.on_click(lambda _b: self._on_load())
        self.export_button.on_click(lambda _b: self._on_export())
        row = W.Layout(flex_flow="row wrap", align_items="center", grid_gap="4px 8px")
        self.save_where = W.HTML(_coloured(t["save_where"].format(folder=str(self.save_dir)), "#555", "12px"))
        self.save_where.add_class("fs-save-where")
        self.export_where = W.HTML(_coloured(t["export_where"].format(folder=str(self.reports_dir)), "#555", "12px"))
        self.export_where.add_class("fs-export-where")
        files = W.VBox([
            W.HBox([self.save_path, self.save_button, self.overwrite, self.save_full], layout=row),
            self.save_where,
            self.save_status,
            W.HBox([self.load_path, self.load_button], layout=row),
            self.load_status,
            self.diff,
        ])
        export = W.VBox([
            W.HBox([self.export_lang, self.export_iterations], layout=row),
            W.HBox([self.export_path, self.export_button, self.export_overwrite], layout=row),
            self.export_where,
            self.export_status,
            self.export_link,
        ])
        return files, export

    def _set_root(self, case: Case) -> None:
        """A new file's case (loaded or saved): its long list in the option box, its own plan shown."""
        self.root, self.option_key, self.appraisal = case, None, None
        self._syncing = True
        try:
            self.option_choice.options = self._option_choices()
            self.option_choice.value = ""
        finally:
            self._syncing = False
        self.options_box.layout.display = "flex" if case.options else "none"
        self.option_note.value = self.compare_table.value = ""

    def _option_choices(self) -> list[tuple[str, str]]:
        """The options of the long list for the dropdown: the file's own plan first (value ""), then each option."""
        name = self.case_path.name if self.case_path is not None else in_lang(self.root.case.name, self.lang)
        return [(self.t["opt_plan"].format(name=name), "")] + [(in_lang(o.label, self.lang), k) for k, o in self.root.options.items()]

    def _build_options(self) -> Any:
        """The long list: which option the inputs, cards and charts show, and the comparison of them all."""
        W, t = self._W, self.t
        self.option_choice = W.Dropdown(options=self._option_choices(), value="", description=t["opt_active"],
                                        style={"description_width": "130px"}, layout=W.Layout(width="640px"))
        self.option_choice.add_class("fs-option")
        self.option_choice.observe(lambda ch: None if self._syncing else self.use_option(ch["new"] or None), "value")
        self.compare_button = W.Button(description=t["opt_compare_button"], icon="table", layout=W.Layout(width="auto"))
        self.compare_button.add_class("fs-compare")
        self.compare_button.on_click(lambda _b: self._on_compare())
        self.option_note = W.HTML()
        self.option_note.add_class("fs-option-note")
        self.compare_table = W.HTML()
        self.compare_table.add_class("fs-compare-table")
        self.options_box = W.VBox([
            W.HBox([self.option_choice, self.compare_button], layout=W.Layout(flex_flow="row wrap", align_items="center", grid_gap="4px 8px")),
            self.option_note,
            self.compare_table,
        ], layout=W.Layout(width="100%", display="flex" if self.root.options else "none"))
        return self.options_box

    def use_option(self, key: str | None) -> Case:
        """Make an option of the long list (``None``: the file's own plan) the studio's case.

        Its inputs, cards and charts replace the current ones; the inputs you
        changed keep their values where the option has the same input, and the
        note under the option box names those it does not have (they are not
        kept). The differences table then compares with the option's own values.

        Raises
        ------
        KeyError
            ``key`` is not an option of the file's case.
        """
        if key is not None and key not in self.root.options:
            raise KeyError(f"option {key!r}: not in the case (options: {', '.join(self.root.options) or 'none'})")
        changed = self.overrides()
        names = {p: short_label(self.case, p, self.lang) for p in changed}  # in the words of the case they were changed in
        case = self.root if key is None else self.root.option(key)
        self.case, self.base, self.option_key = case, case, key
        self._syncing = True
        try:
            self.option_choice.value = key or ""
        finally:
            self._syncing = False
        self._build_inputs()
        kept = {p: v for p, v in changed.items() if p in self.widgets}
        for p, v in kept.items():
            self._values[p] = list(v) if isinstance(v, list) else float(v)
            self._sync(p)
        self._history.clear()  # another plan: its own inputs, nothing of the last plan's to undo
        self._future.clear()
        self._on_change(None)
        self.option_note.value = self._option_note(key, kept, [names[p] for p in changed if p not in kept])
        return case

    def _option_note(self, key: str | None, kept: Mapping[str, Any], dropped: list[str]) -> str:
        t, parts = self.t, []
        opt = self.root.options.get(key) if key is not None else None
        if opt is not None:
            parts.append(html.escape(in_lang(opt.description, self.lang)))
            if opt.go_ahead is not None:
                other = in_lang(self.root.options[opt.go_ahead.otherwise].label, self.lang)
                parts.append(html.escape(t["opt_go_ahead"].format(need=self.fmt.number(opt.go_ahead.committed_cargo_tonnes_per_year.value),
                                                                  otherwise=other)))
            if opt.baseline:
                parts.append(html.escape(t["opt_baseline"]))
        if kept:
            parts.append(html.escape(t["opt_kept"].format(n=len(kept))))
        out = "".join(f"<div style='font-size:12px;color:#444;margin:2px 0'>{p}</div>" for p in parts)
        if dropped:
            items = ", ".join(dropped)
            out += _coloured(t["opt_dropped"].format(items=items), "#B3261E", "12px")
        return out

    def comparison_case(self) -> Case:
        """The file's case with the inputs you changed that the file holds (the case every option derives from)."""
        every = dict(self.root.quantities(all_lines=True))
        changes = {p: v for p, v in self.overrides().items() if p in every}
        if not changes:
            return self.root
        return parse_case(apply_changes(self.root, changes), "studio", base_dir=self._base_dir())

    def compare_options(self, iterations: int | None = None) -> Any:
        """Appraise every option of the long list (:func:`feasibility.analysis.options.appraise`) and show the table."""
        from ..analysis.options import appraise

        base = self.comparison_case()
        t0 = time.perf_counter()
        ap = appraise(base, iterations=iterations)
        self.appraisal = ap
        self.compare_table.value = comparison_html(ap, self.lang, len(self.overrides()) if base is not self.root else 0,
                                                   time.perf_counter() - t0)
        return ap

    def _on_compare(self) -> None:
        self.compare_button.disabled = True
        self.compare_table.value = _coloured(self.t["opt_comparing"], "#555", "12px")
        try:
            self.compare_options()
        except CaseError as exc:
            items = "".join(f"<li>{html.escape(str(p))}</li>" for p in exc.problems)
            self.compare_table.value = f"<div style='color:#B3261E'>{html.escape(self.t['opt_invalid'])}<ul>{items}</ul></div>"
        except Exception as exc:  # noqa: BLE001 - shown to the consultant, as the export does
            self.compare_table.value = _bad(self.t["opt_failed"].format(msg=exc))
        finally:
            self.compare_button.disabled = False

    def _refresh_choices(self) -> None:
        """The load box lists the default case and the project folder's case files."""
        self._choices = load_choices(self.case_path, self.lang)
        self.load_path.options = list(self._choices)

    def _build_inputs(self) -> None:
        """The input tabs of the studio's case (again after a case is loaded)."""
        W = self._W
        for d in (self.widgets, self.elements, self.sliders, self.readouts, self.messages, self._labels, self._values, self._scales,
                  self.refused):
            d.clear()
        self._history.clear()
        self._future.clear()
        self._metric_keys = card_metrics(self.case)
        groups: dict[str, dict[str, list[Any]]] = {tab: {} for tab in TABS}
        lines = set(self.case.lines())
        # the business lines' own inputs first (a capex tab opens on the port's capex, not on asset lives), then case order
        ordered = sorted(self.case.quantities(), key=lambda pq: pq[0].split(".", 1)[0] not in lines)
        # the numbers the model reads for this plan (a public service unit has no BUMD allocation or loans); [ppp] for the PPP test
        read = read_paths(self.case)
        for path, q in ordered:
            tab = tab_of(path)
            if tab is not None and (path in read or path.startswith("ppp.")):
                groups[tab].setdefault(group_title(self.case, path, self.lang), []).append(self._input_row(path, q))
        children = []
        for tab in TABS:
            blocks = []
            for title, rows in groups[tab].items():
                blocks.append(W.HTML(f"<div class='fs-group' style='font-weight:600;margin:10px 0 2px;border-bottom:1px solid #ddd;"
                                     f"line-height:1.35'>{html.escape(title)}</div>", layout=W.Layout(width="100%", flex="0 0 auto")))
                blocks += rows
            box = W.VBox(blocks, layout=W.Layout(max_height="620px", overflow="auto", padding="0 6px 0 0"))
            box.add_class("fs-tab")
            box.add_class(f"fs-tab-{tab}")
            children.append(box)
        old = list(self.tabs.children)
        self.tabs.children = children
        for i, tab in enumerate(TABS):
            self.tabs.set_title(i, self.t[f"tab_{tab}"])
        for box in old:
            close_tree(box)
        if hasattr(self, "workbench"):  # a case loaded or an option shown: its scenarios, inputs and variants
            self._syncing = True
            try:
                self.scenario_choice.options = self._scenario_choices()
                self.scenario_choice.value = ""
            finally:
                self._syncing = False
            self.scenario_note.value = ""
            self.workbench.rebuild()
        self.title.value = (
            PAGE_STYLE + f"<h2 style='margin:4px 0'>{html.escape(in_lang(self.case.case.name, self.lang))}</h2>"
            f"<div style='color:#555;font-size:12px'>{html.escape(case_name(self.case, self.case_path, self.lang))}{self._option_suffix()}</div>"
        )

    def _option_suffix(self) -> str:
        """`` · Option shown: <label>`` while an option of the long list, not the file's own plan, is shown."""
        if self.option_key is None:
            return ""
        return html.escape(f" \u00b7 {self.t['opt_active']}: {in_lang(self.root.options[self.option_key].label, self.lang)}")

    def _input_row(self, path: str, q: Quantity) -> Any:
        """One input: its label (with a tooltip), slider and text field (or list of fields), and a readout."""
        W = self._W
        lo, hi = limits(self.case, path, q)
        label = W.HTML(layout=W.Layout(width="100%"))
        self._labels[path] = label
        self._label_html(path, q)
        # a readout as wide as most values: the text fields of a tab line up
        readout = W.HTML(layout=W.Layout(flex="0 1 auto", min_width="128px"))
        self.readouts[path] = readout
        message = W.HTML()
        message.add_class("fs-message")
        self.messages[path] = message
        cls = css_name(path)
        scale = self._scales[path] = entry_scale(q)
        self._values[path] = self._case_value(path)
        if q.is_list:
            elems = []
            shown = [format_entry(v, self.lang, scale) for v in q.value]
            # wide enough for the longest value as typed, 8 px a character
            width = min(max(64, 8 * max(len(x) for x in shown) + 32), 170)
            for i, x in enumerate(shown):
                # a text field, committed on Enter or leaving it: read in the studio's language, refused (never clamped) out of range
                w = W.Text(value=x, continuous_update=False, layout=W.Layout(width=f"{width}px"))
                w.observe(lambda ch, p=path, i=i: self._on_text(p, i), names="value")
                elems.append(w)
            box = W.HBox(elems, layout=W.Layout(flex_flow="row wrap", flex="0 1 auto"))
            box.add_class("fs-input")
            box.add_class(cls)
            self.widgets[path] = box
            self.elements[path] = elems
            controls = [box]
        else:
            controls = self._scalar_controls(path, q, lo, hi, cls)
        # flex "0 0 auto": in a tab taller than its 620 px a row keeps its height (the tab scrolls), never squeezed
        return W.VBox([label, W.HBox(controls + [readout], layout=W.Layout(align_items="center", width="100%")), message],
                      layout=W.Layout(margin="2px 0 4px 0", flex="0 0 auto"))

    def _scalar_controls(self, path: str, q: Quantity, lo: float, hi: float, cls: str) -> list[Any]:
        """A slider over the plausible range (when there is one) and the text field of a single number."""
        W = self._W
        text = W.Text(value=format_entry(float(q.value), self.lang, self._scales[path]), continuous_update=False,
                      layout=W.Layout(width="150px", flex="0 0 auto"))
        text.add_class("fs-input")
        text.add_class(cls)
        text.observe(lambda ch, p=path: self._on_text(p, None), names="value")
        self.widgets[path] = text
        controls = []
        span = slider_range(self.case, path, q)
        if span is not None:
            s_lo, s_hi, step = slider_grid(float(q.value), *span)
            slider = W.FloatSlider(value=float(q.value), min=s_lo, max=s_hi, step=step, readout=False,
                                   continuous_update=True, layout=W.Layout(flex="1 1 160px", min_width="120px"))
            slider.add_class("fs-slider")
            slider.add_class(cls)
            slider.observe(lambda ch, p=path: self._on_slider(p), names="value")
            self.sliders[path] = slider
            self._slider_shown[path] = float(slider.value)
            controls.append(slider)
        controls.append(text)
        return controls

    def _label_html(self, path: str, q: Quantity) -> None:
        """An input's label: its description and unit in the studio's language; provenance in the tooltip."""
        desc = input_label(self.case, path, self.lang)
        desc = desc[:1].upper() + desc[1:]  # a label starts a line: a capital, as a person writes it
        tip = tooltip(self.case, path, q, self.lang)
        unit = entry_unit(q, self.lang, self._scales.get(path, entry_scale(q)))
        self._labels[path].value = (
            f"<span title='{html.escape(tip, quote=True)}' style='font-size:12px'>{html.escape(desc)} "
            f"<span style='color:#666'>[{html.escape(unit)}]</span></span>"
        )

    def _rebind_inputs(self) -> None:
        """After saving: the inputs stay, their provenance tooltips follow the saved case."""
        for path, q in self.case.quantity_map().items():
            if path in self._labels:
                self._label_html(path, q)

    def _header(self, n: int, *, variant: bool = False) -> str:
        src = case_name(self.case, self.case_path, "en")
        what = "Variant" if variant else "Case"
        return (
            f"{what} saved by the feasibility studio on {_dt.date.today().isoformat()} from {src}; "
            f"{n} value(s) changed there (source = \"studio: ...\").\nValidate with: feasibility validate <this file>"
        )

    # -- reacting -------------------------------------------------------------

    def _sync(self, path: str) -> None:
        """An input's fields and slider show its value (without reacting to their own change)."""
        v, scale = self._values[path], self._scales[path]
        self._syncing = True
        try:
            fields = self.elements.get(path) or [self.widgets[path]]
            for w, x in zip(fields, v if isinstance(v, list) else [v]):
                w.value = format_entry(x, self.lang, scale)
                w.remove_class("fs-invalid")
            for key in [k for k in self.refused if k == path or k.startswith(f"{path}[")]:
                del self.refused[key]
            s = self.sliders.get(path)
            if s is not None:
                # the slider keeps its span and grid: a value outside is shown at the nearer end, a value off the grid
                # at the nearest step. Changing the span instead made the browser snap the value it held to the new
                # grid and send it back as a move (a scenario's 0.1667 became 0.3327).
                shown = on_grid(float(v), float(s.min), float(s.max), float(s.step))
                if float(s.value) != shown:
                    s.value = shown
                self._slider_shown[path] = shown
        finally:
            self._syncing = False

    def _change(self, values: Mapping[str, Any], path: str | None, *, coalesce: bool = False) -> None:
        """New values of inputs as one change: recorded for undo, fields synced, cards recomputed.

        ``coalesce``: a slider dragged sends many values; the moves of one input
        within two seconds are one change to undo.
        """
        before = self.overrides()
        for p, v in values.items():
            self._values[p] = list(v) if isinstance(v, list) else float(v)
            self._sync(p)
        if self.overrides() != before:
            now = time.monotonic()
            last_path, last_time = self._last_edit
            if not (coalesce and path is not None and last_path == path and now - last_time < 2.0 and self._history):
                self._history.append(before)
            self._future.clear()
            self._last_edit = (path if coalesce else None, now)
        if not self._quiet:
            self._on_change(path)

    def _show_all(self, over: Mapping[str, Any]) -> None:
        """Every input at the case's value but those in ``over`` (undo, redo), then the cards."""
        for p in self.widgets:
            v = over.get(p, self._case_value(p))
            self._values[p] = list(v) if isinstance(v, list) else float(v)
            self._sync(p)
        self._on_change(None)

    def _on_slider(self, path: str) -> None:
        """A slider moved: the text field follows, then the cards."""
        if self._syncing:
            return  # the text field moved the slider
        slider = self.sliders[path]
        v = clean_float(float(slider.value))
        if abs(v - self._slider_shown.get(path, float(self._values[path]))) <= 0.5 * float(slider.step) * (1 + 1e-9):
            # the value it was given, as the browser rounds it to its grid: not a move; a drag moves a whole step
            return
        self._slider_shown[path] = v
        lo, hi = limits(self.case, path, self.case.quantity_map()[path])
        self._change({path: min(max(v, lo), hi)}, path, coalesce=True)

    def _on_text(self, path: str, index: int | None) -> None:
        """A field committed (Enter, or leaving it): read in the studio's language; refused with a message, or applied."""
        if self._syncing:
            return
        q = self.case.quantity_map()[path]
        w = self.elements[path][index] if index is not None else self.widgets[path]
        key = path if index is None else f"{path}[{index}]"
        try:
            x = check_entry(self.case, path, q, str(w.value), self.lang)
        except EntryError as exc:
            self.refused[key] = str(exc)
            w.add_class("fs-invalid")
            self._mark(path, self.overrides())
            self._update_status(self.overrides(), self.timing.get("cards", 0.0))
            return
        self.refused.pop(key, None)
        w.remove_class("fs-invalid")
        if index is None:
            new: Any = x
        else:
            new = list(self._values[path])
            new[index] = x
        if new == self._values[path]:
            self._sync(path)  # the same value written another way (71000 for 71.000): shown as the studio writes it
            self._mark(path, self.overrides())
            self._update_status(self.overrides(), self.timing.get("cards", 0.0))
            return
        self._change({path: new}, path)

    def _on_change(self, path: str | None, *, draw_now: bool = False) -> None:
        """Recompute the cards of the current inputs now, then the charts (in the background unless ``draw_now``)."""
        t0 = time.perf_counter()
        self._gen += 1
        gen = self._gen
        over = self.overrides()
        for p in self.widgets if path is None else [path]:
            self._mark(p, over)
        try:
            res = run(self.case, over, metrics=self._metric_keys)
        except (ValueError, KeyError) as exc:
            self.problem = str(exc)
            self.status.value = _bad(self.t["problem"].format(msg=exc))
            self._charts.skip(gen)  # nothing to draw
            return
        self.problem = None
        self.result = res
        self.metrics = {**{k: math.nan for k in CARD_METRICS}, **res.metrics}
        self._update_cards(res, over)
        t1 = time.perf_counter()
        self.timing = {"gen": gen, "start": t0, "cards": t1 - t0}
        self._update_status(over, t1 - t0)
        if not self.draw_charts:
            self._charts.skip(gen)
            self._update_diff()
            for listener in self._listeners:
                listener()
            return
        specs = chart_specs(self.case, res, self.lang)
        if draw_now:
            self._apply_charts(gen, {k: draw(spec) for k, spec in specs.items()})
            self._charts.skip(gen)
        else:
            self._charts.request(gen, specs)
        self._update_diff()
        for listener in self._listeners:
            listener()

    def _update_cards(self, res: Result, over: Mapping[str, Any]) -> None:
        """The metric cards (registry hurdles) and the verdict card (the council report's criteria)."""
        for k, v in metric_cards(self.case, res, self.lang).items():
            self.cards[k].value = v
        self.outside = outside_plausible(self.case, over)
        card = verdict_card(self.case, res.metrics, self.outside, self.lang)
        self.criteria, self.verdict = card.criteria, card.verdict
        self.cards["verdict"].value = card.html

    def _update_status(self, over: Mapping[str, Any], seconds: float) -> None:
        name = case_name(self.case, self.case_path, self.lang)
        msg = self.t["changed"].format(n=len(over), name=name) if over else self.t["unchanged"].format(name=name)
        took = self.t["updated"].format(ms=round(seconds * 1000))
        problems = self._live_problems(over)
        if self.refused:
            problems.insert(0, self.t["entry_refused"].format(n=len(self.refused)))
        self.status.value = (
            f"<div style='font-size:12px;color:#444'>{html.escape(msg)} \u00b7 <span style='color:#777'>{html.escape(took)}</span></div>"
            + "".join(_coloured(p, "#B3261E", "12px") for p in problems)
        )
        self.undo_button.disabled = not self._history
        self.redo_button.disabled = not self._future

    def _mark(self, path: str, over: Mapping[str, Any]) -> None:
        """An input's readout: its value in a person's words, red with a dot when changed."""
        q = self.case.quantity_map()[path]
        v = over.get(path, q.value)
        # a scaled money field (miliar) shows the whole rupiah beside it; other values in a person's words
        one = (lambda x: self.fmt.money_exact(x)) if self._scales.get(path, 1.0) != 1.0 else (lambda x: show_value(self.fmt, x, q.unit))
        shown = ", ".join(one(x) for x in v) if isinstance(v, list) else one(v)
        colour, dot = ("#B3261E", "\u25cf ") if path in over else ("#555", "")
        wrap = "normal" if q.is_list else "nowrap"  # a list's values may take two lines; a single value never breaks
        self.readouts[path].value = (f"<span style='font-size:12px;color:{colour};margin-left:6px;white-space:{wrap}'>"
                                     f"{dot}{html.escape(shown)}</span>")
        notes = [_coloured(m, "#B3261E", "12px") for k, m in self.refused.items() if k == path or k.startswith(f"{path}[")]
        implausible = not q.is_list and q.low is not None and q.high is not None and not float(q.low) <= float(v) <= float(q.high)
        target = self.widgets[path]
        if implausible:
            notes.append(_coloured("\u26a0 " + self.t["entry_implausible"].format(low=show_value(self.fmt, q.low, q.unit),
                                                                                 high=show_value(self.fmt, q.high, q.unit)), "#7A4B00", "12px"))
            target.add_class("fs-implausible")
        else:
            target.remove_class("fs-implausible")
        self.messages[path].value = "".join(notes)

    def _live_problems(self, over: Mapping[str, Any]) -> list[str]:
        """Rules across inputs the model does not need but a case file must keep (checked again on saving)."""
        out = []
        loans = self.case.financing.loans
        if len(loans) > 1:
            total = sum(float(over.get(f"financing.loans.{k}.share_of_construction_capex", ln.share_of_construction_capex.value))
                        for k, ln in loans.items())
            if total > 1 + 1e-12:
                out.append(self.t["loans_share"].format(total=f"{total:g}"))
        for key, line in self.case.lines().items():
            for name, st in line.revenue.items():
                types = getattr(st, "cargo_types", None) or {}
                root = f"{key}.revenue.{name}.cargo_types"
                total = sum(float(over.get(f"{root}.{n}.share", t.share.value)) for n, t in types.items())
                if types and abs(total - 1.0) > 1e-6:  # the model weighs by them; a case file must make them sum to 1
                    out.append(self.t["types_share"].format(path=root, total=self.fmt.percent(total, 1)))
        return out

    def _apply_charts(self, gen: int, svgs: Mapping[str, str]) -> None:
        for key, svg in svgs.items():
            self.charts[key].value = f'<div class="fs-svg" data-gen="{gen}" style="width:100%">{svg}</div>'

    def _update_diff(self) -> None:
        t = self.t
        try:
            df = self.differences()
        except CaseError as exc:
            self.diff.value = _coloured(str(exc), "#B3261E", "12px")
            return
        base = case_name(self.base, self.base_path, self.lang)
        title = f"<div style='font-weight:600;margin:8px 0 2px'>{html.escape(t['diff_title'].format(name=base))}</div>"
        if df.empty:
            self.diff.value = title + _coloured(t["diff_none"], "#555", "12px")
            return
        def shown(v: Any, unit: str) -> str:
            if v is None:
                return t["missing"]
            if isinstance(v, (list, tuple)):
                return ", ".join(show_value(self.fmt, float(x), unit) for x in v)
            return show_value(self.fmt, float(v), unit) if isinstance(v, (int, float)) else plain_number(v)

        qmap = self.case.quantity_map()
        rows = [
            (person_label(self.case, r.path, self.lang) if r.path in qmap else r.path, shown(r.base_value, r.unit), shown(r.this_value, r.unit),
             unit_label(r.unit, self.lang))
            for r in df.itertuples()
        ]
        self.diff.value = title + table_html([t["col_path"], t["col_base"], t["col_this"], t["col_unit"]], rows,
                                             numeric=[False, True, True, False])

    def _on_save(self) -> None:
        t = self.t
        try:
            target = confined_target(self.save_dir, self.save_path.value, ".toml")
        except FileNameError as exc:
            self.save_status.value = _bad(t[f"name_{exc.reason}"].format(name=exc.name, folder=display_path(self.save_dir)))
            return
        n = len(self.overrides())
        shown = in_lang(self.root.options[self.option_key].label, self.lang) if self.option_key is not None else None
        try:
            written = self.save()
        except FileExistsError:
            self.save_status.value = _bad(t["save_exists"].format(path=target))
        except PackageFolderError:
            self.save_status.value = _bad(t["save_package"].format(path=target, root=_export.ROOT))
        except CaseError as exc:
            items = "".join(f"<li>{html.escape(str(p))}</li>" for p in exc.problems)
            self.save_status.value = f"<div style='color:#B3261E'>{html.escape(t['save_invalid'])}<ul>{items}</ul></div>"
        except OSError as exc:
            self.save_status.value = _bad(str(exc))
        else:
            msg = t["saved"].format(path=display_path(written), n=n)
            if shown is not None:  # an option's case is a case of its own: the long list stays in the file it came from
                msg += " " + t["saved_option"].format(label=shown)
            self.save_status.value = _good(msg)

    def _on_load(self) -> None:
        t = self.t
        typed = self.load_path.value.strip()
        if not typed:
            self.load_status.value = _bad(t["load_empty"])
            return
        try:
            self.load(typed)
        except CaseError as exc:
            items = "".join(f"<li>{html.escape(str(p))}</li>" for p in exc.problems)
            self.load_status.value = f"<div style='color:#B3261E'>{html.escape(t['load_invalid'])}<ul>{items}</ul></div>"
            return
        except OSError:
            self.load_status.value = _bad(t["load_missing"].format(path=typed))
            return
        self.load_status.value = _good(t["loaded"].format(path=display_path(self.case_path)))

    def _on_export(self) -> None:
        t = self.t
        self.export_button.disabled = True
        self.export_status.value = _coloured(t["exporting"].format(n=self.fmt.number(self.export_iterations.value)), "#555")
        try:
            written = self.export()
        except FileNameError as exc:
            self.export_status.value = _bad(t[f"name_{exc.reason}"].format(name=exc.name, folder=display_path(self.reports_dir)))
            return
        except FileExistsError as exc:
            self.export_status.value = _bad(t["export_exists"].format(path=str(exc).split(" exists")[0]))
            return
        except PackageFolderError as exc:
            self.export_status.value = _bad(t["export_package"].format(path=str(exc).split(" is inside")[0], root=_export.ROOT))
            return
        except Exception as exc:  # noqa: BLE001 - shown to the consultant in the status line
            self.export_status.value = _bad(t["export_failed"].format(msg=exc))
            return
        finally:
            self.export_button.disabled = False
            self.export_overwrite.value = False
        self.export_status.value = _good(t["exported"].format(path=display_path(written)))
        self.last_report = written
        self.export_link.value = download_link(written.read_bytes(), written.name, "text/html",
                                               t["export_download"].format(name=written.name, size=self._size(written.stat().st_size)))

    def _size(self, n: int) -> str:
        return f"{self.fmt.number(n / 1e6, 1)} MB" if n >= 1e5 else f"{self.fmt.number(n / 1e3, 0)} kB"
