"""The technical section: berth occupancy and unmet cargo, and the capital cost items with their allowances."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ...case import in_lang
from ...model.inputs import cargo_type_values, resolve, typed_cargo
from ..i18n import Formatter
from ..labels import short_label
from .common import NoteView, anchor, metric_value, notes_for, phases

if TYPE_CHECKING:
    from ...study import Study

__all__ = ["CapexRow", "Technical", "capex_rows", "initial_capex_idr", "item_total_idr", "technical"]


@dataclass(frozen=True)
class CapexRow:
    """A capital cost item: base cost, contingency and optimism bias, and the total they make."""

    path: str
    label: str
    anchor: str
    base: str
    contingency: str
    ob: str
    total: str
    confidence: str


@dataclass(frozen=True)
class Technical:
    intro: str
    capex_rows: list[CapexRow]
    capex_total: str
    notes: list[NoteView]


#: the marine inputs an amount worked out from the site's geometry rests on (its confidence is the lowest of theirs)
_MARINE_INPUTS = {
    "marine.trestle": ("trestle_length_m", "trestle_cost_idr_per_m"),
    "marine.capital_dredging": ("seabed_slope", "ship_draft_m", "dredging_cost_idr_per_m3"),
}
_RANK = ("placeholder", "estimate", "secondary", "verified")


def base_amounts_idr(case: Any) -> dict[tuple[str, str], float]:
    """Each capex item's base cost (base-year prices, before uplifts), by (line, item): as given, or from the marine works."""
    return {(ln.key, c.name): float(c.amount) for ln in resolve(case).lines for c in ln.capex}


def amount_confidence(line: Any, item: Any) -> str:
    """The confidence of a capex item's base cost: its own, or the lowest of the marine inputs it is worked out from."""
    if item.amount_from is None:
        return item.amount_idr.confidence
    return min((getattr(line.marine, f).confidence for f in _MARINE_INPUTS[item.amount_from]), key=_RANK.index)


def item_total_idr(item: Any, amount: float) -> float:
    """A capex item's base cost with its contingency and optimism-bias uplift (HM Treasury Green Book), base-year prices."""
    cont = item.contingency.value if item.contingency else 0.0
    ob = item.optimism_bias.value if item.optimism_bias else 0.0
    return float(amount) * (1 + cont) * (1 + ob)


def initial_capex_idr(study: Study) -> float:
    """The plan's construction cost: every capex item of its lines once (no renewals, no expansion), base-year prices."""
    base = base_amounts_idr(study.case)
    return sum(item_total_idr(item, base[key, n]) for key, line in study.case.lines().items() for n, item in line.capex.items())


def capex_rows(study: Study, fmt: Formatter) -> list[CapexRow]:
    """Every capex item of every business line, in the case's order (nominal amounts, before escalation)."""
    out = []
    base = base_amounts_idr(study.case)
    for key, line in study.case.lines().items():
        for name, item in line.capex.items():
            amount = base[key, name]
            cont = item.contingency.value if item.contingency else 0.0
            ob = item.optimism_bias.value if item.optimism_bias else 0.0
            out.append(
                CapexRow(
                    path=f"{key}.capex.{name}",
                    # the line's name and the item's: "Terminal pelabuhan (BUP): Lahan", never the configuration key
                    label=f"{in_lang(line.name, fmt.lang)}: {short_label(study.case, f'{key}.capex.{name}.amount_idr', fmt.lang).split(':')[0]}",
                    # an amount worked out from the marine works links to the unit price it rests on
                    anchor=anchor(f"{key}.marine.{_MARINE_INPUTS[item.amount_from][-1]}" if item.amount_from else f"{key}.capex.{name}.amount_idr"),
                    base=fmt.money(amount),
                    contingency=fmt.percent(cont, 0),
                    ob=fmt.percent(ob, 0),
                    total=fmt.money(item_total_idr(item, amount)),
                    confidence=amount_confidence(line, item),
                )
            )
    return out


