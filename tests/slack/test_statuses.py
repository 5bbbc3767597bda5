"""Status moves through Slack: each modal offers only what incident.io allows from where the
incident is (API-NOTES §12.1)."""

from __future__ import annotations

from typing import Any

from bot.ids import Field, Modal
from tests.slack.conftest import Harness
from tests.slack.helpers import blocks_text, command_reply, seed_incident


def _block(view: dict[str, Any], field: Field) -> dict[str, Any] | None:
    return next((b for b in view["blocks"] if b.get("block_id") == field), None)


def _offered(view: dict[str, Any], field: Field) -> list[str]:
    block = _block(view, field)
    return [o["text"]["text"] for o in block["element"]["options"]] if block else []


def _said(h: Harness, response: Any) -> str:
    return command_reply(response) + "\n".join(blocks_text(c.args) for c in h.fake.messages())


async def _open(h: Harness, text: str, **kwargs: Any) -> dict[str, Any]:
    await h.driver.command(text, **kwargs)
    await h.settle()
    view = h.driver.last_view()
    return view


# --- update ------------------------------------------------------------------------------------


async def test_update_modal_for_a_live_incident_offers_no_triage_and_no_ending(h: Harness) -> None:
    incident = await seed_incident(h)  # Investigating (live)
    view = await _open(h, f"update {incident.reference}")
    assert view["callback_id"] == Modal.UPDATE
    # Never back to triage; resolving (post-incident, closed) is resolve's job.
    assert _offered(view, Field.STATUS) == ["Fixing", "Monitoring"]
    assert _offered(view, Field.SEVERITY) == ["Major", "Critical"]


async def test_update_modal_for_a_triage_incident_offers_no_status(h: Harness) -> None:
    catalog = await h.deps.catalog.get()
    security = next(t for t in catalog.types if t.name == "Security")
    incident = await seed_incident(h, "Leaked key", incident_type_id=security.id)  # triage
    view = await _open(h, f"update {incident.reference}")
    # Triage has one status here, and an update may only move within the category.
    assert _block(view, Field.STATUS) is None
    assert _block(view, Field.SEVERITY) is not None
