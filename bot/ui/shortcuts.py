"""The "Add to incident" modal."""

from __future__ import annotations

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.ids import Modal
from bot.incidentio.models import Incident, IncidentUpdate
from bot.modal_meta import ModalMeta
from bot.slacktext import escape, to_mrkdwn
from bot.ui.blocks import context, cut_mrkdwn, modal, section
from bot.ui.common import error_banner, message_modal
from bot.ui.picker import pick_modal


def add_message_modal(
    meta: ModalMeta,
    here: Incident | None,
    *,
    banner: str | None = None,
    cut_from: int | None = None,
) -> View:
    """`cut_from`: the length of a message the update cannot hold whole, to say so before."""
    picker = pick_modal(meta, "Add to incident", initial=here, post_incident=True)
    # Escaping can make text up to 5 times longer: cut after it, and the section after quoting.
    preview = cut_mrkdwn(to_mrkdwn(meta.source_text or "(a message with no text)"), 1500).replace(
        "\n", "\n>"
    )
    if meta.source_author:
        author = f"<@{meta.source_author}>"
    else:
        author = escape(meta.source_author_name) if meta.source_author_name else "someone"
    blocks: list[Block] = [error_banner(banner)] if banner else []
    intro = f"Share this message by {author} as an update:\n>{preview}"
    blocks.append(section(intro))
    blocks.extend(picker.blocks or [])
    if cut_from is not None:
        blocks.append(
            context(
                f":warning: This message is {cut_from:,} characters, more than an update holds: "
                "its beginning is shared, marked where it is cut, with a link to the whole message."
            )
        )
    else:
        blocks.append(context("It is shared with a link to the message."))
    return modal(
        Modal.ADD_MESSAGE,
        "Add to incident",
        blocks,
        submit="Add",
        close="Cancel",
        meta=meta.encode(),
    )


def already_added_view(reference: str, update: IncidentUpdate) -> View:
    when = update.created_at.strftime("%Y-%m-%d %H:%M UTC")
    text = (
        f":information_source: This message was already shared on *{escape(reference)}* "
        f"({when}); it was not added again."
    )
    return message_modal("Already added", text)