def technical(study: Study, fmt: Formatter) -> Technical:
    """The technical section.

    Parameters
    ----------
    study : Study
    fmt : Formatter

    Returns
    -------
    Technical
    """
    m = study.result.metrics
    intro = fmt.msg["report"]["technical_intro"].format(
        occ=metric_value(fmt, m, "berth_occupancy_max"), unmet=metric_value(fmt, m, "cargo_unmet_tonnes")
    )
    annual = study.result.annual
    if "ship_waiting_hours_per_call" in annual:
        # the ships' waiting for a berth (M/E2/c), in the year it is longest
        wait = annual["ship_waiting_hours_per_call"].to_numpy()
        i = int(np.argmax(wait))
        row = annual.iloc[i]
        # the longest wait held in every later year is said "from that year on", not as one year's peak
        held = bool(np.all(np.isclose(wait[i:], wait[i], rtol=1e-9, atol=0.0))) and i < wait.size - 1
        t = fmt.msg["report"]
        when = t["waiting_when_from" if held else "waiting_when_in"].format(year=int(annual.index[i]))
        intro += " " + t["waiting_text"].format(
            when=when, hours=fmt.number(row["ship_waiting_hours_per_call"], 1),
            service=fmt.number(row["berth_hours_per_call"], 1), occ=fmt.percent(row["berth_time_occupancy"]),
            berths=int(row["berths_in_service"]), days=fmt.number(row["ship_days_waiting"], 0),
            service_model=t["service_model_mix" if len(_types(study)) > 1 else "service_model_erlang"],
        )
    port = next((ln for ln in resolve(study.case).lines if ln.key == "port"), None)  # the port's inputs, read once
    for extra in (_capacity(study, port, fmt), _marine(study, port, fmt)):
        if extra:
            intro += " " + extra
    exp = _expansion(study, fmt)
    return Technical(intro=intro + (" " + exp if exp else ""), capex_rows=capex_rows(study, fmt),
                     capex_total=fmt.money(initial_capex_idr(study)), notes=notes_for(study, fmt, "technical"))


def _marine(study: Study, port: Any, fmt: Formatter) -> str:
    """The marine works from the site's geometry: depths, the trestle, capital and maintenance dredging (base values)."""
    if port is None or port.marine is None:
        return ""
    mw, w, m = port.marine, port.marine.works, study.case.port.marine
    return fmt.msg["report"]["marine_text"].format(
        ship=in_lang(mw.design_ship, fmt.lang), length=fmt.number(m.ship_length_m.value, 0), draft=fmt.number(m.ship_draft_m.value, 1),
        # depths to the centimetre, so that a reader's subtraction gives the cut and the channel stated
        berth_depth=fmt.number(mw.berth_depth_m, 2), channel_depth=fmt.number(mw.channel_depth_m, 2),
        trestle=fmt.number(mw.trestle_length_m, 0), natural=fmt.number(w.natural_depth_at_berth_m, 2),
        slope=fmt.percent(m.seabed_slope.value, 2), cut=fmt.number(w.basin_cut_m, 2), channel=fmt.number(w.channel_length_m, 0),
        volume=fmt.number(round(float(w.capital_volume_m3), -3), 0), maintenance=fmt.number(round(float(w.maintenance_m3_per_year), -3), 0),
        silt=fmt.number(m.siltation_m_per_year.value, 1), upkeep=fmt.money(float(mw.amounts["marine.maintenance_dredging"])),
    )


def _capacity(study: Study, port: Any, fmt: Formatter) -> str:
    """One berth's capacity by hand (hours x occupancy x productivity), and why the occupancy is what it is."""
    cap = study.case.port.capacity if study.case.port is not None else None
    if cap is None or cap.allowed_waiting_ratio is None or "berth_occupancy_limit" not in study.result.annual:
        return ""
    occ = float(study.result.annual["berth_occupancy_limit"].iloc[0])
    hours = cap.working_hours_per_year.value
    st = typed_cargo(study.case.port)
    mix = ""
    if st is not None:  # the mix's productivity: a tonne of it needs the types' berth-hours, summed
        prod = float(port.capacity.productivity)
        mix = " " + _mix_text(cap, st, prod, float(np.ravel(port.capacity.erlang_k)[0]), fmt)
    else:
        prod = cap.productivity_tonnes_per_hour.value
    return fmt.msg["report"]["capacity_text"].format(
        # an occupancy that is not a whole percent keeps two decimals, so the reader's product gives the capacity stated
        capacity=fmt.number(hours * occ * prod, 0), hours=fmt.number(hours, 0), occ=_percent(fmt, occ, 2),
        prod=fmt.number(prod, 2 if st is not None else 0), ratio=fmt.number(cap.allowed_waiting_ratio.value, 1),
    ) + mix


