"""Escalate: `/incident escalate [ref]` raises the severity, with a reason shared as the update."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot.command import Verb
from bot.deps import Deps
from bot.flows.change import submit_change
from bot.flows.context import CommandContext, attribution
from bot.flows.targeted import open_targeted
from bot.forms import EscalateForm, ModalMeta, parse_escalate
from bot.ids import Field, Modal
from bot.incidentio.models import Incident
from bot.mrkdwn import escape
from bot.observability.interaction import tracked
from bot.replies import UserError
from bot.ui.change import escalate_modal, update_result

TITLE = "Escalate incident"
API_FIELDS = {"message": Field.REASON.value, "to_severity_id": Field.SEVERITY.value}


async def build(deps: Deps, incident: Incident, meta: ModalMeta, text: str) -> View:
    catalog = await deps.catalog.get()
    higher = catalog.higher_severities(incident.severity)
    if not higher:
        current = escape(incident.severity.name) if incident.severity else "its severity"
        raise UserError(
            f"{incident.reference} is already at {current}, the highest severity. "
            "To page someone, use incident.io's escalations."
        )
    return escalate_modal(incident, higher, meta, reason=text or None)


async def on_command(ctx: CommandContext) -> None:
    await open_targeted(ctx, Verb.ESCALATE.value, TITLE, build)


def register(app: AsyncApp, deps: Deps) -> None:
    @app.view(Modal.ESCALATE.value)
    @tracked
    async def handle_escalate_submission(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await submit_change(
            ack,
            body,
            client,
            deps,
            callback=Modal.ESCALATE,
            parse=lambda view: parse_escalate(view["state"]["values"]),
            write=_submit,
            fields=API_FIELDS,
        )


async def _submit(
    deps: Deps, meta: ModalMeta, form: EscalateForm, key: str, user_name: str
) -> View:
    assert meta.incident_id is not None
    update = await deps.incidents.create_incident_update(
        incident_id=meta.incident_id,
        idempotency_key=key,
        message=attribution(form.reason, user_name, meta.user_id),
        to_severity_id=form.severity_id,
    )
    deps.open_incidents.record_update(update)
    return update_result(meta.reference or meta.incident_id, update, "Escalated")
