"""Put diacritics back on a question typed without them, from the indexed notices' own words.

The embedding model reads "cach ly tap trung" far worse than "cách ly tập trung". The notices
themselves say which accented syllables follow which, so a bigram model over their text,
decoded with Viterbi, restores in-domain words well; unknown words are left as typed.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

from retrieval.text.normalize import fold
from vectorstore import staged_file

_TOKEN = re.compile(r"[0-9a-zà-ỹđ]+|[^0-9a-zà-ỹđ]+", re.IGNORECASE)
_MAX_CANDIDATES = 6
# How people phrase questions: the notices never ask "là gì?", so these seed the model with
# the question words a citizen types ("co" -> "có", not "cơ").
QUESTION_PHRASES = """
là gì. có không. có được không. có phải không. thì sao. như thế nào. thế nào. bao giờ.
bao nhiêu. bao lâu. mấy tuổi. mấy ngày. ai ký. ai ban hành. nghĩa là gì. là sao. ở đâu.
khi nào. tại sao. vì sao. làm gì. phải làm gì. có bị không. được không. chưa. còn không.
"""
_SEED_WEIGHT = 3


class AccentRestorer:
    """Bigram model of accented syllables, keyed by their folded form."""

    def __init__(self, unigrams: dict[str, int], bigrams: dict[str, int]) -> None:
        self.unigrams = unigrams
        self.bigrams = bigrams
        by_folded: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for word, count in unigrams.items():
            by_folded[fold(word)].append((count, word))
        self._candidates = {
            k: [w for _, w in sorted(v, reverse=True)[:_MAX_CANDIDATES]]
            for k, v in by_folded.items()
        }
        self._folded_totals = {k: sum(c for c, _ in v) for k, v in by_folded.items()}

    @classmethod
    def build(cls, texts: Iterable[str]) -> AccentRestorer:
        """Count syllables and syllable pairs in the texts."""
        unigrams: Counter[str] = Counter()
        bigrams: Counter[str] = Counter()
        for text in [*[QUESTION_PHRASES] * _SEED_WEIGHT, *texts]:
            words = re.findall(r"[0-9a-zà-ỹđ]+", text.lower())
            unigrams.update(words)
            bigrams.update(f"{a} {b}" for a, b in zip(words, words[1:], strict=False))
        return cls(dict(unigrams), dict(bigrams))

    def save(self, path: Path) -> None:
        """Write the counts as JSON."""
        path.parent.mkdir(parents=True, exist_ok=True)
        with staged_file(path.parent, path.name) as tmp:  # two processes may save at once
            tmp.write(
                json.dumps({"u": self.unigrams, "b": self.bigrams}, ensure_ascii=False).encode()
            )

    @classmethod
    def load(cls, path: Path) -> AccentRestorer | None:
        """Read saved counts, or None."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(data["u"], data["b"])
        except (OSError, ValueError, KeyError):
            return None

    def restore(self, text: str) -> str:
        """The most likely accented spelling of an unaccented text."""
        pieces = _TOKEN.findall(text.lower())
        words = [i for i, p in enumerate(pieces) if p[0].isalnum()]
        if not words:
            return text
        lattice = [self._candidates.get(fold(pieces[i]), [pieces[i]]) for i in words]
        best = self._viterbi(lattice)
        for i, word in zip(words, best, strict=True):
            pieces[i] = word
        return "".join(pieces)

    def _unigram_logp(self, word: str) -> float:
        total = self._folded_totals.get(fold(word), 0)
        return math.log((self.unigrams.get(word, 0) + 0.1) / (total + 1.0))

    def _viterbi(self, lattice: list[list[str]]) -> list[str]:
        scores = [self._unigram_logp(w) for w in lattice[0]]
        back: list[list[int]] = []
        for column in lattice[1:]:
            new_scores, pointers = [], []
            for word in column:
                previous = lattice[len(back)]
                options = [scores[j] + self._transition(p, word) for j, p in enumerate(previous)]
                j = max(range(len(options)), key=options.__getitem__)
                new_scores.append(options[j])
                pointers.append(j)
            scores = new_scores
            back.append(pointers)
        k = max(range(len(scores)), key=scores.__getitem__)
        path = [k]
        for pointers in reversed(back):
            k = pointers[k]
            path.append(k)
        path.reverse()
        return [column[i] for column, i in zip(lattice, path, strict=True)]

    def _transition(self, prev: str, word: str) -> float:
        pair = self.bigrams.get(f"{prev} {word}", 0)
        prev_count = self.unigrams.get(prev, 0)
        if pair:
            return math.log(pair / (prev_count + 1.0)) + 2.0
        return self._unigram_logp(word) - 2.0
