"""The report job: saved runs in, a ``Report`` out; ``write_report`` puts it on disk.

``build_report`` reads and compares; it writes nothing. ``write_report`` writes
``report.md``, ``report.csv`` and the PNG charts into one folder, each atomically.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from stockbench.errors import ParseError
from stockbench.files import atomic_write_text
from stockbench.report.compare import CaseResult, Verdict, aggregate, pick_baseline, verdicts
from stockbench.report.prices import PriceTable, load_prices
from stockbench.report.render import markdown, results_csv
from stockbench.report.runs import Run, Skipped, load_runs, pick_region


@dataclass(frozen=True)
class Report:
    runs: Sequence[Run]
    skipped: Sequence[Skipped]
    results: Sequence[CaseResult]
    verdicts: Sequence[Verdict]
    prices: PriceTable
    region: str
    baseline: str

    @property
    def instances(self) -> list[str]:
        return sorted({r.instance for r in self.runs})


def build_report(
    paths: Sequence[Path],
    *,
    prices: PriceTable | None = None,
    region: str | None = None,
    baseline: str | None = None,
    targets_ms: Mapping[str, float] | None = None,
) -> Report:
    """Compare every readable run under ``paths``; unusable files are listed, not fatal.

    Raises ``ParseError`` when no file is a usable run, ``ConfigError`` for a
    ``baseline`` that no run has.
    """
    runs, skipped = load_runs(paths)
    if not runs:
        where = ", ".join(map(str, paths))
        raise ParseError("no readable benchmark run", source=where, field="runs")
    prices = prices or load_prices()
    region = pick_region(runs, region)
    baseline = pick_baseline(runs, baseline)
    results = aggregate(runs, prices, region, baseline)
    return Report(runs, skipped, results, verdicts(results, targets_ms), prices, region, baseline)


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
            {c.title: c.path.name for c in drawn},
            report.prices,
            report.region,
            report.baseline,
            report.skipped,
        ),
    )
    atomic_write_text(csv, results_csv(report.results))
    return [md, csv, *(c.path for c in drawn)]
