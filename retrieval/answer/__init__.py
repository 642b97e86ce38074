"""Answer: decide whether the passages answer, then compose the lead and the citations."""

from retrieval.answer import phrasing
from retrieval.answer.answerability import Answerability
from retrieval.answer.answerer import (
    Answerer,
    LeadDraft,
    LeadWriter,
    Stats,
)
from retrieval.answer.compose import main_sections, section_label
from retrieval.answer.validity import document_status

__all__ = [
    "Answerability",
    "Answerer",
    "LeadDraft",
    "LeadWriter",
    "Stats",
    "document_status",
    "main_sections",
    "phrasing",
    "section_label",
]
