"""The compiled Monte Carlo kernel behind :func:`analysis.sample_outcomes`.

Imported on first use only (numba takes about half a second to import). One
call of :func:`run_blocks` simulates a run of consecutive blocks of draws:
for every draw it samples every uncertain probability set once, multiplies
the probabilities down the tree's prefix nodes, and folds the draw's outcome
probabilities and expected attributes into running summaries. Nothing of
size ``n_draws`` is allocated unless the caller asks to keep the draws.

Random numbers
--------------
Each block has its own stream: SFC64 (Doty-Humphrey's small fast chaotic
generator, the algorithm and seeding of :class:`numpy.random.SFC64`), started
from three 64-bit words of the block's :class:`numpy.random.SeedSequence`
and advanced 12 steps, exactly as numpy does (a test compares the raw
output). Normal variates use the Marsaglia-Tsang ziggurat with 256 layers and
52-bit mantissas, laid out as numpy's; Gamma variates with shape >= 1 use
Marsaglia and Tsang's squeeze method, and shape < 1 the boost
``G(a) = G(a + 1) * U ** (1 / a)``, kept in logarithms so that tiny shapes
never underflow to 0. Dirichlet (and Beta) draws are normalised Gammas.

The functions are compiled with ``cache=True`` (numba writes the machine code
beside this file, in ``__pycache__``) and ``nogil=True``, so that the caller
can run blocks on several threads: each block only reads its own stream and
writes its own rows, so results do not depend on how blocks are split.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

__all__ = ["gamma_constants", "run_blocks", "sfc64_raw"]

_U = nb.uint64
_ZIG_R = 3.6541528853610088  # where the ziggurat's tail starts
_ZIG_V = 0.00492867323399  # the area of each of its 256 layers
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53
_BATCH = 16  # draws computed side by side (measured: 16 beats 1, 4 and 64 on small and large trees)


def _ziggurat_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Marsaglia and Tsang's (2000) tables for 256 layers, scaled to 52-bit integers."""
    scale = 2.0**52
    ki = np.zeros(256, np.uint64)
    wi = np.zeros(256)
    fi = np.zeros(256)
    dn = tn = _ZIG_R
    q = _ZIG_V / math.exp(-0.5 * dn * dn)
    ki[0] = np.uint64((dn / q) * scale)
    wi[0] = q / scale
    wi[255] = dn / scale
    fi[0] = 1.0
    fi[255] = math.exp(-0.5 * dn * dn)
    for i in range(254, 0, -1):
        dn = math.sqrt(-2.0 * math.log(_ZIG_V / dn + math.exp(-0.5 * dn * dn)))
        ki[i + 1] = np.uint64((dn / tn) * scale)
        tn = dn
        fi[i] = math.exp(-0.5 * dn * dn)
        wi[i] = dn / scale
    return ki, wi, fi


_KI, _WI, _FI = _ziggurat_tables()


# The generator's state is four uint64 words passed and returned by value, so
# that LLVM keeps it in registers.

@nb.njit(inline="always")
def _next(a, b, c, d):
    out = a + b + d
    return (out, b ^ (b >> _U(11)), c + (c << _U(3)),
            ((c << _U(24)) | (c >> _U(40))) + out, d + _U(1))


@nb.njit(inline="always")
def _seed(w0, w1, w2):
    a, b, c, d = w0, w1, w2, _U(1)
    for _ in range(12):
        _, a, b, c, d = _next(a, b, c, d)
    return a, b, c, d


@nb.njit(inline="always")
def _uniform(a, b, c, d):
    """Return a double in [0, 1) made of the top 53 bits."""
    r, a, b, c, d = _next(a, b, c, d)
    return np.int64(r >> _U(11)) * _TO_UNIT, a, b, c, d


@nb.njit(inline="always")
def _normal(a, b, c, d):
    while True:
        r, a, b, c, d = _next(a, b, c, d)
        idx = np.int64(r & _U(0xFF))
        r = r >> _U(8)
        rabs = (r >> _U(1)) & _U(0x000FFFFFFFFFFFFF)
        x = np.int64(rabs) * _WI[idx]
        if r & _U(1):
            x = -x
        if rabs < _KI[idx]:
            return x, a, b, c, d
        if idx == 0:  # the tail beyond _ZIG_R
            while True:
                u1, a, b, c, d = _uniform(a, b, c, d)
                u2, a, b, c, d = _uniform(a, b, c, d)
                xx = -math.log1p(-u1) / _ZIG_R
                yy = -math.log1p(-u2)
                if yy + yy > xx * xx:
                    tail = _ZIG_R + xx
                    return (-tail if (rabs >> _U(8)) & _U(1) else tail), a, b, c, d
        else:
            u, a, b, c, d = _uniform(a, b, c, d)
            if (_FI[idx - 1] - _FI[idx]) * u + _FI[idx] < math.exp(-0.5 * x * x):
                return x, a, b, c, d


