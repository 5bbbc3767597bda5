"""Update: `/incident update [ref] [message]` shares a message, or opens the update modal."""

from __future__ import annotations

from collections.abc import Awaitable, Mapping, Sequence
from typing import Any

from slack_sdk.models.blocks import Option
from slack_sdk.models.views import View

from bot import keys
from bot.attribution import sign
from bot.command import Verb
from bot.deps import Deps
from bot.flows.aim import Aim
from bot.flows.context import CommandContext
from bot.flows.runner import Answer
from bot.flows.verbs import ChangeVerb, Submitted, incident_meta, share_update
from bot.forms import UpdateForm, parse_update
from bot.ids import Field
from bot.incidentio.models import Catalog, Incident
from bot.lookup import require_open
from bot.modal_meta import ModalMeta
from bot.ui.card import thread_note
from bot.ui.common import severity_option, status_option, update_result_text
from bot.ui.update import update_modal


async def share(ctx: CommandContext, incident: Incident, text: str) -> Answer:
    """`/incident update [ref] <message>`: the message is shared at once, without a modal."""
    require_open(incident, Verb.UPDATE.value, post_incident=Update.post_incident)
    update = await ctx.deps.incidents.create_incident_update(
        incident_id=incident.id,
        idempotency_key=keys.for_command(ctx.team_id, ctx.trigger_id),
        message=sign(await ctx.deps.directory.decode(text), ctx.user_name, ctx.user_id),
    )
    # A message alone changes no status or severity: the cached open incidents stay true, and
    # dropping them would make the next command in the incident re-list every open incident.
    return Answer(update_result_text(incident.reference, update), said=thread_note(update))


class Update(ChangeVerb[UpdateForm]):
    verb = Verb.UPDATE
    post_incident = True  # a message; its status moves with the post-incident flow's tasks
    shares_text_at_once = True
    api_fields = {
        "message": Field.MESSAGE.value,
        "to_incident_status_id": Field.STATUS.value,
        "to_severity_id": Field.SEVERITY.value,
    }

    def choices(self, catalog: Catalog, meta: ModalMeta) -> Mapping[Field, Sequence[Option]]:
        current = catalog.status(meta.status_id)
        # Only moves the official rules allow; the incident's own status would change nothing.
        statuses = catalog.update_statuses(current) if current else []
        # Resolved, the incident's severity is settled (escalate is refused there too).
        settled = current is not None and current.is_post_incident
        severities = [
            s for s in catalog.severities_by_rank() if s.id != meta.severity_id and not settled
        ]
        return {
            Field.STATUS: [status_option(s) for s in statuses],
            Field.SEVERITY: [severity_option(s) for s in severities],
        }

    async def build(self, deps: Deps, incident: Incident, meta: ModalMeta, text: str) -> View:
        offered = self.choices(await deps.catalog.get(), incident_meta(meta, incident))
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

    def direct(self, ctx: CommandContext, aimed: Aim) -> Awaitable[Answer]:
        assert aimed.incident is not None
        return share(ctx, aimed.incident, aimed.text)
