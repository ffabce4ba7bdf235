"""Scored record pairs into entities, refusing the merges the evidence or a reviewer forbids.

Connected components over the pairs above a threshold (Splink's default) lets one wrong
link join two people, and a chain of plausible links join many: A matches B and B matches
C, so A is C although A and C were scored as different people. Here every merge is a
decision between two clusters as wholes, strongest link first:

1. "same" judgements (must-links) are applied, except where one would put a pair judged
   "different" (a cannot-link) into one cluster;
2. pairs scored at or above ``threshold`` are taken in descending match weight (ties by
   record order), and each joins its two clusters unless the clusters hold a cannot-link
   pair, conflicting strong evidence (two SSNs; dates of birth years apart; name suffixes
   of different generations, "Jr" and "Sr"), the household pattern (same family name and
   address with different given names, or with one name and full dates of birth that no
   slip explains), full dates of birth that no slip explains anywhere where the data keeps
   dates well (``DateCheck``), or too little support from the other scored pairs between
   them (see ``cluster_records``);
3. a record that matches two clusters that could not be merged about equally well is
   taken out of both and flagged, rather than left wherever the tie-break put it.

Each refusal a reviewer could act on comes back as a ``Flag`` with a sentence, and each
cluster keeps the links that joined it (a spanning tree), so an explanation can walk the
path from any record to any other. Record keys are sorted once and every tie is broken by
that order, so the result does not depend on the order of the input.
"""

from __future__ import annotations

