"""What a form prefilled with more text than its input holds does with the rest: shows it beside the
form, to copy back or trim, from one form of a flow to the next."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block, SectionBlock
from slack_sdk.models.views import View

from bot.forms import MAX_MESSAGE
from bot.ids import Block as BlockId
from bot.slacktext import quote, truncate


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
