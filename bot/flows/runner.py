"""The 3-second mechanics every flow shares.

Slack wants an answer within 3 s; incident.io usually answers well inside that, but not always.
Each helper starts the work at once, waits for it only as long as the budget allows, and answers
Slack with the finished result when it made it in time (inline modal errors, an ephemeral reply)
or with a progress state that is replaced when the work finishes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.acks import answered
from bot.deps import Deps
from bot.failures import UserError, describe, log_failure, maybe_applied, report
from bot.incidentio.errors import ValidationError
from bot.inflight import keep
from bot.surface import Surface
from bot.ui.blocks import field_errors
from bot.ui.common import (
    loading_modal,
    message_modal,
    sandbox_banner,
    typed_back,
    with_request_id,
)

log = logging.getLogger("bot.flows")
T = TypeVar("T")


@dataclass(frozen=True)
class Answer:
    """An ephemeral reply: mrkdwn text (the fallback and notification) and optional blocks."""

    text: str
    blocks: Sequence[Block] = field(default_factory=tuple)
    # For a change: what it says in the thread under the incident's cards (mrkdwn).
    said: str | None = None


def _start(work: Awaitable[T]) -> asyncio.Task[T]:
    task = asyncio.ensure_future(work)
    keep(task)
    return task


async def _settled(task: asyncio.Task[T], budget: float) -> bool:
    done, _ = await asyncio.wait({task}, timeout=budget)
    return task in done


def _blocks(surface: Surface, answer: Answer) -> list[Block] | None:
    if not answer.blocks:
        return None
    return [sandbox_banner(), *answer.blocks] if surface.sandbox else list(answer.blocks)


async def open_modal(
    deps: Deps,
    surface: Surface,
    trigger_id: str,
    load: Callable[[], Awaitable[View]],
    *,
    title: str,
    where: str,
    typed: str = "",
) -> None:
    """Open the modal `load` builds; a loading modal first if it is not ready within
    `deps.open_budget`. Building it first yields to acks other requests still owe. A failure
    quotes `typed`, the command's text the modal would have held."""
    await deps.acks_first()
    task = _start(load())
    try:
        if await _settled(task, deps.open_budget):
            await surface.open_view(trigger_id, task.result())
            return
        opened = await surface.open_view(trigger_id, loading_modal(title))
    except SlackApiError as error:
        task.cancel()
        log_failure(error, where)
        await report(UserError(_slack_open_failure(error)), surface, where=where, typed=typed)
        return
    except Exception as error:  # noqa: BLE001 - every failure is shown to the person and logged
        if surface.respond is None and surface.channel_id is None:
            # A global shortcut has nowhere else to speak: open a modal that says it.
            await _open_error_modal(surface, trigger_id, error, where)
            return
        await report(error, surface, where=where, typed=typed)
        return
    try:
        view = await task
    except Exception as error:  # noqa: BLE001
        await report(error, surface, where=where, typed=typed)
        return
    try:
        await surface.update_view(view, view_hash=opened.get("hash"))
    except SlackApiError as error:
        # hash_conflict or not_found: the person closed or changed the modal meanwhile.
        log_failure(error, where)


async def _open_error_modal(
    surface: Surface, trigger_id: str, error: Exception, where: str
) -> None:
    log_failure(error, where)
    message, request_id = describe(error)
    try:
        await surface.open_view(
            trigger_id, message_modal("Could not open", with_request_id(message, request_id))
        )
    except SlackApiError as slack_error:
        log_failure(slack_error, where)


def _slack_open_failure(error: SlackApiError) -> str:
    code = error.response.get("error", "")
    if code in ("expired_trigger_id", "exchanged_trigger_id", "invalid_trigger_id"):
        return "Slack gave up waiting for the form to open. Please run the command again."
    return f"Slack would not open the form ({code or 'unknown error'}). Please try again."


async def answer_command(
    deps: Deps,
    ack: AsyncAck,
    surface: Surface,
    work: Awaitable[Answer],
    *,
    where: str,
    typed: str = "",
) -> None:
    """Answer a slash command with the result when it is quick, else `Working on it…` then it;
    a failure quotes `typed`, the text the command carried."""
    task = _start(work)
    if await _settled(task, deps.ack_budget):
        error = task.exception()
        if error is None:
            answer = task.result()
            await ack(text=surface.text(answer.text), blocks=_blocks(surface, answer))
            return
        await ack_failure(ack, surface, error, where=where, typed=typed)
        return
    await ack(text=surface.text(":hourglass_flowing_sand: Working on it…"))
    try:
        answer = await task
    except Exception as error:  # noqa: BLE001
        await report(error, surface, where=where, typed=typed)
        return
    await surface.ephemeral(answer.text, _blocks(surface, answer))


async def ack_failure(
    ack: AsyncAck, surface: Surface, error: BaseException, *, where: str, typed: str = ""
) -> None:
    """Answer a slash command with what went wrong (and log it), quoting `typed` back."""
    log_failure(error, where)
    message, request_id = describe(error)
    kept = typed_back(typed, maybe_sent=maybe_applied(error))
    await ack(text=surface.text(with_request_id(message, request_id) + kept))


def map_field_errors(error: ValidationError, fields: Mapping[str, str]) -> dict[str, str]:
    """incident.io's 422 `source.field` names -> the modal's input block IDs, each with its
    message cut to fit. Slack shows these as plain text, so unlike the banner they are not
    escaped: nothing in them can mention or link, and "&lt;" would be shown as typed."""
    return field_errors({fields[f]: m for f, m in error.field_messages().items() if f in fields})


async def answer_submission(
    deps: Deps,
    ack: AsyncAck,
    surface: Surface,
    work: Awaitable[View],
    *,
    restore: Callable[[str], View],
    fields: Mapping[str, str],
    where: str,
    progress: str = "Sending to incident.io…",
) -> None:
    """Answer a modal submission: the result view, inline field errors, or progress then result.

    `restore` rebuilds the form with what the person typed and a message on top, so a failure
    never loses their input; a resubmission reuses the view id and so the idempotency key.
    """
    task = _start(work)
    if await _settled(task, deps.ack_budget):
        error = task.exception()
        if error is None:
            await ack(response_action="update", view=surface.view(task.result()))
            return
        log_failure(error, where)
        if isinstance(error, ValidationError) and (mapped := map_field_errors(error, fields)):
            await ack(response_action="errors", errors=mapped)
            return
        message, request_id = describe(error)
        shown = with_request_id(message + _resubmit_note(error), request_id)
        await ack(response_action="update", view=surface.view(restore(shown)))
        return
    await ack(
        response_action="update",
        view=surface.view(message_modal("Working…", f":hourglass_flowing_sand: {progress}")),
    )
    try:
        view = await task
    except Exception as error:  # noqa: BLE001
        await answered()
        await report(error, surface, where=where, restore=restore, note=_resubmit_note(error))
        return
    # Our "Working…" must reach Slack before the result, or it would replace the result.
    await answered()
    try:
        await surface.update_view(view)
    except SlackApiError as error:
        log_failure(error, where)


def _resubmit_note(error: BaseException) -> str:
    # The form's key comes from its view id: the same form sent again is the same write.
    return " Submitting again is safe: it will not be done twice." if maybe_applied(error) else ""
