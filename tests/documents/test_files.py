"""Files to text: every type, failures with their reasons, scans that need OCR, e-mail
attachments as child documents, folders and zip archives."""

from __future__ import annotations

import zipfile
from email.message import EmailMessage
from pathlib import Path

import pytest

from linkwise.documents.files import SourceFile, convert, sha256, source_files
from tests.documents.samples import docx_bytes, eml_bytes, pdf_bytes, write_folder, write_zip


def _one(path: str, data: bytes):  # type: ignore[no-untyped-def]
    (doc,) = convert(SourceFile(path, data))
    return doc


def test_plain_text_in_utf8_and_in_a_legacy_encoding() -> None:
    doc = _one("a.txt", "Renée Dubois, born 4 May 1980.".encode())
    assert (doc.type, doc.status, doc.text) == ("txt", "ok", "Renée Dubois, born 4 May 1980.")
    legacy = _one(
        "b.txt", "Renée Dubois lives in Montréal, Québec, with her brother.".encode("cp1252")
    )
    assert legacy.status == "ok"
    assert legacy.text is not None
    assert "Renée" in legacy.text
    assert doc.sha256 == sha256("Renée Dubois, born 4 May 1980.".encode())


def test_pdf_text_layer_and_a_scan_without_one() -> None:
    doc = _one("r.pdf", pdf_bytes(["Subject: Ana Ruiz", "DOB: 03/04/1980"]))
    assert doc.status == "ok"
    assert doc.text is not None
    assert "Ana Ruiz" in doc.text
    assert "03/04/1980" in doc.text
    scan = _one("scan.pdf", pdf_bytes([]))
    assert (scan.status, scan.text) == ("needs_ocr", None)
    assert scan.error == "scan.pdf: the PDF has no text layer (scanned image?)"


def test_docx_paragraphs() -> None:
    doc = _one("memo.docx", docx_bytes(["MEMO", "Sgt. Lee Park met Omar Haddad."]))
    assert doc.status == "ok"
    assert doc.text == "MEMO\nSgt. Lee Park met Omar Haddad."


def test_html_visible_text_only() -> None:
    page = b"<html><head><style>p{}</style><script>var x='Secret Name';</script></head>"
    page += b"<body><h1>Notice</h1><p>To: Jane&nbsp;Doe</p><p>12 Elm St</p></body></html>"
    doc = _one("notice.html", page)
    assert doc.text == "Notice\nTo: Jane\xa0Doe\n12 Elm St".replace("\xa0", " ")
    assert "Secret" not in (doc.text or "")


def test_email_headers_body_and_attachments_as_children() -> None:
    data = eml_bytes(
        "Spoke to Omar Haddad today.",
        {"notes.txt": b"Omar Haddad, DOB 01/02/1970", "scan.pdf": pdf_bytes([])},
    )
    mail, note, scan = convert(SourceFile("in/mail.eml", data))
    assert (mail.type, mail.status, mail.parent) == ("eml", "ok", None)
    assert mail.text is not None
    assert "Subject: Interview summary" in mail.text
    assert "Spoke to Omar Haddad" in mail.text
    assert (note.path, note.parent, note.text) == (
        "in/mail.eml/1/notes.txt",
        "in/mail.eml",
        "Omar Haddad, DOB 01/02/1970",
    )
    assert (scan.path, scan.status) == ("in/mail.eml/2/scan.pdf", "needs_ocr")


def test_a_broken_file_is_a_failed_document_naming_the_file_and_the_reason() -> None:
    broken = _one("bad.pdf", b"%PDF-1.4 this is not really a pdf")
    assert broken.status == "failed"
    assert broken.text is None
    assert broken.error is not None
    assert broken.error.startswith("bad.pdf: ")
    odd = _one("data.xyz", b"whatever")
    assert (odd.status, odd.type) == ("failed", "unknown")
    assert odd.error is not None
    assert "unsupported file type '.xyz'" in odd.error
    empty_mail = _one("x.eml", b"")
    assert empty_mail.status == "failed"
    assert empty_mail.error is not None
    assert "not an e-mail message" in empty_mail.error


