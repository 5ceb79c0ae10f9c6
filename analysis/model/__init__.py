"""The model: a scenario, its compiled tree of paths, its checks, stakeholders and parameters.

Built from the validated file formats below it; the engines above evaluate it.
"""
