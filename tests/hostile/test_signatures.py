"""Requests not signed by Slack are refused with 401 before anything runs.

Through Bolt with its real SignatureVerifier (the harness `h`), and through the HTTP app of
bot/server.py for bodies Bolt cannot even parse. "Nothing runs" is checked where it would show:
no call to the fake Slack (not even auth.test), no request to incident.io, no interaction logged.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import pytest
from slack_sdk.signature import SignatureVerifier

from bot.ids import Field, Modal, Shortcut
from bot.server import create_web_app
from tests.slack.conftest import SIGNING_SECRET, Harness
from tests.slack.conftest import dispatch as harness_dispatch

FORM = "application/x-www-form-urlencoded"


def now() -> int:
    return int(time.time())


def command_body(h: Harness, text: str = "declare Pwned", **extra: str) -> str:
    return urlencode(
        {
            "command": "/incident",
            "text": text,
            "team_id": h.fake.team_id,
            "channel_id": "C0GENERAL",
            "user_id": "U0ALICE",
            "user_name": "alice",
            "response_url": h.fake.response_url("attacker"),
            "trigger_id": h.fake.new_trigger_id(),
            **extra,
        }
    )


def payload_body(payload: dict[str, Any]) -> str:
    return "payload=" + quote(json.dumps(payload))


def view_submission_body(h: Harness) -> str:
    view = {
        "id": "V0FORGED",
        "type": "modal",
        "callback_id": Modal.DECLARE.value,
        "private_metadata": json.dumps({"team_id": h.fake.team_id, "user_id": "U0ALICE"}),
        "blocks": [],
        "state": {
            "values": {
                Field.NAME.value: {
                    Field.NAME.value: {"type": "plain_text_input", "value": "Pwned"}
                },
                Field.SEVERITY.value: {
                    Field.SEVERITY.value: {
                        "type": "static_select",
                        "selected_option": {"value": "x"},
                    }
                },
            }
        },
    }
    return payload_body(
        {
            "type": "view_submission",
            "team": {"id": h.fake.team_id},
            "user": {"id": "U0ALICE"},
            "view": view,
            "trigger_id": h.fake.new_trigger_id(),
        }
    )


def suggestion_body(h: Harness) -> str:
    return payload_body(
        {
            "type": "block_suggestion",
            "action_id": Field.INCIDENT.value,
            "block_id": Field.INCIDENT.value,
            "value": "",
            "team": {"id": h.fake.team_id},
            "user": {"id": "U0ALICE"},
            "view": {"id": "V0FORGED", "callback_id": Modal.PICK.value},
        }
    )


def message_action_body(h: Harness) -> str:
    return payload_body(
        {
            "type": "message_action",
            "callback_id": Shortcut.DECLARE_FROM_MESSAGE.value,
            "trigger_id": h.fake.new_trigger_id(),
            "message_ts": "1.0",
            "channel": {"id": "C0GENERAL"},
            "message": {"type": "message", "user": "U0BOB", "ts": "1.0", "text": "hi"},
            "response_url": h.fake.response_url("attacker"),
            "team": {"id": h.fake.team_id},
            "user": {"id": "U0ALICE"},
        }
    )


BODIES: dict[str, Callable[[Harness], str]] = {
    "command": command_body,
    "view_submission": view_submission_body,
    "block_suggestion": suggestion_body,
    "message_action": message_action_body,
}


def sign(body: str | bytes, timestamp: int | str, secret: str = SIGNING_SECRET) -> str:
    return SignatureVerifier(secret).generate_signature(timestamp=str(timestamp), body=body) or ""


def headers(
    body: str,
    *,
    ts: int | str | None = "now",
    signature: str | None = None,
    content_type: str = FORM,
) -> dict[str, str]:
    """Headers as Slack sends them, signed for `body` at `ts` unless `signature` is given."""
    ts = now() if ts == "now" else ts
    result = {"content-type": content_type}
    if ts is not None:
        result["x-slack-request-timestamp"] = str(ts)
    result["x-slack-signature"] = signature if signature is not None else sign(body, ts or 0)
    return result


# Each case: (body the request carries, headers) given the body that was signed.
def _tampered(body: str) -> tuple[str, dict[str, str]]:
    return body.replace("Pwned", "Owned").replace("hi", "ho") + "&x=1", headers(body)


CASES: dict[str, Callable[[str], tuple[str, dict[str, str]]]] = {
    "missing signature": lambda b: (
        b,
        {"content-type": FORM, "x-slack-request-timestamp": str(now())},
    ),
    "empty signature": lambda b: (b, headers(b, signature="")),
    "wrong signature": lambda b: (b, headers(b, signature="v0=" + "0" * 64)),
    "signed with another secret": lambda b: (
        b,
        headers(b, signature=sign(b, now(), "not-the-secret")),
    ),
    "old scheme": lambda b: (b, headers(b, signature=sign(b, now()).replace("v0=", "v1="))),
    "stale timestamp (6 min)": lambda b: (b, headers(b, ts=now() - 360)),
    "future timestamp (6 min)": lambda b: (b, headers(b, ts=now() + 360)),
    "missing timestamp": lambda b: (b, {"content-type": FORM, "x-slack-signature": sign(b, now())}),
    "signature for another timestamp": lambda b: (
        b,
        {**headers(b), "x-slack-request-timestamp": str(now() - 1)},
    ),
    "body tampered after signing": _tampered,
    "non-numeric timestamp": lambda b: (b, headers(b, ts="now", signature="v0=00")),
    "non-ascii signature": lambda b: (b, headers(b, signature="v0=é")),
    "huge timestamp": lambda b: (b, headers(b, ts="9" * 5000, signature="v0=00")),
}


def assert_nothing_ran(h: Harness, caplog: pytest.LogCaptureFixture) -> None:
    assert h.fake.calls == [], [c.method for c in h.fake.calls]
    assert h.emulator.requests == []
    assert not [r for r in caplog.records if r.name == "bot.interaction"]
    assert not [
        r for r in caplog.records if r.name.startswith("bot") and r.levelno >= logging.ERROR
    ]


async def dispatch(h: Harness, body: str, hdrs: dict[str, str]) -> tuple[int, str]:
    response = await harness_dispatch(h.bot, body, hdrs)
    return response.status, response.body


@pytest.mark.parametrize("kind", list(BODIES))
@pytest.mark.parametrize("case", list(CASES))
async def test_unsigned_requests_are_refused_and_nothing_runs(
    h: Harness, caplog: pytest.LogCaptureFixture, kind: str, case: str
) -> None:
    caplog.set_level(logging.DEBUG)
    body, hdrs = CASES[case](BODIES[kind](h))
    status, _ = await dispatch(h, body, hdrs)
    await h.settle()
    assert status == 401
    assert_nothing_ran(h, caplog)


@pytest.mark.parametrize("kind", list(BODIES))
async def test_the_same_requests_signed_properly_are_handled(h: Harness, kind: str) -> None:
    # The control for the test above: only the signature made the difference.
    body = BODIES[kind](h)
    status, _ = await dispatch(h, body, headers(body))
    await h.settle()
    assert status == 200
    assert h.fake.calls or h.emulator.requests


async def test_a_signature_within_five_minutes_is_accepted(h: Harness) -> None:
    body = command_body(h, "help")
    for ts in (now() - 280, now() + 280):
        status, reply = await dispatch(h, body, headers(body, ts=ts))
        assert status == 200 and "/incident declare" in reply


async def test_a_replay_cannot_reuse_the_signature_for_other_text(h: Harness) -> None:
    signed = command_body(h, "help")
    forged = signed.replace("help", "declare+Pwned")
    status, _ = await dispatch(h, forged, headers(signed))
    assert status == 401 and h.fake.calls == []


# --- the HTTP endpoint: bodies Bolt cannot parse ---------------------------------------------


async def post(h: Harness, body: bytes | str, hdrs: dict[str, str]) -> httpx.Response:
    transport = httpx.ASGITransport(app=create_web_app(h.bot), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://bot") as client:
        return await client.post("/slack/events", content=body, headers=hdrs)


UNPARSEABLE: dict[str, tuple[bytes | str, str]] = {
    "not JSON sent as JSON": ("definitely not json", "application/json"),
    "broken JSON": ('{"type": "view_submission"', FORM),
    "broken payload": ("payload=%7Bnope", FORM),
    "a form sent as JSON": ("command=%2Fincident&text=help", "application/json"),
    "not UTF-8": (b"command=\xff\xfe\xfd", FORM),
    "empty": ("", FORM),
}


@pytest.mark.parametrize("case", list(UNPARSEABLE))
@pytest.mark.parametrize("signed", [False, True], ids=["unsigned", "bad-signature"])
async def test_unparseable_unsigned_bodies_get_401_not_a_crash(
    h: Harness, caplog: pytest.LogCaptureFixture, case: str, signed: bool
) -> None:
    caplog.set_level(logging.DEBUG)
    body, content_type = UNPARSEABLE[case]
    hdrs = {"content-type": content_type}
    if signed:
        hdrs |= {"x-slack-request-timestamp": str(now()), "x-slack-signature": "v0=" + "1" * 64}
    response = await post(h, body, hdrs)
    assert response.status_code == 401
    assert_nothing_ran(h, caplog)


async def test_a_signed_form_replayed_as_json_is_refused_without_running(
    h: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    # The content type is not covered by the signature: a captured request replayed with
    # another one is authentic bytes that cannot be read. It must not crash the endpoint.
    caplog.set_level(logging.DEBUG)
    body = command_body(h, "declare Pwned")
    response = await post(h, body, headers(body, content_type="application/json"))
    assert response.status_code == 400
    assert_nothing_ran(h, caplog)


async def test_a_signed_json_body_is_read_as_json_whatever_its_content_type(h: Harness) -> None:
    # What Bolt does: a body starting with "{" is parsed as JSON. Slack never sends a command so,
    # but only the holder of the signing secret can: the signature is the authentication.
    body = json.dumps(
        {
            "command": "/incident",
            "text": "help",
            "user_id": "U0ALICE",
            "channel_id": "C0GENERAL",
            "team_id": h.fake.team_id,
        }
    )
    response = await post(h, body, headers(body))
    assert response.status_code == 200 and "/incident declare" in response.text
    tampered = body.replace("help", "list")
    refused = await post(h, tampered, headers(body))
    assert refused.status_code == 401


async def test_the_endpoint_answers_a_signed_command(h: Harness) -> None:
    body = command_body(h, "help")
    response = await post(h, body, headers(body))
    assert response.status_code == 200 and "/incident declare" in response.text
