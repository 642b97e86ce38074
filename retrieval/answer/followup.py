"""Follow-up questions: a message read in the context of the chat's previous question.

People chat: after "Huyện An Biên giãn cách theo chỉ thị nào?" they ask "Còn Rạch Giá thì
sao?", "Đến bao giờ?", "Ai ký văn bản này?". Offline, with no model, such a message takes
what it lacks from the previous turn:

- a swap ("còn X thì sao?", "X thì sao?", "thế còn X?"): X takes the place of the previous
  question's place (a province, or a name the indexed texts use after "huyện", "xã",
  "thành phố" …), of a word of the same shape ("5T" for "5K"), of the person or thing the
  rule was for ("cho …", "đối với …") or of its subject, and the topic stays;
- a question with nothing but the asking ("từ ngày nào?", "đến bao giờ?", "ai ký?", "số
  mấy?"): it asks about the previous answer's rule or document, so the previous question's
  asking is replaced by this one, and the answer is sought in the document the previous
  answer cited;
- "văn bản này / đó", "quyết định đó": the document the previous question named by its
  number (Quyết định 2686/QĐ-BCĐQG), else the one the previous answer cited, else one its
  lead named by number ("báo cáo đó" after "… tại Báo cáo số 294/BC-BCĐ …").

Anything else is a question of its own and carries nothing over. The answer is always to
the question as read, which the reply shows ("Hiểu câu hỏi là: …") when context was used.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from retrieval.answer import phrasing
from retrieval.search import DOCUMENT_KINDS, Query
from retrieval.text import (
    QUESTION_STOPWORDS,
    find_provinces,
    fold,
    has_diacritics,
    strip_diacritics,
)
from retrieval.types import MAX_MENTIONED, MAX_TURN_CHARS, Conversation, NoticeMeta, Turn

MAX_SWAP_WORDS = 7  # "còn X thì sao?": a longer X is a question of its own
SUBJECTLESS_MAX_WORDS = 8  # a question without a subject longer than this is one of its own
_COPULAS = frozenset({"la", "co", "duoc", "phai", "co phai", "co duoc", "can", "bi"})

# Words that only ask (folded): a message made of these and particles asks about the
# previous answer ("từ ngày nào?", "đến bao giờ?", "ai ký?", "số mấy?", "áp dụng bao lâu?",
# "kéo dài bao lâu?", "hạn chót là khi nào?", "cái này áp dụng đến bao giờ?"),
# with the units a quantity is asked in ("một ngày được bao nhiêu tiền?", "mấy người?").
_ASKING_TEXT = """
tu den ngay nao bao gio khi luc han het ket thuc bat dau hieu luc ap dung thuc hien lau
thoi gian may bao nhieu ai ky ban hanh so hieu ky cua co quan gui cho nhung dau o vi sao
tai ly do nua con van chua khong co duoc khi nao hom thang nam tuan la gi the ra sao nhu
trong hieu
ah a nhe vay the thi sao oi ha hả van ban nay do ay
mot moi tien dong nguoi lan
keo dai chot truoc cai
"""
_ASKING_WORDS = frozenset(_ASKING_TEXT.split())
# The same words as typed with diacritics: folded, "chợ" (a market) is "cho" (for), and
# "thế còn chợ thì sao?" would ask only.
_ASKING_TEXT_ACCENTED = """
từ đến ngày nào bao giờ khi lúc hạn hết kết thúc bắt đầu hiệu lực áp dụng thực hiện lâu
thời gian mấy nhiêu ai ký kí ban hành số hiệu của cơ quan gửi cho những đâu ở vì sao
tại lý do nữa còn vẫn chưa không có được hôm tháng năm tuần là gì thế ra như trong hiểu
à ạ a ah nhé vậy thì ơi hả văn bản này đó ấy một mỗi tiền đồng người lần
kéo dài chót trước cái
"""
_ASKING_WORDS_ACCENTED = frozenset(_ASKING_TEXT_ACCENTED.split())
_SWAP = (
    # "còn X thì sao", "thế còn X", "vậy còn X nữa", "còn X?"
    re.compile(
        r"^(?:(?:the|vay|con the|the thi|vay thi)\s+)?con\s+"
        r"(?:(?P<prep>o|tai|ve|voi|doi voi)\s+)?"
        r"(?P<x>.+?)(?:\s+(?:thi\s+)?(?:sao|the nao|nhu the nao|ra sao)(?:\s+(?:a|vay|nhi|nua))?"
        r"|\s+nua|\s+thi)?$"
    ),
    # "X thì sao", "ở X thì sao", "với X thì thế nào"
    re.compile(
        r"^(?:(?:the|vay)\s+)?(?:(?P<prep>o|tai|voi|doi voi|ve)\s+)?(?P<x>.+?)\s+thi\s+"
        r"(?:sao|the nao|nhu the nao|ra sao)(?:\s+(?:a|vay|nhi|nua))?$"
    ),
)
# A reference to a document: "văn bản này", "quyết định đó", "thông báo ấy".
# "báo cáo" too: a report a notice names ("tại Báo cáo số 294/BC-BCĐ") is asked about as
# "báo cáo đó", though the search's intents do not read "báo cáo" (a verb as often) as a kind.
_KINDS = DOCUMENT_KINDS + "|bao cao"
# "văn bản này", "thông báo Vĩnh Phúc đó", "hội nghị đó" (the meeting a notice reports).
_REFERENCE = re.compile(
    rf"\b(?P<kind>{_KINDS}|hoi nghi)(?:\s+[a-z]+){{0,3}}?"
    r"\s+(?:nay|do|ay|tren|vua roi|vua neu|kia)\b"
)
_ANY_KIND = ("van ban", "hoi nghi")  # a reference that fits a document of any kind
# A document named by its number: "Quyết định 2686/QĐ-BCĐQG", "Chỉ thị số 16", "quyết định 2686".
_NUMBERED = re.compile(rf"\b(?P<kind>{_KINDS})\s+(?:so\s+)?\d+(?:/[0-9a-z-]+)*", re.IGNORECASE)
# Words of one shape: "5K" and "5T", "F0" and "F1", "CT15" and "CT16".
_CODE = re.compile(r"(?<!\w)(?:\d+[a-zđ]{1,2}|[a-zđ]{1,3}\d+)(?!\w)", re.IGNORECASE)
_PLACE_PREFIX = re.compile(r"(?:huyen|xa|thanh pho|thi xa|thi tran|tinh|phuong|quan|tp\.?)\s+$")
# The person or thing a rule is for: what "còn trẻ em thì sao?" replaces (folded).
_FOR = re.compile(r"\b(?:cho|voi|doi voi|danh cho)\s+")
# Who a rule may be for: "trẻ em", "người cao tuổi", "học sinh", "F0" (folded, at the start).
_PEOPLE = re.compile(
    r"^(?:tre|nguoi|hoc sinh|sinh vien|cong nhan|can bo|giao vien|benh nhan|phu nu|ba bau"
    r"|thai phu|cong dan|lao dong|f[0-3]|doanh nghiep|ho gia dinh|ho ngheo)\b"
)
# The first verb of a question: what stands before it is its subject, after it its object.
# Matched with diacritics when the question has them ("đặt" is not "Đất").
_VERBS = (
    "là", "có được", "được", "phải", "có phải", "có", "cần", "bị", "áp dụng", "giãn cách",
    "quy định", "yêu cầu", "tạm dừng", "dừng", "cho phép", "cấm", "đặt", "mở cửa",
    "hoạt động", "đóng cửa", "thực hiện", "tổ chức", "hỗ trợ", "xử lý", "kiểm tra",
    "báo cáo", "đánh giá", "triển khai", "chỉ đạo", "giao", "đề nghị", "đồng ý", "kết luận",
    "tiếp tục", "hạn chế", "khuyến khích", "chuẩn bị", "đảm bảo", "bảo đảm",
)  # fmt: skip
_VERB = re.compile(r"\s+(?:" + "|".join(map(re.escape, _VERBS)) + r")\s+")
_VERB_FOLDED = re.compile(r"\s+(?:" + "|".join(re.escape(fold(v)) for v in _VERBS) + r")\s+")
# Capitalised words that begin no place's name: bodies, posts and kinds of documents.
_NOT_PLACES = frozenset(
    {
        "ban", "bộ", "sở", "tỉnh", "ủy", "thủ", "chính", "quốc", "trung", "thường", "hội",
        "đảng", "covid", "chỉ", "thông", "quyết", "nghị", "luật", "kế", "công", "ubnd", "hđnd",
    }
)  # fmt: skip
_DOCUMENT_SUBJECT = re.compile(rf"^(?:{_KINDS}|hoi nghi)\b")
# "ông ấy", "bà đó", "đồng chí ấy": the person the previous answer named ("những người đó"
# are the people the question was about, not a person named).
_PRONOUN = re.compile(r"\b(?:ong|ba|dong chi) (?:ay|do|nay)\b")
# A person named in an answer comes after a title: "đồng chí Hồ Văn Niên", "ông/bà Nguyễn …".
_TITLE_BEFORE = re.compile(r"(?:đồng chí|[Ôô]ng/bà|[Ôô]ng|[Bb]à)\s+$")
_SIGNER_ASKED = re.compile(r"\b(?:ai ky|nguoi ky|do ai ky)\b")
# A swap whose new part asks a question of its own: "Kiên Giang, dịch có đỡ hơn không".
_ASKS_ITSELF = re.compile(r"\b(?:khong|chua|nao|gi|sao|ai|dau|bao nhieu|may)\s*$")


@dataclass(frozen=True)
class Reading:
    """How a message is read: the question to answer, and where its answer must come from.

    Attributes:
        question: the standalone question (the message itself when no context was used).
        doc_id: the document the message refers to ("văn bản này"), if any.
        contextual: True when the previous turn was used; the reply then says how the
            message was read.
    """

    question: str
    doc_id: str | None = None
    contextual: bool = False


# A place's name as the indexed texts write it ("Giồng Riềng" for "giong rieng"), or None.
PlaceName = Callable[[str], str | None]
# Whether a province's documents write a place's name ("Phúc Yên", "Vĩnh Phúc").
InProvince = Callable[[str, str], bool]


def read_message(
    text: str,
    conversation: Conversation | None,
    *,
    catalog: Mapping[str, NoticeMeta],
    place_name: PlaceName,
    in_province: InProvince | None = None,
) -> Reading:
    """The question a message asks in its conversation.

    Args:
        text: the message, cleaned (NFC, trimmed).
        conversation: the chat's last turns, or None.
        catalog: the indexed documents (for the document a reference points at).
        place_name: folded words as the name of a place the indexed texts know, or None.
        in_province: whether a province's documents name a place: a town of the province
            asked about before keeps that province ("còn Phúc Yên?" after Vĩnh Phúc).

    Returns:
        The reading; `contextual` is False for a question of its own.
    """
    previous = conversation.last if conversation is not None else None
    if conversation is None or previous is None or not text:
        return Reading(text)
    stripped = text.rstrip(" ?!.…")
    folded = fold(stripped)
    if len(folded) != len(stripped):  # positions must match to cut the typed text
        return Reading(text)
    reading = (
        _pronoun(text, folded, previous)
        or _reference(text, folded, previous, catalog, conversation)
        or _asking_only(text, folded, previous, catalog, conversation, place_name)
        or _swap(stripped, folded, previous, place_name, in_province)
        or _subjectless(text, previous, catalog, conversation)
        or Reading(text)
    )
    if reading.contextual and _left_plain(text, reading.question):
        # Typed without diacritics, read without them: a question half with and half
        # without is matched word for word with them, and its plain words all miss
        # ("... cộng đồng yêu cầu đối với vung do"). Restoring them instead guesses
        # wrong too often on a large corpus ("vùng độ", "bảo nhiều tiện").
        return replace(reading, question=strip_diacritics(reading.question))
    return reading


def _left_plain(text: str, question: str) -> bool:
    """True when words of a message typed without diacritics stand so in the question read.

    A place the texts spell ("con phu quoc thi sao" read with "Phú Quốc") leaves none, and
    the reading keeps the texts' spelling.
    """
    if has_diacritics(text):
        return False
    typed = set(re.findall(r"[a-z]{2,}", text))
    return bool(typed & set(re.findall(r"[^\W\d_]+", question)))


def turn_of(query: Query, doc_ids: tuple[str, ...], *, lead: str = "") -> Turn:
    """The turn an answered question leaves: what it asked, cited, and named.

    Args:
        query: the question as understood, as the answer read it.
        doc_ids: the documents its answer cited, the lead's first.
        lead: the answer's lead: when the question asked who, the person it names.
    """
    question = query.text
    folded = fold(question)  # the same places as the question: a match cuts the question
    named = _NUMBERED.search(folded)
    asked_who = query.asks == "person" or _SIGNER_ASKED.search(folded)
    return Turn(
        question=question[:MAX_TURN_CHARS],
        doc_ids=doc_ids,
        place=_place_in(question),
        named_document=question[named.start() : named.end()] if named else None,
        person=_person_in(lead) if asked_who else None,
        mentioned=_numbered_in(lead),
    )


def _numbered_in(text: str) -> tuple[str, ...]:
    """The documents a text names by number, as written, each once ("Báo cáo số 294/BC-BCĐ")."""
    folded = fold(text)
    if len(folded) != len(text):
        return ()
    found = [text[m.start() : m.end()] for m in _NUMBERED.finditer(folded)]
    return tuple(dict.fromkeys(found))[:MAX_MENTIONED]


def _person_in(text: str) -> str | None:
    """The first person a text names by a title and a capitalised name ("đồng chí Hồ Văn Niên")."""
    for start, end in _capitalised_runs(text):
        if _TITLE_BEFORE.search(text[:start]):
            return text[start:end]
    return None


def _pronoun(text: str, folded: str, previous: Turn) -> Reading | None:
    """'Ông ấy giữ chức gì?' after 'Ai kết luận …?': the person the answer named."""
    match = _PRONOUN.search(folded)
    if match is None or previous.person is None:
        return None
    question = text[: match.start()] + previous.person + text[match.end() :]
    doc_id = previous.doc_ids[0] if previous.doc_ids else None
    return Reading(_capitalised(question), doc_id=doc_id, contextual=True)


def _reference(
    text: str, folded: str, previous: Turn, catalog: Mapping[str, NoticeMeta], recent: Conversation
) -> Reading | None:
    """'Ai ký văn bản này?', 'quyết định đó ban hành ngày nào?'."""
    match = _REFERENCE.search(folded)
    if match is None:
        return None
    kind = match.group("kind")
    named = previous.named_document
    if named is not None and fold(named).startswith(kind):
        question = text[: match.start()] + named + text[match.end() :]
        return Reading(_capitalised(question), contextual=True)
    # The document just cited, else one its lead named ("tại Báo cáo số 294/BC-BCĐ": the
    # reader has just read of it), else one cited before.
    meta = _cited(Conversation((previous,)), catalog, kind)
    mentioned = next((m for m in previous.mentioned if fold(m).startswith(kind)), None)
    if meta is None and mentioned is not None and kind not in _ANY_KIND:
        question = text[: match.start()] + mentioned + text[match.end() :]
        doc_id = previous.doc_ids[0] if previous.doc_ids else None
        return Reading(_capitalised(question), doc_id=doc_id, contextual=True)
    meta = meta or _cited(recent, catalog, kind)
    if meta is None:
        return None  # a "chỉ thị đó" that no cited document is: read the message as it is
    question = text[: match.start()] + phrasing.doc_reference(meta) + text[match.end() :]
    return Reading(_capitalised(question), doc_id=meta.doc_id, contextual=True)


def _cited(
    recent: Conversation, catalog: Mapping[str, NoticeMeta], kind: str = "van ban"
) -> NoticeMeta | None:
    """The document the conversation last cited (of this kind), newest turn first."""
    for turn in reversed(recent.turns):
        for doc_id in turn.doc_ids:
            meta = catalog.get(doc_id)
            if meta is not None and (kind in _ANY_KIND or fold(meta.kind or "").startswith(kind)):
                return meta
    return None


def _asking_only(
    text: str,
    folded: str,
    previous: Turn,
    catalog: Mapping[str, NoticeMeta],
    recent: Conversation,
    place_name: PlaceName,
) -> Reading | None:
    """'Đến bao giờ?', 'ai ký?', 'số mấy?': about the previous answer's rule or document."""
    words = re.findall(r"[0-9a-z]+", folded)
    if not words or len(words) > 8 or not set(words) <= _ASKING_WORDS:
        return None
    typed = re.findall(r"[^\W\d_]+", text.lower())
    if has_diacritics(text) and not set(typed) <= _ASKING_WORDS_ACCENTED:
        return None  # "thế còn chợ thì sao?": "chợ" only folds to an asking word
    named = words[1:] if words[0] == "con" else words
    if named and place_name(" ".join(named)) is not None:
        return None  # "còn Hà Tiên?" ("ha", "tien" also ask: "hả", "tiền") swaps the place
    meta = _cited(recent, catalog)
    asked = Query.parse(text)
    if asked.intent.intent in ("signer", "date", "issuer", "recipients", "number"):
        if meta is None:
            return None
        question = f"{text.rstrip(' ?!.…')} {phrasing.doc_reference(meta)}?"
        return Reading(_capitalised(question), doc_id=meta.doc_id, contextual=True)
    topic = _without_asking(previous.question)
    asking = _THIS.sub("", _without_calling(text.rstrip(" ?!.…")))  # "cái này", "vậy": the topic
    question = f"{topic} {_uncapitalised(asking)}?"
    return Reading(_capitalised(question), doc_id=meta.doc_id if meta else None, contextual=True)


