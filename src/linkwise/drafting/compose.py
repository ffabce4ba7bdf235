"""Composing a draft: a pack template filled from a case package into cited sentences.

Templates are Jinja2 files kept with the policy pack (``templates:`` in the pack; see
docs/drafting.md). They run in Jinja's immutable sandbox with strict undefined names, and
their context holds no person value: only the case's metadata and ``Fact`` objects
(``linkwise.drafting.facts``), which print as tokens. Each line of a template's output is
one block: ``# `` starts a heading, ``## `` a sub-heading, ``- `` a list item, anything else
a sentence. The renderer swaps every token for its value and gives the block the citations
of every fact in it, marking it unconfirmed when any of those facts rests only on
unconfirmed links. A block with no token states no fact from the case (boilerplate).

Every draft ends with two sections no template can leave out: what was withheld and what
would lawfully unlock it (never the value), and the notice that the template is illustrative
and not legal advice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from linkwise.drafting.facts import FactTable, Use, subject_facts, withheld_items
from linkwise.govern.gate import SessionError
from linkwise.model.documents import KINDS, Citation
from linkwise.model.policy import DocumentTemplate, PolicyPack

__all__ = [
    "FORMAT",
    "NOTICE",
    "DraftingError",
    "Template",
    "compose",
    "content_hash",
    "load_template",
]

FORMAT = "linkwise.draft/1"
NOTICE = (
    "ILLUSTRATIVE TEMPLATE, NOT LEGAL ADVICE. Drafted by linkwise from the case package; "
    "every factual sentence cites the records it rests on. Facts marked UNCONFIRMED rest on a "
    "link no reviewer has confirmed. Not valid until signed by a named reviewer."
)
_TOKEN = re.compile("\ue000(\\d+)\ue001")
_STYLES = (("## ", "subheading"), ("# ", "heading"), ("- ", "bullet"))


class DraftingError(SessionError):
    """A draft cannot be made as asked (no template for the kind, a template that fails, a
    case without subjects); nothing is stored."""


@dataclass(frozen=True, slots=True)
class Template:
    kind: str
    title: str
    path: Path
    text: str
    sha256: str
    spec: DocumentTemplate


def load_template(pack: PolicyPack, kind: str, folders: Sequence[Path]) -> Template:
    """The pack's template for ``kind``, read from the first of ``folders`` that has its
    file (a workspace's own copy first, then linkwise's built-in pack folder)."""
    if kind not in KINDS:
        raise DraftingError(f"unknown document kind {kind!r}; kinds are {', '.join(KINDS)}")
    spec = pack.templates.get(kind)
    if spec is None:
        raise DraftingError(
            f"policy pack {pack.name} {pack.version} has no template for {kind}; add "
            f"`templates: {{{kind}: {{title: ..., file: ...}}}}` to it (docs/policy-pack.md)"
        )
    for folder in folders:
        path = folder / spec.file
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            return Template(kind, spec.title, path, text, _digest(path), spec)
    looked = ", ".join(str(f / spec.file) for f in folders)
    raise DraftingError(f"template for {kind} not found (looked in {looked})")


def _digest(path: Path) -> str:
    """SHA-256 over the template and the partials beside it (``_*.j2``, which templates
    ``include``), so the recorded hash changes whenever any text the draft used does."""
    digest = hashlib.sha256()
    for part in [path, *sorted(path.parent.glob("_*.j2"))]:
        digest.update(part.name.encode("utf-8") + b"\0" + part.read_bytes() + b"\0")
    return digest.hexdigest()


@lru_cache(maxsize=32)
def _compiled(folder: Path, name: str, sha256: str) -> Any:
    """The compiled template, cached per folder, file and content hash (a changed file is
    compiled again)."""
    env = ImmutableSandboxedEnvironment(
        loader=FileSystemLoader(str(folder)),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
        auto_reload=False,
    )
    return env.get_template(name)


def compose(
    template: Template,
    package: Mapping[str, Any],
    *,
    drafted_by: str,
    drafted_at: dt.datetime,
) -> dict[str, Any]:
    """The draft's content (format ``linkwise.draft/1``): its blocks with citations, what
    was withheld, and the notice. DraftingError when the case has no active subject or the
    template fails."""
    package = _untokened(package)
    drafted_by = _untokened(drafted_by)
    active = [s for s in package["subjects"] if s["status"] == "active"]
    if not active:
        raise DraftingError(
            f"case #{package['case']['id']} has no active subject to draft from; add or "
            "confirm its subject first"
        )
    table = FactTable()
    subjects = [subject_facts(table, s) for s in active]
    withheld = withheld_items(active)
    context = {
        "case": dict(package["case"]),
        "title": template.title,
        "kind": template.kind,
        "drafter": drafted_by,
        "today": drafted_at.date().isoformat(),
        "subjects": subjects,
        "subject": subjects[0],
        "withheld": withheld,
    }
    try:
        compiled = _compiled(template.path.parent, template.path.name, template.sha256)
        text = compiled.render(context)
    except TemplateError as exc:
        raise DraftingError(f"template {template.path} failed: {exc}") from exc
    blocks = [_block(table, line) for line in text.splitlines() if line.strip()]
    blocks += [*_withheld_blocks(withheld), _plain("heading", "Notice"), _plain("text", NOTICE)]
    return {
        "format": FORMAT,
        "kind": template.kind,
        "title": template.title,
        "case": {k: package["case"][k] for k in ("id", "title", "purpose", "purpose_title")},
        "policy_pack": dict(package["policy_pack"]),
        "drafted_by": drafted_by,
        "drafted_at": drafted_at.isoformat(),
        "subjects": [s.entity_id for s in subjects],
        "blocks": blocks,
        "withheld": [w.to_json() for w in withheld],
        "unconfirmed": sum(1 for b in blocks if b["unconfirmed"]),
        "notice": NOTICE,
    }


def _untokened(value: Any) -> Any:
    """``value`` with the two private-use characters that delimit fact tokens removed from
    every string in it. Only a fact may put a token in a draft: a case title or a value
    holding "\ue0000\ue001" would otherwise be read as fact 0, with its citations, and a
    lone delimiter in a record would make every draft of the case fail."""
    if isinstance(value, str):
        return value.replace("\ue000", "").replace("\ue001", "")
    if isinstance(value, Mapping):
        return {k: _untokened(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_untokened(v) for v in value]
    return value


def content_hash(content: Mapping[str, Any]) -> str:
    """SHA-256 of the content's canonical JSON (sorted keys, no whitespace)."""
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _block(table: FactTable, line: str) -> dict[str, Any]:
    style, text = "text", line.strip()
    for prefix, name in _STYLES:
        if text.startswith(prefix):
            style, text = name, text[len(prefix) :].strip()
            break
    citations: dict[int, Citation] = {}
    uses: dict[tuple[int, str | None], Use] = {}
    unconfirmed = False

    def swap(match: re.Match[str]) -> str:
        nonlocal unconfirmed
        index = int(match.group(1))
        if index >= len(table.facts):
            raise DraftingError(f"a template line holds a token no fact made: {line!r}")
        value, cited, used, weak = table.text(index)
        for c in cited:
            citations.setdefault(c.record_id, c)
        for u in used:
            uses.setdefault((u.record_id, u.field), u)
        unconfirmed = unconfirmed or weak
        return value

    filled = _TOKEN.sub(swap, text)
    if "\ue000" in filled or "\ue001" in filled:
        raise DraftingError(f"a template line holds a broken fact token: {line!r}")
    return {
        "style": style,
        "text": filled,
        "citations": [asdict(c) for c in citations.values()],
        "unconfirmed": unconfirmed,
        "uses": [[u.record_id, u.field] for u in uses.values()],
    }


def _plain(style: str, text: str) -> dict[str, Any]:
    return {"style": style, "text": text, "citations": [], "unconfirmed": False, "uses": []}


def _withheld_blocks(withheld: Sequence[Any]) -> list[dict[str, Any]]:
    out = [_plain("heading", "Information withheld from this draft")]
    if not withheld:
        return [*out, _plain("text", "Nothing in the case package was withheld.")]
    out.append(
        _plain(
            "text",
            "The following were not used because this case may not use them; no value of "
            "theirs appears in this draft.",
        )
    )
    for w in withheld:
        unlock = ", ".join(w.unlock) if w.unlock else "no process (it cannot be unlocked)"
        out.append(
            _plain(
                "bullet",
                f"{w.field} of {w.records} record(s) of {w.source}: {w.outcome} "
                f"({w.marking}). Would be unlocked by: {unlock}.",
            )
        )
    return out
