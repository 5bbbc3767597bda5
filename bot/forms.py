"""Slack modal state -> typed forms, with local validation.

Validation happens here, before anything is sent to incident.io, so a bad submission is answered
inline in the modal inside Slack's 3 seconds and nothing is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel
from pydantic import Field as Default

from bot.ids import TEST_MODE_VALUE, Field

MAX_NAME = 250
MAX_SUMMARY = 3000
MAX_MESSAGE = 3000
MAX_URL = 2000

FieldErrors = dict[str, str]


class FormError(Exception):
    """Submission problems: per-input messages (block_id -> text) and/or a general message."""

    def __init__(self, fields: FieldErrors, message: str = "") -> None:
        super().__init__(message or "; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields
        self.message = message


class DeclareForm(BaseModel):
    name: str
    summary: str | None = None
    severity_id: str
    incident_type_id: str | None = None
    visibility: str = "public"
    test_mode: bool = False
    custom_fields: dict[str, tuple[str, ...]] = Default(default_factory=dict)  # kept on a refill
    custom_field_entries: list[dict[str, Any]] = Default(default_factory=list)


class UpdateForm(BaseModel):
    incident_id: str | None = None
    message: str | None = None
    status_id: str | None = None
    severity_id: str | None = None


class PageTarget(BaseModel):
    """Whom to page: an escalation path, or people (Slack user IDs); never both."""

    path_id: str | None = None
    slack_user_ids: list[str] = []


class EscalateForm(BaseModel):
    severity_id: str
    reason: str
    page: PageTarget | None = None  # "also page"


class ResolveForm(BaseModel):
    status_id: str | None = None
    message: str


class EditForm(BaseModel):
    """What an edit changes: only the inputs that differ from what the form opened with."""

    name: str | None = None
    summary: str | None = None  # "" clears it
    call_url: str | None = None  # "" clears it
    custom_field_entries: list[dict[str, Any]] = Default(default_factory=list)
    custom_field_blocks: list[str] = Default(default_factory=list)  # their inputs, in order
    changed: list[str] = Default(default_factory=list)  # the labels of the inputs changed


class IncidentChoiceForm(BaseModel):
    incident_id: str


# --- reading view state -------------------------------------------------------------------------


def element(values: Mapping[str, Any], field: str) -> Mapping[str, Any]:
    # A Field, or an input named at run time (the roles modal's pickers).
    block = values.get(field)
    if not isinstance(block, Mapping):
        return {}
    element = block.get(field)
    return element if isinstance(element, Mapping) else {}


def text_value(values: Mapping[str, Any], field: Field) -> str | None:
    raw = element(values, field).get("value")
    return raw.strip() or None if isinstance(raw, str) else None


def selected_value(values: Mapping[str, Any], field: Field) -> str | None:
    option = element(values, field).get("selected_option")
    value = option.get("value") if isinstance(option, Mapping) else None
    return value if isinstance(value, str) and value else None


def checked_values(values: Mapping[str, Any], field: Field) -> list[str]:
    options = element(values, field).get("selected_options")
    if not isinstance(options, list):
        return []
    return [
        o["value"] for o in options if isinstance(o, Mapping) and isinstance(o.get("value"), str)
    ]


def selected_users(values: Mapping[str, Any], field: Field) -> list[str]:
    users = element(values, field).get("selected_users")
    return [u for u in users if isinstance(u, str) and u] if isinstance(users, list) else []


def check_length(errors: FieldErrors, field: Field, value: str | None, limit: int) -> None:
    if value is not None and len(value) > limit:
        errors[field.value] = f"{len(value)} characters; the limit is {limit}."


def link_problem(text: str) -> str | None:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in text):
        return "Enter a full link, starting with https://"
    return None


def number_problem(text: str) -> str | None:
    try:
        finite = Decimal(text).is_finite()
    except InvalidOperation:
        finite = False
    return None if finite else "Enter a number, such as 12 or 3.5."


def raise_if(errors: FieldErrors) -> None:
    if errors:
        raise FormError(errors)


# --- one parser per modal -----------------------------------------------------------------------


def parse_declare(values: Mapping[str, Any], *, has_types: bool) -> DeclareForm:
    errors: FieldErrors = {}
    name = text_value(values, Field.NAME)
    summary = text_value(values, Field.SUMMARY)
    severity_id = selected_value(values, Field.SEVERITY)
    if not name:
        errors[Field.NAME.value] = "Give the incident a name."
    check_length(errors, Field.NAME, name, MAX_NAME)
    check_length(errors, Field.SUMMARY, summary, MAX_SUMMARY)
    if not severity_id:
        errors[Field.SEVERITY.value] = "Choose a severity."
    type_id = selected_value(values, Field.INCIDENT_TYPE) if has_types else None
    visibility = selected_value(values, Field.VISIBILITY) or "public"
    if visibility not in ("public", "private"):
        errors[Field.VISIBILITY.value] = "Choose public or private."
    raise_if(errors)
    assert name is not None and severity_id is not None
    return DeclareForm(
        name=name,
        summary=summary,
        severity_id=severity_id,
        incident_type_id=type_id,
        visibility=visibility,
        test_mode=TEST_MODE_VALUE in checked_values(values, Field.TEST_MODE),
    )


def parse_update(values: Mapping[str, Any]) -> UpdateForm:
    errors: FieldErrors = {}
    message = text_value(values, Field.MESSAGE)
    status_id = selected_value(values, Field.STATUS)
    severity_id = selected_value(values, Field.SEVERITY)
    check_length(errors, Field.MESSAGE, message, MAX_MESSAGE)
    if not (message or status_id or severity_id):
        # A form that offered no status or severity (post-incident) asks for the message only.
        choices = Field.STATUS.value in values or Field.SEVERITY.value in values
        errors[Field.MESSAGE.value] = (
            "Write an update, or choose a new status or severity."
            if choices
            else "Write the message to share."
        )
    form = UpdateForm(
        incident_id=selected_value(values, Field.INCIDENT),
        message=message,
        status_id=status_id,
        severity_id=severity_id,
    )
    raise_if(errors)
    return form


def parse_escalate(values: Mapping[str, Any]) -> EscalateForm:
    errors: FieldErrors = {}
    severity_id = selected_value(values, Field.SEVERITY)
    reason = text_value(values, Field.REASON)
    if not severity_id:
        errors[Field.SEVERITY.value] = "Choose the new severity."
    if not reason:
        errors[Field.REASON.value] = "Say why: this is shared as the update."
    check_length(errors, Field.REASON, reason, MAX_MESSAGE)
    page = parse_page_target(values, errors, required=False)
    raise_if(errors)
    assert severity_id is not None and reason is not None
    return EscalateForm(severity_id=severity_id, reason=reason, page=page)


def parse_page_target(
    values: Mapping[str, Any], errors: FieldErrors, *, required: bool
) -> PageTarget | None:
    """Exactly one of a path or people (or, where paging is optional, neither: None)."""
    path_id = selected_value(values, Field.PAGE_PATH)
    people = selected_users(values, Field.PAGE_PEOPLE)
    if path_id and people:
        errors[Field.PAGE_PEOPLE.value] = "Page a path or people, not both: clear one of them."
    elif required and not (path_id or people):
        errors[Field.PAGE_PATH.value] = "Choose an escalation path, or people to page below."
    return PageTarget(path_id=path_id, slack_user_ids=people) if path_id or people else None


def parse_resolve(values: Mapping[str, Any], *, needs_status: bool) -> ResolveForm:
    errors: FieldErrors = {}
    message = text_value(values, Field.MESSAGE)
    status_id = selected_value(values, Field.STATUS)
    if not message:
        errors[Field.MESSAGE.value] = "Write a closing message."
    check_length(errors, Field.MESSAGE, message, MAX_MESSAGE)
    if needs_status and not status_id:
        errors[Field.STATUS.value] = "Choose how the incident ends."
    raise_if(errors)
    assert message is not None
    return ResolveForm(status_id=status_id, message=message)


def parse_edit_texts(values: Mapping[str, Any]) -> dict[str, str]:
    """Name, summary and call link as submitted ("" for an empty one)."""
    errors: FieldErrors = {}
    texts = {
        f.value: text_value(values, f) or "" for f in (Field.NAME, Field.SUMMARY, Field.CALL_URL)
    }
    if not texts[Field.NAME.value]:
        errors[Field.NAME.value] = "An incident needs a name."
    check_length(errors, Field.NAME, texts[Field.NAME.value], MAX_NAME)
    check_length(errors, Field.SUMMARY, texts[Field.SUMMARY.value], MAX_SUMMARY)
    url = texts[Field.CALL_URL.value]
    check_length(errors, Field.CALL_URL, url, MAX_URL)
    if url and (problem := link_problem(url)):
        errors.setdefault(Field.CALL_URL.value, problem)
    raise_if(errors)
    return texts


def parse_incident_choice(values: Mapping[str, Any]) -> IncidentChoiceForm:
    incident_id = selected_value(values, Field.INCIDENT)
    if not incident_id:
        raise FormError({Field.INCIDENT.value: "Choose an incident."})
    return IncidentChoiceForm(incident_id=incident_id)
