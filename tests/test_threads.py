"""torch's intra-op thread count: set for a block, then restored, even on error."""

from __future__ import annotations

import pytest
import torch

from stockbench.lstm.model import LstmConfig, build_model, checksum, infer, make_batch
from stockbench.threads import torch_threads


def test_thread_count_is_the_callers_and_restored() -> None:
    before = torch.get_num_threads()
    with torch_threads(1) as n:
        assert n == 1
        assert torch.get_num_threads() == 1
        checksum(infer(build_model(), make_batch(LstmConfig(batch_size=8))))
    assert torch.get_num_threads() == before


def test_restored_after_an_error_and_bad_counts_refused() -> None:
    before = torch.get_num_threads()
    with pytest.raises(RuntimeError, match="boom"), torch_threads(1):
        raise RuntimeError("boom")
    assert torch.get_num_threads() == before
    with pytest.raises(ValueError, match="threads must be >= 1"), torch_threads(0):
        pass
    with torch_threads(None) as n:
        assert n == before
