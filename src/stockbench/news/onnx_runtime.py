"""News mood on ONNX Runtime: the int8 export of a model, its own tokenizer, no torch.

This is the daily path: it imports onnxruntime, tokenizers and numpy, never torch or
transformers. The export it runs is made once by ``onnx_export`` (which does need torch)
and found in the cache by the model's spec; ``load_onnx`` refuses one that is stale or
damaged (``cache.StaleExport``), and ``ensure_export`` makes it when it is missing.

Classification mirrors the torch backend's: the same token ids (the model's own
``tokenizer.json``), length-sorted batches padded to their longest headline, labels
from the model's ``id2label``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from tokenizers import Tokenizer

from stockbench import ort
from stockbench.cache import ExportSlot, Manifest, Progress, Wanted
from stockbench.news.models import REPLICA, LabelTrust, canonical_spec, model_fingerprint
from stockbench.news.predictions import Prediction, length_batches

# Bump when the export changes shape (files, inputs, quantisation): old ones go stale.
RECIPE = 1
MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
INPUTS = ("input_ids", "attention_mask")


def sentiment_slot(spec: str = REPLICA, cache: Path | None = None) -> ExportSlot:
    spec = canonical_spec(spec)
    wanted = Wanted(
        "sentiment", spec, model_fingerprint(spec), RECIPE, (MODEL_FILE, TOKENIZER_FILE)
    )
    return ExportSlot(wanted, cache)


def ensure_export(
    spec: str = REPLICA, cache: Path | None = None, progress: Progress | None = None
) -> tuple[Manifest, bool]:
    """The export of ``spec``, made now if there is no usable one; True when it was made."""
    slot = sentiment_slot(spec, cache)

    def export() -> Manifest:
        from stockbench.news.onnx_export import export_sentiment  # torch: only to export

        return export_sentiment(slot, progress)

    return slot.ensure(export, progress)


@dataclass
class OnnxSentiment(LabelTrust):
    """A loaded export: what ``classify_onnx`` needs and what the report says of it."""

    name: str
    session: Any  # onnxruntime.InferenceSession (onnxruntime ships no type hints)
    tokenizer: Tokenizer
    id2label: dict[int, str]
    pad_id: int
    weights_trained: bool
    head_trained: bool
    folder: Path
    int8: bool = True


def load_onnx(
    spec: str = REPLICA, *, threads: int | None = None, cache: Path | None = None
) -> OnnxSentiment:
    """The usable export of ``spec`` in an ONNX Runtime session, or ``StaleExport``."""
    slot = sentiment_slot(spec, cache)
    manifest = slot.check()
    meta = manifest.meta
    return OnnxSentiment(
        name=str(meta["name"]),
        session=ort.session(slot.file(MODEL_FILE), threads),
        tokenizer=Tokenizer.from_file(str(slot.file(TOKENIZER_FILE))),
        id2label={int(k): str(v) for k, v in meta["id2label"].items()},
        pad_id=int(meta["pad_id"]),
        weights_trained=bool(meta["weights_trained"]),
        head_trained=bool(meta["head_trained"]),
        folder=slot.path,
    )


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    result: np.ndarray = shifted / shifted.sum(axis=-1, keepdims=True)
    return result


def classify_onnx(
    model: OnnxSentiment, texts: Sequence[str], *, batch_size: int = 32, max_length: int = 128
) -> list[Prediction]:
    """Length-sorted batches with dynamic padding, as the torch backend's ``classify``."""
    length_batches([], batch_size)  # refuses a bad batch size before any work
    if not texts:
        return []
    model.tokenizer.enable_truncation(max_length)
    ids = [enc.ids for enc in model.tokenizer.encode_batch(list(texts))]
    out: list[Prediction | None] = [None] * len(ids)
    for chunk in length_batches(ids, batch_size):
        width = max(len(ids[i]) for i in chunk)
        input_ids = np.full((len(chunk), width), model.pad_id, dtype=np.int64)
        mask = np.zeros((len(chunk), width), dtype=np.int64)
        for row, i in enumerate(chunk):
            input_ids[row, : len(ids[i])] = ids[i]
            mask[row, : len(ids[i])] = 1
        logits = model.session.run(None, dict(zip(INPUTS, (input_ids, mask), strict=True)))[0]
        probs = _softmax(logits.astype(np.float32))
        for row, i in enumerate(chunk):
            best = int(probs[row].argmax())
            out[i] = Prediction(
                texts[i],
                model.id2label[best],
                float(probs[row, best]),
                tuple(float(v) for v in logits[row]),
            )
    return [p for p in out if p is not None]
