"""Charts as inline SVG for the self-contained HTML report and for notebooks.

Every function takes plain data (numpy arrays, lists, label strings that are
already translated) and returns a :class:`Chart`: the ``svg`` text of one
``<svg>`` element, ready to paste into HTML, its ``title`` and an ``alt``
sentence for screen readers and the report text. Notebooks display a
:class:`Chart` by itself (``_repr_svg_``); Jinja2 and markupsafe insert it
unescaped (``__html__``), so ``{{ chart }}`` works in an autoescaping template.
Nothing here computes a financial formula: the charts draw what they are given.

>>> import numpy as np
>>> c = histogram(np.array([-2.0, -1.0, 0.5, 3.0, np.nan]), title="NPV", xlabel="NPV (IDR)",
...               share_label="P(NPV < 0) = 50%")
>>> c.svg.startswith("<svg"), "1 NaN value was ignored" in c.alt
(True, True)

The SVG
-------
* **Self-contained**: no scripts, no links, no external fonts or images; text
  stays text (``svg.fonttype = "none"``) in the sans-serif fonts of the reader
  (DejaVu Sans, Arial, then the generic ``sans-serif``).
* **Safe**: every string is drawn literally and escaped by matplotlib's SVG
  writer (``<script>`` shows as text, ``&`` as ``&amp;``); ``$`` never starts
  mathtext (``text.parse_math`` is off); characters that XML forbids (control
  characters) are dropped.
* **Scales**: the root element has ``width="100%"``, a ``viewBox`` and
  ``preserveAspectRatio="xMidYMid meet"`` and no fixed height, so it takes the
  width of the page (an A4 print as well) and keeps its proportions. The
  default size is 16 x 9 cm (``figsize`` in centimetres).
* **Accessible**: ``role="img"`` with a ``<title>`` (the title) and a ``<desc>``
  (the alt text). The alt text is an English sentence made from the data; pass
  ``alt=`` to give one in the language of the report.
* **Deterministic**: the same input gives byte-identical SVG (fixed
  ``svg.hashsalt``, no date, no creator). Every ``id`` is prefixed with a hash
  of the chart's own content, so several charts in one HTML page never share an
  id, and matplotlib's default ``<style>`` rule is scoped to the chart.
* **Readable without colour**: the Okabe-Ito palette (safe for colour-blind
  readers); negative bars and the share below a threshold are also hatched, lines
  differ by dash pattern and marker as well as colour, reference lines carry a
  text label. The charts print well in greyscale.

Numbers on the value axis and in labels go through ``fmt``, a callable from a
float to a string (a Babel-based formatter giving ``Rp 1,2 T`` in Indonesian).
The default, :func:`plain`, writes ``1,234,567`` (``"{:,.0f}"``) from 100 up and
at most two decimals below; on an axis the default uses as many decimals as the
ticks need (``0.5``, ``1.0``, ``1.5``). Years are always written as plain
integers (``2030``), never through ``fmt``. Shares (spider x axis, CDF y axis)
are fractions (0.1 = 10 %) written by ``pct_fmt``.

Matplotlib runs with the Agg canvas and the object-oriented API only
(:class:`matplotlib.figure.Figure`, never :mod:`matplotlib.pyplot`), so no figure
is kept alive and no global state changes: the style is applied with
:func:`matplotlib.rc_context` around each chart, under a module lock so that
charts drawn from several threads do not see each other's settings.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import textwrap
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree
from xml.sax.saxutils import escape

import matplotlib as mpl
import numpy as np
from matplotlib import ticker
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.collections import LineCollection
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from .._checks import Problems

__all__ = [
    "OKABE_ITO",
    "Chart",
    "bars_by_year",
    "cdf",
    "convergence",
    "fan",
    "heatmap",
    "histogram",
    "lines_by_year",
    "plain",
    "spider",
    "tornado",
]

Fmt = Callable[[float], str]

#: Okabe & Ito (2008) colour-blind-safe palette
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
_BLUE, _VERMILLION, _ORANGE = OKABE_ITO["blue"], OKABE_ITO["vermillion"], OKABE_ITO["orange"]
#: series colours in order of use (yellow last: weak on white)
_COLORS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442")
_LINESTYLES: tuple[Any, ...] = ("-", "--", "-.", ":", (0, (6, 1.5, 1, 1.5, 1, 1.5)), (0, (10, 2)), (0, (1, 3)))
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
#: series hatches of bar charts; a negative bar adds _NEG_HATCH to its series hatch
_HATCHES = ("", "--", "||", "\\\\", "++", "xx")  # line patterns only: dots and circles make huge SVG
_NEG_HATCH = "///"
_GRID = "#D9D9D9"
_REF = "#333333"  # reference lines (base, threshold, zero)

_CM = 1 / 2.54  # inches per centimetre
_DEFAULT_SIZE = (16.0, 9.0)  # cm

_RC = {
    "svg.fonttype": "none",
    "svg.hashsalt": "feasibility.charts",
    "svg.image_inline": True,
    "svg.id": None,
    "text.usetex": False,
    "text.parse_math": False,
    "axes.formatter.use_mathtext": False,
    "font.family": ["sans-serif"],
    "font.sans-serif": ["DejaVu Sans", "Arial"],
    "font.size": 8.0,
    "axes.titlesize": 9.0,
    "axes.labelsize": 8.0,
    "xtick.labelsize": 7.5,
    "ytick.labelsize": 7.5,
    "legend.fontsize": 7.5,
    "figure.titlesize": 10.0,
    "figure.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#333333",
    "axes.linewidth": 0.8,
    "axes.axisbelow": True,
    "hatch.linewidth": 0.6,
    "lines.linewidth": 1.5,
    "lines.markersize": 4.0,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.bbox": None,
    "savefig.transparent": False,
    "path.simplify": True,
}
#: no date, no creator, no metadata element: identical input gives identical bytes
_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}

_LOCK = threading.RLock()


@dataclass(frozen=True)
class Chart:
    """A chart as an inline ``<svg>`` element.

    Attributes
    ----------
    svg : str
        One ``<svg>`` element (no XML declaration, no DOCTYPE), width 100 %.
    title : str
        The title drawn in the chart (also the SVG ``<title>``).
    alt : str
        One sentence describing the chart (also the SVG ``<desc>``).
    order : tuple of str
        For :func:`tornado`, the input names from the top bar to the bottom one;
        empty for the other charts.
    """

    svg: str = field(repr=False)
    title: str
    alt: str
    order: tuple[str, ...] = ()

    def _repr_svg_(self) -> str:
        return self.svg

    def __html__(self) -> str:
        return self.svg


# --------------------------------------------------------------------------- text and numbers

_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def _clean(s: Any) -> str:
    """A user string as drawn: ``str``, without the characters XML 1.0 forbids."""
    return _BAD_XML.sub("", "" if s is None else str(s))


def plain(x: float) -> str:
    """The default number format: ``1,234,567`` from 100 up, at most two decimals below (``1.3``)."""
    x = float(x)
    if not math.isfinite(x):
        return "n/a"
    s = f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.2f}".rstrip("0").rstrip(".")
    return "0" if s == "-0" else s


def _pct(x: float) -> str:
    s = f"{x:.0%}"
    return "0%" if s == "-0%" else s


def _signed_pct(x: float) -> str:
    s = f"{x:+.0%}"
    return "0%" if s in ("+0%", "-0%") else s


def _value(fmt: Fmt | None, x: float, na: str) -> str:
    """``fmt(x)`` for a finite number, ``na`` otherwise (a formatter never sees NaN)."""
    x = float(x)
    if not math.isfinite(x):
        return _clean(na)
    return _clean((fmt or plain)(0.0 if x == 0 else x))


class _Ticks(ticker.Formatter):
    """Tick labels through ``fmt``; without one, the fewest decimals that tell the ticks apart."""

    def __init__(self, fmt: Fmt | None):
        self.fmt = fmt
        self._tick_values: list[float] = []

    def set_locs(self, locs: Any) -> None:
        self._tick_values = [float(v) for v in locs]

    def __call__(self, x: float, pos: int | None = None) -> str:
        x = 0.0 if x == 0 else float(x)
        if self.fmt is not None:
            return _clean(self.fmt(x))
        locs = [v for v in self._tick_values if math.isfinite(v)] or [x]
        for d in range(7):
            if all(abs(round(v, d) - v) <= 1e-9 * max(1.0, abs(v)) for v in locs):
                break
        s = f"{x:,.{d}f}"
        return s[1:] if s.startswith("-") and float(s.replace(",", "")) == 0 else s


def _year_axis(axis: Any) -> None:
    axis.set_major_locator(ticker.MaxNLocator(nbins=12, steps=[1, 2, 5, 10], integer=True, min_n_ticks=1))
    axis.set_major_formatter(ticker.FuncFormatter(lambda x, pos: str(round(x))))


def _pct_axis(axis: Any, fmt: Fmt) -> None:
    axis.set_major_formatter(ticker.FuncFormatter(lambda x, pos: _clean(fmt(0.0 if x == 0 else float(x)))))


def _wrap(s: str, width: int) -> str:
    return "\n".join(textwrap.wrap(s, width, break_long_words=False, break_on_hyphens=False)) if len(s) > width else s


# --------------------------------------------------------------------------- input checks


def _vector(name: str, x: Any, pr: Problems, n: int | None = None, of: str = "") -> np.ndarray:
    """A 1-D float array; a wrong shape or length is a problem (the array is still returned)."""
    try:
        a = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        pr.add(f"{name}: must be numbers, got {_clean(repr(x))[:60]}")
        return np.full(n or 0, np.nan)
    if a.ndim != 1:
        pr.add(f"{name}: must be one-dimensional, got shape {a.shape}")
        return np.full(n or 0, np.nan)
    if n is not None and a.size != n:
        pr.add(f"{name}: must have the length of {of} ({n}), got {a.size}")
    return a


def _series(name: str, d: Mapping[str, Any] | None, pr: Problems, n: int, of: str) -> dict[str, np.ndarray]:
    if d is None:
        return {}
    if not isinstance(d, Mapping):
        pr.add(f"{name}: must be a mapping of label to values, got {type(d).__name__}")
        return {}
    return {_clean(k): _vector(f"{name}[{_clean(k)!r}]", v, pr, n, of) for k, v in d.items()}


def _size(figsize: Sequence[float], pr: Problems) -> tuple[float, float]:
    try:
        w, h = (float(v) for v in figsize)
    except (TypeError, ValueError):
        pr.add(f"figsize: must be (width_cm, height_cm), got {figsize!r}")
        return _DEFAULT_SIZE
    if not (0 < w <= 100 and 0 < h <= 100):
        pr.add(f"figsize: must be two sizes in (0, 100] cm, got {figsize!r}")
        return _DEFAULT_SIZE
    return w, h


def _finite(a: np.ndarray) -> np.ndarray:
    return a[np.isfinite(a)]


# --------------------------------------------------------------------------- drawing helpers


def _style(i: int, n_points: int) -> dict[str, Any]:
    """Colour, dash pattern and marker of the i-th line: never colour alone."""
    return {
        "color": _COLORS[i % len(_COLORS)],
        "linestyle": _LINESTYLES[i % len(_LINESTYLES)],
        "marker": _MARKERS[i % len(_MARKERS)],
        "markevery": max(1, n_points // 20),
        "markersize": 3.5,
    }


def _grid(ax: Any, axis: str = "y") -> None:
    ax.grid(True, axis=axis, color=_GRID, linewidth=0.6)


def _legend(fig: Figure, handles: list[Any], labels: list[str]) -> None:
    """The legend below the axes, in as many columns (at most 4) as fit the figure width."""
    if not handles:
        return
    labels = [_clean(s) for s in labels]
    em = mpl.rcParams["legend.fontsize"]
    entry = [(2.6 + 0.8) * em + max((len(line) for line in s.split("\n")), default=0) * 0.6 * em for s in labels]
    avail = fig.get_figwidth() * 72 * 0.95
    ncols = 1
    for k in range(min(len(labels), 4), 0, -1):
        cols = [c for c in np.array_split(np.array(entry), k) if c.size]  # as matplotlib splits the entries
        if sum(max(c) for c in cols) + 2.0 * em * (len(cols) - 1) <= avail:
            ncols = k
            break
    fig.legend(handles, labels, loc="outside lower center", ncols=ncols, frameon=False, handlelength=2.6)


def _top_labels(ax: Any, items: Sequence[tuple[float, str]], fontsize: float = 7.0) -> None:
    """Labels of vertical reference lines above the axes, at data ``x``, stacked in rows so that none overlap.

    Call it once the x limits are final. The widths are estimated (0.6 em a
    character) against the axes width, which is enough to keep labels apart.
    """
    lo, hi = ax.get_xlim()
    width_pt = ax.get_figure().get_figwidth() * 72 * 0.8
    rows: list[list[tuple[float, float]]] = []
    for x, text in items:
        if not (math.isfinite(x) and min(lo, hi) <= x <= max(lo, hi)) or not text:
            continue
        frac = (x - lo) / (hi - lo)
        ha = "left" if frac < 0.12 else "right" if frac > 0.88 else "center"
        w = len(text) * fontsize * 0.6 + 6
        c = frac * width_pt
        a, b = {"left": (c, c + w), "right": (c - w, c), "center": (c - w / 2, c + w / 2)}[ha]
        for r, row in enumerate(rows):
            if all(b < a2 or a > b2 for a2, b2 in row):
                row.append((a, b))
                break
        else:
            rows.append([(a, b)])
            r = len(rows) - 1
        ax.annotate(
            text,
            xy=(x, 1),
            xycoords=ax.get_xaxis_transform(),
            xytext=(0, 2 + r * (fontsize + 2)),
            textcoords="offset points",
            ha=ha,
            va="bottom",
            fontsize=fontsize,
            color=_REF,
            annotation_clip=False,
        )


def _fit_xticks(fig: Figure, ax: Any) -> bool:
    """After a layout: fewer ticks on a horizontal value axis until the labels (measured) do not overlap."""
    renderer = fig.canvas.get_renderer()
    lo, hi = sorted(ax.get_xlim())
    width_px = ax.get_window_extent(renderer).width
    labels = ax.xaxis.get_ticklabels()
    if not labels or hi <= lo or width_px <= 0:
        return False
    prop = labels[0].get_fontproperties()
    gap = prop.get_size_in_points() * fig.dpi / 72
    form = ax.xaxis.get_major_formatter()
    eps = 1e-9 * (hi - lo)

    def fits(values: Any) -> bool:
        locs = [float(v) for v in values if lo - eps <= v <= hi + eps]
        widths = [renderer.get_text_width_height_descent(t, prop, ismath=False)[0] for t in form.format_ticks(locs)]
        pos = [(v - lo) / (hi - lo) * width_px for v in locs]
        return all(pos[i + 1] - pos[i] >= (widths[i] + widths[i + 1]) / 2 + gap for i in range(len(locs) - 1))

    if fits(ax.xaxis.get_majorticklocs()):
        return False
    for nb in (7, 6, 5, 4, 3, 2, 1):
        loc = ticker.MaxNLocator(nbins=nb, steps=[1, 2, 2.5, 5, 10])
        if fits(loc.tick_values(lo, hi)):
            break
    ax.xaxis.set_major_locator(loc)
    return True


def _end_label(ax: Any, x: float, y: float, text: str, right: bool, fontsize: float, color: str) -> None:
    """A label just right (or left) of data point (x, y), 3 points away (SVG drops padding spaces)."""
    ax.annotate(
        text,
        xy=(x, y),
        xytext=(3 if right else -3, 0),
        textcoords="offset points",
        ha="left" if right else "right",
        va="center",
        fontsize=fontsize,
        color=color,
    )


def _hline_label(ax: Any, y: float, text: str) -> None:
    """A text label at the right end of a horizontal reference line at data ``y``."""
    ax.text(
        0.995,
        y,
        text,
        transform=ax.get_yaxis_transform(),
        ha="right",
        va="bottom",
        fontsize=7,
        color=_REF,
        bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1},
    )


def _no_data(ax: Any, text: str) -> None:
    ax.text(0.5, 0.5, _clean(text), transform=ax.transAxes, ha="center", va="center", fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])


def _render(
    draw: Callable[[Figure, Any], str],
    *,
    title: str,
    alt: str | None,
    figsize: tuple[float, float],
    order: Sequence[str] = (),
    after_layout: Callable[[Figure, Any], bool] | None = None,
) -> Chart:
    """Draw on a fresh Agg-backed figure inside the module style, save as SVG, finish the markup.

    ``after_layout(fig, ax)`` runs once the layout is known (to measure labels);
    when it returns True the layout is done again.
    """
    title = _clean(title)
    with _LOCK, mpl.rc_context(_RC):
        fig = Figure(figsize=(figsize[0] * _CM, figsize[1] * _CM), dpi=72, layout="constrained")
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        auto_alt = draw(fig, ax)
        if title:
            # a bold DejaVu character is about 0.66 em wide: wider titles wrap rather than run off the figure
            chars = max(20, int(figsize[0] * _CM * 72 / (mpl.rcParams["figure.titlesize"] * 0.66)))
            fig.suptitle(_wrap(title, chars), x=0.01, ha="left")
        # lay out once with the Agg renderer, then keep those positions: the SVG is drawn once more
        engine = fig.get_layout_engine()
        engine.execute(fig)
        if after_layout is not None and after_layout(fig, ax):
            engine.execute(fig)
        fig.set_layout_engine("none")
        buf = io.StringIO()
        FigureCanvasSVG(fig).print_svg(buf, metadata=_METADATA)
    alt_text = " ".join(_clean(alt if alt else auto_alt).split())  # one line
    return Chart(svg=_finish_svg(buf.getvalue(), title, alt_text), title=title, alt=alt_text, order=tuple(order))


_TAG = re.compile(r"<[^>]+>")
_ID_ATTR = re.compile(r'(\sid=")([^"]+)(")')
_HREF = re.compile(r'((?:xlink:)?href="#)([^"]+)(")')
_URL = re.compile(r"(url\(#)([^)]+)(\))")
_ROOT = re.compile(r"<svg\b[^>]*>")
_QUOTES = {'"': "&quot;", "'": "&#x27;"}
_VIEWBOX = re.compile(r'viewBox="([^"]+)"')


def _finish_svg(raw: str, title: str, alt: str) -> str:
    """Matplotlib's SVG as an inline element: no prolog, 100 % wide, unique ids, title and desc."""
    svg = raw[raw.index("<svg") :].rstrip() + "\n"
    pid = "fc" + hashlib.sha256(svg.encode("utf-8")).hexdigest()[:10]

    def prefix(m: re.Match[str]) -> str:
        return f"{m.group(1)}{pid}-{m.group(2)}{m.group(3)}"

    def fix_tag(m: re.Match[str]) -> str:
        # only inside tags: text nodes (user strings) are never touched
        return _URL.sub(prefix, _HREF.sub(prefix, _ID_ATTR.sub(prefix, m.group(0))))

    svg = _TAG.sub(fix_tag, svg)
    # quotes in text nodes as entities too: harmless as XML text, but a user string then never
    # reads like an attribute to anything that scans the page (defence in depth)
    parts = _TAG.split(svg)
    tags = _TAG.findall(svg)
    svg = "".join(
        (p if i and tags[i - 1].startswith("<style") else p.replace('"', "&quot;").replace("'", "&#x27;")) + (tags[i] if i < len(tags) else "")
        for i, p in enumerate(parts)
    )
    root = _ROOT.search(svg)
    viewbox = _VIEWBOX.search(root.group(0)) if root else None
    if root is None or viewbox is None:
        raise RuntimeError("matplotlib wrote an SVG without a root element or viewBox")
    new_root = (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.1"'
        f' id="{pid}" class="feasibility-chart" width="100%" viewBox="{viewbox.group(1)}"'
        f' preserveAspectRatio="xMidYMid meet" role="img"'
        f' aria-labelledby="{pid}-title" aria-describedby="{pid}-desc" style="max-width:100%;height:auto">\n'
        f' <title id="{pid}-title">{escape(title, _QUOTES)}</title>\n'
        f' <desc id="{pid}-desc">{escape(alt, _QUOTES)}</desc>'
    )
    svg = svg[: root.start()] + new_root + svg[root.end() :]
    # matplotlib's default rule is "*{...}": in an HTML page it would reach every element
    svg = re.sub(r"(<style[^>]*>)\s*\*\s*\{", lambda m: f"{m.group(1)}#{pid} *{{", svg, count=1)
    ElementTree.fromstring(svg)  # well-formed, or fail here rather than in a browser
    return svg


