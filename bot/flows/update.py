"""Update: `/incident update [ref] [message]` shares a message, or opens the update modal."""

from __future__ import annotations

from collections.abc import Awaitable, Mapping, Sequence
from typing import Any

from slack_sdk.models.blocks import Option
from slack_sdk.models.views import View

from bot import keys
from bot.command import Verb
from bot.deps import Deps
from bot.failures import UserError
from bot.flows.context import CommandContext, attribution
from bot.flows.runner import Answer
from bot.flows.verbs import ChangeVerb, Submitted, share_update, target
from bot.forms import UpdateForm, parse_update
from bot.ids import Field
from bot.incidentio.models import Catalog, Incident
from bot.lookup import require_open
from bot.modal_meta import ModalMeta
from bot.ui.common import severity_option, status_option, update_result_text
from bot.ui.help import usage_line
from bot.ui.update import update_modal


async def share(ctx: CommandContext) -> Answer:
    """`/incident update [ref] <message>`: the message is shared at once, without a modal."""
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


class Update(ChangeVerb[UpdateForm]):
    verb = Verb.UPDATE
    api_fields = {
        "message": Field.MESSAGE.value,
        "to_incident_status_id": Field.STATUS.value,
        "to_severity_id": Field.SEVERITY.value,
    }

    def choices(self, catalog: Catalog, meta: ModalMeta) -> Mapping[Field, Sequence[Option]]:
        # The incident's own status and severity would change nothing.
        statuses = [s for s in catalog.open_statuses() if s.id != meta.status_id]
        severities = [s for s in catalog.severities_by_rank() if s.id != meta.severity_id]
        return {
            Field.STATUS: [status_option(s) for s in statuses],
            Field.SEVERITY: [severity_option(s) for s in severities],
        }

    async def build(self, deps: Deps, incident: Incident, meta: ModalMeta, text: str) -> View:
        offered = self.choices(await deps.catalog.get(), meta)
        return update_modal(
            incident, offered[Field.STATUS], offered[Field.SEVERITY], meta, message=text or None
        )

    def parse(self, view: dict[str, Any]) -> UpdateForm:
        return parse_update(view["state"]["values"])

    async def write(self, deps: Deps, change: Submitted[UpdateForm]) -> View:
        form = change.form
        return await share_update(
            deps,
            change,
            "Update shared",
            message=form.message,
            status_id=form.status_id,
            severity_id=form.severity_id,
        )

    def direct(self, ctx: CommandContext) -> Awaitable[Answer] | None:
        return share(ctx)
