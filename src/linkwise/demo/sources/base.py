"""What every source writer shares: drafting records, keying them, and its manifest.

A writer receives a chunk of ``Visit``s, drafts one row per visit (the person as this source
would have recorded them), shuffles the chunk so a person's records do not sit together,
assigns keys in file order and appends the rows to its file. It never holds more than one
chunk, which keeps memory flat from a thousand people to a million.
"""

from __future__ import annotations

import datetime as dt
import random
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from linkwise.demo.config import WorldConfig
from linkwise.demo.corrupt import Tally
from linkwise.demo.person import Person
from linkwise.demo.plan import Visit
from linkwise.demo.rand import child_rng


@dataclass(slots=True)
class Draft:
    person: Person
    when: dt.date
    row: dict[str, Any]
    tags: list[str] = field(default_factory=list)


class SourceWriter(ABC):
    name: ClassVar[str]
    path: ClassVar[str]
    """File (or for sql, database file) relative to the output folder and the manifest."""
    format: ClassVar[str]
    encoding: ClassVar[str | None]
    """Text encoding of the file; None for binary formats."""

    def __init__(self, out: Path, config: WorldConfig, seed: int) -> None:
        self.out = out
        self.config = config
        self.rng: random.Random = child_rng(seed, f"source:{self.name}")
        self.tally = Tally()
        self.records = 0

    def write(self, visits: list[Visit]) -> list[tuple[str, Draft]]:
        """Draft, shuffle, key and write one chunk; returns (source key, draft) pairs."""
        drafts = [self.draft(v) for v in visits]
        self.rng.shuffle(drafts)
        keyed = []
        for draft in drafts:
            self.records += 1
            keyed.append((self.key(draft, self.records), draft))
        self.append(keyed)
        return keyed

    @abstractmethod
    def draft(self, visit: Visit) -> Draft:
        """The row this source holds for one visit, with its difficulty tags."""

    @abstractmethod
    def key(self, draft: Draft, serial: int) -> str:
        """Set the row's key column(s) from the file-order serial; return the key as the
        ingester spells a source key."""

    @abstractmethod
    def append(self, keyed: list[tuple[str, Draft]]) -> None: ...

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def manifest(self) -> dict[str, Any]:
        """The source manifest (DESIGN.md section 4) as plain data for YAML."""

    def manifest_comment(self) -> str:
        """Lines written above the manifest; override to explain a choice."""
        return ""

    def start_tags(self, person: Person, slot: int | None = None) -> list[str]:
        tags: list[str] = []
        for tag in person.person_tags(slot):
            self.tally.note(tag, tags)
        return tags
