"""Only requests Slack signed reach a handler: everything else is a 401 with no side effect."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest

from bot.ids import Modal
from sandbox.driver import SlackDriver, SlackResponse
from tests.e2e.conftest import E2E

FIVE_MINUTES_AND_A_BIT = 5 * 60 + 30


class Captured:
    """A driver transport that keeps the signed request instead of sending it."""

    def __init__(self) -> None:
        self.body = ""
        self.headers: dict[str, str] = {}

    async def __call__(self, body: str, headers: dict[str, str]) -> SlackResponse:
        self.body, self.headers = body, dict(headers)
        return SlackResponse(200, "")


def _unsigned(body: str, headers: dict[str, str]) -> tuple[str, dict[str, str]]:
    return body, {"content-type": headers["content-type"]}


def _tampered(body: str, headers: dict[str, str]) -> tuple[str, dict[str, str]]:
    return body.replace("Checkout", "Checkmate"), headers


def _wrong_signature(body: str, headers: dict[str, str]) -> tuple[str, dict[str, str]]:
    signature = headers["x-slack-signature"]
    flipped = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    return body, {**headers, "x-slack-signature": flipped}


def _no_timestamp(body: str, headers: dict[str, str]) -> tuple[str, dict[str, str]]:
    return body, {k: v for k, v in headers.items() if k != "x-slack-request-timestamp"}


Change = Callable[[str, dict[str, str]], tuple[str, dict[str, str]]]


def _as_is(body: str, headers: dict[str, str]) -> tuple[str, dict[str, str]]:
    return body, headers


CASES: dict[str, tuple[dict[str, object], Change]] = {
    "unsigned": ({}, _unsigned),
    "tampered body": ({}, _tampered),
    "wrong signature": ({}, _wrong_signature),
    "no timestamp": ({}, _no_timestamp),
    "another app's secret": ({"signing_secret": "not-the-bots-secret"}, _as_is),
    "stale timestamp": ({"clock": lambda: time.time() - FIVE_MINUTES_AND_A_BIT}, _as_is),
    "future timestamp": ({"clock": lambda: time.time() + FIVE_MINUTES_AND_A_BIT}, _as_is),
}


async def _signed(e2e: E2E, action: str, **driver_args: object) -> Captured:
    captured = Captured()
    secret = driver_args.pop("signing_secret", e2e.bot.signing_secret)
    driver = SlackDriver(e2e.fake, str(secret), captured, **driver_args)  # type: ignore[arg-type]
    if action == "command":
        await driver.command("update INC-1 Checkout is fine now")
    else:
        await driver.post_payload(
            {
                "type": "view_submission",
                "team": {"id": e2e.fake.team_id},
                "user": {"id": "U0ALICE", "username": "alice"},
                "view": {
                    "id": "V0FAKE",
                    "callback_id": Modal.DECLARE.value,
                    "state": {"values": {}},
                    "private_metadata": "",
                    "title": {"type": "plain_text", "text": "Checkout"},
                },
            }
        )
    return captured


@pytest.mark.parametrize("action", ["command", "view_submission"])
@pytest.mark.parametrize("case", list(CASES))
async def test_unverified_requests_are_refused_before_any_handler(
    e2e: E2E, case: str, action: str
) -> None:
    driver_args, change = CASES[case]
    captured = await _signed(e2e, action, **driver_args)
    body, headers = change(captured.body, captured.headers)
    assert "Checkout" in captured.body  # the tampering has something to change

    response = await e2e.http.post(f"{e2e.bot.url}/slack/events", content=body, headers=headers)
    await asyncio.sleep(0.1)  # room for any (wrongly) started background work to show

    assert response.status_code == 401
    assert e2e.fake.calls == []
    assert e2e.requests() == []
    assert e2e.interactions() == []


async def test_the_same_request_signed_properly_is_served(e2e: E2E) -> None:
    """The control for the refusals above: the unchanged request gets through."""
    captured = await _signed(e2e, "command")
    response = await e2e.http.post(
        f"{e2e.bot.url}/slack/events", content=captured.body, headers=captured.headers
    )
    e2e.accepted += 1
    await e2e.settle()
    assert response.status_code == 200
    assert "INC-1" in response.text  # "I can't find incident INC-1": the handler ran
    assert e2e.requests() != []
