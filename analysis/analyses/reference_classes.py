"""Base rates from several reference classes, and how the answer moves with the class chosen.

Each class of a reference-class file (:mod:`analysis.formats.reference_classes_file`)
gives counts for one question, did a case end within ``horizon_days``:
``events`` cases that ended within it of ``cases`` whose answer is known (a
case still open before the horizon is left out: its answer is not known
yet), or a published count. Its rate is the Beta(1 + events, 1 + cases -
events) posterior (a uniform prior updated with the counts): its mean and
central interval. The combined base rate is the mixture of the classes'
Betas, weighted by their weights (a linear pool): its mean is the weighted
mean of the classes' means, and its interval is the mixture's quantiles.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..formats.reference_classes_file import (
    ReferenceClass,
    ReferenceClassesFile,
    load_reference_classes,
)
from ..formats.seeds import claim_dates, known_by, load_seeds

__all__ = ["base_rate_by_class", "reference_class_rates"]

_COLUMNS = ["class", "label", "weight", "share_of_weight", "basis", "cases", "events",
            "left_out", "rate", "lower", "upper", "claims", "rationale"]


def _spec(spec: ReferenceClassesFile | str | Path, seeds_dir) -> ReferenceClassesFile:
    if isinstance(spec, ReferenceClassesFile):
        return spec
    return load_reference_classes(spec, seeds_dir=seeds_dir)


def _reference_cases(seeds_dir) -> dict[str, dict]:
    """Every reference-class claim with ``days`` and an ended flag: id -> its data."""
    cases = {}
    for document in load_seeds(seeds_dir).values():
        for claim in document.claims:
            data = claim.data
            ended = data.get("ended", data.get("ended_in_war"))
            if "reference-class" in claim.topics and "days" in data and isinstance(ended, bool):
                cases[claim.id] = {**data, "ended": ended, "days": float(data["days"])}
    return cases


def _chosen(klass: ReferenceClass, cases: dict[str, dict], dates: dict[str, str],
            as_of) -> list[str]:
    if klass.cases:
        return [c for c in klass.cases if c in cases]
    return [claim for claim, data in cases.items()
            if all(data.get(key) == value for key, value in klass.where.items())
            and (as_of is None or known_by(dates[claim], as_of))]


def _counts(klass: ReferenceClass, cases: dict[str, dict], dates, as_of, horizon: float
            ) -> tuple[int, int, int, list[str]]:
    """``(cases, events, left_out, claims)`` of one class for the horizon."""
    if klass.published is not None:
        return klass.published.cases, klass.published.events, 0, list(klass.cite)
    claims = _chosen(klass, cases, dates, as_of)
    events = sum(1 for c in claims if cases[c]["ended"] and cases[c]["days"] <= horizon)
    survived = sum(1 for c in claims if cases[c]["days"] > horizon)
    known = events + survived
    return known, events, len(claims) - known, claims


def _mixture_interval(alphas, betas, weights, interval: float = 0.9) -> tuple[float, float]:
    """Return the central ``interval`` of a weighted mixture of Beta distributions.

    The quantiles solve ``sum_i w_i F_i(x) = q`` (``F_i`` the Betas' CDFs,
    weights normalised) by Brent's method; exact up to 1e-10.
    """
    from scipy import optimize, stats  # slow to import; only needed here

    a, b, w = (np.asarray(v, dtype=float) for v in (alphas, betas, weights))
    w = w / w.sum()

    def quantile(q: float) -> float:
        return optimize.brentq(lambda x: float(w @ stats.beta.cdf(x, a, b)) - q, 0.0, 1.0,
                               xtol=1e-12)

    tail = (1 - interval) / 2
    return quantile(tail), quantile(1 - tail)


def reference_class_rates(spec: ReferenceClassesFile | str | Path, *,
                          seeds_dir: str | Path | None = None,
                          interval: float = 0.9) -> pd.DataFrame:
    """Return each class's base rate, and their weighted combination as the last row.

    Parameters
    ----------
    spec : ReferenceClassesFile, path or name
        A reference-class file, or its path or name in ``scenarios/reference_classes``.
    seeds_dir : path-like, optional
        Where the cited claims live (default: the project's ``seeds/``).
    interval : float
        The central interval reported for each rate.

    Returns
    -------
    DataFrame
        One row per class and a last row ``class == "combined"`` (its counts
        are over the distinct cases of all classes): ``class``,
        ``label``, ``weight``, ``share_of_weight``, ``basis`` (``cases``,
        ``published`` or ``combined``), ``cases`` (cases with a known answer),
        ``events`` (those that ended within the horizon), ``left_out`` (open
        cases too recent to answer), ``rate`` (the posterior mean),
        ``lower``, ``upper``, ``claims``, ``rationale``. ``attrs`` hold
        ``title``, ``horizon_days`` and ``interval``.
    """
    from scipy import stats  # slow to import; only needed here

    spec = _spec(spec, seeds_dir)
    cases, dates = _reference_cases(seeds_dir), claim_dates(seeds_dir)
    total = sum(k.weight for k in spec.classes)
    rows = []
    for klass in spec.classes:
        n, e, left_out, claims = _counts(klass, cases, dates, spec.as_of, spec.horizon_days)
        a, b = 1 + e, 1 + n - e
        low, high = stats.beta.ppf([(1 - interval) / 2, (1 + interval) / 2], a, b)
        rows.append({"class": klass.id, "label": klass.label, "weight": klass.weight,
                     "share_of_weight": klass.weight / total,
                     "basis": "published" if klass.published else "cases", "cases": n,
                     "events": e, "left_out": left_out, "rate": a / (a + b),
                     "lower": float(low), "upper": float(high), "claims": ", ".join(claims),
                     "rationale": klass.rationale, "_a": a, "_b": b})
    frame = pd.DataFrame(rows)
    low, high = _mixture_interval(frame["_a"], frame["_b"], frame["weight"], interval)
    distinct = {c for claims in frame.loc[frame["basis"] == "cases", "claims"]
                for c in claims.split(", ") if c}
    ended = {c for c in distinct if cases[c]["ended"] and cases[c]["days"] <= spec.horizon_days}
    answered = {c for c in distinct if c in ended or cases[c]["days"] > spec.horizon_days}
    published = frame[frame["basis"] == "published"]
    combined = {"class": "combined", "label": "Weighted combination", "weight": total,
                "share_of_weight": 1.0, "basis": "combined",
                "cases": len(answered) + int(published["cases"].sum()),
                "events": len(ended) + int(published["events"].sum()),
                "left_out": len(distinct - answered),
                "rate": float(frame["share_of_weight"] @ frame["rate"]),
                "lower": low, "upper": high, "claims": "", "rationale": ""}
    frame = pd.concat([frame.drop(columns=["_a", "_b"]), pd.DataFrame([combined])],
                      ignore_index=True)[_COLUMNS]
    frame.attrs = {"title": spec.title, "horizon_days": spec.horizon_days,
                   "interval": interval, "reference_classes": spec.id}
    return frame


def base_rate_by_class(spec: ReferenceClassesFile | str | Path, *,
                       seeds_dir: str | Path | None = None,
                       interval: float = 0.9) -> pd.DataFrame:
    """Return how the base rate moves with the class chosen.

    One row per choice: each class alone, the weighted combination, the
    classes with equal weights, and the combination without each class in
    turn (when there are three or more).

    Returns
    -------
    DataFrame
        ``choice`` (an id), ``label``, ``kind`` (``alone``, ``weighted``,
        ``equal``, ``without``), ``rate``, ``lower``, ``upper`` and
        ``change`` (the rate minus the weighted combination's, in
        probability). ``attrs`` as :func:`reference_class_rates`.
    """
    rates = reference_class_rates(spec, seeds_dir=seeds_dir, interval=interval)
    classes = rates[rates["basis"] != "combined"].reset_index(drop=True)
    a = 1 + classes["events"].to_numpy(float)
    b = 1 + (classes["cases"] - classes["events"]).to_numpy(float)
    rate = a / (a + b)

    def pooled(weights) -> tuple[float, float, float]:
        w = np.asarray(weights, dtype=float)
        low, high = _mixture_interval(a[w > 0], b[w > 0], w[w > 0], interval)
        return float(w @ rate / w.sum()), low, high

    rows = [{"choice": r["class"], "label": f"{r['label']} alone", "kind": "alone",
             "rate": r["rate"], "lower": r["lower"], "upper": r["upper"]}
            for _, r in classes.iterrows()]
    weights = classes["weight"].to_numpy(float)
    mean, low, high = pooled(weights)
    rows.append({"choice": "weighted", "label": "All classes, weighted", "kind": "weighted",
                 "rate": mean, "lower": low, "upper": high})
    if len(classes) > 1:
        mean, low, high = pooled(np.ones(len(classes)))
        rows.append({"choice": "equal", "label": "All classes, equal weights", "kind": "equal",
                     "rate": mean, "lower": low, "upper": high})
    if len(classes) > 2:
        for i, r in classes.iterrows():
            mean, low, high = pooled(np.where(np.arange(len(classes)) == i, 0.0, weights))
            rows.append({"choice": f"without_{r['class']}", "label": f"Without {r['label']}",
                         "kind": "without", "rate": mean, "lower": low, "upper": high})
    frame = pd.DataFrame(rows)
    weighted = frame.loc[frame["kind"] == "weighted", "rate"].iloc[0]
    frame["change"] = frame["rate"] - weighted
    frame.attrs = dict(rates.attrs)
    return frame
