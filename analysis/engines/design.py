"""Space-filling designs over the unit cube: Sobol' sequences and Latin hypercubes.

Both come from :mod:`scipy.stats.qmc` (imported on first use), seeded from one
seed sequence.

``"sobol"`` (the default of a sweep)
    A scrambled Sobol' sequence (Owen-type scrambling, Joe and Kuo's
    direction numbers). Point ``i`` depends only on the seed and ``i``, so
    any slice ``[start, stop)`` is computed on its own (``fast_forward``):
    a chunk of a sweep draws its own points and the whole design is never
    held in memory. Its balance properties are best for a power of 2 points.
``"latin_hypercube"``
    Every parameter's range cut into ``n`` equal strata, one point in each.
    Its points depend on ``n`` as a whole, so the design is drawn once
    (``n x d`` floats) and sliced.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..core.errors import QueryError
from ..core.rng import child_sequence

__all__ = ["DESIGNS", "check_design", "unit_design"]

#: The designs a sweep can use.
DESIGNS = ("sobol", "latin_hypercube")


def check_design(design: object) -> str:
    """Return ``design`` if it is one of :data:`DESIGNS`."""
    if design not in DESIGNS:
        raise QueryError(f"design == {design!r}, expected one of: {', '.join(DESIGNS)}")
    return str(design)


def unit_design(design: str, *, n_points: int, n_dims: int, seed: np.random.SeedSequence,
                start: int = 0, stop: int | None = None) -> np.ndarray:
    """Return points ``[start, stop)`` of an ``n_points``-point design in ``[0, 1)^n_dims``.

    The same ``seed`` gives the same points, whatever slice is asked for.
    """
    from scipy.stats import qmc  # scipy: imported on first use

    design = check_design(design)
    stop = n_points if stop is None else stop
    rng = np.random.default_rng(child_sequence(seed, 0))
    if design == "latin_hypercube":
        return qmc.LatinHypercube(d=n_dims, rng=rng).random(n_points)[start:stop]
    sampler = qmc.Sobol(d=n_dims, scramble=True, rng=rng)
    with warnings.catch_warnings():  # the balance warning for n not a power of 2
        warnings.simplefilter("ignore", UserWarning)
        if start:
            sampler.fast_forward(start)
        return sampler.random(stop - start)
