"""The technical section: berth occupancy and unmet cargo, and the capital cost items with their allowances."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ...case import in_lang
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


def item_total_idr(item: Any) -> float:
    """A capex item's base cost with its contingency and optimism-bias uplift (HM Treasury Green Book), base-year prices."""
    cont = item.contingency.value if item.contingency else 0.0
    ob = item.optimism_bias.value if item.optimism_bias else 0.0
    return float(item.amount_idr.value) * (1 + cont) * (1 + ob)


def initial_capex_idr(study: Study) -> float:
    """The plan's construction cost: every capex item of its lines once (no renewals, no expansion), base-year prices."""
    return sum(item_total_idr(item) for line in study.case.lines().values() for item in line.capex.values())


def capex_rows(study: Study, fmt: Formatter) -> list[CapexRow]:
    """Every capex item of every business line, in the case's order (nominal amounts, before escalation)."""
    out = []
    for key, line in study.case.lines().items():
        for name, item in line.capex.items():
            amount = item.amount_idr.value
            cont = item.contingency.value if item.contingency else 0.0
            ob = item.optimism_bias.value if item.optimism_bias else 0.0
            out.append(
                CapexRow(
                    path=f"{key}.capex.{name}",
                    # the line's name and the item's: "Terminal pelabuhan (BUP): Lahan", never the configuration key
                    label=f"{in_lang(line.name, fmt.lang)}: {short_label(study.case, f'{key}.capex.{name}.amount_idr', fmt.lang).split(':')[0]}",
                    anchor=anchor(f"{key}.capex.{name}.amount_idr"),
                    base=fmt.money(amount),
                    contingency=fmt.percent(cont, 0),
                    ob=fmt.percent(ob, 0),
                    total=fmt.money(item_total_idr(item)),
                    confidence=item.amount_idr.confidence,
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
        i = int(np.argmax(annual["ship_waiting_hours_per_call"].to_numpy()))
        row = annual.iloc[i]
        intro += " " + fmt.msg["report"]["waiting_text"].format(
            year=int(annual.index[i]), hours=fmt.number(row["ship_waiting_hours_per_call"], 1),
            service=fmt.number(row["berth_hours_per_call"], 1), occ=fmt.percent(row["berth_time_occupancy"]),
            berths=int(row["berths_in_service"]), days=fmt.number(row["ship_days_waiting"], 0),
        )
    exp = _expansion(study, fmt)
    return Technical(intro=intro + (" " + exp if exp else ""), capex_rows=capex_rows(study, fmt),
                     capex_total=fmt.money(initial_capex_idr(study)), notes=notes_for(study, fmt, "technical"))


def _expansion(study: Study, fmt: Formatter) -> str:
    """The expansion phases: what the case decides, whether the BUMD can pay for them, and their own FNPV."""
    cap = study.case.port.capacity
    if cap is None or cap.expansion is None or not cap.expansion.phases:
        return ""
    exp, m, t = cap.expansion, study.result.metrics, fmt.msg["report"]
    if exp.build == "never":
        decision = t["expansion_never"]
    elif m["expansion_deferred_phases"] > 0:
        n = m["expansion_deferred_phases"]
        decision = t["expansion_deferred"].format(n=fmt.number(n), phases=phases(fmt, n))
    else:
        decision = t["expansion_built"].format(trigger=fmt.percent(exp.trigger_occupancy.value, 0))
    return t["expansion"].format(n=len(exp.phases), phases=phases(fmt, len(exp.phases)), decision=decision, npv=metric_value(fmt, m, "expansion_npv_idr"))
