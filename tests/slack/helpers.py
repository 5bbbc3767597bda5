from __future__ import annotations

import functools
from typing import Any

from bot.app import build_app
from bot.ids import Modal
from bot.incidentio.models import Incident
from sandbox.driver import SlackDriver
from tests.slack.conftest import SIGNING_SECRET, Harness, dispatch, make_settings


def blocks_text(view_or_message: dict[str, Any]) -> str:
    """All the text a person would read in a view or message (blocks and fallback text)."""
    out = [str(view_or_message.get("text", ""))]
    for block in view_or_message.get("blocks", []) or []:
        text = block.get("text")
        if isinstance(text, dict):
            out.append(text.get("text", ""))
        for field in block.get("fields", []) or []:
            out.append(field.get("text", ""))
        for element in block.get("elements", []) or []:
            if isinstance(element, dict) and "text" in element:
                t = element["text"]
                out.append(t.get("text", "") if isinstance(t, dict) else str(t))
    return "\n".join(out)


async def seed_incident(
    h: Harness, name: str = "Checkout down", severity: str = "Minor", **kwargs: Any
) -> Incident:
    catalog = await h.deps.catalog.get()
    severity_id = next(s.id for s in catalog.severities if s.name == severity)
    incident = await h.deps.incidents.create_incident(
        idempotency_key=f"seed-{name}-{len(h.emulator.incidents)}",
        name=name,
        severity_id=severity_id,
        **kwargs,
    )
    h.deps.open_incidents.invalidate()
    return incident


def ephemeral_texts(h: Harness) -> list[str]:
    return [blocks_text(c.args) for c in h.fake.messages()]


def command_reply(response: Any) -> str:
    return blocks_text(response.json()) if response.body else ""


def said(h: Harness, response: Any) -> str:
    """Everything the bot answered a command with: the ack and any ephemeral messages."""
    return command_reply(response) + "\n".join(blocks_text(c.args) for c in h.fake.messages())


async def open_view(h: Harness, text: str, **kwargs: Any) -> dict[str, Any]:
    """Run `/incident <text>` and return the modal it opened."""
    await h.driver.command(text, **kwargs)
    await h.settle()
    return h.driver.last_view()


def input_block(view: dict[str, Any], field: str) -> dict[str, Any] | None:
    return next((b for b in view["blocks"] if b.get("block_id") == field), None)


def offered(view: dict[str, Any], field: str) -> list[str]:
    """The labels of a select input's options, [] when the modal has no such input."""
    block = input_block(view, field)
    return [o["text"]["text"] for o in block["element"]["options"]] if block else []


def element(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    block: dict[str, Any] = next(b for b in view["blocks"] if b.get("block_id") == block_id)
    return dict(block["element"])


async def open_declare(h: Harness, name: str = "Checkout down") -> dict[str, Any]:
    await h.driver.command(f"declare {name}")
    await h.settle()
    view = h.driver.last_view()
    assert view["callback_id"] == Modal.DECLARE
    return view


def reconfigured(h: Harness, **overrides: Any) -> Harness:
    """The same Slack and incident.io, served by a bot started with other settings (a restart
    with a new configuration, or another replica): what was open in Slack stays open."""
    settings = make_settings(h.fake.api_url, **overrides)
    # Another replica, or the same bot restarted: either way the store is the one it had.
    bot = build_app(settings, h.deps.incidents, store=h.deps.store)
    driver = SlackDriver(h.fake, SIGNING_SECRET, functools.partial(dispatch, bot))
    return Harness(bot, h.fake, h.emulator, driver, settings)


def written(h: Harness) -> list[Any]:
    """What reached incident.io as a write (the seeding of the test aside)."""
    return [
        r
        for r in h.writes()
        if not str((r.body or {}).get("idempotency_key", "")).startswith("seed-")
    ]
