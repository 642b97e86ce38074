"""Does a passage answer the question? A calibrated probability from a few measurable signals.

Search finds the paragraphs nearest a question; that does not make them an answer. People
mostly ask what these notices never mention (a vaccine for their illness, a symptom, a price),
and the nearest paragraph is then merely on the same topic. The signals:

- similarity: e5 cosine of question and paragraph (paraphrases, synonyms);
- coverage: the share of the question's content words the paragraph contains, each weighted
  by how specific it is: rare in the paragraphs (row idf) and in few documents (words every
  notice shares, "covid", "dịch", "tiêm", "tỉnh", count for little);
- sentence: the share of `phrased` (below) in the paragraph's best sentence (a long paragraph
  matches many words by chance, scattered over unrelated sentences);
- pairs: the share of the question's two-word runs found together in the paragraph ("quán
  ăn", "mở cửa", "2 chống": Vietnamese words are mostly two syllables);
- unknown: content words that no indexed paragraph contains at all ("HIV", "Omicron", "SpO2"):
  the question is about something the notices never mention;
- generic: how much of the question is made of words that most documents share;
- named / unnamed: the question's names (capitalised words: "Hà Tiên", "Pfizer", "PCR")
  that the paragraph, read in its context, does or does not contain;
- phrased: like coverage, but a question word counts only where the paragraph has it beside
  a neighbour from the question's phrase ("test" next to "nhanh" for "test nhanh");
- lift: the e5 similarity above that of the question's last dense candidate. e5 puts every
  Vietnamese Covid text near every other (0.84-0.89); an answer stands out from the rest;
- scope: a linear probe on the question's own e5 vector, fitted on our question sets: is
  this the kind of question these notices answer (what a province orders its officials and
  people to do) or the kind they never do (a person's illness, a symptom, a price)? It is
  the strongest single signal on the held-out sets, and the one most tied to the corpus: a
  corpus of another kind (medical guidance) needs the weights refitted.
- numberless: the question asks how many or how much ("bao nhiêu tiền", "mấy ngày") and the
  paragraph states no number (of the unit asked, when it names one: "21 ngày"). "Người được
  cấp lại thẻ bảo hiểm y tế phải nộp phí" is on the topic of "phí cấp lại thẻ là bao nhiêu
  tiền?" and does not answer it. Every gold passage of a number question in the tune sets
  states a number; a third of the uncovered questions' passages do not. A signal, and a
  rule when a unit, a percentage or money is asked (`Answerability.score`): "Tạm dừng
  cách ly tập trung" still answers "cách ly bao nhiêu ngày?", it says the thing stopped.

A logistic regression over them (weights in answerability.json, trained by
bench/train_answerability.py on our own question sets, never on the held-out parts) turns
them into P(the paragraph answers the question). The Answerer answers only above the
threshold stored with the weights; the JSON `score` of a citation is this probability.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from retrieval.answer.compose import sentences
from retrieval.answer.facts import asks_counted, states, stops, typed_pattern
from retrieval.answer.model import DEFAULT_SIMILARITY, Evidence, Model
from retrieval.index import Library
from retrieval.search import Query, Searcher
from retrieval.text import QUESTION_STOPWORDS, fold, spelling_key, syllables
from retrieval.types import Passage

MISSING_WEIGHT = 0.6  # question words at least this specific must be in a cited paragraph
MISSING_RUN = 4  # words of the question shown around one the passages lack
# At or below this share of syllables typed with diacritics, a question is matched folded. Typed
# with them, most Vietnamese syllables carry a mark ("Cách ly tập trung bao nhiêu ngày?": 4 of
# 6; "Quán ăn có được mở bán không?": 7 of 7).
MIN_MARKED_SHARE = 0.5
_WORD = re.compile(r"[0-9a-z]+")
_TYPED_WORD = re.compile(r"[0-9A-Za-zÀ-ỹĐđ]+")  # a word of the question as typed (case kept)
# Words that carry no focus, on top of the search's question words (folded).
_FUNCTION_TEXT = """
lau may nghia lam khi bay gio hien nay nay do kia se da dang roi nua con chua muon biet neu
bi de tren duoi trong sau truoc moi rat qua lai cung deu tat ca mot ban xin the sao vi nen hon
nhat coi xem hieu goi dot kieu dao hoi
"""
_FUNCTION_WORDS = QUESTION_STOPWORDS | frozenset(_FUNCTION_TEXT.split())
# The same words with their diacritics, for questions typed with them: folded, "tự" (order)
# would be dropped as "từ" (from), and "thứ tự" would lose half its meaning.
_ACCENTED_FUNCTION_TEXT = """
là gì nào ai bao nhiêu không có thể thế sao như nhé à ạ vậy ơi hỏi cho tôi mình em anh chị
được phải cần những nhưng các thì mà hay hoặc về đến từ ở tại của và với lâu mấy nghĩa làm
khi bây giờ hiện nay này đó kia sẽ đã đang rồi nữa còn chưa muốn biết nếu bị để trên dưới
trong sau trước mỗi mới rất qua lại cũng đều tất cả một bạn nên hơn nhất vì xin coi xem hiểu
gọi nói nêu đợt kiểu dạo hồi mn mng ad
"""
_ACCENTED_FUNCTION_WORDS = frozenset(_ACCENTED_FUNCTION_TEXT.split())
# Number words are never a topic the notices lack ("Chín huyện nào ...").
_NUMBER_WORDS = frozenset(
    [
        "mot",
        "hai",
        "ba",
        "bon",
        "tu",
        "nam",
        "sau",
        "bay",
        "tam",
        "chin",
        "muoi",
        "tram",
        "nghin",
        "trieu",
    ]
)
_I_TO_Y = str.maketrans("iíìỉĩị", "yýỳỷỹỵ")


@dataclass(frozen=True)
class _Asked:
    """The question's side of the signals (see Answerability._question)."""

    accented: bool
    keys: tuple[str, ...]
    weights: tuple[float, ...]
    total: float
    unknown: int
    generic: float
    pairs: frozenset[tuple[str, str]]
    names: tuple[str, ...]
    links: tuple[tuple[str | None, str | None], ...]
    scope: float
    number: re.Pattern[str] | None  # what a number answer must contain, for a number question


