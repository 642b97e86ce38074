"""Follow-up questions read in their conversation, offline, over the bundled notices."""

from __future__ import annotations

import asyncio

import pytest

from retrieval import Answer, Answerer, Conversation
from retrieval.answer.followup import capitalised_name
from retrieval.types import Turn

KIEN_GIANG = "001_5c18a4811e1b304d"
GIA_LAI_NOTICE = "000_95f2b98f29028119"
LAI_CHAU = "003_04a503c8cc38bcba"


def chat(answerer: Answerer, *messages: str) -> list[Answer]:
    """The answers to messages sent one after another in one chat."""

    async def talk() -> list[Answer]:
        conversation = Conversation()
        answers = []
        for message in messages:
            answer = await answerer.answer(message, conversation=conversation)
            assert answer.turn is not None
            conversation = conversation.then(answer.turn)
            answers.append(answer)
        return answers

    return asyncio.run(talk())


def quotes(answer: Answer) -> str:
    return " ".join(c.quote for c in answer.citations[:3])


def test_a_place_swap_keeps_the_topic(answerer: Answerer) -> None:
    first, follow_up = chat(
        answerer, "Huyện An Biên giãn cách theo chỉ thị nào?", "Còn Rạch Giá thì sao?"
    )
    assert "Chỉ thị 15/CT-TTg" in first.text.splitlines()[0]
    assert follow_up.understood_as == "Rạch Giá giãn cách theo chỉ thị nào?"
    assert follow_up.status == "answered"
    assert "Chỉ thị 16/CT-TTg" in follow_up.text.splitlines()[0]
    assert "Rạch Giá" in follow_up.citations[0].quote


def test_the_same_follow_up_alone_is_not_read_as_one(answerer: Answerer) -> None:
    [alone] = chat(answerer, "Còn Rạch Giá thì sao?")
    assert alone.understood_as is None


def test_a_subject_swap_asks_the_same_of_the_new_subject(answerer: Answerer) -> None:
    _, follow_up = chat(answerer, "5K là gì?", "còn 5T thì sao?")
    assert follow_up.understood_as == "5T là gì?"
    assert "Thực phẩm đủ tại nhà" in follow_up.text


def test_an_unaccented_place_swap_is_read_with_the_province_spelt(answerer: Answerer) -> None:
    _, follow_up = chat(answerer, "Cách ly tập trung bao nhiêu ngày?", "con gia lai thi sao")
    assert follow_up.understood_as == "Cách ly tập trung bao nhiêu ngày ở Gia Lai?"
    assert "21 ngày" in quotes(follow_up)
    assert all(c.province == "Gia Lai" for c in follow_up.citations)


def test_a_plain_follow_up_is_read_plain_not_half_and_half(answerer: Answerer) -> None:
    # Half accented, "vung do" would be matched with diacritics and miss "vùng đỏ".
    _, follow_up = chat(
        answerer, "Kiên Giang xét nghiệm sàng lọc cộng đồng thế nào?", "con vung do thi sao"
    )
    assert follow_up.understood_as is not None
    assert follow_up.understood_as.startswith("Kien Giang xet nghiem sang loc cong dong")
    assert follow_up.understood_as.endswith("vung do?")
    assert follow_up.status == "answered"
    assert all(c.province == "Kiên Giang" for c in follow_up.citations)


def test_an_unaccented_district_is_read_as_the_texts_spell_it(answerer: Answerer) -> None:
    _, follow_up = chat(
        answerer, "Huyện An Biên giãn cách theo chỉ thị nào?", "con phu quoc thi sao"
    )
    assert follow_up.understood_as == "Phú Quốc giãn cách theo chỉ thị nào?"
    assert "Chỉ thị 15/CT-TTg" in follow_up.text.splitlines()[0]
    assert "Phú Quốc" in quotes(follow_up)


def test_a_name_the_texts_only_list_is_swapped_in_as_they_write_it(answerer: Answerer) -> None:
    # "Gò Quao" stands in the list of nine districts, never after "huyện".
    _, follow_up = chat(
        answerer, "Huyện An Biên giãn cách theo chỉ thị nào?", "con go quao thi sao"
    )
    assert follow_up.understood_as == "Gò Quao giãn cách theo chỉ thị nào?"
    assert "Gò Quao" in quotes(follow_up)


