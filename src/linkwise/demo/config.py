"""The knobs of the synthetic world and the summary of what one run realised.

Every rate that shapes the difficulty of the world lives in ``WorldConfig`` so that an
evaluation can say "at a 4% typo rate the resolver misses X%" and a test can check that the
generator delivers the rate it claims. ``world.json`` records the config used.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class WorldConfig:
    """Rates, each a probability unless stated. Record-level rates apply per record to the
    records eligible for them (a nickname needs a given name that has one; a day/month swap
    needs a day of 12 or less that differs from the month)."""

    # Population.
    household_sizes: tuple[float, ...] = (0.30, 0.35, 0.15, 0.12, 0.05, 0.03)
    """Weights of household sizes 1..6 (mean about 2.4)."""
    partner_rate: float = 0.65
    """Households of two or more headed by a couple."""
    roommate_rate: float = 0.12
    """Each further member is an unrelated adult (own surname) rather than a child."""
    mover_rate: float = 0.30
    """Households that move at least once between 2011 and 2024."""
    shelter_rate: float = 0.005
    """People whose only address is the shared shelter address."""
    twin_rate: float = 0.10
    """Households with two or more children whose first two children are twins."""
    jr_sr_rate: float = 0.08
    """Households with a father and a son where the son is named after him (Jr/Sr)."""
    third_rate: float = 0.004
    """Men with the suffix III."""
    double_surname_rate: float = 0.6
    """Hispanic people with two surnames (paternal and maternal)."""
    hyphenated_rate: float = 0.03
    """Other adults with a hyphenated surname."""
    email_rate: float = 0.55
    fictional_phone_rate: float = 0.05
    """Phones in the 555-01XX range reserved for fiction."""
    home_phone_rate: float = 0.3
    """Households of two or more sharing a landline some records give instead of a mobile."""

    # Who appears in which source.
    justice_involved: float = 0.08
    """People with court and jail records (a few others have one each)."""
    vehicle_owner: float = 0.45
    benefit_enrolled: float = 0.12
    civil_party: float = 0.06
    public_records_coverage: float = 0.7
    people_per_report: int = 50
    max_reports: int = 3000

    # Record difficulties.
    typo: float = 0.04
    """Keyboard-adjacent substitution, deletion or transposition in one name part."""
    ocr: float = 0.12
    """OCR confusion (0/O, 1/l/I, 5/S, rn/m) in scanned court records."""
    nickname: float = 0.08
    civil_nickname: float = 0.40
    """Civil filings use the name people go by far more often."""
    translit: float = 0.35
    """Another romanisation of an Arabic, Chinese, Russian, Vietnamese, ... name."""
    swapped_order: float = 0.02
    swapped_order_family_first: float = 0.15
    """Given and family name swapped, for origins that write the family name first."""
    jail_swapped_order: float = 0.06
    partial_surname: float = 0.35
    """Only one part of a double or hyphenated surname."""
    no_diacritics: float = 0.6
    suffix_dropped: float = 0.3
    missing_dob: float = 0.04
    partial_dob: float = 0.06
    """Year only or year and month, where the source format allows it."""
    civil_missing_dob: float = 0.45
    civil_partial_dob: float = 0.35
    dob_swap: float = 0.02
    impossible_dob: float = 0.004
    """Court clerks' keying slips that make a date impossible (30 February, month 13): these
    rows are quarantined at ingestion, which the demo should show."""
    id_typo: float = 0.02
    """One digit changed or two adjacent digits transposed in an SSN or licence number."""
    generic_ssn: float = 0.01
    """Records carrying the placeholder SSN 123-45-6789 instead of the person's own."""
    ragged_row: float = 0.005
    """Public-records rows with a trailing extra delimiter or a missing last field."""


@dataclass(frozen=True, slots=True)
class SourceSummary:
    name: str
    manifest: str
    path: str
    format: str
    encoding: str | None
    records: int


@dataclass(frozen=True, slots=True)
class WorldSummary:
    people: int
    seed: int
    households: int
    sources: tuple[SourceSummary, ...]
    files: tuple[str, ...]
    """Every file written, relative to the output folder (the report folder as one entry)."""
    difficulties: Mapping[str, int] = field(default_factory=dict)
    """Realised count of each difficulty tag over all structured records."""
    population: Mapping[str, int] = field(default_factory=dict)
    """Person-level features: twin pairs, Jr/Sr pairs, shelter residents, movers, ..."""

    @property
    def record_counts(self) -> dict[str, int]:
        return {s.name: s.records for s in self.sources}

    @property
    def records(self) -> int:
        return sum(s.records for s in self.sources)

    def __rich__(self) -> str:
        """Rich (the CLI's console) prints this instead of the dataclass repr."""
        return self.describe()

    def describe(self) -> str:
        """A few plain lines for a terminal."""
        lines = [f"{self.people} people in {self.households} households (seed {self.seed})"]
        lines += [f"  {s.name}: {s.records} records in {s.path}" for s in self.sources]
        hard = ", ".join(f"{k} {v}" for k, v in sorted(self.difficulties.items()))
        lines.append(f"  difficulties: {hard}")
        return "\n".join(lines)
