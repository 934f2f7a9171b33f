"""The daily run: the three jobs as a cron job runs them, each in a fresh process.

``daily_run(endpoints, ...) -> DailyRun``: the market snapshot (ranking), the LSTM and the
news mood, each through ``coldstart.run_fresh`` (its own interpreter: import, load, one
result), with its wall time, CPU-seconds and peak memory. With the ONNX backend the LSTM
and the news mood run their cached exports and no process imports torch; a missing or
stale export is made first, once (that step does need torch). The headlines are fetched
here and handed to the job as a file; the market job makes its own requests, as the real
one would.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stockbench.coldstart import run_fresh
from stockbench.errors import StockbenchError
from stockbench.net import YONHAP_FEEDS, Endpoints, HttpClient
from stockbench.news.feed import DEFAULT_LIMIT
from stockbench.news.models import REPLICA

# job, its variant per backend, what a person calls it
JOBS = (
    ("market", {"onnx": "ranking", "torch": "ranking"}, "market snapshot"),
    ("lstm", {"onnx": "onnx", "torch": "torch"}, "LSTM"),
    ("sentiment", {"onnx": "onnx", "torch": "int8"}, "news mood"),
)
CREDIT_CPU_S = 60.0  # an EC2 CPU credit: one vCPU at 100 % for one minute


@dataclass
class DailyRun:
    backend: str
    jobs: list[dict[str, Any]] = field(default_factory=list)  # coldstart reports + "name"
    failures: list[str] = field(default_factory=list)  # "<job>: <reason>"

    @property
    def wall_s(self) -> float:
        return sum(float(r["process_wall_s"]) for r in self.jobs)

    @property
    def cpu_s(self) -> float:
        return sum(float(r["process_cpu_s"]) for r in self.jobs)

    @property
    def peak_rss_bytes(self) -> int | None:
        return max((int(r["peak_rss_bytes"]) for r in self.jobs), default=None)

    @property
    def cpu_credits(self) -> float:
        return self.cpu_s / CREDIT_CPU_S

    @property
    def warnings(self) -> list[str]:
        found = {r["result"].get("warning") for r in self.jobs if r["job"] == "sentiment"}
        return sorted(w for w in found if w)

    def to_json(self) -> dict[str, Any]:
        return {"backend": self.backend, "jobs": self.jobs, "failed": self.failures}


def prepare_exports(
    backend: str, model: str, progress: Callable[[str], None] | None = None
) -> None:
    """Make the exports the ONNX jobs need, once; torch is imported only if one is made."""
    if backend != "onnx":
        return
    from stockbench.lstm.onnx_runtime import ensure_lstm_export  # noqa: PLC0415
    from stockbench.news.onnx_runtime import ensure_export  # noqa: PLC0415

    ensure_lstm_export(progress=progress)
    ensure_export(model, progress=progress)


def daily_run(
    endpoints: Endpoints,
    *,
    backend: str = "onnx",
    model: str = REPLICA,
    feed: str = "latest",
    limit: int = DEFAULT_LIMIT,
    companies: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> DailyRun:
    """Run the three jobs against ``endpoints``; a job that fails is listed, not fatal."""
    if limit < 1 or (companies is not None and companies < 1):
        raise ValueError(f"limit and companies must be >= 1, got {limit} and {companies}")
    prepare_exports(backend, model, progress)
    run = DailyRun(backend)
    env = dict(os.environ)
    if endpoints.origin:
        env["STOCKBENCH_ORIGIN"] = endpoints.origin
    with tempfile.TemporaryDirectory() as tmp:
        feed_file = Path(tmp) / "feed.xml"
        with HttpClient(endpoints=endpoints) as client:
            feed_file.write_bytes(client.get(YONHAP_FEEDS[feed]))
        options: dict[str, dict[str, Any]] = {
            "market": {"samples": companies},
            "lstm": {},
            "sentiment": {"samples": limit, "model": model, "feed_file": feed_file},
        }
        for job, variant, name in JOBS:
            try:
                report = run_fresh(job, variant[backend], env=env, **options[job])
            except StockbenchError as exc:
                run.failures.append(f"{name}: {exc}")
            else:
                run.jobs.append({**report, "name": name})
    return run
