from __future__ import annotations

from typing import Any

from bot.incidentio.models import Incident
from tests.slack.conftest import Harness


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
