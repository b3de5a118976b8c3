"""The management, environment and data-collection chapters of a kajian kelayakan.

- :func:`management`: the enterprise's form and organs (PP 54/2017), what the
  case spends a year on its directors and on the staff of each line, and the
  case's notes on management;
- :func:`environment`: what the economic analysis leaves out, the dredging and
  reclamation the case pays for, and the case's environmental and social notes;
- :func:`data_plan`: for each survey or study of the case's ``[data_plan]``,
  ranked by what its information is worth to the choice among the options
  (EVPPI, :mod:`feasibility.analysis.voi`), the placeholders it replaces (those
  the verdict rests on marked), the switching value nearest its inputs' range,
  who holds the data, how to get it, a rough cost and time; and the
  placeholders no item covers.
"""

from __future__ import annotations

import fnmatch
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...case import in_lang
from ...case.options import split_option_path
from ..i18n import Formatter
from ..labels import short_label
from .common import NoteView, anchor, input_value, notes_for

if TYPE_CHECKING:
    from ...study import Study

__all__ = ["DataPlan", "DataPlanRow", "Environment", "Management", "data_plan", "environment", "first_stage", "management"]


@dataclass(frozen=True)
class CostRow:
    label: str
    amount: str


@dataclass(frozen=True)
class Management:
    text: str
    costs: list[CostRow]
    notes: list[NoteView]


@dataclass(frozen=True)
class Environment:
    text: str
    notes: list[NoteView]


@dataclass(frozen=True)
class InputRef:
    label: str
    anchor: str
    decisive: bool


@dataclass(frozen=True)
class DataPlanRow:
    title: str
    inputs: list[InputRef]
    holder: str
    method: str
    cost: str
    months: str
    stage: str
    confidence: str
    #: what the information is worth to the choice among the options (EVPPI, with its Monte Carlo error)
    worth: str
    #: the input whose switching value (FNPV = 0) lies nearest, and where it lies against the range
    switch: str


@dataclass(frozen=True)
class SobolRow:
    label: str
    anchor: str
    first: str
    total: str


@dataclass(frozen=True)
class DataPlan:
    text: str
    rows: list[DataPlanRow]
    uncovered: list[InputRef]
    #: how the value of information was found, and what the top items are worth ("" without a Monte Carlo)
    voi: str
    #: the inputs the region's NPV varies with most (Sobol indices, the appraisal's): empty without a Monte Carlo
    sobol: list[SobolRow]
    sobol_intro: str


def management(study: Study, fmt: Formatter) -> Management:
    """The management and organisation chapter."""
    case, t = study.case, fmt.msg["chapters"]
    costs = []
    if case.plan.vehicle == "bumd":
        for key, item in case.bumd.overhead.items():
            costs.append(CostRow(short_label(case, f"bumd.overhead.{key}.amount_idr_per_year", fmt.lang),
                                 fmt.money(item.amount_idr_per_year.value)))
    for key, line in case.lines().items():
        staff = line.opex.get("staff")
        if staff is not None and staff.amount_idr_per_year is not None:
            costs.append(CostRow(t["staff_of"].format(line=in_lang(line.name, fmt.lang)), fmt.money(staff.amount_idr_per_year.value)))
    form = case.bumd.form if case.plan.vehicle == "bumd" else case.plan.vehicle
    name = in_lang(case.bumd.name, fmt.lang) if case.bumd is not None else ""
    text = t[f"organs_{form}"].format(name=name, year=case.timeline.price_base_year)
    return Management(text=text, costs=costs, notes=notes_for(study, fmt, "management"))


def environment(study: Study, fmt: Formatter) -> Environment:
    """The environment and society chapter."""
    t = fmt.msg["chapters"]
    return Environment(text=t["environment_intro"], notes=notes_for(study, fmt, "environment"))


