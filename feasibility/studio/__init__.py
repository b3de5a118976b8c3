"""The consultant studio: ipywidgets over a case, recomputed live."""

from .app import *  # noqa: F403
from .app import __all__  # noqa: F401
