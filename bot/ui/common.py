"""Block Kit pieces every verb uses: inputs, options, incident lines, loading and result modals."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    ContextBlock,
    ExternalDataSelectElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.attribution import signed_by
from bot.forms import MAX_MESSAGE
from bot.ids import Action, Field, Modal
from bot.ids import Block as BlockId
from bot.incidentio.models import Incident, IncidentStatus, IncidentType, IncidentUpdate, Severity
from bot.slacktext import escape, link, plain, quote, truncate
from bot.ui.blocks import (
    MAX_OPTIONS,
    SECTION_TEXT,
    button,
    context,
    cut_mrkdwn,
    input_block,
    modal,
    option,
    section,
)
from bot.ui.blocks import placeholder as placeholder_text

SANDBOX_NOTICE = ":test_tube: *Sandbox*: incidents here are not real; nothing reaches incident.io."
_WARNING = ":warning: "


def severity_option(severity: Severity) -> Option:
    return option(severity.name, severity.id, plain(severity.description) or None)


def status_option(status: IncidentStatus) -> Option:
    return option(status.name, status.id, plain(status.description) or None)


def type_option(incident_type: IncidentType) -> Option:
    return option(incident_type.name, incident_type.id, plain(incident_type.description) or None)


def incident_option(incident: Incident) -> Option:
    return option(f"{incident.reference}: {incident.name}", incident.id)


def text_input(
    field: Field,
    label: str,
    *,
    initial: str | None = None,
    multiline: bool = False,
    max_length: int = 3000,
    optional: bool = False,
    placeholder: str | None = None,
    hint: str | None = None,
) -> InputBlock:
    element = PlainTextInputElement(
        action_id=field.value,
        # Cut without a marker: what does not fit is shown beside the form (verbs.with_overflow)
        # to copy back, and an ellipsis would be sent to incident.io as if typed.
        initial_value=initial[:max_length] if initial else None,
        multiline=multiline,
        max_length=max_length,
        placeholder=placeholder_text(placeholder),
    )
    return _input(field, label, element, optional, hint)


def message_input(
    field: Field, label: str, initial: str | None, placeholder: str, *, optional: bool = False
) -> InputBlock:
    """The free text a change shares as its update."""
    return text_input(
        field,
        label,
        initial=initial,
        multiline=True,
        max_length=MAX_MESSAGE,
        optional=optional,
        placeholder=placeholder,
    )


def select_input(
    field: Field,
    label: str,
    options: Sequence[Option],
    *,
    initial: Option | None = None,
    optional: bool = False,
    hint: str | None = None,
    placeholder: str = "Choose…",
) -> InputBlock:
    """A static select of `options`, or past Slack's 100 a searchable one.

    A static select shows only its first 100 options, and Slack refuses a view whose initial
    option is not among them. Past 100 the select asks the bot (flows/choices.py), which answers
    from the same list: `options` must be what the modal's choices give for `field`.
    """
    element: StaticSelectElement | ExternalDataSelectElement
    if len(options) > MAX_OPTIONS:
        # min_query_length 0: the first 100 show before anything is typed.
        element = search_select(field, f"{placeholder} (type to search)", initial)
    else:
        element = StaticSelectElement(
            action_id=field.value,
            options=list(options),
            initial_option=initial,
            placeholder=placeholder_text(placeholder),
        )
    return _input(field, label, element, optional, hint)


def search_select(field: Field, prompt: str, initial: Option | None) -> ExternalDataSelectElement:
    """A select whose options Slack asks the bot for as the person types."""
    return ExternalDataSelectElement(
        action_id=field.value,
        placeholder=placeholder_text(prompt),
        min_query_length=0,
        initial_option=initial,
    )


def _input(
    field: Field,
    label: str,
    element: PlainTextInputElement | StaticSelectElement | ExternalDataSelectElement,
    optional: bool,
    hint: str | None,
) -> InputBlock:
    # One name per form field: block_id and action_id are the same string.
    return input_block(field.value, label, element, optional=optional, hint=hint)


def error_banner(message: str) -> SectionBlock:
    return section(f"{_WARNING}{message}", block_id=BlockId.ERROR_BANNER.value)


def loading_modal(title: str) -> View:
    return modal(
        Modal.LOADING,
        title,
        [section(":hourglass_flowing_sand: Loading from incident.io…")],
    )


def message_modal(title: str, text: str, *, extra: Sequence[Block] = ()) -> View:
    """A read-only modal: results, progress and failures. `text` is mrkdwn the caller escaped."""
    return modal(Modal.RESULT, title, [section(text), *extra])


def with_request_id(message: str, request_id: str | None) -> str:
    """`message` and incident.io's request_id, cut to fit an error banner: support needs the id,
    so it is the message that is cut, never the id."""
    if not request_id:
        return message
    suffix = f"\n_request_id: `{escape(request_id)}`_"
    return cut_mrkdwn(message, SECTION_TEXT - len(_WARNING) - len(suffix)) + suffix


def typed_back(typed: str, *, maybe_sent: bool = False) -> str:
    """What a person typed (decoded), quoted under an answer that could not use it, so that
    nothing they wrote in an outage is lost: they copy it into the next try. `maybe_sent`: it
    may have arrived, and a command sent again is a new write, so look first."""
    if not typed.strip():
        return ""
    why = (
        "in case it did not go through (look before sending it again)"
        if maybe_sent
        else ("to send again")
    )
    return f"\n\n*What you typed*, {why}:\n{quote(typed)}"


def incident_title(incident: Incident) -> str:
    """`INC-5` linked to incident.io, then the escaped name."""
    ref = link(incident.permalink, incident.reference) if incident.permalink else incident.reference
    return f"*{ref}* {escape(incident.name)}"


def incident_facts(incident: Incident) -> str:
    severity = incident.severity.name if incident.severity else "no severity"
    facts = [escape(severity), escape(incident.incident_status.name)]
    if incident.incident_type:
        facts.append(escape(incident.incident_type.name))
    if incident.is_private:
        facts.append(":lock: private")
    if incident.mode == "test":
        facts.append("test incident")
    return " · ".join(facts)


def incident_line(incident: Incident, *, now: datetime | None = None) -> str:
    age = describe_age(incident.created_at, now or datetime.now(UTC))
    return f"{incident_title(incident)}\n{incident_facts(incident)} · opened {age} ago"


def channel_mention(incident: Incident) -> str | None:
    return f"<#{incident.slack_channel_id}>" if incident.slack_channel_id else None


def incident_links(incident: Incident) -> list[ButtonElement]:
    buttons = []
    if incident.permalink:
        buttons.append(
            button("Open in incident.io", url=incident.permalink, action_id=Action.OPEN_INCIDENT)
        )
    if incident.slack_channel_id:
        team = f"&team={incident.slack_team_id}" if incident.slack_team_id else ""
        url = f"https://slack.com/app_redirect?channel={incident.slack_channel_id}{team}"
        buttons.append(button("Go to channel", url=url, action_id=Action.OPEN_CHANNEL))
    return buttons


def describe_age(then: datetime, now: datetime) -> str:
    seconds = max(int((now - then).total_seconds()), 0)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        return f"{seconds // 3600}h {seconds % 3600 // 60}m"
    return f"{seconds // 86400}d {seconds % 86400 // 3600}h"


def sandbox_banner() -> ContextBlock:
    return context(SANDBOX_NOTICE, block_id=BlockId.SANDBOX_BANNER.value)


def mark_sandbox_view(view: View) -> View:
    """Put the sandbox notice on top of a modal (idempotent)."""
    blocks = list(view.blocks or [])
    if not any(getattr(b, "block_id", None) == BlockId.SANDBOX_BANNER.value for b in blocks):
        view.blocks = [sandbox_banner(), *blocks][:100]
    return view


def incident_heading(incident: Incident, banner: str | None) -> list[Block]:
    """The incident a modal acts on, under an error banner when there is one."""
    blocks: list[Block] = [error_banner(banner)] if banner else []
    blocks.append(section(f"{incident_title(incident)}\n{incident_facts(incident)}"))
    return blocks


def change_facts(update: IncidentUpdate) -> str:
    """What an update left the incident at: one format wherever a change is shown."""
    facts = [f"Status: {escape(update.new_incident_status.name)}"]
    if update.new_severity is not None:
        facts.append(f"Severity: {escape(update.new_severity.name)}")
    return " · ".join(facts)


def update_result_text(reference: str, update: IncidentUpdate) -> str:
    # The message shared, quoted: a person who sent it to the wrong incident sees so at once.
    said, _ = signed_by(update.message or "")
    echo = f"\n{quote(truncate(said, 300))}" if said.strip() else ""
    return (
        f":white_check_mark: Update shared on *{escape(reference)}*.{echo}\n{change_facts(update)}"
    )


def update_result(reference: str, update: IncidentUpdate, title: str) -> View:
    return message_modal(title, update_result_text(reference, update))
