"""The annual cash-flow model of a BUMD case as a chain of pure steps, vectorised over leading axes.

One implementation serves the deterministic case, scenarios, sensitivity and
Monte Carlo: :func:`run` takes a validated :class:`~feasibility.case.Case` and
optional *overrides*, arrays of values for any quantity of the case addressed
by its dotted path (``"port.revenue.cargo_handling.tariff_idr_per_tonne"``).
The overrides broadcast together to a leading shape ``L``; every annual line
of the result has shape ``L + (T,)`` and every metric shape ``L``.

The chain (all money in nominal rupiah inside, shown in the case's
``timeline.price_basis``):

1. :func:`.inputs.resolve`: the case and overrides as typed numbers, once;
2. :func:`.operations.operations`: prices, volumes (capped by the berths,
   expansion phases as the case decides them), revenue, operating costs, the
   concession fee, EBITDA by business line;
3. :func:`.capex.capex`: capital spend with contingency, optimism bias,
   phasing, renewals (each retiring what it replaces) and expansion phases,
   and what enters service when;
4. :func:`.cash.working_capital`;
5. :func:`.financing.debt`: loans drawn on construction capex, interest,
   grace, repayment;
6. :func:`.tax.tax_depreciation`: PMK 72/2023 depreciation, interest during
   construction capitalised into the assets whose spend it financed (PSAK 26);
   the project's tax without interest (ADB 2005);
7. :func:`.residual.residual_by_category`: the residual value in the last year,
   following the concession's terms;
8. :func:`.waterfall.waterfall`: year by year the company's tax, PP 54/2017
   profit allocation, distributions, and the financing of any cash shortfall
   (standby facility, shareholders' top-ups) as the case says; a phase of
   expansion the company cannot fund is deferred when the case says so
   (the chain then runs once more for the cases concerned);
9. :func:`.cash.cash_flows`: project, debt-service, equity and shareholder flows;
10. :func:`.economic.economic_lines` (when read) and the metrics of
    :mod:`feasibility.metrics.registry`, with the reasons any of them is
    undefined in ``Result.undefined``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np

from ..case import Case
from ..metrics import registry
from ..metrics.finance import dscr as _dscr
from ..metrics.finance import llcr as _llcr
from .allocation import injections
from .capex import Capex, capex
from .cash import CashFlows, cash_flows, project_fcf, working_capital
from .economic import ECONOMIC_LINES, economic_lines
from .financing import Debt, Rates, debt, rates
from .inputs import Inputs, resolve
from .operations import Operations, escalation, operations, price_index
from .public import public_unit, stakes
from .residual import residual_by_category, residual_value
from .result import Lines, MergedLines, Result
from .tax import Depreciation, income_tax, tax_depreciation
from .waterfall import Waterfall, waterfall

__all__ = ["METRIC_UNITS", "Result", "construction_cost", "decided_chain", "evaluate", "run"]

#: unit of each model metric (declared in :mod:`feasibility.metrics.registry`)
METRIC_UNITS = registry.METRIC_UNITS


@dataclass
class Project:
    """Steps 2-7 for one set of inputs: all the project's own free cash flow needs."""

    inp: Inputs
    pi: np.ndarray
    ops: Operations
    cx: Capex
    nwc: np.ndarray
    d_nwc: np.ndarray
    d: Debt
    dep: Depreciation
    tax_unlevered: np.ndarray
    residual: np.ndarray
    grant: np.ndarray
    fcf: np.ndarray
    stakes: tuple[np.ndarray, np.ndarray, np.ndarray] | None  # the region's stakes: paid, dividends, value at the end


@dataclass
class Chain(Project):
    """Every step's result for one set of inputs (see the module docstring): the project's steps 2-7, then 8-9."""

    region_injection: np.ndarray
    injection: np.ndarray
    wf: Waterfall
    cf: CashFlows
    deferred: np.ndarray


