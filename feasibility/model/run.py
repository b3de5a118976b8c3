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
2. :func:`.operations.operations`: prices, volumes (capped by the berths),
   revenue, operating costs, the concession fee, EBITDA by business line;
3. :func:`.capex.capex`: capital spend with contingency, optimism bias,
   phasing, renewals and expansion phases, and what enters service when;
4. :func:`.cash.working_capital`;
5. :func:`.financing.debt`: loans drawn on construction capex, interest,
   grace, repayment; interest during construction capitalised (PSAK 26);
6. :func:`.tax.tax_depreciation` and :func:`.tax.income_tax`: PMK 72/2023
   depreciation, income tax with loss carry-forward, with interest (the
   company) and without (the project, ADB 2005);
7. :func:`.residual.residual_by_category`: the residual value in the last year;
8. :func:`.allocation.equity`: injections, PP 54/2017 profit allocation,
   dividends to the region (PAD);
9. :func:`.cash.cash_flows`: project, debt-service, equity and BUMD cash flows;
10. :func:`.economic.economic_lines` (when read) and the metrics of
    :mod:`feasibility.metrics.registry`, with the reasons any of them is
    undefined in ``Result.undefined``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..case import Case
from ..metrics import registry
from ..metrics.finance import dscr as _dscr, llcr as _llcr
from .allocation import Equity, equity
from .capex import Capex, capex
from .cash import CashFlows, cash_flows, working_capital
from .economic import ECONOMIC_LINES, economic_lines
from .financing import Debt, Rates, debt, rates
from .inputs import Inputs, resolve
from .operations import Operations, escalation, operations, price_index
from .residual import residual_by_category, residual_value
from .result import Lines, Result
from .tax import Depreciation, income_tax, tax_depreciation

__all__ = ["METRIC_UNITS", "Result", "evaluate", "run"]

#: unit of each model metric (declared in :mod:`feasibility.metrics.registry`)
METRIC_UNITS = registry.METRIC_UNITS


def _money_lines(
    ops: Operations, cx: Capex, d: Debt, dep: Depreciation, taxable: np.ndarray, tax: dict[str, np.ndarray],
    tax_unlevered: np.ndarray, d_nwc: np.ndarray, residual: np.ndarray, grant: np.ndarray, eq: Equity, cf: CashFlows,
) -> dict[str, np.ndarray]:
    """The money lines of the annual table, in the order they are shown (IDR, current prices)."""
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
        "taxable_income_idr": taxable,
        "loss_relief_idr": tax["loss_used"],
        "tax_idr": tax["tax"],
        "net_profit_idr": taxable - tax["tax"],
        "capex_idr": cx.total,
        "change_in_working_capital_idr": d_nwc,
        "residual_value_idr": residual,
        "tax_unlevered_idr": tax_unlevered,
        "project_fcf_idr": cf.project_fcf,
        "viability_gap_grant_idr": grant,
        "debt_drawdown_idr": d.draws,
        "principal_idr": d.principal,
        "debt_service_idr": d.service,
        "debt_outstanding_idr": d.outstanding,
        "cfads_idr": cf.cfads,
        "equity_injection_idr": eq.injection,
        "equity_cf_idr": cf.equity_cf,
        "legal_reserve_addition_idr": eq.allocation["reserve_addition"],
        "legal_reserve_idr": eq.allocation["reserve"],
        "tantiem_idr": eq.tantiem_paid,
        "dividends_paid_idr": eq.dividends_paid,
        "region_injection_idr": eq.region_injection,
        "dividends_to_region_idr": eq.region_dividends,
        "net_cash_flow_idr": cf.net_cash,
        "cumulative_cash_idr": cf.cumulative_cash,
    }


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


def _economic_lines(inp: Inputs, pi: np.ndarray, ops: Operations, cx: Capex, case: Case) -> dict[str, tuple[Any, bool]]:
    """The economic lines (constant prices already), computed together when the first is read."""
    if inp.economic is None:
        return {}
    cache: dict[str, dict[str, np.ndarray]] = {}

    def line(key: str) -> np.ndarray:
        if "lines" not in cache:
            volumes = {
                f"{ln.key}.{s.name}": ops.lines[f"volume_{ln.key}_{s.name}_{s.unit}"] for ln in inp.lines for s in ln.streams
            }
            cache["lines"] = economic_lines(
                inp, pi, volumes, ops.revenue, ops.variable_cost + ops.fixed_cost + ops.overhead, ops.unskilled,
                cx.by_category, cx.in_service_real,
            )
        return cache["lines"][key]

    keys = list(ECONOMIC_LINES) + [f"economic_benefit_{b[0]}_real_idr" for b in inp.economic.benefits]
    return {k: (lambda k=k: line(k), False) for k in keys}


