"""Charts (temporary single module, split by family below)."""

from ._all import *  # noqa: F403
from ._all import __all__  # noqa: F401