def construction_cost(cx: Capex, d: Debt) -> np.ndarray:
    """The construction cost of viability-gap funding by year (IDR, current prices, shape L + (T,)).

    The spend of the construction years (the first construction: renewals and
    expansion phases fall in operating years) without land, plus the interest
    during construction in the year it is capitalised (PMK 223/PMK.011/2012 as
    amended by PMK 170/PMK.08/2018: land is left out, interest during
    construction counted). The minimum investment, the grant's cap and the
    grant itself (:func:`feasibility.analysis.ppp.ppp_test`) are measured on it.
    """
    spend = sum((v for k, v in cx.construction_spend.items() if k.asset_class != "land"), np.zeros(np.shape(cx.construction)))
    return spend + d.interest_capitalised


def _project(inp: Inputs, max_phases: Any = None) -> Project:
    """Steps 2-7 of the model for one set of inputs, ``max_phases`` limiting the expansion phases built."""
    full, years = inp.full, inp.years
    fo = inp.first_operating_year - inp.start_year
    pi = price_index(inp.inflation, years, inp.price_base_year, full)
    ops = operations(inp, pi, max_phases)
    cx = capex(inp, pi, ops.expansion, want_real=inp.economic is not None or inp.residual_method == "economic_life")
    nwc, d_nwc = working_capital(ops.revenue, ops.opex, inp.receivable_days, inp.payable_days)
    d = debt(inp, cx.construction)
    dep = tax_depreciation(cx.in_service, cx.construction_spend, d.interest_capitalised, fo, full)
    tax_unlevered = income_tax(ops.ebitda - dep.project, inp.tax_rate, inp.loss_carryforward_years)["tax"]
    by_cat = residual_by_category(
        inp.residual_method, cx.in_service, dep.by_asset, cx.in_service_real, inp.economic_lives, pi, full, inp.concession
    )
    residual = residual_value(inp.residual_method, by_cat, nwc, full)
    # a viability-gap grant (KPBU) pays a share of the construction cost (without land, with IDC) in the construction years
    grant = construction_cost(cx, d) * inp.grant_share
    fcf = project_fcf(ops.ebitda, tax_unlevered, cx.total, d_nwc, residual, grant)
    held = None
    if inp.stakes:
        # the region's stakes in other companies are part of what the option invests in
        held = stakes(inp)
        fcf = fcf - held[0] + held[1] + held[2]
    return Project(inp, pi, ops, cx, nwc, d_nwc, d, dep, tax_unlevered, residual, grant, fcf, held)


def _chain(inp: Inputs, max_phases: Any = None, p: Project | None = None) -> Chain:
    """Steps 2-9 of the model for one set of inputs (``p``: its steps 2-7 already run)."""
    p = _project(inp, max_phases) if p is None else p
    years, ops, cx, d, dep, d_nwc, grant, residual = inp.years, p.ops, p.cx, p.d, p.dep, p.d_nwc, p.grant, p.residual
    region_inj, inj = injections(inp)
    if inp.vehicle == "bumd":
        wf = waterfall(
            ebitda=ops.ebitda, depreciation=dep.total, loan_interest=d.interest_expensed, capex=cx.total, d_nwc=d_nwc, grant=grant,
            draws=d.draws, debt_service=d.service, injection=inj, tax_rate=inp.tax_rate,
            carryforward_years=inp.loss_carryforward_years,
            allocation=(inp.reserve_share, inp.reserve_cap_share, inp.tantiem_share, inp.payout), dividend_lag=inp.dividend_lag_years,
            sources=inp.funding, deposit_rate=inp.deposit_rate,
        )
    else:
        # a public service unit (or nothing): the APBD pays the capital spending itself (no injection, no loans: case rules)
        wf = public_unit(ops.ebitda, dep.total, d_nwc)
        region_inj, inj = region_inj + cx.total - grant, inj + cx.total - grant
    if p.stakes is not None:
        region_inj = region_inj + p.stakes[0]
    staff_owed = _staff_owed_end(wf, inp.dividend_lag_years)
    cf = cash_flows(
        operating=years >= inp.first_operating_year, ebitda=ops.ebitda, tax=wf.tax, tax_unlevered=p.tax_unlevered, capex=cx.total,
        expansion_capex=cx.expansion, d_nwc=d_nwc, residual=residual, grant=grant, draws=d.draws, debt_service=d.service,
        debt_outstanding=d.outstanding, standby_net=wf.standby_draw - wf.standby_repayment - wf.standby_interest,
        standby_balance=wf.standby_balance, paid_in=inj + wf.top_up, dividends_paid=wf.dividends_paid, cumulative_cash=wf.cumulative_cash,
        tantiem_paid=wf.tantiem_paid, interest_income=wf.interest_income, staff_owed_end=staff_owed,
    )
    cf.project_fcf = p.fcf  # with the region's stakes, when it holds any
    project = {f.name: getattr(p, f.name) for f in fields(Project)}
    return Chain(**project, region_injection=region_inj, injection=inj, wf=wf, cf=cf, deferred=np.zeros(inp.lead))