# --------------------------------------------------------------------------- charts


def tornado(
    names: Sequence[str],
    low_values: Any,
    high_values: Any,
    base: float,
    *,
    title: str = "Sensitivity of the result to each input",
    xlabel: str = "",
    fmt: Fmt | None = None,
    low_label: str = "Input at its low value",
    high_label: str = "Input at its high value",
    base_label: str = "Base",
    zero_label: str = "Break-even (0)",
    na_label: str = "n/a",
    value_labels: bool = True,
    figsize: Sequence[float] | None = None,
    alt: str | None = None,
) -> Chart:
    """Tornado chart: for each input, bars from ``base`` to the result at its low and high value.

    Parameters
    ----------
    names : sequence of str
        The inputs (already translated).
    low_values, high_values : array_like, shape (n,)
        The result (a metric such as NPV) with each input at its low / high value;
        NaN (an undefined metric) is drawn as ``na_label``.
    base : float
        The result of the base case: the bars start here (a solid vertical line).
    fmt : callable, optional
        Formats the result on the axis and in the labels (default :func:`plain`).
    low_label, high_label : str
        Legend of the two bar kinds; low-input bars are orange and hatched,
        high-input bars blue and plain.
    zero_label : str
        Label of the dashed line at 0, drawn when 0 is in view and not the base.
    value_labels : bool
        Write each result at the end of its bar. When both results lie on the
        same side of the base, only the farther one is labelled (the nearer bar is
        drawn narrower on top of the other).
    figsize : (width_cm, height_cm), optional
        Default 16 cm wide and ``max(9, 2.5 + 0.45 n)`` cm high.

    Returns
    -------
    Chart
        ``order`` lists ``names`` from the top bar to the bottom one: by swing
        ``|high - low|``, largest on top (stable for ties). With one side NaN the
        swing is the other side's distance from the base; with both NaN the input
        goes to the bottom.
    """
    pr = Problems()
    labels = [_clean(s) for s in names] if not isinstance(names, str) else [_clean(names)]
    n = len(labels)
    if n == 0:
        pr.add("names: must name at least one input, got 0")
    lo = _vector("low_values", low_values, pr, n, "names")
    hi = _vector("high_values", high_values, pr, n, "names")
    try:
        b = float(base)
    except (TypeError, ValueError):
        b = math.nan
    if not math.isfinite(b):
        pr.add(f"base: must be a finite number, got {_clean(base)}")
    # a name too long for the axis wraps; each row is then as tall as its longest name needs
    lines = max((_wrap(s, 38).count("\n") + 1 for s in labels), default=1)
    size = _size(figsize, pr) if figsize is not None else (_DEFAULT_SIZE[0], max(_DEFAULT_SIZE[1], 2.5 + (0.2 + 0.25 * lines) * n))
    pr.raise_if_any()

    with np.errstate(invalid="ignore"):
        swing = np.where(
            np.isfinite(lo) & np.isfinite(hi),
            np.abs(hi - lo),
            np.fmax(np.abs(lo - b), np.abs(hi - b)),
        )
    swing = np.where(np.isnan(swing), -1.0, swing)
    idx = np.argsort(-swing, kind="stable")
    order = [labels[i] for i in idx]

    def draw(fig: Figure, ax: Any) -> str:
        xs = np.concatenate([[b], _finite(lo), _finite(hi)])
        span = float(xs.max() - xs.min()) or max(abs(b), 1.0)
        left, right = float(xs.min()) - 0.22 * span, float(xs.max()) + 0.22 * span
        ax.set_xlim(left, right)
        ax.set_ylim(-0.7, n - 0.3)
        fs = 7 if n <= 12 else 6
        for row, i in enumerate(idx):
            y = n - 1 - row
            sides = [(lo[i], _ORANGE, _NEG_HATCH), (hi[i], _BLUE, "")]
            dist = [abs(v - b) if math.isfinite(v) else -1.0 for v, _, _ in sides]
            same_side = all(math.isfinite(v) for v, _, _ in sides) and (lo[i] - b) * (hi[i] - b) > 0
            # draw the farther bar first so that the nearer one (narrower) stays visible on top
            if not (math.isfinite(lo[i]) or math.isfinite(hi[i])):
                _end_label(ax, b, y, _clean(na_label), True, fs, _REF)
            for k in sorted(range(2), key=lambda k: -dist[k]):
                v, color, hatch = sides[k]
                other = sides[1 - k][0]
                if not math.isfinite(v):
                    if math.isfinite(other):  # on the side the defined bar does not use
                        _end_label(ax, b, y, _clean(na_label), other <= b, fs, _REF)
                    continue
                near = same_side and dist[k] < max(dist)
                ax.barh(
                    y,
                    v - b,
                    left=b,
                    height=0.42 if near else 0.7,
                    color=color,
                    hatch=hatch,
                    edgecolor="#000000",
                    linewidth=0.5,
                )
                if value_labels and not near and v != b:
                    _end_label(ax, v, y, _value(fmt, v, na_label), v > b, fs, "#000000")
        ax.set_yticks(range(n), [_wrap(s, 38) for s in reversed(order)])
        ax.tick_params(axis="y", length=0)
        ax.xaxis.set_major_formatter(_Ticks(fmt))
        ax.set_xlabel(_clean(xlabel))
        _grid(ax, "x")
        ax.axvline(b, color="#000000", linewidth=1.2)
        refs = [(b, f"{_clean(base_label)}: {_value(fmt, b, na_label)}")]
        if left < 0 < right and b != 0:
            ax.axvline(0, color=_REF, linewidth=1.0, linestyle="--")
            refs.append((0.0, _clean(zero_label)))
        _top_labels(ax, refs)
        _legend(
            fig,
            [
                Patch(facecolor=_ORANGE, hatch=_NEG_HATCH, edgecolor="#000000", linewidth=0.5),
                Patch(facecolor=_BLUE, edgecolor="#000000", linewidth=0.5),
            ],
            [low_label, high_label],
        )
        top = idx[0]
        what = _clean(xlabel) or "the result"
        return (
            f"Tornado chart of {what} for {n} input{'s' if n != 1 else ''}, largest swing first: "
            f"{labels[top]} gives {_value(fmt, lo[top], na_label)} at its low value and "
            f"{_value(fmt, hi[top], na_label)} at its high value, against a base of {_value(fmt, b, na_label)}."
        )

    return _render(draw, title=title, alt=alt, figsize=size, order=order, after_layout=_fit_xticks)


