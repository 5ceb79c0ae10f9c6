"""What a notebook runs on: the scenario, the files beside it, and whether the notebook applies.

Every notebook starts from a parameters cell (``SCENARIO``, ``PRIOR_OVERRIDES``,
``EVIDENCE``...). A parameter left at ``None`` takes what the scenario file's
``notebooks:`` section names, so that changing ``SCENARIO`` alone never mixes
one scenario with another's evidence or analysts. Names in that section
resolve beside the scenario file (``evidence/NAME.yaml``...); a parameter
given as a path resolves against the working folder first.

A notebook that needs something the scenario does not have (a decision
phase, an evidence log, durations) does not apply to it:
:func:`not_applicable` says why, and :func:`require` stops a notebook with
that reason. ``dealtree report`` asks the first before starting a kernel
and lists such notebooks as "not applicable".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from ..analyses.timing import cited_documents, reference_truces
from ..analyses.updating import update_scenario
from ..core.errors import QueryError
from ..formats.evidence_file import EvidenceLog, load_evidence
from ..formats.reference_classes_file import ReferenceClassesFile, load_reference_classes
from ..formats.resolutions_file import Resolutions, load_resolutions
from ..formats.signposts_file import Watchlist, load_signposts
from ..model.scenario import Scenario, load_scenario

__all__ = [
    "NEEDS",
    "NotApplicable",
    "analysts_for",
    "comparisons_for",
    "decision_maker_for",
    "event_for",
    "outcome_of_concern",
    "evidence_for",
    "not_applicable",
    "reference_cases",
    "reference_classes_for",
    "require",
    "resolutions_for",
    "signposts_for",
]

#: What a notebook can need, and what it means.
NEEDS = {
    "decisions": "a decision phase (a phase with decision_maker:)",
    "evidence": "an evidence log (EVIDENCE, --evidence, or notebooks.evidence in the file)",
    "durations": "durations on its branches (duration:)",
    "uncertainty": "uncertain priors (a Beta, a Dirichlet, counts or a range somewhere)",
}


class NotApplicable(QueryError):
    """A notebook does not apply to a scenario; the message says why."""


def evidence_for(scenario: Scenario, evidence: str | Path | None = None) -> EvidenceLog | None:
    """Return the evidence log to use: ``evidence``, else the file's ``notebooks.evidence``.

    Raises
    ------
    ScenarioError
        If the log is invalid.
    """
    value = evidence if evidence is not None else scenario.model.notebooks.evidence
    if value is None or value == "":
        return None
    return load_evidence(scenario.find_file(value, "evidence"), seeds_dir=scenario.seeds_dir)


def resolutions_for(scenario: Scenario, resolutions: str | Path | None = None
                    ) -> Resolutions | None:
    """Return the resolutions to score against: ``resolutions``, else the file's."""
    value = resolutions if resolutions is not None else scenario.model.notebooks.resolutions
    if value is None or value == "":
        return None
    return load_resolutions(scenario.find_file(value, "resolutions"),
                            seeds_dir=scenario.seeds_dir)


def signposts_for(scenario: Scenario, signposts: str | Path | None = None
                  ) -> Watchlist | None:
    """Return the watchlist to use: ``signposts``, else the file's ``notebooks.signposts``."""
    value = signposts if signposts is not None else scenario.model.notebooks.signposts
    if value is None or value == "":
        return None
    return load_signposts(scenario.find_file(value, "signposts"), seeds_dir=scenario.seeds_dir)


def reference_classes_for(scenario: Scenario, reference_classes: str | Path | None = None
                          ) -> ReferenceClassesFile | None:
    """Return the reference classes to use: ``reference_classes``, else the file's."""
    value = (reference_classes if reference_classes is not None
             else scenario.model.notebooks.reference_classes)
    if value is None or value == "":
        return None
    return load_reference_classes(scenario.find_file(value, "reference_classes"),
                                  seeds_dir=scenario.seeds_dir)


def _scenarios(values: Iterable[str | Path], scenario: Scenario, subfolder: str
               ) -> list[Scenario]:
    found = []
    for value in values:
        other = load_scenario(scenario.find_file(value, subfolder))
        if other.id != scenario.id:
            found.append(other)
    return found


def analysts_for(scenario: Scenario, analysts: Sequence[str | Path] | None = None
                 ) -> list[Scenario]:
    """Return the analysts' scenarios: ``analysts``, else the file's ``notebooks.analysts``."""
    values = analysts if analysts is not None else scenario.model.notebooks.analysts
    return _scenarios(values, scenario, "analysts")


