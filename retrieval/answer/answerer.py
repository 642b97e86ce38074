"""Answer a question: classify, search, decide found or not, compose (optionally with an LLM)."""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
import unicodedata
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from retrieval.answer import compose, phrasing
from retrieval.answer.about import DocumentQuestions
from retrieval.answer.answerability import Answerability
from retrieval.answer.followup import (
    Reading,
    capitalised_name,
    read_message,
    turn_of,
)
from retrieval.answer.lead import answer_text, leading_document
from retrieval.answer.validity import Clock, Dating, newest_first, stamped
from retrieval.errors import LLMError
from retrieval.index import Library, bounded
from retrieval.search import Query, Searcher
from retrieval.text import fold
from retrieval.types import Answer, Conversation, Passage, SearchFilters

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LeadDraft:
    """The lead so far while a model writes it; `final` marks the checked, complete lead."""

    text: str
    final: bool = False


class LeadWriter(Protocol):
    """Writes the lead answer from numbered passages (an LLM), streaming it as it is written."""

    def stream_lead(self, question: str, passages: Sequence[Passage]) -> AsyncIterator[LeadDraft]:
        """Yield drafts as text arrives, then one final checked draft; raise LLMError on failure.

        The LLMError may come after drafts were yielded: the caller then shows the extractive
        lead instead.
        """
        ...


class QuestionRewriter(Protocol):
    """Rewrites a follow-up as a standalone question (an LLM); raises LLMError on failure."""

    async def rewrite_question(self, question: str, previous: str) -> str:
        """The follow-up on its own, using only words of it and of the previous question."""
        ...


OnDraft = Callable[[str], Awaitable[None]]
REWRITE_MAX_WORDS = 8  # a message read as a question of its own is rewritten only if short
ANSWER_DEPTH = 3  # passages checked for an answer: a lower-ranked one may hold it
TOPIC_MAX_WORDS = 12
NAME_EXAMPLES = 5  # rows read to see how the texts write a name a follow-up swaps in
MAX_NAME_WORDS = 4
_HEADING_NUMBER = re.compile(r"^\d{1,2}(?:\.\d{1,2})*\.\s*")
CITE_SHARE = 0.5  # passages cited beside the best: at least this share of its probability


@dataclass(frozen=True)
class _Found:
    """What an answer is composed from: the passages, and the question they answer.

    For a compound question the notices answer only in part, `query` is the part answered
    and `not_said` what the notices leave out of the rest.
    """

    query: Query
    passages: list[Passage]
    not_said: tuple[str, ...] | None = None  # None: worked out from the passages


@dataclass
class Stats:
    """Counters shown by `chithi eval` and /thongke; `llm` says whether a model writes leads."""

    llm: bool = False
    llm_used: int = 0
    rewrites: int = 0  # follow-ups a model rewrote (its rewrite checked and used)
    rewrite_fallbacks: int = 0  # ... and those read offline because the model failed
    llm_fallback: int = 0
    fallback_reasons: dict[str, int] = field(default_factory=dict)


def _name_tokens(words: list[str]) -> list[str]:
    """The BM25 tokens a place's name is found by: its words side by side ("rach_gia")."""
    return [f"{a}_{b}" for a, b in zip(words, words[1:], strict=False)] or words


