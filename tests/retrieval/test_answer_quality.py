"""Answer only what the notices answer, and lead with the part that answers (real e5, real index).

None of these questions is in the question sets the answerability weights were fitted on.
"""

from __future__ import annotations

import re

import pytest

from retrieval import Answer, Answerer, Library
from retrieval.answer import phrasing
from retrieval.search import Query
from retrieval.types import Passage
from tests.helpers.asking import ask

HOTLINE = "1900 9095"


@pytest.mark.parametrize(
    "question",
    [
        "Tôi bị viêm gan B có tiêm vắc xin được không?",
        "Người bị hen suyễn có nên tiêm vắc xin Covid không?",
        "Ứng dụng PC-Covid khai báo thế nào?",
        "Biến chủng Omicron có nguy hiểm hơn Delta không?",
        "Chó mèo có lây Covid cho người không?",
        "Uống nước chanh có chữa được Covid không?",
        "toi bi viem gan b co tiem vac xin duoc khong",
    ],
)
def test_a_question_about_what_no_notice_mentions_is_not_found_with_the_hotline(
    answerer: Answerer, question: str
) -> None:
    answer = ask(answerer, question)
    assert answer.status == "not_found"
    assert not answer.citations
    assert answer.text.startswith(f"Vui lòng gọi đường dây nóng {HOTLINE}")


def test_not_found_offers_section_headings_or_document_titles(
    answerer: Answerer, bundled_library: Library
) -> None:
    answer = ask(answerer, "Tôi bị viêm gan B có tiêm vắc xin được không?")
    titles = {phrasing.doc_label(m) for m in bundled_library.catalog.values()}
    headings = {
        re.sub(r"^\d{1,2}(?:\.\d{1,2})*\.\s*", "", h).rstrip(":")
        for d in bundled_library.catalog
        for p in bundled_library.paragraphs(d)
        for h in p.headings
    }
    assert answer.related_topics
    for topic in answer.related_topics:
        assert topic in titles | headings
        assert not topic.endswith("…")


def test_people_are_the_soldiers_not_the_fortress(answerer: Answerer) -> None:
    answer = ask(answerer, "Người dân được coi là gì trong phòng chống dịch?")
    assert answer.status == "answered"
    lead = answer.text.splitlines()[0]
    assert "chiến sỹ" in lead
    assert "pháo đài" not in lead
    assert "là là" not in lead


@pytest.mark.parametrize(
    ("question", "fact"),
    [
        ("Cách ly tập trung bao nhiêu ngày ở vùng có ca bệnh?", "21 ngày"),
        ("Trẻ bao nhiêu tuổi được tiêm mũi 2?", "5 đến dưới 12 tuổi"),
        ("Huyện An Biên giãn cách theo chỉ thị nào, từ ngày nào?", "14-9-2021"),
        ("Hà Tiên áp dụng chỉ thị nào?", "16/CT-TTg"),
    ],
)
def test_the_lead_carries_the_number_date_or_document_asked_for(
    answerer: Answerer, question: str, fact: str
) -> None:
    answer = ask(answerer, question)
    assert answer.status == "answered"
    assert fact in answer.text.splitlines()[0]


def test_the_first_answer_is_the_one_that_holds_the_fact_asked_for(
    answerer: Answerer,
) -> None:
    # Lai Châu's newer notice pauses the quarantine camps; Gia Lai's directive gives the days:
    # newest-first no longer puts a province's notice ahead of the answer (issue 19). The
    # pause states no number of days ("số ca nhiễm Covid-19 hàng ngày" is none): it is cited,
    # not led with.
    answer = ask(answerer, "Phải cách ly tập trung bao nhiêu ngày?")
    lead = answer.text.splitlines()[0]
    assert lead.startswith("Gia Lai, chỉ thị (không ghi ngày): ")
    first = lead.split("; ")[0]
    assert "21 ngày" in first
    assert "Lai Châu" not in first
    assert any("Tạm dừng" in c.quote for c in answer.citations)


