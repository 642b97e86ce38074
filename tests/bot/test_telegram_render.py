"""Rendering answers as Telegram HTML, and splitting long replies without breaking tags."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from bot import messages
from bot.telegram import buttons as telegram_buttons
from bot.telegram.render import Block, answer_blocks, pack, units
from retrieval import Answer, Answerer, Citation, NoticeMeta, Origin, phrasing
from tests.helpers.asking import ask
from tests.helpers.telegram_html import ParsedText, parse_html


def visible(parts: list[str]) -> list[str]:
    """What users see of each part; parse_html raises on broken or unknown tags."""
    return [parse_html(part).text for part in parts]


def entity_texts(parsed: ParsedText, kind: str) -> list[str]:
    """The text each entity of a kind covers (offsets are UTF-16 code units)."""
    text = parsed.text.encode("utf-16-le")
    return [
        text[2 * e["offset"] : 2 * (e["offset"] + e["length"])].decode("utf-16-le")
        for e in parsed.entities
        if e["type"] == kind
    ]


def citation(
    n: int, quote: str, doc_id: str = "000_95f2b98f29028119", province: str | None = None
) -> Citation:
    return Citation(
        doc_id=doc_id, paragraph_id=f"{doc_id}:{n}", title="Thông báo kết luận",
        date=dt.date(2021, 9, 16), section=str(n), quote=quote, score=1.0, province=province,
    )  # fmt: skip


def test_short_answer_is_one_message_with_escaped_text() -> None:
    answer = Answer("q", "answered", "Lead <b> & *x* _y_", citations=(citation(8, "a < b & c"),))
    [part] = pack(answer_blocks(answer))
    assert part.startswith("Lead &lt;b&gt; &amp; *x* _y_\n\n<b>[1] 16/9/2021 · mục 8</b>\n")
    assert "<blockquote expandable><i>Thông báo kết luận</i>\na &lt; b &amp; c</blockquote>" in part
    assert parse_html(part).text.startswith("Lead <b> & *x* _y_")


def test_long_answer_splits_between_citations_and_keeps_every_quote_whole() -> None:
    quotes = [f"Đoạn {n}: " + "khẩu trang & khoảng cách < 2m. " * 50 for n in range(1, 4)]
    provinces = ("Gia Lai", "Gia Lai", "Kiên Giang")  # a third province's quote is shown
    cited = tuple(
        citation(n, quote, province=province)
        for n, (quote, province) in enumerate(zip(quotes, provinces, strict=True), 1)
    )
    answer = Answer("q", "answered", "Lead", citations=cited)
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


@pytest.mark.parametrize(
    ("kind", "number", "date", "section", "label"),
    [
        ("Thông báo kết luận", None, dt.date(2021, 9, 16), "8", "Gia Lai · TB 16/9/2021 · mục 8"),
        (
            "Thông báo ý kiến",
            None,
            dt.date(2021, 11, 22),
            "3.1",
            "Gia Lai · TB 22/11/2021 · mục 3.1",
        ),
        ("Chỉ thị", "15/CT-TU", dt.date(2021, 7, 1), "2", "Gia Lai · CT số 15/CT-TU · mục 2"),
        ("Chỉ thị", None, None, "1", "Gia Lai · CT không ghi ngày · mục 1"),
        ("Quyết định", "Số 2686/QĐ-BCĐQG", None, None, "Gia Lai · QĐ số 2686/QĐ-BCĐQG"),
        ("Kế hoạch", None, dt.date(2022, 1, 5), None, "Gia Lai · KH 5/1/2022"),
        ("Công văn", None, dt.date(2022, 1, 5), "2", "Gia Lai · CV 5/1/2022 · mục 2"),
        ("Nghị quyết", None, dt.date(2022, 1, 5), "2", "Gia Lai · NQ 5/1/2022 · mục 2"),
        ("Luật", "03/2007/QH12", None, "Điều 12", "Gia Lai · Luật số 03/2007/QH12 · Điều 12"),
        ("Thông tư", None, dt.date(2022, 1, 5), None, "Gia Lai · Thông tư 5/1/2022"),
        (None, None, dt.date(2021, 9, 16), "8", "Gia Lai · 16/9/2021 · mục 8"),
    ],
)
def test_short_source_abbreviates_the_kind_and_prefers_the_number_to_the_date(
    kind: str | None, number: str | None, date: dt.date | None, section: str | None, label: str
) -> None:
    assert phrasing.short_source("Gia Lai", kind, number, date, section) == label


def test_a_codified_article_is_headed_by_its_original_document() -> None:
    decree = Origin("Nghị định số 101/2010/NĐ-CP", "Điều 11", codified="Điều 45.7.NĐ.1.11")
    law = Origin("Luật số 03/2007/QH12", "Điều 48", "Phòng, chống bệnh truyền nhiễm")
    cited = dataclasses.replace(citation(1, "q"), date=None, section="Điều 11, khoản 1")
    meta = NoticeMeta(doc_id="pd", title="Phòng, chống bệnh truyền nhiễm", kind="Pháp điển")
    heading = messages.citation_heading(2, dataclasses.replace(cited, origin=decree), meta)
    assert heading == "[2] Nghị định 101/2010/NĐ-CP · Điều 11, khoản 1"
    cited = dataclasses.replace(cited, origin=law, section="Điều 48, khoản 2")
    assert messages.citation_heading(1, cited) == (
        "[1] Luật Phòng, chống bệnh truyền nhiễm · Điều 48, khoản 2"
    )


def test_a_third_citation_is_shown_only_from_another_province() -> None:
    same = tuple(citation(n, f"q{n}", province="Gia Lai") for n in (1, 2, 3))
    assert messages.shown_citations(same) == same[:2]
    other = (*same[:2], dataclasses.replace(same[2], province="Kiên Giang"))
    assert messages.shown_citations(other) == other


def test_a_bundled_answer_shows_short_sources_and_titles_inside_the_quotes(
    answerer: Answerer,
) -> None:
    answer = ask(answerer, "Kiên Giang giãn cách xã hội ở những huyện nào?")
    assert len(answer.citations) == 3, "this test needs three citations of one province"
    assert {c.province for c in answer.citations} == {"Kiên Giang"}
    [part] = pack(answer_blocks(answer, catalog=answerer.library.catalog))
    parsed = parse_html(part)
    title = answerer.library.catalog["001_5c18a4811e1b304d"].title
    sources = entity_texts(parsed, "bold")
    assert sources == [
        f"[{n}] Kiên Giang · TB 13/9/2021 · mục {c.section}"
        for n, c in enumerate(answer.citations[:2], start=1)
    ]
    assert all(len(source) <= 40 for source in sources)  # one line on a phone
    quotes = entity_texts(parsed, "expandable_blockquote")
    assert quotes == [f"{title}\n{c.quote}" for c in answer.citations[:2]]
    assert entity_texts(parsed, "italic") == [title, title]
    assert "[3]" not in parsed.text
    assert title not in parsed.text.split("\n\n")[1].split("\n")[0]  # not in the source line


def test_source_buttons_fill_one_row_full_view_only_for_cut_quotes() -> None:
    provinces = ("Gia Lai", "Kiên Giang", "Lai Châu")
    answer = Answer("q", "answered", "Lead", citations=tuple(
        citation(n, f"q{n}", doc_id=f"doc{n}", province=p) for n, p in enumerate(provinces, 1)
    ))  # fmt: skip
    markup = telegram_buttons.answer_keyboard(answer, "key", whole={"doc1:1", "doc3:3"})
    assert markup is not None
    [sources, feedback] = [[b.text for b in row] for row in markup.inline_keyboard]
    assert sources == ["📎 Văn bản gốc [1]", "📄 Xem đầy đủ [2]", "📎 Văn bản gốc [2]"]
    assert feedback == ["👍 Hữu ích", "👎 Chưa đúng"]
    whole = {c.paragraph_id for c in answer.citations}
    markup = telegram_buttons.answer_keyboard(answer, None, whole=whole)
    assert markup is not None
    [[*labels]] = [[b.text for b in row] for row in markup.inline_keyboard]
    assert labels == ["📎 Văn bản gốc [1]", "📎 Văn bản gốc [2]", "📎 Văn bản gốc [3]"]


def test_a_quote_cut_over_messages_has_its_title_in_the_first_part_only() -> None:
    block = Block("Người dân thực hiện nghiêm 5K. " * 300, head="[1] Gia Lai", caption="Tiêu đề")
    block = dataclasses.replace(block, style="expandable")
    parts = pack([block])
    assert len(parts) > 1
    assert all(units(p) <= 4096 for p in parts)
    assert [p.count("<i>Tiêu đề</i>") for p in parts] == [1] + [0] * (len(parts) - 1)
    assert all(p.count("<blockquote expandable>") == p.count("</blockquote>") == 1 for p in parts)
