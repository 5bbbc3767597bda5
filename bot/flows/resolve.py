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
from bot.identity import Identity
from bot.ids import Field
from bot.incidentio.models import Catalog, Incident
from bot.lookup import find_by_id
from bot.modal_meta import ModalMeta
from bot.ui.resolve import ending_options, resolve_modal

OUT_OF_DATE = "This form is out of date. Close it and start again."


def _no_ending(incident: Incident) -> UserError:
    if incident.is_post_incident:
        return UserError(
            f"incident.io lists no closed status, so I can't close {incident.reference}."
        )
    return UserError("incident.io lists no status that ends an incident, so I can't resolve it.")


class Resolve(ChangeVerb[ResolveForm]):
    verb = Verb.RESOLVE
    post_incident = True  # there it closes the incident
    api_fields = {"message": Field.MESSAGE.value, "to_incident_status_id": Field.STATUS.value}

    def choices(self, catalog: Catalog, meta: ModalMeta) -> Mapping[Field, Sequence[Option]]:
        current = catalog.status(meta.status_id)
        ending = catalog.resolve_statuses(current) if current else []
        closing = current is not None and current.is_post_incident
        return {Field.STATUS: ending_options(ending, closing=closing)}

    async def build(self, deps: Deps, incident: Incident, meta: ModalMeta, text: str) -> View:
        ending = (await deps.catalog.get()).resolve_statuses(incident.incident_status)
        if not ending:
            raise _no_ending(incident)
        return resolve_modal(incident, ending, meta, message=text or None)

    def parse(self, view: dict[str, Any]) -> ResolveForm:
        # Modals opened before the status input was always shown had none when one status
        # could end the incident; that one is used.
        needs_status = any(b.get("block_id") == Field.STATUS.value for b in view.get("blocks", []))
        return parse_resolve(view["state"]["values"], needs_status=needs_status)

    async def write(self, deps: Deps, change: Submitted[ResolveForm]) -> View:
        status_id = change.form.status_id or await _only_ending(deps, change.meta, change.who)
        return await share_update(
            deps, change, "Resolved", message=change.form.message, status_id=status_id
        )


async def _only_ending(deps: Deps, meta: ModalMeta, who: Identity) -> str:
    """The one status the incident may end in now, for a modal that did not ask."""
    assert meta.incident_id is not None
    incident = await find_by_id(deps, meta.incident_id, meta.channel_id, deps.guard.viewer(who))
    ending = (await deps.catalog.get()).resolve_statuses(incident.incident_status)
    if len(ending) != 1:
        raise _no_ending(incident) if not ending else UserError(OUT_OF_DATE)
    return ending[0].id