def spider(
    pct_changes: Any,
    curves: Mapping[str, Any],
    *,
    title: str = "Result against the change in each input",
    xlabel: str = "Change in the input",
    ylabel: str = "",
    fmt: Fmt | None = None,
    pct_fmt: Fmt = _signed_pct,
    zero_label: str = "Break-even (0)",
    na_label: str = "n/a",
    figsize: Sequence[float] = _DEFAULT_SIZE,
    alt: str | None = None,
) -> Chart:
    """Spider chart: the result against the relative change of each input, one line per input.

    Parameters
    ----------
    pct_changes : array_like, shape (k,)
        Relative changes as **fractions** (-0.2 = -20 %), written on the x axis by
        ``pct_fmt`` (default ``+20%``).
    curves : mapping of str to array_like (k,)
        The result for each input at each change; NaN leaves a gap.
    fmt : callable, optional
        Formats the result (y axis).
    zero_label : str
        Label of the dashed line at a result of 0, drawn when 0 is in view.
    """
    pr = Problems()
    x = _vector("pct_changes", pct_changes, pr)
    ys = _series("curves", curves, pr, x.size, "pct_changes")
    if not ys:
        pr.add("curves: must have at least one curve, got 0")
    size = _size(figsize, pr)
    pr.raise_if_any()

    def draw(fig: Figure, ax: Any) -> str:
        handles = []
        for i, (name, y) in enumerate(ys.items()):
            (h,) = ax.plot(x, y, **_style(i, x.size))
            handles.append(h)
        ax.axvline(0, color=_REF, linewidth=0.8)
        ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda v, pos: _clean(pct_fmt(0.0 if v == 0 else v))))
        ax.yaxis.set_major_formatter(_Ticks(fmt))
        ax.set_xlabel(_clean(xlabel))
        ax.set_ylabel(_clean(ylabel))
        _grid(ax, "both")
        lo, hi = ax.get_ylim()
        if lo < 0 < hi:
            ax.axhline(0, color=_REF, linewidth=1.0, linestyle="--")
            _hline_label(ax, 0, _clean(zero_label))
        _legend(fig, handles, list(ys))
        ranges = {k: (np.nanmax(v) - np.nanmin(v)) if np.isfinite(v).any() else -1.0 for k, v in ys.items()}
        steep = max(ranges, key=lambda k: ranges[k])
        v = ys[steep]
        fx = _finite(x)
        return (
            f"Spider chart of {_clean(ylabel) or 'the result'} against changes from "
            f"{_clean(pct_fmt(float(fx.min()))) if fx.size else na_label} to "
            f"{_clean(pct_fmt(float(fx.max()))) if fx.size else na_label} in {len(ys)} "
            f"input{'s' if len(ys) != 1 else ''}; the widest range is for {steep}, from "
            f"{_value(fmt, np.nanmin(v) if np.isfinite(v).any() else np.nan, na_label)} to "
            f"{_value(fmt, np.nanmax(v) if np.isfinite(v).any() else np.nan, na_label)}."
        )

    return _render(draw, title=title, alt=alt, figsize=size)


