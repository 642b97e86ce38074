"""Put diacritics back on a question typed without them, from the indexed notices' own words.

The embedding model reads "cach ly tap trung" far worse than "cách ly tập trung". The notices
themselves say which accented syllables follow which, so a bigram model over their text,
decoded with Viterbi, restores in-domain words well; unknown words are left as typed.

The bigram probabilities are smoothed towards the unigram ones (a Dirichlet prior, strength
SMOOTHING), so a pair the texts often write ("có nguy cơ") beats a pair they never do ("cơ
nguy"), and an unseen pair falls back on how often each spelling occurs. The first version
compared a seen pair's probability with an unseen one's backoff on two different scales,
and on a large corpus of laws read "co nguy hiem" as "cơ nguy hiểm", "bao nhieu" as "bảo
nhiều", "duoc" as "dược" (docs/retrieval.md).
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
# The prior's strength, in pairs: 3 to 100 did equally well on the tune questions (30 kept).
SMOOTHING = 30.0


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
        self._total = sum(unigrams.values())
        self._vocabulary = len(unigrams)

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

    def _unigram_p(self, word: str) -> float:
        return (self.unigrams.get(word, 0) + 0.1) / (self._total + 0.1 * self._vocabulary + 0.1)

    def _unigram_logp(self, word: str) -> float:
        return math.log(self._unigram_p(word))

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
        """Log P(word | prev): the pair's count, smoothed towards the word's own frequency."""
        pair = self.bigrams.get(f"{prev} {word}", 0)
        prior = SMOOTHING * self._unigram_p(word)
        return math.log((pair + prior) / (self.unigrams.get(prev, 0) + SMOOTHING))
