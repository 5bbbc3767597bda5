"""The edit modal: name, summary, call link and custom fields, as the incident has them now."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from slack_sdk.models.views import View

from bot.forms import MAX_NAME, MAX_SUMMARY, MAX_URL
from bot.ids import Field, Modal
from bot.incidentio.fields import CustomField
from bot.incidentio.models import Incident
from bot.modal_meta import ModalMeta
from bot.slacktext import escape
from bot.ui.blocks import modal
from bot.ui.common import (
    incident_facts,
    incident_heading,
    incident_title,
    message_modal,
    text_input,
)
from bot.ui.custom_fields import custom_field_inputs


def held_texts(incident: Incident) -> dict[str, str]:
    """What the name, summary and call link inputs hold for `incident` (cut to what each takes,
    as they are read back)."""
    raw = {
        Field.NAME.value: (incident.name, MAX_NAME),
        Field.SUMMARY.value: (incident.summary or "", MAX_SUMMARY),
        Field.CALL_URL.value: (incident.call_url or "", MAX_URL),
    }
    return {key: text[:limit].strip() for key, (text, limit) in raw.items()}


def edit_modal(
    incident: Incident,
    fields: Sequence[CustomField],
    values: Mapping[str, Sequence[str]],
    meta: ModalMeta,
) -> View:
    """`values`: what each custom field input holds (custom_fields.held)."""
    texts = held_texts(incident)
    blocks = incident_heading(incident, None)
    blocks.append(text_input(Field.NAME, "Name", initial=texts["name"], max_length=MAX_NAME))
    blocks.append(
        text_input(
            Field.SUMMARY,
            "Summary",
            initial=texts["summary"] or None,
            multiline=True,
            max_length=MAX_SUMMARY,
            optional=True,
        )
    )
    blocks.append(
        text_input(
            Field.CALL_URL,
            "Call link",
            initial=texts["call_url"] or None,
            max_length=MAX_URL,
            optional=True,
            placeholder="https://…",
        )
    )
    blocks.extend(custom_field_inputs(fields, values))
    title = f"Edit {incident.reference}"
    return modal(Modal.EDIT, title, blocks, submit="Save", meta=meta.encode())


def edited_view(incident: Incident, changed: Sequence[str]) -> View:
    """The result: what changed (the inputs' labels), and the incident as it is now."""
    what = ", ".join(escape(c) for c in changed)
    text = (
        f":white_check_mark: Edited: {what}.\n{incident_title(incident)}\n"
        f"{incident_facts(incident)}\nincident.io tells the incident's channel."
    )
    return message_modal("Incident edited", text)
