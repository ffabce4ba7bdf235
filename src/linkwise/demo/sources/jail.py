"""Jail bookings: a JSON Lines feed from a jail management system.

Nested objects (the address) become dotted columns (``address.street``) on ingestion; the
charges are a list, which no field maps. Booking officers often enter a name family-first
into the given-name box, so swapped order is more common here than elsewhere.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from linkwise.demo.config import WorldConfig
from linkwise.demo.plan import END, Visit
from linkwise.demo.sources.base import Draft, SourceWriter
from linkwise.demo.sources.court import CHARGES
from linkwise.demo.variants import NameRates, dashed_phone, vary_dob, vary_name

AGENCIES = ("County Sheriff", "City Police Department", "State Police", "Transit Police")
_BOOKING_BASE = 2_400_000


class JailWriter(SourceWriter):
    name = "jail_bookings"
    path = "jail_bookings.jsonl"
    format = "jsonl"
    encoding = "utf-8"

    def __init__(self, out: Path, config: WorldConfig, seed: int) -> None:
        super().__init__(out, config, seed)
        self.rates = NameRates.from_config(config, swapped=config.jail_swapped_order)
        self._fh = (out / self.path).open("w", encoding=self.encoding, newline="\n")

    def draft(self, visit: Visit) -> Draft:
        p, rng, cfg = visit.person, self.rng, self.config
        slot = p.slot_at(visit.when.toordinal())
        tags = self.start_tags(p, slot)
        name = vary_name(p, rng, self.tally, tags, self.rates, self.encoding)
        dob = vary_dob(p, rng, self.tally, tags, missing=cfg.missing_dob, swap=cfg.dob_swap)
        phone = None
        if rng.random() < 0.6:
            number = p.phone
            if p.home_phone and rng.random() < 0.3:
                number = p.home_phone
                self.tally.note("household_phone", tags)
            phone = dashed_phone(number, rng.randrange(3))
        address = p.addresses[slot]
        stay = rng.choice((0, 0, 1, 2, 3, 7, 30, 90))
        released = visit.when + dt.timedelta(days=stay)
        charges = [CHARGES[rng.randrange(len(CHARGES))] for _ in range(rng.randint(1, 3))]
        row: dict[str, Any] = {
            "booking_id": 0,
            "booked_on": visit.when.isoformat(),
            "released_on": released.isoformat() if released <= END else None,
            "agency": AGENCIES[rng.randrange(len(AGENCIES))],
            "first_name": name.given,
            "middle_name": name.middle,
            "last_name": name.family,
            "suffix": name.suffix.upper() if name.suffix else None,
            "sex": p.sex if rng.random() < 0.7 else ("Male" if p.sex == "M" else "Female"),
            "date_of_birth": f"{dob[0]:04d}-{dob[1]:02d}-{dob[2]:02d}" if dob else None,
            "phone": phone,
            "address": {
                "street": address.street_line(full_suffix=True, unit_style=None),
                "unit": address.unit or None,
                "city": address.city,
                "state": address.state,
                "zip": address.zip,
            },
            "charges": [{"statute": s, "description": d} for s, d, _ in charges],
        }
        return Draft(p, visit.when, row, tags)

    def key(self, draft: Draft, serial: int) -> str:
        draft.row["booking_id"] = booking = _BOOKING_BASE + serial
        return str(booking)

    def append(self, keyed: list[tuple[str, Draft]]) -> None:
        self._fh.writelines(json.dumps(d.row, ensure_ascii=False) + "\n" for _, d in keyed)

    def close(self) -> None:
        self._fh.close()

    def manifest(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": "Jail bookings",
            "kind": "jail_records",
            "jurisdiction": "US",
            "format": "jsonl",
            "path": self.path,
            "key": ["booking_id"],
            "fields": {
                "given_name": "first_name",
                "middle_name": "middle_name",
                "family_name": "last_name",
                "name_suffix": "suffix",
                "sex": "sex",
                "dob": "date_of_birth",
                "phone": "phone",
                "address_line": {"columns": ["address.street", "address.unit"], "join": " #"},
                "city": "address.city",
                "region": "address.state",
                "postcode": "address.zip",
            },
            "facts": {
                "booking_date": {"column": "booked_on", "type": "date"},
                "release_date": {"column": "released_on", "type": "date"},
                "agency": {"column": "agency"},
            },
            "markings": ["criminal_justice", "state_custody_sanctuary"],
            "retention_days": 3650,
            "default_region": "US",
        }
