"""Saved pytest-benchmark runs in, grouped by instance; unusable files skipped with a reason.

No file is trusted: each is checked against what the report reads from it before it is
used, and a file that falls short is skipped with one line naming the file and the
first thing wrong. A stockbench run is a pytest-benchmark JSON file with at least:

- ``machine_info``, an object with ``stockbench_version`` (a string): what tells a
  stockbench run from any other pytest-benchmark file. ``ec2_instance_type`` and
  ``ec2_region`` are strings or null; ``total_memory_bytes`` a number or null.
- ``benchmarks``, a non-empty list of objects, each with ``name`` (a non-empty string),
  ``group`` (a string or null), ``stats.median`` (a number >= 0), ``stats.data`` (absent,
  null or a list of numbers >= 0), and ``extra_info`` with ``job`` (a non-empty string),
  ``role`` (a string or null) and ``samples`` (a number >= 1). The other numbers the
  report reads from ``extra_info`` (``peak_rss_bytes``, ``cpu_percent``,
  ``steal_percent``, ``round_p90_s``, ``round_p99_s``) are numbers or null when present.

Every number must be finite (JSON's ``NaN`` and ``Infinity`` are refused).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stockbench.errors import clip

DEFAULT_REGION = "us-east-1"
SAVE_NAME = re.compile(r"^\d{4}_(?P<name>.+)\.json$")
INSTANCE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
# What reading a file can raise, and what it means; subclasses first.
READ_ERRORS: dict[type[Exception], str] = {
    FileNotFoundError: "no such file",
    OSError: "unreadable",
    UnicodeDecodeError: "not UTF-8 text",
    json.JSONDecodeError: "corrupt JSON",
    RecursionError: "JSON nested too deep",
    ValueError: "unreadable JSON",  # e.g. an integer of thousands of digits
}
OPTIONAL_NUMBERS = ("peak_rss_bytes", "cpu_percent", "steal_percent", "round_p90_s", "round_p99_s")


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


class _Bad(Exception):
    """What is wrong with a file, in one line."""


def _json_files(paths: Iterable[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(path.rglob("*.json")))
        else:
            found.append(path)
    return found


def _is_number(value: Any, low: float = -math.inf) -> bool:
    """A finite JSON number >= ``low`` (a bool is not one; nor is an int past 64 bits)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    if isinstance(value, int) and not -(2**63) <= value < 2**63:
        return False
    return math.isfinite(value) and value >= low


def _number(obj: Mapping[str, Any], key: str, where: str, *, low: float, required: bool) -> None:
    value = obj.get(key)
    if value is None and not required:
        return
    if not _is_number(value, low):
        shown = "missing" if key not in obj else f"{clip(json.dumps(value), 40)}"
        raise _Bad(f"{where}{key} is {shown}, not a finite number >= {low:g}")


def _string(obj: Mapping[str, Any], key: str, where: str, *, required: bool) -> None:
    value = obj.get(key)
    if value is None and not required:
        return
    if not isinstance(value, str) or not value:
        shown = "missing" if key not in obj else f"{clip(json.dumps(value), 40)}"
        raise _Bad(f"{where}{key} is {shown}, not a non-empty string")


def _object(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        what = "missing" if value is None else f"a {type(value).__name__}"
        raise _Bad(f"{where} is {what}, not an object")
    return value


def _check_benchmark(i: int, bench: Any) -> None:
    b = _object(bench, f"benchmarks[{i}]")
    _string(b, "name", f"benchmarks[{i}].", required=True)
    where = f"benchmarks[{i}] ({clip(b['name'], 40)})."
    _string(b, "group", where, required=False)
    stats = _object(b.get("stats"), f"{where}stats")
    if "median" not in stats:
        raise _Bad(f"{where}stats has no median (partial file?)")
    _number(stats, "median", f"{where}stats.", low=0, required=True)
    data = stats.get("data")
    if data is not None and (not isinstance(data, list) or not all(_is_number(x, 0) for x in data)):
        raise _Bad(f"{where}stats.data is not a list of finite numbers >= 0")
    extra = _object(b.get("extra_info"), f"{where}extra_info")
    _string(extra, "job", f"{where}extra_info.", required=True)
    _string(extra, "role", f"{where}extra_info.", required=False)
    _number(extra, "samples", f"{where}extra_info.", low=1, required=True)
    for key in OPTIONAL_NUMBERS:
        _number(extra, key, f"{where}extra_info.", low=-math.inf, required=False)


def _check_run(path: Path, doc: Any) -> Run:
    if not isinstance(doc, dict) or "benchmarks" not in doc:
        raise _Bad("not a pytest-benchmark file (no 'benchmarks')")
    benches = doc["benchmarks"]
    if not isinstance(benches, list) or not benches:
        raise _Bad("no benchmark results in it")
    info = doc.get("machine_info")
    if not isinstance(info, dict):
        raise _Bad("no machine_info: cannot tell which machine ran it")
    if not isinstance(info.get("stockbench_version"), str):
        raise _Bad("a pytest-benchmark file, but not stockbench's (no stockbench_version)")
    _string(info, "ec2_instance_type", "machine_info.", required=False)
    _string(info, "ec2_region", "machine_info.", required=False)
    _number(info, "total_memory_bytes", "machine_info.", low=0, required=False)
    for i, bench in enumerate(benches):
        _check_benchmark(i, bench)
    match = SAVE_NAME.match(path.name)
    instance = info.get("ec2_instance_type") or (match["name"] if match else path.stem)
    if not INSTANCE_NAME.match(instance):
        raise _Bad(f"instance name {clip(json.dumps(instance), 40)} is not one")
    return Run(path, instance, info, benches)


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except tuple(READ_ERRORS) as exc:
        meaning = next(m for kind, m in READ_ERRORS.items() if isinstance(exc, kind))
        detail = getattr(exc, "strerror", None) or exc
        raise _Bad(f"{meaning} ({clip(detail, 60)})") from exc


def load_runs(paths: Iterable[Path]) -> tuple[list[Run], list[Skipped]]:
    """Every usable run under ``paths``, and every other file skipped with its reason."""
    runs: list[Run] = []
    skipped: list[Skipped] = []
    for path in _json_files(paths):
        try:
            runs.append(_check_run(path, _read(path)))
        except _Bad as exc:
            skipped.append(Skipped(path, str(exc)))
    return runs, skipped


def pick_region(runs: Sequence[Run], explicit: str | None = None) -> str:
    """``explicit``, else the one region every run reported, else ``DEFAULT_REGION``."""
    if explicit:
        return explicit
    regions = {r.machine_info.get("ec2_region") for r in runs}
    only = regions.pop() if len(regions) == 1 else None
    return str(only) if only else DEFAULT_REGION
