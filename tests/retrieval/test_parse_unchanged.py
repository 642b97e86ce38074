"""The bundled notices and the fixtures read exactly as they did before legal texts were read.

tests/data/parsed/snapshot.json was written by `python -m tests.helpers.parsed_snapshot` at
the commit before issue 19; every Notice field is compared (metadata, paragraphs, sections,
heading trails, periods, fingerprint), and the file's kind and reading notes.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from retrieval.parse import load_notices
from tests.helpers.parsed_snapshot import REPO, SNAPSHOT, SNAPSHOT_FILES, snapshot

RECORDED: dict[str, Any] = json.loads(SNAPSHOT.read_text(encoding="utf-8"))


def _without_new_empty_fields(now: Any, before: Any) -> Any:
    """`now` without the keys `before` lacks, provided they are empty (fields added since)."""
    if isinstance(now, dict) and isinstance(before, dict):
        added = set(now) - set(before)
        assert all(now[k] in (None, (), [], "") for k in added), {k: now[k] for k in added}
        return {
            k: _without_new_empty_fields(v, before.get(k)) for k, v in now.items() if k in before
        }
    if isinstance(now, list) and isinstance(before, list) and len(now) == len(before):
        return [_without_new_empty_fields(a, b) for a, b in zip(now, before, strict=True)]
    return now


def test_the_snapshot_covers_every_bundled_notice() -> None:
    bundled = {f"data/notices/{p.name}" for p in (REPO / "data" / "notices").glob("*.txt")}
    assert bundled <= set(RECORDED) == set(SNAPSHOT_FILES)


@pytest.mark.parametrize("name", SNAPSHOT_FILES)
def test_a_notice_reads_as_it_did_before(name: str) -> None:
    before = RECORDED[name]
    now = snapshot(load_notices(REPO / name))
    assert _without_new_empty_fields(now, before) == before
