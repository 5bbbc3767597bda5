"""The update modal: a message, and optionally a new status or severity."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import Option
from slack_sdk.models.views import View

from bot.ids import Field, Modal
from bot.incidentio.models import Incident
from bot.modal_meta import ModalMeta
from bot.ui.blocks import context, modal
from bot.ui.common import incident_heading, message_input, select_input


def update_modal(
    incident: Incident,
    statuses: Sequence[Option],
    severities: Sequence[Option],
    meta: ModalMeta,
    *,
    message: str | None = None,
    banner: str | None = None,
) -> View:
    """`statuses` and `severities` are what the verb offers (flows/update.py, `choices`)."""
    blocks = incident_heading(incident, banner)
    if incident.is_post_incident:
        ref = incident.reference
        blocks.append(
            context(
                f"{ref} is in post-incident: its status moves as incident.io's post-incident "
                f"tasks are done, so an update here is a message. `/incident resolve {ref}` "
                "closes it."
            )
        )
    elif incident.incident_status.category == "triage":
        blocks.append(
            context(
                f"{incident.reference} is in triage: incident.io's API moves it only between "
                "triage statuses or to resolved, so accept it in incident.io to make it live."
            )
        )
    blocks.append(
        message_input(Field.MESSAGE, "Update", message, "What changed, what's next", optional=True)
    )
    if statuses:
        blocks.append(select_input(Field.STATUS, "New status", statuses, optional=True))
    if severities:
        blocks.append(select_input(Field.SEVERITY, "New severity", severities, optional=True))
    return modal(
        Modal.UPDATE, f"Update {incident.reference}", blocks, submit="Share", meta=meta.encode()
    )
