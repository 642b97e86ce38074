"""What kind of question is this: off-limits, about a document itself, or a normal question."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Intent = Literal["question", "refuse", "signer", "date", "issuer", "recipients",
                 "summary", "documents", "number"]  # fmt: skip


@dataclass(frozen=True)
class Classified:
    """The intent and, for refusals, why (for logs)."""

    intent: Intent
    reason: str = ""


# Patterns run on folded text (no diacritics), so "quên" and "quen" both match.
_REFUSE = (
    r"\b(bo qua|quen|phot lo|khong can tuan theo)\b.{0,30}\b(huong dan|chi dan|quy tac|"
    r"vai tro|nhiem vu|lenh|rang buoc|moi thu|het)\b",
    r"\bignore\b.{0,30}\b(instruction|rule|previous|above|prompt)",
    r"\b(system prompt|prompt he thong|loi nhac he thong|cau lenh he thong|chi dan he thong)\b",
    r"\b(tiet lo|in ra|hien thi|cho (toi )?xem|nhac lai)\b.{0,25}\b(prompt|huong dan|chi dan|"
    r"cau hinh)\b.{0,15}\b(he thong|cua ban|ban dau|goc)\b",
    r"\b(dong vai|gia vo|hay tro thanh|tu nay ban la|ban bay gio la)\b",
    r"\b(act as|you are now|pretend|jailbreak|developer mode|roleplay|dan mode)\b",
    r"\b(lam|viet|sang tac|doc)\b.{0,12}\b(tho|bai hat|truyen|chuyen cuoi|van)\b",
    r"\b(ke|noi)\b.{0,10}\b(chuyen cuoi|truyen cuoi|mot cau chuyen|chuyen vui)\b",
    r"\b(poem|joke|song|story|limerick|haiku)\b",
)
# "văn bản này của ai" asks who issued it; "việc riêng của ngành y tế hay của ai" does not.
# The kinds of document a question names (folded): one list for every stage that reads them.
DOCUMENT_KINDS = (
    "van ban|thong bao|quyet dinh|chi thi|ke hoach|cong van|nghi dinh|thong tu|luat|nghi quyet"
)
_DOCUMENT_WORDS = DOCUMENT_KINDS
_SIGNER = r"\b(ai ky|nguoi ky|ky boi|ky ten|chu ky|do ai ky|ai la nguoi ky|who signed)\b"
_DATE = (
    r"\b(ban hanh|ky|ra|co hieu luc)\b.{0,15}\b(ngay nao|khi nao|luc nao|bao gio|ngay bao nhieu)\b"
    r"|\b(ngay nao|khi nao)\b.{0,15}\b(ban hanh|duoc ky)\b"
)
# Folded, "rà soát" (to review) is "ra soat": "Ai rà soát danh sách …?" asks who does it.
_ISSUER = (
    r"\b(co quan nao|ai) (ban hanh|ra(?! soat))\b|\bdo (co quan|ai) nao ban hanh\b"
    rf"|\b({_DOCUMENT_WORDS})\b.{{0,60}}\bcua ai\b|\bcua co quan nao\b"
)
# A document's own number: "văn bản đó số mấy", "số hiệu của chỉ thị", a bare "số mấy?" (not
# "báo cáo số mấy": a report the notice mentions is no document of the index).
_NUMBER = (
    r"\b(van ban|thong bao|chi thi|quyet dinh|ke hoach|cong van)\b.{0,40}"
    r"\b(so may|so hieu|so bao nhieu|ky hieu)\b"
    r"|\b(so hieu|ky hieu)\b.{0,20}\b(van ban|thong bao|chi thi|quyet dinh)\b|^(so may|so hieu)\b"
)
_RECIPIENTS = r"\bnoi nhan\b|\bgui (den|cho|toi) (ai|nhung|cac|noi|co quan)\b"
_SUMMARY = (
    r"\b(tom tat|tom luoc|noi dung chinh|y chinh|noi dung tong quat|summari[sz]e|summary)\b"
    r"|\b(noi|de cap) (ve )?(van de|chuyen|dieu|noi dung) gi\b"
)
_DOCUMENTS = (
    r"\b(co (nhung|bao nhieu|cac) van ban nao|danh sach van ban|nhung van ban nao|"
    r"van ban nao moi nhat|cac van ban hien co)\b"
)


def classify(text: str) -> Classified:
    """Decide how to handle a question before searching.

    Args:
        text: the question folded, punctuation as spaces, single-spaced (`Query.key`).
    """
    for pattern in _REFUSE:
        if re.search(pattern, text):
            return Classified("refuse", "instruction or task outside the assistant's role")
    checks: tuple[tuple[Intent, str], ...] = (
        ("signer", _SIGNER), ("recipients", _RECIPIENTS), ("summary", _SUMMARY),
        ("documents", _DOCUMENTS), ("issuer", _ISSUER), ("date", _DATE), ("number", _NUMBER),
    )  # fmt: skip
    for intent, pattern in checks:
        if re.search(pattern, text):
            return Classified(intent)
    return Classified("question")
