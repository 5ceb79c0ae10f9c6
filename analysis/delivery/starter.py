"""The starter scenario ``dealtree new NAME`` writes: commented, valid, ready to edit."""

from __future__ import annotations

import re
from datetime import date

from ..core.errors import QueryError

__all__ = ["starter_scenario"]

_ID = re.compile(r"^[a-z][a-z0-9_]{0,47}$")

_TEMPLATE = """\
# A dealtree scenario: phases asked in order, each with branches and their
# probabilities. Edit it, then:
#   dealtree validate {name}.yaml          # checks it, naming every problem
#   dealtree summary {name}.yaml           # the outcome distribution
#   dealtree report --scenario {name}.yaml --output reports/{name}
# The format, every prior form and the checks: scenarios/README.md.
schema_version: 1
id: {name}                        # lowercase letters, digits, underscores
title: "{title}"                  # shown in every chart and report
as_of: {today}                    # the date your priors reflect
description: >-
  One paragraph for readers: what is being negotiated, between whom, and
  over what horizon.

outcomes:                         # where every path ends; colours are used in every chart
  agreement: {{label: Agreement implemented, colour: "#1b9e77",
              description: "Signed and carried out."}}
  partial: {{label: Partial deal, colour: "#7570b3",
            description: "Signed, but only part of it is carried out."}}
  no_deal: {{label: No deal, colour: "#d95f02", description: "Talks fail."}}

attributes:                       # numbers carried along each path (summed by default)
  months: {{label: Months to the end, unit: months}}

phases:
  - id: talks
    question: Do the talks produce a text both sides sign?
    branches:
      signed:
        label: Signed
        prior:                    # a Beta on a yes/no question: 6 of 10 "pseudo-cases"
          alpha: 6
          beta: 4
          rationale: Both sides have signed comparable texts before.
          # cite: [my-sources.earlier-talks]   # claims from your sources folder
        attributes: {{months: 3}}
      collapse:                   # the other branch takes the rest (0.4)
        label: Talks collapse
        outcome: no_deal          # ends the scenario on this branch
        attributes: {{months: 2}}

  - id: implementation
    question: Is the signed deal carried out?
    branches:
      full:
        label: In full
        prior: {{low: 0.3, mode: 0.5, high: 0.7}}   # an elicited range (PERT)
        attributes: {{months: 12}}
      partly:
        label: In part
        attributes: {{months: 18}}

outcome_rules:                    # for paths no branch has ended; the first match wins
  - when: {{implementation: full}}
    outcome: agreement
  - outcome: partial              # no `when`: every other path
"""


def starter_scenario(name: str, *, today: date | None = None) -> str:
    """Return the text of a starter scenario with id ``name``.

    Raises
    ------
    QueryError
        If ``name`` is not a valid id.
    """
    if not _ID.match(name):
        raise QueryError(f"NAME {name!r}: expected an id of lowercase letters, digits and "
                         "underscores, starting with a letter (at most 48 characters)")
    title = name.replace("_", " ").capitalize()
    return _TEMPLATE.format(name=name, title=title,
                            today=(today or date.today()).isoformat())