def _swap(
    stripped: str,
    folded: str,
    previous: Turn,
    place_name: PlaceName,
    in_province: InProvince | None = None,
) -> Reading | None:
    """'Còn Rạch Giá thì sao?', 'còn 5T thì sao?', 'thế còn trẻ em?'."""
    for pattern in _SWAP:
        match = pattern.match(folded)
        if match is not None:
            break
    else:
        return None
    new = stripped[match.start("x") : match.end("x")].strip(" ,")
    if not new or len(new.split()) > MAX_SWAP_WORDS or _ASKS_ITSELF.search(fold(new)):
        return None  # "còn Kiên Giang, dịch có đỡ hơn không?": a question of its own
    before = _without_calling(previous.question.rstrip(" ?!.…"))
    folded_before = fold(before)
    # The swaps that cut the question where its fold matches need the two aligned.
    aligned = folded_before if len(folded_before) == len(before) else None
    question = (
        _swap_place(before, new, previous, place_name, in_province)
        or _swap_code(before, new)
        or _swap_after(before, aligned, new, match.group("prep"))
        or _swap_numbered(before, aligned, new)
        or _swap_head(before, aligned, new)
        or _swap_for(before, aligned, new)
        or _swap_people(before, aligned, new)
        or _swap_phrase(before, aligned, new, previous)
        or f"{before} đối với {new}"
    )
    return Reading(_capitalised(question.rstrip(" ?") + "?"), contextual=True)


