from __future__ import annotations

from pathlib import Path

import pytest

from .runfiles import INSTANCES, saved_run, write_runs


@pytest.fixture
def four(tmp_path: Path) -> Path:
    return write_runs(tmp_path / "runs", {i: saved_run(i) for i in INSTANCES})
