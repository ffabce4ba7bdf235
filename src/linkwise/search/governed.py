"""People search as a governed read: candidates from the index, scored on what the case may
see, grouped into entities, each shown with its key facts as the case may see them.

The order of the steps is what keeps a search from confirming a value the case may not see.
Every candidate record is checked before it is scored: a record the law never discloses is
dropped (and the drop recorded for the auditor), a record prohibited for the purpose is
dropped, and each criterion is scored only on fields whose decision is "shown", so an SSN in
a source the case cannot read makes nothing a hit. Then each entity, best first, is checked
against what the purpose may rest on (``Read.shown_members``, the members of
``Read.evidence`` the purpose may rest on): a hit on a record tied to the
entity only through prohibited evidence does not count for it. The key facts shown (name and
date of birth of the best-matching record, sources, record count) pass through the same
per-value decisions as an entity view, so a redacted one comes back as a marker.

Entities are ranked by score (``linkwise.search.scoring``); an entity whose score falls once
unusable records are taken out is placed where its new score puts it, and the walk down the
ranking stops as soon as no entity further down could still beat the results in hand.

Which records are candidates is decided by index lookups over every indexed value, hidden
ones included; a candidate whose record is restricted in any way is kept only if the values
the reader may see of it would have found it too, through a lookup that did return it (a
lookup's cap can leave out a record its key matches; ``candidates.found_by``). Otherwise a
hidden SSN, date of birth or family name equal to the one searched for would bring its
record into the results on any weak visible hit (a given name, a postcode), and the result
would say that the hidden value is the one searched for.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from linkwise.govern.gate import Read, RecordRef
from linkwise.search.candidates import Lookup, finders, found_by, lookups
from linkwise.search.index import refresh
from linkwise.search.keys import KEY_COLUMNS, record_keys
from linkwise.search.query import Query
from linkwise.search.scoring import Hit, combine, criteria, score_record
from linkwise.store import reads
from linkwise.store import search_index as store

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
NAME_FIELDS = ("given_name", "middle_name", "family_name")


@dataclass
class _Scored:
    ref: RecordRef
    hits: dict[str, Hit]


def governed_search(read: Read, query: Query, limit: int = DEFAULT_LIMIT) -> dict[str, Any]:
    """The entities best answering ``query``, as the read's case may see them, best first
    (see the module docstring), with how long the search took."""
    started = time.perf_counter()
    refresh(read.conn)
    returned = finders(read.conn, lookups(read.conn, query))
    rows = store.candidates(read.conn, list(returned))
    by_entity: dict[str, list[_Scored]] = defaultdict(list)
    for row in rows:
        ref = RecordRef(
            int(row["id"]),
            str(row["source"]),
            int(row["source_id"]),
            str(row["source_key"]),
            str(row["entity_id"]),
        )
        visible = read.scorable(ref)  # None: never disclosed (noted) or prohibited
        if visible is None:
            continue
        # a restricted record is kept only if a lookup that returned it finds it by what
        # the reader may see of it
        seen = read.unrestricted(ref) or _found_by_visible(returned[ref.record_id], row, visible)
        if not seen:
            continue
        hits = score_record(query, row, visible)
        if hits:
            by_entity[str(row["entity_id"])].append(_Scored(ref, hits))
    ranked = sorted(by_entity, key=lambda e: (-_score(query, by_entity[e]), e))
    kept: list[tuple[float, str, list[_Scored]]] = []
    for i, entity_id in enumerate(ranked):
        ceiling = _score(query, by_entity[entity_id])
        if len(kept) >= limit and kept[limit - 1][0] >= ceiling:
            break
        if i % limit == 0:  # the members of the next ``limit`` entities, in one statement
            read.prefetch(ranked[i : i + limit])
        members = read.shown_members(entity_id)
        if members is None:
            continue
        usable = [s for s in by_entity[entity_id] if s.ref.record_id in members[1]]
        if usable:
            kept.append((_score(query, usable), entity_id, usable))
            kept.sort(key=lambda k: (-k[0], k[1]))
    kept = kept[:limit]
    results = _results(read, query, kept)
    return {
        "query": _understood(query),
        "count": len(results),
        "results": results,
        "took_ms": round((time.perf_counter() - started) * 1000, 1),
    }


_KEYED_COLUMNS = tuple(dict.fromkeys(c for columns in KEY_COLUMNS.values() for c in columns))
"""The columns of a candidate row that the search index keys are made from."""


def _found_by_visible(
    lookups_: list[Lookup], row: dict[str, Any], visible: Callable[[str | None], bool]
) -> bool:
    """Whether one of the lookups that returned the record finds it by what the reader may
    see of it. A lookup whose key columns are all visible found it by them; otherwise (and
    for identifiers) the record's keys are made again from its visible values."""
    for lookup in lookups_:
        fields = KEY_COLUMNS.get(lookup.kind)
        if fields is not None and all(visible(f) for f in fields):
            return True
    return found_by(lookups_, record_keys(_seen(row, visible)))


