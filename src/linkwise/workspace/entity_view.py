"""An entity as its page shows it: every record with all its canonical values, identifiers
and facts (as an export carries them), where each record came from (version, ingestion run
and time, locator), and the links between the records.

It is one governed read (``entity.view``, the same action as ``GovernedSession.entity``):
each value passes the ``Read``, and a record tied into the entity only through evidence the
case may not rest on is withheld whole, provenance included, since even its ingestion time
would say that such a record exists.
"""

from __future__ import annotations

from typing import Any

from linkwise.govern.evidence import EntityEvidence
from linkwise.govern.gate import Read, marker
from linkwise.govern.views import export_record, link_view
from linkwise.model.fields import RECORD_COLUMNS
from linkwise.store import reads

PROVENANCE = ("version", "run_id", "ingested_at", "locator")


def entity_detail(read: Read, entity_id: str, ev: EntityEvidence) -> dict[str, Any]:
    """The entity's records and links, each value governed (see the module docstring)."""
    ids = list(ev.refs)
    values = reads.person_values(read.conn, ids)
    origins = reads.record_provenance(read.conn, ids)
    records = []
    for i, ref in ev.refs.items():
        withheld = ev.withheld.get(i)
        if withheld is None:
            item = export_record(read, ref, values[i])
            item["provenance"] = {
                k: read.value(ref, None, origins.get(i, {}).get(k)) for k in PROVENANCE
            }
        else:
            item = read.summary(ref, {c: None for c in RECORD_COLUMNS}, instead=withheld)
            hidden = marker(withheld)
            item["identifiers"] = item["facts"] = hidden
            item["provenance"] = {k: hidden for k in PROVENANCE}
        records.append(item)
    links = [
        link_view(read, lk, ev.refs[lk["record_l"]], ev.refs[lk["record_r"]]) for lk in ev.links
    ]
    return {"id": entity_id, "status": "active", "records": records, "links": links}
