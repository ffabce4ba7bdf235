"""The workspace: the object every interface holds. It opens the store, knows the policy
pack, and offers the operations interfaces may call, so that they never touch the store."""

from linkwise.workspace.workspace import IngestOutcome, Workspace, WorkspaceError

__all__ = ["IngestOutcome", "Workspace", "WorkspaceError"]