def data_plan(study: Study, fmt: Formatter) -> DataPlan:
    """The data-collection plan: every placeholder, and every number the verdict rests on, by the survey that would measure it.

    Items run by what their information is worth to the choice among the options
    (the appraisal's EVPPI of the item's inputs learnt together), then by stage
    (stage 1 first), then by how near an input's switching value lies; an input
    named alike in two business lines carries its line's name.
    """
    case, t = study.case, fmt.msg["chapters"]
    rows_all = case.assumptions()
    decisive = {d["path"] for c in study.criteria for d in c.drivers}
    plan_voi = {k: (set(ps), e) for k, ps, e in study.appraisal.evppi_plan} if study.appraisal is not None else {}
    drawn = set().union(*(ps for ps, _ in plan_voi.values()))
    # the placeholders, the numbers the verdict rests on, and the numbers the value of information is estimated on
    wanted = [a["path"] for a in rows_all
              if a["confidence"] == "placeholder" or a["path"] in decisive or _unmerged(a["path"]) in drawn]
    labels = _plan_labels(study, wanted, fmt)

    def ref(path: str) -> InputRef:
        return InputRef(labels[path], anchor(path), path in decisive)

    tor = study.tornadoes["fnpv_idr"].table
    ranked = []
    for order, (key, item) in enumerate(case.data_plan.items()):
        e = plan_voi.get(key, (set(), None))[1]
        mine = [p for p in wanted if any(fnmatch.fnmatchcase(p, pat) for pat in item.inputs)]
        sw_text, nearness = _nearest_switch(study, tor, item.inputs, fmt)
        # an item none of whose numbers is drawn is worth nothing to the choice as simulated: ranked as 0
        ranked.append(((-(e.value if e is not None else 0.0), item.stage, nearness, order), key, item, mine, e, sw_text))
    ranked.sort(key=lambda r: r[0])
    rows, covered = [], set()
    for _, key, item, mine, e, sw_text in ranked:
        covered.update(mine)
        rows.append(DataPlanRow(
            title=in_lang(item.title, fmt.lang),
            # the numbers the verdict rests on first
            inputs=sorted((ref(p) for p in mine), key=lambda r: not r.decisive),
            holder=in_lang(item.holder, fmt.lang), method=in_lang(item.method, fmt.lang),
            cost=fmt.money(item.cost_idr), months=fmt.number(item.months), stage=fmt.number(item.stage),
            confidence=fmt.msg["confidence"][item.confidence],
            worth=_worth(e, bool(plan_voi), fmt),
            switch=sw_text,
        ))
    uncovered = [ref(p) for p in wanted if p not in covered]
    n_placeholders = sum(1 for a in rows_all if a["confidence"] == "placeholder")
    cost, months = first_stage(study)
    items = list(case.data_plan.values())
    text = t["data_plan_intro"].format(
        k=fmt.number(n_placeholders), n=fmt.number(len(rows_all)), cost=fmt.money(cost), months=fmt.number(months),
        later=fmt.money(sum(i.cost_idr for i in items if i.stage > 1)),
    ) if case.data_plan else t["data_plan_none"].format(k=fmt.number(n_placeholders))
    sob = study.appraisal.sobol if study.appraisal is not None else None
    sobol = [] if sob is None else [
        SobolRow(short_label(case, str(p), fmt.lang), anchor(str(p)),
                 t["dp_sobol_value"].format(v=fmt.number(r["S1"], 2), c=fmt.number(r["S1_conf"], 2)),
                 t["dp_sobol_value"].format(v=fmt.number(r["ST"], 2), c=fmt.number(r["ST_conf"], 2)))
        for p, r in sob.head(N_SOBOL).iterrows()]
    sobol_intro = t["dp_sobol_intro"].format(k=fmt.number(len(sobol)), n=fmt.number(len(sob))) if sobol else ""
    return DataPlan(text=text, rows=rows, uncovered=uncovered, voi=_voi_text(study, ranked, fmt), sobol=sobol, sobol_intro=sobol_intro)


#: rows of the Sobol table
N_SOBOL = 8


def _unmerged(path: str) -> str:
    """A register path into an option's merge (``options.K.merge.REST``) as the option's case names it (``REST``)."""
    own = split_option_path(path)
    return path if own is None else own[1]


def _worth(e: Any, estimated: bool, fmt: Formatter) -> str:
    """An item's EVPPI in words: its value and Monte Carlo error, a bare zero, or why there is none."""
    t = fmt.msg["chapters"]
    if e is None:
        return t["dp_worth_fixed" if estimated else "dp_worth_none"]
    if e.value == 0 and e.se == 0:  # exact: no option the draws could make best depends on these numbers
        return fmt.money(0)
    return t["dp_worth"].format(v=fmt.money(e.value), se=fmt.money(e.se))


