"""A verdict per job: the fastest instance, the cheapest per unit of work, and the
cheapest that meets the job's latency target and fits in the memory it had free."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from stockbench.errors import ConfigError
from stockbench.report.compare import HEADLINE, CaseResult


@dataclass(frozen=True)
class Verdict:
    job: str
    case: str
    fastest: str | None
    cheapest: str | None  # per unit of work
    target_ms: float | None
    cheapest_meeting_target: str | None
    why: str


def headline_cases(results: Sequence[CaseResult]) -> dict[str, str]:
    """Job label -> the case its benchmark declared the headline, in result order."""
    out: dict[str, str] = {}
    for r in results:
        if r.role == HEADLINE:
            out.setdefault(r.job_label, r.case)
    return out


def rows_of(results: Sequence[CaseResult], job: str, case: str) -> list[CaseResult]:
    return [r for r in results if r.case == case and r.job_label == job]


def verdicts(
    results: Sequence[CaseResult], targets_ms: Mapping[str, float] | None = None
) -> list[Verdict]:
    """One verdict per job with a headline case. A target for a job the runs do not have
    is a ``ConfigError``: a typo must not silently drop the user's constraint."""
    targets = dict(targets_ms or {})
    jobs = headline_cases(results)
    unknown = sorted(set(targets) - set(jobs))
    if unknown:
        raise ConfigError(
            f"no job {', '.join(map(repr, unknown))} in these runs; jobs: {', '.join(jobs)}",
            setting="target_ms",
        )
    out = []
    for job, case in jobs.items():
        rows = rows_of(results, job, case)
        fastest = min(rows, key=lambda r: r.median_s).instance if rows else None
        priced = [r for r in rows if r.cost_per_million_samples is not None]
        cheapest = (
            min(priced, key=lambda r: r.cost_per_million_samples or 0).instance if priced else None
        )
        target = targets.get(job)
        ok = [
            r
            for r in priced
            if r.fits_memory is not False and (target is None or r.median_s * 1000 <= target)
        ]
        pick = min(ok, key=lambda r: r.cost_per_million_samples or 0).instance if ok else None
        if not priced:
            why = "no instance has a price"
        elif pick is None:
            why = f"no priced instance fits in memory{' and meets the target' if target else ''}"
        else:
            why = "fits in memory" + (f" and runs a round within {target:g} ms" if target else "")
        out.append(Verdict(job, case, fastest, cheapest, target, pick, why))
    return out


def parse_targets(items: Sequence[str]) -> dict[str, float]:
    """``["lstm=10"]`` -> ``{"lstm": 10.0}``: a finite, positive latency per job."""
    targets = {}
    for item in items:
        job, sep, value = item.partition("=")
        try:
            ms = float(value)
        except ValueError:
            ms = math.nan
        if not sep or not job or not math.isfinite(ms) or ms <= 0:
            raise ConfigError(
                f"{item!r}: expected JOB=MILLISECONDS, e.g. lstm=10", setting="target_ms"
            )
        targets[job] = ms
    return targets