def comparisons_for(scenario: Scenario, compare: Sequence[str | Path] | None = None
                    ) -> list[Scenario]:
    """Return the scenarios to compare with: ``compare``, else the file's ``notebooks.compare``."""
    values = compare if compare is not None else scenario.model.notebooks.compare
    return _scenarios(values, scenario, ".")


def event_for(scenario: Scenario, event: str | Sequence[str] | None = None) -> list[str]:
    """Return the outcomes that end the deal: ``event``, else the scenario's collapse outcomes.

    Empty when the scenario marks no outcome ``role: collapse`` and none is given.

    Raises
    ------
    QueryError
        If ``event`` names no outcome of the scenario.
    """
    values = (list(scenario.collapse_outcomes) if event is None else
              [event] if isinstance(event, str) else list(event))
    for value in values:
        if value not in scenario.model.outcomes:
            raise QueryError(f"event {value!r} is not an outcome of {scenario.id!r}; expected "
                             f"one of: {', '.join(scenario.model.outcomes)}")
    return values


def outcome_of_concern(scenario: Scenario, outcome: str | None = None) -> str:
    """Return one outcome to watch: ``outcome``, else the first collapse outcome, else the last.

    Raises
    ------
    QueryError
        If ``outcome`` names no outcome of the scenario.
    """
    if outcome is not None:
        return event_for(scenario, outcome)[0]
    return (list(scenario.collapse_outcomes) or list(scenario.model.outcomes)[-1:])[0]


def decision_maker_for(scenario: Scenario, decision_maker: str | None = None) -> str | None:
    """Return whose decisions to optimise: ``decision_maker``, the file's, or the first's.

    Raises
    ------
    QueryError
        If the stakeholder named takes no decision in the scenario.
    """
    deciders = list(dict.fromkeys(p.decision_maker for p in scenario.model.phases
                                  if p.decision_maker))
    value = decision_maker or scenario.model.notebooks.decision_maker
    if value is None:
        return deciders[0] if deciders else None
    if value not in deciders:
        raise QueryError(f"decision maker {value!r} takes no decision in {scenario.id!r}; "
                         f"expected one of: {', '.join(deciders) or '(none)'}")
    return value


def reference_cases(scenario: Scenario) -> pd.DataFrame:
    """Return the earlier cases recorded in the sources the scenario cites.

    :func:`analysis.reference_truces` over the documents the scenario's
    priors and durations cite, known by its ``as_of``: a scenario that cites
    none of them gets no reference class, never another deal's, and none of
    its cases comes from hindsight.
    """
    return reference_truces(scenario.seeds_dir, documents=cited_documents(scenario),
                            known_by=scenario.model.as_of)


def not_applicable(scenario: Scenario, needs: Iterable[str], *,
                   evidence: str | Path | None = None) -> str | None:
    """Return why a notebook needing ``needs`` does not apply to ``scenario``, or None.

    Parameters
    ----------
    scenario : Scenario
    needs : iterable of str
        Keys of :data:`NEEDS`.
    evidence : str or Path, optional
        The evidence log given as a parameter, if any.

    Raises
    ------
    ValueError
        If a need is unknown.
    """
    model = scenario.model
    for need in needs:
        if need not in NEEDS:
            raise ValueError(f"need {need!r} unknown; expected one of: {', '.join(NEEDS)}")
        if need == "decisions" and not any(p.decision_maker for p in model.phases):
            return f"{scenario.id} has no decision phase (no phase has decision_maker:)"
        if need == "durations" and not any(b.duration is not None for p in model.phases
                                           for b in p.branches.values()):
            return f"{scenario.id} gives no durations (no branch has duration:)"
        if need == "uncertainty" and all(s.kind == "fixed" for s in scenario.tree.sets):
            return f"{scenario.id} has no uncertain prior: every probability is fixed"
        if need == "evidence" and evidence is None and model.notebooks.evidence is None:
            return (f"no evidence log for {scenario.id} (give one with --evidence, or name it "
                    "under notebooks.evidence in the scenario file)")
    return None


def require(scenario: Scenario, needs: str | Iterable[str], *,
            evidence: str | Path | None = None) -> None:
    """Stop a notebook that does not apply to ``scenario``.

    With ``"evidence"`` among the needs, also checks that the log fits the
    scenario (every item names its phases and branches).

    Raises
    ------
    NotApplicable
        Saying why, when :func:`not_applicable` finds a reason.
    ScenarioError
        If the evidence log is invalid or does not fit the scenario.
    """
    needs = [needs] if isinstance(needs, str) else list(needs)
    reason = not_applicable(scenario, needs, evidence=evidence)
    if reason is not None:
        raise NotApplicable(f"This notebook does not apply: {reason}.")
    if "evidence" in needs:
        update_scenario(scenario, evidence_for(scenario, evidence))
