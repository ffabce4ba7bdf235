"""Matching one new record against the resolved records while a person waits for the answer.

Splink's documented way to score a new record against an existing set is
``predict_between``. Per call it generates its SQL, registers the record, blocks with one
join per rule over the whole reference table and joins every term-frequency table to both
sides; at a million records that takes seconds, nearly all of it spent on records that
share nothing with the one being looked up (``benchmarks/match_latency.py`` measures it).

A ``Matcher`` does the expensive parts once, when it is built: the reference records become
a DuckDB table with their term frequencies already joined on (the term-frequency tables are
computed by Splink's ``compute_tf_table`` and kept indexed), each of the model's blocking
rules becomes a sorted array of the hashed keys it joins on, and Splink's own scoring SQL is
generated once from the saved model. A match then looks the new record's keys up in those
arrays (bisection), fetches the few records found by the id index, keeps those that one of
the model's blocking rules really pairs with the new record (a hash can collide; a rule may
add a condition beyond its equalities), and scores them with Splink's SQL. The pairs and
their weights are therefore those ``predict_between`` would give (a test checks it). Pairs
are grouped by entity: an entity's probability is that of its best link, explained by that
link's waterfall and sentence (``explain``).

A candidate's probability carries the two penalties clustering puts on a link, not the
model's figure alone: less ``pipeline.NO_DOB_PENALTY`` when no date of birth could be
compared, and less the namesake penalty when the new record and the reference record bear
one full name (exactly or with one slip, ``namesakes.name_bearer``) that more people in the
reference bear than its parts suggest (``namesakes``, counted over the reference records).
Those bits are rows of the waterfall ("adjustment"), so the explanation adds up to the
probability shown, and the model's own figure is kept on each pair (``model_match_weight``).
Without them a common name typed with no date of birth could bring up a stranger of that
name as a near-certain match. (Clustering's other rules, such as merge support and its
refusals, have no counterpart here.)
"""

from __future__ import annotations

import logging
import math
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from splink import Linker
from splink.internals.blocking import BlockingRule, ExplodingBlockingRule
from splink.internals.predict import predict_from_comparison_vectors_sqls_using_settings

from linkwise.model.weights import probability_of, weight_of
from linkwise.resolve.engines import duckdb_api
from linkwise.resolve.explain import (
    ADJUSTMENT_RESTS_ON,
    Contribution,
    adjusted,
    sentence,
    waterfall,
)
from linkwise.resolve.name_order import NameOrder, splink_settings
from linkwise.resolve.namesakes import find_namesakes, name_bearer
from linkwise.resolve.pipeline import NO_DOB_PENALTY
from linkwise.resolve.prepare import COLUMNS, SCHEMA, prepare

PROBE_ID = -1
"""The new record's ``unique_id``: stored record ids are positive, so it never collides."""
DEFAULT_TOP = 5
DEFAULT_THRESHOLD = 0.5
"""Entities less likely than not to be the person are left out unless asked for."""


class MatchError(ValueError):
    """The model or the reference cannot be matched against: the message says why."""


@dataclass(frozen=True, slots=True)
class ScoredRecord:
    """One reference record scored against the new record."""

    record_id: int
    probability: float
    match_weight: float


@dataclass(frozen=True, slots=True)
class Candidate:
    """An entity the new record may belong to.

    ``probability`` is its best link's; ``records`` are its members that scored at or above
    the threshold, best first; ``waterfall`` and ``explanation`` explain the best link (the
    first of ``records``).
    """

    entity_id: str
    probability: float
    match_weight: float
    records: tuple[ScoredRecord, ...]
    waterfall: tuple[Contribution, ...] = field(repr=False)
    explanation: str

    @property
    def best_record_id(self) -> int:
        return self.records[0].record_id

    def to_dict(self) -> dict[str, Any]:
        return {
            "entity_id": self.entity_id,
            "probability": self.probability,
            "match_weight": self.match_weight,
            "records": [
                {
                    "record_id": r.record_id,
                    "probability": r.probability,
                    "match_weight": r.match_weight,
                }
                for r in self.records
            ],
            "explanation": self.explanation,
            "waterfall": [c.to_dict() for c in self.waterfall],
        }