def heatmap(
    row_values: Sequence[Any],
    col_values: Sequence[Any],
    table: Any,
    *,
    row_label: str = "",
    col_label: str = "",
    title: str = "Result for two inputs",
    fmt: Fmt | None = None,
    cell_fmt: Fmt | None = None,
    row_fmt: Fmt | None = None,
    col_fmt: Fmt | None = None,
    value_label: str = "",
    zero_outline: bool = True,
    hatch_negative: bool = True,
    annotate: bool | None = None,
    na_label: str = "n/a",
    figsize: Sequence[float] = _DEFAULT_SIZE,
    alt: str | None = None,
    center: float = 0.0,
) -> Chart:
    """Two-way table as a heat map, the value written in each cell.

    Row 0 is at the top, as in a table. The colours diverge around ``center``
    (the metric's threshold: red below, blue above); the colour bar spans the
    values found and the threshold, no more (a table that is all below the
    threshold shows no blue it does not have). Cells below the threshold are
    also hatched, and with ``zero_outline`` a bold line follows the cell edges
    where the value crosses it (and marks it on the colour bar).

    Parameters
    ----------
    row_values, col_values : sequence
        The input values of the rows / columns: numbers (written with
        ``row_fmt`` / ``col_fmt``, default :func:`plain`) or ready-made strings.
    table : array_like, shape (r, c)
        The result for each pair; NaN cells are grey and say ``na_label``.
    fmt : callable, optional
        Formats the colour bar; ``cell_fmt`` (default ``fmt``) the cells.
    annotate : bool, optional
        Write the values in the cells; default when there are at most 400 cells.
    """
    pr = Problems()
    rows, cols = list(row_values), list(col_values)
    try:
        t = np.asarray(table, dtype=float)
    except (TypeError, ValueError):
        pr.add("table: must be numbers")
        t = np.full((len(rows), len(cols)), np.nan)
    if t.shape != (len(rows), len(cols)):
        pr.add(f"table: must have shape (len(row_values), len(col_values)) = ({len(rows)}, {len(cols)}), got {t.shape}")
    if not rows or not cols:
        pr.add(f"row_values, col_values: must not be empty, got {len(rows)} rows and {len(cols)} columns")
    size = _size(figsize, pr)
    pr.raise_if_any()
    r, c = t.shape
    cfmt = cell_fmt or fmt

    def tick(v: Any, f: Fmt | None) -> str:
        return _clean(v) if isinstance(v, str) else _value(f, v, na_label)

    def draw(fig: Figure, ax: Any) -> str:
        finite = _finite(t)
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (center - 1.0, center + 1.0)
        # a sliver past the threshold on a side with no values, so that the threshold shows on the colour bar
        pad = 0.02 * max(abs(lo - center), abs(hi - center)) or 1.0
        norm = TwoSlopeNorm(vcenter=center, vmin=min(lo, center - pad), vmax=max(hi, center + pad))
        cmap = mpl.colormaps["RdBu"].resampled(64).with_extremes(bad="#DDDDDD")  # 64 steps: a vector colour bar
        mesh = ax.pcolormesh(
            np.arange(c + 1) - 0.5,
            np.arange(r + 1) - 0.5,
            np.ma.masked_invalid(t),
            cmap=cmap,
            norm=norm,
            edgecolors="white",
            linewidth=0.6,
        )
        ax.set_xlim(-0.5, c - 0.5)
        ax.set_ylim(r - 0.5, -0.5)
        ax.set_xticks(range(c), [tick(v, col_fmt) for v in cols])
        ax.set_yticks(range(r), [tick(v, row_fmt) for v in rows])
        ax.tick_params(length=0)
        for s in ax.spines.values():
            s.set_visible(False)
        ax.set_xlabel(_clean(col_label))
        ax.set_ylabel(_wrap(_clean(row_label), 42))  # a long label beside the rows wraps rather than run off the figure
        neg = np.isfinite(t) & (t < center)
        if hatch_negative:
            for i, j in zip(*np.nonzero(neg)):
                ax.add_patch(
                    Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, hatch="///", linewidth=0, hatchcolor=(0, 0, 0, 0.3))
                )
        if zero_outline:
            seg = []
            ok = np.isfinite(t)
            for i in range(r):
                for j in range(c):
                    if j + 1 < c and ok[i, j] and ok[i, j + 1] and neg[i, j] != neg[i, j + 1]:
                        seg.append([(j + 0.5, i - 0.5), (j + 0.5, i + 0.5)])
                    if i + 1 < r and ok[i, j] and ok[i + 1, j] and neg[i, j] != neg[i + 1, j]:
                        seg.append([(j - 0.5, i + 0.5), (j + 0.5, i + 0.5)])
            if seg:
                ax.add_collection(
                    LineCollection(seg, colors="#000000", linewidths=2.2, capstyle="projecting"), autolim=False
                )
        if annotate if annotate is not None else r * c <= 400:
            texts = [[_value(cfmt, t[i, j], na_label) for j in range(c)] for i in range(r)]
            longest = max(len(s) for row in texts for s in row)
            cell_w = size[0] * _CM * 72 * 0.72 / c
            cell_h = size[1] * _CM * 72 * 0.62 / r
            fs = float(np.clip(min(cell_w / (0.62 * max(longest, 1)), cell_h * 0.5), 4.5, 8.0))
            for i in range(r):
                for j in range(c):
                    v = t[i, j]
                    dark = False
                    if math.isfinite(v):
                        red, green, blue, _ = cmap(norm(v))
                        dark = 0.2126 * red + 0.7152 * green + 0.0722 * blue < 0.45
                    ax.text(
                        j, i, texts[i][j], ha="center", va="center", fontsize=fs, color="#FFFFFF" if dark else "#000000"
                    )
        cb = fig.colorbar(mesh, ax=ax, format=_Ticks(fmt), shrink=0.9, pad=0.02)
        cb.ax.set_yscale("linear")  # lengths in proportion to values: a sliver above the threshold stays a sliver
        cb.ax.yaxis.set_major_formatter(_Ticks(fmt))  # the scale's change resets the tick labels
        cb.set_label(_clean(value_label))
        cb.outline.set_visible(False)
        if cb.solids is not None:
            cb.solids.set_rasterized(False)  # no embedded bitmap
        if zero_outline:
            cb.ax.axhline(center, color="#000000", linewidth=2.2)
        n_neg, n_ok = int(neg.sum()), int(np.isfinite(t).sum())
        what = _clean(value_label) or "the result"
        rng = (
            f", from {_value(fmt, finite.min(), na_label)} to {_value(fmt, finite.max(), na_label)}"
            if finite.size
            else ""
        )
        na = f"; {r * c - n_ok} cell{'s are' if r * c - n_ok != 1 else ' is'} undefined" if n_ok < r * c else ""
        return (
            f"Heat map of {what} for {r} value{'s' if r != 1 else ''} of {_clean(row_label) or 'the row input'} "
            f"(rows) and {c} value{'s' if c != 1 else ''} of {_clean(col_label) or 'the column input'} (columns)"
            f"{rng}; {n_neg} of {n_ok} cells are "
            f"{'negative' if center == 0 else 'below ' + _value(fmt, center, na_label)} (red and hatched){na}."
        )

    def turn_labels(fig: Figure, ax: Any) -> bool:
        """Column labels wider than a cell are turned by 45 degrees."""
        renderer = fig.canvas.get_renderer()
        cell_px = ax.get_window_extent(renderer).width / c
        if max(lab.get_window_extent(renderer).width for lab in ax.get_xticklabels()) <= 0.92 * cell_px:
            return False
        ax.tick_params(axis="x", labelrotation=45)
        for lab in ax.get_xticklabels():
            lab.set(horizontalalignment="right", rotation_mode="anchor")
        return True

    return _render(draw, title=title, alt=alt, figsize=size, after_layout=turn_labels)


