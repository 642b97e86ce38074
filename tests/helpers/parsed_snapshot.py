"""What `load_notices` makes of the bundled notices and the fixtures, as JSON, to compare.

`python -m tests.helpers.parsed_snapshot` writes tests/data/parsed/snapshot.json from the
code as it is; tests/retrieval/test_parse_unchanged.py compares the code as it is now with
that file. The file was written at the commit before the legal-text parsing (issue 19), so a
change of the parser that moves anything in these notices shows in that test.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

from retrieval.parse import LoadedFile, load_notices

REPO = Path(__file__).resolve().parent.parent.parent
SNAPSHOT = REPO / "tests" / "data" / "parsed" / "snapshot.json"
# The files whose reading must not move: the bundled notices and every fixture that the
# parser reads without OCR (OCR output is the readers' business and slow on 2 cores). The
# codified law in tests/data/phapdien-* is left out: issue 19 changes how it is read.
SNAPSHOT_FILES = (
    *sorted(str(p.relative_to(REPO)) for p in (REPO / "data" / "notices").glob("*.txt")),
    "tests/data/tphcm-quan-an.txt",
    "tests/data/validity/lam-dong-2021-10-01.txt",
    "tests/data/validity/lam-dong-2022-03-01.txt",
    "tests/data/readers/portal_page.html",
    "tests/data/readers/notice.doc",
    "tests/data/readers/scanned_notice.txt",
    *(
        f"tests/data/legacy/{name}"
        for name in (
            "notice_cp1258.txt",
            "notice_tcvn3.txt",
            "notice_tcvn3_as_utf8.txt",
            "notice_utf16le.txt",
            "notice_utf8.txt",
            "notice_vni.txt",
            "numbered.docx",
            "one_table.docx",
            "template.docx",
            "vni.docx",
            "vntime.docx",
            "mojibake.docx",
        )  # fmt: skip
    ),
)


def snapshot(loaded: LoadedFile) -> dict[str, Any]:
    """A loaded file as plain JSON values: every field of every Notice, the kind and notes."""
    plain: dict[str, Any] = json.loads(
        json.dumps(
            {
                "notices": [dataclasses.asdict(n) for n in loaded.notices],
                "kind": loaded.kind,
                "notes": list(loaded.notes),
            },
            default=_plain,
            ensure_ascii=False,
        )
    )
    return plain


def current() -> dict[str, dict[str, Any]]:
    """The snapshot of every file in SNAPSHOT_FILES, read by the code as it is."""
    return {name: snapshot(load_notices(REPO / name)) for name in SNAPSHOT_FILES}


def _plain(value: object) -> object:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"cannot put {type(value).__name__} into the snapshot")


if __name__ == "__main__":
    SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
    SNAPSHOT.write_text(
        json.dumps(current(), ensure_ascii=False, indent=1, sort_keys=True) + "\n",
        encoding="utf-8",
    )
