"""The roles modal: a person picker per role the bot may assign (lead first), and the answers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from slack_sdk.models.blocks import UserSelectElement
from slack_sdk.models.views import View

from bot.ids import ROLE_INPUT, Modal
from bot.incidentio.models import Incident, IncidentRole, User
from bot.modal_meta import ModalMeta
from bot.slacktext import escape, plain
from bot.ui.blocks import context, input_block, modal
from bot.ui.common import incident_heading

REPORTER = "reporter"


def role_input(role_id: str, holder: str | None) -> str:
    """The picker's block_id and action_id: the role, and who held it when the modal opened."""
    return f"{ROLE_INPUT}:{role_id}:{holder or ''}"


def holders(incident: Incident) -> dict[str, User]:
    """Role id -> who holds it on the incident."""
    return {
        a.role.id: a.assignee for a in incident.incident_role_assignments if a.assignee is not None
    }


def person(user: User | None) -> str:
    """mrkdwn for a role holder: their Slack mention, else their incident.io name, escaped."""
    if user is None:
        return "nobody"
    if user.slack_user_id:
        return f"<@{user.slack_user_id}>"
    return escape(user.name)


def roles_modal(
    incident: Incident,
    roles: Sequence[IncidentRole],
    meta: ModalMeta,
    *,
    banner: str | None = None,
) -> View:
    """`roles` are those the bot may assign, lead first (flows/roles.py). The reporter is shown,
    read-only: incident.io assigns it only when an incident is declared."""
    held = holders(incident)
    blocks = incident_heading(incident, banner)
    for role in roles:
        user = held.get(role.id)
        slack_id = user.slack_user_id if user else None
        hint = plain(role.description)
        if user is not None and not slack_id:
            hint = f"Now {user.name}, whom incident.io links to no Slack account. {hint}"
        element = UserSelectElement(
            action_id=role_input(role.id, slack_id),
            placeholder="Choose a person",
            initial_user=slack_id,
        )
        # The lead can be handed on, never left empty; other roles can be cleared.
        optional = slack_id is None or role.role_type != "lead"
        blocks.append(
            input_block(
                role_input(role.id, slack_id), role.name, element, optional=optional, hint=hint
            )
        )
    reporters = [a for a in incident.incident_role_assignments if a.role.role_type == REPORTER]
    for assignment in reporters:
        blocks.append(
            context(
                f"{escape(assignment.role.name)}: {person(assignment.assignee)}. Set when the "
                "incident was declared; incident.io does not let it change."
            )
        )
    return modal(
        Modal.ROLES, f"Roles of {incident.reference}", blocks, submit="Save", meta=meta.encode()
    )


def roles_result(reference: str, changed: Mapping[str, str], kept: Sequence[str]) -> str:
    """What the write did: role name -> its holder now (mrkdwn), and what incident.io kept."""
    lines = [f":white_check_mark: Roles of *{escape(reference)}* changed:"]
    lines += [f"• {escape(name)}: {holder}" for name, holder in changed.items()]
    lines += [f":warning: {line}" for line in kept]
    return "\n".join(lines)
