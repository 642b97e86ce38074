"""Benchmark: the pipeline inside a large index (10,000 notices, ~300,000 paragraphs).

    .venv/bin/python bench/scale.py --notices 300 --workdir var/scale-small   # debug, ~2 min
    .venv/bin/python bench/scale.py --notices 10000 --workdir var/scale       # the full run

Steps (each skipped when its output exists, so a run can be resumed):

1. build: the five bundled notices are parsed and embedded with the real e5 model; filler
   notices are recombined from them (see `Filler`) and written through ParagraphStore into an
   embedded Chroma folder, filler vectors being made from the real ones (no model call).
2. measure, in a fresh process per mode, so that memory figures are the mode's own:
   - embedded: the folder opened with Chroma's PersistentClient, as `chithi` does by default;
   - server: `chroma run --path FOLDER` started on the same folder, the bot side over HTTP.
   Each reports cold start (open + lexical index), warm `ask` latency p50/p95 without and with
   filters, RSS, index size on disk, the time to add one new notice (real model, real
   notice-sized text) and to remove it, and the dev set's scores inside the large index.

Prints one JSON object per mode (also saved in WORKDIR/results-MODE.json). Not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import json
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from retrieval import Answer, Answerer, Library, Notice, SearchFilters, load_notice  # noqa: E402
from retrieval.evaluation import evaluate, hit_rank, load_items  # noqa: E402
from retrieval.text.places import PROVINCES  # noqa: E402
from retrieval.types import NoticeMeta, Paragraph  # noqa: E402
from vectorstore import E5EmbeddingFunction, ParagraphStore  # noqa: E402

NOTICES = REPO / "data" / "notices"
DEV = REPO / "tests" / "data" / "dev.jsonl"
TUNING = REPO / "bench" / "questions.jsonl"
NOISE = 0.017  # per-dimension sd: cosine(filler, source mean) ≈ 0.95 for 384-d unit vectors
_SENTENCE = re.compile(r"(?<=[.;:!?])\s+(?=[A-ZĐÀ-Ỹ0-9“\"(-])")
_NUMBER = re.compile(r"\b\d{1,3}\b")
_DATE = re.compile(r"\b(\d{1,2})([-/])(\d{1,2})\2(20\d\d)\b")


# -- vectors: looked up, not computed ------------------------------------------------------


class LookupEmbedder(E5EmbeddingFunction):
    """e5 for queries; for passages, vectors made beforehand (by text), e5 for any other text."""

    def __init__(self) -> None:
        super().__init__()
        self.table: dict[str, np.ndarray] = {}

    def __call__(self, input: list[str]) -> list[np.ndarray]:  # type: ignore[override]
        missing = [t for t in input if t not in self.table]
        if missing:
            self.table.update(zip(missing, super().__call__(missing), strict=True))
        return [self.table[t] for t in input]


# -- the filler corpus ---------------------------------------------------------------------


@dataclasses.dataclass
class Source:
    """The real notices, split into sentences, with e5 vectors for every sentence."""

    notices: list[Notice]
    sentences: list[list[str]]  # per real body paragraph
    vectors: list[np.ndarray]  # per real body paragraph: one row per sentence
    signatures: list[str]


def ask(answerer: Answerer, question: str, **options: Any) -> Answer:
    """One answer through the one entry point, in an event loop of its own."""
    return asyncio.run(answerer.answer(question, **options))


def load_source(cache: Path, embedder: E5EmbeddingFunction) -> Source:
    notices = [load_notice(p) for p in sorted(NOTICES.glob("*.txt"))]
    body = [p for n in notices for p in n.body]
    sentences = [[s for s in _SENTENCE.split(p.text) if s.strip()] or [p.text] for p in body]
    flat = [s for group in sentences for s in group]
    if cache.exists():
        stored = np.load(cache)
    else:
        stored = np.asarray(embedder(flat), dtype=np.float32)
        np.save(cache, stored)
    vectors, start = [], 0
    for group in sentences:
        vectors.append(stored[start : start + len(group)])
        start += len(group)
    signatures = [p.text for n in notices for p in n.paragraphs if p.role == "signature"]
    return Source(notices, sentences, vectors, signatures)


class Filler:
    """Notices recombined from the real ones.

    A filler paragraph is 1-4 consecutive sentences of a real paragraph, with the chance of
    each further sentence coming from another real paragraph instead; numbers, dates and the
    province are then varied. So the vocabulary, sentence lengths and term frequencies are the
    real notices', while no filler paragraph is a copy of a real one. Its vector is the mean of
    its sentences' real e5 vectors plus Gaussian noise (sd 0.017 a dimension), normalised: close
    to what e5 would give, at no model cost.
    """

    def __init__(self, source: Source, seed: int) -> None:
        self.source = source
        self.rng = random.Random(seed)
        self.nrng = np.random.default_rng(seed)

    def notice(self, index: int) -> tuple[Notice, list[np.ndarray]]:
        rng = self.rng
        template = rng.choice(self.source.notices).meta
        province = rng.choice(PROVINCES)
        date = dt.date(2020, 3, 1) + dt.timedelta(days=rng.randrange(1000))
        doc_id = f"filler_{index:05d}"
        meta = NoticeMeta(
            doc_id=doc_id,
            title=template.title,
            kind=template.kind,
            date=date,
            province=province,
            issuer=template.issuer,
            signer=f"Nguyễn Văn {rng.choice('ABCDEGHKLMNPQSTV')}",
            number=f"{rng.randrange(1, 999)}-TB/TU",
        )
        count = max(8, min(60, round(rng.gauss(29, 9))))
        paragraphs, vectors = [], []
        for position in range(count):
            text, vector = self._paragraph(province, date)
            section = f"{position // 4 + 1}." if position else None
            paragraphs.append(Paragraph(doc_id, position, text, section=section))
            vectors.append(vector)
        signature = self._vary(rng.choice(self.source.signatures), province, date)
        paragraphs.append(Paragraph(doc_id, count, signature, role="signature"))
        vectors.append(self._noisy(self.source.vectors[0].mean(axis=0)))
        return Notice(meta, tuple(paragraphs), fingerprint=f"f{index}"), vectors

    def _paragraph(self, province: str, date: dt.date) -> tuple[str, np.ndarray]:
        rng, src = self.rng, self.source
        p = rng.randrange(len(src.sentences))
        start = rng.randrange(len(src.sentences[p]))
        want = rng.choice((1, 1, 2, 2, 3, 4))
        picked: list[tuple[int, int]] = []
        while len(picked) < want:
            picked.append((p, start))
            if rng.random() < 0.35 or start + 1 >= len(src.sentences[p]):
                p = rng.randrange(len(src.sentences))
                start = rng.randrange(len(src.sentences[p]))
            else:
                start += 1
        text = " ".join(src.sentences[i][j] for i, j in picked)
        vector = np.mean([src.vectors[i][j] for i, j in picked], axis=0)
        return self._vary(text, province, date), self._noisy(vector)

    def _vary(self, text: str, province: str, date: dt.date) -> str:
        rng = self.rng
        for name in PROVINCES:
            if name in text:
                text = text.replace(name, province)
        text = _DATE.sub(
            lambda m: (date + dt.timedelta(days=rng.randrange(-20, 40))).strftime(
                f"%d{m.group(2)}%m{m.group(2)}%Y"
            ),
            text,
        )
        return _NUMBER.sub(
            lambda m: (
                str(max(1, int(m.group()) + rng.randrange(-5, 6)))
                if rng.random() < 0.6
                else m.group()
            ),
            text,
        )

    def _noisy(self, vector: np.ndarray) -> np.ndarray:
        noisy = vector / np.linalg.norm(vector) + self.nrng.normal(0, NOISE, vector.shape)
        return (noisy / np.linalg.norm(noisy)).astype(np.float32)


# -- build ---------------------------------------------------------------------------------


def build(workdir: Path, notices: int, seed: int) -> dict[str, Any]:
    folder = workdir / "chroma"
    done = workdir / "built.json"
    if done.exists():
        return dict(json.loads(done.read_text()))
    shutil.rmtree(folder, ignore_errors=True)
    embedder = LookupEmbedder()
    source = load_source(workdir / "sentences-e5.npy", embedder)
    store = ParagraphStore.persistent(str(folder), embedder=embedder)
    started = time.perf_counter()
    for notice in source.notices:  # the real ones: real e5 vectors
        _put(store, notice)
    real_done = time.perf_counter()
    filler = Filler(source, seed)
    rows = 0
    pending: list[tuple[Notice, list[np.ndarray]]] = []
    for i in range(notices - len(source.notices)):
        pending.append(filler.notice(i))
        if len(pending) == 60 or i == notices - len(source.notices) - 1:
            rows += _bulk_put(store, pending)
            pending = []
        if i % 1000 == 0:
            print(f"  {i} filler notices, {rows} rows, {time.perf_counter() - real_done:.0f} s",
                  file=sys.stderr, flush=True)  # fmt: skip
    finished = time.perf_counter()
    store.close()
    info = {
        "notices": notices,
        "rows": store_rows(folder),
        "real_notices_s": round(real_done - started, 1),
        "filler_write_s": round(finished - real_done, 1),
        "filler_rows_per_s": round(rows / (finished - real_done), 1),
    }
    done.write_text(json.dumps(info))
    return info


def _put(store: ParagraphStore, notice: Notice) -> None:
    from retrieval.index.records import catalog_metadata, paragraph_metadata

    store.put_document(
        notice.meta.doc_id, notice.fingerprint or notice.meta.doc_id, catalog_metadata(notice),
        [p.text for p in notice.paragraphs],
        [paragraph_metadata(notice, p) for p in notice.paragraphs],
        batch_size=len(notice.paragraphs),
    )  # fmt: skip


def _bulk_put(store: ParagraphStore, batch: list[tuple[Notice, list[np.ndarray]]]) -> int:
    """Write many filler notices at once, ending in the state put_document leaves.

    A set-up shortcut (put_document writes one notice in ~5 calls; 10,000 notices that way
    take half an hour): rows under versioned ids, then the catalog records, then the state
    token. The notices measured as "added" go through Library.put like any other.
    """
    from retrieval.index.records import catalog_metadata, paragraph_metadata
    from vectorstore import row_id

    ids, texts, vectors, metas = [], [], [], []
    for notice, notice_vectors in batch:
        version = notice.fingerprint
        for p, v in zip(notice.paragraphs, notice_vectors, strict=True):
            ids.append(row_id(notice.meta.doc_id, version, p.position))
            texts.append(p.text)
            vectors.append(v)
            meta = paragraph_metadata(notice, p)
            metas.append({**meta, "doc_id": notice.meta.doc_id, "version": version})
    store._paragraphs.upsert(ids=ids, documents=texts, embeddings=vectors, metadatas=metas)
    records = [
        {**catalog_metadata(n), "version": n.fingerprint, "paragraphs": len(n.paragraphs)}
        for n, _ in batch
    ]
    store._catalog.upsert(
        ids=[n.meta.doc_id for n, _ in batch], embeddings=[[1.0]] * len(batch), metadatas=records
    )
    store._touch_state()
    return len(ids)


def store_rows(folder: Path) -> int:
    store = ParagraphStore.persistent(str(folder), embedder=E5EmbeddingFunction())
    try:
        return store.count()
    finally:
        store.close()


# -- measure -------------------------------------------------------------------------------


def questions() -> list[str]:
    found = []
    for path in (DEV, TUNING):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                found.append(json.loads(line)["question"])
    return found


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def rss_mb(pid: int | str = "self") -> dict[str, float]:
    status = Path(f"/proc/{pid}/status").read_text()
    found = dict(re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", status, re.M))
    return {"rss_mb": int(found["VmRSS"]) / 1024, "peak_rss_mb": int(found["VmHWM"]) / 1024}


def du_mb(path: Path) -> float:
    if not path.exists():
        return 0.0
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def timed_asks(answerer: Answerer, asked: list[str], filters: SearchFilters | None) -> list[float]:
    timings = []
    # Every pass embeds every question, as for a new one (not a vector remembered from before).
    answerer.library.forget_query_vectors()
    for question in asked:
        started = time.perf_counter()
        ask(answerer, question, filters=filters)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def quality(answerer: Answerer, real_ids: set[str]) -> dict[str, Any]:
    items = load_items(DEV)
    answers: dict[str, Answer] = {}

    def asked(question: str) -> Answer:
        answers[question] = ask(answerer, question)
        return answers[question]

    report = evaluate(items, asked)
    overall = report.overall.row()
    strict = 0  # the first citation is the real notice's paragraph, not a filler variant
    for item in items:
        answer = answers[item.question]
        if item.expect == "answer" and answer.citations:
            first = dataclasses.replace(answer, citations=answer.citations[:1])
            strict += hit_rank(first, item.gold) == 1 and first.citations[0].doc_id in real_ids
    # What a cadre would do: restrict to the province of the notice the question is about.
    provinces = {n.meta.doc_id: n.meta.province for n in map(load_notice, NOTICES.glob("*.txt"))}
    raw = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line]
    doc_of = {r["id"]: Path(r["doc"]).stem for r in raw if r.get("doc")}
    scoped = scoped_real = answerable = 0
    for item in items:
        province = provinces.get(doc_of.get(item.id, ""))
        if item.expect != "answer" or not province:
            continue
        answerable += 1
        answer = ask(answerer, item.question, filters=SearchFilters(province=province))
        top = dataclasses.replace(answer, citations=answer.citations[:1])
        if hit_rank(top, item.gold) == 1:
            scoped += 1
            scoped_real += top.citations[0].doc_id in real_ids
    return {
        "with_province_filter": {
            "n": answerable,
            "hit@1": scoped / max(1, answerable),
            "hit@1_real_notice": scoped_real / max(1, answerable),
        },
        "hit@1": overall["hit@1"],
        "hit@3": overall["hit@3"],
        "mrr": overall["mrr"],
        "refusal_acc": overall["refusal_acc"],
        "wrongly_refused": overall["wrongly_refused"],
        "hit@1_real_notice": strict / max(1, overall["answerable"]),
        "misses": [m[0] for m in report.misses],
    }


def measure(mode: str, workdir: Path, rounds: int) -> dict[str, Any]:
    folder = workdir / "chroma"
    lexical = workdir / f"lexical-{mode}"
    server = None
    copied = mode == "server" and (workdir / "lexical-embedded").exists()
    # The first-start rebuild is measured on its own (--rebuild-only); here both modes start
    # from saved files, as a restarted bot does.
    if copied:  # the rebuild was measured in the embedded run; start from its files
        shutil.rmtree(lexical, ignore_errors=True)
        for path in workdir.glob("lexical-embedded*"):
            target = workdir / path.name.replace("lexical-embedded", f"lexical-{mode}")
            (shutil.copytree if path.is_dir() else shutil.copy)(path, target)
    started = time.perf_counter()
    if mode == "server":
        server, url = start_server(folder)
        store = ParagraphStore.remote(url, embedder=E5EmbeddingFunction())
    else:
        store = ParagraphStore.persistent(str(folder), embedder=E5EmbeddingFunction())
    try:
        library = Library(store, lexical_dir=lexical)
        start_s = time.perf_counter() - started
        answerer = Answerer(library, hotline="1900 9095")
        ask(answerer, "5K là gì?")  # load the model
        asked = questions()
        result: dict[str, Any] = {
            "mode": mode,
            "rows": store.count(),
            "documents": len(library.catalog),
            "start_from_files_s": round(start_s, 2),
            "lexical_files_copied_from_embedded_run": copied,
        }
        filters = {
            "none": None,
            "province": SearchFilters(province="Kiên Giang"),
            "dates": SearchFilters(date_from=dt.date(2021, 9, 1), date_to=dt.date(2021, 9, 30)),
        }
        for name, chosen in filters.items():
            timings = [t for _ in range(rounds) for t in timed_asks(answerer, asked, chosen)]
            result[f"ask_{name}"] = {
                "n": len(timings),
                "p50_ms": round(percentile(timings, 50), 1),
                "p95_ms": round(percentile(timings, 95), 1),
                "max_ms": round(max(timings), 1),
            }
        real_ids = {n.stem for n in NOTICES.glob("*.txt")}
        result["quality"] = quality(answerer, real_ids)
        result["memory"] = rss_mb()
        if server is not None:
            result["server_memory"] = rss_mb(server.pid)
        result["disk_mb"] = {"chroma": round(du_mb(folder), 1), "lexical": round(du_mb(lexical), 1)}
        result["add_notice"] = add_and_remove(library)
        return result
    finally:
        store.close()
        if server is not None:
            server.terminate()
            server.wait(30)


def add_and_remove(library: Library) -> dict[str, float]:
    """Add a new notice (a real one under a new id: real text, real model), then remove it."""
    path = max(NOTICES.glob("*.txt"), key=lambda p: p.stat().st_size)
    notice = load_notice(path, doc_id="scale_new_notice")
    started = time.perf_counter()
    library.put(notice)
    added = time.perf_counter() - started
    embed_started = time.perf_counter()
    E5EmbeddingFunction()([p.text for p in notice.paragraphs])
    embed_only = time.perf_counter() - embed_started
    started = time.perf_counter()
    library.remove("scale_new_notice")
    removed = time.perf_counter() - started
    return {
        "paragraphs": len(notice.paragraphs),
        "add_s": round(added, 2),
        "of_which_embedding_s": round(embed_only, 2),
        "remove_s": round(removed, 2),
    }


def start_server(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    import socket

    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    chroma = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    process = subprocess.Popen(
        [chroma, "run", "--path", str(folder), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            httpx.get(f"{url}/api/v2/heartbeat", timeout=2)
            return process, url
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("chroma run did not start")


def machine() -> dict[str, Any]:
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(),
        "load_avg_at_start": os.getloadavg(),
    }


def modes(chosen: str) -> Iterator[str]:
    yield from ("embedded", "server") if chosen == "both" else (chosen,)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notices", type=int, default=10_000)
    parser.add_argument("--workdir", type=Path, default=REPO / "var" / "scale")
    parser.add_argument("--mode", choices=["embedded", "server", "both"], default="both")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--measure-one", choices=["embedded", "server"], help=argparse.SUPPRESS)
    parser.add_argument("--rebuild-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    if args.rebuild_only:  # a child: the lexical index built from nothing (a first start)
        folder, lexical = args.workdir / "chroma", args.workdir / "lexical-embedded"
        for path in args.workdir.glob("lexical-embedded*"):
            shutil.rmtree(path) if path.is_dir() else path.unlink()
        store = ParagraphStore.persistent(str(folder), embedder=E5EmbeddingFunction())
        started = time.perf_counter()
        Library(store, lexical_dir=lexical)
        result = {"rebuild_s": round(time.perf_counter() - started, 1), **rss_mb()}
        (args.workdir / "results-rebuild.json").write_text(json.dumps(result))
        return
    if args.measure_one:  # the child process of one mode
        result = measure(args.measure_one, args.workdir, args.rounds)
        (args.workdir / f"results-{args.measure_one}.json").write_text(json.dumps(result))
        return
    print(json.dumps({"machine": machine()}))
    print(json.dumps({"build": build(args.workdir, args.notices, args.seed)}), flush=True)
    if not (args.workdir / "results-rebuild.json").exists():
        subprocess.run([sys.executable, __file__, "--workdir", str(args.workdir),
                        "--rebuild-only"], check=True)  # fmt: skip
    print((args.workdir / "results-rebuild.json").read_text(), flush=True)
    for mode in modes(args.mode):
        subprocess.run(
            [sys.executable, __file__, "--workdir", str(args.workdir), "--rounds",
             str(args.rounds), "--measure-one", mode],
            check=True,
        )  # fmt: skip
        print((args.workdir / f"results-{mode}.json").read_text(), flush=True)


if __name__ == "__main__":
    main()
