"""Score follow-up questions: dialogues asked turn by turn, against the same messages alone.

A dialogue set (`bench/dialogues.jsonl`) holds one dialogue a line: its turns, each with the
person who asks ("user": in a group chat two people talk at once, each in a conversation of
their own), the question, its kind ("first", "place_swap", "subject_swap", "date",
"document", "unaccented", "topic_switch", "unanswerable"), what a right answer holds
("expect", "gold", "doc", as in a question set) and, for a follow-up, "standalone": how it
reads on its own.

Each follow-up (every turn but a person's first) is scored three ways: asked in its
conversation (what the product does), asked alone in a new chat (what it did before
follow-ups were read), and its standalone form asked alone (the best to hope for). Scores:
carries the right quote (a gold span in one of the first three citations), leads with it
(`lead_hit`), refuse items not answered, and a topic switch read as a question of its own.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from retrieval.evaluation.questions import hit_rank, lead_hit
from retrieval.types import Answer, Conversation

CARRY_DEPTH = 3  # a quote "carried" is among the citations a phone shows first

AskIn = Callable[[str, Conversation | None], Answer]


@dataclass(frozen=True)
class DialogueTurn:
    """One message of a dialogue, with what a right answer holds."""

    user: str
    question: str
    kind: str
    expect: str
    gold: tuple[str, ...] = ()
    doc: str | None = None
    standalone: str | None = None
    of: str | None = None  # for "unaccented": the kind of follow-up it is


@dataclass(frozen=True)
class Dialogue:
    """A short chat: its turns in order, in a private chat or a group."""

    id: str
    turns: tuple[DialogueTurn, ...]
    chat: str = "private"
    split: str | None = None


@dataclass
class FollowUpScore:
    """Running totals for follow-ups asked one way."""

    answerable: int = 0
    carried: int = 0
    led: int = 0
    refuse_items: int = 0
    refused_right: int = 0

    def add(self, turn: DialogueTurn, answer: Answer) -> None:
        """Count one follow-up's answer."""
        if turn.expect == "refuse":
            self.refuse_items += 1
            self.refused_right += answer.status != "answered"
            return
        self.answerable += 1
        rank = hit_rank(answer, turn.gold)
        self.carried += rank is not None and rank <= CARRY_DEPTH
        self.led += lead_hit(answer, turn.gold)

    def row(self) -> dict[str, Any]:
        """Rates for printing (None where nothing was counted)."""
        n, r = self.answerable, self.refuse_items
        return {
            "answerable": n,
            "carried": self.carried / n if n else None,
            "led": self.led / n if n else None,
            "refuse_items": r,
            "refused_right": self.refused_right / r if r else None,
        }


@dataclass
class DialogueReport:
    """Follow-ups in context, alone, and standalone; per kind too; the misses in context."""

    in_context: FollowUpScore = field(default_factory=FollowUpScore)
    alone: FollowUpScore = field(default_factory=FollowUpScore)
    standalone: FollowUpScore = field(default_factory=FollowUpScore)
    kinds: dict[str, FollowUpScore] = field(default_factory=dict)
    switches: int = 0  # topic switches
    switches_fresh: int = 0  # ... read as questions of their own
    misses: list[str] = field(default_factory=list)


def is_dialogue_set(path: Path) -> bool:
    """True when the file's first record is a dialogue (it has "turns")."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            try:
                return "turns" in json.loads(line)
            except ValueError:
                return False
    return False


def load_dialogues(path: Path, *, split: str | None = None) -> list[Dialogue]:
    """Read a dialogue set; `split` keeps only the dialogues with that split.

    Raises:
        ValueError: a line is not a dialogue; the message names the file and line.
    """
    dialogues = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            turns = tuple(
                DialogueTurn(
                    user=str(t.get("user", "A")),
                    question=t["question"],
                    kind=t.get("kind", "other"),
                    expect=t.get("expect", "answer"),
                    gold=tuple(t.get("gold") or ()),
                    doc=t.get("doc"),
                    standalone=t.get("standalone"),
                    of=t.get("of"),
                )
                for t in raw["turns"]
            )
            dialogue = Dialogue(raw["id"], turns, raw.get("chat", "private"), raw.get("split"))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"{path}:{n}: not a dialogue ({exc})") from exc
        if split is None or dialogue.split == split:
            dialogues.append(dialogue)
    return dialogues


def evaluate_dialogues(dialogues: list[Dialogue], ask_in: AskIn) -> DialogueReport:
    """Ask every dialogue turn by turn, and each follow-up alone, and score them.

    Args:
        dialogues: the set.
        ask_in: answers a message in a conversation (None: a new chat).
    """
    report = DialogueReport()
    for dialogue in dialogues:
        conversations: dict[str, Conversation] = {}
        for turn in dialogue.turns:
            conversation = conversations.get(turn.user)
            answer = ask_in(turn.question, conversation)
            if answer.turn is not None:
                conversations[turn.user] = (conversation or Conversation()).then(answer.turn)
            if conversation is None:
                continue  # this person's first message: not a follow-up
            _score_follow_up(report, dialogue, turn, answer, ask_in)
    return report


def _score_follow_up(
    report: DialogueReport, dialogue: Dialogue, turn: DialogueTurn, answer: Answer, ask_in: AskIn
) -> None:
    report.in_context.add(turn, answer)
    report.kinds.setdefault(turn.of or turn.kind, FollowUpScore()).add(turn, answer)
    report.alone.add(turn, ask_in(turn.question, None))
    if turn.standalone:
        report.standalone.add(turn, ask_in(turn.standalone, None))
    if turn.kind == "topic_switch":
        report.switches += 1
        report.switches_fresh += answer.understood_as is None
    wrong = (
        answer.status == "answered"
        if turn.expect == "refuse"
        else not (lead_hit(answer, turn.gold) and (hit_rank(answer, turn.gold) or 99) <= 3)
    )
    if wrong:
        read = answer.understood_as or "(alone)"
        report.misses.append(
            f"{dialogue.id} [{turn.kind}] {turn.question!r} read as {read!r}: "
            f"{answer.status}, {answer.text.splitlines()[0][:90] if answer.text else ''}"
        )
