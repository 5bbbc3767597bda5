"""What update, escalate and resolve share: finding the incident, or letting the person pick one.

With a reference, or inside an incident's channel, the verb's modal opens on that incident.
Elsewhere a picker modal opens first; its "Next" turns it into the verb's modal in place.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.flows.context import CommandContext
from bot.flows.runner import open_modal
from bot.forms import FormError, ModalMeta, parse_incident_choice
from bot.ids import Field, Modal
from bot.incidentio.models import Incident
from bot.lookup import channel_incident, find_by_id, find_incident, require_open
from bot.mrkdwn import truncate
from bot.observability.interaction import tracked
from bot.replies import Reply, UserError, log_failure
from bot.ui.change import pick_modal
from bot.ui.common import incident_option

# Builds a verb's modal for one open incident; raises UserError when the verb cannot apply.
Builder = Callable[[Deps, Incident, ModalMeta, str], Awaitable[View]]
MAX_OPTIONS = 100


def incident_meta(meta: ModalMeta, incident: Incident) -> ModalMeta:
    return meta.model_copy(
        update={
            "incident_id": incident.id,
            "reference": incident.reference,
            "severity_id": incident.severity.id if incident.severity else None,
        }
    )


async def target(ctx: CommandContext) -> Incident | None:
    if ctx.command.ref is not None:
        return await find_incident(ctx.deps, ctx.command.ref, ctx.channel_id)
    return await channel_incident(ctx.deps, ctx.channel_id)


async def open_targeted(ctx: CommandContext, verb: str, title: str, build: Builder) -> None:
    await ctx.ack()
    meta = ctx.meta(verb=verb)

    async def load() -> View:
        incident = await target(ctx)
        if incident is None:
            return pick_modal(meta, title)
        require_open(incident)
        return await build(ctx.deps, incident, incident_meta(meta, incident), ctx.command.text)

    await open_modal(
        ctx.deps,
        ctx.reply,
        ctx.trigger_id,
        load,
        title=title,
        where=verb,
    )


def _matches(incident: Incident, query: str) -> bool:
    query = query.strip().lower()
    return not query or query in incident.reference.lower() or query in incident.name.lower()


def register(app: AsyncApp, deps: Deps, builders: dict[str, Builder]) -> None:
    @app.options(Field.INCIDENT.value)
    @tracked
    async def incident_options(ack: AsyncAck, body: dict[str, Any]) -> None:
        # Options are the ack body, so this must answer from the cache within Slack's 3 s.
        query = str(body.get("value", ""))
        try:
            incidents = await deps.open_incidents.get()
        except Exception as error:  # noqa: BLE001 - an empty list is still an answer
            log_failure(error, "incident options")
            incidents = []
        visible = [i for i in incidents if not i.is_private and _matches(i, query)]
        await ack(options=[incident_option(i).to_dict() for i in visible[:MAX_OPTIONS]])

    @app.view(Modal.PICK.value)
    @tracked
    async def handle_pick_submission(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        view = body["view"]
        meta = ModalMeta.decode(view.get("private_metadata"))
        build = builders.get(meta.verb or "")
        try:
            choice = parse_incident_choice(view["state"]["values"])
            if build is None:
                raise FormError({}, "This form is out of date. Close it and start again.")
            incident = require_open(await find_by_id(deps, choice.incident_id, meta.channel_id))
            next_view = await build(deps, incident, incident_meta(meta, incident), "")
        except FormError as error:
            if error.fields:
                await ack(response_action="errors", errors=error.fields)
                return
            raise
        except UserError as error:
            text = truncate(error.message.replace("*", ""), 2000)
            await ack(response_action="errors", errors={Field.INCIDENT.value: text})
            return
        await ack(response_action="update", view=Reply(client, deps.sandbox).view(next_view))