def _context(inp: Inputs, lines: Lines, rt: Rates, case: Case, ops: Operations) -> registry.Context:
    lead = inp.lead
    fo = inp.first_operating_year - inp.start_year
    first_rep = min((fo + ln.grace_years for ln in inp.loans), default=None)
    social = None
    if inp.economic is not None:
        x = inp.economic.social_discount_rate
        social = np.broadcast_to(x, lead + (1,))[..., 0] if np.ndim(x) else np.broadcast_to(x, lead)
    return registry.Context(
        lines=lines, years=inp.years, operating=inp.years >= inp.first_operating_year, first_repayment=first_rep, lead=lead,
        wacc=rt.wacc, cost_of_equity=rt.cost_of_equity, region_rate=rt.region, social_rate=social,
        has_capacity="cargo_unmet_tonnes" in ops.lines,
    )


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
    full, years = inp.full, inp.years
    fo = inp.first_operating_year - inp.start_year
    pi = price_index(inp.inflation, years, inp.price_base_year, full)
    ops = operations(inp, pi)
    cx = capex(inp, pi, ops.expansion, want_real=inp.economic is not None or inp.residual_method == "economic_life")
    nwc, d_nwc = working_capital(ops.revenue, ops.opex, inp.receivable_days, inp.payable_days)
    d = debt(inp, cx.construction)
    dep = tax_depreciation(cx.in_service, cx.built, d.interest_capitalised.sum(axis=-1), fo, full)
    taxable = ops.ebitda - dep.total - d.interest_expensed
    taxed = income_tax(taxable, inp.tax_rate, inp.loss_carryforward_years)
    tax_unlevered = income_tax(ops.ebitda - dep.project, inp.tax_rate, inp.loss_carryforward_years)["tax"]
    by_cat = residual_by_category(inp.residual_method, cx.in_service, dep.by_class, cx.in_service_real, inp.economic_lives, pi, full)
    residual = residual_value(inp.residual_method, by_cat, nwc, full)
    # a viability-gap grant (KPBU) pays a share of the construction capex in the construction years
    grant = cx.construction * inp.grant_share
    eq = equity(inp, taxable - taxed["tax"])
    cf = cash_flows(
        operating=years >= inp.first_operating_year, ebitda=ops.ebitda, tax=taxed["tax"], tax_unlevered=tax_unlevered,
        capex=cx.total, d_nwc=d_nwc, residual=residual, grant=grant, draws=d.draws, debt_service=d.service,
        debt_outstanding=d.outstanding, injection=eq.injection, dividends_paid=eq.dividends_paid, tantiem_paid=eq.tantiem_paid,
    )
    rt = rates(inp, d)
    raw: dict[str, tuple[Any, bool]] = {"price_index": (pi, False)}
    raw.update({k: (v, k.endswith("_idr")) for k, v in ops.lines.items()})
    money = _money_lines(ops, cx, d, dep, taxable, taxed, tax_unlevered, d_nwc, residual, grant, eq, cf)
    raw.update({k: (np.broadcast_to(v, full), True) for k, v in money.items()})
    raw.update(_ratio_lines(inp, cf, d, rt))
    raw.update(_region_lines(inp, pi))
    raw.update(_economic_lines(inp, pi, ops, cx, case))
    lines = Lines(raw, pi if inp.real else 1.0)
    ctx = _context(inp, lines, rt, case, ops)
    values = registry.compute(keys, ctx)
    return Result(case, years, lines, values, "real" if inp.real else "nominal", inp.lead, ctx.undefined)


def evaluate(
    case: Case,
    overrides: Mapping[str, Any] | None = None,
    *,
    scenario: str | None = None,
    metrics: Sequence[str] | None = None,
) -> Result:
    """Evaluate a case; same as :func:`run` (the name the CLI and notebooks use)."""
    return run(case, overrides, scenario=scenario, metrics=metrics)
