"""The one mechanism every verb that changes an incident goes through.

A verb (update, escalate, resolve; later edit, roles, page) is a `ChangeVerb`: its modal's
callback, its title, which input shows which API field's error, and three functions (build the
modal for one incident, parse the submitted view, write the change). Every spec is run the same:

    /incident <verb> [ref] [text]  -> the incident named, or this channel's, or a picker modal
    the card's <Verb> button        -> open_for_incident: the modal for the card's incident
    submit                          -> parse (FormError: inline errors), key from the view id,
                                      write, answer inside Slack's 3 s (runner.py)
    after every write               -> the incident's cards refreshed (cards.after_change)
"""

from __future__ import annotations

import asyncio
import functools
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.models.blocks import Option
from slack_sdk.models.views import View

from bot import keys
from bot.attribution import sign
from bot.command import Verb
from bot.deps import Deps
from bot.failures import UserError
from bot.flows import cards
from bot.flows.aim import Aim, aim, need_something_to_pick
from bot.flows.context import CommandContext, submitter_name
from bot.flows.guarded import guarded
from bot.flows.overflow import carry_overflow, with_overflow
from bot.flows.runner import Answer, ack_failure, answer_command, answer_submission, open_modal
from bot.forms import MAX_MESSAGE, FormError
from bot.identity import Identity
from bot.ids import Field, Modal
from bot.incidentio.models import Catalog, Incident
from bot.lookup import current_incident, require_open
from bot.modal_meta import ModalMeta, submission
from bot.observability.interaction import set_reference, tracked
from bot.rules import Action
from bot.slacktext import from_slack
from bot.surface import Surface, surface_of
from bot.ui.blocks import field_errors
from bot.ui.card import thread_note
from bot.ui.common import update_result
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
    who: Identity  # who submitted it, as the policy saw them
    # What the change says under the incident's cards (mrkdwn): share_update adds the update; a
    # verb that writes otherwise may add its own, else the thread names the verb and person.
    said: list[str] = field(default_factory=list, compare=False)


class ChangeVerb(ABC, Generic[F]):
    """Everything that differs between two verbs that change one incident."""

    verb: ClassVar[Verb]
    # Whether the verb acts on an incident in post-incident too (resolved, open for follow-ups
    # in incident.io's post-incident flow); a verb that does not is refused there, saying why.
    post_incident: ClassVar[bool] = False
    # incident.io's 422 `source.field` -> the input that shows the message.
    api_fields: ClassVar[Mapping[str, str]]
    # Named after the verb: `incident_<verb>_modal`, "<Verb> incident".
    modal: ClassVar[Modal]
    title: ClassVar[str]
    action: ClassVar[Action]  # what the policy rules on (POLICY_<VERB>)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.modal = Modal(f"incident_{cls.verb.value}_modal")
        cls.title = f"{cls.verb.value.capitalize()} incident"
        cls.action = Action(cls.verb.value)

    @abstractmethod
    async def build(self, deps: Deps, incident: Incident, meta: ModalMeta, text: str) -> View:
        """The verb's modal for one incident it acts on, prefilled with the command's text;
        UserError when the verb cannot apply to it."""

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

    # Whether `direct` acts at once on a command's text, without a modal.
    shares_text_at_once: ClassVar[bool] = False

    def direct(self, ctx: CommandContext, aimed: Aim) -> Awaitable[Answer]:
        """The work of acting at once on the command's text for `aimed.incident`, for verbs
        that do (`shares_text_at_once`); the others open their modal, prefilled with it."""
        raise NotImplementedError(f"{self.verb} does not act at once")


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
        message=sign(message or "", change.user_name, meta.user_id),
        to_incident_status_id=status_id,
        to_severity_id=severity_id,
    )
    deps.open_incidents.record_update(update)
    change.said.append(thread_note(update))
    return update_result(meta.reference or meta.incident_id, update, title)


def admit(spec: ChangeVerb[Any], incident: Incident) -> Incident:
    """The incident, if the verb acts on it in its current status; else UserError."""
    return require_open(incident, spec.verb.value, post_incident=spec.post_incident)


def incident_meta(meta: ModalMeta, incident: Incident) -> ModalMeta:
    return meta.model_copy(
        update={
            "incident_id": incident.id,
            "reference": incident.reference,
            "severity_id": incident.severity.id if incident.severity else None,
            "status_id": incident.incident_status.id,
        }
    )


