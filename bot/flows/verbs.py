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

import asyncio
import functools
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.models.blocks import Block, Option, SectionBlock
from slack_sdk.models.views import View

from bot import keys
from bot.attribution import sign
from bot.command import Verb
from bot.deps import Deps
from bot.failures import UserError
from bot.flows.aim import Aim, aim, anything_to_pick
from bot.flows.context import CommandContext, submitter_name
from bot.flows.guarded import guarded
from bot.flows.runner import Answer, ack_failure, answer_command, answer_submission, open_modal
from bot.forms import MAX_MESSAGE, FormError
from bot.identity import Identity
from bot.ids import Block as BlockId
from bot.ids import Field, Modal
from bot.incidentio.models import Catalog, Incident
from bot.lookup import require_open
from bot.modal_meta import ModalMeta, submission
from bot.observability.interaction import set_reference, tracked
from bot.rules import Action
from bot.slacktext import from_slack, quote, truncate
from bot.surface import surface_of
from bot.ui.blocks import field_errors
from bot.ui.common import update_result
from bot.ui.picker import pick_modal
from bot.ui.refill import refill

F = TypeVar("F")
_DECLARE = " To start one: `/incident declare`."


@dataclass(frozen=True)
class Submitted(Generic[F]):
    """A valid submission, ready to write."""

    meta: ModalMeta  # the incident it is for, and who opened the modal where
    form: F
    key: str  # idempotency key from the view id: a second click on Submit is the same write
    user_name: str
    who: Identity  # who submitted it, as the policy saw them


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


def with_overflow(view: View, text: str, limit: int = MAX_MESSAGE) -> View:
    """A form prefilled with more text than its input holds keeps the rest in sight, to copy
    back or trim: nothing the person typed is lost. (The input holds the first `limit`
    characters; the rest follows on from there.)"""
    if len(text) <= limit:
        return view
    kept = limit
    notice = SectionBlock(
        block_id=BlockId.OVERFLOW.value,
        text=truncate(
            f":warning: Your text is {len(text):,} characters; the form holds the first "
            f"{kept:,}. The rest is not sent with it: trim above, or copy it from here into "
            f"another update:\n{quote(text[kept:])}",
            3000,
        ),
    )
    view.blocks = [notice, *(view.blocks or [])]
    return view


def carry_overflow(view: View, submitted: dict[str, Any]) -> View:
    """The next form of a flow (picker -> verb) keeps the overflow notice of the one submitted:
    the rest of the text is still there to copy back."""
    blocks = submitted.get("blocks")
    candidates = blocks if isinstance(blocks, list) else []
    notice = next(
        (
            b
            for b in candidates
            if isinstance(b, dict) and b.get("block_id") == BlockId.OVERFLOW.value
        ),
        None,
    )
    parsed = Block.parse(notice) if notice is not None else None
    if parsed is not None:
        view.blocks = [parsed, *(view.blocks or [])]
    return view


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
        # Without an incident a rule about its roles waits for the pick (picker.py).
        await ctx.deps.guard.authorize(await ctx.who(), spec.action, aimed.incident)
        text = from_slack(aimed.text)
        if aimed.incident is None:
            if not await anything_to_pick(ctx, post_incident=spec.post_incident):
                raise UserError(f"There is no open incident to {spec.verb.value}.{_DECLARE}")
            picker = pick_modal(meta, spec.title, post_incident=spec.post_incident, text=text)
            return with_overflow(picker, text)
        admit(spec, aimed.incident)
        built = await spec.build(
            ctx.deps, aimed.incident, incident_meta(meta, aimed.incident), text
        )
        return with_overflow(built, text)

    await open_modal(
        ctx.deps, ctx.surface, ctx.trigger_id, load, title=spec.title, where=spec.verb, typed=typed
    )


async def _act_at_once(spec: ChangeVerb[Any], ctx: CommandContext, aimed: Aim) -> Answer:
    write = functools.partial(spec.direct, ctx, aimed)
    return await guarded(ctx.deps, await ctx.who(), spec.action, write, incident=aimed.incident)


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
