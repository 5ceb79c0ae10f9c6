"""Second-order uncertainty: Monte Carlo over the priors (probabilistic sensitivity analysis).

Exact evaluation (:mod:`analysis.engines.exact`) uses each prior's mean. Here every
uncertain probability set is drawn from its prior instead, **once per draw**:
a Beta-kind prior (Beta, elicited range, mean and sd, counts) gives its branch
``x`` and the other branch ``1 - x``; a Dirichlet gives all its branches at
once; fixed probabilities stay fixed. A set is one quantity wherever it
applies: a rule's probabilities shared by several nodes take the same value
at all of them within a draw. Each draw's outcome distribution and expected
attributes are then computed exactly on the compiled tree.

:func:`sample_outcomes` runs the draws in a compiled kernel (numba; compiled
once and cached on disk) and folds each draw into running summaries as it
goes, so memory does not grow with the number of draws unless you ask to keep
them. The summary functions turn an :class:`OutcomeSamples` into tidy frames
with the scenario, condition, seed and number of draws in ``attrs``.

Reproducibility
---------------
Draws come in blocks of :data:`BLOCK_SIZE`; block ``j`` has its own random
stream, seeded by the child ``SeedSequence(entropy, spawn_key=(*spawn_key,
j))`` of the run's seed sequence. The results therefore depend only on the
seed, the scenario and ``n_draws``: not on ``chunk_size``, nor on the
number of threads, and the same seed gives bit-identical results.

Summaries
---------
Means and standard deviations are exact over the draws. Quantiles (medians,
interval ends), exceedance probabilities and the charts' histograms come from
a histogram of :data:`HIST_BINS` equal bins over each quantity's possible
range (``[0, 1]`` for a probability; the smallest to the largest path value
for an attribute, since an expectation cannot leave it), interpolated
linearly within a bin. They are within one bin width of the draws' own
quantiles (``1/4096`` for a probability; in practice far closer, since the
interpolation is linear within a bin): below the Monte Carlo error of any run.

Examples
--------
>>> import analysis
>>> baseline = analysis.load_scenario("baseline")
>>> samples = analysis.sample_outcomes(baseline, n_draws=10_000, rng=1)
>>> table = analysis.outcome_intervals(samples, interval=0.9)
>>> list(table.columns)[:6]
['outcome', 'label', 'colour', 'interval', 'at_means', 'mean']
"""

from __future__ import annotations

import os
import queue
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..core.arguments import Given, check_budget, check_count, check_n_draws
from ..core.errors import QueryError
from ..core.rng import RNGLike, seed_of, seed_sequence, seed_words
from ..core.text import display_label
from ..model.scenario import Scenario
from ..model.tree import CompiledTree
from .exact import condition
from .tree_draws import BLOCK_SIZE, attribute_range, draw_theta, needs_numpy, prefix_nodes

__all__ = [
    "BLOCK_SIZE",
    "HIST_BINS",
    "PROGRESS_MIN_DRAWS",
    "OutcomeSamples",
    "sample_outcomes",
    "sample_theta",
    "theta_chunks",
    "theta_seconds",
]

#: Bins of the histogram kept for each outcome and attribute (see "Summaries").
HIST_BINS = 4096
#: With ``progress=None``, runs of at least this many draws show a progress bar.
PROGRESS_MIN_DRAWS = 200_000
# Default chunk: about this many units of kernel work (roughly 0.1 s on one core).
_CHUNK_WORK = 2**26
_MAX_CHUNK_BLOCKS = 64
_TASK_BLOCKS = 2  # blocks per task handed to a thread (small: a busy core delays little)
# Outcome colours for a bare CompiledTree, which has none of its own.
_PALETTE = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d",
            "#666666")


# ----------------------------------------------------------------------------- result