def _staff_owed_end(wf: Waterfall, lag: int) -> np.ndarray:
    """The tantiem the BUMD owes its directors and staff at the end (shape L): due and unpaid, and declared on the last
    ``lag`` years' profit (due after the horizon)."""
    later = wf.tantiem_declared[..., wf.tantiem_declared.shape[-1] - lag :].sum(axis=-1) if lag else 0.0
    return wf.tantiem_owed[..., -1] + later


def final_stake(c: Chain) -> np.ndarray:
    """The region's share of the BUMD's net assets at the end of the last year, as a line (IDR current prices, shape L + (T,)).

    ``ownership x max(0, cash + assets x (1 - liquidation discount) + working capital - loans - standby - tantiem owed)``
    in the last year, the assets at the case's residual-value method (nothing for assets that revert to a
    concession's grantor); a shareholder loses no more than its stake (UU 40/2007 art. 3). Plus the value of the
    region's stakes in companies it does not run. Nothing with ``region.final_stake = "none"``.
    """
    inp, wf = c.inp, c.wf
    out = np.zeros(inp.full)
    if inp.final_stake == "none":
        return out
    assets = c.residual[..., -1] - c.nwc[..., -1] if inp.residual_method != "none" else 0.0
    haircut = np.broadcast_to(inp.liquidation_discount, inp.lead + (1,))[..., 0] if np.ndim(inp.liquidation_discount) else inp.liquidation_discount
    net = (wf.cumulative_cash[..., -1] + assets * (1.0 - haircut) + (c.residual[..., -1] - assets) - c.d.outstanding[..., -1]
           - wf.standby_balance[..., -1] - _staff_owed_end(wf, inp.dividend_lag_years))
    own = np.broadcast_to(inp.ownership, inp.lead + (1,))[..., 0] if np.ndim(inp.ownership) else inp.ownership
    out[..., -1] = own * np.maximum(net, 0.0)
    if c.stakes is not None:
        out = out + c.stakes[2]
    return out


def _unfundable(c: Chain) -> tuple[np.ndarray, np.ndarray] | None:
    """For a case whose expansion is deferred when unfunded: how many phases each case may build, and how many it defers.

    A phase is unfunded when the BUMD's cash, after everything else of its
    trigger year, cannot pay for it (the year would need gap funding).
    """
    cap = next((ln.capacity for ln in c.inp.lines if ln.capacity is not None), None)
    exp = c.ops.expansion
    if cap is None or exp is None or cap.when_unfunded != "defer" or not cap.phases:
        return None
    n_p = len(cap.phases)
    short = (c.wf.top_up + c.wf.standby_draw + c.wf.unfunded) > 0.5  # a gap in that year
    allowed = np.full(c.inp.lead, n_p)
    for j in range(n_p - 1, -1, -1):
        trig = exp.trigger_year[..., j]
        idx = np.clip(np.nan_to_num(trig - c.inp.start_year, nan=0).astype(int), 0, c.inp.T - 1)
        bad = np.isfinite(trig) & np.take_along_axis(short, idx[..., None], axis=-1)[..., 0]
        allowed = np.where(bad, j, allowed)
    return allowed, n_p - allowed


