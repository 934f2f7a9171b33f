"""Run a snippet in a fresh interpreter: what a test needs to see a process's own
``sys.modules`` (no torch on the ONNX path) or an import made to fail."""

from __future__ import annotations

import subprocess
import sys


def run_python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
    )
