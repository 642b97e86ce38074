"""Group chats: the bot answers when mentioned, replied to or commanded, and is quiet otherwise."""

from __future__ import annotations

from typing import Any

from bot import messages
from tests.bot.harness import FIVE_K, RunningBot
from tests.helpers.telegram_updates import GROUP_CHAT_ID, photo_update, text_update


def group_text(text: str, **kwargs: Any) -> dict[str, Any]:
    return text_update(text, GROUP_CHAT_ID, 2002, chat_type="supergroup", **kwargs)


async def test_a_mention_in_a_group_is_answered_as_a_reply(bot: RunningBot) -> None:
    update = group_text(f"@{bot.username} 5k la gi")
    [reply] = await bot.send(update)
    assert reply.plain_text.startswith(FIVE_K)
    [call] = [c for c in bot.fake.calls("sendMessage") if c.status == 200]
    assert call.params["reply_parameters"]["message_id"] == update["message"]["message_id"]


async def test_a_reply_to_the_bot_in_a_group_is_answered(bot: RunningBot) -> None:
    [reply] = await bot.send(group_text("5K là gì?", reply_to_bot=True))
    assert reply.plain_text.startswith(FIVE_K)


async def test_a_group_command_is_answered(bot: RunningBot) -> None:
    [reply] = await bot.send(group_text(f"/hoi@{bot.username} 5K là gì?"))
    assert reply.plain_text.startswith(FIVE_K)
    [docs] = await bot.send(group_text("/vanban"))
    assert docs.plain_text.startswith("Các văn bản đang có (5)")


async def test_group_messages_not_for_the_bot_get_no_reply(bot: RunningBot) -> None:
    bot.fake.queue_update(group_text("5K là gì? ai biết không"))
    bot.fake.queue_update(group_text("@someone_else 5k la gi"))
    bot.fake.queue_update(photo_update(GROUP_CHAT_ID, 2002, chat_type="supergroup"))
    bot.fake.queue_update(group_text("/abc"))
    # Updates of one chat are handled in order: once /help is answered, the others were seen.
    [reply] = await bot.send(group_text(f"/help@{bot.username}"))
    assert reply.plain_text.startswith("Cách hỏi")
    assert len(bot.fake.messages(GROUP_CHAT_ID)) == 1


async def test_a_bare_mention_asks_what_to_ask(bot: RunningBot) -> None:
    [reply] = await bot.send(group_text(f"@{bot.username}"))
    assert reply.plain_text == messages.ASK_PROMPT
