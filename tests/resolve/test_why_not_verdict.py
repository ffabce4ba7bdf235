"""Why a record is not in an entity says whether its best link was strong enough as the
clustering weighed it: the model's probability, less the bits asked of a link with no date
of birth to compare and of one between two bearers of a widely shared full name."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from linkwise.govern.gate import RecordRef
from linkwise.resolve.namesakes import Namesakes
from linkwise.resolve.pipeline import NO_DOB_PENALTY
from linkwise.workspace import explaining


class _Read:
    """A read that shows everything but ``hidden`` fields."""

    conn: Any = None

    def __init__(self, hidden: tuple[str, ...] = ()) -> None:
        self.hidden = hidden

    def decision(self, ref: RecordRef, field: str | None) -> Any:
        shown = field not in self.hidden
        return SimpleNamespace(shown=shown, outcome="shown" if shown else "redacted")

    def refs(self, ids: Any) -> dict[int, RecordRef]:
        return {i: RecordRef(i, "court", 1, str(i), f"E{i}") for i in ids}

    def omitted(self, ref: RecordRef) -> bool:
        return False


OUT = RecordRef(2, "court", 1, "2", "E2")
"""The record asked about (record id 2, the link's right end)."""


FLAGS: dict[int, list[tuple[str, list[int], str | None]]] = {}


@pytest.fixture(autouse=True)
def _store(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(explaining.reads, "clustering_threshold", lambda _conn: 0.8)
    monkeypatch.setattr(explaining.reads, "flags_on", lambda _conn, rid: FLAGS.get(rid, []))


def _link(weight: float, dob_level: int = 6) -> dict[str, Any]:
    return {
        "record_l": 1,
        "record_r": 2,
        "match_weight": weight,
        "match_probability": 1 / (1 + 2**-weight),
        "contributions": {"given_name": [7, 7.4, 0.0], "dob": [dob_level, 1.0, 0.0]},
    }


NAMES = {1: {"given": "nam", "family": "nguyen"}, 2: {"given": "nam", "family": "nguyen"}}
SHOWN = [{"name": "given_name"}, {"name": "family_name"}, {"name": "dob"}]


def _penalised(bits: float) -> Any:
    found = Namesakes(
        np.array([1, 2], dtype=np.int64), np.array([0, 0], dtype=np.int64), np.array([bits] * 2)
    )
    return lambda table, only: found


def test_a_weak_link_falls_short_of_the_threshold() -> None:
    text = explaining._merge_verdict(_Read(), _link(-1.0), SHOWN, NAMES, None, OUT)
    assert text == "The model gives the link 33%, short of the 80% a merge needs."


def test_a_link_without_dates_is_counted_weaker(monkeypatch: pytest.MonkeyPatch) -> None:
    text = explaining._merge_verdict(_Read(), _link(3.0, dob_level=-1), SHOWN, NAMES, None, OUT)
    assert text.startswith("The model gives the link 89%, but for a merge clustering counts")
    assert f"{NO_DOB_PENALTY:g} bits because neither date of birth could be compared" in text
    assert "50%, short of the 80% a merge needs" in text


def test_a_shared_full_name_is_counted_weaker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(explaining, "find_namesakes", _penalised(4.0))
    names = lambda: pa.table({"unique_id": [1, 2]})  # noqa: E731
    text = explaining._merge_verdict(_Read(), _link(5.0), SHOWN, NAMES, names, OUT)
    assert "4.0 bits because both records bear one full name (or one slip from it) that" in text
    assert "67%, short of the 80%" in text
    # withheld names: the clause would say what the case may not see
    hidden = [{"name": "given_name", "withheld": {"outcome": "redacted"}}, *SHOWN[1:]]
    text = explaining._merge_verdict(_Read(), _link(5.0), hidden, NAMES, names, OUT)
    assert text == (
        "Whether the model's figure for the link was enough for a merge, and how "
        "clustering weighed it, rest on values not shown here."
    )
    # a record without a given name bears no full name: no penalty is looked up
    other = {**NAMES, 2: {"given": None, "family": "nguyen"}}
    assert "full name" not in explaining._merge_verdict(
        _Read(), _link(5.0), SHOWN, other, names, OUT
    )
    # a mistyped copy of the name: the penalty is looked up, as clustering applies it
    slip = {**NAMES, 2: {"given": "nam", "family": "nguyem"}}
    assert "4.0 bits because" in explaining._merge_verdict(
        _Read(), _link(5.0), SHOWN, slip, names, OUT
    )


def test_a_strong_link_refused_names_the_flag_by_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(FLAGS, 2, [("household", [1, 2], None), ("conflict", [2, 3], None)])
    text = explaining._merge_verdict(_Read(), _link(10.0), SHOWN, NAMES, None, OUT)
    assert text.startswith("The model gives the link over 99.9%, enough for a merge (80%)")
    assert "clustering refused it: the household check" in text
    assert "; conflicting evidence" in text


def test_a_clause_on_values_the_case_may_not_see_is_not_said(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the date comparison withheld: neither the penalty nor the figure it leaves is said (the
    # two percentages would tell that a date is missing)
    hidden = [*SHOWN[:2], {"name": "dob", "withheld": {"outcome": "redacted"}}]
    text = explaining._merge_verdict(_Read(), _link(3.0, dob_level=-1), hidden, NAMES, None, OUT)
    assert text == (
        "Whether the model's figure for the link was enough for a merge, and how "
        "clustering weighed it, rest on values not shown here."
    )
    # a household flag says the records share a family name and an address: named only
    # where the address may be seen; a reviewer's judgement tells of no value
    monkeypatch.setitem(
        FLAGS,
        2,
        [
            ("household", [1, 2], "records 1 and 5 share family name 'lee' and address ..."),
            ("cannot_link", [2, 3], None),
        ],
    )
    text = explaining._merge_verdict(
        _Read(hidden=("address_line",)), _link(10.0), SHOWN, NAMES, None, OUT
    )
    assert "household" not in text
    assert "a check on values not shown here" in text
    assert "a reviewer judged records of the two sides different people" in text


def test_flags_come_from_the_runs_since_the_last_full_one(
    workspace: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import insert, update

    monkeypatch.undo()  # the store itself, not the stand-in the other tests use

    from linkwise.store import reads
    from linkwise.store import resolution as store
    from linkwise.store import tables as t

    def run(conn: Any, mode: str, items: list[tuple[str, list[int]]]) -> None:
        rid = store.start_run(conn, mode, 0.8, 0.01)
        conn.execute(
            update(t.resolution_runs)
            .where(t.resolution_runs.c.id == rid)
            .values(status="completed")
        )
        for kind, ids in items:
            conn.execute(
                insert(t.review_items).values(
                    run_id=rid, kind=kind, record_ids=ids, priority=1.0, reason="r"
                )
            )

    with workspace.engine.begin() as conn:
        run(conn, "full", [("household", [7, 9])])  # before the last full run: stale
        run(conn, "full", [("conflict", [7, 8]), ("uncertain_pair", [7, 9])])
        run(conn, "incremental", [("ambiguous", [7]), ("conflict", [3, 7])])
    with workspace.engine.connect() as conn:
        assert [kind for kind, _, _ in reads.flags_on(conn, 7)] == [
            "conflict",
            "ambiguous",
            "conflict",
        ]
        assert reads.flags_on(conn, 7)[0] == ("conflict", [7, 8], "r")
        assert reads.flags_on(conn, 9) == []
