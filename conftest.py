"""Root conftest: shared fixtures for tests and benchmarks.

The real captures live in ``../shared/fixtures/raw`` beside CI's clone, never inside
the project; tests that need them skip with a reason when the folder is absent.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from stockbench.machine import machine_info as collect_machine_info

ROOT = Path(__file__).resolve().parent
RAW_FIXTURES = Path(os.environ.get("STOCKBENCH_RAW_FIXTURES", ROOT.parent / "shared/fixtures/raw"))


@pytest.fixture(scope="session")
def raw_fixture():  # type: ignore[no-untyped-def]
    """``raw_fixture(name) -> bytes`` of a real capture, or a skip when it is absent."""

    def load(name: str) -> bytes:
        path = RAW_FIXTURES / name
        if not path.is_file():
            pytest.skip(f"real capture {path} is absent (it sits beside CI's clone only)")
        return path.read_bytes()

    return load


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--stockbench-full",
        action="store_true",
        help="benchmarks: run the original per-company crawl over the whole bundled market "
        "(about 17 minutes at its 0.3 s pause) instead of a subset",
    )


def pytest_benchmark_update_machine_info(config: pytest.Config, machine_info: dict) -> None:  # type: ignore[type-arg]
    """Add stockbench's keys (EC2 identity, CPU, memory, torch, model) to the saved JSON.

    Collected once per session; every collector is best-effort, so this never fails a run.
    """
    brand = (machine_info.get("cpu") or {}).get("brand_raw")
    machine_info.update(collect_machine_info(cpu_model_hint=brand))
