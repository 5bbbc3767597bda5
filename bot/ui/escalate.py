"""The escalate modal: a higher severity, and the reason shared as the update."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import Block, Option
from slack_sdk.models.views import View

from bot.ids import Field, Modal
from bot.incidentio.models import Incident
from bot.modal_meta import ModalMeta
from bot.ui.blocks import modal
from bot.ui.common import incident_heading, message_input, select_input


def escalate_modal(
    incident: Incident,
    higher: Sequence[Option],
    meta: ModalMeta,
    *,
    reason: str | None = None,
    chosen: str | None = None,
    banner: str | None = None,
    page: Sequence[Block] = (),
) -> View:
    """`higher` are the severities the verb offers, least severe first (flows/escalate.py);
    `page` the optional "also page" inputs (ui/page.py)."""
    blocks = incident_heading(incident, banner)
    initial = next((o for o in higher if o.value == chosen), higher[0] if higher else None)
    blocks.append(select_input(Field.SEVERITY, "Raise severity to", higher, initial=initial))
    blocks.append(
        message_input(
            Field.REASON, "Reason", reason, "Why it is more severe now; shared as the update"
        )
    )
    blocks.extend(page)
    return modal(
        Modal.ESCALATE,
        f"Escalate {incident.reference}",
        blocks,
        submit="Escalate",
        meta=meta.encode(),
    )
