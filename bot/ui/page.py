"""The page modal, the "also page" inputs of escalate, and how pages are shown (results, show)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from slack_sdk.models.blocks import Block, Option, UserMultiSelectElement
from slack_sdk.models.views import View

from bot.ids import Field, Modal
from bot.incidentio.models import Incident, User
from bot.incidentio.oncall_models import Escalation, EscalationPath
from bot.modal_meta import ModalMeta
from bot.slacktext import escape, quote, truncate
from bot.ui.blocks import context, input_block, modal, option, placeholder, section
from bot.ui.common import incident_heading, message_input, select_input, text_input

MAX_TITLE = 250
MAX_SHOWN = 10  # pages listed under an incident; the rest are counted


def person(user: User) -> str:
    """A Slack mention where incident.io knows the person's Slack ID, else their escaped name."""
    return f"<@{user.slack_user_id}>" if user.slack_user_id else escape(user.name)


def people(users: Sequence[User]) -> str:
    return ", ".join(person(u) for u in users) or "nobody"


def path_option(path: EscalationPath) -> Option:
    """A path, and who is on call for it now (plain text: options do not render mentions)."""
    names = ", ".join(u.name for u in path.current_responders)
    return option(path.name, path.id, f"On call: {names}" if names else "Nobody on call now")


def page_inputs(paths: Sequence[EscalationPath], *, also: bool) -> list[Block]:
    """An escalation path (searchable past 100) or people: the page modal's choice, and the
    escalate modal's optional "also page"."""
    label = "Also page an escalation path" if also else "Page an escalation path"
    options = [path_option(p) for p in paths]
    blocks: list[Block] = []
    if options:
        hint = "Each shows who is on call for it now."
        blocks.append(select_input(Field.PAGE_PATH, label, options, optional=True, hint=hint))
    else:
        blocks.append(context("_incident.io lists no escalation paths: page people instead._"))
    users = UserMultiSelectElement(
        action_id=Field.PAGE_PEOPLE.value,
        placeholder=placeholder("Choose people…"),
        max_selected_items=20,
    )
    who = "…or page people" if options else ("Also page people" if also else "Page people")
    blocks.append(input_block(Field.PAGE_PEOPLE.value, who, users, optional=True))
    return blocks


def default_title(incident: Incident) -> str:
    return truncate(f"{incident.reference}: {incident.name}", MAX_TITLE)


def page_modal(
    incident: Incident,
    paths: Sequence[EscalationPath],
    meta: ModalMeta,
    *,
    note: str | None = None,
    banner: str | None = None,
) -> View:
    blocks = incident_heading(incident, banner)
    blocks.extend(page_inputs(paths, also=False))
    blocks.append(
        text_input(Field.PAGE_TITLE, "Title", initial=default_title(incident), max_length=MAX_TITLE)
    )
    blocks.append(
        message_input(Field.PAGE_NOTE, "Note", note, "What responders should know", optional=True)
    )
    return modal(
        Modal.PAGE, f"Page for {incident.reference}", blocks, submit="Page", meta=meta.encode()
    )


def paged_text(escalation: Escalation, path: EscalationPath | None, users: Sequence[User]) -> str:
    """What a page was sent to, and where it stands."""
    to = f"*{escape(path.name)}*" if path else people(users)
    # Through a path: whom it reached (or who is on call there); people are named already.
    reached = escalation.reached
    now = (f"reached {people(reached)}" if reached else f"on call: {people(users)}") if path else ""
    facts = " · ".join(x for x in (f"status *{escape(escalation.status)}*", now) if x)
    return f":rotating_light: Paged {to}: {facts}\n{quote(truncate(escalation.title, 300))}"


def page_result(reference: str, text: str) -> View:
    return modal(
        Modal.RESULT, "Paged", [section(f"{text}\nFor *{escape(reference)}*."), _ack_note()]
    )


def _ack_note() -> Block:
    return context("incident.io notifies them, and escalates further if nobody acknowledges.")


def escalation_line(escalation: Escalation, paths: Mapping[str, EscalationPath]) -> str:
    path = paths.get(escalation.escalation_path_id or "")
    to = f" · path *{escape(path.name)}*" if path else ""
    reached = escalation.reached
    who = f" · reached {people(reached)}" if reached else ""
    when = escalation.created_at.strftime("%Y-%m-%d %H:%M UTC")
    return f"*{when}* · {escape(truncate(escalation.title, 200))} · *{escape(escalation.status)}*{to}{who}"


def escalation_blocks(
    escalations: Sequence[Escalation], paths: Mapping[str, EscalationPath], *, note: str = ""
) -> list[Block]:
    """The incident's pages, newest first, for `/incident show` and the card."""
    if note:
        return [context(note)]
    if not escalations:
        return [context("No pages sent for this incident.")]
    lines = [escalation_line(e, paths) for e in escalations[:MAX_SHOWN]]
    more = len(escalations) - MAX_SHOWN
    if more > 0:
        lines.append(f"…and {more} more in incident.io.")
    return [section("*Pages*\n" + "\n".join(lines))]
