"""Modals that change one incident: update, escalate, resolve, and the incident picker before them."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    ExternalDataSelectElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.forms import MAX_MESSAGE, ModalMeta
from bot.ids import Field, Modal
from bot.incidentio.models import Incident, IncidentStatus, IncidentUpdate, Severity
from bot.mrkdwn import escape
from bot.ui.common import (
    error_banner,
    incident_facts,
    incident_option,
    incident_title,
    message_modal,
    modal,
    select_input,
    severity_option,
    status_option,
    text_input,
)


def _heading(incident: Incident, banner: str | None) -> list[Block]:
    blocks: list[Block] = [error_banner(banner)] if banner else []
    blocks.append(SectionBlock(text=f"{incident_title(incident)}\n{incident_facts(incident)}"))
    return blocks


def pick_modal(meta: ModalMeta, title: str, *, initial: Incident | None = None) -> View:
    element = ExternalDataSelectElement(
        action_id=Field.INCIDENT.value,
        placeholder="Type a reference or part of the name",
        min_query_length=0,
        initial_option=incident_option(initial) if initial else None,
    )
    blocks: list[Block] = [
        InputBlock(block_id=Field.INCIDENT.value, label="Incident", element=element),
        ContextBlock(elements=[MarkdownTextObject(text="Open public incidents are listed.")]),
    ]
    return modal(Modal.PICK, title, blocks, submit="Next", close="Cancel", meta=meta.encode())


def update_modal(
    incident: Incident,
    statuses: Sequence[IncidentStatus],
    severities: Sequence[Severity],
    meta: ModalMeta,
    *,
    message: str | None = None,
    banner: str | None = None,
) -> View:
    blocks = _heading(incident, banner)
    blocks.append(
        text_input(
            Field.MESSAGE,
            "Update",
            initial=message,
            multiline=True,
            max_length=MAX_MESSAGE,
            optional=True,
            placeholder="What changed, what's next",
        )
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


def escalate_modal(
    incident: Incident,
    higher: Sequence[Severity],
    meta: ModalMeta,
    *,
    reason: str | None = None,
    chosen: str | None = None,
    banner: str | None = None,
) -> View:
    blocks = _heading(incident, banner)
    options = [severity_option(s) for s in higher]
    initial = next((o for o in options if o.value == chosen), options[0] if options else None)
    blocks.append(select_input(Field.SEVERITY, "Raise severity to", options, initial=initial))
    blocks.append(
        text_input(
            Field.REASON,
            "Reason",
            initial=reason,
            multiline=True,
            max_length=MAX_MESSAGE,
            placeholder="Why it is more severe now; shared as the update",
        )
    )
    return modal(
        Modal.ESCALATE,
        f"Escalate {incident.reference}",
        blocks,
        submit="Escalate",
        meta=meta.encode(),
    )


def resolve_modal(
    incident: Incident,
    ending: Sequence[IncidentStatus],
    meta: ModalMeta,
    *,
    message: str | None = None,
    chosen: str | None = None,
    banner: str | None = None,
) -> View:
    blocks = _heading(incident, banner)
    blocks.append(
        text_input(
            Field.MESSAGE,
            "Closing message",
            initial=message,
            multiline=True,
            max_length=MAX_MESSAGE,
            placeholder="What fixed it, what follows",
        )
    )
    if len(ending) > 1:
        options: list[Option] = [status_option(s) for s in ending]
        initial = next((o for o in options if o.value == chosen), options[0])
        blocks.append(
            select_input(
                Field.STATUS,
                "Move to",
                options,
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


def update_result_text(reference: str, update: IncidentUpdate) -> str:
    parts = [f":white_check_mark: Update shared on *{escape(reference)}*."]
    parts.append(f"Status: {escape(update.new_incident_status.name)}")
    if update.new_severity is not None:
        parts.append(f"Severity: {escape(update.new_severity.name)}")
    return " ".join(parts)


def update_result(reference: str, update: IncidentUpdate, title: str) -> View:
    return message_modal(title, update_result_text(reference, update))