def test_of_two_provinces_as_sure_the_one_saying_what_was_asked_comes_first(
    answerer: Answerer,
) -> None:
    # Vĩnh Phúc's "Thường trực Tỉnh ủy yêu cầu Ban Chỉ đạo …" and Gia Lai's "… nhiệm vụ cấp
    # bách, trọng tâm hàng đầu …" answer about as surely; only Gia Lai's says "hàng đầu".
    lead = ask(answerer, "Khi chỉ đạo chống dịch, tỉnh đặt điều gì lên hàng đầu?").text
    first = lead.splitlines()[0].split("; ")[0]
    assert first.startswith("Gia Lai, thông báo kết luận 16/9/2021: ")
    assert "hàng đầu" in first


def test_within_one_province_the_lead_states_the_number_of_days_asked(
    answerer: Answerer,
) -> None:
    # Both Gia Lai passages answer as surely; the notice on preparing quarantine camps holds a
    # number too ("9. Giao …"), but not a number of days.
    lead = ask(answerer, "Cách ly tập trung bao nhiêu ngày ở Gia Lai?").text.splitlines()[0]
    assert "21 ngày" in lead


def test_the_lead_says_whose_rule_it_is_and_when(answerer: Answerer) -> None:
    answer = ask(answerer, "Cách ly tập trung bao nhiêu ngày ở vùng có ca bệnh?")
    lead = answer.text.splitlines()[0]
    # Each province's part opens with its province, document kind and date (or the lack of one).
    assert re.match(
        r"(Lai Châu, thông báo kết luận 13/5/2022|Gia Lai, chỉ thị \(không ghi ngày\)): ", lead
    )
    assert "Gia Lai, chỉ thị (không ghi ngày): " in lead


def test_a_question_answered_in_part_says_what_the_notices_leave_out(answerer: Answerer) -> None:
    answer = ask(answerer, "Trẻ em bao nhiêu tuổi được tiêm mũi 2, có cần giấy khai sinh không?")
    assert answer.status == "answered"
    lead, note = answer.text.splitlines()
    assert "5 đến dưới 12 tuổi" in lead
    assert "giấy khai sinh" in note
    assert HOTLINE in note


def test_the_note_names_what_is_left_out_not_whose_document_it_is(answerer: Answerer) -> None:
    # The directive is the Gia Lai Ban Thường vụ Tỉnh ủy's: "Tỉnh ủy Gia Lai" is not what the
    # notices leave out, a year-end party ("tiệc") is.
    asked = "Chỉ thị của Tỉnh ủy Gia Lai quy định tiệc tất niên ở cơ quan bao nhiêu người"
    answer = ask(answerer, f"{asked} thì phải dừng?")
    note = answer.text.splitlines()[1]
    assert "tiệc" in note
    assert "Gia Lai" not in note


def test_the_note_shows_whole_words_of_the_question(answerer: Answerer) -> None:
    # (Asked "bao nhiêu ngày", Kiên Giang's notice is no answer at all: it states no days.)
    # "cách" is said somewhere in Kiên Giang's notice; "ly tập trung" alone is no phrase.
    answer = ask(answerer, "Cách ly tập trung ở Kiên Giang áp dụng từ ngày nào?")
    note = answer.text.splitlines()[1]
    assert "không nói đến Cách ly tập trung" in note


def _pieces(answer: Answer, library: Library) -> list[str]:
    """The parts of a lead that come from paragraphs: sources, '…', the definition form and the
    validity notes ('(áp dụng …, thời hạn đã qua)') cut."""
    text = re.sub(r" \((?:áp dụng [^()]*|văn bản này đã được thay thế [^()]*)\)", "",
                  answer.text.splitlines()[0])  # fmt: skip
    for citation in answer.citations:
        text = text.replace(phrasing.rule_source(library.catalog[citation.doc_id]) + ": ", "\n")
    pieces = []
    for part in text.split("\n"):
        for piece in re.split(r"\s*…\s*|(?<=\S) là “|”$", part.strip().rstrip(";.")):
            piece = piece.strip(" ,;:“”")
            if piece:
                pieces.append(piece)
    return pieces


