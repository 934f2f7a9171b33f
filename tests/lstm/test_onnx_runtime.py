"""The LSTM job on ONNX Runtime: the seeded original model exported once, its outputs
within tolerance of torch's on the same inputs (any batch and sequence length), and a
new export when the tools that made it change."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from stockbench.cache import MANIFEST, StaleExport
from stockbench.lstm.data import LstmConfig, make_inputs
from stockbench.lstm.model import build_model, infer, make_batch
from stockbench.lstm.onnx_runtime import ensure_lstm_export, infer_onnx, load_lstm, lstm_slot

pytestmark = pytest.mark.slow  # torch's exporter takes seconds


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One export for the module (each test leaves a usable one behind)."""
    path = tmp_path_factory.mktemp("lstm-cache")
    ensure_lstm_export(cache=path)
    return path


@pytest.mark.parametrize("config", [LstmConfig(), LstmConfig(batch_size=3, seq_len=7)])
def test_outputs_match_torch_on_the_same_inputs(cache: Path, config: LstmConfig) -> None:
    session = load_lstm(cache=cache)
    ours = infer_onnx(session, make_inputs(config))
    theirs = infer(build_model(config), make_batch(config)).numpy()
    assert ours.shape == (config.batch_size, 1)
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-5)


def test_cache_hit_then_a_new_export_for_other_tools(cache: Path) -> None:
    manifest, made = ensure_lstm_export(cache=cache)
    assert not made
    path = lstm_slot(cache=cache).path / MANIFEST
    doc = json.loads(path.read_text())
    doc["versions"]["torch"] = "1.0.0"
    path.write_text(json.dumps(doc))
    with pytest.raises(StaleExport, match=r"made with torch 1\.0\.0"):
        load_lstm(cache=cache)
    again, made = ensure_lstm_export(cache=cache)
    assert made
    assert again.versions == manifest.versions
    load_lstm(cache=cache)


def test_another_model_has_its_own_export(cache: Path) -> None:
    other = LstmConfig(seed=1)
    assert lstm_slot(other, cache).path != lstm_slot(cache=cache).path
    with pytest.raises(StaleExport, match="not exported yet"):
        load_lstm(other, cache=cache)
