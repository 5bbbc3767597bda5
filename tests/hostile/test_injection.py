"""Mentions typed by a person never go live, oversize input is refused, private incidents stay hidden.

Every test keeps what the bot answered (ack bodies) and checks it together with every call the
fake Slack received: no `<!channel>`, `<!here>`, `<!everyone>` or `<@U…>` a person typed is
rendered by Slack anywhere the bot writes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

from bot.ids import Field, Modal, Shortcut
from sandbox.driver import SlackResponse
from tests.hostile.helpers import (
    assert_inert,
    bot_failures,
    forged_mentions,
    rendered_strings,
    user_facing,
)
from tests.slack.conftest import Harness
from tests.slack.helpers import blocks_text, seed_incident

NAME = "<!channel> Checkout <@U0EVIL> down @here"
SUMMARY = "<!here> <!everyone> see <#C0EVIL> and <https://evil.example|this> <!subteam^S0EVIL>"
MESSAGE = "Rolled back <!channel> <@U0EVIL> @everyone"


class Seen:
    """Everything the bot answered in one test, checked at the end."""

    def __init__(self, h: Harness) -> None:
        self.h = h
        self.responses: list[SlackResponse] = []

    async def command(self, text: str, **kwargs: Any) -> str:
        """What the person read after typing `/incident text`: the ack, then ephemerals."""
        mark = len(self.h.fake.calls)
        response = await self.h.driver.command(text, **kwargs)
        self.responses.append(response)
        await self.h.settle()
        out = [blocks_text(response.json())] if response.body else []
        out += [
            blocks_text(c.args)
            for c in user_facing(self.h.fake.calls[mark:])
            if c.method != "views.open"
        ]
        return "\n".join(out)

    async def submit(self, view_id: str, answers: dict[str, Any]) -> SlackResponse:
        response = await self.h.driver.submit(view_id, answers)
        self.responses.append(response)
        await self.h.settle()
        return response

    def check(self) -> None:
        assert_inert(self.responses, self.h.fake.calls)
        for view in self.h.fake.views.values():
            assert not forged_mentions(view), view.get("callback_id")


@pytest.fixture
def seen(h: Harness, caplog: pytest.LogCaptureFixture) -> Iterator[Seen]:
    caplog.set_level(logging.INFO)
    result = Seen(h)
    yield result
    result.check()
    assert bot_failures(caplog) == []


def test_the_checker_sees_a_live_mention() -> None:
    # The oracle the tests below rely on: it flags what Slack would render, not plain_text.
    message = {
        "text": "hi",
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "<!here>"}}],
    }
    assert forged_mentions(message) == ["<!here>"]
    assert forged_mentions({"text": "x <@U0EVIL>"}) == ["x <@U0EVIL>"]
    assert forged_mentions({"text": "hey @channel"}) == ["hey @channel"]
    assert forged_mentions({"text": "&lt;!here&gt; @\u2060here"}) == []
    plain = {
        "type": "input",
        "element": {"initial_value": "<!here>"},
        "label": {"type": "plain_text", "text": "<!here>"},
    }
    assert forged_mentions(plain) == []
    assert list(rendered_strings({"private_metadata": "<!here>", "text": "ok"})) == ["ok"]


async def test_declare_with_mentions_everywhere_shows_them_inert(h: Harness, seen: Seen) -> None:
    await seen.command(f"declare {NAME}")
    view = h.driver.last_view()
    result = await seen.submit(view["id"], {"severity": "Major", "summary": SUMMARY})
    assert result.status == 200
    [incident] = h.emulator.incidents
    assert incident["name"] == NAME and incident["summary"] == SUMMARY  # stored as typed
    shown = blocks_text(h.fake.current_view(view["id"]))
    assert "&lt;!channel&gt; Checkout &lt;@U0EVIL&gt; down @\u2060here" in shown

    listed = await seen.command("list")
    assert "&lt;!channel&gt; Checkout" in listed
    card = await seen.command("show INC-1")
    assert "&lt;!here&gt; &lt;!everyone&gt;" in card and "&lt;#C0EVIL&gt;" in card


async def test_updates_escalations_and_resolutions_echo_inert(h: Harness, seen: Seen) -> None:
    incident = await seed_incident(h, NAME, summary=SUMMARY)
    await seen.command(f"update {incident.reference} {MESSAGE}")
    card = await seen.command(f"show {incident.reference}")
    assert "Rolled back &lt;!channel&gt; &lt;@U0EVIL&gt; @\u2060everyone" in card

    await seen.command(f"update {incident.reference}")
    await seen.submit(h.driver.last_view()["id"], {"message": MESSAGE})
    await seen.command(f"escalate {incident.reference} {MESSAGE}")
    await seen.submit(h.driver.last_view()["id"], {"reason": f"{MESSAGE} again"})
    await seen.command(f"resolve {incident.reference}")
    await seen.submit(h.driver.last_view()["id"], {"message": MESSAGE, "status": "Closed"})
    assert h.emulator.incident(incident.id)["incident_status"]["category"] == "closed"
    assert sum(MESSAGE in (u.get("message") or "") for u in h.emulator.updates) == 4


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<!channel>", "`&lt;!channel&gt;` is not a subcommand I know."),
        ("<@U0EVIL> hi", "`&lt;@U0EVIL&gt;` is not a subcommand I know."),
        ("show <!here>", "`&lt;!here&gt;` is not an incident reference"),
        ("list <!everyone>", "`list` takes no arguments."),
        ("@here", "`@\u2060here` is not a subcommand I know."),
    ],
)
async def test_mistakes_quote_the_text_inert(seen: Seen, text: str, expected: str) -> None:
    assert expected in await seen.command(text)


async def test_message_shortcuts_quote_the_message_inert(h: Harness, seen: Seen) -> None:
    incident = await seed_incident(h, NAME)
    text = f"{MESSAGE}\n<!here> second line"
    seen.responses.append(
        await h.driver.message_shortcut(Shortcut.DECLARE_FROM_MESSAGE, text, message_ts="5.0")
    )
    await h.settle()
    view = h.driver.last_view()
    summary = next(b for b in view["blocks"] if b["block_id"] == Field.SUMMARY)
    assert summary["element"]["initial_value"].startswith(text)  # plain text: shown as typed
    await seen.submit(view["id"], {"name": NAME, "severity": "Minor"})

    seen.responses.append(
        await h.driver.message_shortcut(
            Shortcut.ADD_TO_INCIDENT, text, channel_id=incident.slack_channel_id, message_ts="6.0"
        )
    )
    await h.settle()
    add = h.driver.last_view()
    assert add["callback_id"] == Modal.ADD_MESSAGE
    assert "&lt;!here&gt; second line" in blocks_text(add)
    await seen.submit(add["id"], {})
    quoted = f"> {MESSAGE}\n> <!here> second line"
    assert any(quoted in (u.get("message") or "") for u in h.emulator.updates)


async def test_very_long_escaped_text_still_fits_slack(h: Harness, seen: Seen) -> None:
    # "<" is four characters once escaped: a summary or a message that fits as typed must still
    # fit the 3000-character section once escaped.
    incident = await seed_incident(h, "Angles", summary="<" * 2999)
    card = await seen.command(f"show {incident.reference}")
    assert "&lt;&lt;&lt;" in card
    seen.responses.append(
        await h.driver.message_shortcut(
            Shortcut.ADD_TO_INCIDENT, "&" * 3000, channel_id=incident.slack_channel_id
        )
    )
    await h.settle()
    assert "&amp;&amp;" in blocks_text(h.driver.last_view())
    assert h.fake.violations == []


# --- oversize input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "length", "modal", "field"),
    [
        ("declare ", 3001, Modal.DECLARE, Field.SUMMARY),
        ("update INC-1 ", 3001, Modal.UPDATE, Field.MESSAGE),
        ("resolve INC-1 ", 5000, Modal.RESOLVE, Field.MESSAGE),
        ("escalate 1 ", 3001, Modal.ESCALATE, Field.REASON),
    ],
)
async def test_oversize_command_text_opens_the_form_with_nothing_lost(
    h: Harness, seen: Seen, text: str, length: int, modal: Modal, field: Field
) -> None:
    # Refusing the text lost it; the form opens with as much as its input holds, and the rest
    # in sight to trim or copy back. Nothing is written until the person submits.
    await seed_incident(h)
    writes = len(h.writes())
    await seen.command(text + "y" * length)
    view = h.driver.last_view()
    assert view["callback_id"] == modal
    block = next(b for b in view["blocks"] if b.get("block_id") == field)
    # No ellipsis in the input: submitted as is, it would reach incident.io as if typed.
    assert block["element"]["initial_value"] == "y" * 3000
    shown = blocks_text(view)
    assert f"Your text is {length:,} characters; the form holds the first 3,000" in shown
    assert "y" * min(length - 3000, 100) in shown.split("another update", 1)[1]
    assert len(h.writes()) == writes


@pytest.mark.parametrize(
    ("open_with", "answers", "field", "limit"),
    [
        ("declare", {"name": "n" * 251, "severity": "Minor"}, Field.NAME, 250),
        (
            "declare",
            {"name": "ok", "summary": "s" * 3001, "severity": "Minor"},
            Field.SUMMARY,
            3000,
        ),
        ("update INC-1", {"message": "m" * 3001}, Field.MESSAGE, 3000),
        ("escalate INC-1", {"reason": "r" * 3001}, Field.REASON, 3000),
        ("resolve INC-1", {"message": "m" * 3001}, Field.MESSAGE, 3000),
    ],
)
async def test_oversize_modal_input_is_refused_inline_with_the_limit(
    h: Harness, seen: Seen, open_with: str, answers: dict[str, Any], field: Field, limit: int
) -> None:
    # Slack's max_length stops this in the client; a forged submission meets the same check.
    await seed_incident(h)
    writes = len(h.writes())
    await seen.command(open_with)
    response = await seen.submit(h.driver.last_view()["id"], answers)
    body = response.json()
    assert body["response_action"] == "errors"
    assert body["errors"][field.value] == f"{limit + 1} characters; the limit is {limit}."
    assert len(h.writes()) == writes


# --- private incidents --------------------------------------------------------------------------


@pytest.fixture
async def private(h: Harness) -> Any:
    await seed_incident(h, "Public trouble")
    return await seed_incident(h, "Secret merger", visibility="private")


async def test_private_incidents_are_never_listed(h: Harness, seen: Seen, private: Any) -> None:
    for channel in ("C0GENERAL", private.slack_channel_id):
        listed = await seen.command("list", channel_id=channel)
        assert "Public trouble" in listed and "Secret merger" not in listed
        assert "INC-2" not in listed


@pytest.mark.parametrize("ref", ["INC-2", "inc-2", "2", "#2", "ID"])
async def test_private_incidents_are_not_shown_outside_their_channel(
    h: Harness, seen: Seen, private: Any, ref: str
) -> None:
    ref = private.id if ref == "ID" else ref
    said = await seen.command(f"show {ref}", channel_id="C0GENERAL")
    assert "Secret merger" not in said and "I can't find incident" in said
    missing = await seen.command("show INC-99", channel_id="C0GENERAL")
    # The same answer as for an incident that does not exist: its existence is not revealed.
    assert said.replace(private.id, "X").replace("INC-2", "X") == missing.replace("INC-99", "X")


async def test_private_incidents_are_shown_in_their_own_channel(
    h: Harness, seen: Seen, private: Any
) -> None:
    assert "Secret merger" in await seen.command("show INC-2", channel_id=private.slack_channel_id)
    assert "Secret merger" in await seen.command("show", channel_id=private.slack_channel_id)


@pytest.mark.parametrize("verb", ["update", "escalate", "resolve"])
async def test_private_incidents_cannot_be_changed_from_elsewhere(
    h: Harness, seen: Seen, private: Any, verb: str
) -> None:
    writes = len(h.writes())
    said = await seen.command(f"{verb} INC-2 something", channel_id="C0GENERAL")
    assert "I can't find incident `INC-2`" in said and "Secret merger" not in said
    assert len(h.writes()) == writes and h.driver.open_views() == []


async def test_the_picker_never_offers_private_incidents(
    h: Harness, seen: Seen, private: Any
) -> None:
    await seen.command("update", channel_id="C0GENERAL")
    view = h.driver.last_view()
    assert view["callback_id"] == Modal.PICK
    assert [o["text"]["text"] for o in await h.driver.options(view["id"], Field.INCIDENT)] == [
        "INC-1: Public trouble"
    ]
    for query in ("secret", "INC-2", "2", private.id):
        assert await h.driver.options(view["id"], Field.INCIDENT, query) == []


async def test_a_forged_pick_of_a_private_incident_is_refused(
    h: Harness, seen: Seen, private: Any
) -> None:
    await seen.command("update", channel_id="C0GENERAL")
    view = h.driver.last_view()
    forged = {"text": {"type": "plain_text", "text": "x"}, "value": private.id}
    response = await seen.submit(view["id"], {"incident": forged})
    body = response.json()
    assert body["response_action"] == "errors"
    assert "I can't find incident" in body["errors"][Field.INCIDENT.value]
    assert "Secret merger" not in str(body)
