"""The studio's inputs: which tab a quantity belongs to, the limits of its widgets, its words.

Everything here is a pure function of a case (or a quantity), so the studio's
widgets, the tests and the browser test agree on what an input allows:

* :func:`tab_of`: the tab of a quantity path (one of :data:`TABS`);
* :func:`widget_limits`, :func:`limits`: a text field's ``min``/``max``, the
  range the case schema allows (narrowed by rules across fields);
* :func:`slider_range`, :func:`slider_grid`: a slider over the declared
  plausible range with the case's value on its grid;
* :func:`input_label`, :func:`unit_label`, :func:`group_title`,
  :func:`tooltip`: the words a person reads, from the schema's descriptions
  and the locale catalogs (``[studio_fields]``, ``[studio_units]``,
  ``[studio_groups]``: the schema speaks English, the catalogs translate);
* :func:`outside_plausible`: the inputs outside the ``low``/``high`` range the
  case declares, which a verdict must not hide;
* :func:`entry_scale`, :func:`entry_unit`, :func:`parse_entry`,
  :func:`format_entry`, :func:`check_entry`: what a person types into a field,
  in the studio's language (Indonesian ``71.000`` and ``0,22``; money amounts
  in miliar or juta rupiah), read strictly: an ambiguous or out-of-range entry
  is refused with a message, never changed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
from babel.numbers import NumberFormatError, format_decimal, get_decimal_symbol, get_group_symbol, parse_decimal

from ..case import Case, Quantity
from ..case.schema import MAGNITUDE_MAX
from ..present.i18n import LOCALES, Formatter, catalog
from ..present.labels import description, group_title, input_label, input_name, owner_label, unit_label

__all__ = [
    "TABS",
    "UNBOUNDED",
    "EntryError",
    "check_entry",
    "clean_float",
    "cross_limits",
    "css_name",
    "description",
    "entry_scale",
    "entry_unit",
    "format_entry",
    "group_title",
    "input_label",
    "input_name",
    "limits",
    "on_grid",
    "outside_plausible",
    "owner_label",
    "parse_entry",
    "person_label",
    "range_words",
    "rule_text",
    "show_value",
    "slider_grid",
    "slider_range",
    "tab_of",
    "tooltip",
    "unit_label",
    "widget_limits",
    "words",
]

#: the input tabs, in order
TABS: tuple[str, ...] = ("demand", "tariffs", "capex", "opex", "financing", "tax")

#: the largest number a text field takes where the schema sets no upper limit: the largest size any number
#: of a case may have (:data:`feasibility.case.schema.MAGNITUDE_MAX`)
UNBOUNDED = MAGNITUDE_MAX


def words(lang: str, section: str = "studio") -> dict[str, str]:
    """The studio's words in ``lang``: a section of the locale catalog (``studio``, ``studio_risk``, ...).

    Raises
    ------
    ValueError
        For a language without a catalog.
    """
    return catalog(lang)[section]


# ---------------------------------------------------------------------------
# where an input goes and what it allows


def tab_of(path: str) -> str | None:
    """The studio tab of a quantity path (one of :data:`TABS`), or None when the studio does not show it.

    The economic analysis (``economic.*``) is not a studio input: it does not
    move the financial cards.
    """
    last = path.rsplit(".", 1)[-1]
    parts = path.split(".")
    if ".cargo_types." in path and last in ("productivity_tonnes_per_hour", "parcel_tonnes_per_call", "gt_per_call",
                                            "stacking_density_tonnes_per_m2", "dwell_days"):
        return "capex"  # a cargo type's handling and ships, beside the port's capacity
    if ".revenue." in path:
        if last.startswith("tariff_"):
            return "tariffs"
        if last.startswith("variable_cost_") or last == "cost_escalation_real_per_year":
            return "opex"
        return "demand"
    if ".capex." in path or path.startswith(("port.capacity.", "port.marine.", "residual_value.")):
        return "capex"
    if ".opex." in path or path.startswith(("bumd.overhead.", "working_capital.")) or last == "concession_fee_share_of_revenue":
        return "opex"
    if path.startswith(("financing.", "macro.", "ppp.", "participations.")) or path == "region.discount_rate_nominal":
        return "financing"
    if parts[0] in ("tax", "bumd", "region"):
        return "tax"
    return None


def widget_limits(q: Quantity | type[Quantity]) -> tuple[float, float]:
    """The ``min`` and ``max`` of a quantity's text field: the range its schema allows.

    A strict bound (``gt``/``lt``) becomes the nearest float inside it; no
    bound becomes :data:`UNBOUNDED` (the largest size a case's number may have).
    """
    ge, le, gt, lt = (q if isinstance(q, type) else type(q)).bounds
    lo = float(ge) if ge is not None else float(np.nextafter(gt, np.inf)) if gt is not None else -UNBOUNDED
    hi = float(le) if le is not None else float(np.nextafter(lt, -np.inf)) if lt is not None else UNBOUNDED
    return lo, hi


def cross_limits(case: Case, path: str) -> tuple[float, float] | None:
    """Tighter limits where a rule across fields narrows a quantity's own range (PP 54/2017 ownership)."""
    if path == "bumd.ownership_share_region":
        return (1.0, 1.0) if case.bumd.form == "perumda" else (0.51, 1.0)
    return None


def limits(case: Case, path: str, q: Quantity) -> tuple[float, float]:
    """The limits of an input's text field: the schema's range, narrowed by :func:`cross_limits`."""
    lo, hi = widget_limits(q)
    extra = cross_limits(case, path)
    if extra is not None:
        lo, hi = max(lo, extra[0]), min(hi, extra[1])
    return lo, hi


def rule_text(case: Case, path: str, q: Quantity) -> str:
    """The allowed range in words (``>= 0 and <= 0.6``), with the cross-field rule where one applies."""
    if cross_limits(case, path) is None:
        return type(q).rule()
    lo, hi = limits(case, path, q)
    return f">= {lo:g} and <= {hi:g}"


# ---------------------------------------------------------------------------
# sliders


def _nice_step(span: float) -> float:
    """A slider step of about 1/200 of its span: 1, 2 or 5 times a power of ten."""
    if not math.isfinite(span) or span <= 0:
        return 1.0
    raw = span / 200.0
    p = 10.0 ** math.floor(math.log10(raw))
    for m in (1.0, 2.0, 5.0, 10.0):
        if raw <= m * p:
            return m * p
    return 10.0 * p


def clean_float(x: float) -> float:
    """A slider's value without the float noise of ``min + k * step`` (12 significant digits)."""
    return float(f"{x:.12g}")


def slider_grid(value: float, lo: float, hi: float) -> tuple[float, float, float]:
    """Slider min, max and step with ``value`` on the slider's grid (min + k step).

    A browser slider snaps the value it is given to its grid and sends the
    snapped value back: with the case's value on the grid that is only float
    noise, which the studio ignores (less than half a step), so showing a
    slider never changes an input.
    """
    step = _nice_step(hi - lo)
    below = math.floor((value - lo) / step + 1e-9)
    above = math.floor((hi - value) / step + 1e-9)
    s_lo = max(min(clean_float(value - below * step), value), lo)
    s_hi = min(max(clean_float(value + above * step), value), hi)
    return s_lo, s_hi, step


def on_grid(value: float, lo: float, hi: float, step: float) -> float:
    """Where a slider from ``lo`` to ``hi`` in steps of ``step`` shows ``value``: the nearest step, within the span."""
    k = round((min(max(value, lo), hi) - lo) / step)
    return min(max(clean_float(lo + k * step), lo), hi)


def slider_range(case: Case, path: str, q: Quantity) -> tuple[float, float] | None:
    """The slider's span: the declared low/high, else the allowed range when it is finite; None for no slider."""
    lo_allowed, hi_allowed = limits(case, path, q)
    if q.low is not None and q.high is not None:
        lo, hi = float(q.low), float(q.high)
    elif lo_allowed > -UNBOUNDED and hi_allowed < UNBOUNDED:
        lo, hi = lo_allowed, hi_allowed
    else:
        return None
    v = float(q.value)
    lo, hi = max(min(lo, v), lo_allowed), min(max(hi, v), hi_allowed)
    return (lo, hi) if hi > lo else None


def show_value(fmt: Formatter, x: float, unit: str) -> str:
    """A value in a person's words: money in scale words, fractions as per cent."""
    if unit.startswith("IDR"):
        return fmt.money(x)
    if unit.startswith("fraction"):
        return fmt.percent(x, 2)
    digits = 0 if float(x).is_integer() or abs(x) >= 100 else 2
    return fmt.number(x, digits)


def tooltip(case: Case, path: str, q: Quantity, lang: str) -> str:
    """What hovering an input's label shows: path, full description, allowed range, provenance."""
    w, msg = words(lang), catalog(lang)
    fmt = Formatter(lang)
    text = description(case, path)
    lines = [path, msg.get("studio_fields", {}).get(text, text), f"{w['tip_allowed']}: {rule_text(case, path, q)}"]
    if q.low is not None and q.high is not None:
        lines.append(w["tip_range"].format(low=show_value(fmt, q.low, q.unit), high=show_value(fmt, q.high, q.unit)))
    lines.append(f"{w['tip_source']}: {q.source}" + (f" ({q.year})" if q.year else ""))
    lines.append(f"{w['tip_confidence']}: {msg['confidence'].get(q.confidence, q.confidence)}")
    if q.note:
        lines.append(f"{w['tip_note']}: {q.note}")
    return "\n".join(line for line in lines if line)


def css_name(path: str) -> str:
    """The CSS class that marks an input's widgets (the browser test finds them by it)."""
    return "fs-" + "".join(ch if ch.isalnum() or ch in "-_" else "--" for ch in path)


# ---------------------------------------------------------------------------
# plausibility


def outside_plausible(case: Case, overrides: Mapping[str, Any]) -> list[tuple[str, float, float, float]]:
    """The inputs whose value lies outside the plausible range the case declares for them.

    Parameters
    ----------
    case : Case
    overrides : mapping
        Current values by quantity path (others are the case's own, which the
        schema keeps inside their ranges).

    Returns
    -------
    list of (path, value, low, high)
        In the case's order; quantities without ``low``/``high`` are never outside.
    """
    out = []
    qmap = case.quantity_map()
    for path, v in overrides.items():
        q = qmap.get(path)
        if q is None or q.is_list or q.low is None or q.high is None:
            continue
        if not float(q.low) <= float(v) <= float(q.high):
            out.append((path, float(v), float(q.low), float(q.high)))
    order = {p: i for i, p in enumerate(qmap)}
    return sorted(out, key=lambda r: order[r[0]])



# ---------------------------------------------------------------------------
# what a person types

#: money amounts (not prices per unit): typed in miliar or juta rupiah, as people think of them
MONEY_AMOUNT_UNITS: tuple[str, ...] = ("IDR", "IDR per year", "IDR (nominal)")


class EntryError(ValueError):
    """An entry the studio refuses; the message is in the studio's language and says what to type."""


def entry_scale(q: Quantity) -> float:
    """Rupiah per unit typed in a quantity's field: 1e9 (miliar), 1e6 (juta) for money amounts, else 1.

    The scale follows the size of the case's value and range, so a field
    never switches scale while a person types.
    """
    if q.unit not in MONEY_AMOUNT_UNITS:
        return 1.0
    values = list(q.value) if q.is_list else [q.value]
    size = max([abs(float(v)) for v in values] + [abs(float(x)) for x in (q.low, q.high) if x is not None])
    return 1e9 if size >= 1e9 else 1e6 if size >= 1e6 else 1.0


def entry_unit(q: Quantity, lang: str, scale: float) -> str:
    """The unit of what is typed: ``Rp miliar per tahun`` / ``IDR billion per year`` for a scaled amount."""
    label = unit_label(q.unit, lang)
    if scale == 1.0:
        return label
    symbol = "Rp" if lang == "id" else "IDR"
    return label.replace(symbol, f"{symbol} {words(lang)['scale_bn' if scale == 1e9 else 'scale_mn']}", 1)


def format_entry(x: float, lang: str, scale: float = 1.0) -> str:
    """A value as the field shows it, in the unit typed: ``71.000`` (id) / ``71,000`` (en), ``0,22``, ``157`` (miliar).

    Twelve significant digits at most (no float noise); what it shows reads back
    to the same value with :func:`parse_entry`.
    """
    v = float(f"{float(x) / scale:.12g}")
    if v == 0:
        v = 0.0
    return format_decimal(v, format="#,##0.############", locale=LOCALES[lang])


def _read(text: str, locale: str) -> float:
    return float(parse_decimal(text, locale=locale, strict=True))


def parse_entry(text: str, lang: str, *, percent: bool = False, scale: float = 1.0) -> float:
    """What a person typed, as the model's value (rupiah, fractions, ...).

    Parameters
    ----------
    text : str
        As typed: the studio's language decides the separators (Indonesian
        ``71.000`` is seventy-one thousand and ``0,22`` a fraction; English
        ``71,000`` and ``0.22``). ``1e9`` is read too.
    lang : {"id", "en"}
    percent : bool
        The quantity is a fraction: ``22%`` is read as 0.22.
    scale : float
        The field's unit in the model's (:func:`entry_scale`): ``157`` in a
        field of miliar rupiah is 157e9.

    Raises
    ------
    EntryError
        Empty, not a number in the language, a per cent where none is meant,
        not finite, or ambiguous: one decimal separator followed by exactly
        three digits, which the other language reads as a thousands separator
        (``71,000`` in Indonesian, ``71.000`` in English).
    """
    t = words(lang)
    s = text.strip().replace("\u00a0", "").replace(" ", "").replace("\u2212", "-")
    if not s:
        raise EntryError(t["entry_empty"])
    is_pct = s.endswith("%")
    if is_pct:
        if not percent:
            raise EntryError(t["entry_no_percent"].format(text=text.strip()))
        s = s[:-1]
    locale = LOCALES[lang]
    try:
        x = _read(s, locale)
    except (NumberFormatError, ValueError):
        raise EntryError(t["entry_not_number"].format(text=text.strip(), example=format_entry(71000.5, lang))) from None
    dec, grp = get_decimal_symbol(locale), get_group_symbol(locale)
    if grp not in s and re.fullmatch(r"[-+]?[1-9]\d{0,2}" + re.escape(dec) + r"\d{3}", s):
        other = next(loc for loc in LOCALES.values() if loc != locale)
        try:
            y = _read(s, other)
        except (NumberFormatError, ValueError):
            y = x
        if y != x:
            raise EntryError(t["entry_ambiguous"].format(text=text.strip(), a=format_entry(x, lang), b=format_entry(y, lang)))
    if not math.isfinite(x):
        raise EntryError(t["entry_not_number"].format(text=text.strip(), example=format_entry(71000.5, lang)))
    return (x / 100.0 if is_pct else x) * scale


def range_words(case: Case, path: str, q: Quantity, lang: str, scale: float = 1.0) -> str:
    """The range the schema allows, in words and in the field's unit: ``antara 0 dan 0,6``, ``at least 0``."""
    t = words(lang)
    ge, le, gt, lt = type(q).bounds
    lo_txt = lo_key = hi_txt = hi_key = None
    extra = cross_limits(case, path)
    if extra is not None:
        ge, gt, le, lt = extra[0], None, extra[1], None
    if ge is not None or gt is not None:
        lo_txt, lo_key = format_entry(ge if ge is not None else gt, lang, scale), ("lo_ge" if ge is not None else "lo_gt")
    if le is not None or lt is not None:
        hi_txt, hi_key = format_entry(le if le is not None else lt, lang, scale), ("hi_le" if le is not None else "hi_lt")
    parts = [t[f"entry_{lo_key}"].format(x=lo_txt)] if lo_txt is not None else []
    parts += [t[f"entry_{hi_key}"].format(x=hi_txt)] if hi_txt is not None else []
    return t["entry_and"].join(parts) if parts else t["entry_any"]


def person_label(case: Case, path: str, lang: str) -> str:
    """An input named as a sentence starts: its owner and description (``Cargo handling (...): tariff, base-year prices``)."""
    text = owner_label(case, path, lang)
    return text[:1].upper() + text[1:]


def check_entry(case: Case, path: str, q: Quantity, text: str, lang: str) -> float:
    """An entry read (:func:`parse_entry`) and checked against the range the schema allows.

    Returns
    -------
    float
        The model's value.

    Raises
    ------
    EntryError
        The message names the input, what was typed and what is allowed, and
        for a fraction typed as a per cent number, what to type instead.
    """
    t = words(lang)
    scale = entry_scale(q)
    is_fraction = q.unit.startswith("fraction")
    x = parse_entry(text, lang, percent=is_fraction, scale=scale)
    lo, hi = limits(case, path, q)
    if lo <= x <= hi:
        return x
    msg = t["entry_outside"].format(name=person_label(case, path, lang), text=text.strip(), unit=entry_unit(q, lang, scale),
                                    allowed=range_words(case, path, q, lang, scale))
    if is_fraction and lo <= x / 100.0 <= hi:
        msg += " " + t["entry_percent_hint"].format(a=format_entry(x / 100.0, lang), b=text.strip())
    raise EntryError(msg)
