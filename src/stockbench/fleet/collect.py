"""Bringing a run's results home: one folder per instance type, each file checked against
the checksum in its status record, then the cross-instance report written over them.

``OUT/<type>/`` holds the saved pytest-benchmark JSON under its own name
(``0001_<type>.json``), ``bench.log`` and ``status.json``. A spot run's results carry
the spot price the controller saw at launch in ``machine_info.ec2_spot_price_usd_per_hour``.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from stockbench.files import atomic_write_bytes
from stockbench.fleet.aws import Aws
from stockbench.fleet.manifest import Manifest, TypeRecord, save_local
from stockbench.fleet.storage import get_bytes, type_key

RESULT_NAME = re.compile(r"^[A-Za-z0-9_.-]+\.json$")
SPOT_KEY = "ec2_spot_price_usd_per_hour"


@dataclass(frozen=True)
class Collected:
    instance_type: str
    result: Path | None  # the verified result file, when there is one
    problem: str = ""  # why there is no (trustworthy) result
    install_s: float | None = None
    bench_s: float | None = None


def _write(path: Path, data: bytes) -> None:
    atomic_write_bytes(path, data)  # byte for byte: what the checksum was taken over


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _with_spot_price(data: bytes, price: float) -> bytes:
    doc = json.loads(data)
    doc.setdefault("machine_info", {})[SPOT_KEY] = price
    return (json.dumps(doc, indent=4) + "\n").encode("utf-8")


def collect_type(aws: Aws, manifest: Manifest, record: TypeRecord, out: Path) -> Collected:
    name = record.instance_type
    if record.not_launched:
        return Collected(name, None, f"not launched: {record.not_launched}")
    s3 = aws.client("s3", manifest.bucket_region)
    raw_status = get_bytes(s3, manifest.bucket, type_key(manifest.run_id, name, "status"))
    if raw_status is None:
        return Collected(name, None, "no status record: the instance never reported")
    try:
        status: dict[str, Any] = json.loads(raw_status)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return Collected(name, None, "the status record is not JSON")
    folder = out / name
    _write(folder / "status.json", raw_status)
    phases = status.get("phases_s") or {}
    found = Collected(name, None, "", phases.get("install"), phases.get("bench"))
    log = get_bytes(s3, manifest.bucket, type_key(manifest.run_id, name, "log"))
    if log is not None and _sha256(log) == status.get("log_sha256"):
        _write(folder / "bench.log", log)
    elif log is not None:
        _write(folder / "bench.log.unverified", log)
    expected = status.get("result_sha256")
    if not expected:
        phase = status.get("failed_phase") or status.get("phase")
        return replace(found, problem=f"no result uploaded (phase {phase})")
    data = get_bytes(s3, manifest.bucket, type_key(manifest.run_id, name, "result"))
    if data is None:
        return replace(found, problem="the status record names a result that is not in S3")
    if _sha256(data) != expected:
        return replace(found, problem="the result does not match its checksum: not used")
    result_name = str(status.get("result_name") or "")
    if not RESULT_NAME.match(result_name):
        result_name = f"0001_{name}.json"
    if manifest.spot and record.spot_price_usd_per_hour is not None:
        data = _with_spot_price(data, record.spot_price_usd_per_hour)
    _write(folder / result_name, data)
    return replace(found, result=folder / result_name)


def collect_run(aws: Aws, manifest: Manifest, out: Path) -> list[Collected]:
    return [collect_type(aws, manifest, record, out) for record in manifest.types]


def collect_and_report(aws: Aws, manifest: Manifest, out: Path) -> tuple[list[str], int]:
    """Collect every type into ``out`` and report over the verified results; the lines to
    show and how many results came home."""
    lines = [f"\nCollecting into {out}/"]
    collected = collect_run(aws, manifest, out)
    for item in collected:
        times = (
            f" (install {item.install_s:.0f} s, bench {item.bench_s:.0f} s)"
            if item.install_s is not None and item.bench_s is not None
            else ""
        )
        got = item.result if item.result else f"nothing: {item.problem}"
        lines.append(f"  {item.instance_type}: {got}{times}")
    results = [c.result for c in collected if c.result]
    if results:
        # the baseline: the first type as the user listed them that came home
        first = next(c.instance_type for c in collected if c.result)
        lines.extend(["", *build_report(results, out, manifest.region, first)])
    manifest.collected_to = str(out)
    save_local(manifest)
    return lines, len(results)


def build_report(results: list[Path], out: Path, region: str, baseline: str) -> list[str]:
    """The cross-instance report over ``results`` into ``out``, as ``stockbench report``
    writes it; returns what to print."""
    from stockbench import report
    from stockbench.errors import StockbenchError

    try:
        built = report.build_report(results, region=region)
        if baseline in built.instances and baseline != built.baseline:
            built = report.build_report(results, region=region, baseline=baseline)
    except StockbenchError as exc:
        return [f"no report written: {exc}"]
    lines = [str(item) for item in built.skipped]
    written = report.write_report(built, out)
    lines.append(f"{len(built.runs)} runs; baseline {built.baseline}; prices: {built.price_note}")
    lines.append(report.terminal_table(built.results))
    lines.extend(f"  {line}" for line in report.verdict_lines(built.verdicts))
    lines.extend(report.daily_lines(built.daily))
    lines.append(f"Wrote {written[0]}, {written[1]} and {len(written) - 2} charts")
    return lines