class _Chains:
    """The chains of one set of inputs, each number of expansion phases run once.

    Deciding the expansion and valuing it (with and without) need the same
    few chains; a limit that differs between cases is run, not kept.
    """

    def __init__(self, inp: Inputs) -> None:
        self.inp = inp
        cap = next((ln.capacity for ln in inp.lines if ln.capacity is not None), None)
        # no limit means every phase, or none when the case never builds (see operations.cap_cargo)
        self._default = 0 if cap is None or cap.build == "never" else len(cap.phases)
        self._chains: dict[int, Chain] = {}
        self._projects: dict[int, Project] = {}

    def _key(self, max_phases: Any) -> int | None:
        m = np.asarray(self._default if max_phases is None else max_phases)
        return int(m.flat[0]) if m.size and np.all(m == m.flat[0]) else None

    def project(self, max_phases: Any = None) -> Project:
        """Steps 2-7 only (an alternative's FNPV)."""
        k = self._key(max_phases)
        if k is None:
            return _project(self.inp, max_phases)
        if k not in self._projects:
            self._projects[k] = _project(self.inp, k)
        return self._projects[k]

    def get(self, max_phases: Any = None) -> Chain:
        k = self._key(max_phases)
        if k is None:
            return _chain(self.inp, max_phases)
        if k not in self._chains:
            self._chains[k] = _chain(self.inp, k, self.project(k))
        return self._chains[k]


def _with_limits(chains: _Chains) -> Chain:
    """The chain with every expansion phase the BUMD can pay for when it is triggered, deferring the rest
    (two passes: all phases, then each case stopped at its first unfunded phase)."""
    c = chains.get()
    limits = _unfundable(c)
    if limits is not None and np.any(limits[1] > 0):
        c = replace(chains.get(limits[0]), deferred=limits[1])
    return c


def _fundable_first(a: Chain, cap: Any) -> np.ndarray:
    """Which cases could pay for the first phase in the year it would be triggered, from a run without it.

    Everything before that year is the same with or without the phase, and in
    that year only its spend differs: the phase is funded when the cash the
    year leaves (before the standby and distributions) covers it.
    """
    inp = a.inp
    t_star = a.ops.expansion.blocked_year
    idx = np.clip(np.nan_to_num(t_star - inp.start_year, nan=0.0).astype(int), 0, inp.T - 1)[..., None]
    spend = np.take_along_axis(np.broadcast_to(cap.phases[0][1] * a.pi, inp.full), idx, axis=-1)[..., 0]
    avail = np.take_along_axis(a.wf.available, idx, axis=-1)[..., 0]
    # the same rule as _unfundable: a gap of more than half a rupiah in the trigger year
    return np.isfinite(t_star) & (avail - spend >= -0.5)


def _decided(chains: _Chains) -> tuple[Chain, Lines | MergedLines]:
    """The chain as the case decides its expansion, and its annual lines.

    When phases the BUMD cannot fund are deferred, most cases (of the default
    case's Monte Carlo, and the default case itself) defer: the chain runs once
    without the expansion for every case, and again, with it, only for the
    cases that can pay for the first phase.
    """
    inp = chains.inp
    cap = next((ln.capacity for ln in inp.lines if ln.capacity is not None), None)
    if cap is None or not cap.phases or cap.build == "never" or cap.when_unfunded != "defer" or len(inp.lead) > 1:
        c = _with_limits(chains)
        return c, _lines(c)
    a = chains.get(0)
    fundable = _fundable_first(a, cap)
    deferred = np.where(np.isfinite(a.ops.expansion.blocked_year), float(len(cap.phases)), 0.0)
    if not inp.lead:
        if fundable:
            c = _with_limits(chains)
            return c, _lines(c)
        return replace(a, deferred=deferred), _lines(a)
    rows = np.flatnonzero(fundable)
    if rows.size == 0:
        return replace(a, deferred=deferred), _lines(a)
    b = _with_limits(_Chains(inp.take(rows)))
    deferred[rows] = b.deferred
    return replace(a, deferred=deferred), MergedLines(_lines(a), _lines(b), rows)