def _subjectless(
    text: str, previous: Turn, catalog: Mapping[str, NoticeMeta], recent: Conversation
) -> Reading | None:
    """'Đánh giá tính đến ngày nào?': a short question that starts with its verb.

    It has the previous question's subject: its place, else the document cited last.
    """
    lowered, folded = text.lower(), fold(text)
    first = _VERB.match(" " + lowered) if folded != lowered else _VERB_FOLDED.match(" " + folded)
    if len(text.split()) > SUBJECTLESS_MAX_WORDS or first is None:
        return None
    if fold(first.group()).strip() in _COPULAS:
        return None  # "có được …", "phải …": a question of its own, not a missing subject
    if find_provinces(text) or _place_in(text) is not None:
        return None
    meta = _cited(recent, catalog)
    subject = previous.place or (phrasing.doc_reference(meta) if meta is not None else None)
    if subject is None:
        return None
    question = f"{_capitalised(subject)} {_uncapitalised(text.rstrip(' ?!.…'))}?"
    return Reading(question, doc_id=meta.doc_id if meta else None, contextual=True)


def _swap_place(
    before: str,
    new: str,
    previous: Turn,
    place_name: PlaceName,
    in_province: InProvince | None = None,
) -> str | None:
    provinces = find_provinces(new)
    typed_lowercase_with_accents = fold(new) != new.lower() and new == new.lower()
    written = None if provinces or typed_lowercase_with_accents else place_name(fold(new))
    if len(provinces) == 1 and len(new.split()) <= len(provinces[0].split()):
        new = provinces[0]  # "gia lai" is read as "Gia Lai"
    elif not provinces and typed_lowercase_with_accents:
        return None  # "đám cưới": a name typed with its accents is typed with capitals too
    elif written is not None and fold(new) == new.lower():
        new = written  # "giong rieng" is read as the texts write it: "Giồng Riềng"
    elif not (provinces or written or _place_in(new) is not None):
        return None
    old = previous.place or _place_typed(before, place_name)
    province = _within(new, old, in_province) if old and not provinces else None
    if province is not None:
        new = f"{new} ({province})"  # a town of the province asked about: its notices answer
    swapped = before.replace(old, new, 1) if old and old in before else f"{before} ở {new}"
    if provinces and not (old and set(find_provinces(old)) & set(provinces)):
        # "Thông báo Kiên Giang ngày 13/9/2021 do ai ký?" then "còn của Vĩnh Phúc?": the
        # date named Kiên Giang's notice; Vĩnh Phúc's is of another day.
        swapped = _DATED.sub("", swapped)
    return swapped


