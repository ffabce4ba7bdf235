"""The shape of a policy pack (DESIGN.md §5).

A pack is a YAML file naming the purposes data may be used for, the markings sources carry
with the law behind each, the legal processes that can unlock a marking, and the attributes
that may never be ingested. This module holds only the shape and its internal consistency;
decisions made from a pack belong to ``linkwise.govern``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Name = Annotated[str, Field(pattern=r"^[a-z0-9_]+$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Purpose(_Strict):
    title: str
    description: str = ""


class LegalProcess(_Strict):
    title: str
    description: str = ""


class Unlock(_Strict):
    process: Name
    purposes: list[Name]


class Marking(_Strict):
    title: str
    authority: str
    """The statute or rule that restricts data carrying this marking."""
    default: Literal["allow", "redact", "deny"] = "allow"
    prohibited_purposes: list[Name] = Field(default_factory=list)
    unlocked_by: list[Unlock] = Field(default_factory=list)


class ProhibitedAttribute(_Strict):
    title: str
    authority: str
    reason: str
    aliases: list[str] = Field(default_factory=list)
    """Words that name this attribute in a column or fact name (matched on whole words)."""


class PolicyPack(_Strict):
    name: Name
    version: str
    title: str
    disclaimer: str
    purposes: dict[Name, Purpose]
    legal_processes: dict[Name, LegalProcess] = Field(default_factory=dict)
    markings: dict[Name, Marking] = Field(default_factory=dict)
    prohibited_attributes: dict[Name, ProhibitedAttribute] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _references_resolve(self) -> PolicyPack:
        problems: list[str] = []
        for mname, marking in self.markings.items():
            for purpose in marking.prohibited_purposes:
                if purpose not in self.purposes:
                    problems.append(f"markings.{mname}.prohibited_purposes: unknown {purpose!r}")
            for i, unlock in enumerate(marking.unlocked_by):
                if unlock.process not in self.legal_processes:
                    problems.append(
                        f"markings.{mname}.unlocked_by[{i}].process: unknown {unlock.process!r}"
                    )
                problems.extend(
                    f"markings.{mname}.unlocked_by[{i}].purposes: unknown {p!r}"
                    for p in unlock.purposes
                    if p not in self.purposes
                )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def prohibited_match(self, name: str) -> tuple[str, ProhibitedAttribute] | None:
        """The prohibited attribute a column or fact name denotes, if any.

        Names are split into words (``UNION_MEMBER``, ``unionMember`` and ``union member`` all
        give ``union member``) and compared with each attribute's key and aliases as whole
        word sequences, so ``religion_code`` matches but ``reunion_date`` does not.
        """
        words = _words(name)
        padded = f" {' '.join(words)} "
        for key, attr in self.prohibited_attributes.items():
            for alias in (key, *attr.aliases):
                if f" {' '.join(_words(alias))} " in padded:
                    return key, attr
        return None


def _words(text: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", text)
    return [w for w in re.split(r"[^a-z0-9]+", spaced.lower()) if w]


def load_policy_pack(path: Path) -> PolicyPack:
    from linkwise.model.config import load

    return load(path, PolicyPack)


def default_pack_path() -> Path:
    return Path(__file__).resolve().parent.parent / "packs" / "demo.yaml"
