"""Escalate: `/incident escalate [ref]` raises the severity, with a reason shared as the update."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot import keys
from bot.observability.interaction import tracked
from bot.command import Verb
from bot.deps import Deps
from bot.flows.context import CommandContext, attribution
from bot.flows.runner import answer_submission
from bot.flows.targeted import open_targeted
from bot.forms import EscalateForm, FormError, ModalMeta, parse_escalate
from bot.ids import Field, Modal
from bot.incidentio.models import Incident
from bot.mrkdwn import escape
from bot.replies import Reply, UserError
from bot.ui.change import escalate_modal, update_result
from bot.ui.refill import refill

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
        view = body["view"]
        meta = ModalMeta.decode(view.get("private_metadata"))
        try:
            form = parse_escalate(view["state"]["values"])
        except FormError as error:
            await ack(response_action="errors", errors=error.fields)
            return
        user = body.get("user", {})
        reply = Reply(client, deps.sandbox, user_id=meta.user_id, view_id=view["id"])
        key = keys.for_view(meta.team_id, Modal.ESCALATE.value, view["id"])
        name = str(user.get("username") or user.get("name") or "")
        await answer_submission(
            ack,
            reply,
            _submit(deps, meta, form, key, name),
            restore=lambda message: refill(view, message),
            fields=API_FIELDS,
            budget=deps.ack_budget,
            where="escalate",
        )


async def _submit(
    deps: Deps, meta: ModalMeta, form: EscalateForm, key: str, user_name: str
) -> View:
    if not meta.incident_id:
        raise UserError("This form does not say which incident it is for. Start again.")
    update = await deps.incidents.create_incident_update(
        incident_id=meta.incident_id,
        idempotency_key=key,
        message=attribution(form.reason, user_name, meta.user_id),
        to_severity_id=form.severity_id,
    )
    deps.open_incidents.invalidate()
    return update_result(meta.reference or meta.incident_id, update, "Escalated")
