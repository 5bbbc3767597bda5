"""Resolve: `/incident resolve [ref]` moves the incident to a status that ends it."""

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
from bot.forms import ModalMeta, ResolveForm, parse_resolve
from bot.ids import Field, Modal
from bot.incidentio.models import Incident
from bot.observability.interaction import tracked
from bot.replies import UserError
from bot.ui.change import resolve_modal, update_result

TITLE = "Resolve incident"
API_FIELDS = {"message": Field.MESSAGE.value, "to_incident_status_id": Field.STATUS.value}


async def build(deps: Deps, incident: Incident, meta: ModalMeta, text: str) -> View:
    ending = (await deps.catalog.get()).ending_statuses()
    if not ending:
        raise UserError("incident.io lists no status that ends an incident, so I can't resolve it.")
    return resolve_modal(incident, ending, meta, message=text or None)


async def on_command(ctx: CommandContext) -> None:
    await open_targeted(ctx, Verb.RESOLVE.value, TITLE, build)


def _has_status_input(view: dict[str, Any]) -> bool:
    return any(b.get("block_id") == Field.STATUS.value for b in view.get("blocks", []))


def register(app: AsyncApp, deps: Deps) -> None:
    @app.view(Modal.RESOLVE.value)
    @tracked
    async def handle_resolve_submission(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await submit_change(
            ack,
            body,
            client,
            deps,
            callback=Modal.RESOLVE,
            parse=lambda view: parse_resolve(
                view["state"]["values"], needs_status=_has_status_input(view)
            ),
            write=_submit,
            fields=API_FIELDS,
        )


async def _submit(deps: Deps, meta: ModalMeta, form: ResolveForm, key: str, user_name: str) -> View:
    assert meta.incident_id is not None
    status_id = form.status_id
    if status_id is None:
        ending = (await deps.catalog.get()).ending_statuses()
        if not ending:
            raise UserError("incident.io lists no status that ends an incident.")
        status_id = ending[0].id
    update = await deps.incidents.create_incident_update(
        incident_id=meta.incident_id,
        idempotency_key=key,
        message=attribution(form.message, user_name, meta.user_id),
        to_incident_status_id=status_id,
    )
    deps.open_incidents.record_update(update)
    return update_result(meta.reference or meta.incident_id, update, "Resolved")
