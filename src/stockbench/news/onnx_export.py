"""Exporting a sentiment model once: fp32 torch model -> ONNX (opset 18, dynamic batch
and sequence) -> ONNX Runtime's dynamic int8, with its tokenizer and labels.

Needs the export tools (torch, transformers, onnx, onnxscript); the result runs on
onnxruntime alone (``onnx_runtime``). The fp32 model is freed before quantising, so the
peak is the exporter's, not two models at once.
"""

from __future__ import annotations

import gc
from dataclasses import replace
from pathlib import Path
from typing import Any

import torch
from torch import nn

from stockbench.cache import ExportSlot, Manifest, Progress, tool_versions
from stockbench.errors import ConfigError
from stockbench.export import export_onnx, quantize_int8
from stockbench.files import atomic_write_text
from stockbench.metrics import trim_heap
from stockbench.news.models import model_fingerprint
from stockbench.news.onnx_runtime import INPUTS, MODEL_FILE, TOKENIZER_FILE
from stockbench.news.sentiment import load_model


class _Logits(nn.Module):
    """The classifier as a function of token ids and mask to logits: the graph's API."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        logits: torch.Tensor = self.model(input_ids=input_ids, attention_mask=attention_mask).logits
        return logits


def _say(progress: Progress | None, message: str) -> None:
    if progress is not None:
        progress(message)


def export_sentiment(slot: ExportSlot, progress: Progress | None = None) -> Manifest:
    """Export the model of ``slot`` into it (replacing whatever was there)."""
    spec = slot.wanted.spec

    def build(folder: Path) -> dict[str, Any]:
        _say(progress, f"loading {spec!r} (fp32)")
        sm = load_model(spec)
        if slot.wanted.fingerprint is None:  # a hub model, downloaded just now
            slot.wanted = replace(slot.wanted, fingerprint=model_fingerprint(spec))
        backend = getattr(sm.tokenizer, "backend_tokenizer", None)
        if backend is None:
            raise ConfigError(
                f"{spec!r} has no fast tokenizer (tokenizer.json): the ONNX backend cannot "
                f"tokenize for it; use --backend torch",
                setting="model",
            )
        meta = {
            "name": sm.name,
            "id2label": {str(k): v for k, v in sm.id2label.items()},
            "pad_id": int(sm.tokenizer.pad_token_id or 0),
            "weights_trained": sm.weights_trained,
            "head_trained": sm.head_trained,
            "parameters": sm.parameter_count(),
        }
        atomic_write_text(folder / TOKENIZER_FILE, backend.to_str())
        _say(progress, f"exporting to ONNX ({meta['parameters']:,} parameters)")
        example = torch.randint(5, 100, (2, 16))  # batch 2: a batch of 1 would be fixed
        fp32 = folder / "fp32.onnx.tmp"
        export_onnx(
            _Logits(sm.model),
            (example, torch.ones_like(example)),
            fp32,
            input_names=INPUTS,
            output_names=["logits"],
            dynamic={name: {0: "batch", 1: "sequence"} for name in INPUTS},
        )
        del sm
        gc.collect()
        trim_heap()
        _say(progress, "quantising to int8")
        quantize_int8(fp32, folder / MODEL_FILE)
        for leftover in folder.glob("fp32.onnx.tmp*"):
            leftover.unlink()
        return meta

    manifest = slot.publish(build, tool_versions())
    _say(progress, f"saved {manifest.size_bytes() / 1e6:.0f} MB in {slot.path}")
    return manifest
