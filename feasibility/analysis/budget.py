"""The memory a Monte Carlo run, an options appraisal or a two-way table may take.

Every analysis that grows with a count the user chooses (iterations, a table's
cells) estimates the memory it will hold before it starts and refuses, with
the count that would fit, when the estimate is above the budget. The budget is
``FEASIBILITY_MEMORY_BUDGET_MB`` (megabytes, 10^6 bytes) when set, otherwise
2,000 MB or a quarter of the machine's memory, whichever is smaller: well under
the memory of a consultant's laptop, so a run never pushes the machine into
swapping.

The estimates count the arrays a run keeps (one number per iteration and
metric, the inputs kept for the rank correlations) and the working set of one
block of the sample; ``benchmarks/bench_memory.py`` measures the real peak
against them.
"""

from __future__ import annotations

import os
from collections.abc import Callable

__all__ = ["BUDGET_ENV", "DEFAULT_BUDGET_BYTES", "MemoryBudgetError", "check", "memory_budget"]

#: the environment variable that sets the budget, in megabytes (10^6 bytes)
BUDGET_ENV = "FEASIBILITY_MEMORY_BUDGET_MB"
#: the default budget where the machine has 8 GB or more
DEFAULT_BUDGET_BYTES = 2_000_000_000


class MemoryBudgetError(ValueError):
    """A run would need more memory than the budget (or the budget setting is not a number)."""


def _machine_bytes() -> int | None:
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):  # Windows has no sysconf
        return None


def memory_budget() -> int:
    """The memory budget in bytes (see the module's description).

    Raises
    ------
    MemoryBudgetError
        When ``FEASIBILITY_MEMORY_BUDGET_MB`` is set but is not a whole number of megabytes >= 1.
    """
    text = os.environ.get(BUDGET_ENV)
    if text is not None and text.strip():
        try:
            mb = int(text.strip())
        except ValueError:
            mb = 0
        if mb < 1:
            raise MemoryBudgetError(f"{BUDGET_ENV}={text!r}: must be a whole number of megabytes, at least 1")
        return mb * 1_000_000
    machine = _machine_bytes()
    return DEFAULT_BUDGET_BYTES if machine is None else min(DEFAULT_BUDGET_BYTES, machine // 4)


def _gb(x: float) -> str:
    return f"{x / 1e9:,.1f} GB" if x >= 1e9 else f"{x / 1e6:,.0f} MB"


def check(what: str, count: int, estimate: Callable[[int], float]) -> None:
    """Refuse a run whose memory estimate is above the budget, saying how much would fit.

    Parameters
    ----------
    what : str
        The count in words, e.g. ``"iterations"`` or ``"cells of the two-way table"``.
    count : int
        The count asked for.
    estimate : callable
        ``estimate(count)``: the bytes the run would hold, non-decreasing in the count.

    Raises
    ------
    MemoryBudgetError
    """
    budget = memory_budget()
    needed = estimate(count)
    if needed <= budget:
        return
    lo, hi = 0, count  # the largest count that fits, by bisection (estimate(lo) <= budget < estimate(hi))
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if estimate(mid) <= budget else (lo, mid)
    raise MemoryBudgetError(
        f"{count:,} {what} would need about {_gb(needed)} of memory, above the budget of {_gb(budget)} "
        f"({BUDGET_ENV} sets it, in MB): at most {lo:,} fit")
