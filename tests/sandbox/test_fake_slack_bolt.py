"""Bolt's AsyncApp against the fake Slack: auth.test, views.open and respond() all land there."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlencode

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from sandbox.fake_slack import FakeSlack

SIGNING_SECRET = "sandbox-signing-secret"


def signed(body: str) -> AsyncBoltRequest:
    timestamp = str(int(time.time()))
    signature = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=timestamp, body=body)
    headers = {
        "content-type": ["application/x-www-form-urlencoded"],
        "x-slack-request-timestamp": [timestamp],
        "x-slack-signature": [signature],
    }
    return AsyncBoltRequest(body=body, headers=headers)


async def test_a_bolt_command_listener_talks_to_the_fake(fake_slack: FakeSlack) -> None:
    app = AsyncApp(
        client=AsyncWebClient(token="xoxb-sandbox", base_url=fake_slack.api_url),
        signing_secret=SIGNING_SECRET,
        process_before_response=True,
    )

    @app.command("/incident")
    async def open_declare_modal(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        await ack()
        view = {
            "type": "modal",
            "callback_id": "declare",
            "title": {"type": "plain_text", "text": "Declare"},
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Loading…"}}],
        }
        await client.views_open(trigger_id=body["trigger_id"], view=view)
        await respond(text="Opening the form", response_type="ephemeral")

    form = {
        "team_id": fake_slack.team_id,
        "user_id": "U1",
        "channel_id": "C1",
        "command": "/incident",
        "text": "declare",
        "response_url": fake_slack.response_url("slash-1"),
        "trigger_id": fake_slack.new_trigger_id(),
    }
    response = await app.async_dispatch(signed(urlencode(form)))

    assert response.status == 200, response.body
    assert [call.method for call in fake_slack.calls] == ["auth.test", "views.open", "response_url"]
    assert [call.error for call in fake_slack.calls] == [None, None, None]
    (opened,) = fake_slack.views.values()
    assert opened["callback_id"] == "declare"
    reply = fake_slack.calls_to("response_url")[0]
    assert reply.url_key == "slash-1"
    assert reply.args["text"] == "Opening the form"
    assert fake_slack.violations == []
