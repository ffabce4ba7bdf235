"""The shape of a policy pack (DESIGN.md §5).

A pack is a YAML file naming the purposes data may be used for, the markings sources carry
with the law behind each, the legal processes that can unlock a marking (and who may record
and approve each), and the attributes that may never be ingested. This module holds only the
shape and its internal consistency; decisions made from a pack belong to
``linkwise.govern.policy``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from linkwise.model.documents import KINDS
from linkwise.model.fields import FIELDS, IDENTIFIER_FIELDS
from linkwise.model.priority import PriorityRule, PrioritySettings, rule_problems
from linkwise.model.roles import Role

Name = Annotated[str, Field(pattern=r"^[a-z0-9_]+$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Purpose(_Strict):
    title: str
    description: str = ""
    opened_by: list[Role] = Field(default_factory=lambda: [Role.ANALYST, Role.SUPERVISOR])
    """Roles that may open a case with this purpose."""


class LegalProcess(_Strict):
    title: str
    description: str = ""
    judicial: bool = False
    """Issued by a judge (a warrant or court order), as opposed to an agency's own process."""
    recorded_by: list[Role] = Field(
        default_factory=lambda: [Role.ANALYST, Role.SUPERVISOR, Role.LEGAL_REVIEWER]
    )
    """Roles that may record an authorisation of this type."""
    approved_by: list[Role] = Field(default_factory=lambda: [Role.LEGAL_REVIEWER])
    """Roles one of which must approve it (never its recorder) before it unlocks anything;
    empty: effective once recorded."""


class Unlock(_Strict):
    process: Name
    purposes: list[Name]
    use_limited_to_case: bool = False
    """The authorisation unlocks the marking only inside the case it was recorded for."""


NAME_FIELDS = ("given_name", "middle_name", "family_name")
"""Name fields a corroboration may require to agree (each is compared on its own)."""
CORROBORATING_IDENTIFIERS = tuple(
    f for f in IDENTIFIER_FIELDS if f not in ("case_number", "booking_number")
)
"""Identifiers that can corroborate who a person is: case and booking numbers name an event,
not a person, and resolution never compares them."""


class Corroboration(_Strict):
    """A statutory precondition on disclosure: a record carrying the marking is shown only
    when a stored link ties it to the subject with every name in ``names`` agreeing and at
    least one identifier in ``identifiers`` agreeing exactly. The 26 U.S.C. § 6103 example:
    return information found by a match on name alone is someone's, not necessarily the
    subject's, and disclosing it would be an unauthorised disclosure."""

    names: list[str] = Field(default_factory=lambda: ["given_name", "family_name"])
    identifiers: list[str]
    reason: str = ""
    """Why the precondition exists, as a person reads it (cited in every decision it makes)."""


