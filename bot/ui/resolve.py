"""The resolve modal: the closing message, and the status that ends the incident."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import Option
from slack_sdk.models.views import View

from bot.ids import Field, Modal
from bot.incidentio.models import Incident
from bot.modal_meta import ModalMeta
from bot.ui.blocks import modal
from bot.ui.common import incident_heading, message_input, select_input


def resolve_modal(
    incident: Incident,
    ending: Sequence[Option],
    meta: ModalMeta,
    *,
    message: str | None = None,
    chosen: str | None = None,
    banner: str | None = None,
) -> View:
    """`ending` are the statuses the verb offers, post-incident first (flows/resolve.py)."""
    blocks = incident_heading(incident, banner)
    blocks.append(
        message_input(Field.MESSAGE, "Closing message", message, "What fixed it, what follows")
    )
    if len(ending) > 1:
        initial = next((o for o in ending if o.value == chosen), ending[0])
        blocks.append(
            select_input(
                Field.STATUS,
                "Move to",
                ending,
                initial=initial,
                hint="Post-incident statuses start the post-incident flow; closed ends it here.",
            )
        )
    return modal(
        Modal.RESOLVE,
        f"Resolve {incident.reference}",
        blocks,
        submit="Resolve",
        meta=meta.encode(),
    )
