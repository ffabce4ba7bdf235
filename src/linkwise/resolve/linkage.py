"""Training and scoring with Splink: the probabilistic half of resolution.

linkwise never writes Fellegi-Sunter or EM itself. This module builds the Splink settings
from the data (``comparisons``, ``blocking``), trains them as Splink's own guidance says
(the prior from deterministic rules, u by random sampling, m by EM on two complementary
blocking rules, optionally m from human-labelled pairs), and scores the blocked pairs. The
result is plain Arrow: pairs with match weight and probability, and per comparison its
agreement level (``gamma_*``) and weight contribution (``mw_*``, ``mw_tf_adj_*``).
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import math
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
from splink import Linker, SettingsCreator, block_on
from splink.blocking_analysis import count_comparisons_from_blocking_rules
from splink.internals.exceptions import EMTrainingException

from linkwise.resolve.blocking import Candidate, candidate_rules
from linkwise.resolve.comparisons import choose_comparisons, common_names
from linkwise.resolve.engines import Backend, Engine, in_duckdb_dialect, open_backend
from linkwise.resolve.prepare import PERSON_IDENTIFIERS, Prepared

log = logging.getLogger(__name__)

SEED = 20261129
PRIOR_RECALL = 0.7
U_MAX_PAIRS = 2e6
EM_MAX_PAIRS = 2e6
MIN_LABELS_FOR_TRAINING = 100
"""Below this many "same" pairs, judgements act as constraints only: m estimated from a
handful of pairs would replace EM's estimate with noise."""
CANDIDATE_WEIGHT = -12.0
"""Pairs are scored down to this match weight (p ≈ 0.0002) so the prior can be re-estimated
from nearly all the probability mass; only those above the caller's floor are kept."""
DEFAULT_FLOOR = 0.001
"""Scored pairs at or above this probability are kept as links: for review and explanation,
and as evidence *against* a merge in clustering's support rule (a pair never kept counts
as never scored). At 0.01, one strong link carried records into entities whose other
pairs scored between 0.001 and 0.01; at 0.001, false merges fell from 0.18% to 0.16% of
the demo world's records and from 0.80% to 0.73% of historical_50k's (benchmarks/RESULTS.md,
"Weak links kept as evidence against a merge")."""
PAIRS_PER_RECORD_BUDGET = 10
"""A blocking rule that would add more than this many pairs per record (on top of the rules
before it) is dropped: it is a near-cartesian product on a common value, and the narrower
rules already cover what it would find."""
TOTAL_PAIRS_PER_RECORD_BUDGET = 25
"""All kept rules together may add at most this many pairs per record; rules are taken in
``CANDIDATES`` order (strongest evidence first) and one that would overrun is dropped. Name
rules grow with the data (at 1M demo records two records share a given- and family-name
sound key 35 million times), so without a total the scored pairs, and the memory they take,
grow quadratically. On the 1M-record demo world the kept rules still generate 99% of the
true pairs (``benchmarks/resolve_1m.py``)."""

CHEAP_RULE_PAIRS_PER_RECORD = 1
"""A rule adding at most this many pairs per record is kept whatever the total: it cannot
overrun the budget by much, and the narrow rules that come late in ``CANDIDATES`` (names
recorded in swapped order) find pairs no broad rule does."""

Progress = Callable[[str], None]


class UnresolvableError(ValueError):
    """The records cannot be resolved as given (too few, nothing to compare, nothing to
    learn from): a fault of the input, said in words a user can act on."""


@dataclass(frozen=True, slots=True)
class RuleCount:
    name: str
    pairs: int
    kept: bool


