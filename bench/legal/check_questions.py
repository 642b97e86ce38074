#!/usr/bin/env python3
"""Check the legal question sets in this folder against the corpus.

Usage:  python3 bench/legal/check_questions.py [CORPUS_DIR]

CORPUS_DIR defaults to ../shared/data/external relative to the repository root
(the folder that holds phapdien-phong-chong-benh-truyen-nhiem/ and
phapdien-health-social/).  Standard library only.

Checks, for questions.jsonl (answerable) and uncovered.jsonl (refuse):
  * every line is a JSON object with the expected keys and value types;
  * ids are unique across both files;
  * "kind", "expect", "split" take allowed values; unaccented questions carry
    no Vietnamese diacritics (no character outside ASCII letters/digits/punct);
  * each answerable item's doc exists, its "article" is a heading in that doc,
    and every gold span (1-3, each 15-120 characters) occurs verbatim (after
    Unicode NFC) inside ONE paragraph (block between blank lines) of the doc,
    at a position that belongs to the named article; all spans of an item
    must lie in the same article, and the item's "source" must match the
    source line governing that paragraph;
  * refuse items have gold == [] and doc == null.
It prints counts per doc / kind / split and exits 1 on any problem.
"""

import collections
import json
import os
import re
import sys
import unicodedata
from pathlib import Path

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def default_corpus():
    """../shared/data/external next to the repository root.  In a git worktree
    (where .git is a file pointing into the main checkout) the main checkout's
    root is tried too."""
    roots = [REPO]
    dotgit = os.path.join(REPO, ".git")
    if os.path.isfile(dotgit):
        line = Path(dotgit).read_text(encoding="utf-8").strip()
        if line.startswith("gitdir:"):
            gitdir = os.path.normpath(os.path.join(REPO, line[len("gitdir:") :].strip()))
            # <main>/.git/worktrees/<name>  ->  <main>
            if os.path.basename(os.path.dirname(gitdir)) == "worktrees":
                roots.append(os.path.dirname(os.path.dirname(os.path.dirname(gitdir))))
    cands = [os.path.normpath(os.path.join(r, "..", "shared", "data", "external")) for r in roots]
    return next((c for c in cands if os.path.isdir(c)), cands[0])


DEFAULT_CORPUS = default_corpus()
DOC_DIRS = ["phapdien-phong-chong-benh-truyen-nhiem", "phapdien-health-social"]

KINDS_ANSWER = {"citizen", "cadre", "unaccented", "paraphrase"}
KINDS_REFUSE = {"citizen", "cadre", "unaccented"}
SPLITS = {"tune", "heldout"}
KEYS = ["id", "question", "kind", "gold", "doc", "article", "source", "expect", "split"]
KEYS_REFUSE = ["id", "question", "kind", "gold", "doc", "expect", "split"]

NUM = r"\d+\.\d+\.[A-ZĐ]+\.\d+[a-z]?(?:\.\d+[a-z]?)?"
# A heading paragraph: "Điều 45.7.LQ.48. Heading" (codified), or
# "### Điều 3. Heading" (the 165/2026 decree file, which is not codified).
HEAD_CODIFIED = re.compile(r"^\s*(?:#+\s*)?Điều\s+(" + NUM + r")\.?(?=\s|$)")
HEAD_PLAIN = re.compile(r"^\s*#+\s*Điều\s+(\d+[a-z]?)\.")
# A heading glued to the end of the previous paragraph by the conversion:
# "... có thẩm quyền.Điều 2.2.LQ.7b. Trách nhiệm của ..." or "... THI HÀNHĐiều
# 45.7.LQ.19. Các hoạt động ...".  It is taken as a heading only when it ends
# the paragraph and the next paragraph is a source line (cross-reference lists
# "(Điều này có nội dung liên quan đến Điều ...)" are not followed by one).
HEAD_GLUED = re.compile(r"Điều\s+(" + NUM + r")\.\s+([^()]*?)\s*$")
# Source line: "(Điều 48 Luật số 03/2007/QH12 ..., có hiệu lực ...)"
SOURCE_LINE = re.compile(r"^\s*\((?:Điều|Khoản|Điểm|Mục|Chương|Phụ lục)\b.{0,800}?hiệu\s+lực", re.S)
DIACRITIC_FREE = re.compile(r"^[\x20-\x7e]*$")