def _ignored(n_nan: int, n_inf: int) -> str:
    parts = []
    if n_nan:
        parts.append(f"{n_nan} NaN value{'s were' if n_nan != 1 else ' was'} ignored")
    if n_inf:
        parts.append(f"{n_inf} infinite value{'s were' if n_inf != 1 else ' was'} ignored")
    return ("; " + " and ".join(parts)) if parts else ""


def _distribution_inputs(values: Any, percentiles: Mapping[str, float] | None, figsize: Any) -> Any:
    pr = Problems()
    v = _vector("values", values, pr)
    pc: dict[str, float] = {}
    for k, p in (percentiles or {}).items():
        try:
            pc[_clean(k)] = float(p)
        except (TypeError, ValueError):
            pr.add(f"percentiles[{_clean(k)!r}]: must be a number, got {_clean(p)}")
    size = _size(figsize, pr)
    pr.raise_if_any()
    return v, pc, size


_PCT_STYLES: tuple[Any, ...] = (":", "--", "-.", (0, (1, 1)), (0, (4, 1, 1, 1, 1, 1)))


def _percentile_lines(ax: Any, pc: Mapping[str, float], fmt: Fmt | None, na: str) -> tuple[list[Any], list[str]]:
    """Vertical lines at the given percentiles; returns legend handles and ``"P10 = value"`` labels."""
    handles, labels = [], []
    for i, (label, p) in enumerate(pc.items()):
        if not math.isfinite(p):
            continue
        style = _PCT_STYLES[i % len(_PCT_STYLES)]
        handles.append(ax.axvline(p, color="#000000", linewidth=1.0, linestyle=style))
        labels.append(f"{label} = {_value(fmt, p, na)}")
    return handles, labels


def _share_note(ax: Any, text: str) -> None:
    """The caller's annotation of the share below the threshold, boxed in the upper left corner."""
    ax.text(
        0.015,
        0.97,
        text,
        transform=ax.transAxes,
        ha="left",
        va="top",
        fontsize=7.5,
        fontweight="bold",
        bbox={"facecolor": "white", "edgecolor": _VERMILLION, "linewidth": 0.8, "pad": 2.5},
        zorder=5,
    )


def _threshold_label(label: str | None, fmt: Fmt | None, thr: float, na: str) -> str:
    return _clean(label) if label else f"Threshold: {_value(fmt, thr, na)}"


