"""The forms that name people: who takes each role, and whom a page goes to."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from bot.forms import (
    MAX_MESSAGE,
    FieldErrors,
    PageTarget,
    check_length,
    element,
    parse_page_target,
    raise_if,
    text_value,
)
from bot.ids import ROLE_INPUT, Field


class PageForm(BaseModel):
    target: PageTarget
    title: str
    note: str | None = None


class RolesForm(BaseModel):
    changes: dict[str, str | None]  # role id -> the Slack ID of its new holder (None: nobody)


def parse_page(values: Mapping[str, Any]) -> PageForm:
    errors: FieldErrors = {}
    target = parse_page_target(values, errors, required=True)
    title, note = text_value(values, Field.PAGE_TITLE), text_value(values, Field.PAGE_NOTE)
    if not title:
        errors[Field.PAGE_TITLE.value] = "Give the page a title: it is what people are woken with."
    check_length(errors, Field.PAGE_NOTE, note, MAX_MESSAGE)
    raise_if(errors)
    assert target is not None and title is not None
    return PageForm(target=target, title=title, note=note)


def parse_roles(blocks: list[Any], values: Mapping[str, Any]) -> RolesForm:
    """The roles whose picker differs from who held the role when the modal opened (kept in
    each block_id, ids.ROLE_INPUT). A required picker left empty, or nothing changed: inline."""
    changes: dict[str, str | None] = {}
    errors: FieldErrors = {}
    first = None
    for block in blocks:
        if not isinstance(block, Mapping) or block.get("type") != "input":
            continue
        block_id = str(block.get("block_id"))
        prefix, _, rest = block_id.partition(":")
        role_id, _, held = rest.partition(":")
        if prefix != ROLE_INPUT or not role_id:
            continue
        first = first or block_id
        chosen = element(values, block_id).get("selected_user")
        chosen = chosen if isinstance(chosen, str) and chosen else None
        if chosen == (held or None):
            continue
        if chosen is None and not block.get("optional"):
            errors[block_id] = "Choose who takes over: this role cannot be left empty."
        changes[role_id] = chosen
    if first is not None and not changes:
        errors[first] = "Nothing changed: choose someone new for a role."
    raise_if(errors)
    return RolesForm(changes=changes)
