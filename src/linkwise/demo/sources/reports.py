"""Incident reports: short free-text documents naming one to three people.

Each report names its people the way officers write (``SMITH, William J``, ``Bill Smith``,
then ``Smith`` alone), with a birth date, an address or a phone here and there. Every name
mention is listed in ``truth_mentions.csv`` so document entity extraction and linking can
be scored later; sentences are never wrapped, so a mention is always a verbatim substring.
Reports are not structured records and stay out of ``truth.csv``.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path
from typing import Any

from linkwise.demo.config import WorldConfig
from linkwise.demo.corrupt import Tally
from linkwise.demo.person import Person
from linkwise.demo.plan import END, ChunkPlan, adult_from
from linkwise.demo.rand import child_rng
from linkwise.demo.variants import NameParts, NameRates, dashed_phone, vary_name

NAME = "incident_reports"
FOLDER = "reports"
MENTIONS = "truth_mentions.csv"
DETAILS = "truth_details.csv"
"""Every date, phone and address a report writes, as written, in order: the report's own date
and place (no person), and each date of birth, phone and address said of a person."""
INCIDENTS = (
    ("Disturbance", "there had been a loud argument in the hallway"),
    ("Theft from vehicle", "a bag had been taken from a parked car overnight"),
    ("Noise complaint", "music had been playing loudly after midnight"),
    ("Trespass", "someone had entered the back yard without permission"),
    ("Traffic collision", "two cars had collided at low speed at the intersection"),
    ("Property damage", "a window had been broken sometime during the evening"),
    ("Suspicious person", "a man had been trying car door handles on the street"),
)
AGENCY = "CITY POLICE DEPARTMENT"


class ReportWriter:
    def __init__(self, out: Path, config: WorldConfig, seed: int, people: int) -> None:
        self.folder = out / FOLDER
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("IR-*.txt"):
            old.unlink()
        self.rng = child_rng(seed, "reports")
        self.rates = NameRates.from_config(config)
        self.tally = Tally()
        self.people = people
        self.total = min(config.max_reports, max(1, people // config.people_per_report))
        self.written = 0
        self._fh = (out / MENTIONS).open("w", encoding="utf-8", newline="")
        self._csv = csv.writer(self._fh, lineterminator="\n")
        self._csv.writerow(("document", "mention", "person_id"))
        self._details_fh = (out / DETAILS).open("w", encoding="utf-8", newline="")
        self._details = csv.writer(self._details_fh, lineterminator="\n")
        self._details.writerow(("document", "type", "text", "person_id"))

    def write(self, plan: ChunkPlan, people_done: int) -> None:
        """Write this chunk's share of the reports, so they spread over the population."""
        due = self.total * people_done // self.people
        while self.written < due and plan.adults:
            self._report(plan)

    def _pick(self, plan: ChunkPlan) -> list[Person]:
        rng = self.rng
        wanted = 1 + (rng.random() < 0.55) + (rng.random() < 0.25)
        chosen: dict[str, Person] = {}
        for _ in range(wanted * 3):
            pool = plan.involved if plan.involved and rng.random() < 0.7 else plan.adults
            person = pool[rng.randrange(len(pool))]
            chosen.setdefault(person.pid, person)
            if len(chosen) == wanted:
                break
        return list(chosen.values())

    def _report(self, plan: ChunkPlan) -> None:
        rng = self.rng
        subjects = self._pick(plan)
        first = max(adult_from(p) for p in subjects).toordinal()
        when = dt.date.fromordinal(rng.randint(first, END.toordinal()))
        self.written += 1
        doc = f"IR-{when.year}-{self.written:06d}.txt"
        lead = subjects[0]
        place = lead.addresses[lead.slot_at(when.toordinal())]
        kind, event = INCIDENTS[rng.randrange(len(INCIDENTS))]
        mentions: list[tuple[str, str]] = []
        date = f"{when:%m/%d/%Y}"
        details: list[tuple[str, str, str]] = [  # the report's own date (twice) and place
            ("date:event", date, ""),
            ("address", place.one_line(), ""),
            ("date:event", date, ""),
            ("address", place.street_line(), ""),
        ]
        lines = [
            f"{AGENCY} - INCIDENT REPORT",
            f"Report no.: {doc.removesuffix('.txt')}",
            f"Date: {when:%m/%d/%Y}   Time: {rng.randint(0, 23):02d}:{rng.randrange(60):02d}",
            f"Location: {place.one_line()}",
            f"Type: {kind}",
            f"Reporting officer: badge {rng.randint(1000, 9999)}",
            "",
            "Narrative:",
        ]
        sentences = [f"On {when:%m/%d/%Y} I responded to {place.street_line()} after a call."]
        for role, person in zip(("complainant", "other party", "witness"), subjects, strict=False):
            name = vary_name(person, rng, self.tally, [], self.rates)
            formal, short = _mention_forms(name, rng)
            mentions.append((formal, person.pid))
            said = _detail(person, when, rng)
            detail = said[0] if said else ""
            if said:
                details.append((said[1], said[2], person.pid))
            if role == "complainant":
                sentences.append(f"I spoke with the complainant, {formal}{detail}.")
                sentences.append(f"{short} stated that {event}.")
            elif role == "other party":
                sentences.append(f"The other party involved was identified as {formal}{detail}.")
                sentences.append(f"{short} declined to give a statement.")
            else:
                sentences.append(f"A witness, {formal}{detail}, confirmed the account.")
            if role != "witness":
                mentions.append((short, person.pid))
        sentences.append("No further action was taken at the scene.")
        lines += sentences
        (self.folder / doc).write_text("\n".join(lines) + "\n", encoding="utf-8")
        seen: set[tuple[str, str]] = set()
        for mention in mentions:
            if mention not in seen:
                seen.add(mention)
                self._csv.writerow((doc, *mention))
        for said in details:
            self._details.writerow((doc, *said))

    def close(self) -> None:
        self._fh.close()
        self._details_fh.close()

    def manifest(self) -> dict[str, Any]:
        return {
            "name": NAME,
            "title": "Incident reports (free text)",
            "kind": "case_documents",
            "jurisdiction": "US",
            "format": "documents",
            "path": f"{FOLDER}/",
            "key": ["file"],
            "markings": ["criminal_justice"],
            "retention_days": 3650,
            "default_region": "US",
        }

    def manifest_comment(self) -> str:
        return (
            "A folder of plain-text reports, one document per file and keyed by file name;\n"
            "truth_mentions.csv beside this manifest lists every name mention and its person,\n"
            "truth_details.csv every date of birth, phone and address said of one."
        )


def _mention_forms(name: NameParts, rng: random.Random) -> tuple[str, str]:
    """A formal first mention and the short form used after it."""
    middle = f" {name.middle[0]}" if name.middle and rng.random() < 0.5 else ""
    suffix = f" {name.suffix}" if name.suffix else ""
    style = rng.randrange(3)
    if style == 0:
        formal = f"{name.family.upper()}, {name.given}{middle}{suffix}"
    elif style == 1:
        formal = f"{name.given}{middle} {name.family}{suffix}"
    else:
        formal = f"{name.given[0]}. {name.family}"
    return formal, name.family


def _detail(person: Person, when: dt.date, rng: random.Random) -> tuple[str, str, str] | None:
    """What a report says of a person after their name, if anything: the words, the kind of
    mention in them (as extraction types it) and its text."""
    roll = rng.random()
    if roll < 0.45:
        dob = f"{person.dob:%m/%d/%Y}"
        return f" (DOB {dob})", "date:dob", dob
    if roll < 0.7:
        phone = dashed_phone(person.phone, rng.randrange(3))
        return f", tel. {phone}", "phone", phone
    if roll < 0.85:
        address = person.addresses[person.slot_at(when.toordinal())].one_line()
        return f", of {address}", "address", address
    return None