def _share_text(n_below: int, n: int, fmt: Fmt | None, thr: float, na: str) -> str:
    """The part of a distribution chart's alt text saying how much lies below the threshold."""
    return f"; {n_below / n:.0%} of them ({n_below:,}) are below the threshold of {_value(fmt, thr, na)}"


def _reference_lines(
    fig: Figure, ax: Any, pc: Mapping[str, float], fmt: Fmt | None, na: str,
    refs: list[tuple[float, str]], handles: list[Any], labels: list[str],
) -> str:
    """Percentile lines, the keys above the axes and the legend of a distribution chart; the alt text's part."""
    ph, pl = _percentile_lines(ax, pc, fmt, na)
    _top_labels(ax, refs + [(p, k) for k, p in pc.items()])
    _legend(fig, handles + ph, labels + pl)
    return f"; {', '.join(pl)}" if pl else ""


def histogram(
    values: Any,
    *,
    title: str = "Distribution of the simulated results",
    xlabel: str = "",
    ylabel: str = "Number of results",
    fmt: Fmt | None = None,
    threshold: float | None = 0.0,
    threshold_label: str | None = None,
    share_label: str | None = None,
    percentiles: Mapping[str, float] | None = None,
    bins: int | str = "auto",
    below_label: str = "Below the threshold (hatched)",
    above_label: str = "At or above the threshold",
    na_label: str = "n/a",
    no_data_label: str = "No finite values",
    figsize: Sequence[float] = _DEFAULT_SIZE,
    alt: str | None = None,
) -> Chart:
    """Histogram of Monte Carlo results, the part below ``threshold`` shaded and hatched.

    Parameters
    ----------
    values : array_like, shape (n,)
        The results; NaN and infinite values are ignored and counted in ``alt``.
    threshold : float or None
        Bins are aligned so that ``threshold`` is a bin edge; bins below it are
        vermillion and hatched. ``None``: no threshold.
    threshold_label : str, optional
        Label of the threshold line (default ``"Threshold: <fmt(threshold)>"``).
    share_label : str, optional
        The annotation of the shaded part, as the caller words it
        (``"P(NPV < 0) = 87%"``), boxed in the upper left corner; nothing when
        omitted (``alt`` gives the share).
    percentiles : mapping of str to float, optional
        Vertical lines, e.g. ``{"P10": p10, "P50": p50, "P90": p90}`` (values the
        caller computed), each with its own dash pattern, its key written above the
        axes and ``"P10 = <fmt(p10)>"`` in the legend.
    bins : int or str
        As :func:`numpy.histogram_bin_edges` (at most 100 bins are used).
    """
    v, pc, size = _distribution_inputs(values, percentiles, figsize)
    n_nan, n_inf = int(np.isnan(v).sum()), int(np.isinf(v).sum())
    x = _finite(v)
    thr = None if threshold is None else float(threshold)

    def draw(fig: Figure, ax: Any) -> str:
        if x.size == 0:
            _no_data(ax, no_data_label)
            return f"Histogram of {_clean(xlabel) or 'the results'}: no finite values{_ignored(n_nan, n_inf)}."
        edges = np.histogram_bin_edges(x, bins=bins)
        if edges.size > 101:
            edges = np.histogram_bin_edges(x, bins=100)
        w = float(edges[1] - edges[0])
        if thr is not None and math.isfinite(thr) and w > 0 and x.min() < thr <= x.max():
            k0 = math.floor((x.min() - thr) / w)
            k1 = math.ceil((x.max() - thr) / w)
            edges = thr + w * np.arange(k0, max(k1, k0 + 1) + 1)
        counts, edges = np.histogram(x, bins=edges)
        below = np.zeros(counts.size, bool) if thr is None else edges[1:] <= thr
        above = ~below & (counts > 0)  # empty bins draw nothing
        below &= counts > 0
        for mask, color, hatch in ((above, _BLUE, ""), (below, _VERMILLION, _NEG_HATCH)):
            if mask.any():
                ax.bar(
                    edges[:-1][mask],
                    counts[mask],
                    width=np.diff(edges)[mask],
                    align="edge",
                    color=color,
                    hatch=hatch,
                    edgecolor="#FFFFFF" if not hatch else "#000000",
                    linewidth=0.3,
                )
        ax.set_ylim(0, max(counts.max(), 1) * 1.25)
        ax.xaxis.set_major_formatter(_Ticks(fmt))
        ax.yaxis.set_major_formatter(_Ticks(None))
        ax.yaxis.set_major_locator(ticker.MaxNLocator(integer=True))
        ax.set_xlabel(_clean(xlabel))
        ax.set_ylabel(_clean(ylabel))
        _grid(ax, "y")
        with_threshold = thr is not None and math.isfinite(thr)
        handles: list[Any] = [Patch(facecolor=_BLUE, edgecolor="#FFFFFF")] if above.any() and with_threshold else []
        labels = [above_label] if handles else []
        share = ""
        refs: list[tuple[float, str]] = []
        if with_threshold:
            n_below = int((x < thr).sum())
            tl = _threshold_label(threshold_label, fmt, thr, na_label)
            lo, hi = ax.get_xlim()
            if lo <= thr <= hi:
                ax.axvline(thr, color="#000000", linewidth=1.4)
                refs.append((thr, tl))
            if share_label:
                _share_note(ax, _clean(share_label))
            if below.any():
                handles.append(Patch(facecolor=_VERMILLION, hatch=_NEG_HATCH, edgecolor="#000000", linewidth=0.3))
                labels.append(below_label)
            share = _share_text(n_below, x.size, fmt, thr, na_label)
        pct = _reference_lines(fig, ax, pc, fmt, na_label, refs, handles, labels)
        return (
            f"Histogram of {x.size:,} result{'s' if x.size != 1 else ''} of {_clean(xlabel) or 'the simulation'}, "
            f"from {_value(fmt, x.min(), na_label)} to {_value(fmt, x.max(), na_label)}"
            f"{share}{pct}{_ignored(n_nan, n_inf)}."
        )

    return _render(draw, title=title, alt=alt, figsize=size, after_layout=_fit_xticks)


def cdf(
    values: Any,
    *,
    title: str = "Cumulative distribution of the simulated results",
    xlabel: str = "",
    ylabel: str = "Share of results at or below the value",
    fmt: Fmt | None = None,
    pct_fmt: Fmt = _pct,
    threshold: float | None = 0.0,
    threshold_label: str | None = None,
    share_label: str | None = None,
    percentiles: Mapping[str, float] | None = None,
    below_label: str = "Below the threshold (hatched)",
    na_label: str = "n/a",
    no_data_label: str = "No finite values",
    figsize: Sequence[float] = _DEFAULT_SIZE,
    alt: str | None = None,
) -> Chart:
    """Empirical cumulative distribution of Monte Carlo results (the share at or below each value).

    Same arguments as :func:`histogram`; the y axis is a share written by
    ``pct_fmt`` (default ``50%``). The area under the curve left of ``threshold``
    is shaded and hatched and a dotted line marks the share below it. With more
    than 800 finite values the curve is drawn through 800 of the sorted
    values (evenly spaced ranks, first and last included): the same picture in a
    smaller file.
    """
    v, pc, size = _distribution_inputs(values, percentiles, figsize)
    n_nan, n_inf = int(np.isnan(v).sum()), int(np.isinf(v).sum())
    x = np.sort(_finite(v))
    thr = None if threshold is None else float(threshold)

    def draw(fig: Figure, ax: Any) -> str:
        if x.size == 0:
            _no_data(ax, no_data_label)
            return (
                f"Cumulative distribution of {_clean(xlabel) or 'the results'}: no finite values"
                f"{_ignored(n_nan, n_inf)}."
            )
        n = x.size
        ranks = np.arange(1, n + 1)
        if n > 800:
            keep = np.unique(np.linspace(0, n - 1, 800).round().astype(int))
            xs, ys = x[keep], ranks[keep] / n
            ax.plot(np.r_[xs[0], xs], np.r_[0.0, ys], color=_BLUE, linewidth=1.6)
        else:
            xs, ys = x, ranks / n
            ax.step(np.r_[xs[0], xs], np.r_[0.0, ys], where="post", color=_BLUE, linewidth=1.6)
        ax.set_ylim(0, 1.02)
        ax.xaxis.set_major_formatter(_Ticks(fmt))
        _pct_axis(ax.yaxis, pct_fmt)
        ax.set_xlabel(_clean(xlabel))
        ax.set_ylabel(_clean(ylabel))
        _grid(ax, "both")
        share = ""
        refs: list[tuple[float, str]] = []
        handles: list[Any] = []
        labels: list[str] = []
        if thr is not None and math.isfinite(thr):
            n_below = int((x < thr).sum())
            tl = _threshold_label(threshold_label, fmt, thr, na_label)
            lo, hi = ax.get_xlim()
            if lo <= thr <= hi:
                refs.append((thr, tl))
                m = xs <= thr
                if m.any():
                    fx = np.r_[xs[0], xs[m], thr]
                    fy = np.r_[0.0, ys[m], ys[m][-1]]
                    ax.fill_between(
                        fx,
                        0,
                        fy,
                        step="post" if n <= 800 else None,
                        facecolor="#F2C4A6",
                        hatch=_NEG_HATCH,
                        edgecolor=_VERMILLION,
                        linewidth=0,
                    )
                    handles.append(Patch(facecolor="#F2C4A6", hatch=_NEG_HATCH, edgecolor=_VERMILLION, linewidth=0))
                    labels.append(below_label)
                ax.axvline(thr, color="#000000", linewidth=1.4)
                ax.axhline(n_below / n, color=_REF, linewidth=0.9, linestyle=":")
            if share_label:
                _share_note(ax, _clean(share_label))
            share = _share_text(n_below, n, fmt, thr, na_label)
        pct = _reference_lines(fig, ax, pc, fmt, na_label, refs, handles, labels)
        return (
            f"Cumulative distribution of {n:,} result{'s' if n != 1 else ''} of "
            f"{_clean(xlabel) or 'the simulation'}, from {_value(fmt, x[0], na_label)} to "
            f"{_value(fmt, x[-1], na_label)}{share}{pct}{_ignored(n_nan, n_inf)}."
        )

    return _render(draw, title=title, alt=alt, figsize=size, after_layout=_fit_xticks)


