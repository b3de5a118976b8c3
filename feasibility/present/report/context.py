"""The report assembled from its sections, and rendered through the template.

:func:`build` calls one function per section, each with the study and a
:class:`~feasibility.present.i18n.Formatter` for the report's language;
:func:`render` hands the sections to ``templates/report.html.j2`` (one
namespace each: ``summary.verdict_rows``, ``budget.rows``, ...) with the data
block as JSON.
"""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

import jinja2
from babel.dates import format_date

from ...case import in_lang
from ..i18n import Formatter
from .appendix import Appendix, appendix
from .budget import Budget, budget
from .chapters import DataPlan, Environment, Management, data_plan, environment, management
from .comparison import Comparison
from .council import Council, council
from .economic import Economic, economic
from .financial import Financial, financial
from .io import GENERATOR, data_block, sha256
from .market import Market, market
from .narrative import Legal, Need, legal, need
from .options import Options, options
from .recommendation import Recommendation, recommendation
from .risk import Risk, risk
from .summary import Summary, summary
from .technical import Technical, technical

if TYPE_CHECKING:
    from ...study import Study

__all__ = ["Header", "Report", "build", "header", "render"]

_env = jinja2.Environment(
    loader=jinja2.PackageLoader("feasibility.present", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class Header:
    """The report's title block: which case, file, toolkit, seed, and the price basis of its figures."""

    name: str
    description: str
    source_name: str
    generator: str
    version: str
    generated: str
    sha256: str
    seed_text: str
    basis: str
    case_text: str
    #: the language of the case file's single-language texts (its sources and notes), marked where they are quoted
    case_lang: str
    base_year: int


def header(study: Study, fmt: Formatter, generated: _dt.date | None = None) -> Header:
    """The title block.

    Parameters
    ----------
    study : Study
    fmt : Formatter

    Returns
    -------
    Header
        ``generated`` is today's date, written out for the locale (the only
        figure of a report that changes from one day to the next).
    """
    case, ui = study.case, fmt.msg["ui"]
    real = study.result.price_basis == "real"
    return Header(
        name=in_lang(case.case.name, fmt.lang),
        description=in_lang(case.case.description, fmt.lang),
        source_name=study.source_name,
        generator=GENERATOR,
        version=study.version,
        # through the module, not ``from datetime import date``: a test can fix the day
        generated=format_date(generated or _dt.date.today(), format="long", locale=fmt.locale),
        sha256=sha256(study.case_text),
        seed_text=f"{study.seed} / {fmt.number(study.iterations)}" + (
            " " + ui["seed_options"].format(n=fmt.number(study.appraisal.iterations))
            if study.appraisal is not None and study.appraisal.iterations else ""),
        basis=ui["price_basis_real"].format(year=case.timeline.price_base_year) if real else ui["price_basis_nominal"],
        case_text=study.case_text,
        case_lang=case.case.language,
        base_year=case.timeline.price_base_year,
    )


@dataclass
class Report:
    """Everything the template shows, by section (its fields are the template's names)."""

    lang: str
    msg: dict[str, Any]
    ui: dict[str, str]
    t: dict[str, str]
    header: Header
    #: the council's catalog (``[council]``) and the summary for the council, the first screen
    council_words: dict[str, str]
    council: Council
    summary: Summary
    need: Need
    legal: Legal
    market: Market
    technical: Technical
    management: Management
    environment: Environment
    financial: Financial
    economic: Economic
    budget: Budget
    risk: Risk
    recommendation: Recommendation
    data_plan: DataPlan
    appendix: Appendix
    #: the data block (:func:`feasibility.present.report.io.data_block`), written as JSON
    data: dict[str, Any]
    comparison: Comparison | None = field(default=None)
    options: Options | None = field(default=None)


def build(study: Study, lang: str, generated: _dt.date | None = None) -> Report:
    """Every section of the report of one study, in one language (``generated``: its date, default today)."""
    fmt = Formatter(lang)
    day = generated or _dt.date.today()
    msg = fmt.msg
    opts = options(study, fmt)
    return Report(
        lang=lang,
        msg=msg,
        ui=msg["ui"],
        t=msg["report"],
        header=header(study, fmt, day),
        council_words=msg["council"],
        council=council(study, fmt, opts.plan_label if opts is not None else ""),
        summary=summary(study, fmt),
        need=need(study, fmt),
        legal=legal(study, fmt),
        market=market(study, fmt),
        technical=technical(study, fmt),
        management=management(study, fmt),
        environment=environment(study, fmt),
        financial=financial(study, fmt),
        economic=economic(study, fmt),
        budget=budget(study, fmt),
        risk=risk(study, fmt),
        recommendation=recommendation(study, fmt),
        data_plan=data_plan(study, fmt),
        appendix=appendix(study, fmt),
        # the date is in the data block: `feasibility reproduce` renders the report again for that day
        data={**data_block(study), "generated": day.isoformat()},
        options=opts,
    )


def render(report: Report) -> str:
    """The template with the report's sections; the data block as JSON (read back by :func:`~.io.extract_data`)."""
    # fields() rather than asdict(): the sections go to the template as they are, not copied into dicts
    ctx = {f.name: getattr(report, f.name) for f in fields(report)}
    data_json = json.dumps(report.data, ensure_ascii=False, sort_keys=True)
    return _env.get_template("report.html.j2").render(**ctx, data_json=data_json)