def _percent(fmt: Formatter, x: float, digits: int) -> str:
    """A share as a whole percent when it is one, else with ``digits`` decimals."""
    return fmt.percent(x, 0 if abs(x * 100 - round(x * 100)) < 1e-6 else digits)


def _types(study: Study) -> dict[str, Any]:
    """The cargo types of the port's cargo stream ({} when it lists none)."""
    st = typed_cargo(study.case.port) if study.case.port is not None else None
    return dict(st.cargo_types) if st is not None else {}


def _mix_text(cap: Any, st: Any, prod: float, erlang_k: float, fmt: Formatter) -> str:
    """The cargo types, each with its share of the tonnes handled and of the calls, productivity and berth time a call,
    the mix's productivity and the spread of its berth times (which sets the occupancy for the allowed wait)."""
    t = fmt.msg["report"]
    rows = cargo_type_values(cap, st)
    calls = {n: r["handled_share"] / r["parcel_tonnes_per_call"] for n, r in rows.items() if r["parcel_tonnes_per_call"]}
    items = []
    for name, row in rows.items():
        p, parcel = row["productivity_tonnes_per_hour"], row["parcel_tonnes_per_call"]
        share = row["handled_share"]
        text = t["cargo_type_item"].format(label=in_lang(st.cargo_types[name].label, fmt.lang) or name,
                                           share=_percent(fmt, share, 1),
                                           prod=fmt.number(p, 0))
        if parcel is not None and len(calls) == len(rows):
            text += t["cargo_type_call"].format(parcel=fmt.number(parcel, 0), hours=fmt.number(parcel / p, 1),
                                                calls=fmt.percent(calls[name] / sum(calls.values()), 0))
        items.append(text)
    out = t["cargo_mix_text"].format(n=len(items), types="; ".join(items), prod=fmt.number(prod, 2))
    if len(calls) == len(rows) > 1:
        out += t["cargo_mix_spread"].format(cs2=fmt.number(1.0 / erlang_k, 2))
    return out


def _expansion(study: Study, fmt: Formatter) -> str:
    """The expansion phases: what the case decides, whether the BUMD can pay for them, and their own FNPV."""
    cap = study.case.port.capacity
    if cap is None or cap.expansion is None or not cap.expansion.phases:
        return ""
    exp, m, t = cap.expansion, study.result.metrics, fmt.msg["report"]
    built = False
    if exp.build == "never":
        decision = t["expansion_never"]
    elif m["expansion_deferred_phases"] > 0:
        decision = t["expansion_deferred"]
    else:
        decision, built = t["expansion_built"].format(trigger=fmt.percent(exp.trigger_occupancy.value, 0)), True
    # valued as if built when triggered: said as a condition when the case does not build it
    value = t["expansion_value" if built else "expansion_value_if"].format(npv=metric_value(fmt, m, "expansion_npv_idr"))
    out = t["expansion"].format(n=len(exp.phases), phases=phases(fmt, len(exp.phases)), decision=decision, value=value)
    if np.isfinite(m.get("expansion_enpv_idr", float("nan"))):
        out += t["expansion_enpv"].format(enpv=metric_value(fmt, m, "expansion_enpv_idr"))
    area = sum(ph.yard_area_m2.value for ph in exp.phases.values() if ph.yard_area_m2 is not None)
    om = sum(ph.opex_idr_per_year.value for ph in exp.phases.values() if ph.opex_idr_per_year is not None)
    if area:
        out += t["expansion_yard"].format(area=fmt.number(area, 0))
    if om:
        out += t["expansion_om"].format(om=fmt.money(om))
    return out
