"""Escalate: `/incident escalate [ref]` raises the severity, with a reason shared as the update."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from slack_sdk.models.blocks import Option
from slack_sdk.models.views import View

from bot.command import Verb
from bot.deps import Deps
from bot.failures import UserError
from bot.flows.verbs import ChangeVerb, Submitted, share_update
from bot.forms import EscalateForm, parse_escalate
from bot.ids import Field
from bot.incidentio.models import Catalog, Incident
from bot.modal_meta import ModalMeta
from bot.slacktext import escape
from bot.ui.common import severity_option
from bot.ui.escalate import escalate_modal


class Escalate(ChangeVerb[EscalateForm]):
    verb = Verb.ESCALATE
    api_fields = {"message": Field.REASON.value, "to_severity_id": Field.SEVERITY.value}

    def choices(self, catalog: Catalog, meta: ModalMeta) -> Mapping[Field, Sequence[Option]]:
        # A severity incident.io no longer lists ranks nowhere: every listed one is a change.
        current = catalog.severity(meta.severity_id) if meta.severity_id else None
        return {Field.SEVERITY: [severity_option(s) for s in catalog.higher_severities(current)]}

    async def build(self, deps: Deps, incident: Incident, meta: ModalMeta, text: str) -> View:
        higher = self.choices(await deps.catalog.get(), meta)[Field.SEVERITY]
        if not higher:
            current = escape(incident.severity.name) if incident.severity else "its severity"
            raise UserError(
                f"{incident.reference} is already at {current}, the highest severity. "
                "To page someone, use incident.io's escalations."
            )
        return escalate_modal(incident, higher, meta, reason=text or None)

    def parse(self, view: dict[str, Any]) -> EscalateForm:
        return parse_escalate(view["state"]["values"])

    async def write(self, deps: Deps, change: Submitted[EscalateForm]) -> View:
        form = change.form
        return await share_update(
            deps, change, "Escalated", message=form.reason, severity_id=form.severity_id
        )
