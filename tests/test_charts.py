"""Charts as inline SVG (feasibility.present.charts).

Every chart kind is drawn once with hostile labels (markup, ``&``, quotes,
dollar signs) and a money formatter, then checked as XML: an ``<svg>`` root
that scales (``width="100%"``, ``viewBox``), nothing that loads or runs anything,
every label drawn literally as text. A second drawing, from other threads, must
give the same bytes. Tornado order, NaN handling, ids and input checks have their
own tests; pyplot must never be needed.
"""

from __future__ import annotations

import ast
import math
import re
import sys
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pytest
from matplotlib._pylab_helpers import Gcf

from feasibility.present import charts
from feasibility.present.charts import Chart

SVG = "{http://www.w3.org/2000/svg}"
NASTY = ["<script>alert(1)</script>", "A & B", '"quoted"', "Rp $5 $x$"]
T0, T1, T2, T3 = NASTY
YEARS = np.arange(2026, 2036)
NAN = float("nan")


def money(v: float) -> str:
    """A caller's formatter; it must never be handed NaN or inf."""
    assert math.isfinite(v), v
    return f"Rp {v / 1e12:,.1f} T"


# the tornado swings are 4 (T3), 3 ("plain") and 2 (T2): T3 on top, T2 at the bottom
TORNADO_NAMES = [T2, T3, "plain"]
TORNADO_ORDER = (T3, "plain", T2)

BUILDERS = {
    "tornado": lambda: charts.tornado(
        TORNADO_NAMES, [-1e12, -3e12, 0.5e12], [1e12, 1e12, 3.5e12], 0.2e12, title=T0, xlabel=T1, fmt=money
    ),
    "spider": lambda: charts.spider(
        [-0.2, -0.1, 0.0, 0.1, 0.2],
        {T2: np.linspace(-2e12, 2e12, 5), T3: np.linspace(1e12, -1e12, 5)},
        title=T0,
        ylabel=T1,
        fmt=money,
    ),
    "heatmap": lambda: charts.heatmap(
        [T3, "row 2", "row 3"],
        [0.8, 1.0, 1.2],
        np.array([[-3e12, -1e12, 0.5e12], [-1e12, 0.5e12, 2e12], [0.2e12, 2e12, 4e12]]),
        row_label=T1,
        col_label=T2,
        title=T0,
        fmt=money,
    ),
    "histogram": lambda: charts.histogram(
        np.r_[np.linspace(-3e12, 2e12, 200), [NAN, NAN, np.inf]],
        title=T0,
        xlabel=T1,
        fmt=money,
        threshold_label=T2,
        share_label="P(NPV < 0) = 60%",
        percentiles={T3: -1e12, "P90": 1.5e12},
    ),
    "cdf": lambda: charts.cdf(
        np.r_[np.linspace(-3e12, 2e12, 200), [NAN]],
        title=T0,
        xlabel=T1,
        fmt=money,
        threshold_label=T2,
        percentiles={T3: -1e12},
    ),
    "convergence": lambda: charts.convergence(
        [10, 100, 1000, 10000],
        {T2: [1e12, 1.4e12, 1.2e12, 1.25e12], T3: [-1e12, -0.5e12, -0.7e12, -0.6e12]},
        title=T0,
        ylabel=T1,
        fmt=money,
    ),
    "bars_by_year": lambda: charts.bars_by_year(
        YEARS,
        {T2: np.where(YEARS < 2029, -2e12, 0.0), "Dividends": np.where(YEARS > 2030, 0.5e12, 0.0)},
        line={T3: np.cumsum(np.where(YEARS < 2029, -2e12, 0.0) + np.where(YEARS > 2030, 0.5e12, 0.0))},
        title=T0,
        ylabel=T1,
        fmt=money,
    ),
    "bars_stacked": lambda: charts.bars_by_year(
        YEARS,
        {T2: np.linspace(-1e12, 1e12, 10), T3: np.full(10, 0.5e12)},
        stacked=True,
        title=T0,
        ylabel=T1,
        fmt=money,
    ),
    "lines_by_year": lambda: charts.lines_by_year(
        YEARS,
        {T2: np.r_[[NAN, NAN], np.linspace(1.1e12, 2e12, 8)]},
        threshold=1.3e12,
        threshold_label=T3,
        title=T0,
        ylabel=T1,
        fmt=money,
    ),
    "fan": lambda: charts.fan(
        YEARS,
        np.linspace(2e12, 3e12, 10),
        [(np.linspace(1.5e12, 2e12, 10), np.linspace(2.5e12, 4e12, 10), T2)],
        [2023, 2024, 2025],
        [1.8e12, 1.9e12, 2e12],
        title=T0,
        ylabel=T1,
        fmt=money,
        median_label=T3,
    ),
}
KINDS = list(BUILDERS)


