"""No governed read is ever answered from stale governance. Reads re-read the user, the case
and its authorisations at every read; the policy's answers are reused from one read to the
next only while those rows and each authorisation's state at the read's time are the same
(issue 4's overhead work), so a revocation, a disabled account, a closed case or an expiry
takes effect on the very next read: in a long-lived session that has read many times
already, and when the change is made through another ``Workspace`` on the same database, as
a second server process would. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import Connection

from linkwise.govern import audit, gate
from linkwise.govern.session import SessionRefusedError, SharedDecisions
from linkwise.model.cases import Case
from linkwise.workspace import Workspace, case_work, users
from linkwise.workspace.cases import revoke_authorisation
from tests.govern.test_session import (
    BRIDGE,
    BRIDGE_LINKS,
    _fields,
    craft,
    warrant_naming_one_subject,
    ws,
)
from tests.helpers import (
    ADMIN,
    PASSWORD,
    authorise,
    manifest,
    seed_case,
    seed_user,
    write_manifest,
)

__all__ = ["ws"]  # the session tests' world, used as a fixture here


@pytest.fixture
def other(ws: Workspace) -> Iterator[Workspace]:
    """A second workspace object on the same database: another server process."""
    second = Workspace.open(ws.root, ws.db_url)
    yield second
    second.close()


def _family_name(session: object, key: str = "10") -> object:
    return _fields(session.record("dmv", key))["family_name"]  # type: ignore[attr-defined]


def _warm(session: object) -> None:
    """Enough reads that any memo a read could keep would be warm."""
    for _ in range(3):
        session.entity("E10")  # type: ignore[attr-defined]
        session.record("dmv", "10")  # type: ignore[attr-defined]


def _count_walks(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The subject lists the reads from now on follow through the redirects, one per walk."""
    walks: list[list[str]] = []
    walk = gate.current_ids

    def counted(conn: Connection, ids: list[str]) -> set[str]:
        walks.append(list(ids))
        return walk(conn, ids)

    monkeypatch.setattr(gate, "current_ids", counted)
    return walks


@pytest.mark.parametrize("through_other", [False, True], ids=["same", "other_process"])
def test_a_revocation_takes_effect_at_the_next_read(
    ws: Workspace, other: Workspace, through_other: bool
) -> None:
    craft(ws, BRIDGE, BRIDGE_LINKS)
    user, case = seed_case(ws, "civil_immigration")
    lee = seed_user(ws, "lee", "legal_reviewer")
    warrant = authorise(ws, lee, case, "judicial_warrant", sources=["dmv"], markings=["dmv"])
    with ws.session(user, case.id) as session:
        _warm(session)
        assert _family_name(session) == "moreau"
        revoke_authorisation(other if through_other else ws, lee, warrant.id, "quashed")
        after = _family_name(session)
    assert isinstance(after, dict)
    assert after["outcome"] == "prohibited"


@pytest.mark.parametrize("through_other", [False, True], ids=["same", "other_process"])
def test_disabling_the_reader_takes_effect_at_the_next_read(
    ws: Workspace, other: Workspace, through_other: bool
) -> None:
    craft(ws, BRIDGE, BRIDGE_LINKS)
    user, case = seed_case(ws, username="bob")
    with ws.session(user, case.id) as session:
        _warm(session)
        users.disable_user(other if through_other else ws, ADMIN, PASSWORD, "bob")
        with pytest.raises(SessionRefusedError, match="disabled"):
            session.entity("E10")


@pytest.mark.parametrize("through_other", [False, True], ids=["same", "other_process"])
def test_closing_the_case_takes_effect_at_the_next_read(
    ws: Workspace, other: Workspace, through_other: bool
) -> None:
    craft(ws, BRIDGE, BRIDGE_LINKS)
    user, case = seed_case(ws)
    sue = seed_user(ws, "sue", "supervisor")
    with ws.session(user, case.id) as session:
        _warm(session)
        case_work.move(other if through_other else ws, sue, case.id, "closed", "done")
        with pytest.raises(SessionRefusedError, match="is closed"):
            session.record("dmv", "10")


