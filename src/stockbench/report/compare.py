"""Case x instance results with spread, ratio to a baseline instance and significance
(Mann-Whitney U on raw rounds), then a verdict per job.

What a case is for comes from the benchmark that saved it, never from its name:
``extra_info["job"]`` (default: the group) and ``extra_info["role"]``, which is
``"baseline"`` for the original study's method (or the reference point of a sweep) and
``"headline"`` for the case that answers "which instance for this job".
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from scipy.stats import mannwhitneyu

from stockbench.errors import ConfigError
from stockbench.metrics import quantile
from stockbench.report.prices import PriceTable
from stockbench.report.runs import Run

SIGNIFICANCE_ALPHA = 0.05
BASELINE = "baseline"
HEADLINE = "headline"


@dataclass
class CaseResult:
    """One case on one instance type, over every run of that type."""

    group: str
    case: str
    instance: str
    job: str
    role: str | None
    runs: int
    median_s: float
    median_spread_s: tuple[float, float]
    samples: int | None
    time_per_sample_s: float | None
    samples_per_s: float | None
    p90_s: float | None
    p99_s: float | None
    peak_rss_bytes: int | None
    memory_bytes: int | None
    cpu_percent: float | None
    steal_percent: float | None
    price_per_hour: float | None
    raw_rounds: list[float] = field(default_factory=list, repr=False)
    speedup: float | None = None  # same instance: baseline case's time per sample / this one's
    ratio_to_baseline: float | None = None  # baseline instance's median / this median: >1 faster
    p_value: float | None = None
    significant: bool | None = None  # None: cannot tell (no raw rounds)
    is_baseline: bool = False

    @property
    def unit(self) -> tuple[str, str]:
        """What a baseline and a headline are chosen within: (group, job)."""
        return self.group, self.job

    @property
    def job_label(self) -> str:
        return self.job if self.job == self.group else f"{self.group}:{self.job}"

    @property
    def significance(self) -> str:
        if self.is_baseline:
            return "baseline"
        if self.ratio_to_baseline is None:
            return "-"  # the baseline instance has no such case
        if self.significant is None or self.p_value is None:
            return "cannot tell (no raw rounds)"
        return f"{'yes' if self.significant else 'no'} (p={self.p_value:.2g})"

    @property
    def fits_memory(self) -> bool | None:
        if self.peak_rss_bytes is None or self.memory_bytes is None:
            return None
        return self.peak_rss_bytes <= self.memory_bytes

    @property
    def cost_per_million_samples(self) -> float | None:
        if self.price_per_hour is None or self.time_per_sample_s is None:
            return None
        return self.price_per_hour / 3600 * self.time_per_sample_s * 1e6


def _median_of(values: Iterable[Any]) -> float | None:
    nums = [float(v) for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return statistics.median(nums) if nums else None


def _combine(
    group: str,
    case: str,
    instance: str,
    entries: Sequence[tuple[Run, Mapping[str, Any]]],
    price: float | None,
) -> CaseResult:
    medians = [float(b["stats"]["median"]) for _, b in entries]
    extras = [b.get("extra_info") or {} for _, b in entries]
    declared = extras[-1]
    role = declared.get("role")
    raw = [float(x) for _, b in entries for x in (b["stats"].get("data") or [])]
    have_raw = all(b["stats"].get("data") for _, b in entries)
    median = statistics.median(raw) if have_raw else statistics.median(medians)
    samples = _median_of(e.get("samples") for e in extras)
    tps = median / samples if samples else None
    peaks = [e["peak_rss_bytes"] for e in extras if isinstance(e.get("peak_rss_bytes"), int)]
    memory = _median_of(r.machine_info.get("total_memory_bytes") for r, _ in entries)
    return CaseResult(
        group=group,
        case=case,
        instance=instance,
        job=str(declared.get("job") or group),
        role=str(role) if role in (BASELINE, HEADLINE) else None,
        runs=len(entries),
        median_s=median,
        median_spread_s=(min(medians), max(medians)),
        samples=int(samples) if samples else None,
        time_per_sample_s=tps,
        samples_per_s=1 / tps if tps else None,
        p90_s=quantile(raw, 90) if have_raw else _median_of(e.get("round_p90_s") for e in extras),
        p99_s=quantile(raw, 99) if have_raw else _median_of(e.get("round_p99_s") for e in extras),
        peak_rss_bytes=max(peaks) if peaks else None,
        memory_bytes=int(memory) if memory else None,
        cpu_percent=_median_of(e.get("cpu_percent") for e in extras),
        steal_percent=max(
            (
                e["steal_percent"]
                for e in extras
                if isinstance(e.get("steal_percent"), (int, float))
            ),
            default=None,
        ),
        price_per_hour=price,
        raw_rounds=raw if have_raw else [],
    )


def mann_whitney_p(a: Sequence[float], b: Sequence[float]) -> float | None:
    """Two-sided Mann-Whitney U p-value, or None when either side has too few rounds."""
    if len(a) < 3 or len(b) < 3:
        return None
    return float(mannwhitneyu(a, b, alternative="two-sided").pvalue)


def pick_baseline(runs: Sequence[Run], explicit: str | None = None) -> str:
    """``explicit`` if some run has it (else ConfigError), or the first instance by name."""
    instances = sorted({r.instance for r in runs})
    if explicit is not None and explicit not in instances:
        raise ConfigError(
            f"{explicit!r} is not among the runs: {', '.join(instances)}", setting="baseline"
        )
    return explicit or instances[0]


def _speedups(results: Sequence[CaseResult]) -> None:
    """Each case against its unit's baseline case on the same instance (same runs)."""
    bases = {(r.unit, r.instance): r for r in results if r.role == BASELINE}
    for r in results:
        base = bases.get((r.unit, r.instance))
        if base and base.time_per_sample_s and r.time_per_sample_s:
            r.speedup = base.time_per_sample_s / r.time_per_sample_s


def aggregate(
    runs: Sequence[Run], prices: PriceTable, region: str, baseline: str | None = None
) -> list[CaseResult]:
    """One result per case x instance, compared with ``baseline`` (default: the first)."""
    by_key: dict[tuple[str, str, str], list[tuple[Run, Mapping[str, Any]]]] = {}
    for run in runs:
        for bench in run.benchmarks:
            key = (str(bench.get("group") or ""), str(bench["name"]), run.instance)
            by_key.setdefault(key, []).append((run, bench))
    base = pick_baseline(runs, baseline)
    results = [
        _combine(g, c, i, entries, prices.price(region, i))
        for (g, c, i), entries in sorted(by_key.items())
    ]
    _speedups(results)
    index = {(r.case, r.instance): r for r in results}
    for r in results:
        ref = index.get((r.case, base))
        if ref is None:
            continue
        r.ratio_to_baseline = ref.median_s / r.median_s if r.median_s else None
        if r.instance == base:
            r.is_baseline = True
            continue
        r.p_value = mann_whitney_p(ref.raw_rounds, r.raw_rounds)
        r.significant = None if r.p_value is None else r.p_value < SIGNIFICANCE_ALPHA
    return results


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


def verdicts(
    results: Sequence[CaseResult], targets_ms: Mapping[str, float] | None = None
) -> list[Verdict]:
    targets = dict(targets_ms or {})
    out = []
    for job, case in headline_cases(results).items():
        rows = [r for r in results if r.case == case and r.job_label == job]
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
