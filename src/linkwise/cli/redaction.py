"""Printing governed values: a value the case may not see is shown as a visible marker
(``[redacted: benefits]``, ``[prohibited: dmv]``), and each marker met is explained once
below the output with its reason and what would lawfully unlock it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import Console
from rich.text import Text

from linkwise.govern.session import is_withheld


def unlock_text(unlock: Mapping[str, Any]) -> str:
    limited = ", used only in the case it names" if unlock.get("use_limited_to_case") else ""
    purposes = ", ".join(unlock.get("purposes") or [])
    return f"{unlock['title']} ({unlock['process']}) for {purposes}{limited}"


class Redactions:
    """Collects the markers printed, to explain each once (``legend``)."""

    def __init__(self) -> None:
        self._seen: dict[str, Mapping[str, Any]] = {}

    def label(self, value: Mapping[str, Any]) -> str:
        name = value.get("marking") or value.get("rule") or "policy"
        key = f"{value['outcome']}: {name}"
        self._seen.setdefault(key, value)
        return f"[{key}]"

    def text(self, value: Any) -> str:
        """``value`` as plain text, or its marker's label."""
        if is_withheld(value):
            return self.label(value)
        return "" if value is None else str(value)

    def cell(self, value: Any) -> Text:
        """``value`` for a table cell; a marker is styled so it cannot pass for data."""
        if is_withheld(value):
            style = "bold red" if value["outcome"] == "prohibited" else "bold yellow"
            return Text(self.label(value), style=style)
        return Text("" if value is None else str(value))

    def legend(self, console: Console) -> None:
        for key, value in self._seen.items():
            console.print(Text(f"[{key}] ", style="bold"), Text(str(value["reason"])))
            unlocks = value.get("would_unlock") or []
            if unlocks:  # when none can, the reason says so (or says what else is needed)
                console.print(
                    Text("    would be unlocked by: " + "; ".join(unlock_text(u) for u in unlocks))
                )
