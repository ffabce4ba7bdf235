"""Per-call cost of the public normalisers, cold and cached, and a row-throughput estimate.

Not a test (pytest does not collect ``bench_*``): run ``python -m tests.normalize.bench_normalize``
from the repository root. "Cold" clears every normaliser cache before each call, so it is
the cost of a value never seen before; "cached" repeats one value.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
from collections.abc import Callable

import linkwise.normalize as n

TODAY = dt.date(2025, 6, 1)

CASES: list[tuple[str, Callable[[], object]]] = [
    ("fold (ASCII)", lambda: n.fold("José-María O'Neil".encode("ascii", "ignore").decode())),
    ("fold (non-ASCII)", lambda: n.fold("José-María O'Neil")),
    ("script_of", lambda: n.script_of("Александр Иванов")),
    ("is_latin", lambda: n.is_latin("José María")),
    ("split_full_name", lambda: n.split_full_name("SMITH JR, John Paul")),
    ("split_full_name (CJK)", lambda: n.split_full_name("欧阳娜娜")),
    ("normalize_name", lambda: n.normalize_name("García Márquez")),
    ("nickname_candidates", lambda: n.nickname_candidates("william")),
    ("surname_tokens", lambda: n.surname_tokens("de la Cruz")),
    ("parse_date (ISO)", lambda: n.parse_date("1987-05-04", today=TODAY)),
    ("parse_date (US)", lambda: n.parse_date("5/4/87", today=TODAY)),
    ("parse_date (month name)", lambda: n.parse_date("May 4, 1987", today=TODAY)),
    ("parse_date (fmt)", lambda: n.parse_date("05/04/1987", "%m/%d/%Y", today=TODAY)),
    ("parse_dob", lambda: n.parse_dob("05/04/1987", today=TODAY)),
    ("date_from_parts", lambda: n.date_from_parts("1987", "5", "4")),
    ("normalize_phone (NANP fast)", lambda: n.normalize_phone("(415) 555-0123", "US")),
    ("normalize_phone (GB full)", lambda: n.normalize_phone("020 7946 0958", "GB")),
    ("normalize_address (fast)", lambda: n.normalize_address("123 N Main St Apt 4", None, None,
                                                             None, "US")),
    ("normalize_address (fast+tail)", lambda: n.normalize_address(
        "123 Main Street, Springfield, IL 62701")),
    ("normalize_address (PO box)", lambda: n.normalize_address("P.O. Box 45", country="US")),
    ("normalize_address (usaddress)", lambda: n.normalize_address(
        "4567 Martin Luther King Jr Blvd", country="US")),
    ("normalize_address (GB)", lambda: n.normalize_address("10 Downing Street, London SW1A 2AA")),
    ("normalize_postcode", lambda: n.normalize_postcode("62701-1234", "US")),
    ("normalize_region", lambda: n.normalize_region("Calif.", "US")),
    ("normalize_country", lambda: n.normalize_country("United States of America")),
    ("normalize_identifier (ssn)", lambda: n.normalize_identifier("ssn", "123-45-6789")),
    ("normalize_email", lambda: n.normalize_email(" Jane.Doe@Example.COM ")),
    ("normalize_sex", lambda: n.normalize_sex("female")),
]  # fmt: skip


def cold_us(call: Callable[[], object], repeat: int = 300) -> float:
    samples = []
    for _ in range(repeat):
        n.clear_caches()
        start = time.perf_counter_ns()
        call()
        samples.append(time.perf_counter_ns() - start)
    return statistics.median(samples) / 1000


def cached_us(call: Callable[[], object], repeat: int = 50_000) -> float:
    call()
    start = time.perf_counter_ns()
    for _ in range(repeat):
        call()
    return (time.perf_counter_ns() - start) / repeat / 1000


def rows_per_second(rows: int = 50_000, seed: int = 7) -> float:
    """A person row as ingestion sees it: names and dates repeat, addresses and phones less."""
    rng = random.Random(seed)
    given = ["John", "Mary", "José", "Wei", "Fatima", "Robert", "Linda", "Ahmed", "Olga", "Kim"]
    given += [f"Given{i}" for i in range(2000)]
    family = ["Smith", "García Márquez", "de la Cruz", "Nguyen", "Khan", "O'Neil", "Ivanov"]
    family += [f"Family{i}" for i in range(20000)]
    streets = ["Main", "Oak", "Maple", "Cedar", "Elm", "Washington", "Lake", "Hill", "Sunset"]
    # Seven in eight suffixes take the fast path; Cove goes through usaddress.
    suffixes = ["St", "Ave", "Rd", "Dr", "Ln", "Blvd", "Ct", "Cove"]
    areas = [212, 415, 312, 617, 213, 305, 404, 702, 206, 303, 512, 713, 214, 602, 503, 718]
    data = []
    for _ in range(rows):
        dob = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(25000))
        data.append(
            (
                f"{rng.choice(family).upper()}, {rng.choice(given)} {rng.choice(given)}",
                dob.strftime("%m/%d/%Y"),
                f"({rng.choice(areas)}) {rng.randrange(201, 999)}-{rng.randrange(10000):04d}",
                f"{rng.randrange(1, 9999)} {rng.choice(streets)} {rng.choice(suffixes)}",
                f"{rng.randrange(1, 899):03d}-{rng.randrange(1, 99):02d}-{rng.randrange(9999):04d}",
                rng.choice(["M", "F", "male", "female", "U"]),
            )
        )
    n.clear_caches()
    start = time.perf_counter()
    for name, dob_text, phone, line, ssn, sex in data:
        parts = n.split_full_name(name)
        n.normalize_name(parts.given or "")
        n.normalize_name(parts.family or "")
        n.parse_dob(dob_text, today=TODAY)
        n.normalize_phone(phone, "US")
        n.normalize_address(line, "Springfield", "IL", "62701", "US")
        n.normalize_identifier("ssn", ssn)
        n.normalize_sex(sex)
    return rows / (time.perf_counter() - start)


def main() -> None:
    print(f"{'function':34} {'cold µs':>9} {'cached µs':>10}")
    for label, call in CASES:
        print(f"{label:34} {cold_us(call):9.1f} {cached_us(call):10.2f}")
    rate = rows_per_second()
    print(f"\nrows/s, one core, 8 normalisers per row: {rate:,.0f}")
    print(f"1M rows on one core: {1_000_000 / rate:.0f} s")


if __name__ == "__main__":
    main()
