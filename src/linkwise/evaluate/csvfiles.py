"""Reading truth and prediction CSV files, with errors that name file, line and column.

Two truth headers are accepted because two producers exist: ``file,record_id,true_id`` (the
dedupe benchmark's truth, matching the dedupe output contract) and
``source,source_key,person_id`` (the demo world's ``truth.csv``). Any other column of a truth
file is a group column (``origin``, ``culture``, ...) whose values subgroup rates are broken
down by. Every value is kept as text: ids such as ``007`` must not become numbers.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator, Sequence
from pathlib import Path

from linkwise.evaluate.errors import EvaluationInputError
from linkwise.evaluate.rows import Assignment, Key, Truth

TRUTH_COLUMNS = ("file", "record_id", "true_id")
DEMO_TRUTH_COLUMNS = ("source", "source_key", "person_id")
ASSIGNMENT_COLUMNS = ("file", "record_id", "entity_id", "confidence")


def read_truth_csv(path: str | Path, group_columns: Sequence[str] | None = None) -> list[Truth]:
    """Truth rows of ``path``; ``group_columns`` keeps only those extra columns (all if None)."""
    with _Table(path) as table:
        names = _pick_header(table, (TRUTH_COLUMNS, DEMO_TRUTH_COLUMNS))
        extra = [c for c in table.header if c not in names]
        if group_columns is not None:
            unknown = [c for c in group_columns if c not in extra]
            if unknown:
                raise EvaluationInputError(
                    f"no group column {', '.join(map(repr, unknown))}; "
                    f"the file's group columns are: {', '.join(extra) or 'none'}",
                    path=path,
                    line=1,
                )
            extra = list(group_columns)
        seen: dict[Key, int] = {}
        shared: dict[str, str] = {}  # one string object per distinct repeated value
        out: list[Truth] = []
        for line, values in table.rows((*names, *extra), required=3):
            file, record_id, true_id = values[:3]
            key = (shared.setdefault(file, file), record_id)
            _check_unique(seen, key, line, path)
            tail = values[3:]
            groups = {c: shared.setdefault(v, v) for c, v in zip(extra, tail, strict=True) if v}
            out.append(Truth(key, true_id, groups))
    if not out:
        raise EvaluationInputError("the file has a header but no records", path=path, line=2)
    return out


def read_assignments_csv(path: str | Path) -> list[Assignment]:
    """Rows of a ``file,record_id,entity_id,confidence`` file (the dedupe output contract).

    ``confidence`` may be blank; when present it must be a number from 0 to 1.
    """
    with _Table(path) as table:
        names = _pick_header(table, (ASSIGNMENT_COLUMNS,))
        seen: dict[Key, int] = {}
        files: dict[str, str] = {}
        parsed: dict[str, float | None] = {}  # confidences repeat (1.0 for every singleton)
        out: list[Assignment] = []
        for line, (file, record_id, entity_id, text) in table.rows(names, required=3):
            key = (files.setdefault(file, file), record_id)
            _check_unique(seen, key, line, path)
            confidence = parsed.get(text)
            if confidence is None and text:
                confidence = parsed[text] = _probability(text, path, line)
            out.append(Assignment(key, entity_id, confidence))
    if not out:
        raise EvaluationInputError("the file has a header but no records", path=path, line=2)
    return out


def _check_unique(seen: dict[Key, int], key: Key, line: int, path: str | Path) -> None:
    if key in seen:
        raise EvaluationInputError(
            f"record {key[0]!r} / {key[1]!r} appears again (first on line {seen[key]}); "
            "each record must have exactly one row",
            path=path,
            line=line,
        )
    seen[key] = line


def _probability(text: str, path: str | Path, line: int) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0.0 <= value <= 1.0:
        raise EvaluationInputError(
            f"{text!r} is not a number from 0 to 1", path=path, line=line, column="confidence"
        )
    return value


def _pick_header(table: _Table, choices: Sequence[tuple[str, ...]]) -> tuple[str, ...]:
    """The first accepted set of column names the header holds in full."""
    for names in choices:
        if all(c in table.header for c in names):
            return names
    missing = [c for c in choices[0] if c not in table.header]
    also = "".join(f" (or the columns {', '.join(alt)})" for alt in choices[1:])
    raise EvaluationInputError(
        f"missing column(s) {', '.join(missing)}{also}; the header has: "
        f"{', '.join(table.header) or 'nothing'}",
        path=table.path,
        line=1,
    )


class _Table:
    """A CSV file read row by row, remembering the line each row starts on."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self._fh = self.path.open(encoding="utf-8-sig", newline="")
        except OSError as exc:
            raise EvaluationInputError(f"cannot open: {exc.strerror}", path=path) from exc
        self._reader = csv.reader(self._fh)
        header = next(self._rows(), None)
        if header is None:
            self._fh.close()
            raise EvaluationInputError("the file is empty", path=path, line=1)
        self.header = [c.strip() for c in header[1]]
        dupes = sorted({c for c in self.header if self.header.count(c) > 1})
        if dupes:
            self._fh.close()
            raise EvaluationInputError(
                f"column(s) {', '.join(dupes)} appear more than once in the header",
                path=path,
                line=1,
            )

    def __enter__(self) -> _Table:
        return self

    def __exit__(self, *exc: object) -> None:
        self._fh.close()

    def _rows(self) -> Iterator[tuple[int, list[str]]]:
        """(first line, fields) of each row that is not blank."""
        reader = self._reader
        start = reader.line_num + 1
        try:
            for fields in reader:
                line, start = start, reader.line_num + 1
                if fields and (len(fields) > 1 or fields[0].strip()):
                    yield line, fields
        except UnicodeDecodeError as exc:
            # decoding runs ahead of the reader a buffer at a time: find the line itself
            line, byte = _first_undecodable(self.path) or (start, exc.object[exc.start])
            raise EvaluationInputError(
                f"not UTF-8: byte 0x{byte:02x} cannot be decoded (save the file as UTF-8)",
                path=self.path,
                line=line,
            ) from exc
        except csv.Error as exc:
            raise EvaluationInputError(
                f"not readable as CSV: {exc}", path=self.path, line=start
            ) from exc

    def rows(self, columns: Sequence[str], required: int) -> Iterator[tuple[int, list[str]]]:
        """(line, stripped values of ``columns``); the first ``required`` may not be empty.

        Missing trailing fields read as empty; extra non-empty fields are an error, because
        shifted values cannot be assigned to columns safely.
        """
        width = len(self.header)
        index = [self.header.index(c) for c in columns]
        for line, fields in self._rows():
            if len(fields) != width:
                if len(fields) > width and any(f.strip() for f in fields[width:]):
                    raise EvaluationInputError(
                        f"the row has {len(fields)} fields but the header has {width}",
                        path=self.path,
                        line=line,
                    )
                fields = fields[:width] + [""] * (width - len(fields))
            values = [fields[i].strip() for i in index]
            if not all(values[:required]):
                if not any(f.strip() for f in fields):
                    continue  # a row of empty fields (",,,") is a blank line
                column = columns[[bool(v) for v in values].index(False)]
                raise EvaluationInputError(
                    "the value is empty", path=self.path, line=line, column=column
                )
            yield line, values


def _first_undecodable(path: Path) -> tuple[int, int] | None:
    """The line (counted as the CSV reader counts them) and value of the first byte that is
    not UTF-8, if any."""
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                return number, raw[exc.start]
    return None
