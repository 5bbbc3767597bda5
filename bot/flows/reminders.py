"""An update reminder's buttons. Post update is the card's Update button (same action ID, same
listener in flows/buttons.py: the update modal, its policy). Snooze 30 min and Snooze 2 h put the
incident's next reminder off, under the `update` policy (whoever may post an update may say one
is not due yet), and say in the reminder's thread who snoozed it.

The reminders themselves are posted by the loop in bot/reminders/.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from bot.deps import Deps
from bot.failures import UserError
from bot.ids import SNOOZE_MINUTES, ReminderAction
from bot.lookup import current_incident
from bot.observability.interaction import tracked
from bot.rules import Action
from bot.slacktext import escape
from bot.store_api import StoreError
from bot.surface import surface_of
from bot.ui.reminder import snoozed_text
from bot.workspace import part

log = logging.getLogger("bot.reminders")
NOT_SNOOZED = (
    "The reminders could not be snoozed just now (the bot's store is unavailable). Try again."
)


def _snooze_button(app: AsyncApp, deps: Deps, action: ReminderAction, minutes: int) -> None:
    @app.action(action.value)
    @tracked
    async def snooze(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        await ack()
        incident_id = str((body.get("actions") or [{}])[0].get("value") or "")
        channel_id = str(part(body, "channel").get("id") or "") or None
        message = part(body, "message")
        thread_ts = message.get("thread_ts") or message.get("ts")
        who = await deps.guard.identify(body, context)
        incident = await current_incident(deps, incident_id, channel_id, deps.guard.viewer(who))
        if not incident.is_open:
            status = escape(incident.incident_status.name)
            raise UserError(f"{incident.reference} is {status}: it gets no more update reminders.")
        await deps.guard.authorize(who, Action.UPDATE, incident)
        until = deps.reminders.clock() + timedelta(minutes=minutes)
        try:
            await deps.store.snooze(incident.id, until)
        except StoreError as error:
            log.warning("could not snooze the reminders of %s: %s", incident.reference, error)
            raise UserError(NOT_SNOOZED) from None
        deps.metrics.reminders.labels("snoozed").inc()
        log.info(
            "%s snoozed the reminders of %s for %d min",
            who.user_id,
            incident.reference,
            minutes,
            extra={"incident": incident.reference, "user": who.user_id, "minutes": minutes},
        )
        said = snoozed_text(who.user_id, incident.reference, minutes)
        surface = surface_of(context)
        if channel_id and thread_ts:
            await surface.client.chat_postMessage(
                channel=channel_id, thread_ts=thread_ts, text=said
            )
        else:
            await surface.ephemeral(said)


def register(app: AsyncApp, deps: Deps) -> None:
    """The Snooze buttons' listeners (Post update is the card's Update button's)."""
    for action, minutes in SNOOZE_MINUTES.items():
        _snooze_button(app, deps, action, minutes)
