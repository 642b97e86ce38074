"""The Debian programs the file readers run, required by the tests that read such files.

A test that reads a scan or a .doc fails, naming what is missing, rather than skipping: a skip
would let OCR or .doc reading go untested without anyone noticing. `make setup-system`
(scripts/system_packages.sh) installs them; so does docker/Dockerfile.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

__all__ = ["require_programs"]


def require_programs(*programs: str) -> None:
    """Fail the calling test unless every program is installed (tesseract: with Vietnamese).

    Args:
        programs: command names, e.g. ``"tesseract"``, ``"pdftoppm"``, ``"antiword"``.
    """
    missing = [p for p in programs if shutil.which(p) is None]
    if "tesseract" in programs and "tesseract" not in missing and not _tesseract_has_vietnamese():
        missing.append("tesseract's Vietnamese data (tesseract-ocr-vie)")
    if missing:
        pytest.fail(
            f"{', '.join(missing)} not installed; run `make setup-system` "
            "(scripts/system_packages.sh) to install the file readers' programs",
            pytrace=False,
        )


def _tesseract_has_vietnamese() -> bool:
    done = subprocess.run(
        ["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30, check=False
    )
    return "vie" in done.stdout.split()
