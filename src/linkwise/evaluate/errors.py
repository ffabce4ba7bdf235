"""The one error the evaluator raises for input it cannot use."""

from __future__ import annotations

from pathlib import Path


class EvaluationInputError(ValueError):
    """Truth, prediction or scored pairs that cannot be evaluated, and where the fault is.

    A ``ValueError`` so callers that only know "bad value" still catch it; ``path``, ``line``
    (1-based, the header is line 1) and ``column`` are kept apart from the message so an
    interface can point at the cell without parsing text.
    """

    def __init__(
        self,
        reason: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        column: str | None = None,
    ) -> None:
        self.reason = reason
        self.path = str(path) if path is not None else None
        self.line = line
        self.column = column
        where = self.path or ""
        if line is not None:
            where = f"{where}:{line}" if where else f"line {line}"
        if column is not None:
            where = f"{where}: column {column!r}" if where else f"column {column!r}"
        super().__init__(f"{where}: {reason}" if where else reason)
