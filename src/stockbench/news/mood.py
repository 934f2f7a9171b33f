"""The news mood job: a feed and a model in, a ``MoodReport`` out.

``news_mood`` loads the model (the replica, a hub id or a local directory), classifies
the feed's headlines in length-sorted batches and counts the labels. Two backends:

- ``onnx`` (default): the model's int8 ONNX export on ONNX Runtime, made once and cached
  (``onnx_runtime.ensure_export``; the first run exports it, with ``progress`` told);
  neither torch nor transformers is imported unless it has to export;
- ``torch``: the model in torch (fp32, or ``int8`` dynamic quantisation), for comparison
  and for models that do not export.

With ``check_agreement`` it first classifies with torch fp32, frees it, then with int8
(either backend's), and reports how often int8 keeps fp32's label and how closely its
logit margins follow: the two models are never in memory at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stockbench.cache import Progress
from stockbench.errors import ParseError
from stockbench.metrics import trim_heap
from stockbench.news.feed import Feed, SkippedItem
from stockbench.news.models import REPLICA
from stockbench.news.onnx_runtime import classify_onnx, ensure_export, load_onnx
from stockbench.news.predictions import (
    Prediction,
    agreement,
    margin_correlation,
    max_logit_diff,
)

BACKENDS = ("onnx", "torch")


@dataclass(frozen=True, slots=True)
class MoodShare:
    label: str
    count: int
    share: float


def mood(predictions: Sequence[Prediction], labels: Sequence[str]) -> list[MoodShare]:
    """Count and share of each label (every label of the model, zero counts included)."""
    counts = Counter(p.label for p in predictions)
    total = len(predictions) or 1
    return [MoodShare(label, counts[label], counts[label] / total) for label in labels]


@dataclass(frozen=True, slots=True)
class Int8Check:
    """How far int8 strays from fp32 on the same headlines."""

    label_agreement: float
    max_abs_logit_diff: float
    margin_correlation: float | None  # None: fewer than two headlines


@dataclass(frozen=True)
class MoodReport:
    model: str
    backend: str
    weights_trained: bool
    head_trained: bool
    int8: bool
    predictions: tuple[Prediction, ...]
    mood: tuple[MoodShare, ...]
    skipped: tuple[SkippedItem, ...]
    warning: str | None  # one line when the labels cannot be trusted
    int8_vs_fp32: Int8Check | None = None

    @property
    def labels_meaningful(self) -> bool:
        return self.weights_trained and self.head_trained

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "model": self.model,
            "weights_trained": self.weights_trained,
            "head_trained": self.head_trained,
            "labels_meaningful": self.labels_meaningful,
            "backend": self.backend,
            "int8": self.int8,
            "headlines": [
                {"title": p.title, "label": p.label, "score": round(p.score, 6)}
                for p in self.predictions
            ],
            "mood": {m.label: {"count": m.count, "share": round(m.share, 4)} for m in self.mood},
            "skipped": [{"index": s.index, "reason": s.reason} for s in self.skipped],
        }
        if self.int8_vs_fp32 is not None:
            doc["int8_vs_fp32"] = {
                "label_agreement": self.int8_vs_fp32.label_agreement,
                "max_abs_logit_diff": self.int8_vs_fp32.max_abs_logit_diff,
                "margin_correlation": self.int8_vs_fp32.margin_correlation,
            }
        return doc


def news_mood(
    feed: Feed,
    spec: str = REPLICA,
    *,
    backend: str = "onnx",
    int8: bool = False,
    batch_size: int = 32,
    threads: int | None = None,
    check_agreement: bool = False,
    cache: Path | None = None,
    progress: Progress | None = None,
) -> MoodReport:
    """Classify ``feed``'s headlines with the model ``spec`` and sum up the mood.

    ``int8`` chooses torch's int8 path; the onnx backend's export is always int8.
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
    int8 = int8 or backend == "onnx"
    if check_agreement and not int8:
        raise ValueError("check_agreement compares int8 with fp32: it needs int8=True")
    if not feed.headlines:
        raise ParseError(
            f"no usable headline ({len(feed.skipped)} items skipped)",
            source=feed.title or "feed",
            field="headlines",
        )
    reference = None
    if check_agreement:
        reference = _torch_run(feed, spec, False, batch_size, threads)[1]
        trim_heap()  # the fp32 model is gone: never hold it and the int8 one at once
    if backend == "onnx":
        ensure_export(spec, cache, progress)
        model: Any = load_onnx(spec, threads=threads, cache=cache)
        predictions = classify_onnx(model, feed.titles, batch_size=batch_size)
    else:
        model, predictions = _torch_run(feed, spec, int8, batch_size, threads)
    check = None
    if reference is not None:
        both_logits = all(p.logits for p in (*reference, *predictions)) and len(reference) > 1
        check = Int8Check(
            agreement(reference, predictions),
            max_logit_diff(reference, predictions),
            margin_correlation(reference, predictions) if both_logits else None,
        )
    return MoodReport(
        model=model.name,
        backend=backend,
        weights_trained=model.weights_trained,
        head_trained=model.head_trained,
        int8=int8,
        predictions=tuple(predictions),
        mood=tuple(mood(predictions, list(model.id2label.values()))),
        skipped=feed.skipped,
        warning=model.warning(),
        int8_vs_fp32=check,
    )


def _torch_run(
    feed: Feed, spec: str, int8: bool, batch_size: int, threads: int | None
) -> tuple[Any, list[Prediction]]:
    """The torch backend: the model and its predictions."""
    # torch and transformers take seconds to import: only this backend pays for them
    from stockbench.news.sentiment import classify, load_model
    from stockbench.threads import torch_threads

    with torch_threads(threads):
        sm = load_model(spec, int8=int8)
        predictions = classify(sm, feed.titles, batch_size=batch_size)
    return sm, predictions
