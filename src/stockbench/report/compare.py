"""Case x instance results with spread, ratio to a baseline instance and significance
(Mann-Whitney U on raw rounds), then a verdict per job."""

from __future__ import annotations

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
SWEEP_GROUPS = frozenset({"lstm_threads"})  # how a job scales, not a job of its own
# The case whose numbers answer "which instance for this job".
JOB_CASES = {
    "market": "test_market_snapshot_ranking",
    "parse": "test_parse_page",
    "lstm": "test_lstm_warm",
    "sentiment": "test_sentiment_int8",
}


@dataclass
class CaseResult:
    group: str
    case: str
    instance: str
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
    ratio_to_baseline: float | None = None  # baseline median / this median: >1 is faster
    p_value: float | None = None
    significant: bool | None = None  # None: cannot tell (no raw rounds)
    is_baseline: bool = False

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
        raise ConfigError(f"--baseline {explicit!r} is not among the runs: {', '.join(instances)}")
    return explicit or instances[0]


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
    """Job -> the case that answers it: ``JOB_CASES`` for the known groups, each cold
    start on its own, the first non-baseline case of any other group; sweeps excluded."""
    out: dict[str, str] = {}
    for r in results:
        if r.group in SWEEP_GROUPS:
            continue
        if r.group == "cold_start":
            out[r.case.removeprefix("test_")] = r.case
            continue
        if r.group in out:
            continue
        names = [x.case for x in results if x.group == r.group]
        wanted = JOB_CASES.get(r.group)
        out[r.group] = (
            wanted
            if wanted in names
            else next((n for n in names if "_original" not in n), names[0])
        )
    return out


def verdicts(
    results: Sequence[CaseResult], targets_ms: Mapping[str, float] | None = None
) -> list[Verdict]:
    targets = dict(targets_ms or {})
    out = []
    for job, case in headline_cases(results).items():
        rows = [r for r in results if r.case == case]
        fastest = min(rows, key=lambda r: r.median_s).instance if rows else None
        priced = [r for r in rows if r.cost_per_million_samples is not None]
        cheapest = (
            min(priced, key=lambda r: r.cost_per_million_samples or 0).instance if priced else None
        )
        target = targets.get(case, targets.get(job))
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
    targets = {}
    for item in items:
        case, sep, value = item.partition("=")
        try:
            ms = float(value)
        except ValueError:
            ms = -1.0
        if not sep or not case or ms <= 0:
            raise ConfigError(f"--target-ms {item!r}: expected CASE=MILLISECONDS, e.g. lstm=10")
        targets[case] = ms
    return targets
