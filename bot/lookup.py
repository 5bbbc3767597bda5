"""Find the incident a person means: a typed reference, or the incident whose channel they are in."""

from __future__ import annotations

from bot.deps import Deps
from bot.failures import UserError
from bot.incidentio.errors import NotFoundError
from bot.incidentio.models import Incident
from bot.observability.interaction import set_reference
from bot.refs import IncidentRef
from bot.slacktext import escape


async def channel_incident(
    deps: Deps, channel_id: str | None, viewer: str | None
) -> Incident | None:
    """The open incident whose Slack channel this is, from the open-incidents cache, if the
    person `viewer` may see it (visible_to)."""
    if not channel_id:
        return None
    incidents = await deps.open_incidents.get()
    found = next((i for i in incidents if i.slack_channel_id == channel_id), None)
    if found is not None and not visible_to(found, channel_id, viewer):
        found = None
    set_reference(found.reference if found else None)
    return found


def visible_to(incident: Incident, channel_id: str | None, viewer: str | None) -> bool:
    """A private incident shows to the people incident.io lists on it (its role holders, the
    reporter among them) and, in its own channel, to everyone there; to no one else.

    `viewer` is the person's Slack user ID, or None for people the policy shows nothing of
    private incidents (guests, other organisations and bots, unless configured otherwise:
    Guard.viewer), even in the incident's own channel.
    """
    if not incident.is_private:
        return True
    if viewer is None:
        return False
    return incident.slack_channel_id == channel_id or incident.involves(viewer)


async def find_incident(
    deps: Deps, ref: IncidentRef, channel_id: str | None, viewer: str | None
) -> Incident:
    """Resolve a typed reference, for the person `viewer` in `channel_id` (visible_to)."""
    incident = next((i for i in await deps.open_incidents.get() if ref.matches(i)), None)
    if incident is None:
        # Maybe declared outside the bot since the list was read. A burst of commands for it
        # shares one reload of the list instead of each fetching the incident.
        fresher = await deps.open_incidents.reread(older_than=deps.reread_after)
        incident = next((i for i in fresher or () if ref.matches(i)), None)
    if incident is None:
        try:
            incident = await deps.fetches.run(
                ref.api_id, lambda: deps.incidents.get_incident(ref.api_id)
            )
        except NotFoundError:
            raise UserError(f"I can't find incident `{escape(ref.label)}`.") from None
        # Declared outside the bot since the list was read: remember it for the next command.
        deps.open_incidents.record(incident, after_write=False)
    if not visible_to(incident, channel_id, viewer):
        # Say the same as for a missing incident: its existence is not ours to reveal.
        raise UserError(f"I can't find incident `{escape(ref.label)}`.")
    set_reference(incident.reference)
    return incident


async def find_by_id(
    deps: Deps, incident_id: str, channel_id: str | None, viewer: str | None
) -> Incident:
    """Resolve an ID chosen in a picker (the picker only offers incidents the person may see)."""
    return await find_incident(deps, IncidentRef("id", incident_id), channel_id, viewer)


async def current_incident(
    deps: Deps, incident_id: str, channel_id: str | None, viewer: str | None
) -> Incident:
    """The incident as incident.io has it now (a card's button acts on its current state, not on
    what the card or the cache last saw), for the person `viewer` in `channel_id`."""
    try:
        incident = await deps.fetches.run(
            incident_id, lambda: deps.incidents.get_incident(incident_id)
        )
    except NotFoundError:
        raise UserError("I can't find that incident.") from None
    if not visible_to(incident, channel_id, viewer):
        raise UserError("I can't find that incident.")
    deps.open_incidents.record(incident, after_write=False)
    set_reference(incident.reference)
    return incident


def require_open(
    incident: Incident, verb: str | None = None, *, post_incident: bool = False
) -> Incident:
    """The incident, if `verb` may act on it: open (triage, live, paused), or in post-incident
    where the verb allows that (a message, closing). Else a UserError that says why."""
    if incident.is_open or (post_incident and incident.is_post_incident):
        return incident
    ref, status = incident.reference, escape(incident.incident_status.name)
    if incident.is_post_incident:
        doing = f"`/incident {verb}`" if verb else "this"
        raise UserError(
            f"{ref} is in post-incident ({status}), so {doing} no longer applies to it. "
            f"Share a note with `/incident update {ref} …`, or close it with "
            f"`/incident resolve {ref}`."
        )
    raise UserError(f"{ref} is already {status}; only open incidents can be changed here.")
