"""Delimited text (CSV, TSV, semicolon- or pipe-separated) with detection of what is unsaid.

Handles: encodings (see ``encoding``), delimiter sniffing, quoted newlines, NUL bytes, short
rows (missing trailing fields read as empty) and long rows (quarantined unless the extra
fields are empty, because shifted values cannot be assigned to columns safely).
"""

from __future__ import annotations

import csv
import io
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from linkwise.ingest.errors import SourceFileError
from linkwise.ingest.readers.base import (
    Keep,
    RawRow,
    batched,
    source_path,
    wanted_columns,
)
from linkwise.ingest.readers.encoding import detect_encoding
from linkwise.model.manifest import Manifest

FORMATS = ("csv",)
_CANDIDATES = (",", ";", "\t", "|")
_SNIFF_BYTES = 64 * 1024

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def open_reader(manifest: Manifest, base_dir: Path) -> DelimitedReader:
    return DelimitedReader(source_path(manifest, base_dir), manifest)


class DelimitedReader:
    def __init__(self, path: Path, manifest: Manifest) -> None:
        if not path.is_file():
            raise SourceFileError(f"{path}: file not found")
        self.path = path
        self.location = str(path)
        self.counters: Counter[str] = Counter()
        try:
            with path.open("rb") as fh:
                sample = fh.read(_SNIFF_BYTES)
        except OSError as exc:
            raise SourceFileError(f"{path}: cannot read: {exc.strerror}") from exc
        if not sample.strip():
            raise SourceFileError(f"{path}: the file is empty")
        self.encoding = manifest.options.encoding or detect_encoding(path)
        # A detected UTF-8 file decoded cleanly end to end, and Latin-1 maps every byte, so
        # only other encodings can leave undecodable bytes to look for in each field.
        self._check_bytes = bool(manifest.options.encoding) or self.encoding not in (
            "utf-8",
            "utf-8-sig",
            "latin-1",
        )
        if _looks_binary(sample) and not self.encoding.startswith("utf-16"):
            raise SourceFileError(
                f"{path}: this looks like a binary file, not delimited text; "
                "check the file or declare its `format:` in the manifest"
            )
        text = sample.decode(self.encoding, errors="replace")
        self.delimiter = manifest.options.delimiter or _sniff(text, path)
        self.columns = self._header()
        self._wanted = wanted_columns(manifest)
        counts = Counter(self.columns)
        dupes = sorted(c for c, n in counts.items() if n > 1 and c in self._wanted)
        if dupes:
            raise SourceFileError(
                f"{path}: column(s) {', '.join(dupes)} appear more than once in the header, "
                "so the manifest's mapping is ambiguous"
            )
        self._index = [(i, c) for i, c in enumerate(self.columns) if c in self._wanted]

    def _open(self) -> io.TextIOWrapper:
        return self.path.open(encoding=self.encoding, errors="surrogateescape", newline="")

    def _header(self) -> list[str]:
        with self._open() as fh:
            row = next(csv.reader(_no_nul(fh), delimiter=self.delimiter), None)
        if not row:
            raise SourceFileError(f"{self.path}: no header row")
        return [c.strip().lstrip("\ufeff") for c in row]

    def batches(self, size: int, keep: Keep | None = None) -> Iterator[list[RawRow]]:
        width = len(self.columns)
        name = self.path.name

        def build(item: tuple[int, list[str] | str]) -> RawRow:
            line, fields = item
            if isinstance(fields, str):
                return RawRow(f"{name}:{line}", line, {}, fields, unsafe=True)
            return self._row(fields, width, f"{name}:{line}", line)

        with self._open() as fh:
            yield from batched(self._records(fh), build, size, keep)

    def _records(self, fh: io.TextIOWrapper) -> Iterator[tuple[int, list[str] | str]]:
        """(first line, fields) of each non-blank row; a malformed one gives its problem.

        A quote opened and never closed makes Python's reader take the rest of the file as
        one field, silently. Its mark: the last row runs over several lines and a strict
        reading of them ends inside a quoted field."""
        lines: list[str] = []  # the raw lines of the row being read

        def feed() -> Iterator[str]:
            for text in _no_nul(fh):
                lines.append(text)
                yield text

        reader = csv.reader(feed(), delimiter=self.delimiter)
        next(reader, None)
        start = reader.line_num + 1
        held: tuple[int, list[str] | str] | None = None  # the row read last, not yet given
        raw: list[str] = []
        while True:
            line = start
            lines.clear()
            try:
                fields = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                start = reader.line_num + 1
                if held is not None:
                    yield held
                held, raw = (line, f"malformed CSV: {exc}"), []
                continue
            start = reader.line_num + 1
            if fields and (len(fields) > 1 or fields[0].strip()):
                if held is not None:
                    yield held
                held, raw = (line, fields), list(lines)
        if held is not None and len(raw) > 1 and _ends_in_quotes(raw, self.delimiter):
            held = (
                held[0],
                (
                    "malformed CSV: a quote opened in this row is never closed, so the "
                    f"{len(raw) - 1} lines after it were read into one field"
                ),
            )
        if held is not None:
            yield held

    def _row(self, fields: list[str], width: int, locator: str, line: int) -> RawRow:
        problem = None
        unsafe = False
        if len(fields) < width:
            self.counters["short_rows"] += 1
        elif len(fields) > width:
            if any(f.strip() for f in fields[width:]):
                unsafe = True
                problem = (
                    f"row has {len(fields)} fields but the header has {width}; "
                    "the values cannot be assigned to columns safely"
                )
            else:
                self.counters["trailing_fields"] += 1
        values: dict[str, object] = {}
        for i, col in self._index:
            value = fields[i] if i < len(fields) else None
            if value is not None and self._check_bytes and _has_surrogates(value):
                problem = problem or (
                    f"column {col!r} holds bytes that are not valid {self.encoding}"
                )
                value = value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            values[col] = value
        return RawRow(locator, line, values, problem, unsafe)

    def close(self) -> None:
        return None


