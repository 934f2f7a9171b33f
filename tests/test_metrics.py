"""Process readings: peak RSS over a block, steal from /proc/stat text, quantiles."""

from __future__ import annotations

import mmap

import pytest

from stockbench.metrics import (
    CpuTimes,
    PeakRssMeter,
    peak_rss_bytes,
    process_cpu_seconds,
    quantile,
    rss_bytes,
    steal_percent,
)

MIB = 2**20


def test_peak_rss_meter_sees_a_short_lived_allocation() -> None:
    with PeakRssMeter() as mem:
        # fresh pages from the kernel: a malloc'd block may reuse heap pages that an
        # earlier test freed but that are still resident, and then RSS does not grow
        block = mmap.mmap(-1, 64 * MIB)
        block.write(b"x" * (64 * MIB))  # touch every page so it is resident
        block.close()
    assert mem.method in ("vmhwm", "sampler")
    assert mem.peak_bytes - mem.rss_before_bytes >= 48 * MIB
    assert mem.peak_bytes >= rss_bytes()


def test_the_kernels_peak_is_at_least_the_current_rss() -> None:
    peak = peak_rss_bytes()
    if peak is None:
        pytest.skip("no /proc/self/status here")
    assert peak >= rss_bytes() * 0.9  # RSS can be read a moment after a page was freed


def test_steal_percent_of_two_readings() -> None:
    assert steal_percent(CpuTimes(1000, 10), CpuTimes(2000, 60)) == pytest.approx(5.0)
    assert steal_percent(CpuTimes(1000, 10), CpuTimes(1000, 10)) == 0.0
    assert steal_percent(None, CpuTimes(1, 1)) is None
    assert steal_percent(CpuTimes(5, 5), CpuTimes(10, 2)) == 0.0  # a counter reset


def test_cpu_seconds_grow_with_work() -> None:
    before = process_cpu_seconds()
    sum(i * i for i in range(2_000_000))
    assert process_cpu_seconds() > before


def test_quantile() -> None:
    data = [float(x) for x in range(1, 101)]
    assert quantile(data, 50) == pytest.approx(50.5)
    assert quantile(data, 90) == pytest.approx(90.1)
    assert quantile([3.0], 99) == 3.0
    with pytest.raises(ValueError, match="no data"):
        quantile([], 50)
