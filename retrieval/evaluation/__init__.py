"""Evaluation: score answers on question sets and on dialogues (`chithi eval`)."""

from retrieval.evaluation.dialogues import (
    Dialogue,
    DialogueReport,
    evaluate_dialogues,
    is_dialogue_set,
    load_dialogues,
)
from retrieval.evaluation.questions import (
    ANSWERED_REFUSE,
    CITED_REFUSAL,
    LEAD_MISS,
    NO_HIT,
    REFUSED_ANSWERABLE,
    WRONG_DOC,
    EvalItem,
    EvalReport,
    KindScore,
    Miss,
    evaluate,
    first_answer,
    hit_rank,
    lead_hit,
    load_items,
)

__all__ = [
    "ANSWERED_REFUSE",
    "CITED_REFUSAL",
    "LEAD_MISS",
    "NO_HIT",
    "REFUSED_ANSWERABLE",
    "WRONG_DOC",
    "Dialogue",
    "DialogueReport",
    "EvalItem",
    "EvalReport",
    "KindScore",
    "Miss",
    "evaluate",
    "evaluate_dialogues",
    "first_answer",
    "hit_rank",
    "is_dialogue_set",
    "lead_hit",
    "load_dialogues",
    "load_items",
]
