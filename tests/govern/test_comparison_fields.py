"""A comparison's level is shown only where the reader may see every field its levels read,
not just the field it is named after: the given-name comparison's swap levels compare one
record's given name with the other's family name, and the place comparison's first levels
compare addresses. With a policy pack that restricts the family name and the address of one
source field by field (the rest of its records shown), the explanation of a link to that
source must not say that the names are swapped or that the addresses agree, until an
authorisation unlocks those fields. On SQLite and PostgreSQL."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pytest

from linkwise.govern.gate import comparison_fields, is_withheld, value_fields
from linkwise.resolve.comparisons import choose_comparisons
from linkwise.resolve.prepare import COLUMN_FIELDS
from linkwise.workspace import Workspace
from tests.govern.test_session import craft
from tests.helpers import (
    authorise,
    csv_text,
    manifest,
    person,
    seed_case,
    widen_credit_marking,
    write_manifest,
)

NAME_LEVELS = [
    {"is_null_level": True, "label_for_charts": "missing"},
    {"label_for_charts": "exact", "m_probability": 0.9, "u_probability": 0.01},
    {
        "label_for_charts": "given and family name swapped",
        "m_probability": 0.05,
        "u_probability": 0.0001,
    },
    {"label_for_charts": "different", "m_probability": 0.05, "u_probability": 0.9899},
]
PLACE_LEVELS = [
    {"is_null_level": True, "label_for_charts": "missing"},
    {"label_for_charts": "same address", "m_probability": 0.6, "u_probability": 0.001},
    {"label_for_charts": "same postcode", "m_probability": 0.2, "u_probability": 0.01},
    {"label_for_charts": "different", "m_probability": 0.2, "u_probability": 0.989},
]
MODEL = {
    "probability_two_random_records_match": 0.01,
    "comparisons": [
        {"output_column_name": "given_name", "comparison_levels": NAME_LEVELS},
        {"output_column_name": "family_name", "comparison_levels": NAME_LEVELS},
        {"output_column_name": "dob", "comparison_levels": NAME_LEVELS},
        {"output_column_name": "place", "comparison_levels": PLACE_LEVELS},
    ],
}
SWAPPED, EXACT, SAME_ADDRESS = 1, 2, 2
"""Gamma values (Splink counts the non-null levels down to 0)."""
CONTRIBUTIONS = {
    "given_name": [SWAPPED, 8.9, 0.0],
    "family_name": [SWAPPED, 8.9, 0.0],
    "dob": [EXACT, 6.5, 0.0],
    "place": [SAME_ADDRESS, 9.2, 0.0],
}


@pytest.fixture
def ws(workspace: Workspace, tmp_path: Path) -> Workspace:
    # the demo pack's marking of credit-header SSNs, widened to the family name and the
    # address: those two fields of the source are redacted unless a supervisor approves
    widen_credit_marking(workspace, tmp_path, "ssn, family_name, address_line")
    folder = tmp_path / "src"
    folder.mkdir()
    rows = {
        "court": [person(1, "Wang", "Yong", ADDR="12 Quince Court")],
        "credit": [person(1, "Yong", "Wang", ADDR="12 Quince Court")],
    }
    markings = {"court": ["criminal_justice"], "credit": ["credit_header_ssn"]}
    for name, found in rows.items():
        (folder / f"{name}.csv").write_text(csv_text(found), encoding="utf-8")
        workspace.add_source(
            write_manifest(folder, manifest(name, f"{name}.csv", markings=markings[name]))
        )
    workspace.ingest()
    craft(
        workspace,
        {"E1": ["court:1", "credit:1"]},
        [("court:1", "credit:1", 0.99, CONTRIBUTIONS)],
        model=MODEL,
        review=[
            {
                "kind": "uncertain_pair",
                "record_ids": ["court:1", "credit:1"],
                "priority": 0.0396,
                "match_probability": 0.99,
                "reason": "99% likely the same person; joined by this run",
            }
        ],
    )
    return workspace


def _rows(pair: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in pair["waterfall"] if r["kind"] == "comparison"}


def test_the_fields_a_comparison_reads_include_those_its_levels_compare_across() -> None:
    assert set(comparison_fields("given_name")) == {"given_name", "family_name"}
    assert set(comparison_fields("place")) == {"address_line", "postcode", "city"}
    assert set(comparison_fields("name_suffix")) == {"name_suffix", "family_name"}
    # the values shown beside the comparison: a place by its postcode and city; a name may
    # have been read from the other name field (a record in swapped order)
    assert value_fields("place") == ("address_line", "postcode", "city")
    assert set(value_fields("given_name")) == {"given_name", "family_name"}


def test_every_field_a_comparison_of_the_model_reads_is_decided_before_its_level() -> None:
    """Derived from the model itself: the prepared columns each level's SQL reads, through
    the fields each column comes from (``prepare.COLUMN_FIELDS``: a name column may hold
    either stored name, a suffix may come off the family name), are all among the fields
    the governed session checks for that comparison. A new level reading another column
    fails here until the session knows."""
    present = dict.fromkeys([*COLUMN_FIELDS, "suffix"], 10_000)
    checked = 0
    for comparison in choose_comparisons(present, 10_000, common=["ann", "anne"]):
        built = comparison.get_comparison("duckdb")
        name = built.output_column_name
        for level in built.comparison_levels:
            columns = set(re.findall(r"\b([a-z_]+)_[lr]\b", level.sql_condition))
            fields = {f for c in columns for f in COLUMN_FIELDS.get(c, (c,))}
            assert fields <= set(comparison_fields(name)) | {name}, (name, level.label_for_charts)
            checked += 1
    assert checked > 40
    # the levels comparing across fields: a family name with the other's middle name
    assert {"middle_name", "given_name"} <= set(comparison_fields("family_name"))
    assert {"family_name", "given_name"} <= set(comparison_fields("middle_name"))


def test_a_swap_or_a_shared_address_is_not_told_while_the_fields_are_restricted(
    ws: Workspace,
) -> None:
    user, case = seed_case(ws)
    with ws.session(user, case.id) as session:
        pair = session.explain_pair(("court", "1"), ("credit", "1"))
    rows = _rows(pair)
    for name in ("given_name", "family_name", "place"):
        assert is_withheld(rows[name]["withheld"]), name
        assert rows[name]["label"] is None, name
    assert rows["dob"]["label"] == "exact"
    text = str(pair).lower()
    assert "swapped" not in text
    assert "same address" not in text
    # the court record's own address is readable and shown; the credit record's is not
    assert rows["place"]["left"] == "12 QUINCE CT, 62704"
    assert is_withheld(rows["place"]["right"])
    assert text.count("quince") == 1
    # the name shown beside the row could be either stored name (the model may read a
    # record in swapped order), so it is a marker too
    assert is_withheld(rows["given_name"]["right"])
    assert rows["given_name"]["left"] == "wang"  # the court record is unrestricted
    assert "given name" in pair["sentence"].lower()  # named among what is not shown

    # a supervisor's approval unlocks the two fields for a criminal investigation
    authorise(
        ws, user, case, "supervisor_approval", sources=["credit"], markings=["credit_header_ssn"]
    )
    with ws.session(user, case.id) as session:
        pair = session.explain_pair(("court", "1"), ("credit", "1"))
    rows = _rows(pair)
    assert rows["given_name"]["label"] == "given and family name swapped"
    assert rows["place"]["label"] == "same address"


def test_a_figure_resting_on_withheld_levels_is_that_of_the_evidence_shown(
    ws: Workspace,
) -> None:
    # the link's stored weight less the rows shown would be the withheld names' and
    # place's weight: the entity view, the explanation and the review queue give the
    # figures of the prior and the date comparison alone, and the queue withholds the
    # priority made from the model's figure
    shown_weight = math.log2(0.01 / 0.99) + 6.5
    user, case = seed_case(ws)
    with ws.session(user, case.id) as session:
        (link,) = session.entity("E1")["links"]
        pair = session.explain_pair(("court", "1"), ("credit", "1"))
        (item,) = session.review_queue()
    assert link["evidence_withheld"] == ["family_name", "given_name", "place"]
    assert link["match_weight"] == pytest.approx(shown_weight)
    assert pair["match_weight"] == pytest.approx(shown_weight)
    assert pair["match_probability"] == pytest.approx(1 / (1 + 2**-shown_weight))
    total = next(r for r in pair["waterfall"] if r["kind"] == "total")
    assert total["evidence_withheld"] == ["family_name", "given_name", "place"]
    # one figure everywhere: the sum of what is shown, never the model's figure less the
    # rest (its rounding residue would tell the levels); the entity view reads the prior
    # through the database's JSON, so it may differ in the last bit
    assert total["weight"] == pair["match_weight"]
    assert link["match_weight"] == pytest.approx(pair["match_weight"], rel=1e-12, abs=1e-12)
    assert "99%" not in pair["sentence"]
    assert item["match_probability"] == pytest.approx(1 / (1 + 2**-shown_weight))
    assert "99%" not in str(item["reason"])
    assert "on the evidence shown; joined by this run" in str(item["reason"])
    assert is_withheld(item["priority"])

    authorise(
        ws, user, case, "supervisor_approval", sources=["credit"], markings=["credit_header_ssn"]
    )
    with ws.session(user, case.id) as session:
        (link,) = session.entity("E1")["links"]
        pair = session.explain_pair(("court", "1"), ("credit", "1"))
        (item,) = session.review_queue()
    assert link["evidence_withheld"] == pair["evidence_withheld"] == []
    assert (link["match_probability"], link["match_weight"]) == (0.99, 10.0)
    assert (pair["match_probability"], pair["match_weight"]) == (0.99, 10.0)
    assert (item["match_probability"], item["priority"]) == (0.99, 0.0396)
    assert item["reason"] == "99% likely the same person; joined by this run"
