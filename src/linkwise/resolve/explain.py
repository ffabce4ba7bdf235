"""Why the model scored a pair as it did: a waterfall of weights and a sentence for a reviewer.

A match weight is a sum (Fellegi-Sunter in log2): the prior's log-odds, plus per comparison
the weight of the level the pair fell in, plus that level's term-frequency adjustment. The
waterfall lists those terms the way Splink's waterfall chart does, so a reviewer can see
which fields carried the decision, and its total reproduces the scored ``match_weight``
exactly; if it does not, the model and the pairs came from different runs. Everything is
read from the trained model's settings (``Linkage.model``) and a scored pair's columns, so
an explanation needs neither Splink nor the database that scored it.

The sentence is for people who will never read a weight. It names names and dates (the
reviewer is comparing them anyway) but never an identifier number, an address, a phone
number or an e-mail address: those are shown, if at all, by a page that checks access.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

from linkwise.model.weights import probability_of, weight_of

Kind = Literal["prior", "comparison", "adjustment", "total"]
"""A waterfall row: the prior, a comparison's level, an adjustment (bits the clustering
takes off a link, such as for a full name many people bear) or the total."""

ADJUSTMENT_RESTS_ON: dict[str, tuple[str, ...]] = {
    "no_dob": ("dob",),
    "namesake": ("given_name", "family_name"),
}
"""The comparisons whose levels an adjustment row gives away: "no date of birth to compare"
says the date comparison's level; a shared full name says both names agree exactly. A
reader who may not see those levels may not see the row either."""

NEUTRAL_BITS = 0.1
"""A level whose weight (tf adjustment included) is within this of zero counts neither for
nor against a match: the family-name swap level is fixed at m = u, for instance."""
TF_NOTE_BITS = 0.5
"""A term-frequency adjustment beyond this (in either direction) is worth a sentence: at half
a bit the value is about 1.4 times more (or less) common than the typical agreeing value."""

_NOUNS: dict[str, tuple[str, str]] = {
    "given_name": ("given name", "given names"),
    "family_name": ("family name", "family names"),
    "middle_name": ("middle name", "middle names"),
    "name_suffix": ("name suffix", "name suffixes"),
    "dob": ("date of birth", "dates of birth"),
    "address": ("address", "addresses"),
    "place": ("address", "addresses"),  # street address, postcode and city as one
    "phone": ("phone number", "phone numbers"),
    "email": ("e-mail address", "e-mail addresses"),
    "sex": ("sex", "recorded sexes"),
    "ssn": ("SSN", "SSNs"),
    "passport": ("passport number", "passport numbers"),
    "drivers_licence": ("driver's licence number", "driver's licence numbers"),
    "national_id": ("national ID", "national IDs"),
    "a_number": ("A-number", "A-numbers"),
    "tax_id": ("tax ID", "tax IDs"),
}
"""What to call each comparison (singular, plural). Splink 5.0 saves every
``CustomComparison``'s description as its class name, so the model cannot say this itself."""

_COLUMNS: dict[str, tuple[str, ...]] = {
    "given_name": ("given",),
    "family_name": ("family",),
    "middle_name": ("middle",),
    "name_suffix": ("suffix",),
    "place": ("address", "postcode", "city"),
}
"""Which prepared columns show a comparison's values; any other comparison shows the column
of its own name. The date of birth is built from its parts (see ``_dob``)."""

_SPOKEN = frozenset({"given_name", "family_name", "middle_name", "name_suffix", "dob"})
"""The only comparisons whose values a sentence may quote."""

