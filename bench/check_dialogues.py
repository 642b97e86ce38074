"""Checks bench/dialogues.jsonl (follow-up dialogues on the five notices) and prints its counts.

Run from the repository root: ``python3 bench/check_dialogues.py [FILE]``. Standard library only.
Exits 1 and lists the problems when any check fails; see bench/dialogues.md for the rules.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

NOTICES = Path("data/notices")
DEFAULT_FILE = Path("bench/dialogues.jsonl")

FOLLOW_UP_KINDS = (
    "place_swap",
    "subject_swap",
    "date",
    "document",
    "unaccented",
    "topic_switch",
    "unanswerable",
)
REAL_KINDS = tuple(k for k in FOLLOW_UP_KINDS if k != "unaccented")
MIN_PER_KIND = 5
MIN_DIALOGUES = 48
MIN_GROUP = 6
SPAN_MIN, SPAN_MAX = 15, 120
BLANK_LINE = re.compile(r"\n[ \t\u00a0]*\n")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def has_diacritics(text: str) -> bool:
    """True when the text has a Vietnamese (or any) accent mark, or đ/Đ."""
    if "đ" in text.lower():
        return True
    return any(unicodedata.combining(ch) for ch in unicodedata.normalize("NFD", text))


def paragraphs(text: str) -> list[list[str]]:
    """The file's paragraphs (text between blank lines), each as its lines, NFC."""
    return [block.split("\n") for block in BLANK_LINE.split(nfc(text))]


def fold(text: str) -> str:
    """A text as the project's scorer compares it: NFC, lowercase, no `*`, no whitespace."""
    return re.sub(r"\s+", "", nfc(text).lower().replace("*", ""))


def bare(line: str) -> str:
    return line.strip().strip("*").strip()


def split_features(dialogue: dict) -> Counter:
    """What the split balances: chat type, follow-up kinds, real kinds (`of`), refusals."""
    features: Counter = Counter({"chat:" + str(dialogue.get("chat")): 1})
    for turn in dialogue.get("turns", []):
        kind = turn.get("kind")
        if kind == "first":
            continue
        features["kind:" + str(kind)] += 1
        features["real:" + str(turn.get("of") or kind)] += 1
        if turn.get("expect") == "refuse":
            features["refuse"] += 1
    return features


def split_cost(features: list[Counter], sides: list[int]) -> int:
    """Sum of (tune - heldout) squared over the features and the dialogue count.

    sides[i] is +1 for tune, -1 for heldout.
    """
    diff: Counter = Counter()
    for feats, side in zip(features, sides, strict=True):
        diff["dialogues"] += side
        for key, count in feats.items():
            diff[key] += side * count
    return sum(v * v for v in diff.values())


def assign_splits(dialogues: list[dict]) -> dict[str, str]:
    """The split rule, deterministic and blind to the questions' wording.

    1. Greedy, in id order: each dialogue goes to the side with the lower split_cost once it is
       added (ties: the side with fewer dialogues, then tune).
    2. Swaps: for each pair (i, j) in id order, i in tune and j in heldout, exchange them when that
       lowers split_cost; repeat the passes until none does.
    """
    ordered = sorted(dialogues, key=lambda d: str(d.get("id")))
    features = [split_features(d) for d in ordered]
    sides: list[int] = []
    for i in range(len(ordered)):
        options = []
        for side in (1, -1):
            cost = split_cost(features[: i + 1], sides + [side])
            size = abs(sum(sides) + side)
            options.append((cost, size, 0 if side == 1 else 1, side))
        sides.append(min(options)[3])
    best = split_cost(features, sides)
    improved = True
    while improved:
        improved = False
        for i in range(len(sides)):
            for j in range(len(sides)):
                if sides[i] == 1 and sides[j] == -1:
                    sides[i], sides[j] = -1, 1
                    cost = split_cost(features, sides)
                    if cost < best:
                        best, improved = cost, True
                    else:
                        sides[i], sides[j] = 1, -1
    return {
        str(d.get("id")): "tune" if side == 1 else "heldout"
        for d, side in zip(ordered, sides, strict=True)
    }


