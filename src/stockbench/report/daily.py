"""The daily-jobs verdict: what running the three jobs once a day costs on each instance.

A user runs the market snapshot, the LSTM and the news mood once a day, each from a
cold process (a cron job). The cold-start group measures exactly that: for each
instance, the daily run is the sum of each cold job's headline case (its time and
CPU-seconds) and the largest of their peaks. Then, per instance:

- cost kept running: price x 730 h a month, plus surplus credits if any (below);
- cost launched for the run: per-second billing with a 60 s minimum;
- on burstable types (``data/burstable.json``): the CPU credits the run spends (one
  credit = one vCPU-minute at 100 %) against what the type earns in a day. Past that, a
  *standard* type (t2's default) is throttled to its baseline; an *unlimited* one
  (t3, t3a, t4g) pays for the surplus per vCPU-hour.

The verdict names the cheapest instance that finishes within the deadline, fits in the
memory it had free and does not run out of credits, and why each cheaper one did not.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from stockbench.data import burstable_text
from stockbench.report.compare import CaseResult, fits
from stockbench.report.verdicts import headline_cases, rows_of
from stockbench.units import format_mb

COLD_GROUP = "cold_start"
HOURS_PER_MONTH = 730
DAYS_PER_MONTH = HOURS_PER_MONTH / 24
MIN_BILLED_S = 60
STANDARD, UNLIMITED = "standard", "unlimited"
RUNNING, LAUNCHED = "running", "launched"


@dataclass(frozen=True, slots=True)
class BurstSpec:
    vcpus: int
    credits_per_hour: float
    baseline_percent: float
    mode: str  # the type's default credit mode
    surplus_usd_per_vcpu_hour: float


@cache
def burstable_specs() -> dict[str, BurstSpec]:
    doc = json.loads(burstable_text())
    out = {}
    for name, spec in doc["types"].items():
        family = doc["families"][name.split(".", 1)[0]]
        out[name] = BurstSpec(
            int(spec["vcpus"]),
            float(spec["credits_per_hour"]),
            float(spec["baseline_percent"]),
            str(family["default_mode"]),
            float(family["surplus_usd_per_vcpu_hour"]),
        )
    return out


@dataclass(frozen=True, slots=True)
class Credits:
    spent_per_day: float
    earned_per_day: float
    mode: str
    surplus_usd_per_month: float  # unlimited mode, kept running

    @property
    def sustainable(self) -> bool:
        return self.spent_per_day <= self.earned_per_day

    def describe(self) -> str:
        use = f"{self.spent_per_day:.3g} of {self.earned_per_day:.3g} credits/day"
        if self.sustainable:
            return f"sustainable ({use})"
        if self.mode == STANDARD:
            return f"runs out ({use}): throttled to baseline ({STANDARD} mode)"
        return f"over baseline ({use}): surplus ${self.surplus_usd_per_month:.2f}/month"


def credit_use(spec: BurstSpec, cpu_seconds_per_day: float) -> Credits:
    """Credits a daily run of ``cpu_seconds_per_day`` spends against a day's earnings."""
    spent = cpu_seconds_per_day / 60
    earned = spec.credits_per_hour * 24
    surplus_vcpu_hours = max(0.0, spent - earned) / 60 * DAYS_PER_MONTH
    surplus = surplus_vcpu_hours * spec.surplus_usd_per_vcpu_hour if spec.mode == UNLIMITED else 0
    return Credits(spent, earned, spec.mode, surplus)


@dataclass(frozen=True)
class DailyRow:
    instance: str
    missing: tuple[str, ...]  # cold jobs this instance has no run of
    time_s: float
    cpu_seconds: float | None
    peak_rss_bytes: int | None
    memory_bytes: int | None
    price_per_hour: float | None
    price_kind: str
    credits: Credits | None
    over_target: tuple[str, ...]  # jobs slower than their --target-ms

    @property
    def fits_memory(self) -> bool | None:
        return fits(self.peak_rss_bytes, self.memory_bytes)

    @property
    def monthly_running_usd(self) -> float | None:
        if self.price_per_hour is None:
            return None
        surplus = self.credits.surplus_usd_per_month if self.credits else 0.0
        return self.price_per_hour * HOURS_PER_MONTH + surplus

    @property
    def launched_usd_per_day(self) -> float | None:
        if self.price_per_hour is None:
            return None
        return self.price_per_hour * max(MIN_BILLED_S, self.time_s) / 3600