_PHRASES: dict[str, str] = {
    "exact": "{subject} agree",
    "same": "{subject} agree",
    "nickname or alias": "{subject} agree as nickname or alias",
    "similar spelling (jaro-winkler ≥ 0.92)": "{subject} are spelled similarly",
    "same sound": "{subject} sound the same",
    "alike, but two common names": "{subject} are alike, but two different common names",
    "given and family name swapped": "{subject} are swapped",
    "swapped (counted under given name)": "{subject} are swapped (counted under given name)",
    "given and family name swapped, spelled similarly": (
        "{subject} are swapped and spelled similarly"
    ),
    "swapped, spelled similarly (counted under given name)": (
        "{subject} are swapped and spelled similarly (counted under given name)"
    ),
    "one name in two romanisations": "{subject} agree as one name in two romanisations",
    "given and family name swapped, in other romanisations": (
        "{subject} are swapped, and written in other romanisations"
    ),
    "swapped, in other romanisations (counted under given name)": (
        "{subject} are swapped and written in other romanisations (counted under given name)"
    ),
    "given and family name swapped, each sounding like the other": (
        "{subject} are swapped, and each sounds like the other's"
    ),
    "swapped, each sounding like the other (counted under given name)": (
        "{subject} are swapped and each sounds like the other's (counted under given name)"
    ),
    "given and family name swapped, one the same and the other alike": (
        "{subject} are swapped, one the same and the other alike"
    ),
    "swapped, one the same and the other alike (counted under given name)": (
        "{subject} are swapped, one the same and the other alike (counted under given name)"
    ),
    "one's family name is the other's middle name": (
        "{subject} agree once one record's middle name is read as its family name"
    ),
    "one's middle name is the other's family name (counted under family name)": (
        "{subject} differ because one is the other's family name (counted under family name)"
    ),
    "loosely similar (jaro-winkler ≥ 0.8)": "{subject} are loosely similar",
    "initial agrees": "{subject} agree on the initial",
    "one part of a double surname agrees": "{subject} share one part of a double surname",
    "partial date agrees": "{subject} agree as far as the partial date goes",
    "day and month swapped": "{subject} agree with day and month swapped",
    "one digit differs": "{subject} differ by one digit",
    "year off by one": "{subject} agree but for the year, which is off by one",
    "same year": "{subject} share only the year",
    "same generation": "{subject} agree",
    "different generations": "{subject} name different generations (a father and son?)",
    "same address": "{subject} agree",
    "same number, similar street": "{subject} share the house number and a similar street",
    "same postcode": "{subject} agree",
    "same city": "{subject} agree",
    "same postcode area": "{subject} share the area",
    "same last seven digits": "{subject} share the last seven digits",
    "same user name": "{subject} share the user name",
    "same user name (counted under the names)": (
        "{subject} share the user name (counted under the names)"
    ),
    "one character differs": "{subject} differ by one character",
    "one or two characters differ": "{subject} differ by one or two characters",
    "different": "{subject} differ",
}
"""How each level label of ``comparisons`` reads in a sentence, keyed by lower-case label."""

_SUBJECTS: dict[str, tuple[str, str]] = {
    "given and family name swapped": ("given and family name", "given and family names"),
    "given and family name swapped, spelled similarly": (
        "given and family name",
        "given and family names",
    ),
    "given and family name swapped, in other romanisations": (
        "given and family name",
        "given and family names",
    ),
    "given and family name swapped, each sounding like the other": (
        "given and family name",
        "given and family names",
    ),
    "given and family name swapped, one the same and the other alike": (
        "given and family name",
        "given and family names",
    ),
    "same postcode": ("postcode", "postcodes"),
    "same city": ("city", "cities"),
    "same postcode area": ("postcode area", "postcodes"),
}
"""Levels that say more precisely than their comparison what was compared."""


@dataclass(frozen=True, slots=True)
class Contribution:
    """One row of the waterfall.

    ``weight`` is in log2: the prior's log-odds, a level's log2 Bayes factor (m / u), or the
    total match weight. ``tf_adjustment`` is added to it (negative when the agreeing value
    is common). ``probability`` is set on the prior (λ) and the total only. ``gamma`` is
    Splink's comparison vector value (-1 for the null level).
    """

    kind: Kind
    name: str
    description: str
    label: str = ""
    gamma: int | None = None
    weight: float = 0.0
    tf_adjustment: float = 0.0
    left: str | None = None
    right: str | None = None
    m_probability: float | None = None
    u_probability: float | None = None
    probability: float | None = None
    is_null: bool = False

    @property
    def combined(self) -> float:
        return self.weight + self.tf_adjustment

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["combined"] = self.combined
        return out


def level_of(comparison: Mapping[str, Any], gamma: int) -> Mapping[str, Any]:
    """The level of a saved comparison that a pair's ``gamma_*`` value names.

    Numbered as Splink's ``Comparison`` does: null levels are -1 wherever they are listed,
    the other levels count down from (number of non-null levels - 1) to 0 in list order.
    """
    levels: Sequence[Mapping[str, Any]] = comparison["comparison_levels"]
    counter = sum(1 for lv in levels if not lv.get("is_null_level")) - 1
    for lv in levels:
        value = -1 if lv.get("is_null_level") else counter
        if not lv.get("is_null_level"):
            counter -= 1
        if value == gamma:
            return lv
    name = comparison.get("output_column_name")
    raise ValueError(f"comparison {name!r} has no level with comparison vector value {gamma}")


