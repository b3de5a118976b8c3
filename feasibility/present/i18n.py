"""Message catalogs and locale-aware number formatting (Indonesian default, English).

Catalogs are TOML files in ``feasibility/locale``; templates and the CLI take
every word from them. Numbers, percentages and money are formatted with Babel
for the locale: ``minus Rp597,5 miliar`` and ``12,5%`` in Indonesian,
``minus IDR 597.5 billion`` and ``12.5%`` in English.
"""

from __future__ import annotations

import functools
import math
import tomllib
from importlib import resources
from typing import Any

from babel.numbers import format_decimal, format_percent, format_scientific

from ..metrics import registry

__all__ = ["LANGS", "LOCALES", "catalog", "Formatter"]

LANGS = ("id", "en")
#: the Babel locale of each language
LOCALES = {"id": "id_ID", "en": "en_US"}
_LOCALES = LOCALES


@functools.cache
def catalog(lang: str) -> dict[str, dict[str, str]]:
    """The message catalog of a language (``id`` or ``en``)."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, got {lang!r}")
    text = resources.files("feasibility.present").joinpath("locale", f"{lang}.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


class Formatter:
    """Locale-aware formatting of the values a report shows."""

    def __init__(self, lang: str):
        self.lang = lang
        self.locale = _LOCALES[lang]
        self.msg = catalog(lang)

    def number(self, x: Any, digits: int = 0) -> str:
        if x is None or (isinstance(x, float) and not math.isfinite(x)):
            return self.msg["ui"]["na"]
        if abs(x) >= 1e18:  # past reading digit by digit, and past babel's decimal precision (28 digits) soon after
            return format_scientific(x, format="0.###E0", locale=self.locale)
        fmt = "#,##0" + ("." + "0" * digits if digits else "")
        if round(x, digits) == 0:
            x = 0.0  # never show "-0,0"
        return format_decimal(x, format=fmt, locale=self.locale)

    def percent(self, x: Any, digits: int = 1) -> str:
        if x is None or not math.isfinite(x):
            return self.msg["ui"]["na"]
        return format_percent(x, format="#,##0." + "0" * digits + "%", locale=self.locale)

    def money(self, x: Any) -> str:
        """Rupiah in words of scale: ``Rp390 miliar``, ``minus Rp22,6 miliar`` / ``minus IDR 22.6 billion``.

        The symbol and the digits follow Babel's locale data (``Rp`` before the
        number, no space, in ``id_ID``); as in Indonesian official documents a
        loss is written with the word "minus" rather than a hyphen that a reader
        can miss, and a decimal that adds nothing (``,0``) is dropped.
        """
        if x is None or not math.isfinite(x):
            return self.msg["ui"]["na"]
        ui = self.msg["ui"]
        a = abs(x)
        for scale, word, digits in ((1e12, "trillion", 2), (1e9, "billion", 1), (1e6, "million", 1)):
            if a >= scale or round(a / scale * 1000, 1) >= 1000:  # 999,99 miliar is Rp1 triliun, not Rp1.000 miliar
                body = f"{self._trimmed(a / scale, digits)} {ui[word]}"
                break
        else:
            body = self.number(a)
        text = ui["money"].format(amount=body)
        return ui["minus"].format(amount=text) if x < 0 and body != self.number(0) else text

    def money_exact(self, x: Any) -> str:
        """Whole rupiah, for prices per unit: ``Rp232.165`` / ``IDR 232,165`` (``minus`` as in :meth:`money`)."""
        if x is None or not math.isfinite(x):
            return self.msg["ui"]["na"]
        body = self.number(abs(x))
        text = self.msg["ui"]["money"].format(amount=body)
        return self.msg["ui"]["minus"].format(amount=text) if x < 0 and body != self.number(0) else text

    def _trimmed(self, x: float, digits: int) -> str:
        """``x`` with at most ``digits`` decimals, trailing zeros dropped (``390``, ``1,2``, ``1,25``)."""
        for d in range(digits + 1):
            if round(x, d) == round(x, digits):
                return self.number(x, d)
        return self.number(x, digits)

    def undefined(self, item: dict[str, Any]) -> str:
        """Why a metric is undefined, from a ``Result.undefined`` entry."""
        metric = registry.label(item["metric"], self.lang)
        return self.msg["undefined"][item["reason"]].format(metric=metric)

    def value(self, x: Any, unit: str) -> str:
        """A metric value by its unit (:data:`feasibility.metrics.registry.METRIC_UNITS`)."""
        if unit == "IDR":
            return self.money(x)
        if unit == "fraction":
            return self.percent(x)
        if unit == "ratio":
            return self.number(x, 2)
        if unit == "years":  # a payback period: NaN means it never happens within the model years
            if x is None or not math.isfinite(x):
                return self.msg["ui"]["never"]
            return f"{self.number(x, 1)} {self.msg['ui']['years_unit']}"
        if unit == "count":
            return self.na_or(x, lambda v: self.number(v))
        if unit == "tonnes":
            return self.na_or(x, lambda v: f"{self.number(v)} {self.msg['ui']['tonnes_symbol']}")  # "ton" in Indonesian prose
        if unit == "year":
            return self.na_or(x, lambda v: str(int(v)))
        if unit == "flag":
            return self.na_or(x, lambda v: self.msg["ui"]["yes"] if v else self.msg["ui"]["no"])
        return self.number(x, 2)

    def na_or(self, x: Any, fn: Any) -> str:
        if x is None or (isinstance(x, float) and not math.isfinite(x)):
            return self.msg["ui"]["na"]
        return fn(x)
