"""Errors that stop a whole source (as opposed to a row, which goes to quarantine)."""

from __future__ import annotations

from linkwise.model.config import ConfigError, Problem

__all__ = ["ManifestError", "Problem", "SourceFileError"]


class ManifestError(ConfigError):
    """A manifest that cannot be used, with every problem found (file, key, reason)."""


class SourceFileError(Exception):
    """A source that cannot be read at all: missing, unreadable, wrong format, no key column.

    Raised before anything is written, so the store is left as it was.
    """