@dataclass
class Linkage:
    """A trained model over one prepared table, and its scored pairs."""

    linker: Linker
    db: Backend
    comparisons: list[str]
    rules: list[RuleCount]
    pairs: pa.Table
    timings: dict[str, float] = field(default_factory=dict)
    settings: SettingsCreator | None = None
    beside: dict[str, Any] = field(default_factory=dict)
    """What linkwise keeps in the saved model beside Splink's settings (the learned name
    order, ``resolve.name_order``); set before ``release``."""
    _model: dict[str, Any] | None = None

    @property
    def model(self) -> dict[str, Any]:
        """The trained model as Splink settings, its SQL in DuckDB's dialect whichever engine
        trained it (stored models are read back on DuckDB), with ``beside`` added: hand
        Splink ``name_order.splink_settings(model)``, not the model itself."""
        if self._model is not None:
            return self._model
        model: dict[str, Any] = self.linker.misc.save_model_to_json()
        if self.db.engine != "duckdb" and self.settings is not None:
            model = in_duckdb_dialect(model, self.settings)
        return {**model, **self.beside}

    def release(self) -> None:
        """Keep the model and the scored pairs, let the engine go: after scoring, its tables
        (and, on DuckDB, up to ``DUCKDB_MEMORY_LIMIT`` of working memory) are dead weight
        while the run clusters and stores. ``linker`` must not be used afterwards."""
        self._model = self.model
        self.db.close()

    @property
    def model_version(self) -> str:
        """A content hash of the trained model: equal models have equal versions."""
        text = json.dumps(self.model, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def link(
    prepared: Prepared,
    *,
    floor: float = DEFAULT_FLOOR,
    labels: Sequence[tuple[int, int]] = (),
    threads: int = 2,
    progress: Progress | None = None,
    engine: Engine = "duckdb",
) -> Linkage:
    """Train a model on ``prepared`` and score every blocked pair with probability ≥ ``floor``.

    ``labels`` are record-id pairs known to be the same person (judged so, or from a labels
    file): when there are at least ``MIN_LABELS_FOR_TRAINING`` of them, m is estimated from
    their comparison vectors after EM (Splink's ``estimate_m_from_pairwise_labels``).
    ``engine`` is the SQL engine Splink runs on (see ``engines``); the model and the result
    are the same on each.
    """
    say = progress or (lambda _msg: None)
    timings: dict[str, float] = {}
    table = prepared.table
    n = len(table)
    if n < 2:
        raise UnresolvableError("resolution needs at least two records")
    present = prepared.present
    common = common_names(table.column("given"), n) if "given" in table.column_names else []
    comparisons = choose_comparisons(present, n, common)
    if not comparisons:
        raise UnresolvableError("no field is filled in often enough to compare records")
    db = open_backend(engine, threads)
    sdf = db.register(table, table_name="lw_records")

    start = time.perf_counter()
    say("choosing blocking rules")
    rules = _choose_rules(sdf, candidate_rules(present, n), n)
    kept = [c for c, r in rules if r.kept]
    timings["blocking"] = time.perf_counter() - start
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=list[Any](comparisons),
        blocking_rules_to_generate_predictions=[c.rule for c in kept],
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=True,
    )
    linker = Linker(sdf, settings, log_level=logging.ERROR)

    start = time.perf_counter()
    say("estimating the prior")
    _estimate_prior(linker, present, n)
    say("estimating u by random sampling")
    u_pairs = min(U_MAX_PAIRS, max(1e5, n * (n - 1) / 2))
    linker.training.estimate_u_using_random_sampling(
        max_pairs=u_pairs,
        seed=SEED,
        num_chunks=db.u_chunks,
    )
    say("estimating m by expectation maximisation")
    em_rules = _em_rules(present, n)
    empty: list[str] = []
    for columns in em_rules:
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                block_on(*columns),
                estimate_without_term_frequencies=True,
                max_pairs=EM_MAX_PAIRS,
            )
        except EMTrainingException:
            # no two records agree on this block: the other block and the defaults carry m
            empty.append(_block_text(columns))
            log.warning("EM on %s found no pairs of records to learn from", empty[-1])
        except (ValueError, ZeroDivisionError) as exc:
            # A block with no duplicates at all drives EM's λ to 0; the other session and
            # the defaults then carry m. Said in the run's log rather than stopping.
            log.warning("EM on %s did not converge (%s)", _block_text(columns), exc)
    trained = len(labels) >= MIN_LABELS_FOR_TRAINING
    if len(empty) == len(em_rules) and not trained:
        raise UnresolvableError(
            f"the model cannot be trained on these {n} records: no two of them agree on "
            f"{' or on '.join(empty)}, the blocks it learns from (too few records, or no "
            "person in them twice)"
        )
    if trained:
        _train_from_labels(linker, db, labels)
    # a sample asked for more pairs than there are holds every pair, and no more
    _bound_rare_u(linker, min(u_pairs, n * (n - 1) / 2))
    _no_partial_worse_than_none(linker)
    _cap_rare_name_boost(linker)
    timings["training"] = time.perf_counter() - start

    start = time.perf_counter()
    say("scoring blocked pairs")
    predictions = _predict_narrow(linker, CANDIDATE_WEIGHT)
    names = [c.get_comparison("duckdb").output_column_name for c in comparisons]
    shift = _recalibrate_prior(linker, db, predictions.physical_name, n)
    pairs = _pairs(db, predictions.physical_name, names, shift, floor)
    # every blocked pair down to CANDIDATE_WEIGHT: the largest table of the run, not
    # needed once the kept pairs are out
    predictions.drop_table_from_database_and_remove_from_cache()
    timings["scoring"] = time.perf_counter() - start
    return Linkage(linker, db, names, [r for _, r in rules], pairs, timings, settings)


