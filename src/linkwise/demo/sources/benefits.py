"""Benefit enrolments: a table in a SQLite database of a benefits agency.

Birth dates come as separate year, month and day columns (intake forms that allow "year
only"), SSNs with dashes, and a ``native_name`` column in the applicant's own script, filled
for some applicants whose names are Arabic, Chinese or Russian. Programmes are food,
cash and energy assistance only: health programmes would be special-category data.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from linkwise.demo.config import WorldConfig
from linkwise.demo.plan import Visit
from linkwise.demo.sources.base import Draft, SourceWriter
from linkwise.demo.variants import (
    NameRates,
    dashed_phone,
    dashed_ssn,
    vary_dob,
    vary_name,
    vary_ssn,
)

TABLE = "enrolments"
PROGRAMMES = ("SNAP", "TANF", "LIHEAP")
STATUSES = ("active", "active", "closed", "pending")
COLUMNS: tuple[tuple[str, str], ...] = (
    ("enrolment_id", "INTEGER PRIMARY KEY"),
    ("program", "TEXT NOT NULL"),
    ("status", "TEXT NOT NULL"),
    ("enrolled_on", "TEXT NOT NULL"),
    ("first_name", "TEXT"),
    ("middle_name", "TEXT"),
    ("last_name", "TEXT"),
    ("native_name", "TEXT"),
    ("sex", "TEXT"),
    ("birth_year", "INTEGER"),
    ("birth_month", "INTEGER"),
    ("birth_day", "INTEGER"),
    ("ssn", "TEXT"),
    ("phone_number", "TEXT"),
    ("email", "TEXT"),
    ("street", "TEXT"),
    ("apt", "TEXT"),
    ("city", "TEXT"),
    ("state", "TEXT"),
    ("zip", "TEXT"),
    ("household_size", "INTEGER"),
)


class BenefitsWriter(SourceWriter):
    name = "benefit_enrolments"
    path = "benefits.sqlite"
    format = "sql"
    encoding = None

    def __init__(self, out: Path, config: WorldConfig, seed: int) -> None:
        super().__init__(out, config, seed)
        self.rates = NameRates.from_config(config, suffixes=False)
        self._final = out / self.path
        self._temp = out / (self.path + ".partial")
        self._temp.unlink(missing_ok=True)
        self._db = sqlite3.connect(self._temp)
        self._db.execute("PRAGMA journal_mode = OFF")
        self._db.execute("PRAGMA synchronous = OFF")
        spec = ", ".join(f"{n} {t}" for n, t in COLUMNS)
        self._db.execute(f"CREATE TABLE {TABLE} ({spec})")
        marks = ", ".join("?" for _ in COLUMNS)
        self._insert = f"INSERT INTO {TABLE} VALUES ({marks})"

    def draft(self, visit: Visit) -> Draft:
        p, rng, cfg = visit.person, self.rng, self.config
        slot = p.slot_at(visit.when.toordinal())
        tags = self.start_tags(p, slot)
        name = vary_name(p, rng, self.tally, tags, self.rates, self.encoding)
        dob = vary_dob(
            p,
            rng,
            self.tally,
            tags,
            missing=cfg.missing_dob,
            partial=cfg.partial_dob,
            swap=cfg.dob_swap,
        )
        native = p.native_name if rng.random() < 0.6 else None
        phone = p.phone
        if p.home_phone and rng.random() < 0.4:
            phone = p.home_phone
            self.tally.note("household_phone", tags)
        address = p.addresses[slot]
        row: dict[str, Any] = {
            "program": PROGRAMMES[(p.index + visit.seq) % len(PROGRAMMES)],
            "status": STATUSES[rng.randrange(len(STATUSES))],
            "enrolled_on": visit.when.isoformat(),
            "first_name": name.given,
            "middle_name": name.middle,
            "last_name": name.family,
            "native_name": native,
            "sex": p.sex,
            "birth_year": dob[0] if dob else None,
            "birth_month": dob[1] if dob else None,
            "birth_day": dob[2] if dob else None,
            "ssn": dashed_ssn(vary_ssn(p, rng, self.tally, tags, cfg)),
            "phone_number": dashed_phone(phone, 1),
            "email": p.email if rng.random() < 0.7 else None,
            "street": address.street_line(unit_style=None),
            "apt": address.unit or None,
            "city": address.city,
            "state": address.state,
            "zip": address.zip,
            "household_size": p.household_size,
        }
        return Draft(p, visit.when, row, tags)

    def key(self, draft: Draft, serial: int) -> str:
        draft.row["enrolment_id"] = serial
        return str(serial)

    def append(self, keyed: list[tuple[str, Draft]]) -> None:
        names = [n for n, _ in COLUMNS]
        self._db.executemany(self._insert, ([d.row[n] for n in names] for _, d in keyed))
        self._db.commit()

    def close(self) -> None:
        self._db.commit()
        self._db.close()
        os.replace(self._temp, self._final)

    def manifest(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": "Benefit programme enrolments",
            "kind": "benefit_records",
            "jurisdiction": "US",
            "format": "sql",
            "url": f"sqlite:///{self.path}",
            "table": TABLE,
            "key": ["enrolment_id"],
            "fields": {
                "given_name": "first_name",
                "middle_name": "middle_name",
                "family_name": "last_name",
                "name_original": "native_name",
                "sex": "sex",
                "birth_year": "birth_year",
                "birth_month": "birth_month",
                "birth_day": "birth_day",
                "ssn": "ssn",
                "phone": "phone_number",
                "email": "email",
                "address_line": {"columns": ["street", "apt"], "join": " Apt "},
                "city": "city",
                "region": "state",
                "postcode": "zip",
            },
            "facts": {
                "programme": {"column": "program", "type": "enum", "values": list(PROGRAMMES)},
                "status": {
                    "column": "status",
                    "type": "enum",
                    "values": ["active", "closed", "pending"],
                },
                "enrolment_date": {"column": "enrolled_on", "type": "date"},
                "household_size": {"column": "household_size", "type": "integer"},
            },
            "markings": ["benefits"],
            "retention_days": 2555,
            "default_region": "US",
        }

    def manifest_comment(self) -> str:
        return (
            "A relative sqlite:/// path is relative to this manifest's folder, not to the\n"
            "current directory: sqlite:///benefits.sqlite is the file beside this manifest."
        )
