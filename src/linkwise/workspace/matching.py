"""Real-time matching in a workspace: one person's details in, candidate entities out.

The details arrive as raw text per canonical field (what an analyst types or an API client
sends) and are normalised by the same normalisers ingestion uses, so "Garcia" and "GARCIA"
or "03/04/1980" and "1980-03-04" reach the model as the stored records did. The matcher
(``linkwise.resolve.realtime``) is built from the workspace's resolved records, its latest
model and its generic values, and kept warm: a later call reuses it until another
resolution run completes.

Matching is a governed read (``governed_match``, called by the workspace session): what a
result shows about the matched records is limited to what identifies them to an analyst
(source, key, name and date of birth), each value as the case may see it, and the
explanation, whose sentence never quotes an identifier, address, phone or e-mail; the
waterfall is given without the values it compared, and the level of a comparison on a value
the case may not see is withheld.
"""

from __future__ import annotations

import math
import threading
import unicodedata
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine

from linkwise.govern.gate import Read, RecordRef, SessionError, comparison_fields
from linkwise.govern.policy import Decision
from linkwise.model.fields import FIELDS, IDENTIFIER_FIELDS
from linkwise.model.weights import probability_of
from linkwise.normalize import (
    NormalizationError,
    normalize_address,
    normalize_email,
    normalize_identifier,
    normalize_name,
    normalize_phone,
    normalize_sex,
    parse_dob,
    split_full_name,
)
from linkwise.resolve.name_order import NameOrder
from linkwise.resolve.prepare import COLUMN_FIELDS, prepare
from linkwise.resolve.realtime import DEFAULT_THRESHOLD, DEFAULT_TOP, Candidate, Matcher
from linkwise.store import reads
from linkwise.store import resolution as store
from linkwise.workspace.explaining import governed_rows

__all__ = [
    "DEFAULT_THRESHOLD",
    "DEFAULT_TOP",
    "MatchInputError",
    "Matching",
    "governed_match",
    "normalize_fields",
]

MATCH_FIELDS: tuple[str, ...] = (
    "given_name",
    "middle_name",
    "family_name",
    "name_suffix",
    "full_name",
    "dob",
    "sex",
    "address_line",
    "city",
    "region",
    "postcode",
    "country",
    "phone",
    "email",
    *IDENTIFIER_FIELDS,
)
"""The canonical fields a match accepts (``model.fields`` describes each)."""
_NAMES = ("given_name", "middle_name", "family_name", "name_suffix")
_ADDRESS = ("address_line", "city", "region", "postcode", "country")
_ENOUGH = ("given_name", "family_name", "dob", "phone", "email", *IDENTIFIER_FIELDS)
SHOWN_COLUMNS = ("given_name", "middle_name", "family_name", "dob")
"""The values of a matched record a result shows beside its source and key."""


class MatchInputError(SessionError, ValueError):
    """A value given to match cannot be used: the message names the field and says why."""


def normalize_fields(fields: Mapping[str, str], region: str = "US") -> dict[str, Any]:
    """Raw text per canonical field → the record shape ``prepare`` reads."""
    unknown = sorted(set(fields) - set(MATCH_FIELDS))
    if unknown:
        raise MatchInputError(
            f"unknown field {', '.join(unknown)}; fields are {', '.join(MATCH_FIELDS)}"
        )
    given = {k: v.strip() for k, v in fields.items() if v is not None and v.strip()}
    if not any(k in given for k in (*_ENOUGH, "full_name")):
        raise MatchInputError(
            "give at least a name, a date of birth, a phone number, an e-mail address or an "
            "identifier to match on"
        )
    record: dict[str, Any] = {"identifiers": {}}
    names = {k: given.get(k) for k in _NAMES}
    if "full_name" in given:
        _check_name("full_name", given["full_name"])
        try:
            parts = split_full_name(given["full_name"])
        except NormalizationError as exc:
            raise MatchInputError(f"full_name: {exc}") from None
        split = {
            "given_name": parts.given,
            "middle_name": parts.middle,
            "family_name": parts.family,
            "name_suffix": parts.suffix,
        }
        for k, v in split.items():
            names[k] = names[k] or v
    for k, v in names.items():
        if v and k in given:
            _check_name(k, v)
        record[k] = normalize_name(v) if v else None
    if "dob" in given:
        try:
            record["dob"] = parse_dob(given["dob"]).iso()
        except NormalizationError as exc:
            raise MatchInputError(f"dob: {exc}") from None
    if "sex" in given:
        try:
            record["sex"] = normalize_sex(given["sex"])
        except NormalizationError as exc:
            raise MatchInputError(f"sex: {exc}") from None
    if any(k in given for k in _ADDRESS):
        address = normalize_address(*(given.get(k) for k in _ADDRESS), default_country=region)
        for k, read in (("postcode", address.postcode), ("country", address.country)):
            if k in given and not read:
                raise MatchInputError(f"{k}: {given[k]!r} is not read as a {k}")
        record["address_line"] = address.line
        record["city"] = address.city
        record["postcode"] = address.postcode
    if "phone" in given:
        phone = normalize_phone(given["phone"], region)
        if phone.e164 is None:
            raise MatchInputError(f"phone: {phone.issue or 'not a phone number'}")
        record["phone"] = phone.e164
    if "email" in given:
        email = normalize_email(given["email"])
        if email is None:
            raise MatchInputError(f"email: {given['email']!r} is not an e-mail address")
        record["email"] = email
    for kind in IDENTIFIER_FIELDS:
        if kind in given:
            ident = normalize_identifier(kind, given[kind])
            if not ident.valid or ident.value is None:
                label = FIELDS[kind].label
                raise MatchInputError(f"{kind}: {ident.issue or f'not a valid {label}'}")
            record["identifiers"][kind] = ident.value
    return record