import gc
from collections.abc import (
    Callable,
    Collection,
    Hashable,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, Generic, Literal, TypeVar

import numpy as np
import numpy.typing as npt

from linkwise.resolve.likeness import (
    families_agree,
    families_alike,
    given_names_compatible,
    one_edit,
    suffixes_conflict,
)

K = TypeVar("K", bound=Hashable)

FlagKind = Literal["cannot_link", "conflict", "ambiguous", "household", "judgement_conflict"]

EXCLUSIVE_IDENTIFIERS: tuple[str, ...] = (
    "ssn",
    "passport",
    "national_id",
    "a_number",
    "drivers_licence",
)
_LABELS = {
    "ssn": "SSN",
    "passport": "passport",
    "national_id": "national ID",
    "a_number": "A-number",
    "drivers_licence": "driver's licence",
}

_Date = tuple[int, int, int]  # (year, month, day); 0 for a part the source did not give


@dataclass(frozen=True, slots=True)
class Edge(Generic[K]):
    """A scored candidate pair: Splink's match probability and match weight (log2 Bayes
    factor, prior included)."""

    left: K
    right: K
    probability: float
    weight: float


@dataclass(frozen=True, slots=True)
class EdgeColumns(Generic[K]):
    """The same edges as four equal-length columns (lists or numpy arrays), as Splink's
    predictions come: at millions of pairs, making an ``Edge`` object per pair costs more
    than the clustering. Integer keys in numpy arrays are matched to records in bulk."""

    left: Sequence[K] | npt.NDArray[Any]
    right: Sequence[K] | npt.NDArray[Any]
    probability: Sequence[float] | npt.NDArray[np.float64]
    weight: Sequence[float] | npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Evidence:
    """What a record says that can prove two records are *not* one person.

    Values are already normalised. ``identifiers`` holds only trustworthy values (valid,
    not a placeholder or sample number): one bad SSN shared by many records would otherwise
    forbid every merge among them. ``dob`` is ISO at the precision known ("1987",
    "1987-05" or "1987-05-04"); names are folded lower-case.
    """

    identifiers: Mapping[str, str] = field(default_factory=dict)
    dob: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    address: str | None = None
    shared: frozenset[tuple[str, str]] = frozenset()
    """Every identifier value the record may be compared on, valid or not, as (type,
    value): two clusters sharing one of these are not vetoed for their dates of birth."""
    source: str | None = None
    """The record's source, for ``one_per_source``."""
    suffix: str | None = None
    """The generational suffix of the name ("jr", "sr", "iii"), if the record gives one."""
    middle_name: str | None = None
    """The middle name as recorded: where a source files the first of two surnames there
    ("carlos ortiz perez" as given carlos, middle ortiz), it is a family name the household
    check compares."""


@dataclass(frozen=True, slots=True)
class Flag(Generic[K]):
    """Something for a reviewer: a refused merge, an ambiguous record, a judgement that
    could not be honoured. ``reason`` is a plain sentence naming the records.

    Identifier numbers are never written into ``reason`` (only which records hold
    different ones): a flag is shown to reviewers whose access to the numbers themselves
    is decided elsewhere.
    """

    kind: FlagKind
    records: tuple[K, ...]
    reason: str


@dataclass(frozen=True, slots=True)
class Link(Generic[K]):
    """One join in a cluster's spanning tree: the scored ``edge`` that joined ``left`` and
    ``right``, or ``None`` when a "same" judgement did."""

    left: K
    right: K
    edge: Edge[K] | None


@dataclass(frozen=True)
class Clustering(Generic[K]):
    """Every input record in exactly one of ``clusters`` (singletons included), ordered by
    each cluster's first record; ``merged_by[i]`` holds the ``len(clusters[i]) - 1`` links
    that joined cluster ``i``."""

    clusters: list[frozenset[K]]
    merged_by: list[tuple[Link[K], ...]]
    flags: list[Flag[K]]


NEWCOMER_ENTITY = 3
"""The smallest cluster a single record joins on ``newcomer_support`` (records judged the
same counted as one); a record joining a smaller one is the chain A-B-C."""


def cluster_records(
    records: Iterable[K],
    edges: Iterable[Edge[K]] | EdgeColumns[K],
    *,
    threshold: float = 0.9,
    evidence: Mapping[K, Evidence] | None = None,
    must_link: Iterable[tuple[K, K]] = (),
    cannot_link: Iterable[tuple[K, K]] = (),
    ambiguity_margin: float = 1.0,
    dob_year_gap: int = 2,
    support: float = 0.65,
    newcomer_support: float = 0.4,
    given_compatible: Callable[[str, str], bool] = given_names_compatible,
    exclusive_identifiers: Collection[str] = EXCLUSIVE_IDENTIFIERS,
    one_per_source: Collection[str] = (),
    strict_dates: DateCheck | None = None,
) -> Clustering[K]:
    """Cluster ``records`` by the scored ``edges``, honouring judgements and evidence.

    Merge support (average linkage). Joining two clusters asserts that every pair across
    them is a match, so once either side holds more than one record the joining edge is
    not enough: the mean match probability of the scored pairs across the two clusters
    (any probability, not only those above the threshold) must be at least
    ``support * threshold`` (0.585 at the defaults; 0.52 at linkwise's 0.8 resolution
    threshold). Pairs not among ``edges`` are left out: a pair blocking never compared is
    no evidence either way, and one scored below the floor the caller kept (0.001 in
    linkwise's resolution) cannot be told from it here, so the lower the floor, the more of
    the model's firm "no"s the mean counts. The mean
    is of probabilities rather than weights so that each pair's say is bounded: with
    weights, two pairs at +20 would outvote one at -15 that says "certainly not". At the
    defaults a chain A-B, B-C at 0.99 is refused when A-C scores below 0.18 (at threshold
    0.8, below 0.05), while a true cluster with one middling pair (0.5 beside two at 0.99)
    still joins. The bar was set by measurement: stricter support bought almost no
    precision and cost several points of recall on noisy duplicates (historical_50k). A
    merge of two single records always has the support of its own edge.

    A single record joining a cluster of three or more records needs a lower mean,
    ``newcomer_support * threshold`` (0.32 at linkwise's 0.8). Such a cluster is already
    held together by its own links, and its sparse or mistyped copies score middling pairs
    with any newcomer, its true records included, which only says those copies carry
    little evidence. A chain of three (a record joining a pair) keeps the full bar; records
    judged the same count as one. What it gives up: one strong link carries a record into
    a cluster of three even when its two other pairs score at the floor or below it. Set by
    measurement (benchmarks/RESULTS.md, "A single record joining a larger entity"): on the
    demo world it joined 745 records to their own person for 21 more put with another
    (starting at four records instead: 3 fewer put with another, 323 more left apart); on
    historical_50k precision did not move and recall rose 1.2 points.

    Conflicting evidence: the sides hold values of one ``exclusive_identifiers`` type and
    share none (passports and licences are reissued under new numbers; drop them from the
    set where sources keep old ones), two dates of birth more than ``dob_year_gap``
    years apart (full dates compared as dates, partial ones by year), or name suffixes of
    different generations and none of the same ("jr" and "sr"; "jr" and "ii" are one). The
    last two give way when the sides share an identifier value. With ``strict_dates`` (a
    ``DateCheck`` that is ``strict``: the data shows one person's full dates of birth
    differing by no more than a slip), full dates of birth of which no pair is a slip apart
    conflict too, however close, a 1 January counting as a year alone where the check
    found it written for unknown dates; this too gives way to a shared identifier value.

    Households (``_Run.household``): the same family name and address with given names that
    ``given_compatible`` says cannot be one person's, or with names it says may be one
    person's but full dates of birth that no slip explains (``_Run.namesakes_at``). So
    ``given_compatible`` decides refusals both ways: a looser comparison lets more
    households merge and keeps more relatives of one name apart.

    One-to-one: records of a source in ``one_per_source`` (declared free of duplicates, so
    each person appears in it at most once) never share a cluster; as with the other
    refusals, the stronger link wins and the refused merge is flagged.

    Ambiguity: a record whose best edges (at or above the threshold) into two different
    final clusters are within ``ambiguity_margin`` match weight of each other has been
    placed by a coin toss, so it is taken out into a cluster of its own, flagged, and the
    clusters it touched are clustered again without it (repeated until no record is
    ambiguous). Clustering without it may join its two clusters: a record taken out whose
    best edges then lead into one cluster it may join is let back, once, and clustered
    again with that cluster. Records joined by a "same" judgement are never treated as
    ambiguous.

    Edges naming a record missing from ``records`` are an error; judgements naming one are
    ignored (judgements outlive deleted records). Keys are ordered by ``sorted`` where
    they support it, otherwise by type name and ``repr``.
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    for name, bar in (("support", support), ("newcomer_support", newcomer_support)):
        if not 0.0 < bar <= 1.0:
            raise ValueError(f"{name} must be in (0, 1], got {bar}")
    if ambiguity_margin < 0 or dob_year_gap < 0:
        raise ValueError("ambiguity_margin and dob_year_gap must not be negative")
    with _collector_paused():
        keys = _ordered(records)
        index = {key: i for i, key in enumerate(keys)}
        run = _Run(
            keys=keys,
            graph=_Graph(_columns(edges), threshold, keys, index),
            evidence=evidence or {},
            must=_pairs(must_link, index),
            cannot=_pairs(cannot_link, index),
            min_support=support * threshold,
            newcomer_support=newcomer_support * threshold,
            margin=ambiguity_margin,
            gap=dob_year_gap,
            compatible=given_compatible,
            exclusive=exclusive_identifiers,
            one_per_source=frozenset(one_per_source),
            strict_dates=strict_dates if strict_dates is not None and strict_dates.strict else None,
        )
        return run.result()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Clustering allocates millions of small containers and frees few, so the cyclic
    garbage collector would rescan them again and again and find nothing (a quarter of the
    run time at a million records)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _columns(edges: Iterable[Edge[K]] | EdgeColumns[K]) -> EdgeColumns[K]:
    if isinstance(edges, EdgeColumns):
        return edges
    rows = edges if isinstance(edges, list) else list(edges)
    return EdgeColumns(
        [e.left for e in rows],
        [e.right for e in rows],
        np.fromiter(map(attrgetter("probability"), rows), np.float64, len(rows)),
        np.fromiter(map(attrgetter("weight"), rows), np.float64, len(rows)),
    )


def _ordered(records: Iterable[K]) -> list[K]:
    unique: set[Any] = set(records)
    try:
        return sorted(unique)
    except TypeError:
        return sorted(unique, key=lambda k: (type(k).__name__, repr(k)))


def _pairs(pairs: Iterable[tuple[K, K]], index: Mapping[K, int]) -> list[tuple[int, int]]:
    """Known, distinct pairs as sorted index pairs, deduplicated, in index order."""
    found: set[tuple[int, int]] = set()
    for a, b in pairs:
        i, j = index.get(a), index.get(b)
        if i is not None and j is not None and i != j:
            found.add((min(i, j), max(i, j)))
    return sorted(found)


def _positions(
    column: Sequence[Any] | npt.NDArray[Any], keys: list[Any], index: Mapping[Any, int]
) -> npt.NDArray[np.int64]:
    """Each key's position in ``keys``. A dict lookup per edge is the slowest step at
    millions of edges, so integer keys (the usual record ids) go through a lookup table
    over their range, or a binary search when the range is sparse."""
    if keys and all(type(k) is int for k in keys) and -(2**62) < keys[0] <= keys[-1] < 2**62:
        values = np.asarray(column)
        if values.dtype.kind in "iu" and values.ndim == 1:
            values = values.astype(np.int64, copy=False)
            low, span = keys[0], keys[-1] - keys[0] + 1
            found: npt.NDArray[np.int64]
            if span <= 4 * len(keys) + 1024:
                table = np.full(span + 1, -1, dtype=np.int64)
                table[np.asarray(keys, dtype=np.int64) - low] = np.arange(len(keys))
                offset = values - low
                found = table[np.where((offset >= 0) & (offset < span), offset, span)]
                missing = found < 0
            else:
                ordered = np.asarray(keys, dtype=np.int64)
                found = np.searchsorted(ordered, values).clip(0, len(keys) - 1)
                missing = ordered[found] != values
            if missing.any():
                name = values[missing][0].item()
                raise ValueError(f"an edge names record {name!r}, which is not in records")
            return found
    try:
        return np.fromiter(map(index.__getitem__, column), np.int64, len(column))
    except KeyError as exc:
        raise ValueError(f"an edge names record {exc.args[0]!r}, which is not in records") from None


class _Graph:
    """The deduplicated edges as arrays, the strong ones in processing order, and an
    adjacency (CSR) over all of them for the support and ambiguity checks.

    Arrays rather than Python objects: five million edges as tuples cost gigabytes, and
    sorting them in Python costs most of a minute.
    """

    __slots__ = (
        "indptr",
        "left",
        "nbr",
        "neid",
        "nprob",
        "order",
        "prob",
        "rank",
        "right",
        "weight",
    )

    def __init__(
        self, edges: EdgeColumns[Any], threshold: float, keys: list[Any], index: Mapping[Any, int]
    ) -> None:
        n = len(keys)
        left = self.left = _positions(edges.left, keys, index)
        right = self.right = _positions(edges.right, keys, index)
        prob = self.prob = np.asarray(edges.probability, dtype=np.float64)
        self.weight = np.asarray(edges.weight, dtype=np.float64)
        m = len(left)
        if not len(right) == len(prob) == len(self.weight) == m:
            raise ValueError("the edge columns differ in length")
        if np.isnan(prob).any() or np.isnan(self.weight).any():
            raise ValueError("an edge has a NaN probability or weight")
        lo, hi = np.minimum(left, right), np.maximum(left, right)
        # Each pair once, its strongest edge, in (lo, hi) order: a pair given twice or both
        # ways round would otherwise count twice towards support.
        code = lo * n + hi
        by_pair = np.argsort(code, kind="stable")
        sorted_code = code[by_pair]
        first = np.ones(m, dtype=bool)
        first[1:] = sorted_code[1:] != sorted_code[:-1]
        if not first.all():
            # Of each run of one pair, an edge with the highest weight, then probability.
            starts = np.flatnonzero(first)
            lengths = np.diff(np.append(starts, m))
            ranked = self.weight[by_pair]
            top = ranked == np.repeat(np.maximum.reduceat(ranked, starts), lengths)
            tied = np.where(top, prob[by_pair], -np.inf)
            top &= tied == np.repeat(np.maximum.reduceat(tied, starts), lengths)
            best = np.flatnonzero(top)
            run = np.cumsum(first)[best]
            first[:] = False
            first[best[np.append(True, run[1:] != run[:-1])]] = True
        kept = by_pair[first & (lo[by_pair] != hi[by_pair])]
        # Strong edges strongest first; the stable sort leaves ties in (lo, hi) order.
        strong = kept[prob[kept] >= threshold]
        strong = strong[np.argsort(-self.weight[strong], kind="stable")]
        self.order = (strong, lo[strong], hi[strong])
        self.rank = np.full(m, -1, dtype=np.int64)
        self.rank[strong] = np.arange(len(strong))
        # CSR: each record's pairs where it is the lower end (already grouped, as ``kept``
        # is in lo order), then those where it is the higher end.
        klo, khi = lo[kept], hi[kept]
        n_lo, n_hi = np.bincount(klo, minlength=n), np.bincount(khi, minlength=n)
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(n_lo + n_hi, out=indptr[1:])
        step = np.arange(len(kept))
        pos_lo = indptr[klo] + step - (np.cumsum(n_lo) - n_lo)[klo]
        by_hi = np.argsort(khi, kind="stable")
        hi_sorted = khi[by_hi]
        pos_hi = indptr[hi_sorted] + n_lo[hi_sorted] + step - (np.cumsum(n_hi) - n_hi)[hi_sorted]
        self.nbr = np.empty(2 * len(kept), dtype=np.int64)
        self.neid = np.empty(2 * len(kept), dtype=np.int64)
        self.nbr[pos_lo], self.nbr[pos_hi] = khi, klo[by_hi]
        self.neid[pos_lo], self.neid[pos_hi] = kept, kept[by_hi]
        self.nprob = prob[self.neid]
        self.indptr: list[int] = indptr.tolist()

    def strong_order(self, ranks: Iterable[int] | None = None) -> Iterator[tuple[int, int, int]]:
        """(edge, u, v) of the strong edges, strongest first; only ``ranks`` if given."""
        e, u, v = self.order
        if ranks is not None:
            picked = np.fromiter(sorted(ranks), dtype=np.int64)
            e, u, v = e[picked], u[picked], v[picked]
        return zip(e.tolist(), u.tolist(), v.tolist(), strict=True)


class _Summary:
    """What a cluster says against a merge. Each value maps to the first record holding it,
    so a refusal can name records; the date spans make the date check four comparisons
    however large the cluster."""

    __slots__ = (
        "addresses",
        "dobs",
        "families",
        "full",
        "givens",
        "ids",
        "middles",
        "names",
        "shared",
        "sources",
        "suffixes",
        "years",
    )

    def __init__(self) -> None:
        self.ids: dict[str, dict[str, int]] = {}
        self.shared: set[tuple[str, str]] = set()
        self.sources: dict[str, int] = {}  # duplicate-free sources -> first record from it
        self.dobs: dict[_Date, int] = {}
        self.givens: dict[str, int] = {}
        self.names: set[tuple[str, str | None]] = set()  # (given, family) as recorded
        self.families: set[str] = set()
        self.middles: set[str] = set()  # words of middle names, initials left out
        self.addresses: dict[str, str] = {}  # address key -> first address with it
        self.suffixes: dict[str, int] = {}  # name suffix -> first record with it
        self.years: tuple[_Date, _Date] | None = None  # earliest and latest date of birth
        self.full: tuple[_Date, _Date] | None = None  # the same over full dates only

    def absorb(self, other: _Summary) -> None:
        for kind, values in other.ids.items():
            mine = self.ids.setdefault(kind, {})
            for value, record in values.items():
                mine.setdefault(value, record)
        self.shared |= other.shared
        for date, record in other.dobs.items():
            self.dobs.setdefault(date, record)
        for name, record in other.givens.items():
            self.givens.setdefault(name, record)
        self.names |= other.names
        self.families |= other.families
        self.middles |= other.middles
        for key, address in other.addresses.items():
            self.addresses.setdefault(key, address)
        for source, record in other.sources.items():
            self.sources.setdefault(source, record)
        for suffix, record in other.suffixes.items():
            self.suffixes.setdefault(suffix, record)
        self.years = _widen(self.years, other.years)
        self.full = _widen(self.full, other.full)


_NAME_PAIR_LIMIT = 4096
"""Above this many (name, name) pairs across two clusters the household check is skipped."""
_UNIT_WORDS = frozenset({"APT", "APARTMENT", "UNIT", "STE", "SUITE", "NO", "#"})


def _shared_family(sa: _Summary, sb: _Summary) -> str | None:
    """The family name two clusters share, in words for a flag, or None: a family name of
    each alike (``families_alike``), or else one side's family name agreeing
    (``families_agree``: equal, one typo, a shared word) with a word of a middle name on the
    other, where sources file the first of two surnames ("alberto ortiz" beside "carlos
    ortiz perez" written as given carlos, middle ortiz). The middle name is held to the
    narrower test because it is a family name only where a source filed one there."""
    for x in sorted(sa.families):
        for y in sorted(sb.families):
            if families_alike(x, y):
                return f"family name {x!r}" if x == y else f"family names {x!r} and {y!r}"
    for families, middles in ((sa.families, sb.middles), (sb.families, sa.middles)):
        for x in sorted(families):
            for y in sorted(middles):
                if families_agree(x, y):
                    spelt = "" if x == y else f" {y!r}"
                    return f"family name {x!r} (filed as a middle name{spelt} on one side)"
    return None


def _address_key(address: str) -> str:
    """An address with its unit designator written one way: "12 OAK ST APT 5", "12 OAK ST #
    5" and "12 Oak St #5" give one key. Sources spell the flat differently, and a household
    that keeps two spellings is still one household."""
    words = address.upper().replace("#", " # ").replace(",", " ").replace(".", " ").split()
    return " ".join("#" if w in _UNIT_WORDS else w for w in words)


def _widen(a: tuple[_Date, _Date] | None, b: tuple[_Date, _Date] | None) -> Any:
    if a is None or b is None:
        return a or b
    return (min(a[0], b[0]), max(a[1], b[1]))


def _parse_dob(text: str) -> _Date:
    parts = text.split("-")
    if not 1 <= len(parts) <= 3 or not all(p.isdigit() for p in parts):
        raise ValueError(f"date of birth {text!r} is not ISO like 1987, 1987-05 or 1987-05-04")
    y, m, d = (int(p) for p in (*parts, "0", "0")[:3])
    return (y, m, d)


def _iso(d: _Date) -> str:
    return f"{d[0]:04d}" + (f"-{d[1]:02d}" if d[1] else "") + (f"-{d[2]:02d}" if d[2] else "")


def _consistent(a: _Date, b: _Date) -> bool:
    """Whether two dates at any precision may be the same day."""
    return (
        a[0] == b[0]
        and (not a[1] or not b[1] or a[1] == b[1])
        and (not a[2] or not b[2] or a[2] == b[2])
    )


def _swapped_closely(a: _Summary, b: _Summary) -> bool:
    """Whether a record's given and family name on one side are a record's family and given
    name on the other, each the same or one typo off and longer than an initial ("dang
    trung" beside "trung dang"). Stricter than the name comparison that lets a merge
    through: here the swap is what makes the two records' family names agree, and so
    what lets the dates refuse the merge."""
    return any(
        fa is not None
        and fb is not None
        and min(len(ga), len(fa), len(gb), len(fb)) > 1
        and one_edit(ga, fb)
        and one_edit(gb, fa)
        for ga, fa in a.names
        for gb, fb in b.names
    )


def _slip(a: _Date, b: _Date) -> bool:
    """Whether two full dates could be one date written wrongly: the same, one keystroke
    apart (1975-04-12 for 1975-04-02), day and month swapped, or the year off by one."""
    if a == b or one_edit(_iso(a), _iso(b)):
        return True
    if a[0] == b[0] and a[1] == b[2] and a[2] == b[1]:
        return True
    return a[1:] == b[1:] and abs(a[0] - b[0]) == 1


def _unslipped(
    a: _Summary, b: _Summary, *, unknown_new_year: bool = False
) -> tuple[_Date, _Date] | None:
    """The earliest full date of birth of each side when both sides give full dates and no
    date of one side is a slip away from any of the other's (``_slip``); else None. With
    ``unknown_new_year``, a 1 January counts as a year alone (where sources write it for a
    date they do not know, ``DateCheck.new_year``). Above ``_NAME_PAIR_LIMIT`` cross pairs,
    None."""
    full_a = [d for d in a.dobs if d[2] and not (unknown_new_year and _new_year(d))]
    full_b = [d for d in b.dobs if d[2] and not (unknown_new_year and _new_year(d))]
    if not full_a or not full_b or len(full_a) * len(full_b) > _NAME_PAIR_LIMIT:
        return None
    if any(_slip(x, y) for x in full_a for y in full_b):
        return None
    return min(full_a), min(full_b)


def _new_year(d: _Date) -> bool:
    return d[1] == 1 and d[2] == 1


STRICT_DATES_SHARE = 0.01
"""The most, among pairs of records sharing an identifier value, whose full dates of birth
no slip explains, for ``DateCheck.strict``."""
STRICT_DATES_PAIRS = 100
"""The fewest such pairs ``DateCheck.strict`` judges on: fewer say too little."""
_SHARED_BY_AT_MOST = 20
"""A value shared by more records than this is more likely a placeholder than one person's."""


@dataclass(frozen=True, slots=True)
class DateCheck:
    """How far one person's full dates of birth stray in the data, measured on the records
    that must be one person's because they share an identifier value (an SSN, a passport):
    of ``pairs`` such pairs with two full dates, ``unslipped`` have dates that no slip
    explains. With ``new_year`` (1 January is written far more often than other days, as
    sources write it for a date they do not know), a 1 January counts as a year alone, here
    and in the refusal. Where dates that no slip explains are rare (``strict``: at most
    ``STRICT_DATES_SHARE`` of at least ``STRICT_DATES_PAIRS`` pairs), such a date is two
    people far more often than one person's mistake, and
    ``cluster_records(strict_dates=...)`` refuses such a merge wherever the records live;
    elsewhere (historical registers, data keyed by hand, or data without identifiers to
    tell) only dates years apart do."""

    pairs: int
    unslipped: int
    new_year: bool = False

    @property
    def strict(self) -> bool:
        return self.pairs >= STRICT_DATES_PAIRS and self.unslipped <= STRICT_DATES_SHARE * (
            self.pairs
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "pairs": self.pairs,
            "unslipped": self.unslipped,
            "new_year": self.new_year,
            "strict": self.strict,
        }

    @classmethod
    def from_json(cls, found: Any) -> DateCheck | None:
        """The check saved with a model; None for a model saved before it was."""
        if not isinstance(found, dict):
            return None
        return cls(int(found["pairs"]), int(found["unslipped"]), bool(found["new_year"]))


def new_year_written_for_unknown(dates: Iterable[str]) -> bool:
    """Whether 1 January stands for an unknown date in these ISO dates of birth: at least
    twice as many of the full dates fall on it as on the average day."""
    full = new_year = 0
    for text in dates:
        if len(text) == 10:
            full += 1
            new_year += text.endswith("-01-01")
    return new_year * 365 >= 2 * full > 0


def _full_date(text: str | None, new_year: bool) -> _Date | None:
    """``text`` as a full date of birth (not a 1 January with ``new_year``); None for a
    partial date, none, or text that is not an ISO date."""
    try:
        d = _parse_dob(text) if text else None
    except ValueError:
        return None
    return d if d is not None and d[2] and not (new_year and _new_year(d)) else None


def check_dates(
    shared: Iterable[Sequence[tuple[Hashable, str | None]]], *, new_year: bool = False
) -> DateCheck:
    """``DateCheck`` over groups of records, one group per identifier value: every record
    holding it, as (record, ISO date of birth at any precision, or None). A value held by
    more than ``_SHARED_BY_AT_MOST`` records is left out; only full dates count (and with
    ``new_year`` not a 1 January); two records sharing two values make one pair."""
    seen: set[frozenset[Hashable]] = set()
    unslipped = 0
    for group in shared:
        if not 2 <= len(group) <= _SHARED_BY_AT_MOST:
            continue
        dated = [(r, d) for r, text in group if (d := _full_date(text, new_year)) is not None]
        for i, (ra, a) in enumerate(dated):
            for rb, b in dated[i + 1 :]:
                pair = frozenset((ra, rb))
                if pair in seen:
                    continue
                seen.add(pair)
                unslipped += not _slip(a, b)
    return DateCheck(len(seen), unslipped, new_year)


def _any_close(a: _Summary, b: _Summary, gap: int, limit: int = 4096) -> bool:
    """Whether some date of birth of ``a`` and some of ``b`` could be one person's: within
    ``gap`` years (full dates as dates, partial ones by year), or full dates one keystroke
    apart. A cluster gathers one person's typo variants (1630-08-01, 1638-08-01,
    1630-05-01): each is close to the true date while the two extremes need not be, so a
    conflict needs *no* pair across the sides to be close. Above ``limit`` cross pairs
    (huge clusters) only the extremes decide."""
    if len(a.dobs) * len(b.dobs) > limit:
        return False
    for x in a.dobs:
        for y in b.dobs:
            lo, hi = min(x, y), max(x, y)
            if lo[2] and hi[2]:
                if hi <= (lo[0] + gap, lo[1], lo[2]) or one_edit(_iso(lo), _iso(hi)):
                    return True
            elif hi[0] - lo[0] <= gap:
                return True
    return False


def _too_far(a: _Summary, b: _Summary, gap: int) -> tuple[_Date, _Date] | None:
    """A date of birth from ``a`` and one from ``b`` more than ``gap`` years apart; else None.

    Full dates are compared as dates (1980-03-01 and 1982-03-02 are more than two years
    apart); a date known only to the year or the month is compared by year alone. Dates one
    keystroke apart (1638-08-01 for 1630-08-01, a transposition) are typos, not a different
    person, so full dates that close never conflict; only the extremes of each side are
    compared here (``_any_close`` looks at every pair first).
    """
    for one, other, flip in ((a, b, False), (b, a, True)):
        found = None
        if one.full and other.full:
            lo, hi = one.full[0], other.full[1]
            if hi > (lo[0] + gap, lo[1], lo[2]) and not one_edit(_iso(lo), _iso(hi)):
                found = (lo, hi)
        if not found and one.years and other.years:
            lo, hi = one.years[0], other.years[1]
            if hi[0] - lo[0] > gap:
                found = (lo, hi)
        if found:
            return (found[1], found[0]) if flip else found
    return None


def _suffix_clash(a: _Summary, b: _Summary) -> tuple[tuple[str, int], tuple[str, int]] | None:
    """A suffix of ``a`` and one of ``b`` (each with its first record) naming different
    generations, when no suffix of one side is of the same generation as one of the other;
    else None. A side without a suffix never clashes: sources drop suffixes."""
    if not (a.suffixes and b.suffixes):
        return None
    pairs = [(x, y) for x in sorted(a.suffixes.items()) for y in sorted(b.suffixes.items())]
    if not all(suffixes_conflict(x[0], y[0]) for x, y in pairs):
        return None
    return pairs[0]


def _by_record(item: tuple[str, int]) -> int:
    return item[1]


_Raw = tuple[FlagKind, tuple[int, ...], str]  # a flag over record indices


class _Run:
    """One clustering: union-find over record indices, plus per-cluster state in dicts keyed
    by the cluster's root, so that a record on its own costs nothing."""

    def __init__(
        self,
        *,
        keys: list[Any],
        graph: _Graph,
        evidence: Mapping[Any, Evidence],
        must: list[tuple[int, int]],
        cannot: list[tuple[int, int]],
        min_support: float,
        newcomer_support: float,
        margin: float,
        gap: int,
        compatible: Callable[[str, str], bool],
        exclusive: Collection[str],
        one_per_source: frozenset[str] = frozenset(),
        strict_dates: DateCheck | None = None,
    ) -> None:
        self.keys = keys
        self.strict_dates = strict_dates
        self.one_per_source = one_per_source
        self.g = graph
        self.evidence = evidence
        self.must = must
        self.cannot_pairs: dict[int, list[tuple[int, int]]] = {}
        for a, b in cannot:
            self.cannot_pairs.setdefault(a, []).append((a, b))
            self.cannot_pairs.setdefault(b, []).append((b, a))
        self.min_support = min_support
        self.newcomer_support = newcomer_support
        self.margin = margin
        self.gap = gap
        self.compatible = compatible
        self.exclusive = tuple(sorted(exclusive))  # checked in this order
        self.is_exclusive = frozenset(exclusive)
        self.dob_cache: dict[str, _Date] = {}
        n = len(keys)
        self.parent = list(range(n))
        self.size = [1] * n
        self.members: dict[int, list[int]] = {}
        self.summaries: dict[int, _Summary] = {}
        self.cannot = {r: list(pairs) for r, pairs in self.cannot_pairs.items()}
        self.links: dict[int, list[tuple[int, int, int]]] = {}
        self.judged: set[int] = set()  # records joined by a "same" judgement
        self.group: dict[int, int] = {}  # judged record -> its judgement group
        self.grouped: dict[int, list[int]] = {}  # judgement group -> its records
        self.judged_roots: set[int] = set()  # clusters holding judged records
        self.excluded: set[int] = set()  # ambiguous records, kept on their own
        self.checked: set[int] = set()  # found unambiguous in their current neighbourhood
        self.refused: list[tuple[int, int, int]] = []  # (u, v, edge, or -1 for a judgement)
        self.flags: list[_Raw] = []
        self.ambiguous: list[_Raw] = []

    # -- state ---------------------------------------------------------------------------

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def cluster(self, root: int) -> list[int]:
        return self.members.get(root) or [root]

    def summary(self, root: int) -> _Summary | None:
        """The cluster's summary. A single record's is built from its evidence when asked
        for and kept only once it joins a cluster: records on their own hold none."""
        if self.size[root] > 1:
            return self.summaries.get(root)
        ev = self.evidence.get(self.keys[root])
        if ev is None:
            return None
        s = _Summary()
        for kind, value in ev.identifiers.items():
            if value and kind in self.is_exclusive:
                s.ids[kind] = {value: root}
                s.shared.add((kind, value))
        s.shared |= ev.shared
        if ev.dob:
            d = self.dob_cache.get(ev.dob)
            if d is None:
                d = self.dob_cache[ev.dob] = _parse_dob(ev.dob)
            s.dobs[d] = root
            s.years = (d, d)
            if d[2]:
                s.full = (d, d)
        if ev.given_name:
            s.givens[ev.given_name] = root
            s.names.add((ev.given_name, ev.family_name))
        if ev.family_name:
            s.families.add(ev.family_name)
        if ev.middle_name:
            s.middles.update(w for w in ev.middle_name.split() if len(w) > 1)
        if ev.address:
            s.addresses[_address_key(ev.address)] = ev.address
        if ev.source is not None and ev.source in self.one_per_source:
            s.sources[ev.source] = root
        if ev.suffix:
            s.suffixes[ev.suffix] = root
        return s

    def union(
        self, ra: int, rb: int, sa: _Summary | None, sb: _Summary | None, link: tuple[int, int, int]
    ) -> None:
        """Join two clusters under the larger one's root (the smaller state moves)."""
        if (self.size[ra], -ra) < (self.size[rb], -rb):
            ra, rb, sa, sb = rb, ra, sb, sa
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]
        big = self.members.get(ra) or [ra]
        big.extend(self.members.pop(rb, [rb]))
        self.members[ra] = big
        self.summaries.pop(rb, None)
        if sa is None:
            sa = sb
        elif sb is not None:
            sa.absorb(sb)
        if sa is not None:
            self.summaries[ra] = sa
        blocked = self.cannot.pop(rb, None)
        if blocked:
            self.cannot.setdefault(ra, []).extend(blocked)
        joins = self.links.setdefault(ra, [])
        joins.extend(self.links.pop(rb, []))
        joins.append(link)
        if rb in self.judged_roots:
            self.judged_roots.discard(rb)
            self.judged_roots.add(ra)

    # -- merge checks --------------------------------------------------------------------

    def cannot_between(self, ra: int, rb: int) -> tuple[int, int] | None:
        pa, pb = self.cannot.get(ra), self.cannot.get(rb)
        if not pa or not pb:
            return None
        if len(pb) < len(pa):
            pa, rb = pb, ra
        for own, partner in pa:
            if self.find(partner) == rb:
                return (min(own, partner), max(own, partner))
        return None

    def refusal(
        self, ra: int, rb: int, sa: _Summary | None, sb: _Summary | None
    ) -> tuple[FlagKind, str] | None:
        """Why clusters ``ra`` and ``rb`` (summaries ``sa``, ``sb``) must not be one, as a
        flag kind and a clause; None when nothing forbids the merge."""
        k = self.keys
        pair = self.cannot_between(ra, rb)
        if pair:
            return (
                "cannot_link",
                f"records {k[pair[0]]!r} and {k[pair[1]]!r} were judged different",
            )
        if sa is None or sb is None:
            return None
        both = sa.sources.keys() & sb.sources.keys()
        if both:
            source = min(both)
            x, y = sa.sources[source], sb.sources[source]
            return (
                "conflict",
                f"records {k[x]!r} and {k[y]!r} both come from source {source!r}, which is "
                "declared free of duplicates (one record per person)",
            )
        shared_id = not sa.shared.isdisjoint(sb.shared)
        if sa.ids and sb.ids:
            for kind in self.exclusive:
                va, vb = sa.ids.get(kind), sb.ids.get(kind)
                if not (va and vb):
                    continue
                if not va.keys().isdisjoint(vb):
                    continue
                if any(one_edit(a, b) for a in va for b in vb):
                    continue  # one mistyped character is a typo, not another person
                x, y = min(va.values()), min(vb.values())
                label = _LABELS.get(kind, kind)
                return (
                    "conflict",
                    f"records {k[x]!r} and {k[y]!r} hold different {label} numbers",
                )
        # A shared identifier outweighs a date-of-birth discrepancy (dates are mistyped far
        # more often than two people share an SSN); the model's score still decides.
        far = (
            _too_far(sa, sb, self.gap)
            if sa.years and sb.years and not shared_id and not _any_close(sa, sb, self.gap)
            else None
        )
        if far:
            return self.dates_conflict(sa, sb, far, f"more than {self.gap} years apart")
        if shared_id:
            return None  # one identifier value on both sides: not two relatives
        clash = _suffix_clash(sa, sb)
        if clash:
            (a, x), (b, y) = clash
            return (
                "conflict",
                f"records {k[x]!r} and {k[y]!r} have name suffixes {a!r} and {b!r}, which name "
                "different generations: likely a father and son",
            )
        found = self.household(sa, sb)
        strict = self.strict_dates
        if found is not None or strict is None:
            return found
        # at one address the household check has had its say, in its own words
        apart = _unslipped(sa, sb, unknown_new_year=strict.new_year)
        if apart is None:
            return None
        return self.dates_conflict(
            sa,
            sb,
            apart,
            "which no slip explains, in data where records sharing an identifier do not differ so",
        )

    def dates_conflict(
        self, sa: _Summary, sb: _Summary, dates: tuple[_Date, _Date], why: str
    ) -> tuple[FlagKind, str]:
        """The conflict over a date of birth of each side (``dates``), naming the first
        record of each that gives it, and ``why`` the two cannot be one person's."""
        x, y = sa.dobs[dates[0]], sb.dobs[dates[1]]
        return (
            "conflict",
            f"records {self.keys[x]!r} and {self.keys[y]!r} have dates of birth "
            f"{_iso(dates[0])} and {_iso(dates[1])}, {why}",
        )

    def household(self, sa: _Summary, sb: _Summary) -> tuple[FlagKind, str] | None:
        """Two members of one household: the same family name and address, and no record
        on one side whose name could be one person's with a record's on the other: given
        names not equal, an initial, a nickname, a one-letter typo or the same sound, and
        not the same two names in swapped order. With different dates of birth that is a
        parent and child or siblings; with the same date, twins (measured on the demo
        world: 28% of twins' records were merged before twins were covered).

        Family names agree when equal, one typo apart, sharing a word of a double surname
        ("martinez rodriguez" and "rodriguez") or a word one typo from it, in two Chinese
        romanisations ("li" and "lee"), or when one side's family name is a word of the
        other's middle name, where sources file the first of two surnames
        (``_shared_family``); addresses when equal once unit designators are written alike
        ("APT 5" and "# 5"). Each name is compared as the
        record gives it, given with family: a cluster holding a record in swapped order
        ("cao qiang" beside "qiang cao") is one person's names, not a sign that every
        given name of the other cluster may be a family name. Measured on the demo world
        (100,000 people): the twins' false-merge rate fell from 6.9% to 1.5%; most twins
        merged before had a swapped record on one side, a typo in the family name or a
        flat number written differently. Where the names could be one person's, the dates
        of birth may still tell two relatives of one name apart (``namesakes_at``)."""
        if not (sa.names and sb.names) or sa.addresses.keys().isdisjoint(sb.addresses):
            return None
        family = _shared_family(sa, sb)
        key = min(sa.addresses.keys() & sb.addresses.keys())
        address = sa.addresses[key]
        if family is None:
            if len(sa.names) * len(sb.names) <= _NAME_PAIR_LIMIT and _swapped_closely(sa, sb):
                return self.namesakes_at(
                    sa, sb, f"address {address!r} and two names, in swapped order on one side"
                )
            return None
        if len(sa.names) * len(sb.names) > _NAME_PAIR_LIMIT:
            return None  # a huge cluster: leave the decision to the model and support
        if self.one_name(sa, sb):
            return self.namesakes_at(
                sa, sb, f"{family}, address {address!r} and a given name that could be one"
            )
        twins = sa.dobs and sb.dobs and any(_consistent(x, y) for x in sa.dobs for y in sb.dobs)
        (ga, x), (gb, y) = (
            min(sa.givens.items(), key=_by_record),
            min(sb.givens.items(), key=_by_record),
        )
        if twins:
            dates = f"the same date of birth ({_iso(min(sa.dobs))}): likely twins"
        elif sa.dobs and sb.dobs:
            dates = (
                f"dates of birth ({_iso(min(sa.dobs))}, {_iso(min(sb.dobs))}): likely two "
                "members of one household"
            )
        else:
            dates = "no date of birth to tell them apart: likely two members of one household"
        return (
            "household",
            f"records {self.keys[x]!r} and {self.keys[y]!r} share {family} "
            f"and address {address!r} but have different given names ({ga!r}, {gb!r}) "
            f"and {dates}",
        )

    def one_name(self, sa: _Summary, sb: _Summary) -> bool:
        """Whether a record's name on one side could be one person's with a record's on the
        other: the same given name, an initial, a nickname, a one-letter typo or the same
        sound, or the same two names in swapped order."""
        if not sa.givens.keys().isdisjoint(sb.givens):
            return True
        compatible = self.compatible
        if any(compatible(ga, gb) for ga, _ in sa.names for gb, _ in sb.names):
            return True
        return self.swapped(sa, sb)

    def swapped(self, sa: _Summary, sb: _Summary) -> bool:
        """Whether a record's given and family name on one side could be a record's family
        and given name on the other ("dang trung" beside "trung dang")."""
        compatible = self.compatible
        return any(
            fa and fb and compatible(ga, fb) and compatible(gb, fa)
            for ga, fa in sa.names
            for gb, fb in sb.names
        )

    def namesakes_at(self, sa: _Summary, sb: _Summary, shared: str) -> tuple[FlagKind, str] | None:
        """Two relatives of one name at one address (``shared`` says what they share, for
        the flag's sentence): both sides give full dates of birth, and no date of one side is a slip
        away from any of the other's (see ``_slip``). Dates further apart than the year gap
        are refused before this; within it, a different date that no slip explains at a
        shared name and address is a parent and child or two cousins of one name far more
        often than one person's mistake (on the demo world, none of the scored pairs of
        this kind was one person; with this rule false merges fell from 0.26% to 0.20% of
        records, benchmarks/RESULTS.md)."""
        apart = _unslipped(sa, sb)
        if apart is None:
            return None
        da, db = apart
        x, y = sa.dobs[da], sb.dobs[db]
        return (
            "household",
            f"records {self.keys[x]!r} and {self.keys[y]!r} share {shared}, but have "
            f"dates of birth {_iso(da)} and {_iso(db)}, which no slip "
            "explains (not one digit, not day and month swapped, not the year off by one): "
            "likely two relatives of one name",
        )

    def supported(self, ra: int, rb: int) -> bool:
        """Whether the scored pairs across the clusters average at least ``min_support``
        (``newcomer_support`` for one record joining a cluster of ``NEWCOMER_ENTITY`` or
        more).

        Records judged the same count as one: their pair with an outside record scores as
        the best of their pairs with it. Otherwise a "same" judgement between a record and
        one member of a well-linked entity would split that member out of it, since the
        judged record's own pairs with the rest of the entity may be weak.
        """
        if self.size[ra] == 1 and self.size[rb] == 1:
            return True
        if self.size[ra] > self.size[rb]:
            ra, rb = rb, ra
        grouped = ra in self.judged_roots or rb in self.judged_roots
        if grouped:  # records judged the same are one unit here too
            units = sorted(len({self.group.get(m, m) for m in self.cluster(r)}) for r in (ra, rb))
        else:
            units = [self.size[ra], self.size[rb]]
        newcomer = units[0] == 1 and units[1] >= NEWCOMER_ENTITY
        bar = self.newcomer_support if newcomer else self.min_support
        parent, indptr, nbr, nprob = self.parent, self.g.indptr, self.g.nbr, self.g.nprob
        total, count = 0.0, 0
        best: dict[tuple[int, int], float] = {}
        for m in self.cluster(ra):
            start, stop = indptr[m], indptr[m + 1]
            for y, p in zip(nbr[start:stop].tolist(), nprob[start:stop].tolist(), strict=True):
                root = y
                while parent[root] != root:
                    parent[root] = parent[parent[root]]
                    root = parent[root]
                if root != rb:
                    continue
                if grouped:
                    pair = (self.group.get(m, m), self.group.get(y, y))
                    best[pair] = max(best.get(pair, 0.0), p)
                else:
                    total += p
                    count += 1
        if grouped:
            total, count = sum(best.values()), len(best)
        return count > 0 and total >= bar * count

    # -- the passes ----------------------------------------------------------------------

    def apply_judgements(self, records: Collection[int] | None) -> None:
        k = self.keys
        for a, b in self.must:
            if records is not None and a not in records:
                continue
            ra, rb = self.find(a), self.find(b)
            if ra != rb:
                pair = self.cannot_between(ra, rb)
                if pair:
                    self.refused.append((a, b, -1))
                    direct = set(pair) == {a, b}
                    clause = (
                        "were also judged different"
                        if direct
                        else f"that would join records {k[pair[0]]!r} and {k[pair[1]]!r}, "
                        "which were judged different"
                    )
                    self.flags.append(
                        (
                            "judgement_conflict",
                            tuple(dict.fromkeys((a, b, *pair))),
                            f"Records {k[a]!r} and {k[b]!r} were judged the same, but {clause}; "
                            "the 'same' judgement was not applied.",
                        )
                    )
                    continue
                sa, sb = self.summary(ra), self.summary(rb)
                why = self.refusal(ra, rb, sa, sb)
                if why is not None:  # the reviewer's word holds, but is put to a second look
                    self.flags.append(
                        (
                            "judgement_conflict",
                            (a, b),
                            f"Records {k[a]!r} and {k[b]!r} were judged the same although "
                            f"{why[1]}; the judgement was applied.",
                        )
                    )
                self.union(ra, rb, sa, sb, (a, b, -1))
                self.judged_roots.add(self.find(a))
            self.judged.update((a, b))
            self.join_group(a, b)

    def join_group(self, a: int, b: int) -> None:
        """Put ``a`` and ``b`` in one judgement group (the smaller group moves)."""
        ga, gb = self.group.setdefault(a, a), self.group.setdefault(b, b)
        if ga == gb:
            return
        ma, mb = self.grouped.setdefault(ga, [ga]), self.grouped.setdefault(gb, [gb])
        if len(ma) < len(mb):
            ga, ma, gb, mb = gb, mb, ga, ma
        for r in mb:
            self.group[r] = ga
        ma.extend(mb)
        del self.grouped[gb]

    def link(self, order: Iterable[tuple[int, int, int]]) -> None:
        """Take the strong edges in ``order``, merging where nothing forbids it."""
        parent, excluded, k = self.parent, self.excluded, self.keys
        summary, refusal, supported = self.summary, self.refusal, self.supported
        for e, u, v in order:
            if excluded and (u in excluded or v in excluded):
                continue
            ru, rv = u, v
            while parent[ru] != ru:
                parent[ru] = parent[parent[ru]]
                ru = parent[ru]
            while parent[rv] != rv:
                parent[rv] = parent[parent[rv]]
                rv = parent[rv]
            if ru == rv:
                continue
            su, sv = summary(ru), summary(rv)
            why = refusal(ru, rv, su, sv)
            if why is not None:
                self.refused.append((u, v, e))
                self.flags.append(
                    (why[0], (u, v), f"Records {k[u]!r} and {k[v]!r} were not merged: {why[1]}.")
                )
            elif supported(ru, rv):
                self.union(ru, rv, su, sv, (u, v, e))
            else:
                self.refused.append((u, v, e))

    def best_edges(self, x: int) -> list[tuple[float, int]]:
        """(weight, neighbour) of x's strongest strong edge into each cluster, strongest
        first, ties by record order."""
        g = self.g
        start, stop = g.indptr[x], g.indptr[x + 1]
        eids = g.neid[start:stop]
        strong = g.rank[eids] >= 0
        best: dict[int, tuple[float, int]] = {}
        for y, w in zip(
            g.nbr[start:stop][strong].tolist(), g.weight[eids[strong]].tolist(), strict=True
        ):
            if y in self.excluded:
                continue
            candidate, root = (-w, y), self.find(y)
            if root not in best or candidate < best[root]:
                best[root] = candidate
        return [(-w, y) for w, y in sorted(best.values())]

    def find_ambiguous(self) -> list[int]:
        """Records whose two best clusters are within the margin, flagged. Candidates are
        the ends of refused strong edges (an ambiguous record has a strong edge into a
        cluster it is not in) not yet checked since their clusters last changed."""
        k = self.keys
        ends = {x for u, v, e in self.refused if e >= 0 for x in (u, v)}
        found = []
        for x in sorted(ends - self.judged - self.excluded - self.checked):
            self.checked.add(x)
            ranked = self.best_edges(x)
            if len(ranked) < 2 or ranked[0][0] - ranked[1][0] > self.margin:
                continue
            (w1, y1), (w2, y2) = ranked[:2]
            found.append(x)
            self.ambiguous.append(
                (
                    "ambiguous",
                    (x, y1, y2),
                    f"Record {k[x]!r} matches record {k[y1]!r} (weight {w1:.2f}) and record "
                    f"{k[y2]!r} (weight {w2:.2f}), within {self.margin:g} of each other, but "
                    "cannot join both; it was left on its own for review.",
                )
            )
        return found

    def affected(self, records: list[int]) -> set[int]:
        """The records of the clusters of ``records`` and of every cluster joined to them
        through refused links: all that clustering again without them can change."""
        neighbours: dict[int, set[int]] = {}
        for u, v, _ in self.refused:
            ru, rv = self.find(u), self.find(v)
            neighbours.setdefault(ru, set()).add(rv)
            neighbours.setdefault(rv, set()).add(ru)
        todo = [self.find(x) for x in records]
        seen = set(todo)
        while todo:
            for other in neighbours.get(todo.pop(), ()):
                if other not in seen:
                    seen.add(other)
                    todo.append(other)
        return {m for root in seen for m in self.cluster(root)}

    def recluster(self, records: set[int]) -> None:
        """Cluster ``records`` (closed under strong edges and judgements) again from scratch."""
        for root in {self.find(r) for r in records}:
            for state in (self.members, self.summaries, self.cannot, self.links):
                state.pop(root, None)
        for r in records:
            self.parent[r] = r
            self.size[r] = 1
            if r in self.cannot_pairs:
                self.cannot[r] = list(self.cannot_pairs[r])
        self.judged -= records
        self.judged_roots -= records
        for r in records:
            self.group.pop(r, None)
            self.grouped.pop(r, None)
        self.checked -= records
        self.refused = [t for t in self.refused if t[0] not in records]
        self.flags = [f for f in self.flags if f[1][0] not in records]
        g = self.g
        ranks: set[int] = set()
        for r in records:
            rank = g.rank[g.neid[g.indptr[r] : g.indptr[r + 1]]]
            ranks.update(rank[rank >= 0].tolist())
        self.apply_judgements(records)
        self.link(g.strong_order(ranks))

    # -- result --------------------------------------------------------------------------

    def still_ambiguous(self, x: int) -> bool:
        """Whether the excluded record ``x`` still cannot take a side: its two best
        clusters are still two and within the margin, or (clustering without it having
        joined them) the one cluster left is one it may not join."""
        ranked = self.best_edges(x)
        if len(ranked) >= 2:
            return ranked[0][0] - ranked[1][0] <= self.margin
        if not ranked:
            return False
        root = self.find(ranked[0][1])
        return self.refusal(x, root, self.summary(x), self.summary(root)) is not None

    def free(self, records: list[int]) -> None:
        """Let excluded ``records`` that are no longer ambiguous link again: clustered anew
        with the clusters their strong edges reach."""
        self.excluded.difference_update(records)
        self.ambiguous = [a for a in self.ambiguous if a[1][0] not in records]
        g, near = self.g, set(records)
        for x in records:
            start, stop = g.indptr[x], g.indptr[x + 1]
            strong = g.rank[g.neid[start:stop]] >= 0
            near.update(self.find(y) for y in g.nbr[start:stop][strong].tolist())
        self.recluster(self.affected(sorted(near)))

    def result(self) -> Clustering[Any]:
        self.apply_judgements(None)
        self.link(self.g.strong_order())
        freed: set[int] = set()  # each record is let back once, so this ends
        while True:
            while found := self.find_ambiguous():
                self.excluded.update(found)
                redo = self.affected([x for x in found if self.size[self.find(x)] > 1])
                if redo:
                    self.recluster(redo)
            back = [x for x in sorted(self.excluded - freed) if not self.still_ambiguous(x)]
            if not back:
                return self.assemble()
            freed.update(back)
            self.free(back)

    def assemble(self) -> Clustering[Any]:
        k, size, g = self.keys, self.size, self.g
        roots = np.asarray(self.parent, dtype=np.int64)
        while not np.array_equal(hop := roots[roots], roots):
            roots = hop
        joined = np.fromiter(
            (e for joins in self.links.values() for _, _, e in joins if e >= 0), np.int64
        )
        edge = dict(
            zip(
                joined.tolist(),
                map(
                    Edge,
                    [k[i] for i in g.left[joined].tolist()],
                    [k[i] for i in g.right[joined].tolist()],
                    g.prob[joined].tolist(),
                    g.weight[joined].tolist(),
                ),
                strict=True,
            )
        )
        clusters: list[frozenset[Any]] = []
        merged_by: list[tuple[Link[Any], ...]] = []
        done: set[int] = set()
        for r, root in enumerate(roots.tolist()):
            if size[root] == 1:
                clusters.append(frozenset((k[r],)))
                merged_by.append(())
            elif root not in done:
                done.add(root)
                clusters.append(frozenset([k[m] for m in self.members[root]]))
                joins = self.links[root]
                merged_by.append(tuple(Link(k[u], k[v], edge.get(e)) for u, v, e in joins))
        return Clustering(clusters, merged_by, self.final_flags())

    def final_flags(self) -> list[Flag[Any]]:
        """One flag per kind and pair of final clusters (the strongest edge's, as edges were
        taken strongest first), and none for clusters that were joined after all."""
        seen: set[tuple[str, int, int]] = set()
        kept: list[_Raw] = []
        for kind, records, reason in self.flags:
            if kind != "judgement_conflict":
                ra, rb = self.find(records[0]), self.find(records[1])
                key = (kind, min(ra, rb), max(ra, rb))
                if ra == rb or key in seen:
                    continue
                seen.add(key)
            kept.append((kind, records, reason))
        kept.extend(self.ambiguous)
        kept.sort(key=lambda f: (f[1], f[0]))
        k = self.keys
        return [Flag(kind, tuple(k[r] for r in records), why) for kind, records, why in kept]
