"""Builders for LLM tests: passages to cite, and a lead writer tuned for fast tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from retrieval import NoticeMeta, OpenAILeadWriter, Paragraph, Passage

GOOD_LEAD = "5K gồm khẩu trang, khử khuẩn, khoảng cách, không tập trung, khai báo y tế [1]."

_META = NoticeMeta(
    "000_test", "Thông báo kết luận của Thường trực Tỉnh ủy", date=dt.date(2021, 9, 16)
)
PASSAGES = (
    Passage(
        Paragraph(
            "000_test",
            7,
            "Đẩy mạnh thông điệp 5K “Khẩu trang - Khử khuẩn - Khoảng cách - Không tập trung - "
            "Khai báo y tế” và thông điệp 5T.",
            section="8",
        ),
        _META,
        1.0,
    ),
    Passage(
        Paragraph("000_test", 9, "Cách ly tập trung trong thời gian 21 ngày.", section="9"),
        _META,
        0.8,
    ),
)


def fast_writer(base_url: str, **options: Any) -> OpenAILeadWriter:
    """A writer with a 5 s budget for the scripted server; options override the defaults."""
    settings: dict[str, Any] = {
        "base_url": base_url,
        "api_key": "sk-test-not-a-secret",
        "timeout": 5.0,
    }
    settings.update(options)
    return OpenAILeadWriter("gpt-4o-mini", **settings)