class Answerer:
    """The whole answer pipeline behind every front end.

    Args:
        library: the indexed notices.
        hotline: the hotline number given when the notices are silent.
        searcher: the hybrid searcher (built from the library if omitted).
        lead_writer: an LLM that writes the lead; None for extractive answers only.
        rewriter: an LLM that rewrites a follow-up as a standalone question; None to read
            follow-ups offline only (and the fallback when it fails).
        answerability: decides whether a passage answers (the bundled weights by default).
        max_question_chars: a longer question is refused politely, before any work on it.
        today: the clock rules are dated against (ended periods); the system date by default.
        index_timeout: seconds the search and extractive answer may take before the answer
            fails with IndexTimeoutError (a hung store); None waits as long as they take.
    """

    def __init__(
        self,
        library: Library,
        *,
        hotline: str,
        searcher: Searcher | None = None,
        lead_writer: LeadWriter | None = None,
        rewriter: QuestionRewriter | None = None,
        answerability: Answerability | None = None,
        top_k: int = 5,
        max_question_chars: int = 1000,
        today: Clock = dt.date.today,
        index_timeout: float | None = None,
    ) -> None:
        self.library = library
        self.index_timeout = index_timeout
        self.searcher = searcher or Searcher(library)
        self.hotline = hotline
        self.lead_writer = lead_writer
        self.rewriter = rewriter
        self.answerability = answerability or Answerability(library, searcher=self.searcher)
        self.top_k = top_k
        self.max_question_chars = max_question_chars
        self.today = today
        self.about = DocumentQuestions(library, self.searcher, hotline=hotline)
        self.stats = Stats(llm=lead_writer is not None)

    async def answer(
        self,
        question: str,
        *,
        filters: SearchFilters | None = None,
        on_draft: OnDraft | None = None,
        conversation: Conversation | None = None,
    ) -> Answer:
        """Answer one question: the one entry point of every front end.

        It applies the length rule, runs search and the extractive answer in a worker thread
        (the pipeline is CPU-bound; an event loop stays free), and, with a lead writer, lets
        the model write the lead, falling back to the extractive one on any failure. It
        never raises for a question's content; an index that cannot be read raises
        IndexUnavailableError (IndexTimeoutError past `index_timeout`). With the chat's
        `conversation`, a follow-up ("còn Rạch Giá thì sao?") is read in its context
        (answer/followup.py) and the answer says how in `understood_as`; `answer.turn` is
        what the conversation keeps for the next message.

        Args:
            question: the user's question, as typed.
            filters: optional restrictions on the passages (province, document, dates).
            on_draft: awaited with the model's lead so far each time text arrives (to show
                it while it is written; throttling is the caller's business). Never called
                without a lead writer. The returned Answer is final either way: the checked
                model lead, or the extractive one with `fallback_reason` (drafts shown so far
                must then be replaced).
            conversation: the chat's last turns (None: the message stands alone).

        Returns:
            The answer, with citations from the index.
        """
        started = time.perf_counter()
        question = _clean(question)
        answer = self._too_long(question)
        if answer is None:
            reading = read_message(
                question,
                conversation,
                catalog=self.library.catalog,
                place_name=self._place_name,
                in_province=self._in_province,
            )
            reading = await self._rewritten(question, conversation, reading)
            if reading.doc_id is not None:
                filters = replace(filters or SearchFilters(), doc_id=reading.doc_id)
            query = Query.parse(reading.question)
            composed = await bounded(self.index_timeout, self._extractive_answer, query, filters)
            answer, cited = composed
            if cited and self.lead_writer is not None:
                answer = await self._llm_lead(query, answer, cited, self.lead_writer, on_draft)
            leading = leading_document(answer.text, cited)
            cited_docs = tuple(dict.fromkeys([*([leading] if leading else []),
                                              *(c.doc_id for c in answer.citations)]))  # fmt: skip
            answer = replace(
                answer,
                question=unicodedata.normalize("NFC", question),  # as typed, not as read
                key=query.key,
                understood_as=reading.question if reading.contextual else None,
                turn=turn_of(query, cited_docs, lead=answer.text),
            )
        return _timed(stamped(answer, self.today()), started)

    async def _rewritten(
        self, question: str, conversation: Conversation | None, reading: Reading
    ) -> Reading:
        """With a rewriter, a follow-up as the model reads it; the offline reading otherwise."""
        previous = conversation.last if conversation is not None else None
        if self.rewriter is None or previous is None:
            return reading
        if not reading.contextual and len(question.split()) > REWRITE_MAX_WORDS:
            return reading  # a question of its own: no model time spent on it
        try:
            rewritten = await self.rewriter.rewrite_question(question, previous.question)
        except LLMError as exc:
            self.stats.rewrite_fallbacks += 1
            logger.warning("Follow-up read offline: the model's rewrite failed (%s)", exc)
            return reading
        self.stats.rewrites += 1
        if fold(rewritten).strip(" ?") == fold(question).strip(" ?"):
            return Reading(question)  # the model read it as a question of its own
        return Reading(rewritten, doc_id=reading.doc_id, contextual=True)

    def _place_name(self, folded: str) -> str | None:
        """Folded words as the name the texts write with capitals, with its diacritics.

        The corpus is the gazetteer: "rach gia" is "Rạch Giá" where a paragraph writes
        "thành phố Rạch Giá", "go quao" is "Gò Quao" in a list of districts; "bien gioi" is
        written in lowercase ("trên biên giới"), so it is no place ("phổ biến" once made it
        one, read as "phố Biên").
        """
        words = folded.split()
        tokens = _name_tokens(words)
        frequency = self.library.statistics.row_frequency
        if not 1 <= len(words) <= MAX_NAME_WORDS or not all(frequency(t) for t in tokens):
            return None
        hits = self.library.lexical_hits(tokens, k=NAME_EXAMPLES, allowed=None)
        texts = [p.text for p in self.library.rows([i for i, _ in hits]).values()]
        return capitalised_name(" ".join(words), texts)

    def _in_province(self, place: str, province: str) -> bool:
        """Whether the province's documents write the place's name (its words side by side)."""
        allowed = self.library.allowed(SearchFilters(province=province))
        return bool(
            self.library.lexical_hits(_name_tokens(fold(place).split()), k=1, allowed=allowed)
        )

    def _too_long(self, question: str) -> Answer | None:
        """A polite refusal for a question over the length limit (it would cost seconds)."""
        if len(question) <= self.max_question_chars:
            return None
        text = phrasing.too_long(len(question), self.max_question_chars, self.hotline)
        return Answer(question[: self.max_question_chars], "refused", text)

    def _extractive_answer(
        self, query: Query, filters: SearchFilters | None
    ) -> tuple[Answer, list[Passage]]:
        """The answer without a model, and the passages its lead may cite ([1] first)."""
        prepared = self._prepare(query, filters or SearchFilters())
        if isinstance(prepared, Answer):
            return prepared, []
        return self._extractive(query, prepared)

    def _prepare(self, query: Query, filters: SearchFilters) -> Answer | _Found:
        """A finished answer, or the confidently relevant passages to compose one from."""
        if not query.text:
            return self._not_found(query)
        kind = query.intent
        if kind.intent == "refuse":
            logger.info("Refused a question: %s", kind.reason)
            return Answer(query.text, "refused", phrasing.refused(self.hotline))
        if kind.intent != "question":
            answer = self.about.answer(query, kind.intent, filters)
            if answer is not None:
                return answer
        if query.names_unknown_province(self.library.provinces):
            return self._not_found(query)
        passages = self.searcher.search(query, k=self.top_k, filters=filters)
        answering = self._answering(query, passages)
        if answering:  # a province's newest notice first: its rule is the one in force
            return _Found(query, newest_first(answering, answers=self.answerability.answers))
        return self._in_part(query, filters) or self._not_found(query, passages)

    def _in_part(self, query: Query, filters: SearchFilters) -> _Found | None:
        """The answer to the parts of a compound question the notices do answer, if any."""
        answered: list[tuple[Query, list[Passage]]] = []
        unanswered: list[Query] = []
        for part in query.parts():
            found = self._answering(part, self.searcher.search(part, k=self.top_k,
                                                               filters=filters))  # fmt: skip
            if found:
                answered.append((part, found))
            else:
                unanswered.append(part)
        if not answered or not unanswered:
            return None  # every part answered, yet not the whole: not sure enough to answer
        passages = list({p.paragraph.id: p for _, found in answered for p in found}.values())
        not_said: list[str] = []
        for part in unanswered:
            for phrase in self.answerability.missing(part, passages) or [part.text]:
                if phrase not in not_said:
                    not_said.append(phrase)
        logger.debug("Answered %d of %d parts", len(answered), len(answered) + len(unanswered))
        ordered = newest_first(passages, answers=self.answerability.answers)
        return _Found(answered[0][0], ordered, tuple(not_said))

    def _extractive(self, query: Query, found: _Found) -> tuple[Answer, list[Passage]]:
        """The extractive answer, and the cited passages in citation order ([1] is the first)."""
        citations = compose.citations_for(found.query, found.passages)
        if not citations:
            return self._not_found(query, found.passages), []
        by_id = {p.paragraph.id: p for p in found.passages}
        cited = [by_id[c.paragraph_id] for c in citations]
        # The lead stands on the cited passages only, so that it never names a province
        # or a rule the reader cannot see quoted.
        dating = Dating(self.today(), self.library.catalog)
        extractive = answer_text(found.query, cited, self.answerability, hotline=self.hotline,
                                 dating=dating, not_said=found.not_said)  # fmt: skip
        as_of = self._as_of(query, cited)
        if as_of:
            extractive = f"{extractive}\n{as_of}"
        return Answer(query.text, "answered", extractive, citations=citations), cited

    def _as_of(self, query: Query, cited: Sequence[Passage]) -> str | None:
        """For "hiện nay …?": the date of the newest notice that answers, and that rules change."""
        dates = [p.meta.date for p in cited if p.meta.date is not None]
        if not query.current or not dates:
            return None
        return phrasing.newest_known(max(dates), self.hotline)

    async def _llm_lead(
        self,
        query: Query,
        answer: Answer,
        cited: list[Passage],
        writer: LeadWriter,
        on_draft: OnDraft | None,
    ) -> Answer:
        """The model's lead over the cited passages, or the extractive answer if it fails."""
        started = time.perf_counter()
        final: str | None = None
        try:
            async for draft in writer.stream_lead(answer.question, cited):
                if draft.final:
                    final = draft.text
                elif on_draft is not None:
                    await on_draft(draft.text)
        except LLMError as exc:
            return self._fallback(answer, exc, started)
        if final is None:
            return self._fallback(answer, LLMError("stream ended without an answer"), started)
        return self._llm_answer(query, answer, cited, final, started)

    def _llm_answer(
        self, query: Query, extractive: Answer, cited: Sequence[Passage], lead: str, started: float
    ) -> Answer:
        """The model's lead, with what it cannot know: which cited rules are over or replaced."""
        self.stats.llm_used += 1
        logger.info("LLM lead used in %.0f ms", (time.perf_counter() - started) * 1000)
        dating = Dating(self.today(), self.library.catalog)
        notes = [f"[{n}] {note}" for n, p in enumerate(cited, start=1) if (note := dating.note(p))]
        lines = [lead, phrasing.dated_notes(notes) if notes else None, self._as_of(query, cited)]
        return replace(extractive, text="\n".join(line for line in lines if line), mode="llm")

    def _fallback(self, extractive: Answer, exc: LLMError, started: float) -> Answer:
        """Keep the extractive answer and count why the LLM's was not used."""
        reason = str(exc) or type(exc).__name__
        self.stats.llm_fallback += 1
        self.stats.fallback_reasons[reason] = self.stats.fallback_reasons.get(reason, 0) + 1
        logger.warning(
            "LLM answer not used, extractive fallback after %.0f ms: %s",
            (time.perf_counter() - started) * 1000, reason,
        )  # fmt: skip
        logger.debug("LLM failure detail: %s", getattr(exc, "detail", ""))
        return replace(extractive, fallback_reason=reason)

    def _answering(self, query: Query, passages: Sequence[Passage]) -> list[Passage]:
        """The passages to answer from, scored by P(answers); empty when none answers.

        The question is answered when one of the first passages clears the threshold; the
        passages cited with it are those that come close to it (search order kept: ordering
        them by probability lost 3 of 24 held-out citizens' questions for 1 of 36 gained on
        the tune part; the lead picks its first answer itself, see lead.answer_text).
        """
        scored = [
            replace(p, score=self.answerability.score(query, p)) for p in passages[:ANSWER_DEPTH]
        ]
        logger.debug("Answerability: %s", [(p.paragraph.id, round(p.score, 3)) for p in scored])
        best = max((p.score for p in scored), default=0.0)
        if not self.answerability.answers(best):
            return []
        return [p for p in scored if p.score >= CITE_SHARE * best]

    def _not_found(self, query: Query, passages: Sequence[Passage] = ()) -> Answer:
        topics: list[str] = []
        for p in passages:
            label = _topic(p)
            if label not in topics:
                topics.append(label)
        return Answer(query.text, "not_found", phrasing.not_found(self.hotline),
                      related_topics=tuple(topics[:3]))  # fmt: skip


