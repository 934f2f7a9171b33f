"""Saved runs in pytest-benchmark's format, for report tests: four instance types with
roughly the t4g/t2/m5/c6g speed and memory relations, seeded, raw rounds optional."""

from __future__ import annotations

import json
import random
import statistics
from pathlib import Path
from typing import Any

from stockbench.report import aggregate, load_prices, load_runs, pick_region

GIB = 2**30
# instance -> (memory, speed factor): what a t4g/t2/m5/c6g comparison roughly looks like
INSTANCES = {
    "t4g.micro": (1 * GIB, 1.6),
    "t2.micro": (1 * GIB, 2.2),
    "m5.large": (8 * GIB, 1.0),
    "c6g.medium": (2 * GIB, 1.3),
}
# name -> (group, role, base seconds per round, samples, peak RSS). The names are made
# up on purpose: the report must go by the declared role, never by a test's name.
CASES = {
    "case_bulk": ("market", "headline", 9.6, 2768, 480 * 2**20),
    "case_crawl": ("market", "baseline", 18.5, 40, 500 * 2**20),
    "case_warm": ("lstm", "headline", 0.0055, 1024, 470 * 2**20),
    "case_int8": ("sentiment", "headline", 0.65, 100, 640 * 2**20),
    "case_fp32": ("sentiment", None, 2.0, 100, 1050 * 2**20),
}


def bench_entry(
    name: str,
    group: str,
    rounds: list[float],
    samples: int,
    peak: int,
    with_data: bool,
    role: str | None = None,
) -> dict[str, Any]:
    med = statistics.median(rounds)
    stats = {
        "min": min(rounds),
        "max": max(rounds),
        "mean": statistics.fmean(rounds),
        "stddev": statistics.pstdev(rounds),
        "rounds": len(rounds),
        "median": med,
        "iqr": 0.0,
        "q1": med,
        "q3": med,
        "iqr_outliers": 0,
        "stddev_outliers": 0,
        "outliers": "0;0",
        "ld15iqr": min(rounds),
        "hd15iqr": max(rounds),
        "ops": 1 / statistics.fmean(rounds),
        "total": sum(rounds),
        "iterations": 1,
    }
    if with_data:
        stats["data"] = rounds
    return {
        "group": group,
        "name": name,
        "fullname": f"benchmarks/x.py::{name}",
        "params": None,
        "param": None,
        "options": {"timer": "perf_counter", "warmup": False},
        "extra_info": {
            "job": group,
            "role": role,
            "samples": samples,
            "time_per_sample_s": med / samples,
            "samples_per_s": samples / med,
            "cpu_percent": 150.0,
            "rss_before_bytes": peak // 2,
            "peak_rss_bytes": peak,
            "steal_percent": 0.5,
            "threads": 2,
            "round_p50_s": med,
            "round_p90_s": max(rounds),
            "round_p99_s": max(rounds),
        },
        "stats": stats,
    }


def saved_run(
    instance: str,
    *,
    seed: int = 0,
    with_data: bool = True,
    region: str = "us-east-1",
    scale: float = 1.0,
) -> dict[str, Any]:
    memory, factor = INSTANCES[instance]
    rng = random.Random(f"{instance}-{seed}")
    benches = []
    for name, (group, role, base, samples, peak) in CASES.items():
        rounds = [base * factor * scale * rng.uniform(0.97, 1.03) for _ in range(7)]
        benches.append(bench_entry(name, group, rounds, samples, peak, with_data, role))
    return {
        "machine_info": {
            "node": "x",
            "ec2_instance_type": instance,
            "ec2_region": region,
            "total_memory_bytes": memory,
            "cpu_architecture": "aarch64",
            "stockbench_version": "0.1.0",
        },
        "commit_info": {},
        "benchmarks": benches,
        "datetime": "2026-11-26T00:00:00",
        "version": "5.2.3",
    }


def write_runs(folder: Path, runs: dict[str, dict[str, Any]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i, (name, doc) in enumerate(runs.items(), start=1):
        (folder / f"{i:04d}_{name}.json").write_text(json.dumps(doc))
    return folder


def results_for(folder: Path, baseline: str | None = "m5.large", **kw: Any) -> list[Any]:
    runs, skipped = load_runs([folder])
    assert skipped == []
    return aggregate(runs, load_prices(), pick_region(runs), baseline, **kw)
