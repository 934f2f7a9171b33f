"""Process resource readings: RSS, the kernel's peak RSS (VmHWM), CPU times, steal.

Best-effort and Linux-first: each reader returns ``None`` where the platform has no
answer, and ``PeakRssMeter`` falls back to a 10 ms psutil sampler where the kernel's
peak cannot be reset.
"""

from __future__ import annotations

import ctypes
import gc
import os
import statistics
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import psutil

PROC_STATUS = Path("/proc/self/status")
PROC_CLEAR_REFS = Path("/proc/self/clear_refs")
PROC_STAT = Path("/proc/stat")


def _status_kib(key: str) -> int | None:
    try:
        for line in PROC_STATUS.read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def rss_bytes() -> int:
    return int(psutil.Process().memory_info().rss)


def peak_rss_bytes() -> int | None:
    """The kernel's high-water mark of this process's RSS (``VmHWM``)."""
    return _status_kib("VmHWM")


def reset_peak_rss() -> bool:
    """Reset ``VmHWM`` to the current RSS (Linux >= 4.0); False where not possible."""
    try:
        PROC_CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return True


class PeakRssMeter:
    """Peak RSS over a ``with`` block: the kernel's, reset at entry, or a sampler's."""

    def __init__(self, interval_s: float = 0.01) -> None:
        self.interval_s = interval_s
        self.rss_before_bytes = 0
        self.peak_bytes = 0
        self.method = ""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> PeakRssMeter:
        self.rss_before_bytes = rss_bytes()
        if reset_peak_rss() and peak_rss_bytes() is not None:
            self.method = "vmhwm"
        else:
            self.method = "sampler"
            self.peak_bytes = self.rss_before_bytes
            self._thread = threading.Thread(target=self._sample, daemon=True)
            self._thread.start()
        return self

    def _sample(self) -> None:
        proc = psutil.Process()
        while not self._stop.wait(self.interval_s):
            self.peak_bytes = max(self.peak_bytes, int(proc.memory_info().rss))

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self.peak_bytes = max(self.peak_bytes, rss_bytes())
        else:
            self.peak_bytes = max(peak_rss_bytes() or 0, rss_bytes())


@dataclass(frozen=True, slots=True)
class CpuTimes:
    """System-wide jiffies from ``/proc/stat``: total and steal."""

    total: int
    steal: int


def system_cpu_times() -> CpuTimes | None:
    try:
        first = PROC_STAT.read_text().split("\n", 1)[0].split()
    except OSError:
        return None
    if not first or first[0] != "cpu":
        return None
    values = [int(v) for v in first[1:]]
    # user nice system idle iowait irq softirq steal guest guest_nice; guests are in user
    total = sum(values[:8])
    steal = values[7] if len(values) > 7 else 0
    return CpuTimes(total, steal)


def steal_percent(before: CpuTimes | None, after: CpuTimes | None) -> float | None:
    """Share of all CPU time the hypervisor took away between two readings."""
    if before is None or after is None:
        return None
    total = after.total - before.total
    if total <= 0:
        return 0.0
    return 100.0 * max(after.steal - before.steal, 0) / total


def process_cpu_seconds() -> float:
    t = os.times()
    return t.user + t.system


def trim_heap() -> bool:
    """Return freed heap memory to the OS (glibc ``malloc_trim``); False elsewhere.

    glibc keeps large freed blocks in the heap, so building and quantising layers one
    by one would still grow RSS by each freed fp32 layer without it.
    """
    gc.collect()  # modules hold reference cycles; free them before trimming
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return False
    return bool(libc.malloc_trim(0))


def quantile(data: Sequence[float], percent: int) -> float:
    """The ``percent``-th percentile (1..99, inclusive method); a single value is itself."""
    if not data:
        raise ValueError("quantile of no data")
    if len(data) < 2:
        return data[0]
    return statistics.quantiles(data, n=100, method="inclusive")[percent - 1]