class Answerability:
    """Scores passages against a question with the corpus's own word statistics.

    Args:
        library: the indexed notices (document frequencies come from its lexical index).
        searcher: embeds the question for the scope signal (the Answerer passes its own, so
            the vector search made is reused); one over the library if omitted.
        model: the weights; the bundled ones by default.
    """

    def __init__(
        self, library: Library, *, searcher: Searcher | None = None, model: Model | None = None
    ) -> None:
        self.library = library
        self.searcher = searcher or Searcher(library)
        self.model = model or Model.bundled()
        self._asked: tuple[tuple[Query, object], _Asked] | None = None

    def score(self, query: Query, passage: Passage) -> float:
        """P(the passage answers the question).

        A question for an amount of money, a percentage or a number of some unit ("bao
        nhiêu tiền", "mấy ca") is never answered by a paragraph that states none, unless it
        says the thing stopped ("Tạm dừng hoạt động các khu cách ly tập trung" for "cách
        ly tập trung bao nhiêu ngày?"): "hỗ trợ tiền ăn cho công dân cách ly" is on the
        topic of "một ngày được bao nhiêu tiền?", "Đối với các địa phương có ca mắc bệnh
        (… Ayun Pa …)" of "Ayun Pa có bao nhiêu ca?", and quoting either as the answer
        misleads. A bare "bao nhiêu?" stays a signal ("numberless" above).
        A question about this year's or the asker's own place's events is never answered by
        a document of no province (a law, a national decree): `asks_about_now`.
        """
        evidence = self.evidence(query, passage)
        if evidence.numberless and asks_counted(query) and not stops(passage.paragraph.text):
            return 0.0
        if passage.meta.province is None and asks_about_now(query):
            return 0.0
        return self.model.probability(evidence)

    def answers(self, probability: float) -> bool:
        """True when a passage this probable answers: the one place the threshold is read."""
        return probability >= self.model.threshold

    def evidence(self, query: Query, passage: Passage) -> Evidence:
        """The signals for one passage."""
        asked = self._question(query)
        text = passage.paragraph.text
        words = syllables(text) if asked.accented else _WORD.findall(fold(text))
        sequence = [spelling_key(w) for w in words]
        own = set(sequence)
        context_words, context_pairs = _context(passage, accented=asked.accented)
        present = own | context_words
        pairs = zip(asked.keys, asked.weights, strict=True)
        covered = sum(x for k, x in pairs if k in present) / asked.total
        side_by_side = set(zip(sequence, sequence[1:], strict=False))
        in_sentence = 0.0
        for sentence in sentences(text):
            keys = _keys(sentence, accented=asked.accented)
            said = set(keys) | (present - own)
            adjacent = set(zip(keys, keys[1:], strict=False)) | context_pairs
            in_sentence = max(in_sentence, _phrased(asked, said, adjacent))
        return Evidence(
            similarity=passage.dense_similarity or DEFAULT_SIMILARITY,
            coverage=covered,
            sentence=in_sentence,
            pairs=(len(asked.pairs & side_by_side) / len(asked.pairs)) if asked.pairs else covered,
            unknown=float(asked.unknown),
            generic=asked.generic,
            named=float(sum(1 for n in asked.names if n in present)),
            unnamed=float(sum(1 for n in asked.names if n not in present)),
            phrased=_phrased(asked, present, side_by_side | context_pairs),
            lift=_lift(passage),
            scope=asked.scope,
            numberless=float(asked.number is not None and not states(asked.number, text)),
        )

    def _question(self, query: Query) -> _Asked:
        """The question's side of the signals, worked out once per question (not per passage)."""
        stats = self.library.statistics
        last = self._asked  # read once: questions from several threads share this scorer
        if last is not None and last[0] == (query, stats):
            return last[1]
        accented, terms = _terms(query)
        weights = tuple(self.specificity(_stats_token(w)) for w in terms)
        words = list(query.syllables) if accented else query.folded.split()
        stop = _ACCENTED_FUNCTION_WORDS if accented else _FUNCTION_WORDS
        asked = _Asked(
            accented=accented,
            keys=tuple(spelling_key(w) for w in terms),  # "chiến sĩ" finds "chiến sỹ"
            weights=weights,
            total=sum(weights) or 1.0,
            unknown=sum(
                1
                for w in terms
                if not _is_number(fold(w))
                and not any(stats.row_frequency(_stats_token(s)) for s in _spellings(w))
            ),
            generic=sum(stats.document_weight(_stats_token(w)) for w in terms) / len(terms),
            pairs=frozenset(
                (spelling_key(a), spelling_key(b))
                for a, b in zip(words, words[1:], strict=False)
                if a not in stop and b not in stop
            ),  # fmt: skip
            names=tuple(spelling_key(n) for n in _names(query)) if accented else (),
            links=_links(words, stop, terms),
            scope=self.model.scope(self.searcher.question_vector(query)),
            number=typed_pattern(query) if query.asks == "number" else None,
        )
        self._asked = ((query, stats), asked)
        return asked

    def missing(self, query: Query, passages: Sequence[Passage]) -> list[str]:
        """What the question asks that none of the passages (in context) mentions, as typed.

        Each specific question word the passages lack, shown with the content words around
        it ("giấy khai sinh", not "giấy"): what an answer from these passages leaves out.
        """
        accented, _ = _terms(query)
        said: set[str] = set()
        for p in passages:
            said |= self.context_words(p, accented=accented)
        stop = _ACCENTED_FUNCTION_WORDS if accented else _FUNCTION_WORDS
        runs: list[list[str]] = [[]]
        for token in _TYPED_WORD.findall(query.core):
            key = token.lower() if accented else fold(token)
            if key in stop:
                runs.append([])
            else:
                runs[-1].append(token)
        out: list[str] = []
        for run in runs:
            keys = [spelling_key(w.lower() if accented else fold(w)) for w in run]
            lacks = [k not in said and not _is_number(fold(k)) for k in keys]
            specific = [
                i
                for i, k in enumerate(keys)
                if lacks[i] and self.specificity(_stats_token(k)) >= MISSING_WEIGHT
            ]
            if specific:
                opens = run is runs[0]  # its first word is the question's, capitalised as such
                phrase = " ".join(self._lacking_words(run, lacks, specific[0], opens=opens))
                if phrase not in out:
                    out.append(phrase)
        return out

    def context_words(self, passage: Passage, *, accented: bool = False) -> set[str]:
        """The words of a paragraph read in its context, folded or with their diacritics.

        Its section headings, and the document's province, kind and number: "Hà Tiên" is in
        Kiên Giang's notice even where the paragraph does not repeat "Kiên Giang".
        """
        return (
            _words(passage.paragraph.text, accented=accented)
            | _context(passage, accented=accented)[0]
        )

    def _lacking_words(
        self, run: list[str], lacks: list[bool], first: int, *, opens: bool
    ) -> list[str]:
        """The run's words from its first specific one the passages lack, at most MISSING_RUN.

        It starts earlier over the words before it that the passages lack too, and over a
        word the texts write side by side with it ("Cách ly tập trung", not "ly tập trung",
        though "cách" is said), but not over a name ("Tỉnh ủy Gia Lai quy định tiệc" shows
        "quy định tiệc": the passages say "Tỉnh ủy Gia Lai"). "giấy khai sinh" stays whole
        though "sinh" is said.
        """
        frequency = self.library.statistics.row_frequency
        start = first
        while start > 0:
            before, word = run[start - 1], run[start]
            named = before[:1].isupper() and not (opens and start - 1 == 0)
            together = not named and frequency(f"{fold(before).lower()}_{fold(word).lower()}")
            if not (lacks[start - 1] or together):
                break
            start -= 1
        return run[start : start + MISSING_RUN]

    def specificity(self, word: str) -> float:
        """How much a folded word says about a topic: rare in paragraphs and in documents."""
        stats = self.library.statistics
        return stats.row_idf(word) * stats.document_weight(word)


