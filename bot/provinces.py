"""A province typed by a user, resolved one way for every front end (CLI, terminal, Telegram)."""

from __future__ import annotations

from retrieval import Library
from retrieval.text import canonical_province


def province_with_notices(library: Library, typed: str) -> str | None:
    """The province a typed name means ("tphcm", "Sài Gòn", "kien giang"), if it has notices.

    Args:
        library: the indexed notices, whose provinces are the ones that can be chosen.
        typed: the name as the user wrote it: any case, with or without diacritics, or a
            common alias.

    Returns:
        The canonical spelling ("TP. Hồ Chí Minh"), or None when the name is no province or
        no notice of that province is indexed.
    """
    name = canonical_province(typed)
    return name if name is not None and name in library.provinces else None