class Matcher:
    """Scores single records against a fixed set of resolved records, one query each.

    Built from the prepared table of the resolved records (``prepare.SCHEMA``), each record's
    entity id (in the table's row order), the saved model settings, and the generic values
    that were blanked in the reference (so the same values are blanked in a new record).
    Building takes about 15 seconds and 2 GB at a million records; a match then takes tens
    of milliseconds. One Matcher serves one thread at a time (calls are serialised by a lock).
    """

    def __init__(
        self,
        reference: pa.Table,
        entity_ids: Sequence[str] | pa.Array | pa.ChunkedArray,
        model: Mapping[str, Any],
        *,
        generic: Iterable[tuple[str, str]] = (),
        threads: int = 2,
    ) -> None:
        if len(entity_ids) != len(reference):
            raise MatchError(f"{len(entity_ids)} entity ids for {len(reference)} reference records")
        if len(reference) == 0:
            raise MatchError("there are no resolved records to match against: resolve first")
        dialect = model.get("sql_dialect", "duckdb")
        if dialect != "duckdb":
            raise MatchError(f"the model was saved for {dialect}; matching runs on DuckDB")
        self.model: dict[str, Any] = dict(model)
        self.generic = frozenset((str(f), str(v)) for f, v in generic)
        self.size = len(reference)
        self._lock = threading.Lock()
        self._index_entities(reference, entity_ids)
        self._name_bits = _penalised_names(reference)
        self._penalised = list(self._name_bits)
        self._bearing = name_bearer(self._penalised)
        self._name_order = NameOrder.from_model(model)
        self._api = duckdb_api(threads)
        self.con = self._api.duckdb_con
        self._build_reference(reference)
        self._index_rules()
        self._sql = self._scoring_sql()
        self._lowest = self._lowest_weights()
        self._penalties = {
            "no_dob": NO_DOB_PENALTY,
            "namesake": max(self._name_bits.values(), default=0.0),
        }

    # -- building ------------------------------------------------------------------------

    def _index_entities(
        self, reference: pa.Table, entity_ids: Sequence[str] | pa.Array | pa.ChunkedArray
    ) -> None:
        ids = np.asarray(reference.column("unique_id").to_numpy(), dtype=np.int64)
        encoded = pa.array(entity_ids, pa.string()).dictionary_encode()
        if isinstance(encoded, pa.ChunkedArray):
            encoded = encoded.combine_chunks()
        order = np.argsort(ids, kind="stable")
        self._ids = ids[order]
        self._codes = np.asarray(encoded.indices.to_numpy(zero_copy_only=False))[order]
        self._entities: list[str] = encoded.dictionary.to_pylist()
        sources = reference.column("source").dictionary_encode().combine_chunks()
        self._source_codes = np.asarray(sources.indices.to_numpy(zero_copy_only=False))[order]
        self.sources: list[str] = sources.dictionary.to_pylist()
        """The sources of the reference records (``score``'s ``slack`` is given per source)."""

    def _build_reference(self, reference: pa.Table) -> None:
        con = self.con
        con.register("lw_reference_input", reference.select(list(COLUMNS)))
        con.execute("CREATE TABLE lw_reference_base AS SELECT * FROM lw_reference_input")
        con.unregister("lw_reference_input")
        sdf = self._api.register("lw_reference_base", table_name="lw_reference")
        linker = Linker(sdf, splink_settings(self.model), log_level=logging.ERROR)
        self._settings = linker._settings_obj
        self.tf_columns = _tf_columns(self.model)
        joins, selects = [], []
        for i, col in enumerate(self.tf_columns):
            computed = linker.table_management.compute_tf_table(col)
            table = f"lw_tf_{col}"
            con.execute(
                f'CREATE TABLE {table} AS SELECT "{col}", "tf_{col}" FROM {computed.physical_name}'
            )
            con.execute(f'CREATE UNIQUE INDEX {table}_value ON {table} ("{col}")')
            joins.append(f'LEFT JOIN {table} AS t{i} ON b."{col}" = t{i}."{col}"')
            selects.append(f't{i}."tf_{col}"')
        con.execute(
            "CREATE TABLE lw_reference AS SELECT "
            + ", ".join(["b.*", *selects])
            + " FROM lw_reference_base AS b "
            + " ".join(joins)
            + " ORDER BY b.unique_id"
        )
        con.execute("CREATE UNIQUE INDEX lw_reference_id ON lw_reference (unique_id)")
        self._api.delete_tables_created_by_splink_from_db()  # type: ignore[no-untyped-call]
        con.execute("DROP TABLE lw_reference_base")
        self._tf_lookups = {
            col: f'SELECT "tf_{col}" FROM lw_tf_{col} WHERE "{col}" = ?' for col in self.tf_columns
        }

    def _index_rules(self) -> None:
        """Per blocking rule with equality conditions, the hash of each reference record's
        key (the rule's right-hand expressions) in sorted order, beside the record's id: a
        new record's candidates under that rule are the ids under its own key's hash."""
        self._rules = list(self._settings._blocking_rules_to_generate_predictions)
        if not self._rules:
            raise MatchError("the model has no blocking rules to find candidates with")
        if len(self._rules) > 62:  # each is a bit of a pair's ``lw_rules``
            raise MatchError(f"the model has {len(self._rules)} blocking rules; at most 62")
        self._indexes: list[tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]] | None] = []
        probe_keys = []
        for rule in self._rules:
            pairs = rule._equi_join_conditions
            if not pairs:
                self._indexes.append(None)
                continue
            exploded = list(getattr(rule, "array_columns_to_explode", []) or [])
            right = _key_sql([r for _, r in pairs], "lw_reference", exploded)
            found = self.con.sql(
                f"SELECT k, unique_id FROM ({right}) ORDER BY k, unique_id"
            ).fetchnumpy()
            keys = np.asarray(found["k"], dtype=np.uint64)
            ids = np.asarray(found["unique_id"], dtype=np.int64)
            self._indexes.append((keys, ids))
            left = [lft for lft, _ in pairs]
            if exploded:
                query = _key_sql(left, "lw_probe", exploded)
                probe_keys.append(f"(SELECT list(k) FROM ({query}))")
            else:
                present = " AND ".join(f"({e}) IS NOT NULL" for e in left)
                probe_keys.append(f"CASE WHEN {present} THEN [hash({', '.join(left)})] END")
        self._probe_keys_sql = (
            "SELECT " + ", ".join(probe_keys) + " FROM lw_probe" if probe_keys else None
        )
        self.rule_columns: tuple[frozenset[str], ...] = tuple(
            frozenset(_RULE_COLUMN.findall(rule.blocking_rule_sql)) for rule in self._rules
        )
        """The prepared columns each blocking rule reads; a scored pair's ``lw_rules`` has
        bit i set when rule i paired it with the new record."""

    def _scoring_sql(self) -> str:
        """One statement: the candidates (the indexed ones, plus a scan for any rule without
        an equality to index), kept when one of the model's blocking rules pairs them with
        the new record, then Splink's own scoring of those pairs."""
        settings = self._settings
        conditions = [_probe_condition(rule) for rule in self._rules]
        key = " ".join(f"WHEN {c} THEN {i}" for i, c in enumerate(conditions))
        where = " OR ".join(f"({c})" for c in conditions)
        paired = " + ".join(
            f"(CASE WHEN {c} THEN {1 << i} ELSE 0 END)::BIGINT" for i, c in enumerate(conditions)
        )
        select = (
            f"SELECT r.*, CASE {key} END AS match_key, {paired} AS lw_rules "
            "FROM lw_probe_candidates AS r, l"
        )
        candidates = f"{select} WHERE {where}"
        scans = [c for c, index in zip(conditions, self._indexes, strict=True) if index is None]
        if scans:
            scan = select.replace("lw_probe_candidates", "lw_reference")
            candidates += f" UNION {scan} WHERE " + " OR ".join(f"({c})" for c in scans)
        blocking = ", ".join(settings._columns_to_select_for_blocking)
        vectors = ", ".join(settings._columns_to_select_for_comparison_vector_values)
        ctes = [
            ("l", "SELECT * FROM lw_probe"),
            ("lw_candidates", candidates),
            (
                "__splink__compare_two_records_blocked",
                f"SELECT {blocking}, r.match_key FROM l, lw_candidates AS r",
            ),
            (
                "__splink__df_comparison_vectors",
                f"SELECT {vectors} FROM __splink__compare_two_records_blocked",
            ),
        ]
        for step in predict_from_comparison_vectors_sqls_using_settings(settings):
            ctes.append((step["output_table_name"], step["sql"]))
        body = ",\n".join(f"{name} AS (\n{sql}\n)" for name, sql in ctes)
        # which rules paired each record (bit i: rule i), for a caller that may only rest a
        # pair on some of them (``rule_columns``)
        return (
            f"WITH {body}\nSELECT p.*, c.lw_rules FROM __splink__df_predict AS p "
            "JOIN lw_candidates AS c ON c.unique_id = p.unique_id_r"
        )

    def _candidate_ids(self) -> list[int]:
        """The ids the indexed rules pair with the probe registered as ``lw_probe``."""
        if self._probe_keys_sql is None:
            return []
        keys = iter(self.con.sql(self._probe_keys_sql).fetchall()[0])
        found: list[np.ndarray[Any, Any]] = []
        for index in self._indexes:
            if index is None:
                continue
            sorted_keys, ids = index
            for k in next(keys) or ():
                wanted = np.uint64(k)
                lo = np.searchsorted(sorted_keys, wanted, side="left")
                hi = np.searchsorted(sorted_keys, wanted, side="right")
                if hi > lo:
                    found.append(ids[lo:hi])
        if not found:
            return []
        return [int(i) for i in np.unique(np.concatenate(found))]

    # -- matching ------------------------------------------------------------------------

    def prepare_record(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """The new record as the model reads it: ``prepare``'s derivation, with the
        reference's generic values blanked. ``record`` has ``prepare``'s input shape."""
        row = prepare(
            [{**record, "record_id": PROBE_ID, "source": str(record.get("source") or "")}],
            known_generic=self.generic,
            name_order=self._name_order,
        ).table
        prepared: dict[str, Any] = row.to_pylist()[0]
        return prepared

    def match(
        self,
        record: Mapping[str, Any],
        *,
        top: int = DEFAULT_TOP,
        threshold: float = DEFAULT_THRESHOLD,
    ) -> list[Candidate]:
        """The ``top`` entities most likely to be the person ``record`` describes, each at
        least ``threshold`` likely, most likely first."""
        probe = self.prepare_record(record)
        pairs = self.score(probe, threshold=threshold)
        return self._candidates(probe, pairs, top)

    @property
    def prior_weight(self) -> float:
        """The model's starting weight: the log-odds that two records picked at random are
        one person."""
        return weight_of(float(self.model["probability_two_random_records_match"]))

    @property
    def comparison_names(self) -> tuple[str, ...]:
        """The model's comparisons, by their output column names."""
        return tuple(str(c["output_column_name"]) for c in self.model["comparisons"])

    def slack(self, comparisons: Iterable[str]) -> float:
        """The most bits that leaving the terms of ``comparisons`` out of a pair's weight,
        and the adjustments resting on them (``ADJUSTMENT_RESTS_ON``), could add to it: per
        comparison its most negative level, counted with the largest term-frequency
        penalty it could carry (a value every record bears), and the largest penalty of
        each adjustment. A caller that leaves such terms out (the governed session, for
        values its reader may not see) scores with this much ``slack``, so that no pair
        whose weight without them reaches the threshold is dropped for their sake."""
        names = set(comparisons)
        bits = math.fsum(-self._lowest.get(n, 0.0) for n in names)
        for name, rests_on in ADJUSTMENT_RESTS_ON.items():
            if names.intersection(rests_on):
                bits += self._penalties[name]
        return bits

    def _lowest_weights(self) -> dict[str, float]:
        """Per comparison, the most negative weight a pair can get from it (0 when none is
        negative): its lowest level by Splink's own weight (Splink's defaults for an m or
        u it did not estimate), with the largest term-frequency penalty the level could
        carry, w * (log2 u_exact - log2 tf) with the term frequency tf at most 1."""
        out: dict[str, float] = {}
        for comparison in self._settings.comparisons:
            levels = [lv for lv in comparison.comparison_levels if not lv.is_null_level]
            lowest = 0.0
            for level in levels:
                weight = float(level._match_weight)
                if level._has_tf_adjustments and level._tf_adjustment_weight:
                    u_exact = level._u_probability_corresponding_to_exact_match(levels)
                    weight += float(level._tf_adjustment_weight) * math.log2(u_exact)
                lowest = min(lowest, weight)
            out[str(comparison.output_column_name)] = lowest
        return out

    def leave_out(
        self, probe: Mapping[str, Any], pair: dict[str, Any], comparisons: Iterable[str]
    ) -> None:
        """Take the terms of ``comparisons`` out of ``pair`` (a row of ``score``), and the
        adjustments resting on them: their weights become 0 and the pair's weight and
        probability are those of the rest."""
        names = set(comparisons)
        for n in names:
            pair[f"mw_{n}"] = pair[f"mw_tf_adj_{n}"] = 0.0
        kept_terms = [
            float(pair.get(f"mw_{n}") or 0.0) + float(pair.get(f"mw_tf_adj_{n}") or 0.0)
            for n in self.comparison_names
        ]
        kept = [
            r.weight
            for r in self.adjustments(probe, pair)
            if not names.intersection(ADJUSTMENT_RESTS_ON.get(r.name, ()))
        ]
        # the sum of what is kept, not the model's figure less what is left out: the
        # rounding of a subtraction would differ with the level left out
        weight = math.fsum([self.prior_weight, *kept_terms, *kept])
        pair["match_weight"] = weight
        pair["match_probability"] = probability_of(weight)

    def score(
        self,
        probe: Mapping[str, Any],
        *,
        threshold: float = 0.0,
        slack: Mapping[str, float] | None = None,
    ) -> list[dict[str, Any]]:
        """Every blocked pair of the prepared record ``probe`` with a reference record, as
        Splink's prediction rows, at or above ``threshold``. With ``slack`` (bits per
        source of the reference record, see ``slack``; a source not named has none, and
        ``math.inf`` leaves the source out), a pair is kept when its weight is within its
        source's slack of the threshold's, for the caller to apply the threshold itself
        once it has left some terms out."""
        with self._lock:
            row = dict(probe)
            for col, sql in self._tf_lookups.items():
                value = row.get(col)
                found = self.con.execute(sql, [value]).fetchall() if value is not None else []
                row[f"tf_{col}"] = float(found[0][0]) if found else None
            self.con.register("lw_probe", pa.Table.from_pylist([row], schema=self._probe_schema))
            try:
                ids = self._candidate_ids()
                if not ids and all(index is not None for index in self._indexes):
                    return []
                # The ids are ints from the index, so the list is safe to write into SQL;
                # constants let DuckDB answer from the id index instead of scanning.
                listed = ", ".join(str(i) for i in ids) or "NULL"
                rows = self.con.sql(
                    f"SELECT * FROM lw_reference WHERE unique_id IN ({listed})"
                ).to_arrow_table()
                self.con.register("lw_probe_candidates", rows)
                result = self.con.sql(self._sql).to_arrow_table()
            finally:
                self.con.unregister("lw_probe")
                self.con.unregister("lw_probe_candidates")
        # adjustments only take bits off, so the model's own figure may filter first (in
        # Arrow: a common name can bring thousands of wide rows)
        floors: np.ndarray | None = None
        if slack:
            floors = self._floors(result, threshold, slack)
            kept = np.asarray(result.column("match_weight").to_numpy(), np.float64) >= floors
            result, floors = result.filter(pa.array(kept)), floors[kept]
        else:
            result = result.filter(pc.greater_equal(result.column("match_probability"), threshold))
        pairs: list[dict[str, Any]] = []
        for i, pair in enumerate(result.to_pylist()):
            weight = float(pair["match_weight"])
            pair["model_match_weight"] = weight
            pair["model_match_probability"] = pair["match_probability"]
            bits = math.fsum(-r.weight for r in self.adjustments(probe, pair))
            if bits:
                pair["match_weight"] = weight - bits
                pair["match_probability"] = probability_of(weight - bits)
            if floors is not None:
                if float(pair["match_weight"]) >= floors[i]:
                    pairs.append(pair)
            elif float(pair["match_probability"]) >= threshold:
                pairs.append(pair)
        return pairs

    def _floors(self, result: pa.Table, threshold: float, slack: Mapping[str, float]) -> Any:
        """Per scored pair, the least weight it may have to be kept: the threshold's weight
        less its reference record's source's slack (infinite for a source left out)."""
        least = _weight_of(threshold)
        per_source = np.array(
            [math.inf if (b := slack.get(s, 0.0)) == math.inf else least - b for s in self.sources],
            np.float64,
        )
        ids = np.asarray(result.column("unique_id_r").to_numpy(), np.int64)
        pos = np.minimum(np.searchsorted(self._ids, ids), len(self._ids) - 1)
        return per_source[self._source_codes[pos]]

    def adjustments(self, probe: Mapping[str, Any], pair: Mapping[str, Any]) -> list[Contribution]:
        """The bits clustering would take off the link of ``probe`` and the reference record
        of ``pair``, as waterfall rows (kind "adjustment", negative weights)."""
        rows = []
        if pair.get("gamma_dob") == -1:
            rows.append(
                Contribution(
                    "adjustment",
                    "no_dob",
                    "No date of birth to compare",
                    weight=-NO_DOB_PENALTY,
                )
            )
        code = self._bears(probe.get("given"), probe.get("family"))
        if code is not None and code == self._bears(pair.get("given_r"), pair.get("family_r")):
            bits = self._name_bits[self._penalised[code]]
            rows.append(
                Contribution(
                    "adjustment",
                    "namesake",
                    "A full name more people in the data bear than its parts suggest",
                    weight=-bits,
                )
            )
        return rows

    def _bears(self, given: Any, family: Any) -> int | None:
        """The index of the penalised full name a record's names bear (``name_bearer``), or
        None, as for a record missing either name (clustering counts none for it)."""
        if not given or not family:
            return None
        return self._bearing(str(given), str(family))

    @property
    def _probe_schema(self) -> pa.Schema:
        schema = SCHEMA
        for col in self.tf_columns:
            schema = schema.append(pa.field(f"tf_{col}", pa.float64()))
        return schema

    def entity_of(self, record_ids: Sequence[int]) -> list[str | None]:
        ids = np.asarray(record_ids, dtype=np.int64)
        pos = np.searchsorted(self._ids, ids)
        out: list[str | None] = []
        for rid, p in zip(ids, pos, strict=True):
            found = p < len(self._ids) and self._ids[p] == rid
            out.append(self._entities[int(self._codes[p])] if found else None)
        return out

    def candidates(
        self, probe: Mapping[str, Any], pairs: list[dict[str, Any]], top: int
    ) -> list[Candidate]:
        """``score``'s pairs grouped into the ``top`` candidate entities, best first. A caller
        that may not use some reference records (the governed session) drops their pairs
        first, so no candidate, probability or explanation rests on them."""
        return self._candidates(probe, pairs, top)

    def _candidates(
        self, probe: Mapping[str, Any], pairs: list[dict[str, Any]], top: int
    ) -> list[Candidate]:
        if not pairs:
            return []
        entities = self.entity_of([int(p["unique_id_r"]) for p in pairs])
        grouped: dict[str, list[dict[str, Any]]] = {}
        for pair, entity in zip(pairs, entities, strict=True):
            if entity is not None:
                grouped.setdefault(entity, []).append(pair)
        ranked = []
        for entity, members in grouped.items():
            members.sort(key=lambda p: (-float(p["match_weight"]), int(p["unique_id_r"])))
            ranked.append((entity, members))
        ranked.sort(key=lambda item: (-float(item[1][0]["match_weight"]), item[0]))
        out = []
        for entity, members in ranked[: max(0, top)]:
            best = members[0]
            rows = adjusted(
                waterfall(self.model, best, probe, _right_record(best)),
                self.adjustments(probe, best),
            )
            out.append(
                Candidate(
                    entity_id=entity,
                    probability=float(best["match_probability"]),
                    match_weight=float(best["match_weight"]),
                    records=tuple(
                        ScoredRecord(
                            int(p["unique_id_r"]),
                            float(p["match_probability"]),
                            float(p["match_weight"]),
                        )
                        for p in members
                    ),
                    waterfall=tuple(rows),
                    explanation=sentence(rows),
                )
            )
        return out

    def close(self) -> None:
        self.con.close()


def _weight_of(probability: float) -> float:
    """The match weight of a threshold (``weights.weight_of``, with -inf at 0 and, at 1, the
    least weight whose probability rounds to 1)."""
    if probability <= 0.0:
        return -math.inf
    if probability >= 1.0:
        return 52.0  # under the least weight whose probability rounds to 1.0 (about 53)
    return weight_of(probability)


def _penalised_names(reference: pa.Table) -> dict[tuple[str, str], float]:
    """The namesake penalty of each full name of ``reference`` that has one."""
    found = find_namesakes(reference)
    if not found.names:
        return {}
    codes, first = np.unique(found.code, return_index=True)
    return {found.names[int(c)]: float(found.bits[i]) for c, i in zip(codes, first, strict=True)}


def _tf_columns(model: Mapping[str, Any]) -> list[str]:
    """The columns the model adjusts for term frequency, in the order it names them."""
    found: list[str] = []
    for comparison in model.get("comparisons", []):
        for level in comparison.get("comparison_levels", []):
            col = level.get("tf_adjustment_column")
            if col and col not in found:
                found.append(str(col))
    return found


_RULE_COLUMN = re.compile(r'\b[lLrR]["`]?\s*\.\s*["`]?([A-Za-z_][A-Za-z0-9_]*)')
"""A column a blocking rule's SQL reads (``l.family``, ``r."dob"``, ``"l"."ssn"``,
``L . ssn``)."""


def _probe_condition(rule: BlockingRule) -> str:
    """A blocking rule as a condition on one reference record ``r`` and the new record ``l``.

    An exploding rule (``arrays_to_explode``) pairs records whose arrays share an element;
    exploding one record to test that is needless, so its equality becomes an overlap test.
    """
    sql = rule.blocking_rule_sql
    if isinstance(rule, ExplodingBlockingRule):
        for col in rule.array_columns_to_explode:
            pattern = re.compile(rf'l\."?{re.escape(col)}"?\s*=\s*r\."?{re.escape(col)}"?')
            sql, count = pattern.subn(f'list_has_any(l."{col}", r."{col}")', sql)
            if not count:
                raise MatchError(
                    f"cannot read the exploding blocking rule {rule.blocking_rule_sql}"
                )
    return sql


def _key_sql(expressions: Sequence[str], table: str, exploded: Sequence[str]) -> str:
    """A query of the hashed key ``k`` (and ``unique_id``) of each row of ``table`` where every
    expression has a value; arrays in ``exploded`` count once per element."""
    source = table
    for col in exploded:
        source = f'(SELECT * REPLACE (unnest("{col}") AS "{col}") FROM {source})'
    present = " AND ".join(f"({e}) IS NOT NULL" for e in expressions)
    return f"SELECT hash({', '.join(expressions)}) AS k, unique_id FROM {source} WHERE {present}"


def _right_record(pair: Mapping[str, Any]) -> dict[str, Any]:
    """The reference record's prepared values, as far as the scored pair carries them."""
    return {c: pair[f"{c}_r"] for c in COLUMNS if f"{c}_r" in pair}
