"""The news mood job: a feed and a model in, a ``MoodReport`` out.

``news_mood`` loads the model (the replica, a hub id or a local directory), classifies
the feed's headlines in length-sorted batches and counts the labels. With
``check_agreement`` it first classifies with fp32, frees it, then with int8, and reports
how often int8 keeps fp32's label: the two models are never in memory at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from stockbench.errors import ParseError
from stockbench.metrics import trim_heap
from stockbench.news.feed import Feed, SkippedItem
from stockbench.news.sentiment import (
    REPLICA,
    Prediction,
    agreement,
    classify,
    load_model,
    max_logit_diff,
)
from stockbench.threads import torch_threads


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


@dataclass(frozen=True)
class MoodReport:
    model: str
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
            }
        return doc


def news_mood(
    feed: Feed,
    spec: str = REPLICA,
    *,
    int8: bool = False,
    batch_size: int = 32,
    threads: int | None = None,
    check_agreement: bool = False,
) -> MoodReport:
    """Classify ``feed``'s headlines with the model ``spec`` and sum up the mood."""
    if check_agreement and not int8:
        raise ValueError("check_agreement compares int8 with fp32: it needs int8=True")
    if not feed.headlines:
        raise ParseError(
            f"no usable headline ({len(feed.skipped)} items skipped)",
            source=feed.title or "feed",
            field="headlines",
        )
    check = None
    with torch_threads(threads):
        if check_agreement:
            fp32 = load_model(spec)
            reference = classify(fp32, feed.titles, batch_size=batch_size)
            del fp32
            trim_heap()  # never hold the fp32 and int8 weights at once
        sm = load_model(spec, int8=int8)
        predictions = classify(sm, feed.titles, batch_size=batch_size)
    if check_agreement:
        check = Int8Check(agreement(reference, predictions), max_logit_diff(reference, predictions))
    return MoodReport(
        model=sm.name,
        weights_trained=sm.weights_trained,
        head_trained=sm.head_trained,
        int8=sm.int8,
        predictions=tuple(predictions),
        mood=tuple(mood(predictions, list(sm.id2label.values()))),
        skipped=feed.skipped,
        warning=sm.warning(),
        int8_vs_fp32=check,
    )