# A question about this year's, this month's or this round's events, or the asker's own
# place ("năm nay", "tháng này", "đợt tiêm chủng này", "tỉnh mình"), on folded text.
# "hiện nay" is not one: "mức đóng bảo hiểm y tế hiện nay" asks for the rule in force.
_NOW = re.compile(
    r"\b(?:nam nay|thang nay|tuan nay|hom nay|hom qua|tuan truoc|tuan toi|thang toi|sap toi"
    r"|cuoi tuan|dot(?: [a-z]+){0,3} nay|(?:tinh|huyen|xa|phuong) minh|o day)\b"
)


def asks_about_now(query: Query) -> bool:
    """True when the question asks about the events of a period or place of the asker's.

    A law or a national decree states rules, never what a province did this year: "Bệnh
    viện huyện năm nay được giao bao nhiêu giường bệnh?", "ở tỉnh mình đang có ổ dịch sởi ở
    xã nào?" are for the province's own documents (or the hotline), however close a clause
    on hospital beds or measles outbreaks reads.
    """
    return _NOW.search(query.folded) is not None


def _is_number(word: str) -> bool:
    return word.isdigit() or word in _NUMBER_WORDS


def _terms(query: Query) -> tuple[bool, list[str]]:
    """The question's content words, with their diacritics when it was typed with them.

    Matching with diacritics keeps "quán ăn ... mở cửa" from matching "quản lý ... lối mở
    ... cửa khẩu", which fold to the same letters. A question mostly typed without them
    ("Người cách ly mot ngay duoc bao nhieu tien", a follow-up read with the previous
    question's words) is matched folded: with diacritics its plain words would all miss.
    """
    folded = query.folded.split()
    accented = list(query.syllables)
    marked = sum(1 for w in accented if fold(w) != w)
    use_accents = (
        query.accented
        and len(accented) == len(folded)
        and marked > MIN_MARKED_SHARE * len(accented)
    )
    if use_accents:
        kept = [w for w in accented if w not in _ACCENTED_FUNCTION_WORDS]
        return True, kept or accented or [""]
    kept = [w for w in folded if w not in _FUNCTION_WORDS]
    return False, kept or folded or [""]


