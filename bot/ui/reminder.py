"""The update reminder threaded under an incident's card, and the note a snooze leaves.

Pure Block Kit (slack_sdk.models); incident.io's text is escaped (slacktext.py).
"""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement

from bot.ids import Block as BlockId
from bot.ids import ReminderAction
from bot.incidentio.models import Incident
from bot.slacktext import escape
from bot.ui.blocks import cut_mrkdwn, section
from bot.ui.card import holder
from bot.ui.common import describe_age, incident_title


def reminder_text(incident: Incident, since: datetime, now: datetime) -> str:
    """One line (mrkdwn): whom it is for, which incident, how long it has been quiet."""
    quiet = describe_age(since, now)
    lead = holder(incident, "lead")
    ask = (
        f"{lead}, time to post an update?"
        if lead
        else "It has no lead yet: `/incident lead @person` names one."
    )
    return cut_mrkdwn(
        f":alarm_clock: {incident_title(incident)} has had no update for {quiet}. {ask}", 3000
    )


def reminder(incident: Incident, since: datetime, now: datetime) -> list[Block]:
    """The reminder, with Post update (the update modal) and the two snoozes."""
    buttons = [
        ButtonElement(
            text="Post update",
            action_id=ReminderAction.POST_UPDATE.value,
            value=incident.id,
            style="primary",
        ),
        ButtonElement(
            text="Snooze 30 min", action_id=ReminderAction.SNOOZE_30.value, value=incident.id
        ),
        ButtonElement(
            text="Snooze 2 h", action_id=ReminderAction.SNOOZE_120.value, value=incident.id
        ),
    ]
    return [
        section(reminder_text(incident, since, now)),
        ActionsBlock(block_id=BlockId.REMINDER_ACTIONS.value, elements=buttons),
    ]


def snoozed_text(user_id: str, reference: str, minutes: int) -> str:
    length = f"{minutes} min" if minutes < 60 else f"{minutes / 60:g} h"
    return f":zzz: <@{user_id}> snoozed the update reminders of *{escape(reference)}* for {length}."