def gamma_constants(shapes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(shift, scale)`` of :func:`_gamma` for each shape (of ``shape + 1`` below 1)."""
    boosted = np.where(shapes < 1.0, shapes + 1.0, shapes)
    shift = boosted - 1.0 / 3.0
    return shift, 1.0 / np.sqrt(9.0 * shift)


@nb.njit(inline="always")
def _gamma(shift, scale, a, b, c, d):
    """Return a Gamma(shape, 1) variate for shape >= 1 (Marsaglia and Tsang 2000).

    ``shift`` is ``shape - 1/3`` and ``scale`` is ``1 / sqrt(9 shift)``.
    """
    while True:
        x, a, b, c, d = _normal(a, b, c, d)
        v = 1.0 + scale * x
        if v <= 0.0:
            continue
        v = v * v * v
        u, a, b, c, d = _uniform(a, b, c, d)
        if u < 1.0 - 0.0331 * (x * x) * (x * x):
            return shift * v, a, b, c, d
        if math.log(u) < 0.5 * x * x + shift * (1.0 - v + math.log(v)):
            return shift * v, a, b, c, d


@nb.njit(nogil=True, cache=True)
def sfc64_raw(words, n):
    """Return the first ``n`` raw outputs of the stream seeded by ``words`` (for tests)."""
    a, b, c, d = _seed(words[0], words[1], words[2])
    out = np.empty(n, np.uint64)
    for i in range(n):
        out[i], a, b, c, d = _next(a, b, c, d)
    return out


@nb.njit(nogil=True, cache=True)
def run_blocks(seeds, sizes,
               shapes, shift, scale, columns, bounds, small, theta_fixed,
               parent, edge, leaf_node, outcome_bounds, leaf_values, conditional,
               reference, low, inv_width,
               block_sum, block_sq, hist, lowest, highest, greater, ranks,
               kept_values, kept_parameters, parameter_columns):
    """Simulate consecutive blocks of draws; return the number of undefined draws.

    Parameters
    ----------
    seeds : uint64 (n_blocks, 3)
        Each block's seed words.
    sizes : int64 (n_blocks,)
        Draws in each block.
    shapes, columns : float64, int64 (n_gammas,)
        The Gamma shape behind each uncertain probability and its column of theta.
    shift, scale : float64 (n_gammas,)
        :func:`gamma_constants` of ``shapes``.
    bounds : int64 (n_groups + 1,)
        Where each probability set's Gammas start and end in ``shapes``.
    small : uint8 (n_groups,)
        1 where a set has a shape below 1 (drawn in logarithms).
    theta_fixed : float64 (n_theta,)
        The flat probability vector, with the fixed sets' values.
    parent, edge : int64 (n_nodes,)
        Each prefix node's parent and the theta column of its last edge (node 0 is the root).
    leaf_node : int64 (n_paths,)
        The prefix node where each counted path ends (those where ``given``
        holds), grouped by outcome.
    outcome_bounds : int64 (n_outcomes + 1,)
        Where each outcome's paths start and end in ``leaf_node``.
    leaf_values : float64 (n_attributes, n_paths)
        The paths' attribute values.
    conditional : bool
        Whether to divide by the probability of the counted paths.
    reference, low, inv_width : float64 (k,)
        Per summarised quantity (outcomes, then attributes): the value sums are
        taken about, and the histogram's origin and bins per unit.
    block_sum, block_sq : float64 (n_blocks, k)
        Filled with each block's sums of ``x - reference`` and its square.
    hist : int64 (k, bins)
    lowest, highest : float64 (k,)
    greater : int64 (n_outcomes, n_outcomes)
        ``[i, j]`` counts draws with outcome i more likely than j.
    ranks : int64 (n_outcomes, n_outcomes)
        ``[i, r]`` counts draws where r outcomes are more likely than i.
    kept_values : float64 (rows, k)
        Each draw's values, if ``rows`` covers the draws; else 0 rows.
    kept_parameters : float64 (rows, n_kept)
        Each draw's uncertain probabilities (theta columns ``parameter_columns``).
    """
    n_outcomes = greater.shape[0]
    n_attributes = leaf_values.shape[0]
    n_values = n_outcomes + n_attributes
    n_nodes = parent.shape[0]
    keep = kept_values.shape[0] > 0
    keep_parameters = kept_parameters.shape[0] > 0
    # Draws go through in batches, draw index last, so that the arithmetic on
    # the tree runs across draws (SIMD) rather than along chains.
    batch = _BATCH
    theta = np.empty((theta_fixed.shape[0], batch))
    for t in range(theta_fixed.shape[0]):
        theta[t, :] = theta_fixed[t]
    gammas = np.empty(shapes.shape[0])
    node = np.empty((n_nodes, batch))
    node[0, :] = 1.0
    values = np.empty((n_values, batch))
    bins = np.zeros(batch, np.int64)
    undefined = 0
    row = 0
    for block in range(sizes.shape[0]):
        a, b, c, d = _seed(seeds[block, 0], seeds[block, 1], seeds[block, 2])
        for k in range(n_values):
            block_sum[block, k] = 0.0
            block_sq[block, k] = 0.0
        for first in range(0, sizes[block], batch):
            size = min(batch, sizes[block] - first)
            # Every uncertain set, once per draw.
            for draw in range(size):
                for group in range(bounds.shape[0] - 1):
                    start, stop = bounds[group], bounds[group + 1]
                    total = 0.0
                    if small[group]:
                        top = -np.inf
                        for j in range(start, stop):
                            g, a, b, c, d = _gamma(shift[j], scale[j], a, b, c, d)
                            if shapes[j] < 1.0:
                                u, a, b, c, d = _uniform(a, b, c, d)
                                gammas[j] = math.log(g) + math.log1p(-u) / shapes[j]
                            else:
                                gammas[j] = math.log(g)
                            top = max(top, gammas[j])
                        for j in range(start, stop):
                            gammas[j] = math.exp(gammas[j] - top)
                            total += gammas[j]
                    else:
                        for j in range(start, stop):
                            gammas[j], a, b, c, d = _gamma(shift[j], scale[j], a, b, c, d)
                            total += gammas[j]
                    inverse = 1.0 / total
                    for j in range(start, stop):
                        theta[columns[j], draw] = gammas[j] * inverse
            # Down the tree, then into outcomes and attributes.
            for n in range(1, n_nodes):
                up, t = parent[n], edge[n]
                for draw in range(size):
                    node[n, draw] = node[up, draw] * theta[t, draw]
            for k in range(n_values):
                for draw in range(size):
                    values[k, draw] = 0.0
            for o in range(n_outcomes):
                for p in range(outcome_bounds[o], outcome_bounds[o + 1]):
                    n = leaf_node[p]
                    for draw in range(size):
                        values[o, draw] += node[n, draw]
            for m in range(n_attributes):
                for p in range(leaf_node.shape[0]):
                    n, v = leaf_node[p], leaf_values[m, p]
                    for draw in range(size):
                        values[n_outcomes + m, draw] += node[n, draw] * v
            if conditional:
                for draw in range(size):
                    mass = 0.0
                    for o in range(n_outcomes):
                        mass += values[o, draw]
                    if mass > 0.0:
                        inverse = 1.0 / mass
                        for k in range(n_values):
                            values[k, draw] *= inverse
                    else:
                        undefined += 1
                        for k in range(n_values):
                            values[k, draw] = reference[k]
            # Fold the batch into the summaries.
            top_bin = hist.shape[1] - 1
            for k in range(n_values):
                total = 0.0
                squares = 0.0
                least = lowest[k]
                most = highest[k]
                for draw in range(size):
                    x = values[k, draw]
                    shifted = x - reference[k]
                    total += shifted
                    squares += shifted * shifted
                    least = min(least, x)
                    most = max(most, x)
                    position = min(max((x - low[k]) * inv_width[k], 0.0), 1e18)
                    bins[draw] = min(np.int64(position), top_bin)
                block_sum[block, k] += total
                block_sq[block, k] += squares
                lowest[k] = least
                highest[k] = most
                for draw in range(size):
                    hist[k, bins[draw]] += 1
            for draw in range(size):
                bins[draw] = 0
            for i in range(n_outcomes):
                for j in range(n_outcomes):
                    count = 0
                    for draw in range(size):
                        more = np.int64(values[j, draw] > values[i, draw])  # no branch
                        count += more
                        bins[draw] += more
                    greater[j, i] += count
                for draw in range(size):
                    ranks[i, bins[draw]] += 1
                    bins[draw] = 0
            if keep:
                for draw in range(size):
                    for k in range(n_values):
                        kept_values[row + draw, k] = values[k, draw]
            if keep_parameters:
                for draw in range(size):
                    for k in range(parameter_columns.shape[0]):
                        kept_parameters[row + draw, k] = theta[parameter_columns[k], draw]
            row += size
    return undefined
