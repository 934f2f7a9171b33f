"""Saved pytest-benchmark runs in, grouped by instance; unusable files skipped with a reason."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_REGION = "us-east-1"
SAVE_NAME = re.compile(r"^\d{4}_(?P<name>.+)\.json$")


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


def pick_region(runs: Sequence[Run], explicit: str | None = None) -> str:
    """``explicit``, else the one region every run reported, else ``DEFAULT_REGION``."""
    if explicit:
        return explicit
    regions = {r.machine_info.get("ec2_region") for r in runs}
    only = regions.pop() if len(regions) == 1 else None
    return str(only) if only else DEFAULT_REGION
