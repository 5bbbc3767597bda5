"""Message shortcuts "Declare incident" and "Add to incident", and the global "Declare incident"."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot import keys
from bot.attribution import sign
from bot.deps import Deps
from bot.flows.cards import after_change, permalink, telling
from bot.flows.context import submitter_name
from bot.flows.declare import open_declare
from bot.flows.guarded import guarded
from bot.flows.overflow import with_overflow
from bot.flows.runner import answer_submission, open_modal
from bot.forms import MAX_MESSAGE, MAX_SUMMARY, FormError, parse_incident_choice
from bot.ids import Field, Modal, Shortcut
from bot.incidentio.models import Incident, IncidentUpdate
from bot.lookup import channel_incident, find_by_id, require_open, visible_to
from bot.modal_meta import ModalMeta, submission
from bot.observability.interaction import tracked
from bot.policy import Refused
from bot.rules import Action
from bot.slacktext import Names, from_slack, mentions, message_text, truncate
from bot.surface import surface_of
from bot.ui.blocks import field_errors
from bot.ui.card import thread_note
from bot.ui.common import update_result
from bot.ui.declare import declare_modal, declared_view
from bot.ui.shortcuts import add_message_modal, already_added_view
from bot.workspace import part, workspace

log = logging.getLogger("bot.flows.shortcuts")
NAMES_BUDGET = 0.5
# How far back "Add to incident" looks for the same message already shared.
RECENT_UPDATES = 50


def _message_meta(deps: Deps, body: dict[str, Any]) -> ModalMeta:
    """The message a shortcut was used on, its content still as Slack sends it."""
    where = workspace(body)
    message, channel, user = part(body, "message"), part(body, "channel"), part(body, "user")
    bot = part(message, "bot_profile")
    author = message.get("user")
    return ModalMeta(
        team_id=where.team_id,
        enterprise_id=where.enterprise_id,
        user_id=str(user.get("id") or ""),
        channel_id=str(channel.get("id") or "") or None,
        source_channel=str(channel.get("id") or "") or None,
        source_ts=str(body.get("message_ts") or message.get("ts") or "") or None,
        source_author=author if isinstance(author, str) and author else None,
        # Alerting bots post with no user: their name is all there is.
        source_author_name=str(message.get("username") or bot.get("name") or "") or None,
        # Alerting bots leave `text` empty and put the alert in attachments or blocks.
        source_text=message_text(message) or None,
        opened_at=deps.wall_clock(),
    )


async def _decoded(deps: Deps, meta: ModalMeta) -> ModalMeta:
    """The message as incident.io Markdown, and its author by name, as far as Slack says in time."""
    raw = meta.source_text or ""
    wanted = [*mentions(raw).users, *([meta.source_author] if meta.source_author else [])]
    names = await deps.directory.users(wanted, within=NAMES_BUDGET) if wanted else {}
    author = names.get(meta.source_author or "") or meta.source_author_name
    return meta.model_copy(
        update={"source_text": from_slack(raw, Names(users=names)), "source_author_name": author}
    )


def _declared_from(
    incidents: Sequence[Incident], permalink: str | None, meta: ModalMeta, viewer: str | None
) -> Incident | None:
    """The incident declared from this message, if one is open: its summary ends with the
    message's link, as every declare from a message writes it (with_source)."""
    if not permalink:
        return None
    return next(
        (
            i
            for i in incidents
            if i.summary
            and f"From Slack: {permalink}" in i.summary
            and visible_to(i, meta.channel_id, viewer)
        ),
        None,
    )


async def _shared_before(
    deps: Deps, incident_id: str, permalink: str | None
) -> IncidentUpdate | None:
    """The update that already shared this message on the incident, among its recent ones: each
    one this shortcut writes carries the message's link (with_source)."""
    if not permalink:
        return None
    async for update in deps.incidents.list_incident_updates(incident_id, limit=RECENT_UPDATES):
        if f"From Slack: {permalink}" in (update.message or ""):
            return update
    return None


def _source(link: str | None) -> str:
    """Where a message came from, as every text written from it ends: how it is found again."""
    return f"\n\nFrom Slack: {link}" if link else ""


def _quote(meta: ModalMeta) -> tuple[str, bool]:
    """The update "Add to incident" writes, and whether it holds less than the whole message."""
    fitted = ModalMeta.decode(meta.encode())  # what the form's metadata carries to the submit
    text = fitted.source_text or "(a message with no text)"
    author = f"@{meta.source_author_name}" if meta.source_author_name else "someone"
    quoted = "\n".join(f"> {line}" for line in text.splitlines()) or "> "
    byline = f"\n(posted by {author})"
    source = _source(meta.source_permalink)
    # The text is cut (marked), never the link; room for the signature the update gets too.
    room = MAX_MESSAGE - len(byline) - 200 - len(source)
    cut = fitted.source_text != meta.source_text or len(quoted) > room
    return truncate(quoted, room) + source + byline, cut