def test_a_word_the_texts_write_in_lowercase_is_no_name_to_swap_in() -> None:
    texts = ["Tổ chức đám cưới không quá 20 người.", "THÔNG BÁO KẾT LUẬN CỦA PHÚC YÊN"]
    assert capitalised_name("dam cuoi", texts) is None
    assert capitalised_name("phuc yen", texts) is None  # a heading in capitals
    assert capitalised_name("phuc yen", ["Các trung tâm: Vĩnh Yên, Phúc Yên."]) == "Phúc Yên"


@pytest.mark.parametrize(
    ("message", "understood"),
    [("Ông ấy giữ chức gì?", "Hồ Văn Niên giữ chức gì?"),
     ("ong ay giu chuc gi", "Ho Van Nien giu chuc gi")],  # all without diacritics, as typed
)  # fmt: skip
def test_he_is_the_person_the_previous_answer_named(
    answerer: Answerer, message: str, understood: str
) -> None:
    first, follow_up = chat(
        answerer, "Ai kết luận Hội nghị trực tuyến toàn tỉnh Gia Lai ngày 16/9/2021?", message
    )
    assert "đồng chí Hồ Văn Niên" in first.text
    assert follow_up.understood_as == understood
    assert "Ủy viên Ban Chấp hành Trung ương Đảng" in follow_up.text.splitlines()[0]


def test_a_quantity_asked_alone_is_asked_of_the_previous_topic(answerer: Answerer) -> None:
    _, follow_up = chat(
        answerer,
        "Lai Châu có hỗ trợ tiền ăn cho công dân cách ly tập trung không?",
        "một ngày được bao nhiêu tiền?",
    )
    assert follow_up.understood_as == (
        "Lai Châu hỗ trợ tiền ăn cho công dân cách ly tập trung một ngày được bao nhiêu tiền?"
    )
    # Lai Châu's notice says the support is reviewed, not how much: no amount, no answer.
    assert follow_up.status == "not_found"


def test_that_report_is_the_one_the_previous_answer_named(answerer: Answerer) -> None:
    first, report = chat(
        answerer,
        "Thường trực Tỉnh ủy Vĩnh Phúc đồng ý giải pháp của ai?",
        "báo cáo đó số mấy, ngày nào?",
    )
    assert "Báo cáo số 294/BC-BCĐ" in first.text
    assert report.understood_as == "Báo cáo số 294/BC-BCĐ số mấy, ngày nào?"
    assert "21/11/2021" in report.text.splitlines()[0]


def test_words_said_to_the_chat_are_not_carried_or_missing(answerer: Answerer) -> None:
    first, swap = chat(
        answerer, "Hòn Đất giãn cách đến ngày nào vậy mn?", "còn Giồng Riềng thì sao?"
    )
    assert "mn" not in first.text.split()  # not "Các văn bản hiện có không nói đến mn"
    assert swap.understood_as == "Giồng Riềng giãn cách đến ngày nào?"


def test_a_turn_keeps_the_person_and_older_turns_still_load() -> None:
    turn = Turn("Ai kết luận …?", ("000",), person="Hồ Văn Niên")
    assert Turn.from_json(turn.to_json()) == turn
    mentioning = Turn("Giải pháp của ai?", ("004",), mentioned=("Báo cáo số 294/BC-BCĐ",))
    assert Turn.from_json(mentioning.to_json()) == mentioning
    older = {"question": "Ai kết luận …?", "doc_ids": ["000"], "place": None}
    assert Turn.from_json(older) == Turn("Ai kết luận …?", ("000",))


def test_who_signed_this_document_is_the_document_just_cited(answerer: Answerer) -> None:
    first, signer = chat(
        answerer,
        "Thông báo của Lai Châu ngày 13/5/2022 nói gì về thông cáo báo chí số ca nhiễm?",
        "ai ký văn bản này?",
    )
    assert first.citations[0].doc_id == LAI_CHAU
    assert signer.understood_as is not None
    assert "Lai Châu" in signer.understood_as
    assert [c.doc_id for c in signer.citations] == [LAI_CHAU]
    assert "Gia Lai" not in signer.text


def test_that_decision_is_the_one_the_question_named(answerer: Answerer) -> None:
    _, dated = chat(
        answerer, "Quyết định 2686/QĐ-BCĐQG nói gì?", "quyết định đó ban hành ngày nào?"
    )
    assert dated.understood_as == "Quyết định 2686/QĐ-BCĐQG ban hành ngày nào?"
    # The notice that mentions the decision gives its date; the notice's own date is not it.
    assert "31 tháng 5 năm 2021" in quotes(dated)
    assert "16/9/2021" not in dated.text.splitlines()[0].split(":", 1)[-1]


