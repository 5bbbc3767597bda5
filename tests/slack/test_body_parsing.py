"""A request is read as Slack meant it, whatever the word "payload" is doing in it.

Bolt's own body parser (slack_bolt 1.30, `request/internals.py: parse_body`) takes any form body
in which the substring "payload" occurs for an interactivity payload, and a slash command saying
"payload too large" (or typed in #payload-team) became an empty request: HTTP 404, no answer.
The product parses bodies itself (bot/http_request.py). These tests send signed, real-shaped
bodies through the real HTTP endpoint (`create_web_app` over httpx's ASGI transport), go through
Bolt's Socket Mode adapter for the other transport, and check the parser on its own.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from slack_bolt.adapter.socket_mode.async_internals import run_async_bolt_app
from slack_sdk.socket_mode.request import SocketModeRequest

from bot.http_request import HttpRequest, parse_body, read_request
from bot.ids import Field, Modal, Shortcut
from sandbox.driver import SlackDriver, SlackResponse
from tests.slack.conftest import Harness
from tests.slack.helpers import blocks_text, command_reply, seed_incident

CORPUS = Path(__file__).resolve().parents[1] / "data" / "real" / "slack"
FORM = "application/x-www-form-urlencoded"

# Slack's own sample of a signed slash command, byte for byte as python-slack-sdk's signature
# test holds it (tests/data/real/slack/slash_command/private_channel_empty_text.json decodes it).
DOCS_SAMPLE = (
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow"
    "&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner"
    "&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands"
    "%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
    "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)


def corpus(kind: str) -> dict[str, dict[str, Any]]:
    return {
        path.stem: json.loads(path.read_text())["body"]
        for path in sorted((CORPUS / kind).glob("*.json"))
    }


def real_command(h: Harness, text: str, **fields: str) -> dict[str, str]:
    """Slack's documentation sample, adapted at replay time as the corpus README says: our
    command and text, and the IDs the fake Slack knows (team, channel, user, URLs)."""
    return {
        **corpus("slash_command")["private_channel_empty_text"],
        "command": "/incident",
        "text": text,
        "team_id": h.fake.team_id,
        "channel_id": "C0GENERAL",
        "user_id": "U0ALICE",
        "response_url": h.fake.response_url(),
        "trigger_id": h.fake.new_trigger_id(),
        **fields,
    }


async def post_raw(web: SlackDriver, body: str) -> SlackResponse:
    """`body` exactly as given, signed over those bytes."""
    return await web.send(body, web.signed_headers(body, FORM))


def said(h: Harness, response: SlackResponse) -> str:
    """Everything the person was told: the ack and the messages sent to them after it."""
    return command_reply(response) + "\n".join(blocks_text(c.args) for c in h.fake.messages())


# --- through the HTTP endpoint --------------------------------------------------------------


async def test_an_update_saying_payload_is_shared(h: Harness, web: SlackDriver) -> None:
    incident = await seed_incident(h)
    response = await web.post_form(
        real_command(h, f"update {incident.reference} payload too large")
    )
    await h.settle()
    assert response.status == 200
    assert f"Update shared on *{incident.reference}*" in said(h, response)
    [update] = [u for u in h.emulator.updates if u.get("message")]
    assert update["message"].startswith("payload too large")


async def test_a_declare_saying_payload_opens_the_modal_and_its_submission_declares(
    h: Harness, web: SlackDriver
) -> None:
    response = await web.post_form(real_command(h, "declare payload service down"))
    await h.settle()
    assert response.status == 200
    view = web.last_view()
    assert view["callback_id"] == Modal.DECLARE
    name = next(b for b in view["blocks"] if b["block_id"] == Field.NAME)
    assert name["element"]["initial_value"] == "payload service down"

    # The submission is an interactivity payload (a form with one field, `payload`), whose
    # JSON says "payload" too: still read as the payload it is.
    submitted = await web.submit(view["id"], {"severity": "Major"})
    await h.settle()
    assert submitted.status == 200
    [incident] = h.emulator.incidents
    assert incident["name"] == "payload service down"
    assert incident["reference"] in blocks_text(h.fake.current_view(view["id"]))


@pytest.mark.parametrize(
    "fields",
    [
        {"channel_name": "payload-team"},
        {"user_name": "payload"},
        {"team_domain": "payloads-inc"},
        {"channel_name": "payload", "user_name": "payload.bot", "enterprise_name": "Payload Corp"},
    ],
    ids=["channel_name", "user_name", "team_domain", "everywhere"],
)
async def test_a_command_from_a_place_named_payload_gets_the_usual_answer(
    h: Harness, web: SlackDriver, fields: dict[str, str]
) -> None:
    usual = await web.post_form(real_command(h, "help"))
    assert usual.status == 200 and "/incident declare" in usual.body
    response = await web.post_form(real_command(h, "help", **fields))
    assert response.status == 200
    assert response.body == usual.body


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # "=" left unencoded inside a value (parse_qsl splits a field on its first "=" only):
        # the raw body holds `payload=` and it is not a field.
        (
            "text=update+INC-1+payload=%7B%22type%22%3A%22shortcut%22%7D",
            'payload={"type":"shortcut"}',
        ),
        # As Slack encodes it; "%26" is an "&" inside the text, not a new field.
        ("text=update+INC-1+payload%3D%7B%7D+%26+payload%3Dx", "payload={} & payload=x"),
        # Spaces as %20 (quote), not + (urlencode): the signature covers these very bytes.
        ("text=update%20INC-1%20payload%3D1%20and%20payload%2B2", "payload=1 and payload+2"),
    ],
    ids=["unencoded-equals", "encoded", "percent20"],
)
async def test_payload_equals_inside_a_value_is_not_a_payload(
    h: Harness, web: SlackDriver, text: str, message: str
) -> None:
    await seed_incident(h)
    fields = real_command(h, "")
    del fields["text"]
    body = urlencode(fields) + "&" + text
    response = await post_raw(web, body)
    await h.settle()
    assert response.status == 200
    assert "Update shared on *INC-1*" in said(h, response)
    [update] = [u for u in h.emulator.updates if u.get("message")]
    assert update["message"].startswith(message)


async def test_a_message_shortcut_on_a_message_saying_payload_is_read(
    h: Harness, web: SlackDriver
) -> None:
    text = "payload too large on db-1: payload=%7B%7D & more"
    response = await web.message_shortcut(Shortcut.DECLARE_FROM_MESSAGE, text)
    await h.settle()
    assert response.status == 200
    summary = next(b for b in web.last_view()["blocks"] if b["block_id"] == Field.SUMMARY)
    assert summary["element"]["initial_value"].startswith("payload too large on db-1")


async def test_a_command_saying_payload_is_verified_over_the_bytes_received(
    h: Harness, web: SlackDriver
) -> None:
    # The gate checks the signature over raw_body: the exact body, not one rebuilt from fields.
    body = urlencode(real_command(h, "declare payload service down"))
    headers = web.signed_headers(body, FORM)
    tampered = body.replace("service", "servers")
    assert (await web.send(tampered, headers)).status == 401
    unsigned = {"content-type": FORM}
    assert (await web.send(body, unsigned)).status == 401
    await h.settle()
    assert h.fake.calls == [] and h.emulator.requests == []


async def test_a_signed_payload_field_that_is_not_json_is_still_refused(
    h: Harness, web: SlackDriver
) -> None:
    # What server.py refused before (400 to the signed, 401 to the unsigned) it still refuses.
    body = urlencode(real_command(h, "help")) + "&payload=%7Bnope"
    assert (await post_raw(web, body)).status == 400
    assert (await web.send(body, {"content-type": FORM})).status == 401


# --- Socket Mode: Bolt's adapter hands the app a dict, which no parser touches ---------------


async def test_socket_mode_reads_a_command_saying_payload(h: Harness) -> None:
    incident = await seed_incident(h)
    fields = real_command(h, f"update {incident.reference} payload too large")
    request = SocketModeRequest(type="slash_commands", envelope_id="e-1", payload=fields)
    response = await run_async_bolt_app(h.app, request)
    await h.settle()
    assert response.status == 200
    reply = said(h, SlackResponse(response.status, response.body))
    assert f"Update shared on *{incident.reference}*" in reply


# --- the parser ----------------------------------------------------------------------------


def test_slacks_signed_sample_is_read_field_by_field() -> None:
    fields = parse_body(DOCS_SAMPLE, FORM)
    assert fields == corpus("slash_command")["private_channel_empty_text"]


@pytest.mark.parametrize("name", list(corpus("slash_command")))
@pytest.mark.parametrize("where", ["text", "channel_name", "user_name"])
def test_every_real_command_is_a_form_even_saying_payload(name: str, where: str) -> None:
    body = {**corpus("slash_command")[name], where: "payload too large"}
    assert parse_body(urlencode(body), FORM) == body


@pytest.mark.parametrize(
    "kind", ["block_actions", "block_suggestion", "message_action", "shortcut", "view_submission"]
)
def test_every_real_interactivity_payload_is_read_from_its_payload_field(kind: str) -> None:
    for name, payload in corpus(kind).items():
        assert parse_body("payload=" + quote(json.dumps(payload)), FORM) == payload, name


@pytest.mark.parametrize(
    ("raw", "fields"),
    [
        ("text=payload+too+large", {"text": "payload too large"}),
        ("text=a%2Bb+c", {"text": "a+b c"}),
        ("text=fish+%26+chips&x=1", {"text": "fish & chips", "x": "1"}),
        ("text=payload%3D%7B%7D", {"text": "payload={}"}),
        ("text=payload={}", {"text": "payload={}"}),
        ("text=100%25+payload", {"text": "100% payload"}),
        ("text=&command=%2Fincident", {"text": "", "command": "/incident"}),
        ("payloads=%7B%7D&my_payload=1", {"payloads": "{}", "my_payload": "1"}),
        ("Payload=%7B%7D", {"Payload": "{}"}),
        ("text=first&text=last", {"text": "last"}),  # as Bolt's dict(parse_qsl(...))
        ("text=caf%C3%A9+%E2%9C%85", {"text": "café ✅"}),
    ],
)
def test_a_form_without_a_payload_field_is_its_fields(raw: str, fields: dict[str, str]) -> None:
    assert parse_body(raw, FORM) == fields
    assert parse_body(raw, None) == fields


@pytest.mark.parametrize(
    ("raw", "payload"),
    [
        ("payload=%7B%22type%22%3A%22shortcut%22%7D", {"type": "shortcut"}),
        ("payload=" + quote('{"text": "a+b & payload=1"}'), {"text": "a+b & payload=1"}),
        ("payload=" + quote('{"text": "x"}').replace("%20", "+"), {"text": "x"}),
        ("token=t&payload=%7B%22a%22%3A1%7D", {"a": 1}),
        ("payload=%5B1%5D", [1]),  # JSON, but no payload a listener reads: the gate's to refuse
    ],
)
def test_a_form_with_a_payload_field_is_that_fields_json(raw: str, payload: object) -> None:
    assert parse_body(raw, FORM) == payload


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=utf-8", "Application/JSON", FORM, None],
)
def test_json_stays_json(content_type: str | None) -> None:
    # An Events API body may hold a key named "payload": it is data, not a form field.
    body = {"type": "event_callback", "payload": "x", "event": {"text": "payload=1&a=b"}}
    assert parse_body(json.dumps(body), content_type) == body


@pytest.mark.parametrize(
    ("raw", "content_type"),
    [
        ("payload=%7Bnope", FORM),
        ('{"type": "view_submission"', FORM),
        ("command=%2Fincident&text=help", "application/json"),
    ],
)
def test_what_does_not_parse_raises_value_error(raw: str, content_type: str) -> None:
    with pytest.raises(ValueError):
        parse_body(raw, content_type)


def test_an_empty_body_is_empty() -> None:
    assert parse_body("", FORM) == {} and parse_body("", "application/json") == {}


# --- the request handed to Bolt ------------------------------------------------------------


def command_request(text: str) -> HttpRequest:
    raw = DOCS_SAMPLE.replace("text=", "text=" + quote(text))
    request = read_request(raw.encode(), {"Content-Type": FORM, "X-Slack-Signature": "v0=x"})
    assert request is not None
    return request


def test_the_request_keeps_the_raw_body_and_carries_the_parsed_one() -> None:
    request = command_request("update INC-1 payload too large")
    assert request.mode == "http"
    assert request.raw_body == DOCS_SAMPLE.replace(
        "text=", "text=update%20INC-1%20payload%20too%20large"
    )
    assert request.body["text"] == "update INC-1 payload too large"
    assert request.body["command"] == "/webhook-collect"
    assert request.headers["x-slack-signature"] == ["v0=x"]
    # Bolt's context, built from the body as Bolt builds it.
    context = request.context
    assert (context.team_id, context.user_id, context.channel_id) == (
        "T1DC2JH3J",
        "U2CERLKJA",
        "G8PSS9T3V",
    )
    assert context.response_url and context.response_url.startswith("https://hooks.slack.com/")


def test_a_copy_for_a_lazy_listener_is_not_parsed_again() -> None:
    # Bolt copies a request for lazy listeners; its own copy would re-parse raw_body.
    request = command_request("payload too large")
    copy = request.to_copyable()
    assert isinstance(copy, HttpRequest)
    assert (copy.mode, copy.raw_body, copy.body) == ("http", request.raw_body, request.body)
    assert copy.context.user_id == "U2CERLKJA"


@pytest.mark.parametrize(
    ("raw", "content_type"),
    [
        (b"command=\xff\xfe", FORM),
        (b"payload=%5B1%5D", FORM),
        (b'"a string"', "application/json"),
        (b"[]", "application/json"),
        (b"payload=%7Bnope", FORM),
    ],
    ids=["not-utf8", "payload-list", "json-string", "json-list", "broken-payload"],
)
def test_what_no_listener_could_read_is_no_request(raw: bytes, content_type: str) -> None:
    assert read_request(raw, {"content-type": content_type}) is None
