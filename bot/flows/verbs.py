"""The one mechanism every verb that changes an incident goes through.

A verb (update, escalate, resolve; later edit, roles, page) is a `ChangeVerb`: its modal's
callback, its title, which input shows which API field's error, and three functions (build the
modal for one incident, parse the submitted view, write the change). `register` wires every spec
the same way:

    /incident <verb> [ref] [text]  -> the incident named, or the one whose channel this is, or a
                                      picker modal whose "Next" turns into the verb's modal
    submit                          -> parse (FormError: inline errors), key from the view id,
                                      write, answer inside Slack's 3 s (runner.py)
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.models.blocks import Option
from slack_sdk.models.views import View

from bot import keys
from bot.command import Verb
from bot.deps import Deps
from bot.failures import UserError, log_failure
from bot.flows.context import CommandContext, attribution, submitter_name
from bot.flows.runner import Answer, answer_command, answer_submission, open_modal
from bot.forms import FormError, parse_incident_choice
from bot.ids import Field, Modal
from bot.incidentio.models import Catalog, Incident
from bot.lookup import channel_incident, find_by_id, find_incident, require_open
from bot.modal_meta import ModalMeta, submission
from bot.observability.interaction import set_reference, tracked
from bot.surface import surface_of
from bot.ui.blocks import MAX_OPTIONS, field_errors
from bot.ui.common import incident_option, update_result
from bot.ui.picker import pick_modal
from bot.ui.refill import refill

F = TypeVar("F")


@dataclass(frozen=True)
class Submitted(Generic[F]):
    """A valid submission, ready to write."""

    meta: ModalMeta  # the incident it is for, and who opened the modal where
    form: F
    key: str  # idempotency key from the view id: a second click on Submit is the same write
    user_name: str


class ChangeVerb(ABC, Generic[F]):
    """Everything that differs between two verbs that change one incident."""

    verb: ClassVar[Verb]
    # incident.io's 422 `source.field` -> the input that shows the message.
    api_fields: ClassVar[Mapping[str, str]]
    # Named after the verb: `incident_<verb>_modal`, "<Verb> incident".
    modal: ClassVar[Modal]
    title: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.modal = Modal(f"incident_{cls.verb.value}_modal")
        cls.title = f"{cls.verb.value.capitalize()} incident"

    @abstractmethod
    async def build(self, deps: Deps, incident: Incident, meta: ModalMeta, text: str) -> View:
        """The verb's modal for one open incident, prefilled with the command's text; UserError
        when the verb cannot apply to it."""

    def choices(self, catalog: Catalog, meta: ModalMeta) -> Mapping[Field, Sequence[Option]]:
        """What each catalog select of the modal offers, given the modal's own `meta`.

        `build` shows these, and Slack's options requests for a select that outgrew a static
        one are answered from them (flows/choices.py): one list, whichever way it is shown.
        """
        return {}

    @abstractmethod
    def parse(self, view: dict[str, Any]) -> F:
        """The submitted view -> the verb's form; FormError for inline errors."""

    @abstractmethod
    async def write(self, deps: Deps, change: Submitted[F]) -> View:
        """Send the change to incident.io; the view that shows the result."""

    def direct(self, ctx: CommandContext) -> Awaitable[Answer] | None:
        """The work of acting at once on the command's text, for verbs that do; else None."""
        return None


async def share_update(
    deps: Deps,
    change: Submitted[Any],
    title: str,
    *,
    message: str | None,
    status_id: str | None = None,
    severity_id: str | None = None,
) -> View:
    """Write a change as one incident update (idempotent by the view's key) and show the result."""
    meta = change.meta
    assert meta.incident_id is not None
    update = await deps.incidents.create_incident_update(
        incident_id=meta.incident_id,
        idempotency_key=change.key,
        message=attribution(message, change.user_name, meta.user_id) if message else None,
        to_incident_status_id=status_id,
        to_severity_id=severity_id,
    )
    deps.open_incidents.record_update(update)
    return update_result(meta.reference or meta.incident_id, update, title)


