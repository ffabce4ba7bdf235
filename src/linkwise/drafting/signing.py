"""Who may sign a draft off, and the re-check of its content at every later reading.

Sign-off rules (decided here, documented in docs/drafting.md):

- the signer's role is one of the template's ``signed_by`` roles in the pack (the demo pack:
  a legal reviewer for an affidavit, a subpoena request and an application for a court
  order, which go to a court or compel a third party; a legal reviewer or a supervisor for a
  records-correction notice, an agency's letter about its own records);
- nobody signs off a draft they drafted (a second pair of eyes is the point of sign-off);
- only the latest version of a document, and only while it is a draft, can be signed.

A draft's content holds values that were shown when it was drafted. Before a stored draft is
shown, exported or signed, every value it rests on is decided again for the case as it
stands (``regovern``): an authorisation revoked or expired since then withholds the
sentence, and an export or signature of a document with withheld sentences is refused
rather than made with them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from linkwise.govern.accounts import AuditedRefusalError, User
from linkwise.govern.gate import Read, marker, most_restrictive
from linkwise.govern.policy import with_article
from linkwise.model.documents import Document
from linkwise.model.policy import PolicyPack

__all__ = ["SignOffRefusedError", "regovern", "signing_problem"]


class SignOffRefusedError(AuditedRefusalError, PermissionError):
    """The actor may not sign this document off. Raised after its ``permission.denied``
    audit event was committed."""


def signing_problem(
    pack: PolicyPack, document: Document, signer: User, *, superseded_by: int | None
) -> str | None:
    """Why ``signer`` may not sign ``document`` off now, or None when they may."""
    spec = pack.templates.get(document.kind)
    if document.signed:
        return f"document #{document.id} is already signed; a signed document never changes"
    if superseded_by is not None:
        return (
            f"document #{document.id} (version {document.version}) is superseded by document "
            f"#{superseded_by}; sign the latest version"
        )
    if spec is None:
        return f"the policy pack has no template for {document.kind}, so names no signer"
    if signer.role not in spec.signed_by:
        roles = " or ".join(r.value for r in spec.signed_by)
        return (
            f"{with_article(spec.title.lower())} is signed off by a {roles}; "
            f"{signer.username} is {signer.role.value}"
        )
    if signer.id == document.created_by:
        return (
            f"{signer.username} drafted document #{document.id}; no one signs off their own draft"
        )
    return None


def regovern(
    read: Read, content: Mapping[str, Any], *, count: bool
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The content's blocks as the case may see them now, and the markers of the blocks it
    may no longer see. A block is shown whole or replaced whole: a sentence with one value
    withheld would still say something about it. With ``count``, the shown values are noted
    in the read's audit event (as disclosed, with the read's document)."""
    ids = {int(rid) for b in content["blocks"] for rid, _ in b["uses"]}
    refs = read.refs(ids)
    blocks: list[dict[str, Any]] = []
    refused: list[dict[str, Any]] = []
    for block in content["blocks"]:
        uses = [(refs.get(int(rid)), field) for rid, field in block["uses"]]
        if any(ref is None for ref, _ in uses):
            refused.append({"redacted": True, "outcome": "prohibited", "rule": "record:missing"})
            blocks.append({**block, "text": refused[-1], "citations": []})
            continue
        decisions = [(ref, field, read.decision(ref, field)) for ref, field in uses if ref]
        worst = most_restrictive(d for _, _, d in decisions) if decisions else None
        if worst is not None and not worst.shown:
            refused.append(marker(worst))
            blocks.append({**block, "text": refused[-1], "citations": []})
            continue
        if count:
            for ref, field, decision in decisions:
                read.count(ref, field, decision)
        blocks.append(dict(block))
    return blocks, refused
