"""Declare: `/incident declare [name]`, both "Declare incident" shortcuts, and the modal's submit."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Mapping, Sequence
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.models.blocks import Option
from slack_sdk.web.async_client import AsyncWebClient

from bot import keys
from bot.audit import note_incident
from bot.custom_fields import ApiFields, CustomInputs, relabel, with_custom_fields
from bot.deps import Deps
from bot.flows.cards import post_within
from bot.flows.context import CommandContext
from bot.flows.guarded import guarded
from bot.flows.overflow import carry_overflow, with_overflow
from bot.flows.runner import answer_submission, open_modal
from bot.forms import MAX_NAME, MAX_SUMMARY, DeclareForm, FormError, parse_declare
from bot.identity import Identity
from bot.ids import Field, Modal
from bot.incidentio.errors import ValidationError
from bot.incidentio.models import Catalog
from bot.modal_meta import ModalMeta, submission
from bot.observability.interaction import set_reference, tracked
from bot.rules import Action
from bot.surface import Surface, surface_of
from bot.ui.blocks import field_errors
from bot.ui.declare import declare_choices, declare_modal, declared_view

# incident.io's 422 `source.field` -> the input that shows the message.
API_FIELDS = ApiFields(
    {
        "name": Field.NAME.value,
        "summary": Field.SUMMARY.value,
        "severity_id": Field.SEVERITY.value,
        "incident_type_id": Field.INCIDENT_TYPE.value,
        "visibility": Field.VISIBILITY.value,
    }
)


def choices(catalog: Catalog, meta: ModalMeta) -> Mapping[Field, Sequence[Option]]:
    """The form offers the whole catalog, whoever opens it (flows/choices.py asks)."""
    return declare_choices(catalog)


async def open_declare(
    deps: Deps,
    surface: Surface,
    trigger_id: str,
    meta: ModalMeta,
    who: Awaitable[Identity],
    *,
    name: str | None = None,
    summary: str | None = None,
    banner: str | None = None,
) -> None:
    async def load() -> Any:
        await deps.guard.authorize(await who, Action.DECLARE)
        catalog = await deps.catalog.get()
        view = declare_modal(catalog, meta, name=name, summary=summary, banner=banner)
        return with_overflow(view, summary or "", MAX_SUMMARY)

    # A form that cannot open (catalog unreachable, Slack refusing) quotes back what was typed.
    typed = "\n\n".join(t for t in (name, summary) if t)
    await open_modal(
        deps, surface, trigger_id, load, title="Declare incident", where="declare", typed=typed
    )


async def on_command(ctx: CommandContext) -> None:
    await ctx.ack()
    typed = ctx.typed
    if len(typed) <= MAX_NAME:
        await open_declare(
            ctx.deps, ctx.surface, ctx.trigger_id, ctx.meta(), ctx.who(), name=typed or None
        )
        return
    # Too long for a name: nothing is cut silently. The whole text waits in the summary.
    await open_declare(
        ctx.deps,
        ctx.surface,
        ctx.trigger_id,
        ctx.meta(),
        ctx.who(),
        summary=typed,
        banner=f"That is {len(typed):,} characters; a name takes at most {MAX_NAME}. "
        "All of it is in the summary below: give the incident a short name.",
    )


def register(app: AsyncApp, deps: Deps) -> None:
    @app.view(Modal.DECLARE.value)
    @tracked
    async def handle_declare_submission(
        ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        view, meta = submission(body)
        catalog = await deps.catalog.get()
        try:
            form, custom = _parse(view, catalog)
        except FormError as error:
            await ack(response_action="errors", errors=field_errors(error.fields))
            return
        if meta.source_channel and meta.source_ts:
            key = keys.for_message(meta.team_id, meta.source_channel, meta.source_ts)
        else:
            key = keys.for_view(meta.team_id, Modal.DECLARE.value, view["id"])

        client = surface_of(context).client

        async def work() -> Any:
            # Asked again: the person submitting, under the rule as it is now.
            who = await deps.guard.identify(body, context)
            declared = await guarded(
                deps,
                who,
                Action.DECLARE,
                lambda: _relabelled(_declare(deps, client, catalog, form, meta, key), custom),
            )
            return carry_overflow(declared, view)  # what did not fit stays in sight

        await answer_submission(
            deps,
            ack,
            surface_of(context),
            work(),
            restore=lambda message: declare_modal(catalog, meta, form=form, banner=message),
            fields=API_FIELDS,
            where="declare",
            progress="Declaring the incident in incident.io…",
        )


def _parse(view: dict[str, Any], catalog: Catalog) -> tuple[DeclareForm, CustomInputs]:
    """The form and its custom fields; FormError with the problems of both at once."""
    has_types = len(catalog.types) > 1
    parse = functools.partial(parse_declare, view["state"]["values"], has_types=has_types)
    form, custom = with_custom_fields(view, parse)
    kept = {"custom_fields": custom.values, "custom_field_entries": custom.entries()}
    return form.model_copy(update=kept), custom


async def _relabelled(work: Awaitable[Any], custom: CustomInputs) -> Any:
    """`work`, with a 422 about a custom field shown under that field's input."""
    try:
        return await work
    except ValidationError as error:
        sent = [block for field, block in custom.blocks.items() if custom.values[field]]
        raise relabel(error, sent) from None


async def _declare(
    deps: Deps,
    client: AsyncWebClient,
    catalog: Catalog,
    form: DeclareForm,
    meta: ModalMeta,
    key: str,
) -> Any:
    reporter = catalog.role_of_type("reporter")
    incident = await deps.incidents.create_incident(
        idempotency_key=key,
        name=form.name,
        summary=form.summary,
        severity_id=form.severity_id,
        incident_type_id=form.incident_type_id,
        visibility=form.visibility,
        mode="test" if form.test_mode else "standard",
        role_assignments=[(reporter.id, meta.user_id)] if reporter else (),
        # An Enterprise Grid organisation has several workspaces: name the one declared in.
        slack_team_id=meta.team_id if meta.enterprise_id else None,
        custom_field_entries=form.custom_field_entries,
    )
    deps.open_incidents.record(incident)
    set_reference(incident.reference)
    note_incident(incident.reference)
    # One incident per source message: the API answers a repeat key with the first incident.
    # It shows as a name other than the one typed, or a creation before this modal opened (with
    # a second of tolerance for clock skew between us and incident.io).
    already = bool(meta.source_ts) and (
        incident.name != form.name
        or (meta.opened_at is not None and incident.created_at.timestamp() < meta.opened_at - 1)
    )
    # Its card, where it was declared (once: a repeat declare from the same message has one).
    posted = (
        None
        if already
        else await post_within(deps, client, incident, meta.channel_id, meta.user_id)
    )
    return declared_view(incident, already=already, reporter=reporter is not None, posted=posted)
