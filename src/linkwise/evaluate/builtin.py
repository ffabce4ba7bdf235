"""Groups worked out from the records themselves, for the errors resolvers are known to make.

Common surnames draw false merges, transliterated names and swapped name order draw missed
links, and a missing birth date removes the field that separates namesakes. These groups
need no truth column, only the record fields the caller passes:

* ``surname_frequency_decile``: how common the record's folded family name is among the
  evaluated records. Records are ranked by that frequency; a record's decile is
  ``min(10, floor(10 * mid / m) + 1)``, where ``m`` is the number of records with a family
  name and ``mid`` is the middle of the rank range its frequency occupies (records with
  rarer surnames + half of those with equally frequent ones). Records whose surnames are
  equally frequent always share a decile, so no alphabetical or input-order tie-break
  decides it; the price is that deciles can be uneven or empty. 1 is rarest, 10 commonest.
* ``transliterated``: ``yes`` when ``name_original`` has letters and not all are Latin.
* ``missing_dob``: ``yes`` when ``dob`` is absent or blank.
* ``swapped_name_order``: from the ``name_order_swapped`` flag; left out when no record
  carries the flag.

A record without fields, or without the value a group needs, is in the ``(none)`` group.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence

from linkwise.evaluate.errors import EvaluationInputError
from linkwise.evaluate.rows import Key
from linkwise.evaluate.subgroups import NO_VALUE
from linkwise.normalize import fold, is_latin, script_of

RecordFields = Mapping[Key, Mapping[str, object]]

BUILTIN_GROUPS = (
    "surname_frequency_decile",
    "transliterated",
    "missing_dob",
    "swapped_name_order",
)
SWAP_FLAG = "name_order_swapped"
_TRUE = frozenset({"1", "true", "t", "yes", "y"})
_FALSE = frozenset({"0", "false", "f", "no", "n"})


def builtin_groups(keys: Sequence[Key], fields: RecordFields) -> dict[str, list[str]]:
    """Label of each built-in group for each key, in key order."""
    per_record = [fields.get(key) for key in keys]
    groups = {
        "surname_frequency_decile": surname_deciles(per_record),
        "transliterated": [_yes_no(f, _transliterated) for f in per_record],
        "missing_dob": [_yes_no(f, lambda r: _text(r.get("dob")) is None) for f in per_record],
    }
    if any(f is not None and f.get(SWAP_FLAG) is not None for f in per_record):
        groups["swapped_name_order"] = [
            _swapped(f, key) for f, key in zip(per_record, keys, strict=True)
        ]
    return groups


def surname_deciles(per_record: Sequence[Mapping[str, object] | None]) -> list[str]:
    surnames = [_surname(f) for f in per_record]
    count = Counter(s for s in surnames if s is not None)
    frequency = [count[s] if s is not None else 0 for s in surnames]
    records_at = Counter(f for f in frequency if f)
    m = sum(records_at.values())
    decile: dict[int, str] = {}
    below = 0
    for f in sorted(records_at):
        mid = below + records_at[f] / 2
        decile[f] = str(min(10, int(10 * mid / m) + 1))
        below += records_at[f]
    return [decile[f] if f else NO_VALUE for f in frequency]


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _surname(record: Mapping[str, object] | None) -> str | None:
    raw = _text(record.get("family_name")) if record is not None else None
    return (fold(raw) or None) if raw is not None else None


def _transliterated(record: Mapping[str, object]) -> bool:
    original = _text(record.get("name_original"))
    return original is not None and script_of(original) != "" and not is_latin(original)


def _yes_no(
    record: Mapping[str, object] | None, test: Callable[[Mapping[str, object]], bool]
) -> str:
    if record is None:
        return NO_VALUE
    return "yes" if test(record) else "no"


def _swapped(record: Mapping[str, object] | None, key: Key) -> str:
    value = record.get(SWAP_FLAG) if record is not None else None
    if value is None:
        return NO_VALUE
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value).strip().lower()
    if text in _TRUE:
        return "yes"
    if text in _FALSE:
        return "no"
    raise EvaluationInputError(
        f"record {key}: {SWAP_FLAG} is {value!r}; expected true/false, yes/no or 1/0",
        column=SWAP_FLAG,
    )
