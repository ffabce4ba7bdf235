"""Vehicle registrations: a Parquet extract from a motor-vehicle agency.

Real Arrow types (the owner's birth date is ``date32``, the model year an integer), owner
names in upper case as DMV systems keep them, the driver's licence number, and a composite
key: a plate number is unique only within its state, so the key is (plate_state,
plate_number). The agency always records a birth date, but keying slips swap day and month.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from linkwise.demo.config import WorldConfig
from linkwise.demo.plan import Visit
from linkwise.demo.sources.base import Draft, SourceWriter
from linkwise.demo.variants import NameRates, vary_dob, vary_identifier, vary_name

SCHEMA = pa.schema(
    [
        ("plate_state", pa.string()),
        ("plate_number", pa.string()),
        ("vin", pa.string()),
        ("make", pa.string()),
        ("model", pa.string()),
        ("model_year", pa.int16()),
        ("owner_first", pa.string()),
        ("owner_middle", pa.string()),
        ("owner_last", pa.string()),
        ("owner_dob", pa.date32()),
        ("dl_number", pa.string()),
        ("street_address", pa.string()),
        ("city", pa.string()),
        ("state", pa.string()),
        ("zip", pa.string()),
        ("registered_on", pa.date32()),
        ("expires_on", pa.date32()),
    ]
)
MODELS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("TOYOTA", "4T1", ("CAMRY", "COROLLA", "RAV4", "TACOMA")),
    ("HONDA", "1HG", ("CIVIC", "ACCORD", "CR-V")),
    ("FORD", "1FT", ("F-150", "ESCAPE", "FOCUS", "EXPLORER")),
    ("CHEVROLET", "1G1", ("SILVERADO", "MALIBU", "EQUINOX")),
    ("NISSAN", "1N4", ("ALTIMA", "SENTRA", "ROGUE")),
    ("HYUNDAI", "5NP", ("ELANTRA", "SONATA", "TUCSON")),
    ("KIA", "KNA", ("OPTIMA", "SOUL", "SORENTO")),
    ("JEEP", "1C4", ("WRANGLER", "CHEROKEE")),
    ("SUBARU", "4S3", ("OUTBACK", "FORESTER")),
    ("DODGE", "2C3", ("CHARGER", "RAM 1500")),
)
_VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
_VIN_VALUES = dict(
    zip(
        "ABCDEFGHJKLMNPRSTUVWXYZ",
        (1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 7, 9, 2, 3, 4, 5, 6, 7, 8, 9),
        strict=True,
    )
)
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY123456789"
_PLATE_SPACE = 26**3 * 10**4


def vin(wmi: str, year: int, serial: int, rng_chars: str) -> str:
    """A 17-character VIN with a correct check digit (position 9)."""
    body = f"{wmi}{rng_chars}0{_YEAR_CODES[(year - 1980) % 30]}A{serial % 1_000_000:06d}"
    total = sum(
        (int(ch) if ch.isdigit() else _VIN_VALUES[ch]) * w
        for ch, w in zip(body, _VIN_WEIGHTS, strict=True)
    )
    check = "X" if total % 11 == 10 else str(total % 11)
    return body[:8] + check + body[9:]


def plate(serial: int) -> str:
    """Three letters and four digits, scattered from the serial by a bijection so that
    consecutive registrations do not get consecutive plates."""
    x = (serial * 7919 + 104_729) % _PLATE_SPACE
    letters, digits = divmod(x, 10**4)
    a, rest = divmod(letters, 26 * 26)
    b, c = divmod(rest, 26)
    return f"{chr(65 + a)}{chr(65 + b)}{chr(65 + c)}{digits:04d}"


class VehicleWriter(SourceWriter):
    name = "vehicle_registrations"
    path = "vehicle_registrations.parquet"
    format = "parquet"
    encoding = None

    def __init__(self, out: Path, config: WorldConfig, seed: int) -> None:
        super().__init__(out, config, seed)
        self.rates = NameRates.from_config(config, suffixes=False)
        self._writer = pq.ParquetWriter(out / self.path, SCHEMA, compression="zstd")

    def draft(self, visit: Visit) -> Draft:
        p, rng, cfg = visit.person, self.rng, self.config
        slot = p.slot_at(visit.when.toordinal())
        tags = self.start_tags(p, slot)
        name = vary_name(p, rng, self.tally, tags, self.rates, self.encoding)
        dob = vary_dob(p, rng, self.tally, tags, missing=0.0, swap=cfg.dob_swap)
        assert dob is not None, "a registration always has a birth date"
        year, month, day = dob
        assert month is not None
        assert day is not None
        make, wmi, models = MODELS[rng.randrange(len(MODELS))]
        model_year = max(1990, visit.when.year + 1 - rng.randint(0, 15))
        address = p.addresses[slot]
        chars = "".join(rng.choice(_VIN_CHARS) for _ in range(5))
        row: dict[str, Any] = {
            "plate_state": address.state,
            "make": make,
            "model": models[rng.randrange(len(models))],
            "model_year": model_year,
            "vin": (wmi, model_year, chars),
            "owner_first": name.given.upper(),
            "owner_middle": name.middle[0].upper() if name.middle else None,
            "owner_last": name.family.upper(),
            "owner_dob": dt.date(year, month, day),
            "dl_number": vary_identifier(p.licence, rng, self.tally, tags, cfg),
            "street_address": address.street_line().upper(),
            "city": address.city.upper(),
            "state": address.state,
            "zip": address.zip,
            "registered_on": visit.when,
            "expires_on": visit.when + dt.timedelta(days=365 * rng.choice((1, 2))),
        }
        return Draft(p, visit.when, row, tags)

    def key(self, draft: Draft, serial: int) -> str:
        row = draft.row
        wmi, year, chars = row["vin"]
        row["vin"] = vin(wmi, year, serial, chars)
        row["plate_number"] = plate(serial)
        return json.dumps([row["plate_state"], row["plate_number"]], ensure_ascii=False)

    def append(self, keyed: list[tuple[str, Draft]]) -> None:
        if keyed:
            columns = {f.name: [d.row[f.name] for _, d in keyed] for f in SCHEMA}
            self._writer.write_table(pa.table(columns, schema=SCHEMA))

    def close(self) -> None:
        self._writer.close()

    def manifest(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": "Vehicle registrations",
            "kind": "motor_vehicle_records",
            "jurisdiction": "US",
            "format": "parquet",
            "path": self.path,
            "key": ["plate_state", "plate_number"],
            "fields": {
                "given_name": "owner_first",
                "middle_name": "owner_middle",
                "family_name": "owner_last",
                "dob": "owner_dob",
                "drivers_licence": "dl_number",
                "address_line": "street_address",
                "city": "city",
                "region": "state",
                "postcode": "zip",
            },
            "facts": {
                "vin": {"column": "vin"},
                "make": {"column": "make"},
                "model": {"column": "model"},
                "model_year": {"column": "model_year", "type": "integer"},
                "registration_date": {"column": "registered_on", "type": "date"},
                "expiry_date": {"column": "expires_on", "type": "date"},
            },
            "markings": ["dmv"],
            "retention_days": 1825,
            "default_region": "US",
        }

    def manifest_comment(self) -> str:
        return (
            "A plate number is unique only within its state, so the key is composite; the\n"
            'ingester spells such a source key as a JSON array, e.g. ["IL", "ABC1234"].'
        )
