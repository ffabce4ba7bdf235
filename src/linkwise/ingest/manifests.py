"""Load a manifest and check it against the policy pack and its source's columns."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from linkwise.ingest.errors import ManifestError, Problem
from linkwise.model.config import ConfigError, read_yaml, validate
from linkwise.model.manifest import Manifest
from linkwise.model.policy import PolicyPack


def load_manifest(path: Path, pack: PolicyPack) -> Manifest:
    """A validated manifest, or ManifestError listing every problem with file, key, reason."""
    where = str(path)
    try:
        manifest = validate(read_yaml(path), Manifest, where)
    except ConfigError as exc:
        raise ManifestError(exc.problems) from None
    problems = policy_problems(manifest, pack, where)
    if problems:
        raise ManifestError(problems)
    return manifest


def policy_problems(manifest: Manifest, pack: PolicyPack, where: str) -> list[Problem]:
    problems = [
        Problem(
            where,
            f"markings[{i}]",
            f"marking {m!r} is not defined in policy pack {pack.name!r} "
            f"(defined: {', '.join(pack.markings) or 'none'})",
        )
        for i, m in enumerate(manifest.markings)
        if m not in pack.markings
    ]
    named: list[tuple[str, str]] = []
    for field, spec in manifest.fields.items():
        named.extend((f"fields.{field}", col) for col in spec.source_columns())
    for fact, fspec in manifest.facts.items():
        named.append((f"facts.{fact}", fact))
        named.append((f"facts.{fact}.column", fspec.column))
    for key, name in named:
        hit = pack.prohibited_match(name)
        if hit is not None:
            attr_key, attr = hit
            problems.append(
                Problem(
                    where,
                    key,
                    f"{name!r} maps the prohibited attribute {attr_key!r} ({attr.title}): "
                    f"{attr.reason}; authority: {attr.authority}",
                )
            )
    return problems


def manifest_hash(manifest: Manifest) -> str:
    canonical = json.dumps(manifest.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()