@dataclass(frozen=True, eq=False)
class OutcomeSamples:
    """The summaries of a Monte Carlo run over a scenario's priors.

    Made by :func:`sample_outcomes`; read with :func:`outcome_intervals`,
    :func:`attribute_intervals`, :func:`exceedance_probabilities`,
    :func:`outcome_comparisons`, :func:`outcome_ranks`,
    :func:`outcome_histogram` and :func:`attribute_ecdf`. Arrays are
    read-only; their columns are the outcomes, then the attributes.

    Attributes
    ----------
    scenario : str
        The scenario's id.
    changes : tuple of str
        What differs from the scenario's file (see :attr:`analysis.Scenario.changes`).
    given : dict
        The condition the results are conditional on (empty for none).
    n_draws : int
        Number of draws.
    seed : int or tuple of int
        The entropy of the run's seed sequence: ``sample_outcomes(...,
        rng=seed)`` repeats the run (with ``spawn_key`` when it is not empty).
    spawn_key : tuple of int
        The seed sequence's spawn key (empty unless one was passed in).
    outcomes : DataFrame
        ``outcome``, ``label``, ``colour``, in the scenario's order.
    attributes : DataFrame
        ``attribute``, ``label``, ``unit``.
    at_means : ndarray, shape (k,)
        The exact result at the priors' means (:func:`analysis.outcome_distribution`
        and :func:`analysis.expected_attributes`).
    mean, sd : ndarray, shape (k,)
        Mean and standard deviation over the draws.
    lowest, highest : ndarray, shape (k,)
        Smallest and largest value drawn.
    hist_low, hist_high : ndarray, shape (k,)
        The range each histogram spans.
    histogram : ndarray of int, shape (k, HIST_BINS)
        Draws per bin.
    greater : ndarray of int, shape (n_outcomes, n_outcomes)
        ``greater[i, j]``: draws in which outcome i is more likely than outcome j.
    ranks : ndarray of int, shape (n_outcomes, n_outcomes)
        ``ranks[i, r]``: draws in which exactly ``r`` outcomes are more likely
        than outcome i (so ``r = 0``: i is the most likely; ties share the better rank).
    values : ndarray, shape (n_draws, k), or None
        Every draw's outcome probabilities and expected attributes, if kept.
    parameters : ndarray, shape (n_draws, n_parameters), or None
        Every draw's uncertain branch probabilities, if kept.
    parameter_keys : tuple of str
        The columns of ``parameters``: ``phase.branch`` or ``phase.rule.branch``.
    """

    scenario: str
    given: dict
    n_draws: int
    seed: int | tuple[int, ...]
    spawn_key: tuple[int, ...]
    outcomes: pd.DataFrame = field(repr=False)
    attributes: pd.DataFrame = field(repr=False)
    at_means: np.ndarray = field(repr=False)
    mean: np.ndarray = field(repr=False)
    sd: np.ndarray = field(repr=False)
    lowest: np.ndarray = field(repr=False)
    highest: np.ndarray = field(repr=False)
    hist_low: np.ndarray = field(repr=False)
    hist_high: np.ndarray = field(repr=False)
    histogram: np.ndarray = field(repr=False)
    greater: np.ndarray = field(repr=False)
    ranks: np.ndarray = field(repr=False)
    values: np.ndarray | None = field(default=None, repr=False)
    parameters: np.ndarray | None = field(default=None, repr=False)
    parameter_keys: tuple[str, ...] = field(default=(), repr=False)
    changes: tuple[str, ...] = field(default=(), repr=False)

    @property
    def n_outcomes(self) -> int:
        """Number of outcomes."""
        return len(self.outcomes)

    def metadata(self) -> dict:
        """Return the ``attrs`` every summary frame carries."""
        return {"scenario": self.scenario, "changes": list(self.changes),
                "given": dict(self.given), "n_draws": self.n_draws, "seed": self.seed}

    def outcome_draws(self) -> pd.DataFrame:
        """Return each draw's outcome probabilities: one row per draw, one column per outcome.

        Raises
        ------
        ValueError
            If the draws were not kept (``sample_outcomes(..., keep_draws=True)``).
        """
        values = self._kept(self.values, "outcome probabilities")
        return self._frame(values[:, :self.n_outcomes], list(self.outcomes["outcome"]))

    def attribute_draws(self) -> pd.DataFrame:
        """Return each draw's expected attributes: one row per draw, one column per attribute.

        Raises
        ------
        ValueError
            If the draws were not kept.
        """
        values = self._kept(self.values, "expected attributes")
        return self._frame(values[:, self.n_outcomes:], list(self.attributes["attribute"]))

    def parameter_draws(self) -> pd.DataFrame:
        """Return each draw's uncertain branch probabilities, one column per key.

        Raises
        ------
        ValueError
            If the draws were not kept.
        """
        return self._frame(self._kept(self.parameters, "parameters"), list(self.parameter_keys))

    def _kept(self, array: np.ndarray | None, what: str) -> np.ndarray:
        if array is None:
            raise ValueError(f"the {what} of each draw were not kept; call "
                             "sample_outcomes(..., keep_draws=True) to keep them")
        return array

    def _frame(self, values: np.ndarray, columns: list[str]) -> pd.DataFrame:
        frame = pd.DataFrame(values, columns=columns)
        frame.index.name = "draw"
        frame.attrs = self.metadata()
        return frame


