"""The need and legal sections: a paragraph each from the case, then the case's notes for the section."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...case import in_lang
from ..i18n import Formatter
from .common import NoteView, metric_value, notes_for

if TYPE_CHECKING:
    from ...study import Study

__all__ = ["Legal", "Need", "legal", "need"]


@dataclass(frozen=True)
class Need:
    text: str
    notes: list[NoteView]


@dataclass(frozen=True)
class Legal:
    text: str
    notes: list[NoteView]


def need(study: Study, fmt: Formatter) -> Need:
    """The need for the enterprise: the region's own revenue (PAD) and budget (APBD) beside the dividends it may expect.

    Parameters
    ----------
    study : Study
    fmt : Formatter

    Returns
    -------
    Need
        Without ``[region] pad_idr_per_year`` in the case, a sentence saying
        the comparison cannot be made.
    """
    t, ui = fmt.msg["report"], fmt.msg["ui"]
    m = study.result.metrics
    reg = study.case.region
    if reg.pad_idr_per_year is not None:
        text = t["need_pad"].format(
            pad=fmt.money(reg.pad_idr_per_year.value),
            # the source is quoted in the case file's language in the register; the sentence gives its year
            pad_source=reg.pad_idr_per_year.year or fmt.msg["ui"]["na"],
            apbd=fmt.money(reg.apbd_idr_per_year.value) if reg.apbd_idr_per_year is not None else ui["na"],
            div=metric_value(fmt, m, "region_dividends_avg_idr_per_year"),
            share=fmt.percent(m["region_dividends_share_of_pad"], 2),
            inj_share=fmt.percent(m["region_injection_share_of_apbd"]),
        )
    else:
        text = t["need_no_pad"]
    return Need(text=text, notes=notes_for(study, fmt, "need"))


#: the legal forms of a BUMD as Indonesian law names them (PP 54/2017), in either language
_FORMS = {"perumda": "Perumda", "perseroda": "Perseroda"}


def legal(study: Study, fmt: Formatter) -> Legal:
    """The enterprise's legal form, the region's share, the port concession fee and the lab's accreditation year."""
    case = study.case
    ui = fmt.msg["ui"]
    text = fmt.msg["report"]["legal_form"].format(
        name=in_lang(case.bumd.name, fmt.lang),
        form=_FORMS[case.bumd.form],
        own=fmt.percent(case.bumd.ownership_share_region.value, 0),
        fee=fmt.percent(case.port.concession_fee_share_of_revenue.value, 1),
        accr=case.lab.accreditation_year if case.lab is not None else ui["na"],
    )
    return Legal(text=text + " " + _concession(study, fmt), notes=notes_for(study, fmt, "legal"))


def _concession(study: Study, fmt: Formatter) -> str:
    """The concession's term and what becomes of the port's assets at its end (the residual value follows it)."""
    c, t = study.case.concession, fmt.msg["report"]
    end = study.case.timeline.first_operating_year + c.term_years - 1
    how = t["reversion_free"] if c.reversion == "without_payment" else t["reversion_paid"].format(pay=fmt.money(c.transfer_payment_idr.value))
    land = t["land_reverts"] if c.land_reverts else t["land_kept"]
    return t["legal_concession"].format(term=c.term_years, end=end, how=how, land=land)
