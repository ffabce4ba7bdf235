"""Whether a run refuses merges on any full dates of birth that no slip explains: measured on
the records that share an identifier value, saved with the model, read back by incremental
runs (``clustering.DateCheck``)."""

from __future__ import annotations

import random
from typing import Any

import pyarrow as pa
import pytest

from linkwise.resolve import pipeline
from linkwise.resolve.clustering import DateCheck, cluster_records
from linkwise.resolve.generic import GenericValue
from linkwise.resolve.name_order import splink_settings
from linkwise.resolve.pipeline import DATES_KEY, date_check, resolve
from linkwise.workspace.incremental import strict_dates


def test_pairs_are_of_records_sharing_a_trustworthy_exclusive_identifier() -> None:
    table = pa.table(
        {
            "unique_id": pa.array([1, 2, 3, 4, 5, 6, 7, 8], pa.int64()),
            "dob": [
                *("1980-05-04", "1980-05-04", "1970-03-02", "1971-09-30"),
                *("1960-02-03", "1961-08-09", "1950-01-02", "1950-06-07"),
            ],
        }
    )
    valid: dict[int, dict[str, Any]] = {
        1: {"ssn": "111"},
        2: {"ssn": "111"},  # one person's two records: dates agree
        3: {"passport": "P1"},
        4: {"passport": "P1"},  # dates no slip explains
        5: {"ssn": "999"},
        6: {"ssn": "999"},  # a generic value: shared by many people, says nothing
        7: {"tax_id": "T1"},
        8: {"tax_id": "T1"},  # not an exclusive identifier type
    }
    check = date_check(table, valid, [GenericValue("ssn", "999", 40, 30)])
    assert (check.pairs, check.unslipped) == (2, 1)
    assert date_check(table.drop(["dob"]), valid) == DateCheck(0, 0)


def world(stray: int) -> list[dict[str, Any]]:
    """120 people with two records sharing an SSN, ``stray`` of them with two dates of birth
    that no slip explains."""
    rng = random.Random(5)
    records: list[dict[str, Any]] = []
    for p in range(120):
        dob = f"{rng.randint(1940, 2000)}-{rng.randint(2, 12):02d}-{rng.randint(10, 28):02d}"
        other = dob if p >= stray else f"{int(dob[:4]) + 1}-01-{rng.randint(2, 9):02d}"
        for k, when in enumerate((dob, other)):
            records.append(
                {
                    "record_id": len(records) + 1,
                    "source": f"s{k}",
                    "given_name": f"given{p}",
                    "family_name": f"family{p}",
                    "dob": when,
                    "identifiers": {"ssn": f"{100000000 + p}"},
                }
            )
    return records


@pytest.mark.parametrize(("stray", "strict"), [(0, True), (12, False)])
def test_a_run_measures_its_dates_clusters_by_them_and_saves_the_check_with_its_model(
    stray: int, strict: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    told: list[DateCheck | None] = []

    def clustering(*args: Any, **kwargs: Any) -> Any:
        told.append(kwargs["strict_dates"])
        return cluster_records(*args, **kwargs)

    monkeypatch.setattr(pipeline, "cluster_records", clustering)
    model = resolve(world(stray)).linkage.model
    assert [None if t is None else t.strict for t in told] == [strict]
    found = DateCheck.from_json(model[DATES_KEY])
    assert found == DateCheck(120, stray)
    assert found.strict is strict
    assert strict_dates(model) == found  # as an incremental run reads it
    assert DATES_KEY not in splink_settings(model)


def test_a_model_saved_before_the_check_has_none() -> None:
    assert strict_dates({"link_type": "dedupe_only"}) is None
