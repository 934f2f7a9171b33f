"""Cross-instance report: saved pytest-benchmark runs in, one answer out.

Runs are grouped by ``machine_info.ec2_instance_type`` (else the save name); several
runs of one instance type become one result with its spread. For each case and
instance: median time, time per sample, p90/p99, samples/s, peak RSS against the
instance's memory, CPU %, steal %, $/hour and $ per 1M samples, the ratio to a baseline
instance, and whether the difference is significant (Mann-Whitney U on the saved raw
rounds; without them the report says it cannot tell). Then a verdict per job.
"""

from __future__ import annotations

import csv
import io
import json
import re
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from scipy.stats import mannwhitneyu

from stockbench.errors import ConfigError
from stockbench.runsummary import format_mb, format_seconds

SIGNIFICANCE_ALPHA = 0.05
DEFAULT_REGION = "us-east-1"
SAVE_NAME = re.compile(r"^\d{4}_(?P<name>.+)\.json$")
SWEEP_GROUPS = frozenset({"lstm_threads"})  # how a job scales, not a job of its own
# The case whose numbers answer "which instance for this job".
JOB_CASES = {
    "market": "test_market_snapshot_ranking",
    "parse": "test_parse_page",
    "lstm": "test_lstm_warm",
    "sentiment": "test_sentiment_int8",
}


# --- input ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    path: Path
    instance: str
    machine_info: Mapping[str, Any]
    benchmarks: Sequence[Mapping[str, Any]]


@dataclass(frozen=True)
class Skipped:
    path: Path
    reason: str

    def __str__(self) -> str:
        return f"skipped {self.path}: {self.reason}"


