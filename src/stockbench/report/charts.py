"""PNG charts of a report: per job the original study's four panels across instances
(total time, time per sample, memory, CPU %), and cost per unit of work.

Each instance keeps one colour across every chart. Figures are drawn with matplotlib's
object API (no pyplot state, no display). The functions return the data each bar was
drawn from, so tests can check what a chart shows without reading pixels.

Job and case names come from saved files, so they are never trusted: a chart's file
name is ``chart_names``' (``safe_stem``, unique, never ``cost.png``), always inside the
output folder, and text drawn from them has ``$`` escaped (matplotlib would read it as
mathtext and fail on what it cannot typeset).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from stockbench.files import atomic_write_bytes, safe_stem
from stockbench.report.compare import CaseResult
from stockbench.report.verdicts import headline_cases

Getter = Callable[[CaseResult], float | None]
COST_TITLE = "Cost per 1M samples (USD)"
COST_CHART = "cost.png"


def plain(text: str) -> str:
    """``text`` drawn as it is: no mathtext."""
    return text.replace("$", r"\$")


def chart_names(jobs: Sequence[str]) -> dict[str, str]:
    """A PNG file name per job: safe, unique (case-insensitively), never the cost chart's."""
    taken = {COST_CHART.casefold()}
    names: dict[str, str] = {}
    for job in jobs:
        stem = safe_stem(job, default="job")
        name, n = f"{stem}.png", 2
        while name.casefold() in taken:
            name, n = f"{stem}-{n}.png", n + 1
        taken.add(name.casefold())
        names[job] = name
    return names


def _mb(r: CaseResult) -> float | None:
    return None if r.peak_rss_bytes is None else r.peak_rss_bytes / 2**20


def time_unit(values_s: Sequence[float | None]) -> tuple[str, float]:
    """The unit that shows ``values_s`` as readable numbers: (name, seconds per unit)."""
    top = max((v for v in values_s if v is not None), default=1.0)
    for name, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if top >= scale:
            return name, scale
    return "ns", 1e-9


def panels(rows: Sequence[CaseResult]) -> tuple[tuple[str, Getter], ...]:
    """The original study's four panels, time ones in a unit that suits ``rows``."""
    run_unit, run_scale = time_unit([r.median_s for r in rows])
    sample_unit, sample_scale = time_unit([r.time_per_sample_s for r in rows])

    def per_sample(r: CaseResult) -> float | None:
        return None if r.time_per_sample_s is None else r.time_per_sample_s / sample_scale

    return (
        (f"Total time per run ({run_unit})", lambda r: r.median_s / run_scale),
        (f"Time per sample ({sample_unit})", per_sample),
        ("Peak memory (MB)", _mb),
        ("CPU use (%)", lambda r: r.cpu_percent),
    )


@dataclass(frozen=True)
class ChartData:
    path: Path
    title: str
    panels: Mapping[str, Mapping[str, float | None]]  # panel title -> instance -> value


def _save(fig: Figure, out: Path) -> None:
    buf = io.BytesIO()
    fig.savefig(buf, dpi=110, format="png")
    atomic_write_bytes(out, buf.getvalue())


def instance_colours(instances: Sequence[str]) -> dict[str, str]:
    palette = colormaps["tab10"]
    return {name: to_hex(palette(i % palette.N)) for i, name in enumerate(sorted(set(instances)))}


def _bars(
    ax: Axes, title: str, rows: Sequence[CaseResult], get: Getter, colours: Mapping[str, str]
) -> dict[str, float | None]:
    names = [r.instance for r in rows]
    values = [get(r) for r in rows]
    bars = ax.bar(
        [plain(n) for n in names],
        [0.0 if v is None else v for v in values],
        color=[colours[n] for n in names],
    )
    for bar, value in zip(bars, values, strict=True):
        label = "n/a" if value is None else f"{value:,.3g}"
        ax.annotate(
            label,
            (bar.get_x() + bar.get_width() / 2, bar.get_height()),
            ha="center",
            va="bottom",
            fontsize=8,
        )
    ax.set_title(plain(title), fontsize=10)
    ax.tick_params(axis="x", labelrotation=20, labelsize=8)
    ax.margins(y=0.15)
    return dict(zip(names, values, strict=True))


def job_chart(
    job: str, case: str, rows: Sequence[CaseResult], colours: Mapping[str, str], out: Path
) -> ChartData:
    fig = Figure(figsize=(10, 7), layout="constrained")
    axes = fig.subplots(2, 2)
    data = {
        title: _bars(ax, title, rows, get, colours)
        for ax, (title, get) in zip(axes.flat, panels(rows), strict=True)
    }
    title = f"{job}: {case}"
    fig.suptitle(plain(title))
    _save(fig, out)
    return ChartData(out, title, data)


def cost_chart(
    results: Sequence[CaseResult], cases: Mapping[str, str], colours: Mapping[str, str], out: Path
) -> ChartData | None:
    """Cost per unit of work for every job with at least one priced instance, or None."""
    priced = [
        job
        for job, case in cases.items()
        if any(
            r.case == case and r.job_label == job and r.cost_per_million_samples is not None
            for r in results
        )
    ]
    if not priced:
        return None
    ncols = min(3, len(priced))
    nrows = -(-len(priced) // ncols)
    fig = Figure(figsize=(4.5 * ncols, 3.8 * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    data = {}
    for ax, job in zip(axes.flat, priced, strict=False):
        rows = [r for r in results if r.case == cases[job] and r.job_label == job]
        data[job] = _bars(
            ax, f"{job}\n{COST_TITLE}", rows, lambda r: r.cost_per_million_samples, colours
        )
    for ax in list(axes.flat)[len(priced) :]:
        ax.set_visible(False)
    fig.suptitle("Cost per unit of work (on-demand price x time per sample)")
    _save(fig, out)
    return ChartData(out, "cost", data)


def render_charts(results: Sequence[CaseResult], out_dir: Path) -> list[ChartData]:
    out_dir.mkdir(parents=True, exist_ok=True)
    colours = instance_colours([r.instance for r in results])
    cases = headline_cases(results)
    names = chart_names(list(cases))
    charts = [
        job_chart(
            job,
            case,
            [r for r in results if r.case == case and r.job_label == job],
            colours,
            out_dir / names[job],
        )
        for job, case in cases.items()
    ]
    cost = cost_chart(results, cases, colours, out_dir / COST_CHART)
    return [*charts, cost] if cost else charts