# A date a question names a document by: "ngày 13/9/2021", "13-9-2021", "ngày 16 tháng 9 năm 2021".
_DATED = re.compile(
    r"\s*(?:(?:ngày|ngay)\s+)?\d{1,2}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{4}"
    r"|\s*(?:ngày|ngay)\s+\d{1,2}\s+(?:tháng|thang)\s+\d{1,2}\s+(?:năm|nam)\s+\d{4}",
    re.IGNORECASE,
)


def _place_typed(question: str, place_name: PlaceName) -> str | None:
    """A place a question typed in lowercase names, as typed ("hon dat"), if the texts have it.

    "hon dat gian cach theo chi thi nao" then "con rach gia": with no capitals there is no
    place to see, but the texts write "Hòn Đất". Two-word names only, the first one found
    (each look-up reads the index: a few milliseconds, and only on such a swap).
    """
    if question != question.lower() or has_diacritics(question):
        return None
    words = question.split()
    for first, second in zip(words, words[1:], strict=False):
        pair = f"{first} {second}"
        written = (
            place_name(fold(pair)) if pair.isascii() and pair.replace(" ", "").isalpha() else None
        )
        if written is not None and written.split()[0].lower() not in _NOT_PLACES:
            return pair
    return None


def _within(place: str, old: str, in_province: InProvince | None) -> str | None:
    """The province asked about before, if its documents name this place (no province)."""
    provinces = find_provinces(old)
    if in_province is None or len(provinces) != 1 or not in_province(place, provinces[0]):
        return None
    return provinces[0]


