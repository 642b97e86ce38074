"""Benchmark: chithi's first citations against plain BM25, by section, on one index.

Run: .venv/bin/python bench/sections_vs_bm25.py --data-dir DIR SET.jsonl [SET.jsonl ...]
         [--split heldout]

A *section* is what a cadre cites: an article of a law or decree ("Điều 11" of a document,
its clauses together), or a numbered section of a notice (its paragraph). The gold section
of a question is the one whose text holds a gold span. For chithi, a citation's section is
its paragraph's; hit@k = a gold section among the first k citations' sections. The baseline
is the issue's: `bm25s` with default parameters over the sections' text, syllables
lowercased, no other processing; hit@k = a gold section among its top k. Both read the same
index (the data folder), so the corpus is the same. Prints one row per set; nothing asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import bm25s  # noqa: E402

from bot.settings import Settings  # noqa: E402
from bot.wiring import build_answerer, build_library  # noqa: E402
from retrieval import load_items  # noqa: E402
from retrieval.text import fold_for_match  # noqa: E402
from retrieval.types import Origin  # noqa: E402

_WORD = re.compile(r"\w+")


def section_key(doc_id: str, section: str | None, position: int, origin: Origin | None) -> str:
    """A paragraph's section: its article ("Điều 11" of its law or decree, in a codified
    topic "Điều 11 Nghị định số 101/2010/NĐ-CP") or, without one, its numbered section.
    """
    source = origin.document if origin is not None else ""
    if section and section.startswith("Điều"):
        return f"{doc_id}#{source}#{section.split(',')[0]}"
    return f"{doc_id}#{source}#{section or position}"


def tokens(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--split", choices=["tune", "heldout"])
    parser.add_argument("sets", nargs="+", type=Path)
    args = parser.parse_args()
    settings = Settings.from_env({"CHITHI_DATA_DIR": str(args.data_dir)})
    library = build_library(settings)
    answerer = build_answerer(settings, library)
    texts: dict[str, list[str]] = defaultdict(list)
    for doc_id in library.catalog:
        for p in library.paragraphs(doc_id):
            if p.role == "body":
                texts[section_key(doc_id, p.section, p.position, p.origin)].append(p.text)
    keys = list(texts)
    joined = [" ".join(texts[k]) for k in keys]
    folded = [fold_for_match(t) for t in joined]
    retriever = bm25s.BM25()
    retriever.index([tokens(t) for t in joined], show_progress=False)
    print(f"index {args.data_dir}: {len(library.catalog)} documents, {len(keys)} sections")
    print(
        f"{'set':<34}{'n':>5}{'chithi@1':>10}{'@3':>7}{'search@1':>10}{'@3':>7}"
        f"{'bm25@1':>9}{'@3':>7}{'refused':>9}"
    )
    runner = asyncio.Runner()
    for path in args.sets:
        items = [i for i in load_items(path, split=args.split) if i.expect == "answer"]
        ours = [0, 0]
        searched = [0, 0]
        base = [0, 0]
        refused = 0
        for item in items:
            spans = [fold_for_match(g) for g in item.gold]
            gold = {k for k, f in zip(keys, folded, strict=True) if any(s in f for s in spans)}
            answer = runner.run(answerer.answer(item.question))
            refused += answer.status != "answered"
            cited = [
                section_key(c.doc_id, c.section, int(c.paragraph_id.rpartition(":")[2]), c.origin)
                for c in answer.citations
            ]
            ours[0] += bool(set(cited[:1]) & gold)
            ours[1] += bool(set(cited[:3]) & gold)
            # Search alone (before the answer step decides): what retrieval brings.
            passages = answerer.searcher.search(item.question, k=3)
            found_ids = [
                section_key(p.paragraph.doc_id, p.paragraph.section, p.paragraph.position,
                            p.paragraph.origin)
                for p in passages
            ]  # fmt: skip
            searched[0] += bool(set(found_ids[:1]) & gold)
            searched[1] += bool(set(found_ids[:3]) & gold)
            found, _ = retriever.retrieve(
                [tokens(item.question)], k=min(3, len(keys)), show_progress=False
            )
            top = [keys[i] for i in found[0]]
            base[0] += bool(set(top[:1]) & gold)
            base[1] += bool(set(top[:3]) & gold)
        n = max(1, len(items))
        print(
            f"{path.name + (f' ({args.split})' if args.split else ''):<34}{len(items):>5}"
            f"{ours[0] / n:>10.3f}{ours[1] / n:>7.3f}"
            f"{searched[0] / n:>10.3f}{searched[1] / n:>7.3f}"
            f"{base[0] / n:>9.3f}{base[1] / n:>7.3f}"
            f"{refused:>9}"
        )
    runner.close()
    print(json.dumps({"note": "hit@k by section; refused = answerable questions not answered"}))


if __name__ == "__main__":
    main()
