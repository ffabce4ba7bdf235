"""Whether a file a command is asked to write can be written, checked before any work
(an output that fails at the end wastes the run, and for an audited read records a
disclosure that never reached the file)."""

from __future__ import annotations

import os
from pathlib import Path


def unwritable(option: str, path: Path) -> str | None:
    """Why ``path`` (given as ``option``) cannot be written, or None when it can."""
    if path.is_dir():
        return f"{option} {path}: a folder; name a file in it"
    folder = path.resolve().parent
    if not folder.is_dir():
        return f"{option} {path}: the folder {path.parent} does not exist"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"{option} {path}: cannot write in the folder {path.parent}"
    return None
