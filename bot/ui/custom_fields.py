"""The inputs of an organisation's custom fields, for the declare and edit modals."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from slack_sdk.models.blocks import (
    ExternalDataMultiSelectElement,
    ExternalDataSelectElement,
    InputBlock,
    InputInteractiveElement,
    Option,
    PlainTextInputElement,
    StaticMultiSelectElement,
    StaticSelectElement,
)

from bot.custom_fields import MAX_TEXT, block_id
from bot.incidentio.fields import CustomField
from bot.ui.blocks import MAX_OPTIONS, input_block, option, placeholder

# A modal holds at most 100 blocks; the other inputs need the rest.
MAX_CUSTOM_FIELDS = 40
_PLACEHOLDER = {"link": "https://…", "numeric": "A number, such as 12 or 3.5"}


def field_options(field: CustomField) -> list[Option]:
    """What a select field offers, in incident.io's order: for its input, and for Slack's
    options requests once it has more than 100 (flows/choices.py)."""
    return [option(o.value, o.id) for o in field.sorted_options()]


def custom_field_inputs(
    fields: Sequence[CustomField], values: Mapping[str, Sequence[str]]
) -> list[InputBlock]:
    """One input per field, holding `values` (field ID -> option IDs, or the one text).
    A field incident.io requires at declaration is required here too."""
    blocks = []
    for field in fields[:MAX_CUSTOM_FIELDS]:
        element = _element(field, tuple(values.get(field.id, ())))
        if element is None:
            continue
        hint = field.description or None
        optional = not field.required_at_creation
        blocks.append(
            input_block(block_id(field), field.name, element, optional=optional, hint=hint)
        )
    return blocks


def _element(field: CustomField, held: tuple[str, ...]) -> InputInteractiveElement | None:
    action = block_id(field)
    if field.field_type not in ("single_select", "multi_select"):
        return PlainTextInputElement(
            action_id=action,
            initial_value=held[0][:MAX_TEXT] if held else None,
            multiline=field.field_type == "text",
            max_length=MAX_TEXT,
            placeholder=placeholder(_PLACEHOLDER.get(field.field_type)),
        )
    offered = field_options(field)
    if not offered:
        return None  # Slack refuses a select with nothing to choose
    chosen = [o for o in offered if o.value in held]
    search = len(offered) > MAX_OPTIONS
    if field.field_type == "single_select":
        first = chosen[0] if chosen else None
        if search:
            return ExternalDataSelectElement(
                action_id=action,
                placeholder=placeholder("Choose… (type to search)"),
                min_query_length=0,
                initial_option=first,
            )
        return StaticSelectElement(
            action_id=action,
            options=offered,
            initial_option=first,
            placeholder=placeholder("Choose…"),
        )
    if search:
        return ExternalDataMultiSelectElement(
            action_id=action,
            placeholder=placeholder("Choose any… (type to search)"),
            min_query_length=0,
            initial_options=chosen or None,
        )
    return StaticMultiSelectElement(
        action_id=action,
        options=offered,
        initial_options=chosen or None,
        placeholder=placeholder("Choose any…"),
    )