def convergence(
    n_iterations: Any,
    series: Mapping[str, Any],
    *,
    title: str = "Convergence of the simulation",
    xlabel: str = "Number of iterations",
    ylabel: str = "",
    fmt: Fmt | None = None,
    na_label: str = "n/a",
    figsize: Sequence[float] = _DEFAULT_SIZE,
    alt: str | None = None,
) -> Chart:
    """Running statistics (mean, percentiles) against the number of iterations, log x axis.

    Parameters
    ----------
    n_iterations : array_like, shape (k,)
        Iteration counts, all > 0.
    series : mapping of str to array_like (k,)
        Each statistic after that many iterations (computed by the caller).
    """
    pr = Problems()
    n_it = _vector("n_iterations", n_iterations, pr)
    pr.check("n_iterations", n_it, lambda a: a > 0, "must be > 0")
    ys = _series("series", series, pr, n_it.size, "n_iterations")
    if not ys:
        pr.add("series: must have at least one series, got 0")
    size = _size(figsize, pr)
    pr.raise_if_any()

    def draw(fig: Figure, ax: Any) -> str:
        handles = []
        for i, (name, y) in enumerate(ys.items()):
            (h,) = ax.plot(n_it, y, **_style(i, n_it.size))
            handles.append(h)
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda v, pos: f"{v:,.0f}"))
        ax.xaxis.set_minor_formatter(ticker.NullFormatter())
        ax.yaxis.set_major_formatter(_Ticks(fmt))
        ax.set_xlabel(_clean(xlabel))
        ax.set_ylabel(_clean(ylabel))
        _grid(ax, "both")
        _legend(fig, handles, list(ys))
        finals = []
        for name, y in ys.items():
            ok = np.isfinite(y)
            finals.append(f"{name} = {_value(fmt, y[ok][-1] if ok.any() else np.nan, na_label)}")
        return (
            f"Convergence of {len(ys)} statistic{'s' if len(ys) != 1 else ''} of {_clean(ylabel) or 'the result'} "
            f"from {n_it.min():,.0f} to {n_it.max():,.0f} iterations (log scale); at the end {', '.join(finals)}."
        )

    return _render(draw, title=title, alt=alt, figsize=size)


def _years(years: Any, pr: Problems, name: str = "years") -> np.ndarray:
    y = _vector(name, years, pr)
    pr.check(name, y, np.isfinite, "must be finite")
    return y


def bars_by_year(
    years: Any,
    series: Mapping[str, Any],
    *,
    title: str = "",
    ylabel: str = "",
    fmt: Fmt | None = None,
    stacked: bool = False,
    line: Mapping[str, Any] | None = None,
    negative_label: str = "Negative values (hatched)",
    na_label: str = "n/a",
    figsize: Sequence[float] = _DEFAULT_SIZE,
    alt: str | None = None,
) -> Chart:
    """Annual bars, side by side or stacked, with optional lines on the same axis and a zero line.

    Each series has its own colour and pattern; every negative bar is also
    hatched (``///``) and the legend says so. Stacked bars stack positive values
    upwards and negative values downwards from 0. NaN values draw no bar.

    Parameters
    ----------
    years : array_like, shape (T,)
        Calendar years (written as integers).
    series : mapping of str to array_like (T,)
        E.g. ``{"Capital injection": -inj, "Dividends": div}``.
    line : mapping of str to array_like (T,), optional
        Lines over the bars in the same unit, e.g. cumulative cash.
    """
    pr = Problems()
    yrs = _years(years, pr)
    bars = _series("series", series, pr, yrs.size, "years")
    lines = _series("line", line, pr, yrs.size, "years")
    if not bars and not lines:
        pr.add("series: must have at least one series, got 0")
    size = _size(figsize, pr)
    pr.raise_if_any()

    def draw(fig: Figure, ax: Any) -> str:
        handles: list[Any] = []
        labels: list[str] = []
        nb = len(bars)
        step = float(np.min(np.diff(np.unique(yrs)))) if np.unique(yrs).size > 1 else 1.0
        width = 0.8 * step / (1 if stacked else max(nb, 1))
        up = np.zeros(yrs.size)
        down = np.zeros(yrs.size)
        any_neg = False
        for i, (name, v) in enumerate(bars.items()):
            color, hatch = _COLORS[i % len(_COLORS)], _HATCHES[i % len(_HATCHES)]
            vals = np.where(np.isfinite(v), v, 0.0)
            if stacked:
                x = yrs
                bottom = np.where(vals >= 0, up, down)
                up = up + np.where(vals >= 0, vals, 0.0)
                down = down + np.where(vals < 0, vals, 0.0)
            else:
                x = yrs + (i - (nb - 1) / 2) * width
                bottom = np.zeros(yrs.size)
            ok = np.isfinite(v) & (vals != 0)  # NaN and zero draw no bar
            cont = ax.bar(
                x[ok],
                vals[ok],
                width=width,
                bottom=bottom[ok],
                color=color,
                hatch=hatch,
                edgecolor="#000000",
                linewidth=0.4,
            )
            for patch, val in zip(cont.patches, vals[ok]):
                if val < 0:
                    patch.set_hatch(hatch + _NEG_HATCH)
                    any_neg = True
            handles.append(Patch(facecolor=color, hatch=hatch, edgecolor="#000000", linewidth=0.4))
            labels.append(name)
        for i, (name, v) in enumerate(lines.items()):
            style = _style(i, yrs.size)
            style["color"] = "#000000" if i == 0 else _COLORS[(i + nb) % len(_COLORS)]
            (h,) = ax.plot(yrs, v, **style, zorder=3)
            handles.append(h)
            labels.append(name)
        if any_neg:
            handles.append(Patch(facecolor="#FFFFFF", hatch=_NEG_HATCH, edgecolor="#000000", linewidth=0.4))
            labels.append(negative_label)
        ax.axhline(0, color="#000000", linewidth=0.9)
        _year_axis(ax.xaxis)
        ax.yaxis.set_major_formatter(_Ticks(fmt))
        ax.set_ylabel(_clean(ylabel))
        _grid(ax, "y")
        _legend(fig, handles, labels)
        parts = []
        for name, v in {**bars, **lines}.items():
            f = _finite(v)
            parts.append(
                f"{name} from {_value(fmt, f.min(), na_label)} to {_value(fmt, f.max(), na_label)}"
                if f.size
                else f"{name} {na_label}"
            )
        kind = "Stacked bar chart" if stacked else "Bar chart"
        return (
            f"{kind} of {_clean(ylabel) or 'annual values'} by year from {int(yrs.min())} to {int(yrs.max())}: "
            f"{'; '.join(parts)}{'; negative values are hatched' if any_neg else ''}."
        )

    return _render(draw, title=title, alt=alt, figsize=size)


