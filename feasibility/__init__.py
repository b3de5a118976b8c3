"""feasibility: feasibility studies for a regional-owned (BUMD) port.

The data flows one way: a validated case file (:mod:`feasibility.case`) ->
the vectorised annual model (:mod:`feasibility.model`) -> metrics
(:mod:`feasibility.metrics`) -> reports (:mod:`feasibility.present.report`).

>>> from feasibility import load_case, evaluate
>>> result = evaluate(load_case())          # the Kota Serang default case
>>> result.metrics["fnpv_idr"]              # doctest: +SKIP
"""

from importlib.metadata import PackageNotFoundError, version

from .case import DEFAULT_CASE, Case, CaseError, load_case, parse_case
from .model import Result, evaluate, run

try:
    __version__ = version("feasibility")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0+unknown"

__all__ = ["DEFAULT_CASE", "Case", "CaseError", "Result", "evaluate", "load_case", "parse_case", "run", "__version__"]