def _withheld_then_shown(session: object, change: Callable[[], object]) -> None:
    """The DMV family name is withheld at a (warm) session's read, and shown at the read
    right after ``change``."""
    _warm(session)
    before = _family_name(session)
    change()
    after = _family_name(session)
    assert isinstance(before, dict)
    assert before["outcome"] == "prohibited"
    assert after == "moreau"


def _warrant(
    ws: Workspace,
    case: Case,
    valid_from: dt.datetime,
    valid_to: dt.datetime,
    subjects: list[str] | None = None,
) -> None:
    """A judicial warrant for the DMV records of ``case`` (of ``subjects`` only, if given),
    valid over the times given, recorded by legal reviewer "lee"."""
    lee = seed_user(ws, "lee", "legal_reviewer")
    authorise(
        ws,
        lee,
        case,
        "judicial_warrant",
        sources=["dmv"],
        markings=["dmv"],
        subjects=subjects,
        valid_from=valid_from,
        valid_to=valid_to,
    )


def test_an_expiry_takes_effect_at_the_next_read(ws: Workspace) -> None:
    craft(ws, BRIDGE, BRIDGE_LINKS)
    user, case = seed_case(ws, "civil_immigration")
    start = dt.datetime.now(dt.UTC)
    ends = start + dt.timedelta(hours=1)
    _warrant(ws, case, start - dt.timedelta(hours=1), ends)
    now = [start]
    with ws.session(user, case.id, clock=lambda: now[0]) as session:
        _warm(session)
        assert _family_name(session) == "moreau"
        now[0] = ends + dt.timedelta(seconds=1)
        after = _family_name(session)
        why = session.why("dmv", "10", "family_name")
    assert isinstance(after, dict)
    assert after["outcome"] == "prohibited"
    assert "expired" in why["explanation"]


def test_an_authorisation_coming_into_force_takes_effect_at_the_next_read(ws: Workspace) -> None:
    """The reverse of an expiry: a warrant valid from a later time unlocks nothing until
    then, and everything it covers from the first read after, in the same session."""
    craft(ws, BRIDGE, BRIDGE_LINKS)
    user, case = seed_case(ws, "civil_immigration")
    start = dt.datetime.now(dt.UTC)
    begins = start + dt.timedelta(hours=1)
    _warrant(ws, case, begins, begins + dt.timedelta(days=1))
    now = [start]
    with ws.session(user, case.id, clock=lambda: now[0]) as session:
        _withheld_then_shown(session, lambda: now.__setitem__(0, begins + dt.timedelta(seconds=1)))


def test_an_authorisation_recorded_mid_session_takes_effect_at_the_next_read(
    ws: Workspace, other: Workspace
) -> None:
    craft(ws, BRIDGE, BRIDGE_LINKS)
    user, case = seed_case(ws, "civil_immigration")
    lee = seed_user(ws, "lee", "legal_reviewer")
    with ws.session(user, case.id) as session:
        _withheld_then_shown(
            session,
            lambda: authorise(
                other, lee, case, "judicial_warrant", sources=["dmv"], markings=["dmv"]
            ),
        )


def test_an_approval_given_mid_session_takes_effect_at_the_next_read(
    ws: Workspace, other: Workspace
) -> None:
    """A warrant recorded but not yet approved unlocks nothing; the reviewer's approval,
    given through another process, unlocks it at the session's next read."""
    from linkwise.workspace.cases import approve_authorisation, record_authorisation

    craft(ws, BRIDGE, BRIDGE_LINKS)
    user, case = seed_case(ws, "civil_immigration")
    sue = seed_user(ws, "sue", "supervisor")
    lee = seed_user(ws, "lee", "legal_reviewer")
    now = dt.datetime.now(dt.UTC)
    warrant = record_authorisation(
        ws,
        sue,
        case_id=case.id,
        process="judicial_warrant",
        issuing_authority="Superior Court of Example County",
        reference="TEST-approval-mid-session",
        sources=["dmv"],
        markings=["dmv"],
        subjects=[],
        valid_from=now - dt.timedelta(days=1),
        valid_to=now + dt.timedelta(days=1),
    )
    with ws.session(user, case.id) as session:
        _withheld_then_shown(session, lambda: approve_authorisation(other, lee, warrant.id))


