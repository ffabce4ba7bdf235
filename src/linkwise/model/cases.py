"""A case as authorisations and governed sessions need it today: an id, a title and the
purpose every read in it is judged against. Subjects, priority and the rest of the case
lifecycle come with the cases issue."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

OPEN = "open"


@dataclass(frozen=True, slots=True)
class Case:
    id: int
    title: str
    purpose: str
    """A purpose name of the policy pack."""
    status: str
    assignee_id: int | None
    created_by: int
    created_at: dt.datetime

    @property
    def is_open(self) -> bool:
        return self.status == OPEN
