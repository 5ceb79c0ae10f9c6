"""Randomness: every random result comes from one seed, normalised once.

Functions that draw take ``rng=None`` (Scientific Python SPEC 7): ``None``
for fresh entropy, an int or a :class:`numpy.random.SeedSequence` to repeat a
run, or a :class:`numpy.random.Generator`, asked once for 128 bits.
:func:`seed_sequence` turns any of them into a ``SeedSequence``; fixed
children (:func:`child_sequence`) give independent streams that do not depend
on how the work is chunked or spread over threads or workers.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np

__all__ = ["RNGLike", "child_sequence", "seed_of", "seed_sequence", "seed_words"]

RNGLike = None | int | np.random.SeedSequence | np.random.Generator


def seed_sequence(rng: RNGLike) -> np.random.SeedSequence:
    """Normalise ``rng`` once into a seed sequence.

    Reusing the returned sequence repeats the same draws, which keeps the
    steps of a timeline on common random numbers.

    Raises
    ------
    TypeError
        If ``rng`` is none of the accepted kinds.
    ValueError
        If ``rng`` is a negative integer.
    """
    if rng is None:
        return np.random.SeedSequence()
    if isinstance(rng, np.random.SeedSequence):
        return rng
    if isinstance(rng, np.random.Generator):
        return np.random.SeedSequence(int.from_bytes(rng.bytes(16), "little"))
    if isinstance(rng, Integral) and not isinstance(rng, bool):
        if rng < 0:
            raise ValueError(f"rng == {rng}, expected a non-negative integer seed")
        return np.random.SeedSequence(int(rng))
    raise TypeError(f"rng: got {type(rng).__name__}, expected None, an int, a "
                    "numpy.random.SeedSequence or a numpy.random.Generator")


def seed_of(sequence: np.random.SeedSequence) -> int | tuple[int, ...]:
    """Return the entropy that repeats a run, for ``attrs``."""
    entropy = sequence.entropy
    return int(entropy) if isinstance(entropy, Integral) else tuple(int(e) for e in entropy)


def child_sequence(seed: np.random.SeedSequence, *key: int) -> np.random.SeedSequence:
    """Return a fixed child of ``seed`` (unlike ``spawn``, the same on every call)."""
    return np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, *key),
                                  pool_size=seed.pool_size)


def seed_words(seed: np.random.SeedSequence, keys, words: int = 3) -> np.ndarray:
    """Return ``words`` 64-bit seed words per key: row ``j`` from ``child_sequence(seed, j)``."""
    keys = np.asarray(keys)
    return np.array([child_sequence(seed, int(j)).generate_state(words, np.uint64)
                     for j in keys], dtype=np.uint64).reshape(len(keys), words)
