"""Turning a torch module into an ONNX file: torch's exporter (opset 18, dynamic axes)
and ONNX Runtime's dynamic int8 quantiser, with their chatter kept off the user's screen.

Only the export commands import this module (torch, onnx and onnxscript are the export
tools; running an export needs onnxruntime alone).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import torch
from onnxruntime.quantization import QuantType, quantize_dynamic

OPSET = 18


class _ToolChatter(logging.Filter):
    """Drops the export tools' warnings (torchvision absent, "consider pre-processing"):
    they speak to the tools' developers, not to someone running a daily job."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.ERROR or not any(
            part in record.pathname for part in ("onnxruntime", "torch", "onnxscript")
        )


@contextmanager
def quiet_tools() -> Iterator[None]:
    root = logging.getLogger()
    # logging.warning() configures a stderr handler on a root logger that has none
    guard = logging.NullHandler() if not root.handlers else None
    chatter = _ToolChatter()
    loggers = [root, logging.getLogger("torch"), logging.getLogger("onnxscript")]
    if guard is not None:
        root.addHandler(guard)
    for logger in loggers:
        logger.addFilter(chatter)
    torch_level = loggers[1].level
    loggers[1].setLevel(logging.ERROR)  # torch's own handlers print before root filters
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        loggers[1].setLevel(torch_level)
        for logger in loggers:
            logger.removeFilter(chatter)
        if guard is not None:
            root.removeHandler(guard)


def export_onnx(
    module: torch.nn.Module,
    args: tuple[torch.Tensor, ...],
    path: Path,
    *,
    input_names: Sequence[str],
    output_names: Sequence[str],
    dynamic: Mapping[str, Mapping[int, str]],
) -> None:
    """Write ``module`` (in eval mode) to ``path`` (weights in ``path``.data beside it).

    ``dynamic`` names each input's dynamic axes (``{"input_ids": {0: "batch"}}``); axes
    of one name are one dimension. ``input_names`` must be ``forward``'s parameters.
    """
    dims: dict[str, torch.export.Dim] = {}
    shapes = {
        name: {
            axis: dims.setdefault(label, torch.export.Dim(label)) for axis, label in axes.items()
        }
        for name, axes in dynamic.items()
    }
    with quiet_tools(), torch.inference_mode(False):
        program = torch.onnx.export(
            module.eval(),
            args,
            input_names=list(input_names),
            output_names=list(output_names),
            opset_version=OPSET,
            dynamo=True,
            dynamic_shapes=shapes,
            verbose=False,
        )
        if program is None:  # only the TorchScript exporter returns nothing
            raise RuntimeError("torch.onnx.export returned no program")
        program.save(str(path), external_data=True)


def quantize_int8(source: Path, target: Path) -> None:
    """ONNX Runtime's dynamic quantisation: int8 weights for MatMul and Gather (the
    embedding table too), activations quantised per call."""
    with quiet_tools():
        quantize_dynamic(source, target, weight_type=QuantType.QInt8)