def _ends_in_quotes(lines: list[str], delimiter: str) -> bool:
    """Whether ``lines`` end inside a quoted field, read strictly (Python's reader says so
    only in strict mode, which refuses other slips the lenient reading lets through)."""
    try:
        for _ in csv.reader(lines, delimiter=delimiter, strict=True):
            pass
    except csv.Error as exc:
        return "end of data" in str(exc)  # CPython: "unexpected end of data"
    return False


def _no_nul(lines: io.TextIOWrapper) -> Iterator[str]:
    for line in lines:
        yield line.replace("\x00", "") if "\x00" in line else line


_CONTROL = bytes(range(0, 9)) + bytes(range(14, 32))


def _looks_binary(sample: bytes) -> bool:
    """Text files may hold a stray NUL; binary formats are full of control bytes."""
    controls = len(sample) - len(sample.translate(None, _CONTROL))
    return controls > 0.05 * len(sample)


def _has_surrogates(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _sniff(text: str, path: Path) -> str:
    """Pick the candidate delimiter that splits the first lines most consistently."""
    if path.suffix.lower() == ".tsv":
        return "\t"
    lines = text.splitlines(keepends=True)
    if len(lines) > 1 and len(text) >= _SNIFF_BYTES:
        lines = lines[:-1]
    sample = "".join(lines[:50])
    best, best_score = ",", (0.0, 0)
    for delim in _CANDIDATES:
        try:
            rows = csv.reader(io.StringIO(sample, newline=""), delimiter=delim)
            widths = [len(r) for r in rows if r]
        except csv.Error:
            continue
        if not widths:
            continue
        mode, freq = Counter(widths).most_common(1)[0]
        if mode < 2 or widths[0] != mode:
            continue  # the header must split like the rows do
        score = (freq / len(widths), mode)
        if score > best_score:
            best, best_score = delim, score
    return best
