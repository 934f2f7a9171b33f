"""How big a difference between two instances is, and how sure we are of it.

The ratio of two medians (the baseline instance's over this one's: above 1 is faster)
with a 95 % bootstrap confidence interval from the raw rounds. A ratio within the
practical threshold (3 % by default) is "same", whatever a test of significance says:
with hundreds of rounds any difference is "significant", and a user needs its size.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import mannwhitneyu

DEFAULT_MIN_EFFECT = 0.03
CONFIDENCE = 0.95
RESAMPLES = 2000
MIN_ROUNDS = 3  # fewer rounds than this on either side: no interval, no test
SAME, FASTER, SLOWER, UNCLEAR = "same", "faster", "slower", "unclear"


@dataclass(frozen=True, slots=True)
class Effect:
    ratio: float  # baseline median / this median: > 1 means this one is faster
    low: float | None  # the interval; None without enough raw rounds
    high: float | None
    min_effect: float = DEFAULT_MIN_EFFECT
    rounds: int | None = None  # the fewer side's raw rounds, when too few for an interval

    @property
    def verdict(self) -> str:
        if max(self.ratio, 1 / self.ratio) < 1 + self.min_effect:
            return SAME
        if self.low is None or self.high is None or self.low <= 1 <= self.high:
            return UNCLEAR
        return FASTER if self.ratio > 1 else SLOWER

    def text(self) -> str:
        """In words a beginner reads: ``1.9x faster (1.85-1.95)``, ``same (0.99-1.01)``."""
        if self.low is None or self.high is None:
            few = f"only {self.rounds} rounds" if self.rounds else "no raw rounds"
            interval = f"{few}: cannot tell how sure"
        elif self.ratio >= 1:
            interval = f"{self.low:.3g}-{self.high:.3g}"
        else:  # "slower" reads as a factor above 1, and so does its interval
            interval = f"{1 / self.high:.3g}-{1 / self.low:.3g}"
        verdict = self.verdict
        if verdict == SAME:
            return f"same ({interval})"
        factor = self.ratio if self.ratio >= 1 else 1 / self.ratio
        word = "faster" if self.ratio >= 1 else "slower"
        if verdict == UNCLEAR:
            unsure = "" if self.low is None else "; not sure"
            return f"{factor:.3g}x {word}? ({interval}{unsure})"
        return f"{factor:.3g}x {word} ({interval})"


def _seed(label: str) -> int:
    return int.from_bytes(hashlib.blake2b(label.encode(), digest_size=8).digest(), "big")


def ratio_interval(
    baseline: Sequence[float], other: Sequence[float], *, label: str = ""
) -> tuple[float, float] | None:
    """95 % bootstrap interval of median(baseline) / median(other), seeded by ``label``
    so a report is the same every time it is built from the same files."""
    if len(baseline) < MIN_ROUNDS or len(other) < MIN_ROUNDS:
        return None
    rng = np.random.default_rng(_seed(label))
    a, b = np.asarray(baseline, dtype=float), np.asarray(other, dtype=float)
    med_a = np.median(rng.choice(a, size=(RESAMPLES, a.size)), axis=1)
    med_b = np.median(rng.choice(b, size=(RESAMPLES, b.size)), axis=1)
    ratios = med_a / med_b
    tail = (1 - CONFIDENCE) / 2 * 100
    low, high = np.percentile(ratios, [tail, 100 - tail])
    if not (math.isfinite(low) and math.isfinite(high)):
        return None
    return float(low), float(high)


def effect(
    baseline: Sequence[float],
    other: Sequence[float],
    ratio: float,
    *,
    min_effect: float = DEFAULT_MIN_EFFECT,
    label: str = "",
) -> Effect:
    interval = ratio_interval(baseline, other, label=label)
    if interval:
        return Effect(ratio, *interval, min_effect)
    return Effect(ratio, None, None, min_effect, min(len(baseline), len(other)) or None)


def mann_whitney_p(a: Sequence[float], b: Sequence[float]) -> float | None:
    """Two-sided Mann-Whitney U p-value, or None when either side has too few rounds."""
    if len(a) < MIN_ROUNDS or len(b) < MIN_ROUNDS:
        return None
    return float(mannwhitneyu(a, b, alternative="two-sided").pvalue)
