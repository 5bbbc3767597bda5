"""Update: `/incident update [ref] [message]` and the update modal's submit."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot import keys
from bot.command import Verb
from bot.deps import Deps
from bot.flows.change import submit_change
from bot.flows.context import CommandContext, attribution
from bot.flows.runner import Answer, answer_command
from bot.flows.targeted import open_targeted, target
from bot.forms import ModalMeta, UpdateForm, parse_update
from bot.ids import Field, Modal
from bot.incidentio.models import Incident
from bot.lookup import require_open
from bot.observability.interaction import tracked
from bot.replies import UserError
from bot.ui.change import update_modal, update_result, update_result_text
from bot.ui.help import usage_line

TITLE = "Update incident"
API_FIELDS = {
    "message": Field.MESSAGE.value,
    "to_incident_status_id": Field.STATUS.value,
    "to_severity_id": Field.SEVERITY.value,
}


async def build(deps: Deps, incident: Incident, meta: ModalMeta, text: str) -> View:
    catalog = await deps.catalog.get()
    return update_modal(
        incident, catalog.open_statuses(), catalog.severities_by_rank(), meta, message=text or None
    )


async def on_command(ctx: CommandContext) -> None:
    if not ctx.command.text:
        await open_targeted(ctx, Verb.UPDATE.value, TITLE, build)
        return
    await answer_command(
        ctx.ack, ctx.reply, _share(ctx), budget=ctx.deps.ack_budget, where="update"
    )


async def _share(ctx: CommandContext) -> Answer:
    incident = await target(ctx)
    if incident is None:
        raise UserError(
            "This channel is not an open incident's channel; say which incident.",
            usage=usage_line(Verb.UPDATE),
        )
    require_open(incident)
    update = await ctx.deps.incidents.create_incident_update(
        incident_id=incident.id,
        idempotency_key=keys.for_command(ctx.team_id, ctx.trigger_id),
        message=attribution(ctx.command.text, ctx.user_name, ctx.user_id),
    )
    # A message alone changes no status or severity: the cached open incidents stay true, and
    # dropping them would make the next command in the incident re-list every open incident.
    return Answer(update_result_text(incident.reference, update))


def register(app: AsyncApp, deps: Deps) -> None:
    @app.view(Modal.UPDATE.value)
    @tracked
    async def handle_update_submission(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await submit_change(
            ack,
            body,
            client,
            deps,
            callback=Modal.UPDATE,
            parse=lambda view: parse_update(view["state"]["values"]),
            write=_submit,
            fields=API_FIELDS,
        )


async def _submit(deps: Deps, meta: ModalMeta, form: UpdateForm, key: str, user_name: str) -> View:
    assert meta.incident_id is not None
    update = await deps.incidents.create_incident_update(
        incident_id=meta.incident_id,
        idempotency_key=key,
        message=attribution(form.message, user_name, meta.user_id) if form.message else None,
        to_incident_status_id=form.status_id,
        to_severity_id=form.severity_id,
    )
    deps.open_incidents.record_update(update)
    return update_result(meta.reference or meta.incident_id, update, "Update shared")