def test_a_named_subject_that_absorbs_another_named_one_is_decided_afresh(
    ws: Workspace,
) -> None:
    """EB is named by a warrant not yet valid, EA by one in force. When EA is merged into
    EB, which keeps its id, the warrant in force reaches EB's records at the next read:
    answers kept for EB under the old walk must not be served (they are kept per the
    decisions the walk found, not per subject alone)."""
    craft(ws, {"EA": ["dmv:30"], "EB": ["dmv:31"]}, [])
    user, case = seed_case(ws, "civil_immigration")
    now, day = dt.datetime.now(dt.UTC), dt.timedelta(days=1)
    _warrant(ws, case, now - day, now + day, subjects=["EA"])
    _warrant(ws, case, now + day, now + 2 * day, subjects=["EB"])
    with ws.session(user, case.id) as session:
        for _ in range(2):
            assert isinstance(_family_name(session, "31"), dict)
        craft(ws, {"EB": ["dmv:30", "dmv:31"]}, [], redirects=[("EA", "EB", "merge", 1)])
        assert _family_name(session, "31") == "novak"


def test_a_subject_limited_order_follows_a_merge_made_mid_session(ws: Workspace) -> None:
    """The subject list is followed through redirects at each read, never remembered."""
    craft(ws, {"EOLD": ["court:30", "dmv:30"], "EOTHER": ["dmv:31"]}, [])
    user, case = seed_case(ws, "civil_immigration")
    lee = seed_user(ws, "lee", "legal_reviewer")
    authorise(
        ws, lee, case, "judicial_warrant", sources=["dmv"], markings=["dmv"], subjects=["EOLD"]
    )
    with ws.session(user, case.id) as session:
        assert _family_name(session, "30") == "petrov"
        assert isinstance(_family_name(session, "31"), dict)
        craft(
            ws,
            {"ENEW": ["court:30", "dmv:30", "dmv:31"]},
            [],
            redirects=[("EOLD", "ENEW", "merge", 2), ("EOTHER", "ENEW", "merge", 1)],
        )
        assert _family_name(session, "31") == "novak"


