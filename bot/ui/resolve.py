"""The resolve modal: the closing message, and the status that ends the incident.

The two kinds of ending differ in what follows, so the modal says which is which: a
post-incident status starts incident.io's post-incident flow (the incident stays open there for
follow-ups), a closed status closes it now and skips that flow.
"""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import Option
from slack_sdk.models.views import View

from bot.ids import Field, Modal
from bot.incidentio.models import Incident, IncidentStatus
from bot.modal_meta import ModalMeta
from bot.ui.blocks import modal, option
from bot.ui.common import incident_heading, message_input, select_input

STARTS_FLOW = "Starts the post-incident flow; the incident stays open there"
SKIPS_FLOW = "Closes the incident now and skips the post-incident flow"
ENDS_FLOW = "Closes the incident now and ends its post-incident flow"


def _meaning(status: IncidentStatus, closing: bool) -> str:
    if status.is_post_incident:
        return STARTS_FLOW
    return ENDS_FLOW if closing else SKIPS_FLOW


def ending_options(ending: Sequence[IncidentStatus], *, closing: bool) -> list[Option]:
    """The statuses an incident may end in, each with what choosing it means; `closing`: the
    incident is in post-incident already, and this only closes it."""
    return [option(s.name, s.id, _meaning(s, closing)) for s in ending]


def _hint(ending: Sequence[IncidentStatus], incident: Incident) -> str:
    if incident.is_post_incident:
        return "A closed status closes the incident now, ending its post-incident flow."
    starts = any(s.is_post_incident for s in ending)
    skips = any(not s.is_post_incident for s in ending)
    if starts and skips:
        return (
            "Post-incident statuses resolve the incident and start incident.io's post-incident "
            "flow: it stays open there for follow-ups. A closed status closes it now and skips "
            "that flow."
        )
    if starts:
        return (
            "A post-incident status resolves the incident and starts incident.io's "
            "post-incident flow: it stays open there for follow-ups."
        )
    return "A closed status closes the incident now and skips incident.io's post-incident flow."


def resolve_modal(
    incident: Incident,
    ending: Sequence[IncidentStatus],
    meta: ModalMeta,
    *,
    message: str | None = None,
    banner: str | None = None,
) -> View:
    """`ending`: the statuses the incident may end in from where it is (never empty)."""
    closing = incident.is_post_incident  # already resolved: this only closes it
    blocks = incident_heading(incident, banner)
    blocks.append(
        message_input(Field.MESSAGE, "Closing message", message, "What fixed it, what follows")
    )
    options = ending_options(ending, closing=closing)
    # Starting the post-incident flow or skipping it is the person's call: nothing is chosen
    # for them. A single possible status is no choice, so it is shown chosen, its meaning
    # beside it.
    initial = options[0] if len(options) == 1 else None
    blocks.append(
        select_input(
            Field.STATUS,
            "Close as" if closing else "Move to",
            options,
            initial=initial,
            hint=_hint(ending, incident),
        )
    )
    if closing:
        # "Close" would be both buttons' label; the dismiss button says Cancel instead.
        title, submit, dismiss = f"Close {incident.reference}", "Close incident", "Cancel"
    else:
        title, submit, dismiss = f"Resolve {incident.reference}", "Resolve", "Close"
    return modal(Modal.RESOLVE, title, blocks, submit=submit, close=dismiss, meta=meta.encode())