@pytest.mark.parametrize(
    "question",
    [
        "5K là gì?",
        "Phương châm 2 chống 3 xây là gì?",
        "Người dân được coi là gì trong phòng chống dịch?",
        "Phải cách ly tập trung bao nhiêu ngày?",
        "Huyện An Biên giãn cách theo chỉ thị nào, từ ngày nào?",
        "Mũi 3 tiêm cho ai?",
        "xa phuong thi tran la phao dai nghia la gi",
        "Tổ Covid cộng đồng có vai trò gì?",
    ],
)
def test_every_lead_is_whole_words_of_the_cited_paragraphs(
    answerer: Answerer, bundled_library: Library, question: str
) -> None:
    answer = ask(answerer, question)
    assert answer.status == "answered"
    texts = [p.text for c in answer.citations if (p := bundled_library.paragraph(c.paragraph_id))]
    for piece in _pieces(answer, bundled_library):
        found = [
            (t, m.start())
            for t in texts
            for m in re.finditer(re.escape(piece[1:]), t)
            if t[m.start() - 1 : m.start()].lower() == piece[:1].lower()
        ]
        assert found, f"{piece!r} is not in a cited paragraph"
        text, start = found[0]
        end = start + len(piece) - 1
        before = text[start - 2 : start - 1]
        after = text[end : end + 1]
        assert not before.isalnum(), f"{piece!r} starts inside a word"
        assert not after.isalnum(), f"{piece!r} ends inside a word"


def test_scores_say_how_sure_an_answer_is(answerer: Answerer) -> None:
    answered = ask(answerer, "Cách ly tập trung bao nhiêu ngày ở vùng có ca bệnh?")
    uncovered = "Tôi bị viêm gan B có tiêm vắc xin được không?"
    assert ask(answerer, uncovered).status == "not_found"
    query = Query.parse(uncovered)
    best = answerer.searcher.search(query, k=1)[0]
    assert 0.0 <= answerer.answerability.score(query, best) < answered.citations[0].score <= 1.0
    assert all(0.0 <= c.score <= 1.0 for c in answered.citations)


def test_another_spelling_of_a_word_still_answers(answerer: Answerer) -> None:
    """'hằng ngày' is the notice's 'hàng ngày'; 'chiến sĩ' its 'chiến sỹ'."""
    daily = ask(answerer, "Lai Châu còn báo cáo số ca hằng ngày không?")
    assert daily.status == "answered"
    assert "số ca nhiễm Covid-19 hàng ngày" in daily.text
    soldiers = ask(answerer, "Mỗi người dân là chiến sĩ đúng không?")
    assert soldiers.status == "answered"
    assert "chiến sỹ" in soldiers.citations[0].quote


def _passage_with(library: Library, words: str) -> Passage:
    for doc_id, meta in library.catalog.items():
        for p in library.paragraphs(doc_id):
            if words in p.text:
                return Passage(p, meta, score=1.0, dense_similarity=0.86)
    raise AssertionError(f"no bundled paragraph holds {words!r}")


def test_of_two_answers_the_document_the_question_names_comes_first(
    answerer: Answerer, bundled_library: Library
) -> None:
    """ "Chỉ thị của …" names Gia Lai's directive; Kiên Giang's notice only shares words with it."""
    import datetime as dt

    from retrieval.answer.lead import answer_text
    from retrieval.answer.validity import Dating

    notice = _passage_with(bundled_library, "Nguyên nhân của hạn chế trên là do")
    directive = _passage_with(bundled_library, "Đối với các địa phương có ca mắc bệnh")
    query = Query.parse("Chỉ thị của Ban Thường vụ Tỉnh ủy nói những nơi nào đã có ca mắc?")
    dating = Dating(dt.date(2021, 10, 1), bundled_library.catalog)
    for passages in ([notice, directive], [directive, notice]):
        lead = answer_text(query, passages, answerer.answerability, hotline=HOTLINE, dating=dating)
        assert lead.startswith("Gia Lai, chỉ thị (không ghi ngày): Đối với các địa phương")
        assert "Kiên Giang" in lead  # the other province's passage still follows


