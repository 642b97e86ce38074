"""Scores of `retrieval.evaluation` on hand-computed cases, and the bench question sets' shape."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from retrieval.evaluation import (
    ANSWERED_REFUSE,
    CITED_REFUSAL,
    LEAD_MISS,
    NO_HIT,
    REFUSED_ANSWERABLE,
    WRONG_DOC,
    EvalItem,
    evaluate,
    first_answer,
    hit_rank,
    lead_hit,
    load_items,
)
from retrieval.text import fold_for_match, has_diacritics
from retrieval.types import Answer, Citation, Status

REPO = Path(__file__).resolve().parents[2]
BENCH = REPO / "bench"
NOTICES = REPO / "data" / "notices"

KG = "001_5c18a4811e1b304d"
GL = "002_0549bf549650297a"
QUARANTINE = "cách ly tập trung trong thời gian 21 ngày"


def cite(doc_id: str, quote: str) -> Citation:
    return Citation(
        doc_id=doc_id,
        paragraph_id=f"{doc_id}:1",
        title="Chỉ thị",
        date=dt.date(2021, 9, 13),
        section="2",
        quote=quote,
        score=0.5,
    )


def answer(text: str, *citations: Citation, status: Status = "answered") -> Answer:
    return Answer(question="q", status=status, text=text, citations=citations)


def item(item_id: str, kind: str, gold: tuple[str, ...] = (), doc: str | None = None) -> EvalItem:
    expect = "answer" if gold else "refuse"
    return EvalItem(item_id, f"question {item_id}", kind, gold, expect, doc=doc)


NOT_FOUND = answer("Các văn bản không đề cập. Gọi 1900 9095.", status="not_found")

# Five answerable items and three refuse items, each failing (or not) in one known way.
CASES: list[tuple[EvalItem, Answer]] = [
    # gold quoted by the second citation (odd spacing, case, '*'); the lead holds 6 of the
    # span's 9 content words (60% rounded up is 6): hit@3 and a lead hit, but no hit@1
    (
        item("a1", "citizen", (QUARANTINE,), f"{GL}.txt"),
        answer(
            "Cách ly tập trung 21 ngày.",
            cite(GL, "Khẩn trương truy vết thân tộc."),
            cite(GL, "thực hiện nghiêm việc *CÁCH LY* tập trung trong thời\n\ngian 21 ngày."),
        ),
    ),
    # short span (3 words): all of them in the lead, quoted first
    (
        item("a2", "citizen", ("Mai Văn Huỳnh",), f"{KG}.txt"),
        answer("Người ký là đồng chí Mai Văn Huỳnh.", cite(KG, "T/M BAN THƯỜNG VỤ Mai Văn Huỳnh")),
    ),
    # the top citation is from another notice and none holds the gold span
    (
        item("a3", "cadre", (QUARANTINE,), f"{GL}.txt"),
        answer("Giãn cách theo Chỉ thị 16.", cite(KG, "Tiếp tục thực hiện giãn cách xã hội")),
    ),
    # an answerable question that came back not_found
    (item("a4", "cadre", (QUARANTINE,), f"{GL}.txt"), NOT_FOUND),
    # quoted first, but the lead talks about something else
    (
        item("a5", "cadre", (QUARANTINE,), f"{GL}.txt"),
        answer(
            "Khẩn trương truy vết thân tộc.", cite(GL, f"và thực hiện nghiêm việc {QUARANTINE}.")
        ),
    ),
    (item("r1", "out_of_scope"), NOT_FOUND),
    (item("r2", "out_of_scope"), answer("Tiêm vắc xin.", cite(GL, "tiêm vắc xin"))),
    (
        item("r3", "out_of_scope"),
        answer("Không có.", cite(GL, "tiêm vắc xin"), status="not_found"),
    ),
]


def run_cases() -> dict[str, object]:
    answers = {i.question: a for i, a in CASES}
    report = evaluate([i for i, _ in CASES], answers.__getitem__)
    return {
        "overall": report.overall.row(),
        "kinds": {k: v.row() for k, v in report.kinds.items()},
        "misses": [(m.item_id, m.status, m.reason) for m in report.misses],
        "details": {m.item_id: m.detail for m in report.misses},
    }


def test_overall_scores_match_the_hand_computed_values() -> None:
    row = run_cases()["overall"]
    assert row == {
        "answerable": 5,
        "hit@1": pytest.approx(2 / 5),  # a2, a5
        "hit@3": pytest.approx(3 / 5),  # a1 (rank 2), a2, a5
        "mrr": pytest.approx((1 / 2 + 1 + 1) / 5),
        "lead_hit": pytest.approx(2 / 5),  # a1, a2
        "first_hit": pytest.approx(2 / 5),  # their leads hold one answer each
        "refuse_items": 3,
        "answered_rate": pytest.approx(1 / 3),  # r2
        "refusal_acc": pytest.approx(1 / 3),  # r1 only: r3 is not_found but cites a paragraph
        "wrongly_refused": 1,  # a4
    }


def test_the_first_answer_is_the_lead_before_a_second_source() -> None:
    lead = (
        "Gia Lai, chỉ thị (không ghi ngày): cách ly tập trung 21 ngày; Lai Châu, thông báo kết"
        " luận 13/5/2022: Tạm dừng hoạt động các khu cách ly; còn nữa\nVui lòng gọi 1900 9095"
    )
    assert first_answer(lead) == "Gia Lai, chỉ thị (không ghi ngày): cách ly tập trung 21 ngày"
    assert first_answer("5K là: khẩu trang; khử khuẩn") == "5K là: khẩu trang; khử khuẩn"


def test_scores_per_kind_and_none_where_a_kind_has_no_such_item() -> None:
    kinds = run_cases()["kinds"]
    assert isinstance(kinds, dict)
    assert kinds["citizen"]["hit@1"] == pytest.approx(1 / 2)
    assert kinds["citizen"]["lead_hit"] == pytest.approx(1.0)
    assert kinds["citizen"]["answered_rate"] is None
    assert kinds["cadre"]["hit@1"] == pytest.approx(1 / 3)
    assert kinds["cadre"]["lead_hit"] == pytest.approx(0.0)
    assert kinds["cadre"]["wrongly_refused"] == 1
    assert kinds["out_of_scope"]["hit@1"] is None
    assert kinds["out_of_scope"]["lead_hit"] is None
    assert kinds["out_of_scope"]["answered_rate"] == pytest.approx(1 / 3)


def test_misses_carry_the_first_reason_that_applies() -> None:
    result = run_cases()
    assert result["misses"] == [
        ("a1", "answered", NO_HIT),
        ("a3", "answered", WRONG_DOC),
        ("a4", "not_found", REFUSED_ANSWERABLE),
        ("a5", "answered", LEAD_MISS),
        ("r2", "answered", ANSWERED_REFUSE),
        ("r3", "not_found", CITED_REFUSAL),
    ]
    details = result["details"]
    assert isinstance(details, dict)
    assert details["a1"] == "gold at rank 2"
    assert details["a3"] == f"top {KG}, gold doc {GL}; no citation holds a gold span"
    assert details["r2"] == f"cites {GL}: Tiêm vắc xin."


def test_hit_rank_folds_case_stars_and_whitespace() -> None:
    a = answer("x", cite(GL, "khác"), cite(GL, "*Cách  ly* tập\ntrung trong thời gian 21 ngày"))
    assert hit_rank(a, [QUARANTINE]) == 2
    assert hit_rank(a, ["không có ở đây"]) is None


@pytest.mark.parametrize(
    ("lead", "expected"),
    [
        ("Cách ly tập trung 21 ngày.", True),  # 6 of 9 content words
        ("Cách ly tập trung 21.", False),  # 5 of 9
        ("cach ly tap trung trong 21 ngay", True),  # typed without diacritics: folded alike
        ("Thời gian cách ly tập trung là 21 ngày.", True),  # order does not matter
    ],
)
def test_lead_hit_needs_sixty_percent_of_a_long_span(lead: str, expected: bool) -> None:
    assert lead_hit(answer(lead), [QUARANTINE]) is expected


def test_lead_hit_needs_every_word_of_a_short_span_and_ignores_question_words() -> None:
    # "cho", "các" and "từ" are question stopwords: the span's content words are tre, 5, tuoi
    assert lead_hit(answer("Trẻ 5 tuổi."), ["cho các trẻ từ 5 tuổi"])
    assert not lead_hit(answer("Trẻ 12 tuổi."), ["Mai Văn Huỳnh", "trẻ từ 5 tuổi"])
    assert not lead_hit(answer("Mai Huỳnh"), ["Mai Văn Huỳnh"])
    assert lead_hit(answer("Mai Huỳnh, Mai Văn Huỳnh"), ["Khác hẳn", "Mai Văn Huỳnh"])


def test_lead_hit_is_false_when_the_answer_is_not_answered() -> None:
    assert not lead_hit(answer("Mai Văn Huỳnh", status="not_found"), ["Mai Văn Huỳnh"])


def write_jsonl(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n\n")
    return path


def test_load_items_keeps_every_item_without_a_split_and_filters_with_one(tmp_path: Path) -> None:
    base = {"question": "Câu hỏi?", "kind": "citizen", "gold": ["a"], "doc": "x.txt"}
    path = write_jsonl(
        tmp_path / "set.jsonl",
        [
            {"id": "t1", **base, "expect": "answer", "split": "tune"},
            {"id": "h1", **base, "expect": "answer", "split": "heldout"},
            {"id": "n1", "question": "Giá vàng?", "kind": "out_of_scope", "expect": "refuse"},
        ],
    )
    everything = load_items(path)
    assert [i.id for i in everything] == ["t1", "h1", "n1"]
    assert everything[0] == EvalItem("t1", "Câu hỏi?", "citizen", ("a",), "answer", "x.txt", "tune")
    assert everything[2] == EvalItem("n1", "Giá vàng?", "out_of_scope", (), "refuse")
    assert [i.id for i in load_items(path, split="tune")] == ["t1"]
    assert [i.id for i in load_items(path, split="heldout")] == ["h1"]


def test_load_items_names_the_line_that_is_not_a_record(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "a", "question": "q"}\n{"question": "no id"}\n')
    with pytest.raises(ValueError, match=r"bad\.jsonl:2: not a question record"):
        load_items(path)


# The bench sets themselves: the shapes and rules bench/README.md states.


def _split_by_id(item_id: str, prefix: str) -> str:
    return "tune" if int(item_id.removeprefix(prefix)) % 5 in (1, 2, 3) else "heldout"


@pytest.mark.parametrize(
    ("name", "prefix", "unaccented_share"),
    [("uncovered.jsonl", "bu", (0.15, 0.25)), ("uncovered_citizens.jsonl", "cu", (0.3, 0.4))],
)
def test_uncovered_sets_are_refuse_only_with_the_documented_split(
    name: str, prefix: str, unaccented_share: tuple[float, float]
) -> None:
    items = load_items(BENCH / name)
    assert len(items) >= 120
    assert len({i.id for i in items}) == len(items)
    assert len({fold_for_match(i.question) for i in items}) == len(items)
    for i in items:
        assert (i.expect, i.gold, i.doc) == ("refuse", (), None), i.id
        assert i.kind in ("uncovered", "unaccented_uncovered"), i.id
        assert has_diacritics(i.question) is (i.kind == "uncovered"), i.id
        assert i.split == _split_by_id(i.id, prefix), i.id
    unaccented = sum(i.kind == "unaccented_uncovered" for i in items)
    low, high = unaccented_share
    assert low <= unaccented / len(items) <= high


def test_citizen_answerable_set_has_verbatim_gold_and_the_documented_split() -> None:
    items = load_items(BENCH / "questions_citizens.jsonl")
    assert len(items) >= 60
    assert len({i.id for i in items}) == len(items)
    others = {
        fold_for_match(i.question)
        for name in ("questions.jsonl", "questions_heldout.jsonl")
        for i in load_items(BENCH / name)
    }
    for i in items:
        assert i.expect == "answer", i.id
        assert i.gold, i.id
        assert i.doc is not None, i.id
        assert i.split == _split_by_id(i.id, "cq"), i.id
        assert fold_for_match(i.question) not in others, i.id
        notice = fold_for_match((NOTICES / i.doc).read_text(encoding="utf-8"))
        for span in i.gold:
            assert fold_for_match(span) in notice, (i.id, span)


def test_heldout_answerable_gold_spans_are_verbatim_in_their_notice() -> None:
    items = load_items(BENCH / "questions_heldout.jsonl")
    assert len(items) >= 30
    assert len({i.id for i in items}) == len(items)
    tuning = {fold_for_match(i.question) for i in load_items(BENCH / "questions.jsonl")}
    for i in items:
        assert (i.expect, i.split) == ("answer", "heldout"), i.id
        assert i.gold, i.id
        assert i.kind in ("citizen", "cadre", "hotline", "unaccented"), i.id
        assert fold_for_match(i.question) not in tuning, i.id
        assert i.doc is not None
        notice = fold_for_match((NOTICES / i.doc).read_text(encoding="utf-8"))
        for span in i.gold:
            assert fold_for_match(span) in notice, (i.id, span)
