"""The engines: exact evaluation, Monte Carlo over the priors, rollback, durations.

They compute arrays from the model; the analyses above turn them into tables.
"""