class Checker:
    def __init__(self, notices_dir: Path) -> None:
        self.problems: list[str] = []
        self.docs = {
            p.name: paragraphs(p.read_text(encoding="utf-8"))
            for p in sorted(notices_dir.glob("*.txt"))
        }
        self.folded = {
            name: fold("\n".join("\n".join(p) for p in paras)) for name, paras in self.docs.items()
        }
        self.short_spans = 0

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def check_gold(self, where: str, turn: dict) -> None:
        gold, doc = turn.get("gold"), turn.get("doc")
        if turn.get("expect") == "refuse":
            if gold != [] or doc is not None:
                self.problem(where, 'a refuse turn needs "gold": [] and "doc": null')
            return
        if doc not in self.docs:
            self.problem(where, f"doc {doc!r} is not a file in {NOTICES}/")
            return
        if (
            not isinstance(gold, list)
            or not 1 <= len(gold) <= 2
            or not all(isinstance(g, str) for g in gold)
        ):
            self.problem(where, "an answer turn needs 1-2 gold spans (strings)")
            return
        for span in gold:
            if span != nfc(span):
                self.problem(where, f"gold span is not NFC: {span!r}")
            if "\n" in span:
                self.problem(where, f"gold span crosses a line break: {span!r}")
        spans = [nfc(g) for g in gold]
        for span in spans:
            whole_line = any(bare(line) == span.strip() for para in self.docs[doc] for line in para)
            if not SPAN_MIN <= len(span) <= SPAN_MAX:
                if len(span) < SPAN_MIN and whole_line:
                    self.short_spans += (
                        1  # a signer's name alone on its line: nothing longer to take
                    )
                else:
                    self.problem(
                        where,
                        f"gold span has {len(span)} characters, "
                        f"not {SPAN_MIN}-{SPAN_MAX}: {span!r}",
                    )
            if not any(span in line for para in self.docs[doc] for line in para):
                self.problem(where, f"gold span is not within one line of {doc}: {span!r}")
            elsewhere = [
                name for name, text in self.folded.items() if name != doc and fold(span) in text
            ]
            if elsewhere:
                self.problem(
                    where,
                    f"gold span {span!r} also matches {elsewhere}: a quote from there would pass",
                )
        if not any(all(any(s in line for line in para) for s in spans) for para in self.docs[doc]):
            self.problem(where, f"gold spans are not all in one paragraph of {doc}")

    def check_turn(self, where: str, turn: dict, first_of_user: bool) -> None:
        kind, expect = turn.get("kind"), turn.get("expect")
        question = turn.get("question")
        if not isinstance(question, str) or not question.strip():
            self.problem(where, "empty question")
            question = ""
        if expect not in ("answer", "refuse"):
            self.problem(where, f"expect {expect!r} is not answer|refuse")
        if first_of_user:
            if kind != "first":
                self.problem(where, "a user's first turn must have kind first")
        elif kind not in FOLLOW_UP_KINDS:
            self.problem(where, f"kind {kind!r} is not a follow-up kind")
        if kind == "unaccented":
            if turn.get("of") not in REAL_KINDS:
                self.problem(where, f'an unaccented turn needs "of" in {REAL_KINDS}')
            for field in ("question", "standalone"):
                if has_diacritics(str(turn.get(field, ""))):
                    self.problem(where, f"unaccented {field} has diacritics: {turn.get(field)!r}")
        elif "of" in turn:
            self.problem(where, '"of" belongs to unaccented turns only')
        if "unanswerable" in (kind, turn.get("of")) and expect != "refuse":
            self.problem(where, "an unanswerable turn must expect refuse")
        if kind != "first":
            standalone = turn.get("standalone")
            if not isinstance(standalone, str) or len(standalone.split()) < 3:
                self.problem(where, "a follow-up needs a standalone question (3 words or more)")
            elif standalone.strip() == question.strip() and "topic_switch" not in (
                kind,
                turn.get("of"),
            ):
                # a topic switch is self-contained: its standalone form may be the question itself
                self.problem(where, "the standalone question repeats the follow-up word for word")
        self.check_gold(where, turn)

    def check_dialogue(self, n: int, dialogue: dict) -> None:
        did = str(dialogue.get("id"))
        where = f"line {n} ({did})"
        if not re.fullmatch(r"dl\d{2,3}", did):
            self.problem(where, "id must look like dl01")
        if dialogue.get("split") not in ("tune", "heldout"):
            self.problem(where, "split must be tune or heldout")
        chat = dialogue.get("chat")
        if chat not in ("private", "group"):
            self.problem(where, "chat must be private or group")
        turns = dialogue.get("turns")
        if not isinstance(turns, list) or not 2 <= len(turns) <= 4:
            self.problem(where, "a dialogue has 2-4 turns")
            return
        users = [t.get("user") for t in turns]
        if chat == "private" and set(users) != {"A"}:
            self.problem(where, 'a private chat has user "A" only')
        if chat == "group":
            if set(users) != {"A", "B"}:
                self.problem(where, 'a group chat has users "A" and "B"')
            for user in ("A", "B"):
                if users.count(user) < 2:
                    self.problem(where, f"user {user} needs a first question and a follow-up")
            if users[0] == users[1]:
                self.problem(where, "a group chat interleaves: the second turn is the other user's")
        seen: set = set()
        for i, turn in enumerate(turns):
            self.check_turn(f"{where} turn {i + 1}", turn, turn.get("user") not in seen)
            seen.add(turn.get("user"))

    def run(self, path: Path) -> int:
        dialogues: list[dict] = []
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                dialogue = json.loads(line)
            except json.JSONDecodeError as err:
                self.problem(f"line {n}", f"not JSON: {err}")
                continue
            if not isinstance(dialogue, dict):
                self.problem(f"line {n}", "not a JSON object")
                continue
            dialogues.append(dialogue)
            self.check_dialogue(n, dialogue)
        ids = Counter(str(d.get("id")) for d in dialogues)
        for did, count in ids.items():
            if count > 1:
                self.problem(did, f"id used {count} times")
        expected = assign_splits(dialogues)
        for d in dialogues:
            if d.get("split") != expected.get(str(d.get("id"))):
                self.problem(
                    str(d.get("id")),
                    f"split {d.get('split')!r}, the rule gives {expected.get(str(d.get('id')))!r}",
                )
        self.summary(dialogues)
        if self.problems:
            print(f"\n{len(self.problems)} problem(s):", file=sys.stderr)
            for p in self.problems:
                print("  " + p, file=sys.stderr)
            return 1
        print("\nOK")
        return 0

    def summary(self, dialogues: list[dict]) -> None:
        splits = ("tune", "heldout")
        chats = Counter((d.get("chat"), d.get("split")) for d in dialogues)
        kinds: Counter = Counter()
        real: Counter = Counter()
        refuse: Counter = Counter()
        firsts: Counter = Counter()
        for d in dialogues:
            for t in d.get("turns", []):
                s = d.get("split")
                if t.get("kind") == "first":
                    firsts[s] += 1
                    continue
                kinds[(t.get("kind"), s)] += 1
                real[(t.get("of") or t.get("kind"), s)] += 1
                if t.get("expect") == "refuse":
                    refuse[s] += 1
        n_follow = sum(kinds.values())
        n_unacc = sum(v for (k, _), v in kinds.items() if k == "unaccented")
        print(
            f"{len(dialogues)} dialogues, {sum(firsts.values())} first questions, "
            f"{n_follow} follow-ups"
        )
        print(f"{'':16}{'tune':>6}{'heldout':>9}{'total':>7}")
        for chat in ("private", "group"):
            row = [chats[(chat, s)] for s in splits]
            print(f"{'chat ' + chat:16}{row[0]:>6}{row[1]:>9}{sum(row):>7}")
        print("follow-ups by kind:")
        for kind in FOLLOW_UP_KINDS:
            row = [kinds[(kind, s)] for s in splits]
            print(f"  {kind:14}{row[0]:>6}{row[1]:>9}{sum(row):>7}")
            if sum(row) < MIN_PER_KIND:
                self.problem(
                    "counts", f"kind {kind} has {sum(row)} follow-ups, fewer than {MIN_PER_KIND}"
                )
        print('follow-ups by real kind (unaccented counted under their "of"):')
        for kind in REAL_KINDS:
            row = [real[(kind, s)] for s in splits]
            print(f"  {kind:14}{row[0]:>6}{row[1]:>9}{sum(row):>7}")
        row = [refuse[s] for s in splits]
        print(f"  {'expect refuse':14}{row[0]:>6}{row[1]:>9}{sum(row):>7}")
        if n_follow:
            print(f"unaccented follow-ups: {n_unacc}/{n_follow} = {100 * n_unacc / n_follow:.0f}%")
        print(
            f"gold spans under {SPAN_MIN} characters that are a whole line (signers' names): "
            f"{self.short_spans}"
        )
        if len(dialogues) < MIN_DIALOGUES:
            self.problem("counts", f"{len(dialogues)} dialogues, fewer than {MIN_DIALOGUES}")
        n_group = sum(1 for d in dialogues if d.get("chat") == "group")
        if n_group < MIN_GROUP:
            self.problem("counts", f"{n_group} group chats, fewer than {MIN_GROUP}")


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT_FILE
    if not path.is_file() or not NOTICES.is_dir():
        print(f"run from the repository root: {path} or {NOTICES}/ not found", file=sys.stderr)
        return 2
    return Checker(NOTICES).run(path)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
