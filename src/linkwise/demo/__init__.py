"""A synthetic world of people and the sources that record them, with ground truth.

``generate_world`` writes one manifest per source with its file beside it, plus
``truth.csv`` and richer truth files, so ingestion and resolution can be exercised and
their error rates measured on data whose answer is known. No real person is in it.
"""

from linkwise.demo.config import SourceSummary, WorldConfig, WorldSummary
from linkwise.demo.world import generate_world

__all__ = ["SourceSummary", "WorldConfig", "WorldSummary", "generate_world"]
