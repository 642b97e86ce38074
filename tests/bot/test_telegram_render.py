"""Rendering answers as Telegram HTML, and splitting long replies without breaking tags."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.telegram import buttons as telegram_buttons
from bot.telegram.render import Block, answer_blocks, pack, units
from retrieval import Answer, Citation
from tests.helpers.telegram_html import parse_html


def visible(parts: list[str]) -> list[str]:
    """What users see of each part; parse_html raises on broken or unknown tags."""
    return [parse_html(part).text for part in parts]


def citation(n: int, quote: str, doc_id: str = "000_95f2b98f29028119") -> Citation:
    return Citation(
        doc_id=doc_id, paragraph_id=f"{doc_id}:{n}", title="Thông báo kết luận",
        date=dt.date(2021, 9, 16), section=str(n), quote=quote, score=1.0,
    )  # fmt: skip


def test_short_answer_is_one_message_with_escaped_text() -> None:
    answer = Answer("q", "answered", "Lead <b> & *x* _y_", citations=(citation(8, "a < b & c"),))
    [part] = pack(answer_blocks(answer))
    assert part.startswith("Lead &lt;b&gt; &amp; *x* _y_\n\n<b>[1] Thông báo kết luận, 16/9/2021")
    assert "<blockquote expandable>a &lt; b &amp; c</blockquote>" in part
    assert parse_html(part).text.startswith("Lead <b> & *x* _y_")


def test_long_answer_splits_between_citations_and_keeps_every_quote_whole() -> None:
    quotes = [f"Đoạn {n}: " + "khẩu trang & khoảng cách < 2m. " * 40 for n in range(1, 5)]
    answer = Answer("q", "answered", "Lead", citations=tuple(citation(n, q) for n, q in
                                                             enumerate(quotes, 1)))  # fmt: skip
    parts = pack(answer_blocks(answer))
    assert len(parts) > 1
    assert all(units(p) <= 4096 for p in parts)
    seen = "\n\n".join(visible(parts))
    for quote in quotes:
        assert quote.strip() in seen


def test_one_huge_paragraph_is_cut_at_sentences_inside_balanced_tags() -> None:
    sentence = "Người dân thực hiện nghiêm 5K & <không> tụ tập đông người. "
    block = Block(sentence * 300, head="Tiêu đề & mục 1", style="quote")
    parts = pack([block])
    assert len(parts) >= 4
    assert all(units(p) <= 4096 for p in parts)
    texts = visible(parts)
    assert texts[0].startswith("Tiêu đề & mục 1\n")
    assert all(t.rstrip().endswith("người.") for t in texts)
    assert " ".join(t.removeprefix("Tiêu đề & mục 1\n") for t in texts) == (sentence * 300).strip()
    assert all(p.count("<blockquote>") == p.count("</blockquote>") == 1 for p in parts)


def test_text_without_any_boundary_is_cut_hard_and_still_fits() -> None:
    parts = pack([Block("&" * 5000)])
    assert all(units(p) <= 4096 for p in parts)
    assert "".join(visible(parts)) == "&" * 5000


def test_emoji_count_as_two_units() -> None:
    parts = pack([Block("😀" * 3000)])
    assert len(parts) == 2
    assert all(units(p) <= 4096 for p in parts)


def test_not_found_suggests_related_topics_or_examples() -> None:
    related = Answer("q", "not_found", "Không có.", related_topics=("Tiêm chủng", "Cách ly"))
    text = visible(pack(answer_blocks(related, examples=("5K là gì?",))))[0]
    assert "• Tiêm chủng\n• Cách ly" in text
    bare = Answer("q", "not_found", "Không có.")
    assert "• 5K là gì?" in visible(pack(answer_blocks(bare, examples=("5K là gì?",))))[0]


@pytest.mark.parametrize(
    ("data", "kind", "value"),
    [
        ("p:000_95f2b98f29028119:9", "paragraph", "000_95f2b98f29028119:9"),
        ("d:000_95f2b98f29028119", "document", "000_95f2b98f29028119"),
        ("f:AbC-12_x:1", "feedback", "AbC-12_x"),
        ("q:2", "example", "2"),
    ],
)
def test_callback_data_round_trips(data: str, kind: str, value: str) -> None:
    press = telegram_buttons.decode(data)
    assert press is not None
    assert (press.kind, press.value) == (kind, value)


@pytest.mark.parametrize("data", [None, "", "p:", "d:", "f:k:2", "q:x", "zz", "p:" + "a" * 70])
def test_malformed_callback_data_is_rejected(data: str | None) -> None:
    assert telegram_buttons.decode(data) is None


def test_buttons_fit_64_bytes_even_for_the_longest_document_id() -> None:
    doc_id = "x" * 48
    answer = Answer("q", "answered", "Lead", citations=(citation(12345, "q", doc_id),))
    markup = telegram_buttons.answer_keyboard(answer, "k" * 8)
    assert markup is not None
    data = [b.callback_data for row in markup.inline_keyboard for b in row]
    assert data[0] == f"p:{doc_id}:12345"
    assert all(isinstance(d, str) and len(d.encode()) <= 64 for d in data)