@dataclass(frozen=True)
class DailyVerdict:
    jobs: tuple[str, ...]
    rows: tuple[DailyRow, ...]  # cheapest first (by the chosen cost), unpriced last
    mode: str
    deadline_s: float | None
    pick: str | None
    ruled_out: Mapping[str, str]  # instance -> why, for every instance not picked

    def cost(self, row: DailyRow) -> float | None:
        if self.mode == LAUNCHED:
            per_day = row.launched_usd_per_day
            return None if per_day is None else per_day * DAYS_PER_MONTH
        return row.monthly_running_usd


def _row(
    instance: str, cases: Mapping[str, CaseResult | None], targets_ms: Mapping[str, float]
) -> DailyRow:
    have = [c for c in cases.values() if c is not None]
    cpu = [c.cpu_seconds for c in have]
    peaks = [c.peak_rss_bytes for c in have if c.peak_rss_bytes is not None]
    memories = [c.memory_bytes for c in have if c.memory_bytes is not None]
    cpu_s = sum(x for x in cpu if x is not None) if have and None not in cpu else None
    spec = burstable_specs().get(instance)
    return DailyRow(
        instance=instance,
        missing=tuple(job for job, c in cases.items() if c is None),
        time_s=sum(c.median_s for c in have),
        cpu_seconds=cpu_s,
        peak_rss_bytes=max(peaks) if peaks else None,
        memory_bytes=min(memories) if memories else None,
        price_per_hour=have[0].price_per_hour if have else None,
        price_kind=have[0].price_kind if have else "",
        credits=credit_use(spec, cpu_s) if spec and cpu_s is not None else None,
        over_target=tuple(
            job
            for job, c in cases.items()
            if c is not None and job in targets_ms and c.median_s * 1000 > targets_ms[job]
        ),
    )


def _why_not(row: DailyRow, deadline_s: float | None) -> str | None:
    """Why ``row``'s instance cannot be the answer, or None if it can."""
    if row.missing:
        return f"no cold run of {', '.join(row.missing)}"
    if row.price_per_hour is None:
        return "no price"
    if row.fits_memory is False:
        need, free = format_mb(row.peak_rss_bytes), format_mb(row.memory_bytes)
        return f"needs {need} of memory, had {free} free"
    if deadline_s is not None and row.time_s > deadline_s:
        return f"takes {row.time_s:.3g} s, over the {deadline_s:g} s deadline"
    if row.over_target:
        return f"{', '.join(row.over_target)} over its --target-ms"
    if row.credits and not row.credits.sustainable and row.credits.mode == STANDARD:
        return row.credits.describe()
    return None


def daily_verdict(
    results: Sequence[CaseResult],
    *,
    deadline_s: float | None = None,
    targets_ms: Mapping[str, float] | None = None,
    mode: str = RUNNING,
) -> DailyVerdict | None:
    """The verdict over the cold-start group's headline cases; None without that group."""
    if mode not in (RUNNING, LAUNCHED):
        raise ValueError(f"mode must be {RUNNING!r} or {LAUNCHED!r}, got {mode!r}")
    heads = {
        job: case
        for job, case in headline_cases(results).items()
        if job.startswith(f"{COLD_GROUP}:")
    }
    if not heads:
        return None
    instances = sorted({r.instance for r in results if r.group == COLD_GROUP})
    by = {(job, r.instance): r for job, case in heads.items() for r in rows_of(results, job, case)}
    rows = [
        _row(i, {job: by.get((job, i)) for job in heads}, dict(targets_ms or {})) for i in instances
    ]
    draft = DailyVerdict(tuple(heads), (), mode, deadline_s, None, {})
    inf = float("inf")
    rows.sort(key=lambda r: (draft.cost(r) or inf, r.instance))
    reasons = {r.instance: _why_not(r, deadline_s) for r in rows}
    pick = next((r.instance for r in rows if reasons[r.instance] is None), None)
    ruled_out = {i: why for i, why in reasons.items() if why is not None}
    return DailyVerdict(tuple(heads), tuple(rows), mode, deadline_s, pick, ruled_out)
