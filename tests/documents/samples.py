"""Small files of every supported type, made here, for document tests."""

from __future__ import annotations

import io
import zipfile
from email.message import EmailMessage
from pathlib import Path

from docx import Document
from fpdf import FPDF


def pdf_bytes(lines: list[str]) -> bytes:
    """A PDF with a text layer holding ``lines``; with no lines, a page without any text
    (what a scan without OCR looks like to a text extractor)."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    for line in lines:
        pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def docx_bytes(paragraphs: list[str]) -> bytes:
    document = Document()
    for p in paragraphs:
        document.add_paragraph(p)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def eml_bytes(body: str, attachments: dict[str, bytes]) -> bytes:
    message = EmailMessage()
    message["From"] = "Det. Maria Ortiz <mortiz@example.org>"
    message["To"] = "records@example.org"
    message["Subject"] = "Interview summary"
    message["Date"] = "Mon, 3 Mar 2025 10:00:00 +0000"
    message.set_content(body)
    for name, data in attachments.items():
        maintype, subtype = ("application", "pdf") if name.endswith(".pdf") else ("text", "plain")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return bytes(message)


def write_folder(folder: Path, files: dict[str, bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return folder


def write_zip(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def documents_manifest(name: str, path: str, markings: list[str]) -> dict[str, object]:
    return {
        "name": name,
        "title": f"Test documents {name}",
        "kind": "case_documents",
        "jurisdiction": "US",
        "format": "documents",
        "path": path,
        "key": ["file"],
        "markings": markings,
        "default_region": "US",
    }
