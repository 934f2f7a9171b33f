"""A type's row, from its EC2 state and its status record."""

from __future__ import annotations

import pytest

from stockbench.fleet.manifest import Manifest, TypeRecord
from stockbench.fleet.monitor import DEADLINE_GRACE_S, Row, classify, format_row

LAUNCHED = 1_800_000_000.0


def manifest(record: TypeRecord) -> Manifest:
    return Manifest(
        run_id="sb-20261126-120000-abcd",
        created_at=LAUNCHED - 5,
        region="ap-northeast-2",
        bucket="sb-results",
        bucket_region="ap-northeast-2",
        max_minutes=90,
        spot=False,
        types=[record],
    )


def row(state: str | None, status: dict[str, object] | None, after_s: float = 60) -> Row:
    record = TypeRecord("t4g.micro", instance_id="i-1", launched_at=LAUNCHED)
    return classify(manifest(record), record, state, status, LAUNCHED + after_s)


@pytest.mark.parametrize(
    ("state", "status", "outcome", "phase", "cause"),
    [
        ("pending", None, None, "booting", ""),
        ("running", {"phase": "install"}, None, "install", ""),
        ("terminated", {"phase": "done", "bench_exit_code": 0}, "done", "done", ""),
        ("running", {"phase": "done", "bench_exit_code": 1}, "done", "done", "pytest exit 1"),
        (
            "terminated",
            {"phase": "failed", "failed_phase": "install", "exit_code": 137},
            "failed",
            "failed",
            "install failed (exit 137)",
        ),
        (
            "terminated",
            {"phase": "bench"},
            "lost",
            "bench",
            "instance terminated before its final status record (last phase: bench)",
        ),
        (
            None,
            None,
            "lost",
            "booting",
            "instance gone before its final status record (last phase: booting)",
        ),
        ("stopped", None, "lost", "booting", "instance stopped before its final status record "
         "(last phase: booting)"),
    ],
)  # fmt: skip
def test_rows_follow_the_state_and_the_status_record(
    state: str | None,
    status: dict[str, object] | None,
    outcome: str | None,
    phase: str,
    cause: str,
) -> None:
    got = row(state, status)
    assert (got.outcome, got.phase, got.cause) == (outcome, phase, cause)
    assert got.elapsed_s == 60


def test_an_instance_past_its_deadline_is_timed_out_and_not_before() -> None:
    deadline = 90 * 60 + DEADLINE_GRACE_S
    assert row("running", {"phase": "bench"}, after_s=deadline - 1).outcome is None
    late = row("running", {"phase": "bench"}, after_s=deadline + 1)
    assert late.outcome == "timed out"
    assert late.cause == "still in bench past the deadline"


def test_a_type_never_launched_says_why() -> None:
    record = TypeRecord("c6g.medium", not_launched="not offered in ap-northeast-2")
    got = classify(manifest(record), record, None, None, LAUNCHED)
    assert got == Row("c6g.medium", None, "-", "-", None, "not launched", record.not_launched)
    assert format_row(got).split() == [
        "c6g.medium", "-", "-", "-", "-", "not", "launched:", "not", "offered", "in",
        "ap-northeast-2",
    ]  # fmt: skip


def test_elapsed_time_reads_as_a_clock() -> None:
    assert format_row(row("running", {"phase": "bench"}, after_s=3725)).split()[4] == "1:02:05"
