"""Files of a ``documents`` source turned into text, one ``Converted`` per document.

Every file yields at least one result: a file that cannot be read is a document with status
``failed`` and the reason, a PDF without a text layer one with status ``needs_ocr``, so no
file is ever skipped silently. An e-mail is its headers and body; each attachment is a child
document of its own (``parent`` names the e-mail), converted by its own type.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import io
import time
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath

from charset_normalizer import from_bytes

TYPES: dict[str, str] = {
    ".txt": "txt",
    ".text": "txt",
    ".pdf": "pdf",
    ".docx": "docx",
    ".html": "html",
    ".htm": "html",
    ".eml": "eml",
}
"""File extension to document type; other files are listed as failed (unsupported type)."""

Status = str  # "ok" | "failed" | "needs_ocr"


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One file of the source: its path relative to the source's folder (or inside the zip)
    and its bytes."""

    path: str
    data: bytes
    error: str | None = None
    """Why the file could not be read (then ``data`` is empty): listed as failed with it."""


@dataclass(frozen=True, slots=True)
class Converted:
    path: str
    """Relative path; an attachment is ``<e-mail path>/<n>/<file name>``."""
    parent: str | None
    type: str
    sha256: str
    size: int
    status: Status
    text: str | None
    error: str | None
    seconds: float


_UNREADABLE_MEMBER = (
    zipfile.BadZipFile,  # a bad CRC
    zlib.error,  # a corrupt compressed stream
    EOFError,  # a truncated one
    RuntimeError,  # an encrypted member
    NotImplementedError,  # a compression method zipfile lacks
    OSError,
)
"""What reading one archive member can raise; the member is then a failed document."""


class _UnreadableError(Exception):
    """A file whose bytes could not be had (``SourceFile.error``)."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def source_files(root: Path) -> Iterator[SourceFile]:
    """The files of a folder (recursively, hidden files skipped) or of a zip archive, in
    path order so that runs are repeatable. A file that cannot be read (no permission, a
    broken symbolic link, a corrupt or encrypted archive member, a second archive entry of
    the same name) comes with its ``error`` and no data. Raises OSError/BadZipFile naming
    the place when the folder or archive itself cannot be read."""
    if root.is_dir():
        found = {
            p.relative_to(root).as_posix(): p
            for p in root.rglob("*")
            if p.is_file() or (p.is_symlink() and not p.exists())
        }
        for rel in sorted(found):
            if any(part.startswith(".") for part in PurePosixPath(rel).parts):
                continue
            try:
                yield SourceFile(rel, found[rel].read_bytes())
            except OSError as exc:
                reason = (
                    f"a broken symbolic link (to {found[rel].readlink()})"
                    if found[rel].is_symlink() and not found[rel].exists()
                    else f"{type(exc).__name__}: {exc.strerror or exc}"
                )
                yield SourceFile(rel, b"", f"cannot be read: {reason}")
        return
    with zipfile.ZipFile(root) as archive:
        members = sorted(archive.infolist(), key=lambda i: i.filename)
        taken = {i.filename for i in members}
        seen: dict[str, int] = {}
        for info in members:
            parts = PurePosixPath(info.filename).parts
            if info.is_dir() or any(part.startswith(".") for part in parts):
                continue
            count = seen[info.filename] = seen.get(info.filename, 0) + 1
            if count > 1:
                path = f"{info.filename} (entry {count})"
                while path in taken:  # a member may really be called that
                    path += "*"
                taken.add(path)
                yield SourceFile(
                    path,
                    b"",
                    f"the archive holds {info.filename!r} more than once; only the first "
                    "entry of that name is read",
                )
                continue
            try:
                yield SourceFile(info.filename, archive.read(info))
            except _UNREADABLE_MEMBER as exc:
                yield SourceFile(info.filename, b"", f"cannot be read from the archive: {exc}")


def convert(file: SourceFile, parent: str | None = None) -> list[Converted]:
    """The document (and, for an e-mail, its attachments) that ``file`` holds."""
    started = time.perf_counter()
    kind = TYPES.get(PurePosixPath(file.path).suffix.lower())
    children: list[Converted] = []
    status, text, error = "ok", None, None
    try:
        if file.error is not None:
            raise _UnreadableError(file.error)
        if kind is None:
            raise ValueError(
                f"unsupported file type {PurePosixPath(file.path).suffix or '(none)'!r}; "
                f"supported: {', '.join(sorted(TYPES))}"
            )
        if kind == "eml":
            text, children = _eml(file)
        else:
            text = _CONVERTERS[kind](file.data)
        if kind == "pdf" and not text.strip():
            status, text, error = "needs_ocr", None, "the PDF has no text layer (scanned image?)"
    except _UnreadableError as exc:
        status, text, error = "failed", None, str(exc)
    except Exception as exc:  # a broken file is listed with its reason, never raised
        status, text, error = "failed", None, f"{type(exc).__name__}: {exc}"
    doc = Converted(
        path=file.path,
        parent=parent,
        type=kind or "unknown",
        sha256=sha256(file.data),
        size=len(file.data),
        status=status,
        text=text,
        error=None if error is None else f"{file.path}: {error}",
        seconds=time.perf_counter() - started,
    )
    return [doc, *children]


def _text(data: bytes) -> str:
    """Plain text in whatever encoding it came in (UTF-8 first, else detected)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        best = from_bytes(data).best()
        if best is None:
            raise ValueError("cannot tell the text encoding") from None
        return str(best)


