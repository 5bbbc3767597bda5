"""chat.update edits an existing message of the bot in place; a threaded chat.postMessage goes under
an existing message of that channel. Anything else is refused and recorded as a violation."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from sandbox.fake_slack import FakeSlack

CARD = [{"type": "section", "text": {"type": "mrkdwn", "text": "*INC-1* Checkout down"}}]


async def test_a_card_is_edited_in_place_and_replied_to_in_its_thread(
    fake_slack: FakeSlack, slack_client: AsyncWebClient
) -> None:
    card = await slack_client.chat_postMessage(channel="C1", text="INC-1", blocks=CARD)
    edited = [{**CARD[0], "text": {"type": "mrkdwn", "text": "*INC-1* Closed"}}]
    await slack_client.chat_update(channel="C1", ts=card["ts"], text="INC-1", blocks=edited)
    reply = await slack_client.chat_postMessage(channel="C1", thread_ts=card["ts"], text="Fixed")
    now = fake_slack.message("C1", card["ts"])
    assert now["blocks"] == edited and "edited" in now
    assert now["reply_count"] == 1
    assert [m["text"] for m in fake_slack.thread("C1", card["ts"])] == ["Fixed"]
    assert fake_slack.posted() == [("C1", card["ts"])]  # the reply is in the thread only
    assert reply["message"]["thread_ts"] == card["ts"]
    # A person's message can start a thread too.
    theirs = fake_slack.new_message_ts()
    await slack_client.chat_postMessage(channel="C1", thread_ts=theirs, text="Declared as INC-1")
    assert fake_slack.violations == []


@pytest.mark.parametrize(
    ("method", "args", "error"),
    [
        ("chat.update", {"channel": "C1", "ts": "1.000001", "text": "x"}, "message_not_found"),
        ("chat.update", {"channel": "C2", "ts": "CARD", "text": "x"}, "message_not_found"),
        ("chat.update", {"channel": "C1", "ts": "soon", "text": "x"}, "invalid_arguments"),
        ("chat.update", {"channel": "C1", "ts": "CARD"}, "no_text"),
        (
            "chat.update",
            {"channel": "C1", "ts": "CARD", "text": "x", "thread_ts": "CARD"},
            "invalid_arguments",
        ),
        (
            "chat.postMessage",
            {"channel": "C1", "thread_ts": "1.000001", "text": "x"},
            "thread_not_found",
        ),
        (
            "chat.postMessage",
            {"channel": "C2", "thread_ts": "CARD", "text": "x"},
            "thread_not_found",
        ),
        (
            "chat.postMessage",
            {"channel": "C1", "thread_ts": "REPLY", "text": "x"},
            "thread_not_found",
        ),
        (
            "chat.postMessage",
            {"channel": "C1", "thread_ts": "later", "text": "x"},
            "invalid_thread_ts",
        ),
    ],
)
async def test_edits_and_replies_must_name_a_message_there(
    fake_slack: FakeSlack,
    slack_client: AsyncWebClient,
    method: str,
    args: dict[str, str],
    error: str,
) -> None:
    card = await slack_client.chat_postMessage(channel="C1", text="INC-1", blocks=CARD)
    reply = await slack_client.chat_postMessage(channel="C1", thread_ts=card["ts"], text="r")
    named = {"CARD": card["ts"], "REPLY": reply["ts"]}
    sent = {k: named.get(v, v) for k, v in args.items()}
    with pytest.raises(SlackApiError) as info:
        await slack_client.api_call(method, json=sent)
    assert info.value.response["error"] == error
    assert fake_slack.violations and fake_slack.violations[0].startswith(f"{method}: {error}")
    assert fake_slack.message("C1", card["ts"])["blocks"] == CARD