def test_a_rare_word_counts_only_in_the_phrase_the_question_uses(
    answerer: Answerer, bundled_library: Library
) -> None:
    """The slogan "Test COVID-19 tất cả" holds "test", not the asked "test nhanh"."""
    slogan = _passage_with(bundled_library, "Test COVID-19 tất cả")
    asked = answerer.answerability.evidence(Query.parse("Test nhanh ở đâu?"), slogan)
    assert asked.coverage > 0.4
    assert asked.phrased < asked.coverage / 2
    slogan_asked = answerer.answerability.evidence(Query.parse("Test Covid tất cả là gì?"), slogan)
    assert slogan_asked.phrased == pytest.approx(slogan_asked.coverage)


def test_a_which_ones_question_gets_the_whole_list(answerer: Answerer) -> None:
    lead = ask(answerer, "Những huyện nào của Kiên Giang giãn cách theo Chỉ thị 15?").text
    for district in ("U Minh Thượng", "Gò Quao", "Kiên Hải", "Phú Quốc"):
        assert district in lead.splitlines()[0]


def test_a_why_question_keeps_the_reason_that_fits_it(answerer: Answerer) -> None:
    # The reason sentence is long: shortened, it keeps the clause on the locked-down areas;
    # its first clause alone ("… không nghiêm chỉ đạo …") was the lead before.
    lead = ask(answerer, "Vì sao khu phong tỏa ở Kiên Giang vẫn lây ra ngoài?").text.splitlines()[0]
    assert "Nguyên nhân của hạn chế trên là do" in lead
    assert "khu vực phong tỏa không chặt chẽ" in lead


def test_a_why_question_is_answered_by_what_the_rule_is_for(answerer: Answerer) -> None:
    # "nhằm …" says why; before, Gia Lai's 5K paragraph led (it shares "tiếp xúc").
    lead = ask(answerer, "Tại sao phải cách ly hết người tiếp xúc gần?").text.splitlines()[0]
    assert lead.startswith("Kiên Giang, thông báo kết luận 13/9/2021: Triệt để cách ly F1 nhằm")


def test_a_who_question_keeps_the_sentence_subject(answerer: Answerer) -> None:
    answer = ask(answerer, "Ai được giao tham mưu thực hiện kết luận của Thủ tướng với Kiên Giang?")
    assert "Ban cán sự đảng Ủy ban nhân dân tỉnh" in answer.text.splitlines()[0]


def test_a_why_question_leads_with_the_reason(answerer: Answerer) -> None:
    answer = ask(answerer, "Vì sao số ca trong cộng đồng ở Kiên Giang vẫn còn cao?")
    assert "Nguyên nhân của hạn chế trên là do" in answer.text.splitlines()[0]


def test_a_who_question_leads_with_the_one_who_does_what_is_asked(answerer: Answerer) -> None:
    """ "Ai kết luận": the sentence naming who concluded, not the one that opens the notice."""
    lead = ask(answerer, "Hội nghị ngày 16/9/2021 do ai kết luận?").text.splitlines()[0]
    assert "Hồ Văn Niên" in lead


def test_a_question_naming_a_date_is_answered_from_that_days_notice_alone(
    answerer: Answerer,
) -> None:
    question = "Hội nghị trực tuyến về phòng chống dịch ngày 16/9/2021 ai kết luận?"
    lead = ask(answerer, question).text.splitlines()[0]
    assert lead.startswith("Gia Lai, thông báo kết luận 16/9/2021:")
    assert "Lai Châu" not in lead


def test_a_quoted_term_is_explained_by_the_clause_after_it(answerer: Answerer) -> None:
    lead = ask(answerer, "Mục tiêu kép nghĩa là gì?").text.splitlines()[0]
    assert "“mục tiêu kép”, hạn chế ở mức thấp nhất ảnh hưởng tiêu cực" in lead


def test_another_embedders_vectors_get_a_neutral_scope_not_a_crash() -> None:
    """CHITHI_EMBEDDINGS=openai:… gives vectors of another size than the probe was fitted on."""
    import numpy as np

    from retrieval.answer.model import FEATURES, Model

    model = Model.bundled()
    neutral = model.mean[FEATURES.index("scope")]
    assert model.scope(np.ones(1536) / 1536**0.5) == neutral
    assert model.scope(np.ones(384) / 384**0.5) != neutral
