"""The bottom layer: errors, argument checks, randomness, Beta maths, words and paths.

Nothing here knows about scenario files or trees; every other layer may use it.
"""