# ---------------------------------------------------------------------------- sampling


def sample_outcomes(
    scenario: Scenario | CompiledTree,
    *,
    n_draws: int,
    given: Given = None,
    rng: RNGLike = None,
    keep_draws: bool = False,
    chunk_size: int | None = None,
    progress: bool | None = None,
) -> OutcomeSamples:
    """Draw the priors ``n_draws`` times and evaluate the tree exactly for each draw.

    Parameters
    ----------
    scenario : Scenario or CompiledTree
        A loaded scenario (or a bare compiled tree, whose outcomes and
        attributes are then labelled by their ids).
    n_draws : int
        Number of draws, at least 1.
    given : mapping, optional
        Condition every draw on these phases having taken these branches
        (as in :func:`analysis.outcome_distribution`): each draw's results
        are renormalised over the paths where ``given`` holds.
    rng : None, int, SeedSequence or Generator
        Where the randomness comes from. An int or a ``SeedSequence`` fixes
        the results; ``None`` takes fresh entropy from the operating system
        (the result's ``seed`` tells how to repeat the run); a ``Generator``
        is asked once for 128 bits that seed the run, so it advances and two
        calls with the same generator differ.
    keep_draws : bool
        Also keep every draw's outcome probabilities, expected attributes
        and uncertain branch probabilities (``8 * n_draws * (n_outcomes +
        n_attributes + n_parameters)`` bytes: 56 MB per million draws of the
        baseline without parameters). The summaries never need them.
    chunk_size : int, optional
        Draws per call of the compiled kernel, rounded up to whole blocks of
        :data:`BLOCK_SIZE`; it sets how often the progress bar moves and
        never changes the results. Default: about a tenth of a second of work.
    progress : bool, optional
        Show a progress bar (a widget in notebooks, text on stderr in a
        terminal). Default (``None``): for runs of at least
        :data:`PROGRESS_MIN_DRAWS` draws, unless the environment variable
        ``DEALTREE_PROGRESS`` is ``0`` or ``CI`` is set; ``DEALTREE_PROGRESS=1``
        shows it for every run.

    Returns
    -------
    OutcomeSamples

    Notes
    -----
    The first call in a process imports numba (about half a second) and loads
    the compiled kernel from numba's cache beside the package; the very first
    call on a machine compiles it (about 10 s) and writes that cache. Blocks
    of draws run on every core available to the process, in threads.

    Raises
    ------
    TypeError
        If ``n_draws``, ``chunk_size`` or ``rng`` has the wrong type.
    ValueError
        If ``n_draws`` or ``chunk_size`` is below 1.
    QueryError
        If ``given`` names an unknown phase or branch, has probability 0 at
        the priors' means, or has probability 0 in some draw.

    Examples
    --------
    >>> import analysis
    >>> baseline = analysis.load_scenario("baseline")
    >>> samples = analysis.sample_outcomes(baseline, n_draws=20_000, rng=42)
    >>> samples.n_draws, samples.seed
    (20000, 42)
    """
    tree = scenario.tree if isinstance(scenario, Scenario) else scenario
    if isinstance(tree, CompiledTree) and tree.likelihood is not None:
        raise QueryError("sample_outcomes draws the priors and cannot weight them by "
                         "evidence; for an updated scenario's intervals use "
                         "analysis.belief_timeline")
    n_draws = check_n_draws(n_draws)
    if chunk_size is not None:
        chunk_size = check_count(chunk_size, "chunk_size")
    sequence = seed_sequence(rng)
    plan = _plan(scenario, given)
    workers = _workers(n_draws)
    n_kept = plan.n_values + len(plan.parameter_columns)
    numpy_draws = needs_numpy(tree)
    check_budget(n_draws, what=f"sampling {_what(plan)}",
                 bytes_per_draw=8.0 * n_kept if keep_draws else 0.0,
                 seconds_per_draw=_seconds_per_draw(plan, workers, numpy_draws=numpy_draws))
    if numpy_draws:
        return _sample_numpy(scenario, plan, n_draws, sequence, keep_draws,
                             _progress_bar(progress, n_draws, plan.name))
    k = plan.n_values
    # One set of running summaries per thread; a task takes whichever is free.
    # They hold counts and extremes only, which do not depend on the order.
    states = [_WorkerState.empty(plan) for _ in range(workers)]
    values = np.empty((n_draws if keep_draws else 0, k))
    parameters = np.empty((n_draws if keep_draws else 0, len(plan.parameter_columns)))
    total_sum = np.zeros(k)
    total_sq = np.zeros(k)
    undefined = 0
    bar = _progress_bar(progress, n_draws, plan.name)
    try:
        for chunk in _chunks(plan, sequence, n_draws, _chunk_blocks(plan, chunk_size), states,
                             keep=keep_draws):
            undefined += chunk.undefined
            for row_sum, row_sq in zip(chunk.block_sum, chunk.block_sq, strict=True):
                total_sum += row_sum  # block by block, in order: chunk size cannot matter
                total_sq += row_sq
            if keep_draws:
                values[chunk.rows] = chunk.values
                parameters[chunk.rows] = chunk.parameters
            if bar is not None:
                bar.update(chunk.rows.stop - chunk.rows.start)
    finally:
        if bar is not None:
            bar.close()
    if undefined:
        raise QueryError(f"given: the condition has probability 0 in {undefined} of "
                         f"{n_draws} draws, so those draws cannot be conditioned on it")
    return _result(plan, sequence, n_draws, total_sum, total_sq, states,
                   values if keep_draws else None, parameters if keep_draws else None)


