"""Case files: the schema of a feasibility case, its validation and its files."""

from .schema import (
    DEFAULT_CASE,
    TAX_LIFE_YEARS,
    Case,
    CaseError,
    Problem,
    Quantity,
    case_text,
    in_lang,
    load_case,
    parse_case,
)

__all__ = ["DEFAULT_CASE", "TAX_LIFE_YEARS", "Case", "CaseError", "Problem", "Quantity", "case_text", "in_lang", "load_case", "parse_case"]
