"""A draft's content written out as DOCX (python-docx) and PDF (fpdf2).

Both are made from the stored content alone (``linkwise.drafting.compose``), so they say
exactly what the content says. Each factual sentence ends with its citation numbers, which
the "Sources cited" list at the end resolves to source, key and record id, and whether the
record's link to the subject is confirmed; a sentence resting on an unconfirmed link is
marked UNCONFIRMED (and highlighted in the DOCX).

Until it is signed, every page is labelled DRAFT in its header and stamped DRAFT diagonally
across the page (in the DOCX as Word's own watermark, a text shape behind the page's text);
a signed rendering carries the signer's name, role and time instead.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import docx
from docx.enum.text import WD_COLOR_INDEX
from docx.oxml import parse_xml
from docx.shared import Pt, RGBColor

from linkwise.drafting.pdf import GREY, HIGHLIGHT, Paper

__all__ = ["Rendering", "Stamp", "render", "sha256"]

DRAFT_LABEL = "DRAFT - NOT SIGNED - NOT FOR FILING"


@dataclass(frozen=True, slots=True)
class Stamp:
    """What a rendering says about its standing: a draft, or signed by whom and when."""

    signer: str | None = None
    role: str | None = None
    signed_at: dt.datetime | None = None

    @property
    def draft(self) -> bool:
        return self.signer is None

    @property
    def label(self) -> str:
        if self.draft:
            return DRAFT_LABEL
        assert self.signed_at is not None
        when = self.signed_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        return f"SIGNED by {self.signer} ({self.role}) at {when}"


@dataclass(frozen=True, slots=True)
class Rendering:
    docx: bytes
    pdf: bytes

    @property
    def docx_sha256(self) -> str:
        return sha256(self.docx)

    @property
    def pdf_sha256(self) -> str:
        return sha256(self.pdf)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def render(content: Mapping[str, Any], stamp: Stamp) -> Rendering:
    numbers = _numbers(content["blocks"])
    return Rendering(_docx(content, stamp, numbers), _pdf(content, stamp, numbers))


def _numbers(blocks: Sequence[Mapping[str, Any]]) -> dict[int, tuple[int, Mapping[str, Any]]]:
    """Citation number per record id, in order of first citation."""
    out: dict[int, tuple[int, Mapping[str, Any]]] = {}
    for block in blocks:
        for c in block["citations"]:
            out.setdefault(int(c["record_id"]), (len(out) + 1, c))
    return out


def _sentence(block: Mapping[str, Any], numbers: Mapping[int, tuple[int, Any]]) -> str:
    text = str(block["text"])
    refs = [str(numbers[int(c["record_id"])][0]) for c in block["citations"]]
    if refs:
        text += f" [{', '.join(refs)}]"
    if block["unconfirmed"]:
        text += " [UNCONFIRMED: rests on a link no reviewer has confirmed]"
    return text


def _sources(numbers: Mapping[int, tuple[int, Mapping[str, Any]]]) -> list[str]:
    return [
        f"[{n}] {c['source']} {c['source_key']} (record {rid}; link to the subject "
        f"{'confirmed' if c['confirmed'] else 'UNCONFIRMED'})"
        for rid, (n, c) in numbers.items()
    ]


def _signature(content: Mapping[str, Any], stamp: Stamp) -> list[str]:
    lines = [f"Drafted by {content['drafted_by']} at {content['drafted_at']}."]
    lines.append(
        "Reviewed and signed: not yet. This document is a draft."
        if stamp.draft
        else f"Reviewed and {stamp.label.removeprefix('SIGNED').strip()} (signed)."
    )
    return lines


# -- DOCX --------------------------------------------------------------------------------


def _docx(
    content: Mapping[str, Any], stamp: Stamp, numbers: Mapping[int, tuple[int, Any]]
) -> bytes:
    doc = docx.Document()
    section = doc.sections[0]
    head = section.header.paragraphs[0]
    run = head.add_run(stamp.label)
    run.bold = True
    run.font.color.rgb = RGBColor(*HIGHLIGHT) if stamp.draft else RGBColor(*GREY)
    if stamp.draft:
        head.add_run()._r.append(parse_xml(_WATERMARK))
    doc.core_properties.title = str(content["title"])
    doc.core_properties.author = "linkwise"
    doc.core_properties.comments = stamp.label
    _docx_para(doc, str(content["title"]), bold=True, size=18)
    _docx_para(doc, f"Case #{content['case']['id']}: {content['case']['title']}", italic=True)
    for block in content["blocks"]:
        style = block["style"]
        if style in ("heading", "subheading"):
            text = _sentence(block, numbers)
            _docx_para(doc, text, bold=True, size=14 if style == "heading" else 12)
            continue
        bullet = "\u2022 " if style == "bullet" else ""
        run = _docx_para(doc, bullet + _sentence(block, numbers))
        if block["unconfirmed"]:
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    _docx_para(doc, "Sources cited", bold=True, size=14)
    for line in _sources(numbers) or ["No record is cited."]:
        _docx_para(doc, line, size=9)
    _docx_para(doc, "Review", bold=True, size=14)
    for line in _signature(content, stamp):
        _docx_para(doc, line)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


_WATERMARK = (
    '<w:pict xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office">'
    '<v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800" '
    'path="m@7,l@8,m@5,21600l@6,21600e"><v:path textpathok="t" o:connecttype="custom"/>'
    '<v:textpath on="t" fitshape="t"/></v:shapetype>'
    '<v:shape id="linkwise-draft-watermark" o:spid="_x0000_s1025" type="#_x0000_t136" '
    'style="position:absolute;margin-left:0;margin-top:0;width:468pt;height:117pt;'
    "rotation:315;z-index:-251657216;mso-position-horizontal:center;"
    "mso-position-horizontal-relative:margin;mso-position-vertical:center;"
    'mso-position-vertical-relative:margin" fillcolor="#c0504d" stroked="f">'
    '<v:fill opacity=".35"/>'
    '<v:textpath style="font-family:&quot;Helvetica&quot;;font-size:1pt" string="DRAFT"/>'
    "</v:shape></w:pict>"
)
"""Word's own kind of watermark (a VML text shape in the header, behind the text, on every
page), which python-docx has no call for: the word DRAFT diagonally across each page."""


def _docx_para(
    doc: Any, text: str, *, bold: bool = False, italic: bool = False, size: int | None = None
) -> Any:
    """A paragraph of one run, formatted directly: looking a named style up costs a scan of
    every style in the document, per paragraph."""
    run = doc.add_paragraph().add_run(text)
    run.bold = bold or None
    run.italic = italic or None
    if size is not None:
        run.font.size = Pt(size)
    return run


# -- PDF ---------------------------------------------------------------------------------


def _pdf(content: Mapping[str, Any], stamp: Stamp, numbers: Mapping[int, tuple[int, Any]]) -> bytes:
    texts = [str(b["text"]) for b in content["blocks"]] + _sources(numbers)
    texts.append(str(content["case"]["title"]))
    pdf = Paper(
        f"{content['title']} - case #{content['case']['id']}",
        texts,
        stamp="DRAFT" if stamp.draft else None,
        label=stamp.label,
    )
    pdf.add_page()
    pdf.line_of(str(content["title"]), size=15, bold=True)
    pdf.line_of(f"Case #{content['case']['id']}: {content['case']['title']}", color=GREY)
    pdf.ln(2)
    for block in content["blocks"]:
        style = block["style"]
        if style in ("heading", "subheading"):
            pdf.ln(2)
            text = _sentence(block, numbers)
            pdf.line_of(text, size=12 if style == "heading" else 10.5, bold=True)
            continue
        prefix = "- " if style == "bullet" else ""
        color = HIGHLIGHT if block["unconfirmed"] else None
        pdf.line_of(prefix + _sentence(block, numbers), size=10, color=color)
    pdf.ln(2)
    pdf.line_of("Sources cited", size=12, bold=True)
    for line in _sources(numbers) or ["No record is cited."]:
        pdf.line_of(line, size=8.5)
    pdf.ln(2)
    pdf.line_of("Review", size=12, bold=True)
    for line in _signature(content, stamp):
        pdf.line_of(line, size=10)
    return pdf.done()
