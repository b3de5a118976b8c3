"""The summary for the council, the report's first screen and first printed page.

What a council member asks before anything else, each answered from the study's
figures in plain words: what is proposed and how big; which option the analysis
recommends; the public money in one place (by budget year, in current prices as
a Perda would budget it: the planned injection and the top-ups the plan needs,
as shares of the APBD and the PAD); what comes back to PAD and when; the verdict
in one sentence; the three biggest risks; what would have to be true for the plan
to pay (:mod:`feasibility.analysis.breakeven`); and the data still missing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ...case import in_lang
from ..i18n import Formatter
from ..labels import short_label, unit_label
from .budget import budget_lines
from .chapters import first_stage
from .common import confidence_counts
from .risk import risk_register
from .technical import initial_capex_idr

if TYPE_CHECKING:
    from ...study import Study

__all__ = ["Council", "MoneyRow", "council", "money_rows"]

#: budget years shown one by one in the public-money box before the rest is summed in one row
MONEY_YEARS = 4


@dataclass(frozen=True)
class MoneyRow:
    """One budget year (or a span of years) of public money, in billions of rupiah at current prices."""

    years: str
    injection: str
    top_up: str
    total: str
    apbd_share: str
    pad_share: str


@dataclass(frozen=True)
class Council:
    verdict: str
    act: str
    verdict_class: str
    proposal: str
    size: list[str]
    money_total: str
    money_rows: list[MoneyRow]
    money_peak: str
    money_note: str
    pad_back: str
    risks: list[str]
    must_be_true: list[str]
    missing: str


def _payments(study: Study) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """The injections and top-ups by year in current prices (as the budget chapter's table), and the years with a payment."""
    inj, top, _div = budget_lines(study.result)
    return inj, top, [i for i in range(len(inj)) if inj[i] + top[i] > 0.5]  # half a rupiah is rounding


def money_rows(study: Study, fmt: Formatter) -> list[MoneyRow]:
    """The public money by budget year: the first :data:`MONEY_YEARS` years with a payment, then the rest in one row.

    Shares are of the APBD and the PAD of the same year (the case's figures, grown
    as the model grows them); "n/a" when the case gives none.
    """
    a, years = study.result.annual, [int(y) for y in study.result.years]
    inj, top, paid = _payments(study)
    # shares in the results' own basis: the payment and the budget are then in the same year's prices
    paid_basis = (a["region_injection_idr"] + a["region_top_up_idr"]).to_numpy()
    apbd = a["region_apbd_idr"].to_numpy() if "region_apbd_idr" in a else None
    pad = a["region_pad_idr"].to_numpy() if "region_pad_idr" in a else None

    def share(base: np.ndarray | None, idx: list[int]) -> str:
        if base is None:
            return fmt.msg["ui"]["na"]
        # the largest share of a year in the span: the year the budget feels it most
        return fmt.percent(max(paid_basis[i] / base[i] for i in idx))

    def row(idx: list[int]) -> MoneyRow:
        span = str(years[idx[0]]) if len(idx) == 1 else f"{years[idx[0]]}–{years[idx[-1]]}"
        return MoneyRow(
            years=span, injection=fmt.number(sum(inj[i] for i in idx) / 1e9, 1), top_up=fmt.number(sum(top[i] for i in idx) / 1e9, 1),
            total=fmt.number(sum(inj[i] + top[i] for i in idx) / 1e9, 1), apbd_share=share(apbd, idx), pad_share=share(pad, idx),
        )

    out = [row([i]) for i in paid[:MONEY_YEARS]]
    if len(paid) > MONEY_YEARS:
        out.append(row(paid[MONEY_YEARS:]))
    return out


def _money_peak(study: Study, fmt: Formatter) -> str:
    """The largest payment inside the summed span of years, which the span's row would hide ("" without a span)."""
    years = [int(y) for y in study.result.years]
    inj, top, paid = _payments(study)
    if len(paid) <= MONEY_YEARS:
        return ""
    rest = paid[MONEY_YEARS:]
    i = max(rest, key=lambda k: inj[k] + top[k])
    return fmt.msg["council"]["money_peak"].format(first=years[rest[0]], last=years[rest[-1]], year=years[i], amount=fmt.money(inj[i] + top[i]))


def _bases(study: Study) -> tuple[float, float]:
    """The APBD and the PAD of the case (IDR per year, before growth; NaN when the case gives none)."""
    reg = study.case.region
    return (float(reg.apbd_idr_per_year.value) if reg.apbd_idr_per_year is not None else math.nan,
            float(reg.pad_idr_per_year.value) if reg.pad_idr_per_year is not None else math.nan)


def _size(study: Study, fmt: Formatter) -> list[str]:
    """How big the plan is: investment, build and operating years, capacity and the companies' demand."""
    t, case, m = fmt.msg["council"], study.case, study.result.metrics
    out = [t["size_capex"].format(
        initial=fmt.money(initial_capex_idr(study)), capex=fmt.money(m["capex_total_idr"]), year=case.timeline.price_base_year,
        start=case.timeline.start_year, first=case.timeline.first_operating_year, end=int(study.result.years[-1]),
    )]
    be = study.breakeven
    a = study.result.annual
    if "cargo_capacity_tonnes" in a and float(a["cargo_capacity_tonnes"].max()) > 0:
        demand = be.demand if be is not None and be.stream == "port.revenue.cargo_handling" else math.nan
        out.append(t["size_port"].format(
            capacity=fmt.number(float(a["cargo_capacity_tonnes"].max())), demand=fmt.number(demand) if math.isfinite(demand) else fmt.msg["ui"]["na"],
        ))
    for col in a.columns:
        if col.startswith("volume_lab_") and float(a[col].max()) > 0:
            ops = a.index >= case.timeline.first_operating_year
            out.append(t["size_lab"].format(samples=fmt.number(float(a.loc[ops, col].mean())), year=case.lab.accreditation_year))
    return out


def _verdict(study: Study, fmt: Formatter, plan: str) -> str:
    t, m = fmt.msg["council"], study.result.metrics
    n_fail = sum(1 for c in study.criteria if c.passed is False)
    n_na = sum(1 for c in study.criteria if c.passed is None)
    args = {"plan": plan, "public": fmt.money(m["public_money_total_current_idr"]), "back": fmt.money(_dividends_current(study)),
            "n": fmt.number(n_fail), "m": fmt.number(len(study.criteria)), "k": fmt.number(n_na)}
    # one sentence per verdict of feasibility.analysis.criteria.verdict
    return t[f"verdict_{study.verdict}"].format(**args)


def _dividends_current(study: Study) -> float:
    """The dividends to PAD over the model years, in current prices (IDR)."""
    return float(budget_lines(study.result)[2].sum())


def _pad_back(study: Study, fmt: Formatter) -> str:
    t, m = fmt.msg["council"], study.result.metrics
    div = budget_lines(study.result)[2]
    years = [int(y) for y in study.result.years]
    paid = np.flatnonzero(div > 0.5)
    if not paid.size:
        return t["pad_none"].format(first=years[0], last=years[-1])
    payback = m["region_payback_year"]
    back = t["payback_year"].format(year=int(payback)) if math.isfinite(payback) else t["payback_never"]
    return t["pad_some"].format(
        first=years[int(paid[0])], total=fmt.money(float(div.sum())), avg=fmt.money(m["region_dividends_avg_idr_per_year"]),
        share=fmt.percent(m["region_dividends_share_of_pad"]), pv=fmt.money(m["region_pv_dividends_idr"]), back=back,
    )


def _must_be_true(study: Study, fmt: Formatter) -> list[str]:
    """The break-even tariff and volume of the main stream, in units, against the market and the companies."""
    be, t = study.breakeven, fmt.msg["council"]
    if be is None:
        return [t["nothing_must_change"]] if study.result.metrics["fnpv_idr"] >= 0 else []
    case = study.case
    qmap = case.quantity_map()
    line, _, key = be.stream.split(".")
    name = in_lang(getattr(case, line).revenue[key].label, fmt.lang) or fmt.msg["studio_groups"].get(key, key.replace("_", " "))
    name = name[:1].upper() + name[1:]
    out = []
    if be.tariff_path is None:  # each cargo type has its own tariff: no single tariff is solved for
        out.append(t["tariff_by_type"].format(stream=name))
        return out + _volume_needed(be, name, fmt)
    per = unit_label(qmap[be.tariff_path].unit, fmt.lang)
    cur = unit_label("IDR", fmt.lang)
    per = per[len(cur):] if per.startswith(cur) else f" {per}"  # "Rp232.165 per ton"
    market = (t["market_range"].format(low=fmt.money_exact(be.tariff_low) + per, high=fmt.money_exact(be.tariff_high) + per)
              if be.tariff_low is not None else "")
    if math.isfinite(be.tariff_value) and not be.tariff_high:  # no market range in the case to compare with
        out.append(t["tariff_needed_alone"].format(stream=name, value=fmt.money_exact(be.tariff_value) + per,
                                                   base=fmt.money_exact(be.tariff_base) + per))
    elif math.isfinite(be.tariff_value):
        times = be.tariff_value / be.tariff_high
        out.append(t["tariff_needed"].format(
            stream=name, value=fmt.money_exact(be.tariff_value) + per, base=fmt.money_exact(be.tariff_base) + per, market=market,
            times=fmt.number(times, 1) if math.isfinite(times) else fmt.msg["ui"]["na"],
        ))
    else:
        out.append(t["tariff_never"].format(stream=name, base=fmt.money_exact(be.tariff_base) + per, market=market))
    return out + _volume_needed(be, name, fmt)


def _volume_needed(be: Any, name: str, fmt: Formatter) -> list[str]:
    """The volume the main stream would need for an FNPV of zero, against the companies' demand and the capacity."""
    t, out = fmt.msg["council"], []
    if be.volume_path is not None:
        unit = unit_label(be.volume_unit, fmt.lang)
        demand = fmt.number(be.demand)
        if math.isfinite(be.volume_needed):
            out.append(t["volume_needed"].format(stream=name, volume=fmt.number(be.volume_needed), unit=unit, demand=demand,
                                                 handled=fmt.number(be.handled_base)))
        elif math.isfinite(be.capacity):
            out.append(t["volume_never_capacity"].format(stream=name, capacity=fmt.number(be.capacity), unit=unit, demand=demand,
                                                         fnpv=fmt.money(be.fnpv_at_most)))
        else:
            out.append(t["volume_never"].format(stream=name, unit=unit, demand=demand, fnpv=fmt.money(be.fnpv_at_most)))
    return out


def _missing(study: Study, fmt: Formatter) -> str:
    """How many numbers are placeholders, and the placeholders that move the FNPV most."""
    counts, t = confidence_counts(study), fmt.msg["council"]
    if not counts.placeholder:
        return t["missing_none"]
    qmap = study.case.quantity_map()
    table = study.tornadoes["fnpv_idr"].table
    top = [p for p in table.index if p in qmap and qmap[p].confidence == "placeholder"][:3]
    names = "; ".join(short_label(study.case, p, fmt.lang) for p in top)
    return t["missing" if study.case.data_plan else "missing_no_plan"].format(k=fmt.number(counts.placeholder), n=fmt.number(counts.total), names=names)


def council(study: Study, fmt: Formatter, plan: str) -> Council:
    """The summary for the council.

    Parameters
    ----------
    study : Study
    fmt : Formatter
    plan : str
        The plan's name as the options call it ("" without options: the case's name is used).

    Returns
    -------
    Council
    """
    t, m, case = fmt.msg["council"], study.result.metrics, study.case
    plan = plan or in_lang(case.case.name, fmt.lang)
    apbd, pad = _bases(study)
    cost, months = first_stage(study)
    act_key = {"feasible": "act_feasible", "not_feasible": "act_not_feasible" if case.data_plan else "act_not_feasible_no_plan"}.get(
        study.verdict, "act_untested")  # a verdict some criteria could not test: defer
    return Council(
        verdict=_verdict(study, fmt, plan),
        act=t[act_key].format(cost=fmt.money(cost), months=fmt.number(months)),
        verdict_class=study.verdict,
        proposal=in_lang(case.case.scope, fmt.lang) or in_lang(case.case.description, fmt.lang),
        size=_size(study, fmt),
        money_total=t["money_total"].format(
            total=fmt.money(m["public_money_total_current_idr"]), inj=fmt.money(m["region_injection_total_current_idr"]),
            top=fmt.money(m["region_top_up_total_current_idr"]),
        ),
        money_rows=money_rows(study, fmt),
        money_peak=_money_peak(study, fmt),
        money_note=t["money_note"].format(
            apbd=fmt.money(apbd) if math.isfinite(apbd) else fmt.msg["ui"]["na"],
            pad=fmt.money(pad) if math.isfinite(pad) else fmt.msg["ui"]["na"],
        ),
        pad_back=_pad_back(study, fmt),
        risks=[f"{n.title} ({n.severity_label})" for n in risk_register(study, fmt)[:3]],
        must_be_true=_must_be_true(study, fmt),
        missing=_missing(study, fmt),
    )