def _predict_narrow(linker: Linker, threshold_match_weight: float) -> Any:
    """Splink's ``predict``, with each pair's comparison levels, weights and term-frequency
    adjustments but not the compared values.

    The values are in the store already; Splink copies both sides of every compared
    column into each scored pair when ``retain_matching_columns`` is on, and that is the
    only way its public settings keep the level (``gamma_*``) columns, which the
    explanations need. At a million records that copy was most of the run's memory. So
    for this one call each comparison selects its columns as in training mode (levels,
    no values); the model's settings, saved and used by incremental and real-time
    matching, are unchanged. This leans on a private Splink method (pinned to Splink 5);
    ``tests/resolve/test_explain.py`` fails if the level columns go missing.
    """
    comparisons = linker._settings_obj.comparisons
    for cc in comparisons:
        cc._columns_to_select_for_predict = functools.partial(  # type: ignore[method-assign]
            _levels_only, cc._columns_to_select_for_predict
        )
    try:
        return linker.inference.predict(
            threshold_match_weight=threshold_match_weight, warning_mode="never"
        )
    finally:
        for cc in comparisons:
            del cc._columns_to_select_for_predict


def _levels_only(
    select: Callable[[bool, bool, bool], list[str]],
    _retain_matching_columns: bool,
    retain_intermediate_calculation_columns: bool,
    _training_mode: bool,
) -> list[str]:
    return select(False, retain_intermediate_calculation_columns, True)


def _choose_rules(
    sdf: Any, candidates: list[Candidate], n: int
) -> list[tuple[Candidate, RuleCount]]:
    """Each candidate with the pairs it adds to the kept rules before it, and whether it is
    kept (see ``PAIRS_PER_RECORD_BUDGET`` and ``TOTAL_PAIRS_PER_RECORD_BUDGET``).

    What a rule adds depends on which rules before it are kept, so after a rule is dropped
    the rest are counted again without it (Splink's counts on a sample of about 50,000
    records, scaled up)."""
    if not candidates:
        raise UnresolvableError("no blocking rule fits the data: records share no usable field")
    proportion = min(1.0, max(0.05, 50_000 / n))
    budget = PAIRS_PER_RECORD_BUDGET * n + 10_000
    total_budget = TOTAL_PAIRS_PER_RECORD_BUDGET * n + 10_000
    dropped: dict[str, int] = {}
    while True:
        trying = [c for c in candidates if c.name not in dropped]
        if not trying:
            added: list[int] = []
            break
        with warnings.catch_warnings():
            # Splink warns when a rule's estimate rests on few sampled pairs; those are the
            # narrow rules, far below any budget, where the estimate's precision is moot
            warnings.filterwarnings("ignore", message="The sampled blocking analysis")
            counts = count_comparisons_from_blocking_rules(
                sdf,
                blocking_rules=[c.rule for c in trying],
                link_type="dedupe_only",
                record_sample_proportion=proportion,
            )
        added = [int(rec["marginal_comparison_count"]) for rec in counts]
        # a rule over the per-rule budget stays over it when rules before it go (it can
        # only add more), so all of those go at once; over the total, the first one only
        too_broad = {c.name: a for c, a in zip(trying, added, strict=True) if a > budget}
        cheap = CHEAP_RULE_PAIRS_PER_RECORD * n
        total = 0
        for cand, pairs in zip(trying, added, strict=True):
            if cand.name in too_broad:
                continue
            if pairs > cheap and total + pairs > total_budget:
                too_broad[cand.name] = pairs
                break
            total += pairs
        if not too_broad:
            break
        dropped.update(too_broad)
    kept = dict(zip((c.name for c in trying), added, strict=True))
    out = [
        (c, RuleCount(c.name, kept.get(c.name, dropped.get(c.name, 0)), c.name in kept))
        for c in candidates
    ]
    if not kept:
        smallest = min(range(len(out)), key=lambda i: out[i][1].pairs)
        cand, r = out[smallest]
        out[smallest] = (cand, RuleCount(r.name, r.pairs, True))
    return out