def waterfall(
    model: Mapping[str, Any],
    pair: Mapping[str, Any],
    left: Mapping[str, Any] | None = None,
    right: Mapping[str, Any] | None = None,
) -> list[Contribution]:
    """The terms of ``pair``'s match weight: prior, one row per comparison, then the total.

    ``pair`` is a row of ``Linkage.pairs``; ``left`` and ``right`` are the prepared records
    (rows of ``Prepared.table``) of its two ids, for showing the values compared. The total
    is the sum of the rows, and equals the pair's ``match_weight`` when the model is the
    one that scored it. The values are shown as they are, identifiers included: deciding who
    may see them is the page's job, not this function's.
    """
    lam = float(model["probability_two_random_records_match"])
    prior = weight_of(lam)
    rows = [Contribution("prior", "prior", "Starting weight", weight=prior, probability=lam)]
    for comparison in model["comparisons"]:
        name = str(comparison["output_column_name"])
        gamma = pair.get(f"gamma_{name}")
        if gamma is None:
            continue
        level = level_of(comparison, int(gamma))
        rows.append(
            Contribution(
                "comparison",
                name,
                _description(comparison),
                label=str(level.get("label_for_charts") or gamma),
                gamma=int(gamma),
                weight=float(pair.get(f"mw_{name}") or 0.0),
                tf_adjustment=float(pair.get(f"mw_tf_adj_{name}") or 0.0),
                left=_shown(name, left),
                right=_shown(name, right),
                m_probability=_float_or_none(level.get("m_probability")),
                u_probability=_float_or_none(level.get("u_probability")),
                is_null=bool(level.get("is_null_level")),
            )
        )
    total = math.fsum(r.combined for r in rows)
    rows.append(
        Contribution(
            "total", "total", "Final match weight", weight=total, probability=probability_of(total)
        )
    )
    return rows


def sentence(contributions: Iterable[Contribution]) -> str:
    """A reviewer's summary of a waterfall: what agrees, what differs, what was not compared,
    which values are common or rare enough to change their weight, and the probability.

    Evidence for comes first and evidence against second, each strongest first; a level
    reads by its label, but counts for or against by its weight. Identifier, address, phone
    and e-mail values are never quoted.
    """
    rows = list(contributions)
    compared = [r for r in rows if r.kind == "comparison"]
    present = [r for r in compared if not r.is_null]
    supporting = sorted((r for r in present if r.combined > NEUTRAL_BITS), key=_strength)
    against = sorted((r for r in present if r.combined < -NEUTRAL_BITS), key=_strength)
    neutral = [r for r in present if abs(r.combined) <= NEUTRAL_BITS]
    clauses = _clauses(supporting) + _clauses(against) + _clauses(neutral)
    missing = [_missing(r) for r in compared if r.is_null]
    if missing:
        clauses.append("not compared: " + ", ".join(missing))
    clauses.extend(_tf_notes(present))
    adjustments = [r for r in rows if r.kind == "adjustment"]
    if adjustments:
        said = _join([f"{r.description.lower()} ({-r.weight:.1f} bits)" for r in adjustments])
        clauses.append(f"weighed down for {said}")
    total = next((r for r in rows if r.kind == "total"), None)
    if total is None:
        weight = math.fsum(r.combined for r in rows)
        total = Contribution(
            "total", "total", "", weight=weight, probability=probability_of(weight)
        )
    text = "; ".join(clauses)
    overall = f"Overall: {_percent(total.probability or 0.0)} likely the same person."
    return f"{text[:1].upper()}{text[1:]}. {overall}" if text else overall


def adjusted(
    rows: Sequence[Contribution], adjustments: Sequence[Contribution]
) -> list[Contribution]:
    """A waterfall with ``adjustments`` (kind "adjustment", negative weights) added before a
    new total, which is the sum of every row as before."""
    kept = [r for r in rows if r.kind != "total"] + list(adjustments)
    total = math.fsum(r.combined for r in kept)
    kept.append(
        Contribution(
            "total", "total", "Final match weight", weight=total, probability=probability_of(total)
        )
    )
    return kept


def why_not(
    model: Mapping[str, Any],
    pair: Mapping[str, Any] | None,
    left: Mapping[str, Any] | None = None,
    right: Mapping[str, Any] | None = None,
    *,
    threshold: float | None = None,
    refusal: str | None = None,
) -> str:
    """Why a record is not in an entity, given its best scored link into it (or ``None`` when
    there is none) and the clustering's refusal reason for that merge, if it made one."""
    if pair is None:
        text = (
            "No link was scored between this record and any member (blocking never compared "
            "them, or no comparison reached the floor below which scored pairs are dropped)."
        )
    else:
        ids = f"records {pair.get('unique_id_l')} and {pair.get('unique_id_r')}"
        detail = sentence(waterfall(model, pair, left, right))
        if threshold is None:
            text = f"Its best link into the entity is between {ids}. {detail}"
        else:
            enough = float(pair["match_probability"]) >= threshold
            verdict = "is strong enough to merge" if enough else "falls short of what a merge needs"
            text = (
                f"Its best link into the entity ({ids}) {verdict} ({_percent(threshold)}). {detail}"
            )
    if refusal:
        text += f" The merge was refused: {refusal}"
    return text


