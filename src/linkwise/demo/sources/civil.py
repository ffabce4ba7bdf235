"""Civil case parties: a semicolon-separated Latin-1 export from a civil case system.

Parties are named as they sign ("Bill Smith", "Paco García"), so nicknames are common;
birth dates are often missing or only a year; addresses are one line; and the case
caption is a multi-line quoted field, which a reader must not split into rows.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from linkwise.demo.config import WorldConfig
from linkwise.demo.corrupt import fit_charset
from linkwise.demo.plan import Visit
from linkwise.demo.sources.base import Draft, SourceWriter
from linkwise.demo.variants import NameRates, vary_dob, vary_name

COLUMNS = (
    "PARTY_ID",
    "CASE_NUMBER",
    "FILED",
    "CASE_TYPE",
    "CAPTION",
    "ROLE",
    "PARTY_NAME",
    "BIRTH_DATE",
    "ADDRESS",
)
CASE_TYPES: tuple[tuple[str, str, str], ...] = (
    ("eviction", "EV", "defendant"),
    ("debt_collection", "DC", "defendant"),
    ("small_claims", "SC", "plaintiff"),
    ("contract", "CH", "plaintiff"),
    ("personal_injury", "PI", "plaintiff"),
    ("property_damage", "PD", "defendant"),
)
COUNTERPARTIES = (
    "LAKESIDE REALTY GROUP LLC",
    "NORTHGATE APARTMENTS LP",
    "CARDINAL CREDIT UNION",
    "SUMMIT AUTO FINANCE INC.",
    "PRAIRIE MUTUAL INSURANCE CO.",
    "BLUE HERON PROPERTY MANAGEMENT LLC",
    "CAPITOL RECOVERY SERVICES LLC",
    "GREENLEAF HOME IMPROVEMENT INC.",
)


class CivilWriter(SourceWriter):
    name = "civil_case_parties"
    path = "civil_case_parties.csv"
    format = "csv"
    encoding = "latin-1"

    def __init__(self, out: Path, config: WorldConfig, seed: int) -> None:
        super().__init__(out, config, seed)
        self.rates = NameRates.from_config(config, nickname=config.civil_nickname)
        self._fh = (out / self.path).open("w", encoding=self.encoding, newline="")
        self._csv = csv.writer(self._fh, delimiter=";", lineterminator="\n")
        self._csv.writerow(COLUMNS)

    def draft(self, visit: Visit) -> Draft:
        p, rng, cfg = visit.person, self.rng, self.config
        slot = p.slot_at(visit.when.toordinal())
        tags = self.start_tags(p, slot)
        name = vary_name(p, rng, self.tally, tags, self.rates, self.encoding)
        text = name.given
        if name.middle and rng.random() < 0.2:
            text += f" {name.middle[0]}."
        text += f" {name.family}"
        if name.suffix:
            text += f" {name.suffix}."
        dob = vary_dob(
            p,
            rng,
            self.tally,
            tags,
            missing=cfg.civil_missing_dob,
            partial=cfg.civil_partial_dob,
            swap=cfg.dob_swap,
        )
        birth = ""
        if dob is not None:
            birth = "-".join(f"{part:02d}" for part in dob if part is not None)
        case_type, _, usual_role = CASE_TYPES[rng.randrange(len(CASE_TYPES))]
        role = usual_role if rng.random() < 0.85 else _other_side(usual_role)
        other = COUNTERPARTIES[rng.randrange(len(COUNTERPARTIES))]
        plaintiff, defendant = (
            (text.upper(), other) if role == "plaintiff" else (other, text.upper())
        )
        row: dict[str, Any] = {
            "FILED": visit.when.isoformat(),
            "CASE_TYPE": case_type,
            "CAPTION": f"{plaintiff},\nPlaintiff,\nv.\n{defendant},\nDefendant.",
            "ROLE": role,
            "PARTY_NAME": text,
            "BIRTH_DATE": birth,
            "ADDRESS": fit_charset(p.addresses[slot].one_line(), self.encoding),
        }
        return Draft(p, visit.when, row, tags)

    def key(self, draft: Draft, serial: int) -> str:
        code = next(c for t, c, _ in CASE_TYPES if t == draft.row["CASE_TYPE"])
        draft.row["CASE_NUMBER"] = f"{draft.when.year}-{code}-{serial:06d}"
        draft.row["PARTY_ID"] = key = f"CP-{serial:07d}"
        return key

    def append(self, keyed: list[tuple[str, Draft]]) -> None:
        self._csv.writerows([d.row[c] for c in COLUMNS] for _, d in keyed)

    def close(self) -> None:
        self._fh.close()

    def manifest(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": "Civil case parties",
            "kind": "court_records",
            "jurisdiction": "US",
            "format": "csv",
            "path": self.path,
            "key": ["PARTY_ID"],
            "fields": {
                "full_name": {"column": "PARTY_NAME", "order": "given_first"},
                "dob": "BIRTH_DATE",
                "address_line": "ADDRESS",
            },
            "facts": {
                "case_number": {"column": "CASE_NUMBER"},
                "filing_date": {"column": "FILED", "type": "date"},
                "case_type": {
                    "column": "CASE_TYPE",
                    "type": "enum",
                    "values": [t for t, _, _ in CASE_TYPES],
                },
                "party_role": {
                    "column": "ROLE",
                    "type": "enum",
                    "values": ["plaintiff", "defendant"],
                },
            },
            "markings": ["civil_court"],
            "retention_days": 3650,
            "default_region": "US",
            "options": {"encoding": "latin-1", "delimiter": ";"},
        }

    def manifest_comment(self) -> str:
        return (
            "Latin-1, semicolon-separated; CAPTION holds quoted line breaks. Birth dates are\n"
            "ISO when complete, otherwise YYYY-MM or YYYY."
        )


def _other_side(role: str) -> str:
    return "defendant" if role == "plaintiff" else "plaintiff"
