"""The normalisers on a real source file, the way ingestion calls them: µs per row each.

Not a test (pytest does not collect ``bench_*``). Run from the repository root::

    python -m tests.normalize.bench_workload /tmp/w110/public_records.csv
    python -m tests.normalize.bench_workload /tmp/w110/court_dispositions.csv
    python -m tests.normalize.bench_workload FILE --dump out.txt   # every result, for diffing

The file comes from ``linkwise demo generate --people 110000 --seed 3 --out /tmp/w110``.
Unlike ``bench_normalize``, full names, addresses and phones are mostly unique here, so the
caches rarely help and the time is that of cache misses. Caches are cleared at the start of
each run; the time of each function includes its cache lookups and the garbage collections
it happens to trigger (full collections walk every cached value, so with full caches they
cost several µs a row; ``--no-gc`` shows the time without them). The fastest of
``--repeat`` runs is shown, with what the timing harness itself adds and the time the
collector took over the whole run (mostly, not only, inside the timed calls). ``--dump``
writes the repr of every result (or of the error raised) in one run, so an optimisation can
be checked to change nothing.
"""

from __future__ import annotations

import argparse
import csv
import gc
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import linkwise.normalize as n


@dataclass(frozen=True)
class Layout:
    """Which columns hold what in one of the demo sources."""

    delimiter: str
    name: str
    order: n.names.NameOrder
    dob: str
    address: str
    city: str
    state: str
    zip: str
    ssn: str
    phone: str | None = None
    email: str | None = None
    dates: tuple[str, ...] = ()
    dob_format: str | None = None
    encoding: str = "utf-8-sig"


PUBLIC_RECORDS = Layout(
    "|", "FULL_NAME", "given_first", "DOB", "ADDRESS", "CITY", "STATE", "ZIP", "SSN",
    phone="PHONE", email="EMAIL", dates=("FIRST_SEEN", "LAST_SEEN"),
)  # fmt: skip
COURT = Layout(
    ",", "DEFENDANT_NAME", "family_first", "DOB", "ADDRESS", "CITY", "ST", "ZIP", "SSN",
    dob_format="%m/%d/%Y",
    encoding="cp1252",
)  # fmt: skip


def layout_of(path: Path) -> Layout:
    with path.open("rb") as f:
        header = f.readline()
    return PUBLIC_RECORDS if b"FULL_NAME" in header else COURT


def read_rows(path: Path, layout: Layout) -> list[dict[str, str]]:
    with path.open(encoding=layout.encoding, newline="") as f:
        return list(csv.DictReader(f, delimiter=layout.delimiter))


class Timer:
    """Accumulates the time of each labelled call and optionally writes its result."""

    def __init__(self, dump: TextIO | None) -> None:
        self.totals: dict[str, int] = {}
        self.count = 0
        self.dump = dump

    def __call__(self, label: str, fn: Callable[[], object]) -> object:
        start = time.perf_counter_ns()
        try:
            result: object = fn()
        except n.NormalizationError as exc:
            result = exc
        self.totals[label] = self.totals.get(label, 0) + time.perf_counter_ns() - start
        self.count += 1
        if self.dump is not None:
            self.dump.write(f"{label}\t{result!r}\n")
        return result


def run(rows: list[dict[str, str]], layout: Layout, timer: Timer) -> None:
    for row in rows:
        _row(row, layout, timer)


def _row(row: dict[str, str], layout: Layout, t: Timer) -> None:
    name = row[layout.name]
    if name:
        parts = t("split_full_name", lambda: n.split_full_name(name, layout.order))
        if isinstance(parts, n.NameParts):
            for part in (parts.given, parts.middle, parts.family, parts.suffix):
                if part:
                    t("normalize_name", lambda p=part: n.normalize_name(p))
        t("normalize_name", lambda: n.normalize_name(name))
        t("is_latin", lambda: n.is_latin(name))
    if dob := row[layout.dob]:
        t("parse_dob", lambda: n.parse_dob(dob, layout.dob_format))
    t(
        "normalize_address",
        lambda: n.normalize_address(
            row[layout.address] or None,
            row[layout.city] or None,
            row[layout.state] or None,
            row[layout.zip] or None,
            None,
            default_country="US",
        ),
    )
    if layout.phone and (phone := row[layout.phone]):
        t("normalize_phone", lambda: n.normalize_phone(phone, "US"))
    if ssn := row[layout.ssn]:
        t("normalize_identifier", lambda: n.normalize_identifier("ssn", ssn))
    if layout.email and (email := row[layout.email]):
        t("normalize_email", lambda: n.normalize_email(email))
    for column in layout.dates:
        if text := row[column]:
            t("parse_date", lambda text=text: n.parse_date(text))


class GcClock:
    """Time spent in garbage collections, per generation, while installed."""

    def __init__(self) -> None:
        self.ns = [0, 0, 0]
        self._start = 0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._start = time.perf_counter_ns()
        else:
            self.ns[info["generation"]] += time.perf_counter_ns() - self._start


def harness_ns(calls: int) -> float:
    """What ``Timer`` adds to each call it times, measured on a call that does nothing."""
    timer = Timer(None)
    for _ in range(calls):
        timer("noop", _noop)
    return timer.totals["noop"] / calls


def _noop() -> None:
    return None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", type=Path)
    parser.add_argument("--dump", type=Path, help="write the repr of every result here")
    parser.add_argument("--repeat", type=int, default=3, help="runs; the fastest is shown")
    parser.add_argument("--no-gc", action="store_true", help="disable the garbage collector")
    args = parser.parse_args(argv)
    layout = layout_of(args.csv)
    rows = read_rows(args.csv, layout)
    best: tuple[int, Timer, GcClock, int] | None = None
    for repetition in range(1 if args.dump else args.repeat):
        dump = args.dump.open("w", encoding="utf-8") if args.dump else None
        timer, clock = Timer(dump), GcClock()
        n.clear_caches()
        gc.collect()
        gc.callbacks.append(clock)
        if args.no_gc:
            gc.disable()
        start = time.perf_counter_ns()
        run(rows, layout, timer)
        wall = time.perf_counter_ns() - start
        gc.enable()
        gc.callbacks.remove(clock)
        if dump is not None:
            dump.close()
        total = sum(timer.totals.values())
        if best is None or total < best[0]:
            best = (total, timer, clock, wall)
        print(f"run {repetition + 1}: {total / len(rows) / 1000:.2f} µs/row", file=sys.stderr)
    assert best is not None
    total, timer, clock, wall = best
    per_row = 1000 * len(rows)
    calls = timer.count
    overhead = harness_ns(min(calls, 200_000)) * calls
    print(f"{len(rows):,} rows from {args.csv}, fastest of {args.repeat if not args.dump else 1}")
    print(f"{'function':24} {'µs/row':>8}")
    for label, ns in sorted(timer.totals.items(), key=lambda kv: -kv[1]):
        print(f"{label:24} {ns / per_row:8.2f}")
    print(f"{'total (normalisers)':24} {total / per_row:8.2f}")
    calls_per_row = f"{calls / len(rows):.1f} calls/row"
    print(f"{'  of which the timer':24} {overhead / per_row:8.2f}  ({calls_per_row})")
    print(
        f"{'gc, whole run':24} {sum(clock.ns) / per_row:8.2f}  (by generation: "
        + ", ".join(f"{ns / per_row:.2f}" for ns in clock.ns)
        + ")"
    )
    print(f"{'total less timer':24} {(total - overhead) / per_row:8.2f}")
    print(f"{'wall (incl. harness)':24} {wall / per_row:8.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
