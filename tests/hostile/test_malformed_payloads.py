"""Signed but malformed payloads are refused: 400, one log line, no traceback, nothing runs.

Bolt reads every payload with its own helpers (`slack_bolt.request.payload_utils`, and its
listener matchers) before any listener runs, and those raise on shapes Slack never sends
(`"view": null`, `"actions": []`, a JSON array or string as the payload): that answered 500 with
a traceback. The product refuses them: bot/http_request.py reads the body, bot/gate.py decides
whether Bolt could read it, bot/server.py answers 400 (401 to the unsigned).

Each case starts from a REAL payload of the corpus (tests/data/real/slack), adapted as
tests/slack/test_real_payloads.py adapts it (our command, callback and action IDs, the fake
Slack's trigger ID and response URL), and breaks one thing. Through the signed HTTP path (POST
/slack/events of `create_web_app(h.bot)` over httpx's ASGI transport, signed with the harness's
secret by the driver), per case:

  - never a 5xx, no error or traceback logged by the bot, Bolt or uvicorn, nothing shown to the
    person, no request to incident.io (`test_..._never_crash`);
  - 400, exactly one WARNING line (naming the sender) from bot.server or bot.gate saying it was refused, no call to
    Slack at all (`test_..._are_refused_with_400`);
  - unsigned: 401, the same safety, and the same one line.

In process: `read_request` returns None for every case, and the gate alone refuses the
dict-shaped ones (as Socket Mode delivers them, and as an HttpRequest built without
read_request's check), so that no path depends on the other's check.

These cases found six defects when they were written (deep JSON crashing the parser, a view or an
action of the wrong type slipping past the gate, payloads no listener matches authorised and
answered 404, unsigned unreadable bodies refused without a line); all are fixed, and these tests
keep them fixed.
"""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import pytest
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.http_request import HttpRequest, read_request
from bot.ids import SLASH_COMMAND, Action, Field, Modal
from bot.server import create_web_app
from sandbox.driver import SlackDriver, SlackResponse
from sandbox.serving import BackgroundServer
from tests.hostile.helpers import bot_failures, since, user_facing
from tests.slack.conftest import SIGNING_SECRET, Harness

CORPUS = Path(__file__).resolve().parents[1] / "data" / "real" / "slack"
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
DEPTH = 10_000
# Loggers whose errors or tracebacks mean a bug: bot_failures' two, and the server's.
WATCHED = ("bot", "slack_bolt", "uvicorn")
REFUSERS = ("bot.server", "bot.gate")


# --- real payloads, adapted to our IDs, then broken ---------------------------------------------


def real(kind: str, name: str) -> dict[str, Any]:
    """A body of the corpus as Slack sent it (a payload's JSON, or a form's fields)."""
    entry = json.loads((CORPUS / kind / f"{name}.json").read_text())
    body: dict[str, Any] = copy.deepcopy(entry["body"])
    return body


def _slack_ids(h: Harness, body: dict[str, Any]) -> dict[str, Any]:
    # As test_real_payloads does: should anything answer, it answers the fake Slack, not the
    # captured hooks.slack.com URL.
    if "trigger_id" in body:
        body["trigger_id"] = h.fake.new_trigger_id()
    if "response_url" in body:
        body["response_url"] = h.fake.response_url()
    return body


def view_submission(h: Harness) -> dict[str, Any]:
    body = _slack_ids(h, real("view_submission", "private_metadata"))
    body["view"]["callback_id"] = Modal.DECLARE.value
    return body


def block_actions(h: Harness) -> dict[str, Any]:
    body = _slack_ids(h, real("block_actions", "message_button_no_message"))
    body["actions"][0]["action_id"] = Action.OPEN_INCIDENT.value
    return body


def block_suggestion(h: Harness) -> dict[str, Any]:
    body = _slack_ids(h, real("block_suggestion", "modal_external_select"))
    body["action_id"] = body["block_id"] = Field.INCIDENT.value
    body["value"] = ""
    return body


def slash_command(h: Harness) -> dict[str, str]:
    body = _slack_ids(h, real("slash_command", "private_channel_empty_text"))
    body.update(command=SLASH_COMMAND, text="help")
    return {k: str(v) for k, v in body.items()}


