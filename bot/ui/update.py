"""The update modal: a message, and optionally a new status or severity."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.views import View

from bot.ids import Field, Modal
from bot.incidentio.models import Incident, IncidentStatus, Severity
from bot.modal_meta import ModalMeta
from bot.ui.blocks import modal
from bot.ui.common import (
    incident_heading,
    message_input,
    select_input,
    severity_option,
    status_option,
)


def update_modal(
    incident: Incident,
    statuses: Sequence[IncidentStatus],
    severities: Sequence[Severity],
    meta: ModalMeta,
    *,
    message: str | None = None,
    banner: str | None = None,
) -> View:
    blocks = incident_heading(incident, banner)
    blocks.append(
        message_input(Field.MESSAGE, "Update", message, "What changed, what's next", optional=True)
    )
    status_options = [status_option(s) for s in statuses if s.id != incident.incident_status.id]
    if status_options:
        blocks.append(select_input(Field.STATUS, "New status", status_options, optional=True))
    current = incident.severity.id if incident.severity else None
    severity_options = [severity_option(s) for s in severities if s.id != current]
    if severity_options:
        blocks.append(select_input(Field.SEVERITY, "New severity", severity_options, optional=True))
    return modal(
        Modal.UPDATE, f"Update {incident.reference}", blocks, submit="Share", meta=meta.encode()
    )
