"""feasibility: feasibility studies for a regional-owned (BUMD) port.

The data flows one way: a validated case file (:mod:`feasibility.case`) ->
the vectorised annual model (:mod:`feasibility.model`) -> metrics
(:mod:`feasibility.metrics`) -> reports (:mod:`feasibility.present.report`).

>>> from feasibility import load_case, evaluate
>>> result = evaluate(load_case())          # the Kota Serang default case
>>> result.metrics["fnpv_idr"]              # doctest: +SKIP
"""

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import Any

try:
    __version__ = version("feasibility")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0+unknown"

# The names below are imported on first use (PEP 562), not with the package: the
# command line starts without pydantic, numpy and pandas, so that `feasibility
# --version` is quick and a Ctrl-C during the imports reaches its handler.
_LAZY = {
    "DEFAULT_CASE": "case",
    "Case": "case",
    "CaseError": "case",
    "load_case": "case",
    "parse_case": "case",
    "Result": "model",
    "evaluate": "model",
    "run": "model",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = ["DEFAULT_CASE", "Case", "CaseError", "Result", "evaluate", "load_case", "parse_case", "run", "__version__"]
