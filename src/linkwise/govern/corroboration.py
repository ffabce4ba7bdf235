"""Statutory preconditions on disclosure: a marking's ``requires_corroboration``.

Some statutes allow disclosure only about the person the legal process names. Under 26 U.S.C.
§ 6103(i)(1) an order names a taxpayer, and return information found by matching on a name
alone may be another taxpayer's: disclosing it would be an unauthorised disclosure however
valid the order. So a record carrying such a marking is shown only when a stored link ties it
to another record of its entity (the subject) on which every required name agrees and at
least one corroborating identifier agrees exactly. The other record must not carry the same
marking (it would corroborate nothing about the subject) and must itself be usable for the
case's purpose.

"Agrees" is read from the link's stored per-comparison levels: a name agrees when its level
is neither the null nor the "different" level and counted for the match (positive weight); an
identifier agrees exactly when its level is the comparison's top (exact) level.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from linkwise.govern.policy import Decision
from linkwise.model.fields import FIELDS
from linkwise.model.policy import Marking
from linkwise.store import reads

if TYPE_CHECKING:
    from linkwise.govern.gate import Read, RecordRef


def unmet(
    read: Read, ref: RecordRef, name: str, marking: Marking, *, cycle: bool = False
) -> Decision | None:
    """None when the record meets ``marking``'s precondition; otherwise the decision that
    withholds it, saying what the precondition needs and what the record's links show."""
    check = marking.requires_corroboration
    if check is None:
        return None
    if cycle:
        detail = "its corroboration depends on a record whose own corroboration is in question"
    elif ref.entity_id is None:
        detail = "it is in no entity, so nothing ties it to a subject"
    else:
        best: list[str] | None = None
        for link in reads.links_touching(read.conn, ref.record_id):
            other_id = link["record_r"] if link["record_l"] == ref.record_id else link["record_l"]
            other = read.refs([other_id]).get(other_id)
            if other is None or other.entity_id != ref.entity_id:
                continue
            if name in read.markings(other.source) or read.omitted(other):
                continue
            if read.standing(other).outcome == "prohibited":
                continue
            agree, exact = agreement(link["contributions"], read.model(link["model_version"]))
            names_ok = all(n in agree for n in check.names)
            if names_ok and any(i in exact for i in check.identifiers):
                return None
            seen = sorted(agree | exact)
            if best is None or len(seen) > len(best):
                best = seen
        if best is None:
            detail = f"no link ties it to another usable record of entity {ref.entity_id}"
        else:
            agreed = ", ".join(_label(n) for n in best) or "nothing"
            detail = (
                f"its best link to entity {ref.entity_id} agrees on {agreed} only, with no "
                "corroborating identifier agreeing exactly"
            )
    names = " and ".join(_label(n) for n in check.names)
    ids = " or ".join(_label(i) for i in check.identifiers)
    why = f" ({check.reason.rstrip('.')})" if check.reason else ""
    return Decision(
        outcome="redacted",
        rule=f"marking:{name}.requires_corroboration",
        reason=(
            f"{marking.title} ({marking.authority}) is disclosed only about a subject matched "
            f"on {names} and at least one of {ids}{why}; record #{ref.record_id} is not: "
            f"{detail}. A link on which the names and one of those identifiers agree would "
            "meet the precondition."
        ),
        authority=marking.authority,
    )


def agreement(
    contributions: Mapping[str, Any], model: Mapping[str, Any] | None
) -> tuple[set[str], set[str]]:
    """(comparisons that counted for the match, comparisons at their exact level) of a
    stored link's ``contributions`` (name → [level, weight, term-frequency adjustment])."""
    tops: dict[str, int] = {}
    for comparison in (model or {}).get("comparisons", []):
        levels = comparison.get("comparison_levels", [])
        tops[str(comparison["output_column_name"])] = (
            sum(1 for lv in levels if not lv.get("is_null_level")) - 1
        )
    agree: set[str] = set()
    exact: set[str] = set()
    for name, parts in contributions.items():
        gamma, weight, tf = [*list(parts), None, None, None][:3]
        if gamma is None or int(gamma) <= 0:
            continue
        if float(weight or 0.0) + float(tf or 0.0) > 0:
            agree.add(name)
        if name in tops and int(gamma) == tops[name]:
            exact.add(name)
    return agree, exact


def _label(name: str) -> str:
    found = FIELDS.get(name)
    return found.label.lower().replace("social security", "Social Security") if found else name