def _seen(row: dict[str, Any], visible: Callable[[str | None], bool]) -> dict[str, Any]:
    """The candidate row with only what the reader may see of it: the index keys made from
    it are those a search by visible values could find it under."""
    out = {f: row.get(f) if visible(f) else None for f in _KEYED_COLUMNS}
    out["identifiers"] = [(kind, v) for kind, v in row.get("identifiers") or () if visible(kind)]
    return out


def _score(query: Query, scored: list[_Scored]) -> float:
    return combine(query, _best_hits(scored))


def _best_hits(scored: list[_Scored]) -> dict[str, Hit]:
    best: dict[str, Hit] = {}
    for item in scored:
        for name, hit in item.hits.items():
            if name not in best or hit.score > best[name].score:
                best[name] = hit
    return best


def _results(
    read: Read, query: Query, kept: list[tuple[float, str, list[_Scored]]]
) -> list[dict[str, Any]]:
    members = {entity_id: read.shown_members(entity_id) for _, entity_id, _ in kept}
    ids = [i for found in members.values() if found is not None for i in found[0]]
    values = reads.person_values(read.conn, ids)
    out = []
    order = criteria(query)
    for score, entity_id, usable in kept:
        found = members[entity_id]
        assert found is not None
        refs, visible = found
        read.touch(entities=[entity_id])
        best = _best_hits(usable)
        top = max(usable, key=lambda s: sum(h.score for h in s.hits.values()))
        shown = [top.ref] + [r for i, r in refs.items() if i in visible and r != top.ref]
        name = _first_named(read, shown, values)
        dob_ref = _first_with(read, shown, values, "dob") or top.ref
        out.append(
            {
                "entity_id": entity_id,
                "score": score,
                "reasons": [best[c].reason for c in order if c in best],
                "name": name,
                "dob": read.value(dob_ref, "dob", values[dob_ref.record_id].get("dob")),
                "sources": sorted({r.source for r in refs.values()}),
                "record_count": len(refs),
                "matched": [
                    {
                        "record_id": s.ref.record_id,
                        "source": s.ref.source,
                        "source_key": read.value(s.ref, None, s.ref.source_key),
                        "reasons": [s.hits[c].reason for c in order if c in s.hits],
                    }
                    for s in sorted(usable, key=lambda s: -sum(h.score for h in s.hits.values()))[
                        :3
                    ]
                ],
            }
        )
    return out


def _first_with(
    read: Read, refs: list[RecordRef], values: dict[int, dict[str, Any]], *fields: str
) -> RecordRef | None:
    """The first record (best match first) with a value in one of ``fields``, preferring one
    whose values the case may see; None when no record has one."""
    having = [r for r in refs if any(values[r.record_id].get(f) for f in fields)]
    visible = (r for r in having if all(read.decision(r, f).shown for f in fields))
    return next(visible, having[0] if having else None)


def _first_named(
    read: Read, refs: list[RecordRef], values: dict[int, dict[str, Any]]
) -> dict[str, Any]:
    """The name of the first record that has one (see ``_first_with``), each part as the
    case may see it (a marker when it may not)."""
    ref = _first_with(read, refs, values, "given_name", "family_name")
    if ref is not None:
        found = values[ref.record_id]
        return read.fields(ref, {f: found.get(f) for f in NAME_FIELDS})
    ref = _first_with(read, refs, values, "full_name")
    if ref is not None:
        return read.fields(ref, {"full_name": values[ref.record_id]["full_name"]})
    return {}


def _understood(query: Query) -> dict[str, Any]:
    """What the search was taken to ask for (the reader's own input, normalised)."""
    return {
        "fields": list(query.fields),
        "name": " ".join(query.name.words) if query.name else None,
        "dob": query.dob.iso() if query.dob else None,
        "identifiers": list(query.identifiers),
        "phones": list(query.phones),
        "emails": list(query.emails),
        "address": query.address,
        "postcode": query.postcode,
        "ignored": list(query.ignored),
    }