def nfc(s):
    return unicodedata.normalize("NFC", s)


def front_matter(text):
    m = re.match(r"^---\n(.*?)\n---\n", text, re.S)
    meta = {}
    if m:
        for line in m.group(1).splitlines():
            k, _, v = line.partition(":")
            meta[k.strip()] = v.strip().strip('"')
    return meta


class Doc:
    """A corpus file cut into paragraphs, each position mapped to an article."""

    def __init__(self, path):
        raw = nfc(Path(path).read_text(encoding="utf-8"))
        self.meta = front_matter(raw)
        start = raw.find("\n## VĂN BẢN")
        if start < 0:  # 165/2026 decree: body starts after the info block
            start = raw.find("\n---\n", raw.find("\n---\n") + 1) if raw.startswith("---") else 0
        end = raw.find("\n## Danh sách điều khoản")
        body = raw[start : end if end >= 0 else len(raw)]
        self.paragraphs = []  # list of dicts: text, segments [(offset, article, source)]
        self.articles = {}  # article number -> heading text
        self.glued = set()  # articles whose heading is glued to the previous paragraph
        article, source = None, None
        blocks = [b for b in re.split(r"\n[ \t]*\n", body) if b.strip()]
        for k, block in enumerate(blocks):
            m = HEAD_CODIFIED.match(block) or HEAD_PLAIN.match(block)
            if m:
                article, source = "Điều " + m.group(1), None
                self.articles.setdefault(article, block.strip())
                self.paragraphs.append(
                    {"text": block, "segments": [(0, None, None)], "heading": True}
                )
                continue
            if SOURCE_LINE.match(block):
                source = block.strip()
            segs = [(0, article, source)]
            nxt = blocks[k + 1] if k + 1 < len(blocks) else ""
            g = HEAD_GLUED.search(block) if SOURCE_LINE.match(nxt) else None
            if g and g.start() > 0:
                article, source = "Điều " + g.group(1), None
                self.articles.setdefault(article, block[g.start() :].strip())
                self.glued.add(article)
                segs.append((g.start(), article, source))
            self.paragraphs.append({"text": block, "segments": segs, "heading": False})

    def locate(self, span):
        """Yield (paragraph index, article, source) for each occurrence of span."""
        for i, p in enumerate(self.paragraphs):
            if p["heading"]:
                continue
            text = p["text"]
            pos = text.find(span)
            while pos >= 0:
                art, src = None, None
                for off, a, s in p["segments"]:
                    if off <= pos:
                        art, src = a, s
                if pos + len(span) <= next(
                    (off for off, _, _ in p["segments"] if off > pos), len(text)
                ):
                    yield i, art, src
                pos = text.find(span, pos + 1)


def source_ok(item_source, src_line, doc, article):
    if src_line is None:
        # Files without source lines (the 165/2026 decree): "Điều N <so_hieu>".
        so_hieu = doc.meta.get("so_hieu", "")
        return bool(so_hieu) and item_source.startswith(article + " ") and so_hieu in item_source
    inner = re.sub(r"\s+", " ", src_line.strip().lstrip("("))
    return inner.startswith(re.sub(r"\s+", " ", item_source).rstrip(",") + " ") or inner.startswith(
        re.sub(r"\s+", " ", item_source).rstrip(",") + ","
    )


KIND_ORDER = {"citizen": 0, "cadre": 1, "paraphrase": 2, "unaccented": 3}


