"""Every payload type through the whole app with random content.

Properties, for each example: no unhandled exception (no error or traceback logged by the bot or
Bolt), the person gets an answer (HTTP 200 with a body, or a view or message sent to them),
nothing the person typed reaches Slack as a live mention, and the fake Slack saw nothing Slack
would reject.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.ids import Field, Modal, Shortcut
from bot.incidentio.models import Incident
from sandbox.driver import SlackResponse
from sandbox.fake_slack.errors import SlackError
from sandbox.slack_limits import check_message
from tests.hostile.helpers import assert_answered, assert_inert, bot_failures, since
from tests.hostile.strategies import hostile_text, json_values, long_text, view_values
from tests.slack.conftest import Harness
from tests.slack.helpers import seed_incident

APP = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


class World:
    """What the examples of one test share: a few incidents, and the catalog's real IDs."""

    def __init__(self, h: Harness) -> None:
        self.h = h
        self.public: Incident | None = None
        self.private: Incident | None = None
        self.ids: list[str] = []

    async def ready(self) -> World:
        if self.public is None:
            self.public = await seed_incident(self.h, "Checkout <!channel> down")
            self.private = await seed_incident(self.h, "Secret <!here>", visibility="private")
            catalog = await self.h.deps.catalog.get()
            self.ids = [s.id for s in catalog.severities] + [s.id for s in catalog.statuses]
            self.ids += [t.id for t in catalog.types] + [self.public.id, self.private.id]
        return self

    def channel(self, which: str) -> str:
        assert self.public is not None and self.private is not None
        return {
            "general": "C0GENERAL",
            "incident": self.public.slack_channel_id or "C0GENERAL",
            "private": self.private.slack_channel_id or "C0GENERAL",
        }[which]


@pytest.fixture
def world(h: Harness, caplog: pytest.LogCaptureFixture) -> World:
    # INFO, so a traceback logged below ERROR would be seen too.
    caplog.set_level(logging.INFO)
    return World(h)


async def check(
    h: Harness,
    caplog: pytest.LogCaptureFixture,
    send: Callable[[], Awaitable[SlackResponse]],
    *,
    answered: bool = True,
) -> tuple[SlackResponse, list[Any]]:
    caplog.clear()
    mark = len(h.fake.calls)
    response = await send()
    await h.settle()
    calls = since(h, mark)
    assert bot_failures(caplog) == []
    assert h.fake.violations == []
    if answered:
        assert_answered(response, calls)
    assert_inert([response], calls)
    return response, calls


# --- /incident <anything> -------------------------------------------------------------------

verbs = st.sampled_from(
    [
        "",
        "help",
        "declare",
        "update",
        "escalate",
        "resolve",
        "list",
        "show",
        "SHOW",
        "Update",
        "nope",
    ]
)
refs = st.sampled_from(["", "INC-1", "INC-2", "inc-999", "#1", "1", "01FCNDV6P870EA6S7TK1DSYDG0"])
command_texts = st.one_of(
    hostile_text,
    st.tuples(verbs, refs, hostile_text).map(" ".join),
    long_text(2990, 3010).map(lambda s: f"update INC-1 {s}"),
)


@APP
@given(text=command_texts, where=st.sampled_from(["general", "incident", "private"]))
@example(text="update INC-1 " + "<" * 3000, where="general")
@example(text="show INC-2", where="general")
@example(text="<!channel>", where="general")
async def test_any_command_text_is_answered(
    h: Harness, world: World, caplog: pytest.LogCaptureFixture, text: str, where: str
) -> None:
    await world.ready()
    response, _ = await check(
        h, caplog, lambda: h.driver.command(text, channel_id=world.channel(where))
    )
    if response.body:
        body = response.json()
        assert [p.detail for p in check_message(body, require_content=False)] == []


# --- view_submission with random state and metadata for each modal -----------------------------


async def open_modal(h: Harness, world: World, callback: Modal) -> dict[str, Any]:
    """Open the real modal `callback`, as a person would, and return it as Slack holds it."""
    if callback in (Modal.UPDATE, Modal.ESCALATE, Modal.RESOLVE):
        # A fresh incident each time: earlier examples may have escalated or closed the last one.
        incident = await seed_incident(h, "Fuzzed")
        verb = {Modal.UPDATE: "update", Modal.ESCALATE: "escalate", Modal.RESOLVE: "resolve"}
        await h.driver.command(f"{verb[callback]} {incident.reference}")
    elif callback is Modal.DECLARE:
        await h.driver.command("declare")
    elif callback is Modal.PICK:
        await h.driver.command("update")
    else:
        await h.driver.message_shortcut(
            Shortcut.ADD_TO_INCIDENT, "hello", channel_id=world.channel("incident")
        )
    await h.settle()
    view = h.driver.last_view()
    assert view["callback_id"] == callback
    return view


def metadata(view: dict[str, Any]) -> st.SearchStrategy[str | None]:
    real = json.loads(view["private_metadata"])
    return st.one_of(
        st.just(view["private_metadata"]),
        st.none(),
        st.text(max_size=50),
        json_values.map(json.dumps),
        st.just("[" * 3000),
        st.dictionaries(
            st.sampled_from(sorted(real)), st.one_of(json_values, st.text(max_size=40)), max_size=4
        ).map(lambda changed: json.dumps({**real, **changed})),
    )


