"""Watching a run: EC2 states and the instances' status records, as one row per type.

A row is final once its instance uploaded a final status record (``done`` or ``failed``),
was never launched, disappeared without one (``lost``: its console output tells why), or
outlived its deadline (``timed out``: the controller terminates it).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from stockbench.errors import FleetError
from stockbench.fleet.aws import Aws, Client, api
from stockbench.fleet.manifest import Manifest, TypeRecord
from stockbench.fleet.storage import get_bytes, get_json, type_key

GONE_STATES = frozenset({"shutting-down", "terminated", "stopping", "stopped"})
DEADLINE_GRACE_S = 5 * 60  # after the dead-man timer, before the controller steps in
TAIL_LINES = 25


@dataclass(frozen=True)
class Row:
    instance_type: str
    instance_id: str | None
    state: str  # EC2's, "-" when never launched, "gone" when EC2 no longer knows it
    phase: str  # from the status record; "booting" before the first one
    elapsed_s: float | None
    outcome: str | None = None  # None while running: done, failed, lost, not launched, timed out
    cause: str = ""
    detail: str = ""  # the log's or the console's last lines, for failures

    def key(self) -> tuple[str, str, str, str | None, str]:
        return (self.instance_type, self.state, self.phase, self.outcome, self.cause)


def deadline(manifest: Manifest, record: TypeRecord) -> float:
    return (
        (record.launched_at or manifest.created_at) + manifest.max_minutes * 60 + DEADLINE_GRACE_S
    )


def classify(
    manifest: Manifest,
    record: TypeRecord,
    state: str | None,
    status: Mapping[str, Any] | None,
    now: float,
) -> Row:
    """One type's row from its EC2 state (None: unknown to EC2) and its status record."""
    if record.not_launched:
        return Row(record.instance_type, None, "-", "-", None, "not launched", record.not_launched)
    elapsed = now - (record.launched_at or now)
    phase = str(status.get("phase")) if status else "booting"
    row = Row(record.instance_type, record.instance_id, state or "gone", phase, elapsed)
    if status and phase == "done":
        rc = status.get("bench_exit_code")
        return replace(row, outcome="done", cause=f"pytest exit {rc}" if rc else "")
    if status and phase == "failed":
        cause = f"{status.get('failed_phase')} failed (exit {status.get('exit_code')})"
        return replace(row, outcome="failed", cause=cause)
    if state is None or state in GONE_STATES:
        cause = f"instance {state or 'gone'} before its final status record (last phase: {phase})"
        return replace(row, outcome="lost", cause=cause)
    if now > deadline(manifest, record):
        return replace(row, outcome="timed out", cause=f"still in {phase} past the deadline")
    return row


def instance_states(ec2: Client, ids: list[str]) -> dict[str, str]:
    if not ids:
        return {}
    found = api(
        ec2,
        "describe_instances",
        "describe the run's instances",
        Filters=[{"Name": "instance-id", "Values": ids}],
    )
    return {
        i["InstanceId"]: i["State"]["Name"] for r in found["Reservations"] for i in r["Instances"]
    }


def _tail(text: str) -> str:
    return "\n".join(text.rstrip().splitlines()[-TAIL_LINES:])


def console_tail(ec2: Client, instance_id: str) -> str:
    try:
        out = api(
            ec2, "get_console_output", f"console output of {instance_id}", InstanceId=instance_id
        )
    except FleetError as exc:
        return f"(no console output: {exc})"
    return _tail(out.get("Output") or "") or "(the console output is empty)"


def explain(aws: Aws, manifest: Manifest, row: Row) -> Row:
    """A final row with the evidence: the uploaded log's tail, else the console output."""
    if row.outcome in {"failed", "done"} and row.cause:
        s3 = aws.client("s3", manifest.bucket_region)
        log = get_bytes(s3, manifest.bucket, type_key(manifest.run_id, row.instance_type, "log"))
        if log is not None:
            return replace(row, detail=_tail(log.decode("utf-8", "replace")))
    if row.outcome in {"failed", "lost", "timed out"} and row.instance_id:
        return replace(row, detail=console_tail(aws.client("ec2"), row.instance_id))
    return row


def observe(aws: Aws, manifest: Manifest, final: Mapping[str, Row], now: float) -> list[Row]:
    """Every type's row; types already final keep the row they ended with."""
    open_records = [t for t in manifest.types if t.instance_type not in final]
    states = instance_states(
        aws.client("ec2"), [t.instance_id for t in open_records if t.instance_id]
    )
    s3 = aws.client("s3", manifest.bucket_region)
    rows: dict[str, Row] = dict(final)
    for record in open_records:
        status = None
        if record.instance_id:
            key = type_key(manifest.run_id, record.instance_type, "status")
            status = get_json(s3, manifest.bucket, key)
        state = states.get(record.instance_id) if record.instance_id else None
        rows[record.instance_type] = classify(manifest, record, state, status, now)
    return [rows[t.instance_type] for t in manifest.types]


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    s = int(seconds)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"


COLUMNS = ("TYPE", "INSTANCE", "STATE", "PHASE", "ELAPSED", "NOTE")
WIDTHS = (12, 21, 13, 9, 8)


def format_row(row: Row | None) -> str:
    """One line of the table (the header for None)."""
    cells = (
        COLUMNS
        if row is None
        else (
            row.instance_type,
            row.instance_id or "-",
            row.state,
            row.phase,
            _clock(row.elapsed_s),
            f"{row.outcome}{': ' + row.cause if row.cause else ''}" if row.outcome else "",
        )
    )
    head = "  ".join(c.ljust(w) for c, w in zip(cells, WIDTHS, strict=False))
    return f"{head}  {cells[-1]}".rstrip()


def format_table(rows: list[Row]) -> str:
    return "\n".join([format_row(None), *(format_row(r) for r in rows)])


def watch(
    aws: Aws,
    manifest: Manifest,
    *,
    poll_s: float,
    out: Callable[[str], None],
    tty: bool,
    on_timeout: Callable[[list[str]], None],
) -> list[Row]:
    """Poll until every type is final. A terminal redraws the table in place; anything
    else gets the header once, then a line each time a row changes."""
    final: dict[str, Row] = {}
    shown: dict[str, tuple[Any, ...]] = {}
    drawn = 0
    if not tty:
        out(format_row(None))
    while True:
        rows = observe(aws, manifest, final, time.time())
        late = [
            r.instance_id
            for r in rows
            if r.outcome == "timed out" and r.instance_id and r.instance_type not in final
        ]
        if late:
            on_timeout(late)
        for row in rows:
            if row.outcome and row.instance_type not in final:
                final[row.instance_type] = explain(aws, manifest, row)
        rows = [final.get(r.instance_type, r) for r in rows]
        if tty:
            out((f"\x1b[{drawn}F\x1b[J" if drawn else "") + format_table(rows))
            drawn = len(rows) + 1
        else:
            for row in rows:
                if shown.get(row.instance_type) != row.key():
                    shown[row.instance_type] = row.key()
                    out(format_row(row))
        if len(final) == len(rows):
            return rows
        time.sleep(poll_s)