def _swap_code(before: str, new: str) -> str | None:
    if not _CODE.fullmatch(new.strip()):
        return None
    old = _CODE.search(before)
    if old is None:
        return None
    return before[: old.start()] + new.strip() + before[old.end() :]


def _swap_numbered(before: str, folded: str | None, new: str) -> str | None:
    """'chỉ thị 16' for 'Chỉ thị 15': the same words with another number."""
    found = re.fullmatch(r"(.+?)\s+(\d+)", fold(new).strip())
    if found is None or folded is None:
        return None
    words = r"\s+".join(map(re.escape, found.group(1).split()))
    old = re.search(rf"\b{words}\s+(?:so\s+)?\d+", folded)
    if old is None:
        return None
    return before[: old.start()] + new.strip() + before[old.end() :]


def _swap_head(before: str, folded: str | None, new: str) -> str | None:
    """The phrase with the same first word: "quán cà phê" for "quán ăn".

    A Vietnamese noun phrase starts with its head ("đám tang" for "đám cưới"); the old one
    runs to the next verb, the asking or the end: "Gia Lai có cho <quán ăn> mở cửa không?".
    """
    words = fold(new).split()
    if folded is None or len(words) < 2 or words[0] in QUESTION_STOPWORDS:
        return None
    found = re.search(rf"(?:^|\s){re.escape(words[0])}\s", folded)
    if found is None:
        return None
    start = found.start() if found.start() == 0 else found.start() + 1
    verb = _verb_in(before, folded, start, len(before))
    limits = [_asking_start(folded), _yes_no_start(folded)] + ([verb.start()] if verb else [])
    end = min(e for e in limits if e > start)
    if fold(before[start:end]).strip() == " ".join(words):
        return None  # the same phrase: nothing to swap
    return f"{before[:start]}{new.strip()}{before[end:]}"


