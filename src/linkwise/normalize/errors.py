"""The one exception the normalisers raise.

It subclasses ``ValueError`` so callers that already treat bad input as a value error keep
working, while ingestion can catch exactly this type and quarantine the row with the message,
which is written for the person fixing the source, not for a programmer.
"""

from __future__ import annotations


class NormalizationError(ValueError):
    """A value could not be normalised; the message says what is wrong with it."""
