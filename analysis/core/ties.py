"""One tolerance for ties, relative to the scale of the values compared.

Two options whose values differ by at most ``TIE_RELATIVE`` times the
largest magnitude among the values they are built from are tied: rollback,
threshold searches and the value of information all ask :func:`tie_tolerance`,
so the same exact tie is a tie whether values are written in dollars or in
cents (about 9e7), and rounding noise of sums of products never breaks one.
"""

from __future__ import annotations

import numpy as np

__all__ = ["TIE_RELATIVE", "tie_tolerance"]

#: Values within this fraction of the scale of the values are tied.
TIE_RELATIVE = 1e-9


def tie_tolerance(values) -> float | np.ndarray:
    """Return the tie tolerance for ``values`` (per row for a 2-D array).

    ``values`` are the quantities an option's value is built from (a
    stakeholder's path utilities, or the option values themselves): the
    tolerance is :data:`TIE_RELATIVE` times their largest magnitude, and a
    tiny absolute floor (1e-300) when they are all 0.
    """
    array = np.abs(np.asarray(values, dtype=float))
    if array.ndim <= 1:
        scale = float(array.max()) if array.size else 0.0
        return TIE_RELATIVE * scale if scale > 0 else 1e-300
    scale = array.reshape(array.shape[0], -1).max(axis=1) if array.size else np.zeros(
        array.shape[0])
    return np.where(scale > 0, TIE_RELATIVE * scale, 1e-300)
