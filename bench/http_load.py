"""50 concurrent clients asking `chithi serve` for 60 s: latency, errors, answers a second.

    .venv/bin/python bench/http_load.py [--clients 50] [--seconds 60]

Starts `chithi serve` on a free port over a data folder (CHITHI_DATA_DIR, or a temp one that
the bundled notices are ingested into first), then runs the clients with httpx, each asking
the bench questions in turn (bench/questions.jsonl) as fast as answers come back.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
CHITHI = REPO / ".venv" / "bin" / "chithi"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _questions() -> list[str]:
    lines = (REPO / "bench" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()]


async def _client(
    url: str, questions: list[str], start: int, until: float, latencies: list[float],
    errors: list[str],
) -> None:  # fmt: skip
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        i = start
        while time.perf_counter() < until:
            question = questions[i % len(questions)]
            i += 1
            began = time.perf_counter()
            try:
                response = await http.post("/api/ask", json={"question": question})
                if response.status_code != 200:
                    errors.append(str(response.status_code))
                    continue
            except httpx.HTTPError as exc:
                errors.append(type(exc).__name__)
                continue
            latencies.append((time.perf_counter() - began) * 1000)


async def _run(url: str, clients: int, seconds: float) -> None:
    questions = _questions()
    latencies: list[float] = []
    errors: list[str] = []
    until = time.perf_counter() + seconds
    began = time.perf_counter()
    await asyncio.gather(
        *(_client(url, questions, n * 7, until, latencies, errors) for n in range(clients))
    )
    elapsed = time.perf_counter() - began
    ordered = sorted(latencies)
    p95 = ordered[int(0.95 * (len(ordered) - 1))] if ordered else float("nan")
    print(f"clients {clients}, {elapsed:.0f} s: {len(latencies)} answers, {len(errors)} errors")
    print(
        f"p50 {statistics.median(ordered):.0f} ms, p95 {p95:.0f} ms, "
        f"{len(latencies) / elapsed:.1f} answers/s"
    )
    if errors:
        print("errors:", sorted(set(errors)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    data = os.environ.get("CHITHI_DATA_DIR") or tempfile.mkdtemp(prefix="chithi-http-")
    env = {**os.environ, "CHITHI_DATA_DIR": data}
    subprocess.run([str(CHITHI), "docs"], env=env, check=True, capture_output=True)
    port = _free_port()
    server = subprocess.Popen(
        [str(CHITHI), "serve", "--port", str(port)], env=env, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            sys.exit("chithi serve did not start")
        asyncio.run(_run(url, args.clients, args.seconds))
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
