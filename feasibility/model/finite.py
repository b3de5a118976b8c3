"""The model's results checked finite, and the input that makes them infinite named (issue 19).

Every number of a case lies within :data:`feasibility.case.schema.MAGNITUDE_MAX`,
which keeps the model's sums and products far from overflowing; this check is
the net under that rule. A money line (``*_idr``) of the annual table must be
finite in every year, and no line or metric may be infinite. (Ratios such as
the DSCR in a year without debt service, and a payback never reached, are NaN
by design: the report says "n/a" and why.)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..case import Case
from ..case.errors import _MISSING, Problem
from .result import Result
from .run import run

__all__ = ["finite_problems", "nonfinite"]

#: the most inputs tried one at a time to find the one that breaks the results
_TRIES = 60


def nonfinite(res: Result) -> list[str]:
    """The annual lines and metrics of a result that are not finite where they must be."""
    out = []
    for key, v in res.lines.items():
        a = np.asarray(v, dtype=float)
        if np.isinf(a).any() or (key.endswith("_idr") and np.isnan(a).any()):
            out.append(key)
    return out + [k for k, v in res.metrics.items() if np.isinf(np.asarray(v, dtype=float)).any()]


def _try(case: Case, overrides: dict[str, Any]) -> bool:
    """Whether the results are finite with ``overrides``."""
    try:
        return not nonfinite(run(case, overrides))
    except (ValueError, FloatingPointError, OverflowError):
        return False


def finite_problems(case: Case, overrides: dict[str, Any] | None = None) -> list[Problem]:
    """A problem naming the input that makes the model's results infinite, or none when they are finite.

    The inputs are tried one at a time, largest first, each scaled down by 10^12
    (a number large enough to overflow becomes an ordinary one); the first whose
    change makes every result finite is named. When none does alone, the
    problem names the results and the largest inputs.
    """
    base = dict(overrides or {})
    with np.errstate(all="ignore"):
        broken = nonfinite(run(case, base or None))
        if not broken:
            return []
        sizes = {}
        for path, q in case.quantity_map().items():
            v = np.asarray(base.get(path, q.value), dtype=float)
            if v.size and np.isfinite(v).all() and np.abs(v).max() > 0:
                sizes[path] = float(np.abs(v).max())
        ranked = sorted(sizes, key=sizes.get, reverse=True)
        shown = ", ".join(broken[:4]) + (f" and {len(broken) - 4} more" if len(broken) > 4 else "")
        for path in ranked[:_TRIES]:
            value = np.asarray(base.get(path, case.quantity_map()[path].value), dtype=float)
            if _try(case, {**base, path: value / 1e12}):
                return [Problem(path, f"makes the model's results infinite or undefined ({shown}): the number is too large "
                                      "for the arithmetic; check its unit and its digits", base.get(path, case.quantity_map()[path].value))]
    largest = ", ".join(f"{p} ({sizes[p]:.3g})" for p in ranked[:3])
    return [Problem("", f"the model's results are infinite or undefined ({shown}); no single input explains it; "
                        f"the largest inputs are {largest}", _MISSING)]