def _estimate_prior(linker: Linker, present: dict[str, int], n: int) -> None:
    floor = max(2, n // 100)
    rules: list[Any] = []
    if all(present.get(c, 0) >= floor for c in ("given", "family", "dob")):
        rules.append(block_on("given", "family", "dob"))
    rules.extend(block_on(k) for k in PERSON_IDENTIFIERS if present.get(k, 0) >= floor)
    if not rules:
        rules.append(block_on("given", "family"))
    try:
        linker.training.estimate_probability_two_random_records_match(rules, recall=PRIOR_RECALL)
    except Exception as exc:  # Splink raises if the rules find no pairs at all
        log.warning("prior not estimated (%s); using 1e-4", exc)
    settings = linker._settings_obj
    # No deterministic match at all gives λ = 0, which EM cannot start from.
    prior = float(settings._probability_two_random_records_match)
    if not 1.0 / (n * n) <= prior <= 0.5:
        settings._probability_two_random_records_match = min(max(prior, 1.0 / (n * n)), 0.5)


def _em_rules(present: dict[str, int], n: int) -> list[tuple[str, ...]]:
    """Two complementary EM blocks (the columns each agrees on): one fixes names (so
    everything else is estimated), the other fixes the date of birth or the place (so names
    are estimated)."""
    floor = max(2, n // 100)

    def has(*cols: str) -> bool:
        return all(present.get(c, 0) >= floor for c in cols)

    rules: list[tuple[str, ...]] = []
    if has("given", "family"):
        rules.append(("given", "family"))
    if has("dob"):
        rules.append(("dob",))
    elif has("postcode"):
        rules.append(("postcode",))
    elif has("phone"):
        rules.append(("phone",))
    if not rules:
        rules.append(("family",) if has("family") else ("given",))
    return rules


_COLUMN_WORDS = {"given": "given name", "family": "family name", "dob": "date of birth"}


def _block_text(columns: Sequence[str]) -> str:
    """An EM block in words ("given name and family name")."""
    return " and ".join(_COLUMN_WORDS.get(c, c) for c in columns)


U_RARE_COUNT = 3.0
"""A level that fewer than this many pairs of the random sample reached gets u = this ÷ the
pairs sampled: the "rule of three", the upper end of a 95% interval for a chance never
once observed, and about where one or two sightings leave it too."""


def _bound_rare_u(linker: Linker, sampled: float) -> None:
    """Give a level that (almost) no randomly sampled pair reached the u its rarity bounds.

    Splink leaves the u of a level no sampled pair reached unset and then weighs it with a
    placeholder spread over the comparison's levels by their position, whatever the level
    means. For a rare level of strong agreement that placeholder made agreement evidence
    *against* a match: on two of three demo worlds (generator seeds 2026 and 2028), "given
    and family name swapped, in other romanisations" was never sampled and weighed -3.3
    bits, where the world whose sample held one such pair weighed it +11.3; "one character
    differs" of SSNs and licence numbers got +3.6 bits in every world. So which way such a
    level counted depended on the luck of the sample.

    A level that EM found among matches (its m is set) and that fewer than
    ``U_RARE_COUNT`` sampled pairs reached gets u = ``U_RARE_COUNT / sampled``: never
    sampled, or sampled once or twice, it weighs the same, so that one sighting of a
    non-match at the level cannot raise its weight. A level neither found keeps Splink's
    placeholders (a bound over a placeholder m would be evidence out of nothing), and a
    level whose u is fixed (the neutral twins of the swap levels) keeps it. The bound is
    saved with the model, so incremental and real-time scoring weigh the level the same.
    """
    bound = U_RARE_COUNT / sampled
    for comparison in linker._settings_obj.comparisons:
        for level in comparison.comparison_levels:
            if level.is_null_level or level._fix_u_probability or not level._m_is_trained:
                continue
            u = level.u_probability if level._u_is_trained else None
            if u is None or float(u) < bound:
                level.u_probability = bound


def _no_partial_worse_than_none(linker: Linker) -> None:
    """Raise m where a partial-agreement level came out as stronger evidence *against* a
    match than total disagreement, so that its weight equals the "different" level's.

    EM sets m near zero for levels its training blocks rarely show among matches (a date of
    birth off by one year, one mistyped digit): on the demo world "year off by one" got
    weight -13.8 against -4.1 for a completely different date, so one typo counted three
    times as heavily against a match as a wrong date. Partial agreement is never more
    evidence of two people than no agreement at all; this is the only constraint applied.
    """
    for comparison in linker._settings_obj.comparisons:
        levels = [lv for lv in comparison.comparison_levels if not lv.is_null_level]
        other = next((lv for lv in levels if lv._is_else_level), None)
        if other is None or not other.m_probability or not other.u_probability:
            continue
        ratio = float(other.m_probability) / float(other.u_probability)
        for level in levels:
            if level is other or level.u_probability is None:
                continue
            floor = ratio * float(level.u_probability)
            if level.m_probability is None or float(level.m_probability) < floor:
                level.m_probability = min(floor, 1.0)


NAME_TF_MAX_BITS = 2.0
"""How many bits a rare name's term-frequency adjustment may add to its level's weight."""
NAME_COMPARISONS = frozenset({"given_name", "family_name"})


def _cap_rare_name_boost(linker: Linker) -> None:
    """Let a rare name add at most ``NAME_TF_MAX_BITS`` through its term frequency.

    Splink takes a value's share of the records as the chance that two different people
    share it. For common names that share is well measured and the downward adjustment
    stays. For a rare one it rests on a handful of records and on the assumption that a
    given name is as rare among people of one surname as among everyone, which fails for
    names concentrated in one community: "Nam" is rare among all records but common among
    people named Nguyen, and "Pham" is rare as a given name only because it is a surname
    recorded in the wrong field when the name order is swapped. Measured on the demo world,
    uncapped, the adjustment gave such pairs up to +7 bits and was above +2 bits in 96 of
    the 377 links that wrongly joined two people; capped at 2 bits, the false-merge rate of
    records with swapped name order fell from 1.4% to 0.7%. It costs some recall where rare
    names are truly rare and little else agrees: historical_50k's pairwise recall fell from
    0.769 to 0.761 (3 bits: 0.765). The cap is Splink's own ``tf_minimum_u_value``, so it is
    saved with the model and applies unchanged to incremental and real-time scoring.
    """
    for comparison in linker._settings_obj.comparisons:
        if comparison.output_column_name not in NAME_COMPARISONS:
            continue
        levels = comparison.comparison_levels
        for level in levels:
            if level.is_null_level or level._is_else_level or not level._has_tf_adjustments:
                continue
            try:
                u = float(level._u_probability_corresponding_to_exact_match(levels))
            except ValueError:
                continue
            floor = u / 2**NAME_TF_MAX_BITS
            if floor > level._tf_minimum_u_value:
                level._tf_minimum_u_value = floor


def _train_from_labels(linker: Linker, db: Backend, labels: Sequence[tuple[int, int]]) -> None:
    table = pa.table(
        {
            "unique_id_l": pa.array([a for a, _ in labels], pa.int64()),
            "unique_id_r": pa.array([b for _, b in labels], pa.int64()),
        }
    )
    sdf = db.register(table, table_name=f"lw_labels_{len(labels)}")
    linker.training.estimate_m_from_pairwise_labels(sdf)  # type: ignore[no-untyped-call]


def _recalibrate_prior(linker: Linker, db: Backend, predictions: str, n: int) -> float:
    """Re-estimate λ (the prior) from the scored pairs; return the match-weight shift.

    The first estimate comes from deterministic rules and an assumed recall, and on messy
    data those rules find far fewer matches than exist, which leaves every probability too
    low. With m and u fixed, λ is the expected share of matches among all pairs: iterate
    λ ← Σ p_i(λ) / (n(n-1)/2) over the blocked pairs (pairs blocking never generated count
    as non-matches, so this still errs low, but far less). Changing λ adds the same constant
    to every match weight, so the scored pairs are shifted rather than scored again.
    """
    settings = linker._settings_obj
    prior = min(max(float(settings._probability_two_random_records_match), 1e-12), 0.5)
    weights = db.column(predictions, "match_weight")
    total = n * (n - 1) / 2
    if len(weights) == 0:
        return 0.0
    shift = 0.0
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp2(-(weights + shift)))
        new_prior = min(max(float(p.sum()) / total, 1e-12), 0.5)
        new_shift = math.log2(new_prior / (1 - new_prior)) - math.log2(prior / (1 - prior))
        if abs(new_shift - shift) < 1e-4:
            shift = new_shift
            break
        shift = new_shift
    settings._probability_two_random_records_match = 1.0 / (
        1.0 + 2 ** -(math.log2(prior / (1 - prior)) + shift)
    )
    return shift


def contributions_json(pairs: pa.Table, comparisons: Sequence[str]) -> pa.Array:
    """Per scored pair, its contributions as JSON text: ``{comparison: [level, weight,
    term-frequency adjustment]}``, weights rounded to 4 places (``null`` if not finite).
    Built in DuckDB over the whole table at once (callers pass slices of a large one): per
    pair in Python it took longer than the database write at a million records."""

    def number(column: str) -> str:
        if column not in pairs.column_names:
            return "'0.0'"
        return (
            f"CASE WHEN isfinite(coalesce({column}, 0)) "
            f"THEN CAST(round(coalesce({column}, 0), 4) AS VARCHAR) ELSE 'null' END"
        )

    parts = [
        f"""'{json.dumps(name)}:[', coalesce(CAST(gamma_{name} AS VARCHAR), 'null'), ',',
        {number(f"mw_{name}")}, ',', {number(f"mw_tf_adj_{name}")}, ']'"""
        for name in comparisons
        if f"gamma_{name}" in pairs.column_names
    ]
    # one concat() of every piece: a third of the time of chaining them with || (a
    # development timing over the 816,326 links of the 100k demo world: 1.3 s against 4.1 s).
    # concat() skips a NULL where || gives NULL: every piece must stay non-NULL (literals,
    # coalesce, CASE ... ELSE) for the text to be what it was.
    body = ", ',', ".join(parts) if parts else "''"
    con = duckdb.connect()
    try:
        con.register("lw_pairs", pairs)
        result = con.sql(f"SELECT concat('{{', {body}, '}}') AS c FROM lw_pairs").to_arrow_table()
    finally:
        con.close()
    return result.column("c").combine_chunks()


def _pairs(
    db: Backend, predictions: str, comparisons: list[str], shift: float, floor: float
) -> pa.Table:
    cols = [
        "unique_id_l",
        "unique_id_r",
        f"match_weight + {shift!r} AS match_weight",
        f"1.0 / (1.0 + pow(2, -(match_weight + {shift!r}))) AS match_probability",
        "match_key",
    ]
    for name in comparisons:
        cols += [f"gamma_{name}", f"mw_{name}"]
    available = set(db.columns(predictions))
    for name in comparisons:
        if f"mw_tf_adj_{name}" in available:
            cols.append(f"mw_tf_adj_{name}")
    select = ", ".join(c for c in cols if c.split(" ")[0] in available or " AS " in c)
    weight_floor = math.log2(floor / (1 - floor)) - shift
    return db.arrow(f"SELECT {select} FROM {predictions} WHERE match_weight >= {weight_floor!r}")