def payload_form(raw_json: str) -> str:
    """What Slack sends for interactivity: one form field, `payload`, holding JSON text."""
    return "payload=" + quote(raw_json)


@dataclass(frozen=True)
class Case:
    body: str
    content_type: str = FORM
    # The body as a JSON object, when it is one: Socket Mode could deliver it as it is.
    as_dict: dict[str, Any] | None = None


def payload(value: Any) -> Case:
    return Case(payload_form(json.dumps(value)), as_dict=value if isinstance(value, dict) else None)


def form(fields: dict[str, str]) -> Case:
    return Case(urlencode(fields), as_dict=fields)


def changed(body: dict[str, Any], path: tuple[str | int, ...], value: Any = ...) -> dict[str, Any]:
    """`body` with the value at `path` replaced by `value` (removed when `value` is omitted)."""
    node: Any = body
    for key in path[:-1]:
        node = node[key]
    if value is ...:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return body


NESTED = "[" * DEPTH + "]" * DEPTH
NESTED_OBJECT = '{"a":' * DEPTH + "1" + "}" * DEPTH

CASES: dict[str, Callable[[Harness], Case]] = {
    # view_submission/private_metadata.json
    "view null": lambda h: payload(changed(view_submission(h), ("view",), None)),
    "view without type": lambda h: payload(changed(view_submission(h), ("view", "type"))),
    "view []": lambda h: payload(changed(view_submission(h), ("view",), [])),
    "view a string": lambda h: payload(changed(view_submission(h), ("view",), "V111")),
    "view without callback_id": lambda h: payload(
        changed(view_submission(h), ("view", "callback_id"))
    ),
    # block_actions/message_button_no_message.json
    "actions []": lambda h: payload(changed(block_actions(h), ("actions",), [])),
    "actions null": lambda h: payload(changed(block_actions(h), ("actions",), None)),
    "actions [null]": lambda h: payload(changed(block_actions(h), ("actions",), [None])),
    "actions an object": lambda h: payload(
        changed(block_actions(h), ("actions",), block_actions(h)["actions"][0])
    ),
    "action without action_id": lambda h: payload(
        changed(block_actions(h), ("actions", 0, "action_id"))
    ),
    # block_suggestion/modal_external_select.json
    "block_suggestion without action_id": lambda h: payload(
        changed(block_suggestion(h), ("action_id",))
    ),
    # the payload field holding something other than a JSON object
    "payload [1,2]": lambda h: payload([1, 2]),
    "payload a string": lambda h: payload("a string"),
    "payload null": lambda h: payload(None),
    "payload 123": lambda h: payload(123),
    "payload not JSON": lambda h: Case(payload_form("this is {not json")),
    "payload 10000-deep array": lambda h: Case(payload_form(NESTED)),
    # slash_command/private_channel_empty_text.json
    "command form without command": lambda h: form(
        {k: v for k, v in slash_command(h).items() if k != "command"}
    ),
    "empty body": lambda h: Case(""),
    "JSON {}": lambda h: Case("{}", JSON, as_dict={}),
    "JSON array": lambda h: Case(json.dumps([block_actions(h)]), JSON),
    "JSON string": lambda h: Case(json.dumps("a string"), JSON),
    "JSON 10000-deep array": lambda h: Case(NESTED, JSON),
    "JSON 10000-deep object": lambda h: Case(NESTED_OBJECT, JSON),
}


def params(names: list[str]) -> list[Any]:
    return [pytest.param(name, id=name) for name in names]


ALL = list(CASES)
# The cases whose body is a JSON object (what Socket Mode could deliver as it is).
DICTS = [
    "view null",
    "view without type",
    "view []",
    "view a string",
    "view without callback_id",
    "actions []",
    "actions null",
    "actions [null]",
    "actions an object",
    "action without action_id",
    "block_suggestion without action_id",
    "command form without command",
    "JSON {}",
]
# Refused by the server before Bolt (read_request: None) or by the gate (its signature check).
UNSIGNED = [
    "view null",
    "actions []",
    "payload [1,2]",
    "payload not JSON",
    "JSON array",
    "view []",
    "actions [null]",
    "empty body",
    "payload 10000-deep array",
]