def _context(passage: Passage, *, accented: bool) -> tuple[set[str], set[tuple[str, str]]]:
    """The words of a paragraph's context, and its adjacent pairs ("Gia Lai"), read once.

    The context: its section headings, the document's province, kind, issuer and number
    (a "Chỉ thị của Tỉnh ủy Gia Lai" is one of Gia Lai's Ban Thường vụ Tỉnh ủy), and for an
    article of a codified topic the law or decree it comes from ("Nghị định số
    101/2010/NĐ-CP", its name): a question that names that decree names this paragraph's
    source. Pairs are taken within each part (not across two parts, nor from the number).
    """
    meta = passage.meta
    origin = passage.paragraph.origin
    sources = [origin.document, origin.name or ""] if origin else []
    words: set[str] = set()
    pairs: set[tuple[str, str]] = set()
    parts = [*passage.paragraph.headings, meta.province or "", meta.kind or "", meta.issuer or ""]
    for part in [*parts, *sources]:
        keys = _keys(part, accented=accented)
        words.update(keys)
        pairs.update(zip(keys, keys[1:], strict=False))
    words.update(_keys(meta.number or "", accented=accented))
    return words, pairs


def _lift(passage: Passage) -> float:
    """How far the paragraph stands above the question's background similarity."""
    if passage.dense_similarity is None or passage.dense_background is None:
        return 0.0
    return passage.dense_similarity - passage.dense_background


