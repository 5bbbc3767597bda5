"""The incident picker every change verb shares: the options it offers as the person types, and
its "Next", which turns it into the verb's own modal, with the text the command carried."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from bot.deps import Deps
from bot.failures import UserError, log_failure
from bot.flows.overflow import carry_overflow, with_overflow
from bot.flows.verbs import ChangeVerb, admit, incident_meta
from bot.forms import FormError, parse_incident_choice, text_value
from bot.ids import Field, Modal
from bot.incidentio.models import Incident
from bot.lookup import find_by_id, visible_to
from bot.modal_meta import ModalMeta, submission
from bot.observability.interaction import tracked
from bot.surface import surface_of
from bot.ui.blocks import MAX_OPTIONS, field_errors
from bot.ui.common import incident_option


def _matches(incident: Incident, query: str) -> bool:
    query = query.strip().lower()
    return not query or query in incident.reference.lower() or query in incident.name.lower()


def _lists_post_incident(body: dict[str, Any], by_verb: Mapping[str, ChangeVerb[Any]]) -> bool:
    """Whether the picker asking for options may offer post-incident incidents: for a verb that
    acts on them, and for "Add to incident" (a message, which they take)."""
    view = body.get("view")
    if not isinstance(view, dict):
        return False
    if view.get("callback_id") == Modal.ADD_MESSAGE.value:
        return True
    try:
        meta = ModalMeta.decode(view.get("private_metadata"))
    except FormError:
        return False
    spec = by_verb.get(meta.verb or "")
    return spec is not None and spec.post_incident


def register(app: AsyncApp, deps: Deps, by_verb: Mapping[str, ChangeVerb[Any]]) -> None:
    @app.options(Field.INCIDENT.value)
    @tracked
    async def incident_options(
        ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        # Options are the ack body, so this must answer from the cache within Slack's 3 s.
        query = str(body.get("value", ""))
        who = asyncio.ensure_future(deps.guard.identify(body, context))
        try:
            incidents = await deps.open_incidents.get()
        except Exception as error:  # noqa: BLE001 - an empty list is still an answer
            log_failure(error, "incident options")
            incidents = []
        post_incident = _lists_post_incident(body, by_verb)
        # Private incidents are offered to the people incident.io lists on them only.
        viewer = deps.guard.viewer(await who)
        visible = [
            i
            for i in incidents
            if visible_to(i, None, viewer)
            and (i.is_open or (post_incident and i.is_post_incident))
            and _matches(i, query)
        ]
        await ack(options=[incident_option(i).to_dict() for i in visible[:MAX_OPTIONS]])

    @app.view(Modal.PICK.value)
    @tracked
    async def handle_pick_submission(
        ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        view, meta = submission(body)
        spec = by_verb.get(meta.verb or "")
        try:
            choice = parse_incident_choice(view["state"]["values"])
            if spec is None:
                raise FormError({}, "This form is out of date. Close it and start again.")
            who = await deps.guard.identify(body, context)
            # Those kept out are told so, not that the incident cannot be found.
            await deps.guard.authorize(who, spec.action)
            found = await find_by_id(
                deps, choice.incident_id, meta.channel_id, deps.guard.viewer(who)
            )
            # The rule about the incident's roles, which waited for the pick.
            await deps.guard.authorize(who, spec.action, found)
            incident = admit(spec, found)
            # The text the command carried, as the person left it in the picker.
            text = text_value(view["state"]["values"], Field.MESSAGE) or ""
            built = await spec.build(deps, incident, incident_meta(meta, incident), text)
            next_view = carry_overflow(with_overflow(built, text), view)
        except FormError as error:
            if error.fields:
                await ack(response_action="errors", errors=field_errors(error.fields))
                return
            raise
        except UserError as error:
            text = error.message.replace("*", "")
            await ack(response_action="errors", errors=field_errors({Field.INCIDENT.value: text}))
            return
        await ack(response_action="update", view=surface_of(context).view(next_view))
