"""Draws of a tree's probability vectors with numpy, and the tree's shared path prefixes.

:mod:`analysis.engines.sampling` draws with its numba kernel; a tree with
uncertain named parameters or selector sets is drawn here instead, block by
block (:func:`draw_theta`), with the same block streams.
"""

from __future__ import annotations

import numpy as np

from ..core.rng import child_sequence
from ..model.tree import CompiledTree

__all__ = ["BLOCK_SIZE", "attribute_range", "draw_theta", "needs_numpy", "prefix_nodes"]

#: Draws per block (each block has its own random stream).
BLOCK_SIZE = 4096


def needs_numpy(tree: CompiledTree) -> bool:
    """Whether draws need numpy (uncertain named parameters, or selectors of drawn sets)."""
    uncertain = tree.space is not None and bool(tree.space.uncertain)
    return uncertain or any(s.select is not None for s in tree.sets)


def attribute_range(tree: CompiledTree, holds, n_outcomes, low, high):
    """Histogram ranges when attribute values vary with the parameters: from block 0's draws."""
    if tree.values is None or tree.values.constant or not tree.attributes:
        return low, high
    theta = draw_theta(tree, np.random.SeedSequence(0), 0, 256)
    values = tree.values.attributes(theta[:, tree.parameter_slice])[:, holds, :]
    spread = np.concatenate([values.min(axis=(0, 1))[None], values.max(axis=(0, 1))[None]])
    width = spread[1] - spread[0]
    attribute_low = np.minimum(low[n_outcomes:], spread[0] - width)
    attribute_high = np.maximum(high[n_outcomes:], spread[1] + width)
    return (np.concatenate([low[:n_outcomes], attribute_low]),
            np.concatenate([high[:n_outcomes], attribute_high]))


def draw_theta(tree: CompiledTree, sequence: np.random.SeedSequence, block: int,
               size: int) -> np.ndarray:
    """Return block ``block``'s draws of ``theta`` with numpy (named parameters and sets), derived.

    Block ``j`` has the stream ``child_sequence(sequence, j)`` and holds draws
    ``j * BLOCK_SIZE`` onwards (as :mod:`analysis.engines.sampling` numbers them).
    """
    rng = np.random.Generator(np.random.SFC64(child_sequence(sequence, block)))
    theta = np.tile(tree.mean_theta(), (size, 1))
    for pset, offset in zip(tree.sets, tree.offsets, strict=True):
        start = int(offset)
        if pset.kind == "dirichlet":
            alphas = [float(p.concentration) for p in pset.priors]
            theta[:, start:start + len(alphas)] = rng.dirichlet(alphas, size=size)
        elif pset.kind == "beta":
            b = pset.uncertain_branch
            x = rng.beta(*pset.priors[b].beta_parameters, size=size)
            theta[:, start + b] = x
            theta[:, start + 1 - b] = 1 - x
    if tree.space is not None and tree.space.size:
        theta[:, tree.parameter_slice] = tree.space.draw(rng, size)
    first = block * BLOCK_SIZE
    return tree.derive(theta, lambda i: f"at draw {first + i}")


def prefix_nodes(tree: CompiledTree) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the tree's distinct path prefixes, parents first.

    A path's probability is the product of its edges' entries in theta;
    sharing the products of common prefixes needs one multiplication per
    node instead of one per path and phase.
    """
    n_theta = tree.n_theta
    index = {(): 0}
    parent, edge, leaf = [0], [n_theta], []
    for row in tree.edge_index:
        prefix: tuple[int, ...] = ()
        for entry in row:
            if entry >= n_theta:  # a skipped or unreached phase: the constant 1
                continue
            longer = (*prefix, int(entry))
            if longer not in index:
                index[longer] = len(parent)
                parent.append(index[prefix])
                edge.append(int(entry))
            prefix = longer
        leaf.append(index[prefix])
    return (np.array(parent, np.int64), np.array(edge, np.int64), np.array(leaf, np.int64))
