"""What the LSTM job computes on, whichever runtime runs it: the original's sizes, a
seeded input batch, and an order-independent checksum of the output.

numpy only (no torch), so the ONNX path and the torch path feed the same numbers and
compare their outputs; numpy's generator gives the same batch on ARM and x86.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


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


def make_inputs(config: LstmConfig = LstmConfig()) -> np.ndarray:
    """``batch_size`` × ``seq_len`` × ``input_dim`` standard normals (float32), seeded."""
    rng = np.random.default_rng(config.seed + 1)
    shape = (config.batch_size, config.seq_len, config.input_dim)
    return rng.standard_normal(shape, dtype=np.float32)


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


def checksum_array(output: np.ndarray) -> Checksum:
    out = output.astype(np.float64)
    return Checksum(float(out.sum()), float(np.abs(out).sum()), tuple(output.shape))
