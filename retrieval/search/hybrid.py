"""Fuse the lexical and dense rankings into one."""

from __future__ import annotations

from collections.abc import Sequence

RRF_K = 60


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[str]], *, weights: Sequence[float] | None = None, k: int = RRF_K
) -> dict[str, float]:
    """Score = sum over rankings of weight / (k + rank), rank starting at 1."""
    weights = weights or [1.0] * len(rankings)
    scores: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return scores


def weighted_fusion(
    lexical: Sequence[tuple[str, float]],
    dense: Sequence[tuple[str, float]],
    *,
    dense_weight: float = 0.5,
) -> dict[str, float]:
    """Score = (1 - w) * BM25/max(BM25) + w * min-max-scaled dense similarity."""
    scores: dict[str, float] = {}
    if lexical:
        top = max(score for _, score in lexical) or 1.0
        for item, score in lexical:
            scores[item] = (1 - dense_weight) * score / top
    if dense:
        high = max(s for _, s in dense)
        low = min(s for _, s in dense)
        span = (high - low) or 1.0
        for item, sim in dense:
            scores[item] = scores.get(item, 0.0) + dense_weight * (sim - low) / span
    return scores


def top_items(scores: dict[str, float], n: int) -> list[tuple[str, float]]:
    """The n best (item, score), best first, ties broken by item for stable output."""
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
