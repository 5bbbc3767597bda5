"""Custom fields in the declare and edit forms: their inputs' IDs, what a submitted form holds
(checked here, answered inline), what incident.io is sent, and its 422s mapped back to inputs.

An input's block_id (and action_id) names the field's type and ID, so a submitted form reads
without the catalog: `custom_field.numeric.01H…`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from bot.forms import FieldErrors, FormError, link_problem, number_problem
from bot.ids import CUSTOM_FIELD_PREFIX
from bot.incidentio.errors import FieldError, ValidationError
from bot.incidentio.fields import FIELD_TYPES, SELECT_TYPES, CustomField

# Field ID -> its values: option IDs for a select, the one text otherwise; () when empty.
Values = dict[str, tuple[str, ...]]
MAX_TEXT = 2000
T = TypeVar("T")
_VALUE_KEY = {"text": "value_text", "link": "value_link", "numeric": "value_numeric"}
_ENTRY_INDEX = re.compile(r"custom_field_entries\D{0,3}(\d+)")


def block_id(field: CustomField) -> str:
    return f"{CUSTOM_FIELD_PREFIX}{field.field_type}.{field.id}"


def parse_block_id(block: str) -> tuple[str, str] | None:
    """(field type, field ID) of a custom field input's block_id; None for any other input."""
    if not block.startswith(CUSTOM_FIELD_PREFIX):
        return None
    kind, _, field_id = block.removeprefix(CUSTOM_FIELD_PREFIX).partition(".")
    return (kind, field_id) if kind in FIELD_TYPES and field_id else None


@dataclass(frozen=True)
class CustomInputs:
    """What a submitted form's custom field inputs hold."""

    values: Values
    types: dict[str, str]  # field ID -> field type
    blocks: dict[str, str]  # field ID -> the input's block_id

    def entries(self, field_ids: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """CustomFieldEntryPayloadV2 for `field_ids` (default: every field with a value); an
        empty `values` clears the field."""
        wanted = [f for f in self.values if self.values[f]] if field_ids is None else field_ids
        return [
            {"custom_field_id": f, "values": [_value(self.types[f], v) for v in self.values[f]]}
            for f in wanted
        ]

    def block_ids(self, field_ids: Sequence[str]) -> list[str]:
        return [self.blocks[f] for f in field_ids]


def _value(kind: str, value: str) -> dict[str, str]:
    return {"value_option_id": value} if kind in SELECT_TYPES else {_VALUE_KEY[kind]: value}


def _state(values: Mapping[str, Any], block: str) -> Mapping[str, Any]:
    inputs = values.get(block)
    state = inputs.get(block) if isinstance(inputs, Mapping) else None
    return state if isinstance(state, Mapping) else {}


def _chosen(state: Mapping[str, Any]) -> tuple[str, ...]:
    picked = state.get("selected_options")
    if not isinstance(picked, list):
        one = state.get("selected_option")
        picked = [one] if isinstance(one, Mapping) else []
    ids = (o.get("value") for o in picked if isinstance(o, Mapping))
    return tuple(v for v in ids if isinstance(v, str) and v)


def _problem(kind: str, text: str) -> str | None:
    checked = {"numeric": number_problem, "link": link_problem}.get(kind)
    if checked is not None and (problem := checked(text)):
        return problem
    if len(text) > MAX_TEXT:
        return f"{len(text)} characters; the limit is {MAX_TEXT}."
    return None


def read_custom_fields(view: Mapping[str, Any]) -> CustomInputs:
    """The custom field inputs of a submitted view. FormError: a required one left empty, a
    number or link that is not one."""
    state_values = (view.get("state") or {}).get("values") or {}
    values: Values = {}
    types: dict[str, str] = {}
    blocks: dict[str, str] = {}
    errors: FieldErrors = {}
    for block in view.get("blocks") or []:
        bid = str(block.get("block_id", "")) if isinstance(block, Mapping) else ""
        parsed = parse_block_id(bid) if block.get("type") == "input" else None
        if parsed is None:
            continue
        kind, field_id = parsed
        state = _state(state_values, bid)
        if kind in SELECT_TYPES:
            found = _chosen(state)
        else:
            raw = state.get("value")
            text = raw.strip() if isinstance(raw, str) else ""
            found = (text,) if text else ()
            problem = _problem(kind, text) if text else None
            if problem:
                errors[bid] = problem
        if not found and not block.get("optional", False):
            errors[bid] = "incident.io requires this field."
        values[field_id], types[field_id], blocks[field_id] = found, kind, bid
    if errors:
        raise FormError(errors)
    return CustomInputs(values, types, blocks)


def held(field: CustomField, values: Sequence[str]) -> tuple[str, ...]:
    """What the field's input holds of `values` (an incident's): options it offers, a text cut
    to what the input takes."""
    if field.field_type in SELECT_TYPES:
        known = {o.id for o in field.options}
        picked = tuple(v for v in values if v in known)
        return picked[:1] if field.field_type == "single_select" else picked
    text = values[0][:MAX_TEXT].strip() if values else ""
    return (text,) if text else ()


def with_custom_fields(view: Mapping[str, Any], parse: Callable[[], T]) -> tuple[T, CustomInputs]:
    """What `parse` reads of the form, and its custom fields; FormError with the problems of
    both at once."""
    errors: FieldErrors = {}
    parsed: list[T] = []
    custom = CustomInputs({}, {}, {})
    try:
        parsed.append(parse())
    except FormError as error:
        errors.update(error.fields)
    try:
        custom = read_custom_fields(view)
    except FormError as error:
        errors.update(error.fields)
    if errors or not parsed:
        raise FormError(errors)
    return parsed[0], custom


def digest(values: Sequence[str]) -> str:
    """A short fingerprint of an input's value, kept in the form to see later what changed."""
    joined = "\x1f".join(sorted(values))
    return hashlib.sha256(joined.encode()).hexdigest()[:12]


class ApiFields(Mapping[str, str]):
    """incident.io's 422 `source.field` -> the input showing it: `fixed`, and the custom field
    inputs, which `relabel` names."""

    def __init__(self, fixed: Mapping[str, str]) -> None:
        self._fixed = dict(fixed)

    def __getitem__(self, key: str) -> str:
        return key if parse_block_id(key) else self._fixed[key]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and (key in self._fixed or parse_block_id(key) is not None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._fixed)

    def __len__(self) -> int:
        return len(self._fixed)


def relabel(error: ValidationError, sent: Sequence[str]) -> ValidationError:
    """The 422 with each message about `custom_field_entries[i]` given to the input of the i-th
    entry sent (`sent`: their block_ids, in order), so it shows under that input."""
    errors = [dataclasses.replace(e, field=_input_of(e, sent)) for e in error.errors]
    return dataclasses.replace(error, errors=errors)


def _input_of(item: FieldError, sent: Sequence[str]) -> str | None:
    field: str | None = item.field
    if not sent or not field or "custom_field" not in field:
        return field
    # The input whose field the message names, else the entry the pointer says.
    named = [b for b in sent if b.rpartition(".")[2] in (item.message or "")]
    if len(named) == 1:
        return named[0]
    match = _ENTRY_INDEX.search(f"{item.pointer or ''} {field}")
    index = int(match.group(1)) if match else None
    if index is not None and index < len(sent):
        return sent[index]
    return sent[0] if len(sent) == 1 else field
