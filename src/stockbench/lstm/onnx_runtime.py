"""The LSTM job on ONNX Runtime: the original ``SimpleLSTM`` exported once, run without
torch.

The export (fp32: the model is 5 k parameters, int8 would buy nothing) is cached like
the sentiment model's, keyed by the model's sizes and seed; ``load_lstm`` refuses a
stale or damaged one (``cache.StaleExport``), ``ensure_lstm_export`` makes it (with
torch) when missing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from stockbench import ort
from stockbench.cache import ExportSlot, Manifest, Progress, Wanted, tool_versions
from stockbench.lstm.data import LstmConfig

# Bump when SimpleLSTM, its seeded initialisation or the export changes.
RECIPE = 1
MODEL_FILE = "model.onnx"


def lstm_slot(config: LstmConfig = LstmConfig(), cache: Path | None = None) -> ExportSlot:
    model = {k: v for k, v in asdict(config).items() if k != "batch_size"}  # batch is dynamic
    spec = "simple-lstm-" + "-".join(f"{k}{v}" for k, v in model.items())
    fingerprint = hashlib.sha256(json.dumps(model, sort_keys=True).encode()).hexdigest()
    return ExportSlot(Wanted("lstm", spec, fingerprint, RECIPE, (MODEL_FILE,)), cache)


def ensure_lstm_export(
    config: LstmConfig = LstmConfig(), cache: Path | None = None, progress: Progress | None = None
) -> tuple[Manifest, bool]:
    """The export of the seeded model, made now if there is no usable one."""
    slot = lstm_slot(config, cache)

    def build(folder: Path) -> dict[str, Any]:
        from stockbench.lstm.model import export_lstm  # torch: only to export

        export_lstm(config, folder / MODEL_FILE)
        return {"input_dim": config.input_dim, "output_dim": config.output_dim}

    return slot.ensure(lambda: slot.publish(build, tool_versions()), progress)


def load_lstm(
    config: LstmConfig = LstmConfig(), *, threads: int | None = None, cache: Path | None = None
) -> Any:
    """An ONNX Runtime session on the usable export, or ``StaleExport``."""
    slot = lstm_slot(config, cache)
    slot.check()
    return ort.session(slot.file(MODEL_FILE), threads)


def infer_onnx(session: Any, inputs: np.ndarray) -> np.ndarray:
    """One forward over ``inputs`` (batch × sequence × features, float32)."""
    out: np.ndarray = session.run(None, {"x": inputs})[0]
    return out
