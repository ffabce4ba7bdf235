"""Baseline resolvers for the accuracy benchmark: Splink as its own tutorials configure it, and
recordlinkage's classic unsupervised pipeline.

Both take a :class:`_datasets.Dataset` and return a :class:`BaselineResult` whose ``clusters``
frame has the ``linkwise dedupe`` output shape (``file, record_id, entity_id, confidence``;
confidence = the weakest link's probability inside the cluster, 1.0 for singletons) and whose
``pairs`` frame holds the scored candidate pairs.

Splink configurations (splink 5.0.0, DuckDB with 2 threads, u-sampling seeded):

* ``fake_1000``: docs/demos/tutorials/04_Estimating_model_parameters: NameComparison on
  first_name and surname, Levenshtein(1) on dob cast to string, ExactMatch city with TF,
  EmailComparison; blocking first_name+city and surname; prior from the tutorial's three
  deterministic rules at recall 0.7; u with max_pairs=2e6; EM on first_name+surname, then on
  dob.
* ``historical_50k``: docs/demos/examples/duckdb/deduplicate_50k_synthetic, verbatim (its
  10 blocking rules, ForenameSurnameComparison with the concat column, DateOfBirthComparison,
  PostcodeComparison, ExactMatch birth_place and occupation with TF; prior at recall 0.6; u
  with max_pairs=1e7; EM on first_name+surname and on dob without TF).
* FEBRL and the demo world: the 50k example's shape on the columns they have: postcode_fake ->
  postcode, birth_place -> city in the blocking and prior rules; ExactMatch with TF on the
  other attributes (address, ssn, phone, ...), EmailComparison on email where present.

Every model is clustered with connected components at match probability 0.95 (the 50k
example's threshold; the fake_1000 tutorial clusters at 0.2, we use 0.95 everywhere so that
the baselines are compared at one operating point). Predictions are kept down to probability
0.01, which does not change the clusters at 0.95.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from _datasets import Dataset

SEED = 2026
CLUSTER_THRESHOLD = 0.95
PAIRS_KEPT_FROM = 0.01
DUCKDB_THREADS = 2


@dataclass
class BaselineResult:
    clusters: pd.DataFrame  # file, record_id, entity_id, confidence
    pairs: pd.DataFrame  # file_l, record_id_l, file_r, record_id_r, match_probability
    notes: list[str] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)


# ------------------------------------------------------------------------------------------
# shared: clusters from thresholded edges


def _clusters_from_edges(
    records: pd.DataFrame, edges: pd.DataFrame, threshold: float
) -> pd.DataFrame:
    """Connected components over ``edges`` (unique_id_l, unique_id_r, match_probability) with
    probability >= threshold; ``records`` has unique_id, file, record_id."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    ids = records["unique_id"].tolist()
    pos = {u: i for i, u in enumerate(ids)}
    kept = edges[edges["match_probability"] >= threshold]
    li = kept["unique_id_l"].map(pos).to_numpy(dtype=np.int64)
    ri = kept["unique_id_r"].map(pos).to_numpy(dtype=np.int64)
    n = len(ids)
    graph = coo_matrix((np.ones(len(li)), (li, ri)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    # weakest link inside each cluster
    weakest = (
        pd.DataFrame({"c": labels[li], "p": kept["match_probability"].to_numpy()})
        .groupby("c")["p"]
        .min()
    )
    conf = pd.Series(labels).map(weakest).fillna(1.0).to_numpy()
    return pd.DataFrame(
        {
            "file": records["file"].to_numpy(),
            "record_id": records["record_id"].to_numpy(),
            "entity_id": [f"E{c}" for c in labels],
            "confidence": np.round(conf, 6),
        }
    )


def _pairs_frame(records: pd.DataFrame, edges: pd.DataFrame) -> pd.DataFrame:
    look = records.set_index("unique_id")[["file", "record_id"]]
    left = look.reindex(edges["unique_id_l"].to_numpy())
    right = look.reindex(edges["unique_id_r"].to_numpy())
    return pd.DataFrame(
        {
            "file_l": left["file"].to_numpy(),
            "record_id_l": left["record_id"].to_numpy(),
            "file_r": right["file"].to_numpy(),
            "record_id_r": right["record_id"].to_numpy(),
            "match_probability": edges["match_probability"].to_numpy(),
        }
    )


def _present(df: pd.DataFrame, col: str) -> bool:
    return col in df.columns and bool(df[col].notna().any())


# ------------------------------------------------------------------------------------------
# Splink


def _arrow(df: pd.DataFrame) -> pa.Table:
    """All columns as nullable strings (avoids DuckDB typing an all-null column as DOUBLE)."""
    schema = pa.schema([(c, pa.string()) for c in df.columns])
    return pa.Table.from_pandas(df, schema=schema, preserve_index=False)


def _fake_1000_tutorial() -> tuple[Any, list, dict]:
    import splink.comparison_library as cl
    from splink import ColumnExpression, SettingsCreator, block_on

    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("first_name"),
            cl.NameComparison("surname"),
            cl.LevenshteinAtThresholds(ColumnExpression("dob").cast_to_string(), 1),
            cl.ExactMatch("city").configure(term_frequency_adjustments=True),
            cl.EmailComparison("email"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("first_name", "city"),
            block_on("surname"),
        ],
        retain_intermediate_calculation_columns=True,
    )
    deterministic_rules = [
        block_on("first_name", "dob"),
        "l.first_name = r.first_name and levenshtein(r.surname, l.surname) <= 2",
        block_on("email"),
    ]
    training = {
        "deterministic_rules": deterministic_rules,
        "recall": 0.7,
        "u_max_pairs": 2e6,
        "em_rules": [block_on("first_name", "surname"), block_on("dob")],
        "em_without_tf": False,
    }
    return settings, [], training


def _fifty_k_shape(df: pd.DataFrame, postcode: str, place: str, exact_tf: list[str]) -> tuple:
    """The deduplicate_50k_synthetic example, with ``postcode`` standing in for postcode_fake
    and ``place`` for birth_place; ``exact_tf`` are the ExactMatch-with-TF comparisons."""
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    has_pc = _present(df, postcode)
    has_place = _present(df, place)
    rules = [
        block_on("substr(first_name,1,3)", "substr(surname,1,4)"),
        block_on("surname", "dob"),
        block_on("first_name", "dob"),
    ]
    if has_pc:
        rules += [block_on(postcode, "first_name"), block_on(postcode, "surname")]
    if has_place:
        rules += [block_on("dob", place)]
    if has_pc:
        rules += [
            block_on(f"substr({postcode},1,3)", "dob"),
            block_on(f"substr({postcode},1,3)", "first_name"),
            block_on(f"substr({postcode},1,3)", "surname"),
        ]
    rules += [block_on("substr(first_name,1,2)", "substr(surname,1,2)", "substr(dob,1,4)")]

    comparisons = [
        cl.ForenameSurnameComparison(
            "first_name", "surname", forename_surname_concat_col_name="first_name_surname_concat"
        ),
        cl.DateOfBirthComparison("dob", input_is_string=True),
    ]
    if has_pc:
        comparisons.append(cl.PostcodeComparison(postcode))
    for col in exact_tf:
        if not _present(df, col):
            continue
        if col == "email":
            comparisons.append(cl.EmailComparison("email"))
        else:
            comparisons.append(cl.ExactMatch(col).configure(term_frequency_adjustments=True))

    settings = SettingsCreator(
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=rules,
        comparisons=comparisons,
        retain_intermediate_calculation_columns=True,
    )
    deterministic = [block_on("first_name", "surname", "dob")]
    if has_pc:
        deterministic += [
            block_on("substr(first_name,1,2)", "surname", f"substr({postcode},1,2)"),
            block_on("dob", postcode),
        ]
    training = {
        "deterministic_rules": deterministic,
        "recall": 0.6,
        "u_max_pairs": 1e7,
        "em_rules": [block_on("first_name", "surname"), block_on("dob")],
        "em_without_tf": True,
    }
    return settings, rules, training


# Per-dataset adaptation of the 50k example: (postcode column, birth_place stand-in, ExactMatch
# TF columns). historical_50k is the example itself.
FIFTY_K_ADAPTATIONS: dict[str, tuple[str, str, list[str]]] = {
    "historical_50k": ("postcode_fake", "birth_place", ["birth_place", "occupation"]),
    "febrl": ("postcode", "city", ["city", "address", "ssn"]),
    "demo": ("postcode", "city", ["city", "address", "ssn", "phone", "email"]),
}


def splink_config_for(name: str, df: pd.DataFrame) -> tuple[Any, dict, str]:
    if name == "fake_1000":
        settings, _, training = _fake_1000_tutorial()
        return settings, training, "04_Estimating_model_parameters tutorial"
    key = "febrl" if name.startswith("febrl") else "demo" if name.startswith("demo") else name
    if key not in FIFTY_K_ADAPTATIONS:
        key = "demo"  # any other person dataset: the demo column set, whatever is present
    postcode, place, exact = FIFTY_K_ADAPTATIONS[key]
    settings, _, training = _fifty_k_shape(df, postcode, place, exact)
    label = (
        "deduplicate_50k_synthetic example"
        if name == "historical_50k"
        else "50k example's shape adapted to the columns"
    )
    return settings, training, label


def splink_lean(ds: Dataset) -> BaselineResult:
    """The same Splink model with nothing kept that the clusters do not need: no compared
    values or per-comparison columns in the predictions, pairs scored only at or above the
    cluster threshold. The fastest bare Splink run of this configuration, for timing."""
    return splink_tutorial(ds, lean=True)


def splink_tutorial(ds: Dataset, lean: bool = False) -> BaselineResult:
    import duckdb
    from splink import DuckDBAPI, Linker

    np.random.seed(SEED)
    logging.getLogger("splink").setLevel(logging.ERROR)
    t0 = time.perf_counter()
    df = ds.combined()
    records = df[["unique_id", "file", "record_id"]]
    model_cols = [c for c in df.columns if c not in ("file", "record_id")]
    table = _arrow(df[model_cols])

    con = duckdb.connect()
    con.execute(f"SET threads TO {DUCKDB_THREADS}")
    db_api = DuckDBAPI(connection=con)
    settings, training, label = splink_config_for(ds.name, df)
    if lean:
        settings.retain_matching_columns = False
        settings.retain_intermediate_calculation_columns = False
    rel = con.from_arrow(table)
    if ds.name != "fake_1000":
        # the 50k example: needed to apply term frequencies to the first+surname comparison
        rel = rel.project("*, first_name || ' ' || surname as first_name_surname_concat")
    sdf = db_api.register(rel)
    linker = Linker(sdf, settings, log_level=logging.ERROR)

    linker.training.estimate_probability_two_random_records_match(
        training["deterministic_rules"], recall=training["recall"]
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=training["u_max_pairs"], seed=SEED)
    for rule in training["em_rules"]:
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=training["em_without_tf"]
        )
    t_train = time.perf_counter() - t0

    df_predict = linker.inference.predict(
        threshold_match_probability=CLUSTER_THRESHOLD if lean else PAIRS_KEPT_FROM,
        warning_mode="never",
    )
    edges = con.sql(
        f"select unique_id_l, unique_id_r, match_probability from {df_predict.physical_name}"
    ).df()
    # Splink's own clustering (connected components at the threshold); confidence from edges
    clustered = linker.clustering.cluster_pairwise_predictions_at_threshold(
        df_predict, threshold_match_probability=CLUSTER_THRESHOLD
    )
    cl_ids = con.sql(f"select unique_id, cluster_id from {clustered.physical_name}").df()
    clusters = _clusters_from_edges(records, edges, CLUSTER_THRESHOLD)
    # cross-check: Splink's clusters and ours are the same partition
    ours = pd.Series(clusters["entity_id"].to_numpy(), index=records["unique_id"].to_numpy())
    theirs = cl_ids.set_index("unique_id")["cluster_id"].reindex(ours.index)
    pairs_ot = pd.DataFrame({"o": ours.to_numpy(), "t": theirs.to_numpy()}).drop_duplicates()
    same = len(pairs_ot) == ours.nunique() == theirs.nunique()
    pairs = _pairs_frame(records, edges)
    prior = linker._settings_obj._probability_two_random_records_match
    con.close()
    return BaselineResult(
        clusters,
        pairs,
        notes=[f"splink {label}; cluster threshold {CLUSTER_THRESHOLD}"],
        info={
            "config": label,
            "scored_pairs": len(edges),
            "prior": prior,
            "train_s": round(t_train, 2),
            "splink_clusters_match": bool(same),
        },
    )


