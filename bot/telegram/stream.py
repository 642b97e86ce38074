"""Show an LLM-written lead in Telegram as it is written: one message, edited at most once a second.

Every question is asked through `ask_with_drafts`: with an LLM configured, the first piece of
the lead is sent as a message and later pieces edit it (throttled); without one, no draft. The
final answer, its citations and buttons, is sent by `replies.send_answer` like any other, with
`draft=` the draft's id so that it replaces the draft. `llm_stats_text` adds the LLM counters
to /thongke.
"""

from __future__ import annotations

import html
import logging
import time

from telegram import Bot, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot import messages
from bot.telegram import render
from retrieval import Answer, Answerer, Conversation, SearchFilters

logger = logging.getLogger(__name__)

EDIT_INTERVAL = 1.0  # seconds between edits of a draft; Telegram throttles faster edits
DRAFT_MARK = " …"  # shown after a draft: more is coming
MAX_DRAFT_CHARS = 3500  # a lead is far shorter; a runaway model must not break sendMessage


class DraftMessage:
    """The message a streamed lead is written into.

    Args:
        bot: the bot that sends and edits it.
        chat_id: the chat.
        reply_to: the message to reply to (in groups, the question).
        interval: least seconds between two edits.
    """

    def __init__(
        self,
        bot: Bot,
        chat_id: int,
        *,
        reply_to: int | None = None,
        interval: float = EDIT_INTERVAL,
    ) -> None:
        self.bot = bot
        self.chat_id = chat_id
        self.reply_to = reply_to
        self.interval = interval
        self.message_id: int | None = None
        self.updates = 0
        self._shown = ""
        self._shown_at = 0.0

    async def show(self, text: str) -> None:
        """Show the lead so far: send it the first time, then edit, at most once an interval.

        Drafts are best effort: a Telegram error is logged and the next draft tries again.
        """
        text = text.strip()[:MAX_DRAFT_CHARS]
        now = time.monotonic()
        if not text or text == self._shown:
            return
        if self.message_id is not None and now - self._shown_at < self.interval:
            return
        html = render.plain(text) + DRAFT_MARK
        try:
            if self.message_id is None:
                sent = await self.bot.send_message(
                    self.chat_id,
                    html,
                    parse_mode=ParseMode.HTML,
                    reply_parameters=self._reply_parameters(),
                )
                self.message_id = sent.message_id
            else:
                await self.bot.edit_message_text(
                    html,
                    chat_id=self.chat_id,
                    message_id=self.message_id,
                    parse_mode=ParseMode.HTML,
                )
        except TelegramError as exc:
            logger.warning("Draft not shown chat=%s: %s", self.chat_id, type(exc).__name__)
            return
        self.updates += 1
        self._shown, self._shown_at = text, time.monotonic()

    def _reply_parameters(self) -> ReplyParameters | None:
        if self.reply_to is None:
            return None
        return ReplyParameters(self.reply_to, allow_sending_without_reply=True)


async def ask_with_drafts(
    answerer: Answerer,
    bot: Bot,
    chat_id: int,
    question: str,
    *,
    province: str | None = None,
    doc_id: str | None = None,
    reply_to: int | None = None,
    interval: float = EDIT_INTERVAL,
    conversation: Conversation | None = None,
) -> tuple[Answer, DraftMessage]:
    """Answer a question, showing the LLM's lead in the chat while it is written.

    Args:
        answerer: the pipeline (without a lead writer no draft is ever shown).
        bot: the bot that sends the draft.
        chat_id: the chat.
        question: the question.
        province: restrict the answer to this province's notices.
        doc_id: restrict the answer to this document ("Hỏi về văn bản này").
        reply_to: the message the draft replies to.
        interval: least seconds between two edits of the draft.
        conversation: the chat's last turns, for a follow-up question.

    Returns:
        The final answer and the draft message; pass the answer and ``draft.message_id``
        (None when no draft was shown) to `replies.send_answer`.
    """
    draft = DraftMessage(bot, chat_id, reply_to=reply_to, interval=interval)
    answer = await answerer.answer(
        question,
        filters=SearchFilters(province=province, doc_id=doc_id),
        on_draft=draft.show,
        conversation=conversation,
    )
    if draft.updates:
        logger.info("Streamed lead chat=%s mode=%s drafts=%d", chat_id, answer.mode, draft.updates)
    return answer, draft


def llm_stats_text(answerer: Answerer) -> str:
    """The /thongke lines about LLM answers (HTML): used, fallbacks and why; "" when off."""
    stats = answerer.stats
    if not stats.llm:
        return ""
    text = messages.STATS_LLM.format(used=stats.llm_used, fallback=stats.llm_fallback)
    for reason, count in sorted(stats.fallback_reasons.items(), key=lambda item: -item[1]):
        text += messages.STATS_LLM_REASON.format(reason=html.escape(reason), count=count)
    return text