def split_rule_problems(rows):
    """The split rule (see README): answerable items sorted by (doc file name,
    kind in the order citizen, cadre, paraphrase, unaccented, line order) and
    alternated tune, heldout, tune, ... along that single sequence; refuse
    items alternated the same way within each kind, in line order."""
    out = []
    ans = rows["questions.jsonl"]
    order = sorted(
        range(len(ans)), key=lambda i: (str(ans[i]["doc"]), KIND_ORDER.get(ans[i]["kind"], 9), i)
    )
    for j, i in enumerate(order):
        want = "tune" if j % 2 == 0 else "heldout"
        if ans[i]["split"] != want:
            out.append(
                f"questions.jsonl ({ans[i]['id']}): split {ans[i]['split']!r},"
                f" the rule gives {want!r}"
            )
    seen = collections.Counter()
    for it in rows["uncovered.jsonl"]:
        want = "tune" if seen[it["kind"]] % 2 == 0 else "heldout"
        seen[it["kind"]] += 1
        if it["split"] != want:
            out.append(
                f"uncovered.jsonl ({it['id']}): split {it['split']!r}, the rule gives {want!r}"
            )
    return out


def size_problems(counts, paths):
    """Sizes the sets were written to: >= 160 answerable (>= 60 on the
    infectious-disease file, >= 4 on every other corpus file), >= 100 refuse."""
    out = []
    qa = counts.get("questions.jsonl")
    un = counts.get("uncovered.jsonl")
    if qa:
        if qa["n"] < 160:
            out.append(f"questions.jsonl: {qa['n']} items, fewer than 160")
        for name in paths:
            need = 60 if name == "phong-chong-benh-truyen-nhiem.md" else 4
            if qa["doc"][name] < need:
                out.append(f"questions.jsonl: {qa['doc'][name]} items on {name}, fewer than {need}")
    if un and un["n"] < 100:
        out.append(f"uncovered.jsonl: {un['n']} items, fewer than 100")
    return out


def find_docs(corpus):
    docs = {}
    for d in DOC_DIRS:
        folder = os.path.join(corpus, d)
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            if name.endswith(".md") and name != "SOURCE.md":
                docs[name] = os.path.join(folder, name)
    return docs