def test_folder_and_zip_list_the_same_files_in_path_order(tmp_path: Path) -> None:
    files = {"b.txt": b"two", "a/c.txt": b"three", "a.txt": b"one", ".hidden": b"no"}
    folder = write_folder(tmp_path / "docs", files)
    archive = write_zip(tmp_path / "docs.zip", files)
    listed = [(f.path, f.data) for f in source_files(folder)]
    assert listed == [("a.txt", b"one"), ("a/c.txt", b"three"), ("b.txt", b"two")]
    assert [(f.path, f.data) for f in source_files(archive)] == listed


def test_files_that_cannot_be_read_are_failed_documents_with_the_reason(tmp_path: Path) -> None:
    """A broken link, a corrupt archive member and a second archive entry of one name are
    each listed as failed with what went wrong; the readable files beside them are kept."""
    folder = write_folder(tmp_path / "docs", {"a.txt": b"Ann Lee"})
    (folder / "b.txt").symlink_to(folder / "gone.txt")
    docs = [d for f in source_files(folder) for d in convert(f)]
    assert [(d.path, d.status) for d in docs] == [("a.txt", "ok"), ("b.txt", "failed")]
    assert docs[1].error is not None
    assert docs[1].error.startswith("b.txt: cannot be read: a broken symbolic link")

    archive = tmp_path / "docs.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("a.txt", b"Ann Lee, born 4 May 1980")
        z.writestr("a.txt (entry 2)", b"a member really named so")
        z.writestr("b.txt", b"Carl Hunt, born 12 June 1975")
        z.writestr("c.txt", b"Dana Cole, " * 40, compress_type=zipfile.ZIP_DEFLATED)
        with pytest.warns(UserWarning, match="Duplicate name"):
            z.writestr("a.txt", b"a second a.txt")
    data = bytearray(archive.read_bytes())
    where = data.index(b"Carl Hunt")
    data[where : where + 4] = b"Karl"  # the stored CRC no longer matches
    with zipfile.ZipFile(archive) as z:
        c = z.getinfo("c.txt")
    start = c.header_offset + 30 + len(c.filename)
    data[start : start + 6] = b"\xff" * 6  # the compressed stream no longer inflates
    archive.write_bytes(bytes(data))
    docs = [d for f in source_files(archive) for d in convert(f)]
    assert [(d.path, d.status) for d in docs] == [
        ("a.txt", "ok"),
        ("a.txt (entry 2)*", "failed"),
        ("a.txt (entry 2)", "failed"),  # a real member, of an unsupported type
        ("b.txt", "failed"),
        ("c.txt", "failed"),
    ]
    assert docs[0].text == "Ann Lee, born 4 May 1980"
    assert "holds 'a.txt' more than once" in (docs[1].error or "")
    assert "unsupported file type" in (docs[2].error or "")
    assert (docs[3].error or "").startswith("b.txt: cannot be read from the archive: Bad CRC-32")
    assert (docs[4].error or "").startswith("c.txt: cannot be read from the archive: ")


def test_a_forwarded_email_is_a_child_email() -> None:
    inner = EmailMessage()
    inner["From"] = "ana@example.org"
    inner["Subject"] = "Statement"
    inner.set_content("Ana Ruiz, born 4 May 1980, called.")
    outer = EmailMessage()
    outer["From"] = "clerk@example.org"
    outer["Subject"] = "Fwd: Statement"
    outer.set_content("Forwarding.")
    outer.add_attachment(inner)
    parent, child = convert(SourceFile("fwd.eml", bytes(outer)))
    assert parent.status == "ok"
    assert (child.path, child.parent, child.type, child.status) == (
        "fwd.eml/1/attachment-1.eml",
        "fwd.eml",
        "eml",
        "ok",
    )
    assert child.text is not None
    assert "Ana Ruiz, born 4 May 1980, called." in child.text
