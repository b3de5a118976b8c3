"""The words a person reads for a quantity of a case: its label, unit and heading, in either language.

The case schema describes every quantity in English; the locale catalogs
translate (``[studio_fields]``, ``[studio_units]``, ``[studio_groups]``). The
studio's inputs, the council report's tables and charts and the CLI all name an
input through these functions, so that no reader meets a configuration key
(``port.capex.wharf.amount_idr``) where a name is due.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ..case import Case, in_lang
from ..case.options import split_option_path
from .i18n import catalog

__all__ = ["description", "group_title", "input_label", "input_name", "owner_label", "short_label", "unit_label"]


def _walk(case: Case, parts: Sequence[str]) -> Any:
    obj: Any = case
    for p in parts:
        obj = obj.get(p) if isinstance(obj, dict) else getattr(obj, p, None)
        if obj is None:
            return None
    return obj


def _in_option(case: Case, path: str) -> tuple[Case, str]:
    """An option's own number (``options.<key>.merge.<path>``) as the option's case and the path in it."""
    own = split_option_path(path)
    if own is not None and own[0] in case.options:
        return case.option(own[0]), own[1]
    return case, path


def description(case: Case, path: str) -> str:
    """The schema's description of a quantity field (English), '' when it has none."""
    case, path = _in_option(case, path)
    parts = path.split(".")
    parent = _walk(case, parts[:-1])
    fields = type(parent).model_fields if parent is not None and hasattr(type(parent), "model_fields") else {}
    f = fields.get(parts[-1])
    return (f.description or "") if f is not None else ""


_STRUCTURE = {"revenue", "opex", "capex", "build_up", "phases", "loans", "allocation", "economic_life_years", "overhead",
              "ramp_up_curve", "capital_injection", "conversion_factors", "benefits", "externalities", "top_down", "forecast", "anchors"}
_SUFFIXES = ("_idr_per_year", "_idr_per_", "_idr_nominal", "_idr")


def _pretty(name: str) -> str:
    for s in _SUFFIXES:
        i = name.find(s)
        if i > 0:
            name = name[:i]
            break
    return name.replace("_", " ")


def input_label(case: Case, path: str, lang: str) -> str:
    """The label of an input: the first clause of its schema description, in ``lang``."""
    text = description(case, path)
    if not text:
        return _pretty(path.rsplit(".", 1)[-1])
    return _cut(catalog(lang).get("studio_fields", {}).get(text, text), ";")


def unit_label(unit: str, lang: str) -> str:
    """A quantity's unit in ``lang`` (the schema's units are English)."""
    return catalog(lang).get("studio_units", {}).get(unit, unit)


def input_name(path: str) -> str:
    """A short name of an input for charts and tables (``port wharf trestle: amount``)."""
    parts = path.split(".")
    leaf = _pretty(parts[-1])
    owners = [p for p in parts[:-1] if p not in _STRUCTURE]
    owner = owners[-1] if owners else ""
    if parts[0] in ("port", "lab") and owner and owner != parts[0] and not owner.startswith(parts[0]):
        owner = f"{parts[0]} {owner}"
    return f"{_pretty(owner)}: {leaf}" if owner else leaf


def _group_words(case: Case, path: str, lang: str) -> list[str]:
    """The parts of an input's heading: business line, revenue stream, then sections and items."""
    case, path = _in_option(case, path)
    parts = path.split(".")[:-1]
    groups = catalog(lang).get("studio_groups", {})
    # every line the file defines: a line the plan leaves out (the options run it) is named like the others
    lines = case.defined_lines()
    out: list[str] = []
    i = 0
    if parts and parts[0] in lines:
        out.append(in_lang(lines[parts[0]].name, lang))
        i = 1
        if len(parts) > 2 and parts[1] == "revenue":
            st = lines[parts[0]].revenue.get(parts[2])
            label = in_lang(st.label, lang) if st is not None else ""
            out.append(label or groups.get(parts[2], parts[2].replace("_", " ")))
            i = 3
            named = _named_item(st, parts[3:], lang)  # a cargo type or an anchor shipper, by its label
            if named:
                out += [groups.get(parts[-2], parts[-2].replace("_", " ")), named]
                i = len(parts)
    elif len(parts) > 3 and parts[:2] == ["economic", "traffic"] and parts[2] in case.defined_lines():
        # the traffic of a stream is named by the stream's label, as its revenue is
        line = case.defined_lines()[parts[2]]
        st = line.revenue.get(parts[3])
        out += [groups.get("economic", "economic"), groups.get("traffic", "traffic"),
                (in_lang(st.label, lang) if st is not None and st.label else "") or groups.get(parts[3], parts[3].replace("_", " "))]
        i = 4
    elif len(parts) > 2 and parts[:2] == ["economic", "benefits"] and case.economic is not None and parts[2] in case.economic.benefits:
        out += [groups.get("economic", "economic"), _drop_aside(in_lang(case.economic.benefits[parts[2]].label, lang))]
        i = 3
    elif len(parts) > 2 and parts[:2] == ["economic", "externalities"] and case.economic is not None and parts[2] in case.economic.externalities:
        # an external effect is named by its label, as a benefit stream is
        out += [groups.get("economic", "economic"), _drop_aside(in_lang(case.economic.externalities[parts[2]].label, lang))]
        i = 3
    elif len(parts) > 1 and parts[0] == "participations":
        # a stake is named by its label ("Saham di perusahaan pelabuhan bersama"), wherever it is defined
        out.append(_participation_label(case, parts[1], lang) or parts[1].replace("_", " "))
        i = 2
    # "phases" before a phase's name says nothing a reader needs
    out += [groups.get(p, p.replace("_", " ")) for p in parts[i:] if p != "phases"]
    return out


