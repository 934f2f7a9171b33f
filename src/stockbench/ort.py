"""ONNX Runtime for the ML jobs: one way to open a session, and a clear error without it.

onnxruntime is imported here once, at the top, so that a job's import phase is where its
cost shows (about 0.07 s, against seconds for torch). An install without it still runs
the torch backend; asking for the ONNX one then says what is missing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from stockbench.errors import ConfigError

try:
    import onnxruntime as _ort
    from onnxruntime.capi import onnxruntime_pybind11_state as _state
except ImportError:  # reported when the ONNX backend is asked for, not before
    _ort = _state = None

# onnxruntime's own exceptions (pybind11 classes deriving from Exception) that mean "this
# file cannot be run here"; anything else is a bug and stays as it is.
LOAD_ERRORS: tuple[type[Exception], ...] = (
    tuple(
        getattr(_state, name)
        for name in ("Fail", "InvalidArgument", "InvalidGraph", "InvalidProtobuf", "NoSuchFile")
    )
    if _state is not None
    else ()
)

MISSING = (
    "the onnx backend needs onnxruntime, which is not installed here "
    "(pip install onnxruntime, or use --backend torch)"
)


def available() -> bool:
    return _ort is not None


def version() -> str | None:
    return str(_ort.__version__) if _ort is not None else None


def session(model: Path, threads: int | None = None) -> Any:
    """An ``InferenceSession`` on the CPU for ``model``; ``threads`` intra-op threads
    (None: ONNX Runtime's default, one per physical core)."""
    if _ort is None:
        raise ConfigError(MISSING, setting="backend")
    if threads is not None and threads < 1:
        raise ValueError(f"threads must be >= 1, got {threads}")
    options = _ort.SessionOptions()
    options.intra_op_num_threads = threads or 0
    options.inter_op_num_threads = 1  # the jobs' graphs are sequential
    # Idle workers sleep instead of spinning: a daily job pays for CPU-seconds (a
    # burstable instance's credits), and on a busy or 1-vCPU machine spinning threads
    # take the CPU from the one doing the work.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3  # errors only: warnings would go to stderr unasked
    try:
        return _ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
    except LOAD_ERRORS as exc:
        raise ConfigError(f"ONNX Runtime cannot load {model}: {exc}", setting="model") from exc