def _money_lines(c: Chain) -> dict[str, np.ndarray]:
    """The money lines of the annual table, in the order they are shown (IDR, current prices)."""
    ops, cx, d, dep, wf, cf = c.ops, c.cx, c.d, c.dep, c.wf, c.cf
    own = c.inp.ownership
    region_top_up = wf.top_up * own
    public = c.region_injection + region_top_up
    return {
        "revenue_total_idr": ops.revenue,
        "variable_cost_idr": ops.variable_cost,
        "fixed_opex_idr": ops.fixed_cost,
        "overhead_idr": ops.overhead,
        "concession_fee_idr": ops.fee,
        "opex_total_idr": ops.opex,
        "ebitda_idr": ops.ebitda,
        "depreciation_idr": dep.total,
        "ebit_idr": ops.ebitda - dep.total,
        "interest_idr": d.interest_expensed,
        "interest_capitalised_idr": d.interest_capitalised,
        "standby_interest_idr": wf.standby_interest,
        "taxable_income_idr": wf.taxable,
        "loss_relief_idr": wf.loss_used,
        "tax_idr": wf.tax,
        "net_profit_idr": wf.net_profit,
        "capex_idr": cx.total,
        "expansion_capex_idr": np.broadcast_to(cx.expansion, c.inp.full),
        "change_in_working_capital_idr": c.d_nwc,
        "residual_value_idr": c.residual,
        "tax_unlevered_idr": c.tax_unlevered,
        "project_fcf_idr": cf.project_fcf,
        "viability_gap_grant_idr": c.grant,
        "debt_drawdown_idr": d.draws,
        "principal_idr": d.principal,
        "debt_service_idr": d.service,
        "debt_outstanding_idr": d.outstanding,
        "cfads_idr": cf.cfads,
        "equity_injection_idr": c.injection,
        "top_up_idr": wf.top_up,
        "standby_draw_idr": wf.standby_draw,
        "standby_repayment_idr": wf.standby_repayment,
        "standby_balance_idr": wf.standby_balance,
        "equity_cf_idr": cf.equity_cf,
        "shareholder_cf_idr": cf.shareholder_cf,
        "interest_income_idr": wf.interest_income,
        "legal_reserve_addition_idr": wf.reserve_addition,
        "legal_reserve_idr": wf.reserve,
        "tantiem_declared_idr": wf.tantiem_declared,
        "dividends_declared_idr": wf.dividend_declared,
        "tantiem_idr": wf.tantiem_paid,
        "dividends_paid_idr": wf.dividends_paid,
        "distributions_owed_idr": wf.distributions_owed,
        "region_injection_idr": c.region_injection,
        "region_top_up_idr": region_top_up,
        "public_money_idr": public,
        "dividends_to_region_idr": wf.dividends_paid * own + (c.stakes[1] if c.stakes is not None else 0.0),
        "region_final_stake_idr": final_stake(c),
        "region_bond_interest_idr": _bond_interest(public, c.inp.region_rate),
        "region_bond_capital_back_idr": _bond_capital(public),
        "net_cash_flow_idr": wf.net_cash,
        "cumulative_cash_idr": wf.cumulative_cash,
        "cumulative_cash_before_gap_funding_idr": wf.cash_before_gap_funding,
        "unfunded_gap_idr": wf.unfunded,
    }


def _bond_interest(public: np.ndarray, bond_yield: Any) -> np.ndarray:
    """The interest the same money would earn in government bonds: each year, the yield on what was paid in before
    (nominal; the capital itself would come back at maturity, so it is not part of the yearly return)."""
    paid_before = np.cumsum(public, axis=-1) - public
    return paid_before * bond_yield


def _bond_capital(public: np.ndarray) -> np.ndarray:
    """The bonds' capital, returned in the last year: all the region paid in (the bond alternative keeps the capital)."""
    out = np.zeros_like(public)
    out[..., -1] = public.sum(axis=-1)
    return out


def _ratio_lines(inp: Inputs, cf: CashFlows, d: Debt, rt: Rates) -> dict[str, tuple[Any, bool]]:
    """The DSCR and LLCR by year (operating years only), computed when first read."""
    full, operating = inp.full, inp.years >= inp.first_operating_year
    return {
        "dscr": (lambda: np.broadcast_to(np.where(operating, _dscr(cf.cfads, d.service), np.nan), full), False),
        "llcr": (lambda: np.broadcast_to(np.where(operating, _llcr(rt.loan, cf.cfads, d.service, d.opening), np.nan), full), False),
    }


