"""Root conftest: fixtures shared by tests and benchmarks.

The real captures live in ``../shared/fixtures/raw`` beside CI's clone, never inside
the project; tests that need them skip with a reason when the folder is absent.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
