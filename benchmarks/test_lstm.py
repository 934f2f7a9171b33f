"""LSTM inference: the original script's single cold call, the warm steady state in
torch and on ONNX Runtime (the export ``stockbench daily`` runs), and a torch thread
sweep from 1 to the number of cores."""

from __future__ import annotations

import os

import pytest

from stockbench.lstm.data import checksum_array, make_inputs
from stockbench.lstm.model import build_model, checksum, infer, infer_original, make_batch
from stockbench.lstm.onnx_runtime import infer_onnx, load_lstm
from stockbench.threads import torch_threads

from .conftest import BASELINE, HEADLINE, Measure, Sizes

SEQUENCES = 1024
CORES = os.cpu_count() or 1


@pytest.fixture(scope="module")
def reference() -> object:
    return checksum(infer(build_model(), make_batch()))


@pytest.mark.benchmark(group="lstm")
def test_lstm_original_cold(measure: Measure) -> None:
    """What the original timed: one call on a fresh model. First in this module, so the
    first LSTM call of the process unless another module ran one before."""
    model, batch = build_model(), make_batch()
    out = measure(
        infer_original,
        model,
        batch,
        samples=SEQUENCES,
        rounds=1,
        role=BASELINE,
        memory_of=("lstm", "original"),
    )
    assert tuple(out.shape) == (SEQUENCES, 1)


def measure_warm(
    measure: Measure,
    reference: object,
    sizes: Sizes,
    threads: int,
    rounds: int,
    warmup: int,
    role: str | None,
) -> None:
    """The steady state with ``threads`` threads; the output must match the reference."""
    model, batch = build_model(), make_batch()
    with torch_threads(threads) as used:
        out = measure(
            infer,
            model,
            batch,
            samples=SEQUENCES,
            rounds=sizes.rounds(rounds),
            warmup_rounds=0 if sizes.smoke else warmup,
            threads=used,
            role=role,
            job="lstm",
            memory_of=("lstm", "torch"),
        )
    assert checksum(out).close_to(reference)  # type: ignore[arg-type]


@pytest.mark.benchmark(group="lstm")
def test_lstm_warm(measure: Measure, reference: object, sizes: Sizes) -> None:
    measure_warm(measure, reference, sizes, CORES, rounds=100, warmup=10, role=None)


@pytest.mark.benchmark(group="lstm")
def test_lstm_onnx(measure: Measure, reference: object, sizes: Sizes, onnx_exports: None) -> None:
    """The ONNX Runtime export, warm, on the same inputs and threads as torch."""
    session = load_lstm(threads=CORES)
    out = measure(
        infer_onnx,
        session,
        make_inputs(),
        samples=SEQUENCES,
        rounds=sizes.rounds(100),
        warmup_rounds=0 if sizes.smoke else 10,
        threads=CORES,
        role=HEADLINE,  # what `stockbench daily` runs
        memory_of=("lstm", "onnx"),
    )
    assert checksum_array(out).close_to(reference)  # type: ignore[arg-type]


@pytest.mark.benchmark(group="lstm_threads")
@pytest.mark.parametrize("threads", range(1, CORES + 1))
def test_lstm_threads(measure: Measure, reference: object, sizes: Sizes, threads: int) -> None:
    role = BASELINE if threads == 1 else None  # the sweep's speed-ups are against 1 thread
    measure_warm(measure, reference, sizes, threads, rounds=50, warmup=5, role=role)