def _message_shortcut(
    app: AsyncApp,
    deps: Deps,
    shortcut: Shortcut,
    title: str,
    action: Action,
    build: Callable[[ModalMeta, Awaitable[str | None], str | None], Awaitable[View]],
) -> None:
    """A message shortcut's modal, if the policy lets the person `action`: `build` gets the
    message, its permalink as it arrives, and who may see private incidents (the viewer)."""

    @app.shortcut(shortcut.value)
    @tracked
    async def open_for_message(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        await ack()
        meta = _message_meta(deps, body)

        async def load() -> View:
            link = asyncio.ensure_future(
                permalink(client, meta.source_channel or "", meta.source_ts or "")
            )
            try:
                who = await deps.guard.identify(body, context)
                await deps.guard.authorize(who, action)
            except Refused:
                link.cancel()
                raise
            return await build(await _decoded(deps, meta), link, deps.guard.viewer(who))

        trigger_id = str(body.get("trigger_id", ""))
        await open_modal(deps, surface_of(context), trigger_id, load, title=title, where=title)


def register(app: AsyncApp, deps: Deps) -> None:
    @app.shortcut(Shortcut.DECLARE_GLOBAL.value)
    @tracked
    async def open_declare_global(
        ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        await ack()
        where = workspace(body)
        user = part(body, "user")
        meta = ModalMeta(
            team_id=where.team_id,
            enterprise_id=where.enterprise_id,
            user_id=str(user.get("id") or ""),
            opened_at=deps.wall_clock(),
        )
        who = deps.guard.identify(body, context)
        await open_declare(deps, surface_of(context), str(body.get("trigger_id", "")), meta, who)

    async def declare_form(
        meta: ModalMeta, link: Awaitable[str | None], viewer: str | None
    ) -> View:
        catalog, url, incidents = await asyncio.gather(
            deps.catalog.get(), link, deps.open_incidents.get()
        )
        earlier = _declared_from(incidents, url, meta, viewer)
        if earlier is not None:
            # Said at once, before any form: this message already has its incident.
            return declared_view(earlier, already=True, reporter=False)
        full = meta.model_copy(update={"source_permalink": url, "source_text": None})
        text, source = meta.source_text or "", _source(url)
        room = MAX_SUMMARY - len(source)
        # The text lives in the summary input, ending with the link; what does not fit is shown
        # beside the form. The metadata stays small.
        view = declare_modal(catalog, full, summary=text[:room] + source)
        return with_overflow(view, text, room)

    async def add_form(meta: ModalMeta, link: Awaitable[str | None], viewer: str | None) -> View:
        here, url = await asyncio.gather(channel_incident(deps, meta.channel_id, viewer), link)
        full = meta.model_copy(update={"source_permalink": url})
        _, cut = _quote(full)
        whole = len(meta.source_text or "") if cut else None
        return add_message_modal(full, here, cut_from=whole)

    _message_shortcut(
        app, deps, Shortcut.DECLARE_FROM_MESSAGE, "Declare incident", Action.DECLARE, declare_form
    )
    # A message shared on an incident is an update to it (POLICY_UPDATE).
    _message_shortcut(
        app, deps, Shortcut.ADD_TO_INCIDENT, "Add to incident", Action.UPDATE, add_form
    )

    @app.view(Modal.ADD_MESSAGE.value)
    @tracked
    async def handle_add_message_submission(
        ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        view, meta = submission(body)
        try:
            choice = parse_incident_choice(view["state"]["values"])
        except FormError as error:
            await ack(response_action="errors", errors=field_errors(error.fields))
            return
        name = submitter_name(body)

        async def work() -> View:
            who = await deps.guard.identify(body, context)
            # Those kept out are told so, not that the incident cannot be found.
            await deps.guard.authorize(who, Action.UPDATE)
            viewer = deps.guard.viewer(who)
            found = await find_by_id(deps, choice.incident_id, meta.channel_id, viewer)
            # A message, which a post-incident incident takes too.
            incident = require_open(found, post_incident=True)
            return await guarded(deps, who, Action.UPDATE, lambda: add(incident), incident=incident)

        async def add(incident: Incident) -> View:
            earlier = await _shared_before(deps, incident.id, meta.source_permalink)
            if earlier is not None:
                return already_added_view(incident.reference, earlier)
            message = sign(_quote(meta)[0], name, meta.user_id)
            update = await deps.incidents.create_incident_update(
                incident_id=incident.id,
                idempotency_key=keys.for_message_update(
                    meta.team_id, incident.id, meta.source_channel or "", meta.source_ts or ""
                ),
                message=message,
            )
            # A repeat returns the first update (same key): it predates this form.
            if meta.opened_at is not None and update.created_at.timestamp() < meta.opened_at - 1:
                return already_added_view(incident.reference, update)
            tell = telling(surface_of(context), meta.channel_id, meta.user_id)
            after_change(deps, incident.id, thread_note(update), tell=tell)
            return update_result(incident.reference, update, "Added to incident")

        await answer_submission(
            deps,
            ack,
            surface_of(context),
            work(),
            restore=lambda message: add_message_modal(meta, None, banner=message),
            fields={"incident_id": Field.INCIDENT.value},
            where="add to incident",
        )