def main(argv):
    corpus = argv[1] if len(argv) > 1 else DEFAULT_CORPUS
    paths = find_docs(corpus)
    problems = []
    if len(paths) != 17:
        problems.append(f"expected 17 corpus files under {corpus}, found {len(paths)}")
    cache = {}

    def doc(name):
        if name not in cache:
            cache[name] = Doc(paths[name])
        return cache[name]

    seen = set()
    counts = {}
    rows = {"questions.jsonl": [], "uncovered.jsonl": []}
    for fname, expect in (("questions.jsonl", "answer"), ("uncovered.jsonl", "refuse")):
        path = os.path.join(HERE, fname)
        if not os.path.exists(path):
            problems.append(f"{fname}: missing")
            continue
        c = counts[fname] = {
            "n": 0,
            "doc": collections.Counter(),
            "kind": collections.Counter(),
            "split": collections.Counter(),
            "doc_split": collections.Counter(),
            "kind_split": collections.Counter(),
            "glued": 0,
        }
        for ln, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
            where = f"{fname}:{ln}"
            if not line.strip():
                problems.append(f"{where}: blank line")
                continue
            try:
                it = json.loads(line)
            except ValueError as e:
                problems.append(f"{where}: not JSON ({e})")
                continue
            if not isinstance(it, dict):
                problems.append(f"{where}: not an object")
                continue
            keys = KEYS if expect == "answer" else KEYS_REFUSE
            missing = [k for k in keys if k not in it]
            extra = [k for k in it if k not in KEYS]
            if missing or extra:
                problems.append(f"{where}: missing keys {missing} / unknown keys {extra}")
                continue
            iid = it["id"]
            where = f"{fname}:{ln} ({iid})"
            if not isinstance(iid, str) or not iid:
                problems.append(f"{where}: bad id")
            if iid in seen:
                problems.append(f"{where}: duplicate id")
            seen.add(iid)
            q = it["question"]
            if not isinstance(q, str) or len(q.strip()) < 8:
                problems.append(f"{where}: question missing or too short")
                continue
            if q != q.strip():
                problems.append(f"{where}: question has surrounding whitespace")
            kinds = KINDS_ANSWER if expect == "answer" else KINDS_REFUSE
            if it["kind"] not in kinds:
                problems.append(f"{where}: kind {it['kind']!r} not in {sorted(kinds)}")
            if it["kind"] == "unaccented" and not DIACRITIC_FREE.match(q):
                bad = sorted({ch for ch in q if not DIACRITIC_FREE.match(ch)})
                problems.append(f"{where}: unaccented question has non-ASCII {bad}")
            if it["kind"] == "unaccented" and q != q.lower():
                problems.append(f"{where}: unaccented question is not all lowercase")
            if it["kind"] != "unaccented" and DIACRITIC_FREE.match(q):
                problems.append(f"{where}: kind {it['kind']} but the question has no diacritics")
            if it["expect"] != expect:
                problems.append(f"{where}: expect must be {expect!r}")
            if it["split"] not in SPLITS:
                problems.append(f"{where}: split {it['split']!r}")
            rows[fname].append(it)
            c["n"] += 1
            c["kind"][it["kind"]] += 1
            c["split"][it["split"]] += 1
            c["kind_split"][(it["kind"], it["split"])] += 1
            if expect == "refuse":
                if it["gold"] != [] or it["doc"] is not None:
                    problems.append(f"{where}: refuse items need gold [] and doc null")
                c["doc"]["(none)"] += 1
                continue
            name = it["doc"]
            c["doc"][name] += 1
            c["doc_split"][(name, it["split"])] += 1
            if name not in paths:
                problems.append(f"{where}: unknown doc {name!r}")
                continue
            d = doc(name)
            art = it["article"]
            if art in d.glued:
                c["glued"] += 1
            if art not in d.articles:
                problems.append(f"{where}: article {art!r} is not a heading in {name}")
                continue
            gold = it["gold"]
            if not isinstance(gold, list) or not 1 <= len(gold) <= 3:
                problems.append(f"{where}: gold must be a list of 1-3 spans")
                continue
            for g in gold:
                if not isinstance(g, str):
                    problems.append(f"{where}: gold span not a string")
                    continue
                g = nfc(g)
                if not 15 <= len(g) <= 120:
                    problems.append(
                        f"{where}: gold span length {len(g)} outside 15-120: {g[:50]!r}"
                    )
                hits = list(d.locate(g))
                if not hits:
                    problems.append(
                        f"{where}: gold span not found verbatim in one paragraph: {g[:60]!r}"
                    )
                    continue
                good = [h for h in hits if h[1] == art]
                if not good:
                    problems.append(
                        f"{where}: gold span found only in {sorted({h[1] for h in hits})},"
                        f" not {art}: {g[:50]!r}"
                    )
                    continue
                if not any(source_ok(it["source"], h[2], d, art) for h in good):
                    srcs = sorted({(h[2] or "(none)")[:70] for h in good})
                    problems.append(f"{where}: source {it['source']!r} does not match {srcs}")
            q_low = nfc(q).lower()
            for g in gold:
                if isinstance(g, str) and len(g) >= 40 and nfc(g).lower()[:40] in q_low:
                    problems.append(f"{where}: question copies a long phrase of the gold")

    problems += split_rule_problems(rows)
    problems += size_problems(counts, paths)

    for fname, c in counts.items():
        print(f"== {fname}: {c['n']} items")
        print("  split:", dict(sorted(c["split"].items())))
        print("  kind: ", dict(sorted(c["kind"].items())))
        print("  kind x split:", {f"{k}/{s}": n for (k, s), n in sorted(c["kind_split"].items())})
        if fname == "questions.jsonl":
            print(
                "  items whose article has no heading line of its own"
                f" (heading glued to the previous paragraph): {c['glued']}"
            )
            print("  per doc (total  tune/heldout):")
            for name, n in sorted(c["doc"].items(), key=lambda x: (-x[1], x[0])):
                print(
                    f"    {n:4d}  {c['doc_split'][(name, 'tune')]:3d}"
                    f"/{c['doc_split'][(name, 'heldout')]:<3d} {name}"
                )
    if problems:
        print(f"\n{len(problems)} problem(s):")
        for p in problems:
            print("  -", p)
        return 1
    print("\nOK: no problems.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