def _description(comparison: Mapping[str, Any]) -> str:
    name = str(comparison["output_column_name"])
    if name in _NOUNS:
        singular = _NOUNS[name][0]
        return singular[:1].upper() + singular[1:]
    saved = str(comparison.get("comparison_description") or "")
    return saved if saved and not saved.endswith("Comparison") else name.replace("_", " ")


def _nouns(row: Contribution) -> tuple[str, str]:
    """What to call a row's comparison (singular, plural), as precisely as its level says."""
    if row.label.lower() in _SUBJECTS:
        return _SUBJECTS[row.label.lower()]
    singular = row.name.replace("_", " ")
    return _NOUNS.get(row.name, (singular, singular + "s"))


def _shown(name: str, record: Mapping[str, Any] | None) -> str | None:
    if record is None:
        return None
    if name == "dob":
        return _dob(record)
    values = [record.get(c) for c in _COLUMNS.get(name, (name,))]
    text = ", ".join(str(v) for v in values if v not in (None, ""))
    return text or None


def _dob(record: Mapping[str, Any]) -> str | None:
    """The date at the precision the record gives: a partial date has no ``dob``."""
    if record.get("dob"):
        return str(record["dob"])
    parts = [record.get("dob_y"), record.get("dob_m"), record.get("dob_d")]
    if parts[0] is None:
        return None
    known = [f"{int(parts[0]):04d}"]
    for part in parts[1:]:
        if part is None:
            break
        known.append(f"{int(part):02d}")
    return "-".join(known)


def _float_or_none(value: Any) -> float | None:
    return None if value is None else float(value)


def _strength(row: Contribution) -> float:
    return -abs(row.combined)


def _clauses(rows: Sequence[Contribution]) -> list[str]:
    """One clause per row, except that rows reading the same without quoted values are
    joined ("dates of birth and SSNs agree"), at the place of the strongest of them."""
    clauses: list[str] = []
    grouped: dict[str, tuple[int, list[str]]] = {}
    for row in rows:
        template = _PHRASES.get(row.label.lower()) or _fallback(row)
        subject = _nouns(row)[1]
        values = _quoted(row, template)
        if values:
            clauses.append(template.format(subject=subject) + values)
            continue
        if template not in grouped:
            grouped[template] = (len(clauses), [])
            clauses.append(template)
        grouped[template][1].append(subject)
    for template, (at, subjects) in grouped.items():
        clauses[at] = template.format(subject=_join(subjects))
    return clauses


def _fallback(row: Contribution) -> str:
    """A label this module does not know: the else level (0) differs, any other agrees as
    far as its label says. Braces in the label are escaped for ``str.format``."""
    label = row.label.replace("{", "{{").replace("}", "}}")
    if row.gamma == 0:
        return f"{{subject}} differ ({label})"
    return f"{{subject}} agree in part ({label})"


def _quoted(row: Contribution, template: str) -> str:
    if row.name not in _SPOKEN or template == "{subject} agree":
        return ""
    if row.left is None or row.right is None:
        return ""
    return f" ({row.left} / {row.right})"


def _missing(row: Contribution) -> str:
    noun = _nouns(row)[0]
    if row.left is None and row.right is None:
        return f"{noun} missing"
    if row.left is None or row.right is None:
        return f"{noun} missing on one side"
    return noun  # both present, yet the null level: a postcode on one side, a city on the other


def _tf_notes(rows: Sequence[Contribution]) -> list[str]:
    common = [r for r in rows if r.tf_adjustment < -TF_NOTE_BITS]
    rare = [r for r in rows if r.tf_adjustment > TF_NOTE_BITS]
    notes: list[str] = []
    if common:
        names = _join([_named_value(r) for r in common])
        verb, its = ("is", "its") if len(common) == 1 else ("are", "their")
        notes.append(f"{names} {verb} common in the data, so {its} agreement counts for less")
    if rare:
        names = _join([_named_value(r) for r in rare])
        verb, it = ("is", "it counts") if len(rare) == 1 else ("are", "they count")
        notes.append(f"{names} {verb} rare in the data, so {it} for more")
    return notes


def _named_value(row: Contribution) -> str:
    noun = _nouns(row)[0]
    if row.name in _SPOKEN and row.left is not None and row.left == row.right:
        return f"{noun} ({row.left})"
    return noun


def _join(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def _percent(p: float) -> str:
    if p >= 0.999:
        return "over 99.9%"
    if p < 0.001:  # a link at the floor (0.001) is kept, so it is not "under" it
        return "under 0.1%"
    if 0.01 <= p <= 0.99:
        return f"{p * 100:.0f}%"
    return f"{p * 100:.1f}%"