def test_a_decision_named_by_its_number_alone_is_that_decision(answerer: Answerer) -> None:
    _, issuer = chat(
        answerer, "Xét nghiệm theo Quyết định 2686 thế nào?", "quyết định đó của cơ quan nào?"
    )
    assert issuer.understood_as == "Quyết định 2686 của cơ quan nào?"
    # Not the issuer of the notice that mentions it (Thường trực Tỉnh ủy Gia Lai).
    assert "Ban Chỉ đạo phòng, chống dịch Covid-19 quốc gia" in quotes(issuer)
    assert "Thường trực Tỉnh ủy" not in issuer.text.splitlines()[0]


def test_a_decision_no_answer_cited_is_not_a_notice(answerer: Answerer) -> None:
    _, signer = chat(
        answerer, "Chỉ thị của Gia Lai yêu cầu gì về đám cưới?", "quyết định đó ai ký?"
    )
    # No decision was named or cited: the signer of the notice just cited is not the answer.
    assert signer.understood_as is None
    for document in answerer.library.catalog.values():
        if document.signer:
            assert document.signer not in signer.text


def test_until_when_asks_about_the_previous_answers_document(answerer: Answerer) -> None:
    first, until = chat(
        answerer, "Huyện An Biên giãn cách theo chỉ thị nào?", "bắt đầu từ ngày nào?"
    )
    assert until.understood_as == "Huyện An Biên giãn cách bắt đầu từ ngày nào?"
    assert {c.doc_id for c in until.citations} == {KIEN_GIANG}
    assert "14-9-2021" in until.text


def test_a_place_whose_syllables_also_ask_is_swapped_in(answerer: Answerer) -> None:
    # "hà", "tiên" fold to "ha", "tien", which also ask ("hả?", "tiền"); the texts write
    # "Hà Tiên" as a place: it is a place swap, not a question about the previous answer.
    _, swap = chat(answerer, "Phú Quốc giãn cách theo chỉ thị nào?", "còn Hà Tiên?")
    assert swap.understood_as == "Hà Tiên giãn cách theo chỉ thị nào?"
    _, plain = chat(answerer, "Phú Quốc giãn cách theo chỉ thị nào?", "con ha tien")
    assert plain.understood_as is not None
    assert plain.understood_as.startswith("Hà Tiên giãn cách")


def test_a_town_of_the_province_asked_about_keeps_that_province(answerer: Answerer) -> None:
    # Many provinces have a "Châu Thành"; the one meant is the province just asked about,
    # when its notices name the town.
    _, town = chat(answerer, "Kiên Giang giãn cách theo chỉ thị nào?", "còn Hà Tiên?")
    assert town.understood_as == "Hà Tiên (Kiên Giang) giãn cách theo chỉ thị nào?"
    assert {c.doc_id for c in town.citations} == {KIEN_GIANG}
    # Rạch Giá is no town of Vĩnh Phúc's notices: nothing is added.
    _, elsewhere = chat(
        answerer, "Vĩnh Phúc quán ăn muốn mở bán phải thế nào?", "còn Rạch Giá thì sao?"
    )
    assert elsewhere.understood_as == "Rạch Giá quán ăn muốn mở bán phải thế nào?"


@pytest.mark.parametrize(
    ("first", "follow_up", "read_as"),
    [
        # The old asking in the middle ("những huyện nào") goes, the rule stays.
        (
            "Kiên Giang những huyện nào áp dụng Chỉ thị 15?",
            "bắt đầu từ ngày nào?",
            "Kiên Giang áp dụng Chỉ thị 15 bắt đầu từ ngày nào?",
        ),
        # "chỉ thị mấy" asks; "vậy mọi người" is said to the group.
        (
            "Rạch Giá giãn cách theo chỉ thị mấy vậy mọi người?",
            "đến ngày nào thì hết?",
            "Rạch Giá giãn cách đến ngày nào thì hết?",
        ),
        # "vùng đỏ thế nào" asks how, of "vùng đỏ": the whole object is swapped.
        (
            "Kiên Giang xử lý vùng đỏ thế nào?",
            "còn vùng xanh?",
            "Kiên Giang xử lý vùng xanh thế nào?",
        ),
    ],
)
def test_a_follow_up_keeps_the_rule_not_the_old_asking(
    answerer: Answerer, first: str, follow_up: str, read_as: str
) -> None:
    assert chat(answerer, first, follow_up)[1].understood_as == read_as


