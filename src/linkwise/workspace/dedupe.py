"""One-shot resolution of CSV files, with no workspace (DESIGN.md §6, ``linkwise dedupe``).

Each file is read by the same reader and mapped by the same normalisers as ingestion, with
a manifest built on the fly from its header: column names that unambiguously name a
canonical field are mapped automatically, ``--map COLUMN=FIELD`` overrides or adds. Unlike
ingestion, nothing is quarantined: every input row gets an output row, so a value that fails
normalisation (an impossible date, say) is left out of that record and the rest is kept.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from linkwise.ingest.errors import SourceFileError
from linkwise.ingest.mapping import RowMapper
from linkwise.ingest.readers import open_reader
from linkwise.ingest.readers.base import RawRow
from linkwise.model.fields import FIELDS
from linkwise.model.manifest import Manifest
from linkwise.model.records import MappedRecord
from linkwise.normalize import usable_for_matching
from linkwise.resolve.engines import Engine
from linkwise.resolve.linkage import UnresolvableError
from linkwise.resolve.pipeline import DEFAULT_THRESHOLD, Resolution, resolve
from linkwise.workspace.outputs import unwritable

ROW_KEY = "__linkwise_row__"
ATTRIBUTE = "attribute"
"""``--map COLUMN=attribute``: compare a column that is no person field (a birth place, an
occupation) as an extra attribute, exact agreement with term-frequency adjustment."""
OUTPUT_COLUMNS = ("file", "record_id", "entity_id", "confidence")

# Header spellings (lower-case, runs of non-alphanumerics as "_") per canonical field.
ALIASES: dict[str, tuple[str, ...]] = {
    "given_name": (
        "given_name",
        "first_name",
        "firstname",
        "forename",
        "first",
        "fname",
        "given",
        "givenname",
        "christian_name",
    ),
    "middle_name": ("middle_name", "middlename", "middle", "mname", "middle_initial"),
    "family_name": (
        "family_name",
        "surname",
        "last_name",
        "lastname",
        "last",
        "lname",
        "familyname",
        "family",
    ),
    "name_suffix": ("name_suffix", "suffix", "namesuffix", "generational_suffix"),
    "full_name": ("full_name", "fullname", "name", "person_name", "whole_name"),
    "dob": (
        "dob",
        "date_of_birth",
        "dateofbirth",
        "birth_date",
        "birthdate",
        "birthday",
        "born",
        "d_o_b",
    ),
    "birth_year": ("birth_year", "year_of_birth", "yob"),
    "birth_month": ("birth_month", "month_of_birth"),
    "birth_day": ("birth_day", "day_of_birth"),
    "sex": ("sex", "gender"),
    "address_line": (
        "address_line",
        "address",
        "address_1",
        "address1",
        "address_line_1",
        "street_address",
        "street",
        "addr",
        "residence",
    ),
    "city": ("city", "town", "suburb", "locality", "municipality"),
    "region": ("region", "state", "province"),
    "postcode": ("postcode", "post_code", "postal_code", "zip", "zipcode", "zip_code"),
    "country": ("country", "country_code"),
    "phone": ("phone", "phone_number", "telephone", "tel", "mobile", "cell", "phone_no"),
    "email": ("email", "e_mail", "email_address"),
    "ssn": ("ssn", "social_security_number", "soc_sec_id", "soc_sec_no", "ss_number"),
    "passport": ("passport", "passport_number", "passport_no"),
    "drivers_licence": (
        "drivers_licence",
        "drivers_license",
        "driver_license",
        "driving_licence",
        "dl_number",
        "licence_number",
        "license_number",
    ),
    "national_id": (
        "national_id",
        "national_id_number",
        "ni_number",
        "nino",
        "national_insurance_number",
    ),
    "a_number": ("a_number", "alien_number"),
    "tax_id": ("tax_id", "tin", "itin"),
}
_BY_ALIAS = {alias: name for name, aliases in ALIASES.items() for alias in aliases}
# Extra address parts joined into the address line, in this order, when present.
_ADDRESS_PARTS = (
    "street_number",
    "house_number",
    "street_name",
    "address_1",
    "address1",
    "address_line_1",
    "address_line1",
    "street_address_1",
    "address_2",
    "address2",
    "address3",
    "address_line_2",
    "address_line2",
    "street_address_2",
)

# Words of a header (split at "_") that name a field where no alias matches the whole
# header: "res_street_address", "res_city_desc", "midl_name", "phone_num", "gender_code",
# "owner_first", "pat_fname", "Town/City". A header is read this way only when every one
# of its words is known: a word of the field's own (``_VOCABULARY``), whose it is
# ("owner", "patient"), or a harmless qualifier ("res", "home", "cd", "desc", "num").
# Any other word may change what the column holds ("mother_maiden_name",
# "emergency_contact_phone", "last_4_ssn", "mailing_city", "phone_type", "dob_estimated"),
# so such a header is left alone: a column left unmapped can be given with --map, while a
# wrong one corrupts the matching. A header whose words name two fields ("city_state_zip")
# or a place of birth ("birth_city") is left alone too; given and family names need a name
# word or a person word beside them ("first_seen" is no name); "email_address" is an
# e-mail.
_NAME_WORDS = frozenset({"name", "nm", "nme", "names"})
_BIRTH = frozenset({"birth", "dob"})
_DATE = frozenset({"date", "dt", "dte"})
_YEAR = frozenset({"year", "yr", "yyyy"})
_MONTH = frozenset({"month", "mm", "mon"})
_DAY = frozenset({"day", "dd"})
# Whose name a header gives, where it says so instead of "name": "owner_first",
# "defendant_name", "pat_lname".
_PERSON_WORDS = frozenset(
    {
        "owner",
        "person",
        "patient",
        "pat",
        "client",
        "subject",
        "applicant",
        "party",
        "defendant",
        "plaintiff",
        "voter",
        "customer",
        "resident",
        "driver",
        "registrant",
        "beneficiary",
        "claimant",
        "offender",
        "inmate",
        "employee",
        "holder",
    }
)
_QUALIFIERS = frozenset(
    {
        "res",
        "residential",
        "home",
        "current",
        "curr",
        "primary",
        "cd",
        "code",
        "desc",
        "num",
        "no",
        "nbr",
        "number",
        "of",
    }
)
# Single words that are a field's own alias, and so name it inside a longer header too.
_ALIAS_WORDS = frozenset(
    {
        "fname",
        "lname",
        "mname",
        "firstname",
        "lastname",
        "givenname",
        "familyname",
        "middlename",
        "forename",
        "surname",
        "dob",
        "birthdate",
        "ssn",
        "zip",
        "zipcode",
        "postcode",
        "email",
        "gender",
        "sex",
        "phone",
        "telephone",
        "suffix",
    }
)
_DIGIT_WORDS = {"zip5": "zip", "address1": "address", "addr1": "addr", "street1": "street"}
_WORD_RULES: tuple[tuple[str, Callable[[frozenset[str]], bool]], ...] = (
    ("email", lambda w: bool(w & {"email", "emailaddress"})),
    (
        "given_name",
        lambda w: (
            bool(w & {"forename", "forenames"})
            or (bool(w & {"first", "given", "christian", "fore"}) and _names(w))
        ),
    ),
    ("middle_name", lambda w: bool(w & {"middle", "midl", "mid"}) and _names(w)),
    (
        "family_name",
        lambda w: (
            bool(w & {"surname", "lastname", "familyname"})
            or (bool(w & {"last", "family", "sur"}) and _names(w))
        ),
    ),
    ("name_suffix", lambda w: bool(w & {"suffix", "sufx", "sfx"})),
    (
        "full_name",
        lambda w: (
            bool(w & _NAME_WORDS) and ("full" in w or (bool(w & _PERSON_WORDS) and len(w) == 2))
        ),
    ),
    ("birth_year", lambda w: bool(w & _BIRTH) and bool(w & _YEAR)),
    ("birth_month", lambda w: bool(w & _BIRTH) and bool(w & _MONTH)),
    ("birth_day", lambda w: bool(w & _BIRTH) and bool(w & _DAY)),
    (
        "dob",
        lambda w: (
            (bool(w & {"dob", "birthdate", "birthday"}) or ("birth" in w and bool(w & _DATE)))
            and not w & (_YEAR | _MONTH | _DAY)
        ),
    ),
    ("sex", lambda w: bool(w & {"sex", "gender"})),
    (
        "postcode",
        lambda w: bool(w & {"zip", "zipcode", "postcode", "postal"}) or ({"post", "code"} <= w),
    ),
    ("phone", lambda w: bool(w & {"phone", "telephone", "tel", "mobile", "cell", "phonenumber"})),
    ("ssn", lambda w: "ssn" in w or {"social", "security"} <= w or {"soc", "sec"} <= w),
    ("city", lambda w: bool(w & {"city", "town", "suburb", "locality", "municipality"})),
    ("region", lambda w: bool(w & {"state", "province"})),
    ("address_line", lambda w: bool(w & {"address", "addr", "street", "residence"})),
)
# Every word of a header read for a field, but for qualifiers and person words, must be
# one of that field's ("last_email_date" is no e-mail; "address_zip" is a postcode;
# "birth_city" is no city): a word no field knows leaves the header alone.
_CONTAINER = frozenset({"address", "addr"})
_VOCABULARY: dict[str, frozenset[str]] = {
    "email": frozenset({"email", "emailaddress", "address"}),
    "given_name": _NAME_WORDS
    | {"first", "given", "christian", "fore", "forename", "forenames", "fname", "firstname"}
    | {"givenname"},
    "middle_name": _NAME_WORDS | {"middle", "midl", "mid", "mname", "middlename"},
    "family_name": _NAME_WORDS
    | {"last", "family", "sur", "surname", "lastname", "familyname", "lname"},
    "name_suffix": _NAME_WORDS | {"suffix", "sufx", "sfx"},
    "full_name": _NAME_WORDS | {"full"},
    "birth_year": _BIRTH | _DATE | _YEAR,
    "birth_month": _BIRTH | _DATE | _MONTH,
    "birth_day": _BIRTH | _DATE | _DAY,
    "dob": _BIRTH | _DATE | {"birthdate", "birthday"},
    "sex": frozenset({"sex", "gender"}),
    "postcode": _CONTAINER | {"zip", "zipcode", "postcode", "postal", "post", "code"},
    "phone": frozenset({"phone", "telephone", "tel", "mobile", "cell", "phonenumber", "full"}),
    "ssn": frozenset({"ssn", "social", "security", "soc", "sec"}),
    "city": _CONTAINER | {"city", "town", "suburb", "locality", "municipality"},
    "region": _CONTAINER | {"state", "province"},
    "address_line": _CONTAINER | {"street", "residence"},
}


def _names(words: frozenset[str]) -> bool:
    """Whether a header's words say it holds a name part: a name word, or only the person
    it belongs to beside the part ("owner_first")."""
    return bool(words & _NAME_WORDS) or (len(words) == 2 and bool(words & _PERSON_WORDS))


_NOT_A_PERSON_FIELD = frozenset(
    {
        "id",
        "key",
        "uid",
        "cluster",
        "truth",
        "label",
        "entity",
        "age",
        "place",
        "country",
        "company",
        "employer",
        "business",
        "mother",
        "father",
        "spouse",
        "maiden",
        "previous",
        "prev",
        "old",
        "former",
        "ip",
        "url",
        "web",
    }
)


class DedupeError(ValueError):
    """Bad input to ``dedupe``: the message names the file and the column."""


def header_key(column: str) -> str:
    """A header as lower-case words joined by "_": "First Name", "first-name" and
    "firstName" all give "first_name" (a capital after a small letter starts a word)."""
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", column.strip())
    return re.sub(r"[^a-z0-9]+", "_", words.lower()).strip("_")


_DATE_ORDER = re.compile(r"_(?P<order>dd_?mm_?(?:yyyy|yy)|mm_?dd_?(?:yyyy|yy)|yyyy_?mm_?dd)$")
"""A date's order written at the end of a header key, as in "DOB (DD/MM/YYYY)" or "Date of
birth [yyyy-mm-dd]". A two-digit year first ("YY/MM/DD") is not one: dates are read with
the year last or in four digits, so such a header is left alone."""


def date_order(column: str) -> tuple[str, bool | None]:
    """A header's key without the date order it ends with, and what that order says:
    True when the day comes before the month, False when the month comes first (and the
    year last: a year-first date is read as ISO whatever the setting), None without one.
    A header that is nothing but an order keeps it as its key."""
    key = header_key(column)
    found = _DATE_ORDER.search(key)
    if found is None:
        return key, None
    order = found["order"].replace("_", "")
    if order.startswith("y"):
        return key[: found.start()], None
    return key[: found.start()], order.startswith("d")


def auto_map(
    columns: Sequence[str], overrides: Mapping[str, str], *, skip: Sequence[str] = ()
) -> dict[str, Any]:
    """Manifest ``fields`` for a header: overrides first, then unambiguous aliases.

    Returns field → column (or ``{"columns": [...]}`` for a joined address). A field named
    by two columns is ambiguous and left unmapped unless an override picks one.
    """
    fields: dict[str, Any] = {}
    taken = set(skip)
    for column, target in overrides.items():
        if column not in columns:
            raise DedupeError(f"--map names column {column!r}, which is not in the header")
        if target == ATTRIBUTE:
            taken.add(column)
            continue
        if target not in FIELDS:
            raise DedupeError(
                f"--map {column}={target}: unknown field; fields are "
                f"{', '.join(sorted(FIELDS))}, or {ATTRIBUTE!r} for an extra attribute"
            )
        fields[target] = column
        taken.add(column)
    free = [c for c in columns if c not in taken]
    # "DOB (DD/MM/YYYY)" is the date of birth when it is the only column naming one
    dated = [c for c in free if _DATE_ORDER.search(header_key(c)) and _names_dob(date_order(c)[0])]
    plain = [c for c in free if _names_dob(header_key(c))]
    keys: dict[str, str] = {}
    for column in free:
        alone = dated == [column] and not plain
        keys[date_order(column)[0] if alone else header_key(column)] = column
    parts = [keys[p] for p in _ADDRESS_PARTS if p in keys]
    if "address_line" not in fields and len(parts) > 1:
        fields["address_line"] = {"columns": parts}
        taken.update(parts)
    candidates: dict[str, list[str]] = {}
    for key, column in keys.items():
        alias = _BY_ALIAS.get(key)
        if alias and column not in taken and alias not in fields:
            candidates.setdefault(alias, []).append(column)
    for target, found in candidates.items():
        if len(found) == 1:
            fields[target] = found[0]
    used = taken | {v for v in fields.values() if isinstance(v, str)}
    for target, found in _by_words(keys, used, fields).items():
        if len(found) == 1:
            fields[target] = found[0]
    if (
        "full_name" in fields
        and "given_name" in fields
        and "family_name" in fields
        and fields["full_name"] not in overrides
    ):
        # redundant beside both parts; beside one, the whole name gives the other
        del fields["full_name"]
    if "dob" in fields:
        for part in ("birth_year", "birth_month", "birth_day"):
            fields.pop(part, None)
    return fields


def _names_dob(key: str) -> bool:
    """Whether a header key names a date of birth, by an alias or by its words."""
    return _BY_ALIAS.get(key) == "dob" or "dob" in _by_words({key: key}, set(), {})


def _by_words(
    keys: Mapping[str, str], taken: set[Any], fields: Mapping[str, Any]
) -> dict[str, list[str]]:
    """Fields for the columns no alias named, by the words of their headers (see
    ``_WORD_RULES``): field -> the columns whose words are all known and name it and no
    other field. A field already mapped, and a column already used, are left out."""
    found: dict[str, list[str]] = {}
    for key, column in keys.items():
        if column in taken or key in _BY_ALIAS or key in _ADDRESS_PARTS:
            continue
        words = frozenset(_DIGIT_WORDS.get(w, w) for w in key.split("_"))
        matches = {field for field, rule in _WORD_RULES if rule(words)}
        matches |= {_BY_ALIAS[w] for w in words & _ALIAS_WORDS}
        own = words - _QUALIFIERS - _PERSON_WORDS
        matches = {f for f in matches if own <= _VOCABULARY[f]}
        if "email" in matches:  # "email_address" is an e-mail, not an address
            matches = {"email"}
        if len(matches) > 1:  # "address.city": the address holds the city
            matches.discard("address_line")
        if len(matches) != 1:  # none, or several in one column ("city_state_zip")
            continue
        target = matches.pop()
        if target not in fields:
            found.setdefault(target, []).append(column)
    return found


@dataclass
class DedupeSummary:
    records: int
    entities: int
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    resolution: Resolution | None = None


NAME_FIELDS = frozenset({"given_name", "family_name", "full_name"})
"""The fields that give a row a name; a file mapped to none of them is reported."""


def dedupe(
    paths: Sequence[Path],
    out: Path,
    *,
    id_column: str | None = None,
    overrides: Mapping[str, str] | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    duplicate_free: Sequence[Path] = (),
    progress: Callable[[str], None] | None = None,
    engine: Engine = "duckdb",
) -> DedupeSummary:
    """Resolve the rows of ``paths`` into people and write ``out`` (DESIGN.md §6), training
    and scoring on ``engine`` (DuckDB in process, or Spark)."""
    if not paths:
        raise DedupeError("give at least one input file")
    _check_paths(paths, out)
    say = progress or (lambda _msg: None)
    records: list[dict[str, Any]] = []
    outputs: list[tuple[str, str]] = []
    summary = DedupeSummary(0, 0)
    headers = [
        _header(Manifest.model_validate(_base(path, index)), path)
        for index, path in enumerate(paths)
    ]
    for column in overrides or {}:
        if not any(column in header for header in headers):
            where = ", ".join(f"{p} ({', '.join(h)})" for p, h in zip(paths, headers, strict=True))
            raise DedupeError(f"--map names column {column!r}, which no input has: {where}")
    for index, path in enumerate(paths):
        say(f"reading {path}")
        # a --map applies to the files that have its column (sources name columns differently)
        mine = {c: f for c, f in (overrides or {}).items() if c in headers[index]}
        mapped = _read(path, index, headers[index], id_column, mine)
        summary.files[str(path)] = {
            "rows": len(mapped.rows),
            "fields": mapped.fields,
            "unread": mapped.unread,
            # no name found: its rows can join people only through other fields, which the
            # run's output cannot show; the command says so (a header may need --map)
            "names": bool(NAME_FIELDS & set(mapped.fields)),
        }
        for record_id, rec in mapped.rows:
            rec["record_id"] = len(records)
            rec["source"] = str(index)
            records.append(rec)
            outputs.append((str(path), record_id))
    if len(records) < 2:
        raise DedupeError("the input files hold fewer than two rows: nothing to resolve")
    given = [p.resolve() for p in paths]
    unknown = [str(p) for p in duplicate_free if p.resolve() not in given]
    if unknown:
        raise DedupeError(
            f"--duplicate-free names {', '.join(unknown)}, which is not among the input files"
        )
    free = {p.resolve() for p in duplicate_free}
    one_per_source = {str(i) for i, p in enumerate(given) if p in free}
    try:
        resolution = resolve(
            records,
            threshold=threshold,
            progress=progress,
            engine=engine,
            duplicate_free=one_per_source,
        )
    except UnresolvableError as exc:  # nothing to compare, nothing to learn from
        raise DedupeError(f"{', '.join(str(p) for p in paths)}: {exc}") from None
    confidence = resolution.confidence()
    entity_of: dict[int, str] = {}
    for number, members in enumerate(
        sorted(resolution.clustering.clusters, key=lambda c: min(c)), start=1
    ):
        for rid in members:
            entity_of[rid] = f"E{number:07d}"
    say(f"writing {out}")
    tmp = out.with_name(out.name + ".part")
    try:
        with tmp.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(OUTPUT_COLUMNS)
            for rid, (file, record_id) in enumerate(outputs):
                row = [file, record_id, entity_of[rid], f"{confidence.get(rid, 1.0):.6f}"]
                writer.writerow(row)
        tmp.replace(out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise DedupeError(f"-o {out}: cannot write it ({exc.strerror or exc})") from None
    summary.records = len(records)
    summary.entities = len(set(entity_of.values()))
    summary.resolution = resolution
    return summary


@dataclass
class _Mapped:
    fields: dict[str, Any]
    rows: list[tuple[str, dict[str, Any]]]
    unread: dict[str, tuple[int, str, str]]
    """Per column whose values were left out: how many, where the first was, and it."""


def _at(path: Path, row: RawRow) -> str:
    """Where ``row`` is, by the path as given and its line (its locator repeats the name)."""
    return f"{path}:{row.line}" if row.line is not None else f"{path}: {row.locator}"


def _base(path: Path, index: int) -> dict[str, Any]:
    """The manifest of an input file before its fields are known."""
    return {
        "name": f"input_{index}",
        "title": path.name,
        "kind": "file",
        "jurisdiction": "XX",
        "format": "csv",
        "path": str(path.resolve()),
        "key": [ROW_KEY],
    }


def _read(
    path: Path,
    index: int,
    columns: Sequence[str],
    id_column: str | None,
    overrides: Mapping[str, str],
) -> _Mapped:
    """The rows of ``path`` (whose header is ``columns``) as records to resolve."""
    base = _base(path, index)
    if id_column is not None and id_column not in columns:
        raise DedupeError(
            f"{path}: --id-column {id_column!r} is not in the header ({', '.join(columns)})"
        )
    fields = auto_map(columns, overrides, skip=[id_column] if id_column else [])
    if not fields:
        raise DedupeError(
            f"{path}: no column could be mapped to a person field; "
            f"use --map COLUMN=FIELD (header: {', '.join(columns)})"
        )
    facts: dict[str, Any] = {}
    if id_column:
        # Declared as a text fact only so that the reader keeps the column.
        facts["record_id"] = {"column": id_column, "type": "string"}
    extras = [c for c, target in overrides.items() if target == ATTRIBUTE]
    for number, column in enumerate(extras):
        facts[f"attribute_{number}"] = {"column": column, "type": "string"}
    sources = _field_sources(fields)
    manifest = Manifest.model_validate({**base, "fields": sources, "facts": facts})
    dob = sources.get("dob", {}).get("column")
    if dob is not None:
        # the order the header names, or else the one the values give away
        day_first = date_order(dob)[1]
        if day_first is None:
            day_first = _day_first(manifest, path, dob)
        if day_first:
            sources["dob"] = {**sources["dob"], "dayfirst": True}
            fields["dob"] = f"{dob} (day first)"
            manifest = Manifest.model_validate({**base, "fields": sources, "facts": facts})
    mapper = RowMapper(manifest, dob_checks=False)
    unread: dict[str, list[Any]] = {}  # column -> [count, first locator, first value]
    rows: list[tuple[str, dict[str, Any]]] = []
    number = 0
    try:
        reader = open_reader(manifest, path.parent)
    except SourceFileError as exc:
        raise DedupeError(_about(path, exc)) from None
    seen: dict[str, str] = {}  # record id -> where it was first
    try:
        for batch in reader.batches(5000):
            for row in batch:
                number += 1
                if row.unsafe:
                    raise DedupeError(f"{_at(path, row)}: {row.problem}")
                values = dict(row.values)
                values[ROW_KEY] = str(number)
                record_id = str(number)
                if id_column:
                    record_id = str(values.get(id_column) or "").strip()
                    if not record_id:
                        raise DedupeError(
                            f"{_at(path, row)}: the --id-column {id_column!r} is empty"
                        )
                    if record_id in seen:
                        raise DedupeError(
                            f"{_at(path, row)}: --id-column {id_column!r} value "
                            f"{record_id!r} appears again (first at {seen[record_id]})"
                        )
                    seen[record_id] = _at(path, row)
                rec, dropped = _map(mapper, row, values)
                for column in dropped:
                    noted = unread.setdefault(column, [0, row.locator, values.get(column)])
                    noted[0] += 1
                if extras:
                    rec["extras"] = {_attribute_name(c): values.get(c) for c in extras}
                rows.append((record_id, rec))
    except SourceFileError as exc:
        raise DedupeError(_about(path, exc)) from None
    finally:
        reader.close()
    return _Mapped(fields, rows, {c: (n, at, str(v)) for c, (n, at, v) in unread.items()})


_NUMERIC_DATE = re.compile(r"\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})(?:[ T].*)?\s*")
"""A date of numbers, perhaps with a time after it ("24/06/1971 00:00")."""


def _day_first(manifest: Manifest, path: Path, column: str) -> bool:
    """Whether the dates of ``column`` are written day first: some read as a day over 12
    first ("24/06/1971") and none as a month over 12 second ("06/24/1971"). Without such
    a value either order reads every date alike, and month first (the US order) stays."""
    day_first = month_first = 0
    try:
        reader = open_reader(manifest, path.parent)
    except SourceFileError as exc:
        raise DedupeError(_about(path, exc)) from None
    try:
        for batch in reader.batches(5000):
            for row in batch:
                found = _NUMERIC_DATE.fullmatch(str(row.values.get(column) or ""))
                if found:
                    day_first += int(found[1]) > 12
                    month_first += int(found[2]) > 12
    except SourceFileError as exc:
        raise DedupeError(_about(path, exc)) from None
    finally:
        reader.close()
    return day_first > 0 and month_first == 0


def _attribute_name(column: str) -> str:
    return header_key(column) or "attribute"


def _about(path: Path, exc: Exception) -> str:
    """A reader's error about ``path``, which it may already name (by its full path)."""
    text = str(exc)
    full = str(path.resolve())
    return text.replace(full, str(path), 1) if full in text else f"{path}: {text}"