def lines_by_year(
    years: Any,
    series: Mapping[str, Any],
    *,
    title: str = "",
    ylabel: str = "",
    fmt: Fmt | None = None,
    threshold: float | None = None,
    threshold_label: str | None = None,
    na_label: str = "n/a",
    figsize: Sequence[float] = _DEFAULT_SIZE,
    alt: str | None = None,
) -> Chart:
    """Annual lines (DSCR, cumulative cash, demand against capacity), an optional labelled threshold.

    NaN leaves a gap (a DSCR in a year without debt service). The threshold is a
    dashed line labelled ``threshold_label`` (default ``"Threshold: <fmt(threshold)>"``);
    without one, a thin line marks 0 when the values cross it.
    """
    pr = Problems()
    yrs = _years(years, pr)
    ys = _series("series", series, pr, yrs.size, "years")
    if not ys:
        pr.add("series: must have at least one series, got 0")
    thr = None if threshold is None else float(threshold)
    if thr is not None and not math.isfinite(thr):
        pr.add(f"threshold: must be a finite number or None, got {threshold}")
    size = _size(figsize, pr)
    pr.raise_if_any()

    def draw(fig: Figure, ax: Any) -> str:
        handles = []
        for i, (name, v) in enumerate(ys.items()):
            (h,) = ax.plot(yrs, v, **_style(i, yrs.size))
            handles.append(h)
        _year_axis(ax.xaxis)
        ax.yaxis.set_major_formatter(_Ticks(fmt))
        ax.set_ylabel(_clean(ylabel))
        _grid(ax, "y")
        note = ""
        if thr is not None:
            tl = _threshold_label(threshold_label, fmt, thr, na_label)
            ax.axhline(thr, color="#000000", linewidth=1.2, linestyle="--")
            lo, hi = ax.get_ylim()
            ax.set_ylim(min(lo, thr), max(hi, thr))
            _hline_label(ax, thr, tl)
            below = [name for name, v in ys.items() if (v[np.isfinite(v)] < thr).any()]
            note = f"; the dashed line marks the threshold of {_value(fmt, thr, na_label)}" + (
                f", and {', '.join(below)} fall{'s' if len(below) == 1 else ''} below it in some years" if below else ""
            )
        else:
            lo, hi = ax.get_ylim()
            if lo < 0 < hi:
                ax.axhline(0, color="#000000", linewidth=0.8)
        _legend(fig, handles, list(ys))
        parts = []
        for name, v in ys.items():
            f = _finite(v)
            parts.append(
                f"{name} from {_value(fmt, f.min(), na_label)} to {_value(fmt, f.max(), na_label)}"
                if f.size
                else f"{name} {na_label}"
            )
        return (
            f"Line chart of {_clean(ylabel) or 'annual values'} by year from {int(yrs.min())} to {int(yrs.max())}: "
            f"{'; '.join(parts)}{note}."
        )

    return _render(draw, title=title, alt=alt, figsize=size)


def fan(
    years: Any,
    median: Any,
    bands: Sequence[tuple[Any, Any, str]],
    history_years: Any = None,
    history: Any = None,
    *,
    title: str = "Forecast",
    ylabel: str = "",
    fmt: Fmt | None = None,
    median_label: str = "Median forecast",
    history_label: str = "History",
    forecast_label: str = "Forecast",
    na_label: str = "n/a",
    figsize: Sequence[float] = _DEFAULT_SIZE,
    alt: str | None = None,
) -> Chart:
    """Forecast fan chart: the median, shaded bands (widest lightest) and the history.

    Parameters
    ----------
    years, median : array_like, shape (T,)
        Forecast years and the median (or central) forecast.
    bands : sequence of (lower, upper, label)
        Intervals around the median, e.g. ``[(lo95, hi95, "95% interval"),
        (lo80, hi80, "80% interval")]``, in any order.
    history_years, history : array_like, shape (H,), optional
        Observed values, drawn as a solid black line with dots; a dotted vertical
        line labelled ``forecast_label`` marks where the forecast starts.
    """
    pr = Problems()
    yrs = _years(years, pr)
    med = _vector("median", median, pr, yrs.size, "years")
    bl: list[tuple[np.ndarray, np.ndarray, str]] = []
    for i, band in enumerate(bands or ()):
        try:
            lower, upper, label = band
        except (TypeError, ValueError):
            pr.add(f"bands[{i}]: must be (lower, upper, label), got {_clean(repr(band))[:60]}")
            continue
        bl.append(
            (
                _vector(f"bands[{i}].lower", lower, pr, yrs.size, "years"),
                _vector(f"bands[{i}].upper", upper, pr, yrs.size, "years"),
                _clean(label),
            )
        )
    hy = hv = None
    if (history_years is None) != (history is None):
        pr.add("history_years, history: give both or neither")
    elif history is not None:
        hy = _years(history_years, pr, "history_years")
        hv = _vector("history", history, pr, hy.size, "history_years")
    size = _size(figsize, pr)
    pr.raise_if_any()

    def draw(fig: Figure, ax: Any) -> str:
        handles: list[Any] = []
        labels: list[str] = []
        with np.errstate(invalid="ignore"):
            widths = [float(np.nanmean(np.abs(u - lo))) if np.isfinite(u - lo).any() else 0.0 for lo, u, _ in bl]
        ranked = sorted(range(len(bl)), key=lambda i: -widths[i])
        shades = np.linspace(0.22, 0.55, max(len(bl), 1))
        for rank, i in enumerate(ranked):
            lo, up, label = bl[i]
            h = ax.fill_between(yrs, lo, up, facecolor=_BLUE, alpha=float(shades[rank]), linewidth=0)
            handles.append(h)
            labels.append(label)
        (hm,) = ax.plot(
            yrs, med, color=_BLUE, linewidth=1.8, marker="o", markersize=3, markevery=max(1, yrs.size // 20)
        )
        handles.insert(0, hm)
        labels.insert(0, median_label)
        if hy is not None and hv is not None and hy.size:
            (hh,) = ax.plot(hy, hv, color="#000000", linewidth=1.6, marker=".", markersize=4)
            handles.insert(0, hh)
            labels.insert(0, history_label)
            start = float(yrs.min()) if yrs.size else float(hy.max())
            ax.axvline(start, color=_REF, linewidth=0.9, linestyle=":")
            ax.annotate(
                _clean(forecast_label) + " \u2192",
                xy=(start, 1),
                xycoords=ax.get_xaxis_transform(),
                xytext=(2, 2),
                textcoords="offset points",
                ha="left",
                va="bottom",
                fontsize=7,
                color=_REF,
            )
        _year_axis(ax.xaxis)
        ax.yaxis.set_major_formatter(_Ticks(fmt))
        ax.set_ylabel(_clean(ylabel))
        _grid(ax, "y")
        _legend(fig, handles, labels)
        hist = f"history from {int(hy.min())} to {int(hy.max())}, " if hy is not None and hy.size else ""
        ok = np.isfinite(med)
        first = (
            f"median from {_value(fmt, med[ok][0], na_label)} in {int(yrs[ok][0])} to "
            f"{_value(fmt, med[ok][-1], na_label)} in {int(yrs[ok][-1])}"
            if ok.any()
            else "no median"
        )
        bands_txt = f", with {', '.join(labels[-len(bl) :])}" if bl else ""
        return f"Fan chart of {_clean(ylabel) or 'the forecast'}: {hist}{first}{bands_txt}."

    return _render(draw, title=title, alt=alt, figsize=size)
