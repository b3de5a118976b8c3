"""The annual cash-flow model of a BUMD case, vectorised over leading axes."""

from .run import METRIC_UNITS, Result, evaluate, run

__all__ = ["METRIC_UNITS", "Result", "evaluate", "run"]
