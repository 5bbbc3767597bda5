"""The incident card's buttons: each change verb's opens that verb's modal for the card's incident,
through the same spec and policy as `/incident <verb> <ref>`; Details shows `/incident show`.

Every registered ChangeVerb gets its button: the card shows one per verb in `deps.card_buttons`,
and `register` listens for each (ids.card_action).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from bot.deps import Deps
from bot.flows.browse import details
from bot.flows.verbs import ChangeVerb, open_for_incident
from bot.ids import CardAction, card_action
from bot.lookup import current_incident
from bot.modal_meta import ModalMeta
from bot.observability.interaction import tracked
from bot.surface import surface_of
from bot.ui.card import CardButton
from bot.ui.common import sandbox_banner
from bot.workspace import part, workspace


def _meta(deps: Deps, body: dict[str, Any], verb: str | None = None) -> ModalMeta:
    """The click as a modal's metadata: who, where (the card's channel), which incident."""
    where = workspace(body)
    actions = body.get("actions") or [{}]
    return ModalMeta(
        team_id=where.team_id,
        enterprise_id=where.enterprise_id,
        user_id=str(part(body, "user").get("id") or ""),
        channel_id=str(part(body, "channel").get("id") or "") or None,
        incident_id=str(actions[0].get("value") or "") or None,
        opened_at=deps.wall_clock(),
        verb=verb,
    )


def _verb_button(app: AsyncApp, deps: Deps, spec: ChangeVerb[Any]) -> None:
    @app.action(card_action(spec.verb.value))
    @tracked
    async def open_from_card(
        ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        await ack()
        meta = _meta(deps, body, spec.verb.value)
        who = deps.guard.identify(body, context)
        trigger_id = str(body.get("trigger_id", ""))
        await open_for_incident(spec, deps, surface_of(context), trigger_id, meta, who)


def register(app: AsyncApp, deps: Deps, specs: Iterable[ChangeVerb[Any]]) -> None:
    """A card button for each verb, and Details."""
    specs = list(specs)
    deps.card_buttons = tuple(CardButton(s.verb.value, s.post_incident) for s in specs)
    for spec in specs:
        _verb_button(app, deps, spec)

    @app.action(CardAction.DETAILS.value)
    @tracked
    async def show_details(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        # A button's ack carries no reply: the answer follows as an ephemeral message, and a
        # failure (an incident this person may not see) goes to the app's error handler.
        await ack()
        meta, surface = _meta(deps, body), surface_of(context)
        viewer = deps.guard.viewer(await deps.guard.identify(body, context))
        incident = await current_incident(deps, meta.incident_id or "", meta.channel_id, viewer)
        answer = await details(deps, incident)
        blocks = [sandbox_banner(), *answer.blocks] if surface.sandbox else answer.blocks
        await surface.ephemeral(answer.text, blocks)