def _check_paths(paths: Sequence[Path], out: Path) -> None:
    """Refuse, before any work, inputs that are not files or are given twice, and an output
    that would overwrite an input or cannot be written."""
    seen: dict[Path, Path] = {}
    for path in paths:
        if path.is_dir():
            raise DedupeError(f"{path}: a folder, not a file")
        if not path.is_file():
            raise DedupeError(f"{path}: no such file")
        if (full := path.resolve()) in seen:
            raise DedupeError(f"{path}: given twice (also as {seen[full]})")
        seen[full] = path
    if out.resolve() in seen:
        raise DedupeError(f"-o {out}: that is an input file; name another output")
    if (problem := unwritable("-o", out)) is not None:
        raise DedupeError(problem)


def _header(manifest: Manifest, path: Path) -> list[str]:
    try:
        reader = open_reader(manifest, path.parent)
    except SourceFileError as exc:
        raise DedupeError(_about(path, exc)) from None
    try:
        return list(reader.columns)
    finally:
        reader.close()


def _field_sources(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v if isinstance(v, dict) else {"column": v} for k, v in fields.items()}


def _map(
    mapper: RowMapper, row: RawRow, values: dict[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """Map one row, dropping the values normalisation refuses until the rest maps; the
    record and the columns whose values were dropped."""
    current = RawRow(row.locator, row.line, values, None)
    dropped: list[str] = []
    for _ in range(len(values) + 1):
        result = mapper(current)
        if isinstance(result, MappedRecord):
            rec: dict[str, Any] = dict(result.canonical)
            rec["identifiers"] = {
                i.type: i.value
                for i in result.identifiers
                if i.value and usable_for_matching(i.type, i.value)
            }
            rec["valid_identifiers"] = {
                i.type: i.value for i in result.identifiers if i.valid and i.value
            }
            return rec, dropped
        if result.column is None or current.values.get(result.column) is None:
            break
        dropped.append(result.column)
        current = RawRow(row.locator, row.line, {**current.values, result.column: None}, None)
    return {"identifiers": {}}, dropped
