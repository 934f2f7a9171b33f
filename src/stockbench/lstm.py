"""The LSTM workload: the original study's ``SimpleLSTM(10, 32, 1)`` on 1024 × 30 × 10.

Weights and inputs are seeded, so a run on ARM and one on x86 can be compared by
``checksum`` within a tolerance. The thread count is the caller's choice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn


class SimpleLSTM(nn.Module):
    """The original model, unchanged: an LSTM and a linear head on the last step."""

    def __init__(self, input_dim: int, hidden_dim: int, output_dim: int) -> None:
        super().__init__()
        self.lstm = nn.LSTM(input_dim, hidden_dim, batch_first=True)
        self.fc = nn.Linear(hidden_dim, output_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.lstm(x)
        result: torch.Tensor = self.fc(out[:, -1, :])
        return result


@dataclass(frozen=True, slots=True)
class LstmConfig:
    input_dim: int = 10
    hidden_dim: int = 32
    output_dim: int = 1
    batch_size: int = 1024
    seq_len: int = 30
    seed: int = 0

    def __post_init__(self) -> None:
        if min(self.input_dim, self.hidden_dim, self.output_dim, self.batch_size, self.seq_len) < 1:
            raise ValueError(f"every LSTM dimension must be >= 1: {self}")


def build_model(config: LstmConfig = LstmConfig()) -> SimpleLSTM:
    """The model with weights drawn from ``config.seed`` (same on every machine), in eval mode."""
    gen = torch.Generator().manual_seed(config.seed)
    model = SimpleLSTM(config.input_dim, config.hidden_dim, config.output_dim)
    with torch.no_grad():
        for param in model.parameters():
            bound = 1.0 / math.sqrt(config.hidden_dim)  # nn.LSTM's own init range
            param.copy_(torch.rand(param.shape, generator=gen) * 2 * bound - bound)
    return model.eval()


def make_batch(config: LstmConfig = LstmConfig()) -> torch.Tensor:
    gen = torch.Generator().manual_seed(config.seed + 1)
    return torch.randn(config.batch_size, config.seq_len, config.input_dim, generator=gen)


def infer(model: nn.Module, batch: torch.Tensor) -> torch.Tensor:
    with torch.inference_mode():
        out: torch.Tensor = model(batch)
        return out


def infer_original(model: nn.Module, batch: torch.Tensor) -> torch.Tensor:
    """The original script's call: ``torch.no_grad`` around one forward."""
    with torch.no_grad():
        out: torch.Tensor = model(batch)
        return out


@dataclass(frozen=True, slots=True)
class Checksum:
    """Order-independent summary of an output: compare across machines with ``close_to``."""

    total: float
    abs_total: float
    shape: tuple[int, ...]

    def close_to(self, other: Checksum, rel: float = 1e-4) -> bool:
        return self.shape == other.shape and all(
            math.isclose(a, b, rel_tol=rel, abs_tol=rel)
            for a, b in ((self.total, other.total), (self.abs_total, other.abs_total))
        )


def checksum(output: torch.Tensor) -> Checksum:
    out = output.detach().double()
    return Checksum(float(out.sum()), float(out.abs().sum()), tuple(output.shape))
