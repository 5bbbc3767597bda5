"""Edit: `/incident edit [ref]` changes the name, summary, call link and custom fields.

Only what the person changed is sent (`POST /v2/incidents/{id}/actions/edit`, telling the
incident's channel): the form remembers a digest of each input's value as it opened, so an
edit never puts back a value someone else changed meanwhile. An edit carries no idempotency
key, so it is never sent twice: when incident.io does not answer clearly, the person is told to
look at the incident before editing again.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

from slack_sdk.models.views import View

from bot.command import Verb
from bot.custom_fields import (
    ApiFields,
    CustomInputs,
    digest,
    held,
    relabel,
    with_custom_fields,
)
from bot.deps import Deps
from bot.failures import UserError
from bot.flows.verbs import ChangeVerb, Submitted
from bot.forms import EditForm, FormError, parse_edit_texts
from bot.ids import Field
from bot.incidentio.errors import IncidentIoError, ValidationError
from bot.incidentio.fields import CustomField
from bot.incidentio.models import Catalog, Incident
from bot.modal_meta import ModalMeta
from bot.slacktext import escape
from bot.ui.common import with_request_id
from bot.ui.edit import edit_modal, edited_view, held_texts

NOTHING_CHANGED = "Nothing changed: edit a field before saving, or close the form."


def editable(catalog: Catalog) -> list[CustomField]:
    """The custom fields an edit offers: every one the bot's forms can hold."""
    return [f for f in catalog.custom_fields if f.offered]


def custom_values(incident: Incident, fields: Sequence[CustomField]) -> dict[str, tuple[str, ...]]:
    """What each custom field input holds for `incident`."""
    entries = {e.custom_field.id: e.shown() for e in incident.custom_field_entries}
    return {f.id: held(f, entries.get(f.id, ())) for f in fields}


class Edit(ChangeVerb[EditForm]):
    verb = Verb.EDIT
    post_incident = True  # a name or a field can still be put right during follow-ups
    api_fields = ApiFields(
        {"name": Field.NAME.value, "summary": Field.SUMMARY.value, "call_url": Field.CALL_URL.value}
    )

    async def build(self, deps: Deps, incident: Incident, meta: ModalMeta, text: str) -> View:
        fields = editable(await deps.catalog.get())
        values = custom_values(incident, fields)
        texts = {key: (value,) if value else () for key, value in held_texts(incident).items()}
        prefill = {key: digest(held) for key, held in {**texts, **values}.items()}
        return edit_modal(incident, fields, values, meta.model_copy(update={"prefill": prefill}))

    def parse(self, view: dict[str, Any]) -> EditForm:
        meta = ModalMeta.decode(view.get("private_metadata"))
        parse = functools.partial(parse_edit_texts, view["state"]["values"])
        texts, custom = with_custom_fields(view, parse)
        return _changes(meta.prefill or {}, texts, custom, _labels(view))

    async def write(self, deps: Deps, change: Submitted[EditForm]) -> View:
        form, incident_id = change.form, change.meta.incident_id
        assert incident_id is not None
        try:
            incident = await deps.incidents.edit_incident(
                incident_id,
                name=form.name,
                summary=form.summary,
                call_url=form.call_url,
                custom_field_entries=form.custom_field_entries,
                notify_incident_channel=True,
            )
        except ValidationError as error:
            raise relabel(error, form.custom_field_blocks) from None
        except IncidentIoError as error:
            if error.maybe_applied:
                raise UserError(_unclear(change.meta.reference or "the incident", error)) from None
            raise
        deps.open_incidents.record(incident)
        # The card's thread says what changed, not only that someone edited.
        what = ", ".join(escape(c) for c in form.changed)
        change.said.append(f":pencil2: <@{change.meta.user_id}> edited {what}.")
        return edited_view(incident, form.changed)


def _unclear(reference: str, error: IncidentIoError) -> str:
    # Not "submit again": an edit has no idempotency key, and a second one could undo a change
    # made meanwhile. The form opened again shows the incident as it is.
    message = (
        f":warning: incident.io did not answer clearly, so the edit may or may not have applied. "
        f"Check the incident; it shows its current state when you open edit again "
        f"(`/incident edit {reference}`)."
    )
    return with_request_id(message, error.request_id)


def _labels(view: Mapping[str, Any]) -> dict[str, str]:
    """block_id -> the input's label, to say what changed."""
    out = {}
    for block in view.get("blocks") or []:
        label = block.get("label") if isinstance(block, Mapping) else None
        if isinstance(label, Mapping) and isinstance(label.get("text"), str):
            out[str(block.get("block_id", ""))] = label["text"]
    return out


def _changes(
    prefill: Mapping[str, str],
    texts: Mapping[str, str],
    custom: CustomInputs,
    labels: Mapping[str, str],
) -> EditForm:
    def changed(key: str, value: tuple[str, ...]) -> bool:
        before = prefill.get(key)
        # A form without its digests (made before they existed) sends what it holds.
        return bool(value) if before is None else digest(value) != before

    fixed = {k: v for k, v in texts.items() if changed(k, (v,) if v else ())}
    fields = [f for f, v in custom.values.items() if changed(f, v)]
    if not fixed and not fields:
        raise FormError({Field.NAME.value: NOTHING_CHANGED})
    blocks = custom.block_ids(fields)
    return EditForm(
        name=fixed.get(Field.NAME.value),
        summary=fixed.get(Field.SUMMARY.value),
        call_url=fixed.get(Field.CALL_URL.value),
        custom_field_entries=custom.entries(fields),
        custom_field_blocks=blocks,
        changed=[labels.get(b, b) for b in [*fixed, *blocks]],
    )