def _swap_for(before: str, folded: str | None, new: str) -> str | None:
    """The person or thing the rule was for ("cho người trên 18 tuổi")."""
    if folded is None:
        return None
    # "Gia Lai có cho <quán ăn bán tại chỗ> không?": a yes/no question's asking is its
    # closing "không" (the "có" opens what it asks about).
    return _after_last(_FOR, before, folded, new, _asking_start(folded)) or _after_last(
        _FOR, before, folded, new, _yes_no_start(folded)
    )


def _swap_people(before: str, folded: str | None, new: str) -> str | None:
    """'còn trẻ em thì sao?' after a rule that named no one it was for: the rule for them.

    "Lai Châu đặt mục tiêu tiêm mũi 3 thế nào?" becomes "… tiêm mũi 3 cho trẻ em thế nào?",
    not "Lai Châu đặt trẻ em thế nào?". A question about people already ("Người dân phải làm
    gì?") swaps its subject instead (`_swap_phrase`).
    """
    if folded is None or not _PEOPLE.match(fold(new)) or _PEOPLE.match(folded):
        return None
    end = _asking_start(folded)
    return f"{before[:end].rstrip()} cho {new.strip()}{before[end:]}"


def _swap_phrase(before: str, folded: str | None, new: str, previous: Turn) -> str | None:
    """The phrase the new one stands for: the subject, or else the object.

    The object when the subject is a place or a document ("Lai Châu tạm dừng <thông cáo báo
    chí …> rồi à?"), the subject otherwise ("<Quán ăn> có được mở cửa không?").
    """
    if folded is None:
        return None
    end = _asking_start(folded)
    verb = _verb_in(before, folded, 0, end)
    place = fold(previous.place or "")
    if verb is None and _yes_no_start(folded) < len(folded):
        # "Lai Châu có tạm dừng <khu cách ly tập trung> không?": the asking is the "không",
        # the "có" before the verb only helps it.
        end = _yes_no_start(folded)
        verb = _main_verb(before, folded, end)
        if verb is None:
            return None
    subject = folded[: verb.start() if verb else end].strip()
    if place and place in subject and _PEOPLE.match(subject) and _PEOPLE.match(fold(new)):
        # "<Người dân> Gia Lai cần làm gì?" then "còn doanh nghiệp?": the people before the place.
        return f"{new} {before[subject.index(place) :]}"
    if verb is None:
        return _swap_topic(before, folded, new, place, end) or _swap_term(before, folded, new, end)
    if subject and not (place and place in subject) and not _DOCUMENT_SUBJECT.match(subject):
        return f"{new}{before[verb.start() :]}"
    if verb.end() >= end:
        return None
    return f"{before[: verb.end()].rstrip()} {new}{before[end:]}"