@cache
def chart(kind: str) -> Chart:
    return BUILDERS[kind]()


def texts(svg: str) -> list[str]:
    """The drawn text of every <text> element, in document order."""
    return ["".join(t.itertext()) for t in ET.fromstring(svg).iter(f"{SVG}text")]


@pytest.mark.parametrize("kind", KINDS)
def test_chart_is_one_scalable_self_contained_svg(kind):
    c = chart(kind)
    assert isinstance(c, Chart)
    assert c.svg.startswith("<svg ") and c.svg.rstrip().endswith("</svg>")
    assert "<?xml" not in c.svg and "<!DOCTYPE" not in c.svg
    root = ET.fromstring(c.svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("width") == "100%" and root.get("height") is None
    assert root.get("preserveAspectRatio") == "xMidYMid meet"
    x, y, w, h = (float(v) for v in root.get("viewBox").split())
    assert (x, y) == (0, 0) and w > 0 and h > 0
    assert w / h == pytest.approx(16 / 9, rel=0.05) or kind == "tornado"
    assert not re.search(r'\s(width|height)="[\d.]+(pt|cm|mm|in|px)?"', c.svg[: c.svg.index(">")])
    low = c.svg.lower()
    for bad in ("<script", 'href="http', 'xlink:href="http', "url(http", "@import", "<image", "<foreignobject"):
        assert bad not in low, bad
    assert not [e.tag for e in root.iter() if e.tag.split("}")[-1] in {"script", "foreignObject", "image", "a"}]
    # the title is drawn, and is also the accessible name; the alt text is the description
    assert c.title == T0 and T0 in texts(c.svg)
    assert root.find(f"{SVG}title").text == c.title
    assert root.find(f"{SVG}desc").text == c.alt
    assert root.get("role") == "img"
    assert c.alt.endswith(".") and "\n" not in c.alt and len(c.alt) > 20
    assert c._repr_svg_() == c.svg and c.__html__() == c.svg
    # values went through the caller's formatter
    assert any(re.fullmatch(r"Rp -?[\d,.]+ T", t.strip()) for t in texts(c.svg))


@pytest.mark.parametrize("kind", KINDS)
def test_labels_are_drawn_literally(kind):
    """Markup shows as text, '&' and quotes survive, '$...$' is not mathtext."""
    drawn = texts(chart(kind).svg)
    for s in NASTY:
        assert s in drawn, (s, drawn)
    assert "&lt;script&gt;" in chart(kind).svg


# between them every kind of SVG element the charts use: text, hatch patterns, clip paths, markers (<use>),
# quad meshes and a colour bar, filled polygons, annotations (kept to five to keep the file fast)
DETERMINISM_KINDS = ["tornado", "heatmap", "histogram", "spider", "fan"]


def test_same_input_gives_the_same_bytes_from_any_thread():
    with ThreadPoolExecutor(max_workers=3) as pool:
        again = dict(zip(DETERMINISM_KINDS, pool.map(lambda k: BUILDERS[k](), DETERMINISM_KINDS)))
    for kind in DETERMINISM_KINDS:
        assert again[kind].svg == chart(kind).svg, kind
        assert again[kind].alt == chart(kind).alt


def test_ids_are_unique_per_chart_and_every_reference_resolves():
    seen: set[str] = set()
    for kind in KINDS:
        svg = chart(kind).svg
        ids = re.findall(r'\sid="([^"]+)"', svg)
        assert len(ids) == len(set(ids)), kind
        refs = set(re.findall(r'href="#([^"]+)"', svg)) | set(re.findall(r"url\(#([^)]+)\)", svg))
        assert refs <= set(ids), (kind, refs - set(ids))
        assert not seen & set(ids), kind  # two charts in one HTML page never clash
        seen |= set(ids)
        # matplotlib's "*{...}" rule is scoped to the chart, not the whole page
        assert re.search(r"<style[^>]*>\s*#fc[0-9a-f]+ \*\{", svg), kind


def test_tornado_puts_the_largest_swing_on_top():
    c = chart("tornado")
    assert c.order == TORNADO_ORDER
    root = ET.fromstring(c.svg)
    y_of = {"".join(t.itertext()): float(t.get("y")) for t in root.iter(f"{SVG}text")}
    assert sorted(TORNADO_NAMES, key=lambda n: y_of[n]) == list(TORNADO_ORDER)  # SVG y grows downwards
    assert "swing first: Rp $5 $x$ gives Rp -3.0 T at its low value and Rp 1.0 T at its high value" in c.alt


def test_tornado_order_with_undefined_results():
    # one side NaN: swing = distance of the other side from the base; both NaN: at the bottom
    c = charts.tornado(["both nan", "small", "one nan"], [NAN, 1.0, NAN], [NAN, 2.0, 7.0], 0.0)
    assert c.order == ("one nan", "small", "both nan")
    assert "n/a" in texts(c.svg)


def test_histogram_and_cdf_ignore_nan_and_say_how_many():
    h = chart("histogram")
    assert "200 results" in h.alt
    assert "2 NaN values were ignored and 1 infinite value was ignored" in h.alt
    assert "60% of them (120) are below the threshold of Rp 0.0 T" in h.alt
    assert "P(NPV < 0) = 60%" in texts(h.svg)
    c = chart("cdf")
    assert "200 results" in c.alt and "1 NaN value was ignored" in c.alt
    empty = charts.histogram([NAN, NAN])
    assert "no finite values; 2 NaN values were ignored" in empty.alt
    ET.fromstring(empty.svg)


def test_meaning_is_not_carried_by_colour_alone():
    bars = chart("bars_by_year")
    assert "<pattern" in bars.svg and "Negative values (hatched)" in texts(bars.svg)
    assert "negative values are hatched" in bars.alt
    heat = chart("heatmap")
    assert "<pattern" in heat.svg and "3 of 9 cells are negative" in heat.alt
    assert "Below the threshold (hatched)" in texts(chart("histogram").svg)
    assert T3 in texts(chart("lines_by_year").svg)  # the threshold line is labelled


def test_control_characters_are_dropped_and_global_rcparams_untouched():
    before = {k: v for k, v in mpl.rcParams.items() if not k.startswith("backend")}
    c = charts.spider([-0.1, 0.0, 0.1], {"a\x00b": [1.0, 2.0, 3.0]}, title="t\x01i\x1btle")
    assert {k: v for k, v in mpl.rcParams.items() if not k.startswith("backend")} == before
    ET.fromstring(c.svg)
    assert c.title == "title" and "ab" in texts(c.svg)


def test_bad_input_reports_every_problem_at_once():
    with pytest.raises(ValueError) as e:
        charts.tornado(["a", "b"], [1.0], [1.0, 2.0, 3.0], NAN)
    msg = str(e.value)
    assert "low_values: must have the length of names (2), got 1" in msg
    assert "high_values: must have the length of names (2), got 3" in msg
    assert "base: must be a finite number" in msg
    with pytest.raises(ValueError, match=r"n_iterations: must be > 0, got 0; series\['a'\]: must have the length"):
        charts.convergence([0, 10], {"a": [1.0]})
    with pytest.raises(ValueError, match="table: must have shape"):
        charts.heatmap([1, 2], [1], [[1.0, 2.0]])
    with pytest.raises(ValueError, match="history_years, history: give both or neither"):
        charts.fan([2020], [1.0], [], history_years=[2019])


def test_default_number_format():
    assert charts.plain(1234567.8) == "1,234,568"
    assert charts.plain(-2500.0) == "-2,500"
    assert charts.plain(1.3) == "1.3"
    assert charts.plain(0.125) == "0.12"
    assert charts.plain(-0.001) == "0"
    assert charts.plain(NAN) == "n/a"


def test_pyplot_is_never_used_and_no_figure_is_kept(monkeypatch):
    """The module never imports pyplot (its source, and at draw time with pyplot made unimportable)."""
    tree = ast.parse(Path(charts.__file__).read_text(encoding="utf-8"))
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {f"{n.module}.{a.name}" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}
    assert not {m for m in imported if "pyplot" in m or "pylab" in m}, imported
    assert ".use(" not in Path(charts.__file__).read_text(encoding="utf-8")  # no matplotlib.use()
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)  # "import matplotlib.pyplot" now fails
    monkeypatch.setitem(sys.modules, "matplotlib.pylab", None)
    managers = Gcf.get_num_fig_managers()
    c = charts.histogram([1.0, 2.0, NAN], percentiles={"P50": 1.5})
    assert c.svg.startswith("<svg") and Gcf.get_num_fig_managers() == managers


def test_heatmap_colour_bar_spans_the_values_and_the_threshold_only():
    """All cells below the threshold: the colour bar runs from the lowest value to the threshold, not to +max (issue 14)."""
    table = np.array([[-741.0, -717.0], [-612.0, -509.0]])
    c = charts.heatmap(["a", "b"], ["c", "d"], table, fmt=lambda v: f"{v:.0f}", cell_fmt=lambda v: f"c{v:.0f}")
    ticks = [float(t) for t in texts(c.svg) if re.fullmatch(r"-?\d+", t.strip())]
    assert ticks and max(ticks) <= 0 < -min(ticks)  # a symmetric scale would also tick +200 ... +600
    # around another threshold (a DSCR of 1.3): the cells below it are the hatched ones
    d = charts.heatmap(["a", "b"], ["c", "d"], np.array([[1.0, 1.2], [1.4, 2.0]]), center=1.3, fmt=lambda v: f"{v:.1f}")
    assert "2 of 4 cells are below 1.3" in d.alt
