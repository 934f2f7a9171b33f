"""The LSTM job: the seeded original model, its output checksum, both call styles."""

from __future__ import annotations

import torch

from stockbench.lstm.model import (
    LstmConfig,
    build_model,
    checksum,
    infer,
    infer_original,
    make_batch,
)
from stockbench.threads import torch_threads


def test_output_shape_and_checksum_stable_across_builds() -> None:
    first = checksum(infer(build_model(), make_batch()))
    second = checksum(infer(build_model(), make_batch()))
    config = LstmConfig()
    assert first.shape == (config.batch_size, config.output_dim)
    assert first == second


def test_checksum_detects_a_different_model() -> None:
    base = checksum(infer(build_model(), make_batch()))
    other = checksum(infer(build_model(LstmConfig(seed=1)), make_batch()))
    assert not base.close_to(other)
    assert base.close_to(base)


def test_original_call_and_inference_mode_agree() -> None:
    model, batch = build_model(), make_batch()
    assert torch.allclose(infer(model, batch), infer_original(model, batch))


def test_checksum_is_thread_count_independent_within_tolerance() -> None:
    model, batch = build_model(), make_batch()
    with torch_threads(1):
        one = checksum(infer(model, batch))
    with torch_threads(2):
        two = checksum(infer(model, batch))
    assert one.close_to(two)
