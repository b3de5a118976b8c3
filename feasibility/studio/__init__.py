"""The consultant studio: ipywidgets over a case, recomputed live.

Rooms with one job each:

* :mod:`.app`: :class:`Studio`, the widgets and their connections to library calls;
* :mod:`.inputs`: which tab an input belongs to, its limits, sliders and words;
* :mod:`.cards`: the metric cards, the verdict card and the chart specs;
* :mod:`.workers`: the chart-drawing worker processes and the background drawer;
* :mod:`.panels`: :class:`RiskPanel` and :class:`DemandPanel`;
* :mod:`.files`: where case files are listed and scenarios suggested.

The library calls the studio makes live in the package, for the CLI and
scripts too: :mod:`feasibility.case.edit` (changes, differences, saving) and
:mod:`feasibility.present.export` (the council report into a file).
"""

from ..case.edit import apply_changes, case_data, case_toml, differences, save_case
from ..present.export import REPORTS_DIR, ROOT, export_report
from .app import Studio
from .cards import CARD_METRICS
from .inputs import TABS, UNBOUNDED, input_name, tab_of, widget_limits
from .panels import DemandPanel, RiskPanel, best_method, simulate_in_chunks

__all__ = [
    "CARD_METRICS",
    "REPORTS_DIR",
    "ROOT",
    "TABS",
    "UNBOUNDED",
    "DemandPanel",
    "RiskPanel",
    "Studio",
    "apply_changes",
    "best_method",
    "case_data",
    "case_toml",
    "differences",
    "export_report",
    "input_name",
    "save_case",
    "simulate_in_chunks",
    "tab_of",
    "widget_limits",
]
