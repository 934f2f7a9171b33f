"""The LSTM workload: the original study's ``SimpleLSTM(10, 32, 1)`` on 1024 × 30 × 10.

Weights and inputs are seeded, so a run on ARM and one on x86 can be compared by
``checksum`` within a tolerance. The thread count is the caller's choice. The inputs
and the checksum live in ``lstm.data`` (numpy only), shared with the ONNX path
(``lstm.onnx_runtime``), whose model ``export_lstm`` writes.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import torch
from torch import nn

from stockbench.export import export_onnx
from stockbench.lstm.data import Checksum, LstmConfig, checksum_array, make_inputs

__all__ = [
    "Checksum",
    "LstmConfig",
    "SimpleLSTM",
    "build_model",
    "checksum",
    "export_lstm",
    "infer",
    "infer_original",
    "make_batch",
]


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
    return torch.from_numpy(make_inputs(config))


def infer(model: nn.Module, batch: torch.Tensor) -> torch.Tensor:
    with torch.inference_mode():
        out: torch.Tensor = model(batch)
        return out


def infer_original(model: nn.Module, batch: torch.Tensor) -> torch.Tensor:
    """The original script's call: ``torch.no_grad`` around one forward."""
    with torch.no_grad():
        out: torch.Tensor = model(batch)
        return out


def checksum(output: torch.Tensor) -> Checksum:
    return checksum_array(output.detach().numpy())


def export_lstm(config: LstmConfig, path: Path) -> None:
    """The seeded model to ONNX (opset 18), batch and sequence length dynamic, fp32."""
    example = make_batch(replace(config, batch_size=4))
    export_onnx(
        build_model(config),
        (example,),
        path,
        input_names=["x"],
        output_names=["y"],
        dynamic={"x": {0: "batch", 1: "sequence"}},
    )
