"""Cross-instance report: saved pytest-benchmark runs in, one answer out.

``build_report(paths) -> Report`` groups runs by ``machine_info.ec2_instance_type``
(else the save name); several runs of one instance type become one result with its
spread. For each case and instance: median time, time per sample, p90/p99, samples/s,
peak RSS against the instance's memory, CPU %, steal %, $/hour and $ per 1M samples, the
ratio to a baseline instance with its confidence interval from the saved raw rounds
("same" when it is within a practical threshold). Then a verdict per job and the
daily-jobs verdict. ``write_report`` writes it out.

- ``runs``     saved files in, checked; unusable ones skipped with a reason
- ``compare``  ``CaseResult`` per case x instance: spread, memory, price, ratios
- ``effect``   how big a difference is: ratio with a bootstrap interval, "same" within 3 %
- ``verdicts`` per job: fastest, cheapest per unit of work, cheapest within a target
- ``daily``    the three daily jobs from cold: monthly cost, cost per run, CPU credits
- ``prices``   the dated price table and overrides; ``awsprices`` the Price List API
- ``render``   terminal table, Markdown, CSV
- ``charts``   PNG charts (matplotlib, imported only when drawing)
- ``summary``  one run against its own baselines (what ``stockbench bench`` prints)
- ``build``    the job: ``build_report`` and ``write_report``
"""

from stockbench.report.build import Report, build_report, write_report
from stockbench.report.compare import BASELINE, HEADLINE, CaseResult, aggregate, pick_baseline
from stockbench.report.daily import DailyVerdict, daily_verdict
from stockbench.report.effect import Effect, effect, mann_whitney_p
from stockbench.report.prices import PriceTable, load_prices
from stockbench.report.render import (
    daily_lines,
    markdown,
    results_csv,
    terminal_table,
    verdict_lines,
)
from stockbench.report.runs import DEFAULT_REGION, Run, Skipped, load_runs, pick_region
from stockbench.report.verdicts import Verdict, headline_cases, parse_targets, verdicts

__all__ = [
    "BASELINE",
    "DEFAULT_REGION",
    "HEADLINE",
    "CaseResult",
    "DailyVerdict",
    "Effect",
    "PriceTable",
    "Report",
    "Run",
    "Skipped",
    "Verdict",
    "aggregate",
    "build_report",
    "daily_lines",
    "daily_verdict",
    "effect",
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
