"""The live table: redrawn in place on a terminal, a line per change anywhere else."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from stockbench.fleet import monitor
from stockbench.fleet.manifest import Manifest, TypeRecord
from stockbench.fleet.monitor import Row, watch

RUNNING = Row("t4g.micro", "i-1", "running", "bench", 10.0)
DONE = Row("t4g.micro", "i-1", "terminated", "done", 20.0, "done")
LATE = Row("t2.micro", "i-2", "running", "install", 99.0, "timed out", "still in install")


def scripted(monkeypatch: pytest.MonkeyPatch, *rounds: list[Row]) -> None:
    script: Iterator[list[Row]] = iter(rounds)
    monkeypatch.setattr(monitor, "observe", lambda *a: next(script))
    monkeypatch.setattr(monitor, "explain", lambda aws, manifest, row: row)
    monkeypatch.setattr(monitor.time, "sleep", lambda s: None)


def run_watch(tty: bool, manifest: Manifest) -> tuple[list[str], list[list[str]]]:
    shown: list[str] = []
    ended: list[list[str]] = []
    watch(None, manifest, poll_s=1, out=shown.append, tty=tty, on_timeout=ended.append)
    return shown, ended


def manifest(*types: str) -> Manifest:
    return Manifest(
        run_id="sb-20261126-120000-abcd", created_at=0, region="ap-northeast-2",
        bucket="sb-results", bucket_region="ap-northeast-2", max_minutes=90, spot=False,
        types=[TypeRecord(t) for t in types],
    )  # fmt: skip


def test_a_terminal_gets_the_table_redrawn_in_place(monkeypatch: pytest.MonkeyPatch) -> None:
    scripted(monkeypatch, [RUNNING], [RUNNING], [DONE])
    shown, _ = run_watch(True, manifest("t4g.micro"))
    assert len(shown) == 3
    assert not shown[0].startswith("\x1b")
    assert all(s.startswith("\x1b[2F\x1b[J") for s in shown[1:])  # header + one row, up
    assert shown[-1].splitlines()[-1].split()[2:] == ["terminated", "done", "0:00:20", "done"]


def test_elsewhere_a_line_per_change_and_late_instances_are_ended(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    running_too: Any = Row("t2.micro", "i-2", "running", "install", 5.0)
    scripted(monkeypatch, [RUNNING, running_too], [RUNNING, running_too], [DONE, LATE])
    shown, ended = run_watch(False, manifest("t4g.micro", "t2.micro"))
    assert [s.split()[:4] for s in shown] == [
        ["TYPE", "INSTANCE", "STATE", "PHASE"],
        ["t4g.micro", "i-1", "running", "bench"],
        ["t2.micro", "i-2", "running", "install"],
        ["t4g.micro", "i-1", "terminated", "done"],
        ["t2.micro", "i-2", "running", "install"],
    ]
    assert shown[-1].endswith("timed out: still in install")
    assert ended == [["i-2"]]
