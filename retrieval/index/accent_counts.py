"""The accent model's counts, summed as texts are indexed (by a rebuild or a sync alike)."""

from __future__ import annotations

from retrieval.text import AccentRestorer


class AccentCounts:
    """Syllable and syllable-pair counts of the indexed texts, plus the question phrases.

    Args:
        start: the model to add to; None starts from the question phrases alone.
    """

    def __init__(self, start: AccentRestorer | None = None) -> None:
        # Every AccentRestorer.build counts the question phrases; they are counted once here
        # and taken out of each added batch.
        self._seeds = AccentRestorer.build([])
        base = start or self._seeds
        self._unigrams = dict(base.unigrams)
        self._bigrams = dict(base.bigrams)

    def add(self, texts: list[str]) -> None:
        """Count more texts."""
        if not texts:
            return
        more, seeds = AccentRestorer.build(texts), self._seeds
        for total, counts, seed in ((self._unigrams, more.unigrams, seeds.unigrams),
                                    (self._bigrams, more.bigrams, seeds.bigrams)):  # fmt: skip
            for key, count in counts.items():
                total[key] = total.get(key, 0) + count - seed.get(key, 0)

    def restorer(self) -> AccentRestorer:
        """The model of the texts counted so far."""
        return AccentRestorer({k: v for k, v in self._unigrams.items() if v > 0},
                              {k: v for k, v in self._bigrams.items() if v > 0})  # fmt: skip
