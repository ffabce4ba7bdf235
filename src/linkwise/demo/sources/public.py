"""A purchased public-records compilation: pipe-separated UTF-8 text with a byte-order mark.

One row per person and address the vendor has seen them at, so a person who moved appears
with each old address and its first- and last-seen dates. Names are one string ("John A
Smith Jr"), birth dates are prose ("May 4, 1987") or just a year, and a few rows are
ragged: a trailing extra delimiter, or the last field missing altogether.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

from linkwise.demo.config import WorldConfig
from linkwise.demo.plan import END, Visit
from linkwise.demo.sources.base import Draft, SourceWriter
from linkwise.demo.variants import (
    NameRates,
    dashed_phone,
    dashed_ssn,
    vary_dob,
    vary_name,
    vary_ssn,
)

COLUMNS = (
    "RECORD_ID",
    "FULL_NAME",
    "DOB",
    "SSN",
    "PHONE",
    "EMAIL",
    "ADDRESS",
    "CITY",
    "STATE",
    "ZIP",
    "FIRST_SEEN",
    "LAST_SEEN",
)
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_ID_SPACE = 10**12


def prose_date(year: int, month: int | None, day: int | None) -> str:
    if month is None:
        return str(year)
    if day is None:
        return f"{_MONTHS[month - 1]} {year}"
    return f"{_MONTHS[month - 1]} {day}, {year}"


class PublicRecordsWriter(SourceWriter):
    name = "public_records"
    path = "public_records.csv"
    format = "csv"
    encoding = "utf-8-sig"

    def __init__(self, out: Path, config: WorldConfig, seed: int) -> None:
        super().__init__(out, config, seed)
        self.rates = NameRates.from_config(config)
        self._fh = (out / self.path).open("w", encoding=self.encoding, newline="")
        self._csv = csv.writer(self._fh, delimiter="|", lineterminator="\n")
        self._csv.writerow(COLUMNS)

    def draft(self, visit: Visit) -> Draft:
        p, rng, cfg = visit.person, self.rng, self.config
        slot = visit.seq
        tags = self.start_tags(p, slot)
        name = vary_name(p, rng, self.tally, tags, self.rates, self.encoding)
        parts = [name.given]
        if name.middle and rng.random() < 0.7:
            parts.append(name.middle[0])
        parts.append(name.family)
        if name.suffix:
            parts.append(name.suffix)
        dob = vary_dob(
            p,
            rng,
            self.tally,
            tags,
            missing=cfg.missing_dob,
            partial=cfg.partial_dob,
            swap=cfg.dob_swap,
        )
        ssn = dashed_ssn(vary_ssn(p, rng, self.tally, tags, cfg)) if rng.random() < 0.6 else ""
        phone = p.phone
        if p.home_phone and rng.random() < 0.3:
            phone = p.home_phone
            self.tally.note("household_phone", tags)
        address = p.addresses[slot]
        left = p.moves[slot + 1] - 1 if slot + 1 < len(p.moves) else END.toordinal()
        seen_from = visit.when.toordinal() + rng.randint(0, (left - visit.when.toordinal()) // 3)
        seen_until = rng.randint(max(seen_from, left - 400), left)
        row: dict[str, Any] = {
            "FULL_NAME": " ".join(parts),
            "DOB": prose_date(*dob) if dob else "",
            "SSN": ssn,
            "PHONE": dashed_phone(phone, rng.randrange(5)) if rng.random() < 0.8 else "",
            "EMAIL": p.email or "",
            "ADDRESS": address.street_line(unit_style="#" if rng.random() < 0.5 else "Apt"),
            "CITY": address.city,
            "STATE": address.state,
            "ZIP": address.zip,
            "FIRST_SEEN": dt.date.fromordinal(seen_from).isoformat(),
            "LAST_SEEN": dt.date.fromordinal(seen_until).isoformat(),
        }
        if self.tally.roll(rng, "ragged_row", cfg.ragged_row, tags):
            row["_ragged"] = "extra" if rng.random() < 0.5 else "short"
        return Draft(p, visit.when, row, tags)

    def key(self, draft: Draft, serial: int) -> str:
        draft.row["RECORD_ID"] = key = f"{(serial * 7919 + 31337) % _ID_SPACE:012d}"
        return key

    def append(self, keyed: list[tuple[str, Draft]]) -> None:
        for _, d in keyed:
            fields = [d.row[c] for c in COLUMNS]
            ragged = d.row.get("_ragged")
            if ragged == "extra":
                fields.append("")
            elif ragged == "short":
                fields.pop()
            self._csv.writerow(fields)

    def close(self) -> None:
        self._fh.close()

    def manifest(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": "Public-records compilation (purchased)",
            "kind": "commercial_data",
            "jurisdiction": "US",
            "format": "csv",
            "path": self.path,
            "key": ["RECORD_ID"],
            "fields": {
                "full_name": {"column": "FULL_NAME", "order": "given_first"},
                "dob": "DOB",
                "ssn": "SSN",
                "phone": "PHONE",
                "email": "EMAIL",
                "address_line": "ADDRESS",
                "city": "CITY",
                "region": "STATE",
                "postcode": "ZIP",
            },
            "facts": {
                "first_seen": {"column": "FIRST_SEEN", "type": "date"},
                "last_seen": {"column": "LAST_SEEN", "type": "date"},
            },
            "markings": ["purchased_public_records", "credit_header_ssn"],
            "retention_days": 730,
            "default_region": "US",
        }

    def manifest_comment(self) -> str:
        return (
            "UTF-8 with a byte-order mark, '|'-separated (neither declared: both are left to\n"
            "detection). A few rows are ragged, as vendor files are."
        )