def _pdf(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "\n".join((page.extract_text() or "").strip() for page in reader.pages).strip()


def _docx(data: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(lines)


class _HtmlText(HTMLParser):
    """Visible text of an HTML page: scripts and styles dropped, block elements on lines of
    their own so that sentences and addresses are not run together."""

    _BLOCKS = frozenset(
        {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)

    def text(self) -> str:
        lines = (" ".join(line.split()) for line in "".join(self.parts).splitlines())
        return "\n".join(line for line in lines if line)


def _html(data: bytes) -> str:
    parser = _HtmlText()
    parser.feed(_text(data))
    parser.close()
    return parser.text()


_HEADERS = ("From", "To", "Cc", "Date", "Subject")
_MIME_SUFFIX = {
    "text/plain": ".txt",
    "text/html": ".html",
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "message/rfc822": ".eml",
}
"""The suffix an attachment without a file name gets from its MIME type."""


def _eml(file: SourceFile) -> tuple[str, list[Converted]]:
    """An e-mail's headers and body as its text; its attachments as child documents."""
    message = email.message_from_bytes(file.data, policy=email.policy.default)
    if not isinstance(message, EmailMessage) or not message.keys():
        raise ValueError("not an e-mail message (no headers)")
    lines = [f"{h}: {message[h]}" for h in _HEADERS if message[h] is not None]
    body = message.get_body(preferencelist=("plain", "html"))
    if body is not None:
        content = body.get_content()
        lines += [
            "",
            _html(content.encode()) if body.get_content_type() == "text/html" else content,
        ]
    children = []
    for n, part in enumerate(message.iter_attachments(), start=1):
        content_type = part.get_content_type()
        default = f"attachment-{n}{_MIME_SUFFIX.get(content_type, '')}"
        name = PurePosixPath(part.get_filename() or default).name
        if content_type == "message/rfc822":  # a forwarded e-mail: its bytes are the message
            inner = part.get_content()
            data = inner.as_bytes() if isinstance(inner, EmailMessage) else b""
        else:
            payload = part.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
        children += convert(SourceFile(f"{file.path}/{n}/{name}", data), parent=file.path)
    return "\n".join(lines).strip(), children


_CONVERTERS = {"txt": _text, "pdf": _pdf, "docx": _docx, "html": _html}
