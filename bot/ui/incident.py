"""Read-only incident views: the list of open and post-incident incidents, and one incident's card."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from slack_sdk.models.blocks import ActionsBlock, Block, DividerBlock

from bot.attribution import signed_by
from bot.incidentio.models import Incident, IncidentUpdate
from bot.slacktext import escape, to_mrkdwn, truncate
from bot.ui.blocks import context, fields_section, header, section
from bot.ui.common import (
    change_facts,
    channel_mention,
    incident_facts,
    incident_line,
    incident_links,
    incident_title,
)

# A message holds at most 50 blocks; a list longer than this says how many it left out.
MAX_LISTED = 20


def list_text(incidents: Sequence[Incident]) -> str:
    """Open incidents, and those in post-incident (resolved, not closed: their follow-ups go on)."""
    if not incidents:
        return "No open incidents. :white_check_mark:"
    learning = sum(1 for i in incidents if i.is_post_incident)
    live = len(incidents) - learning
    text = f"{live} open incident{'s' if live != 1 else ''}" if live else "No open incidents"
    return f"{text} · {learning} in post-incident" if learning else text


def list_blocks(incidents: Sequence[Incident], now: datetime) -> list[Block]:
    """The open incidents first, then the post-incident ones, each marked so."""
    if not incidents:
        return [section(list_text(incidents))]
    blocks: list[Block] = [header(list_text(incidents))]
    ordered = sorted(incidents, key=lambda i: i.is_post_incident)
    for incident in ordered[:MAX_LISTED]:
        title, _, facts = incident_line(incident, now=now).partition("\n")
        mark = "_Post-incident_ · " if incident.is_post_incident else ""
        blocks.append(section(f"{title}\n{mark}{facts}"))
    if len(incidents) > MAX_LISTED:
        rest = len(incidents) - MAX_LISTED
        blocks.append(context(f"…and {rest} more; see all in incident.io."))
    return blocks


def _roles(incident: Incident) -> str | None:
    parts = []
    for assignment in incident.incident_role_assignments:
        if assignment.assignee is not None:
            who = (
                f"<@{assignment.assignee.slack_user_id}>"
                if assignment.assignee.slack_user_id
                else escape(assignment.assignee.name)
            )
            parts.append(f"{escape(assignment.role.name)}: {who}")
    return ", ".join(parts) or None


def _update_line(update: IncidentUpdate) -> str:
    when = update.created_at.strftime("%Y-%m-%d %H:%M UTC")
    text, signer = signed_by(update.message or "")
    # The bot writes with an API key: its signature names the person who shared the update.
    who = signer or (update.updater.user.name if update.updater.user else "incident.io")
    line = f"*{when}* · {escape(who)} · {change_facts(update)}"
    return f"{line}\n{to_mrkdwn(truncate(text, 500))}" if text.strip() else line


def card_blocks(incident: Incident, updates: Sequence[IncidentUpdate]) -> list[Block]:
    fields = [f"*Severity · status · type*\n{incident_facts(incident)}"]
    fields.append(f"*Opened*\n{incident.created_at.strftime('%Y-%m-%d %H:%M UTC')}")
    roles = _roles(incident)
    if roles:
        fields.append(f"*Roles*\n{roles}")
    channel = channel_mention(incident)
    if channel:
        fields.append(f"*Channel*\n{channel}")
    blocks: list[Block] = [
        section(incident_title(incident)),
        # Cut after converting (section does): "<" becomes "&lt;", so converted text grows.
        section(to_mrkdwn(incident.summary) if incident.summary else "_No summary yet._"),
        fields_section(fields),
    ]
    links = incident_links(incident)
    if links:
        blocks.append(ActionsBlock(elements=links))
    if updates:
        blocks.append(DividerBlock())
        blocks.append(section("*Latest updates*"))
        blocks.extend(section(_update_line(u)) for u in updates)
    return blocks


def ignored_note(ignored: str) -> Block:
    """What `show` was given beyond the incident, and left out."""
    shown = escape(truncate(ignored, 200))
    return context(f"(I left out `{shown}`: `show` takes one incident.)")