# --- checks ---------------------------------------------------------------------------------------


def failures(caplog: pytest.LogCaptureFixture) -> list[str]:
    """bot_failures, and the server's: errors or tracebacks from the bot, Bolt or uvicorn."""
    found = bot_failures(caplog)
    found += [
        f"{r.name}: {r.getMessage()}"
        for r in caplog.records
        if r.name.startswith(WATCHED)
        and not r.name.startswith(("bot", "slack_bolt"))
        and (r.levelno >= logging.ERROR or r.exc_info)
    ]
    return found


def refusals(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        f"{r.name}: {r.getMessage()}"
        for r in caplog.records
        if r.name in REFUSERS and r.levelno == logging.WARNING and "refused" in r.getMessage()
    ]


def interactions(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "bot.interaction"]


@dataclass
class Outcome:
    response: SlackResponse
    calls: list[Any]
    failures: list[str]
    refusals: list[str]
    interactions: list[str]
    emulator_requests: int


async def observe(h: Harness, caplog: pytest.LogCaptureFixture, send: Callable[[], Any]) -> Outcome:
    mark, requests = len(h.fake.calls), len(h.emulator.requests)
    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        response = await send()
        await h.settle()
    return Outcome(
        response=response,
        calls=since(h, mark),
        failures=failures(caplog),
        refusals=refusals(caplog),
        interactions=interactions(caplog),
        emulator_requests=len(h.emulator.requests) - requests,
    )


def assert_safe(outcome: Outcome) -> None:
    """Never a 5xx or a traceback; nothing shown to anyone; incident.io never asked."""
    assert outcome.response.status < 500, outcome.response.body[:500]
    assert outcome.failures == []
    assert user_facing(outcome.calls) == [], [c.method for c in outcome.calls]
    assert outcome.emulator_requests == 0


def assert_refused(outcome: Outcome, status: int) -> None:
    """Refused before anything ran: the status, one line saying so, no call to Slack at all."""
    assert_safe(outcome)
    assert outcome.response.status == status, outcome.response.body[:500]
    assert len(outcome.refusals) == 1, outcome.refusals
    assert outcome.calls == [], [c.method for c in outcome.calls]
    assert outcome.interactions == []


# --- through the HTTP endpoint ------------------------------------------------------------------


