"""The analyses: tidy tables computed from the engines.

Outcomes, uncertainty, decisions, sensitivity and thresholds, global
sensitivity, the value of information, evidence, timing, scores and their skill,
signposts and pools.
"""