async def submit_raw(
    h: Harness, view: dict[str, Any], values: Any, meta: str | None
) -> SlackResponse:
    sent = {**view, "state": {"values": values}, "private_metadata": meta}
    response = await h.driver.post_payload(
        {
            "type": "view_submission",
            "team": {"id": h.fake.team_id, "domain": "sandbox"},
            "user": {
                "id": "U0ALICE",
                "username": "alice",
                "name": "alice",
                "team_id": h.fake.team_id,
            },
            "api_app_id": h.fake.app_id,
            "trigger_id": h.fake.new_trigger_id(view["id"]),
            "view": sent,
            "response_urls": [],
        }
    )
    if response.status == 200:
        # As Slack does; a refused ack is recorded as a violation, checked after.
        with contextlib.suppress(SlackError):
            h.fake.apply_view_response(view["id"], response.json() or None)
    return response


SUBMITTABLE = [
    Modal.DECLARE,
    Modal.UPDATE,
    Modal.ESCALATE,
    Modal.RESOLVE,
    Modal.ADD_MESSAGE,
    Modal.PICK,
]


@pytest.mark.parametrize("callback", SUBMITTABLE, ids=[m.name for m in SUBMITTABLE])
@APP
@given(data=st.data())
async def test_any_submission_is_answered(
    h: Harness, world: World, caplog: pytest.LogCaptureFixture, callback: Modal, data: st.DataObject
) -> None:
    await world.ready()
    view = await open_modal(h, world, callback)
    values = data.draw(
        view_values(st.sampled_from(world.ids)).filter(lambda v: isinstance(v, dict)), "values"
    )
    meta = data.draw(metadata(view), "private_metadata")
    await check(h, caplog, lambda: submit_raw(h, view, values, meta))


@pytest.mark.parametrize("callback", [Modal.LOADING, Modal.RESULT])
async def test_submitting_a_modal_without_a_submit_button_does_nothing(
    h: Harness, world: World, caplog: pytest.LogCaptureFixture, callback: Modal
) -> None:
    # Slack cannot send these (the modals have no Submit); a forged one must not crash.
    view = await open_modal(h, await world.ready(), Modal.DECLARE)
    view = {**view, "callback_id": callback.value}
    writes = len(h.writes())
    response, calls = await check(h, caplog, lambda: submit_raw(h, view, {}, None), answered=False)
    assert response.status == 404 and calls == []
    assert len(h.writes()) == writes


# --- block_suggestion -----------------------------------------------------------------------


@APP
@given(query=st.one_of(hostile_text, st.text(), long_text(100, 3000)))
@example(query="secret")
@example(query="INC-2")
async def test_any_picker_query_is_answered_without_private_incidents(
    h: Harness, world: World, caplog: pytest.LogCaptureFixture, query: str
) -> None:
    await world.ready()
    assert world.private is not None
    view = await open_modal(h, world, Modal.PICK)
    payload = {
        "type": "block_suggestion",
        "action_id": Field.INCIDENT.value,
        "block_id": Field.INCIDENT.value,
        "value": query,
        "api_app_id": h.fake.app_id,
        "team": {"id": h.fake.team_id},
        "user": {"id": "U0ALICE", "username": "alice", "team_id": h.fake.team_id},
        "container": {"type": "view", "view_id": view["id"]},
        "view": view,
    }
    response, _ = await check(h, caplog, lambda: h.driver.post_payload(payload))
    options = response.json()["options"]
    assert isinstance(options, list) and len(options) <= 100
    for option in options:
        assert option["value"] != world.private.id and "Secret" not in option["text"]["text"]
        assert len(option["text"]["text"]) <= 75 and option["text"]["type"] == "plain_text"


# --- message shortcuts ----------------------------------------------------------------------

message_texts = st.one_of(
    hostile_text, st.text(), long_text(3000, 40000), st.just("<" * 3000), st.just("&" * 1600)
)


@pytest.mark.parametrize("callback", [Shortcut.DECLARE_FROM_MESSAGE, Shortcut.ADD_TO_INCIDENT])
@APP
@given(text=message_texts, where=st.sampled_from(["general", "incident"]), ts=st.integers(1, 10**6))
@example(text="<" * 1500, where="incident", ts=1)
async def test_any_message_text_is_answered(
    h: Harness,
    world: World,
    caplog: pytest.LogCaptureFixture,
    callback: Shortcut,
    text: str,
    where: str,
    ts: int,
) -> None:
    await world.ready()
    _, calls = await check(
        h,
        caplog,
        lambda: h.driver.message_shortcut(
            callback, text, channel_id=world.channel(where), message_ts=f"{ts}.000100"
        ),
    )
    assert [c.method for c in calls if c.method == "views.open"] == ["views.open"]


# --- the oracle -------------------------------------------------------------------------------


def test_the_failure_oracle_sees_an_error_record(caplog: pytest.LogCaptureFixture) -> None:
    # The fuzz tests above look for error records: make sure errors would be captured.
    logging.getLogger("bot.failures").error("unexpected error in test")
    assert bot_failures(caplog) == ["bot.failures: unexpected error in test"]
