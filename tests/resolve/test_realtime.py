"""Real-time matching: one record against a resolved workspace, scored as Splink scores it,
grouped into candidate entities with explanations that never quote an identifier."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from splink import DuckDBAPI, Linker
from typer.testing import CliRunner

from linkwise.cli.main import app
from linkwise.demo import generate_world
from linkwise.govern.accounts import User
from linkwise.model.cases import Case
from linkwise.resolve.name_order import NameOrder, splink_settings
from linkwise.resolve.prepare import prepare
from linkwise.resolve.realtime import _RULE_COLUMN, PROBE_ID, Matcher
from linkwise.store import resolution as store
from linkwise.workspace import Workspace
from linkwise.workspace.matching import MatchInputError
from tests.helpers import PASSWORD, authorise, seed_case

PEOPLE = 300


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    world = tmp_path_factory.mktemp("world")
    generate_world(world, PEOPLE, 11)
    workspace, _ = Workspace.init(tmp_path_factory.mktemp("ws") / "ws")
    for manifest in sorted(world.glob("*.yaml")):
        workspace.add_source(manifest)
    workspace.ingest()
    workspace.resolve()
    try:
        yield workspace
    finally:
        workspace.close()


@pytest.fixture(scope="module")
def reader(ws: Workspace) -> tuple[User, Case]:
    """A criminal case with the subpoena and approval that unlock the demo's benefit records
    and credit-header SSNs, so that matching shows everything it compares."""
    user, case = seed_case(ws)
    authorise(ws, user, case, "subpoena", sources=["benefit_enrolments"], markings=["benefits"])
    authorise(
        ws,
        user,
        case,
        "supervisor_approval",
        sources=["public_records"],
        markings=["credit_header_ssn"],
    )
    return user, case


def _match(
    ws: Workspace, reader: tuple[User, Case], fields: dict[str, str], **kw: Any
) -> list[dict[str, Any]]:
    user, case = reader
    with ws.session(user, case.id) as session:
        return session.match(fields, **kw)


@pytest.fixture(scope="module")
def resolved(ws: Workspace) -> dict[str, Any]:
    with ws.engine.connect() as conn:
        rows = store.current_person_rows(conn)
        entity_of = store.entity_of_records(conn)
        found = store.latest_model(conn)
        generic = [(g["field"], g["value"]) for g in store.generic_list(conn)]
    assert found is not None
    return {"rows": rows, "entity_of": entity_of, "model": found[1], "generic": generic}


def _full_record(resolved: dict[str, Any]) -> dict[str, Any]:
    """A record with a full name, a full date of birth, a postcode and an SSN."""
    for row in resolved["rows"]:
        ssn = row["identifiers"].get("ssn")
        given, family = row["given_name"], row["family_name"]
        dob = row["dob"] or ""
        complete = ssn and given and family and len(family) >= 5 and len(dob) == 10
        if complete and row["postcode"] and ("ssn", ssn) not in set(resolved["generic"]):
            return dict(row)
    raise AssertionError("the demo world has no record with every field")


def _typo(name: str) -> str:
    middle = len(name) // 2
    return name[:middle] + ("x" if name[middle] != "x" else "y") + name[middle + 1 :]


def test_a_record_with_a_typo_finds_its_entity(
    ws: Workspace, reader: tuple[User, Case], resolved: dict[str, Any]
) -> None:
    row = _full_record(resolved)
    fields = {
        "given_name": row["given_name"].title(),
        "family_name": _typo(row["family_name"]).upper(),
        "dob": row["dob"],
        "postcode": row["postcode"],
    }
    results = _match(ws, reader, fields)
    assert results, f"no candidate for {fields}"
    best = results[0]
    assert best["entity_id"] == resolved["entity_of"][row["record_id"]]
    assert best["probability"] > 0.5
    assert all(r["probability"] >= 0.5 for r in results)
    assert [r["probability"] for r in results] == sorted(
        (r["probability"] for r in results), reverse=True
    )
    assert best["records"]
    assert best["records"][0]["source_key"]
    assert "Overall:" in best["explanation"]
    total = best["contributions"][-1]
    assert total["kind"] == "total"
    assert total["weight"] == pytest.approx(best["match_weight"])


def test_an_unknown_person_has_no_likely_candidate(
    ws: Workspace, reader: tuple[User, Case]
) -> None:
    fields = {"given_name": "Zebulon", "family_name": "Quackenbush", "dob": "1931-02-03"}
    assert _match(ws, reader, fields) == []
    assert all(r["probability"] < 0.5 for r in _match(ws, reader, fields, threshold=0.0))


def test_the_explanation_never_quotes_the_ssn(
    ws: Workspace, reader: tuple[User, Case], resolved: dict[str, Any]
) -> None:
    row = _full_record(resolved)
    ssn = row["identifiers"]["ssn"]
    fields = {
        "given_name": row["given_name"],
        "family_name": row["family_name"],
        "dob": row["dob"],
        "ssn": f"{ssn[:3]}-{ssn[3:5]}-{ssn[5:]}",
    }
    results = _match(ws, reader, fields)
    assert results
    assert results[0]["entity_id"] == resolved["entity_of"][row["record_id"]]
    assert "SSN" in results[0]["explanation"]  # the SSNs agreeing is said, the number is not
    for result in results:
        text = json.dumps(result)
        assert ssn not in text
        assert ssn[-4:] not in result["explanation"]


def test_bad_values_name_the_field(ws: Workspace, reader: tuple[User, Case]) -> None:
    with pytest.raises(MatchInputError, match="dob"):
        _match(ws, reader, {"given_name": "Maria", "dob": "1980-13-45"})
    with pytest.raises(MatchInputError, match="unknown field"):
        _match(ws, reader, {"shoe_size": "9"})
    with pytest.raises(MatchInputError, match="at least"):
        _match(ws, reader, {"sex": "F"})
    with pytest.raises(MatchInputError, match="email"):
        _match(ws, reader, {"family_name": "Garcia", "email": "garcia at example"})
    # a name or postcode that normalises to nothing was dropped silently, and the match ran
    # on the rest ("no entity is likely")
    with pytest.raises(MatchInputError, match="given_name: '!!!' has no letters"):
        _match(ws, reader, {"given_name": "!!!", "family_name": "Garcia"})
    with pytest.raises(MatchInputError, match="holds symbols that are not letters"):
        _match(ws, reader, {"given_name": "Ana 😀", "family_name": "Garcia"})
    with pytest.raises(MatchInputError, match="postcode: '!!!!' is not read as a postcode"):
        _match(ws, reader, {"family_name": "Garcia", "postcode": "!!!!"})
    long = "x" * 500
    with pytest.raises(MatchInputError) as caught:
        _match(ws, reader, {"family_name": "Garcia", "full_name": "1" * 500})
    assert len(str(caught.value)) < 200  # the value is cut short, not repeated whole
    assert long not in str(caught.value)


def test_scores_equal_splinks_predict_between(resolved: dict[str, Any]) -> None:
    """The matcher's own candidate search and Splink's blocking find the same pairs, and
    Splink's scoring SQL, run once per record, gives the same weights."""
    rows = [r for r in resolved["rows"] if r["record_id"] in resolved["entity_of"]]
    model = resolved["model"]
    prepared = prepare(
        rows, known_generic=resolved["generic"], name_order=NameOrder.from_model(model)
    )
    ids = prepared.table.column("unique_id").to_pylist()
    matcher = Matcher(
        prepared.table, [resolved["entity_of"][i] for i in ids], model, generic=resolved["generic"]
    )
    api = DuckDBAPI(connection=duckdb.connect())
    reference = api.register(prepared.table, table_name="reference")
    linker = Linker(reference, splink_settings(model), log_level=logging.ERROR)
    for col in matcher.tf_columns:
        linker.table_management.compute_tf_table(col)
    try:
        for row in rows[:: max(1, len(rows) // 15)]:
            record = {**row, "family_name": _typo(row["family_name"] or "smith")}
            probe = matcher.prepare_record(record)
            ours = {p["unique_id_r"]: p["model_match_weight"] for p in matcher.score(probe)}
            new = api.register(
                prepare(
                    [{**record, "record_id": PROBE_ID}],
                    known_generic=resolved["generic"],
                    name_order=NameOrder.from_model(model),
                ).table
            )
            frame = linker.inference.predict_between(new, reference, warning_mode="never")
            theirs = dict(
                zip(
                    *frame.as_pandas_dataframe()[["unique_id_r", "match_weight"]].T.values,
                    strict=True,
                )
            )
            assert set(ours) == set(theirs)
            for rid, weight in ours.items():
                assert weight == pytest.approx(theirs[rid], abs=1e-9)
    finally:
        matcher.close()


def test_cli_match_prints_json_and_exits_2_on_bad_input(
    ws: Workspace, reader: tuple[User, Case], resolved: dict[str, Any]
) -> None:
    row = _full_record(resolved)
    user, case = reader
    runner = CliRunner(env={"LINKWISE_PASSWORD": PASSWORD, "LINKWISE_CASE": str(case.id)})
    args = ["match", "--workspace", str(ws.root), "--as", user.username, "--json"]
    result = runner.invoke(
        app,
        [
            *args,
            "--field",
            f"given_name={row['given_name']}",
            "--field",
            f"family_name={_typo(row['family_name'])}",
            "-f",
            f"dob={row['dob']}",
        ],
    )
    assert result.exit_code == 0, result.output
    candidates = json.loads(result.stdout)
    assert candidates[0]["entity_id"] == resolved["entity_of"][row["record_id"]]
    assert candidates[0]["explanation"]
    bad = runner.invoke(app, [*args, "--field", "dob=31/31/1980"])
    assert bad.exit_code == 2
    assert "dob" in bad.output
    text = runner.invoke(
        app,
        ["match", "--workspace", str(ws.root), "--as", user.username, "-f", "given_name=Zebulon"],
    )
    assert text.exit_code == 0, text.output
    nobody = runner.invoke(app, ["match", "--workspace", str(ws.root), "-f", "given_name=Zebulon"])
    assert nobody.exit_code == 2
    assert "--as" in nobody.output


def test_the_matcher_is_reused_until_the_next_resolution(
    ws: Workspace, reader: tuple[User, Case], tmp_path: Path
) -> None:
    fields = {"given_name": "Maria", "family_name": "Garcia"}
    _match(ws, reader, fields)
    cached = ws.matcher()
    first = cached.matcher()
    _match(ws, reader, fields)
    assert ws.matcher() is cached
    assert cached.matcher() is first


@pytest.mark.parametrize(
    ("sql", "columns"),
    [
        ("l.ssn = r.ssn", {"ssn"}),
        ('"l"."ssn" = "r"."ssn"', {"ssn"}),
        ("L . ssn = R . ssn", {"ssn"}),
        (
            "l.`dob` = r.`dob` AND SUBSTRING(l.given, 1, 1) = SUBSTRING(r.given, 1, 1)",
            {"dob", "given"},
        ),
        ("l.given = r.family AND l.family = r.given", {"given", "family"}),
    ],
)
def test_the_columns_a_blocking_rule_reads_are_read_in_every_quoting(
    sql: str, columns: set[str]
) -> None:
    # the governed match rests a pair of a restricted record only on rules whose columns
    # it may see: a column missed here would let a hidden value pair a record
    assert set(_RULE_COLUMN.findall(sql)) == columns
