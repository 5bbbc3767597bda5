"""The failure vocabulary, and the one place that tells a person something went wrong.

Every failure a flow does not handle itself ends in `report()`: it is logged with incident.io's
request_id and shown where the person is looking (their modal, or an ephemeral message).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View

from bot.command import CommandError
from bot.forms import FormError
from bot.incidentio.errors import IncidentIoError
from bot.observability import interaction as ix
from bot.slacktext import escape
from bot.surface import Surface
from bot.ui.blocks import SECTION_TEXT, cut_mrkdwn
from bot.ui.common import message_modal, typed_back, with_request_id

log = logging.getLogger("bot.failures")

# What slack_sdk's AsyncWebClient raises when Slack's Web API cannot be reached or does not answer
# in time (aiohttp underneath). Nothing else in the bot lets a bare TimeoutError out: incident.io's
# failures are IncidentIoError, and the bot's own waits handle their timeouts where they wait.
SLACK_UNREACHABLE = (aiohttp.ClientError, TimeoutError)
UNREACHABLE_MESSAGE = "The bot could not reach Slack just now, so it could not finish. Try again."


class UserError(Exception):
    """Something the person can fix or should know (unknown incident, wrong state).

    `message` is mrkdwn the raiser has already escaped.
    """

    def __init__(self, message: str, *, usage: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.usage = usage


MAYBE_APPLIED = " It may have gone through all the same."


def maybe_applied(error: BaseException) -> bool:
    """Whether a failed write may have been applied (it reached incident.io, no clear answer)."""
    return isinstance(error, IncidentIoError) and error.maybe_applied


def describe(error: BaseException) -> tuple[str, str | None]:
    """A message fit to show a person (mrkdwn, at most a section long), and incident.io's
    request_id when there is one."""
    if isinstance(error, UserError):
        text = error.message + (f"\n{error.usage}" if error.usage else "")
        return text, None
    if isinstance(error, FormError):
        # Raised without an input to point at (damaged private_metadata): the message is ours.
        return error.message or "This form could not be read. Close it and start again.", None
    if isinstance(error, IncidentIoError):
        # incident.io's `errors[].message` can say anything, at any length: inert and cut here,
        # before the modal banner, a result modal or an ephemeral message shows it.
        text = escape(error.user_message) + (MAYBE_APPLIED if error.maybe_applied else "")
        return cut_mrkdwn(text, SECTION_TEXT), error.request_id
    if isinstance(error, SlackApiError):
        return f"Slack refused the request ({error.response.get('error', 'unknown error')}).", None
    if isinstance(error, SLACK_UNREACHABLE):
        return UNREACHABLE_MESSAGE, None
    return "Something went wrong in the bot; the error is in its logs.", None


def _unreachable(error: BaseException) -> str:
    # aiohttp's timeouts carry no text: the kind of error is then the reason.
    return str(error) or type(error).__name__


def log_failure(error: BaseException, where: str) -> None:
    interaction = ix.current()
    if interaction is not None:
        interaction.fail(_outcome(error), type(error).__name__)
    if isinstance(error, UserError | FormError | CommandError):
        log.info("user error in %s: %s", where, error)
    elif isinstance(error, IncidentIoError):
        log.warning(
            "incident.io error in %s: %s", where, error, extra={"request_id": error.request_id}
        )
    elif isinstance(error, SlackApiError):
        log.warning("Slack API error in %s: %s", where, error.response.get("error"))
    elif isinstance(error, SLACK_UNREACHABLE):
        log.warning("Slack unreachable in %s: %s", where, _unreachable(error))
    else:
        log.error("unexpected error in %s", where, exc_info=error)


def _outcome(error: BaseException) -> str:
    if isinstance(error, UserError | FormError | CommandError):
        return "user_error"
    if isinstance(error, IncidentIoError):
        return "api_error"
    if isinstance(error, SlackApiError):
        return "slack_error"
    if isinstance(error, SLACK_UNREACHABLE):
        return "slack_unreachable"
    return "error"


async def report(
    error: BaseException,
    surface: Surface,
    *,
    where: str,
    restore: Callable[[str], View] | None = None,
    typed: str = "",
    note: str = "",
) -> None:
    """Log the failure and show it where the person is: their modal, else an ephemeral message
    (quoting `typed`, the text the person gave a command, so it is not lost). `note` follows
    the message: what the place it is shown in adds (a form: submitting again is safe)."""
    log_failure(error, where)
    message, request_id = describe(error)
    shown = with_request_id(message + note, request_id)
    try:
        if surface.view_id is not None:
            view = (
                restore(shown)
                if restore
                else _failure_modal(shown + typed_back(typed, maybe_sent=maybe_applied(error)))
            )
            await surface.update_view(view)
        else:
            await surface.ephemeral(shown + typed_back(typed, maybe_sent=maybe_applied(error)))
    except SlackApiError as slack_error:
        # The person cannot be told; at least the log says what they would have seen.
        log.error(
            "could not show an error to the user (%s): %s",
            slack_error.response.get("error"),
            shown,
        )
    except SLACK_UNREACHABLE as lost:
        log.error(
            "could not show an error to the user (Slack unreachable: %s): %s",
            _unreachable(lost),
            shown,
        )


def _failure_modal(text: str) -> View:
    return message_modal("Could not finish", cut_mrkdwn(text, SECTION_TEXT))
