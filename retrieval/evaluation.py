"""Score answers against a question set in the format of shared/eval/dev.jsonl."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from retrieval.text import fold_for_match
from retrieval.types import Answer


@dataclass(frozen=True)
class EvalItem:
    """One question with what a right answer must contain."""

    id: str
    question: str
    kind: str
    gold: tuple[str, ...]
    expect: str


@dataclass
class KindScore:
    """Running totals for one kind of question (or all)."""

    answerable: int = 0
    hit1: int = 0
    hit3: int = 0
    reciprocal: float = 0.0
    refuse_items: int = 0
    refused_right: int = 0
    wrongly_refused: int = 0

    def row(self) -> dict[str, Any]:
        """Rates for printing."""
        n = self.answerable or 1
        return {
            "answerable": self.answerable,
            "hit@1": self.hit1 / n if self.answerable else None,
            "hit@3": self.hit3 / n if self.answerable else None,
            "mrr": self.reciprocal / n if self.answerable else None,
            "refuse_items": self.refuse_items,
            "refusal_acc": self.refused_right / self.refuse_items if self.refuse_items else None,
            "wrongly_refused": self.wrongly_refused,
        }


@dataclass
class EvalReport:
    """Scores overall and per kind, plus the misses for inspection."""

    overall: KindScore = field(default_factory=KindScore)
    kinds: dict[str, KindScore] = field(default_factory=dict)
    misses: list[tuple[str, str, str]] = field(default_factory=list)


def load_items(path: Path) -> list[EvalItem]:
    """Read a .jsonl question set."""
    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            gold = tuple(raw.get("gold") or ())
            kind = raw.get("kind", "other")
            expect = raw.get("expect", "answer")
            items.append(EvalItem(raw["id"], raw["question"], kind, gold, expect))
        except (ValueError, KeyError) as exc:
            raise ValueError(f"{path}:{n}: not a question record ({exc})") from exc
    return items


def hit_rank(answer: Answer, gold: Iterable[str]) -> int | None:
    """1-based rank of the first citation whose quote contains a gold span."""
    spans = [fold_for_match(g) for g in gold]
    for rank, citation in enumerate(answer.citations, start=1):
        quote = fold_for_match(citation.quote)
        if any(s and s in quote for s in spans):
            return rank
    return None


def evaluate(items: list[EvalItem], ask: Callable[[str], Answer]) -> EvalReport:
    """Ask every question and score the answers."""
    report = EvalReport()
    for item in items:
        answer = ask(item.question)
        for score in (report.overall, report.kinds.setdefault(item.kind, KindScore())):
            _score(score, item, answer)
        if item.expect == "refuse":
            ok = answer.status != "answered" and not answer.citations
        else:
            ok = hit_rank(answer, item.gold) == 1
        if not ok:
            report.misses.append((item.id, item.question, answer.status))
    return report


def _score(score: KindScore, item: EvalItem, answer: Answer) -> None:
    if item.expect == "refuse":
        score.refuse_items += 1
        score.refused_right += answer.status != "answered" and not answer.citations
        return
    score.answerable += 1
    score.wrongly_refused += answer.status != "answered"
    rank = hit_rank(answer, item.gold)
    if rank is not None:
        score.hit1 += rank == 1
        score.hit3 += rank <= 3
        score.reciprocal += 1 / rank
