"""The PPP (KPBU) test: may the project seek viability-gap funding, and what grant closes the gap?

The economic analysis itself (ENPV, EIRR, economic BCR at the social
discount rate) is part of the model (:func:`feasibility.model.run`, the
``economic_*`` lines and the ``enpv_idr``, ``eirr``, ``ebcr`` metrics), so
sensitivity and Monte Carlo runs use it like any other metric. This module
adds the decision the KPBU route asks for. Perpres 38/2015 is the KPBU
framework; viability-gap funding (dukungan kelayakan) follows PMK
223/PMK.011/2012 as amended by PMK 170/PMK.08/2018. A project is eligible
only when every condition below is met, each returned as its own
:class:`Condition`:

* ``economic`` and ``financial_gap``: economically feasible (ENPV > 0) but not
  financially (FNPV < 0);
* ``user_pays``: its revenue is tariffs its users pay, not availability
  payments (``ppp.payment``);
* ``competitive_tender``: the implementing entity is chosen by competitive
  tender; a directly appointed BUMD is not (``ppp.procurement``);
* ``asset_transfer``: the assets pass to the government at the end of the
  cooperation period: ``ppp.asset_transfer`` when the case states it, else the
  ``[concession]`` (the port's assets revert to the grantor, with or without
  payment);
* ``min_investment``: the construction cost reaches ``ppp.min_investment_idr``
  (Rp100 bn in the default case);
* ``within_cap``: the grant needed is at most ``ppp.max_grant_share`` of the
  construction cost (49 % in the default case).

The construction cost is that of the first construction: the spend of the
construction years (no renewal, no expansion phase) without land, plus the
interest during construction (IDC), in base-year prices
(:func:`feasibility.model.run.construction_cost`). The grant is a share of it,
paid in the construction years: each year's share of the spend without land,
and of the IDC in the year it is capitalised. The share is the smallest that
brings FIRR up to the WACC (FNPV to 0), solved by root finding on the same
vectorised model.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy.optimize import elementwise

from ..case import Case
from ..model import run
from ..model.run import construction_cost, decided_chain

__all__ = ["CONDITIONS", "REFERENCE", "Condition", "PppTest", "ppp_test"]

_GRANT = "ppp.viability_gap_grant_share"

#: the regulation of viability-gap funding
REFERENCE = "PMK 223/PMK.011/2012 as amended by PMK 170/PMK.08/2018"
#: the conditions in the order they are checked and shown
CONDITIONS = ("economic", "financial_gap", "user_pays", "competitive_tender", "asset_transfer", "min_investment", "within_cap")
#: the conditions of the project's set-up: one failing makes the route ``not_eligible``
_SET_UP = ("user_pays", "competitive_tender", "asset_transfer", "min_investment")


@dataclass(frozen=True)
class Condition:
    """One eligibility condition of viability-gap funding.

    Attributes
    ----------
    name : str
        One of :data:`CONDITIONS`.
    met : bool or None
        None when the condition cannot be assessed (the grant's share, off the
        economic-but-not-financial route: no grant is worked out).
    value : float, str or None
        What the case has: money in IDR (ENPV, FNPV, construction cost, base-year
        prices), a share (the grant), or the stated choice (``user_charges``,
        ``availability_payment``; ``competitive_tender``, ``direct_appointment``;
        ``concession``, ``stated``, ``not_transferred``); None when not worked
        out (the grant share off the economic-but-not-financial route).
    threshold : float or None
        The limit the value is compared with (None for a stated choice).
    unit : str
        ``IDR``, ``fraction`` or ``""`` (a stated choice).
    reference : str
        The rule, or for the case's own limits (floor, cap) the source the case gives.
    """

    name: str
    met: bool | None
    value: float | str | None
    threshold: float | None
    unit: str
    reference: str


@dataclass(frozen=True)
class PppTest:
    """The outcome of :func:`ppp_test` (money in base-year prices; ENPV and FNPV as the model gives them).

    Attributes
    ----------
    route : str
        ``financially_feasible`` (no grant needed), ``not_economic`` (ENPV <= 0:
        no viability-gap funding), ``gap_not_closable`` (even a 100 % grant
        leaves FNPV < 0), ``not_eligible`` (a condition of the set-up fails:
        user pays, competitive tender, asset transfer, minimum investment),
        ``vgf_above_cap`` (the grant needed exceeds the allowed share) or ``vgf``
        (every condition met: seek the grant).
    eligible : bool
        Every condition met (the route is then ``vgf``).
    conditions : tuple of Condition
        Each condition, in the order of :data:`CONDITIONS`.
    failing : tuple of str
        The names of the conditions not met.
    grant_share : float
        The grant as a share of the construction cost at which FIRR = WACC (NaN
        unless the project is economically but not financially feasible, or when
        no grant suffices).
    grant_idr : float
        That grant in rupiah, base-year prices: ``grant_share x construction_cost_idr``.
    firr_at_grant, wacc : float
        FIRR with the grant, and the WACC it must reach.
    construction_cost_idr : float
        The construction cost: first construction without land, with IDC, base-year prices.
    idc_idr : float
        The interest during construction in it.
    meets_min_investment, within_cap : bool
        The two conditions the case's limits set.
    """

    route: str
    eligible: bool
    failing: tuple[str, ...]
    conditions: tuple[Condition, ...]
    economic_feasible: bool
    financial_feasible: bool
    enpv_idr: float
    eirr: float
    social_discount_rate: float
    fnpv_idr: float
    firr: float
    wacc: float
    grant_share: float
    grant_idr: float
    firr_at_grant: float
    max_grant_share: float
    within_cap: bool
    construction_cost_idr: float
    idc_idr: float
    min_investment_idr: float
    meets_min_investment: bool

    def condition(self, name: str) -> Condition:
        """The condition of that name."""
        return next(c for c in self.conditions if c.name == name)

    def to_dict(self) -> dict[str, Any]:
        """Plain types for JSON: the conditions as a list of dicts, NaN as None."""
        return _plain(asdict(self))


def _plain(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def _asset_transfer(case: Case) -> tuple[bool, str, str]:
    """Whether the assets pass to the government at the end, how the case says it, and where."""
    stated = case.ppp.asset_transfer if case.ppp is not None else None
    if stated is not None:
        return stated, "stated" if stated else "not_transferred", f"{REFERENCE}; case: ppp.asset_transfer = {str(stated).lower()}"
    # a [concession]'s port assets revert to the grantor at its end, with or without payment (schema: Concession)
    return True, "concession", f"{REFERENCE}; case: [concession] reversion = {case.concession.reversion}"


def _construction_cost(case: Case, overrides: dict[str, Any]) -> tuple[float, float]:
    """The construction cost (first construction without land, with IDC) and its IDC, base-year prices."""
    c = decided_chain(case, overrides)
    # the model's money is nominal inside: each year's spend deflated by its own price index
    return float(np.sum(construction_cost(c.cx, c.d) / c.pi)), float(np.sum(c.d.interest_capitalised / c.pi))


def ppp_test(case: Case, *, scenario: str | None = None) -> PppTest:
    """The eligibility conditions of viability-gap funding and the grant that closes the gap.

    Parameters
    ----------
    case : Case
        Needs ``[economic]`` and ``[ppp]`` sections.
    scenario : str, optional
        Test a scenario of the case instead of the base.

    Returns
    -------
    PppTest

    Raises
    ------
    ValueError
        When the case has no ``[economic]`` or ``[ppp]`` section.
    """
    missing = [s for s in ("economic", "ppp") if getattr(case, s) is None]
    if missing:
        raise ValueError(f"the PPP test needs the case sections {', '.join(f'[{m}]' for m in missing)}")
    base = dict(case.scenario(scenario)) if scenario is not None else {}
    keys = ["fnpv_idr", "firr", "wacc", "enpv_idr", "eirr", "social_discount_rate"]
    m0 = run(case, {**base, _GRANT: 0.0}, metrics=keys).metrics
    economic = bool(m0["enpv_idr"] > 0)
    financial = bool(m0["fnpv_idr"] >= 0)
    ppp = case.ppp
    assert ppp is not None
    cap = float(ppp.max_grant_share.value)
    # the floor is in base-year prices: so is the construction cost it is compared with, whatever the basis shown
    min_inv = float(ppp.min_investment_idr.value)
    cost, idc = _construction_cost(case, {**base, _GRANT: 0.0})
    transfer, transfer_how, transfer_ref = _asset_transfer(case)
    set_up = [
        Condition("user_pays", ppp.payment == "user_charges", ppp.payment, None, "", REFERENCE),
        Condition("competitive_tender", ppp.procurement == "competitive_tender", ppp.procurement, None, "", REFERENCE),
        Condition("asset_transfer", bool(transfer), transfer_how, None, "", transfer_ref),
        Condition("min_investment", cost >= min_inv, cost, min_inv, "IDR", f"{REFERENCE}; case: ppp.min_investment_idr ({ppp.min_investment_idr.source})"),
    ]
    share, firr_g = float("nan"), float("nan")
    closable = True
    if economic and not financial:

        def fnpv(g: np.ndarray) -> np.ndarray:
            g = np.asarray(g, dtype=float)
            return np.asarray(run(case, {**base, _GRANT: g}, metrics=["fnpv_idr"]).metrics["fnpv_idr"]).reshape(g.shape)

        closable = bool(fnpv(np.array(1.0)) >= 0)
        if closable:
            res = elementwise.find_root(fnpv, (0.0, 1.0), tolerances={"xatol": 1e-12, "xrtol": 1e-12})
            share = float(res.x)
            firr_g = float(run(case, {**base, _GRANT: share}, metrics=["firr"]).metrics["firr"])
    within = bool(np.isfinite(share) and share <= cap)
    # without a grant worked out (off the economic-but-not-financial route, or no grant closes the gap) the cap is not assessed
    cap_met = within if np.isfinite(share) else None
    conditions = (
        Condition("economic", economic, float(m0["enpv_idr"]), 0.0, "IDR", REFERENCE),
        Condition("financial_gap", not financial, float(m0["fnpv_idr"]), 0.0, "IDR", REFERENCE),
        *set_up,
        Condition("within_cap", cap_met, share if np.isfinite(share) else None, cap, "fraction",
                  f"{REFERENCE}; case: ppp.max_grant_share ({ppp.max_grant_share.source})"),
    )
    failing = tuple(c.name for c in conditions if c.met is False)
    if financial:
        route = "financially_feasible"
    elif not economic:
        route = "not_economic"
    elif not closable:
        route = "gap_not_closable"
    elif any(c.name in _SET_UP for c in conditions if not c.met):
        route = "not_eligible"
    else:
        route = "vgf" if within else "vgf_above_cap"
    return PppTest(
        route=route,
        eligible=all(c.met is True for c in conditions),
        failing=failing,
        conditions=conditions,
        economic_feasible=economic,
        financial_feasible=financial,
        enpv_idr=float(m0["enpv_idr"]),
        eirr=float(m0["eirr"]),
        social_discount_rate=float(m0["social_discount_rate"]),
        fnpv_idr=float(m0["fnpv_idr"]),
        firr=float(m0["firr"]),
        wacc=float(m0["wacc"]),
        grant_share=share,
        grant_idr=share * cost,
        firr_at_grant=firr_g,
        max_grant_share=cap,
        within_cap=within,
        construction_cost_idr=cost,
        idc_idr=idc,
        min_investment_idr=min_inv,
        meets_min_investment=cost >= min_inv,
    )
