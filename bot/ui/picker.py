"""The incident picker that opens first when a verb is run outside an incident's channel."""

from __future__ import annotations

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.ids import Field, Modal
from bot.incidentio.models import Incident
from bot.modal_meta import ModalMeta
from bot.ui.blocks import context, input_block, modal
from bot.ui.common import incident_option, message_input, search_select


def pick_modal(
    meta: ModalMeta,
    title: str,
    *,
    initial: Incident | None = None,
    post_incident: bool = False,
    text: str = "",
) -> View:
    """`post_incident`: the verb acts on post-incident incidents too, so they are listed.
    `text`: what the command carried, kept in the form for the verb's own modal."""
    element = search_select(
        Field.INCIDENT,
        "Type a reference or part of the name",
        incident_option(initial) if initial else None,
    )
    listed = "Open and post-incident" if post_incident else "Open"
    blocks: list[Block] = [
        input_block(Field.INCIDENT.value, "Incident", element),
        context(f"{listed} public incidents are listed."),
    ]
    if text:
        blocks.append(
            message_input(
                Field.MESSAGE, "Your text", text, "Carried to the next step", optional=True
            )
        )
    return modal(Modal.PICK, title, blocks, submit="Next", close="Cancel", meta=meta.encode())