def _region_lines(inp: Inputs, pi: np.ndarray) -> dict[str, tuple[Any, bool]]:
    """The region's PAD and APBD by year (current prices), where the case gives them."""
    out: dict[str, tuple[Any, bool]] = {}
    if inp.pad is not None:
        pad = inp.pad * escalation(inp.pad_growth, inp.years, inp.price_base_year) * pi
        out["region_pad_idr"] = (np.broadcast_to(pad, inp.full), True)
    if inp.apbd is not None:
        out["region_apbd_idr"] = (np.broadcast_to(inp.apbd * pi, inp.full), True)
    return out


def _economic_lines(c: Chain) -> dict[str, tuple[Any, bool]]:
    """The economic lines (constant prices already), computed together when the first is read."""
    inp, ops = c.inp, c.ops
    if inp.economic is None:
        return {}
    cache: dict[str, dict[str, np.ndarray]] = {}

    def line(key: str) -> np.ndarray:
        if "lines" not in cache:
            streams = [(ln.key, s) for ln in inp.lines for s in ln.streams]
            volumes = {f"{k}.{s.name}": ops.lines[f"volume_{k}_{s.name}_{s.unit}"] for k, s in streams}
            revenues = {f"{k}.{s.name}": ops.lines[f"revenue_{k}_{s.name}_idr"] for k, s in streams}
            cache["lines"] = economic_lines(
                inp, c.pi, volumes, revenues, ops.variable_cost + ops.fixed_cost + ops.overhead, ops.unskilled,
                c.cx.by_category, c.cx.in_service_real, ops.lines.get("ship_days_waiting"),
            )
        return cache["lines"][key]

    keys = list(ECONOMIC_LINES) + [f"economic_benefit_{b.name}_real_idr" for b in inp.economic.benefits]
    keys += [f"economic_external_{x.name}_real_idr" for x in inp.economic.externalities]
    return {k: (lambda k=k: line(k), False) for k in keys}


def _lines(c: Chain) -> Lines:
    raw: dict[str, tuple[Any, bool]] = {"price_index": (c.pi, False)}
    raw.update({k: (v, k.endswith("_idr")) for k, v in c.ops.lines.items()})
    raw.update({k: (np.broadcast_to(v, c.inp.full), True) for k, v in _money_lines(c).items()})
    raw.update(_ratio_lines(c.inp, c.cf, c.d, rates(c.inp, c.d)))
    raw.update(_region_lines(c.inp, c.pi))
    raw.update(_economic_lines(c))
    return Lines(raw, c.pi if c.inp.real else 1.0)


def _fnpv(p: Project) -> Any:
    """The project's FNPV from steps 2-7 alone: an alternative's value needs no waterfall."""
    inp = p.inp
    rt = rates(inp, p.d)
    ctx = registry.Context(
        lines=Lines({"project_fcf_idr": (p.fcf, True)}, p.pi if inp.real else 1.0), years=inp.years,
        operating=inp.years >= inp.first_operating_year, first_repayment=None, lead=inp.lead, wacc=rt.wacc,
        cost_of_equity=rt.cost_of_equity, region_rate=rt.region, social_rate=None, has_capacity=False,
    )
    return registry.compute(["fnpv_idr"], ctx)["fnpv_idr"]


def _enpv(p: Project, social: Any) -> Any:
    """The ENPV of one alternative (steps 2-7 and the economic analysis; no waterfall), at the social rate."""
    flow = _economic_lines(p)["economic_flow_real_idr"][0]()  # type: ignore[arg-type]  # needs only steps 2-7
    inp = p.inp
    ctx = registry.Context(
        lines=Lines({"economic_flow_real_idr": (flow, False)}, 1.0), years=inp.years, operating=inp.years >= inp.first_operating_year,
        first_repayment=None, lead=inp.lead, wacc=None, cost_of_equity=None, region_rate=None, social_rate=social, has_capacity=False,
    )
    return registry.compute(["enpv_idr"], ctx)["enpv_idr"]


