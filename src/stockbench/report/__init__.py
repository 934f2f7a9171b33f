"""Cross-instance report: saved pytest-benchmark runs in, one answer out.

Runs are grouped by ``machine_info.ec2_instance_type`` (else the save name); several
runs of one instance type become one result with its spread. For each case and
instance: median time, time per sample, p90/p99, samples/s, peak RSS against the
instance's memory, CPU %, steal %, $/hour and $ per 1M samples, the ratio to a baseline
instance, and whether the difference is significant (Mann-Whitney U on the saved raw
rounds; without them the report says it cannot tell). Then a verdict per job.
"""

from __future__ import annotations

from stockbench.report.compare import (
    JOB_CASES,
    SIGNIFICANCE_ALPHA,
    CaseResult,
    Verdict,
    aggregate,
    headline_cases,
    mann_whitney_p,
    parse_targets,
    pick_baseline,
    verdicts,
)
from stockbench.report.prices import PriceTable, load_prices
from stockbench.report.render import markdown, results_csv, terminal_table, verdict_lines
from stockbench.report.runs import DEFAULT_REGION, Run, Skipped, load_runs, pick_region

__all__ = [
    "DEFAULT_REGION",
    "JOB_CASES",
    "SIGNIFICANCE_ALPHA",
    "CaseResult",
    "PriceTable",
    "Run",
    "Skipped",
    "Verdict",
    "aggregate",
    "headline_cases",
    "load_prices",
    "load_runs",
    "mann_whitney_p",
    "markdown",
    "parse_targets",
    "pick_baseline",
    "pick_region",
    "results_csv",
    "terminal_table",
    "verdict_lines",
    "verdicts",
]
