"""The one typed settings object, read from ``LINKWISE_*`` environment variables; the
workspace file (``workspace.yaml``) fills what the environment leaves unset."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LINKWISE_", extra="ignore")

    workspace: Path | None = None
    """Workspace folder; the current folder when unset."""
    db: str | None = None
    """Database URL overriding the workspace file's, e.g. a PostgreSQL URL with a secret."""
    audit_key: Path | None = None
    """The audit log's checkpoint signing key (PEM), when not the workspace's own
    ``.linkwise/audit-signing-key.pem``; must exist (it is never created there)."""
    batch_size: int = Field(default=5000, gt=0)
    workers: int | None = Field(default=None, ge=0)


WORKSPACE_FILE = "workspace.yaml"
DEFAULT_DB_FILE = "linkwise.db"
POLICY_FILE = "policy.yaml"
