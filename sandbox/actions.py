"""Sandbox actions beyond typing in Slack: press a message's button, wait for what comes on its
own (a reminder), act in incident.io's dashboard, look at the emulator's incidents."""

from __future__ import annotations

import math
import time
from typing import Any

import httpx

from sandbox.answers import SessionError
from sandbox.session import Session
from sandbox.stack import REQUEST_TIMEOUT

# A script that waits longer is more likely a typo (":wait 600" for 60) than a plan.
LONGEST_WAIT = 600.0
# How often a wait looks for what the bot sent: often enough that it reads as it arrives.
LOOK_EVERY = 0.2


def press(session: Session, label: str) -> None:
    """Click the button labelled `label` (any case; a unique start is enough) on the last message
    in a channel or thread that has one, as a click in Slack is sent: block_actions."""
    wanted = label.strip().casefold()
    if not wanted:
        raise SessionError('":press" wants a button\'s label, e.g. ":press Snooze 30 min"')
    fake = session.stack.fake
    places = [(c, ts) for c, top in fake.posted() for ts in [top, *_replies(session, c, top)]]
    for channel, ts in sorted(places, key=lambda place: float(place[1]), reverse=True):
        buttons = _buttons(fake.message(channel, ts))
        found = [b for b in buttons if _label(b).casefold() == wanted] or [
            b for b in buttons if _label(b).casefold().startswith(wanted)
        ]
        if len(found) > 1:
            names = ", ".join(_label(b) for b in found)
            raise SessionError(f"{label.strip()!r} could be any of: {names}")
        if found:
            button = found[0]
            where = f"the message {ts} in {channel}"
            link = f"; it opens {button['url']}" if button.get("url") else ""
            session.write(f"> (pressed [ {_label(button)} ] on {where}{link})")
            session.interact(session.driver.click(channel, ts, str(button["action_id"])))
            return
    raise SessionError(f"no message in a channel has a button {label.strip()!r}")


def _replies(session: Session, channel: str, ts: str) -> list[str]:
    return [str(reply["ts"]) for reply in session.stack.fake.thread(channel, ts)]


def _buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        element
        for block in message.get("blocks") or []
        if block.get("type") == "actions"
        for element in block.get("elements") or []
        if element.get("type") == "button"
    ]


def _label(button: dict[str, Any]) -> str:
    return str((button.get("text") or {}).get("text", ""))


def wait(session: Session, seconds: str) -> None:
    """Wait `seconds`, showing what the bot sends meanwhile as it arrives (a reminder due)."""
    try:
        length = float(seconds)
    except ValueError:
        length = math.nan
    if not 0 < length <= LONGEST_WAIT:
        raise SessionError(
            f'":wait" wants seconds, above 0 and at most {LONGEST_WAIT:g}, e.g. ":wait 40"'
        )
    session.write(f"> (waiting {length:g} s)")
    deadline = time.monotonic() + length
    while (left := deadline - time.monotonic()) > 0:
        time.sleep(min(LOOK_EVERY, left))
        session.show_unseen()


def outside(session: Session, text: str) -> None:
    """Change an incident as someone in incident.io's dashboard would ("INC-1 status=
    Monitoring": name, summary, severity or status); its webhooks bring the change to the
    bot, which rewrites the card."""
    ref, _, change = text.strip().partition(" ")
    key, sep, value = change.partition("=")
    if not ref or not sep:
        raise SessionError(
            '":outside" wants INC-1 FIELD=VALUE (FIELD: name, summary, severity or status)'
        )
    session.write(f"> (in incident.io's dashboard: {ref} {key.strip()} = {value.strip()})")
    url = f"{session.stack.emulator_url}/_emulator/outside/incidents/{ref}/edit"

    async def post() -> httpx.Response:
        async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT) as client:
            return await client.post(url, json={key.strip(): value.strip()})

    answer = session.after(post())
    if answer.status_code != 200:
        raise SessionError(f"incident.io's dashboard refused: {answer.json().get('error')}")


def state(session: Session) -> None:
    """The emulator's incidents, oldest first."""
    incidents = session.stack.emulator.incidents
    if not incidents:
        session.write("The emulator holds no incidents.")
        return
    session.write(f"The emulator holds {len(incidents)} incident(s):")
    for item in incidents:
        severity = (item.get("severity") or {}).get("name", "no severity")
        status = item["incident_status"]
        extras = [item["visibility"]] + (["test"] if item.get("mode") == "test" else [])
        session.write(
            f"  {item['reference']}  {item['name']}  ·  {severity}  ·  "
            f"{status['name']} ({status['category']})  ·  {', '.join(extras)}"
        )
    session.write(f"  {len(session.stack.emulator.updates)} incident update(s) shared")
