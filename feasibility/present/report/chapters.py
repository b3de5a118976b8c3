"""The management, environment and data-collection chapters of a kajian kelayakan.

- :func:`management`: the enterprise's form and organs (PP 54/2017), what the
  case spends a year on its directors and on the staff of each line, and the
  case's notes on management;
- :func:`environment`: what the economic analysis leaves out, the dredging and
  reclamation the case pays for, and the case's environmental and social notes;
- :func:`data_plan`: for each survey or study of the case's ``[data_plan]``,
  the placeholders it replaces (those the verdict rests on marked), who holds
  the data, how to get it, a rough cost and time; and the placeholders no item
  covers.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...case import in_lang
from ..i18n import Formatter
from ..labels import short_label
from .common import NoteView, anchor, notes_for

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


@dataclass(frozen=True)
class DataPlan:
    text: str
    rows: list[DataPlanRow]
    uncovered: list[InputRef]


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
        if staff is not None:
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

    Items run by stage (the surveys that can stop the plan first); an input named
    alike in two business lines carries its line's name.
    """
    case, t = study.case, fmt.msg["chapters"]
    rows_all = case.assumptions()
    decisive = {d["path"] for c in study.criteria for d in c.drivers}
    wanted = [a["path"] for a in rows_all if a["confidence"] == "placeholder" or a["path"] in decisive]
    labels = {p: short_label(case, p, fmt.lang) for p in wanted}
    seen: dict[str, int] = {}
    for lab in labels.values():
        seen[lab] = seen.get(lab, 0) + 1
    for p, lab in labels.items():
        line = case.defined_lines().get(p.split(".")[0])
        if seen[lab] > 1 and line is not None:
            labels[p] = f"{in_lang(line.name, fmt.lang)}: {lab}"

    def ref(path: str) -> InputRef:
        return InputRef(labels[path], anchor(path), path in decisive)

    rows, covered = [], set()
    items = sorted(case.data_plan.values(), key=lambda i: i.stage)  # a stable sort keeps the file's order within a stage
    for item in items:
        mine = [p for p in wanted if any(fnmatch.fnmatchcase(p, pat) for pat in item.inputs)]
        covered.update(mine)
        rows.append(DataPlanRow(
            title=in_lang(item.title, fmt.lang),
            # the numbers the verdict rests on first
            inputs=sorted((ref(p) for p in mine), key=lambda r: not r.decisive),
            holder=in_lang(item.holder, fmt.lang), method=in_lang(item.method, fmt.lang),
            cost=fmt.money(item.cost_idr), months=fmt.number(item.months), stage=fmt.number(item.stage),
            confidence=fmt.msg["confidence"][item.confidence],
        ))
    uncovered = [ref(p) for p in wanted if p not in covered]
    n_placeholders = sum(1 for a in rows_all if a["confidence"] == "placeholder")
    cost, months = first_stage(study)
    text = t["data_plan_intro"].format(
        k=fmt.number(n_placeholders), n=fmt.number(len(rows_all)), cost=fmt.money(cost), months=fmt.number(months),
        later=fmt.money(sum(i.cost_idr for i in items if i.stage > 1)),
    ) if case.data_plan else t["data_plan_none"].format(k=fmt.number(n_placeholders))
    return DataPlan(text=text, rows=rows, uncovered=uncovered)


def first_stage(study: Study) -> tuple[float, int]:
    """The cost (IDR) and the longest time (months) of the first stage of the data-collection plan."""
    first = [i for i in study.case.data_plan.values() if i.stage == 1]
    return sum(i.cost_idr for i in first), max((i.months for i in first), default=0)
