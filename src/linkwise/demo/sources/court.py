"""Court dispositions: a CSV exported from a scanned-docket system on Windows.

Windows-1252 bytes (so "GARCÍA" and the "§" of every statute are not UTF-8), CRLF line ends,
upper-case "LAST, FIRST MIDDLE" names in one column, US dates, and OCR slips in names
because the dockets were scanned. Only some cases carry an SSN.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path
from typing import Any

from linkwise.demo.config import WorldConfig
from linkwise.demo.corrupt import Tally, ocr
from linkwise.demo.plan import Visit
from linkwise.demo.sources.base import Draft, SourceWriter
from linkwise.demo.variants import NameRates, PartialDate, vary_dob, vary_name, vary_ssn

COLUMNS = (
    "CASE_NO",
    "COURT",
    "DEFENDANT_NAME",
    "DOB",
    "SEX",
    "SSN",
    "ADDRESS",
    "CITY",
    "ST",
    "ZIP",
    "STATUTE",
    "CHARGE_DESC",
    "OFFENSE_LEVEL",
    "DISPOSITION",
    "DISP_DATE",
)
CHARGES: tuple[tuple[str, str, str], ...] = (
    ("§ 16-1(a)(1)", "THEFT – UNDER $500", "MISDEMEANOR"),
    ("§ 16-1(b)(4)", "THEFT – OVER $500", "FELONY"),
    ("§ 12-3.2", "DOMESTIC BATTERY", "MISDEMEANOR"),
    ("§ 11-501(a)", "DUI – ALCOHOL", "MISDEMEANOR"),
    ("§ 19-1", "BURGLARY", "FELONY"),
    ("§ 402(c)", "POSS. CONTROLLED SUBSTANCE", "FELONY"),
    ("§ 12-3.05", "AGGRAVATED BATTERY", "FELONY"),
    ("§ 6-303", "DRIVING ON SUSPENDED LICENSE", "MISDEMEANOR"),
    ("§ 11-601(b)", "SPEEDING 21-25 MPH OVER LIMIT", "INFRACTION"),
    ("§ 3-707", "OPERATE UNINSURED VEHICLE", "INFRACTION"),
    ("§ 21-3", "CRIMINAL TRESPASS TO LAND", "MISDEMEANOR"),
    ("§ 17-1", "DECEPTIVE PRACTICES – BAD CHECK", "MISDEMEANOR"),
    ("§ 18-1", "ROBBERY", "FELONY"),
    ("§ 26-1", "DISORDERLY CONDUCT", "MISDEMEANOR"),
    ("§ 11-204", "FLEEING OR ATTEMPTING TO ELUDE", "MISDEMEANOR"),
    ("§ 12-1", "ASSAULT", "MISDEMEANOR"),
    ("§ 3-413", "EXPIRED REGISTRATION", "INFRACTION"),
)
DISPOSITIONS = ("CONVICTED", "CONVICTED", "DISMISSED", "DEFERRED", "ACQUITTED", "WITHDRAWN")
_CASE_TYPE = {"FELONY": "CF", "MISDEMEANOR": "CM", "INFRACTION": "TR"}


class CourtWriter(SourceWriter):
    name = "court_dispositions"
    path = "court_dispositions.csv"
    format = "csv"
    encoding = "cp1252"

    def __init__(self, out: Path, config: WorldConfig, seed: int) -> None:
        super().__init__(out, config, seed)
        self.rates = NameRates.from_config(config)
        self._fh = (out / self.path).open("w", encoding=self.encoding, newline="")
        self._csv = csv.writer(self._fh, lineterminator="\r\n")
        self._csv.writerow(COLUMNS)

    def draft(self, visit: Visit) -> Draft:
        p, rng, cfg = visit.person, self.rng, self.config
        slot = p.slot_at(visit.when.toordinal())
        tags = self.start_tags(p, slot)
        name = vary_name(p, rng, self.tally, tags, self.rates, self.encoding)
        text = f"{name.family}, {name.given}"
        if name.middle:
            text += f" {name.middle if rng.random() < 0.6 else name.middle[0]}"
        if name.suffix:
            text += f" {name.suffix}"
        text = text.upper()
        if self.tally.roll(rng, "ocr", cfg.ocr, tags):
            text = ocr(text, rng)
        dob = vary_dob(p, rng, self.tally, tags, missing=cfg.missing_dob, swap=cfg.dob_swap)
        ssn = vary_ssn(p, rng, self.tally, tags, cfg) if rng.random() < 0.45 else ""
        address = p.addresses[slot]
        statute, charge, level = CHARGES[rng.randrange(len(CHARGES))]
        row: dict[str, Any] = {
            "COURT": f"{address.state} CIRCUIT COURT",
            "DEFENDANT_NAME": text,
            "DOB": _dob_text(dob, rng, self.tally, tags, cfg.impossible_dob),
            "SEX": p.sex,
            "SSN": ssn,
            "ADDRESS": address.street_line().upper(),
            "CITY": address.city.upper(),
            "ST": address.state,
            "ZIP": address.zip,
            "STATUTE": statute,
            "CHARGE_DESC": charge,
            "OFFENSE_LEVEL": level,
            "DISPOSITION": DISPOSITIONS[rng.randrange(len(DISPOSITIONS))],
            "DISP_DATE": visit.when.strftime("%m/%d/%Y"),
        }
        return Draft(p, visit.when, row, tags)

    def key(self, draft: Draft, serial: int) -> str:
        code = _CASE_TYPE[draft.row["OFFENSE_LEVEL"]]
        draft.row["CASE_NO"] = key = f"{draft.when.year}{code}{serial:07d}"
        return key

    def append(self, keyed: list[tuple[str, Draft]]) -> None:
        self._csv.writerows([d.row[c] for c in COLUMNS] for _, d in keyed)

    def close(self) -> None:
        self._fh.close()

    def manifest(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": "Criminal court dispositions (scanned dockets)",
            "kind": "court_records",
            "jurisdiction": "US",
            "format": "csv",
            "path": self.path,
            "key": ["CASE_NO"],
            "fields": {
                "full_name": {"column": "DEFENDANT_NAME", "order": "family_first"},
                "dob": {"column": "DOB", "format": "%m/%d/%Y"},
                "sex": "SEX",
                "ssn": "SSN",
                "address_line": "ADDRESS",
                "city": "CITY",
                "region": "ST",
                "postcode": "ZIP",
            },
            "facts": {
                "offense_class": {
                    "column": "OFFENSE_LEVEL",
                    "type": "enum",
                    "values": ["felony", "misdemeanor", "infraction"],
                },
                "disposition": {
                    "column": "DISPOSITION",
                    "type": "enum",
                    "values": ["convicted", "dismissed", "deferred", "acquitted", "withdrawn"],
                },
                "disposition_date": {"column": "DISP_DATE", "type": "date", "format": "%m/%d/%Y"},
                "statute": {"column": "STATUTE"},
                "charge": {"column": "CHARGE_DESC"},
            },
            "markings": ["criminal_justice"],
            "retention_days": 3650,
            "default_region": "US",
        }

    def manifest_comment(self) -> str:
        return (
            "Exported from a Windows docket system: Windows-1252 text (not UTF-8; the encoding\n"
            "is left for detection), CRLF line ends, names as 'LAST, FIRST MIDDLE'."
        )


def _dob_text(
    dob: PartialDate | None, rng: random.Random, tally: Tally, tags: list[str], rate: float
) -> str:
    if not dob or not dob[1] or not dob[2]:
        return ""
    year, month, day = dob
    if tally.roll(rng, "impossible_dob", rate, tags):
        month, day = (2, 30) if rng.random() < 0.5 else (13, day)
    return f"{month:02d}/{day:02d}/{year}"
