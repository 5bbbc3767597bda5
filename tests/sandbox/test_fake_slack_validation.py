"""Each Block Kit / message rule of the fake Slack rejects the call AND records a violation."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from sandbox.fake_slack import FakeSlack
from sandbox.slack_limits import check_view


def text(value: str, kind: str = "plain_text") -> dict[str, str]:
    return {"type": kind, "text": value}


def section(value: str = "hi", **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": text(value, "mrkdwn"), **extra}


def text_input(block_id: str = "b", action_id: str = "a", **element: Any) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "label": text("Label"),
        "element": {"type": "plain_text_input", "action_id": action_id, **element},
    }


def select(*options: dict[str, Any], **extra: Any) -> dict[str, Any]:
    element = {"type": "static_select", "action_id": "pick", "options": list(options), **extra}
    return {"type": "input", "block_id": "sel", "label": text("Pick"), "element": element}


def option(label: str = "One", value: str = "1") -> dict[str, Any]:
    return {"text": text(label), "value": value}


def modal(blocks: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    view = {"type": "modal", "title": text("Declare"), "submit": text("Go"), "blocks": blocks}
    return {**view, **extra}


def without_submit(view: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in view.items() if k != "submit"}


VIEW_CASES: list[tuple[str, dict[str, Any], str, str]] = [
    ("title-25", modal([section()], title=text("x" * 25)), "invalid_arguments", "title must be"),
    ("title-string", modal([section()], title="Declare"), "invalid_arguments", "text object"),
    ("no-blocks", modal([]), "invalid_arguments", "at least one block"),
    ("input-no-submit", without_submit(modal([text_input()])), "invalid_arguments", "submit"),
    (
        "dup-block-id",
        modal([text_input("b", "a1"), text_input("b", "a2")]),
        "invalid_arguments",
        "duplicate block_id 'b'",
    ),
    (
        "dup-action-id",
        modal([text_input("b1", "a"), text_input("b2", "a")]),
        "invalid_arguments",
        "duplicate action_id 'a'",
    ),
    ("max-length-0", modal([text_input(max_length=0)]), "invalid_arguments", "max_length"),
    ("max-length-3001", modal([text_input(max_length=3001)]), "invalid_arguments", "max_length"),
    ("min-length-3001", modal([text_input(min_length=3001)]), "invalid_arguments", "min_length"),
    ("101-blocks", modal([{"type": "divider"}] * 101), "invalid_arguments", "more than 100"),
    ("250kB", modal([section("x" * 2900)] * 90), "view_too_large", "over 250000"),
    ("section-3001", modal([section("x" * 3001)]), "invalid_arguments", "3000"),
    (
        "fields-11",
        modal([{"type": "section", "fields": [text("f", "mrkdwn")] * 11}]),
        "invalid_arguments",
        "more than 10 section fields",
    ),
    (
        "field-2001",
        modal([{"type": "section", "fields": [text("f" * 2001, "mrkdwn")]}]),
        "invalid_arguments",
        "longer than 2000",
    ),
    ("option-text-76", modal([select(option("o" * 76))]), "invalid_arguments", "75"),
    ("option-value-151", modal([select(option(value="v" * 151))]), "invalid_arguments", "150"),
    (
        "header-151",
        modal([{"type": "header", "text": text("h" * 151)}]),
        "invalid_arguments",
        "150",
    ),
    (
        "context-11",
        modal([{"type": "context", "elements": [text("c", "mrkdwn")] * 11}]),
        "invalid_arguments",
        "10",
    ),
    (
        "checkboxes-11",
        modal(
            [
                {
                    "type": "input",
                    "block_id": "cb",
                    "label": text("Pick"),
                    "element": {
                        "type": "checkboxes",
                        "action_id": "cb",
                        "options": [option(str(n), str(n)) for n in range(11)],
                    },
                }
            ]
        ),
        "invalid_arguments",
        "more than 10 checkboxes options",
    ),
    (
        "initial-not-an-option",
        modal([select(option("One", "1"), initial_option=option("Two", "2"))]),
        "invalid_arguments",
        "initial option '2' is not one of its options",
    ),
    ("unknown-block", modal([{"type": "bogus"}]), "invalid_arguments", "unknown block type"),
    (
        "unknown-element",
        modal([section(accessory={"type": "weird", "action_id": "w"})]),
        "invalid_arguments",
        "unknown element type 'weird'",
    ),
    (
        "string-text",
        modal([{"type": "section", "text": "plain"}]),
        "invalid_arguments",
        "must be a text object",
    ),
]


@pytest.mark.parametrize(
    ("view", "error", "detail"),
    [case[1:] for case in VIEW_CASES],
    ids=[case[0] for case in VIEW_CASES],
)
async def test_bad_views_are_rejected_and_recorded(
    fake_slack: FakeSlack,
    slack_client: AsyncWebClient,
    view: dict[str, Any],
    error: str,
    detail: str,
) -> None:
    with pytest.raises(SlackApiError) as info:
        await slack_client.views_open(trigger_id=fake_slack.new_trigger_id(), view=view)
    assert info.value.response["error"] == error
    assert len(fake_slack.violations) == 1
    assert fake_slack.violations[0].startswith(f"views.open: {error}")
    assert detail in fake_slack.violations[0]
    assert fake_slack.views == {}


MESSAGE_CASES: list[tuple[str, dict[str, Any], str, str]] = [
    ("51-blocks", {"text": "x", "blocks": [{"type": "divider"}] * 51}, "invalid_blocks", "50"),
    ("text-40001", {"text": "x" * 40001}, "msg_too_long", "40000"),
    ("no-text", {}, "no_text", "text"),
    ("section-3001", {"text": "x", "blocks": [section("s" * 3001)]}, "invalid_blocks", "3000"),
    ("channel", {"text": "Heads up <!channel>"}, "invalid_arguments", "<!channel>"),
    (
        "here-in-blocks",
        {"text": "x", "blocks": [section("<!here> DB")]},
        "invalid_arguments",
        "<!here>",
    ),
    ("everyone-label", {"text": "<!everyone|everyone> hi"}, "invalid_arguments", "<!everyone|"),
    ("link-names", {"text": "@here DB down", "link_names": True}, "invalid_arguments", "@here"),
    (
        "dup-block-id",
        {"text": "x", "blocks": [section(block_id="s"), section(block_id="s")]},
        "invalid_blocks",
        "duplicate block_id",
    ),
]


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing:UserWarning")
@pytest.mark.parametrize(
    ("args", "error", "detail"),
    [case[1:] for case in MESSAGE_CASES],
    ids=[case[0] for case in MESSAGE_CASES],
)
async def test_bad_messages_are_rejected_and_recorded(
    fake_slack: FakeSlack,
    slack_client: AsyncWebClient,
    args: dict[str, Any],
    error: str,
    detail: str,
) -> None:
    with pytest.raises(SlackApiError) as info:
        await slack_client.chat_postMessage(channel="C1", **args)
    assert info.value.response["error"] == error
    assert len(fake_slack.violations) == 1
    assert fake_slack.violations[0].startswith(f"chat.postMessage: {error}")
    assert detail in fake_slack.violations[0]


MISSING_ARGS = [
    ("chat.postMessage", {"text": "x"}, "channel_not_found"),
    ("chat.postEphemeral", {"channel": "C1", "text": "x"}, "invalid_arguments"),
    ("chat.update", {"channel": "C1", "text": "x"}, "message_not_found"),
    ("views.open", {"view": modal([section()])}, "invalid_arguments"),
    ("views.open", {"trigger_id": "1.2.ab"}, "invalid_arguments"),
    ("views.update", {"view": modal([section()])}, "invalid_arguments"),
    ("views.publish", {"view": {"type": "home", "blocks": [section()]}}, "invalid_arguments"),
    ("users.info", {}, "user_not_found"),
]


@pytest.mark.parametrize(("method", "args", "error"), MISSING_ARGS)
async def test_missing_arguments_get_slacks_error_names(
    fake_slack: FakeSlack,
    slack_client: AsyncWebClient,
    method: str,
    args: dict[str, Any],
    error: str,
) -> None:
    with pytest.raises(SlackApiError) as info:
        await slack_client.api_call(method, json=args)
    assert info.value.response["error"] == error
    assert fake_slack.violations[0].startswith(f"{method}: {error}: missing required argument")


async def test_other_message_methods_are_checked_too(
    fake_slack: FakeSlack, slack_client: AsyncWebClient
) -> None:
    posted = await slack_client.chat_postMessage(channel="C1", text="ok")
    with pytest.raises(SlackApiError):
        await slack_client.chat_update(channel="C1", ts=posted["ts"], text="<!here> resolved")
    with pytest.raises(SlackApiError):
        await slack_client.chat_postEphemeral(channel="C1", user="U1", text="x" * 40001)
    response = await AsyncWebhookClient(fake_slack.response_url()).send(text="<!channel> update")
    assert response.status_code == 400
    assert [v.split(":")[0] for v in fake_slack.violations] == [
        "chat.update",
        "chat.postEphemeral",
        "response_url",
    ]
    assert fake_slack.message("C1", posted["ts"])["text"] == "ok"


async def test_what_the_bot_builds_with_slack_sdk_passes(
    fake_slack: FakeSlack, slack_client: AsyncWebClient
) -> None:
    """No false alarms: a realistic modal and message built with slack_sdk's models."""
    view = View(
        type="modal",
        callback_id="declare",
        title="Declare an incident",
        submit="Declare",
        close="Cancel",
        private_metadata='{"channel_id": "C1"}',
        blocks=[
            HeaderBlock(text="New incident"),
            InputBlock(
                block_id="name",
                label="Name",
                element=PlainTextInputElement(action_id="name", max_length=3000),
            ),
            InputBlock(
                block_id="severity",
                label="Severity",
                element=StaticSelectElement(
                    action_id="severity",
                    options=[Option(text="Minor", value="01H"), Option(text="Major", value="01J")],
                ),
            ),
            SectionBlock(
                text=MarkdownTextObject(text="Reported by <@U123>"),
                accessory=ButtonElement(text="Help", action_id="help", value="help"),
            ),
            DividerBlock(),
            ContextBlock(elements=[MarkdownTextObject(text="Esc &lt;!channel&gt; is escaped")]),
        ],
    )
    await slack_client.views_open(trigger_id=fake_slack.new_trigger_id(), view=view)
    blocks: list[Any] = [
        SectionBlock(text="*INC-42* <!date^1392734382^{date}|Feb 18> <!subteam^S1>"),
        ActionsBlock(elements=[ButtonElement(text="Ack", action_id="ack", value="INC-42")]),
        {
            "type": "rich_text",
            "elements": [
                {"type": "rich_text_section", "elements": [{"type": "text", "text": "hi"}]}
            ],
        },
    ]
    await slack_client.chat_postMessage(channel="C1", text="INC-42 declared", blocks=blocks)
    assert fake_slack.violations == []


def test_action_ids_may_repeat_across_blocks_when_scoped_per_block() -> None:
    view = modal([text_input("b1", "value"), text_input("b2", "value")])
    assert check_view(view, action_id_scope="block") == []
    assert [p.error for p in check_view(view, action_id_scope="view")] == ["invalid_arguments"]