#: Estimated kernel time per unit of ``work_per_draw`` on one core (measured: 2 to 3 ns).
_SECONDS_PER_WORK = 3e-9
#: The same for numpy's draws (named parameters), on one core.
_SECONDS_PER_WORK_NUMPY = 1e-8


def _workers(n_draws: int) -> int:
    return max(1, min(_cpu_count(), -(-n_draws // BLOCK_SIZE)))


def _seconds_per_draw(plan: _Plan, workers: int, *, numpy_draws: bool = False) -> float:
    if numpy_draws:  # one thread, array by array
        return plan.work_per_draw * _SECONDS_PER_WORK_NUMPY
    return plan.work_per_draw * _SECONDS_PER_WORK / workers


def _uncertain(tree: CompiledTree) -> bool:
    """Whether a draw of ``theta`` can differ from the priors' means."""
    return ((tree.space is not None and bool(tree.space.uncertain))
            or any(pset.kind in ("beta", "dirichlet") for pset in tree.sets))


def theta_seconds(scenario: Scenario, n_draws: int) -> float:
    """Return the estimated seconds per draw of :func:`theta_chunks` (for budgets)."""
    tree = scenario.tree
    if not _uncertain(tree):
        return 0.0
    return _seconds_per_draw(_plan(tree.with_likelihood(None), None), _workers(n_draws),
                             numpy_draws=needs_numpy(tree))


def _what(plan: _Plan) -> str:
    return f"scenario {plan.name!r}" if plan.name else "the tree"


@dataclass(frozen=True, eq=False)
class _Chunk:
    """The draws of one chunk of consecutive blocks, as the kernel left them."""

    rows: slice
    block_sum: np.ndarray
    block_sq: np.ndarray
    undefined: int
    values: np.ndarray
    parameters: np.ndarray


def _chunks(plan: _Plan, sequence: np.random.SeedSequence, n_draws: int, chunk_blocks: int,
            states: list[_WorkerState], *, keep: bool):
    """Run the kernel over ``n_draws`` draws, a chunk of blocks at a time; yield each chunk.

    Block ``j`` always has the stream ``child_sequence(sequence, j)``, so the
    draws do not depend on the chunks. With ``keep``, each chunk carries its
    draws' values and parameters (arrays of the chunk's size only).
    """
    from . import kernel  # numba: imported on first use, compiled once and cached

    shapes, *rest = plan.kernel_arguments
    arguments = (shapes, *kernel.gamma_constants(shapes), *rest)
    k = plan.n_values
    n_blocks = -(-n_draws // BLOCK_SIZE)
    workers = len(states)
    free: queue.SimpleQueue[_WorkerState] = queue.SimpleQueue()
    for state in states:
        free.put(state)

    def task(seeds, sizes, block_sum, block_sq, values, parameters):
        state = free.get()
        try:
            return kernel.run_blocks(
                seeds, sizes, *arguments, block_sum, block_sq, *state.arrays(),
                values, parameters, plan.parameter_columns)
        finally:
            free.put(state)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for first in range(0, n_blocks, chunk_blocks):
            blocks = np.arange(first, min(first + chunk_blocks, n_blocks))
            sizes = np.minimum(BLOCK_SIZE, n_draws - blocks * BLOCK_SIZE).astype(np.int64)
            seeds = seed_words(sequence, blocks)
            n_rows = int(sizes.sum())
            block_sum = np.empty((len(blocks), k))
            block_sq = np.empty((len(blocks), k))
            values = np.empty((n_rows if keep else 0, k))
            parameters = np.empty((n_rows if keep else 0, len(plan.parameter_columns)))
            jobs = []
            step = max(1, min(_TASK_BLOCKS, len(blocks) // workers))
            for start in range(0, len(blocks), step):
                part = slice(start, start + step)
                row = start * BLOCK_SIZE
                rows = slice(row, row + int(sizes[part].sum())) if keep else slice(0, 0)
                jobs.append(pool.submit(task, seeds[part], sizes[part], block_sum[part],
                                        block_sq[part], values[rows], parameters[rows]))
            undefined = sum(job.result() for job in jobs)
            first_row = first * BLOCK_SIZE
            yield _Chunk(slice(first_row, first_row + n_rows), block_sum, block_sq, undefined,
                         values, parameters)


@dataclass
class _WorkerState:
    """Running summaries of one worker thread (integers and extremes: order-free)."""

    hist: np.ndarray
    lowest: np.ndarray
    highest: np.ndarray
    greater: np.ndarray
    ranks: np.ndarray

    @classmethod
    def empty(cls, plan: _Plan) -> _WorkerState:
        k, n = plan.n_values, plan.n_outcomes
        return cls(np.zeros((k, HIST_BINS), np.int64), np.full(k, np.inf),
                   np.full(k, -np.inf), np.zeros((n, n), np.int64), np.zeros((n, n), np.int64))

    def arrays(self) -> tuple[np.ndarray, ...]:
        return self.hist, self.lowest, self.highest, self.greater, self.ranks


def _result(plan: _Plan, seed_sequence: np.random.SeedSequence, n_draws: int,
            total_sum: np.ndarray, total_sq: np.ndarray, states: list[_WorkerState],
            values: np.ndarray | None, parameters: np.ndarray | None) -> OutcomeSamples:
    mean = plan.reference + total_sum / n_draws
    if n_draws > 1:
        variance = (total_sq - total_sum**2 / n_draws) / (n_draws - 1)
    else:
        variance = np.zeros_like(total_sum)
    arrays = {
        "at_means": plan.reference, "mean": mean, "sd": np.sqrt(np.maximum(variance, 0.0)),
        "lowest": np.min([s.lowest for s in states], axis=0),
        "highest": np.max([s.highest for s in states], axis=0),
        "hist_low": plan.low, "hist_high": plan.high,
        "histogram": np.sum([s.hist for s in states], axis=0),
        "greater": np.sum([s.greater for s in states], axis=0),
        "ranks": np.sum([s.ranks for s in states], axis=0),
    }
    if values is not None:
        arrays.update(values=values, parameters=parameters)
    for array in arrays.values():
        array.flags.writeable = False
    seed = seed_of(seed_sequence)
    return OutcomeSamples(
        scenario=plan.name, given=plan.given, n_draws=n_draws, seed=seed,
        spawn_key=tuple(int(s) for s in seed_sequence.spawn_key), outcomes=plan.outcomes,
        attributes=plan.attributes, parameter_keys=plan.parameter_keys,
        changes=plan.changes, **arrays)


# -------------------------------------------------------------------------------- plan


@dataclass(frozen=True, eq=False)
class _Plan:
    """Everything the kernel needs about one tree, as arrays."""

    name: str
    changes: tuple[str, ...]
    given: dict
    outcomes: pd.DataFrame
    attributes: pd.DataFrame
    n_outcomes: int
    n_values: int
    reference: np.ndarray
    low: np.ndarray
    high: np.ndarray
    kernel_arguments: tuple
    parameter_columns: np.ndarray
    parameter_keys: tuple[str, ...]
    work_per_draw: int
    holds: np.ndarray | None = None
    inv_width: np.ndarray | None = None


def _plan(source: Scenario | CompiledTree, given: Given) -> _Plan:
    """Compile the tree's probability sets, prefix nodes and leaves for the kernel.

    Numba is not imported here: a run refused by its budget never loads it.
    """
    if isinstance(source, Scenario):
        tree = source.tree
        holds = condition(source, given)[1]
        model = source.model
        outcomes = pd.DataFrame({"outcome": list(model.outcomes),
                                 "label": [o.label for o in model.outcomes.values()],
                                 "colour": [o.colour for o in model.outcomes.values()]})
        attributes = pd.DataFrame({"attribute": list(model.attributes),
                                   "label": [a.label for a in model.attributes.values()],
                                   "unit": [a.unit for a in model.attributes.values()]})
        name, changes = source.id, source.changes
    elif isinstance(source, CompiledTree):
        if given:
            raise TypeError("given: a bare CompiledTree has no branch names to condition on; "
                            "pass a Scenario")
        tree = source
        holds = np.ones(tree.n_paths, dtype=bool)
        outcomes = pd.DataFrame({"outcome": list(tree.outcomes),
                                 "label": [display_label(o, None) for o in tree.outcomes],
                                 "colour": [_PALETTE[i % len(_PALETTE)]
                                            for i in range(len(tree.outcomes))]})
        attributes = pd.DataFrame({"attribute": list(tree.attributes),
                                   "label": [display_label(a, None) for a in tree.attributes],
                                   "unit": [""] * len(tree.attributes)})
        name, changes = "", ()
    else:
        raise TypeError(f"scenario: got {type(source).__name__}, expected a Scenario "
                        "(see analysis.load_scenario) or a CompiledTree")

    theta_fixed = tree.mean_theta().astype(float)
    shapes: list[float] = []
    columns: list[int] = []
    bounds = [0]
    small: list[int] = []
    parameter_columns: list[int] = []
    parameter_keys: list[str] = []
    for pset, offset in zip(tree.sets, tree.offsets, strict=True):
        if pset.kind in ("fixed", "derived"):
            continue
        if pset.kind == "dirichlet":
            set_shapes = [float(p.concentration) for p in pset.priors]
            set_columns = [int(offset) + b for b in range(len(pset.branches))]
        else:  # one uncertain branch of two: a Dirichlet over (it, the rest)
            b = pset.uncertain_branch
            set_shapes = list(pset.marginal(b))
            set_columns = [int(offset) + b, int(offset) + 1 - b]
        shapes += set_shapes
        columns += set_columns
        bounds.append(len(shapes))
        small.append(int(min(set_shapes) < 1.0))
        parameter_columns += [int(offset) + b for b in range(len(pset.branches))]
        parameter_keys += [f"{pset.key}.{branch}" for branch in pset.branches]

    parent, edge, leaf_node = prefix_nodes(tree)
    conditional = bool(given) and not holds.all()
    exact = np.where(holds, tree.path_probabilities(theta_fixed), 0.0)
    if conditional:
        exact = exact / exact.sum()
    n_outcomes = len(tree.outcomes)
    reference = np.concatenate([
        np.bincount(tree.outcome_index, weights=exact, minlength=n_outcomes),
        exact @ tree.attribute_values])
    counted = tree.attribute_values[holds]
    order = np.flatnonzero(holds)  # the counted paths, grouped by outcome
    order = order[np.argsort(tree.outcome_index[order], kind="stable")]
    low = np.concatenate([np.zeros(n_outcomes), counted.min(axis=0, initial=np.inf)])
    high = np.concatenate([np.ones(n_outcomes), counted.max(axis=0, initial=-np.inf)])
    span = high - low
    inv_width = np.divide(HIST_BINS, span, out=np.zeros_like(span), where=span > 0)
    if needs_numpy(tree):
        low, high = attribute_range(tree, holds, n_outcomes, low, high)
        span = high - low
        inv_width = np.divide(HIST_BINS, span, out=np.zeros_like(span), where=span > 0)
    shape_array = np.array(shapes, float)
    kernel_arguments = (  # the Gamma constants follow the shapes (see _chunks)
        shape_array,
        np.array(columns, np.int64), np.array(bounds, np.int64),
        np.array(small, np.uint8), theta_fixed, parent, edge, leaf_node[order],
        np.searchsorted(tree.outcome_index[order], np.arange(n_outcomes + 1)).astype(np.int64),
        np.ascontiguousarray(tree.attribute_values[order].T, float), conditional, reference, low,
        inv_width)
    work = (8 * len(shapes) + len(parent) + tree.n_paths * (2 + tree.attribute_values.shape[1])
            + (n_outcomes + tree.attribute_values.shape[1]) * 4 + n_outcomes**2)
    if tree.space is not None:
        for j, named in enumerate(tree.space.parameters):
            if named.uncertain:
                parameter_columns.append(tree.n_set_entries + j)
                parameter_keys.append(named.name)
    return _Plan(name=name, changes=changes, given=dict(given or {}), outcomes=outcomes,
                 attributes=attributes,
                 n_outcomes=n_outcomes, n_values=len(reference), reference=reference, low=low,
                 high=high, kernel_arguments=kernel_arguments,
                 parameter_columns=np.array(parameter_columns, np.int64),
                 parameter_keys=tuple(parameter_keys), work_per_draw=work, holds=holds,
                 inv_width=inv_width)


def sample_theta(scenario: Scenario, *, n_draws: int,
                 rng: RNGLike = None) -> tuple[np.ndarray, int | tuple[int, ...]]:
    """Return ``n_draws`` flat probability vectors drawn from the priors, and the seed.

    Row ``i`` is draw ``i``'s ``theta`` (see :mod:`analysis.model.tree`): the uncertain
    sets and named parameters as :func:`sample_outcomes` draws them with the
    same ``rng``, fixed probabilities (decisions' assumed options included)
    at their values, derived sets computed. :func:`theta_chunks` gives the
    same rows a chunk at a time.

    Raises
    ------
    QueryError
        If the rows would not fit the memory budget, or the draws the time budget.
    """
    n_draws = check_n_draws(n_draws)
    check_budget(n_draws, what=f"drawing the priors of scenario {scenario.id!r}",
                 bytes_per_draw=8.0 * scenario.tree.n_theta)
    sequence = seed_sequence(rng)
    theta = np.empty((n_draws, scenario.tree.n_theta))
    for rows, chunk in theta_chunks(scenario, n_draws=n_draws, rng=sequence):
        theta[rows] = chunk
    return theta, seed_of(sequence)


def theta_chunks(scenario: Scenario, *, n_draws: int, rng: RNGLike = None,
                 chunk_draws: int | None = None):
    """Yield ``(rows, theta)``: the rows of :func:`sample_theta`, a chunk at a time.

    Memory does not grow with ``n_draws``: each chunk holds at most
    ``chunk_draws`` rows (default: about 4 MB of them, whole blocks).

    Raises
    ------
    QueryError
        If the draws would not fit the time budget.
    """
    n_draws = check_n_draws(n_draws)
    sequence = seed_sequence(rng)
    tree = scenario.tree
    mean_theta = tree.mean_theta()
    if not _uncertain(tree):
        size = chunk_draws or max(1, (4 << 20) // (8 * max(1, tree.n_theta)))
        for start in range(0, n_draws, size):
            rows = slice(start, min(start + size, n_draws))
            yield rows, np.tile(mean_theta, (rows.stop - rows.start, 1))
        return
    plan = _plan(tree.with_likelihood(None), None)  # the priors, whatever evidence weighs
    workers = _workers(n_draws)
    numpy_draws = needs_numpy(tree)
    check_budget(n_draws, what=f"drawing the priors of scenario {scenario.id!r}",
                 seconds_per_draw=_seconds_per_draw(plan, workers, numpy_draws=numpy_draws))
    per_draw = 8 * (tree.n_theta + plan.n_values + len(plan.parameter_columns))
    rows_wanted = chunk_draws or max(BLOCK_SIZE, (4 << 20) // per_draw)
    chunk_blocks = max(1, -(-rows_wanted // BLOCK_SIZE))
    if numpy_draws:  # named parameters drawn with numpy, block by block (see draw_theta)
        n_blocks = -(-n_draws // BLOCK_SIZE)
        for first in range(0, n_blocks, chunk_blocks):
            blocks = range(first, min(first + chunk_blocks, n_blocks))
            theta = np.concatenate([
                draw_theta(tree, sequence, j, min(BLOCK_SIZE, n_draws - j * BLOCK_SIZE))
                for j in blocks])
            start = first * BLOCK_SIZE
            yield slice(start, start + len(theta)), theta
        return
    column = {f"{pset.key}.{branch}": int(offset) + b
              for pset, offset in zip(tree.sets, tree.offsets, strict=True)
              for b, branch in enumerate(pset.branches)}
    targets = np.array([column[key] for key in plan.parameter_keys], dtype=np.int64)
    states = [_WorkerState.empty(plan) for _ in range(workers)]
    for chunk in _chunks(plan, sequence, n_draws, chunk_blocks, states, keep=True):
        theta = np.tile(mean_theta, (chunk.rows.stop - chunk.rows.start, 1))
        theta[:, targets] = chunk.parameters
        yield chunk.rows, theta


def _sample_numpy(scenario, plan: _Plan, n_draws: int, sequence: np.random.SeedSequence,
                  keep_draws: bool, bar) -> OutcomeSamples:
    """:func:`sample_outcomes` with numpy draws, block by block (same summaries as the kernel)."""
    tree = scenario.tree if isinstance(scenario, Scenario) else scenario
    k, n_outcomes = plan.n_values, plan.n_outcomes
    state = _WorkerState.empty(plan)
    total_sum, total_sq = np.zeros(k), np.zeros(k)
    values_kept = np.empty((n_draws if keep_draws else 0, k))
    parameters_kept = np.empty((n_draws if keep_draws else 0, len(plan.parameter_columns)))
    onehot = (tree.outcome_index[:, None] == np.arange(n_outcomes)[None, :]).astype(float)
    conditional = bool(plan.given) and not plan.holds.all()
    undefined = 0
    try:
        for block in range(-(-n_draws // BLOCK_SIZE)):
            first = block * BLOCK_SIZE
            size = min(BLOCK_SIZE, n_draws - first)
            theta = draw_theta(tree, sequence, block, size)
            paths = tree.prior_probabilities(theta) * plan.holds
            attributes = (tree.values.attributes(theta[:, tree.parameter_slice])
                          if tree.values is not None and tree.attributes
                          else np.zeros((size, tree.n_paths, 0)))
            values = np.concatenate([paths @ onehot,
                                     np.einsum("dp,dpa->da", paths, attributes)], axis=1)
            if conditional:
                mass = values[:, :n_outcomes].sum(axis=1)
                undefined += int((mass <= 0).sum())
                values = np.where(mass[:, None] > 0, values / np.where(mass > 0, mass, 1)[:, None],
                                  plan.reference[None, :])
            shifted = values - plan.reference
            total_sum += shifted.sum(axis=0)
            total_sq += (shifted**2).sum(axis=0)
            state.lowest[:] = np.minimum(state.lowest, values.min(axis=0))
            state.highest[:] = np.maximum(state.highest, values.max(axis=0))
            position = np.clip((values - plan.low) * plan.inv_width, 0, HIST_BINS - 1)
            bins = position.astype(np.int64)
            for column in range(k):
                state.hist[column] += np.bincount(bins[:, column], minlength=HIST_BINS)
            outcomes = values[:, :n_outcomes]
            above = outcomes[:, None, :] > outcomes[:, :, None]  # [d, i, j]: j above i
            state.greater += above.sum(axis=0).T
            counts = above.sum(axis=2)
            for i in range(n_outcomes):
                state.ranks[i] += np.bincount(counts[:, i], minlength=n_outcomes)
            if keep_draws:
                values_kept[first:first + size] = values
                parameters_kept[first:first + size] = theta[:, plan.parameter_columns]
            if bar is not None:
                bar.update(size)
    finally:
        if bar is not None:
            bar.close()
    if undefined:
        raise QueryError(f"given: the condition has probability 0 in {undefined} of "
                         f"{n_draws} draws, so those draws cannot be conditioned on it")
    return _result(plan, sequence, n_draws, total_sum, total_sq, [state],
                   values_kept if keep_draws else None,
                   parameters_kept if keep_draws else None)


# ------------------------------------------------------------------------------ inputs


def _chunk_blocks(plan: _Plan, chunk_size: int | None) -> int:
    if chunk_size is not None:
        return -(-chunk_size // BLOCK_SIZE)
    blocks = _CHUNK_WORK // (plan.work_per_draw * BLOCK_SIZE)
    return int(min(_MAX_CHUNK_BLOCKS, max(_cpu_count(), blocks)))


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def _progress_wanted(progress: bool | None, n_draws: int) -> bool:
    if progress is not None:
        return bool(progress)
    setting = os.environ.get("DEALTREE_PROGRESS", "").strip()
    if setting == "0":
        return False
    if setting == "1":
        return True
    if os.environ.get("CI", "").strip().lower() not in ("", "0", "false"):
        return False
    return n_draws >= PROGRESS_MIN_DRAWS


def _progress_bar(progress: bool | None, n_draws: int, name: str):
    if not _progress_wanted(progress, n_draws):
        return None
    from tqdm.auto import tqdm  # a widget in notebooks, text in a terminal

    return tqdm(total=n_draws, unit="draw", unit_scale=True, dynamic_ncols=True,
                desc=f"Sampling {name}".strip())