def _links(
    words: list[str], stop: frozenset[str], terms: list[str]
) -> tuple[tuple[str | None, str | None], ...]:
    """Each content word's neighbours in its run of the question (None across a function word).

    "test nhanh covid tại nhà": "test" comes with "nhanh", "nhà" stands alone.
    """
    runs: list[list[str]] = [[]]
    for w in words:
        if w in stop:
            runs.append([])
        else:
            runs[-1].append(spelling_key(w))
    out: list[tuple[str | None, str | None]] = []
    for run in runs:
        for i in range(len(run)):
            out.append((run[i - 1] if i else None, run[i + 1] if i + 1 < len(run) else None))
    if len(out) != len(terms):  # a question of function words only: no phrases to keep
        return tuple((None, None) for _ in terms)
    return tuple(out)


def _phrased(asked: _Asked, present: set[str], adjacent: set[tuple[str, str]]) -> float:
    """Weighted share of the question's words found beside a neighbour from their phrase.

    A word that stands alone in the question counts wherever it is found. The slogan
    "Test COVID-19 tất cả" holds "test" but not the asked "test nhanh".
    """
    got = 0.0
    for key, weight, (left, right) in zip(asked.keys, asked.weights, asked.links, strict=True):
        if key not in present:
            continue
        if (left is None and right is None) or (left, key) in adjacent or (key, right) in adjacent:
            got += weight
    return got / asked.total


def _words(text: str, *, accented: bool) -> set[str]:
    """The words of a text as matching keys (one spelling each), folded or with diacritics."""
    return set(_keys(text, accented=accented))


def _keys(text: str, *, accented: bool) -> list[str]:
    """The words of a text in order, as matching keys."""
    words = syllables(text) if accented else _WORD.findall(fold(text))
    return [spelling_key(w) for w in words]


def _spellings(word: str) -> set[str]:
    """A word and the other ways it is spelt ("sĩ": "sỹ"; "hàng": "hằng")."""
    key = spelling_key(word)
    forms = {word, key}
    if len(key) >= 2 and key[-1] in "iíìỉĩị" and key[-2] not in "aăâeêoôơuư":
        forms.add(key[:-1] + key[-1].translate(_I_TO_Y))
    if key == "hàng":
        forms.add("hằng")
    return forms


def _stats_token(word: str) -> str:
    """The lexical index's token for a word: accented syllables are kept as "~syllable"."""
    folded = fold(word)
    return folded if folded == word else "~" + word


def _names(query: Query) -> list[str]:
    """Syllables of the names the question writes with capitals (lowercased, accents kept).

    The first word counts only when the next is capitalised too ("Hà Tiên áp dụng ..."):
    a sentence's first word is capitalised anyway.
    """
    tokens = _TYPED_WORD.findall(query.core)
    out: list[str] = []
    for i, token in enumerate(tokens):
        if not token[0].isupper() or len(token) == 1:
            continue
        if i == 0 and not (len(tokens) > 1 and tokens[1][0].isupper()):
            continue
        out += syllables(token)
    return out