def _plan_labels(study: Study, paths: list[str], fmt: Formatter) -> dict[str, str]:
    """Short labels of the paths; a label two business lines share carries its line's name."""
    case = study.case
    labels = {p: short_label(case, p, fmt.lang) for p in paths}
    seen: dict[str, int] = {}
    for lab in labels.values():
        seen[lab] = seen.get(lab, 0) + 1
    for p, lab in labels.items():
        line = case.defined_lines().get(p.split(".")[0])
        if seen[lab] > 1 and line is not None:
            labels[p] = f"{in_lang(line.name, fmt.lang)}: {lab}"
    return labels


def _nearest_switch(study: Study, tor: Any, patterns: list[str], fmt: Formatter) -> tuple[str, float]:
    """The item's input whose FNPV switching value lies nearest its range, in words, and how near (0 inside the range).

    Nearness is the distance from the range in units of the range's width (inf when no input of the item switches).
    """
    t = fmt.msg["chapters"]
    if "switching_status" not in tor:
        return t["dp_switch_none"], math.inf
    best: tuple[float, str] | None = None
    theirs = [(path, r) for path, r in tor.iterrows() if any(fnmatch.fnmatchcase(str(path), pat) for pat in patterns)]
    if not theirs:
        # numbers of the plan without a range (no tornado row), or an option's own numbers the plan does not use
        in_plan = any(fnmatch.fnmatchcase(p, pat) for p in study.case.quantity_map() if not p.startswith("options.") for pat in patterns)
        return t["dp_switch_unranged" if in_plan else "dp_switch_not_in_plan"], math.inf
    for path, r in theirs:
        if r["switching_status"] != "solved":
            continue
        lo, hi = sorted((float(r["low_value"]), float(r["high_value"])))
        v = float(r["switching_value"])
        width = max(hi - lo, 1e-12 * max(abs(lo), abs(hi), 1.0))
        gap = max(lo - v, v - hi, 0.0) / width
        if best is None or gap < best[0]:
            words = t["dp_switch_in" if gap == 0 else "dp_switch_out"].format(
                input=short_label(study.case, str(path), fmt.lang), v=input_value(study, fmt, str(path), v),
                lo=input_value(study, fmt, str(path), lo), hi=input_value(study, fmt, str(path), hi))
            best = (gap, words)
    return (best[1], best[0]) if best is not None else (t["dp_switch_none"], math.inf)


def _voi_text(study: Study, ranked: list[Any], fmt: Formatter) -> str:
    """The value-of-information paragraph: the best option and why, EVPI, the three items worth most and those worth their cost."""
    ap, t = study.appraisal, fmt.msg["chapters"]
    if ap is None or ap.evpi is None or not ranked:
        return t["dp_voi_none"] if study.case.data_plan else ""
    zero = fmt.money(0)

    def worth(r: Any) -> float:
        return r[4].value if r[4] is not None else 0.0

    # the items worth anything, at most three (a tie at zero has no order worth stating)
    best = [r for r in ranked if worth(r) > 0][:3]
    items = t["dp_voi_join"].join(t["dp_voi_item"].format(title=in_lang(r[2].title, fmt.lang), v=fmt.money(worth(r))) for r in best)
    top = (t["dp_top_none"].format(zero=zero) if not best
           else t["dp_top"].format(items=items, zero=zero) if len(best) < len(ranked) and worth(ranked[len(best)]) == 0
           else t["dp_top_three"].format(items=items))
    pays = [r for r in ranked if worth(r) > r[2].cost_idr]
    pay = t["dp_pay"].format(items=t["dp_voi_join"].join(
        t["dp_pay_item"].format(title=in_lang(r[2].title, fmt.lang), v=fmt.money(worth(r)), cost=fmt.money(r[2].cost_idr)) for r in pays
    )) if pays else t["dp_pay_none"]
    losing = sum(1 for o in ap.options if o.mc.get("p_region_loss") == 1.0)
    why = t["dp_voi_why_loss"].format(k=fmt.number(losing), n=fmt.number(len(ap.options))) if losing else ""
    return t["dp_voi"].format(best=ap[ap.preferred].label(fmt.lang), why=why, k=fmt.number(len(ap.evppi)), n=fmt.number(ap.iterations),
                              evpi=fmt.money(ap.evpi.value), se=fmt.money(ap.evpi.se), top=top, pay=pay, zero=zero)


def first_stage(study: Study) -> tuple[float, int]:
    """The cost (IDR) and the longest time (months) of the first stage of the data-collection plan."""
    first = [i for i in study.case.data_plan.values() if i.stage == 1]
    return sum(i.cost_idr for i in first), max((i.months for i in first), default=0)
