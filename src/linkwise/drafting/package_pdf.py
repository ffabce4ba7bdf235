"""The case package (``linkwise.cases.package``) as a PDF, from the governed structure alone.

It takes the JSON structure ``linkwise.cases.package`` built inside a governed read, never
the store, so every value it prints was already decided: a restricted value appears only as
its marker (outcome, marking, and the processes that would unlock it). Discrepancies
between sources are printed first and highlighted; unconfirmed ties and generic values are
flagged beside the record they concern.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from linkwise.drafting.pdf import GREY as _GREY
from linkwise.drafting.pdf import HIGHLIGHT as _HIGHLIGHT
from linkwise.drafting.pdf import Paper as _Pdf
from linkwise.govern.gate import is_withheld

__all__ = ["render_package_pdf", "shown"]


def shown(value: Any) -> str:
    """A value as the package prints it: the value, or its marker in brackets naming the
    outcome, the marking and the processes that would unlock it."""
    if is_withheld(value):
        unlock = ", ".join(str(u.get("title") or u.get("process")) for u in value["would_unlock"])
        marking = value.get("marking") or value.get("rule")
        return f"[{str(value['outcome']).upper()}: {marking}; unlocked by: {unlock or 'nothing'}]"
    if value is None or value == "":
        return "-"
    return str(value)


def render_package_pdf(package: Mapping[str, Any]) -> bytes:
    """The package as PDF bytes."""
    case = package["case"]
    texts = [json.dumps(package, ensure_ascii=False, default=str)]
    pdf = _Pdf(f"Case package: case #{case['id']} {case['title']}", texts)
    pdf.add_page()
    pdf.line_of(f"Case package: {case['title']} (case #{case['id']})", size=14, bold=True)
    pdf.line_of(
        f"Purpose: {case['purpose_title']}. Generated {package['generated_at']} by "
        f"{package['generated_by']} under policy pack {package['policy_pack']['name']} "
        f"{package['policy_pack']['version']}. Confirmation threshold: "
        f"{package['confirmation_threshold']}."
    )
    pdf.line_of(str(package["notice"]), size=8, color=_GREY)
    if not package["subjects"]:
        pdf.line_of("This case has no subjects.", bold=True)
    for subject in package["subjects"]:
        _subject(pdf, subject)
    return pdf.done()


def _subject(pdf: _Pdf, subject: Mapping[str, Any]) -> None:
    pdf.ln(3)
    pdf.line_of(f"Subject {subject['entity_id']} ({subject['status']})", size=12, bold=True)
    if subject["status"] != "active":
        pdf.line_of(
            f"{subject.get('note', '')} Now in: {', '.join(subject.get('now_in', [])) or '-'}.",
            color=_HIGHLIGHT,
        )
        return
    if subject.get("needs_confirmation"):
        pdf.line_of(f"{subject['note']}.", color=_HIGHLIGHT)
    _discrepancies(pdf, subject["discrepancies"])
    for group in subject["sources"]:
        pdf.ln(2)
        pdf.line_of(f"{group['title']} ({group['source']})", size=10, bold=True)
        for record in group["records"]:
            _record(pdf, record)
    _timeline(pdf, subject["timeline"])
    _restricted(pdf, subject["restricted"])


def _discrepancies(pdf: _Pdf, found: list[Mapping[str, Any]]) -> None:
    if not found:
        pdf.line_of("No discrepancies between sources.")
        return
    for item in found:
        parts = "; ".join(
            f"{v['value']} (records {', '.join(map(str, v['record_ids']))})" for v in item["values"]
        )
        pdf.line_of(f"DISCREPANCY - {item['label']}: {parts}", bold=True, color=_HIGHLIGHT)


def _record(pdf: _Pdf, record: Mapping[str, Any]) -> None:
    head = f"Record #{record['record_id']}, key {shown(record['source_key'])}"
    if "withheld" in record:
        pdf.line_of(f"{head}: withheld. {shown(record['withheld'])}", color=_HIGHLIGHT)
        pdf.line_of(str(record["withheld"]["reason"]), size=8, color=_GREY)
        return
    match = record["match"]
    tie = "confirmed" if record["confirmed"] else "UNCONFIRMED"
    probability = match.get("match_probability")
    confidence = "-" if probability is None else f"{float(probability):.4f}"
    if match.get("evidence_withheld"):
        confidence += " on the evidence shown"
    pdf.line_of(f"{head}: tie {tie}, match probability {confidence}", bold=True)
    if match.get("explanation") is not None:
        pdf.line_of(f"Why: {shown(match['explanation'])}", size=8)
    prov = record["provenance"]
    pdf.line_of(
        f"Provenance: version {prov['version']}, ingestion run {prov['ingestion_run']}, "
        f"{prov['locator']}, ingested {prov['ingested_at']}.",
        size=8,
        color=_GREY,
    )
    values = [f"{k}: {shown(v)}" for k, v in record["fields"].items() if v not in (None, "")]
    values += [f"{i['type']}: {shown(i['value'])}" for i in record["identifiers"]]
    values += [f"{k}: {shown(v)}" for k, v in record["facts"].items()]
    pdf.line_of("; ".join(values), size=8)
    for flag in record["generic"]:
        pdf.line_of(
            f"GENERIC VALUE - {flag['field']} is shared by {flag['people']} different people; "
            "it is not evidence of identity.",
            size=8,
            color=_HIGHLIGHT,
        )


def _timeline(pdf: _Pdf, events: list[Mapping[str, Any]]) -> None:
    pdf.ln(2)
    pdf.line_of("Timeline", size=10, bold=True)
    for event in events:
        tie = "" if event["confirmed"] else " (unconfirmed)"
        pdf.line_of(
            f"{event['date']}  {event['event']}  {event['source']} #{event['record_id']}{tie}",
            size=8,
        )


def _restricted(pdf: _Pdf, found: list[Mapping[str, Any]]) -> None:
    if not found:
        return
    pdf.ln(2)
    pdf.line_of("Restricted in this case", size=10, bold=True)
    for item in found:
        pdf.line_of(
            f"{item['source']} {item['field']} (records "
            f"{', '.join(map(str, item['record_ids']))}): {shown(item['marker'])}",
            size=8,
        )
        pdf.line_of(str(item["marker"]["reason"]), size=7, color=_GREY)
