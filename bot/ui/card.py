"""The incident card: the shared message in a channel that shows one incident and its buttons.

Pure Block Kit (slack_sdk.models). Every text goes through ui/blocks.py, which cuts it to
Slack's limits; incident.io's and people's text is escaped or converted (slacktext.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement

from bot.attribution import signed_by
from bot.ids import Block as BlockId
from bot.ids import CardAction, card_action
from bot.incidentio.models import Incident, IncidentUpdate
from bot.slacktext import escape, to_mrkdwn, truncate
from bot.ui.blocks import BUTTON_TEXT, SECTION_TEXT, context, cut_mrkdwn, fields_section, section
from bot.ui.common import change_facts, channel_mention, describe_age, incident_title

# The order the buttons show in; a verb not listed here comes after these, before Details.
BUTTON_ORDER = ("update", "escalate", "resolve", "roles", "edit")
LATEST_UPDATE = 600  # characters of the latest update the card shows


@dataclass(frozen=True)
class CardButton:
    """A change verb the card offers a button for: every verb the bot registered."""

    verb: str
    post_incident: bool  # whether the verb still acts on an incident in post-incident


def holder(incident: Incident, role_type: str) -> str | None:
    """Who holds the role: a mention, or a name when incident.io knows no Slack ID; else None."""
    for assignment in incident.incident_role_assignments:
        if assignment.role.role_type == role_type and assignment.assignee is not None:
            person = assignment.assignee
            return f"<@{person.slack_user_id}>" if person.slack_user_id else escape(person.name)
    return None


def _holder(incident: Incident, role_type: str) -> str:
    return holder(incident, role_type) or "_none yet_"


def _age(incident: Incident, now: datetime) -> str:
    # Slack renders `{ago}` when the card is read, so the age stays true between edits; the
    # fallback is the age when the card was written.
    stamp = int(incident.created_at.timestamp())
    return f"<!date^{stamp}^{{ago}}|{describe_age(incident.created_at, now)} ago>"


def _marks(incident: Incident) -> list[str]:
    marks = []
    if incident.mode == "test":
        marks.append(":test_tube: *Test incident*: not a real one")
    if incident.is_private:
        marks.append(":lock: Private: shown only to you")
    if not incident.is_changeable:
        marks.append(
            f":white_check_mark: *{escape(incident.incident_status.name)}*: this incident is over"
        )
    elif incident.is_post_incident:
        marks.append(
            f":clipboard: *{escape(incident.incident_status.name)}*: resolved, follow-ups go on"
        )
    return marks


def latest_line(update: IncidentUpdate) -> str:
    """An incident update as a card and its thread show it: who, what changed, the message."""
    text, signer = signed_by(update.message or "")
    who = signer or (update.updater.user.name if update.updater.user else "incident.io")
    line = f"{escape(who)} · {change_facts(update)}"
    if not text.strip():
        return line
    return f"{line}\n{to_mrkdwn(truncate(text.strip(), LATEST_UPDATE))}"


def thread_note(update: IncidentUpdate) -> str:
    """The thread reply under each card for an update the bot shared."""
    return cut_mrkdwn(f":speech_balloon: {latest_line(update)}", SECTION_TEXT)


def applicable(incident: Incident, buttons: Sequence[CardButton]) -> list[CardButton]:
    """The verbs that still apply: all while open; in post-incident those that act there;
    none once it is over (closed, declined, merged)."""
    if incident.is_open:
        return list(buttons)
    if incident.is_post_incident:
        return [b for b in buttons if b.post_incident]
    return []


def _button(label: str, action_id: str, incident_id: str) -> ButtonElement:
    return ButtonElement(text=truncate(label, BUTTON_TEXT), action_id=action_id, value=incident_id)


def card_buttons(incident: Incident, buttons: Sequence[CardButton]) -> ActionsBlock:
    rank = {verb: index for index, verb in enumerate(BUTTON_ORDER)}
    shown = sorted(applicable(incident, buttons), key=lambda b: rank.get(b.verb, len(rank)))
    elements = [_button(b.verb.capitalize(), card_action(b.verb), incident.id) for b in shown]
    # At most 25 elements in an actions block; Details always stays.
    elements = elements[:24]
    elements.append(_button("Details", CardAction.DETAILS.value, incident.id))
    return ActionsBlock(block_id=BlockId.CARD_ACTIONS.value, elements=elements)


def incident_card(
    incident: Incident,
    latest: IncidentUpdate | None,
    buttons: Sequence[CardButton],
    *,
    now: datetime,
) -> list[Block]:
    """The card's blocks: title, marks, facts, the latest update, the buttons that apply."""
    severity = escape(incident.severity.name) if incident.severity else "_none_"
    facts = [
        f"*Severity*\n{severity}",
        f"*Status*\n{escape(incident.incident_status.name)}",
        f"*Type*\n{escape(incident.incident_type.name) if incident.incident_type else '_none_'}",
        f"*Lead*\n{_holder(incident, 'lead')}",
        f"*Reporter*\n{_holder(incident, 'reporter')}",
        f"*Opened*\n{_age(incident, now)}",
    ]
    channel = channel_mention(incident)
    if channel:
        facts.append(f"*Channel*\n{channel}")
    blocks: list[Block] = [section(f":rotating_light: {incident_title(incident)}")]
    marks = _marks(incident)
    if marks:
        blocks.append(context(*marks))
    blocks.append(fields_section(facts))
    said = latest_line(latest) if latest else "_No updates yet._"
    blocks.append(section(f"*Latest update*\n{said}"))
    blocks.append(card_buttons(incident, buttons))
    return blocks


def card_text(incident: Incident) -> str:
    """The card's notification text (and what clients without blocks show): mrkdwn."""
    test = " (test)" if incident.mode == "test" else ""
    status = escape(incident.incident_status.name)
    return cut_mrkdwn(f"{incident.reference}{test}: {escape(incident.name)} ({status})", 300)


@dataclass(frozen=True)
class PostedCards:
    """Where a new incident's cards went, for the declare confirmation."""

    link: str | None = None  # the first card's permalink
    channels: tuple[str, ...] = ()  # where a card was posted
    failed: tuple[str, ...] = ()  # where it could not be posted (or recorded)
    private: bool = False  # shown to the declarer alone
    pending: bool = False  # still being posted when the confirmation was written


def posted_line(posted: PostedCards) -> str:
    """What the declare confirmation says of the incident's card."""
    where = ", ".join(f"<#{c}>" for c in posted.channels)
    if posted.pending:
        return "Its card is being posted in the channel."
    if posted.private:
        shown = "Its card is shown to you alone" if posted.channels else "It has no card"
        return f"{shown}: a private incident gets no card in a channel."
    lines = []
    if posted.link:
        lines.append(f"<{posted.link}|See its card> in {where}.")
    elif where:
        lines.append(f"Its card is in {where}.")
    if posted.failed:
        missed = ", ".join(f"<#{c}>" for c in posted.failed)
        lines.append(f":warning: Its card could not be posted (or kept track of) in {missed}.")
    return "\n".join(lines)
