"""`linkwise demo` creates cases in different states, each naming the demo's subject and
with its priority computed (``linkwise.workspace.demo_governance``)."""

from __future__ import annotations

from pathlib import Path

from linkwise.workspace import case_work
from linkwise.workspace.demo import build_demo
from linkwise.workspace.demo_governance import demo_password, seed_governance


def test_the_demo_cases_end_in_different_states(tmp_path: Path) -> None:
    build = build_demo(tmp_path / "demo", 150, 5)
    ws = build.workspace
    try:
        ws.resolve(full=True)
        access = seed_governance(ws)
        assert [c.status for c in access.cases] == [
            "in_review",
            "ready_for_legal",
            "open",
            "closed",
        ]
        sam = ws.login("sam", demo_password(ws).read_text().strip())
        listed = {c.case.id: c for c in case_work.list_cases(ws, sam)}
        for case in access.cases:
            summary = listed[case.id]
            assert summary.subjects == 1
            assert summary.priority is not None
            detail = case_work.show_case(ws, sam, case.id)
            assert [s.subject.entity_id for s in detail.subjects] == [access.subject]
            assert detail.notes
        # case 1's subpoena unlocks the subject's benefit records for its rules; case 2's
        # purpose has no benefit rules
        fraud = case_work.show_case(ws, sam, access.cases[0].id).priority
        removal = case_work.show_case(ws, sam, access.cases[1].id).priority
        assert fraud is not None
        assert removal is not None
        assert fraud["rules"]["active_benefit_enrolment"] in ("counted", "no match")
        assert removal["rules"]["active_benefit_enrolment"] == "not applied"
    finally:
        ws.close()