def _check_name(field: str, text: str) -> None:
    """Refuse a name with no letter, or with symbols (an emoji would be spelt out as a
    word and compared as a name): it would match on nothing, or on the wrong thing."""
    if not any(unicodedata.category(c).startswith("L") for c in text):
        raise MatchInputError(f"{field}: {_short(text)} has no letters")
    if any(unicodedata.category(c) == "So" for c in text):
        raise MatchInputError(f"{field}: {_short(text)} holds symbols that are not letters")


def _short(text: str) -> str:
    """``text`` quoted, cut short when long (an error message need not repeat it all)."""
    return repr(text if len(text) <= 60 else text[:57] + "...")


class Matching:
    """A workspace's matcher, built on first use and rebuilt after each resolution run."""

    def __init__(self, engine: Engine, *, threads: int = 2) -> None:
        self.engine = engine
        self.threads = threads
        self._matcher: Matcher | None = None
        self._run: int | None = None
        self._lock = threading.Lock()

    def matcher(self) -> Matcher:
        """The warm matcher; rebuilt when a resolution run has completed since it was built
        (a run still going, or one that failed, leaves the previous results in place)."""
        with self.engine.connect() as conn:
            run = store.last_run(conn)
        latest = int(run["id"]) if run and run.get("status") == "completed" else self._run
        with self._lock:
            if self._matcher is None or latest != self._run:
                self.close()
                self._matcher = self._build()
                self._run = latest
            return self._matcher

    def _build(self) -> Matcher:
        with self.engine.connect() as conn:
            found = store.latest_model(conn)
            if found is None:
                raise MatchInputError("the workspace has not been resolved: run `linkwise resolve`")
            _, model = found
            rows = store.current_person_rows(conn)
            entity_of = store.entity_of_records(conn)
            generic = [(g["field"], g["value"]) for g in store.generic_list(conn)]
        rows = [r for r in rows if r["record_id"] in entity_of]
        if not rows:
            raise MatchInputError("no resolved records to match against: run `linkwise resolve`")
        prepared = prepare(rows, known_generic=generic, name_order=NameOrder.from_model(model))
        ids = prepared.table.column("unique_id").to_pylist()
        blanked = {*generic, *((g.field, g.value) for g in prepared.generic)}
        return Matcher(
            prepared.table,
            [entity_of[i] for i in ids],
            model,
            generic=sorted(blanked),
            threads=self.threads,
        )

    def close(self) -> None:
        if self._matcher is not None:
            self._matcher.close()
            self._matcher = None


