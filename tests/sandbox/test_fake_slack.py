"""The fake Slack Web API, driven by slack_sdk's own clients over a real loopback socket."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web import WebClient
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook import WebhookClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from sandbox.fake_slack import FakeSlack, SlackError
from sandbox.serving import BackgroundServer

TRIGGER = "1234567890.1234567890.0123456789abcdef"


def text(value: str, kind: str = "plain_text") -> dict[str, str]:
    return {"type": kind, "text": value}


def modal(**extra: Any) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": "declare",
        "private_metadata": '{"channel": "C1"}',
        "title": text("Declare"),
        "submit": text("Declare"),
        "close": text("Cancel"),
        "blocks": [
            {
                "type": "input",
                "block_id": "name",
                "label": text("Name"),
                "element": {"type": "plain_text_input", "action_id": "name_input"},
            }
        ],
        **extra,
    }


async def api_error(call: Any) -> str:
    with pytest.raises(SlackApiError) as info:
        await call
    return str(info.value.response["error"])


async def test_auth_test_names_the_workspace_and_lists_scopes_in_a_header() -> None:
    fake = FakeSlack(scopes=["commands", "chat:write"], team_id="T0X", bot_user_id="U0X")
    with BackgroundServer(fake.app) as server:
        fake.base_url = server.url
        client = AsyncWebClient(token="xoxb-sandbox", base_url=fake.api_url)
        response = await client.auth_test()
    assert response["team_id"] == "T0X"
    assert response["user_id"] == "U0X"
    assert response["bot_id"] == "B0BOT"
    assert response["url"].startswith("https://")
    assert response.headers["x-oauth-scopes"] == "commands,chat:write"
    assert fake.calls_to("auth.test")[0].token == "xoxb-sandbox"


async def test_views_open_stores_the_view_as_slack_returns_it(
    fake_slack: FakeSlack, slack_client: AsyncWebClient
) -> None:
    response = await slack_client.views_open(trigger_id=TRIGGER, view=modal())
    view = response["view"]
    assert re.fullmatch(r"V[0-9A-F]+", view["id"])
    assert view["hash"] and view["root_view_id"] == view["id"]
    assert view["previous_view_id"] is None
    assert view["callback_id"] == "declare"
    assert view["private_metadata"] == '{"channel": "C1"}'
    assert view["state"] == {"values": {}}
    assert view["team_id"] == "T0SANDBOX"
    assert view["title"] == text("Declare")
    assert fake_slack.current_view(view["id"]) == view
    assert fake_slack.views[view["id"]]["hash"] == view["hash"]
    call = fake_slack.calls_to("views.open")[0]
    assert call.args["view"]["callback_id"] == "declare"
    assert call.args["trigger_id"] == TRIGGER
    assert fake_slack.violations == []


async def test_trigger_ids_are_single_use_and_checked(
    fake_slack: FakeSlack, slack_client: AsyncWebClient
) -> None:
    await slack_client.views_open(trigger_id=TRIGGER, view=modal())
    again = slack_client.views_open(trigger_id=TRIGGER, view=modal())
    assert await api_error(again) == "exchanged_trigger_id"
    malformed = slack_client.views_open(trigger_id="not-a-trigger", view=modal())
    assert await api_error(malformed) == "invalid_trigger_id"
    assert len(fake_slack.violations) == 2
    assert fake_slack.violations[0].startswith("views.open: exchanged_trigger_id")


async def test_an_old_trigger_id_is_expired_but_not_a_violation() -> None:
    fake = FakeSlack(trigger_ttl=0.05)
    with BackgroundServer(fake.app) as server:
        fake.base_url = server.url
        client = AsyncWebClient(token="xoxb-sandbox", base_url=fake.api_url)
        # A trigger_id the fake did not issue has no known age, so it never expires.
        await client.views_open(trigger_id=TRIGGER, view=modal())
        stale = fake.new_trigger_id()
        await asyncio.sleep(0.1)
        assert await api_error(client.views_open(trigger_id=stale, view=modal())) == (
            "expired_trigger_id"
        )
    assert fake.calls_to("views.open")[-1].error == "expired_trigger_id"
    assert fake.violations == []


async def test_views_update_checks_the_hash_and_keeps_matching_input(
    fake_slack: FakeSlack, slack_client: AsyncWebClient
) -> None:
    opened = (await slack_client.views_open(trigger_id=TRIGGER, view=modal()))["view"]
    typed = {"name": {"name_input": {"type": "plain_text_input", "value": "DB down"}}}
    fake_slack.set_view_state(opened["id"], typed)
    updated = (
        await slack_client.views_update(
            view_id=opened["id"], hash=opened["hash"], view=modal(callback_id="declare2")
        )
    )["view"]
    assert updated["id"] == opened["id"] and updated["hash"] != opened["hash"]
    assert updated["callback_id"] == "declare2"
    assert updated["state"]["values"] == typed
    stale = slack_client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal())
    assert await api_error(stale) == "hash_conflict"
    # Without a hash the update always wins; an input that disappears loses its value.
    no_input = modal(blocks=[{"type": "section", "text": text("Working", "mrkdwn")}])
    del no_input["submit"]
    final = (await slack_client.views_update(view_id=opened["id"], view=no_input))["view"]
    assert final["state"]["values"] == {}
    assert fake_slack.violations == []


async def test_views_update_by_external_id_and_unknown_views(
    fake_slack: FakeSlack, slack_client: AsyncWebClient
) -> None:
    opened = await slack_client.views_open(trigger_id=TRIGGER, view=modal(external_id="ext-1"))
    by_external = await slack_client.views_update(external_id="ext-1", view=modal(title=text("B")))
    assert by_external["view"]["id"] == opened["view"]["id"]
    assert by_external["view"]["title"] == text("B")
    unknown = slack_client.views_update(view_id="V0NOPE", view=modal())
    assert await api_error(unknown) == "not_found"
    assert fake_slack.violations == ["views.update: not_found: no view 'V0NOPE'"]


async def test_views_push_keeps_a_stack_of_three(
    fake_slack: FakeSlack, slack_client: AsyncWebClient
) -> None:
    root = (await slack_client.views_open(trigger_id=TRIGGER, view=modal()))["view"]
    second = (
        await slack_client.views_push(
            trigger_id=fake_slack.new_trigger_id(root["id"]), view=modal()
        )
    )["view"]
    assert second["root_view_id"] == root["id"]
    assert second["previous_view_id"] == root["id"]
    third = await slack_client.views_push(
        trigger_id=fake_slack.new_trigger_id(second["id"]), view=modal()
    )
    assert third["view"]["previous_view_id"] == second["id"]
    fourth = slack_client.views_push(trigger_id=fake_slack.new_trigger_id(root["id"]), view=modal())
    assert await api_error(fourth) == "push_limit_reached"
    assert fake_slack.violations[0].startswith("views.push: push_limit_reached")


async def test_views_publish_keeps_one_home_view_per_user(
    fake_slack: FakeSlack, slack_client: AsyncWebClient
) -> None:
    home = {"type": "home", "blocks": [{"type": "section", "text": text("Incidents", "mrkdwn")}]}
    first = (await slack_client.views_publish(user_id="U1", view=home))["view"]
    second = (await slack_client.views_publish(user_id="U1", view=home, hash=first["hash"]))["view"]
    assert second["id"] == first["id"] and second["hash"] != first["hash"]
    assert second["type"] == "home"
    stale = slack_client.views_publish(user_id="U1", view=home, hash=first["hash"])
    assert await api_error(stale) == "hash_conflict"
    other = (await slack_client.views_publish(user_id="U2", view=home))["view"]
    assert other["id"] != first["id"]
    assert await api_error(slack_client.views_publish(user_id="U1", view=modal())) == (
        "invalid_arguments"
    )


async def test_chat_methods_answer_like_slack(
    fake_slack: FakeSlack, slack_client: AsyncWebClient
) -> None:
    blocks = [{"type": "section", "text": text("*INC-1* declared", "mrkdwn")}]
    posted = await slack_client.chat_postMessage(channel="C1", text="INC-1 declared", blocks=blocks)
    assert posted["channel"] == "C1"
    assert re.fullmatch(r"\d{10}\.\d{6}", posted["ts"])
    assert posted["message"]["text"] == "INC-1 declared"
    assert posted["message"]["bot_id"] == "B0BOT" and posted["message"]["user"] == "U0BOT"
    assert posted["message"]["blocks"] == blocks

    ephemeral = await slack_client.chat_postEphemeral(channel="C1", user="U1", text="only you")
    assert float(ephemeral["message_ts"]) > float(posted["ts"])

    updated = await slack_client.chat_update(channel="C1", ts=posted["ts"], text="INC-1 resolved")
    assert updated["ts"] == posted["ts"] and updated["text"] == "INC-1 resolved"
    assert fake_slack.message("C1", posted["ts"])["text"] == "INC-1 resolved"
    missing = slack_client.chat_update(channel="C1", ts="1.000001", text="x")
    assert await api_error(missing) == "message_not_found"

    link = await slack_client.chat_getPermalink(channel="C1", message_ts=posted["ts"])
    expected = f"https://sandbox.slack.invalid/archives/C1/p{posted['ts'].replace('.', '')}"
    assert link["permalink"] == expected

    methods = [call.method for call in fake_slack.messages()]
    assert methods == ["chat.postMessage", "chat.postEphemeral", "chat.update"]


async def test_directory_lookups() -> None:
    fake = FakeSlack(
        users={"U1": {"real_name": "Jane Doe", "profile": {"email": "jane@example.invalid"}}},
        channels={
            "C1": {"name": "inc-1-db-down"},
            "G9": {"name": "secret", "is_private": True, "is_member": False},
        },
    )
    with BackgroundServer(fake.app) as server:
        fake.base_url = server.url
        client = AsyncWebClient(token="xoxb-sandbox", base_url=fake.api_url)
        user = (await client.users_info(user="U1"))["user"]
        assert user["real_name"] == "Jane Doe" and user["tz"]
        assert user["profile"]["email"] == "jane@example.invalid"
        assert user["profile"]["display_name"] and user["name"]
        assert await api_error(client.users_info(user="U404")) == "user_not_found"
        channel = (await client.conversations_info(channel="C1"))["channel"]
        assert channel == {**channel, "id": "C1", "name": "inc-1-db-down", "is_private": False}
        assert channel["is_member"] is True
        assert await api_error(client.conversations_info(channel="C404")) == "channel_not_found"
        private = client.chat_postMessage(channel="G9", text="hi")
        assert await api_error(private) == "not_in_channel"
    assert fake.violations == []


async def test_response_url_posts_are_recorded(fake_slack: FakeSlack) -> None:
    url = fake_slack.response_url("cmd-1")
    sync = await asyncio.to_thread(
        WebhookClient(url).send, text="Declared INC-1", response_type="ephemeral"
    )
    assert sync.status_code == 200 and json.loads(sync.body) == {"ok": True}
    blocks = [{"type": "section", "text": text("Updated", "mrkdwn")}]
    response = await AsyncWebhookClient(url).send(
        text="Updated", blocks=blocks, replace_original=True
    )
    assert response.status_code == 200
    calls = fake_slack.calls_to("response_url")
    assert [call.url_key for call in calls] == ["cmd-1", "cmd-1"]
    assert calls[0].args == {"text": "Declared INC-1", "response_type": "ephemeral"}
    assert calls[1].args["blocks"] == blocks and calls[1].args["replace_original"] is True
    assert calls[0].token is None
    assert [call.method for call in fake_slack.messages()] == ["response_url", "response_url"]


async def test_a_response_url_works_five_times(fake_slack: FakeSlack) -> None:
    client = AsyncWebhookClient(fake_slack.response_url())
    statuses = [(await client.send(text=f"update {n}")).status_code for n in range(6)]
    assert statuses == [200] * 5 + [404]
    assert fake_slack.violations[0].startswith("response_url: used_url")


async def test_unknown_methods_and_bad_tokens(
    fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = AsyncWebClient(token="xoxb-sandbox", base_url=fake_slack.api_url)
    assert await api_error(client.api_call("dnd.setSnooze")) == "unknown_method"
    wrong = AsyncWebClient(token="xoxb-stolen-secret-1234", base_url=fake_slack.api_url)
    assert await api_error(wrong.auth_test()) == "invalid_auth"
    anonymous = AsyncWebClient(token=None, base_url=fake_slack.api_url)
    assert await api_error(anonymous.auth_test()) == "not_authed"
    methods = [v.split(":")[0] for v in fake_slack.violations]
    assert methods == ["dnd.setSnooze", "auth.test", "auth.test"]
    for secret in ("xoxb-stolen-secret-1234", "xoxb-sandbox"):
        assert secret not in " ".join(fake_slack.violations)
        assert secret not in caplog.text
        assert all(secret not in repr(call) for call in fake_slack.calls)
    assert fake_slack.calls_to("auth.test")[0].token == "xoxb-stolen-secret-1234"


async def test_fail_next_fails_then_recovers(
    fake_slack: FakeSlack, slack_client: AsyncWebClient
) -> None:
    fake_slack.fail_next("views.open", "expired_trigger_id")
    fake_slack.fail_next("chat.postMessage", "channel_not_found", count=2)
    assert await api_error(slack_client.views_open(trigger_id=TRIGGER, view=modal())) == (
        "expired_trigger_id"
    )
    # The injected failure did not use up the trigger_id.
    await slack_client.views_open(trigger_id=TRIGGER, view=modal())
    for _ in range(2):
        failing = slack_client.chat_postMessage(channel="C1", text="x")
        assert await api_error(failing) == "channel_not_found"
    await slack_client.chat_postMessage(channel="C1", text="x")
    assert fake_slack.violations == []


async def test_ratelimited_is_a_429_with_retry_after(
    fake_slack: FakeSlack, slack_client: AsyncWebClient
) -> None:
    fake_slack.fail_next("chat.postMessage", "ratelimited", retry_after=7)
    with pytest.raises(SlackApiError) as info:
        await slack_client.chat_postMessage(channel="C1", text="x")
    assert info.value.response.status_code == 429
    assert info.value.response.headers["Retry-After"] == "7"
    assert info.value.response["error"] == "ratelimited"
    # slack_sdk's own retry handler honours the header and then succeeds.
    fake_slack.fail_next("chat.postMessage", "ratelimited", retry_after=0)
    retrying = AsyncWebClient(
        token="xoxb-sandbox",
        base_url=fake_slack.api_url,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=1)],
    )
    assert (await retrying.chat_postMessage(channel="C1", text="x"))["ok"] is True
    assert [c.error for c in fake_slack.calls_to("chat.postMessage")] == [
        "ratelimited",
        "ratelimited",
        None,
    ]


async def test_form_encoded_calls_decode_json_string_fields(fake_slack: FakeSlack) -> None:
    blocks = [{"type": "divider"}]
    client = WebClient(token="xoxb-sandbox", base_url=fake_slack.api_url)
    data = {"channel": "C1", "text": "form", "blocks": json.dumps(blocks)}
    response = await asyncio.to_thread(client.api_call, "chat.postMessage", data=data)
    assert response["ok"] is True
    assert fake_slack.calls_to("chat.postMessage")[0].args["blocks"] == blocks


async def test_wait_for_polls_until_calls_arrive(
    fake_slack: FakeSlack, slack_client: AsyncWebClient
) -> None:
    async def later() -> None:
        await asyncio.sleep(0.05)
        await slack_client.chat_postMessage(channel="C1", text="one")
        await slack_client.chat_postMessage(channel="C1", text="two")

    task = asyncio.create_task(later())
    calls = await fake_slack.wait_for("chat.postMessage", count=2, timeout=5)
    await task
    assert [call.args["text"] for call in calls] == ["one", "two"]
    started = time.monotonic()
    with pytest.raises(TimeoutError, match=r"0/1 views\.open"):
        await fake_slack.wait_for("views.open", timeout=0.1)
    assert time.monotonic() - started < 1


async def test_view_submission_responses(
    fake_slack: FakeSlack, slack_client: AsyncWebClient
) -> None:
    root = (await slack_client.views_open(trigger_id=TRIGGER, view=modal()))["view"]
    shown = fake_slack.apply_view_response(
        root["id"], {"response_action": "errors", "errors": {"name": "Too short"}}
    )
    assert shown is not None and shown["id"] == root["id"]
    with pytest.raises(SlackError, match="no input block_id"):
        fake_slack.apply_view_response(
            root["id"], {"response_action": "errors", "errors": {"x": "?"}}
        )
    pushed = fake_slack.apply_view_response(
        root["id"], {"response_action": "push", "view": modal()}
    )
    assert pushed is not None and pushed["previous_view_id"] == root["id"]
    progress = modal(blocks=[{"type": "section", "text": text("Declaring…", "mrkdwn")}])
    updated = fake_slack.apply_view_response(
        pushed["id"], {"response_action": "update", "view": progress}
    )
    assert updated is not None and updated["id"] == pushed["id"]
    # An empty ack closes the submitted view and shows the previous one again.
    assert fake_slack.apply_view_response(pushed["id"], None) is None
    gone = slack_client.views_update(view_id=pushed["id"], view=modal())
    assert await api_error(gone) == "not_found"
    assert fake_slack.apply_view_response(root["id"], {"response_action": "clear"}) is None
    assert fake_slack.violations == [
        "view_submission: invalid_arguments: errors name no input block_id: ['x']"
    ]


async def test_reset_forgets_everything(
    fake_slack: FakeSlack, slack_client: AsyncWebClient
) -> None:
    opened = await slack_client.views_open(trigger_id=TRIGGER, view=modal())
    assert await api_error(slack_client.api_call("nope.nope")) == "unknown_method"
    fake_slack.fail_next("auth.test", "fatal_error")
    fake_slack.reset()
    assert fake_slack.calls == [] and fake_slack.violations == [] and fake_slack.views == {}
    assert opened["view"]["id"] not in fake_slack.views
    assert (await slack_client.auth_test())["ok"] is True
    # The trigger_id may be used again after a reset.
    await slack_client.views_open(trigger_id=TRIGGER, view=modal())


def test_response_url_needs_the_bound_address() -> None:
    with pytest.raises(RuntimeError, match="base_url"):
        FakeSlack().response_url()
