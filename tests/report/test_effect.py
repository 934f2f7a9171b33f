"""Effect sizes: the ratio of medians with its bootstrap interval, "same" within 3 %."""

from __future__ import annotations

import random

import pytest

from stockbench.report.effect import Effect, effect, mann_whitney_p, ratio_interval


def rounds(median: float, n: int, seed: int, spread: float = 0.05) -> list[float]:
    rng = random.Random(seed)
    return [median * rng.lognormvariate(0, spread) for _ in range(n)]


def test_two_draws_of_one_distribution_are_the_same_whatever_the_p_value() -> None:
    a, b = rounds(1.0, 300, 1), rounds(1.0, 300, 2)
    e = effect(a, b, sum(sorted(a)[149:151]) / sum(sorted(b)[149:151]))
    assert e.verdict == "same"
    assert e.text().startswith("same (")
    # a tiny but real shift with hundreds of rounds: "significant", still "same"
    c = [x * 1.01 for x in a]
    assert (mann_whitney_p(a, c) or 1) < 0.05
    assert effect(a, c, 1 / 1.01).verdict == "same"


def test_an_interval_around_one_and_a_half() -> None:
    a, b = rounds(1.5, 200, 3), rounds(1.0, 200, 4)
    interval = ratio_interval(a, b, label="x")
    assert interval is not None
    low, high = interval
    assert low < 1.5 < high
    assert high - low < 0.1
    assert ratio_interval(a, b, label="x") == interval  # seeded: the same report twice
    e = effect(a, b, 1.5)
    assert e.verdict == "faster"
    assert e.text() == f"1.5x faster ({low:.3g}-{high:.3g})"


def test_slower_reads_as_a_factor_above_one() -> None:
    e = Effect(0.5, 0.48, 0.52)
    assert e.verdict == "slower"
    assert e.text() == "2x slower (1.92-2.08)"


def test_overlapping_one_is_unclear_and_no_rounds_cannot_tell() -> None:
    assert Effect(1.2, 0.9, 1.6).text() == "1.2x faster? (0.9-1.6; not sure)"
    assert Effect(1.2, None, None).text() == "1.2x faster? (no raw rounds: cannot tell how sure)"
    assert ratio_interval([1.0, 2.0], [1.0, 2.0, 3.0]) is None


@pytest.mark.parametrize(("threshold", "verdict"), [(0.03, "faster"), (0.10, "same")])
def test_the_threshold_is_the_users(threshold: float, verdict: str) -> None:
    assert Effect(1.05, 1.04, 1.06, threshold).verdict == verdict


def test_too_few_rounds_are_named_as_such() -> None:
    assert effect([1.0, 1.1], [2.0, 2.1, 2.2], 0.5).text() == (
        "2x slower? (only 2 rounds: cannot tell how sure)"
    )
    assert effect([], [], 0.5).text() == "2x slower? (no raw rounds: cannot tell how sure)"