def test_how_long_drops_which_places_the_previous_question_asked(answerer: Answerer) -> None:
    # "ở những huyện nào" asked which districts; "áp dụng bao lâu?" asks how long, of the
    # same rule: the reading keeps the rule, not the old asking.
    _, how_long = chat(
        answerer, "Kiên Giang giãn cách theo Chỉ thị 16 ở những huyện nào?", "áp dụng bao lâu?"
    )
    assert how_long.understood_as == "Kiên Giang giãn cách theo Chỉ thị 16 áp dụng bao lâu?"
    assert {c.doc_id for c in how_long.citations} == {KIEN_GIANG}


@pytest.mark.parametrize(
    "switch",
    ["Quán karaoke ở Gia Lai có được mở cửa không?", "5K là gì?", "Mũi 3 tiêm cho ai?"],
)
def test_a_question_of_its_own_carries_nothing_over(answerer: Answerer, switch: str) -> None:
    _, in_chat = chat(answerer, "Huyện An Biên giãn cách theo chỉ thị nào?", switch)
    [alone] = chat(answerer, switch)
    assert in_chat.understood_as is None
    assert in_chat.to_json() | {"latency_ms": 0} == alone.to_json() | {"latency_ms": 0}


def test_an_unanswerable_follow_up_stays_not_found(answerer: Answerer) -> None:
    _, follow_up = chat(answerer, "Cách ly tập trung bao nhiêu ngày?", "còn Hà Nội thì sao?")
    assert follow_up.understood_as == "Cách ly tập trung bao nhiêu ngày ở Hà Nội?"
    assert follow_up.status == "not_found"
    assert not follow_up.citations


def test_the_json_says_how_a_follow_up_was_read_and_only_then(answerer: Answerer) -> None:
    first, follow_up = chat(answerer, "5K là gì?", "còn 5T thì sao?")
    assert "understood_as" not in first.to_json()
    assert follow_up.to_json()["understood_as"] == "5T là gì?"
    assert follow_up.to_json()["question"] == "còn 5T thì sao?"


def test_a_phrase_with_the_same_head_word_takes_the_old_ones_place(answerer: Answerer) -> None:
    _, cafe = chat(answerer, "Gia Lai có cho quán ăn mở cửa không?", "còn quán cà phê?")
    assert cafe.understood_as == "Gia Lai có cho quán cà phê mở cửa không?"
    _, funeral = chat(answerer, "Gia Lai yêu cầu gì về đám cưới?", "còn đám tang?")
    assert funeral.understood_as == "Gia Lai yêu cầu gì về đám tang?"


def test_a_word_typed_with_accents_that_folds_to_an_asking_word_is_swapped_in(
    answerer: Answerer,
) -> None:
    # Folded, "chợ" (a market) is "cho" (for): not a message that only asks.
    _, market = chat(answerer, "Vĩnh Phúc yêu cầu gì với quán ăn?", "thế còn chợ thì sao?")
    assert market.understood_as == "Vĩnh Phúc yêu cầu gì với chợ?"


def test_another_provinces_document_is_not_the_one_of_the_old_date(answerer: Answerer) -> None:
    first, other = chat(
        answerer, "Thông báo Kiên Giang ngày 13/9/2021 do ai ký?", "còn của Vĩnh Phúc?"
    )
    assert "Mai Văn Huỳnh" in first.text
    assert other.understood_as == "Thông báo của Vĩnh Phúc do ai ký?"
    assert "Trần Việt Cường" in other.text
    assert "Mai Văn Huỳnh" not in other.text


def test_children_swapped_in_are_who_the_rule_is_for(answerer: Answerer) -> None:
    # The example: "còn trẻ em thì sao?" after Lai Châu's third-dose target.
    _, children = chat(answerer, "Lai Châu đặt mục tiêu tiêm mũi 3 thế nào?", "còn trẻ em thì sao?")
    assert children.understood_as == "Lai Châu đặt mục tiêu tiêm mũi 3 cho trẻ em thế nào?"
    assert children.status == "answered"
    assert "trẻ từ 5 đến dưới 12 tuổi" in children.text.splitlines()[0]


def test_a_yes_no_question_swaps_the_object_of_its_verb(answerer: Answerer) -> None:
    # Before: "Lai Châu có tạm dừng khu cách ly tập trung không đối với thông cáo báo chí?"
    _, press = chat(
        answerer, "Lai Châu có tạm dừng khu cách ly tập trung không?", "thế còn thông cáo báo chí?"
    )
    assert press.understood_as == "Lai Châu có tạm dừng thông cáo báo chí không?"
    assert "Tạm dừng thông cáo báo chí số ca nhiễm" in press.text.splitlines()[0]


