"""The report job: saved runs in, a ``Report`` out; ``write_report`` puts it on disk.

``build_report`` reads and compares; it writes nothing. ``write_report`` writes
``report.md``, ``report.csv`` and the PNG charts into one folder, each atomically.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from stockbench.errors import ConfigError, ParseError
from stockbench.files import atomic_write_text
from stockbench.report.compare import CaseResult, aggregate, pick_baseline
from stockbench.report.daily import RUNNING, DailyVerdict, daily_verdict
from stockbench.report.effect import DEFAULT_MIN_EFFECT
from stockbench.report.prices import PriceTable, load_prices
from stockbench.report.render import markdown, results_csv
from stockbench.report.runs import Run, Skipped, load_runs, pick_region
from stockbench.report.verdicts import Verdict, verdicts

# (region, instance types) -> prices to put over the table (e.g. the Price List API's)
PriceSource = Callable[[str, Sequence[str]], PriceTable]


@dataclass(frozen=True)
class Report:
    runs: Sequence[Run]
    skipped: Sequence[Skipped]
    results: Sequence[CaseResult]
    verdicts: Sequence[Verdict]
    daily: DailyVerdict | None
    prices: PriceTable
    region: str
    baseline: str
    min_effect: float

    @property
    def instances(self) -> list[str]:
        return sorted({r.instance for r in self.runs})

    @property
    def price_note(self) -> str:
        spot = sorted({r.instance for r in self.results if r.price_kind == "spot"})
        note = f"{self.region} on-demand, {self.prices.source} (as of {self.prices.as_of})"
        return note + (f"; spot price recorded by the run for {', '.join(spot)}" if spot else "")


def build_report(
    paths: Sequence[Path],
    *,
    prices: PriceTable | None = None,
    more_prices: PriceSource | None = None,
    region: str | None = None,
    baseline: str | None = None,
    targets_ms: Mapping[str, float] | None = None,
    min_effect: float = DEFAULT_MIN_EFFECT,
    deadline_s: float | None = None,
    daily_cost: str = RUNNING,
) -> Report:
    """Compare every readable run under ``paths``; unusable files are listed, not fatal.

    Raises ``ParseError`` when no file is a usable run, ``ConfigError`` for a
    ``baseline`` no run has, a target for a job no run has, or a bad number.
    """
    if deadline_s is not None and not (math.isfinite(deadline_s) and deadline_s > 0):
        raise ConfigError(f"{deadline_s!r} is not a number of seconds > 0", setting="deadline")
    runs, skipped = load_runs(paths)
    if not runs:
        where = ", ".join(map(str, paths))
        raise ParseError("no readable benchmark run", source=where, field="runs")
    prices = prices or load_prices()
    region = pick_region(runs, region)
    if more_prices is not None:
        prices = prices.merged(more_prices(region, sorted({r.instance for r in runs})))
    baseline = pick_baseline(runs, baseline)
    results = aggregate(runs, prices, region, baseline, min_effect=min_effect)
    return Report(
        runs=runs,
        skipped=skipped,
        results=results,
        verdicts=verdicts(results, targets_ms),
        daily=daily_verdict(results, deadline_s=deadline_s, targets_ms=targets_ms, mode=daily_cost),
        prices=prices,
        region=region,
        baseline=baseline,
        min_effect=min_effect,
    )


def write_report(report: Report, out: Path, *, charts: bool = True) -> list[Path]:
    """Write the report's files into ``out``; returns their paths, Markdown first."""
    drawn = []
    if charts:
        from stockbench.report.charts import render_charts  # matplotlib: only when drawing

        drawn = render_charts(report.results, out)
    md = out / "report.md"
    csv = out / "report.csv"
    atomic_write_text(
        md,
        markdown(
            report.results,
            report.verdicts,
            report.daily,
            {c.title: c.path.name for c in drawn},
            report.price_note,
            report.baseline,
            report.min_effect,
            report.skipped,
        ),
    )
    atomic_write_text(csv, results_csv(report.results))
    return [md, csv, *(c.path for c in drawn)]
