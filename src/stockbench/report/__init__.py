"""Cross-instance report: saved pytest-benchmark runs in, one answer out.

``build_report(paths) -> Report`` groups runs by ``machine_info.ec2_instance_type``
(else the save name); several runs of one instance type become one result with its
spread. For each case and instance: median time, time per sample, p90/p99, samples/s,
peak RSS against the instance's memory, CPU %, steal %, $/hour and $ per 1M samples, the
ratio to a baseline instance and whether the difference is significant (Mann-Whitney U
on the saved raw rounds). Then a verdict per job. ``write_report`` writes it out.

- ``runs``     saved files in, checked; unusable ones skipped with a reason
- ``compare``  ``CaseResult`` per case x instance, ratios, significance, verdicts
- ``prices``   the dated price table and overrides
- ``render``   terminal table, Markdown, CSV
- ``charts``   PNG charts (matplotlib, imported only when drawing)
- ``summary``  one run against its own baselines (what ``stockbench bench`` prints)
- ``build``    the job: ``build_report`` and ``write_report``
"""

from stockbench.report.build import Report, build_report, write_report
from stockbench.report.compare import (
    BASELINE,
    HEADLINE,
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
    "BASELINE",
    "DEFAULT_REGION",
    "HEADLINE",
    "SIGNIFICANCE_ALPHA",
    "CaseResult",
    "PriceTable",
    "Report",
    "Run",
    "Skipped",
    "Verdict",
    "aggregate",
    "build_report",
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
    "write_report",
]
