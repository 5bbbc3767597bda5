"""Block Kit pieces that cut every text to Slack's limit themselves, so no caller can exceed one.

One text over its limit and Slack refuses the whole view or message (`invalid_arguments`), or
slack_sdk raises SlackObjectFormationError before sending: the person loses what they typed, and
what the bot meant to tell them. Texts come from people and from incident.io, so any of them can
be long. Limits: SLACK-NOTES.md §0 and §3.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    InputBlock,
    InputInteractiveElement,
    MarkdownTextObject,
    Option,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.ids import Modal
from bot.slacktext import truncate

SECTION_TEXT = 3000
SECTION_FIELD = 2000
SECTION_FIELDS = 10
TEXT_OBJECT = 3000  # any other mrkdwn text object (context elements)
CONTEXT_ELEMENTS = 10
HEADER_TEXT = 150
LABEL = 2000  # input label and hint
PLACEHOLDER = 150
OPTION_TEXT = 75  # option text and description
MODAL_TEXT = 24  # modal title, submit and close
BUTTON_TEXT = 75
# A static select shows at most 100 options, and an options request may answer at most 100.
MAX_OPTIONS = 100
# Slack documents no limit for the message under an input; the label's is a safe bound.
FIELD_ERROR = 2000

# What a cut must not end inside: an entity (`&amp;`) or a link, mention or date (`<…>`), which
# Slack would show raw.
_OPEN_ENTITY = re.compile(r"&[a-z]{0,3}$")


def cut_mrkdwn(text: str, limit: int) -> str:
    """`truncate` for mrkdwn: the cut never splits an escape or a `<…>` sequence."""
    cut = truncate(text, limit)
    if cut == text:
        return text
    kept = cut[:-1]
    opened = kept.rfind("<")
    if opened > kept.rfind(">"):
        kept = kept[:opened]
    return _OPEN_ENTITY.sub("", kept) + "…"


def mrkdwn(text: str, limit: int = TEXT_OBJECT) -> MarkdownTextObject:
    return MarkdownTextObject(text=cut_mrkdwn(text, limit))


def section(text: str, *, block_id: str | None = None) -> SectionBlock:
    return SectionBlock(block_id=block_id, text=mrkdwn(text, SECTION_TEXT))


def fields_section(texts: Sequence[str]) -> SectionBlock:
    return SectionBlock(fields=[mrkdwn(t, SECTION_FIELD) for t in texts[:SECTION_FIELDS]])


def context(*texts: str, block_id: str | None = None) -> ContextBlock:
    return ContextBlock(block_id=block_id, elements=[mrkdwn(t) for t in texts[:CONTEXT_ELEMENTS]])


def header(text: str) -> HeaderBlock:
    return HeaderBlock(text=truncate(text, HEADER_TEXT))


def button(text: str, *, action_id: str, url: str) -> ButtonElement:
    return ButtonElement(text=truncate(text, BUTTON_TEXT), action_id=action_id, url=url)


def placeholder(text: str | None) -> str | None:
    return truncate(text, PLACEHOLDER) if text else None


def option(label: str, value: str, description: str | None = None) -> Option:
    # Values are API IDs, never cut: a cut ID would name nothing.
    desc = truncate(description, OPTION_TEXT) if description else None
    return Option(value=value, text=truncate(label, OPTION_TEXT), description=desc)


def input_block(
    block_id: str,
    label: str,
    element: InputInteractiveElement,
    *,
    optional: bool = False,
    hint: str | None = None,
) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=truncate(label, LABEL),
        element=element,
        optional=optional,
        hint=truncate(hint, LABEL) if hint else None,
    )


def modal(
    callback: Modal,
    title: str,
    blocks: Sequence[Block],
    *,
    submit: str | None = None,
    close: str = "Close",
    meta: str | None = None,
) -> View:
    return View(
        type="modal",
        callback_id=callback.value,
        title=truncate(title, MODAL_TEXT),
        submit=truncate(submit, MODAL_TEXT) if submit else None,
        close=truncate(close, MODAL_TEXT),
        blocks=list(blocks),
        private_metadata=meta,
    )


def field_errors(errors: dict[str, str]) -> dict[str, str]:
    """Messages under inputs (`response_action: errors`): plain text in Slack, so not escaped."""
    return {block_id: truncate(text, FIELD_ERROR) for block_id, text in errors.items()}