def governed_match(
    read: Read,
    matching: Matching,
    fields: Mapping[str, str],
    *,
    top: int = DEFAULT_TOP,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[dict[str, Any]]:
    """The candidate entities for one person's details, as the session's reader may see
    them. Records the case may not rest on (never disclosed, prohibited for its purpose, or
    tied to their entity only through prohibited evidence) are dropped before candidates are
    formed, so no candidate, probability or explanation rests on them. A comparison of a
    value the reader may not see counts for nothing in a pair's weight (``leave_out``),
    with the adjustments resting on it: else the probabilities of two queries that differ
    only in, say, an SSN would tell whether a record's redacted SSN is the one typed. Pairs
    are scored with enough slack that none is dropped for a term then left out."""
    record = normalize_fields(fields)
    matcher = matching.matcher()
    probe = matcher.prepare_record(record)
    slack = _slack(read, matcher, threshold)
    names = matcher.comparison_names
    pairs = matcher.score(probe, threshold=threshold, slack=slack)
    refs = read.refs(int(p["unique_id_r"]) for p in pairs)
    usable = []
    for pair in pairs:
        ref = refs.get(int(pair["unique_id_r"]))
        if ref is None or ref.entity_id is None:
            continue  # re-resolved since the matcher was built; the next call rebuilds it
        if read.omitted(ref):
            read.note_omitted(ref)
            continue
        standing = read.standing(ref)
        if standing.outcome == "prohibited":
            read.count(ref, None, standing)
            continue
        if not read.unrestricted(ref):
            if not _paired_on_visible(read, ref, matcher, int(pair["lw_rules"])):
                continue  # found only by values the reader may not see (noted for the audit)
            answers = read.comparisons(names, (None, ref))
            withheld = [n for n, (w, _) in zip(names, answers, strict=True) if w is not None]
            if withheld:
                matcher.leave_out(probe, pair, withheld)
        if float(pair["match_probability"]) < threshold:
            continue
        ev = read.evidence(ref.entity_id)
        if ev is None or ref.record_id not in ev.shown:
            continue
        usable.append(pair)
    candidates = matcher.candidates(probe, usable, top)
    values = reads.person_values(read.conn, [r.record_id for c in candidates for r in c.records])
    return [_governed(read, c, refs, values) for c in candidates]


def _paired_on_visible(read: Read, ref: RecordRef, matcher: Matcher, rules: int) -> bool:
    """Whether one of the blocking rules that paired the record with the query (bit i of
    ``rules``: rule i) reads only values of it the reader may see. A record found only by a
    redacted value (a query of just an SSN, its redacted SSN the same) would otherwise be
    listed exactly when the value typed is the one hidden, whatever its weight. A rule
    whose columns could not be read, or that reads a column ``COLUMN_FIELDS`` does not
    know, counts as reading hidden values. When none holds, the hidden values the rules
    read are noted in the read's audit event."""
    hidden: list[tuple[str | None, Decision]] = []
    for i, columns in enumerate(matcher.rule_columns):
        if not rules >> i & 1:
            continue
        if not columns or not columns <= COLUMN_FIELDS.keys():
            continue
        decided = [
            (field, read.decision(ref, field))
            for column in columns
            for field in COLUMN_FIELDS[column]
        ]
        if all(d.shown for _, d in decided):
            return True
        hidden.extend((f, d) for f, d in decided if not d.shown)
    for field, decision in hidden:
        read.count(ref, field, decision)
    return False


def _slack(read: Read, matcher: Matcher, threshold: float) -> dict[str, float]:
    """Per source whose values this read may not all see, the bits leaving its withheld
    comparisons out could add to a pair's weight (``Matcher.slack``); none for a source the
    read weighs none of (its records are dropped whole, and noted, as before) or whose every
    comparison is withheld for every record (its pairs would weigh the prior alone, under
    any threshold above it); ``math.inf`` (not scored) for one that is not registered."""
    names = matcher.comparison_names
    named = {str(f.id): f.name for f in read.sources().values()}
    out: dict[str, float] = {}
    for label in matcher.sources:  # the prepared records name a source by its id
        source = named.get(label)
        if source is None:
            out[label] = math.inf
            continue
        if read.weighs_none_of(source):
            # scored as without governance, so that its records' hits reach the audit
            # event (left out as never disclosed, or counted as prohibited)
            out[label] = 0.0
            continue
        withheld = {n: read.withholds(source, comparison_fields(n)) for n in names}
        hidden = [n for n, how in withheld.items() if how is not None]
        if not hidden:
            continue
        every = all(how == "always" for how in withheld.values())
        if every and probability_of(matcher.prior_weight) < threshold:
            # its pairs would weigh the prior alone: none can count, so no slack; scored at
            # the threshold all the same, so the hits are noted for the auditor
            out[label] = 0.0
        else:
            out[label] = matcher.slack(hidden)
    return out


def _governed(
    read: Read,
    candidate: Candidate,
    refs: Mapping[int, RecordRef],
    values: Mapping[int, Mapping[str, Any]],
) -> dict[str, Any]:
    read.touch(entities=[candidate.entity_id])
    rows, text = governed_rows(read, candidate.waterfall, None, refs[candidate.best_record_id])
    records = []
    for scored in candidate.records:
        ref = refs[scored.record_id]
        shown = dict(values.get(scored.record_id) or {})
        records.append(
            {
                "record_id": ref.record_id,
                "source": ref.source,
                "source_key": read.value(ref, None, ref.source_key),
                "probability": scored.probability,
                "fields": read.fields(ref, {c: shown.get(c) for c in SHOWN_COLUMNS}),
            }
        )
    return {
        "entity_id": candidate.entity_id,
        "probability": candidate.probability,
        "match_weight": candidate.match_weight,
        "explanation": text,
        "records": records,
        "contributions": [
            {k: v for k, v in row.items() if k in _CONTRIBUTION_KEYS} for row in rows
        ],
    }


_CONTRIBUTION_KEYS = frozenset(
    {
        "kind",
        "name",
        "description",
        "label",
        "weight",
        "tf_adjustment",
        "combined",
        "probability",
        "withheld",
    }
)
"""What a match result says of each waterfall row: the level and its weight, never the
values compared."""
