"""Composing drafts from a case package, without a database: every fact in the text carries
its citations, a fact resting only on unconfirmed ties is marked, a withheld value never
becomes text, and a template cannot reach a value except by printing a cited fact."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from linkwise.drafting import compose, formats
from linkwise.drafting.compose import DraftingError, Template, load_template
from linkwise.model.policy import DocumentTemplate, default_pack_path, load_policy_pack

MARKER = {
    "redacted": True,
    "outcome": "redacted",
    "marking": "benefits",
    "rule": "marking:benefits.default",
    "reason": "Benefit records are redacted by default.",
    "would_unlock": [{"process": "subpoena", "title": "Subpoena"}],
}


def _record(rid: int, source: str, *, confirmed: bool, **fields: Any) -> dict[str, Any]:
    return {
        "record_id": rid,
        "source": source,
        "source_title": source.title(),
        "source_key": f"K{rid}",
        "confirmed": confirmed,
        "fields": {"given_name": "ann", "family_name": "lee", **fields},
        "identifiers": [],
        "facts": {"disposition_date": "2020-01-02"},
        "dated_facts": ["disposition_date"],
    }


def _package() -> dict[str, Any]:
    strong = _record(1, "court", confirmed=True, dob="1990-01-01", address_line="1 MAIN ST")
    weak = _record(2, "jail", confirmed=False, dob="1990-01-01", address_line="9 SIDE RD")
    weak["fields"]["given_name"] = "anne"
    hidden = _record(3, "benefits", confirmed=True, dob=MARKER, address_line=MARKER)
    hidden["source_key"] = MARKER
    hidden["fields"] = {"given_name": MARKER, "family_name": MARKER}
    hidden["facts"] = {"benefit": MARKER}
    return {
        "case": {"id": 7, "title": "T", "purpose": "p", "purpose_title": "P", "status": "open"},
        "policy_pack": {"name": "demo", "version": "1"},
        "subjects": [
            {
                "entity_id": "E1",
                "status": "active",
                "sources": [
                    {"source": "court", "title": "Court", "records": [strong]},
                    {"source": "jail", "title": "Jail", "records": [weak]},
                    {"source": "benefits", "title": "Benefits", "records": [hidden]},
                ],
                "timeline": [
                    {"date": "2020-01-02", "event": "disposition_date", "record_id": 2,
                     "source": "jail", "confirmed": False},
                ],
                "discrepancies": [],
                "restricted": [
                    {"source": "benefits", "field": "address_line", "record_ids": [3],
                     "marker": MARKER},
                ],
            }
        ],
    }  # fmt: skip


def _template(tmp_path: Path, text: str) -> Template:
    path = tmp_path / "t.j2"
    path.write_text(text, encoding="utf-8")
    spec = DocumentTemplate(title="Test document", file="t.j2")
    return Template("affidavit", "Test document", path, text, compose._digest(path), spec)


def _compose(template: Template) -> dict[str, Any]:
    return compose.compose(
        template, _package(), drafted_by="ann", drafted_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )


def test_each_fact_carries_its_citations_and_unconfirmed_ones_are_marked(tmp_path: Path) -> None:
    text = (
        "Born {{ subject.dob }}.\n"
        "{% for n in subject.other_names %}Also known as {{ n }}.\n{% endfor %}"
        "{% for e in subject.timeline %}On {{ e.date }}: {{ e.event }}.\n{% endfor %}"
        "A plain sentence.\n"
    )
    content = _compose(_template(tmp_path, text))
    blocks = {b["text"]: b for b in content["blocks"]}
    born = blocks["Born 1990-01-01."]
    assert [c["record_id"] for c in born["citations"]] == [1, 2]
    assert born["unconfirmed"] is False  # record 1's tie is confirmed
    alias = blocks["Also known as Anne Lee."]
    assert [c["record_id"] for c in alias["citations"]] == [2]
    assert alias["unconfirmed"] is True
    assert blocks["On 2020-01-02: disposition date."]["unconfirmed"] is True
    assert blocks["A plain sentence."]["citations"] == []
    assert content["unconfirmed"] == 2


def test_a_withheld_value_never_becomes_text(tmp_path: Path) -> None:
    text = (
        "{% for r in subject.records %}{% if r.key %}- {{ r.key }}"
        "{% for k, f in r.facts|dictsort %} {{ k }} {{ f }}{% endfor %}.\n{% endif %}{% endfor %}"
        "{% for a in subject.addresses %}Lives at {{ a }}.\n{% endfor %}"
    )
    content = _compose(_template(tmp_path, text))
    cited = [b["text"] for b in content["blocks"] if b["citations"]]
    assert not [t for t in cited if "redacted" in t or "K3" in t or " benefit " in t]
    assert {b["text"] for b in content["blocks"] if b["style"] == "bullet"} >= {
        "K1 disposition_date 2020-01-02.",
        "K2 disposition_date 2020-01-02.",
    }
    assert all(3 not in [c["record_id"] for c in b["citations"]] for b in content["blocks"])
    (withheld,) = content["withheld"]
    assert withheld["unlock"] == ["Subpoena"]
    assert any("Subpoena" in b["text"] for b in content["blocks"] if b["style"] == "bullet")


@pytest.mark.parametrize(
    "text",
    ["{{ subject.name._text }}", "{{ subject.name.__class__ }}", "{{ subject.name._citations }}"],
)
def test_a_template_cannot_reach_a_value_except_as_a_cited_fact(tmp_path: Path, text: str) -> None:
    with pytest.raises(DraftingError, match="failed"):
        _compose(_template(tmp_path, text))


def test_a_case_without_subjects_cannot_be_drafted(tmp_path: Path) -> None:
    package = {**_package(), "subjects": []}
    with pytest.raises(DraftingError, match="no active subject"):
        compose.compose(
            _template(tmp_path, "x"), package, drafted_by="a", drafted_at=dt.datetime.now(dt.UTC)
        )


def test_the_demo_pack_has_a_template_for_every_kind_and_each_renders(tmp_path: Path) -> None:
    pack = load_policy_pack(default_pack_path())
    for kind in compose.KINDS:
        template = load_template(pack, kind, [tmp_path, default_pack_path().parent])
        content = _compose(template)
        facts = [b for b in content["blocks"] if b["citations"]]
        assert facts, kind
        files = formats.render(content, formats.Stamp())
        assert files.docx.startswith(b"PK")
        assert files.pdf.startswith(b"%PDF")


def test_an_unknown_kind_or_missing_template_is_refused(tmp_path: Path) -> None:
    pack = load_policy_pack(default_pack_path())
    with pytest.raises(DraftingError, match="unknown document kind"):
        load_template(pack, "memo", [tmp_path])
    with pytest.raises(DraftingError, match="not found"):
        load_template(pack, "affidavit", [tmp_path])


def test_only_a_fact_puts_a_token_in_a_draft(tmp_path: Path) -> None:
    """A case title shaped like a fact token is not read as fact 0 with its citations, and
    a token delimiter inside a record's value does not make the draft fail."""
    package = _package()
    package["case"]["title"] = "Title \ue0000\ue001 here"
    package["subjects"][0]["sources"][0]["records"][0]["fields"]["family_name"] = "le\ue000e"
    template = _template(tmp_path, "Case: {{ case.title }}.\nBorn {{ subject.dob }}.\n")
    content = compose.compose(
        template, package, drafted_by="ann", drafted_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )
    title, born = content["blocks"][:2]
    assert (title["text"], title["citations"], title["uses"]) == ("Case: Title 0 here.", [], [])
    assert born["text"] == "Born 1990-01-01."
    assert not any("\ue000" in b["text"] or "\ue001" in b["text"] for b in content["blocks"])


def test_a_draft_docx_carries_a_draft_watermark_and_a_signed_one_none(tmp_path: Path) -> None:
    """Word's own watermark (a text shape in the header, behind every page's text) says
    DRAFT until the document is signed; the signed rendering has none."""
    content = _compose(_template(tmp_path, "Born {{ subject.dob }}.\n"))
    draft = formats.render(content, formats.Stamp())
    signed = formats.render(
        content,
        formats.Stamp("lee", "legal_reviewer", dt.datetime(2026, 1, 2, tzinfo=dt.UTC)),
    )

    def header(data: bytes) -> str:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return "".join(z.read(n).decode() for n in z.namelist() if "header" in n)

    assert (
        '<v:textpath style="font-family:&quot;Helvetica&quot;;font-size:1pt" string="DRAFT"/>'
        in header(draft.docx)
    )
    assert "v:textpath" not in header(signed.docx)
    assert "SIGNED by lee" in header(signed.docx)