def _topic(passage: Passage) -> str:
    """A related topic: the passage's deepest real section heading, else its document's title.

    A heading trail also holds the first line of a numbered paragraph ("1. Thường trực Tỉnh
    ủy đánh giá cao …"), cut short; that is not a topic a reader can ask about.
    """
    for heading in reversed(passage.paragraph.headings):
        words = _HEADING_NUMBER.sub("", heading).split()
        if 0 < len(words) <= TOPIC_MAX_WORDS and not heading.endswith(("…", ",", ";")):
            return " ".join(words).rstrip(":")
    return phrasing.doc_label(passage.meta)


def _clean(question: str) -> str:
    """The question as valid Unicode, trimmed.

    Bytes that were not UTF-8 (read with surrogateescape) become "?" instead of failing the
    embedding of the question, and with it a whole `ask --jsonl` stream.
    """
    return question.encode("utf-8", "replace").decode("utf-8").strip()


def _timed(answer: Answer, started: float) -> Answer:
    """Log the outcome by ids and numbers only, and stamp the latency on the answer."""
    elapsed = (time.perf_counter() - started) * 1000
    logger.info(
        "Answered status=%s mode=%s citations=%s in %.1f ms",
        answer.status, answer.mode, [c.paragraph_id for c in answer.citations], elapsed,
    )  # fmt: skip
    return replace(answer, latency_ms=elapsed)
