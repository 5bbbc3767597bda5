"""The declare modal and its result."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    CheckboxesElement,
    Option,
    RadioButtonsElement,
)
from slack_sdk.models.views import View

from bot.forms import MAX_NAME, MAX_SUMMARY, DeclareForm
from bot.ids import TEST_MODE_VALUE, Field, Modal
from bot.incidentio.models import Catalog, Incident
from bot.modal_meta import ModalMeta
from bot.ui.blocks import input_block, modal, option
from bot.ui.card import PostedCards, posted_line
from bot.ui.common import (
    channel_mention,
    error_banner,
    incident_facts,
    incident_links,
    incident_title,
    message_modal,
    select_input,
    severity_option,
    text_input,
    type_option,
)
from bot.ui.custom_fields import custom_field_inputs
from bot.ui.frozen import Frozen, FrozenModal, FrozenView, PerCatalog

_PUBLIC = option("Public", "public", "Anyone in the workspace can see and join")
_PRIVATE = option("Private", "private", "Only people invited can see it")
_TEST = option("This is a test incident", TEST_MODE_VALUE, "Nobody is paged; kept out of reports")


def declare_choices(catalog: Catalog) -> dict[Field, list[Option]]:
    """What the form's catalog selects offer: for its builder, and for Slack's options requests
    once a list outgrows a static select (flows/choices.py). Built once per catalog version."""
    return {field: list(options) for field, options in _CHOICES(catalog).items()}


def _choices(catalog: Catalog) -> dict[Field, list[Option]]:
    return {
        Field.SEVERITY: [severity_option(s) for s in catalog.severities_by_rank()],
        Field.INCIDENT_TYPE: [type_option(t) for t in catalog.types],
    }


_CHOICES = PerCatalog(_choices)


def declare_modal(
    catalog: Catalog,
    meta: ModalMeta,
    *,
    name: str | None = None,
    summary: str | None = None,
    form: DeclareForm | None = None,
    banner: str | None = None,
) -> View:
    """The form; `form` refills it after a failure so nothing typed is lost."""
    typed = _typed_modal(catalog, meta.encode(), name, summary, form, banner)
    if form is not None or banner:
        return typed
    # A fresh form is the catalog's but for its metadata and what was typed: serialised once.
    return FrozenView(typed, _FRESH_FORM(catalog))


def _typed_modal(
    catalog: Catalog,
    meta: str | None,
    name: str | None,
    summary: str | None,
    form: DeclareForm | None,
    banner: str | None,
) -> View:
    blocks: list[Block] = [error_banner(banner)] if banner else []
    blocks.append(
        text_input(
            Field.NAME,
            "Name",
            initial=form.name if form else name,
            max_length=MAX_NAME,
            placeholder="What is happening? e.g. Checkout API returning 500s",
        )
    )
    blocks.append(
        text_input(
            Field.SUMMARY,
            "Summary",
            initial=form.summary if form else summary,
            multiline=True,
            max_length=MAX_SUMMARY,
            optional=True,
            placeholder="Impact, what you know so far, links",
        )
    )
    # A new form's choices depend on the catalog alone: built and serialised once per version.
    blocks.extend(_choice_inputs(catalog, form) if form else _FRESH_CHOICES(catalog))
    return modal(
        Modal.DECLARE,
        "Declare incident",
        blocks,
        submit="Declare",
        close="Cancel",
        meta=meta,
    )


def _fresh_form(catalog: Catalog) -> FrozenModal:
    return FrozenModal(_typed_modal(catalog, None, None, None, None, None))


_FRESH_FORM = PerCatalog(_fresh_form)


def _fresh_choices(catalog: Catalog) -> list[Block]:
    return [Frozen(block) for block in _choice_inputs(catalog, None)]


_FRESH_CHOICES = PerCatalog(_fresh_choices)


def _choice_inputs(catalog: Catalog, form: DeclareForm | None) -> list[Block]:
    """Severity, type, custom fields, visibility and test mode; chosen as in `form` if any."""
    offered = declare_choices(catalog)
    severities = offered[Field.SEVERITY]
    chosen_severity = next((o for o in severities if form and o.value == form.severity_id), None)
    blocks: list[Block] = []
    blocks.append(select_input(Field.SEVERITY, "Severity", severities, initial=chosen_severity))
    if len(catalog.types) > 1:
        types = offered[Field.INCIDENT_TYPE]
        wanted = form.incident_type_id if form else None
        default = catalog.default_type()
        initial_id = wanted or (default.id if default else None)
        initial = next((o for o in types if o.value == initial_id), None)
        blocks.append(select_input(Field.INCIDENT_TYPE, "Incident type", types, initial=initial))
    asked = [f for f in catalog.custom_fields if f.asked_at_creation]
    blocks.extend(custom_field_inputs(asked, form.custom_fields if form else {}))
    private = form is not None and form.visibility == "private"
    blocks.append(
        input_block(
            Field.VISIBILITY.value,
            "Visibility",
            RadioButtonsElement(
                action_id=Field.VISIBILITY.value,
                options=[_PUBLIC, _PRIVATE],
                initial_option=_PRIVATE if private else _PUBLIC,
            ),
        )
    )
    blocks.append(
        input_block(
            Field.TEST_MODE.value,
            "Test",
            CheckboxesElement(
                action_id=Field.TEST_MODE.value,
                options=[_TEST],
                initial_options=[_TEST] if form and form.test_mode else None,
            ),
            optional=True,
        )
    )
    return blocks


def declared_view(
    incident: Incident, *, already: bool, reporter: bool, posted: PostedCards | None = None
) -> View:
    headline = (
        ":information_source: This message was already declared as an incident:"
        if already
        else ":rotating_light: Incident declared."
    )
    lines = [headline, incident_title(incident), incident_facts(incident)]
    channel = channel_mention(incident)
    lines.append(
        f"Channel: {channel}" if channel else "incident.io is creating the incident's channel."
    )
    if reporter and not already:
        lines.append("You are the reporter.")
    if posted is not None:
        lines.append(posted_line(posted))
    links = incident_links(incident)
    extra = [ActionsBlock(elements=links)] if links else []
    title = "Already declared" if already else "Incident declared"
    return message_modal(title, "\n".join(lines), extra=extra)