async def run_command(spec: ChangeVerb[Any], ctx: CommandContext) -> None:
    """`/incident <verb> [ref] [text]`: act at once on the text where the verb does and the
    incident is known, else open the verb's modal (or the picker) with the text in it. The
    policy is asked before either, and again on submission."""
    aiming = asyncio.ensure_future(aim(ctx))
    typed = from_slack(ctx.command.text)
    if spec.shares_text_at_once and ctx.command.text:
        await asyncio.wait({aiming}, timeout=ctx.deps.open_budget)
        error = aiming.exception() if aiming.done() else None
        if error is not None:
            # An unknown or hidden reference: answered where the person is, as before.
            await ack_failure(ctx.ack, ctx.surface, error, where=spec.verb, typed=typed)
            return
        aimed = aiming.result() if aiming.done() else None
        if aimed is not None and aimed.incident and len(aimed.text) <= MAX_MESSAGE:
            work = _act_at_once(spec, ctx, aimed)
            await answer_command(ctx.deps, ctx.ack, ctx.surface, work, where=spec.verb, typed=typed)
            return
    await ctx.ack()
    meta = ctx.meta(verb=spec.verb.value)

    async def load() -> View:
        aimed = await aiming
        text = from_slack(aimed.text)
        if aimed.incident is None:
            # Without an incident a rule about its roles waits for the pick (picker.py).
            await ctx.deps.guard.authorize(await ctx.who(), spec.action)
            await need_something_to_pick(ctx, spec.verb.value, post_incident=spec.post_incident)
            picker = pick_modal(meta, spec.title, post_incident=spec.post_incident, text=text)
            return with_overflow(picker, text)
        return await _modal(spec, ctx.deps, await ctx.who(), aimed.incident, meta, text)

    await open_modal(
        ctx.deps, ctx.surface, ctx.trigger_id, load, title=spec.title, where=spec.verb, typed=typed
    )


async def _modal(
    spec: ChangeVerb[Any], deps: Deps, who: Identity, incident: Incident, meta: ModalMeta, text: str
) -> View:
    """The verb's modal for `incident`, if the policy lets `who` and the verb applies to it."""
    await deps.guard.authorize(who, spec.action, incident)
    admit(spec, incident)
    built = await spec.build(deps, incident, incident_meta(meta, incident), text)
    return with_overflow(built, text)


async def open_for_incident(
    spec: ChangeVerb[Any],
    deps: Deps,
    surface: Surface,
    trigger_id: str,
    meta: ModalMeta,
    who: Awaitable[Identity],
) -> None:
    """The verb's modal for the incident `meta` names (a card's button), as `/incident <verb>
    <ref>` opens it: read afresh, so a click on a card changed meanwhile acts on its current
    state; the policy asked exactly as for the command; a refusal told ephemerally."""

    async def load() -> View:
        assert meta.incident_id is not None
        person = await who
        viewer = deps.guard.viewer(person)
        incident = await current_incident(deps, meta.incident_id, meta.channel_id, viewer)
        return await _modal(spec, deps, person, incident, meta, "")

    await open_modal(deps, surface, trigger_id, load, title=spec.title, where=spec.verb)


async def _act_at_once(spec: ChangeVerb[Any], ctx: CommandContext, aimed: Aim) -> Answer:
    assert aimed.incident is not None
    write = functools.partial(spec.direct, ctx, aimed)
    answer = await guarded(ctx.deps, await ctx.who(), spec.action, write, incident=aimed.incident)
    note = answer.said or cards.made_by(ctx.user_id, spec.verb.value)
    cards.after_change(ctx.deps, aimed.incident.id, note, tell=ctx.surface)
    return answer


def commands(
    specs: Iterable[ChangeVerb[Any]],
) -> dict[Verb, Callable[[CommandContext], Awaitable[None]]]:
    """The slash-command handler of each verb."""

    def handler(spec: ChangeVerb[Any]) -> Callable[[CommandContext], Awaitable[None]]:
        async def handle(ctx: CommandContext) -> None:
            await run_command(spec, ctx)

        return handle

    return {spec.verb: handler(spec) for spec in specs}


def register(app: AsyncApp, deps: Deps, specs: Iterable[ChangeVerb[Any]]) -> None:
    """Each verb's modal submission (the picker before them is flows/picker.py)."""
    by_verb = {spec.verb.value: spec for spec in specs}
    for spec in by_verb.values():
        _register_submission(app, deps, spec)


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

        async def work() -> View:
            # Asked again: the person submitting, and the rule and roles as they are now.
            who = await deps.guard.identify(body, context)
            submitted = Submitted(meta, form, key, submitter_name(body), who)
            write = functools.partial(spec.write, deps, submitted)
            where = {"reference": meta.reference, "channel_id": meta.channel_id}
            done = await guarded(deps, who, spec.action, write, incident=meta.incident_id, **where)
            # Every change refreshes the incident's cards, after the person has their answer.
            note = "\n".join(submitted.said) or cards.made_by(who.user_id, spec.verb.value)
            tell = cards.telling(surface_of(context), meta.channel_id, who.user_id)
            cards.after_change(deps, meta.incident_id or "", note, tell=tell)
            return carry_overflow(done, view)  # what did not fit is not lost on the way

        await answer_submission(
            deps,
            ack,
            surface_of(context),
            work(),
            restore=lambda message: refill(view, message),
            fields=spec.api_fields,
            where=spec.modal.value,
        )
