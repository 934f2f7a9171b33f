"""Case x instance results: spread, memory against what the instance had free, price,
and the comparison with a baseline instance (effect size first, see ``effect``).

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

from stockbench.errors import ConfigError
from stockbench.metrics import quantile
from stockbench.report.effect import DEFAULT_MIN_EFFECT, Effect, effect, mann_whitney_p
from stockbench.report.prices import PriceTable
from stockbench.report.runs import Run

BASELINE = "baseline"
HEADLINE = "headline"
ON_DEMAND, SPOT = "on-demand", "spot"


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
    memory_bytes: int | None  # what a process could use: free at the run's start, else total
    cpu_percent: float | None
    cpu_seconds: float | None  # a cold run's whole CPU time (cold-start cases)
    steal_percent: float | None
    price_per_hour: float | None
    price_kind: str = ON_DEMAND
    variant: str | None = None
    raw_rounds: list[float] = field(default_factory=list, repr=False)
    speedup: float | None = None  # same instance: baseline case's time per sample / this one's
    ratio_to_baseline: float | None = None  # baseline instance's median / this median: >1 faster
    effect: Effect | None = None
    p_value: float | None = None
    is_baseline: bool = False

    @property
    def unit(self) -> tuple[str, str]:
        """What a baseline and a headline are chosen within: (group, job)."""
        return self.group, self.job

    @property
    def job_label(self) -> str:
        return self.job if self.job == self.group else f"{self.group}:{self.job}"

    @property
    def comparison(self) -> str:
        """This instance against the baseline instance, in words."""
        if self.is_baseline:
            return "baseline"
        if self.effect is None:
            return "-"  # the baseline instance has no such case
        return self.effect.text()

    @property
    def fits_memory(self) -> bool | None:
        return fits(self.peak_rss_bytes, self.memory_bytes)

    @property
    def cost_per_million_samples(self) -> float | None:
        if self.price_per_hour is None or self.time_per_sample_s is None:
            return None
        return self.price_per_hour / 3600 * self.time_per_sample_s * 1e6


def fits(peak_bytes: int | None, free_bytes: int | None) -> bool | None:
    """Whether a job's peak fits in what the machine had free; None when either is unknown."""
    if peak_bytes is None or free_bytes is None:
        return None
    return peak_bytes <= free_bytes


def number(value: Any) -> float | None:
    """A finite number from a saved file, else None (bools, strings, NaN are not)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def _median_of(values: Iterable[Any]) -> float | None:
    nums = [n for n in map(number, values) if n is not None]
    return statistics.median(nums) if nums else None


def _max_of(values: Iterable[Any]) -> float | None:
    return max((n for n in map(number, values) if n is not None), default=None)


def instance_price(
    runs: Sequence[Run], prices: PriceTable, region: str
) -> tuple[float | None, str]:
    """What an hour of the runs' instance type cost: the spot price every run recorded
    (their median), else the table's on-demand price for ``region``."""
    spot = [number(r.machine_info.get("ec2_spot_price_usd_per_hour")) for r in runs]
    on_spot = all(r.machine_info.get("ec2_instance_life_cycle") == SPOT for r in runs)
    if runs and on_spot and all(p is not None and p > 0 for p in spot):
        return statistics.median(p for p in spot if p is not None), SPOT
    return prices.price(region, runs[0].instance) if runs else None, ON_DEMAND


def _memory(run: Run) -> float | None:
    info = run.machine_info
    return number(info.get("available_memory_bytes")) or number(info.get("total_memory_bytes"))


def _combine(
    group: str,
    case: str,
    instance: str,
    entries: Sequence[tuple[Run, Mapping[str, Any]]],
    price: tuple[float | None, str],
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
    peak = _max_of(e.get("peak_rss_bytes") for e in extras)
    memory = min((m for m in map(_memory, (r for r, _ in entries)) if m), default=None)
    variant = declared.get("variant")
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
        peak_rss_bytes=int(peak) if peak is not None else None,
        memory_bytes=int(memory) if memory else None,
        cpu_percent=_median_of(e.get("cpu_percent") for e in extras),
        cpu_seconds=_median_of(e.get("cpu_seconds") for e in extras),
        steal_percent=_max_of(e.get("steal_percent") for e in extras),
        price_per_hour=price[0],
        price_kind=price[1],
        variant=str(variant) if isinstance(variant, str) else None,
        raw_rounds=raw if have_raw else [],
    )


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
    runs: Sequence[Run],
    prices: PriceTable,
    region: str,
    baseline: str | None = None,
    *,
    min_effect: float = DEFAULT_MIN_EFFECT,
) -> list[CaseResult]:
    """One result per case x instance, compared with ``baseline`` (default: the first).

    A difference within ``min_effect`` (a fraction: 0.03 is 3 %) is reported as "same".
    """
    if not (math.isfinite(min_effect) and 0 <= min_effect < 1):
        raise ConfigError(f"{min_effect!r} is not a fraction in [0, 1)", setting="min_effect")
    by_key: dict[tuple[str, str, str], list[tuple[Run, Mapping[str, Any]]]] = {}
    by_instance: dict[str, list[Run]] = {}
    for run in runs:
        by_instance.setdefault(run.instance, []).append(run)
        for bench in run.benchmarks:
            key = (str(bench.get("group") or ""), str(bench["name"]), run.instance)
            by_key.setdefault(key, []).append((run, bench))
    base = pick_baseline(runs, baseline)
    price = {i: instance_price(rs, prices, region) for i, rs in by_instance.items()}
    results = [
        _combine(g, c, i, entries, price[i]) for (g, c, i), entries in sorted(by_key.items())
    ]
    _speedups(results)
    index = {(r.group, r.case, r.instance): r for r in results}
    for r in results:
        ref = index.get((r.group, r.case, base))
        if ref is None or not r.median_s:
            continue
        r.ratio_to_baseline = ref.median_s / r.median_s
        if r.instance == base:
            r.is_baseline = True
            continue
        r.effect = effect(
            ref.raw_rounds,
            r.raw_rounds,
            r.ratio_to_baseline,
            min_effect=min_effect,
            label=f"{r.group}/{r.case}/{r.instance}",
        )
        r.p_value = mann_whitney_p(ref.raw_rounds, r.raw_rounds)
    return results