def _swap_after(before: str, folded: str | None, new: str, prep: str | None) -> str | None:
    """'còn về tiêm vắc xin?' after '… nói gì về khu cách ly?': what followed the same word."""
    if folded is None or prep not in ("ve", "voi", "doi voi"):
        return None
    return _after_last(re.compile(rf"\s{prep}\s"), before, folded, new, _asking_start(folded))


def _after_last(word: re.Pattern[str], before: str, folded: str, new: str, end: int) -> str | None:
    """The question with what follows its last `word` before `end` (its asking) swapped."""
    found = [m for m in word.finditer(folded) if m.end() < end]
    if not found:
        return None
    return f"{before[: found[-1].end()]}{new}{before[end:]}".strip()


def _swap_term(before: str, folded: str, new: str, end: int) -> str | None:
    """'5K là gì?' then 'còn 2 chống 3 xây?': with no verb nor place, what is asked about."""
    if end >= len(folded) or not folded[end:].lstrip().startswith("la "):
        return None
    return f"{new}{before[end:]}"


def _swap_topic(before: str, folded: str, new: str, place: str, end: int) -> str | None:
    """A new topic after the place, when the question has no verb we know.

    In "<Kiên Giang> <xét nghiệm sàng lọc> thế nào?" what stands between the place and the
    asking is the topic, and the new one ("truy vết F1") takes its place.

    A zone ("còn vùng đỏ thì sao?") is where the same topic is asked about, not a new topic.
    """
    if not place or not folded.startswith(place) or len(place) >= end or _ZONE.match(fold(new)):
        return None
    return f"{before[: len(place)]} {new}{before[end:]}"


def _main_verb(text: str, folded: str, end: int) -> re.Match[str] | None:
    """The first verb of text[:end] that is not one helping another ("có", "được")."""
    start = 0
    while (verb := _verb_in(text, folded, start, end)) is not None:
        if fold(verb.group()).strip() not in _COPULAS:
            return verb
        start = verb.end() - 1  # the verbs' pattern eats the space on each side
    return None


def _yes_no_start(folded: str) -> int:
    """Where a yes/no question's closing "không" or "chưa" starts (its end when it has none)."""
    tail = _YES_NO_END.search(folded)
    return tail.start() if tail else len(folded)


def _without_asking(question: str) -> str:
    """A question without its asking part ("… theo chỉ thị nào?" -> "…").

    A yes/no question keeps what it asks about: "Chỉ thị có cho cơ quan liên hoan không"
    -> "Chỉ thị cho cơ quan liên hoan".
    """
    text = question.rstrip(" ?!.…")
    folded = fold(text)
    if len(folded) != len(text):
        return text
    text = _without_calling(text)
    folded = folded[: len(text)]
    yes_no = _YES_NO.search(folded)
    if yes_no is not None:
        return f"{text[: yes_no.start()]} {text[yes_no.start('what') : yes_no.end('what')]}".strip()
    span = _asking_span(folded)
    if span is None:
        return text
    return (text[: span[0]] + text[span[1] :]).strip(" ,")


_ASKING_PHRASE = re.compile(  # on folded text
    r"\s*(?:theo\s+)?(?:chi thi|van ban|quyet dinh|thong bao)\s+(?:nao|gi|so may|so nao|may)\b"
    # "trên bao nhiêu người": the bound belongs to the number asked for
    r"|\s*(?:la\s+)?(?:(?:tren|duoi|hon|toi da|toi thieu|it nhat)\s+)?(?:bao nhieu|may)\s+[a-z]+"
    r"|\s+(?:la gi|la sao|the nao|nhu the nao|ra sao|khi nao|bao gio|bao lau|o dau|vi sao)"
    # "ở những huyện nào", "cho đối tượng nào", "những gì", "đến ngày nào": which it asks for
    # (never "<noun> thế nào": "vùng đỏ thế nào" asks how, of "vùng đỏ").
    r"|\s+(?:(?:o|tai|cho|voi|gom|theo)\s+)?(?:nhung|cac)\s+[a-z]+(?:\s+[a-z]+)?\s+nao\b"
    r"|\s+(?:o|tai|cho|voi|gom)\s+[a-z]+(?:\s+[a-z]+)?\s+nao\b"
    r"|\s+(?:tu|den|vao|truoc|sau)\s+(?:ngay|thang|luc|khi)\s+nao\b"
    r"|\s+(?:nhung|cac)\s+(?:viec\s+)?gi\b"
    r"|\s+(?:(?:phai|can|nen)\s+)?lam\s+gi\b"
    r"|\s+(?:co|co duoc|co phai)\s+.*\s+khong$|\s+khong$|\s+chua$"
)