def _named_item(st: Any, rest: list[str], lang: str) -> str:
    """The label of a stream's cargo type (``cargo_types.NAME``) or anchor shipper (``build_up.anchors.NAME``), else ''."""
    if st is None:
        return ""
    if rest[:1] == ["cargo_types"] and len(rest) == 2 and rest[1] in getattr(st, "cargo_types", {}):
        return _drop_aside(in_lang(st.cargo_types[rest[1]].label, lang)) or rest[1]
    bu = getattr(st, "build_up", None)
    if rest[:2] == ["build_up", "anchors"] and len(rest) == 3 and bu is not None and rest[2] in getattr(bu, "anchors", {}):
        return _drop_aside(in_lang(bu.anchors[rest[2]].label, lang)) or rest[2]
    return ""


def _participation_label(case: Case, key: str, lang: str) -> str:
    """The label of a participation of the case or of an option's merge (the register lists both); "" when none."""
    if key in case.participations:
        return in_lang(case.participations[key].label, lang)
    for opt in case.options.values():
        label = opt.merge.get("participations", {}).get(key, {}).get("label")  # a merge is the case file's raw table
        if isinstance(label, dict):
            return str(label.get(lang) or label.get("en") or "")
        if isinstance(label, str):
            return label
    return ""


def group_title(case: Case, path: str, lang: str) -> str:
    """The heading an input is shown under (``Port terminal (BUP) \u203a Cargo handling ...``)."""
    out = _group_words(case, path, lang)
    if not out:
        return ""
    out[0] = out[0][:1].upper() + out[0][1:]
    return " \u203a ".join(out)


def owner_label(case: Case, path: str, lang: str) -> str:
    """An input named for a sentence: its nearest heading and its label (``cargo handling: tariff``)."""
    out = _group_words(case, path, lang)
    label = input_label(case, path, lang)
    return f"{out[-1]}: {label}" if out else label


def _cut(text: str, sep: str) -> str:
    """The text up to its first ``sep`` outside parentheses."""
    depth = 0
    for i, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if ch == sep and depth == 0:
            return text[:i].strip()
    return text.strip()


def _drop_aside(text: str) -> str:
    """The text without its parentheses (``Cargo handling (general cargo and dry bulk)`` -> ``Cargo handling``)."""
    return re.sub(r"\s*\([^()]*\)", "", text).strip() or text


def short_label(case: Case, path: str, lang: str) -> str:
    """An input named in a few words for a table cell or a chart axis (``Cargo handling: tariff``).

    The owner is the revenue stream for a stream's inputs (its build-up
    included), else the nearest heading; the label is the description's first
    phrase (up to a comma).
    """
    out = _group_words(case, path, lang)
    label = _cut(input_label(case, path, lang), ",")
    path = _in_option(case, path)[1]
    if not out:
        return label[:1].upper() + label[1:]
    # a cargo type or an anchor shipper is its own owner ("Dry bulk: gross handling productivity"), not the stream
    owner = out[1] if ".revenue." in path and len(out) > 1 and not re.search(r"\.(cargo_types|anchors)\.", path) else out[-1]
    owner = _drop_aside(owner)
    return f"{owner[:1].upper() + owner[1:]}: {label}"

