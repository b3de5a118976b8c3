"""Financial metrics that broadcast like numpy ufuncs over leading axes.

:mod:`.finance` holds the present values, payback and ratios, :mod:`.roots` the internal rates of
return, :mod:`.registry` the declaration of every metric a case reports (unit, labels, which
direction is better, its hurdle, how it is computed).
"""

from .finance import *  # noqa: F403
from .finance import __all__ as _finance_all
from .roots import *  # noqa: F403
from .roots import __all__ as _roots_all

__all__ = [*_finance_all, *_roots_all]
