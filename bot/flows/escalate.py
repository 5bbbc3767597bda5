"""Escalate: `/incident escalate [ref]` raises the severity, with a reason shared as the update,
and may also page (an escalation path or people). At the highest severity it offers the page."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from slack_sdk.models.blocks import Option
from slack_sdk.models.views import View

from bot.command import Verb
from bot.deps import Deps
from bot.failures import UserError, describe, log_failure
from bot.flows.guarded import guarded
from bot.flows.paging import resolve_target, send_page
from bot.flows.verbs import ChangeVerb, Submitted, share_update
from bot.forms import EscalateForm, parse_escalate
from bot.ids import Field
from bot.incidentio.errors import IncidentIoError
from bot.incidentio.models import Catalog, Incident
from bot.incidentio.oncall_models import Escalation, EscalationPath
from bot.modal_meta import ModalMeta
from bot.rules import Action
from bot.slacktext import escape
from bot.ui.blocks import section
from bot.ui.common import severity_option
from bot.ui.escalate import escalate_modal
from bot.ui.page import page_inputs, page_modal, paged_text


class Escalate(ChangeVerb[EscalateForm]):
    verb = Verb.ESCALATE
    api_fields = {"message": Field.REASON.value, "to_severity_id": Field.SEVERITY.value}

    def choices(self, catalog: Catalog, meta: ModalMeta) -> Mapping[Field, Sequence[Option]]:
        # A severity incident.io no longer lists ranks nowhere: every listed one is a change.
        current = catalog.severity(meta.severity_id) if meta.severity_id else None
        return {Field.SEVERITY: [severity_option(s) for s in catalog.higher_severities(current)]}

    async def build(self, deps: Deps, incident: Incident, meta: ModalMeta, text: str) -> View:
        higher = self.choices(await deps.catalog.get(), meta)[Field.SEVERITY]
        paths = await _paths(deps)
        if not higher:
            current = escape(incident.severity.name) if incident.severity else "its severity"
            top = f"{incident.reference} is already at {current}, the highest severity."
            if paths is None:
                raise UserError(f"{top} Paging is not available to the bot's incident.io key.")
            banner = f"{top} Page someone instead?"
            return page_modal(incident, paths, meta, note=text or None, banner=banner)
        also = page_inputs(paths, also=True) if paths is not None else []
        return escalate_modal(incident, higher, meta, reason=text or None, page=also)

    def parse(self, view: dict[str, Any]) -> EscalateForm:
        return parse_escalate(view["state"]["values"])

    async def write(self, deps: Deps, change: Submitted[EscalateForm]) -> View:
        form = change.form
        if form.page is not None:
            return await _escalate_and_page(deps, change)
        return await share_update(
            deps, change, "Escalated", message=form.reason, severity_id=form.severity_id
        )


async def _paths(deps: Deps) -> list[EscalationPath] | None:
    """The escalation paths to offer; None when incident.io will not list them (the key)."""
    try:
        return await deps.oncall.paths()
    except IncidentIoError as error:
        log_failure(error, "escalation paths")
        return None


async def _escalate_and_page(deps: Deps, change: Submitted[EscalateForm]) -> View:
    """The page first (checked, then sent): if incident.io refuses it, nothing has changed.
    Then the severity; if that fails, the result says the page went and the severity did not,
    and a second submit is safe (the page's key is the view's: it is not sent twice)."""
    form, meta = change.form, change.meta
    assert form.page is not None and meta.incident_id is not None
    target = await resolve_target(deps, form.page)

    async def page() -> Escalation:
        return await send_page(
            deps,
            target,
            key=f"{change.key}:page",
            title=await _title(deps, meta.incident_id or ""),
            note=form.reason,
            incident_id=meta.incident_id,
        )

    where = {"reference": meta.reference, "channel_id": meta.channel_id}
    escalation = await guarded(
        deps, change.who, Action.PAGE, page, incident=meta.incident_id, **where
    )
    paged = paged_text(escalation, target.path, target.users)
    change.said.append(paged)  # the card's thread names the page as well as the severity
    try:
        view = await share_update(
            deps, change, "Escalated and paged", message=form.reason, severity_id=form.severity_id
        )
    except IncidentIoError as error:
        said, _ = describe(error)
        raise UserError(
            f"{paged}\nBut the severity was *not* raised: {said} Submitting again is safe: "
            "the page is not sent twice."
        ) from error
    view.blocks = [*(view.blocks or []), section(paged)]
    return view


async def _title(deps: Deps, incident_id: str) -> str:
    """The page's title: the incident's reference and name (as the page modal's default)."""
    cached = next((i for i in deps.open_incidents.peek() or () if i.id == incident_id), None)
    incident = cached or await deps.incidents.get_incident(incident_id)
    return f"{incident.reference}: {incident.name}"[:250]