# "Cái này áp dụng đến bao giờ?": what "cái này" stands for is the previous question's topic.
_THIS = re.compile(r"^(?:cái|việc|điều|cai|viec|dieu) (?:này|đó|ấy|nay|do|ay)\s+", re.IGNORECASE)
# Words that end a question to the chat ("vậy mọi người", "mn ơi", "ạ"), on folded text.
_CALLING = re.compile(r"(?:\s+(?:vay|a|ah|nhi|nhe|ha|mn|moi nguoi|ca nha|ban oi|ad|oi))+$")
# Where a rule applies, as a question names it: "vùng đỏ", "khu phong tỏa", "nơi đông người".
_ZONE = re.compile(r"(?:vung|khu|noi|dia ban|dia phuong|o|tai)\b")
_YES_NO_END = re.compile(r"\s+(?:khong|chua)$")
_YES_NO = re.compile(r"\s+(?:co duoc|co phai|co)\s+(?P<what>.+?)\s+(?:khong|chua)(?:\s+\w+)?$")


def _without_calling(text: str) -> str:
    """A question without what it says to the chat ("… vậy mọi người", "… mn ơi", "… ạ")."""
    folded = fold(text)
    calling = _CALLING.search(folded) if len(folded) == len(text) else None
    return text[: calling.start()] if calling is not None else text


def _asking_start(folded: str) -> int:
    """Where a question's asking part starts (its end when it has none)."""
    span = _asking_span(folded)
    return span[0] if span else len(folded)


def _verb_in(text: str, folded: str, start: int, end: int) -> re.Match[str] | None:
    """The first verb of text[start:end], `folded` being its fold (the same places).

    Read with diacritics when the text has them: "đặt" is not "Đất".
    """
    lowered = text.lower()
    if folded != lowered:
        return _VERB.search(lowered, start, end)
    return _VERB_FOLDED.search(folded, start, end)


def _asking_span(folded: str) -> tuple[int, int] | None:
    """Where the asking part of a question is (the last one), on its fold (same places)."""
    spans = [(m.start(), m.end()) for m in _ASKING_PHRASE.finditer(folded)]
    return spans[-1] if spans else None


def _place_in(text: str) -> str | None:
    """The place a question names, as written: a province, or a capitalised name after its kind."""
    folded = fold(text)
    for start, end in _capitalised_runs(text):
        name = text[start:end]
        prefix = _PLACE_PREFIX.search(folded[:start]) if len(folded) == len(text) else None
        if prefix is not None:
            return text[prefix.start() : end]
        if find_provinces(name) or name.split()[0].lower() not in _NOT_PLACES:
            return name  # a province, or a name ("Hòn Đất", "Phú Quốc")
    provinces = find_provinces(text)
    if provinces:
        found = re.search(re.escape(fold(provinces[0])), folded)
        if found is not None:
            return text[found.start() : found.end()]
    return None


def _capitalised_runs(text: str) -> list[tuple[int, int]]:
    """Where two or more capitalised words follow each other ("Hòn Đất", "Rạch Giá")."""
    runs: list[tuple[int, int]] = []
    run: list[re.Match[str]] = []
    for word in [*re.finditer(r"\w+", text), None]:
        if word is not None and word.group()[0].isupper() and not word.group()[0].isdigit():
            if run and text[run[-1].end() : word.start()].strip():
                if len(run) >= 2:  # punctuation between them: the name before ends there
                    runs.append((run[0].start(), run[-1].end()))
                run = []
            run.append(word)
            continue
        if len(run) >= 2:
            runs.append((run[0].start(), run[-1].end()))
        run = []
    return runs


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _uncapitalised(text: str) -> str:
    """'Đến ngày nào' continuing a sentence: 'đến ngày nào' (not 'Rạch Giá', not '5K')."""
    words = text.split()
    if (
        words
        and len(words[0]) > 1
        and words[0][1:].islower()
        and not (len(words) > 1 and words[1][:1].isupper())
    ):
        return text[:1].lower() + text[1:]
    return text


def capitalised_name(folded: str, texts: Sequence[str]) -> str | None:
    """Folded words as the texts write them when they write them as a name, else None.

    "phuc yen" in "Các trung tâm của tỉnh: Vĩnh Yên, Phúc Yên" is "Phúc Yên": a place the
    texts list without its kind before it. "dam cuoi" is written in lowercase: no name.
    """
    pattern = re.compile(rf"\b{re.escape(folded)}\b")
    for text in texts:
        folded_text = fold(text)
        if len(folded_text) != len(text):
            continue
        for found in pattern.finditer(folded_text):
            name = text[found.start() : found.end()]
            words = name.split()
            titled = all(w[:1].isupper() and not w.isupper() for w in words)  # not a heading
            if titled and words[0].lower() not in _NOT_PLACES:
                return name
    return None
