"""What the benchmarks ask of this machine: how busy its CPUs are, and waiting until they idle.

Shared by bench/coverage.py and bench/load.py (run as scripts: ``bench/`` is on their path).
"""

from __future__ import annotations

import time
from pathlib import Path


def cpu_sample() -> tuple[int, int]:
    """All CPUs' jiffies since boot: (total, idle + iowait)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(fields), fields[3] + fields[4]  # total, idle + iowait


def cpu_busy(interval: float = 1.0) -> float:
    """The share of all CPUs busy over ``interval`` seconds (from /proc/stat)."""
    total0, idle0 = cpu_sample()
    time.sleep(interval)
    total1, idle1 = cpu_sample()
    return 1 - (idle1 - idle0) / max(total1 - total0, 1)


def wait_idle(limit: float = 0.15, patience: float = 60.0) -> float:
    """Wait (up to ``patience`` s) until other processes leave the CPUs idle; the last share."""
    deadline = time.monotonic() + patience
    busy = cpu_busy()
    while busy > limit and time.monotonic() < deadline:
        busy = cpu_busy()
    return busy