# ------------------------------------------------------------------------------------------
# recordlinkage (classic)

# Per dataset: exact-match attributes and fuzzy (Jaro-Winkler >= 0.85) attributes beyond the
# names. Birth dates are compared as three exact parts (year, month, day).
RL_FIELDS: dict[str, tuple[list[str], list[str]]] = {
    "fake_1000": (["city", "email"], []),
    "historical_50k": (["postcode_fake", "birth_place", "occupation"], []),
    "febrl": (["postcode", "city", "state", "ssn"], ["address"]),
    "demo": (["postcode", "city", "ssn", "phone", "email"], ["address"]),
}
RL_JW = 0.85
RL_WINDOW = 5


def _rl_fields(name: str) -> tuple[list[str], list[str]]:
    key = "febrl" if name.startswith("febrl") else "demo" if name.startswith("demo") else name
    return RL_FIELDS.get(key, RL_FIELDS["demo"])


def recordlinkage_classic(ds: Dataset) -> BaselineResult:
    """Index: sorted neighbourhood on surname (window 5) within the first letter of the first
    name, plus exact blocking on the date of birth. Compare: Jaro-Winkler >= 0.85 on first
    name and surname (and address where present), exact on birth year, month and day, and on
    the other attributes. Classify: unsupervised ECM (Fellegi-Sunter by EM) on the binary
    vectors; if it fails or is degenerate, the classic rule "more than half the comparisons
    agree". Then connected components."""
    import recordlinkage as rl

    np.random.seed(SEED)
    t0 = time.perf_counter()
    df = ds.combined()
    records = df[["unique_id", "file", "record_id"]]
    data = df.set_index("unique_id")
    data["first_initial"] = data["first_name"].str[:1]
    dob = data["dob"].astype(object)
    parts = dob.str.split("-", expand=True) if dob.notna().any() else None
    for i, p in enumerate(("birth_year", "birth_month", "birth_day")):
        data[p] = parts[i] if parts is not None and i in parts.columns else None

    indexer = rl.Index()
    indexer.add(
        rl.index.SortedNeighbourhood("surname", window=RL_WINDOW, block_on=["first_initial"])
    )
    indexer.add(rl.index.Block("dob"))
    candidates = indexer.index(data)

    exact, fuzzy = _rl_fields(ds.name)
    exact = [c for c in exact if _present(df, c)]
    fuzzy = [c for c in fuzzy if _present(df, c)]
    comp = rl.Compare()
    for col in ["first_name", "surname", *fuzzy]:
        comp.string(col, col, method="jarowinkler", threshold=RL_JW, label=col)
    for col in ["birth_year", "birth_month", "birth_day", *exact]:
        comp.exact(col, col, label=col)
    features = comp.compute(candidates, data).astype(int)
    n_feat = features.shape[1]

    method, prob, detail = "ecm", None, ""
    try:
        ecm = rl.ECMClassifier(binarize=None)
        matches = ecm.fit_predict(features)
        n_match = len(matches)
        # label-free sanity checks of the EM fit: some matches and some non-matches, and
        # agreement on every attribute must be evidence FOR a match (m > u), otherwise the
        # latent classes are not "match / non-match" (e.g. the u class soaked up the
        # same-birth-date pairs that dob blocking produces)
        inverted = [
            c for c in features.columns if ecm.m_probs[c].get(1, 0.0) <= ecm.u_probs[c].get(1, 0.0)
        ]
        if n_match == 0 or n_match == len(features) or inverted:
            raise ValueError(
                f"degenerate ECM fit ({n_match} of {len(features)} pairs as matches; "
                f"agreement weight <= 0 on {', '.join(inverted) or '-'})"
            )
        is_match = features.index.isin(matches)
        prob = pd.Series(ecm.prob(features), index=features.index)
    except Exception as exc:  # classic fallback
        method, detail = "sum-of-agreements", str(exc)
        score = features.sum(axis=1)
        prob = score / n_feat
        is_match = (score > n_feat / 2).to_numpy()
    prob = prob.clip(0.0, 1.0)
    is_match = np.asarray(is_match, dtype=bool)
    edges = pd.DataFrame(
        {
            "unique_id_l": features.index.get_level_values(0),
            "unique_id_r": features.index.get_level_values(1),
            "match_probability": prob.to_numpy(),
        }
    )
    # The classifier decides the links: every predicted match is an edge (threshold 0), and
    # the weakest-link confidence is the classifier's probability (or agreement share).
    matched = edges[is_match]
    matched = matched.assign(match_probability=matched["match_probability"].clip(lower=1e-9))
    clusters = _clusters_from_edges(records, matched, 0.0)
    pairs = _pairs_frame(records, edges[edges["match_probability"] >= PAIRS_KEPT_FROM])
    note = f"recordlinkage classifier: {method}" + (f" (ECM failed: {detail})" if detail else "")
    return BaselineResult(
        clusters,
        pairs,
        notes=[note],
        info={
            "classifier": method,
            "ecm_failure": detail or None,
            "candidate_pairs": len(candidates),
            "predicted_matches": int(is_match.sum()),
            "features": list(features.columns),
            "resolve_s": round(time.perf_counter() - t0, 2),
            "threshold": None if method == "ecm" else f"sum > {n_feat / 2:g} of {n_feat}",
            "ecm_p": None if method != "ecm" else float(ecm.p),
        },
    )


BASELINES = {
    "splink_tutorial": splink_tutorial,
    "splink_lean": splink_lean,
    "recordlinkage_classic": recordlinkage_classic,
}
