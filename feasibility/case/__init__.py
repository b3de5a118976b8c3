"""Case files: the schema of a feasibility case, its validation and its files.

One room per job: :mod:`.schema` (the pydantic models), :mod:`.errors` (problems
and the translation of pydantic's errors), :mod:`.rules` (rules across
sections), :mod:`.io` (reading case and history files), :mod:`.forecasts`
(fitting forecast streams on first use).
"""

from .errors import CaseError, Problem
from .forecasts import fit_forecasts
from .io import DEFAULT_CASE, case_text, load_case, parse_case
from .schema import TAX_LIFE_YEARS, Case, Quantity, in_lang

__all__ = ["DEFAULT_CASE", "TAX_LIFE_YEARS", "Case", "CaseError", "Problem", "Quantity", "case_text", "fit_forecasts", "in_lang", "load_case", "parse_case"]