def incident_meta(meta: ModalMeta, incident: Incident) -> ModalMeta:
    return meta.model_copy(
        update={
            "incident_id": incident.id,
            "reference": incident.reference,
            "severity_id": incident.severity.id if incident.severity else None,
            "status_id": incident.incident_status.id,
        }
    )


async def target(ctx: CommandContext) -> Incident | None:
    """The incident the command names, else the one whose channel it was run in."""
    if ctx.command.ref is not None:
        return await find_incident(ctx.deps, ctx.command.ref, ctx.channel_id)
    return await channel_incident(ctx.deps, ctx.channel_id)


async def run_command(spec: ChangeVerb[Any], ctx: CommandContext) -> None:
    """`/incident <verb> …`: act at once on text where the verb does, else open its modal."""
    work = spec.direct(ctx) if ctx.command.text else None
    if work is not None:
        await answer_command(ctx.deps, ctx.ack, ctx.surface, work, where=spec.verb)
        return
    await ctx.ack()
    meta = ctx.meta(verb=spec.verb.value)

    async def load() -> View:
        incident = await target(ctx)
        if incident is None:
            return pick_modal(meta, spec.title)
        require_open(incident)
        return await spec.build(ctx.deps, incident, incident_meta(meta, incident), ctx.command.text)

    await open_modal(ctx.deps, ctx.surface, ctx.trigger_id, load, title=spec.title, where=spec.verb)


def commands(
    specs: Iterable[ChangeVerb[Any]],
) -> dict[Verb, Callable[[CommandContext], Awaitable[None]]]:
    """The slash-command handler of each verb."""

    def handler(spec: ChangeVerb[Any]) -> Callable[[CommandContext], Awaitable[None]]:
        async def handle(ctx: CommandContext) -> None:
            await run_command(spec, ctx)

        return handle

    return {spec.verb: handler(spec) for spec in specs}


def _matches(incident: Incident, query: str) -> bool:
    query = query.strip().lower()
    return not query or query in incident.reference.lower() or query in incident.name.lower()


def register(app: AsyncApp, deps: Deps, specs: Iterable[ChangeVerb[Any]]) -> None:
    """Each verb's modal submission, and the incident picker they share."""
    by_verb = {spec.verb.value: spec for spec in specs}
    for spec in by_verb.values():
        _register_submission(app, deps, spec)

    @app.options(Field.INCIDENT.value)
    @tracked
    async def incident_options(ack: AsyncAck, body: dict[str, Any]) -> None:
        # Options are the ack body, so this must answer from the cache within Slack's 3 s.
        query = str(body.get("value", ""))
        try:
            incidents = await deps.open_incidents.get()
        except Exception as error:  # noqa: BLE001 - an empty list is still an answer
            log_failure(error, "incident options")
            incidents = []
        visible = [i for i in incidents if not i.is_private and _matches(i, query)]
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
            incident = require_open(await find_by_id(deps, choice.incident_id, meta.channel_id))
            next_view = await spec.build(deps, incident, incident_meta(meta, incident), "")
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


def _register_submission(app: AsyncApp, deps: Deps, spec: ChangeVerb[Any]) -> None:
    @app.view(spec.modal.value)
    @tracked
    async def handle_change_submission(
        ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        view, meta = submission(body)
        if not meta.incident_id:
            raise UserError("This form does not say which incident it is for. Start again.")
        set_reference(meta.reference)
        try:
            form = spec.parse(view)
        except FormError as error:
            await ack(response_action="errors", errors=field_errors(error.fields))
            return
        key = keys.for_view(meta.team_id, spec.modal.value, view["id"])
        submitted = Submitted(meta, form, key, submitter_name(body))
        await answer_submission(
            deps,
            ack,
            surface_of(context),
            spec.write(deps, submitted),
            restore=lambda message: refill(view, message),
            fields=spec.api_fields,
            where=spec.modal.value,
        )
