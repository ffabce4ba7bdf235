"""Which people appear in which source, how often, and when.

Appearance is correlated the way it is in life: the same small group of people fills the
court and jail files (``justice_involved``), a vehicle owner may register two cars, a
benefit claimant may enrol in several programmes, and a purchased compilation lists a
person once per address it has seen them at. A person can therefore appear several times
in one source, which is the within-source duplicate problem.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field

from linkwise.demo.config import WorldConfig
from linkwise.demo.person import Person

START = dt.date(2010, 1, 1)
END = dt.date(2025, 6, 30)
ADULT_AGE = 18


@dataclass(frozen=True, slots=True)
class Visit:
    """One record to write: the person, the record's date, and its sequence number among
    the person's records in that source (which programme, which address)."""

    person: Person
    when: dt.date
    seq: int


@dataclass(slots=True)
class ChunkPlan:
    visits: dict[str, list[Visit]] = field(default_factory=lambda: defaultdict(list))
    involved: list[Person] = field(default_factory=list)
    """Justice-involved adults of the chunk, whom incident reports mostly mention."""
    adults: list[Person] = field(default_factory=list)


def adult_from(person: Person) -> dt.date:
    dob = person.dob
    day = 28 if (dob.month, dob.day) == (2, 29) else dob.day
    return max(START, dt.date(dob.year + ADULT_AGE, dob.month, day))


def plan_chunk(persons: list[Person], rng: random.Random, config: WorldConfig) -> ChunkPlan:
    plan = ChunkPlan()
    for person in persons:
        first = adult_from(person)
        if first > END:
            continue
        plan.adults.append(person)
        span = END.toordinal() - first.toordinal()

        def day(first: dt.date = first, span: int = span) -> dt.date:
            return dt.date.fromordinal(first.toordinal() + rng.randint(0, span))

        involved = rng.random() < config.justice_involved
        if involved:
            plan.involved.append(person)
        counts = {
            "court_dispositions": _repeat(rng, 0.85, 0.45, 6) if involved else _once(rng, 0.01),
            "jail_bookings": _repeat(rng, 0.7, 0.5, 6) if involved else _once(rng, 0.004),
            "vehicle_registrations": _repeat(rng, config.vehicle_owner, 0.25, 3),
            "benefit_enrolments": _repeat(rng, config.benefit_enrolled, 0.35, 3),
            "civil_case_parties": _repeat(rng, config.civil_party, 0.2, 3),
        }
        for name, count in counts.items():
            plan.visits[name].extend(Visit(person, day(), k) for k in range(count))
        if rng.random() < config.public_records_coverage:
            for k, start in enumerate(person.moves):
                left = person.moves[k + 1] - 1 if k + 1 < len(person.moves) else END.toordinal()
                seen = max(first.toordinal(), start)
                if seen <= left:
                    plan.visits["public_records"].append(
                        Visit(person, dt.date.fromordinal(seen), k)
                    )
    return plan


def _once(rng: random.Random, rate: float) -> int:
    return 1 if rng.random() < rate else 0


def _repeat(rng: random.Random, rate: float, again: float, cap: int) -> int:
    """0 with probability 1-rate, else 1 plus a geometric number of repeats, capped."""
    if rng.random() >= rate:
        return 0
    count = 1
    while count < cap and rng.random() < again:
        count += 1
    return count