class Marking(_Strict):
    title: str
    authority: str
    """The statute or rule that restricts data carrying this marking."""
    default: Literal["allow", "redact", "deny"] = "allow"
    prohibited_purposes: list[Name] = Field(default_factory=list)
    unlocked_by: list[Unlock] = Field(default_factory=list)
    never_disclosed: bool = False
    """No process unlocks it, for any purpose (e.g. 8 U.S.C. § 1367)."""
    fields: list[str] | None = None
    """Canonical fields the marking restricts; absent: the whole record. A field brings the
    fields that would give it away (``entangled_fields``)."""
    requires_corroboration: Corroboration | None = None
    """A precondition checked before any value carrying the marking is shown, even under an
    authorisation that unlocks it."""

    @field_validator("fields")
    @classmethod
    def _with_entangled_fields(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else entangled_fields(value)


NAME_PARTS = ("given_name", "middle_name", "family_name", "name_suffix")
WHOLE_NAMES = ("full_name", "name_original")
DATE_FIELDS = ("dob", "birth_year", "birth_month", "birth_day")


def entangled_fields(fields: list[str]) -> list[str]:
    """``fields`` with the fields that would give a restricted one away, the fields given
    first, in their order:

    * a full name (and a name in its original script, written from it) holds every part,
      and the parts may have been split from a full name at ingestion: a part brings the
      whole names, and a whole name brings every part and the other whole name;
    * a generational suffix may have been read off the end of a family name ("garcia jr"):
      each brings the other;
    * a date of birth holds its year, month and day, which are decided as the date: any of
      them brings all four.
    """
    extra: list[str] = []
    if any(f in WHOLE_NAMES for f in fields):
        extra += [*NAME_PARTS, *WHOLE_NAMES]
    elif any(f in NAME_PARTS for f in fields):
        extra += WHOLE_NAMES
    if "name_suffix" in fields or "family_name" in fields:
        extra += ["family_name", "name_suffix"]
    if any(f in DATE_FIELDS for f in fields):
        extra += DATE_FIELDS
    return list(dict.fromkeys([*fields, *extra]))


class ProhibitedAttribute(_Strict):
    title: str
    authority: str
    reason: str
    aliases: list[str] = Field(default_factory=list)
    """Words that name this attribute in a column or fact name (matched on whole words)."""


class DocumentTemplate(_Strict):
    """A drafted document's template (``linkwise.drafting``): a Jinja2 file kept with the
    pack, and who may sign off documents drafted from it."""

    title: str
    file: str
    """Path of the Jinja2 template, relative to the pack's folder (a workspace's own copy
    first, then linkwise's built-in pack folder)."""
    signed_by: list[Role] = Field(default_factory=lambda: [Role.LEGAL_REVIEWER])
    """Roles one of which must sign a draft off (never its drafter) before it is final."""


class PolicyPack(_Strict):
    name: Name
    version: str
    title: str
    disclaimer: str
    purposes: dict[Name, Purpose]
    legal_processes: dict[Name, LegalProcess] = Field(default_factory=dict)
    markings: dict[Name, Marking] = Field(default_factory=dict)
    prohibited_attributes: dict[Name, ProhibitedAttribute] = Field(default_factory=dict)
    templates: dict[Name, DocumentTemplate] = Field(default_factory=dict)
    """Document kind (``linkwise.model.documents.KINDS``) → its template."""
    priority_rules: dict[Name, PriorityRule] = Field(default_factory=dict)
    """Rule name → conditions over record facts, score and reason (``linkwise.model.priority``)."""
    priority_settings: PrioritySettings = Field(default_factory=PrioritySettings)

    def never_discloses(self, markings: Iterable[str]) -> bool:
        """Whether records carrying ``markings`` are never disclosed, for any purpose (a
        whole-record marking with ``never_disclosed``, 8 U.S.C. § 1367): no read may even
        tell that one exists."""
        return any(
            (m := self.markings.get(name)) is not None and m.never_disclosed and m.fields is None
            for name in markings
        )

    @model_validator(mode="after")
    def _references_resolve(self) -> PolicyPack:
        problems: list[str] = []
        for pname, purpose in self.purposes.items():
            if not purpose.opened_by:
                problems.append(f"purposes.{pname}.opened_by: name at least one role")
            problems.extend(
                f"purposes.{pname}.opened_by: {role.value} reads no person data, so cannot "
                "work a case"
                for role in purpose.opened_by
                if role in (Role.AUDITOR, Role.ADMINISTRATOR)
            )
        for lname, process in self.legal_processes.items():
            if not process.recorded_by:
                problems.append(f"legal_processes.{lname}.recorded_by: name at least one role")
        for mname, marking in self.markings.items():
            problems.extend(self._marking_problems(mname, marking))
        named: list[tuple[str, str]] = [
            *((f"purposes.{k}.title", v.title) for k, v in self.purposes.items()),
            *((f"legal_processes.{k}.title", v.title) for k, v in self.legal_processes.items()),
            *((f"markings.{k}.title", v.title) for k, v in self.markings.items()),
            *((f"markings.{k}.authority", v.authority) for k, v in self.markings.items()),
            *(
                (f"prohibited_attributes.{k}.authority", v.authority)
                for k, v in self.prohibited_attributes.items()
            ),
        ]
        problems.extend(
            f"{where}: cannot be blank (decisions cite it)"
            for where, text in named
            if not text.strip()
        )
        problems.extend(_template_problems(self.templates))
        for rname, rule in self.priority_rules.items():
            problems.extend(
                rule_problems(rname, rule, purposes=self.purposes, prohibited=self.prohibited_match)
            )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _marking_problems(self, mname: str, marking: Marking) -> list[str]:
        where = f"markings.{mname}"
        problems = [
            f"{where}.prohibited_purposes: unknown purpose {purpose!r}"
            for purpose in marking.prohibited_purposes
            if purpose not in self.purposes
        ]
        for i, unlock in enumerate(marking.unlocked_by):
            if unlock.process not in self.legal_processes:
                problems.append(
                    f"{where}.unlocked_by[{i}].process: unknown legal process {unlock.process!r}"
                )
            if not unlock.purposes:
                problems.append(f"{where}.unlocked_by[{i}].purposes: name at least one purpose")
            problems.extend(
                f"{where}.unlocked_by[{i}].purposes: unknown purpose {p!r}"
                for p in unlock.purposes
                if p not in self.purposes
            )
        if marking.never_disclosed:
            if marking.unlocked_by:
                problems.append(
                    f"{where}.unlocked_by: a never_disclosed marking cannot be unlocked by any "
                    "process; remove unlocked_by or never_disclosed"
                )
            if marking.default != "deny":
                problems.append(f"{where}.default: a never_disclosed marking must be 'deny'")
        problems.extend(_corroboration_problems(where, marking))
        if marking.fields is not None:
            if not marking.fields:
                problems.append(
                    f"{where}.fields: name at least one field, or leave fields out to mark "
                    "the whole record"
                )
            problems.extend(
                f"{where}.fields[{i}]: {f!r} is not a canonical field"
                for i, f in enumerate(marking.fields)
                if f not in FIELDS
            )
        return problems

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


def _template_problems(templates: dict[str, DocumentTemplate]) -> list[str]:
    problems = []
    for kind, template in templates.items():
        where = f"templates.{kind}"
        if kind not in KINDS:
            problems.append(
                f"{where}: unknown document kind {kind!r}; kinds are {', '.join(KINDS)}"
            )
        if not template.signed_by:
            problems.append(f"{where}.signed_by: name at least one role")
        problems.extend(
            f"{where}.signed_by: {role.value} reads no person data, so cannot review a draft"
            for role in template.signed_by
            if role in (Role.AUDITOR, Role.ADMINISTRATOR)
        )
        path = Path(template.file)
        if not template.file.endswith(".j2") or path.is_absolute() or ".." in path.parts:
            problems.append(
                f"{where}.file: a path inside the pack's folder to a Jinja2 file ending .j2"
            )
    return problems


def _corroboration_problems(where: str, marking: Marking) -> list[str]:
    check = marking.requires_corroboration
    if check is None:
        return []
    where = f"{where}.requires_corroboration"
    problems = []
    if marking.never_disclosed:
        problems.append(
            f"{where}: a never_disclosed marking is never shown, so it takes no precondition"
        )
    if not check.names:
        problems.append(f"{where}.names: name at least one of {', '.join(NAME_FIELDS)}")
    problems.extend(
        f"{where}.names[{i}]: {n!r} is not one of {', '.join(NAME_FIELDS)}"
        for i, n in enumerate(check.names)
        if n not in NAME_FIELDS
    )
    if not check.identifiers:
        problems.append(
            f"{where}.identifiers: name at least one identifier (a match on name alone is what "
            "the precondition rules out)"
        )
    problems.extend(
        f"{where}.identifiers[{i}]: {n!r} is not one of {', '.join(CORROBORATING_IDENTIFIERS)}"
        for i, n in enumerate(check.identifiers)
        if n not in CORROBORATING_IDENTIFIERS
    )
    return problems


def _words(text: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", text)
    return [w for w in re.split(r"[^a-z0-9]+", spaced.lower()) if w]


def load_policy_pack(path: Path) -> PolicyPack:
    from linkwise.model.config import load

    return load(path, PolicyPack)


def default_pack_path() -> Path:
    return Path(__file__).resolve().parent.parent / "packs" / "demo.yaml"