def _context(c: Chain, lines: Lines, chains: _Chains) -> registry.Context:
    inp, lead = c.inp, c.inp.lead
    rt = rates(inp, c.d)
    fo = inp.first_operating_year - inp.start_year
    first_rep = min((fo + ln.grace_years for ln in inp.loans), default=None)
    social = None
    if inp.economic is not None:
        x = inp.economic.social_discount_rate
        social = np.broadcast_to(x, lead + (1,))[..., 0] if np.ndim(x) else np.broadcast_to(x, lead)
    cap = next((ln.capacity for ln in inp.lines if ln.capacity is not None), None)

    def without_expansion() -> Any:
        # the same case with no expansion phase: the expansion's own value is the difference
        return _fnpv(chains.project(0))

    def with_expansion() -> Any:
        return _fnpv(chains.project(len(cap.phases)))

    alternatives = {}
    if cap is not None and cap.phases:
        alternatives = {"without_expansion": without_expansion, "with_expansion": with_expansion}
        if social is not None:  # the economic case for the expansion: the cargo it lets in, at shadow prices
            alternatives["without_expansion_enpv"] = lambda: _enpv(chains.project(0), social)
            alternatives["with_expansion_enpv"] = lambda: _enpv(chains.project(len(cap.phases)), social)
    return registry.Context(
        lines=lines, years=inp.years, operating=inp.years >= inp.first_operating_year, first_repayment=first_rep, lead=lead,
        wacc=rt.wacc, cost_of_equity=rt.cost_of_equity, region_rate=rt.region, social_rate=social,
        has_capacity="cargo_unmet_tonnes" in c.ops.lines, deferred_phases=c.deferred,
        expansion_built_by_case=cap is not None and cap.build != "never", alternatives=alternatives,
        to_current=c.pi if inp.real else 1.0,
    )


def decided_chain(case: Case, overrides: Mapping[str, Any] | None = None) -> Chain:
    """Every step's result of one case as :func:`run` decides its expansion (the workbook writes them out).

    Parameters
    ----------
    case : Case
    overrides : mapping of str to float, optional
        Single values only (the leading shape must be empty).
    """
    inp = resolve(case, overrides)
    if inp.lead:
        raise ValueError(f"decided_chain takes single values, got a leading shape {inp.lead}")
    return _decided(_Chains(inp))[0]


def run(
    case: Case,
    overrides: Mapping[str, Any] | None = None,
    *,
    scenario: str | None = None,
    metrics: Sequence[str] | None = None,
) -> Result:
    """Evaluate a case, optionally for many parameter sets at once.

    Parameters
    ----------
    case : Case
        A validated case (:func:`feasibility.load_case`).
    overrides : mapping of str to array_like, optional
        Values replacing case quantities, by dotted path; arrays broadcast
        together to the leading shape L. List quantities (``ramp_up``,
        injections) take arrays whose last axis is the list.
    scenario : str, optional
        A scenario of the case (``case.scenarios``); its values apply first and
        ``overrides`` on top of them.
    metrics : sequence of str, optional
        Compute only these metrics (keys of :data:`METRIC_UNITS`); all by
        default. A Monte Carlo asks for the few it reports, which skips the
        costly ones (IRRs of many-sign-change flows) it does not need.

    Returns
    -------
    Result
    """
    if scenario is not None:
        overrides = {**case.scenario(scenario), **(overrides or {})}
    inp = resolve(case, overrides)
    keys = registry.model_metric_keys(case)
    if metrics is not None:
        unknown = [k for k in metrics if k not in keys]
        if unknown:
            raise KeyError(f"metrics {unknown}: not computed by the model (metrics: {', '.join(keys)})")
        keys = list(dict.fromkeys(metrics))
    chains = _Chains(inp)
    c, lines = _decided(chains)
    ctx = _context(c, lines, chains)
    values = registry.compute(keys, ctx)
    return Result(case, inp.years, lines, values, "real" if inp.real else "nominal", inp.lead, ctx.undefined)


def evaluate(
    case: Case,
    overrides: Mapping[str, Any] | None = None,
    *,
    scenario: str | None = None,
    metrics: Sequence[str] | None = None,
) -> Result:
    """Evaluate a case; same as :func:`run` (the name the CLI and notebooks use)."""
    return run(case, overrides, scenario=scenario, metrics=metrics)