@pytest.mark.parametrize("through_other", [False, True], ids=["same", "other_process"])
def test_the_subjects_are_walked_again_only_when_a_resolution_run_completes(
    ws: Workspace, other: Workspace, through_other: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Redirects change only with a completed run, so a session follows an order's
    subjects once per completed run (the count is read with the standing rows): reads in
    between reuse the walk, and the first read after a run, made here or by another
    process, walks again and sees its merge."""
    craft(ws, {"EOLD": ["court:30", "dmv:30"], "EOTHER": ["dmv:31"]}, [])
    user, case = seed_case(ws, "civil_immigration")
    lee = seed_user(ws, "lee", "legal_reviewer")
    authorise(
        ws, lee, case, "judicial_warrant", sources=["dmv"], markings=["dmv"], subjects=["EOLD"]
    )
    walks = _count_walks(monkeypatch)
    with ws.session(user, case.id) as session:
        for _ in range(3):
            assert _family_name(session, "30") == "petrov"
            assert isinstance(_family_name(session, "31"), dict)
            session.entity("EOLD")
        assert walks == [["EOLD"]]
        craft(
            other if through_other else ws,
            {"ENEW": ["court:30", "dmv:30", "dmv:31"]},
            [],
            redirects=[("EOLD", "ENEW", "merge", 2), ("EOTHER", "ENEW", "merge", 1)],
        )
        for _ in range(3):
            assert _family_name(session, "31") == "novak"
    assert walks == [["EOLD"], ["EOLD"]]


@pytest.mark.parametrize("through_other", [False, True], ids=["same", "other_process"])
def test_a_change_of_a_sources_markings_takes_effect_at_the_next_read(
    ws: Workspace, other: Workspace, through_other: bool, tmp_path: Path
) -> None:
    """A read's decisions on a record's values are kept for the next read only under the
    markings its source had (``Decisions.carried``): re-marked, the source is decided
    afresh, in the entity view and the record view alike."""
    craft(ws, BRIDGE, BRIDGE_LINKS)
    user, case = seed_case(ws, "civil_immigration")

    def court_names(session: object) -> list[object]:
        view = session.entity("E10")  # type: ignore[attr-defined]
        return [r["fields"]["family_name"] for r in view["records"] if r["source"] == "court"]

    with ws.session(user, case.id) as session:
        _warm(session)
        assert court_names(session) == ["moreau", "moreau"]
        assert _fields(session.record("court", "10"))["family_name"] == "moreau"
        remarked = manifest("court", "court.csv", markings=["dmv"])
        (other if through_other else ws).add_source(write_manifest(tmp_path / "src", remarked))
        after = court_names(session)
        record = _fields(session.record("court", "10"))["family_name"]
    assert after
    assert all(isinstance(v, dict) and v["outcome"] == "prohibited" for v in after)
    assert isinstance(record, dict)
    assert record["outcome"] == "prohibited"


def test_the_sessions_of_a_workspace_share_answers_until_what_they_rest_on_changes(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each API or web request opens a session; the workspace keeps the policy's answers
    across them (``SharedDecisions``), whoever reads: three sessions of two analysts follow
    the warrant's subjects once. A revocation between sessions starts afresh."""
    craft(ws, {"EOLD": ["court:30", "dmv:30"], "EOTHER": ["dmv:31"]}, [])
    user, case = seed_case(ws, "civil_immigration")
    bea = seed_user(ws, "bea", "analyst")
    lee = seed_user(ws, "lee", "legal_reviewer")
    warrant = authorise(
        ws, lee, case, "judicial_warrant", sources=["dmv"], markings=["dmv"], subjects=["EOLD"]
    )
    walks = _count_walks(monkeypatch)
    for reader in (user, bea, user):
        with ws.session(reader, case.id) as session:
            assert _family_name(session, "30") == "petrov"
            assert isinstance(_family_name(session, "31"), dict)
    assert walks == [["EOLD"]]
    revoke_authorisation(ws, lee, warrant.id, "quashed")
    with ws.session(bea, case.id) as session:
        after = _family_name(session, "30")
    assert isinstance(after, dict)
    assert after["outcome"] == "prohibited"


def test_sessions_on_several_threads_read_what_one_thread_reads(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The answers a workspace keeps are shared by requests on several threads: each
    thread's reads, entity and record views under a warrant naming one subject, and their
    audit events, are what a single thread's give with nothing kept before it; and fewer
    walks are made than sessions opened."""
    user, case = warrant_naming_one_subject(ws)

    def events_since(seq: int) -> list[str]:
        with ws.engine.connect() as conn:
            return sorted(
                json.dumps([e.action, e.objects, e.decision], sort_keys=True)
                for e in audit.events(conn)
                if e.seq > seq and e.action != "session.open"
            )

    def head() -> int:
        with ws.engine.connect() as conn:
            newest = list(audit.events(conn, newest_first=True, limit=1))
            return newest[0].seq if newest else 0

    def reads() -> list[object]:
        found: list[object] = []
        for _ in range(8):
            with ws.session(user, case.id) as session:
                found.append(session.entity("EOLD"))
                found.append(session.entity("EOTHER"))
                found.append(_fields(session.record("dmv", "31")))
                found.append(_fields(session.record("dmv", "30")))
        return found

    ws.decisions = SharedDecisions()
    start = head()
    alone = reads()[:4]
    one_thread = events_since(start)
    ws.decisions = SharedDecisions()
    walks = _count_walks(monkeypatch)
    start = head()
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(lambda _: reads(), range(4)))
    assert all(got == alone * 8 for got in together)
    assert events_since(start) == sorted(one_thread * 4)
    assert 1 <= len(walks) < 4 * 8
    assert alone[2]["family_name"]["redacted"] is True  # type: ignore[index]
    assert alone[3]["family_name"] == "petrov"  # type: ignore[index]


def test_a_walk_made_across_a_runs_commit_is_not_kept(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read's statements need not see one snapshot: a run that commits while a read
    walks an order's subjects may change what the walk finds, so that walk serves its read
    alone and is not kept under the generation the read began with (where reads that began
    before the run would be handed it)."""
    craft(ws, {"EOLD": ["court:30", "dmv:30"], "EOTHER": ["dmv:31"]}, [])
    user, case = seed_case(ws, "civil_immigration")
    lee = seed_user(ws, "lee", "legal_reviewer")
    authorise(
        ws, lee, case, "judicial_warrant", sources=["dmv"], markings=["dmv"], subjects=["EOLD"]
    )
    walk, ran = gate.current_ids, []

    def across(conn: Connection, ids: list[str]) -> set[str]:
        if not ran:  # the first walk: a run commits while it is made
            ran.append(True)
            craft(
                ws,
                {"ENEW": ["court:30", "dmv:30", "dmv:31"]},
                [],
                redirects=[("EOLD", "ENEW", "merge", 2), ("EOTHER", "ENEW", "merge", 1)],
            )
        return walk(conn, ids)

    def kept_walk(session: object) -> object:
        decided = session._decided  # type: ignore[attr-defined]  # the answers last handed on
        return decided[1].carried.get(("followed",))

    monkeypatch.setattr(gate, "current_ids", across)
    with ws.session(user, case.id) as session:
        session.record("dmv", "30")
        assert kept_walk(session) is None
        assert _family_name(session, "31") == "novak"
        kept = kept_walk(session)
    assert isinstance(kept, tuple)
    assert kept[0] == 2  # the generation after the run, with the walk made in it


def test_sessions_at_two_times_share_nothing_across_an_expiry(ws: Workspace) -> None:
    """The decisions a workspace keeps are keyed by where each authorisation stands at the
    read's time: sessions reading on either side of a warrant's expiry, alternately, each
    get their own side's answer."""
    craft(ws, BRIDGE, BRIDGE_LINKS)
    user, case = seed_case(ws, "civil_immigration")
    start = dt.datetime.now(dt.UTC)
    ends = start + dt.timedelta(hours=1)
    _warrant(ws, case, start - dt.timedelta(hours=1), ends)
    after = ends + dt.timedelta(seconds=1)
    for _ in range(2):
        for at, shown in ((start, True), (after, False), (start, True)):
            with ws.session(user, case.id, clock=lambda at=at: at) as session:
                _warm(session)
                found = _family_name(session)
            assert (found == "moreau") is shown, at
            if not shown:
                assert isinstance(found, dict)
                assert found["outcome"] == "prohibited"


def test_decisions_let_go_by_the_workspace_are_worked_out_again(ws: Workspace) -> None:
    """With room for one set of decisions, sessions of two cases alternately evict each
    other's; each reads its own purpose's answers every time."""
    craft(ws, BRIDGE, BRIDGE_LINKS)
    criminal = seed_case(ws, "criminal_investigation", username="cid")
    civil = seed_case(ws, "civil_immigration", username="ice")
    ws.decisions = SharedDecisions(size=1)
    seen = []
    for _ in range(3):
        for user, case in (criminal, civil):
            with ws.session(user, case.id) as session:
                seen.append(_family_name(session))
    assert seen[0::2] == ["moreau"] * 3
    assert all(isinstance(v, dict) and v["outcome"] == "prohibited" for v in seen[1::2])
