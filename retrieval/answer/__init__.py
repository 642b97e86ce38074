"""Answer: decide whether the passages answer, then compose the lead and the citations."""

from retrieval.answer import phrasing
from retrieval.answer.answerer import (
    Answerer,
    LeadDraft,
    LeadWriter,
    Stats,
    StreamingLeadWriter,
    Thresholds,
)

__all__ = [
    "Answerer",
    "LeadDraft",
    "LeadWriter",
    "Stats",
    "StreamingLeadWriter",
    "Thresholds",
    "phrasing",
]
