"""A classified headline, the batching both backends use, and the ways to compare two
runs over the same headlines (label agreement, largest logit difference, correlation of
logit margins): shared by the torch and ONNX backends, so it imports neither."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Prediction:
    title: str
    label: str
    score: float
    logits: tuple[float, ...] = ()


def length_batches(ids: Sequence[Sequence[int]], batch_size: int) -> list[list[int]]:
    """Indices of ``ids`` in batches of similar length, shortest first: padding each
    batch to its longest text then wastes little (both backends batch this way)."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    return [order[start : start + batch_size] for start in range(0, len(order), batch_size)]


def _same_length(a: Sequence[Prediction], b: Sequence[Prediction]) -> None:
    if len(a) != len(b):
        raise ValueError(f"cannot compare {len(a)} predictions with {len(b)}")


def agreement(a: Sequence[Prediction], b: Sequence[Prediction]) -> float:
    """Share of texts on which two runs chose the same label."""
    _same_length(a, b)
    if not a:
        return 1.0
    return sum(x.label == y.label for x, y in zip(a, b, strict=True)) / len(a)


def max_logit_diff(a: Sequence[Prediction], b: Sequence[Prediction]) -> float:
    """Largest absolute difference between two runs' logits (0.0 when none were kept)."""
    _same_length(a, b)
    return max(
        (
            abs(x - y)
            for p, q in zip(a, b, strict=True)
            for x, y in zip(p.logits, q.logits, strict=True)
        ),
        default=0.0,
    )


def margins(p: Prediction) -> list[float]:
    """Each logit minus the first: what softmax, and so the label, depends on."""
    return [v - p.logits[0] for v in p.logits[1:]]


def margin_correlation(a: Sequence[Prediction], b: Sequence[Prediction]) -> float:
    """Pearson correlation of two runs' logit margins over the same texts (1.0: the same
    ordering of confidence; a random model's labels may all agree while this does not)."""
    _same_length(a, b)
    x = [m for p in a for m in margins(p)]
    y = [m for p in b for m in margins(p)]
    if len(x) != len(y) or len(x) < 2:
        raise ValueError("margin correlation needs logits for at least two texts")
    return statistics.correlation(x, y)