def test_a_bound_asked_with_a_number_goes_with_it(answerer: Answerer) -> None:
    # "trên bao nhiêu người" asks as a whole; "… hội nghị trên áp dụng …" kept half of it.
    _, until = chat(answerer, "Gia Lai dừng hội nghị trên bao nhiêu người?", "áp dụng đến khi nào?")
    assert until.understood_as == "Gia Lai dừng hội nghị áp dụng đến khi nào?"


def test_a_place_swapped_into_a_yes_no_question_of_what_is_allowed_is_refused_when_unsaid(
    answerer: Answerer,
) -> None:
    # "Gia Lai có cho <quán ăn bán tại chỗ> không?": what is allowed follows "cho", and the
    # question's asking is its closing "không". No notice says anything of spas.
    _, spa = chat(answerer, "Gia Lai có cho quán ăn bán tại chỗ không?", "còn spa?")
    assert spa.understood_as == "Gia Lai có cho spa không?"
    assert spa.status == "not_found"


def test_a_question_about_when_is_about_the_rule_the_lead_gave(answerer: Answerer) -> None:
    # The search cites Gia Lai's notice on quarantine camps first; the lead gives the
    # directive's "21 ngày" first, and the follow-up is about that rule.
    first, since = chat(
        answerer, "Gia Lai cách ly tập trung bao nhiêu ngày?", "áp dụng từ khi nào?"
    )
    assert first.text.startswith("Gia Lai, chỉ thị (không ghi ngày)")
    directive = next(c.doc_id for c in first.citations if "21 ngày" in c.quote)
    assert first.turn is not None
    assert first.turn.doc_ids[0] == directive
    assert since.understood_as == "Gia Lai cách ly tập trung áp dụng từ khi nào?"
    assert all(c.doc_id == first.turn.doc_ids[0] for c in since.citations)


@pytest.mark.parametrize(
    ("message", "read"),
    [
        ("kéo dài bao lâu?", "Hòn Đất giãn cách kéo dài bao lâu?"),
        ("cái này áp dụng đến bao giờ vậy?", "Hòn Đất giãn cách áp dụng đến bao giờ?"),
    ],
)
def test_more_ways_of_asking_how_long_are_follow_ups(
    answerer: Answerer, message: str, read: str
) -> None:
    _, follow_up = chat(answerer, "Hòn Đất giãn cách theo chỉ thị nào?", message)
    assert follow_up.understood_as == read


def test_a_place_typed_in_lowercase_without_accents_is_swapped_out(answerer: Answerer) -> None:
    # No capitals, no diacritics: "hon dat" is a place because the texts write "Hòn Đất".
    _, other = chat(answerer, "hon dat gian cach theo chi thi nao", "con rach gia")
    assert other.understood_as == "Rạch Giá gian cach theo chi thi nao?"
    assert "Rạch Giá" in quotes(other)


@pytest.mark.parametrize(
    ("first", "message", "read"),
    [
        # "không" closes a yes/no question, "làm gì" asks: neither is part of the swapped phrase.
        (
            "Gia Lai có cho quán ăn bán tại chỗ không?",
            "còn bán mang về?",
            "Gia Lai có cho quán ăn bán mang về không?",
        ),
        (
            "Vĩnh Phúc giao công an làm gì?",
            "còn quân đội thì sao?",
            "Vĩnh Phúc giao quân đội làm gì?",
        ),
        # No verb known: a new activity takes the place of the old one after the place.
        (
            "Kiên Giang xét nghiệm sàng lọc thế nào?",
            "còn truy vết F1 thì sao?",
            "Kiên Giang truy vết F1 thế nào?",
        ),
        # "về" again: what followed "về" before is what is swapped.
        (
            "Thông báo của Lai Châu ngày 13/5/2022 nói gì về khu cách ly?",
            "còn về tiêm vắc xin?",
            "Thông báo của Lai Châu ngày 13/5/2022 nói gì về tiêm vắc xin?",
        ),
        # A term asked to be explained: the new one is explained.
        ("5K là gì?", "còn 2 chống 3 xây?", "2 chống 3 xây là gì?"),
        # The people before the place.
        (
            "Người dân Gia Lai cần làm gì để phòng dịch?",
            "còn doanh nghiệp?",
            "Doanh nghiệp Gia Lai cần làm gì để phòng dịch?",
        ),
    ],
)
def test_a_swap_takes_the_place_of_the_part_it_stands_for(
    answerer: Answerer, first: str, message: str, read: str
) -> None:
    _, follow_up = chat(answerer, first, message)
    assert follow_up.understood_as == read
