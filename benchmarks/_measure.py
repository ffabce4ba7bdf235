"""Run a command and measure its wall time and the peak resident memory of its whole
process tree (ingestion uses worker processes, so the parent's own peak would flatter it)."""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass

import psutil


@dataclass(frozen=True)
class Measurement:
    seconds: float
    peak_rss_mb: float
    returncode: int
    output: str


def measure(
    cmd: list[str], env: dict[str, str] | None = None, interval: float = 0.05
) -> Measurement:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    root = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(interval)
    seconds = time.perf_counter() - start
    output = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
    return Measurement(seconds, peak / 2**20, proc.returncode, output)