@pytest.fixture
async def web(h: Harness) -> AsyncIterator[SlackDriver]:
    """The harness's person, over the HTTP endpoint of bot/server.py. raise_app_exceptions=False:
    an exception becomes the 500 a real server would answer, which the test then reports."""
    transport = httpx.ASGITransport(app=create_web_app(h.bot), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://bot") as client:

        async def send(body: str, headers: dict[str, str]) -> SlackResponse:
            response = await client.post("/slack/events", content=body, headers=headers)
            return SlackResponse(response.status_code, response.text)

        yield SlackDriver(h.fake, SIGNING_SECRET, send)


async def post(web: SlackDriver, case: Case, *, signed: bool = True) -> SlackResponse:
    headers = (
        web.signed_headers(case.body, case.content_type)
        if signed
        else {"content-type": case.content_type}
    )
    return await web.send(case.body, headers)


@pytest.mark.parametrize("name", params(ALL))
async def test_signed_malformed_payloads_never_crash(
    h: Harness, web: SlackDriver, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    case = CASES[name](h)
    assert_safe(await observe(h, caplog, lambda: post(web, case)))


@pytest.mark.parametrize("name", params(ALL))
async def test_signed_malformed_payloads_are_refused_with_400(
    h: Harness, web: SlackDriver, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    case = CASES[name](h)
    outcome = await observe(h, caplog, lambda: post(web, case))
    assert_refused(outcome, 400)
    assert outcome.response.json() == {"error": "malformed request"}


@pytest.mark.parametrize("name", params(UNSIGNED))
async def test_unsigned_malformed_payloads_get_401_and_nothing_runs(
    h: Harness, web: SlackDriver, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    case = CASES[name](h)
    outcome = await observe(h, caplog, lambda: post(web, case, signed=False))
    assert_safe(outcome)
    assert outcome.response.status == 401, outcome.response.body[:500]
    assert outcome.calls == [] and outcome.interactions == []


@pytest.mark.parametrize("name", params(UNSIGNED))
async def test_unsigned_malformed_payloads_are_refused_with_one_line(
    h: Harness, web: SlackDriver, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    case = CASES[name](h)
    assert_refused(await observe(h, caplog, lambda: post(web, case, signed=False)), 401)


ORIGINALS: dict[str, Callable[[Harness], Case]] = {
    "view_submission": lambda h: payload(view_submission(h)),
    "block_actions": lambda h: payload(block_actions(h)),
    "block_suggestion": lambda h: payload(block_suggestion(h)),
    "slash_command": lambda h: form(slash_command(h)),
}


@pytest.mark.parametrize("kind", list(ORIGINALS))
async def test_the_unbroken_payloads_are_answered(
    h: Harness, web: SlackDriver, caplog: pytest.LogCaptureFixture, kind: str
) -> None:
    # The control: the same real payloads, not broken, are handled (so the break is the cause).
    outcome = await observe(h, caplog, lambda: post(web, ORIGINALS[kind](h)))
    assert outcome.response.status == 200, outcome.response.body[:500]
    assert outcome.failures == [] and outcome.refusals == []


# --- in process: the reader, and the gate on its own ---------------------------------------------


@pytest.mark.parametrize("name", params(ALL))
def test_read_request_refuses_what_no_listener_could_read(h: Harness, name: str) -> None:
    # What server.py and the harness's dispatch hand Bolt, or None (then 400 or 401).
    case = CASES[name](h)
    driver = h.driver_for()
    headers = driver.signed_headers(case.body, case.content_type)
    assert read_request(case.body.encode(), headers) is None


def _request(h: Harness, case: Case, mode: str) -> AsyncBoltRequest:
    assert case.as_dict is not None
    body = copy.deepcopy(case.as_dict)
    if mode == "socket_mode":
        # As Bolt's Socket Mode adapter builds it: the envelope's payload, a dict, unsigned.
        return AsyncBoltRequest(body=body, mode="socket_mode")
    # An HTTP request built without read_request's check: the gate must refuse it itself.
    headers = h.driver_for().signed_headers(case.body, case.content_type)
    return HttpRequest(raw_body=case.body, body=body, headers=headers)


@pytest.mark.parametrize("mode", ["socket_mode", "http"])
@pytest.mark.parametrize("name", params(DICTS))
async def test_the_gate_alone_refuses_malformed_dicts(
    h: Harness, caplog: pytest.LogCaptureFixture, name: str, mode: str
) -> None:
    request = _request(h, CASES[name](h), mode)

    async def send() -> SlackResponse:
        response = await h.app.async_dispatch(request)
        return SlackResponse(response.status, response.body)

    outcome = await observe(h, caplog, send)
    assert_refused(outcome, 400)
    assert outcome.refusals == ["bot.gate: refused a signed payload of a shape Slack does not send"]


# --- on uvicorn, as served: what the operator's log shows ---------------------------------------


@pytest.mark.parametrize("name", params(["view null", "JSON array", "payload 10000-deep array"]))
async def test_on_uvicorn_a_refusal_is_one_line_and_no_traceback(
    h: Harness, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    # Only cases the server refuses before Bolt: the bot's clients belong to this test's loop,
    # uvicorn runs in a thread of its own (lifespan off: no warm-up, no shutdown of the client).
    case = CASES[name](h)
    headers = h.driver_for().signed_headers(case.body, case.content_type)
    with BackgroundServer(create_web_app(h.bot), lifespan="off") as server:

        async def send() -> SlackResponse:
            async with httpx.AsyncClient(base_url=server.url) as client:
                response = await client.post("/slack/events", content=case.body, headers=headers)
                return SlackResponse(response.status_code, response.text)

        outcome = await observe(h, caplog, send)
    assert_refused(outcome, 400)