def _json_files(paths: Iterable[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(path.rglob("*.json")))
        else:
            found.append(path)
    return found


def _check_run(path: Path, doc: Any) -> Run | str:
    if not isinstance(doc, dict) or "benchmarks" not in doc:
        return "not a pytest-benchmark file (no 'benchmarks')"
    benches = doc["benchmarks"]
    if not isinstance(benches, list) or not benches:
        return "no benchmark results in it"
    info = doc.get("machine_info")
    if not isinstance(info, dict):
        return "no machine_info: cannot tell which machine ran it"
    for b in benches:
        if (
            not isinstance(b, dict)
            or not isinstance(b.get("stats"), dict)
            or "median" not in b["stats"]
        ):
            return "a benchmark entry has no stats.median (partial file?)"
    match = SAVE_NAME.match(path.name)
    instance = info.get("ec2_instance_type") or (match["name"] if match else path.stem)
    return Run(path, str(instance), info, benches)


def load_runs(paths: Iterable[Path]) -> tuple[list[Run], list[Skipped]]:
    """Every readable run under ``paths``, and every file skipped with its reason."""
    runs: list[Run] = []
    skipped: list[Skipped] = []
    for path in _json_files(paths):
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            skipped.append(Skipped(path, "no such file"))
            continue
        except (OSError, UnicodeDecodeError) as exc:
            skipped.append(Skipped(path, f"unreadable ({exc})"))
            continue
        except json.JSONDecodeError as exc:
            skipped.append(Skipped(path, f"corrupt JSON at line {exc.lineno} ({exc.msg})"))
            continue
        checked = _check_run(path, doc)
        if isinstance(checked, str):
            skipped.append(Skipped(path, checked))
        else:
            runs.append(checked)
    return runs, skipped


# --- prices ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PriceTable:
    regions: Mapping[str, Mapping[str, float]]
    source: str
    as_of: str

    def price(self, region: str, instance: str) -> float | None:
        return self.regions.get(region, {}).get(instance)


def pick_region(runs: Sequence[Run], explicit: str | None = None) -> str:
    """``explicit``, else the one region every run reported, else ``DEFAULT_REGION``."""
    if explicit:
        return explicit
    regions = {r.machine_info.get("ec2_region") for r in runs}
    only = regions.pop() if len(regions) == 1 else None
    return str(only) if only else DEFAULT_REGION


def load_prices(override: Path | None = None) -> PriceTable:
    """The bundled dated table, with ``override``'s entries (same JSON shape) on top."""
    base = json.loads(files("stockbench").joinpath("data/prices.json").read_text("utf-8"))
    regions: dict[str, dict[str, float]] = {r: dict(p) for r, p in base["regions"].items()}
    source, as_of = base["source"], base["as_of"]
    if override is not None:
        try:
            extra = json.loads(override.read_text(encoding="utf-8"))
            for region, prices in extra["regions"].items():
                for instance, usd in prices.items():
                    if isinstance(usd, bool) or not isinstance(usd, (int, float)) or usd <= 0:
                        raise ValueError(f"{region}/{instance}: price {usd!r} is not > 0")
                    regions.setdefault(region, {})[instance] = float(usd)
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ConfigError(f"--prices {override}: {exc}") from exc
        source = f"{source}; overridden by {override}"
        as_of = extra.get("as_of", as_of)
    return PriceTable(regions, source, as_of)


# --- aggregation ----------------------------------------------------------------------


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


def _quantile(data: Sequence[float], q: int) -> float:
    if len(data) < 2:
        return data[0]
    return statistics.quantiles(data, n=100, method="inclusive")[q - 1]


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
        p90_s=_quantile(raw, 90) if have_raw else _median_of(e.get("round_p90_s") for e in extras),
        p99_s=_quantile(raw, 99) if have_raw else _median_of(e.get("round_p99_s") for e in extras),
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


def aggregate(
    runs: Sequence[Run], prices: PriceTable, region: str, baseline: str | None = None
) -> list[CaseResult]:
    """One result per case x instance, compared with ``baseline`` (default: the first)."""
    by_key: dict[tuple[str, str, str], list[tuple[Run, Mapping[str, Any]]]] = {}
    for run in runs:
        for bench in run.benchmarks:
            key = (str(bench.get("group") or ""), str(bench["name"]), run.instance)
            by_key.setdefault(key, []).append((run, bench))
    instances = sorted({r.instance for r in runs})
    if baseline is not None and baseline not in instances:
        raise ConfigError(f"--baseline {baseline!r} is not among the runs: {', '.join(instances)}")
    base = baseline or instances[0]
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


# --- verdicts -------------------------------------------------------------------------


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


# --- output ---------------------------------------------------------------------------

CSV_FIELDS = (
    "group",
    "case",
    "instance",
    "runs",
    "median_s",
    "median_min_s",
    "median_max_s",
    "samples",
    "time_per_sample_s",
    "samples_per_s",
    "p90_s",
    "p99_s",
    "peak_rss_bytes",
    "memory_bytes",
    "fits_memory",
    "cpu_percent",
    "steal_percent",
    "price_usd_per_hour",
    "usd_per_million_samples",
    "ratio_to_baseline",
    "p_value",
    "significant",
)


def _csv_row(r: CaseResult) -> list[Any]:
    def f(v: Any) -> Any:
        return "" if v is None else v

    return [
        r.group,
        r.case,
        r.instance,
        r.runs,
        r.median_s,
        r.median_spread_s[0],
        r.median_spread_s[1],
        f(r.samples),
        f(r.time_per_sample_s),
        f(r.samples_per_s),
        f(r.p90_s),
        f(r.p99_s),
        f(r.peak_rss_bytes),
        f(r.memory_bytes),
        f(r.fits_memory),
        f(r.cpu_percent),
        f(r.steal_percent),
        f(r.price_per_hour),
        f(r.cost_per_million_samples),
        f(r.ratio_to_baseline),
        f(r.p_value),
        f(r.significant),
    ]


def results_csv(results: Sequence[CaseResult]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    writer.writerows(_csv_row(r) for r in results)
    return buf.getvalue()


def _cell_values(r: CaseResult) -> list[str]:
    spread = (
        ""
        if r.runs == 1
        else f" ({format_seconds(r.median_spread_s[0])}-{format_seconds(r.median_spread_s[1])})"
    )
    fits = " (too big)" if r.fits_memory is False else ""
    return [
        r.instance,
        f"{r.runs}",
        format_seconds(r.median_s) + spread,
        format_seconds(r.time_per_sample_s),
        format_seconds(r.p90_s),
        format_seconds(r.p99_s),
        "-" if r.samples_per_s is None else f"{r.samples_per_s:,.1f}",
        format_mb(r.peak_rss_bytes) + fits,
        "-" if r.cpu_percent is None else f"{r.cpu_percent:.0f}",
        "-" if r.steal_percent is None else f"{r.steal_percent:.1f}",
        "no price" if r.price_per_hour is None else f"${r.price_per_hour:.4f}",
        "-" if r.cost_per_million_samples is None else f"${r.cost_per_million_samples:.4f}",
        "-" if r.ratio_to_baseline is None else f"{r.ratio_to_baseline:.2f}x",
        r.significance,
    ]


TABLE_HEAD = [
    "instance",
    "runs",
    "median (spread)",
    "per sample",
    "p90",
    "p99",
    "samples/s",
    "peak RSS",
    "CPU %",
    "steal %",
    "$/hour",
    "$/1M samples",
    "vs baseline",
    "significant",
]


def _by_case(results: Sequence[CaseResult]) -> dict[tuple[str, str], list[CaseResult]]:
    out: dict[tuple[str, str], list[CaseResult]] = {}
    for r in results:
        out.setdefault((r.group, r.case), []).append(r)
    return out


def terminal_table(results: Sequence[CaseResult]) -> str:
    lines = []
    for (group, case), rows in _by_case(results).items():
        cells = [TABLE_HEAD] + [_cell_values(r) for r in rows]
        widths = [max(len(row[i]) for row in cells) for i in range(len(TABLE_HEAD))]
        lines.append(f"\n[{group}] {case}")
        for row in cells:
            lines.append(
                "  ".join(
                    v.ljust(w) if i == 0 else v.rjust(w)
                    for i, (v, w) in enumerate(zip(row, widths, strict=True))
                )
            )
    return "\n".join(lines)


def verdict_lines(vs: Sequence[Verdict]) -> list[str]:
    out = []
    for v in vs:
        target = (
            f"cheapest within {v.target_ms:g} ms and in memory"
            if v.target_ms
            else "cheapest that fits in memory"
        )
        out.append(
            f"{v.job}: fastest {v.fastest or '-'}; cheapest per unit of work "
            f"{v.cheapest or 'no price'}; {target}: {v.cheapest_meeting_target or '-'} "
            f"({v.why}) [{v.case}]"
        )
    return out


def markdown(
    results: Sequence[CaseResult],
    vs: Sequence[Verdict],
    charts: Mapping[str, str],
    prices: PriceTable,
    region: str,
    baseline: str,
    skipped: Sequence[Skipped],
) -> str:
    parts = [
        "# stockbench: which instance, for the money",
        "",
        f"Baseline instance: **{baseline}**. Prices: {region}, {prices.source} "
        f"(as of {prices.as_of}). Significance: Mann-Whitney U on raw rounds, "
        f"p < {SIGNIFICANCE_ALPHA}.",
        "",
        "## Verdicts",
        "",
    ]
    parts += [f"- {line}" for line in verdict_lines(vs)]
    for (group, case), rows in _by_case(results).items():
        parts += [
            "",
            f"## {group}: `{case}`",
            "",
            "| " + " | ".join(TABLE_HEAD) + " |",
            "|" + "---|" * len(TABLE_HEAD),
        ]
        parts += ["| " + " | ".join(_cell_values(r)) + " |" for r in rows]
    if charts:
        parts += ["", "## Charts", ""]
        parts += [f"![{name}]({path})" for name, path in charts.items()]
    if skipped:
        parts += ["", "## Files skipped", ""] + [f"- `{s.path}`: {s.reason}" for s in skipped]
    return "\n".join(parts) + "\n"
