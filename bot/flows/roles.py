"""Roles: `/incident roles [ref]` (and the card's Roles button) opens a person picker per role;
submit assigns the roles that changed, through incident.io's edit action."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any, ClassVar

from slack_sdk.models.views import View

from bot.command import Verb
from bot.deps import Deps
from bot.failures import UserError
from bot.flows.verbs import ChangeVerb, Submitted
from bot.incidentio.errors import ValidationError
from bot.incidentio.models import Catalog, Incident, IncidentRole
from bot.modal_meta import ModalMeta
from bot.people_forms import RolesForm, parse_roles
from bot.slacktext import escape
from bot.ui.common import message_modal, with_request_id
from bot.ui.roles import REPORTER, holders, person, roles_modal, roles_result

ASSIGNMENTS = "incident_role_assignments"


def assignable(catalog: Catalog) -> list[IncidentRole]:
    """The roles the bot may assign, lead first. The reporter is left out: incident.io assigns
    it only when an incident is declared (API-NOTES §4). A role type incident.io adds later is
    assumed to be assignable like a custom role."""
    roles = [r for r in catalog.roles if r.role_type != REPORTER]
    return sorted(roles, key=lambda r: r.role_type != "lead")


async def _names(deps: Deps, user_ids: list[str], labels: Mapping[str, str]) -> str:
    """The people, by the names Slack knows them by (escaped), for a message."""
    found = await deps.directory.users(user_ids, within=1.0)
    return ", ".join(f"*{escape(found.get(u) or labels.get(u) or u)}*" for u in user_ids)


async def assign(
    deps: Deps, incident_id: str, changes: Mapping[str, str | None], labels: Mapping[str, str]
) -> Incident:
    """Give each role (id) to the Slack user named (None: to nobody), telling the incident's
    channel. Someone incident.io does not know is refused by name before anything is written.
    `labels` are names Slack sent with the IDs, used when its directory does not answer."""
    people = sorted({u for u in changes.values() if u})
    found = await asyncio.gather(*(deps.incidents.find_user_by_slack_id(u) for u in people))
    unknown = [u for u, user in zip(people, found, strict=True) if user is None]
    if unknown:
        raise UserError(
            f"incident.io does not know {await _names(deps, unknown, labels)}: no incident.io "
            "user is linked to that Slack account, so it cannot hold a role. Choose someone "
            "else, or ask an incident.io admin to add them."
        )
    try:
        edited = await deps.incidents.edit_incident(
            incident_id, role_assignments=list(changes.items()), notify_incident_channel=True
        )
    except ValidationError as error:
        refused = error.field_messages().get(ASSIGNMENTS)
        if refused is None:
            raise
        names = await _names(deps, people, labels) if people else "nobody"
        message = f"incident.io would not assign {names}: {escape(refused)}"
        raise UserError(with_request_id(message, error.request_id)) from error
    deps.open_incidents.record(edited)
    return edited


def outcome(edited: Incident, changes: Mapping[str, str | None]) -> str:
    """The roles as incident.io now lists them, and any it did not change as asked."""
    held = holders(edited)
    names = {a.role.id: a.role.name for a in edited.incident_role_assignments}
    changed: dict[str, str] = {}
    kept: list[str] = []
    for role_id, wanted in changes.items():
        user = held.get(role_id)
        name = names.get(role_id, role_id)
        if (user.slack_user_id if user else None) != wanted:
            kept.append(f"incident.io still lists {person(user)} as {escape(name)}.")
        else:
            changed[name] = person(user) + (f" ({escape(user.name)})" if user else "")
    return roles_result(edited.reference, changed, kept)


class Roles(ChangeVerb[RolesForm]):
    verb = Verb.ROLES
    post_incident = True  # who owns the follow-ups still matters
    api_fields: ClassVar[
        Mapping[str, str]
    ] = {}  # a refusal names the people (`assign`), not one input

    async def build(self, deps: Deps, incident: Incident, meta: ModalMeta, text: str) -> View:
        roles = assignable(await deps.catalog.get())
        if not roles:
            raise UserError("incident.io lists no roles the bot can assign.")
        return roles_modal(incident, roles, meta)

    def parse(self, view: dict[str, Any]) -> RolesForm:
        return parse_roles(view.get("blocks") or [], view["state"]["values"])

    async def write(self, deps: Deps, change: Submitted[RolesForm]) -> View:
        assert change.meta.incident_id is not None
        edited = await assign(deps, change.meta.incident_id, change.form.changes, {})
        return message_modal("Roles changed", outcome(edited, change.form.changes))
