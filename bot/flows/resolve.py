"""Resolve: `/incident resolve [ref]` moves the incident to a status that ends it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from slack_sdk.models.blocks import Option
from slack_sdk.models.views import View

from bot.command import Verb
from bot.deps import Deps
from bot.failures import UserError
from bot.flows.verbs import ChangeVerb, Submitted, share_update
from bot.forms import ResolveForm, parse_resolve
from bot.ids import Field
from bot.incidentio.models import Catalog, Incident
from bot.modal_meta import ModalMeta
from bot.ui.common import status_option
from bot.ui.resolve import resolve_modal

NO_ENDING = "incident.io lists no status that ends an incident, so I can't resolve it."


class Resolve(ChangeVerb[ResolveForm]):
    verb = Verb.RESOLVE
    api_fields = {"message": Field.MESSAGE.value, "to_incident_status_id": Field.STATUS.value}

    def choices(self, catalog: Catalog, meta: ModalMeta) -> Mapping[Field, Sequence[Option]]:
        return {Field.STATUS: [status_option(s) for s in catalog.ending_statuses()]}

    async def build(self, deps: Deps, incident: Incident, meta: ModalMeta, text: str) -> View:
        ending = self.choices(await deps.catalog.get(), meta)[Field.STATUS]
        if not ending:
            raise UserError(NO_ENDING)
        return resolve_modal(incident, ending, meta, message=text or None)

    def parse(self, view: dict[str, Any]) -> ResolveForm:
        # With one ending status the modal has no status input: that one is used.
        needs_status = any(b.get("block_id") == Field.STATUS.value for b in view.get("blocks", []))
        return parse_resolve(view["state"]["values"], needs_status=needs_status)

    async def write(self, deps: Deps, change: Submitted[ResolveForm]) -> View:
        status_id = change.form.status_id
        if status_id is None:
            ending = (await deps.catalog.get()).ending_statuses()
            if not ending:
                raise UserError(NO_ENDING)
            status_id = ending[0].id
        return await share_update(
            deps, change, "Resolved", message=change.form.message, status_id=status_id
        )
